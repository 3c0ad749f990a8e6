//! What the check rests on: the kinds of evidence a checkup institution may accept.
//!
//! Public facts (seed notice 第２の２, vouchers.md "Evidence and its validity"):
//!
//! | Evidence | Accept when |
//! |---|---|
//! | Online check, PIN mode | signature verified by the gateway |
//! | Online check, 目視確認 mode | staff attest they compared the photo; recorded as such |
//! | Mynaportal 資格情報 screen | staff read the fields off the screen |
//! | マイナ保険証 + 資格情報のお知らせ | both shown; the notice alone is refused |
//! | 資格確認書 | not past its 有効期限 |
//! | Old health-insurance card | only for checkup dates up to 2025-12-01 |
//!
//! The 既存型 terminal (an institution's existing full system) may be used as well (seed
//! notice, footnote 2). What is recorded for each kind is our own design.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::date::{Date, DateTime};
use crate::ids::{BranchNumber, CardNumber, CardSymbol, InsurerNumber};
use crate::record::QualificationResponse;
use crate::text::trim_spaces;

/// The last checkup date on which an old health-insurance card is accepted: old cards stayed
/// valid at most until 2025-12-01 (vouchers.md).
pub const OLD_CARD_LAST_DAY: Date = match Date::from_ymd(2025, 12, 1) {
    Some(d) => d,
    None => Date::MIN,
};

/// Longest staff identifier in an attestation, in characters (Unicode scalar values; our
/// own bound). The same rule holds where the client builds an attestation
/// ([`StaffAttestation::new`]) and where the gateway protocol carries and checks one
/// (elig-proto's `VisualAttestation`): both call [`check_staff_id`].
pub const MAX_STAFF_ID_CHARS: usize = 64;

/// The one rule for a staff identifier's length and characters, on every side: at most
/// [`MAX_STAFF_ID_CHARS`] characters (counted as characters, not bytes: `田` is one) and no
/// control characters. A longer or unclean identifier is refused, never cut or cleaned.
/// Emptiness is not checked here: [`StaffAttestation::new`] refuses a blank identifier,
/// while the gateway protocol reads an empty one as "not attested".
///
/// ```
/// use voucher_model::evidence::{check_staff_id, MAX_STAFF_ID_CHARS};
/// assert!(check_staff_id(&"田".repeat(MAX_STAFF_ID_CHARS)).is_ok());
/// assert!(check_staff_id(&"田".repeat(MAX_STAFF_ID_CHARS + 1)).is_err());
/// assert!(check_staff_id("a\nb").is_err());
/// ```
pub fn check_staff_id(staff_id: &str) -> Result<(), AttestationError> {
    let mut count: usize = 0;
    for c in staff_id.chars() {
        count = count.saturating_add(1);
        if count > MAX_STAFF_ID_CHARS || c.is_control() {
            return Err(AttestationError::InvalidStaffId);
        }
    }
    Ok(())
}

/// A staff member's attestation: who did the visual or manual check, and when.
///
/// Build it with [`StaffAttestation::new`]; serde validates the same way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StaffAttestationFields", into = "StaffAttestationFields")]
pub struct StaffAttestation {
    staff_id: String,
    attested_at: DateTime,
}

/// The JSON form of a [`StaffAttestation`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffAttestationFields {
    /// Who (a staff identifier of the institution's choosing, not a secret).
    pub staff_id: String,
    /// When (wall-clock time, JST).
    pub attested_at: DateTime,
}

/// Why an attestation was refused: the caller supplied an unusable staff identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttestationError {
    /// Empty or blank staff identifier.
    #[error("the attestation names no staff member")]
    MissingStaff,
    /// Longer than [`MAX_STAFF_ID_CHARS`] characters or containing control characters.
    #[error("the staff identifier is longer than 64 characters or contains control characters")]
    InvalidStaffId,
}

