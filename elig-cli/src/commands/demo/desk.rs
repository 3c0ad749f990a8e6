//! The demo's reception desk: a scripted [`Operator`] (the PIN the person types, whether
//! they spend the last try, the staff member who compares the photo) that notes the
//! gateway's and the staff's steps on the timeline (the reader notes the card's).

use elig_client::blocking::Operator;
use elig_client::session::{Event, OperatorInput, Progress};
use jpki_apdu::AuthPin;
use voucher_model::{DateTime, StaffAttestation};

use super::timeline::{Shared, note};

/// What the person and the staff member do in one demo case.
#[derive(Debug, Clone)]
pub(super) struct Script {
    /// The PIN typed (none: the person walks away, the check is cancelled).
    pub(super) pin: Option<&'static str>,
    /// Whether the person, warned, spends the last try.
    pub(super) spend_last_try: bool,
    /// The staff member who compares the photo (目視確認).
    pub(super) staff: Option<&'static str>,
    /// When the staff member attests (JST).
    pub(super) attested_at: DateTime,
}

/// The scripted desk: answers from the [`Script`], notes the gateway's and the staff's
/// steps as they happen.
pub(super) struct Desk {
    script: Script,
    timeline: Shared,
    /// Tries left each time the PIN was asked for.
    pub(super) tries_left: Vec<Option<u8>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").finish_non_exhaustive()
    }
}

impl Desk {
    pub(super) fn new(script: Script, timeline: Shared) -> Self {
        Self {
            script,
            timeline,
            tries_left: Vec::new(),
        }
    }

    /// Notes a step of the gateway or the staff (no APDUs).
    pub(super) fn note(&mut self, name: &'static str, ja: &'static str, en: String) {
        note(&self.timeline, name, ja, en, 0);
    }
}

/// The tries-left text of a PIN request.
fn tries(tries_left: Option<u8>) -> String {
    tries_left.map_or_else(|| "unknown".to_owned(), |n| n.to_string())
}

impl Operator for Desk {
    fn event(&mut self, event: &Event) {
        let (name, ja, en) = match event {
            Event::PinNeeded { tries_left, .. } => {
                self.tries_left.push(*tries_left);
                (
                    "pin_needed",
                    "暗証番号の入力",
                    format!(
                        "the person types the PIN (tries left: {})",
                        tries(*tries_left)
                    ),
                )
            }
            Event::LastTryWarning => (
                "last_try_warning",
                "残り1回の警告",
                "one try left: a wrong PIN now blocks the card".to_owned(),
            ),
            Event::AttestationNeeded => (
                "attestation_needed",
                "目視確認（顔写真と本人）",
                "staff compare the card photo with the person".to_owned(),
            ),
            Event::Progress(Progress::ChallengeRequested) => (
                "challenge_requested",
                "チャレンジ要求",
                "challenge requested from the gateway".to_owned(),
            ),
            Event::Progress(Progress::ChallengeReceived) => (
                "challenge_received",
                "チャレンジ受信",
                "challenge received".to_owned(),
            ),
            Event::Progress(Progress::ChallengeRenewed) => (
                "challenge_renewed",
                "チャレンジ再取得",
                "challenge expired, a new one requested".to_owned(),
            ),
            Event::Progress(Progress::InquirySent) => (
                "inquiry_sent",
                "資格照会 送信",
                "inquiry sent to the gateway".to_owned(),
            ),
            _ => return,
        };
        self.note(name, ja, en);
    }

    fn consent_to_last_try(&mut self) -> bool {
        self.script.spend_last_try
    }

    fn pin(&mut self, _tries_left: Option<u8>, _last_try: bool) -> OperatorInput {
        match self.script.pin.and_then(|pin| AuthPin::new(pin).ok()) {
            Some(pin) => OperatorInput::Pin(pin),
            None => OperatorInput::Cancel,
        }
    }

    fn attestation(&mut self) -> OperatorInput {
        let attestation = self
            .script
            .staff
            .and_then(|staff| StaffAttestation::new(staff, self.script.attested_at).ok());
        match attestation {
            Some(attestation) => OperatorInput::Attestation(attestation),
            None => OperatorInput::Cancel,
        }
    }
}
