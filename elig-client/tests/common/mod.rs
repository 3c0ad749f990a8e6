//! Shared fixtures of the audit tests.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, dead_code)]

use std::path::{Path, PathBuf};

use elig_client::audit::{
    AuditSink, CertificateSerial, CheckErrorKind, CheckOutcome, CheckRecord, Receipt,
    SqliteAuditStore,
};
use voucher_model::{
    EvidenceKind, Facility, Outcome, Purpose, QualificationValidity, RequestedUse,
};

/// 2026-04-01 08:33:20 JST.
pub(crate) const T0: i64 = 1_775_000_000;

pub(crate) fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("audit.sqlite3")
}

/// An eligible PIN-mode check at `unix_secs`, with codes and no serial.
pub(crate) fn eligible(unix_secs: i64) -> CheckRecord {
    let mut r = CheckRecord::new(
        unix_secs,
        Facility::CheckupInstitution("0110113719".parse().unwrap()),
        Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap(),
        EvidenceKind::OnlinePin,
        "26000000013".parse().unwrap(),
        "06110829".parse().unwrap(),
        CheckOutcome::Verdict(Outcome::Eligible),
    );
    r.codes.qualification_validity = Some(QualificationValidity::Valid);
    r
}

/// A failed manual check by a self-running insurer, one minute after `eligible(T0)`.
pub(crate) fn network_error(unix_secs: i64) -> CheckRecord {
    let mut r = CheckRecord::new(
        unix_secs,
        Facility::SelfRunningInsurer("INS-0001".parse().unwrap()),
        Purpose::for_online_check(RequestedUse::SpecificHealthGuidance).unwrap(),
        EvidenceKind::Mynaportal,
        "26000000013".parse().unwrap(),
        "06110829".parse().unwrap(),
        CheckOutcome::Error(CheckErrorKind::Network),
    );
    r.codes.error_code = Some("E0001".to_owned());
    r
}

/// A not-eligible check with a certificate serial.
pub(crate) fn not_eligible_with_serial(unix_secs: i64, serial: &[u8]) -> CheckRecord {
    let mut r = eligible(unix_secs);
    r.outcome = CheckOutcome::Verdict(Outcome::NotEligible);
    r.codes.qualification_validity = Some(QualificationValidity::Invalid);
    r.certificate_serial = Some(CertificateSerial::new(serial).unwrap());
    r
}

/// A store at `path` holding `n` rows (row 3, if any, is the not-eligible one).
pub(crate) fn filled(path: &Path, n: i64) -> (SqliteAuditStore, Vec<Receipt>) {
    let mut store = SqliteAuditStore::open(path).unwrap();
    let receipts = (1..=n)
        .map(|i| {
            let t = T0 + 60 * i;
            let rec = match i {
                3 => not_eligible_with_serial(t, &[0x12, 0x34, 0x56]),
                i if i % 2 == 0 => network_error(t),
                _ => eligible(t),
            };
            store.append(&rec).unwrap()
        })
        .collect();
    (store, receipts)
}

/// A plain SQLite connection to the same file, as a tamperer would open it.
pub(crate) fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}
