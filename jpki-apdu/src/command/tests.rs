use super::*;
use crate::test_util::hex;
use proptest::prelude::*;

#[test]
fn cases_short_golden() {
    let c1 = Command::case1(0x00, 0x20, 0x00, 0x80);
    assert_eq!(c1.case(), Case::Case1);
    assert_eq!(*c1.to_bytes(), hex("00200080"));

    let c2 = Command::builder(0x00, 0xB0, 0x00, 0x00)
        .expect(256)
        .build()
        .unwrap();
    assert_eq!(c2.case(), Case::Case2);
    assert!(!c2.is_extended());
    assert_eq!(*c2.to_bytes(), hex("00B0000000"));

    let c3 = Command::builder(0x00, 0xA4, 0x02, 0x0C)
        .data(&[0x00, 0x0A])
        .build()
        .unwrap();
    assert_eq!(c3.case(), Case::Case3);
    assert_eq!(*c3.to_bytes(), hex("00A4020C02000A"));

    let c4 = Command::builder(0x80, 0x2A, 0x00, 0x80)
        .data(&[1, 2, 3])
        .expect(256)
        .build()
        .unwrap();
    assert_eq!(c4.case(), Case::Case4);
    assert_eq!(*c4.to_bytes(), hex("802A008003010203 00"));
}

#[test]
fn cases_extended_golden() {
    let c2 = Command::builder(0x00, 0xB0, 0x00, 0x04)
        .expect(0x0768)
        .build()
        .unwrap();
    assert!(c2.is_extended());
    assert_eq!(*c2.to_bytes(), hex("00B00004 000768"));
    let c2max = Command::builder(0x00, 0xB0, 0x00, 0x00)
        .expect(65_536)
        .build()
        .unwrap();
    assert_eq!(*c2max.to_bytes(), hex("00B00000 000000"));

    let data = vec![0x5A; 300];
    let c3 = Command::builder(0x00, 0xD6, 0x00, 0x00)
        .data(&data)
        .build()
        .unwrap();
    assert!(c3.is_extended());
    let mut expected = hex("00D60000 00012C");
    expected.extend_from_slice(&data);
    assert_eq!(*c3.to_bytes(), expected);
    assert_eq!(c3.encoded_len(), expected.len());

    let c4 = Command::builder(0x80, 0x2A, 0x00, 0x80)
        .data(&[9, 9])
        .expect(256)
        .extended()
        .build()
        .unwrap();
    assert_eq!(*c4.to_bytes(), hex("802A0080 000002 0909 0100"));
}

#[test]
fn builder_errors_instead_of_panicking() {
    let too_long = vec![0u8; 65_536];
    assert_eq!(
        Command::builder(0, 0xD6, 0, 0).data(&too_long).build(),
        Err(CommandError::DataTooLong { len: 65_536 })
    );
    assert_eq!(
        Command::builder(0, 0xB0, 0, 0).expect(0).build(),
        Err(CommandError::InvalidNe { ne: 0 })
    );
    assert_eq!(
        Command::builder(0, 0xB0, 0, 0).expect(65_537).build(),
        Err(CommandError::InvalidNe { ne: 65_537 })
    );
    assert_eq!(
        Command::builder(0, 0x20, 0, 0x80).extended().build(),
        Err(CommandError::ExtendedCase1)
    );
}

#[test]
fn limits_are_checked() {
    let short = ReaderLimits::short_only();
    let big = Command::builder(0, 0xD6, 0, 0)
        .data(&[0; 300])
        .build()
        .unwrap();
    assert_eq!(
        big.check_limits(&short),
        Err(CommandError::ExtendedNotSupported)
    );
    assert_eq!(
        big.check_limits(&ReaderLimits::extended(280)),
        Err(CommandError::TooLongForReader { len: 307, max: 280 })
    );
    assert_eq!(big.check_limits(&ReaderLimits::extended(4096)), Ok(()));
    let read = Command::builder(0, 0xB0, 0, 0).expect(256).build().unwrap();
    assert_eq!(read.check_limits(&short), Ok(()));
    let read_big = Command::builder(0, 0xB0, 0, 0)
        .expect(5000)
        .build()
        .unwrap();
    assert_eq!(
        read_big.check_limits(&ReaderLimits::extended(4096)),
        Err(CommandError::TooLongForReader {
            len: 5002,
            max: 4096
        })
    );
}

