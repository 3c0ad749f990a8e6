//! Parse-only: 既存型 response files as bytes — UTF-8 or Shift_JIS (CP932) as the XML
//! declaration, a byte-order mark or the header's `CharacterCodeIdentifier` says — through
//! elig-proto's tolerant reader, with the default and with tight `ReadLimits`. Also the
//! request reader (`IndividualRequest::from_xml`), which a terminal simulator uses.
#![no_main]

use elig_proto::xmlmsg::{IndividualRequest, ReadLimits, read_response, read_response_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let default = read_response(data);
    let tight = ReadLimits {
        max_bytes: 4096,
        max_depth: 6,
        max_elements: 200,
    };
    if let Ok((response, _info)) = read_response_with(data, &tight) {
        // What passes tight limits passes the default ones, with the same content.
        assert_eq!(default.as_ref().ok(), Some(&response));
    }
    if let Ok(response) = default {
        let _ = elig_proto::xmlmsg::reception_number(&response);
    }
    let _ = IndividualRequest::from_xml(data);
});
