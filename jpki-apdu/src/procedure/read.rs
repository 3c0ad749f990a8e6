//! Reading a whole EF: SELECT it, then READ BINARY until the length is reached.
//!
//! Public fact (card.md, "Reading a certificate"): the total length comes from the DER/BER
//! header (`30 82 LL LL` ⇒ `LL LL + 4`), the card may return fewer bytes than asked, and
//! end of file is `6B00` (some cards `6282`). Public ports read 256-byte chunks (`Le = 00`);
//! an extended-length reader can fetch far more per command.
//!
//! Our design, to spend as few round trips as the reader allows:
//! - with extended length, the first READ BINARY asks for as much as one response may carry
//!   (`ReaderLimits::max_response_data`). ISO 7816-4 lets the card answer the bytes up to
//!   its end of file (with `9000` or `6282`), so a 1,900-byte certificate costs ONE read.
//!   Should a card answer `6700` to that, the procedure falls back to a 256-byte header read
//!   followed by one extended read of exactly the rest, and, if the card refuses extended
//!   Le too, to 256-byte chunks;
//! - without extended length, 256-byte chunks (`Le = 00`), the last one asking for exactly
//!   the bytes left (1,900 bytes: 8 reads);
//! - a short read continues at the new offset; `6Cxx` resends with the right Le and `61xx`
//!   joins GET RESPONSE pieces (see the module docs);
//! - at most [`MAX_EF_LEN`] bytes (the 15-bit offset range): allocation is bounded whatever
//!   the card declares.

use alloc::vec::Vec;
use zeroize::Zeroizing;

use super::exchange::{Exchange, Select};
use super::{Error, Machine, Malformed, Misuse, Operation, Runner, Step, procedure_wrapper};
use crate::command;
use crate::ids::FileId;
use crate::limits::ReaderLimits;
use crate::response::Response;
use crate::status::StatusWord;
use crate::tlv::{Header, TlvErrorKind};

/// The most bytes an EF read can return: READ BINARY offsets have 15 bits.
pub const MAX_EF_LEN: usize = 0x8000;

/// How a [`ReadEf`] knows where the file's content ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadLength {
    /// The file holds one BER-TLV (a DER certificate, `FF 20 …`): read its header and then
    /// exactly the length it declares; padding after it is never read.
    Tlv,
    /// Exactly this many bytes from offset 0 (token info: 32; certificate availability: 3).
    Exact(usize),
}

/// SELECT an EF of the current application and read its content whole.
/// Output: the content (for [`ReadLength::Tlv`], exactly the TLV).
#[derive(Debug)]
pub struct ReadEf {
    run: Runner<ReadMachine>,
}

impl ReadEf {
    /// Reads `file` (selecting it first) with chunking chosen from `limits`.
    #[must_use]
    pub fn new(file: FileId, length: ReadLength, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(ReadMachine::new(file, length, limits)),
        }
    }
}

procedure_wrapper!(ReadEf, Vec<u8>);

#[derive(Debug)]
enum Phase {
    Select(Select),
    Read { exchange: Exchange, ne: u32 },
    Finished,
}

pub(crate) struct ReadMachine {
    file: FileId,
    length: ReadLength,
    limits: ReaderLimits,
    phase: Phase,
    buf: Zeroizing<Vec<u8>>,
    total: Option<usize>,
    /// The card refused an Le beyond its end of file: ask only for what is known to exist.
    overask_failed: bool,
    /// The card refused extended Le: 256-byte chunks only.
    extended_failed: bool,
}

impl core::fmt::Debug for ReadMachine {
    /// The content may be personal data (基本4情報, My Number): only its length is shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReadMachine")
            .field("file", &self.file)
            .field("length", &self.length)
            .field("limits", &self.limits)
            .field("phase", &self.phase)
            .field("buf_len", &self.buf.len())
            .field("total", &self.total)
            .field("overask_failed", &self.overask_failed)
            .field("extended_failed", &self.extended_failed)
            .finish()
    }
}

impl ReadMachine {
    pub(crate) fn new(file: FileId, length: ReadLength, limits: ReaderLimits) -> Self {
        let total = match length {
            ReadLength::Tlv => None,
            ReadLength::Exact(n) => Some(n),
        };
        Self {
            file,
            length,
            limits,
            phase: Phase::Select(Select::file(file, limits)),
            buf: Zeroizing::new(Vec::new()),
            total,
            overask_failed: false,
            extended_failed: false,
        }
    }

    fn operation(&self) -> Operation {
        Operation::ReadBinary {
            file: self.file,
            offset: self.buf.len(),
        }
    }

    fn malformed(&self, reason: Malformed) -> Error {
        Error::Malformed {
            operation: self.operation(),
            reason,
        }
    }

    fn next_ne(&self) -> usize {
        let extended = self.limits.extended_length && !self.extended_failed;
        let max = if extended {
            self.limits.max_response_data()
        } else {
            self.limits.max_response_data().min(256)
        };
        let wanted = match self.total {
            Some(total) => total.saturating_sub(self.buf.len()),
            None if self.overask_failed => 256,
            None => max,
        };
        wanted.min(max).max(1)
    }

