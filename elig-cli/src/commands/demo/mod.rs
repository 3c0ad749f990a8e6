//! `elig demo`: the whole check, offline, in seconds — the first command a newcomer runs.
//!
//! The sandbox gateway starts in this process on a loopback port (its embedded default PKI
//! and registry, the system clock); virtual My Number Cards of the registry's synthetic
//! people sit in a virtual reader; elig-client's blocking driver runs the real check over
//! real mutual TLS. The cases: an eligible PIN check, a voucher of the insurer the person
//! left (refused), a 目視確認 check, and wrong PINs that take the tries left down (the last
//! try spent after the warning, with the right PIN).
//!
//! The vouchers follow today (the registry re-dates them into today's fiscal year), so the
//! demo runs on any date while the test PKI's certificates are valid.

mod desk;
mod show;
mod timeline;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use elig_client::audit::SqliteAuditStore;
use elig_client::blocking::Driver;
use elig_client::https::{BlockingHttpsGateway, HttpsConfig, TlsIdentity};
use elig_client::session::{CheckRequest, Mode, Outcome, Timeouts};
use elig_proto::gateway::RequestId;
use elig_sandbox::registry::Registry;
use elig_sandbox::{Sandbox, SandboxConfig};
use reader_backends::mock::VirtualMyNumberCard;
use voucher_model::{Date, Purpose, RequestedUse, Voucher, VoucherKind, jst};

use self::desk::{Desk, Script};
use self::show::Show;
use self::timeline::{Step, Tally, Timeline};
use crate::error::CliError;
use crate::exit::Exit;

/// The PIN of every demo card.
const PIN: &str = "4321";
/// The wrong PIN the demo's person types.
const WRONG_PIN: &str = "9876";

/// Arguments of `elig demo`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  elig demo\n  elig demo --json | jq '.cases[] | {name, outcome, apdus}'"
)]
pub(crate) struct DemoArgs {}

/// One demo case: whose card, whose voucher, which mode, what the desk does.
struct Case {
    name: &'static str,
    title_ja: &'static str,
    title_en: &'static str,
    /// The registry handle of the card holder (their voucher is the one presented).
    holder: &'static str,
    mode: Mode,
    script: Script,
}

/// How one case ended.
pub(super) struct CaseResult {
    name: &'static str,
    title_ja: &'static str,
    title_en: &'static str,
    mode: Mode,
    outcome: Outcome,
    apdus: usize,
    elapsed_ms: f64,
    steps: Vec<Step>,
    tries_left: Vec<Option<u8>>,
}

