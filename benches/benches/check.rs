//! The SDK's own CPU for one whole PIN-mode check (everything but the card and the network),
//! against DESIGN.md's target (< 1% of a 300 ms card signature = 3 ms) and issue 11's goal
//! (under 100 µs): elig-client's `Session` driven through a check recorded once against the
//! virtual card and the sandbox gateway. `cargo bench -p elig-benches --bench check`; see
//! `elig_benches::flow` for what is counted and why a replayed challenge is fair.
// A benchmark whose fixture cannot be built must stop at once: expect is the point here.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use elig_benches::flow::{Recording, replay};
use reader_backends::mock::CardConfig;

fn check(c: &mut Criterion) {
    let extended = Recording::pin_mode(CardConfig::extended()).expect("extended check records");
    let short = Recording::pin_mode(CardConfig::short_only()).expect("short check records");
    let mut g = c.benchmark_group("pin_mode_check_cpu");
    g.bench_function("session, extended-length reader (9 APDUs)", |b| {
        b.iter(|| black_box(replay(black_box(&extended)).expect("replays")));
    });
    g.bench_function("session, short-APDU reader (16 APDUs)", |b| {
        b.iter(|| black_box(replay(black_box(&short)).expect("replays")));
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = check
}
criterion_main!(benches);
