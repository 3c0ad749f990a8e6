//! The sandbox's test PKI, shaped like the real one.
//!
//! | Part | Real world | Here |
//! |---|---|---|
//! | authentication CA | J-LIS's JPKI CA for 利用者証明用電子証明書 | [`TestPki::auth_ca`]: RSA-2048, issues the cards' certificates |
//! | card certificate | EF `000A` of the JPKI AP: RSA-2048, no personal data (card.md) | [`TestPki::issue_card`]: subject `C=JP, O=elig sandbox JPKI, CN=auth <serial>` |
//! | revocation | J-LIS's CRL | a signed X.509 v2 CRL of the authentication CA ([`TestPki::crl_der`]); the device CA has one too ([`TestPki::device_crl_der`]) |
//! | device CA | the portal that registers reception devices | [`TestPki::device_ca`]: issues TLS client certificates that name the facility ([`Facility`]) |
//! | server certificate | the web service's TLS certificate | issued by a separate gateway CA; SAN `localhost` and `127.0.0.1` |
//!
//! Everything is derived from a seed (the same seed gives byte-identical certificates and
//! keys), or loaded from a state folder that [`TestPki::write_pem`] wrote. The keys are test
//! keys and are written to that folder on purpose: a client needs its device key to connect.
//! Never use them for anything but the sandbox.

mod build;
mod store;

use std::fmt;
use std::time::SystemTime;

use der::Encode;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use sha2::{Digest, Sha256};
use x509_cert::certificate::Certificate;
use x509_cert::name::Name;

pub use store::write_private;
pub use voucher_model::Facility;

use crate::clock::utc_midnight;
use build::{Issuer, Kind};
use voucher_model::Date;

/// Errors building, loading or writing the test PKI.
#[derive(Debug)]
#[non_exhaustive]
pub enum PkiError {
    /// Building a key, certificate or CRL failed (caller misuse: bad input such as a date out
    /// of range, or a bug of this crate).
    Build(String),
    /// A state folder could not be read or written (local I/O).
    Io {
        /// The file involved.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A state folder holds a malformed or inconsistent file (caller misuse: the folder was
    /// not written by [`TestPki::write_pem`] or was edited).
    State(String),
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PkiError::Build(what) => write!(f, "test PKI: cannot build {what}"),
            PkiError::Io { path, source } => {
                write!(f, "test PKI: I/O on {}: {source}", path.display())
            }
            PkiError::State(what) => write!(f, "test PKI state folder: {what}"),
        }
    }
}

impl core::error::Error for PkiError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            PkiError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The fixed validity of the sandbox's authorities, device and server certificates.
fn long_validity() -> (SystemTime, SystemTime) {
    let from = Date::new(2024, 1, 1).map(utc_midnight);
    let to = Date::new(2045, 12, 31).map(utc_midnight);
    (
        from.unwrap_or(SystemTime::UNIX_EPOCH),
        to.unwrap_or(SystemTime::UNIX_EPOCH),
    )
}

/// A 32-byte sub-seed for `label`, so that every key has its own deterministic stream.
fn derive_seed(seed: &[u8], label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"elig-sandbox test PKI v1\0");
    h.update(u64::try_from(seed.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(seed);
    h.update(label.as_bytes());
    h.finalize().into()
}

/// An RSA-2048 key derived from `seed` and `label` (deterministic; slow: ~0.1–1 s).
fn derive_key(seed: &[u8; 32], label: &str) -> Result<PrivateKey, PkiError> {
    let mut rng = ChaCha20Rng::from_seed(derive_seed(seed, label));
    PrivateKey::new(&mut rng, 2048).map_err(|e| PkiError::Build(format!("RSA key: {e}")))
}

fn cert_der(cert: &Certificate) -> Result<Vec<u8>, PkiError> {
    cert.to_der()
        .map_err(|e| PkiError::Build(format!("certificate encoding: {e}")))
}

/// A test key; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct TestKey(PrivateKey);

impl TestKey {
    /// The RSA private key.
    pub fn rsa(&self) -> &PrivateKey {
        &self.0
    }

    /// PKCS#8 DER, as rustls and most tools load it.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, PkiError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        self.0
            .to_pkcs8_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| PkiError::Build(format!("PKCS#8: {e}")))
    }
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TestKey(..)")
    }
}

