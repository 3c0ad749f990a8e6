//! The gateway's messages (this project's design; PROTOCOL.md documents each field).

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voucher_model::evidence::{AttestationError, check_staff_id};
use voucher_model::{Date, DateTime, Facility, QualificationResponse, SearchInfo};

use super::reason::RejectReason;
use crate::b64;

/// Binary data travelling as strict base64 text, with a length bound checked on decode.
fn de_bytes<'de, D: Deserializer<'de>>(
    deserializer: D,
    what: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<u8>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    // Four base64 characters carry three bytes: refuse long text before decoding it.
    if text.len() / 4 > max.div_ceil(3) {
        return Err(serde::de::Error::custom(format_args!(
            "{what} longer than {max} bytes"
        )));
    }
    let bytes =
        b64::decode(&text).map_err(|e| serde::de::Error::custom(format_args!("{what}: {e}")))?;
    if bytes.len() < min || bytes.len() > max {
        return Err(serde::de::Error::custom(format_args!(
            "{what} is {} bytes, allowed {min}..={max}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// A gateway challenge: 32 random bytes, single use, issued to one device with an expiry.
/// JSON: strict base64 (44 characters).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge([u8; 32]);

impl Challenge {
    /// Length in bytes.
    pub const LEN: usize = 32;

    /// Wraps 32 bytes (the gateway draws them from a CSPRNG).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Challenge(")?;
        hex(f, &self.0)?;
        f.write_str(")")
    }
}

impl Serialize for Challenge {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Challenge {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = de_bytes(deserializer, "challenge", Self::LEN, Self::LEN)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| serde::de::Error::custom("challenge is not 32 bytes"))
    }
}

/// The SHA-256 digest of the to-be-signed structure ([`super::digest`]), sent beside the
/// signature so the gateway can tell "you signed other data" from "bad signature".
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InquiryDigest(pub [u8; 32]);

impl fmt::Debug for InquiryDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InquiryDigest(")?;
        hex(f, &self.0)?;
        f.write_str(")")
    }
}

impl Serialize for InquiryDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for InquiryDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = de_bytes(deserializer, "digest", 32, 32)?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map(Self)
            .map_err(|_| serde::de::Error::custom("digest is not 32 bytes"))
    }
}

macro_rules! bytes_newtype {
    ($(#[$meta:meta])* $name:ident, $what:literal, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(Vec<u8>);

        impl $name {
            /// Smallest accepted length in bytes.
            pub const MIN_LEN: usize = $min;
            /// Largest accepted length in bytes.
            pub const MAX_LEN: usize = $max;

            /// Wraps the bytes; `None` when the length is outside `MIN_LEN..=MAX_LEN`.
            pub fn new(bytes: Vec<u8>) -> Option<Self> {
                (Self::MIN_LEN..=Self::MAX_LEN)
                    .contains(&bytes.len())
                    .then_some(Self(bytes))
            }

            /// The bytes.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({} bytes)"), self.0.len())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&b64::encode(&self.0))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                de_bytes(deserializer, $what, $min, $max).map(Self)
            }
        }
    };
}

bytes_newtype!(
    /// The card's user-authentication certificate, DER (a real one is about 1,900 bytes).
    /// 64..=8192 bytes.
    CertificateDer,
    "card_certificate",
    64,
    8192
);

bytes_newtype!(
    /// The card's PKCS#1 v1.5 signature (256 bytes for RSA-2048). 64..=1024 bytes.
    SignatureBytes,
    "signature",
    64,
    1024
);

/// A client-chosen request id: 1–64 characters of ASCII letters, digits, `.`, `_`, `-`,
/// `:`. Signed into the digest and echoed in the result (like `ArbitraryFileIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

impl RequestId {
    /// Longest request id.
    pub const MAX_LEN: usize = 64;

    /// Validates a request id; `None` when empty, too long or outside the character set.
    pub fn new(id: &str) -> Option<Self> {
        let ok = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
        ok.then(|| Self(id.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::new(&text).ok_or_else(|| {
            serde::de::Error::custom("request_id must be 1-64 characters of [A-Za-z0-9._:-]")
        })
    }
}

/// `yyyyMMdd` in JSON, as `QualificationConfirmationDate` is in the files.
mod yyyymmdd {
    use serde::{Deserialize, Deserializer, Serializer};
    use voucher_model::Date;

    pub(super) fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&date.to_yyyymmdd())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Date::parse_yyyymmdd(&text).map_err(serde::de::Error::custom)
    }
}

/// `yyyyMMddHHmmss` (Japan time) in JSON, as `ProcessExecutionTime` is in the files.
mod compact_time {
    use serde::{Deserialize, Deserializer, Serializer};
    use voucher_model::DateTime;

