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
//! desk still holds the central head row with the same digest
//! ([`BreakKind::Diverged`](crate::audit::BreakKind::Diverged) otherwise) and verifies every
//! local row it ships; a tampered row is refused, the rows before it are shipped, and the
//! push stops there with [`AuditError::ChainBroken`]. Several pushes of one desk at once are
//! safe: the device's row lock orders their batches.
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
mod rows;
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

use super::AuditError;
use fault::from_pool;
pub(crate) use rows::{
    CENTRAL_COLUMNS, check_link, digest_from, insert_row, insert_rows, lock_head,
};

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
    /// Always `Some` until dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside another runtime; the last clone of a
        // store may well be dropped there, so let the worker threads wind down on their own.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
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
            inner: Arc::new(Inner {
                pool,
                runtime: Some(runtime),
            }),
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
        match &self.inner.runtime {
            Some(runtime) => runtime.block_on(f),
            None => Err(AuditError::Config {
                detail: "the PostgreSQL audit store was shut down".to_owned(),
            }),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::{ChainDigest, Row};
    use crate::audit::{BreakKind, ChainBreak};

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
