//! The SQLite schema, created on open, versioned by `PRAGMA user_version`.

/// The schema this build writes and reads.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// Schema version 1. `checks` is append-only: triggers refuse `UPDATE` and `DELETE`, which
/// stops accidents; the hash chain is what detects deliberate edits (anyone with the file can
/// drop a trigger). `settings` holds the HMAC key and the chain head (the last row's `seq`
/// and digest, updated in the same transaction as each append, so cutting rows off the end
/// is detected too).
pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value ANY NOT NULL
) STRICT;
CREATE TABLE checks (
    seq                     INTEGER PRIMARY KEY NOT NULL,
    unix_secs               INTEGER NOT NULL,
    jst_date                TEXT NOT NULL,
    facility_kind           TEXT NOT NULL,
    facility                TEXT NOT NULL,
    purpose                 TEXT NOT NULL,
    evidence                TEXT NOT NULL,
    voucher_number          TEXT NOT NULL,
    insurer_number          TEXT NOT NULL,
    outcome                 TEXT NOT NULL,
    error_kind              TEXT,
    qualification_validity  TEXT,
    processing_result_code  TEXT,
    error_code              TEXT,
    serial_hmac             BLOB,
    prev_digest             BLOB NOT NULL,
    digest                  BLOB NOT NULL
) STRICT;
CREATE INDEX checks_by_day ON checks (jst_date, seq);
CREATE TRIGGER checks_no_update BEFORE UPDATE ON checks
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER checks_no_delete BEFORE DELETE ON checks
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
";

/// The columns of `checks` in the order [`super::chain::Row`] is read.
pub(crate) const COLUMNS: &str = "seq, unix_secs, jst_date, facility_kind, facility, purpose, \
     evidence, voucher_number, insurer_number, outcome, error_kind, qualification_validity, \
     processing_result_code, error_code, serial_hmac, prev_digest, digest";

/// `settings` names.
pub(crate) const KEY_SETTING: &str = "serial_hmac_key";
pub(crate) const HEAD_SEQ_SETTING: &str = "head_seq";
pub(crate) const HEAD_DIGEST_SETTING: &str = "head_digest";
