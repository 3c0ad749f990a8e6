//! 既存型 file names (public fact, oqs.md "File names"): `<prefix><suffix>.xml`.
//!
//! | Prefix | Meaning |
//! |---|---|
//! | `OQSsiquc01req_` / `OQSsiquc01res_` | individual check |
//! | `OQSsiquc01res_face_` | pushed result of a card check at the reader |
//! | `OQSmuquc01req/res`, `OQSmuquc02req/res` | bulk check: upload → `ReceptionNumber` → fetch (may arrive zipped) |
//! | `OQSsiimm01req` | registration of a 照会番号 |
//!
//! "Suffix seen in public code: `yyyyMMdd` + 4-digit daily sequence (12 characters). The
//! response keeps the request's suffix." This crate writes that suffix; it reads any suffix
//! of 1–64 ASCII letters, digits, `_` and `-` (pushed face results are named by the
//! terminal). A zipped bulk result (`.zip`) is recognised by its name but must be unzipped
//! by the caller: this crate has no archive reader (and no I/O).

use core::fmt;

use voucher_model::Date;

/// What a 既存型 file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// `OQSsiquc01req_`: individual check request.
    IndividualRequest,
    /// `OQSsiquc01res_`: its response.
    IndividualResponse,
    /// `OQSsiquc01res_face_`: pushed result of a card check at the face-recognition reader.
    FaceResponse,
    /// `OQSmuquc01req_`: bulk check upload.
    BulkUploadRequest,
    /// `OQSmuquc01res_`: bulk upload response (carries the `ReceptionNumber`).
    BulkUploadResponse,
    /// `OQSmuquc02req_`: bulk result fetch.
    BulkFetchRequest,
    /// `OQSmuquc02res_`: bulk result (may arrive zipped).
    BulkFetchResponse,
    /// `OQSsiimm01req_`: registration of a 照会番号 (ReferenceNumber).
    ReferenceNumberRequest,
}

impl FileKind {
    /// Every kind, longest prefix first (so `…res_face_` is tried before `…res_`).
    pub const ALL: [FileKind; 8] = [
        Self::FaceResponse,
        Self::IndividualRequest,
        Self::IndividualResponse,
        Self::BulkUploadRequest,
        Self::BulkUploadResponse,
        Self::BulkFetchRequest,
        Self::BulkFetchResponse,
        Self::ReferenceNumberRequest,
    ];

    /// The file-name prefix, underscore included.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::IndividualRequest => "OQSsiquc01req_",
            Self::IndividualResponse => "OQSsiquc01res_",
            Self::FaceResponse => "OQSsiquc01res_face_",
            Self::BulkUploadRequest => "OQSmuquc01req_",
            Self::BulkUploadResponse => "OQSmuquc01res_",
            Self::BulkFetchRequest => "OQSmuquc02req_",
            Self::BulkFetchResponse => "OQSmuquc02res_",
            Self::ReferenceNumberRequest => "OQSsiimm01req_",
        }
    }

    /// The response kind a request of this kind is answered with (same suffix).
    pub fn response(self) -> Option<FileKind> {
        match self {
            Self::IndividualRequest => Some(Self::IndividualResponse),
            Self::BulkUploadRequest => Some(Self::BulkUploadResponse),
            Self::BulkFetchRequest => Some(Self::BulkFetchResponse),
            _ => None,
        }
    }
}

/// Why a file name or suffix was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileNameError {
    /// The name starts with no known prefix.
    UnknownPrefix,
    /// The name ends neither in `.xml` nor in `.zip`.
    BadExtension,
    /// The suffix is empty, longer than 64, or has characters outside `[A-Za-z0-9_-]`.
    BadSuffix,
    /// The daily sequence is outside 1..=9999 (caller input).
    SequenceOutOfRange {
        /// The sequence given.
        sequence: u32,
    },
}

impl fmt::Display for FileNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPrefix => f.write_str("file name has no known OQS prefix"),
            Self::BadExtension => f.write_str("file name does not end in .xml or .zip"),
            Self::BadSuffix => {
                f.write_str("file-name suffix is not 1-64 characters of [A-Za-z0-9_-]")
            }
            Self::SequenceOutOfRange { sequence } => {
                write!(
                    f,
                    "daily sequence {sequence} is outside 1..=9999 (caller input)"
                )
            }
        }
    }
}

impl core::error::Error for FileNameError {}

/// The part after the prefix: `yyyyMMdd` + 4-digit daily sequence when this crate makes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Suffix(String);

impl Suffix {
    /// `yyyyMMdd` + the sequence as 4 digits (`202611240001`); the sequence is 1..=9999.
    pub fn new(date: Date, sequence: u32) -> Result<Self, FileNameError> {
        if !(1..=9999).contains(&sequence) {
            return Err(FileNameError::SequenceOutOfRange { sequence });
        }
        Ok(Self(format!("{}{sequence:04}", date.to_yyyymmdd())))
    }

