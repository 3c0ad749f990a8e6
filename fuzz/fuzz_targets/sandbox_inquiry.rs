//! Parse-only: what elig-sandbox does with a request body before any network reply, as far
//! as its public API reaches. The gateway's own handler (`Gateway::handle`/`inquiry` in
//! `elig-sandbox/src/gateway.rs`) and its certificate verifier (`verify::Verifier`) are
//! crate-private, so this target runs the public steps it composes, in its order:
//! 1. the size bound and strict decode of the body (`elig_proto::gateway::decode`, which
//!    the gateway calls) for both endpoints;
//! 2. the card certificate in the inquiry, parsed as the gateway parses it (x509-cert DER);
//! 3. the facility encoding of a device certificate subject (`pki::from_subject_serial`,
//!    which the gateway applies to the client certificate) on arbitrary text, with its
//!    round trip through `to_subject_serial`;
//! 4. the to-be-signed digest the sandbox computes (`elig_sandbox::inquiry::digest`);
//! 5. the registry lookup of the embedded synthetic registry for the decoded search.
#![no_main]

use std::sync::OnceLock;

use der::Decode;
use elig_proto::gateway::{ChallengeRequest, InquiryRequest, Proof, decode};
use elig_sandbox::pki::{from_subject_serial, to_subject_serial};
use elig_sandbox::registry::Registry;
use libfuzzer_sys::fuzz_target;
use x509_cert::Certificate;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::default_registry().expect("embedded registry loads"))
}

fuzz_target!(|data: &[u8]| {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    match which % 3 {
        0 => {
            let _ = decode::<ChallengeRequest>(body);
        }
        1 => {
            let Ok(inquiry) = decode::<InquiryRequest>(body) else {
                return;
            };
            let cert = Certificate::from_der(inquiry.card_certificate.as_bytes());
            let serial = cert
                .as_ref()
                .ok()
                .map(|c| c.tbs_certificate().serial_number().as_bytes().to_vec());
            if let Proof::Pin(pin) = &inquiry.proof {
                let _ = elig_sandbox::inquiry::digest(&inquiry, &pin.challenge, &inquiry.facility);
            }
            let serial = serial
                .and_then(|b| <[u8; 8]>::try_from(b.get(b.len().saturating_sub(8)..)?).ok())
                .map_or(0, u64::from_be_bytes);
            let lookup = registry().lookup(serial, inquiry.checkup_date, inquiry.search.as_ref());
            let _ = format!("{lookup:?}");
        }
        _ => {
            let Ok(text) = std::str::from_utf8(body) else {
                return;
            };
            if let Some(facility) = from_subject_serial(text) {
                let encoded = to_subject_serial(&facility);
                assert_eq!(from_subject_serial(&encoded), Some(facility));
            }
        }
    }
});
