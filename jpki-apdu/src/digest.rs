//! PKCS#1 v1.5 `DigestInfo` (RFC 8017 §9.2), built from a hash the caller computed.
//!
//! ```text
//! DigestInfo ::= SEQUENCE {
//!     digestAlgorithm AlgorithmIdentifier,   -- OID, NULL parameters
//!     digest OCTET STRING }
//! ```
//!
//! The DER prefixes below are the public ones of RFC 8017 §9.2 note 1. This crate does no
//! hashing: it has no hash dependency, and the caller hashes with whatever it trusts.

use core::fmt;

/// DER prefix of a SHA-256 DigestInfo (19 bytes; the 32-byte hash follows, 51 in all).
pub const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
/// DER prefix of a SHA-384 DigestInfo (19 bytes; the 48-byte hash follows, 67 in all).
pub const SHA384_PREFIX: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
/// DER prefix of a SHA-512 DigestInfo (19 bytes; the 64-byte hash follows, 83 in all).
pub const SHA512_PREFIX: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// The hash algorithm a [`DigestInfo`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (OID 2.16.840.1.101.3.4.2.1).
    Sha256,
    /// SHA-384 (OID 2.16.840.1.101.3.4.2.2).
    Sha384,
    /// SHA-512 (OID 2.16.840.1.101.3.4.2.3).
    Sha512,
}

/// A DER `DigestInfo`: the input of COMPUTE DIGITAL SIGNATURE with P1 `00`.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestInfo {
    bytes: [u8; 83],
    len: u8,
    algorithm: HashAlgorithm,
}

impl DigestInfo {
    fn build<const N: usize>(prefix: &[u8; 19], hash: &[u8; N], algorithm: HashAlgorithm) -> Self {
        let mut bytes = [0u8; 83];
        for (slot, b) in bytes.iter_mut().zip(prefix.iter().chain(hash.iter())) {
            *slot = *b;
        }
        let len = u8::try_from(prefix.len().saturating_add(N)).unwrap_or(83);
        Self {
            bytes,
            len,
            algorithm,
        }
    }

    /// The DigestInfo of a SHA-256 hash (51 bytes).
    #[must_use]
    pub fn sha256(hash: &[u8; 32]) -> Self {
        Self::build(&SHA256_PREFIX, hash, HashAlgorithm::Sha256)
    }

    /// The DigestInfo of a SHA-384 hash (67 bytes).
    #[must_use]
    pub fn sha384(hash: &[u8; 48]) -> Self {
        Self::build(&SHA384_PREFIX, hash, HashAlgorithm::Sha384)
    }

    /// The DigestInfo of a SHA-512 hash (83 bytes).
    #[must_use]
    pub fn sha512(hash: &[u8; 64]) -> Self {
        Self::build(&SHA512_PREFIX, hash, HashAlgorithm::Sha512)
    }

    /// The DER bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The hash algorithm.
    #[must_use]
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }
}

impl fmt::Debug for DigestInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestInfo")
            .field("algorithm", &self.algorithm)
            .field("der", &crate::command::Hex(self.as_bytes()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::{Tag, Tlv};

    #[test]
    fn lengths_and_structure() {
        for (di, len, hash_len) in [
            (DigestInfo::sha256(&[1; 32]), 51, 32),
            (DigestInfo::sha384(&[2; 48]), 67, 48),
            (DigestInfo::sha512(&[3; 64]), 83, 64),
        ] {
            assert_eq!(di.as_bytes().len(), len);
            // The prefix is a well-formed SEQUENCE whose last child is the hash.
            let seq = Tlv::parse_exact(di.as_bytes()).unwrap();
            assert_eq!(seq.tag(), Tag::new(0x30));
            let children: Vec<_> = seq.children().map(Result::unwrap).collect();
            assert_eq!(children.len(), 2);
            assert_eq!(children[1].tag(), Tag::new(0x04));
            assert_eq!(children[1].value().len(), hash_len);
        }
        assert_eq!(
            DigestInfo::sha256(&[0; 32]).algorithm(),
            HashAlgorithm::Sha256
        );
    }

    /// Moved here from elig-proto with the DigestInfo builder it tested (its `digest_info`):
    /// the SHA-256 prefix byte for byte (RFC 8017 §9.2 note 1), then the digest itself.
    #[test]
    fn sha256_prefix_golden() {
        let digest: [u8; 32] = core::array::from_fn(|i| u8::try_from(i).unwrap());
        let info = DigestInfo::sha256(&digest);
        let hex: String = info.as_bytes()[..19]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "3031300d060960864801650304020105000420");
        assert_eq!(&info.as_bytes()[19..], &digest);
    }
}
