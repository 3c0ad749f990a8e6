//! Stateful: elig-client's check [`Session`] (PIN and 目視確認 modes, extended and short
//! readers) driven by arbitrary card answers, gateway replies, operator input and timer
//! firings, mixed with the real thing: reader-backends' virtual My Number Card (a card of the
//! sandbox's PKI, PIN `4321`, which signs with its RSA key only after a verified PIN) and
//! elig-sandbox's gateway without a network (`OfflineGateway` on a fake clock that moves with
//! the session's `now`: real challenges, real certificate and signature verification). The
//! op [`Op::Auto`] takes the next step of the honest check, so all-`Auto` inputs reach an
//! eligible verdict and the fuzzer mutates around that path.
//!
//! The target keeps a ledger of what it fed the session and checks, after every op:
//!
//! 1. No panic (the whole run), at most one outcome, no APDU and no gateway request handed
//!    out after it.
//! 2. The PIN reaches the card at most once, and it is the PIN the operator gave: at most one
//!    VERIFY exchange carrying data, its data equal to the one PIN `handle_operator`
//!    accepted; no VERIFY with data and no signature command in 目視確認 mode.
//! 3. No COMPUTE DIGITAL SIGNATURE command before a VERIFY with the PIN was answered `9000`
//!    (an "exchange" is one command with its `61xx` GET RESPONSE and `6Cxx` follow-ups,
//!    joined as jpki-apdu joins them).
//! 4. At most one inquiry is handed out. A PIN-mode inquiry is handed out only after the
//!    signature command was answered `9000` and the card's state-clearing SELECT was sent,
//!    and it carries: the session's request id, facility and date; a challenge that a `200`
//!    challenge answer delivered; the digest the signature command carried, equal to
//!    elig-proto's digest recomputed over those fields; and as its signature exactly the data
//!    of that `9000` answer. A 目視確認 inquiry carries the attestation the operator gave.
//! 5. **Eligible only after the whole verified path.** An eligible outcome requires that the
//!    first answer the inquiry's call got was a `200` whose body decodes to an
//!    `InquiryResult` for the session's request id; in PIN mode also that this answer's basis
//!    is `card_signature` and 2–4 held (one PIN accepted, one VERIFY with it answered
//!    `9000`, the signature, the clear step, the signed inquiry); in 目視確認 mode that the
//!    attestation was accepted. And when that `200` came from the sandbox (which verifies
//!    the signature against the card certificate's key), the signature's answer came from
//!    the virtual card, untouched: only the card can make it, and it signs only after its
//!    PIN was verified.
//! 6. When every APDU was answered by the virtual card untouched and the outcome leaves the
//!    card powered (`CheckEnd::LeaveCard`), the card holds no verified state.
//!
//! A gateway that lies (a forged, well-formed `200`: [`GatewayAnswer::Result`]) can make the
//! session eligible after a forged card transcript: the session cannot tell, the gateway is
//! the one that verifies. Invariant 5 is therefore about what the session itself must have
//! done and seen, plus the sandbox's side when the sandbox answered.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use elig_client::gateway::{CallId, GatewayResponse, GatewayTransportError, Route};
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Session, Timeouts};
use elig_fuzz::session_ledger::{Ledger, STAFF_ID};
use elig_proto::gateway::{
    self as proto, Answer, Basis, Challenge, ChallengeResponse, InquiryResult, RequestId,
};
use elig_sandbox::clock::FakeClock;
use elig_sandbox::pki::{CardCredentials, TestPki};
use elig_sandbox::registry::Registry;
use elig_sandbox::{DEFAULT_SEED, DeviceIdentity, OfflineGateway, SandboxConfig};
use jpki_apdu::AuthPin;
use libfuzzer_sys::fuzz_target;
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};
use reader_backends::{CheckEnd, Transport as _, TransportError};
use voucher_model::{
    Date, DateTime, Purpose, QualificationResponse, RequestedUse, StaffAttestation,
};

const PIN: &str = "4321";
const WRONG_PIN: &str = "9999";
const STARTED: u64 = 1_775_012_400;

#[derive(Debug, Arbitrary)]
enum Op {
    /// The honest next step: the outstanding APDU to the virtual card, else the outstanding
    /// gateway call to the sandbox, else the PIN or attestation the session asked for.
    Auto,
    Card(CardAnswer),
    /// Answers the outstanding call (`to: None`), an earlier call (`Some(i)`: call `i` modulo
    /// the calls so far, answered or not), or an id the session never used (`Some(255)`).
    Gateway {
        to: Option<u8>,
        answer: GatewayAnswer,
    },
    Pin(bool),
    Consent,
    Attest,
    Cancel,
    Wait(u16),
    /// Moves time to the session's next deadline and fires it.
    WaitDeadline,
}

