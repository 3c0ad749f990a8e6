//! `elig voucher verify`: the explained verdict for a voucher without a card — from a 既存型
//! response file (`--oqs-response`, read by elig-proto) or from what staff read off a
//! document (`--evidence`, the manual evidence kinds; format in [`evidence_file`]).
//!
//! The verdict is voucher-model's `verify` (the same rules as elig-client's `manual_check`
//! and `existing_terminal_check`, without an audit row). Exit 0 eligible, 1 not eligible,
//! 3 needs staff review, 2 usage or input error.

mod evidence_file;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use voucher_model::{Date, Evidence, OnlineChannel, OnlineMode, Voucher, VoucherFields};

use crate::commands::oqs::read_response_file;
use crate::commands::value_args::{PurposeArg, json_reason, parse_date, read_bounded};
use crate::commands::verdict_json;
use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

use evidence_file::EvidenceFile;

/// Largest voucher or evidence file read (a voucher is well under 2 KB).
const MAX_JSON_FILE_BYTES: u64 = 1024 * 1024;

/// Arguments of `elig voucher`.
#[derive(Debug, Args)]
pub(crate) struct VoucherArgs {
    /// What to do with the voucher.
    #[command(subcommand)]
    command: VoucherCommand,
}

/// The subcommands of `elig voucher`.
#[derive(Debug, Subcommand)]
enum VoucherCommand {
    /// The explained verdict for a voucher, from a 既存型 response or a manual evidence file.
    #[command(after_help = "Examples:
  elig voucher verify --voucher voucher.json --oqs-response OQSsiquc01res_202510010001.xml \\
      --date 2025-10-01 --purpose checkup
  elig voucher verify --voucher voucher.json --evidence mynaportal.json --date 2025-10-01 \\
      --purpose checkup --json

The voucher file is voucher-model's voucher JSON; the evidence file is described in the
crate README (\"elig voucher verify\").
Exit codes: 0 eligible, 1 not eligible, 3 needs staff review, 2 usage or input error.")]
    Verify(VerifyArgs),
}

/// Arguments of `elig voucher verify`.
#[derive(Debug, Args)]
struct VerifyArgs {
    /// The voucher (受診券/利用券) as JSON (voucher-model's voucher schema).
    #[arg(long, value_name = "FILE")]
    voucher: PathBuf,
    /// A 既存型 response file (OQSsiquc01res_…, UTF-8 or Shift_JIS).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "evidence",
        required_unless_present = "evidence"
    )]
    oqs_response: Option<PathBuf>,
    /// A manual evidence file (JSON: Mynaportal screen, card with notice, 資格確認書, old card).
    #[arg(long, value_name = "FILE")]
    evidence: Option<PathBuf>,
    /// The checkup date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Date,
    /// What the check is for.
    #[arg(long, value_enum)]
    purpose: PurposeArg,
}

/// Runs `elig voucher …`.
pub(crate) fn run(args: &VoucherArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        VoucherCommand::Verify(verify_args) => run_verify(verify_args, as_json),
    }
}

fn run_verify(args: &VerifyArgs, as_json: bool) -> Result<Exit, CliError> {
    let purpose = args.purpose.purpose()?;
    let voucher = read_voucher(&args.voucher)?;
    let evidence = match (&args.oqs_response, &args.evidence) {
        (Some(path), _) => {
            let (response, _) = read_response_file(path)?;
            Evidence::online(
                OnlineChannel::Existing,
                OnlineMode::ExistingTerminal,
                response,
            )
        }
        (None, Some(path)) => read_evidence(path)?,
        (None, None) => {
            return Err(CliError::usage(
                "missing_evidence",
                "No evidence was given.",
                "Give --oqs-response FILE or --evidence FILE.",
            ));
        }
    };
    let verdict = voucher_model::verify(&voucher, &evidence, args.date, purpose);
    if as_json {
        output::json(&verdict_json::verdict_document(&verdict));
    } else {
        for line in verdict_json::verdict_lines(&verdict) {
            output::line(line);
        }
    }
    Ok(verdict_json::exit_of(verdict.outcome))
}

/// Reads and validates the voucher file.
fn read_voucher(path: &Path) -> Result<Voucher, CliError> {
    let bytes = read_bounded(path, MAX_JSON_FILE_BYTES, "a voucher")?;
    let fields: VoucherFields = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::usage(
            "voucher_file",
            format!(
                "{} is not a voucher: {}.",
                path.display(),
                json_reason(&e)
            ),
            "Fix the voucher file (its fields are listed in voucher-model's README), then run the command again.",
        )
    })?;
    Voucher::new(fields).map_err(|e| {
        CliError::usage(
            "voucher_invalid",
            format!("The voucher in {} is not valid: {e}.", path.display()),
            "Compare the voucher file with the paper voucher and correct it.",
        )
    })
}

/// Reads the manual evidence file.
fn read_evidence(path: &Path) -> Result<Evidence, CliError> {
    let bytes = read_bounded(path, MAX_JSON_FILE_BYTES, "an evidence file")?;
    let file: EvidenceFile = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::usage(
            "evidence_file",
            format!(
                "{} is not an evidence file: {}.",
                path.display(),
                json_reason(&e)
            ),
            "Fix the evidence file (see \"elig voucher verify\" in the elig-cli README); for an online result use --oqs-response.",
        )
    })?;
    Ok(file.into())
}
