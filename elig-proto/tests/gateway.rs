//! The gateway protocol: the signed digest's byte layout (worked vector), the size, version
//! and strictness rules of every message, and the closed set of rejection reasons.
// Test helpers outside `#[test]` functions unwrap and index too: a failure is the point.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::panic
)]

use elig_proto::gateway::{
    self, Basis, CertificateDer, Challenge, ChallengeRequest, ChallengeResponse, DecodeError,
    EncodeError, InquiryDigest, InquiryRequest, InquiryResult, Message, PinProof, Proof,
    RejectReason, Rejection, RequestId, SignatureBytes, ToBeSigned, UnsignedInquiry,
    VisualAttestation,
};
use voucher_model::evidence::{AttestationError, MAX_STAFF_ID_CHARS};
use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, ConsentFlag, Date, DateTime,
    Facility, InsurerNumber, OnlineQualificationCode, QualificationRecord, QualificationResponse,
    QualificationValidity, SearchInfo,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn facility() -> Facility {
    Facility::CheckupInstitution(CheckupInstitutionNumber::parse("0110113719").unwrap())
}

fn search() -> SearchInfo {
    SearchInfo {
        insurer_number: Some(InsurerNumber::parse("06110829").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse("12-34").unwrap()),
        insured_identification_number: Some(CardNumber::parse("4260").unwrap()),
        insured_branch_number: Some(BranchNumber::parse("01").unwrap()),
        birthdate: Some(Date::parse_yyyymmdd("20010327").unwrap()),
        limit_application_certificate_related_cons_flg: Some(ConsentFlag::Consented),
    }
}

fn challenge() -> Challenge {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::try_from(i).unwrap();
    }
    Challenge::from_bytes(bytes)
}

fn date() -> Date {
    Date::parse_yyyymmdd("20261124").unwrap()
}

/// The worked vector of PROTOCOL.md. The expected bytes are built here by hand from the
/// layout, and the digests were computed independently (Python hashlib).
#[test]
fn digest_worked_vector() {
    let request_id = RequestId::new("req-0001").unwrap();
    let search = search();
    let facility = facility();
    let challenge = challenge();
    let tbs = ToBeSigned {
        version: 1,
        challenge: &challenge,
        facility: &facility,
        checkup_date: date(),
        request_id: &request_id,
        search: Some(&search),
    };

    let mut search_bytes = b"ELIG-GATEWAY-SEARCH-INFO\x00\x01".to_vec();
    for value in ["06110829", "12-34", "4260", "01", "20010327", "1"] {
        search_bytes.push(1);
        search_bytes.extend_from_slice(&u32::try_from(value.len()).unwrap().to_be_bytes());
        search_bytes.extend_from_slice(value.as_bytes());
    }
    assert_eq!(gateway::search_encoding(1, &search), search_bytes);

    let mut expected = b"ELIG-GATEWAY-INQUIRY-TBS\x00\x01".to_vec();
    let search_hash =
        hex_to_bytes("f8151f90e1eb0923e30e818695086eb9c10db395ba634b3cf4a096ce63cb5980");
    let challenge_bytes = challenge.as_bytes().to_vec();
    let fields: [&[u8]; 5] = [
        &challenge_bytes,
        b"kenshin-kikan:0110113719",
        b"20261124",
        b"req-0001",
        &search_hash,
    ];
    for field in fields {
        expected.extend_from_slice(&u32::try_from(field.len()).unwrap().to_be_bytes());
        expected.extend_from_slice(field);
    }
    assert_eq!(tbs.encode(), expected);
    assert_eq!(tbs.encode().len(), 150);
    assert_eq!(
        hex(&tbs.digest()),
        "9d2033cff3976cfc6642aaf53efbc19fa039c6fbe0038808798ceaf4d7138548"
    );
    let no_search = gateway::digest(1, &challenge, &facility, date(), &request_id, None);
    assert_eq!(
        hex(&no_search),
        "c22976f05f01e868736fccdb9473bd7d3c4b133bd0a49840307e80e7b6e3b252"
    );
}

