//! The command line, as clap reads it: one `Command` variant per subcommand, each with its
//! arguments in the module that runs it.

use clap::{Parser, Subcommand};

use crate::commands;

/// Confirm from a My Number Card that a checkup voucher's holder is insured by its issuer.
///
/// Exit codes: 0 eligible / success; 1 not eligible (invalid for `ids check`, tampered for
/// `audit verify`); 2 usage or input error; 3 needs staff review; 4 card or reader error;
/// 5 gateway or network error.
#[derive(Debug, Parser)]
#[command(name = "elig", version, about, long_about, propagate_version = true)]
pub(crate) struct Cli {
    /// Print one JSON document (or JSON Lines) instead of text, where the command has one.
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands of `elig`.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    // ---- C1: the demo and the commands that touch a card or a gateway ----
    /// Run the whole check offline: sandbox gateway, virtual cards, real TLS (start here).
    Demo(commands::demo::DemoArgs),
    /// The reference gateway as a process, and virtual cards' chains.
    Sandbox(commands::sandbox::SandboxArgs),
    /// Serve a virtual My Number Card to vsmartcard's vpcd reader (test rigs).
    VpcdCard(commands::vpcd_card::VpcdCardArgs),
    /// Read a card's public facts (no PIN asked).
    Card(commands::card::CardArgs),
    /// List the PC/SC readers and whether a card is present.
    Readers(commands::card::ReadersArgs),
    /// Check a voucher holder's insurance with their My Number Card and the gateway.
    Verify(commands::verify::VerifyArgs),
    // ---- end C1 ----
    /// Serve the reception-desk web page on this machine until Ctrl-C.
    Desk(commands::desk::DeskArgs),
    /// Print shell completions for `elig`.
    Completions(commands::completions::CompletionsArgs),
    /// Write the `elig` man pages.
    Man(commands::completions::ManArgs),
    // Commands that need no card (C2).
    /// Validate and normalize an identifier (保険者番号, 医療機関コード, …).
    Ids(commands::ids::IdsArgs),
    /// The explained verdict for a voucher without a card.
    Voucher(commands::voucher::VoucherArgs),
    /// The 既存型 terminal's files: ask it through its folders, read its answers.
    Oqs(commands::oqs::OqsArgs),
    /// The audit store: list, export, verify.
    Audit(commands::audit::AuditArgs),
}
