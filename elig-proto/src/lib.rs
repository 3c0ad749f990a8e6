#![doc = include_str!("../README.md")]

mod b64;
mod convert;
mod xml;
pub mod gateway;
pub mod xmlmsg;
