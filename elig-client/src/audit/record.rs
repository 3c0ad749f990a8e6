//! The record of one check, as the session hands it in ([`CheckRecord`]) and as the store
//! gives it back ([`AuditEntry`]).
//!
//! By construction a record has **no field for a PIN, a My Number, a name, a birth date or an
//! address**: the only personal identifiers it holds are the voucher number and the insurer
//! number, which issue 11 requires so a day's checks can be matched to the day's vouchers.
//! The card is represented only by a keyed hash of its certificate's serial number
//! ([`SerialHmac`]). The voucher and insurer numbers are redacted in `Debug`.
//!
//! Why no My Number, quoting `domain/card.md`: "A checkup institution has no legal ground to
//! collect the My Number (個人番号). […] it is never part of the qualification flow and never
//! logged." Leaving out names, birth dates and addresses is this project's own rule of data
//! minimisation (DESIGN.md: "an audit record (no PIN, no My Number, minimal personal data)").

use core::fmt;

use voucher_model::{
    Date, EvidenceKind, Facility, InsurerNumber, Outcome, Purpose, QualificationValidity,
    VoucherNumber,
};
use zeroize::Zeroizing;

use super::chain::ChainDigest;
use super::error::InvalidRecord;

/// One check, as the session reports it to an [`AuditSink`](super::AuditSink).
///
/// Build it with [`CheckRecord::new`] and set the optional fields.
#[derive(Clone)]
#[non_exhaustive]
pub struct CheckRecord {
    /// When the check ended (the verdict or the error), in Unix seconds (the session's `now`).
    pub unix_secs: i64,
    /// Who asked: 健診機関番号 or the insurer's オンライン資格確認用コード.
    pub facility: Facility,
    /// The purpose the check was made for.
    pub purpose: Purpose,
    /// The mode / kind of evidence (PIN, 目視確認, the manual kinds, 既存型).
    pub evidence: EvidenceKind,
    /// 受診券整理番号 / 利用券整理番号 of the voucher checked.
    pub voucher_number: VoucherNumber,
    /// 保険者番号 of the voucher's insurer.
    pub insurer_number: InsurerNumber,
    /// How the check ended.
    pub outcome: CheckOutcome,
    /// The codes the answer carried, when there was an answer.
    pub codes: ResultCodes,
    /// The serial number of the card's authentication certificate, when a card was read. The
    /// store keeps only its keyed hash ([`SerialHmac`]).
    pub certificate_serial: Option<CertificateSerial>,
}

impl CheckRecord {
    /// A record with no result codes and no certificate serial.
    pub fn new(
        unix_secs: i64,
        facility: Facility,
        purpose: Purpose,
        evidence: EvidenceKind,
        voucher_number: VoucherNumber,
        insurer_number: InsurerNumber,
        outcome: CheckOutcome,
    ) -> CheckRecord {
        CheckRecord {
            unix_secs,
            facility,
            purpose,
            evidence,
            voucher_number,
            insurer_number,
            outcome,
            codes: ResultCodes::default(),
            certificate_serial: None,
        }
    }
}

impl fmt::Debug for CheckRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckRecord")
            .field("unix_secs", &self.unix_secs)
            .field("facility", &self.facility.as_str())
            .field("purpose", &self.purpose)
            .field("evidence", &self.evidence)
            .field("voucher_number", &"<redacted>")
            .field("insurer_number", &"<redacted>")
            .field("outcome", &self.outcome)
            .field("codes", &self.codes)
            .field("certificate_serial", &self.certificate_serial)
            .finish()
    }
}

/// How a check ended: a verdict of voucher-model, or an error before any verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckOutcome {
    /// The explained verdict's outcome.
    Verdict(Outcome),
    /// No verdict: the check failed.
    Error(CheckErrorKind),
}

impl CheckOutcome {
    /// The stored `outcome` text: `eligible`, `not_eligible`, `needs_review` or `error`.
    pub fn code(self) -> &'static str {
        match self {
            CheckOutcome::Verdict(Outcome::Eligible) => "eligible",
            CheckOutcome::Verdict(Outcome::NotEligible) => "not_eligible",
            CheckOutcome::Verdict(Outcome::NeedsStaffReview) => "needs_review",
            CheckOutcome::Error(_) => "error",
        }
    }

    /// The stored `error_kind` text (only for [`CheckOutcome::Error`]).
    pub fn error_code(self) -> Option<&'static str> {
        match self {
            CheckOutcome::Verdict(_) => None,
            CheckOutcome::Error(kind) => Some(kind.code()),
        }
    }

    pub(crate) fn from_codes(outcome: &str, error_kind: Option<&str>) -> Option<CheckOutcome> {
        Some(match (outcome, error_kind) {
            ("eligible", None) => CheckOutcome::Verdict(Outcome::Eligible),
            ("not_eligible", None) => CheckOutcome::Verdict(Outcome::NotEligible),
            ("needs_review", None) => CheckOutcome::Verdict(Outcome::NeedsStaffReview),
            ("error", Some(kind)) => CheckOutcome::Error(CheckErrorKind::from_code(kind)?),
            _ => return None,
        })
    }
}

