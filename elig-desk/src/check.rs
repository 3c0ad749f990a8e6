//! One check on its own thread: elig-client's blocking driver, with an [`Operator`] that
//! publishes each step to the page (a `watch` channel) and waits for what the page posts
//! (the PIN, the last-try confirmation, the staff attestation, a cancel).
//!
//! The PIN goes from the posted form straight into [`OperatorInput::Pin`] and on to the card;
//! nothing here stores, logs or echoes it.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use elig_client::audit::{AuditError, AuditSink, CheckRecord, Receipt, SqliteAuditStore};
use elig_client::blocking::{Driver, Operator};
use elig_client::gateway::GatewayTransport;
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Outcome, Progress, Timeouts};
use jpki_apdu::AuthPin;
use tokio::sync::watch;
use voucher_model::StaffAttestation;

use crate::demo::lock;
use crate::settings::OpenReader;
use crate::visitors::Visitor;

/// Where a check stands, as the page shows it.
#[derive(Debug, Clone)]
pub(crate) enum Stage {
    /// Started: waiting for the card.
    Starting,
    /// A step is running.
    Working(Step),
    /// The PIN is asked for.
    Pin {
        tries_left: Option<u8>,
        last_try: bool,
    },
    /// 目視確認: the staff attestation is asked for.
    Attestation,
    /// Over.
    Done(Arc<Finished>),
}

impl Stage {
    /// A short key for the page's progress poll.
    pub(crate) fn key(&self) -> &'static str {
        match self {
            Stage::Starting => "starting",
            Stage::Working(_) => "working",
            Stage::Pin { .. } => "pin",
            Stage::Attestation => "attestation",
            Stage::Done(_) => "done",
        }
    }

    /// Whether the page waits for a person (or the check is over).
    pub(crate) fn is_settled(&self) -> bool {
        matches!(
            self,
            Stage::Pin { .. } | Stage::Attestation | Stage::Done(_)
        )
    }
}

/// The step shown while working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    CardDetected,
    CertificateRead,
    Verifying,
    Inquiring,
}

/// How a check ended: recorded, or with its record refused by the audit store.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) outcome: Outcome,
    pub(crate) receipt: Result<Receipt, AuditError>,
}

/// What the page posts to a running check.
pub(crate) enum Input {
    /// The PIN form: the PIN and, on the last try, the confirmation.
    Pin { pin: AuthPin, consent: bool },
    /// 目視確認 done.
    Attestation(StaffAttestation),
    /// Staff stopped the check.
    Cancel,
}

/// A check the page can follow and talk to.
#[derive(Debug)]
pub(crate) struct CheckHandle {
    pub(crate) id: u64,
    pub(crate) visitor: Visitor,
    pub(crate) mode: Option<Mode>,
    pub(crate) stage: watch::Receiver<Stage>,
    input: Mutex<Option<SyncSender<Input>>>,
}

impl CheckHandle {
    /// A check that ended without running (manual evidence): its stage is final.
    pub(crate) fn finished(id: u64, visitor: Visitor, finished: Finished) -> Self {
        let (_tx, stage) = watch::channel(Stage::Done(Arc::new(finished)));
        Self {
            id,
            visitor,
            mode: None,
            stage,
            input: Mutex::new(None),
        }
    }

    /// The current stage.
    pub(crate) fn current(&self) -> Stage {
        self.stage.borrow().clone()
    }

    /// Hands `input` to the check; `false` when it is not waiting for one.
    fn give(&self, input: Input) -> bool {
        match lock(&self.input).as_ref() {
            Some(tx) => tx.try_send(input).is_ok(),
            None => false,
        }
    }

    /// Hands `input` to the check, then waits (up to `bound`) until the check has moved on
    /// from where it stood and waits for a person again or is over. `false` when the check
    /// took no input.
    pub(crate) async fn answer(&self, input: Input, bound: Duration) -> bool {
        let mut rx = self.stage.clone();
        rx.borrow_and_update();
        if !self.give(input) {
            return false;
        }
        let _ = tokio::time::timeout(bound, async {
            if rx.changed().await.is_ok() {
                let _ = rx.wait_for(Stage::is_settled).await;
            }
        })
        .await;
        true
    }

    /// Waits (up to `bound`) until the check waits for a person or is over.
    pub(crate) async fn settled(&self, bound: Duration) {
        let mut rx = self.stage.clone();
        let _ = tokio::time::timeout(bound, rx.wait_for(Stage::is_settled)).await;
    }
}

/// The audit store behind the desk's lock, as the driver's sink.
pub(crate) struct SharedAudit(pub(crate) Arc<Mutex<SqliteAuditStore>>);

impl AuditSink for SharedAudit {
    fn append(&mut self, record: &CheckRecord) -> Result<Receipt, AuditError> {
        lock(&self.0).append(record)
    }
}

/// The gateway driver every check shares (one kept connection).
pub(crate) type SharedGateway = Arc<Mutex<Box<dyn GatewayTransport + Send>>>;

