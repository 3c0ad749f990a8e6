//! The SDK's own CPU for one whole PIN-mode check (everything but the card and the network),
//! against DESIGN.md's target: < 1% of a 300 ms card signature = 3 ms.
//! `cargo bench -p elig-benches --bench check`; see `elig_benches::flow` for what is counted.
// A benchmark whose fixture cannot be built must stop at once: expect is the point here.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use elig_benches::fixtures::Fixtures;
use elig_benches::flow::pin_mode_check;
use jpki_apdu::ReaderLimits;

fn check(c: &mut Criterion) {
    let f = Fixtures::build().expect("fixtures build");
    let mut g = c.benchmark_group("pin_mode_check_cpu");
    g.bench_function("extended-length reader (9 APDUs)", |b| {
        b.iter(|| {
            black_box(
                pin_mode_check(&f, &f.pin_check_extended, ReaderLimits::extended(65_538))
                    .expect("replays"),
            )
        });
    });
    g.bench_function("short-APDU reader (16 APDUs)", |b| {
        b.iter(|| {
            black_box(
                pin_mode_check(&f, &f.pin_check_short, ReaderLimits::short_only())
                    .expect("replays"),
            )
        });
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
