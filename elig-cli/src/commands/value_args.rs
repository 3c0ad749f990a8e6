//! Argument values several commands share: the purpose of a check (`--purpose`), a date
//! (`--date`, `--day`, `--from`, `--to`), and reading a small input file with a size bound.

use std::io::Read as _;
use std::path::Path;

use clap::ValueEnum;
use voucher_model::{Date, Purpose, RequestedUse};

use crate::error::CliError;

/// What the check is for (`--purpose`). The online check is never for identity verification
/// (本人確認): voucher-model's purpose gate refuses it, so it is not offered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PurposeArg {
    /// 特定健診 (specific health checkup), with a 受診券.
    Checkup,
    /// 特定保健指導 (specific health guidance), with a 利用券.
    Guidance,
    /// 人間ドック: confirming the insurer under a contract (not the person's identity).
    DockInsurer,
}

impl PurposeArg {
    /// The purpose, through voucher-model's gate.
    pub(crate) fn purpose(self) -> Result<Purpose, CliError> {
        let requested = match self {
            PurposeArg::Checkup => RequestedUse::SpecificHealthCheckup,
            PurposeArg::Guidance => RequestedUse::SpecificHealthGuidance,
            PurposeArg::DockInsurer => RequestedUse::NingenDockInsurerConfirmation,
        };
        Purpose::for_online_check(requested).map_err(|e| {
            CliError::usage(
                "purpose",
                format!("The purpose is not permitted: {}.", e.message_en()),
                "Choose --purpose checkup, guidance or dock-insurer.",
            )
        })
    }
}

/// Parses a date argument: `YYYY-MM-DD` (ISO) or `yyyyMMdd`, as clap's value parser.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse_any(text).map_err(|e| format!("{} (write it as YYYY-MM-DD)", e.message_en()))
}

/// Today's date in Japan, from this PC's clock.
pub(crate) fn today_in_japan() -> Result<Date, CliError> {
    voucher_model::jst::date_from_system_time(std::time::SystemTime::now()).map_err(|_| {
        CliError::usage(
            "clock",
            "This PC's clock is outside the dates the check can use.",
            "Set the date and time of this PC, or give the date with --date.",
        )
    })
}

/// Reads at most `limit` bytes of `path`; a larger file is an input error, never read whole.
pub(crate) fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::file("open", path, &e))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::file("read", path, &e))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(CliError::usage(
            "file_too_large",
            format!(
                "{} is larger than {limit} bytes, too large for {what}.",
                path.display()
            ),
            format!("Check that {} is the right file.", path.display()),
        ));
    }
    Ok(bytes)
}

/// The reason of a JSON input error in words a person reads: serde's own text without the
/// Rust type names it may mention (`struct VoucherFields`, `internally tagged enum
/// EvidenceFile`) and without the values it quotes (a voucher's strings are names and birth
/// dates: `invalid type: string "…"`, `malformed date or time "…"`), with the position when
/// there is one. Field and variant names (in backquotes) stay.
pub(crate) fn json_reason(error: &serde_json::Error) -> String {
    let text = hide_quoted(&error.to_string());
    // serde_json appends " at line L column C": keep the text before it, add it back below.
    let body = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(b, _)| b);
    let mut out: Vec<&str> = Vec::new();
    let mut words = body.split(' ').peekable();
    while let Some(word) = words.next() {
        let names_a_type = words
            .peek()
            .and_then(|next| next.chars().next())
            .is_some_and(char::is_uppercase);
        match word {
            "struct" | "enum" if names_a_type => {
                let _ = words.next();
                // "internally tagged enum X" is an object with a `kind` field.
                let tagged = out.ends_with(&["internally", "tagged"]);
                if tagged {
                    out.truncate(out.len().saturating_sub(2));
                }
                out.push(if word == "struct" || tagged {
                    "an object"
                } else {
                    "one of the documented values"
                });
            }
            _ => out.push(word),
        }
    }
    let reason = out.join(" ");
    if error.line() == 0 {
        reason
    } else {
        format!(
            "{reason} (line {}, column {})",
            error.line(),
            error.column()
        )
    }
}

/// `text` with every double-quoted part replaced by `"…"`.
fn hide_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::json_reason;

    #[test]
    fn json_reasons_name_no_rust_type() {
        #[derive(Debug, serde::Deserialize)]
        struct VoucherFields {
            kind: String,
        }
        let ok: VoucherFields = serde_json::from_str(r#"{"kind":"checkup"}"#).unwrap();
        assert_eq!(ok.kind, "checkup");
        let e = serde_json::from_str::<VoucherFields>("1").unwrap_err();
        let reason = json_reason(&e);
        assert!(!reason.contains("VoucherFields"), "{reason}");
        assert!(reason.contains("expected an object"), "{reason}");
        assert!(reason.contains("line 1"), "{reason}");

        #[derive(Debug, serde::Deserialize)]
        #[serde(tag = "kind")]
        enum EvidenceFile {
            Mynaportal,
        }
        let ok: EvidenceFile = serde_json::from_str(r#"{"kind":"Mynaportal"}"#).unwrap();
        assert!(matches!(ok, EvidenceFile::Mynaportal));
        let e = serde_json::from_str::<EvidenceFile>("[]").unwrap_err();
        let reason = json_reason(&e);
        assert!(!reason.contains("EvidenceFile"), "{reason}");
        assert!(!reason.contains("tagged"), "{reason}");
        // Words that are not type names stay.
        let e = serde_json::from_str::<EvidenceFile>(r#"{"kind":"x"}"#).unwrap_err();
        let reason = json_reason(&e);
        assert!(reason.contains("unknown variant `x`"), "{reason}");

        // Quoted values (a name, a birth date) are not repeated.
        #[derive(Debug, serde::Deserialize)]
        struct Person {
            age: u8,
        }
        let ok: Person = serde_json::from_str(r#"{"age":1}"#).unwrap();
        assert_eq!(ok.age, 1);
        let e = serde_json::from_str::<Person>(r#"{"age":"診療 太郎"}"#).unwrap_err();
        let reason = json_reason(&e);
        assert!(!reason.contains("診療"), "{reason}");
        assert!(reason.contains("invalid type: string \"…\""), "{reason}");
    }
}
