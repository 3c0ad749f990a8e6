//! The PIN-mode check from `jpki-apdu`, run unchanged over any `Transport`, and what every
//! backend must show for it.
#![allow(dead_code, unreachable_pub)] // each test binary uses part of this module
#![allow(clippy::unwrap_used)] // test helpers: a failure is the point

use jpki_apdu::procedure::{LastTry, PinModeCheck, PinModeEvidence};
use jpki_apdu::{AuthPin, DigestInfo, DriveError, drive};
use reader_backends::{CheckEnd, Transport, TransportError};
use rsa::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

/// DESIGN.md target: ≤ 9 APDUs with extended length, ≤ 16 short-only (1,900-byte cert).
pub const MAX_APDUS_EXTENDED: usize = 9;
/// See [`MAX_APDUS_EXTENDED`].
pub const MAX_APDUS_SHORT: usize = 16;

/// The digest a gateway challenge would produce (fixed, so transcripts are stable).
pub fn digest() -> [u8; 32] {
    Sha256::digest(b"elig reader-backends test challenge").into()
}

/// Runs the card side of a PIN-mode check over `transport`, exactly as a client would:
/// bracketed by `begin_check` and `end_check` (leave the card after a check that ended with
/// the ISD selected, power it down after a failure).
pub fn pin_mode_check(
    transport: &mut dyn Transport,
    pin: &str,
) -> Result<PinModeEvidence, DriveError<TransportError>> {
    let check = PinModeCheck::up_front(
        AuthPin::new(pin).unwrap(),
        LastTry::Refuse,
        DigestInfo::sha256(&digest()),
        transport.limits(),
    );
    transport.begin_check().map_err(DriveError::Transport)?;
    let result = drive(check, |command| transport.transmit(command));
    match result {
        Ok(evidence) => {
            transport
                .end_check(CheckEnd::LeaveCard)
                .map_err(DriveError::Transport)?;
            Ok(evidence)
        }
        Err(e) => {
            // The check's own error is the one to report; a removed card cannot be powered.
            let _ = transport.end_check(CheckEnd::PowerDown);
            Err(e)
        }
    }
}

/// The evidence is a 1,900-byte certificate and a signature that verifies with its key
/// over the DigestInfo.
pub fn assert_evidence_verifies(evidence: &PinModeEvidence) {
    use der::{Decode, Encode};
    assert_eq!(evidence.certificate.len(), 1900);
    let cert = x509_cert::Certificate::from_der(&evidence.certificate).unwrap();
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .unwrap();
    let key = rsa::PublicKey::from_public_key_der(&spki).unwrap();
    let digest_info = DigestInfo::sha256(&digest());
    key.verify(
        Pkcs1v15Sign::new_unprefixed(),
        digest_info.as_bytes(),
        &evidence.signature,
    )
    .unwrap();
}
