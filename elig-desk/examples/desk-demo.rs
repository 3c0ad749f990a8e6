//! The demo desk without elig-cli: `cargo run -p elig-desk --example desk-demo [-- ADDR]`
//! prints the URL to open, serves until Ctrl-C (or until stdin closes when run by a test).
#![allow(clippy::print_stdout, reason = "an example that prints its URL")]

use std::net::SocketAddr;

use elig_desk::{DEFAULT_BIND, DemoOptions, Desk};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bind: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_BIND.to_owned())
        .parse()?;
    let desk = Desk::demo(DemoOptions::default()).await?;
    let running = desk.serve(bind).await?;
    println!("{}", running.url());
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}
