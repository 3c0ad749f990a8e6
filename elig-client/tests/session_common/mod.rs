//! Test fixture for the session: the sandbox gateway without a network (OfflineGateway on a
//! fake clock), a virtual My Number Card from the sandbox's PKI, and a pump that moves the
//! session's bytes with fake time.

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    dead_code
)]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use elig_client::gateway::{
    GatewayRequest, GatewayResponse, GatewayTransport, GatewayTransportError, Route,
};
use elig_client::session::{CheckRequest, Event, Mode, Outcome, Session, Timeouts};
use elig_proto::gateway::RequestId;
use elig_sandbox::clock::FakeClock;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;
use elig_sandbox::{DEFAULT_SEED, DeviceIdentity, OfflineGateway, SandboxConfig};
use reader_backends::mock::{CardConfig, InjectedFault, VirtualMyNumberCard};
use reader_backends::{ReaderLimits, Transport as _, TransportError};
use voucher_model::{Date, Purpose, RequestedUse, Voucher};

pub(crate) const PIN: &str = "4321";

pub(crate) fn today() -> Date {
    Date::new(2026, 4, 1).unwrap()
}

pub(crate) fn registry() -> Arc<Registry> {
    static R: OnceLock<Arc<Registry>> = OnceLock::new();
    R.get_or_init(|| Arc::new(Registry::default_registry().unwrap()))
        .clone()
}

pub(crate) fn pki() -> Arc<TestPki> {
    static P: OnceLock<Arc<TestPki>> = OnceLock::new();
    P.get_or_init(|| {
        Arc::new(TestPki::generate_on(DEFAULT_SEED, &registry().pki_plan(), today()).unwrap())
    })
    .clone()
}

/// The in-memory gateway: elig-sandbox's whole body handling, no network.
pub(crate) struct Offline {
    pub(crate) gateway: OfflineGateway,
    pub(crate) device: DeviceIdentity,
    pub(crate) clock: Arc<FakeClock>,
    pub(crate) routes: Vec<Route>,
}

impl Offline {
    pub(crate) fn new() -> Self {
        let clock = Arc::new(FakeClock::at_jst_noon(today()));
        let mut config = SandboxConfig::new(pki(), registry());
        config.clock = clock.clone();
        let gateway = OfflineGateway::new(&config).unwrap();
        let device = gateway
            .device(&pki().device("clinic").unwrap().cert_der)
            .unwrap();
        Self {
            gateway,
            device,
            clock,
            routes: Vec::new(),
        }
    }

    pub(crate) fn count(&self, route: Route) -> usize {
        self.routes.iter().filter(|r| **r == route).count()
    }
}

impl GatewayTransport for Offline {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        self.routes.push(request.route);
        let route = match request.route {
            Route::Inquiry => elig_sandbox::Route::Inquiry,
            _ => elig_sandbox::Route::Challenge,
        };
        let (status, body) =
            self.gateway
                .handle_body(&self.device, route, Some("application/json"), &request.body);
        Ok(GatewayResponse {
            id: request.id,
            status,
            body,
        })
    }
}

/// A virtual card holding registry card `serial`'s credentials, PIN [`PIN`].
pub(crate) fn card(
    serial: u64,
    config: CardConfig,
    faults: &[InjectedFault],
) -> VirtualMyNumberCard {
    let spec = registry().card(serial).unwrap().spec();
    let issued = pki().issue_card(&spec).unwrap();
    let mut builder = VirtualMyNumberCard::builder()
        .pin(PIN)
        .credentials(issued)
        .config(config);
    for fault in faults {
        builder = builder.fault(fault.clone());
    }
    builder.build().unwrap()
}

