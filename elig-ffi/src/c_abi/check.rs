//! `elig_check_run`: a whole check through the C ABI, the card link and the PIN entry as
//! function pointers. The check is [`crate::Check`] (elig-client's session), unchanged.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, OnceLock, Weak};

use zeroize::Zeroize as _;

use super::handles::{self, Object};
use super::{EligHandle, EligStatus, from_error, guard, put, text};
use crate::{
    CardLink, CardLinkCapabilities, CardLinkError, Check, CheckEvent, CheckMode, CheckObserver,
    CheckPurpose, CheckRequest,
};

/// The card link: send `apdu` (`apdu_len` bytes), write the response APDU (data + SW1 SW2)
/// into `response` (`response_cap` bytes, at least 65 538) and its length into
/// `*response_len`, waiting at most `timeout_ms`. Return 0 on success, 1 when the card/tag
/// was lost, 2 on timeout, anything else for another I/O failure. The APDU may carry the PIN:
/// never log it.
pub type EligTransceiveFn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        apdu: *const u8,
        apdu_len: usize,
        response: *mut u8,
        response_cap: usize,
        response_len: *mut usize,
        timeout_ms: u32,
    ) -> i32,
>;

/// The PIN entry: `tries_left` is -1 when the card does not say; `last_try` is 1 when one
/// try is left. Write the 4 digits and a NUL into `pin_out` (5 bytes) and return 0, or
/// return 1 after writing the PIN to also consent to spending the last try; return anything
/// else to cancel. The buffer is wiped after the call.
pub type EligPinFn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        tries_left: i32,
        last_try: u8,
        pin_out: *mut c_char,
    ) -> i32,
>;

/// A PIN-mode check's parameters.
#[repr(C)]
#[derive(Debug)]
pub struct EligCheckParams {
    /// From `elig_gateway_new`.
    pub gateway: EligHandle,
    /// From `elig_voucher_from_json`.
    pub voucher: EligHandle,
    /// 0: 特定健診 (受診券); 1: 特定保健指導 (利用券).
    pub purpose: i32,
    /// The facility in the device certificate (UTF-8).
    pub facility: *const c_char,
    /// `YYYY-MM-DD` (`elig_today_in_japan`).
    pub checkup_date: *const c_char,
    /// Unique per check: 1-64 of `A-Z a-z 0-9 . _ - :`.
    pub request_id: *const c_char,
    /// The SQLite audit store's file (created when missing).
    pub audit_path: *const c_char,
    /// The card link.
    pub transceive: EligTransceiveFn,
    /// The PIN entry.
    pub pin: EligPinFn,
    /// Passed to both callbacks as is.
    pub user_data: *mut c_void,
    /// Largest APDU the link carries each way.
    pub max_transceive_len: u32,
    /// Whether the link carries extended-length APDUs (1) or not (0).
    pub extended_length: u8,
}

/// The callbacks with their user data. They are only called on the thread that called
/// `elig_check_run`, during the call.
struct Callbacks {
    transceive:
        unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, usize, *mut usize, u32) -> i32,
    pin: unsafe extern "C" fn(*mut c_void, i32, u8, *mut c_char) -> i32,
    user_data: *mut c_void,
    capabilities: CardLinkCapabilities,
    check: OnceLock<Weak<Check>>,
}

// SAFETY: `Check::run` calls the card link and the observer only on the thread that runs
// it, which is the thread that called `elig_check_run` (documented on the callbacks); the
// raw user-data pointer never crosses threads.
unsafe impl Send for Callbacks {}
// SAFETY: as above; no method is called concurrently.
unsafe impl Sync for Callbacks {}

/// Largest response APDU (65 536 data bytes + SW1 SW2).
const MAX_RESPONSE: usize = 65_538;

