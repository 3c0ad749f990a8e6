//! `XmlMsg` response tree ⇄ [`voucher_model::QualificationResponse`].

use voucher_model::{
    ApplicableCategory, BranchNumber, CardNumber, CardSymbol, CharacterCodeIdentifier, ConsentFlag,
    ContributionRatio, Date, DateTime, ElderlyRecipientCertificateInfo, InsuredCardClassification,
    InsurerNumber, LimitApplicationCertificateRelatedInfo, LimitCertificateClassification,
    MedicalInstitutionCode, PersonalFamilyClassification, ProcessingResultStatus,
    QualificationRecord, QualificationResponse, QualificationValidity, ReferenceClassification,
    SegmentOfResult, Sex, SpecificDiseaseCategory, SpecificDiseasesCertificateInfo,
    SpecificDiseasesConsentFlag, UnknownElement,
};

use super::Fields;
use super::request::{SEARCH_INFO, search_from_fields};
use crate::xml::tree::Element;
use crate::xml::{ROOT, ReadError};

pub(super) const HEADER: &str = "MessageHeader";
pub(super) const BODY: &str = "MessageBody";

const HEADER_FIELDS: &[&str] = &[
    "ProcessExecutionTime",
    "QualificationConfirmationDate",
    "MedicalInstitutionCode",
    "ArbitraryFileIdentifier",
    "ReferenceClassification",
    "SegmentOfResult",
    "ErrorCode",
    "ErrorMessage",
    "CharacterCodeIdentifier",
];

const BODY_FIELDS: &[&str] = &[
    SEARCH_INFO,
    "ProcessingResultStatus",
    "ProcessingResultCode",
    "ProcessingResultMessage",
    "QualificationValidity",
    "ResultList",
];

pub(super) const RESULT: &str = "ResultOfQualificationConfirmation";

const RECORD_FIELDS: &[&str] = &[
    "InsuredCardClassification",
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "PersonalFamilyClassification",
    "InsuredName",
    "Name",
    "NameOfOther",
    "NameKana",
    "NameOfOtherKana",
    "Sex1",
    "Sex2",
    "Birthdate",
    "Address",
    "PostNumber",
    "QualificationDate",
    "DisqualificationDate",
    "InsuredCertificateIssuanceDate",
    "InsuredCardValidDate",
    "InsuredCardExpirationDate",
    "InsuredPartialContributionRatio",
    "PreschoolClassification",
    "ReasonOfLoss",
    "InsurerName",
    "ElderlyRecipientCertificateInfo",
    "LimitApplicationCertificateRelatedConsFlg",
    "LimitApplicationCertificateRelatedConsTime",
    "LimitApplicationCertificateRelatedInfo",
    "SpecificDiseasesCertificateRelatedConsFlg",
    "SpecificDiseasesCertificateRelatedConsTime",
    "SpecificDiseasesCertificateList",
    "SpecificHealthCheckupsInfoConsFlg",
    "SpecificHealthCheckupsInfoConsTime",
    "SpecificHealthCheckupsInfoAvailableTime",
    "PharmacistsInfoConsFlg",
    "PharmacistsInfoConsTime",
    "PharmacistsInfoAvailableTime",
    "DiagnosisInfoConsFlg",
    "DiagnosisInfoConsTime",
    "DiagnosisInfoAvailableTime",
    "ReferenceNumber",
];

const ELDERLY_FIELDS: &[&str] = &[
    "ElderlyRecipientCertificateDate",
    "ElderlyRecipientValidStartDate",
    "ElderlyRecipientValidEndDate",
    "ElderlyRecipientContributionRatio",
];

const LIMIT_FIELDS: &[&str] = &[
    "LimitApplicationCertificateClassification",
    "LimitApplicationCertificateClassificationFlag",
    "LimitApplicationCertificateDate",
    "LimitApplicationCertificateValidStartDate",
    "LimitApplicationCertificateValidEndDate",
    "LimitApplicationCertificateLongTermDate",
];

