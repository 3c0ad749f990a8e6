//! Sans-I/O procedures: state machines that yield the next command and take the card's
//! response until they are done (the quinn-proto shape, style.md rule 2).
//!
//! Every procedure implements [`Procedure`]:
//! - [`Procedure::poll`] (output) returns [`Step::Send`] with the next command, or
//!   [`Step::Done`] with the result, or the error that ended it;
//! - [`Procedure::handle`] (input) gives it the response to the command it just returned.
//!
//! Call `poll`, send the command, `handle` the answer, `poll` again, until `Done`. The
//! procedures never do I/O and never look at a clock; [`drive`] runs one over any
//! `FnMut(&[u8]) -> Result<Vec<u8>, E>` transport.
//!
//! [`PinModeCheck`] is the one procedure that also hands control back to its caller for the
//! PIN and the digest; it has its own `poll` returning a [`CheckStep`], and
//! [`PinModeCheck::up_front`] makes it a [`Procedure`] when both are known at the start.
//!
//! Every procedure takes the reader's [`crate::ReaderLimits`]: no command, GET RESPONSE or
//! `6Cxx` resend asks the reader for more than it carries.
//!
//! Transport-level status words are handled inside every procedure (card.md): `61xx` is
//! followed by GET RESPONSE and the pieces are joined; `6Cxx` resends the command it
//! answered (the original one, or the GET RESPONSE) with Le = `xx`, once. A command without
//! Le, such as VERIFY with its PIN, is never resent.

use alloc::vec::Vec;
use core::fmt;

use crate::command::Command;
use crate::response::{Response, ResponseParseError};

mod change;
mod check;
mod error;
mod exchange;
mod files;
mod pin;
mod pin_mode;
mod read;
mod simple;

pub use change::ChangePin;
pub use check::{CheckStep, PinModeEvidence};
pub use error::{Error, Malformed, Misuse, Operation};
#[cfg(feature = "my-number")]
pub use files::ReadMyNumber;
pub use files::{ReadBasicInfo, ReadCertAvailability, ReadTokenInfo};
pub use pin::{LastTry, PinStatus, QueryPinStatus, VerifyPin};
pub use pin_mode::{PinModeCheck, UpFrontCheck};
pub use read::{MAX_EF_LEN, ReadEf, ReadLength};
pub use simple::{ClearState, Cleared, SelectApplication, Sign};

/// What a procedure wants next.
#[derive(Debug)]
pub enum Step<T> {
    /// Send this command to the card, then [`Procedure::handle`] its response.
    Send(Command),
    /// The procedure is finished; here is its result.
    Done(T),
}

/// A sans-I/O card procedure.
pub trait Procedure {
    /// What the procedure produces.
    type Output;

    /// The next command to send, or the result. Returns the result once; polling again
    /// after `Done` or after an error is [`Misuse::Finished`]; polling while a response is
    /// due is [`Misuse::ResponsePending`].
    ///
    /// # Errors
    /// The [`Error`] that ended the procedure.
    fn poll(&mut self) -> Result<Step<Self::Output>, Error>;

    /// The response to the command the last `poll` returned.
    ///
    /// # Errors
    /// [`Misuse::UnexpectedResponse`] when no command is outstanding.
    fn handle(&mut self, response: Response) -> Result<(), Error>;
}

/// The inside of a procedure: called with `None` to start, then with the response to
/// each command it returned.
pub(crate) trait Machine {
    type Output;
    fn step(&mut self, response: Option<Response>) -> Result<Step<Self::Output>, Error>;
}

/// The poll/handle bookkeeping shared by every public procedure.
#[derive(Debug)]
pub(crate) struct Runner<M> {
    machine: M,
    state: RunState,
}

#[derive(Debug)]
enum RunState {
    Start,
    Awaiting,
    Answered(Response),
    Finished,
}

impl<M: Machine> Runner<M> {
    pub(crate) fn new(machine: M) -> Self {
        Self {
            machine,
            state: RunState::Start,
        }
    }

    pub(crate) fn poll(&mut self) -> Result<Step<M::Output>, Error> {
        let input = match core::mem::replace(&mut self.state, RunState::Finished) {
            RunState::Start => None,
            RunState::Answered(response) => Some(response),
            RunState::Awaiting => {
                self.state = RunState::Awaiting;
                return Err(Misuse::ResponsePending.into());
            }
            RunState::Finished => return Err(Misuse::Finished.into()),
        };
        let step = self.machine.step(input)?;
        if matches!(step, Step::Send(_)) {
            self.state = RunState::Awaiting;
        }
        Ok(step)
    }

    pub(crate) fn handle(&mut self, response: Response) -> Result<(), Error> {
        match self.state {
            RunState::Awaiting => {
                self.state = RunState::Answered(response);
                Ok(())
            }
            _ => Err(Misuse::UnexpectedResponse.into()),
        }
    }
}

/// Implements [`Procedure`] for a public wrapper `struct Name { run: Runner<Machine> }`.
macro_rules! procedure_wrapper {
    ($name:ident, $output:ty) => {
        impl $crate::procedure::Procedure for $name {
            type Output = $output;
            fn poll(
                &mut self,
            ) -> Result<$crate::procedure::Step<$output>, $crate::procedure::Error> {
                self.run.poll()
            }
            fn handle(
                &mut self,
                response: $crate::response::Response,
            ) -> Result<(), $crate::procedure::Error> {
                self.run.handle(response)
            }
        }
    };
}
pub(crate) use procedure_wrapper;

/// Runs `procedure` to the end over `transceive`, which sends command bytes to the card and
/// returns the response bytes (data + SW1 SW2). No I/O of its own: the closure is the
/// transport (a PC/SC handle, an NFC callback, a virtual card, a test script).
///
/// The command buffer handed to `transceive` is zeroized after each call (it may carry a
/// PIN), and so is the response buffer it returns (it may carry personal data) once its
/// bytes are copied into the zeroizing [`Response`].
///
/// # Errors
/// [`DriveError::Transport`] with the closure's error, [`DriveError::Response`] for fewer
/// than two response bytes, [`DriveError::Procedure`] for everything the procedure reports.
///
/// After `Transport` or `Response` the procedure was abandoned mid-way, before it could
/// run its own clean-up: a PIN verified by it may still be verified. Power the card down,
/// or run [`ClearState`] once the link works again. (`Procedure` errors have already
/// cleared the state where the procedure promises to.)
pub fn drive<P, F, E>(mut procedure: P, mut transceive: F) -> Result<P::Output, DriveError<E>>
where
    P: Procedure,
    F: FnMut(&[u8]) -> Result<Vec<u8>, E>,
{
    loop {
        match procedure.poll().map_err(DriveError::Procedure)? {
            Step::Done(output) => return Ok(output),
            Step::Send(command) => {
                let bytes = command.to_bytes();
                let answer =
                    zeroize::Zeroizing::new(transceive(&bytes).map_err(DriveError::Transport)?);
                let response = Response::parse(&answer).map_err(DriveError::Response)?;
                procedure.handle(response).map_err(DriveError::Procedure)?;
            }
        }
    }
}

/// Why [`drive`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriveError<E> {
    /// The transport failed (reader removed, NFC tag lost, …): transport at fault.
    Transport(E),
    /// The response bytes are not a response APDU: card or reader at fault.
    Response(ResponseParseError),
    /// The procedure failed.
    Procedure(Error),
}

impl<E: fmt::Display> fmt::Display for DriveError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport failed: {e}"),
            Self::Response(e) => write!(f, "{e}"),
            Self::Procedure(e) => write!(f, "{e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for DriveError<E> {}
