//! Round trip: 既存型 responses and requests, parse → write → parse equal, in both
//! encodings. A response the reader accepts is written by `write_response` (or refused with
//! a typed error — never written unreadable) and reads back equal; a request read by
//! `IndividualRequest::from_xml` is written by `to_xml` and reads back equal.
#![no_main]

use elig_proto::xmlmsg::{Encoding, IndividualRequest, read_response, write_response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((which, data)) = data.split_first() else {
        return;
    };
    let encoding = if which & 1 == 0 {
        Encoding::Utf8
    } else {
        Encoding::ShiftJis
    };
    if which & 2 == 0 {
        let Ok(response) = read_response(data) else {
            return;
        };
        let Ok(written) = write_response(&response, encoding) else {
            return;
        };
        let again = read_response(&written).expect("written response reads back");
        assert_eq!(again, response, "response round trip ({encoding:?})");
        let rewritten = write_response(&again, encoding).expect("rewrites");
        assert_eq!(rewritten, written, "writing is deterministic");
    } else {
        let Ok(request) = IndividualRequest::from_xml(data) else {
            return;
        };
        let Ok(written) = request.to_xml(encoding) else {
            return;
        };
        let again = IndividualRequest::from_xml(&written).expect("written request reads back");
        assert_eq!(again, request, "request round trip ({encoding:?})");
    }
});
