//! What can go wrong with the audit store, and whose fault it is.

use core::fmt;
use std::time::Duration;

use rusqlite::ErrorCode;

/// Why the audit store could not record, read or verify. Every error of
/// [`AuditSink::append`](super::AuditSink::append) means **the check was not recorded**: the
/// reception screen must not show the verdict as recorded.
///
/// No variant carries a voucher number, insurer number or any other value of a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The disk is full, or the database reached the size limit it was opened with
    /// (`SQLITE_FULL`). The machine's operator is at fault: free space, then retry.
    #[error("the audit database is full (SQLITE_FULL): nothing was recorded")]
    Full,
    /// Another connection held the database's write lock for longer than the busy timeout
    /// (`SQLITE_BUSY` / `SQLITE_LOCKED`). Another program (or a stuck one) is at fault.
    #[error("the audit database stayed locked for {waited:?} (SQLITE_BUSY): nothing was recorded")]
    Locked {
        /// The busy timeout the store waited for.
        waited: Duration,
    },
    /// The file is not an SQLite database, or it is damaged (`SQLITE_NOTADB`,
    /// `SQLITE_CORRUPT`). The storage (or whoever wrote the file) is at fault.
    #[error("the audit database is corrupt or not a database: {detail}")]
    Corrupt {
        /// SQLite's description.
        detail: String,
    },
    /// The database was written by a newer version of this crate (its `user_version` is
    /// higher than this build knows). Upgrade the software; do not downgrade databases.
    #[error("the audit database has schema version {found}; this build knows up to {supported}")]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The newest schema this build reads and writes.
        supported: i64,
    },
    /// The hash chain does not hold: a row was edited, deleted, inserted or reordered after
    /// it was written. Whoever changed the file is at fault; the rows before
    /// [`ChainBreak::seq`] are intact.
    #[error("the audit chain is broken: {0}")]
    ChainBroken(ChainBreak),
    /// A stored value cannot be read back as its type (an unknown code or a malformed
    /// identifier in row `seq`). The file was changed outside this crate.
    #[error("audit row {seq}: column {column} holds a value this build cannot read")]
    UnreadableRow {
        /// The row's sequence number.
        seq: u64,
        /// The column's name.
        column: &'static str,
    },
    /// The caller handed in a record that cannot be stored as it is (the caller is at
    /// fault); nothing was recorded.
    #[error("the audit record cannot be stored: {0}")]
    InvalidRecord(InvalidRecord),
    /// Writing an export to the caller's writer failed (the writer is at fault).
    #[error("writing the audit export failed: {detail}")]
    Output {
        /// The I/O error's description.
        detail: String,
    },
    /// The operating system's random source failed while creating the store's key.
    #[error("the operating system's random source failed")]
    Randomness,
    /// The central audit database (the PostgreSQL store, feature `postgres`) cannot be
    /// reached: connection refused, timed out or dropped, the server shut down, TLS failed.
    /// The network or the server is at fault; nothing more was recorded or shipped — retry
    /// when it is back.
    #[error("the central audit database cannot be reached: {detail}")]
    Unreachable {
        /// What the connection reported (no record values).
        detail: String,
    },
    /// The central audit database refused the login (wrong password or user, SQLSTATE class
    /// 28). The caller's configuration is at fault.
    #[error("the central audit database refused the login: {detail}")]
    Authentication {
        /// The server's message.
        detail: String,
    },
    /// The central audit database answered with an error (SQLSTATE `code`). The server or its
    /// administrator is at fault (permissions, disk, a changed schema).
    #[error("the central audit database failed (SQLSTATE {code}): {detail}")]
    Server {
        /// The five-character SQLSTATE.
        code: String,
        /// The server's message (never a row's values).
        detail: String,
    },
    /// The store was asked for something its configuration forbids (a malformed database
    /// URL or device name, a device fed by push used as a direct sink, the blocking API
    /// called from inside an async runtime). The caller is at fault.
    #[error("the audit store cannot do this: {detail}")]
    Config {
        /// What is wrong, and what to do instead.
        detail: String,
    },
    /// Any other storage failure (cannot open or create the file, I/O error, read-only
    /// file system …). The environment is at fault.
    #[error("audit storage failed (SQLite {code}): {detail}")]
    Storage {
        /// SQLite's primary result code name, or `"rusqlite"` for errors of the wrapper.
        code: String,
        /// The description.
        detail: String,
    },
}

