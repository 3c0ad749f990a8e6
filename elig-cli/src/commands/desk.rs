//! `elig desk`: the reception-desk web page (elig-desk, issue 14 item 1) on this machine's
//! loopback, until Ctrl-C. `--demo` needs no hardware (the in-process sandbox gateway and
//! virtual cards); otherwise the gateway, the device identity, the reader and the audit
//! store come from the same settings as `elig verify` (`--config FILE`, see `config.rs`).
//!
//! Exit 0 after Ctrl-C, 2 usage or settings (a missing key, a non-loopback or taken address,
//! an unusable audit store), 4 no PC/SC support in this build, 5 unusable gateway settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use elig_desk::{DEFAULT_BIND, DemoOptions, Desk, DeskError, Settings as DeskSettings};
use serde_json::json;

use crate::commands::check_failure::transport_error;
use crate::commands::verify::{device_facility, https_config};
use crate::config::Settings;
use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig desk`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  elig desk --demo                       # no hardware: sandbox gateway, virtual cards (PIN 1234)
  elig desk --config desk.toml           # the settings file of elig verify, plus [desk]
  elig desk --config desk.toml --bind 127.0.0.1:8471

The settings file (relative paths follow the file's folder):
  reader = \"ACS ACR39U ICC Reader 00 00\"
  audit = \"audit.sqlite3\"
  [gateway]
  url = \"https://gateway.example:8443\"
  ca = \"gateway-ca.pem\"
  device_cert = \"device.pem\"
  device_key = \"device.key.pem\"
  [desk]
  bind = \"127.0.0.1:8470\"
  idle_lock_minutes = 10

Open the printed URL (it holds this start's access token) in a browser on this machine;
Ctrl-C stops the desk.

Exit codes: 0 stopped with Ctrl-C, 2 usage or settings, 4 no PC/SC support in this build,
5 unusable gateway settings.")]
pub(crate) struct DeskArgs {
    /// The settings file (TOML, the one `elig verify --config` reads).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    config: Option<PathBuf>,
    /// Where to listen: a loopback address and port (default 127.0.0.1:8470; port 0 picks a
    /// free one).
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<String>,
    /// No hardware: the sandbox gateway in this process and virtual cards (PIN 1234).
    #[arg(long)]
    demo: bool,
}

/// Runs `elig desk` on a multi-threaded tokio runtime (each check blocks a thread of its own).
pub(crate) fn run(args: &DeskArgs, as_json: bool) -> Result<Exit, CliError> {
    let file = match &args.config {
        Some(path) => Settings::load(path)?,
        None => Settings::default(),
    };
    let bind = bind_address(args.bind.as_deref().or(file.desk.bind.as_deref()))?;
    let idle_lock = file
        .desk
        .idle_lock_minutes
        .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| system_error(&e))?;
    runtime.block_on(async {
        let desk = if args.demo {
            let mut options = DemoOptions::default();
            if let Some(idle_lock) = idle_lock {
                options = options.with_idle_lock(idle_lock);
            }
            Desk::demo(options).await
        } else {
            if args.config.is_none() {
                return Err(CliError::usage(
                    "missing_setting",
                    "elig desk needs its settings file, or --demo.",
                    "Pass --config FILE (see elig desk --help for its keys), or --demo to try it without hardware.",
                ));
            }
            let mut settings = desk_settings(file)?;
            if let Some(idle_lock) = idle_lock {
                settings = settings.with_idle_lock(idle_lock);
            }
            Desk::new(settings).await
        }
        .map_err(|e| desk_error(&e))?;
        let running = desk.serve(bind).await.map_err(|e| desk_error(&e))?;
        if as_json {
            output::json(&json!({ "outcome": "serving", "url": running.url() }));
        } else {
            output::line(format!(
                "受付画面 reception desk: {}\nOpen it in a browser on this machine; Ctrl-C stops the desk.",
                running.url()
            ));
        }
        let stopped = tokio::signal::ctrl_c().await;
        running.shutdown().await;
        stopped.map_err(|e| system_error(&e))?;
        Ok(Exit::Success)
    })
}

/// `--bind` or `[desk] bind`, or the desk's default.
fn bind_address(text: Option<&str>) -> Result<SocketAddr, CliError> {
    let text = text.unwrap_or(DEFAULT_BIND);
    text.parse().map_err(|_| {
        CliError::usage(
            "bind",
            format!("{text:?} is not an address and port."),
            "Pass --bind like 127.0.0.1:8470.",
        )
    })
}

/// The error for a key the settings file lacks.
fn missing(key: &str) -> CliError {
    CliError::usage(
        "missing_setting",
        format!("The settings file has no {key}."),
        "Add it to the file given with --config (see elig desk --help), then run the command again.",
    )
}

/// The real desk's settings from the file: gateway, device identity, reader, audit store.
fn desk_settings(file: Settings) -> Result<DeskSettings, CliError> {
    let gateway = file.gateway;
    let url = gateway.url.ok_or_else(|| missing("[gateway] url"))?;
    let ca = gateway.ca.ok_or_else(|| missing("[gateway] ca"))?;
    let device_cert = gateway
        .device_cert
        .ok_or_else(|| missing("[gateway] device_cert"))?;
    let device_key = gateway
        .device_key
        .ok_or_else(|| missing("[gateway] device_key"))?;
    let audit = file.audit.ok_or_else(|| missing("audit"))?;
    let facility = device_facility(&device_cert)?;
    let https = https_config(&url, &ca, &device_cert, &device_key)?;
    Ok(DeskSettings::new(
        https,
        reader(file.reader)?,
        audit,
        facility,
    ))
}

/// The PC/SC reader opener (the named reader, or the first holding a card).
#[cfg(feature = "pcsc")]
fn reader(name: Option<String>) -> Result<elig_desk::OpenReader, CliError> {
    Ok(DeskSettings::pcsc_reader(name))
}

#[cfg(not(feature = "pcsc"))]
fn reader(_name: Option<String>) -> Result<elig_desk::OpenReader, CliError> {
    Err(crate::commands::reader_error::no_pcsc())
}

/// The CLI error of a desk that could not start.
fn desk_error(error: &DeskError) -> CliError {
    match error {
        DeskError::NotLoopback { addr } => CliError::usage(
            "bind",
            format!("The desk listens on this machine only, not on {addr}."),
            "Pass --bind with 127.0.0.1 or [::1] and a port, like 127.0.0.1:8470.",
        ),
        DeskError::Bind { addr, source } => CliError::usage(
            "bind",
            format!(
                "Cannot listen on {addr}: {}.",
                crate::error::io_reason(source)
            ),
            "Stop the program using that port, or pass --bind with another port.",
        ),
        DeskError::Audit { path, .. } => CliError::usage(
            "audit_store",
            format!("The audit store {} could not be opened.", path.display()),
            "Check the path, its permissions and the free disk space, or set another audit file.",
        ),
        DeskError::Gateway { source } => transport_error(source),
        _ => CliError::usage(
            "desk",
            "The desk could not start on this machine.",
            "Run the command again; if it fails again, report it with the command you ran.",
        ),
    }
}

fn system_error(error: &std::io::Error) -> CliError {
    CliError::usage(
        "system",
        format!(
            "The system refused to run the desk: {}.",
            crate::error::io_reason(error)
        ),
        "Run the command again; if it fails again, check the machine's resources.",
    )
}
