//! `elig sandbox serve` and `elig sandbox card`: the reference gateway as a process, and a
//! virtual card's chain for `elig vpcd-card --chain`. The logic is elig-sandbox's library
//! (`elig_sandbox::state`), shared with its own `elig-sandbox` binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Args, Subcommand};
use elig_sandbox::access_log::StderrAccessLog;
use elig_sandbox::registry::Registry;
use elig_sandbox::state::{pki_for_state, write_card_files};
use elig_sandbox::{DEFAULT_SEED, Sandbox, SandboxConfig};
use serde_json::json;

use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    #[command(subcommand)]
    command: SandboxCommand,
}

/// The sandbox's subcommands.
#[derive(Debug, Subcommand)]
enum SandboxCommand {
    /// Serve the reference gateway until Ctrl-C (or SIGTERM on Unix).
    #[command(
        after_help = "Example:\n  elig sandbox serve --bind 127.0.0.1:8443 --state ./sandbox\n  \
        elig verify --gateway https://127.0.0.1:8443 --ca ./sandbox/gateway-ca.pem \\\n    \
        --device-cert ./sandbox/device-clinic.pem --device-key ./sandbox/device-clinic.key.pem \\\n    \
        --voucher voucher.json --reader 'Virtual PCD 00 00'"
    )]
    Serve(ServeArgs),
    /// Write a virtual card's certificate, key and CA (for `elig vpcd-card --chain DIR`).
    #[command(
        after_help = "Example:\n  elig sandbox card --serial 1001 --out ./card-1001 --state ./sandbox\n  \
        elig vpcd-card --chain ./card-1001 --pin 1234"
    )]
    Card(CardArgs),
}

/// `elig sandbox serve`.
#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    bind: SocketAddr,
    /// The PKI folder: loaded when it holds one, otherwise generated and written there
    /// (gateway CA, device certificates and keys, CAs).
    #[arg(long, value_name = "DIR", default_value = "elig-sandbox-state")]
    state: PathBuf,
    /// Do not log each request (JSON lines, no personal data) on standard error.
    #[arg(long)]
    quiet: bool,
}

/// `elig sandbox card`.
#[derive(Debug, Args)]
struct CardArgs {
    /// The card's certificate serial in the registry (people P01…P09 are 1001…1009).
    #[arg(long, value_name = "N")]
    serial: u64,
    /// Folder to write `card-<N>.pem`, `card-<N>.key.pem` and `auth-ca.pem` into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The sandbox's PKI folder (the same as `elig sandbox serve --state`); without it, the
    /// default PKI, which the default sandbox trusts.
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
}

/// Runs `elig sandbox …`.
pub(crate) fn run(args: &SandboxArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        SandboxCommand::Serve(serve) => run_serve(serve, as_json),
        SandboxCommand::Card(card) => run_card(card, as_json),
    }
}

fn registry() -> Result<Registry, CliError> {
    Registry::default_registry().map_err(|_| {
        CliError::usage(
            "sandbox_registry",
            "The sandbox's embedded registry could not be read.",
            "Build elig-cli again from a clean checkout.",
        )
    })
}

fn pki_error(dir: Option<&Path>) -> CliError {
    let place = dir.map_or_else(|| "the default PKI".to_owned(), |d| d.display().to_string());
    CliError::usage(
        "sandbox_state",
        format!("The sandbox PKI in {place} could not be loaded or written."),
        "Check the folder and its permissions, or give an empty folder to start afresh.",
    )
}

fn run_serve(args: &ServeArgs, as_json: bool) -> Result<Exit, CliError> {
    let registry = registry()?;
    let (pki, _) = pki_for_state(Some(&args.state), DEFAULT_SEED, &registry)
        .map_err(|_| pki_error(Some(&args.state)))?;
    let mut config = SandboxConfig::new(Arc::new(pki), Arc::new(registry)).with_bind(args.bind);
    if !args.quiet {
        config = config.with_access_log(Arc::new(StderrAccessLog));
    }
    let stop = stop_flag()?;
    let sandbox = Sandbox::start_background(config).map_err(|_| {
        CliError::new(
            Exit::Gateway,
            "sandbox_listen",
            format!("The sandbox could not listen on {}.", args.bind),
            "Choose another --bind address or stop the program that uses this port.",
        )
    })?;
    let dir = &args.state;
    let file = |name: &str| dir.join(name).display().to_string();
    if as_json {
        output::json(&json!({
            "url": sandbox.base_url(),
            "ca": file("gateway-ca.pem"),
            "device_cert": file("device-clinic.pem"),
            "device_key": file("device-clinic.key.pem"),
            "state": dir.display().to_string(),
        }));
    } else {
        output::line(format!("elig sandbox listening on {}", sandbox.base_url()));
        output::line(format!(
            "  gateway CA (--ca):           {}",
            file("gateway-ca.pem")
        ));
        output::line(format!(
            "  device certificate (--device-cert): {}",
            file("device-clinic.pem")
        ));
        output::line(format!(
            "  device key (--device-key):   {}",
            file("device-clinic.key.pem")
        ));
        output::line("Stop with Ctrl-C.");
    }
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
    }
    sandbox.shutdown();
    Ok(Exit::Success)
}

/// A flag raised by Ctrl-C, or SIGTERM on Unix (Ctrl-Break on Windows).
fn stop_flag() -> Result<Arc<AtomicBool>, CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    reader_backends::vpcd_card::stop_on_signals(&stop).map_err(|_| {
        CliError::usage(
            "signals",
            "Could not install the Ctrl-C handler.",
            "Run the command again; if it repeats, report it.",
        )
    })?;
    Ok(stop)
}

fn run_card(args: &CardArgs, as_json: bool) -> Result<Exit, CliError> {
    let registry = registry()?;
    let spec = registry
        .card(args.serial)
        .ok_or_else(|| {
            CliError::usage(
                "unknown_card",
                format!("The sandbox registry has no card {}.", args.serial),
                "Use a serial of the registry (1001 to 1009 are people P01 to P09).",
            )
        })?
        .spec();
    let (pki, _) = pki_for_state(args.state.as_deref(), DEFAULT_SEED, &registry)
        .map_err(|_| pki_error(args.state.as_deref()))?;
    let written = write_card_files(&pki, &spec, &args.out).map_err(|_| {
        CliError::usage(
            "file",
            format!(
                "Could not write the card files into {}.",
                args.out.display()
            ),
            "Check the path and its permissions, then run the command again.",
        )
    })?;
    let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    if as_json {
        output::json(&json!({ "serial": args.serial, "files": paths }));
    } else {
        for path in paths {
            output::line(path);
        }
    }
    Ok(Exit::Success)
}
