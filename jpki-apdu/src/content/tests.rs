#![allow(clippy::arithmetic_side_effects)] // test arithmetic on known-small values

use super::*;
use crate::test_util::hex;
use crate::tlv::{self, Tag, Tlv, TlvErrorKind, TlvWriteError};
use proptest::prelude::*;

const NAME: &str = "番号\u{3000}花子";

#[test]
fn basic_info_short_lengths() {
    let ef = encode_basic_info(
        NAME,
        "東京都千代田区霞が関２－１－２",
        "19800229",
        CardSex::Female,
    )
    .unwrap();
    // One-byte lengths throughout: FF 20 <len>.
    assert_eq!(&ef[..2], &[0xFF, 0x20]);
    assert!(ef[2] < 0x80);
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.name, NAME);
    assert_eq!(info.address, "東京都千代田区霞が関２－１－２");
    assert_eq!(info.birth_date, BirthDate::new(1980, 2, 29).unwrap());
    assert_eq!(info.sex, CardSex::Female);
}

#[test]
fn basic_info_golden_bytes() {
    // Hand-assembled: DF21 offsets, DF22 "A", DF23 "B", DF24 date, DF25 "1". The offsets
    // count from the file's first byte: DF22 at 3 (FF 20 22) + 11 (DF21) = 0x0E.
    let ef = hex("FF20 22
         DF21 08 000E 0012 0016 0021
         DF22 01 41
         DF23 01 42
         DF24 08 3139393930313031
         DF25 01 31");
    assert_eq!(
        ef,
        encode_basic_info("A", "B", "19990101", CardSex::Male).unwrap()
    );
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!((info.name.as_str(), info.address.as_str()), ("A", "B"));
    assert_eq!(info.birth_date.year(), 1999);
    assert_eq!(info.sex, CardSex::Male);
}

#[test]
fn basic_info_address_over_127_bytes() {
    // 50 full-width characters × 3 bytes = 150 bytes: DF23 81 96.
    let address: String = "１".repeat(50);
    let ef = encode_basic_info(NAME, &address, "20000101", CardSex::Male).unwrap();
    let at = ef.windows(2).position(|w| w == [0xDF, 0x23]).unwrap();
    assert_eq!(&ef[at + 2..at + 4], &[0x81, 150]);
    // The template itself needs 81 xx too.
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x81]);
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.address, address);
}

#[test]
fn basic_info_address_over_255_bytes() {
    // 102 × 3 = 306 bytes: DF23 82 01 32, template FF 20 82 xx xx.
    let address: String = "東京都".repeat(34);
    let ef = encode_basic_info(NAME, &address, "20000101", CardSex::NotApplicable).unwrap();
    let at = ef.windows(2).position(|w| w == [0xDF, 0x23]).unwrap();
    assert_eq!(&ef[at + 2..at + 5], &[0x82, 0x01, 0x32]);
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x82]);
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.address, address);
    assert_eq!(info.sex, CardSex::NotApplicable);
}

/// The offsets DF21 holds, read straight from the file's bytes (DF21 is the first child).
fn df21(ef: &[u8]) -> [u16; 4] {
    let at = ef.windows(3).position(|w| w == [0xDF, 0x21, 0x08]).unwrap() + 3;
    core::array::from_fn(|i| u16::from_be_bytes([ef[at + 2 * i], ef[at + 2 * i + 1]]))
}

/// Where each of DF22..DF25 actually starts in the file.
fn tag_positions(ef: &[u8]) -> [usize; 4] {
    // Walk the children from DF21's end with the TLV reader (values may hold any bytes).
    let header = tlv::Header::parse(ef).unwrap().header_len;
    let mut at = header;
    let mut found = [usize::MAX; 4];
    for child in Tlv::parse_exact(ef).unwrap().children() {
        let child = child.unwrap();
        let index = child.tag().value().wrapping_sub(0xDF22) as usize;
        if index < 4 {
            found[index] = at;
        }
        at += tlv::encoded_len(child.tag(), child.value().len()).unwrap();
    }
    found
}

