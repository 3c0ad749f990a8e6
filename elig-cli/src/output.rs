//! Where `elig` writes: results to standard output, errors to standard error (or, with
//! `--json`, one JSON document on standard output, so that a script reads one place).
// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;

use serde_json::json;

use crate::error::CliError;

/// Print one line of plain output. A closed pipe (`elig … | head`) ends the output quietly
/// instead of panicking the way `println!` does.
pub(crate) fn line(text: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Print a JSON document on one line of standard output.
pub(crate) fn json(document: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`elig … --json | head`) is not an error worth a second message.
    let _ = serde_json::to_writer(&mut out, document)
        .and_then(|()| writeln!(out).map_err(serde_json::Error::io));
}

/// The JSON document of an error: `outcome` is `error`, with `error.kind`, `error.message`
/// and the `next_step` (issue 12, item 4).
pub(crate) fn error_document(error: &CliError) -> serde_json::Value {
    json!({
        "outcome": "error",
        "error": { "kind": error.kind, "message": error.message },
        "next_step": error.next_step,
    })
}

/// Report an error the way the command was asked to speak.
pub(crate) fn error(error: &CliError, as_json: bool) {
    if as_json {
        json(&error_document(error));
    } else {
        eprintln!("elig: {} {}", error.message, error.next_step);
    }
}
