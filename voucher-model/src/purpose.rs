//! Why the qualification is being checked.
//!
//! Public fact (seed notice 第２の４, 人間ドック): an institution may use the online check to
//! confirm the insurer the person belongs to under a contract with that insurer; it may
//! **not** use the online check for identity verification (本人確認) — for that, the person
//! shows the My Number Card and staff look at it.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::voucher::VoucherKind;

/// A purpose for which the qualification check is permitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Purpose {
    /// 特定健診 (specific health checkup), with a 受診券.
    SpecificHealthCheckup,
    /// 特定保健指導 (specific health guidance), with a 利用券.
    SpecificHealthGuidance,
    /// 人間ドック under a contract with the insurer: confirming which insurer the person
    /// belongs to, with the 受診券 the contract issues.
    NingenDockInsurerConfirmation,
}

impl Purpose {
    /// The voucher this purpose is checked against.
    pub fn voucher_kind(self) -> VoucherKind {
        match self {
            Purpose::SpecificHealthCheckup | Purpose::NingenDockInsurerConfirmation => {
                VoucherKind::Checkup
            }
            Purpose::SpecificHealthGuidance => VoucherKind::Guidance,
        }
    }

    /// Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            Purpose::SpecificHealthCheckup => "特定健診",
            Purpose::SpecificHealthGuidance => "特定保健指導",
            Purpose::NingenDockInsurerConfirmation => "人間ドック（契約に基づく保険者の確認）",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Purpose::SpecificHealthCheckup => "specific health checkup",
            Purpose::SpecificHealthGuidance => "specific health guidance",
            Purpose::NingenDockInsurerConfirmation => {
                "ningen dock (confirming the insurer under a contract)"
            }
        }
    }

    /// Turns what the operator asked for into a permitted purpose, refusing identity
    /// verification.
    ///
    /// ```
    /// use voucher_model::{Purpose, PurposeError, RequestedUse};
    /// assert_eq!(
    ///     Purpose::for_online_check(RequestedUse::NingenDockInsurerConfirmation),
    ///     Ok(Purpose::NingenDockInsurerConfirmation)
    /// );
    /// let refused = Purpose::for_online_check(RequestedUse::IdentityVerification).unwrap_err();
    /// assert_eq!(refused, PurposeError::IdentityVerificationNotPermitted);
    /// assert!(refused.message_ja().contains("マイナンバーカード"));
    /// ```
    pub fn for_online_check(requested: RequestedUse) -> Result<Purpose, PurposeError> {
        match requested {
            RequestedUse::SpecificHealthCheckup => Ok(Purpose::SpecificHealthCheckup),
            RequestedUse::SpecificHealthGuidance => Ok(Purpose::SpecificHealthGuidance),
            RequestedUse::NingenDockInsurerConfirmation => {
                Ok(Purpose::NingenDockInsurerConfirmation)
            }
            RequestedUse::IdentityVerification => {
                Err(PurposeError::IdentityVerificationNotPermitted)
            }
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// What an operator may ask the online check for, including what is not permitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequestedUse {
    /// 特定健診.
    SpecificHealthCheckup,
    /// 特定保健指導.
    SpecificHealthGuidance,
    /// 人間ドック: confirming the insurer under a contract.
    NingenDockInsurerConfirmation,
    /// 本人確認 (identity verification): not permitted for the online check.
    IdentityVerification,
}

/// A use of the online check that is not permitted. The caller (operator) asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PurposeError {
    /// Identity verification (本人確認) through the online check.
    #[error(
        "the online qualification check may not be used for identity verification; \
         look at the My Number Card itself (photo and card face) instead"
    )]
    IdentityVerificationNotPermitted,
}

impl PurposeError {
    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> &'static str {
        match self {
            PurposeError::IdentityVerificationNotPermitted => {
                "オンライン資格確認は本人確認には利用できません。\
                 マイナンバーカードの提示を受け、券面（顔写真）を見て本人確認を行ってください。"
            }
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}
