//! The whole check as a sans-I/O state machine: [`Session`].
//!
//! The session does no I/O, reads no clock and starts no thread (style.md rule 2,
//! quinn-proto's contract): every input carries the caller's `now`, and the caller moves the
//! bytes. It drives jpki-apdu's paused card check ([`PinModeCheck`]) — the card logic lives
//! there only — and builds the elig-proto messages for the gateway (DESIGN.md, "The check,
//! end to end").
//!
//! # The four kinds of methods
//!
//! - `handle_*` feed input: [`Session::handle_card_response`],
//!   [`Session::handle_gateway_response`], [`Session::handle_operator`];
//! - [`Session::handle_timeout`] tells it that the deadline from `poll_timeout` passed;
//! - `poll_*` take output: [`Session::poll_card`] (the next APDU),
//!   [`Session::poll_gateway`] (the next gateway request), [`Session::poll_timeout`] (the next
//!   deadline), [`Session::poll_event`] (the next UI event);
//! - accessors ([`Session::is_finished`]).
//!
//! After every `handle_*` call, drain in this order: `poll_card` until `None` (send each APDU
//! and feed its answer back before polling again: at most one APDU is outstanding),
//! `poll_gateway` until `None` (send each request; feed the answer back by its
//! [`CallId`]), `poll_event` until `None`, then `poll_timeout` to learn when to call
//! `handle_timeout`. The check is over after [`Event::Outcome`].
//!
//! # Overlapping human time (PIN mode)
//!
//! The challenge is requested as soon as the card answers, so it arrives while the person
//! types. The digest is given to the card at the last moment (when the card reaches its
//! "need digest" pause after VERIFY): after the PIN only VERIFY, SELECT key, SIGN and the
//! clear step (4 APDUs) and the inquiry (one round trip) remain. A challenge whose lifetime
//! (`expires_at - issued_at`, counted from its arrival) ran out — less
//! [`Timeouts::challenge_margin`] — is replaced before signing; a signature is bound to one
//! challenge and sent at most once; the PIN is given to the card at most once.
//!
//! The card always ends with no verified state: every ending (done, error, cancel, timeout)
//! runs the check's clear step when the card still answers, and [`Outcome::card_end`] tells
//! the driver to power the card down when a PIN was given and the clear step could not be
//! confirmed.

mod exchange;
mod outcome;
mod types;

use std::collections::VecDeque;
use std::time::Instant;

use elig_proto::gateway::{Challenge, ChallengedInquiry};
use jpki_apdu::procedure::{CheckStep, Error as CardError, LastTry, PinModeCheck, PinStatus};
use jpki_apdu::{DigestInfo, ReaderLimits, Response};
use reader_backends::{CheckEnd, TransportError};
use voucher_model::{EvidenceKind, QualificationResponse, StaffAttestation, Verdict};
use zeroize::Zeroizing;

use crate::gateway::{CallId, GatewayRequest, GatewayResponse, GatewayTransportError, Route};

pub use outcome::{
    CardLink, CheckFailure, Outcome, Recorded, existing_terminal_check, manual_check,
};
pub use types::{CheckRequest, Event, InputError, Mode, OperatorInput, Progress, Timeouts};

/// A challenge and the instant it stops being usable.
#[derive(Debug)]
struct Fresh {
    challenge: Challenge,
    usable_until: Instant,
}

/// The gateway call in flight.
#[derive(Debug, Clone, Copy)]
struct Call {
    id: CallId,
    route: Route,
    deadline: Instant,
}

/// What the session waits for from the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Nothing,
    Pin { since: Instant },
    Attestation { since: Instant },
}

/// One check, PIN or 目視確認 mode, from the first APDU to the outcome. See the module docs
/// for the calling order.
#[derive(Debug)]
pub struct Session {
    request: CheckRequest,
    mode: Mode,
    timeouts: Timeouts,
    started: Instant,
    card: Option<PinModeCheck>,
    apdu_out: Option<Zeroizing<Vec<u8>>>,
    apdu_in_flight: bool,
    detected: bool,
    certificate: Option<Vec<u8>>,
    pin_given: bool,
    consent: LastTry,
    awaiting: Awaiting,
    attestation: Option<StaffAttestation>,
    challenge: Option<Fresh>,
    signed: Option<ChallengedInquiry>,
    need_digest: bool,
    next_call: u64,
    gateway_out: Option<GatewayRequest>,
    in_flight: Option<Call>,
    inquiry_sent: bool,
    verdict: Option<(Verdict, QualificationResponse)>,
    failure: Option<CheckFailure>,
    card_end: Option<CheckEnd>,
    events: VecDeque<Event>,
    finished: bool,
}

