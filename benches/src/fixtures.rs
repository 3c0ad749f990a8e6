//! Inputs shared by the benchmarks and the fuzz seed generator, all produced by the SDK's
//! own crates: APDU transcripts recorded from reader-backends' virtual My Number Card, the
//! files it serves, 既存型 XML files, gateway message bodies, and a voucher.

use std::convert::Infallible;

use elig_proto::gateway::{
    self as proto, Basis, Challenge, ChallengeRequest, ChallengeResponse, InquiryResult,
    RejectReason, Rejection, RequestId,
};
use elig_proto::xmlmsg::{self, Encoding, IndividualRequest};
use jpki_apdu::procedure::{
    LastTry, PinModeCheck, ReadEf, ReadLength, SelectApplication, VerifyPin,
};
use jpki_apdu::{AssistPin, AuthPin, DigestInfo, Procedure, ReaderLimits, drive, ids};
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};
use voucher_model::{
    CardNumber, CardSymbol, CharacterCodeIdentifier, CheckupCopayments, CheckupInstitutionNumber,
    Copayment, Date, Facility, InsurerNumber, Person, QualificationResponse, SearchInfo, Sex,
    Voucher, VoucherFields, VoucherKind, VoucherNumber,
};

use crate::FixtureError;

/// The real-format 既存型 response fixture (UTF-8; provenance in `data/README.md`).
pub const SAMPLE_RESPONSE_XML: &[u8] =
    include_bytes!("../data/hangilc-myclinic-ts_onshi-kakunin_response.xml");
/// The request template reconstructed from a clinic's notes (a fuzz seed only).
pub const SAMPLE_REQUEST_TEMPLATE_XML: &[u8] = include_bytes!("../data/OQSsiquc01req_template.xml");

/// The auth PIN of the virtual card used here (reader-backends' default).
pub const PIN: &str = "1234";
/// The request id of the benchmark inquiry.
pub const REQUEST_ID: &str = "bench-0001";
/// The challenge the benchmark gateway "issued".
pub const CHALLENGE: [u8; 32] = [0x5C; 32];

/// One command APDU and the card's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command bytes.
    pub command: Vec<u8>,
    /// The response bytes (data + SW1 SW2).
    pub response: Vec<u8>,
}

/// What the virtual card serves, read through jpki-apdu's procedures.
#[derive(Debug, Clone)]
pub struct CardFiles {
    /// EF `000A`: the authentication certificate (DER, padded to 1,900 bytes by the card).
    pub auth_cert: Vec<u8>,
    /// EF `000B`: its issuing CA certificate.
    pub auth_ca_cert: Vec<u8>,
    /// EF `0006`: the first 32 bytes of token info (the label).
    pub token_info: Vec<u8>,
    /// EF `0008`: certificate availability.
    pub cert_availability: Vec<u8>,
    /// EF `0002` of the 券面事項入力補助AP: 基本4情報 (after its PIN).
    pub basic_info: Vec<u8>,
}

/// Gateway protocol bodies (PROTOCOL.md), encoded by elig-proto.
#[derive(Debug, Clone)]
pub struct GatewayBodies {
    /// `POST /v1/challenge` request.
    pub challenge_request: Vec<u8>,
    /// Its 200 answer.
    pub challenge_response: Vec<u8>,
    /// `POST /v1/inquiry` in PIN mode, signed by the virtual card.
    pub inquiry_pin: Vec<u8>,
    /// `POST /v1/inquiry` in 目視確認 mode.
    pub inquiry_visual: Vec<u8>,
    /// A 200 answer: the registry's answer for the embedded sandbox's first person.
    pub result: Vec<u8>,
    /// A rejection.
    pub rejection: Vec<u8>,
}

