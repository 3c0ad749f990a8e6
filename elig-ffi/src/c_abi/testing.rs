//! The test helpers through the C ABI: the in-process sandbox and the virtual card (see
//! [`crate::testing`]). For tests only.

use std::ffi::c_char;
use std::sync::Arc;

use super::handles::{self, Kind, Object};
use super::{EligHandle, EligStatus, bytes, copy_out, copy_text, from_error, guard, put, text};
use crate::testing::{TestSandbox, VirtualCard};

/// Starts the in-process sandbox; its handle goes to `*out`. **Blocks** until it listens
/// (about a second). Free it (which stops it) with [`elig_testing_sandbox_free`].
///
/// # Safety
/// `out` points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_sandbox_start(out: *mut EligHandle) -> EligStatus {
    guard(|| match TestSandbox::start() {
        // SAFETY: caller contract.
        Ok(s) => unsafe { put(out, handles::insert(Object::Sandbox(Arc::new(s))), "out") },
        Err(e) => from_error(&e),
    })
}

/// A gateway handle to the sandbox as registered device `label` (e.g. `"clinic"`).
///
/// # Safety
/// `label` is NUL-terminated; `out` points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_sandbox_gateway(
    sandbox: EligHandle,
    label: *const c_char,
    out: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let label = match unsafe { text(label, "label") } {
            Ok(l) => l,
            Err(s) => return s,
        };
        let sandbox = match handles::sandbox(sandbox) {
            Ok(s) => s,
            Err(s) => return s,
        };
        match sandbox.gateway(label.to_owned()) {
            // SAFETY: caller contract.
            Ok(g) => unsafe { put(out, handles::insert(Object::Gateway(g)), "out") },
            Err(e) => from_error(&e),
        }
    })
}

/// The facility of device `label`, UTF-8 with a NUL, into `buf` (see
/// `elig_result_explanation` for the buffer protocol).
///
/// # Safety
/// `label` is NUL-terminated; `buf` has `cap` writable bytes; `needed` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_sandbox_facility(
    sandbox: EligHandle,
    label: *const c_char,
    buf: *mut c_char,
    cap: usize,
    needed: *mut usize,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let label = match unsafe { text(label, "label") } {
            Ok(l) => l,
            Err(s) => return s,
        };
        let result = handles::sandbox(sandbox).map(|s| s.device_facility(label.to_owned()));
        match result {
            // SAFETY: caller contract.
            Ok(Ok(f)) => unsafe { copy_text(&f, buf, cap, needed) },
            Ok(Err(e)) => from_error(&e),
            Err(s) => s,
        }
    })
}

/// The first voucher registry person `person` (e.g. `"P01"`) holds on `date`
/// (`YYYY-MM-DD`), as a voucher handle.
///
/// # Safety
/// `person` and `date` are NUL-terminated; `out` points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_sandbox_voucher(
    sandbox: EligHandle,
    person: *const c_char,
    date: *const c_char,
    out: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let (person, date) = match unsafe { (text(person, "person"), text(date, "date")) } {
            (Ok(p), Ok(d)) => (p, d),
            (Err(s), _) | (_, Err(s)) => return s,
        };
        let sandbox = match handles::sandbox(sandbox) {
            Ok(s) => s,
            Err(s) => return s,
        };
        match sandbox.vouchers(person.to_owned(), date.to_owned()) {
            Ok(v) => match v.into_iter().next() {
                // SAFETY: caller contract.
                Some(v) => unsafe { put(out, handles::insert(Object::Voucher(v)), "out") },
                None => super::fail(
                    EligStatus::InvalidArgument,
                    "caller: that person holds no voucher",
                ),
            },
            Err(e) => from_error(&e),
        }
    })
}

/// Stops and frees the sandbox. **Blocks** until it stopped.
#[unsafe(no_mangle)]
pub extern "C" fn elig_testing_sandbox_free(sandbox: EligHandle) -> EligStatus {
    guard(|| handles::free(sandbox, Kind::Sandbox))
}

/// A virtual My Number Card for registry serial `serial` (1001: person P01) with 4-digit
/// `pin`. **Blocks** about a second (its RSA key).
///
/// # Safety
/// `pin` is NUL-terminated; `out` points to a writable handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_card_new(
    serial: u64,
    pin: *const c_char,
    out: *mut EligHandle,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let pin = match unsafe { text(pin, "pin") } {
            Ok(p) => p,
            Err(s) => return s,
        };
        match VirtualCard::new(serial, pin.to_owned()) {
            // SAFETY: caller contract.
            Ok(c) => unsafe { put(out, handles::insert(Object::Card(Arc::new(c))), "out") },
            Err(e) => from_error(&e),
        }
    })
}

/// One exchange with the virtual card: the response APDU goes into `response` (`cap` bytes)
/// and its length into `*response_len` (the buffer protocol of `elig_result_explanation`,
/// without a NUL).
///
/// # Safety
/// `apdu` points to `apdu_len` bytes; `response` to `cap` writable bytes; `response_len` is
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn elig_testing_card_transceive(
    card: EligHandle,
    apdu: *const u8,
    apdu_len: usize,
    response: *mut u8,
    cap: usize,
    response_len: *mut usize,
) -> EligStatus {
    guard(|| {
        // SAFETY: caller contract.
        let apdu = match unsafe { bytes(apdu, apdu_len, "apdu") } {
            Ok(a) => a,
            Err(s) => return s,
        };
        match handles::card(card) {
            // SAFETY: caller contract.
            Ok(c) => unsafe { copy_out(&c.transceive(apdu.to_vec()), response, cap, response_len) },
            Err(s) => s,
        }
    })
}

/// Frees a virtual card.
#[unsafe(no_mangle)]
pub extern "C" fn elig_testing_card_free(card: EligHandle) -> EligStatus {
    guard(|| handles::free(card, Kind::Card))
}
