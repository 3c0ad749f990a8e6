//! The one error type of the test PKI.

use std::fmt;
use std::path::PathBuf;

/// Why keys, certificates or CRLs could not be made, loaded or accepted.
#[derive(Debug)]
#[non_exhaustive]
pub enum PkiError {
    /// Building a key, certificate or CRL failed (caller misuse: bad input such as a date out
    /// of range, or a bug of this crate).
    Build(String),
    /// A supplied certificate is not valid DER X.509 (caller misuse).
    Der(der::Error),
    /// A supplied certificate does not carry the public key of the supplied private key
    /// (caller misuse).
    KeyMismatch {
        /// Which certificate: `"auth"`, `"sign"`, `"device"` or `"server"`.
        which: &'static str,
    },
    /// A supplied key is not RSA-2048 as on the real card (caller misuse).
    NotRsa2048,
    /// A supplied certificate does not fit a card EF (more than 32,767 bytes).
    TooLarge,
    /// A file could not be read or written (local I/O).
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A credentials file does not hold what its name promises (caller misuse).
    BadFile {
        /// The file.
        file: PathBuf,
        /// What it should hold.
        expected: &'static str,
    },
    /// A credentials directory does not say unambiguously which file is which (caller
    /// misuse).
    ChainDir {
        /// The directory.
        dir: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
    /// Saved state is malformed or inconsistent (caller misuse: a state folder that was not
    /// written by this project's tools, or was edited).
    State(String),
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(what) => write!(f, "test PKI: cannot build {what}"),
            Self::Der(e) => write!(f, "caller error: invalid DER certificate: {e}"),
            Self::KeyMismatch { which } => write!(
                f,
                "caller error: the {which} certificate does not carry the public key of the {which} private key"
            ),
            Self::NotRsa2048 => f.write_str("caller error: the card holds RSA-2048 keys only"),
            Self::TooLarge => {
                f.write_str("caller error: certificate larger than a card EF (32,767 bytes)")
            }
            Self::Io { path, source } => {
                write!(f, "test PKI: I/O on {}: {source}", path.display())
            }
            Self::BadFile { file, expected } => {
                write!(f, "caller error: {} is not {expected}", file.display())
            }
            Self::ChainDir { dir, reason } => {
                write!(
                    f,
                    "caller error: credentials in {}: {reason}",
                    dir.display()
                )
            }
            Self::State(what) => write!(f, "test PKI state: {what}"),
        }
    }
}

impl core::error::Error for PkiError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Der(e) => Some(e),
            _ => None,
        }
    }
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        Self::Der(e)
    }
}
