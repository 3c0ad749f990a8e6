//! elig-client's 既存型 folder driver against the simulated terminal, run as a separate
//! process (`kizon-terminal`) that answers from the embedded registry.
// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use elig_client::kizon::{Folders, KizonClient, KizonError};
use elig_proto::xmlmsg::{Encoding, IndividualRequest, ReadError};
use elig_sandbox::kizon_terminal::{MALFORMED, SILENT};
use elig_sandbox::registry::Registry;
use voucher_model::{
    CheckupInstitutionNumber, Date, Evidence, Field, FieldStatus, OnlineChannel, OnlineMode,
    Outcome, Purpose, QualificationResponse, QualificationValidity, Reason, RequestedUse,
    SearchInfo, Verdict, Voucher, VoucherKind, verify,
};

/// The terminal process; killed (by its PID) when dropped.
struct TerminalProcess {
    child: Child,
    _dir: tempfile::TempDir,
    folders: Folders,
    push: std::path::PathBuf,
}

impl Drop for TerminalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kizon-terminal` over fresh folders, writing each answer in two halves 300 ms apart.
fn start_terminal() -> TerminalProcess {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req");
    let res = dir.path().join("res");
    let push = dir.path().join("push");
    let child = Command::new(env!("CARGO_BIN_EXE_kizon-terminal"))
        .arg("--req")
        .arg(&req)
        .arg("--res")
        .arg(&res)
        .arg("--push")
        .arg(&push)
        .args(["--pause-ms", "300", "--poll-ms", "10"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The terminal creates its folders; the driver needs req to exist.
    let start = Instant::now();
    while !(req.is_dir() && res.is_dir() && push.is_dir()) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "terminal did not start"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let folders = Folders::new(req, res, dir.path().join("work"));
    TerminalProcess {
        child,
        _dir: dir,
        folders,
        push,
    }
}

fn client(t: &TerminalProcess) -> KizonClient {
    KizonClient::new(t.folders.clone()).with_poll_interval(Duration::from_millis(10))
}

fn today() -> Date {
    voucher_model::jst::date_from_system_time(SystemTime::now()).unwrap()
}

/// The voucher `handle` holds today and the request a reception desk makes from it (the
/// birth date as the person states it, here the registry's).
fn voucher_and_request(handle: &str) -> (Voucher, IndividualRequest) {
    let registry = Registry::default_registry().unwrap();
    let voucher = registry.vouchers_on(handle, today()).unwrap().remove(0);
    let birthdate = registry.person(handle).unwrap().qualifications[0].birthdate;
    let search = SearchInfo {
        insurer_number: Some(voucher.insurer_number().clone()),
        insured_card_symbol: voucher.card_symbol().cloned(),
        insured_identification_number: Some(voucher.card_number().clone()),
        birthdate,
        ..SearchInfo::default()
    };
    let request = IndividualRequest::new(
        today(),
        CheckupInstitutionNumber::parse("1312345679").unwrap(),
        search,
    );
    (voucher, request)
}

fn verdict(voucher: &Voucher, response: QualificationResponse) -> Verdict {
    let requested = match voucher.kind() {
        VoucherKind::Checkup => RequestedUse::SpecificHealthCheckup,
        VoucherKind::Guidance => RequestedUse::SpecificHealthGuidance,
    };
    let evidence = Evidence::online(
        OnlineChannel::Existing,
        OnlineMode::ExistingTerminal,
        response,
    );
    verify(
        voucher,
        &evidence,
        today(),
        Purpose::for_online_check(requested).unwrap(),
    )
}

fn outcome(voucher: &Voucher, response: QualificationResponse) -> Outcome {
    verdict(voucher, response).outcome
}

/// An individual check is keyed on the insurance-card numbers (the terminal answers with
/// `ReferenceClassification` 2): voucher-model's verdict is "staff review" with that
/// warning, never "eligible" on its own — nothing tied the person in front of the desk to
/// the numbers.
fn assert_keyed_on_numbers(voucher: &Voucher, response: QualificationResponse, handle: &str) {
    let v = verdict(voucher, response);
    assert_eq!(v.outcome, Outcome::NeedsStaffReview, "{handle}: {v}");
    let finding = v.finding(Field::ReferenceClassification).unwrap();
    assert_eq!(finding.status, FieldStatus::Warning);
    assert_eq!(finding.reason, Reason::KeyedOnCardNumbers);
    // Everything else matched: no other warning or mismatch.
    assert_eq!(
        v.findings_with(FieldStatus::Warning).count(),
        1,
        "{handle}: {v}"
    );
    assert_eq!(
        v.findings_with(FieldStatus::Mismatched).count(),
        0,
        "{handle}: {v}"
    );
}

fn assert_tidy(t: &TerminalProcess) {
    let empty = |dir: &Path| std::fs::read_dir(dir).unwrap().next().is_none();
    assert!(empty(t.folders.req()), "req empty");
    assert!(empty(t.folders.res()), "res empty");
}

#[test]
fn utf8_and_shift_jis_round_trips_end_in_a_verdict_keyed_on_the_card_numbers() {
    let t = start_terminal();
    let c = client(&t);
    for (handle, encoding) in [
        ("P01", Encoding::Utf8),
        ("P01", Encoding::ShiftJis),
        ("P03", Encoding::ShiftJis),
        ("P04", Encoding::Utf8),
    ] {
        let (voucher, request) = voucher_and_request(handle);
        let start = Instant::now();
        let answer = c
            .check(&request, encoding, Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{handle} {encoding:?}: {e}"));
        // The terminal paused 300 ms in the middle of its answer: the driver waited it out.
        assert!(start.elapsed() >= Duration::from_millis(300));
        assert_eq!(answer.info.encoding, encoding, "{handle}: answered in kind");
        assert!(!answer.info.character_code_identifier_mismatch);
        assert_eq!(
            answer.response.qualification_validity,
            Some(QualificationValidity::Valid),
            "{handle}"
        );
        assert!(answer.tidied);
        assert_keyed_on_numbers(&voucher, answer.response, handle);
    }
    assert_tidy(&t);
    // Four requests, four suffixes, all in done/.
    assert_eq!(std::fs::read_dir(t.folders.done()).unwrap().count(), 4);
}

#[test]
fn a_person_the_terminal_does_not_know_is_not_eligible() {
    let t = start_terminal();
    let (voucher, mut request) = voucher_and_request("P01");
    request.search.birthdate = Some(Date::new(2001, 1, 1).unwrap());
    let answer = client(&t)
        .check(&request, Encoding::Utf8, Duration::from_secs(20))
        .unwrap();
    assert_eq!(
        answer.response.qualification_validity,
        Some(QualificationValidity::NoQualification)
    );
    assert_ne!(outcome(&voucher, answer.response), Outcome::Eligible);
}

#[test]
fn no_answer_is_a_timeout_error_that_says_the_terminal_took_the_request() {
    let t = start_terminal();
    let (_, request) = voucher_and_request("P01");
    let request = request.with_file_identifier(SILENT);
    let err = client(&t)
        .check(&request, Encoding::Utf8, Duration::from_secs(1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            KizonError::Timeout {
                request_taken: true,
                answer_incomplete: false,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("did not answer"));
}

#[test]
fn a_malformed_answer_is_elig_protos_parse_error_and_never_a_verdict() {
    let t = start_terminal();
    let (_, request) = voucher_and_request("P01");
    let request = request.with_file_identifier(MALFORMED);
    let err = client(&t)
        .check(&request, Encoding::Utf8, Duration::from_secs(20))
        .unwrap_err();
    match err {
        KizonError::Unreadable { error, .. } => {
            assert!(matches!(error, ReadError::Malformed { .. }), "{error}");
        }
        other => panic!("{other}"),
    }
    assert_tidy(&t);
}

#[test]
fn two_concurrent_requests_get_distinct_suffixes_and_their_own_answers() {
    let t = start_terminal();
    let checks: Vec<_> = ["P01", "P04"]
        .into_iter()
        .map(|handle| {
            let c = client(&t);
            thread::spawn(move || {
                let (voucher, request) = voucher_and_request(handle);
                let answer = c
                    .check(&request, Encoding::Utf8, Duration::from_secs(20))
                    .unwrap();
                (voucher, answer)
            })
        })
        .collect();
    let results: Vec<_> = checks.into_iter().map(|h| h.join().unwrap()).collect();
    assert_ne!(results[0].1.suffix, results[1].1.suffix);
    for (voucher, answer) in results {
        let record = &answer.response.results[0];
        assert_eq!(
            record.insurer_number.as_ref(),
            Some(voucher.insurer_number())
        );
        assert_eq!(
            record.insured_identification_number.as_ref(),
            Some(voucher.card_number())
        );
        assert_keyed_on_numbers(&voucher, answer.response, "concurrent");
    }
    assert_tidy(&t);
}

#[test]
fn a_pushed_face_result_is_picked_up_once_and_is_an_eligible_verdict() {
    let t = start_terminal();
    let c = client(&t);
    let mut watcher = c.face_watcher();
    assert!(watcher.poll().unwrap().is_empty());
    std::fs::write(t.push.join("P01"), b"sjis").unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    while start.elapsed() < Duration::from_secs(3) {
        got.extend(watcher.poll().unwrap());
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(got.len(), 1, "once");
    let response = got[0].response.as_ref().unwrap();
    assert_eq!(
        response.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    // The card was checked at the terminal (ReferenceClassification 1): the person is bound
    // to the record, and P01's voucher is eligible.
    let (voucher, _) = voucher_and_request("P01");
    assert_eq!(
        outcome(&voucher, response.clone()),
        Outcome::Eligible,
        "{}",
        verdict(&voucher, response.clone())
    );
    assert!(
        c.face_watcher().poll().unwrap().is_empty(),
        "not again after a restart"
    );
}
