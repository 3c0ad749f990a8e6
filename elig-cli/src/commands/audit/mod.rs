//! `elig audit list | export | verify | push`: the audit store of every check (elig-client's
//! `audit::SqliteAuditStore`, one SQLite file), and its push to the central store.
//!
//! `list` prints one day's rows, `export` writes JSON Lines (elig-client's export format,
//! documented field by field in its `audit::export` module), `verify` walks the hash chain
//! and exits 1 with the first row that does not hold. The store is never created here: a
//! missing file is an input error. `push` ships the rows to the organisation's central
//! PostgreSQL store ([`push`], feature `postgres`); `central-export` reads every desk's rows
//! back from it ([`central`]).

mod central;
mod push;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use elig_client::audit::{AuditError, BreakKind, DayRange, SqliteAuditStore};
use serde_json::{Value, json};
use voucher_model::Date;

use crate::commands::value_args::parse_date;
use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// What to do with the store.
    #[command(subcommand)]
    command: AuditCommand,
}

/// The subcommands of `elig audit`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCommand {
    /// List the checks recorded on one day (in Japan).
    #[command(after_help = "Examples:
  elig audit list --db audit.sqlite3 --day 2025-10-01
  elig audit list --db audit.sqlite3 --day 2025-10-01 --json

Exit codes: 0 listed, 2 the store cannot be read.")]
    List(ListArgs),
    /// Export rows as JSON Lines (one JSON object per check) on standard output.
    #[command(after_help = "Examples:
  elig audit export --db audit.sqlite3 > audit.jsonl
  elig audit export --db audit.sqlite3 --from 2025-10-01 --to 2025-10-31 > october.jsonl

Exit codes: 0 exported, 2 the store cannot be read or the output cannot be written.")]
    Export(ExportArgs),
    /// Verify the store's hash chain (exit 1 when a row was edited, deleted or inserted).
    #[command(after_help = "Examples:
  elig audit verify --db audit.sqlite3
  elig audit verify --db audit.sqlite3 --json

Exit codes: 0 intact, 1 tampered (the first row that does not hold is named), 2 the store
cannot be read.")]
    Verify(VerifyArgs),
    /// Send the store's new rows to the organisation's central PostgreSQL store (exactly once).
    #[command(after_help = "Examples:
  elig audit push --db audit.sqlite3 --to postgres://desk:secret@audit.example:5432/elig \\
    --device desk-01 --site clinic-tokyo --ca central-ca.pem
  elig audit push --db audit.sqlite3 --to postgres://desk:secret@127.0.0.1/elig \\
    --device desk-01 --site clinic-tokyo --json

Run it as often as you like (a scheduled task): only rows the central store does not hold
are sent, and a push cut off by the line continues where it stopped.

Exit codes: 0 pushed (or nothing new), 1 a row of the store does not hold or differs from
what the central store holds (named), 2 input or configuration (no store, malformed URL or
device name, refused login, unusable CA file), 5 the central database cannot be reached or
failed.")]
    Push(push::PushArgs),
    /// Export every desk's rows from the central PostgreSQL store as JSON Lines.
    #[command(after_help = "Examples:
  elig audit central-export --central postgres://office:secret@audit.example/elig \\
    --site clinic-tokyo --from 2026-04-01 --to 2026-04-30 --ca central-ca.pem > april.jsonl
  elig audit central-export --central postgres://office:secret@127.0.0.1/elig --device desk-01

Each line is `device`, `site`, then the fields of `elig audit export`.

Exit codes: 0 exported, 2 configuration (malformed URL, refused login, unusable CA file) or
the output cannot be written, 5 the central database cannot be reached or failed.")]
    CentralExport(central::CentralExportArgs),
}

/// Arguments of `elig audit list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The audit store (SQLite file).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The day in Japan (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    day: Date,
}

/// Arguments of `elig audit export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The audit store (SQLite file).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
    /// The first day included (YYYY-MM-DD, Japan); default: from the first row.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    from: Option<Date>,
    /// The last day included (YYYY-MM-DD, Japan); default: to the last row.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    to: Option<Date>,
}

/// Arguments of `elig audit verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The audit store (SQLite file).
    #[arg(long, value_name = "FILE")]
    db: PathBuf,
}

/// Runs `elig audit …`.
pub(crate) fn run(args: &AuditArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        AuditCommand::List(a) => list(a, as_json),
        AuditCommand::Export(a) => export(a),
        AuditCommand::Verify(a) => verify(a, as_json),
        AuditCommand::Push(a) => push::run(a, as_json),
        AuditCommand::CentralExport(a) => central::run(a),
    }
}

/// Opens an existing store (never creates one).
fn open(path: &Path) -> Result<SqliteAuditStore, CliError> {
    if !path.is_file() {
        return Err(no_store(path));
    }
    SqliteAuditStore::open(path).map_err(|e| store_error(path, &e))
}

/// The error for a `--db` that is not a file.
fn no_store(path: &Path) -> CliError {
    CliError::usage(
        "file",
        format!("There is no audit store at {}.", path.display()),
        "Check the --db path (the store is the file elig verify --audit writes).",
    )
}

