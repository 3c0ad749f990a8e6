//! Small procedures: select an application, sign with a key, leave no verified state.

use alloc::vec::Vec;

use super::exchange::{Exchange, Select};
use super::{Error, Machine, Malformed, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::cmd;
use crate::digest::DigestInfo;
use crate::ids::{self, Aid, FileId};
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
    /// Selects `aid`.
    #[must_use]
    pub fn new(aid: Aid) -> Self {
        Self {
            run: Runner::new(Select::application(aid)),
        }
    }
}

procedure_wrapper!(SelectApplication, ());

#[derive(Debug)]
enum SignPhase {
    Select(Select),
    Sign(Exchange),
    Finished,
}

/// SELECT a key EF and COMPUTE DIGITAL SIGNATURE over a DigestInfo.
#[derive(Debug)]
pub(crate) struct SignMachine {
    digest_info: DigestInfo,
    phase: SignPhase,
}

impl SignMachine {
    pub(crate) fn new(key: FileId, digest_info: DigestInfo) -> Self {
        Self {
            digest_info,
            phase: SignPhase::Select(Select::file(key)),
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
                    let exchange = Exchange::new(
                        cmd::compute_digital_signature(&self.digest_info),
                        Operation::Sign,
                    );
                    let step = Step::Send(exchange.command());
                    self.phase = SignPhase::Sign(exchange);
                    Ok(step)
                }
            },
            SignPhase::Sign(exchange) => match exchange.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(r) => {
                    self.phase = SignPhase::Finished;
                    if !r.is_success() {
                        return Err(Error::Card {
                            operation: Operation::Sign,
                            status: r.status(),
                        });
                    }
                    if r.data().len() != SIGNATURE_LEN {
                        return Err(Error::Malformed {
                            operation: Operation::Sign,
                            reason: Malformed::SignatureLength {
                                len: r.data().len(),
                            },
                        });
                    }
                    Ok(Step::Done(r.data().to_vec()))
                }
            },
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
    /// Signs with the authentication key (EF `0017`), after the auth PIN.
    #[must_use]
    pub fn with_auth_key(digest_info: DigestInfo) -> Self {
        Self::with_key(ids::jpki::AUTH_KEY, digest_info)
    }

    /// Signs with the key in `key` (`0017` auth, `001A` signature).
    #[must_use]
    pub fn with_key(key: FileId, digest_info: DigestInfo) -> Self {
        Self {
            run: Runner::new(SignMachine::new(key, digest_info)),
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
    phase: ClearPhase,
}

impl ClearMachine {
    pub(crate) fn new(current: Aid) -> Self {
        Self {
            current,
            phase: ClearPhase::Isd(Exchange::new(
                cmd::select_application(ids::ISD),
                Operation::ClearState,
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
                    let exchange =
                        Exchange::new(cmd::select_application(aid), Operation::ClearState);
                    let step = Step::Send(exchange.command());
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
    /// select a *different* one).
    #[must_use]
    pub fn new(current: Aid) -> Self {
        Self {
            run: Runner::new(ClearMachine::new(current)),
        }
    }
}

procedure_wrapper!(ClearState, Cleared);
