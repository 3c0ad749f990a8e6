use super::*;
use elig_testpki::CardQuirk;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::PrivateKey;
use x509_cert::certificate::Certificate;

fn plan() -> PkiPlan {
    PkiPlan {
        devices: vec![DevicePlan {
            label: "clinic".into(),
            facility: Facility::CheckupInstitution("0110113719".parse().unwrap()),
            revoked_on: None,
        }],
        revoked: vec![(7, Date::new(2025, 6, 1).unwrap())],
    }
}

#[test]
fn generate_write_load_round_trip() {
    let pki = TestPki::generate(b"unit", &plan()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = pki.write_pem(dir.path()).unwrap();
    assert!(files.iter().any(|f| f.ends_with("device-clinic.key.pem")));
    let loaded = TestPki::load(dir.path()).unwrap();
    assert_eq!(loaded.auth_ca().cert_der(), pki.auth_ca().cert_der());
    assert_eq!(loaded.server().cert_der, pki.server().cert_der);
    assert_eq!(loaded.crl_der(), pki.crl_der());
    assert_eq!(
        loaded.device("clinic").unwrap().cert_der,
        pki.device("clinic").unwrap().cert_der
    );
    let spec = CardSpec {
        serial: 42,
        not_before: Date::new(2025, 1, 1).unwrap(),
        not_after: Date::new(2030, 1, 1).unwrap(),
    };
    let a = pki.issue_card(&spec).unwrap();
    let b = loaded.issue_card(&spec).unwrap();
    assert_eq!(
        a.auth().cert_der(),
        b.auth().cert_der(),
        "cards issued after loading are the same"
    );
    // A loaded PKI is issued again for a day as the generated one is: the revocations and
    // the device serials come back from the files.
    assert_eq!(loaded.issued_on(), None);
    let day = Date::new(2040, 2, 29).unwrap();
    let (from_files, generated) = (loaded.on(day).unwrap(), pki.on(day).unwrap());
    assert_eq!(from_files.crl_der(), generated.crl_der());
    assert_eq!(from_files.device_crl_der(), generated.device_crl_der());
    assert_eq!(
        from_files.device("clinic").unwrap().cert_der,
        generated.device("clinic").unwrap().cert_der
    );
}

#[test]
fn card_certificates_carry_no_personal_data() {
    let pki = TestPki::generate(b"unit", &plan()).unwrap();
    let spec = CardSpec {
        serial: 7,
        not_before: Date::new(2025, 1, 1).unwrap(),
        not_after: Date::new(2030, 1, 1).unwrap(),
    };
    let card = pki.issue_card(&spec).unwrap();
    let cert = <Certificate as der::Decode>::from_der(card.auth().cert_der()).unwrap();
    let subject = cert.tbs_certificate().subject().to_string();
    assert_eq!(subject, "CN=auth 7,O=elig sandbox JPKI,C=JP");
    // Key usage and basic constraints only: no subjectAltName, no directory attributes.
    let oids: Vec<String> = cert
        .tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .map(|e| e.extn_id.to_string())
        .collect();
    assert_eq!(
        oids,
        ["2.5.29.15", "1.3.6.1.4.1.32473.1", "2.5.29.19", "2.5.29.35"]
    );
    assert_eq!(
        card.auth().cert_der().len(),
        AUTH_CERT_LEN,
        "sized like a real card's"
    );
    assert_eq!(card.auth().ca_cert_der(), pki.auth_ca().cert_der());
}

#[test]
fn a_tampered_state_folder_is_refused() {
    let pki = TestPki::generate(b"unit", &plan()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    pki.write_pem(dir.path()).unwrap();
    // Swap the server key for the device key: it no longer matches server.pem.
    std::fs::copy(
        dir.path().join("device-clinic.key.pem"),
        dir.path().join("server.key.pem"),
    )
    .unwrap();
    assert!(matches!(TestPki::load(dir.path()), Err(PkiError::State(_))));
    std::fs::remove_file(dir.path().join("state.json")).unwrap();
    assert!(matches!(
        TestPki::load(dir.path()),
        Err(PkiError::Io { .. })
    ));
}

/// A certificate the authentication CA signed for a key that is not RSA-2048 is not a card
/// certificate (card.md: the user-authentication key is RSA-2048).
#[test]
fn a_card_key_of_another_size_is_untrusted() {
    use crate::verify::{CheckFailure, Verifier};
    let pki = TestPki::generate(b"unit", &plan()).unwrap();
    let spec = CardSpec {
        serial: 8,
        not_before: Date::new(2025, 1, 1).unwrap(),
        not_after: Date::new(2030, 1, 1).unwrap(),
    };
    let now = crate::clock::jst_noon(Date::new(2026, 4, 1).unwrap());
    let verifier = Verifier::new(&pki).unwrap();
    let good = pki.issue_card(&spec).unwrap();
    assert!(verifier.card(good.auth().cert_der(), now).is_ok());
    for bits in [1024, 3072] {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let key = PrivateKey::new(&mut rng, bits).unwrap();
        let (from, to) = spec.validity().unwrap();
        let odd = pki
            .auth_ca()
            .issue_card_cert(spec.serial, from, to, &key, CardQuirk::None)
            .unwrap();
        assert_eq!(
            verifier.card(&odd, now).err(),
            Some(CheckFailure::Untrusted),
            "RSA-{bits}"
        );
    }
}

/// A card certificate with a critical extension the verifier does not know is refused
/// (RFC 5280 §4.2); the same extension non-critical is ignored.
#[test]
fn an_unknown_critical_extension_is_untrusted() {
    use crate::verify::{CheckFailure, Verifier};
    let pki = TestPki::generate(b"unit", &plan()).unwrap();
    let verifier = Verifier::new(&pki).unwrap();
    let now = crate::clock::jst_noon(Date::new(2026, 4, 1).unwrap());
    let ca = pki.auth_ca();
    let key = pki
        .issue_card(&CardSpec {
            serial: 9,
            not_before: Date::new(2025, 1, 1).unwrap(),
            not_after: Date::new(2030, 1, 1).unwrap(),
        })
        .unwrap()
        .auth()
        .key()
        .clone();
    let issue = |critical: bool| {
        let (from, to) = (
            utc_midnight(Date::new(2025, 1, 1).unwrap()),
            utc_midnight(Date::new(2030, 1, 1).unwrap()),
        );
        let quirk = if critical {
            CardQuirk::CriticalUnknownExtension { filler: 300 }
        } else {
            CardQuirk::UnknownExtension { filler: 300 }
        };
        ca.issue_card_cert(9, from, to, &key, quirk).unwrap()
    };
    assert!(verifier.card(&issue(false), now).is_ok());
    assert_eq!(
        verifier.card(&issue(true), now).err(),
        Some(CheckFailure::Untrusted)
    );
}
