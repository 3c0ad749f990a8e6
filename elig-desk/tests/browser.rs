//! The desk in a real browser (issue 14, item 4): headless Chromium over WebDriver drives the
//! demo desk through each reception flow and saves a screenshot of each under
//! `target/desk-screenshots/`.
//!
//! `#[ignore]`d: they need `chromedriver` (Debian `chromium-driver`) listening at
//! `CHROMEDRIVER_URL`. `scripts/desk-test.sh` starts it on a loopback port, runs these, and
//! stops it by its PID; `./test.sh` runs that script.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod webdriver;

use std::path::PathBuf;

use common::{TestDesk, demo_desk};
use elig_desk::DEMO_PIN;
use elig_sandbox::registry::Registry;
use webdriver::WebDriver;

fn shot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("desk-screenshots")
        .join(format!("{name}.png"))
}

async fn open() -> (TestDesk, WebDriver) {
    let server = std::env::var("CHROMEDRIVER_URL")
        .expect("CHROMEDRIVER_URL: run scripts/desk-test.sh, which starts chromedriver");
    let desk = demo_desk().await;
    let wd = WebDriver::chromium(&server).await;
    wd.goto(desk.desk.url()).await;
    (desk, wd)
}

async fn close(desk: TestDesk, wd: WebDriver) {
    wd.quit().await;
    desk.desk.shutdown().await;
}

/// The list position of the demo visitor `handle` (the registry's order, P01 first).
fn visitor(handle: &str) -> u32 {
    handle.trim_start_matches('P').parse().unwrap()
}

/// Puts `handle`'s card on the virtual reader and starts a PIN check of their voucher.
async fn start_pin_check(wd: &WebDriver, handle: &str) {
    let n = visitor(handle);
    wd.goto(&format!("{}/", origin(wd).await)).await;
    wd.click_and_load(&format!("#demo-insert-{n}")).await;
    wd.click_and_load(&format!("#check-pin-{n}")).await;
}

async fn origin(wd: &WebDriver) -> String {
    let url = wd.url().await;
    let rest = url.strip_prefix("http://").unwrap();
    format!("http://{}", rest.split('/').next().unwrap())
}

/// Types `pin` on the on-screen pad (the person's fingers) and confirms.
async fn type_pin(wd: &WebDriver, pin: &str) {
    let field = wd.find("#pin").await;
    for digit in pin.chars() {
        wd.click(&format!("#key-{digit}")).await;
    }
    assert_eq!(
        field.value().await.len(),
        pin.len(),
        "the pad typed the PIN"
    );
}