#[derive(Debug, Arbitrary)]
enum CardAnswer {
    Real,
    /// The virtual card's answer with its status word replaced and/or data cut.
    Tampered {
        sw: Option<u16>,
        cut: u8,
    },
    Bytes(Vec<u8>),
    Status(u16),
    Fails(u8),
}

#[derive(Debug, Arbitrary)]
enum GatewayAnswer {
    Real,
    /// A well-formed challenge answer (any challenge, any lifetime).
    Challenge {
        challenge: [u8; 32],
        lifetime: u16,
    },
    /// A forged, well-formed inquiry result.
    Result {
        card_basis: bool,
        own_id: bool,
        registry: bool,
    },
    Raw {
        status: u16,
        body: Vec<u8>,
    },
    Json {
        status: u16,
        json: String,
    },
    Fails(u8),
}

#[derive(Debug, Arbitrary)]
struct Input {
    visual: bool,
    short: bool,
    ops: Vec<Op>,
}

/// Built once per process.
struct World {
    registry: Arc<Registry>,
    pki: Arc<TestPki>,
    credentials: CardCredentials,
    device: DeviceIdentity,
    request: CheckRequest,
    today: Date,
    /// Forged results: `[card_basis][own_id][registry]`.
    forged: [[[Vec<u8>; 2]; 2]; 2],
}

fn world() -> Option<&'static World> {
    static WORLD: OnceLock<Option<World>> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            let registry = Arc::new(Registry::default_registry().ok()?);
            let pki = Arc::new(TestPki::generate(DEFAULT_SEED, &registry.pki_plan()).ok()?);
            let today = Date::new(2026, 4, 1).ok()?;
            let person = registry.person("P01")?;
            let credentials = pki.issue_card(&person.card.spec()).ok()?;
            let voucher = registry.vouchers_on("P01", today)?.into_iter().next()?;
            let gateway = OfflineGateway::new(&sandbox_config(&registry, &pki, today).0).ok()?;
            let device = gateway.device(&pki.device("clinic")?.cert_der)?;
            let request_id = RequestId::new("fuzz-1")?;
            let request = CheckRequest::new(
                voucher,
                Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).ok()?,
                device.facility.clone(),
                today,
                request_id.clone(),
                i64::try_from(STARTED).ok()?,
            );
            let lookup = registry.lookup(person.card.serial, today, None);
            let records = QualificationResponse {
                qualification_confirmation_date: Some(today),
                qualification_validity: Some(lookup.validity),
                results: lookup.records,
                ..QualificationResponse::default()
            };
            let other_id = RequestId::new("someone-else")?;
            let forge = |card: bool, own: bool, registry: bool| {
                let basis = if card {
                    Basis::CardSignature
                } else {
                    Basis::VisualConfirmation
                };
                let id = if own { &request_id } else { &other_id };
                let response = if registry {
                    records.clone()
                } else {
                    QualificationResponse::default()
                };
                proto::encode(&InquiryResult::new(id.clone(), basis, response)).unwrap_or_default()
            };
            let forged =
                [false, true].map(|c| [false, true].map(|o| [false, true].map(|r| forge(c, o, r))));
            Some(World {
                registry,
                pki,
                credentials,
                device,
                request,
                today,
                forged,
            })
        })
        .as_ref()
}

/// A sandbox on a fake clock at noon (Japan) of `today`, and that clock.
fn sandbox_config(
    registry: &Arc<Registry>,
    pki: &Arc<TestPki>,
    today: Date,
) -> (SandboxConfig, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::at_jst_noon(today));
    let mut config = SandboxConfig::new(pki.clone(), registry.clone());
    config.clock = clock.clone();
    (config, clock)
}

/// A call the session handed out.
struct Call {
    id: CallId,
    route: Route,
    body: Vec<u8>,
    answered: bool,
}

