//! The sandbox's test PKI, shaped like the real one. Every key and certificate comes from
//! the workspace's one test PKI, `elig-testpki` (re-exported here where the sandbox's API
//! uses it): the same seed gives the same authorities there and here, so a virtual card with
//! default credentials ([`elig_testpki::Pki::card`] of [`elig_testpki::DEFAULT_SEED`]) is a
//! card of the default sandbox.
//!
//! | Part | Real world | Here |
//! |---|---|---|
//! | authentication CA | J-LIS's JPKI CA for 利用者証明用電子証明書 | [`TestPki::auth_ca`]: RSA-2048, issues the cards' certificates |
//! | card certificate | EF `000A` of the JPKI AP: RSA-2048, no personal data (card.md) | [`TestPki::issue_card`]: subject `C=JP, O=elig sandbox JPKI, CN=auth <serial>` |
//! | revocation | J-LIS's CRL | a signed X.509 v2 CRL of the authentication CA ([`TestPki::crl_der`]); the device CA has one too ([`TestPki::device_crl_der`]) |
//! | device CA | the portal that registers reception devices | [`TestPki::device_ca`]: issues TLS client certificates that name the facility ([`Facility`]) |
//! | server certificate | the web service's TLS certificate | issued by a separate gateway CA; SAN `localhost` and `127.0.0.1` |
//!
//! Everything is derived from a seed (the same seed and the same day give byte-identical
//! certificates and keys), or loaded from a state folder that [`TestPki::write_pem`] wrote.
//!
//! ## Dates (this project's design)
//! The authorities' and the server's certificates do not expire (`elig_testpki`'s
//! `authority_validity`: a client checks the server certificate on its own clock). The
//! device certificates and both CRLs are issued for a day ([`TestPki::issued_on`]): device
//! certificates from 2024-01-01 to 10 years after it, CRLs current until 366 days after it
//! (`elig_testpki::device_validity_on`, `crl_next_update_on`). A sandbox re-issues them for
//! its clock's day in Japan when it starts ([`TestPki::on`]), so the embedded default is
//! valid on any date, fake or real; a process restarts well within the CRL's year. A state
//! folder holds what was issued on the day it was written, and a sandbox started on it
//! re-issues the same way (the files' device certificates stay valid for their 10 years). The keys are test
//! keys and are written to that folder on purpose: a client needs its device key to connect.
//! Never use them for anything but the sandbox.

mod store;

use std::sync::Arc;
use std::time::SystemTime;

pub use store::write_private;
pub use voucher_model::Facility;

pub use elig_testpki::{
    AUTH_CA_NAME, AUTH_CERT_LEN, Authority, CardCredentials, DEVICE_CA_NAME, GATEWAY_CA_NAME,
    PkiError, TestKey,
};

use der::Decode as _;
use elig_testpki::{crl_next_update_on, device_validity_on};
use x509_cert::Certificate;

use crate::clock::utc_midnight;
use voucher_model::{Date, jst};

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

impl CardSpec {
    /// The card's authentication credentials issued by `ca` ([`Authority::issue_card`]:
    /// [`AUTH_CERT_LEN`] bytes, no personal data, a key derived from the CA's seed and the
    /// serial), valid from 00:00 UTC of `not_before` to the end of `not_after` (UTC).
    ///
    /// # Errors
    /// [`PkiError::Build`] for a date out of range or a failed key generation.
    pub fn issue_from(&self, ca: &Authority) -> Result<CardCredentials, PkiError> {
        let (from, to) = self.validity()?;
        ca.issue_card(self.serial, from, to)
    }

    /// `notBefore` and `notAfter` as the certificate writes them.
    ///
    /// # Errors
    /// [`PkiError::Build`] when `not_after` is the last representable day.
    pub fn validity(&self) -> Result<(SystemTime, SystemTime), PkiError> {
        let not_after = self
            .not_after
            .succ()
            .map(utc_midnight)
            .ok_or_else(|| PkiError::Build("card validity: date out of range".into()))?;
        Ok((utc_midnight(self.not_before), not_after))
    }
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

impl DeviceCredentials {
    /// [`Self::issue_on`] the system clock's day in Japan.
    ///
    /// # Errors
    /// As [`Self::issue_on`].
    pub fn issue(
        ca: &Authority,
        serial: u64,
        label: &str,
        facility: &Facility,
    ) -> Result<Self, PkiError> {
        Self::issue_on(ca, serial, label, facility, system_today()?)
    }

