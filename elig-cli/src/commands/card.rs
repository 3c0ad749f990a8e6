//! `elig card info` and `elig readers`: what a card and the readers say, with no PIN asked
//! and no secret shown. The card is read through jpki-apdu's procedures only: SELECT the
//! JPKI AP, token info, certificate availability, the authentication certificate (public),
//! and the retry counters (a retry query spends no try).

use clap::{Args, Subcommand};
use der::Decode as _;
use jpki_apdu::ids::{self, jpki};
use jpki_apdu::procedure::{
    PinStatus, QueryPinStatus, ReadCertAvailability, ReadEf, ReadLength, ReadTokenInfo,
    SelectApplication,
};
use jpki_apdu::{DriveError, Procedure, drive};
use reader_backends::Transport;
#[cfg(feature = "pcsc")]
use reader_backends::TransportError;
use serde_json::{Value, json};
use x509_cert::Certificate;

use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// Arguments of `elig card`.
#[derive(Debug, Args)]
pub(crate) struct CardArgs {
    #[command(subcommand)]
    command: CardCommand,
}

/// The card's subcommands.
#[derive(Debug, Subcommand)]
enum CardCommand {
    /// Token kind, certificates present, tries left on each PIN, the authentication
    /// certificate's subject, serial and validity. No PIN is asked.
    #[command(
        after_help = "Example:\n  elig card info --reader 'Virtual PCD 00 00' --json | jq .pins.auth.tries_left"
    )]
    Info(InfoArgs),
}

/// `elig card info`.
#[derive(Debug, Args)]
struct InfoArgs {
    /// The PC/SC reader (default: the first reader with a card).
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
}

/// Arguments of `elig readers`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  elig readers\n  elig readers --json")]
pub(crate) struct ReadersArgs {}

/// Runs `elig card …`.
pub(crate) fn run(args: &CardArgs, as_json: bool) -> Result<Exit, CliError> {
    match &args.command {
        CardCommand::Info(info) => {
            let mut card = open(info.reader.as_deref())?;
            let doc = card_info(card.as_mut())?;
            if as_json {
                output::json(&doc);
            } else {
                for line in info_lines(&doc) {
                    output::line(line);
                }
            }
            Ok(Exit::Success)
        }
    }
}

#[cfg(feature = "pcsc")]
fn open(name: Option<&str>) -> Result<Box<dyn Transport>, CliError> {
    use reader_backends::pcsc;
    let error = |e: &TransportError| crate::commands::reader_error::reader_error(e, name);
    let found =
        pcsc::wait_for_card(name, std::time::Duration::from_secs(2)).map_err(|e| error(&e))?;
    let reader = pcsc::PcscReader::connect(&found).map_err(|e| error(&e))?;
    Ok(Box::new(reader))
}

#[cfg(not(feature = "pcsc"))]
fn open(_name: Option<&str>) -> Result<Box<dyn Transport>, CliError> {
    Err(crate::commands::reader_error::no_pcsc())
}

/// Runs `elig readers`.
#[cfg(feature = "pcsc")]
pub(crate) fn readers(_args: &ReadersArgs, as_json: bool) -> Result<Exit, CliError> {
    use reader_backends::pcsc;
    let error = |e: &TransportError| crate::commands::reader_error::reader_error(e, None);
    let names = pcsc::list_readers().map_err(|e| error(&e))?;
    let list: Vec<Value> = names
        .iter()
        .map(|name| {
            let present = pcsc::wait_for_card(Some(name), std::time::Duration::ZERO).is_ok();
            json!({ "name": name, "card_present": present })
        })
        .collect();
    if as_json {
        output::json(&json!({ "readers": list }));
    } else if list.is_empty() {
        output::line("カードリーダーなし no card reader connected");
    } else {
        for reader in &list {
            let present = reader.get("card_present") == Some(&Value::Bool(true));
            output::line(format!(
                "{}  {}",
                reader
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                if present {
                    "カードあり card present"
                } else {
                    "カードなし no card"
                }
            ));
        }
    }
    Ok(Exit::Success)
}

/// Runs `elig readers` (built without PC/SC).
#[cfg(not(feature = "pcsc"))]
pub(crate) fn readers(_args: &ReadersArgs, _as_json: bool) -> Result<Exit, CliError> {
    Err(crate::commands::reader_error::no_pcsc())
}

/// Runs one procedure on the card; a failure is a card or reader error (exit 4).
fn step<P: Procedure>(card: &mut dyn Transport, procedure: P) -> Result<P::Output, CliError> {
    drive(procedure, |c| card.transmit(c)).map_err(|e| match e {
        DriveError::Transport(t) => crate::commands::reader_error::reader_error(&t, None),
        _ => CliError::new(
            Exit::Card,
            "card",
            "The card did not answer as a My Number Card does.",
            "Check that the card is a My Number Card placed flat on the reader, then try again.",
        ),
    })
}

