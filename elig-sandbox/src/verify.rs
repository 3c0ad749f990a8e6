//! Certificate checks with keys parsed once: the device certificate against the device CA,
//! the card certificate against the authentication CA, validity dates and the CRL, and the
//! card's signature over the protocol digest.
//!
//! Everything static (CA names and public keys, the revoked serials) is parsed when the
//! gateway starts; a request costs one certificate parse and two RSA-2048 public-key
//! operations (chain and signature).
//!
//! The card side is public ([`Verifier::new`], [`Verifier::card`],
//! [`Verifier::verify_pin_signature`]) so that benchmarks and other tools measure and reuse
//! exactly the checks the gateway runs, not a copy of them.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::SystemTime;

use der::oid::ObjectIdentifier;
use der::referenced::OwnedToRef as _;
use der::{Decode as _, Encode as _};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};
use signature::Verifier as _;
use signature::hazmat::PrehashVerifier as _;
use x509_cert::certificate::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::name::Name;

use crate::pki::{Facility, PkiError, TestPki, serial_u64};

/// A JPKI user-authentication key's modulus: 2,048 bits (card.md, EF `000A`).
const CARD_KEY_BYTES: usize = 256;

/// `sha256WithRSAEncryption` (RFC 4055).
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// Why a card certificate or signature check failed. Each maps to one rejection reason of
/// PROTOCOL.md; all but [`CheckFailure::RevocationUnknown`] are the client's (its card or its
/// signature), that one is the gateway's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckFailure {
    /// Not DER, not issued by the expected CA, or a bad CA signature.
    Untrusted,
    /// `notAfter` has passed.
    Expired,
    /// `notBefore` is in the future.
    NotYetValid,
    /// On the CRL.
    Revoked,
    /// The signature does not verify.
    BadSignature,
    /// The gateway's CRL is not current at the time of the check (before its `thisUpdate` or
    /// at/after its `nextUpdate`), so revocation cannot be decided: a gateway failure, never a
    /// pass.
    RevocationUnknown,
}

/// A CRL whose signature was checked: the serials it lists and the span in which it is
/// current (RFC 5280 §5.1.2.4–5: `thisUpdate` ≤ now < `nextUpdate`).
#[derive(Debug)]
struct RevocationList {
    serials: HashSet<Vec<u8>>,
    this_update: SystemTime,
    next_update: SystemTime,
}

impl RevocationList {
    /// Whether this list may be relied on at `now`.
    fn current_at(&self, now: SystemTime) -> bool {
        self.this_update <= now && now < self.next_update
    }
}

/// A CA's name and public key, parsed once.
#[derive(Debug)]
struct Anchor {
    name: Name,
    key: VerifyingKey<Sha256>,
}

impl Anchor {
    fn from_cert(cert: &Certificate) -> Result<Self, PkiError> {
        let key = VerifyingKey::<Sha256>::try_from(
            cert.tbs_certificate()
                .subject_public_key_info()
                .owned_to_ref(),
        )
        .map_err(|e| PkiError::State(format!("CA key is not RSA: {e}")))?;
        Ok(Self {
            name: cert.tbs_certificate().subject().clone(),
            key,
        })
    }

    /// The serials listed by `crl_der` and when the list is current, after checking that this
    /// CA signed it. A CRL without `nextUpdate` is refused: nothing would say when it goes
    /// stale (RFC 5280 §5.1.2.5 requires the field).
    fn revocation_list(&self, crl_der: &[u8]) -> Result<RevocationList, PkiError> {
        let crl = <CertificateList>::from_der(crl_der)
            .map_err(|e| PkiError::State(format!("CRL: {e}")))?;
        let tbs_der = crl
            .tbs_cert_list
            .to_der()
            .map_err(|e| PkiError::State(format!("CRL: {e}")))?;
        let sig = crl
            .signature
            .as_bytes()
            .and_then(|b| Signature::try_from(b).ok())
            .ok_or_else(|| PkiError::State("CRL signature is malformed".into()))?;
        if crl.tbs_cert_list.issuer != self.name || self.key.verify(&tbs_der, &sig).is_err() {
            return Err(PkiError::State(
                "a CRL is not signed by the CA it belongs to".into(),
            ));
        }
        let next_update = crl
            .tbs_cert_list
            .next_update
            .ok_or_else(|| PkiError::State("a CRL has no nextUpdate".into()))?;
        Ok(RevocationList {
            serials: crl
                .tbs_cert_list
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| r.serial_number.as_bytes().to_vec())
                .collect(),
            this_update: crl.tbs_cert_list.this_update.to_system_time(),
            next_update: next_update.to_system_time(),
        })
    }

    /// Whether `cert` names this CA as issuer and carries its valid sha256WithRSA signature.
    fn issued(&self, cert: &Certificate) -> bool {
        let tbs = cert.tbs_certificate();
        if tbs.issuer() != &self.name
            || cert.signature_algorithm().oid != SHA256_WITH_RSA
            || tbs.signature().oid != SHA256_WITH_RSA
        {
            return false;
        }
        let Some(sig_bytes) = cert.signature().as_bytes() else {
            return false;
        };
        let Ok(sig) = Signature::try_from(sig_bytes) else {
            return false;
        };
        let Ok(tbs_der) = tbs.to_der() else {
            return false;
        };
        self.key.verify(&tbs_der, &sig).is_ok()
    }
}

