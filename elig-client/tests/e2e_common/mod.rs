//! The end-to-end rig (issue 11 item 5): `blocking::Driver` over `BlockingHttpsGateway` (real
//! TLS on loopback, mutual TLS with the device certificate) against the in-process sandbox,
//! and a virtual My Number Card with injected faults behind the reader-backends `Transport`
//! seam. Builds on `session_common` (the card, the registry, the PKI) and `https_fixtures`
//! (the fault proxy, the TLS answer server) rather than copying them.
//!
//! One trace records, in order, every APDU, every gateway request and the moment the PIN was
//! typed, so a test can count "4 APDUs and one round trip after the PIN".

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use elig_client::audit::SqliteAuditStore;
use elig_client::blocking::{Driver, NotRecorded, Operator};
use elig_client::gateway::{
    GatewayRequest, GatewayResponse, GatewayTransport, GatewayTransportError, Route,
};
use elig_client::https::{BlockingHttpsGateway, HttpsConfig, TlsIdentity};
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Outcome, Recorded, Timeouts};
use elig_proto::gateway::RequestId;
use elig_sandbox::access_log::MemoryAccessLog;
use elig_sandbox::clock::FakeClock;
use elig_sandbox::{Limits, Sandbox, SandboxConfig};
use jpki_apdu::AuthPin;
use reader_backends::{CheckEnd, ReaderLimits, Transport, TransportError};
use voucher_model::{Facility, Purpose, RequestedUse, StaffAttestation, Voucher};

use crate::https_fixtures::{self, Running, identity_of, quick_retry, quick_timeouts};
use crate::session_common::{pki, registry, today};

/// INS bytes of the commands the tests look for (card.md).
pub const INS_VERIFY: u8 = 0x20;
/// PERFORM SECURITY OPERATION (COMPUTE DIGITAL SIGNATURE).
pub const INS_SIGN: u8 = 0x2A;

/// One thing that happened, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trace {
    /// A command APDU was sent to the card.
    Apdu(Vec<u8>),
    /// A gateway request was handed to the driver.
    Gateway(Route),
    /// The operator typed a PIN.
    Pin,
}

/// The shared trace.
#[derive(Debug, Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Trace>>>);

impl Log {
    pub fn push(&self, t: Trace) {
        self.0.lock().unwrap().push(t);
    }
    pub fn all(&self) -> Vec<Trace> {
        self.0.lock().unwrap().clone()
    }
    pub fn apdus(&self) -> usize {
        self.all()
            .iter()
            .filter(|t| matches!(t, Trace::Apdu(_)))
            .count()
    }
    /// VERIFY commands carrying a PIN (not the retry query, which has no data).
    pub fn pin_verifies(&self) -> usize {
        self.all()
            .iter()
            .filter(|t| matches!(t, Trace::Apdu(a) if a.get(1) == Some(&INS_VERIFY) && a.len() > 5))
            .count()
    }
    pub fn count_ins(&self, ins: u8) -> usize {
        self.all()
            .iter()
            .filter(|t| matches!(t, Trace::Apdu(a) if a.get(1) == Some(&ins)))
            .count()
    }
    pub fn gateway(&self, route: Route) -> usize {
        self.all()
            .iter()
            .filter(|t| **t == Trace::Gateway(route))
            .count()
    }
    /// What followed the first trace matching `from` (empty when none did).
    pub fn after(&self, from: impl Fn(&Trace) -> bool) -> Vec<Trace> {
        let all = self.all();
        match all.iter().position(from) {
            Some(i) => all[i + 1..].to_vec(),
            None => Vec::new(),
        }
    }
    pub fn after_last(&self, from: impl Fn(&Trace) -> bool) -> Vec<Trace> {
        let all = self.all();
        match all.iter().rposition(from) {
            Some(i) => all[i + 1..].to_vec(),
            None => Vec::new(),
        }
    }
}

/// A reader-backends `Transport` that records every command in the trace.
pub struct Traced<T> {
    pub inner: T,
    pub log: Log,
}

