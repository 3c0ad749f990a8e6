//! A civil (calendar) date and a wall-clock date-time, without any clock or time-zone logic.
//!
//! The qualification-check messages carry dates as `yyyyMMdd` and times as `yyyyMMddHHmmss`
//! (oqs.md, "Response header"); this crate's JSON uses ISO 8601 (`YYYY-MM-DD`). The proleptic
//! Gregorian calendar is used for every year in `0001..=9999`. Day arithmetic follows the
//! well-known days-from-civil algorithm (H. Hinnant), implemented here with checked arithmetic.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::{fold_digit, trim_spaces};

/// Why a date or date-time could not be built or parsed. The input is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text does not have the expected shape (length, separators, digits).
    #[error("malformed date or time {found:?}: expected {expected}")]
    Malformed {
        /// The offending text (truncated to 32 characters).
        found: String,
        /// The accepted format(s).
        expected: &'static str,
    },
    /// The year is outside `1..=9999`.
    #[error("year {0} is outside 1..=9999")]
    YearOutOfRange(i64),
    /// The month is outside `1..=12`.
    #[error("month {0} is outside 1..=12")]
    MonthOutOfRange(u8),
    /// The day does not exist in that month.
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    DayOutOfRange {
        /// Year.
        year: u16,
        /// Month.
        month: u8,
        /// Day.
        day: u8,
    },
    /// Hour, minute or second out of range (no leap seconds).
    #[error("time {hour:02}:{minute:02}:{second:02} is out of range")]
    TimeOutOfRange {
        /// Hour.
        hour: u8,
        /// Minute.
        minute: u8,
        /// Second.
        second: u8,
    },
}

impl DateError {
    /// The message for reception staff, in Japanese (a date typed for a voucher or read off
    /// a document).
    pub fn message_ja(&self) -> String {
        match self {
            DateError::Malformed { found, .. } => {
                format!(
                    "日付「{found}」の形式が正しくありません（例：2025-04-01 または 20250401）。"
                )
            }
            DateError::YearOutOfRange(year) => format!("年「{year}」は使えません（1〜9999年）。"),
            DateError::MonthOutOfRange(month) => format!("{month}月という月はありません。"),
            DateError::DayOutOfRange { year, month, day } => {
                format!("{year}年{month}月{day}日という日付はありません。")
            }
            DateError::TimeOutOfRange {
                hour,
                minute,
                second,
            } => format!("時刻 {hour:02}:{minute:02}:{second:02} は正しくありません。"),
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    fn malformed(found: &str, expected: &'static str) -> Self {
        DateError::Malformed {
            found: found.chars().take(32).collect(),
            expected,
        }
    }
}

/// A calendar date (no time zone), valid by construction, ordered chronologically.
///
/// Serde: an ISO 8601 string `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order makes the derived Ord chronological.
    year: u16,
    month: u8,
    day: u8,
}

/// Days from 0000-03-01 to 1970-01-01 in the days-from-civil algorithm.
const UNIX_EPOCH_SHIFT: i64 = 719_468;

const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses exactly `n` ASCII (or full-width) digits from the front of `chars`.
fn take_number(chars: &mut core::str::Chars<'_>, n: usize) -> Option<u16> {
    let mut v: u16 = 0;
    for _ in 0..n {
        let d = fold_digit(chars.next()?).to_digit(10)?;
        v = v.checked_mul(10)?.checked_add(u16::try_from(d).ok()?)?;
    }
    Some(v)
}

fn expect_char(chars: &mut core::str::Chars<'_>, c: char) -> Option<()> {
    (chars.next()? == c).then_some(())
}

impl Date {
    /// The earliest representable date, 0001-01-01.
    pub const MIN: Date = Date {
        year: 1,
        month: 1,
        day: 1,
    };
    /// The latest representable date, 9999-12-31.
    pub const MAX: Date = Date {
        year: 9999,
        month: 12,
        day: 31,
    };

    /// Builds a date in a `const` context; `None` when it does not exist (see [`Date::new`]
    /// for the reason).
    pub const fn from_ymd(year: u16, month: u8, day: u8) -> Option<Date> {
        if year == 0 || year > 9999 || month == 0 || month > 12 {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Builds a date, checking that it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1..=9999).contains(&year) {
            return Err(DateError::YearOutOfRange(i64::from(year)));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::MonthOutOfRange(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::DayOutOfRange { year, month, day });
        }
        Ok(Date { year, month, day })
    }

