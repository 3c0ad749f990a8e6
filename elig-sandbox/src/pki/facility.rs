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

use core::fmt;

use der::asn1::PrintableStringRef;
use der::oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use x509_cert::name::Name;

/// `id-at-serialNumber` (X.520).
pub(crate) const ID_AT_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");

/// The identity of a checkup facility, as its device certificate states it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Facility {
    /// 健診・保健指導機関番号: 10 digits (保険医療機関 reuse their 医療機関コード).
    KenshinKikan(String),
    /// オンライン資格確認用コード, issued by 支払基金 to insurers that run checkups themselves.
    /// Opaque: its format is not public.
    OqsCode(String),
}

impl Facility {
    /// Checks the code's shape (see the module docs); `None` when it is malformed.
    pub fn validated(self) -> Option<Self> {
        let ok = match &self {
            Facility::KenshinKikan(code) => {
                code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit())
            }
            Facility::OqsCode(code) => {
                (1..=32).contains(&code.len())
                    && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }
        };
        ok.then_some(self)
    }

    /// The code itself (the 10 digits, or the opaque code).
    pub fn code(&self) -> &str {
        match self {
            Facility::KenshinKikan(code) | Facility::OqsCode(code) => code,
        }
    }

    /// The `serialNumber` attribute value, `<kind>:<code>`.
    pub fn to_subject_serial(&self) -> String {
        match self {
            Facility::KenshinKikan(code) => format!("kenshin-kikan:{code}"),
            Facility::OqsCode(code) => format!("oqs-code:{code}"),
        }
    }

    /// Parses a `serialNumber` attribute value written by [`Self::to_subject_serial`].
    pub fn from_subject_serial(text: &str) -> Option<Self> {
        let (kind, code) = text.split_once(':')?;
        let facility = match kind {
            "kenshin-kikan" => Facility::KenshinKikan(code.to_owned()),
            "oqs-code" => Facility::OqsCode(code.to_owned()),
            _ => return None,
        };
        facility.validated()
    }

    /// Reads the facility from a device certificate's subject: exactly one `serialNumber`
    /// attribute, well formed.
    pub(crate) fn from_subject(subject: &Name) -> Option<Self> {
        let mut found = None;
        for atv in subject.iter() {
            if atv.oid == ID_AT_SERIAL_NUMBER {
                if found.is_some() {
                    return None;
                }
                let value: PrintableStringRef<'_> = atv.value.decode_as().ok()?;
                found = Some(Self::from_subject_serial(value.as_str())?);
            }
        }
        found
    }
}

impl fmt::Display for Facility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_subject_serial())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_serial_round_trips_and_rejects_bad_codes() {
        for f in [
            Facility::KenshinKikan("0110113719".into()),
            Facility::OqsCode("Q-12345".into()),
        ] {
            assert_eq!(
                Facility::from_subject_serial(&f.to_subject_serial()),
                Some(f)
            );
        }
        assert_eq!(
            Facility::from_subject_serial("kenshin-kikan:011011371"),
            None
        );
        assert_eq!(
            Facility::from_subject_serial("kenshin-kikan:011011371X"),
            None
        );
        assert_eq!(Facility::from_subject_serial("oqs-code:"), None);
        assert_eq!(Facility::from_subject_serial("oqs-code:a b"), None);
        assert_eq!(Facility::from_subject_serial("clinic:0110113719"), None);
    }
}
