//! The handle registry: handles are numbers, never pointers, and never reused, so a double
//! free or a stale handle is found, not followed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{EligStatus, fail};
use crate::testing::{TestSandbox, VirtualCard};
use crate::{CheckResult, Gateway, Voucher};

/// An opaque handle; `0` is never a valid one.
pub type EligHandle = u64;

/// What a handle holds.
pub(super) enum Object {
    Voucher(Arc<Voucher>),
    Gateway(Arc<Gateway>),
    Result(Arc<CheckResult>),
    Sandbox(Arc<TestSandbox>),
    Card(Arc<VirtualCard>),
}

/// The type a free function expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Voucher,
    Gateway,
    Result,
    Sandbox,
    Card,
}

impl Object {
    fn kind(&self) -> Kind {
        match self {
            Object::Voucher(_) => Kind::Voucher,
            Object::Gateway(_) => Kind::Gateway,
            Object::Result(_) => Kind::Result,
            Object::Sandbox(_) => Kind::Sandbox,
            Object::Card(_) => Kind::Card,
        }
    }
}

#[derive(Default)]
struct Registry {
    last: u64,
    objects: HashMap<u64, Object>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn registry() -> MutexGuard<'static, Option<Registry>> {
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Stores `object`; returns its new handle.
pub(super) fn insert(object: Object) -> EligHandle {
    let mut guard = registry();
    let r = guard.get_or_insert_with(Registry::default);
    r.last = r.last.saturating_add(1);
    let handle = r.last;
    r.objects.insert(handle, object);
    handle
}

/// Removes `handle` if it holds a `kind`. The object is dropped outside the lock (a sandbox
/// stops its threads when dropped).
pub(super) fn free(handle: EligHandle, kind: Kind) -> EligStatus {
    let removed = {
        let mut guard = registry();
        let Some(r) = guard.as_mut() else {
            return invalid(kind);
        };
        match r.objects.get(&handle) {
            Some(o) if o.kind() == kind => r.objects.remove(&handle),
            _ => None,
        }
    };
    match removed {
        Some(object) => {
            drop(object);
            EligStatus::Ok
        }
        None => invalid(kind),
    }
}

fn invalid(kind: Kind) -> EligStatus {
    fail(
        EligStatus::InvalidHandle,
        &format!("caller: not a live {kind:?} handle (never made, already freed, or another type)"),
    )
}

macro_rules! getter {
    ($name:ident, $variant:ident, $ty:ty) => {
        /// The object behind a live handle of this type.
        pub(super) fn $name(handle: EligHandle) -> Result<Arc<$ty>, EligStatus> {
            let guard = registry();
            match guard.as_ref().and_then(|r| r.objects.get(&handle)) {
                Some(Object::$variant(o)) => Ok(o.clone()),
                _ => Err(invalid(Kind::$variant)),
            }
        }
    };
}

getter!(voucher, Voucher, Voucher);
getter!(gateway, Gateway, Gateway);
getter!(result, Result, CheckResult);
getter!(sandbox, Sandbox, TestSandbox);
getter!(card, Card, VirtualCard);