    /// The year (1–9999).
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses the message format `yyyyMMdd` (exactly 8 digits; full-width digits accepted,
    /// surrounding spaces trimmed).
    pub fn parse_yyyymmdd(s: &str) -> Result<Date, DateError> {
        const EXPECTED: &str = "yyyyMMdd";
        let t = trim_spaces(s);
        let mut chars = t.chars();
        let parsed = (|| {
            let y = take_number(&mut chars, 4)?;
            let m = take_number(&mut chars, 2)?;
            let d = take_number(&mut chars, 2)?;
            chars.next().is_none().then_some((y, m, d))
        })();
        let (y, m, d) = parsed.ok_or_else(|| DateError::malformed(s, EXPECTED))?;
        Date::new(y, narrow(m)?, narrow(d)?)
    }

    /// Parses ISO 8601 `YYYY-MM-DD` (exactly; surrounding spaces trimmed).
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        const EXPECTED: &str = "YYYY-MM-DD";
        let t = trim_spaces(s);
        let mut chars = t.chars();
        let parsed = (|| {
            let y = take_number(&mut chars, 4)?;
            expect_char(&mut chars, '-')?;
            let m = take_number(&mut chars, 2)?;
            expect_char(&mut chars, '-')?;
            let d = take_number(&mut chars, 2)?;
            chars.next().is_none().then_some((y, m, d))
        })();
        let (y, m, d) = parsed.ok_or_else(|| DateError::malformed(s, EXPECTED))?;
        Date::new(y, narrow(m)?, narrow(d)?)
    }

    /// Parses either `yyyyMMdd` or `YYYY-MM-DD`, for input whose format is not known.
    pub fn parse_any(s: &str) -> Result<Date, DateError> {
        if trim_spaces(s).contains('-') {
            Date::parse_iso(s)
        } else {
            Date::parse_yyyymmdd(s).map_err(|e| match e {
                DateError::Malformed { found, .. } => DateError::Malformed {
                    found,
                    expected: "yyyyMMdd or YYYY-MM-DD",
                },
                other => other,
            })
        }
    }

    /// Formats as `yyyyMMdd`, the message format.
    pub fn to_yyyymmdd(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Formats as ISO 8601 `YYYY-MM-DD` (the same as `Display`).
    pub fn to_iso(self) -> String {
        self.to_string()
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn to_unix_days(self) -> i64 {
        // Every intermediate value is bounded by the year range, so the checked chain never
        // fails; 0 is an unreachable fallback that keeps the function total.
        self.unix_days_checked().unwrap_or(0)
    }

    fn unix_days_checked(self) -> Option<i64> {
        let m = i64::from(self.month);
        let d = i64::from(self.day);
        let y = i64::from(self.year).checked_sub(i64::from(self.month <= 2))?;
        let era = y.checked_div(400)?;
        let yoe = y.checked_sub(era.checked_mul(400)?)?;
        let mp = if m > 2 {
            m.checked_sub(3)?
        } else {
            m.checked_add(9)?
        };
        let doy = mp
            .checked_mul(153)?
            .checked_add(2)?
            .checked_div(5)?
            .checked_add(d)?
            .checked_sub(1)?;
        let doe = yoe
            .checked_mul(365)?
            .checked_add(yoe.checked_div(4)?)?
            .checked_sub(yoe.checked_div(100)?)?
            .checked_add(doy)?;
        era.checked_mul(146_097)?
            .checked_add(doe)?
            .checked_sub(UNIX_EPOCH_SHIFT)
    }

    /// The date `days` days after 1970-01-01; `None` outside [`Date::MIN`]..=[`Date::MAX`].
    pub fn from_unix_days(days: i64) -> Option<Date> {
        if days < Date::MIN.to_unix_days() || days > Date::MAX.to_unix_days() {
            return None;
        }
        let z = days.checked_add(UNIX_EPOCH_SHIFT)?; // >= 0 within the range
        let era = z.checked_div(146_097)?;
        let doe = z.checked_sub(era.checked_mul(146_097)?)?;
        let yoe = doe
            .checked_sub(doe.checked_div(1460)?)?
            .checked_add(doe.checked_div(36_524)?)?
            .checked_sub(doe.checked_div(146_096)?)?
            .checked_div(365)?;
        let y = yoe.checked_add(era.checked_mul(400)?)?;
        let doy = doe.checked_sub(
            yoe.checked_mul(365)?
                .checked_add(yoe.checked_div(4)?)?
                .checked_sub(yoe.checked_div(100)?)?,
        )?;
        let mp = doy.checked_mul(5)?.checked_add(2)?.checked_div(153)?;
        let d = doy
            .checked_sub(mp.checked_mul(153)?.checked_add(2)?.checked_div(5)?)?
            .checked_add(1)?;
        let m = if mp < 10 {
            mp.checked_add(3)?
        } else {
            mp.checked_sub(9)?
        };
        let y = y.checked_add(i64::from(m <= 2))?;
        Date::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
        .ok()
    }

    /// The date `days` days later (earlier when negative); `None` outside the range.
    pub fn checked_add_days(self, days: i64) -> Option<Date> {
        Date::from_unix_days(self.to_unix_days().checked_add(days)?)
    }

    /// The next day; `None` after [`Date::MAX`].
    pub fn succ(self) -> Option<Date> {
        self.checked_add_days(1)
    }

    /// The previous day; `None` before [`Date::MIN`].
    pub fn pred(self) -> Option<Date> {
        self.checked_add_days(-1)
    }

    /// Number of days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        // Both values are within ±3.7 million: the subtraction cannot overflow.
        other
            .to_unix_days()
            .checked_sub(self.to_unix_days())
            .unwrap_or(0)
    }
}

fn narrow(v: u16) -> Result<u8, DateError> {
    // Two-digit fields are at most 99: never fails for parsed input.
    u8::try_from(v).map_err(|_| DateError::malformed("", "two-digit field"))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    /// Parses `YYYY-MM-DD` or `yyyyMMdd`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_any(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

/// A wall-clock date and time as the messages carry it (`ProcessExecutionTime`,
/// `…ConsTime`: `yyyyMMddHHmmss`), in Japan Standard Time by convention and without a zone.
///
/// Serde: ISO 8601 without offset, `"YYYY-MM-DDTHH:MM:SS"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
}

impl DateTime {
    /// Builds a date-time, checking the time of day (`00:00:00`–`23:59:59`).
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<DateTime, DateError> {
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateError::TimeOutOfRange {
                hour,
                minute,
                second,
            });
        }
        Ok(DateTime {
            date,
            hour,
            minute,
            second,
        })
    }

