//! PIN status and VERIFY, with the safety rules of card.md ("PIN safety"): always query the
//! retry counter first, refuse when blocked, make the last try an explicit decision of the
//! caller, and never re-send a PIN.

use super::exchange::{Exchange, Select};
use super::{Error, Machine, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::command;
use crate::ids::FileId;
use crate::limits::ReaderLimits;
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

    /// The tries left when the card counts them (`63Cx`): `Some(0)` when blocked, `None`
    /// for [`PinStatus::Verified`] and [`PinStatus::NoLimit`] (the card gives no counter).
    #[must_use]
    pub const fn tries_left(self) -> Option<u8> {
        match self {
            Self::TriesLeft(x) => Some(x),
            Self::Blocked => Some(0),
            Self::Verified | Self::NoLimit => None,
        }
    }

    /// Whether the next VERIFY spends the last try (one try left): the person must be warned
    /// and the caller must pass [`LastTry::Allow`] to spend it (card.md, "PIN safety").
    #[must_use]
    pub const fn is_last_try(self) -> bool {
        matches!(self, Self::TriesLeft(1))
    }
}

/// Whether the caller allows spending the last remaining try. Decided with the PIN (up
/// front for [`VerifyPin`], when the PIN is supplied for [`super::PinModeCheck`]): the
/// library never asks twice and never retries.
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
    limits: ReaderLimits,
    phase: QueryPhase,
}

impl QueryMachine {
    pub(crate) fn new(pin_file: FileId, limits: ReaderLimits) -> Self {
        Self {
            limits,
            phase: QueryPhase::Select(Select::file(pin_file, limits)),
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
                    let exchange =
                        Exchange::new(command::retry_query(), Operation::RetryQuery, self.limits);
                    let step = Step::Send(exchange.first()?);
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
    /// application selected before, over a reader with `limits`.
    #[must_use]
    pub fn new(pin_file: FileId, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(QueryMachine::new(pin_file, limits)),
        }
    }
}

procedure_wrapper!(QueryPinStatus, PinStatus);

/// The rules before a VERIFY (card.md, "PIN safety"): never send a PIN to a blocked PIN,
/// and spend the last try only with the caller's consent.
pub(crate) fn admit(before: PinStatus, consent: LastTry) -> Result<(), Error> {
    match before {
        PinStatus::Blocked => Err(Error::PinBlocked),
        PinStatus::TriesLeft(1) if consent == LastTry::Refuse => Err(Error::LastTryNotConsented),
        // `9000` (already verified) does not skip the VERIFY: the person at the counter must
        // prove the PIN; a state someone else left must not stand in for it.
        PinStatus::Verified | PinStatus::TriesLeft(_) | PinStatus::NoLimit => Ok(()),
    }
}

/// The VERIFY with the PIN itself (the PIN EF selected and the retry query answered
/// before), and what its answer means. The PIN is dropped (zeroized) as soon as the command
/// is built, and a command without Le is never resent: it cannot be sent twice.
#[derive(Debug)]
pub(crate) struct SendPin {
    exchange: Exchange,
}

impl SendPin {
    pub(crate) fn new<P: Pin>(pin: P, limits: ReaderLimits) -> Self {
        let command = command::verify(&pin);
        drop(pin);
        Self {
            exchange: Exchange::new(command, Operation::Verify, limits),
        }
    }
}

impl Machine for SendPin {
    type Output = ();

    fn step(&mut self, response: Option<Response>) -> Result<Step<()>, Error> {
        match self.exchange.step(response)? {
            Step::Send(c) => Ok(Step::Send(c)),
            Step::Done(r) => match r.status() {
                StatusWord::Success => Ok(Step::Done(())),
                StatusWord::Counter(x) => Err(Error::WrongPin {
                    tries_left: Some(x),
                }),
                StatusWord::NoInformation => Err(Error::WrongPin { tries_left: None }),
                StatusWord::AuthenticationMethodBlocked | StatusWord::ReferenceDataNotUsable => {
                    Err(Error::PinBlocked)
                }
                status => Err(Error::Card {
                    operation: Operation::Verify,
                    status,
                }),
            },
        }
    }
}

#[derive(Debug)]
enum VerifyPhase {
    Query(QueryMachine),
    Verify { send: SendPin, before: PinStatus },
    Finished,
}

/// The inside of [`VerifyPin`], generic over the PIN type: the retry query, [`admit`],
/// then [`SendPin`].
#[derive(Debug)]
pub(crate) struct VerifyMachine<P> {
    /// Taken when the VERIFY is built (and dropped there, zeroizing it).
    pin: Option<P>,
    consent: LastTry,
    limits: ReaderLimits,
    phase: VerifyPhase,
}

impl<P: Pin> VerifyMachine<P> {
    pub(crate) fn new(pin: P, consent: LastTry, limits: ReaderLimits) -> Self {
        let file = pin.pin_file();
        Self {
            pin: Some(pin),
            consent,
            limits,
            phase: VerifyPhase::Query(QueryMachine::new(file, limits)),
        }
    }

    fn decide(&mut self, before: PinStatus) -> Result<Step<PinStatus>, Error> {
        admit(before, self.consent)?;
        let pin = self.pin.take().ok_or(Error::Misuse(Misuse::Finished))?;
        let mut send = SendPin::new(pin, self.limits);
        let step = match send.step(None)? {
            Step::Send(c) => Step::Send(c),
            Step::Done(()) => Step::Done(before),
        };
        self.phase = VerifyPhase::Verify { send, before };
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
            VerifyPhase::Verify { send, before } => {
                let before = *before;
                match send.step(response) {
                    Ok(Step::Send(c)) => Ok(Step::Send(c)),
                    Ok(Step::Done(())) => {
                        self.phase = VerifyPhase::Finished;
                        Ok(Step::Done(before))
                    }
                    Err(e) => {
                        self.phase = VerifyPhase::Finished;
                        Err(e)
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
/// given. Output: the [`PinStatus`] the query reported before the VERIFY. Every command,
/// and every GET RESPONSE or `6Cxx` resend after it, fits the reader's [`ReaderLimits`].
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
    pub fn auth(pin: AuthPin, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AnyVerify::Auth(VerifyMachine::new(pin, consent, limits))),
        }
    }

    /// Verifies the JPKI signature password (EF `001B`).
    #[must_use]
    pub fn sign(password: SignPassword, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AnyVerify::Sign(VerifyMachine::new(
                password, consent, limits,
            ))),
        }
    }

    /// Verifies the 券面事項入力補助AP PIN (EF `0011`).
    #[must_use]
    pub fn assist(pin: AssistPin, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AnyVerify::Assist(VerifyMachine::new(pin, consent, limits))),
        }
    }
}

procedure_wrapper!(VerifyPin, PinStatus);
