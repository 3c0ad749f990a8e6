//! `elig completions SHELL` and `elig man [--out DIR]`: generated from the same clap
//! definition as the parser, so they never drift from it.

use std::path::PathBuf;

use clap::{Args, CommandFactory};

use crate::cli::Cli;
use crate::error::CliError;
use crate::exit::Exit;

/// Arguments of `elig completions`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  elig completions bash > /etc/bash_completion.d/elig")]
pub(crate) struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Arguments of `elig man`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  elig man --out /usr/local/share/man/man1")]
pub(crate) struct ManArgs {
    /// Write `elig.1` and one page per subcommand (`elig-verify.1`, …) into this folder;
    /// without it, `elig.1` goes to standard output.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Print completions for the shell.
pub(crate) fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "elig", &mut std::io::stdout());
    Ok(Exit::Success)
}

/// Write the man pages.
pub(crate) fn man(args: &ManArgs) -> Result<Exit, CliError> {
    let command = Cli::command();
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| CliError::file("create", dir, &e))?;
            clap_mangen::generate_to(command, dir)
                .map_err(|e| CliError::file("write into", dir, &e))?;
        }
        None => {
            clap_mangen::Man::new(command)
                .render(&mut std::io::stdout())
                .map_err(|e| {
                    CliError::file("write", std::path::Path::new("standard output"), &e)
                })?;
        }
    }
    Ok(Exit::Success)
}