/// Everything the benchmarks and the seed generator use.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// Files read from the virtual card.
    pub card: CardFiles,
    /// The whole card side of a PIN-mode check (jpki-apdu's `PinModeCheck`) against a card
    /// and reader with extended length.
    pub pin_check_extended: Vec<Exchange>,
    /// The same against a short-APDU-only card and reader.
    pub pin_check_short: Vec<Exchange>,
    /// The 32-byte digest the card signed (the protocol's to-be-signed digest).
    pub digest: [u8; 32],
    /// The card's signature over it.
    pub signature: Vec<u8>,
    /// Gateway message bodies.
    pub gateway: GatewayBodies,
    /// The 既存型 response fixture, UTF-8 as published.
    pub xml_response_utf8: Vec<u8>,
    /// The same response written by elig-proto in Shift_JIS (CP932).
    pub xml_response_sjis: Vec<u8>,
    /// An individual-check request written by elig-proto, UTF-8.
    pub xml_request_utf8: Vec<u8>,
    /// The same request in Shift_JIS.
    pub xml_request_sjis: Vec<u8>,
    /// The voucher the check compares against.
    pub voucher: Voucher,
    /// The voucher's stable JSON.
    pub voucher_json: String,
    /// The facility asking (the device certificate's, on a real gateway).
    pub facility: Facility,
    /// The checkup date.
    pub checkup_date: Date,
    /// The search information sent with the inquiry.
    pub search: SearchInfo,
}

/// Runs `procedure` against `card`, recording every exchange.
///
/// # Errors
/// [`FixtureError::Card`] when the procedure fails.
pub fn record<P: Procedure>(
    card: &mut VirtualMyNumberCard,
    procedure: P,
    log: &mut Vec<Exchange>,
) -> Result<P::Output, FixtureError> {
    drive(procedure, |command: &[u8]| {
        let response = card.process(command);
        log.push(Exchange {
            command: command.to_vec(),
            response: response.clone(),
        });
        Ok::<_, Infallible>(response)
    })
    .map_err(|e| FixtureError::Card(e.to_string()))
}

/// The checkup date of the fixtures.
const CHECKUP_DATE: &str = "2025-10-01";

/// The fixture's card, its certificates issued on the checkup date (a card built "now" would
/// not be valid yet on a past checkup date, and its bytes would change with the day).
fn card(config: CardConfig) -> Result<VirtualMyNumberCard, FixtureError> {
    let day = parse("date", Date::parse_iso(CHECKUP_DATE))?;
    VirtualMyNumberCard::builder()
        .config(config)
        .issued_on(elig_sandbox::clock::jst_noon(day))
        .build()
        .map_err(|e| FixtureError::Card(e.to_string()))
}

fn read_card_files() -> Result<CardFiles, FixtureError> {
    let mut card = card(CardConfig::extended())?;
    let limits = ReaderLimits::extended(65_538);
    let mut log = Vec::new();
    record(
        &mut card,
        SelectApplication::new(ids::JPKI_AP, limits),
        &mut log,
    )?;
    let mut read = |fid, length| record(&mut card, ReadEf::new(fid, length, limits), &mut log);
    let auth_cert = read(ids::jpki::AUTH_CERT, ReadLength::Tlv)?;
    let auth_ca_cert = read(ids::jpki::AUTH_CA_CERT, ReadLength::Tlv)?;
    let token_info = read(ids::jpki::TOKEN_INFO, ReadLength::Exact(32))?;
    let cert_availability = read(ids::jpki::CERT_AVAILABILITY, ReadLength::Exact(3))?;
    record(
        &mut card,
        SelectApplication::new(ids::ASSIST_AP, limits),
        &mut log,
    )?;
    let pin = AssistPin::new(PIN).map_err(|e| FixtureError::Card(e.to_string()))?;
    let verify = VerifyPin::assist(pin, LastTry::Refuse, limits);
    record(&mut card, verify, &mut log)?;
    let basic_info = record(
        &mut card,
        ReadEf::new(ids::assist::BASIC_INFO, ReadLength::Tlv, limits),
        &mut log,
    )?;
    Ok(CardFiles {
        auth_cert,
        auth_ca_cert,
        token_info,
        cert_availability,
        basic_info,
    })
}

