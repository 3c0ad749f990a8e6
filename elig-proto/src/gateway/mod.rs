//! This project's HTTPS gateway protocol (our own design; the real 資格確認限定型 web
//! service API is not public). `PROTOCOL.md` beside this crate is the specification; this
//! module is its reference encoding.
//!
//! Endpoints (HTTPS with mutual TLS; the device's client certificate decides the facility):
//!
//! | Method and path | Body | 200 answer | otherwise |
//! |---|---|---|---|
//! | `POST /v1/challenge` | [`ChallengeRequest`] | [`ChallengeResponse`] | [`Rejection`] |
//! | `POST /v1/inquiry` | [`InquiryRequest`] | [`InquiryResult`] | [`Rejection`] |
//!
//! Every body is `application/json` (UTF-8), carries `"version": 1`, and is refused
//! *before parsing* when larger than its [`Message::MAX_BYTES`]; use [`decode`] and
//! [`encode`], which enforce that.

mod answer;
mod facility;
mod messages;
mod reason;
mod tbs;
mod unsigned;

use core::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use answer::{Answer, AnswerError, decode_answer};
pub use facility::{
    DeviceCertificateError, ID_AT_SERIAL_NUMBER, device_facility, facility_from_subject,
    facility_text, parse_facility_text,
};
pub use messages::{
    Basis, CertificateDer, Challenge, ChallengeRequest, ChallengeResponse, InquiryDigest,
    InquiryRequest, InquiryResult, PinProof, Proof, Rejection, RequestId, SignatureBytes,
    VisualAttestation,
};
pub use reason::{Fault, RejectReason};
pub use tbs::{SEARCH_TAG, TBS_TAG, ToBeSigned, digest, search_encoding};
pub use unsigned::{ChallengedInquiry, UnsignedInquiry};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u16 = 1;
/// `Content-Type` of every body.
pub const CONTENT_TYPE: &str = "application/json";
/// Path of the challenge endpoint.
pub const PATH_CHALLENGE: &str = "/v1/challenge";
/// Path of the inquiry endpoint.
pub const PATH_INQUIRY: &str = "/v1/inquiry";
/// The largest request body either endpoint accepts: a server may stop reading here and
/// answer `body_too_large` (413).
pub const MAX_REQUEST_BYTES: usize = InquiryRequest::MAX_BYTES;

mod sealed {
    /// Seals [`super::Message`] and carries the encode-side checks of the rules that the
    /// types alone do not enforce (so [`super::encode`] refuses what [`super::decode`] would).
    pub trait Sealed {
        fn check(&self) -> Result<(), String> {
            Ok(())
        }
    }
}

/// A gateway message: its size bound and version.
pub trait Message: Serialize + DeserializeOwned + sealed::Sealed {
    /// Largest encoded size in bytes, for both [`encode`] and [`decode`].
    const MAX_BYTES: usize;
    /// The message's name, for errors and logs.
    const NAME: &'static str;
    /// The message's `version` field.
    fn version(&self) -> u16;
}

macro_rules! message {
    ($ty:ty, $max:expr, $name:literal) => {
        impl Message for $ty {
            const MAX_BYTES: usize = $max;
            const NAME: &'static str = $name;
            fn version(&self) -> u16 {
                self.version
            }
        }
    };
}

impl sealed::Sealed for ChallengeRequest {}
impl sealed::Sealed for ChallengeResponse {}
impl sealed::Sealed for InquiryResult {}

impl sealed::Sealed for InquiryRequest {
    fn check(&self) -> Result<(), String> {
        match &self.proof {
            Proof::Visual(v) => messages::check_staff(&v.confirmed_by),
            _ => Ok(()),
        }
    }
}

impl sealed::Sealed for Rejection {
    fn check(&self) -> Result<(), String> {
        messages::check_message(&self.message)
    }
}

message!(ChallengeRequest, 1024, "challenge request");
message!(ChallengeResponse, 1024, "challenge response");
message!(InquiryRequest, 16 * 1024, "inquiry");
message!(InquiryResult, 256 * 1024, "inquiry result");
message!(Rejection, 4 * 1024, "rejection");

/// Why a received body was refused. The peer (whoever sent the body) is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Larger than the message's limit: not parsed at all.
    TooLarge {
        /// The message's name.
        message: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The body's size.
        actual: usize,
    },
    /// A `version` this crate does not speak.
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// A rejection arrived with another HTTP status than its reason's
    /// ([`RejectReason::http_status`]): the gateway misbehaves.
    StatusMismatch {
        /// The HTTP status received.
        status: u16,
        /// The reason in the body.
        reason: RejectReason,
    },
    /// Not JSON of the message, a field out of its rule, an unknown field, trailing data.
    Malformed {
        /// The message's name.
        message: &'static str,
        /// The kind of fault from a fixed list (`unknown field`, `invalid type`, … or
        /// `a value breaks its rule`) and serde_json's line and column. Never the offending
        /// value: a body's values can be personal data (a birth date or 記号 in `search`),
        /// and this text ends up in logs.
        detail: String,
    },
}

