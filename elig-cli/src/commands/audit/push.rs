//! `elig audit push`: ships the desk's audit rows to the organisation's central PostgreSQL
//! store (elig-client's `audit::postgres::push_file`, issue 15 item 2), exactly once and
//! resumable — a push cut off by the line continues where it stopped when run again.
//!
//! Exit 0 pushed (or already up to date), 1 the local chain does not hold or diverged from
//! what the central store holds (the row is named), 2 input or configuration (no store,
//! a malformed URL or device name, a refused login, an unusable CA file), 5 the central
//! database cannot be reached or failed. The database URL is never printed: it may hold a
//! password.

use std::path::PathBuf;

use clap::Args;

use crate::error::CliError;
use crate::exit::Exit;

/// Arguments of `elig audit push`.
#[derive(Debug, Args)]
pub(crate) struct PushArgs {
    /// The desk's audit store (SQLite file, the one `elig verify --audit` writes).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The central store: `postgres://user:password@host:port/database`.
    #[arg(long, value_name = "URL")]
    to: String,
    /// This desk's name in the central store (1–64 of A-Z a-z 0-9 . _ -).
    #[arg(long, value_name = "NAME")]
    device: String,
    /// The site (institution) the desk belongs to; kept from the first push.
    #[arg(long, value_name = "SITE")]
    site: String,
    /// Require TLS, trusting the CA certificates of this PEM file.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
}

/// Runs `elig audit push`.
#[cfg(feature = "postgres")]
pub(crate) fn run(args: &PushArgs, as_json: bool) -> Result<Exit, CliError> {
    use elig_client::audit::postgres::push_file;
    use serde_json::json;

    use crate::output;

    if !args.db.is_file() {
        return Err(super::no_store(&args.db));
    }
    let options = pg_options(args.ca.as_deref())?;
    let report = push_file(&args.db, &args.to, &args.device, &args.site, &options)
        .map_err(|e| central_error(&args.db, &e))?;
    if as_json {
        output::json(&json!({
            "outcome": "pushed",
            "shipped": report.shipped,
            "head_seq": report.head_seq,
            "head": report.head.to_hex(),
        }));
    } else {
        output::line(format!(
            "送信済み pushed: {} rows; the central store holds this desk's rows up to #{} (head {}).",
            report.shipped,
            report.head_seq,
            report.head.to_hex()
        ));
    }
    Ok(Exit::Success)
}

/// Without the `postgres` feature: a clear error, nothing contacted.
#[cfg(not(feature = "postgres"))]
pub(crate) fn run(_args: &PushArgs, _as_json: bool) -> Result<Exit, CliError> {
    Err(no_postgres())
}

/// The error of a build without the `postgres` feature.
#[cfg(not(feature = "postgres"))]
pub(super) fn no_postgres() -> CliError {
    CliError::usage(
        "no_postgres",
        "This elig was built without the central audit store.",
        "Install elig with its default features (the `postgres` feature), then run the command again.",
    )
}

/// The connection options: TLS required with `--ca FILE`'s CA certificates, or none.
#[cfg(feature = "postgres")]
pub(super) fn pg_options(
    ca: Option<&std::path::Path>,
) -> Result<elig_client::audit::postgres::PgOptions, CliError> {
    use elig_client::audit::postgres::{PgOptions, PgTls};
    let Some(ca) = ca else {
        return Ok(PgOptions::default());
    };
    let tls = PgTls::required_from_pem_file(ca).map_err(|_| {
        CliError::usage(
            "ca_file",
            format!(
                "{} is not a readable PEM file of CA certificates.",
                ca.display()
            ),
            "Pass the central database server's CA certificate (PEM) with --ca.",
        )
    })?;
    Ok(PgOptions::default().with_tls(tls))
}

/// The CLI error of a failed push or central query: one sentence, the next step, the exit
/// code.
#[cfg(feature = "postgres")]
pub(super) fn central_error(
    db: &std::path::Path,
    error: &elig_client::audit::AuditError,
) -> CliError {
    use elig_client::audit::{AuditError, BreakKind};
    match error {
        AuditError::Unreachable { .. } => CliError::new(
            Exit::Gateway,
            "central_unreachable",
            "The central audit database cannot be reached.",
            "Run the same command again when the line is back (the rows already sent stay sent).",
        ),
        AuditError::Authentication { .. } => CliError::usage(
            "central_login",
            "The central audit database refused the login.",
            "Check the user and password in the --to URL with the database's administrator.",
        ),
        AuditError::Server { code, .. } => CliError::new(
            Exit::Gateway,
            "central_server",
            format!("The central audit database failed (SQLSTATE {code})."),
            "Ask the database's administrator to check its log, then run the same command again.",
        ),
        AuditError::ChainBroken(chain_break) if chain_break.kind == BreakKind::Diverged => {
            CliError::new(
                Exit::NotEligible,
                "central_diverged",
                format!("Nothing more was sent: {chain_break}."),
                "Check that no other desk pushes under this --device name and that this is the store pushed before.",
            )
        }
        AuditError::ChainBroken(chain_break) => CliError::new(
            Exit::NotEligible,
            "audit_tampered",
            format!(
                "Nothing from audit row {} on was sent: {chain_break}.",
                chain_break.seq
            ),
            "Keep the file as it is and run elig audit verify on it; the rows before it were sent.",
        ),
        AuditError::UnreadableRow { seq, column } => CliError::new(
            Exit::NotEligible,
            "audit_tampered",
            format!(
                "Nothing from audit row {seq} on was sent: its column {column} holds a value elig cannot read."
            ),
            "Keep the file as it is and run elig audit verify on it; the rows before it were sent.",
        ),
        AuditError::Config { detail } => CliError::usage(
            "central_config",
            format!("The push cannot be done: {detail}."),
            "Fix the --to URL, --device or --site as the message says, then run the command again.",
        ),
        other => super::store_error(db, other),
    }
}
