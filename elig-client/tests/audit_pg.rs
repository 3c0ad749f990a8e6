//! The central PostgreSQL audit store against a real PostgreSQL server (issue 15, item 4).
//!
//! Every test starts its own throw-away cluster (`pg_common`), so they are `#[ignore]`d in a
//! plain `cargo test`; `scripts/postgres-test.sh` (run by `./test.sh`) runs them:
//!
//! ```text
//! cargo test -p elig-client --features postgres --test audit_pg -- --ignored
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
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{T0, eligible, filled, network_error, not_eligible_with_serial, raw};
use elig_client::audit::postgres::{PgAuditStore, PgOptions, PushOptions, Query, push_file};
use elig_client::audit::{
    AuditError, AuditSink, BreakKind, ChainBreak, CheckErrorKind, CheckOutcome, CheckRecord,
    DayRange, SqliteAuditStore,
};
use pg_common::{PgCluster, desk_dir};
use voucher_model::{Date, Outcome};

const ONE_DAY: i64 = 86_400;

/// Row `i` of desk `desk`: spread over three days, all four outcomes.
fn desk_record(desk: usize, i: usize) -> CheckRecord {
    let t = T0 + (i as i64 % 3) * ONE_DAY + i as i64 * 7 + desk as i64;
    match i % 4 {
        0 => eligible(t),
        1 => network_error(t),
        2 => not_eligible_with_serial(t, &[desk as u8 + 1, i as u8]),
        _ => {
            let mut r = eligible(t);
            r.outcome = CheckOutcome::Verdict(Outcome::NeedsStaffReview);
            r
        }
    }
}

fn desk_store(dir: &tempfile::TempDir, desk: usize, rows: usize) -> SqliteAuditStore {
    let mut store = SqliteAuditStore::open(dir.path().join(format!("desk{desk}.sqlite3"))).unwrap();
    for i in 0..rows {
        store.append(&desk_record(desk, i)).unwrap();
    }
    store
}

fn central_count(cluster: &PgCluster, device: &str) -> u64 {
    cluster
        .psql(&format!(
            "SELECT count(*) FROM elig_audit_checks WHERE device = '{device}'"
        ))
        .unwrap()
        .parse()
        .unwrap()
}

