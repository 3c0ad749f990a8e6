//! 受診券 (checkup voucher) and 利用券 (guidance voucher).
//!
//! Fields and rules from vouchers.md ("受診券 / 利用券 fields", taken from public checkup
//! software): 整理番号 11 digits; 有効期限 and 交付日 dates; 保険者番号 8 digits (6-digit 国保
//! zero-filled); 記号/番号 never mixing widths, ≤ 40 bytes, no full-width space, 記号 optional;
//! 枝番 2 digits; 契約とりまとめ機関名 ≤ 100 bytes; 支払代行機関番号 8 digits; 窓口負担 for
//! 基本/詳細/追加/人間ドック of type 1 負担なし, 2 定額 (yen), 3 定率 (%), 4 保険者負担上限額 (yen),
//! amounts 6 digits; 特定保健指導区分 1 積極的支援, 2 動機付け支援, 3 動機付け支援相当.
//!
//! Our own design: a voucher is typed by staff, so identifiers are checked strictly (a wrong
//! check digit is an error); 有効期限 is the last valid day (inclusive); the bounds on names
//! are ours. The JSON field names below are a stable schema (see the crate README).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::Sex;
use crate::date::Date;
use crate::ids::{
    BranchNumber, CardNumber, CardSymbol, IdError, InsurerNumber, PaymentAgentNumber, VoucherNumber,
};
use crate::text::{sjis_len, trim_spaces};

mod error;

pub use error::{VoucherError, VoucherField};

/// Which voucher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoucherKind {
    /// 受診券: the 特定健診 (and contracted 人間ドック) voucher. JSON `"checkup"`.
    Checkup,
    /// 利用券: the 特定保健指導 voucher. JSON `"guidance"`.
    Guidance,
}

impl VoucherKind {
    /// 受診券 / 利用券.
    pub fn name_ja(self) -> &'static str {
        match self {
            VoucherKind::Checkup => "受診券",
            VoucherKind::Guidance => "利用券",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            VoucherKind::Checkup => "checkup voucher",
            VoucherKind::Guidance => "guidance voucher",
        }
    }
}

/// Largest 6-digit yen amount.
pub const MAX_YEN: u32 = 999_999;
/// Longest 契約とりまとめ機関名, in Shift_JIS bytes (vouchers.md).
pub const MAX_COORDINATOR_NAME_BYTES: usize = 100;
/// Longest 氏名 / カナ, in Shift_JIS bytes (our own bound).
pub const MAX_NAME_BYTES: usize = 100;

/// 窓口負担: what the person pays at the counter for one part of the checkup.
///
/// JSON: `{"type": "none"}`, `{"type": "fixed_yen", "yen": 1000}`,
/// `{"type": "rate", "percent": 10}`, `{"type": "insurer_cap", "yen": 5000}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Copayment {
    /// 1 負担なし.
    None,
    /// 2 定額: a fixed amount in yen (≤ 999,999).
    FixedYen {
        /// Amount in yen.
        yen: u32,
    },
    /// 3 定率: a percentage (0–100).
    Rate {
        /// Percentage.
        percent: u8,
    },
    /// 4 保険者負担上限額: the insurer pays up to this amount in yen (≤ 999,999).
    InsurerCap {
        /// Amount in yen.
        yen: u32,
    },
}

impl Copayment {
    /// The type code printed on vouchers (1–4).
    pub fn code(self) -> u8 {
        match self {
            Copayment::None => 1,
            Copayment::FixedYen { .. } => 2,
            Copayment::Rate { .. } => 3,
            Copayment::InsurerCap { .. } => 4,
        }
    }

    fn validate(self, field: VoucherField) -> Result<(), VoucherError> {
        match self {
            Copayment::FixedYen { yen } | Copayment::InsurerCap { yen } if yen > MAX_YEN => {
                Err(VoucherError::AmountTooLarge { field, yen })
            }
            Copayment::Rate { percent } if percent > 100 => {
                Err(VoucherError::RateAbove100 { field, percent })
            }
            _ => Ok(()),
        }
    }
}

/// 窓口負担 of a 受診券 (each part optional: not every voucher prints every part).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckupCopayments {
    /// 基本的な健診.
    pub basic: Option<Copayment>,
    /// 詳細な健診.
    pub detailed: Option<Copayment>,
    /// 追加健診項目.
    pub additional: Option<Copayment>,
    /// 人間ドック.
    pub ningen_dock: Option<Copayment>,
}