#[test]
fn parse_rejects_inconsistent_lengths() {
    let bad: &[&str] = &[
        "",
        "00A404",
        "00A4040C0201",       // Lc 2, one data byte
        "00A4040C0201020304", // Lc 2, then two bytes: not a Le
        "00A4040C0001",       // 00 then one byte
        "00A4040C 000000 05", // extended Lc 0 with data
        "00A4040C 000003 0102",
        "00A4040C 000002 0102 00",     // extended case 4 with a 1-byte Le
        "00A4040C 000002 0102 000000", // 3-byte tail
    ];
    for b in bad {
        assert!(Command::parse(&hex(b)).is_err(), "{b}");
    }
    assert_eq!(Command::parse(&[1, 2]), Err(CommandParseError::TooShort));
    assert_eq!(
        Command::parse(&hex("00A4040C 000000 05")),
        Err(CommandParseError::ZeroLc)
    );
}

#[test]
fn parse_golden() {
    let c = Command::parse(&hex("00A4040C0AD392F000260100000001")).unwrap();
    assert_eq!((c.cla(), c.ins(), c.p1(), c.p2()), (0x00, 0xA4, 0x04, 0x0C));
    assert_eq!(c.data(), &hex("D392F000260100000001")[..]);
    assert_eq!(c.ne(), None);
    let c = Command::parse(&hex("00B0000000")).unwrap();
    assert_eq!(c.ne(), Some(256));
    let c = Command::parse(&hex("00B00004000768")).unwrap();
    assert_eq!(c.ne(), Some(0x768));
    assert!(c.is_extended());
    let c = Command::parse(&hex("00B00000000000")).unwrap();
    assert_eq!(c.ne(), Some(65_536));
    let c = Command::parse(&hex("802A008002AABB00")).unwrap();
    assert_eq!(c.case(), Case::Case4);
    assert_eq!(c.ne(), Some(256));
    let c = Command::parse(&hex("802A0080000002AABB0000")).unwrap();
    assert_eq!(c.ne(), Some(65_536));
    assert_eq!(c.data(), &[0xAA, 0xBB]);
}

#[test]
fn with_ne_keeps_the_rest() {
    let c = Command::parse(&hex("00B0010000")).unwrap();
    let again = c.with_ne(0x20).unwrap();
    assert_eq!(*again.to_bytes(), hex("00B0010020"));
    let ext = Command::parse(&hex("00B00000000800")).unwrap();
    assert_eq!(
        *ext.with_ne(0x10).unwrap().to_bytes(),
        hex("00B00000000010")
    );
}

fn arb_command() -> impl Strategy<Value = Command> {
    (
        any::<[u8; 4]>(),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..8),
            proptest::collection::vec(any::<u8>(), 250..300),
        ],
        proptest::option::of(prop_oneof![1u32..=300, 65_000u32..=65_536]),
        any::<bool>(),
    )
        .prop_filter_map("case 1 has no extended form", |(h, data, ne, ext)| {
            let mut b = Command::builder(h[0], h[1], h[2], h[3]).data(&data);
            if let Some(ne) = ne {
                b = b.expect(ne);
            }
            if ext {
                b = b.extended();
            }
            b.build().ok()
        })
}

proptest! {
    #[test]
    fn encode_parse_round_trip(cmd in arb_command()) {
        let bytes = cmd.to_bytes();
        prop_assert_eq!(bytes.len(), cmd.encoded_len());
        let parsed = Command::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &cmd);
        let again = parsed.to_bytes();
        prop_assert_eq!(again.as_slice(), bytes.as_slice());
    }

    #[test]
    fn parse_never_panics_and_reencodes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(cmd) = Command::parse(&bytes) {
            // Whatever parses is canonical: encoding gives back the same bytes.
            let again = cmd.to_bytes();
            prop_assert_eq!(again.as_slice(), bytes.as_slice());
        }
    }
}
