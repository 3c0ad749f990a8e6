//! The default sandbox trusts a virtual card with default credentials: no test glue between
//! the two, because both take their PKI from `elig-testpki`'s default seed (issue 10, item 1).
#![allow(clippy::unwrap_used, clippy::panic)] // test code

mod common;

use std::sync::Arc;

use elig_proto::gateway::Basis;
use elig_sandbox::client::Answer;
use elig_sandbox::clock::{FakeClock, jst_noon};
use elig_sandbox::{Sandbox, SandboxConfig, inquiry};
use reader_backends::mock::VirtualMyNumberCard;
use voucher_model::{Date, QualificationValidity};

/// The default sandbox, started in-process, answers 200 with P01's qualification to a
/// PIN-mode inquiry signed by `VirtualMyNumberCard` for registry serial 1001 built with
/// default credentials (only the PIN is chosen).
#[tokio::test]
async fn a_default_virtual_card_is_accepted_by_the_default_sandbox() {
    let config = SandboxConfig::embedded_default()
        .unwrap()
        .with_clock(Arc::new(FakeClock::at_jst_noon(common::today())));
    let sandbox = Sandbox::start(config).await.unwrap();
    let pki = sandbox.pki().clone();
    let registry = sandbox.registry().clone();
    let device = pki.device("clinic").unwrap().clone();
    // The SDK's HTTPS driver, as a vendor would connect.
    let mut client =
        common::Client::for_device(sandbox.addr(), pki.gateway_ca().cert_der(), &device);
    let serial = registry.person("P01").unwrap().card.serial;
    assert_eq!(serial, 1001);
    let mut card = VirtualMyNumberCard::builder()
        .serial(serial)
        .pin("2580")
        .issued_on(jst_noon(common::today()))
        .build()
        .unwrap();

    let challenge = common::challenge(&mut client).await;
    let card_cert = card.credentials().auth().cert_der().to_vec();
    let request = inquiry::unsigned(
        "default-card-1",
        &device.facility,
        common::today(),
        None,
        &card_cert,
    )
    .unwrap();
    let digest = inquiry::digest(&request, &challenge, &device.facility);
    let (read_cert, signature) = common::sign_on(&mut card, "2580", &digest);
    assert_eq!(
        read_cert, card_cert,
        "the procedure read the card's certificate"
    );
    let request = inquiry::with_pin(request, challenge, digest, signature).unwrap();
    let answer = client.inquiry(&request).await.unwrap();
    let Answer::Ok(result) = answer else {
        panic!("the default sandbox refused the default virtual card: {answer:?}")
    };
    assert_eq!(result.basis, Basis::CardSignature);
    assert_eq!(
        result.response.qualification_validity,
        Some(QualificationValidity::Valid),
        "P01 is insured on the checkup day"
    );
    let insurers: Vec<_> = result
        .response
        .results
        .iter()
        .map(|r| r.insurer_number.as_ref().map(|n| n.as_str().to_owned()))
        .collect();
    assert_eq!(
        insurers,
        [Some("01130012".to_owned())],
        "P01's insurer (協会けんぽ, registry table)"
    );
    sandbox.shutdown().await;
}

/// The embedded default does not expire (issue 10, item 9): on a fake clock in 2031, 2040
/// (after the old fixed card validity, 2034) and 2051 (after the old CRL and device
/// certificate end, 2045, and past UTCTime's last year, 2049), the default sandbox answers
/// 200 Valid to the PIN-mode inquiry of a default virtual card issued that day, over TLS
/// (the client checks the server certificate on the real clock).
#[tokio::test]
async fn the_default_card_is_accepted_by_the_default_sandbox_in_2031_2040_and_2051() {
    let base = SandboxConfig::embedded_default().unwrap();
    for today in [
        Date::new(2031, 6, 15).unwrap(),
        Date::new(2040, 2, 29).unwrap(),
        Date::new(2051, 3, 31).unwrap(),
    ] {
        let config = base
            .clone()
            .with_clock(Arc::new(FakeClock::at_jst_noon(today)));
        let sandbox = Sandbox::start(config).await.unwrap();
        let pki = sandbox.pki().clone();
        assert_eq!(pki.issued_on(), Some(today), "signed for the clock's day");
        let device = pki.device("clinic").unwrap().clone();
        let mut client =
            common::Client::for_device(sandbox.addr(), pki.gateway_ca().cert_der(), &device);
        let mut card = VirtualMyNumberCard::builder()
            .serial(1001)
            .pin("2580")
            .issued_on(jst_noon(today))
            .build()
            .unwrap();
        let challenge = common::challenge(&mut client).await;
        let card_cert = card.credentials().auth().cert_der().to_vec();
        let request = inquiry::unsigned(
            "default-card-years",
            &device.facility,
            today,
            None,
            &card_cert,
        )
        .unwrap();
        let digest = inquiry::digest(&request, &challenge, &device.facility);
        let (_, signature) = common::sign_on(&mut card, "2580", &digest);
        let request = inquiry::with_pin(request, challenge, digest, signature).unwrap();
        let answer = client.inquiry(&request).await.unwrap();
        let Answer::Ok(result) = answer else {
            panic!("{today}: the default sandbox refused the default virtual card: {answer:?}")
        };
        assert_eq!(
            result.response.qualification_validity,
            Some(QualificationValidity::Valid),
            "{today}"
        );
        sandbox.shutdown().await;
    }
}
