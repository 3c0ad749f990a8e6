//! Helpers shared by the elig SDK's fuzz targets (see `README.md`).
//!
//! Input framing used by every target that needs several messages (a card's responses, a
//! sequence of commands): a list of frames, each `u16` big-endian length + that many bytes;
//! a last frame shorter than its length takes what is left. `frames(&[0, 2, 0x90, 0x00])`
//! yields `[90 00]`. The seed generator (`cargo run -p elig-benches --bin make-fuzz-seeds`)
//! writes the same framing.

pub mod session_ledger;

use jpki_apdu::{Command, Procedure, ReaderLimits, Response, Step};

/// Splits `data` into frames (`u16` BE length + bytes), at most `max` of them.
pub fn frames(mut data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while out.len() < max {
        let Some((len, rest)) = data.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len));
        let (frame, rest) = rest.split_at(len.min(rest.len()));
        out.push(frame);
        data = rest;
    }
    out
}

/// Encodes frames as [`frames`] reads them (used by the seed generator and in tests).
pub fn encode_frames<'a>(frames: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for frame in frames {
        let len = u16::try_from(frame.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(frame.get(..usize::from(len)).unwrap_or(frame));
    }
    out
}

/// The reader limits a fuzz input selects with one byte: short-only, extended with the
/// usual 64 KiB, or extended with a small odd maximum (a reader quirk).
pub fn limits_from(selector: u8) -> ReaderLimits {
    match selector % 4 {
        0 => ReaderLimits::short_only(),
        1 => ReaderLimits::extended(65_538),
        2 => ReaderLimits::extended(usize::from(selector) * 37 + 300),
        _ => ReaderLimits::short_only().with_max_response_len(usize::from(selector) + 3),
    }
}

/// Runs `procedure` against the card responses in `responses`, checking on every step what
/// must hold whatever the card says:
/// - every command it emits fits `limits` (a procedure never sends what the reader cannot
///   carry, GET RESPONSE and `6Cxx` resends included; see [`check_command`]), and
///   survives `to_bytes` → `Command::parse` unchanged;
/// - `handle` accepts the response to every command `poll` returned.
///
/// Returns the procedure's result, or `None` when the responses ran out or one of them was
/// not a response APDU.
pub fn drive_with<P: Procedure>(
    mut procedure: P,
    responses: &[&[u8]],
    limits: &ReaderLimits,
) -> Option<Result<P::Output, jpki_apdu::procedure::Error>> {
    let mut responses = responses.iter();
    let mut follow_up = false;
    loop {
        match procedure.poll() {
            Err(e) => return Some(Err(e)),
            Ok(Step::Done(output)) => return Some(Ok(output)),
            Ok(Step::Send(command)) => {
                check_command(&command, limits, follow_up);
                let answer = responses.next()?;
                let response = Response::parse(answer).ok()?;
                follow_up = is_transport_follow_up(response.status().to_u16());
                if let Err(e) = procedure.handle(response) {
                    panic!("handle() after Send must accept the response: {e}");
                }
            }
        }
    }
}

/// `61xx` (GET RESPONSE follows) or `6Cxx` (the command is resent with Le = `xx`).
pub fn is_transport_follow_up(sw: u16) -> bool {
    matches!(sw >> 8, 0x61 | 0x6C)
}

/// A command a procedure emits must fit the reader and round-trip through its encoding.
///
/// Found by this fuzzer: the GET RESPONSE after `61xx` and the resend after `6Cxx` took Le
/// from the card (`xx`) without capping it at the reader's `max_response_data`. jpki-apdu
/// now caps it in every procedure (each takes the reader's limits, issue 10 item 3), so
/// follow-ups are held to the limits like every other command. `follow_up` marks such a
/// command, for the panic message only.
pub fn check_command(command: &Command, limits: &ReaderLimits, follow_up: bool) {
    if let Err(e) = command.check_limits(limits) {
        let what = if follow_up {
            "a follow-up to 61xx/6Cxx"
        } else {
            "a command"
        };
        panic!("procedure emitted {what} the reader cannot carry: {e} ({command:?}, {limits:?})");
    }
    let bytes = command.to_bytes();
    assert_eq!(
        bytes.len(),
        command.encoded_len(),
        "encoded_len disagrees with to_bytes"
    );
    let again = Command::parse(&bytes).expect("an emitted command must parse");
    assert_eq!(&again, command, "emitted command does not round-trip");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_round_trips() {
        let data = encode_frames([&[0x90u8, 0x00][..], &[], &[1, 2, 3]]);
        assert_eq!(data, [0, 2, 0x90, 0, 0, 0, 0, 3, 1, 2, 3]);
        assert_eq!(
            frames(&data, 10),
            vec![&[0x90u8, 0x00][..], &[], &[1, 2, 3]]
        );
        assert_eq!(frames(&data, 1).len(), 1);
        assert_eq!(frames(&[0, 5, 1], 10), vec![&[1u8][..]]);
    }
}
