//! `elig verify`: one real check — the card in a PC/SC reader, the gateway over mutual TLS,
//! the explained verdict (issue 12, item 2). Exit 0 eligible, 1 not eligible, 3 needs staff
//! review, 2 usage, 4 card or reader (wrong or blocked PIN too), 5 gateway or network.

mod desk;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use der::Decode as _;
use elig_client::audit::SqliteAuditStore;
use elig_client::blocking::Driver;
use elig_client::https::{BlockingHttpsGateway, HttpsConfig, ProxySetting, TlsIdentity};
use elig_client::session::{CheckRequest, Mode, Timeouts};
use elig_proto::gateway::{RequestId, facility_from_subject};
use reader_backends::Transport;
use voucher_model::{Date, Facility, Purpose, Voucher, jst};
use x509_cert::Certificate;

use self::desk::{PinSource, TerminalDesk};
use crate::commands::check_failure::{cli_error, transport_error};
use crate::commands::value_args::PurposeArg;
use crate::commands::verdict_json::{exit_of, verdict_document, verdict_lines};
use crate::config::Settings;
use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example (against `elig sandbox serve --state ./sandbox`):\n  \
    elig verify --gateway https://127.0.0.1:8443 --ca ./sandbox/gateway-ca.pem \\\n    \
    --device-cert ./sandbox/device-clinic.pem --device-key ./sandbox/device-clinic.key.pem \\\n    \
    --voucher voucher.json --reader 'Virtual PCD 00 00'\n\n\
    The same settings can live in a TOML file (--config; flags win):\n  \
    reader = \"Virtual PCD 00 00\"\n  audit = \"audit.sqlite3\"\n  [gateway]\n  \
    url = \"https://127.0.0.1:8443\"\n  ca = \"sandbox/gateway-ca.pem\"\n  \
    device_cert = \"sandbox/device-clinic.pem\"\n  device_key = \"sandbox/device-clinic.key.pem\"\n\n\
    Exit codes: 0 eligible, 1 not eligible, 2 usage, 3 needs staff review, 4 card or reader \
    (wrong or blocked PIN), 5 gateway or network."
)]
pub(crate) struct VerifyArgs {
    /// The gateway's URL (`https://host:port`).
    #[arg(long, value_name = "URL")]
    gateway: Option<String>,
    /// The gateway CA (PEM) the server's certificate must chain to.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
    /// This terminal's device certificate (PEM).
    #[arg(long, value_name = "FILE")]
    device_cert: Option<PathBuf>,
    /// This terminal's device key (PEM).
    #[arg(long, value_name = "FILE")]
    device_key: Option<PathBuf>,
    /// The voucher (受診券 / 利用券) as voucher-model's JSON.
    #[arg(long, value_name = "FILE")]
    voucher: PathBuf,
    /// The PC/SC reader (default: the first reader with a card).
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
    /// 目視確認 mode: staff compare the card photo with the person; no PIN (needs --staff).
    #[arg(long, requires = "staff")]
    visual: bool,
    /// The staff member who did the 目視確認.
    #[arg(long, value_name = "ID")]
    staff: Option<String>,
    /// The checkup date (default today in Japan; the gateway accepts only today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// What the check is for (default from the voucher: checkup or guidance).
    #[arg(long, value_enum)]
    purpose: Option<PurposeArg>,
    /// Read the PIN as one line of standard input (automation) instead of the terminal.
    #[arg(long)]
    pin_stdin: bool,
    /// With --pin-stdin: spend the last PIN try (otherwise refused, exit 4, no VERIFY sent).
    #[arg(long)]
    allow_last_try: bool,
    /// Append the check's record to this audit store (SQLite; created if missing).
    #[arg(long, value_name = "DB")]
    audit: Option<PathBuf>,
    /// Read the settings from this TOML file (flags win).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The settings after the file and the flags are merged.
struct Resolved {
    url: String,
    ca: PathBuf,
    device_cert: PathBuf,
    device_key: PathBuf,
    reader: Option<String>,
    audit: Option<PathBuf>,
    staff: Option<String>,
    purpose: Option<PurposeArg>,
}

fn missing(flag: &str) -> CliError {
    CliError::usage(
        "missing_setting",
        format!("No {flag} was given."),
        format!("Pass {flag}, or set it in the --config file."),
    )
}

fn resolve(args: &VerifyArgs) -> Result<Resolved, CliError> {
    let file = match &args.config {
        Some(path) => Settings::load(path)?,
        None => Settings::default(),
    };
    let purpose = match (args.purpose, file.purpose.as_deref()) {
        (Some(p), _) => Some(p),
        (None, Some(text)) => Some(PurposeArg::from_str(text, true).map_err(|_| {
            CliError::usage(
                "config",
                format!("The settings file's purpose {text:?} is not one of checkup, guidance, dock-insurer."),
                "Fix the purpose in the settings file.",
            )
        })?),
        (None, None) => None,
    };
    Ok(Resolved {
        url: args
            .gateway
            .clone()
            .or(file.gateway.url)
            .ok_or_else(|| missing("--gateway"))?,
        ca: args
            .ca
            .clone()
            .or(file.gateway.ca)
            .ok_or_else(|| missing("--ca"))?,
        device_cert: args
            .device_cert
            .clone()
            .or(file.gateway.device_cert)
            .ok_or_else(|| missing("--device-cert"))?,
        device_key: args
            .device_key
            .clone()
            .or(file.gateway.device_key)
            .ok_or_else(|| missing("--device-key"))?,
        reader: args.reader.clone().or(file.reader),
        audit: args.audit.clone().or(file.audit),
        staff: args.staff.clone().or(file.staff),
        purpose,
    })
}

/// Runs `elig verify`.
pub(crate) fn run(args: &VerifyArgs, as_json: bool) -> Result<Exit, CliError> {
    let settings = resolve(args)?;
    if args.visual && settings.staff.is_none() {
        return Err(missing("--staff"));
    }
    let voucher = read_voucher(&args.voucher)?;
    let now = SystemTime::now();
    let today = match &args.date {
        Some(text) => parse_date(text)?,
        None => jst::date_from_system_time(now).map_err(|_| clock_error())?,
    };
    let purpose = purpose_for(settings.purpose, &voucher)?;
    let facility = device_facility(&settings.device_cert)?;
    let https = https_config(
        &settings.url,
        &settings.ca,
        &settings.device_cert,
        &settings.device_key,
    )?;
    let mut gateway = BlockingHttpsGateway::new(https).map_err(|e| transport_error(&e))?;
    let started = now
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(clock_error)?;
    let request_id = RequestId::new(&format!("elig-{started}-{}", std::process::id()))
        .ok_or_else(clock_error)?;
    let request = CheckRequest::new(voucher, purpose, facility, today, request_id, started);
    let mut card = open_reader(settings.reader.as_deref())?;
    let (temporary, audit_path) = match &settings.audit {
        Some(path) => (None, path.clone()),
        None => {
            let dir = tempfile::tempdir()
                .map_err(|e| CliError::file("create", &std::env::temp_dir(), &e))?;
            let path = dir.path().join("audit.sqlite3");
            (Some(dir), path)
        }
    };
    let mut audit = SqliteAuditStore::open(&audit_path).map_err(|_| {
        CliError::usage(
            "audit_store",
            format!("The audit store {} could not be opened.", audit_path.display()),
            "Check the path, its permissions and the free disk space, or pass another --audit file.",
        )
    })?;
    let mut desk = TerminalDesk {
        pin_source: if args.pin_stdin {
            PinSource::Stdin
        } else {
            PinSource::Terminal
        },
        allow_last_try: args.allow_last_try,
        staff: settings.staff.clone(),
        quiet: as_json,
        bad_pin: false,
        bad_staff: false,
    };
    let mode = if args.visual {
        Mode::VisualConfirmation
    } else {
        Mode::Pin
    };
    let recorded = Driver {
        card: card.as_mut(),
        gateway: &mut gateway,
        operator: &mut desk,
        audit: &mut audit,
    }
    .run(request, mode, Timeouts::default())
    .map_err(|_| {
        CliError::usage(
            "audit_store",
            "The check's record could not be stored, so its result is not shown.",
            "Check the audit store's disk space and permissions, then run the check again.",
        )
    })?;
    drop(temporary);
    if desk.bad_pin {
        return Err(CliError::usage(
            "pin_format",
            "The PIN must be 4 digits; nothing was sent to the card.",
            "Type the 4-digit PIN of the card's user certificate (利用者証明用).",
        ));
    }
    if desk.bad_staff {
        return Err(CliError::usage(
            "staff",
            "The staff ID is empty, too long or has control characters.",
            "Pass --staff with a short ID of the staff member who compared the photo.",
        ));
    }
    let verdict = recorded.outcome.result.as_ref().map_err(cli_error)?;
    if as_json {
        output::json(&verdict_document(verdict));
    } else {
        for line in verdict_lines(verdict) {
            output::line(line);
        }
    }
    Ok(exit_of(verdict.outcome))
}

fn read_voucher(path: &Path) -> Result<Voucher, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::file("read", path, &e))?;
    serde_json::from_str(&text).map_err(|_| {
        CliError::usage(
            "voucher",
            format!("{} is not a valid voucher (voucher-model's JSON).", path.display()),
            "Check the file's fields and identifiers (`elig voucher verify --help` shows the format), then try again.",
        )
    })
}

