//! The SQLite store: query by day, JSON Lines, typed errors, and no personal value beyond the
//! voucher and insurer numbers anywhere in the files.

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;

use std::time::{Duration, Instant};

use common::{T0, db_path, eligible, filled, network_error, not_eligible_with_serial, raw};
use elig_client::audit::{
    AuditError, AuditSink, CertificateSerial, DayRange, InvalidRecord, SqliteAuditStore,
    StoreOptions,
};
use voucher_model::Date;

/// 2026-04-01 00:00:00 JST (2026-03-31 15:00:00 UTC).
const MIDNIGHT: i64 = 1_774_969_200;

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

#[test]
fn days_are_days_in_japan() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    store.append(&eligible(MIDNIGHT - 1)).unwrap(); // 2026-03-31 23:59:59 JST
    store.append(&eligible(MIDNIGHT)).unwrap(); // 2026-04-01 00:00:00 JST
    store.append(&network_error(MIDNIGHT + 86_399)).unwrap(); // 2026-04-01 23:59:59 JST
    store.append(&eligible(MIDNIGHT + 86_400)).unwrap(); // 2026-04-02 00:00:00 JST

    let seqs = |range| -> Vec<u64> {
        store
            .entries(range)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect()
    };
    assert_eq!(seqs(DayRange::day(day(2026, 3, 31))), [1]);
    assert_eq!(seqs(DayRange::day(day(2026, 4, 1))), [2, 3]);
    assert_eq!(seqs(DayRange::day(day(2026, 4, 2))), [4]);
    assert_eq!(seqs(DayRange::day(day(2026, 4, 3))), Vec::<u64>::new());
    assert_eq!(
        seqs(DayRange::between(day(2026, 4, 1), day(2026, 4, 2))),
        [2, 3, 4]
    );
    let from = DayRange {
        from: Some(day(2026, 4, 1)),
        to: None,
    };
    assert_eq!(seqs(from), [2, 3, 4]);
    let to = DayRange {
        from: None,
        to: Some(day(2026, 4, 1)),
    };
    assert_eq!(seqs(to), [1, 2, 3]);
    assert_eq!(seqs(DayRange::all()), [1, 2, 3, 4]);

    let on = store.entries_on(day(2026, 4, 1)).unwrap();
    assert_eq!(on[0].jst_date, day(2026, 4, 1));
    assert_eq!(on[0].unix_secs, MIDNIGHT);
    assert_eq!(on[1].outcome, network_error(0).outcome);
    assert_eq!(on[1].codes.error_code.as_deref(), Some("E0001"));
    assert_eq!(on[1].facility, network_error(0).facility);
    assert_eq!(on[1].evidence, voucher_model::EvidenceKind::Mynaportal);
}

#[test]
fn entries_read_back_what_was_appended() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    let rec = not_eligible_with_serial(T0, &[1, 2, 3]);
    let receipt = store.append(&rec).unwrap();
    let e = &store.entries(DayRange::all()).unwrap()[0];
    assert_eq!(e.seq, 1);
    assert_eq!(e.digest, receipt.digest());
    assert_eq!(e.facility, rec.facility);
    assert_eq!(e.purpose, rec.purpose);
    assert_eq!(e.evidence, rec.evidence);
    assert_eq!(e.voucher_number, rec.voucher_number);
    assert_eq!(e.insurer_number, rec.insurer_number);
    assert_eq!(e.outcome, rec.outcome);
    assert_eq!(e.codes, rec.codes);
    assert!(e.serial_hmac.is_some());
}