/// A store error other than a broken chain: exit 2.
fn store_error(path: &Path, error: &AuditError) -> CliError {
    let (kind, message, next) = match error {
        AuditError::Corrupt { .. } => (
            "audit_corrupt",
            format!("{} is not an audit store or is damaged.", path.display()),
            "Check the --db path; restore the store from a backup if it was damaged.",
        ),
        AuditError::SchemaTooNew { .. } => (
            "audit_schema",
            format!("{} was written by a newer version of elig.", path.display()),
            "Use the newer version of elig to read it.",
        ),
        AuditError::Locked { .. } => (
            "audit_locked",
            format!("{} stayed locked by another program.", path.display()),
            "Wait for the other program to finish, then run the command again.",
        ),
        AuditError::Output { .. } => (
            "output",
            "The export could not be written to standard output.".to_owned(),
            "Check where the output goes (disk space, a closed pipe) and run the command again.",
        ),
        other => (
            "audit_store",
            format!(
                "The audit store {} could not be read: {other}.",
                path.display()
            ),
            "Check the file, its permissions and the free space, then run the command again.",
        ),
    };
    CliError::usage(kind, message, next)
}

/// The export lines of `range` as JSON values (elig-client's export format).
fn rows(store: &SqliteAuditStore, path: &Path, range: DayRange) -> Result<Vec<Value>, CliError> {
    let mut buffer = Vec::new();
    store
        .export_jsonl(range, &mut buffer)
        .map_err(|e| store_error(path, &e))?;
    buffer
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            serde_json::from_slice(line).map_err(|_| {
                CliError::usage(
                    "audit_store",
                    format!("A row of {} could not be read back.", path.display()),
                    "Run elig audit verify on the store.",
                )
            })
        })
        .collect()
}

fn list(args: &ListArgs, as_json: bool) -> Result<Exit, CliError> {
    let store = open(&args.db)?;
    let entries = rows(&store, &args.db, DayRange::day(args.day))?;
    if as_json {
        output::json(&json!({
            "day": args.day.to_iso(),
            "count": entries.len(),
            "entries": entries,
        }));
        return Ok(Exit::Success);
    }
    output::line(format!("{} 件 checks on {} (JST)", entries.len(), args.day));
    for entry in &entries {
        output::line(list_line(entry));
    }
    Ok(Exit::Success)
}

/// One row of `audit list` as text: sequence, time in Japan, outcome, evidence, purpose,
/// voucher and insurer numbers.
fn list_line(entry: &Value) -> String {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or("-");
    let time = entry
        .get("unix_secs")
        .and_then(Value::as_i64)
        .and_then(|s| voucher_model::jst::date_time_from_unix_secs(s).ok())
        .map_or_else(|| "-".to_owned(), |t| t.to_string());
    let seq = entry.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let outcome = match entry.get("error_kind").and_then(Value::as_str) {
        Some(kind) => format!("{} ({kind})", text("outcome")),
        None => text("outcome").to_owned(),
    };
    format!(
        "#{seq} {time} {outcome} evidence={} purpose={} voucher={} insurer={}",
        text("evidence"),
        text("purpose"),
        text("voucher_number"),
        text("insurer_number"),
    )
}

fn export(args: &ExportArgs) -> Result<Exit, CliError> {
    let store = open(&args.db)?;
    let range = DayRange {
        from: args.from,
        to: args.to,
    };
    let mut out = std::io::stdout().lock();
    store
        .export_jsonl(range, &mut out)
        .map_err(|e| store_error(&args.db, &e))?;
    Ok(Exit::Success)
}

fn verify(args: &VerifyArgs, as_json: bool) -> Result<Exit, CliError> {
    let store = open(&args.db)?;
    match store.verify() {
        Ok(report) => {
            if as_json {
                output::json(&json!({
                    "outcome": "intact",
                    "rows": report.rows,
                    "head": report.head.to_hex(),
                }));
            } else {
                output::line(format!(
                    "改ざんなし intact: {} rows, head {}",
                    report.rows,
                    report.head.to_hex()
                ));
            }
            Ok(Exit::Success)
        }
        Err(AuditError::ChainBroken(chain_break)) => {
            let kind = match chain_break.kind {
                BreakKind::DigestMismatch => "digest_mismatch",
                BreakKind::PreviousMismatch => "previous_mismatch",
                BreakKind::SequenceGap { .. } => "sequence_gap",
                BreakKind::HeadMismatch => "head_mismatch",
                _ => "other",
            };
            tampered(as_json, chain_break.seq, kind, &chain_break.to_string());
            Ok(Exit::NotEligible)
        }
        Err(AuditError::UnreadableRow { seq, column }) => {
            let message = format!("row {seq}: column {column} holds a value elig cannot read");
            tampered(as_json, seq, "unreadable_row", &message);
            Ok(Exit::NotEligible)
        }
        Err(other) => Err(store_error(&args.db, &other)),
    }
}

/// Reports a broken chain: where, and what does not hold.
fn tampered(as_json: bool, seq: u64, kind: &str, message: &str) {
    if as_json {
        output::json(&json!({
            "outcome": "tampered",
            "seq": seq,
            "break": kind,
            "message": message,
        }));
    } else {
        output::line(format!("改ざんあり tampered: {message}."));
        output::line(format!(
            "The rows before row {seq} are intact; keep the file as it is and compare it with a backup or an earlier export."
        ));
    }
}