/// The card side of a PIN-mode check signing `digest`, recorded.
fn pin_check(
    config: CardConfig,
    limits: ReaderLimits,
    digest: &[u8; 32],
) -> Result<(Vec<Exchange>, Vec<u8>), FixtureError> {
    let mut card = card(config)?;
    let pin = AuthPin::new(PIN).map_err(|e| FixtureError::Card(e.to_string()))?;
    let check = PinModeCheck::up_front(pin, LastTry::Refuse, DigestInfo::sha256(digest), limits);
    let mut log = Vec::new();
    let evidence = record(&mut card, check, &mut log)?;
    Ok((log, evidence.signature))
}

fn parse<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, FixtureError> {
    r.map_err(|e| FixtureError::Data(format!("{what}: {e}")))
}

/// The voucher of voucher-model's README example (a 受診券 for insurer 06110829).
///
/// # Errors
/// [`FixtureError::Data`] if voucher-model refuses it.
pub fn voucher() -> Result<Voucher, FixtureError> {
    Voucher::new(VoucherFields {
        kind: VoucherKind::Checkup,
        number: parse("voucher number", "25000000001".parse::<VoucherNumber>())?,
        issued_on: parse("date", Date::parse_iso("2025-04-01"))?,
        expires_on: parse("date", Date::parse_iso("2026-03-31"))?,
        insurer_number: parse("insurer", "06110829".parse::<InsurerNumber>())?,
        card_symbol: Some(parse("symbol", "12-34".parse::<CardSymbol>())?),
        card_number: parse("number", "4260".parse::<CardNumber>())?,
        branch_number: Some(parse("branch", "01".parse())?),
        person: Person {
            name: "診療　太郎".into(),
            name_kana: Some("シンリョウ　タロウ".into()),
            sex: Sex::Male,
            birth_date: parse("date", Date::parse_iso("2001-03-27"))?,
        },
        contract_coordinator_name: None,
        payment_agent_number: None,
        checkup_copayments: CheckupCopayments {
            basic: Some(Copayment::FixedYen { yen: 1000 }),
            ..CheckupCopayments::default()
        },
        guidance_copayment: None,
        guidance_level: None,
    })
    .map_err(|e| FixtureError::Data(e.to_string()))
}

/// The inquiry's search information (the voucher's numbers).
fn search(voucher: &Voucher) -> Result<SearchInfo, FixtureError> {
    let fields = serde_json::to_value(voucher).map_err(|e| FixtureError::Data(e.to_string()))?;
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    Ok(SearchInfo {
        insurer_number: Some(parse(
            "insurer",
            InsurerNumber::parse(&text("insurer_number")),
        )?),
        insured_card_symbol: Some(parse("symbol", CardSymbol::parse(&text("card_symbol")))?),
        insured_identification_number: Some(parse(
            "number",
            CardNumber::parse(&text("card_number")),
        )?),
        // The same search the elig-client session derives from the voucher, so the parser
        // benches' inquiry bodies have the session's shape.
        insured_branch_number: voucher.branch_number().cloned(),
        birthdate: Some(voucher.person().birth_date),
        ..SearchInfo::default()
    })
}

