#![doc = include_str!("../README.md")]

pub mod mock;
pub mod nfc;
mod transport;
pub mod vpcd;

pub use transport::{ReaderLimits, Transport, TransportError};
