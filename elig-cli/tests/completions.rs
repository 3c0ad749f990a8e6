//! `elig completions SHELL` and `elig man [--out DIR]`: generated from the parser itself.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::run::elig;

#[test]
fn completions_are_generated_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef elig"),
        ("fish", "complete -c elig"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = elig(["completions", shell]);
        run.expect_code(0);
        assert!(run.stdout.contains(marker), "{shell}: no {marker:?}");
        // The subcommands are in it.
        for sub in ["ids", "voucher", "oqs", "audit", "completions"] {
            assert!(run.stdout.contains(sub), "{shell}: no {sub}");
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    elig(["completions", "tcsh"]).expect_code(2);
}

#[test]
fn man_writes_the_main_page_and_one_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    elig(["man", "--out"]).expect_code(2);
    elig(["man".as_ref(), "--out".as_ref(), out.as_os_str()]).expect_code(0);
    let main = std::fs::read_to_string(out.join("elig.1")).unwrap();
    assert!(main.contains(".TH elig"), "{main}");
    for page in [
        "elig-ids.1",
        "elig-voucher.1",
        "elig-oqs.1",
        "elig-audit.1",
        "elig-completions.1",
        "elig-man.1",
    ] {
        let text =
            std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
}

#[test]
fn man_without_out_prints_the_main_page() {
    let run = elig(["man"]);
    run.expect_code(0);
    assert!(run.stdout.contains(".TH elig"));
    assert!(run.stdout.contains("audit"));
}
