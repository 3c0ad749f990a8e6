//! Single-use challenges with an expiry, bound to the device that asked for them.
//!
//! Bounds (this project's design): at most `capacity` challenges are remembered, and at most
//! `per_device` *outstanding* ones (issued, unused, unexpired) per device, so one device
//! cannot starve the others; past either bound a request is refused (`rate_limited`).
//! Used and expired challenges are remembered until the store needs room (then they are
//! forgotten first): until then a replay is answered `challenge_replayed` /
//! `challenge_expired`, afterwards `challenge_unknown` — rejected either way.
//!
//! Cost: a refusal is O(1). The whole table is scanned (pruned) only when it is full and the
//! scan can free something (a used challenge, or the earliest expiry has passed), so a
//! device hammering the endpoint at its share cannot make every request O(capacity) under
//! the store's lock. The price: between prunes a device's expired challenges still count
//! against its share until its newest one expires (its `retry_after_seconds` at most).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use rustls::crypto::SecureRandom;

/// Challenge length in bytes.
pub(crate) const CHALLENGE_LEN: usize = 32;

/// Why a challenge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChallengeFailure {
    /// Never issued, or forgotten.
    Unknown,
    /// Its expiry passed before it was used.
    Expired,
    /// Already used.
    Replayed,
    /// Issued to another device.
    WrongDevice,
}

#[derive(Debug)]
struct Entry {
    device: [u8; 32],
    expires_at: SystemTime,
    used: bool,
}

/// A device's outstanding challenges as counted: how many, and when the last of them
/// expires (after that they are all expired, whatever the count says).
#[derive(Debug, Clone, Copy)]
struct Share {
    count: usize,
    last_expiry: SystemTime,
}

#[derive(Debug, Default)]
struct Table {
    entries: HashMap<[u8; CHALLENGE_LEN], Entry>,
    /// Outstanding (unused; unexpired as of the last prune) challenges per device.
    outstanding: HashMap<[u8; 32], Share>,
    /// Used challenges still remembered (freed by the next prune).
    used: usize,
    /// The earliest expiry among the remembered challenges (`None` when there are none).
    next_expiry: Option<SystemTime>,
    /// Prunes run so far (each one scans every entry).
    prunes: u64,
}

impl Table {
    /// The device's outstanding challenges at `now`: none once the last one has expired.
    fn outstanding(&self, device: &[u8; 32], now: SystemTime) -> usize {
        self.outstanding
            .get(device)
            .filter(|share| now < share.last_expiry)
            .map_or(0, |share| share.count)
    }

    /// Whether a prune at `now` would free anything (used or expired challenges).
    fn reclaimable(&self, now: SystemTime) -> bool {
        self.used > 0 || self.next_expiry.is_some_and(|at| now >= at)
    }

    /// Forgets used and expired challenges and recounts the outstanding ones.
    fn prune(&mut self, now: SystemTime) {
        self.prunes = self.prunes.saturating_add(1);
        self.entries.retain(|_, e| !e.used && now < e.expires_at);
        self.used = 0;
        self.next_expiry = None;
        self.outstanding.clear();
        for entry in self.entries.values() {
            self.next_expiry = Some(
                self.next_expiry
                    .map_or(entry.expires_at, |at| at.min(entry.expires_at)),
            );
            let share = self.outstanding.entry(entry.device).or_insert(Share {
                count: 0,
                last_expiry: entry.expires_at,
            });
            share.count = share.count.saturating_add(1);
            share.last_expiry = share.last_expiry.max(entry.expires_at);
        }
    }
}

/// The store of issued challenges.
#[derive(Debug)]
pub(crate) struct ChallengeStore {
    ttl: Duration,
    capacity: usize,
    per_device: usize,
    table: Mutex<Table>,
    random: &'static dyn SecureRandom,
}

impl ChallengeStore {
    pub(crate) fn new(ttl: Duration, capacity: usize, per_device: usize) -> Self {
        Self {
            ttl,
            capacity,
            per_device,
            table: Mutex::new(Table::default()),
            random: rustls::crypto::ring::default_provider().secure_random,
        }
    }

