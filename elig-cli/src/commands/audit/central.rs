//! `elig audit central-export`: the organisation's query of the central PostgreSQL store
//! (elig-client's `audit::postgres::PgAuditStore::export_jsonl`, issue 15 item 3) — every
//! desk's rows as JSON Lines, filtered by days, site and device. The URL is never printed.

use std::path::PathBuf;

use clap::Args;
use voucher_model::Date;

use crate::commands::value_args::parse_date;
use crate::error::CliError;
use crate::exit::Exit;

/// Arguments of `elig audit central-export`.
#[derive(Debug, Args)]
pub(crate) struct CentralExportArgs {
    /// The central store: `postgres://user:password@host:port/database`.
    #[arg(long, value_name = "URL")]
    central: String,
    /// Only this site's desks.
    #[arg(long, value_name = "SITE")]
    site: Option<String>,
    /// Only this desk.
    #[arg(long, value_name = "NAME")]
    device: Option<String>,
    /// The first day included (YYYY-MM-DD, Japan); default: from the first row.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    from: Option<Date>,
    /// The last day included (YYYY-MM-DD, Japan); default: to the last row.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    to: Option<Date>,
    /// Require TLS, trusting the CA certificates of this PEM file.
    #[arg(long, value_name = "FILE")]
    ca: Option<PathBuf>,
}

/// Runs `elig audit central-export`: JSON Lines on standard output (`device`, `site`, then
/// the fields of `elig audit export`), by day, device and `seq`.
#[cfg(feature = "postgres")]
pub(crate) fn run(args: &CentralExportArgs) -> Result<Exit, CliError> {
    use elig_client::audit::DayRange;
    use elig_client::audit::postgres::{PgAuditStore, Query};

    use super::push::{central_error, pg_options};

    let options = pg_options(args.ca.as_deref())?;
    let here = std::path::Path::new("-");
    let central =
        PgAuditStore::connect(&args.central, &options).map_err(|e| central_error(here, &e))?;
    let mut query = Query::all().days(DayRange {
        from: args.from,
        to: args.to,
    });
    if let Some(site) = &args.site {
        query = query.site(site);
    }
    if let Some(device) = &args.device {
        query = query.device(device);
    }
    let mut out = std::io::stdout().lock();
    central
        .export_jsonl(&query, &mut out)
        .map_err(|e| central_error(here, &e))?;
    Ok(Exit::Success)
}

/// Without the `postgres` feature: a clear error, nothing contacted.
#[cfg(not(feature = "postgres"))]
pub(crate) fn run(_args: &CentralExportArgs) -> Result<Exit, CliError> {
    Err(super::push::no_postgres())
}