impl AttestationError {
    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> &'static str {
        match self {
            AttestationError::MissingStaff => "確認した職員が入力されていません。",
            AttestationError::InvalidStaffId => {
                "職員の識別子が長すぎるか、使えない文字が含まれています（64文字まで）。"
            }
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl StaffAttestation {
    /// Records that `staff_id` did the check at `attested_at`. Surrounding spaces are
    /// trimmed; a blank identifier is [`AttestationError::MissingStaff`], one that breaks
    /// [`check_staff_id`] is [`AttestationError::InvalidStaffId`].
    pub fn new(staff_id: &str, attested_at: DateTime) -> Result<Self, AttestationError> {
        let id = trim_spaces(staff_id);
        if id.is_empty() {
            return Err(AttestationError::MissingStaff);
        }
        check_staff_id(id)?;
        Ok(StaffAttestation {
            staff_id: id.to_owned(),
            attested_at,
        })
    }

    /// Who.
    pub fn staff_id(&self) -> &str {
        &self.staff_id
    }

    /// When.
    pub fn attested_at(&self) -> DateTime {
        self.attested_at
    }
}

impl TryFrom<StaffAttestationFields> for StaffAttestation {
    type Error = AttestationError;

    fn try_from(f: StaffAttestationFields) -> Result<Self, Self::Error> {
        StaffAttestation::new(&f.staff_id, f.attested_at)
    }
}

impl From<StaffAttestation> for StaffAttestationFields {
    fn from(a: StaffAttestation) -> Self {
        StaffAttestationFields {
            staff_id: a.staff_id,
            attested_at: a.attested_at,
        }
    }
}

/// Which online-check system produced the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineChannel {
    /// 資格確認限定型: generic reader over the internet (this SDK's gateway protocol).
    Limited,
    /// 既存型: the institution's existing terminal on the closed network (XML files).
    Existing,
}

/// How the person was bound to the card in an online check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum OnlineMode {
    /// PIN mode: the card signed the challenge; `signature_verified` is the gateway's word
    /// that it verified signature, chain, validity and revocation.
    Pin {
        /// Whether the gateway verified the signature.
        signature_verified: bool,
    },
    /// 目視確認 mode: no PIN; staff compared the card photo with the face.
    VisualConfirmation {
        /// The staff member's attestation.
        attestation: StaffAttestation,
    },
    /// The 既存型 terminal did the card check itself (face recognition, PIN or visual at the
    /// terminal) or looked the person up by insurance numbers; the response's
    /// `ReferenceClassification` says which.
    ExistingTerminal,
}

/// An online qualification check and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineCheck {
    /// Which system.
    pub channel: OnlineChannel,
    /// How the person was bound to the card.
    pub mode: OnlineMode,
    /// The result.
    pub response: QualificationResponse,
}

/// The qualification fields staff read off a screen or a document (Mynaportal 資格情報
/// screen, 資格情報のお知らせ, 資格確認書, old card). `Debug` redacts name and birth date.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualificationReading {
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 記号.
    #[serde(default)]
    pub card_symbol: Option<CardSymbol>,
    /// 番号.
    pub card_number: CardNumber,
    /// 枝番.
    #[serde(default)]
    pub branch_number: Option<BranchNumber>,
    /// 氏名, when read.
    #[serde(default)]
    pub name: Option<String>,
    /// 生年月日, when read.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 資格取得年月日, when read.
    #[serde(default)]
    pub qualification_date: Option<Date>,
}
impl fmt::Debug for QualificationReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QualificationReading")
            .field("insurer_number", &self.insurer_number)
            .field("card_symbol", &self.card_symbol)
            .field("card_number", &self.card_number)
            .field("branch_number", &self.branch_number)
            .field("name", &crate::personal::opt(&self.name))
            .field("birth_date", &crate::personal::opt(&self.birth_date))
            .field("qualification_date", &self.qualification_date)
            .finish()
    }
}

/// The evidence a verdict rests on.
///
/// JSON: `{"kind": "online", ...}`, `{"kind": "mynaportal", ...}`,
/// `{"kind": "myna_card_with_notice", ...}`, `{"kind": "qualification_certificate", ...}`,
/// `{"kind": "old_insurance_card", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Evidence {
    /// オンライン資格確認 (boxed: a response is much larger than a reading).
    Online(Box<OnlineCheck>),
    /// The Mynaportal 資格情報 screen shown by the person; staff read the fields.
    Mynaportal {
        /// What staff read.
        reading: QualificationReading,
        /// Who read it, and when.
        attestation: StaffAttestation,
    },
    /// マイナ保険証 together with 資格情報のお知らせ. Both are required: the notice alone is
    /// refused, and the card alone carries nothing to read without an online check.
    MynaCardWithNotice {
        /// Whether the My Number Card (registered as insurance card) was shown.
        card_presented: bool,
        /// What staff read off the 資格情報のお知らせ, if it was shown.
        notice: Option<QualificationReading>,
        /// Who checked, and when.
        attestation: StaffAttestation,
    },
    /// 資格確認書 (paper qualification certificate).
    QualificationCertificate {
        /// What staff read.
        reading: QualificationReading,
        /// Its 有効期限 (last valid day).
        valid_until: Date,
        /// Who checked, and when.
        attestation: StaffAttestation,
    },
    /// An old health-insurance card: accepted only for checkup dates up to 2025-12-01.
    OldInsuranceCard {
        /// What staff read.
        reading: QualificationReading,
        /// The card's own 有効期限, if it has one.
        valid_until: Option<Date>,
        /// Who checked, and when.
        attestation: StaffAttestation,
    },
}

