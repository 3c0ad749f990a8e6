//! How a check that ended without a verdict ([`CheckFailure`]) is told to the person: the
//! exit code (4 card or reader, 5 gateway or network, 2 set-up), a stable `kind`, one
//! sentence and the next step. Shared by `elig demo` and `elig verify`.
//!
//! The sentences never carry a PIN, a name, an insurance number or a Rust type name.

use elig_client::gateway::{GatewayTransportError, TlsFailure};
use elig_client::session::{CardLink, CheckFailure};

use crate::error::CliError;
use crate::exit::Exit;

/// The CLI error for a check's failure.
pub(crate) fn cli_error(failure: &CheckFailure) -> CliError {
    let card = |kind, message: &str, next: &str| CliError::new(Exit::Card, kind, message, next);
    let gateway =
        |kind, message: String, next: &str| CliError::new(Exit::Gateway, kind, message, next);
    match failure {
        CheckFailure::CardLink(CardLink::Removed) => card(
            "card_removed",
            "The card was not found or was taken off the reader during the check.",
            "Put the card on the reader, keep it there, and run the check again.",
        ),
        CheckFailure::CardLink(CardLink::Reset) => card(
            "card_reset",
            "Another program reset the card during the check.",
            "Close other programs that use the card reader and run the check again.",
        ),
        CheckFailure::CardLink(CardLink::Timeout) => card(
            "card_timeout",
            "The card or the reader did not answer in time.",
            "Put the card on the reader again and run the check again.",
        ),
        CheckFailure::CardLink(_) => card(
            "reader",
            "The card reader or the smart-card service failed.",
            "Check that the reader is connected and the smart-card service runs, then try again.",
        ),
        CheckFailure::Card { .. } => card(
            "card",
            "The card refused a command or is not a My Number Card.",
            "Check that the card is a My Number Card and run the check again, or use other evidence.",
        ),
        CheckFailure::WrongPin {
            tries_left: Some(0),
        } => card(
            "pin_blocked",
            "The PIN was wrong and the card's PIN is now blocked.",
            "The person must have the PIN reset at the municipal office; use other evidence today.",
        ),
        CheckFailure::WrongPin {
            tries_left: Some(n),
        } => CliError::new(
            Exit::Card,
            "wrong_pin",
            format!(
                "The PIN was wrong; {n} {} left.",
                if *n == 1 { "try is" } else { "tries are" }
            ),
            "Ask the person to type the 4-digit PIN again carefully, or use other evidence.",
        ),
        CheckFailure::WrongPin { tries_left: None } => card(
            "wrong_pin",
            "The PIN was wrong.",
            "Ask the person to type the 4-digit PIN again carefully, or use other evidence.",
        ),
        CheckFailure::PinBlocked => card(
            "pin_blocked",
            "The card's PIN is blocked, so no PIN was sent to it.",
            "The person must have the PIN reset at the municipal office; use other evidence today.",
        ),
        CheckFailure::LastTryNotConsented => card(
            "last_try_refused",
            "Only one PIN try is left, and it was not spent, so no PIN was sent to the card.",
            "Run the check on a terminal to be asked before the last try, pass --allow-last-try, or use other evidence.",
        ),
        CheckFailure::Cancelled => card(
            "cancelled",
            "The check was cancelled before it finished.",
            "Run the check again when the person is ready.",
        ),
        CheckFailure::OperatorTimeout => card(
            "operator_timeout",
            "Nobody gave the PIN or the staff confirmation in time.",
            "Run the check again when the person is ready.",
        ),
        CheckFailure::GatewayRejected { reason } => gateway(
            "gateway_rejected",
            format!("The gateway refused the check ({}).", reason.as_str()),
            reason.next_step().message_en(),
        ),
        CheckFailure::GatewayTransport(error) => transport_error(error),
        CheckFailure::GatewayTimeout { .. } => gateway(
            "gateway_timeout",
            "The gateway did not answer in time.".to_owned(),
            "Check the network and run the check again, or use other evidence.",
        ),
        CheckFailure::GatewayAnswer { .. } => gateway(
            "gateway_answer",
            "What came back was not the gateway's answer (a proxy or a broken gateway).".to_owned(),
            "Check the gateway address and the proxy settings, then run the check again.",
        ),
        _ => CliError::usage(
            "misuse",
            "The check could not be made from what was given.",
            "Check the command's options and files, then run it again.",
        ),
    }
}

/// The CLI error for a gateway driver's failure (also used when the driver cannot be built).
pub(crate) fn transport_error(error: &GatewayTransportError) -> CliError {
    let gateway =
        |kind, message: &str, next: &str| CliError::new(Exit::Gateway, kind, message, next);
    match error {
        GatewayTransportError::Config { .. } => CliError::usage(
            "gateway_config",
            "The gateway address, CA, device certificate or device key is not usable.",
            "Check --gateway, --ca, --device-cert and --device-key (PEM files), then run the command again.",
        ),
        GatewayTransportError::Dns { .. } => gateway(
            "gateway_dns",
            "The gateway's name could not be resolved.",
            "Check the gateway address and this machine's network, then try again.",
        ),
        GatewayTransportError::Unreachable { .. } => gateway(
            "gateway_unreachable",
            "The gateway could not be reached.",
            "Check that the gateway runs at that address and the network is up, then try again.",
        ),
        GatewayTransportError::ProxyRefused { .. } => gateway(
            "proxy_refused",
            "The proxy refused to connect to the gateway.",
            "Check the proxy settings (HTTPS_PROXY, NO_PROXY), then try again.",
        ),
        GatewayTransportError::Tls(TlsFailure::UntrustedServer) => gateway(
            "tls_untrusted_server",
            "The server is not trusted: its certificate was not issued by the given gateway CA.",
            "Check --ca and the gateway address; an intercepting proxy also causes this.",
        ),
        GatewayTransportError::Tls(TlsFailure::ServerCertificateExpired) => gateway(
            "tls_server_expired",
            "The gateway's certificate is expired or not yet valid.",
            "Check this machine's date and time, then try again.",
        ),
        GatewayTransportError::Tls(TlsFailure::ClientCertificateRefused) => gateway(
            "tls_client_refused",
            "The gateway refused this device's certificate.",
            "Check --device-cert and --device-key, and that the device is registered.",
        ),
        GatewayTransportError::Tls(_) => gateway(
            "tls",
            "The secure connection to the gateway failed.",
            "Check the gateway address and --ca, then try again.",
        ),
        GatewayTransportError::Timeout { .. } => gateway(
            "gateway_timeout",
            "The gateway did not answer in time.",
            "Check the network and run the check again, or use other evidence.",
        ),
        _ => gateway(
            "gateway_connection",
            "The connection to the gateway broke during the exchange.",
            "Run the check again; if it repeats, check the network and the proxy.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_failures_are_exit_4_and_gateway_failures_exit_5() {
        let pin = cli_error(&CheckFailure::WrongPin {
            tries_left: Some(2),
        });
        assert_eq!((pin.exit, pin.kind), (Exit::Card, "wrong_pin"));
        assert!(pin.message.contains("2 tries are left"), "{}", pin.message);
        assert_eq!(cli_error(&CheckFailure::PinBlocked).exit, Exit::Card);
        let down = cli_error(&CheckFailure::GatewayTransport(
            GatewayTransportError::Unreachable { proxy: false },
        ));
        assert_eq!(
            (down.exit, down.kind),
            (Exit::Gateway, "gateway_unreachable")
        );
        let config = transport_error(&GatewayTransportError::Config {
            reason: "x".to_owned(),
        });
        assert_eq!(config.exit, Exit::Usage);
    }
}