/// Nothing lost, nothing twice: `device` holds exactly rows 1..=n (primary key (device,
/// seq) makes duplicates impossible; this checks for gaps too).
fn assert_exactly(cluster: &PgCluster, device: &str, n: u64) {
    let got = cluster
        .psql(&format!(
            "SELECT count(*), count(DISTINCT seq), coalesce(min(seq), 0), coalesce(max(seq), 0) \
             FROM elig_audit_checks WHERE device = '{device}'"
        ))
        .unwrap();
    let want = if n == 0 {
        "0|0|0|0".to_owned()
    } else {
        format!("{n}|{n}|1|{n}")
    };
    assert_eq!(got, want, "device {device}");
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn thirty_two_desks_push_concurrently_nothing_lost_or_duplicated() {
    const DESKS: usize = 32;
    const ROUNDS: usize = 4;
    const PER_ROUND: usize = 30;
    let cluster = PgCluster::start();
    let url = cluster.url();
    let dirs = desk_dir();
    std::thread::scope(|s| {
        for desk in 0..DESKS {
            let (url, dirs) = (&url, &dirs);
            s.spawn(move || {
                // Each desk: its own connection pool, offline-first: record, push, record …
                let central =
                    PgAuditStore::connect(url, &PgOptions::default().with_max_connections(2))
                        .unwrap();
                let path = dirs.path().join(format!("desk{desk}.sqlite3"));
                let mut local = SqliteAuditStore::open(&path).unwrap();
                let site = if desk % 2 == 0 {
                    "sapporo"
                } else {
                    "bus-north"
                };
                for round in 0..ROUNDS {
                    for i in 0..PER_ROUND {
                        local
                            .append(&desk_record(desk, round * PER_ROUND + i))
                            .unwrap();
                    }
                    let report = central
                        .push(
                            &local,
                            &format!("desk-{desk:02}"),
                            site,
                            &PushOptions::default().with_batch_rows(7),
                        )
                        .unwrap();
                    assert_eq!(report.shipped, PER_ROUND as u64);
                    assert_eq!(report.head_seq, ((round + 1) * PER_ROUND) as u64);
                    assert_eq!(report.head, local.verify().unwrap().head);
                }
            });
        }
    });
    let central = PgAuditStore::connect(&url, &PgOptions::default()).unwrap();
    let total = (ROUNDS * PER_ROUND) as u64;
    for desk in 0..DESKS {
        let device = format!("desk-{desk:02}");
        assert_exactly(&cluster, &device, total);
        let local =
            SqliteAuditStore::open(dirs.path().join(format!("desk{desk}.sqlite3"))).unwrap();
        let report = central.verify_device(&device).unwrap();
        assert_eq!(report.rows, total);
        assert_eq!(report.head, local.verify().unwrap().head);
        // Pushing again ships nothing.
        let again = central
            .push(&local, &device, "sapporo", &PushOptions::default())
            .unwrap();
        assert_eq!(again.shipped, 0);
        // Same row content as the desk: the central entries are the local entries.
        let mine = central.entries(&Query::all().device(&device)).unwrap();
        let mut local_entries = local.entries(DayRange::all()).unwrap();
        let mut central_entries: Vec<_> = mine.into_iter().map(|c| c.entry).collect();
        local_entries.sort_by_key(|e| e.seq);
        central_entries.sort_by_key(|e| e.seq);
        assert_eq!(central_entries, local_entries);
    }
    let counts = central.counts_per_day(&Query::all()).unwrap();
    let sum: u64 = counts.iter().map(|c| c.count).sum();
    assert_eq!(sum, DESKS as u64 * total);
}

const CHILD_ENV: &str = "ELIG_AUDIT_PG_CHILD";

/// The child's part of `push_killed_midway_and_rerun`; does nothing unless the parent set
/// `ELIG_AUDIT_PG_CHILD=<db>|<url>`.
#[test]
#[ignore = "the child process of push_killed_midway_and_rerun"]
fn child_pusher() {
    let Ok(arg) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (db, url) = arg.split_once('|').unwrap();
    let local = SqliteAuditStore::open(db).unwrap();
    let central = PgAuditStore::connect(url, &PgOptions::default()).unwrap();
    central
        .push(
            &local,
            "bus-7",
            "bus-north",
            &PushOptions::default().with_batch_rows(5),
        )
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn push_killed_midway_and_rerun_leaves_no_gap_and_no_duplicate() {
    const ROWS: u64 = 3000;
    let cluster = PgCluster::start();
    let dir = desk_dir();
    let local = desk_store(&dir, 7, ROWS as usize);
    let db = dir.path().join("desk7.sqlite3");
    // Creates the schema, so the parent can count rows from the start.
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    let mut kills = 0;
    // Kill the pushing process (SIGKILL: no destructor, no rollback from the client) a few
    // times at different points, then let a last push finish.
    for kill_at in [1, 400, 1500] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_pusher", "--ignored", "--nocapture"])
            .env(CHILD_ENV, format!("{}|{}", db.display(), cluster.url()))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let n = cluster
                .psql("SELECT count(*) FROM elig_audit_checks")
                .unwrap()
                .parse::<u64>()
                .unwrap();
            if n >= kill_at || child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "the child never pushed");
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever was committed is a gap-free prefix of the desk's chain.
        let n = central_count(&cluster, "bus-7");
        assert!(n < ROWS || kills < 3);
        assert_exactly(&cluster, "bus-7", n);
    }
    assert!(kills >= 1, "no push was killed mid-way");
    let before = central_count(&cluster, "bus-7");
    let report = central
        .push(&local, "bus-7", "bus-north", &PushOptions::default())
        .unwrap();
    assert_eq!(report.shipped, ROWS - before);
    assert_exactly(&cluster, "bus-7", ROWS);
    assert_eq!(
        central.verify_device("bus-7").unwrap().head,
        local.verify().unwrap().head
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn server_restarted_mid_push() {
    const ROWS: u64 = 3000;
    let mut cluster = PgCluster::start();
    let dir = desk_dir();
    let local = desk_store(&dir, 3, ROWS as usize);
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    let first = std::thread::scope(|s| {
        let (central, db) = (&central, dir.path().join("desk3.sqlite3"));
        let push = s.spawn(move || {
            let local = SqliteAuditStore::open(db).unwrap();
            central.push(
                &local,
                "desk-3",
                "sapporo",
                &PushOptions::default().with_batch_rows(3),
            )
        });
        // Restart as soon as the push has committed something.
        while central_count(&cluster, "desk-3") == 0 && !push.is_finished() {}
        cluster.stop();
        let first = push.join().unwrap();
        cluster.start_again();
        first
    });
    match first {
        Err(AuditError::Unreachable { .. }) => {}
        other => panic!("expected Unreachable from the cut-off push, got {other:?}"),
    }
    let n = central_count(&cluster, "desk-3");
    assert!(n > 0 && n < ROWS, "{n}");
    assert_exactly(&cluster, "desk-3", n);
    // The same store object (its pool) recovers once the server is back.
    let report = central
        .push(&local, "desk-3", "sapporo", &PushOptions::default())
        .unwrap();
    assert_eq!(report.shipped, ROWS - n);
    assert_exactly(&cluster, "desk-3", ROWS);
    central.verify_device("desk-3").unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn tampered_local_row_is_refused_and_the_push_stops_there() {
    let cluster = PgCluster::start();
    let dir = desk_dir();
    let path = dir.path().join("audit.sqlite3");
    let (local, _) = filled(&path, 10);
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    let conn = raw(&path);
    conn.execute_batch("DROP TRIGGER checks_no_update").unwrap();
    conn.execute(
        "UPDATE checks SET voucher_number = '26000000099' WHERE seq = 6",
        [],
    )
    .unwrap();
    let err = central
        .push(
            &local,
            "desk-1",
            "sapporo",
            &PushOptions::default().with_batch_rows(4),
        )
        .unwrap_err();
    assert_eq!(
        err,
        AuditError::ChainBroken(ChainBreak {
            seq: 6,
            kind: BreakKind::DigestMismatch
        })
    );
    // Reported, and stopped there: rows 1-5 shipped, nothing from 6 on.
    assert_exactly(&cluster, "desk-1", 5);
    central.verify_device("desk-1").unwrap();
    // Running it again refuses again, ships nothing more.
    assert!(matches!(
        central.push(&local, "desk-1", "sapporo", &PushOptions::default()),
        Err(AuditError::ChainBroken(ChainBreak { seq: 6, .. }))
    ));
    assert_exactly(&cluster, "desk-1", 5);
    // A different store pushed under the same device name diverges at the head.
    let (other, _) = filled(&dir.path().join("other.sqlite3"), 8);
    drop(other);
    let mut other = SqliteAuditStore::open(dir.path().join("other.sqlite3")).unwrap();
    other.append(&eligible(T0 + 5)).unwrap();
    assert_eq!(
        central
            .push(&other, "desk-1", "sapporo", &PushOptions::default())
            .unwrap_err(),
        AuditError::ChainBroken(ChainBreak {
            seq: 5,
            kind: BreakKind::Diverged
        })
    );
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn the_server_itself_refuses_rows_that_do_not_chain() {
    let cluster = PgCluster::start();
    let dir = desk_dir();
    let (local, _) = filled(&dir.path().join("a.sqlite3"), 3);
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    central
        .push(&local, "desk-1", "sapporo", &PushOptions::default())
        .unwrap();
    let copy_row_3_as_4 = "INSERT INTO elig_audit_checks SELECT device, 4, unix_secs, \
        jst_date, facility_kind, facility, purpose, evidence, voucher_number, insurer_number, \
        outcome, error_kind, qualification_validity, processing_result_code, error_code, \
        serial_hmac, {prev}, digest FROM elig_audit_checks WHERE device = 'desk-1' AND seq = 3";
    // Right position and link, but the digest is not the row's: EA004.
    let err = cluster
        .psql(&copy_row_3_as_4.replace("{prev}", "digest"))
        .unwrap_err();
    assert!(err.contains("does not match its digest"), "{err}");
    // Wrong link: EA003.
    let err = cluster
        .psql(&copy_row_3_as_4.replace("{prev}", "prev_digest"))
        .unwrap_err();
    assert!(err.contains("does not commit to the head digest"), "{err}");
    // Append-only.
    let err = cluster
        .psql("UPDATE elig_audit_checks SET outcome = 'eligible' WHERE seq = 2")
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    assert!(cluster.psql("DELETE FROM elig_audit_checks").is_err());
    assert_exactly(&cluster, "desk-1", 3);
}

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

/// Issue 15 item 5: rows per second into PostgreSQL and into SQLite with their durability
/// settings, and push throughput, in one run. A measurement, not a test: it asserts only that
/// the work was done; the figures go to BENCHMARKS.md. Run:
///
/// ```text
/// ELIG_PG_BIN=/usr/lib/postgresql/15/bin cargo test -p elig-client --features postgres \
///     --test audit_pg -- --ignored --exact audit_figures --nocapture
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

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn tls_with_the_trusted_ca_and_refused_with_another() {
    use elig_client::audit::postgres::PgTls;
    use rustls_pki_types::CertificateDer;
    let ca =
        elig_sandbox::pki::Authority::generate(b"pg tls", "CN=Audit DB CA,O=elig,C=JP").unwrap();
    let server = ca.issue_server().unwrap();
    let cluster = PgCluster::start_tls(server.cert_der(), &server.key_pkcs8_der().unwrap());
    let trusted = PgOptions::default().with_tls(PgTls::Required {
        roots: vec![CertificateDer::from(ca.cert_der().to_vec())],
    });
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
