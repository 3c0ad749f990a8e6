//! The gateway over real TLS on 127.0.0.1: the accepted paths and every rejection, each with
//! its own reason. Ordinary calls go through the SDK's HTTPS driver (`common::Client`); the
//! raw `TestClient` only sends what that driver never would.
// Helpers outside #[test] functions: a failure must fail the test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use elig_proto::gateway::{Basis, Challenge, RejectReason};
use elig_sandbox::client::{Answer, TestClient, client_config};
use elig_sandbox::inquiry;
use elig_sandbox::pki::DeviceCredentials;
use voucher_model::{DateTime, QualificationValidity, SearchInfo};

fn rejected<T: std::fmt::Debug>(answer: Answer<T>) -> (u16, RejectReason) {
    match answer {
        Answer::Rejected { status, rejection } => (status, rejection.reason),
        Answer::Ok(ok) => panic!("expected a rejection, got {ok:?}"),
    }
}

#[tokio::test]
async fn pin_inquiry_signed_on_a_virtual_card_is_answered_valid() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let request = pin_inquiry(&mut client, "clinic", &card, None).await;
    let Answer::Ok(result) = client.inquiry(&request).await.unwrap() else {
        panic!("inquiry refused")
    };
    assert_eq!(result.basis, Basis::CardSignature);
    assert_eq!(result.request_id.as_str(), "req-1");
    let r = &result.response;
    assert_eq!(r.qualification_validity, Some(QualificationValidity::Valid));
    assert_eq!(r.qualification_confirmation_date, Some(today()));
    assert_eq!(r.results.len(), 1);
    assert_eq!(
        r.results[0].insurer_number.as_ref().unwrap().as_str(),
        "01130012"
    );
    assert_eq!(
        r.medical_institution_code.as_ref().unwrap().as_str(),
        "1312345679",
        "a 保険医療機関's checkup number is its 医療機関コード"
    );

    // The access log has the exchange, without personal data.
    let entries = sb.log.entries();
    let last = entries.last().unwrap();
    assert_eq!(
        (last.route, last.status, last.outcome.as_str()),
        ("inquiry", 200, "ok")
    );
    assert_eq!(last.mode, Some("pin"));
    assert_eq!(last.validity.as_deref(), Some("1"));
    assert_eq!(last.card.as_ref().unwrap().len(), 16);
    let log_text = serde_json::to_string(&entries).unwrap();
    for personal in ["試験", "ｼｹﾝ", "01130012", "19700515", "1970-05-15", "MII"] {
        assert!(
            !log_text.contains(personal),
            "{personal} leaked into the access log"
        );
    }
    sb.handle.shutdown().await;
}

/// The client's way: its facility read from its own device certificate, the inquiry built
/// without a proof, the card signing the digest that inquiry hands out, the proof attached.
#[tokio::test]
async fn client_built_inquiry_from_its_device_certificate_is_answered_valid() {
    use elig_proto::gateway::{
        CertificateDer, RequestId, SignatureBytes, UnsignedInquiry, device_facility,
    };
    let sb = start().await;
    let mut client = sb.client("clinic");
    let own = device_facility(&device("clinic").cert_der).unwrap();
    assert_eq!(own, facility("clinic"));
    let card = card(serial_of("P01"));
    let unsigned = UnsignedInquiry::new(RequestId::new("req-client").unwrap(), own, today(), None);
    let pending = unsigned.with_challenge(challenge(&mut client).await);
    let (cert, signature) = sign_on_virtual_card(&card, &pending.digest().0);
    let request = pending.sign(
        CertificateDer::new(cert).unwrap(),
        SignatureBytes::new(signature).unwrap(),
    );
    let Answer::Ok(result) = client.inquiry(&request).await.unwrap() else {
        panic!("inquiry refused")
    };
    assert_eq!(result.basis, Basis::CardSignature);
    assert_eq!(result.request_id.as_str(), "req-client");
    assert_eq!(
        result.response.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    sb.handle.shutdown().await;
}

#[tokio::test]
async fn keep_alive_connection_serves_many_inquiries() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P02"));
    for _ in 0..3 {
        let request = pin_inquiry(&mut client, "clinic", &card, None).await;
        let answer = client.inquiry(&request).await.unwrap();
        assert!(matches!(answer, Answer::Ok(_)), "{answer:?}");
    }
    assert_eq!(sb.log.entries().len(), 6, "3 challenges + 3 inquiries");
}

