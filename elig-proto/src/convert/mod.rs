//! Between the element tree and voucher-model's typed records.
//!
//! Reading is tolerant (oqs.md): any element order; unknown elements, and known elements
//! whose text does not fit their type, are kept in `unknown_elements` (paths joined with
//! `/`, verbatim text), never fatal; codes become voucher-model's enums with `Other(String)`
//! for unknown codes; identifiers are parsed leniently (a bad check digit is kept, the
//! verdict warns). What *is* refused: a known single element repeated in one parent (which
//! one counts would be a guess) and a known text element holding elements.
//!
//! Writing puts known elements in oqs.md's order, then the kept unknown ones.

pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod response_write;

use std::collections::BTreeMap;

use voucher_model::UnknownElement;

use crate::xml::tree::Element;
use crate::xml::{ReadError, WriteError};

/// The children of one element, sorted into known single elements, the repeated element
/// (if the parent has one) and unknown ones (flattened into `unknown` with `prefix`).
pub(crate) struct Fields<'u> {
    single: BTreeMap<&'static str, Element>,
    pub(crate) many: Vec<Element>,
    prefix: String,
    unknown: &'u mut Vec<UnknownElement>,
}

/// Appends `element` (and its descendants) to `out` as path/text pairs.
pub(crate) fn flatten(element: Element, prefix: &str, out: &mut Vec<UnknownElement>) {
    let path = format!("{prefix}{}", element.name);
    if element.children.is_empty() {
        out.push(UnknownElement {
            name: path,
            text: element.text,
        });
    } else {
        let inner = format!("{path}/");
        for child in element.children {
            flatten(child, &inner, out);
        }
    }
}

fn trimmed(text: &str) -> &str {
    text.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{3000}'))
}

impl<'u> Fields<'u> {
    /// Sorts `children`; `known` are the single elements, `many` the repeatable one.
    pub(crate) fn split(
        children: Vec<Element>,
        prefix: &str,
        known: &[&'static str],
        many: Option<&str>,
        unknown: &'u mut Vec<UnknownElement>,
    ) -> Result<Self, ReadError> {
        let mut single = BTreeMap::new();
        let mut repeated = Vec::new();
        for child in children {
            if Some(child.name.as_str()) == many {
                repeated.push(child);
            } else if let Some(name) = known.iter().find(|k| **k == child.name) {
                if single.insert(*name, child).is_some() {
                    return Err(ReadError::DuplicateElement { name });
                }
            } else {
                flatten(child, prefix, unknown);
            }
        }
        Ok(Self {
            single,
            many: repeated,
            prefix: prefix.to_owned(),
            unknown,
        })
    }

    /// The unknown-element sink, for nested records.
    pub(crate) fn unknown(&mut self) -> &mut Vec<UnknownElement> {
        self.unknown
    }

    /// A known container element, removed from the set.
    pub(crate) fn element(&mut self, name: &'static str) -> Option<Element> {
        self.single.remove(name)
    }

    /// The verbatim text of a known text element.
    pub(crate) fn text(&mut self, name: &'static str) -> Result<Option<String>, ReadError> {
        match self.single.remove(name) {
            None => Ok(None),
            Some(e) if !e.children.is_empty() => Err(ReadError::UnexpectedChildren { name }),
            Some(e) => Ok(Some(e.text)),
        }
    }

    /// A typed value: surrounding spaces trimmed; empty means absent; text that does not
    /// parse is kept in `unknown_elements` under its path, verbatim.
    pub(crate) fn typed<T, E>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ReadError> {
        let Some(text) = self.text(name)? else {
            return Ok(None);
        };
        let t = trimmed(&text);
        if t.is_empty() {
            return Ok(None);
        }
        match parse(t) {
            Ok(value) => Ok(Some(value)),
            Err(_) => {
                self.unknown.push(UnknownElement {
                    name: format!("{}{name}", self.prefix),
                    text,
                });
                Ok(None)
            }
        }
    }

    /// A code-table value (never fails: unknown codes are `Other`).
    pub(crate) fn code<T>(
        &mut self,
        name: &'static str,
        from_code: impl FnOnce(&str) -> T,
    ) -> Result<Option<T>, ReadError> {
        self.typed(name, |t| Ok::<T, ()>(from_code(t)))
    }
}

/// Builds the children of one element for writing.
#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) children: Vec<Element>,
}

