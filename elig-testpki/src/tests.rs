#![allow(clippy::arithmetic_side_effects)] // test arithmetic on known dates

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use der::Decode as _;
use x509_cert::Certificate;

use super::*;

/// One PKI for this test binary (a test fixture, not a library cache).
fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| Pki::new(b"elig-testpki unit"))
}

/// The day the unit tests issue cards on (noon UTC of 2026-04-01).
fn day() -> SystemTime {
    utc_midnight(2026, 4, 1).unwrap() + Duration::from_secs(12 * 3600)
}

fn validity(der: &[u8]) -> (SystemTime, SystemTime) {
    let cert = Certificate::from_der(der).unwrap();
    let v = cert.tbs_certificate().validity();
    (v.not_before.to_system_time(), v.not_after.to_system_time())
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
    let card = pki().card(1001, "山田 花子", day()).unwrap();
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
    let a = pki().card(7, "x", day()).unwrap();
    let b = pki().card(7, "x", day()).unwrap();
    assert_eq!(a.auth().cert_der(), b.auth().cert_der());
    let (from, to) = card_validity_on(day()).unwrap();
    let direct = again.auth_ca().unwrap().issue_card(7, from, to).unwrap();
    assert_eq!(direct.auth().cert_der(), a.auth().cert_der());
    assert!(direct.sign().is_none());
    assert_ne!(
        pki().card(8, "x", day()).unwrap().auth().cert_der(),
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
        .issue_device(
            100,
            "clinic",
            "kenshin-kikan:1312345679",
            device_validity_on(day()).unwrap().0,
            device_validity_on(day()).unwrap().1,
        )
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
    let next = crl_next_update_on(day()).unwrap();
    let der = pki()
        .auth_ca()
        .unwrap()
        .issue_crl(&[(1008, at)], next)
        .unwrap();
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
    assert_eq!(
        crl.tbs_cert_list.next_update.map(|t| t.to_system_time()),
        Some(next)
    );
}

#[test]
fn debug_prints_no_key() {
    let card = pki().card(7, "x", day()).unwrap();
    let text = format!("{card:?} {:?} {:?}", pki(), pki().auth_ca().unwrap());
    assert!(text.contains("redacted"));
    assert!(!text.contains("PrivateKey {"), "{text}");
}

#[test]
fn a_card_follows_the_day_it_is_issued_on_and_keeps_its_key() {
    let mut last = None;
    for (y, m, d) in [(2026, 4, 1), (2040, 2, 29), (2051, 6, 15)] {
        let today = utc_midnight(y, m, d).unwrap() + Duration::from_secs(3 * 3600);
        let card = pki().card(1001, "x", today).unwrap();
        let (from, to) = validity(card.auth().cert_der());
        assert!(from < today && today < to, "{y}-{m}-{d}");
        assert_eq!(to.duration_since(from).unwrap().as_secs(), 1826 * 86_400);
        assert_eq!(validity(card.sign().unwrap().cert_der()), (from, to));
        assert_eq!(card.auth().cert_der().len(), AUTH_CERT_LEN, "{y}");
        // Same day, same bytes (another value derives them again).
        let again = Pki::new(b"elig-testpki unit")
            .card(1001, "x", utc_day(today) + Duration::from_secs(86_399))
            .unwrap();
        assert_eq!(again.auth().cert_der(), card.auth().cert_der());
        if let Some(previous) = last.replace(card.clone()) {
            let previous: CardCredentials = previous;
            assert_ne!(previous.auth().cert_der(), card.auth().cert_der());
            assert_eq!(previous.auth().public_key(), card.auth().public_key());
        }
    }
}

#[test]
fn dates_from_2050_on_are_generalized_time_and_the_authorities_never_expire() {
    let in_2051 = utc_midnight(2051, 6, 15).unwrap();
    let card = pki().card(3, "x", in_2051).unwrap();
    let cert = Certificate::from_der(card.auth().cert_der()).unwrap();
    let v = cert.tbs_certificate().validity();
    assert!(matches!(
        v.not_before,
        x509_cert::time::Time::GeneralTime(_)
    ));
    assert!(matches!(v.not_after, x509_cert::time::Time::GeneralTime(_)));
    let in_2049 = pki()
        .card(3, "x", utc_midnight(2049, 1, 1).unwrap())
        .unwrap();
    let cert = Certificate::from_der(in_2049.auth().cert_der()).unwrap();
    let v = cert.tbs_certificate().validity();
    assert!(matches!(v.not_before, x509_cert::time::Time::UtcTime(_)));
    assert!(matches!(v.not_after, x509_cert::time::Time::GeneralTime(_)));
    for ca in [pki().auth_ca().unwrap(), pki().gateway_ca().unwrap()] {
        let (from, to) = validity(ca.cert_der());
        assert_eq!(from, utc_midnight(2024, 1, 1).unwrap());
        assert!(to > utc_midnight(9999, 12, 31).unwrap(), "99991231235959Z");
    }
    let (_, server_to) = validity(
        pki()
            .gateway_ca()
            .unwrap()
            .issue_server()
            .unwrap()
            .cert_der(),
    );
    assert_eq!(
        server_to,
        validity(pki().gateway_ca().unwrap().cert_der()).1
    );
    // Device certificates and CRLs issued for a day past 2049.
    let (from, to) = device_validity_on(in_2051).unwrap();
    assert_eq!(from, utc_midnight(2024, 1, 1).unwrap());
    assert!(to > in_2051);
    let device = pki()
        .device_ca()
        .unwrap()
        .issue_device(5, "d", "x", from, to)
        .unwrap();
    assert_eq!(validity(device.cert_der()), (from, to));
    let next = crl_next_update_on(in_2051).unwrap();
    let crl = pki().auth_ca().unwrap().issue_crl(&[], next).unwrap();
    let crl = <x509_cert::crl::CertificateList>::from_der(&crl).unwrap();
    assert!(matches!(
        crl.tbs_cert_list.next_update,
        Some(x509_cert::time::Time::GeneralTime(_))
    ));
    assert_eq!(
        crl.tbs_cert_list.next_update.map(|t| t.to_system_time()),
        Some(next)
    );
}