async fn outcome(wd: &WebDriver) -> (String, String) {
    let verdict = wd.find("#verdict").await;
    let text = wd.text("#outcome").await;
    let _ = verdict;
    let source = wd.source().await;
    let kind = source
        .split("data-outcome=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_owned();
    (kind, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_eligible_flow() {
    let (desk, wd) = open().await;
    start_pin_check(&wd, "P01").await;
    assert!(wd.text("#tries-left").await.contains('3'));
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    let (kind, text) = outcome(&wd).await;
    assert_eq!(kind, "eligible");
    assert_eq!(text, "資格を確認できました");
    assert!(wd.text("#next-step").await.contains("受付を進めてください"));
    assert!(wd.text("#findings").await.contains("保険者番号"));
    wd.screenshot(&shot("01-eligible")).await;
    wd.click_and_load("#print").await;
    assert_eq!(wd.text("#outcome").await, "資格を確認できました");
    wd.screenshot(&shot("01-eligible-print")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_another_insurers_voucher_is_not_eligible() {
    let (desk, wd) = open().await;
    // P06 holds a voucher of the insurer they left in 2025.
    start_pin_check(&wd, "P06").await;
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    let (kind, text) = outcome(&wd).await;
    assert_eq!(kind, "not-eligible");
    assert_eq!(text, "資格を確認できません");
    assert!(wd.text("#findings").await.contains("不一致"));
    wd.screenshot(&shot("02-another-insurer")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_wrong_pin_then_right() {
    let (desk, wd) = open().await;
    start_pin_check(&wd, "P02").await;
    type_pin(&wd, "9999").await;
    wd.click_and_load("#pin-ok").await;
    assert_eq!(outcome(&wd).await.0, "failed");
    assert!(wd.text("#failure").await.contains("残り 2 回"));
    wd.screenshot(&shot("03-wrong-pin")).await;
    wd.click_and_load("#retry").await;
    assert!(wd.text("#tries-left").await.contains('2'));
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    assert_eq!(outcome(&wd).await.0, "eligible");
    wd.screenshot(&shot("03-then-right")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_last_try_needs_a_confirmation() {
    let (desk, wd) = open().await;
    start_pin_check(&wd, "P03").await;
    for _ in 0..2 {
        type_pin(&wd, "9999").await;
        wd.click_and_load("#pin-ok").await;
        assert_eq!(outcome(&wd).await.0, "failed");
        wd.click_and_load("#retry").await;
    }
    assert!(wd.text("#tries-left").await.contains('1'));
    assert!(wd.source().await.contains("id=\"consent\""));
    // Without the confirmation nothing goes to the card.
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    assert!(wd.url().await.ends_with("?e=consent"));
    assert!(
        wd.text("#tries-left").await.contains('1'),
        "no try was spent"
    );
    assert_eq!(
        wd.find("#pin").await.value().await,
        "",
        "the PIN was cleared"
    );
    wd.screenshot(&shot("04-last-try")).await;
    type_pin(&wd, DEMO_PIN).await;
    wd.click("#consent").await;
    wd.click_and_load("#pin-ok").await;
    assert_eq!(outcome(&wd).await.0, "eligible");
    wd.screenshot(&shot("04-last-try-eligible")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_visual_confirmation() {
    let (desk, wd) = open().await;
    wd.click_and_load("#demo-insert-4").await;
    wd.click_and_load("#check-visual-4").await;
    wd.find("#staff-id").await.send_keys("staff-07").await;
    // The photo box unticked: refused, nothing sent.
    wd.click_and_load("#attest-ok").await;
    assert!(wd.url().await.ends_with("?e=photo"));
    wd.find("#staff-id").await.send_keys("staff-07").await;
    wd.click("#photo-compared").await;
    wd.screenshot(&shot("05-visual-form")).await;
    wd.click_and_load("#attest-ok").await;
    let (kind, _) = outcome(&wd).await;
    assert_eq!(kind, "eligible");
    assert!(wd.text("#verdict").await.contains("目視"));
    wd.screenshot(&shot("05-visual")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_manual_evidence_mynaportal() {
    let (desk, wd) = open().await;
    let today = voucher_model::jst::date_from_system_time(std::time::SystemTime::now()).unwrap();
    let voucher = Registry::default_registry()
        .unwrap()
        .vouchers_on("P01", today)
        .unwrap()
        .remove(0);
    wd.click_and_load("#manual-1").await;
    wd.find("#manual-insurer_number")
        .await
        .send_keys(voucher.insurer_number().as_str())
        .await;
    if let Some(symbol) = voucher.card_symbol() {
        wd.find("#manual-card_symbol")
            .await
            .send_keys(symbol.as_str())
            .await;
    }
    wd.find("#manual-card_number")
        .await
        .send_keys(voucher.card_number().as_str())
        .await;
    if let Some(branch) = voucher.branch_number() {
        wd.find("#manual-branch_number")
            .await
            .send_keys(branch.as_str())
            .await;
    }
    wd.find("#manual-staff").await.send_keys("staff-07").await;
    wd.screenshot(&shot("06-manual-form")).await;
    wd.click_and_load("#manual-ok").await;
    let (kind, _) = outcome(&wd).await;
    assert_ne!(kind, "not-eligible");
    assert_ne!(kind, "failed");
    assert!(wd.text("#verdict").await.contains("マイナポータル"));
    assert!(wd.text("#recorded").await.contains('#'));
    wd.screenshot(&shot("06-manual")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_card_removed_during_the_check() {
    let (desk, wd) = open().await;
    start_pin_check(&wd, "P01").await;
    wd.find("#pin-title").await;
    wd.click_and_load("#demo-remove").await;
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    assert_eq!(outcome(&wd).await.0, "failed");
    assert!(
        wd.text("#failure")
            .await
            .contains("カードが読み取れませんでした")
    );
    wd.screenshot(&shot("07-card-removed")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_days_records_and_english() {
    let (desk, wd) = open().await;
    start_pin_check(&wd, "P01").await;
    type_pin(&wd, DEMO_PIN).await;
    wd.click_and_load("#pin-ok").await;
    assert_eq!(outcome(&wd).await.0, "eligible");
    wd.goto(&format!("{}/records", origin(&wd).await)).await;
    assert!(wd.source().await.contains("data-chain=\"ok\""));
    assert!(wd.text("#records").await.contains("資格を確認できました"));
    wd.screenshot(&shot("08-records")).await;
    wd.click_and_load("#lang-switch").await;
    assert!(wd.text("h1").await.contains("Today's visitors"));
    wd.goto(&format!("{}/records", origin(&wd).await)).await;
    assert!(wd.text("#records").await.contains("eligible"));
    wd.screenshot(&shot("08-records-en")).await;
    close(desk, wd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromedriver: scripts/desk-test.sh"]
async fn browser_refuses_a_bad_csrf_token_and_a_missing_token() {
    let (desk, wd) = open().await;
    wd.find("#visitor-1").await;
    let status = wd
        .execute_async(
            "var done = arguments[arguments.length - 1];\
             fetch('/demo/card?csrf=bad', {method: 'POST', credentials: 'same-origin',\
               headers: {'content-type': 'application/x-www-form-urlencoded'},\
               body: 'action=insert&person=P01'}).then(function (r) { done(r.status); });",
        )
        .await;
    assert_eq!(status, 403);
    assert!(
        wd.text("#reader-state").await.contains("置かれていません"),
        "nothing happened"
    );
    // Without the session cookie (a browser that never had the token).
    let base = origin(&wd).await;
    let wd2 = WebDriver::chromium(&std::env::var("CHROMEDRIVER_URL").unwrap()).await;
    wd2.goto(&format!("{base}/")).await;
    assert!(wd2.text("#refused").await.contains("アクセスできません"));
    wd2.screenshot(&shot("09-no-token")).await;
    wd2.quit().await;
    close(desk, wd).await;
}
