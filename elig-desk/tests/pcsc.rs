//! The eligible flow over the PC/SC backend (issue 14, item 4): a real `pcscd` with
//! vsmartcard-vpcd, the project's virtual card attached by `vpcd-card --seed 1001` (the
//! default test PKI's card of the sandbox registry's P01, PIN 1234), elig-sandbox's embedded
//! gateway over HTTPS, the desk on real settings (`Desk::new`, `Settings::pcsc_reader`) and
//! headless Chromium over WebDriver.
//!
//! `#[ignore]`d: `scripts/desk-test.sh` starts pcscd, vpcd-card and chromedriver, sets
//! `CHROMEDRIVER_URL` and `DESK_PCSC_READER`, and runs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod webdriver;

use std::path::PathBuf;

use elig_client::https::{HttpsConfig, TlsIdentity};
use elig_desk::{Desk, Settings};
use elig_sandbox::{Sandbox, SandboxConfig};
use webdriver::WebDriver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs pcscd, vpcd-card and chromedriver: scripts/desk-test.sh"]
async fn pcsc_eligible_flow_in_the_browser() {
    let server = std::env::var("CHROMEDRIVER_URL").expect("CHROMEDRIVER_URL");
    let reader = std::env::var("DESK_PCSC_READER").expect("DESK_PCSC_READER");
    let sandbox = Sandbox::start(SandboxConfig::embedded_default().unwrap())
        .await
        .unwrap();
    let device = sandbox.pki().device("clinic").unwrap().clone();
    let identity = TlsIdentity::from_der(
        sandbox.pki().gateway_ca().cert_der(),
        &device.cert_der,
        &device.key.to_pkcs8_der().unwrap(),
    );
    let https = HttpsConfig::new(&format!("https://{}", sandbox.addr()), identity).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::new(
        https,
        Settings::pcsc_reader(Some(reader)),
        dir.path().join("audit.sqlite3"),
        device.facility.clone(),
    );
    let desk = Desk::new(settings)
        .await
        .unwrap()
        .serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();

    // P01's voucher for today, as a JSON file staff load.
    let today = voucher_model::jst::date_from_system_time(std::time::SystemTime::now()).unwrap();
    let voucher = sandbox
        .registry()
        .vouchers_on("P01", today)
        .unwrap()
        .remove(0);
    let file = dir.path().join("p01.json");
    std::fs::write(&file, serde_json::to_string(&voucher).unwrap()).unwrap();

    let wd = WebDriver::chromium(&server).await;
    wd.goto(desk.url()).await;
    wd.find("#import-file")
        .await
        .send_keys(file.to_str().unwrap())
        .await;
    wd.click_and_load("#import-go").await;
    wd.click_and_load("#check-pin-1").await;
    assert!(wd.text("#tries-left").await.contains('3'));
    for digit in "1234".chars() {
        wd.click(&format!("#key-{digit}")).await;
    }
    wd.click_and_load("#pin-ok").await;
    assert_eq!(wd.text("#outcome").await, "資格を確認できました");
    assert!(wd.source().await.contains("data-outcome=\"eligible\""));
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("desk-screenshots")
        .join("10-pcsc-eligible.png");
    wd.screenshot(&shot).await;
    wd.quit().await;
    desk.shutdown().await;
    sandbox.shutdown().await;
}
