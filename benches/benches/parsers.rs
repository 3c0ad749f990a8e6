//! Parser and writer benchmarks of the elig SDK, with the well-known alternative measured in
//! the same run where one exists (x509-parser for certificates, a roxmltree DOM parse for
//! 既存型 responses). `cargo bench -p elig-benches --bench parsers`; figures in BENCHMARKS.md.
// A benchmark whose fixture cannot be built must stop at once: expect is the point here.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use der::Decode as _;
use elig_benches::fixtures::Fixtures;
use elig_proto::gateway::{self as proto, ChallengeResponse, InquiryRequest, InquiryResult};
use elig_proto::xmlmsg::{self, IndividualRequest};
use elig_sandbox::DEFAULT_SEED;
use elig_sandbox::clock::jst_noon;
use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;
use elig_sandbox::verify::Verifier;
use jpki_apdu::content::{BasicInfo, CardSex, encode_basic_info};
use jpki_apdu::tlv::Tlv;
use jpki_apdu::{AuthPin, Command, DigestInfo, Response, command, ids};

fn fixtures() -> Fixtures {
    Fixtures::build().expect("fixtures build")
}

fn apdu(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("apdu");
    let pin = AuthPin::new("1234").expect("valid PIN");
    let digest_info = DigestInfo::sha256(&f.digest);
    g.bench_function("encode/select+read+verify+sign", |b| {
        b.iter(|| {
            black_box(command::select_application(ids::JPKI_AP).to_bytes());
            black_box(
                command::read_binary_extended(4, 1896)
                    .expect("valid")
                    .to_bytes(),
            );
            black_box(command::verify(black_box(&pin)).to_bytes());
            black_box(command::compute_digital_signature(black_box(&digest_info)).to_bytes());
        });
    });
    let commands: Vec<&[u8]> = f
        .pin_check_extended
        .iter()
        .map(|e| e.command.as_slice())
        .collect();
    g.bench_function("parse/pin-check-commands(9)", |b| {
        b.iter(|| {
            for c in &commands {
                black_box(Command::parse(black_box(c)).expect("parses"));
            }
        });
    });
    let cert_chunk = f
        .pin_check_extended
        .iter()
        .map(|e| e.response.as_slice())
        .max_by_key(|r| r.len())
        .expect("a transcript");
    g.throughput(Throughput::Bytes(cert_chunk.len() as u64));
    g.bench_function("parse/response-1.9KB", |b| {
        b.iter(|| black_box(Response::parse(black_box(cert_chunk)).expect("parses")));
    });
    g.finish();
}

fn tlv(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("tlv");
    let cert = &f.card.auth_cert;
    g.throughput(Throughput::Bytes(cert.len() as u64));
    g.bench_function("walk/certificate-1.9KB", |b| {
        b.iter(|| {
            fn walk(t: &Tlv<'_>) -> usize {
                if !t.tag().is_constructed() {
                    return 1;
                }
                t.children()
                    .map(|c| c.map_or(0, |c| walk(&c)))
                    .fold(1, usize::saturating_add)
            }
            let top = Tlv::parse_exact(black_box(cert)).expect("parses");
            black_box(walk(&top))
        });
    });
    g.throughput(Throughput::Bytes(f.card.basic_info.len() as u64));
    g.bench_function("children/basic-info", |b| {
        b.iter(|| {
            let top = Tlv::parse_exact(black_box(&f.card.basic_info)).expect("parses");
            black_box(top.children().count())
        });
    });
    g.finish();

    let mut g = c.benchmark_group("basic_info");
    g.bench_function("parse", |b| {
        b.iter(|| black_box(BasicInfo::parse(black_box(&f.card.basic_info)).expect("parses")));
    });
    let info = BasicInfo::parse(&f.card.basic_info).expect("parses");
    let date = info.birth_date;
    let ymd = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
    g.bench_function("encode", |b| {
        b.iter(|| {
            black_box(encode_basic_info(
                &info.name,
                &info.address,
                &ymd,
                CardSex::Male,
            ))
        });
    });
    g.finish();
}

fn certificate(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("certificate");
    let cert = &f.card.auth_cert;
    g.throughput(Throughput::Bytes(cert.len() as u64));
    g.bench_function("x509-cert", |b| {
        b.iter(|| black_box(x509_cert::Certificate::from_der(black_box(cert)).expect("parses")));
    });
    g.bench_function("x509-parser", |b| {
        b.iter(|| black_box(x509_parser::parse_x509_certificate(black_box(cert)).expect("parses")));
    });
    g.finish();
}