    fn next_read(&mut self) -> Result<Step<Vec<u8>>, Error> {
        if self.total.is_some_and(|t| self.buf.len() >= t) {
            return Ok(self.finish());
        }
        let offset = u16::try_from(self.buf.len())
            .ok()
            .filter(|o| *o <= command::MAX_READ_OFFSET)
            .ok_or_else(|| {
                self.malformed(Malformed::FileTooLarge {
                    len: self.buf.len(),
                })
            })?;
        let ne = u32::try_from(self.next_ne()).unwrap_or(256);
        let command =
            command::read_binary(offset, ne).map_err(|e| Error::Misuse(Misuse::Command(e)))?;
        let exchange = Exchange::new(command, self.operation(), self.limits);
        let step = Step::Send(exchange.first()?);
        self.phase = Phase::Read { exchange, ne };
        Ok(step)
    }

    fn finish(&mut self) -> Step<Vec<u8>> {
        self.phase = Phase::Finished;
        if let Some(total) = self.total {
            self.buf.truncate(total);
        }
        Step::Done(core::mem::take(&mut *self.buf))
    }

    /// Without the `my-number` feature, a file whose content is the My Number TLV (tag
    /// `FF10`, EF `0001` of the 券面事項入力補助AP) is refused as soon as its first two bytes
    /// are in, and they are zeroized: this generic procedure must not be a way around the
    /// feature (card.md, legal note). `FF10` starts no other file of the card.
    fn refuse_my_number(&mut self) -> Result<(), Error> {
        if cfg!(feature = "my-number") || !self.buf.starts_with(&[0xFF, 0x10]) {
            return Ok(());
        }
        zeroize::Zeroize::zeroize(&mut *self.buf);
        self.total = None;
        self.phase = Phase::Finished;
        Err(Misuse::MyNumberNeedsFeature.into())
    }

    /// Learns the total length from the TLV header once enough bytes are in.
    fn learn_total(&mut self) -> Result<(), Error> {
        if self.total.is_some() || self.length != ReadLength::Tlv {
            return Ok(());
        }
        match Header::parse(&self.buf) {
            Ok(header) => {
                let total = header.total_len().unwrap_or(usize::MAX);
                if total > MAX_EF_LEN {
                    return Err(self.malformed(Malformed::FileTooLarge { len: total }));
                }
                self.total = Some(total);
                // Room for the whole file at once; growth moves the bytes into a fresh
                // zeroizing buffer and zeroizes the old one (maybe personal data).
                crate::zbuf::reserve_total(&mut self.buf, total);
                Ok(())
            }
            Err(e) if e.kind() == TlvErrorKind::Truncated => Ok(()),
            Err(e) => Err(self.malformed(Malformed::Tlv(e))),
        }
    }

    fn on_read(&mut self, response: &Response, ne: u32) -> Result<Step<Vec<u8>>, Error> {
        let status = response.status();
        match status {
            StatusWord::Success | StatusWord::EndOfFile => {
                let data = response.data();
                let room = self
                    .total
                    .unwrap_or(MAX_EF_LEN)
                    .saturating_sub(self.buf.len());
                let taken = data.get(..room).unwrap_or(data);
                crate::zbuf::extend(&mut self.buf, taken);
                self.refuse_my_number()?;
                self.learn_total()?;
                let eof = status == StatusWord::EndOfFile;
                match self.total {
                    Some(total) if self.buf.len() >= total => return Ok(self.finish()),
                    Some(total) if eof => {
                        return Err(self.malformed(Malformed::FileTruncated {
                            expected: total,
                            got: self.buf.len(),
                        }));
                    }
                    None if eof || self.buf.len() >= MAX_EF_LEN => {
                        return Err(self.malformed(Malformed::FileTruncated {
                            expected: self.buf.len().saturating_add(1),
                            got: self.buf.len(),
                        }));
                    }
                    _ => {}
                }
                if data.is_empty() {
                    return Err(self.malformed(Malformed::NoProgress));
                }
                self.next_read()
            }
            // Offset at or beyond the end of the EF.
            StatusWord::WrongP1P2 => Err(self.malformed(Malformed::FileTruncated {
                expected: self
                    .total
                    .unwrap_or_else(|| self.buf.len().saturating_add(1)),
                got: self.buf.len(),
            })),
            // The card refused a long Le: retry more modestly (at most twice in all).
            StatusWord::WrongLength if ne > 256 => {
                if self.total.is_none() && !self.overask_failed {
                    self.overask_failed = true;
                } else if !self.extended_failed {
                    self.extended_failed = true;
                } else {
                    return Err(Error::Card {
                        operation: self.operation(),
                        status,
                    });
                }
                self.next_read()
            }
            status => Err(Error::Card {
                operation: self.operation(),
                status,
            }),
        }
    }
}

impl Machine for ReadMachine {
    type Output = Vec<u8>;

    fn step(&mut self, response: Option<Response>) -> Result<Step<Vec<u8>>, Error> {
        match &mut self.phase {
            // An exact length beyond the 15-bit offset range is the caller's mistake: refuse
            // it before anything is sent (not after a useless SELECT).
            Phase::Select(_)
                if response.is_none() && self.total.is_some_and(|t| t > MAX_EF_LEN) =>
            {
                let len = self.total.unwrap_or(0);
                self.phase = Phase::Finished;
                Err(Error::Misuse(Misuse::Command(
                    crate::command::CommandError::OffsetOutOfRange { offset: len },
                )))
            }
            Phase::Select(select) => match select.step(response)? {
                Step::Send(c) => Ok(Step::Send(c)),
                Step::Done(()) => self.next_read(),
            },
            Phase::Read { exchange, ne } => {
                let ne = *ne;
                match exchange.step(response)? {
                    Step::Send(c) => Ok(Step::Send(c)),
                    Step::Done(r) => self.on_read(&r, ne),
                }
            }
            Phase::Finished => Err(Misuse::Finished.into()),
        }
    }
}
