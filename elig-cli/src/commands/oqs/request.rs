//! `elig oqs request`: one individual check through the 既存型 terminal's folders
//! (elig-client's `kizon::KizonClient`): the request goes into `req`, the answer is awaited
//! in `res`, read, printed, and both files are moved into `<work>/done/`.
//!
//! Exit 0 when the terminal answered (whatever the answer says: `QualificationValidity` is
//! in the record; `elig voucher verify --oqs-response` turns it into a verdict), 2 for input
//! or folder errors on this PC, 5 when the terminal did not answer or answered unreadably.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use elig_client::kizon::{Folders, KizonClient, KizonError};
use elig_proto::xmlmsg::{Encoding, FileKind, FileName, IndividualRequest};
use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, Date, IdError, InsurerNumber,
    SearchInfo,
};

use crate::commands::value_args::{parse_date, today_in_japan};
use crate::error::CliError;
use crate::exit::Exit;

/// The `--help` examples of `elig oqs request`.
pub(super) const EXAMPLES: &str = "Examples:
  elig oqs request --req 'C:\\OQS\\req' --res 'C:\\OQS\\res' --institution 1312345679 \\
      --insurer 06110829 --symbol 12-34 --number 4260 --branch 01 --birth-date 2001-03-27
  elig oqs request --req /mnt/oqs/req --res /mnt/oqs/res --work /var/lib/elig/kizon \\
      --institution 1312345679 --insurer 06110829 --number 4260 --birth-date 2001-03-27 \\
      --encoding utf-8 --timeout 60 --json

Exit codes: 0 the terminal answered (the record is printed), 2 input or folder error,
5 the terminal did not answer in time or its answer is unreadable.";

/// Arguments of `elig oqs request`.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The terminal's request folder.
    #[arg(long, value_name = "DIR")]
    req: PathBuf,
    /// The terminal's response folder.
    #[arg(long, value_name = "DIR")]
    res: PathBuf,
    /// This SDK's work folder (sequence claims, handled files in done/); default: a folder
    /// `elig-kizon` next to the req folder.
    #[arg(long, value_name = "DIR")]
    work: Option<PathBuf>,
    /// The institution's 10-digit number (健診・保健指導機関番号 / 医療機関コード).
    #[arg(long, value_name = "NUMBER")]
    institution: String,
    /// 保険者番号 (6 or 8 digits).
    #[arg(long, value_name = "NUMBER")]
    insurer: String,
    /// 被保険者証等記号 (absent for 後期高齢者 and some 国保).
    #[arg(long, value_name = "SYMBOL")]
    symbol: Option<String>,
    /// 被保険者証等番号.
    #[arg(long, value_name = "NUMBER")]
    number: String,
    /// 枝番 (1–2 digits).
    #[arg(long, value_name = "NN")]
    branch: Option<String>,
    /// 生年月日 of the person (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    birth_date: Date,
    /// The date the qualification is checked for (default: today in Japan).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    date: Option<Date>,
    /// The request file's encoding (the answer comes back in the terminal's choice).
    #[arg(long, value_enum, default_value_t = EncodingArg::ShiftJis)]
    encoding: EncodingArg,
    /// How long to wait for the answer, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// `ArbitraryFileIdentifier`: free text the terminal echoes back.
    #[arg(long, value_name = "TEXT")]
    file_id: Option<String>,
}

/// The request file's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EncodingArg {
    /// Shift_JIS (CP932), what terminals traditionally read.
    ShiftJis,
    /// UTF-8.
    #[value(name = "utf-8")]
    Utf8,
}

/// An identifier flag that did not parse: exit 2, naming the flag.
fn bad_flag(flag: &str, error: &IdError) -> CliError {
    CliError::usage(
        "invalid_identifier",
        format!("--{flag} is not valid: {error}."),
        format!("Correct --{flag} (see `elig ids check`) and run the command again."),
    )
}

