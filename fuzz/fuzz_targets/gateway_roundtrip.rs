//! Round trip: every gateway message, decode → encode → decode equal, and encoding is
//! stable (encode(decode(encode(m))) == encode(m)).
#![no_main]

use elig_proto::gateway::{
    ChallengeRequest, ChallengeResponse, InquiryRequest, InquiryResult, Message, Rejection, decode,
    encode,
};
use libfuzzer_sys::fuzz_target;

fn round_trip<M: Message + PartialEq + std::fmt::Debug>(body: &[u8]) {
    let Ok(message) = decode::<M>(body) else {
        return;
    };
    let encoded = encode(&message).expect("a decoded message encodes");
    assert!(encoded.len() <= M::MAX_BYTES);
    let again = decode::<M>(&encoded).expect("an encoded message decodes");
    assert_eq!(again, message, "{} round trip", M::NAME);
    assert_eq!(
        encode(&again).expect("encodes"),
        encoded,
        "{} encoding is stable",
        M::NAME
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 5 {
        0 => round_trip::<ChallengeRequest>(body),
        1 => round_trip::<ChallengeResponse>(body),
        2 => round_trip::<InquiryRequest>(body),
        3 => round_trip::<InquiryResult>(body),
        _ => round_trip::<Rejection>(body),
    }
});