/// The JSON Lines format is stable: the exact line for a fixed record.
#[test]
fn json_lines_golden() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    store.append(&eligible(T0)).unwrap();
    store.append(&network_error(T0 + 60)).unwrap();
    let mut out = Vec::new();
    assert_eq!(store.export_jsonl(DayRange::all(), &mut out).unwrap(), 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(text.ends_with('\n'));
    assert_eq!(
        lines[0],
        concat!(
            r#"{"seq":1,"unix_secs":1775000000,"jst_date":"2026-04-01","#,
            r#""facility_kind":"checkup_institution","facility":"0110113719","#,
            r#""purpose":"specific_health_checkup","evidence":"online_pin","#,
            r#""voucher_number":"26000000013","insurer_number":"06110829","#,
            r#""outcome":"eligible","error_kind":null,"qualification_validity":"1","#,
            r#""processing_result_code":null,"error_code":null,"serial_hmac":null,"#,
            r#""prev_digest":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""digest":"7edc437f0400e04136cb4b5367b609260df4cbd2b5b16b6e1117cdf2a98f768a"}"#
        )
    );
    assert_eq!(
        lines[1],
        concat!(
            r#"{"seq":2,"unix_secs":1775000060,"jst_date":"2026-04-01","#,
            r#""facility_kind":"self_running_insurer","facility":"INS-0001","#,
            r#""purpose":"specific_health_guidance","evidence":"mynaportal","#,
            r#""voucher_number":"26000000013","insurer_number":"06110829","#,
            r#""outcome":"error","error_kind":"network","qualification_validity":null,"#,
            r#""processing_result_code":null,"error_code":"E0001","serial_hmac":null,"#,
            r#""prev_digest":"7edc437f0400e04136cb4b5367b609260df4cbd2b5b16b6e1117cdf2a98f768a","#,
            r#""digest":"6cc17cad24e312b3d8bd49492ec2a1eef01c3a6f87ffd7b6b654852a64116360"}"#
        )
    );
}

#[test]
fn export_filters_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    store.append(&eligible(MIDNIGHT - 1)).unwrap();
    store.append(&eligible(MIDNIGHT)).unwrap();
    store.append(&eligible(MIDNIGHT + 86_400)).unwrap();
    let mut out = Vec::new();
    let n = store
        .export_jsonl(DayRange::day(day(2026, 4, 1)), &mut out)
        .unwrap();
    assert_eq!(n, 1);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["seq"], 2);
    assert_eq!(v["jst_date"], "2026-04-01");
}

