//! The hash chain: the canonical encoding of a row and its digest.
//!
//! Each row carries `digest = SHA-256(canonical encoding)`, and the encoding starts with the
//! previous row's digest (32 zero bytes for row 1), so changing, removing, inserting or
//! reordering any row changes every digest after it — Certificate Transparency's idea
//! (RFC 6962) in its smallest form. The encoding is this project's own design; it is
//! byte-exact and stable so that another store (the PostgreSQL store of issue 15) computes
//! the same chain from the same columns.
//!
//! # Canonical encoding, version 1
//!
//! The concatenation of:
//!
//! | part | bytes |
//! |---|---|
//! | domain tag | the 14 ASCII bytes `elig-audit-v1` followed by one `0x00` |
//! | `prev_digest` | 32 bytes |
//! | `seq` | 8 bytes, big-endian two's complement |
//! | `unix_secs` | 8 bytes, big-endian two's complement |
//! | 13 optional fields, in this order | each `0x00` when absent (SQL NULL), or `0x01`, its length as 4 bytes big-endian, then its bytes |
//!
//! The 13 fields are the stored columns, as text in UTF-8 unless marked:
//! `jst_date` (`YYYY-MM-DD`), `facility_kind` (`checkup_institution` or
//! `self_running_insurer`), `facility`, `purpose` (`specific_health_checkup`,
//! `specific_health_guidance`, `ningen_dock_insurer_confirmation`), `evidence`
//! (`online_pin`, `online_visual_confirmation`, `online_existing_terminal`, `mynaportal`,
//! `myna_card_with_notice`, `qualification_certificate`, `old_insurance_card`),
//! `voucher_number`, `insurer_number`, `outcome` (`eligible`, `not_eligible`,
//! `needs_review`, `error`), `error_kind` (see
//! [`CheckErrorKind`](super::CheckErrorKind)), `qualification_validity` (OQSCD006 code),
//! `processing_result_code`, `error_code`, and `serial_hmac` (32 raw bytes, not text).
//! The first eight are never absent.

use core::fmt;

use sha2::{Digest as _, Sha256};

/// The domain tag that starts every encoding.
pub const DOMAIN_TAG: &[u8; 14] = b"elig-audit-v1\0";

/// A row's SHA-256 digest (or the genesis value, 32 zero bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainDigest(pub [u8; 32]);

impl ChainDigest {
    /// The "previous digest" of row 1.
    pub const GENESIS: ChainDigest = ChainDigest([0; 32]);

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Debug for ChainDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainDigest({})", self.to_hex())
    }
}

impl fmt::Display for ChainDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&d) = DIGITS.get(usize::from(nibble)) {
                s.push(char::from(d));
            }
        }
    }
    s
}

/// A row exactly as stored: the columns the chain covers, as text (the single source of the
/// encoding, of verification and of the JSON Lines export).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) seq: i64,
    pub(crate) unix_secs: i64,
    pub(crate) jst_date: String,
    pub(crate) facility_kind: String,
    pub(crate) facility: String,
    pub(crate) purpose: String,
    pub(crate) evidence: String,
    pub(crate) voucher_number: String,
    pub(crate) insurer_number: String,
    pub(crate) outcome: String,
    pub(crate) error_kind: Option<String>,
    pub(crate) qualification_validity: Option<String>,
    pub(crate) processing_result_code: Option<String>,
    pub(crate) error_code: Option<String>,
    pub(crate) serial_hmac: Option<Vec<u8>>,
    pub(crate) prev_digest: Vec<u8>,
}

impl Row {
    /// The canonical encoding (module docs).
    pub(crate) fn canonical_encoding(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(DOMAIN_TAG);
        out.extend_from_slice(&self.prev_digest);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.unix_secs.to_be_bytes());
        let texts: [Option<&[u8]>; 12] = [
            Some(self.jst_date.as_bytes()),
            Some(self.facility_kind.as_bytes()),
            Some(self.facility.as_bytes()),
            Some(self.purpose.as_bytes()),
            Some(self.evidence.as_bytes()),
            Some(self.voucher_number.as_bytes()),
            Some(self.insurer_number.as_bytes()),
            Some(self.outcome.as_bytes()),
            self.error_kind.as_deref().map(str::as_bytes),
            self.qualification_validity.as_deref().map(str::as_bytes),
            self.processing_result_code.as_deref().map(str::as_bytes),
            self.error_code.as_deref().map(str::as_bytes),
        ];
        for field in texts.into_iter().chain([self.serial_hmac.as_deref()]) {
            match field {
                None => out.push(0),
                Some(bytes) => {
                    out.push(1);
                    // Every field is bounded far below 4 GiB (identifiers, codes, 32 bytes).
                    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(bytes);
                }
            }
        }
        out
    }

    /// SHA-256 of the canonical encoding.
    pub(crate) fn digest(&self) -> ChainDigest {
        ChainDigest(Sha256::digest(self.canonical_encoding()).into())
    }
}