/// What kind of evidence, without its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// Online check, PIN mode.
    OnlinePin,
    /// Online check, 目視確認 mode.
    OnlineVisualConfirmation,
    /// Online check on the 既存型 terminal.
    OnlineExistingTerminal,
    /// Mynaportal 資格情報 screen.
    Mynaportal,
    /// マイナ保険証 + 資格情報のお知らせ.
    MynaCardWithNotice,
    /// 資格確認書.
    QualificationCertificate,
    /// Old health-insurance card.
    OldInsuranceCard,
}

impl EvidenceKind {
    /// Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            EvidenceKind::OnlinePin => "オンライン資格確認（暗証番号）",
            EvidenceKind::OnlineVisualConfirmation => "オンライン資格確認（目視確認）",
            EvidenceKind::OnlineExistingTerminal => "オンライン資格確認（既存の資格確認端末）",
            EvidenceKind::Mynaportal => "マイナポータルの資格情報画面",
            EvidenceKind::MynaCardWithNotice => "マイナ保険証と資格情報のお知らせ",
            EvidenceKind::QualificationCertificate => "資格確認書",
            EvidenceKind::OldInsuranceCard => "健康保険証（旧）",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            EvidenceKind::OnlinePin => "online check, PIN mode",
            EvidenceKind::OnlineVisualConfirmation => "online check, visual confirmation",
            EvidenceKind::OnlineExistingTerminal => "online check, existing terminal",
            EvidenceKind::Mynaportal => "Mynaportal qualification screen",
            EvidenceKind::MynaCardWithNotice => "My Number insurance card with notice",
            EvidenceKind::QualificationCertificate => "qualification certificate",
            EvidenceKind::OldInsuranceCard => "old health-insurance card",
        }
    }
}

impl fmt::Display for EvidenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

impl Evidence {
    /// Evidence from an online check.
    pub fn online(
        channel: OnlineChannel,
        mode: OnlineMode,
        response: QualificationResponse,
    ) -> Self {
        Evidence::Online(Box::new(OnlineCheck {
            channel,
            mode,
            response,
        }))
    }

    /// What kind of evidence this is.
    pub fn kind(&self) -> EvidenceKind {
        match self {
            Evidence::Online(check) => match check.mode {
                OnlineMode::Pin { .. } => EvidenceKind::OnlinePin,
                OnlineMode::VisualConfirmation { .. } => EvidenceKind::OnlineVisualConfirmation,
                OnlineMode::ExistingTerminal => EvidenceKind::OnlineExistingTerminal,
            },
            Evidence::Mynaportal { .. } => EvidenceKind::Mynaportal,
            Evidence::MynaCardWithNotice { .. } => EvidenceKind::MynaCardWithNotice,
            Evidence::QualificationCertificate { .. } => EvidenceKind::QualificationCertificate,
            Evidence::OldInsuranceCard { .. } => EvidenceKind::OldInsuranceCard,
        }
    }

    /// The staff attestation the evidence carries, if any.
    pub fn attestation(&self) -> Option<&StaffAttestation> {
        match self {
            Evidence::Online(check) => match &check.mode {
                OnlineMode::VisualConfirmation { attestation } => Some(attestation),
                OnlineMode::Pin { .. } | OnlineMode::ExistingTerminal => None,
            },
            Evidence::Mynaportal { attestation, .. }
            | Evidence::MynaCardWithNotice { attestation, .. }
            | Evidence::QualificationCertificate { attestation, .. }
            | Evidence::OldInsuranceCard { attestation, .. } => Some(attestation),
        }
    }
}
