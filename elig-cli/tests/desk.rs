//! `elig desk` through the built binary: the demo desk prints its URL, the URL (with the
//! token) opens a session and the page, Ctrl-C stops it with exit 0; settings errors are one
//! sentence and exit 2.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use common::{code, elig, json, run};

/// One plain HTTP/1.1 GET (the desk speaks HTTP on loopback): the status line, the headers
/// and the body as text.
fn get(addr: &str, path: &str, cookie: Option<&str>) -> String {
    let mut stream = TcpStream::connect(addr).expect("the desk accepts connections");
    let cookie = cookie.map_or_else(String::new, |c| format!("Cookie: {c}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Stops the desk as Ctrl-C does (SIGINT), or kills it where there are no signals; returns
/// the exit code when it ended by itself.
fn stop(mut child: Child) -> Option<i32> {
    #[cfg(unix)]
    {
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    #[cfg(not(unix))]
    child.kill().unwrap();
    child.wait().unwrap().code()
}

#[test]
fn the_demo_desk_prints_a_url_that_opens_the_page_and_stops_on_ctrl_c() {
    let mut child = elig()
        .args(["desk", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Kept open until the desk stops: it prints more after the URL.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    assert!(path.starts_with("/?token="), "{url}");

    let refused = get(addr, "/", None);
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");

    let opened = get(addr, path, None);
    assert!(opened.starts_with("HTTP/1.1 303"), "{opened}");
    let cookie = opened
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap_or_else(|| panic!("no session cookie in {opened}"))
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = get(addr, "/", Some(&cookie));
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("id=\"visitor-1\""), "the day's list: {page}");

    #[cfg(unix)]
    assert_eq!(stop(child), Some(0), "Ctrl-C stops the desk cleanly");
    #[cfg(not(unix))]
    stop(child);
    drop(stdout);
}

#[test]
fn without_settings_or_demo_the_desk_says_what_it_needs() {
    let output = run(&["desk", "--json"]);
    assert_eq!(code(&output), 2);
    let doc = json(&output);
    assert_eq!(doc["error"]["kind"], "missing_setting");
    assert!(doc["next_step"].as_str().unwrap().contains("--demo"));
}

#[test]
fn a_settings_file_without_the_gateway_is_named_key_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("desk.toml");
    std::fs::write(
        &file,
        "audit = \"audit.sqlite3\"\n[desk]\nbind = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let output = run(&["desk", "--config", file.to_str().unwrap(), "--json"]);
    assert_eq!(code(&output), 2);
    let message = json(&output)["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("[gateway] url"), "{message}");
}

#[test]
fn the_desk_listens_on_loopback_only() {
    let output = run(&["desk", "--demo", "--bind", "0.0.0.0:0"]);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("this machine only"), "{stderr}");
    assert!(
        !stderr.contains("DeskError") && !stderr.contains("NotLoopback"),
        "no Rust type name: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