/// Whether the CA certificate `issuer` signed `cert` (issuer name, sha256WithRSA signature
/// by its key): used when a state folder is loaded, so that an edited or swapped
/// certificate is refused there rather than at the first handshake.
pub(crate) fn signed_by(issuer: &Certificate, cert: &Certificate) -> bool {
    Anchor::from_cert(issuer).is_ok_and(|anchor| anchor.issued(cert))
}

/// `notBefore <= now <= notAfter`: RFC 5280 §4.1.2.5, "the period from notBefore through
/// notAfter, inclusive".
fn check_validity(cert: &Certificate, now: SystemTime) -> Result<(), CheckFailure> {
    let validity = cert.tbs_certificate().validity();
    if now < validity.not_before.to_system_time() {
        return Err(CheckFailure::NotYetValid);
    }
    if now > validity.not_after.to_system_time() {
        return Err(CheckFailure::Expired);
    }
    Ok(())
}

/// Whether `cert` is an end-entity certificate usable for signatures: not a CA
/// (`basicConstraints` cA false or absent) and, when `keyUsage` is present, with
/// `digitalSignature` (the CA's own certificate, self-issued, must not pass as a card's).
fn is_signing_end_entity(cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate();
    let not_ca = match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) => !bc.ca,
        Ok(None) => true,
        Err(_) => false,
    };
    let signs = match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => ku.digital_signature(),
        Ok(None) => true,
        Err(_) => false,
    };
    not_ca && signs
}

/// The extensions this verifier understands (RFC 5280 §4.2.1): keyUsage, basicConstraints,
/// extKeyUsage, subjectAltName, authorityKeyIdentifier, subjectKeyIdentifier.
const KNOWN_EXTENSIONS: [ObjectIdentifier; 6] = [
    ObjectIdentifier::new_unwrap("2.5.29.15"),
    ObjectIdentifier::new_unwrap("2.5.29.19"),
    ObjectIdentifier::new_unwrap("2.5.29.37"),
    ObjectIdentifier::new_unwrap("2.5.29.17"),
    ObjectIdentifier::new_unwrap("2.5.29.35"),
    ObjectIdentifier::new_unwrap("2.5.29.14"),
];

/// Whether `cert` carries a critical extension this verifier does not understand: RFC 5280
/// §4.2 says such a certificate MUST be rejected (its issuer limited its use in a way the
/// verifier cannot honour).
fn has_unknown_critical_extension(cert: &Certificate) -> bool {
    cert.tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .any(|e| e.critical && !KNOWN_EXTENSIONS.contains(&e.extn_id))
}

/// A device that passed the device-certificate check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    /// The facility its certificate names.
    pub facility: Facility,
    /// SHA-256 of the device certificate: binds challenges to the device.
    pub cert_sha256: [u8; 32],
}

/// A card certificate that passed chain, validity and revocation checks.
#[derive(Debug, Clone)]
pub struct VerifiedCard {
    /// The certificate serial as an unsigned number (when it fits in 64 bits).
    pub(crate) serial: Option<u64>,
    /// A short hash of the serial for the access log (never the certificate itself).
    pub(crate) serial_hash: String,
    key: VerifyingKey<Sha256>,
}

impl VerifiedCard {
    /// Verifies an RSA PKCS#1 v1.5 signature over the SHA-256 `digest` with the card key
    /// (the card signs a DigestInfo over a digest the host computed: card.md, COMPUTE
    /// DIGITAL SIGNATURE).
    ///
    /// # Errors
    /// [`CheckFailure::BadSignature`].
    pub fn verify_digest_signature(
        &self,
        digest: &[u8; 32],
        signature: &[u8],
    ) -> Result<(), CheckFailure> {
        let sig = Signature::try_from(signature).map_err(|_| CheckFailure::BadSignature)?;
        self.key
            .verify_prehash(digest, &sig)
            .map_err(|_| CheckFailure::BadSignature)
    }
}

/// A short tag of a certificate serial for logs: the first 8 bytes of
/// SHA-256(`"elig-sandbox card tag"` ‖ `key` ‖ the serial's DER content bytes), hex.
///
/// Keyed with a random per-gateway `key`, because serials are small numbers: an unkeyed hash
/// of one is reversed by trying every serial, which would turn the log's tag back into the
/// card (and so the person). The same card gets the same tag while the gateway runs.
pub(crate) fn serial_hash(key: &[u8; 32], serial_bytes: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"elig-sandbox card tag")
        .chain_update(key)
        .chain_update(serial_bytes)
        .finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The gateway's certificate checker, built once from the PKI.
#[derive(Debug, Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    auth_ca: Anchor,
    device_ca: Anchor,
    /// Revoked card certificates (the authentication CA's CRL).
    revoked: RevocationList,
    /// Revoked device certificates (the device CA's CRL).
    withdrawn: RevocationList,
    /// The key of the card tags in the access log ([`serial_hash`]): random per start.
    tag_key: [u8; 32],
}

