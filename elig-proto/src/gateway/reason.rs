//! The closed set of rejection reasons (this project's design; PROTOCOL.md §Rejections).

use core::fmt;

use serde::{Deserialize, Serialize};
use voucher_model::NextStep;

/// Why the gateway refused a request. Closed set: a client can act on every value, and a
/// gateway may not invent others within one protocol version. On the wire it is the
/// snake_case name (`"challenge_expired"`); [`RejectReason::http_status`] is the status the
/// gateway answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The TLS client certificate is missing or not a registered device (403).
    UnknownDevice,
    /// The body is not valid JSON of the expected message, or a field breaks its rule (400).
    MalformedRequest,
    /// The body is larger than the endpoint's limit; it was not parsed (413).
    BodyTooLarge,
    /// The `version` is not one the gateway speaks (400).
    UnsupportedVersion,
    /// `Content-Type` is not `application/json` (415).
    UnsupportedMediaType,
    /// No such endpoint (404).
    NotFound,
    /// The endpoint exists but not for this HTTP method (405).
    MethodNotAllowed,
    /// The card certificate is not DER, does not chain to the JPKI authentication CA, or
    /// was issued by another CA (422).
    CertificateUntrusted,
    /// The card certificate's validity period ended before now (422).
    CertificateExpired,
    /// The card certificate's validity period starts after now (422).
    CertificateNotYetValid,
    /// The card certificate is on the revocation list (422).
    CertificateRevoked,
    /// The challenge was never issued (or was forgotten after its expiry) (409).
    ChallengeUnknown,
    /// The challenge's expiry has passed (409).
    ChallengeExpired,
    /// The challenge was already used by an earlier inquiry (409).
    ChallengeReplayed,
    /// The challenge was issued to another device (409).
    ChallengeWrongDevice,
    /// The `digest` the client sent differs from the one the gateway computed from the
    /// inquiry and the facility it knows (checked before the signature, to tell a client
    /// bug from a bad signature) (422).
    DigestMismatch,
    /// The inquiry's `facility` differs from the facility of the device certificate (403).
    WrongFacility,
    /// The `checkup_date` is not the gateway's current date in Japan (422).
    WrongDate,
    /// The signature does not verify with the card certificate's key over the digest (422).
    SignatureInvalid,
    /// A 目視確認 inquiry without a complete staff attestation (422).
    AttestationMissing,
    /// Too many requests from this device; retry after `retry_after_seconds` (429).
    RateLimited,
    /// The gateway failed; nothing is wrong with the request (500).
    Internal,
}

impl RejectReason {
    /// Every reason, in documentation order.
    pub const ALL: [RejectReason; 22] = [
        Self::UnknownDevice,
        Self::MalformedRequest,
        Self::BodyTooLarge,
        Self::UnsupportedVersion,
        Self::UnsupportedMediaType,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::CertificateUntrusted,
        Self::CertificateExpired,
        Self::CertificateNotYetValid,
        Self::CertificateRevoked,
        Self::ChallengeUnknown,
        Self::ChallengeExpired,
        Self::ChallengeReplayed,
        Self::ChallengeWrongDevice,
        Self::DigestMismatch,
        Self::WrongFacility,
        Self::WrongDate,
        Self::SignatureInvalid,
        Self::AttestationMissing,
        Self::RateLimited,
        Self::Internal,
    ];

    /// The wire name (`"challenge_expired"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownDevice => "unknown_device",
            Self::MalformedRequest => "malformed_request",
            Self::BodyTooLarge => "body_too_large",
            Self::UnsupportedVersion => "unsupported_version",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::CertificateUntrusted => "certificate_untrusted",
            Self::CertificateExpired => "certificate_expired",
            Self::CertificateNotYetValid => "certificate_not_yet_valid",
            Self::CertificateRevoked => "certificate_revoked",
            Self::ChallengeUnknown => "challenge_unknown",
            Self::ChallengeExpired => "challenge_expired",
            Self::ChallengeReplayed => "challenge_replayed",
            Self::ChallengeWrongDevice => "challenge_wrong_device",
            Self::DigestMismatch => "digest_mismatch",
            Self::WrongFacility => "wrong_facility",
            Self::WrongDate => "wrong_date",
            Self::SignatureInvalid => "signature_invalid",
            Self::AttestationMissing => "attestation_missing",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status code the gateway answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::MalformedRequest | Self::UnsupportedVersion => 400,
            Self::UnknownDevice | Self::WrongFacility => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::ChallengeUnknown
            | Self::ChallengeExpired
            | Self::ChallengeReplayed
            | Self::ChallengeWrongDevice => 409,
            Self::BodyTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::CertificateUntrusted
            | Self::CertificateExpired
            | Self::CertificateNotYetValid
            | Self::CertificateRevoked
            | Self::DigestMismatch
            | Self::WrongDate
            | Self::SignatureInvalid
            | Self::AttestationMissing => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    /// Who must act, for the operator's next step.
    pub fn fault(self) -> Fault {
        match self {
            Self::ChallengeUnknown | Self::ChallengeExpired | Self::ChallengeReplayed => {
                Fault::RetryWithNewChallenge
            }
            Self::RateLimited | Self::Internal => Fault::RetryLater,
            Self::CertificateUntrusted
            | Self::CertificateExpired
            | Self::CertificateNotYetValid
            | Self::CertificateRevoked => Fault::Card,
            Self::UnknownDevice | Self::WrongFacility => Fault::DeviceRegistration,
            Self::AttestationMissing | Self::WrongDate => Fault::Operator,
            Self::MalformedRequest
            | Self::BodyTooLarge
            | Self::UnsupportedVersion
            | Self::UnsupportedMediaType
            | Self::NotFound
            | Self::MethodNotAllowed
            | Self::ChallengeWrongDevice
            | Self::DigestMismatch
            | Self::SignatureInvalid => Fault::Client,
        }
    }

