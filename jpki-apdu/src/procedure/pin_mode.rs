//! The card side of a PIN-mode check as a sans-I/O state machine that hands control back
//! when it needs the person (the PIN) or the gateway (the digest to sign), and the one-shot
//! form with both given up front.

use super::check::{CheckMachine, CheckStep, PinModeEvidence};
use super::{Error, LastTry, Misuse, PinStatus, Procedure, Step};
use crate::digest::DigestInfo;
use crate::limits::ReaderLimits;
use crate::pin::AuthPin;
use crate::response::Response;

/// The card side of a PIN-mode check: select the JPKI AP, read the authentication
/// certificate, query the retry counter, **pause for the PIN**, verify it, select the
/// authentication key, **pause for the digest** (only if none was supplied yet), sign, and
/// select the ISD. Output: [`PinModeEvidence`].
///
/// DESIGN.md, "The check, end to end (PIN mode)", steps 1–4 and 6:
///
/// | # | Command | The same as in |
/// |---|---|---|
/// | 1 | SELECT JPKI AP | [`super::SelectApplication`] |
/// | 2 | SELECT EF `000A`, READ BINARY … | [`super::ReadEf`] with [`super::ReadLength::Tlv`] |
/// | 3 | SELECT EF `0018`, retry query | [`super::QueryPinStatus`] |
/// | — | *pause: [`CheckStep::NeedPin`]* | |
/// | 4 | VERIFY | the VERIFY of [`super::VerifyPin::auth`] |
/// | 5 | SELECT EF `0017` | [`super::Sign::with_auth_key`] |
/// | — | *pause: [`CheckStep::NeedDigest`], only when no digest was supplied yet* | |
/// | 6 | COMPUTE DIGITAL SIGNATURE | [`super::Sign::with_auth_key`] |
/// | 7 | SELECT ISD | [`super::ClearState`] |
///
/// For a 1,900-byte certificate that is 9 APDUs with an extended-length reader (one READ
/// BINARY) and 16 with short APDUs only (eight), the retry query and the state clearing
/// included; OpenSC's JPKI driver spends 18–19 on the same work. After the PIN is supplied
/// only rows 4–7 remain: 4 APDUs (DESIGN.md, "Targets"). Tests count both.
///
/// The NeedDigest pause sits after SELECT EF `0017` and right before the signature, so a
/// gateway challenge fetched while the person types (or even during the VERIFY) costs no
/// extra APDU on the critical path: our design.
///
/// On a smartphone token even the authentication certificate needs the auth PIN (card.md):
/// when READ BINARY answers `6982`, the check runs row 3 and the PIN pause first, verifies,
/// and then reads the certificate again (11 APDUs with extended length).
///
/// Once the JPKI AP was (or may have been) selected, every way out but success — a card
/// error, a blocked PIN, a refused last try, a cancel — runs row 7 before the error is
/// returned, so no verified state is left behind. If clearing fails too, that error is
/// returned (its message says to power the card down).
///
/// It does no I/O and reads no clock. Its methods, in quinn-proto's four kinds:
///
/// - **output** — [`poll`](Self::poll): what the check wants next, a [`CheckStep`]. Call it
///   after creating the check, after every `handle` and after every `supply_*`/`cancel`.
///   [`CheckStep::Send`] means send that command and `handle` its answer before polling
///   again; [`CheckStep::NeedPin`] and [`CheckStep::NeedDigest`] mean nothing is
///   outstanding and the check waits for the matching `supply_*` (polling again repeats the
///   pause); [`CheckStep::Done`] and `Err` end the check (polling again is
///   [`Misuse::Finished`]).
/// - **input** — [`handle`](Self::handle): the card's response to the command `poll`
///   returned last.
/// - **mutators** — [`supply_pin`](Self::supply_pin) at the PIN pause;
///   [`supply_digest`](Self::supply_digest) at any time before the signature is asked for
///   (the gateway challenge is fetched while the person types);
///   [`cancel`](Self::cancel) at any time.
/// - **getters** — [`certificate`](Self::certificate) as soon as the certificate was read
///   (to build the inquiry while the person types), [`pin_status`](Self::pin_status) once
///   the retry counter was queried.
///
/// Misusing the methods is a typed [`Error::Misuse`] that leaves the check as it was: it
/// never panics.
///
/// Every command, and every GET RESPONSE or `6Cxx` resend after it, fits the reader's
/// [`ReaderLimits`].
#[derive(Debug)]
pub struct PinModeCheck {
    machine: CheckMachine,
    io: Io,
}

