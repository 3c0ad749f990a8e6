//! The inside of the PIN-mode check: the order of the single procedures, the two pauses,
//! and clearing the state on every way out. The public face is [`super::PinModeCheck`].
//!
//! The commands, the pauses and the APDU counts are documented on
//! [`super::PinModeCheck`].

use alloc::vec::Vec;

use super::exchange::Select;
use super::pin::{QueryMachine, SendPin, admit};
use super::read::ReadMachine;
use super::simple::{ClearMachine, SignExchange};
use super::{Cleared, Error, LastTry, Machine, Misuse, Operation, PinStatus, ReadLength, Step};
use crate::command::Command;
use crate::digest::DigestInfo;
use crate::ids::{self, jpki};
use crate::limits::ReaderLimits;
use crate::pin::AuthPin;
use crate::response::Response;
use crate::status::StatusWord;

/// What a [`super::PinModeCheck`] wants next.
#[derive(Debug)]
pub enum CheckStep {
    /// Send this command to the card, then hand its response to
    /// [`super::PinModeCheck::handle`].
    Send(Command),
    /// The person must type the auth PIN: call [`super::PinModeCheck::supply_pin`]. Nothing
    /// is outstanding; polling again yields this again until the PIN is supplied.
    NeedPin {
        /// What the retry query said: the tries left ([`PinStatus::tries_left`]) and
        /// whether the next VERIFY spends the last one ([`PinStatus::is_last_try`]). Never
        /// [`PinStatus::Blocked`]: a blocked PIN ends the check instead.
        status: PinStatus,
    },
    /// The check is ready to sign and has no DigestInfo yet: call
    /// [`super::PinModeCheck::supply_digest`]. Nothing is outstanding; polling again yields
    /// this again until the digest is supplied.
    NeedDigest,
    /// The check is finished and the verified state cleared; here is what it produced.
    Done(PinModeEvidence),
}

/// What the card side of a PIN-mode check produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PinModeEvidence {
    /// The 利用者証明用電子証明書 (EF `000A`), exactly its DER bytes.
    pub certificate: Vec<u8>,
    /// The 256-byte signature over the DigestInfo with the authentication key.
    pub signature: Vec<u8>,
    /// What the retry query said before the VERIFY.
    pub pin_status_before: PinStatus,
    /// How the verified state was cleared.
    pub cleared: Cleared,
}

#[derive(Debug)]
enum Phase {
    SelectAp(Select),
    ReadCert(ReadMachine),
    Query(QueryMachine),
    /// Paused until a PIN is supplied.
    AwaitPin,
    Verify(SendPin),
    SelectKey(Select),
    /// Paused until a digest is supplied.
    AwaitDigest,
    Sign(SignExchange),
    Clear {
        machine: ClearMachine,
        pending: Option<Error>,
    },
    Finished,
}

/// The check's state machine; [`super::PinModeCheck`] adds the poll/handle bookkeeping.
#[derive(Debug)]
pub(crate) struct CheckMachine {
    limits: ReaderLimits,
    /// Supplied at the PIN pause, taken (and dropped after building the VERIFY) at once.
    pin: Option<(AuthPin, LastTry)>,
    pin_supplied: bool,
    digest_info: Option<DigestInfo>,
    certificate: Option<Vec<u8>>,
    signature: Vec<u8>,
    /// What the retry query said.
    before: Option<PinStatus>,
    /// The PIN was verified (the phone-token branch reads the certificate after it).
    verified: bool,
    cancel_requested: bool,
    phase: Phase,
}

impl CheckMachine {
    pub(crate) fn new(limits: ReaderLimits) -> Self {
        Self {
            limits,
            pin: None,
            pin_supplied: false,
            digest_info: None,
            certificate: None,
            signature: Vec::new(),
            before: None,
            verified: false,
            cancel_requested: false,
            phase: Phase::SelectAp(Select::application(ids::JPKI_AP, limits)),
        }
    }

    pub(crate) fn certificate(&self) -> Option<&[u8]> {
        self.certificate.as_deref()
    }

    pub(crate) fn pin_status(&self) -> Option<PinStatus> {
        self.before
    }

    pub(crate) fn supply_pin(&mut self, pin: AuthPin, consent: LastTry) -> Result<(), Error> {
        if self.pin_supplied {
            return Err(Misuse::PinAlreadySupplied.into());
        }
        if !matches!(self.phase, Phase::AwaitPin) || self.cancel_requested {
            return Err(Misuse::PinNotNeeded.into());
        }
        self.pin_supplied = true;
        self.pin = Some((pin, consent));
        Ok(())
    }

    pub(crate) fn supply_digest(&mut self, digest_info: DigestInfo) -> Result<(), Error> {
        if matches!(
            self.phase,
            Phase::Sign(_) | Phase::Clear { .. } | Phase::Finished
        ) || self.cancel_requested
        {
            return Err(Misuse::DigestTooLate.into());
        }
        if self.digest_info.is_some() {
            return Err(Misuse::DigestAlreadySupplied.into());
        }
        self.digest_info = Some(digest_info);
        Ok(())
    }

    /// Asks the check to end. It takes effect on the next step: a response still due is
    /// taken in and ignored, then the state is cleared (when the AP may be selected) and
    /// the check ends with [`Error::Cancelled`].
    pub(crate) fn cancel(&mut self) {
        match &mut self.phase {
            Phase::Finished => {}
            Phase::Clear { pending, .. } => {
                if pending.is_none() {
                    *pending = Some(Error::Cancelled);
                }
            }
            _ => self.cancel_requested = true,
        }
    }

