//! One module per subcommand: its clap arguments and its `run`.

pub(crate) mod completions;

// C2 (issue 12): the commands that need no card, and what they share.
pub(crate) mod audit;
pub(crate) mod ids;
pub(crate) mod oqs;
pub(crate) mod value_args;
pub(crate) mod verdict_json;
pub(crate) mod voucher;