    /// Issues the TLS client credentials of device `label` of `facility` from `ca` on day
    /// `today` ([`Authority::issue_device`]: the subject `serialNumber` is
    /// [`elig_proto::gateway::facility_text`]`(facility)`, valid
    /// `elig_testpki::device_validity_on`), certificate serial `serial`, not revoked.
    ///
    /// # Errors
    /// [`PkiError::Build`] for a label that is not a valid attribute value or a failed key
    /// generation.
    pub fn issue_on(
        ca: &Authority,
        serial: u64,
        label: &str,
        facility: &Facility,
        today: Date,
    ) -> Result<Self, PkiError> {
        let (from, to) = device_validity_on(utc_midnight(today))?;
        let issued = ca.issue_device(
            serial,
            label,
            &elig_proto::gateway::facility_text(facility),
            from,
            to,
        )?;
        Ok(Self {
            label: label.to_owned(),
            facility: facility.clone(),
            cert_der: issued.cert_der().to_vec(),
            ca_cert_der: issued.ca_cert_der().to_vec(),
            key: TestKey::new(issued.key().clone()),
            revoked_on: None,
        })
    }
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
#[derive(Debug, Clone)]
pub struct TestPki {
    auth_ca: Authority,
    device_ca: Authority,
    gateway_ca: Authority,
    server: ServerCredentials,
    devices: Vec<DeviceCredentials>,
    crl_der: Vec<u8>,
    device_crl_der: Vec<u8>,
    /// What the authentication CA's CRL lists (serial, revocation time).
    revoked: Vec<(u64, SystemTime)>,
    /// What the device CA's CRL lists.
    withdrawn: Vec<(u64, SystemTime)>,
    /// The day the device certificates and CRLs were issued for (`None`: loaded from files).
    issued_on: Option<Date>,
}

/// The system clock's day in Japan.
fn system_today() -> Result<Date, PkiError> {
    jst::date_from_system_time(SystemTime::now())
        .map_err(|e| PkiError::Build(format!("today's date: {e}")))
}

/// A certificate serial's DER content bytes as an unsigned number, when it fits 64 bits.
pub(crate) fn serial_u64(bytes: &[u8]) -> Option<u64> {
    let trimmed = match bytes.split_first() {
        Some((0, rest)) => rest,
        _ => bytes,
    };
    if trimmed.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    let start = 8usize.checked_sub(trimmed.len())?;
    buf.get_mut(start..)?.copy_from_slice(trimmed);
    Some(u64::from_be_bytes(buf))
}

/// The serial of a certificate the PKI issued, as a number.
fn cert_serial(cert_der: &[u8]) -> Result<u64, PkiError> {
    let cert = Certificate::from_der(cert_der)?;
    serial_u64(cert.tbs_certificate().serial_number().as_bytes())
        .ok_or_else(|| PkiError::State("a device serial number longer than 8 bytes".into()))
}

impl TestPki {
    /// [`Self::generate_on`] the system clock's day in Japan.
    ///
    /// # Errors
    /// As [`Self::generate_on`].
    pub fn generate(seed: &[u8], plan: &PkiPlan) -> Result<Self, PkiError> {
        Self::generate_on(seed, plan, system_today()?)
    }

