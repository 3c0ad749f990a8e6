//! Durability: a check whose append returned a receipt is in the store even when the process
//! is killed right after (SIGKILL: no destructor, no flush, no `atexit`).
//!
//! The test binary plays both parts: run with `ELIG_AUDIT_KILL_CHILD_DB` set, the
//! `child_appender` test appends forever and prints each receipt after `append` returned; the
//! parent test starts that child, reads receipts, SIGKILLs it right after reading one (most
//! likely in the middle of the next append), reopens the database and finds every receipted
//! row, with the chain intact.
//!
//! Unix only: it sends SIGKILL and reads the signal from the exit status
//! (`std::os::unix::process::ExitStatusExt`), which Windows has no equivalent for.
#![cfg(unix)]
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use common::{T0, db_path, eligible};
use elig_client::audit::{AuditSink, DayRange, SqliteAuditStore};

const CHILD_ENV: &str = "ELIG_AUDIT_KILL_CHILD_DB";
/// SIGKILL's number on every unix.
const SIGKILL: i32 = 9;

/// The child's part; does nothing in a normal test run.
#[test]
fn child_appender() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = SqliteAuditStore::open(path).unwrap();
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let receipt = store.append(&eligible(T0 + i)).unwrap();
        writeln!(out, "RECEIPT {} {}", receipt.seq(), receipt.digest()).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn receipted_rows_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let mut receipts: Vec<(u64, String)> = Vec::new();
    // Three children on the same file, killed after different numbers of appends.
    for kill_after in [1, 17, 40] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_appender",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut seen = 0;
        for line in stdout.lines() {
            let line = line.unwrap();
            let Some(rest) = line.strip_prefix("RECEIPT ") else {
                continue;
            };
            let (seq, digest) = rest.split_once(' ').unwrap();
            receipts.push((seq.parse().unwrap(), digest.to_owned()));
            seen += 1;
            if seen == kill_after {
                child.kill().unwrap(); // SIGKILL on unix
                break;
            }
        }
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(SIGKILL),
            "the child was not killed: {status}"
        );
        assert_eq!(seen, kill_after, "the child stopped before it was killed");

        let store = SqliteAuditStore::open(&path).unwrap();
        store.verify().unwrap();
        let entries = store.entries(DayRange::all()).unwrap();
        for (seq, digest) in &receipts {
            let entry = entries
                .iter()
                .find(|e| e.seq == *seq)
                .unwrap_or_else(|| panic!("receipted row {seq} is missing after SIGKILL"));
            assert_eq!(&entry.digest.to_hex(), digest);
        }
    }
}
