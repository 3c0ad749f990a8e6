//! `elig vpcd-card`: a virtual My Number Card in vsmartcard's vpcd reader (the same card as
//! reader-backends' `vpcd-card` binary, through its library `reader_backends::vpcd_card`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};
use reader_backends::vpcd::ServeEnd;
use reader_backends::vpcd_card::{self, BridgeError, BridgeEvent, BridgeOptions};

use crate::error::CliError;
use crate::exit::Exit;
use crate::output;

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OnOff {
    On,
    Off,
}

/// Arguments of `elig vpcd-card`. `Debug` is written out so that the PIN never reaches it.
#[derive(Args)]
#[command(after_help = "Example (pcscd with vsmartcard's vpcd running):\n  \
    elig sandbox card --serial 1001 --out ./card-1001\n  \
    elig vpcd-card --chain ./card-1001 --pin 1234 &\n  \
    elig card info --reader 'Virtual PCD 00 00'")]
pub(crate) struct VpcdCardArgs {
    /// vpcd's port on 127.0.0.1.
    #[arg(long, value_name = "P", default_value_t = 35963)]
    port: u16,
    /// The card's 4-digit PIN (a test card's: never a real one).
    #[arg(long, value_name = "PIN", default_value = "1234")]
    pin: String,
    /// Card files from `elig sandbox card --out DIR`; without it, card 1 of the default PKI.
    #[arg(long, value_name = "DIR")]
    chain: Option<PathBuf>,
    /// Extended-length APDUs.
    #[arg(long, value_enum, default_value = "on")]
    extended: OnOff,
    /// Card serial of the default test PKI when no --chain is given (1001 is person P01).
    #[arg(long, value_name = "N", default_value_t = 1)]
    serial: u64,
}

impl std::fmt::Debug for VpcdCardArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VpcdCardArgs")
            .field("port", &self.port)
            .field("pin", &voucher_model::REDACTED)
            .field("chain", &self.chain)
            .field("extended", &self.extended)
            .field("serial", &self.serial)
            .finish()
    }
}

/// Runs `elig vpcd-card` until Ctrl-C / SIGTERM or until pcscd closes the link.
pub(crate) fn run(args: &VpcdCardArgs, _as_json: bool) -> Result<Exit, CliError> {
    let mut options = BridgeOptions::new(args.port, &args.pin);
    options.serial = args.serial;
    options.extended = args.extended == OnOff::On;
    options.chain = args.chain.clone();
    let stop = Arc::new(AtomicBool::new(false));
    vpcd_card::stop_on_signals(&stop).map_err(|_| {
        CliError::usage(
            "signals",
            "Could not install the Ctrl-C handler.",
            "Run the command again; if it repeats, report it.",
        )
    })?;
    let report = vpcd_card::run(&options, &stop, |event| {
        if let BridgeEvent::Inserted { addr, .. } = event {
            output::line(format!(
                "elig vpcd-card: card inserted in vpcd at {addr}; stop with Ctrl-C"
            ));
        }
    })
    .map_err(|error| bridge_error(&error, args))?;
    let how = match report.end {
        ServeEnd::Stopped => "stopped, card removed",
        _ => "vpcd closed the link",
    };
    output::line(format!(
        "elig vpcd-card: {how}; {} APDUs answered",
        report.apdus
    ));
    Ok(Exit::Success)
}

fn bridge_error(error: &BridgeError, args: &VpcdCardArgs) -> CliError {
    match error {
        BridgeError::Card(_) => CliError::usage(
            "card_setup",
            "The virtual card could not be built from the PIN given.",
            "Give a 4-digit --pin.",
        ),
        BridgeError::Chain(_) => CliError::usage(
            "card_files",
            "The --chain folder does not hold a usable card (certificate, key and CA).",
            "Write it with `elig sandbox card --serial N --out DIR`, then pass that folder.",
        ),
        BridgeError::Connect(_) => CliError::new(
            Exit::Card,
            "vpcd_unreachable",
            format!("No vpcd reader listens on 127.0.0.1:{}.", args.port),
            "Start pcscd with vsmartcard's vpcd driver installed (or pass its --port), then try again.",
        ),
        _ => CliError::new(
            Exit::Card,
            "vpcd_link",
            "The link to the vpcd reader broke.",
            "Check that pcscd still runs, then start the card again.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use crate::cli::Cli;

    #[test]
    fn the_pin_never_reaches_debug() {
        let cli =
            Cli::try_parse_from(["elig", "vpcd-card", "--pin", "9876", "--port", "35964"]).unwrap();
        let text = format!("{cli:?}");
        assert!(!text.contains("9876"), "{text}");
        assert!(text.contains("35964"), "{text}");
    }
}
