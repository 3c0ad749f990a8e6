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

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reader_backends::mock::{CardConfig, CardCredentials, VirtualMyNumberCard};
use reader_backends::vpcd::{self, ServeEnd, VpcdEvent};
use zeroize::Zeroizing;

const USAGE: &str = "usage: vpcd-card --port PORT --pin NNNN [--seed N] [--extended on|off] \
[--chain DIR] [--connect-timeout SECS] [--verbose]";

struct Args {
    port: u16,
    pin: Zeroizing<String>,
    seed: u64,
    extended: bool,
    chain: Option<PathBuf>,
    connect_timeout: Duration,
    verbose: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut port = None;
    let mut pin = None;
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
            "--pin" => pin = Some(Zeroizing::new(value("--pin")?)),
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
    Ok(Args {
        port: port.ok_or_else(|| format!("--port is required\n{USAGE}"))?,
        pin: pin.ok_or_else(|| format!("--pin is required\n{USAGE}"))?,
        seed,
        extended,
        chain,
        connect_timeout,
        verbose,
    })
}

fn connect(addr: SocketAddr, timeout: Duration, stop: &AtomicBool) -> Result<TcpStream, String> {
    let deadline = Instant::now()
        .checked_add(timeout)
        .unwrap_or_else(Instant::now);
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline || stop.load(Ordering::Relaxed) => {
                return Err(format!("cannot connect to vpcd at {addr}: {e}"));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// The signals that stop the bridge cleanly. Unix: SIGTERM (a service manager, the test rig)
/// and SIGINT (Ctrl-C).
#[cfg(unix)]
const STOP_SIGNALS: &[core::ffi::c_int] =
    &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];
/// Windows: Ctrl-C and Ctrl-Break in the console. signal-hook supports these through the C
/// runtime's `signal` (SIGINT, SIGBREAK); Windows never raises SIGTERM.
#[cfg(windows)]
const STOP_SIGNALS: &[core::ffi::c_int] =
    &[signal_hook::consts::SIGINT, signal_hook::consts::SIGBREAK];

fn ins_name(cla: u8, ins: u8) -> &'static str {
    match (cla, ins) {
        (0x00, 0xA4) => "SELECT",
        (0x00, 0xB0) => "READ BINARY",
        (0x00, 0x20) => "VERIFY",
        (0x00, 0x24) => "CHANGE REFERENCE DATA",
        (0x00, 0xC0) => "GET RESPONSE",
        (0x80, 0x2A) => "COMPUTE DIGITAL SIGNATURE",
        _ => "other",
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in STOP_SIGNALS {
        signal_hook::flag::register(*signal, Arc::clone(&stop))
            .map_err(|e| format!("cannot install signal handler: {e}"))?;
    }
    let config = if args.extended {
        CardConfig::extended()
    } else {
        CardConfig::short_only()
    };
    let mut builder = VirtualMyNumberCard::builder()
        .serial(args.seed)
        .pin(&args.pin)
        .config(config);
    if let Some(dir) = &args.chain {
        builder = builder.credentials(CardCredentials::from_dir(dir).map_err(|e| e.to_string())?);
    }
    let mut card = builder.build().map_err(|e| e.to_string())?;
    // A long-running bridge: keep memory bounded (the log holds responses).
    card.set_log_limit(Some(1024));
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let mut stream = connect(addr, args.connect_timeout, &stop)?;
    eprintln!(
        "vpcd-card: card inserted at {addr} (seed {}, extended length {}, auth cert {} bytes)",
        args.seed,
        if args.extended { "on" } else { "off" },
        card.credentials().auth().cert_der().len()
    );
    let verbose = args.verbose;
    let end = vpcd::serve(&mut stream, &mut card, &stop, |event| match event {
        VpcdEvent::Apdu { cla, ins, sw } if verbose => {
            eprintln!(
                "vpcd-card: {cla:02X} {ins:02X} {} -> {sw:04X}",
                ins_name(cla, ins)
            );
        }
        VpcdEvent::Apdu { .. } => {}
        other => eprintln!("vpcd-card: {other:?}"),
    })
    .map_err(|e| e.to_string())?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    match end {
        ServeEnd::Stopped => eprintln!("vpcd-card: stopped by signal, card removed"),
        _ => eprintln!("vpcd-card: vpcd closed the link"),
    }
    eprintln!("vpcd-card: {} APDUs answered", card.log().total());
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