fn gateway_bodies(
    f: &Facility,
    date: Date,
    search: &SearchInfo,
    cert: &[u8],
    digest: [u8; 32],
    signature: Vec<u8>,
) -> Result<GatewayBodies, FixtureError> {
    let enc =
        |r: Result<Vec<u8>, proto::EncodeError>| r.map_err(|e| FixtureError::Data(e.to_string()));
    let build = |e: elig_sandbox::inquiry::BuildError| FixtureError::Data(e.to_string());
    let unsigned =
        elig_sandbox::inquiry::unsigned(REQUEST_ID, f, date, Some(search), cert).map_err(build)?;
    let pin = elig_sandbox::inquiry::with_pin(
        unsigned.clone(),
        Challenge::from_bytes(CHALLENGE),
        digest,
        signature,
    )
    .map_err(build)?;
    let at = parse(
        "time",
        voucher_model::DateTime::parse_compact("20251001093000"),
    )?;
    let visual = elig_sandbox::inquiry::with_visual(unsigned, "受付 山田", at, true)
        .map_err(|e| FixtureError::Data(e.to_string()))?;
    let registry = elig_sandbox::registry::Registry::default_registry()
        .map_err(|e| FixtureError::Data(e.to_string()))?;
    let person = registry
        .people()
        .first()
        .ok_or_else(|| FixtureError::Data("the embedded registry has no person".into()))?;
    let lookup = registry.lookup(person.card.serial, date, None);
    let response = QualificationResponse {
        qualification_confirmation_date: Some(date),
        qualification_validity: Some(lookup.validity),
        results: lookup.records,
        ..QualificationResponse::default()
    };
    let request_id =
        RequestId::new(REQUEST_ID).ok_or_else(|| FixtureError::Data("request id".into()))?;
    Ok(GatewayBodies {
        challenge_request: enc(proto::encode(&ChallengeRequest::new()))?,
        challenge_response: enc(proto::encode(&ChallengeResponse::new(
            Challenge::from_bytes(CHALLENGE),
            1_759_278_600,
            1_759_278_900,
        )))?,
        inquiry_pin: enc(proto::encode(&pin))?,
        inquiry_visual: enc(proto::encode(&visual))?,
        result: enc(proto::encode(&InquiryResult::new(
            request_id,
            Basis::CardSignature,
            response,
        )))?,
        rejection: enc(proto::encode(&Rejection::new(
            RejectReason::SignatureInvalid,
            "the signature does not verify with the card certificate's key",
        )))?,
    })
}

impl Fixtures {
    /// Builds every fixture: reads the virtual card, runs two recorded PIN-mode checks,
    /// encodes the gateway bodies and the XML files. Takes about a second (RSA key
    /// generation of the virtual card, once per process).
    ///
    /// # Errors
    /// [`FixtureError`] if a crate refuses its own output (a bug worth knowing about).
    pub fn build() -> Result<Self, FixtureError> {
        let card = read_card_files()?;
        let institution = parse("facility", CheckupInstitutionNumber::parse("0110113719"))?;
        let facility = Facility::CheckupInstitution(institution.clone());
        let checkup_date = parse("date", Date::parse_iso(CHECKUP_DATE))?;
        let voucher = voucher()?;
        let search = search(&voucher)?;
        let request_id =
            RequestId::new(REQUEST_ID).ok_or_else(|| FixtureError::Data("request id".into()))?;
        let digest = proto::digest(
            proto::PROTOCOL_VERSION,
            &Challenge::from_bytes(CHALLENGE),
            &facility,
            checkup_date,
            &request_id,
            Some(&search),
        );
        let (pin_check_extended, signature) = pin_check(
            CardConfig::extended(),
            ReaderLimits::extended(65_538),
            &digest,
        )?;
        let (pin_check_short, _) = pin_check(
            CardConfig::short_only(),
            ReaderLimits::short_only(),
            &digest,
        )?;
        let gateway = gateway_bodies(
            &facility,
            checkup_date,
            &search,
            &card.auth_cert,
            digest,
            signature.clone(),
        )?;
        let mut response = parse(
            "sample response",
            xmlmsg::read_response(SAMPLE_RESPONSE_XML),
        )?;
        response.character_code_identifier = Some(CharacterCodeIdentifier::from_code("1"));
        let xml_response_sjis = parse(
            "write",
            xmlmsg::write_response(&response, Encoding::ShiftJis),
        )?;
        let request = IndividualRequest::new(checkup_date, institution, search.clone())
            .with_file_identifier("bench0001");
        let voucher_json =
            serde_json::to_string(&voucher).map_err(|e| FixtureError::Data(e.to_string()))?;
        Ok(Self {
            card,
            pin_check_extended,
            pin_check_short,
            digest,
            signature,
            gateway,
            xml_response_utf8: SAMPLE_RESPONSE_XML.to_vec(),
            xml_response_sjis,
            xml_request_utf8: parse("request", request.to_xml(Encoding::Utf8))?,
            xml_request_sjis: parse("request", request.to_xml(Encoding::ShiftJis))?,
            voucher,
            voucher_json,
            facility,
            checkup_date,
            search,
        })
    }
}
