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
///
/// Its field is private: the only way to a `Purpose` is the gate
/// [`Purpose::for_online_check`] (or serde, which goes through the same gate), so a
/// verdict can never be asked for a use the online check may not serve, such as identity
/// verification (本人確認). Serde: the snake_case name of the [`RequestedUse`]
/// (`"specific_health_checkup"`); `"identity_verification"` is refused.
///
/// ```compile_fail
/// // No variant to build directly:
/// let p = voucher_model::Purpose::SpecificHealthCheckup;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RequestedUse", into = "RequestedUse")]
pub struct Purpose(Permitted);

/// The uses the gate lets through (private: see [`Purpose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Permitted {
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
        match self.0 {
            Permitted::SpecificHealthCheckup | Permitted::NingenDockInsurerConfirmation => {
                VoucherKind::Checkup
            }
            Permitted::SpecificHealthGuidance => VoucherKind::Guidance,
        }
    }

    /// What the operator asked for that the gate let through.
    pub fn requested_use(self) -> RequestedUse {
        match self.0 {
            Permitted::SpecificHealthCheckup => RequestedUse::SpecificHealthCheckup,
            Permitted::SpecificHealthGuidance => RequestedUse::SpecificHealthGuidance,
            Permitted::NingenDockInsurerConfirmation => RequestedUse::NingenDockInsurerConfirmation,
        }
    }

    /// Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self.0 {
            Permitted::SpecificHealthCheckup => "特定健診",
            Permitted::SpecificHealthGuidance => "特定保健指導",
            Permitted::NingenDockInsurerConfirmation => "人間ドック（契約に基づく保険者の確認）",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self.0 {
            Permitted::SpecificHealthCheckup => "specific health checkup",
            Permitted::SpecificHealthGuidance => "specific health guidance",
            Permitted::NingenDockInsurerConfirmation => {
                "ningen dock (confirming the insurer under a contract)"
            }
        }
    }

    /// The gate: turns what the operator asked for into a permitted purpose, refusing
    /// identity verification. The only way to a `Purpose`.
    ///
    /// ```
    /// use voucher_model::{Purpose, PurposeError, RequestedUse};
    /// let dock = Purpose::for_online_check(RequestedUse::NingenDockInsurerConfirmation).unwrap();
    /// assert_eq!(dock.requested_use(), RequestedUse::NingenDockInsurerConfirmation);
    /// let refused = Purpose::for_online_check(RequestedUse::IdentityVerification).unwrap_err();
    /// assert_eq!(refused, PurposeError::IdentityVerificationNotPermitted);
    /// assert!(refused.message_ja().contains("マイナンバーカード"));
    /// ```
    pub fn for_online_check(requested: RequestedUse) -> Result<Purpose, PurposeError> {
        let permitted = match requested {
            RequestedUse::SpecificHealthCheckup => Permitted::SpecificHealthCheckup,
            RequestedUse::SpecificHealthGuidance => Permitted::SpecificHealthGuidance,
            RequestedUse::NingenDockInsurerConfirmation => Permitted::NingenDockInsurerConfirmation,
            RequestedUse::IdentityVerification => {
                return Err(PurposeError::IdentityVerificationNotPermitted);
            }
        };
        Ok(Purpose(permitted))
    }
}

impl TryFrom<RequestedUse> for Purpose {
    type Error = PurposeError;

    fn try_from(requested: RequestedUse) -> Result<Self, Self::Error> {
        Purpose::for_online_check(requested)
    }
}

impl From<Purpose> for RequestedUse {
    fn from(purpose: Purpose) -> Self {
        purpose.requested_use()
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
