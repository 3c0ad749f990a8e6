//! Hostile XML: every attack is refused with its typed error, quickly and without a panic.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use elig_proto::xmlmsg::{self, IndividualRequest, ReadError, ReadLimits};
use proptest::prelude::*;

const FIXTURE: &[u8] = include_bytes!("data/hangilc-myclinic-ts_onshi-kakunin_response.xml");

fn read(bytes: &[u8]) -> Result<voucher_model::QualificationResponse, ReadError> {
    xmlmsg::read_response(bytes)
}

#[test]
fn doctype_of_any_kind_is_refused() {
    let cases: [&[u8]; 4] = [
        b"<?xml version=\"1.0\"?><!DOCTYPE XmlMsg><XmlMsg/>",
        // XXE: an external entity that would read a local file.
        b"<?xml version=\"1.0\"?><!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\
          <XmlMsg><MessageHeader><ErrorMessage>&xxe;</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>",
        // Parameter entity pulling an external DTD.
        b"<!DOCTYPE XmlMsg [<!ENTITY % ext SYSTEM \"http://example.invalid/x.dtd\"> %ext;]><XmlMsg/>",
        // A DOCTYPE after a comment.
        b"<!-- hi --><!DOCTYPE XmlMsg SYSTEM \"x.dtd\"><XmlMsg/>",
    ];
    for case in cases {
        assert_eq!(read(case), Err(ReadError::DoctypeForbidden));
        assert_eq!(
            IndividualRequest::from_xml(case),
            Err(ReadError::DoctypeForbidden)
        );
    }
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let mut doc =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        doc.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&lol{};", i - 1)
                .replace("&lol0;", "&lol;")
                .repeat(10)
        ));
    }
    doc.push_str("]>\n<XmlMsg><MessageHeader><ErrorMessage>&lol9;</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>");
    assert_eq!(read(doc.as_bytes()), Err(ReadError::DoctypeForbidden));
}

#[test]
fn undefined_entities_are_errors_predefined_ones_work() {
    let doc = b"<XmlMsg><MessageHeader><ErrorMessage>&lol9;</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>";
    assert_eq!(
        read(doc),
        Err(ReadError::UndefinedEntity {
            name: "lol9".into()
        })
    );
    let ok = b"<XmlMsg><MessageHeader><ErrorMessage>&lt;&amp;&gt;&quot;&apos;&#x41;&#66;</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>";
    assert_eq!(read(ok).unwrap().error_message.as_deref(), Some("<&>\"'AB"));
    for bad_char_ref in ["&#0;", "&#x1;", "&#xFFFE;", "&#xD800;"] {
        let doc = format!(
            "<XmlMsg><MessageHeader><ErrorMessage>{bad_char_ref}</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>"
        );
        assert!(
            matches!(read(doc.as_bytes()), Err(ReadError::UndefinedEntity { .. })),
            "{bad_char_ref}"
        );
    }
    // Raw characters XML 1.0 forbids are malformed, in text and in CDATA.
    for raw in ["a\u{0}b", "\u{1}", "<![CDATA[\u{1F}]]>", "\u{FFFF}"] {
        let doc = format!(
            "<XmlMsg><MessageHeader><ErrorMessage>{raw}</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>"
        );
        assert!(
            matches!(read(doc.as_bytes()), Err(ReadError::Malformed { .. })),
            "{raw:?}"
        );
    }
}

#[test]
fn deep_nesting_is_refused_at_the_limit() {
    let depth = 100_000;
    let mut doc = "<a>".repeat(depth);
    doc.push_str(&"</a>".repeat(depth));
    let doc = format!("<XmlMsg>{doc}</XmlMsg>");
    assert_eq!(read(doc.as_bytes()), Err(ReadError::TooDeep { limit: 16 }));
    // Exactly at the limit is fine (XmlMsg is depth 1): the element is kept as unknown.
    let inner = 14;
    let doc = format!(
        "<XmlMsg><MessageHeader/><MessageBody>{}x{}</MessageBody></XmlMsg>",
        "<a>".repeat(inner),
        "</a>".repeat(inner)
    );
    let response = read(doc.as_bytes()).unwrap();
    assert_eq!(response.unknown_elements.len(), 1);
    assert_eq!(
        response.unknown_elements[0].name.matches('/').count(),
        inner
    );
}

