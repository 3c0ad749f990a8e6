//! Unix time → the date and the wall-clock time in Japan, and back.
//!
//! Public fact: Japan Standard Time is UTC+9 all year; Japan has no daylight saving time. The
//! qualification-check messages carry JST dates and times without a zone (oqs.md, "Response
//! header": `ProcessExecutionTime`, `QualificationConfirmationDate`), and the gateway requires
//! the inquiry's checkup date to be today in Japan.
//!
//! Our own design: this is the one place in the SDK that turns a Unix time into a JST
//! [`Date`] or [`DateTime`] (the sandbox gateway and the client both use it). It reads no
//! clock: the caller passes the time in. The accepted range is the JST wall-clock years
//! 1970..=9999 (`1970-01-01T00:00:00` to `9999-12-31T23:59:59` JST); anything outside is a
//! typed [`UnixTimeError`], never a panic, for every `i64`, `u64` or [`SystemTime`] input.
//!
//! ```
//! use voucher_model::jst;
//! // 2026-04-01T15:00:00Z is midnight of 2026-04-02 in Japan.
//! let t = jst::date_time_from_unix_secs(1_775_055_600).unwrap();
//! assert_eq!(t.to_string(), "2026-04-02T00:00:00");
//! assert_eq!(jst::unix_secs_of(t), 1_775_055_600);
//! assert!(jst::date_from_unix_secs(i64::MAX).is_err());
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use crate::date::{Date, DateTime};

/// The offset of Japan Standard Time from UTC, in seconds (+9 hours, all year).
pub const JST_OFFSET_SECS: i64 = 32_400;

const SECS_PER_DAY: i64 = 86_400;

/// The first accepted Unix time: `1970-01-01T00:00:00` JST (`1969-12-31T15:00:00Z`).
pub const MIN_UNIX_SECS: i64 = -32_400;

/// The last accepted Unix time: `9999-12-31T23:59:59` JST.
pub const MAX_UNIX_SECS: i64 = 253_402_268_399;

/// Why a Unix time has no JST date here. The time passed in (the caller's clock) is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnixTimeError {
    /// Before `1970-01-01T00:00:00` JST.
    #[error("the time is before 1970-01-01 in Japan (check the clock)")]
    BeforeYear1970,
    /// After `9999-12-31T23:59:59` JST.
    #[error("the time is after 9999-12-31 in Japan (check the clock)")]
    AfterYear9999,
}

