//! The `vpcd-card` binary against a loopback listener playing vpcd: it connects, answers
//! the ATR poll and APDUs, logs no secret, and exits 0 on SIGTERM.
#![cfg(unix)]
#![allow(clippy::unwrap_used)] // test code

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

fn msg(payload: &[u8]) -> Vec<u8> {
    let mut m = u16::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
    m.extend_from_slice(payload);
    m
}

fn recv(s: &mut TcpStream) -> Vec<u8> {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).unwrap();
    let mut p = vec![0u8; usize::from(u16::from_be_bytes(h))];
    s.read_exact(&mut p).unwrap();
    p
}

#[test]
fn serves_the_card_and_exits_cleanly_on_sigterm() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let child = Command::new(env!("CARGO_BIN_EXE_vpcd-card"))
        .args([
            "--port",
            &port,
            "--pin",
            "5678",
            "--seed",
            "3",
            "--extended",
            "off",
            "--verbose",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut vpcd, _) = listener.accept().unwrap();
    vpcd.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    vpcd.write_all(&msg(&[0x04])).unwrap();
    assert_eq!(recv(&mut vpcd), reader_backends::mock::MY_NUMBER_CARD_ATR);
    vpcd.write_all(&msg(&[0x01])).unwrap();
    let select = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    vpcd.write_all(&msg(&select)).unwrap();
    assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
    vpcd.write_all(&msg(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]))
        .unwrap();
    assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
    vpcd.write_all(&msg(&[
        0x00, 0x20, 0x00, 0x80, 0x04, b'5', b'6', b'7', b'8',
    ]))
    .unwrap();
    assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
    // --extended off: an extended READ BINARY is a wrong length.
    vpcd.write_all(&msg(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]))
        .unwrap();
    assert_eq!(recv(&mut vpcd), [0x67, 0x00]);

    // The shell's builtin kill: no procps needed.
    let term = format!("kill -TERM {}", child.id());
    let status = Command::new("sh").args(["-c", &term]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let log = String::from_utf8(out.stderr).unwrap();
    assert!(log.contains("stopped by signal"), "{log}");
    assert!(log.contains("00 20 VERIFY -> 9000"), "{log}");
    assert!(!log.contains("5678") && !log.contains("35363738"), "{log}");
    // The socket is closed: vpcd sees the card removed.
    let mut rest = Vec::new();
    assert_eq!(vpcd.read_to_end(&mut rest).unwrap(), 0);
}

#[test]
fn refuses_a_malformed_pin_and_missing_arguments() {
    let bin = env!("CARGO_BIN_EXE_vpcd-card");
    let out = Command::new(bin)
        .args(["--port", "1", "--pin", "12345"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("12345"));
    let out = Command::new(bin).args(["--pin", "1234"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port is required"));
}
