//! Recording straight into the central store: [`PgAuditSink`].

use super::fault::{arrival_refusal, from_pg};
use super::{PgAuditStore, check_device, check_site, insert_row, lock_head, register};
use crate::audit::key::SerialKey;
use crate::audit::row::row_for;
use crate::audit::{AuditError, AuditSink, CheckRecord, Receipt};

/// An [`AuditSink`] that appends to device `device`'s chain in the central store: one
/// transaction per record (the device's row lock, the arrival check, `COMMIT`), and a
/// [`Receipt`] only after the commit returned. Made by [`PgAuditStore::device_sink`].
///
/// The device's HMAC key for certificate serials is created with the device and kept in the
/// central store (as the SQLite store keeps its own); it never leaves the database.
pub struct PgAuditSink {
    store: PgAuditStore,
    device: String,
    key: SerialKey,
}

impl core::fmt::Debug for PgAuditSink {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PgAuditSink")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl PgAuditStore {
    /// A sink recording as device `device` of site `site` (registered on first use; an
    /// existing device keeps its site). A device fed by [`push`](PgAuditStore::push) cannot
    /// also record directly ([`AuditError::Config`]): it would fork its chain.
    pub fn device_sink(&self, device: &str, site: &str) -> Result<PgAuditSink, AuditError> {
        check_device(device)?;
        check_site(site)?;
        let fresh = SerialKey::generate()?;
        let key = self.block_on(async {
            let client = self.client().await?;
            if !register(&client, device, site, Some(fresh.bytes())).await? {
                return Err(AuditError::Config {
                    detail: format!(
                        "device {device} is fed by push from a desk's store; record under \
                         another device name"
                    ),
                });
            }
            let row = client
                .query_one(
                    "SELECT serial_hmac_key FROM elig_audit_devices WHERE device = $1",
                    &[&device],
                )
                .await
                .map_err(from_pg)?;
            let key: Vec<u8> = row.try_get(0).map_err(from_pg)?;
            SerialKey::from_bytes(&key).ok_or_else(|| AuditError::Corrupt {
                detail: "the device's HMAC key in the central store is malformed".to_owned(),
            })
        })?;
        Ok(PgAuditSink {
            store: self.clone(),
            device: device.to_owned(),
            key,
        })
    }
}

impl AuditSink for PgAuditSink {
    fn append(&mut self, record: &CheckRecord) -> Result<Receipt, AuditError> {
        let serial_hmac = record.certificate_serial.as_ref().map(|s| self.key.hmac(s));
        let mut row = row_for(record, 0, crate::audit::ChainDigest::GENESIS, serial_hmac)
            .map_err(AuditError::InvalidRecord)?;
        let store = &self.store;
        let device = self.device.as_str();
        store.block_on(async {
            let mut client = store.client().await?;
            let tx = client.transaction().await.map_err(from_pg)?;
            let (head_seq, head) =
                lock_head(&tx, device)
                    .await?
                    .ok_or_else(|| AuditError::Server {
                        code: "elig".to_owned(),
                        detail: "the device's registration disappeared".to_owned(),
                    })?;
            let seq = head_seq.checked_add(1).ok_or_else(|| AuditError::Storage {
                code: "seq".to_owned(),
                detail: "the sequence number is exhausted".to_owned(),
            })?;
            row.seq = i64::try_from(seq).map_err(|_| AuditError::Storage {
                code: "seq".to_owned(),
                detail: "the sequence number is exhausted".to_owned(),
            })?;
            row.prev_digest = head.0.to_vec();
            let digest = row.digest();
            if let Err(e) = insert_row(&tx, device, &row, digest).await {
                return Err(arrival_refusal(&e, seq)
                    .map(AuditError::ChainBroken)
                    .unwrap_or(e));
            }
            // Only a successful COMMIT (synchronous_commit=on: after the server's WAL
            // flush) yields a receipt; on any error above the transaction rolls back.
            tx.commit().await.map_err(from_pg)?;
            Ok(Receipt::new(seq, digest))
        })
    }
}