#[test]
fn the_file_is_a_wal_database_with_a_versioned_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let _ = filled(&path, 1);
    let conn = raw(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn locked_database_is_a_typed_error_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let options = StoreOptions::default().with_busy_timeout(Duration::from_millis(200));
    let mut store = SqliteAuditStore::open_with(&path, &options).unwrap();
    // Another program holds the write lock.
    let other = raw(&path);
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let e = store.append(&eligible(T0)).unwrap_err();
    assert_eq!(
        e,
        AuditError::Locked {
            waited: Duration::from_millis(200)
        }
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
    other.execute_batch("ROLLBACK").unwrap();
    // Not recorded: the next append is row 1.
    assert_eq!(store.len().unwrap(), 0);
    assert_eq!(store.append(&eligible(T0)).unwrap().seq(), 1);
    store.verify().unwrap();
}

#[test]
fn garbage_file_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    match SqliteAuditStore::open(&path) {
        Err(AuditError::Corrupt { .. }) => {}
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let _ = filled(&path, 1);
    raw(&path).pragma_update(None, "user_version", 2).unwrap();
    match SqliteAuditStore::open(&path) {
        Err(AuditError::SchemaTooNew {
            found: 2,
            supported: 1,
        }) => {}
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

/// A full disk is simulated with SQLite's own page limit (`max_page_count`), which fails a
/// write with the same SQLITE_FULL a full disk gives; a real full file system is not tested.
#[test]
fn full_database_is_a_typed_error_and_receipts_match_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let options = StoreOptions::default().with_max_pages(8);
    let mut store = SqliteAuditStore::open_with(&path, &options).unwrap();
    let mut receipts = Vec::new();
    let error = loop {
        match store.append(&not_eligible_with_serial(T0, &[9; 20])) {
            Ok(r) => receipts.push(r),
            Err(e) => break e,
        }
        assert!(receipts.len() < 10_000, "the page limit was never reached");
    };
    assert_eq!(error, AuditError::Full);
    assert!(!receipts.is_empty());
    // Every receipt is in the store, and nothing else.
    assert_eq!(store.len().unwrap(), receipts.len() as u64);
    assert!(receipts.iter().all(|r| store.contains(r).unwrap()));
    assert_eq!(
        store.verify().unwrap().head,
        receipts.last().unwrap().digest()
    );
    // Without the limit, appends go on.
    drop(store);
    let mut store = SqliteAuditStore::open(&path).unwrap();
    store.append(&eligible(T0)).unwrap();
    store.verify().unwrap();
}

#[test]
fn invalid_records_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    let mut free_text = eligible(T0);
    free_text.codes.error_code = Some("山田 花子".to_owned());
    assert_eq!(
        store.append(&free_text).unwrap_err(),
        AuditError::InvalidRecord(InvalidRecord::ResultCode)
    );
    let mut long = eligible(T0);
    long.codes.processing_result_code = Some("9".repeat(65));
    assert_eq!(
        store.append(&long).unwrap_err(),
        AuditError::InvalidRecord(InvalidRecord::ResultCode)
    );
    assert_eq!(
        store.append(&eligible(-40_000)).unwrap_err(),
        AuditError::InvalidRecord(InvalidRecord::TimeOutOfRange)
    );
    assert_eq!(
        CertificateSerial::new(&[1; 21]).unwrap_err(),
        InvalidRecord::CertificateSerial
    );
    assert_eq!(store.len().unwrap(), 0);
}

/// A persona as the sandbox registry and the virtual card carry one. Everything but the
/// voucher and insurer numbers must stay out of the files.
struct Persona {
    name: &'static str,
    kana: &'static str,
    birth_compact: &'static str,
    birth_iso: &'static str,
    address: &'static str,
    my_number: &'static str,
    pin: &'static str,
    card_symbol: &'static str,
    card_number: &'static str,
    certificate_serial: [u8; 16],
}

const PERSONA: Persona = Persona {
    name: "検証 花子",
    kana: "ケンショウ ハナコ",
    birth_compact: "19610402",
    birth_iso: "1961-04-02",
    address: "東京都千代田区霞が関1-2-2",
    my_number: "473829105563",
    pin: "8261",
    card_symbol: "記号7319",
    card_number: "5528417",
    certificate_serial: *b"\x7c\x91\x05\xaa\x3e\x62\xd0\x18\x44\xbf\x09\xe7\x5d\x21\x86\xf3",
};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn files_hold_no_personal_value_but_the_voucher_and_insurer_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let mut store = SqliteAuditStore::open(&path).unwrap();
    // Everything a record can carry about the persona: the card's serial, the numbers.
    for i in 0..20 {
        store
            .append(&not_eligible_with_serial(
                T0 + i,
                &PERSONA.certificate_serial,
            ))
            .unwrap();
    }
    let mut export = Vec::new();
    store.export_jsonl(DayRange::all(), &mut export).unwrap();
    let debug = format!("{store:?} {:?}", store.entries(DayRange::all()).unwrap());

    let mut bytes = export.clone();
    bytes.extend_from_slice(debug.as_bytes());
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        if let Ok(b) = std::fs::read(&p) {
            bytes.extend_from_slice(&b);
        }
    }
    // The scan sees the records: the numbers the issue requires are there.
    assert!(contains(&bytes, b"26000000013"));
    assert!(contains(&bytes, b"06110829"));
    let serial_hex: String = PERSONA
        .certificate_serial
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let forbidden: [(&str, &[u8]); 11] = [
        ("name", PERSONA.name.as_bytes()),
        ("kana", PERSONA.kana.as_bytes()),
        ("birth date", PERSONA.birth_compact.as_bytes()),
        ("birth date", PERSONA.birth_iso.as_bytes()),
        ("address", PERSONA.address.as_bytes()),
        ("My Number", PERSONA.my_number.as_bytes()),
        ("PIN", PERSONA.pin.as_bytes()),
        ("card symbol", PERSONA.card_symbol.as_bytes()),
        ("card number", PERSONA.card_number.as_bytes()),
        ("certificate serial", &PERSONA.certificate_serial),
        ("certificate serial (hex)", serial_hex.as_bytes()),
    ];
    for (what, value) in forbidden {
        assert!(!contains(&bytes, value), "the {what} is in the audit files");
    }
}

#[test]
fn debug_redacts_voucher_and_insurer_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    let rec = not_eligible_with_serial(T0, &[0xde, 0xad]);
    let receipt = store.append(&rec).unwrap();
    let entry = store.entries(DayRange::all()).unwrap().remove(0);
    for text in [
        format!("{rec:?}"),
        format!("{entry:?}"),
        format!("{receipt:?} {receipt}"),
        format!("{store:?}"),
        format!("{:?}", rec.certificate_serial),
    ] {
        assert!(!text.contains("26000000013"), "{text}");
        assert!(!text.contains("06110829"), "{text}");
        assert!(!text.to_lowercase().contains("dead"), "{text}");
    }
}

#[test]
fn the_sink_is_object_safe_and_send() {
    fn assert_send<T: Send>(_: &T) {}
    let dir = tempfile::tempdir().unwrap();
    let mut sink: Box<dyn AuditSink> = Box::new(SqliteAuditStore::open(db_path(&dir)).unwrap());
    assert_send(&sink);
    assert_eq!(sink.append(&eligible(T0)).unwrap().seq(), 1);
}
