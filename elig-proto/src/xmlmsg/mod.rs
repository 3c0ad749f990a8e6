//! The 既存型 `XmlMsg` files: the tolerant response reader, the strict request writer, file
//! names.
//!
//! Public fact (oqs.md): root `XmlMsg` (no namespace) → `MessageHeader`, `MessageBody`;
//! element names and code tables as listed there; UTF-8 or Shift_JIS (CP932). Responses are
//! read into voucher-model's [`QualificationResponse`] in any element order; unknown
//! elements are kept in its `unknown_elements`; codes become voucher-model's enums (unknown
//! codes kept); `ErrorCode`/`ProcessingResultCode` stay verbatim. Hostile input is refused
//! with a typed [`ReadError`] (see [`ReadLimits`]).

mod encoding;
mod error;
pub(crate) mod json;
mod names;
pub(crate) mod tree;
pub(crate) mod write;

use voucher_model::QualificationResponse;

pub use crate::convert::request::{IndividualRequest, InsurerPadding};
pub use crate::convert::response::reception_number;
pub use encoding::{Encoding, EncodingSource};
pub use error::{ReadError, WriteError};
pub use names::{FileKind, FileName, FileNameError, Suffix};
pub use tree::ReadLimits;

use tree::Element;
use write::XmlOut;

/// The root element's name.
pub const ROOT: &str = "XmlMsg";

/// What the reader found out about a file besides its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadInfo {
    /// The encoding the file was decoded as.
    pub encoding: Encoding,
    /// How that encoding was decided.
    pub encoding_source: EncodingSource,
    /// True when the header's `CharacterCodeIdentifier` names the other encoding than the
    /// one the bytes were validly decoded as (the bytes win; show it as a warning).
    pub character_code_identifier_mismatch: bool,
}

/// Size check, encoding detection, decoding and the bounded tree, root name checked.
pub(crate) fn read_tree(
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(Element, ReadInfo), ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            limit: limits.max_bytes,
            actual: bytes.len(),
        });
    }
    let (text, encoding, encoding_source) = encoding::detect_and_decode(bytes)?;
    let root = tree::parse(&text, limits)?;
    if root.name != ROOT {
        return Err(ReadError::UnexpectedRoot {
            name: root.name.chars().take(64).collect(),
        });
    }
    let info = ReadInfo {
        encoding,
        encoding_source,
        character_code_identifier_mismatch: false,
    };
    Ok((root, info))
}

/// Reads a response file (`OQSsiquc01res_…`, `OQSsiquc01res_face_…`, `OQSmuquc01res_…`,
/// `OQSmuquc02res_…`) with the default [`ReadLimits`].
pub fn read_response(bytes: &[u8]) -> Result<QualificationResponse, ReadError> {
    read_response_with(bytes, &ReadLimits::default()).map(|(r, _)| r)
}

/// Reads a response file with explicit limits, also returning what was learnt about the
/// encoding.
pub fn read_response_with(
    bytes: &[u8],
    limits: &ReadLimits,
) -> Result<(QualificationResponse, ReadInfo), ReadError> {
    let (root, mut info) = read_tree(bytes, limits)?;
    let response = crate::convert::response::from_tree(root)?;
    info.character_code_identifier_mismatch = response
        .character_code_identifier
        .as_ref()
        .is_some_and(|code| match code.code() {
            "0" => info.encoding != Encoding::Utf8,
            "1" => info.encoding != Encoding::ShiftJis,
            _ => false,
        });
    Ok((response, info))
}

/// Writes a response file in this crate's layout (for the sandbox, tests and anyone
/// simulating a terminal). The `CharacterCodeIdentifier` is written as the record has it:
/// keep it consistent with `encoding`. Output that its own reader would refuse (a kept
/// unknown element repeating a set field) is an error, never written.
pub fn write_response(
    response: &QualificationResponse,
    encoding: Encoding,
) -> Result<Vec<u8>, WriteError> {
    let tree = crate::convert::response_write::to_tree(response);
    check_reads_back(&tree)?;
    let mut out = XmlOut::new(encoding);
    out.element(&tree)?;
    out.finish()
}

/// The writer's promise: what it emits, its reader accepts.
pub(crate) fn check_reads_back(tree: &Element) -> Result<(), WriteError> {
    crate::convert::response::from_tree(tree.clone())
        .map(|_| ())
        .map_err(|e| WriteError::Unreadable {
            detail: e.to_string(),
        })
}