    /// The date part.
    pub fn date(self) -> Date {
        self.date
    }

    /// Hour (0–23).
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// Minute (0–59).
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// Second (0–59).
    pub fn second(self) -> u8 {
        self.second
    }

    /// Parses the message format `yyyyMMddHHmmss` (14 digits).
    pub fn parse_compact(s: &str) -> Result<DateTime, DateError> {
        const EXPECTED: &str = "yyyyMMddHHmmss";
        let t = trim_spaces(s);
        let mut chars = t.chars();
        let parsed = (|| {
            let v = [
                take_number(&mut chars, 4)?,
                take_number(&mut chars, 2)?,
                take_number(&mut chars, 2)?,
                take_number(&mut chars, 2)?,
                take_number(&mut chars, 2)?,
                take_number(&mut chars, 2)?,
            ];
            chars.next().is_none().then_some(v)
        })();
        let [y, mo, d, h, mi, se] = parsed.ok_or_else(|| DateError::malformed(s, EXPECTED))?;
        let date = Date::new(y, narrow(mo)?, narrow(d)?)?;
        DateTime::new(date, narrow(h)?, narrow(mi)?, narrow(se)?)
    }

    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM:SS` (no offset, no fraction).
    pub fn parse_iso(s: &str) -> Result<DateTime, DateError> {
        const EXPECTED: &str = "YYYY-MM-DDTHH:MM:SS";
        let t = trim_spaces(s);
        let (date_part, time_part) = t
            .split_once('T')
            .ok_or_else(|| DateError::malformed(s, EXPECTED))?;
        let date = Date::parse_iso(date_part).map_err(|e| match e {
            DateError::Malformed { .. } => DateError::malformed(s, EXPECTED),
            other => other,
        })?;
        let mut chars = time_part.chars();
        let parsed = (|| {
            let h = take_number(&mut chars, 2)?;
            expect_char(&mut chars, ':')?;
            let mi = take_number(&mut chars, 2)?;
            expect_char(&mut chars, ':')?;
            let se = take_number(&mut chars, 2)?;
            chars.next().is_none().then_some((h, mi, se))
        })();
        let (h, mi, se) = parsed.ok_or_else(|| DateError::malformed(s, EXPECTED))?;
        DateTime::new(date, narrow(h)?, narrow(mi)?, narrow(se)?)
    }

    /// Formats as `yyyyMMddHHmmss`.
    pub fn to_compact(self) -> String {
        format!(
            "{}{:02}{:02}{:02}",
            self.date.to_yyyymmdd(),
            self.hour,
            self.minute,
            self.second
        )
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

impl FromStr for DateTime {
    type Err = DateError;

    /// Parses `YYYY-MM-DDTHH:MM:SS` or `yyyyMMddHHmmss`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.contains('T') {
            DateTime::parse_iso(s)
        } else {
            DateTime::parse_compact(s)
        }
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        DateTime::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
