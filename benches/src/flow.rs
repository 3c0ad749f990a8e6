//! The SDK's own CPU for one PIN-mode check: everything but the card and the network
//! (DESIGN.md, "Targets": under 1% of a 300 ms card signature, i.e. 3 ms; issue 11's goal:
//! under 100 µs).
//!
//! Two steps, only the second one timed:
//!
//! 1. [`Recording::pin_mode`] runs one real check, once: elig-client's [`Session`] against
//!    reader-backends' virtual My Number Card (a card of the sandbox's PKI: it does the
//!    RSA-2048 private-key signature) and elig-sandbox's gateway without a network
//!    ([`OfflineGateway`] on a fake clock: it issues the challenge, verifies the card's
//!    certificate chain and signature, and answers from its registry). Every APDU and the
//!    card's answer, every gateway request body and the gateway's answer are recorded. The
//!    verdict is eligible (the registry's person `P01` with their own card and voucher).
//! 2. [`replay`] drives a fresh [`Session`] through the same check with those answers: every
//!    command APDU and every gateway request body the session produces is compared with the
//!    recording (a difference is an error, so the replay is the session's real work and not
//!    a shortcut), the recorded answer is fed back, and the PIN is given when the session
//!    asks. What runs is the session's bookkeeping, jpki-apdu's paused check (command
//!    encoding, answer parsing, the certificate read), elig-proto's challenge decode, the
//!    to-be-signed digest, the inquiry's encoding and the result's decode, voucher-model's
//!    explained verdict, and the audit record (certificate serial parsed with x509-cert).
//!    What does not run: the card's signature and the gateway's verification (measured on
//!    their own: `sandbox_verify` in the `parsers` bench, BENCHMARKS.md).
//!
//! **Why a replayed challenge is fair.** A fresh challenge per iteration would need a fresh
//! card signature, which is the part left out. The session treats the replayed challenge
//! exactly as a fresh one: it decodes the answer, binds the challenge into elig-proto's
//! to-be-signed digest, hands the digest to the card, and puts the card's signature into the
//! inquiry. The session never verifies a signature (the gateway does), so nothing it computes
//! depends on the challenge being new; and because the replay compares every byte it sends,
//! the replayed session is shown to build the very inquiry the sandbox verified in step 1.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use elig_client::gateway::{GatewayRequest, Route};
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Outcome, Session, Timeouts};
use elig_proto::gateway::RequestId;
use elig_sandbox::clock::FakeClock;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;
use elig_sandbox::{DEFAULT_SEED, OfflineGateway, SandboxConfig};
use jpki_apdu::{AuthPin, ReaderLimits};
use reader_backends::Transport as _;
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};
use voucher_model::{Date, Purpose, RequestedUse};

use crate::FixtureError;
use crate::fixtures::Exchange;

/// The registry person whose check is recorded (`valid`: insured, voucher in force).
pub const PERSON: &str = "P01";
/// The virtual card's auth PIN in the recording.
pub const RECORDED_PIN: &str = "4321";
/// The inquiry's request id.
pub const RECORDED_REQUEST_ID: &str = "bench-session-1";
/// Wall-clock start of the recorded check (the audit record's time), Unix seconds.
const STARTED_UNIX_SECS: i64 = 1_775_012_400;

/// The checkup date of the recording (the date the sandbox's registry and the elig-client
/// session tests use).
fn checkup_date() -> Result<Date, FixtureError> {
    Date::new(2026, 4, 1).map_err(|e| FixtureError::Data(e.to_string()))
}

/// The sandbox's default registry and its test PKI.
type Sandbox = (Arc<Registry>, Arc<TestPki>);