fuzz_target!(
    // The PKI's key derivation takes seconds: done before libFuzzer's per-input timer starts.
    init: {
        let _ = world();
    },
    |input: Input| {
        let Some(w) = world() else { return };
        let mode = if input.visual {
            Mode::VisualConfirmation
        } else {
            Mode::Pin
        };
        let config = if input.short {
            CardConfig::short_only()
        } else {
            CardConfig::extended()
        };
        let Ok(mut card) = VirtualMyNumberCard::builder()
            .pin(PIN)
            .credentials(w.credentials.clone())
            .config(config)
            .build()
        else {
            return;
        };
        let (sandbox, clock) = sandbox_config(&w.registry, &w.pki, w.today);
        let Ok(gateway) = OfflineGateway::new(&sandbox) else {
            return;
        };
        let mut now = Instant::now();
        let mut s = Session::new(
            w.request.clone(),
            mode,
            card.limits(),
            Timeouts::default(),
            now,
        );
        let mut ledger = Ledger {
            every_apdu_real: true,
            ..Ledger::default()
        };
        let mut pending: Option<Vec<u8>> = None;
        let mut calls: Vec<Call> = Vec::new();
        let mut pin_asked = false;
        let mut attestation_asked = false;
        for op in input.ops {
            // Take what the session hands out.
            if pending.is_none() {
                if let Some(next) = s.poll_card() {
                    assert_eq!(ledger.outcomes, 0, "an APDU after the outcome");
                    ledger.command(&next, mode);
                    pending = Some(next.to_vec());
                }
            }
            while let Some(request) = s.poll_gateway() {
                assert_eq!(ledger.outcomes, 0, "a gateway request after the outcome");
                if request.route == Route::Inquiry {
                    ledger.inquiry(&w.request, mode, request.id, &request.body);
                }
                calls.push(Call {
                    id: request.id,
                    route: request.route,
                    body: request.body,
                    answered: false,
                });
            }
            let op = match op {
                Op::Auto if pending.is_some() => Op::Card(CardAnswer::Real),
                Op::Auto if calls.last().is_some_and(|c| !c.answered) => Op::Gateway {
                    to: None,
                    answer: GatewayAnswer::Real,
                },
                Op::Auto if pin_asked && ledger.pins_accepted == 0 => Op::Pin(true),
                Op::Auto if attestation_asked && !ledger.attested => Op::Attest,
                other => other,
            };
            match op {
                Op::Auto => {}
                Op::Card(answer) => {
                    let Some(command) = pending.take() else {
                        continue;
                    };
                    let (answer, real) = match answer {
                        CardAnswer::Real => (Ok(card.process(&command)), true),
                        CardAnswer::Tampered { sw, cut } => {
                            let original = card.process(&command);
                            let mut bytes = original.clone();
                            let data_len = bytes.len().saturating_sub(2);
                            let cut = usize::from(cut).min(data_len);
                            bytes.drain(data_len - cut..data_len);
                            if let (Some(sw), Some(tail)) = (sw, bytes.len().checked_sub(2)) {
                                bytes.truncate(tail);
                                bytes.extend_from_slice(&sw.to_be_bytes());
                            }
                            let untouched = bytes == original;
                            (Ok(bytes), untouched)
                        }
                        CardAnswer::Bytes(bytes) => (Ok(bytes), false),
                        CardAnswer::Status(sw) => (Ok(sw.to_be_bytes().to_vec()), false),
                        CardAnswer::Fails(kind) => {
                            let error = match kind % 4 {
                                0 => TransportError::CardRemoved,
                                1 => TransportError::Timeout,
                                2 => TransportError::CardReset,
                                _ => TransportError::ReaderGone,
                            };
                            (Err(error), false)
                        }
                    };
                    ledger.card_answer(&answer, real);
                    s.handle_card_response(now, answer);
                }
                Op::Gateway { to, answer } => {
                    let index = match to {
                        None => calls.iter().rposition(|c| !c.answered),
                        Some(255) => None,
                        Some(i) if !calls.is_empty() => Some(usize::from(i) % calls.len()),
                        Some(_) => None,
                    };
                    let (id, route, body) = match index.and_then(|i| calls.get_mut(i)) {
                        Some(call) => (call.id, call.route, call.body.clone()),
                        None if to == Some(255) => (CallId(u64::MAX), Route::Inquiry, Vec::new()),
                        None => continue,
                    };
                    let reply = match answer {
                        GatewayAnswer::Real => {
                            let sandbox_route = match route {
                                Route::Inquiry => elig_sandbox::Route::Inquiry,
                                _ => elig_sandbox::Route::Challenge,
                            };
                            let (status, body) = gateway.handle_body(
                                &w.device,
                                sandbox_route,
                                Some("application/json"),
                                &body,
                            );
                            Ok((status, body, true))
                        }
                        GatewayAnswer::Challenge {
                            challenge,
                            lifetime,
                        } => {
                            let answer = ChallengeResponse::new(
                                Challenge::from_bytes(challenge),
                                STARTED,
                                STARTED + u64::from(lifetime),
                            );
                            Ok((200, proto::encode(&answer).unwrap_or_default(), false))
                        }
                        GatewayAnswer::Result {
                            card_basis,
                            own_id,
                            registry,
                        } => {
                            let body = &w.forged[usize::from(card_basis)][usize::from(own_id)]
                                [usize::from(registry)];
                            Ok((200, body.clone(), false))
                        }
                        GatewayAnswer::Raw { status, body } => Ok((status, body, false)),
                        GatewayAnswer::Json { status, json } => {
                            Ok((status, json.into_bytes(), false))
                        }
                        GatewayAnswer::Fails(kind) => Err(match kind % 3 {
                            0 => GatewayTransportError::DroppedAfterWrite,
                            1 => GatewayTransportError::Unreachable { proxy: false },
                            _ => GatewayTransportError::DroppedBeforeWrite,
                        }),
                    };
                    let first_answer = index
                        .and_then(|i| calls.get_mut(i))
                        .is_some_and(|call| !std::mem::replace(&mut call.answered, true));
                    // What the ledger learns from the answer (the session acts on the first
                    // answer to a call only; later ones are ignored).
                    if first_answer {
                        if let Ok((200, body, _)) = &reply {
                            if route == Route::Challenge {
                                if let Ok(Answer::Ok(c)) =
                                    proto::decode_answer::<ChallengeResponse>(200, body)
                                {
                                    ledger.challenges.push(*c.challenge.as_bytes());
                                }
                            }
                        }
                        if Some(id) == ledger.inquiry_call && ledger.inquiry_answer.is_none() {
                            let result = match &reply {
                                Ok((status, body, _)) => {
                                    match proto::decode_answer::<InquiryResult>(*status, body) {
                                        Ok(Answer::Ok(r)) => {
                                            Some((r.basis, r.request_id == w.request.request_id))
                                        }
                                        _ => None,
                                    }
                                }
                                Err(_) => None,
                            };
                            let from_sandbox = matches!(reply, Ok((_, _, true)));
                            ledger.inquiry_answer = Some((result, from_sandbox));
                        }
                    }
                    let answer = match reply {
                        Ok((status, body, _)) => Ok(GatewayResponse { id, status, body }),
                        Err(error) => Err((id, error)),
                    };
                    s.handle_gateway_response(now, answer);
                }
                Op::Pin(right) => {
                    let pin = if right { PIN } else { WRONG_PIN };
                    if let Ok(auth) = AuthPin::new(pin) {
                        if s.handle_operator(now, OperatorInput::Pin(auth)).is_ok() {
                            ledger.pins_accepted += 1;
                            assert_eq!(ledger.pins_accepted, 1, "a second PIN accepted");
                            ledger.pin_accepted = Some(pin);
                        }
                    }
                }
                Op::Consent => {
                    let _ = s.handle_operator(now, OperatorInput::ConsentToLastTry);
                }
                Op::Attest => {
                    let attestation = DateTime::new(w.today, 10, 0, 0)
                        .ok()
                        .and_then(|at| StaffAttestation::new(STAFF_ID, at).ok());
                    if let Some(attestation) = attestation {
                        if s.handle_operator(now, OperatorInput::Attestation(attestation))
                            .is_ok()
                        {
                            assert!(!ledger.attested, "a second attestation accepted");
                            ledger.attested = true;
                        }
                    }
                }
                Op::Cancel => {
                    let _ = s.handle_operator(now, OperatorInput::Cancel);
                }
                Op::Wait(secs) => {
                    let by = Duration::from_secs(u64::from(secs));
                    now += by;
                    clock.advance(by);
                    s.handle_timeout(now);
                }
                Op::WaitDeadline => {
                    if let Some(deadline) = s.poll_timeout() {
                        let by = deadline.saturating_duration_since(now);
                        now += by;
                        clock.advance(by);
                    }
                    s.handle_timeout(now);
                }
            }
            while let Some(event) = s.poll_event() {
                match event {
                    Event::PinNeeded { .. } => pin_asked = true,
                    Event::AttestationNeeded => attestation_asked = true,
                    Event::Outcome(outcome) => {
                        ledger.outcomes += 1;
                        assert_eq!(ledger.outcomes, 1, "a second outcome");
                        assert!(s.is_finished());
                        if outcome.is_eligible() {
                            ledger.eligible(mode);
                        }
                        if ledger.every_apdu_real && outcome.card_end == Some(CheckEnd::LeaveCard) {
                            assert!(!card.any_verified(), "the card left with a verified state");
                        }
                    }
                    _ => {}
                }
            }
        }
    }
);
