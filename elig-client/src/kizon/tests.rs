//! The driver against a terminal played by a thread of the test.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use elig_proto::xmlmsg::{
    Encoding, FileKind, FileName, IndividualRequest, ReadError, Suffix, write_response,
};
use voucher_model::{
    CardNumber, CheckupInstitutionNumber, Date, InsurerNumber, QualificationResponse,
    QualificationValidity, SearchInfo,
};

use super::*;

fn day() -> Date {
    Date::new(2026, 11, 24).unwrap()
}

fn request() -> IndividualRequest {
    let search = SearchInfo {
        insurer_number: Some(InsurerNumber::parse("01130012").unwrap()),
        insured_identification_number: Some(CardNumber::parse("1234567").unwrap()),
        birthdate: Some(Date::new(1980, 4, 1).unwrap()),
        ..SearchInfo::default()
    };
    IndividualRequest::new(
        day(),
        CheckupInstitutionNumber::parse("1312345679").unwrap(),
        search,
    )
}

fn answer_bytes() -> Vec<u8> {
    let response = QualificationResponse {
        qualification_validity: Some(QualificationValidity::Valid),
        ..QualificationResponse::default()
    };
    write_response(&response, Encoding::Utf8).unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    folders: Folders,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let folders = Folders::new(
        dir.path().join("req"),
        dir.path().join("res"),
        dir.path().join("work"),
    );
    fs::create_dir_all(folders.req()).unwrap();
    fs::create_dir_all(folders.res()).unwrap();
    Setup { _dir: dir, folders }
}

fn client(folders: &Folders) -> KizonClient {
    KizonClient::new(folders.clone())
        .with_poll_interval(Duration::from_millis(10))
        .with_settle(Duration::from_millis(300))
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn submit_writes_one_whole_request_under_the_next_suffix() {
    let s = setup();
    let c = client(&s.folders);
    let first = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    assert_eq!(first.request.to_string(), "OQSsiquc01req_202611240001.xml");
    assert_eq!(first.response.to_string(), "OQSsiquc01res_202611240001.xml");
    // Only the renamed file: no temporary left behind, and it reads back as the request.
    assert_eq!(names(s.folders.req()), vec![first.request.to_string()]);
    let bytes = fs::read(s.folders.req().join(first.request.to_string())).unwrap();
    assert_eq!(IndividualRequest::from_xml(&bytes).unwrap(), request());
    let second = c.submit(day(), &request(), Encoding::ShiftJis).unwrap();
    assert_eq!(second.suffix().as_str(), "202611240002");
    let bytes = fs::read(s.folders.req().join(second.request.to_string())).unwrap();
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\""));
}

#[test]
fn the_suffix_skips_sequences_used_by_files_in_any_folder_and_other_days_do_not_count() {
    let s = setup();
    fs::create_dir_all(s.folders.done()).unwrap();
    fs::write(s.folders.res().join("OQSsiquc01res_202611240007.xml"), b"x").unwrap();
    fs::write(
        s.folders.done().join("OQSsiquc01req_202611240004.xml"),
        b"x",
    )
    .unwrap();
    fs::write(s.folders.res().join("OQSsiquc01res_202611230042.xml"), b"x").unwrap();
    fs::write(
        s.folders.res().join("OQSsiquc01res_face_202611240099.xml"),
        b"x",
    )
    .unwrap();
    let c = client(&s.folders);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    assert_eq!(sub.suffix().as_str(), "202611240008");
    // The day after: the sequence restarts, and yesterday's claims go.
    let next_day = Date::new(2026, 11, 25).unwrap();
    let sub = c.submit(next_day, &request(), Encoding::Utf8).unwrap();
    assert_eq!(sub.suffix().as_str(), "202611250001");
    assert_eq!(
        names(&s.folders.work().join("claims")),
        vec!["202611250001".to_owned()]
    );
}

#[test]
fn a_full_day_is_a_typed_error() {
    let s = setup();
    fs::write(s.folders.res().join("OQSsiquc01res_202611249999.xml"), b"x").unwrap();
    let err = client(&s.folders)
        .submit(day(), &request(), Encoding::Utf8)
        .unwrap_err();
    assert!(matches!(err, KizonError::SequencesExhausted { date } if date == day()));
    assert!(names(s.folders.req()).is_empty());
}

#[test]
fn a_request_that_cannot_be_written_writes_nothing() {
    let s = setup();
    let mut r = request();
    r.search.birthdate = None;
    let err = client(&s.folders)
        .submit(day(), &r, Encoding::Utf8)
        .unwrap_err();
    assert!(matches!(err, KizonError::Request(_)), "{err}");
    assert!(names(s.folders.req()).is_empty());
}

#[test]
fn concurrent_submits_get_distinct_suffixes() {
    let s = setup();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let c = client(&s.folders);
            thread::spawn(move || {
                (0..5)
                    .map(|_| c.submit(day(), &request(), Encoding::Utf8).unwrap())
                    .map(|sub| sub.suffix().clone())
                    .collect::<Vec<Suffix>>()
            })
        })
        .collect();
    let mut all: Vec<Suffix> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 40);
    assert_eq!(names(s.folders.req()).len(), 40);
}

#[test]
fn no_answer_is_a_timeout_and_the_untaken_request_is_withdrawn() {
    let s = setup();
    let c = client(&s.folders);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    let start = Instant::now();
    let err = c.wait(&sub, Duration::from_millis(200)).unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(200));
    match &err {
        KizonError::Timeout {
            request_taken,
            answer_incomplete,
            ..
        } => {
            assert!(!request_taken);
            assert!(!answer_incomplete);
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("nobody took the request"));
    assert!(err.message_ja().contains("監視"));
    assert!(names(s.folders.req()).is_empty(), "withdrawn");
}