impl CardLink for Callbacks {
    fn transceive(&self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, CardLinkError> {
        let mut response = vec![0u8; MAX_RESPONSE];
        let mut len = 0usize;
        // SAFETY: the pointers are to live buffers of the stated sizes; the callback and
        // user data are the caller's, used as its contract says.
        let rc = unsafe {
            (self.transceive)(
                self.user_data,
                apdu.as_ptr(),
                apdu.len(),
                response.as_mut_ptr(),
                response.len(),
                &mut len,
                timeout_ms,
            )
        };
        match rc {
            0 if len <= response.len() => {
                response.truncate(len);
                Ok(response)
            }
            0 => Err(CardLinkError::Io {
                message: "the transceive callback reported more bytes than the buffer holds".into(),
            }),
            1 => Err(CardLinkError::TagLost),
            2 => Err(CardLinkError::Timeout),
            _ => Err(CardLinkError::Io {
                message: format!("the transceive callback returned {rc}"),
            }),
        }
    }

    fn capabilities(&self) -> CardLinkCapabilities {
        self.capabilities
    }
}

impl CheckObserver for Callbacks {
    fn on_event(&self, event: CheckEvent) {
        let CheckEvent::PinNeeded {
            tries_left,
            last_try,
        } = event
        else {
            return;
        };
        let Some(check) = self.check.get().and_then(Weak::upgrade) else {
            return;
        };
        let mut pin = [0 as c_char; 5];
        // SAFETY: `pin` is 5 writable bytes, as the callback's contract says.
        let rc = unsafe {
            (self.pin)(
                self.user_data,
                tries_left.map_or(-1, i32::from),
                u8::from(last_try),
                pin.as_mut_ptr(),
            )
        };
        let digits: String = pin
            .iter()
            .take(4)
            .map(|&c| char::from(c.to_ne_bytes()[0]))
            .collect();
        pin.zeroize();
        let digits = zeroize::Zeroizing::new(digits);
        match rc {
            0 | 1 => {
                if rc == 1 {
                    check.consent_to_last_try();
                }
                if check.submit_pin(digits.to_string()).is_err() {
                    check.cancel();
                }
            }
            _ => check.cancel(),
        }
    }
}

/// Runs a whole PIN-mode check (as [`crate::Check::run`]) and returns its recorded result's
/// handle in `*out_result` (free it with `elig_result_free`). **Blocks** the calling thread
/// until the check ends; both callbacks are called on this thread only.
///
/// A check that ran to its end is [`EligStatus::Ok`] even when not eligible: ask the result.
///
/// # Safety
/// `params` points to a valid [`EligCheckParams`] whose strings are NUL-terminated and whose
/// callbacks follow their contracts for the duration of the call; `out_result` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_check_run(
    params: *const EligCheckParams,
    out_result: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        if params.is_null() {
            return super::fail(EligStatus::NullPointer, "caller: params is NULL");
        }
        // SAFETY: non-NULL and valid by the caller's contract.
        let p = unsafe { &*params };
        // SAFETY: caller contract (NUL-terminated strings).
        let strings = unsafe {
            (
                text(p.facility, "facility"),
                text(p.checkup_date, "checkup_date"),
                text(p.request_id, "request_id"),
                text(p.audit_path, "audit_path"),
            )
        };
        let (facility, date, id, audit) = match strings {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (Err(s), ..) | (_, Err(s), ..) | (_, _, Err(s), _) | (.., Err(s)) => return s,
        };
        let (Some(transceive), Some(pin)) = (p.transceive, p.pin) else {
            return super::fail(EligStatus::NullPointer, "caller: a callback is NULL");
        };
        let purpose = match p.purpose {
            0 => CheckPurpose::SpecificHealthCheckup,
            1 => CheckPurpose::SpecificHealthGuidance,
            _ => {
                return super::fail(
                    EligStatus::InvalidArgument,
                    "caller: purpose must be 0 or 1",
                );
            }
        };
        let voucher = match handles::voucher(p.voucher) {
            Ok(v) => v,
            Err(s) => return s,
        };
        let gateway = match handles::gateway(p.gateway) {
            Ok(g) => g,
            Err(s) => return s,
        };
        let callbacks = Arc::new(Callbacks {
            transceive,
            pin,
            user_data: p.user_data,
            capabilities: CardLinkCapabilities {
                max_transceive_len: p.max_transceive_len,
                extended_length: p.extended_length != 0,
            },
            check: OnceLock::new(),
        });
        let request = CheckRequest {
            voucher,
            purpose,
            facility: facility.to_owned(),
            checkup_date: date.to_owned(),
            request_id: id.to_owned(),
            mode: CheckMode::Pin,
            audit_path: audit.to_owned(),
        };
        let check = Check::new(request, callbacks.clone(), gateway, callbacks.clone());
        let _ = callbacks.check.set(Arc::downgrade(&check));
        match check.run() {
            Ok(result) => {
                let handle = handles::insert(Object::Result(Arc::new(result)));
                // SAFETY: caller contract.
                unsafe { put(out_result, handle, "out_result") }
            }
            Err(e) => from_error(&e),
        }
    })
}
