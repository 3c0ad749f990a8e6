//! Voucher validation and the stable JSON schema.

mod common;

use common::*;
use voucher_model::*;

#[test]
fn the_baseline_vouchers_are_valid() {
    let v = Voucher::new(voucher_fields()).unwrap();
    assert_eq!(v.kind(), VoucherKind::Checkup);
    assert_eq!(v.insurer_number().as_str(), "06110829");
    assert!(v.is_unexpired_on(d("2026-03-31")));
    assert!(!v.is_unexpired_on(d("2026-04-01")));
    let g = Voucher::new(guidance_fields()).unwrap();
    assert_eq!(
        g.fields().guidance_level,
        Some(GuidanceLevel::MotivationalSupport)
    );
}

#[test]
fn validation_table() {
    type Change = fn(&mut VoucherFields);
    type Check = fn(&VoucherError) -> bool;
    let cases: &[(&str, Change, Check)] = &[
        (
            "lenient insurer with a bad check digit",
            |f| f.insurer_number = InsurerNumber::parse_lenient("123456").unwrap(),
            |e| {
                matches!(
                    e,
                    VoucherError::Identifier {
                        field: VoucherField::InsurerNumber,
                        source: IdError::BadCheckDigit { .. }
                    }
                )
            },
        ),
        (
            "記号 mixing widths (read leniently, refused strictly)",
            |f| f.card_symbol = Some(CardSymbol::parse_lenient("12－34").unwrap()),
            |e| {
                matches!(
                    e,
                    VoucherError::Identifier {
                        field: VoucherField::CardSymbol,
                        source: IdError::MixedWidth { .. }
                    }
                )
            },
        ),
        (
            "番号 with a full-width space",
            |f| f.card_number = CardNumber::parse_lenient("４２　６０").unwrap(),
            |e| {
                matches!(
                    e,
                    VoucherError::Identifier {
                        field: VoucherField::CardNumber,
                        source: IdError::FullWidthSpace { .. }
                    }
                )
            },
        ),
        (
            "empty name",
            |f| f.person.name = "　".into(),
            |e| matches!(e, VoucherError::MissingField(VoucherField::Name)),
        ),
        (
            "契約とりまとめ機関名 over 100 bytes (51 full-width characters)",
            |f| f.contract_coordinator_name = Some("あ".repeat(51)),
            |e| {
                matches!(
                    e,
                    VoucherError::TooLong {
                        field: VoucherField::ContractCoordinatorName,
                        bytes: 102,
                        max: 100
                    }
                )
            },
        ),
        (
            "amount with 7 digits",
            |f| f.checkup_copayments.basic = Some(Copayment::FixedYen { yen: 1_000_000 }),
            |e| {
                matches!(
                    e,
                    VoucherError::AmountTooLarge {
                        field: VoucherField::CopaymentBasic,
                        ..
                    }
                )
            },
        ),
        (
            "cap with 7 digits",
            |f| f.checkup_copayments.ningen_dock = Some(Copayment::InsurerCap { yen: 1_000_000 }),
            |e| {
                matches!(
                    e,
                    VoucherError::AmountTooLarge {
                        field: VoucherField::CopaymentNingenDock,
                        ..
                    }
                )
            },
        ),
        (
            "rate over 100%",
            |f| f.checkup_copayments.detailed = Some(Copayment::Rate { percent: 101 }),
            |e| matches!(e, VoucherError::RateAbove100 { percent: 101, .. }),
        ),
        (
            "issued after expiry",
            |f| f.issued_on = d("2026-04-01"),
            |e| matches!(e, VoucherError::IssuedAfterExpiry { .. }),
        ),
        (
            "born after issue",
            |f| f.person.birth_date = d("2025-04-02"),
            |e| matches!(e, VoucherError::BornAfterIssue { .. }),
        ),
        (
            "unknown sex code",
            |f| f.person.sex = Sex::from_code("9"),
            |e| matches!(e, VoucherError::UnknownSex(c) if c == "9"),
        ),
        (
            "保健指導区分 on a 受診券",
            |f| f.guidance_level = Some(GuidanceLevel::ActiveSupport),
            |e| {
                matches!(
                    e,
                    VoucherError::FieldNotForKind {
                        field: VoucherField::GuidanceLevel,
                        kind: VoucherKind::Checkup
                    }
                )
            },
        ),
        (
            "利用券 without 保健指導区分",
            |f| {
                *f = guidance_fields();
                f.guidance_level = None;
            },
            |e| matches!(e, VoucherError::MissingField(VoucherField::GuidanceLevel)),
        ),
        (
            "checkup copayment on a 利用券",
            |f| {
                *f = guidance_fields();
                f.checkup_copayments.basic = Some(Copayment::None);
            },
            |e| {
                matches!(
                    e,
                    VoucherError::FieldNotForKind {
                        field: VoucherField::CopaymentBasic,
                        kind: VoucherKind::Guidance
                    }
                )
            },
        ),
        (
            "guidance copayment on a 受診券",
            |f| f.guidance_copayment = Some(Copayment::None),
            |e| {
                matches!(
                    e,
                    VoucherError::FieldNotForKind {
                        field: VoucherField::GuidanceCopayment,
                        ..
                    }
                )
            },
        ),
        (
            "control character in the kana",
            |f| f.person.name_kana = Some("ｼﾝ\u{0}".into()),
            |e| matches!(e, VoucherError::ControlCharacter(VoucherField::NameKana)),
        ),
    ];
    for (name, change, ok) in cases {
        let mut f = voucher_fields();
        change(&mut f);
        let err = Voucher::new(f).unwrap_err();
        assert!(ok(&err), "{name}: {err:?}");
        assert!(!err.message_ja().is_empty(), "{name}");
        assert_eq!(err.message_en(), err.to_string());
    }
    // Boundaries that are accepted.
    let mut f = voucher_fields();
    f.contract_coordinator_name = Some("あ".repeat(50));
    f.checkup_copayments.basic = Some(Copayment::FixedYen { yen: 999_999 });
    f.checkup_copayments.additional = Some(Copayment::Rate { percent: 100 });
    f.issued_on = f.expires_on;
    assert!(Voucher::new(f).is_ok());
}

