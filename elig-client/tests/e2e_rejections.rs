//! End to end, every rejection the sandbox can answer with (issue 11 item 5): each through
//! the blocking driver, real mutual TLS and the virtual card, brought about the way it
//! happens in the field — a withdrawn device, a revoked / expired / foreign / not yet valid
//! card, a misconfigured facility or clock, a challenge spent while the person typed, from
//! another device or another gateway, replayed, too many challenges — or, for the reasons
//! only a broken client can earn, by a wrapper that breaks the session's inquiry on its way
//! (a tampered digest or signature, a wrong version, a truncated or oversized body, a false
//! attestation) or sends it through the sandbox's deliberately raw `TestClient` (wrong
//! content type, path or method). Each is typed with the reason's next step and never
//! eligible; the card keeps no verified state and one audit row is written.
//!
//! `internal` is the one reason not here: the sandbox answers it only when its own
//! revocation list is out of date, which no client can cause (elig-sandbox's own tests).
#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod e2e_common;
mod https_fixtures;
mod session_common;

use std::time::Duration;

use bytes::Bytes;
use e2e_common::*;
use elig_client::gateway::{
    GatewayRequest, GatewayResponse, GatewayTransport, GatewayTransportError, Route,
};
use elig_client::session::{CheckFailure, CheckRequest, Mode, Outcome};
use elig_proto::gateway::RejectReason;
use elig_sandbox::Limits;
use elig_sandbox::client::TestClient;
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};
use serde_json::Value;
use session_common::{PIN, card, pki, registry, today, voucher};

/// One check of `request` in `mode` with `card` over `gateway`; asserts the clean failure.
fn check_with<G: GatewayTransport>(
    card: VirtualMyNumberCard,
    gateway: &mut G,
    desk_edit: impl FnOnce(&mut Desk),
    request: CheckRequest,
    mode: Mode,
) -> Outcome {
    let log = Log::default();
    let mut card = Traced {
        inner: card,
        log: log.clone(),
    };
    let mut desk = Desk::new(&log, &[PIN]);
    desk.attest = true;
    desk_edit(&mut desk);
    let mut audit = Audit::new();
    let outcome = run(&mut card, gateway, &mut desk, &mut audit, request, mode)
        .unwrap()
        .outcome;
    assert_failed_cleanly(&outcome, &audit, &card.inner);
    outcome
}

fn p01() -> VirtualMyNumberCard {
    card(1001, CardConfig::extended(), &[])
}

/// Asserts the outcome is the gateway's `reason`, with the reason's own next step.
fn assert_rejected(outcome: &Outcome, reason: RejectReason) {
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::GatewayRejected { reason }),
        "expected {reason:?}"
    );
    assert_eq!(outcome.next_step(), reason.next_step(), "{reason:?}");
}

fn pin_check<G: GatewayTransport>(card: VirtualMyNumberCard, gateway: &mut G) -> Outcome {
    check_with(
        card,
        gateway,
        |_| {},
        check_request(voucher("P01")),
        Mode::Pin,
    )
}

#[test]
fn a_withdrawn_device_is_unknown_device() {
    let rig = Rig::new();
    let mut gateway = rig.gateway_to(rig.addr(), "retired-clinic");
    let mut request = check_request(voucher("P01"));
    request.facility = facility("retired-clinic");
    let outcome = check_with(p01(), &mut gateway, |_| {}, request, Mode::Pin);
    assert_rejected(&outcome, RejectReason::UnknownDevice);
}

/// A card holding `credentials` (PIN [`PIN`]).
fn card_with(credentials: elig_sandbox::pki::CardCredentials) -> VirtualMyNumberCard {
    VirtualMyNumberCard::builder()
        .pin(PIN)
        .credentials(credentials)
        .config(CardConfig::extended())
        .build()
        .unwrap()
}

