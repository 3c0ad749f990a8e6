//! One command and its transport-level follow-ups: `61xx` → GET RESPONSE (joined), `6Cxx`
//! → the command that drew it (the original one, or the GET RESPONSE) again with Le = `xx`
//! (once). Public fact: ISO 7816-4 and card.md, "Transport-level status words".

use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::{Error, Machine, Malformed, Misuse, Operation, Step};
use crate::command::{self, Command, CommandError};
use crate::limits::ReaderLimits;
use crate::response::Response;
use crate::status::StatusWord;

/// Most data a `61xx` chain may add up to: one extended response and a bit.
const MAX_CHAIN_DATA: usize = 65_536 + 256;
/// Most GET RESPONSE commands after one command.
const MAX_GET_RESPONSES: u16 = 300;

/// Sends one command; finishes with the joined response whatever its final status.
///
/// Every exchange knows the reader's [`ReaderLimits`] (our design, issue 10 item 3): the
/// first command's Le is capped at what one response may carry, a command the reader
/// cannot carry at all is refused before it is sent ([`Misuse::Command`]), and a GET
/// RESPONSE or a `6Cxx` resend never asks for more than the reader carries, whatever Le the
/// card names (the rest comes in the next `61xx` round).
pub(crate) struct Exchange {
    command: Command,
    /// The command sent last (the original one, or the GET RESPONSE that followed a
    /// `61xx`): a `6Cxx` answers this one, so this is the one resent.
    last: Command,
    operation: Operation,
    data: Zeroizing<Vec<u8>>,
    get_responses: u16,
    resent: bool,
    /// Most response data the reader carries (`limits.max_response_data()`, at least 1).
    max_ne: u32,
    /// Why the reader cannot carry the first command, found when it was built.
    refused: Option<CommandError>,
}

impl core::fmt::Debug for Exchange {
    /// The joined data may be personal data: only its length is shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Exchange")
            .field("command", &self.command)
            .field("last", &self.last)
            .field("operation", &self.operation)
            .field("data_len", &self.data.len())
            .field("get_responses", &self.get_responses)
            .field("resent", &self.resent)
            .field("max_ne", &self.max_ne)
            .field("refused", &self.refused)
            .finish()
    }
}

impl Exchange {
    /// An exchange of `command` over a reader with `limits`. A command whose Ne exceeds
    /// `limits.max_response_data()` asks for that much instead (the card then answers
    /// `61xx` for the rest); a command still too long for the reader fails on the first
    /// step with [`Misuse::Command`], before anything is sent.
    pub(crate) fn new(command: Command, operation: Operation, limits: ReaderLimits) -> Self {
        let max_ne = u32::try_from(limits.max_response_data())
            .unwrap_or(65_536)
            .clamp(1, 65_536);
        let command = match command.ne() {
            Some(ne) if ne > max_ne => command.with_ne(max_ne).unwrap_or(command),
            _ => command,
        };
        let refused = command.check_limits(&limits).err();
        Self {
            last: command.clone(),
            command,
            operation,
            data: Zeroizing::new(Vec::new()),
            get_responses: 0,
            resent: false,
            max_ne,
            refused,
        }
    }

    /// Ne for a follow-up command the card asked for with `xx` (`00` = 256), capped.
    fn follow_up_ne(&self, xx: u8) -> u32 {
        let asked = if xx == 0 { 256 } else { u32::from(xx) };
        asked.min(self.max_ne)
    }

    /// The command to send first, or why the reader cannot carry it.
    pub(crate) fn first(&self) -> Result<Command, Error> {
        match self.refused {
            Some(e) => Err(Error::Misuse(Misuse::Command(e))),
            None => Ok(self.command.clone()),
        }
    }

    /// The operation this exchange runs, for error reports.
    pub(crate) fn operation(&self) -> Operation {
        self.operation
    }
}

impl Machine for Exchange {
    type Output = Response;

    fn step(&mut self, response: Option<Response>) -> Result<Step<Response>, Error> {
        let Some(response) = response else {
            return self.first().map(Step::Send);
        };
        match response.status() {
            StatusWord::MoreData(xx) => {
                self.get_responses = self.get_responses.saturating_add(1);
                let total = self.data.len().saturating_add(response.data().len());
                if total > MAX_CHAIN_DATA || self.get_responses > MAX_GET_RESPONSES {
                    return Err(Error::Malformed {
                        operation: Operation::GetResponse,
                        reason: Malformed::EndlessResponse,
                    });
                }
                crate::zbuf::extend(&mut self.data, response.data());
                // Ne ≤ 256 here, so it fits the u8 of GET RESPONSE (256 is sent as 00).
                let le = u8::try_from(self.follow_up_ne(xx)).unwrap_or(0);
                self.last = command::get_response(le);
                Ok(Step::Send(self.last.clone()))
            }
            // `6Cxx` answers the command sent last: after a `61xx` that is the GET RESPONSE,
            // and resending the original command would run it a second time. A command
            // without Le (VERIFY with a PIN among them) is never resent.
            StatusWord::WrongLe(xx) if !self.resent && self.last.ne().is_some() => {
                self.resent = true;
                let ne = self.follow_up_ne(xx);
                self.last = self
                    .last
                    .with_ne(ne)
                    .map_err(|e| Error::Misuse(Misuse::Command(e)))?;
                Ok(Step::Send(self.last.clone()))
            }
            status => {
                if self.data.is_empty() {
                    return Ok(Step::Done(response));
                }
                crate::zbuf::extend(&mut self.data, response.data());
                Ok(Step::Done(Response::new(&self.data, status)))
            }
        }
    }
}

/// SELECT (application or file) that must answer `9000`.
#[derive(Debug)]
pub(crate) struct Select {
    exchange: Exchange,
}

impl Select {
    pub(crate) fn application(aid: crate::ids::Aid, limits: ReaderLimits) -> Self {
        Self {
            exchange: Exchange::new(
                command::select_application(aid),
                Operation::SelectApplication(aid),
                limits,
            ),
        }
    }

    pub(crate) fn file(fid: crate::ids::FileId, limits: ReaderLimits) -> Self {
        Self {
            exchange: Exchange::new(
                command::select_file(fid),
                Operation::SelectFile(fid),
                limits,
            ),
        }
    }
}

impl Machine for Select {
    type Output = ();

    fn step(&mut self, response: Option<Response>) -> Result<Step<()>, Error> {
        match self.exchange.step(response)? {
            Step::Send(c) => Ok(Step::Send(c)),
            Step::Done(r) if r.is_success() => Ok(Step::Done(())),
            Step::Done(r) => Err(Error::Card {
                operation: self.exchange.operation(),
                status: r.status(),
            }),
        }
    }
}