#[test]
fn df21_golden_public_test_card_offsets() {
    // A public test card's EF 0002 begins `FF 20 65 DF 21 08 000E 0020 0059 0064`, with a
    // 15-byte name, a 54-byte address, an 8-byte date and a 1-byte sex. Synthetic values of
    // the same lengths give the same bytes up to the name, and the same table.
    let name = "試験\u{3000}太郎"; // 3 + 3 + 3 + 3 + 3 = 15 bytes
    let address = "東京都千代田区霞が関一丁目１番１２号"; // 18 characters × 3 = 54 bytes
    assert_eq!((name.len(), address.len()), (15, 54));
    let ef = encode_basic_info(name, address, "19800217", CardSex::Male).unwrap();
    assert_eq!(
        &ef[..14],
        hex("FF2065 DF2108 000E 0020 0059 0064").as_slice()
    );
    assert_eq!(ef.len(), 3 + 0x65);
    assert_eq!(df21(&ef), [0x0E, 0x20, 0x59, 0x64]);
    assert_eq!(tag_positions(&ef), [0x0E, 0x20, 0x59, 0x64]);
    assert_eq!(&ef[0x64..], hex("DF250131").as_slice());
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.name, name);
    assert_eq!(info.address, address);
}

#[test]
fn df21_contradicting_table_refused() {
    let ef = encode_basic_info("A", "B", "19990101", CardSex::Male).unwrap();
    // Each of the four entries moved by one: refused, naming the field.
    for (entry, field) in [TAG_NAME, TAG_ADDRESS, TAG_BIRTH_DATE, TAG_SEX]
        .into_iter()
        .enumerate()
    {
        let mut bad = ef.clone();
        let low = 3 + 3 + 2 * entry + 1;
        let stated = u16::from(bad[low]) + 1;
        bad[low] += 1;
        assert_eq!(
            BasicInfo::parse(&bad),
            Err(ContentError::OffsetMismatch {
                field,
                stated,
                found: Some(usize::from(stated - 1)),
            })
        );
    }
    // The table counted from the template's value (what the virtual card used to write).
    let value_relative = hex("FF20 22
         DF21 08 000B 000F 0013 001E
         DF22 01 41
         DF23 01 42
         DF24 08 3139393930313031
         DF25 01 31");
    assert_eq!(
        BasicInfo::parse(&value_relative),
        Err(ContentError::OffsetMismatch {
            field: TAG_NAME,
            stated: 0x0B,
            found: Some(0x0E),
        })
    );
    // A table of the wrong size.
    let short = template(&[
        (0xDF21, &[0x00, 0x0E, 0x00, 0x12]),
        (0xDF22, b"A"),
        (0xDF23, b"B"),
        (0xDF24, b"19991231"),
        (0xDF25, b"2"),
    ]);
    assert_eq!(
        BasicInfo::parse(&short),
        Err(ContentError::InvalidOffsetTable { len: 4 })
    );
    // A table naming a field the file lacks (the unknown DF30 sits where DF25 would).
    let lacking = template(&[
        (0xDF21, &hex("000E 0012 0016 0021")),
        (0xDF22, b"A"),
        (0xDF23, b"B"),
        (0xDF24, b"19991231"),
        (0xDF30, b"2"),
    ]);
    assert_eq!(
        BasicInfo::parse(&lacking),
        Err(ContentError::OffsetMismatch {
            field: TAG_SEX,
            stated: 0x21,
            found: None,
        })
    );
    assert_eq!(
        ContentError::OffsetMismatch {
            field: TAG_NAME,
            stated: 11,
            found: Some(14)
        }
        .to_string(),
        "malformed file content: offset table DF21 places DF22 at byte 11, the file has it at 14"
    );
    // A table that agrees, in a file with an unknown field between DF22 and DF23.
    let with_extra = template(&[
        (0xDF21, &hex("000E 0016 001A 0025")),
        (0xDF22, b"A"),
        (0xDF30, b"x"),
        (0xDF23, b"B"),
        (0xDF24, b"19991231"),
        (0xDF25, b"2"),
    ]);
    assert!(BasicInfo::parse(&with_extra).is_ok());
}

#[test]
fn df21_follows_long_lengths() {
    // 81 xx: a 150-byte address makes the template header FF 20 81 xx (4 bytes).
    let address: String = "１".repeat(50);
    let ef = encode_basic_info(NAME, &address, "20000101", CardSex::Male).unwrap();
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x81]);
    assert_eq!(df21(&ef)[0], 4 + 11);
    assert_eq!(df21(&ef).map(usize::from), tag_positions(&ef));
    // 82 xx xx: a 306-byte address, header FF 20 82 xx xx (5 bytes), DF23 82 01 32.
    let address: String = "東京都".repeat(34);
    let ef = encode_basic_info(NAME, &address, "20000101", CardSex::Female).unwrap();
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x82]);
    assert_eq!(df21(&ef)[0], 5 + 11);
    assert_eq!(df21(&ef).map(usize::from), tag_positions(&ef));
    // DF24 follows DF23's 5-byte header (DF 23 82 01 32) and its 306 bytes.
    assert_eq!(df21(&ef)[2] - df21(&ef)[1], 5 + 306);
    assert_eq!(BasicInfo::parse(&ef).unwrap().address, address);
}

