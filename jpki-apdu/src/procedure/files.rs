//! Reading and parsing the small files: token info and certificate availability (JPKI AP,
//! free to read), 基本4情報 (券面事項入力補助AP, behind its PIN), and — only with the
//! `my-number` feature — the My Number.

use super::exchange::Select;
use super::pin::VerifyMachine;
use super::read::ReadMachine;
use super::simple::ClearMachine;
use super::{
    Error, LastTry, Machine, Malformed, Misuse, Operation, ReadLength, Runner, Step,
    procedure_wrapper,
};
use crate::content::{BasicInfo, CertAvailability, ContentError, TokenInfo};
use crate::ids::{self, FileId, assist, jpki};
use crate::limits::ReaderLimits;
use crate::pin::AssistPin;
use crate::response::Response;

type Parser<T> = fn(&[u8]) -> Result<T, ContentError>;

fn content_error(file: FileId, e: ContentError) -> Error {
    Error::Malformed {
        operation: Operation::ReadBinary { file, offset: 0 },
        reason: Malformed::Content(e),
    }
}

/// Reads one EF and parses it.
#[derive(Debug)]
pub(crate) struct ParsedRead<T> {
    file: FileId,
    read: ReadMachine,
    parse: Parser<T>,
}

impl<T> ParsedRead<T> {
    fn new(file: FileId, length: ReadLength, limits: ReaderLimits, parse: Parser<T>) -> Self {
        Self {
            file,
            read: ReadMachine::new(file, length, limits),
            parse,
        }
    }
}

impl<T> Machine for ParsedRead<T> {
    type Output = T;
    fn step(&mut self, response: Option<Response>) -> Result<Step<T>, Error> {
        match self.read.step(response)? {
            Step::Send(c) => Ok(Step::Send(c)),
            Step::Done(bytes) => {
                let mut bytes = zeroize::Zeroizing::new(bytes);
                let parsed = (self.parse)(&bytes).map_err(|e| content_error(self.file, e));
                zeroize::Zeroize::zeroize(&mut *bytes);
                parsed.map(Step::Done)
            }
        }
    }
}

/// Reads the token-info label (JPKI EF `0006`, first 32 bytes) of the JPKI AP selected
/// before. Output: [`TokenInfo`] (physical card, Android or iOS token, …).
#[derive(Debug)]
pub struct ReadTokenInfo {
    run: Runner<ParsedRead<TokenInfo>>,
}

impl ReadTokenInfo {
    /// With chunking from `limits` (32 bytes fit any reader).
    #[must_use]
    pub fn new(limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(ParsedRead::new(
                jpki::TOKEN_INFO,
                ReadLength::Exact(TokenInfo::LABEL_LEN),
                limits,
                TokenInfo::parse,
            )),
        }
    }
}

procedure_wrapper!(ReadTokenInfo, TokenInfo);

/// Reads which certificates exist (JPKI EF `0008`, 3 bytes) in the JPKI AP selected before.
#[derive(Debug)]
pub struct ReadCertAvailability {
    run: Runner<ParsedRead<CertAvailability>>,
}

impl ReadCertAvailability {
    /// With chunking from `limits`.
    #[must_use]
    pub fn new(limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(ParsedRead::new(
                jpki::CERT_AVAILABILITY,
                ReadLength::Exact(CertAvailability::LEN),
                limits,
                CertAvailability::parse,
            )),
        }
    }
}

procedure_wrapper!(ReadCertAvailability, CertAvailability);

#[derive(Debug)]
enum AssistPhase<T> {
    SelectAp(Select),
    Verify(VerifyMachine<AssistPin>),
    Read(ParsedRead<T>),
    Clear {
        machine: ClearMachine,
        outcome: Option<Result<T, Error>>,
    },
    Finished,
}

/// SELECT 券面事項入力補助AP, verify its PIN, read and parse one EF, clear the state.
#[derive(Debug)]
pub(crate) struct AssistRead<T> {
    file: FileId,
    length: ReadLength,
    limits: ReaderLimits,
    parse: Parser<T>,
    pin: Option<AssistPin>,
    consent: LastTry,
    phase: AssistPhase<T>,
}

