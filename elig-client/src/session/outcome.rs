//! How a check ends: the explained verdict or a typed failure, with the audit record; and
//! the verdict-only modes (manual evidence, 既存型) that need neither card nor gateway here.

use core::fmt;

use der::Decode as _;
use elig_proto::gateway::RejectReason;
use reader_backends::{CheckEnd, TransportError};
use voucher_model::{
    Evidence, EvidenceKind, NextStep, OnlineChannel, OnlineMode, QualificationResponse, Verdict,
    verify,
};
use x509_cert::Certificate;

use super::CheckRequest;
use crate::audit::{
    CertificateSerial, CheckErrorKind, CheckOutcome, CheckRecord, Receipt, ResultCodes,
};
use crate::gateway::{GatewayTransportError, Route};

/// Why a check ended without a verdict. Each variant says who is at fault; a failure never
/// becomes a verdict, so never "eligible". The list is this project's own design.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckFailure {
    /// The reader or the card's presence failed (card removed, NFC tag lost, reader gone):
    /// the reader's or the person's doing.
    CardLink(CardLink),
    /// The card refused a command or answered out of protocol (the card's fault, or not a My
    /// Number Card).
    Card {
        /// What happened (no personal data).
        detail: String,
    },
    /// The card rejected the PIN (the person's typing). The PIN is not re-sent.
    WrongPin {
        /// Tries left, when the card says (`0`: now blocked).
        tries_left: Option<u8>,
    },
    /// The PIN is blocked (no VERIFY was sent); reset at the municipality.
    PinBlocked,
    /// One try was left and the person did not consent to spend it: no VERIFY was sent.
    LastTryNotConsented,
    /// Staff cancelled the check (nobody at fault).
    Cancelled,
    /// Nobody gave the PIN or the attestation in time.
    OperatorTimeout,
    /// The gateway refused (its reason says who is at fault).
    GatewayRejected {
        /// The gateway's reason.
        reason: RejectReason,
    },
    /// The gateway could not be reached or did not answer (network, TLS, proxy).
    GatewayTransport(GatewayTransportError),
    /// A gateway call took longer than [`Timeouts::gateway`](super::Timeouts).
    GatewayTimeout {
        /// The call's route.
        route: Route,
    },
    /// What came back is not the gateway's answer (a proxy's page, a broken or foreign body,
    /// another request's id): the network path or the gateway is at fault.
    GatewayAnswer {
        /// What was wrong (no body content).
        detail: String,
    },
    /// Caller misuse: the request or input cannot make a check (e.g. online evidence given to
    /// the manual mode, an invalid attestation).
    Misuse {
        /// What was wrong.
        detail: String,
    },
}

/// The reader failures a check can end on ([`reader_backends::TransportError`] without its
/// backend-specific payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardLink {
    /// No card, or it was removed / the tag lost during the check.
    Removed,
    /// Another application reset the card.
    Reset,
    /// The card or reader did not answer in time.
    Timeout,
    /// The reader, the smart-card service, or the reader's exclusivity failed.
    Reader,
}

impl From<&TransportError> for CardLink {
    fn from(error: &TransportError) -> Self {
        match error {
            TransportError::NoCard | TransportError::CardRemoved => CardLink::Removed,
            TransportError::CardReset => CardLink::Reset,
            TransportError::Timeout => CardLink::Timeout,
            _ => CardLink::Reader,
        }
    }
}

impl CheckFailure {
    /// What the operator should do next.
    pub fn next_step(&self) -> NextStep {
        match self {
            CheckFailure::CardLink(CardLink::Reader) => NextStep::FixDeviceSetup,
            CheckFailure::CardLink(_)
            | CheckFailure::Card { .. }
            | CheckFailure::Cancelled
            | CheckFailure::OperatorTimeout
            | CheckFailure::GatewayTimeout { .. } => NextStep::RetryOrOtherEvidence,
            CheckFailure::WrongPin {
                tries_left: Some(0),
            }
            | CheckFailure::PinBlocked => NextStep::UseOtherEvidence,
            CheckFailure::WrongPin { .. } => NextStep::RetryOrOtherEvidence,
            CheckFailure::LastTryNotConsented => NextStep::UseOtherEvidence,
            CheckFailure::GatewayRejected { reason } => reason.next_step(),
            CheckFailure::GatewayTransport(e) if e.is_transient() => NextStep::RetryOrOtherEvidence,
            CheckFailure::GatewayTransport(_) => NextStep::FixDeviceSetup,
            CheckFailure::GatewayAnswer { .. } => NextStep::RetryOrOtherEvidence,
            CheckFailure::Misuse { .. } => NextStep::ContactVendor,
        }
    }