impl Verifier {
    /// Parses the CA keys and both CRLs (checking each CRL's signature by its CA).
    ///
    /// # Errors
    /// [`PkiError::State`] when a CA key is not RSA, a CRL is not signed by its CA or has no
    /// `nextUpdate`, or the system random generator fails.
    pub fn new(pki: &TestPki) -> Result<Self, PkiError> {
        let auth_ca = Anchor::from_cert(pki.auth_ca().cert())?;
        let device_ca = Anchor::from_cert(pki.device_ca().cert())?;
        let revoked = auth_ca.revocation_list(pki.crl_der())?;
        let withdrawn = device_ca.revocation_list(pki.device_crl_der())?;
        let mut tag_key = [0u8; 32];
        rustls::crypto::ring::default_provider()
            .secure_random
            .fill(&mut tag_key)
            .map_err(|_| PkiError::State("the system random generator failed".into()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                auth_ca,
                device_ca,
                revoked,
                withdrawn,
                tag_key,
            }),
        })
    }

    /// The device check without its end (tests).
    #[cfg(test)]
    pub(crate) fn device(&self, cert_der: &[u8], now: SystemTime) -> Option<DeviceIdentity> {
        self.device_until(cert_der, now).map(|(device, _)| device)
    }

    /// Checks a TLS client certificate: issued by the device CA, within its validity, not
    /// revoked by a current device CRL, naming a facility. Any failure means "not a
    /// registered device". Also returns the instant the decision stops holding: the
    /// certificate's `notAfter` or the device CRL's `nextUpdate`, whichever comes first (a
    /// keep-alive connection outliving it is no longer a registered device's).
    pub(crate) fn device_until(
        &self,
        cert_der: &[u8],
        now: SystemTime,
    ) -> Option<(DeviceIdentity, SystemTime)> {
        let cert = Certificate::from_der(cert_der).ok()?;
        let withdrawn = &self.inner.withdrawn;
        if !self.inner.device_ca.issued(&cert)
            || !is_signing_end_entity(&cert)
            || has_unknown_critical_extension(&cert)
            || check_validity(&cert, now).is_err()
            || !withdrawn.current_at(now)
            || withdrawn
                .serials
                .contains(cert.tbs_certificate().serial_number().as_bytes())
        {
            return None;
        }
        let facility =
            elig_proto::gateway::facility_from_subject(cert.tbs_certificate().subject())?;
        let until = cert
            .tbs_certificate()
            .validity()
            .not_after
            .to_system_time()
            .min(withdrawn.next_update);
        let device = DeviceIdentity {
            facility,
            cert_sha256: Sha256::digest(cert_der).into(),
        };
        Some((device, until))
    }

    /// The whole per-request card check of a PIN-mode inquiry, as the gateway runs it:
    /// [`Self::card`], then the card's signature over the protocol `digest`
    /// ([`VerifiedCard::verify_digest_signature`]).
    ///
    /// # Errors
    /// The first [`CheckFailure`].
    pub fn verify_pin_signature(
        &self,
        cert_der: &[u8],
        digest: &[u8; 32],
        signature: &[u8],
        now: SystemTime,
    ) -> Result<VerifiedCard, CheckFailure> {
        let card = self.card(cert_der, now)?;
        card.verify_digest_signature(digest, signature)?;
        Ok(card)
    }

    /// Checks a card certificate in order: chain to the authentication CA, validity dates at
    /// `now`, revocation (by a CRL current at `now`, else [`CheckFailure::RevocationUnknown`]),
    /// an RSA-2048 key.
    ///
    /// # Errors
    /// The first [`CheckFailure`].
    pub fn card(&self, cert_der: &[u8], now: SystemTime) -> Result<VerifiedCard, CheckFailure> {
        let cert = Certificate::from_der(cert_der).map_err(|_| CheckFailure::Untrusted)?;
        if !self.inner.auth_ca.issued(&cert)
            || !is_signing_end_entity(&cert)
            || has_unknown_critical_extension(&cert)
        {
            return Err(CheckFailure::Untrusted);
        }
        check_validity(&cert, now)?;
        let serial = cert.tbs_certificate().serial_number().as_bytes();
        if !self.inner.revoked.current_at(now) {
            return Err(CheckFailure::RevocationUnknown);
        }
        if self.inner.revoked.serials.contains(serial) {
            return Err(CheckFailure::Revoked);
        }
        let key = rsa::PublicKey::try_from(
            cert.tbs_certificate()
                .subject_public_key_info()
                .owned_to_ref(),
        )
        .map_err(|_| CheckFailure::Untrusted)?;
        // The user-authentication key is RSA-2048 (card.md, EF 000A): a certificate for a key
        // of another size is not a card's, whoever signed it.
        if key.size() != CARD_KEY_BYTES {
            return Err(CheckFailure::Untrusted);
        }
        let key = VerifyingKey::<Sha256>::new(key);
        Ok(VerifiedCard {
            serial: serial_u64(serial),
            serial_hash: serial_hash(&self.inner.tag_key, serial),
            key,
        })
    }
}

#[cfg(test)]
mod tests;
