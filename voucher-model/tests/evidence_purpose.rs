//! Evidence construction and serde, and the purpose rules.

mod common;

use common::*;
use voucher_model::*;

#[test]
fn attestation_needs_a_staff_member() {
    let at = t("20251001093000");
    assert_eq!(
        StaffAttestation::new("  ", at),
        Err(AttestationError::MissingStaff)
    );
    assert_eq!(
        StaffAttestation::new(&"x".repeat(65), at),
        Err(AttestationError::InvalidStaffId)
    );
    assert_eq!(
        StaffAttestation::new("a\nb", at),
        Err(AttestationError::InvalidStaffId)
    );
    // Counted in characters: 64 kanji (192 bytes) pass, 65 do not.
    let kanji = "田".repeat(MAX_STAFF_ID_CHARS);
    assert_eq!(StaffAttestation::new(&kanji, at).unwrap().staff_id(), kanji);
    assert_eq!(
        StaffAttestation::new(&"田".repeat(MAX_STAFF_ID_CHARS + 1), at),
        Err(AttestationError::InvalidStaffId)
    );
    assert_eq!(check_staff_id(""), Ok(()));
    assert_eq!(
        check_staff_id("a\u{7f}"),
        Err(AttestationError::InvalidStaffId)
    );
    let a = StaffAttestation::new(" 受付 山田 ", at).unwrap();
    assert_eq!(a.staff_id(), "受付 山田");
    assert_eq!(a.attested_at(), at);
    // Serde validates too.
    let bad = r#"{"staff_id": "", "attested_at": "2025-10-01T09:30:00"}"#;
    assert!(serde_json::from_str::<StaffAttestation>(bad).is_err());
}

#[test]
fn evidence_kinds_and_json() {
    let cases: Vec<(Evidence, EvidenceKind, &str)> = vec![
        (online_pin(), EvidenceKind::OnlinePin, "online"),
        (
            Evidence::online(
                OnlineChannel::Limited,
                OnlineMode::VisualConfirmation {
                    attestation: attestation(),
                },
                response(),
            ),
            EvidenceKind::OnlineVisualConfirmation,
            "online",
        ),
        (
            Evidence::online(
                OnlineChannel::Existing,
                OnlineMode::ExistingTerminal,
                response(),
            ),
            EvidenceKind::OnlineExistingTerminal,
            "online",
        ),
        (
            Evidence::Mynaportal {
                reading: reading(),
                attestation: attestation(),
            },
            EvidenceKind::Mynaportal,
            "mynaportal",
        ),
        (
            Evidence::MynaCardWithNotice {
                card_presented: true,
                notice: Some(reading()),
                attestation: attestation(),
            },
            EvidenceKind::MynaCardWithNotice,
            "myna_card_with_notice",
        ),
        (
            Evidence::QualificationCertificate {
                reading: reading(),
                valid_until: d("2026-07-31"),
                attestation: attestation(),
            },
            EvidenceKind::QualificationCertificate,
            "qualification_certificate",
        ),
        (
            Evidence::OldInsuranceCard {
                reading: reading(),
                valid_until: None,
                attestation: attestation(),
            },
            EvidenceKind::OldInsuranceCard,
            "old_insurance_card",
        ),
    ];
    for (e, kind, tag) in cases {
        assert_eq!(e.kind(), kind);
        assert!(!kind.name_ja().is_empty());
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], tag, "{json}");
        let back: Evidence = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        let needs_attestation = !matches!(
            kind,
            EvidenceKind::OnlinePin | EvidenceKind::OnlineExistingTerminal
        );
        assert_eq!(e.attestation().is_some(), needs_attestation, "{kind:?}");
    }
}

#[test]
fn old_card_cut_off_is_2025_12_01() {
    assert_eq!(OLD_CARD_LAST_DAY, d("2025-12-01"));
}

#[test]
fn purposes() {
    let cases = [
        (
            RequestedUse::SpecificHealthCheckup,
            Ok(RequestedUse::SpecificHealthCheckup),
        ),
        (
            RequestedUse::SpecificHealthGuidance,
            Ok(RequestedUse::SpecificHealthGuidance),
        ),
        (
            RequestedUse::NingenDockInsurerConfirmation,
            Ok(RequestedUse::NingenDockInsurerConfirmation),
        ),
        (
            RequestedUse::IdentityVerification,
            Err(PurposeError::IdentityVerificationNotPermitted),
        ),
    ];
    for (req, want) in cases {
        assert_eq!(
            Purpose::for_online_check(req).map(Purpose::requested_use),
            want
        );
    }
    let e = PurposeError::IdentityVerificationNotPermitted;
    assert!(e.message_ja().contains("本人確認には利用できません"));
    assert!(e.message_ja().contains("マイナンバーカード"));
    assert!(e.message_en().contains("My Number Card"));
    assert_eq!(
        purpose(RequestedUse::SpecificHealthGuidance).voucher_kind(),
        VoucherKind::Guidance
    );
    assert_eq!(
        purpose(RequestedUse::NingenDockInsurerConfirmation).voucher_kind(),
        VoucherKind::Checkup
    );
    assert_eq!(
        serde_json::to_string(&purpose(RequestedUse::NingenDockInsurerConfirmation)).unwrap(),
        "\"ningen_dock_insurer_confirmation\""
    );
}

/// The gate cannot be bypassed through serde either: JSON goes through `for_online_check`.
#[test]
fn purpose_json_goes_through_the_gate() {
    for requested in [
        RequestedUse::SpecificHealthCheckup,
        RequestedUse::SpecificHealthGuidance,
        RequestedUse::NingenDockInsurerConfirmation,
    ] {
        let p = purpose(requested);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, serde_json::to_string(&requested).unwrap());
        assert_eq!(serde_json::from_str::<Purpose>(&json).unwrap(), p);
        assert_eq!(Purpose::try_from(requested), Ok(p));
        assert_eq!(RequestedUse::from(p), requested);
    }
    let refused = serde_json::from_str::<Purpose>("\"identity_verification\"").unwrap_err();
    assert!(refused.to_string().contains("identity verification"));
    assert_eq!(
        Purpose::try_from(RequestedUse::IdentityVerification),
        Err(PurposeError::IdentityVerificationNotPermitted)
    );
}

#[test]
fn attestation_errors_have_japanese_messages() {
    let e = StaffAttestation::new("  ", t("20251001093000")).unwrap_err();
    assert_eq!(e.message_ja(), "確認した職員が入力されていません。");
    assert_eq!(e.message_en(), e.to_string());
    assert!(
        AttestationError::InvalidStaffId
            .message_ja()
            .contains("職員")
    );
}
