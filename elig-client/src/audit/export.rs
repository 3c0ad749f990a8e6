//! JSON Lines export: one JSON object per stored row, one row per line.
//!
//! # Fields (stable; this project's own format)
//!
//! Every line has exactly these fields, in this order, with `null` for an absent value:
//!
//! | field | JSON type | content |
//! |---|---|---|
//! | `seq` | number | position in the chain, from 1 |
//! | `unix_secs` | number | when the check ended, Unix seconds |
//! | `jst_date` | string | its day in Japan, `YYYY-MM-DD` |
//! | `facility_kind` | string | `checkup_institution` or `self_running_insurer` |
//! | `facility` | string | 健診・保健指導機関番号 or オンライン資格確認用コード |
//! | `purpose` | string | e.g. `specific_health_checkup` |
//! | `evidence` | string | e.g. `online_pin`, `online_visual_confirmation`, `mynaportal` |
//! | `voucher_number` | string | 受診券整理番号 / 利用券整理番号 |
//! | `insurer_number` | string | 保険者番号 |
//! | `outcome` | string | `eligible`, `not_eligible`, `needs_review` or `error` |
//! | `error_kind` | string or null | for `error`: e.g. `network`, `card` |
//! | `qualification_validity` | string or null | 資格有効性 code (OQSCD006) |
//! | `processing_result_code` | string or null | `ProcessingResultCode` as sent |
//! | `error_code` | string or null | `ErrorCode` as sent |
//! | `serial_hmac` | string or null | keyed hash of the certificate serial, 64 hex digits |
//! | `prev_digest` | string | previous row's digest, 64 hex digits |
//! | `digest` | string | this row's digest, 64 hex digits |
//!
//! The values are the stored columns themselves, so a reader can recompute every digest
//! from an export with the encoding of [`chain`](super::chain) and check the chain without
//! the database. The store's HMAC key is never exported.

use std::io::Write;

use serde::Serialize;

use super::chain::{ChainDigest, Row, hex};
use super::error::AuditError;
use super::range::DayRange;
use super::sqlite::SqliteAuditStore;

/// One exported line (also the body of the central store's lines).
#[derive(Serialize)]
pub(crate) struct Line<'a> {
    seq: i64,
    unix_secs: i64,
    jst_date: &'a str,
    facility_kind: &'a str,
    facility: &'a str,
    purpose: &'a str,
    evidence: &'a str,
    voucher_number: &'a str,
    insurer_number: &'a str,
    outcome: &'a str,
    error_kind: Option<&'a str>,
    qualification_validity: Option<&'a str>,
    processing_result_code: Option<&'a str>,
    error_code: Option<&'a str>,
    serial_hmac: Option<String>,
    prev_digest: String,
    digest: String,
}

impl<'a> Line<'a> {
    pub(crate) fn of(row: &'a Row, digest: ChainDigest) -> Line<'a> {
        Line {
            seq: row.seq,
            unix_secs: row.unix_secs,
            jst_date: &row.jst_date,
            facility_kind: &row.facility_kind,
            facility: &row.facility,
            purpose: &row.purpose,
            evidence: &row.evidence,
            voucher_number: &row.voucher_number,
            insurer_number: &row.insurer_number,
            outcome: &row.outcome,
            error_kind: row.error_kind.as_deref(),
            qualification_validity: row.qualification_validity.as_deref(),
            processing_result_code: row.processing_result_code.as_deref(),
            error_code: row.error_code.as_deref(),
            serial_hmac: row.serial_hmac.as_deref().map(hex),
            prev_digest: hex(&row.prev_digest),
            digest: digest.to_hex(),
        }
    }
}

impl SqliteAuditStore {
    /// Writes the rows whose JST day is in `range` as JSON Lines (module docs for the
    /// fields), in chain order; returns how many lines were written. Each line ends in `\n`.
    pub fn export_jsonl(&self, range: DayRange, out: &mut dyn Write) -> Result<u64, AuditError> {
        let mut lines: u64 = 0;
        self.for_each_row(range, |row, digest| {
            let write = serde_json::to_writer(&mut *out, &Line::of(row, digest))
                .map_err(|e| e.to_string())
                .and_then(|()| out.write_all(b"\n").map_err(|e| e.to_string()));
            write.map_err(|detail| AuditError::Output { detail })?;
            lines = lines.saturating_add(1);
            Ok(())
        })?;
        out.flush().map_err(|e| AuditError::Output {
            detail: e.to_string(),
        })?;
        Ok(lines)
    }
}
