//! Values the app hands in: vouchers (validated), identifiers (check digits), dates.

use std::sync::Arc;
use std::time::SystemTime;

use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, Date, Facility, InsurerNumber,
    LateElderlyInsuredNumber, MedicalInstitutionCode, OnlineQualificationCode, PaymentAgentNumber,
    VoucherKind, VoucherNumber,
};

use crate::EligError;

/// A validated 受診券 or 利用券 (voucher-model's `Voucher`). Its `Debug` and errors never show
/// the name, birth date or numbers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Object)]
pub struct Voucher(voucher_model::Voucher);

/// 受診券 or 利用券.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VoucherType {
    /// 受診券 (特定健診).
    Checkup,
    /// 利用券 (特定保健指導).
    Guidance,
}

#[uniffi::export]
impl Voucher {
    /// Voucher verification: parses the voucher's JSON (voucher-model's `VoucherFields`
    /// schema) and checks every rule (identifiers and check digits, dates, fields allowed
    /// for the kind). Does not block.
    ///
    /// # Errors
    /// [`EligError::Caller`] naming the field and the rule, never its value.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Self, EligError> {
        serde_json::from_str::<voucher_model::Voucher>(&json)
            .map(Voucher)
            .map_err(|e| {
                // serde_json's message names the rule (from voucher-model's errors) and a
                // position; voucher-model's messages carry no personal values.
                EligError::caller(format!("invalid voucher: {e}"))
            })
    }

    /// The voucher as JSON (`VoucherFields` schema; it holds the person's name and birth
    /// date: do not log it).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// 受診券 or 利用券.
    pub fn voucher_type(&self) -> VoucherType {
        match self.0.kind() {
            VoucherKind::Guidance => VoucherType::Guidance,
            _ => VoucherType::Checkup,
        }
    }

    /// 受診券整理番号 / 利用券整理番号.
    pub fn number(&self) -> String {
        self.0.number().as_str().to_owned()
    }

    /// 保険者番号.
    pub fn insurer_number(&self) -> String {
        self.0.insurer_number().as_str().to_owned()
    }

    /// 有効期限, `YYYY-MM-DD`.
    pub fn expires_on(&self) -> String {
        self.0.expires_on().to_string()
    }

    /// Whether the voucher can still be used on `date` (`YYYY-MM-DD`).
    ///
    /// # Errors
    /// [`EligError::Caller`] for a malformed date.
    pub fn is_unexpired_on(&self, date: String) -> Result<bool, EligError> {
        Ok(self.0.is_unexpired_on(parse_date(&date)?))
    }
}

impl Voucher {
    pub(crate) fn inner(&self) -> &voucher_model::Voucher {
        &self.0
    }

    pub(crate) fn new(voucher: voucher_model::Voucher) -> Arc<Self> {
        Arc::new(Voucher(voucher))
    }
}

/// The identifiers [`check_identifier`] knows (voucher-model's `IdKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IdentifierKind {
    /// 保険者番号 (8 digits with a check digit, or 6 for 国保).
    InsurerNumber,
    /// 後期高齢者 被保険者番号.
    LateElderlyInsuredNumber,
    /// 医療機関コード.
    MedicalInstitutionCode,
    /// 健診・保健指導機関番号 (10 digits with a check digit).
    CheckupInstitutionNumber,
    /// 支払代行機関番号.
    PaymentAgentNumber,
    /// オンライン資格確認用コード.
    OnlineQualificationCode,
    /// 受診券整理番号 / 利用券整理番号.
    VoucherNumber,
    /// 被保険者証等記号.
    CardSymbol,
    /// 被保険者証等番号.
    CardNumber,
    /// 枝番.
    BranchNumber,
}

/// Identifier check: validates `text` as a `kind` (alphabet, length, check digit; full-width
/// digits folded, spaces trimmed) and returns its normal form. Does not block.
///
/// # Errors
/// [`EligError::Caller`] saying which rule failed.
#[uniffi::export]
pub fn check_identifier(kind: IdentifierKind, text: String) -> Result<String, EligError> {
    fn ok<T>(
        r: Result<T, voucher_model::IdError>,
        s: impl Fn(&T) -> &str,
    ) -> Result<String, EligError> {
        r.map(|v| s(&v).to_owned()).map_err(EligError::caller)
    }
    let t = text.as_str();
    match kind {
        IdentifierKind::InsurerNumber => ok(InsurerNumber::parse(t), InsurerNumber::as_str),
        IdentifierKind::LateElderlyInsuredNumber => ok(
            LateElderlyInsuredNumber::parse(t),
            LateElderlyInsuredNumber::as_str,
        ),
        IdentifierKind::MedicalInstitutionCode => ok(
            MedicalInstitutionCode::parse(t),
            MedicalInstitutionCode::as_str,
        ),
        IdentifierKind::CheckupInstitutionNumber => ok(
            CheckupInstitutionNumber::parse(t),
            CheckupInstitutionNumber::as_str,
        ),
        IdentifierKind::PaymentAgentNumber => {
            ok(PaymentAgentNumber::parse(t), PaymentAgentNumber::as_str)
        }
        IdentifierKind::OnlineQualificationCode => ok(
            OnlineQualificationCode::parse(t),
            OnlineQualificationCode::as_str,
        ),
        IdentifierKind::VoucherNumber => ok(VoucherNumber::parse(t), VoucherNumber::as_str),
        IdentifierKind::CardSymbol => ok(CardSymbol::parse(t), CardSymbol::as_str),
        IdentifierKind::CardNumber => ok(CardNumber::parse(t), CardNumber::as_str),
        IdentifierKind::BranchNumber => ok(BranchNumber::parse(t), BranchNumber::as_str),
    }
}

/// Today's date in Japan (JST), `YYYY-MM-DD`: the checkup date of a check made now. Reads
/// the system clock; does not block.
///
/// # Errors
/// [`EligError::Caller`] when the system clock is unusable (before 1970).
#[uniffi::export]
pub fn today_in_japan() -> Result<String, EligError> {
    voucher_model::jst::date_from_system_time(SystemTime::now())
        .map(|d| d.to_string())
        .map_err(|e| EligError::caller(e.message_en()))
}

/// A `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Result<Date, EligError> {
    text.parse::<Date>()
        .map_err(|e| EligError::caller(format!("invalid date (YYYY-MM-DD): {e}")))
}

/// A 健診・保健指導機関番号, else an オンライン資格確認用コード.
pub(crate) fn parse_facility(text: &str) -> Result<Facility, EligError> {
    if let Ok(number) = CheckupInstitutionNumber::parse(text) {
        return Ok(Facility::CheckupInstitution(number));
    }
    OnlineQualificationCode::parse(text)
        .map(Facility::SelfRunningInsurer)
        .map_err(|e| EligError::caller(format!("invalid facility: {e}")))
}
