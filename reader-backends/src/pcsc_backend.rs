//! PC/SC backend over the system smart-card service (pcscd on Linux/macOS, WinSCard on
//! Windows), on the `pcsc` crate. Behind the `pcsc` cargo feature (links libpcsclite).
//!
//! Card-handling rules from card.md (public fact): a verified PIN survives a PC/SC
//! disconnect/reconnect and a warm reset, and is cleared by powering the card down; on a
//! shared PC a finished check must leave no verified state and hold the reader exclusively
//! while a PIN is verified. Our design follows from that:
//!
//! - [`PcscReader::connect`] opens the card shared. [`Transport::begin_check`] reconnects
//!   **exclusively** (keeping the card's state), so no other application can use a PIN the
//!   check verifies; it fails with `Busy` when another application holds the card.
//!   [`Transport::end_check`] goes back to shared access with the disconnect disposition the
//!   caller chose ([`CheckEnd::LeaveCard`] → `SCARD_LEAVE_CARD`, [`CheckEnd::ResetCard`] →
//!   `SCARD_RESET_CARD`, [`CheckEnd::PowerDown`] → `SCARD_UNPOWER_CARD`).
//!   [`Transport::transmit`] never looks at the command bytes to decide any of this.
//! - Why a reconnect and not `pcsc`'s `Transaction`: a transaction borrows the `Card`
//!   (`Card::transaction(&mut self)`), so it cannot outlive one call into this reader while
//!   the check runs across many; an exclusive share mode is held by the reader itself, and
//!   refuses other applications (`Busy` for them), where a transaction makes them wait.
//! - [`PcscReader::power_down`] (reconnect with `SCARD_UNPOWER_CARD`) clears the card's
//!   security state and drops back to shared. [`PcscReader::reset`] is a warm reset, which
//!   does **not** clear a verified PIN (card.md), and keeps exclusivity.
//! - A reader dropped during a check (exclusive) powers the card down.
//! - Transmit uses a 65 538-byte receive buffer when the reader does extended length, the
//!   short 258-byte buffer otherwise. Limits come from `SCARD_ATTR_MAXINPUT` when the driver
//!   reports it, or from [`PcscReader::with_limits`].

use std::ffi::CString;
use std::time::Duration;

use ::pcsc::{
    Attribute, Card, Context, Disposition, Error as PcscError, Protocols, ReaderState, Scope,
    ShareMode, State,
};

use crate::{CheckEnd, ReaderLimits, Transport, TransportError};

/// Maps a PC/SC error to who is at fault.
pub fn map_error(e: PcscError) -> TransportError {
    match e {
        PcscError::NoSmartcard | PcscError::UnpoweredCard => TransportError::NoCard,
        PcscError::RemovedCard => TransportError::CardRemoved,
        PcscError::ResetCard => TransportError::CardReset,
        PcscError::ReaderUnavailable
        | PcscError::UnknownReader
        | PcscError::NoReadersAvailable
        | PcscError::ReaderUnsupported => TransportError::ReaderGone,
        PcscError::NoService | PcscError::ServiceStopped => TransportError::NoService,
        PcscError::Timeout => TransportError::Timeout,
        PcscError::SharingViolation => TransportError::Busy,
        other => TransportError::Other(Box::new(other)),
    }
}

/// How long a failed exchange waits for pcscd to report a removed card (our choice: vpcd
/// polls presence about every 0.4 s; CCID readers report faster).
const REMOVAL_GRACE: Duration = Duration::from_millis(1500);

fn context() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(map_error)
}

/// The PC/SC reader names the system knows (empty when none is plugged in).
///
/// # Errors
/// [`TransportError::NoService`] when the smart-card service is not running.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    let ctx = context()?;
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(PcscError::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_error(e)),
    }
}

/// Waits up to `timeout` for a card in `reader` (or in any reader when `None`) and returns
/// the name of the reader that holds one.
///
/// # Errors
/// [`TransportError::Timeout`] when no card arrives in time; [`TransportError::ReaderGone`]
/// when no reader exists; [`TransportError::NoService`].
pub fn wait_for_card(reader: Option<&str>, timeout: Duration) -> Result<String, TransportError> {
    let ctx = context()?;
    let names: Vec<CString> = match reader {
        Some(r) => vec![CString::new(r).map_err(|e| TransportError::Other(Box::new(e)))?],
        None => ctx.list_readers_owned().map_err(map_error)?,
    };
    if names.is_empty() {
        return Err(TransportError::ReaderGone);
    }
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|n| ReaderState::new(n, State::UNAWARE))
        .collect();
    let deadline = std::time::Instant::now().checked_add(timeout);
    loop {
        let left = deadline
            .map(|d| d.saturating_duration_since(std::time::Instant::now()))
            .unwrap_or(timeout);
        ctx.get_status_change(left, &mut states)
            .map_err(map_error)?;
        for s in &states {
            if s.event_state().contains(State::UNKNOWN) && reader.is_some() {
                return Err(TransportError::ReaderGone);
            }
            if s.event_state().contains(State::PRESENT) && !s.event_state().contains(State::MUTE) {
                return Ok(s.name().to_string_lossy().into_owned());
            }
        }
        if left.is_zero() {
            return Err(TransportError::Timeout);
        }
        for s in &mut states {
            s.sync_current_state();
        }
    }
}

