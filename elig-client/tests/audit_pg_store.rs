//! The central PostgreSQL audit store against a real PostgreSQL server, part 2 (issue 15):
//! typed connection errors, TLS, the direct sink, the organisation's queries, migrations,
//! and the BENCHMARKS.md measurement. Part 1 (`audit_pg.rs`) is the push. Run by
//! `scripts/postgres-test.sh`:
//!
//! ```text
//! cargo test -p elig-client --features postgres --test audit_pg_store -- --ignored
//! ```
#![cfg(all(unix, feature = "postgres"))]
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;
mod pg_common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::filled;
use elig_client::audit::postgres::{PgAuditStore, PgOptions, PushOptions, Query, push_file};
use elig_client::audit::{
    AuditError, AuditSink, CheckErrorKind, CheckOutcome, DayRange, SqliteAuditStore,
};
use pg_common::{PgCluster, assert_exactly, desk_dir, desk_record, desk_store};
use voucher_model::{Date, Outcome};

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn wrong_password_and_unreachable_server_are_typed_errors() {
    let mut cluster = PgCluster::start();
    let err = PgAuditStore::connect(&cluster.url_with("not-the-password"), &PgOptions::default())
        .unwrap_err();
    assert!(matches!(err, AuditError::Authentication { .. }), "{err:?}");
    assert!(!err.to_string().contains("not-the-password"));
    let port = cluster.port();
    cluster.stop();
    let options = PgOptions::default().with_connect_timeout(Duration::from_secs(5));
    let err = PgAuditStore::connect(&cluster.url(), &options).unwrap_err();
    assert!(matches!(err, AuditError::Unreachable { .. }), "{err:?}");
    // A URL that is not one is the caller's mistake.
    assert!(matches!(
        PgAuditStore::connect("postgres://[::1", &options),
        Err(AuditError::Config { .. })
    ));
    // The CLI's one-line call: no such desk database.
    assert!(matches!(
        push_file(
            &cluster.dir().join("missing.sqlite3"),
            &format!("postgres://elig@127.0.0.1:{port}/postgres"),
            "desk-1",
            "sapporo",
            &options
        ),
        Err(AuditError::Config { .. })
    ));
    // And with the desk database there, an unreachable server.
    let dir = desk_dir();
    let path = dir.path().join("a.sqlite3");
    drop(filled(&path, 2));
    assert!(matches!(
        push_file(&path, &cluster.url(), "desk-1", "sapporo", &options),
        Err(AuditError::Unreachable { .. })
    ));
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn direct_sink_queries_counts_export_and_migrations() {
    let cluster = PgCluster::start();
    let url = cluster.url();
    let central = PgAuditStore::connect(&url, &PgOptions::default()).unwrap();
    // Connecting again runs the migration step again: nothing to do.
    let central2 = PgAuditStore::connect(&url, &PgOptions::default()).unwrap();
    assert_eq!(
        cluster
            .psql("SELECT count(*) FROM elig_audit_schema")
            .unwrap(),
        "1"
    );

    // Eight threads record straight into one device's chain at once: one chain, no gap.
    let receipts: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let store = central2.clone();
                s.spawn(move || {
                    let mut sink: Box<dyn AuditSink> =
                        Box::new(store.device_sink("desk-direct", "osaka").unwrap());
                    (0..25)
                        .map(|i| sink.append(&desk_record(t, i)).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut seqs: Vec<u64> = receipts.iter().map(|r| r.seq()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
    let report = central.verify_device("desk-direct").unwrap();
    assert_eq!(report.rows, 200);
    assert!(receipts.iter().any(|r| r.digest() == report.head));

    // A pushed desk at another site.
    let dir = desk_dir();
    let local = desk_store(&dir, 1, 40);
    central
        .push(&local, "bus-1", "bus-north", &PushOptions::default())
        .unwrap();
    // A device is fed one way only.
    assert!(matches!(
        central.push(&local, "desk-direct", "osaka", &PushOptions::default()),
        Err(AuditError::Config { .. })
    ));
    assert!(matches!(
        central.device_sink("bus-1", "x"),
        Err(AuditError::Config { .. })
    ));
    assert!(matches!(
        central.device_sink("bad name", "x"),
        Err(AuditError::Config { .. })
    ));

    // By site, device, day, outcome.
    let by_site = central.entries(&Query::all().site("bus-north")).unwrap();
    assert_eq!(by_site.len(), 40);
    assert!(
        by_site
            .iter()
            .all(|e| e.device == "bus-1" && e.site == "bus-north")
    );
    assert_eq!(
        central
            .entries(&Query::all().device("desk-direct"))
            .unwrap()
            .len(),
        200
    );
    let day0 = Date::parse_iso("2026-04-01").unwrap();
    let on_day0 = central
        .entries(&Query::all().days(DayRange::day(day0)))
        .unwrap();
    assert!(!on_day0.is_empty());
    assert!(on_day0.iter().all(|e| e.entry.jst_date == day0));
    let errors = CheckOutcome::Error(CheckErrorKind::Network);
    let net = central
        .entries(&Query::all().device("bus-1").outcome(errors))
        .unwrap();
    assert_eq!(net.len(), 10);
    assert!(net.iter().all(|e| e.entry.outcome == errors));
    let eligible_on_day0 = central
        .entries(
            &Query::all()
                .days(DayRange::day(day0))
                .outcome(CheckOutcome::Verdict(Outcome::Eligible)),
        )
        .unwrap();
    assert!(
        eligible_on_day0.iter().all(|e| e.entry.jst_date == day0
            && e.entry.outcome == CheckOutcome::Verdict(Outcome::Eligible))
    );

    // Counts per day per outcome agree with the entries.
    let counts = central.counts_per_day(&Query::all()).unwrap();
    let all = central.entries(&Query::all()).unwrap();
    assert_eq!(all.len(), 240);
    let mut expected: BTreeMap<(Date, &str), u64> = BTreeMap::new();
    for e in &all {
        *expected
            .entry((e.entry.jst_date, e.entry.outcome.code()))
            .or_default() += 1;
    }
    let got: BTreeMap<(Date, &str), u64> = counts
        .iter()
        .map(|c| ((c.day, c.outcome.as_str()), c.count))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        got.keys()
            .map(|k| k.1)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4
    );

    // JSON Lines: one line per row, the device and site first, the local export's fields.
    let mut out = Vec::new();
    let n = central
        .export_jsonl(&Query::all().device("bus-1"), &mut out)
        .unwrap();
    assert_eq!(n, 40);
    let text = String::from_utf8(out).unwrap();
    let mut local_jsonl = Vec::new();
    local
        .export_jsonl(DayRange::all(), &mut local_jsonl)
        .unwrap();
    let local_lines: BTreeMap<u64, serde_json::Value> = String::from_utf8(local_jsonl)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["seq"].as_u64().unwrap(), v)
        })
        .collect();
    for line in text.lines() {
        assert!(
            line.starts_with(r#"{"device":"bus-1","site":"bus-north","seq":"#),
            "{line}"
        );
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        let obj = v.as_object_mut().unwrap();
        obj.remove("device");
        obj.remove("site");
        assert_eq!(&v, &local_lines[&v["seq"].as_u64().unwrap()]);
    }

    // A newer schema is refused.
    cluster
        .psql("INSERT INTO elig_audit_schema (version) VALUES (99)")
        .unwrap();
    assert_eq!(
        PgAuditStore::connect(&url, &PgOptions::default()).unwrap_err(),
        AuditError::SchemaTooNew {
            found: 99,
            supported: 1
        }
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn tls_with_the_trusted_ca_and_refused_with_another() {
    use elig_client::audit::postgres::PgTls;
    use rustls_pki_types::CertificateDer;
    let ca =
        elig_sandbox::pki::Authority::generate(b"pg tls", "CN=Audit DB CA,O=elig,C=JP").unwrap();
    let server = ca.issue_server().unwrap();
    let cluster = PgCluster::start_tls(server.cert_der(), &server.key_pkcs8_der().unwrap());
    // The CA as the CLI would get it: a PEM file.
    let ca_file = cluster.dir().join("ca.pem");
    std::fs::write(&ca_file, pg_common::pem("CERTIFICATE", ca.cert_der())).unwrap();
    let trusted = PgOptions::default().with_tls(PgTls::required_from_pem_file(&ca_file).unwrap());
    std::fs::write(cluster.dir().join("empty.pem"), "no PEM here\n").unwrap();
    for bad in ["empty.pem", "missing.pem"] {
        assert!(matches!(
            PgTls::required_from_pem_file(&cluster.dir().join(bad)),
            Err(AuditError::Config { .. })
        ));
    }
    // The server's certificate names 127.0.0.1 (and localhost).
    let central = PgAuditStore::connect(&cluster.url(), &trusted).unwrap();
    let dir = desk_dir();
    let (local, _) = filled(&dir.path().join("a.sqlite3"), 5);
    central
        .push(&local, "desk-tls", "sapporo", &PushOptions::default())
        .unwrap();
    assert_exactly(&cluster, "desk-tls", 5);
    // The pooled connection the push used is encrypted (seen by the server).
    let encrypted = cluster
        .psql("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.application_name = 'elig-audit'")
        .unwrap();
    assert_ne!(encrypted, "0");
    // Another CA: the handshake fails, typed, before any password is sent.
    let rogue = elig_sandbox::pki::Authority::generate(b"rogue", "CN=Rogue CA,O=x,C=JP").unwrap();
    let untrusted = PgOptions::default().with_tls(PgTls::Required {
        roots: vec![CertificateDer::from(rogue.cert_der().to_vec())],
    });
    let err = PgAuditStore::connect(&cluster.url(), &untrusted).unwrap_err();
    assert!(matches!(err, AuditError::Unreachable { .. }), "{err:?}");
    // A URL that asks for TLS without a CA to check the server with is refused up front.
    assert!(matches!(
        PgAuditStore::connect(
            &format!("{}?sslmode=require", cluster.url()),
            &PgOptions::default()
        ),
        Err(AuditError::Config { .. })
    ));
}

/// Issue 15 item 5: rows per second into PostgreSQL and into SQLite with their durability
/// settings, and push throughput, in one run. A measurement, not a test: it asserts only that
/// the work was done; the figures go to BENCHMARKS.md. Run:
///
/// ```text
/// ELIG_PG_BIN=/usr/lib/postgresql/15/bin cargo test -p elig-client --features postgres \
///     --test audit_pg_store -- --ignored --exact audit_figures --nocapture
/// ```
#[test]
#[ignore = "a measurement for BENCHMARKS.md; needs PostgreSQL"]
#[allow(clippy::print_stdout)]
fn audit_figures() {
    const APPENDS: usize = 300;
    const PUSHED: usize = 5000;
    let cluster = PgCluster::start();
    println!("postgres: {}", cluster.psql("SELECT version()").unwrap());
    println!(
        "postgres durability: fsync={} synchronous_commit={} (per connection: on) wal_sync_method={}",
        cluster.psql("SHOW fsync").unwrap(),
        cluster.psql("SHOW synchronous_commit").unwrap(),
        cluster.psql("SHOW wal_sync_method").unwrap()
    );
    let rate = |n: usize, t: Duration| n as f64 / t.as_secs_f64();

    // SQLite on disk (the same file system as the PostgreSQL cluster), WAL + synchronous=FULL.
    let disk = tempfile::tempdir().unwrap();
    let mut sqlite = SqliteAuditStore::open(disk.path().join("desk.sqlite3")).unwrap();
    let t = Instant::now();
    for i in 0..APPENDS {
        sqlite.append(&desk_record(0, i)).unwrap();
    }
    let sqlite_rate = rate(APPENDS, t.elapsed());
    println!("sqlite append (WAL, synchronous=FULL, one desk): {sqlite_rate:.0} rows/s");

    // PostgreSQL direct sink, one desk.
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    let mut sink = central.device_sink("desk-a", "sapporo").unwrap();
    let t = Instant::now();
    for i in 0..APPENDS {
        sink.append(&desk_record(0, i)).unwrap();
    }
    println!(
        "postgres append (commit per row, synchronous_commit=on, one desk): {:.0} rows/s",
        rate(APPENDS, t.elapsed())
    );

    // PostgreSQL direct sink, 8 desks at once (their own chains; group commit).
    let t = Instant::now();
    std::thread::scope(|s| {
        for d in 0..8 {
            let central = central.clone();
            s.spawn(move || {
                let mut sink = central
                    .device_sink(&format!("desk-p{d}"), "sapporo")
                    .unwrap();
                for i in 0..APPENDS / 2 {
                    sink.append(&desk_record(d, i)).unwrap();
                }
            });
        }
    });
    println!(
        "postgres append (8 desks at once, commit per row): {:.0} rows/s in total",
        rate(8 * (APPENDS / 2), t.elapsed())
    );

    // Push: a desk's day of rows (tmpfs store; the push reads it), default batch of 500.
    let desks = desk_dir();
    let local = desk_store(&desks, 9, PUSHED);
    let t = Instant::now();
    let report = central
        .push(&local, "bus-9", "bus-north", &PushOptions::default())
        .unwrap();
    assert_eq!(report.shipped, PUSHED as u64);
    println!(
        "push (batches of 500 rows, each one transaction, verified on both sides): {:.0} rows/s",
        rate(PUSHED, t.elapsed())
    );
    assert_exactly(&cluster, "bus-9", PUSHED as u64);
}
