//! The seed corpora of the fuzz targets (`fuzz/corpus/<target>/seed-*`), made from the
//! fixtures so every seed is a valid input the SDK really produces or reads. Input layouts
//! are the ones each target documents (a selector byte, frames of `u16` BE length + bytes).

use elig_proto::gateway::facility_text;
use jpki_apdu::procedure::{ReadEf, ReadLength, SelectApplication};
use jpki_apdu::{ReaderLimits, ids};
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};

use crate::FixtureError;
use crate::fixtures::{Exchange, Fixtures, SAMPLE_REQUEST_TEMPLATE_XML, record};

/// One seed file: the fuzz target, a name (the file is `seed-<name>`), the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The fuzz target's name.
    pub target: &'static str,
    /// The file name after `seed-`.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Frames as the fuzz targets read them: `u16` big-endian length + bytes each.
pub fn frames<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        let len = u16::try_from(item.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(item.get(..usize::from(len)).unwrap_or(item));
    }
    out
}

fn prefixed(prefix: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    out.extend_from_slice(rest);
    out
}

fn responses(transcript: &[Exchange]) -> Vec<u8> {
    frames(transcript.iter().map(|e| e.response.as_slice()))
}

/// The certificate read alone (SELECT EF `000A` + READ BINARY …), recorded.
fn cert_read(config: CardConfig, limits: ReaderLimits) -> Result<Vec<Exchange>, FixtureError> {
    let mut card = VirtualMyNumberCard::builder()
        .config(config)
        .build()
        .map_err(|e| FixtureError::Card(e.to_string()))?;
    let mut setup = Vec::new();
    record(
        &mut card,
        SelectApplication::new(ids::JPKI_AP, limits),
        &mut setup,
    )?;
    let mut log = Vec::new();
    record(
        &mut card,
        ReadEf::new(ids::jpki::AUTH_CERT, ReadLength::Tlv, limits),
        &mut log,
    )?;
    Ok(log)
}