/// A card in a PC/SC reader. See the [module docs](self) for the exclusivity rules.
pub struct PcscReader {
    ctx: Context,
    /// `None` only after a failed re-connect (the card was removed meanwhile).
    card: Option<Card>,
    name: CString,
    reader: String,
    limits: ReaderLimits,
    exclusive: bool,
}

impl core::fmt::Debug for PcscReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscReader")
            .field("reader", &self.reader)
            .field("limits", &self.limits)
            .field("exclusive", &self.exclusive)
            .finish_non_exhaustive()
    }
}

impl PcscReader {
    /// Connects (shared, T=0 or T=1) to the card in `reader`.
    ///
    /// # Errors
    /// [`TransportError::NoCard`], [`TransportError::ReaderGone`],
    /// [`TransportError::NoService`], [`TransportError::Busy`] …
    pub fn connect(reader: &str) -> Result<Self, TransportError> {
        let ctx = context()?;
        let name = CString::new(reader).map_err(|e| TransportError::Other(Box::new(e)))?;
        let card = ctx
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(map_error)?;
        let limits = detect_limits(&card);
        Ok(Self {
            ctx,
            card: Some(card),
            name,
            reader: reader.to_owned(),
            limits,
            exclusive: false,
        })
    }

    /// The same reader with limits the caller knows better (e.g. a reader known to do
    /// extended length whose driver does not report `SCARD_ATTR_MAXINPUT`).
    #[must_use]
    pub fn with_limits(mut self, limits: ReaderLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// Whether the card is held exclusively right now (between [`Transport::begin_check`] and
    /// [`Transport::end_check`]).
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }

    /// The card's ATR (for display only: identify the card by SELECT, card.md).
    ///
    /// # Errors
    /// As [`map_error`].
    pub fn atr(&self) -> Result<Vec<u8>, TransportError> {
        self.card()?
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(map_error)
    }

    fn card(&self) -> Result<&Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::CardRemoved)
    }

    fn reconnect(
        &mut self,
        mode: ShareMode,
        disposition: Disposition,
    ) -> Result<(), TransportError> {
        self.card
            .as_mut()
            .ok_or(TransportError::CardRemoved)?
            .reconnect(mode, Protocols::ANY, disposition)
            .map_err(map_error)?;
        self.exclusive = matches!(mode, ShareMode::Exclusive);
        Ok(())
    }

    /// After a failed exchange: did the card leave the reader? A card pulled mid-APDU fails
    /// that APDU with `SCARD_E_NOT_TRANSACTED` before pcscd's presence poll notices the
    /// removal, so wait up to [`REMOVAL_GRACE`] for the reader to report it empty.
    fn card_went_away(&self) -> bool {
        let mut states = [ReaderState::new(self.name.clone(), State::UNAWARE)];
        let deadline = std::time::Instant::now().checked_add(REMOVAL_GRACE);
        loop {
            if self
                .ctx
                .get_status_change(Duration::ZERO, &mut states)
                .is_err()
            {
                return false;
            }
            let Some(state) = states.first_mut() else {
                return false;
            };
            if !state.event_state().contains(State::PRESENT) {
                return true;
            }
            state.sync_current_state();
            let left = deadline
                .map(|d| d.saturating_duration_since(std::time::Instant::now()))
                .unwrap_or_default();
            if left.is_zero() {
                return false;
            }
            // Returns early on any change, or with Timeout at the deadline.
            if let Err(PcscError::Timeout) = self.ctx.get_status_change(left, &mut states) {
                return false;
            }
            if let Some(state) = states.first()
                && !state.event_state().contains(State::PRESENT)
            {
                return true;
            }
        }
    }

    /// Leaves exclusive mode by disconnecting (with `disposition`) and connecting shared
    /// again. pcsc-lite 1.9 does not release exclusivity on `SCardReconnect` to shared (a
    /// later `SCardConnect` from another application hangs; seen with vpcd), so this never
    /// downgrades in place.
    fn reopen_shared(&mut self, disposition: Disposition) -> Result<(), TransportError> {
        if let Some(card) = self.card.take()
            && let Err((card, e)) = card.disconnect(disposition)
        {
            self.card = Some(card);
            return Err(map_error(e));
        }
        self.exclusive = false;
        let card = self
            .ctx
            .connect(&self.name, ShareMode::Shared, Protocols::ANY)
            .map_err(map_error)?;
        self.card = Some(card);
        Ok(())
    }

    /// Shares the card again after `disposition` (exclusive or not).
    fn release(&mut self, disposition: Disposition) -> Result<(), TransportError> {
        if self.exclusive {
            return self.reopen_shared(disposition);
        }
        if matches!(disposition, Disposition::LeaveCard) {
            return Ok(());
        }
        self.reconnect(ShareMode::Shared, disposition)
    }

    /// Powers the card down and up again: every verified PIN is gone (card.md). Drops back
    /// to shared access.
    ///
    /// # Errors
    /// As [`map_error`].
    pub fn power_down(&mut self) -> Result<(), TransportError> {
        self.release(Disposition::UnpowerCard)
    }

    /// Warm reset within a check. card.md: a verified PIN survives it, so this does not clear
    /// state; use [`PcscReader::power_down`] or SELECT the ISD for that. Exclusivity is kept.
    ///
    /// # Errors
    /// As [`map_error`].
    pub fn reset(&mut self) -> Result<(), TransportError> {
        let mode = if self.exclusive {
            ShareMode::Exclusive
        } else {
            ShareMode::Shared
        };
        self.reconnect(mode, Disposition::ResetCard)
    }

    /// Disconnects, powering the card down so no state is left behind.
    ///
    /// # Errors
    /// As [`map_error`].
    pub fn close(mut self) -> Result<(), TransportError> {
        match self.card.take() {
            Some(card) => card
                .disconnect(Disposition::UnpowerCard)
                .map_err(|(_, e)| map_error(e)),
            None => Ok(()),
        }
    }
}