/// 特定保健指導区分 of a 利用券.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceLevel {
    /// 1 積極的支援.
    ActiveSupport,
    /// 2 動機付け支援.
    MotivationalSupport,
    /// 3 動機付け支援相当.
    MotivationalSupportEquivalent,
}

impl GuidanceLevel {
    /// The code printed on vouchers (1–3).
    pub fn code(self) -> u8 {
        match self {
            GuidanceLevel::ActiveSupport => 1,
            GuidanceLevel::MotivationalSupport => 2,
            GuidanceLevel::MotivationalSupportEquivalent => 3,
        }
    }

    /// Reads the code printed on vouchers.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(GuidanceLevel::ActiveSupport),
            2 => Some(GuidanceLevel::MotivationalSupport),
            3 => Some(GuidanceLevel::MotivationalSupportEquivalent),
            _ => None,
        }
    }

    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            GuidanceLevel::ActiveSupport => "積極的支援",
            GuidanceLevel::MotivationalSupport => "動機付け支援",
            GuidanceLevel::MotivationalSupportEquivalent => "動機付け支援相当",
        }
    }
}

/// The person the voucher was issued to. `Debug` redacts name, kana and birth date.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    #[serde(default)]
    pub name_kana: Option<String>,
    /// 性別 (OQSCD007 codes: `"1"` 男, `"2"` 女, `"3"` 未設定).
    pub sex: Sex,
    /// 生年月日.
    pub birth_date: Date,
}
impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Person")
            .field("name", &crate::personal::Redacted)
            .field("name_kana", &crate::personal::opt(&self.name_kana))
            .field("sex", &self.sex)
            .field("birth_date", &crate::personal::Redacted)
            .finish()
    }
}

/// The fields of a voucher as typed, before validation. This is also the JSON schema of
/// [`Voucher`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoucherFields {
    /// 受診券 or 利用券.
    pub kind: VoucherKind,
    /// 受診券整理番号 / 利用券整理番号.
    pub number: VoucherNumber,
    /// 交付日.
    pub issued_on: Date,
    /// 有効期限 (the last day the voucher can be used).
    pub expires_on: Date,
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 被保険者証等記号 (absent for 後期高齢者 and some 国保).
    #[serde(default)]
    pub card_symbol: Option<CardSymbol>,
    /// 被保険者証等番号.
    pub card_number: CardNumber,
    /// 枝番 (absent for 後期高齢者 and 公費).
    #[serde(default)]
    pub branch_number: Option<BranchNumber>,
    /// 氏名, カナ, 性別, 生年月日.
    pub person: Person,
    /// 契約とりまとめ機関名 (≤ 100 bytes).
    #[serde(default)]
    pub contract_coordinator_name: Option<String>,
    /// 支払代行機関番号.
    #[serde(default)]
    pub payment_agent_number: Option<PaymentAgentNumber>,
    /// 窓口負担 of a 受診券 (must be empty on a 利用券).
    #[serde(default)]
    pub checkup_copayments: CheckupCopayments,
    /// 窓口負担 of a 利用券 (must be absent on a 受診券).
    #[serde(default)]
    pub guidance_copayment: Option<Copayment>,
    /// 特定保健指導区分 (required on a 利用券, absent on a 受診券).
    #[serde(default)]
    pub guidance_level: Option<GuidanceLevel>,
}

/// A validated 受診券 or 利用券.
///
/// Built with [`Voucher::new`] (or deserialized, which validates the same way): every field
/// satisfies the rules of the module docs. Serde uses the [`VoucherFields`] schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "VoucherFields", into = "VoucherFields")]
pub struct Voucher(VoucherFields);

