//! Stateful: elig-client's check session driven by arbitrary card answers, gateway replies,
//! operator input and timer firings. It never panics, emits one outcome at most, hands out no
//! APDU after it, sends a PIN at most once, and is never eligible without the whole verified
//! path (PIN mode: a PIN given once, VERIFY with the PIN, the signature, the card's clear
//! step, an inquiry and a 200 answer to it; 目視確認: an attestation, an inquiry and a 200).
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use elig_client::gateway::{GatewayResponse, GatewayTransportError, Route};
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Session, Timeouts};
use elig_proto::gateway::RequestId;
use jpki_apdu::{AuthPin, ReaderLimits};
use libfuzzer_sys::fuzz_target;
use reader_backends::TransportError;
use voucher_model::{Date, DateTime, Purpose, RequestedUse, StaffAttestation};

#[derive(Debug, Arbitrary)]
enum Op {
    Card(Vec<u8>),
    CardStatus(u16),
    CardFails(u8),
    Gateway {
        status: u16,
        body: Vec<u8>,
        other_id: bool,
    },
    GatewayJson {
        status: u16,
        json: String,
    },
    GatewayFails(u8),
    Pin(bool),
    Consent,
    Attest,
    Cancel,
    Wait(u16),
}

#[derive(Debug, Arbitrary)]
struct Input {
    visual: bool,
    short: bool,
    ops: Vec<Op>,
}

fn request() -> Option<CheckRequest> {
    static REQUEST: OnceLock<Option<CheckRequest>> = OnceLock::new();
    REQUEST
        .get_or_init(|| {
            let registry = elig_sandbox::registry::Registry::default_registry().ok()?;
            let today = Date::new(2026, 4, 1).ok()?;
            let voucher = registry.vouchers_on("P01", today)?.into_iter().next()?;
            let facility = registry.devices().first()?.facility.clone();
            Some(CheckRequest::new(
                voucher,
                Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).ok()?,
                facility,
                today,
                RequestId::new("fuzz-1")?,
                1_775_012_400,
            ))
        })
        .clone()
}

fuzz_target!(|input: Input| {
    let Some(request) = request() else { return };
    let mode = if input.visual {
        Mode::VisualConfirmation
    } else {
        Mode::Pin
    };
    let limits = if input.short {
        ReaderLimits::short_only()
    } else {
        ReaderLimits::extended(65_544)
    };
    let mut now = Instant::now();
    let mut s = Session::new(request, mode, limits, Timeouts::default(), now);
    let mut apdu: Option<Vec<u8>> = None;
    let mut call: Option<(elig_client::gateway::CallId, Route)> = None;
    let mut pins_given = 0u32;
    let mut pin_verifies = 0u32;
    let mut signed = false;
    let mut cleared_after_sign = false;
    let mut attested = false;
    let mut inquiry_200 = false;
    let mut outcomes = 0u32;
    for op in input.ops {
        if apdu.is_none() {
            if let Some(next) = s.poll_card() {
                assert!(outcomes == 0, "an APDU after the outcome");
                let next = next.to_vec();
                match next.get(1) {
                    Some(0x20) if next.len() > 5 => pin_verifies += 1,
                    Some(0x2A) => signed = true,
                    Some(0xA4) if signed => cleared_after_sign = true,
                    _ => {}
                }
                apdu = Some(next);
            }
        }
        if call.is_none() {
            if let Some(request) = s.poll_gateway() {
                call = Some((request.id, request.route));
            }
        }
        match op {
            Op::Card(bytes) => {
                if apdu.take().is_some() {
                    s.handle_card_response(now, Ok(bytes));
                }
            }
            Op::CardStatus(sw) => {
                if apdu.take().is_some() {
                    s.handle_card_response(now, Ok(sw.to_be_bytes().to_vec()));
                }
            }
            Op::CardFails(kind) => {
                if apdu.take().is_some() {
                    let error = match kind % 3 {
                        0 => TransportError::CardRemoved,
                        1 => TransportError::Timeout,
                        _ => TransportError::ReaderGone,
                    };
                    s.handle_card_response(now, Err(error));
                }
            }
            Op::Gateway {
                status,
                body,
                other_id,
            } => {
                if let Some((id, route)) = call.take() {
                    let id = if other_id {
                        elig_client::gateway::CallId(id.0 ^ 0x55)
                    } else {
                        id
                    };
                    if route == Route::Inquiry && status == 200 && !other_id {
                        inquiry_200 = true;
                    }
                    s.handle_gateway_response(now, Ok(GatewayResponse { id, status, body }));
                }
            }
            Op::GatewayJson { status, json } => {
                if let Some((id, route)) = call.take() {
                    if route == Route::Inquiry && status == 200 {
                        inquiry_200 = true;
                    }
                    let body = json.into_bytes();
                    s.handle_gateway_response(now, Ok(GatewayResponse { id, status, body }));
                }
            }
            Op::GatewayFails(kind) => {
                if let Some((id, _)) = call.take() {
                    let error = match kind % 3 {
                        0 => GatewayTransportError::DroppedAfterWrite,
                        1 => GatewayTransportError::Unreachable { proxy: false },
                        _ => GatewayTransportError::DroppedBeforeWrite,
                    };
                    s.handle_gateway_response(now, Err((id, error)));
                }
            }
            Op::Pin(right) => {
                let pin = AuthPin::new(if right { "4321" } else { "9999" });
                if let Ok(pin) = pin {
                    if s.handle_operator(now, OperatorInput::Pin(pin)).is_ok() {
                        pins_given += 1;
                    }
                }
            }
            Op::Consent => {
                let _ = s.handle_operator(now, OperatorInput::ConsentToLastTry);
            }
            Op::Attest => {
                let attestation =
                    DateTime::new(Date::new(2026, 4, 1).unwrap_or(Date::MIN), 10, 0, 0)
                        .ok()
                        .and_then(|at| StaffAttestation::new("staff-07", at).ok());
                if let Some(attestation) = attestation {
                    if s.handle_operator(now, OperatorInput::Attestation(attestation))
                        .is_ok()
                    {
                        attested = true;
                    }
                }
            }
            Op::Cancel => {
                let _ = s.handle_operator(now, OperatorInput::Cancel);
            }
            Op::Wait(secs) => {
                now += Duration::from_secs(u64::from(secs));
                s.handle_timeout(now);
            }
        }
        while let Some(event) = s.poll_event() {
            if let Event::Outcome(outcome) = event {
                outcomes += 1;
                assert_eq!(outcomes, 1, "a second outcome");
                if outcome.is_eligible() {
                    assert!(inquiry_200, "eligible without a 200 to the inquiry");
                    match mode {
                        Mode::VisualConfirmation => assert!(attested),
                        _ => {
                            assert_eq!(pins_given, 1);
                            assert_eq!(pin_verifies, 1);
                            assert!(
                                signed && cleared_after_sign,
                                "eligible without the signature and clear"
                            );
                        }
                    }
                }
            }
        }
        assert!(pin_verifies <= 1, "a PIN sent twice");
    }
});
