#![doc = include_str!("../README.md")]

pub mod mock;
pub mod nfc;
#[cfg(feature = "pcsc")]
#[path = "pcsc_backend.rs"]
pub mod pcsc;
mod transport;
pub mod vpcd;
pub mod vpcd_card;

pub use transport::{CheckEnd, Counting, ReaderLimits, Transport, TransportError};
