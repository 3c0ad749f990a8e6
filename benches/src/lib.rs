#![doc = include_str!("../README.md")]

pub mod fixtures;
pub mod flow;
pub mod seeds;

use core::fmt;

/// Why a fixture could not be built or replayed. Every case is a bug in a crate of the
/// workspace (they refuse their own output), never an environment problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FixtureError {
    /// The virtual card or a jpki-apdu procedure failed.
    Card(String),
    /// A crate refused data the SDK itself produced.
    Data(String),
    /// A recorded transcript no longer matches what the procedure sends.
    Replay(String),
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Card(e) => write!(f, "virtual card / procedure failed: {e}"),
            Self::Data(e) => write!(f, "a crate refused SDK-produced data: {e}"),
            Self::Replay(e) => write!(f, "replay diverged from the recording: {e}"),
        }
    }
}

impl core::error::Error for FixtureError {}
