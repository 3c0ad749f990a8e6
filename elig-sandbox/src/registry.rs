//! The registry of synthetic insured people: who holds which card certificate, their
//! qualification histories, and the vouchers they hold.
//!
//! The default registry (`data/registry.json`, embedded in the binary) covers every
//! `QualificationValidity` outcome of oqs.md (OQSCD006) except 6 (医療扶助 only), plus a
//! revoked and an expired card:
//!
//! | Handle | Card serial | Insurer(s) | Outcome |
//! |---|---|---|---|
//! | P01 | 1001 | 協会けんぽ `01130012` | 1 有効 |
//! | P02 | 1002 | 健保組合 `06271233`, 家族, 枝番 01 | 1 有効 |
//! | P03 | 1003 | 国保 `133017` (6 digits) | 1 有効 |
//! | P04 | 1004 | 後期高齢者 `39131016` | 1 有効 |
//! | P05 | 1005 | 協会けんぽ `01040013`, lost 2025-04-01 | 2 無効 |
//! | P06 | 1006 | 健保組合 `06100010` → 国保 `271304` | 3 with the old insurer as search key, else 1 |
//! | P07 | 1007 | 協会けんぽ and 健保組合 at once | 5 複数該当 |
//! | P08 | 1008 | (card revoked 2025-06-01) | rejected: `certificate_revoked` |
//! | P09 | 1009 | (card expired 2024-03-31) | rejected: `certificate_expired` |
//! | — | 1010 | nobody | 4 該当資格なし |
//!
//! Devices: `clinic` (健診・保健指導機関番号 `1312345679`, a 保険医療機関 whose number is its
//! 医療機関コード), `insurer-clinic` (オンライン資格確認用コード `OQ-06271233`) and
//! `retired-clinic` (registration withdrawn 2025-09-30: its certificate is on the device
//! CRL and the gateway answers `unknown_device`).
//!
//! A vendor can load its own cases from a file of the same shape ([`Registry::from_json`];
//! `elig-sandbox registry` prints the default as a template):
//!
//! | Key | Content |
//! |---|---|
//! | `version` | `1` |
//! | `vouchers_follow_today` | optional, default `false`: when `true`, [`Registry::vouchers_on`] re-dates every voucher into the fiscal year of the day asked for (the embedded default does this) |
//! | `devices[]` | `label` (`[A-Za-z0-9-]`, 1–64), `facility` (voucher-model's `Facility` JSON: `{"checkup_institution": "<10 digits>"}` or `{"self_running_insurer": "<code>"}`), optional `revoked_on` |
//! | `people[]` | `handle`, `scenario`, `summary`, `card` {`serial`, `not_before`, `not_after`, optional `revoked_on`}, `qualifications[]` (voucher-model's `QualificationRecord` JSON: the `ResultOfQualificationConfirmation` element names in snake_case, codes as in the files), `vouchers[]` (voucher-model's voucher JSON) |
//! | `unregistered_cards[]` | `serial`, `not_before`, `not_after`: valid cards of nobody |
//!
//! ## A demo that does not expire (this project's design)
//! The gateway answers for today's date in Japan only, so fixed dates would age the demo.
//! In the default registry the qualifications of the valid people are open-ended (no
//! 資格喪失日) and the deliberately invalid cases lie in the past (P05 lost 2025-04-01, P06's
//! old insurer ended 2025-10-01, P08 revoked 2025-06-01, P09 expired 2024-03-31), so a
//! lookup on any later date gives the same answers; the vouchers, which run for one fiscal
//! year, are re-dated by [`Registry::vouchers_on`] into the fiscal year of the day asked
//! for. The registry's card certificates (what [`CardEntry::spec`] issues) run to
//! 2034-03-31 as written; a default virtual card and the sandbox's CRLs and device
//! certificates are issued for the day instead (the [`crate::pki`] module docs, "Dates").
//!
//! Loading refuses duplicate card serials, certificates that end before they start,
//! insurer numbers with a wrong check digit, vouchers that fail strict validation, and
//! non-canonical facility codes. Dates are ISO `YYYY-MM-DD`.
//!
//! ## How the outcome is decided (this project's design)
//! The real system's rules are not public. The sandbox answers, for the card's person, the
//! checkup date `D` and the inquiry's optional search keys:
//! 1. no person holds the card → 4, no records;
//! 2. candidates = the person's records matching the search keys (insurer number; 記号,
//!    番号 and 枝番 when both sides have them), or all records without search keys; none → 4;
//! 3. candidates whose period covers `D` (`QualificationDate ≤ D < DisqualificationDate`):
//!    exactly one → 1 with it; several → 5 with all of them;
//! 4. none covers `D`, but another record of the person does, or a candidate starts after
//!    `D` → 3, with the latest candidate and the newer records;
//! 5. otherwise → 2, with the latest candidate.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use voucher_model::{Date, QualificationRecord, QualificationValidity, SearchInfo, Voucher};

