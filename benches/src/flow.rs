//! The SDK's own CPU for one PIN-mode check: everything but the card and the network
//! (DESIGN.md, "Targets": under 1% of a 300 ms card signature, i.e. 3 ms; issue 11's goal:
//! under 100 µs).
//!
//! The check is elig-client's [`Session`] driven to its outcome: the card's answers are the
//! recorded answers of the virtual card (every command is compared with the recording, so
//! the replay is the real procedure's work), the gateway's answers are the recorded challenge
//! and result bodies, and the PIN is given when the session asks. What is measured is the
//! session: jpki-apdu's paused check, elig-proto's inquiry builder and codec, the audit
//! record (certificate serial parsed with x509-cert) and voucher-model's verdict.

use std::time::Instant;

use elig_client::gateway::{GatewayResponse, Route};
use elig_client::session::{CheckRequest, Event, Mode, OperatorInput, Session, Timeouts};
use elig_proto::gateway::RequestId;
use jpki_apdu::{AuthPin, ReaderLimits};
use voucher_model::{Purpose, RequestedUse, Verdict};

use crate::FixtureError;
use crate::fixtures::{Exchange, Fixtures, PIN, REQUEST_ID};

/// Why a replayed check failed (it never should: the recording came from the same code).
fn fail(what: &str) -> FixtureError {
    FixtureError::Replay(what.to_owned())
}

/// Runs the whole client-side check once and returns its verdict and the inquiry body sent.
///
/// # Errors
/// [`FixtureError::Replay`] if the session sends another command than recorded, stalls, or
/// ends without a verdict.
pub fn pin_mode_check(
    f: &Fixtures,
    transcript: &[Exchange],
    limits: ReaderLimits,
) -> Result<(Verdict, Vec<u8>), FixtureError> {
    let purpose = Purpose::for_online_check(RequestedUse::SpecificHealthCheckup)
        .map_err(|e| fail(&e.to_string()))?;
    let request_id = RequestId::new(REQUEST_ID).ok_or_else(|| fail("request id"))?;
    let request = CheckRequest::new(
        f.voucher.clone(),
        purpose,
        f.facility.clone(),
        f.checkup_date,
        request_id,
        0,
    );
    let now = Instant::now();
    let mut session = Session::new(request, Mode::Pin, limits, Timeouts::default(), now);
    let mut answers = transcript.iter();
    let mut inquiry = None;
    loop {
        let mut busy = false;
        while let Some(command) = session.poll_card() {
            busy = true;
            let exchange = answers
                .next()
                .ok_or_else(|| fail("more commands than recorded"))?;
            if exchange.command.as_slice() != command.as_slice() {
                return Err(fail("a command differs from the recording"));
            }
            session.handle_card_response(now, Ok(exchange.response.clone()));
        }
        while let Some(request) = session.poll_gateway() {
            busy = true;
            let body = match request.route {
                Route::Inquiry => {
                    inquiry = Some(request.body);
                    f.gateway.result.clone()
                }
                _ => f.gateway.challenge_response.clone(),
            };
            let response = GatewayResponse {
                id: request.id,
                status: 200,
                body,
            };
            session.handle_gateway_response(now, Ok(response));
        }
        while let Some(event) = session.poll_event() {
            busy = true;
            match event {
                Event::PinNeeded { .. } => {
                    let pin = AuthPin::new(PIN).map_err(|e| fail(&e.to_string()))?;
                    session
                        .handle_operator(now, OperatorInput::Pin(pin))
                        .map_err(|e| fail(&e.to_string()))?;
                }
                Event::Outcome(outcome) => {
                    let verdict = outcome.result.map_err(|e| fail(&e.to_string()))?;
                    let body = inquiry.ok_or_else(|| fail("no inquiry was sent"))?;
                    return Ok((verdict, body));
                }
                _ => {}
            }
        }
        if !busy {
            return Err(fail("the session stalled"));
        }
    }
}
