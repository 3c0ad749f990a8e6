//! The offline-first push: a desk's SQLite rows → the central store, exactly once
//! (module docs of [`postgres`](super) for why it is exactly once).

use std::path::Path;

use super::fault::{arrival_refusal, from_pg};
use super::{
    PgAuditStore, PgOptions, check_device, check_link, check_site, insert_rows, lock_head, register,
};
use crate::audit::chain::ChainDigest;
use crate::audit::{AuditError, BreakKind, ChainBreak, SqliteAuditStore, StoreOptions};

/// How to push.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushOptions {
    /// Rows per transaction. Default 500 (our choice: a few hundred round trips' worth of
    /// work per commit; a cut-off push loses at most one uncommitted batch, which the next
    /// push sends again).
    pub batch_rows: u32,
}

impl Default for PushOptions {
    fn default() -> PushOptions {
        PushOptions { batch_rows: 500 }
    }
}

impl PushOptions {
    /// These options with another batch size (at least 1).
    pub fn with_batch_rows(mut self, rows: u32) -> PushOptions {
        self.batch_rows = rows.max(1);
        self
    }
}

/// What a successful push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushReport {
    /// Rows shipped by this push (0 when the central store was already up to date).
    pub shipped: u64,
    /// The device's central head after the push: its last row's `seq` …
    pub head_seq: u64,
    /// … and digest (equal to the local store's head).
    pub head: ChainDigest,
}

impl PgAuditStore {
    /// Ships the rows of `local` that the central store does not hold yet, as device
    /// `device` of site `site` (registered on first push; an existing device keeps its
    /// site), and returns once the central head equals the local head.
    ///
    /// Exactly once, resumable at any point: see the [module docs](super). On
    /// [`AuditError::ChainBroken`] the rows before [`ChainBreak::seq`] were shipped and the
    /// rest were not (a tampered local row, or [`BreakKind::Diverged`]); on a connection
    /// error ([`AuditError::Unreachable`]) the committed batches stay and the same call
    /// later continues from there.
    pub fn push(
        &self,
        local: &SqliteAuditStore,
        device: &str,
        site: &str,
        options: &PushOptions,
    ) -> Result<PushReport, AuditError> {
        check_device(device)?;
        check_site(site)?;
        self.block_on(self.push_async(local, device, site, options.batch_rows.max(1)))
    }

    async fn push_async(
        &self,
        local: &SqliteAuditStore,
        device: &str,
        site: &str,
        batch: u32,
    ) -> Result<PushReport, AuditError> {
        let direct = register(&self.client().await?, device, site, None).await?;
        if direct {
            return Err(AuditError::Config {
                detail: format!(
                    "device {device} records straight into the central store; push under \
                     another device name"
                ),
            });
        }
        let mut shipped: u64 = 0;
        loop {
            // The local head first: rows appended after this read are shipped next round.
            let (local_seq, local_head) = local.recorded_head()?;
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(from_pg)?;
            let (head_seq, head) = lock_head(&tx, device).await?.ok_or(AuditError::Server {
                code: "elig".to_owned(),
                detail: "the device's registration disappeared".to_owned(),
            })?;
            let diverged = ChainBreak {
                seq: head_seq,
                kind: BreakKind::Diverged,
            };
            let rows = local.rows_from(head_seq.max(1), batch.saturating_add(1))?;
            let mut rows = rows.into_iter();
            if head_seq > 0 {
                // The desk must still hold the central head row, unchanged.
                match rows.next() {
                    Some((row, stored))
                        if u64::try_from(row.seq).ok() == Some(head_seq)
                            && stored.as_slice() == head.0.as_slice() => {}
                    _ => return Err(AuditError::ChainBroken(diverged)),
                }
            }
            let mut prev = head;
            let mut expected = head_seq.saturating_add(1);
            let mut refused = None;
            let mut verified = Vec::new();
            for (row, stored) in rows.take(usize::try_from(batch).unwrap_or(usize::MAX)) {
                match check_link(&row, &stored, expected, prev) {
                    Ok(digest) => {
                        verified.push((row, digest));
                        prev = digest;
                        expected = expected.saturating_add(1);
                    }
                    Err(b) => {
                        refused = Some(b);
                        break;
                    }
                }
            }
            let in_batch = u64::try_from(verified.len()).unwrap_or(u64::MAX);
            if let Err(e) = insert_rows(&tx, device, &verified).await {
                // The rows passed the same checks here, so a refusal by the arrival check
                // means the central chain is not the one this push read: report it at the
                // batch's first row (nothing of the batch was shipped).
                return Err(arrival_refusal(&e, head_seq.saturating_add(1))
                    .map(|b| {
                        AuditError::ChainBroken(ChainBreak {
                            seq: b.seq,
                            kind: BreakKind::Diverged,
                        })
                    })
                    .unwrap_or(e));
            }
            tx.commit().await.map_err(from_pg)?;
            shipped = shipped.saturating_add(in_batch);
            if let Some(b) = refused {
                return Err(AuditError::ChainBroken(b));
            }
            let now = expected.saturating_sub(1);
            if in_batch == 0 {
                // Nothing left to ship: the central head must be the desk's recorded head,
                // or rows were cut off the end of the desk's store.
                if local_seq != now || local_head != prev {
                    return Err(AuditError::ChainBroken(ChainBreak {
                        seq: now,
                        kind: BreakKind::HeadMismatch,
                    }));
                }
                return Ok(PushReport {
                    shipped,
                    head_seq: now,
                    head: prev,
                });
            }
        }
    }
}

/// `elig audit push --db DB --to URL --device NAME --site SITE` in one call: opens the desk's
/// store at `db` (which must exist), connects to `url` with `options`, and pushes with the
/// default [`PushOptions`].
pub fn push_file(
    db: &Path,
    url: &str,
    device: &str,
    site: &str,
    options: &PgOptions,
) -> Result<PushReport, AuditError> {
    check_device(device)?;
    check_site(site)?;
    if !db.is_file() {
        return Err(AuditError::Config {
            detail: format!("there is no audit database at {}", db.display()),
        });
    }
    let local = SqliteAuditStore::open_with(db, &StoreOptions::default())?;
    let central = PgAuditStore::connect(url, options)?;
    central.push(&local, device, site, &PushOptions::default())
}
