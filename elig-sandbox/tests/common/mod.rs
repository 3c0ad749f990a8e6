//! Shared fixtures: one PKI per test binary, cards issued once per serial, a virtual card
//! that signs through jpki-apdu, and [`Client`]: the SDK's own HTTPS driver
//! (`elig_client::https::HttpsGateway`) for every ordinary call. The deliberately raw
//! `elig_sandbox::client::TestClient` ([`Running::raw_client`]) is kept for what a real
//! client never sends (malformed or oversized bodies, wrong media types, paths and methods,
//! no client certificate).
// Test helpers: a failed fixture must fail the test loudly.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use elig_client::gateway::{CallId, GatewayRequest, Route};
use elig_client::https::{HttpsConfig, HttpsGateway, TlsIdentity};
use elig_proto::gateway::{
    self as proto, ChallengeRequest, ChallengeResponse, InquiryResult, Message,
};
use elig_proto::gateway::{Challenge, InquiryRequest};
use elig_sandbox::access_log::MemoryAccessLog;
use elig_sandbox::client::{Answer, TestClient};
use elig_sandbox::clock::FakeClock;
use elig_sandbox::pki::{Authority, CardCredentials, DeviceCredentials, TestPki};
use elig_sandbox::registry::Registry;
use elig_sandbox::{DEFAULT_SEED, Sandbox, SandboxConfig, SandboxHandle, inquiry};
use jpki_apdu::procedure::{LastTry, PinModeCheck};
use jpki_apdu::{AuthPin, DigestInfo, ReaderLimits};
use reader_backends::mock::VirtualMyNumberCard;
use voucher_model::{Date, Facility, SearchInfo};

/// The checkup day all tests run on (fake clock at noon JST).
pub fn today() -> Date {
    Date::new(2026, 4, 1).unwrap()
}

pub fn registry() -> Arc<Registry> {
    static R: OnceLock<Arc<Registry>> = OnceLock::new();
    R.get_or_init(|| Arc::new(Registry::default_registry().unwrap()))
        .clone()
}

pub fn pki() -> Arc<TestPki> {
    static P: OnceLock<Arc<TestPki>> = OnceLock::new();
    P.get_or_init(|| {
        Arc::new(TestPki::generate_on(DEFAULT_SEED, &registry().pki_plan(), today()).unwrap())
    })
    .clone()
}

/// Another CA, not trusted by the gateway, for foreign devices and cards.
pub fn rogue() -> &'static Authority {
    static A: OnceLock<Authority> = OnceLock::new();
    A.get_or_init(|| Authority::generate(b"rogue", "CN=Rogue CA,O=Somebody else,C=JP").unwrap())
}

pub fn card(serial: u64) -> CardCredentials {
    static CARDS: OnceLock<Mutex<HashMap<u64, CardCredentials>>> = OnceLock::new();
    let cards = CARDS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(c) = cards.lock().unwrap().get(&serial) {
        return c.clone();
    }
    let spec = registry()
        .card(serial)
        .expect("serial in the registry")
        .spec();
    let issued = pki().issue_card(&spec).unwrap();
    cards.lock().unwrap().insert(serial, issued.clone());
    issued
}

pub fn serial_of(handle: &str) -> u64 {
    registry().person(handle).unwrap().card.serial
}

pub fn device(label: &str) -> DeviceCredentials {
    pki().device(label).unwrap().clone()
}

pub struct Running {
    pub handle: SandboxHandle,
    pub clock: Arc<FakeClock>,
    pub log: Arc<MemoryAccessLog>,
}

pub async fn start() -> Running {
    let clock = Arc::new(FakeClock::at_jst_noon(today()));
    let log = Arc::new(MemoryAccessLog::new(1000));
    let config = SandboxConfig::new(pki(), registry())
        .with_clock(clock.clone())
        .with_access_log(log.clone());
    let handle = Sandbox::start(config).await.unwrap();
    Running { handle, clock, log }
}

/// The SDK's HTTPS driver with the calls the tests make, answers decoded as the protocol
/// says ([`proto::decode_answer`]).
#[derive(Debug)]
pub struct Client {
    gateway: HttpsGateway,
    next: u64,
}

impl Client {
    /// A client for `addr` presenting `identity` (nothing is connected before the first call).
    pub fn new(addr: std::net::SocketAddr, identity: TlsIdentity) -> Self {
        let config = HttpsConfig::new(&format!("https://{addr}"), identity).unwrap();
        Self {
            gateway: HttpsGateway::new(config).unwrap(),
            next: 0,
        }
    }

