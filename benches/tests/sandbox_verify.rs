//! The `sandbox_verify` bench measures the sandbox's public verification on the fixture's
//! card: the fixture must pass it (and a tampered signature must not), or the bench would
//! time a failure path.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code

use elig_benches::fixtures::Fixtures;
use elig_sandbox::DEFAULT_SEED;
use elig_sandbox::clock::jst_noon;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;
use elig_sandbox::verify::{CheckFailure, Verifier};

#[test]
fn the_fixture_card_passes_the_sandbox_verifier() {
    let f = Fixtures::build().unwrap();
    let registry = Registry::default_registry().unwrap();
    let pki = TestPki::generate(DEFAULT_SEED, &registry.pki_plan()).unwrap();
    let verifier = Verifier::new(&pki).unwrap();
    let now = jst_noon(f.checkup_date);
    assert!(
        verifier
            .verify_pin_signature(&f.card.auth_cert, &f.digest, &f.signature, now)
            .is_ok()
    );
    let mut bad = f.signature.clone();
    bad[10] ^= 1;
    assert_eq!(
        verifier
            .verify_pin_signature(&f.card.auth_cert, &f.digest, &bad, now)
            .err(),
        Some(CheckFailure::BadSignature)
    );
}
