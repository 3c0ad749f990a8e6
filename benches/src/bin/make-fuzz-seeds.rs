//! Writes the fuzz seed corpora: `cargo run -p elig-benches --bin make-fuzz-seeds [DIR]`
//! (default `fuzz/corpus`), one `seed-<name>` file per seed under `<DIR>/<target>/`.
//! Existing `seed-*` files of a target are replaced, except `seed-fuzzed-*` (kept from fuzzer
//! runs) and `seed-regression-*` (inputs that once failed); other corpus files are left alone.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool reports on the terminal

use std::path::PathBuf;
use std::process::ExitCode;

use elig_benches::fixtures::Fixtures;
use elig_benches::seeds;

fn run() -> Result<usize, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    let fixtures = Fixtures::build()?;
    let all = seeds::all(&fixtures)?;
    let mut cleared = Vec::new();
    for seed in &all {
        let target_dir = dir.join(seed.target);
        if !cleared.contains(&seed.target) {
            std::fs::create_dir_all(&target_dir)?;
            for entry in std::fs::read_dir(&target_dir)? {
                let path = entry?.path();
                let old_seed = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("seed-")
                        && !n.starts_with("seed-fuzzed-")
                        && !n.starts_with("seed-regression-")
                });
                if old_seed {
                    std::fs::remove_file(&path)?;
                }
            }
            cleared.push(seed.target);
        }
        std::fs::write(target_dir.join(format!("seed-{}", seed.name)), &seed.bytes)?;
    }
    Ok(all.len())
}

fn main() -> ExitCode {
    match run() {
        Ok(n) => {
            println!("wrote {n} seed files");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("make-fuzz-seeds: {e}");
            ExitCode::FAILURE
        }
    }
}