impl DecodeError {
    /// The rejection a gateway answers with for this error.
    pub fn reason(&self) -> RejectReason {
        match self {
            Self::TooLarge { .. } => RejectReason::BodyTooLarge,
            Self::UnsupportedVersion { .. } => RejectReason::UnsupportedVersion,
            Self::Malformed { .. } | Self::StatusMismatch { .. } => RejectReason::MalformedRequest,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge {
                message,
                limit,
                actual,
            } => write!(
                f,
                "peer sent a {message} of {actual} bytes, over the {limit}-byte limit (not parsed)"
            ),
            Self::UnsupportedVersion { found } => write!(
                f,
                "peer speaks protocol version {found}; this side speaks {PROTOCOL_VERSION}"
            ),
            Self::StatusMismatch { status, reason } => write!(
                f,
                "gateway answered HTTP {status} with reason {reason}, which belongs to HTTP {}",
                reason.http_status()
            ),
            Self::Malformed { message, detail } => {
                write!(f, "peer sent a malformed {message}: {detail}")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// Why a message could not be encoded. The caller built something the protocol forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The encoding is larger than the message's limit (the peer would refuse it).
    TooLarge {
        /// The message's name.
        message: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The encoded size.
        actual: usize,
    },
    /// The message's `version` is not [`PROTOCOL_VERSION`].
    UnsupportedVersion {
        /// The version set.
        found: u16,
    },
    /// A field breaks its rule (e.g. a `Rejection.message` over 512 characters set
    /// directly): the peer would refuse the message.
    Invalid {
        /// The message's name.
        message: &'static str,
        /// Which rule.
        detail: String,
    },
    /// serde_json refused a value (for example an unwritable element name kept in a
    /// result's unknown elements).
    Json {
        /// serde_json's description.
        detail: String,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge {
                message,
                limit,
                actual,
            } => write!(
                f,
                "caller built a {message} of {actual} bytes, over the {limit}-byte limit"
            ),
            Self::UnsupportedVersion { found } => write!(
                f,
                "caller set protocol version {found}; only {PROTOCOL_VERSION} can be sent"
            ),
            Self::Invalid { message, detail } => {
                write!(f, "caller built an invalid {message}: {detail}")
            }
            Self::Json { detail } => write!(f, "caller built an unencodable message: {detail}"),
        }
    }
}

impl core::error::Error for EncodeError {}

#[derive(Deserialize)]
struct VersionProbe {
    version: u16,
}

/// serde_json's error reduced to a fixed kind and its position: its own text can quote the
/// offending value, which may be personal data.
fn malformed_detail(e: &serde_json::Error) -> String {
    const KINDS: [&str; 10] = [
        "unknown field",
        "missing field",
        "duplicate field",
        "unknown variant",
        "invalid type",
        "invalid length",
        "trailing characters",
        "EOF while parsing",
        "expected",
        "key must be a string",
    ];
    let text = e.to_string();
    let kind = KINDS
        .iter()
        .find(|k| text.starts_with(*k))
        .copied()
        .unwrap_or("a value breaks its rule");
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// Decodes a body as message `M`: refuses it unparsed when larger than `M::MAX_BYTES`,
/// reads `version` first (so a newer version is reported as such, not as unknown fields),
/// then parses strictly (unknown fields, trailing data and out-of-rule values refused).
pub fn decode<M: Message>(body: &[u8]) -> Result<M, DecodeError> {
    if body.len() > M::MAX_BYTES {
        return Err(DecodeError::TooLarge {
            message: M::NAME,
            limit: M::MAX_BYTES,
            actual: body.len(),
        });
    }
    let malformed = |e: serde_json::Error| DecodeError::Malformed {
        message: M::NAME,
        detail: malformed_detail(&e),
    };
    let probe: VersionProbe = serde_json::from_slice(body).map_err(malformed)?;
    if probe.version != PROTOCOL_VERSION {
        return Err(DecodeError::UnsupportedVersion {
            found: probe.version,
        });
    }
    serde_json::from_slice(body).map_err(malformed)
}

/// Encodes message `M` as compact JSON, refusing a wrong version or an encoding larger than
/// `M::MAX_BYTES` (so a conforming peer never receives what it would refuse).
pub fn encode<M: Message>(message: &M) -> Result<Vec<u8>, EncodeError> {
    if message.version() != PROTOCOL_VERSION {
        return Err(EncodeError::UnsupportedVersion {
            found: message.version(),
        });
    }
    sealed::Sealed::check(message).map_err(|detail| EncodeError::Invalid {
        message: M::NAME,
        detail,
    })?;
    let body = serde_json::to_vec(message).map_err(|e| EncodeError::Json {
        detail: e.to_string(),
    })?;
    if body.len() > M::MAX_BYTES {
        return Err(EncodeError::TooLarge {
            message: M::NAME,
            limit: M::MAX_BYTES,
            actual: body.len(),
        });
    }
    Ok(body)
}

impl InquiryRequest {
    /// The to-be-signed structure of this inquiry for `facility` (on the gateway: the
    /// device certificate's facility, never `self.facility`). `None` for a 目視確認
    /// inquiry, which has no challenge.
    pub fn to_be_signed<'a>(
        &'a self,
        facility: &'a voucher_model::Facility,
    ) -> Option<ToBeSigned<'a>> {
        match &self.proof {
            Proof::Pin(pin) => Some(ToBeSigned {
                version: self.version,
                challenge: &pin.challenge,
                facility,
                checkup_date: self.checkup_date,
                request_id: &self.request_id,
                search: self.search.as_ref(),
            }),
            _ => None,
        }
    }
}
