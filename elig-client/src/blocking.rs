//! The blocking driver: one check over a [`Transport`], a [`GatewayTransport`], an
//! [`Operator`] and an [`AuditSink`], on the calling thread. A thin loop around
//! [`crate::session::Session`] that takes `now` from [`std::time::Instant`]; all the
//! decisions are the session's.

use core::fmt;
use std::time::Instant;

use reader_backends::{CheckEnd, Transport};

use crate::audit::{AuditError, AuditSink};
use crate::gateway::GatewayTransport;
use crate::session::{
    CheckRequest, Event, Mode, OperatorInput, Outcome, Recorded, Session, Timeouts,
};

/// The reception desk's side: asked for the PIN, the consent and the attestation, shown the
/// progress. Each method may block while the person answers.
pub trait Operator {
    /// A UI event (everything but the outcome, which the driver returns once recorded).
    fn event(&mut self, event: &Event);

    /// One PIN try is left: does the person, warned, choose to spend it?
    fn consent_to_last_try(&mut self) -> bool;

    /// The PIN, or [`OperatorInput::Cancel`].
    fn pin(&mut self, tries_left: Option<u8>, last_try: bool) -> OperatorInput;

    /// 目視確認: the staff attestation, or [`OperatorInput::Cancel`].
    fn attestation(&mut self) -> OperatorInput;
}

/// The check ended but its record was not stored: the outcome must not be shown as
/// recorded (the audit store is at fault: full disk, locked or corrupt database).
#[derive(Debug)]
#[non_exhaustive]
pub struct NotRecorded {
    /// The outcome whose record was not stored.
    pub outcome: Box<Outcome>,
    /// Why the sink refused.
    pub error: AuditError,
}

impl fmt::Display for NotRecorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the check's audit record was not stored: {}", self.error)
    }
}

impl core::error::Error for NotRecorded {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// The parts a blocking check runs over.
pub struct Driver<'a, T: ?Sized, G: ?Sized, O: ?Sized> {
    /// The card reader.
    pub card: &'a mut T,
    /// The gateway driver.
    pub gateway: &'a mut G,
    /// The reception desk.
    pub operator: &'a mut O,
    /// Where the record goes.
    pub audit: &'a mut dyn AuditSink,
}

impl<T: ?Sized, G: ?Sized, O: ?Sized> fmt::Debug for Driver<'_, T, G, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver").finish_non_exhaustive()
    }
}

impl<T, G, O> Driver<'_, T, G, O>
where
    T: Transport + ?Sized,
    G: GatewayTransport + ?Sized,
    O: Operator + ?Sized,
{
    /// Runs one check to its outcome, ends the card session as the outcome says, and appends
    /// the record.
    ///
    /// # Errors
    /// [`NotRecorded`] when the audit sink did not store the record (the outcome is inside).
    pub fn run(
        &mut self,
        request: CheckRequest,
        mode: Mode,
        timeouts: Timeouts,
    ) -> Result<Recorded, NotRecorded> {
        let mut session = Session::new(request, mode, self.card.limits(), timeouts, Instant::now());
        let mut begin_failure = self.card.begin_check().err();
        let outcome = loop {
            if let Some(outcome) = self.step(&mut session, &mut begin_failure) {
                break outcome;
            }
        };
        // Best effort: the card's state was cleared by the check's clear step when it could
        // be; a reader that fails here has lost the card anyway.
        let _ = self
            .card
            .end_check(outcome.card_end.unwrap_or(CheckEnd::PowerDown));
        match self.audit.append(&outcome.record) {
            Ok(receipt) => Ok(Recorded::new(outcome, receipt)),
            Err(error) => Err(NotRecorded {
                outcome: Box::new(outcome),
                error,
            }),
        }
    }

    /// One turn of the loop: card, gateway, events, then the timer.
    fn step(
        &mut self,
        session: &mut Session,
        begin_failure: &mut Option<reader_backends::TransportError>,
    ) -> Option<Outcome> {
        let mut busy = false;
        while let Some(apdu) = session.poll_card() {
            busy = true;
            let answer = match begin_failure.take() {
                Some(error) => Err(error),
                None => self.card.transmit(&apdu),
            };
            session.handle_card_response(Instant::now(), answer);
        }
        while let Some(request) = session.poll_gateway() {
            busy = true;
            let answer = self.gateway.send(&request).map_err(|e| (request.id, e));
            session.handle_gateway_response(Instant::now(), answer);
        }
        while let Some(event) = session.poll_event() {
            busy = true;
            match event {
                Event::Outcome(outcome) => return Some(*outcome),
                Event::PinNeeded {
                    tries_left,
                    last_try,
                } => {
                    self.operator.event(&event);
                    if last_try && self.operator.consent_to_last_try() {
                        let _ = session
                            .handle_operator(Instant::now(), OperatorInput::ConsentToLastTry);
                    }
                    let input = self.operator.pin(tries_left, last_try);
                    self.give(session, input);
                }
                Event::AttestationNeeded => {
                    self.operator.event(&event);
                    let input = self.operator.attestation();
                    self.give(session, input);
                }
                other => self.operator.event(&other),
            }
        }
        if !busy {
            match session.poll_timeout() {
                Some(deadline) => {
                    let now = Instant::now();
                    if deadline > now {
                        std::thread::sleep(deadline.saturating_duration_since(now));
                    }
                    session.handle_timeout(Instant::now());
                }
                // Nothing to do and nothing timed: the session waits for nobody (never
                // expected); end it rather than spin.
                None => self.give(session, OperatorInput::Cancel),
            }
        }
        None
    }

    fn give(&mut self, session: &mut Session, input: OperatorInput) {
        // A refused input is the operator answering at the wrong time; the session's state
        // is unchanged and its own timers end the check if nothing else comes.
        if session.handle_operator(Instant::now(), input).is_err() {
            let _ = session.handle_operator(Instant::now(), OperatorInput::Cancel);
        }
    }
}
