//! `vpcd-card`: serves a virtual My Number Card to vsmartcard's vpcd reader in a running
//! pcscd, so any PC/SC client sees a card in "Virtual PCD 00 00".
//!
//! ```text
//! vpcd-card --port 35963 --pin 1234 [--seed N] [--extended on|off] [--chain DIR]
//!           [--connect-timeout SECS] [--verbose]
//! ```
//!
//! Connects to 127.0.0.1 only. Logs power events and, with `--verbose`, each APDU's CLA/INS
//! and status word — never data, never the PIN. Exits 0 on SIGTERM or Ctrl-C (SIGINT) on Unix,
//! on Ctrl-C or Ctrl-Break on Windows (closing the socket, which vpcd sees as card removal),
//! and when pcscd closes the link.
//!
//! `--chain DIR` loads the card's credentials from files the caller issued:
//! `auth-key`, `auth-cert`, `auth-ca` (`.der` or `.pem`; key PKCS#8 RSA-2048) and optionally
//! `sign-key`, `sign-cert`, `sign-ca`; or what `elig-sandbox card --serial N --out DIR`
//! writes (`card-<N>.key.pem`, `card-<N>.pem`, `auth-ca.pem`). Without it the card holds
//! card serial `--seed` (default 1) of the default test PKI (`elig-testpki`), which the
//! default sandbox trusts.

// A command-line tool: stderr is its log.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use reader_backends::vpcd::{ServeEnd, VpcdEvent};
use reader_backends::vpcd_card::{self, BridgeEvent, BridgeOptions, ins_name};

const USAGE: &str = "usage: vpcd-card --port PORT --pin NNNN [--seed N] [--extended on|off] \
[--chain DIR] [--connect-timeout SECS] [--verbose]";

fn parse_args() -> Result<(BridgeOptions, bool), String> {
    let mut args = std::env::args().skip(1);
    let mut port = None;
    let mut pin: Option<zeroize::Zeroizing<String>> = None;
    let mut seed = 1u64;
    let mut extended = true;
    let mut chain = None;
    let mut connect_timeout = Duration::from_secs(10);
    let mut verbose = false;
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--port" => {
                port = Some(value("--port")?.parse::<u16>().map_err(|_| "bad --port")?);
            }
            "--pin" => pin = Some(zeroize::Zeroizing::new(value("--pin")?)),
            "--seed" => seed = value("--seed")?.parse().map_err(|_| "bad --seed")?,
            "--extended" => {
                extended = match value("--extended")?.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err("--extended takes on or off".to_owned()),
                };
            }
            "--chain" => chain = Some(PathBuf::from(value("--chain")?)),
            "--connect-timeout" => {
                let secs: u64 = value("--connect-timeout")?
                    .parse()
                    .map_err(|_| "bad timeout")?;
                connect_timeout = Duration::from_secs(secs);
            }
            "--verbose" => verbose = true,
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let port = port.ok_or_else(|| format!("--port is required\n{USAGE}"))?;
    let pin = pin.ok_or_else(|| format!("--pin is required\n{USAGE}"))?;
    let mut options = BridgeOptions::new(port, &pin);
    options.serial = seed;
    options.extended = extended;
    options.chain = chain;
    options.connect_timeout = connect_timeout;
    Ok((options, verbose))
}

fn run() -> Result<(), String> {
    let (options, verbose) = parse_args()?;
    let stop = Arc::new(AtomicBool::new(false));
    vpcd_card::stop_on_signals(&stop).map_err(|e| format!("cannot install signal handler: {e}"))?;
    let report = vpcd_card::run(&options, &stop, |event| match event {
        BridgeEvent::Inserted { addr, auth_cert_len } => eprintln!(
            "vpcd-card: card inserted at {addr} (seed {}, extended length {}, auth cert {auth_cert_len} bytes)",
            options.serial,
            if options.extended { "on" } else { "off" },
        ),
        BridgeEvent::Vpcd(VpcdEvent::Apdu { cla, ins, sw }) if verbose => {
            eprintln!(
                "vpcd-card: {cla:02X} {ins:02X} {} -> {sw:04X}",
                ins_name(cla, ins)
            );
        }
        BridgeEvent::Vpcd(VpcdEvent::Apdu { .. }) => {}
        BridgeEvent::Vpcd(other) => eprintln!("vpcd-card: {other:?}"),
        other => eprintln!("vpcd-card: {other:?}"),
    })
    .map_err(|e| e.to_string())?;
    match report.end {
        ServeEnd::Stopped => eprintln!("vpcd-card: stopped by signal, card removed"),
        _ => eprintln!("vpcd-card: vpcd closed the link"),
    }
    eprintln!("vpcd-card: {} APDUs answered", report.apdus);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vpcd-card: {e}");
            ExitCode::FAILURE
        }
    }
}
