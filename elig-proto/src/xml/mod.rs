//! The XML layer under the 既存型 files: encoding detection and decoding, the bounded
//! element tree, the writer, the tree's JSON form, and their errors. It knows elements and
//! text, never what they mean: `convert` turns trees into voucher-model's records on top of
//! it, and `xmlmsg` is the public face of both. (Layering: `xmlmsg` → `convert` → `xml`;
//! nothing here imports either of them.)

mod encoding;
mod error;
pub(crate) mod json;
pub(crate) mod tree;
pub(crate) mod write;

pub use encoding::{Encoding, EncodingSource};
pub use error::{ReadError, WriteError};
pub use tree::ReadLimits;

use tree::Element;

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
