//! The default durable store: one SQLite file per desk.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::chain::{ChainDigest, Row};
use super::error::{AuditError, BreakKind, ChainBreak, from_sqlite};
use super::key::SerialKey;
use super::range::DayRange;
use super::record::{AuditEntry, CheckRecord};
use super::row::{entry_of, row_for};
use super::schema::{
    COLUMNS, HEAD_DIGEST_SETTING, HEAD_SEQ_SETTING, KEY_SETTING, SCHEMA_V1, SCHEMA_VERSION,
};
use super::{AuditSink, Receipt};

/// How to open a [`SqliteAuditStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreOptions {
    /// How long an append waits for another connection's write lock before it fails with
    /// [`AuditError::Locked`]. Default 5 s (our choice: longer than any append, short enough
    /// for staff to see the error while the person is still at the desk).
    pub busy_timeout: Duration,
    /// An upper bound on the database size, in pages (`PRAGMA max_page_count`); reaching it
    /// fails an append with [`AuditError::Full`], exactly as a full disk does. Default: none.
    pub max_pages: Option<u32>,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
            max_pages: None,
        }
    }
}

impl StoreOptions {
    /// These options with another busy timeout.
    pub fn with_busy_timeout(mut self, timeout: Duration) -> StoreOptions {
        self.busy_timeout = timeout;
        self
    }

    /// These options with a size limit in pages.
    pub fn with_max_pages(mut self, pages: u32) -> StoreOptions {
        self.max_pages = Some(pages);
        self
    }
}

/// What a successful [`SqliteAuditStore::verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChainReport {
    /// Rows checked (all of them).
    pub rows: u64,
    /// The last row's digest ([`ChainDigest::GENESIS`] when empty). Keep it elsewhere (print
    /// it, push it): a later verify against it also catches a rewrite of the whole chain.
    pub head: ChainDigest,
}

/// The SQLite audit store.
///
/// - **WAL journal, `synchronous=FULL`:** every append is one transaction whose commit
///   `fsync`s the write-ahead log before [`AuditSink::append`] returns its [`Receipt`]. A
///   verdict shown as recorded must survive a power cut at the desk, not only a crashed
///   process; `synchronous=NORMAL` (the usual WAL setting) may lose the last commits on power
///   loss, so it is not used. WAL lets staff read the day's records while a check appends.
/// - **Busy timeout** ([`StoreOptions::busy_timeout`]): a second program holding the lock
///   delays an append up to that long, then the append fails as [`AuditError::Locked`].
/// - **Schema versioned** by `PRAGMA user_version`, created on first open; a newer version
///   is refused ([`AuditError::SchemaTooNew`]).
pub struct SqliteAuditStore {
    conn: Connection,
    key: SerialKey,
    busy: Duration,
}

impl core::fmt::Debug for SqliteAuditStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteAuditStore")
            .field("path", &self.conn.path())
            .field("busy_timeout", &self.busy)
            .finish_non_exhaustive()
    }
}

