#![doc = include_str!("../README.md")]

pub mod codes;
pub mod date;
pub mod ids;
pub mod record;
pub mod text;

pub use codes::{
    ApplicableCategory, CharacterCodeIdentifier, ConsentFlag, InsuredCardClassification,
    LimitCertificateClassification, PersonalFamilyClassification, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult, Sex, SpecificDiseaseCategory,
};
pub use date::{Date, DateError, DateTime};
pub use ids::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, Facility, IdError, IdKind,
    InsurerNumber, LateElderlyInsuredNumber, LawNumber, MedicalInstitutionCode,
    OnlineQualificationCode, PaymentAgentNumber, VoucherNumber,
};
pub use record::{
    ContributionRatio, ElderlyRecipientCertificateInfo, LimitApplicationCertificateRelatedInfo,
    QualificationRecord, QualificationResponse, RatioError, SearchInfo,
    SpecificDiseasesCertificateInfo, UnknownElement,
};
