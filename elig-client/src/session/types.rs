//! What a check is asked for, what the operator can say, and what the session reports.

use core::fmt;
use core::time::Duration;

use elig_proto::gateway::RequestId;
use jpki_apdu::AuthPin;
use voucher_model::{Date, Facility, Purpose, StaffAttestation, Voucher};

/// How the cardholder's identity is established (DESIGN.md, "The check, end to end").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// 暗証番号: the card signs the challenge-bound digest after the PIN (利用者証明用電子証明書).
    Pin,
    /// 目視確認: the certificate is read, staff compare the card photo with the face and attest;
    /// no PIN is asked for and no signature is made.
    VisualConfirmation,
}

/// One check: whose voucher, for what, by whom, on which day.
#[derive(Clone)]
#[non_exhaustive]
pub struct CheckRequest {
    /// The voucher (受診券 / 利用券) the person presented.
    pub voucher: Voucher,
    /// The purpose, built through voucher-model's purpose gate.
    pub purpose: Purpose,
    /// Who asks: 健診機関番号 or the insurer's オンライン資格確認用コード (from the device
    /// certificate; the gateway compares the two).
    pub facility: Facility,
    /// The checkup date (the gateway's current date in Japan).
    pub checkup_date: Date,
    /// The inquiry's id (signed, echoed by the gateway).
    pub request_id: RequestId,
    /// Wall-clock time when the check started, Unix seconds; the audit record's time is this
    /// plus the session's elapsed `now`. The session reads no clock itself.
    pub started_unix_secs: i64,
}

impl CheckRequest {
    /// A request with every field given.
    pub fn new(
        voucher: Voucher,
        purpose: Purpose,
        facility: Facility,
        checkup_date: Date,
        request_id: RequestId,
        started_unix_secs: i64,
    ) -> Self {
        Self {
            voucher,
            purpose,
            facility,
            checkup_date,
            request_id,
            started_unix_secs,
        }
    }
}

impl fmt::Debug for CheckRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckRequest")
            .field("voucher", &"<redacted>")
            .field("purpose", &self.purpose)
            .field("facility", &self.facility.as_str())
            .field("checkup_date", &self.checkup_date)
            .field("request_id", &self.request_id.as_str())
            .finish()
    }
}

/// The session's time limits. The values are this project's own choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// One gateway call, from the moment the session hands it out (default 30 s).
    pub gateway: Duration,
    /// How long the session waits for the PIN or the staff attestation (default 120 s);
    /// then the check ends as [`CheckFailure::OperatorTimeout`](super::CheckFailure).
    pub operator: Duration,
    /// A challenge is treated as spent this long before it expires (default 5 s): the
    /// signature, the clear step and the inquiry must fit in it.
    pub challenge_margin: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            gateway: Duration::from_secs(30),
            operator: Duration::from_secs(120),
            challenge_margin: Duration::from_secs(5),
        }
    }
}

/// What the operator (or the cardholder, for the PIN) tells the session.
#[non_exhaustive]
pub enum OperatorInput {
    /// The 利用者証明用 PIN (4 digits). Sent to the card once; never re-sent by the SDK.
    Pin(AuthPin),
    /// The person was warned that one try is left and chose to spend it. Give it before the
    /// PIN; without it the last try is never spent.
    ConsentToLastTry,
    /// 目視確認: staff compared the card photo with the person and it matches.
    Attestation(StaffAttestation),
    /// Stop the check: the card's verified state is cleared, then the outcome is
    /// [`CheckFailure::Cancelled`](super::CheckFailure).
    Cancel,
}

impl fmt::Debug for OperatorInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OperatorInput::Pin(_) => "Pin(<redacted>)",
            OperatorInput::ConsentToLastTry => "ConsentToLastTry",
            OperatorInput::Attestation(_) => "Attestation(<redacted>)",
            OperatorInput::Cancel => "Cancel",
        })
    }
}

/// An operator input the session could not take now (caller misuse: the UI offered it at the
/// wrong time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputError {
    /// No PIN is asked for now (not PIN mode, already given, or the check is over).
    PinNotExpected,
    /// No attestation is asked for (not 目視確認 mode, or the check is over).
    AttestationNotExpected,
    /// The check is over.
    Finished,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputError::PinNotExpected => "caller: no PIN is asked for now",
            InputError::AttestationNotExpected => "caller: no staff attestation is asked for",
            InputError::Finished => "caller: the check is over",
        })
    }
}

impl core::error::Error for InputError {}

/// What the session reports to the UI, in order ([`Session::poll_event`](super::Session)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// The card answered its first command.
    CardDetected,
    /// The authentication certificate was read from the card.
    CertificateRead,
    /// Ask for the PIN.
    PinNeeded {
        /// Tries left, when the card keeps a counter.
        tries_left: Option<u8>,
        /// One try is left: the PIN is sent only after [`OperatorInput::ConsentToLastTry`].
        last_try: bool,
    },
    /// One try is left: warn the person before they type (a wrong PIN blocks the card).
    LastTryWarning,
    /// 目視確認: ask staff to compare the photo and attest.
    AttestationNeeded,
    /// A step began.
    Progress(Progress),
    /// The check ended; the session has nothing more to do.
    Outcome(Box<super::Outcome>),
}

/// The steps reported as [`Event::Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Progress {
    /// A challenge was requested from the gateway.
    ChallengeRequested,
    /// The challenge arrived.
    ChallengeReceived,
    /// The challenge expired before signing; a new one is requested.
    ChallengeRenewed,
    /// The PIN was accepted by the session and goes to the card.
    PinSent,
    /// The card signs the inquiry's digest.
    Signing,
    /// The inquiry was handed to the gateway driver.
    InquirySent,
    /// The card's verified state was cleared.
    CardCleared,
}
