//! Golden transcripts for the small-file procedures: token info, certificate availability,
//! 基本4情報 and (feature `my-number`) the My Number.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{OK, ex, ex_bytes, hex, run_script, with_sw};
use jpki_apdu::content::{CardSex, TokenKind, encode_basic_info};
use jpki_apdu::procedure::{
    Error, LastTry, Malformed, ReadBasicInfo, ReadCertAvailability, ReadTokenInfo,
};
use jpki_apdu::{AssistPin, DriveError, ReaderLimits};

const SELECT_ASSIST: &str = "00A4040C0AD3921000310001010408";
const SELECT_ISD: &str = "00A4040C07A0000001510000";

#[test]
fn token_info_golden() {
    let mut ef = b"JPKIAPGPSETOKEN".to_vec();
    ef.resize(32, b' ');
    let info = run_script(
        ReadTokenInfo::new(ReaderLimits::short_only()),
        &[
            ex("00A4020C020006", OK),
            ex_bytes(hex("00B0000020"), with_sw(&ef, OK)),
        ],
    )
    .unwrap();
    assert_eq!(info.kind(), TokenKind::AndroidToken);
    assert!(!info.is_physical_card());
}

#[test]
fn cert_availability_golden() {
    let avail = run_script(
        ReadCertAvailability::new(ReaderLimits::extended(4096)),
        &[ex("00A4020C020008", OK), ex("00B0000003", "008F00 9000")],
    )
    .unwrap();
    assert!(avail.has_auth_certificate());
    assert!(!avail.has_sign_certificate());
}

#[test]
fn basic_info_golden_long_address() {
    let address = "東京都千代田区".repeat(15); // 315 bytes: 82 01 3B
    let ef = encode_basic_info("番号\u{3000}花子", &address, "19800229", CardSex::Female).unwrap();
    assert!(ef.len() > 256 && ef.len() <= 512);
    let rest = ef.len() - 256;
    let pin = AssistPin::new("1234").unwrap();
    let info = run_script(
        ReadBasicInfo::new(pin, LastTry::Refuse, ReaderLimits::short_only()),
        &[
            ex(SELECT_ASSIST, OK),
            ex("00A4020C020011", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
            ex("00A4020C020002", OK),
            ex_bytes(hex("00B0000000"), with_sw(&ef[..256], OK)),
            ex_bytes(hex(&format!("00B00100{rest:02X}")), with_sw(&ef[256..], OK)),
            ex(SELECT_ISD, OK),
        ],
    )
    .unwrap();
    assert_eq!(info.address, address);
    assert_eq!(info.name, "番号\u{3000}花子");
    assert_eq!(info.birth_date.month(), 2);
    assert_eq!(info.sex, CardSex::Female);
}

#[test]
fn basic_info_failures_still_clear_state() {
    // Malformed content: the state is cleared, then the content error is returned.
    let ef = encode_basic_info("A", "B", "19801301", CardSex::Male).unwrap();
    let pin = AssistPin::new("1234").unwrap();
    let r = run_script(
        ReadBasicInfo::new(pin, LastTry::Refuse, ReaderLimits::extended(1024)),
        &[
            ex(SELECT_ASSIST, OK),
            ex("00A4020C020011", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
            ex("00A4020C020002", OK),
            ex_bytes(hex("00B00000 0003FE"), with_sw(&ef, "6282")),
            ex(SELECT_ISD, OK),
        ],
    );
    assert!(matches!(
        r,
        Err(DriveError::Procedure(Error::Malformed {
            reason: Malformed::Content(_),
            ..
        }))
    ));
    // Last try without consent: nothing is sent but the state clearing.
    let pin = AssistPin::new("1234").unwrap();
    let r = run_script(
        ReadBasicInfo::new(pin, LastTry::Refuse, ReaderLimits::short_only()),
        &[
            ex(SELECT_ASSIST, OK),
            ex("00A4020C020011", OK),
            ex("00200080", "63C1"),
            ex(SELECT_ISD, OK),
        ],
    );
    assert_eq!(r, Err(DriveError::Procedure(Error::LastTryNotConsented)));
}

#[cfg(feature = "my-number")]
#[test]
fn my_number_golden() {
    use jpki_apdu::procedure::ReadMyNumber;
    let pin = AssistPin::new("1234").unwrap();
    let n = run_script(
        ReadMyNumber::new(pin, LastTry::Refuse, ReaderLimits::short_only()),
        &[
            ex(SELECT_ASSIST, OK),
            ex("00A4020C020011", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
            ex("00A4020C020001", OK),
            // Short reader, unknown length: one 256-byte read; the card answers the whole
            // 17-byte EF (TLV + FF FF filler) and end of file.
            ex("00B0000000", "FF100C 313233343536373839303138 FFFF 6282"),
            ex(SELECT_ISD, OK),
        ],
    )
    .unwrap();
    assert_eq!(n.expose_digits(), "123456789018");
    assert!(!format!("{n:?}").contains("1234"));
}

/// A procedure's `Debug` never shows the personal data it has read so far.
#[test]
fn procedure_debug_hides_content() {
    use jpki_apdu::{Procedure, Response, Step};
    let ef = encode_basic_info("秘密の名前", "秘密の住所", "19800101", CardSex::Male).unwrap();
    let pin = AssistPin::new("1234").unwrap();
    let mut p = ReadBasicInfo::new(pin, LastTry::Refuse, ReaderLimits::short_only());
    let answers: [&[u8]; 4] = [&[0x90, 0x00], &[0x90, 0x00], &[0x63, 0xC3], &[0x90, 0x00]];
    for answer in answers {
        assert!(matches!(p.poll().unwrap(), Step::Send(_)));
        p.handle(Response::parse(answer).unwrap()).unwrap();
    }
    // SELECT EF 0002, then a READ BINARY answered with half the file.
    assert!(matches!(p.poll().unwrap(), Step::Send(_)));
    p.handle(Response::parse(&[0x90, 0x00]).unwrap()).unwrap();
    assert!(matches!(p.poll().unwrap(), Step::Send(_)));
    p.handle(Response::parse(&with_sw(&ef[..ef.len() - 3], OK)).unwrap())
        .unwrap();
    let dbg = format!("{p:?}");
    assert!(p.poll().is_ok());
    let dbg_after = format!("{p:?}");
    assert!(dbg_after.contains("buf_len"), "{dbg_after}");
    for d in [dbg, dbg_after] {
        assert!(!d.contains("31323334"), "no PIN bytes: {d}");
        // The name's UTF-8 bytes (E7 A7 98 = 秘) appear neither as text nor as numbers.
        assert!(!d.contains('秘') && !d.contains("231, 167, 152"), "{d}");
        assert!(!d.contains("E7A798"), "{d}");
    }
}
