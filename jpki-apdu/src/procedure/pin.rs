//! PIN status and VERIFY, with the safety rules of card.md ("PIN safety"): always query the
//! retry counter first, refuse when blocked, make the last try an explicit decision of the
//! caller, and never re-send a PIN.

use super::exchange::{Exchange, Select};
use super::{Error, Machine, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::cmd;
use crate::ids::FileId;
use crate::pin::{AssistPin, AuthPin, Pin, SignPassword};
use crate::response::Response;
use crate::status::StatusWord;

/// What the retry query (`00 20 00 80` without data) says about the PIN EF selected
/// (card.md, public fact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PinStatus {
    /// `9000`: already verified in this security state (not "0 tries").
    Verified,
    /// `63Cx`, x ≥ 1: x tries left.
    TriesLeft(u8),
    /// `63C0`, `6983` or `6984`: blocked.
    Blocked,
    /// `6300`: the PIN has no retry limit.
    NoLimit,
}

impl PinStatus {
    /// Reads the answer to a retry query; `None` for any other status word. Works on the
    /// code, whatever variant a hand-built status word uses ([`StatusWord::canonical`]).
    #[must_use]
    pub fn from_status(status: StatusWord) -> Option<Self> {
        Some(match status.canonical() {
            StatusWord::Success => Self::Verified,
            StatusWord::Counter(0)
            | StatusWord::AuthenticationMethodBlocked
            | StatusWord::ReferenceDataNotUsable => Self::Blocked,
            StatusWord::Counter(x) => Self::TriesLeft(x),
            StatusWord::NoInformation => Self::NoLimit,
            _ => return None,
        })
    }
}

/// Whether the caller allows spending the last remaining try. Decided up front, before
/// the procedure starts: the library never asks twice and never retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LastTry {
    /// With one try left, send nothing and fail with [`Error::LastTryNotConsented`].
    Refuse,
    /// The person was warned and chose to spend the last try.
    Allow,
}

#[derive(Debug)]
enum QueryPhase {
    Select(Select),
    Query(Exchange),
}

/// SELECT a PIN EF and run the retry query. Spends no try.
#[derive(Debug)]
pub(crate) struct QueryMachine {
    phase: QueryPhase,
}

impl QueryMachine {
    pub(crate) fn new(pin_file: FileId) -> Self {
        Self {
            phase: QueryPhase::Select(Select::file(pin_file)),
        }
    }
}

impl Machine for QueryMachine {
    type Output = PinStatus;

    fn step(&mut self, response: Option<Response>) -> Result<Step<PinStatus>, Error> {
        match &mut self.phase {
            QueryPhase::Select(select) => match select.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(()) => {
                    let exchange = Exchange::new(cmd::retry_query(), Operation::RetryQuery);
                    let step = Step::Send(exchange.command());
                    self.phase = QueryPhase::Query(exchange);
                    Ok(step)
                }
            },
            QueryPhase::Query(exchange) => match exchange.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(r) => {
                    PinStatus::from_status(r.status())
                        .map(Step::Done)
                        .ok_or(Error::Card {
                            operation: Operation::RetryQuery,
                            status: r.status(),
                        })
                }
            },
        }
    }
}

/// SELECT a PIN EF and query its retry counter (no try spent). Output: [`PinStatus`].
#[derive(Debug)]
pub struct QueryPinStatus {
    run: Runner<QueryMachine>,
}

impl QueryPinStatus {
    /// Queries the PIN in `pin_file` (for example [`crate::ids::jpki::AUTH_PIN`]) of the
    /// application selected before.
    #[must_use]
    pub fn new(pin_file: FileId) -> Self {
        Self {
            run: Runner::new(QueryMachine::new(pin_file)),
        }
    }
}

procedure_wrapper!(QueryPinStatus, PinStatus);

#[derive(Debug)]
enum VerifyPhase {
    Query(QueryMachine),
    Verify {
        exchange: Exchange,
        before: PinStatus,
    },
    Finished,
}

/// The inside of [`VerifyPin`], generic over the PIN type.
#[derive(Debug)]
pub(crate) struct VerifyMachine<P> {
    /// Taken (and dropped, zeroizing it) when the VERIFY is built: it cannot be sent twice.
    pin: Option<P>,
    consent: LastTry,
    phase: VerifyPhase,
}

