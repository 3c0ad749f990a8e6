//! Building inquiries for tests, the load generator and examples.
//!
//! An inquiry is built in two steps, like a real client does it: [`unsigned`] makes the
//! request (facility, date, request id, search keys, card certificate), then either
//! [`digest`] + the card's signature + [`with_pin`], or [`with_visual`] for 目視確認.

use elig_proto::gateway::{
    Challenge, InquiryDigest, InquiryRequest, PinProof, Proof, RequestId, SignatureBytes,
    VisualAttestation,
};
use voucher_model::{Date, DateTime, Facility, SearchInfo};

/// Why an inquiry could not be built (caller misuse).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A field breaks the protocol's rules (request id characters, certificate or signature
    /// length…).
    Field(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Field(e) => write!(f, "cannot build the inquiry: {e}"),
        }
    }
}

impl core::error::Error for BuildError {}

/// An inquiry without a proof yet (its proof is an incomplete 目視確認 attestation, which
/// the gateway refuses until [`with_pin`] or [`with_visual`] replaces it).
pub fn unsigned(
    request_id: &str,
    facility: &Facility,
    checkup_date: Date,
    search: Option<&SearchInfo>,
    card_certificate_der: &[u8],
) -> Result<InquiryRequest, BuildError> {
    let certificate = elig_proto::gateway::CertificateDer::new(card_certificate_der.to_vec())
        .ok_or_else(|| BuildError::Field("card certificate length".into()))?;
    let request_id = RequestId::new(request_id)
        .ok_or_else(|| BuildError::Field("request_id: 1-64 of [A-Za-z0-9._:-]".into()))?;
    let midnight = DateTime::new(checkup_date, 0, 0, 0)
        .map_err(|e| BuildError::Field(format!("checkup date: {e}")))?;
    Ok(InquiryRequest::new(
        request_id,
        facility.clone(),
        checkup_date,
        search.cloned(),
        certificate,
        Proof::Visual(
            VisualAttestation::new("", midnight, false)
                .map_err(|e| BuildError::Field(e.to_string()))?,
        ),
    ))
}

/// The digest the card must sign for `request` with `challenge`, as the gateway computes it
/// for the device's `facility` (`elig_proto::gateway::digest`).
pub fn digest(request: &InquiryRequest, challenge: &Challenge, facility: &Facility) -> [u8; 32] {
    elig_proto::gateway::digest(
        request.version,
        challenge,
        facility,
        request.checkup_date,
        &request.request_id,
        request.search.as_ref(),
    )
}

/// Sets the PIN-mode proof: the challenge, the digest sent, and the card's signature.
pub fn with_pin(
    mut request: InquiryRequest,
    challenge: Challenge,
    digest: [u8; 32],
    signature: Vec<u8>,
) -> Result<InquiryRequest, BuildError> {
    let signature = SignatureBytes::new(signature)
        .ok_or_else(|| BuildError::Field("signature length".into()))?;
    request.proof = Proof::Pin(PinProof::new(challenge, InquiryDigest(digest), signature));
    Ok(request)
}

/// Sets the 目視確認 proof: who compared the photo, when, and whether it matched. A
/// `confirmed_by` that breaks voucher-model's staff-identifier rule (more than 64
/// characters, control characters) is refused, not cut.
pub fn with_visual(
    mut request: InquiryRequest,
    confirmed_by: &str,
    confirmed_at: DateTime,
    photo_matches: bool,
) -> Result<InquiryRequest, BuildError> {
    let attestation = VisualAttestation::new(confirmed_by, confirmed_at, photo_matches)
        .map_err(|e| BuildError::Field(e.to_string()))?;
    request.proof = Proof::Visual(attestation);
    Ok(request)
}
