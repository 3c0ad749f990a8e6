//! The hash chain: golden digests, and every kind of tampering done with plain SQL on the
//! database file is found by `verify`.

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;

use common::{T0, db_path, eligible, filled, network_error, raw};
use elig_client::audit::{
    AuditError, AuditSink, BreakKind, ChainBreak, ChainDigest, SqliteAuditStore, keyed_serial_hash,
};

#[test]
fn receipts_chain_and_verify_reports_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let (store, receipts) = filled(&db_path(&dir), 5);
    let report = store.verify().unwrap();
    assert_eq!(report.rows, 5);
    assert_eq!(report.head, receipts[4].digest());
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(r.seq(), i as u64 + 1);
        assert!(store.contains(r).unwrap());
    }
    let entries = store.entries(elig_client::audit::DayRange::all()).unwrap();
    assert_eq!(entries[0].prev_digest, ChainDigest::GENESIS);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_digest, pair[0].digest);
    }
}

#[test]
fn empty_store_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.rows, 0);
    assert_eq!(report.head, ChainDigest::GENESIS);
}

/// The first two rows of a fresh store have the digests computed independently (Python's
/// struct + hashlib) from the encoding documented in `audit::chain`: another store
/// (PostgreSQL, issue 15) computing the same chain gets the same values.
#[test]
fn golden_digests_of_the_first_two_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(db_path(&dir)).unwrap();
    let mut first = eligible(T0);
    first.codes.qualification_validity = Some(voucher_model::QualificationValidity::Valid);
    let r1 = store.append(&first).unwrap();
    let r2 = store.append(&network_error(T0 + 60)).unwrap();
    assert_eq!(
        r1.digest().to_hex(),
        "7edc437f0400e04136cb4b5367b609260df4cbd2b5b16b6e1117cdf2a98f768a"
    );
    assert_eq!(
        r2.digest().to_hex(),
        "6cc17cad24e312b3d8bd49492ec2a1eef01c3a6f87ffd7b6b654852a64116360"
    );
}

#[test]
fn keyed_serial_hash_is_hmac_sha256() {
    // Expected value from Python's hmac.new(key, serial, hashlib.sha256).
    let key: Vec<u8> = (0..32).collect();
    let serial = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01];
    let h = keyed_serial_hash(&key, &serial);
    let hex: String = h.0.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "6e5d9ef9aa13dbdaba5c8c72e922e251c43a586b8f7576d8dd779d61afbdc2a1"
    );
}

#[test]
fn serial_hash_is_stable_per_store_and_differs_between_stores() {
    let dir = tempfile::tempdir().unwrap();
    let serial = [0x0a, 0x0b, 0x0c];
    let hash_in = |path: &std::path::Path| {
        let mut store = SqliteAuditStore::open(path).unwrap();
        store
            .append(&common::not_eligible_with_serial(T0, &serial))
            .unwrap();
        let entries = store.entries(elig_client::audit::DayRange::all()).unwrap();
        entries.last().unwrap().serial_hmac.unwrap()
    };
    let a = dir.path().join("a.sqlite3");
    let first = hash_in(&a);
    // Reopening keeps the key: the same card hashes the same.
    assert_eq!(hash_in(&a), first);
    // Another store has its own key.
    assert_ne!(hash_in(&dir.path().join("b.sqlite3")), first);
    // And the value is not the bare SHA-256 of the serial.
    assert_ne!(first.0, keyed_serial_hash(&[], &serial).0);
}