/// Runs `elig oqs request`.
pub(crate) fn run(args: &RequestArgs, as_json: bool) -> Result<Exit, CliError> {
    let institution = CheckupInstitutionNumber::parse(&args.institution)
        .map_err(|e| bad_flag("institution", &e))?;
    let search = SearchInfo {
        insurer_number: Some(
            InsurerNumber::parse(&args.insurer).map_err(|e| bad_flag("insurer", &e))?,
        ),
        insured_card_symbol: args
            .symbol
            .as_deref()
            .map(CardSymbol::parse)
            .transpose()
            .map_err(|e| bad_flag("symbol", &e))?,
        insured_identification_number: Some(
            CardNumber::parse(&args.number).map_err(|e| bad_flag("number", &e))?,
        ),
        insured_branch_number: args
            .branch
            .as_deref()
            .map(BranchNumber::parse)
            .transpose()
            .map_err(|e| bad_flag("branch", &e))?,
        birthdate: Some(args.birth_date),
        ..SearchInfo::default()
    };
    let date = match args.date {
        Some(date) => date,
        None => today_in_japan()?,
    };
    let mut request = IndividualRequest::new(date, institution, search);
    if let Some(id) = &args.file_id {
        request = request.with_file_identifier(id);
    }
    let work = match &args.work {
        Some(work) => work.clone(),
        None => args
            .req
            .parent()
            .map_or_else(|| PathBuf::from("elig-kizon"), |p| p.join("elig-kizon")),
    };
    let client = KizonClient::new(Folders::new(&args.req, &args.res, work));
    let encoding = match args.encoding {
        EncodingArg::ShiftJis => Encoding::ShiftJis,
        EncodingArg::Utf8 => Encoding::Utf8,
    };
    let answer = client
        .check(&request, encoding, Duration::from_secs(args.timeout))
        .map_err(|e| kizon_error(&e))?;
    let kept = client
        .folders()
        .done()
        .join(FileName::new(FileKind::IndividualResponse, answer.suffix.clone()).to_string());
    let file = answer.tidied.then_some(kept);
    super::print_response(&answer.response, &answer.info, file.as_deref(), as_json);
    Ok(Exit::Success)
}

/// The driver's errors as one sentence and a next step.
fn kizon_error(error: &KizonError) -> CliError {
    match error {
        KizonError::Io {
            action,
            path,
            source,
        } => CliError::usage(
            "kizon_folder",
            format!(
                "Could not {action} {}: {}.",
                path.display(),
                crate::error::io_reason(source)
            ),
            "Check the --req, --res and --work folders, their permissions and the free space.",
        ),
        KizonError::Request(e) => CliError::usage(
            "kizon_request",
            format!("The request could not be written: {e}."),
            "Check the values given (characters Shift_JIS cannot carry need --encoding utf-8).",
        ),
        KizonError::SequencesExhausted { date } => CliError::usage(
            "kizon_sequence",
            format!("All 9999 request numbers of {date} are used."),
            "Check again tomorrow or use other evidence.",
        ),
        KizonError::Clock(_) => CliError::usage(
            "clock",
            "This PC's clock is outside the dates a request can carry.",
            "Set the date and time of this PC.",
        ),
        KizonError::Timeout {
            request_taken: false,
            ..
        } => CliError::new(
            Exit::Gateway,
            "terminal_timeout",
            "The terminal did not take the request in time (it was withdrawn).",
            "Check that the terminal software runs and watches this req folder, then retry.",
        ),
        KizonError::Timeout { .. } => CliError::new(
            Exit::Gateway,
            "terminal_timeout",
            "The terminal took the request but did not answer in time.",
            "Check the terminal's screen and network connection, then retry.",
        ),
        KizonError::Unreadable { file, error } => CliError::new(
            Exit::Gateway,
            "terminal_answer",
            format!("The terminal's answer {file} is not readable: {error}."),
            "Retry; if it happens again, contact the terminal's vendor.",
        ),
        _ => CliError::new(
            Exit::Gateway,
            "terminal",
            format!("The terminal exchange failed: {error}."),
            "Retry; if it happens again, contact the software vendor.",
        ),
    }
}
