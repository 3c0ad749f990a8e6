//! The qualification-check result, in domain types.
//!
//! Mirrors the `XmlMsg` response of oqs.md ("Layout"): the header, the body, and each
//! `ResultList/ResultOfQualificationConfirmation`. Field names are the element names in
//! snake_case (`InsuredCardSymbol` → `insured_card_symbol`), so a reader maps one to the other
//! mechanically. Every field is optional (real responses omit elements); elements this crate
//! does not model, or whose text could not be read into its type, go to `unknown_elements`
//! so nothing is lost ("unknown ones must be kept or skipped, never fatal").
//!
//! Identifiers are read leniently: a bad check digit in a response is kept (and flagged by
//! `check_digit_ok()`), not rejected.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::{
    ApplicableCategory, CharacterCodeIdentifier, ConsentFlag, InsuredCardClassification,
    LimitCertificateClassification, PersonalFamilyClassification, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult, Sex, SpecificDiseaseCategory,
    SpecificDiseasesConsentFlag,
};
use crate::date::{Date, DateTime};
use crate::ids::{BranchNumber, CardNumber, CardSymbol, InsurerNumber, MedicalInstitutionCode};
use crate::personal;
use crate::text::trim_spaces;

/// An element kept verbatim because this crate does not model it or could not read it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownElement {
    /// The element name, e.g. `OperationInfoConsFlg`. A nested element's path uses `/`.
    pub name: String,
    /// The element's text.
    pub text: String,
}
/// The text may be anything the terminal sent, personal data included: `Debug` shows the
/// element's name and redacts its text.
impl fmt::Debug for UnknownElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnknownElement")
            .field("name", &self.name)
            .field("text", &personal::Redacted)
            .finish()
    }
}

/// 一部負担金割合 (`InsuredPartialContributionRatio`, `ElderlyRecipientContributionRatio`):
/// three digits, `030` = 30%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContributionRatio(u8);

/// Why a contribution ratio could not be read. The sender is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RatioError {
    /// Not 1–3 digits.
    #[error("contribution ratio {0:?} is not 1 to 3 digits")]
    Malformed(String),
    /// Above 100%.
    #[error("contribution ratio {0}% is above 100%")]
    AboveHundred(u16),
}

impl ContributionRatio {
    /// Builds a ratio from a percentage (0–100).
    pub fn from_percent(percent: u8) -> Result<Self, RatioError> {
        if percent > 100 {
            return Err(RatioError::AboveHundred(u16::from(percent)));
        }
        Ok(ContributionRatio(percent))
    }

    /// Parses the message form: 1–3 ASCII digits (spaces trimmed), at most 100.
    pub fn parse(s: &str) -> Result<Self, RatioError> {
        let t = trim_spaces(s);
        if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RatioError::Malformed(s.chars().take(16).collect()));
        }
        let v: u16 = t.parse().map_err(|_| RatioError::Malformed(t.to_owned()))?;
        let percent = u8::try_from(v).map_err(|_| RatioError::AboveHundred(v))?;
        ContributionRatio::from_percent(percent)
    }

    /// The percentage.
    pub fn percent(self) -> u8 {
        self.0
    }

    /// The message form, three digits (`030`).
    pub fn code(self) -> String {
        format!("{:03}", self.0)
    }
}

impl fmt::Display for ContributionRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Serialize for ContributionRatio {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for ContributionRatio {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        ContributionRatio::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `QualificationConfirmSearchInfo`: the search keys of a request, echoed in the response.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchInfo {
    /// `InsurerNumber`.
    pub insurer_number: Option<InsurerNumber>,
    /// `InsuredCardSymbol` (absent for 後期高齢者).
    pub insured_card_symbol: Option<CardSymbol>,
    /// `InsuredIdentificationNumber`.
    pub insured_identification_number: Option<CardNumber>,
    /// `InsuredBranchNumber`.
    pub insured_branch_number: Option<BranchNumber>,
    /// `Birthdate`.
    pub birthdate: Option<Date>,
    /// `LimitApplicationCertificateRelatedConsFlg`.
    pub limit_application_certificate_related_cons_flg: Option<ConsentFlag>,
}

impl fmt::Debug for SearchInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchInfo")
            .field("insurer_number", &self.insurer_number)
            .field("insured_card_symbol", &self.insured_card_symbol)
            .field(
                "insured_identification_number",
                &self.insured_identification_number,
            )
            .field("insured_branch_number", &self.insured_branch_number)
            .field("birthdate", &personal::opt(&self.birthdate))
            .field(
                "limit_application_certificate_related_cons_flg",
                &self.limit_application_certificate_related_cons_flg,
            )
            .finish()
    }
}