impl<T: Transport> Transport for Traced<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.log.push(Trace::Apdu(command.to_vec()));
        self.inner.transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        self.inner.limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        self.inner.begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        self.inner.end_check(end)
    }
}

/// A gateway driver wrapper that records each request in the trace.
pub struct TracedGateway<G> {
    pub inner: G,
    pub log: Log,
}

impl<G: GatewayTransport> GatewayTransport for TracedGateway<G> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        self.log.push(Trace::Gateway(request.route));
        self.inner.send(request)
    }
}

/// Challenges go to one driver, inquiries to another (a fault on one route only, or a
/// challenge from another device or another gateway).
pub struct ByRoute<C, I> {
    pub challenge: C,
    pub inquiry: I,
}

impl<C: GatewayTransport, I: GatewayTransport> GatewayTransport for ByRoute<C, I> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        match request.route {
            Route::Inquiry => self.inquiry.send(request),
            _ => self.challenge.send(request),
        }
    }
}

/// Rewrites the inquiry's body before it is sent (a broken or hostile client in the path).
pub struct Tamper<G, F> {
    pub inner: G,
    pub edit: F,
}

impl<G: GatewayTransport, F: FnMut(&mut Vec<u8>)> GatewayTransport for Tamper<G, F> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        if request.route != Route::Inquiry {
            return self.inner.send(request);
        }
        let mut changed = request.clone();
        (self.edit)(&mut changed.body);
        self.inner.send(&changed)
    }
}

/// The reception desk: PINs to type (last first), whether the person consents to the last
/// try, a hook run when the PIN is asked for (to move the gateway's clock while "typing").
pub struct Desk {
    pub pins: Vec<&'static str>,
    pub consent: bool,
    pub attest: bool,
    pub asked: usize,
    pub events: Vec<String>,
    pub log: Log,
    pub while_typing: Option<Box<dyn FnMut()>>,
}

impl Desk {
    pub fn new(log: &Log, pins: &[&'static str]) -> Self {
        let mut pins = pins.to_vec();
        pins.reverse();
        Self {
            pins,
            consent: false,
            attest: false,
            asked: 0,
            events: Vec::new(),
            log: log.clone(),
            while_typing: None,
        }
    }
}

impl Operator for Desk {
    fn event(&mut self, event: &Event) {
        self.events.push(format!("{event:?}"));
    }
    fn consent_to_last_try(&mut self) -> bool {
        self.consent
    }
    fn pin(&mut self, _tries_left: Option<u8>, _last_try: bool) -> OperatorInput {
        self.asked += 1;
        if let Some(hook) = self.while_typing.as_mut() {
            hook();
        }
        match self.pins.pop() {
            Some(pin) => {
                self.log.push(Trace::Pin);
                OperatorInput::Pin(AuthPin::new(pin).unwrap())
            }
            None => OperatorInput::Cancel,
        }
    }
    fn attestation(&mut self) -> OperatorInput {
        if !self.attest {
            return OperatorInput::Cancel;
        }
        let at = voucher_model::DateTime::new(today(), 9, 0, 0).unwrap();
        OperatorInput::Attestation(StaffAttestation::new("staff-1", at).unwrap())
    }
}

/// The sandbox on a runtime of its own (the blocking driver must not run inside one), on a
/// fake clock at noon JST of the tests' day, with an access log to count what reached it.
pub struct Rig {
    pub rt: tokio::runtime::Runtime,
    pub sandbox: Running,
    pub clock: Arc<FakeClock>,
}

impl Rig {
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Self {
        Self::start(FakeClock::at_jst_noon(today()), limits)
    }

    pub fn start(clock: FakeClock, limits: Limits) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let clock = Arc::new(clock);
        let log = Arc::new(MemoryAccessLog::new(1000));
        let config = SandboxConfig::new(pki(), registry())
            .with_clock(clock.clone())
            .with_access_log(log.clone())
            .with_limits(limits);
        let handle = rt.block_on(Sandbox::start(config)).unwrap();
        Self {
            rt,
            sandbox: Running { handle, log },
            clock,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.sandbox.handle.addr()
    }

