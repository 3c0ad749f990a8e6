//! `elig`: the command of the elig SDK. See the crate README for every subcommand, the exit
//! codes and the JSON fields; `elig --help` and `elig <command> --help` for the same in short.

mod cli;
mod commands;
mod config;
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
        // ---- C1 ----
        Command::Demo(args) => commands::demo::run(&args, as_json),
        Command::Sandbox(args) => commands::sandbox::run(&args, as_json),
        Command::VpcdCard(args) => commands::vpcd_card::run(&args, as_json),
        Command::Verify(args) => commands::verify::run(&args, as_json),
        Command::Card(args) => commands::card::run(&args, as_json),
        Command::Readers(args) => commands::card::readers(&args, as_json),
        Command::Desk(args) => commands::desk::run(&args, as_json),
        // ---- end C1 ----
        Command::Completions(args) => commands::completions::completions(&args),
        Command::Man(args) => commands::completions::man(&args),
        // Commands that need no card (C2).
        Command::Ids(args) => commands::ids::run(&args, as_json),
        Command::Voucher(args) => commands::voucher::run(&args, as_json),
        Command::Oqs(args) => commands::oqs::run(&args, as_json),
        Command::Audit(args) => commands::audit::run(&args, as_json),
    }
}