#[test]
fn a_taken_request_without_answer_says_so() {
    let s = setup();
    let c = client(&s.folders);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    fs::remove_file(s.folders.req().join(sub.request.to_string())).unwrap();
    let err = c.wait(&sub, Duration::from_millis(50)).unwrap_err();
    assert!(
        matches!(
            err,
            KizonError::Timeout {
                request_taken: true,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_partly_written_answer_is_waited_for() {
    let s = setup();
    let c = client(&s.folders);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    let path = s.folders.res().join(sub.response.to_string());
    let bytes = answer_bytes();
    let (head, tail) = bytes.split_at(bytes.len() / 2);
    let (head, tail) = (head.to_vec(), tail.to_vec());
    let writer = thread::spawn(move || {
        use std::io::Write;
        let mut f = fs::File::create(&path).unwrap();
        f.write_all(&head).unwrap();
        f.flush().unwrap();
        // The driver polls the half file many times meanwhile and must not take it.
        thread::sleep(Duration::from_millis(200));
        f.write_all(&tail).unwrap();
    });
    let answer = c.wait(&sub, Duration::from_secs(5)).unwrap();
    writer.join().unwrap();
    assert_eq!(
        answer.response.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert!(answer.tidied);
    assert!(names(s.folders.req()).is_empty());
    assert!(names(s.folders.res()).is_empty());
    assert_eq!(
        names(&s.folders.done()),
        vec![sub.request.to_string(), sub.response.to_string()]
    );
}

#[test]
fn a_stalled_partial_answer_at_the_timeout_is_reported_incomplete() {
    let s = setup();
    let c = client(&s.folders).with_settle(Duration::from_secs(10));
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    let bytes = answer_bytes();
    fs::write(
        s.folders.res().join(sub.response.to_string()),
        &bytes[..bytes.len() / 2],
    )
    .unwrap();
    let err = c.wait(&sub, Duration::from_millis(150)).unwrap_err();
    assert!(
        matches!(
            err,
            KizonError::Timeout {
                answer_incomplete: true,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_malformed_answer_is_a_typed_read_error_after_the_settle_time() {
    let s = setup();
    let c = client(&s.folders).with_tidy(Tidy::Remove);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    fs::write(
        s.folders.res().join(sub.response.to_string()),
        b"<?xml version=\"1.0\"?><Other/>",
    )
    .unwrap();
    let start = Instant::now();
    let err = c.wait(&sub, Duration::from_secs(5)).unwrap_err();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "settled first"
    );
    match err {
        KizonError::Unreadable { error, file } => {
            assert!(matches!(error, ReadError::UnexpectedRoot { .. }));
            assert_eq!(file, sub.response.to_string());
        }
        other => panic!("{other}"),
    }
    assert!(names(s.folders.res()).is_empty(), "removed");
    assert!(names(&s.folders.done()).is_empty());
}

#[test]
fn face_results_are_returned_once_and_survive_a_restart() {
    let s = setup();
    let c = client(&s.folders);
    let mut watcher = c.face_watcher();
    assert!(watcher.poll().unwrap().is_empty());
    let bytes = answer_bytes();
    let face = s.folders.res().join("OQSsiquc01res_face_202611240001.xml");
    fs::write(&face, &bytes[..bytes.len() / 3]).unwrap();
    // An individual answer in res is not a face result.
    fs::write(
        s.folders.res().join("OQSsiquc01res_202611240001.xml"),
        &bytes,
    )
    .unwrap();
    assert!(watcher.poll().unwrap().is_empty(), "incomplete: not yet");
    fs::write(&face, &bytes).unwrap();
    let got = watcher.poll().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].file.kind, FileKind::FaceResponse);
    assert_eq!(
        got[0].response.as_ref().unwrap().qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert!(got[0].tidied);
    assert!(watcher.poll().unwrap().is_empty(), "once");
    assert!(
        c.face_watcher().poll().unwrap().is_empty(),
        "after a restart"
    );
    assert_eq!(
        names(&s.folders.done()),
        vec!["OQSsiquc01res_face_202611240001.xml".to_owned()]
    );
    // An unreadable pushed file is returned once, as an error, after the settle time.
    let bad = FileName::parse("OQSsiquc01res_face_202611240002.xml").unwrap();
    fs::write(s.folders.res().join(bad.to_string()), b"<XmlMsg>").unwrap();
    let start = Instant::now();
    let got = loop {
        let got = watcher.poll().unwrap();
        if !got.is_empty() || start.elapsed() > Duration::from_secs(5) {
            break got;
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].file, bad);
    assert_eq!(got[0].response, Err(ReadError::Truncated));
    assert!(watcher.poll().unwrap().is_empty());
}

#[test]
fn an_answer_the_system_refuses_to_read_is_retried_then_an_io_error() {
    let s = setup();
    let c = client(&s.folders);
    let sub = c.submit(day(), &request(), Encoding::Utf8).unwrap();
    // A folder in the answer's place: reading it fails on every platform.
    fs::create_dir(s.folders.res().join(sub.response.to_string())).unwrap();
    let start = Instant::now();
    let err = c.wait(&sub, Duration::from_millis(150)).unwrap_err();
    assert!(
        start.elapsed() >= Duration::from_millis(150),
        "retried until the timeout"
    );
    assert!(
        matches!(
            err,
            KizonError::Io {
                action: "read the answer",
                ..
            }
        ),
        "{err}"
    );
}