impl SqliteAuditStore {
    /// Opens (creating if needed) the store at `path` with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteAuditStore, AuditError> {
        SqliteAuditStore::open_with(path, &StoreOptions::default())
    }

    /// Opens (creating if needed) the store at `path`.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: &StoreOptions,
    ) -> Result<SqliteAuditStore, AuditError> {
        let busy = options.busy_timeout;
        let map = |e| from_sqlite(e, busy);
        let mut conn = Connection::open(path).map_err(map)?;
        conn.busy_timeout(busy).map_err(map)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(map)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(AuditError::Storage {
                code: "journal_mode".to_owned(),
                detail: format!("the database refused WAL mode (it is in {mode} mode)"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(map)?;
        if let Some(pages) = options.max_pages {
            let _: i64 = conn
                .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                    r.get(0)
                })
                .map_err(map)?;
        }
        create_or_check_schema(&mut conn, busy)?;
        let key: Option<Vec<u8>> = conn
            .query_row(
                "SELECT value FROM settings WHERE name = ?1",
                [KEY_SETTING],
                |r| r.get(0),
            )
            .optional()
            .map_err(map)?;
        let key = key
            .as_deref()
            .and_then(SerialKey::from_bytes)
            .ok_or_else(|| AuditError::Corrupt {
                detail: "the store's HMAC key is missing or malformed".to_owned(),
            })?;
        Ok(SqliteAuditStore { conn, key, busy })
    }

    fn map(&self) -> impl Fn(rusqlite::Error) -> AuditError + use<> {
        let busy = self.busy;
        move |e| from_sqlite(e, busy)
    }

    /// Walks the whole chain from row 1 and reports the first row that does not hold
    /// ([`AuditError::ChainBroken`]): an edited, deleted, inserted or reordered row, or rows
    /// cut off the end.
    pub fn verify(&self) -> Result<ChainReport, AuditError> {
        let map = self.map();
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM checks ORDER BY seq"))
            .map_err(&map)?;
        let mut rows = stmt.query([]).map_err(&map)?;
        let mut expected: u64 = 1;
        let mut prev = ChainDigest::GENESIS;
        let mut last_seq: u64 = 0;
        while let Some(r) = rows.next().map_err(&map)? {
            let (row, stored) = read_row(r).map_err(&map)?;
            let seq = u64::try_from(row.seq).unwrap_or(0);
            let broken = |kind| AuditError::ChainBroken(ChainBreak { seq, kind });
            if seq != expected {
                return Err(broken(BreakKind::SequenceGap { expected }));
            }
            if row.prev_digest != prev.0 {
                return Err(broken(BreakKind::PreviousMismatch));
            }
            let digest = row.digest();
            if stored != digest.0 {
                return Err(broken(BreakKind::DigestMismatch));
            }
            prev = digest;
            last_seq = seq;
            expected = expected.saturating_add(1);
        }
        let (head_seq, head_digest) = read_head(&self.conn).map_err(&map)?;
        if head_seq != last_seq || head_digest != prev {
            return Err(AuditError::ChainBroken(ChainBreak {
                seq: last_seq,
                kind: BreakKind::HeadMismatch,
            }));
        }
        Ok(ChainReport {
            rows: last_seq,
            head: prev,
        })
    }

    /// Whether the row a receipt names is in the store with the receipt's digest.
    pub fn contains(&self, receipt: &Receipt) -> Result<bool, AuditError> {
        let seq = i64::try_from(receipt.seq()).unwrap_or(i64::MAX);
        let digest: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT digest FROM checks WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.map())?;
        Ok(digest.as_deref() == Some(receipt.digest().0.as_slice()))
    }

    /// The number of rows.
    pub fn len(&self) -> Result<u64, AuditError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM checks", [], |r| r.get(0))
            .map_err(self.map())?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Whether the store holds no row.
    pub fn is_empty(&self) -> Result<bool, AuditError> {
        Ok(self.len()? == 0)
    }

    /// The checks of one day in Japan, in the order they were recorded.
    pub fn entries_on(&self, day: voucher_model::Date) -> Result<Vec<AuditEntry>, AuditError> {
        self.entries(DayRange::day(day))
    }

    /// The checks whose JST day falls in `range`, in the order they were recorded.
    pub fn entries(&self, range: DayRange) -> Result<Vec<AuditEntry>, AuditError> {
        let mut out = Vec::new();
        self.for_each_row(range, |row, digest| {
            out.push(entry_of(row, digest)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` with every stored row in `range` and its stored digest, in order.
    pub(crate) fn for_each_row(
        &self,
        range: DayRange,
        mut f: impl FnMut(&Row, ChainDigest) -> Result<(), AuditError>,
    ) -> Result<(), AuditError> {
        let map = self.map();
        let (from, to) = range.bounds();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM checks WHERE jst_date >= ?1 AND jst_date <= ?2 \
                 ORDER BY seq"
            ))
            .map_err(&map)?;
        let mut rows = stmt.query(params![from, to]).map_err(&map)?;
        while let Some(r) = rows.next().map_err(&map)? {
            let (row, stored) = read_row(r).map_err(&map)?;
            let seq = u64::try_from(row.seq).unwrap_or(0);
            let digest =
                <[u8; 32]>::try_from(stored.as_slice()).map_err(|_| AuditError::UnreadableRow {
                    seq,
                    column: "digest",
                })?;
            f(&row, ChainDigest(digest))?;
        }
        Ok(())
    }

    /// Up to `limit` stored rows from `first_seq` on, in order, with their stored digests
    /// (unchecked: the caller verifies). The push reads the local store with it.
    #[cfg(feature = "postgres")]
    pub(crate) fn rows_from(
        &self,
        first_seq: u64,
        limit: u32,
    ) -> Result<Vec<(Row, Vec<u8>)>, AuditError> {
        let map = self.map();
        let first = i64::try_from(first_seq).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM checks WHERE seq >= ?1 ORDER BY seq LIMIT ?2"
            ))
            .map_err(&map)?;
        let rows = stmt
            .query_map(params![first, limit], read_row)
            .map_err(&map)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(&map)
    }

    /// The chain head recorded at the last append (`seq` 0 and the genesis digest when
    /// empty).
    #[cfg(feature = "postgres")]
    pub(crate) fn recorded_head(&self) -> Result<(u64, ChainDigest), AuditError> {
        read_head(&self.conn).map_err(self.map())
    }
}

impl AuditSink for SqliteAuditStore {
    fn append(&mut self, record: &CheckRecord) -> Result<Receipt, AuditError> {
        let map = self.map();
        let serial_hmac = record.certificate_serial.as_ref().map(|s| self.key.hmac(s));
        // Validate before taking the write lock.
        let mut row = row_for(record, 0, ChainDigest::GENESIS, serial_hmac)
            .map_err(AuditError::InvalidRecord)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&map)?;
        let (head_seq, head_digest) = read_head(&tx).map_err(&map)?;
        let seq = head_seq.checked_add(1).ok_or_else(|| AuditError::Storage {
            code: "seq".to_owned(),
            detail: "the sequence number is exhausted".to_owned(),
        })?;
        row.seq = i64::try_from(seq).map_err(|_| AuditError::Storage {
            code: "seq".to_owned(),
            detail: "the sequence number is exhausted".to_owned(),
        })?;
        row.prev_digest = head_digest.0.to_vec();
        let digest = row.digest();
        insert_row(&tx, &row, digest).map_err(&map)?;
        tx.execute(
            "UPDATE settings SET value = ?2 WHERE name = ?1",
            params![HEAD_SEQ_SETTING, row.seq],
        )
        .map_err(&map)?;
        tx.execute(
            "UPDATE settings SET value = ?2 WHERE name = ?1",
            params![HEAD_DIGEST_SETTING, digest.0.as_slice()],
        )
        .map_err(&map)?;
        // Only a successful COMMIT (with synchronous=FULL: after the WAL is fsync'ed) yields
        // a receipt; any error above rolls the transaction back when `tx` drops.
        tx.commit().map_err(&map)?;
        Ok(Receipt::new(seq, digest))
    }
}

/// Creates schema v1 on an empty database, or checks the version of an existing one.
fn create_or_check_schema(conn: &mut Connection, busy: Duration) -> Result<(), AuditError> {
    let map = |e| from_sqlite(e, busy);
    let check = |found: i64| {
        if found > SCHEMA_VERSION {
            Err(AuditError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            })
        } else {
            Ok(found)
        }
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map)?;
    if check(version)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map)?;
    // Another process may have created it while we waited for the lock.
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map)?;
    if check(version)? == SCHEMA_VERSION {
        return Ok(());
    }
    let key = SerialKey::generate()?;
    tx.execute_batch(SCHEMA_V1).map_err(map)?;
    let insert = "INSERT INTO settings (name, value) VALUES (?1, ?2)";
    tx.execute(insert, params![KEY_SETTING, key.bytes()])
        .map_err(map)?;
    tx.execute(insert, params![HEAD_SEQ_SETTING, 0_i64])
        .map_err(map)?;
    tx.execute(
        insert,
        params![HEAD_DIGEST_SETTING, ChainDigest::GENESIS.0.as_slice()],
    )
    .map_err(map)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(map)?;
    tx.commit().map_err(map)
}

/// The chain head recorded at the last append.
fn read_head(conn: &Connection) -> rusqlite::Result<(u64, ChainDigest)> {
    let seq: i64 = conn.query_row(
        "SELECT value FROM settings WHERE name = ?1",
        [HEAD_SEQ_SETTING],
        |r| r.get(0),
    )?;
    let digest: Vec<u8> = conn.query_row(
        "SELECT value FROM settings WHERE name = ?1",
        [HEAD_DIGEST_SETTING],
        |r| r.get(0),
    )?;
    let digest = <[u8; 32]>::try_from(digest.as_slice()).unwrap_or([0xff; 32]);
    Ok((u64::try_from(seq).unwrap_or(u64::MAX), ChainDigest(digest)))
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Row, Vec<u8>)> {
    Ok((
        Row {
            seq: r.get(0)?,
            unix_secs: r.get(1)?,
            jst_date: r.get(2)?,
            facility_kind: r.get(3)?,
            facility: r.get(4)?,
            purpose: r.get(5)?,
            evidence: r.get(6)?,
            voucher_number: r.get(7)?,
            insurer_number: r.get(8)?,
            outcome: r.get(9)?,
            error_kind: r.get(10)?,
            qualification_validity: r.get(11)?,
            processing_result_code: r.get(12)?,
            error_code: r.get(13)?,
            serial_hmac: r.get(14)?,
            prev_digest: r.get(15)?,
        },
        r.get(16)?,
    ))
}

fn insert_row(conn: &Connection, row: &Row, digest: ChainDigest) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO checks ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ),
        params![
            row.seq,
            row.unix_secs,
            row.jst_date,
            row.facility_kind,
            row.facility,
            row.purpose,
            row.evidence,
            row.voucher_number,
            row.insurer_number,
            row.outcome,
            row.error_kind,
            row.qualification_validity,
            row.processing_result_code,
            row.error_code,
            row.serial_hmac,
            row.prev_digest,
            digest.0.as_slice(),
        ],
    )?;
    Ok(())
}
