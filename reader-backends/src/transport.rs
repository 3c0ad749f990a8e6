//! The one trait every backend implements (style.md rule 1): send command bytes, get response
//! bytes, report the reader's limits, and hear from the caller when a check begins and how it
//! ends. Reader quirks live in [`ReaderLimits`]; the two check methods have default bodies, so
//! there is no method a backend could fail to implement.

pub use jpki_apdu::ReaderLimits;

/// A channel to one card in one reader (PC/SC slot, phone NFC tag, virtual card).
///
/// Object-safe and `Send`: a driver may hold a `Box<dyn Transport>` and move it to the
/// thread that talks to the card. Implementations do not interpret the bytes: no automatic
/// GET RESPONSE, no retry, no deciding from a command what the reader should do. `61xx` and
/// `6Cxx` handling is the procedure's job, so every backend behaves alike and the APDU count
/// is the procedure's to control.
///
/// The caller brackets each check with [`Transport::begin_check`] (before the first command
/// of a check, so before any PIN is sent) and [`Transport::end_check`] (after the last, or
/// after a failure), which is what lets a shared reader hold the card for itself while a PIN
/// may be verified (card.md: on a shared PC a finished check leaves no verified state).
pub trait Transport: Send {
    /// Sends one command APDU and returns the whole response APDU (data + SW1 SW2).
    ///
    /// # Errors
    /// [`TransportError`] when the reader, the link or the card's presence failed; a
    /// status word, even an error one, is a successful transmit.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// What this reader can carry: command/response sizes and extended length.
    fn limits(&self) -> ReaderLimits;

    /// A check begins: from now until [`Transport::end_check`] no other application may use
    /// the card (a PC/SC reader holds it exclusively). The default does nothing: a phone's NFC
    /// field or a virtual card has no other user.
    ///
    /// # Errors
    /// [`TransportError::Busy`] when another application holds the card, or the reader's
    /// other failures.
    fn begin_check(&mut self) -> Result<(), TransportError> {
        Ok(())
    }

    /// The check ended: release the card as `end` says (other applications may use it
    /// again). Call it after a failure too, with [`CheckEnd::PowerDown`] when a PIN may still
    /// be verified. The default does nothing: a backend that cannot reset or power the card
    /// (a phone's NFC stack) relies on the procedure's SELECT of the ISD, which clears the
    /// security state on every backend (card.md).
    ///
    /// # Errors
    /// The reader's failures (e.g. [`TransportError::CardRemoved`]).
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        let _ = end;
        Ok(())
    }
}

/// How a check leaves the card ([`Transport::end_check`]). The effects on the card are
/// card.md's (public fact); which one to choose is the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckEnd {
    /// Leave the card as it is: the check already cleared its state (a successful SELECT of
    /// the ISD), or no PIN was sent.
    LeaveCard,
    /// Warm reset: back to the MF. A verified PIN survives it (card.md), so this does not
    /// clear the security state.
    ResetCard,
    /// Power the card down: every verified PIN is gone (card.md). The safe end after a
    /// failure.
    PowerDown,
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        (**self).limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        (**self).begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        (**self).end_check(end)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        (**self).limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        (**self).begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        (**self).end_check(end)
    }
}

/// A [`Transport`] that counts the commands it passes on: the round-trip counter the APDU
/// budgets are checked with, on any backend.
#[derive(Debug)]
pub struct Counting<T> {
    inner: T,
    count: usize,
}

impl<T> Counting<T> {
    /// Wraps `inner` with a zero count.
    pub fn new(inner: T) -> Self {
        Self { inner, count: 0 }
    }
    /// Commands transmitted so far (including ones the transport failed on).
    pub fn count(&self) -> usize {
        self.count
    }
    /// Sets the count back to zero.
    pub fn reset_count(&mut self) {
        self.count = 0;
    }
    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }
    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
    /// Unwraps the transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for Counting<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.count = self.count.saturating_add(1);
        self.inner.transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        self.inner.limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        self.inner.begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        self.inner.end_check(end)
    }
}

/// Why a transmit failed. Every variant is a reader/transport fault, not a card answer
/// (those come back as status words).
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// No card is in the reader (or in the phone's field).
    NoCard,
    /// The card was removed, or the NFC tag was lost, during the session: its security
    /// state is gone; start over from SELECT.
    CardRemoved,
    /// Another application reset the card: its security state is unknown; start over.
    CardReset,
    /// The reader was unplugged or is no longer known to the system.
    ReaderGone,
    /// The smart-card service (pcscd / Windows SCardSvr) is not running.
    NoService,
    /// The reader is held exclusively by another application.
    Busy,
    /// The card or reader did not answer in time.
    Timeout,
    /// The command is larger than the reader carries (caller misuse: check `limits()`).
    CommandTooLong {
        /// Bytes in the command.
        len: usize,
        /// The reader's `max_command_len`.
        max: usize,
    },
    /// Anything else the backend reported.
    Other(Box<dyn core::error::Error + Send + Sync>),
}

