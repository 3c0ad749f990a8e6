//! PostgreSQL and pool errors → [`AuditError`], saying whose fault each is.
//!
//! Only the server's *message* and SQLSTATE are kept: PostgreSQL's `DETAIL` field can quote a
//! failing row ("Failing row contains …"), which would put voucher numbers into an error.

use std::error::Error as _;

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::audit::{AuditError, BreakKind, ChainBreak};

/// A tokio-postgres error.
pub(crate) fn from_pg(e: tokio_postgres::Error) -> AuditError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code().to_owned();
        let detail = db.message().to_owned();
        if code.starts_with("28") {
            return AuditError::Authentication { detail };
        }
        // The server going down under us (admin shutdown, crash shutdown, cannot connect
        // now) is the server being unreachable, not a refusal.
        let down = [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ];
        if down.contains(db.code()) {
            return AuditError::Unreachable {
                detail: format!("{detail} (SQLSTATE {code})"),
            };
        }
        return AuditError::Server { code, detail };
    }
    // Not an answer of the server: I/O, connect, TLS, timeout, or a closed connection.
    let mut detail = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    AuditError::Unreachable { detail }
}

/// A pool error (waiting for or creating a connection).
pub(crate) fn from_pool(e: PoolError) -> AuditError {
    match e {
        PoolError::Backend(e) => from_pg(e),
        PoolError::Timeout(kind) => AuditError::Unreachable {
            detail: format!("no connection within the pool's timeout ({kind:?})"),
        },
        other => AuditError::Unreachable {
            detail: other.to_string(),
        },
    }
}

/// The arrival check's refusal (schema.rs, SQLSTATE `EA002`–`EA004`) of row `seq`, if `e`
/// is one.
pub(crate) fn arrival_refusal(e: &AuditError, seq: u64) -> Option<ChainBreak> {
    let AuditError::Server { code, .. } = e else {
        return None;
    };
    let kind = match code.as_str() {
        // The head moved under us (it cannot while we hold the device's row lock): the
        // chains differ.
        "EA002" => BreakKind::Diverged,
        "EA003" => BreakKind::PreviousMismatch,
        "EA004" => BreakKind::DigestMismatch,
        _ => return None,
    };
    Some(ChainBreak { seq, kind })
}
