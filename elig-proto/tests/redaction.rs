//! Issue 10 item 7 on the wire types: inquiries, results, the unsigned inquiry, decode and
//! read errors built from one persona print no name, kana, birth date, address,
//! 記号・番号・枝番 (nor their NFKC or width variants) in `Debug`, `Display` or error text.
//! The JSON on the wire still carries them.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use elig_proto::gateway::{
    self, Basis, CertificateDer, Challenge, InquiryRequest, InquiryResult, RequestId,
    SignatureBytes, UnsignedInquiry, VisualAttestation,
};
use elig_proto::xmlmsg::{self, Encoding, IndividualRequest};
use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, Date, DateTime, Facility,
    InsurerNumber, QualificationRecord, QualificationResponse, QualificationValidity, SearchInfo,
    UnknownElement,
};

const NAME: &str = "鰐淵　楓子";
const KANA: &str = "ﾜﾆﾌﾞﾁ ﾌｳｺ";
const ADDRESS: &str = "北海道稚内市宗谷岬九丁目";
const BIRTH: &str = "19580729";
const SYMBOL: &str = "ﾜﾆ-97";
const NUMBER: &str = "8675309";

fn needles() -> Vec<String> {
    let mut out = Vec::new();
    for v in [
        NAME,
        KANA,
        ADDRESS,
        BIRTH,
        "1958-07-29",
        "1958",
        SYMBOL,
        NUMBER,
    ] {
        out.push(v.to_owned());
        // NFKC (half-width kana → full-width, full-width space → space) and full-width ASCII.
        let nfkc: String = v
            .chars()
            .map(|c| if c == '\u{3000}' { ' ' } else { c })
            .collect();
        out.push(nfkc);
        out.push(
            v.chars()
                .map(|c| match c {
                    '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap(),
                    c => c,
                })
                .collect(),
        );
    }
    out.push("ワニブチ".into());
    out.push("\"59\"".into());
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

fn error<E: core::fmt::Debug + core::fmt::Display>(what: &str, e: &E) {
    all_debug(what, e);
    assert_clean(what, &e.to_string());
}

fn date(text: &str) -> Date {
    Date::parse_yyyymmdd(text).unwrap()
}

fn facility() -> Facility {
    Facility::CheckupInstitution(CheckupInstitutionNumber::parse("0110113719").unwrap())
}

fn search() -> SearchInfo {
    SearchInfo {
        insurer_number: Some(InsurerNumber::parse("06110829").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse(SYMBOL).unwrap()),
        insured_identification_number: Some(CardNumber::parse(NUMBER).unwrap()),
        insured_branch_number: Some(BranchNumber::parse("59").unwrap()),
        birthdate: Some(date(BIRTH)),
        limit_application_certificate_related_cons_flg: None,
    }
}

fn result() -> QualificationResponse {
    QualificationResponse {
        qualification_confirmation_date: Some(date("20261124")),
        qualification_validity: Some(QualificationValidity::Valid),
        search_info: Some(search()),
        results: vec![QualificationRecord {
            insurer_number: Some(InsurerNumber::parse("06110829").unwrap()),
            insured_card_symbol: Some(CardSymbol::parse_lenient(SYMBOL).unwrap()),
            insured_identification_number: Some(CardNumber::parse_lenient(NUMBER).unwrap()),
            insured_branch_number: Some(BranchNumber::parse("59").unwrap()),
            name: Some(NAME.into()),
            name_kana: Some(KANA.into()),
            birthdate: Some(date(BIRTH)),
            address: Some(ADDRESS.into()),
            unknown_elements: vec![UnknownElement {
                name: "NameOfFuture".into(),
                text: NAME.into(),
            }],
            ..QualificationRecord::default()
        }],
        ..QualificationResponse::default()
    }
}

#[test]
fn wire_types_print_no_personal_value() {
    let unsigned = UnsignedInquiry::new(
        RequestId::new("req-1").unwrap(),
        facility(),
        date("20261124"),
        Some(search()),
    );
    all_debug("UnsignedInquiry", &unsigned);
    let pending = unsigned
        .clone()
        .with_challenge(Challenge::from_bytes([7; 32]));
    all_debug("ChallengedInquiry", &pending);
    let mut cert = vec![0x30, 0x82, 0x07, 0x6d];
    cert.resize(1905, 0);
    let cert = CertificateDer::new(cert).unwrap();
    let pin = pending.sign(cert.clone(), SignatureBytes::new(vec![1; 256]).unwrap());
    all_debug("InquiryRequest (PIN)", &pin);
    let at = DateTime::parse_compact("20261124101500").unwrap();
    let visual = unsigned.attest(cert, VisualAttestation::new("staff-07", at, true).unwrap());
    all_debug("InquiryRequest (visual)", &visual);
    let answer = InquiryResult::new(
        RequestId::new("req-1").unwrap(),
        Basis::CardSignature,
        result(),
    );
    all_debug("InquiryResult", &answer);
    let request = IndividualRequest::new(date("20261124"), "0110113719".parse().unwrap(), search());
    all_debug("IndividualRequest", &request);

    // The wire keeps the values.
    let body = String::from_utf8(gateway::encode(&pin).unwrap()).unwrap();
    assert!(body.contains(BIRTH) && body.contains(SYMBOL) && body.contains(NUMBER));
    let body = String::from_utf8(gateway::encode(&answer).unwrap()).unwrap();
    assert!(body.contains(NAME) && body.contains(ADDRESS));
}

#[test]
fn decode_and_read_errors_do_not_echo_personal_values() {
    let body = String::from_utf8(
        gateway::encode(&InquiryRequest::new(
            RequestId::new("req-1").unwrap(),
            facility(),
            date("20261124"),
            None,
            CertificateDer::new(vec![0x30; 100]).unwrap(),
            gateway::Proof::Visual(
                VisualAttestation::new(
                    "staff-07",
                    DateTime::parse_compact("20261124101500").unwrap(),
                    true,
                )
                .unwrap(),
            ),
        ))
        .unwrap(),
    )
    .unwrap();
    for search in [
        format!(r#"{{"Birthdate":"{BIRTH}X"}}"#),
        r#"{"Birthdate":"1958-07-29"}"#.to_owned(),
        format!(r#"{{"InsuredCardSymbol":["{SYMBOL}"]}}"#),
        format!(r#"{{"InsuredIdentificationNumber":{NUMBER}}}"#),
        format!(r#"{{"{NAME}":"{ADDRESS}"}}"#),
        format!(r#""{NAME}""#),
    ] {
        let hostile = body.replacen(
            "{\"version\":1,",
            &format!("{{\"version\":1,\"search\":{search},"),
            1,
        );
        match gateway::decode::<InquiryRequest>(hostile.as_bytes()) {
            Err(e) => error("DecodeError", &e),
            Ok(inquiry) => all_debug("InquiryRequest", &inquiry),
        }
    }
    let e =
        gateway::decode::<InquiryRequest>(format!("\"{NAME} {ADDRESS}\"").as_bytes()).unwrap_err();
    error("DecodeError", &e);

    // The 既存型 files: a strict request read back with a bad birth date, a response cut
    // inside a personal element.
    let request = IndividualRequest::new(date("20261124"), "0110113719".parse().unwrap(), search());
    let xml = String::from_utf8(request.to_xml(Encoding::Utf8).unwrap()).unwrap();
    let broken = xml.replace(BIRTH, "1958072X");
    error(
        "ReadError",
        &IndividualRequest::from_xml(broken.as_bytes()).unwrap_err(),
    );
    let response =
        String::from_utf8(xmlmsg::write_response(&result(), Encoding::Utf8).unwrap()).unwrap();
    let cut = &response[..response.find(ADDRESS).unwrap() + ADDRESS.len()];
    error(
        "ReadError",
        &xmlmsg::read_response(cut.as_bytes()).unwrap_err(),
    );
}