impl core::fmt::Display for TransportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoCard => f.write_str("reader: no card present"),
            Self::CardRemoved => {
                f.write_str("reader: the card was removed (or the NFC tag lost); start over")
            }
            Self::CardReset => f.write_str(
                "reader: the card was reset by another application; its state is unknown",
            ),
            Self::ReaderGone => f.write_str("reader: the reader is no longer available"),
            Self::NoService => f.write_str("reader: the smart-card service is not running"),
            Self::Busy => {
                f.write_str("reader: the card is in exclusive use by another application")
            }
            Self::Timeout => f.write_str("reader: the card did not answer in time"),
            Self::CommandTooLong { len, max } => write!(
                f,
                "caller error: a {len}-byte command exceeds the reader's {max}-byte limit"
            ),
            Self::Other(e) => write!(f, "reader: {e}"),
        }
    }
}

impl core::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Other(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Echo;
    impl Transport for Echo {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            let mut r = command.to_vec();
            r.extend_from_slice(&[0x90, 0x00]);
            Ok(r)
        }
        fn limits(&self) -> ReaderLimits {
            ReaderLimits::short_only()
        }
    }

    #[test]
    fn object_safe_and_send() {
        fn assert_send<T: Send>(_: &T) {}
        let mut boxed: Box<dyn Transport> = Box::new(Echo);
        assert_send(&boxed);
        assert_eq!(boxed.transmit(&[1]).unwrap(), vec![1, 0x90, 0x00]);
        let by_ref: &mut dyn Transport = &mut boxed;
        assert_eq!(by_ref.limits(), ReaderLimits::short_only());
    }

    #[test]
    fn counting_counts_every_transmit() {
        let mut t = Counting::new(Echo);
        t.transmit(&[1]).unwrap();
        t.transmit(&[2]).unwrap();
        assert_eq!(t.count(), 2);
        t.reset_count();
        assert_eq!(t.count(), 0);
        assert_eq!(t.limits(), ReaderLimits::short_only());
    }

    /// Records the check calls it hears.
    #[derive(Default)]
    struct Bracketed {
        calls: Vec<Option<CheckEnd>>,
    }
    impl Transport for Bracketed {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(vec![0x90, 0x00])
        }
        fn limits(&self) -> ReaderLimits {
            ReaderLimits::short_only()
        }
        fn begin_check(&mut self) -> Result<(), TransportError> {
            self.calls.push(None);
            Ok(())
        }
        fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
            self.calls.push(Some(end));
            Ok(())
        }
    }

    #[test]
    fn check_bracket_defaults_do_nothing_and_wrappers_forward_it() {
        // A backend with only the two required methods accepts the bracket.
        let mut echo = Echo;
        echo.begin_check().unwrap();
        echo.end_check(CheckEnd::PowerDown).unwrap();
        // Counting, &mut and Box pass it on (a default body there would swallow it).
        let mut inner = Bracketed::default();
        {
            let mut t = Counting::new(&mut inner);
            t.begin_check().unwrap();
            t.transmit(&[0]).unwrap();
            t.end_check(CheckEnd::LeaveCard).unwrap();
            assert_eq!(t.count(), 1);
        }
        assert_eq!(inner.calls, [None, Some(CheckEnd::LeaveCard)]);
        let mut boxed: Box<dyn Transport> = Box::new(Bracketed::default());
        boxed.end_check(CheckEnd::ResetCard).unwrap();
        let mut probe = Bracketed::default();
        let mut dyn_ref: Box<&mut dyn Transport> = Box::new(&mut probe);
        dyn_ref.begin_check().unwrap();
        dyn_ref.end_check(CheckEnd::PowerDown).unwrap();
        assert_eq!(probe.calls, [None, Some(CheckEnd::PowerDown)]);
    }

    #[test]
    fn messages_name_the_party() {
        assert!(
            TransportError::CardRemoved
                .to_string()
                .starts_with("reader:")
        );
        let e = TransportError::CommandTooLong { len: 300, max: 261 };
        assert!(e.to_string().starts_with("caller error"));
    }
}
