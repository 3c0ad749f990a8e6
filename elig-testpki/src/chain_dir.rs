//! Loading a card's credentials from files, as reader-backends' `vpcd-card --chain DIR` takes
//! them.
//!
//! Two layouts (our design):
//!
//! ```text
//! auth-key.{der,pem}   PKCS#8 RSA-2048 private key (PEM label "PRIVATE KEY")
//! auth-cert.{der,pem}  the authentication certificate (PEM label "CERTIFICATE")
//! auth-ca.{der,pem}    its CA certificate
//! sign-key / sign-cert / sign-ca .{der,pem}   optional: the signature key and chain
//! ```
//!
//! or what `elig-sandbox card --serial N --out DIR` writes: `card-<N>.key.pem`,
//! `card-<N>.pem` and `auth-ca.pem` (exactly one card per directory).

use std::path::{Path, PathBuf};

use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use zeroize::Zeroizing;

use crate::{CardCredentials, PkiError};

const KEY: &str = "a PKCS#8 RSA private key";
const CERT: &str = "an X.509 certificate (DER or PEM CERTIFICATE)";

fn read(file: &Path) -> Result<Zeroizing<Vec<u8>>, PkiError> {
    std::fs::read(file)
        .map(Zeroizing::new)
        .map_err(|source| PkiError::Io {
            path: file.to_path_buf(),
            source,
        })
}

/// The DER inside `file`: PEM when it ends in `.pem` (with label `label`), raw otherwise.
fn der_of(
    file: &Path,
    label: &str,
    expected: &'static str,
) -> Result<Zeroizing<Vec<u8>>, PkiError> {
    let bytes = read(file)?;
    if file.extension().is_some_and(|e| e == "pem") {
        let bad = || PkiError::BadFile {
            file: file.to_path_buf(),
            expected,
        };
        let (found, der) = der::pem::decode_vec(&bytes).map_err(|_| bad())?;
        let der = Zeroizing::new(der);
        if found != label {
            return Err(bad());
        }
        return Ok(der);
    }
    Ok(bytes)
}

fn key(file: &Path) -> Result<PrivateKey, PkiError> {
    let der = der_of(file, "PRIVATE KEY", KEY)?;
    PrivateKey::from_pkcs8_der(&der).map_err(|_| PkiError::BadFile {
        file: file.to_path_buf(),
        expected: KEY,
    })
}

fn cert(file: &Path) -> Result<Vec<u8>, PkiError> {
    Ok(der_of(file, "CERTIFICATE", CERT)?.to_vec())
}

/// `<stem>.der` or `<stem>.pem`, whichever exists.
fn either(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["der", "pem"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

/// The sandbox layout's single `card-<N>.key.pem` / `card-<N>.pem` pair.
fn sandbox_card(dir: &Path) -> Result<(PathBuf, PathBuf), PkiError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PkiError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut keys = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|source| PkiError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .file_name();
        let name = name.to_string_lossy();
        if let Some(stem) = name
            .strip_prefix("card-")
            .and_then(|n| n.strip_suffix(".key.pem"))
        {
            keys.push(stem.to_owned());
        }
    }
    let stem = match keys.as_slice() {
        [one] => one,
        [] => {
            return Err(PkiError::ChainDir {
                dir: dir.to_path_buf(),
                reason: "no auth-key.der/.pem and no card-<N>.key.pem",
            });
        }
        _ => {
            return Err(PkiError::ChainDir {
                dir: dir.to_path_buf(),
                reason: "more than one card-<N>.key.pem",
            });
        }
    };
    Ok((
        dir.join(format!("card-{stem}.key.pem")),
        dir.join(format!("card-{stem}.pem")),
    ))
}

impl CardCredentials {
    /// Credentials from files in `dir`, in either of two layouts (our design):
    /// `auth-key` (PKCS#8 RSA-2048), `auth-cert`, `auth-ca` and optionally `sign-key`,
    /// `sign-cert`, `sign-ca`, each as `.der` or `.pem`; or the `card-<N>.key.pem` +
    /// `card-<N>.pem` + `auth-ca.pem` that `elig-sandbox card` writes (one card per
    /// directory).
    /// Key bytes are zeroized after parsing.
    ///
    /// # Errors
    /// [`PkiError::Io`], [`PkiError::BadFile`], [`PkiError::ChainDir`], or see
    /// [`crate::KeyAndChain::new`].
    pub fn from_dir(dir: &Path) -> Result<Self, PkiError> {
        let (key_file, cert_file) = match (either(dir, "auth-key"), either(dir, "auth-cert")) {
            (Some(k), Some(c)) => (k, c),
            _ => sandbox_card(dir)?,
        };
        let ca_file = either(dir, "auth-ca").ok_or_else(|| PkiError::ChainDir {
            dir: dir.to_path_buf(),
            reason: "no auth-ca.der or auth-ca.pem",
        })?;
        let creds = Self::from_auth_chain(key(&key_file)?, cert(&cert_file)?, cert(&ca_file)?)?;
        let Some(sign_key) = either(dir, "sign-key") else {
            return Ok(creds);
        };
        let missing = |stem: &'static str| PkiError::ChainDir {
            dir: dir.to_path_buf(),
            reason: if stem == "sign-cert" {
                "sign-key without sign-cert"
            } else {
                "sign-key without sign-ca"
            },
        };
        let sign_cert = either(dir, "sign-cert").ok_or_else(|| missing("sign-cert"))?;
        let sign_ca = either(dir, "sign-ca").ok_or_else(|| missing("sign-ca"))?;
        creds.with_sign(key(&sign_key)?, cert(&sign_cert)?, cert(&sign_ca)?)
    }
}
