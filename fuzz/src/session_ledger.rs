//! The `session` fuzz target's ledger: what the target fed elig-client's session and what the
//! session handed out, with the checks of the target's invariants (see
//! `fuzz_targets/session.rs`, whose docs state them). A card "exchange" is one command with
//! its `61xx` GET RESPONSE and `6Cxx` follow-ups, joined as jpki-apdu joins them.

use elig_client::gateway::CallId;
use elig_client::session::{CheckRequest, Mode};
use elig_proto::gateway::{self as proto, Basis, InquiryRequest, Proof};
use jpki_apdu::Command;
use reader_backends::TransportError;

/// The staff id the target attests with.
pub const STAFF_ID: &str = "staff-07";

/// One command with its `61xx` / `6Cxx` follow-ups, as jpki-apdu's exchange joins them.
pub struct Exchange {
    /// The first command's INS.
    pub ins: u8,
    /// The first command's data.
    pub command_data: Vec<u8>,
    /// The last command sent had an Le (a `6Cxx` to it is followed by a resend).
    pub last_has_le: bool,
    /// The answers' data, joined.
    pub data: Vec<u8>,
    /// The status word of the last answer (`None`: no answer yet, or not a response APDU).
    pub last_sw: Option<u16>,
    /// Every answer in it came from the virtual card, untouched.
    pub real: bool,
}

impl Exchange {
    /// Whether `command` is a follow-up of this exchange.
    pub fn continues_with(&self, command: &Command) -> bool {
        match self.last_sw.map(|sw| sw >> 8) {
            Some(0x61) => command.ins() == 0xC0,
            Some(0x6C) => self.last_has_le && command.ins() == self.ins,
            _ => false,
        }
    }

    /// The final status word once the exchange is over (`None` while a `61xx` chain goes on).
    pub fn finished(&self) -> Option<u16> {
        self.last_sw.filter(|sw| sw >> 8 != 0x61)
    }
}

/// What the target fed the session and saw it do (see the `session` target's docs for the
/// invariants checked from it).
#[derive(Default)]
pub struct Ledger {
    pub pin_accepted: Option<&'static str>,
    pub pins_accepted: u32,
    pub verify_exchanges: u32,
    pub verify_ok: bool,
    pub sign_exchanges: u32,
    pub signed_digest: Option<Vec<u8>>,
    /// The data of the signature command's `9000` answer, and whether it was real.
    pub signature: Option<(Vec<u8>, bool)>,
    pub clear_sent: bool,
    pub challenges: Vec<[u8; 32]>,
    pub attested: bool,
    pub inquiries: u32,
    pub inquiry_call: Option<CallId>,
    /// The first answer the inquiry's call got: a decoded 200 result (basis, own id), and
    /// whether the sandbox gave it.
    pub inquiry_answer: Option<(Option<(Basis, bool)>, bool)>,
    pub every_apdu_real: bool,
    pub outcomes: u32,
    /// The card exchange in progress.
    pub exchange: Option<Exchange>,
}

impl Ledger {
    /// An exchange is over: what it tells about the path.
    pub fn close(&mut self, exchange: &Exchange) {
        let sw = exchange.finished();
        match exchange.ins {
            0x20 if !exchange.command_data.is_empty() => {
                if sw == Some(0x9000) {
                    self.verify_ok = true;
                }
            }
            0x2A if sw == Some(0x9000) => {
                self.signature = Some((exchange.data.clone(), exchange.real));
            }
            _ => {}
        }
    }

    /// A new exchange starts with `command`.
    pub fn open(&mut self, command: &Command, mode: Mode) {
        match command.ins() {
            0x20 if !command.data().is_empty() => {
                self.verify_exchanges += 1;
                assert!(mode == Mode::Pin, "a PIN sent in 目視確認 mode");
                assert!(self.verify_exchanges <= 1, "the PIN sent twice");
                assert_eq!(
                    Some(command.data()),
                    self.pin_accepted.map(str::as_bytes),
                    "the card got another PIN than the operator gave"
                );
            }
            0x2A => {
                self.sign_exchanges += 1;
                assert!(mode == Mode::Pin, "a signature in 目視確認 mode");
                assert!(self.sign_exchanges <= 1, "a second signature");
                assert!(self.verify_ok, "a signature command before a verified PIN");
                let data = command.data();
                self.signed_digest = data
                    .get(data.len().saturating_sub(32)..)
                    .map(<[u8]>::to_vec);
            }
            0xA4 if self.sign_exchanges > 0 => self.clear_sent = true,
            _ => {}
        }
    }

