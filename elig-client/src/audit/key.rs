//! The store's secret key for [`SerialHmac`]: HMAC-SHA-256 (RFC 2104 over FIPS 180-4).
//!
//! **Where the key lives (our design):** in the database's own `settings` table, created
//! from the operating system's random source when the store is created. Why there and not in
//! a key file: the key only has to keep the *exports* (JSON Lines handed to an insurer, the
//! rows pushed to a central PostgreSQL store) from being tested against a known serial; a
//! thief of the database file already holds the voucher and insurer numbers in clear, so a
//! separate key file would protect nothing more, while it could be lost or separated from its
//! database in a backup, silently changing every later hash. The key is never exported.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::AuditError;
use super::record::{CertificateSerial, SerialHmac};

/// Key length: 32 bytes (the SHA-256 output size, as RFC 2104 §3 recommends).
pub(crate) const KEY_LEN: usize = 32;

/// The store's HMAC key.
pub(crate) struct SerialKey(Zeroizing<[u8; KEY_LEN]>);

impl SerialKey {
    /// A fresh key from the operating system.
    pub(crate) fn generate() -> Result<SerialKey, AuditError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| AuditError::Randomness)?;
        Ok(SerialKey(key))
    }

    /// The key stored in a database; `None` if it has the wrong length.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<SerialKey> {
        let key: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(SerialKey(Zeroizing::new(key)))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// HMAC-SHA-256(key, serial octets).
    pub(crate) fn hmac(&self, serial: &CertificateSerial) -> SerialHmac {
        keyed_serial_hash(self.bytes(), serial.octets())
    }
}

/// HMAC-SHA-256(`key`, `serial`): the function behind [`SerialHmac`], public so that another
/// store holding the same key computes the same value.
pub fn keyed_serial_hash(key: &[u8], serial: &[u8]) -> SerialHmac {
    // HMAC accepts keys of any length (RFC 2104 §2), so this cannot fail.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return SerialHmac([0; 32]),
    };
    mac.update(serial);
    SerialHmac(mac.finalize().into_bytes().into())
}