impl Session {
    /// A check of `request` in `mode` over a reader with `limits`, starting at `now`. The
    /// first APDU is ready at [`Session::poll_card`].
    pub fn new(
        request: CheckRequest,
        mode: Mode,
        limits: ReaderLimits,
        timeouts: Timeouts,
        now: Instant,
    ) -> Self {
        let mut session = Self {
            request,
            mode,
            timeouts,
            started: now,
            card: Some(PinModeCheck::new(limits)),
            apdu_out: None,
            apdu_in_flight: false,
            detected: false,
            certificate: None,
            pin_given: false,
            consent: LastTry::Refuse,
            awaiting: Awaiting::Nothing,
            attestation: None,
            challenge: None,
            signed: None,
            need_digest: false,
            next_call: 0,
            gateway_out: None,
            in_flight: None,
            inquiry_sent: false,
            verdict: None,
            failure: None,
            card_end: None,
            events: VecDeque::new(),
            finished: false,
        };
        session.drive_card(now);
        session
    }

    /// Whether the outcome was emitted.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The next command APDU to send, once; `None` while one is outstanding or none is due.
    /// Feed its answer to [`Session::handle_card_response`].
    pub fn poll_card(&mut self) -> Option<Zeroizing<Vec<u8>>> {
        if self.apdu_in_flight || self.card.is_none() {
            return None;
        }
        let apdu = self.apdu_out.take()?;
        self.apdu_in_flight = true;
        Some(apdu)
    }

    /// The next gateway request to send, once. Answer it with
    /// [`Session::handle_gateway_response`] under the same [`CallId`].
    pub fn poll_gateway(&mut self) -> Option<GatewayRequest> {
        self.gateway_out.take()
    }

