//! The terminal's side of `elig verify`: the PIN without echo (or one line of standard input
//! with `--pin-stdin`), the question before the last try, the staff attestation, and the
//! steps on standard error (standard output keeps the verdict or the JSON document).
// Its whole job is talking to the person at the terminal.
#![allow(clippy::print_stderr)]

use std::io::{BufRead as _, IsTerminal as _};

use elig_client::blocking::Operator;
use elig_client::session::{Event, OperatorInput, Progress};
use jpki_apdu::AuthPin;
use voucher_model::StaffAttestation;
use zeroize::Zeroizing;

/// How the PIN comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PinSource {
    /// Typed at the terminal, without echo.
    Terminal,
    /// One line of standard input (automation).
    Stdin,
}

/// The terminal desk.
#[derive(Debug)]
pub(super) struct TerminalDesk {
    pub(super) pin_source: PinSource,
    /// `--allow-last-try` (with `--pin-stdin`).
    pub(super) allow_last_try: bool,
    /// `--staff ID` for 目視確認.
    pub(super) staff: Option<String>,
    /// Whether to show the steps (not with `--json`).
    pub(super) quiet: bool,
    /// The PIN given was not 4 digits (a usage error, reported after the check ends).
    pub(super) bad_pin: bool,
    /// The staff ID was refused.
    pub(super) bad_staff: bool,
}

impl TerminalDesk {
    fn say(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

impl Operator for TerminalDesk {
    fn event(&mut self, event: &Event) {
        let text = match event {
            Event::CardDetected => "カード検出 card detected".to_owned(),
            Event::CertificateRead => "証明書読取 certificate read".to_owned(),
            Event::PinNeeded { tries_left, .. } => format!(
                "暗証番号 PIN: 残り回数 tries left {}",
                tries_left.map_or_else(|| "?".to_owned(), |n| n.to_string())
            ),
            Event::LastTryWarning => {
                "注意：残り1回です。間違えるとロックされます / one try left: a wrong PIN blocks the card"
                    .to_owned()
            }
            Event::AttestationNeeded => "目視確認 visual confirmation".to_owned(),
            Event::Progress(Progress::ChallengeReceived) => "チャレンジ受信 challenge received".to_owned(),
            Event::Progress(Progress::Signing) => "署名 signing".to_owned(),
            Event::Progress(Progress::InquirySent) => "資格照会 inquiry sent".to_owned(),
            _ => return,
        };
        self.say(&text);
    }

    fn consent_to_last_try(&mut self) -> bool {
        match self.pin_source {
            PinSource::Stdin => self.allow_last_try,
            PinSource::Terminal => {
                if !std::io::stdin().is_terminal() {
                    return false;
                }
                eprint!("最後の1回を使いますか / spend the last try? [y/N] ");
                let mut answer = String::new();
                if std::io::stdin().lock().read_line(&mut answer).is_err() {
                    return false;
                }
                matches!(answer.trim(), "y" | "Y" | "yes" | "はい")
            }
        }
    }

    fn pin(&mut self, _tries_left: Option<u8>, _last_try: bool) -> OperatorInput {
        let typed: Option<Zeroizing<String>> = match self.pin_source {
            PinSource::Stdin => {
                let mut line = Zeroizing::new(String::new());
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(n) if n > 0 => Some(line),
                    _ => None,
                }
            }
            PinSource::Terminal => rpassword::prompt_password("暗証番号（4桁）/ PIN (4 digits): ")
                .ok()
                .map(Zeroizing::new),
        };
        let Some(typed) = typed else {
            return OperatorInput::Cancel;
        };
        match AuthPin::new(typed.trim_end_matches(['\r', '\n'])) {
            Ok(pin) => OperatorInput::Pin(pin),
            Err(_) => {
                self.bad_pin = true;
                OperatorInput::Cancel
            }
        }
    }

    fn attestation(&mut self) -> OperatorInput {
        let now = std::time::SystemTime::now();
        let attested = self.staff.as_deref().and_then(|staff| {
            voucher_model::jst::date_time_from_system_time(now)
                .ok()
                .and_then(|at| StaffAttestation::new(staff, at).ok())
        });
        match attested {
            Some(attestation) => OperatorInput::Attestation(attestation),
            None => {
                self.bad_staff = true;
                OperatorInput::Cancel
            }
        }
    }
}