fn hex_to_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The signature binds every field: changing any one changes the digest.
#[test]
fn digest_binds_every_field() {
    let id = RequestId::new("req-0001").unwrap();
    let other_id = RequestId::new("req-0002").unwrap();
    let s = search();
    let mut s2 = search();
    s2.insured_branch_number = Some(BranchNumber::parse("02").unwrap());
    let f = facility();
    let f_other_kind =
        Facility::SelfRunningInsurer(OnlineQualificationCode::parse("0110113719").unwrap());
    let f_other =
        Facility::CheckupInstitution(CheckupInstitutionNumber::parse("0110113720").unwrap());
    let c = challenge();
    let c2 = Challenge::from_bytes([7; 32]);
    let d2 = date().succ().unwrap();
    let base = gateway::digest(1, &c, &f, date(), &id, Some(&s));
    let variants = [
        gateway::digest(2, &c, &f, date(), &id, Some(&s)),
        gateway::digest(1, &c2, &f, date(), &id, Some(&s)),
        gateway::digest(1, &c, &f_other, date(), &id, Some(&s)),
        gateway::digest(1, &c, &f_other_kind, date(), &id, Some(&s)),
        gateway::digest(1, &c, &f, d2, &id, Some(&s)),
        gateway::digest(1, &c, &f, date(), &other_id, Some(&s)),
        gateway::digest(1, &c, &f, date(), &id, Some(&s2)),
        gateway::digest(1, &c, &f, date(), &id, None),
    ];
    for (i, v) in variants.iter().enumerate() {
        assert_ne!(*v, base, "variant {i} did not change the digest");
    }
}

/// The client builds the inquiry before any proof exists: its TBS bytes are the worked
/// vector's, and attaching the signature gives the same wire message as building it whole.
#[test]
fn unsigned_inquiry_signs_the_worked_vector() {
    let unsigned = UnsignedInquiry::new(
        RequestId::new("req-0001").unwrap(),
        facility(),
        date(),
        Some(search()),
    );
    let pending = unsigned.clone().with_challenge(challenge());
    let search = search();
    let (facility, challenge, request_id) =
        (facility(), challenge(), RequestId::new("req-0001").unwrap());
    let by_hand = ToBeSigned {
        version: 1,
        challenge: &challenge,
        facility: &facility,
        checkup_date: date(),
        request_id: &request_id,
        search: Some(&search),
    };
    assert_eq!(pending.to_be_signed().encode(), by_hand.encode());
    assert_eq!(
        hex(&pending.digest().0),
        "9d2033cff3976cfc6642aaf53efbc19fa039c6fbe0038808798ceaf4d7138548"
    );
    let no_search = UnsignedInquiry::new(request_id.clone(), facility.clone(), date(), None)
        .with_challenge(challenge);
    assert_eq!(
        hex(&no_search.digest().0),
        "c22976f05f01e868736fccdb9473bd7d3c4b133bd0a49840307e80e7b6e3b252"
    );

    let whole = pin_inquiry();
    let signed = pending.sign(
        whole.card_certificate.clone(),
        SignatureBytes::new(vec![0xA5; 256]).unwrap(),
    );
    assert_eq!(signed, whole);
    // The gateway recomputes the same digest from the wire message.
    let Proof::Pin(pin) = &signed.proof else {
        panic!("PIN proof expected")
    };
    assert_eq!(
        signed.to_be_signed(&facility).unwrap().digest(),
        pin.digest.0
    );

    let attestation = VisualAttestation::new(
        "staff-07",
        DateTime::parse_compact("20261124101500").unwrap(),
        true,
    )
    .unwrap();
    let visual = unsigned.attest(whole.card_certificate.clone(), attestation.clone());
    assert_eq!(
        visual,
        InquiryRequest::new(
            request_id,
            facility,
            date(),
            Some(search),
            whole.card_certificate,
            Proof::Visual(attestation)
        )
    );
    assert!(visual.to_be_signed(&self::facility()).is_none());
}

fn pin_inquiry() -> InquiryRequest {
    let id = RequestId::new("req-0001").unwrap();
    let digest = gateway::digest(1, &challenge(), &facility(), date(), &id, Some(&search()));
    let proof = PinProof::new(
        challenge(),
        InquiryDigest(digest),
        SignatureBytes::new(vec![0xA5; 256]).unwrap(),
    );
    let mut cert = vec![0x30, 0x82, 0x07, 0x6d];
    cert.resize(1905, 0x00);
    let inquiry = InquiryRequest::new(
        id,
        facility(),
        date(),
        Some(search()),
        CertificateDer::new(cert).unwrap(),
        Proof::Pin(proof.clone()),
    );
    // The constructor and the wire form agree (the wire form without `search`, added after).
    let body = format!(
        r#"{{"version":1,"request_id":"req-0001","facility":{{"checkup_institution":"0110113719"}},"checkup_date":"20261124","card_certificate":"MIIHbQ{}","proof":{{"pin":{}}}}}"#,
        "A".repeat(2534),
        serde_json::to_string(&proof).unwrap()
    );
    let mut decoded: InquiryRequest = gateway::decode(body.as_bytes()).unwrap();
    assert!(decoded.search.is_none());
    decoded.search = Some(search());
    assert_eq!(decoded, inquiry);
    inquiry
}

