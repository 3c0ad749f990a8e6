use elig_proto::gateway::{
    self as proto, ChallengeResponse, InquiryResult, RejectReason, Rejection,
};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::SignatureEncoding as _;
use rsa::signature::hazmat::PrehashSigner as _;
use sha2::Sha256;

use super::*;
use crate::clock::{Clock as _, SystemClock};
use crate::registry::Registry;

const JSON: Option<&str> = Some("application/json");

fn gateway() -> OfflineGateway {
    let registry = Arc::new(Registry::default_registry().unwrap());
    let pki = TestPki::generate(b"offline unit", &registry.pki_plan()).unwrap();
    OfflineGateway::new(&SandboxConfig::new(Arc::new(pki), registry)).unwrap()
}

/// A challenge, then a PIN-mode inquiry signed with the card key over the gateway's digest:
/// 200 with the qualification result, through the same path the server takes.
#[test]
fn a_challenge_and_a_signed_pin_inquiry_are_answered_200() {
    let gateway = gateway();
    let clinic = gateway.pki().device("clinic").unwrap();
    let device = gateway.device(&clinic.cert_der).unwrap();
    let (status, body) = gateway.handle_body(&device, Route::Challenge, JSON, b"{\"version\":1}");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let challenge = proto::decode::<ChallengeResponse>(&body).unwrap().challenge;

    let registry = Registry::default_registry().unwrap();
    let serial = registry.person("P01").unwrap().card.serial;
    let card = gateway
        .pki()
        .issue_card(&registry.card(serial).unwrap().spec())
        .unwrap();
    let today = voucher_model::jst::date_from_system_time(SystemClock.now()).unwrap();
    let unsigned = crate::inquiry::unsigned(
        "unit-1",
        &device.facility,
        today,
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let digest = crate::inquiry::digest(&unsigned, &challenge, &device.facility);
    let signature = SigningKey::<Sha256>::new(card.auth().key().clone())
        .sign_prehash(&digest)
        .unwrap()
        .to_vec();
    let inquiry = crate::inquiry::with_pin(unsigned, challenge, digest, signature).unwrap();
    let request = proto::encode(&inquiry).unwrap();
    let (status, body) = gateway.handle_body(&device, Route::Inquiry, JSON, &request);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let result = proto::decode::<InquiryResult>(&body).unwrap();
    assert_eq!(result.request_id.as_str(), "unit-1");

    // The challenge was consumed: the same inquiry again is refused.
    let (status, _) = gateway.handle_body(&device, Route::Inquiry, JSON, &request);
    assert_ne!(status, 200);
}

/// A garbage body is `malformed_request` (400), encoded as a `Rejection`; a wrong
/// Content-Type is refused before the body is looked at.
#[test]
fn a_garbage_body_is_a_malformed_request() {
    let gateway = gateway();
    let device = gateway
        .device(&gateway.pki().device("clinic").unwrap().cert_der)
        .unwrap();
    for route in [Route::Challenge, Route::Inquiry] {
        let (status, body) = gateway.handle_body(&device, route, JSON, b"\x00garbage{");
        let rejection = proto::decode::<Rejection>(&body).unwrap();
        assert_eq!(rejection.reason, RejectReason::MalformedRequest);
        assert_eq!(status, RejectReason::MalformedRequest.http_status());
        assert_eq!(status, 400);
    }
    let (status, body) = gateway.handle_body(&device, Route::Inquiry, Some("text/plain"), b"{}");
    assert_eq!(
        proto::decode::<Rejection>(&body).unwrap().reason,
        RejectReason::UnsupportedMediaType
    );
    assert_eq!(status, RejectReason::UnsupportedMediaType.http_status());
}
