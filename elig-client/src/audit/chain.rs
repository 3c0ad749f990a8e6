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

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed row with every kind of field (present, absent, the 32-byte HMAC).
    fn golden_row() -> Row {
        Row {
            seq: 1,
            unix_secs: 1_775_000_000,
            jst_date: "2026-04-01".to_owned(),
            facility_kind: "checkup_institution".to_owned(),
            facility: "0110113719".to_owned(),
            purpose: "specific_health_checkup".to_owned(),
            evidence: "online_pin".to_owned(),
            voucher_number: "26000000013".to_owned(),
            insurer_number: "06110829".to_owned(),
            outcome: "eligible".to_owned(),
            error_kind: None,
            qualification_validity: Some("1".to_owned()),
            processing_result_code: Some("0000".to_owned()),
            error_code: None,
            serial_hmac: Some(vec![0xa5; 32]),
            prev_digest: vec![0; 32],
        }
    }

    // The expected bytes and digest were computed independently (Python's struct + hashlib
    // from the module docs' table), not by this code.
    #[test]
    fn canonical_encoding_is_byte_exact() {
        let mut row = golden_row();
        row.serial_hmac = Some(
            [
                0x6e, 0x5d, 0x9e, 0xf9, 0xaa, 0x13, 0xdb, 0xda, 0xba, 0x5c, 0x8c, 0x72, 0xe9, 0x22,
                0xe2, 0x51, 0xc4, 0x3a, 0x58, 0x6b, 0x8f, 0x75, 0x76, 0xd8, 0xdd, 0x77, 0x9d, 0x61,
                0xaf, 0xbd, 0xc2, 0xa1,
            ]
            .to_vec(),
        );
        assert_eq!(
            hex(&row.canonical_encoding()),
            "656c69672d61756469742d7631000000000000000000000000000000000000000000000000000000\
             00000000000000000000000000010000000069cc59c0010000000a323032362d30342d3031010000\
             0013636865636b75705f696e737469747574696f6e010000000a3031313031313337313901000000\
             1773706563696669635f6865616c74685f636865636b7570010000000a6f6e6c696e655f70696e01\
             0000000b3236303030303030303133010000000830363131303832390100000008656c696769626c\
             65000100000001310100000004303030300001000000206e5d9ef9aa13dbdaba5c8c72e922e251c4\
             3a586b8f7576d8dd779d61afbdc2a1"
        );
        assert_eq!(
            row.digest().to_hex(),
            "449b3fecaa1af997ae2a1da506bd007d725181a6f835a561edaa5356fc34c723"
        );
    }

    #[test]
    fn every_field_and_absence_changes_the_digest() {
        let base = golden_row();
        let d = base.digest();
        let mut variants = Vec::new();
        let mut r = base.clone();
        r.seq = 2;
        variants.push(r);
        let mut r = base.clone();
        r.unix_secs += 1;
        variants.push(r);
        let mut r = base.clone();
        r.prev_digest[31] = 1;
        variants.push(r);
        let mut r = base.clone();
        r.error_code = Some(String::new()); // present-but-empty differs from absent
        variants.push(r);
        let mut r = base.clone();
        r.serial_hmac = None;
        variants.push(r);
        // Moving bytes between adjacent fields changes the encoding (length prefixes).
        let mut r = base.clone();
        r.voucher_number = "2600000001".to_owned();
        r.insurer_number = "306110829".to_owned();
        variants.push(r);
        for v in variants {
            assert_ne!(v.digest(), d);
        }
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f, 0xff]), "00ab0fff");
    }
}
