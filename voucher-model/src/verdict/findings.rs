//! The findings collected while a verdict is worked out: the lowest layer of `verdict`.
//!
//! The layers, each using only those below it: `findings` (this list) ← `compare` (one
//! record against the voucher) ← `online` (an online result's status fields, then
//! `compare`) ← `rules` (the whole verdict).

use super::{Field, FieldStatus, Finding, Reason};

/// The findings collected so far.
pub(super) struct Findings(Vec<Finding>);

impl Findings {
    /// No findings yet.
    pub(super) fn new() -> Self {
        Findings(Vec::new())
    }

    /// The findings, in the order they were pushed.
    pub(super) fn into_vec(self) -> Vec<Finding> {
        self.0
    }

    pub(super) fn push(&mut self, field: Field, status: FieldStatus, reason: Reason) {
        self.push_values(field, status, reason, None, None);
    }

    pub(super) fn push_values(
        &mut self,
        field: Field,
        status: FieldStatus,
        reason: Reason,
        voucher_value: Option<String>,
        evidence_value: Option<String>,
    ) {
        self.0.push(Finding {
            field,
            status,
            reason,
            voucher_value,
            evidence_value,
        });
    }
}
