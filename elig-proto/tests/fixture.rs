//! The real response fixture (hangilc/myclinic-ts, see tests/data/README.md) and the
//! published request template, read by the crate.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use elig_proto::xmlmsg::{
    self, Encoding, EncodingSource, IndividualRequest, InsurerPadding, ReadError, ReadLimits,
};
use voucher_model::{
    CharacterCodeIdentifier, ConsentFlag, Date, DateTime, InsuredCardClassification,
    PersonalFamilyClassification, ProcessingResultStatus, QualificationValidity,
    ReferenceClassification, SegmentOfResult, Sex, SpecificDiseasesConsentFlag,
};

const FIXTURE: &[u8] = include_bytes!("data/hangilc-myclinic-ts_onshi-kakunin_response.xml");
const TEMPLATE: &[u8] = include_bytes!("data/OQSsiquc01req_template.xml");

fn ymd(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn time(s: &str) -> DateTime {
    DateTime::parse_compact(s).unwrap()
}

fn check_fixture(response: &voucher_model::QualificationResponse) {
    // Header.
    assert_eq!(
        response.process_execution_time,
        Some(time("20230221174835"))
    );
    assert_eq!(
        response.character_code_identifier,
        Some(CharacterCodeIdentifier::Utf8)
    );
    assert_eq!(response.segment_of_result, Some(SegmentOfResult::Normal));
    assert_eq!(
        response.qualification_confirmation_date,
        Some(ymd("20230221"))
    );
    assert_eq!(
        response.reference_classification,
        Some(ReferenceClassification::MyNumberCard)
    );
    assert_eq!(
        response.arbitrary_file_identifier.as_deref(),
        Some("ArnHCeDfNjMCFzg=")
    );
    let code = response.medical_institution_code.as_ref().unwrap();
    assert_eq!(code.as_str(), "1311111111");
    assert!(
        !code.check_digit_ok(),
        "the fixture's code fails the check digit"
    );
    // Body (QualificationValidity after ResultList: order does not matter).
    assert_eq!(
        response.processing_result_status,
        Some(ProcessingResultStatus::Normal)
    );
    assert_eq!(
        response.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(response.results.len(), 1);
    assert!(
        response.unknown_elements.is_empty(),
        "{:?}",
        response.unknown_elements
    );

    let r = &response.results[0];
    // The quirks of real data.
    let insurer = r.insurer_number.as_ref().unwrap();
    assert_eq!(
        insurer.as_str(),
        "00123456",
        "space-padded 6-digit 国保 number"
    );
    assert!(insurer.is_national_health_insurance());
    assert!(
        !insurer.check_digit_ok(),
        "123456 fails the check digit: kept, flagged"
    );
    assert_eq!(r.insured_card_symbol.as_ref().unwrap().as_str(), "12-34");
    assert_eq!(
        r.name.as_deref(),
        Some("診療\u{3000}太郎"),
        "full-width space kept"
    );
    assert_eq!(
        r.name_kana.as_deref(),
        Some("\u{FF7C}\u{FF9D}\u{FF98}\u{FF6E}\u{FF73} \u{FF80}\u{FF9B}\u{FF73}"),
        "half-width katakana kept as sent"
    );
    // The rest, field by field.
    assert_eq!(r.address.as_deref(), Some("東京都"));
    assert_eq!(r.insurer_name.as_deref(), Some("東京都"));
    assert_eq!(r.post_number.as_deref(), Some("123-4567"));
    assert_eq!(
        r.insured_identification_number.as_ref().unwrap().as_str(),
        "4260"
    );
    assert_eq!(r.insured_branch_number.as_ref().unwrap().as_str(), "01");
    assert_eq!(r.birthdate, Some(ymd("20010327")));
    assert_eq!(r.sex1, Some(Sex::Male));
    assert_eq!(
        r.personal_family_classification,
        Some(PersonalFamilyClassification::Insured)
    );
    assert_eq!(
        r.insured_card_classification,
        Some(InsuredCardClassification::General)
    );
    assert_eq!(r.insured_card_valid_date, Some(ymd("20191001")));
    assert_eq!(r.insured_certificate_issuance_date, Some(ymd("20191001")));
    assert_eq!(
        r.limit_application_certificate_related_cons_flg,
        Some(ConsentFlag::NotConsented)
    );
    assert_eq!(
        r.specific_diseases_certificate_related_cons_flg,
        Some(SpecificDiseasesConsentFlag::NotConsented)
    );
    assert_eq!(
        r.specific_health_checkups_info_cons_flg,
        Some(ConsentFlag::Consented)
    );
    assert_eq!(
        r.specific_health_checkups_info_cons_time,
        Some(time("20230221174835"))
    );
    assert_eq!(
        r.specific_health_checkups_info_available_time,
        Some(time("20230222174835"))
    );
    assert_eq!(r.pharmacists_info_cons_flg, Some(ConsentFlag::Consented));
    assert_eq!(r.pharmacists_info_cons_time, Some(time("20230221174835")));
    assert_eq!(
        r.pharmacists_info_available_time,
        Some(time("20230222174835"))
    );
    assert_eq!(r.diagnosis_info_cons_flg, Some(ConsentFlag::NotConsented));
    assert!(r.unknown_elements.is_empty(), "{:?}", r.unknown_elements);
    assert!(r.period_covers(ymd("20230221")));
}

#[test]
fn real_fixture_parses_to_the_expected_record() {
    let (response, info) = xmlmsg::read_response_with(FIXTURE, &ReadLimits::default()).unwrap();
    assert_eq!(info.encoding, Encoding::Utf8);
    assert_eq!(info.encoding_source, EncodingSource::Declaration);
    assert!(!info.character_code_identifier_mismatch);
    check_fixture(&response);
}

/// The same file as a Shift_JIS terminal would write it: declaration and
/// CharacterCodeIdentifier say so, the bytes are CP932.
#[test]
fn real_fixture_in_shift_jis_parses_to_the_same_record() {
    let text = std::str::from_utf8(FIXTURE)
        .unwrap()
        .replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let (bytes, _, errors) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!errors);
    assert_ne!(&bytes[..], text.as_bytes(), "non-ASCII text is re-encoded");
    let (response, info) = xmlmsg::read_response_with(&bytes, &ReadLimits::default()).unwrap();
    assert_eq!(info.encoding, Encoding::ShiftJis);
    assert!(
        info.character_code_identifier_mismatch,
        "the fixture's header still says 0 (UTF-8): flagged, bytes win"
    );
    check_fixture(&response);
}

/// Writing the fixture's record back and reading it again gives the same record, in both
/// encodings.
#[test]
fn real_fixture_survives_write_and_read() {
    let response = xmlmsg::read_response(FIXTURE).unwrap();
    for encoding in [Encoding::Utf8, Encoding::ShiftJis] {
        let written = xmlmsg::write_response(&response, encoding).unwrap();
        let back = xmlmsg::read_response(&written).unwrap();
        assert_eq!(back, response, "{encoding:?}");
    }
}

/// The published template: its placeholders are refused by the strict request reader, and
/// with real values in their places it reads into the request this crate writes.
#[test]
fn request_template_reads_with_real_values() {
    let placeholder = IndividualRequest::from_xml(TEMPLATE).unwrap_err();
    assert!(
        matches!(&placeholder, ReadError::InvalidValue { element, .. } if element == "QualificationConfirmationDate"),
        "{placeholder}"
    );
    let text = std::str::from_utf8(TEMPLATE)
        .unwrap()
        .replace(
            ">YYYYMMDD</QualificationConfirmationDate>",
            ">20261124</QualificationConfirmationDate>",
        )
        .replace("NNNNNNNNNN", "0110113719")
        .replace("CLIENT-CORRELATION-ID", "visit-42")
        .replace(">INSNUM<", ">  123455<")
        .replace(">INSSYMB<", ">12-34<")
        .replace(">IDTNUM<", ">4260<")
        .replace(">YYYYMMDD</Birthdate>", ">20010327</Birthdate>");
    let request = IndividualRequest::from_xml(text.as_bytes()).unwrap();
    assert_eq!(request.qualification_confirmation_date, ymd("20261124"));
    assert_eq!(request.medical_institution_code.as_str(), "0110113719");
    assert_eq!(
        request.arbitrary_file_identifier.as_deref(),
        Some("visit-42")
    );
    assert_eq!(request.insurer_padding, InsurerPadding::Spaces);
    let s = &request.search;
    assert_eq!(s.insurer_number.as_ref().unwrap().as_str(), "00123455");
    assert_eq!(s.insured_card_symbol.as_ref().unwrap().as_str(), "12-34");
    assert_eq!(
        s.insured_identification_number.as_ref().unwrap().as_str(),
        "4260"
    );
    assert_eq!(
        s.insured_branch_number, None,
        "the template's empty 枝番 is absent"
    );
    assert_eq!(s.birthdate, Some(ymd("20010327")));
    assert_eq!(
        s.limit_application_certificate_related_cons_flg,
        Some(ConsentFlag::Consented)
    );
    // What the crate writes for that request reads back to it.
    let written = request.to_xml(Encoding::Utf8).unwrap();
    assert_eq!(IndividualRequest::from_xml(&written).unwrap(), request);
    // And has the template's elements, in the template's order.
    let names = |xml: &str| -> Vec<String> {
        xml.split('<')
            .filter_map(|t| {
                let name: String = t
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                // Element names start with a capital; the comments' `<12 chars>` do not.
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    .then_some(name)
            })
            .collect()
    };
    let written_names = names(std::str::from_utf8(&written).unwrap());
    let mut template_names = names(&text);
    template_names.retain(|n| n != "InsuredBranchNumber");
    assert_eq!(written_names, template_names);
}

/// Synthetic responses of the other kinds (element names are public; these files are ours,
/// not captured from a terminal): the bulk two-step pair, a pushed face result and an error.
#[test]
fn other_response_kinds() {
    use elig_proto::xmlmsg::{FileKind, FileName};

    // OQSmuquc01res: the upload was accepted, fetch later with the ReceptionNumber.
    let name = FileName::parse("OQSmuquc01res_202611240002.xml").unwrap();
    assert_eq!(name.kind, FileKind::BulkUploadResponse);
    let upload = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>\
        <SegmentOfResult>2</SegmentOfResult><CharacterCodeIdentifier>0</CharacterCodeIdentifier>\
        </MessageHeader><MessageBody><ProcessingResultStatus>1</ProcessingResultStatus>\
        <ReceptionNumber> R0000123 </ReceptionNumber></MessageBody></XmlMsg>";
    let r = xmlmsg::read_response(upload.as_bytes()).unwrap();
    assert_eq!(r.segment_of_result, Some(SegmentOfResult::Processing));
    assert_eq!(xmlmsg::reception_number(&r), Some("R0000123"));

    // OQSmuquc02res: several people, document order kept.
    let fetch = "<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult></MessageHeader>\
        <MessageBody><ResultList>\
        <ResultOfQualificationConfirmation><InsuredIdentificationNumber>1</InsuredIdentificationNumber></ResultOfQualificationConfirmation>\
        <ResultOfQualificationConfirmation><InsuredIdentificationNumber>2</InsuredIdentificationNumber></ResultOfQualificationConfirmation>\
        <ResultOfQualificationConfirmation><InsuredIdentificationNumber>3</InsuredIdentificationNumber></ResultOfQualificationConfirmation>\
        </ResultList></MessageBody></XmlMsg>";
    let r = xmlmsg::read_response(fetch.as_bytes()).unwrap();
    let numbers: Vec<&str> = r
        .results
        .iter()
        .map(|q| q.insured_identification_number.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(numbers, ["1", "2", "3"]);

    // OQSsiquc01res_face_: the terminal pushes the same response layout.
    let face = FileName::parse("OQSsiquc01res_face_202302210001.xml").unwrap();
    assert_eq!(face.kind, FileKind::FaceResponse);
    assert_eq!(face.response(), None, "pushed, not a request");
    check_fixture(&xmlmsg::read_response(FIXTURE).unwrap());

    // 異常終了 with both codes the sources give, ErrorCode and message verbatim.
    for segment in ["9", "3"] {
        let error = format!(
            "<XmlMsg><MessageHeader><SegmentOfResult>{segment}</SegmentOfResult>\
             <ErrorCode>EOQS1234</ErrorCode><ErrorMessage>資格情報が見つかりません</ErrorMessage>\
             </MessageHeader><MessageBody><ProcessingResultStatus>2</ProcessingResultStatus>\
             <ProcessingResultCode>0123</ProcessingResultCode></MessageBody></XmlMsg>"
        );
        let r = xmlmsg::read_response(error.as_bytes()).unwrap();
        assert!(r.segment_of_result.as_ref().unwrap().is_abnormal_end());
        assert_eq!(r.error_code.as_deref(), Some("EOQS1234"));
        assert_eq!(r.error_message.as_deref(), Some("資格情報が見つかりません"));
        assert_eq!(
            r.processing_result_status,
            Some(ProcessingResultStatus::Error)
        );
        assert_eq!(r.processing_result_code.as_deref(), Some("0123"));
        assert!(r.results.is_empty());
    }
}