/// Why a check ended without a verdict (stored as the `error_kind` text in brackets).
/// This list is this project's own design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckErrorKind {
    /// `card`: the card answered wrongly, or was removed or lost (NFC) during the check.
    Card,
    /// `reader`: the reader failed (PC/SC error, no reader).
    Reader,
    /// `pin_blocked`: the PIN is blocked, or the person declined the last try.
    PinBlocked,
    /// `gateway_rejected`: the gateway refused the inquiry (its error code is in
    /// [`ResultCodes::error_code`]).
    GatewayRejected,
    /// `network`: the gateway could not be reached, TLS failed, or the answer was not one.
    Network,
    /// `timeout`: a step ran out of time.
    Timeout,
    /// `cancelled`: staff cancelled the check.
    Cancelled,
    /// `existing_terminal`: the 既存型 folder exchange failed.
    ExistingTerminal,
}

impl CheckErrorKind {
    const ALL: [CheckErrorKind; 8] = [
        CheckErrorKind::Card,
        CheckErrorKind::Reader,
        CheckErrorKind::PinBlocked,
        CheckErrorKind::GatewayRejected,
        CheckErrorKind::Network,
        CheckErrorKind::Timeout,
        CheckErrorKind::Cancelled,
        CheckErrorKind::ExistingTerminal,
    ];

    /// The stored text.
    pub fn code(self) -> &'static str {
        match self {
            CheckErrorKind::Card => "card",
            CheckErrorKind::Reader => "reader",
            CheckErrorKind::PinBlocked => "pin_blocked",
            CheckErrorKind::GatewayRejected => "gateway_rejected",
            CheckErrorKind::Network => "network",
            CheckErrorKind::Timeout => "timeout",
            CheckErrorKind::Cancelled => "cancelled",
            CheckErrorKind::ExistingTerminal => "existing_terminal",
        }
    }

    /// The kind whose [`code`](CheckErrorKind::code) is `code`.
    pub fn from_code(code: &str) -> Option<CheckErrorKind> {
        CheckErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The codes an answer carried, kept as the gateway sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResultCodes {
    /// 資格有効性 (OQSCD006), stored as its code (`"1"` …).
    pub qualification_validity: Option<QualificationValidity>,
    /// `ProcessingResultCode`, verbatim.
    pub processing_result_code: Option<String>,
    /// `ErrorCode` (or the gateway's rejection reason), verbatim.
    pub error_code: Option<String>,
}

impl ResultCodes {
    /// Longest result code accepted (our own bound: codes are short tokens).
    pub const MAX_CODE_BYTES: usize = 64;

    /// Checks the free-text codes: 1..=64 bytes of printable ASCII.
    pub(crate) fn check(&self) -> Result<(), InvalidRecord> {
        let ok = |c: &Option<String>| {
            c.as_deref().is_none_or(|s| {
                !s.is_empty()
                    && s.len() <= Self::MAX_CODE_BYTES
                    && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
            })
        };
        if ok(&self.processing_result_code) && ok(&self.error_code) {
            Ok(())
        } else {
            Err(InvalidRecord::ResultCode)
        }
    }
}

/// The serial number of a card's authentication certificate (the DER INTEGER's content
/// octets). Held only long enough to be hashed; its `Debug` prints nothing of it.
#[derive(Clone)]
pub struct CertificateSerial(Zeroizing<Vec<u8>>);

impl CertificateSerial {
    /// Wraps the serial's octets; 1–20 bytes (RFC 5280 §4.1.2.2).
    pub fn new(octets: &[u8]) -> Result<CertificateSerial, InvalidRecord> {
        if octets.is_empty() || octets.len() > 20 {
            return Err(InvalidRecord::CertificateSerial);
        }
        Ok(CertificateSerial(Zeroizing::new(octets.to_vec())))
    }

    pub(crate) fn octets(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for CertificateSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CertificateSerial(<redacted>)")
    }
}

/// HMAC-SHA-256 of a certificate serial under the store's own key: the same card gives the
/// same value within one store, and nobody without the key can test a serial against it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SerialHmac(pub [u8; 32]);

impl fmt::Debug for SerialHmac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SerialHmac({})", super::chain::hex(&self.0))
    }
}

/// One stored row, read back from the store.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// When the check ended, Unix seconds.
    pub unix_secs: i64,
    /// The day of `unix_secs` in Japan (JST, UTC+9): the day the records are queried by.
    pub jst_date: Date,
    /// Who asked.
    pub facility: Facility,
    /// Purpose.
    pub purpose: Purpose,
    /// Mode / evidence kind.
    pub evidence: EvidenceKind,
    /// 受診券整理番号 / 利用券整理番号.
    pub voucher_number: VoucherNumber,
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// How the check ended.
    pub outcome: CheckOutcome,
    /// The answer's codes.
    pub codes: ResultCodes,
    /// Keyed hash of the certificate serial, when a card was read.
    pub serial_hmac: Option<SerialHmac>,
    /// The previous row's digest (32 zero bytes for row 1).
    pub prev_digest: ChainDigest,
    /// This row's digest (see [`chain`](super::chain)).
    pub digest: ChainDigest,
}

impl fmt::Debug for AuditEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditEntry")
            .field("seq", &self.seq)
            .field("unix_secs", &self.unix_secs)
            .field("jst_date", &self.jst_date)
            .field("facility", &self.facility.as_str())
            .field("purpose", &self.purpose)
            .field("evidence", &self.evidence)
            .field("voucher_number", &"<redacted>")
            .field("insurer_number", &"<redacted>")
            .field("outcome", &self.outcome)
            .field("codes", &self.codes)
            .field("serial_hmac", &self.serial_hmac)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}
