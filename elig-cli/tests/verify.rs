//! `elig verify` without a reader: settings from flags and the --config file, and the errors
//! before any card is touched. The end-to-end runs over pcscd + vpcd are in
//! scripts/pcscd-test.sh.

mod common;

use common::{code, json, run};

#[test]
fn a_missing_setting_is_a_usage_error_in_one_json_document() {
    let output = run(&["verify", "--voucher", "v.json", "--json"]);
    assert_eq!(code(&output), 2);
    let doc = json(&output);
    assert_eq!(doc["outcome"], "error");
    assert_eq!(doc["error"]["kind"], "missing_setting");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--gateway")
    );
    assert!(doc["next_step"].as_str().unwrap().contains("--config"));
}

#[test]
fn a_config_file_supplies_the_settings_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("elig.toml");
    std::fs::write(&config, "[gateway]\nurl = \"https://127.0.0.1:1\"\nca = \"ca.pem\"\ndevice_cert = \"d.pem\"\ndevice_key = \"d.key.pem\"\n").unwrap();
    // Everything but the voucher comes from the file: the next failure is the voucher file.
    let output = run(&[
        "verify",
        "--config",
        config.to_str().unwrap(),
        "--voucher",
        "/nonexistent/v.json",
        "--json",
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(json(&output)["error"]["kind"], "file");
    std::fs::write(&config, "[gateway]\nurls = 1\n").unwrap();
    let output = run(&[
        "verify",
        "--config",
        config.to_str().unwrap(),
        "--voucher",
        "v.json",
        "--json",
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(json(&output)["error"]["kind"], "config");
}

#[test]
fn visual_mode_needs_a_staff_id() {
    let output = run(&["verify", "--visual", "--voucher", "v.json"]);
    assert_eq!(code(&output), 2, "clap refuses --visual without --staff");
}
