//! `elig`: the command of the elig SDK. See the crate README for every subcommand, the exit
//! codes and the JSON fields; `elig --help` and `elig <command> --help` for the same in short.

mod cli;
mod commands;
mod error;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::exit::Exit;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let as_json = cli.json;
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(error) => {
            output::error(&error, as_json);
            error.exit.into()
        }
    }
}

/// Run one subcommand.
fn run(cli: Cli) -> Result<Exit, CliError> {
    let as_json = cli.json;
    match cli.command {
        Command::Completions(args) => commands::completions::completions(&args),
        Command::Man(args) => commands::completions::man(&args),
        // Commands that need no card (C2).
        Command::Ids(args) => commands::ids::run(&args, as_json),
        Command::Voucher(args) => commands::voucher::run(&args, as_json),
        Command::Oqs(args) => commands::oqs::run(&args, as_json),
        Command::Audit(args) => commands::audit::run(&args, as_json),
    }
}
