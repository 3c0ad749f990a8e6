//! Typed records ⇄ stored rows: the stable text of each column.

use serde::Serialize;
use serde::de::DeserializeOwned;
use voucher_model::{Date, InsurerNumber, QualificationValidity, VoucherNumber};

use super::chain::{ChainDigest, Row};
use super::error::{AuditError, InvalidRecord};
use super::record::{AuditEntry, CheckOutcome, CheckRecord, ResultCodes, SerialHmac};

/// The day in Japan of a Unix time; `None` outside voucher-model's range (1970–9999).
pub(crate) fn jst_date(unix_secs: i64) -> Option<Date> {
    voucher_model::jst::date_from_unix_secs(unix_secs).ok()
}

/// The snake_case name serde gives a unit variant of voucher-model (its stable names).
fn serde_name<T: Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

fn from_serde_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// The row for `record` at position `seq` after `prev`.
pub(crate) fn row_for(
    record: &CheckRecord,
    seq: i64,
    prev: ChainDigest,
    serial_hmac: Option<SerialHmac>,
) -> Result<Row, InvalidRecord> {
    record.codes.check()?;
    let jst = jst_date(record.unix_secs).ok_or(InvalidRecord::TimeOutOfRange)?;
    // Facility serialises as {"<kind>": "<identifier>"}.
    let facility_kind = match serde_json::to_value(&record.facility) {
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned(),
        _ => None,
    }
    .ok_or(InvalidRecord::Unsupported)?;
    Ok(Row {
        seq,
        unix_secs: record.unix_secs,
        jst_date: jst.to_iso(),
        facility_kind,
        facility: record.facility.as_str().to_owned(),
        purpose: serde_name(&record.purpose).ok_or(InvalidRecord::Unsupported)?,
        evidence: serde_name(&record.evidence).ok_or(InvalidRecord::Unsupported)?,
        voucher_number: record.voucher_number.as_str().to_owned(),
        insurer_number: record.insurer_number.as_str().to_owned(),
        outcome: record.outcome.code().to_owned(),
        error_kind: record.outcome.error_code().map(str::to_owned),
        qualification_validity: record
            .codes
            .qualification_validity
            .as_ref()
            .map(|v| v.code().to_owned()),
        processing_result_code: record.codes.processing_result_code.clone(),
        error_code: record.codes.error_code.clone(),
        serial_hmac: serial_hmac.map(|h| h.0.to_vec()),
        prev_digest: prev.0.to_vec(),
    })
}

/// The typed entry of a stored row whose digest is `digest`.
pub(crate) fn entry_of(row: &Row, digest: ChainDigest) -> Result<AuditEntry, AuditError> {
    let seq = u64::try_from(row.seq).unwrap_or(0);
    let bad = |column: &'static str| AuditError::UnreadableRow { seq, column };
    let facility = {
        let mut map = serde_json::Map::new();
        map.insert(
            row.facility_kind.clone(),
            serde_json::Value::String(row.facility.clone()),
        );
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|_| bad("facility"))?
    };
    let digest32 = |bytes: &[u8], column| <[u8; 32]>::try_from(bytes).map_err(|_| bad(column));
    Ok(AuditEntry {
        seq,
        unix_secs: row.unix_secs,
        jst_date: Date::parse_iso(&row.jst_date).map_err(|_| bad("jst_date"))?,
        facility,
        purpose: from_serde_name(&row.purpose).ok_or_else(|| bad("purpose"))?,
        evidence: from_serde_name(&row.evidence).ok_or_else(|| bad("evidence"))?,
        voucher_number: VoucherNumber::parse_lenient(&row.voucher_number)
            .map_err(|_| bad("voucher_number"))?,
        insurer_number: InsurerNumber::parse_lenient(&row.insurer_number)
            .map_err(|_| bad("insurer_number"))?,
        outcome: CheckOutcome::from_codes(&row.outcome, row.error_kind.as_deref())
            .ok_or_else(|| bad("outcome"))?,
        codes: ResultCodes {
            qualification_validity: row
                .qualification_validity
                .as_deref()
                .map(QualificationValidity::from_code),
            processing_result_code: row.processing_result_code.clone(),
            error_code: row.error_code.clone(),
        },
        serial_hmac: match &row.serial_hmac {
            None => None,
            Some(h) => Some(SerialHmac(digest32(h, "serial_hmac")?)),
        },
        prev_digest: ChainDigest(digest32(&row.prev_digest, "prev_digest")?),
        digest,
    })
}
