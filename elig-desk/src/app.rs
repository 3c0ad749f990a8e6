//! The desk's state and its router (one router per area, style.md rule 16).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use elig_client::audit::SqliteAuditStore;
use elig_client::gateway::{
    GatewayRequest, GatewayResponse, GatewayTransport, GatewayTransportError,
};
use elig_client::https::HttpsGateway;
use voucher_model::{Date, Facility, Voucher};

use crate::check::{CheckHandle, SharedGateway};
use crate::demo::{Demo, lock};
use crate::security::Security;
use crate::settings::{OpenReader, Settings};
use crate::visitors::Visitor;
use crate::{DeskError, pages};

/// Finished checks kept for their verdict pages.
const RECENT_CHECKS: usize = 64;
/// Most visitors on the day's list.
pub(crate) const MAX_VISITORS: usize = 5000;
/// Largest request body (an uploaded voucher file).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Everything the handlers share.
pub(crate) struct App {
    pub(crate) security: Security,
    pub(crate) facility: Facility,
    pub(crate) visitors: Mutex<Visitors>,
    pub(crate) checks: Mutex<Checks>,
    pub(crate) audit: Arc<Mutex<SqliteAuditStore>>,
    pub(crate) gateway: SharedGateway,
    pub(crate) reader: OpenReader,
    pub(crate) demo: Option<Demo>,
    /// The demo's temporary folder, removed at shutdown.
    scratch: Option<PathBuf>,
}

impl core::fmt::Debug for App {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("App")
            .field("facility", &self.facility.as_str())
            .field("demo", &self.demo.is_some())
            .finish_non_exhaustive()
    }
}

/// The day's list.
#[derive(Debug, Default)]
pub(crate) struct Visitors {
    next_id: u64,
    pub(crate) list: Vec<Visitor>,
}

impl Visitors {
    /// Adds a voucher; `false` when the list is full.
    pub(crate) fn add(&mut self, voucher: Voucher, demo_handle: Option<String>) -> bool {
        if self.list.len() >= MAX_VISITORS {
            return false;
        }
        self.next_id = self.next_id.saturating_add(1);
        self.list.push(Visitor {
            id: self.next_id,
            voucher,
            demo_handle,
        });
        true
    }

    pub(crate) fn get(&self, id: u64) -> Option<Visitor> {
        self.list.iter().find(|v| v.id == id).cloned()
    }
}

/// The running check (one per reader) and the recent ones.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    next_id: u64,
    pub(crate) active: Option<Arc<CheckHandle>>,
    recent: VecDeque<Arc<CheckHandle>>,
}

impl Checks {
    pub(crate) fn next_id(&mut self) -> u64 {
        self.next_id = self.next_id.saturating_add(1);
        self.next_id
    }

    /// The running check, if one still runs (a finished one moves to the recent list).
    pub(crate) fn running(&mut self) -> Option<Arc<CheckHandle>> {
        if self
            .active
            .as_ref()
            .is_some_and(|c| matches!(c.current(), crate::check::Stage::Done(_)))
            && let Some(done) = self.active.take()
        {
            self.keep(done);
        }
        self.active.clone()
    }

    pub(crate) fn keep(&mut self, check: Arc<CheckHandle>) {
        if self.recent.len() >= RECENT_CHECKS {
            self.recent.pop_front();
        }
        self.recent.push_back(check);
    }

    pub(crate) fn find(&self, id: u64) -> Option<Arc<CheckHandle>> {
        self.active
            .iter()
            .chain(self.recent.iter())
            .find(|c| c.id == id)
            .cloned()
    }
}

/// elig-client's async HTTPS driver for the blocking check thread: each call runs on the
/// desk's runtime (the thread is not one of its workers, so it may block on it).
struct OnRuntime {
    runtime: tokio::runtime::Handle,
    inner: HttpsGateway,
}

impl GatewayTransport for OnRuntime {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        self.runtime.block_on(self.inner.send(request))
    }
}

impl App {
    pub(crate) fn new(
        settings: Settings,
        demo: Option<Demo>,
        scratch: Option<PathBuf>,
    ) -> Result<App, DeskError> {
        let runtime = runtime()?;
        let audit =
            SqliteAuditStore::open(&settings.audit_db).map_err(|source| DeskError::Audit {
                path: settings.audit_db.clone(),
                source,
            })?;
        let inner =
            HttpsGateway::new(settings.gateway).map_err(|source| DeskError::Gateway { source })?;
        let gateway: Box<dyn GatewayTransport + Send> = Box::new(OnRuntime { runtime, inner });
        let security =
            Security::new(settings.idle_lock).map_err(|source| DeskError::System { source })?;
        let mut visitors = Visitors::default();
        if let Some(demo) = &demo {
            for (handle, voucher) in demo.visitors(today()) {
                visitors.add(voucher, Some(handle));
            }
        }
        Ok(App {
            security,
            facility: settings.facility,
            visitors: Mutex::new(visitors),
            checks: Mutex::new(Checks::default()),
            audit: Arc::new(Mutex::new(audit)),
            gateway: Arc::new(Mutex::new(gateway)),
            reader: settings.reader,
            demo,
            scratch,
        })
    }

    /// Removes the demo's temporary audit store (best effort).
    pub(crate) fn cleanup(&self) {
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// The running check, if any.
    pub(crate) fn running(&self) -> Option<Arc<CheckHandle>> {
        lock(&self.checks).running()
    }
}

/// The current runtime, which must be multi-threaded ([`DeskError::Runtime`]).
pub(crate) fn runtime() -> Result<tokio::runtime::Handle, DeskError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| DeskError::Runtime)?;
    if runtime.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return Err(DeskError::Runtime);
    }
    Ok(runtime)
}

/// Today in Japan (the checkup date).
pub(crate) fn today() -> Date {
    voucher_model::jst::date_from_system_time(std::time::SystemTime::now()).unwrap_or(Date::MIN)
}

/// The desk's routes behind the guard.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::list::show))
        .route("/visitors", post(pages::list::add))
        .route("/visitors/import", post(pages::list::import))
        .route("/validate", get(pages::list::validate))
        .route("/demo/card", post(pages::list::demo_card))
        .route("/lang", post(pages::list::set_lang))
        .route("/checks", post(pages::check::start))
        .route("/checks/{id}", get(pages::check::show))
        .route("/checks/{id}/stage", get(pages::check::stage))
        .route("/checks/{id}/pin", post(pages::check::pin))
        .route("/checks/{id}/attest", post(pages::check::attest))
        .route("/checks/{id}/cancel", post(pages::check::cancel))
        .route("/checks/{id}/print", get(pages::check::print))
        .route("/visitors/{id}/manual", get(pages::manual::show))
        .route("/visitors/{id}/manual", post(pages::manual::submit))
        .route("/records", get(pages::records::show))
        .route("/records.csv", get(pages::records::csv))
        .route("/assets/desk.css", get(css))
        .route("/assets/desk.js", get(js))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::security::guard,
        ))
        .with_state(app)
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../assets/desk.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/desk.js"),
    )
}
