//! Running the built `elig` binary and reading what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What one run of `elig` ended with.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit code.
    pub(crate) code: i32,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

impl Run {
    fn of(output: Output) -> Run {
        Run {
            code: output.status.code().expect("elig ended by a signal"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Standard output as one JSON document.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }

    /// Asserts the exit code, showing the output when it differs.
    pub(crate) fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `elig` with `args`.
pub(crate) fn elig<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_elig"))
            .args(args)
            .output()
            .expect("elig runs"),
    )
}

/// Runs `elig` with `args` in the folder `dir` (for output that names relative paths).
pub(crate) fn elig_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Run::of(
        Command::new(env!("CARGO_BIN_EXE_elig"))
            .current_dir(dir)
            .args(args)
            .output()
            .expect("elig runs"),
    )
}

/// A file of the repository, by its path from the workspace root.
pub(crate) fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// A file of `elig-cli/tests/data/`.
pub(crate) fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The real 既存型 response of hangilc/myclinic-ts (elig-proto's copy of the sample).
pub(crate) fn sample_response() -> PathBuf {
    repo_file("elig-proto/tests/data/hangilc-myclinic-ts_onshi-kakunin_response.xml")
}

/// Asserts the usage-error rules: one sentence + next step on stderr (exit 2), no Rust
/// type name, no backtrace.
pub(crate) fn assert_clean_error(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        for banned in ["Error {", "Err(", "panicked", "backtrace", "::"] {
            assert!(!text.contains(banned), "{banned:?} in {text:?}");
        }
    }
}
