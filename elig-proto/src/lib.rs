#![doc = include_str!("../README.md")]

mod b64;
mod convert;
pub mod gateway;
mod xml;
pub mod xmlmsg;
