//! The central rows: inserting them (one or a batch), the device's head, the link check.

use super::fault;
use crate::audit::chain::{ChainDigest, Row};
use crate::audit::{AuditError, BreakKind, ChainBreak};

/// The central columns: `device`, then the SQLite store's columns in their order.
pub(crate) const CENTRAL_COLUMNS: &str = "device, seq, unix_secs, jst_date, facility_kind, \
     facility, purpose, evidence, voucher_number, insurer_number, outcome, error_kind, \
     qualification_validity, processing_result_code, error_code, serial_hmac, prev_digest, \
     digest";

/// Inserts one row of `device` (the arrival check verifies it and moves the head).
pub(crate) async fn insert_row(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
    row: &Row,
    digest: ChainDigest,
) -> Result<(), AuditError> {
    let stmt = tx
        .prepare_cached(&format!(
            "INSERT INTO elig_audit_checks ({CENTRAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, \
             $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .await
        .map_err(fault::from_pg)?;
    let digest = digest.0.as_slice();
    tx.execute(
        &stmt,
        &[
            &device,
            &row.seq,
            &row.unix_secs,
            &row.jst_date,
            &row.facility_kind,
            &row.facility,
            &row.purpose,
            &row.evidence,
            &row.voucher_number,
            &row.insurer_number,
            &row.outcome,
            &row.error_kind,
            &row.qualification_validity,
            &row.processing_result_code,
            &row.error_code,
            &row.serial_hmac,
            &row.prev_digest,
            &digest,
        ],
    )
    .await
    .map_err(fault::from_pg)?;
    Ok(())
}

/// Inserts `rows` of `device` in order, in one statement (one round trip: the rows travel as
/// arrays, `unnest … WITH ORDINALITY` keeps their order); the arrival check verifies each.
pub(crate) async fn insert_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
    rows: &[(Row, ChainDigest)],
) -> Result<(), AuditError> {
    if rows.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO elig_audit_checks SELECT $1, u.seq, u.unix_secs, u.jst_date, \
             u.facility_kind, u.facility, u.purpose, u.evidence, u.voucher_number, \
             u.insurer_number, u.outcome, u.error_kind, u.qualification_validity, \
             u.processing_result_code, u.error_code, u.serial_hmac, u.prev_digest, u.digest \
             FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], \
             $13::text[], $14::text[], $15::text[], $16::bytea[], $17::bytea[], $18::bytea[]) \
             WITH ORDINALITY AS u(seq, unix_secs, jst_date, facility_kind, facility, purpose, \
             evidence, voucher_number, insurer_number, outcome, error_kind, \
             qualification_validity, processing_result_code, error_code, serial_hmac, \
             prev_digest, digest, ord) ORDER BY u.ord",
        )
        .await
        .map_err(fault::from_pg)?;
    let text = |f: fn(&Row) -> &str| rows.iter().map(|(r, _)| f(r)).collect::<Vec<&str>>();
    let opt = |f: fn(&Row) -> Option<&str>| rows.iter().map(|(r, _)| f(r)).collect::<Vec<_>>();
    let seqs: Vec<i64> = rows.iter().map(|(r, _)| r.seq).collect();
    let times: Vec<i64> = rows.iter().map(|(r, _)| r.unix_secs).collect();
    let hmacs: Vec<Option<&[u8]>> = rows.iter().map(|(r, _)| r.serial_hmac.as_deref()).collect();
    let prevs: Vec<&[u8]> = rows.iter().map(|(r, _)| r.prev_digest.as_slice()).collect();
    let digests: Vec<&[u8]> = rows.iter().map(|(_, d)| d.0.as_slice()).collect();
    let (jst, kind, facility) = (
        text(|r| &r.jst_date),
        text(|r| &r.facility_kind),
        text(|r| &r.facility),
    );
    let (purpose, evidence, voucher, insurer, outcome) = (
        text(|r| &r.purpose),
        text(|r| &r.evidence),
        text(|r| &r.voucher_number),
        text(|r| &r.insurer_number),
        text(|r| &r.outcome),
    );
    let (error_kind, validity, processing, error_code) = (
        opt(|r| r.error_kind.as_deref()),
        opt(|r| r.qualification_validity.as_deref()),
        opt(|r| r.processing_result_code.as_deref()),
        opt(|r| r.error_code.as_deref()),
    );
    tx.execute(
        &stmt,
        &[
            &device,
            &seqs,
            &times,
            &jst,
            &kind,
            &facility,
            &purpose,
            &evidence,
            &voucher,
            &insurer,
            &outcome,
            &error_kind,
            &validity,
            &processing,
            &error_code,
            &hmacs,
            &prevs,
            &digests,
        ],
    )
    .await
    .map_err(fault::from_pg)?;
    Ok(())
}

/// Checks that `row` (stored digest `stored`) is row `expected` and follows `prev`; returns
/// its digest.
pub(crate) fn check_link(
    row: &Row,
    stored: &[u8],
    expected: u64,
    prev: ChainDigest,
) -> Result<ChainDigest, ChainBreak> {
    let seq = u64::try_from(row.seq).unwrap_or(0);
    let broken = |kind| ChainBreak { seq, kind };
    if seq != expected {
        return Err(broken(BreakKind::SequenceGap { expected }));
    }
    if row.prev_digest != prev.0 {
        return Err(broken(BreakKind::PreviousMismatch));
    }
    let digest = row.digest();
    if stored != digest.0 {
        return Err(broken(BreakKind::DigestMismatch));
    }
    Ok(digest)
}

/// A 32-byte digest read from the central store.
pub(crate) fn digest_from(bytes: &[u8], what: &str) -> Result<ChainDigest, AuditError> {
    <[u8; 32]>::try_from(bytes)
        .map(ChainDigest)
        .map_err(|_| AuditError::Server {
            code: "elig".to_owned(),
            detail: format!("the central store holds a malformed {what}"),
        })
}

/// The head (`seq`, digest) of `device`, locking the device's row until the transaction
/// ends; `None` for an unknown device.
pub(crate) async fn lock_head(
    tx: &deadpool_postgres::Transaction<'_>,
    device: &str,
) -> Result<Option<(u64, ChainDigest)>, AuditError> {
    let row = tx
        .query_opt(
            "SELECT head_seq, head_digest FROM elig_audit_devices WHERE device = $1 FOR UPDATE",
            &[&device],
        )
        .await
        .map_err(fault::from_pg)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let seq: i64 = row.try_get(0).map_err(fault::from_pg)?;
    let digest: Vec<u8> = row.try_get(1).map_err(fault::from_pg)?;
    Ok(Some((
        u64::try_from(seq).unwrap_or(0),
        digest_from(&digest, "head digest")?,
    )))
}