fn parse_date(text: &str) -> Result<Date, CliError> {
    text.parse::<Date>().map_err(|_| {
        CliError::usage(
            "date",
            format!("{text:?} is not a date of the form YYYY-MM-DD."),
            "Pass --date like 2026-04-01, or leave it out for today.",
        )
    })
}

fn purpose_for(arg: Option<PurposeArg>, voucher: &Voucher) -> Result<Purpose, CliError> {
    let arg = arg.unwrap_or(match voucher.kind() {
        voucher_model::VoucherKind::Checkup => PurposeArg::Checkup,
        _ => PurposeArg::Guidance,
    });
    arg.purpose()
}

/// The gateway's HTTPS configuration: its URL, the gateway CA, this terminal's device
/// certificate and key, and the proxy of the environment (`HTTPS_PROXY`, `NO_PROXY`). Shared
/// with `elig desk`.
pub(crate) fn https_config(
    url: &str,
    ca: &Path,
    device_cert: &Path,
    device_key: &Path,
) -> Result<HttpsConfig, CliError> {
    let identity = TlsIdentity::from_pem_files(ca, device_cert, device_key)
        .map_err(|e| transport_error(&e))?;
    let proxy = ProxySetting::from_env().map_err(|e| transport_error(&e))?;
    Ok(HttpsConfig::new(url, identity)
        .map_err(|e| transport_error(&e))?
        .with_proxy(proxy))
}