/// What is wrong with a record handed to [`AuditSink::append`](super::AuditSink::append).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidRecord {
    /// The time is not within the years 1970–9999 in Japan.
    TimeOutOfRange,
    /// A result code is empty, longer than
    /// [`ResultCodes::MAX_CODE_BYTES`](super::ResultCodes::MAX_CODE_BYTES) or not printable
    /// ASCII (codes are short ASCII tokens; the limit keeps free text — and with it personal
    /// data — out of the records).
    ResultCode,
    /// The certificate serial number is empty or longer than 20 bytes (RFC 5280 §4.1.2.2).
    CertificateSerial,
    /// A value of voucher-model that this build cannot encode (a newer variant).
    Unsupported,
}

impl fmt::Display for InvalidRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidRecord::TimeOutOfRange => "the time is outside 1970-01-01..9999-12-31 JST",
            InvalidRecord::ResultCode => "a result code is empty, too long or not ASCII",
            InvalidRecord::CertificateSerial => "the certificate serial is empty or over 20 bytes",
            InvalidRecord::Unsupported => "a value this build cannot encode",
        })
    }
}

/// Where and how the hash chain breaks (see [`verify`](super::SqliteAuditStore::verify)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first row that does not hold (for [`BreakKind::HeadMismatch`]: the last row, 0 if
    /// the table is empty).
    pub seq: u64,
    /// What does not hold.
    pub kind: BreakKind,
}

/// The kinds of chain break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BreakKind {
    /// The row's stored digest is not the digest of its content: the row was edited.
    DigestMismatch,
    /// The row does not commit to the previous row's digest: a row was inserted before it,
    /// or rows were reordered.
    PreviousMismatch,
    /// The sequence numbers jump: rows before this one were deleted (or renumbered).
    SequenceGap {
        /// The sequence number that should have come next.
        expected: u64,
    },
    /// The last row is not the head recorded at the last append: rows were deleted from
    /// (or appended to) the end outside this crate.
    HeadMismatch,
    /// The central store already holds row `seq` of this device with another digest (or the
    /// local store no longer has it): the local store was replaced, rewritten or cut short
    /// after it was pushed, or two desks push under one device name.
    Diverged,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            BreakKind::DigestMismatch => write!(f, "row {seq} was edited (digest mismatch)"),
            BreakKind::PreviousMismatch => {
                write!(
                    f,
                    "row {seq} does not follow the row before it (inserted or reordered)"
                )
            }
            BreakKind::SequenceGap { expected } => {
                write!(f, "row {expected} is missing (found {seq} after it)")
            }
            BreakKind::Diverged => write!(
                f,
                "row {seq} differs from the row the central store already holds (replaced \
                 store, or two desks under one device name)"
            ),
            BreakKind::HeadMismatch => {
                write!(
                    f,
                    "the last row {seq} is not the recorded head (rows cut off or added)"
                )
            }
        }
    }
}

/// Maps a rusqlite error to the typed error; `busy` is the timeout the store waited.
pub(crate) fn from_sqlite(e: rusqlite::Error, busy: Duration) -> AuditError {
    match e {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let detail = message.unwrap_or_else(|| failure.to_string());
            match failure.code {
                ErrorCode::DiskFull => AuditError::Full,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    AuditError::Locked { waited: busy }
                }
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
                    AuditError::Corrupt { detail }
                }
                code => AuditError::Storage {
                    code: format!("{code:?}"),
                    detail,
                },
            }
        }
        other => AuditError::Storage {
            code: "rusqlite".to_owned(),
            detail: other.to_string(),
        },
    }
}