pub(crate) fn voucher(handle: &str) -> Voucher {
    registry()
        .vouchers_on(handle, today())
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

pub(crate) fn request(gateway: &Offline, voucher: Voucher) -> CheckRequest {
    CheckRequest::new(
        voucher,
        Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap(),
        gateway.device.facility.clone(),
        today(),
        RequestId::new("session-test-1").unwrap(),
        1_775_012_400,
    )
}

/// Moves bytes between a session, a card and a gateway at a fake `now`.
pub(crate) struct Pump {
    pub(crate) card: VirtualMyNumberCard,
    pub(crate) gateway: Offline,
    pub(crate) now: Instant,
    /// Every APDU sent (bytes), in order.
    pub(crate) apdus: Vec<Vec<u8>>,
    /// Every event but the outcome.
    pub(crate) events: Vec<Event>,
    /// Gateway requests held back instead of sent (to answer later or never).
    pub(crate) hold_gateway: bool,
    pub(crate) held: Vec<GatewayRequest>,
}

impl Pump {
    pub(crate) fn new(card: VirtualMyNumberCard, gateway: Offline) -> Self {
        Self {
            card,
            gateway,
            now: Instant::now(),
            apdus: Vec::new(),
            events: Vec::new(),
            hold_gateway: false,
            held: Vec::new(),
        }
    }

    pub(crate) fn session(&self, request: CheckRequest, mode: Mode) -> Session {
        Session::new(
            request,
            mode,
            self.card.limits(),
            Timeouts::default(),
            self.now,
        )
    }

    /// Advances the fake time of both the session and the gateway.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.now += by;
        self.gateway.clock.advance(by);
    }

    /// Runs until the session waits for someone; returns the outcome if it came.
    pub(crate) fn run(&mut self, session: &mut Session) -> Option<Outcome> {
        loop {
            let mut busy = false;
            while let Some(apdu) = session.poll_card() {
                busy = true;
                self.apdus.push(apdu.to_vec());
                let answer: Result<Vec<u8>, TransportError> = self.card.transmit(&apdu);
                session.handle_card_response(self.now, answer);
            }
            while let Some(request) = session.poll_gateway() {
                busy = true;
                if self.hold_gateway {
                    self.held.push(request);
                    continue;
                }
                let answer = self.gateway.send(&request).map_err(|e| (request.id, e));
                session.handle_gateway_response(self.now, answer);
            }
            while let Some(event) = session.poll_event() {
                busy = true;
                if let Event::Outcome(outcome) = event {
                    return Some(*outcome);
                }
                self.events.push(event);
            }
            if !busy {
                return None;
            }
        }
    }

    /// Sends the held gateway requests now.
    pub(crate) fn release(&mut self, session: &mut Session) {
        for request in std::mem::take(&mut self.held) {
            let answer = self.gateway.send(&request).map_err(|e| (request.id, e));
            session.handle_gateway_response(self.now, answer);
        }
    }

    pub(crate) fn count_ins(&self, ins: u8) -> usize {
        self.apdus.iter().filter(|a| a.get(1) == Some(&ins)).count()
    }

    /// VERIFY commands carrying a PIN (not the retry query, which has no data).
    pub(crate) fn pin_verifies(&self) -> usize {
        self.apdus
            .iter()
            .filter(|a| a.get(1) == Some(&VERIFY) && a.len() > 5)
            .count()
    }

    pub(crate) fn pin_needed(&self) -> Option<(Option<u8>, bool)> {
        self.events.iter().rev().find_map(|e| match e {
            Event::PinNeeded {
                tries_left,
                last_try,
            } => Some((*tries_left, *last_try)),
            _ => None,
        })
    }
}

pub(crate) const VERIFY: u8 = 0x20;

/// Asserts that nothing in a failed outcome says eligible.
pub(crate) fn assert_not_eligible(outcome: &Outcome) {
    assert!(!outcome.is_eligible());
    assert_ne!(
        outcome.record.outcome.code(),
        "eligible",
        "a failure is recorded as eligible"
    );
}

pub(crate) fn limits_of(config: &CardConfig) -> ReaderLimits {
    card(1001, config.clone(), &[]).limits()
}
