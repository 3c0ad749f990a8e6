//! Issue 10 item 7: names, kana, birth dates, addresses, 記号・番号・枝番 and voucher numbers
//! reach no `Debug`, `Display` or error text of a public type. Every such type is built from
//! one persona with distinctive values and formatted every way; no value (nor its NFKC or
//! width variant) may appear. JSON still carries the values, and the explicit methods render
//! them for a screen.

// Helpers outside #[test] functions unwrap and index too: a failure is the point.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::*;
use unicode_normalization::UnicodeNormalization as _;
use voucher_model::*;

const NAME: &str = "鰐淵　楓子";
const NAME_KANA: &str = "ワニブチ　フウコ";
const NAME_KANA_HALF: &str = "ﾜﾆﾌﾞﾁ ﾌｳｺ";
const INSURED_NAME: &str = "鰐淵　権兵衛";
const OTHER_NAME: &str = "鰐楓";
const OTHER_KANA: &str = "ﾜﾆｶｴﾃﾞ";
const ADDRESS: &str = "北海道稚内市宗谷岬九丁目";
const POST: &str = "0981599";
const BIRTH: &str = "1958-07-29";
const SYMBOL: &str = "ﾜﾆ-97";
const NUMBER: &str = "8675309";
const BRANCH: &str = "59";

const VOUCHER_NUMBER: &str = "25867530901";
const LATE_ELDERLY_NUMBER: &str = "3867530";

fn voucher_number() -> VoucherNumber {
    VoucherNumber::parse(VOUCHER_NUMBER).unwrap()
}

/// Every spelling of `value` that must not appear: as given, NFKC, full-width ASCII.
fn variants(value: &str) -> Vec<String> {
    let nfkc: String = value.nfkc().collect();
    let full: String = nfkc
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect();
    let no_space: String = nfkc.chars().filter(|c| !c.is_whitespace()).collect();
    vec![value.to_owned(), nfkc, full, no_space]
}

fn needles() -> Vec<String> {
    let number = voucher_number().as_str().to_owned();
    let mut out = Vec::new();
    for v in [
        NAME,
        NAME_KANA,
        NAME_KANA_HALF,
        INSURED_NAME,
        OTHER_NAME,
        OTHER_KANA,
        ADDRESS,
        POST,
        "098-1599",
        BIRTH,
        "19580729",
        "1958",
        SYMBOL,
        NUMBER,
        &number,
        LATE_ELDERLY_NUMBER,
    ] {
        out.extend(variants(v));
    }
    // The branch number is two digits: look for it as a quoted value.
    out.push(format!("\"{BRANCH}\""));
    out
}

fn assert_clean(what: &str, text: &str) {
    for needle in needles() {
        assert!(
            !text.contains(&needle),
            "{what} shows personal value {needle:?}:\n{text}"
        );
    }
}

fn all_debug<T: core::fmt::Debug>(what: &str, value: &T) {
    assert_clean(what, &format!("{value:?}"));
    assert_clean(what, &format!("{value:#?}"));
}

fn all_display<T: core::fmt::Display + core::fmt::Debug>(what: &str, value: &T) {
    all_debug(what, value);
    assert_clean(what, &value.to_string());
}

fn persona_fields() -> VoucherFields {
    VoucherFields {
        number: voucher_number(),
        card_symbol: Some(CardSymbol::parse(SYMBOL).unwrap()),
        card_number: CardNumber::parse(NUMBER).unwrap(),
        branch_number: Some(BranchNumber::parse(BRANCH).unwrap()),
        person: Person {
            name: NAME.into(),
            name_kana: Some(NAME_KANA.into()),
            sex: Sex::Female,
            birth_date: d(BIRTH),
        },
        ..voucher_fields()
    }
}

fn persona_record() -> QualificationRecord {
    QualificationRecord {
        insured_card_symbol: Some(CardSymbol::parse_lenient(SYMBOL).unwrap()),
        insured_identification_number: Some(CardNumber::parse_lenient(NUMBER).unwrap()),
        insured_branch_number: Some(BranchNumber::parse(BRANCH).unwrap()),
        insured_name: Some(INSURED_NAME.into()),
        // A different spelling than the voucher's, so that the verdict has a finding that
        // carries both sides' values.
        name: Some("鰐淵　楓".into()),
        name_of_other: Some(OTHER_NAME.into()),
        name_kana: Some(NAME_KANA_HALF.into()),
        name_of_other_kana: Some(OTHER_KANA.into()),
        birthdate: Some(d(BIRTH)),
        address: Some(ADDRESS.into()),
        post_number: Some(POST.into()),
        unknown_elements: vec![UnknownElement {
            name: "FutureNameElement".into(),
            text: NAME.into(),
        }],
        ..record()
    }
}