    /// The next UI event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Session::handle_timeout`] next: the earliest of the gateway call's
    /// deadline, the operator's deadline and, while the PIN is awaited, the moment the
    /// challenge must be renewed. `None` when nothing is timed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.finished {
            return None;
        }
        let call = self.in_flight.map(|c| c.deadline);
        let operator = match self.awaiting {
            Awaiting::Nothing => None,
            Awaiting::Pin { since } | Awaiting::Attestation { since } => {
                since.checked_add(self.timeouts.operator)
            }
        };
        let renew = match (&self.awaiting, &self.challenge, &self.in_flight) {
            (Awaiting::Pin { .. }, Some(fresh), None) => fresh
                .usable_until
                .checked_sub(self.timeouts.challenge_margin),
            _ => None,
        };
        [call, operator, renew].into_iter().flatten().min()
    }

    /// The answer to the APDU from [`Session::poll_card`]: the response bytes (data + SW1
    /// SW2), or the reader's failure. An answer when none is outstanding is ignored.
    pub fn handle_card_response(&mut self, now: Instant, answer: Result<Vec<u8>, TransportError>) {
        if !self.apdu_in_flight {
            return;
        }
        self.apdu_in_flight = false;
        let bytes = match answer {
            Ok(bytes) => bytes,
            Err(error) => {
                self.card_lost(now, CheckFailure::CardLink(CardLink::from(&error)));
                return;
            }
        };
        let response = match Response::parse(&bytes) {
            Ok(response) => response,
            Err(error) => {
                let failure = CheckFailure::Card {
                    detail: error.to_string(),
                };
                self.card_lost(now, failure);
                return;
            }
        };
        if !self.detected {
            self.detected = true;
            self.events.push_back(Event::CardDetected);
            if self.mode == Mode::Pin {
                self.request_challenge(now);
            }
        }
        if let Some(card) = self.card.as_mut()
            && let Err(error) = card.handle(response)
        {
            self.card_lost(now, card_failure(error));
            return;
        }
        self.drive_card(now);
    }

    /// The answer to gateway request `id`: the driver's [`GatewayResponse`], or its failure
    /// under the request's [`CallId`]. An answer to a call the session no longer waits for
    /// (timed out, cancelled) is ignored.
    pub fn handle_gateway_response(
        &mut self,
        now: Instant,
        answer: Result<GatewayResponse, (CallId, GatewayTransportError)>,
    ) {
        let id = match &answer {
            Ok(response) => response.id,
            Err((id, _)) => *id,
        };
        let Some(call) = self.in_flight.filter(|c| c.id == id) else {
            return;
        };
        self.in_flight = None;
        if self.finished || self.failure.is_some() {
            self.complete(now);
            return;
        }
        let response = match answer {
            Ok(response) => response,
            Err((_, error)) => {
                self.fail(now, CheckFailure::GatewayTransport(error));
                return;
            }
        };
        match call.route {
            Route::Inquiry => self.inquiry_answered(now, &response),
            _ => self.challenge_answered(now, &response),
        }
    }

    /// Operator input. A PIN or attestation the session does not ask for is refused (and
    /// dropped); cancel and consent are always taken.
    ///
    /// # Errors
    /// [`InputError`] when the input does not fit the check's state (caller misuse).
    pub fn handle_operator(
        &mut self,
        now: Instant,
        input: OperatorInput,
    ) -> Result<(), InputError> {
        if self.finished {
            return Err(InputError::Finished);
        }
        match input {
            OperatorInput::ConsentToLastTry => self.consent = LastTry::Allow,
            OperatorInput::Cancel => self.fail(now, CheckFailure::Cancelled),
            OperatorInput::Pin(pin) => {
                let waiting = matches!(self.awaiting, Awaiting::Pin { .. });
                let card = self.card.as_mut().filter(|_| waiting && !self.pin_given);
                let Some(card) = card else {
                    return Err(InputError::PinNotExpected);
                };
                card.supply_pin(pin, self.consent)
                    .map_err(|_| InputError::PinNotExpected)?;
                self.pin_given = true;
                self.awaiting = Awaiting::Nothing;
                self.events.push_back(Event::Progress(Progress::PinSent));
                if !self.challenge_usable(now) && self.in_flight.is_none() {
                    self.renew_challenge(now);
                }
                self.drive_card(now);
            }
            OperatorInput::Attestation(attestation) => {
                if self.mode != Mode::VisualConfirmation || self.attestation.is_some() {
                    return Err(InputError::AttestationNotExpected);
                }
                self.attestation = Some(attestation);
                self.awaiting = Awaiting::Nothing;
                self.send_visual_inquiry(now);
            }
        }
        Ok(())
    }

    /// The deadline from [`Session::poll_timeout`] passed (calling it early does nothing).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.finished {
            return;
        }
        if let Some(call) = self.in_flight.filter(|c| c.deadline <= now) {
            self.in_flight = None;
            self.fail(now, CheckFailure::GatewayTimeout { route: call.route });
            return;
        }
        let operator_since = match self.awaiting {
            Awaiting::Nothing => None,
            Awaiting::Pin { since } | Awaiting::Attestation { since } => Some(since),
        };
        if operator_since
            .and_then(|since| since.checked_add(self.timeouts.operator))
            .is_some_and(|deadline| deadline <= now)
        {
            self.fail(now, CheckFailure::OperatorTimeout);
            return;
        }
        let renew = matches!(self.awaiting, Awaiting::Pin { .. })
            && self.in_flight.is_none()
            && self.challenge.is_some()
            && !self.challenge_usable(now);
        if renew {
            self.renew_challenge(now);
        }
    }

    // ---- card ----

    /// Polls the card check until it needs the card, the operator, or the gateway.
    fn drive_card(&mut self, now: Instant) {
        loop {
            if self.apdu_in_flight || self.apdu_out.is_some() {
                return;
            }
            let Some(card) = self.card.as_mut() else {
                return;
            };
            let step = card.poll();
            if self.certificate.is_none()
                && let Some(certificate) = card.certificate()
            {
                self.certificate = Some(certificate.to_vec());
                self.events.push_back(Event::CertificateRead);
                if self.mode == Mode::VisualConfirmation {
                    // 目視確認 needs the certificate only: the PIN is never asked for.
                    card.cancel();
                }
            }
            match step {
                Ok(CheckStep::Send(command)) => {
                    self.apdu_out = Some(command.to_bytes());
                    return;
                }
                Ok(CheckStep::NeedPin { status }) => {
                    if self.mode != Mode::Pin || self.failure.is_some() {
                        card.cancel();
                        continue;
                    }
                    if self.awaiting == Awaiting::Nothing && !self.pin_given {
                        self.awaiting = Awaiting::Pin { since: now };
                        self.ask_pin(status);
                    }
                    return;
                }
                Ok(CheckStep::NeedDigest) => {
                    self.need_digest = true;
                    if !self.supply_digest(now) {
                        return;
                    }
                }
                Ok(CheckStep::Done(evidence)) => {
                    self.card = None;
                    self.card_end = Some(CheckEnd::LeaveCard);
                    self.events
                        .push_back(Event::Progress(Progress::CardCleared));
                    self.send_pin_inquiry(now, evidence.signature);
                    self.complete(now);
                    return;
                }
                Err(error) => {
                    self.card = None;
                    self.card_end = Some(if self.pin_given {
                        CheckEnd::PowerDown
                    } else {
                        CheckEnd::LeaveCard
                    });
                    let visual_done = self.mode == Mode::VisualConfirmation
                        && error == CardError::Cancelled
                        && self.certificate.is_some();
                    if visual_done {
                        self.events
                            .push_back(Event::Progress(Progress::CardCleared));
                        if self.attestation.is_none() && self.failure.is_none() {
                            self.awaiting = Awaiting::Attestation { since: now };
                            self.events.push_back(Event::AttestationNeeded);
                        }
                        self.send_visual_inquiry(now);
                    } else {
                        self.set_failure(card_failure(error));
                    }
                    self.complete(now);
                    return;
                }
            }
        }
    }

    fn ask_pin(&mut self, status: PinStatus) {
        let tries_left = match status {
            PinStatus::TriesLeft(n) => Some(n),
            _ => None,
        };
        let last_try = tries_left == Some(1);
        if last_try {
            self.events.push_back(Event::LastTryWarning);
        }
        self.events.push_back(Event::PinNeeded {
            tries_left,
            last_try,
        });
    }

    /// The reader failed or the card's answer is unusable: the card check is abandoned and
    /// the card must be powered down (its state is unknown).
    fn card_lost(&mut self, now: Instant, failure: CheckFailure) {
        self.card = None;
        self.apdu_out = None;
        self.card_end = Some(CheckEnd::PowerDown);
        self.fail(now, failure);
    }

    /// Gives the card the digest bound to a usable challenge; otherwise asks for a new
    /// challenge and returns false (the card waits at its pause).
    fn supply_digest(&mut self, now: Instant) -> bool {
        if self.signed.is_some() {
            return true;
        }
        if !self.challenge_usable(now) {
            if self.in_flight.is_none() {
                self.renew_challenge(now);
            }
            return false;
        }
        let Some(fresh) = self.challenge.take() else {
            return false;
        };
        let challenged = self.unsigned().with_challenge(fresh.challenge);
        let digest = challenged.digest();
        let Some(card) = self.card.as_mut() else {
            return false;
        };
        if let Err(error) = card.supply_digest(DigestInfo::sha256(&digest.0)) {
            card.cancel();
            self.set_failure(card_failure(error));
            return true;
        }
        self.signed = Some(challenged);
        self.events.push_back(Event::Progress(Progress::Signing));
        true
    }

    // ---- endings ----

    fn set_failure(&mut self, failure: CheckFailure) {
        if self.failure.is_none() && self.verdict.is_none() {
            self.failure = Some(failure);
        }
    }

    /// Records the first failure, stops the card (its clear step runs) and ends the check
    /// once the card is done.
    fn fail(&mut self, now: Instant, failure: CheckFailure) {
        if self.finished {
            return;
        }
        self.set_failure(failure);
        self.awaiting = Awaiting::Nothing;
        if let Some(card) = self.card.as_mut() {
            card.cancel();
        }
        self.drive_card(now);
        self.complete(now);
    }

    /// Emits the outcome when the card is done and a verdict or a failure is there.
    fn complete(&mut self, now: Instant) {
        if self.finished || self.card.is_some() {
            return;
        }
        let result = match (self.failure.take(), self.verdict.take()) {
            (Some(failure), _) => Err(failure),
            (None, Some((verdict, response))) => Ok((verdict, response)),
            (None, None) => return,
        };
        self.finished = true;
        self.in_flight = None;
        self.gateway_out = None;
        self.awaiting = Awaiting::Nothing;
        let elapsed = now.saturating_duration_since(self.started);
        let unix_secs = self
            .request
            .started_unix_secs
            .saturating_add(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX));
        let (result, response) = match result {
            Ok((verdict, response)) => (Ok(verdict), Some(response)),
            Err(failure) => (Err(failure), None),
        };
        let evidence = match self.mode {
            Mode::VisualConfirmation => EvidenceKind::OnlineVisualConfirmation,
            _ => EvidenceKind::OnlinePin,
        };
        let record = outcome::record(
            &self.request,
            unix_secs,
            evidence,
            &result,
            response.as_ref(),
            self.certificate.as_deref(),
        );
        let card_end = self.card_end.or(Some(CheckEnd::LeaveCard));
        self.events.push_back(Event::Outcome(Box::new(Outcome {
            result,
            record,
            card_end,
        })));
    }
}

/// The session's failure for the card check's error.
fn card_failure(error: CardError) -> CheckFailure {
    match error {
        CardError::WrongPin { tries_left } => CheckFailure::WrongPin { tries_left },
        CardError::PinBlocked => CheckFailure::PinBlocked,
        CardError::LastTryNotConsented => CheckFailure::LastTryNotConsented,
        CardError::Cancelled => CheckFailure::Cancelled,
        other => CheckFailure::Card {
            detail: other.to_string(),
        },
    }
}