/// The sandbox's default registry and its test PKI, built once per process (key derivation
/// takes a second or so).
fn sandbox() -> Result<Sandbox, FixtureError> {
    static SANDBOX: OnceLock<Result<Sandbox, FixtureError>> = OnceLock::new();
    SANDBOX
        .get_or_init(|| {
            let data = |e: &dyn std::fmt::Display| FixtureError::Data(e.to_string());
            let registry = Registry::default_registry().map_err(|e| data(&e))?;
            let pki =
                TestPki::generate(DEFAULT_SEED, &registry.pki_plan()).map_err(|e| data(&e))?;
            Ok((Arc::new(registry), Arc::new(pki)))
        })
        .clone()
}

/// One gateway request the session handed out and the answer it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayExchange {
    /// The endpoint.
    pub route: Route,
    /// The request body the session encoded.
    pub request: Vec<u8>,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer body.
    pub response: Vec<u8>,
}

/// One whole PIN-mode check, recorded against the virtual card and the sandbox gateway.
#[derive(Debug, Clone)]
pub struct Recording {
    request: CheckRequest,
    limits: ReaderLimits,
    /// Every APDU and the card's answer, in order.
    pub card: Vec<Exchange>,
    /// Every gateway request and its answer, in order.
    pub gateway: Vec<GatewayExchange>,
}

impl Recording {
    /// Runs one PIN-mode check of the registry's person [`PERSON`] over a virtual card with
    /// `config` (extended length or short APDUs only) and records it. Builds the sandbox's
    /// test PKI once per process (a second or so of key derivation); meant to run once, outside a timed loop.
    ///
    /// # Errors
    /// [`FixtureError`] if a crate refuses its own output or the check does not end in an
    /// eligible verdict (a bug worth knowing about).
    pub fn pin_mode(config: CardConfig) -> Result<Self, FixtureError> {
        let data = |e: &dyn std::fmt::Display| FixtureError::Data(e.to_string());
        let (registry, pki) = sandbox()?;
        let today = checkup_date()?;
        let person = registry
            .person(PERSON)
            .ok_or_else(|| FixtureError::Data(format!("no person {PERSON} in the registry")))?;
        let credentials = pki.issue_card(&person.card.spec()).map_err(|e| data(&e))?;
        let voucher = registry
            .vouchers_on(PERSON, today)
            .and_then(|v| v.into_iter().next())
            .ok_or_else(|| FixtureError::Data(format!("{PERSON} holds no voucher")))?;
        let mut config_sandbox = SandboxConfig::new(pki.clone(), registry.clone());
        config_sandbox.clock = Arc::new(FakeClock::at_jst_noon(today));
        let gateway = OfflineGateway::new(&config_sandbox).map_err(|e| data(&e))?;
        let device_cert = pki
            .device("clinic")
            .ok_or_else(|| FixtureError::Data("no device `clinic` in the PKI".into()))?;
        let device = gateway
            .device(&device_cert.cert_der)
            .ok_or_else(|| FixtureError::Data("the sandbox refuses its own device".into()))?;
        let mut card = VirtualMyNumberCard::builder()
            .pin(RECORDED_PIN)
            .credentials(credentials)
            .config(config)
            .build()
            .map_err(|e| FixtureError::Card(e.to_string()))?;
        let purpose =
            Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).map_err(|e| data(&e))?;
        let request_id = RequestId::new(RECORDED_REQUEST_ID)
            .ok_or_else(|| FixtureError::Data("request id".into()))?;
        let request = CheckRequest::new(
            voucher,
            purpose,
            device.facility.clone(),
            today,
            request_id,
            STARTED_UNIX_SECS,
        );
        let limits = card.limits();
        let mut log = Vec::new();
        let mut calls = Vec::new();
        let outcome = drive(
            request.clone(),
            limits,
            |command| {
                let response = card.process(command);
                log.push(Exchange {
                    command: command.to_vec(),
                    response: response.clone(),
                });
                Ok::<_, Infallible>(response)
            },
            |call| {
                let route = match call.route {
                    Route::Inquiry => elig_sandbox::Route::Inquiry,
                    _ => elig_sandbox::Route::Challenge,
                };
                let (status, response) =
                    gateway.handle_body(&device, route, Some("application/json"), &call.body);
                calls.push(GatewayExchange {
                    route: call.route,
                    request: call.body.clone(),
                    status,
                    response: response.clone(),
                });
                Ok::<_, Infallible>((status, response))
            },
        )?;
        if !outcome.is_eligible() {
            return Err(FixtureError::Data(format!(
                "the recorded check is not eligible: {:?}",
                outcome.result.map(|v| v.outcome)
            )));
        }
        Ok(Self {
            request,
            limits,
            card: log,
            gateway: calls,
        })
    }

    /// The reader limits of the recorded card.
    pub fn limits(&self) -> ReaderLimits {
        self.limits
    }
}