use crate::pki::{CardSpec, DevicePlan, PkiPlan};

/// The default registry, embedded in the binary.
pub const DEFAULT_REGISTRY_JSON: &str = include_str!("../data/registry.json");

/// Largest registry file accepted, in bytes.
pub const MAX_REGISTRY_BYTES: usize = 16 * 1024 * 1024;

/// Why a registry file was refused (the file's author is at fault).
#[derive(Debug)]
#[non_exhaustive]
pub enum RegistryError {
    /// Larger than [`MAX_REGISTRY_BYTES`].
    TooLarge(usize),
    /// Not JSON of the registry's shape.
    Json(serde_json::Error),
    /// Well-formed but inconsistent (duplicate serial, bad check digit, bad dates…).
    Invalid(String),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::TooLarge(n) => write!(
                f,
                "registry file of {n} bytes is over the {MAX_REGISTRY_BYTES}-byte limit"
            ),
            RegistryError::Json(e) => write!(f, "registry file is not valid registry JSON: {e}"),
            RegistryError::Invalid(what) => write!(f, "registry file is inconsistent: {what}"),
        }
    }
}

impl core::error::Error for RegistryError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            RegistryError::Json(e) => Some(e),
            _ => None,
        }
    }
}

/// A card certificate in the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardEntry {
    /// Certificate serial number.
    pub serial: u64,
    /// First day of validity.
    pub not_before: Date,
    /// Last day of validity.
    pub not_after: Date,
    /// Day the certificate was revoked (it is then on the CRL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_on: Option<Date>,
    /// Free text for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl CardEntry {
    /// What the PKI issues for this card.
    pub fn spec(&self) -> CardSpec {
        CardSpec {
            serial: self.serial,
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }
}

/// A synthetic insured person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A handle for tests and docs (`P01`): not personal data, never sent to clients.
    pub handle: String,
    /// Which case the person illustrates (`valid`, `lost`, …), for people reading the file.
    pub scenario: String,
    /// One-line description.
    #[serde(default)]
    pub summary: String,
    /// The person's card certificate.
    pub card: CardEntry,
    /// Qualification history, in the `XmlMsg` vocabulary.
    pub qualifications: Vec<QualificationRecord>,
    /// Vouchers the person holds (`voucher-model`'s stable voucher JSON, validated strictly),
    /// as written in the file: [`Registry::vouchers_on`] gives them for a given day.
    #[serde(default)]
    pub vouchers: Vec<Voucher>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    version: u32,
    #[serde(default)]
    note: Option<String>,
    /// Re-date the vouchers into the fiscal year of the day they are asked for (`rolling`).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    vouchers_follow_today: bool,
    devices: Vec<DevicePlan>,
    people: Vec<Person>,
    #[serde(default)]
    unregistered_cards: Vec<CardEntry>,
}