/// A certification authority of the test PKI: its key, its self-signed certificate, and the
/// seed from which the keys it issues are derived.
pub struct Authority {
    signing: SigningKey<sha2::Sha256>,
    key: TestKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    key_seed: [u8; 32],
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field(
                "subject",
                &self.cert.tbs_certificate().subject().to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// A new authority named `rfc4514_name` (e.g. `CN=Other CA,C=JP`), with its key and the
    /// keys of what it issues derived from `seed`.
    pub fn generate(seed: &[u8], rfc4514_name: &str) -> Result<Self, PkiError> {
        let key_seed = derive_seed(seed, rfc4514_name);
        let key = derive_key(&key_seed, "ca")?;
        let name = build::name(rfc4514_name)?;
        let signing = SigningKey::<sha2::Sha256>::new(key.clone());
        let (from, to) = long_validity();
        let issuer = Issuer {
            name: &name,
            key: &signing,
            cert: None,
        };
        let cert =
            build::certificate(Kind::Ca, &name, build::spki_of(&key)?, &issuer, 1, from, to)?;
        Self::from_parts(key, cert, key_seed)
    }

    fn from_parts(
        key: PrivateKey,
        cert: Certificate,
        key_seed: [u8; 32],
    ) -> Result<Self, PkiError> {
        let cert_der = cert_der(&cert)?;
        Ok(Self {
            signing: SigningKey::new(key.clone()),
            key: TestKey(key),
            cert,
            cert_der,
            key_seed,
        })
    }

    /// The authority's certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The authority's certificate.
    pub fn cert(&self) -> &Certificate {
        &self.cert
    }

    fn name(&self) -> &Name {
        self.cert.tbs_certificate().subject()
    }

    fn issuer(&self) -> Issuer<'_> {
        Issuer {
            name: self.name(),
            key: &self.signing,
            cert: Some(&self.cert),
        }
    }

    /// Issues a card's user-authentication certificate (no personal data: the subject is
    /// `C=JP, O=elig sandbox JPKI, CN=auth <serial>`), [`CARD_CERT_LEN`] bytes long, with a
    /// key derived from this authority's seed and the serial.
    pub fn issue_card(&self, spec: &CardSpec) -> Result<CardCredentials, PkiError> {
        let key = derive_key(&self.key_seed, &format!("card {}", spec.serial))?;
        self.issue_card_with(spec, key)
    }

    /// [`Self::issue_card`] for a given key.
    fn issue_card_with(
        &self,
        spec: &CardSpec,
        key: PrivateKey,
    ) -> Result<CardCredentials, PkiError> {
        let subject = build::name(&format!("CN=auth {},O=elig sandbox JPKI,C=JP", spec.serial))?;
        let not_after = spec
            .not_after
            .succ()
            .map(utc_midnight)
            .ok_or_else(|| PkiError::Build("card validity: date out of range".into()))?;
        let spki = build::spki_of(&key)?;
        let issue = |filler: usize| {
            build::certificate(
                Kind::CardAuth {
                    filler,
                    critical_filler: false,
                },
                &subject,
                spki.clone(),
                &self.issuer(),
                spec.serial,
                utc_midnight(spec.not_before),
                not_after,
            )
        };
        // Sized like a real one: measure with a filler long enough to fix every DER length
        // form, then issue with the filler that brings the total to CARD_CERT_LEN.
        const PROBE: usize = 512;
        let probe = cert_der(&issue(PROBE)?)?.len();
        let filler = PROBE
            .checked_add(CARD_CERT_LEN)
            .and_then(|n| n.checked_sub(probe))
            .filter(|n| *n >= 256)
            .unwrap_or(PROBE);
        let cert = issue(filler)?;
        Ok(CardCredentials {
            serial: spec.serial,
            cert_der: cert_der(&cert)?,
            ca_cert_der: self.cert_der.clone(),
            key: TestKey(key),
        })
    }

