//! Which facility a registered reception device belongs to, and how its device certificate
//! says so (PROTOCOL.md §"Transport"). Both sides use it: the gateway reads the asking
//! facility from the client certificate, and the client learns its own facility from the
//! same certificate, so that what it signs matches what the gateway recomputes.
//!
//! ## Encoding (this project's design)
//! The facility is the device certificate's subject `serialNumber` attribute (OID 2.5.4.5,
//! PrintableString), written `<kind>:<code>`:
//!
//! | Kind | Written | Code |
//! |---|---|---|
//! | 健診・保健指導機関番号 | `kenshin-kikan:0110113719` | exactly 10 ASCII digits; no check-digit rule is public, so none is enforced (vouchers.md) |
//! | オンライン資格確認用コード (insurers that run checkups themselves) | `oqs-code:ABC-123` | its format is not public: 1–32 characters of `A–Z a–z 0–9 -` |
//!
//! The rest of the subject is for people: `CN` is the device label, `O` the facility's
//! display name. Only `serialNumber` decides the facility; the gateway reads it from the
//! certificate, never from the request body (oqs.md: "the gateway, not the request body,
//! decides which institution is asking"). The same text is what the card signs
//! ([`facility_text`], PROTOCOL.md §"What the card signs").

use core::fmt;

use der::Decode as _;
use der::asn1::PrintableStringRef;
use der::oid::ObjectIdentifier;
use voucher_model::{CheckupInstitutionNumber, Facility, OnlineQualificationCode};
use x509_cert::Certificate;
use x509_cert::name::Name;

/// `id-at-serialNumber` (X.520): the subject attribute that names the facility.
pub const ID_AT_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

const KENSHIN_KIKAN: &str = "kenshin-kikan";
const OQS_CODE: &str = "oqs-code";

/// The facility as signed, which is also how the device certificate's subject
/// `serialNumber` states it: `kenshin-kikan:<10 digits>` for a 健診・保健指導機関番号,
/// `oqs-code:<code>` for an オンライン資格確認用コード.
pub fn facility_text(facility: &Facility) -> String {
    let kind = match facility {
        Facility::CheckupInstitution(_) => KENSHIN_KIKAN,
        Facility::SelfRunningInsurer(_) => OQS_CODE,
        // A facility kind added to voucher-model later gets its own label with a new
        // protocol version; until then it cannot collide with the two above (and
        // `parse_facility_text` never reads it back).
        _ => "unknown",
    };
    format!("{kind}:{}", facility.as_str())
}

/// Parses a facility text written by [`facility_text`]. The code must already be in
/// canonical form (what voucher-model would print); anything else is `None`.
pub fn parse_facility_text(text: &str) -> Option<Facility> {
    let (kind, code) = text.split_once(':')?;
    let facility = match kind {
        KENSHIN_KIKAN => Facility::CheckupInstitution(CheckupInstitutionNumber::parse(code).ok()?),
        OQS_CODE => Facility::SelfRunningInsurer(OnlineQualificationCode::parse(code).ok()?),
        _ => return None,
    };
    (facility.as_str() == code).then_some(facility)
}

/// Reads the facility from a device certificate's subject: exactly one `serialNumber`
/// attribute, a PrintableString in the form of [`facility_text`]; otherwise `None`.
pub fn facility_from_subject(subject: &Name) -> Option<Facility> {
    let mut found = None;
    for atv in subject.iter() {
        if atv.oid == ID_AT_SERIAL_NUMBER {
            if found.is_some() {
                return None;
            }
            let value: PrintableStringRef<'_> = atv.value.decode_as().ok()?;
            found = Some(parse_facility_text(value.as_str())?);
        }
    }
    found
}

/// Why no facility could be read from a device certificate. The certificate is at fault:
/// it was not issued for this protocol (or the caller configured the wrong file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceCertificateError {
    /// The bytes are not a DER X.509 certificate.
    NotACertificate,
    /// The subject has no `serialNumber`, more than one, or one not in the form
    /// `kenshin-kikan:<10 digits>` / `oqs-code:<code>`.
    NoFacility,
}

impl fmt::Display for DeviceCertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotACertificate => "the device certificate is not a DER X.509 certificate",
            Self::NoFacility => {
                "the device certificate's subject names no facility (one serialNumber \
                 `kenshin-kikan:<10 digits>` or `oqs-code:<code>` expected)"
            }
        })
    }
}

impl core::error::Error for DeviceCertificateError {}

/// The facility a device certificate (DER) speaks for: what a client puts in its inquiry
/// and signs, learnt from its own mutual-TLS certificate rather than configured twice.
/// Only the subject is read; whether the certificate is trusted is the gateway's business.
pub fn device_facility(certificate_der: &[u8]) -> Result<Facility, DeviceCertificateError> {
    let cert = Certificate::from_der(certificate_der)
        .map_err(|_| DeviceCertificateError::NotACertificate)?;
    facility_from_subject(cert.tbs_certificate().subject())
        .ok_or(DeviceCertificateError::NoFacility)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facility_text_round_trips_and_rejects_bad_codes() {
        for f in [
            Facility::CheckupInstitution("0110113719".parse().unwrap()),
            Facility::SelfRunningInsurer("Q-12345".parse().unwrap()),
        ] {
            assert_eq!(parse_facility_text(&facility_text(&f)), Some(f));
        }
        assert_eq!(parse_facility_text("kenshin-kikan:011011371"), None);
        assert_eq!(parse_facility_text("kenshin-kikan:011011371X"), None);
        assert_eq!(parse_facility_text("oqs-code:"), None);
        assert_eq!(parse_facility_text("oqs-code:a b"), None);
        assert_eq!(parse_facility_text("clinic:0110113719"), None);
    }

    #[test]
    fn garbage_is_not_a_device_certificate() {
        assert_eq!(
            device_facility(b"not a certificate"),
            Err(DeviceCertificateError::NotACertificate)
        );
    }
}
