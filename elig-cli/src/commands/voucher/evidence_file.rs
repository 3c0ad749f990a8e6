//! The evidence file of `elig voucher verify --evidence FILE`: what staff read off a
//! document or a screen, as JSON. This file format is this project's own design; its parts
//! are voucher-model's stable schema.
//!
//! One JSON object, tagged by `kind` — the manual evidence kinds of elig-client's
//! `session::manual_check` (vouchers.md, "Evidence and its validity"). Unknown fields are
//! refused, so a misspelt field is an error rather than silently ignored.
//!
//! | `kind` | other fields |
//! |---|---|
//! | `mynaportal` | `reading`, `attestation` |
//! | `myna_card_with_notice` | `card_presented` (bool), `notice` (a reading or absent), `attestation` |
//! | `qualification_certificate` | `reading`, `valid_until` (date), `attestation` |
//! | `old_insurance_card` | `reading`, `valid_until` (date or absent), `attestation` |
//!
//! A `reading` (voucher-model's `QualificationReading`): `insurer_number`, `card_symbol`
//! (optional), `card_number`, `branch_number` (optional), `name`, `birth_date`,
//! `qualification_date` (optional). An `attestation`: `staff_id` (≤ 64 characters) and
//! `attested_at` (`YYYY-MM-DDTHH:MM:SS`, Japan time). Dates are `YYYY-MM-DD`.
//!
//! An online result is not an evidence file: give the 既存型 response with `--oqs-response`.

use serde::Deserialize;
use voucher_model::{Date, Evidence, QualificationReading, StaffAttestation};

/// The evidence file (module docs).
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum EvidenceFile {
    /// The Mynaportal 資格情報 screen.
    Mynaportal {
        reading: QualificationReading,
        attestation: StaffAttestation,
    },
    /// マイナ保険証 with 資格情報のお知らせ.
    MynaCardWithNotice {
        card_presented: bool,
        #[serde(default)]
        notice: Option<QualificationReading>,
        attestation: StaffAttestation,
    },
    /// 資格確認書.
    QualificationCertificate {
        reading: QualificationReading,
        valid_until: Date,
        attestation: StaffAttestation,
    },
    /// The old health-insurance card.
    OldInsuranceCard {
        reading: QualificationReading,
        #[serde(default)]
        valid_until: Option<Date>,
        attestation: StaffAttestation,
    },
}

impl From<EvidenceFile> for Evidence {
    fn from(file: EvidenceFile) -> Evidence {
        match file {
            EvidenceFile::Mynaportal {
                reading,
                attestation,
            } => Evidence::Mynaportal {
                reading,
                attestation,
            },
            EvidenceFile::MynaCardWithNotice {
                card_presented,
                notice,
                attestation,
            } => Evidence::MynaCardWithNotice {
                card_presented,
                notice,
                attestation,
            },
            EvidenceFile::QualificationCertificate {
                reading,
                valid_until,
                attestation,
            } => Evidence::QualificationCertificate {
                reading,
                valid_until,
                attestation,
            },
            EvidenceFile::OldInsuranceCard {
                reading,
                valid_until,
                attestation,
            } => Evidence::OldInsuranceCard {
                reading,
                valid_until,
                attestation,
            },
        }
    }
}
