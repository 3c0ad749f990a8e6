//! Building inquiries for tests, the load generator and examples.
//!
//! An inquiry is built in two steps, like a real client does it: [`unsigned`] makes the
//! draft (facility, date, request id, search keys, card certificate) on elig-proto's
//! [`UnsignedInquiry`], then either [`digest`] + the card's signature + [`with_pin`], or
//! [`with_visual`] for 目視確認. Unlike a client, these helpers also build wrong inquiries on
//! purpose (a digest for another facility, any digest).

use elig_proto::gateway::{
    CertificateDer, Challenge, InquiryDigest, InquiryRequest, PROTOCOL_VERSION, PinProof, Proof,
    RequestId, SignatureBytes, UnsignedInquiry, VisualAttestation,
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

/// An inquiry without its proof: elig-proto's [`UnsignedInquiry`] and the card certificate
/// that goes with whichever proof is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The inquiry's fields.
    pub inquiry: UnsignedInquiry,
    /// The card's authentication certificate.
    pub card_certificate: CertificateDer,
}

/// An inquiry without a proof yet: [`with_pin`] or [`with_visual`] attaches one.
pub fn unsigned(
    request_id: &str,
    facility: &Facility,
    checkup_date: Date,
    search: Option<&SearchInfo>,
    card_certificate_der: &[u8],
) -> Result<Draft, BuildError> {
    let card_certificate = CertificateDer::new(card_certificate_der.to_vec())
        .ok_or_else(|| BuildError::Field("card certificate length".into()))?;
    let request_id = RequestId::new(request_id)
        .ok_or_else(|| BuildError::Field("request_id: 1-64 of [A-Za-z0-9._:-]".into()))?;
    Ok(Draft {
        inquiry: UnsignedInquiry::new(request_id, facility.clone(), checkup_date, search.cloned()),
        card_certificate,
    })
}

/// The digest the card must sign for `draft` with `challenge`, as the gateway computes it
/// for the device's `facility` (which tests may set apart from the draft's, to play a
/// client that signs for another facility). With the draft's own facility this is
/// `draft.inquiry.with_challenge(challenge).digest()`.
pub fn digest(draft: &Draft, challenge: &Challenge, facility: &Facility) -> [u8; 32] {
    let inquiry = &draft.inquiry;
    elig_proto::gateway::digest(
        PROTOCOL_VERSION,
        challenge,
        facility,
        inquiry.checkup_date(),
        inquiry.request_id(),
        inquiry.search(),
    )
}

/// Attaches the PIN-mode proof: the challenge, the digest sent (any digest: tests send
/// wrong ones on purpose; a real client uses [`ChallengedInquiry::sign`]), and the card's
/// signature.
///
/// [`ChallengedInquiry::sign`]: elig_proto::gateway::ChallengedInquiry::sign
pub fn with_pin(
    draft: Draft,
    challenge: Challenge,
    digest: [u8; 32],
    signature: Vec<u8>,
) -> Result<InquiryRequest, BuildError> {
    let signature = SignatureBytes::new(signature)
        .ok_or_else(|| BuildError::Field("signature length".into()))?;
    let inquiry = draft.inquiry;
    Ok(InquiryRequest::new(
        inquiry.request_id().clone(),
        inquiry.facility().clone(),
        inquiry.checkup_date(),
        inquiry.search().cloned(),
        draft.card_certificate,
        Proof::Pin(PinProof::new(challenge, InquiryDigest(digest), signature)),
    ))
}

/// Attaches the 目視確認 proof: who compared the photo, when, and whether it matched. A
/// `confirmed_by` that breaks voucher-model's staff-identifier rule (more than 64
/// characters, control characters) is refused, not cut.
pub fn with_visual(
    draft: Draft,
    confirmed_by: &str,
    confirmed_at: DateTime,
    photo_matches: bool,
) -> Result<InquiryRequest, BuildError> {
    let attestation = VisualAttestation::new(confirmed_by, confirmed_at, photo_matches)
        .map_err(|e| BuildError::Field(e.to_string()))?;
    Ok(draft.inquiry.attest(draft.card_certificate, attestation))
}
