//! Table-driven tests of every kind of evidence and its validity on the checkup date.

// The table rows are built in helper functions, outside `#[test]`, where clippy.toml's test
// allowances do not reach: a row that cannot build its fixture is a broken test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::table::{Row, manual, reason, resp, run};
use common::*;
use voucher_model::*;

use Field as F;
use FieldStatus::{Matched as M, Mismatched as X, NotCompared as N, Warning as W};

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "目視確認 attested the day before the checkup",
            change: |c| {
                let r = resp(c).clone();
                c.evidence = Evidence::online(
                    OnlineChannel::Limited,
                    OnlineMode::VisualConfirmation {
                        attestation: StaffAttestation::new("reception-07", t("20250930170000"))
                            .unwrap(),
                    },
                    r,
                );
            },
            outcome: Outcome::NeedsStaffReview,
            expect: &[(
                F::AttestationDate,
                W,
                reason!(Reason::AttestedOnAnotherDay { .. }),
            )],
        },
        Row {
            name: "online 目視確認 with attestation",
            change: |c| {
                let r = resp(c).clone();
                c.evidence = Evidence::online(
                    OnlineChannel::Limited,
                    OnlineMode::VisualConfirmation {
                        attestation: attestation(),
                    },
                    r,
                );
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Evidence, M, reason!(Reason::VisualConfirmationAttested))],
        },
        Row {
            name: "online 既存型 terminal",
            change: |c| {
                let r = resp(c).clone();
                c.evidence =
                    Evidence::online(OnlineChannel::Existing, OnlineMode::ExistingTerminal, r);
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Evidence, M, reason!(Reason::ExistingTerminalCheck))],
        },
        Row {
            name: "PIN mode without a verified signature",
            change: |c| {
                let r = resp(c).clone();
                c.evidence = Evidence::online(
                    OnlineChannel::Limited,
                    OnlineMode::Pin {
                        signature_verified: false,
                    },
                    r,
                );
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::PinSignatureNotVerified))],
        },
        Row {
            name: "Mynaportal 資格情報 screen",
            change: |c| {
                manual(
                    c,
                    Evidence::Mynaportal {
                        reading: reading(),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::Eligible,
            expect: &[
                (F::Evidence, M, reason!(Reason::MynaportalScreenRead)),
                (
                    F::QualificationValidity,
                    M,
                    reason!(Reason::ShownOnDocument),
                ),
                (F::CardSymbol, M, reason!(Reason::EqualAfterNormalization)),
                (F::Name, M, reason!(Reason::EqualAfterNormalization)),
            ],
        },
        Row {
            name: "Mynaportal screen without the qualification date",
            change: |c| {
                let mut r = reading();
                r.qualification_date = None;
                manual(
                    c,
                    Evidence::Mynaportal {
                        reading: r,
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::Eligible,
            expect: &[(
                F::QualificationPeriod,
                N,
                reason!(Reason::MissingInEvidence),
            )],
        },
        Row {
            name: "Mynaportal screen, qualified after the checkup",
            change: |c| {
                let mut r = reading();
                r.qualification_date = Some(d("2025-11-01"));
                manual(
                    c,
                    Evidence::Mynaportal {
                        reading: r,
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationPeriod,
                X,
                reason!(Reason::PeriodDoesNotCover { .. }),
            )],
        },
        Row {
            name: "Mynaportal screen, other insurer",
            change: |c| {
                let mut r = reading();
                r.insurer_number = InsurerNumber::parse("33120015").unwrap();
                manual(
                    c,
                    Evidence::Mynaportal {
                        reading: r,
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::InsurerNumber, X, reason!(Reason::Different))],
        },
        Row {
            name: "マイナ保険証 + 資格情報のお知らせ",
            change: |c| {
                manual(
                    c,
                    Evidence::MynaCardWithNotice {
                        card_presented: true,
                        notice: Some(reading()),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Evidence, M, reason!(Reason::CardAndNoticeShown))],
        },
        Row {
            name: "資格情報のお知らせ alone is refused",
            change: |c| {
                manual(
                    c,
                    Evidence::MynaCardWithNotice {
                        card_presented: false,
                        notice: Some(reading()),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::NoticeWithoutCard))],
        },
        Row {
            name: "neither マイナ保険証 nor the notice",
            change: |c| {
                manual(
                    c,
                    Evidence::MynaCardWithNotice {
                        card_presented: false,
                        notice: None,
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::NeitherCardNorNotice))],
        },
        Row {
            name: "マイナ保険証 without the notice",
            change: |c| {
                manual(
                    c,
                    Evidence::MynaCardWithNotice {
                        card_presented: true,
                        notice: None,
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::CardWithoutNotice))],
        },
        Row {
            name: "資格確認書 on its last valid day",
            change: |c| {
                manual(
                    c,
                    Evidence::QualificationCertificate {
                        reading: reading(),
                        valid_until: checkup_date(),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Evidence, M, reason!(Reason::CertificateUnexpired { .. }))],
        },
        Row {
            name: "資格確認書 expired",
            change: |c| {
                manual(
                    c,
                    Evidence::QualificationCertificate {
                        reading: reading(),
                        valid_until: d("2025-09-30"),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::CertificateExpired { .. }))],
        },
        Row {
            name: "old insurance card on 2025-12-01",
            change: |c| {
                c.date = d("2025-12-01");
                manual(
                    c,
                    Evidence::OldInsuranceCard {
                        reading: reading(),
                        valid_until: None,
                        attestation: attestation_on(d("2025-12-01")),
                    },
                )
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Evidence, M, reason!(Reason::OldCardAccepted))],
        },
        Row {
            name: "old insurance card on 2025-12-02",
            change: |c| {
                c.date = d("2025-12-02");
                manual(
                    c,
                    Evidence::OldInsuranceCard {
                        reading: reading(),
                        valid_until: None,
                        attestation: attestation_on(d("2025-12-02")),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::OldCardAbolished))],
        },
        Row {
            name: "old insurance card past its own expiry",
            change: |c| {
                manual(
                    c,
                    Evidence::OldInsuranceCard {
                        reading: reading(),
                        valid_until: Some(d("2025-09-30")),
                        attestation: attestation(),
                    },
                )
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::Evidence, X, reason!(Reason::OldCardExpired { .. }))],
        },
    ]
}

#[test]
fn every_evidence_kind() {
    run(rows());
}
