//! The central PostgreSQL audit store (feature `postgres`, issue 15): one database for an
//! organisation's many reception desks and checkup buses (巡回健診).
//!
//! - [`PgAuditStore::connect`] opens a pool of connections and brings the schema up to date
//!   (a versioned migration, see `schema.rs`).
//! - [`PgAuditStore::push`] is the **offline-first** path: a desk always records into its own
//!   [`SqliteAuditStore`](crate::audit::SqliteAuditStore); whenever the line is up, the push
//!   ships the rows the central store does not hold yet, exactly once.
//! - [`PgAuditStore::device_sink`] gives an [`AuditSink`](crate::audit::AuditSink) that
//!   records straight into PostgreSQL, for desks that are always online.
//! - [`PgAuditStore::entries`], [`counts_per_day`](PgAuditStore::counts_per_day),
//!   [`export_jsonl`](PgAuditStore::export_jsonl) and
//!   [`verify_device`](PgAuditStore::verify_device) are the organisation's queries.
//!
//! # Same rows, one chain per device
//! The central rows are the SQLite rows with the device's name in front: the same columns,
//! the same canonical encoding and digest ([`chain`](crate::audit::chain)). Each device
//! (desk or bus) has its own chain, so desks never wait for each other's chain head; the
//! database's own arrival check (a trigger, schema.rs) recomputes every arriving row's digest
//! and refuses a row that does not extend its device's chain, whichever client sends it.
//!
//! # Exactly once (this project's design)
//! The central store is the only "shipped up to" marker: each batch of a push takes its
//! device's row lock, reads the device's head (`seq`, digest) **in the same transaction**
//! that inserts the next rows, and commits. A push killed or cut off at any point loses at
//! most its uncommitted batch, which the server rolls back; the next push starts from the
//! committed head again, so there is no gap, and `(device, seq)` is the primary key, so there
//! is no duplicate. No marker is written to the desk's file: a marker there could only lag
//! behind (killed between the central commit and the local write), and the push needs
//! nothing but read access to the desk's store. Before shipping, the push checks that the
//! desk still holds the central head row with the same digest ([`BreakKind::Diverged`]
//! otherwise) and verifies every local row it ships; a tampered row is refused, the rows
//! before it are shipped, and the push stops there with [`AuditError::ChainBroken`].
//!
//! # Durability
//! A receipt is handed out only after `COMMIT` returned, and every connection runs with
//! `synchronous_commit = on` (set at connection start, whatever the server's default), so
//! the commit waited for the server's WAL flush.
//!
//! # Why a feature of elig-client and not its own crate
//! The PostgreSQL store needs the row encoding, the chain, the row ⇄ entry mapping and the
//! store-only [`Receipt`](crate::audit::Receipt) constructor, which are crate-private on
//! purpose (one copy of the encoding; only a store makes receipts). A separate crate would
//! have had to make them public API. Behind the `postgres` feature the core still never sees
//! tokio, tokio-postgres, deadpool or rustls, as with the `tokio` feature.
//!
//! # Blocking API
//! [`AuditSink`](crate::audit::AuditSink) is synchronous, and so is this API: the store owns
//! a small tokio runtime and blocks on it. Do not call it from inside an async runtime (it
//! returns [`AuditError::Config`]); use `spawn_blocking` there. A store is cheap to clone
//! and may be used from many threads at once (they share the pool).

mod fault;
mod push;
mod query;
mod schema;
mod sink;
mod tls;

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};

pub use push::{PushOptions, PushReport, push_file};
pub use query::{CentralEntry, DayCount, Query};
pub use sink::PgAuditSink;
pub use tls::PgTls;

use super::chain::{ChainDigest, Row};
use super::{AuditError, BreakKind, ChainBreak};
use fault::from_pool;

/// How to connect a [`PgAuditStore`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PgOptions {
    /// TLS to the server. Default: none (a server on loopback or a private network).
    pub tls: PgTls,
    /// Most connections the pool opens. Default 8.
    pub max_connections: usize,
    /// How long connecting (and waiting for a free pooled connection) may take before
    /// [`AuditError::Unreachable`]. Default 10 s (our choice: long enough for a mobile line,
    /// short enough for staff to see the error).
    pub connect_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> PgOptions {
        PgOptions {
            tls: PgTls::Disabled,
            max_connections: 8,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl PgOptions {
    /// These options with TLS settings.
    pub fn with_tls(mut self, tls: PgTls) -> PgOptions {
        self.tls = tls;
        self
    }

    /// These options with another pool size (at least 1).
    pub fn with_max_connections(mut self, n: usize) -> PgOptions {
        self.max_connections = n.max(1);
        self
    }

    /// These options with another connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> PgOptions {
        self.connect_timeout = timeout;
        self
    }
}

/// The central PostgreSQL audit store (module docs).
#[derive(Clone)]
pub struct PgAuditStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    runtime: tokio::runtime::Runtime,
}

