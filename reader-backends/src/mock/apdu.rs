//! The card-side view of a command APDU (ISO/IEC 7816-4 §5.1): header, optional data and
//! Le, in short or extended form. The virtual card parses what a real card receives, so a
//! malformed encoding is answered `6700` like a card would, never a panic.

/// A parsed command as the card sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CardCommand<'a> {
    pub(crate) cla: u8,
    pub(crate) ins: u8,
    pub(crate) p1: u8,
    pub(crate) p2: u8,
    pub(crate) data: &'a [u8],
    /// Ne: the maximum number of response bytes the host accepts (0 = none expected).
    pub(crate) ne: usize,
    /// Whether the extended-length encoding was used.
    pub(crate) extended: bool,
}

/// A header the card could not even read, or a body whose lengths do not add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Fewer than 4 bytes: no header at all.
    TooShort,
    /// Lc/Le do not match the body length (`6700`).
    WrongLength,
}

impl<'a> CardCommand<'a> {
    /// Parses the four ISO cases in both encodings.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (header, body) = bytes.split_at_checked(4).ok_or(ParseError::TooShort)?;
        let [cla, ins, p1, p2] = <[u8; 4]>::try_from(header).map_err(|_| ParseError::TooShort)?;
        let mut cmd = Self {
            cla,
            ins,
            p1,
            p2,
            data: &[],
            ne: 0,
            extended: false,
        };
        match body {
            // Case 1.
            [] => {}
            // Case 2 short: Le, 00 = 256.
            [le] => cmd.ne = short_ne(*le),
            // Case 2 extended: 00 Le1 Le2, 0000 = 65536.
            [0, hi, lo] => {
                cmd.ne = ext_ne(*hi, *lo);
                cmd.extended = true;
            }
            [0, hi, lo, rest @ ..] => {
                // Extended Lc.
                let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
                if lc == 0 {
                    return Err(ParseError::WrongLength);
                }
                let (data, tail) = rest.split_at_checked(lc).ok_or(ParseError::WrongLength)?;
                cmd.data = data;
                cmd.extended = true;
                match tail {
                    [] => {}
                    [hi, lo] => cmd.ne = ext_ne(*hi, *lo),
                    _ => return Err(ParseError::WrongLength),
                }
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                let (data, tail) = rest.split_at_checked(lc).ok_or(ParseError::WrongLength)?;
                cmd.data = data;
                match tail {
                    [] => {}
                    [le] => cmd.ne = short_ne(*le),
                    _ => return Err(ParseError::WrongLength),
                }
            }
        }
        Ok(cmd)
    }
}

fn short_ne(le: u8) -> usize {
    if le == 0 { 256 } else { usize::from(le) }
}

fn ext_ne(hi: u8, lo: u8) -> usize {
    match u16::from_be_bytes([hi, lo]) {
        0 => 65536,
        n => usize::from(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_cases() {
        let c = CardCommand::parse(&[0, 0xA4, 4, 0x0C, 2, 0xAA, 0xBB]).unwrap();
        assert_eq!((c.data, c.ne, c.extended), (&[0xAA, 0xBB][..], 0, false));
        let c = CardCommand::parse(&[0, 0xB0, 0, 0, 0]).unwrap();
        assert_eq!((c.ne, c.extended), (256, false));
        let c = CardCommand::parse(&[0, 0xB0, 0, 4, 0, 0x07, 0x6C]).unwrap();
        assert_eq!((c.ne, c.extended), (1900, true));
        let c = CardCommand::parse(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap();
        assert_eq!((c.data, c.ne), (&[9][..], 256));
        let c = CardCommand::parse(&[0x80, 0x2A, 0, 0x80, 0, 0, 1, 9, 0, 0]).unwrap();
        assert_eq!((c.data, c.ne, c.extended), (&[9][..], 65536, true));
        assert_eq!(CardCommand::parse(&[0, 0x20, 0, 0x80]).unwrap().ne, 0);
    }

    #[test]
    fn rejects_bad_lengths() {
        assert_eq!(CardCommand::parse(&[0, 0xA4]), Err(ParseError::TooShort));
        assert_eq!(
            CardCommand::parse(&[0, 0xA4, 4, 0x0C, 3, 1]),
            Err(ParseError::WrongLength)
        );
        assert_eq!(
            CardCommand::parse(&[0, 0xA4, 4, 0x0C, 1, 1, 0, 0]),
            Err(ParseError::WrongLength)
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = CardCommand::parse(&bytes);
        }
    }
}
