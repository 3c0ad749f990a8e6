//! The PKI state folder: PEM files a client can use, plus `state.json` to load them back.
//!
//! | File | Content |
//! |---|---|
//! | `gateway-ca.pem` | the trust anchor for the server certificate (clients need it) |
//! | `device-<label>.pem`, `device-<label>.key.pem` | a registered device's client certificate and PKCS#8 key |
//! | `auth-ca.pem`, `auth-ca.crl.pem` | the JPKI-like authentication CA and its CRL (revoked cards) |
//! | `device-ca.pem`, `device-ca.crl.pem` | the device registration CA and its CRL (withdrawn devices) |
//! | `server.pem`, `server.key.pem` | the gateway's certificate and key |
//! | `*-ca.key.pem` | the CAs' keys (to issue more cards/devices after loading) |
//! | `state.json` | the CAs' key-derivation seeds and the device list |

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use der::pem::LineEnding;
use der::{Decode as _, Encode as _};
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey as _;
use serde::{Deserialize, Serialize};
use spki::EncodePublicKey as _;
use x509_cert::certificate::Certificate;
use x509_cert::crl::CertificateList;

use super::{
    Authority, DeviceCredentials, DevicePlan, PkiError, ServerCredentials, TestKey, TestPki,
};

fn cert_der(cert: &Certificate) -> Result<Vec<u8>, PkiError> {
    cert.to_der()
        .map_err(|e| PkiError::Build(format!("certificate encoding: {e}")))
}

/// Whether `key` is the key of `cert`.
fn key_matches(key: &PrivateKey, cert: &Certificate) -> Result<bool, PkiError> {
    let key_spki = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Build(format!("public key: {e}")))?;
    let cert_spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| PkiError::Build(format!("public key: {e}")))?;
    Ok(key_spki.as_bytes() == cert_spki.as_slice())
}

#[derive(Serialize, Deserialize)]
struct State {
    version: u32,
    auth_ca_seed: String,
    device_ca_seed: String,
    gateway_ca_seed: String,
    devices: Vec<DevicePlan>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(text: &str) -> Result<[u8; 32], PkiError> {
    let bad = || PkiError::State("a seed in state.json is not 64 hex digits".into());
    if text.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let s = core::str::from_utf8(pair).map_err(|_| bad())?;
        *slot = u8::from_str_radix(s, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// Whether file `name` holds a secret: a private key, or `state.json` (its seeds derive
/// every key, card keys included).
fn is_secret(name: &str) -> bool {
    name.ends_with(".key.pem") || name == "state.json"
}

fn write(dir: &Path, name: &str, text: &str, written: &mut Vec<PathBuf>) -> Result<(), PkiError> {
    let path = dir.join(name);
    let io = |source| PkiError::Io {
        path: path.clone(),
        source,
    };
    if is_secret(name) {
        write_private(&path, text.as_bytes()).map_err(io)?;
    } else {
        std::fs::write(&path, text).map_err(io)?;
    }
    written.push(path);
    Ok(())
}

/// Writes a file only its owner may read (mode 0600 on Unix, also when it already existed):
/// how private keys and `state.json` are written.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        let mut file = file;
        file.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(bytes)
    }
}

fn read(dir: &Path, name: &str) -> Result<String, PkiError> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|source| PkiError::Io { path, source })
}

fn pem(label: &str, der: &[u8]) -> Result<String, PkiError> {
    der::pem::encode_string(label, LineEnding::LF, der)
        .map_err(|e| PkiError::Build(format!("PEM: {e}")))
}

fn cert_pem(der: &[u8]) -> Result<String, PkiError> {
    pem("CERTIFICATE", der)
}

fn key_pem(key: &TestKey) -> Result<String, PkiError> {
    pem("PRIVATE KEY", &key.to_pkcs8_der()?)
}

