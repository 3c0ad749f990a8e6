//! The SDK's own CPU for one PIN-mode check: everything but the card and the network
//! (DESIGN.md, "Targets": under 1% of a 300 ms card signature, i.e. 3 ms).
//!
//! elig-client (the session state machine) is not in the workspace yet, so the check is
//! composed from the crates that are, in DESIGN.md's order:
//! 1. decode the gateway's challenge answer;
//! 2. compute the domain-separated to-be-signed digest and its DigestInfo;
//! 3. run jpki-apdu's `PinModeCheck` (select, certificate read, retry query, VERIFY, SIGN,
//!    clear) against the recorded answers of the virtual card — every command is compared
//!    with the recording, so the replay is the real procedure's work;
//! 4. parse the certificate read from the card (x509-cert);
//! 5. build and encode the inquiry (elig-sandbox's public inquiry builders: elig-proto has
//!    no public constructor for `InquiryRequest`);
//! 6. decode the gateway's result and compute the verdict against the voucher
//!    (voucher-model).

use der::Decode as _;
use elig_proto::gateway::{self as proto, ChallengeResponse, InquiryResult, RequestId};
use jpki_apdu::procedure::{LastTry, PinModeCheck};
use jpki_apdu::{AuthPin, DigestInfo, ReaderLimits, drive};
use voucher_model::{Evidence, OnlineChannel, OnlineMode, Purpose, RequestedUse, Verdict, verify};
use x509_cert::Certificate;

use crate::FixtureError;
use crate::fixtures::{Exchange, Fixtures, PIN, REQUEST_ID};

/// Why a replayed check failed (it never should: the recording came from the same code).
fn fail(what: &str) -> FixtureError {
    FixtureError::Replay(what.to_owned())
}

/// Runs the whole client-side check once and returns its verdict and the inquiry body sent.
///
/// # Errors
/// [`FixtureError::Replay`] if the procedure sends another command than recorded, or any
/// step refuses its input.
pub fn pin_mode_check(
    f: &Fixtures,
    transcript: &[Exchange],
    limits: ReaderLimits,
) -> Result<(Verdict, Vec<u8>), FixtureError> {
    // 1. The challenge.
    let challenge: ChallengeResponse =
        proto::decode(&f.gateway.challenge_response).map_err(|e| fail(&e.to_string()))?;
    // 2. The digest the card signs.
    let request_id = RequestId::new(REQUEST_ID).ok_or_else(|| fail("request id"))?;
    let digest = proto::digest(
        proto::PROTOCOL_VERSION,
        &challenge.challenge,
        &f.facility,
        f.checkup_date,
        &request_id,
        Some(&f.search),
    );
    // 3. The card side, replayed.
    let pin = AuthPin::new(PIN).map_err(|e| fail(&e.to_string()))?;
    let check = PinModeCheck::up_front(pin, LastTry::Refuse, DigestInfo::sha256(&digest), limits);
    let mut answers = transcript.iter();
    let evidence = drive(check, |command: &[u8]| {
        let exchange = answers.next().ok_or("more commands than recorded")?;
        if exchange.command != command {
            return Err("a command differs from the recording");
        }
        Ok(exchange.response.clone())
    })
    .map_err(|e| fail(&e.to_string()))?;
    // 4. The certificate.
    let cert = Certificate::from_der(&evidence.certificate).map_err(|e| fail(&e.to_string()))?;
    if cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .is_empty()
    {
        return Err(fail("certificate without a key"));
    }
    // 5. The inquiry.
    let unsigned = elig_sandbox::inquiry::unsigned(
        REQUEST_ID,
        &f.facility,
        f.checkup_date,
        Some(&f.search),
        &evidence.certificate,
    )
    .map_err(|e| fail(&e.to_string()))?;
    let inquiry =
        elig_sandbox::inquiry::with_pin(unsigned, challenge.challenge, digest, evidence.signature)
            .map_err(|e| fail(&e.to_string()))?;
    let body = proto::encode(&inquiry).map_err(|e| fail(&e.to_string()))?;
    // 6. The result and the verdict.
    let result: InquiryResult =
        proto::decode(&f.gateway.result).map_err(|e| fail(&e.to_string()))?;
    let evidence = Evidence::online(
        OnlineChannel::Limited,
        OnlineMode::Pin {
            signature_verified: true,
        },
        result.response,
    );
    let purpose = Purpose::for_online_check(RequestedUse::SpecificHealthCheckup)
        .map_err(|e| fail(&e.to_string()))?;
    Ok((verify(&f.voucher, &evidence, f.checkup_date, purpose), body))
}