#[tokio::test]
async fn visual_confirmation_is_accepted_and_marked() {
    let sb = start().await;
    let mut client = sb.client("insurer-clinic");
    let card = card(serial_of("P03"));
    let at = DateTime::new(today(), 11, 58, 0).unwrap();
    let request = inquiry::unsigned(
        "visual-1",
        &facility("insurer-clinic"),
        today(),
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let request = inquiry::with_visual(request, "staff-07", at, true).unwrap();
    let Answer::Ok(result) = client.inquiry(&request).await.unwrap() else {
        panic!("visual inquiry refused")
    };
    assert_eq!(result.basis, Basis::VisualConfirmation);
    assert_eq!(
        result.response.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(
        result.response.medical_institution_code, None,
        "an insurer has no 医療機関コード"
    );
    assert_eq!(sb.log.entries().last().unwrap().mode, Some("visual"));

    // Without the staff member's statement it is refused.
    let request = inquiry::unsigned(
        "visual-2",
        &facility("insurer-clinic"),
        today(),
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let request = inquiry::with_visual(request, "staff-07", at, false).unwrap();
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::AttestationMissing));
}

#[tokio::test]
async fn every_validity_outcome_over_tls() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let old_insurer = SearchInfo {
        insurer_number: Some("06100010".parse().unwrap()),
        ..SearchInfo::default()
    };
    let cases = [
        (serial_of("P04"), None, "1"),
        (serial_of("P05"), None, "2"),
        (serial_of("P06"), Some(&old_insurer), "3"),
        (registry().unregistered_cards()[0].serial, None, "4"),
        (serial_of("P07"), None, "5"),
    ];
    for (serial, search, expected) in cases {
        let request = pin_inquiry(&mut client, "clinic", &card(serial), search).await;
        let Answer::Ok(result) = client.inquiry(&request).await.unwrap() else {
            panic!("inquiry for {serial} refused")
        };
        let validity = result.response.qualification_validity.unwrap();
        assert_eq!(validity.code(), expected, "card {serial}");
        assert_eq!(result.response.search_info.as_ref(), search);
    }
}

#[tokio::test]
async fn unknown_device_is_rejected() {
    let sb = start().await;
    let anchor = pki().gateway_ca().cert_der().to_vec();
    // A device certificate from another CA, naming a real facility.
    let foreign = DeviceCredentials::issue(rogue(), 9, "foreign", &facility("clinic")).unwrap();
    let mut client = Client::for_device(sb.handle.addr(), &anchor, &foreign);
    let (status, reason) = rejected(client.challenge().await.unwrap());
    assert_eq!((status, reason), (403, RejectReason::UnknownDevice));
    // No client certificate at all (the SDK's driver always presents one: the raw client).
    let config = client_config(&anchor, None).unwrap();
    let mut client = TestClient::connect_with(sb.handle.addr(), config)
        .await
        .unwrap();
    let (status, reason) = rejected(client.challenge().await.unwrap());
    assert_eq!((status, reason), (403, RejectReason::UnknownDevice));
    assert_eq!(sb.log.entries().last().unwrap().facility, None);
    // A device whose registration was withdrawn (its certificate is on the device CRL).
    let mut client = sb.client("retired-clinic");
    let (status, reason) = rejected(client.challenge().await.unwrap());
    assert_eq!((status, reason), (403, RejectReason::UnknownDevice));
}

async fn expect_card_rejection(
    serial_card: elig_sandbox::pki::CardCredentials,
    expected: RejectReason,
) {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let request = pin_inquiry(&mut client, "clinic", &serial_card, None).await;
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, expected));
}

#[tokio::test]
async fn revoked_card_is_rejected() {
    expect_card_rejection(card(serial_of("P08")), RejectReason::CertificateRevoked).await;
}

