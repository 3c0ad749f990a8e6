//! Golden transcripts (byte-exact) of SELECT application and of reading whole EFs:
//! chunking from the reader limits, short reads, end of file, 6Cxx, 61xx, 6700 fallbacks.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

mod common;

use common::*;
use jpki_apdu::ids::{self, jpki};
use jpki_apdu::procedure::{Error, Malformed, Operation, ReadEf, ReadLength, SelectApplication};
use jpki_apdu::{ReaderLimits, StatusWord};

#[test]
fn select_application_golden() {
    run_script(
        SelectApplication::new(ids::JPKI_AP, short()),
        &[ex("00A4040C0AD392F000260100000001", OK)],
    )
    .unwrap();
    let err = procedure_error(run_script(
        SelectApplication::new(ids::JPKI_AP, short()),
        &[ex("00A4040C0AD392F000260100000001", "6A82")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::SelectApplication(ids::JPKI_AP),
            status: StatusWord::FileNotFound
        }
    );
}

#[test]
fn read_ef_short_chunks_golden() {
    let cert = certificate(300);
    let out = run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex_bytes(hex("00B001002C"), with_sw(&cert[256..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_extended_one_read_golden() {
    let cert = certificate(300);
    let mut ef = cert.clone();
    ef.extend_from_slice(&[0xFF; 20]);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            // Asks for all one response may carry (4094); the card answers up to its EOF.
            ex_bytes(hex("00B00000000FFE"), with_sw(&ef, "6282")),
        ],
    )
    .unwrap();
    assert_eq!(out, cert, "padding after the TLV is cut off");
}

#[test]
fn read_ef_extended_falls_back_on_6700() {
    let cert = certificate(1900);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            ex("00B00000000FFE", "6700"),
            // Header read, then exactly the rest in one extended read.
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex_bytes(hex("00B00100 00066C"), with_sw(&cert[256..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
    // A card that refuses extended Le altogether: 256-byte chunks after that.
    let cert = certificate(600);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            ex("00B00000000FFE", "6700"),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex("00B00100 000158", "6700"),
            ex_bytes(hex("00B0010000"), with_sw(&cert[256..512], OK)),
            ex_bytes(hex("00B0020058"), with_sw(&cert[512..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_short_read_continues_golden() {
    let cert = certificate(300);
    let out = run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..100], OK)),
            ex_bytes(hex("00B00064C8"), with_sw(&cert[100..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_wrong_le_resends_golden() {
    let data: Vec<u8> = (0u8..32).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex("00B0000020", "6C10"),
            ex_bytes(hex("00B0000010"), with_sw(&data[..16], OK)),
            ex_bytes(hex("00B0001010"), with_sw(&data[16..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

#[test]
fn read_ef_get_response_joins_golden() {
    let data: Vec<u8> = (0u8..32).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex_bytes(hex("00B0000020"), with_sw(&data[..10], "6116")),
            ex_bytes(hex("00C0000016"), with_sw(&data[10..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

/// `6Cxx` answers the command sent last: after `61xx` that is the GET RESPONSE, which is
/// resent with the right Le. READ BINARY is not sent a second time.
#[test]
fn read_ef_wrong_le_after_get_response_resends_get_response_golden() {
    let data: Vec<u8> = (0u8..32).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex("00B0000020", "6120"),
            ex("00C0000020", "6C10"),
            ex_bytes(hex("00C0000010"), with_sw(&data[..16], OK)),
            ex_bytes(hex("00B0001010"), with_sw(&data[16..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

/// A GET RESPONSE never asks for more than the reader carries, whatever Le the card's `61xx`
/// names (found by the `cert_read` fuzz target with strict limits: a 4-data-byte reader, a
/// card answering `61 10`, and a GET RESPONSE sent with Le = 16).
#[test]
fn read_ef_get_response_le_is_capped_at_the_reader_limit_golden() {
    let data: Vec<u8> = (0u8..8).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(8),
            ReaderLimits::short_only().with_max_response_len(6),
        ),
        &[
            ex("00A4020C020006", OK),
            ex("00B0000004", "6110"),
            ex_bytes(hex("00C0000004"), with_sw(&data[..4], OK)),
            ex_bytes(hex("00B0000404"), with_sw(&data[4..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

/// An exact length beyond what a 15-bit offset can reach is refused before any command
/// is sent (the SELECT used to go out first).
#[test]
fn read_ef_exact_length_beyond_offset_range_sends_nothing() {
    let err = procedure_error(run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(0x8001),
            ReaderLimits::short_only(),
        ),
        &[],
    ));
    assert!(
        matches!(
            err,
            Error::Misuse(jpki_apdu::procedure::Misuse::Command(
                jpki_apdu::CommandError::OffsetOutOfRange { offset: 0x8001 }
            ))
        ),
        "{err:?}"
    );
    // The largest reachable length still reads.
    let data = vec![0x5A; 0x8000];
    let mut script = vec![ex("00A4020C020006", OK)];
    for chunk in 0..0x80usize {
        let offset = chunk * 256;
        script.push(ex_bytes(
            hex(&format!("00B0{offset:04X}00")),
            with_sw(&data[offset..offset + 256], OK),
        ));
    }
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(0x8000),
            ReaderLimits::short_only(),
        ),
        &script,
    )
    .unwrap();
    assert_eq!(out.len(), 0x8000);
}

/// Without the `my-number` feature the generic ReadEf cannot read the My Number either
/// (SELECT 券面事項入力補助AP, verify, ReadEf of EF 0001 would otherwise give it away).
#[cfg(not(feature = "my-number"))]
#[test]
fn read_ef_refuses_the_my_number_without_the_feature() {
    let mut ef = hex("FF100C");
    ef.extend_from_slice(b"123456789018");
    ef.extend_from_slice(&[0xFF, 0xFF]);
    for (length, command) in [
        (ReadLength::Tlv, "00B0000000"),
        (ReadLength::Exact(17), "00B0000011"),
    ] {
        let err = procedure_error(run_script(
            ReadEf::new(
                jpki_apdu::FileId::new(0x0001),
                length,
                ReaderLimits::short_only(),
            ),
            &[
                ex("00A4020C020001", OK),
                ex_bytes(hex(command), with_sw(&ef, OK)),
            ],
        ));
        assert_eq!(
            err,
            Error::Misuse(jpki_apdu::procedure::Misuse::MyNumberNeedsFeature)
        );
        let text = format!("{err} {err:?}");
        assert!(!text.contains("1234"), "{text}");
        assert!(text.contains("my-number"), "{text}");
    }
}

#[test]
fn read_ef_end_of_file_errors() {
    // 6B00 before the declared length.
    let err = procedure_error(run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex_bytes(hex("00B0000020"), with_sw(&[7; 10], OK)),
            ex("00B0000A16", "6B00"),
        ],
    ));
    assert_eq!(
        err,
        Error::Malformed {
            operation: Operation::ReadBinary {
                file: jpki::TOKEN_INFO,
                offset: 10
            },
            reason: Malformed::FileTruncated {
                expected: 32,
                got: 10
            }
        }
    );
    // 6282 before the TLV's declared length.
    let cert = certificate(300);
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..100], "6282")),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::FileTruncated {
                expected: 300,
                got: 100
            },
            ..
        }
    ));
    // A header declaring more than READ BINARY can address.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&hex("3082FFFF0000"), OK)),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::FileTooLarge { len: 65_539 },
            ..
        }
    ));
    // Indefinite length in the header.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&hex("30800000"), OK)),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::Tlv(_),
            ..
        }
    ));
    // Success without data while more is due.
    let err = procedure_error(run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(3),
            ReaderLimits::short_only(),
        ),
        &[ex("00A4020C020006", OK), ex("00B0000003", OK)],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::NoProgress,
            ..
        }
    ));
    // A card error on READ BINARY names the status word.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::SIGN_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[ex("00A4020C020001", OK), ex("00B0000000", "6982")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::ReadBinary {
                file: jpki::SIGN_CERT,
                offset: 0
            },
            status: StatusWord::SecurityStatusNotSatisfied
        }
    );
}
