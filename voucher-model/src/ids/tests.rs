use super::*;
use proptest::prelude::*;

/// The check-digit vectors of vouchers.md ("Identifiers").
#[test]
fn check_digit_vectors_from_vouchers_md() {
    // (input, identifier, strictly valid?)
    let cases: &[(&str, IdKind, bool)] = &[
        ("33120015", IdKind::InsurerNumber, true),
        ("01040013", IdKind::InsurerNumber, true),
        ("06110829", IdKind::InsurerNumber, true),
        ("123455", IdKind::InsurerNumber, true),
        ("123456", IdKind::InsurerNumber, false),
        ("0110113719", IdKind::MedicalInstitutionCode, true),
        ("1311111111", IdKind::MedicalInstitutionCode, false),
    ];
    for &(input, id, valid) in cases {
        let (strict, lenient_ok) = match id {
            IdKind::InsurerNumber => (
                InsurerNumber::parse(input).map(|n| n.to_string()),
                InsurerNumber::parse_lenient(input)
                    .unwrap()
                    .check_digit_ok(),
            ),
            IdKind::MedicalInstitutionCode => (
                MedicalInstitutionCode::parse(input).map(|n| n.to_string()),
                MedicalInstitutionCode::parse_lenient(input)
                    .unwrap()
                    .check_digit_ok(),
            ),
            _ => unreachable!(),
        };
        assert_eq!(strict.is_ok(), valid, "strict {input}");
        assert_eq!(lenient_ok, valid, "lenient flag {input}");
        if !valid {
            assert!(
                matches!(strict, Err(IdError::BadCheckDigit { .. })),
                "{input}: {strict:?}"
            );
        }
    }
    assert_eq!(check_digit("3312001"), Some(5));
    assert_eq!(check_digit("0104001"), Some(3));
    assert_eq!(check_digit("0611082"), Some(9));
    assert_eq!(check_digit("12345"), Some(5));
    assert_eq!(check_digit("011011371"), Some(9));
    assert_eq!(check_digit(""), None);
    assert_eq!(check_digit("１"), None);
}

#[test]
fn late_elderly_number_uses_the_same_check_digit() {
    // 39 131 01 + check digit computed by the same algorithm.
    let body = "3913101";
    let full = format!("{body}{}", check_digit(body).unwrap());
    assert!(LateElderlyInsuredNumber::parse(&full).is_ok());
    assert!(LateElderlyInsuredNumber::parse("39131010").is_err() || full == "39131010");
    let bad = if full.ends_with('0') {
        "39131011"
    } else {
        "39131010"
    };
    assert!(matches!(
        LateElderlyInsuredNumber::parse(bad),
        Err(IdError::BadCheckDigit { .. })
    ));
    assert!(
        !LateElderlyInsuredNumber::parse_lenient(bad)
            .unwrap()
            .check_digit_ok()
    );
}

#[test]
fn insurer_number_forms_seen_in_real_systems() {
    let cases: &[(&str, Result<&str, IdError>)] = &[
        ("  123455", Ok("00123455")),
        ("123455", Ok("00123455")),
        ("00123455", Ok("00123455")),
        ("１２３４５５", Ok("00123455")),
        ("　06110829　", Ok("06110829")),
        (
            "",
            Err(IdError::Empty {
                id: IdKind::InsurerNumber,
            }),
        ),
        (
            "   ",
            Err(IdError::Empty {
                id: IdKind::InsurerNumber,
            }),
        ),
        (
            "1234567",
            Err(IdError::WrongLength {
                id: IdKind::InsurerNumber,
                found: 7,
                expected: "6 or 8 digits",
            }),
        ),
        (
            "0611-0829",
            Err(IdError::InvalidCharacter {
                id: IdKind::InsurerNumber,
                found: '-',
                position: 4,
            }),
        ),
        (
            "12 3455",
            Err(IdError::InvalidCharacter {
                id: IdKind::InsurerNumber,
                found: ' ',
                position: 2,
            }),
        ),
    ];
    for (input, expected) in cases {
        let got = InsurerNumber::parse(input);
        match expected {
            Ok(canonical) => assert_eq!(got.unwrap().as_str(), *canonical, "{input:?}"),
            Err(e) => assert_eq!(got.unwrap_err(), *e, "{input:?}"),
        }
    }
}