impl core::fmt::Debug for PgAuditStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the URL: it may hold the password.
        f.debug_struct("PgAuditStore")
            .field("max_connections", &self.inner.pool.status().max_size)
            .finish_non_exhaustive()
    }
}

impl PgAuditStore {
    /// Connects to `url` (`postgres://user:password@host:port/dbname`, or the key=value form
    /// of libpq) and creates or upgrades the schema.
    ///
    /// Errors: [`AuditError::Config`] for a malformed URL, [`AuditError::Unreachable`],
    /// [`AuditError::Authentication`], [`AuditError::SchemaTooNew`], [`AuditError::Server`].
    pub fn connect(url: &str, options: &PgOptions) -> Result<PgAuditStore, AuditError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|_| AuditError::Config {
            detail: "the PostgreSQL URL is malformed (expected postgres://user:password@host:port/database)"
                .to_owned(),
        })?;
        match (&options.tls, config.get_ssl_mode()) {
            (PgTls::Required { .. }, _) => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
            }
            (PgTls::Disabled, tokio_postgres::config::SslMode::Disable) => {}
            (PgTls::Disabled, tokio_postgres::config::SslMode::Prefer) => {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            }
            (PgTls::Disabled, _) => {
                return Err(AuditError::Config {
                    detail: "the URL asks for TLS; give the server's CA certificate to use it"
                        .to_owned(),
                });
            }
        }
        config.connect_timeout(options.connect_timeout);
        config.options("-c synchronous_commit=on");
        config.application_name("elig-audit");
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match tls::connector(&options.tls)? {
            None => Manager::from_config(config, tokio_postgres::NoTls, manager_config),
            Some(tls) => Manager::from_config(config, tls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(options.connect_timeout))
            .create_timeout(Some(options.connect_timeout))
            .build()
            .map_err(|e| AuditError::Config {
                detail: format!("the connection pool cannot be built: {e}"),
            })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("elig-audit-pg")
            .enable_all()
            .build()
            .map_err(|e| AuditError::Storage {
                code: "runtime".to_owned(),
                detail: format!("cannot start the PostgreSQL client's runtime: {e}"),
            })?;
        let store = PgAuditStore {
            inner: Arc::new(Inner { pool, runtime }),
        };
        store.block_on(async {
            let mut client = store.client().await?;
            schema::migrate(&mut client).await
        })?;
        Ok(store)
    }

    /// Runs `f` to completion on the store's runtime.
    fn block_on<T>(&self, f: impl Future<Output = Result<T, AuditError>>) -> Result<T, AuditError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(AuditError::Config {
                detail: "the PostgreSQL audit store's API blocks; call it outside the async \
                         runtime (tokio::task::spawn_blocking)"
                    .to_owned(),
            });
        }
        self.inner.runtime.block_on(f)
    }

    /// A pooled connection.
    async fn client(&self) -> Result<deadpool_postgres::Object, AuditError> {
        self.inner.pool.get().await.map_err(from_pool)
    }
}

/// Checks a device name: 1–64 characters `A–Z a–z 0–9 . _ -` (our rule: names appear in
/// file names, URLs and logs without quoting).
pub(crate) fn check_device(device: &str) -> Result<(), AuditError> {
    let ok = !device.is_empty()
        && device.len() <= 64
        && device
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(AuditError::Config {
            detail: "a device name is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'"
                .to_owned(),
        })
    }
}

/// Checks a site name: 1–128 bytes of UTF-8 without control characters (our rule).
pub(crate) fn check_site(site: &str) -> Result<(), AuditError> {
    if !site.is_empty() && site.len() <= 128 && !site.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(AuditError::Config {
            detail: "a site name is 1 to 128 bytes of text without control characters".to_owned(),
        })
    }
}