/// Drives a fresh session through the recorded check and returns its outcome: the timed part
/// of the `check` bench (see the module docs).
///
/// # Errors
/// [`FixtureError::Replay`] if the session sends another APDU or gateway body than recorded,
/// needs more answers than recorded, stalls, or ends without a verdict.
pub fn replay(recording: &Recording) -> Result<Outcome, FixtureError> {
    let mut card = recording.card.iter();
    let mut calls = recording.gateway.iter();
    let outcome = drive(
        recording.request.clone(),
        recording.limits,
        |command| {
            let exchange = card
                .next()
                .ok_or_else(|| fail("more APDUs than recorded"))?;
            if exchange.command != command {
                return Err(fail("an APDU differs from the recording"));
            }
            Ok(exchange.response.clone())
        },
        |call| {
            let exchange = calls
                .next()
                .ok_or_else(|| fail("more gateway calls than recorded"))?;
            if exchange.route != call.route || exchange.request != call.body {
                return Err(fail("a gateway request differs from the recording"));
            }
            Ok((exchange.status, exchange.response.clone()))
        },
    )?;
    if card.next().is_some() || calls.next().is_some() {
        return Err(fail("the session ended before the recording"));
    }
    Ok(outcome)
}

/// Why a replayed check failed (it never should: the recording came from the same code).
fn fail(what: &str) -> FixtureError {
    FixtureError::Replay(what.to_owned())
}

/// Runs a PIN-mode session to its outcome, answering APDUs with `card` and gateway requests
/// with `gateway` (status, body), giving [`RECORDED_PIN`] when asked. One `now` for the whole
/// check: no timer is due.
fn drive<E: std::fmt::Display>(
    request: CheckRequest,
    limits: ReaderLimits,
    mut card: impl FnMut(&[u8]) -> Result<Vec<u8>, E>,
    mut gateway: impl FnMut(&GatewayRequest) -> Result<(u16, Vec<u8>), E>,
) -> Result<Outcome, FixtureError> {
    let replay = |e: E| FixtureError::Replay(e.to_string());
    let now = Instant::now();
    let mut session = Session::new(request, Mode::Pin, limits, Timeouts::default(), now);
    loop {
        let mut busy = false;
        while let Some(command) = session.poll_card() {
            busy = true;
            let response = card(&command).map_err(replay)?;
            session.handle_card_response(now, Ok(response));
        }
        while let Some(call) = session.poll_gateway() {
            busy = true;
            let (status, body) = gateway(&call).map_err(replay)?;
            let response = elig_client::gateway::GatewayResponse {
                id: call.id,
                status,
                body,
            };
            session.handle_gateway_response(now, Ok(response));
        }
        while let Some(event) = session.poll_event() {
            busy = true;
            match event {
                Event::PinNeeded { .. } => {
                    let pin = AuthPin::new(RECORDED_PIN).map_err(|e| fail(&e.to_string()))?;
                    session
                        .handle_operator(now, OperatorInput::Pin(pin))
                        .map_err(|e| fail(&e.to_string()))?;
                }
                Event::Outcome(outcome) => {
                    return match &outcome.result {
                        Ok(_) => Ok(*outcome),
                        Err(failure) => Err(fail(&failure.to_string())),
                    };
                }
                _ => {}
            }
        }
        if !busy {
            return Err(fail("the session stalled"));
        }
    }
}
