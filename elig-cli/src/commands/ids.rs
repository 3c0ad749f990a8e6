//! `elig ids check KIND VALUE`: validate and normalize one identifier with voucher-model's
//! types and check digits (domain/vouchers.md, "Identifiers").
//!
//! Exit 0 when valid (the normalized form is printed), 1 when not (with the reason). The
//! value is parsed strictly, as staff type it: a wrong check digit is invalid.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use voucher_model::{
    CheckupInstitutionNumber, IdError, IdKind, InsurerNumber, MedicalInstitutionCode,
    OnlineQualificationCode, VoucherNumber,
};

use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig ids`.
#[derive(Debug, Args)]
pub(crate) struct IdsArgs {
    /// What to do with the identifier.
    #[command(subcommand)]
    command: IdsCommand,
}

/// The subcommands of `elig ids`.
#[derive(Debug, Subcommand)]
enum IdsCommand {
    /// Validate and normalize an identifier (exit 0 valid, 1 invalid).
    #[command(after_help = "Examples:
  elig ids check insurer 06110829
  elig ids check insurer １２３４５６ --json
  elig ids check medical-institution 0110113719
  elig ids check voucher-number 25000000001

Exit codes: 0 valid (the normalized form is printed), 1 invalid (the reason is printed),
2 usage error.")]
    Check(CheckArgs),
}

/// Arguments of `elig ids check`.
#[derive(Debug, Args)]
struct CheckArgs {
    /// Which identifier VALUE is.
    #[arg(value_enum)]
    kind: IdArg,
    /// The identifier as typed (surrounding spaces and full-width digits are fine).
    value: String,
}

/// The identifiers `ids check` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum IdArg {
    /// 保険者番号: 6 or 8 digits with a check digit; normalized to 8.
    Insurer,
    /// 医療機関コード: 10 digits with a check digit.
    MedicalInstitution,
    /// 健診・保健指導機関番号: 10 digits (no public check-digit rule).
    CheckupInstitution,
    /// 受診券/利用券整理番号: 11 digits.
    VoucherNumber,
    /// オンライン資格確認用コード: 1–32 ASCII letters, digits or '-' (format not public).
    OnlineCode,
}

impl IdArg {
    /// The name on the command line (also `kind` in JSON).
    fn name(self) -> &'static str {
        match self {
            IdArg::Insurer => "insurer",
            IdArg::MedicalInstitution => "medical-institution",
            IdArg::CheckupInstitution => "checkup-institution",
            IdArg::VoucherNumber => "voucher-number",
            IdArg::OnlineCode => "online-code",
        }
    }

    fn id_kind(self) -> IdKind {
        match self {
            IdArg::Insurer => IdKind::InsurerNumber,
            IdArg::MedicalInstitution => IdKind::MedicalInstitutionCode,
            IdArg::CheckupInstitution => IdKind::CheckupInstitutionNumber,
            IdArg::VoucherNumber => IdKind::VoucherNumber,
            IdArg::OnlineCode => IdKind::OnlineQualificationCode,
        }
    }
}

/// A valid identifier: its normalized form and what can be read from it.
struct Valid {
    normalized: String,
    /// Extra facts (`name`, value), e.g. the 法別番号 of an insurer number.
    details: Vec<(&'static str, String)>,
}

/// Parses `value` strictly as `kind`.
fn check(kind: IdArg, value: &str) -> Result<Valid, IdError> {
    let valid = match kind {
        IdArg::Insurer => {
            let n = InsurerNumber::parse(value)?;
            let mut details = vec![("prefecture", n.prefecture().to_owned())];
            if let Some(law) = n.law_number() {
                details.push(("law_number", law.as_str()));
            }
            Valid {
                normalized: n.as_str().to_owned(),
                details,
            }
        }
        IdArg::MedicalInstitution => {
            let n = MedicalInstitutionCode::parse(value)?;
            Valid {
                normalized: n.as_str().to_owned(),
                details: vec![
                    ("prefecture", n.prefecture().to_owned()),
                    ("fee_schedule", n.fee_schedule().to_owned()),
                ],
            }
        }
        IdArg::CheckupInstitution => Valid {
            normalized: CheckupInstitutionNumber::parse(value)?.as_str().to_owned(),
            details: Vec::new(),
        },
        IdArg::VoucherNumber => Valid {
            normalized: VoucherNumber::parse(value)?.as_str().to_owned(),
            details: Vec::new(),
        },
        IdArg::OnlineCode => Valid {
            normalized: OnlineQualificationCode::parse(value)?.as_str().to_owned(),
            details: Vec::new(),
        },
    };
    Ok(valid)
}

/// Runs `elig ids …`.
pub(crate) fn run(args: &IdsArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        IdsCommand::Check(check_args) => Ok(run_check(check_args, as_json)),
    }
}

fn run_check(args: &CheckArgs, as_json: bool) -> Exit {
    let id = args.kind.id_kind();
    match check(args.kind, &args.value) {
        Ok(valid) => {
            if as_json {
                let details: serde_json::Map<String, Value> = valid
                    .details
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                    .collect();
                output::json(&json!({
                    "kind": args.kind.name(),
                    "valid": true,
                    "normalized": valid.normalized,
                    "details": details,
                }));
            } else {
                output::line(format!(
                    "有効 valid: {} {} = {}",
                    id.name_ja(),
                    id.name_en(),
                    valid.normalized
                ));
                for (name, value) in &valid.details {
                    output::line(format!("  {name}: {value}"));
                }
            }
            Exit::Success
        }
        Err(error) => {
            if as_json {
                output::json(&json!({
                    "kind": args.kind.name(),
                    "valid": false,
                    "reason": { "ja": error.message_ja(), "en": error.message_en() },
                }));
            } else {
                output::line(format!("無効 invalid: {}", error.message_ja()));
                output::line(format!("  {}.", error.message_en()));
            }
            Exit::NotEligible
        }
    }
}
