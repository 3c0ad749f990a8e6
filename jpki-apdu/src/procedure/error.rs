//! What can go wrong in a procedure, and who is at fault.

use core::fmt;

use crate::command::CommandError;
use crate::content::ContentError;
use crate::ids::{Aid, FileId};
use crate::response::ResponseParseError;
use crate::status::StatusWord;
use crate::tlv::TlvError;

/// The command a procedure was running when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// SELECT of an application.
    SelectApplication(Aid),
    /// SELECT of an elementary file.
    SelectFile(FileId),
    /// READ BINARY of an EF at an offset.
    ReadBinary {
        /// The EF being read.
        file: FileId,
        /// The offset asked for.
        offset: usize,
    },
    /// GET RESPONSE after `61xx`.
    GetResponse,
    /// The retry query (VERIFY without data).
    RetryQuery,
    /// VERIFY with a PIN.
    Verify,
    /// COMPUTE DIGITAL SIGNATURE.
    Sign,
    /// CHANGE REFERENCE DATA.
    ChangeReferenceData,
    /// Leaving no verified state (SELECT of the ISD, or of another application).
    ClearState,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SelectApplication(aid) => write!(f, "SELECT application {aid:?}"),
            Self::SelectFile(fid) => write!(f, "SELECT {fid}"),
            Self::ReadBinary { file, offset } => {
                write!(f, "READ BINARY of {file} at offset {offset}")
            }
            Self::GetResponse => f.write_str("GET RESPONSE"),
            Self::RetryQuery => f.write_str("PIN retry query"),
            Self::Verify => f.write_str("VERIFY"),
            Self::Sign => f.write_str("COMPUTE DIGITAL SIGNATURE"),
            Self::ChangeReferenceData => f.write_str("CHANGE REFERENCE DATA"),
            Self::ClearState => f.write_str("clearing the verified state"),
        }
    }
}

/// How a card's answer broke the protocol (the card, or what answers as one, is at fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// Fewer than two response bytes.
    Response(ResponseParseError),
    /// The file's BER-TLV header is malformed.
    Tlv(TlvError),
    /// The file declares more bytes than a 15-bit READ BINARY offset can reach.
    FileTooLarge {
        /// Bytes declared.
        len: usize,
    },
    /// The card signalled end of file before the declared length.
    FileTruncated {
        /// Bytes declared.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// The card answered success with no data while more was due.
    NoProgress,
    /// A signature of the wrong size (RSA-2048 gives 256 bytes).
    SignatureLength {
        /// Bytes received.
        len: usize,
    },
    /// `61xx` kept coming beyond any sensible response size.
    EndlessResponse,
    /// The file's content does not have its documented layout.
    Content(ContentError),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Response(e) => write!(f, "{e}"),
            Self::Tlv(e) => write!(f, "{e}"),
            Self::FileTooLarge { len } => write!(
                f,
                "the file declares {len} bytes, beyond the 32768 READ BINARY can address"
            ),
            Self::FileTruncated { expected, got } => write!(
                f,
                "end of file after {got} of the {expected} bytes the file declares"
            ),
            Self::NoProgress => f.write_str("success without data while more was due"),
            Self::SignatureLength { len } => {
                write!(f, "a {len}-byte signature where RSA-2048 gives 256")
            }
            Self::EndlessResponse => f.write_str("61xx chain longer than any response"),
            Self::Content(e) => write!(f, "{e}"),
        }
    }
}

/// The caller used a procedure wrongly (caller at fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// `poll` again before `handle` gave the answer to the command it returned.
    ResponsePending,
    /// `handle` without a command outstanding.
    UnexpectedResponse,
    /// `poll` after the procedure finished or failed.
    Finished,
    /// The file read is the My Number (its content starts with the tag `FF10`) and the
    /// `my-number` cargo feature is off: the bytes were discarded (zeroized) unparsed.
    /// card.md: reading it must be impossible unless the library user opts in.
    MyNumberNeedsFeature,
    /// A command the encoding or the reader cannot carry.
    Command(CommandError),
    /// [`super::PinModeCheck::supply_pin`] while the check is not waiting for the PIN
    /// (before [`super::CheckStep::NeedPin`], or after the check ended).
    PinNotNeeded,
    /// [`super::PinModeCheck::supply_pin`] a second time: a PIN is used once, never again.
    PinAlreadySupplied,
    /// [`super::PinModeCheck::supply_digest`] a second time (or after the check was built
    /// with one).
    DigestAlreadySupplied,
    /// [`super::PinModeCheck::supply_digest`] after the signature was asked for, or after
    /// the check ended.
    DigestTooLate,
}