#[test]
fn plain_update_and_delete_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let _ = filled(&path, 2);
    let conn = raw(&path);
    let e = conn
        .execute("UPDATE checks SET outcome = 'eligible' WHERE seq = 2", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = conn.execute("DELETE FROM checks", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

/// A five-row store, tampered with by `sql` after dropping the append-only triggers (as
/// anyone holding the file can), then verified by a fresh open.
fn tamper(sql: &str) -> ChainBreak {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let (store, _) = filled(&path, 5);
    store.verify().unwrap();
    drop(store);
    let conn = raw(&path);
    conn.execute_batch("DROP TRIGGER checks_no_update; DROP TRIGGER checks_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    match SqliteAuditStore::open(&path).unwrap().verify() {
        Err(AuditError::ChainBroken(b)) => b,
        other => panic!("tampering with {sql:?} not detected: {other:?}"),
    }
}

fn at(seq: u64, kind: BreakKind) -> ChainBreak {
    ChainBreak { seq, kind }
}

#[test]
fn edited_outcome_is_detected() {
    let b = tamper("UPDATE checks SET outcome = 'eligible' WHERE seq = 3;");
    assert_eq!(b, at(3, BreakKind::DigestMismatch));
}

#[test]
fn edited_voucher_number_is_detected() {
    let b = tamper("UPDATE checks SET voucher_number = '26000000099' WHERE seq = 4;");
    assert_eq!(b, at(4, BreakKind::DigestMismatch));
}

#[test]
fn edited_time_is_detected() {
    let b = tamper("UPDATE checks SET unix_secs = unix_secs + 1 WHERE seq = 1;");
    assert_eq!(b, at(1, BreakKind::DigestMismatch));
}

#[test]
fn edited_row_with_recomputed_digest_breaks_the_next_link() {
    // Replace row 2's content and digest with row 4's: row 2 now holds a digest that is not
    // its own content's.
    let b = tamper(
        "UPDATE checks SET digest = (SELECT digest FROM checks WHERE seq = 4) WHERE seq = 2;",
    );
    assert_eq!(b, at(2, BreakKind::DigestMismatch));
}

#[test]
fn deleted_row_is_detected() {
    let b = tamper("DELETE FROM checks WHERE seq = 3;");
    assert_eq!(b, at(4, BreakKind::SequenceGap { expected: 3 }));
}

#[test]
fn deleted_and_renumbered_rows_are_detected() {
    let b =
        tamper("DELETE FROM checks WHERE seq = 3; UPDATE checks SET seq = seq - 1 WHERE seq > 3;");
    assert_eq!(b, at(3, BreakKind::PreviousMismatch));
}

#[test]
fn deleted_last_row_is_detected() {
    let b = tamper("DELETE FROM checks WHERE seq = 5;");
    assert_eq!(b, at(4, BreakKind::HeadMismatch));
}

#[test]
fn inserted_row_is_detected() {
    // Make room after row 2 and insert a copy of row 2 there.
    let b = tamper(
        "UPDATE checks SET seq = -seq WHERE seq >= 3;
         UPDATE checks SET seq = -seq + 1 WHERE seq < 0;
         INSERT INTO checks SELECT 3, unix_secs, jst_date, facility_kind, facility, purpose,
             evidence, voucher_number, insurer_number, outcome, error_kind,
             qualification_validity, processing_result_code, error_code, serial_hmac,
             prev_digest, digest FROM checks WHERE seq = 2;",
    );
    assert_eq!(b, at(3, BreakKind::PreviousMismatch));
}

#[test]
fn appended_row_is_detected() {
    let b = tamper(
        "INSERT INTO checks SELECT 6, unix_secs, jst_date, facility_kind, facility, purpose,
             evidence, voucher_number, insurer_number, 'eligible', NULL,
             qualification_validity, processing_result_code, error_code, serial_hmac,
             digest, digest FROM checks WHERE seq = 5;",
    );
    assert_eq!(b, at(6, BreakKind::DigestMismatch));
}

#[test]
fn reordered_rows_are_detected() {
    let b = tamper(
        "UPDATE checks SET seq = 100 WHERE seq = 2;
         UPDATE checks SET seq = 2 WHERE seq = 3;
         UPDATE checks SET seq = 3 WHERE seq = 100;",
    );
    assert_eq!(b, at(2, BreakKind::PreviousMismatch));
}

#[test]
fn the_error_names_the_row() {
    let b = tamper("DELETE FROM checks WHERE seq = 3;");
    let text = AuditError::ChainBroken(b).to_string();
    assert!(text.contains("row 3 is missing"), "{text}");
}
