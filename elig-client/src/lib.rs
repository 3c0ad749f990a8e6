#![doc = include_str!("../README.md")]

pub mod audit;
pub mod blocking;
pub mod gateway;
#[cfg(feature = "tokio")]
pub mod https;
pub mod kizon;
pub mod session;
