//! How a reader failure is told (exit 4): no smart-card service, no reader, no card. Shared
//! by `elig verify`, `elig card info` and `elig readers`.

use reader_backends::TransportError;

use crate::error::CliError;
use crate::exit::Exit;

/// The error of a build without the PC/SC backend.
#[cfg_attr(
    feature = "pcsc",
    allow(dead_code, reason = "used only without the pcsc feature")
)]
pub(crate) fn no_pcsc() -> CliError {
    CliError::new(
        Exit::Card,
        "no_pcsc",
        "This elig was built without PC/SC reader support.",
        "Build it with `cargo build --release -p elig-cli --features pcsc` (Debian/Ubuntu: apt install libpcsclite-dev pkg-config).",
    )
}

/// The CLI error for a reader failure while finding or opening the card.
#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "used only with the pcsc feature")
)]
pub(crate) fn reader_error(error: &TransportError, name: Option<&str>) -> CliError {
    let card = |kind, message: String, next: &str| CliError::new(Exit::Card, kind, message, next);
    match error {
        TransportError::NoService => card(
            "no_smartcard_service",
            "The smart-card service (pcscd) is not running.".to_owned(),
            "Start it (Linux: systemctl start pcscd), then try again.",
        ),
        TransportError::ReaderGone => card(
            "no_reader",
            match name {
                Some(n) => format!("No reader named {n:?} is connected."),
                None => "No card reader is connected.".to_owned(),
            },
            "Connect the reader (`elig readers` lists them), then try again.",
        ),
        TransportError::Timeout | TransportError::NoCard | TransportError::CardRemoved => card(
            "no_card",
            "No card is on the reader.".to_owned(),
            "Put the My Number Card on the reader, then try again.",
        ),
        _ => card(
            "reader",
            "The card reader failed.".to_owned(),
            "Check the reader's cable and that no other program holds the card, then try again.",
        ),
    }
}