impl Builder {
    /// Adds `<name>text</name>` when `text` is present.
    pub(crate) fn text(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.children.push(Element::leaf(name, text));
        }
    }

    /// Adds the container of a known element (kept unknown elements addressed into it go
    /// inside it).
    pub(crate) fn element(&mut self, mut element: Element) {
        element.known = true;
        self.children.push(element);
    }

    /// Adds the kept unknown elements whose path starts with `prefix`, nested along their
    /// paths (see [`attach`]).
    pub(crate) fn unknown(&mut self, unknown: &[UnknownElement], prefix: &str) {
        for u in unknown {
            let Some(path) = u.name.strip_prefix(prefix) else {
                continue;
            };
            attach(&mut self.children, path, &u.text);
        }
    }
}

/// Splits `Name[n]` (1-based occurrence, as the reader writes for repeated known
/// containers) into the name and the occurrence.
fn occurrence(segment: &str) -> (&str, Option<usize>) {
    let Some(open) = segment.strip_suffix(']') else {
        return (segment, None);
    };
    match open.rsplit_once('[') {
        Some((name, n)) => match n.parse::<usize>() {
            Ok(n) if n >= 1 => (name, Some(n)),
            _ => (segment, None),
        },
        None => (segment, None),
    }
}

/// Puts one kept unknown element back where the reader found it. A path segment goes into
/// the known container of that name (`Name[n]`: its n-th occurrence), or into the *last*
/// child when that is an unknown container of that name (consecutive siblings of one
/// container), otherwise into a new container appended here. This keeps document order, so
/// reading the written tree gives the same `unknown_elements`, in the same order.
fn attach(children: &mut Vec<Element>, path: &str, text: &str) {
    let Some((head, rest)) = path.split_once('/') else {
        children.push(Element::leaf(path, text));
        return;
    };
    let (name, nth) = occurrence(head);
    let at = match nth {
        Some(n) => children
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == name && c.known)
            .nth(n.saturating_sub(1))
            .map(|(i, _)| i),
        None => {
            let known = children.iter().rposition(|c| c.name == name && c.known);
            let last = children.len().checked_sub(1).filter(|&i| {
                children
                    .get(i)
                    .is_some_and(|c| c.name == name && !c.children.is_empty())
            });
            known.or(last)
        }
    };
    match at.and_then(|i| children.get_mut(i)) {
        Some(container) => attach(&mut container.children, rest, text),
        None => {
            let mut inner = Vec::new();
            attach(&mut inner, rest, text);
            children.push(Element::parent(name, inner));
        }
    }
}

/// The writer's promise: what it emits, its reader accepts.
pub(crate) fn check_reads_back(tree: &Element) -> Result<(), WriteError> {
    response::from_tree(tree.clone())
        .map(|_| ())
        .map_err(|e| WriteError::Unreadable {
            detail: e.to_string(),
        })
}

/// `Option<SearchInfo>` as a JSON object with the XmlMsg element names (gateway inquiry).
/// Strict: an unknown key or a value that does not parse is refused.
pub(crate) mod search_json {
    use serde::de::DeserializeSeed;
    use serde::{Deserializer, Serialize, Serializer};
    use voucher_model::SearchInfo;

    use crate::xml::json::{Children, ChildrenSeed};

    pub(crate) fn serialize<S: Serializer>(
        search: &Option<SearchInfo>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match search {
            None => serializer.serialize_none(),
            Some(search) => {
                let element = super::request::search_element(search, |n| n.as_str().to_owned());
                Children(&element.children).serialize(serializer)
            }
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SearchInfo>, D::Error> {
        let mut children = Vec::new();
        ChildrenSeed { out: &mut children }.deserialize(deserializer)?;
        super::request::search_strict(children)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// `QualificationResponse` as a JSON object `{"MessageHeader": …, "MessageBody": …}` with
/// the XmlMsg element names and code values (gateway result).
pub(crate) mod response_json {
    use serde::de::DeserializeSeed;
    use serde::{Deserializer, Serialize, Serializer};
    use voucher_model::QualificationResponse;

    use crate::xml::ROOT;
    use crate::xml::json::{Children, ChildrenSeed};
    use crate::xml::tree::Element;

    pub(crate) fn serialize<S: Serializer>(
        response: &QualificationResponse,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let tree = super::response_write::to_tree(response);
        if let Some(name) = tree.first_invalid_name() {
            return Err(serde::ser::Error::custom(format_args!(
                "{:?} is not a plain XML element name",
                name.chars().take(64).collect::<String>()
            )));
        }
        super::check_reads_back(&tree).map_err(serde::ser::Error::custom)?;
        Children(&tree.children).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<QualificationResponse, D::Error> {
        let mut children = Vec::new();
        ChildrenSeed { out: &mut children }.deserialize(deserializer)?;
        super::response::from_tree(Element::parent(ROOT, children))
            .map_err(serde::de::Error::custom)
    }
}