#[test]
fn encode_refuses_what_does_not_fit() {
    let huge = "x".repeat(70_000);
    assert_eq!(
        encode_basic_info(NAME, &huge, "20000101", CardSex::Male),
        Err(TlvWriteError::ValueTooLong { len: 70_000 })
    );
    // Fields that fit one by one but not together in the template.
    let half = "x".repeat(40_000);
    assert!(matches!(
        encode_basic_info(&half, &half, "20000101", CardSex::Male),
        Err(TlvWriteError::ValueTooLong { .. })
    ));
}

fn template(children: &[(u32, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, value) in children {
        tlv::write(&mut body, Tag::new(*tag), value).unwrap();
    }
    tlv::to_vec(TAG_BASIC_INFO, &body).unwrap()
}

#[test]
fn basic_info_rejects_malformed() {
    let good: [(u32, &[u8]); 4] = [
        (0xDF22, b"A"),
        (0xDF23, b"B"),
        (0xDF24, b"19991231"),
        (0xDF25, b"2"),
    ];
    assert!(
        BasicInfo::parse(&template(&good)).is_ok(),
        "DF21 is optional"
    );
    // Unknown tags are skipped.
    let mut extra = good.to_vec();
    extra.push((0xDF30, b"x"));
    assert!(BasicInfo::parse(&template(&extra)).is_ok());

    let missing = template(&good[..3]);
    assert_eq!(
        BasicInfo::parse(&missing),
        Err(ContentError::MissingField(TAG_SEX))
    );
    let mut dup = good.to_vec();
    dup.push((0xDF22, b"C"));
    assert_eq!(
        BasicInfo::parse(&template(&dup)),
        Err(ContentError::DuplicateField(TAG_NAME))
    );
    let mut bad_utf8 = good;
    bad_utf8[1] = (0xDF23, &[0xE6, 0x9D]);
    assert_eq!(
        BasicInfo::parse(&template(&bad_utf8)),
        Err(ContentError::InvalidUtf8(TAG_ADDRESS))
    );
    for date in [
        &b"20230229"[..],
        b"20241301",
        b"20240100",
        b"2024011",
        b"2024O101",
        b"00000101",
        b"19990431",
    ] {
        let mut bad = good;
        bad[2] = (0xDF24, date);
        assert_eq!(
            BasicInfo::parse(&template(&bad)),
            Err(ContentError::InvalidBirthDate),
            "{date:?}"
        );
    }
    let mut leap = good;
    leap[2] = (0xDF24, b"20000229");
    assert!(BasicInfo::parse(&template(&leap)).is_ok());
    for sex in [&b"0"[..], b"3", b"", b"11", b"M"] {
        let mut bad = good;
        bad[3] = (0xDF25, sex);
        assert_eq!(
            BasicInfo::parse(&template(&bad)),
            Err(ContentError::InvalidSex)
        );
    }
    let mut trailing = template(&good);
    trailing.push(0xFF);
    assert!(matches!(
        BasicInfo::parse(&trailing),
        Err(ContentError::Tlv(e)) if e.kind() == TlvErrorKind::TrailingBytes
    ));
    let mut truncated = template(&good);
    truncated.pop();
    assert!(matches!(
        BasicInfo::parse(&truncated),
        Err(ContentError::Tlv(e)) if e.kind() == TlvErrorKind::Truncated
    ));
    assert_eq!(
        BasicInfo::parse(&hex("FF1000")),
        Err(ContentError::UnexpectedTag {
            expected: TAG_BASIC_INFO,
            found: Tag::new(0xFF10)
        })
    );
    // Non-minimal length inside the template.
    assert!(matches!(
        BasicInfo::parse(&hex("FF2004 DF22 8101")),
        Err(ContentError::Tlv(_))
    ));
}

#[test]
fn basic_info_debug_hides_personal_data() {
    let info =
        BasicInfo::parse(&encode_basic_info(NAME, "住所", "19800101", CardSex::Male).unwrap())
            .unwrap();
    let dbg = format!("{info:?}");
    assert!(
        !dbg.contains("花子") && !dbg.contains("住所") && !dbg.contains("1980"),
        "{dbg}"
    );
}

fn label(text: &[u8], pad: u8) -> Vec<u8> {
    let mut out = text.to_vec();
    out.resize(32, pad);
    out.extend_from_slice(&[0xAA; 128]);
    out
}

#[test]
fn token_info_kinds() {
    let cases = [
        (&b"JPKIAPICCTOKEN2"[..], TokenKind::PhysicalCard),
        (b"JPKIAPGPSETOKEN", TokenKind::AndroidToken),
        (b"JPKIAPIOSTOKEN", TokenKind::IosToken),
        (b"JPKIAPICCTOKEN", TokenKind::JukiCard),
        (b"SOMETHINGELSE", TokenKind::Unknown),
    ];
    for (text, kind) in cases {
        for pad in [b' ', 0] {
            let info = TokenInfo::parse(&label(text, pad)).unwrap();
            assert_eq!(info.kind(), kind);
            assert_eq!(info.label(), text);
        }
    }
    assert!(
        TokenInfo::parse(&label(b"JPKIAPICCTOKEN2", b' '))
            .unwrap()
            .is_physical_card()
    );
    assert!(
        !TokenInfo::parse(&label(b"JPKIAPIOSTOKEN", b' '))
            .unwrap()
            .is_physical_card()
    );
    assert_eq!(
        TokenInfo::parse(b"JPKIAPICCTOKEN2"),
        Err(ContentError::WrongLength {
            expected: 32,
            got: 15
        })
    );
    let dbg = format!("{:?}", TokenInfo::parse(&label(b"ODD", b' ')).unwrap());
    assert!(dbg.contains("ODD"), "{dbg}");
}

#[test]
fn cert_availability() {
    let both = CertAvailability::parse(&hex("8F8F00")).unwrap();
    assert!(both.has_sign_certificate() && both.has_auth_certificate());
    let auth_only = CertAvailability::parse(&hex("008F00")).unwrap();
    assert!(!auth_only.has_sign_certificate());
    assert!(auth_only.has_auth_certificate());
    assert_eq!(auth_only.raw(), [0x00, 0x8F, 0x00]);
    assert!(CertAvailability::parse(&hex("8F8F")).is_err());
    assert!(CertAvailability::parse(&hex("8F8F0000")).is_err());
}

proptest! {
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        let _ = BasicInfo::parse(&bytes);
        let _ = TokenInfo::parse(&bytes);
        let _ = CertAvailability::parse(&bytes);
    }

    #[test]
    fn basic_info_round_trip(
        name in "\\PC{0,40}",
        address in "\\PC{0,200}",
        year in 1900u16..2100,
        month in 1u8..=12,
        day in 1u8..=28,
        sex in prop_oneof![Just(CardSex::Male), Just(CardSex::Female), Just(CardSex::NotApplicable)],
    ) {
        let date = format!("{year:04}{month:02}{day:02}");
        let ef = encode_basic_info(&name, &address, &date, sex).unwrap();
        let info = BasicInfo::parse(&ef).unwrap();
        prop_assert_eq!(info.name, name);
        prop_assert_eq!(info.address, address);
        prop_assert_eq!(info.birth_date, BirthDate::new(year, month, day).unwrap());
        prop_assert_eq!(info.sex, sex);
        // DF21 as the card writes it: each offset is where its field's tag starts.
        prop_assert_eq!(df21(&ef).map(usize::from), tag_positions(&ef));
    }
}
