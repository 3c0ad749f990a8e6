//! `elig audit list | export | verify` on a store made through elig-client with real rows,
//! then tampered with directly in SQLite.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::run::{Run, assert_clean_error, elig};
use elig_client::audit::{
    AuditSink as _, CheckErrorKind, CheckOutcome, CheckRecord, SqliteAuditStore,
};
use voucher_model::{EvidenceKind, Facility, Outcome, Purpose, RequestedUse};

/// 2026-04-01 08:33:20 JST.
const APRIL_1: i64 = 1_775_000_000;
const DAY: i64 = 86_400;

/// A store with five rows: three on 2026-04-01, two on 2026-04-02 (one an error).
fn store(dir: &Path) -> PathBuf {
    let path = dir.join("audit.sqlite3");
    let mut store = SqliteAuditStore::open(&path).unwrap();
    let rows = [
        (
            APRIL_1,
            Outcome::Eligible,
            EvidenceKind::OnlinePin,
            "26000000013",
        ),
        (
            APRIL_1 + 60,
            Outcome::NotEligible,
            EvidenceKind::OnlinePin,
            "26000000021",
        ),
        (
            APRIL_1 + 120,
            Outcome::NeedsStaffReview,
            EvidenceKind::Mynaportal,
            "26000000039",
        ),
        (
            APRIL_1 + DAY,
            Outcome::Eligible,
            EvidenceKind::OnlineVisualConfirmation,
            "26000000047",
        ),
    ];
    let purpose = Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap();
    for (secs, outcome, evidence, voucher) in rows {
        let record = CheckRecord::new(
            secs,
            Facility::CheckupInstitution("0110113719".parse().unwrap()),
            purpose,
            evidence,
            voucher.parse().unwrap(),
            "06110829".parse().unwrap(),
            CheckOutcome::Verdict(outcome),
        );
        store.append(&record).unwrap();
    }
    let failed = CheckRecord::new(
        APRIL_1 + DAY + 60,
        Facility::CheckupInstitution("0110113719".parse().unwrap()),
        purpose,
        EvidenceKind::OnlinePin,
        "26000000055".parse().unwrap(),
        "06110829".parse().unwrap(),
        CheckOutcome::Error(CheckErrorKind::Network),
    );
    store.append(&failed).unwrap();
    path
}

fn audit(sub: &str, db: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["audit".into(), sub.into(), "--db".into()];
    args.push(db.into());
    args.extend(extra.iter().map(Into::into));
    elig(args)
}

/// Runs SQL on the store behind elig-client's back (the append-only triggers dropped).
fn tamper(db: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS checks_no_update; DROP TRIGGER IF EXISTS checks_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn list_shows_one_days_rows_in_japan_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let run = audit("list", &db, &["--day", "2026-04-01"]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with("3 件 checks on 2026-04-01"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("#1 2026-04-01T08:33:20 eligible evidence=online_pin")
    );
    assert!(run.stdout.contains("voucher=26000000021"));
    assert!(!run.stdout.contains("26000000047"), "another day");

    let document = audit("list", &db, &["--day", "2026-04-02", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(document["day"], "2026-04-02");
    assert_eq!(document["count"], 2);
    let entries = document["entries"].as_array().unwrap();
    assert_eq!(entries[0]["seq"], 4);
    assert_eq!(entries[0]["evidence"], "online_visual_confirmation");
    assert_eq!(entries[1]["outcome"], "error");
    assert_eq!(entries[1]["error_kind"], "network");
    // A day without checks.
    let empty = audit("list", &db, &["--day", "2026-04-03", "--json"]).json();
    assert_eq!(empty["count"], 0);
}

#[test]
fn export_writes_json_lines_within_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let all = audit("export", &db, &[]);
    all.expect_code(0);
    let lines: Vec<serde_json::Value> = all
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["seq"], i + 1);
        assert_eq!(line["digest"].as_str().unwrap().len(), 64);
    }
    // Each row commits to the one before it.
    assert_eq!(lines[1]["prev_digest"], lines[0]["digest"]);
    let second_day = audit("export", &db, &["--from", "2026-04-02"]);
    assert_eq!(second_day.expect_code(0).stdout.lines().count(), 2);
    let first_day = audit("export", &db, &["--to", "2026-04-01"]);
    assert_eq!(first_day.expect_code(0).stdout.lines().count(), 3);
    let both = audit(
        "export",
        &db,
        &["--from", "2026-04-01", "--to", "2026-04-02"],
    );
    assert_eq!(both.expect_code(0).stdout.lines().count(), 5);
}

#[test]
fn verify_an_intact_store_is_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    let run = audit("verify", &db, &[]);
    run.expect_code(0);
    assert!(run.stdout.contains("intact: 5 rows"), "{}", run.stdout);
    let document = audit("verify", &db, &["--json"]).expect_code(0).json();
    assert_eq!(document["outcome"], "intact");
    assert_eq!(document["rows"], 5);
    let last = audit("export", &db, &[])
        .stdout
        .lines()
        .last()
        .map(str::to_owned);
    let last: serde_json::Value = serde_json::from_str(&last.unwrap()).unwrap();
    assert_eq!(document["head"], last["digest"]);
}

#[test]
fn an_edited_row_is_exit_1_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    tamper(&db, "UPDATE checks SET outcome = 'eligible' WHERE seq = 2;");
    let run = audit("verify", &db, &[]);
    run.expect_code(1);
    assert!(
        run.stdout.contains("tampered: row 2 was edited"),
        "{}",
        run.stdout
    );
    let document = audit("verify", &db, &["--json"]).expect_code(1).json();
    assert_eq!(document["outcome"], "tampered");
    assert_eq!(document["seq"], 2);
    assert_eq!(document["break"], "digest_mismatch");
}

#[test]
fn deleted_rows_are_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    tamper(&db, "DELETE FROM checks WHERE seq = 3;");
    let document = audit("verify", &db, &["--json"]).expect_code(1).json();
    assert_eq!(document["break"], "sequence_gap");
    assert!(
        document["message"]
            .as_str()
            .unwrap()
            .contains("row 3 is missing")
    );

    let dir = tempfile::tempdir().unwrap();
    let db = store(dir.path());
    tamper(&db, "DELETE FROM checks WHERE seq = 5;");
    let document = audit("verify", &db, &["--json"]).expect_code(1).json();
    assert_eq!(document["break"], "head_mismatch");
    assert_eq!(document["seq"], 4);
}

#[test]
fn a_missing_or_foreign_file_is_exit_2_and_no_store_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite3");
    for sub in ["list", "export", "verify"] {
        let extra: &[&str] = if sub == "list" {
            &["--day", "2026-04-01"]
        } else {
            &[]
        };
        let run = audit(sub, &missing, extra);
        run.expect_code(2);
        assert!(
            run.stderr.contains("There is no audit store"),
            "{}",
            run.stderr
        );
        assert_clean_error(&run);
        assert!(!missing.exists(), "{sub} created a store");
    }
    let foreign = dir.path().join("notes.txt");
    std::fs::write(
        &foreign,
        "not a database, just some text that is long enough",
    )
    .unwrap();
    let run = audit("verify", &foreign, &["--json"]);
    let document = run.expect_code(2).json();
    assert_eq!(document["error"]["kind"], "audit_corrupt");
}

#[test]
fn help_shows_examples() {
    for sub in ["list", "export", "verify"] {
        let run = elig(["audit", sub, "--help"]);
        run.expect_code(0);
        assert!(
            run.stdout.contains(&format!("elig audit {sub} --db")),
            "{sub}"
        );
        assert!(run.stdout.contains("Exit codes"), "{sub}");
    }
}
