//! Which facility a registered reception device belongs to, and how its device certificate
//! says so.
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
//! decides which institution is asking").

use der::asn1::PrintableStringRef;
use der::oid::ObjectIdentifier;
use x509_cert::name::Name;

/// `id-at-serialNumber` (X.520).
pub(crate) const ID_AT_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

pub use voucher_model::Facility;
use voucher_model::{CheckupInstitutionNumber, OnlineQualificationCode};

const KENSHIN_KIKAN: &str = "kenshin-kikan";
const OQS_CODE: &str = "oqs-code";

/// The `serialNumber` attribute value naming `facility`: `<kind>:<code>`. This is exactly
/// the facility text the card signs (`elig_proto::gateway::facility_text`, PROTOCOL.md
/// §"What the card signs"), so there is one definition of it.
pub fn to_subject_serial(facility: &Facility) -> String {
    elig_proto::gateway::facility_text(facility)
}

/// Parses a `serialNumber` attribute value written by [`to_subject_serial`]. The code must
/// already be in canonical form (what `voucher-model` would print).
pub fn from_subject_serial(text: &str) -> Option<Facility> {
    let (kind, code) = text.split_once(':')?;
    let facility = match kind {
        KENSHIN_KIKAN => Facility::CheckupInstitution(CheckupInstitutionNumber::parse(code).ok()?),
        OQS_CODE => Facility::SelfRunningInsurer(OnlineQualificationCode::parse(code).ok()?),
        _ => return None,
    };
    (facility.as_str() == code).then_some(facility)
}

/// Reads the facility from a device certificate's subject: exactly one `serialNumber`
/// attribute, well formed.
pub(crate) fn from_subject(subject: &Name) -> Option<Facility> {
    let mut found = None;
    for atv in subject.iter() {
        if atv.oid == ID_AT_SERIAL_NUMBER {
            if found.is_some() {
                return None;
            }
            let value: PrintableStringRef<'_> = atv.value.decode_as().ok()?;
            found = Some(from_subject_serial(value.as_str())?);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_serial_round_trips_and_rejects_bad_codes() {
        for f in [
            Facility::CheckupInstitution("0110113719".parse().unwrap()),
            Facility::SelfRunningInsurer("Q-12345".parse().unwrap()),
        ] {
            assert_eq!(from_subject_serial(&to_subject_serial(&f)), Some(f));
        }
        assert_eq!(from_subject_serial("kenshin-kikan:011011371"), None);
        assert_eq!(from_subject_serial("kenshin-kikan:011011371X"), None);
        assert_eq!(from_subject_serial("oqs-code:"), None);
        assert_eq!(from_subject_serial("oqs-code:a b"), None);
        assert_eq!(from_subject_serial("clinic:0110113719"), None);
    }
}
