use super::*;
use crate::test_util::hex;
use crate::tlv::TlvErrorKind;
use proptest::prelude::*;

const NAME: &str = "番号\u{3000}花子";

#[test]
fn basic_info_short_lengths() {
    let ef = encode_basic_info(
        NAME,
        "東京都千代田区霞が関２－１－２",
        "19800229",
        Sex::Female,
    );
    // One-byte lengths throughout: FF 20 <len>.
    assert_eq!(&ef[..2], &[0xFF, 0x20]);
    assert!(ef[2] < 0x80);
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.name, NAME);
    assert_eq!(info.address, "東京都千代田区霞が関２－１－２");
    assert_eq!(info.birth_date, BirthDate::new(1980, 2, 29).unwrap());
    assert_eq!(info.sex, Sex::Female);
}

#[test]
fn basic_info_golden_bytes() {
    // Hand-assembled: DF21 offsets, DF22 "A", DF23 "B", DF24 date, DF25 "1".
    let ef = hex("FF20 22
         DF21 08 000B 000F 0013 001E
         DF22 01 41
         DF23 01 42
         DF24 08 3139393930313031
         DF25 01 31");
    assert_eq!(ef, encode_basic_info("A", "B", "19990101", Sex::Male));
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!((info.name.as_str(), info.address.as_str()), ("A", "B"));
    assert_eq!(info.birth_date.year(), 1999);
    assert_eq!(info.sex, Sex::Male);
}

#[test]
fn basic_info_address_over_127_bytes() {
    // 50 full-width characters × 3 bytes = 150 bytes: DF23 81 96.
    let address: String = "１".repeat(50);
    let ef = encode_basic_info(NAME, &address, "20000101", Sex::Male);
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
    let ef = encode_basic_info(NAME, &address, "20000101", Sex::NotApplicable);
    let at = ef.windows(2).position(|w| w == [0xDF, 0x23]).unwrap();
    assert_eq!(&ef[at + 2..at + 5], &[0x82, 0x01, 0x32]);
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x82]);
    let info = BasicInfo::parse(&ef).unwrap();
    assert_eq!(info.address, address);
    assert_eq!(info.sex, Sex::NotApplicable);
}

fn template(children: &[(u32, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, value) in children {
        push_tlv(&mut body, Tag::new(*tag), value);
    }
    let mut out = Vec::new();
    push_tlv(&mut out, TAG_BASIC_INFO, &body);
    out
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
    let info = BasicInfo::parse(&encode_basic_info(NAME, "住所", "19800101", Sex::Male)).unwrap();
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
        sex in prop_oneof![Just(Sex::Male), Just(Sex::Female), Just(Sex::NotApplicable)],
    ) {
        let date = format!("{year:04}{month:02}{day:02}");
        let ef = encode_basic_info(&name, &address, &date, sex);
        let info = BasicInfo::parse(&ef).unwrap();
        prop_assert_eq!(info.name, name);
        prop_assert_eq!(info.address, address);
        prop_assert_eq!(info.birth_date, BirthDate::new(year, month, day).unwrap());
        prop_assert_eq!(info.sex, sex);
    }
}
