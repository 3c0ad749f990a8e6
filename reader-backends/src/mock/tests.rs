//! The virtual card's behaviour, command by command, against card.md.
#![allow(clippy::arithmetic_side_effects)] // test arithmetic on known-small values

use super::*;
use rsa::Pkcs1v15Sign;
use std::sync::OnceLock;

const JPKI: &[u8] = &[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
const KENMEN: &[u8] = &[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
const ISD: &[u8] = &[0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

/// One test PKI for this module's cards: a test fixture (the library keeps no process-wide
/// key cache), so card 7's four keys are derived once per test binary.
fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| Pki::new(DEFAULT_SEED))
}

/// The day this module's cards are issued on: fixed, so that what they hold does not change
/// with the day the tests run.
fn day() -> SystemTime {
    elig_testpki::utc_midnight(2026, 4, 1).unwrap()
}

/// Card 7's default credentials, from the shared [`pki`].
fn creds7() -> CardCredentials {
    pki().card(7, Persona::default().name(), day()).unwrap()
}

fn card_with(config: CardConfig) -> VirtualMyNumberCard {
    VirtualMyNumberCard::builder()
        .serial(7)
        .credentials(creds7())
        .config(config)
        .build()
        .unwrap()
}

fn card() -> VirtualMyNumberCard {
    card_with(CardConfig::default())
}

fn select_aid(aid: &[u8]) -> Vec<u8> {
    let mut c = vec![0x00, 0xA4, 0x04, 0x0C, u8::try_from(aid.len()).unwrap()];
    c.extend_from_slice(aid);
    c
}

fn select_ef(fid: u16) -> Vec<u8> {
    let [a, b] = fid.to_be_bytes();
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, a, b]
}

fn verify(pin: &[u8]) -> Vec<u8> {
    let mut c = vec![0x00, 0x20, 0x00, 0x80, u8::try_from(pin.len()).unwrap()];
    c.extend_from_slice(pin);
    c
}

fn sw(r: &[u8]) -> u16 {
    u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])
}

fn run(card: &mut VirtualMyNumberCard, cmd: &[u8]) -> u16 {
    sw(&card.process(cmd))
}

fn sign_cmd(digest: &[u8; 32]) -> Vec<u8> {
    let mut c = vec![0x80, 0x2A, 0x00, 0x80, 51];
    c.extend_from_slice(jpki_apdu::DigestInfo::sha256(digest).as_bytes());
    c.push(0x00);
    c
}

#[test]
fn deterministic_from_the_serial_and_sized_like_a_real_certificate() {
    let a = card();
    // Built without credentials: derived again by a fresh default Pki, byte-identical.
    let b = VirtualMyNumberCard::builder()
        .serial(7)
        .issued_on(day())
        .build()
        .unwrap();
    let auth = a.credentials().auth();
    assert_eq!(auth.cert_der(), b.credentials().auth().cert_der());
    assert_eq!(auth.cert_der().len(), AUTH_CERT_LEN);
    let other = VirtualMyNumberCard::new(8, "1234").unwrap();
    assert_ne!(auth.cert_der(), other.credentials().auth().cert_der());
}

#[test]
fn auth_certificate_names_no_person_and_sign_certificate_does() {
    use der::Decode;
    let c = card();
    let auth = x509_cert::Certificate::from_der(c.credentials().auth().cert_der()).unwrap();
    let subject = auth.tbs_certificate().subject().to_string();
    assert!(!subject.contains("花子"), "{subject}");
    let sign = c.credentials().sign().unwrap();
    let sign = x509_cert::Certificate::from_der(sign.cert_der()).unwrap();
    assert!(
        sign.tbs_certificate()
            .subject()
            .to_string()
            .contains("花子")
    );
}

