//! The HTTPS server: accept loop, TLS, HTTP/1.1 keep-alive, limits and graceful shutdown.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::access_log::{AccessLog, NoAccessLog};
use crate::challenge::ChallengeStore;
use crate::clock::{Clock, SystemClock};
use crate::gateway::{ConnectionInfo, Gateway};
use crate::pki::{PkiError, TestPki};
use crate::registry::{Registry, RegistryError};
use crate::verify::Verifier;

/// The most a connection buffers of a request (hyper's read buffer): request line and
/// headers beyond this are refused (HTTP 431) without being held.
const MAX_READ_BUFFER: usize = 32 * 1024;

/// The seed of the default PKI (what `elig-sandbox serve` and the demo use): the workspace's
/// one default test seed, so a virtual card with default credentials is one of this PKI's
/// cards.
pub use elig_testpki::DEFAULT_SEED;

/// Bounds on what clients can make the gateway hold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Open connections at most; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Largest request body, bytes (never above the protocol's per-message limits).
    pub max_body_bytes: usize,
    /// Lifetime of a challenge.
    pub challenge_ttl: Duration,
    /// Challenges remembered at most (then `rate_limited`).
    pub max_outstanding_challenges: usize,
    /// Outstanding (unused, unexpired) challenges per device at most (then
    /// `rate_limited` for that device only). Between two prunes of the store a device's
    /// expired challenges keep counting until its newest one expires, so a refusal costs
    /// no scan of the store.
    pub max_outstanding_challenges_per_device: usize,
    /// Time allowed for a TLS handshake.
    pub handshake_timeout: Duration,
    /// Time allowed for a request's headers to arrive; it runs while a keep-alive
    /// connection waits for its next request too, so an idle connection gives its slot
    /// back after this long.
    pub header_read_timeout: Duration,
    /// Time allowed for a request's body to arrive once its headers have: a client that
    /// trickles (or never sends) the body it announced is answered `malformed_request` and
    /// gives its slot back after this long (`header_read_timeout` covers only the headers).
    pub body_read_timeout: Duration,
    /// Time allowed for open connections to finish at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            max_body_bytes: elig_proto::gateway::MAX_REQUEST_BYTES,
            challenge_ttl: Duration::from_secs(120),
            max_outstanding_challenges: 100_000,
            max_outstanding_challenges_per_device: 1_000,
            handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Everything the sandbox runs on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Address to listen on; default `127.0.0.1:0` (an ephemeral loopback port).
    pub bind: SocketAddr,
    /// The test PKI (server certificate, CAs, CRL). The sandbox runs on it issued for its
    /// clock's day ([`TestPki::on`]): its device certificates and CRLs follow the clock.
    pub pki: Arc<TestPki>,
    /// The insured people.
    pub registry: Arc<Registry>,
    /// The clock (fake in tests).
    pub clock: Arc<dyn Clock>,
    /// Where access records go.
    pub access_log: Arc<dyn AccessLog>,
    /// Resource bounds.
    pub limits: Limits,
}

impl SandboxConfig {
    /// A configuration serving `registry` with `pki` on an ephemeral loopback port, the
    /// system clock, no access log and default limits.
    pub fn new(pki: Arc<TestPki>, registry: Arc<Registry>) -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            pki,
            registry,
            clock: Arc::new(SystemClock),
            access_log: Arc::new(NoAccessLog),
            limits: Limits::default(),
        }
    }

    /// The embedded default registry and the PKI generated from [`DEFAULT_SEED`] for it
    /// (about half a second of RSA key generation), issued today; valid on any date, since
    /// the sandbox issues its dated parts again for its clock's day when it starts (the
    /// [`crate::pki`] module docs, "Dates").
    pub fn embedded_default() -> Result<Self, StartError> {
        let registry = Registry::default_registry().map_err(StartError::Registry)?;
        let pki = TestPki::generate(DEFAULT_SEED, &registry.pki_plan()).map_err(StartError::Pki)?;
        Ok(Self::new(Arc::new(pki), Arc::new(registry)))
    }

    /// Sets the clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the access log.
    pub fn with_access_log(mut self, log: Arc<dyn AccessLog>) -> Self {
        self.access_log = log;
        self
    }

    /// Sets the listening address.
    pub fn with_bind(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Why the sandbox could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The PKI could not be built or is inconsistent (caller misuse).
    Pki(PkiError),
    /// The registry was refused (caller misuse).
    Registry(RegistryError),
    /// Binding or starting the listener failed (local I/O).
    Io(std::io::Error),
    /// Caller misuse: [`Sandbox::start_background`] was called from inside a tokio runtime
    /// (use [`Sandbox::start`] there).
    InsideRuntime,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Pki(e) => write!(f, "sandbox cannot start: {e}"),
            StartError::Registry(e) => write!(f, "sandbox cannot start: {e}"),
            StartError::Io(e) => write!(f, "sandbox cannot listen: {e}"),
            StartError::InsideRuntime => f.write_str(
                "caller misuse: start_background was called inside a tokio runtime; use start",
            ),
        }
    }
}

impl core::error::Error for StartError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StartError::Pki(e) => Some(e),
            StartError::Registry(e) => Some(e),
            StartError::Io(e) => Some(e),
            StartError::InsideRuntime => None,
        }
    }
}

/// The sandbox gateway.
#[derive(Debug)]
pub struct Sandbox;

