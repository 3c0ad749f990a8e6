//! The APDU log: every exchange the virtual card saw, for counting round trips and for
//! byte-exact golden transcripts. PIN bytes (VERIFY / CHANGE REFERENCE DATA data) and the
//! My Number (READ BINARY of 券面事項入力補助AP EF `0001`) are redacted before they are
//! stored: the log never holds a secret.

use core::fmt::Write as _;

/// The byte stored in place of each redacted byte.
pub const REDACTED_BYTE: u8 = 0x2A;

/// One command and its response, with secrets replaced by [`REDACTED_BYTE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedExchange {
    /// The command APDU (data redacted for VERIFY / CHANGE REFERENCE DATA).
    pub command: Vec<u8>,
    /// Whether the command's data field was redacted.
    pub command_redacted: bool,
    /// The response APDU as the host received it, or empty when the transport failed.
    pub response: Vec<u8>,
    /// Whether the response data (not the status word) was redacted.
    pub response_redacted: bool,
}

/// The exchanges a virtual card answered, in order.
///
/// Unbounded by default (tests count every exchange); a long-running card (the vpcd
/// bridge) sets a [`ApduLog::set_limit`] so memory stays bounded: past the limit the oldest
/// half is dropped, and [`ApduLog::total`] still counts everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApduLog {
    entries: Vec<LoggedExchange>,
    limit: Option<usize>,
    total: u64,
}

impl ApduLog {
    /// Number of command APDUs held (the round-trip count, unless a limit dropped some).
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Every command APDU seen since the card was built, including dropped ones.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// Keeps at most about `limit` exchanges (at least 2), or all of them with `None`.
    pub fn set_limit(&mut self, limit: Option<usize>) {
        self.limit = limit.map(|l| l.max(2));
    }
    /// Whether no command was seen.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The exchanges, oldest first.
    pub fn entries(&self) -> &[LoggedExchange] {
        &self.entries
    }
    /// Forgets every exchange.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
    /// How many commands had this instruction byte.
    pub fn count_ins(&self, ins: u8) -> usize {
        self.entries
            .iter()
            .filter(|e| e.command.get(1) == Some(&ins))
            .count()
    }

    pub(crate) fn push(&mut self, entry: LoggedExchange) {
        self.total = self.total.saturating_add(1);
        self.entries.push(entry);
        if let Some(limit) = self.limit
            && self.entries.len() > limit
        {
            let drop = self.entries.len().saturating_sub(limit / 2);
            self.entries.drain(..drop);
        }
    }

    /// A text transcript, one `> command` / `< response` pair per exchange in upper-case hex
    /// without spaces; a long response is shown as its first 8 bytes, `..(N bytes)..` and
    /// its status word so golden files stay readable.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str("> ");
            push_hex(&mut out, &e.command);
            out.push_str("\n< ");
            if e.response.len() > 18 {
                let (head, _) = e.response.split_at(8);
                let sw = e
                    .response
                    .get(e.response.len().saturating_sub(2)..)
                    .unwrap_or(&[]);
                push_hex(&mut out, head);
                let _ = write!(out, "..({} bytes)..", e.response.len().saturating_sub(2));
                push_hex(&mut out, sw);
            } else {
                push_hex(&mut out, &e.response);
            }
            out.push('\n');
        }
        out
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
}

/// Copies `command`, replacing its data field with [`REDACTED_BYTE`]s when it carries a
/// secret (VERIFY `INS 20`, CHANGE REFERENCE DATA `INS 24`, any CLA).
pub(crate) fn redact_command(command: &[u8]) -> (Vec<u8>, bool) {
    let mut out = command.to_vec();
    let secret = matches!(command.get(1), Some(0x20 | 0x24));
    if !secret || command.len() <= 5 {
        return (out, false);
    }
    // Data starts after the header and a 1- or 3-byte Lc; redact everything after the
    // header and Lc: there is no Le on these commands, and over-redacting is safe.
    let start = if command.get(4) == Some(&0) && command.len() > 7 {
        7
    } else {
        5
    };
    if let Some(data) = out.get_mut(start..) {
        data.fill(REDACTED_BYTE);
    }
    (out, true)
}

/// Copies `response`, replacing its data (not the status word) with [`REDACTED_BYTE`]s.
pub(crate) fn redact_response(response: &[u8]) -> Vec<u8> {
    let mut out = response.to_vec();
    let data_len = out.len().saturating_sub(2);
    if let Some(data) = out.get_mut(..data_len) {
        data.fill(REDACTED_BYTE);
    }
    out
}
