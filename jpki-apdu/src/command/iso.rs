//! Lossless conversions between [`Command`] and the command types of the `iso7816` crate
//! (trussed-dev), so card-side code written against `iso7816` and host code written against
//! this crate exchange commands without re-encoding by hand.
//!
//! | From | To | Kind | Fails when |
//! |---|---|---|---|
//! | `&Command` | `iso7816::command::CommandBuilder<&[u8]>` | `TryFrom` | CLA is `FF` |
//! | `&Command` | `iso7816::Command<S>` | `TryFrom` | CLA is `FF`; data longer than `S` |
//! | `CommandView<'_>` | `Command` | `TryFrom` | see below |
//! | `&iso7816::Command<S>` | `Command` | `TryFrom` | see below |
//!
//! Every field crosses unchanged: CLA, INS, P1, P2, the data, Ne (`iso7816` writes "no Le"
//! as `0`, this crate as `None`; Ne 65 536 is `ExpectedLen::Max` for the builder) and the
//! short/extended choice. What cannot cross is refused, never adjusted:
//! - CLA `FF`: ISO/IEC 7816-3 reserves it for PPS and `iso7816`'s `Class` refuses it, while
//!   this crate's builder takes any class byte ([`IsoConversionError::InvalidClass`]);
//! - an `iso7816::Command` is a growable buffer (command chaining appends to it and marks it
//!   extended): one marked extended with neither data nor Le (an extended case 1 has no
//!   encoding), or with more than 65 535 data bytes, is [`IsoConversionError::Unrepresentable`];
//!   one whose public `extended` flag was cleared while its data or Ne needs the extended
//!   encoding is [`IsoConversionError::ShortTooSmall`];
//! - data longer than the target's capacity `S` is [`IsoConversionError::CapacityExceeded`].
//!
//! A view parsed from bytes always converts: `iso7816`'s parser yields only what an APDU
//! can encode. (It also accepts an extended `Lc` of `0000` followed by a two-byte Le, which
//! this crate's parser refuses as [`super::CommandParseError::ZeroLc`]; converted, that view
//! is the case-2 extended command it describes.)
//!
//! `iso7816::Command<S>` has an inherent `try_from(&[u8])` (its byte parser), which
//! `iso7816::Command::<S>::try_from(x)` calls in preference to the trait: convert with
//! `(&command).try_into()` or `<iso7816::Command<S> as TryFrom<&Command>>::try_from`.
//!
//! The data of a VERIFY is a PIN: `iso7816` keeps it in ordinary memory, which the caller
//! of these conversions then owns and must clear.

use core::fmt;

use iso7816::command::class::Class;
use iso7816::command::{CommandBuilder as IsoCommandBuilder, CommandView, ExpectedLen};

use super::{Command, CommandError, EXTENDED_MAX_NE, SHORT_MAX_LC};

/// Largest Ne of the short encoding, as `iso7816` counts it.
const SHORT_MAX_NE_USIZE: usize = 256;

/// A command cannot cross between this crate and `iso7816` without changing. The caller
/// asked for the conversion, so the caller is at fault (the value is valid on its own side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsoConversionError {
    /// CLA `FF`, which ISO/IEC 7816-3 reserves for PPS and `iso7816` refuses as a class.
    InvalidClass,
    /// The data does not fit the `iso7816::Command<S>` buffer.
    CapacityExceeded {
        /// Data bytes of the command.
        len: usize,
        /// The buffer's capacity `S`.
        capacity: usize,
    },
    /// The `iso7816` command holds what no APDU encodes: more than 65 535 data bytes, or
    /// the extended flag on a command with neither data nor Le.
    Unrepresentable(CommandError),
    /// The `iso7816` command is marked short, but its data or Ne needs the extended
    /// encoding: converting would change the encoding.
    ShortTooSmall {
        /// Data bytes.
        len: usize,
        /// Ne (`0` for no Le).
        ne: usize,
    },
    /// `iso7816` refused the bytes this crate encoded (the two encoders disagree; the
    /// property tests say they do not).
    Refused(iso7816::command::FromSliceError),
}

