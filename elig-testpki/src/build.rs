//! Certificate and CRL construction with `x509-cert`'s builder.

use std::str::FromStr;
use std::time::SystemTime;

use der::asn1::{Ia5String, OctetString, Uint};
use der::oid::ObjectIdentifier;
use der::referenced::OwnedToRef as _;
use rsa::PrivateKey;
use rsa::pkcs1v15::{Signature, SigningKey};
use sha2::Sha256;
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder, CrlBuilder};
use x509_cert::certificate::{Certificate, TbsCertificate};
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlNumber, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::PkiError;

/// `id-kp-serverAuth` (RFC 5280 §4.2.1.12).
const ID_KP_SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// `id-kp-clientAuth` (RFC 5280 §4.2.1.12).
const ID_KP_CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// The private extension that pads card certificates to a real one's size: OID
/// 1.3.6.1.4.1.32473.1 (under IANA's enterprise number reserved for documentation and
/// examples, RFC 5612: never anything real), non-critical, value a
/// DER OCTET STRING of zero bytes. It stands in for the CRL distribution point, authority
/// information access and policy extensions a real JPKI certificate carries.
pub(crate) const ID_SIZE_FILLER: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1");

/// The kind of certificate to issue; decides the extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A self-signed certification authority.
    Ca,
    /// A card's user-authentication certificate (利用者証明用電子証明書): signing only,
    /// with `filler` bytes of the size-filler extension ([`ID_SIZE_FILLER`]; 0 = none).
    CardAuth {
        /// Zero bytes in the filler extension.
        filler: usize,
        /// Whether the filler is marked critical (never for issued cards: tests of a
        /// verifier that must refuse critical extensions it does not know).
        critical_filler: bool,
    },
    /// A card's digital-signature certificate (署名用電子証明書): digitalSignature and
    /// nonRepudiation; its subject names the holder (card.md).
    CardSign,
    /// A reception device's TLS client certificate.
    Device,
    /// The gateway's TLS server certificate (SAN `localhost`, `127.0.0.1`).
    Server,
}

/// A profile that adds nothing by itself: the extensions come from [`Kind`].
struct Plain {
    issuer: Name,
    subject: Name,
}

impl BuilderProfile for Plain {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}

/// The issuing side of a certificate: the issuer's name, key and (for non-self-signed) its
/// certificate.
pub(crate) struct Issuer<'a> {
    pub(crate) name: &'a Name,
    pub(crate) key: &'a SigningKey<Sha256>,
    pub(crate) cert: Option<&'a Certificate>,
}

/// Parses an RFC 4514 name; the names used here are constants of this crate.
pub(crate) fn name(rfc4514: &str) -> Result<Name, PkiError> {
    Name::from_str(rfc4514).map_err(|e| PkiError::Build(format!("name {rfc4514:?}: {e}")))
}

fn build_err(what: &str) -> impl FnOnce(x509_cert::builder::Error) -> PkiError + '_ {
    move |e| PkiError::Build(format!("{what}: {e}"))
}

fn der_err(what: &str) -> impl FnOnce(der::Error) -> PkiError + '_ {
    move |e| PkiError::Build(format!("{what}: {e}"))
}

/// An X.509 `Time` for `at`.
pub(crate) fn time(at: SystemTime) -> Result<Time, PkiError> {
    Time::try_from(at).map_err(der_err("time"))
}

/// The SubjectPublicKeyInfo of an RSA key.
pub(crate) fn spki_of(key: &PrivateKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Build(format!("public key: {e}")))?;
    SubjectPublicKeyInfoOwned::try_from(der.as_bytes())
        .map_err(|e| PkiError::Build(format!("public key: {e}")))
}

