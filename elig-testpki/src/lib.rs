#![doc = include_str!("../README.md")]

mod authority;
mod build;
mod card;
mod chain_dir;
mod dates;
mod error;
mod pki;

pub use authority::{Authority, CardQuirk, TestKey};
pub use card::{CardCredentials, KeyAndChain};
pub use dates::{
    authority_validity, card_validity_on, crl_next_update_on, device_validity_on, utc_day,
    utc_midnight,
};
pub use error::PkiError;
pub use pki::Pki;

/// The seed of the default test PKI: what `elig-sandbox serve`, the demo and a
/// `VirtualMyNumberCard` with default credentials use.
pub const DEFAULT_SEED: &[u8] = b"elig-sandbox default seed v1";

/// The size of every card authentication certificate, in bytes: the large end of real
/// 利用者証明用電子証明書 (public ports report 1.3–1.9 KB; DESIGN.md sizes the APDU budget for
/// 1,900 bytes).
pub const AUTH_CERT_LEN: usize = 1900;

/// The authentication CA's name: clearly not J-LIS's.
pub const AUTH_CA_NAME: &str =
    "CN=elig sandbox JPKI user authentication CA (NOT JPKI),O=elig sandbox JPKI,C=JP";
/// The signature CA's name: clearly not J-LIS's.
pub const SIGN_CA_NAME: &str =
    "CN=elig sandbox JPKI digital signature CA (NOT JPKI),O=elig sandbox JPKI,C=JP";
/// The device registration CA's name.
pub const DEVICE_CA_NAME: &str = "CN=elig sandbox device registration CA,O=elig sandbox,C=JP";
/// The gateway CA's name (issues the server certificate).
pub const GATEWAY_CA_NAME: &str = "CN=elig sandbox gateway CA,O=elig sandbox,C=JP";

#[cfg(test)]
mod tests;
