//! The deterministic test PKI of the virtual card: four RSA-2048 keys per seed (ChaCha20
//! seeded from the card seed), two "elig test" CAs, an authentication certificate padded to
//! [`AUTH_CERT_TARGET_LEN`] bytes that names no person (like the real 利用者証明用電子証明書),
//! and a signature certificate naming the persona (like the real 署名用電子証明書), all built
//! with `x509-cert`'s builder. Worthless outside tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use der::asn1::{Any, Ia5String, OctetString, Utf8StringRef};
use der::oid::ObjectIdentifier;
use der::{DateTime, Decode, Encode, Tag};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use sha2::{Digest, Sha256};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, CrlDistributionPoints, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::persona::Persona;
use super::pki::{AUTH_CERT_TARGET_LEN, KeyAndChain, PkiError, RSA_BITS};

// id-qt-unotice (RFC 5280 §4.2.1.4).
const ID_QT_UNOTICE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.2");
// anyPolicy: the test PKI has no registered policy of its own.
const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// Issues the seed's auth and sign key-and-chains.
pub(super) fn issue(seed: u64, persona: &Persona) -> Result<(KeyAndChain, KeyAndChain), PkiError> {
    let keys = seed_keys(seed)?;
    let auth_ca_name = Name::from_str_der(
        "CN=elig test JPKI user authentication CA,OU=TEST ONLY not J-LIS,O=elig test PKI,C=JP",
    )?;
    let sign_ca_name = Name::from_str_der(
        "CN=elig test JPKI digital signature CA,OU=TEST ONLY not J-LIS,O=elig test PKI,C=JP",
    )?;
    let auth_ca = issue_ca(&keys.auth_ca, &auth_ca_name, seed, 1)?;
    let sign_ca = issue_ca(&keys.sign_ca, &sign_ca_name, seed, 2)?;
    // Like the real auth certificate: a serial-derived subject, no name or address.
    let auth_subject = Name::from_str_der(&format!("CN=ELIGTEST{seed:016X}A,C=JP"))?;
    let auth_cert = issue_padded_ee(
        &keys.auth_ca,
        &auth_ca_name,
        &keys.auth,
        &auth_subject,
        seed,
        AUTH_CERT_TARGET_LEN,
    )?;
    let sign_subject = Name::from_str_der(&format!("CN={},C=JP", escape_rdn(persona.name())))?;
    let sign_cert = issue_ee(
        &keys.sign_ca,
        &sign_ca_name,
        &keys.sign,
        &sign_subject,
        seed,
        4,
        0,
    )?;
    Ok((
        KeyAndChain::new(keys.auth.clone(), auth_cert, auth_ca, "auth")?,
        KeyAndChain::new(keys.sign.clone(), sign_cert, sign_ca, "sign")?,
    ))
}

trait NameExt: Sized {
    fn from_str_der(s: &str) -> Result<Self, PkiError>;
}
impl NameExt for Name {
    fn from_str_der(s: &str) -> Result<Self, PkiError> {
        Ok(s.parse::<Name>()?)
    }
}

/// Escapes the RFC 4514 special characters of an attribute value.
fn escape_rdn(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

struct SeedKeys {
    auth_ca: PrivateKey,
    auth: PrivateKey,
    sign_ca: PrivateKey,
    sign: PrivateKey,
}

fn seed_keys(seed: u64) -> Result<Arc<SeedKeys>, PkiError> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<SeedKeys>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(keys) = map.get(&seed) {
        return Ok(Arc::clone(keys));
    }
    let gen_key = |label: u8| -> Result<PrivateKey, PkiError> {
        let mut material = [0u8; 32];
        let digest = Sha256::new()
            .chain_update(b"elig virtual My Number Card key")
            .chain_update(seed.to_be_bytes())
            .chain_update([label])
            .finalize();
        material.copy_from_slice(&digest);
        let mut rng = ChaCha20Rng::from_seed(material);
        Ok(PrivateKey::new(&mut rng, RSA_BITS)?)
    };
    let keys = Arc::new(SeedKeys {
        auth_ca: gen_key(1)?,
        auth: gen_key(2)?,
        sign_ca: gen_key(3)?,
        sign: gen_key(4)?,
    });
    map.insert(seed, Arc::clone(&keys));
    Ok(keys)
}

/// A fixed validity window (deterministic output; the real auth certificate lives about five
/// years).
fn validity() -> Result<Validity, PkiError> {
    let from = DateTime::new(2025, 4, 1, 0, 0, 0)?;
    let to = DateTime::new(2035, 3, 31, 23, 59, 59)?;
    Ok(Validity::new(Time::from(from), Time::from(to)))
}

fn serial(seed: u64, n: u8) -> Result<SerialNumber, PkiError> {
    // A leading 0x01 keeps the INTEGER positive and minimal.
    let mut bytes = Vec::with_capacity(10);
    bytes.push(0x01);
    bytes.extend_from_slice(&seed.to_be_bytes());
    bytes.push(n);
    Ok(SerialNumber::new(&bytes)?)
}