    /// Requests that reached the sandbox on `route` ("challenge" / "inquiry").
    pub fn count(&self, route: &str) -> usize {
        self.sandbox.count(route)
    }

    /// A fault proxy in front of the sandbox.
    pub fn proxy(&self, fault: https_fixtures::Fault) -> https_fixtures::FaultProxy {
        let (addr, log) = (self.addr(), self.sandbox.log.clone());
        self.rt
            .block_on(https_fixtures::fault_proxy(addr, fault, log))
    }

    /// A TLS server with the gateway's certificate answering every request with `status`,
    /// `content_type` and `body`.
    pub fn answer_server(&self, status: u16, content_type: &str, body: &[u8]) -> SocketAddr {
        self.rt.block_on(https_fixtures::answer_server(
            status,
            content_type.to_owned(),
            body.to_vec(),
        ))
    }

    /// A driver to `addr` as registered device `label`.
    pub fn gateway_to(&self, addr: SocketAddr, label: &str) -> BlockingHttpsGateway {
        BlockingHttpsGateway::new(config_for(addr, identity(label))).unwrap()
    }

    /// A driver to the sandbox as `clinic`.
    pub fn gateway(&self) -> BlockingHttpsGateway {
        self.gateway_to(self.addr(), "clinic")
    }
}

/// The TLS identity of registered device `label`, trusting the gateway CA.
pub fn identity(label: &str) -> TlsIdentity {
    let pki = pki();
    identity_of(pki.device(label).unwrap(), pki.gateway_ca().cert_der())
}

/// The driver configuration: short step timeouts (2 s, total 5 s) and a quick retry.
pub fn config_for(addr: SocketAddr, identity: TlsIdentity) -> HttpsConfig {
    HttpsConfig::new(&format!("https://{addr}"), identity)
        .unwrap()
        .with_timeouts(quick_timeouts())
        .with_retry(quick_retry())
}

pub fn facility(label: &str) -> Facility {
    pki().device(label).unwrap().facility.clone()
}

/// A PIN-mode check request for `handle`'s first voucher, from `clinic`, for the tests' day.
pub fn check_request(voucher: Voucher) -> CheckRequest {
    CheckRequest::new(
        voucher,
        Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap(),
        facility("clinic"),
        today(),
        RequestId::new("e2e-1").unwrap(),
        1_775_012_400,
    )
}

/// A temporary SQLite audit store.
pub struct Audit {
    pub dir: tempfile::TempDir,
    pub store: SqliteAuditStore,
}

impl Audit {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteAuditStore::open(dir.path().join("audit.sqlite3")).unwrap();
        Self { dir, store }
    }

    /// Rows stored (the chain verified).
    pub fn rows(&self) -> u64 {
        self.store.verify().unwrap().rows
    }
}

/// Runs one check to its recorded outcome.
pub fn run<T: Transport, G: GatewayTransport>(
    card: &mut T,
    gateway: &mut G,
    desk: &mut Desk,
    audit: &mut Audit,
    request: CheckRequest,
    mode: Mode,
) -> Result<Recorded, NotRecorded> {
    Driver {
        card,
        gateway,
        operator: desk,
        audit: &mut audit.store,
    }
    .run(request, mode, Timeouts::default())
}

/// What every failed check must show: not eligible (nor recorded as such), exactly one audit
/// row, and a card with no verified state.
pub fn assert_failed_cleanly(
    outcome: &Outcome,
    audit: &Audit,
    card: &reader_backends::mock::VirtualMyNumberCard,
) {
    crate::session_common::assert_not_eligible(outcome);
    assert!(outcome.result.is_err(), "{:?}", outcome.result);
    assert_eq!(audit.rows(), 1, "one audit row per check");
    assert!(!card.any_verified(), "the card kept a verified state");
}
