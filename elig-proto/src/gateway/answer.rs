//! The client's side of an HTTP exchange with the gateway: a status and a body become the
//! message asked for, a [`Rejection`], or a typed error that says who is at fault.
//!
//! A body that is not the gateway's JSON at all (a proxy's or load balancer's HTML error
//! page, a captive portal, a truncated body) says nothing about the gateway: it is reported
//! as [`AnswerError::NotGatewayJson`], a transport-level fault, never as a malformed
//! message of the gateway. "The gateway's JSON" means a JSON object with a `version`
//! member — every message of the protocol has one (PROTOCOL.md §"Common rules"); this
//! dividing line is this project's design.

use core::fmt;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{DecodeError, Message, RejectReason, Rejection, decode};

/// A gateway's answer, as a client sees it: the message it asked for, or a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<M> {
    /// HTTP 200 with the endpoint's answer.
    Ok(M),
    /// Any other status with a [`Rejection`] whose reason belongs to that status.
    Rejected {
        /// The HTTP status received.
        status: u16,
        /// The decoded rejection.
        rejection: Rejection,
    },
}

impl<M> Answer<M> {
    /// The rejection reason, if rejected.
    pub fn reason(&self) -> Option<RejectReason> {
        match self {
            Self::Ok(_) => None,
            Self::Rejected { rejection, .. } => Some(rejection.reason),
        }
    }
}

/// Why an answer could not be read. Each variant says who is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerError {
    /// Transport: the body is not the gateway's JSON (no JSON object with a `version`
    /// member) — typically an HTML error page of a proxy, load balancer or captive portal
    /// between the client and the gateway, or a body cut short. The gateway may never
    /// have seen the request. The body is not quoted (it may be anything).
    NotGatewayJson {
        /// The HTTP status received.
        status: u16,
        /// The body's size in bytes.
        bytes: usize,
    },
    /// Gateway: it answered in the protocol's JSON but broke a rule (size, version, a
    /// field, a status that does not belong to the rejection's reason).
    Gateway(DecodeError),
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotGatewayJson { status, bytes } => write!(
                f,
                "transport: HTTP {status} with a {bytes}-byte body that is not the gateway's \
                 JSON (a proxy or network device answered, or the body was cut short)"
            ),
            Self::Gateway(e) => write!(f, "gateway: {e}"),
        }
    }
}

impl core::error::Error for AnswerError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Gateway(e) => Some(e),
            Self::NotGatewayJson { .. } => None,
        }
    }
}

/// A JSON object with a `version` member of any type; every other member ignored.
#[derive(Deserialize)]
struct Envelope {
    version: Option<IgnoredAny>,
}

/// True when `body`'s first non-blank byte opens a JSON object.
fn opens_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// True when `body` is a JSON object carrying `version`: the gateway's JSON.
fn is_gateway_json(body: &[u8]) -> bool {
    opens_object(body)
        && serde_json::from_slice::<Envelope>(body).is_ok_and(|e| e.version.is_some())
}

/// Decodes an HTTP answer of the gateway (client side): status 200 carries `M`; any other
/// status carries a [`Rejection`], whose reason must belong to that status. A body that is
/// not the gateway's JSON at all is [`AnswerError::NotGatewayJson`]. Over the message's
/// size limit the body is not parsed: one that opens a JSON object is the gateway's
/// oversized message ([`DecodeError::TooLarge`]), anything else (a large HTML page) is
/// still a transport fault.
pub fn decode_answer<M: Message>(status: u16, body: &[u8]) -> Result<Answer<M>, AnswerError> {
    let limit = if status == 200 {
        M::MAX_BYTES
    } else {
        Rejection::MAX_BYTES
    };
    let ours = if body.len() > limit {
        opens_object(body)
    } else {
        is_gateway_json(body)
    };
    if !ours {
        return Err(AnswerError::NotGatewayJson {
            status,
            bytes: body.len(),
        });
    }
    if status == 200 {
        return decode::<M>(body)
            .map(Answer::Ok)
            .map_err(AnswerError::Gateway);
    }
    let rejection = decode::<Rejection>(body).map_err(AnswerError::Gateway)?;
    if rejection.reason.http_status() != status {
        return Err(AnswerError::Gateway(DecodeError::StatusMismatch {
            status,
            reason: rejection.reason,
        }));
    }
    Ok(Answer::Rejected { status, rejection })
}
