//! The card side of a PIN-mode qualification check, composed from the other procedures.
//!
//! DESIGN.md, "The check, end to end (PIN mode)", steps 1–4 and 6, as one procedure:
//!
//! | # | Command | Procedure |
//! |---|---|---|
//! | 1 | SELECT JPKI AP | [`super::SelectApplication`] |
//! | 2 | SELECT EF `000A`, READ BINARY … | [`super::ReadEf`] with [`super::ReadLength::Tlv`] |
//! | 3 | SELECT EF `0018`, retry query, VERIFY | [`super::VerifyPin::auth`] |
//! | 4 | SELECT EF `0017`, COMPUTE DIGITAL SIGNATURE | [`super::Sign::with_auth_key`] |
//! | 5 | SELECT ISD | [`super::ClearState`] |
//!
//! For a 1,900-byte certificate that is 9 APDUs with an extended-length reader (one READ
//! BINARY) and 16 with short APDUs only (eight), the retry query and the state clearing
//! included; OpenSC's JPKI driver spends 18–19 on the same work. A test counts them.
//!
//! On a smartphone token even the authentication certificate needs the auth PIN (card.md):
//! when READ BINARY answers `6982`, the procedure verifies first and then reads the
//! certificate again (11 APDUs with extended length).
//!
//! When the digest can only be computed after the certificate is read (a gateway challenge),
//! a caller runs the same procedures one by one, in the order of the table; that is what
//! this procedure does internally.
//!
//! Once the JPKI AP is selected, any failure still runs step 5 before the error is
//! returned, so no verified state is left behind even on the error path. If clearing fails
//! too, that error is returned (its message says to power the card down).

use alloc::vec::Vec;

use super::exchange::Select;
use super::pin::VerifyMachine;
use super::read::ReadMachine;
use super::simple::{ClearMachine, SignMachine};
use super::{
    Cleared, Error, LastTry, Machine, Misuse, Operation, PinStatus, ReadLength, Runner, Step,
    procedure_wrapper,
};
use crate::digest::DigestInfo;
use crate::ids::{self, jpki};
use crate::limits::ReaderLimits;
use crate::pin::AuthPin;
use crate::response::Response;
use crate::status::StatusWord;

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
    Verify(VerifyMachine<AuthPin>),
    Sign(SignMachine),
    Clear {
        machine: ClearMachine,
        pending: Option<Error>,
    },
    Finished,
}

#[derive(Debug)]
pub(crate) struct CheckMachine {
    limits: ReaderLimits,
    pin: Option<AuthPin>,
    consent: LastTry,
    digest_info: Option<DigestInfo>,
    certificate: Vec<u8>,
    signature: Vec<u8>,
    before: Option<PinStatus>,
    phase: Phase,
}

impl CheckMachine {
    fn start_next(&mut self, next: Phase) -> Result<Step<PinModeEvidence>, Error> {
        self.phase = next;
        self.step(None)
    }

    fn read_cert(&self) -> ReadMachine {
        ReadMachine::new(jpki::AUTH_CERT, ReadLength::Tlv, self.limits)
    }

    fn start_verify(&mut self) -> Result<Step<PinModeEvidence>, Error> {
        let pin = self.pin.take().ok_or(Error::Misuse(Misuse::Finished))?;
        self.start_next(Phase::Verify(VerifyMachine::new(pin, self.consent)))
    }

    fn start_sign(&mut self) -> Result<Step<PinModeEvidence>, Error> {
        let digest = self
            .digest_info
            .take()
            .ok_or(Error::Misuse(Misuse::Finished))?;
        self.start_next(Phase::Sign(SignMachine::new(jpki::AUTH_KEY, digest)))
    }

    /// After the AP is selected, every failure clears the state first.
    fn fail(&mut self, error: Error) -> Result<Step<PinModeEvidence>, Error> {
        if matches!(self.phase, Phase::SelectAp(_) | Phase::Finished) {
            self.phase = Phase::Finished;
            return Err(error);
        }
        self.start_next(Phase::Clear {
            machine: ClearMachine::new(ids::JPKI_AP),
            pending: Some(error),
        })
    }

    fn advance(&mut self, response: Option<Response>) -> Result<Step<PinModeEvidence>, Error> {
        match &mut self.phase {
            Phase::SelectAp(m) => match m.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(()) => self.start_next(Phase::ReadCert(self.read_cert())),
            },
            Phase::ReadCert(m) => match m.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(certificate)) => {
                    self.certificate = certificate;
                    if self.before.is_some() {
                        self.start_sign()
                    } else {
                        self.start_verify()
                    }
                }
                // A phone token guards even the authentication certificate with the PIN
                // (card.md): verify first, then read it again.
                Err(Error::Card {
                    operation: Operation::ReadBinary { .. },
                    status: StatusWord::SecurityStatusNotSatisfied,
                }) if self.before.is_none() => self.start_verify(),
                Err(e) => Err(e),
            },
            Phase::Verify(m) => match m.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(before) => {
                    self.before = Some(before);
                    if self.certificate.is_empty() {
                        self.start_next(Phase::ReadCert(self.read_cert()))
                    } else {
                        self.start_sign()
                    }
                }
            },
            Phase::Sign(m) => match m.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(signature) => {
                    self.signature = signature;
                    self.start_next(Phase::Clear {
                        machine: ClearMachine::new(ids::JPKI_AP),
                        pending: None,
                    })
                }
            },
            Phase::Clear { machine, pending } => match machine.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(cleared)) => {
                    let pending = pending.take();
                    self.phase = Phase::Finished;
                    if let Some(error) = pending {
                        return Err(error);
                    }
                    let pin_status_before = self.before.ok_or(Error::Misuse(Misuse::Finished))?;
                    Ok(Step::Done(PinModeEvidence {
                        certificate: core::mem::take(&mut self.certificate),
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

impl Machine for CheckMachine {
    type Output = PinModeEvidence;

    fn step(&mut self, response: Option<Response>) -> Result<Step<PinModeEvidence>, Error> {
        match self.advance(response) {
            Ok(step) => Ok(step),
            Err(error) => self.fail(error),
        }
    }
}

/// The card side of a PIN-mode check in one procedure: select the JPKI AP, read the
/// authentication certificate, verify the auth PIN (retry query first), sign `digest_info`
/// with the authentication key, and select the ISD. See the module docs for the APDU table
/// and counts. Output: [`PinModeEvidence`].
#[derive(Debug)]
pub struct PinModeCheck {
    run: Runner<CheckMachine>,
}

impl PinModeCheck {
    /// A check with the PIN typed by the person, the last-try decision made up front, the
    /// DigestInfo to sign, and the reader's limits (which choose the READ BINARY chunking).
    #[must_use]
    pub fn new(
        pin: AuthPin,
        consent: LastTry,
        digest_info: DigestInfo,
        limits: ReaderLimits,
    ) -> Self {
        Self {
            run: Runner::new(CheckMachine {
                limits,
                pin: Some(pin),
                consent,
                digest_info: Some(digest_info),
                certificate: Vec::new(),
                signature: Vec::new(),
                before: None,
                phase: Phase::SelectAp(Select::application(ids::JPKI_AP)),
            }),
        }
    }
}

procedure_wrapper!(PinModeCheck, PinModeEvidence);
