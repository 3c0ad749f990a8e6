//! End to end, the gateway side (issue 11 item 5): the blocking driver, a virtual card that
//! works, and the path to the gateway failing — unreachable, TLS (wrong CA, expired device
//! certificate), a stalled answer (timeout), a 5xx, a proxy's HTML error page, a malformed
//! body — and a weak network through the fault proxy (300 ms and 1 s each way, a stall, a
//! drop after the inquiry was written, a cut in the middle of it). None is eligible, each is
//! typed with the operator's next step, the card keeps no verified state, one audit row, and
//! a dropped inquiry reaches the gateway once: never two verdicts.
#![cfg(feature = "tokio")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod e2e_common;
mod https_fixtures;
mod session_common;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use der::Decode as _;
use e2e_common::*;
use elig_client::audit::CheckOutcome;
use elig_client::gateway::{GatewayTransport, GatewayTransportError as E, Step, TlsFailure};
use elig_client::https::{BlockingHttpsGateway, HttpsConfig};
use elig_client::session::{CheckFailure, Mode, Outcome};
use elig_proto::gateway::RejectReason;
use elig_sandbox::Limits;
use elig_sandbox::clock::FakeClock;
use https_fixtures::{Fault, identity_of};
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};
use session_common::{PIN, card, pki, voucher};
use voucher_model::NextStep;