#[tokio::test]
async fn expired_card_is_rejected() {
    expect_card_rejection(card(serial_of("P09")), RejectReason::CertificateExpired).await;
}

#[tokio::test]
async fn card_from_another_ca_is_rejected() {
    let spec = registry().person("P01").unwrap().card.spec();
    let foreign = spec.issue_from(rogue()).unwrap();
    expect_card_rejection(foreign, RejectReason::CertificateUntrusted).await;
}

#[tokio::test]
async fn card_not_yet_valid_is_rejected() {
    let mut spec = registry().person("P01").unwrap().card.spec();
    spec.not_before = today().succ().unwrap();
    expect_card_rejection(
        pki().issue_card(&spec).unwrap(),
        RejectReason::CertificateNotYetValid,
    )
    .await;
}

#[tokio::test]
async fn too_many_outstanding_challenges_are_rate_limited() {
    let clock = std::sync::Arc::new(elig_sandbox::clock::FakeClock::at_jst_noon(today()));
    let mut limits = elig_sandbox::Limits::default();
    limits.max_outstanding_challenges = 2;
    let config = elig_sandbox::SandboxConfig::new(pki(), registry())
        .with_clock(clock.clone())
        .with_limits(limits);
    let sandbox = elig_sandbox::Sandbox::start(config).await.unwrap();
    let mut client = Client::for_device(
        sandbox.addr(),
        pki().gateway_ca().cert_der(),
        &device("clinic"),
    );
    challenge(&mut client).await;
    challenge(&mut client).await;
    let Answer::Rejected { status, rejection } = client.challenge().await.unwrap() else {
        panic!("a third outstanding challenge was issued")
    };
    assert_eq!((status, rejection.reason), (429, RejectReason::RateLimited));
    assert_eq!(rejection.retry_after_seconds, Some(120));
    // Once the old ones expire they are forgotten and room is made.
    clock.advance(std::time::Duration::from_secs(120));
    challenge(&mut client).await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_authentication_cas_own_certificate_is_not_a_card() {
    // Self-issued by the right CA with a valid signature, but a CA certificate.
    let sb = start().await;
    let mut client = sb.client("clinic");
    let ca = pki().auth_ca().cert_der().to_vec();
    let request = inquiry::unsigned("req-ca", &facility("clinic"), today(), None, &ca).unwrap();
    let request = inquiry::with_visual(
        request,
        "staff-1",
        DateTime::new(today(), 9, 0, 0).unwrap(),
        true,
    )
    .unwrap();
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::CertificateUntrusted));
}

/// A PIN inquiry whose `digest` field is right but whose signature covers `signed`.
async fn inquiry_signed_over(
    client: &mut Client,
    signed: impl FnOnce(&Challenge) -> [u8; 32],
) -> elig_proto::gateway::InquiryRequest {
    let card = card(serial_of("P01"));
    let ch = challenge(client).await;
    let request = inquiry::unsigned(
        "req-x",
        &facility("clinic"),
        today(),
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let digest = inquiry::digest(&request, &ch, &facility("clinic"));
    let (_, signature) = sign_on_virtual_card(&card, &signed(&ch));
    inquiry::with_pin(request, ch, digest, signature).unwrap()
}

#[tokio::test]
async fn signature_over_another_facilitys_digest_is_rejected() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let other = facility("insurer-clinic");
    let request = inquiry_signed_over(&mut client, |ch| {
        let r = inquiry::unsigned("req-x", &other, today(), None, card.auth().cert_der()).unwrap();
        inquiry::digest(&r, ch, &other)
    })
    .await;
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::SignatureInvalid));

    // A client that also sends the other facility's digest is told the digests differ.
    let ch = challenge(&mut client).await;
    let request = inquiry::unsigned(
        "req-y",
        &facility("clinic"),
        today(),
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let foreign =
        inquiry::unsigned("req-y", &other, today(), None, card.auth().cert_der()).unwrap();
    let digest = inquiry::digest(&foreign, &ch, &other);
    let (_, signature) = sign_on_virtual_card(&card, &digest);
    let request = inquiry::with_pin(request, ch, digest, signature).unwrap();
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::DigestMismatch));
}

