//! `elig verify` and `elig card info` end to end over PC/SC: `elig sandbox serve` in another
//! process, a real pcscd with vsmartcard's vpcd reader, and `elig vpcd-card` holding the
//! card. Run by scripts/pcscd-test.sh (`--ignored`, one thread: one vpcd reader); needs
//! pcscd running with vpcd on 127.0.0.1:35963 and no card attached.
#![cfg(feature = "pcsc")]
// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, SystemTime};

use common::{code, elig, json, run};
use elig_sandbox::registry::Registry;

const READER: &str = "Virtual PCD 00 00";
const PIN: &str = "1234";

/// A process this test started, stopped by its PID when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let pid = self.0.id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status();
        }
        #[cfg(not(unix))]
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Rig {
    dir: tempfile::TempDir,
    url: String,
    _gateway: Running,
}

impl Rig {
    fn start() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let mut child = elig()
            .args([
                "sandbox",
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--quiet",
                "--json",
                "--state",
            ])
            .arg(dir.path().join("state"))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let doc: serde_json::Value = serde_json::from_str(&first).unwrap();
        Rig {
            url: doc["url"].as_str().unwrap().to_owned(),
            dir,
            _gateway: Running(child),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Attaches the card of registry serial `serial` and waits (pcscd's status change) until
    /// pcscd sees it.
    fn insert(&self, serial: u64) -> Running {
        let chain = self.path(&format!("card-{serial}"));
        let out = run(&[
            "sandbox",
            "card",
            "--serial",
            &serial.to_string(),
            "--out",
            chain.to_str().unwrap(),
            "--state",
            self.path("state").to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        let child = elig()
            .args(["vpcd-card", "--port", "35963", "--pin", PIN, "--chain"])
            .arg(&chain)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let card = Running(child);
        reader_backends::pcsc::wait_for_card(Some(READER), Duration::from_secs(20))
            .expect("pcscd sees the virtual card");
        card
    }

    /// The voucher `handle` holds today, as a file.
    fn voucher(&self, handle: &str) -> PathBuf {
        let today = voucher_model::jst::date_from_system_time(SystemTime::now()).unwrap();
        let registry = Registry::default_registry().unwrap();
        let voucher = registry.vouchers_on(handle, today).unwrap().remove(0);
        let path = self.path(&format!("voucher-{handle}.json"));
        std::fs::write(&path, serde_json::to_string(&voucher).unwrap()).unwrap();
        path
    }

    /// `elig verify --json` for `voucher` with `pin` on standard input and `extra` flags.
    fn verify(&self, voucher: &Path, pin: &str, gateway: Option<&str>, extra: &[&str]) -> Output {
        let state = self.path("state");
        let mut child = elig()
            .args([
                "verify",
                "--json",
                "--pin-stdin",
                "--reader",
                READER,
                "--gateway",
            ])
            .arg(gateway.unwrap_or(&self.url))
            .arg("--ca")
            .arg(state.join("gateway-ca.pem"))
            .arg("--device-cert")
            .arg(state.join("device-clinic.pem"))
            .arg("--device-key")
            .arg(state.join("device-clinic.key.pem"))
            .arg("--voucher")
            .arg(voucher)
            .arg("--audit")
            .arg(self.path("audit.sqlite3"))
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The card may refuse before asking (blocked PIN): a closed pipe is fine then.
        let _ = writeln!(stdin, "{pin}");
        drop(stdin);
        child.wait_with_output().unwrap()
    }
}

fn outcome(output: &Output) -> (i32, String, String) {
    let doc = json(output);
    (
        code(output),
        doc["outcome"].as_str().unwrap_or_default().to_owned(),
        doc["error"]["kind"].as_str().unwrap_or_default().to_owned(),
    )
}

fn tries_left() -> serde_json::Value {
    let out = run(&["card", "info", "--reader", READER, "--json"]);
    assert_eq!(
        code(&out),
        0,
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)["pins"]["auth"]["tries_left"].clone()
}

#[test]
#[ignore = "needs pcscd with vsmartcard-vpcd: scripts/pcscd-test.sh"]
fn verify_over_pcscd_and_vpcd_against_the_sandbox_process() {
    let rig = Rig::start();
    let p01 = rig.voucher("P01");

    // P01's card: eligible, 目視確認, wrong PIN then right, gateway down.
    let card = rig.insert(1001);
    assert_eq!(
        tries_left(),
        3,
        "card info reads the counter without spending a try"
    );
    let ok = rig.verify(&p01, PIN, None, &[]);
    assert_eq!(
        outcome(&ok),
        (0, "eligible".into(), String::new()),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let findings = json(&ok)["findings"].as_array().unwrap().clone();
    assert!(
        findings
            .iter()
            .all(|f| f["message"]["ja"].is_string() && f["message"]["en"].is_string())
    );

    let visual = rig.verify(&p01, "", None, &["--visual", "--staff", "staff-07"]);
    assert_eq!(outcome(&visual), (0, "eligible".into(), String::new()));

    let wrong = rig.verify(&p01, "9999", None, &[]);
    assert_eq!(outcome(&wrong), (4, "error".into(), "wrong_pin".into()));
    assert!(
        json(&wrong)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 tries")
    );
    assert_eq!(tries_left(), 2);
    let right = rig.verify(&p01, PIN, None, &[]);
    assert_eq!(outcome(&right).0, 0);
    assert_eq!(tries_left(), 3, "the right PIN resets the counter");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = rig.verify(&p01, PIN, Some(&format!("https://{closed}")), &[]);
    assert_eq!(
        outcome(&down),
        (5, "error".into(), "gateway_unreachable".into())
    );
    assert_eq!(
        tries_left(),
        3,
        "no PIN was spent on an unreachable gateway"
    );

    // Two wrong PINs leave one try: --pin-stdin refuses it (no VERIFY: the try is still
    // there) unless --allow-last-try.
    for _ in 0..2 {
        assert_eq!(outcome(&rig.verify(&p01, "9999", None, &[])).2, "wrong_pin");
    }
    let refused = rig.verify(&p01, PIN, None, &[]);
    assert_eq!(
        outcome(&refused),
        (4, "error".into(), "last_try_refused".into())
    );
    assert_eq!(tries_left(), 1, "no VERIFY was sent");
    let spent = rig.verify(&p01, PIN, None, &["--allow-last-try"]);
    assert_eq!(outcome(&spent).0, 0);

    // Blocked: three wrong PINs, then no VERIFY is sent at all.
    for _ in 0..2 {
        assert_eq!(outcome(&rig.verify(&p01, "9999", None, &[])).2, "wrong_pin");
    }
    let last = rig.verify(&p01, "9999", None, &["--allow-last-try"]);
    assert_eq!(outcome(&last), (4, "error".into(), "pin_blocked".into()));
    let blocked = rig.verify(&p01, PIN, None, &["--allow-last-try"]);
    assert_eq!(outcome(&blocked), (4, "error".into(), "pin_blocked".into()));
    assert!(
        json(&blocked)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no PIN was sent")
    );
    drop(card);

    // P06 presents the voucher of the insurer they left: not eligible, exit 1.
    let _card = rig.insert(1006);
    let other = rig.verify(&rig.voucher("P06"), PIN, None, &[]);
    assert_eq!(outcome(&other), (1, "not_eligible".into(), String::new()));
    let findings = json(&other)["findings"].as_array().unwrap().clone();
    assert!(
        findings
            .iter()
            .any(|f| f["field"] == "qualification_validity" && f["result"] == "mismatched")
    );
}