fn oqs_xml(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("oqs_response");
    let utf8 = &f.xml_response_utf8;
    g.throughput(Throughput::Bytes(utf8.len() as u64));
    g.bench_function("elig-proto/utf8", |b| {
        b.iter(|| black_box(xmlmsg::read_response(black_box(utf8)).expect("reads")));
    });
    g.bench_function("roxmltree-dom/utf8", |b| {
        b.iter(|| {
            let text = std::str::from_utf8(black_box(utf8)).expect("UTF-8");
            let doc = roxmltree::Document::parse(text).expect("parses");
            black_box(doc.descendants().count())
        });
    });
    g.bench_function("elig-proto/shift_jis", |b| {
        b.iter(|| {
            black_box(xmlmsg::read_response(black_box(&f.xml_response_sjis)).expect("reads"))
        });
    });
    g.finish();

    let mut g = c.benchmark_group("oqs_request");
    let request = IndividualRequest::from_xml(&f.xml_request_utf8).expect("reads");
    g.bench_function("write/utf8", |b| {
        b.iter(|| black_box(request.to_xml(xmlmsg::Encoding::Utf8).expect("writes")));
    });
    g.bench_function("write/shift_jis", |b| {
        b.iter(|| black_box(request.to_xml(xmlmsg::Encoding::ShiftJis).expect("writes")));
    });
    g.finish();
}

fn gateway(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("gateway");
    let inquiry: InquiryRequest = proto::decode(&f.gateway.inquiry_pin).expect("decodes");
    let result: InquiryResult = proto::decode(&f.gateway.result).expect("decodes");
    g.bench_function("decode/challenge-response", |b| {
        b.iter(|| {
            let m: ChallengeResponse =
                proto::decode(black_box(&f.gateway.challenge_response)).expect("decodes");
            black_box(m)
        });
    });
    g.bench_function("decode/inquiry-pin", |b| {
        b.iter(|| {
            let m: InquiryRequest =
                proto::decode(black_box(&f.gateway.inquiry_pin)).expect("decodes");
            black_box(m)
        });
    });
    g.bench_function("encode/inquiry-pin", |b| {
        b.iter(|| black_box(proto::encode(black_box(&inquiry)).expect("encodes")));
    });
    g.bench_function("decode/result", |b| {
        b.iter(|| {
            let m: InquiryResult = proto::decode(black_box(&f.gateway.result)).expect("decodes");
            black_box(m)
        });
    });
    g.bench_function("encode/result", |b| {
        b.iter(|| black_box(proto::encode(black_box(&result)).expect("encodes")));
    });
    let tbs = inquiry.to_be_signed(&f.facility).expect("PIN mode");
    g.bench_function("to-be-signed-digest", |b| {
        b.iter(|| black_box(tbs.digest()))
    });
    g.finish();
}

fn sandbox_verify(c: &mut Criterion, f: &Fixtures) {
    let mut g = c.benchmark_group("sandbox_verify");
    // The sandbox's own public verification (elig_sandbox::verify), built from the default
    // PKI that issued the virtual card's certificate: certificate parse, chain signature,
    // validity and CRL lookup, card key, card signature; the work of one PIN-mode inquiry.
    let registry = Registry::default_registry().expect("embedded registry");
    let pki = TestPki::generate(DEFAULT_SEED, &registry.pki_plan()).expect("default PKI");
    let verifier = Verifier::new(&pki).expect("verifier");
    let now = jst_noon(f.checkup_date);
    let verify = |cert: &[u8]| verifier.verify_pin_signature(cert, &f.digest, &f.signature, now);
    assert!(
        verify(&f.card.auth_cert).is_ok(),
        "the sandbox accepts the fixture"
    );
    g.bench_function("cert-parse+chain+signature", |b| {
        b.iter(|| black_box(verify(black_box(&f.card.auth_cert)).is_ok()));
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let f = fixtures();
    apdu(c, &f);
    tlv(c, &f);
    certificate(c, &f);
    oqs_xml(c, &f);
    gateway(c, &f);
    sandbox_verify(c, &f);
}

criterion_group! {
    name = benches;
    // Two shared cores: short but repeatable runs (criterion reports the spread).
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = all
}
criterion_main!(benches);
