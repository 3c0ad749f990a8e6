#![allow(clippy::arithmetic_side_effects)] // test arithmetic on known-small values

use super::*;
use proptest::prelude::*;

fn kind(input: &[u8]) -> TlvErrorKind {
    Tlv::parse_exact(input).unwrap_err().kind()
}

#[test]
fn multi_byte_tags() {
    let t = Tlv::parse_exact(&[0xDF, 0x21, 0x02, 0xAA, 0xBB]).unwrap();
    assert_eq!(t.tag(), Tag::new(0xDF21));
    assert_eq!(t.value(), &[0xAA, 0xBB]);
    let t = Tlv::parse_exact(&[0xFF, 0x20, 0x00]).unwrap();
    assert_eq!(t.tag(), Tag::new(0xFF20));
    assert!(t.tag().is_constructed());
    let t = Tlv::parse_exact(&[0x7F, 0x81, 0x01, 0x00]).unwrap();
    assert_eq!(t.tag(), Tag::new(0x7F8101));
    assert_eq!(t.tag().to_string(), "7F8101");
    assert_eq!(
        kind(&[0x7F, 0x81, 0x81, 0x01, 0x00]),
        TlvErrorKind::TagTooLong
    );
    assert_eq!(kind(&[0xDF, 0x80, 0x01, 0x00]), TlvErrorKind::InvalidTag);
    assert_eq!(kind(&[0x00, 0x00]), TlvErrorKind::InvalidTag);
    // FF10: the My Number EF's tag, a two-byte tag with a number below 31.
    assert_eq!(
        Tlv::parse_exact(&[0xFF, 0x10, 0x00]).unwrap().tag(),
        Tag::new(0xFF10)
    );
}

#[test]
fn lengths() {
    let mut long = vec![0x04, 0x81, 0x80];
    long.extend(core::iter::repeat_n(0x11, 0x80));
    assert_eq!(Tlv::parse_exact(&long).unwrap().value().len(), 0x80);
    let mut longer = vec![0x04, 0x82, 0x01, 0x00];
    longer.extend(core::iter::repeat_n(0x22, 0x100));
    assert_eq!(Tlv::parse_exact(&longer).unwrap().value().len(), 0x100);
    assert_eq!(
        kind(&[0x04, 0x80, 0x00, 0x00]),
        TlvErrorKind::IndefiniteLength
    );
    assert_eq!(
        kind(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),
        TlvErrorKind::NonMinimalLength
    );
    assert_eq!(
        kind(&[0x04, 0x82, 0x00, 0x80]),
        TlvErrorKind::NonMinimalLength
    );
    assert_eq!(
        kind(&[0x04, 0x83, 0x01, 0x00, 0x00]),
        TlvErrorKind::LengthTooLong
    );
    assert_eq!(kind(&[0x04, 0x03, 0x01]), TlvErrorKind::Truncated);
    assert_eq!(kind(&[0x04, 0x82, 0x01]), TlvErrorKind::Truncated);
    assert_eq!(kind(&[0xDF]), TlvErrorKind::Truncated);
    assert_eq!(kind(&[]), TlvErrorKind::Truncated);
    let err = Tlv::parse_exact(&[0x04, 0x01, 0x00, 0x99]).unwrap_err();
    assert_eq!(err.kind(), TlvErrorKind::TrailingBytes);
    assert_eq!(err.position(), 3);
    assert_eq!(
        err.to_string(),
        "malformed BER-TLV: trailing bytes at byte 3"
    );
}

#[test]
fn writer_golden_lengths() {
    assert_eq!(to_vec(Tag::new(0x04), &[]).unwrap(), [0x04, 0x00]);
    assert_eq!(
        to_vec(Tag::new(0xDF25), b"1").unwrap(),
        [0xDF, 0x25, 0x01, b'1']
    );
    let v = to_vec(Tag::new(0xDF23), &[0x11; 0x7F]).unwrap();
    assert_eq!(v[..3], [0xDF, 0x23, 0x7F]);
    let v = to_vec(Tag::new(0xDF23), &[0x11; 0x80]).unwrap();
    assert_eq!(v[..4], [0xDF, 0x23, 0x81, 0x80]);
    let v = to_vec(Tag::new(0xDF23), &[0x11; 0xFF]).unwrap();
    assert_eq!(v[..4], [0xDF, 0x23, 0x81, 0xFF]);
    let v = to_vec(Tag::new(0xFF20), &[0x22; 0x100]).unwrap();
    assert_eq!(v[..5], [0xFF, 0x20, 0x82, 0x01, 0x00]);
    assert_eq!(v.len(), 5 + 0x100);
    let v = to_vec(Tag::new(0x7F8101), &[0x33; 0xFFFF]).unwrap();
    assert_eq!(v[..6], [0x7F, 0x81, 0x01, 0x82, 0xFF, 0xFF]);
    assert_eq!(
        to_vec(Tag::new(0x04), &vec![0; 0x10000]),
        Err(TlvWriteError::ValueTooLong { len: 0x10000 })
    );
    for bad in [
        0x00,
        0x1F,
        0xDF,
        0xDF80,
        0xDF81,
        0x7F8181,
        0x7F4901,
        0x0100_0000,
    ] {
        assert_eq!(
            to_vec(Tag::new(bad), b"x"),
            Err(TlvWriteError::InvalidTag(Tag::new(bad))),
            "{bad:X}"
        );
    }
    let mut out = vec![1, 2];
    assert!(write(&mut out, Tag::new(0x1F), b"x").is_err());
    assert_eq!(out, [1, 2], "nothing appended on error");
    assert_eq!(
        TlvWriteError::InvalidTag(Tag::new(0x1F)).to_string(),
        "caller error: 1F is not a valid BER-TLV tag"
    );
}

