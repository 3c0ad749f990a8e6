//! The session's gateway side: the challenge (requested early, renewed when spent) and the
//! inquiry (built through elig-proto's `UnsignedInquiry`, sent once), and their answers.

use std::time::Instant;

use core::time::Duration;

use elig_proto::gateway::{
    self as proto, Answer, Basis, CertificateDer, ChallengeRequest, ChallengeResponse,
    InquiryRequest, InquiryResult, SignatureBytes, UnsignedInquiry, VisualAttestation,
};
use voucher_model::{Evidence, OnlineChannel, OnlineMode, SearchInfo, verify};

use super::{Call, CheckFailure, Event, Fresh, Mode, Progress, Session};
use crate::gateway::{CallId, GatewayRequest, GatewayResponse, Route};

impl Session {
    pub(super) fn challenge_usable(&self, now: Instant) -> bool {
        self.challenge.as_ref().is_some_and(|fresh| {
            now.checked_add(self.timeouts.challenge_margin)
                .is_some_and(|t| t < fresh.usable_until)
        })
    }

    pub(super) fn renew_challenge(&mut self, now: Instant) {
        if self.challenge.take().is_some() {
            self.events
                .push_back(Event::Progress(Progress::ChallengeRenewed));
        }
        self.request_challenge(now);
    }

    pub(super) fn request_challenge(&mut self, now: Instant) {
        if self.in_flight.is_some() || self.signed.is_some() {
            return;
        }
        match proto::encode(&ChallengeRequest::new()) {
            Ok(body) => {
                self.call(now, Route::Challenge, body);
                self.events
                    .push_back(Event::Progress(Progress::ChallengeRequested));
            }
            Err(error) => self.fail(
                now,
                CheckFailure::Misuse {
                    detail: error.to_string(),
                },
            ),
        }
    }

    pub(super) fn call(&mut self, now: Instant, route: Route, body: Vec<u8>) {
        self.next_call = self.next_call.saturating_add(1);
        let id = CallId(self.next_call);
        let deadline = now.checked_add(self.timeouts.gateway).unwrap_or(now);
        self.in_flight = Some(Call {
            id,
            route,
            deadline,
        });
        self.gateway_out = Some(GatewayRequest { id, route, body });
    }

    pub(super) fn challenge_answered(&mut self, now: Instant, response: &GatewayResponse) {
        match proto::decode_answer::<ChallengeResponse>(response.status, &response.body) {
            Ok(Answer::Ok(answer)) => {
                let lifetime = answer.expires_at.saturating_sub(answer.issued_at);
                let usable_until = now
                    .checked_add(Duration::from_secs(lifetime))
                    .unwrap_or(now);
                self.challenge = Some(Fresh {
                    challenge: answer.challenge,
                    usable_until,
                });
                self.events
                    .push_back(Event::Progress(Progress::ChallengeReceived));
                if self.need_digest {
                    self.drive_card(now);
                }
            }
            Ok(Answer::Rejected { rejection, .. }) => self.fail(
                now,
                CheckFailure::GatewayRejected {
                    reason: rejection.reason,
                },
            ),
            Err(error) => self.fail(
                now,
                CheckFailure::GatewayAnswer {
                    detail: error.to_string(),
                },
            ),
        }
    }

    /// The inquiry before its proof (elig-proto's builder): facility, date, id, search.
    pub(super) fn unsigned(&self) -> UnsignedInquiry {
        UnsignedInquiry::new(
            self.request.request_id.clone(),
            self.request.facility.clone(),
            self.request.checkup_date,
            Some(self.search()),
        )
    }

    pub(super) fn search(&self) -> SearchInfo {
        let voucher = &self.request.voucher;
        SearchInfo {
            insurer_number: Some(voucher.insurer_number().clone()),
            insured_card_symbol: voucher.card_symbol().cloned(),
            insured_identification_number: Some(voucher.card_number().clone()),
            insured_branch_number: voucher.branch_number().cloned(),
            birthdate: Some(voucher.person().birth_date),
            ..SearchInfo::default()
        }
    }