/// Registers `device` at `site` if it is new; returns whether it appends directly (holds a
/// central HMAC key). An existing device keeps the site it was registered with.
pub(crate) async fn register(
    client: &deadpool_postgres::Object,
    device: &str,
    site: &str,
    key: Option<&[u8]>,
) -> Result<bool, AuditError> {
    client
        .execute(
            "INSERT INTO elig_audit_devices (device, site, serial_hmac_key) VALUES ($1, $2, $3) \
             ON CONFLICT (device) DO NOTHING",
            &[&device, &site, &key],
        )
        .await
        .map_err(fault::from_pg)?;
    let row = client
        .query_one(
            "SELECT serial_hmac_key IS NOT NULL FROM elig_audit_devices WHERE device = $1",
            &[&device],
        )
        .await
        .map_err(fault::from_pg)?;
    row.try_get(0).map_err(fault::from_pg)
}

/// The central columns: `device`, then the SQLite store's columns in their order.
pub(crate) const CENTRAL_COLUMNS: &str = "device, seq, unix_secs, jst_date, facility_kind, \
     facility, purpose, evidence, voucher_number, insurer_number, outcome, error_kind, \
     qualification_validity, processing_result_code, error_code, serial_hmac, prev_digest, \
     digest";

/// Inserts one row of `device` (the arrival check verifies it and moves the head).
pub(crate) async fn insert_row(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
    row: &Row,
    digest: ChainDigest,
) -> Result<(), AuditError> {
    let stmt = tx
        .prepare_cached(&format!(
            "INSERT INTO elig_audit_checks ({CENTRAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, \
             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .await
        .map_err(fault::from_pg)?;
    let digest = digest.0.as_slice();
    tx.execute(
        &stmt,
        &[
            &device,
            &row.seq,
            &row.unix_secs,
            &row.jst_date,
            &row.facility_kind,
            &row.facility,
            &row.purpose,
            &row.evidence,
            &row.voucher_number,
            &row.insurer_number,
            &row.outcome,
            &row.error_kind,
            &row.qualification_validity,
            &row.processing_result_code,
            &row.error_code,
            &row.serial_hmac,
            &row.prev_digest,
            &digest,
        ],
    )
    .await
    .map_err(fault::from_pg)?;
    Ok(())
}

/// Inserts `rows` of `device` in order, in one statement (one round trip: the rows travel as
/// arrays, `unnest … WITH ORDINALITY` keeps their order); the arrival check verifies each.
pub(crate) async fn insert_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
    rows: &[(Row, ChainDigest)],
) -> Result<(), AuditError> {
    if rows.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO elig_audit_checks SELECT $1, u.seq, u.unix_secs, u.jst_date, \
             u.facility_kind, u.facility, u.purpose, u.evidence, u.voucher_number, \
             u.insurer_number, u.outcome, u.error_kind, u.qualification_validity, \
             u.processing_result_code, u.error_code, u.serial_hmac, u.prev_digest, u.digest \
             FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
             $13::text[], $14::text[], $15::text[], $16::bytea[], $17::bytea[], $18::bytea[]) \
             WITH ORDINALITY AS u(seq, unix_secs, jst_date, facility_kind, facility, purpose, \
             evidence, voucher_number, insurer_number, outcome, error_kind, \
             qualification_validity, processing_result_code, error_code, serial_hmac, \
             prev_digest, digest, ord) ORDER BY u.ord",
        )
        .await
        .map_err(fault::from_pg)?;
    let text = |f: fn(&Row) -> &str| rows.iter().map(|(r, _)| f(r)).collect::<Vec<&str>>();
    let opt = |f: fn(&Row) -> Option<&str>| rows.iter().map(|(r, _)| f(r)).collect::<Vec<_>>();
    let seqs: Vec<i64> = rows.iter().map(|(r, _)| r.seq).collect();
    let times: Vec<i64> = rows.iter().map(|(r, _)| r.unix_secs).collect();
    let hmacs: Vec<Option<&[u8]>> = rows.iter().map(|(r, _)| r.serial_hmac.as_deref()).collect();
    let prevs: Vec<&[u8]> = rows.iter().map(|(r, _)| r.prev_digest.as_slice()).collect();
    let digests: Vec<&[u8]> = rows.iter().map(|(_, d)| d.0.as_slice()).collect();
    let (jst, kind, facility) = (
        text(|r| &r.jst_date),
        text(|r| &r.facility_kind),
        text(|r| &r.facility),
    );
    let (purpose, evidence, voucher, insurer, outcome) = (
        text(|r| &r.purpose),
        text(|r| &r.evidence),
        text(|r| &r.voucher_number),
        text(|r| &r.insurer_number),
        text(|r| &r.outcome),
    );
    let (error_kind, validity, processing, error_code) = (
        opt(|r| r.error_kind.as_deref()),
        opt(|r| r.qualification_validity.as_deref()),
        opt(|r| r.processing_result_code.as_deref()),
        opt(|r| r.error_code.as_deref()),
    );
    tx.execute(
        &stmt,
        &[
            &device,
            &seqs,
            &times,
            &jst,
            &kind,
            &facility,
            &purpose,
            &evidence,
            &voucher,
            &insurer,
            &outcome,
            &error_kind,
            &validity,
            &processing,
            &error_code,
            &hmacs,
            &prevs,
            &digests,
        ],
    )
    .await
    .map_err(fault::from_pg)?;
    Ok(())
}

