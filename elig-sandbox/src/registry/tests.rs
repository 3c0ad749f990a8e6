use super::*;
use voucher_model::InsurerNumber;

fn day(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn registry() -> Registry {
    Registry::default_registry().unwrap()
}

fn serial(handle: &str) -> u64 {
    registry().person(handle).unwrap().card.serial
}

const D: (u16, u8, u8) = (2026, 4, 1);

fn lookup(handle: &str, search: Option<&SearchInfo>) -> Lookup {
    registry().lookup(serial(handle), day(D.0, D.1, D.2), search)
}

fn insurers(l: &Lookup) -> Vec<String> {
    l.records
        .iter()
        .map(|r| r.insurer_number.as_ref().unwrap().to_string())
        .collect()
}

#[test]
fn valid_people_get_exactly_their_record() {
    for (handle, insurer) in [
        ("P01", "01130012"),
        ("P02", "06271233"),
        ("P03", "00133017"),
        ("P04", "39131016"),
    ] {
        let l = lookup(handle, None);
        assert_eq!(l.validity, QualificationValidity::Valid, "{handle}");
        assert_eq!(insurers(&l), [insurer], "{handle}");
    }
}

#[test]
fn lost_qualification_is_invalid_with_its_loss_date() {
    let l = lookup("P05", None);
    assert_eq!(l.validity, QualificationValidity::Invalid);
    assert_eq!(l.records.len(), 1);
    assert_eq!(l.records[0].disqualification_date, Some(day(2025, 4, 1)));
    // The day before the loss it was still valid.
    let before = registry().lookup(serial("P05"), day(2025, 3, 31), None);
    assert_eq!(before.validity, QualificationValidity::Valid);
}

#[test]
fn newer_qualification_when_searching_by_the_old_insurer() {
    let old = SearchInfo {
        insurer_number: Some("06100010".parse().unwrap()),
        ..SearchInfo::default()
    };
    let l = lookup("P06", Some(&old));
    assert_eq!(
        l.validity,
        QualificationValidity::InvalidNewQualificationExists
    );
    assert_eq!(insurers(&l), ["06100010", "00271304"]);
    // Without search keys the current qualification is simply valid.
    let l = lookup("P06", None);
    assert_eq!(l.validity, QualificationValidity::Valid);
    assert_eq!(insurers(&l), ["00271304"]);
    // Searching by the new (6-digit 国保) number finds it.
    let new = SearchInfo {
        insurer_number: Some("271304".parse().unwrap()),
        ..SearchInfo::default()
    };
    assert_eq!(
        lookup("P06", Some(&new)).validity,
        QualificationValidity::Valid
    );
}

#[test]
fn multiple_and_not_found() {
    let l = lookup("P07", None);
    assert_eq!(l.validity, QualificationValidity::MultipleMatches);
    assert_eq!(l.records.len(), 2);
    let reg = registry();
    let nobody = reg.unregistered_cards()[0].serial;
    let l = reg.lookup(nobody, day(D.0, D.1, D.2), None);
    assert_eq!(l.validity, QualificationValidity::NoQualification);
    assert!(l.records.is_empty());
    // A search key of another insurer finds nothing.
    let other = SearchInfo {
        insurer_number: Some("33120015".parse().unwrap()),
        ..SearchInfo::default()
    };
    assert_eq!(
        lookup("P01", Some(&other)).validity,
        QualificationValidity::NoQualification
    );
}

#[test]
fn search_compares_card_symbols_in_comparison_form() {
    let p02 = registry().person("P02").unwrap().clone();
    let voucher = &p02.vouchers[0];
    let search = SearchInfo {
        insurer_number: Some(voucher.insurer_number().clone()),
        insured_card_symbol: voucher.card_symbol().cloned(),
        insured_identification_number: Some(voucher.card_number().clone()),
        insured_branch_number: voucher.branch_number().cloned(),
        ..SearchInfo::default()
    };
    // The voucher says １２－３４ (full width), the record 12-34.
    assert_eq!(
        lookup("P02", Some(&search)).validity,
        QualificationValidity::Valid
    );
}

#[test]
fn every_validity_outcome_is_covered() {
    let reg = registry();
    let mut seen = std::collections::HashSet::new();
    let old = SearchInfo {
        insurer_number: Some("06100010".parse().unwrap()),
        ..SearchInfo::default()
    };
    for p in reg.people() {
        seen.insert(
            reg.lookup(p.card.serial, day(D.0, D.1, D.2), None)
                .validity
                .code()
                .to_owned(),
        );
        seen.insert(
            reg.lookup(p.card.serial, day(D.0, D.1, D.2), Some(&old))
                .validity
                .code()
                .to_owned(),
        );
    }
    for code in ["1", "2", "3", "4", "5"] {
        assert!(seen.contains(code), "outcome {code} missing");
    }
}

#[test]
fn pki_plan_lists_revoked_cards_and_devices() {
    let plan = registry().pki_plan();
    assert_eq!(plan.revoked, vec![(1008, day(2025, 6, 1))]);
    assert_eq!(plan.devices.len(), 3);
    assert_eq!(
        plan.devices
            .iter()
            .filter(|d| d.revoked_on.is_some())
            .count(),
        1
    );
}

#[test]
fn every_insurer_number_has_a_valid_check_digit() {
    for p in registry().people() {
        for r in &p.qualifications {
            let n = r.insurer_number.as_ref().unwrap();
            assert!(n.check_digit_ok(), "{}: {n}", p.handle);
            assert!(InsurerNumber::parse(n.as_str()).is_ok());
        }
    }
}

#[test]
fn json_round_trip_and_refusals() {
    let reg = registry();
    let again = Registry::from_json(&reg.to_json().unwrap()).unwrap();
    assert_eq!(again.people(), reg.people());
    let bad_digit = DEFAULT_REGISTRY_JSON.replace("\"06230015\"", "\"06230016\"");
    assert!(matches!(
        Registry::from_json(&bad_digit),
        Err(RegistryError::Invalid(_))
    ));
    let dup = DEFAULT_REGISTRY_JSON.replace("\"serial\": 1002", "\"serial\": 1001");
    assert!(matches!(
        Registry::from_json(&dup),
        Err(RegistryError::Invalid(_))
    ));
    assert!(matches!(
        Registry::from_json("{"),
        Err(RegistryError::Json(_))
    ));
    assert!(matches!(
        Registry::from_json(&" ".repeat(MAX_REGISTRY_BYTES + 1)),
        Err(RegistryError::TooLarge(_))
    ));
}

#[test]
fn vouchers_are_strictly_valid_and_match_their_holders() {
    let reg = registry();
    let mut kinds = std::collections::HashSet::new();
    for p in reg.people() {
        for v in &p.vouchers {
            kinds.insert(format!("{:?}", v.kind()));
            // Strict re-validation (staff-typed rules) passes for every embedded voucher.
            assert!(Voucher::new(v.fields().clone()).is_ok(), "{}", p.handle);
            // Every voucher names one of its holder's insurers.
            assert!(
                p.qualifications
                    .iter()
                    .any(|q| q.insurer_number.as_ref() == Some(v.insurer_number())),
                "{}",
                p.handle
            );
        }
    }
    assert_eq!(kinds.len(), 2, "both 受診券 and 利用券 are present");
}

#[test]
fn fiscal_years_run_from_april() {
    assert_eq!(rolling::fiscal_year(day(2031, 3, 31)), 2030);
    assert_eq!(rolling::fiscal_year(day(2031, 4, 1)), 2031);
    assert_eq!(
        rolling::add_years(day(2024, 2, 29), 1),
        Some(day(2025, 2, 28))
    );
    assert_eq!(
        rolling::add_years(day(2024, 2, 29), 4),
        Some(day(2028, 2, 29))
    );
    assert_eq!(rolling::add_years(day(9999, 1, 1), 1), None);
}

#[test]
fn the_default_vouchers_follow_the_fiscal_year_of_today() {
    let r = registry();
    let as_written = &r.person("P01").unwrap().vouchers[0];
    assert_eq!(as_written.expires_on(), day(2027, 3, 31));
    for (today, issued, expires, number) in [
        (day(2026, 4, 1), day(2026, 4, 1), day(2027, 3, 31), "26"),
        (day(2031, 6, 15), day(2031, 4, 1), day(2032, 3, 31), "31"),
        (day(2031, 3, 31), day(2030, 4, 1), day(2031, 3, 31), "30"),
        (day(2020, 5, 1), day(2020, 4, 1), day(2021, 3, 31), "20"),
    ] {
        let vouchers = r.vouchers_on("P01", today).unwrap();
        let v = &vouchers[0];
        assert_eq!(
            (v.issued_on(), v.expires_on()),
            (issued, expires),
            "{today}"
        );
        assert_eq!(v.number().fiscal_year_digits(), number);
        assert!(v.is_unexpired_on(today));
        // Only the dates and the number's year move.
        assert_eq!(v.person(), as_written.person());
        assert_eq!(v.insurer_number(), as_written.insurer_number());
    }
    assert!(r.vouchers_on("nobody", day(2031, 6, 15)).is_none());
}

#[test]
fn a_file_without_the_flag_keeps_its_vouchers_as_written() {
    let mut file: serde_json::Value = serde_json::from_str(DEFAULT_REGISTRY_JSON).unwrap();
    file.as_object_mut()
        .unwrap()
        .remove("vouchers_follow_today");
    let r = Registry::from_json(&file.to_string()).unwrap();
    let v = r.vouchers_on("P01", day(2031, 6, 15)).unwrap();
    assert_eq!(v[0].expires_on(), day(2027, 3, 31));
    // And the flag survives the round trip through `to_json`.
    let again = Registry::from_json(&registry().to_json().unwrap()).unwrap();
    let v = again.vouchers_on("P01", day(2031, 6, 15)).unwrap();
    assert_eq!(v[0].expires_on(), day(2032, 3, 31));
}
