//! Two processes on one PC sharing the 既存型 folders never claim the same suffix: the test
//! binary re-runs itself as two submitting children at once.
// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use elig_client::kizon::{Folders, KizonClient};
use elig_proto::xmlmsg::{Encoding, IndividualRequest};
use voucher_model::{CardNumber, CheckupInstitutionNumber, Date, InsurerNumber, SearchInfo};

const CHILD: &str = "ELIG_KIZON_CHILD_ROOT";
const PER_CHILD: usize = 25;

fn folders(root: &std::path::Path) -> Folders {
    Folders::new(root.join("req"), root.join("res"), root.join("work"))
}

fn request() -> IndividualRequest {
    let search = SearchInfo {
        insurer_number: Some(InsurerNumber::parse("01130012").unwrap()),
        insured_identification_number: Some(CardNumber::parse("1234567").unwrap()),
        birthdate: Some(Date::new(1980, 4, 1).unwrap()),
        ..SearchInfo::default()
    };
    IndividualRequest::new(
        Date::new(2026, 11, 24).unwrap(),
        CheckupInstitutionNumber::parse("1312345679").unwrap(),
        search,
    )
}

/// The child's work: submit `PER_CHILD` requests as fast as it can.
#[test]
fn child_submits_requests() {
    let Some(root) = std::env::var_os(CHILD) else {
        return; // run as a normal test: nothing to do
    };
    let client = KizonClient::new(folders(&PathBuf::from(root)));
    let day = Date::new(2026, 11, 24).unwrap();
    for _ in 0..PER_CHILD {
        client.submit(day, &request(), Encoding::Utf8).unwrap();
    }
}

#[test]
fn two_processes_claim_distinct_suffixes() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("req")).unwrap();
    std::fs::create_dir_all(dir.path().join("res")).unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_submits_requests", "--test-threads", "1"])
                .env(CHILD, dir.path())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let names: BTreeSet<String> = std::fs::read_dir(dir.path().join("req"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    // Every request is there under its own name: none overwrote another.
    assert_eq!(names.len(), 2 * PER_CHILD);
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("OQSsiquc01req_20261124"))
    );
}