impl fmt::Display for IsoConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidClass => f.write_str(
                "caller error: CLA FF is reserved (ISO/IEC 7816-3 PPS) and iso7816 refuses it",
            ),
            Self::CapacityExceeded { len, capacity } => write!(
                f,
                "caller error: {len} data bytes exceed the iso7816 buffer of {capacity}"
            ),
            Self::Unrepresentable(e) => write!(f, "iso7816 command has no APDU encoding: {e}"),
            Self::ShortTooSmall { len, ne } => write!(
                f,
                "caller error: iso7816 command marked short carries {len} data bytes and Ne {ne}, which need the extended encoding"
            ),
            Self::Refused(e) => write!(f, "iso7816 refused an encoded command: {e:?}"),
        }
    }
}

impl core::error::Error for IsoConversionError {}

impl<'a> TryFrom<&'a Command> for IsoCommandBuilder<&'a [u8]> {
    type Error = IsoConversionError;

    /// The `iso7816` builder that serializes to the same bytes as [`Command::to_bytes`].
    fn try_from(command: &'a Command) -> Result<Self, Self::Error> {
        let class = Class::try_from(command.cla).map_err(|_| IsoConversionError::InvalidClass)?;
        let le = match command.ne {
            None => ExpectedLen::Ne(0),
            Some(EXTENDED_MAX_NE) => ExpectedLen::Max,
            // The invariants keep Ne in 1..=65 536, and 65 536 is the arm above.
            Some(ne) => ExpectedLen::Ne(u16::try_from(ne).unwrap_or(u16::MAX)),
        };
        let builder = IsoCommandBuilder::new(
            class,
            command.ins.into(),
            command.p1,
            command.p2,
            command.data(),
            le,
        );
        Ok(if command.extended {
            builder.force_extended()
        } else {
            builder
        })
    }
}

impl<const S: usize> TryFrom<&Command> for iso7816::Command<S> {
    type Error = IsoConversionError;

    /// An owned `iso7816` command with the same fields and encoding.
    fn try_from(command: &Command) -> Result<Self, Self::Error> {
        if command.cla == 0xFF {
            return Err(IsoConversionError::InvalidClass);
        }
        let len = command.data.len();
        if len > S {
            return Err(IsoConversionError::CapacityExceeded { len, capacity: S });
        }
        let bytes = command.to_bytes();
        Self::try_from(bytes.as_slice()).map_err(IsoConversionError::Refused)
    }
}

impl TryFrom<CommandView<'_>> for Command {
    type Error = IsoConversionError;

    /// This crate's command with the view's fields and encoding.
    fn try_from(view: CommandView<'_>) -> Result<Self, Self::Error> {
        let data = view.data();
        let ne = view.expected();
        if !view.extended && (data.len() > SHORT_MAX_LC || ne > SHORT_MAX_NE_USIZE) {
            return Err(IsoConversionError::ShortTooSmall {
                len: data.len(),
                ne,
            });
        }
        let mut builder = Command::builder(
            view.class().into_inner(),
            view.instruction().into(),
            view.p1,
            view.p2,
        )
        .data(data);
        if ne != 0 {
            let ne = u32::try_from(ne).unwrap_or(u32::MAX);
            builder = builder.expect(ne);
        }
        if view.extended {
            builder = builder.extended();
        }
        builder.build().map_err(IsoConversionError::Unrepresentable)
    }
}

impl<const S: usize> TryFrom<&iso7816::Command<S>> for Command {
    type Error = IsoConversionError;

    /// This crate's command with the `iso7816` command's fields and encoding.
    fn try_from(command: &iso7816::Command<S>) -> Result<Self, Self::Error> {
        Self::try_from(command.as_view())
    }
}

#[cfg(test)]
#[path = "iso_tests.rs"]
mod tests;
