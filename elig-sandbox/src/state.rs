//! The sandbox's files on disk, shared by the `elig-sandbox` binary and `elig sandbox`: the
//! PKI of a `--state` folder (loaded, or generated and written there on first use) and the
//! PEM files of one virtual card's chain.

use std::path::{Path, PathBuf};

use crate::pki::{CardSpec, PkiError, TestPki, write_private};
use crate::registry::Registry;

/// Where a state folder's PKI came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateOrigin {
    /// No folder was given: generated in memory from the seed.
    Generated,
    /// Loaded from the folder's `state.json` and PEM files.
    Loaded,
    /// The folder had no PKI: generated from the seed and written there (these files).
    Written(Vec<PathBuf>),
}

/// The PKI of `state`: loaded when the folder holds `state.json`, otherwise generated from
/// `seed` for `registry` and written there; without a folder, generated in memory.
///
/// # Errors
/// [`PkiError`] when the folder's files are unreadable or inconsistent, or writing fails.
pub fn pki_for_state(
    state: Option<&Path>,
    seed: &[u8],
    registry: &Registry,
) -> Result<(TestPki, StateOrigin), PkiError> {
    let Some(dir) = state else {
        return Ok((
            TestPki::generate(seed, &registry.pki_plan())?,
            StateOrigin::Generated,
        ));
    };
    if dir.join("state.json").exists() {
        return Ok((TestPki::load(dir)?, StateOrigin::Loaded));
    }
    let pki = TestPki::generate(seed, &registry.pki_plan())?;
    let written = pki.write_pem(dir)?;
    Ok((pki, StateOrigin::Written(written)))
}

/// Writes `card-<N>.pem`, `card-<N>.key.pem` (owner-only) and `auth-ca.pem` of the card
/// `spec` issued by `pki` into `out` (created if missing): what `vpcd-card --chain DIR`
/// loads. Returns the files written.
///
/// # Errors
/// [`PkiError`] when issuing, encoding or writing fails.
pub fn write_card_files(
    pki: &TestPki,
    spec: &CardSpec,
    out: &Path,
) -> Result<Vec<PathBuf>, PkiError> {
    let card = pki.issue_card(spec)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PkiError::Io { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let pem = |label: &str, der: &[u8]| {
        der::pem::encode_string(label, der::pem::LineEnding::LF, der)
            .map_err(|e| PkiError::Build(format!("PEM encoding: {e}")))
    };
    let serial = spec.serial;
    let files = [
        (
            format!("card-{serial}.pem"),
            pem("CERTIFICATE", card.auth().cert_der())?,
            false,
        ),
        (
            format!("card-{serial}.key.pem"),
            pem("PRIVATE KEY", &card.auth().key_pkcs8_der()?)?,
            true,
        ),
        (
            "auth-ca.pem".to_owned(),
            pem("CERTIFICATE", card.auth().ca_cert_der())?,
            false,
        ),
    ];
    let mut written = Vec::new();
    for (name, text, private) in files {
        let path = out.join(&name);
        if private {
            write_private(&path, text.as_bytes()).map_err(io(&path))?;
        } else {
            std::fs::write(&path, text).map_err(io(&path))?;
        }
        written.push(path);
    }
    Ok(written)
}