#[test]
fn huge_input_is_refused_before_decoding() {
    let limits = ReadLimits::default();
    let huge = vec![b' '; limits.max_bytes + 1];
    assert_eq!(
        read(&huge),
        Err(ReadError::TooLarge {
            limit: limits.max_bytes,
            actual: limits.max_bytes + 1
        })
    );
    // Many small elements within the byte limit hit the element limit.
    let tight = ReadLimits {
        max_elements: 1000,
        ..ReadLimits::default()
    };
    let doc = format!("<XmlMsg>{}</XmlMsg>", "<x/>".repeat(5000));
    assert_eq!(
        xmlmsg::read_response_with(doc.as_bytes(), &tight).map(|_| ()),
        Err(ReadError::TooManyElements { limit: 1000 })
    );
    // Many unknown siblings within the limits: read, kept, and not quadratic (the default
    // limit of 200,000 elements in well under the 8 MiB bound).
    let doc = format!(
        "<XmlMsg><MessageHeader/><MessageBody>{}</MessageBody></XmlMsg>",
        "<x>1</x>".repeat(150_000)
    );
    let response = read(doc.as_bytes()).unwrap();
    assert_eq!(response.unknown_elements.len(), 150_000);
}

#[test]
fn malformed_encodings_are_refused() {
    // Invalid UTF-8 (a lone continuation byte, an overlong form).
    for bad in [&b"\x80"[..], b"\xC0\xAF", b"\xED\xA0\x80"] {
        let mut doc =
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><ErrorMessage>"
                .to_vec();
        doc.extend_from_slice(bad);
        doc.extend_from_slice(b"</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>");
        assert_eq!(
            read(&doc),
            Err(ReadError::MalformedEncoding { encoding: "UTF-8" })
        );
    }
    // Invalid Shift_JIS: a lead byte followed by a byte that cannot trail, a lone lead byte
    // at the end of text, an undefined lead byte.
    for bad in [&b"\x81\x20"[..], b"\x82", b"\xA0"] {
        let mut doc =
            b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader><ErrorMessage>"
                .to_vec();
        doc.extend_from_slice(bad);
        doc.extend_from_slice(b"</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>");
        assert_eq!(
            read(&doc),
            Err(ReadError::MalformedEncoding {
                encoding: "Shift_JIS"
            }),
            "{bad:x?}"
        );
    }
    // UTF-16 and unknown encodings.
    assert!(matches!(
        read(b"\xFF\xFE<\0X\0/\0>\0"),
        Err(ReadError::UnsupportedEncoding { .. })
    ));
    assert!(matches!(
        read(b"<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?><XmlMsg/>"),
        Err(ReadError::UnsupportedEncoding { .. })
    ));
    // Shift_JIS bytes with no declaration and no CharacterCodeIdentifier: not UTF-8.
    assert_eq!(
        read(b"<XmlMsg><MessageHeader><ErrorMessage>\x83\x65</ErrorMessage></MessageHeader><MessageBody/></XmlMsg>"),
        Err(ReadError::MalformedEncoding { encoding: "UTF-8" })
    );
}

#[test]
fn every_truncation_of_the_real_fixture_is_refused() {
    let last = FIXTURE.len() - 1;
    for cut in 0..last {
        let result = read(&FIXTURE[..cut]);
        assert!(result.is_err(), "a prefix of {cut} bytes was accepted");
    }
    assert!(read(FIXTURE).is_ok());
}

#[test]
fn processing_instructions_and_mangled_declarations_are_refused() {
    for doc in [
        "<?pi x?><XmlMsg><MessageHeader/><MessageBody/></XmlMsg>",
        "<XmlMsg><?pi x?><MessageHeader/><MessageBody/></XmlMsg>",
        // A broken declaration must not read as UTF-8 while it says Shift_JIS.
        "<?xm version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader/><MessageBody/></XmlMsg>",
        "<?XML version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader/><MessageBody/></XmlMsg>",
        // A declaration that is not first.
        " <?xml version=\"1.0\"?><XmlMsg><MessageHeader/><MessageBody/></XmlMsg>",
        // A control character in a comment or a name.
        "<XmlMsg><!-- \u{1} --><MessageHeader/><MessageBody/></XmlMsg>",
        "<XmlMsg><MessageHeader/><MessageBody><A\u{2}/></MessageBody></XmlMsg>",
    ] {
        assert!(
            matches!(read(doc.as_bytes()), Err(ReadError::Malformed { .. })),
            "{doc:?}"
        );
    }
}