    /// Generates the PKI for `plan` from `seed`, its device certificates and CRLs issued for
    /// `today` (module docs, "Dates"): 4 + devices RSA-2048 keys (card keys are derived
    /// later, on demand, by [`Self::issue_card`]). The authorities are those of
    /// `elig_testpki::Pki::new(seed)`: [`Authority::generate`] with the same seed and names.
    /// The same seed, plan and day give the same bytes.
    ///
    /// # Errors
    /// [`PkiError::Build`] if a key, certificate or CRL cannot be built.
    pub fn generate_on(seed: &[u8], plan: &PkiPlan, today: Date) -> Result<Self, PkiError> {
        let auth_ca = Authority::generate(seed, AUTH_CA_NAME)?;
        let device_ca = Authority::generate(seed, DEVICE_CA_NAME)?;
        let gateway_ca = Authority::generate(seed, GATEWAY_CA_NAME)?;
        let server = gateway_ca.issue_server()?;
        let server = ServerCredentials {
            cert_der: server.cert_der().to_vec(),
            key: TestKey::new(server.key().clone()),
        };
        let mut devices = Vec::with_capacity(plan.devices.len());
        let mut withdrawn = Vec::new();
        for (serial, device) in (100u64..).zip(&plan.devices) {
            let mut issued = DeviceCredentials::issue_on(
                &device_ca,
                serial,
                &device.label,
                &device.facility,
                today,
            )?;
            issued.revoked_on = device.revoked_on;
            if let Some(day) = device.revoked_on {
                withdrawn.push((serial, day));
            }
            devices.push(issued);
        }
        let next_update = crl_next_update_on(utc_midnight(today))?;
        let revoked = at_midnight(&plan.revoked);
        let withdrawn = at_midnight(&withdrawn);
        Ok(Self {
            crl_der: auth_ca.issue_crl(&revoked, next_update)?,
            device_crl_der: device_ca.issue_crl(&withdrawn, next_update)?,
            auth_ca,
            device_ca,
            gateway_ca,
            server,
            devices,
            revoked,
            withdrawn,
            issued_on: Some(today),
        })
    }

    /// This PKI with its device certificates and both CRLs issued again for `today`, with
    /// the same keys, authorities, server certificate and revocations (a few RSA
    /// signatures, no key generation). A sandbox calls it when it starts, for its clock's
    /// day (module docs, "Dates").
    ///
    /// # Errors
    /// [`PkiError::Build`] if a certificate or CRL cannot be built, [`PkiError::Der`] or
    /// [`PkiError::State`] for a device certificate whose serial cannot be read.
    pub fn on(&self, today: Date) -> Result<Self, PkiError> {
        let at = utc_midnight(today);
        let (from, to) = device_validity_on(at)?;
        let mut devices = Vec::with_capacity(self.devices.len());
        for device in &self.devices {
            let cert_der = self.device_ca.issue_device_cert(
                device.key.rsa(),
                cert_serial(&device.cert_der)?,
                &device.label,
                &elig_proto::gateway::facility_text(&device.facility),
                from,
                to,
            )?;
            devices.push(DeviceCredentials {
                cert_der,
                ..device.clone()
            });
        }
        let next_update = crl_next_update_on(at)?;
        Ok(Self {
            crl_der: self.auth_ca.issue_crl(&self.revoked, next_update)?,
            device_crl_der: self.device_ca.issue_crl(&self.withdrawn, next_update)?,
            devices,
            issued_on: Some(today),
            ..self.clone()
        })
    }

    /// The day the device certificates and CRLs were issued for; `None` for a PKI loaded
    /// from a state folder (the files say).
    pub fn issued_on(&self) -> Option<Date> {
        self.issued_on
    }

    /// `pki` as a sandbox whose clock reads `now` runs on it: itself when it was issued for
    /// that day in Japan, else [`Self::on`] that day.
    pub(crate) fn for_clock(pki: &Arc<Self>, now: SystemTime) -> Result<Arc<Self>, PkiError> {
        let today = jst::date_from_system_time(now)
            .map_err(|e| PkiError::Build(format!("the clock's date: {e}")))?;
        if pki.issued_on == Some(today) {
            return Ok(pki.clone());
        }
        pki.on(today).map(Arc::new)
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

    /// Issues a card's authentication credentials from the authentication CA (see
    /// [`CardSpec::issue_from`]).
    ///
    /// # Errors
    /// [`PkiError::Build`] for a date out of range or a failed key generation.
    pub fn issue_card(&self, spec: &CardSpec) -> Result<CardCredentials, PkiError> {
        spec.issue_from(&self.auth_ca)
    }
}

/// Revocations by day, at 00:00 UTC of the day (what the CRLs write).
pub(crate) fn at_midnight(revoked: &[(u64, Date)]) -> Vec<(u64, SystemTime)> {
    revoked
        .iter()
        .map(|(serial, day)| (*serial, utc_midnight(*day)))
        .collect()
}

#[cfg(test)]
mod tests;
