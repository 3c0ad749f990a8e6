//! Audit appends per second with the durability the store uses (WAL, `synchronous=FULL`:
//! one fsync of the write-ahead log per committed check), on a file in the target directory
//! (a real disk, not tmpfs).
//! `cargo bench -p elig-benches --bench audit`.
// A benchmark whose fixture cannot be built must stop at once: expect is the point here.
#![allow(clippy::expect_used, clippy::arithmetic_side_effects)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use elig_client::audit::{
    AuditSink, CertificateSerial, CheckOutcome, CheckRecord, SqliteAuditStore,
};
use voucher_model::{
    EvidenceKind, Facility, Outcome, Purpose, QualificationValidity, RequestedUse,
};

fn record(unix_secs: i64) -> CheckRecord {
    let mut r = CheckRecord::new(
        unix_secs,
        Facility::CheckupInstitution("0110113719".parse().expect("facility")),
        Purpose::for_online_check(RequestedUse::SpecificHealthCheckup)
            .expect("the gate permits checkups"),
        EvidenceKind::OnlinePin,
        "26000000013".parse().expect("voucher number"),
        "06110829".parse().expect("insurer number"),
        CheckOutcome::Verdict(Outcome::Eligible),
    );
    r.codes.qualification_validity = Some(QualificationValidity::Valid);
    r.certificate_serial = Some(CertificateSerial::new(&[0x5a; 16]).expect("serial"));
    r
}

fn appends(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temporary directory");
    let mut store = SqliteAuditStore::open(dir.path().join("audit.sqlite3")).expect("store");
    let mut t = 1_775_000_000;
    let mut g = c.benchmark_group("audit_append");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sqlite WAL synchronous=FULL", |b| {
        b.iter(|| {
            t += 1;
            black_box(store.append(&record(t)).expect("append"))
        });
    });
    g.finish();
    store.verify().expect("the chain holds after the benchmark");
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = appends
}
criterion_main!(benches);
