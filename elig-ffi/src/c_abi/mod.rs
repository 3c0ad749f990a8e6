//! The C ABI for C/C++ and .NET (P/Invoke): opaque handles, explicit free functions, status
//! codes plus [`elig_last_error_message`], UTF-8 strings, the card link as a function
//! pointer with a user-data pointer. The header `include/elig.h` is generated from this
//! module by cbindgen (the tests regenerate it and fail when it is stale).
//!
//! Misuse is caught where it can be: a NULL pointer is [`EligStatus::NullPointer`],
//! non-UTF-8 text is [`EligStatus::InvalidUtf8`], and handles are numbers in a registry, not
//! pointers, so a double free, a freed or a forged handle, or a handle of the wrong type is
//! [`EligStatus::InvalidHandle`] — never a crash. A panic inside the library is caught at the
//! boundary ([`EligStatus::Internal`]). What cannot be caught: a non-NULL pointer that does
//! not point where its length says.
// The C ABI is the one place that must read caller memory through raw pointers; every unsafe
// block states its SAFETY reason (Cargo.toml's [lints] lowers `unsafe_code` to `deny` for
// this crate only).
#![allow(unsafe_code)]

mod check;
mod handles;
mod testing;

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub use check::{EligCheckParams, EligPinFn, EligTransceiveFn, elig_check_run};
pub use handles::EligHandle;
pub use testing::{
    elig_testing_card_free, elig_testing_card_new, elig_testing_card_transceive,
    elig_testing_sandbox_facility, elig_testing_sandbox_free, elig_testing_sandbox_gateway,
    elig_testing_sandbox_start, elig_testing_sandbox_voucher,
};

use crate::EligError;
use handles::Object;

/// What a C ABI call returned. `0` is success.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligStatus {
    /// Success.
    Ok = 0,
    /// Caller misuse: a required pointer was NULL.
    NullPointer = 1,
    /// Caller misuse: a string was not UTF-8.
    InvalidUtf8 = 2,
    /// Caller misuse: unknown, already freed, or wrong-type handle.
    InvalidHandle = 3,
    /// Caller misuse: an argument is invalid (identifier, voucher, date, PIN, …); see the
    /// message.
    InvalidArgument = 4,
    /// The output buffer is too small; `*needed` holds the size required.
    BufferTooSmall = 5,
    /// The gateway configuration failed.
    Gateway = 6,
    /// The audit store failed: the check was not recorded.
    Audit = 7,
    /// A test helper (sandbox, virtual card) failed.
    Testing = 8,
    /// A bug in the library (a caught panic); please report it.
    Internal = 9,
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
}

/// The message of the last failed call on this thread (UTF-8, NUL-terminated, no personal
/// data); `""` after a success. Valid until the next `elig_` call on this thread; never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn elig_last_error_message() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}

/// Status for an error, with its message stored for [`elig_last_error_message`].
fn fail(status: EligStatus, message: &str) -> EligStatus {
    set_error(message);
    status
}

fn from_error(error: &EligError) -> EligStatus {
    let status = match error {
        EligError::Caller(_) => EligStatus::InvalidArgument,
        EligError::Gateway(_) => EligStatus::Gateway,
        EligError::Audit(_) => EligStatus::Audit,
        EligError::Testing(_) => EligStatus::Testing,
    };
    fail(status, &error.to_string())
}

/// Runs `f` at the boundary: clears the last error, turns a panic into
/// [`EligStatus::Internal`].
fn guard(f: impl FnOnce() -> EligStatus) -> EligStatus {
    set_error("");
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(status) => status,
        Err(_) => fail(
            EligStatus::Internal,
            "internal error in elig (a bug; please report it)",
        ),
    }
}

