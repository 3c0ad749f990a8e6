//! The check from a foreign language: [`Check`], driven by elig-client's blocking driver over
//! the app's [`CardLink`] and [`Gateway`], the app's [`CheckObserver`] and an audit store.
//! The session, the card logic and the verdict are elig-client's; this module only moves
//! inputs and events across the language boundary.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use elig_client::audit::SqliteAuditStore;
use elig_client::blocking::{Driver, Operator};
use elig_client::session::{CheckRequest as SessionRequest, Event, Mode, OperatorInput, Timeouts};
use elig_proto::gateway::RequestId;
use jpki_apdu::AuthPin;
use reader_backends::nfc::NfcTransport;
use voucher_model::{Purpose, RequestedUse, StaffAttestation};

use crate::EligError;
use crate::gateway::Gateway;
use crate::link::{CardLink, ForeignLink};
use crate::result::{CheckEvent, CheckResult};
use crate::values::{Voucher, parse_date, parse_facility};

/// How the cardholder's identity is established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CheckMode {
    /// 暗証番号: the card signs after the 4-digit PIN.
    Pin,
    /// 目視確認: the certificate is read, staff compare the photo and attest; no PIN.
    VisualConfirmation,
}

/// What the check is for (voucher-model's `RequestedUse`, through its purpose gate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CheckPurpose {
    /// 特定健診, with a 受診券.
    SpecificHealthCheckup,
    /// 特定保健指導, with a 利用券.
    SpecificHealthGuidance,
}

/// One check: whose voucher, for what, by whom, on which day.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CheckRequest {
    /// The voucher the person presented ([`Voucher::from_json`]).
    pub voucher: Arc<Voucher>,
    /// What for.
    pub purpose: CheckPurpose,
    /// 健診・保健指導機関番号 (10 digits) or オンライン資格確認用コード: the facility in the
    /// device certificate (the gateway compares the two).
    pub facility: String,
    /// The checkup date, `YYYY-MM-DD` (the gateway's current date in Japan:
    /// [`crate::today_in_japan`]).
    pub checkup_date: String,
    /// The inquiry's id (signed, echoed by the gateway; unique per check).
    pub request_id: String,
    /// PIN or 目視確認.
    pub mode: CheckMode,
    /// The SQLite audit store's file; created when missing.
    pub audit_path: String,
}

/// The app's UI side of a check (a UniFFI foreign trait).
#[uniffi::export(with_foreign)]
pub trait CheckObserver: Send + Sync {
    /// A UI event. Called on the thread running [`Check::run`]; return quickly (post to the
    /// UI thread). It may call [`Check::submit_pin`] and the other inputs directly.
    fn on_event(&self, event: CheckEvent);
}

/// What the operator told the check, queued until the driver asks.
enum Input {
    Pin(AuthPin),
    Consent,
    Attestation(StaffAttestation),
    Cancel,
}

#[derive(Default)]
struct Inputs {
    queue: VecDeque<Input>,
    cancelled: bool,
}

/// The queue between the app's threads and the check's thread.
#[derive(Default)]
struct Mailbox {
    inputs: Mutex<Inputs>,
    ready: Condvar,
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Inputs> {
        // A panic while holding the lock left only a queue behind: keep using it.
        self.inputs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, input: Input) {
        let mut inputs = self.lock();
        if matches!(input, Input::Cancel) {
            inputs.cancelled = true;
        }
        inputs.queue.push_back(input);
        self.ready.notify_all();
    }

