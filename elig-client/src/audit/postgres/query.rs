//! The organisation's queries: by day, site, device and outcome; counts per day per
//! outcome; JSON Lines export; verification of a device's central chain.

use std::io::Write;

use serde::Serialize;
use tokio_postgres::Row as PgRow;
use voucher_model::Date;

use super::fault::from_pg;
use super::{CENTRAL_COLUMNS, PgAuditStore, check_link, digest_from};
use crate::audit::DayRange;
use crate::audit::chain::{ChainDigest, Row};
use crate::audit::export::Line;
use crate::audit::row::entry_of;
use crate::audit::{AuditEntry, AuditError, BreakKind, ChainBreak, ChainReport, CheckOutcome};

/// Which central rows a query covers: every filter that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Query {
    /// The JST days (default: all).
    pub days: DayRange,
    /// Only this site's devices.
    pub site: Option<String>,
    /// Only this device.
    pub device: Option<String>,
    /// Only this outcome; [`CheckOutcome::Error`] matches that error kind only.
    pub outcome: Option<CheckOutcome>,
}

impl Query {
    /// Every row.
    pub fn all() -> Query {
        Query::default()
    }

    /// This query restricted to `days`.
    pub fn days(mut self, days: DayRange) -> Query {
        self.days = days;
        self
    }

    /// This query restricted to one site.
    pub fn site(mut self, site: &str) -> Query {
        self.site = Some(site.to_owned());
        self
    }

    /// This query restricted to one device.
    pub fn device(mut self, device: &str) -> Query {
        self.device = Some(device.to_owned());
        self
    }

    /// This query restricted to one outcome.
    pub fn outcome(mut self, outcome: CheckOutcome) -> Query {
        self.outcome = Some(outcome);
        self
    }

    /// The `WHERE` clause over `c` (checks) and `d` (devices), and its parameters.
    fn sql(&self) -> (&'static str, [Option<String>; 6]) {
        let (from, to) = self.days.bounds();
        (
            "c.jst_date >= $1 AND c.jst_date <= $2 \
             AND ($3::text IS NULL OR c.device = $3) AND ($4::text IS NULL OR d.site = $4) \
             AND ($5::text IS NULL OR c.outcome = $5) AND ($6::text IS NULL OR c.error_kind = $6)",
            [
                Some(from),
                Some(to),
                self.device.clone(),
                self.site.clone(),
                self.outcome.map(|o| o.code().to_owned()),
                self.outcome.and_then(|o| o.error_code()).map(str::to_owned),
            ],
        )
    }
}

/// One central row: where it came from, and the row itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CentralEntry {
    /// The desk or bus that recorded it.
    pub device: String,
    /// The device's site.
    pub site: String,
    /// The row (its `seq` is its position in the device's chain).
    pub entry: AuditEntry,
}

/// How many checks of one JST day ended with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DayCount {
    /// The day in Japan.
    pub day: Date,
    /// The stored outcome: `eligible`, `not_eligible`, `needs_review` or `error`
    /// ([`CheckOutcome::code`]).
    pub outcome: String,
    /// How many.
    pub count: u64,
}

/// A JSON Lines line of the central export: the device and site, then the fields of the
/// local export ([`export`](crate::audit::export)), so each device's lines can be
/// re-verified with the same encoding.
#[derive(Serialize)]
struct CentralLine<'a> {
    device: &'a str,
    site: &'a str,
    #[serde(flatten)]
    line: Line<'a>,
}

/// Rows fetched per round trip while streaming a query.
const FETCH_ROWS: i32 = 1000;

