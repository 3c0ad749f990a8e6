#![doc = include_str!("../README.md")]

pub mod access_log;
mod challenge;
pub mod client;
pub mod clock;
mod gateway;
pub mod inquiry;
pub mod pki;
pub mod registry;
mod server;
mod tls;
mod verify;

pub use server::{
    BackgroundSandbox, DEFAULT_SEED, Limits, Sandbox, SandboxConfig, SandboxHandle, StartError,
};
pub use tls::provider;
pub use verify::DeviceIdentity;