impl Voucher {
    /// Validates the fields.
    pub fn new(fields: VoucherFields) -> Result<Voucher, VoucherError> {
        let f = &fields;
        // Identifiers may come from lenient serde: re-check them strictly.
        let strict = |field: VoucherField, r: Result<(), IdError>| {
            r.map_err(|source| VoucherError::Identifier { field, source })
        };
        strict(
            VoucherField::InsurerNumber,
            InsurerNumber::parse(f.insurer_number.as_str()).map(drop),
        )?;
        if let Some(s) = &f.card_symbol {
            strict(
                VoucherField::CardSymbol,
                CardSymbol::parse(s.as_str()).map(drop),
            )?;
        }
        strict(
            VoucherField::CardNumber,
            CardNumber::parse(f.card_number.as_str()).map(drop),
        )?;
        check_text(&f.person.name, VoucherField::Name, MAX_NAME_BYTES, true)?;
        if let Some(kana) = &f.person.name_kana {
            check_text(kana, VoucherField::NameKana, MAX_NAME_BYTES, false)?;
        }
        if let Some(name) = &f.contract_coordinator_name {
            check_text(
                name,
                VoucherField::ContractCoordinatorName,
                MAX_COORDINATOR_NAME_BYTES,
                false,
            )?;
        }
        if !f.person.sex.is_known() {
            return Err(VoucherError::UnknownSex(f.person.sex.code().to_owned()));
        }
        if f.issued_on > f.expires_on {
            return Err(VoucherError::IssuedAfterExpiry {
                issued_on: f.issued_on,
                expires_on: f.expires_on,
            });
        }
        if f.person.birth_date > f.issued_on {
            return Err(VoucherError::BornAfterIssue {
                birth_date: crate::Personal::new(f.person.birth_date),
                issued_on: f.issued_on,
            });
        }
        let c = &f.checkup_copayments;
        let parts = [
            (VoucherField::CopaymentBasic, c.basic),
            (VoucherField::CopaymentDetailed, c.detailed),
            (VoucherField::CopaymentAdditional, c.additional),
            (VoucherField::CopaymentNingenDock, c.ningen_dock),
            (VoucherField::GuidanceCopayment, f.guidance_copayment),
        ];
        for (field, copayment) in parts {
            if let Some(copayment) = copayment {
                copayment.validate(field)?;
                let allowed = match field {
                    VoucherField::GuidanceCopayment => f.kind == VoucherKind::Guidance,
                    _ => f.kind == VoucherKind::Checkup,
                };
                if !allowed {
                    return Err(VoucherError::FieldNotForKind {
                        field,
                        kind: f.kind,
                    });
                }
            }
        }
        match (f.kind, f.guidance_level) {
            (VoucherKind::Guidance, None) => {
                return Err(VoucherError::MissingField(VoucherField::GuidanceLevel));
            }
            (VoucherKind::Checkup, Some(_)) => {
                return Err(VoucherError::FieldNotForKind {
                    field: VoucherField::GuidanceLevel,
                    kind: f.kind,
                });
            }
            _ => {}
        }
        Ok(Voucher(fields))
    }

    /// All fields.
    pub fn fields(&self) -> &VoucherFields {
        &self.0
    }

    /// Gives the fields back (to edit and validate again).
    pub fn into_fields(self) -> VoucherFields {
        self.0
    }

    /// 受診券 or 利用券.
    pub fn kind(&self) -> VoucherKind {
        self.0.kind
    }

    /// 整理番号.
    pub fn number(&self) -> &VoucherNumber {
        &self.0.number
    }

    /// 交付日.
    pub fn issued_on(&self) -> Date {
        self.0.issued_on
    }

    /// 有効期限 (inclusive).
    pub fn expires_on(&self) -> Date {
        self.0.expires_on
    }

    /// 保険者番号.
    pub fn insurer_number(&self) -> &InsurerNumber {
        &self.0.insurer_number
    }

    /// 記号.
    pub fn card_symbol(&self) -> Option<&CardSymbol> {
        self.0.card_symbol.as_ref()
    }

    /// 番号.
    pub fn card_number(&self) -> &CardNumber {
        &self.0.card_number
    }

    /// 枝番.
    pub fn branch_number(&self) -> Option<&BranchNumber> {
        self.0.branch_number.as_ref()
    }

    /// The person.
    pub fn person(&self) -> &Person {
        &self.0.person
    }

    /// Whether the voucher can be used on `date` (`date <= 有効期限`).
    pub fn is_unexpired_on(&self, date: Date) -> bool {
        date <= self.0.expires_on
    }
}

impl TryFrom<VoucherFields> for Voucher {
    type Error = VoucherError;

    fn try_from(fields: VoucherFields) -> Result<Self, Self::Error> {
        Voucher::new(fields)
    }
}

impl From<Voucher> for VoucherFields {
    fn from(v: Voucher) -> Self {
        v.0
    }
}

/// Non-empty when `required`, no control characters, at most `max` Shift_JIS bytes.
fn check_text(
    s: &str,
    field: VoucherField,
    max: usize,
    required: bool,
) -> Result<(), VoucherError> {
    if required && trim_spaces(s).is_empty() {
        return Err(VoucherError::MissingField(field));
    }
    if s.chars().any(char::is_control) {
        return Err(VoucherError::ControlCharacter(field));
    }
    let bytes = sjis_len(s).unwrap_or(usize::MAX);
    if bytes > max {
        return Err(VoucherError::TooLong { field, bytes, max });
    }
    Ok(())
}