#[test]
fn law_number_accessor() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("06110829", Some("06"), Some("健康保険組合")),
        ("01040013", Some("01"), Some("協会けんぽ")),
        ("33120015", Some("33"), Some("共済組合")),
        ("123455", None, None),
    ];
    for (input, law, label) in cases {
        let n = InsurerNumber::parse(input).unwrap();
        assert_eq!(n.law_number().map(LawNumber::as_str).as_deref(), *law);
        assert_eq!(n.law_number().and_then(LawNumber::label_ja), *label);
        assert_eq!(n.is_national_health_insurance(), law.is_none());
    }
    let n = InsurerNumber::parse("123455").unwrap();
    assert_eq!(n.space_padded(), "  123455");
    assert_eq!(n.prefecture(), "12");
    assert_eq!(
        InsurerNumber::parse("06110829").unwrap().space_padded(),
        "06110829"
    );
}

#[test]
fn other_identifiers_table() {
    assert_eq!(
        CheckupInstitutionNumber::parse("1311111111")
            .unwrap()
            .as_str(),
        "1311111111"
    ); // no check digit enforced
    assert!(CheckupInstitutionNumber::parse("131111111").is_err());
    assert!(
        CheckupInstitutionNumber::parse("0110113719")
            .unwrap()
            .as_medical_institution_code()
            .is_some()
    );
    assert_eq!(
        PaymentAgentNumber::parse("１２３４５６７８")
            .unwrap()
            .as_str(),
        "12345678"
    );
    assert!(PaymentAgentNumber::parse("1234567").is_err());
    assert_eq!(
        VoucherNumber::parse(" 25000000001 ")
            .unwrap()
            .fiscal_year_digits(),
        "25"
    );
    assert!(VoucherNumber::parse("2500000001").is_err());
    assert!(VoucherNumber::parse("2500000000a").is_err());
    assert_eq!(BranchNumber::parse("1").unwrap().as_str(), "01");
    assert_eq!(BranchNumber::parse("０１").unwrap().as_str(), "01");
    assert!(BranchNumber::parse("001").is_err());
    assert!(BranchNumber::parse("").is_err());
    let code = OnlineQualificationCode::parse(" ＡＢ12-x ").unwrap();
    assert_eq!(code.as_str(), "AB12-x");
    assert!(OnlineQualificationCode::parse("AB 12").is_err());
    assert!(OnlineQualificationCode::parse("コード").is_err());
    assert!(matches!(
        OnlineQualificationCode::parse(&"A".repeat(33)),
        Err(IdError::TooLong { .. })
    ));
    let m = MedicalInstitutionCode::parse("0110113719").unwrap();
    assert_eq!((m.prefecture(), m.fee_schedule()), ("01", "1"));
}

#[test]
fn card_symbol_and_number_rules() {
    // (input, strict ok?, lenient ok?, comparison form)
    let cases: &[(&str, bool, bool, &str)] = &[
        ("12-34", true, true, "12-34"),
        ("１２－３４", true, true, "12-34"),
        ("12－34", false, true, "12-34"), // mixed widths
        ("１２ー３４", true, true, "12-34"),
        ("ｱｲｳ", true, true, "アイウ"),
        ("あいう", true, true, "あいう"),
        ("12 34", true, true, "1234"),
        ("１２　３４", false, true, "1234"), // full-width space
        ("  4260 ", true, true, "4260"),
        ("", false, false, ""),
        ("\u{0007}12", false, false, ""),
        (
            "1234567890123456789012345678901234567890",
            true,
            true,
            "1234567890123456789012345678901234567890",
        ),
        (
            "12345678901234567890123456789012345678901",
            false,
            false,
            "",
        ),
        (
            "１２３４５６７８９０１２３４５６７８９０",
            true,
            true,
            "12345678901234567890",
        ),
        (
            "１２３４５６７８９０１２３４５６７８９０１",
            false,
            false,
            "",
        ),
    ];
    for &(input, strict_ok, lenient_ok, form) in cases {
        let strict = CardSymbol::parse(input);
        assert_eq!(strict.is_ok(), strict_ok, "strict {input:?}: {strict:?}");
        let lenient = CardNumber::parse_lenient(input);
        assert_eq!(
            lenient.is_ok(),
            lenient_ok,
            "lenient {input:?}: {lenient:?}"
        );
        if let Ok(v) = lenient {
            assert_eq!(v.comparison_form(), form);
        }
    }
    assert_eq!(
        CardSymbol::parse("12－34").unwrap_err(),
        IdError::MixedWidth {
            id: IdKind::CardSymbol
        }
    );
    assert_eq!(
        CardNumber::parse("１２　３４").unwrap_err(),
        IdError::FullWidthSpace {
            id: IdKind::CardNumber
        }
    );
    let a = CardSymbol::parse("12-34").unwrap();
    let b = CardSymbol::parse("１２－３４").unwrap();
    assert_eq!(a, b);
    // The original is kept for a screen (`as_str`); `Display` redacts it (issue 10 item 7).
    assert_eq!(b.as_str(), "１２－３４");
    assert_eq!(b.to_string(), "<redacted>");
}

