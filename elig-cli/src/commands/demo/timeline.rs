//! The steps of one demo check as they happen, from both sides: the card reader notes the
//! card's steps when their APDUs complete (so each step carries its own APDUs), the desk
//! notes the gateway's and the staff's. Each step is shown the moment it is noted.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reader_backends::{CheckEnd, ReaderLimits, Transport, TransportError};

/// One step of a check.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// Stable name (`card_detected`, `pin_status`, …).
    pub(super) name: &'static str,
    /// Japanese label.
    pub(super) ja: &'static str,
    /// English label (with the tries left where there are some).
    pub(super) en: String,
    /// The step's APDUs.
    pub(super) apdus: usize,
    /// Time since the previous step.
    pub(super) took: Duration,
}

/// Where the steps go: shown at once, kept for the case's summary.
pub(super) struct Timeline {
    last: Instant,
    pub(super) steps: Vec<Step>,
    show: Box<dyn FnMut(&Step) + Send>,
}

impl std::fmt::Debug for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeline")
            .field("steps", &self.steps.len())
            .finish_non_exhaustive()
    }
}

/// The timeline both sides write to.
pub(super) type Shared = Arc<Mutex<Timeline>>;

impl Timeline {
    pub(super) fn shared(show: Box<dyn FnMut(&Step) + Send>) -> Shared {
        Arc::new(Mutex::new(Timeline {
            last: Instant::now(),
            steps: Vec::new(),
            show,
        }))
    }

    /// Starts a new check: no steps, the clock from now.
    pub(super) fn restart(&mut self) {
        self.steps.clear();
        self.last = Instant::now();
    }
}

/// Notes a step on `timeline` now.
pub(super) fn note(
    timeline: &Shared,
    name: &'static str,
    ja: &'static str,
    en: String,
    apdus: usize,
) {
    let mut t = timeline.lock().unwrap_or_else(PoisonError::into_inner);
    let now = Instant::now();
    let step = Step {
        name,
        ja,
        en,
        apdus,
        took: now.saturating_duration_since(t.last),
    };
    t.last = now;
    (t.show)(&step);
    t.steps.push(step);
}

/// A reader that names the card's steps from the commands it passes on: card detected (the
/// first SELECT), certificate read (SELECT EF + READ BINARY), PIN tries left (the retry
/// query), PIN checked (VERIFY), signed (COMPUTE DIGITAL SIGNATURE), state cleared (a SELECT
/// of an application after the first). Commands between named steps count in the next one.
pub(super) struct Tally<T> {
    pub(super) inner: T,
    timeline: Shared,
    pending: usize,
    total: usize,
    started: bool,
    reading: bool,
}

impl<T> std::fmt::Debug for Tally<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<T> Tally<T> {
    pub(super) fn new(inner: T, timeline: Shared) -> Self {
        Self {
            inner,
            timeline,
            pending: 0,
            total: 0,
            started: false,
            reading: false,
        }
    }

    /// A new check on the same card.
    pub(super) fn begin(&mut self) {
        self.pending = 0;
        self.total = 0;
        self.started = false;
        self.reading = false;
    }

    /// APDUs of this check so far.
    pub(super) fn total(&self) -> usize {
        self.total
    }

    /// Notes the commands not yet named (after the check ended).
    pub(super) fn flush(&mut self) {
        if self.reading {
            self.reading = false;
            self.step(
                "certificate_read",
                "利用者証明用電子証明書 読取",
                "authentication certificate read".to_owned(),
            );
        }
        if self.pending > 0 {
            self.step(
                "card_other",
                "カードその他",
                "other card commands".to_owned(),
            );
        }
    }

    fn step(&mut self, name: &'static str, ja: &'static str, en: String) {
        note(&self.timeline, name, ja, en, self.pending);
        self.pending = 0;
    }
}

/// `63Cx` → x.
fn counter(answer: &[u8]) -> Option<u8> {
    match answer {
        [.., 0x63, sw2] if sw2 & 0xF0 == 0xC0 => Some(sw2 & 0x0F),
        _ => None,
    }
}

fn ok(answer: &[u8]) -> bool {
    matches!(answer, [.., 0x90, 0x00])
}

impl<T: Transport> Transport for Tally<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (ins, p1) = (command.get(1).copied(), command.get(2).copied());
        if self.reading && ins != Some(0xB0) {
            self.reading = false;
            self.step(
                "certificate_read",
                "利用者証明用電子証明書 読取",
                "authentication certificate read".to_owned(),
            );
        }
        self.pending = self.pending.saturating_add(1);
        self.total = self.total.saturating_add(1);
        let answer = self.inner.transmit(command)?;
        let first = !self.started;
        self.started = true;
        match (ins, p1) {
            _ if first => self.step("card_detected", "カード検出", "card detected".to_owned()),
            (Some(0xB0), _) => self.reading = true,
            (Some(0x20), _) if command.len() <= 5 => {
                let en = match counter(&answer) {
                    Some(0) => "PIN blocked".to_owned(),
                    Some(n) => format!("PIN tries left: {n}"),
                    None if ok(&answer) => "PIN already verified".to_owned(),
                    None => "PIN blocked".to_owned(),
                };
                self.step("pin_status", "暗証番号 残り回数", en);
            }
            (Some(0x20), _) => {
                let en = match counter(&answer) {
                    _ if ok(&answer) => "PIN verified by the card".to_owned(),
                    Some(n) => format!("wrong PIN: tries left {n}"),
                    None => "PIN refused".to_owned(),
                };
                self.step("pin_verify", "暗証番号 照合", en);
            }
            (Some(0x2A), _) => self.step(
                "signed",
                "署名",
                "the card signed the challenge-bound digest".to_owned(),
            ),
            (Some(0xA4), Some(0x04)) => self.step(
                "card_cleared",
                "認証状態の解除",
                "the card's verified state cleared".to_owned(),
            ),
            _ => {}
        }
        Ok(answer)
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
