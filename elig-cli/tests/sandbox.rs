//! `elig sandbox card` and `elig sandbox serve` run as processes.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use common::{code, elig, json, run};

#[test]
fn sandbox_card_writes_the_chain_vpcd_card_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("card");
    let output = run(&[
        "sandbox",
        "card",
        "--serial",
        "1001",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = json(&output);
    assert_eq!(doc["files"].as_array().unwrap().len(), 3);
    for name in ["card-1001.pem", "card-1001.key.pem", "auth-ca.pem"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    let unknown = run(&[
        "sandbox",
        "card",
        "--serial",
        "77",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(json(&unknown)["error"]["kind"], "unknown_card");
}

#[test]
fn sandbox_serve_prints_where_the_identity_was_written_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
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
        .arg(&state)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert!(
        doc["url"]
            .as_str()
            .unwrap()
            .starts_with("https://127.0.0.1:")
    );
    for key in ["ca", "device_cert", "device_key"] {
        assert!(
            std::path::Path::new(doc[key].as_str().unwrap()).is_file(),
            "{key}"
        );
    }
    #[cfg(unix)]
    {
        let pid = child.id().to_string();
        assert!(
            std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
