//! Shared helpers of the `elig` integration tests: run the built binary, read its JSON,
//! compare golden JSON documents.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "each test file uses some of the helpers; helpers outside #[test] functions"
)]

pub(crate) mod golden;
#[cfg(unix)]
pub(crate) mod pg;
pub(crate) mod run;

use std::process::{Command, Output};

/// The built `elig` binary.
pub fn elig() -> Command {
    Command::new(env!("CARGO_BIN_EXE_elig"))
}

/// Runs `elig args…` and returns its output.
pub fn run(args: &[&str]) -> Output {
    elig().args(args).output().expect("the elig binary runs")
}

/// The exit code (panics when killed by a signal).
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("elig exited, not killed")
}

/// Standard output as one JSON document.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