#[test]
fn select_rules() {
    let mut c = card();
    // MF after reset: refused.
    assert_eq!(run(&mut c, &[0x00, 0xA4, 0x00, 0x00]), 0x6A86);
    assert_eq!(
        run(
            &mut c,
            &select_aid(&[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x02])
        ),
        0x6A82
    );
    assert_eq!(run(&mut c, &select_aid(JPKI)), 0x9000);
    // MF with an AP selected: 9000 and nothing changes.
    assert_eq!(run(&mut c, &[0x00, 0xA4, 0x00, 0x00]), 0x9000);
    assert_eq!(run(&mut c, &select_ef(0x000A)), 0x9000);
    assert_eq!(run(&mut c, &select_ef(0x4242)), 0x6A82);
    assert_eq!(run(&mut c, &[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x0A]), 0x6700);
    assert_eq!(
        run(&mut c, &[0x00, 0xA4, 0x07, 0x0C, 0x02, 0x00, 0x0A]),
        0x6A86
    );
    assert_eq!(
        run(&mut c, &[0x00, 0xA4, 0x02, 0x55, 0x02, 0x00, 0x0A]),
        0x6A86
    );
    // A prefix of an AID selects too.
    assert_eq!(run(&mut c, &select_aid(&JPKI[..6])), 0x9000);
    assert_eq!(run(&mut c, &[0x00, 0x99, 0x00, 0x00]), 0x6D00);
    assert_eq!(run(&mut c, &[0x90, 0xA4, 0x04, 0x0C]), 0x6E00);
    assert_eq!(run(&mut c, &[0x00, 0xA4, 0x04, 0x0C, 0x05, 0x01]), 0x6700);
}

#[test]
fn read_binary_short_reads_and_end_of_file() {
    let mut c = card_with(CardConfig::short_only());
    run(&mut c, &select_aid(JPKI));
    // No EF selected yet.
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6986);
    run(&mut c, &select_ef(0x000A));
    let cert = c.credentials().auth().cert_der().to_vec();
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(&r[..256], &cert[..256]);
    // The tail: asking 256 at offset 1792 returns the 108 that remain.
    let r = c.process(&[0x00, 0xB0, 0x07, 0x00, 0x00]);
    assert_eq!((r.len() - 2, sw(&r)), (1900 - 1792, 0x9000));
    assert_eq!(&r[..r.len() - 2], &cert[1792..]);
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x07, 0x6C, 0x00]), 0x6B00);
    // Extended on a short-only card: wrong length.
    assert_eq!(
        run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x07, 0x6C]),
        0x6700
    );
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x80, 0x00, 0x00]), 0x6A86);
    // Key and PIN EFs do not read.
    run(&mut c, &select_ef(0x0017));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6982);
}

#[test]
fn extended_read_fetches_a_whole_certificate_and_caps_apply() {
    let mut c = card_with(CardConfig::extended().with_max_response_data(1000));
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x000A));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!(r.len() - 2, 1000);
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x000A));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x04, 0x00, 0x07, 0x68]);
    assert_eq!(&r[..1896], &c.credentials().auth().cert_der()[4..]);
}

#[test]
fn retry_counter_blocks_after_three_and_then_answers_6984() {
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x63C3);
    assert_eq!(run(&mut c, &verify(b"0000")), 0x63C2);
    assert_eq!(run(&mut c, &verify(b"0000")), 0x63C1);
    // The query spends no try.
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x63C1);
    assert_eq!(run(&mut c, &verify(b"0001")), 0x63C0);
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x6984);
    assert_eq!(run(&mut c, &verify(b"1234")), 0x6984);
    assert!(!c.auth_pin_verified());
    // Blocked survives power.
    c.power_off();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x6984);
}

#[test]
fn sign_password_has_five_tries_and_kenmen_pin_its_own_three() {
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x001B));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x63C5);
    assert_eq!(run(&mut c, &verify(b"WRONG1")), 0x63C4);
    assert_eq!(run(&mut c, &verify(b"ABC123")), 0x9000);
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x9000);
    run(&mut c, &select_ef(0x0001));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(sw(&r), 0x9000);
    run(&mut c, &select_aid(KENMEN));
    run(&mut c, &select_ef(0x0011));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x63C3);
}