#[test]
fn japanese_messages_name_the_field() {
    let mut f = voucher_fields();
    f.insurer_number = InsurerNumber::parse_lenient("06110828").unwrap();
    let e = Voucher::new(f).unwrap_err();
    assert_eq!(
        e.message_ja(),
        "保険者番号「06110828」の検証番号が一致しません。入力を確認してください。"
    );
    assert_eq!(
        e.to_string(),
        "insurer_number: insurer number 06110828 has check digit 8, the computed check digit is 9"
    );
}

/// The stable JSON schema of a voucher (documented in the README): this golden text must
/// only ever grow.
const GOLDEN_VOUCHER_JSON: &str = r#"{
  "kind": "checkup",
  "number": "25000000001",
  "issued_on": "2025-04-01",
  "expires_on": "2026-03-31",
  "insurer_number": "06110829",
  "card_symbol": "12-34",
  "card_number": "4260",
  "branch_number": "01",
  "person": {
    "name": "診療　太郎",
    "name_kana": "シンリョウ　タロウ",
    "sex": "1",
    "birth_date": "2001-03-27"
  },
  "contract_coordinator_name": "健保連",
  "payment_agent_number": "12345678",
  "checkup_copayments": {
    "basic": {
      "type": "fixed_yen",
      "yen": 1000
    },
    "detailed": {
      "type": "none"
    },
    "additional": {
      "type": "rate",
      "percent": 10
    },
    "ningen_dock": {
      "type": "insurer_cap",
      "yen": 20000
    }
  },
  "guidance_copayment": null,
  "guidance_level": null
}"#;

#[test]
fn json_schema_is_stable() {
    let v = Voucher::new(voucher_fields()).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&v).unwrap(),
        GOLDEN_VOUCHER_JSON
    );
    let back: Voucher = serde_json::from_str(GOLDEN_VOUCHER_JSON).unwrap();
    assert_eq!(back, v);
}

#[test]
fn json_input_is_validated_and_normalized() {
    // Minimal input: optional fields omitted, identifiers as staff type them.
    let json = r#"{
        "kind": "guidance",
        "number": "２５０００００００１２",
        "issued_on": "2025-04-01",
        "expires_on": "2026-03-31",
        "insurer_number": "  123455",
        "card_number": "１２３",
        "person": {"name": "診療 花子", "sex": "2", "birth_date": "1970-01-01"},
        "guidance_level": "active_support"
    }"#;
    let v: Voucher = serde_json::from_str(json).unwrap();
    assert_eq!(v.number().as_str(), "25000000012");
    assert_eq!(v.insurer_number().as_str(), "00123455");
    assert_eq!(v.card_number().comparison_form(), "123");
    assert_eq!(v.card_symbol(), None);
    // Strict validation applies to JSON too.
    let bad = json.replace("  123455", "123456");
    let err = serde_json::from_str::<Voucher>(&bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("check digit"), "{err}");
    let unknown = json.replace("\"kind\"", "\"colour\": 1, \"kind\"");
    assert!(serde_json::from_str::<Voucher>(&unknown).is_err());
    let no_level = json.replace(",\n        \"guidance_level\": \"active_support\"", "");
    assert!(serde_json::from_str::<Voucher>(&no_level).is_err());
}

#[test]
fn copayment_and_guidance_codes() {
    let cases = [
        (Copayment::None, 1),
        (Copayment::FixedYen { yen: 500 }, 2),
        (Copayment::Rate { percent: 30 }, 3),
        (Copayment::InsurerCap { yen: 500 }, 4),
    ];
    for (c, code) in cases {
        assert_eq!(c.code(), code);
    }
    for code in 1..=3 {
        assert_eq!(GuidanceLevel::from_code(code).unwrap().code(), code);
    }
    assert_eq!(GuidanceLevel::from_code(4), None);
    assert_eq!(
        GuidanceLevel::MotivationalSupportEquivalent.label_ja(),
        "動機付け支援相当"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const STRING_FIELDS: &[&str] = &[
        "number",
        "issued_on",
        "expires_on",
        "insurer_number",
        "card_symbol",
        "card_number",
        "branch_number",
        "contract_coordinator_name",
        "payment_agent_number",
    ];

    proptest! {
        /// Any text in any string field of the golden voucher: no panic, and whatever is
        /// accepted writes back to JSON that reads back to the same voucher.
        #[test]
        fn any_field_text_is_handled(
            field in proptest::sample::select(STRING_FIELDS),
            text in "\\PC{0,48}",
        ) {
            let mut json: serde_json::Value = serde_json::from_str(GOLDEN_VOUCHER_JSON).unwrap();
            json[field] = serde_json::Value::String(text);
            if let Ok(v) = serde_json::from_value::<Voucher>(json) {
                let again = serde_json::to_string(&v).unwrap();
                prop_assert_eq!(serde_json::from_str::<Voucher>(&again).unwrap(), v);
            }
        }

        #[test]
        fn arbitrary_json_never_panics(s in "\\PC{0,200}") {
            let _ = serde_json::from_str::<Voucher>(&s);
            let _ = serde_json::from_str::<Evidence>(&s);
            let _ = serde_json::from_str::<QualificationResponse>(&s);
        }
    }
}