    /// The next input, waiting until `deadline`; `None` when it passed.
    fn next(&self, deadline: Instant) -> Option<Input> {
        let mut inputs = self.lock();
        loop {
            if let Some(input) = inputs.queue.pop_front() {
                return Some(input);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            inputs = self
                .ready
                .wait_timeout(inputs, deadline.saturating_duration_since(now))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn push_front(&self, input: Input) {
        self.lock().queue.push_front(input);
    }
}

/// The driver's operator: events to the app's observer, inputs from the mailbox.
struct Desk {
    observer: Arc<dyn CheckObserver>,
    mailbox: Arc<Mailbox>,
    wait: Duration,
}

impl Desk {
    fn deadline(&self) -> Instant {
        Instant::now()
            .checked_add(self.wait)
            .unwrap_or_else(Instant::now)
    }
}

impl Operator for Desk {
    fn event(&mut self, event: &Event) {
        if let Some(event) = CheckEvent::from_session(event) {
            self.observer.on_event(event);
        }
    }

    fn consent_to_last_try(&mut self) -> bool {
        match self.mailbox.next(self.deadline()) {
            Some(Input::Consent) => true,
            // Anything else is kept for `pin`: without consent the last try is never spent.
            Some(other) => {
                self.mailbox.push_front(other);
                false
            }
            None => false,
        }
    }

    fn pin(&mut self, _tries_left: Option<u8>, _last_try: bool) -> OperatorInput {
        let deadline = self.deadline();
        loop {
            match self.mailbox.next(deadline) {
                Some(Input::Pin(pin)) => return OperatorInput::Pin(pin),
                Some(Input::Consent) => continue,
                Some(Input::Attestation(_)) => continue,
                Some(Input::Cancel) | None => return OperatorInput::Cancel,
            }
        }
    }

    fn attestation(&mut self) -> OperatorInput {
        let deadline = self.deadline();
        loop {
            match self.mailbox.next(deadline) {
                Some(Input::Attestation(a)) => return OperatorInput::Attestation(a),
                Some(Input::Pin(_) | Input::Consent) => continue,
                Some(Input::Cancel) | None => return OperatorInput::Cancel,
            }
        }
    }
}

/// One check. Build it, give it to a worker thread that calls [`Check::run`] (which
/// **blocks** until the check ends: never call it on the UI thread), and feed it the PIN,
/// the consent or the attestation from the UI thread when the observer asks.
#[derive(uniffi::Object)]
pub struct Check {
    request: Mutex<Option<CheckRequest>>,
    card: Arc<dyn CardLink>,
    gateway: Arc<Gateway>,
    observer: Arc<dyn CheckObserver>,
    mailbox: Arc<Mailbox>,
    operator_wait: Duration,
}

impl core::fmt::Debug for Check {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Check").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Check {
    /// A check of `request` over the app's `card` link and `gateway`, reporting to
    /// `observer`. Nothing happens until [`Check::run`].
    #[uniffi::constructor]
    pub fn new(
        request: CheckRequest,
        card: Arc<dyn CardLink>,
        gateway: Arc<Gateway>,
        observer: Arc<dyn CheckObserver>,
    ) -> Arc<Self> {
        Arc::new(Check {
            request: Mutex::new(Some(request)),
            card,
            gateway,
            observer,
            mailbox: Arc::new(Mailbox::default()),
            operator_wait: Timeouts::default().operator,
        })
    }

    /// Runs the check to its end and records it. **Blocks** the calling thread for the whole
    /// check (card exchanges, gateway round trips, and the wait for the PIN: up to 120 s):
    /// call it on a worker thread. Events reach the observer on this thread. Nothing typed
    /// within 120 s of a request for the PIN or the attestation ends the check as
    /// `Cancelled`. Checks sharing one [`Gateway`] run one at a time.
    ///
    /// # Errors
    /// [`EligError::Caller`] for an invalid request or a second `run`;
    /// [`EligError::Audit`] when the record was not stored (the outcome must not be shown).
    pub fn run(&self) -> Result<CheckResult, EligError> {
        let request = self
            .request
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| EligError::caller("this check already ran; build a new Check"))?;
        let (session_request, mode) = session_request(&request)?;
        let mut audit = SqliteAuditStore::open(&request.audit_path)
            .map_err(|e| EligError::Audit(format!("audit store: {e}")))?;
        let mut card = NfcTransport::new(ForeignLink(self.card.clone()));
        let mut desk = Desk {
            observer: self.observer.clone(),
            mailbox: self.mailbox.clone(),
            wait: self.operator_wait,
        };
        let recorded = self.gateway.with(|gateway| {
            Driver {
                card: &mut card,
                gateway,
                operator: &mut desk,
                audit: &mut audit,
            }
            .run(session_request, mode, Timeouts::default())
        })?;
        Ok(CheckResult::from_recorded(&recorded))
    }

    /// The 4-digit PIN, after [`CheckEvent::PinNeeded`]. Sent to the card once, never kept.
    /// Does not block.
    ///
    /// # Errors
    /// [`EligError::Caller`] when the PIN is not 4 digits (nothing is queued).
    pub fn submit_pin(&self, pin: String) -> Result<(), EligError> {
        let pin = zeroize::Zeroizing::new(pin);
        let pin =
            AuthPin::new(&pin).map_err(|_| EligError::caller("the PIN must be 4 digits (0-9)"))?;
        self.mailbox.push(Input::Pin(pin));
        Ok(())
    }

    /// The person, warned that one try is left, chose to spend it. Give it before the PIN.
    /// Does not block.
    pub fn consent_to_last_try(&self) {
        self.mailbox.push(Input::Consent);
    }

    /// 目視確認: staff member `staff_id` compared the card photo with the person. Does not
    /// block.
    ///
    /// # Errors
    /// [`EligError::Caller`] for an empty or invalid staff id.
    pub fn submit_attestation(&self, staff_id: String) -> Result<(), EligError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| EligError::caller("the system clock is before 1970"))?;
        let at = voucher_model::jst::date_time_from_unix_secs_u64(now.as_secs())
            .map_err(|e| EligError::caller(e.message_en()))?;
        let attestation = StaffAttestation::new(&staff_id, at).map_err(EligError::caller)?;
        self.mailbox.push(Input::Attestation(attestation));
        Ok(())
    }

    /// Stops the check: the card's verified state is cleared, then `run` returns a
    /// `Cancelled` result. Does not block; safe from any thread, also before `run`.
    pub fn cancel(&self) {
        self.mailbox.push(Input::Cancel);
    }

    /// Whether [`Check::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.mailbox.lock().cancelled
    }
}

/// elig-client's request for the bindings' one.
fn session_request(request: &CheckRequest) -> Result<(SessionRequest, Mode), EligError> {
    let purpose = Purpose::for_online_check(match request.purpose {
        CheckPurpose::SpecificHealthCheckup => RequestedUse::SpecificHealthCheckup,
        CheckPurpose::SpecificHealthGuidance => RequestedUse::SpecificHealthGuidance,
    })
    .map_err(|e| EligError::caller(e.message_en()))?;
    let facility = parse_facility(&request.facility)?;
    let date = parse_date(&request.checkup_date)?;
    let request_id = RequestId::new(&request.request_id).ok_or_else(|| {
        EligError::caller("the request id must be 1-64 characters of A-Z a-z 0-9 . _ - :")
    })?;
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let mode = match request.mode {
        CheckMode::Pin => Mode::Pin,
        CheckMode::VisualConfirmation => Mode::VisualConfirmation,
    };
    Ok((
        SessionRequest::new(
            request.voucher.inner().clone(),
            purpose,
            facility,
            date,
            request_id,
            started,
        ),
        mode,
    ))
}