/// One PIN-mode check of P01 over `gateway`; the outcome, the card and the audit store.
fn check<G: GatewayTransport>(gateway: &mut G) -> (Outcome, VirtualMyNumberCard, Audit, Log) {
    let log = Log::default();
    let mut card = Traced {
        inner: card(1001, CardConfig::extended(), &[]),
        log: log.clone(),
    };
    let mut desk = Desk::new(&log, &[PIN]);
    let mut audit = Audit::new();
    let outcome = run(
        &mut card,
        gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap()
    .outcome;
    (outcome, card.inner, audit, log)
}

fn transport_failure(outcome: &Outcome) -> &E {
    match &outcome.result {
        Err(CheckFailure::GatewayTransport(e)) => e,
        other => panic!("not a transport failure: {other:?}"),
    }
}

#[test]
fn gateway_unreachable_is_typed_retry_or_other_evidence() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut gateway = BlockingHttpsGateway::new(config_for(addr, identity("clinic"))).unwrap();
    let (outcome, card, audit, log) = check(&mut gateway);
    assert_eq!(
        transport_failure(&outcome),
        &E::Unreachable { proxy: false }
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(
        log.pin_verifies(),
        0,
        "no PIN spent on a check that cannot finish"
    );
    assert_failed_cleanly(&outcome, &audit, &card);
}

#[test]
fn wrong_gateway_ca_is_an_untrusted_server_fix_the_set_up() {
    let rig = Rig::new();
    // The device trusts the device CA instead of the gateway CA.
    let pki = pki();
    let identity = identity_of(pki.device("clinic").unwrap(), pki.device_ca().cert_der());
    let mut gateway = BlockingHttpsGateway::new(config_for(rig.addr(), identity)).unwrap();
    let (outcome, card, audit, _) = check(&mut gateway);
    assert_eq!(
        transport_failure(&outcome),
        &E::Tls(TlsFailure::UntrustedServer)
    );
    assert_eq!(outcome.next_step(), NextStep::FixDeviceSetup);
    assert_eq!((rig.count("challenge"), rig.count("inquiry")), (0, 0));
    assert_failed_cleanly(&outcome, &audit, &card);
}

/// The day after the clinic's device certificate expires.
fn after_device_expiry() -> SystemTime {
    let cert = x509_cert::Certificate::from_der(&pki().device("clinic").unwrap().cert_der).unwrap();
    let not_after = cert.tbs_certificate().validity().not_after.to_system_time();
    not_after + Duration::from_secs(86_400)
}

#[test]
fn an_expired_device_certificate_is_refused_fix_the_set_up() {
    // The gateway's clock is past the device certificate's notAfter (the client checks the
    // server's certificate by the real clock, so only the gateway's time moves).
    let rig = Rig::start(FakeClock::new(after_device_expiry()), Limits::default());
    let mut gateway = rig.gateway();
    let (outcome, card, audit, _) = check(&mut gateway);
    match &outcome.result {
        Err(CheckFailure::GatewayRejected {
            reason: RejectReason::UnknownDevice,
        })
        | Err(CheckFailure::GatewayTransport(E::Tls(TlsFailure::ClientCertificateRefused))) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(outcome.next_step(), NextStep::FixDeviceSetup);
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card);
}

/// Challenges straight to the sandbox, inquiries to `inquiry_addr` (a fault on that route
/// only), with `edit` applied to the inquiry driver's configuration.
fn inquiry_via(
    rig: &Rig,
    inquiry_addr: SocketAddr,
    edit: impl FnOnce(&mut HttpsConfig),
) -> ByRoute<BlockingHttpsGateway, BlockingHttpsGateway> {
    let mut config = config_for(inquiry_addr, identity("clinic"));
    edit(&mut config);
    ByRoute {
        challenge: rig.gateway(),
        inquiry: BlockingHttpsGateway::new(config).unwrap(),
    }
}

#[test]
fn a_stalled_inquiry_times_out_at_its_step_budget_and_is_sent_once() {
    let rig = Rig::new();
    let proxy = rig.proxy(Fault::HoldAnswer);
    let mut gateway = inquiry_via(&rig, proxy.addr, |c| {
        c.timeouts.response_head = Duration::from_millis(500);
    });
    let (outcome, card, audit, _) = check(&mut gateway);
    // The budget is the configured answer timeout; the step says which one ran out.
    assert_eq!(
        transport_failure(&outcome),
        &E::Timeout {
            step: Step::ResponseHead
        }
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(rig.count("inquiry"), 1, "sent once, never repeated");
    assert_eq!(gateway.inquiry.stats().retries, 0);
    assert_failed_cleanly(&outcome, &audit, &card);
}

#[test]
fn a_5xx_from_the_gateway_is_never_eligible() {
    let rig = Rig::new();
    // The gateway's own `internal` rejection (PROTOCOL.md: 500).
    let addr = rig.answer_server(
        500,
        "application/json",
        br#"{"version":1,"reason":"internal","message":"registry unavailable"}"#,
    );
    let mut gateway = inquiry_via(&rig, addr, |_| {});
    let (outcome, card, audit, _) = check(&mut gateway);
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::GatewayRejected {
            reason: RejectReason::Internal
        })
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(
        gateway.inquiry.stats().retries,
        0,
        "a status is never retried"
    );
    assert_failed_cleanly(&outcome, &audit, &card);

    // A bare 503 with no protocol body.
    let addr = rig.answer_server(503, "text/plain", b"Service Unavailable");
    let mut gateway = inquiry_via(&rig, addr, |_| {});
    let (outcome, card, audit, _) = check(&mut gateway);
    assert!(
        matches!(outcome.result, Err(CheckFailure::GatewayAnswer { .. })),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_failed_cleanly(&outcome, &audit, &card);
}

#[test]
fn a_proxys_html_error_page_is_not_the_gateways_answer() {
    let rig = Rig::new();
    let page = rig.rt.block_on(https_fixtures::html_502_server(0));
    // On the inquiry, after the signature.
    let mut gateway = inquiry_via(&rig, page, |_| {});
    let (outcome, card, audit, _) = check(&mut gateway);
    assert!(
        matches!(outcome.result, Err(CheckFailure::GatewayAnswer { .. })),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_failed_cleanly(&outcome, &audit, &card);
    // On the challenge, before the PIN: the PIN is not spent.
    let mut gateway = BlockingHttpsGateway::new(config_for(page, identity("clinic"))).unwrap();
    let (outcome, card, audit, log) = check(&mut gateway);
    assert!(
        matches!(outcome.result, Err(CheckFailure::GatewayAnswer { .. })),
        "{:?}",
        outcome.result
    );
    assert_eq!(log.pin_verifies(), 0);
    assert_failed_cleanly(&outcome, &audit, &card);
}

#[test]
fn a_malformed_body_is_not_a_verdict() {
    let rig = Rig::new();
    for body in [
        &br#"{"version":1,"result":"#[..],
        br#"{"version":1}"#,
        b"\xff\xfe not utf-8",
        b"",
    ] {
        let addr = rig.answer_server(200, "application/json", body);
        let mut gateway = inquiry_via(&rig, addr, |_| {});
        let (outcome, card, audit, _) = check(&mut gateway);
        assert!(
            matches!(outcome.result, Err(CheckFailure::GatewayAnswer { .. })),
            "{body:?}: {:?}",
            outcome.result
        );
        assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
        assert_failed_cleanly(&outcome, &audit, &card);
    }
}

#[test]
fn latency_300ms_each_way_the_check_completes_eligible() {
    let rig = Rig::new();
    let proxy = rig.proxy(Fault::Latency(Duration::from_millis(300)));
    let mut gateway = rig.gateway_to(proxy.addr, "clinic");
    let (outcome, card, audit, _) = check(&mut gateway);
    assert!(outcome.is_eligible(), "{:?}", outcome.result);
    assert_eq!(audit.rows(), 1);
    assert!(!card.any_verified());
    assert_eq!((rig.count("challenge"), rig.count("inquiry")), (1, 1));
    assert_eq!(gateway.stats().retries, 0, "within every step's budget");
}

#[test]
fn latency_1s_each_way_the_check_completes_within_its_configured_budget() {
    let rig = Rig::new();
    let proxy = rig.proxy(Fault::Latency(Duration::from_secs(1)));
    let mut config = config_for(proxy.addr, identity("clinic"));
    // The budget stated for a mobile line: TLS 1.3 is one round trip (2 s here), each
    // exchange one more.
    config.timeouts.tls_handshake = Duration::from_secs(4);
    config.timeouts.response_head = Duration::from_secs(4);
    config.timeouts.total = Duration::from_secs(10);
    let mut gateway = BlockingHttpsGateway::new(config).unwrap();
    let (outcome, card, audit, _) = check(&mut gateway);
    assert!(outcome.is_eligible(), "{:?}", outcome.result);
    assert_eq!(audit.rows(), 1);
    assert!(!card.any_verified());
    assert_eq!((rig.count("challenge"), rig.count("inquiry")), (1, 1));
    assert_eq!(gateway.stats().retries, 0);
}

#[test]
fn a_stalled_network_fails_the_challenge_cleanly_within_the_total_budget() {
    let rig = Rig::new();
    let proxy = rig.proxy(Fault::HoldAnswer);
    let mut config = config_for(proxy.addr, identity("clinic"));
    config.timeouts.response_head = Duration::from_millis(300);
    config.timeouts.total = Duration::from_secs(2);
    let mut gateway = BlockingHttpsGateway::new(config).unwrap();
    let (outcome, card, audit, log) = check(&mut gateway);
    match transport_failure(&outcome) {
        E::Timeout {
            step: Step::ResponseHead | Step::Total,
        } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(log.pin_verifies(), 0);
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card);
}

#[test]
fn an_inquiry_dropped_after_it_was_written_never_turns_into_two_verdicts() {
    let rig = Rig::new();
    let proxy = rig.proxy(Fault::DropAnswer { connections: 10 });
    let mut gateway = inquiry_via(&rig, proxy.addr, |_| {});
    let (outcome, card, audit, _) = check(&mut gateway);
    let error = transport_failure(&outcome);
    assert_eq!(error, &E::DroppedAfterWrite);
    assert!(error.may_have_reached_gateway());
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    // The gateway answered it once; the check recorded one row, and it is no verdict.
    assert_eq!(rig.count("inquiry"), 1);
    assert_eq!(
        proxy.connections.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(gateway.inquiry.stats().retries, 0);
    assert_failed_cleanly(&outcome, &audit, &card);
    let rows = audit.store.entries_on(session_common::today()).unwrap();
    assert!(matches!(rows[0].outcome, CheckOutcome::Error(_)));
}

#[test]
fn an_inquiry_cut_mid_request_fails_cleanly_and_is_not_sent_again() {
    let rig = Rig::new();
    // The inquiry's connection (TLS 1.3 handshake, then the request) is about 5,000 bytes
    // client→gateway: cut it in the handshake's tail and in the request. The client has
    // written its side by then, so the driver must not send the inquiry again.
    for cut in [1_500, 3_000, 4_000] {
        let before = rig.count("inquiry");
        let proxy = rig.proxy(Fault::CutRequestAfter(cut));
        let mut gateway = inquiry_via(&rig, proxy.addr, |_| {});
        let (outcome, card, audit, _) = check(&mut gateway);
        assert_eq!(
            transport_failure(&outcome),
            &E::DroppedAfterWrite,
            "cut at {cut}"
        );
        assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
        assert_eq!(gateway.inquiry.stats().retries, 0, "cut at {cut}");
        assert_eq!(
            proxy.connections.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "cut at {cut}: one connection, no second attempt"
        );
        assert_eq!(
            rig.count("inquiry"),
            before,
            "cut at {cut}: it never arrived whole"
        );
        assert_failed_cleanly(&outcome, &audit, &card);
    }
}