    pub(super) fn serialize<S: Serializer>(t: &DateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_compact())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        DateTime::parse_compact(&text).map_err(serde::de::Error::custom)
    }
}

/// `POST /v1/challenge` body. The device (mutual TLS) is the only input that matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChallengeRequest {
    /// Protocol version, [`super::PROTOCOL_VERSION`].
    pub version: u16,
}

impl ChallengeRequest {
    /// A request in the current protocol version.
    pub fn new() -> Self {
        Self {
            version: super::PROTOCOL_VERSION,
        }
    }
}

impl Default for ChallengeRequest {
    fn default() -> Self {
        Self::new()
    }
}

/// `POST /v1/challenge` answer (200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChallengeResponse {
    /// Protocol version.
    pub version: u16,
    /// The fresh challenge, valid once, for this device only.
    pub challenge: Challenge,
    /// When the gateway issued it, Unix seconds (gateway clock).
    pub issued_at: u64,
    /// When it stops being accepted, Unix seconds (gateway clock). A client with a skewed
    /// clock should use `expires_at - issued_at` as the time it has left.
    pub expires_at: u64,
}

impl ChallengeResponse {
    /// A response in the current protocol version.
    pub fn new(challenge: Challenge, issued_at: u64, expires_at: u64) -> Self {
        Self {
            version: super::PROTOCOL_VERSION,
            challenge,
            issued_at,
            expires_at,
        }
    }
}

/// PIN-mode proof: the card signed the inquiry's digest with its authentication key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PinProof {
    /// The challenge of `POST /v1/challenge`, as received.
    pub challenge: Challenge,
    /// The digest the client computed ([`super::digest`]); the gateway recomputes it.
    pub digest: InquiryDigest,
    /// RSASSA-PKCS1-v1_5 over DigestInfo(SHA-256, `digest`), by the card's auth key.
    pub signature: SignatureBytes,
}

impl PinProof {
    /// Bundles a proof.
    pub fn new(challenge: Challenge, digest: InquiryDigest, signature: SignatureBytes) -> Self {
        Self {
            challenge,
            digest,
            signature,
        }
    }
}

/// 目視確認 mode: staff compared the card's photo with the person's face (no PIN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct VisualAttestation {
    /// Who confirmed: a staff identifier of the institution's choosing (not necessarily a
    /// name) under voucher-model's one rule ([`check_staff_id`]: at most
    /// [`MAX_STAFF_ID_CHARS`](voucher_model::evidence::MAX_STAFF_ID_CHARS) characters, no control characters). Empty means "not
    /// attested".
    #[serde(deserialize_with = "de_staff")]
    pub confirmed_by: String,
    /// When, Japan time, `yyyyMMddHHmmss`.
    #[serde(with = "compact_time")]
    pub confirmed_at: DateTime,
    /// The staff member's statement that the photo matches the person.
    pub photo_matches: bool,
}

/// The rule of `confirmed_by`, as a decode or encode message: voucher-model's
/// [`check_staff_id`].
pub(super) fn check_staff(text: &str) -> Result<(), String> {
    check_staff_id(text).map_err(|e| format!("confirmed_by: {e}"))
}

fn de_staff<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    check_staff(&text).map_err(serde::de::Error::custom)?;
    Ok(text)
}

/// Cuts `text` to `max` characters and turns control characters into spaces (for the
/// gateway's own rejection messages).
fn sanitize(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

impl VisualAttestation {
    /// An attestation. A `confirmed_by` that breaks [`check_staff_id`] (longer than
    /// [`MAX_STAFF_ID_CHARS`](voucher_model::evidence::MAX_STAFF_ID_CHARS) characters, or with control characters) is refused, never cut
    /// or cleaned: the caller typed it and must correct it. An empty one is accepted and
    /// means "not attested" (the gateway answers [`RejectReason::AttestationMissing`]).
    pub fn new(
        confirmed_by: &str,
        confirmed_at: DateTime,
        photo_matches: bool,
    ) -> Result<Self, AttestationError> {
        check_staff_id(confirmed_by)?;
        Ok(Self {
            confirmed_by: confirmed_by.to_owned(),
            confirmed_at,
            photo_matches,
        })
    }

    /// True when someone is named and states that the photo matches; otherwise the gateway
    /// answers [`RejectReason::AttestationMissing`]. (The gateway also requires
    /// `confirmed_at` on the checkup date and not in the future, PROTOCOL.md: that needs its
    /// clock, so it is not checked here.)
    pub fn is_complete(&self) -> bool {
        self.photo_matches && !self.confirmed_by.trim().is_empty()
    }
}

/// How the inquiry proves the card holder is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Proof {
    /// PIN mode: the card signed the digest. JSON `{"pin": {…}}`.
    Pin(PinProof),
    /// 目視確認 mode: staff attestation, no signature. JSON `{"visual": {…}}`.
    Visual(VisualAttestation),
}