    /// The next step: `response` is the answer to the command returned last, `None` at the
    /// start and after a pause.
    pub(crate) fn step(&mut self, response: Option<Response>) -> Result<CheckStep, Error> {
        if self.cancel_requested {
            self.cancel_requested = false;
            self.pin = None;
            // Nothing was sent yet: nothing to clear.
            if matches!(self.phase, Phase::SelectAp(_)) && response.is_none() {
                self.phase = Phase::Finished;
                return Err(Error::Cancelled);
            }
            // Any command sent may have selected the AP (even the first SELECT, whose
            // answer is dropped here unread): clear.
            return self.goto(Phase::Clear {
                machine: ClearMachine::new(ids::JPKI_AP, self.limits),
                pending: Some(Error::Cancelled),
            });
        }
        match self.advance(response) {
            Ok(step) => Ok(step),
            Err(error) => self.fail(error),
        }
    }

    fn goto(&mut self, next: Phase) -> Result<CheckStep, Error> {
        self.phase = next;
        self.advance(None)
    }

    fn read_cert(&self) -> Phase {
        Phase::ReadCert(ReadMachine::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            self.limits,
        ))
    }

    fn query(&self) -> Phase {
        Phase::Query(QueryMachine::new(jpki::AUTH_PIN, self.limits))
    }

    fn select_key(&self) -> Phase {
        Phase::SelectKey(Select::file(jpki::AUTH_KEY, self.limits))
    }

    /// After the AP may have been selected, every failure clears the state first.
    fn fail(&mut self, error: Error) -> Result<CheckStep, Error> {
        if matches!(self.phase, Phase::Finished) {
            return Err(error);
        }
        if let Phase::SelectAp(_) = self.phase {
            // The AP was not selected: the SELECT itself failed.
            self.phase = Phase::Finished;
            return Err(error);
        }
        self.pin = None;
        self.goto(Phase::Clear {
            machine: ClearMachine::new(ids::JPKI_AP, self.limits),
            pending: Some(error),
        })
    }

    fn advance(&mut self, response: Option<Response>) -> Result<CheckStep, Error> {
        match &mut self.phase {
            Phase::SelectAp(m) => match m.step(response)? {
                Step::Send(c) => Ok(CheckStep::Send(c)),
                Step::Done(()) => self.goto(self.read_cert()),
            },
            Phase::ReadCert(m) => match m.step(response) {
                Ok(Step::Send(c)) => Ok(CheckStep::Send(c)),
                Ok(Step::Done(certificate)) => {
                    self.certificate = Some(certificate);
                    if self.verified {
                        self.goto(self.select_key())
                    } else {
                        self.goto(self.query())
                    }
                }
                // A phone token guards even the authentication certificate with the PIN
                // (card.md): verify first, then read it again.
                Err(Error::Card {
                    operation: Operation::ReadBinary { .. },
                    status: StatusWord::SecurityStatusNotSatisfied,
                }) if !self.verified && self.before.is_none() => self.goto(self.query()),
                Err(e) => Err(e),
            },
            Phase::Query(m) => match m.step(response)? {
                Step::Send(c) => Ok(CheckStep::Send(c)),
                Step::Done(status) => {
                    // A blocked PIN ends here, before the person is asked for it.
                    admit(status, LastTry::Allow)?;
                    self.before = Some(status);
                    self.goto(Phase::AwaitPin)
                }
            },
            Phase::AwaitPin => {
                let status = self.before.ok_or(Error::Misuse(Misuse::Finished))?;
                let Some((pin, consent)) = self.pin.take() else {
                    return Ok(CheckStep::NeedPin { status });
                };
                if let Err(refused) = admit(status, consent) {
                    drop(pin);
                    return Err(refused);
                }
                self.goto(Phase::Verify(SendPin::new(pin, self.limits)))
            }
            Phase::Verify(m) => match m.step(response)? {
                Step::Send(c) => Ok(CheckStep::Send(c)),
                Step::Done(()) => {
                    self.verified = true;
                    if self.certificate.is_some() {
                        self.goto(self.select_key())
                    } else {
                        self.goto(self.read_cert())
                    }
                }
            },
            Phase::SelectKey(m) => match m.step(response)? {
                Step::Send(c) => Ok(CheckStep::Send(c)),
                Step::Done(()) => self.goto(Phase::AwaitDigest),
            },
            Phase::AwaitDigest => match &self.digest_info {
                None => Ok(CheckStep::NeedDigest),
                Some(digest) => {
                    let sign = SignExchange::new(digest, self.limits);
                    self.goto(Phase::Sign(sign))
                }
            },
            Phase::Sign(m) => match m.step(response)? {
                Step::Send(c) => Ok(CheckStep::Send(c)),
                Step::Done(signature) => {
                    self.signature = signature;
                    self.goto(Phase::Clear {
                        machine: ClearMachine::new(ids::JPKI_AP, self.limits),
                        pending: None,
                    })
                }
            },
            Phase::Clear { machine, pending } => match machine.step(response) {
                Ok(Step::Send(c)) => Ok(CheckStep::Send(c)),
                Ok(Step::Done(cleared)) => {
                    let pending = pending.take();
                    self.phase = Phase::Finished;
                    if let Some(error) = pending {
                        return Err(error);
                    }
                    let pin_status_before = self.before.ok_or(Error::Misuse(Misuse::Finished))?;
                    let certificate = self
                        .certificate
                        .take()
                        .ok_or(Error::Misuse(Misuse::Finished))?;
                    Ok(CheckStep::Done(PinModeEvidence {
                        certificate,
                        signature: core::mem::take(&mut self.signature),
                        pin_status_before,
                        cleared,
                    }))
                }
                Err(error) => {
                    self.phase = Phase::Finished;
                    Err(error)
                }
            },
            Phase::Finished => Err(Misuse::Finished.into()),
        }
    }
}
