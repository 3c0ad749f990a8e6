#![doc = include_str!("../README.md")]

mod b64;
mod convert;
pub mod gateway;
pub mod xmlmsg;
