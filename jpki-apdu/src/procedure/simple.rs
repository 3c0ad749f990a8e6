//! Small procedures: select an application, sign with a key, leave no verified state.

use alloc::vec::Vec;

use super::exchange::{Exchange, Select};
use super::{Error, Machine, Malformed, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::command;
use crate::digest::DigestInfo;
use crate::ids::{self, Aid, FileId};
use crate::limits::ReaderLimits;
use crate::response::Response;
use crate::status::StatusWord;

/// RSA-2048 signature length: what COMPUTE DIGITAL SIGNATURE returns (card.md).
pub(crate) const SIGNATURE_LEN: usize = 256;

/// SELECT an application by full AID; `9000` required. Selecting [`ids::JPKI_AP`]
/// successfully is how a My Number Card is recognised (never by ATR); `6A82` means the
/// card does not hold it.
#[derive(Debug)]
pub struct SelectApplication {
    run: Runner<Select>,
}

impl SelectApplication {
    /// Selects `aid` over a reader with `limits`.
    #[must_use]
    pub fn new(aid: Aid, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(Select::application(aid, limits)),
        }
    }
}

procedure_wrapper!(SelectApplication, ());

/// COMPUTE DIGITAL SIGNATURE over a DigestInfo with the key EF selected before, and the
/// check of its answer (`9000` and exactly [`SIGNATURE_LEN`] bytes).
#[derive(Debug)]
pub(crate) struct SignExchange {
    exchange: Exchange,
}

impl SignExchange {
    pub(crate) fn new(digest_info: &DigestInfo, limits: ReaderLimits) -> Self {
        Self {
            exchange: Exchange::new(
                command::compute_digital_signature(digest_info),
                Operation::Sign,
                limits,
            ),
        }
    }
}

impl Machine for SignExchange {
    type Output = Vec<u8>;

    fn step(&mut self, response: Option<Response>) -> Result<Step<Vec<u8>>, Error> {
        match self.exchange.step(response)? {
            Step::Send(c) => Ok(Step::Send(c)),
            Step::Done(r) if !r.is_success() => Err(Error::Card {
                operation: Operation::Sign,
                status: r.status(),
            }),
            Step::Done(r) if r.data().len() != SIGNATURE_LEN => Err(Error::Malformed {
                operation: Operation::Sign,
                reason: Malformed::SignatureLength {
                    len: r.data().len(),
                },
            }),
            Step::Done(r) => Ok(Step::Done(r.data().to_vec())),
        }
    }
}

#[derive(Debug)]
enum SignPhase {
    Select(Select),
    Sign(SignExchange),
    Finished,
}

/// SELECT a key EF and COMPUTE DIGITAL SIGNATURE over a DigestInfo.
#[derive(Debug)]
pub(crate) struct SignMachine {
    digest_info: DigestInfo,
    limits: ReaderLimits,
    phase: SignPhase,
}

impl SignMachine {
    pub(crate) fn new(key: FileId, digest_info: DigestInfo, limits: ReaderLimits) -> Self {
        Self {
            digest_info,
            limits,
            phase: SignPhase::Select(Select::file(key, limits)),
        }
    }
}

impl Machine for SignMachine {
    type Output = Vec<u8>;

    fn step(&mut self, response: Option<Response>) -> Result<Step<Vec<u8>>, Error> {
        match &mut self.phase {
            SignPhase::Select(select) => match select.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(()) => {
                    let mut sign = SignExchange::new(&self.digest_info, self.limits);
                    let step = sign.step(None)?;
                    self.phase = SignPhase::Sign(sign);
                    Ok(step)
                }
            },
            SignPhase::Sign(sign) => {
                let step = sign.step(response);
                if !matches!(step, Ok(Step::Send(_))) {
                    self.phase = SignPhase::Finished;
                }
                step
            }
            SignPhase::Finished => Err(Misuse::Finished.into()),
        }
    }
}

/// SELECT a key EF and sign a DigestInfo with it (`80 2A 00 80`). Output: the 256-byte
/// RSA PKCS#1 v1.5 signature. The key's PIN must have been verified in this security state,
/// or the card answers `6982` ([`Error::Card`]).
#[derive(Debug)]
pub struct Sign {
    run: Runner<SignMachine>,
}