#[test]
fn errors_have_both_languages() {
    let e = InsurerNumber::parse("123456").unwrap_err();
    assert_eq!(e.id(), IdKind::InsurerNumber);
    assert!(e.message_ja().contains("保険者番号"));
    assert!(e.message_ja().contains("検証番号"));
    assert!(e.message_en().contains("check digit"));
    assert_eq!(e.message_en(), e.to_string());
}

/// The Japanese message for a wrong length is Japanese throughout (it used to embed the
/// English "6 or 8 digits").
#[test]
fn wrong_length_message_ja_is_japanese() {
    let cases = [
        (
            InsurerNumber::parse("1234567").unwrap_err(),
            "保険者番号の桁数が正しくありません（7桁、正しくは6桁または8桁）。",
        ),
        (
            MedicalInstitutionCode::parse("123").unwrap_err(),
            "医療機関コードの桁数が正しくありません（3桁、正しくは10桁）。",
        ),
        (
            VoucherNumber::parse("1").unwrap_err(),
            "受診券・利用券整理番号の桁数が正しくありません（1桁、正しくは11桁）。",
        ),
    ];
    for (e, ja) in cases {
        assert_eq!(e.message_ja(), ja);
        assert!(!e.message_ja().contains("digits"));
    }
}

#[test]
fn serde_is_canonical_string_and_reads_leniently() {
    let n = InsurerNumber::parse("  123455").unwrap();
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"00123455\"");
    let bad: MedicalInstitutionCode = serde_json::from_str("\"1311111111\"").unwrap();
    assert!(!bad.check_digit_ok());
    assert!(serde_json::from_str::<InsurerNumber>("\"12345\"").is_err());
    let s: CardSymbol = serde_json::from_str("\"１２－３４\"").unwrap();
    assert_eq!(serde_json::to_string(&s).unwrap(), "\"１２－３４\"");
    let f = Facility::CheckupInstitution(CheckupInstitutionNumber::parse("1311111111").unwrap());
    let json = serde_json::to_string(&f).unwrap();
    assert_eq!(json, r#"{"checkup_institution":"1311111111"}"#);
    assert_eq!(serde_json::from_str::<Facility>(&json).unwrap(), f);
    let g = Facility::SelfRunningInsurer(OnlineQualificationCode::parse("X1").unwrap());
    assert_eq!(
        serde_json::to_string(&g).unwrap(),
        r#"{"self_running_insurer":"X1"}"#
    );
    assert_eq!(g.as_str(), "X1");
}

/// Maps ASCII `0-9`/`-`/`A-Z` to their full-width forms.
fn to_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '-' => '－',
            c if c.is_ascii_alphanumeric() => {
                char::from_u32(u32::from(c).checked_add(0xFEE0).unwrap()).unwrap()
            }
            other => other,
        })
        .collect()
}

fn valid_insurer_number() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{5}".prop_map(|b| format!("{b}{}", check_digit(&b).unwrap())),
        "[0-9]{7}".prop_map(|b| format!("{b}{}", check_digit(&b).unwrap())),
    ]
}