#[tokio::test]
async fn inquiry_naming_another_facility_is_rejected() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let other = facility("insurer-clinic");
    let ch = challenge(&mut client).await;
    let request =
        inquiry::unsigned("req-f", &other, today(), None, card.auth().cert_der()).unwrap();
    let digest = inquiry::digest(&request, &ch, &other);
    let (_, signature) = sign_on_virtual_card(&card, &digest);
    let request = inquiry::with_pin(request, ch, digest, signature).unwrap();
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (403, RejectReason::WrongFacility));
}

#[tokio::test]
async fn signature_over_another_days_digest_is_rejected() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let yesterday = today().pred().unwrap();
    // The inquiry says today, the card signed yesterday's digest.
    let request = inquiry_signed_over(&mut client, |ch| {
        let r = inquiry::unsigned(
            "req-x",
            &facility("clinic"),
            yesterday,
            None,
            card.auth().cert_der(),
        )
        .unwrap();
        inquiry::digest(&r, ch, &facility("clinic"))
    })
    .await;
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::SignatureInvalid));

    // A consistent inquiry for yesterday (signed yesterday's digest) is refused for its date.
    let ch = challenge(&mut client).await;
    let request = inquiry::unsigned(
        "req-d",
        &facility("clinic"),
        yesterday,
        None,
        card.auth().cert_der(),
    )
    .unwrap();
    let digest = inquiry::digest(&request, &ch, &facility("clinic"));
    let (_, signature) = sign_on_virtual_card(&card, &digest);
    let request = inquiry::with_pin(request, ch, digest, signature).unwrap();
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (422, RejectReason::WrongDate));
}

#[tokio::test]
async fn replayed_challenge_is_rejected() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let request = pin_inquiry(&mut client, "clinic", &card, None).await;
    assert!(matches!(
        client.inquiry(&request).await.unwrap(),
        Answer::Ok(_)
    ));
    let Answer::Rejected { status, rejection } = client.inquiry(&request).await.unwrap() else {
        panic!("a replay was accepted")
    };
    assert_eq!(
        (status, rejection.reason),
        (409, RejectReason::ChallengeReplayed)
    );
    assert_eq!(
        rejection.request_id.as_ref().map(|id| id.as_str()),
        Some("req-1"),
        "an inquiry's rejection names its request"
    );
}

#[tokio::test]
async fn expired_challenge_is_rejected() {
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let request = pin_inquiry(&mut client, "clinic", &card, None).await;
    sb.advance(120); // the default lifetime
    let (status, reason) = rejected(client.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (409, RejectReason::ChallengeExpired));
}

#[tokio::test]
async fn challenge_of_another_device_and_unknown_challenge_are_rejected() {
    let sb = start().await;
    let mut clinic = sb.client("clinic");
    let mut insurer = sb.client("insurer-clinic");
    let card = card(serial_of("P01"));
    // The clinic's challenge, used by the insurer's device for its own facility.
    let ch = challenge(&mut clinic).await;
    let fac = facility("insurer-clinic");
    let request = inquiry::unsigned("req-w", &fac, today(), None, card.auth().cert_der()).unwrap();
    let digest = inquiry::digest(&request, &ch, &fac);
    let (_, signature) = sign_on_virtual_card(&card, &digest);
    let request = inquiry::with_pin(request, ch, digest, signature).unwrap();
    let (status, reason) = rejected(insurer.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (409, RejectReason::ChallengeWrongDevice));
    // A challenge the gateway never issued.
    let ch = Challenge::from_bytes([7; 32]);
    let request = inquiry::unsigned("req-u", &fac, today(), None, card.auth().cert_der()).unwrap();
    let digest = inquiry::digest(&request, &ch, &fac);
    let (_, signature) = sign_on_virtual_card(&card, &digest);
    let request = inquiry::with_pin(request, ch, digest, signature).unwrap();
    let (status, reason) = rejected(insurer.inquiry(&request).await.unwrap());
    assert_eq!((status, reason), (409, RejectReason::ChallengeUnknown));
}

