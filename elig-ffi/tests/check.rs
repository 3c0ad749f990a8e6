//! The bindings' API from Rust (what UniFFI exposes, without a foreign language): a whole
//! PIN-mode check over the virtual card against the in-process sandbox, a PIN typed from
//! inside the observer callback, and the misuse errors. The same flows run in Python
//! (python/tests) and C (tests/c) in ./test.sh.

// Test code: a panic is a test failure, so the library-only lints do not apply (as in the
// other crates' test helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex, Weak};

use elig::testing::{TestSandbox, VirtualCard};
use elig::{
    CardLink, CardLinkCapabilities, CardLinkError, Check, CheckEvent, CheckMode, CheckObserver,
    CheckPurpose, CheckRequest, EligError, FailureKind, Fault, IdentifierKind, check_identifier,
    today_in_japan,
};

struct Link(VirtualCard);

impl CardLink for Link {
    fn transceive(&self, apdu: Vec<u8>, _timeout_ms: u32) -> Result<Vec<u8>, CardLinkError> {
        Ok(self.0.transceive(apdu))
    }
    fn capabilities(&self) -> CardLinkCapabilities {
        CardLinkCapabilities {
            max_transceive_len: 261,
            extended_length: false,
        }
    }
}

struct Desk {
    pin: &'static str,
    check: Mutex<Weak<Check>>,
    events: Mutex<Vec<CheckEvent>>,
}

impl CheckObserver for Desk {
    fn on_event(&self, event: CheckEvent) {
        if matches!(event, CheckEvent::PinNeeded { .. }) {
            let check = self.check.lock().unwrap().upgrade().unwrap();
            check.submit_pin(self.pin.to_owned()).unwrap();
        }
        self.events.lock().unwrap().push(event);
    }
}

fn run(sandbox: &TestSandbox, pin: &'static str, id: &str) -> (elig::CheckResult, Arc<Desk>) {
    let dir = tempfile::tempdir().unwrap();
    let today = today_in_japan().unwrap();
    let request = CheckRequest {
        voucher: sandbox
            .vouchers("P01".into(), today.clone())
            .unwrap()
            .remove(0),
        purpose: CheckPurpose::SpecificHealthCheckup,
        facility: sandbox.device_facility("clinic".into()).unwrap(),
        checkup_date: today,
        request_id: id.into(),
        mode: CheckMode::Pin,
        audit_path: dir
            .path()
            .join("audit.sqlite3")
            .to_string_lossy()
            .into_owned(),
    };
    let card = VirtualCard::new(sandbox.card_serial("P01".into()).unwrap(), "4321".into()).unwrap();
    let desk = Arc::new(Desk {
        pin,
        check: Mutex::new(Weak::new()),
        events: Mutex::new(Vec::new()),
    });
    let check = Check::new(
        request,
        Arc::new(Link(card)),
        sandbox.gateway("clinic".into()).unwrap(),
        desk.clone(),
    );
    *desk.check.lock().unwrap() = Arc::downgrade(&check);
    let result = check.run().unwrap();
    assert!(
        matches!(check.run(), Err(EligError::Caller(_))),
        "a check runs once"
    );
    (result, desk)
}

#[test]
fn a_pin_mode_check_through_the_bindings_api() {
    let sandbox = TestSandbox::start().unwrap();
    // A short-APDU-only link: the SDK chunks the certificate read.
    let (result, desk) = run(&sandbox, "4321", "rust-ffi-1");
    assert!(result.eligible, "{}", result.explanation_en);
    assert!(result.failure.is_none());
    assert_eq!(result.audit_seq, 1);
    assert!(
        desk.events
            .lock()
            .unwrap()
            .contains(&CheckEvent::CertificateRead)
    );

    let (result, _) = run(&sandbox, "9999", "rust-ffi-2");
    assert!(!result.eligible);
    let failure = result.failure.unwrap();
    assert_eq!(failure.kind, FailureKind::WrongPin);
    assert_eq!(failure.fault, Fault::Cardholder);
    assert!(!result.explanation_en.contains("9999"));
    sandbox.shutdown();
    assert!(matches!(sandbox.url(), Err(EligError::Caller(_))));
}

#[test]
fn misuse_is_a_typed_caller_error_without_the_value() {
    let err = check_identifier(IdentifierKind::InsurerNumber, "01130013".into()).unwrap_err();
    assert!(matches!(err, EligError::Caller(_)), "{err:?}");
    assert_eq!(
        check_identifier(
            IdentifierKind::CheckupInstitutionNumber,
            "0110113719".into()
        )
        .unwrap(),
        "0110113719"
    );
    let err = VirtualCard::new(1001, "12ab".into()).err().unwrap();
    assert!(!err.to_string().contains("12ab"));
    assert!(matches!(
        elig::Voucher::from_json("{}".into()),
        Err(EligError::Caller(_))
    ));
}
