//! Parse-only, every card procedure of jpki-apdu fed arbitrary card responses, with the PIN
//! safety rules of card.md checked on what the procedure sends:
//! - a PIN is sent at most once (never re-sent after a failure);
//! - with `LastTry::Refuse`, no PIN is sent after the retry query said one try is left;
//! - COMPUTE DIGITAL SIGNATURE is only sent after the card answered `9000` to a VERIFY or
//!   to the retry query (already verified) (PinModeCheck);
//! - once the JPKI AP was selected (`9000`, directly or after GET RESPONSE), a finished
//!   PinModeCheck has selected another AID (the ISD or another application) to clear the
//!   verified state (DESIGN.md step 6).
//!
//! - the paused PinModeCheck (procedure 7 with bit 6 set) never asks for the PIN of a
//!   blocked PIN, asks for it at most once, asks for the digest only when it was not
//!   supplied, and after a cancel never finishes with evidence.
//!
//! Input: byte 0 picks the procedure, byte 1 the reader limits, then the card's responses
//! as frames (`u16` BE length + bytes). For procedure 7 with bit 6 set, bits 3–5 of byte 0
//! choose when the paused check is cancelled (0: never, n: after n commands) and bit 6 of
//! byte 1 whether the digest comes up front or at its pause.
#![no_main]

use elig_fuzz::{check_command, frames, is_transport_follow_up, limits_from};
use jpki_apdu::procedure::{
    CheckStep, ClearState, Error, LastTry, PinModeCheck, PinModeEvidence, PinStatus,
    QueryPinStatus, SelectApplication, Sign, VerifyPin,
};
use jpki_apdu::{
    AssistPin, AuthPin, DigestInfo, Procedure, ReaderLimits, Response, SignPassword, Step, ids,
};
use libfuzzer_sys::fuzz_target;

/// What the driver saw go to and come from the card.
#[derive(Default)]
struct Trace {
    /// (INS, P1, has data, response status) per exchange.
    exchanges: Vec<(u8, u8, bool, u16)>,
    /// The AID of each SELECT by name (empty for other commands).
    aids: Vec<Vec<u8>>,
    finished: bool,
}

impl Trace {
    /// The status a command finally got: its own, or that of the GET RESPONSE chain that
    /// followed its `61xx`.
    fn final_status(&self, i: usize) -> u16 {
        let mut sw = self.exchanges[i].3;
        for e in &self.exchanges[i + 1..] {
            if sw >> 8 != 0x61 || e.0 != 0xC0 {
                break;
            }
            sw = e.3;
        }
        sw
    }
}

fn run<P: Procedure>(mut p: P, responses: &[&[u8]], limits: &ReaderLimits) -> Trace {
    let mut trace = Trace::default();
    let mut responses = responses.iter();
    let mut follow_up = false;
    loop {
        match p.poll() {
            Ok(Step::Done(_)) | Err(_) => {
                trace.finished = true;
                return trace;
            }
            Ok(Step::Send(command)) => {
                check_command(&command, limits, follow_up);
                let Some(answer) = responses.next() else {
                    return trace;
                };
                let Ok(response) = Response::parse(answer) else {
                    return trace;
                };
                follow_up = is_transport_follow_up(response.status().to_u16());
                trace.exchanges.push((
                    command.ins(),
                    command.p1(),
                    !command.data().is_empty(),
                    response.status().to_u16(),
                ));
                let by_name = command.ins() == SELECT && command.p1() == 0x04;
                trace.aids.push(if by_name {
                    command.data().to_vec()
                } else {
                    Vec::new()
                });
                p.handle(response)
                    .expect("handle() after Send accepts the response");
            }
        }
    }
}

/// The paused check driven as a `Procedure`: the PIN supplied at its pause, the digest up
/// front or at its pause, a cancel after `cancel_after` commands; the pauses are checked.
struct Paused {
    check: PinModeCheck,
    pin: Option<AuthPin>,
    consent: LastTry,
    digest: Option<DigestInfo>,
    cancel_after: Option<usize>,
    sent: usize,
    cancelled: bool,
}

impl Procedure for Paused {
    type Output = PinModeEvidence;

    fn poll(&mut self) -> Result<Step<PinModeEvidence>, Error> {
        if self.cancel_after == Some(self.sent) && !self.cancelled {
            self.cancelled = true;
            self.check.cancel();
        }
        loop {
            match self.check.poll() {
                Ok(CheckStep::Send(command)) => {
                    self.sent += 1;
                    return Ok(Step::Send(command));
                }
                Ok(CheckStep::Done(evidence)) => {
                    assert!(!self.cancelled, "a cancelled check finished with evidence");
                    return Ok(Step::Done(evidence));
                }
                Err(e) => return Err(e),
                Ok(CheckStep::NeedPin { status }) => {
                    assert_ne!(status, PinStatus::Blocked, "asked for a blocked PIN");
                    assert!(!self.cancelled, "asked for a PIN after a cancel");
                    let pin = self.pin.take().expect("the PIN is asked for once");
                    self.check
                        .supply_pin(pin, self.consent)
                        .expect("the PIN is taken at its pause");
                }
                Ok(CheckStep::NeedDigest) => {
                    assert!(!self.cancelled, "asked for a digest after a cancel");
                    let digest = self.digest.take().expect("a digest given up front");
                    self.check
                        .supply_digest(digest)
                        .expect("the digest is taken at its pause");
                }
            }
        }
    }

