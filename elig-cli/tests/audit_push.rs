//! `elig audit push` and `elig audit central-export` through the built binary: an
//! unreachable central store (always run), and pushes and exports with a real throw-away
//! PostgreSQL (`#[ignore]`d; run by scripts/postgres-test.sh
//! with `ELIG_PG_BIN`).

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::run::{Run, assert_clean_error, elig};
use elig_client::audit::{AuditSink as _, CheckOutcome, CheckRecord, SqliteAuditStore};
use voucher_model::{EvidenceKind, Facility, Outcome, Purpose, RequestedUse};

/// 2026-04-01 08:33:20 JST.
const APRIL_1: i64 = 1_775_000_000;

/// A desk store with `rows` eligible checks, a minute apart; `voucher_base` tells two
/// stores apart.
fn store(dir: &Path, name: &str, rows: i64, voucher_base: u64) -> PathBuf {
    let path = dir.join(name);
    let mut store = SqliteAuditStore::open(&path).unwrap();
    let purpose = Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap();
    for i in 0..rows {
        let voucher = format!("{:011}", voucher_base + u64::try_from(i).unwrap());
        let record = CheckRecord::new(
            APRIL_1 + i * 60,
            Facility::CheckupInstitution("0110113719".parse().unwrap()),
            purpose,
            EvidenceKind::OnlinePin,
            voucher.parse().unwrap(),
            "06110829".parse().unwrap(),
            CheckOutcome::Verdict(Outcome::Eligible),
        );
        store.append(&record).unwrap();
    }
    path
}

fn push(db: &Path, url: &str, device: &str, json: bool) -> Run {
    let mut args = vec![
        "audit".to_owned(),
        "push".to_owned(),
        "--db".to_owned(),
        db.display().to_string(),
        "--to".to_owned(),
        url.to_owned(),
        "--device".to_owned(),
        device.to_owned(),
        "--site".to_owned(),
        "clinic-tokyo".to_owned(),
    ];
    if json {
        args.push("--json".to_owned());
    }
    elig(args)
}

#[test]
fn an_unreachable_central_store_is_exit_5_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path(), "audit.sqlite3", 2, 26_000_000_000);
    let port = free_port();
    let url = format!("postgres://elig:secret-pw@127.0.0.1:{port}/postgres");
    let run = push(&db, &url, "desk-01", false);
    run.expect_code(5);
    assert_clean_error(&run);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("The central audit database cannot be reached."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run the same command again")
            || run.stderr.contains("Run the same command again")
    );
    assert!(
        !run.stderr.contains("secret-pw"),
        "the URL's password is never printed"
    );

    let run = push(&db, &url, "desk-01", true);
    run.expect_code(5);
    assert_eq!(run.json()["error"]["kind"], "central_unreachable");

    let run = elig(["audit", "central-export", "--central", &url]);
    run.expect_code(5);
    assert_clean_error(&run);
    assert!(
        !run.stderr.contains("secret-pw"),
        "the URL's password is never printed"
    );
}

#[test]
fn a_missing_store_or_a_bad_device_name_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgres://elig:pw@127.0.0.1:{}/postgres", free_port());
    let run = push(&dir.path().join("none.sqlite3"), &url, "desk-01", false);
    run.expect_code(2);
    assert_clean_error(&run);
    assert!(
        !dir.path().join("none.sqlite3").exists(),
        "no store is created"
    );

    let db = store(dir.path(), "audit.sqlite3", 1, 26_000_000_000);
    let run = push(&db, &url, "desk 01!", true);
    run.expect_code(2);
    assert_eq!(run.json()["error"]["kind"], "central_config");
}

#[test]
fn help_shows_an_example() {
    let run = elig(["audit", "push", "--help"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("elig audit push --db audit.sqlite3 --to postgres://")
    );
    assert!(run.stdout.contains("Exit codes"));
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[cfg(unix)]
#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn pushes_reach_a_real_postgresql_exactly_once() {
    use common::pg::PgCluster;

    let cluster = PgCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path(), "audit.sqlite3", 3, 26_000_000_000);

    let first = push(&db, &cluster.url(), "desk-01", true);
    first.expect_code(0);
    let doc = first.json();
    assert_eq!(doc["outcome"], "pushed");
    assert_eq!(doc["shipped"], 3);
    assert_eq!(doc["head_seq"], 3);
    let count = "SELECT count(*) FROM elig_audit_checks WHERE device = 'desk-01'";
    assert_eq!(cluster.psql(count), "3");

    let export = elig([
        "audit",
        "central-export",
        "--central",
        &cluster.url(),
        "--site",
        "clinic-tokyo",
    ]);
    export.expect_code(0);
    let lines: Vec<serde_json::Value> = export
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", export.stdout);
    assert!(
        lines
            .iter()
            .all(|l| l["device"] == "desk-01" && l["site"] == "clinic-tokyo")
    );
    assert_eq!(lines[2]["voucher_number"], "26000000002");
    let other_site = elig([
        "audit",
        "central-export",
        "--central",
        &cluster.url(),
        "--site",
        "elsewhere",
    ]);
    other_site.expect_code(0);
    assert_eq!(other_site.stdout, "", "the site filter holds");

    let again = push(&db, &cluster.url(), "desk-01", false);
    again.expect_code(0);
    assert!(again.stdout.contains("pushed: 0 rows"), "{}", again.stdout);
    assert_eq!(cluster.psql(count), "3", "nothing is sent twice");

    // Another store under the same device name: the central store's head (row 3) differs
    // from this store's row 3.
    let other = store(dir.path(), "other.sqlite3", 4, 27_000_000_000);
    let diverged = push(&other, &cluster.url(), "desk-01", true);
    diverged.expect_code(1);
    let error = diverged.json();
    assert_eq!(error["error"]["kind"], "central_diverged");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("row 3"),
        "{error}"
    );
    assert_eq!(cluster.psql(count), "3");

    let refused = push(&db, &cluster.url_with("wrong"), "desk-01", false);
    refused.expect_code(2);
    assert_clean_error(&refused);
    assert!(
        refused.stderr.contains("refused the login"),
        "{}",
        refused.stderr
    );
}
