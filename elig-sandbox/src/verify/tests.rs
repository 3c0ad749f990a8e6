//! Unit tests of the verifier: CRL currency, keyed card tags, validity ends, serials.

use super::*;
use crate::clock::jst_noon;
use crate::registry::Registry;
use voucher_model::Date;

/// A CRL that is not current yet (its `thisUpdate` is after the check) decides nothing:
/// the card is refused with `RevocationUnknown`, the device is not recognised.
#[test]
fn a_crl_that_is_not_current_is_not_relied_on() {
    let registry = Registry::default_registry().unwrap();
    let pki = TestPki::generate(b"crl freshness", &registry.pki_plan()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    pki.write_pem(dir.path()).unwrap();
    let serial = registry.person("P01").unwrap().card.serial;
    let card = pki
        .issue_card(&registry.card(serial).unwrap().spec())
        .unwrap();
    let device = pki.device("clinic").unwrap().cert_der.clone();
    let now = jst_noon(Date::new(2026, 4, 1).unwrap());
    let fresh = Verifier::new(&pki).unwrap();
    assert!(fresh.card(card.auth().cert_der(), now).is_ok());
    assert!(fresh.device(&device, now).is_some());
    // Properly signed CRLs whose thisUpdate (the latest revocation day) is next year.
    let next_year = Date::new(2027, 1, 1).unwrap();
    for (ca, file) in [
        (pki.auth_ca(), "auth-ca.crl.pem"),
        (pki.device_ca(), "device-ca.crl.pem"),
    ] {
        let crl = ca
            .issue_crl(
                &crate::pki::at_midnight(&[(4242, next_year)]),
                elig_testpki::crl_next_update_on(jst_noon(next_year)).unwrap(),
            )
            .unwrap();
        let text = der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, &crl).unwrap();
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let stale = Verifier::new(&TestPki::load(dir.path()).unwrap()).unwrap();
    assert_eq!(
        stale.card(card.auth().cert_der(), now).err(),
        Some(CheckFailure::RevocationUnknown)
    );
    assert_eq!(stale.device(&device, now), None);
    // Once the CRL is current it is relied on again.
    let later = jst_noon(next_year);
    assert!(stale.card(card.auth().cert_der(), later).is_ok());
    assert!(stale.device(&device, later).is_some());
}

/// A CRL past its `nextUpdate` decides nothing either, and the PKI a sandbox starts on is
/// signed for its clock's day: current in 2051 when started then, stale when the same lists
/// are relied on a day past their `nextUpdate`.
#[test]
fn a_crl_past_next_update_is_not_relied_on() {
    let registry = Registry::default_registry().unwrap();
    let pki = TestPki::generate_on(
        b"crl freshness",
        &registry.pki_plan(),
        Date::new(2026, 4, 1).unwrap(),
    )
    .unwrap();
    let in_2051 = Date::new(2051, 6, 15).unwrap();
    let card = pki
        .auth_ca()
        .issue_card(
            1001,
            jst_noon(in_2051),
            jst_noon(Date::new(2055, 1, 1).unwrap()),
        )
        .unwrap();
    let device = pki.device("clinic").unwrap().cert_der.clone();
    let issued_in_2026 = Verifier::new(&pki).unwrap();
    let late = jst_noon(in_2051) + std::time::Duration::from_secs(3600);
    assert_eq!(
        issued_in_2026.card(card.auth().cert_der(), late).err(),
        Some(CheckFailure::RevocationUnknown)
    );
    assert_eq!(issued_in_2026.device(&device, late), None);
    // Signed again for 2051 (what a sandbox does when it starts then): relied on, until its
    // own nextUpdate has passed.
    let pki_2051 = TestPki::for_clock(&std::sync::Arc::new(pki), jst_noon(in_2051)).unwrap();
    assert_eq!(pki_2051.issued_on(), Some(in_2051));
    let redated = Verifier::new(&pki_2051).unwrap();
    assert!(redated.card(card.auth().cert_der(), late).is_ok());
    let device_2051 = pki_2051.device("clinic").unwrap().cert_der.clone();
    assert!(redated.device(&device_2051, late).is_some());
    let crl = <CertificateList>::from_der(pki_2051.crl_der()).unwrap();
    let next_update = crl.tbs_cert_list.next_update.unwrap().to_system_time();
    assert_eq!(
        redated.card(card.auth().cert_der(), next_update).err(),
        Some(CheckFailure::RevocationUnknown)
    );
    assert_eq!(redated.device(&device_2051, next_update), None);
}

/// The log's card tag cannot be recomputed from the serial alone (serials are small
/// numbers: an unkeyed hash is reversed by enumeration); within one gateway it is stable.
#[test]
fn card_tags_are_keyed_per_gateway() {
    let registry = Registry::default_registry().unwrap();
    let pki = TestPki::generate(b"card tags", &registry.pki_plan()).unwrap();
    let serial = registry.person("P01").unwrap().card.serial;
    let card = pki
        .issue_card(&registry.card(serial).unwrap().spec())
        .unwrap();
    let now = jst_noon(Date::new(2026, 4, 1).unwrap());
    let tag = |v: &Verifier| v.card(card.auth().cert_der(), now).unwrap().serial_hash;
    let (first, second) = (Verifier::new(&pki).unwrap(), Verifier::new(&pki).unwrap());
    assert_eq!(tag(&first), tag(&first));
    assert_ne!(
        tag(&first),
        tag(&second),
        "the tag is the serial's unkeyed hash"
    );
    let cert = Certificate::from_der(card.auth().cert_der()).unwrap();
    let unkeyed: String = Sha256::digest(cert.tbs_certificate().serial_number().as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(tag(&first), unkeyed);
    assert_eq!(tag(&first).len(), 16);
}

/// The validity period includes both ends (RFC 5280 §4.1.2.5).
#[test]
fn validity_includes_not_after() {
    let registry = Registry::default_registry().unwrap();
    let pki = TestPki::generate(b"validity ends", &registry.pki_plan()).unwrap();
    let serial = registry.person("P01").unwrap().card.serial;
    let card = pki
        .issue_card(&registry.card(serial).unwrap().spec())
        .unwrap();
    let cert = Certificate::from_der(card.auth().cert_der()).unwrap();
    let validity = cert.tbs_certificate().validity();
    let (from, to) = (
        validity.not_before.to_system_time(),
        validity.not_after.to_system_time(),
    );
    let second = std::time::Duration::from_secs(1);
    assert_eq!(check_validity(&cert, from), Ok(()));
    assert_eq!(check_validity(&cert, to), Ok(()));
    assert_eq!(
        check_validity(&cert, from - second),
        Err(CheckFailure::NotYetValid)
    );
    assert_eq!(
        check_validity(&cert, to + second),
        Err(CheckFailure::Expired)
    );
}

#[test]
fn serial_to_u64() {
    assert_eq!(serial_u64(&[0x01, 0x00]), Some(256));
    assert_eq!(serial_u64(&[0x00, 0x80]), Some(128));
    assert_eq!(serial_u64(&[1; 9]), None);
    assert_eq!(serial_u64(&[]), Some(0));
}