impl Sign {
    /// Signs with the authentication key (EF `0017`), after the auth PIN, over a reader
    /// with `limits`.
    #[must_use]
    pub fn with_auth_key(digest_info: DigestInfo, limits: ReaderLimits) -> Self {
        Self::with_key(ids::jpki::AUTH_KEY, digest_info, limits)
    }

    /// Signs with the key in `key` (`0017` auth, `001A` signature), over a reader with
    /// `limits`. A reader that carries fewer than 256 response bytes gets the signature in
    /// pieces (Le capped at what it carries, then GET RESPONSE).
    #[must_use]
    pub fn with_key(key: FileId, digest_info: DigestInfo, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(SignMachine::new(key, digest_info, limits)),
        }
    }
}

procedure_wrapper!(Sign, Vec<u8>);

/// How [`ClearState`] cleared the verified state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cleared {
    /// The ISD answered `9000` to SELECT.
    IsdSelected,
    /// The ISD was not found (`6A82`); another application was selected instead.
    OtherApplicationSelected(Aid),
}

#[derive(Debug)]
enum ClearPhase {
    Isd(Exchange),
    Other { exchange: Exchange, aid: Aid },
    Finished,
}

#[derive(Debug)]
pub(crate) struct ClearMachine {
    current: Aid,
    limits: ReaderLimits,
    phase: ClearPhase,
}

impl ClearMachine {
    pub(crate) fn new(current: Aid, limits: ReaderLimits) -> Self {
        Self {
            current,
            limits,
            phase: ClearPhase::Isd(Exchange::new(
                command::select_application(ids::ISD),
                Operation::ClearState,
                limits,
            )),
        }
    }
}

impl Machine for ClearMachine {
    type Output = Cleared;

    fn step(&mut self, response: Option<Response>) -> Result<Step<Cleared>, Error> {
        match &mut self.phase {
            ClearPhase::Isd(exchange) => match exchange.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(r) if r.is_success() => {
                    self.phase = ClearPhase::Finished;
                    Ok(Step::Done(Cleared::IsdSelected))
                }
                Step::Done(r) if r.status() == StatusWord::FileNotFound => {
                    let aid = if self.current == ids::JPKI_AP {
                        ids::ASSIST_AP
                    } else {
                        ids::JPKI_AP
                    };
                    let exchange = Exchange::new(
                        command::select_application(aid),
                        Operation::ClearState,
                        self.limits,
                    );
                    let step = Step::Send(exchange.first()?);
                    self.phase = ClearPhase::Other { exchange, aid };
                    Ok(step)
                }
                Step::Done(r) => Err(Error::Card {
                    operation: Operation::ClearState,
                    status: r.status(),
                }),
            },
            ClearPhase::Other { exchange, aid } => {
                let aid = *aid;
                match exchange.step(response)? {
                    Step::Send(c) => Ok(Step::Send(c)),
                    Step::Done(r) if r.is_success() => {
                        self.phase = ClearPhase::Finished;
                        Ok(Step::Done(Cleared::OtherApplicationSelected(aid)))
                    }
                    Step::Done(r) => Err(Error::Card {
                        operation: Operation::ClearState,
                        status: r.status(),
                    }),
                }
            }
            ClearPhase::Finished => Err(Misuse::Finished.into()),
        }
    }
}

/// Leaves no verified PIN behind: SELECT the ISD `A0 00 00 01 51 00 00`.
///
/// card.md (public fact): the verified state is cleared by powering down, by selecting a
/// *different* application, or by selecting the ISD; re-selecting the same application
/// keeps it. Our decision on the ISD's answer:
/// - `9000`: cleared ([`Cleared::IsdSelected`], one APDU, the normal case);
/// - `6A82`: the card holds no selectable ISD, so nothing proves the state changed. We then
///   select another application the card does hold (the 券面事項入力補助AP after the JPKI
///   AP, or the JPKI AP after any other), which clears it by the rule above
///   ([`Cleared::OtherApplicationSelected`]);
/// - anything else, or a failing second SELECT: [`Error::Card`] with
///   [`Operation::ClearState`], whose message tells the operator to power the card down.
#[derive(Debug)]
pub struct ClearState {
    run: Runner<ClearMachine>,
}

impl ClearState {
    /// Clears the state; `current` is the application that was in use (the fallback must
    /// select a *different* one), over a reader with `limits`.
    #[must_use]
    pub fn new(current: Aid, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(ClearMachine::new(current, limits)),
        }
    }
}

procedure_wrapper!(ClearState, Cleared);