    /// The audit record's error kind.
    pub fn kind(&self) -> CheckErrorKind {
        match self {
            CheckFailure::CardLink(CardLink::Reader) => CheckErrorKind::Reader,
            CheckFailure::CardLink(CardLink::Timeout) => CheckErrorKind::Timeout,
            CheckFailure::CardLink(_) | CheckFailure::Card { .. } => CheckErrorKind::Card,
            CheckFailure::WrongPin { .. } => CheckErrorKind::Card,
            CheckFailure::PinBlocked | CheckFailure::LastTryNotConsented => {
                CheckErrorKind::PinBlocked
            }
            CheckFailure::Cancelled | CheckFailure::Misuse { .. } => CheckErrorKind::Cancelled,
            CheckFailure::OperatorTimeout | CheckFailure::GatewayTimeout { .. } => {
                CheckErrorKind::Timeout
            }
            CheckFailure::GatewayRejected { .. } => CheckErrorKind::GatewayRejected,
            CheckFailure::GatewayTransport(_) | CheckFailure::GatewayAnswer { .. } => {
                CheckErrorKind::Network
            }
        }
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckFailure::CardLink(link) => write!(f, "reader/card link failed: {link:?}"),
            CheckFailure::Card { detail } => write!(f, "card: {detail}"),
            CheckFailure::WrongPin {
                tries_left: Some(n),
            } => write!(f, "wrong PIN ({n} tries left)"),
            CheckFailure::WrongPin { tries_left: None } => f.write_str("wrong PIN"),
            CheckFailure::PinBlocked => f.write_str("the PIN is blocked"),
            CheckFailure::LastTryNotConsented => {
                f.write_str("one PIN try left and no consent to spend it")
            }
            CheckFailure::Cancelled => f.write_str("cancelled by staff"),
            CheckFailure::OperatorTimeout => f.write_str("no PIN or attestation in time"),
            CheckFailure::GatewayRejected { reason } => {
                write!(f, "the gateway refused: {}", reason.as_str())
            }
            CheckFailure::GatewayTransport(e) => write!(f, "gateway transport: {e}"),
            CheckFailure::GatewayTimeout { route } => {
                write!(f, "the gateway did not answer {} in time", route.path())
            }
            CheckFailure::GatewayAnswer { detail } => {
                write!(f, "not the gateway's answer: {detail}")
            }
            CheckFailure::Misuse { detail } => write!(f, "caller: {detail}"),
        }
    }
}

impl core::error::Error for CheckFailure {}

/// How a check ended. The driver appends [`Outcome::record`] to its
/// [`AuditSink`](crate::audit::AuditSink); only a [`Recorded`] may be shown as recorded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome {
    /// The explained verdict (purpose policy and facility applied), or why there is none.
    pub result: Result<Verdict, CheckFailure>,
    /// The audit record (no PIN, no name, no My Number).
    pub record: CheckRecord,
    /// How the driver ends the card session ([`reader_backends::Transport::end_check`]);
    /// `None` when no card was used.
    pub card_end: Option<CheckEnd>,
}

impl Outcome {
    /// Whether the verdict is eligible. A failure is never eligible.
    pub fn is_eligible(&self) -> bool {
        self.result.as_ref().is_ok_and(Verdict::is_eligible)
    }

    /// What the operator should do next.
    pub fn next_step(&self) -> NextStep {
        match &self.result {
            Ok(verdict) => verdict.next_step,
            Err(failure) => failure.next_step(),
        }
    }
}

