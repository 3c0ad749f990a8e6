use std::time::Duration;

use proptest::prelude::*;

use super::*;

fn ymd(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

#[test]
fn the_day_in_japan_turns_at_15_utc() {
    // 2026-04-01T15:00:00Z = 2026-04-02T00:00:00 JST.
    let midnight = 1_775_055_600;
    assert_eq!(date_from_unix_secs(midnight - 1), Ok(ymd(2026, 4, 1)));
    assert_eq!(date_from_unix_secs(midnight), Ok(ymd(2026, 4, 2)));
    assert_eq!(
        date_time_from_unix_secs(midnight - 1).unwrap().to_string(),
        "2026-04-01T23:59:59"
    );
    assert_eq!(start_of_day_unix_secs(ymd(2026, 4, 2)), midnight);
}

#[test]
fn bounds_are_1970_and_9999_in_japan() {
    assert_eq!(
        date_time_from_unix_secs(MIN_UNIX_SECS).unwrap().to_string(),
        "1970-01-01T00:00:00"
    );
    assert_eq!(
        date_time_from_unix_secs(MAX_UNIX_SECS).unwrap().to_string(),
        "9999-12-31T23:59:59"
    );
    assert_eq!(date_from_unix_secs(0), Ok(ymd(1970, 1, 1)));
    assert_eq!(
        date_from_unix_secs(MIN_UNIX_SECS - 1),
        Err(UnixTimeError::BeforeYear1970)
    );
    assert_eq!(
        date_from_unix_secs(MAX_UNIX_SECS + 1),
        Err(UnixTimeError::AfterYear9999)
    );
    assert_eq!(
        date_from_unix_secs(i64::MIN),
        Err(UnixTimeError::BeforeYear1970)
    );
    assert_eq!(
        date_from_unix_secs(i64::MAX),
        Err(UnixTimeError::AfterYear9999)
    );
    assert_eq!(
        date_from_unix_secs_u64(u64::MAX),
        Err(UnixTimeError::AfterYear9999)
    );
    assert_eq!(
        unix_secs_of(DateTime::new(ymd(9999, 12, 31), 23, 59, 59).unwrap()),
        MAX_UNIX_SECS
    );
    assert!(UnixTimeError::AfterYear9999.message_ja().contains("時計"));
}

#[test]
fn system_time_before_the_epoch_rounds_towards_the_past() {
    let t = UNIX_EPOCH - Duration::from_millis(500);
    assert_eq!(
        date_time_from_system_time(t).unwrap().to_string(),
        "1970-01-01T08:59:59"
    );
    let way_before = UNIX_EPOCH - Duration::from_secs(32_401);
    assert_eq!(
        date_from_system_time(way_before),
        Err(UnixTimeError::BeforeYear1970)
    );
    let t = UNIX_EPOCH + Duration::from_millis(1_775_055_600_999);
    assert_eq!(date_from_system_time(t), Ok(ymd(2026, 4, 2)));
}

proptest! {
    /// Any i64 gives a date or a typed error, never a panic; Ok exactly inside the range.
    #[test]
    fn every_i64_is_total(secs in any::<i64>()) {
        let in_range = (MIN_UNIX_SECS..=MAX_UNIX_SECS).contains(&secs);
        prop_assert_eq!(date_from_unix_secs(secs).is_ok(), in_range);
        prop_assert_eq!(date_time_from_unix_secs(secs).is_ok(), in_range);
    }

    /// Any u64 likewise.
    #[test]
    fn every_u64_is_total(secs in any::<u64>()) {
        let in_range = secs <= MAX_UNIX_SECS as u64;
        prop_assert_eq!(date_from_unix_secs_u64(secs).is_ok(), in_range);
        prop_assert_eq!(date_time_from_unix_secs_u64(secs).is_ok(), in_range);
    }

    /// JST is UTC+9 with no daylight saving: the wall clock is always the UTC one plus nine
    /// hours, and converting back gives the same second.
    #[test]
    fn utc_plus_nine_and_back(secs in MIN_UNIX_SECS..=MAX_UNIX_SECS) {
        let t = date_time_from_unix_secs(secs).unwrap();
        prop_assert_eq!(unix_secs_of(t), secs);
        let local = secs.checked_add(9 * 3600).unwrap();
        prop_assert_eq!(t.date(), Date::from_unix_days(local.div_euclid(86_400)).unwrap());
        let sod = local.rem_euclid(86_400);
        prop_assert_eq!(i64::from(t.hour()), sod / 3600);
        prop_assert_eq!(i64::from(t.minute()), sod % 3600 / 60);
        prop_assert_eq!(i64::from(t.second()), sod % 60);
        prop_assert_eq!(date_from_unix_secs(secs).unwrap(), t.date());
        prop_assert!((1970..=9999).contains(&t.date().year()));
    }

    /// A day in Japan starts at 15:00 UTC of the day before and lasts 86 400 seconds.
    #[test]
    fn day_boundaries(days in 0i64..2_932_896) {
        let date = Date::from_unix_days(days).unwrap();
        let start = start_of_day_unix_secs(date);
        prop_assert_eq!(start.rem_euclid(86_400), 15 * 3600);
        prop_assert_eq!(date_from_unix_secs(start).unwrap(), date);
        let at = |delta: i64| date_from_unix_secs(start.checked_add(delta).unwrap()).ok();
        prop_assert_eq!(at(86_399), Some(date));
        prop_assert_eq!(at(-1), date.pred().filter(|d| d.year() >= 1970));
        prop_assert_eq!(at(86_400), date.succ());
    }
}