/// Runs the demo.
pub(crate) fn run(_args: &DemoArgs, as_json: bool) -> Result<Exit, CliError> {
    let show = Arc::new(Mutex::new(Show::new(as_json)));
    let shown = show.clone();
    let timeline = Timeline::shared(Box::new(move |step: &Step| {
        shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .step(step);
    }));
    let show = || show.lock().unwrap_or_else(PoisonError::into_inner);
    show().phase("サンドボックス起動 starting the sandbox gateway (test PKI, loopback port)");
    let config = SandboxConfig::embedded_default().map_err(|_| internal("build the sandbox"))?;
    let sandbox = Sandbox::start_background(config).map_err(|_| {
        CliError::new(
            Exit::Gateway,
            "sandbox_start",
            "The demo's gateway could not listen on a loopback port.",
            "Check that this machine allows listening on 127.0.0.1, then run the demo again.",
        )
    })?;
    let pki = sandbox.pki().clone();
    let registry = sandbox.registry().clone();
    let device = pki
        .device("clinic")
        .ok_or_else(|| internal("find the demo device"))?;
    let key = device
        .key
        .to_pkcs8_der()
        .map_err(|_| internal("encode the demo device key"))?;
    let identity = TlsIdentity::from_der(pki.gateway_ca().cert_der(), &device.cert_der, &key);
    let https = HttpsConfig::new(&sandbox.base_url(), identity)
        .map_err(|e| crate::commands::check_failure::transport_error(&e))?;
    let mut gateway = BlockingHttpsGateway::new(https)
        .map_err(|e| crate::commands::check_failure::transport_error(&e))?;
    let folder =
        tempfile::tempdir().map_err(|e| CliError::file("create", &std::env::temp_dir(), &e))?;
    let mut audit = SqliteAuditStore::open(folder.path().join("demo-audit.sqlite3"))
        .map_err(|_| internal("open the demo's audit store"))?;
    show().started(&sandbox.base_url(), device.facility.as_str());

    let now = SystemTime::now();
    let today = jst::date_from_system_time(now).map_err(|_| clock_error())?;
    let attested_at = jst::date_time_from_system_time(now).map_err(|_| clock_error())?;
    let started_unix = i64::try_from(
        now.duration_since(UNIX_EPOCH)
            .map_err(|_| clock_error())?
            .as_secs(),
    )
    .map_err(|_| clock_error())?;

    let mut results = Vec::new();
    let mut card: Option<(&'static str, Tally<VirtualMyNumberCard>)> = None;
    for (index, case) in cases(attested_at).into_iter().enumerate() {
        show().case_header(index, case.title_ja, case.title_en);
        // A case of the same holder uses the same card: its PIN counter carries over.
        if card
            .as_ref()
            .is_none_or(|(holder, _)| *holder != case.holder)
        {
            show().phase("仮想カード発行 issuing the virtual card");
            let virtual_card = virtual_card(&registry, &pki, case.holder)?;
            card = Some((case.holder, Tally::new(virtual_card, timeline.clone())));
        }
        let Some((_, reader)) = card.as_mut() else {
            return Err(internal("prepare the virtual card"));
        };
        let voucher = voucher_of(&registry, case.holder, today)?;
        let request = CheckRequest::new(
            voucher.clone(),
            purpose_of(&voucher)?,
            device.facility.clone(),
            today,
            RequestId::new(&format!("demo-{}", index.saturating_add(1)))
                .ok_or_else(|| internal("name the request"))?,
            started_unix,
        );
        reader.begin();
        timeline
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .restart();
        let start = Instant::now();
        let mut desk = Desk::new(case.script.clone(), timeline.clone());
        let outcome = match (Driver {
            card: reader,
            gateway: &mut gateway,
            operator: &mut desk,
            audit: &mut audit,
        })
        .run(request, case.mode, Timeouts::default())
        {
            Ok(recorded) => recorded.outcome,
            Err(_) => return Err(internal("record the check in the demo's audit store")),
        };
        reader.flush();
        finish_steps(&mut desk, &outcome);
        let elapsed = start.elapsed();
        let apdus = reader.total();
        let steps = std::mem::take(
            &mut timeline
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .steps,
        );
        let result = CaseResult {
            name: case.name,
            title_ja: case.title_ja,
            title_en: case.title_en,
            mode: case.mode,
            outcome,
            apdus,
            elapsed_ms: elapsed.as_secs_f64() * 1000.0,
            steps,
            tries_left: std::mem::take(&mut desk.tries_left),
        };
        show().case_end(&result, reader.inner.auth_pin_tries_left());
        results.push(result);
    }
    sandbox.shutdown();
    show().finish(&results);
    Ok(Exit::Success)
}

/// The steps after the outcome: what the gateway's answer says.
fn finish_steps(desk: &mut Desk, outcome: &Outcome) {
    let Ok(verdict) = &outcome.result else {
        desk.note(
            "check_ended",
            "確認終了",
            "check ended without a verdict".to_owned(),
        );
        return;
    };
    desk.note(
        "gateway_verified",
        "ゲートウェイ検証",
        match verdict.evidence.kind {
            voucher_model::EvidenceKind::OnlinePin => {
                "the gateway verified the card's certificate and signature".to_owned()
            }
            _ => "the gateway verified the card's certificate and the staff attestation".to_owned(),
        },
    );
    let validity = outcome.record.codes.qualification_validity.as_ref();
    desk.note(
        "qualification",
        "資格情報",
        format!(
            "qualification: {} {}",
            validity.and_then(|v| v.label_ja()).unwrap_or("-"),
            validity.and_then(|v| v.label_en()).unwrap_or("none")
        ),
    );
}

/// The demo's cases, in order.
fn cases(attested_at: voucher_model::DateTime) -> Vec<Case> {
    let pin = |pin, spend_last_try| Script {
        pin: Some(pin),
        spend_last_try,
        staff: None,
        attested_at,
    };
    vec![
        Case {
            name: "pin_eligible",
            title_ja: "暗証番号で確認（受診券の保険者に加入中）",
            title_en: "PIN check: insured by the voucher's insurer",
            holder: "P01",
            mode: Mode::Pin,
            script: pin(PIN, false),
        },
        Case {
            name: "other_insurer",
            title_ja: "別の保険者の受診券（以前の保険者）",
            title_en: "a voucher of another insurer (the one the person left)",
            holder: "P06",
            mode: Mode::Pin,
            script: pin(PIN, false),
        },
        Case {
            name: "visual_confirmation",
            title_ja: "目視確認（暗証番号なし）",
            title_en: "visual confirmation (no PIN)",
            holder: "P03",
            mode: Mode::VisualConfirmation,
            script: Script {
                pin: None,
                spend_last_try: false,
                staff: Some("staff-07"),
                attested_at,
            },
        },
        Case {
            name: "wrong_pin",
            title_ja: "暗証番号の誤り（1回目）",
            title_en: "wrong PIN (first)",
            holder: "P04",
            mode: Mode::Pin,
            script: pin(WRONG_PIN, false),
        },
        Case {
            name: "wrong_pin_again",
            title_ja: "暗証番号の誤り（2回目）",
            title_en: "wrong PIN (second)",
            holder: "P04",
            mode: Mode::Pin,
            script: pin(WRONG_PIN, false),
        },
        Case {
            name: "last_try_right_pin",
            title_ja: "残り1回：警告のうえ正しい暗証番号",
            title_en: "last try: warned, then the right PIN",
            holder: "P04",
            mode: Mode::Pin,
            script: pin(PIN, true),
        },
    ]
}

/// The virtual card of the registry person `handle`, issued by the sandbox's PKI.
fn virtual_card(
    registry: &Registry,
    pki: &elig_sandbox::pki::TestPki,
    handle: &str,
) -> Result<VirtualMyNumberCard, CliError> {
    let entry = registry
        .person(handle)
        .map(|p| &p.card)
        .ok_or_else(|| internal("find the demo person"))?;
    let credentials = pki
        .issue_card(&entry.spec())
        .map_err(|_| internal("issue the demo card"))?;
    VirtualMyNumberCard::builder()
        .serial(entry.serial)
        .pin(PIN)
        .credentials(credentials)
        .build()
        .map_err(|_| internal("build the demo card"))
}

/// The voucher `handle` holds today.
fn voucher_of(registry: &Registry, handle: &str, today: Date) -> Result<Voucher, CliError> {
    registry
        .vouchers_on(handle, today)
        .and_then(|v| v.into_iter().next())
        .ok_or_else(|| internal("find the demo voucher"))
}

/// The purpose a voucher is presented for.
fn purpose_of(voucher: &Voucher) -> Result<Purpose, CliError> {
    let requested = match voucher.kind() {
        VoucherKind::Checkup => RequestedUse::SpecificHealthCheckup,
        _ => RequestedUse::SpecificHealthGuidance,
    };
    Purpose::for_online_check(requested).map_err(|_| internal("choose the purpose"))
}

/// A failure of the demo's own set-up (never expected on a working build).
fn internal(what: &str) -> CliError {
    CliError::new(
        Exit::Usage,
        "demo_setup",
        format!("The demo could not {what}."),
        "Build again from a clean checkout (cargo build -p elig-cli) and run the demo again; if it repeats, report it.",
    )
}

fn clock_error() -> CliError {
    CliError::usage(
        "clock",
        "This machine's clock is outside the dates the demo can use.",
        "Set the system date and time correctly, then run the demo again.",
    )
}
