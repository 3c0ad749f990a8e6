//! The 既存型 `XmlMsg` files: the tolerant response reader, the strict request writer, file
//! names.
//!
//! Public fact (oqs.md): root `XmlMsg` (no namespace) → `MessageHeader`, `MessageBody`;
//! element names and code tables as listed there; UTF-8 or Shift_JIS (CP932). Responses are
//! read into voucher-model's [`QualificationResponse`] in any element order; unknown
//! elements are kept in its `unknown_elements`; codes become voucher-model's enums (unknown
//! codes kept); `ErrorCode`/`ProcessingResultCode` stay verbatim. Hostile input is refused
//! with a typed [`ReadError`] (see [`ReadLimits`]).

mod names;

use voucher_model::QualificationResponse;

pub use crate::convert::request::{IndividualRequest, InsurerPadding};
pub use crate::convert::response::reception_number;
pub use crate::xml::{Encoding, EncodingSource, ROOT, ReadError, ReadInfo, ReadLimits, WriteError};
pub use names::{FileKind, FileName, FileNameError, Suffix};

use crate::xml::write::XmlOut;

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
    let (root, mut info) = crate::xml::read_tree(bytes, limits)?;
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
    crate::convert::check_reads_back(&tree)?;
    let mut out = XmlOut::new(encoding);
    out.element(&tree)?;
    out.finish()
}
