//! The exact bytes the card signs (this project's design; PROTOCOL.md §"What the card signs").
//!
//! ```text
//! TBS = TAG                          24 bytes, ASCII "ELIG-GATEWAY-INQUIRY-TBS" (no prefix)
//!     ‖ version                       u16 big-endian (1)
//!     ‖ field(challenge)              the 32 challenge bytes
//!     ‖ field(facility)               ASCII "kenshin-kikan:<10 digits>" or "oqs-code:<code>":
//!                                      the device certificate's subject serialNumber
//!     ‖ field(checkup_date)           ASCII yyyyMMdd
//!     ‖ field(request_id)             ASCII
//!     ‖ field(search_hash)            empty when the inquiry has no search info, else
//!                                      SHA-256(SEARCH) (32 bytes)
//! field(x) = u32 big-endian length of x ‖ x
//!
//! SEARCH = "ELIG-GATEWAY-SEARCH-INFO" ‖ version u16 BE
//!     ‖ opt(InsurerNumber) ‖ opt(InsuredCardSymbol) ‖ opt(InsuredIdentificationNumber)
//!     ‖ opt(InsuredBranchNumber) ‖ opt(Birthdate yyyyMMdd) ‖ opt(…ConsFlg code)
//! opt(absent) = 0x00;  opt(x) = 0x01 ‖ field(UTF-8 of x)
//!
//! digest    = SHA-256(TBS)
//! signature = RSASSA-PKCS1-v1_5 with DigestInfo(SHA-256, digest)
//!           = the card's COMPUTE DIGITAL SIGNATURE over DigestInfo(SHA-256, digest)
//! ```
//!
//! This crate stops at the digest. Wrapping it in a DigestInfo for the card is a card fact
//! (card.md, COMPUTE DIGITAL SIGNATURE): jpki-apdu's `DigestInfo::sha256` builds it, the
//! one builder in the workspace.
//!
//! The values are the typed values' canonical text: `InsurerNumber` in its 8-digit form,
//! 記号/番号 as sent (trimmed), dates `yyyyMMdd`. Every field is length-prefixed and the
//! tag fixes the purpose, so no two different inquiries share an encoding, and no signature
//! made for another protocol (or for another institution, day or request) verifies here.

use sha2::{Digest as _, Sha256};
use voucher_model::{Date, Facility, SearchInfo};

use super::facility::facility_text;
use super::messages::{Challenge, RequestId};

/// The domain tag that starts the to-be-signed bytes.
pub const TBS_TAG: &[u8; 24] = b"ELIG-GATEWAY-INQUIRY-TBS";
/// The domain tag that starts the search-info encoding.
pub const SEARCH_TAG: &[u8; 24] = b"ELIG-GATEWAY-SEARCH-INFO";

/// Everything the signature binds. Build it on the client from its own configuration and
/// the challenge; on the gateway from the inquiry and the device certificate's facility.
#[derive(Debug, Clone, Copy)]
pub struct ToBeSigned<'a> {
    /// Protocol version (the inquiry's `version`).
    pub version: u16,
    /// The challenge.
    pub challenge: &'a Challenge,
    /// The facility (gateway: from the device certificate, never from the body).
    pub facility: &'a Facility,
    /// The checkup date.
    pub checkup_date: Date,
    /// The request id.
    pub request_id: &'a RequestId,
    /// The inquiry's search info, if it has one.
    pub search: Option<&'a SearchInfo>,
}

fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    // Every field is bounded far below 4 GiB by its type (RequestId ≤ 64 bytes, facility
    // ≤ 52, 記号/番号 ≤ 40 Shift_JIS bytes) and by the 16 KiB message limit.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_opt(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => out.push(0x00),
        Some(v) => {
            out.push(0x01);
            put_field(out, v.as_bytes());
        }
    }
}

/// The search-info encoding `SEARCH` (see the module docs).
pub fn search_encoding(version: u16, search: &SearchInfo) -> Vec<u8> {
    let mut out = Vec::with_capacity(160);
    out.extend_from_slice(SEARCH_TAG);
    out.extend_from_slice(&version.to_be_bytes());
    put_opt(&mut out, search.insurer_number.as_ref().map(|v| v.as_str()));
    put_opt(
        &mut out,
        search.insured_card_symbol.as_ref().map(|v| v.as_str()),
    );
    put_opt(
        &mut out,
        search
            .insured_identification_number
            .as_ref()
            .map(|v| v.as_str()),
    );
    put_opt(
        &mut out,
        search.insured_branch_number.as_ref().map(|v| v.as_str()),
    );
    let birthdate = search.birthdate.map(Date::to_yyyymmdd);
    put_opt(&mut out, birthdate.as_deref());
    put_opt(
        &mut out,
        search
            .limit_application_certificate_related_cons_flg
            .as_ref()
            .map(|v| v.code()),
    );
    out
}

impl ToBeSigned<'_> {
    /// The to-be-signed bytes `TBS`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(TBS_TAG);
        out.extend_from_slice(&self.version.to_be_bytes());
        put_field(&mut out, self.challenge.as_bytes());
        put_field(&mut out, facility_text(self.facility).as_bytes());
        put_field(&mut out, self.checkup_date.to_yyyymmdd().as_bytes());
        put_field(&mut out, self.request_id.as_str().as_bytes());
        match self.search {
            None => put_field(&mut out, &[]),
            Some(search) => {
                let hash = Sha256::digest(search_encoding(self.version, search));
                put_field(&mut out, &hash);
            }
        }
        out
    }

    /// `SHA-256(TBS)`: what the card signs (inside a DigestInfo).
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.encode()).into()
    }
}

/// `SHA-256(TBS)` for the given inquiry fields (see [`ToBeSigned`]).
pub fn digest(
    version: u16,
    challenge: &Challenge,
    facility: &Facility,
    checkup_date: Date,
    request_id: &RequestId,
    search: Option<&SearchInfo>,
) -> [u8; 32] {
    ToBeSigned {
        version,
        challenge,
        facility,
        checkup_date,
        request_id,
        search,
    }
    .digest()
}
