//! The dates of the test PKI (this project's design): what never expires, and what is
//! issued relative to a day so that the default PKI is valid on any date.
//!
//! | Issued | Valid from | Valid to |
//! |---|---|---|
//! | authorities, server certificate ([`authority_validity`]) | 2024-01-01 | 9999-12-31 23:59:59 UTC: RFC 5280 §4.1.2.5's "no well-defined expiration date" |
//! | card certificates ([`card_validity_on`]) | the day − 365 days | the day + 1,461 days (a 5-year span, like a real card) |
//! | device certificates ([`device_validity_on`]) | 2024-01-01 (or the day − 365 days if earlier) | the day + 3,653 days (10 years) |
//! | CRLs ([`crl_next_update_on`] is `nextUpdate`) | `thisUpdate`: [`crate::Authority::issue_crl`] | the day + 366 days |
//!
//! Why these: the authorities' certificates are what both sides share (a card's EF holds
//! its CA's certificate, a client pins the gateway CA's), and the server certificate is
//! checked by the client on its own (real) clock, never on the sandbox's possibly fake one:
//! neither can follow one party's day, so they do not expire. What a verifier checks on its
//! clock (card and device certificates, CRLs) is issued for the verifier's day instead:
//! the same seed and the same day give the same bytes. Device certificates start on a fixed
//! day so that a PKI issued today still serves a test pinned to an earlier day. A "day" is
//! the UTC calendar day of the given instant ([`utc_day`]).
//!
//! Times are written as UTCTime through 2049 and as GeneralizedTime from 2050 on (RFC 5280
//! §4.1.2.5; `x509-cert` chooses).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::PkiError;

const DAY: u64 = 86_400;

/// 00:00 UTC of a calendar day, as the certificates write it.
///
/// # Errors
/// [`PkiError::Build`] for a date that does not exist or is out of range.
pub fn utc_midnight(year: u16, month: u8, day: u8) -> Result<SystemTime, PkiError> {
    der::DateTime::new(year, month, day, 0, 0, 0)
        .map(|t| t.to_system_time())
        .map_err(|e| PkiError::Build(format!("date {year}-{month}-{day}: {e}")))
}

/// 00:00 UTC of the UTC day that contains `at` (the Unix epoch for earlier instants).
pub fn utc_day(at: SystemTime) -> SystemTime {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let midnight = secs.saturating_sub(secs % DAY);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(midnight))
        .unwrap_or(UNIX_EPOCH)
}

/// `at` moved by `days` whole days (negative: back).
fn shift(at: SystemTime, days: i64) -> Result<SystemTime, PkiError> {
    let by = Duration::from_secs(days.unsigned_abs().saturating_mul(DAY));
    let moved = if days < 0 {
        at.checked_sub(by)
    } else {
        at.checked_add(by)
    };
    moved.ok_or_else(|| PkiError::Build(format!("date out of range ({days} days away)")))
}

/// The first day of the test PKI, 2024-01-01: before any day a test pins.
fn first_day() -> Result<SystemTime, PkiError> {
    utc_midnight(2024, 1, 1)
}

/// The validity of the authorities and the server certificate: 2024-01-01 00:00 UTC to
/// 9999-12-31 23:59:59 UTC, RFC 5280 §4.1.2.5's value for "no well-defined expiration date"
/// (module docs: why they do not follow a day).
///
/// # Errors
/// Never in practice (fixed dates); [`PkiError::Build`] otherwise.
pub fn authority_validity() -> Result<(SystemTime, SystemTime), PkiError> {
    let end = der::DateTime::INFINITY.to_system_time();
    Ok((first_day()?, end))
}

/// The validity of a card certificate issued for the day of `today`: from 365 days before
/// that day to 1,461 days after it (00:00 UTC), a 5-year span like a real 利用者証明用電子証明書
/// (card.md; the real one ends on a birthday, which the test PKI does not model).
///
/// # Errors
/// [`PkiError::Build`] for a day out of range.
pub fn card_validity_on(today: SystemTime) -> Result<(SystemTime, SystemTime), PkiError> {
    let day = utc_day(today);
    Ok((shift(day, -365)?, shift(day, 1461)?))
}

/// The validity of a device certificate issued for the day of `today`: from 2024-01-01 (or
/// 365 days before the day, if earlier) to 3,653 days (10 years) after the day.
///
/// # Errors
/// [`PkiError::Build`] for a day out of range.
pub fn device_validity_on(today: SystemTime) -> Result<(SystemTime, SystemTime), PkiError> {
    let day = utc_day(today);
    Ok((first_day()?.min(shift(day, -365)?), shift(day, 3653)?))
}

/// The `nextUpdate` of a CRL signed on the day of `today`: 366 days after that day (this
/// project's choice: a process re-signs when it starts, and none runs for a year).
///
/// # Errors
/// [`PkiError::Build`] for a day out of range.
pub fn crl_next_update_on(today: SystemTime) -> Result<SystemTime, PkiError> {
    shift(utc_day(today), 366)
}