    /// Issues a reception device's TLS client certificate naming `facility` (see
    /// [`Facility`] for the encoding), valid 2024-01-01 to 2045-12-31.
    pub fn issue_device(
        &self,
        serial: u64,
        label: &str,
        facility: &Facility,
    ) -> Result<DeviceCredentials, PkiError> {
        let key = derive_key(&self.key_seed, &format!("device {label}"))?;
        let subject = build::name(&format!(
            "serialNumber={},CN={label},O=elig sandbox registered device,C=JP",
            elig_proto::gateway::facility_text(facility)
        ))?;
        let (from, to) = long_validity();
        let cert = build::certificate(
            Kind::Device,
            &subject,
            build::spki_of(&key)?,
            &self.issuer(),
            serial,
            from,
            to,
        )?;
        Ok(DeviceCredentials {
            label: label.to_owned(),
            facility: facility.clone(),
            cert_der: cert_der(&cert)?,
            ca_cert_der: self.cert_der.clone(),
            key: TestKey(key),
            revoked_on: None,
        })
    }

    fn issue_server(&self) -> Result<ServerCredentials, PkiError> {
        let key = derive_key(&self.key_seed, "server")?;
        let subject = build::name("CN=localhost,O=elig sandbox gateway,C=JP")?;
        let (from, to) = long_validity();
        let cert = build::certificate(
            Kind::Server,
            &subject,
            build::spki_of(&key)?,
            &self.issuer(),
            2,
            from,
            to,
        )?;
        Ok(ServerCredentials {
            cert_der: cert_der(&cert)?,
            key: TestKey(key),
        })
    }

    /// Issues a signed CRL listing `revoked` (serial, revocation day); `thisUpdate` is
    /// 2025-04-01 or the latest revocation day if later, `nextUpdate` 2045-12-31.
    pub fn issue_crl(&self, revoked: &[(u64, Date)]) -> Result<Vec<u8>, PkiError> {
        let (_, to) = long_validity();
        let first = Date::new(2025, 4, 1).unwrap_or(Date::MIN);
        let latest = revoked.iter().map(|(_, day)| *day).max().unwrap_or(first);
        let this_update = utc_midnight(latest.max(first));
        let revoked: Vec<(u64, SystemTime)> = revoked
            .iter()
            .map(|(serial, day)| (*serial, utc_midnight(*day)))
            .collect();
        let crl = build::crl(&self.cert, &self.signing, 1, this_update, to, &revoked)?;
        crl.to_der()
            .map_err(|e| PkiError::Build(format!("CRL encoding: {e}")))
    }
}

/// The size of every card certificate, in bytes: the large end of real 利用者証明用電子証明書
/// (public ports report 1.3–1.9 KB; DESIGN.md sizes the APDU budget for 1,900 bytes, and
/// the virtual card of `reader-backends` pads its own to the same size).
pub const CARD_CERT_LEN: usize = 1900;

/// What a card certificate is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardSpec {
    /// Certificate serial number (the registry's key for the person).
    pub serial: u64,
    /// First day of validity (00:00 UTC).
    pub not_before: Date,
    /// Last day of validity (valid until the end of that day, UTC).
    pub not_after: Date,
}

/// A virtual card's authentication certificate and key, for loading into a virtual card.
#[derive(Debug, Clone)]
pub struct CardCredentials {
    /// Certificate serial number.
    pub serial: u64,
    /// The user-authentication certificate (EF `000A`), DER.
    pub cert_der: Vec<u8>,
    /// The issuing CA's certificate (EF `000B`), DER.
    pub ca_cert_der: Vec<u8>,
    /// The authentication private key (EF `0017`).
    pub key: TestKey,
}

/// A registered reception device's TLS client credentials.
#[derive(Debug, Clone)]
pub struct DeviceCredentials {
    /// A short label (`CN` of the certificate, file stem of the PEM files).
    pub label: String,
    /// The facility the certificate names.
    pub facility: Facility,
    /// The client certificate, DER.
    pub cert_der: Vec<u8>,
    /// The device CA's certificate, DER.
    pub ca_cert_der: Vec<u8>,
    /// The client key.
    pub key: TestKey,
    /// Day the registration was withdrawn, if it was (the certificate is then revoked).
    pub revoked_on: Option<Date>,
}

/// The gateway's TLS server certificate and key.
#[derive(Debug, Clone)]
pub struct ServerCredentials {
    /// The server certificate, DER (SAN `localhost`, `127.0.0.1`).
    pub cert_der: Vec<u8>,
    /// The server key.
    pub key: TestKey,
}