#[test]
fn security_state_follows_card_md() {
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0017));
    assert_eq!(run(&mut c, &sign_cmd(&[1; 32])), 0x6982);
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &verify(b"1234")), 0x9000);
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x9000);
    // Re-selecting the same AP keeps it.
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x9000);
    // A warm reset keeps it.
    c.reset();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x9000);
    // Another AP clears it.
    run(&mut c, &select_aid(KENMEN));
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    assert_eq!(run(&mut c, &[0x00, 0x20, 0x00, 0x80]), 0x63C3);
    // The ISD clears it.
    run(&mut c, &verify(b"1234"));
    run(&mut c, &select_aid(ISD));
    assert!(!c.any_verified());
    // Power-off clears it.
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    run(&mut c, &verify(b"1234"));
    assert!(c.auth_pin_verified());
    c.power_off();
    assert!(!c.any_verified());
}

#[test]
fn signature_verifies_with_the_certificate_key() {
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    run(&mut c, &verify(b"1234"));
    // No key EF selected.
    assert_eq!(run(&mut c, &sign_cmd(&[3; 32])), 0x6985);
    run(&mut c, &select_ef(0x0017));
    assert_eq!(
        run(&mut c, &[0x80, 0x2A, 0x01, 0x80, 0x01, 0x00, 0x00]),
        0x6A86
    );
    let r = c.process(&sign_cmd(&[3; 32]));
    assert_eq!((r.len(), sw(&r)), (258, 0x9000));
    let digest_info = jpki_apdu::DigestInfo::sha256(&[3; 32]);
    c.credentials()
        .auth()
        .public_key()
        .verify(
            Pkcs1v15Sign::new_unprefixed(),
            digest_info.as_bytes(),
            &r[..256],
        )
        .unwrap();
    // The sign key needs the sign password, not the auth PIN.
    run(&mut c, &select_ef(0x001A));
    assert_eq!(run(&mut c, &sign_cmd(&[3; 32])), 0x6982);
}

#[test]
fn kenmen_files_need_their_pin_and_hold_persona_data() {
    let mut c = card();
    run(&mut c, &select_aid(KENMEN));
    run(&mut c, &select_ef(0x0002));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6982);
    run(&mut c, &select_ef(0x0011));
    assert_eq!(run(&mut c, &verify(b"1234")), 0x9000);
    run(&mut c, &select_ef(0x0002));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(&r[..2], &[0xFF, 0x20]);
    let body = &r[..r.len() - 2];
    let name = "試験\u{3000}花子".as_bytes();
    assert!(body.windows(name.len()).any(|w| w == name));
    // The My Number reads after the PIN, and the log never holds it.
    run(&mut c, &select_ef(0x0001));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x11]);
    assert_eq!(&r[..3], &[0xFF, 0x10, 0x0C]);
    assert_eq!(&r[3..15], b"987654321018");
    let logged = &c.log().entries().last().unwrap().response;
    assert!(!logged.windows(12).any(|w| w == b"987654321018"));
    assert!(c.log().entries().last().unwrap().response_redacted);
}

#[test]
fn match_number_a_opens_only_the_my_number() {
    let mut c = card();
    run(&mut c, &select_aid(KENMEN));
    run(&mut c, &select_ef(0x0014));
    assert_eq!(run(&mut c, &verify(b"987654321018")), 0x9000);
    run(&mut c, &select_ef(0x0002));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6982);
    run(&mut c, &select_ef(0x0001));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x9000);
}

#[test]
fn t0_style_answers_come_through_get_response() {
    let mut c = card_with(CardConfig::short_only().with_t0_get_response(true));
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x000A));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6100);
    let r = c.process(&[0x00, 0xC0, 0x00, 0x00, 0x80]);
    assert_eq!((r.len(), sw(&r)), (130, 0x6180));
    let r = c.process(&[0x00, 0xC0, 0x00, 0x00, 0x80]);
    assert_eq!((r.len(), sw(&r)), (130, 0x9000));
    assert_eq!(run(&mut c, &[0x00, 0xC0, 0x00, 0x00, 0x80]), 0x6985);
}

