//! What a check reports to the app: events while it runs, the result at its end. Flat
//! conversions of elig-client's session types (no logic of their own).

use elig_client::blocking::NotRecorded;
use elig_client::session::{CardLink as SessionCardLink, CheckFailure, Event, Progress, Recorded};
use voucher_model::{FieldStatus, NextStep, Outcome};

use crate::EligError;

/// The steps reported as [`CheckEvent::Progress`] (elig-client's `Progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProgressStep {
    /// A challenge was requested from the gateway.
    ChallengeRequested,
    /// The challenge arrived.
    ChallengeReceived,
    /// The challenge expired before signing; a new one is requested.
    ChallengeRenewed,
    /// The PIN goes to the card.
    PinSent,
    /// The card signs (hold the card still: this is the slowest command).
    Signing,
    /// The inquiry was sent to the gateway.
    InquirySent,
    /// The card's verified state was cleared.
    CardCleared,
    /// A step this version of the bindings does not name.
    Other,
}

/// A UI event while the check runs (elig-client's `Event`, without the outcome, which is
/// [`crate::Check::run`]'s return value).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CheckEvent {
    /// The card answered its first command.
    CardDetected,
    /// The authentication certificate was read.
    CertificateRead,
    /// Ask for the PIN, then call [`crate::Check::submit_pin`].
    PinNeeded {
        /// Tries left, when the card says.
        tries_left: Option<u8>,
        /// One try is left: the PIN is spent only after [`crate::Check::consent_to_last_try`].
        last_try: bool,
    },
    /// One try is left: warn the person before they type (a wrong PIN blocks the card).
    LastTryWarning,
    /// 目視確認: staff compare the card photo with the person, then call
    /// [`crate::Check::submit_attestation`].
    AttestationNeeded,
    /// A step began.
    Progress {
        /// Which.
        step: ProgressStep,
    },
}

impl CheckEvent {
    /// The bindings' event for a session event (`None` for the outcome).
    pub(crate) fn from_session(event: &Event) -> Option<CheckEvent> {
        Some(match event {
            Event::CardDetected => CheckEvent::CardDetected,
            Event::CertificateRead => CheckEvent::CertificateRead,
            Event::PinNeeded {
                tries_left,
                last_try,
            } => CheckEvent::PinNeeded {
                tries_left: *tries_left,
                last_try: *last_try,
            },
            Event::LastTryWarning => CheckEvent::LastTryWarning,
            Event::AttestationNeeded => CheckEvent::AttestationNeeded,
            Event::Progress(p) => CheckEvent::Progress {
                step: match p {
                    Progress::ChallengeRequested => ProgressStep::ChallengeRequested,
                    Progress::ChallengeReceived => ProgressStep::ChallengeReceived,
                    Progress::ChallengeRenewed => ProgressStep::ChallengeRenewed,
                    Progress::PinSent => ProgressStep::PinSent,
                    Progress::Signing => ProgressStep::Signing,
                    Progress::InquirySent => ProgressStep::InquirySent,
                    Progress::CardCleared => ProgressStep::CardCleared,
                    _ => ProgressStep::Other,
                },
            },
            _ => return None,
        })
    }
}

/// Who is at fault when a check ends without a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Fault {
    /// The reader, the phone's NFC or the card's presence (card moved away, tag lost).
    CardLink,
    /// The card refused or answered out of protocol.
    Card,
    /// The cardholder (wrong PIN, blocked PIN, no consent to the last try).
    Cardholder,
    /// Staff or the app's operator (cancelled, no answer in time).
    Operator,
    /// The gateway refused, or its answer was not usable.
    Gateway,
    /// The network path to the gateway (connection, TLS, proxy, timeout).
    Network,
    /// The caller's mistake (a request that cannot make a check).
    Caller,
}

/// Why a check ended without a verdict (elig-client's `CheckFailure`, flat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FailureKind {
    /// The card was removed or the tag lost.
    CardRemoved,
    /// The card link timed out.
    CardTimeout,
    /// The reader failed.
    Reader,
    /// The card refused a command.
    Card,
    /// Wrong PIN (never re-sent).
    WrongPin,
    /// The PIN is blocked (no VERIFY was sent).
    PinBlocked,
    /// One try was left and the person did not consent to spend it.
    LastTryNotConsented,
    /// Staff cancelled.
    Cancelled,
    /// Nobody gave the PIN or attestation in time.
    OperatorTimeout,
    /// The gateway refused.
    GatewayRejected,
    /// The gateway could not be reached.
    GatewayTransport,
    /// The gateway did not answer in time.
    GatewayTimeout,
    /// What came back was not the gateway's answer.
    GatewayAnswer,
    /// Caller misuse.
    Misuse,
    /// A failure this version of the bindings does not name.
    Other,
}

/// A check's failure: its kind, who is at fault, and a message without personal data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckFailureInfo {
    /// What failed.
    pub kind: FailureKind,
    /// Who is at fault.
    pub fault: Fault,
    /// PIN tries left, for [`FailureKind::WrongPin`] when the card says.
    pub tries_left: Option<u8>,
    /// A message for developers, in English (no PIN, no personal data).
    pub message: String,
}