pub(super) const DISEASE: &str = "SpecificDiseasesCertificateInfo";

const DISEASE_FIELDS: &[&str] = &[
    "SpecificDiseasesDiseaseCategory",
    "SpecificDiseasesCertificateDate",
    "SpecificDiseasesValidStartDate",
    "SpecificDiseasesValidEndDate",
    "SpecificDiseasesSelfPay",
];

fn date(f: &mut Fields<'_>, name: &'static str) -> Result<Option<Date>, ReadError> {
    f.typed(name, Date::parse_yyyymmdd)
}

fn time(f: &mut Fields<'_>, name: &'static str) -> Result<Option<DateTime>, ReadError> {
    f.typed(name, DateTime::parse_compact)
}

fn consent(f: &mut Fields<'_>, name: &'static str) -> Result<Option<ConsentFlag>, ReadError> {
    f.code(name, ConsentFlag::from_code)
}

/// Reads a whole response tree (root `XmlMsg`).
pub(crate) fn from_tree(root: Element) -> Result<QualificationResponse, ReadError> {
    if root.name != ROOT {
        return Err(ReadError::UnexpectedRoot {
            name: root.name.chars().take(64).collect(),
        });
    }
    let mut r = QualificationResponse::default();
    let mut unknown = Vec::new();
    let mut top = Fields::split(root.children, "", &[HEADER, BODY], None, &mut unknown)?;
    let header = top
        .element(HEADER)
        .ok_or(ReadError::MissingElement { name: HEADER })?;
    let body = top
        .element(BODY)
        .ok_or(ReadError::MissingElement { name: BODY })?;
    drop(top);

    let h = &mut Fields::split(
        header.children,
        "MessageHeader/",
        HEADER_FIELDS,
        None,
        &mut unknown,
    )?;
    r.process_execution_time = time(h, "ProcessExecutionTime")?;
    r.qualification_confirmation_date = date(h, "QualificationConfirmationDate")?;
    r.medical_institution_code = h.typed(
        "MedicalInstitutionCode",
        MedicalInstitutionCode::parse_lenient,
    )?;
    r.arbitrary_file_identifier = h.text("ArbitraryFileIdentifier")?;
    r.reference_classification = h.code(
        "ReferenceClassification",
        ReferenceClassification::from_code,
    )?;
    r.segment_of_result = h.code("SegmentOfResult", SegmentOfResult::from_code)?;
    r.error_code = h.text("ErrorCode")?;
    r.error_message = h.text("ErrorMessage")?;
    r.character_code_identifier = h.code(
        "CharacterCodeIdentifier",
        CharacterCodeIdentifier::from_code,
    )?;

    let b = &mut Fields::split(
        body.children,
        "MessageBody/",
        BODY_FIELDS,
        None,
        &mut unknown,
    )?;
    if let Some(search) = b.element(SEARCH_INFO) {
        let prefix = "MessageBody/QualificationConfirmSearchInfo/";
        let mut s = Fields::split(
            search.children,
            prefix,
            super::request::SEARCH_FIELDS,
            None,
            b.unknown(),
        )?;
        r.search_info = Some(search_from_fields(&mut s)?);
    }
    r.processing_result_status =
        b.code("ProcessingResultStatus", ProcessingResultStatus::from_code)?;
    r.processing_result_code = b.text("ProcessingResultCode")?;
    r.processing_result_message = b.text("ProcessingResultMessage")?;
    r.qualification_validity = b.code("QualificationValidity", QualificationValidity::from_code)?;
    if let Some(list) = b.element("ResultList") {
        let prefix = "MessageBody/ResultList/";
        let l = Fields::split(list.children, prefix, &[], Some(RESULT), b.unknown())?;
        for result in l.many {
            r.results.push(record_from_element(result)?);
        }
    }
    r.unknown_elements = unknown;
    Ok(r)
}

