//! What a reader (or phone NFC stack) can carry: plain data the procedures choose
//! chunking from. `reader-backends` re-exports this type; each backend fills it in.

/// Largest command APDU of the short encoding: header (4) + Lc (1) + 255 data + Le (1).
pub const SHORT_MAX_COMMAND_LEN: usize = 261;
/// Largest response APDU of the short encoding: 256 data bytes + SW1 SW2.
pub const SHORT_MAX_RESPONSE_LEN: usize = 258;
/// Largest command APDU of the extended encoding: header (4) + `00 Lc Lc` (3) + 65 535 data
/// + Le (2).
pub const EXTENDED_MAX_COMMAND_LEN: usize = 65_544;
/// Largest response APDU of the extended encoding: 65 536 data bytes + SW1 SW2.
pub const EXTENDED_MAX_RESPONSE_LEN: usize = 65_538;

/// The limits of one reader: whole-APDU sizes (header and status word included) and whether
/// the extended-length encoding may be used at all.
///
/// This is our design (style.md rule 1): reader quirks live here, as data, instead of in
/// backend methods. A procedure never sends a command longer than `max_command_len` and
/// never asks for more than `max_response_len - 2` data bytes in one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ReaderLimits {
    /// Largest command APDU, in bytes, the reader transmits.
    pub max_command_len: usize,
    /// Largest response APDU, in bytes including SW1 SW2, the reader receives.
    pub max_response_len: usize,
    /// Whether extended-length APDUs (ISO 7816-4 §5.1, `Lc`/`Le` over 2 bytes) may be sent.
    pub extended_length: bool,
}

impl ReaderLimits {
    /// A reader that only carries short APDUs (261-byte commands, 258-byte responses).
    /// The safe default when nothing is known.
    #[must_use]
    pub const fn short_only() -> Self {
        Self {
            max_command_len: SHORT_MAX_COMMAND_LEN,
            max_response_len: SHORT_MAX_RESPONSE_LEN,
            extended_length: false,
        }
    }

    /// A reader that carries extended-length APDUs of up to `max` bytes each way (command
    /// length, and response length including the status word). `max` is clamped to the
    /// range the encodings allow: at least the short sizes, at most the extended sizes.
    #[must_use]
    pub const fn extended(max: usize) -> Self {
        Self {
            max_command_len: clamp(max, SHORT_MAX_COMMAND_LEN, EXTENDED_MAX_COMMAND_LEN),
            max_response_len: clamp(max, SHORT_MAX_RESPONSE_LEN, EXTENDED_MAX_RESPONSE_LEN),
            extended_length: true,
        }
    }

    /// The same limits with another command size (clamped as in [`ReaderLimits::extended`],
    /// or to the short maximum when extended length is off).
    #[must_use]
    pub const fn with_max_command_len(mut self, max: usize) -> Self {
        let upper = if self.extended_length {
            EXTENDED_MAX_COMMAND_LEN
        } else {
            SHORT_MAX_COMMAND_LEN
        };
        // A reader that cannot carry even a 5-byte command is not a reader; keep 5.
        self.max_command_len = clamp(max, 5, upper);
        self
    }

    /// The same limits with another response size (clamped as above; at least 3 bytes).
    #[must_use]
    pub const fn with_max_response_len(mut self, max: usize) -> Self {
        let upper = if self.extended_length {
            EXTENDED_MAX_RESPONSE_LEN
        } else {
            SHORT_MAX_RESPONSE_LEN
        };
        self.max_response_len = clamp(max, 3, upper);
        self
    }

    /// How many data bytes one response may carry: `max_response_len - 2`, at most 256
    /// without extended length and at most 65 536 with it.
    #[must_use]
    pub const fn max_response_data(&self) -> usize {
        let upper = if self.extended_length { 65_536 } else { 256 };
        let data = self.max_response_len.saturating_sub(2);
        if data > upper { upper } else { data }
    }

    /// How many data bytes one command may carry (`max_command_len` minus header, Lc and
    /// Le fields of the encoding in use), at most 255 without extended length.
    #[must_use]
    pub const fn max_command_data(&self) -> usize {
        if self.extended_length {
            let data = self.max_command_len.saturating_sub(9);
            if data > 65_535 { 65_535 } else { data }
        } else {
            let data = self.max_command_len.saturating_sub(6);
            if data > 255 { 255 } else { data }
        }
    }
}

impl Default for ReaderLimits {
    /// [`ReaderLimits::short_only`].
    fn default() -> Self {
        Self::short_only()
    }
}

const fn clamp(value: usize, low: usize, high: usize) -> usize {
    if value < low {
        low
    } else if value > high {
        high
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_only_sizes() {
        let l = ReaderLimits::short_only();
        assert_eq!(l.max_command_len, 261);
        assert_eq!(l.max_response_len, 258);
        assert!(!l.extended_length);
        assert_eq!(l.max_response_data(), 256);
        assert_eq!(l.max_command_data(), 255);
        assert_eq!(ReaderLimits::default(), l);
    }

    #[test]
    fn extended_sizes_clamp() {
        let l = ReaderLimits::extended(4096);
        assert_eq!(l.max_command_len, 4096);
        assert_eq!(l.max_response_data(), 4094);
        assert_eq!(l.max_command_data(), 4087);
        let huge = ReaderLimits::extended(usize::MAX);
        assert_eq!(huge.max_response_data(), 65_536);
        assert_eq!(huge.max_command_data(), 65_535);
        let tiny = ReaderLimits::extended(10);
        assert_eq!(tiny.max_response_len, SHORT_MAX_RESPONSE_LEN);
        let shorter = ReaderLimits::short_only().with_max_response_len(100_000);
        assert_eq!(shorter.max_response_len, SHORT_MAX_RESPONSE_LEN);
        let narrow = ReaderLimits::short_only().with_max_response_len(130);
        assert_eq!(narrow.max_response_data(), 128);
    }
}