    pub(super) fn send_pin_inquiry(&mut self, now: Instant, signature: Vec<u8>) {
        if self.failure.is_some() || self.inquiry_sent {
            return;
        }
        // Taken: a signature is bound to one challenge and sent at most once.
        let Some(challenged) = self.signed.take() else {
            return self.set_failure(CheckFailure::Card {
                detail: "the card signed without a digest".to_owned(),
            });
        };
        let Some(signature) = SignatureBytes::new(signature) else {
            return self.set_failure(CheckFailure::Card {
                detail: "the card's signature is empty or too long".to_owned(),
            });
        };
        if let Some(certificate) = self.card_certificate(now) {
            self.send_inquiry(now, &challenged.sign(certificate, signature));
        }
    }

    pub(super) fn send_visual_inquiry(&mut self, now: Instant) {
        if self.card.is_some() || self.inquiry_sent || self.failure.is_some() {
            return;
        }
        let (Some(_), Some(attestation)) = (&self.certificate, &self.attestation) else {
            return;
        };
        match VisualAttestation::new(attestation.staff_id(), attestation.attested_at(), true) {
            Ok(visual) => {
                if let Some(certificate) = self.card_certificate(now) {
                    let inquiry = self.unsigned().attest(certificate, visual);
                    self.send_inquiry(now, &inquiry);
                }
            }
            Err(error) => self.fail(
                now,
                CheckFailure::Misuse {
                    detail: error.message_en(),
                },
            ),
        }
    }

    /// The certificate read from the card, as the inquiry carries it; a failure if unusable.
    pub(super) fn card_certificate(&mut self, now: Instant) -> Option<CertificateDer> {
        let certificate = self.certificate.clone().and_then(CertificateDer::new);
        if certificate.is_none() {
            self.fail(
                now,
                CheckFailure::Card {
                    detail: "the card's certificate is empty or too long".to_owned(),
                },
            );
        }
        certificate
    }

    pub(super) fn send_inquiry(&mut self, now: Instant, inquiry: &InquiryRequest) {
        match proto::encode(inquiry) {
            Ok(body) => {
                self.inquiry_sent = true;
                self.call(now, Route::Inquiry, body);
                self.events
                    .push_back(Event::Progress(Progress::InquirySent));
            }
            Err(error) => self.fail(
                now,
                CheckFailure::Misuse {
                    detail: error.to_string(),
                },
            ),
        }
    }

    pub(super) fn inquiry_answered(&mut self, now: Instant, response: &GatewayResponse) {
        match proto::decode_answer::<InquiryResult>(response.status, &response.body) {
            Ok(Answer::Ok(result)) if result.request_id != self.request.request_id => self.fail(
                now,
                CheckFailure::GatewayAnswer {
                    detail: "the answer is for another request id".to_owned(),
                },
            ),
            Ok(Answer::Ok(result)) => {
                let mode = match (&self.mode, &self.attestation) {
                    (Mode::VisualConfirmation, Some(attestation)) => {
                        OnlineMode::VisualConfirmation {
                            attestation: attestation.clone(),
                        }
                    }
                    _ => OnlineMode::Pin {
                        signature_verified: result.basis == Basis::CardSignature,
                    },
                };
                let evidence =
                    Evidence::online(OnlineChannel::Limited, mode, result.response.clone());
                let verdict = verify(
                    &self.request.voucher,
                    &evidence,
                    self.request.checkup_date,
                    self.request.purpose,
                );
                self.verdict = Some((verdict, result.response));
                self.complete(now);
            }
            Ok(Answer::Rejected { rejection, .. }) => self.fail(
                now,
                CheckFailure::GatewayRejected {
                    reason: rejection.reason,
                },
            ),
            Err(error) => self.fail(
                now,
                CheckFailure::GatewayAnswer {
                    detail: error.to_string(),
                },
            ),
        }
    }
}