/// Every seed of every target.
///
/// # Errors
/// [`FixtureError`] if recording the certificate reads fails.
pub fn all(f: &Fixtures) -> Result<Vec<Seed>, FixtureError> {
    let mut seeds = Vec::new();
    let mut add = |target: &'static str, name: &str, bytes: Vec<u8>| {
        seeds.push(Seed {
            target,
            name: name.to_owned(),
            bytes,
        });
    };

    // APDUs: every distinct command and response of the two PIN-mode transcripts.
    let mut commands: Vec<&[u8]> = Vec::new();
    let mut answers: Vec<&[u8]> = Vec::new();
    for e in f.pin_check_extended.iter().chain(&f.pin_check_short) {
        if !commands.contains(&e.command.as_slice()) {
            commands.push(&e.command);
        }
        if !answers.contains(&e.response.as_slice()) && answers.len() < 12 {
            answers.push(&e.response);
        }
    }
    for (i, c) in commands.iter().enumerate() {
        add("apdu_command", &format!("pin-check-{i:02}"), c.to_vec());
        add(
            "apdu_roundtrip",
            &format!("command-{i:02}"),
            prefixed(&[0], c),
        );
    }
    for (i, r) in answers.iter().enumerate() {
        add("apdu_response", &format!("pin-check-{i:02}"), r.to_vec());
        add(
            "apdu_roundtrip",
            &format!("response-{i:02}"),
            prefixed(&[1], r),
        );
    }
    add(
        "apdu_roundtrip",
        "fields",
        vec![2, 0x00, 0xB0, 0x00, 0x04, 2, 0x01, 0x02, 1, 0, 1, 0, 0, 1],
    );

    // TLV: the certificate, the CA certificate, 基本4情報.
    for (name, bytes) in [
        ("auth-cert", &f.card.auth_cert),
        ("auth-ca-cert", &f.card.auth_ca_cert),
        ("basic-info", &f.card.basic_info),
    ] {
        add("tlv", name, bytes.clone());
        add("tlv_roundtrip", name, bytes.clone());
    }
    add("basic_info", "virtual-card", f.card.basic_info.clone());
    add("token_info", "token-info", f.card.token_info.clone());
    add(
        "token_info",
        "cert-availability",
        f.card.cert_availability.clone(),
    );
    let mut my_number = vec![0xFF, 0x10, 0x0C];
    my_number.extend_from_slice(b"123456789018");
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    add("token_info", "my-number-layout", my_number);

    // The certificate read path and the procedures: responses as the virtual card gave them.
    // Selector bytes: elig_fuzz::limits_from (0 short-only, 1 extended); procedures: 7 =
    // PinModeCheck (bit 7 = last try allowed), 1 = VerifyPin::auth.
    let extended = cert_read(CardConfig::extended(), ReaderLimits::extended(65_538))?;
    let short = cert_read(CardConfig::short_only(), ReaderLimits::short_only())?;
    add(
        "cert_read",
        "extended",
        prefixed(&[1, 0], &responses(&extended)),
    );
    add("cert_read", "short", prefixed(&[0, 0], &responses(&short)));
    let t0 = [&[0x61, 0x10][..], &[0x90, 0x00]];
    add("cert_read", "get-response", prefixed(&[4, 0], &frames(t0)));
    add(
        "procedures",
        "pin-check-extended",
        prefixed(&[7, 1], &responses(&f.pin_check_extended)),
    );
    add(
        "procedures",
        "pin-check-short",
        prefixed(&[7, 0], &responses(&f.pin_check_short)),
    );
    let verify = [&[0x90, 0x00][..], &[0x63, 0xC3], &[0x90, 0x00]];
    add(
        "procedures",
        "verify-auth",
        prefixed(&[1, 0], &frames(verify)),
    );
    let last_try = [&[0x90, 0x00][..], &[0x63, 0xC1]];
    add(
        "procedures",
        "verify-last-try",
        prefixed(&[1, 0], &frames(last_try)),
    );

    // Identifiers (selector = the target's parser index), public examples of vouchers.md
    // and oqs.md.
    let ids: [(u8, &str, &str); 22] = [
        (0, "insurer", "06110829"),
        (0, "insurer-kokuho-spaces", "  123455"),
        (0, "insurer-full-width", "０６１１０８２９"),
        (1, "late-elderly", "39123458"),
        (2, "medical-code", "0110113719"),
        (2, "medical-code-bad-check", "1311111111"),
        (3, "checkup-institution", "0110113719"),
        (4, "payment-agent", "12345678"),
        (5, "online-code", "ABC-123"),
        (6, "voucher-number", "25000000001"),
        (7, "card-symbol", "12-34"),
        (7, "card-symbol-full-width", "１２－３４"),
        (8, "card-number", "4260"),
        (9, "branch", "01"),
        (10, "date", "20251001"),
        (10, "date-iso", "2025-10-01"),
        (11, "date-time", "20230221174835"),
        (12, "ratio", "030"),
        (13, "suffix", "202611240001"),
        (14, "file-name", "OQSsiquc01req_202611240001.xml"),
        (14, "file-name-face", "OQSsiquc01res_face_202611240001.xml"),
        (14, "file-name-zip", "OQSmuquc02res_202611240001.zip"),
    ];
    for (kind, name, text) in ids {
        add("identifiers", name, prefixed(&[kind], text.as_bytes()));
    }

    // JSON: voucher (as Voucher and as VoucherFields), evidence, qualification response.
    let json = |v: serde_json::Result<String>| v.map_err(|e| FixtureError::Data(e.to_string()));
    add(
        "voucher_json",
        "voucher",
        prefixed(&[0], f.voucher_json.as_bytes()),
    );
    add(
        "voucher_json",
        "voucher-fields",
        prefixed(&[1], f.voucher_json.as_bytes()),
    );
    let result: elig_proto::gateway::InquiryResult = elig_proto::gateway::decode(&f.gateway.result)
        .map_err(|e| FixtureError::Data(e.to_string()))?;
    let evidence = voucher_model::Evidence::online(
        voucher_model::OnlineChannel::Limited,
        voucher_model::OnlineMode::Pin {
            signature_verified: true,
        },
        result.response.clone(),
    );
    add(
        "voucher_json",
        "evidence",
        prefixed(&[2], json(serde_json::to_string(&evidence))?.as_bytes()),
    );
    add(
        "voucher_json",
        "response",
        prefixed(
            &[3],
            json(serde_json::to_string(&result.response))?.as_bytes(),
        ),
    );

    // 既存型 XML.
    add("xml_response", "sample-utf8", f.xml_response_utf8.clone());
    add("xml_response", "written-sjis", f.xml_response_sjis.clone());
    add("xml_response", "request-utf8", f.xml_request_utf8.clone());
    add(
        "xml_response",
        "request-template",
        SAMPLE_REQUEST_TEMPLATE_XML.to_vec(),
    );
    let sjis_text = String::from_utf8_lossy(&f.xml_response_utf8).replacen(
        "encoding=\"UTF-8\"",
        "encoding=\"Shift_JIS\"",
        1,
    );
    add(
        "xml_response_sjis",
        "sample-declared-sjis",
        sjis_text.into_bytes(),
    );
    let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&f.xml_response_sjis);
    add(
        "xml_response_sjis",
        "written-sjis-as-text",
        decoded.into_owned().into_bytes(),
    );
    add(
        "xml_roundtrip",
        "response-utf8",
        prefixed(&[0], &f.xml_response_utf8),
    );
    add(
        "xml_roundtrip",
        "response-sjis",
        prefixed(&[1], &f.xml_response_sjis),
    );
    add(
        "xml_roundtrip",
        "request-utf8",
        prefixed(&[2], &f.xml_request_utf8),
    );
    add(
        "xml_roundtrip",
        "request-sjis",
        prefixed(&[3], &f.xml_request_sjis),
    );

    // Gateway messages (selector: 0 challenge request, 1 challenge response, 2 inquiry,
    // 3 result, 4 rejection).
    let g = &f.gateway;
    for (kind, name, body) in [
        (0u8, "challenge-request", &g.challenge_request),
        (1, "challenge-response", &g.challenge_response),
        (2, "inquiry-pin", &g.inquiry_pin),
        (2, "inquiry-visual", &g.inquiry_visual),
        (3, "result", &g.result),
        (4, "rejection", &g.rejection),
    ] {
        add("gateway_messages", name, prefixed(&[kind], body));
        add("gateway_roundtrip", name, prefixed(&[kind], body));
    }
    // The sandbox's inquiry handling (selector: 0 challenge, 1 inquiry, 2 subject serial).
    add(
        "sandbox_inquiry",
        "challenge-request",
        prefixed(&[0], &g.challenge_request),
    );
    add(
        "sandbox_inquiry",
        "inquiry-pin",
        prefixed(&[1], &g.inquiry_pin),
    );
    add(
        "sandbox_inquiry",
        "inquiry-visual",
        prefixed(&[1], &g.inquiry_visual),
    );
    add(
        "sandbox_inquiry",
        "subject-serial",
        prefixed(&[2], facility_text(&f.facility).as_bytes()),
    );
    Ok(seeds)
}
