//! `elig oqs request …` and `elig oqs parse FILE`: the 既存型 terminal's files.
//!
//! `oqs parse` reads any response file (`OQSsiquc01res_…`, `…res_face_…`, UTF-8 or
//! Shift_JIS) with elig-proto's tolerant reader and prints the normalized record; `oqs
//! request` writes an individual-check request into the terminal's `req` folder and waits for
//! the answer in `res` (elig-client's `kizon` driver), then prints it the same way.

mod record_text;
mod request;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use elig_proto::xmlmsg::{self, Encoding, ReadInfo, ReadLimits};
use serde_json::{Value, json};
use voucher_model::QualificationResponse;

use crate::commands::value_args::read_bounded;
use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig oqs`.
#[derive(Debug, Args)]
pub(crate) struct OqsArgs {
    /// What to do.
    #[command(subcommand)]
    command: OqsCommand,
}

/// The subcommands of `elig oqs`.
#[derive(Debug, Subcommand)]
enum OqsCommand {
    /// Ask the 既存型 terminal through its req/res folders and print its answer.
    #[command(after_help = request::EXAMPLES)]
    Request(Box<request::RequestArgs>),
    /// Read a 既存型 response file and print the normalized record.
    #[command(after_help = "Examples:
  elig oqs parse OQSsiquc01res_202510010001.xml
  elig oqs parse OQSsiquc01res_face_202510010001.xml --json

Exit codes: 0 read, 2 the file cannot be read or is not a 既存型 response.")]
    Parse(ParseArgs),
}

/// Arguments of `elig oqs parse`.
#[derive(Debug, Args)]
struct ParseArgs {
    /// The response file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Runs `elig oqs …`.
pub(crate) fn run(args: &OqsArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        OqsCommand::Request(request_args) => request::run(request_args, as_json),
        OqsCommand::Parse(parse_args) => {
            let (response, info) = read_response_file(&parse_args.file)?;
            print_response(&response, &info, None, as_json);
            Ok(Exit::Success)
        }
    }
}

/// Reads a 既存型 response file (bounded by elig-proto's default read limits).
pub(crate) fn read_response_file(
    path: &Path,
) -> Result<(QualificationResponse, ReadInfo), CliError> {
    let limits = ReadLimits::default();
    let max = u64::try_from(limits.max_bytes).unwrap_or(u64::MAX);
    let bytes = read_bounded(path, max, "a 既存型 response")?;
    xmlmsg::read_response_with(&bytes, &limits).map_err(|e| {
        CliError::usage(
            "oqs_response",
            format!(
                "{} is not a readable 既存型 response: {e}.",
                path.display()
            ),
            "Check that the file is the terminal's answer (OQSsiquc01res_…), complete and unchanged.",
        )
    })
}

/// The JSON name of an encoding.
fn encoding_name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::ShiftJis => "shift_jis",
    }
}

/// The document `oqs parse --json` and `oqs request --json` print.
fn response_document(
    response: &QualificationResponse,
    info: &ReadInfo,
    file: Option<&Path>,
) -> Value {
    json!({
        "file": file.map(|f| f.display().to_string()),
        "encoding": encoding_name(info.encoding),
        "character_code_identifier_mismatch": info.character_code_identifier_mismatch,
        "response": serde_json::to_value(response).unwrap_or(Value::Null),
    })
}

/// Prints a response as JSON or as text.
fn print_response(
    response: &QualificationResponse,
    info: &ReadInfo,
    file: Option<&Path>,
    as_json: bool,
) {
    if as_json {
        output::json(&response_document(response, info, file));
        return;
    }
    if let Some(file) = file {
        output::line(format!("file: {}", file.display()));
    }
    output::line(format!("encoding: {}", encoding_name(info.encoding)));
    if info.character_code_identifier_mismatch {
        output::line(
            "warning: CharacterCodeIdentifier names the other encoding than the file's bytes (the bytes win)",
        );
    }
    for line in code_lines(response) {
        output::line(line);
    }
    for line in record_text::lines(&serde_json::to_value(response).unwrap_or(Value::Null)) {
        output::line(line);
    }
}

/// The answer's result codes with their meaning (OQSCD002–006), for a person reading them.
fn code_lines(response: &QualificationResponse) -> Vec<String> {
    fn line(
        element: &str,
        code: &str,
        ja: Option<&'static str>,
        en: Option<&'static str>,
    ) -> String {
        format!(
            "{element}: {code} {} ({})",
            ja.unwrap_or("不明"),
            en.unwrap_or("unknown code")
        )
    }
    let r = response;
    [
        r.segment_of_result
            .as_ref()
            .map(|c| line("SegmentOfResult", c.code(), c.label_ja(), c.label_en())),
        r.processing_result_status.as_ref().map(|c| {
            line(
                "ProcessingResultStatus",
                c.code(),
                c.label_ja(),
                c.label_en(),
            )
        }),
        r.qualification_validity.as_ref().map(|c| {
            line(
                "QualificationValidity",
                c.code(),
                c.label_ja(),
                c.label_en(),
            )
        }),
        r.reference_classification.as_ref().map(|c| {
            line(
                "ReferenceClassification",
                c.code(),
                c.label_ja(),
                c.label_en(),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect()
}
