//! The demo's reception desk: a scripted [`Operator`] (the PIN the person types, whether
//! they spend the last try, the staff member who compares the photo) that notes each step
//! with the APDUs and the time it took, and a card reader that counts the APDUs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use elig_client::blocking::Operator;
use elig_client::session::{Event, OperatorInput, Progress};
use jpki_apdu::AuthPin;
use reader_backends::{CheckEnd, ReaderLimits, Transport, TransportError};
use voucher_model::{DateTime, StaffAttestation};

/// A reader that counts the command APDUs it passes on, into a counter the desk reads.
#[derive(Debug)]
pub(super) struct Tally<T> {
    pub(super) inner: T,
    count: Arc<AtomicUsize>,
}

impl<T> Tally<T> {
    pub(super) fn new(inner: T, count: Arc<AtomicUsize>) -> Self {
        Self { inner, count }
    }
}

impl<T: Transport> Transport for Tally<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        self.inner.limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        self.inner.begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        self.inner.end_check(end)
    }
}

/// One step of a check as the desk saw it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// Stable name (`card_detected`, `pin_needed`, …).
    pub(super) name: &'static str,
    /// Japanese label.
    pub(super) ja: &'static str,
    /// English label (with the tries left where there are some).
    pub(super) en: String,
    /// APDUs exchanged since the previous step.
    pub(super) apdus: usize,
    /// Time since the previous step.
    pub(super) took: Duration,
}

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

/// The scripted desk: answers from the [`Script`], notes every step and hands each to `show`
/// as it happens.
pub(super) struct Desk<'a> {
    script: Script,
    count: Arc<AtomicUsize>,
    last_count: usize,
    last_time: Instant,
    pub(super) steps: Vec<Step>,
    /// Tries left each time the PIN was asked for.
    pub(super) tries_left: Vec<Option<u8>>,
    show: &'a mut dyn FnMut(&Step),
}

impl std::fmt::Debug for Desk<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("steps", &self.steps.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Desk<'a> {
    pub(super) fn new(
        script: Script,
        count: Arc<AtomicUsize>,
        show: &'a mut dyn FnMut(&Step),
    ) -> Self {
        let last_count = count.load(Ordering::Relaxed);
        Self {
            script,
            count,
            last_count,
            last_time: Instant::now(),
            steps: Vec::new(),
            tries_left: Vec::new(),
            show,
        }
    }

    /// Notes a step now: the APDUs and the time since the previous one.
    pub(super) fn note(&mut self, name: &'static str, ja: &'static str, en: String) {
        let count = self.count.load(Ordering::Relaxed);
        let now = Instant::now();
        let step = Step {
            name,
            ja,
            en,
            apdus: count.saturating_sub(self.last_count),
            took: now.saturating_duration_since(self.last_time),
        };
        self.last_count = count;
        self.last_time = now;
        (self.show)(&step);
        self.steps.push(step);
    }
}

/// The tries-left text of a PIN request.
fn tries(tries_left: Option<u8>) -> String {
    tries_left.map_or_else(|| "unknown".to_owned(), |n| n.to_string())
}

impl Operator for Desk<'_> {
    fn event(&mut self, event: &Event) {
        let (name, ja, en) = match event {
            Event::CardDetected => ("card_detected", "カード検出", "card detected".to_owned()),
            Event::CertificateRead => (
                "certificate_read",
                "利用者証明用電子証明書 読取",
                "authentication certificate read".to_owned(),
            ),
            Event::PinNeeded { tries_left, .. } => {
                self.tries_left.push(*tries_left);
                (
                    "pin_needed",
                    "暗証番号の入力（残り回数）",
                    format!("PIN asked, tries left: {}", tries(*tries_left)),
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
            Event::Progress(progress) => match progress {
                Progress::ChallengeRequested => (
                    "challenge_requested",
                    "チャレンジ要求",
                    "challenge requested from the gateway".to_owned(),
                ),
                Progress::ChallengeReceived => (
                    "challenge_received",
                    "チャレンジ受信",
                    "challenge received".to_owned(),
                ),
                Progress::ChallengeRenewed => (
                    "challenge_renewed",
                    "チャレンジ再取得",
                    "challenge expired, a new one requested".to_owned(),
                ),
                Progress::PinSent => (
                    "pin_sent",
                    "暗証番号をカードへ",
                    "PIN given to the card".to_owned(),
                ),
                Progress::Signing => (
                    "signing",
                    "署名",
                    "the card signs the challenge-bound digest".to_owned(),
                ),
                Progress::InquirySent => (
                    "inquiry_sent",
                    "資格照会 送信",
                    "inquiry sent to the gateway".to_owned(),
                ),
                Progress::CardCleared => (
                    "card_cleared",
                    "カードの認証状態を解除",
                    "the card's verified state cleared".to_owned(),
                ),
                _ => ("progress", "進行", format!("{progress:?}")),
            },
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