#[test]
fn card_certificate_rejections() {
    let rig = Rig::new();
    let mut gateway = rig.gateway();
    // P08's card was reported lost; P09's certificate expired (registry dates).
    // The gateway refuses the card before it looks anybody up: P01's voucher will do.
    for (serial, reason) in [
        (1008, RejectReason::CertificateRevoked),
        (1009, RejectReason::CertificateExpired),
    ] {
        let outcome = pin_check(card(serial, CardConfig::extended(), &[]), &mut gateway);
        assert_rejected(&outcome, reason);
    }
    // A card from a CA the gateway does not trust.
    let rogue =
        elig_sandbox::pki::Authority::generate(b"rogue", "CN=Rogue CA,O=Somebody else,C=JP")
            .unwrap();
    let spec = registry().card(1001).unwrap().spec();
    let outcome = pin_check(card_with(spec.issue_from(&rogue).unwrap()), &mut gateway);
    assert_rejected(&outcome, RejectReason::CertificateUntrusted);
    // A card whose certificate starts tomorrow.
    let mut spec = registry().card(1001).unwrap().spec();
    spec.not_before = today().succ().unwrap();
    let outcome = pin_check(card_with(pki().issue_card(&spec).unwrap()), &mut gateway);
    assert_rejected(&outcome, RejectReason::CertificateNotYetValid);
    assert_eq!(rig.count("inquiry"), 4);
}

#[test]
fn a_misconfigured_facility_or_clock_is_wrong_facility_or_wrong_date() {
    let rig = Rig::new();
    let mut gateway = rig.gateway();
    let mut request = check_request(voucher("P01"));
    request.facility = facility("insurer-clinic");
    let outcome = check_with(p01(), &mut gateway, |_| {}, request, Mode::Pin);
    assert_rejected(&outcome, RejectReason::WrongFacility);

    let mut request = check_request(voucher("P01"));
    request.checkup_date = today().succ().unwrap();
    let outcome = check_with(p01(), &mut gateway, |_| {}, request, Mode::Pin);
    assert_rejected(&outcome, RejectReason::WrongDate);
}

#[test]
fn a_challenge_that_expired_at_the_gateway_while_the_person_typed() {
    let rig = Rig::new();
    let mut gateway = rig.gateway();
    // The gateway's clock runs past the challenge's lifetime while the PIN is typed; the
    // session's own clock does not (a skewed reception PC).
    let clock = rig.clock.clone();
    let outcome = check_with(
        p01(),
        &mut gateway,
        move |desk| {
            desk.while_typing = Some(Box::new(move || {
                clock.advance(Limits::default().challenge_ttl + Duration::from_secs(1));
            }));
        },
        check_request(voucher("P01")),
        Mode::Pin,
    );
    assert_rejected(&outcome, RejectReason::ChallengeExpired);
}

#[test]
fn a_challenge_from_another_gateway_or_another_device() {
    let rig = Rig::new();
    // The challenge comes from another gateway instance: this one never issued it.
    let other = Rig::new();
    let mut gateway = ByRoute {
        challenge: other.gateway(),
        inquiry: rig.gateway(),
    };
    assert_rejected(
        &pin_check(p01(), &mut gateway),
        RejectReason::ChallengeUnknown,
    );
    // The challenge was issued to another registered device.
    let mut gateway = ByRoute {
        challenge: rig.gateway_to(rig.addr(), "insurer-clinic"),
        inquiry: rig.gateway(),
    };
    assert_rejected(
        &pin_check(p01(), &mut gateway),
        RejectReason::ChallengeWrongDevice,
    );
}

/// Sends every inquiry twice (a client replaying), handing back the second answer.
struct Twice<G>(G);

impl<G: GatewayTransport> GatewayTransport for Twice<G> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        if request.route == Route::Inquiry {
            let first = self.0.send(request)?;
            assert_eq!(first.status, 200, "the first one is answered");
        }
        self.0.send(request)
    }
}

#[test]
fn a_replayed_inquiry_is_challenge_replayed() {
    let rig = Rig::new();
    let mut gateway = Twice(rig.gateway());
    assert_rejected(
        &pin_check(p01(), &mut gateway),
        RejectReason::ChallengeReplayed,
    );
    assert_eq!(rig.count("inquiry"), 2);
}

#[test]
fn too_many_outstanding_challenges_is_rate_limited() {
    let mut limits = Limits::default();
    limits.max_outstanding_challenges = 1;
    let rig = Rig::with_limits(limits);
    let mut gateway = rig.gateway();
    // Another reception desk holds the one outstanding challenge.
    let mut other = rig.gateway_to(rig.addr(), "insurer-clinic");
    assert_eq!(
        other.send(&https_fixtures::challenge(1)).unwrap().status,
        200
    );
    let outcome = check_with(
        p01(),
        &mut gateway,
        |_| {},
        check_request(voucher("P01")),
        Mode::Pin,
    );
    assert_rejected(&outcome, RejectReason::RateLimited);
    assert_eq!(rig.count("inquiry"), 0);
}

