//! Audit queries over elig-client's SQLite store (the one `Check::run` appends to).

use std::sync::{Mutex, PoisonError};

use elig_client::audit::{AuditEntry, SqliteAuditStore};

use crate::EligError;
use crate::values::parse_date;

/// One stored check (elig-client's `AuditEntry`; no PIN, no My Number, no name).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditRow {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When the check ended, Unix seconds.
    pub unix_secs: i64,
    /// Its day in Japan, `YYYY-MM-DD`.
    pub jst_date: String,
    /// The facility's number or code.
    pub facility: String,
    /// The purpose, in English.
    pub purpose: String,
    /// The evidence kind, in English.
    pub evidence: String,
    /// `eligible`, `not_eligible`, `needs_review` or `error`.
    pub outcome: String,
    /// The error kind, for `error`.
    pub error_kind: Option<String>,
    /// 受診券整理番号 / 利用券整理番号 (shown only where the app's job is to show records).
    pub voucher_number: String,
    /// This row's digest, hex.
    pub digest: String,
}

impl From<&AuditEntry> for AuditRow {
    fn from(e: &AuditEntry) -> Self {
        AuditRow {
            seq: e.seq,
            unix_secs: e.unix_secs,
            jst_date: e.jst_date.to_string(),
            facility: e.facility.as_str().to_owned(),
            purpose: e.purpose.name_en().to_owned(),
            evidence: e.evidence.name_en().to_owned(),
            outcome: e.outcome.code().to_owned(),
            error_kind: e.outcome.error_code().map(str::to_owned),
            voucher_number: e.voucher_number.as_str().to_owned(),
            digest: e.digest.to_hex(),
        }
    }
}

/// What a chain verification found.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChainCheck {
    /// Rows checked (all of them).
    pub rows: u64,
    /// The last row's digest, hex (keep it elsewhere to catch a rewrite of the whole chain).
    pub head: String,
}

/// The desk's audit store, opened for queries. Calls **block** on the database (short, local
/// disk I/O; up to the busy timeout while a check appends).
#[derive(Debug, uniffi::Object)]
pub struct AuditStore(Mutex<SqliteAuditStore>);

#[uniffi::export]
impl AuditStore {
    /// Opens (or creates) the store at `path`.
    ///
    /// # Errors
    /// [`EligError::Audit`] when the file cannot be opened or is not an audit store.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Self, EligError> {
        SqliteAuditStore::open(path)
            .map(|s| AuditStore(Mutex::new(s)))
            .map_err(audit_error)
    }

    /// Number of rows.
    ///
    /// # Errors
    /// [`EligError::Audit`] on a database failure.
    pub fn row_count(&self) -> Result<u64, EligError> {
        self.store().len().map_err(audit_error)
    }

    /// The checks of one day in Japan (`YYYY-MM-DD`), in recording order.
    ///
    /// # Errors
    /// [`EligError::Caller`] for a malformed date, [`EligError::Audit`] on a database failure.
    pub fn entries_on(&self, day: String) -> Result<Vec<AuditRow>, EligError> {
        let day = parse_date(&day)?;
        let entries = self.store().entries_on(day).map_err(audit_error)?;
        Ok(entries.iter().map(AuditRow::from).collect())
    }

    /// Walks the whole hash chain.
    ///
    /// # Errors
    /// [`EligError::Audit`] naming the first row that does not hold, or a database failure.
    pub fn verify(&self) -> Result<ChainCheck, EligError> {
        let report = self.store().verify().map_err(audit_error)?;
        Ok(ChainCheck {
            rows: report.rows,
            head: report.head.to_hex(),
        })
    }
}

impl AuditStore {
    fn store(&self) -> std::sync::MutexGuard<'_, SqliteAuditStore> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn audit_error(e: elig_client::audit::AuditError) -> EligError {
    EligError::Audit(format!("audit store: {e}"))
}
