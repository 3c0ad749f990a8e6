//! Parse-only: every message of the gateway protocol (PROTOCOL.md) through
//! `elig_proto::gateway::decode`: challenge request/response, inquiry, inquiry result,
//! rejection. A decoded inquiry's to-be-signed digest and DigestInfo are computed too.
#![no_main]

use elig_proto::gateway::{
    ChallengeRequest, ChallengeResponse, InquiryRequest, InquiryResult, Message, Rejection, decode,
};
use jpki_apdu::DigestInfo;
use libfuzzer_sys::fuzz_target;

fn check<M: Message + std::fmt::Debug>(body: &[u8]) -> Option<M> {
    let m = decode::<M>(body);
    if body.len() > M::MAX_BYTES {
        assert!(m.is_err(), "{} over its size bound was accepted", M::NAME);
    }
    if let Err(e) = &m {
        let _ = (e.to_string(), e.reason());
    }
    m.ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 5 {
        0 => {
            check::<ChallengeRequest>(body);
        }
        1 => {
            check::<ChallengeResponse>(body);
        }
        2 => {
            if let Some(inquiry) = check::<InquiryRequest>(body) {
                if let Some(tbs) = inquiry.to_be_signed(&inquiry.facility) {
                    let digest = tbs.digest();
                    let info = DigestInfo::sha256(&digest);
                    assert_eq!(&info.as_bytes()[19..], &digest[..]);
                    let _ = tbs.encode();
                }
            }
        }
        3 => {
            check::<InquiryResult>(body);
        }
        _ => {
            if let Some(r) = check::<Rejection>(body) {
                let _ = r.http_status();
            }
        }
    }
});
