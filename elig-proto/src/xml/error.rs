//! Errors of the 既存型 file reader and writer.

use core::fmt;

/// Why a 既存型 file (a response, or a request read back) was refused.
///
/// Every variant except [`ReadError::TooLarge`], [`ReadError::TooDeep`] and
/// [`ReadError::TooManyElements`] means the *file* is at fault (the 資格確認端末 or whoever
/// produced it wrote something that is not a well-formed XmlMsg); those three mean the file
/// exceeds the caller's [`ReadLimits`](super::ReadLimits). None of them is a bug of the
/// caller or of this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// The file is larger than [`ReadLimits::max_bytes`](super::ReadLimits::max_bytes);
    /// nothing was decoded.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The file's size in bytes.
        actual: usize,
    },
    /// Elements nest deeper than the limit.
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// More elements than the limit.
    TooManyElements {
        /// The element-count limit.
        limit: usize,
    },
    /// The file has a `<!DOCTYPE …>`: refused outright (no external entities, no entity
    /// expansion). XmlMsg files never carry one.
    DoctypeForbidden,
    /// An entity reference other than the five predefined ones (`&lt;` …) or a character
    /// reference: without a DTD it is undefined, and it is never expanded.
    UndefinedEntity {
        /// The entity's name as written (at most 64 characters).
        name: String,
    },
    /// The declaration names an encoding other than UTF-8 or Shift_JIS (CP932), or the file
    /// starts with a UTF-16 byte-order mark.
    UnsupportedEncoding {
        /// The label as written in the declaration (at most 64 characters).
        label: String,
    },
    /// The bytes are not valid in the file's encoding.
    MalformedEncoding {
        /// The encoding the file was decoded as (`UTF-8` or `Shift_JIS`).
        encoding: &'static str,
    },
    /// The XML is not well-formed.
    Malformed {
        /// Byte offset (in the decoded UTF-8 text) where the parser stopped.
        position: u64,
        /// The parser's description.
        detail: String,
    },
    /// The file ends before the root element is closed (or is empty).
    Truncated,
    /// Something other than whitespace, comments or processing instructions follows the
    /// root element.
    TrailingContent,
    /// The root element is not `XmlMsg`.
    UnexpectedRoot {
        /// The root element's name (at most 64 characters).
        name: String,
    },
    /// An element that may appear once appears twice in the same parent: which one counts
    /// would be a guess, so the file is refused.
    DuplicateElement {
        /// The element's name.
        name: &'static str,
    },
    /// An element known to hold text holds child elements instead.
    UnexpectedChildren {
        /// The element's name.
        name: &'static str,
    },
    /// A required element is missing (`MessageHeader`, `MessageBody`, or a required value
    /// of a request).
    MissingElement {
        /// The element's name.
        name: &'static str,
    },
    /// A value that must parse does not (strict readers only: requests and the gateway's
    /// search info; the response reader keeps such values in `unknown_elements`).
    InvalidValue {
        /// The element's name or path.
        element: String,
        /// Why it does not parse.
        detail: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit, actual } => write!(
                f,
                "XmlMsg file too large: {actual} bytes, the limit is {limit} (not parsed)"
            ),
            Self::TooDeep { limit } => {
                write!(f, "XmlMsg file nests elements deeper than {limit} levels")
            }
            Self::TooManyElements { limit } => {
                write!(f, "XmlMsg file has more than {limit} elements")
            }
            Self::DoctypeForbidden => f.write_str(
                "XmlMsg file carries a DOCTYPE declaration: refused (no DTDs or entities)",
            ),
            Self::UndefinedEntity { name } => {
                write!(
                    f,
                    "XmlMsg file uses the undefined entity &{name}; (not expanded)"
                )
            }
            Self::UnsupportedEncoding { label } => write!(
                f,
                "XmlMsg file is in encoding {label:?}; only UTF-8 and Shift_JIS are accepted"
            ),
            Self::MalformedEncoding { encoding } => {
                write!(f, "XmlMsg file has bytes that are not valid {encoding}")
            }
            Self::Malformed { position, detail } => {
                write!(
                    f,
                    "XmlMsg file is not well-formed XML at byte {position}: {detail}"
                )
            }
            Self::Truncated => f.write_str("XmlMsg file ends before its root element is closed"),
            Self::TrailingContent => f.write_str("XmlMsg file has content after the root element"),
            Self::UnexpectedRoot { name } => {
                write!(
                    f,
                    "XmlMsg file has root element <{name}>, expected <XmlMsg>"
                )
            }
            Self::DuplicateElement { name } => {
                write!(f, "XmlMsg file repeats the single element <{name}>")
            }
            Self::UnexpectedChildren { name } => {
                write!(
                    f,
                    "XmlMsg element <{name}> should hold text but holds elements"
                )
            }
            Self::MissingElement { name } => {
                write!(f, "XmlMsg file lacks the required element <{name}>")
            }
            Self::InvalidValue { element, detail } => {
                write!(
                    f,
                    "XmlMsg element <{element}> has an invalid value: {detail}"
                )
            }
        }
    }
}

impl core::error::Error for ReadError {}

/// Why a request file could not be written. The caller's input is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// A value has a character that Shift_JIS (CP932) cannot represent; write UTF-8 instead
    /// or change the value. (encoding_rs would otherwise substitute a numeric character
    /// reference, which the terminal would read as literal text.)
    Unencodable {
        /// The element whose text could not be encoded.
        element: String,
    },
    /// A value has a character XML 1.0 cannot carry (a control character).
    InvalidCharacter {
        /// The element whose text holds it.
        element: String,
    },
    /// A required value of a request is missing (`InsurerNumber`,
    /// `InsuredIdentificationNumber` or `Birthdate`).
    MissingValue {
        /// The element's name.
        element: &'static str,
    },
    /// The record would not read back (for example a kept unknown element has the name of
    /// a field that is also set, which would repeat the element); nothing was written.
    Unreadable {
        /// What the reader said about the would-be output.
        detail: String,
    },
    /// An element name (from a kept unknown element) is not a plain XML name: ASCII letters,
    /// digits, `_`, `-`, `.`, starting with a letter or `_`, at most 128 bytes.
    InvalidName {
        /// The name (at most 64 characters).
        name: String,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unencodable { element } => write!(
                f,
                "the value of <{element}> has a character Shift_JIS cannot encode (caller input)"
            ),
            Self::InvalidCharacter { element } => write!(
                f,
                "the value of <{element}> has a control character XML cannot carry (caller input)"
            ),
            Self::MissingValue { element } => {
                write!(
                    f,
                    "the request lacks the required value <{element}> (caller input)"
                )
            }
            Self::Unreadable { detail } => {
                write!(
                    f,
                    "the record would not read back, not written (caller input): {detail}"
                )
            }
            Self::InvalidName { name } => {
                write!(f, "{name:?} is not a plain XML element name (caller input)")
            }
        }
    }
}

impl core::error::Error for WriteError {}