/// A running sandbox; [`SandboxHandle::shutdown`] stops it gracefully. Dropping the handle
/// also stops accepting (the accept loop ends when the handle's channel closes).
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    pki: Arc<TestPki>,
    registry: Arc<Registry>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Gateway {
    /// The gateway `config` describes, checking certificates with `verifier` (built from
    /// `config.pki`).
    pub(crate) fn new(config: &SandboxConfig, verifier: Verifier) -> Self {
        Gateway {
            verifier,
            registry: config.registry.clone(),
            challenges: ChallengeStore::new(
                config.limits.challenge_ttl,
                config.limits.max_outstanding_challenges,
                config.limits.max_outstanding_challenges_per_device,
            ),
            clock: config.clock.clone(),
            log: config.access_log.clone(),
            max_body_bytes: config.limits.max_body_bytes,
            body_read_timeout: config.limits.body_read_timeout,
        }
    }
}

impl Sandbox {
    /// Starts the gateway on `config.bind` inside the current tokio runtime and returns once
    /// it listens.
    ///
    /// The gateway runs on `config.pki` issued for its clock's day in Japan (device
    /// certificates and CRLs signed again unless it already was: [`TestPki::on`]);
    /// [`SandboxHandle::pki`] is that PKI.
    pub async fn start(mut config: SandboxConfig) -> Result<SandboxHandle, StartError> {
        config.pki =
            TestPki::for_clock(&config.pki, config.clock.now()).map_err(StartError::Pki)?;
        let tls = crate::tls::server_config(&config.pki).map_err(StartError::Pki)?;
        let verifier = Verifier::new(&config.pki).map_err(StartError::Pki)?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(StartError::Io)?;
        let addr = listener.local_addr().map_err(StartError::Io)?;
        let gateway = Arc::new(Gateway::new(&config, verifier));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(serve(
            listener,
            TlsAcceptor::from(tls),
            gateway,
            config.limits.clone(),
            rx,
        ));
        Ok(SandboxHandle {
            addr,
            pki: config.pki,
            registry: config.registry,
            shutdown,
            task,
        })
    }
}

/// A sandbox running on its own runtime threads, for callers without a tokio runtime (a
/// blocking demo, FFI tests). Stops on [`BackgroundSandbox::shutdown`] or when dropped
/// (from any thread, async or not).
#[derive(Debug)]
pub struct BackgroundSandbox {
    runtime: Option<tokio::runtime::Runtime>,
    handle: Option<SandboxHandle>,
    addr: SocketAddr,
    pki: Arc<TestPki>,
    registry: Arc<Registry>,
}

impl Sandbox {
    /// Starts the gateway on a runtime of its own (two worker threads named
    /// `elig-sandbox`) and returns once it listens. Must not be called from inside a tokio
    /// runtime ([`StartError::InsideRuntime`]).
    pub fn start_background(config: SandboxConfig) -> Result<BackgroundSandbox, StartError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(StartError::InsideRuntime);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("elig-sandbox")
            .enable_all()
            .build()
            .map_err(StartError::Io)?;
        let handle = runtime.block_on(Sandbox::start(config))?;
        Ok(BackgroundSandbox {
            addr: handle.addr(),
            pki: handle.pki().clone(),
            registry: handle.registry().clone(),
            runtime: Some(runtime),
            handle: Some(handle),
        })
    }
}

impl BackgroundSandbox {
    /// The address the gateway listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The PKI the gateway runs on.
    pub fn pki(&self) -> &Arc<TestPki> {
        &self.pki
    }

    /// The registry the gateway answers from.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Stops the gateway gracefully and ends its threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let (Some(runtime), Some(handle)) = (self.runtime.take(), self.handle.take()) {
            // On a thread of its own: blocking on (or dropping) a runtime is not allowed on a
            // thread that runs async code, and the caller's thread might.
            let stopper = std::thread::spawn(move || {
                runtime.block_on(handle.shutdown());
                runtime.shutdown_timeout(Duration::from_secs(1));
            });
            // A panic while stopping leaves nothing to clean up: ignore it.
            let _ = stopper.join();
        }
    }
}

impl Drop for BackgroundSandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

impl SandboxHandle {
    /// The address the gateway listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:<port>` (the server certificate names `127.0.0.1` and `localhost`).
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The PKI the gateway runs on (to issue cards, get device credentials).
    pub fn pki(&self) -> &Arc<TestPki> {
        &self.pki
    }

    /// The registry the gateway answers from.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Stops accepting, lets open connections finish their current request (up to
    /// [`Limits::shutdown_grace`]), and returns when the server task has ended.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    gateway: Arc<Gateway>,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    // Semaphore::new panics above MAX_PERMITS: a huge limit means "no limit", not a crash.
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let graceful = GracefulShutdown::new();
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let Ok((tcp, peer)) = accepted else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let gateway = gateway.clone();
        let watcher = graceful.watcher();
        let limits = limits.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let Ok(Ok(tls)) =
                tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await
            else {
                return;
            };
            let device = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .and_then(|cert| gateway.verifier.device_until(cert, gateway.clock.now()));
            let info = Arc::new(ConnectionInfo {
                peer: Some(peer.ip()),
                device_until: device.as_ref().map_or(UNIX_EPOCH, |(_, until)| *until),
                device: device.map(|(device, _)| device),
            });
            let service = service_fn(move |request| {
                let gateway = gateway.clone();
                let info = info.clone();
                async move { Ok::<_, Infallible>(gateway.handle(&info, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                // A connection's read buffer (request line and headers must fit): hyper's
                // default is about 400 KiB, which times max_connections is a lot of memory
                // for requests whose whole body is at most 16 KiB. Our bound.
                .max_buf_size(MAX_READ_BUFFER)
                .header_read_timeout(limits.header_read_timeout)
                .keep_alive(true)
                .serve_connection(TokioIo::new(tls), service);
            // Connection errors (client went away, bad HTTP) end this connection only.
            let _ = watcher.watch(connection).await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await;
}
