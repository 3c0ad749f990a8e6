//! Helpers shared by the integration tests: run the built `elig` binary, compare golden
//! JSON documents.
#![allow(dead_code, reason = "each test file uses some of the helpers")]

pub(crate) mod golden;
pub(crate) mod run;