/// `POST /v1/inquiry` body: one person's qualification check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InquiryRequest {
    /// Protocol version.
    pub version: u16,
    /// The client's id for this inquiry; signed, and echoed in the answer.
    pub request_id: RequestId,
    /// The facility the client believes it is. The gateway never trusts it: it compares it
    /// with the facility of the device certificate and answers `wrong_facility` on a
    /// difference.
    pub facility: Facility,
    /// The checkup date (= `QualificationConfirmationDate`), `yyyyMMdd`. Must be the
    /// gateway's current date in Japan.
    #[serde(with = "yyyymmdd")]
    pub checkup_date: Date,
    /// Optional narrowing by the voucher's insurance numbers
    /// (`QualificationConfirmSearchInfo`, element names as JSON keys).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::convert::search_json"
    )]
    pub search: Option<SearchInfo>,
    /// The card's user-authentication certificate (DER, base64).
    pub card_certificate: CertificateDer,
    /// PIN signature or staff attestation.
    pub proof: Proof,
}

impl InquiryRequest {
    /// An inquiry in the current protocol version.
    pub fn new(
        request_id: RequestId,
        facility: Facility,
        checkup_date: Date,
        search: Option<SearchInfo>,
        card_certificate: CertificateDer,
        proof: Proof,
    ) -> Self {
        Self {
            version: super::PROTOCOL_VERSION,
            request_id,
            facility,
            checkup_date,
            search,
            card_certificate,
            proof,
        }
    }
}

/// What a result rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Basis {
    /// The card signed the challenge-bound digest with its PIN-protected key (PIN mode).
    CardSignature,
    /// Staff compared the card photo with the face (目視確認); no signature.
    VisualConfirmation,
}

/// `POST /v1/inquiry` answer (200): the qualification result in the XmlMsg vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InquiryResult {
    /// Protocol version.
    pub version: u16,
    /// The inquiry's `request_id`.
    pub request_id: RequestId,
    /// Whether the result rests on the card's signature or on visual confirmation.
    pub basis: Basis,
    /// The result: JSON key `XmlMsg`, holding `MessageHeader` and `MessageBody` with the
    /// element names and code values of the 既存型 response file.
    #[serde(rename = "XmlMsg", with = "crate::convert::response_json")]
    pub response: QualificationResponse,
}

impl InquiryResult {
    /// A result in the current protocol version.
    pub fn new(request_id: RequestId, basis: Basis, response: QualificationResponse) -> Self {
        Self {
            version: super::PROTOCOL_VERSION,
            request_id,
            basis,
            response,
        }
    }
}

/// Any non-200 answer: a machine-readable reason and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rejection {
    /// Protocol version.
    pub version: u16,
    /// Why (closed set).
    pub reason: RejectReason,
    /// For people: at most 512 characters, no control characters, no personal data.
    #[serde(deserialize_with = "de_message")]
    pub message: String,
    /// The inquiry's `request_id`, when the gateway got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// For `rate_limited`: seconds to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u32>,
}

/// The rule of `Rejection.message`: at most 512 characters, no control characters.
pub(super) fn check_message(text: &str) -> Result<(), String> {
    if text.chars().count() > Rejection::MAX_MESSAGE_LEN || text.chars().any(char::is_control) {
        return Err("message must be at most 512 characters without control characters".into());
    }
    Ok(())
}

fn de_message<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    check_message(&text).map_err(serde::de::Error::custom)?;
    Ok(text)
}

impl Rejection {
    /// Longest `message`, in characters.
    pub const MAX_MESSAGE_LEN: usize = 512;

    /// A rejection in the current protocol version. The message is cut to
    /// [`Self::MAX_MESSAGE_LEN`] characters and control characters become spaces, so what
    /// is built here always encodes.
    pub fn new(reason: RejectReason, message: &str) -> Self {
        let message = sanitize(message, Self::MAX_MESSAGE_LEN);
        Self {
            version: super::PROTOCOL_VERSION,
            reason,
            message,
            request_id: None,
            retry_after_seconds: None,
        }
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, id: RequestId) -> Self {
        self.request_id = Some(id);
        self
    }

    /// Sets the retry delay.
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// The HTTP status to answer with ([`RejectReason::http_status`]).
    pub fn http_status(&self) -> u16 {
        self.reason.http_status()
    }
}
