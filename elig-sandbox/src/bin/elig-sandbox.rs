//! `elig-sandbox`: run the reference gateway, or write its PKI / registry / card files.
//!
//! ```text
//! elig-sandbox serve [--bind ADDR] [--state DIR] [--registry FILE] [--seed TEXT] [--quiet]
//! elig-sandbox pki --out DIR [--registry FILE] [--seed TEXT]
//! elig-sandbox card --serial N --out DIR [--state DIR] [--registry FILE] [--seed TEXT]
//! elig-sandbox registry
//! ```
// A command-line tool: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use elig_sandbox::access_log::StderrAccessLog;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::{DEFAULT_REGISTRY_JSON, Registry};
use elig_sandbox::state::{StateOrigin, pki_for_state, write_card_files};
use elig_sandbox::{DEFAULT_SEED, Sandbox, SandboxConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
usage:
  elig-sandbox serve [--bind ADDR] [--state DIR] [--registry FILE] [--seed TEXT] [--quiet]
      Serve the gateway (default 127.0.0.1:8443) until Ctrl-C (or SIGTERM on Unix). With
      --state, the PKI is loaded from DIR, or generated and written there when DIR has none.
      Access records (JSON lines, no personal data) go to stderr unless --quiet.
  elig-sandbox pki --out DIR [--registry FILE] [--seed TEXT]
      Write the PKI as PEM files (gateway-ca.pem is the client's trust anchor,
      device-<label>.pem / .key.pem its identity) plus state.json.
  elig-sandbox card --serial N --out DIR [--state DIR] [--registry FILE] [--seed TEXT]
      Write card-<N>.pem, card-<N>.key.pem and auth-ca.pem for a virtual card.
  elig-sandbox registry
      Print the embedded registry JSON (a template for --registry).";

#[derive(Default)]
struct Args {
    bind: Option<SocketAddr>,
    state: Option<PathBuf>,
    out: Option<PathBuf>,
    registry: Option<PathBuf>,
    seed: Option<String>,
    serial: Option<u64>,
    quiet: bool,
}

fn parse(mut rest: impl Iterator<Item = String>) -> Result<Args, BoxError> {
    let mut args = Args::default();
    while let Some(flag) = rest.next() {
        if flag == "--quiet" {
            args.quiet = true;
            continue;
        }
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--bind" => args.bind = Some(value.parse()?),
            "--state" => args.state = Some(value.into()),
            "--out" => args.out = Some(value.into()),
            "--registry" => args.registry = Some(value.into()),
            "--seed" => args.seed = Some(value),
            "--serial" => args.serial = Some(value.parse()?),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(args)
}

fn registry(args: &Args) -> Result<Registry, BoxError> {
    match &args.registry {
        Some(path) => Ok(Registry::from_json(&std::fs::read_to_string(path)?)?),
        None => Ok(Registry::default_registry()?),
    }
}

fn seed(args: &Args) -> Vec<u8> {
    args.seed
        .as_ref()
        .map_or_else(|| DEFAULT_SEED.to_vec(), |s| s.as_bytes().to_vec())
}

/// The PKI from `--state` (loaded, or generated and written), else generated from the seed.
fn pki(args: &Args, registry: &Registry) -> Result<TestPki, BoxError> {
    let (pki, origin) = pki_for_state(args.state.as_deref(), &seed(args), registry)?;
    if let (StateOrigin::Written(_), Some(dir)) = (origin, &args.state) {
        eprintln!("wrote a new PKI to {}", dir.display());
    }
    Ok(pki)
}

async fn serve(args: Args) -> Result<(), BoxError> {
    let registry = registry(&args)?;
    let pki = pki(&args, &registry)?;
    let mut config = SandboxConfig::new(Arc::new(pki), Arc::new(registry)).with_bind(
        args.bind
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8443))),
    );
    if !args.quiet {
        config = config.with_access_log(Arc::new(StderrAccessLog));
    }
    let sandbox = Sandbox::start(config).await?;
    println!("elig-sandbox listening on {}", sandbox.base_url());
    shutdown_requested().await?;
    eprintln!("shutting down");
    sandbox.shutdown().await;
    Ok(())
}

/// Waits for Ctrl-C or, on Unix, SIGTERM (a service manager's stop).
#[cfg(unix)]
async fn shutdown_requested() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    Ok(())
}

/// Waits for Ctrl-C (on Windows: the console's Ctrl-C; Windows has no SIGTERM).
#[cfg(not(unix))]
async fn shutdown_requested() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}

fn write_pki(args: &Args) -> Result<(), BoxError> {
    let out = args.out.as_ref().ok_or("pki needs --out DIR")?;
    let registry = registry(args)?;
    let pki = TestPki::generate(&seed(args), &registry.pki_plan())?;
    for path in pki.write_pem(out)? {
        println!("{}", path.display());
    }
    Ok(())
}

fn write_card(args: &Args) -> Result<(), BoxError> {
    let out = args.out.as_ref().ok_or("card needs --out DIR")?;
    let serial = args.serial.ok_or("card needs --serial N")?;
    let registry = registry(args)?;
    let spec = registry
        .card(serial)
        .ok_or_else(|| format!("no card {serial} in the registry"))?
        .spec();
    let pki = pki(args, &registry)?;
    for path in write_card_files(&pki, &spec, out)? {
        println!("{}", path.display());
    }
    Ok(())
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let result = parse(argv).and_then(|args| match command.as_str() {
        "serve" => tokio::runtime::Runtime::new()
            .map_err(BoxError::from)
            .and_then(|rt| rt.block_on(serve(args))),
        "pki" => write_pki(&args),
        "card" => write_card(&args),
        "registry" => {
            println!("{DEFAULT_REGISTRY_JSON}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    });
    if let Err(e) = result {
        eprintln!("elig-sandbox: {e}");
        std::process::exit(2);
    }
}
