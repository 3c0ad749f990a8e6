//! The code tables of the qualification-check messages (oqs.md, "Code tables").
//!
//! Each table is an enum whose known values are variants and whose unknown values are kept
//! verbatim in an `Other(String)` arm: `from_code(s).code() == s` for every string `s`, so an
//! unknown code survives a read–write round trip and never aborts a parse. Matching is exact
//! (readers trim element text before calling `from_code`). Serde uses the code string.
//!
//! The table IDs (OQSCD001…) are the labels public software gives them. OQSCD008 does not
//! appear in our sources and is not modelled. The Japanese labels of OQSCD011, OQSCD012 and
//! OQSCD013, and the table of `SpecificDiseasesCertificateRelatedConsFlg` (which has its own
//! values, not OQSCD001's), are those of a production clinic system talking to the real
//! 既存型 terminal (hangilc/myclinic-ts `packages/onshi-result/codes.ts`, snapshot
//! 9c275697; the standard 高額療養費 / 特定疾病 meanings); `tests/data/` holds the table and a
//! test compares every row. The English labels are our own translations.

macro_rules! code_table {
    (
        @table $(#[$meta:meta])*
        $name:ident, $table:literal, $doc:expr, {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $ja:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        ///
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("`", $code, "` ", $ja)]
                $variant,
            )+
            /// A code not in the table, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The code table's ID (empty when our sources give the table none).
            pub const TABLE_ID: &'static str = $table;

            /// The codes this crate knows, in table order.
            pub const KNOWN_CODES: &'static [&'static str] = &[$($code),+];

            /// The code as it appears in the message.
            pub fn code(&self) -> &str {
                match self {
                    $( $name::$variant => $code, )+
                    $name::Other(code) => code,
                }
            }

            /// Reads a code; unknown codes become `Other` (never an error).
            pub fn from_code(code: &str) -> Self {
                match code {
                    $( $code => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                }
            }

            /// The Japanese label; `None` for an unknown code.
            pub fn label_ja(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($ja), )+
                    $name::Other(_) => None,
                }
            }

            /// The English label; `None` for an unknown code.
            pub fn label_en(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($en), )+
                    $name::Other(_) => None,
                }
            }

            /// Whether the code is in the table.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl core::fmt::Display for $name {
            /// The code, followed by its English label when known: `1 (valid)`.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.label_en() {
                    Some(label) => write!(f, "{} ({})", self.code(), label),
                    None => write!(f, "{} (unknown code)", self.code()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from_code(&s))
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident, $table:literal, $element:literal { $($body:tt)+ }
    ) => {
        code_table! {
            @table $(#[$meta])* $name, $table,
            concat!("Code table ", $table, ", element `", $element, "`."),
            { $($body)+ }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident, $element:literal { $($body:tt)+ }
    ) => {
        code_table! {
            @table $(#[$meta])* $name, "",
            concat!(
                "Element `", $element, "`. Our sources give this table no ID: ",
                "`TABLE_ID` is empty."
            ),
            { $($body)+ }
        }
    };
}

code_table! {
    /// Consent flag of the `…ConsFlg` elements (限度額適用認定証関連情報 and others).
    ConsentFlag, "OQSCD001", "…ConsFlg" {
        NotConsented = "0", "未同意", "not consented";
        Consented = "1", "同意", "consented";
    }
}

code_table! {
    /// 照会区分: what the check was keyed on.
    ReferenceClassification, "OQSCD002", "ReferenceClassification" {
        MyNumberCard = "1", "マイナンバーカード", "My Number Card";
        InsuranceCardInfo = "2", "被保険者証情報", "insurance card information";
    }
}

code_table! {
    /// 処理結果区分 of the response header. Sources disagree on 異常終了 (9, or 3 in one
    /// source): both are read, and which one came is kept.
    SegmentOfResult, "OQSCD003", "SegmentOfResult" {
        Normal = "1", "正常終了", "completed normally";
        Processing = "2", "処理中", "still processing";
        AbnormalEnd = "9", "異常終了", "ended abnormally";
        /// The value one source gives for 異常終了.
        AbnormalEndAlt = "3", "異常終了", "ended abnormally";
    }
}

impl SegmentOfResult {
    /// Whether this is 異常終了, whichever code (9 or 3) carried it.
    pub fn is_abnormal_end(&self) -> bool {
        matches!(
            self,
            SegmentOfResult::AbnormalEnd | SegmentOfResult::AbnormalEndAlt
        )
    }
}

code_table! {
    /// 処理結果状況 of the response body.
    ProcessingResultStatus, "OQSCD004", "ProcessingResultStatus" {
        Normal = "1", "正常終了", "completed normally";
        Error = "2", "エラー", "error";
    }
}

code_table! {
    /// 文字コード識別 of the response header.
    CharacterCodeIdentifier, "OQSCD005", "CharacterCodeIdentifier" {
        Utf8 = "0", "UTF-8", "UTF-8";
        ShiftJis = "1", "Shift_JIS", "Shift_JIS";
    }
}

code_table! {
    /// 資格有効性.
    QualificationValidity, "OQSCD006", "QualificationValidity" {
        Valid = "1", "有効", "valid";
        Invalid = "2", "無効", "invalid";
        InvalidNewQualificationExists = "3", "無効（新しい資格あり）", "invalid (a newer qualification exists)";
        NoQualification = "4", "該当資格なし", "no matching qualification";
        MultipleMatches = "5", "複数該当", "several qualifications match";
        /// Used for 医療扶助 (medical assistance) only.
        ValidUnregistered = "6", "有効（未登録）", "valid (unregistered; medical assistance only)";
    }
}

code_table! {
    /// 性別.
    Sex, "OQSCD007", "Sex1 / Sex2" {
        Male = "1", "男", "male";
        Female = "2", "女", "female";
        NotSet = "3", "未設定", "not set";
    }
}

code_table! {
    /// 本人・家族の別.
    PersonalFamilyClassification, "OQSCD009", "PersonalFamilyClassification" {
        Insured = "1", "本人", "insured person";
        Dependent = "2", "家族", "dependent";
    }
}

code_table! {
    /// 被保険者証区分.
    InsuredCardClassification, "OQSCD010", "InsuredCardClassification" {
        General = "01", "被保険者証（一般）", "insurance card (general)";
        Retired = "02", "被保険者証（退職）", "insurance card (retired)";
        ShortTermGeneral = "03", "短期被保険者証（一般）", "short-term insurance card (general)";
        ShortTermRetired = "04", "短期被保険者証（退職）", "short-term insurance card (retired)";
        QualificationCertificate = "05", "被保険者資格証明書", "certificate of insured status";
        SpecialRetiree = "06", "特例退職被保険者証", "special retiree insurance card";
        SelfDefenseForces = "07", "自衛官診療証", "Self-Defense Forces medical card";
        MedicalAssistance = "A1", "医療扶助", "medical assistance";
    }
}

code_table! {
    /// 限度額適用認定証区分: which certificate the limit information comes from.
    LimitCertificateClassification, "OQSCD011", "LimitApplicationCertificateClassification" {
        Class01 = "01", "限度額適用区分認定証", "limit application certificate";
        Class02 = "02", "限度額適用・標準負担額減額認定証", "limit application and standard co-payment reduction certificate";
        Class03 = "03", "標準負担額減額認定証", "standard co-payment reduction certificate";
    }
}

code_table! {
    /// 適用区分: the 高額療養費 income category (ア–オ, 現役並み, 一般, 低所得).
    ApplicableCategory, "OQSCD012", "LimitApplicationCertificateClassificationFlag" {
        A01 = "A01", "ア", "category a (ア)";
        A02 = "A02", "イ", "category i (イ)";
        A03 = "A03", "ウ", "category u (ウ)";
        A04 = "A04", "エ", "category e (エ)";
        A05 = "A05", "オ", "category o (オ)";
        A06 = "A06", "オ（境）", "category o, borderline (オ（境）)";
        B01 = "B01", "現役並みⅢ", "working-age income level III";
        B02 = "B02", "現役並みⅡ", "working-age income level II";
        B03 = "B03", "現役並みⅠ", "working-age income level I";
        B04 = "B04", "一般", "general";
        B05 = "B05", "低所得Ⅱ", "low income II";
        B06 = "B06", "低所得Ⅰ", "low income I";
        B07 = "B07", "低所得Ⅰ（老福）", "low income I (old-age welfare pension)";
        B08 = "B08", "低所得Ⅰ（境）", "low income I, borderline";
        B09 = "B09", "一般Ⅱ", "general II";
        B10 = "B10", "一般Ⅰ", "general I";
    }
}

code_table! {
    /// 特定疾病 区分: the specified disease of a 特定疾病療養受療証.
    SpecificDiseaseCategory, "OQSCD013", "SpecificDiseasesDiseaseCategory" {
        Category1 = "1", "人工透析を必要とする慢性腎不全", "chronic renal failure requiring dialysis";
        Category2 = "2", "先天性血液凝固因子障害（第VIII因子、第IX因子）", "congenital coagulation factor disorder (factor VIII or IX)";
        Category3 = "3", "血液凝固因子製剤の投与に起因するHIV感染症", "HIV infection caused by blood coagulation factor products";
    }
}

code_table! {
    /// Consent flag of `SpecificDiseasesCertificateRelatedConsFlg` (特定疾病療養受療証の情報
    /// 提供への同意). Unlike OQSCD001 it has a third value: the consent has expired.
    SpecificDiseasesConsentFlag, "SpecificDiseasesCertificateRelatedConsFlg" {
        NotConsented = "0", "同意なし", "not consented";
        Consented = "1", "同意あり", "consented";
        ConsentExpired = "2", "同意有効期限切れ", "consent expired";
    }
}

#[cfg(test)]
mod tests;