    /// A client for `addr` as `device`, trusting the gateway CA `anchor_der`.
    pub fn for_device(
        addr: std::net::SocketAddr,
        anchor_der: &[u8],
        device: &DeviceCredentials,
    ) -> Self {
        let key = device.key.to_pkcs8_der().unwrap();
        Self::new(
            addr,
            TlsIdentity::from_der(anchor_der, &device.cert_der, &key),
        )
    }

    /// The driver (its counters, `disconnect`).
    pub fn gateway(&mut self) -> &mut HttpsGateway {
        &mut self.gateway
    }

    async fn call<M: Message>(&mut self, route: Route, body: Vec<u8>) -> Result<Answer<M>, String> {
        self.next = self.next.saturating_add(1);
        let request = GatewayRequest {
            id: CallId(self.next),
            route,
            body,
        };
        let answer = self
            .gateway
            .send(&request)
            .await
            .map_err(|e| e.to_string())?;
        assert_eq!(answer.id, request.id);
        proto::decode_answer::<M>(answer.status, &answer.body).map_err(|e| e.to_string())
    }

    /// `POST /v1/challenge`.
    pub async fn challenge(&mut self) -> Result<Answer<ChallengeResponse>, String> {
        let body = proto::encode(&ChallengeRequest::new()).unwrap();
        self.call(Route::Challenge, body).await
    }

    /// `POST /v1/inquiry`.
    pub async fn inquiry(
        &mut self,
        request: &InquiryRequest,
    ) -> Result<Answer<InquiryResult>, String> {
        let body = proto::encode(request).unwrap();
        self.call(Route::Inquiry, body).await
    }
}

impl Running {
    /// The SDK's HTTPS driver as registered device `label`.
    pub fn client(&self, label: &str) -> Client {
        Client::for_device(
            self.handle.addr(),
            pki().gateway_ca().cert_der(),
            &device(label),
        )
    }

    /// The deliberately raw client, for requests a real client never sends.
    pub async fn raw_client(&self, label: &str) -> TestClient {
        TestClient::connect(
            self.handle.addr(),
            pki().gateway_ca().cert_der(),
            &device(label),
        )
        .await
        .unwrap()
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// Signs `digest` with a virtual My Number Card holding `card` (the sandbox issues the
/// virtual card's own credentials type), through jpki-apdu's PIN-mode procedure; returns
/// (certificate read from the card, signature).
pub fn sign_on_virtual_card(card: &CardCredentials, digest: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let mut vcard = VirtualMyNumberCard::builder()
        .pin("4321")
        .credentials(card.clone())
        .build()
        .unwrap();
    sign_on(&mut vcard, "4321", digest)
}

/// Signs `digest` on `vcard` (PIN `pin`) through jpki-apdu's PIN-mode procedure; returns
/// (certificate read from the card, signature).
pub fn sign_on(
    vcard: &mut VirtualMyNumberCard,
    pin: &str,
    digest: &[u8; 32],
) -> (Vec<u8>, Vec<u8>) {
    let check = PinModeCheck::up_front(
        AuthPin::new(pin).unwrap(),
        LastTry::Refuse,
        DigestInfo::sha256(digest),
        ReaderLimits::extended(65_544),
    );
    let evidence = jpki_apdu::drive(check, |apdu| {
        Ok::<_, std::convert::Infallible>(vcard.process(apdu))
    })
    .unwrap();
    assert!(!vcard.any_verified(), "the check leaves no verified state");
    (evidence.certificate, evidence.signature)
}

pub fn facility(label: &str) -> Facility {
    device(label).facility
}

pub async fn challenge(client: &mut Client) -> Challenge {
    match client.challenge().await.unwrap() {
        Answer::Ok(c) => c.challenge,
        other => panic!("challenge refused: {other:?}"),
    }
}

/// A PIN-mode inquiry for `card` from the facility of `label`, signed on a virtual card.
pub async fn pin_inquiry(
    client: &mut Client,
    label: &str,
    card: &CardCredentials,
    search: Option<&SearchInfo>,
) -> InquiryRequest {
    let ch = challenge(client).await;
    let request = inquiry::unsigned(
        "req-1",
        &facility(label),
        today(),
        search,
        card.auth().cert_der(),
    )
    .unwrap();
    let digest = inquiry::digest(&request, &ch, &facility(label));
    let (cert, signature) = sign_on_virtual_card(card, &digest);
    assert_eq!(
        cert,
        card.auth().cert_der(),
        "the card returns the certificate the PKI issued"
    );
    inquiry::with_pin(request, ch, digest, signature).unwrap()
}