/// Checks that `row` (stored digest `stored`) is row `expected` and follows `prev`; returns
/// its digest.
pub(crate) fn check_link(
    row: &Row,
    stored: &[u8],
    expected: u64,
    prev: ChainDigest,
) -> Result<ChainDigest, ChainBreak> {
    let seq = u64::try_from(row.seq).unwrap_or(0);
    let broken = |kind| ChainBreak { seq, kind };
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
    Ok(digest)
}

/// A 32-byte digest read from the central store.
pub(crate) fn digest_from(bytes: &[u8], what: &str) -> Result<ChainDigest, AuditError> {
    <[u8; 32]>::try_from(bytes)
        .map(ChainDigest)
        .map_err(|_| AuditError::Server {
            code: "elig".to_owned(),
            detail: format!("the central store holds a malformed {what}"),
        })
}

/// The head (`seq`, digest) of `device`, locking the device's row until the transaction
/// ends; `None` for an unknown device.
pub(crate) async fn lock_head(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
) -> Result<Option<(u64, ChainDigest)>, AuditError> {
    let row = tx
        .query_opt(
            "SELECT head_seq, head_digest FROM elig_audit_devices WHERE device = $1 FOR UPDATE",
            &[&device],
        )
        .await
        .map_err(fault::from_pg)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let seq: i64 = row.try_get(0).map_err(fault::from_pg)?;
    let digest: Vec<u8> = row.try_get(1).map_err(fault::from_pg)?;
    Ok(Some((
        u64::try_from(seq).unwrap_or(0),
        digest_from(&digest, "head digest")?,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_are_plain_tokens() {
        for ok in ["desk-01", "bus.3", "A_b-9", &"x".repeat(64)] {
            assert!(check_device(ok).is_ok(), "{ok}");
        }
        for bad in ["", "bad name", "desk/1", "バス", &"x".repeat(65), "d'1"] {
            assert!(
                matches!(check_device(bad), Err(AuditError::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn site_names_are_text_without_controls() {
        assert!(check_site("札幌健診センター").is_ok());
        assert!(check_site("bus north").is_ok());
        for bad in ["", "a\nb", "tab\there", &"x".repeat(129)] {
            assert!(
                matches!(check_site(bad), Err(AuditError::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_chain_link_is_checked_like_the_local_verify() {
        let row = |seq: i64, prev: ChainDigest| Row {
            seq,
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
            qualification_validity: None,
            processing_result_code: None,
            error_code: None,
            serial_hmac: None,
            prev_digest: prev.0.to_vec(),
        };
        let r1 = row(1, ChainDigest::GENESIS);
        let d1 = r1.digest();
        assert_eq!(check_link(&r1, &d1.0, 1, ChainDigest::GENESIS), Ok(d1));
        let kind = |r: Result<ChainDigest, ChainBreak>| r.map_err(|b| b.kind);
        assert_eq!(
            kind(check_link(&r1, &d1.0, 2, ChainDigest::GENESIS)),
            Err(BreakKind::SequenceGap { expected: 2 })
        );
        assert_eq!(
            kind(check_link(&r1, &d1.0, 1, d1)),
            Err(BreakKind::PreviousMismatch)
        );
        assert_eq!(
            kind(check_link(&r1, &[0; 32], 1, ChainDigest::GENESIS)),
            Err(BreakKind::DigestMismatch)
        );
    }
}
