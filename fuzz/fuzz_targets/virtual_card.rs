//! Stateful: drives reader-backends' virtual My Number Card with arbitrary command sequences
//! (structured JPKI commands mixed with raw bytes, power-off and warm reset) and checks its
//! invariants after every step (card.md, "Security state" and "PIN safety"):
//! - no panic; every answer is a response APDU (≥ 2 bytes, ≤ 65 536 data bytes);
//! - the auth PIN's retry counter only goes up on a VERIFY with data answered `9000`, and
//!   only goes down, by one, on a VERIFY with data answered `63Cx`;
//! - power-off and warm reset never change a counter; power-off leaves nothing verified;
//! - a signature is only produced while a PIN is verified, and a signature that verifies
//!   under the authentication key was only produced with the auth PIN verified;
//! - after a successful SELECT of the ISD nothing is verified, and after a successful SELECT
//!   of the 券面事項入力補助AP the auth PIN is not verified (selecting another application
//!   clears the security state).
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use reader_backends::mock::{
    CardConfig, CardCredentials, DEFAULT_SEED, Persona, Pki, VirtualMyNumberCard,
};
use rsa::Pkcs1v15Sign;

const JPKI_AP: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
const ASSIST_AP: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
const ISD: [u8; 7] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];
/// The EFs card.md names (both applications), so the fuzzer reaches them quickly.
const EFS: [u16; 16] = [
    0x000A, 0x000B, 0x0017, 0x0018, 0x0001, 0x0002, 0x001A, 0x001B, 0x0006, 0x0008, 0x0011, 0x0014,
    0x0015, 0x0003, 0x3F00, 0x0000,
];
const PIN: &[u8; 4] = b"1234";
const SIGN_PASSWORD: &[u8] = b"ABC123";

#[derive(Debug, Arbitrary)]
enum Op {
    SelectJpki,
    SelectAssist,
    SelectIsd,
    /// A prefix of the JPKI AID (partial name matching).
    SelectJpkiPrefix(u8),
    SelectEf(u8),
    SelectEfRaw(u16),
    RetryQuery,
    /// VERIFY with the right PIN, or with these digits.
    Verify(Option<[u8; 4]>),
    VerifySignPassword(bool),
    ReadBinary {
        offset: u16,
        le: u16,
        extended: bool,
    },
    Sign {
        len: u8,
        extended: bool,
    },
    GetResponse(u8),
    Change([u8; 4]),
    Raw(Vec<u8>),
    PowerOff,
    Reset,
}

#[derive(Debug, Arbitrary)]
struct Input {
    extended: bool,
    t0: bool,
    small_responses: Option<u8>,
    ops: Vec<Op>,
}

fn credentials() -> &'static CardCredentials {
    static CREDS: OnceLock<CardCredentials> = OnceLock::new();
    CREDS.get_or_init(|| {
        // Issued on a fixed day (2026-04-01 00:00 UTC): the corpus does not change with the
        // day the target runs.
        let day = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_775_001_600);
        Pki::new(DEFAULT_SEED)
            .card(1, Persona::default().name(), day)
            .expect("test PKI builds")
    })
}

fn select_aid(aid: &[u8]) -> Vec<u8> {
    let mut c = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    c.extend_from_slice(aid);
    c
}

fn bytes_of(op: &Op) -> Option<Vec<u8>> {
    Some(match op {
        Op::SelectJpki => select_aid(&JPKI_AP),
        Op::SelectAssist => select_aid(&ASSIST_AP),
        Op::SelectIsd => select_aid(&ISD),
        Op::SelectJpkiPrefix(n) => select_aid(&JPKI_AP[..usize::from(*n % 10) + 1]),
        Op::SelectEf(i) => {
            let fid = EFS[usize::from(*i) % EFS.len()].to_be_bytes();
            vec![0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]]
        }
        Op::SelectEfRaw(fid) => {
            let fid = fid.to_be_bytes();
            vec![0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]]
        }
        Op::RetryQuery => vec![0x00, 0x20, 0x00, 0x80],
        Op::Verify(digits) => {
            let mut c = vec![0x00, 0x20, 0x00, 0x80, 0x04];
            c.extend_from_slice(digits.as_ref().unwrap_or(PIN));
            c
        }
        Op::VerifySignPassword(right) => {
            let pw: &[u8] = if *right { SIGN_PASSWORD } else { b"WRONG1" };
            let mut c = vec![0x00, 0x20, 0x00, 0x80, pw.len() as u8];
            c.extend_from_slice(pw);
            c
        }
        Op::ReadBinary {
            offset,
            le,
            extended,
        } => {
            let [p1, p2] = offset.to_be_bytes();
            if *extended {
                let [h, l] = le.to_be_bytes();
                vec![0x00, 0xB0, p1, p2, 0x00, h, l]
            } else {
                vec![0x00, 0xB0, p1, p2, *le as u8]
            }
        }
        Op::Sign { len, extended } => {
            let n = usize::from(*len);
            let mut c = vec![0x80, 0x2A, 0x00, 0x80];
            if *extended {
                c.extend_from_slice(&[0x00, 0x00, *len]);
                c.extend(std::iter::repeat_n(0x5A, n));
                c.extend_from_slice(&[0x00, 0x00]);
            } else {
                c.push(*len);
                c.extend(std::iter::repeat_n(0x5A, n));
                c.push(0x00);
            }
            c
        }
        Op::GetResponse(xx) => vec![0x00, 0xC0, 0x00, 0x00, *xx],
        Op::Change(digits) => {
            let mut c = vec![0x00, 0x24, 0x01, 0x80, 0x04];
            c.extend_from_slice(digits);
            c
        }
        Op::Raw(bytes) => bytes.clone(),
        Op::PowerOff | Op::Reset => return None,
    })
}