/// `ElderlyRecipientCertificateInfo` (高齢受給者証情報).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ElderlyRecipientCertificateInfo {
    /// `ElderlyRecipientCertificateDate` (交付年月日).
    pub elderly_recipient_certificate_date: Option<Date>,
    /// `ElderlyRecipientValidStartDate`.
    pub elderly_recipient_valid_start_date: Option<Date>,
    /// `ElderlyRecipientValidEndDate`.
    pub elderly_recipient_valid_end_date: Option<Date>,
    /// `ElderlyRecipientContributionRatio`.
    pub elderly_recipient_contribution_ratio: Option<ContributionRatio>,
}

/// `LimitApplicationCertificateRelatedInfo` (限度額適用認定証関連情報).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LimitApplicationCertificateRelatedInfo {
    /// `LimitApplicationCertificateClassification` (OQSCD011).
    pub limit_application_certificate_classification: Option<LimitCertificateClassification>,
    /// `LimitApplicationCertificateClassificationFlag` (適用区分, OQSCD012).
    pub limit_application_certificate_classification_flag: Option<ApplicableCategory>,
    /// `LimitApplicationCertificateDate`.
    pub limit_application_certificate_date: Option<Date>,
    /// `LimitApplicationCertificateValidStartDate`.
    pub limit_application_certificate_valid_start_date: Option<Date>,
    /// `LimitApplicationCertificateValidEndDate`.
    pub limit_application_certificate_valid_end_date: Option<Date>,
    /// `LimitApplicationCertificateLongTermDate`.
    pub limit_application_certificate_long_term_date: Option<Date>,
}

/// One `SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo` (特定疾病療養受療証).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpecificDiseasesCertificateInfo {
    /// `SpecificDiseasesDiseaseCategory` (OQSCD013).
    pub specific_diseases_disease_category: Option<SpecificDiseaseCategory>,
    /// `SpecificDiseasesCertificateDate`.
    pub specific_diseases_certificate_date: Option<Date>,
    /// `SpecificDiseasesValidStartDate`.
    pub specific_diseases_valid_start_date: Option<Date>,
    /// `SpecificDiseasesValidEndDate`.
    pub specific_diseases_valid_end_date: Option<Date>,
    /// `SpecificDiseasesSelfPay` (自己負担限度額, as sent).
    pub specific_diseases_self_pay: Option<String>,
}

