//! Round trip: BER-TLV parse → write → parse equal, and because jpki-apdu's reader rejects
//! non-minimal lengths, the written bytes equal the input. jpki-apdu has no TLV writer, so
//! this target writes with a minimal DER-style encoder of its own (tag bytes, shortest
//! length form) and checks the reader against it.
#![no_main]

use jpki_apdu::tlv::{Tag, Tlv, TlvIter};
use libfuzzer_sys::fuzz_target;

fn write_tag(tag: Tag, out: &mut Vec<u8>) {
    let bytes = tag.value().to_be_bytes();
    let n = tag.encoded_len();
    out.extend_from_slice(&bytes[bytes.len() - n..]);
}

fn write_len(len: usize, out: &mut Vec<u8>) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => {
            let l = u16::try_from(len).expect("reader caps lengths at two bytes");
            out.push(0x82);
            out.extend_from_slice(&l.to_be_bytes());
        }
    }
}

fn write(tlv: &Tlv<'_>, out: &mut Vec<u8>) {
    write_tag(tlv.tag(), out);
    write_len(tlv.value().len(), out);
    out.extend_from_slice(tlv.value());
}

fuzz_target!(|data: &[u8]| {
    let mut written = Vec::with_capacity(data.len());
    let mut parsed = Vec::new();
    for item in TlvIter::new(data) {
        let Ok(tlv) = item else { return };
        write(&tlv, &mut written);
        parsed.push(tlv);
    }
    assert_eq!(
        written, data,
        "a minimal re-encoding must give the input back"
    );
    let again: Vec<_> = TlvIter::new(&written)
        .map(|t| t.expect("written TLVs parse"))
        .collect();
    assert_eq!(again, parsed);
});
