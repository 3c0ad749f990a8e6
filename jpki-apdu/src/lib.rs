#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod command;
pub mod content;
mod cursor;
mod digest;
pub mod ids;
mod limits;
#[cfg(feature = "my-number")]
pub mod my_number;
mod pin;
pub mod procedure;
mod response;
mod status;
pub mod tlv;
mod zbuf;

pub use command::{
    Case, Command, CommandBuilder, CommandError, CommandParseError, IsoConversionError,
};
pub use digest::{DigestInfo, HashAlgorithm, SHA256_PREFIX, SHA384_PREFIX, SHA512_PREFIX};
pub use ids::{Aid, FileId};
pub use limits::{
    EXTENDED_MAX_COMMAND_LEN, EXTENDED_MAX_RESPONSE_LEN, ReaderLimits, SHORT_MAX_COMMAND_LEN,
    SHORT_MAX_RESPONSE_LEN,
};
pub use pin::{AssistPin, AuthPin, Pin, PinError, SignPassword};
pub use procedure::{DriveError, Procedure, Step, drive};
pub use response::{Response, ResponseParseError};
pub use status::StatusWord;

#[cfg(test)]
mod test_util;
