//! The `check` bench drives elig-client's session over a check recorded against the virtual
//! card and the sandbox gateway: the replay must reach the same eligible verdict, use every
//! recorded answer, send 9 / 16 APDUs and one challenge and one inquiry, or the bench would
//! time something else than a whole check.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

use elig_benches::flow::{Recording, replay};
use elig_client::gateway::Route;
use elig_proto::gateway::{self as proto, InquiryRequest, Proof};
use reader_backends::mock::CardConfig;

#[test]
fn the_session_replays_both_recordings_to_an_eligible_verdict() {
    for (config, apdus) in [(CardConfig::extended(), 9), (CardConfig::short_only(), 16)] {
        let recording = Recording::pin_mode(config).unwrap();
        assert_eq!(recording.card.len(), apdus, "APDUs in the recorded check");
        let routes: Vec<Route> = recording.gateway.iter().map(|g| g.route).collect();
        assert_eq!(routes, [Route::Challenge, Route::Inquiry]);
        assert!(recording.gateway.iter().all(|g| g.status == 200));
        let inquiry: InquiryRequest = proto::decode(&recording.gateway[1].request).unwrap();
        assert!(matches!(inquiry.proof, Proof::Pin(_)), "a signed inquiry");

        let outcome = replay(&recording).unwrap();
        assert!(outcome.is_eligible(), "{:?}", outcome.result);
        assert!(outcome.record.certificate_serial.is_some());

        // The replay fails when an answer is missing (every answer is used) ...
        let mut cut = recording.clone();
        cut.card.pop();
        assert!(replay(&cut).is_err());
        // ... when one is left over ...
        let mut extra = recording.clone();
        extra.card.push(extra.card[0].clone());
        assert!(replay(&extra).is_err());
        // ... and when the session sends another inquiry than the sandbox verified.
        let mut other = recording.clone();
        other.gateway[1].request[10] ^= 1;
        assert!(replay(&other).is_err());
    }
}
