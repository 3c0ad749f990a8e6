use super::*;

type Ymd = (u16, u8, u8);

#[test]
fn table_of_valid_and_invalid_dates() {
    let cases: &[(&str, Option<Ymd>)] = &[
        ("20240229", Some((2024, 2, 29))),
        ("20230229", None),
        ("19000229", None),
        ("20000229", Some((2000, 2, 29))),
        ("20251201", Some((2025, 12, 1))),
        ("２０２５１２０１", Some((2025, 12, 1))),
        (" 20251201 ", Some((2025, 12, 1))),
        ("20251301", None),
        ("20250431", None),
        ("20250400", None),
        ("00001231", None),
        ("2025120", None),
        ("202512011", None),
        ("2025-12-01", None),
        ("", None),
        ("+0251201", None),
    ];
    for (input, expected) in cases {
        let got = Date::parse_yyyymmdd(input).ok();
        let want = expected.map(|(y, m, d)| Date::new(y, m, d).unwrap());
        assert_eq!(got, want, "input {input:?}");
    }
}

#[test]
fn iso_parse_and_format() {
    let d = Date::parse_iso("2025-12-01").unwrap();
    assert_eq!(d.to_string(), "2025-12-01");
    assert_eq!(d.to_yyyymmdd(), "20251201");
    assert!(Date::parse_iso("2025-1-01").is_err());
    assert!(Date::parse_iso("2025-12-01T").is_err());
    assert!(Date::parse_iso("20251201").is_err());
    assert_eq!("20251201".parse::<Date>().unwrap(), d);
    assert_eq!("2025-12-01".parse::<Date>().unwrap(), d);
}

#[test]
fn errors_say_what_is_wrong() {
    assert_eq!(
        Date::parse_yyyymmdd("20230229"),
        Err(DateError::DayOutOfRange {
            year: 2023,
            month: 2,
            day: 29
        })
    );
    assert_eq!(
        Date::parse_yyyymmdd("20231301"),
        Err(DateError::MonthOutOfRange(13))
    );
    assert!(matches!(
        Date::parse_yyyymmdd("abc"),
        Err(DateError::Malformed { .. })
    ));
}

#[test]
fn unix_days_known_values() {
    assert_eq!(Date::new(1970, 1, 1).unwrap().to_unix_days(), 0);
    assert_eq!(Date::new(2000, 3, 1).unwrap().to_unix_days(), 11_017);
    assert_eq!(Date::new(1969, 12, 31).unwrap().to_unix_days(), -1);
    assert_eq!(Date::MIN.to_unix_days(), -719_162);
    assert_eq!(Date::MAX.to_unix_days(), 2_932_896);
    assert_eq!(Date::from_unix_days(-719_163), None);
    assert_eq!(Date::from_unix_days(2_932_897), None);
    assert_eq!(Date::MAX.succ(), None);
    assert_eq!(Date::MIN.pred(), None);
    let d = Date::new(2024, 2, 28).unwrap();
    assert_eq!(d.succ().unwrap(), Date::new(2024, 2, 29).unwrap());
    assert_eq!(
        d.checked_add_days(2).unwrap(),
        Date::new(2024, 3, 1).unwrap()
    );
    assert_eq!(d.days_until(Date::new(2025, 2, 28).unwrap()), 366);
}

#[test]
fn ordering_is_chronological() {
    let a = Date::new(2025, 12, 1).unwrap();
    let b = Date::new(2025, 12, 2).unwrap();
    let c = Date::new(2026, 1, 1).unwrap();
    assert!(a < b && b < c);
}

#[test]
fn serde_is_iso_string() {
    let d = Date::new(2025, 4, 1).unwrap();
    assert_eq!(serde_json::to_string(&d).unwrap(), "\"2025-04-01\"");
    assert_eq!(serde_json::from_str::<Date>("\"2025-04-01\"").unwrap(), d);
    assert!(serde_json::from_str::<Date>("\"20250401\"").is_err());
    assert!(serde_json::from_str::<Date>("\"2025-02-30\"").is_err());
    let t = DateTime::parse_compact("20230221174835").unwrap();
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        "\"2023-02-21T17:48:35\""
    );
    assert_eq!(
        serde_json::from_str::<DateTime>("\"2023-02-21T17:48:35\"").unwrap(),
        t
    );
}

#[test]
fn datetime_table() {
    assert!(DateTime::parse_compact("20230221174835").is_ok());
    assert!(DateTime::parse_compact("20230221244835").is_err());
    assert!(DateTime::parse_compact("20230221176035").is_err());
    assert!(DateTime::parse_compact("2023022117483").is_err());
    assert!(DateTime::parse_iso("2023-02-21T17:48:35Z").is_err());
    let t: DateTime = "2023-02-21T17:48:35".parse().unwrap();
    assert_eq!(t.to_compact(), "20230221174835");
    assert_eq!(t.date(), Date::new(2023, 2, 21).unwrap());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn unix_days_round_trip(days in -719_162i64..=2_932_896) {
            let d = Date::from_unix_days(days).unwrap();
            prop_assert_eq!(d.to_unix_days(), days);
            prop_assert_eq!(Date::parse_yyyymmdd(&d.to_yyyymmdd()).unwrap(), d);
            prop_assert_eq!(Date::parse_iso(&d.to_string()).unwrap(), d);
            if let Some(n) = d.succ() {
                prop_assert!(n > d);
                prop_assert_eq!(d.days_until(n), 1);
            }
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,20}") {
            let _ = Date::parse_any(&s);
            let _ = DateTime::parse_compact(&s);
            let _ = s.parse::<DateTime>();
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9０-９]{0,16}") {
            if let Ok(d) = Date::parse_yyyymmdd(&s) {
                prop_assert_eq!(Date::parse_yyyymmdd(&d.to_yyyymmdd()).unwrap(), d);
            }
        }
    }
}

/// Date errors reach reception staff too (dates typed for a voucher): they have a Japanese
/// message, and the English one is `Display`.
#[test]
fn date_errors_have_japanese_messages() {
    let cases = [
        (
            Date::parse_iso("2025/04/01").unwrap_err(),
            "日付「2025/04/01」の形式が正しくありません（例：2025-04-01 または 20250401）。",
        ),
        (
            Date::parse_iso("2025-13-01").unwrap_err(),
            "13月という月はありません。",
        ),
        (
            Date::parse_iso("2025-02-29").unwrap_err(),
            "2025年2月29日という日付はありません。",
        ),
        (
            Date::parse_iso("0000-01-01").unwrap_err(),
            "年「0」は使えません（1〜9999年）。",
        ),
    ];
    for (e, ja) in cases {
        assert_eq!(e.message_ja(), ja);
        assert_eq!(e.message_en(), e.to_string());
    }
}
