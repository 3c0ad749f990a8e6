//! Single-use challenges with an expiry, bound to the device that asked for them.
//!
//! A used or expired challenge is remembered until one more lifetime has passed, so that a
//! replay is answered `challenge_replayed` / `challenge_expired` rather than
//! `challenge_unknown`; after that it is forgotten. The store is bounded: when it is full of
//! live challenges, new requests are refused (`rate_limited`).

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

/// The store of issued challenges.
#[derive(Debug)]
pub(crate) struct ChallengeStore {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<[u8; CHALLENGE_LEN], Entry>>,
    random: &'static dyn SecureRandom,
}

impl ChallengeStore {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
            random: rustls::crypto::ring::default_provider().secure_random,
        }
    }

    /// The lifetime of a challenge.
    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues a fresh challenge for `device` (the SHA-256 of its certificate); `None` when
    /// the store is full of live challenges or the system RNG failed.
    pub(crate) fn issue(
        &self,
        device: [u8; 32],
        now: SystemTime,
    ) -> Option<([u8; CHALLENGE_LEN], SystemTime)> {
        let mut challenge = [0u8; CHALLENGE_LEN];
        self.random.fill(&mut challenge).ok()?;
        let expires_at = now.checked_add(self.ttl)?;
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, e| e.expires_at.checked_add(ttl).is_some_and(|end| end > now));
            if entries.len() >= self.capacity {
                return None;
            }
        }
        entries.insert(
            challenge,
            Entry {
                device,
                expires_at,
                used: false,
            },
        );
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
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // PROTOCOL.md's order: known, unexpired, issued to this device, unused.
        let entry = entries.get_mut(&key).ok_or(ChallengeFailure::Unknown)?;
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
        Ok(())
    }

    /// Number of remembered challenges (live, used or expired).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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
        let store = ChallengeStore::new(Duration::from_secs(60), 10);
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
    fn bounded_and_pruned() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let store = ChallengeStore::new(Duration::from_secs(60), 3);
        for _ in 0..3 {
            store.issue(A, t0).unwrap();
        }
        assert!(store.issue(A, t0).is_none(), "full of live challenges");
        // Two lifetimes later every entry can be forgotten.
        let later = t0 + Duration::from_secs(121);
        assert!(store.issue(A, later).is_some());
        assert_eq!(store.len(), 1);
    }
}