/// Where the exchange with the card stands.
#[derive(Debug)]
enum Io {
    /// No command outstanding: the next step starts or resumes.
    Ready,
    /// A command was returned by `poll`; its response is due.
    Awaiting,
    /// The response arrived; the next `poll` takes it in.
    Answered(Response),
}

impl PinModeCheck {
    /// A check over a reader with `limits` (which choose the READ BINARY chunking and cap
    /// every Le). Neither the PIN nor the digest is known yet.
    #[must_use]
    pub fn new(limits: ReaderLimits) -> Self {
        Self {
            machine: CheckMachine::new(limits),
            io: Io::Ready,
        }
    }

    /// The one-shot form: the PIN typed by the person, the last-try decision made up
    /// front, the DigestInfo to sign and the reader's limits, run as a [`Procedure`] (for
    /// [`super::drive`]). It is this check with the PIN supplied at its pause and the digest
    /// supplied before the first poll: the same commands, byte for byte.
    #[must_use]
    pub fn up_front(
        pin: AuthPin,
        consent: LastTry,
        digest_info: DigestInfo,
        limits: ReaderLimits,
    ) -> UpFrontCheck {
        let mut check = Self::new(limits);
        // A fresh check has no digest and has not started: this cannot be refused.
        let refused = check.supply_digest(digest_info).err();
        UpFrontCheck {
            check,
            pin: Some(pin),
            consent,
            refused,
        }
    }

    /// The next thing the check wants (see the type's docs for the order of calls).
    ///
    /// # Errors
    /// The [`Error`] that ended the check (the state was cleared before it is returned
    /// whenever the JPKI AP may have been selected; [`Error::Cancelled`] after
    /// [`cancel`](Self::cancel)); [`Misuse::ResponsePending`] when the response to the last
    /// command was not handed in yet; [`Misuse::Finished`] after the check ended.
    pub fn poll(&mut self) -> Result<CheckStep, Error> {
        let input = match core::mem::replace(&mut self.io, Io::Ready) {
            Io::Ready => None,
            Io::Answered(response) => Some(response),
            Io::Awaiting => {
                self.io = Io::Awaiting;
                return Err(Misuse::ResponsePending.into());
            }
        };
        let step = self.machine.step(input)?;
        if matches!(step, CheckStep::Send(_)) {
            self.io = Io::Awaiting;
        }
        Ok(step)
    }

    /// The card's response to the command the last [`poll`](Self::poll) returned.
    ///
    /// # Errors
    /// [`Misuse::UnexpectedResponse`] when no command is outstanding.
    pub fn handle(&mut self, response: Response) -> Result<(), Error> {
        match self.io {
            Io::Awaiting => {
                self.io = Io::Answered(response);
                Ok(())
            }
            Io::Ready | Io::Answered(_) => Err(Misuse::UnexpectedResponse.into()),
        }
    }

