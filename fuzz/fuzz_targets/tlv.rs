//! Parse-only: BER-TLV (header, one TLV, TLVs end to end, nested children).
#![no_main]

use jpki_apdu::tlv::{Header, Tlv, TlvIter};
use libfuzzer_sys::fuzz_target;

/// Walks constructed TLVs down to `depth` levels; checks every value lies inside its parent.
fn walk(tlv: &Tlv<'_>, depth: u32) {
    if depth == 0 || !tlv.tag().is_constructed() {
        return;
    }
    for child in tlv.children() {
        let Ok(child) = child else { break };
        assert!(child.value().len() < tlv.value().len());
        walk(&child, depth - 1);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = Header::parse(data) {
        assert!(header.header_len >= 2 && header.header_len <= 6);
        assert!(header.tag.encoded_len() < header.header_len);
        let total = header.total_len().expect("3-byte lengths cannot overflow");
        match Tlv::parse_exact(data) {
            Ok(tlv) => {
                assert_eq!(total, data.len());
                assert_eq!(tlv.tag(), header.tag);
                assert_eq!(tlv.value().len(), header.value_len);
                walk(&tlv, 8);
            }
            Err(_) => assert_ne!(total, data.len(), "header says the TLV spans the input"),
        }
    }
    // TLVs laid end to end consume the input exactly, or stop with one error.
    let mut rest = data;
    let mut consumed = 0usize;
    for item in TlvIter::new(data) {
        let Ok(tlv) = item else { break };
        let (again, after) = Tlv::parse_prefix(rest).expect("the iterator just read it");
        assert_eq!(again, tlv);
        consumed += rest.len() - after.len();
        rest = after;
    }
    assert!(consumed <= data.len());
});
