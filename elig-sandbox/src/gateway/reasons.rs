//! What a failed check is answered with: its rejection reason, a message that carries no
//! personal data, and what the access log may show of a request.

use std::time::{Duration, SystemTime};

use elig_proto::gateway::{self as proto, RejectReason};
use http::Method;

use crate::challenge::ChallengeFailure;
use crate::verify::CheckFailure;

/// The method as logged: a standard one by name, any other (an extension token of the
/// client's choosing, which could carry anything) as `other`, like unknown paths.
pub(super) fn logged_method(method: &Method) -> &'static str {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
    ];
    STANDARD
        .iter()
        .find(|m| **m == method.as_str())
        .copied()
        .unwrap_or("other")
}

pub(super) fn check_failure_reason(f: CheckFailure) -> RejectReason {
    match f {
        CheckFailure::Untrusted => RejectReason::CertificateUntrusted,
        CheckFailure::Expired => RejectReason::CertificateExpired,
        CheckFailure::NotYetValid => RejectReason::CertificateNotYetValid,
        CheckFailure::Revoked => RejectReason::CertificateRevoked,
        CheckFailure::BadSignature => RejectReason::SignatureInvalid,
        // The gateway's own revocation data is stale: its failure, not the card's.
        CheckFailure::RevocationUnknown => RejectReason::Internal,
    }
}

pub(super) fn challenge_failure_reason(f: ChallengeFailure) -> RejectReason {
    match f {
        ChallengeFailure::Unknown => RejectReason::ChallengeUnknown,
        ChallengeFailure::Expired => RejectReason::ChallengeExpired,
        ChallengeFailure::Replayed => RejectReason::ChallengeReplayed,
        ChallengeFailure::WrongDevice => RejectReason::ChallengeWrongDevice,
    }
}

/// The rejection message for a body that did not decode, without personal data.
///
/// A rejection message must not carry personal data (PROTOCOL.md, `Rejection.message`), and
/// serde's own description can quote the offending value. elig-proto's `DecodeError` already
/// reduces a malformed body to a fixed kind of fault and its position (issue 10 item 7), so
/// its text is the message; the sandbox keeps no second copy of that list.
pub(super) fn decode_message(e: &proto::DecodeError) -> String {
    e.to_string()
}

/// How far ahead of the gateway's clock a 目視確認 `confirmed_at` may be (a reception PC's
/// clock runs a little fast): PROTOCOL.md's 5 minutes (this project's design).
const ATTESTATION_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Why a 目視確認 attestation is not one for this inquiry, if it is not. PROTOCOL.md
/// (`proof.visual`): a blank `confirmed_by` or `photo_matches: false` is
/// `attestation_missing`, "and so is one that does not attest *this* check: `confirmed_at`
/// must fall on `checkup_date` and be no later than the gateway's time in Japan plus 5
/// minutes" ([`ATTESTATION_CLOCK_SKEW`]; the checkup date is already today in Japan).
pub(super) fn attestation_problem(
    attestation: &proto::VisualAttestation,
    checkup_date: voucher_model::Date,
    now: SystemTime,
) -> Option<&'static str> {
    if !attestation.is_complete() {
        return Some("目視確認 needs a staff member and photo_matches = true");
    }
    if attestation.confirmed_at.date() != checkup_date {
        return Some("confirmed_at is not on the checkup date");
    }
    let latest = now
        .checked_add(ATTESTATION_CLOCK_SKEW)
        .and_then(|t| voucher_model::jst::date_time_from_system_time(t).ok());
    if latest.is_none_or(|latest| attestation.confirmed_at > latest) {
        return Some("confirmed_at is later than the gateway's time in Japan");
    }
    None
}

pub(super) fn card_message(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::CertificateExpired => "the card certificate has expired",
        RejectReason::CertificateNotYetValid => "the card certificate is not valid yet",
        RejectReason::CertificateRevoked => "the card certificate is revoked",
        RejectReason::Internal => {
            "the gateway's revocation list is not current, so revocation cannot be checked"
        }
        _ => "the card certificate does not chain to the JPKI authentication CA",
    }
}

pub(super) fn challenge_message(reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::ChallengeExpired => "the challenge has expired: ask for a new one",
        RejectReason::ChallengeReplayed => "the challenge was already used: ask for a new one",
        RejectReason::ChallengeWrongDevice => "the challenge was issued to another device",
        _ => "the challenge is unknown: ask for a new one",
    }
}
