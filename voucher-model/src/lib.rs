#![doc = include_str!("../README.md")]

pub mod codes;
pub mod date;
pub mod ids;
pub mod jst;
pub mod personal;
pub mod record;
pub mod text;

pub use codes::{
    ApplicableCategory, CharacterCodeIdentifier, ConsentFlag, InsuredCardClassification,
    LimitCertificateClassification, PersonalFamilyClassification, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult, Sex, SpecificDiseaseCategory,
    SpecificDiseasesConsentFlag,
};
pub use date::{Date, DateError, DateTime};
pub use ids::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, Facility, IdError, IdKind,
    InsurerNumber, LateElderlyInsuredNumber, LawNumber, MedicalInstitutionCode,
    OnlineQualificationCode, PaymentAgentNumber, VoucherNumber,
};
pub use personal::{Personal, REDACTED};
pub use record::{
    ContributionRatio, ElderlyRecipientCertificateInfo, LimitApplicationCertificateRelatedInfo,
    QualificationRecord, QualificationResponse, RatioError, SearchInfo,
    SpecificDiseasesCertificateInfo, UnknownElement,
};
pub mod evidence;
pub mod next_step;
pub mod purpose;
pub mod verdict;
pub mod voucher;

pub use evidence::{
    AttestationError, Evidence, EvidenceKind, MAX_STAFF_ID_CHARS, OLD_CARD_LAST_DAY, OnlineChannel,
    OnlineCheck, OnlineMode, QualificationReading, StaffAttestation, StaffAttestationFields,
    check_staff_id,
};
pub use purpose::{Purpose, PurposeError, RequestedUse};
pub use verdict::{
    EvidenceBasis, Field, FieldStatus, Finding, NextStep, Outcome, Reason, Verdict, verify,
};
pub use voucher::{
    CheckupCopayments, Copayment, GuidanceLevel, Person, Voucher, VoucherError, VoucherField,
    VoucherFields, VoucherKind,
};
