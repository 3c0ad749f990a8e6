//! The gateway's request handling: routes, limits, and the verification of an inquiry in
//! PROTOCOL.md's order, ending in a qualification result or a rejection.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use elig_proto::gateway::{
    self as proto, Basis, ChallengeRequest, ChallengeResponse, InquiryRequest, InquiryResult,
    Message, Proof, RejectReason, Rejection,
};
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, Full, Limited};
use voucher_model::{
    CharacterCodeIdentifier, ProcessingResultStatus, QualificationResponse,
    ReferenceClassification, SegmentOfResult, jst,
};

use crate::access_log::{AccessEntry, AccessLog};
use crate::challenge::ChallengeStore;
use crate::clock::Clock;
use crate::registry::Registry;
use crate::verify::{DeviceIdentity, Verifier};
use reasons::{
    attestation_problem, card_message, challenge_failure_reason, challenge_message,
    check_failure_reason, decode_message, logged_method,
};

/// What the gateway knows about a connection once its TLS handshake is done.
#[derive(Debug)]
pub(crate) struct ConnectionInfo {
    pub(crate) peer: Option<IpAddr>,
    /// `None` when the client sent no certificate or one the device CA did not issue.
    pub(crate) device: Option<DeviceIdentity>,
    /// When the device decision stops holding (certificate `notAfter`, device CRL
    /// `nextUpdate`): requests from then on are `unknown_device`.
    pub(crate) device_until: SystemTime,
}

/// The gateway's two endpoints (PROTOCOL.md): `POST /v1/challenge` and `POST /v1/inquiry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/challenge` (`elig_proto::gateway::PATH_CHALLENGE`).
    Challenge,
    /// `POST /v1/inquiry` (`elig_proto::gateway::PATH_INQUIRY`).
    Inquiry,
}

/// A finished exchange, before it becomes an HTTP response and a log record.
pub(crate) struct Outcome {
    /// The encoded 200 answer, or the rejection (encoded last, with the request id).
    answer: Result<Vec<u8>, Rejection>,
    mode: Option<&'static str>,
    card: Option<String>,
    validity: Option<String>,
}

impl Outcome {
    fn ok(body: Vec<u8>) -> Self {
        Self {
            answer: Ok(body),
            mode: None,
            card: None,
            validity: None,
        }
    }

    fn reject(rejection: Rejection) -> Self {
        Self {
            answer: Err(rejection),
            mode: None,
            card: None,
            validity: None,
        }
    }

    fn reason(&self) -> Option<RejectReason> {
        self.answer.as_ref().err().map(|r| r.reason)
    }

    /// HTTP status and body.
    pub(crate) fn into_response_parts(self) -> (u16, Vec<u8>) {
        match self.answer {
            Ok(body) => (200, body),
            Err(rejection) => {
                let status = rejection.http_status();
                // A Rejection built by `Rejection::new` always encodes; the fallback is a
                // constant.
                let body = proto::encode(&rejection).unwrap_or_else(|_| {
                    br#"{"version":1,"reason":"internal","message":"encoding failed"}"#.to_vec()
                });
                (status, body)
            }
        }
    }
}

fn reject(reason: RejectReason, message: &str) -> Outcome {
    Outcome::reject(Rejection::new(reason, message))
}

/// The Content-Type check: `application/json`, parameters (`; charset=…`) ignored. The
/// rejection when it fails.
pub(crate) fn content_type_rejection(content_type: Option<&str>) -> Option<Outcome> {
    let ok = content_type
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(proto::CONTENT_TYPE));
    (!ok).then(|| {
        reject(
            RejectReason::UnsupportedMediaType,
            "Content-Type must be application/json",
        )
    })
}

/// The rejection of a body over `limit` bytes.
pub(crate) fn too_large(limit: usize) -> Outcome {
    reject(
        RejectReason::BodyTooLarge,
        &format!("the body is over the {limit}-byte limit and was not read"),
    )
}

/// The gateway: verifier, registry, challenges, clock and log, shared by all connections.
#[derive(Debug)]
pub(crate) struct Gateway {
    pub(crate) verifier: Verifier,
    pub(crate) registry: Arc<Registry>,
    pub(crate) challenges: ChallengeStore,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) log: Arc<dyn AccessLog>,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_read_timeout: Duration,
}

fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Gateway {
    /// Answers one HTTP request and writes its access record.
    pub(crate) async fn handle<B>(
        &self,
        conn: &ConnectionInfo,
        request: Request<B>,
    ) -> Response<Full<Bytes>>
    where
        B: hyper::body::Body<Data = Bytes>,
        B::Error: core::error::Error + Send + Sync + 'static,
    {
        let started = Instant::now();
        let method = request.method().clone();
        let route = match request.uri().path() {
            proto::PATH_CHALLENGE => Some(Route::Challenge),
            proto::PATH_INQUIRY => Some(Route::Inquiry),
            _ => None,
        };
        let announced = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut request_bytes = announced.unwrap_or(0);
        // Checked at the handshake; a keep-alive connection may outlive the certificate.
        let device = conn
            .device
            .as_ref()
            .filter(|_| self.clock.now() < conn.device_until);
        let outcome = match route {
            None => reject(RejectReason::NotFound, "no such endpoint"),
            Some(_) if method != Method::POST => reject(RejectReason::MethodNotAllowed, "use POST"),
            Some(route) => match device {
                None => reject(
                    RejectReason::UnknownDevice,
                    "the TLS client certificate is missing or not issued by the device registration CA",
                ),
                Some(device) => {
                    self.endpoint(route, device, request, announced, &mut request_bytes)
                        .await
                }
            },
        };
        let now = self.clock.now();
        let at_unix_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.log.record(&AccessEntry {
            at_unix_ms,
            peer: conn.peer,
            facility: device.map(|d| elig_proto::gateway::facility_text(&d.facility)),
            method: logged_method(&method).to_owned(),
            route: match route {
                Some(Route::Challenge) => "challenge",
                Some(Route::Inquiry) => "inquiry",
                None => "other",
            },
            status: outcome.reason().map_or(200, RejectReason::http_status),
            outcome: outcome
                .reason()
                .map_or_else(|| "ok".to_owned(), |r| r.as_str().to_owned()),
            mode: outcome.mode,
            card: outcome.card.clone(),
            validity: outcome.validity.clone(),
            request_bytes,
            latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        });
        let (status, body) = outcome.into_response_parts();
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(proto::CONTENT_TYPE),
        );
        response
    }

    async fn endpoint<B>(
        &self,
        route: Route,
        device: &DeviceIdentity,
        request: Request<B>,
        announced: Option<u64>,
        request_bytes: &mut u64,
    ) -> Outcome
    where
        B: hyper::body::Body<Data = Bytes>,
        B::Error: core::error::Error + Send + Sync + 'static,
    {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if let Some(outcome) = content_type_rejection(content_type) {
            return outcome;
        }
        let limit = self.body_limit(route);
        // Refuse on the announced length before reading anything.
        if announced.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return too_large(limit);
        }
        // Chunked or lying bodies are cut at the limit while reading, and a body that does
        // not arrive in time is given up on (a slow client must not hold its slot forever).
        let reading = Limited::new(request.into_body(), limit).collect();
        let Ok(read) = tokio::time::timeout(self.body_read_timeout, reading).await else {
            return reject(
                RejectReason::MalformedRequest,
                &format!(
                    "the body did not arrive within {} s",
                    self.body_read_timeout.as_secs_f32()
                ),
            );
        };
        let body = match read {
            Ok(collected) => collected.to_bytes(),
            Err(e)
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some() =>
            {
                return too_large(limit);
            }
            Err(_) => {
                return reject(RejectReason::MalformedRequest, "the body could not be read");
            }
        };
        *request_bytes = u64::try_from(body.len()).unwrap_or(u64::MAX);
        self.decide(route, device, &body)
    }

    /// The byte limit of a body on `route`: the message's own bound or the configured
    /// `max_body_bytes`, whichever is smaller.
    pub(crate) fn body_limit(&self, route: Route) -> usize {
        match route {
            Route::Challenge => ChallengeRequest::MAX_BYTES,
            Route::Inquiry => InquiryRequest::MAX_BYTES,
        }
        .min(self.max_body_bytes)
    }

    /// Everything done with a complete body read within its limit (after the device and
    /// Content-Type checks): strict decode, then the challenge or the inquiry's checks.
    pub(crate) fn decide(&self, route: Route, device: &DeviceIdentity, body: &[u8]) -> Outcome {
        match route {
            Route::Challenge => match proto::decode::<ChallengeRequest>(body) {
                Ok(_) => self.challenge(device),
                Err(e) => reject(e.reason(), &decode_message(&e)),
            },
            Route::Inquiry => match proto::decode::<InquiryRequest>(body) {
                Ok(inquiry) => {
                    let id = inquiry.request_id.clone();
                    let mut outcome = self.inquiry(device, &inquiry);
                    outcome.answer = outcome.answer.map_err(|r| r.with_request_id(id));
                    outcome
                }
                Err(e) => reject(e.reason(), &decode_message(&e)),
            },
        }
    }

    fn challenge(&self, device: &DeviceIdentity) -> Outcome {
        let now = self.clock.now();
        match self.challenges.issue(device.cert_sha256, now) {
            Some((challenge, expires_at)) => {
                let response = ChallengeResponse::new(
                    proto::Challenge::from_bytes(challenge),
                    unix_secs(now),
                    unix_secs(expires_at),
                );
                match proto::encode(&response) {
                    Ok(body) => Outcome::ok(body),
                    Err(_) => reject(RejectReason::Internal, "could not encode the challenge"),
                }
            }
            None => {
                let retry = u32::try_from(self.challenges.ttl().as_secs()).unwrap_or(u32::MAX);
                Outcome::reject(
                    Rejection::new(RejectReason::RateLimited, "too many outstanding challenges")
                        .with_retry_after(retry),
                )
            }
        }
    }

    /// Verifies an inquiry in PROTOCOL.md's order ("Order of checks on `POST /v1/inquiry`":
    /// device and body were checked by the caller; then facility, date, card certificate,
    /// proof) and only then looks the person up.
    fn inquiry(&self, device: &DeviceIdentity, inquiry: &InquiryRequest) -> Outcome {
        let now = self.clock.now();
        let mode = match &inquiry.proof {
            Proof::Pin(_) => "pin",
            _ => "visual",
        };
        let fail = |reason: RejectReason, message: &str, card: Option<String>| {
            let mut o = reject(reason, message);
            o.mode = Some(mode);
            o.card = card;
            o
        };
        // 1. The facility is the device certificate's; the body may only repeat it.
        if inquiry.facility != device.facility {
            return fail(
                RejectReason::WrongFacility,
                "the inquiry names another facility than the device certificate",
                None,
            );
        }
        // 2. The checkup date is today in Japan.
        if jst::date_from_system_time(now) != Ok(inquiry.checkup_date) {
            return fail(
                RejectReason::WrongDate,
                "checkup_date is not the gateway's current date in Japan",
                None,
            );
        }
        // 3. The card certificate: chain, validity dates, revocation.
        let card = match self.verifier.card(inquiry.card_certificate.as_bytes(), now) {
            Ok(card) => card,
            Err(f) => {
                let reason = check_failure_reason(f);
                return fail(reason, card_message(reason), None);
            }
        };
        let card_tag = Some(card.serial_hash.clone());
        // 4. The proof.
        let basis = match &inquiry.proof {
            Proof::Pin(pin) => {
                if let Err(f) =
                    self.challenges
                        .consume(pin.challenge.as_bytes(), &device.cert_sha256, now)
                {
                    let reason = challenge_failure_reason(f);
                    return fail(reason, challenge_message(reason), card_tag);
                }
                let Some(tbs) = inquiry.to_be_signed(&device.facility) else {
                    return fail(RejectReason::Internal, "no to-be-signed data", card_tag);
                };
                let digest = tbs.digest();
                if pin.digest.0 != digest {
                    return fail(
                        RejectReason::DigestMismatch,
                        "the digest differs from the one computed from the inquiry and the device's facility",
                        card_tag,
                    );
                }
                if card
                    .verify_digest_signature(&digest, pin.signature.as_bytes())
                    .is_err()
                {
                    return fail(
                        RejectReason::SignatureInvalid,
                        "the signature does not verify with the card certificate's key",
                        card_tag,
                    );
                }
                Basis::CardSignature
            }
            Proof::Visual(attestation) => {
                if let Some(problem) = attestation_problem(attestation, inquiry.checkup_date, now) {
                    return fail(RejectReason::AttestationMissing, problem, card_tag);
                }
                Basis::VisualConfirmation
            }
            _ => {
                return fail(
                    RejectReason::MalformedRequest,
                    "unknown proof kind",
                    card_tag,
                );
            }
        };
        // 5. The lookup.
        let lookup = match card.serial {
            Some(serial) => {
                self.registry
                    .lookup(serial, inquiry.checkup_date, inquiry.search.as_ref())
            }
            None => crate::registry::Lookup {
                validity: voucher_model::QualificationValidity::NoQualification,
                records: Vec::new(),
            },
        };
        let validity = lookup.validity.code().to_owned();
        let response = QualificationResponse {
            process_execution_time: jst::date_time_from_system_time(now).ok(),
            qualification_confirmation_date: Some(inquiry.checkup_date),
            medical_institution_code: match &device.facility {
                voucher_model::Facility::CheckupInstitution(n) => n.as_medical_institution_code(),
                _ => None,
            },
            arbitrary_file_identifier: Some(inquiry.request_id.as_str().to_owned()),
            reference_classification: Some(ReferenceClassification::MyNumberCard),
            segment_of_result: Some(SegmentOfResult::Normal),
            character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
            search_info: inquiry.search.clone(),
            processing_result_status: Some(ProcessingResultStatus::Normal),
            qualification_validity: Some(lookup.validity),
            results: lookup.records,
            ..QualificationResponse::default()
        };
        let result = InquiryResult::new(inquiry.request_id.clone(), basis, response);
        match proto::encode(&result) {
            Ok(body) => {
                let mut o = Outcome::ok(body);
                o.mode = Some(mode);
                o.card = card_tag;
                o.validity = Some(validity);
                o
            }
            Err(_) => fail(
                RejectReason::Internal,
                "could not encode the result",
                card_tag,
            ),
        }
    }
}

mod reasons;
#[cfg(test)]
mod tests;
