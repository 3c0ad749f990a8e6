#![doc = include_str!("../README.md")]

mod app;
mod check;
mod demo;
mod html;
mod pages;
mod security;
mod settings;
mod visitors;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use demo::DEMO_PIN;
pub use security::CONTENT_SECURITY_POLICY;
pub use settings::{DEFAULT_IDLE_LOCK, DemoOptions, OpenReader, Settings};

use app::App;

/// The address a desk listens on unless told otherwise (loopback only).
pub const DEFAULT_BIND: &str = "127.0.0.1:8470";

/// Why a desk could not start. Each variant says who is at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// Caller misuse: the desk only listens on a loopback address (127.0.0.1, ::1).
    #[error("caller: the desk listens on loopback addresses only, not {addr}")]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The system: the address is taken or cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The audit store (its file, folder or contents) cannot be used.
    #[error("the audit store at {path} cannot be opened: {source}")]
    Audit {
        /// The store's path.
        path: PathBuf,
        /// The store's error.
        source: elig_client::audit::AuditError,
    },
    /// The gateway settings are unusable (certificate, key, URL).
    #[error("the gateway settings are unusable: {source}")]
    Gateway {
        /// The driver's error.
        source: elig_client::gateway::GatewayTransportError,
    },
    /// The demo's in-process sandbox or virtual card could not be set up (a bug: it has no
    /// outside input).
    #[error("the demo could not start: {detail}")]
    Demo {
        /// What failed.
        detail: String,
    },
    /// Caller misuse: the desk was started outside a multi-threaded tokio runtime (each check
    /// blocks a thread of its own on the desk's runtime, which a current-thread runtime
    /// cannot serve).
    #[error("caller: the desk needs a multi-threaded tokio runtime")]
    Runtime,
    /// The system: no random numbers for the access token, or a thread could not start.
    #[error("the system refused: {source}")]
    System {
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// A reception desk, ready to serve: [`Desk::new`] on real settings, [`Desk::demo`] on the
/// in-process sandbox and a virtual card.
#[derive(Debug)]
pub struct Desk {
    app: Arc<App>,
}

impl Desk {
    /// A desk on `settings`: the gateway over HTTPS, the reader `settings.reader` opens, the
    /// audit store at `settings.audit_db`. Must be called inside a tokio runtime (the gateway
    /// driver runs on it).
    ///
    /// # Errors
    /// [`DeskError::Runtime`], [`DeskError::Audit`], [`DeskError::Gateway`],
    /// [`DeskError::System`].
    pub async fn new(settings: Settings) -> Result<Desk, DeskError> {
        Ok(Desk {
            app: Arc::new(App::new(settings, None, None)?),
        })
    }

    /// The demo desk: elig-sandbox's embedded default gateway started in this runtime (real
    /// HTTPS with mutual TLS on loopback), a virtual reader with buttons to put a registry
    /// person's virtual card on it or take it off (PIN [`DEMO_PIN`]), and the registry's
    /// people with today's vouchers on the day's list.
    ///
    /// # Errors
    /// [`DeskError::Runtime`], [`DeskError::Demo`], [`DeskError::Audit`],
    /// [`DeskError::System`].
    pub async fn demo(options: DemoOptions) -> Result<Desk, DeskError> {
        app::runtime()?;
        let (demo, https) = demo::Demo::start().await?;
        let (audit_db, scratch) = match options.audit_db {
            Some(path) => (path, None),
            None => {
                let dir = std::env::temp_dir().join(format!(
                    "elig-desk-demo-{}-{}",
                    std::process::id(),
                    check::unix_now()
                ));
                std::fs::create_dir_all(&dir).map_err(|source| DeskError::System { source })?;
                (dir.join("audit.sqlite3"), Some(dir))
            }
        };
        let reader = demo.reader.clone();
        let open: OpenReader = Arc::new(move || {
            Ok(Box::new(demo::SharedReader(reader.clone())) as Box<dyn reader_backends::Transport>)
        });
        let settings = Settings::new(https, open, audit_db, demo.facility.clone())
            .with_idle_lock(options.idle_lock);
        let app = App::new(settings, Some(demo), scratch)?;
        Ok(Desk { app: Arc::new(app) })
    }

    /// Listens on `bind` (loopback only) and serves the desk in the current runtime until
    /// [`RunningDesk::shutdown`].
    ///
    /// # Errors
    /// [`DeskError::NotLoopback`], [`DeskError::Bind`].
    pub async fn serve(self, bind: SocketAddr) -> Result<RunningDesk, DeskError> {
        if !bind.ip().is_loopback() {
            return Err(DeskError::NotLoopback { addr: bind });
        }
        let listener = TcpListener::bind(bind)
            .await
            .map_err(|source| DeskError::Bind { addr: bind, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| DeskError::Bind { addr: bind, source })?;
        let url = format!("http://{addr}/?token={}", self.app.security.token());
        let router = app::router(self.app.clone());
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        });
        Ok(RunningDesk {
            addr,
            url,
            stop,
            task,
            app: self.app,
        })
    }
}

/// A desk that serves; [`RunningDesk::url`] is what staff open.
#[derive(Debug)]
pub struct RunningDesk {
    addr: SocketAddr,
    url: String,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    app: Arc<App>,
}

impl RunningDesk {
    /// The URL to open, with this start's access token (print it for the operator; anyone
    /// with it can use the desk until it stops).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the desk listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The per-start CSRF token (for tests that post like the page does).
    #[doc(hidden)]
    pub fn csrf_for_tests(&self) -> &str {
        self.app.security.csrf()
    }

    /// Stops serving (open connections finish their request) and removes the demo's
    /// temporary audit store.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        self.app.cleanup();
    }
}
