//! The sandbox's inquiry handling: everything elig-sandbox does with a request body before
//! any network reply, through `elig_sandbox::OfflineGateway::handle_body` (the same
//! functions the hyper service runs after the TLS handshake: Content-Type, body limit,
//! strict decode, then the challenge or the inquiry's checks in PROTOCOL.md's order and the
//! registry lookup). One gateway on the embedded default PKI and registry, built once; the
//! `clinic` device sends every request.
//!
//! Selector byte (`which % 3`), then the body:
//! - 0: `POST /v1/challenge` with the body;
//! - 1: `POST /v1/inquiry` with the body (the seed corpus holds PIN and visual inquiries to
//!   mutate), plus the public steps the handler composes, run on their own: the strict
//!   decode, the card certificate parsed as the gateway parses it (x509-cert DER), the
//!   to-be-signed digest (`InquiryRequest::to_be_signed`) and the registry lookup;
//! - 2: the facility encoding of a device certificate subject (`elig_proto::gateway::parse_facility_text`)
//!   on arbitrary text, with its round trip through `facility_text`.
//!
//! Asserted for every answer: it never panics; a non-200 body decodes as a `Rejection`
//! whose reason's `http_status()` is the status; a 200 challenge body decodes as a
//! `ChallengeResponse`; a 200 inquiry body decodes as an `InquiryResult` and its request is
//! a well-formed inquiry that passes the checks the fuzzer can reach: the device's facility,
//! today's date in Japan, and a 目視確認 proof (a PIN proof needs a live challenge, which
//! the gateway draws at random and the fuzzer never sees, so a PIN inquiry can never be 200
//! here).
#![no_main]

use std::sync::OnceLock;
use std::time::SystemTime;

use der::Decode;
use elig_proto::gateway::{
    ChallengeRequest, ChallengeResponse, InquiryRequest, InquiryResult, Proof, Rejection, decode,
};
use elig_proto::gateway::{facility_text, parse_facility_text};
use elig_sandbox::registry::Registry;
use elig_sandbox::{DeviceIdentity, OfflineGateway, Route, SandboxConfig};
use libfuzzer_sys::fuzz_target;
use x509_cert::Certificate;

struct Fixture {
    gateway: OfflineGateway,
    device: DeviceIdentity,
    registry: Registry,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let config = SandboxConfig::embedded_default().expect("embedded PKI and registry");
        let gateway = OfflineGateway::new(&config).expect("gateway on the embedded PKI");
        let cert = &gateway
            .pki()
            .device("clinic")
            .expect("clinic device")
            .cert_der;
        let device = gateway.device(cert).expect("clinic is a registered device");
        Fixture {
            gateway,
            device,
            registry: Registry::default_registry().expect("embedded registry loads"),
        }
    })
}

/// Runs `body` through the gateway on `route` and checks the answer's shape.
fn handle(route: Route, body: &[u8]) -> u16 {
    let f = fixture();
    // The gateway reads the clock itself: read it before and after, so a run crossing
    // midnight in Japan accepts either day instead of raising a false alarm.
    let day_before = voucher_model::jst::date_from_system_time(SystemTime::now()).ok();
    let (status, answer) = f
        .gateway
        .handle_body(&f.device, route, Some("application/json"), body);
    let day_after = voucher_model::jst::date_from_system_time(SystemTime::now()).ok();
    if status == 200 {
        match route {
            Route::Challenge => {
                decode::<ChallengeResponse>(&answer).expect("a 200 challenge answer decodes");
            }
            Route::Inquiry => {
                decode::<InquiryResult>(&answer).expect("a 200 inquiry answer decodes");
                let inquiry =
                    decode::<InquiryRequest>(body).expect("only a well-formed inquiry gets 200");
                assert_eq!(
                    inquiry.facility, f.device.facility,
                    "200 for another facility"
                );
                assert!(
                    day_before == Some(inquiry.checkup_date)
                        || day_after == Some(inquiry.checkup_date),
                    "200 for another day"
                );
                assert!(
                    matches!(inquiry.proof, Proof::Visual(_)),
                    "200 for a PIN inquiry without a live challenge"
                );
            }
        }
    } else {
        let rejection = decode::<Rejection>(&answer).expect("every non-200 body is a Rejection");
        assert_eq!(rejection.reason.http_status(), status, "{rejection:?}");
    }
    status
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            let decoded = decode::<ChallengeRequest>(body).is_ok();
            let status = handle(Route::Challenge, body);
            // rate_limited is the one refusal of a well-formed challenge request.
            assert!(decoded == (status == 200) || (decoded && status == 429));
        }
        1 => {
            let status = handle(Route::Inquiry, body);
            let Ok(inquiry) = decode::<InquiryRequest>(body) else {
                assert_ne!(status, 200);
                return;
            };
            let cert = Certificate::from_der(inquiry.card_certificate.as_bytes());
            let serial = cert
                .as_ref()
                .ok()
                .map(|c| c.tbs_certificate().serial_number().as_bytes().to_vec());
            if let Proof::Pin(_) = &inquiry.proof {
                let _ = inquiry
                    .to_be_signed(&inquiry.facility)
                    .map(|tbs| tbs.digest());
            }
            let serial = serial
                .and_then(|b| <[u8; 8]>::try_from(b.get(b.len().saturating_sub(8)..)?).ok())
                .map_or(0, u64::from_be_bytes);
            let lookup =
                fixture()
                    .registry
                    .lookup(serial, inquiry.checkup_date, inquiry.search.as_ref());
            let _ = format!("{lookup:?}");
        }
        _ => {
            let Ok(text) = std::str::from_utf8(body) else {
                return;
            };
            if let Some(facility) = parse_facility_text(text) {
                let encoded = facility_text(&facility);
                assert_eq!(parse_facility_text(&encoded), Some(facility));
            }
        }
    }
});
