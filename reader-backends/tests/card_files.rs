//! The virtual card's files read through `jpki-apdu`'s own procedures and parsers: an
//! independent check of the EF encodings (token info, certificate presence, 基本4情報 with
//! multi-byte BER lengths, the My Number behind the PIN).
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)] // test code

use jpki_apdu::content::encode_basic_info;
use jpki_apdu::procedure::{
    LastTry, ReadBasicInfo, ReadCertAvailability, ReadTokenInfo, SelectApplication,
};
use jpki_apdu::{AssistPin, drive};
use reader_backends::Transport;
use reader_backends::mock::{
    CardConfig, CardCredentials, CardSex, Persona, TokenKind, VirtualMyNumberCard,
};

/// An address longer than 127 bytes, so its DF23 length needs the `81 xx` form.
const LONG_ADDRESS: &str = "北海道札幌市中央区北一条西２丁目１番地　札幌市役所本庁舎内　試験用の長い住所を持つ架空の人物のための番地表記１２３４５";

fn persona() -> Persona {
    Persona::new(
        "見本\u{3000}太郎",
        LONG_ADDRESS,
        "20010203",
        CardSex::Male,
        "123456789018",
    )
    .unwrap()
}

fn card_with(persona: Persona, config: CardConfig) -> VirtualMyNumberCard {
    VirtualMyNumberCard::builder()
        .serial(5)
        .persona(persona)
        .config(config)
        .build()
        .unwrap()
}

#[test]
fn basic_info_round_trips_through_jpki_apdu() {
    assert!(LONG_ADDRESS.len() > 127);
    for config in [CardConfig::extended(), CardConfig::short_only()] {
        let mut card = card_with(persona(), config);
        let read = ReadBasicInfo::new(
            AssistPin::new("1234").unwrap(),
            LastTry::Refuse,
            card.limits(),
        );
        let info = drive(read, |c| card.transmit(c)).unwrap();
        assert_eq!(info.name, "見本\u{3000}太郎");
        assert_eq!(info.address, LONG_ADDRESS);
        assert_eq!(info.sex, CardSex::Male);
        let b = info.birth_date;
        assert_eq!((b.year(), b.month(), b.day()), (2001, 2, 3));
        assert!(!card.any_verified());
    }
}

#[test]
fn basic_info_bytes_match_jpki_apdus_encoder() {
    let mut card = card_with(persona(), CardConfig::extended());
    let select = |aid: &[u8]| {
        let mut c = vec![0x00, 0xA4, 0x04, 0x0C, u8::try_from(aid.len()).unwrap()];
        c.extend_from_slice(aid);
        c
    };
    card.transmit(&select(jpki_apdu::ids::ASSIST_AP.as_bytes()))
        .unwrap();
    card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11])
        .unwrap();
    card.transmit(&[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'])
        .unwrap();
    card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02])
        .unwrap();
    let r = card
        .transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])
        .unwrap();
    let expected =
        encode_basic_info("見本\u{3000}太郎", LONG_ADDRESS, "20010203", CardSex::Male).unwrap();
    assert_eq!(&r[..r.len() - 2], expected.as_slice());
}

/// EF 0002 of the 券面事項入力補助AP, read raw after the PIN.
fn read_basic_info_raw(card: &mut VirtualMyNumberCard) -> Vec<u8> {
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select.extend_from_slice(jpki_apdu::ids::ASSIST_AP.as_bytes());
    card.transmit(&select).unwrap();
    card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11])
        .unwrap();
    card.transmit(&[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'])
        .unwrap();
    card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x02])
        .unwrap();
    let mut r = card
        .transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])
        .unwrap();
    assert_eq!(r.split_off(r.len() - 2), [0x90, 0x00]);
    r
}

/// DF21 as a real card writes it: a persona with the field lengths of a public test card
/// (15-byte name, 54-byte address) gives that card's offset table `000E 0020 0059 0064`,
/// counted from the file's first byte.
#[test]
fn basic_info_offset_table_as_a_real_card_writes_it() {
    let name = "見本\u{3000}花子";
    let address = "大阪府大阪市北区中之島一丁目３番２号";
    assert_eq!((name.len(), address.len()), (15, 54));
    let test_card_lengths =
        Persona::new(name, address, "19800217", CardSex::Female, "123456789018").unwrap();
    let ef = read_basic_info_raw(&mut card_with(test_card_lengths, CardConfig::extended()));
    assert_eq!(
        &ef[..14],
        &[
            0xFF, 0x20, 0x65, 0xDF, 0x21, 0x08, 0x00, 0x0E, 0x00, 0x20, 0x00, 0x59, 0x00, 0x64
        ]
    );
    assert_eq!(ef.len(), 3 + 0x65);
    assert_eq!(&ef[0x0E..0x10], &[0xDF, 0x22]);
    assert_eq!(&ef[0x20..0x22], &[0xDF, 0x23]);
    assert_eq!(&ef[0x59..0x5B], &[0xDF, 0x24]);
    assert_eq!(&ef[0x64..0x66], &[0xDF, 0x25]);

    // With the long address the header is FF 20 81 xx, and every offset moves by one.
    let ef = read_basic_info_raw(&mut card_with(persona(), CardConfig::extended()));
    assert_eq!(&ef[..3], &[0xFF, 0x20, 0x81]);
    assert_eq!(&ef[4..8], &[0xDF, 0x21, 0x08, 0x00]);
    assert_eq!(ef[8], 4 + 11);
    assert_eq!(&ef[15..17], &[0xDF, 0x22]);
}