impl<T> AssistRead<T> {
    fn new(
        file: FileId,
        parse: Parser<T>,
        pin: AssistPin,
        consent: LastTry,
        limits: ReaderLimits,
    ) -> Self {
        Self {
            file,
            length: ReadLength::Tlv,
            limits,
            parse,
            pin: Some(pin),
            consent,
            phase: AssistPhase::SelectAp(Select::application(ids::ASSIST_AP, limits)),
        }
    }

    fn goto(&mut self, phase: AssistPhase<T>) -> Result<Step<T>, Error> {
        self.phase = phase;
        self.advance(None)
    }

    fn clear(&mut self, outcome: Result<T, Error>) -> Result<Step<T>, Error> {
        self.goto(AssistPhase::Clear {
            machine: ClearMachine::new(ids::ASSIST_AP, self.limits),
            outcome: Some(outcome),
        })
    }

    fn advance(&mut self, response: Option<Response>) -> Result<Step<T>, Error> {
        match &mut self.phase {
            AssistPhase::SelectAp(m) => match m.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(())) => {
                    let pin = self.pin.take().ok_or(Error::Misuse(Misuse::Finished))?;
                    let verify = VerifyMachine::new(pin, self.consent, self.limits);
                    self.goto(AssistPhase::Verify(verify))
                }
                Err(e) => {
                    self.phase = AssistPhase::Finished;
                    Err(e)
                }
            },
            AssistPhase::Verify(m) => match m.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(_)) => {
                    let read = ParsedRead::new(self.file, self.length, self.limits, self.parse);
                    self.goto(AssistPhase::Read(read))
                }
                Err(e) => self.clear(Err(e)),
            },
            AssistPhase::Read(m) => match m.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(value)) => self.clear(Ok(value)),
                Err(e) => self.clear(Err(e)),
            },
            AssistPhase::Clear { machine, outcome } => match machine.step(response) {
                Ok(Step::Send(c)) => Ok(Step::Send(c)),
                Ok(Step::Done(_)) => {
                    let outcome = outcome.take();
                    self.phase = AssistPhase::Finished;
                    outcome
                        .unwrap_or(Err(Error::Misuse(Misuse::Finished)))
                        .map(Step::Done)
                }
                Err(e) => {
                    self.phase = AssistPhase::Finished;
                    Err(e)
                }
            },
            AssistPhase::Finished => Err(Misuse::Finished.into()),
        }
    }
}

impl<T> Machine for AssistRead<T> {
    type Output = T;
    fn step(&mut self, response: Option<Response>) -> Result<Step<T>, Error> {
        self.advance(response)
    }
}

/// Reads the 基本4情報 (name, address, birth date, sex): SELECT the 券面事項入力補助AP,
/// verify its PIN (retry query first, same rules as [`super::VerifyPin`]), read EF `0002`,
/// and clear the verified state (also after a failure). Output: [`BasicInfo`].
#[derive(Debug)]
pub struct ReadBasicInfo {
    run: Runner<AssistRead<BasicInfo>>,
}

impl ReadBasicInfo {
    /// With the 券面事項入力補助AP PIN, the last-try decision and the reader's limits.
    #[must_use]
    pub fn new(pin: AssistPin, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AssistRead::new(
                assist::BASIC_INFO,
                BasicInfo::parse,
                pin,
                consent,
                limits,
            )),
        }
    }
}

procedure_wrapper!(ReadBasicInfo, BasicInfo);

/// Reads the My Number (EF `0001` of the 券面事項入力補助AP) — only with the `my-number`
/// feature. **A checkup institution has no legal ground to collect it** (card.md); this is
/// never part of the qualification flow. Same sequence as [`ReadBasicInfo`]. The raw bytes
/// are zeroized once parsed. Output: [`crate::my_number::MyNumber`].
#[cfg(feature = "my-number")]
#[derive(Debug)]
pub struct ReadMyNumber {
    run: Runner<AssistRead<crate::my_number::MyNumber>>,
}

#[cfg(feature = "my-number")]
impl ReadMyNumber {
    /// With the 券面事項入力補助AP PIN, the last-try decision and the reader's limits.
    #[must_use]
    pub fn new(pin: AssistPin, consent: LastTry, limits: ReaderLimits) -> Self {
        Self {
            run: Runner::new(AssistRead::new(
                assist::MY_NUMBER,
                crate::my_number::MyNumber::parse,
                pin,
                consent,
                limits,
            )),
        }
    }
}

#[cfg(feature = "my-number")]
procedure_wrapper!(ReadMyNumber, crate::my_number::MyNumber);