    /// The session handed out command APDU `bytes`: it continues the open exchange
    /// (GET RESPONSE after `61xx`, the resend after `6Cxx`) or closes it and opens another.
    pub fn command(&mut self, bytes: &[u8], mode: Mode) {
        let command = Command::parse(bytes).expect("the session's APDU parses");
        if let Some(open) = self
            .exchange
            .as_mut()
            .filter(|e| e.continues_with(&command))
        {
            open.last_has_le = command.ne().is_some();
            return;
        }
        if let Some(done) = self.exchange.take() {
            self.close(&done);
        }
        self.open(&command, mode);
        self.exchange = Some(Exchange {
            ins: command.ins(),
            command_data: command.data().to_vec(),
            last_has_le: command.ne().is_some(),
            data: Vec::new(),
            last_sw: None,
            real: true,
        });
    }

    /// The card's answer to the last command (`real`: the virtual card's, untouched).
    pub fn card_answer(&mut self, answer: &Result<Vec<u8>, TransportError>, real: bool) {
        self.every_apdu_real &= real;
        let Some(open) = self.exchange.as_mut() else {
            return;
        };
        open.real &= real;
        match answer {
            Ok(bytes) if bytes.len() >= 2 => {
                let (data, sw) = bytes.split_at(bytes.len() - 2);
                open.data.extend_from_slice(data);
                open.last_sw = Some(u16::from_be_bytes([sw[0], sw[1]]));
            }
            _ => open.last_sw = None,
        }
        // Closed now when no follow-up can come (a `6Cxx` to a command with Le is resent).
        let resend = open.last_sw.map(|sw| sw >> 8) == Some(0x6C) && open.last_has_le;
        if open.finished().is_some() && !resend {
            if let Some(done) = self.exchange.take() {
                self.close(&done);
            }
        }
    }

    /// The session handed out its inquiry `body` under call `id`; `request` is the check's.
    pub fn inquiry(&mut self, request: &CheckRequest, mode: Mode, id: CallId, body: &[u8]) {
        self.inquiries += 1;
        assert_eq!(self.inquiries, 1, "a second inquiry");
        self.inquiry_call = Some(id);
        let inquiry: InquiryRequest = proto::decode(body).expect("the session's inquiry decodes");
        assert_eq!(inquiry.request_id, request.request_id);
        assert_eq!(inquiry.facility, request.facility);
        assert_eq!(inquiry.checkup_date, request.checkup_date);
        match (&inquiry.proof, mode) {
            (Proof::Pin(proof), Mode::Pin) => {
                let (signature, _) = self
                    .signature
                    .as_ref()
                    .expect("an inquiry without a signature answer");
                assert!(
                    self.verify_ok && self.clear_sent,
                    "an inquiry before VERIFY or the clear step"
                );
                assert_eq!(
                    proof.signature.as_bytes(),
                    signature.as_slice(),
                    "not the card's signature"
                );
                assert_eq!(
                    Some(&proof.digest.0[..]),
                    self.signed_digest.as_deref(),
                    "not the signed digest"
                );
                assert!(
                    self.challenges.contains(proof.challenge.as_bytes()),
                    "a challenge nobody issued"
                );
                let digest = proto::digest(
                    inquiry.version,
                    &proof.challenge,
                    &inquiry.facility,
                    inquiry.checkup_date,
                    &inquiry.request_id,
                    inquiry.search.as_ref(),
                );
                assert_eq!(digest, proof.digest.0, "the digest is not over the inquiry");
            }
            (Proof::Visual(visual), Mode::VisualConfirmation) => {
                assert!(self.attested);
                assert_eq!(visual.confirmed_by, STAFF_ID);
                assert!(visual.photo_matches);
            }
            _ => panic!("the inquiry's proof does not fit the mode"),
        }
    }

    /// The outcome is eligible: the whole verified path must be in the ledger.
    pub fn eligible(&self, mode: Mode) {
        let Some((Some((basis, own_id)), from_sandbox)) = self.inquiry_answer else {
            panic!("eligible without a 200 result as the inquiry's first answer");
        };
        assert!(own_id, "eligible on another request's result");
        assert_eq!(self.inquiries, 1);
        match mode {
            Mode::VisualConfirmation => assert!(self.attested),
            _ => {
                assert_eq!(
                    basis,
                    Basis::CardSignature,
                    "eligible without the card-signature basis"
                );
                assert_eq!(self.pins_accepted, 1);
                assert_eq!(self.verify_exchanges, 1);
                assert!(self.verify_ok && self.clear_sent);
                let (_, real) = self
                    .signature
                    .as_ref()
                    .expect("eligible without a signature");
                if from_sandbox {
                    assert!(
                        real,
                        "the sandbox accepted a signature the card did not make"
                    );
                }
            }
        }
    }
}