impl PgAuditStore {
    /// The rows matching `query`, by day, device and `seq`.
    pub fn entries(&self, query: &Query) -> Result<Vec<CentralEntry>, AuditError> {
        let mut out = Vec::new();
        self.for_each(query, None, |device, site, row, digest| {
            out.push(CentralEntry {
                device: device.to_owned(),
                site: site.to_owned(),
                entry: entry_of(row, digest)?,
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// How many rows matching `query` each day has per outcome, by day then outcome.
    pub fn counts_per_day(&self, query: &Query) -> Result<Vec<DayCount>, AuditError> {
        let (filter, params) = query.sql();
        let sql = format!(
            "SELECT c.jst_date, c.outcome, count(*) FROM elig_audit_checks c \
             JOIN elig_audit_devices d USING (device) WHERE {filter} \
             GROUP BY c.jst_date, c.outcome ORDER BY c.jst_date, c.outcome"
        );
        self.block_on(async {
            let client = self.client().await?;
            let rows = client
                .query(&sql, &param_refs(&params))
                .await
                .map_err(from_pg)?;
            rows.iter()
                .map(|r| {
                    let day: String = r.try_get(0).map_err(from_pg)?;
                    let count: i64 = r.try_get(2).map_err(from_pg)?;
                    Ok(DayCount {
                        day: Date::parse_iso(&day).map_err(|_| AuditError::UnreadableRow {
                            seq: 0,
                            column: "jst_date",
                        })?,
                        outcome: r.try_get(1).map_err(from_pg)?,
                        count: u64::try_from(count).unwrap_or(0),
                    })
                })
                .collect()
        })
    }

    /// Writes the rows matching `query` as JSON Lines (the local export's fields after
    /// `device` and `site`), by day, device and `seq`; returns the number of lines.
    pub fn export_jsonl(&self, query: &Query, out: &mut dyn Write) -> Result<u64, AuditError> {
        let mut lines: u64 = 0;
        self.for_each(query, None, |device, site, row, digest| {
            let line = CentralLine {
                device,
                site,
                line: Line::of(row, digest),
            };
            serde_json::to_writer(&mut *out, &line)
                .map_err(|e| e.to_string())
                .and_then(|()| out.write_all(b"\n").map_err(|e| e.to_string()))
                .map_err(|detail| AuditError::Output { detail })?;
            lines = lines.saturating_add(1);
            Ok(())
        })?;
        out.flush().map_err(|e| AuditError::Output {
            detail: e.to_string(),
        })?;
        Ok(lines)
    }

    /// Walks `device`'s whole central chain from row 1 (as
    /// [`SqliteAuditStore::verify`](crate::audit::SqliteAuditStore::verify) does locally)
    /// and checks it ends at the device's recorded head.
    pub fn verify_device(&self, device: &str) -> Result<ChainReport, AuditError> {
        let mut expected: u64 = 1;
        let mut prev = ChainDigest::GENESIS;
        let query = Query::all().device(device);
        let head = self.for_each(&query, Some(device), |_, _, row, stored| {
            let digest =
                check_link(row, &stored.0, expected, prev).map_err(AuditError::ChainBroken)?;
            prev = digest;
            expected = expected.saturating_add(1);
            Ok(())
        })?;
        let last = expected.saturating_sub(1);
        let Some((head_seq, head)) = head else {
            return Err(AuditError::Config {
                detail: format!("the central store knows no device {device}"),
            });
        };
        if head_seq != last || head != prev {
            return Err(AuditError::ChainBroken(ChainBreak {
                seq: last,
                kind: BreakKind::HeadMismatch,
            }));
        }
        Ok(ChainReport {
            rows: last,
            head: prev,
        })
    }

    /// Calls `f` with each matching row in order (by day, device, `seq`; for one device and
    /// all days that is chain order), fetching [`FETCH_ROWS`] at a time, in one snapshot
    /// (repeatable read) that also gives the head of `head_of` (`None`: unknown device).
    fn for_each(
        &self,
        query: &Query,
        head_of: Option<&str>,
        mut f: impl FnMut(&str, &str, &Row, ChainDigest) -> Result<(), AuditError>,
    ) -> Result<Option<(u64, ChainDigest)>, AuditError> {
        let (filter, params) = query.sql();
        let order = if query.device.is_some() && query.days == DayRange::all() {
            "c.seq"
        } else {
            "c.jst_date, c.device, c.seq"
        };
        let columns = CENTRAL_COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, d.site FROM elig_audit_checks c \
             JOIN elig_audit_devices d USING (device) WHERE {filter} ORDER BY {order}"
        );
        self.block_on(async {
            let mut client = self.client().await?;
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(from_pg)?;
            let mut head = None;
            if let Some(device) = head_of {
                let row = tx
                    .query_opt(
                        "SELECT head_seq, head_digest FROM elig_audit_devices WHERE device = $1",
                        &[&device],
                    )
                    .await
                    .map_err(from_pg)?;
                if let Some(r) = row {
                    let seq: i64 = r.try_get(0).map_err(from_pg)?;
                    let digest: Vec<u8> = r.try_get(1).map_err(from_pg)?;
                    head = Some((
                        u64::try_from(seq).unwrap_or(0),
                        digest_from(&digest, "head digest")?,
                    ));
                }
            }
            let stmt = tx.prepare(&sql).await.map_err(from_pg)?;
            let portal = tx
                .bind(&stmt, &param_refs(&params))
                .await
                .map_err(from_pg)?;
            loop {
                let rows = tx
                    .query_portal(&portal, FETCH_ROWS)
                    .await
                    .map_err(from_pg)?;
                for r in &rows {
                    let (device, site, row, digest) = read_central(r)?;
                    f(&device, &site, &row, digest)?;
                }
                if rows.len() < usize::try_from(FETCH_ROWS).unwrap_or(0) {
                    break;
                }
            }
            tx.commit().await.map_err(from_pg)?;
            Ok(head)
        })
    }
}

fn param_refs(params: &[Option<String>; 6]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

/// A central row: device, the stored row, its digest, and the device's site.
fn read_central(r: &PgRow) -> Result<(String, String, Row, ChainDigest), AuditError> {
    let seq: i64 = r.try_get(1).map_err(from_pg)?;
    let bad = |column| AuditError::UnreadableRow {
        seq: u64::try_from(seq).unwrap_or(0),
        column,
    };
    let row = Row {
        seq,
        unix_secs: r.try_get(2).map_err(|_| bad("unix_secs"))?,
        jst_date: r.try_get(3).map_err(|_| bad("jst_date"))?,
        facility_kind: r.try_get(4).map_err(|_| bad("facility_kind"))?,
        facility: r.try_get(5).map_err(|_| bad("facility"))?,
        purpose: r.try_get(6).map_err(|_| bad("purpose"))?,
        evidence: r.try_get(7).map_err(|_| bad("evidence"))?,
        voucher_number: r.try_get(8).map_err(|_| bad("voucher_number"))?,
        insurer_number: r.try_get(9).map_err(|_| bad("insurer_number"))?,
        outcome: r.try_get(10).map_err(|_| bad("outcome"))?,
        error_kind: r.try_get(11).map_err(|_| bad("error_kind"))?,
        qualification_validity: r.try_get(12).map_err(|_| bad("qualification_validity"))?,
        processing_result_code: r.try_get(13).map_err(|_| bad("processing_result_code"))?,
        error_code: r.try_get(14).map_err(|_| bad("error_code"))?,
        serial_hmac: r.try_get(15).map_err(|_| bad("serial_hmac"))?,
        prev_digest: r.try_get(16).map_err(|_| bad("prev_digest"))?,
    };
    let digest: Vec<u8> = r.try_get(17).map_err(|_| bad("digest"))?;
    let digest = <[u8; 32]>::try_from(digest.as_slice()).map_err(|_| bad("digest"))?;
    Ok((
        r.try_get(0).map_err(|_| bad("device"))?,
        r.try_get(18).map_err(|_| bad("site"))?,
        row,
        ChainDigest(digest),
    ))
}
