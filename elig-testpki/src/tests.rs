use std::sync::OnceLock;

use der::Decode as _;
use x509_cert::Certificate;

use super::*;

/// One PKI for this test binary (a test fixture, not a library cache).
fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| Pki::new(b"elig-testpki unit"))
}

fn subject(der: &[u8]) -> String {
    Certificate::from_der(der)
        .unwrap()
        .tbs_certificate()
        .subject()
        .to_string()
}

#[test]
fn a_card_is_sized_like_a_real_one_names_no_person_and_its_signature_certificate_does() {
    let card = pki().card(1001, "山田 花子").unwrap();
    assert_eq!(card.auth().cert_der().len(), AUTH_CERT_LEN);
    assert_eq!(
        subject(card.auth().cert_der()),
        "CN=auth 1001,O=elig sandbox JPKI,C=JP"
    );
    assert_eq!(
        card.auth().ca_cert_der(),
        pki().auth_ca().unwrap().cert_der()
    );
    let sign = card.sign().unwrap();
    assert!(subject(sign.cert_der()).contains("山田 花子"));
    assert_eq!(sign.ca_cert_der(), pki().sign_ca().unwrap().cert_der());
    assert_ne!(sign.cert_der(), card.auth().cert_der());
}

#[test]
fn the_same_seed_gives_the_same_pki_and_another_seed_another() {
    let again = Pki::new(b"elig-testpki unit");
    assert_eq!(
        again.auth_ca().unwrap().cert_der(),
        pki().auth_ca().unwrap().cert_der()
    );
    let other = Pki::new(b"elig-testpki other");
    assert_ne!(
        other.auth_ca().unwrap().cert_der(),
        pki().auth_ca().unwrap().cert_der()
    );
    // Cards by serial: the value keeps what it derived, and a card of the same serial
    // issued straight from the authority is byte-identical.
    let a = pki().card(7, "x").unwrap();
    let b = pki().card(7, "x").unwrap();
    assert_eq!(a.auth().cert_der(), b.auth().cert_der());
    let (from, to) = default_card_validity().unwrap();
    let direct = again.auth_ca().unwrap().issue_card(7, from, to).unwrap();
    assert_eq!(direct.auth().cert_der(), a.auth().cert_der());
    assert!(direct.sign().is_none());
    assert_ne!(
        pki().card(8, "x").unwrap().auth().cert_der(),
        a.auth().cert_der()
    );
}

#[test]
fn an_authority_loads_back_only_with_its_own_seed_and_key() {
    let ca = pki().auth_ca().unwrap();
    let loaded =
        Authority::from_parts(ca.key().rsa().clone(), ca.cert().clone(), *ca.key_seed()).unwrap();
    assert_eq!(loaded.cert_der(), ca.cert_der());
    let Err(PkiError::State(why)) =
        Authority::from_parts(ca.key().rsa().clone(), ca.cert().clone(), [0x5a; 32])
    else {
        panic!("an edited seed was accepted")
    };
    assert!(why.contains("seed"), "{why}");
    let other = pki().device_ca().unwrap();
    let Err(PkiError::State(why)) =
        Authority::from_parts(other.key().rsa().clone(), ca.cert().clone(), *ca.key_seed())
    else {
        panic!("another CA's key was accepted")
    };
    assert!(why.contains("key"), "{why}");
}

#[test]
fn devices_name_the_callers_facility_and_the_server_localhost() {
    let device = pki()
        .device_ca()
        .unwrap()
        .issue_device(100, "clinic", "kenshin-kikan:1312345679")
        .unwrap();
    assert_eq!(
        subject(device.cert_der()),
        "SERIALNUMBER=kenshin-kikan:1312345679,CN=clinic,O=elig sandbox registered device,C=JP"
    );
    let server = pki().gateway_ca().unwrap().issue_server().unwrap();
    assert!(subject(server.cert_der()).starts_with("CN=localhost"));
    assert_eq!(server.ca_cert_der(), pki().gateway_ca().unwrap().cert_der());
}

#[test]
fn a_crl_lists_what_was_revoked() {
    let at = utc_midnight(2025, 6, 1).unwrap();
    let der = pki().auth_ca().unwrap().issue_crl(&[(1008, at)]).unwrap();
    let crl = <x509_cert::crl::CertificateList>::from_der(&der).unwrap();
    let listed: Vec<_> = crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .map(|r| r.serial_number.as_bytes().to_vec())
        .collect();
    assert_eq!(listed, [1008u16.to_be_bytes().to_vec()]);
    assert_eq!(crl.tbs_cert_list.this_update.to_system_time(), at);
    assert!(crl.tbs_cert_list.next_update.is_some());
}

#[test]
fn debug_prints_no_key() {
    let card = pki().card(7, "x").unwrap();
    let text = format!("{card:?} {:?} {:?}", pki(), pki().auth_ca().unwrap());
    assert!(text.contains("redacted"));
    assert!(!text.contains("PrivateKey {"), "{text}");
}