/// The small JPKI files are read with the JPKI AP selected first.
fn select_jpki(card: &mut VirtualMyNumberCard) {
    let select = SelectApplication::new(jpki_apdu::ids::JPKI_AP, card.limits());
    drive(select, |c| card.transmit(c)).unwrap();
}

#[test]
fn token_info_and_certificate_presence_parse() {
    let mut card = card_with(Persona::default(), CardConfig::short_only());
    select_jpki(&mut card);
    let info = drive(ReadTokenInfo::new(card.limits()), |c| card.transmit(c)).unwrap();
    assert_eq!(info.kind(), TokenKind::PhysicalCard);
    assert_eq!(info.label(), b"JPKIAPICCTOKEN2");
    let avail = drive(ReadCertAvailability::new(card.limits()), |c| {
        card.transmit(c)
    })
    .unwrap();
    assert!(avail.has_auth_certificate() && avail.has_sign_certificate());

    let mut phone = card_with(
        Persona::default().with_token(TokenKind::IosToken),
        CardConfig::extended(),
    );
    select_jpki(&mut phone);
    let info = drive(ReadTokenInfo::new(phone.limits()), |c| phone.transmit(c)).unwrap();
    assert_eq!(info.kind(), TokenKind::IosToken);
}

#[test]
fn under_fifteen_card_has_no_signature_certificate() {
    let full = card_with(Persona::default(), CardConfig::extended());
    let auth = full.credentials().auth();
    let creds = CardCredentials::from_auth_chain(
        auth.key().clone(),
        auth.cert_der().to_vec(),
        auth.ca_cert_der().to_vec(),
    )
    .unwrap();
    let mut card = VirtualMyNumberCard::builder()
        .credentials(creds)
        .build()
        .unwrap();
    select_jpki(&mut card);
    let avail = drive(ReadCertAvailability::new(card.limits()), |c| {
        card.transmit(c)
    })
    .unwrap();
    assert!(avail.has_auth_certificate());
    assert!(!avail.has_sign_certificate());
}

#[test]
fn the_card_guards_the_my_number_behind_the_pin() {
    let mut card = card_with(persona(), CardConfig::extended());
    // Without its PIN the card refuses the file.
    card.transmit(&[
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08,
    ])
    .unwrap();
    card.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01])
        .unwrap();
    assert_eq!(
        card.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap(),
        [0x69, 0x82]
    );
}

#[cfg(feature = "my-number")]
#[test]
fn with_the_feature_the_my_number_reads_after_the_pin() {
    use jpki_apdu::DriveError;
    use jpki_apdu::procedure::{Error as ProcError, ReadMyNumber};
    let mut card = card_with(persona(), CardConfig::short_only());
    let read = ReadMyNumber::new(
        AssistPin::new("1234").unwrap(),
        LastTry::Refuse,
        card.limits(),
    );
    let number = drive(read, |c| card.transmit(c)).unwrap();
    assert_eq!(number.expose_digits(), "123456789018");
    assert!(!card.log().transcript().contains("313233343536"));
    assert!(!card.any_verified());
    let wrong = ReadMyNumber::new(
        AssistPin::new("0000").unwrap(),
        LastTry::Refuse,
        card.limits(),
    );
    assert!(matches!(
        drive(wrong, |c| card.transmit(c)),
        Err(DriveError::Procedure(ProcError::WrongPin {
            tries_left: Some(2)
        }))
    ));
}

#[test]
fn change_pin_then_the_check_takes_the_new_pin() {
    use jpki_apdu::AuthPin;
    use jpki_apdu::procedure::{ChangePin, ClearState, PinModeCheck};
    let mut card = card_with(Persona::default(), CardConfig::extended());
    select_jpki(&mut card);
    let change = ChangePin::auth(
        AuthPin::new("1234").unwrap(),
        AuthPin::new("4321").unwrap(),
        LastTry::Refuse,
        card.limits(),
    );
    drive(change, |c| card.transmit(c)).unwrap();
    let clear = ClearState::new(jpki_apdu::ids::JPKI_AP, card.limits());
    drive(clear, |c| card.transmit(c)).unwrap();
    assert!(!card.any_verified());
    let digest = jpki_apdu::DigestInfo::sha256(&[7; 32]);
    let old = PinModeCheck::up_front(
        AuthPin::new("1234").unwrap(),
        LastTry::Refuse,
        digest.clone(),
        card.limits(),
    );
    assert!(drive(old, |c| card.transmit(c)).is_err());
    let new = PinModeCheck::up_front(
        AuthPin::new("4321").unwrap(),
        LastTry::Refuse,
        digest,
        card.limits(),
    );
    drive(new, |c| card.transmit(c)).unwrap();
    // The 券面事項入力補助AP PIN is a separate secret: unchanged.
    let read = ReadBasicInfo::new(
        AssistPin::new("1234").unwrap(),
        LastTry::Refuse,
        card.limits(),
    );
    drive(read, |c| card.transmit(c)).unwrap();
}
