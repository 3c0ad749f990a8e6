//! The XmlMsg vocabulary as JSON, for the gateway's result (this project's design).
//!
//! An element holding elements is a JSON object whose keys are the child element names, in
//! first-appearance order. A child holding text is a JSON string (verbatim). A child that
//! appears several times is an array of its occurrences; the repeatable elements of oqs.md
//! (`ResultOfQualificationConfirmation`, `SpecificDiseasesCertificateInfo`) are always arrays,
//! even with one occurrence, so a consumer never has to guess.
//!
//! One thing JSON cannot say: an element repeated *around* another one
//! (`<Foo/><X/><Foo/>`) becomes one array (`"Foo":[…,…],"X":…`), because an object's keys
//! are unique. Known elements are unaffected; for kept unknown elements only their order
//! among other names can change (from a record read from JSON, JSON → record → JSON is
//! stable).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserializer, Serialize, Serializer};

use super::tree::{Element, is_valid_name};

/// Elements that may repeat within one parent: always JSON arrays.
pub(crate) const REPEATABLE: &[&str] = &[
    "ResultOfQualificationConfirmation",
    "SpecificDiseasesCertificateInfo",
];

/// Serializes a list of sibling elements as one JSON object.
pub(crate) struct Children<'a>(pub(crate) &'a [Element]);

struct Value<'a>(&'a Element);

struct Occurrences<'a>(&'a [&'a Element]);

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.children.is_empty() {
            serializer.serialize_str(&self.0.text)
        } else {
            Children(&self.0.children).serialize(serializer)
        }
    }
}

impl Serialize for Occurrences<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for element in self.0 {
            seq.serialize_element(&Value(element))?;
        }
        seq.end()
    }
}

impl Serialize for Children<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut order: Vec<&str> = Vec::new();
        let mut by_name: BTreeMap<&str, Vec<&Element>> = BTreeMap::new();
        for child in self.0 {
            let entry = by_name.entry(child.name.as_str()).or_default();
            if entry.is_empty() {
                order.push(child.name.as_str());
            }
            entry.push(child);
        }
        let mut map = serializer.serialize_map(Some(order.len()))?;
        for name in order {
            let Some(items) = by_name.get(name) else {
                continue;
            };
            match items.as_slice() {
                [one] if !REPEATABLE.contains(&name) => map.serialize_entry(name, &Value(one))?,
                many => map.serialize_entry(name, &Occurrences(many))?,
            }
        }
        map.end()
    }
}

/// Reads one JSON object into sibling elements, appended to `out`.
pub(crate) struct ChildrenSeed<'a> {
    pub(crate) out: &'a mut Vec<Element>,
}

impl<'de> DeserializeSeed<'de> for ChildrenSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ChildrenSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of XmlMsg elements")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: BTreeMap<String, ()> = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            if !is_valid_name(&name) {
                return Err(de::Error::custom(format_args!(
                    "{:?} is not an XmlMsg element name",
                    name.chars().take(64).collect::<String>()
                )));
            }
            if seen.insert(name.clone(), ()).is_some() {
                return Err(de::Error::custom(format_args!("duplicate key {name}")));
            }
            map.next_value_seed(ValueSeed {
                name: &name,
                out: self.out,
                in_array: false,
            })?;
        }
        Ok(())
    }
}

struct ValueSeed<'a> {
    name: &'a str,
    out: &'a mut Vec<Element>,
    in_array: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("element text (string), elements (object) or repeats (array)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.out.push(Element::leaf(self.name, v));
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let mut children = Vec::new();
        ChildrenSeed { out: &mut children }.visit_map(map)?;
        self.out.push(Element::parent(self.name, children));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.in_array {
            return Err(de::Error::custom("nested arrays are not element repeats"));
        }
        while seq
            .next_element_seed(ValueSeed {
                name: self.name,
                out: &mut *self.out,
                in_array: true,
            })?
            .is_some()
        {}
        Ok(())
    }
}
