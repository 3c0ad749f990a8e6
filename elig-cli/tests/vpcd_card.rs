//! `elig vpcd-card` without a vpcd reader listening: a reader error (exit 4), said plainly.

mod common;

use common::{code, json, run};

#[test]
fn no_vpcd_listening_is_a_reader_error() {
    // A port nothing listens on (bound then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = run(&["vpcd-card", "--port", &port.to_string(), "--json"]);
    assert_eq!(code(&output), 4);
    assert_eq!(json(&output)["error"]["kind"], "vpcd_unreachable");
}
