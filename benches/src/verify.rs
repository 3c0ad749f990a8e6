//! Signature verification as elig-sandbox does it for every PIN-mode inquiry
//! (`elig-sandbox/src/verify.rs`, whose `Verifier` is crate-private, so its steps are
//! repeated here with the same crates and calls): parse the card certificate (x509-cert),
//! check that the authentication CA issued it (issuer name, sha256WithRSA, the CA's RSA
//! PKCS#1 v1.5 signature over the re-encoded TBS), take the card key from the SPKI, and
//! verify the card's PKCS#1 v1.5 signature over the SHA-256 digest (prehash).
//! Validity dates and the CRL lookup are set comparisons and are left out.

use der::referenced::OwnedToRef as _;
use der::{Decode as _, Encode as _};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use sha2::Sha256;
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;
use x509_cert::Certificate;
use x509_cert::name::Name;

use crate::FixtureError;

/// `sha256WithRSAEncryption` (RFC 4055).
const SHA256_WITH_RSA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// The authentication CA, parsed once (the sandbox does this at start-up).
#[derive(Debug)]
pub struct Anchor {
    name: Name,
    key: VerifyingKey<Sha256>,
}

impl Anchor {
    /// Parses the CA certificate.
    ///
    /// # Errors
    /// [`FixtureError::Data`] when it is not an RSA CA certificate.
    pub fn from_der(ca_der: &[u8]) -> Result<Self, FixtureError> {
        let cert = Certificate::from_der(ca_der).map_err(|e| FixtureError::Data(e.to_string()))?;
        let key = VerifyingKey::<Sha256>::try_from(
            cert.tbs_certificate()
                .subject_public_key_info()
                .owned_to_ref(),
        )
        .map_err(|e| FixtureError::Data(e.to_string()))?;
        Ok(Self {
            name: cert.tbs_certificate().subject().clone(),
            key,
        })
    }

    /// The per-request work: certificate parse, chain signature, card key, card signature.
    /// Returns whether everything verified.
    pub fn verify_inquiry(
        &self,
        card_cert_der: &[u8],
        digest: &[u8; 32],
        signature: &[u8],
    ) -> bool {
        let Ok(cert) = Certificate::from_der(card_cert_der) else {
            return false;
        };
        let tbs = cert.tbs_certificate();
        if tbs.issuer() != &self.name
            || cert.signature_algorithm().oid != SHA256_WITH_RSA
            || tbs.signature().oid != SHA256_WITH_RSA
        {
            return false;
        }
        let Some(ca_sig) = cert
            .signature()
            .as_bytes()
            .and_then(|b| Signature::try_from(b).ok())
        else {
            return false;
        };
        let Ok(tbs_der) = tbs.to_der() else {
            return false;
        };
        if self.key.verify(&tbs_der, &ca_sig).is_err() {
            return false;
        }
        let Ok(card_key) =
            VerifyingKey::<Sha256>::try_from(tbs.subject_public_key_info().owned_to_ref())
        else {
            return false;
        };
        let Ok(sig) = Signature::try_from(signature) else {
            return false;
        };
        card_key.verify_prehash(digest, &sig).is_ok()
    }
}
