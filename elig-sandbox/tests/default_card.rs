//! The default sandbox trusts a virtual card with default credentials: no test glue between
//! the two, because both take their PKI from `elig-testpki`'s default seed (issue 10, item 1).
#![allow(clippy::unwrap_used, clippy::panic)] // test code

mod common;

use std::sync::Arc;

use elig_proto::gateway::Basis;
use elig_sandbox::client::Answer;
use elig_sandbox::clock::FakeClock;
use elig_sandbox::{Sandbox, SandboxConfig, inquiry};
use reader_backends::mock::VirtualMyNumberCard;
use voucher_model::QualificationValidity;

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