    /// The auth PIN the person typed, with the decision on the last try (`consent` only
    /// matters when [`PinStatus::is_last_try`]). Valid only while the check yields
    /// [`CheckStep::NeedPin`]. The next `poll` sends the VERIFY — or, when the PIN would
    /// spend the last try and `consent` is [`LastTry::Refuse`], drops the PIN unsent,
    /// clears the state and ends with [`Error::LastTryNotConsented`]. The PIN is zeroized
    /// as soon as the VERIFY is built; a wrong PIN ends the check ([`Error::WrongPin`]),
    /// and asking again is a new check.
    ///
    /// # Errors
    /// [`Misuse::PinAlreadySupplied`] for a second PIN; [`Misuse::PinNotNeeded`] when the
    /// check is not at the PIN pause (too early, cancelled, or ended). Either way the PIN
    /// is dropped (zeroized) and the check is unchanged.
    pub fn supply_pin(&mut self, pin: AuthPin, consent: LastTry) -> Result<(), Error> {
        self.machine.supply_pin(pin, consent)
    }

    /// The DigestInfo to sign (over the gateway's challenge and the inquiry), at any time
    /// before the signature is asked for: before the first poll, while the person types,
    /// or at the [`CheckStep::NeedDigest`] pause.
    ///
    /// # Errors
    /// [`Misuse::DigestAlreadySupplied`] for a second digest; [`Misuse::DigestTooLate`]
    /// once COMPUTE DIGITAL SIGNATURE was returned by `poll`, or after a cancel or the end.
    /// The check is unchanged.
    pub fn supply_digest(&mut self, digest_info: DigestInfo) -> Result<(), Error> {
        self.machine.supply_digest(digest_info)
    }

    /// Ends the check at the next `poll`: if a command is outstanding, hand its response
    /// in as usual (it is then ignored). The check clears the verified state (unless no
    /// command was sent yet) and ends with [`Error::Cancelled`]; while it is already
    /// clearing, it finishes clearing and ends with [`Error::Cancelled`] (or with the
    /// error that made it clear). After the end, and when called twice, it does nothing.
    pub fn cancel(&mut self) {
        self.machine.cancel();
    }

    /// The authentication certificate's DER bytes, as soon as they were read (before the
    /// PIN on a physical card; after it on a phone token). `None` before, and after
    /// [`CheckStep::Done`] handed them out in the evidence.
    #[must_use]
    pub fn certificate(&self) -> Option<&[u8]> {
        self.machine.certificate()
    }

    /// What the retry query said, once it was asked (the status of [`CheckStep::NeedPin`]).
    #[must_use]
    pub fn pin_status(&self) -> Option<PinStatus> {
        self.machine.pin_status()
    }
}

/// [`PinModeCheck`] with the PIN and the digest given up front, as a [`Procedure`] whose
/// output is the [`PinModeEvidence`]. Built by [`PinModeCheck::up_front`]. The same
/// commands as the paused check, byte for byte; a thin layer supplying the PIN at its
/// pause.
#[derive(Debug)]
pub struct UpFrontCheck {
    check: PinModeCheck,
    pin: Option<AuthPin>,
    consent: LastTry,
    /// Why the digest could not be supplied (never, on a fresh check; kept, not unwrapped).
    refused: Option<Error>,
}

impl Procedure for UpFrontCheck {
    type Output = PinModeEvidence;

    fn poll(&mut self) -> Result<Step<PinModeEvidence>, Error> {
        if let Some(error) = self.refused.take() {
            return Err(error);
        }
        loop {
            match self.check.poll()? {
                CheckStep::Send(command) => return Ok(Step::Send(command)),
                CheckStep::Done(evidence) => return Ok(Step::Done(evidence)),
                CheckStep::NeedPin { .. } => match self.pin.take() {
                    Some(pin) => self.check.supply_pin(pin, self.consent)?,
                    // Only one PIN was given: asking twice cannot happen, but would end
                    // the check (cleared), never loop.
                    None => self.check.cancel(),
                },
                // The digest was supplied before the first poll.
                CheckStep::NeedDigest => self.check.cancel(),
            }
        }
    }

    fn handle(&mut self, response: Response) -> Result<(), Error> {
        self.check.handle(response)
    }
}
