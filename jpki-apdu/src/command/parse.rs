//! Parsing command bytes as a card receives them (ISO/IEC 7816-4 §5.1), rejecting
//! inconsistent Lc/Le.

use super::{Command, CommandParseError, EXTENDED_MAX_NE, SHORT_MAX_NE};
use crate::cursor::Cursor;

impl Command {
    /// Parses command bytes (what a card receives), rejecting inconsistent Lc/Le.
    ///
    /// # Errors
    /// [`CommandParseError`] saying what is wrong; the sender is at fault.
    pub fn parse(bytes: &[u8]) -> Result<Self, CommandParseError> {
        let mut cur = Cursor::new(bytes);
        let header = cur.take_array::<4>().ok_or(CommandParseError::TooShort)?;
        let [cla, ins, p1, p2] = header;
        let body = cur.rest();
        let mut command = Self::case1(cla, ins, p1, p2);
        match body {
            [] => {}
            // Case 2S.
            [le] => {
                command.ne = Some(short_ne(*le));
            }
            // Extended: a leading 00 followed by at least two bytes.
            [0x00, b1, b2, rest @ ..] => {
                command.extended = true;
                let n = u16::from_be_bytes([*b1, *b2]);
                if rest.is_empty() {
                    // Case 2E.
                    command.ne = Some(extended_ne(n));
                } else {
                    // Case 3E / 4E: n is Lc and must not be 0.
                    if n == 0 {
                        return Err(CommandParseError::ZeroLc);
                    }
                    let lc = usize::from(n);
                    let (data, tail) = split(rest, lc).ok_or(CommandParseError::LengthMismatch)?;
                    command.data.extend_from_slice(data);
                    match tail {
                        [] => {}
                        [h, l] => command.ne = Some(extended_ne(u16::from_be_bytes([*h, *l]))),
                        _ => return Err(CommandParseError::LengthMismatch),
                    }
                }
            }
            // Short with data (Lc 1–255): case 3S / 4S.
            [lc, rest @ ..] => {
                if *lc == 0 {
                    // `00` followed by fewer than two bytes fits no case.
                    return Err(CommandParseError::LengthMismatch);
                }
                let (data, tail) =
                    split(rest, usize::from(*lc)).ok_or(CommandParseError::LengthMismatch)?;
                command.data.extend_from_slice(data);
                match tail {
                    [] => {}
                    [le] => command.ne = Some(short_ne(*le)),
                    _ => return Err(CommandParseError::LengthMismatch),
                }
            }
        }
        Ok(command)
    }
}

fn split(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    if at <= bytes.len() {
        Some(bytes.split_at(at))
    } else {
        None
    }
}

fn short_ne(le: u8) -> u32 {
    if le == 0 { SHORT_MAX_NE } else { u32::from(le) }
}

fn extended_ne(le: u16) -> u32 {
    if le == 0 {
        EXTENDED_MAX_NE
    } else {
        u32::from(le)
    }
}
