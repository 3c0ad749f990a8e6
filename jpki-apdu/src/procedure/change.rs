//! Changing a PIN: VERIFY the current one (with every rule of [`super::VerifyPin`]), then
//! CHANGE REFERENCE DATA `00 24 01 80 Lc <new PIN>` (card.md: "after a successful VERIFY").

use super::exchange::Exchange;
use super::pin::VerifyMachine;
use super::{Error, LastTry, Machine, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::command;
use crate::limits::ReaderLimits;
use crate::pin::{AssistPin, AuthPin, Pin, SignPassword};
use crate::response::Response;

#[derive(Debug)]
enum Phase<P> {
    Verify {
        machine: VerifyMachine<P>,
        new: P,
        limits: ReaderLimits,
    },
    Change(Exchange),
    Finished,
}

#[derive(Debug)]
pub(crate) struct ChangeMachine<P> {
    phase: Phase<P>,
}

impl<P: Pin> Machine for ChangeMachine<P> {
    type Output = ();

    fn step(&mut self, response: Option<Response>) -> Result<Step<()>, Error> {
        match &mut self.phase {
            Phase::Verify { machine, .. } => match machine.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(_) => {
                    let Phase::Verify { new, limits, .. } =
                        core::mem::replace(&mut self.phase, Phase::Finished)
                    else {
                        return Err(Misuse::Finished.into());
                    };
                    // `new` is dropped (zeroized) here; the command keeps a zeroizing copy.
                    let exchange = Exchange::new(
                        command::change_reference_data(&new),
                        Operation::ChangeReferenceData,
                        limits,
                    );
                    let step = Step::Send(exchange.first()?);
                    self.phase = Phase::Change(exchange);
                    Ok(step)
                }
            },
            Phase::Change(exchange) => match exchange.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(r) => {
                    self.phase = Phase::Finished;
                    if r.is_success() {
                        Ok(Step::Done(()))
                    } else {
                        Err(Error::Card {
                            operation: Operation::ChangeReferenceData,
                            status: r.status(),
                        })
                    }
                }
            },
            Phase::Finished => Err(Misuse::Finished.into()),
        }
    }
}

fn machine<P: Pin>(current: P, new: P, consent: LastTry, limits: ReaderLimits) -> ChangeMachine<P> {
    ChangeMachine {
        phase: Phase::Verify {
            machine: VerifyMachine::new(current, consent, limits),
            new,
            limits,
        },
    }
}

#[derive(Debug)]
enum AnyChange {
    Auth(ChangeMachine<AuthPin>),
    Sign(ChangeMachine<SignPassword>),
    Assist(ChangeMachine<AssistPin>),
}

impl Machine for AnyChange {
    type Output = ();
    fn step(&mut self, response: Option<Response>) -> Result<Step<()>, Error> {
        match self {
            Self::Auth(m) => m.step(response),
            Self::Sign(m) => m.step(response),
            Self::Assist(m) => m.step(response),
        }
    }
}

/// SELECT the PIN EF, query the retry counter, VERIFY the current PIN once, then CHANGE
/// REFERENCE DATA to the new one. The new PIN has the same type as the current one, so its
/// format is already checked. The verified state remains afterwards: run
/// [`super::ClearState`] when done. Every command fits the reader's [`ReaderLimits`].
#[derive(Debug)]
pub struct ChangePin {
    run: Runner<AnyChange>,
}

impl ChangePin {
    /// Changes the JPKI authentication PIN (EF `0018`).
    #[must_use]
    pub fn auth(current: AuthPin, new: AuthPin, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AnyChange::Auth(machine(current, new, consent, limits))),
        }
    }

    /// Changes the JPKI signature password (EF `001B`).
    #[must_use]
    pub fn sign(
        current: SignPassword,
        new: SignPassword,
        consent: LastTry,
        limits: ReaderLimits,
    ) -> Self {
        Self {
            run: Runner::new(AnyChange::Sign(machine(current, new, consent, limits))),
        }
    }

    /// Changes the 券面事項入力補助AP PIN (EF `0011`).
    #[must_use]
    pub fn assist(
        current: AssistPin,
        new: AssistPin,
        consent: LastTry,
        limits: ReaderLimits,
    ) -> Self {
        Self {
            run: Runner::new(AnyChange::Assist(machine(current, new, consent, limits))),
        }
    }
}

procedure_wrapper!(ChangePin, ());