impl Drop for PcscReader {
    /// A reader dropped while exclusive may hold a verified PIN, and the `pcsc` crate's own
    /// drop only resets the card (which card.md says keeps the PIN): power it down instead.
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            let disposition = if self.exclusive {
                Disposition::UnpowerCard
            } else {
                Disposition::LeaveCard
            };
            // Nothing to report to in a destructor; `close()` reports errors.
            let _ = card.disconnect(disposition);
        }
    }
}

/// Extended length when the driver reports a maximum input above the short sizes.
fn detect_limits(card: &Card) -> ReaderLimits {
    let max = card
        .get_attribute_owned(Attribute::Maxinput)
        .ok()
        .and_then(|v| <[u8; 4]>::try_from(v.get(..4)?).ok())
        .map(u32::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok());
    match max {
        Some(n) if n > jpki_apdu::SHORT_MAX_COMMAND_LEN => ReaderLimits::extended(n),
        _ => ReaderLimits::short_only(),
    }
}

impl Transport for PcscReader {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if command.len() > self.limits.max_command_len {
            return Err(TransportError::CommandTooLong {
                len: command.len(),
                max: self.limits.max_command_len,
            });
        }
        // Responses may carry personal data: the scratch buffer is zeroized when dropped.
        let mut buf = zeroize::Zeroizing::new(if self.limits.extended_length {
            vec![0u8; ::pcsc::MAX_BUFFER_SIZE_EXTENDED]
        } else {
            vec![0u8; ::pcsc::MAX_BUFFER_SIZE]
        });
        let response = match self.card()?.transmit(command, &mut buf) {
            Ok(r) => r.to_vec(),
            Err(e @ (PcscError::NotTransacted | PcscError::CommError)) => {
                return Err(if self.card_went_away() {
                    TransportError::CardRemoved
                } else {
                    map_error(e)
                });
            }
            Err(e) => return Err(map_error(e)),
        };
        Ok(response)
    }

    fn limits(&self) -> ReaderLimits {
        self.limits
    }

    /// Reconnects exclusively, keeping the card's state (`SCARD_LEAVE_CARD`).
    fn begin_check(&mut self) -> Result<(), TransportError> {
        if self.exclusive {
            return Ok(());
        }
        self.reconnect(ShareMode::Exclusive, Disposition::LeaveCard)
    }

    /// Shares the card again with the disconnect disposition `end` names.
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        self.release(match end {
            CheckEnd::LeaveCard => Disposition::LeaveCard,
            CheckEnd::ResetCard => Disposition::ResetCard,
            CheckEnd::PowerDown => Disposition::UnpowerCard,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_who_is_at_fault() {
        let cases = [
            (PcscError::NoSmartcard, "NoCard"),
            (PcscError::RemovedCard, "CardRemoved"),
            (PcscError::ResetCard, "CardReset"),
            (PcscError::ReaderUnavailable, "ReaderGone"),
            (PcscError::UnknownReader, "ReaderGone"),
            (PcscError::NoService, "NoService"),
            (PcscError::ServiceStopped, "NoService"),
            (PcscError::Timeout, "Timeout"),
            (PcscError::SharingViolation, "Busy"),
            (PcscError::InvalidValue, "Other"),
        ];
        for (pcsc, expected) in cases {
            let mapped = format!("{:?}", map_error(pcsc));
            assert!(mapped.starts_with(expected), "{pcsc:?} -> {mapped}");
        }
    }
}
