//! `elig oqs parse` on the real 既存型 sample (UTF-8 and Shift_JIS), and `elig oqs request`
//! against the simulated terminal running in another process: elig-sandbox's
//! `kizon_terminal::Terminal` (the code of its `kizon-terminal` binary), hosted by this test
//! binary re-executed with `ELIG_CLI_TEST_TERMINAL` set — cargo builds no binary of a
//! dependency for our tests, and the test must not run cargo itself.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::run::{Run, assert_clean_error, elig, sample_response};
use elig_proto::xmlmsg::{Encoding, read_response, write_response};
use elig_sandbox::kizon_terminal::{MALFORMED, SILENT, Terminal};
use elig_sandbox::registry::Registry;
use voucher_model::{CharacterCodeIdentifier, Date, Voucher};

/// Set (to the terminal's folder) in the re-executed test binary that plays the terminal.
const TERMINAL_ENV: &str = "ELIG_CLI_TEST_TERMINAL";

fn today() -> Date {
    voucher_model::jst::date_from_system_time(SystemTime::now()).unwrap()
}

/// The terminal process's body: runs only in the re-executed binary, until it is killed or
/// its folder is removed (so a child outliving its parent stops by itself).
#[test]
fn simulated_terminal_process() {
    let Some(dir) = std::env::var_os(TERMINAL_ENV).map(PathBuf::from) else {
        return;
    };
    let mut terminal = Terminal::new(
        dir.join("req"),
        dir.join("res"),
        dir.join("push"),
        Duration::from_millis(200),
        Registry::default_registry().unwrap(),
    )
    .unwrap();
    while dir.is_dir() {
        let _ = terminal.step(today());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The terminal in another process over fresh folders; killed by its PID when dropped.
struct TerminalProcess {
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for TerminalProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TerminalProcess {
    fn start() -> TerminalProcess {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["simulated_terminal_process", "--exact", "--nocapture"])
            .env(TERMINAL_ENV, dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let t = TerminalProcess { child, dir };
        // The terminal creates its folders when it starts.
        let start = Instant::now();
        while !(t.req().is_dir() && t.res().is_dir()) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "terminal did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        t
    }

    fn req(&self) -> PathBuf {
        self.dir.path().join("req")
    }

    fn res(&self) -> PathBuf {
        self.dir.path().join("res")
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// `elig oqs request` over this terminal's folders with `extra` arguments.
    fn request(&self, extra: &[&str]) -> Run {
        let mut args: Vec<std::ffi::OsString> = vec![
            "oqs".into(),
            "request".into(),
            "--req".into(),
            self.req().into(),
            "--res".into(),
            self.res().into(),
            "--work".into(),
            self.work().into(),
            "--institution".into(),
            "1312345679".into(),
        ];
        args.extend(extra.iter().map(Into::into));
        elig(args)
    }
}

/// The registry's voucher of `handle` today, and the search flags a desk types from it.
fn voucher_and_flags(handle: &str) -> (Voucher, Vec<String>) {
    let registry = Registry::default_registry().unwrap();
    let voucher = registry.vouchers_on(handle, today()).unwrap().remove(0);
    let birthdate = registry.person(handle).unwrap().qualifications[0]
        .birthdate
        .unwrap();
    let mut flags = vec![
        "--insurer".to_owned(),
        voucher.insurer_number().as_str().to_owned(),
        "--number".to_owned(),
        voucher.card_number().as_str().to_owned(),
        "--birth-date".to_owned(),
        birthdate.to_iso(),
    ];
    if let Some(symbol) = voucher.card_symbol() {
        flags.extend(["--symbol".to_owned(), symbol.as_str().to_owned()]);
    }
    (voucher, flags)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_request_is_answered_and_the_answer_becomes_a_verdict() {
    let t = TerminalProcess::start();
    for (handle, encoding) in [("P01", "utf-8"), ("P03", "shift-jis")] {
        let (voucher, mut flags) = voucher_and_flags(handle);
        flags.extend([
            "--encoding".to_owned(),
            encoding.to_owned(),
            "--json".to_owned(),
        ]);
        let run = t.request(&strs(&flags));
        let document = run.expect_code(0).json();
        let expected = if encoding == "utf-8" {
            "utf-8"
        } else {
            "shift_jis"
        };
        assert_eq!(document["encoding"], expected, "answered in kind");
        let response = &document["response"];
        assert_eq!(response["qualification_validity"], "1", "{handle}");
        // An individual check is keyed on the card numbers.
        assert_eq!(response["reference_classification"], "2");
        assert_eq!(
            response["results"][0]["insured_identification_number"],
            voucher.card_number().as_str()
        );
        // Both files were moved out of the terminal's folders; the answer is kept in done/.
        let kept = PathBuf::from(document["file"].as_str().unwrap());
        assert!(
            kept.starts_with(t.work().join("done")),
            "{}",
            kept.display()
        );
        assert!(kept.is_file());
        assert_eq!(std::fs::read_dir(t.req()).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(t.res()).unwrap().count(), 0);

        // The kept answer, with the voucher: staff review (keyed on numbers, nothing else).
        let voucher_file = t.dir.path().join(format!("{handle}.json"));
        std::fs::write(&voucher_file, serde_json::to_vec(&voucher).unwrap()).unwrap();
        let verdict = elig([
            "voucher".as_ref(),
            "verify".as_ref(),
            "--voucher".as_ref(),
            voucher_file.as_os_str(),
            "--oqs-response".as_ref(),
            kept.as_os_str(),
            "--date".as_ref(),
            today().to_iso().as_ref(),
            "--purpose".as_ref(),
            "checkup".as_ref(),
            "--json".as_ref(),
        ]);
        let verdict = verdict.expect_code(3).json();
        let warnings: Vec<_> = verdict["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["result"] != "matched" && f["result"] != "not_compared")
            .collect();
        assert_eq!(warnings.len(), 1, "{verdict}");
        assert_eq!(warnings[0]["field"], "reference_classification");
    }
}

#[test]
fn text_output_names_the_kept_file_and_the_record() {
    let t = TerminalProcess::start();
    let (voucher, flags) = voucher_and_flags("P01");
    let run = t.request(&strs(&flags));
    run.expect_code(0);
    assert!(run.stdout.contains("file: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("encoding: shift_jis"),
        "default encoding"
    );
    assert!(run.stdout.contains("qualification_validity: 1"));
    assert!(run.stdout.contains(&format!(
        "results[0].insured_identification_number: {}",
        voucher.card_number().as_str()
    )));
}

#[test]
fn a_person_the_terminal_does_not_know_has_no_qualification() {
    let t = TerminalProcess::start();
    let (_, mut flags) = voucher_and_flags("P01");
    let at = flags.iter().position(|f| f == "--birth-date").unwrap();
    flags[at + 1] = "2001-01-01".to_owned();
    flags.push("--json".to_owned());
    let document = t.request(&strs(&flags)).expect_code(0).json();
    assert_eq!(document["response"]["qualification_validity"], "4");
}

#[test]
fn a_terminal_that_takes_the_request_but_never_answers_is_exit_5() {
    let t = TerminalProcess::start();
    let (_, mut flags) = voucher_and_flags("P01");
    flags.extend(["--file-id", SILENT, "--timeout", "1"].map(str::to_owned));
    let run = t.request(&strs(&flags));
    run.expect_code(5);
    assert!(
        run.stderr
            .contains("took the request but did not answer in time"),
        "{}",
        run.stderr
    );
    assert_clean_error(&run);
    flags.push("--json".to_owned());
    let document = t.request(&strs(&flags)).expect_code(5).json();
    assert_eq!(document["outcome"], "error");
    assert_eq!(document["error"]["kind"], "terminal_timeout");
}

#[test]
fn nobody_watching_the_folder_is_exit_5_and_the_request_is_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let (req, res) = (dir.path().join("req"), dir.path().join("res"));
    std::fs::create_dir_all(&req).unwrap();
    std::fs::create_dir_all(&res).unwrap();
    let (_, flags) = voucher_and_flags("P01");
    let mut args: Vec<std::ffi::OsString> = vec![
        "--json".into(),
        "oqs".into(),
        "request".into(),
        "--req".into(),
        req.clone().into(),
        "--res".into(),
        res.into(),
        "--institution".into(),
        "1312345679".into(),
        "--timeout".into(),
        "1".into(),
    ];
    args.extend(flags.iter().map(Into::into));
    let run = elig(args);
    let document = run.expect_code(5).json();
    assert_eq!(document["error"]["kind"], "terminal_timeout");
    assert!(
        document["error"]["message"]
            .as_str()
            .unwrap()
            .contains("withdrawn")
    );
    assert_eq!(std::fs::read_dir(&req).unwrap().count(), 0, "withdrawn");
    // The default work folder is next to req.
    assert!(dir.path().join("elig-kizon").is_dir());
}

#[test]
fn an_unreadable_answer_is_exit_5() {
    let t = TerminalProcess::start();
    let (_, mut flags) = voucher_and_flags("P01");
    flags.extend(["--file-id", MALFORMED, "--timeout", "20", "--json"].map(str::to_owned));
    let document = t.request(&strs(&flags)).expect_code(5).json();
    assert_eq!(document["error"]["kind"], "terminal_answer");
}

#[test]
fn invalid_search_values_are_exit_2_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req");
    std::fs::create_dir_all(&req).unwrap();
    for (flag, value) in [
        ("--insurer", "06110828"),
        ("--institution", "123"),
        ("--number", ""),
        ("--branch", "123"),
    ] {
        let mut values = vec![
            ("--institution", "1312345679"),
            ("--insurer", "06110829"),
            ("--number", "4260"),
            ("--birth-date", "2001-03-27"),
            ("--branch", "01"),
        ];
        for (name, v) in &mut values {
            if *name == flag {
                *v = value;
            }
        }
        let mut args: Vec<std::ffi::OsString> = vec![
            "--json".into(),
            "oqs".into(),
            "request".into(),
            "--req".into(),
            req.clone().into(),
            "--res".into(),
            dir.path().join("res").into(),
        ];
        for (name, v) in values {
            args.extend([name.into(), v.into()]);
        }
        let run = elig(args);
        let document = run.expect_code(2).json();
        assert_eq!(document["error"]["kind"], "invalid_identifier", "{flag}");
        let message = document["error"]["message"].as_str().unwrap();
        assert!(message.contains(flag), "{message}");
    }
    assert_eq!(std::fs::read_dir(&req).unwrap().count(), 0);
    // A req folder that does not exist: this PC's setup, exit 2.
    let run = elig([
        "oqs".as_ref(),
        "request".as_ref(),
        "--req".as_ref(),
        dir.path().join("nowhere").as_os_str(),
        "--res".as_ref(),
        dir.path().join("res").as_os_str(),
        "--institution".as_ref(),
        "1312345679".as_ref(),
        "--insurer".as_ref(),
        "06110829".as_ref(),
        "--number".as_ref(),
        "4260".as_ref(),
        "--birth-date".as_ref(),
        "2001-03-27".as_ref(),
    ]);
    run.expect_code(2);
    assert_clean_error(&run);
}

#[test]
fn parse_prints_the_normalized_record_of_the_real_sample() {
    let sample = sample_response();
    let run = elig(["oqs".as_ref(), "parse".as_ref(), sample.as_os_str()]);
    run.expect_code(0);
    for line in [
        "encoding: utf-8",
        // The space-padded 6-digit number, normalized to 8.
        "results[0].insurer_number: 00123456",
        "results[0].birthdate: 2001-03-27",
        "results[0].name_kana: ｼﾝﾘｮｳ ﾀﾛｳ",
        "qualification_validity: 1",
        // The codes with their meaning (OQSCD006, OQSCD002).
        "QualificationValidity: 1 有効 (valid)",
        "ReferenceClassification: 1 マイナンバーカード (My Number Card)",
    ] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line}\n{}",
            run.stdout
        );
    }
    let document = elig([
        "oqs".as_ref(),
        "parse".as_ref(),
        sample.as_os_str(),
        "--json".as_ref(),
    ])
    .expect_code(0)
    .json();
    assert_eq!(document["encoding"], "utf-8");
    assert_eq!(document["character_code_identifier_mismatch"], false);
    assert_eq!(
        document["response"]["results"][0]["insured_card_symbol"],
        "12-34"
    );
    assert_eq!(
        document["response"]["medical_institution_code"],
        "1311111111"
    );
}

#[test]
fn parse_reads_shift_jis_the_same() {
    let mut response = read_response(&std::fs::read(sample_response()).unwrap()).unwrap();
    response.character_code_identifier = Some(CharacterCodeIdentifier::from_code("1"));
    let bytes = write_response(&response, Encoding::ShiftJis).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("OQSsiquc01res_202302210001.xml");
    std::fs::write(&file, &bytes).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "really Shift_JIS");
    let sjis = elig([
        "oqs".as_ref(),
        "parse".as_ref(),
        file.as_os_str(),
        "--json".as_ref(),
    ])
    .expect_code(0)
    .json();
    let utf8 = elig([
        "oqs".as_ref(),
        "parse".as_ref(),
        sample_response().as_os_str(),
        "--json".as_ref(),
    ])
    .json();
    assert_eq!(sjis["encoding"], "shift_jis");
    assert_eq!(sjis["response"]["results"], utf8["response"]["results"]);
}

#[test]
fn parse_refuses_what_is_not_a_response_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("half.xml");
    let bytes = std::fs::read(sample_response()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let doctype = dir.path().join("doctype.xml");
    std::fs::write(
        &doctype,
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><XmlMsg/>",
    )
    .unwrap();
    for file in [&truncated, &doctype, &dir.path().join("missing.xml")] {
        let run = elig(["oqs".as_ref(), "parse".as_ref(), file.as_os_str()]);
        run.expect_code(2);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        assert_clean_error(&run);
    }
    let document = elig([
        "--json".as_ref(),
        "oqs".as_ref(),
        "parse".as_ref(),
        truncated.as_os_str(),
    ])
    .expect_code(2)
    .json();
    assert_eq!(document["error"]["kind"], "oqs_response");
}

#[test]
fn help_shows_examples() {
    for sub in ["request", "parse"] {
        let run = elig(["oqs", sub, "--help"]);
        run.expect_code(0);
        assert!(run.stdout.contains(&format!("elig oqs {sub} ")), "{sub}");
        assert!(run.stdout.contains("Exit codes"), "{sub}");
    }
}