/// The answer of a lookup: `QualificationValidity` and the records to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// OQSCD006 code of the answer.
    pub validity: QualificationValidity,
    /// `ResultList/ResultOfQualificationConfirmation` entries.
    pub records: Vec<QualificationRecord>,
}

/// The registry: people by card serial, registered devices, unregistered cards.
#[derive(Debug, Clone)]
pub struct Registry {
    file: RegistryFile,
    by_serial: HashMap<u64, usize>,
}

fn matches_search(record: &QualificationRecord, search: &SearchInfo) -> bool {
    fn both<T: PartialEq>(a: Option<&T>, b: Option<&T>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    both(
        record.insurer_number.as_ref(),
        search.insurer_number.as_ref(),
    ) && both(
        record.insured_card_symbol.as_ref(),
        search.insured_card_symbol.as_ref(),
    ) && both(
        record.insured_identification_number.as_ref(),
        search.insured_identification_number.as_ref(),
    ) && both(
        record.insured_branch_number.as_ref(),
        search.insured_branch_number.as_ref(),
    )
}

fn starts_after(record: &QualificationRecord, date: Date) -> bool {
    record.qualification_date.is_some_and(|from| from > date)
}

impl Registry {
    /// The embedded default registry.
    pub fn default_registry() -> Result<Self, RegistryError> {
        Self::from_json(DEFAULT_REGISTRY_JSON)
    }

    /// Parses and checks a registry file: unique card serials, valid insurer check digits,
    /// `not_before ≤ not_after`, facility codes well formed.
    pub fn from_json(text: &str) -> Result<Self, RegistryError> {
        if text.len() > MAX_REGISTRY_BYTES {
            return Err(RegistryError::TooLarge(text.len()));
        }
        let file: RegistryFile = serde_json::from_str(text).map_err(RegistryError::Json)?;
        if file.version != 1 {
            return Err(RegistryError::Invalid(format!(
                "version {} (expected 1)",
                file.version
            )));
        }
        let mut by_serial = HashMap::new();
        let mut all_serials = std::collections::HashSet::new();
        let cards = file
            .people
            .iter()
            .map(|p| &p.card)
            .chain(file.unregistered_cards.iter());
        for card in cards {
            if !all_serials.insert(card.serial) {
                return Err(RegistryError::Invalid(format!(
                    "card serial {} appears twice",
                    card.serial
                )));
            }
            if card.not_before > card.not_after {
                return Err(RegistryError::Invalid(format!(
                    "card {} ends before it starts",
                    card.serial
                )));
            }
        }
        for (index, person) in file.people.iter().enumerate() {
            by_serial.insert(person.card.serial, index);
            for record in &person.qualifications {
                if let Some(n) = &record.insurer_number
                    && !n.check_digit_ok()
                {
                    return Err(RegistryError::Invalid(format!(
                        "{}: insurer number {n} has a wrong check digit",
                        person.handle
                    )));
                }
            }
        }
        let mut labels = std::collections::HashSet::new();
        for device in &file.devices {
            let label_ok = !device.label.is_empty()
                && device.label.len() <= 64
                && device
                    .label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !label_ok || !labels.insert(device.label.as_str()) {
                return Err(RegistryError::Invalid(format!(
                    "device label {:?} must be unique, 1-64 characters of [A-Za-z0-9-]",
                    device.label
                )));
            }
            let encoded = elig_proto::gateway::facility_text(&device.facility);
            if elig_proto::gateway::parse_facility_text(&encoded).as_ref() != Some(&device.facility)
            {
                return Err(RegistryError::Invalid(format!(
                    "device {}: facility code is not in canonical form",
                    device.label
                )));
            }
        }
        Ok(Self { file, by_serial })
    }

    /// The registry as JSON (the file format [`Self::from_json`] reads).
    pub fn to_json(&self) -> Result<String, RegistryError> {
        serde_json::to_string_pretty(&self.file).map_err(RegistryError::Json)
    }

    /// What the PKI must contain: the devices and the revoked card serials.
    pub fn pki_plan(&self) -> PkiPlan {
        PkiPlan {
            devices: self.file.devices.clone(),
            revoked: self
                .file
                .people
                .iter()
                .filter_map(|p| p.card.revoked_on.map(|day| (p.card.serial, day)))
                .collect(),
        }
    }

    /// Everyone in the registry.
    pub fn people(&self) -> &[Person] {
        &self.file.people
    }

    /// The person with `handle`.
    pub fn person(&self, handle: &str) -> Option<&Person> {
        self.file.people.iter().find(|p| p.handle == handle)
    }

    /// The vouchers the person with `handle` holds on `today`: as written, or re-dated into
    /// the fiscal year of `today` when the file sets `vouchers_follow_today` (module docs). A
    /// voucher that cannot be re-dated (the result would leave the years 1..=9999) is given
    /// as written. `None` when nobody has that handle.
    pub fn vouchers_on(&self, handle: &str, today: Date) -> Option<Vec<Voucher>> {
        let person = self.person(handle)?;
        if !self.file.vouchers_follow_today {
            return Some(person.vouchers.clone());
        }
        Some(
            person
                .vouchers
                .iter()
                .map(|v| rolling::redated(v, today).unwrap_or_else(|| v.clone()))
                .collect(),
        )
    }

    /// The registered devices.
    pub fn devices(&self) -> &[DevicePlan] {
        &self.file.devices
    }

    /// Valid cards that belong to nobody in the registry.
    pub fn unregistered_cards(&self) -> &[CardEntry] {
        &self.file.unregistered_cards
    }

    /// Any card (a person's or an unregistered one) by serial.
    pub fn card(&self, serial: u64) -> Option<&CardEntry> {
        self.file
            .people
            .iter()
            .map(|p| &p.card)
            .chain(self.file.unregistered_cards.iter())
            .find(|c| c.serial == serial)
    }

    /// The qualification answer for the holder of card `serial` on `date` (module docs,
    /// "How the outcome is decided").
    pub fn lookup(&self, serial: u64, date: Date, search: Option<&SearchInfo>) -> Lookup {
        let none = Lookup {
            validity: QualificationValidity::NoQualification,
            records: Vec::new(),
        };
        let Some(person) = self
            .by_serial
            .get(&serial)
            .and_then(|i| self.file.people.get(*i))
        else {
            return none;
        };
        let all = &person.qualifications;
        let candidates: Vec<&QualificationRecord> = match search {
            Some(s) => all.iter().filter(|r| matches_search(r, s)).collect(),
            None => all.iter().collect(),
        };
        if candidates.is_empty() {
            return none;
        }
        let covering: Vec<&QualificationRecord> = candidates
            .iter()
            .copied()
            .filter(|r| r.period_covers(date))
            .collect();
        match covering.as_slice() {
            [one] => {
                return Lookup {
                    validity: QualificationValidity::Valid,
                    records: vec![(*one).clone()],
                };
            }
            [_, _, ..] => {
                return Lookup {
                    validity: QualificationValidity::MultipleMatches,
                    records: covering.into_iter().cloned().collect(),
                };
            }
            [] => {}
        }
        let latest = candidates
            .iter()
            .copied()
            .max_by_key(|r| r.qualification_date)
            .cloned();
        let newer: Vec<QualificationRecord> = all
            .iter()
            .filter(|r| r.period_covers(date) || (starts_after(r, date) && candidates.contains(r)))
            .cloned()
            .collect();
        let mut records: Vec<QualificationRecord> = latest.into_iter().collect();
        if newer.is_empty() {
            Lookup {
                validity: QualificationValidity::Invalid,
                records,
            }
        } else {
            for r in newer {
                if !records.contains(&r) {
                    records.push(r);
                }
            }
            Lookup {
                validity: QualificationValidity::InvalidNewQualificationExists,
                records,
            }
        }
    }
}

mod rolling;

#[cfg(test)]
mod tests;
