//! `kizon-terminal`: a simulated 既存型 qualification-check terminal for tests and demos
//! (see `elig_sandbox::kizon_terminal`).
//!
//! ```text
//! kizon-terminal --req DIR --res DIR [--push DIR] [--pause-ms N] [--poll-ms N]
//!                [--registry FILE] [--today YYYY-MM-DD]
//! ```
//! Runs until it is killed. Std only: the same on Windows and Linux.
// A command-line tool: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, SystemTime};

use elig_sandbox::kizon_terminal::Terminal;
use elig_sandbox::registry::Registry;
use voucher_model::Date;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "\
usage:
  kizon-terminal --req DIR --res DIR [--push DIR] [--pause-ms N] [--poll-ms N]
                 [--registry FILE] [--today YYYY-MM-DD]
      Answer OQSsiquc01req_* files in --req from the sandbox registry into --res, writing
      each answer in two halves --pause-ms apart (default 300); a file <handle> dropped in
      --push (default: a push folder next to --res) makes it push a face result for that
      person. Polls every --poll-ms (default 20). Runs until killed.";

struct Args {
    req: PathBuf,
    res: PathBuf,
    push: Option<PathBuf>,
    pause: Duration,
    poll: Duration,
    registry: Option<PathBuf>,
    today: Option<Date>,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut req = None;
    let mut res = None;
    let mut push = None;
    let mut pause = Duration::from_millis(300);
    let mut poll = Duration::from_millis(20);
    let mut registry = None;
    let mut today = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--req" => req = Some(PathBuf::from(value()?)),
            "--res" => res = Some(PathBuf::from(value()?)),
            "--push" => push = Some(PathBuf::from(value()?)),
            "--pause-ms" => pause = Duration::from_millis(value()?.parse()?),
            "--poll-ms" => poll = Duration::from_millis(value()?.parse()?),
            "--registry" => registry = Some(PathBuf::from(value()?)),
            "--today" => today = Some(Date::parse_iso(&value()?)?),
            other => return Err(format!("unknown argument {other}\n{USAGE}").into()),
        }
    }
    Ok(Args {
        req: req.ok_or(USAGE)?,
        res: res.ok_or(USAGE)?,
        push,
        pause,
        poll,
        registry,
        today,
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("kizon-terminal: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let registry = match &args.registry {
        Some(path) => Registry::from_json(&std::fs::read_to_string(path)?)?,
        None => Registry::default_registry()?,
    };
    let push = match args.push {
        Some(p) => p,
        None => args
            .res
            .parent()
            .map(|p| p.join("push"))
            .unwrap_or_else(|| PathBuf::from("push")),
    };
    let mut terminal = Terminal::new(&args.req, &args.res, push, args.pause, registry)?;
    println!("kizon-terminal: watching {}", args.req.display());
    loop {
        let today = match args.today {
            Some(day) => day,
            None => voucher_model::jst::date_from_system_time(SystemTime::now())?,
        };
        if let Err(e) = terminal.step(today) {
            eprintln!("kizon-terminal: {e}");
        }
        thread::sleep(args.poll);
    }
}