impl<P: Pin> VerifyMachine<P> {
    pub(crate) fn new(pin: P, consent: LastTry) -> Self {
        let file = pin.pin_file();
        Self {
            pin: Some(pin),
            consent,
            phase: VerifyPhase::Query(QueryMachine::new(file)),
        }
    }

    fn decide(&mut self, before: PinStatus) -> Result<Step<PinStatus>, Error> {
        match before {
            PinStatus::Blocked => return Err(Error::PinBlocked),
            PinStatus::TriesLeft(1) if self.consent == LastTry::Refuse => {
                return Err(Error::LastTryNotConsented);
            }
            // `9000` (already verified) does not skip the VERIFY: the person at the counter
            // must prove the PIN; a state someone else left must not stand in for it.
            PinStatus::Verified | PinStatus::TriesLeft(_) | PinStatus::NoLimit => {}
        }
        let pin = self.pin.take().ok_or(Error::Misuse(Misuse::Finished))?;
        let command = cmd::verify(&pin);
        drop(pin);
        let exchange = Exchange::new(command, Operation::Verify);
        let step = Step::Send(exchange.command());
        self.phase = VerifyPhase::Verify { exchange, before };
        Ok(step)
    }
}

impl<P: Pin> Machine for VerifyMachine<P> {
    /// The status before the VERIFY (what the retry query said).
    type Output = PinStatus;

    fn step(&mut self, response: Option<Response>) -> Result<Step<PinStatus>, Error> {
        match &mut self.phase {
            VerifyPhase::Query(query) => match query.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(before) => self.decide(before),
            },
            VerifyPhase::Verify { exchange, before } => {
                let before = *before;
                match exchange.step(response)? {
                    Step::Send(c) => Ok(Step::Send(c)),
                    Step::Done(r) => {
                        self.phase = VerifyPhase::Finished;
                        match r.status() {
                            StatusWord::Success => Ok(Step::Done(before)),
                            StatusWord::Counter(x) => Err(Error::WrongPin {
                                tries_left: Some(x),
                            }),
                            StatusWord::NoInformation => Err(Error::WrongPin { tries_left: None }),
                            StatusWord::AuthenticationMethodBlocked
                            | StatusWord::ReferenceDataNotUsable => Err(Error::PinBlocked),
                            status => Err(Error::Card {
                                operation: Operation::Verify,
                                status,
                            }),
                        }
                    }
                }
            }
            VerifyPhase::Finished => Err(Misuse::Finished.into()),
        }
    }
}

#[derive(Debug)]
enum AnyVerify {
    Auth(VerifyMachine<AuthPin>),
    Sign(VerifyMachine<SignPassword>),
    Assist(VerifyMachine<AssistPin>),
}

impl Machine for AnyVerify {
    type Output = PinStatus;
    fn step(&mut self, response: Option<Response>) -> Result<Step<PinStatus>, Error> {
        match self {
            Self::Auth(m) => m.step(response),
            Self::Sign(m) => m.step(response),
            Self::Assist(m) => m.step(response),
        }
    }
}

/// SELECT the PIN EF, query the retry counter, then VERIFY once — or refuse without
/// sending the PIN when it is blocked, or when one try is left and [`LastTry::Refuse`] was
/// given. Output: the [`PinStatus`] the query reported before the VERIFY.
///
/// A wrong PIN ends the procedure with [`Error::WrongPin`]; asking the person again and
/// starting a new `VerifyPin` is the caller's decision. The PIN is dropped (zeroized) as
/// soon as the VERIFY command is built.
#[derive(Debug)]
pub struct VerifyPin {
    run: Runner<AnyVerify>,
}

impl VerifyPin {
    /// Verifies the JPKI authentication PIN (EF `0018`).
    #[must_use]
    pub fn auth(pin: AuthPin, consent: LastTry) -> Self {
        Self {
            run: Runner::new(AnyVerify::Auth(VerifyMachine::new(pin, consent))),
        }
    }

    /// Verifies the JPKI signature password (EF `001B`).
    #[must_use]
    pub fn sign(password: SignPassword, consent: LastTry) -> Self {
        Self {
            run: Runner::new(AnyVerify::Sign(VerifyMachine::new(password, consent))),
        }
    }

    /// Verifies the 券面事項入力補助AP PIN (EF `0011`).
    #[must_use]
    pub fn assist(pin: AssistPin, consent: LastTry) -> Self {
        Self {
            run: Runner::new(AnyVerify::Assist(VerifyMachine::new(pin, consent))),
        }
    }
}

procedure_wrapper!(VerifyPin, PinStatus);