/// Issues a certificate of `kind` for `subject` / `subject_key`, signed by `issuer`.
pub(crate) fn certificate(
    kind: Kind,
    subject: &Name,
    subject_key: SubjectPublicKeyInfoOwned,
    issuer: &Issuer<'_>,
    serial: u64,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<Certificate, PkiError> {
    let validity = Validity::new(time(not_before)?, time(not_after)?);
    let serial = SerialNumber::from(serial);
    let ski = SubjectKeyIdentifier::try_from(subject_key.owned_to_ref())
        .map_err(|e| PkiError::Build(format!("subject key identifier: {e}")))?;
    let profile = Plain {
        issuer: issuer.name.clone(),
        subject: subject.clone(),
    };
    let mut builder = CertificateBuilder::new(profile, serial, validity, subject_key)
        .map_err(build_err("certificate builder"))?;
    let ext = der_err("extension");
    match kind {
        Kind::Ca => {
            builder
                .add_extension(&BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                })
                .map_err(ext)?;
            builder
                .add_extension(&KeyUsage(
                    KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature,
                ))
                .map_err(der_err("extension"))?;
            builder.add_extension(&ski).map_err(der_err("extension"))?;
        }
        Kind::CardAuth {
            filler,
            critical_filler,
        } => {
            builder
                .add_extension(&KeyUsage(KeyUsages::DigitalSignature.into()))
                .map_err(ext)?;
            if filler > 0 {
                let value = OctetString::new(vec![0u8; filler])
                    .and_then(|inner| der::Encode::to_der(&inner))
                    .and_then(OctetString::new)
                    .map_err(der_err("filler"))?;
                builder
                    .add_extension(Extension {
                        extn_id: ID_SIZE_FILLER,
                        critical: critical_filler,
                        extn_value: value,
                    })
                    .map_err(der_err("extension"))?;
            }
        }
        Kind::CardSign => {
            builder
                .add_extension(&KeyUsage(
                    KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
                ))
                .map_err(ext)?;
        }
        Kind::Device => {
            builder
                .add_extension(&KeyUsage(
                    KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
                ))
                .map_err(ext)?;
            builder
                .add_extension(&ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH]))
                .map_err(der_err("extension"))?;
        }
        Kind::Server => {
            builder
                .add_extension(&KeyUsage(
                    KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
                ))
                .map_err(ext)?;
            builder
                .add_extension(&ExtendedKeyUsage(vec![ID_KP_SERVER_AUTH]))
                .map_err(der_err("extension"))?;
            let dns = Ia5String::new("localhost").map_err(der_err("SAN"))?;
            let ip = OctetString::new([127u8, 0, 0, 1]).map_err(der_err("SAN"))?;
            builder
                .add_extension(&SubjectAltName(vec![
                    GeneralName::DnsName(dns),
                    GeneralName::IpAddress(ip),
                ]))
                .map_err(der_err("extension"))?;
        }
    }
    if kind != Kind::Ca {
        builder
            .add_extension(&BasicConstraints {
                ca: false,
                path_len_constraint: None,
            })
            .map_err(der_err("extension"))?;
        if let Some(issuer_cert) = issuer.cert {
            let issuer_ski = SubjectKeyIdentifier::try_from(
                issuer_cert
                    .tbs_certificate()
                    .subject_public_key_info()
                    .owned_to_ref(),
            )
            .map_err(|e| PkiError::Build(format!("issuer key identifier: {e}")))?;
            builder
                .add_extension(&AuthorityKeyIdentifier {
                    key_identifier: Some(issuer_ski.0),
                    ..Default::default()
                })
                .map_err(der_err("extension"))?;
        }
    }
    builder
        .build::<_, Signature>(issuer.key)
        .map_err(build_err("certificate signature"))
}

/// Issues the CRL of `issuer`, listing `revoked` (serial, revocation time).
pub(crate) fn crl(
    issuer_cert: &Certificate,
    issuer_key: &SigningKey<Sha256>,
    number: u32,
    this_update: SystemTime,
    next_update: SystemTime,
    revoked: &[(u64, SystemTime)],
) -> Result<CertificateList, PkiError> {
    let number = Uint::new(&number.to_be_bytes()).map_err(der_err("CRL number"))?;
    let mut entries = Vec::with_capacity(revoked.len());
    for (serial, at) in revoked {
        entries.push(RevokedCert {
            serial_number: SerialNumber::from(*serial),
            revocation_date: time(*at)?,
            crl_entry_extensions: None,
        });
    }
    let mut builder =
        CrlBuilder::new_with_this_update(issuer_cert, CrlNumber(number), time(this_update)?)
            .map_err(der_err("CRL builder"))?
            .with_next_update(Some(time(next_update)?));
    if !entries.is_empty() {
        builder = builder.with_certificates(entries.into_iter());
    }
    builder
        .build::<_, Signature>(issuer_key)
        .map_err(build_err("CRL signature"))
}