    /// The lifetime of a challenge.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues a fresh challenge for `device` (the SHA-256 of its certificate); `None` when
    /// the store or the device's share of it is full of outstanding challenges, or the
    /// system RNG failed.
    pub(crate) fn issue(
        &self,
        device: [u8; 32],
        now: SystemTime,
    ) -> Option<([u8; CHALLENGE_LEN], SystemTime)> {
        let mut challenge = [0u8; CHALLENGE_LEN];
        self.random.fill(&mut challenge).ok()?;
        let expires_at = now.checked_add(self.ttl)?;
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        // A device at its share is refused without scanning the table: a device hammering
        // the endpoint must not make every request of its cost O(capacity) under the lock.
        if table.outstanding(&device, now) >= self.per_device {
            return None;
        }
        if table.entries.len() >= self.capacity {
            // Amortised: a prune frees every used or expired entry at once, and runs only
            // when it can free something.
            if table.reclaimable(now) {
                table.prune(now);
            }
            if table.entries.len() >= self.capacity
                || table.outstanding(&device, now) >= self.per_device
            {
                return None;
            }
        }
        table.entries.insert(
            challenge,
            Entry {
                device,
                expires_at,
                used: false,
            },
        );
        table.next_expiry = Some(
            table
                .next_expiry
                .map_or(expires_at, |at| at.min(expires_at)),
        );
        let counted = table.outstanding(&device, now);
        let share = table.outstanding.entry(device).or_insert(Share {
            count: 0,
            last_expiry: expires_at,
        });
        // A share whose challenges all expired starts again from zero.
        share.count = counted.saturating_add(1);
        share.last_expiry = share.last_expiry.max(expires_at);
        Some((challenge, expires_at))
    }

    /// Uses `challenge` for an inquiry from `device`: succeeds once, while fresh. Checked in
    /// PROTOCOL.md's order (known, unexpired, this device's, unused); only a success
    /// consumes it.
    pub(crate) fn consume(
        &self,
        challenge: &[u8],
        device: &[u8; 32],
        now: SystemTime,
    ) -> Result<(), ChallengeFailure> {
        let key: [u8; CHALLENGE_LEN] = challenge
            .try_into()
            .map_err(|_| ChallengeFailure::Unknown)?;
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = table
            .entries
            .get_mut(&key)
            .ok_or(ChallengeFailure::Unknown)?;
        if now >= entry.expires_at {
            return Err(ChallengeFailure::Expired);
        }
        if &entry.device != device {
            return Err(ChallengeFailure::WrongDevice);
        }
        if entry.used {
            return Err(ChallengeFailure::Replayed);
        }
        entry.used = true;
        table.used = table.used.saturating_add(1);
        if let Some(share) = table.outstanding.get_mut(device) {
            share.count = share.count.saturating_sub(1);
        }
        Ok(())
    }

    /// Prunes run so far.
    #[cfg(test)]
    pub(crate) fn prunes(&self) -> u64 {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .prunes
    }

    /// Number of remembered challenges (outstanding, used or expired).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [1; 32];
    const B: [u8; 32] = [2; 32];

