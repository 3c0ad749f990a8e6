//! Golden files: a request written by the crate and its Shift_JIS twin, byte for byte.
//!
//! The expected files are in `tests/data/golden/`. To regenerate them after a deliberate
//! layout change, run with `ELIG_PROTO_BLESS=1` and review the diff: the assertions below the
//! comparison check the properties oqs.md fixes (declaration, element names, padding)
//! independently of the files.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

use elig_proto::xmlmsg::{Encoding, FileKind, FileName, IndividualRequest, Suffix};
use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, ConsentFlag, Date,
    InsurerNumber, SearchInfo,
};

fn request() -> IndividualRequest {
    let search = SearchInfo {
        insurer_number: Some(InsurerNumber::parse("123455").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse("１２－３４").unwrap()),
        insured_identification_number: Some(CardNumber::parse("4260").unwrap()),
        insured_branch_number: Some(BranchNumber::parse("01").unwrap()),
        birthdate: Some(Date::parse_yyyymmdd("20010327").unwrap()),
        limit_application_certificate_related_cons_flg: Some(ConsentFlag::NotConsented),
    };
    let institution = CheckupInstitutionNumber::parse("0110113719").unwrap();
    IndividualRequest::new(
        Date::parse_yyyymmdd("20261124").unwrap(),
        institution,
        search,
    )
    .with_file_identifier("受付-42 & <A>")
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name)
}

fn check_golden(name: &str, actual: &[u8]) {
    let path = golden(name);
    if std::env::var_os("ELIG_PROTO_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read(&path).unwrap();
    assert_eq!(
        actual,
        &expected[..],
        "{name} differs from its golden file (ELIG_PROTO_BLESS=1 to regenerate deliberately)"
    );
}

fn file_name() -> String {
    let date = Date::parse_yyyymmdd("20261124").unwrap();
    FileName::new(FileKind::IndividualRequest, Suffix::new(date, 1).unwrap()).to_string()
}

const EXPECTED_UTF8: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <QualificationConfirmationDate>20261124</QualificationConfirmationDate>
    <MedicalInstitutionCode>0110113719</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>受付-42 &amp; &lt;A&gt;</ArbitraryFileIdentifier>
  </MessageHeader>
  <MessageBody>
    <QualificationConfirmSearchInfo>
      <InsurerNumber>  123455</InsurerNumber>
      <InsuredCardSymbol>１２－３４</InsuredCardSymbol>
      <InsuredIdentificationNumber>4260</InsuredIdentificationNumber>
      <InsuredBranchNumber>01</InsuredBranchNumber>
      <Birthdate>20010327</Birthdate>
      <LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>
    </QualificationConfirmSearchInfo>
  </MessageBody>
</XmlMsg>
"#;

#[test]
fn utf8_request_golden() {
    assert_eq!(file_name(), "OQSsiquc01req_202611240001.xml");
    let bytes = request().to_xml(Encoding::Utf8).unwrap();
    check_golden("OQSsiquc01req_202611240001.xml", &bytes);
    // Independent of the file: the text oqs.md describes.
    assert_eq!(std::str::from_utf8(&bytes).unwrap(), EXPECTED_UTF8);
}

#[test]
fn shift_jis_request_golden() {
    let bytes = request().to_xml(Encoding::ShiftJis).unwrap();
    check_golden("OQSsiquc01req_202611240001.sjis.xml", &bytes);
    // Independent of the file: the declaration says Shift_JIS, and the bytes are the
    // UTF-8 twin's text in CP932.
    let expected = EXPECTED_UTF8.replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let (sjis, _, errors) = encoding_rs::SHIFT_JIS.encode(&expected);
    assert!(!errors);
    assert_eq!(&bytes[..], &sjis[..]);
    assert!(
        bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n")
    );
    // 受 is 0x8EF3 in Shift_JIS; the full-width digit 1 is 0x8250.
    assert!(bytes.windows(2).any(|w| w == [0x8E, 0xF3]));
    assert!(bytes.windows(2).any(|w| w == [0x82, 0x50]));
    assert!(bytes.windows(24).any(|w| w == b"<InsurerNumber>  123455<"));
    // And it reads back to the same request.
    assert_eq!(IndividualRequest::from_xml(&bytes).unwrap(), request());
}

#[test]
fn zero_padding_on_request() {
    let bytes = request()
        .with_insurer_padding(elig_proto::xmlmsg::InsurerPadding::Zeros)
        .to_xml(Encoding::Utf8)
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("<InsurerNumber>00123455</InsurerNumber>"));
    assert_eq!(text, EXPECTED_UTF8.replace("  123455", "00123455"));
}

#[test]
fn unencodable_character_is_refused_in_shift_jis() {
    let mut r = request();
    r.arbitrary_file_identifier = Some("visit 😀".into());
    let err = r.to_xml(Encoding::ShiftJis).unwrap_err();
    assert_eq!(
        err,
        elig_proto::xmlmsg::WriteError::Unencodable {
            element: "ArbitraryFileIdentifier".into()
        }
    );
    assert!(r.to_xml(Encoding::Utf8).is_ok());
    // ¥ would come back as a backslash from Shift_JIS: refused rather than changed.
    r.arbitrary_file_identifier = Some("¥100".into());
    assert!(matches!(
        r.to_xml(Encoding::ShiftJis),
        Err(elig_proto::xmlmsg::WriteError::Unencodable { .. })
    ));
    r.arbitrary_file_identifier = Some("bell\u{7}".into());
    assert!(matches!(
        r.to_xml(Encoding::Utf8),
        Err(elig_proto::xmlmsg::WriteError::InvalidCharacter { .. })
    ));
    r.arbitrary_file_identifier = None;
    r.search.birthdate = None;
    assert_eq!(
        r.to_xml(Encoding::Utf8),
        Err(elig_proto::xmlmsg::WriteError::MissingValue {
            element: "Birthdate"
        })
    );
}