/// The facility the device certificate names (the gateway compares the inquiry's with it).
pub(crate) fn device_facility(path: &Path) -> Result<Facility, CliError> {
    let bad = || {
        CliError::usage(
            "device_cert",
            format!(
                "{} is not a device certificate that names a facility.",
                path.display()
            ),
            "Pass the device certificate (PEM) issued for this terminal with --device-cert.",
        )
    };
    let bytes = std::fs::read(path).map_err(|e| CliError::file("read", path, &e))?;
    // PEM (the first block) or DER.
    let der = match der::pem::decode_vec(&bytes) {
        Ok((_, der)) => der,
        Err(_) => bytes,
    };
    let cert = Certificate::from_der(&der).map_err(|_| bad())?;
    facility_from_subject(cert.tbs_certificate().subject()).ok_or_else(bad)
}

/// The reader: the named one, or the first with a card.
#[cfg(feature = "pcsc")]
fn open_reader(name: Option<&str>) -> Result<Box<dyn Transport>, CliError> {
    use reader_backends::pcsc;
    let found = pcsc::wait_for_card(name, std::time::Duration::from_secs(2))
        .map_err(|e| crate::commands::reader_error::reader_error(&e, name))?;
    let reader = pcsc::PcscReader::connect(&found)
        .map_err(|e| crate::commands::reader_error::reader_error(&e, name))?;
    Ok(Box::new(reader))
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(_name: Option<&str>) -> Result<Box<dyn Transport>, CliError> {
    Err(crate::commands::reader_error::no_pcsc())
}

fn clock_error() -> CliError {
    CliError::usage(
        "clock",
        "This machine's clock is outside the dates a check can use.",
        "Set the system date and time correctly, then run the check again.",
    )
}
