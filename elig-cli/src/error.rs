//! The one error type of the command: a sentence for the person, the next step, the exit code
//! and a stable `kind` for `--json` (`error.kind`).
//!
//! A CLI error is one clear sentence plus the next step — never a backtrace or a Rust type
//! name — and never carries a PIN, a My Number, a name or an insurance number.

use std::fmt;

use crate::exit::Exit;

/// Why a command did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CliError {
    /// The exit code this error ends the process with.
    pub(crate) exit: Exit,
    /// A stable, machine-readable kind (snake_case), printed as `error.kind` in JSON.
    pub(crate) kind: &'static str,
    /// One sentence saying what went wrong, ending with a full stop.
    pub(crate) message: String,
    /// One sentence saying what to do next, ending with a full stop.
    pub(crate) next_step: String,
}

impl CliError {
    /// An error with its exit code, kind, message and next step.
    pub(crate) fn new(
        exit: Exit,
        kind: &'static str,
        message: impl Into<String>,
        next_step: impl Into<String>,
    ) -> Self {
        CliError {
            exit,
            kind,
            message: message.into(),
            next_step: next_step.into(),
        }
    }

    /// A usage or input error (exit 2).
    pub(crate) fn usage(
        kind: &'static str,
        message: impl Into<String>,
        next_step: impl Into<String>,
    ) -> Self {
        CliError::new(Exit::Usage, kind, message, next_step)
    }

    /// A file that could not be read or written (exit 2), naming the path but not its content.
    pub(crate) fn file(action: &str, path: &std::path::Path, error: &std::io::Error) -> Self {
        CliError::usage(
            "file",
            format!(
                "Could not {action} {}: {}.",
                path.display(),
                io_reason(error)
            ),
            "Check the path and its permissions, then run the command again.",
        )
    }
}

/// A short, type-free reason for an I/O error.
pub(crate) fn io_reason(error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file or folder",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::AlreadyExists => "it already exists",
        ErrorKind::InvalidData => "its content is not valid",
        ErrorKind::StorageFull => "the disk is full",
        ErrorKind::TimedOut => "timed out",
        _ => "an input/output error",
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.message, self.next_step)
    }
}

impl std::error::Error for CliError {}
