//! Lossless conversions between [`StatusWord`] and `iso7816::Status` (trussed-dev): the
//! status word's code (`u16`) crosses unchanged both ways, so card code that answers with
//! an `iso7816::Status` and host code that reads a [`StatusWord`] agree on every code.
//!
//! `iso7816` 0.2.2 is not lossless on its own in two ranges: it reads `6202`–`6280` as
//! `WarningTriggering(low byte)` but writes `WarningTriggering(v)` as `6202 + v`, and the
//! same for `6402`–`6480` / `ErrorTriggering`, so its `u16 → Status → u16` moves those
//! codes by 2. [`From<StatusWord>`](iso7816::Status) therefore picks the variant argument
//! that `iso7816` writes back as the same code (`6210` becomes `WarningTriggering(0x0E)`),
//! and checks every other code against `iso7816`'s own round trip. An `iso7816::Status`
//! built by hand with an argument outside its documented range (`RemainingRetries(0x20)`)
//! still keeps its code, though not always its variant: the code is what crosses.

use iso7816::Status;

use super::StatusWord;

impl From<StatusWord> for Status {
    fn from(sw: StatusWord) -> Self {
        let code = sw.to_u16();
        let status = Self::from_u16(code);
        if status.to_u16() == code {
            return status;
        }
        // Only the two triggering ranges get here (see the module docs): the argument that
        // `iso7816` writes back as `code` is the low byte minus 2 (the ranges start at 02).
        let [_, low] = code.to_be_bytes();
        let argument = low.wrapping_sub(2);
        match status {
            Self::WarningTriggering(_) => Self::WarningTriggering(argument),
            Self::ErrorTriggering(_) => Self::ErrorTriggering(argument),
            other => other,
        }
    }
}

impl From<Status> for StatusWord {
    fn from(status: Status) -> Self {
        Self::from_u16(status.to_u16())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_code_crosses_unchanged() {
        for code in 0..=u16::MAX {
            let sw = StatusWord::from_u16(code);
            let status = Status::from(sw);
            assert_eq!(status.to_u16(), code, "{code:04X} → {status:?}");
            assert_eq!(StatusWord::from(status), sw);
            assert_eq!(StatusWord::from(status).to_u16(), code);
        }
    }

    #[test]
    fn named_codes_meet_their_namesakes() {
        let pairs = [
            (StatusWord::Success, Status::Success),
            (StatusWord::MoreData(0x12), Status::MoreAvailable(0x12)),
            (StatusWord::WrongLe(0x20), Status::WrongLeField(0x20)),
            (StatusWord::Counter(2), Status::RemainingRetries(2)),
            (StatusWord::NoInformation, Status::VerificationFailed),
            (StatusWord::EndOfFile, Status::UnexpectedEof),
            (
                StatusWord::SecurityStatusNotSatisfied,
                Status::SecurityStatusNotSatisfied,
            ),
            (
                StatusWord::ReferenceDataNotUsable,
                Status::ReferenceDataNotUsable,
            ),
            (StatusWord::FileNotFound, Status::NotFound),
            (StatusWord::WrongP1P2, Status::WrongParameters),
            (
                StatusWord::InsNotSupported,
                Status::InstructionNotSupportedOrInvalid,
            ),
        ];
        for (sw, status) in pairs {
            assert_eq!(Status::from(sw), status);
            assert_eq!(StatusWord::from(status), sw);
        }
        // The triggering ranges, where iso7816's own u16 round trip is off by two.
        assert_eq!(Status::from_u16(0x6210).to_u16(), 0x6212);
        assert_eq!(
            Status::from(StatusWord::from_u16(0x6210)),
            Status::WarningTriggering(0x0E)
        );
        assert_eq!(
            Status::from(StatusWord::from_u16(0x6480)),
            Status::ErrorTriggering(0x7E)
        );
    }

    proptest! {
        /// StatusWord → Status → StatusWord is the identity.
        #[test]
        fn ours_to_iso_and_back(code: u16) {
            let sw = StatusWord::from_u16(code);
            prop_assert_eq!(u16::from(Status::from(sw)), code);
            prop_assert_eq!(StatusWord::from(Status::from(sw)), sw);
        }

        /// Status → StatusWord → Status is the identity for every status iso7816's own
        /// reader produces, and keeps the code of any hand-built one.
        #[test]
        fn iso_to_ours_and_back(code: u16, argument: u8, pick in 0..6usize) {
            let read = Status::from_u16(code);
            prop_assert_eq!(Status::from(StatusWord::from(read)), read);
            prop_assert_eq!(StatusWord::from(read).to_u16(), read.to_u16());
            let built = [
                Status::MoreAvailable(argument),
                Status::WrongLeField(argument),
                Status::RemainingRetries(argument),
                Status::WarningTriggering(argument),
                Status::ErrorTriggering(argument),
                Status::from_u16(code),
            ][pick];
            let back = Status::from(StatusWord::from(built));
            prop_assert_eq!(back.to_u16(), built.to_u16());
        }
    }
}