#[test]
fn inquiry_json_shape_and_round_trip() {
    let inquiry = pin_inquiry();
    let body = gateway::encode(&inquiry).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["checkup_date"], "20261124");
    assert_eq!(json["facility"]["checkup_institution"], "0110113719");
    assert_eq!(json["search"]["InsurerNumber"], "06110829");
    assert_eq!(json["search"]["InsuredCardSymbol"], "12-34");
    assert_eq!(
        json["search"]["LimitApplicationCertificateRelatedConsFlg"],
        "1"
    );
    assert_eq!(
        json["proof"]["pin"]["signature"].as_str().unwrap().len(),
        344
    );
    assert_eq!(
        json["proof"]["pin"]["challenge"].as_str().unwrap().len(),
        44
    );
    let back: InquiryRequest = gateway::decode(&body).unwrap();
    assert_eq!(back, inquiry);
    // The gateway side: TBS from the device certificate's facility, not the body's.
    let device_facility = facility();
    let tbs = back.to_be_signed(&device_facility).unwrap();
    let Proof::Pin(pin) = &back.proof else {
        panic!("PIN proof expected")
    };
    assert_eq!(tbs.digest(), pin.digest.0);
}

#[test]
fn visual_inquiry_round_trip_and_attestation() {
    let mut inquiry = pin_inquiry();
    let at = DateTime::parse_compact("20261124101500").unwrap();
    inquiry.proof = Proof::Visual(VisualAttestation::new("staff-07", at, true).unwrap());
    let body = gateway::encode(&inquiry).unwrap();
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.contains(r#""proof":{"visual":{"confirmed_by":"staff-07","confirmed_at":"20261124101500","photo_matches":true}}"#));
    let back: InquiryRequest = gateway::decode(&body).unwrap();
    assert_eq!(back, inquiry);
    assert!(back.to_be_signed(&facility()).is_none());
    let Proof::Visual(v) = &back.proof else {
        panic!("visual proof expected")
    };
    assert!(v.is_complete());
    assert!(
        !VisualAttestation::new("  ", at, true)
            .unwrap()
            .is_complete()
    );
    assert!(
        !VisualAttestation::new("staff-07", at, false)
            .unwrap()
            .is_complete()
    );
    // Built by `new`: voucher-model's one rule, counted in characters; too long or unclean
    // is refused, not cut (issue 10: neither side truncates).
    let longest = VisualAttestation::new(&"田".repeat(MAX_STAFF_ID_CHARS), at, true).unwrap();
    assert_eq!(longest.confirmed_by.chars().count(), MAX_STAFF_ID_CHARS);
    assert_eq!(
        VisualAttestation::new(&"田".repeat(MAX_STAFF_ID_CHARS + 1), at, true),
        Err(AttestationError::InvalidStaffId)
    );
    assert_eq!(
        VisualAttestation::new("a\u{0}b", at, true),
        Err(AttestationError::InvalidStaffId)
    );
    let long = longest;
    let mut direct = back.clone();
    direct.proof = Proof::Visual(long);
    assert!(gateway::encode(&direct).is_ok());
    let Proof::Visual(v) = &mut direct.proof else {
        unreachable!()
    };
    v.confirmed_by = "a\u{0}b".into();
    assert!(matches!(
        gateway::encode(&direct),
        Err(EncodeError::Invalid {
            message: "inquiry",
            ..
        })
    ));
}

/// The gateway side of the staff-identifier rule: a body whose `confirmed_by` has 64
/// characters decodes, 65 does not (the same count as the client side's `new`).
#[test]
fn decoding_counts_confirmed_by_in_characters() {
    let mut inquiry = pin_inquiry();
    let at = DateTime::parse_compact("20261124101500").unwrap();
    inquiry.proof = Proof::Visual(VisualAttestation::new("staff-07", at, true).unwrap());
    let text = String::from_utf8(gateway::encode(&inquiry).unwrap()).unwrap();
    let with = |who: &str| text.replace("\"staff-07\"", &format!("\"{who}\""));
    let ok = with(&"田".repeat(MAX_STAFF_ID_CHARS));
    assert!(gateway::decode::<InquiryRequest>(ok.as_bytes()).is_ok());
    let long = with(&"田".repeat(MAX_STAFF_ID_CHARS + 1));
    assert!(matches!(
        gateway::decode::<InquiryRequest>(long.as_bytes()),
        Err(DecodeError::Malformed { .. })
    ));
}

#[test]
fn size_limit_is_checked_before_parsing() {
    let huge = vec![b'{'; InquiryRequest::MAX_BYTES + 1];
    assert_eq!(
        gateway::decode::<InquiryRequest>(&huge),
        Err(DecodeError::TooLarge {
            message: "inquiry",
            limit: 16 * 1024,
            actual: 16 * 1024 + 1
        })
    );
    assert_eq!(
        gateway::decode::<InquiryRequest>(&huge)
            .unwrap_err()
            .reason(),
        RejectReason::BodyTooLarge
    );
    assert_eq!(gateway::MAX_REQUEST_BYTES, 16 * 1024);
    // Encoding refuses what the peer would refuse.
    let mut r = QualificationResponse::default();
    for _ in 0..400 {
        r.results.push(QualificationRecord {
            address: Some("x".repeat(1000)),
            ..Default::default()
        });
    }
    let result = InquiryResult::new(RequestId::new("a").unwrap(), Basis::CardSignature, r);
    assert!(matches!(
        gateway::encode(&result),
        Err(EncodeError::TooLarge { .. })
    ));
}

#[test]
fn version_unknown_fields_and_trailing_data() {
    assert_eq!(
        gateway::decode::<ChallengeRequest>(br#"{"version":2,"new_field":true}"#),
        Err(DecodeError::UnsupportedVersion { found: 2 })
    );
    let unknown = gateway::decode::<ChallengeRequest>(br#"{"version":1,"extra":1}"#);
    assert!(matches!(unknown, Err(DecodeError::Malformed { .. })));
    let trailing = gateway::decode::<ChallengeRequest>(br#"{"version":1} {}"#);
    assert!(matches!(trailing, Err(DecodeError::Malformed { .. })));
    let missing = gateway::decode::<ChallengeRequest>(br#"{}"#);
    assert_eq!(
        missing.unwrap_err().reason(),
        RejectReason::MalformedRequest
    );
    assert_eq!(
        gateway::decode::<ChallengeRequest>(br#"{"version":1}"#).unwrap(),
        ChallengeRequest::new()
    );
    let mut old = ChallengeRequest::new();
    old.version = 0;
    assert_eq!(
        gateway::encode(&old),
        Err(EncodeError::UnsupportedVersion { found: 0 })
    );
}

#[test]
fn field_rules_are_enforced_on_decode() {
    let good = String::from_utf8(gateway::encode(&pin_inquiry()).unwrap()).unwrap();
    let cases = [
        // request id outside its character set
        good.replace("\"req-0001\"", "\"req 0001\""),
        // a date that does not exist
        good.replace("\"20261124\"", "\"20261131\""),
        // non-canonical base64 of the challenge (trailing bits)
        good.replace(
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",
        ),
        // unknown key in the search info
        good.replace("\"InsurerNumber\"", "\"InsurerNumbr\""),
        // a bad insurer number in the search info
        good.replace("\"06110829\"", "\"06x10829\""),
        // an unknown proof kind
        good.replace("{\"pin\":", "{\"pen\":"),
    ];
    for (i, body) in cases.iter().enumerate() {
        assert_ne!(body, &good, "case {i} did not change the body");
        let err = gateway::decode::<InquiryRequest>(body.as_bytes()).unwrap_err();
        assert_eq!(
            err.reason(),
            RejectReason::MalformedRequest,
            "case {i}: {err}"
        );
    }
    assert!(SignatureBytes::new(vec![0; 63]).is_none());
    assert!(CertificateDer::new(vec![0; 8193]).is_none());
    assert!(RequestId::new(&"a".repeat(65)).is_none());
    assert!(RequestId::new("").is_none());
}

#[test]
fn challenge_response_round_trip() {
    let response = ChallengeResponse::new(challenge(), 1_764_000_000, 1_764_000_060);
    let body = gateway::encode(&response).unwrap();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"{"version":1,"challenge":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","issued_at":1764000000,"expires_at":1764000060}"#
    );
    assert_eq!(
        gateway::decode::<ChallengeResponse>(&body).unwrap(),
        response
    );
}

#[test]
fn rejection_reasons_closed_set() {
    for reason in RejectReason::ALL {
        let rejection =
            Rejection::new(reason, "why").with_request_id(RequestId::new("r1").unwrap());
        let body = gateway::encode(&rejection).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["reason"], reason.as_str());
        assert_eq!(gateway::decode::<Rejection>(&body).unwrap(), rejection);
        assert!((400..600).contains(&reason.http_status()));
    }
    let unknown = br#"{"version":1,"reason":"bad_mood","message":"x"}"#;
    assert!(gateway::decode::<Rejection>(unknown).is_err());
    let long = Rejection::new(RejectReason::Internal, &"\u{7}".repeat(2000));
    assert_eq!(long.message.chars().count(), Rejection::MAX_MESSAGE_LEN);
    assert!(!long.message.contains('\u{7}'));
    assert!(gateway::encode(&long).is_ok());
    // A message set directly, past the rule: encode refuses what decode would.
    let mut direct = Rejection::new(RejectReason::Internal, "x");
    direct.message = "x".repeat(513);
    assert!(matches!(
        gateway::encode(&direct),
        Err(EncodeError::Invalid {
            message: "rejection",
            ..
        })
    ));
    let limited = Rejection::new(RejectReason::RateLimited, "slow down").with_retry_after(3);
    assert_eq!(limited.http_status(), 429);
    assert_eq!(RejectReason::ChallengeReplayed.http_status(), 409);
    assert_eq!(RejectReason::BodyTooLarge.http_status(), 413);
    assert_eq!(RejectReason::UnknownDevice.http_status(), 403);
}

#[test]
fn result_carries_xmlmsg_vocabulary() {
    let q = QualificationRecord {
        insurer_number: Some(InsurerNumber::parse_lenient("  123456").unwrap()),
        name: Some("診療　太郎".into()),
        ..Default::default()
    };
    let r = QualificationResponse {
        qualification_validity: Some(QualificationValidity::Valid),
        qualification_confirmation_date: Some(date()),
        results: vec![q],
        ..Default::default()
    };
    let result = InquiryResult::new(
        RequestId::new("req-0001").unwrap(),
        Basis::VisualConfirmation,
        r,
    );
    let body = gateway::encode(&result).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["basis"], "visual_confirmation");
    let msg = &json["XmlMsg"];
    assert_eq!(
        msg["MessageHeader"]["QualificationConfirmationDate"],
        "20261124"
    );
    assert_eq!(msg["MessageBody"]["QualificationValidity"], "1");
    let first = &msg["MessageBody"]["ResultList"]["ResultOfQualificationConfirmation"][0];
    assert_eq!(first["InsurerNumber"], "00123456");
    assert_eq!(first["Name"], "診療　太郎");
    assert_eq!(gateway::decode::<InquiryResult>(&body).unwrap(), result);
}

#[test]
fn every_message_limit_is_documented_value() {
    assert_eq!(ChallengeRequest::MAX_BYTES, 1024);
    assert_eq!(ChallengeResponse::MAX_BYTES, 1024);
    assert_eq!(InquiryRequest::MAX_BYTES, 16 * 1024);
    assert_eq!(InquiryResult::MAX_BYTES, 256 * 1024);
    assert_eq!(Rejection::MAX_BYTES, 4 * 1024);
}

#[test]
fn deeply_nested_json_is_refused_without_recursion_trouble() {
    // Past serde_json's recursion limit (128), inside the smallest message limit (1 KiB).
    let depth = 300;
    let body = format!(
        r#"{{"version":1,"x":{}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    for result in [
        gateway::decode::<ChallengeRequest>(body.as_bytes()).map(|_| ()),
        gateway::decode::<InquiryRequest>(body.as_bytes()).map(|_| ()),
    ] {
        assert!(matches!(result, Err(DecodeError::Malformed { .. })));
    }
    // Nested objects inside the result's XmlMsg: bounded the same way.
    let nested = format!(
        r#"{{"version":1,"request_id":"a","basis":"card_signature","XmlMsg":{{"MessageHeader":{{}},"MessageBody":{}"x"{}}}}}"#,
        r#"{"A":"#.repeat(depth),
        "}".repeat(depth)
    );
    assert!(matches!(
        gateway::decode::<InquiryResult>(nested.as_bytes()),
        Err(DecodeError::Malformed { .. })
    ));
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes, as any message: an error or a message, never a panic.
        #[test]
        fn arbitrary_bodies(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = gateway::decode::<ChallengeRequest>(&bytes);
            let _ = gateway::decode::<ChallengeResponse>(&bytes);
            let _ = gateway::decode::<InquiryRequest>(&bytes);
            let _ = gateway::decode::<InquiryResult>(&bytes);
            let _ = gateway::decode::<Rejection>(&bytes);
        }

        /// A valid inquiry with bytes changed: an error or an inquiry that encodes again.
        #[test]
        fn mutated_inquiry(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
            let mut body = gateway::encode(&pin_inquiry()).unwrap();
            for (at, byte) in edits {
                let i = at.index(body.len());
                body[i] = byte;
            }
            if let Ok(inquiry) = gateway::decode::<InquiryRequest>(&body) {
                let again = gateway::encode(&inquiry).unwrap();
                prop_assert_eq!(gateway::decode::<InquiryRequest>(&again).unwrap(), inquiry);
            }
        }
    }
}

#[test]
fn client_side_answers() {
    use elig_proto::gateway::{Answer, AnswerError};
    let ok = gateway::encode(&ChallengeResponse::new(challenge(), 10, 70)).unwrap();
    assert!(matches!(
        gateway::decode_answer::<ChallengeResponse>(200, &ok),
        Ok(Answer::Ok(_))
    ));
    let replayed =
        gateway::encode(&Rejection::new(RejectReason::ChallengeReplayed, "used")).unwrap();
    let Ok(Answer::Rejected {
        status,
        rejection: r,
    }) = gateway::decode_answer::<InquiryResult>(409, &replayed)
    else {
        panic!("a 409 rejection expected");
    };
    assert_eq!(status, 409);
    assert_eq!(r.reason, RejectReason::ChallengeReplayed);
    assert_eq!(
        gateway::decode_answer::<InquiryResult>(500, &replayed),
        Err(AnswerError::Gateway(DecodeError::StatusMismatch {
            status: 500,
            reason: RejectReason::ChallengeReplayed
        }))
    );
    // A 200 whose body is a rejection is not the answer asked for: the gateway's fault.
    assert!(matches!(
        gateway::decode_answer::<InquiryResult>(200, &replayed),
        Err(AnswerError::Gateway(DecodeError::Malformed { .. }))
    ));
    // A proxy's HTML error page is a transport fault, not a malformed rejection.
    assert_eq!(
        gateway::decode_answer::<InquiryResult>(502, b"<html>Bad Gateway</html>"),
        Err(AnswerError::NotGatewayJson {
            status: 502,
            bytes: 24
        })
    );
}

#[test]
fn bodies_that_are_not_the_gateways_json_are_transport_faults() {
    use elig_proto::gateway::AnswerError;
    let big_page = format!("<!DOCTYPE html><html>{}</html>", "x".repeat(300 * 1024));
    let bodies: [&[u8]; 8] = [
        b"",
        b"   ",
        b"<html><body>502 Bad Gateway</body></html>",
        b"Service Unavailable",
        b"\"Bad Gateway\"",
        b"[1,2,3]",
        b"{\"error\":\"upstream connect error\"}",
        b"{\"version\":1,\"reason\":\"rate_l",
    ];
    for status in [200, 429, 502, 503] {
        for body in bodies {
            assert_eq!(
                gateway::decode_answer::<InquiryResult>(status, body),
                Err(AnswerError::NotGatewayJson {
                    status,
                    bytes: body.len()
                }),
                "{status} {:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(matches!(
            gateway::decode_answer::<InquiryResult>(status, big_page.as_bytes()),
            Err(AnswerError::NotGatewayJson { .. })
        ));
    }
    // The gateway's JSON breaking a rule stays the gateway's fault.
    assert!(matches!(
        gateway::decode_answer::<InquiryResult>(
            429,
            b"{\"version\":1,\"reason\":\"nope\",\"message\":\"\"}"
        ),
        Err(AnswerError::Gateway(DecodeError::Malformed { .. }))
    ));
    assert!(matches!(
        gateway::decode_answer::<InquiryResult>(429, b"{\"version\":7}"),
        Err(AnswerError::Gateway(DecodeError::UnsupportedVersion {
            found: 7
        }))
    ));
    let huge_json = format!("{{\"version\":1,\"pad\":\"{}\"}}", "x".repeat(8 * 1024));
    assert!(matches!(
        gateway::decode_answer::<InquiryResult>(503, huge_json.as_bytes()),
        Err(AnswerError::Gateway(DecodeError::TooLarge { .. }))
    ));
}
