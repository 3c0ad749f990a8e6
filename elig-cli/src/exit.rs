//! The exit codes of `elig`: a public contract that scripts rely on (issue 12, item 3).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | eligible / success |
//! | 1 | not eligible (invalid for `ids check`, tampered for `audit verify`) |
//! | 2 | usage or input error |
//! | 3 | needs staff review |
//! | 4 | card or reader error (no reader, no card, removed, wrong or blocked PIN) |
//! | 5 | gateway or network error (unreachable, TLS, timeout, rejected) |
//!
//! The numbers never change; new meanings get new numbers.

use std::process::ExitCode;

/// How `elig` ends: one of the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: eligible, or the command did what it was asked.
    Success,
    /// 1: not eligible; an identifier is invalid (`ids check`); the audit chain is broken
    /// (`audit verify`).
    NotEligible,
    /// 2: the command line or an input file is wrong.
    Usage,
    /// 3: the verdict needs a person to look (staff review).
    NeedsReview,
    /// 4: the card or the reader failed (no reader, no card, removed, wrong or blocked PIN).
    Card,
    /// 5: the gateway or the network failed (unreachable, TLS, timeout, rejected).
    Gateway,
}

impl Exit {
    /// The process exit code.
    pub(crate) const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::NotEligible => 1,
            Exit::Usage => 2,
            Exit::NeedsReview => 3,
            Exit::Card => 4,
            Exit::Gateway => 5,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn the_codes_are_the_documented_ones() {
        let all = [
            (Exit::Success, 0),
            (Exit::NotEligible, 1),
            (Exit::Usage, 2),
            (Exit::NeedsReview, 3),
            (Exit::Card, 4),
            (Exit::Gateway, 5),
        ];
        for (exit, code) in all {
            assert_eq!(exit.code(), code, "{exit:?}");
        }
    }
}
