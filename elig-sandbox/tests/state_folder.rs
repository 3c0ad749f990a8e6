//! A vendor's view: the PKI written as PEM files, the gateway started from that folder, and
//! a client that knows nothing but the files. The clients are the SDK's HTTPS driver.
// Helpers outside #[test] functions: a failure must fail the test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::Client;
use elig_client::gateway::{CallId, GatewayRequest, GatewayTransport as _, Route};
use elig_client::https::{BlockingHttpsGateway, HttpsConfig, TlsIdentity};
use elig_proto::gateway::ChallengeResponse;
use elig_sandbox::client::Answer;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;
use elig_sandbox::{Limits, Sandbox, SandboxConfig};

fn pem(path: &std::path::Path, label: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    let (found, der) = der::pem::decode_vec(text.as_bytes()).unwrap();
    assert_eq!(found, label, "{}", path.display());
    der
}

#[test]
fn the_same_seed_gives_the_same_pki() {
    let registry = Registry::default_registry().unwrap();
    let day = voucher_model::Date::new(2026, 4, 1).unwrap();
    let a = TestPki::generate_on(b"determinism", &registry.pki_plan(), day).unwrap();
    let b = TestPki::generate_on(b"determinism", &registry.pki_plan(), day).unwrap();
    assert_eq!(a.auth_ca().cert_der(), b.auth_ca().cert_der());
    assert_eq!(a.server().cert_der, b.server().cert_der);
    assert_eq!(a.crl_der(), b.crl_der());
    assert_eq!(a.devices()[0].cert_der, b.devices()[0].cert_der);
    assert_eq!(
        a.devices()[0].key.to_pkcs8_der().unwrap(),
        b.devices()[0].key.to_pkcs8_der().unwrap()
    );
    // Another day: the same keys, authorities and server certificate; the device
    // certificates and CRLs are issued for that day, and issuing them again for the first
    // day gives the first day's bytes.
    let later = voucher_model::Date::new(2051, 3, 31).unwrap();
    let c = a.on(later).unwrap();
    assert_eq!(c.issued_on(), Some(later));
    assert_eq!(c.auth_ca().cert_der(), a.auth_ca().cert_der());
    assert_eq!(c.server().cert_der, a.server().cert_der);
    assert_ne!(c.crl_der(), a.crl_der());
    assert_ne!(c.device_crl_der(), a.device_crl_der());
    assert_ne!(c.devices()[0].cert_der, a.devices()[0].cert_der);
    assert_eq!(
        c.devices()[0].key.to_pkcs8_der().unwrap(),
        a.devices()[0].key.to_pkcs8_der().unwrap()
    );
    let back = c.on(day).unwrap();
    assert_eq!(back.crl_der(), a.crl_der());
    assert_eq!(back.device_crl_der(), a.device_crl_der());
    assert_eq!(back.devices()[0].cert_der, a.devices()[0].cert_der);
}

#[tokio::test]
async fn gateway_from_a_state_folder_serves_a_client_built_from_pem_files() {
    let registry = Arc::new(Registry::default_registry().unwrap());
    let dir = tempfile::tempdir().unwrap();
    TestPki::generate(b"state folder test", &registry.pki_plan())
        .unwrap()
        .write_pem(dir.path())
        .unwrap();
    let pki = Arc::new(TestPki::load(dir.path()).unwrap());
    let sandbox = Sandbox::start(SandboxConfig::new(pki, registry))
        .await
        .unwrap();

    let anchor = pem(&dir.path().join("gateway-ca.pem"), "CERTIFICATE");
    let cert = pem(&dir.path().join("device-clinic.pem"), "CERTIFICATE");
    let key = pem(&dir.path().join("device-clinic.key.pem"), "PRIVATE KEY");
    let mut client = Client::new(sandbox.addr(), TlsIdentity::from_der(&anchor, &cert, &key));
    assert!(matches!(client.challenge().await.unwrap(), Answer::Ok(_)));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let registry = Arc::new(Registry::default_registry().unwrap());
    let pki = Arc::new(TestPki::generate(b"limits", &registry.pki_plan()).unwrap());
    let mut limits = Limits::default();
    limits.max_connections = 1;
    let sandbox = Sandbox::start(SandboxConfig::new(pki.clone(), registry).with_limits(limits))
        .await
        .unwrap();
    let anchor = pki.gateway_ca().cert_der();
    let device = pki.device("clinic").unwrap();
    let mut first = Client::for_device(sandbox.addr(), anchor, device);
    assert!(matches!(first.challenge().await.unwrap(), Answer::Ok(_)));
    // The only slot is taken (the first client keeps its connection alive): the second
    // handshake cannot even start.
    let mut second = Client::for_device(sandbox.addr(), anchor, device);
    let call = second.challenge();
    tokio::pin!(call);
    let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut call).await;
    assert!(
        waited.is_err(),
        "a second connection was served while the slot was taken"
    );
    drop(first);
    let answer = tokio::time::timeout(std::time::Duration::from_secs(30), call)
        .await
        .expect("the freed slot serves the waiting client")
        .unwrap();
    assert!(matches!(answer, Answer::Ok(_)));
}

#[test]
fn background_sandbox_serves_callers_without_a_runtime() {
    let registry = Arc::new(Registry::default_registry().unwrap());
    let pki = Arc::new(TestPki::generate(b"background", &registry.pki_plan()).unwrap());
    let sandbox = Sandbox::start_background(SandboxConfig::new(pki.clone(), registry)).unwrap();
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The SDK's blocking driver: no runtime on the caller's side either.
    let device = pki.device("clinic").unwrap();
    let identity = TlsIdentity::from_der(
        pki.gateway_ca().cert_der(),
        &device.cert_der,
        &device.key.to_pkcs8_der().unwrap(),
    );
    let config = HttpsConfig::new(&format!("https://{}", sandbox.addr()), identity).unwrap();
    let mut client = BlockingHttpsGateway::new(config).unwrap();
    let body = elig_proto::gateway::encode(&elig_proto::gateway::ChallengeRequest::new()).unwrap();
    let request = GatewayRequest {
        id: CallId(1),
        route: Route::Challenge,
        body,
    };
    let answer = client.send(&request).unwrap();
    let answer =
        elig_proto::gateway::decode_answer::<ChallengeResponse>(answer.status, &answer.body)
            .unwrap();
    assert!(matches!(answer, Answer::Ok(_)));
    // Inside a runtime, the background variant is refused.
    let inside = client_rt.block_on(async {
        Sandbox::start_background(SandboxConfig::new(
            pki.clone(),
            Arc::new(Registry::default_registry().unwrap()),
        ))
        .err()
    });
    assert!(matches!(
        inside,
        Some(elig_sandbox::StartError::InsideRuntime)
    ));
    sandbox.shutdown();
}

#[tokio::test]
async fn an_unbounded_connection_limit_does_not_stop_the_server() {
    let registry = Arc::new(Registry::default_registry().unwrap());
    let pki = Arc::new(TestPki::generate(b"limits", &registry.pki_plan()).unwrap());
    let mut limits = Limits::default();
    limits.max_connections = usize::MAX;
    let sandbox = Sandbox::start(SandboxConfig::new(pki.clone(), registry).with_limits(limits))
        .await
        .unwrap();
    let device = pki.device("clinic").unwrap();
    let mut client = Client::for_device(sandbox.addr(), pki.gateway_ca().cert_der(), device);
    assert!(matches!(client.challenge().await.unwrap(), Answer::Ok(_)));
    sandbox.shutdown().await;
}