/// An outcome whose record the audit sink committed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Recorded {
    /// The outcome.
    pub outcome: Outcome,
    /// The sink's proof of the commit.
    pub receipt: Receipt,
}

impl Recorded {
    /// Pairs an outcome with the receipt its record got.
    pub fn new(outcome: Outcome, receipt: Receipt) -> Self {
        Self { outcome, receipt }
    }
}

/// The audit record of a check of `request` that ended at `unix_secs`.
pub(crate) fn record(
    request: &CheckRequest,
    unix_secs: i64,
    evidence: EvidenceKind,
    result: &Result<Verdict, CheckFailure>,
    response: Option<&QualificationResponse>,
    certificate: Option<&[u8]>,
) -> CheckRecord {
    let outcome = match result {
        Ok(verdict) => CheckOutcome::Verdict(verdict.outcome),
        Err(failure) => CheckOutcome::Error(failure.kind()),
    };
    let mut record = CheckRecord::new(
        unix_secs,
        request.facility.clone(),
        request.purpose,
        evidence,
        request.voucher.number().clone(),
        request.voucher.insurer_number().clone(),
        outcome,
    );
    let mut codes = ResultCodes::default();
    if let Some(response) = response {
        codes.qualification_validity = response.qualification_validity.clone();
        codes.processing_result_code = response
            .processing_result_status
            .as_ref()
            .map(|s| s.code().to_owned());
        codes.error_code = response.error_code.clone().filter(|c| printable(c));
    }
    if let Err(CheckFailure::GatewayRejected { reason }) = result {
        codes.error_code = Some(reason.as_str().to_owned());
    }
    record.codes = codes;
    record.certificate_serial = certificate.and_then(serial_of);
    record
}

/// Codes the audit store accepts (1..=64 printable ASCII); anything else is left out.
fn printable(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= ResultCodes::MAX_CODE_BYTES
        && code.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// The serial number of a DER certificate, for the keyed hash.
fn serial_of(certificate: &[u8]) -> Option<CertificateSerial> {
    let cert = Certificate::from_der(certificate).ok()?;
    CertificateSerial::new(cert.tbs_certificate().serial_number().as_bytes()).ok()
}

/// The manual-evidence mode: Mynaportal screen, card + 資格情報のお知らせ, 資格確認書 or the
/// old card, read by staff — no card reader, no gateway. `evidence` must not be online
/// evidence ([`CheckFailure::Misuse`] otherwise). The verdict is voucher-model's, with the
/// purpose policy applied.
pub fn manual_check(request: &CheckRequest, evidence: &Evidence) -> Outcome {
    let result = match evidence {
        Evidence::Online(_) => Err(CheckFailure::Misuse {
            detail: "online evidence given to the manual mode".to_owned(),
        }),
        _ => Ok(verify(
            &request.voucher,
            evidence,
            request.checkup_date,
            request.purpose,
        )),
    };
    let record = record(
        request,
        request.started_unix_secs,
        evidence.kind(),
        &result,
        None,
        None,
    );
    Outcome {
        result,
        record,
        card_end: None,
    }
}

/// The 既存型 path: the verdict from the `QualificationResponse` the existing terminal's
/// folder driver returned (`elig_client::kizon`), with the purpose policy applied.
pub fn existing_terminal_check(
    request: &CheckRequest,
    response: QualificationResponse,
    unix_secs: i64,
) -> Outcome {
    let evidence = Evidence::online(
        OnlineChannel::Existing,
        OnlineMode::ExistingTerminal,
        response,
    );
    let result = Ok(verify(
        &request.voucher,
        &evidence,
        request.checkup_date,
        request.purpose,
    ));
    let response = match &evidence {
        Evidence::Online(check) => Some(&check.response),
        _ => None,
    };
    let record = record(
        request,
        unix_secs,
        EvidenceKind::OnlineExistingTerminal,
        &result,
        response,
        None,
    );
    Outcome {
        result,
        record,
        card_end: None,
    }
}