/// One `ResultOfQualificationConfirmation`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualificationRecord {
    /// `InsuredCardClassification` (OQSCD010).
    pub insured_card_classification: Option<InsuredCardClassification>,
    /// `InsurerNumber` (space-padded 国保 numbers are canonicalized to 8 digits).
    pub insurer_number: Option<InsurerNumber>,
    /// `InsuredCardSymbol`.
    pub insured_card_symbol: Option<CardSymbol>,
    /// `InsuredIdentificationNumber`.
    pub insured_identification_number: Option<CardNumber>,
    /// `InsuredBranchNumber`.
    pub insured_branch_number: Option<BranchNumber>,
    /// `PersonalFamilyClassification` (OQSCD009).
    pub personal_family_classification: Option<PersonalFamilyClassification>,
    /// `InsuredName` (被保険者氏名, the main insured person for a dependent).
    pub insured_name: Option<String>,
    /// `Name` (氏名), as sent (may contain a full-width space).
    pub name: Option<String>,
    /// `NameOfOther` (氏名（その他）).
    pub name_of_other: Option<String>,
    /// `NameKana` (氏名カナ), as sent (often half-width katakana).
    pub name_kana: Option<String>,
    /// `NameOfOtherKana`.
    pub name_of_other_kana: Option<String>,
    /// `Sex1` (OQSCD007).
    pub sex1: Option<Sex>,
    /// `Sex2` (OQSCD007).
    pub sex2: Option<Sex>,
    /// `Birthdate`.
    pub birthdate: Option<Date>,
    /// `Address`.
    pub address: Option<String>,
    /// `PostNumber`, as sent (`123-4567`).
    pub post_number: Option<String>,
    /// `QualificationDate` (資格取得年月日).
    pub qualification_date: Option<Date>,
    /// `DisqualificationDate` (資格喪失年月日): the first day without the qualification.
    pub disqualification_date: Option<Date>,
    /// `InsuredCertificateIssuanceDate` (交付年月日).
    pub insured_certificate_issuance_date: Option<Date>,
    /// `InsuredCardValidDate` (有効開始年月日).
    pub insured_card_valid_date: Option<Date>,
    /// `InsuredCardExpirationDate` (有効終了年月日).
    pub insured_card_expiration_date: Option<Date>,
    /// `InsuredPartialContributionRatio` (`030` = 30%).
    pub insured_partial_contribution_ratio: Option<ContributionRatio>,
    /// `PreschoolClassification`, as sent (its code table is not in our sources).
    pub preschool_classification: Option<String>,
    /// `ReasonOfLoss`, as sent (its code table is not in our sources).
    pub reason_of_loss: Option<String>,
    /// `InsurerName`.
    pub insurer_name: Option<String>,
    /// `ElderlyRecipientCertificateInfo`.
    pub elderly_recipient_certificate_info: Option<ElderlyRecipientCertificateInfo>,
    /// `LimitApplicationCertificateRelatedConsFlg` (OQSCD001).
    pub limit_application_certificate_related_cons_flg: Option<ConsentFlag>,
    /// `LimitApplicationCertificateRelatedConsTime`.
    pub limit_application_certificate_related_cons_time: Option<DateTime>,
    /// `LimitApplicationCertificateRelatedInfo`.
    pub limit_application_certificate_related_info: Option<LimitApplicationCertificateRelatedInfo>,
    /// `SpecificDiseasesCertificateRelatedConsFlg` (its own table: `2` is an expired consent).
    pub specific_diseases_certificate_related_cons_flg: Option<SpecificDiseasesConsentFlag>,
    /// `SpecificDiseasesCertificateRelatedConsTime`.
    pub specific_diseases_certificate_related_cons_time: Option<DateTime>,
    /// `SpecificDiseasesCertificateList` entries.
    pub specific_diseases_certificate_list: Vec<SpecificDiseasesCertificateInfo>,
    /// `SpecificHealthCheckupsInfoConsFlg`.
    pub specific_health_checkups_info_cons_flg: Option<ConsentFlag>,
    /// `SpecificHealthCheckupsInfoConsTime`.
    pub specific_health_checkups_info_cons_time: Option<DateTime>,
    /// `SpecificHealthCheckupsInfoAvailableTime`.
    pub specific_health_checkups_info_available_time: Option<DateTime>,
    /// `PharmacistsInfoConsFlg`.
    pub pharmacists_info_cons_flg: Option<ConsentFlag>,
    /// `PharmacistsInfoConsTime`.
    pub pharmacists_info_cons_time: Option<DateTime>,
    /// `PharmacistsInfoAvailableTime`.
    pub pharmacists_info_available_time: Option<DateTime>,
    /// `DiagnosisInfoConsFlg`.
    pub diagnosis_info_cons_flg: Option<ConsentFlag>,
    /// `DiagnosisInfoConsTime`.
    pub diagnosis_info_cons_time: Option<DateTime>,
    /// `DiagnosisInfoAvailableTime`.
    pub diagnosis_info_available_time: Option<DateTime>,
    /// `ReferenceNumber` (照会番号).
    pub reference_number: Option<String>,
    /// Elements not modelled above, or whose text did not fit the field's type, in the
    /// order read.
    pub unknown_elements: Vec<UnknownElement>,
}

