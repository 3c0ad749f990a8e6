//! The embedded demo does not expire (issue 10, item 9): at a fake clock in 2031 the valid
//! personas are still eligible and the deliberately invalid ones are still not, end to end
//! through the gateway (challenge, signed PIN inquiry, the registry's lookup) and
//! voucher-model's verdict on the vouchers the registry holds for that day.
// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use elig_proto::gateway::{
    self as proto, ChallengeResponse, InquiryResult, RejectReason, Rejection,
};
use elig_sandbox::clock::FakeClock;
use elig_sandbox::registry::Registry;
use elig_sandbox::{OfflineGateway, Route, SandboxConfig, inquiry};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::SignatureEncoding as _;
use rsa::signature::hazmat::PrehashSigner as _;
use sha2::Sha256;
use voucher_model::{
    Date, Evidence, OnlineChannel, OnlineMode, Outcome, Purpose, QualificationResponse,
    QualificationValidity, RequestedUse, SearchInfo, Voucher, VoucherKind, verify,
};

const JSON: Option<&str> = Some("application/json");

/// The gateway of the embedded default sandbox, its clock at noon JST on `today`.
fn gateway_on(today: Date) -> OfflineGateway {
    let config = SandboxConfig::embedded_default()
        .unwrap()
        .with_clock(Arc::new(FakeClock::at_jst_noon(today)));
    OfflineGateway::new(&config).unwrap()
}

/// A PIN-mode inquiry for card `serial` on `today`, signed with the card's key: the
/// gateway's status and, on 200, the qualification response.
fn inquire(
    gateway: &OfflineGateway,
    registry: &Registry,
    serial: u64,
    today: Date,
    search: Option<&SearchInfo>,
) -> Result<QualificationResponse, RejectReason> {
    let clinic = gateway.pki().device("clinic").unwrap();
    let device = gateway.device(&clinic.cert_der).unwrap();
    let (status, body) = gateway.handle_body(&device, Route::Challenge, JSON, b"{\"version\":1}");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let challenge = proto::decode::<ChallengeResponse>(&body).unwrap().challenge;
    let card = gateway
        .pki()
        .issue_card(&registry.card(serial).unwrap().spec())
        .unwrap();
    let unsigned = inquiry::unsigned(
        "demo-2031",
        &device.facility,
        today,
        search,
        card.auth().cert_der(),
    )
    .unwrap();
    let digest = inquiry::digest(&unsigned, &challenge, &device.facility);
    let signature = SigningKey::<Sha256>::new(card.auth().key().clone())
        .sign_prehash(&digest)
        .unwrap()
        .to_vec();
    let request = inquiry::with_pin(unsigned, challenge, digest, signature).unwrap();
    let (status, body) = gateway.handle_body(
        &device,
        Route::Inquiry,
        JSON,
        &proto::encode(&request).unwrap(),
    );
    if status == 200 {
        Ok(proto::decode::<InquiryResult>(&body).unwrap().response)
    } else {
        Err(proto::decode::<Rejection>(&body).unwrap().reason)
    }
}

/// The search keys a client takes from the voucher.
fn search_of(voucher: &Voucher) -> SearchInfo {
    SearchInfo {
        insurer_number: Some(voucher.insurer_number().clone()),
        insured_identification_number: Some(voucher.card_number().clone()),
        ..SearchInfo::default()
    }
}

fn purpose_of(voucher: &Voucher) -> Purpose {
    let requested = match voucher.kind() {
        VoucherKind::Checkup => RequestedUse::SpecificHealthCheckup,
        VoucherKind::Guidance => RequestedUse::SpecificHealthGuidance,
    };
    Purpose::for_online_check(requested).unwrap()
}

/// The verdict for the person `handle` with the voucher they hold on `today`.
fn verdict_on(gateway: &OfflineGateway, today: Date, handle: &str) -> (Outcome, Outcome) {
    let registry = Registry::default_registry().unwrap();
    let serial = registry.person(handle).unwrap().card.serial;
    let vouchers = registry.vouchers_on(handle, today).unwrap();
    let [voucher] = vouchers.as_slice() else {
        panic!("{handle} holds one voucher")
    };
    assert!(
        voucher.is_unexpired_on(today),
        "{handle}: the voucher follows today"
    );
    let response = inquire(gateway, &registry, serial, today, Some(&search_of(voucher)))
        .unwrap_or_else(|reason| panic!("{handle}: rejected {reason:?}"));
    let evidence = Evidence::online(
        OnlineChannel::Limited,
        OnlineMode::Pin {
            signature_verified: true,
        },
        response,
    );
    let now = verify(voucher, &evidence, today, purpose_of(voucher)).outcome;
    // The voucher as written in the file (fiscal year 2025 or 2026) has expired by then:
    // without re-dating, the demo would say "not eligible".
    let as_written = &registry.person(handle).unwrap().vouchers[0];
    let stale = verify(as_written, &evidence, today, purpose_of(as_written)).outcome;
    (now, stale)
}

#[test]
fn in_2031_the_valid_personas_are_eligible_and_the_invalid_ones_are_not() {
    // June (fiscal year 2031) and February (still fiscal year 2030).
    for today in [
        Date::new(2031, 6, 15).unwrap(),
        Date::new(2031, 2, 28).unwrap(),
    ] {
        let gateway = gateway_on(today);
        for handle in ["P01", "P02", "P03", "P04"] {
            let (now, stale) = verdict_on(&gateway, today, handle);
            assert_eq!(now, Outcome::Eligible, "{handle} on {today}");
            assert_eq!(
                stale,
                Outcome::NotEligible,
                "{handle} on {today}, fixed dates"
            );
        }
        // P05 lost the qualification in 2025; P06's voucher is from the insurer left in 2025.
        for handle in ["P05", "P06"] {
            let (now, _) = verdict_on(&gateway, today, handle);
            assert_eq!(now, Outcome::NotEligible, "{handle} on {today}");
        }
    }
}

#[test]
fn in_2031_the_lookup_answers_as_it_did_in_2026() {
    let registry = Registry::default_registry().unwrap();
    let today = Date::new(2031, 6, 15).unwrap();
    let gateway = gateway_on(today);
    let validity = |handle: &str| {
        let serial = registry.person(handle).unwrap().card.serial;
        inquire(&gateway, &registry, serial, today, None).map(|r| r.qualification_validity)
    };
    for handle in ["P01", "P02", "P03", "P04", "P06"] {
        assert_eq!(
            validity(handle),
            Ok(Some(QualificationValidity::Valid)),
            "{handle}"
        );
    }
    assert_eq!(validity("P05"), Ok(Some(QualificationValidity::Invalid)));
    assert_eq!(
        validity("P07"),
        Ok(Some(QualificationValidity::MultipleMatches))
    );
    assert_eq!(validity("P08"), Err(RejectReason::CertificateRevoked));
    assert_eq!(validity("P09"), Err(RejectReason::CertificateExpired));
    let nobody = registry.unregistered_cards()[0].serial;
    let answer = inquire(&gateway, &registry, nobody, today, None).unwrap();
    assert_eq!(
        answer.qualification_validity,
        Some(QualificationValidity::NoQualification)
    );
    assert!(answer.results.is_empty());
}
