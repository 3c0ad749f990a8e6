//! The card commands of `domain/card.md` ("Commands" table, public fact), as [`Command`]
//! values ready to encode.

use super::{Command, CommandBuilder, CommandError};
use crate::digest::DigestInfo;
use crate::ids::{Aid, FileId};
use crate::pin::{Pin, secret_bytes};

/// Highest READ BINARY offset: P1P2 carries 15 bits (P1 b8 = 0 means "offset", not SFI).
pub const MAX_READ_OFFSET: u16 = 0x7FFF;

/// SELECT by full AID, no response data: `00 A4 04 0C Lc AID`.
#[must_use]
pub fn select_application(aid: Aid) -> Command {
    // An Aid is 5–16 bytes, so the short encoding always fits.
    Command::fixed([0x00, 0xA4, 0x04, 0x0C], aid.as_bytes(), None)
}

/// SELECT EF by file identifier, no response data: `00 A4 02 0C 02 <FID>`.
#[must_use]
pub fn select_file(fid: FileId) -> Command {
    Command::fixed([0x00, 0xA4, 0x02, 0x0C], &fid.to_bytes(), None)
}

/// READ BINARY `00 B0 P1P2 Le` at a 15-bit `offset`, asking for `ne` bytes (1–65 536).
/// Short (`Le` one byte, `00` = 256) when `ne ≤ 256`, extended (`00 HH LL`) above.
///
/// # Errors
/// [`CommandError::OffsetOutOfRange`] above `0x7FFF`, [`CommandError::InvalidNe`] for
/// `ne` outside 1–65 536.
pub fn read_binary(offset: u16, ne: u32) -> Result<Command, CommandError> {
    read_binary_builder(offset, ne)?.build()
}

/// READ BINARY in the extended encoding even for `ne ≤ 256` (`00 B0 P1 P2 00 HH LL`).
///
/// # Errors
/// As [`read_binary`].
pub fn read_binary_extended(offset: u16, ne: u32) -> Result<Command, CommandError> {
    read_binary_builder(offset, ne)?.extended().build()
}

fn read_binary_builder(offset: u16, ne: u32) -> Result<CommandBuilder, CommandError> {
    if offset > MAX_READ_OFFSET {
        return Err(CommandError::OffsetOutOfRange {
            offset: usize::from(offset),
        });
    }
    let [p1, p2] = offset.to_be_bytes();
    Ok(Command::builder(0x00, 0xB0, p1, p2).expect(ne))
}

/// VERIFY `00 20 00 80 Lc <ASCII PIN>` against the PIN EF selected before. The command's
/// data lives in zeroizing memory and its `Debug` redacts it.
#[must_use]
pub fn verify<P: Pin + ?Sized>(pin: &P) -> Command {
    Command::fixed([0x00, 0x20, 0x00, 0x80], secret_bytes(pin), None)
}

/// The retry query `00 20 00 80` (VERIFY without data): spends no try. Answers (card.md):
/// `63Cx` = x tries left, `63C0`/`6984` = blocked, `6300` = no limit, `9000` = already
/// verified in this security state.
#[must_use]
pub fn retry_query() -> Command {
    Command::case1(0x00, 0x20, 0x00, 0x80)
}

/// CHANGE REFERENCE DATA `00 24 01 80 Lc <new PIN>`, after a successful VERIFY of the PIN
/// EF selected before. `new` must be of the same kind as the verified PIN.
#[must_use]
pub fn change_reference_data<P: Pin + ?Sized>(new: &P) -> Command {
    Command::fixed([0x00, 0x24, 0x01, 0x80], secret_bytes(new), None)
}

/// COMPUTE DIGITAL SIGNATURE `80 2A 00 80 Lc <DigestInfo> 00`, after SELECT of the key EF
/// (`0017` / `001A`). P1 `00` with a host-built DigestInfo is the portable scheme every
/// implementation uses (card.md). The card answers a 256-byte RSA PKCS#1 v1.5 signature.
#[must_use]
pub fn compute_digital_signature(digest_info: &DigestInfo) -> Command {
    Command::fixed([0x80, 0x2A, 0x00, 0x80], digest_info.as_bytes(), Some(256))
}

/// GET RESPONSE `00 C0 00 00 xx` after a `61xx`; `xx = 00` asks for 256 bytes.
#[must_use]
pub fn get_response(xx: u8) -> Command {
    let ne = if xx == 0 { 256 } else { u32::from(xx) };
    Command::fixed([0x00, 0xC0, 0x00, 0x00], &[], Some(ne))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{self, jpki};
    use crate::pin::{AuthPin, SignPassword};

    fn hex(s: &str) -> Vec<u8> {
        crate::test_util::hex(s)
    }

    #[test]
    fn golden_bytes() {
        assert_eq!(
            *select_application(ids::JPKI_AP).to_bytes(),
            hex("00A4040C0AD392F000260100000001")
        );
        assert_eq!(
            *select_application(ids::ASSIST_AP).to_bytes(),
            hex("00A4040C0AD3921000310001010408")
        );
        assert_eq!(
            *select_application(ids::ISD).to_bytes(),
            hex("00A4040C07A0000001510000")
        );
        assert_eq!(
            *select_file(jpki::AUTH_CERT).to_bytes(),
            hex("00A4020C02000A")
        );
        assert_eq!(*read_binary(0, 256).unwrap().to_bytes(), hex("00B0000000"));
        assert_eq!(
            *read_binary(0x0100, 4).unwrap().to_bytes(),
            hex("00B0010004")
        );
        assert_eq!(
            *read_binary(0x0004, 0x0768).unwrap().to_bytes(),
            hex("00B00004000768")
        );
        assert_eq!(
            *read_binary(0, 65_536).unwrap().to_bytes(),
            hex("00B00000000000")
        );
        assert_eq!(
            *read_binary_extended(0x0010, 16).unwrap().to_bytes(),
            hex("00B00010000010")
        );
        assert_eq!(
            read_binary(0x8000, 1),
            Err(CommandError::OffsetOutOfRange { offset: 0x8000 })
        );
        assert_eq!(read_binary(0, 0), Err(CommandError::InvalidNe { ne: 0 }));
        let pin = AuthPin::new("1234").unwrap();
        assert_eq!(*verify(&pin).to_bytes(), hex("0020008004 31323334"));
        assert_eq!(*retry_query().to_bytes(), hex("00200080"));
        let pw = SignPassword::new("abc123").unwrap();
        assert_eq!(
            *change_reference_data(&pw).to_bytes(),
            hex("0024018006 414243313233")
        );
        assert_eq!(*get_response(0x10).to_bytes(), hex("00C0000010"));
        assert_eq!(*get_response(0).to_bytes(), hex("00C0000000"));
        let di = DigestInfo::sha256(&[0xAB; 32]);
        let mut expected = hex("802A008033 3031300D060960864801650304020105000420");
        expected.extend_from_slice(&[0xAB; 32]);
        expected.push(0x00);
        assert_eq!(*compute_digital_signature(&di).to_bytes(), expected);
    }

    #[test]
    fn verify_debug_redacts_the_pin() {
        let pin = AuthPin::new("1234").unwrap();
        let dbg = format!("{:?}", verify(&pin));
        assert!(!dbg.contains("31323334"), "{dbg}");
        assert!(dbg.contains("redacted"), "{dbg}");
    }
}