/// Like [`step`], but a card that refuses (no such file or application) gives `None`; a
/// reader failure is still an error.
fn optional<P: Procedure>(
    card: &mut dyn Transport,
    procedure: P,
) -> Result<Option<P::Output>, CliError> {
    match drive(procedure, |c| card.transmit(c)) {
        Ok(output) => Ok(Some(output)),
        Err(DriveError::Transport(t)) => Err(crate::commands::reader_error::reader_error(&t, None)),
        Err(_) => Ok(None),
    }
}

fn pin_json(status: PinStatus) -> Value {
    json!({
        "tries_left": status.tries_left(),
        "blocked": status == PinStatus::Blocked,
    })
}

/// Reads the card's public facts (the JSON document of `elig card info --json`).
pub(crate) fn card_info(card: &mut dyn Transport) -> Result<Value, CliError> {
    let limits = card.limits();
    step(card, SelectApplication::new(ids::JPKI_AP, limits))?;
    let token = step(card, ReadTokenInfo::new(limits))?;
    let present = step(card, ReadCertAvailability::new(limits))?;
    let auth_pin = step(card, QueryPinStatus::new(jpki::AUTH_PIN, limits))?;
    // A token may lack the signature key or the 券面事項入力補助AP (a card written with the
    // authentication certificate only, some smartphone tokens): then that PIN is `null`.
    let sign_pin = optional(card, QueryPinStatus::new(jpki::SIGN_PIN, limits))?;
    let certificate = if present.has_auth_certificate() {
        let der = step(card, ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, limits))?;
        Certificate::from_der(&der).ok().map(|cert| {
            let tbs = cert.tbs_certificate();
            json!({
                "subject": tbs.subject().to_string(),
                "issuer": tbs.issuer().to_string(),
                "serial": tbs.serial_number().to_string(),
                "not_before": tbs.validity().not_before.to_string(),
                "not_after": tbs.validity().not_after.to_string(),
            })
        })
    } else {
        None
    };
    let assist_pin = match optional(card, SelectApplication::new(ids::ASSIST_AP, limits))? {
        Some(()) => optional(card, QueryPinStatus::new(ids::assist::PIN, limits))?,
        None => None,
    };
    Ok(json!({
        "token": format!("{:?}", token.kind()),
        "certificates": {
            "auth": present.has_auth_certificate(),
            "sign": present.has_sign_certificate(),
        },
        "pins": {
            "auth": pin_json(auth_pin),
            "sign": sign_pin.map(pin_json),
            "assist": assist_pin.map(pin_json),
        },
        "auth_certificate": certificate,
    }))
}

fn info_lines(doc: &Value) -> Vec<String> {
    // `Value::pointer` never panics: a missing field reads as "-".
    let text = |path: &str| match doc.pointer(path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".to_owned(),
        Some(other) => other.to_string(),
    };
    let tries = |pin: &str| {
        if doc.pointer(&format!("/pins/{pin}/blocked")) == Some(&Value::Bool(true)) {
            "ロック blocked".to_owned()
        } else {
            text(&format!("/pins/{pin}/tries_left"))
        }
    };
    vec![
        format!("種別 token: {}", text("/token")),
        format!(
            "証明書 certificates: 利用者証明用 auth {} / 署名用 sign {}",
            text("/certificates/auth"),
            text("/certificates/sign")
        ),
        format!(
            "利用者証明用暗証番号 auth PIN tries left: {}",
            tries("auth")
        ),
        format!(
            "署名用パスワード sign password tries left: {}",
            tries("sign")
        ),
        format!(
            "券面事項入力補助用暗証番号 assist PIN tries left: {}",
            tries("assist")
        ),
        format!("主体者 subject: {}", text("/auth_certificate/subject")),
        format!("シリアル serial: {}", text("/auth_certificate/serial")),
        format!(
            "有効期間 validity: {} – {}",
            text("/auth_certificate/not_before"),
            text("/auth_certificate/not_after")
        ),
    ]
}

#[cfg(test)]
mod tests {
    use reader_backends::mock::VirtualMyNumberCard;

    use super::*;

    #[test]
    fn card_info_reads_public_facts_and_spends_no_try() {
        let mut card = VirtualMyNumberCard::builder()
            .serial(1001)
            .pin("4321")
            .build()
            .unwrap();
        let doc = card_info(&mut card).unwrap();
        assert_eq!(doc["pins"]["auth"]["tries_left"], 3);
        assert_eq!(doc["certificates"]["auth"], true);
        assert_eq!(doc["token"], "PhysicalCard");
        assert!(doc["auth_certificate"]["serial"].as_str().is_some());
        assert_eq!(card.auth_pin_tries_left(), 3);
        assert!(!card.any_verified());
        let text = info_lines(&doc).join("\n");
        assert!(text.contains("auth PIN tries left: 3"), "{text}");
    }
}
