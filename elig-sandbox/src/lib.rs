#![doc = include_str!("../README.md")]

pub mod access_log;
mod challenge;
pub mod client;
pub mod clock;
mod gateway;
pub mod inquiry;
pub mod kizon_terminal;
mod offline;
pub mod pki;
pub mod registry;
mod server;
pub mod state;
mod tls;
pub mod verify;

pub use gateway::Route;
pub use offline::OfflineGateway;
pub use server::{
    BackgroundSandbox, DEFAULT_SEED, Limits, Sandbox, SandboxConfig, SandboxHandle, StartError,
};
pub use tls::provider;
pub use verify::DeviceIdentity;
