//! How the virtual card reads a command APDU: with the `iso7816` crate's card-side
//! [`CommandView`] (trussed-dev; DESIGN.md names it), plus the three encodings where the card
//! keeps the answer it gave before it used that crate.

use std::borrow::Cow;

use iso7816::Status;
use iso7816::command::CommandView;

/// Reads a command APDU with iso7816's [`CommandView`] and hands it, with the CLA byte as
/// sent, to `answer`; a command whose lengths do not add up is `6700` (ISO/IEC 7816-4 §5.1,
/// what a card answers), never a panic.
///
/// iso7816 0.2 reads three encodings differently from this card's earlier parser; the card
/// keeps its answers (our choice: a transcript recorded against it stays valid):
/// - CLA `FF` (reserved for PPS by ISO/IEC 7816-3) is refused by iso7816's `Class`; the card
///   reads the lengths as for any class and then answers `6E00`;
/// - a short body `00 xx` (Lc = 0, which ISO/IEC 7816-3 does not allow, then one byte) is read
///   as Le = xx;
/// - an extended body `00 0000 xxxx` (Lc = 0 in extended form, which ISO/IEC 7816-3 does not
///   allow) is `6700`, where iso7816 reads Le = xxxx.
pub(crate) fn read_command<R>(
    bytes: &[u8],
    answer: impl FnOnce(u8, &CommandView<'_>) -> R,
) -> Result<R, Status> {
    let (Some(&cla), Some(header), body) =
        (bytes.first(), bytes.get(..4), bytes.get(4..).unwrap_or(&[]))
    else {
        return Err(Status::WrongLength);
    };
    if matches!(body, [0, 0, 0, _, _]) {
        return Err(Status::WrongLength);
    }
    let mut readable = Cow::Borrowed(bytes);
    if let [0, le] = body {
        readable = Cow::Owned([header, &[*le]].concat());
    }
    if cla == 0xFF
        && let Some(first) = readable.to_mut().first_mut()
    {
        *first = 0x00;
    }
    let view = CommandView::try_from(readable.as_ref()).map_err(|_| Status::WrongLength)?;
    Ok(answer(cla, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (data, Ne, extended) as the card reads them, or the status word it answers.
    fn read(bytes: &[u8]) -> Result<(Vec<u8>, usize, bool), Status> {
        read_command(bytes, |_, c| (c.data().to_vec(), c.expected(), c.extended))
    }

    #[test]
    fn parses_the_four_cases() {
        let c = read(&[0, 0xA4, 4, 0x0C, 2, 0xAA, 0xBB]).unwrap();
        assert_eq!(c, (vec![0xAA, 0xBB], 0, false));
        assert_eq!(read(&[0, 0xB0, 0, 0, 0]).unwrap(), (vec![], 256, false));
        assert_eq!(
            read(&[0, 0xB0, 0, 4, 0, 0x07, 0x6C]).unwrap(),
            (vec![], 1900, true)
        );
        assert_eq!(
            read(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap(),
            (vec![9], 256, false)
        );
        let c = read(&[0x80, 0x2A, 0, 0x80, 0, 0, 1, 9, 0, 0]).unwrap();
        assert_eq!(c, (vec![9], 65536, true));
        assert_eq!(read(&[0, 0x20, 0, 0x80]).unwrap().1, 0);
    }

    #[test]
    fn rejects_bad_lengths() {
        assert_eq!(read(&[0, 0xA4]), Err(Status::WrongLength));
        assert_eq!(read(&[]), Err(Status::WrongLength));
        assert_eq!(read(&[0, 0xA4, 4, 0x0C, 3, 1]), Err(Status::WrongLength));
        assert_eq!(
            read(&[0, 0xA4, 4, 0x0C, 1, 1, 0, 0]),
            Err(Status::WrongLength)
        );
    }

    #[test]
    fn keeps_its_own_answer_where_iso7816_reads_otherwise() {
        // CLA FF: iso7816 refuses the class; the card reads the lengths, then says 6E00.
        let cla = read_command(&[0xFF, 0xB0, 0, 0, 2, 1, 2], |cla, c| (cla, c.data().len()));
        assert_eq!(cla, Ok((0xFF, 2)));
        assert_eq!(read(&[0xFF, 0xB0, 0, 0, 3, 1]), Err(Status::WrongLength));
        // A short Lc of 00 then one byte: read as Le.
        assert_eq!(
            read(&[0, 0xB0, 0, 0, 0, 0x10]).unwrap(),
            (vec![], 16, false)
        );
        assert_eq!(read(&[0, 0xB0, 0, 0, 0, 0]).unwrap(), (vec![], 256, false));
        // An extended Lc of 0000 followed by Le: 6700 (iso7816 alone reads Le here).
        assert!(CommandView::try_from(&[0, 0xB0, 0, 0, 0, 0, 0, 1, 0][..]).is_ok());
        assert_eq!(
            read(&[0, 0xB0, 0, 0, 0, 0, 0, 1, 0]),
            Err(Status::WrongLength)
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = read(&bytes);
        }
    }
}