impl From<&CheckFailure> for CheckFailureInfo {
    fn from(failure: &CheckFailure) -> Self {
        let mut tries_left = None;
        let (kind, fault) = match failure {
            CheckFailure::CardLink(SessionCardLink::Removed | SessionCardLink::Reset) => {
                (FailureKind::CardRemoved, Fault::CardLink)
            }
            CheckFailure::CardLink(SessionCardLink::Timeout) => {
                (FailureKind::CardTimeout, Fault::CardLink)
            }
            CheckFailure::CardLink(_) => (FailureKind::Reader, Fault::CardLink),
            CheckFailure::Card { .. } => (FailureKind::Card, Fault::Card),
            CheckFailure::WrongPin { tries_left: n } => {
                tries_left = *n;
                (FailureKind::WrongPin, Fault::Cardholder)
            }
            CheckFailure::PinBlocked => (FailureKind::PinBlocked, Fault::Cardholder),
            CheckFailure::LastTryNotConsented => {
                (FailureKind::LastTryNotConsented, Fault::Cardholder)
            }
            CheckFailure::Cancelled => (FailureKind::Cancelled, Fault::Operator),
            CheckFailure::OperatorTimeout => (FailureKind::OperatorTimeout, Fault::Operator),
            CheckFailure::GatewayRejected { .. } => (FailureKind::GatewayRejected, Fault::Gateway),
            CheckFailure::GatewayTransport(_) => (FailureKind::GatewayTransport, Fault::Network),
            CheckFailure::GatewayTimeout { .. } => (FailureKind::GatewayTimeout, Fault::Network),
            CheckFailure::GatewayAnswer { .. } => (FailureKind::GatewayAnswer, Fault::Gateway),
            CheckFailure::Misuse { .. } => (FailureKind::Misuse, Fault::Caller),
            _ => (FailureKind::Other, Fault::Caller),
        };
        CheckFailureInfo {
            kind,
            fault,
            tries_left,
            message: failure.to_string(),
        }
    }
}

/// The verdict's decision (voucher-model's `Outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VerdictOutcome {
    /// Every required check matched.
    Eligible,
    /// A required check failed.
    NotEligible,
    /// Nothing failed, but staff must look (a warning).
    NeedsStaffReview,
}

impl From<Outcome> for VerdictOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Eligible => VerdictOutcome::Eligible,
            Outcome::NotEligible => VerdictOutcome::NotEligible,
            Outcome::NeedsStaffReview => VerdictOutcome::NeedsStaffReview,
        }
    }
}

/// How a check ended, recorded in the audit store.
///
/// `eligible` is true only when the whole path succeeded and the verdict is eligible; a
/// failure is never eligible.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckResult {
    /// Whether the holder is confirmed eligible.
    pub eligible: bool,
    /// The verdict's decision, when the check reached one.
    pub verdict: Option<VerdictOutcome>,
    /// Why there is no verdict, when there is none.
    pub failure: Option<CheckFailureInfo>,
    /// What the operator should do next, in Japanese (for reception staff).
    pub next_step_ja: String,
    /// What the operator should do next, in English.
    pub next_step_en: String,
    /// The explanation for staff, in Japanese: the decision, every finding that is not a
    /// plain match, the next step (voucher-model's `Verdict::summary_ja`), or the failure.
    pub explanation_ja: String,
    /// The same for developers, in English.
    pub explanation_en: String,
    /// The findings that are not a plain match, one line each, in English.
    pub findings_en: Vec<String>,
    /// The audit row's position in the store's chain (from 1).
    pub audit_seq: u64,
    /// The audit row's digest, hex.
    pub audit_digest: String,
}

impl CheckResult {
    pub(crate) fn from_recorded(recorded: &Recorded) -> Self {
        let outcome = &recorded.outcome;
        let next = outcome.next_step();
        let (verdict, failure, explanation_ja, explanation_en, findings_en) = match &outcome.result
        {
            Ok(verdict) => (
                Some(VerdictOutcome::from(verdict.outcome)),
                None,
                verdict.summary_ja(),
                verdict.summary_en(),
                verdict
                    .findings
                    .iter()
                    .filter(|f| f.status != FieldStatus::Matched)
                    .map(|f| f.message_en())
                    .collect(),
            ),
            Err(failure) => {
                let info = CheckFailureInfo::from(failure);
                let ja = format!("資格を確認できません\n{}", next.message_ja());
                let en = format!(
                    "not confirmed: {}; next step: {}",
                    info.message,
                    next.message_en()
                );
                (None, Some(info), ja, en, Vec::new())
            }
        };
        CheckResult {
            eligible: outcome.is_eligible(),
            verdict,
            failure,
            next_step_ja: next.message_ja().to_owned(),
            next_step_en: next_step_en(next),
            explanation_ja,
            explanation_en,
            findings_en,
            audit_seq: recorded.receipt.seq(),
            audit_digest: recorded.receipt.digest().to_hex(),
        }
    }
}

fn next_step_en(next: NextStep) -> String {
    next.message_en().to_owned()
}

impl From<NotRecorded> for EligError {
    fn from(error: NotRecorded) -> Self {
        EligError::Audit(error.to_string())
    }
}
