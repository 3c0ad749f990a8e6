//! Load generator for the sandbox gateway: verified PIN-mode inquiries per second and
//! latency percentiles at several client concurrencies, over keep-alive mutual-TLS
//! connections on 127.0.0.1. Client and server run in this one process (and so share the
//! machine's cores).
//!
//! Every inquiry is a full check: `POST /v1/challenge`, the client signs the protocol's
//! to-be-signed bytes with a real RSA-2048 card key (RSASSA-PKCS1-v1_5 / SHA-256, the same
//! signature the card's COMPUTE DIGITAL SIGNATURE gives over DigestInfo(SHA-256(TBS))),
//! `POST /v1/inquiry`; the gateway checks device, facility, date, card chain (RSA verify),
//! validity, CRL, challenge, digest and signature (RSA verify), looks the person up and
//! answers. Every answer is checked to be a valid result.
//!
//! ```text
//! cargo run --release -p elig-sandbox --example load -- [--seconds S] [--max N] [--clients 1,16,128]
//! ```
//! Each level runs for at most `S` seconds (default 5) and at most `N` inquiries (default
//! 100000), after one warm-up inquiry per client.
#![allow(clippy::print_stdout, clippy::arithmetic_side_effects)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use elig_proto::gateway::{CertificateDer, RequestId, SignatureBytes, UnsignedInquiry};
use elig_sandbox::access_log::{AccessEntry, AccessLog};
use elig_sandbox::client::{Answer, TestClient};
use elig_sandbox::pki::{CardCredentials, DeviceCredentials, TestPki};
use elig_sandbox::registry::Registry;
use elig_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use rustls::SignatureScheme;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::Signer;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Collects the gateway's own time per inquiry from the access log (no other fields kept).
#[derive(Debug, Default)]
struct GatewayTimes(std::sync::Mutex<Vec<u64>>);

impl AccessLog for GatewayTimes {
    fn record(&self, entry: &AccessEntry) {
        if entry.route == "inquiry" && entry.status == 200 {
            let mut times = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if times.len() < 1_000_000 {
                times.push(entry.latency_us);
            }
        }
    }
}

impl GatewayTimes {
    fn take(&self) -> Vec<u64> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

struct Options {
    seconds: u64,
    max: usize,
    clients: Vec<usize>,
}

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        seconds: 5,
        max: 100_000,
        clients: vec![1, 16, 128],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or("missing value")?;
        match arg.as_str() {
            "--seconds" => o.seconds = value.parse()?,
            "--max" => o.max = value.parse()?,
            "--clients" => {
                o.clients = value.split(',').map(str::parse).collect::<Result<_, _>>()?;
            }
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    o.seconds = o.seconds.clamp(1, 120);
    o.clients.retain(|c| (1..=1024).contains(c));
    Ok(o)
}

/// A card key that signs like the card does.
fn card_signer(card: &CardCredentials) -> Result<Box<dyn Signer>, BoxError> {
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(card.auth().key_pkcs8_der()?));
    let key = rustls::crypto::ring::sign::any_supported_type(&der)?;
    key.choose_scheme(&[SignatureScheme::RSA_PKCS1_SHA256])
        .ok_or_else(|| "no RSA PKCS#1 SHA-256 signer".into())
}

struct Worker {
    client: TestClient,
    device: DeviceCredentials,
    card: CardCredentials,
    signer: Box<dyn Signer>,
    id: u64,
}

impl Worker {
    /// One verified inquiry; returns the inquiry round trip (the gateway's verify path).
    async fn check(&mut self) -> Result<Duration, BoxError> {
        let challenge = match self.client.challenge().await? {
            Answer::Ok(c) => c.challenge,
            other => return Err(format!("challenge refused: {:?}", other.reason()).into()),
        };
        self.id += 1;
        let today = voucher_model::jst::date_from_system_time(std::time::SystemTime::now())?;
        let facility = &self.device.facility;
        // The client's order: the inquiry without proof, the challenge, the card signs the
        // to-be-signed bytes, the proof attached.
        let request_id =
            RequestId::new(&format!("load-{}", self.id)).ok_or("request id out of its rule")?;
        let pending = UnsignedInquiry::new(request_id, facility.clone(), today, None)
            .with_challenge(challenge);
        let signature = self.signer.sign(&pending.to_be_signed().encode())?;
        let request = pending.sign(
            CertificateDer::new(self.card.auth().cert_der().to_vec())
                .ok_or("certificate length")?,
            SignatureBytes::new(signature).ok_or("signature length")?,
        );
        let started = Instant::now();
        let answer = self.client.inquiry(&request).await?;
        let took = started.elapsed();
        match answer {
            Answer::Ok(result) if result.response.qualification_validity.is_some() => Ok(took),
            other => Err(format!("inquiry refused: {:?}", other.reason()).into()),
        }
    }
}

/// The to-be-signed bytes (the signer hashes them: RSASSA-PKCS1-v1_5-SIGN with SHA-256).
/// User + system CPU time of this process's threads whose name starts with `prefix`, from
/// `/proc/self/task/*/stat` (Linux; clock ticks of 10 ms, the kernel's USER_HZ on every
/// mainstream distribution). `None` off Linux.
fn threads_cpu(prefix: &str) -> Option<Duration> {
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
            continue; // the thread ended meanwhile
        };
        let (head, after_name) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1;
        if !name.starts_with(prefix) {
            continue;
        }
        let mut fields = after_name.split_whitespace().skip(11);
        let utime: u64 = fields.next()?.parse().ok()?;
        let stime: u64 = fields.next()?.parse().ok()?;
        ticks += utime + stime;
    }
    Some(Duration::from_millis(ticks * 10))
}