    /// Accepts any suffix of 1–64 characters of `[A-Za-z0-9_-]`.
    pub fn parse(text: &str) -> Result<Self, FileNameError> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(FileNameError::BadSuffix)
        }
    }

    /// The suffix text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date and sequence, when the suffix has the standard 12-character form.
    pub fn date_and_sequence(&self) -> Option<(Date, u32)> {
        let date = self.0.get(..8)?;
        let seq = self.0.get(8..)?;
        if seq.len() != 4 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let date = Date::parse_yyyymmdd(date).ok()?;
        let seq: u32 = seq.parse().ok()?;
        (seq >= 1).then_some((date, seq))
    }

    /// The next suffix of the same day; `None` after 9999 or for a non-standard suffix.
    pub fn next(&self) -> Option<Self> {
        let (date, seq) = self.date_and_sequence()?;
        Self::new(date, seq.checked_add(1)?).ok()
    }
}

impl fmt::Display for Suffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 既存型 file name: kind, suffix and extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileName {
    /// What the file is.
    pub kind: FileKind,
    /// The suffix.
    pub suffix: Suffix,
    /// True for `.zip` (bulk results may arrive zipped), false for `.xml`.
    pub zipped: bool,
}

impl FileName {
    /// An `.xml` file name.
    pub fn new(kind: FileKind, suffix: Suffix) -> Self {
        Self {
            kind,
            suffix,
            zipped: false,
        }
    }

    /// Parses a file name (no directory part).
    pub fn parse(name: &str) -> Result<Self, FileNameError> {
        let (stem, zipped) = if let Some(stem) = name.strip_suffix(".xml") {
            (stem, false)
        } else if let Some(stem) = name.strip_suffix(".zip") {
            (stem, true)
        } else {
            return Err(FileNameError::BadExtension);
        };
        for kind in FileKind::ALL {
            if let Some(rest) = stem.strip_prefix(kind.prefix()) {
                return Ok(Self {
                    kind,
                    suffix: Suffix::parse(rest)?,
                    zipped,
                });
            }
        }
        Err(FileNameError::UnknownPrefix)
    }

    /// The name of the response to this request: same suffix, `.xml`.
    pub fn response(&self) -> Option<Self> {
        Some(Self::new(self.kind.response()?, self.suffix.clone()))
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ext = if self.zipped { "zip" } else { "xml" };
        write!(f, "{}{}.{ext}", self.kind.prefix(), self.suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_response_keeps_suffix() {
        let date = Date::parse_yyyymmdd("20261124").unwrap();
        let suffix = Suffix::new(date, 1).unwrap();
        let req = FileName::new(FileKind::IndividualRequest, suffix);
        assert_eq!(req.to_string(), "OQSsiquc01req_202611240001.xml");
        let res = req.response().unwrap();
        assert_eq!(res.to_string(), "OQSsiquc01res_202611240001.xml");
        assert_eq!(FileName::parse(&res.to_string()).unwrap(), res);
        let face = FileName::parse("OQSsiquc01res_face_202611240007.xml").unwrap();
        assert_eq!(face.kind, FileKind::FaceResponse);
        let zipped = FileName::parse("OQSmuquc02res_202611240002.zip").unwrap();
        assert!(zipped.zipped);
        assert_eq!(zipped.kind, FileKind::BulkFetchResponse);
        assert_eq!(
            FileName::parse("OQSmuquc01req_202611240003.xml")
                .unwrap()
                .response()
                .unwrap()
                .kind,
            FileKind::BulkUploadResponse
        );
    }

    #[test]
    fn sequence_rules() {
        let date = Date::parse_yyyymmdd("20261124").unwrap();
        assert_eq!(
            Suffix::new(date, 0),
            Err(FileNameError::SequenceOutOfRange { sequence: 0 })
        );
        assert!(Suffix::new(date, 10000).is_err());
        let last = Suffix::new(date, 9999).unwrap();
        assert_eq!(last.as_str(), "202611249999");
        assert_eq!(last.next(), None);
        assert_eq!(
            Suffix::new(date, 41).unwrap().next().unwrap().as_str(),
            "202611240042"
        );
        assert_eq!(
            FileName::parse("OQSsiquc01req_a b.xml"),
            Err(FileNameError::BadSuffix)
        );
        assert_eq!(
            FileName::parse("OQSsiquc01req_x.txt"),
            Err(FileNameError::BadExtension)
        );
        assert_eq!(
            FileName::parse("other_x.xml"),
            Err(FileNameError::UnknownPrefix)
        );
        assert_eq!(
            FileName::parse("OQSsiquc01req_.xml"),
            Err(FileNameError::BadSuffix)
        );
    }
}
