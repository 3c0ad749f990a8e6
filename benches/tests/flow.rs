//! The `check` bench drives elig-client's session over the recorded card and gateway
//! answers: the replay must reach a verdict, consume every recorded APDU, and send one
//! inquiry, or the bench would time a failure path.
#![allow(clippy::unwrap_used)] // test code

use elig_benches::fixtures::Fixtures;
use elig_benches::flow::pin_mode_check;
use elig_proto::gateway::{self as proto, InquiryRequest};
use jpki_apdu::ReaderLimits;

#[test]
fn the_session_replays_both_recordings_to_a_verdict() {
    let f = Fixtures::build().unwrap();
    assert_eq!(f.pin_check_extended.len(), 9);
    assert_eq!(f.pin_check_short.len(), 16);
    for (transcript, limits) in [
        (&f.pin_check_extended, ReaderLimits::extended(65_538)),
        (&f.pin_check_short, ReaderLimits::short_only()),
    ] {
        let (verdict, body) = pin_mode_check(&f, transcript, limits).unwrap();
        assert_eq!(verdict.checkup_date, f.checkup_date);
        let inquiry: InquiryRequest = proto::decode(&body).unwrap();
        assert_eq!(inquiry.facility, f.facility);
        // One fewer recorded answer makes the replay fail (every APDU is used).
        let cut = &transcript[..transcript.len() - 1];
        assert!(pin_mode_check(&f, cut, limits).is_err());
    }
}
