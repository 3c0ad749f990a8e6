//! Round trip: BER-TLV parse → write → parse equal, with jpki-apdu's own writer. Because
//! the reader rejects non-minimal lengths and the writer writes minimal ones, the written
//! bytes equal the input; and whatever the reader produced, the writer accepts.
#![no_main]

use jpki_apdu::tlv::{self, TlvIter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut written = Vec::with_capacity(data.len());
    let mut parsed = Vec::new();
    for item in TlvIter::new(data) {
        let Ok(tlv) = item else { return };
        tlv.write_to(&mut written)
            .expect("the writer accepts every TLV the reader produced");
        assert_eq!(
            tlv::encoded_len(tlv.tag(), tlv.value().len()),
            Ok(tlv::to_vec(tlv.tag(), tlv.value()).expect("writes").len())
        );
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