#[test]
fn header_of_a_certificate() {
    let h = Header::parse(&[0x30, 0x82, 0x07, 0x68, 0x30]).unwrap();
    assert_eq!(h.tag, Tag::new(0x30));
    assert_eq!(h.header_len, 4);
    assert_eq!(h.total_len(), Some(0x768 + 4));
    assert_eq!(
        Header::parse(&[0x30, 0x82, 0x07]).unwrap_err().kind(),
        TlvErrorKind::Truncated
    );
}

#[test]
fn children_iterate() {
    let bytes = [0xFF, 0x20, 0x07, 0xDF, 0x22, 0x01, b'a', 0xDF, 0x25, 0x00];
    let outer = Tlv::parse_exact(&bytes).unwrap();
    let tags: Vec<Tag> = outer.children().map(|c| c.unwrap().tag()).collect();
    assert_eq!(tags, vec![Tag::new(0xDF22), Tag::new(0xDF25)]);
    let bad: Vec<_> = TlvIter::new(&[0x04, 0x01, 0x00, 0x04, 0x05]).collect();
    assert_eq!(bad.len(), 2);
    assert!(bad[1].is_err());
}

proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Tlv::parse_exact(&bytes);
        let _ = Header::parse(&bytes);
        for tlv in TlvIter::new(&bytes).take(1000).flatten() {
            for child in tlv.children().take(1000) {
                let _ = child;
            }
        }
    }

    /// Writer → reader round trip: whatever the writer accepts reads back as the same
    /// tag and value, spanning exactly the written bytes; what it refuses, the reader
    /// refuses too (for tags) or cannot carry (for lengths).
    #[test]
    fn write_then_read(
        tag in prop_oneof![
            any::<u32>(),
            0u32..=0xFF,
            0x1F00u32..=0xFFFF,
            0x1F_8000u32..=0xFF_FFFF,
            Just(0xDF21u32), Just(0xFF20), Just(0x7F4901),
        ],
        value in prop_oneof![
            8 => proptest::collection::vec(any::<u8>(), 0..300),
            4 => proptest::collection::vec(any::<u8>(), 0x7E..0x102),
            1 => proptest::collection::vec(any::<u8>(), 0xFFF0..0x10010),
        ],
    ) {
        let tag = Tag::new(tag);
        let mut out = vec![0xAA];
        match write(&mut out, tag, &value) {
            Ok(()) => {
                let written = &out[1..];
                prop_assert_eq!(Ok(written.len()), encoded_len(tag, value.len()));
                let tlv = Tlv::parse_exact(written).unwrap();
                prop_assert_eq!(tlv.tag(), tag);
                prop_assert_eq!(tlv.value(), value.as_slice());
                let mut again = Vec::new();
                tlv.write_to(&mut again).unwrap();
                prop_assert_eq!(again.as_slice(), written);
            }
            Err(TlvWriteError::ValueTooLong { len }) => {
                prop_assert_eq!(len, value.len());
                prop_assert!(len > 0xFFFF);
                prop_assert_eq!(out, vec![0xAA]);
            }
            Err(TlvWriteError::InvalidTag(t)) => {
                prop_assert_eq!(t, tag);
                prop_assert_eq!(&out, &vec![0xAA]);
                // The reader refuses those tag bytes, or reads another tag from them.
                let bytes = tag.value().to_be_bytes();
                let encoded = &bytes[4 - tag.encoded_len()..];
                let mut probe = encoded.to_vec();
                probe.push(0x00);
                let read = Tlv::parse_prefix(&probe).map(|(t, _)| t.tag());
                prop_assert!(tag.value() > 0xFF_FFFF || read != Ok(tag));
            }
        }
    }

    #[test]
    fn well_formed_round_trip(
        tag in prop_oneof![Just(0x04u32), Just(0xDF21), Just(0xFF20), Just(0x5F2D)],
        value in proptest::collection::vec(any::<u8>(), 0..700),
    ) {
        let mut bytes = Vec::new();
        let tag_bytes = tag.to_be_bytes();
        let skip = tag_bytes.len().checked_sub(Tag::new(tag).encoded_len()).unwrap();
        bytes.extend_from_slice(&tag_bytes[skip..]);
        let n = u16::try_from(value.len()).unwrap();
        let [hi, lo] = n.to_be_bytes();
        match n {
            0..=0x7F => bytes.push(lo),
            0x80..=0xFF => bytes.extend_from_slice(&[0x81, lo]),
            _ => bytes.extend_from_slice(&[0x82, hi, lo]),
        }
        bytes.extend_from_slice(&value);
        let tlv = Tlv::parse_exact(&bytes).unwrap();
        prop_assert_eq!(tlv.tag(), Tag::new(tag));
        prop_assert_eq!(tlv.value(), value.as_slice());
        let h = Header::parse(&bytes).unwrap();
        prop_assert_eq!(h.total_len(), Some(bytes.len()));
    }
}
