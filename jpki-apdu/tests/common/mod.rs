//! Test helpers: a byte-exact script runner and a small scripted card responder.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;

use jpki_apdu::{Command, DriveError, Procedure, drive, ids};

pub const OK: &str = "9000";

pub fn with_sw(data: &[u8], sw: &str) -> Vec<u8> {
    let mut out = data.to_vec();
    out.extend_from_slice(&hex(sw));
    out
}

pub fn procedure_error<T: std::fmt::Debug>(
    r: Result<T, jpki_apdu::DriveError<Infallible>>,
) -> jpki_apdu::procedure::Error {
    match r {
        Err(jpki_apdu::DriveError::Procedure(e)) => e,
        other => panic!("expected a procedure error, got {other:?}"),
    }
}

/// A short-APDU-only reader: what every single-procedure golden transcript runs over.
pub fn short() -> jpki_apdu::ReaderLimits {
    jpki_apdu::ReaderLimits::short_only()
}

pub fn pin() -> jpki_apdu::AuthPin {
    jpki_apdu::AuthPin::new("1234").unwrap()
}

pub fn digest() -> jpki_apdu::DigestInfo {
    jpki_apdu::DigestInfo::sha256(&[0x11; 32])
}

/// COMPUTE DIGITAL SIGNATURE over the SHA-256 DigestInfo of 32 × `hash_byte`.
pub fn sign_command(hash_byte: u8) -> String {
    format!(
        "802A008033 3031300D060960864801650304020105000420 {} 00",
        format!("{hash_byte:02X}").repeat(32)
    )
}

/// Hex to bytes; spaces ignored.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex: {s}");
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// One exchange of a golden transcript: the exact command bytes and the card's answer.
pub struct Exchange {
    pub command: Vec<u8>,
    pub response: Vec<u8>,
}

pub fn ex(command: &str, response: &str) -> Exchange {
    Exchange {
        command: hex(command),
        response: hex(response),
    }
}

pub fn ex_bytes(command: Vec<u8>, response: Vec<u8>) -> Exchange {
    Exchange { command, response }
}

/// Runs `procedure` against a transcript: every command must match byte for byte, and
/// every exchange must be used.
pub fn run_script<P: Procedure>(
    procedure: P,
    script: &[Exchange],
) -> Result<P::Output, DriveError<Infallible>> {
    let mut next = 0usize;
    let result = drive(procedure, |command: &[u8]| {
        let Some(exchange) = script.get(next) else {
            panic!("unexpected extra command #{next}: {}", to_hex(command));
        };
        assert_eq!(
            to_hex(command),
            to_hex(&exchange.command),
            "command #{next} differs"
        );
        next += 1;
        Ok(exchange.response.clone())
    });
    assert_eq!(next, script.len(), "the procedure stopped early");
    result
}

/// A DER-looking certificate of exactly `total` bytes (`30 82 LL LL` + filler).
pub fn certificate(total: usize) -> Vec<u8> {
    let body = total - 4;
    let mut cert = vec![0x30, 0x82, (body >> 8) as u8, body as u8];
    cert.extend((0..body).map(|i| (i % 251) as u8));
    cert
}

/// A small scripted My Number Card: enough state for the PIN-mode check (selected
/// application and EF, PIN counter, verified flag), answering READ BINARY the ISO way
/// (fewer bytes + `6282` at end of file, `6B00` beyond it).
pub struct TestCard {
    pub cert_ef: Vec<u8>,
    pub pin: Vec<u8>,
    pub tries: u8,
    pub verified: bool,
    pub extended_ok: bool,
    pub has_isd: bool,
    /// A smartphone token: even the authentication certificate needs the PIN.
    pub cert_needs_pin: bool,
    pub app: Option<Vec<u8>>,
    pub ef: Option<[u8; 2]>,
    pub log: Vec<Vec<u8>>,
}

impl TestCard {
    pub fn new(cert_len: usize, extended_ok: bool) -> Self {
        let mut cert_ef = certificate(cert_len);
        // The EF is larger than the certificate; the rest is padding.
        cert_ef.resize(cert_len + 148, 0xFF);
        Self {
            cert_ef,
            pin: b"1234".to_vec(),
            tries: 3,
            verified: false,
            extended_ok,
            has_isd: true,
            cert_needs_pin: false,
            app: None,
            ef: None,
            log: Vec::new(),
        }
    }

    pub fn transceive(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.log.push(apdu.to_vec());
        let Ok(cmd) = Command::parse(apdu) else {
            return vec![0x67, 0x00];
        };
        if cmd.is_extended() && !self.extended_ok {
            return vec![0x67, 0x00];
        }
        match (cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2()) {
            (0x00, 0xA4, 0x04, 0x0C) => self.select_app(cmd.data()),
            (0x00, 0xA4, 0x02, 0x0C) => {
                if self.app.as_deref() != Some(ids::JPKI_AP.as_bytes()) {
                    return vec![0x6A, 0x82];
                }
                match cmd.data() {
                    [a, b] => {
                        self.ef = Some([*a, *b]);
                        vec![0x90, 0x00]
                    }
                    _ => vec![0x67, 0x00],
                }
            }
            (0x00, 0xB0, p1, p2) => self.read(u16::from_be_bytes([p1, p2]), cmd.ne()),
            (0x00, 0x20, 0x00, 0x80) => self.verify(cmd.data()),
            (0x80, 0x2A, 0x00, 0x80) => {
                if self.ef != Some([0x00, 0x17]) {
                    return vec![0x69, 0x86];
                }
                if !self.verified {
                    return vec![0x69, 0x82];
                }
                let mut sig = vec![0x5A; 256];
                sig.extend_from_slice(&[0x90, 0x00]);
                sig
            }
            _ => vec![0x6D, 0x00],
        }
    }