/// Reads a NUL-terminated UTF-8 string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid during the call.
unsafe fn text<'a>(p: *const c_char, what: &str) -> Result<&'a str, EligStatus> {
    if p.is_null() {
        return Err(fail(
            EligStatus::NullPointer,
            &format!("caller: {what} is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|_| {
        fail(
            EligStatus::InvalidUtf8,
            &format!("caller: {what} is not UTF-8"),
        )
    })
}

/// Reads `len` bytes at `p` (`p` may be NULL only when `len` is 0).
///
/// # Safety
/// `p` points to `len` readable bytes, or is NULL with `len == 0`.
unsafe fn bytes<'a>(p: *const u8, len: usize, what: &str) -> Result<&'a [u8], EligStatus> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(fail(
            EligStatus::NullPointer,
            &format!("caller: {what} is NULL"),
        ));
    }
    // SAFETY: the caller guarantees `len` readable bytes at non-NULL `p`.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Writes `value` to `out`.
///
/// # Safety
/// `out` is NULL or points to a writable `T`.
unsafe fn put<T>(out: *mut T, value: T, what: &str) -> EligStatus {
    if out.is_null() {
        return fail(EligStatus::NullPointer, &format!("caller: {what} is NULL"));
    }
    // SAFETY: non-NULL and writable by the caller's contract.
    unsafe { out.write(value) };
    EligStatus::Ok
}

/// Copies `data` into the caller's buffer `buf` of `cap` bytes and stores the size needed in
/// `*needed`; [`EligStatus::BufferTooSmall`] (nothing copied) when it does not fit.
///
/// # Safety
/// `buf` points to `cap` writable bytes (or is NULL with `cap == 0`); `needed` is writable.
unsafe fn copy_out(data: &[u8], buf: *mut u8, cap: usize, needed: *mut usize) -> EligStatus {
    // SAFETY: forwarded caller contract.
    let status = unsafe { put(needed, data.len(), "needed") };
    if status != EligStatus::Ok {
        return status;
    }
    if data.len() > cap {
        return fail(
            EligStatus::BufferTooSmall,
            &format!(
                "caller: the buffer holds {cap} bytes, {} are needed",
                data.len()
            ),
        );
    }
    if data.is_empty() {
        return EligStatus::Ok;
    }
    if buf.is_null() {
        return fail(EligStatus::NullPointer, "caller: buf is NULL");
    }
    // SAFETY: `buf` has `cap >= data.len()` writable bytes; the regions cannot overlap (ours
    // is library memory).
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, data.len()) };
    EligStatus::Ok
}

/// Copies `s` with its terminating NUL (`*needed` counts the NUL).
///
/// # Safety
/// As [`copy_out`].
unsafe fn copy_text(s: &str, buf: *mut c_char, cap: usize, needed: *mut usize) -> EligStatus {
    let c = CString::new(s.replace('\0', " ")).unwrap_or_default();
    // SAFETY: forwarded caller contract.
    unsafe { copy_out(c.as_bytes_with_nul(), buf.cast::<u8>(), cap, needed) }
}

/// Validates a voucher's JSON (voucher verification, as [`crate::Voucher::from_json`]) and
/// returns its handle in `*out`. Free it with [`elig_voucher_free`]. Does not block.
///
/// # Safety
/// `json` is a NUL-terminated string; `out` points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_voucher_from_json(
    json: *const c_char,
    out: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let json = match unsafe { text(json, "json") } {
            Ok(t) => t,
            Err(status) => return status,
        };
        match crate::Voucher::from_json(json.to_owned()) {
            // SAFETY: caller contract.
            Ok(v) => unsafe {
                put(
                    out,
                    handles::insert(Object::Voucher(std::sync::Arc::new(v))),
                    "out",
                )
            },
            Err(e) => from_error(&e),
        }
    })
}

/// Frees a voucher handle. A second free of the same handle is [`EligStatus::InvalidHandle`].
#[unsafe(no_mangle)]
pub extern "C" fn elig_voucher_free(voucher: EligHandle) -> EligStatus {
    guard(|| handles::free(voucher, handles::Kind::Voucher))
}

/// A gateway connection (as [`crate::Gateway::new`]): `url` (`https://host:port`), the
/// gateway CA certificate, the device certificate and its PKCS#8 key, all DER. Free it with
/// [`elig_gateway_free`]. Does not connect yet.
///
/// # Safety
/// `url` is a NUL-terminated string; each DER pointer points to its length in bytes; `out`
/// points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_gateway_new(
    url: *const c_char,
    gateway_ca_der: *const u8,
    gateway_ca_len: usize,
    device_cert_der: *const u8,
    device_cert_len: usize,
    device_key_der: *const u8,
    device_key_len: usize,
    out: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        // SAFETY (all four reads): caller contract.
        let parts = unsafe {
            (
                text(url, "url"),
                bytes(gateway_ca_der, gateway_ca_len, "gateway_ca_der"),
                bytes(device_cert_der, device_cert_len, "device_cert_der"),
                bytes(device_key_der, device_key_len, "device_key_der"),
            )
        };
        let (url, ca, cert, key) = match parts {
            (Ok(u), Ok(a), Ok(c), Ok(k)) => (u, a, c, k),
            (Err(s), ..) | (_, Err(s), ..) | (_, _, Err(s), _) | (.., Err(s)) => return s,
        };
        match crate::Gateway::new(url.to_owned(), ca.to_vec(), cert.to_vec(), key.to_vec()) {
            // SAFETY: caller contract.
            Ok(g) => unsafe {
                put(
                    out,
                    handles::insert(Object::Gateway(std::sync::Arc::new(g))),
                    "out",
                )
            },
            Err(e) => from_error(&e),
        }
    })
}