/// The nearest-rank percentile `per_mille`/1000 of sorted samples.
fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    let rank = (sorted.len() * per_mille).div_ceil(1000).max(1);
    sorted.get(rank - 1).copied().unwrap_or(Duration::ZERO)
}

fn main() -> Result<(), BoxError> {
    let options = options()?;
    // The gateway and the clients run on separate runtimes (named threads), so that the
    // gateway's own CPU time can be read per thread. Both have one worker per core: they
    // compete for the same cores, as a vendor's client and the gateway would on one machine.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let gateway_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("gateway")
        .enable_all()
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("client")
        .enable_all()
        .build()?;
    let times = Arc::new(GatewayTimes::default());
    let config = SandboxConfig::embedded_default()?.with_access_log(times.clone());
    let pki = config.pki.clone();
    let registry = config.registry.clone();
    let sandbox = gateway_rt.block_on(Sandbox::start(config))?;
    client_rt.block_on(run(&options, &sandbox, &pki, &registry, &times))?;
    gateway_rt.block_on(sandbox.shutdown());
    Ok(())
}

async fn run(
    options: &Options,
    sandbox: &SandboxHandle,
    pki: &TestPki,
    registry: &Registry,
    times: &GatewayTimes,
) -> Result<(), BoxError> {
    let addr = sandbox.addr();
    let devices: Vec<DeviceCredentials> = pki
        .devices()
        .iter()
        .filter(|d| d.revoked_on.is_none())
        .cloned()
        .collect();
    let mut cards = Vec::new();
    for handle in ["P01", "P02", "P03", "P04"] {
        let person = registry.person(handle).ok_or("registry lacks P01–P04")?;
        cards.push(pki.issue_card(&person.card.spec())?);
    }
    println!(
        "elig-sandbox load: {} CPU(s), client and gateway in one process (separate runtimes), \
         loopback TLS 1.3, {}s or {} inquiries per level",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        options.seconds,
        options.max
    );
    println!();
    println!(
        "| clients | inquiries | inquiries/s | inquiry p50 | inquiry p99 | check p50 | check p99 \
         | gateway time/inquiry (mean) | gateway CPU/inquiry | client CPU/inquiry |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &clients in &options.clients {
        let mut workers = Vec::with_capacity(clients);
        for i in 0..clients {
            let device = devices
                .get(i % devices.len())
                .ok_or("no registered device")?
                .clone();
            let card = cards.get(i % cards.len()).ok_or("no card")?.clone();
            let client = TestClient::connect(addr, pki.gateway_ca().cert_der(), &device).await?;
            let signer = card_signer(&card)?;
            let mut worker = Worker {
                client,
                device,
                card,
                signer,
                id: (i as u64) << 32,
            };
            worker.check().await?; // warm-up
            workers.push(worker);
        }
        times.take();
        let deadline = Instant::now() + Duration::from_secs(options.seconds);
        let budget = Arc::new(std::sync::atomic::AtomicUsize::new(options.max));
        let started = Instant::now();
        let gateway_cpu_before = threads_cpu("gateway");
        let client_cpu_before = threads_cpu("client");
        let mut tasks = Vec::with_capacity(clients);
        for mut worker in workers {
            let budget = budget.clone();
            tasks.push(tokio::spawn(async move {
                let mut inquiry = Vec::new();
                let mut check = Vec::new();
                while Instant::now() < deadline
                    && budget
                        .fetch_update(
                            std::sync::atomic::Ordering::Relaxed,
                            std::sync::atomic::Ordering::Relaxed,
                            |b| b.checked_sub(1),
                        )
                        .is_ok()
                {
                    let t = Instant::now();
                    inquiry.push(worker.check().await?);
                    check.push(t.elapsed());
                }
                Ok::<_, BoxError>((inquiry, check))
            }));
        }
        let mut inquiry = Vec::new();
        let mut check = Vec::new();
        for task in tasks {
            let (i, c) = task.await??;
            inquiry.extend(i);
            check.extend(c);
        }
        let elapsed = started.elapsed();
        let per_inquiry = |before: Option<Duration>, after: Option<Duration>| match (before, after)
        {
            (Some(a), Some(b)) if !inquiry.is_empty() && b >= a => {
                format!(
                    "{:.0} µs",
                    (b - a).as_secs_f64() * 1e6 / inquiry.len() as f64
                )
            }
            _ => "n/a".to_owned(),
        };
        let gateway_cpu = per_inquiry(gateway_cpu_before, threads_cpu("gateway"));
        let client_cpu = per_inquiry(client_cpu_before, threads_cpu("client"));
        inquiry.sort();
        check.sort();
        let rate = inquiry.len() as f64 / elapsed.as_secs_f64();
        let gateway = times.take();
        let gateway_mean = gateway.iter().sum::<u64>() as f64 / gateway.len().max(1) as f64;
        let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
        println!(
            "| {clients} | {} | {rate:.0} | {} | {} | {} | {} | {:.0} µs | {gateway_cpu} | {client_cpu} |",
            inquiry.len(),
            ms(percentile(&inquiry, 500)),
            ms(percentile(&inquiry, 990)),
            ms(percentile(&check, 500)),
            ms(percentile(&check, 990)),
            gateway_mean,
        );
    }
    println!();
    println!(
        "inquiry = POST /v1/inquiry round trip (the gateway's full verification and lookup); \
         check = challenge + client signature + inquiry; gateway time = the access log's \
         latency_us of the inquiry (from request to answer, inside the gateway); gateway / client \
         CPU = user+system CPU of the gateway's / the clients' threads per verified inquiry \
         (challenge included)."
    );
    Ok(())
}