#[test]
fn structure_errors_are_typed() {
    assert_eq!(
        read(b"<Other/>"),
        Err(ReadError::UnexpectedRoot {
            name: "Other".into()
        })
    );
    assert_eq!(
        read(b"<XmlMsg><MessageBody/></XmlMsg>"),
        Err(ReadError::MissingElement {
            name: "MessageHeader"
        })
    );
    assert_eq!(
        read(b"<XmlMsg><MessageHeader/><MessageBody/><MessageBody/></XmlMsg>"),
        Err(ReadError::DuplicateElement {
            name: "MessageBody"
        })
    );
    assert_eq!(
        read(b"<XmlMsg><MessageHeader><ErrorCode>1</ErrorCode><ErrorCode>2</ErrorCode></MessageHeader><MessageBody/></XmlMsg>"),
        Err(ReadError::DuplicateElement { name: "ErrorCode" })
    );
    assert_eq!(
        read(b"<XmlMsg><MessageHeader><ErrorCode><x/></ErrorCode></MessageHeader><MessageBody/></XmlMsg>"),
        Err(ReadError::UnexpectedChildren { name: "ErrorCode" })
    );
    assert_eq!(
        read(b"<XmlMsg><MessageHeader/><MessageBody/></XmlMsg><XmlMsg/>"),
        Err(ReadError::TrailingContent)
    );
    assert!(matches!(
        read(b"<XmlMsg><MessageHeader></MessageBody></XmlMsg>"),
        Err(ReadError::Malformed { .. })
    ));
    assert_eq!(
        read(b"<XmlMsg><MessageHeader/><MessageBody>"),
        Err(ReadError::Truncated)
    );
}

#[test]
fn tolerated_oddities() {
    // Unknown elements (kept), any order, comments, CDATA, BOM.
    let doc = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\
        <XmlMsg><MessageBody><Future><Deep>1</Deep></Future>\
        <QualificationValidity><![CDATA[4]]></QualificationValidity></MessageBody>\
        <MessageHeader><SegmentOfResult> 9 </SegmentOfResult><ErrorCode> E-01 </ErrorCode></MessageHeader></XmlMsg>";
    let r = read(doc.as_bytes()).unwrap();
    assert_eq!(r.qualification_validity.unwrap().code(), "4");
    assert!(r.segment_of_result.unwrap().is_abnormal_end());
    assert_eq!(
        r.error_code.as_deref(),
        Some(" E-01 "),
        "ErrorCode verbatim"
    );
    assert_eq!(r.unknown_elements.len(), 1);
    assert_eq!(r.unknown_elements[0].name, "MessageBody/Future/Deep");
    // A date that does not parse is kept, not fatal.
    let doc = b"<XmlMsg><MessageHeader><QualificationConfirmationDate>2023-02-30</QualificationConfirmationDate></MessageHeader><MessageBody/></XmlMsg>";
    let r = read(doc).unwrap();
    assert_eq!(r.qualification_confirmation_date, None);
    assert_eq!(
        r.unknown_elements[0].name,
        "MessageHeader/QualificationConfirmationDate"
    );
    assert_eq!(r.unknown_elements[0].text, "2023-02-30");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes: an error or a response, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read(&bytes);
        let _ = IndividualRequest::from_xml(&bytes);
    }

    /// The real fixture with bytes flipped or deleted: an error or a response, never a panic.
    #[test]
    fn mutated_fixture_never_panics(
        edits in proptest::collection::vec((0..FIXTURE.len(), any::<u8>(), any::<bool>()), 1..8)
    ) {
        let mut doc = FIXTURE.to_vec();
        for (at, byte, delete) in edits {
            if at < doc.len() {
                if delete { doc.remove(at); } else { doc[at] = byte; }
            }
        }
        // Whatever reads, writes and reads back to the same record (the fuzz round-trip
        // property); writing may refuse only an element name outside the plain subset.
        if let Ok(response) = read(&doc) {
            match xmlmsg::write_response(&response, xmlmsg::Encoding::Utf8) {
                Ok(bytes) => prop_assert_eq!(read(&bytes).unwrap(), response),
                Err(e) => prop_assert!(
                    matches!(e, xmlmsg::WriteError::InvalidName { .. }),
                    "{e}"
                ),
            }
        }
    }
}