/// Frees a gateway handle.
#[unsafe(no_mangle)]
pub extern "C" fn elig_gateway_free(gateway: EligHandle) -> EligStatus {
    guard(|| handles::free(gateway, handles::Kind::Gateway))
}

/// Whether the check's result is eligible (`*out` = 1) or not (0).
///
/// # Safety
/// `out` points to a writable `uint8_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_result_is_eligible(result: EligHandle, out: *mut u8) -> EligStatus {
    guard(|| match handles::result(result) {
        // SAFETY: caller contract.
        Ok(r) => unsafe { put(out, u8::from(r.eligible), "out") },
        Err(s) => s,
    })
}

/// Why a check ended without a verdict ([`crate::FailureKind`] for C).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EligFailure {
    /// The check reached a verdict (see `elig_result_is_eligible`).
    None = -1,
    /// The card was removed or the tag lost.
    CardRemoved = 0,
    /// The card link timed out.
    CardTimeout = 1,
    /// The reader failed.
    Reader = 2,
    /// The card refused a command.
    Card = 3,
    /// Wrong PIN (never re-sent).
    WrongPin = 4,
    /// The PIN is blocked.
    PinBlocked = 5,
    /// One try left and no consent to spend it.
    LastTryNotConsented = 6,
    /// Cancelled.
    Cancelled = 7,
    /// Nobody gave the PIN in time.
    OperatorTimeout = 8,
    /// The gateway refused.
    GatewayRejected = 9,
    /// The gateway could not be reached.
    GatewayTransport = 10,
    /// The gateway did not answer in time.
    GatewayTimeout = 11,
    /// Not the gateway's answer.
    GatewayAnswer = 12,
    /// Caller misuse.
    Misuse = 13,
    /// Another failure.
    Other = 14,
}

impl From<crate::FailureKind> for EligFailure {
    fn from(kind: crate::FailureKind) -> Self {
        use crate::FailureKind as K;
        match kind {
            K::CardRemoved => EligFailure::CardRemoved,
            K::CardTimeout => EligFailure::CardTimeout,
            K::Reader => EligFailure::Reader,
            K::Card => EligFailure::Card,
            K::WrongPin => EligFailure::WrongPin,
            K::PinBlocked => EligFailure::PinBlocked,
            K::LastTryNotConsented => EligFailure::LastTryNotConsented,
            K::Cancelled => EligFailure::Cancelled,
            K::OperatorTimeout => EligFailure::OperatorTimeout,
            K::GatewayRejected => EligFailure::GatewayRejected,
            K::GatewayTransport => EligFailure::GatewayTransport,
            K::GatewayTimeout => EligFailure::GatewayTimeout,
            K::GatewayAnswer => EligFailure::GatewayAnswer,
            K::Misuse => EligFailure::Misuse,
            K::Other => EligFailure::Other,
        }
    }
}

/// The result's failure ([`EligFailure::None`] when the check reached a verdict).
///
/// # Safety
/// `out` points to a writable [`EligFailure`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_result_failure(
    result: EligHandle,
    out: *mut EligFailure,
) -> EligStatus {
    guard(|| match handles::result(result) {
        Ok(r) => {
            let failure = r
                .failure
                .as_ref()
                .map_or(EligFailure::None, |f| f.kind.into());
            // SAFETY: caller contract.
            unsafe { put(out, failure, "out") }
        }
        Err(s) => s,
    })
}

/// The result's explanation for staff (`japanese` != 0: Japanese, else English) as UTF-8
/// with a NUL into `buf`; `*needed` receives the size with the NUL. Call with `cap` 0 to
/// learn the size.
///
/// # Safety
/// `buf` points to `cap` writable bytes (NULL when `cap` is 0); `needed` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_result_explanation(
    result: EligHandle,
    japanese: u8,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> EligStatus {
    guard(|| match handles::result(result) {
        Ok(r) => {
            let s = if japanese != 0 {
                &r.explanation_ja
            } else {
                &r.explanation_en
            };
            // SAFETY: caller contract.
            unsafe { copy_text(s, buf, cap, needed) }
        }
        Err(s) => s,
    })
}

/// Frees a result handle.
#[unsafe(no_mangle)]
pub extern "C" fn elig_result_free(result: EligHandle) -> EligStatus {
    guard(|| handles::free(result, handles::Kind::Result))
}

/// Today's date in Japan, `YYYY-MM-DD` with a NUL (11 bytes).
///
/// # Safety
/// As [`elig_result_explanation`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_today_in_japan(
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> EligStatus {
    guard(|| match crate::today_in_japan() {
        // SAFETY: caller contract.
        Ok(d) => unsafe { copy_text(&d, buf, cap, needed) },
        Err(e) => from_error(&e),
    })
}