/// A change made to the inquiry's body on its way.
type Edit = Box<dyn FnMut(&mut Vec<u8>)>;

/// Edits the inquiry's JSON.
fn json_edit(edit: impl Fn(&mut Value)) -> impl FnMut(&mut Vec<u8>) {
    move |body: &mut Vec<u8>| {
        let mut value: Value = serde_json::from_slice(body).unwrap();
        edit(&mut value);
        *body = serde_json::to_vec(&value).unwrap();
    }
}

/// Replaces the first character of a base64 string with another (a different value).
fn flip_first(value: &mut Value) {
    let s = value.as_str().unwrap().to_owned();
    let first = if s.starts_with('A') { "B" } else { "A" };
    *value = Value::String(format!("{first}{}", &s[1..]));
}

#[test]
fn a_client_that_breaks_its_inquiry_is_told_which_part() {
    let rig = Rig::new();
    let cases: Vec<(RejectReason, Edit)> = vec![
        (
            RejectReason::DigestMismatch,
            Box::new(json_edit(|v| flip_first(&mut v["proof"]["pin"]["digest"]))),
        ),
        (
            RejectReason::SignatureInvalid,
            Box::new(json_edit(|v| {
                flip_first(&mut v["proof"]["pin"]["signature"]);
            })),
        ),
        (
            RejectReason::UnsupportedVersion,
            Box::new(json_edit(|v| v["version"] = Value::from(2))),
        ),
        (
            RejectReason::MalformedRequest,
            Box::new(|b: &mut Vec<u8>| b.truncate(b.len() / 2)),
        ),
        (
            RejectReason::BodyTooLarge,
            Box::new(|b: &mut Vec<u8>| {
                b.resize(elig_proto::gateway::MAX_REQUEST_BYTES + 1, b' ');
            }),
        ),
    ];
    for (reason, edit) in cases {
        let mut gateway = Tamper {
            inner: rig.gateway(),
            edit,
        };
        assert_rejected(&pin_check(p01(), &mut gateway), reason);
    }
}

#[test]
fn a_false_attestation_is_attestation_missing() {
    let rig = Rig::new();
    let mut gateway = Tamper {
        inner: rig.gateway(),
        edit: json_edit(|v| v["proof"]["visual"]["photo_matches"] = Value::Bool(false)),
    };
    let outcome = check_with(
        p01(),
        &mut gateway,
        |_| {},
        check_request(voucher("P01")),
        Mode::VisualConfirmation,
    );
    assert_rejected(&outcome, RejectReason::AttestationMissing);
}

/// How the raw client gets the inquiry wrong.
#[derive(Clone, Copy)]
enum Raw {
    ContentType,
    Path,
    Method,
}

/// Sends the session's inquiry through the sandbox's raw `TestClient` (which the HTTPS
/// driver cannot be made to do): what a broken HTTP stack in the path earns.
struct RawInquiry<'a> {
    rig: &'a Rig,
    how: Raw,
}

impl GatewayTransport for RawInquiry<'_> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        let pki = pki();
        let (status, body) = self.rig.rt.block_on(async {
            let mut client = TestClient::connect(
                self.rig.addr(),
                pki.gateway_ca().cert_der(),
                pki.device("clinic").unwrap(),
            )
            .await
            .unwrap();
            let path = request.route.path();
            let body = request.body.clone();
            match self.how {
                Raw::ContentType => client.post(path, "text/plain", body).await,
                Raw::Path => client.post("/v1/inquiries", "application/json", body).await,
                Raw::Method => {
                    let get = http::Request::get(path)
                        .header(http::header::HOST, "127.0.0.1")
                        .body(http_body_util::Full::new(Bytes::new()))
                        .unwrap();
                    client.send(get).await
                }
            }
            .unwrap()
        });
        Ok(GatewayResponse {
            id: request.id,
            status,
            body: body.to_vec(),
        })
    }
}

#[test]
fn a_broken_http_stack_is_told_media_type_path_or_method() {
    let rig = Rig::new();
    for (how, reason) in [
        (Raw::ContentType, RejectReason::UnsupportedMediaType),
        (Raw::Path, RejectReason::NotFound),
        (Raw::Method, RejectReason::MethodNotAllowed),
    ] {
        let mut gateway = ByRoute {
            challenge: rig.gateway(),
            inquiry: RawInquiry { rig: &rig, how },
        };
        assert_rejected(&pin_check(p01(), &mut gateway), reason);
    }
}