#[test]
fn pins_are_redacted_in_the_log_and_debug() {
    let mut c = card();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0018));
    run(&mut c, &verify(b"1234"));
    let e = &c.log().entries()[2];
    assert!(e.command_redacted);
    assert_eq!(
        e.command,
        vec![0x00, 0x20, 0x00, 0x80, 0x04, 0x2A, 0x2A, 0x2A, 0x2A]
    );
    assert_eq!(
        c.log().transcript(),
        "> 00A4040C0AD392F000260100000001\n< 9000\n> 00A4020C020018\n< 9000\n> 00200080042A2A2A2A\n< 9000\n"
    );
    let debug = format!("{c:?} {:?}", c.credentials());
    assert!(!debug.contains("1234"));
    assert!(!format!("{:?}", Persona::default()).contains("987654321018"));
}

#[test]
fn persona_debug_shows_no_personal_value() {
    let p = Persona::default();
    for shown in [format!("{p:?}"), format!("{p:#?}"), format!("{:?}", card())] {
        for value in [
            p.name(),
            p.address(),
            p.birth_date(),
            "試験",
            "花子",
            "霞が関",
            "1980",
        ] {
            assert!(!shown.contains(value), "{value} leaked into Debug");
        }
    }
}

#[test]
fn faults_removal_tag_loss_and_garbage() {
    let mut c = VirtualMyNumberCard::builder()
        .serial(7)
        .credentials(creds7())
        .fault(InjectedFault::RemovedAfter(2))
        .fault(InjectedFault::GarbageAt {
            at: 2,
            bytes: vec![0x6F],
        })
        .build()
        .unwrap();
    assert_eq!(c.transmit(&select_aid(JPKI)).unwrap(), vec![0x90, 0x00]);
    assert_eq!(c.transmit(&select_ef(0x000A)).unwrap(), vec![0x6F]);
    assert!(matches!(
        c.transmit(&select_ef(0x000A)),
        Err(TransportError::CardRemoved)
    ));
    assert!(matches!(
        c.transmit(&select_ef(0x000A)),
        Err(TransportError::CardRemoved)
    ));
    c.insert();
    assert_eq!(c.transmit(&select_ef(0x000A)).unwrap(), vec![0x6A, 0x82]);

    let mut c = VirtualMyNumberCard::builder()
        .serial(7)
        .credentials(creds7())
        .fault(InjectedFault::TagLostAt(4))
        .build()
        .unwrap();
    c.transmit(&select_aid(JPKI)).unwrap();
    c.transmit(&select_ef(0x0018)).unwrap();
    c.transmit(&verify(b"1234")).unwrap();
    assert!(c.auth_pin_verified());
    assert!(matches!(
        c.transmit(&select_ef(0x0017)),
        Err(TransportError::CardRemoved)
    ));
    assert!(!c.auth_pin_verified());
    // The card is back, freshly powered: no AP selected.
    assert_eq!(c.transmit(&select_ef(0x0017)).unwrap(), vec![0x6A, 0x82]);
}

#[test]
fn short_only_reader_refuses_long_commands() {
    let mut c = card_with(CardConfig::short_only());
    assert_eq!(c.limits(), ReaderLimits::short_only());
    let long = vec![0u8; 300];
    assert!(matches!(
        c.transmit(&long),
        Err(TransportError::CommandTooLong { .. })
    ));
}

#[test]
fn caller_supplied_chain_is_checked() {
    let c = card();
    let auth = c.credentials().auth();
    let ok = CardCredentials::from_auth_chain(
        auth.key().clone(),
        auth.cert_der().to_vec(),
        auth.ca_cert_der().to_vec(),
    )
    .unwrap();
    assert!(ok.sign().is_none());
    let sign = c.credentials().sign().unwrap();
    let wrong = CardCredentials::from_auth_chain(
        sign.key().clone(),
        auth.cert_der().to_vec(),
        auth.ca_cert_der().to_vec(),
    );
    assert!(matches!(
        wrong,
        Err(PkiError::KeyMismatch { which: "auth" })
    ));
    // A card without a sign certificate says so in EF 0008 and hides the sign EFs.
    let mut under15 = VirtualMyNumberCard::builder()
        .credentials(ok)
        .build()
        .unwrap();
    run(&mut under15, &select_aid(JPKI));
    assert_eq!(run(&mut under15, &select_ef(0x001A)), 0x6A82);
    run(&mut under15, &select_ef(0x0008));
    assert_eq!(
        under15.process(&[0x00, 0xB0, 0x00, 0x00, 0x03]),
        vec![0x00, 0x8F, 0x00, 0x90, 0x00]
    );
}