/// A procedure failed. Each variant says who is at fault: the card (its status word), the
/// card's malformed answer, the PIN (refused, blocked), or the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The card refused `operation` with `status`.
    Card {
        /// What was running.
        operation: Operation,
        /// The card's status word.
        status: StatusWord,
    },
    /// The card's answer to `operation` breaks the protocol.
    Malformed {
        /// What was running.
        operation: Operation,
        /// What is wrong.
        reason: Malformed,
    },
    /// The PIN is blocked; the cardholder must have it reset at the municipality. Either the
    /// retry query said so (`63C0`/`6983`/`6984`: no VERIFY was sent), or the card refused
    /// the VERIFY itself with `6983`/`6984` (it was blocked already; the VERIFY that spends
    /// the last try answers `63C0`, reported as [`Error::WrongPin`] with `Some(0)`).
    PinBlocked,
    /// One try is left and the caller did not consent to spend it: no VERIFY was sent.
    LastTryNotConsented,
    /// The card rejected the PIN. `tries_left` is the counter from `63Cx` (`0`: now
    /// blocked), `None` after `6300` (no counter). The PIN is never re-sent by the library.
    WrongPin {
        /// Tries left, when the card says.
        tries_left: Option<u8>,
    },
    /// The caller used the API wrongly.
    Misuse(Misuse),
    /// The caller cancelled the check ([`super::PinModeCheck::cancel`]); the verified state
    /// was cleared first (nobody is at fault).
    Cancelled,
}

impl From<Misuse> for Error {
    fn from(m: Misuse) -> Self {
        Self::Misuse(m)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Card {
                operation: Operation::ClearState,
                status,
            } => write!(
                f,
                "card refused {}: {status}; the card may still hold a verified PIN, power it down",
                Operation::ClearState
            ),
            Self::Card { operation, status } => {
                write!(f, "card refused {operation}: {status}")
            }
            Self::Malformed { operation, reason } => {
                write!(f, "malformed card answer to {operation}: {reason}")
            }
            Self::PinBlocked => {
                f.write_str("the PIN is blocked: it must be reset at the municipality")
            }
            Self::LastTryNotConsented => f.write_str(
                "only one PIN try is left and the caller did not allow spending it: nothing was sent",
            ),
            Self::WrongPin {
                tries_left: Some(0),
            } => f.write_str("wrong PIN: the PIN is now blocked"),
            Self::WrongPin {
                tries_left: Some(n),
            } => write!(f, "wrong PIN: {n} tries left"),
            Self::WrongPin { tries_left: None } => f.write_str("wrong PIN"),
            Self::Misuse(Misuse::ResponsePending) => {
                f.write_str("caller error: poll() again before handle() gave the response")
            }
            Self::Misuse(Misuse::UnexpectedResponse) => {
                f.write_str("caller error: handle() without a command outstanding")
            }
            Self::Misuse(Misuse::Finished) => {
                f.write_str("caller error: the procedure has already finished")
            }
            Self::Misuse(Misuse::MyNumberNeedsFeature) => f.write_str(
                "caller error: the file read is the My Number (個人番号); reading it needs the \
                 `my-number` cargo feature, and a checkup institution has no legal ground to \
                 collect it; the bytes were discarded",
            ),
            Self::Misuse(Misuse::Command(e)) => write!(f, "{e}"),
            Self::Misuse(Misuse::PinNotNeeded) => {
                f.write_str("caller error: a PIN was supplied while the check was not asking for it")
            }
            Self::Misuse(Misuse::PinAlreadySupplied) => f.write_str(
                "caller error: a PIN was supplied twice; a check sends one PIN at most",
            ),
            Self::Misuse(Misuse::DigestAlreadySupplied) => {
                f.write_str("caller error: the digest to sign was supplied twice")
            }
            Self::Misuse(Misuse::DigestTooLate) => f.write_str(
                "caller error: the digest was supplied after the signature was asked for or the check ended",
            ),
            Self::Cancelled => f.write_str("the check was cancelled; the card's verified state was cleared"),
        }
    }
}

impl core::error::Error for Error {}
