#![doc = include_str!("../README.md")]

mod audit;
pub mod c_abi;
mod check;
mod error;
mod gateway;
mod link;
mod result;
pub mod testing;
mod values;

pub use audit::{AuditRow, AuditStore, ChainCheck};
pub use check::{Check, CheckMode, CheckObserver, CheckPurpose, CheckRequest};
pub use error::EligError;
pub use gateway::Gateway;
pub use link::{CardLink, CardLinkCapabilities, CardLinkError};
pub use result::{
    CheckEvent, CheckFailureInfo, CheckResult, FailureKind, Fault, ProgressStep, VerdictOutcome,
};
pub use values::{IdentifierKind, Voucher, VoucherType, check_identifier, today_in_japan};

uniffi::setup_scaffolding!("elig");