fn key_id(spki: SubjectPublicKeyInfoRef<'_>) -> Result<OctetString, PkiError> {
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    Ok(OctetString::new(
        digest.get(..20).unwrap_or(digest.as_slice()).to_vec(),
    )?)
}

fn ext<T: Encode + der::oid::AssociatedOid>(
    value: &T,
    critical: bool,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// Our builder profile: fixed issuer/subject and the extensions a JPKI-like chain carries.
struct JpkiProfile {
    issuer: Name,
    subject: Name,
    ca: bool,
    /// Bytes of UserNotice text used to pad the certificate to a target size.
    padding: usize,
}

impl BuilderProfile for JpkiProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        self.extensions(spk, issuer_spk).map_err(|e| match e {
            PkiError::Der(d) => x509_cert::builder::Error::Asn1(d),
            PkiError::Certificate(c) => c,
            _ => x509_cert::builder::Error::MissingAttributes,
        })
    }
}

impl JpkiProfile {
    fn extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
    ) -> Result<Vec<Extension>, PkiError> {
        let mut out = Vec::new();
        if self.ca {
            out.push(ext(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                true,
            )?);
            out.push(ext(
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                true,
            )?);
            out.push(ext(&SubjectKeyIdentifier(key_id(spk)?), false)?);
            return Ok(out);
        }
        out.push(ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?);
        out.push(ext(&SubjectKeyIdentifier(key_id(spk)?), false)?);
        out.push(ext(
            &AuthorityKeyIdentifier {
                key_identifier: Some(key_id(issuer_spk)?),
                ..Default::default()
            },
            false,
        )?);
        let uri = Ia5String::new("http://crl.elig-test.invalid/jpki/auth.crl")?;
        out.push(ext(
            &CrlDistributionPoints(vec![DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![
                    GeneralName::UniformResourceIdentifier(uri),
                ])),
                reasons: None,
                crl_issuer: None,
            }]),
            false,
        )?);
        let mut qualifiers = None;
        if self.padding > 0 {
            let text = "TEST CERTIFICATE. ".repeat(self.padding.div_ceil(18).saturating_add(1));
            let text = text.get(..self.padding).unwrap_or(&text);
            let notice = Utf8StringRef::new(text)?.to_der()?;
            let any = Any::new(Tag::Sequence, notice)?;
            qualifiers = Some(vec![PolicyQualifierInfo {
                policy_qualifier_id: ID_QT_UNOTICE,
                qualifier: Some(any),
            }]);
        }
        out.push(ext(
            &CertificatePolicies(vec![PolicyInformation {
                policy_identifier: ANY_POLICY,
                policy_qualifiers: qualifiers,
            }]),
            false,
        )?);
        Ok(out)
    }
}

fn spki_of(key: &PrivateKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Certificate(x509_cert::builder::Error::PublicKey(e)))?;
    Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
}

fn issue_ca(key: &PrivateKey, name: &Name, seed: u64, n: u8) -> Result<Vec<u8>, PkiError> {
    let profile = JpkiProfile {
        issuer: name.clone(),
        subject: name.clone(),
        ca: true,
        padding: 0,
    };
    let builder = CertificateBuilder::new(profile, serial(seed, n)?, validity()?, spki_of(key)?)?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(&signer)?;
    Ok(cert.to_der()?)
}

fn issue_ee(
    ca_key: &PrivateKey,
    ca_name: &Name,
    key: &PrivateKey,
    subject: &Name,
    seed: u64,
    n: u8,
    padding: usize,
) -> Result<Vec<u8>, PkiError> {
    let profile = JpkiProfile {
        issuer: ca_name.clone(),
        subject: subject.clone(),
        ca: false,
        padding,
    };
    let builder = CertificateBuilder::new(profile, serial(seed, n)?, validity()?, spki_of(key)?)?;
    let signer = SigningKey::<Sha256>::new(ca_key.clone());
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(&signer)?;
    Ok(cert.to_der()?)
}

/// Issues an end-entity certificate padded with UserNotice text to exactly `target` bytes when
/// the DER length boundaries allow it (otherwise within a byte or two).
fn issue_padded_ee(
    ca_key: &PrivateKey,
    ca_name: &Name,
    key: &PrivateKey,
    subject: &Name,
    seed: u64,
    target: usize,
) -> Result<Vec<u8>, PkiError> {
    let mut padding = 1usize;
    let mut cert = issue_ee(ca_key, ca_name, key, subject, seed, 3, padding)?;
    for _ in 0..4 {
        if cert.len() == target {
            break;
        }
        let next = if cert.len() < target {
            padding.saturating_add(target.saturating_sub(cert.len()))
        } else {
            padding
                .saturating_sub(cert.len().saturating_sub(target))
                .max(1)
        };
        padding = next;
        cert = issue_ee(ca_key, ca_name, key, subject, seed, 3, padding)?;
    }
    Ok(cert)
}