fn record_from_element(element: Element) -> Result<QualificationRecord, ReadError> {
    let mut q = QualificationRecord::default();
    let mut unknown = Vec::new();
    let f = &mut Fields::split(element.children, "", RECORD_FIELDS, None, &mut unknown)?;
    q.insured_card_classification = f.code(
        "InsuredCardClassification",
        InsuredCardClassification::from_code,
    )?;
    q.insurer_number = f.typed("InsurerNumber", InsurerNumber::parse_lenient)?;
    q.insured_card_symbol = f.typed("InsuredCardSymbol", CardSymbol::parse_lenient)?;
    q.insured_identification_number =
        f.typed("InsuredIdentificationNumber", CardNumber::parse_lenient)?;
    q.insured_branch_number = f.typed("InsuredBranchNumber", BranchNumber::parse_lenient)?;
    q.personal_family_classification = f.code(
        "PersonalFamilyClassification",
        PersonalFamilyClassification::from_code,
    )?;
    q.insured_name = f.text("InsuredName")?;
    q.name = f.text("Name")?;
    q.name_of_other = f.text("NameOfOther")?;
    q.name_kana = f.text("NameKana")?;
    q.name_of_other_kana = f.text("NameOfOtherKana")?;
    q.sex1 = f.code("Sex1", Sex::from_code)?;
    q.sex2 = f.code("Sex2", Sex::from_code)?;
    q.birthdate = date(f, "Birthdate")?;
    q.address = f.text("Address")?;
    q.post_number = f.text("PostNumber")?;
    q.qualification_date = date(f, "QualificationDate")?;
    q.disqualification_date = date(f, "DisqualificationDate")?;
    q.insured_certificate_issuance_date = date(f, "InsuredCertificateIssuanceDate")?;
    q.insured_card_valid_date = date(f, "InsuredCardValidDate")?;
    q.insured_card_expiration_date = date(f, "InsuredCardExpirationDate")?;
    q.insured_partial_contribution_ratio =
        f.typed("InsuredPartialContributionRatio", ContributionRatio::parse)?;
    q.preschool_classification = f.text("PreschoolClassification")?;
    q.reason_of_loss = f.text("ReasonOfLoss")?;
    q.insurer_name = f.text("InsurerName")?;
    if let Some(e) = f.element("ElderlyRecipientCertificateInfo") {
        let prefix = "ElderlyRecipientCertificateInfo/";
        let g = &mut Fields::split(e.children, prefix, ELDERLY_FIELDS, None, f.unknown())?;
        q.elderly_recipient_certificate_info = Some(ElderlyRecipientCertificateInfo {
            elderly_recipient_certificate_date: date(g, "ElderlyRecipientCertificateDate")?,
            elderly_recipient_valid_start_date: date(g, "ElderlyRecipientValidStartDate")?,
            elderly_recipient_valid_end_date: date(g, "ElderlyRecipientValidEndDate")?,
            elderly_recipient_contribution_ratio: g.typed(
                "ElderlyRecipientContributionRatio",
                ContributionRatio::parse,
            )?,
        });
    }
    q.limit_application_certificate_related_cons_flg =
        consent(f, "LimitApplicationCertificateRelatedConsFlg")?;
    q.limit_application_certificate_related_cons_time =
        time(f, "LimitApplicationCertificateRelatedConsTime")?;
    if let Some(e) = f.element("LimitApplicationCertificateRelatedInfo") {
        let prefix = "LimitApplicationCertificateRelatedInfo/";
        let g = &mut Fields::split(e.children, prefix, LIMIT_FIELDS, None, f.unknown())?;
        q.limit_application_certificate_related_info =
            Some(LimitApplicationCertificateRelatedInfo {
                limit_application_certificate_classification: g.code(
                    "LimitApplicationCertificateClassification",
                    LimitCertificateClassification::from_code,
                )?,
                limit_application_certificate_classification_flag: g.code(
                    "LimitApplicationCertificateClassificationFlag",
                    ApplicableCategory::from_code,
                )?,
                limit_application_certificate_date: date(g, "LimitApplicationCertificateDate")?,
                limit_application_certificate_valid_start_date: date(
                    g,
                    "LimitApplicationCertificateValidStartDate",
                )?,
                limit_application_certificate_valid_end_date: date(
                    g,
                    "LimitApplicationCertificateValidEndDate",
                )?,
                limit_application_certificate_long_term_date: date(
                    g,
                    "LimitApplicationCertificateLongTermDate",
                )?,
            });
    }
    q.specific_diseases_certificate_related_cons_flg = f.code(
        "SpecificDiseasesCertificateRelatedConsFlg",
        SpecificDiseasesConsentFlag::from_code,
    )?;
    q.specific_diseases_certificate_related_cons_time =
        time(f, "SpecificDiseasesCertificateRelatedConsTime")?;
    if let Some(e) = f.element("SpecificDiseasesCertificateList") {
        let prefix = "SpecificDiseasesCertificateList/";
        let list = Fields::split(e.children, prefix, &[], Some(DISEASE), f.unknown())?;
        let items = list.many;
        for (n, item) in (1usize..).zip(items) {
            // The occurrence goes into the path, so the writer puts the element back into
            // the same item.
            let prefix =
                format!("SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[{n}]/");
            let g = &mut Fields::split(item.children, &prefix, DISEASE_FIELDS, None, f.unknown())?;
            q.specific_diseases_certificate_list
                .push(SpecificDiseasesCertificateInfo {
                    specific_diseases_disease_category: g.code(
                        "SpecificDiseasesDiseaseCategory",
                        SpecificDiseaseCategory::from_code,
                    )?,
                    specific_diseases_certificate_date: date(g, "SpecificDiseasesCertificateDate")?,
                    specific_diseases_valid_start_date: date(g, "SpecificDiseasesValidStartDate")?,
                    specific_diseases_valid_end_date: date(g, "SpecificDiseasesValidEndDate")?,
                    specific_diseases_self_pay: g.text("SpecificDiseasesSelfPay")?,
                });
        }
    }
    q.specific_health_checkups_info_cons_flg = consent(f, "SpecificHealthCheckupsInfoConsFlg")?;
    q.specific_health_checkups_info_cons_time = time(f, "SpecificHealthCheckupsInfoConsTime")?;
    q.specific_health_checkups_info_available_time =
        time(f, "SpecificHealthCheckupsInfoAvailableTime")?;
    q.pharmacists_info_cons_flg = consent(f, "PharmacistsInfoConsFlg")?;
    q.pharmacists_info_cons_time = time(f, "PharmacistsInfoConsTime")?;
    q.pharmacists_info_available_time = time(f, "PharmacistsInfoAvailableTime")?;
    q.diagnosis_info_cons_flg = consent(f, "DiagnosisInfoConsFlg")?;
    q.diagnosis_info_cons_time = time(f, "DiagnosisInfoConsTime")?;
    q.diagnosis_info_available_time = time(f, "DiagnosisInfoAvailableTime")?;
    q.reference_number = f.text("ReferenceNumber")?;
    q.unknown_elements = unknown;
    Ok(q)
}

/// The bulk check's `ReceptionNumber` (受付番号) of an `OQSmuquc01res` response. voucher-model's
/// record has no field for it, so the reader keeps it in `unknown_elements`; this finds it
/// in the body or the header.
pub fn reception_number(response: &QualificationResponse) -> Option<&str> {
    let find = |path: &str| {
        response
            .unknown_elements
            .iter()
            .find(|u: &&UnknownElement| u.name == path)
            .map(|u| u.text.trim())
    };
    find("MessageBody/ReceptionNumber").or_else(|| find("MessageHeader/ReceptionNumber"))
}