fuzz_target!(|input: Input| {
    let mut config = if input.extended {
        CardConfig::extended()
    } else {
        CardConfig::short_only()
    };
    config = config.with_t0_get_response(input.t0);
    if let Some(n) = input.small_responses {
        config = config.with_max_response_data(usize::from(n));
    }
    let mut card = VirtualMyNumberCard::builder()
        .credentials(credentials().clone())
        .config(config)
        .build()
        .expect("virtual card builds");
    let auth_public = credentials().auth().public_key();

    for op in input.ops.iter().take(64) {
        let tries_before = card.auth_pin_tries_left();
        let auth_before = card.auth_pin_verified();
        let any_before = card.any_verified();
        let Some(command) = bytes_of(op) else {
            if matches!(op, Op::PowerOff) {
                card.power_off();
                assert!(!card.any_verified(), "power-off left a PIN verified");
            } else {
                card.reset();
                assert_eq!(
                    card.auth_pin_verified(),
                    auth_before,
                    "warm reset changed the state"
                );
            }
            assert_eq!(
                card.auth_pin_tries_left(),
                tries_before,
                "{op:?} changed a counter"
            );
            continue;
        };
        let response = card.process(&command);
        assert!(response.len() >= 2, "answer shorter than a status word");
        assert!(
            response.len() <= 65_538,
            "answer longer than any reader carries"
        );
        let (data, sw) = response.split_at(response.len() - 2);
        let sw = u16::from_be_bytes([sw[0], sw[1]]);
        let ins = command.get(1).copied();
        let cla = command.first().copied();
        let is_verify_with_data = cla == Some(0x00) && ins == Some(0x20) && command.len() > 5;

        let tries_after = card.auth_pin_tries_left();
        if tries_after > tries_before {
            assert!(
                is_verify_with_data && sw == 0x9000,
                "counter rose without a good VERIFY: {op:?}"
            );
        }
        if tries_after < tries_before {
            assert!(is_verify_with_data, "counter fell without a VERIFY: {op:?}");
            assert_eq!(
                tries_after + 1,
                tries_before,
                "a failed VERIFY costs exactly one try"
            );
            assert_eq!(
                sw,
                0x63C0 | u16::from(tries_after),
                "a failed VERIFY reports the tries left"
            );
        }

        if cla == Some(0x80) && ins == Some(0x2A) && (sw == 0x9000 || sw >> 8 == 0x61) {
            assert!(any_before, "the card signed with no PIN verified");
            if sw == 0x9000 && data.len() == 256 {
                // The structured op signs `len` bytes of 0x5A; raw commands are not checked here.
                let signed = match op {
                    Op::Sign { len, .. } => vec![0x5A; usize::from(*len)],
                    _ => Vec::new(),
                };
                let ok = !signed.is_empty()
                    && auth_public
                        .verify(Pkcs1v15Sign::new_unprefixed(), &signed, data)
                        .is_ok();
                if ok {
                    assert!(
                        auth_before,
                        "the auth key signed without the auth PIN verified"
                    );
                }
            }
        }

        if sw == 0x9000 && command == select_aid(&ISD) {
            assert!(
                !card.any_verified(),
                "selecting the ISD left a PIN verified"
            );
        }
        if sw == 0x9000 && command == select_aid(&ASSIST_AP) {
            assert!(
                !card.auth_pin_verified(),
                "selecting another application kept the auth PIN"
            );
        }
    }
});