    #[test]
    fn single_use_bound_to_device_and_expiring() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 10, 10);
        let (c, exp) = store.issue(A, t0).unwrap();
        assert_eq!(exp, t0 + Duration::from_secs(60));
        assert_eq!(
            store.consume(&c, &B, t0),
            Err(ChallengeFailure::WrongDevice)
        );
        assert_eq!(store.consume(&c, &A, t0), Ok(()));
        assert_eq!(store.consume(&c, &A, t0), Err(ChallengeFailure::Replayed));
        let (c2, _) = store.issue(A, t0).unwrap();
        assert_ne!(c, c2);
        assert_eq!(
            store.consume(&c2, &A, t0 + Duration::from_secs(60)),
            Err(ChallengeFailure::Expired)
        );
        // Expiry is checked before the device: an expired challenge is expired for anyone.
        let (c3, _) = store.issue(A, t0).unwrap();
        assert_eq!(
            store.consume(&c3, &B, t0 + Duration::from_secs(61)),
            Err(ChallengeFailure::Expired)
        );
        // Another device's attempt does not burn the owner's challenge.
        let (c4, _) = store.issue(A, t0).unwrap();
        assert_eq!(
            store.consume(&c4, &B, t0),
            Err(ChallengeFailure::WrongDevice)
        );
        assert_eq!(store.consume(&c4, &A, t0), Ok(()));
        assert_eq!(
            store.consume(&[0; 32], &A, t0),
            Err(ChallengeFailure::Unknown)
        );
        assert_eq!(
            store.consume(&[0; 5], &A, t0),
            Err(ChallengeFailure::Unknown)
        );
    }

    #[test]
    fn concurrent_uses_of_one_challenge_succeed_once() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 100, 100);
        for _ in 0..20 {
            let (c, _) = store.issue(A, t0).unwrap();
            let barrier = std::sync::Barrier::new(8);
            let results: Vec<_> = std::thread::scope(|scope| {
                let racers: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| {
                            barrier.wait();
                            store.consume(&c, &A, t0)
                        })
                    })
                    .collect();
                racers.into_iter().map(|r| r.join().unwrap()).collect()
            });
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
            assert!(
                results
                    .iter()
                    .all(|r| matches!(r, Ok(()) | Err(ChallengeFailure::Replayed)))
            );
        }
    }

    #[test]
    fn refusals_do_not_scan_the_table() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 50, 2);
        // Other devices fill most of the store and use some of theirs.
        for i in 0..48u8 {
            let (c, _) = store.issue([i.wrapping_add(10); 32], t0).unwrap();
            if i % 2 == 0 {
                store.consume(&c, &[i.wrapping_add(10); 32], t0).unwrap();
            }
        }
        store.issue(A, t0).unwrap();
        store.issue(A, t0).unwrap();
        // A at its share, the store full of fresh outstanding ones from B: refused cheaply.
        for _ in 0..100 {
            assert!(store.issue(A, t0).is_none());
        }
        assert_eq!(store.prunes(), 0, "a device at its share scanned the table");
        // A full store prunes once when that frees room, not on every request.
        assert!(store.issue(B, t0).is_some(), "used ones are freed");
        assert_eq!(store.prunes(), 1);
        for i in 0..23u8 {
            store.issue([i.wrapping_add(100); 32], t0).unwrap();
        }
        // Full again, of outstanding challenges only: refused without a prune.
        assert!(store.issue(B, t0).is_none());
        assert_eq!(store.prunes(), 1, "a prune that could free nothing ran");
        // Once A's challenges expire its share is free again.
        assert!(store.issue(A, t0 + Duration::from_secs(60)).is_some());
    }

    #[test]
    fn bounded_and_pruned() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 3, 3);
        let (used, _) = store.issue(A, t0).unwrap();
        store.issue(B, t0).unwrap();
        store.issue(B, t0).unwrap();
        assert!(
            store.issue(A, t0).is_none(),
            "full of outstanding challenges"
        );
        // Using one makes room: the used one is forgotten first.
        store.consume(&used, &A, t0).unwrap();
        assert!(store.issue(A, t0).is_some());
        assert_eq!(store.len(), 3);
        assert_eq!(
            store.consume(&used, &A, t0),
            Err(ChallengeFailure::Unknown),
            "forgotten under pressure, still refused"
        );
        // Once they expire, all of them can be forgotten.
        let later = t0 + Duration::from_secs(60);
        assert!(store.issue(A, later).is_some());
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn one_device_cannot_take_every_slot() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 100, 2);
        let (first, _) = store.issue(A, t0).unwrap();
        store.issue(A, t0).unwrap();
        assert!(store.issue(A, t0).is_none(), "A has its share outstanding");
        assert!(store.issue(B, t0).is_some(), "B is not affected");
        store.consume(&first, &A, t0).unwrap();
        assert!(store.issue(A, t0).is_some(), "using one frees A's share");
        // A replay of a used challenge is still recognised while there is room.
        assert_eq!(
            store.consume(&first, &A, t0),
            Err(ChallengeFailure::Replayed)
        );
    }
}