impl UnixTimeError {
    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> &'static str {
        match self {
            UnixTimeError::BeforeYear1970 | UnixTimeError::AfterYear9999 => {
                "端末の時計が正しくありません（1970年〜9999年の範囲外）。時計を確認してください。"
            }
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

fn check_range(unix_secs: i64) -> Result<i64, UnixTimeError> {
    if unix_secs < MIN_UNIX_SECS {
        Err(UnixTimeError::BeforeYear1970)
    } else if unix_secs > MAX_UNIX_SECS {
        Err(UnixTimeError::AfterYear9999)
    } else {
        Ok(unix_secs)
    }
}

/// Seconds since the Unix epoch in JST wall-clock terms, split into (days, second of day).
fn split(unix_secs: i64) -> Result<(i64, i64), UnixTimeError> {
    let local = check_range(unix_secs)?
        .checked_add(JST_OFFSET_SECS)
        .ok_or(UnixTimeError::AfterYear9999)?;
    // In range, `local` is >= 0, so Euclidean division is plain division.
    let days = local
        .checked_div_euclid(SECS_PER_DAY)
        .ok_or(UnixTimeError::AfterYear9999)?;
    let secs = local
        .checked_rem_euclid(SECS_PER_DAY)
        .ok_or(UnixTimeError::AfterYear9999)?;
    Ok((days, secs))
}

/// The calendar day in Japan at `unix_secs` seconds after 1970-01-01T00:00:00Z.
pub fn date_from_unix_secs(unix_secs: i64) -> Result<Date, UnixTimeError> {
    let (days, _) = split(unix_secs)?;
    Date::from_unix_days(days).ok_or(UnixTimeError::AfterYear9999)
}

/// The date and wall-clock time in Japan at `unix_secs` (whole seconds).
pub fn date_time_from_unix_secs(unix_secs: i64) -> Result<DateTime, UnixTimeError> {
    let (days, secs) = split(unix_secs)?;
    let date = Date::from_unix_days(days).ok_or(UnixTimeError::AfterYear9999)?;
    let part = |v: i64| u8::try_from(v).map_err(|_| UnixTimeError::AfterYear9999);
    let hour = part(secs.checked_div(3600).unwrap_or(0))?;
    let minute = part(
        secs.checked_rem(3600)
            .unwrap_or(0)
            .checked_div(60)
            .unwrap_or(0),
    )?;
    let second = part(secs.checked_rem(60).unwrap_or(0))?;
    DateTime::new(date, hour, minute, second).map_err(|_| UnixTimeError::AfterYear9999)
}

fn from_u64(unix_secs: u64) -> Result<i64, UnixTimeError> {
    i64::try_from(unix_secs).map_err(|_| UnixTimeError::AfterYear9999)
}

/// [`date_from_unix_secs`] for an unsigned count of seconds.
pub fn date_from_unix_secs_u64(unix_secs: u64) -> Result<Date, UnixTimeError> {
    date_from_unix_secs(from_u64(unix_secs)?)
}

/// [`date_time_from_unix_secs`] for an unsigned count of seconds.
pub fn date_time_from_unix_secs_u64(unix_secs: u64) -> Result<DateTime, UnixTimeError> {
    date_time_from_unix_secs(from_u64(unix_secs)?)
}

/// Whole seconds since the Unix epoch, rounded down (towards the past).
fn system_secs(time: SystemTime) -> Result<i64, UnixTimeError> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).map_err(|_| UnixTimeError::AfterYear9999),
        Err(before) => {
            let before = before.duration();
            let whole =
                i64::try_from(before.as_secs()).map_err(|_| UnixTimeError::BeforeYear1970)?;
            let partial = i64::from(before.subsec_nanos() > 0);
            whole
                .checked_add(partial)
                .and_then(i64::checked_neg)
                .ok_or(UnixTimeError::BeforeYear1970)
        }
    }
}

/// The calendar day in Japan at `time`.
pub fn date_from_system_time(time: SystemTime) -> Result<Date, UnixTimeError> {
    date_from_unix_secs(system_secs(time)?)
}

/// The date and wall-clock time in Japan at `time` (fractions of a second dropped).
pub fn date_time_from_system_time(time: SystemTime) -> Result<DateTime, UnixTimeError> {
    date_time_from_unix_secs(system_secs(time)?)
}

/// The Unix time of a JST wall-clock time (the inverse of [`date_time_from_unix_secs`]; it
/// is negative before `1970-01-01T09:00:00` JST).
pub fn unix_secs_of(time: DateTime) -> i64 {
    // |days| < 3.7 million, so every step stays far inside i64.
    let secs_of_day = i64::from(time.hour())
        .saturating_mul(3600)
        .saturating_add(i64::from(time.minute()).saturating_mul(60))
        .saturating_add(i64::from(time.second()));
    time.date()
        .to_unix_days()
        .saturating_mul(SECS_PER_DAY)
        .saturating_add(secs_of_day)
        .saturating_sub(JST_OFFSET_SECS)
}

/// The Unix time at which `date` begins in Japan (00:00:00 JST).
pub fn start_of_day_unix_secs(date: Date) -> i64 {
    date.to_unix_days()
        .saturating_mul(SECS_PER_DAY)
        .saturating_sub(JST_OFFSET_SECS)
}

#[cfg(test)]
mod tests;
