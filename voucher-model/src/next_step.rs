//! What the operator (reception staff) should do next: one vocabulary for the verdict and
//! for a refused online check.
//!
//! A [`crate::Verdict`] carries a next step; so does every gateway rejection (elig-proto's
//! `RejectReason::next_step`). The steps and their wording are this project's own design:
//! they follow the evidence rules of vouchers.md (another kind of evidence may be used when
//! the online check cannot be done) and say who can resolve the problem — the person at the
//! desk, the institution's own set-up, the insurer, or the software vendor.

use core::fmt;

use serde::{Deserialize, Serialize};

/// What the operator should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NextStep {
    /// Nothing: proceed with the checkup.
    Proceed,
    /// Look at the warnings and decide.
    ReviewWarnings,
    /// Check again later, or use other evidence.
    RetryOrOtherEvidence,
    /// The evidence is not acceptable: use another kind.
    UseOtherEvidence,
    /// Compare the voucher and the evidence again (typing errors, wrong voucher).
    CheckVoucherAndEvidence,
    /// Contact the insurer that issued the voucher.
    ContactInsurer,
    /// Do the check again now, from the start (a one-time step expired or was used up).
    RetryNow,
    /// Do the 目視確認 (compare the card's photo with the person) and record who did it.
    CompleteVisualConfirmation,
    /// Check the terminal's date and time (the check must be for today in Japan).
    CheckClock,
    /// Fix the terminal's registration or set-up (device certificate, facility).
    FixDeviceSetup,
    /// The software sent something wrong: contact the software vendor.
    ContactVendor,
}

impl NextStep {
    /// Every step, in declaration order.
    pub const ALL: [NextStep; 11] = [
        NextStep::Proceed,
        NextStep::ReviewWarnings,
        NextStep::RetryOrOtherEvidence,
        NextStep::UseOtherEvidence,
        NextStep::CheckVoucherAndEvidence,
        NextStep::ContactInsurer,
        NextStep::RetryNow,
        NextStep::CompleteVisualConfirmation,
        NextStep::CheckClock,
        NextStep::FixDeviceSetup,
        NextStep::ContactVendor,
    ];

    /// Japanese instruction.
    pub fn message_ja(self) -> &'static str {
        match self {
            NextStep::Proceed => "受付を進めてください。",
            NextStep::ReviewWarnings => "注意事項を確認のうえ、受付を判断してください。",
            NextStep::RetryOrOtherEvidence => {
                "時間をおいて再度確認するか、別の方法で資格を確認してください。"
            }
            NextStep::UseOtherEvidence => {
                "マイナ保険証、マイナポータル、資格確認書など別の方法で資格を確認してください。"
            }
            NextStep::CheckVoucherAndEvidence => {
                "受診券・利用券と資格情報の記載内容をもう一度確認してください。"
            }
            NextStep::ContactInsurer => "券を発行した保険者に問い合わせてください。",
            NextStep::RetryNow => "もう一度、最初から資格確認を行ってください。",
            NextStep::CompleteVisualConfirmation => {
                "カードの顔写真とご本人を見比べて確認し、確認した職員を入力してください。"
            }
            NextStep::CheckClock => "端末の日付と時刻が正しいか確認してください。",
            NextStep::FixDeviceSetup => {
                "端末の登録内容（機器の証明書・施設の情報）を確認してください。"
            }
            NextStep::ContactVendor => {
                "システムの不具合のおそれがあります。システムの提供事業者に連絡してください。"
            }
        }
    }

    /// English instruction.
    pub fn message_en(self) -> &'static str {
        match self {
            NextStep::Proceed => "proceed",
            NextStep::ReviewWarnings => "review the warnings and decide",
            NextStep::RetryOrOtherEvidence => "retry later or use other evidence",
            NextStep::UseOtherEvidence => "use another kind of evidence",
            NextStep::CheckVoucherAndEvidence => "compare the voucher and the evidence again",
            NextStep::ContactInsurer => "contact the insurer that issued the voucher",
            NextStep::RetryNow => "do the check again from the start",
            NextStep::CompleteVisualConfirmation => {
                "compare the card's photo with the person and record who did it"
            }
            NextStep::CheckClock => "check the terminal's date and time",
            NextStep::FixDeviceSetup => {
                "check the terminal's registration (device certificate, facility)"
            }
            NextStep::ContactVendor => "a software fault is likely: contact the software vendor",
        }
    }
}

impl fmt::Display for NextStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_both_messages_and_a_distinct_wire_name() {
        let mut names = std::collections::HashSet::new();
        for step in NextStep::ALL {
            assert!(!step.message_ja().is_empty() && step.message_ja().ends_with('。'));
            assert!(!step.message_en().is_empty());
            assert_eq!(step.to_string(), step.message_en());
            let json = serde_json::to_string(&step).unwrap();
            assert!(names.insert(json.clone()), "{json}");
            assert_eq!(serde_json::from_str::<NextStep>(&json).unwrap(), step);
        }
        assert_eq!(
            serde_json::to_string(&NextStep::FixDeviceSetup).unwrap(),
            "\"fix_device_setup\""
        );
    }
}
