//! proptest write → read round trips: requests and responses in both encodings, and every
//! gateway message.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{TEXT, date, date_time, facility, response, search};
use elig_proto::gateway::{
    self, Basis, CertificateDer, Challenge, ChallengeRequest, ChallengeResponse, InquiryDigest,
    InquiryRequest, InquiryResult, PinProof, Proof, RejectReason, Rejection, RequestId,
    SignatureBytes, VisualAttestation,
};
use elig_proto::xmlmsg::{self, Encoding, IndividualRequest, InsurerPadding};
use proptest::prelude::*;
use voucher_model::CheckupInstitutionNumber;

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![Just(Encoding::Utf8), Just(Encoding::ShiftJis)]
}

fn request() -> impl Strategy<Value = IndividualRequest> {
    (
        date(),
        "[0-9]{10}".prop_map(|c| CheckupInstitutionNumber::parse(&c).unwrap()),
        search(),
        proptest::option::of(TEXT),
        any::<bool>(),
    )
        .prop_map(|(d, f, s, id, zeros)| {
            let nhi = s
                .insurer_number
                .as_ref()
                .is_some_and(|n| n.is_national_health_insurance());
            let mut r = IndividualRequest::new(d, f, s);
            r.arbitrary_file_identifier = id;
            if nhi && zeros {
                r = r.with_insurer_padding(InsurerPadding::Zeros);
            }
            r
        })
}

fn request_id() -> impl Strategy<Value = RequestId> {
    "[A-Za-z0-9._:-]{1,64}".prop_map(|s| RequestId::new(&s).unwrap())
}

fn challenge() -> impl Strategy<Value = Challenge> {
    any::<[u8; 32]>().prop_map(Challenge::from_bytes)
}

fn proof() -> impl Strategy<Value = Proof> {
    prop_oneof![
        (
            challenge(),
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 64..300)
        )
            .prop_map(|(c, d, s)| Proof::Pin(PinProof::new(
                c,
                InquiryDigest(d),
                SignatureBytes::new(s).unwrap()
            ))),
        ("[a-zA-Z0-9 田中-]{0,20}", date_time(), any::<bool>())
            .prop_map(|(who, at, ok)| Proof::Visual(VisualAttestation::new(&who, at, ok).unwrap())),
    ]
}

fn inquiry() -> impl Strategy<Value = InquiryRequest> {
    (
        request_id(),
        facility(),
        date(),
        proptest::option::of(search()),
        proptest::collection::vec(any::<u8>(), 64..400),
        proof(),
    )
        .prop_map(|(id, f, d, s, cert, proof)| {
            InquiryRequest::new(id, f, d, s, CertificateDer::new(cert).unwrap(), proof)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn request_round_trip(r in request(), enc in encoding()) {
        let bytes = r.to_xml(enc).unwrap();
        let back = IndividualRequest::from_xml(&bytes).unwrap();
        prop_assert_eq!(&back, &r);
        // Writing is deterministic: the same request gives the same bytes.
        prop_assert_eq!(back.to_xml(enc).unwrap(), bytes);
    }

    #[test]
    fn response_round_trip(r in response(), enc in encoding()) {
        let bytes = xmlmsg::write_response(&r, enc).unwrap();
        let (back, info) = xmlmsg::read_response_with(&bytes, &xmlmsg::ReadLimits::default()).unwrap();
        prop_assert_eq!(info.encoding, enc);
        prop_assert_eq!(&back, &r);
    }

    #[test]
    fn challenge_messages_round_trip(c in challenge(), issued in any::<u64>(), ttl in any::<u64>()) {
        let request = ChallengeRequest::new();
        let body = gateway::encode(&request).unwrap();
        prop_assert_eq!(gateway::decode::<ChallengeRequest>(&body).unwrap(), request);
        let response = ChallengeResponse::new(c, issued, issued.saturating_add(ttl));
        let body = gateway::encode(&response).unwrap();
        prop_assert_eq!(gateway::decode::<ChallengeResponse>(&body).unwrap(), response);
    }

    #[test]
    fn inquiry_round_trip(i in inquiry()) {
        let body = gateway::encode(&i).unwrap();
        prop_assert!(body.len() <= gateway::MAX_REQUEST_BYTES);
        prop_assert_eq!(gateway::decode::<InquiryRequest>(&body).unwrap(), i);
    }

    #[test]
    fn result_round_trip(id in request_id(), visual in any::<bool>(), r in response()) {
        let basis = if visual { Basis::VisualConfirmation } else { Basis::CardSignature };
        let result = InquiryResult::new(id, basis, r);
        let body = gateway::encode(&result).unwrap();
        prop_assert_eq!(gateway::decode::<InquiryResult>(&body).unwrap(), result);
    }

    #[test]
    fn rejection_round_trip(
        reason in proptest::sample::select(RejectReason::ALL.to_vec()),
        message in "[^\\p{Cc}]{0,100}",
        id in proptest::option::of(request_id()),
        retry in proptest::option::of(any::<u32>()),
    ) {
        let mut rejection = Rejection::new(reason, &message);
        rejection.request_id = id;
        rejection.retry_after_seconds = retry;
        let body = gateway::encode(&rejection).unwrap();
        prop_assert_eq!(gateway::decode::<Rejection>(&body).unwrap(), rejection);
    }

    /// The digest is the same on both sides of the wire: computed from the inquiry the client
    /// built, and from the one the gateway decoded.
    #[test]
    fn digest_survives_the_wire(i in inquiry(), device in facility()) {
        let body = gateway::encode(&i).unwrap();
        let back: InquiryRequest = gateway::decode(&body).unwrap();
        prop_assert_eq!(
            i.to_be_signed(&device).map(|t| t.digest()),
            back.to_be_signed(&device).map(|t| t.digest())
        );
    }
}