/// The parts a check runs over.
pub(crate) struct Parts {
    pub(crate) reader: OpenReader,
    pub(crate) gateway: SharedGateway,
    pub(crate) audit: Arc<Mutex<SqliteAuditStore>>,
}

/// Starts a check of `request` in `mode` on a thread of its own.
pub(crate) fn spawn(
    id: u64,
    visitor: Visitor,
    request: CheckRequest,
    mode: Mode,
    parts: Parts,
) -> std::io::Result<Arc<CheckHandle>> {
    let (stage_tx, stage) = watch::channel(Stage::Starting);
    // One input at a time: the page posts, the operator takes it.
    let (input_tx, input_rx) = sync_channel(1);
    let handle = Arc::new(CheckHandle {
        id,
        visitor,
        mode: Some(mode),
        stage,
        input: Mutex::new(Some(input_tx)),
    });
    let for_thread = handle.clone();
    std::thread::Builder::new()
        .name(format!("elig-desk-check-{id}"))
        .spawn(move || {
            let finished = run(request, mode, parts, &stage_tx, input_rx);
            // No more input: a late post is refused rather than queued.
            lock(&for_thread.input).take();
            stage_tx.send_replace(Stage::Done(Arc::new(finished)));
        })?;
    Ok(handle)
}

fn run(
    request: CheckRequest,
    mode: Mode,
    parts: Parts,
    stage: &watch::Sender<Stage>,
    input: Receiver<Input>,
) -> Finished {
    let mut operator = PageOperator {
        stage,
        input,
        pin: None,
    };
    let mut audit = SharedAudit(parts.audit);
    let mut gateway = lock(&parts.gateway);
    let mut reader: Box<dyn reader_backends::Transport> = match (parts.reader)() {
        Ok(reader) => reader,
        Err(error) => Box::new(Unavailable(Some(error))),
    };
    let mut driver = Driver {
        card: &mut *reader,
        gateway: &mut **gateway,
        operator: &mut operator,
        audit: &mut audit,
    };
    match driver.run(request, mode, Timeouts::default()) {
        Ok(recorded) => Finished {
            outcome: recorded.outcome,
            receipt: Ok(recorded.receipt),
        },
        Err(not_recorded) => Finished {
            outcome: *not_recorded.outcome,
            receipt: Err(not_recorded.error),
        },
    }
}

/// A reader that could not be opened: the check ends on its error as it would on a card
/// that went away.
struct Unavailable(Option<reader_backends::TransportError>);

impl reader_backends::Transport for Unavailable {
    fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, reader_backends::TransportError> {
        Err(self
            .0
            .take()
            .unwrap_or(reader_backends::TransportError::NoCard))
    }

    fn limits(&self) -> reader_backends::ReaderLimits {
        reader_backends::ReaderLimits::default()
    }
}

struct PageOperator<'a> {
    stage: &'a watch::Sender<Stage>,
    input: Receiver<Input>,
    /// The PIN that came with the last-try confirmation, for the driver's next `pin` call.
    pin: Option<AuthPin>,
}

impl PageOperator<'_> {
    /// The next input, or a cancel when the page is gone (the session's own operator
    /// timeout also ends the check: this waits no longer than it).
    fn next(&mut self) -> Input {
        let bound = Timeouts::default().operator;
        self.input.recv_timeout(bound).unwrap_or(Input::Cancel)
    }
}

impl Operator for PageOperator<'_> {
    fn event(&mut self, event: &Event) {
        let stage = match event {
            Event::CardDetected => Stage::Working(Step::CardDetected),
            Event::CertificateRead => Stage::Working(Step::CertificateRead),
            Event::PinNeeded {
                tries_left,
                last_try,
            } => Stage::Pin {
                tries_left: *tries_left,
                last_try: *last_try,
            },
            Event::AttestationNeeded => Stage::Attestation,
            Event::Progress(Progress::PinSent | Progress::Signing) => {
                Stage::Working(Step::Verifying)
            }
            Event::Progress(Progress::InquirySent) => Stage::Working(Step::Inquiring),
            _ => return,
        };
        self.stage.send_replace(stage);
    }

    fn consent_to_last_try(&mut self) -> bool {
        match self.next() {
            Input::Pin { pin, consent } => {
                self.pin = Some(pin);
                consent
            }
            Input::Attestation(_) | Input::Cancel => false,
        }
    }

    fn pin(&mut self, _tries_left: Option<u8>, last_try: bool) -> OperatorInput {
        if last_try {
            // The form that carried the confirmation carried the PIN.
            return self
                .pin
                .take()
                .map_or(OperatorInput::Cancel, OperatorInput::Pin);
        }
        match self.next() {
            Input::Pin { pin, .. } => OperatorInput::Pin(pin),
            Input::Attestation(_) | Input::Cancel => OperatorInput::Cancel,
        }
    }

    fn attestation(&mut self) -> OperatorInput {
        match self.next() {
            Input::Attestation(attestation) => OperatorInput::Attestation(attestation),
            Input::Pin { .. } | Input::Cancel => OperatorInput::Cancel,
        }
    }
}

/// Now, Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .unwrap_or(0)
}
