//! Building an inquiry on the client, in the order the check runs (this project's design,
//! PROTOCOL.md §"What the card signs"):
//!
//! 1. [`UnsignedInquiry::new`]: request id, the facility (from the device certificate:
//!    [`super::device_facility`]), the checkup date and the voucher's search info;
//! 2. PIN mode: [`UnsignedInquiry::with_challenge`] once `POST /v1/challenge` answered; the
//!    [`ChallengedInquiry`] hands out the to-be-signed bytes, their digest and the DigestInfo
//!    the card signs — all before any proof exists;
//! 3. [`ChallengedInquiry::sign`] with the card certificate and the card's signature, or
//!    (目視確認) [`UnsignedInquiry::attest`] with the certificate and the staff attestation,
//!    gives the [`InquiryRequest`] to send.
//!
//! The digest in the PIN proof is the one computed from these very fields, so a client
//! cannot send a digest of other data by mistake.

use voucher_model::{Date, Facility, SearchInfo};

use super::PROTOCOL_VERSION;
use super::messages::{
    CertificateDer, Challenge, InquiryDigest, InquiryRequest, PinProof, Proof, RequestId,
    SignatureBytes, VisualAttestation,
};
use super::tbs::ToBeSigned;

/// An inquiry without its proof: everything but the card certificate and the PIN signature
/// or staff attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedInquiry {
    request_id: RequestId,
    facility: Facility,
    checkup_date: Date,
    search: Option<SearchInfo>,
}

impl UnsignedInquiry {
    /// An inquiry in the current protocol version. `facility` must be the one the device
    /// certificate names, or the gateway answers `wrong_facility` (PIN mode: the signature
    /// would not verify either).
    pub fn new(
        request_id: RequestId,
        facility: Facility,
        checkup_date: Date,
        search: Option<SearchInfo>,
    ) -> Self {
        Self {
            request_id,
            facility,
            checkup_date,
            search,
        }
    }

    /// The request id.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// The facility.
    pub fn facility(&self) -> &Facility {
        &self.facility
    }

    /// The checkup date.
    pub fn checkup_date(&self) -> Date {
        self.checkup_date
    }

    /// The search info, if any.
    pub fn search(&self) -> Option<&SearchInfo> {
        self.search.as_ref()
    }

    /// PIN mode: binds the gateway's challenge; the result knows what the card must sign.
    pub fn with_challenge(self, challenge: Challenge) -> ChallengedInquiry {
        ChallengedInquiry {
            inquiry: self,
            challenge,
        }
    }

    /// 目視確認 mode: the inquiry with the card certificate and the staff attestation (no
    /// challenge, nothing signed).
    pub fn attest(
        self,
        card_certificate: CertificateDer,
        attestation: VisualAttestation,
    ) -> InquiryRequest {
        self.into_request(card_certificate, Proof::Visual(attestation))
    }

    fn into_request(self, card_certificate: CertificateDer, proof: Proof) -> InquiryRequest {
        InquiryRequest::new(
            self.request_id,
            self.facility,
            self.checkup_date,
            self.search,
            card_certificate,
            proof,
        )
    }
}

/// A PIN-mode inquiry with its challenge, waiting for the card's signature: its
/// to-be-signed bytes exist now, before any proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengedInquiry {
    inquiry: UnsignedInquiry,
    challenge: Challenge,
}

impl ChallengedInquiry {
    /// The inquiry's fields.
    pub fn inquiry(&self) -> &UnsignedInquiry {
        &self.inquiry
    }

    /// The challenge.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// The to-be-signed structure (its [`ToBeSigned::encode`] is PROTOCOL.md's `TBS`).
    pub fn to_be_signed(&self) -> ToBeSigned<'_> {
        ToBeSigned {
            version: PROTOCOL_VERSION,
            challenge: &self.challenge,
            facility: &self.inquiry.facility,
            checkup_date: self.inquiry.checkup_date,
            request_id: &self.inquiry.request_id,
            search: self.inquiry.search.as_ref(),
        }
    }

    /// `SHA-256(TBS)`: the digest to hand to the card.
    pub fn digest(&self) -> InquiryDigest {
        InquiryDigest(self.to_be_signed().digest())
    }

    /// The inquiry to send: the card certificate and the card's signature over
    /// DigestInfo(SHA-256, [`Self::digest`]) (jpki-apdu's `DigestInfo::sha256`, the workspace's one builder of it) attached as the PIN proof (with this inquiry's digest).
    pub fn sign(
        self,
        card_certificate: CertificateDer,
        signature: SignatureBytes,
    ) -> InquiryRequest {
        let proof = PinProof::new(self.challenge, self.digest(), signature);
        self.inquiry
            .into_request(card_certificate, Proof::Pin(proof))
    }
}
