//! Audit records: one append-only, hash-chained row per check (issue 11, item 4).
//!
//! The session hands a [`CheckRecord`] to an [`AuditSink`] when a check ends and shows the
//! verdict as **recorded** only once [`AuditSink::append`] returned a [`Receipt`]; an
//! [`AuditError`] means the check was not recorded. The default sink is
//! [`SqliteAuditStore`] (one SQLite file per desk, DESIGN.md "Audit store").
//!
//! What a row holds, and what it never holds, is listed in [`record`]; how rows are chained
//! in [`chain`]; the export format in [`export`].
//!
//! With the cargo feature `postgres`, the module `postgres` adds the central PostgreSQL store
//! of an organisation's many desks and buses: the same rows and chain, one chain per device,
//! fed by an exactly-once push from each desk's SQLite store (issue 15).
//!
//! ```
//! use elig_client::audit::{AuditSink, CheckOutcome, CheckRecord, DayRange, SqliteAuditStore};
//! use voucher_model::{EvidenceKind, Facility, Outcome, Purpose, RequestedUse};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = SqliteAuditStore::open(dir.path().join("audit.sqlite3"))?;
//! let record = CheckRecord::new(
//!     1_775_000_000, // 2026-04-01 08:33:20 JST
//!     Facility::CheckupInstitution("0110113719".parse()?),
//!     Purpose::for_online_check(RequestedUse::SpecificHealthCheckup)?,
//!     EvidenceKind::OnlinePin,
//!     "26000000013".parse()?,
//!     "06110829".parse()?,
//!     CheckOutcome::Verdict(Outcome::Eligible),
//! );
//! let receipt = store.append(&record)?;
//! assert_eq!(receipt.seq(), 1);
//! assert!(store.contains(&receipt)?);
//! assert_eq!(store.verify()?.head, receipt.digest());
//! let mut jsonl = Vec::new();
//! assert_eq!(store.export_jsonl(DayRange::all(), &mut jsonl)?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod chain;
mod error;
pub mod export;
mod key;
#[cfg(feature = "postgres")]
pub mod postgres;
mod range;
pub mod record;
mod row;
mod schema;
mod sqlite;

use core::fmt;

pub use chain::ChainDigest;
pub use error::{AuditError, BreakKind, ChainBreak, InvalidRecord};
pub use key::keyed_serial_hash;
pub use range::DayRange;
pub use record::{
    AuditEntry, CertificateSerial, CheckErrorKind, CheckOutcome, CheckRecord, ResultCodes,
    SerialHmac,
};
pub use sqlite::{ChainReport, SqliteAuditStore, StoreOptions};

/// Where the session records each check. Object-safe: a session holds a
/// `Box<dyn AuditSink>`.
pub trait AuditSink: Send {
    /// Appends one record durably, then returns the receipt. An error means the record was
    /// **not** stored (the session must not show the verdict as recorded).
    fn append(&mut self, record: &CheckRecord) -> Result<Receipt, AuditError>;
}

/// Proof that a record was committed: its position in the chain and its digest. Only a
/// store makes one, after its commit succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Receipt {
    seq: u64,
    digest: ChainDigest,
}

impl Receipt {
    /// For stores (this crate's, and later ones) to hand out after a successful commit.
    pub(crate) fn new(seq: u64, digest: ChainDigest) -> Receipt {
        Receipt { seq, digest }
    }

    /// The row's position in the chain (from 1).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The row's digest (it commits to every row before it).
    pub fn digest(&self) -> ChainDigest {
        self.digest
    }
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit row {} digest {}", self.seq, self.digest)
    }
}