#[test]
fn phone_tokens_guard_the_auth_certificate() {
    static PHONE: OnceLock<Persona> = OnceLock::new();
    let persona = PHONE.get_or_init(|| Persona::default().with_token(TokenKind::AndroidToken));
    let mut c = VirtualMyNumberCard::builder()
        .serial(7)
        .persona(persona.clone())
        .build()
        .unwrap();
    run(&mut c, &select_aid(JPKI));
    run(&mut c, &select_ef(0x0006));
    let r = c.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(r.len(), 162);
    assert_eq!(&r[..15], b"JPKIAPGPSETOKEN");
    run(&mut c, &select_ef(0x000A));
    assert_eq!(run(&mut c, &[0x00, 0xB0, 0x00, 0x00, 0x00]), 0x6982);
}

#[test]
fn credentials_load_from_a_der_directory() {
    use rsa::pkcs8::EncodePrivateKey;
    let c = card();
    let dir = tempfile::tempdir().unwrap();
    let auth = c.credentials().auth();
    let sign = c.credentials().sign().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write(
        "auth-key.der",
        auth.key().to_pkcs8_der().unwrap().as_bytes(),
    );
    write("auth-cert.der", auth.cert_der());
    write("auth-ca.der", auth.ca_cert_der());
    let loaded = CardCredentials::from_dir(dir.path()).unwrap();
    assert_eq!(loaded.auth().cert_der(), auth.cert_der());
    assert!(loaded.sign().is_none());
    // With a signature chain.
    write(
        "sign-key.der",
        sign.key().to_pkcs8_der().unwrap().as_bytes(),
    );
    assert!(matches!(
        CardCredentials::from_dir(dir.path()),
        Err(PkiError::ChainDir {
            reason: "sign-key without sign-cert",
            ..
        })
    ));
    write("sign-cert.der", sign.cert_der());
    write("sign-ca.der", sign.ca_cert_der());
    let loaded = CardCredentials::from_dir(dir.path()).unwrap();
    assert_eq!(loaded.sign().unwrap().cert_der(), sign.cert_der());
    // A key file that is not a key.
    write("sign-key.der", b"not a key");
    assert!(matches!(
        CardCredentials::from_dir(dir.path()),
        Err(PkiError::BadFile { .. })
    ));
    std::fs::remove_file(dir.path().join("auth-ca.der")).unwrap();
    let err = CardCredentials::from_dir(dir.path()).unwrap_err();
    assert!(matches!(err, PkiError::ChainDir { .. }));
    assert!(err.to_string().contains("auth-ca"));
}