fn persona_search() -> SearchInfo {
    SearchInfo {
        insurer_number: Some(InsurerNumber::parse("06110829").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse(SYMBOL).unwrap()),
        insured_identification_number: Some(CardNumber::parse(NUMBER).unwrap()),
        insured_branch_number: Some(BranchNumber::parse(BRANCH).unwrap()),
        birthdate: Some(d(BIRTH)),
        limit_application_certificate_related_cons_flg: None,
    }
}

#[test]
fn no_personal_value_in_debug_or_display() {
    let fields = persona_fields();
    let voucher = Voucher::new(fields.clone()).unwrap();
    let record = persona_record();
    let response = QualificationResponse {
        search_info: Some(persona_search()),
        results: vec![record.clone()],
        unknown_elements: vec![UnknownElement {
            name: "Address2".into(),
            text: ADDRESS.into(),
        }],
        ..response()
    };
    let online = Evidence::online(
        OnlineChannel::Limited,
        OnlineMode::Pin {
            signature_verified: true,
        },
        response.clone(),
    );
    let reading = QualificationReading {
        card_symbol: Some(CardSymbol::parse(SYMBOL).unwrap()),
        card_number: CardNumber::parse(NUMBER).unwrap(),
        branch_number: Some(BranchNumber::parse(BRANCH).unwrap()),
        name: Some(NAME.into()),
        birth_date: Some(d(BIRTH)),
        ..reading()
    };

    all_debug("VoucherFields", &fields);
    all_debug("Person", &fields.person);
    all_debug("Voucher", &voucher);
    all_debug("QualificationRecord", &record);
    all_debug("QualificationResponse", &response);
    all_debug("SearchInfo", &persona_search());
    all_debug("UnknownElement", &record.unknown_elements);
    all_debug("Evidence", &online);
    all_debug("QualificationReading", &reading);
    all_display("CardSymbol", &CardSymbol::parse(SYMBOL).unwrap());
    all_display("CardNumber", &CardNumber::parse(NUMBER).unwrap());
    all_display("BranchNumber", &BranchNumber::parse(BRANCH).unwrap());
    all_display("VoucherNumber", &voucher_number());
    all_display("Personal", &Personal::new(NAME.to_owned()));

    let verdict = verify(
        &voucher,
        &online,
        checkup_date(),
        purpose(RequestedUse::SpecificHealthCheckup),
    );
    all_display("Verdict", &verdict);
    let with_values = verdict
        .findings
        .iter()
        .filter(|f| f.voucher_value.is_some() || f.evidence_value.is_some())
        .collect::<Vec<_>>();
    assert!(
        !with_values.is_empty(),
        "the persona's verdict has findings with values: {verdict}"
    );
    for finding in &verdict.findings {
        all_display("Finding", finding);
    }
    // A screen still gets the values, explicitly.
    let shown: String = with_values
        .iter()
        .map(|f| f.with_values().to_string())
        .collect();
    assert!(shown.contains(NAME) || shown.contains(BIRTH), "{shown}");

    // Errors.
    // A late-elderly insured number (personal) with a wrong check digit.
    let bad_number = (0..10)
        .map(|d| format!("{LATE_ELDERLY_NUMBER}{d}"))
        .find(|n| {
            matches!(
                LateElderlyInsuredNumber::parse(n),
                Err(IdError::BadCheckDigit { .. })
            )
        })
        .unwrap();
    let e = LateElderlyInsuredNumber::parse(&bad_number).unwrap_err();
    all_display("IdError", &e);
    assert!(
        e.message_ja().contains(&bad_number),
        "the Japanese message for staff shows what they typed"
    );
    let born_late = Voucher::new(VoucherFields {
        person: Person {
            birth_date: d("2031-07-29"),
            ..fields.person.clone()
        },
        ..fields.clone()
    })
    .unwrap_err();
    all_display("VoucherError", &born_late);
    assert!(born_late.to_string().contains("<redacted>"), "{born_late}");
    assert!(born_late.message_ja().contains("2031"));

    // JSON keeps the values (the schema is a contract).
    let json = serde_json::to_string(&voucher).unwrap();
    assert!(json.contains(NAME) && json.contains(NUMBER) && json.contains(BIRTH));
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains(ADDRESS) && json.contains(NAME_KANA_HALF));
    // And the explicit accessors render for a screen.
    assert_eq!(voucher.number().as_str(), voucher_number().as_str());
    assert_eq!(Personal::new(NAME).reveal(), &NAME);
}