#[tokio::test]
async fn oversized_body_is_rejected_unread() {
    let sb = start().await;
    let mut client = sb.raw_client("clinic").await;
    let body = vec![b' '; elig_proto::gateway::MAX_REQUEST_BYTES + 1];
    let (status, reason) = rejected(client.inquiry_bytes(body).await.unwrap());
    assert_eq!((status, reason), (413, RejectReason::BodyTooLarge));
    // A challenge request has a much smaller limit.
    let (status, _) = client
        .post("/v1/challenge", "application/json", vec![b' '; 2000])
        .await
        .unwrap();
    assert_eq!(status, 413);
}

#[tokio::test]
async fn malformed_json_is_rejected() {
    let sb = start().await;
    let mut client = sb.raw_client("clinic").await;
    for body in [
        &b"{\"version\": 1, \"request_id\": "[..],
        b"not json",
        b"{\"version\":1}",
        b"[]",
    ] {
        let (status, reason) = rejected(client.inquiry_bytes(body.to_vec()).await.unwrap());
        assert_eq!(
            (status, reason),
            (400, RejectReason::MalformedRequest),
            "{body:?}"
        );
    }
    let (status, reason) = rejected(
        client
            .inquiry_bytes(b"{\"version\":2}".to_vec())
            .await
            .unwrap(),
    );
    assert_eq!((status, reason), (400, RejectReason::UnsupportedVersion));
}

#[tokio::test]
async fn routes_methods_and_media_types() {
    let sb = start().await;
    let mut client = sb.raw_client("clinic").await;
    let (status, body) = client
        .post("/v2/anything", "application/json", b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("not_found"));
    let get = http::Request::builder()
        .method("GET")
        .uri("/v1/challenge")
        .header("host", "127.0.0.1")
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    assert_eq!(client.send(get).await.unwrap().0, 405);
    let (status, _) = client
        .post("/v1/challenge", "text/plain", b"{\"version\":1}".to_vec())
        .await
        .unwrap();
    assert_eq!(status, 415);
    assert_eq!(sb.log.entries().last().unwrap().route, "challenge");
    assert_eq!(sb.log.entries().first().unwrap().route, "other");
}

#[tokio::test]
async fn shutdown_stops_accepting() {
    let sb = start().await;
    let addr = sb.handle.addr();
    let mut client = sb.client("clinic");
    challenge(&mut client).await;
    sb.handle.shutdown().await;
    let mut again = Client::for_device(addr, pki().gateway_ca().cert_der(), &device("clinic"));
    assert!(
        again.challenge().await.is_err(),
        "no new connections after shutdown"
    );
}

#[tokio::test]
async fn visual_attestation_must_be_made_today_and_not_in_the_future() {
    // The fake clock reads 12:00 JST on today().
    let sb = start().await;
    let mut client = sb.client("clinic");
    let card = card(serial_of("P01"));
    let visual = |id: &str, at: DateTime| {
        let request = inquiry::unsigned(
            id,
            &facility("clinic"),
            today(),
            None,
            card.auth().cert_der(),
        )
        .unwrap();
        inquiry::with_visual(request, "staff-07", at, true).unwrap()
    };
    let yesterday = DateTime::new(voucher_model::Date::new(2026, 3, 31).unwrap(), 11, 0, 0);
    for (id, at) in [
        ("yesterday", yesterday.unwrap()),
        ("this-evening", DateTime::new(today(), 18, 0, 0).unwrap()),
    ] {
        let (status, reason) = rejected(client.inquiry(&visual(id, at)).await.unwrap());
        assert_eq!(
            (status, reason),
            (422, RejectReason::AttestationMissing),
            "{id}"
        );
    }
    // A reception clock a few minutes fast is tolerated.
    let at = DateTime::new(today(), 12, 4, 0).unwrap();
    let Answer::Ok(result) = client.inquiry(&visual("fast-clock", at)).await.unwrap() else {
        panic!("an attestation 4 minutes ahead was refused")
    };
    assert_eq!(result.basis, Basis::VisualConfirmation);
}
