//! Voucher validation errors.

use core::fmt;

use super::VoucherKind;
use crate::date::Date;
use crate::ids::IdError;

/// A voucher field, named as in the JSON schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VoucherField {
    /// `insurer_number` (保険者番号).
    InsurerNumber,
    /// `card_symbol` (記号).
    CardSymbol,
    /// `card_number` (番号).
    CardNumber,
    /// `person.name` (氏名).
    Name,
    /// `person.name_kana` (カナ).
    NameKana,
    /// `contract_coordinator_name` (契約とりまとめ機関名).
    ContractCoordinatorName,
    /// `checkup_copayments.basic`.
    CopaymentBasic,
    /// `checkup_copayments.detailed`.
    CopaymentDetailed,
    /// `checkup_copayments.additional`.
    CopaymentAdditional,
    /// `checkup_copayments.ningen_dock`.
    CopaymentNingenDock,
    /// `guidance_copayment`.
    GuidanceCopayment,
    /// `guidance_level` (特定保健指導区分).
    GuidanceLevel,
}

impl VoucherField {
    /// The JSON path of the field.
    pub fn json_name(self) -> &'static str {
        match self {
            VoucherField::InsurerNumber => "insurer_number",
            VoucherField::CardSymbol => "card_symbol",
            VoucherField::CardNumber => "card_number",
            VoucherField::Name => "person.name",
            VoucherField::NameKana => "person.name_kana",
            VoucherField::ContractCoordinatorName => "contract_coordinator_name",
            VoucherField::CopaymentBasic => "checkup_copayments.basic",
            VoucherField::CopaymentDetailed => "checkup_copayments.detailed",
            VoucherField::CopaymentAdditional => "checkup_copayments.additional",
            VoucherField::CopaymentNingenDock => "checkup_copayments.ningen_dock",
            VoucherField::GuidanceCopayment => "guidance_copayment",
            VoucherField::GuidanceLevel => "guidance_level",
        }
    }

    /// The field's Japanese name as printed on vouchers.
    pub fn name_ja(self) -> &'static str {
        match self {
            VoucherField::InsurerNumber => "保険者番号",
            VoucherField::CardSymbol => "記号",
            VoucherField::CardNumber => "番号",
            VoucherField::Name => "氏名",
            VoucherField::NameKana => "氏名カナ",
            VoucherField::ContractCoordinatorName => "契約とりまとめ機関名",
            VoucherField::CopaymentBasic => "窓口負担（基本的な健診）",
            VoucherField::CopaymentDetailed => "窓口負担（詳細な健診）",
            VoucherField::CopaymentAdditional => "窓口負担（追加健診項目）",
            VoucherField::CopaymentNingenDock => "窓口負担（人間ドック）",
            VoucherField::GuidanceCopayment => "窓口負担（特定保健指導）",
            VoucherField::GuidanceLevel => "特定保健指導区分",
        }
    }
}

impl fmt::Display for VoucherField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json_name())
    }
}

/// Why a voucher is invalid. Whoever typed the voucher (the caller's input) is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VoucherError {
    /// An identifier fails strict validation (e.g. a wrong check digit).
    #[error("{field}: {source}")]
    Identifier {
        /// The field.
        field: VoucherField,
        /// The identifier error.
        source: IdError,
    },
    /// A required field is empty or missing.
    #[error("{0} is required")]
    MissingField(VoucherField),
    /// A field that this kind of voucher does not have.
    #[error("{field} does not belong on a {}", kind.name_en())]
    FieldNotForKind {
        /// The field.
        field: VoucherField,
        /// The voucher's kind.
        kind: VoucherKind,
    },
    /// Text longer than allowed (Shift_JIS bytes).
    #[error("{field} is {bytes} bytes long, at most {max} are allowed")]
    TooLong {
        /// The field.
        field: VoucherField,
        /// Its length.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A control character in a text field.
    #[error("{0} contains a control character")]
    ControlCharacter(VoucherField),
    /// A yen amount above 999,999 (6 digits).
    #[error("{field}: {yen} yen has more than 6 digits")]
    AmountTooLarge {
        /// The field.
        field: VoucherField,
        /// The amount.
        yen: u32,
    },
    /// A rate above 100%.
    #[error("{field}: {percent}% is above 100%")]
    RateAbove100 {
        /// The field.
        field: VoucherField,
        /// The rate.
        percent: u8,
    },
    /// 性別 is not one of the OQSCD007 codes.
    #[error("sex code {0:?} is not 1, 2 or 3")]
    UnknownSex(String),
    /// 交付日 after 有効期限.
    #[error("issued on {issued_on}, after its expiry {expires_on}")]
    IssuedAfterExpiry {
        /// 交付日.
        issued_on: Date,
        /// 有効期限.
        expires_on: Date,
    },
    /// 生年月日 after 交付日.
    #[error("birth date {birth_date} is after the issue date {issued_on}")]
    BornAfterIssue {
        /// 生年月日 (personal: prints redacted; `message_ja` shows it to staff).
        birth_date: crate::Personal<Date>,
        /// 交付日.
        issued_on: Date,
    },
}

impl VoucherError {
    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            VoucherError::Identifier { source, .. } => source.message_ja(),
            VoucherError::MissingField(field) => format!("{}を入力してください。", field.name_ja()),
            VoucherError::FieldNotForKind { field, kind } => {
                format!("{}は{}にはありません。", field.name_ja(), kind.name_ja())
            }
            VoucherError::TooLong { field, bytes, max } => format!(
                "{}が長すぎます（{bytes}バイト、上限{max}バイト）。",
                field.name_ja()
            ),
            VoucherError::ControlCharacter(field) => {
                format!("{}に使えない文字が含まれています。", field.name_ja())
            }
            VoucherError::AmountTooLarge { field, yen } => {
                format!("{}の金額 {yen} 円は6桁を超えています。", field.name_ja())
            }
            VoucherError::RateAbove100 { field, percent } => {
                format!(
                    "{}の負担率 {percent}% は100%を超えています。",
                    field.name_ja()
                )
            }
            VoucherError::UnknownSex(code) => format!("性別コード「{code}」は使えません。"),
            VoucherError::IssuedAfterExpiry {
                issued_on,
                expires_on,
            } => format!("交付日（{issued_on}）が有効期限（{expires_on}）より後になっています。"),
            VoucherError::BornAfterIssue {
                birth_date,
                issued_on,
            } => {
                let birth_date = birth_date.reveal();
                format!("生年月日（{birth_date}）が交付日（{issued_on}）より後になっています。")
            }
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}