impl fmt::Debug for QualificationRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QualificationRecord")
            .field(
                "insured_card_classification",
                &self.insured_card_classification,
            )
            .field("insurer_number", &self.insurer_number)
            .field("insured_card_symbol", &self.insured_card_symbol)
            .field(
                "insured_identification_number",
                &self.insured_identification_number,
            )
            .field("insured_branch_number", &self.insured_branch_number)
            .field(
                "personal_family_classification",
                &self.personal_family_classification,
            )
            .field("insured_name", &personal::opt(&self.insured_name))
            .field("name", &personal::opt(&self.name))
            .field("name_of_other", &personal::opt(&self.name_of_other))
            .field("name_kana", &personal::opt(&self.name_kana))
            .field(
                "name_of_other_kana",
                &personal::opt(&self.name_of_other_kana),
            )
            .field("sex1", &self.sex1)
            .field("sex2", &self.sex2)
            .field("birthdate", &personal::opt(&self.birthdate))
            .field("address", &personal::opt(&self.address))
            .field("post_number", &personal::opt(&self.post_number))
            .field("qualification_date", &self.qualification_date)
            .field("disqualification_date", &self.disqualification_date)
            .field(
                "insured_certificate_issuance_date",
                &self.insured_certificate_issuance_date,
            )
            .field("insured_card_valid_date", &self.insured_card_valid_date)
            .field(
                "insured_card_expiration_date",
                &self.insured_card_expiration_date,
            )
            .field(
                "insured_partial_contribution_ratio",
                &self.insured_partial_contribution_ratio,
            )
            .field("preschool_classification", &self.preschool_classification)
            .field("reason_of_loss", &self.reason_of_loss)
            .field("insurer_name", &self.insurer_name)
            .field(
                "elderly_recipient_certificate_info",
                &self.elderly_recipient_certificate_info,
            )
            .field(
                "limit_application_certificate_related_cons_flg",
                &self.limit_application_certificate_related_cons_flg,
            )
            .field(
                "limit_application_certificate_related_cons_time",
                &self.limit_application_certificate_related_cons_time,
            )
            .field(
                "limit_application_certificate_related_info",
                &self.limit_application_certificate_related_info,
            )
            .field(
                "specific_diseases_certificate_related_cons_flg",
                &self.specific_diseases_certificate_related_cons_flg,
            )
            .field(
                "specific_diseases_certificate_related_cons_time",
                &self.specific_diseases_certificate_related_cons_time,
            )
            .field(
                "specific_diseases_certificate_list",
                &self.specific_diseases_certificate_list,
            )
            .field(
                "specific_health_checkups_info_cons_flg",
                &self.specific_health_checkups_info_cons_flg,
            )
            .field(
                "specific_health_checkups_info_cons_time",
                &self.specific_health_checkups_info_cons_time,
            )
            .field(
                "specific_health_checkups_info_available_time",
                &self.specific_health_checkups_info_available_time,
            )
            .field("pharmacists_info_cons_flg", &self.pharmacists_info_cons_flg)
            .field(
                "pharmacists_info_cons_time",
                &self.pharmacists_info_cons_time,
            )
            .field(
                "pharmacists_info_available_time",
                &self.pharmacists_info_available_time,
            )
            .field("diagnosis_info_cons_flg", &self.diagnosis_info_cons_flg)
            .field("diagnosis_info_cons_time", &self.diagnosis_info_cons_time)
            .field(
                "diagnosis_info_available_time",
                &self.diagnosis_info_available_time,
            )
            .field("reference_number", &self.reference_number)
            .field("unknown_elements", &self.unknown_elements)
            .finish()
    }
}

impl QualificationRecord {
    /// Whether the record's qualification period covers `date`:
    /// `QualificationDate <= date < DisqualificationDate` (a missing bound is open).
    /// This says nothing about `QualificationValidity`, which the response carries.
    pub fn period_covers(&self, date: Date) -> bool {
        self.qualification_date.is_none_or(|from| from <= date)
            && self.disqualification_date.is_none_or(|until| date < until)
    }
}

/// A whole qualification-check response: header, body and the result list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualificationResponse {
    // --- MessageHeader ---
    /// `ProcessExecutionTime`.
    pub process_execution_time: Option<DateTime>,
    /// `QualificationConfirmationDate` (the date the check is for).
    pub qualification_confirmation_date: Option<Date>,
    /// `MedicalInstitutionCode` (read leniently: fixtures fail the check digit).
    pub medical_institution_code: Option<MedicalInstitutionCode>,
    /// `ArbitraryFileIdentifier` (echoed for correlation).
    pub arbitrary_file_identifier: Option<String>,
    /// `ReferenceClassification` (OQSCD002).
    pub reference_classification: Option<ReferenceClassification>,
    /// `SegmentOfResult` (OQSCD003).
    pub segment_of_result: Option<SegmentOfResult>,
    /// `ErrorCode` (not public: opaque, shown as it came).
    pub error_code: Option<String>,
    /// `ErrorMessage`.
    pub error_message: Option<String>,
    /// `CharacterCodeIdentifier` (OQSCD005).
    pub character_code_identifier: Option<CharacterCodeIdentifier>,
    // --- MessageBody ---
    /// `QualificationConfirmSearchInfo` (echo of the request).
    pub search_info: Option<SearchInfo>,
    /// `ProcessingResultStatus` (OQSCD004).
    pub processing_result_status: Option<ProcessingResultStatus>,
    /// `ProcessingResultCode` (not public: opaque).
    pub processing_result_code: Option<String>,
    /// `ProcessingResultMessage`.
    pub processing_result_message: Option<String>,
    /// `QualificationValidity` (OQSCD006).
    pub qualification_validity: Option<QualificationValidity>,
    /// `ResultList/ResultOfQualificationConfirmation`, in order.
    pub results: Vec<QualificationRecord>,
    /// Header or body elements not modelled above (paths like `MessageHeader/Foo`).
    pub unknown_elements: Vec<UnknownElement>,
}

#[cfg(test)]
mod tests;
