//! The central schema, versioned in `elig_audit_schema` and created by [`migrate`].
//!
//! Every migration step runs in one transaction under a transaction-level advisory lock, so
//! many desks connecting at once to a fresh database create it exactly once.

use deadpool_postgres::Client;

use super::fault::from_pg;
use crate::audit::AuditError;

/// The schema this build writes and reads.
pub(crate) const SCHEMA_VERSION: i32 = 1;

/// The advisory lock key that serialises migrations (an arbitrary constant of ours:
/// "elig" in ASCII).
const MIGRATION_LOCK: i64 = 0x656c_6967;

/// Schema version 1.
///
/// - `elig_audit_devices`: one row per desk or bus (its chain head, its site, and — only for a
///   device that appends directly — its HMAC key; a device fed by push keeps its key local).
/// - `elig_audit_checks`: the same columns as the SQLite store's `checks`, plus `device`;
///   `(device, seq)` is the primary key, so a row can never arrive twice.
/// - The **arrival check** `elig_audit_chain_in` (a `BEFORE INSERT` trigger) is the central
///   verification: a row is accepted only if it is the next of its device's chain (`seq` =
///   head + 1, `prev_digest` = head digest) and its `digest` is the SHA-256 of its canonical
///   encoding ([`chain`](crate::audit::chain), computed again here in SQL); then it moves
///   the head. Whatever client inserts, a row that does not chain is refused (SQLSTATE
///   `EA002`–`EA004`). Updates and deletes are refused (`EA005`).
const SCHEMA_V1: &str = r#"
CREATE TABLE elig_audit_devices (
    device           text PRIMARY KEY,
    site             text NOT NULL,
    head_seq         bigint NOT NULL DEFAULT 0,
    head_digest      bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    serial_hmac_key  bytea
);
CREATE TABLE elig_audit_checks (
    device                  text NOT NULL REFERENCES elig_audit_devices (device),
    seq                     bigint NOT NULL,
    unix_secs               bigint NOT NULL,
    jst_date                text NOT NULL,
    facility_kind           text NOT NULL,
    facility                text NOT NULL,
    purpose                 text NOT NULL,
    evidence                text NOT NULL,
    voucher_number          text NOT NULL,
    insurer_number          text NOT NULL,
    outcome                 text NOT NULL,
    error_kind              text,
    qualification_validity  text,
    processing_result_code  text,
    error_code              text,
    serial_hmac             bytea,
    prev_digest             bytea NOT NULL,
    digest                  bytea NOT NULL,
    PRIMARY KEY (device, seq)
);
CREATE INDEX elig_audit_checks_by_day ON elig_audit_checks (jst_date, device, seq);

CREATE FUNCTION elig_audit_field(value bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN '\x00'::bytea
                ELSE '\x01'::bytea || int4send(octet_length(value)) || value END
$$;

CREATE FUNCTION elig_audit_digest(r elig_audit_checks) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(
        convert_to('elig-audit-v1', 'UTF8') || '\x00'::bytea || r.prev_digest
        || int8send(r.seq) || int8send(r.unix_secs)
        || elig_audit_field(convert_to(r.jst_date, 'UTF8'))
        || elig_audit_field(convert_to(r.facility_kind, 'UTF8'))
        || elig_audit_field(convert_to(r.facility, 'UTF8'))
        || elig_audit_field(convert_to(r.purpose, 'UTF8'))
        || elig_audit_field(convert_to(r.evidence, 'UTF8'))
        || elig_audit_field(convert_to(r.voucher_number, 'UTF8'))
        || elig_audit_field(convert_to(r.insurer_number, 'UTF8'))
        || elig_audit_field(convert_to(r.outcome, 'UTF8'))
        || elig_audit_field(convert_to(r.error_kind, 'UTF8'))
        || elig_audit_field(convert_to(r.qualification_validity, 'UTF8'))
        || elig_audit_field(convert_to(r.processing_result_code, 'UTF8'))
        || elig_audit_field(convert_to(r.error_code, 'UTF8'))
        || elig_audit_field(r.serial_hmac))
$$;

CREATE FUNCTION elig_audit_chain_in() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    h_seq bigint;
    h_digest bytea;
BEGIN
    SELECT d.head_seq, d.head_digest INTO h_seq, h_digest
        FROM elig_audit_devices d WHERE d.device = NEW.device FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit row for an unregistered device' USING ERRCODE = 'EA001';
    END IF;
    IF NEW.seq <> h_seq + 1 THEN
        RAISE EXCEPTION 'audit row % does not follow the head %', NEW.seq, h_seq
            USING ERRCODE = 'EA002';
    END IF;
    IF NEW.prev_digest <> h_digest THEN
        RAISE EXCEPTION 'audit row % does not commit to the head digest', NEW.seq
            USING ERRCODE = 'EA003';
    END IF;
    IF NEW.digest IS DISTINCT FROM elig_audit_digest(NEW) THEN
        RAISE EXCEPTION 'audit row % does not match its digest', NEW.seq
            USING ERRCODE = 'EA004';
    END IF;
    UPDATE elig_audit_devices SET head_seq = NEW.seq, head_digest = NEW.digest
        WHERE device = NEW.device;
    RETURN NEW;
END
$$;
CREATE TRIGGER elig_audit_chain_in BEFORE INSERT ON elig_audit_checks
    FOR EACH ROW EXECUTE FUNCTION elig_audit_chain_in();

CREATE FUNCTION elig_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only' USING ERRCODE = 'EA005';
END
$$;
CREATE TRIGGER elig_audit_no_change BEFORE UPDATE OR DELETE ON elig_audit_checks
    FOR EACH ROW EXECUTE FUNCTION elig_audit_append_only();
"#;

/// The steps, in order: `MIGRATIONS[n]` brings version `n` to `n + 1`.
const MIGRATIONS: [&str; 1] = [SCHEMA_V1];

/// Brings the database to [`SCHEMA_VERSION`]; refuses a newer one.
pub(crate) async fn migrate(client: &mut Client) -> Result<(), AuditError> {
    let tx = client.transaction().await.map_err(from_pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(from_pg)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS elig_audit_schema (version integer NOT NULL)")
        .await
        .map_err(from_pg)?;
    let found: Option<i32> = tx
        .query_one("SELECT max(version) FROM elig_audit_schema", &[])
        .await
        .map_err(from_pg)?
        .try_get(0)
        .map_err(from_pg)?;
    let found = found.unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(AuditError::SchemaTooNew {
            found: i64::from(found),
            supported: i64::from(SCHEMA_VERSION),
        });
    }
    for (version, step) in (1_i32..).zip(MIGRATIONS) {
        if version <= found {
            continue;
        }
        tx.batch_execute(step).await.map_err(from_pg)?;
        tx.execute(
            "INSERT INTO elig_audit_schema (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(from_pg)?;
    }
    tx.commit().await.map_err(from_pg)
}
