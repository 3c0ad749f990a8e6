//! [`voucher_model::QualificationResponse`] → `XmlMsg` response tree, in oqs.md's element
//! order (the writing half of `response`).

use voucher_model::{Date, DateTime, QualificationRecord, QualificationResponse};

use super::Builder;
use super::request::search_element;
use super::response::{BODY, DISEASE, HEADER, RESULT};
use crate::xml::ROOT;
use crate::xml::tree::Element;

fn ymd(d: Option<Date>) -> Option<String> {
    d.map(Date::to_yyyymmdd)
}

fn hms(t: Option<DateTime>) -> Option<String> {
    t.map(DateTime::to_compact)
}

/// Builds the response tree (root `XmlMsg`) in oqs.md's element order.
pub(crate) fn to_tree(r: &QualificationResponse) -> Element {
    let mut h = Builder::default();
    h.text(
        "ProcessExecutionTime",
        hms(r.process_execution_time).as_deref(),
    );
    h.text(
        "QualificationConfirmationDate",
        ymd(r.qualification_confirmation_date).as_deref(),
    );
    h.text(
        "MedicalInstitutionCode",
        r.medical_institution_code.as_ref().map(|c| c.as_str()),
    );
    h.text(
        "ArbitraryFileIdentifier",
        r.arbitrary_file_identifier.as_deref(),
    );
    h.text(
        "ReferenceClassification",
        r.reference_classification.as_ref().map(|c| c.code()),
    );
    h.text(
        "SegmentOfResult",
        r.segment_of_result.as_ref().map(|c| c.code()),
    );
    h.text("ErrorCode", r.error_code.as_deref());
    h.text("ErrorMessage", r.error_message.as_deref());
    h.text(
        "CharacterCodeIdentifier",
        r.character_code_identifier.as_ref().map(|c| c.code()),
    );
    h.unknown(&r.unknown_elements, "MessageHeader/");

    let mut b = Builder::default();
    if let Some(search) = &r.search_info {
        b.element(search_element(search, |n| n.as_str().to_owned()));
    }
    b.text(
        "ProcessingResultStatus",
        r.processing_result_status.as_ref().map(|c| c.code()),
    );
    b.text("ProcessingResultCode", r.processing_result_code.as_deref());
    b.text(
        "ProcessingResultMessage",
        r.processing_result_message.as_deref(),
    );
    b.text(
        "QualificationValidity",
        r.qualification_validity.as_ref().map(|c| c.code()),
    );
    if !r.results.is_empty() {
        let results = r.results.iter().map(record_to_element).collect();
        b.element(Element::parent("ResultList", results));
    }
    b.unknown(&r.unknown_elements, "MessageBody/");

    let mut root = vec![
        Element::parent(HEADER, h.children),
        Element::parent(BODY, b.children),
    ];
    // Root-level kept elements (siblings of MessageHeader/MessageBody), in order.
    let mut top = Builder::default();
    for u in &r.unknown_elements {
        if !u.name.starts_with("MessageHeader/") && !u.name.starts_with("MessageBody/") {
            top.unknown(std::slice::from_ref(u), "");
        }
    }
    root.append(&mut top.children);
    Element::parent(ROOT, root)
}

