//! The structured access log: one record per request, without personal data.
//!
//! A record holds what an operator needs to follow traffic and nothing that identifies a
//! person: no name, no birth date, no insurer numbers, no My Number, no certificate bytes. A
//! card appears only as `card`, a short hash of its certificate serial keyed with a random
//! secret of the running gateway (the same card gives the same tag until the gateway
//! restarts, so repeated failures can be correlated; without the key, trying every serial
//! does not lead back to the card). The facility code is an
//! institution's identifier, not personal data, and is logged.

use std::collections::VecDeque;
use std::io::Write as _;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

/// One request, as logged (serialised as one JSON object per line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessEntry {
    /// Milliseconds since the Unix epoch, by the gateway's clock.
    pub at_unix_ms: u64,
    /// The peer's IP address.
    pub peer: Option<IpAddr>,
    /// The facility of the device certificate (`kenshin-kikan:…` / `oqs-code:…`), when the
    /// device was recognised.
    pub facility: Option<String>,
    /// The HTTP method: a standard one by name, `other` for any extension method (a token
    /// of the client's choosing never reaches the log).
    pub method: String,
    /// The endpoint, from the fixed set of routes (`other` for anything else, so that
    /// arbitrary request paths never reach the log).
    pub route: &'static str,
    /// The HTTP status answered.
    pub status: u16,
    /// `ok`, or the rejection reason's wire name.
    pub outcome: String,
    /// `pin` or `visual` for inquiries.
    pub mode: Option<&'static str>,
    /// A short keyed hash of the card certificate's serial, stable while the gateway runs
    /// (never the certificate or the serial).
    pub card: Option<String>,
    /// The `QualificationValidity` code answered (OQSCD006), for inquiries that got a result.
    pub validity: Option<String>,
    /// Request body length as announced or read, in bytes.
    pub request_bytes: u64,
    /// Time spent in the gateway, in microseconds.
    pub latency_us: u64,
}

/// Where access records go.
pub trait AccessLog: Send + Sync + std::fmt::Debug {
    /// Records one entry. Must not block for long: it runs on the request path.
    fn record(&self, entry: &AccessEntry);
}

/// Discards every record.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoAccessLog;

impl AccessLog for NoAccessLog {
    fn record(&self, _entry: &AccessEntry) {}
}

/// Writes JSON lines to standard error.
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrAccessLog;

impl AccessLog for StderrAccessLog {
    fn record(&self, entry: &AccessEntry) {
        if let Ok(line) = serde_json::to_string(entry) {
            let mut err = std::io::stderr().lock();
            // A failed log write must not fail the request.
            let _ = writeln!(err, "{line}");
        }
    }
}

/// Keeps the most recent records in memory (bounded): for tests and embedding.
#[derive(Debug)]
pub struct MemoryAccessLog {
    capacity: usize,
    entries: Mutex<VecDeque<AccessEntry>>,
}

impl MemoryAccessLog {
    /// A log keeping at most `capacity` records (older ones are dropped).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    /// A copy of the records kept, oldest first.
    pub fn entries(&self) -> Vec<AccessEntry> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

impl AccessLog for MemoryAccessLog {
    fn record(&self, entry: &AccessEntry) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if self.capacity == 0 {
            return;
        }
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry.clone());
    }
}
