//! The sandbox's notion of time: an injectable [`Clock`] and the day in Japan.
//!
//! The gateway needs the time for three decisions: certificate validity (`notBefore` ≤ now ≤
//! `notAfter`), challenge expiry, and "today" in Japan (the check date an inquiry must carry).
//! All three read one [`Clock`], so a test can move time with a [`FakeClock`]. The day and
//! the time in Japan come from [`voucher_model::jst`], the SDK's one conversion.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use voucher_model::{Date, jst};

const SECS_PER_DAY: u64 = 86_400;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until it is moved: for tests of expiry.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<SystemTime>,
}

impl FakeClock {
    /// A fake clock reading `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// A fake clock reading noon JST on `date`.
    pub fn at_jst_noon(date: Date) -> Self {
        Self::new(jst_noon(date))
    }

    /// Moves the clock forward by `by` (it stays put if that would overflow).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// 00:00 UTC of `date` (the Unix epoch for dates before 1970).
pub fn utc_midnight(date: Date) -> SystemTime {
    let days = u64::try_from(date.to_unix_days()).unwrap_or(0);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(days.saturating_mul(SECS_PER_DAY)))
        .unwrap_or(UNIX_EPOCH)
}

/// 12:00 JST (03:00 UTC) of `date` (the Unix epoch for dates before 1970).
pub fn jst_noon(date: Date) -> SystemTime {
    let noon = jst::start_of_day_unix_secs(date).saturating_add(12 * 3600);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(u64::try_from(noon).unwrap_or(0)))
        .unwrap_or(UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jst_day_turns_at_15_utc() {
        let day = Date::new(2026, 4, 1).unwrap();
        let before = utc_midnight(day) + Duration::from_secs(15 * 3600 - 1);
        let after = utc_midnight(day) + Duration::from_secs(15 * 3600);
        assert_eq!(jst::date_from_system_time(before).ok(), Some(day));
        assert_eq!(jst::date_from_system_time(after).ok(), day.succ());
        assert_eq!(jst::date_from_system_time(jst_noon(day)), Ok(day));
        assert_eq!(
            jst::date_time_from_system_time(jst_noon(day))
                .unwrap()
                .to_string(),
            "2026-04-01T12:00:00"
        );
    }

    #[test]
    fn fake_clock_moves_only_when_told() {
        let clock = FakeClock::at_jst_noon(Date::new(2026, 4, 1).unwrap());
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(61));
        assert_eq!(
            clock.now().duration_since(t0).unwrap(),
            Duration::from_secs(61)
        );
        clock.set(t0);
        assert_eq!(clock.now(), t0);
    }
}