fn record_to_element(q: &QualificationRecord) -> Element {
    let mut f = Builder::default();
    f.text(
        "InsuredCardClassification",
        q.insured_card_classification.as_ref().map(|c| c.code()),
    );
    f.text(
        "InsurerNumber",
        q.insurer_number.as_ref().map(|n| n.as_str()),
    );
    f.text(
        "InsuredCardSymbol",
        q.insured_card_symbol.as_ref().map(|n| n.as_str()),
    );
    f.text(
        "InsuredIdentificationNumber",
        q.insured_identification_number.as_ref().map(|n| n.as_str()),
    );
    f.text(
        "InsuredBranchNumber",
        q.insured_branch_number.as_ref().map(|n| n.as_str()),
    );
    f.text(
        "PersonalFamilyClassification",
        q.personal_family_classification.as_ref().map(|c| c.code()),
    );
    f.text("InsuredName", q.insured_name.as_deref());
    f.text("Name", q.name.as_deref());
    f.text("NameOfOther", q.name_of_other.as_deref());
    f.text("NameKana", q.name_kana.as_deref());
    f.text("NameOfOtherKana", q.name_of_other_kana.as_deref());
    f.text("Sex1", q.sex1.as_ref().map(|c| c.code()));
    f.text("Sex2", q.sex2.as_ref().map(|c| c.code()));
    f.text("Birthdate", ymd(q.birthdate).as_deref());
    f.text("Address", q.address.as_deref());
    f.text("PostNumber", q.post_number.as_deref());
    f.text("QualificationDate", ymd(q.qualification_date).as_deref());
    f.text(
        "DisqualificationDate",
        ymd(q.disqualification_date).as_deref(),
    );
    f.text(
        "InsuredCertificateIssuanceDate",
        ymd(q.insured_certificate_issuance_date).as_deref(),
    );
    f.text(
        "InsuredCardValidDate",
        ymd(q.insured_card_valid_date).as_deref(),
    );
    f.text(
        "InsuredCardExpirationDate",
        ymd(q.insured_card_expiration_date).as_deref(),
    );
    f.text(
        "InsuredPartialContributionRatio",
        q.insured_partial_contribution_ratio
            .map(|r| r.code())
            .as_deref(),
    );
    f.text(
        "PreschoolClassification",
        q.preschool_classification.as_deref(),
    );
    f.text("ReasonOfLoss", q.reason_of_loss.as_deref());
    f.text("InsurerName", q.insurer_name.as_deref());
    if let Some(e) = &q.elderly_recipient_certificate_info {
        let mut g = Builder::default();
        g.text(
            "ElderlyRecipientCertificateDate",
            ymd(e.elderly_recipient_certificate_date).as_deref(),
        );
        g.text(
            "ElderlyRecipientValidStartDate",
            ymd(e.elderly_recipient_valid_start_date).as_deref(),
        );
        g.text(
            "ElderlyRecipientValidEndDate",
            ymd(e.elderly_recipient_valid_end_date).as_deref(),
        );
        g.text(
            "ElderlyRecipientContributionRatio",
            e.elderly_recipient_contribution_ratio
                .map(|r| r.code())
                .as_deref(),
        );
        f.element(Element::parent(
            "ElderlyRecipientCertificateInfo",
            g.children,
        ));
    }
    f.text(
        "LimitApplicationCertificateRelatedConsFlg",
        q.limit_application_certificate_related_cons_flg
            .as_ref()
            .map(|c| c.code()),
    );
    f.text(
        "LimitApplicationCertificateRelatedConsTime",
        hms(q.limit_application_certificate_related_cons_time).as_deref(),
    );
    if let Some(l) = &q.limit_application_certificate_related_info {
        let mut g = Builder::default();
        g.text(
            "LimitApplicationCertificateClassification",
            l.limit_application_certificate_classification
                .as_ref()
                .map(|c| c.code()),
        );
        g.text(
            "LimitApplicationCertificateClassificationFlag",
            l.limit_application_certificate_classification_flag
                .as_ref()
                .map(|c| c.code()),
        );
        g.text(
            "LimitApplicationCertificateDate",
            ymd(l.limit_application_certificate_date).as_deref(),
        );
        g.text(
            "LimitApplicationCertificateValidStartDate",
            ymd(l.limit_application_certificate_valid_start_date).as_deref(),
        );
        g.text(
            "LimitApplicationCertificateValidEndDate",
            ymd(l.limit_application_certificate_valid_end_date).as_deref(),
        );
        g.text(
            "LimitApplicationCertificateLongTermDate",
            ymd(l.limit_application_certificate_long_term_date).as_deref(),
        );
        f.element(Element::parent(
            "LimitApplicationCertificateRelatedInfo",
            g.children,
        ));
    }
    f.text(
        "SpecificDiseasesCertificateRelatedConsFlg",
        q.specific_diseases_certificate_related_cons_flg
            .as_ref()
            .map(|c| c.code()),
    );
    f.text(
        "SpecificDiseasesCertificateRelatedConsTime",
        hms(q.specific_diseases_certificate_related_cons_time).as_deref(),
    );
    if !q.specific_diseases_certificate_list.is_empty() {
        let items = q
            .specific_diseases_certificate_list
            .iter()
            .map(|d| {
                let mut g = Builder::default();
                g.text(
                    "SpecificDiseasesDiseaseCategory",
                    d.specific_diseases_disease_category
                        .as_ref()
                        .map(|c| c.code()),
                );
                g.text(
                    "SpecificDiseasesCertificateDate",
                    ymd(d.specific_diseases_certificate_date).as_deref(),
                );
                g.text(
                    "SpecificDiseasesValidStartDate",
                    ymd(d.specific_diseases_valid_start_date).as_deref(),
                );
                g.text(
                    "SpecificDiseasesValidEndDate",
                    ymd(d.specific_diseases_valid_end_date).as_deref(),
                );
                g.text(
                    "SpecificDiseasesSelfPay",
                    d.specific_diseases_self_pay.as_deref(),
                );
                let mut item = Element::parent(DISEASE, g.children);
                item.known = true;
                item
            })
            .collect();
        f.element(Element::parent("SpecificDiseasesCertificateList", items));
    }
    f.text(
        "SpecificHealthCheckupsInfoConsFlg",
        q.specific_health_checkups_info_cons_flg
            .as_ref()
            .map(|c| c.code()),
    );
    f.text(
        "SpecificHealthCheckupsInfoConsTime",
        hms(q.specific_health_checkups_info_cons_time).as_deref(),
    );
    f.text(
        "SpecificHealthCheckupsInfoAvailableTime",
        hms(q.specific_health_checkups_info_available_time).as_deref(),
    );
    f.text(
        "PharmacistsInfoConsFlg",
        q.pharmacists_info_cons_flg.as_ref().map(|c| c.code()),
    );
    f.text(
        "PharmacistsInfoConsTime",
        hms(q.pharmacists_info_cons_time).as_deref(),
    );
    f.text(
        "PharmacistsInfoAvailableTime",
        hms(q.pharmacists_info_available_time).as_deref(),
    );
    f.text(
        "DiagnosisInfoConsFlg",
        q.diagnosis_info_cons_flg.as_ref().map(|c| c.code()),
    );
    f.text(
        "DiagnosisInfoConsTime",
        hms(q.diagnosis_info_cons_time).as_deref(),
    );
    f.text(
        "DiagnosisInfoAvailableTime",
        hms(q.diagnosis_info_available_time).as_deref(),
    );
    f.text("ReferenceNumber", q.reference_number.as_deref());
    f.unknown(&q.unknown_elements, "");
    Element::parent(RESULT, f.children)
}