#[test]
fn credentials_load_from_the_sandbox_pem_layout() {
    use rsa::pkcs8::EncodePrivateKey;
    let c = card();
    let auth = c.credentials().auth();
    let dir = tempfile::tempdir().unwrap();
    let pem = |label: &str, der: &[u8]| {
        der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap()
    };
    let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "card-7.key.pem",
        pem("PRIVATE KEY", auth.key().to_pkcs8_der().unwrap().as_bytes()),
    );
    write("card-7.pem", pem("CERTIFICATE", auth.cert_der()));
    write("auth-ca.pem", pem("CERTIFICATE", auth.ca_cert_der()));
    let loaded = CardCredentials::from_dir(dir.path()).unwrap();
    assert_eq!(loaded.auth().cert_der(), auth.cert_der());
    assert_eq!(loaded.auth().ca_cert_der(), auth.ca_cert_der());
    // A key where the CA certificate should be is caught by its PEM label.
    write(
        "auth-ca.pem",
        pem("PRIVATE KEY", auth.key().to_pkcs8_der().unwrap().as_bytes()),
    );
    assert!(matches!(
        CardCredentials::from_dir(dir.path()),
        Err(PkiError::BadFile { .. })
    ));
    write("auth-ca.pem", pem("CERTIFICATE", auth.ca_cert_der()));
    // Two cards in one directory: ambiguous.
    write(
        "card-8.key.pem",
        pem("PRIVATE KEY", auth.key().to_pkcs8_der().unwrap().as_bytes()),
    );
    assert!(matches!(
        CardCredentials::from_dir(dir.path()),
        Err(PkiError::ChainDir { .. })
    ));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any byte string, in any state the previous ones left: the card answers with at least
    /// a status word and never panics.
    #[test]
    fn any_command_sequence_gets_a_status_word(
        commands in proptest::collection::vec(
            proptest::collection::vec(proptest::num::u8::ANY, 0..64), 1..12),
        prefix in 0usize..4,
    ) {
        static CARD: OnceLock<VirtualMyNumberCard> = OnceLock::new();
        let template = CARD.get_or_init(card);
        let mut c = VirtualMyNumberCard::builder()
            .serial(7)
            .credentials(template.credentials().clone())
            .build()
            .unwrap();
        // Reach deeper states: select the JPKI AP and the auth PIN EF first.
        let setup = [select_aid(JPKI), select_ef(0x0018), verify(b"1234"), select_ef(0x000A)];
        for cmd in setup.iter().take(prefix) {
            c.process(cmd);
        }
        for cmd in &commands {
            let r = c.process(cmd);
            proptest::prop_assert!(r.len() >= 2);
        }
    }
}

#[test]
fn delays_slow_the_commands_they_name() {
    use std::time::{Duration, Instant};
    let delay = Duration::from_millis(30);
    let mut c = VirtualMyNumberCard::builder()
        .serial(7)
        .credentials(creds7())
        .fault(InjectedFault::SignatureDelay(delay))
        .build()
        .unwrap();
    c.transmit(&select_aid(JPKI)).unwrap();
    c.transmit(&select_ef(0x0018)).unwrap();
    c.transmit(&verify(b"1234")).unwrap();
    c.transmit(&select_ef(0x0017)).unwrap();
    let start = Instant::now();
    let r = c.transmit(&sign_cmd(&[9; 32])).unwrap();
    // A lower bound only: the signature took at least the injected delay.
    assert!(start.elapsed() >= delay);
    assert_eq!(r.len(), 258);

    let mut c = VirtualMyNumberCard::builder()
        .serial(7)
        .credentials(creds7())
        .fault(InjectedFault::Delay(delay))
        .build()
        .unwrap();
    let start = Instant::now();
    c.transmit(&select_aid(JPKI)).unwrap();
    assert!(start.elapsed() >= delay);
}

#[test]
fn a_bounded_log_keeps_the_newest_and_counts_all() {
    let mut c = card();
    c.set_log_limit(Some(4));
    for _ in 0..10 {
        c.process(&select_aid(JPKI));
    }
    c.process(&select_ef(0x000A));
    assert!(c.log().len() <= 4);
    assert_eq!(c.log().total(), 11);
    assert_eq!(c.log().entries().last().unwrap().command, select_ef(0x000A));
}

#[test]
fn reads_past_the_end_answer_as_configured() {
    let tail = |how: ReadPastEnd| {
        let mut c = card_with(CardConfig::short_only().with_read_past_end(how));
        run(&mut c, &select_aid(JPKI));
        run(&mut c, &select_ef(0x000A));
        // 1,900 bytes: 108 remain at offset 1792; ask for 256.
        c.process(&[0x00, 0xB0, 0x07, 0x00, 0x00])
    };
    let r = tail(ReadPastEnd::ShortRead);
    assert_eq!((r.len(), sw(&r)), (110, 0x9000));
    let r = tail(ReadPastEnd::Warning6282);
    assert_eq!((r.len(), sw(&r)), (110, 0x6282));
    assert_eq!(tail(ReadPastEnd::WrongLe6Cxx), vec![0x6C, 108]);
}