/// The DER inside a PEM file whose label must be `label`.
fn read_pem(dir: &Path, name: &str, label: &str) -> Result<Vec<u8>, PkiError> {
    let text = read(dir, name)?;
    let (found, der) = der::pem::decode_vec(text.as_bytes())
        .map_err(|e| PkiError::State(format!("{name}: not PEM: {e}")))?;
    if found != label {
        return Err(PkiError::State(format!(
            "{name}: expected PEM label {label}"
        )));
    }
    Ok(der)
}

fn load_cert(dir: &Path, name: &str) -> Result<Certificate, PkiError> {
    Certificate::from_der(&read_pem(dir, name, "CERTIFICATE")?)
        .map_err(|e| PkiError::State(format!("{name}: not a certificate: {e}")))
}

fn load_key(dir: &Path, name: &str, cert: &Certificate) -> Result<PrivateKey, PkiError> {
    let der = read_pem(dir, name, "PRIVATE KEY")?;
    let key = PrivateKey::from_pkcs8_der(&der)
        .map_err(|e| PkiError::State(format!("{name}: not an RSA PKCS#8 key: {e}")))?;
    if !key_matches(&key, cert)? {
        return Err(PkiError::State(format!(
            "{name}: the key does not match its certificate"
        )));
    }
    Ok(key)
}

/// Refuses `cert` (file `name`) unless `issuer` signed it.
fn check_issued(issuer: &Certificate, cert: &Certificate, name: &str) -> Result<(), PkiError> {
    if crate::verify::signed_by(issuer, cert) {
        Ok(())
    } else {
        Err(PkiError::State(format!(
            "{name} is not signed by the CA that should have issued it"
        )))
    }
}

fn load_authority(dir: &Path, stem: &str, seed: &str) -> Result<Authority, PkiError> {
    let name = format!("{stem}.pem");
    let cert = load_cert(dir, &name)?;
    check_issued(&cert, &cert, &name)?;
    let key = load_key(dir, &format!("{stem}.key.pem"), &cert)?;
    // The CA key is derived from its seed (Authority::generate): a seed that does not give
    // this key was edited, and would silently change every card key issued from it.
    // `from_parts` refuses it (the key was checked against the certificate above).
    let seed = unhex32(seed)?;
    Authority::from_parts(key, cert, seed).map_err(|e| match e {
        PkiError::State(_) => PkiError::State(format!(
            "state.json: the seed of {stem} does not derive {stem}.key.pem"
        )),
        other => other,
    })
}