    fn select_app(&mut self, aid: &[u8]) -> Vec<u8> {
        let known = [ids::JPKI_AP, ids::ASSIST_AP];
        let is_isd = aid == ids::ISD.as_bytes();
        if is_isd && !self.has_isd {
            return vec![0x6A, 0x82];
        }
        if !is_isd && !known.iter().any(|a| a.as_bytes() == aid) {
            return vec![0x6A, 0x82];
        }
        if self.app.as_deref() != Some(aid) {
            self.verified = false;
        }
        self.app = Some(aid.to_vec());
        self.ef = None;
        vec![0x90, 0x00]
    }

    fn read(&mut self, offset: u16, ne: Option<u32>) -> Vec<u8> {
        if self.ef != Some([0x00, 0x0A]) {
            return vec![0x69, 0x86];
        }
        if self.cert_needs_pin && !self.verified {
            return vec![0x69, 0x82];
        }
        let offset = usize::from(offset);
        if offset >= self.cert_ef.len() {
            return vec![0x6B, 0x00];
        }
        let ne = ne.unwrap_or(256) as usize;
        let end = (offset + ne).min(self.cert_ef.len());
        let mut out = self.cert_ef[offset..end].to_vec();
        if end - offset < ne {
            out.extend_from_slice(&[0x62, 0x82]);
        } else {
            out.extend_from_slice(&[0x90, 0x00]);
        }
        out
    }

    fn verify(&mut self, data: &[u8]) -> Vec<u8> {
        if self.ef != Some([0x00, 0x18]) {
            return vec![0x69, 0x86];
        }
        if data.is_empty() {
            return if self.verified {
                vec![0x90, 0x00]
            } else {
                vec![0x63, 0xC0 | self.tries]
            };
        }
        if self.tries == 0 {
            return vec![0x69, 0x84];
        }
        if data == self.pin.as_slice() {
            self.tries = 3;
            self.verified = true;
            vec![0x90, 0x00]
        } else {
            self.tries -= 1;
            self.verified = false;
            vec![0x63, 0xC0 | self.tries]
        }
    }
}

/// Where a [`jpki_apdu::procedure::PinModeCheck`] handed control back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    Pin(jpki_apdu::procedure::PinStatus),
    Digest,
}

/// The line a pause takes in a transcript of [`drive_check`].
pub fn pause_line(pause: Pause) -> String {
    match pause {
        Pause::Pin(status) => format!("-- pause: NeedPin {status:?}"),
        Pause::Digest => "-- pause: NeedDigest".to_string(),
    }
}

/// Drives a paused check over `transceive` (a card). The transcript has one line per
/// command (its hex) and one per pause ([`pause_line`]); `on_pause` answers each pause
/// (supply the PIN or the digest, or cancel). A pause repeated 3 times in a row fails
/// the test (the caller did not answer it).
pub fn drive_check(
    check: &mut jpki_apdu::procedure::PinModeCheck,
    mut transceive: impl FnMut(&[u8]) -> Vec<u8>,
    mut on_pause: impl FnMut(&mut jpki_apdu::procedure::PinModeCheck, Pause),
) -> (
    Vec<String>,
    Result<jpki_apdu::procedure::PinModeEvidence, jpki_apdu::procedure::Error>,
) {
    use jpki_apdu::procedure::CheckStep;
    let mut lines: Vec<String> = Vec::new();
    loop {
        let repeated = lines.len() >= 3
            && lines[lines.len() - 3..].iter().all(|l| l.starts_with("--"))
            && lines[lines.len() - 3..].windows(2).all(|w| w[0] == w[1]);
        assert!(!repeated, "a pause was not answered: {lines:?}");
        let pause = match check.poll() {
            Err(e) => return (lines, Err(e)),
            Ok(CheckStep::Done(evidence)) => return (lines, Ok(evidence)),
            Ok(CheckStep::Send(command)) => {
                let bytes = command.to_bytes();
                lines.push(to_hex(&bytes));
                let answer = transceive(&bytes);
                check
                    .handle(jpki_apdu::Response::parse(&answer).unwrap())
                    .unwrap();
                continue;
            }
            Ok(CheckStep::NeedPin { status }) => Pause::Pin(status),
            Ok(CheckStep::NeedDigest) => Pause::Digest,
        };
        lines.push(pause_line(pause));
        on_pause(check, pause);
    }
}

/// Golden lines: commands as hex (spaces ignored), pause lines as they are.
pub fn golden(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            if l.starts_with("--") {
                (*l).to_string()
            } else {
                to_hex(&hex(l))
            }
        })
        .collect()
}