proptest! {
    #[test]
    fn insurer_canonical_round_trips(s in valid_insurer_number(), pad in 0usize..3) {
        let n = InsurerNumber::parse(&format!("{}{s}", " ".repeat(pad))).unwrap();
        prop_assert!(n.check_digit_ok());
        prop_assert_eq!(InsurerNumber::parse(n.as_str()).unwrap(), n.clone());
        prop_assert_eq!(InsurerNumber::parse(&to_full_width(&s)).unwrap(), n.clone());
        prop_assert_eq!(InsurerNumber::parse(&n.space_padded()).unwrap(), n);
    }

    #[test]
    fn late_elderly_canonical_round_trips(b in "[0-9]{7}") {
        let s = format!("{b}{}", check_digit(&b).unwrap());
        let n = LateElderlyInsuredNumber::parse(&to_full_width(&s)).unwrap();
        prop_assert!(n.check_digit_ok());
        prop_assert_eq!(LateElderlyInsuredNumber::parse(n.as_str()).unwrap(), n);
    }

    #[test]
    fn medical_code_canonical_round_trips(b in "[0-9]{9}") {
        let s = format!("{b}{}", check_digit(&b).unwrap());
        let m = MedicalInstitutionCode::parse(&s).unwrap();
        prop_assert_eq!(MedicalInstitutionCode::parse(m.as_str()).unwrap(), m);
    }

    #[test]
    fn one_wrong_digit_is_always_caught(b in "[0-9]{7}", delta in 1u8..10) {
        let good = check_digit(&b).unwrap();
        let wrong = good.checked_add(delta).unwrap().checked_rem(10).unwrap();
        let s = format!("{b}{wrong}");
        prop_assert!(
            matches!(
                InsurerNumber::parse(&s),
                Err(IdError::BadCheckDigit { .. })
            ),
            "bad check digit not rejected"
        );
        prop_assert!(!InsurerNumber::parse_lenient(&s).unwrap().check_digit_ok());
    }

    #[test]
    fn other_canonical_forms_round_trip(
        ten in "[0-9]{10}", eight in "[0-9]{8}", eleven in "[0-9]{11}", two in "[0-9]{1,2}",
        code in "[A-Za-z0-9-]{1,32}",
    ) {
        let c = CheckupInstitutionNumber::parse(&ten).unwrap();
        prop_assert_eq!(CheckupInstitutionNumber::parse(c.as_str()).unwrap(), c);
        let p = PaymentAgentNumber::parse(&eight).unwrap();
        prop_assert_eq!(PaymentAgentNumber::parse(p.as_str()).unwrap(), p);
        let v = VoucherNumber::parse(&eleven).unwrap();
        prop_assert_eq!(VoucherNumber::parse(v.as_str()).unwrap(), v);
        let b = BranchNumber::parse(&two).unwrap();
        prop_assert_eq!(BranchNumber::parse(b.as_str()).unwrap(), b);
        let o = OnlineQualificationCode::parse(&code).unwrap();
        prop_assert_eq!(OnlineQualificationCode::parse(o.as_str()).unwrap(), o.clone());
        prop_assert_eq!(OnlineQualificationCode::parse(&to_full_width(&code)).unwrap(), o);
    }

    #[test]
    fn card_text_width_insensitive(s in "[0-9A-Z]{1,6}(-[0-9A-Z]{1,6}){0,2}") {
        let half = CardSymbol::parse(&s).unwrap();
        let full = CardSymbol::parse(&to_full_width(&s)).unwrap();
        prop_assert_eq!(half.comparison_form(), full.comparison_form());
        prop_assert_eq!(&half, &full);
        // Displaying the original and parsing it again gives the same value.
        prop_assert_eq!(CardSymbol::parse(full.as_str()).unwrap(), full);
    }

    #[test]
    fn no_input_panics(s in "\\PC{0,64}") {
        let _ = InsurerNumber::parse(&s);
        let _ = InsurerNumber::parse_lenient(&s);
        let _ = LateElderlyInsuredNumber::parse_lenient(&s);
        let _ = MedicalInstitutionCode::parse_lenient(&s);
        let _ = CheckupInstitutionNumber::parse(&s);
        let _ = PaymentAgentNumber::parse(&s);
        let _ = OnlineQualificationCode::parse(&s);
        let _ = VoucherNumber::parse(&s);
        let _ = BranchNumber::parse(&s);
        let _ = check_digit(&s);
        if let Ok(c) = CardSymbol::parse(&s) {
            // A strictly valid value reparses to itself.
            prop_assert_eq!(CardSymbol::parse(c.as_str()).unwrap(), c);
        }
        if let Ok(c) = CardNumber::parse_lenient(&s) {
            prop_assert_eq!(CardNumber::parse_lenient(c.as_str()).unwrap(), c);
        }
    }

    #[test]
    fn long_input_is_bounded(n in 200usize..2000) {
        let s = "１".repeat(n);
        prop_assert!(InsurerNumber::parse(&s).is_err());
        prop_assert!(CardSymbol::parse(&s).is_err());
    }
}
