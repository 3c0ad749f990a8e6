//! The one error type of the bindings: flat (a kind and a message), saying who is at fault.

use core::fmt;

/// Why a call failed. Flat: each foreign language sees one exception/error class per
/// variant and its message (Kotlin `EligException.Caller`, Swift `EligError.Caller`, Python
/// `elig.EligError.Caller`). Messages never carry a PIN, a My Number, a name, a birth date or
/// an insurance number.
///
/// A check that ran to its end is never an error: a wrong PIN, a lost tag or a refusal by
/// the gateway is a [`crate::CheckResult`] with a failure. Errors are for what stopped the
/// call itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[uniffi(flat_error)]
#[non_exhaustive]
pub enum EligError {
    /// The caller's mistake: an invalid argument (identifier, voucher, date, PIN format,
    /// PEM/DER), a call at the wrong time, a finished check.
    Caller(String),
    /// The gateway configuration or the connection set-up failed (URL, TLS identity).
    Gateway(String),
    /// The audit store failed (full disk, locked or corrupt database): a check whose record
    /// was not stored must not be shown as recorded.
    Audit(String),
    /// The test sandbox or virtual card could not start (test helpers only).
    Testing(String),
}

impl EligError {
    pub(crate) fn caller(message: impl fmt::Display) -> Self {
        EligError::Caller(format!("caller: {message}"))
    }
}

impl fmt::Display for EligError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EligError::Caller(m)
            | EligError::Gateway(m)
            | EligError::Audit(m)
            | EligError::Testing(m) => f.write_str(m),
        }
    }
}

impl core::error::Error for EligError {}
