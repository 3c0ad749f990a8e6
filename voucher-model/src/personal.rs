//! Personal data out of `Debug` and `Display` (this project's rule, from DESIGN.md: "names,
//! birth dates, addresses, insurance numbers not in Debug/log/error text").
//!
//! Names, kana, birth dates, addresses, 記号・番号・枝番 and voucher numbers print as
//! [`REDACTED`] in every `Debug`, `Display` and error text of this crate's public types;
//! whether a value is present still shows (`Some(<redacted>)` / `None`). A screen renders
//! the values through explicit methods: the public fields themselves, `as_str()` of the
//! identifiers, [`Personal::reveal`], [`crate::Finding::with_values`]. JSON keeps every value
//! (it is the output whose job is to carry them).

use core::fmt;

use serde::{Deserialize, Serialize};

/// What a personal value prints as.
pub const REDACTED: &str = "<redacted>";

/// A personal value: `Debug` and `Display` print [`REDACTED`]; [`Self::reveal`] gives the
/// value for a screen. Serde sees the value itself (transparent).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value, for a screen that is meant to show it.
    pub fn reveal(&self) -> &T {
        &self.0
    }

    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A stand-in that prints [`REDACTED`], for hand-written `Debug` impls.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `Some(<redacted>)` or `None`, for an optional personal field.
pub(crate) fn opt<T>(value: &Option<T>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}
