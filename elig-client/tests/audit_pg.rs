//! The central PostgreSQL audit store against a real PostgreSQL server (issue 15, item 4),
//! part 1: the offline-first push. Part 2 (`audit_pg_store.rs`): errors, TLS, the direct
//! sink, queries, migrations.
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

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{T0, eligible, filled, raw};
use elig_client::audit::postgres::{PgAuditStore, PgOptions, PushOptions, Query};
use elig_client::audit::{
    AuditError, AuditSink, BreakKind, ChainBreak, DayRange, SqliteAuditStore,
};
use pg_common::{PgCluster, assert_exactly, central_count, desk_dir, desk_record, desk_store};

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
fn two_pushes_of_one_desk_at_once_ship_each_row_once() {
    const ROWS: usize = 600;
    let cluster = PgCluster::start();
    let dir = desk_dir();
    drop(desk_store(&dir, 5, ROWS));
    let path = dir.path().join("desk5.sqlite3");
    let central = PgAuditStore::connect(&cluster.url(), &PgOptions::default()).unwrap();
    // A scheduled push and a manual one racing: the device's row lock orders their batches.
    let shipped: u64 = std::thread::scope(|s| {
        let pushes: Vec<_> = (0..4)
            .map(|_| {
                let (central, path) = (&central, &path);
                s.spawn(move || {
                    let local = SqliteAuditStore::open(path).unwrap();
                    central
                        .push(
                            &local,
                            "desk-5",
                            "sapporo",
                            &PushOptions::default().with_batch_rows(9),
                        )
                        .unwrap()
                        .shipped
                })
            })
            .collect();
        pushes.into_iter().map(|p| p.join().unwrap()).sum()
    });
    assert_eq!(shipped, ROWS as u64);
    assert_exactly(&cluster, "desk-5", ROWS as u64);
    central.verify_device("desk-5").unwrap();
}