    /// What the operator (reception staff) should do next, in voucher-model's vocabulary
    /// (its `message_ja` / `message_en` say it to the screen). This project's design:
    ///
    /// | Reasons | Next step |
    /// |---|---|
    /// | `challenge_unknown`, `challenge_expired`, `challenge_replayed` | [`NextStep::RetryNow`] |
    /// | `rate_limited`, `internal` | [`NextStep::RetryOrOtherEvidence`] |
    /// | `certificate_untrusted`, `certificate_expired`, `certificate_not_yet_valid`, `certificate_revoked` | [`NextStep::UseOtherEvidence`] (this card cannot be used) |
    /// | `unknown_device`, `wrong_facility` | [`NextStep::FixDeviceSetup`] |
    /// | `wrong_date` | [`NextStep::CheckClock`] |
    /// | `attestation_missing` | [`NextStep::CompleteVisualConfirmation`] |
    /// | every other reason (the client software sent something wrong) | [`NextStep::ContactVendor`] |
    pub fn next_step(self) -> NextStep {
        match self {
            Self::ChallengeUnknown | Self::ChallengeExpired | Self::ChallengeReplayed => {
                NextStep::RetryNow
            }
            Self::RateLimited | Self::Internal => NextStep::RetryOrOtherEvidence,
            Self::CertificateUntrusted
            | Self::CertificateExpired
            | Self::CertificateNotYetValid
            | Self::CertificateRevoked => NextStep::UseOtherEvidence,
            Self::UnknownDevice | Self::WrongFacility => NextStep::FixDeviceSetup,
            Self::WrongDate => NextStep::CheckClock,
            Self::AttestationMissing => NextStep::CompleteVisualConfirmation,
            Self::MalformedRequest
            | Self::BodyTooLarge
            | Self::UnsupportedVersion
            | Self::UnsupportedMediaType
            | Self::NotFound
            | Self::MethodNotAllowed
            | Self::ChallengeWrongDevice
            | Self::DigestMismatch
            | Self::SignatureInvalid => NextStep::ContactVendor,
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who has to act on a rejection (a guide for the client's next step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// Transient: ask for a new challenge, sign again, resend.
    RetryWithNewChallenge,
    /// Transient on the gateway side: retry later (respect `retry_after_seconds`).
    RetryLater,
    /// The card cannot be used (untrusted, expired, revoked): use other evidence.
    Card,
    /// The device is not registered, or registered for another facility: fix the
    /// registration through the portal.
    DeviceRegistration,
    /// The inquiry itself needs the operator (missing attestation, wrong date or clock).
    Operator,
    /// The client software sent something wrong (or something forged): a bug to report,
    /// never retried blindly.
    Client,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every one of the 22 reasons has its step, stated once more here so a changed mapping
    /// is a visible test change.
    #[test]
    fn every_reason_maps_to_a_next_step() {
        use NextStep::*;
        use RejectReason as R;
        let table: [(RejectReason, NextStep); 22] = [
            (R::UnknownDevice, FixDeviceSetup),
            (R::MalformedRequest, ContactVendor),
            (R::BodyTooLarge, ContactVendor),
            (R::UnsupportedVersion, ContactVendor),
            (R::UnsupportedMediaType, ContactVendor),
            (R::NotFound, ContactVendor),
            (R::MethodNotAllowed, ContactVendor),
            (R::CertificateUntrusted, UseOtherEvidence),
            (R::CertificateExpired, UseOtherEvidence),
            (R::CertificateNotYetValid, UseOtherEvidence),
            (R::CertificateRevoked, UseOtherEvidence),
            (R::ChallengeUnknown, RetryNow),
            (R::ChallengeExpired, RetryNow),
            (R::ChallengeReplayed, RetryNow),
            (R::ChallengeWrongDevice, ContactVendor),
            (R::DigestMismatch, ContactVendor),
            (R::WrongFacility, FixDeviceSetup),
            (R::WrongDate, CheckClock),
            (R::SignatureInvalid, ContactVendor),
            (R::AttestationMissing, CompleteVisualConfirmation),
            (R::RateLimited, RetryOrOtherEvidence),
            (R::Internal, RetryOrOtherEvidence),
        ];
        assert_eq!(table.map(|(r, _)| r), RejectReason::ALL);
        for (reason, step) in table {
            assert_eq!(reason.next_step(), step, "{reason}");
            assert!(!reason.next_step().message_ja().is_empty(), "{reason}");
            assert!(!reason.next_step().message_en().is_empty(), "{reason}");
            // The step agrees with who must act.
            let vendor = reason.fault() == Fault::Client;
            assert_eq!(step == ContactVendor, vendor, "{reason}");
            if reason.fault() == Fault::Card {
                assert_eq!(step, UseOtherEvidence, "{reason}");
            }
        }
    }
}