impl TestPki {
    /// Writes the PKI as PEM files (see the table in this module's source docs: `gateway-ca.pem`
    /// is the client's trust anchor, `device-<label>.pem` / `.key.pem` its identity) plus
    /// `state.json`, into `dir` (created if missing). Returns the files written.
    pub fn write_pem(&self, dir: &Path) -> Result<Vec<PathBuf>, PkiError> {
        std::fs::create_dir_all(dir).map_err(|source| PkiError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut written = Vec::new();
        for (stem, ca) in [
            ("auth-ca", &self.auth_ca),
            ("device-ca", &self.device_ca),
            ("gateway-ca", &self.gateway_ca),
        ] {
            write(
                dir,
                &format!("{stem}.pem"),
                &cert_pem(ca.cert_der())?,
                &mut written,
            )?;
            write(
                dir,
                &format!("{stem}.key.pem"),
                &key_pem(ca.key())?,
                &mut written,
            )?;
        }
        write(
            dir,
            "device-ca.crl.pem",
            &pem("X509 CRL", &self.device_crl_der)?,
            &mut written,
        )?;
        write(
            dir,
            "auth-ca.crl.pem",
            &pem("X509 CRL", &self.crl_der)?,
            &mut written,
        )?;
        write(
            dir,
            "server.pem",
            &cert_pem(&self.server.cert_der)?,
            &mut written,
        )?;
        write(
            dir,
            "server.key.pem",
            &key_pem(&self.server.key)?,
            &mut written,
        )?;
        for device in &self.devices {
            let stem = format!("device-{}", device.label);
            write(
                dir,
                &format!("{stem}.pem"),
                &cert_pem(&device.cert_der)?,
                &mut written,
            )?;
            write(
                dir,
                &format!("{stem}.key.pem"),
                &key_pem(&device.key)?,
                &mut written,
            )?;
        }
        let state = State {
            version: 1,
            auth_ca_seed: hex(self.auth_ca.key_seed()),
            device_ca_seed: hex(self.device_ca.key_seed()),
            gateway_ca_seed: hex(self.gateway_ca.key_seed()),
            devices: self
                .devices
                .iter()
                .map(|d| DevicePlan {
                    label: d.label.clone(),
                    facility: d.facility.clone(),
                    revoked_on: d.revoked_on,
                })
                .collect(),
        };
        let json = serde_json::to_string_pretty(&state)
            .map_err(|e| PkiError::Build(format!("state.json: {e}")))?;
        write(dir, "state.json", &json, &mut written)?;
        Ok(written)
    }

    /// Loads a PKI that [`Self::write_pem`] wrote. Checks that every key matches its
    /// certificate, that every certificate is signed by the CA that issued it (the CAs by
    /// themselves), that each CA's seed in `state.json` derives its key (three RSA key
    /// generations: about a second unoptimised), that each device certificate names the facility `state.json` says, and
    /// parses the CRLs (their signatures and currency are checked when the gateway starts).
    pub fn load(dir: &Path) -> Result<Self, PkiError> {
        let state: State = serde_json::from_str(&read(dir, "state.json")?)
            .map_err(|e| PkiError::State(format!("state.json: {e}")))?;
        if state.version != 1 {
            return Err(PkiError::State(format!(
                "state.json version {} (expected 1)",
                state.version
            )));
        }
        let auth_ca = load_authority(dir, "auth-ca", &state.auth_ca_seed)?;
        let device_ca = load_authority(dir, "device-ca", &state.device_ca_seed)?;
        let gateway_ca = load_authority(dir, "gateway-ca", &state.gateway_ca_seed)?;
        let server_cert = load_cert(dir, "server.pem")?;
        check_issued(gateway_ca.cert(), &server_cert, "server.pem")?;
        let server = ServerCredentials {
            key: TestKey::new(load_key(dir, "server.key.pem", &server_cert)?),
            cert_der: cert_der(&server_cert)?,
        };
        let mut devices = Vec::with_capacity(state.devices.len());
        for plan in state.devices {
            let stem = format!("device-{}", plan.label);
            let cert = load_cert(dir, &format!("{stem}.pem"))?;
            check_issued(device_ca.cert(), &cert, &format!("{stem}.pem"))?;
            let key = load_key(dir, &format!("{stem}.key.pem"), &cert)?;
            if elig_proto::gateway::facility_from_subject(cert.tbs_certificate().subject()).as_ref()
                != Some(&plan.facility)
            {
                return Err(PkiError::State(format!(
                    "{stem}.pem does not name facility {}",
                    plan.facility.as_str()
                )));
            }
            devices.push(DeviceCredentials {
                label: plan.label,
                facility: plan.facility,
                cert_der: cert_der(&cert)?,
                ca_cert_der: device_ca.cert_der().to_vec(),
                key: TestKey::new(key),
                revoked_on: plan.revoked_on,
            });
        }
        let (crl_der, revoked) = load_crl(dir, "auth-ca.crl.pem")?;
        let (device_crl_der, withdrawn) = load_crl(dir, "device-ca.crl.pem")?;
        Ok(Self {
            auth_ca,
            device_ca,
            gateway_ca,
            server,
            devices,
            crl_der,
            device_crl_der,
            revoked,
            withdrawn,
            issued_on: None,
        })
    }
}

/// A CRL file, checked to parse (its signature is checked when the gateway starts), and
/// what it lists (serial, revocation time: to sign it again for another day).
type LoadedCrl = (Vec<u8>, Vec<(u64, SystemTime)>);

fn load_crl(dir: &Path, name: &str) -> Result<LoadedCrl, PkiError> {
    let der = read_pem(dir, name, "X509 CRL")?;
    let crl =
        <CertificateList>::from_der(&der).map_err(|e| PkiError::State(format!("{name}: {e}")))?;
    let mut listed = Vec::new();
    for entry in crl.tbs_cert_list.revoked_certificates.iter().flatten() {
        let serial = super::serial_u64(entry.serial_number.as_bytes())
            .ok_or_else(|| PkiError::State(format!("{name}: a serial longer than 8 bytes")))?;
        listed.push((serial, entry.revocation_date.to_system_time()));
    }
    Ok((der, listed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device certificate and key that match each other and name the right facility,
    /// but come from another CA, are refused when the folder is loaded.
    #[test]
    fn a_certificate_swapped_for_another_cas_is_refused() {
        let plan = crate::registry::Registry::default_registry()
            .unwrap()
            .pki_plan();
        let pki = TestPki::generate(b"store unit", &plan).unwrap();
        let dir = tempfile::tempdir().unwrap();
        pki.write_pem(dir.path()).unwrap();
        assert!(TestPki::load(dir.path()).is_ok());
        let clinic = pki.device("clinic").unwrap();
        let rogue = Authority::generate(b"rogue", "CN=Rogue CA,C=JP").unwrap();
        let swapped = DeviceCredentials::issue(&rogue, 100, "clinic", &clinic.facility).unwrap();
        std::fs::write(
            dir.path().join("device-clinic.pem"),
            cert_pem(&swapped.cert_der).unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("device-clinic.key.pem"),
            key_pem(&swapped.key).unwrap(),
        )
        .unwrap();
        let Err(PkiError::State(why)) = TestPki::load(dir.path()) else {
            panic!("a device certificate of another CA was loaded")
        };
        assert!(why.contains("device-clinic.pem"), "{why}");
    }

    /// An edited seed in state.json is refused (it would change every card key).
    #[test]
    fn an_edited_seed_is_refused() {
        let plan = crate::registry::Registry::default_registry()
            .unwrap()
            .pki_plan();
        let pki = TestPki::generate(b"store unit", &plan).unwrap();
        let dir = tempfile::tempdir().unwrap();
        pki.write_pem(dir.path()).unwrap();
        let path = dir.path().join("state.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let seed = hex(pki.device_ca.key_seed());
        assert!(text.contains(&seed));
        std::fs::write(&path, text.replace(&seed, &"5a".repeat(32))).unwrap();
        let Err(PkiError::State(why)) = TestPki::load(dir.path()) else {
            panic!("an edited seed was loaded")
        };
        assert!(why.contains("device-ca"), "{why}");
    }

    /// Keys and seeds are readable by their owner only; certificates by anyone.
    #[cfg(unix)]
    #[test]
    fn secrets_are_written_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let plan = crate::registry::Registry::default_registry()
            .unwrap()
            .pki_plan();
        let pki = TestPki::generate(b"store unit", &plan).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // A key file left world-readable by an earlier run is tightened too.
        let stale = dir.path().join("server.key.pem");
        std::fs::write(&stale, "old").unwrap();
        std::fs::set_permissions(&stale, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut secrets = 0;
        for path in pki.write_pem(dir.path()).unwrap() {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            let name = path.file_name().unwrap().to_str().unwrap();
            if is_secret(name) {
                secrets += 1;
                assert_eq!(mode, 0o600, "{name}");
            } else {
                assert_ne!(mode & 0o044, 0, "{name} is a public file");
            }
        }
        assert!(secrets >= 5, "CA keys, server key, device keys, state.json");
    }

    #[test]
    fn hex_round_trip() {
        let seed: [u8; 32] = core::array::from_fn(|i| u8::try_from(i * 7).unwrap());
        assert_eq!(unhex32(&hex(&seed)).unwrap(), seed);
        assert!(unhex32("zz").is_err());
        assert!(unhex32(&"g".repeat(64)).is_err());
    }
}