    fn handle(&mut self, response: Response) -> Result<(), Error> {
        self.check.handle(response)
    }
}

const VERIFY: u8 = 0x20;
const SELECT: u8 = 0xA4;
const SIGN: u8 = 0x2A;

fn check_pin_rules(trace: &Trace, consent: LastTry) {
    let pins_sent = trace
        .exchanges
        .iter()
        .filter(|e| e.0 == VERIFY && e.2)
        .count();
    assert!(pins_sent <= 1, "a PIN was sent {pins_sent} times");
    if consent == LastTry::Refuse {
        // A VERIFY with data right after a retry query that answered 63C1 is forbidden.
        for pair in trace.exchanges.windows(2) {
            let (query, verify) = (pair[0], pair[1]);
            if query.0 == VERIFY && !query.2 && query.3 == 0x63C1 {
                assert!(
                    !(verify.0 == VERIFY && verify.2),
                    "last try spent without consent"
                );
            }
        }
    }
}

fn check_pin_mode(trace: &Trace) {
    // Verified: a VERIFY answered 9000, or a retry query answered 9000 (already verified).
    let verified_at = (0..trace.exchanges.len())
        .find(|&i| trace.exchanges[i].0 == VERIFY && trace.final_status(i) == 0x9000);
    for (i, e) in trace.exchanges.iter().enumerate() {
        if e.0 == SIGN {
            assert!(
                verified_at.is_some_and(|v| v < i),
                "signature asked before a verified PIN"
            );
        }
    }
    let jpki = ids::JPKI_AP.as_bytes();
    let ap_selected_at = (0..trace.exchanges.len())
        .find(|&i| trace.aids[i] == jpki && trace.final_status(i) == 0x9000);
    if let (true, Some(at)) = (trace.finished, ap_selected_at) {
        let cleared = trace
            .aids
            .iter()
            .skip(at + 1)
            .any(|aid| !aid.is_empty() && aid != jpki);
        assert!(
            cleared,
            "finished after selecting the JPKI AP without selecting another AID"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, limits_byte, rest @ ..] = data else {
        return;
    };
    let limits = limits_from(*limits_byte);
    let responses = frames(rest, 2048);
    let consent = if which & 0x80 == 0 {
        LastTry::Refuse
    } else {
        LastTry::Allow
    };
    let digest = DigestInfo::sha256(&[0x5A; 32]);
    match which % 8 {
        0 => {
            run(
                QueryPinStatus::new(ids::jpki::AUTH_PIN, limits),
                &responses,
                &limits,
            );
        }
        1 => {
            let pin = AuthPin::new("1234").expect("valid PIN");
            check_pin_rules(
                &run(VerifyPin::auth(pin, consent, limits), &responses, &limits),
                consent,
            );
        }
        2 => {
            let pw = SignPassword::new("abc123").expect("valid password");
            check_pin_rules(
                &run(VerifyPin::sign(pw, consent, limits), &responses, &limits),
                consent,
            );
        }
        3 => {
            let pin = AssistPin::new("1234").expect("valid PIN");
            check_pin_rules(
                &run(VerifyPin::assist(pin, consent, limits), &responses, &limits),
                consent,
            );
        }
        4 => {
            run(Sign::with_auth_key(digest, limits), &responses, &limits);
        }
        5 => {
            run(ClearState::new(ids::JPKI_AP, limits), &responses, &limits);
        }
        6 => {
            run(
                SelectApplication::new(ids::ASSIST_AP, limits),
                &responses,
                &limits,
            );
        }
        _ if which & 0x40 != 0 => {
            let mut check = PinModeCheck::new(limits);
            let mut late_digest = Some(digest);
            if limits_byte & 0x40 == 0 {
                if let Some(d) = late_digest.take() {
                    check
                        .supply_digest(d)
                        .expect("a fresh check takes a digest");
                }
            }
            let cancel_after = match (which >> 3) & 0x07 {
                0 => None,
                n => Some(usize::from(n)),
            };
            let paused = Paused {
                check,
                pin: Some(AuthPin::new("1234").expect("valid PIN")),
                consent,
                digest: late_digest,
                cancel_after,
                sent: 0,
                cancelled: false,
            };
            let trace = run(paused, &responses, &limits);
            check_pin_rules(&trace, consent);
            check_pin_mode(&trace);
        }
        _ => {
            let pin = AuthPin::new("1234").expect("valid PIN");
            let trace = run(
                PinModeCheck::up_front(pin, consent, digest, limits),
                &responses,
                &limits,
            );
            check_pin_rules(&trace, consent);
            check_pin_mode(&trace);
        }
    }
});