/// A registered device to issue a certificate for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DevicePlan {
    /// Short label: `CN`, PEM file stem, and the name tests use.
    pub label: String,
    /// The facility the device belongs to.
    pub facility: Facility,
    /// Day the device's registration was withdrawn (its certificate is then on the device
    /// CA's CRL, and the gateway answers `unknown_device`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<Date>,
}

/// What the PKI must contain: the registered devices and the revoked card serials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PkiPlan {
    /// Registered reception devices.
    pub devices: Vec<DevicePlan>,
    /// Revoked card certificates: serial and revocation day.
    pub revoked: Vec<(u64, Date)>,
}

/// The whole test PKI: authorities, server and device credentials, and the CRL.
#[derive(Debug)]
pub struct TestPki {
    auth_ca: Authority,
    device_ca: Authority,
    gateway_ca: Authority,
    server: ServerCredentials,
    devices: Vec<DeviceCredentials>,
    crl_der: Vec<u8>,
    device_crl_der: Vec<u8>,
}

/// The authentication CA's name: clearly not J-LIS's.
pub const AUTH_CA_NAME: &str =
    "CN=elig sandbox JPKI user authentication CA (NOT JPKI),O=elig sandbox JPKI,C=JP";
/// The device CA's name.
pub const DEVICE_CA_NAME: &str = "CN=elig sandbox device registration CA,O=elig sandbox,C=JP";
/// The gateway CA's name (issues the server certificate).
pub const GATEWAY_CA_NAME: &str = "CN=elig sandbox gateway CA,O=elig sandbox,C=JP";

impl TestPki {
    /// Generates the PKI for `plan` from `seed`: 4 + devices RSA-2048 keys (card keys are
    /// derived later, on demand, by [`Self::issue_card`]).
    pub fn generate(seed: &[u8], plan: &PkiPlan) -> Result<Self, PkiError> {
        let auth_ca = Authority::generate(seed, AUTH_CA_NAME)?;
        let device_ca = Authority::generate(seed, DEVICE_CA_NAME)?;
        let gateway_ca = Authority::generate(seed, GATEWAY_CA_NAME)?;
        let server = gateway_ca.issue_server()?;
        let mut devices = Vec::with_capacity(plan.devices.len());
        let mut withdrawn = Vec::new();
        for (serial, device) in (100u64..).zip(&plan.devices) {
            let mut issued = device_ca.issue_device(serial, &device.label, &device.facility)?;
            issued.revoked_on = device.revoked_on;
            if let Some(day) = device.revoked_on {
                withdrawn.push((serial, day));
            }
            devices.push(issued);
        }
        let crl_der = auth_ca.issue_crl(&plan.revoked)?;
        let device_crl_der = device_ca.issue_crl(&withdrawn)?;
        Ok(Self {
            auth_ca,
            device_ca,
            gateway_ca,
            server,
            devices,
            crl_der,
            device_crl_der,
        })
    }

    /// The JPKI-like authentication CA.
    pub fn auth_ca(&self) -> &Authority {
        &self.auth_ca
    }

    /// The device registration CA.
    pub fn device_ca(&self) -> &Authority {
        &self.device_ca
    }

    /// The CA of the server certificate: the trust anchor a client needs.
    pub fn gateway_ca(&self) -> &Authority {
        &self.gateway_ca
    }

    /// The server's TLS credentials.
    pub fn server(&self) -> &ServerCredentials {
        &self.server
    }

    /// The registered devices' credentials.
    pub fn devices(&self) -> &[DeviceCredentials] {
        &self.devices
    }

    /// The device labelled `label`.
    pub fn device(&self, label: &str) -> Option<&DeviceCredentials> {
        self.devices.iter().find(|d| d.label == label)
    }

    /// The authentication CA's CRL (revoked cards), DER.
    pub fn crl_der(&self) -> &[u8] {
        &self.crl_der
    }

    /// The device CA's CRL (withdrawn device registrations), DER.
    pub fn device_crl_der(&self) -> &[u8] {
        &self.device_crl_der
    }

    /// Issues a card certificate from the authentication CA (see [`Authority::issue_card`]).
    pub fn issue_card(&self, spec: &CardSpec) -> Result<CardCredentials, PkiError> {
        self.auth_ca.issue_card(spec)
    }
}

#[cfg(test)]
mod tests;