/// Kept unknown elements go back where they were: parse → write → parse gives the same
/// record, for the shapes a fuzzer finds first.
#[test]
fn unknown_elements_round_trip_in_place() {
    let record = |inner: &str| {
        format!(
            "<XmlMsg><Top>1</Top><MessageHeader/><MessageBody><ResultList>\
             <ResultOfQualificationConfirmation>{inner}</ResultOfQualificationConfirmation>\
             </ResultList></MessageBody></XmlMsg>"
        )
    };
    let cases = [
        // An empty unknown leaf, then an unknown container of the same name.
        record("<Foo></Foo><Foo><B>c</B></Foo>"),
        // An unknown container interrupted by another element.
        record("<Foo><B>c</B></Foo><X>1</X><Foo><D>e</D></Foo>"),
        // Unknown elements and unreadable values inside known containers, and in the
        // second of two list items.
        record(
            "<ElderlyRecipientCertificateInfo><Odd>1</Odd></ElderlyRecipientCertificateInfo>\
             <SpecificDiseasesCertificateList>\
             <SpecificDiseasesCertificateInfo><SpecificDiseasesCertificateDate>20230101</SpecificDiseasesCertificateDate></SpecificDiseasesCertificateInfo>\
             <SpecificDiseasesCertificateInfo><SpecificDiseasesCertificateDate>2023-01-01</SpecificDiseasesCertificateDate><New>x</New></SpecificDiseasesCertificateInfo>\
             </SpecificDiseasesCertificateList><InsurerNumber>12x</InsurerNumber>",
        ),
    ];
    for case in &cases {
        let first = read(case.as_bytes()).unwrap();
        assert!(
            !first.results[0].unknown_elements.is_empty(),
            "{case}: nothing was kept"
        );
        for encoding in [xmlmsg::Encoding::Utf8, xmlmsg::Encoding::ShiftJis] {
            let written = xmlmsg::write_response(&first, encoding).unwrap();
            assert_eq!(read(&written).unwrap(), first, "{case}");
        }
        // And through the gateway's JSON, where an object's keys are unique: an unknown
        // element repeated around another one is grouped, so only its place among the
        // other names may change (documented in xmlmsg::json).
        let result = elig_proto::gateway::InquiryResult::new(
            elig_proto::gateway::RequestId::new("r").unwrap(),
            elig_proto::gateway::Basis::CardSignature,
            first.clone(),
        );
        let body = elig_proto::gateway::encode(&result).unwrap();
        let back: elig_proto::gateway::InquiryResult = elig_proto::gateway::decode(&body).unwrap();
        let by_name = |r: &voucher_model::QualificationResponse| {
            let mut r = r.clone();
            for q in &mut r.results {
                q.unknown_elements.sort_by(|a, b| a.name.cmp(&b.name));
            }
            r
        };
        assert_eq!(by_name(&back.response), by_name(&first), "{case} via JSON");
        // From there on, JSON → record → JSON is stable.
        let again = elig_proto::gateway::encode(&back).unwrap();
        let back2: elig_proto::gateway::InquiryResult =
            elig_proto::gateway::decode(&again).unwrap();
        assert_eq!(back2, back);
        assert_eq!(elig_proto::gateway::encode(&back2).unwrap(), again);
    }
    let lists = read(cases[2].as_bytes()).unwrap();
    let names: Vec<&str> = lists.results[0]
        .unknown_elements
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "InsurerNumber",
            "ElderlyRecipientCertificateInfo/Odd",
            // Within an element: unknown children first, then values that did not parse.
            "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[2]/New",
            "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[2]/SpecificDiseasesCertificateDate",
        ]
    );
    assert_eq!(lists.unknown_elements[0].name, "Top");
}
