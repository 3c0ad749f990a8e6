//! A small, bounded element tree built from quick-xml events.
//!
//! The 既存型 files are a few kilobytes of elements with text and no attributes that matter,
//! so the reader first builds this tree (every limit checked while building) and then maps
//! it onto the typed records, in any element order. What is refused here, and why:
//! - `<!DOCTYPE …>` of any kind: no external entities (XXE), no entity expansion (billion
//!   laughs). The XmlMsg files never carry one.
//! - entity references other than the five predefined ones and character references: without
//!   a DTD they are undefined, so they are errors, never expanded.
//! - more bytes, elements or nesting than [`ReadLimits`] allows.
//! - a second root, text outside the root, and a document that ends early;
//! - characters XML 1.0 does not allow anywhere, and processing instructions (XmlMsg files
//!   carry none besides the declaration).

use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::error::ReadError;

/// Bounds applied while reading a 既存型 file. The defaults fit every real response with a
/// wide margin (a one-person response is about 3 KB, 4 levels deep) while keeping memory
/// bounded: the tree costs a small constant factor of the input size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest file accepted, in bytes, checked before anything is decoded. Default 8 MiB
    /// (bulk results hold many persons).
    pub max_bytes: usize,
    /// Deepest element nesting accepted (`XmlMsg` is depth 1). Default 16; real files reach 5.
    pub max_depth: usize,
    /// Most elements accepted in one file. Default 200,000.
    pub max_elements: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 16,
            max_elements: 200_000,
        }
    }
}

/// One element: its name, its text (verbatim, whitespace kept) and its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
    /// Set by the typed writer on the containers it builds for known elements, so kept
    /// unknown elements addressed into them go inside them (never into a second copy).
    pub(crate) known: bool,
}

/// XML 1.0 `Char`: tab, LF, CR and U+0020 upwards, without surrogates, U+FFFE and U+FFFF.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// True for the element names this crate writes: ASCII letters, digits, `_`, `-` and `.`,
/// starting with a letter or `_`, at most 128 bytes (every XmlMsg name is far shorter).
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && name.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl Element {
    /// The first element name in this tree (depth first) that is not a plain XML name.
    pub(crate) fn first_invalid_name(&self) -> Option<&str> {
        if !is_valid_name(&self.name) {
            return Some(&self.name);
        }
        self.children.iter().find_map(Element::first_invalid_name)
    }

    /// A childless element holding `text`.
    pub(crate) fn leaf(name: &str, text: &str) -> Self {
        Self {
            name: name.to_owned(),
            text: text.to_owned(),
            children: Vec::new(),
            known: false,
        }
    }

    /// An element holding `children`.
    pub(crate) fn parent(name: &str, children: Vec<Element>) -> Self {
        Self {
            name: name.to_owned(),
            text: String::new(),
            children,
            known: false,
        }
    }
}

fn position<R>(reader: &Reader<R>) -> u64 {
    reader.buffer_position()
}

fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// Parses `text` (already decoded to UTF-8) into a tree, enforcing `limits`.
pub(crate) fn parse(text: &str, limits: &ReadLimits) -> Result<Element, ReadError> {
    // XML 1.0 allows only `Char` anywhere in a document (text, names, comments): one pass
    // before parsing refuses control characters, U+FFFE and U+FFFF wherever they hide.
    if let Some((at, _)) = text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        return Err(ReadError::Malformed {
            position: u64::try_from(at).unwrap_or(u64::MAX),
            detail: "a character XML 1.0 does not allow (a control character or U+FFFE/U+FFFF)"
                .into(),
        });
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.allow_unmatched_ends = false;
    config.check_comments = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements: usize = 0;
    let mut seen_event = false;

    loop {
        let event = reader.read_event().map_err(|e| ReadError::Malformed {
            position: position(&reader),
            detail: e.to_string(),
        })?;
        let first = !seen_event;
        seen_event = true;
        match event {
            Event::Decl(_) if first => {}
            Event::Decl(_) => {
                return Err(ReadError::Malformed {
                    position: position(&reader),
                    detail: "XML declaration not at the start".into(),
                });
            }
            Event::DocType(_) => return Err(ReadError::DoctypeForbidden),
            Event::Comment(_) => {}
            // XmlMsg files carry no processing instructions; one is refused rather than
            // skipped, so a mangled declaration (`<?xm …?>`, `<?XML …?>`) cannot pass for
            // an ignorable instruction while its `encoding` goes unread.
            Event::PI(_) => {
                return Err(ReadError::Malformed {
                    position: position(&reader),
                    detail: "processing instruction (other than the XML declaration)".into(),
                });
            }
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(ReadError::TrailingContent);
            }
            Event::Start(start) => {
                elements = elements.saturating_add(1);
                if elements > limits.max_elements {
                    return Err(ReadError::TooManyElements {
                        limit: limits.max_elements,
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(ReadError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let name = start.name().as_ref().to_owned();
                stack.push(Element {
                    name,
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                elements = elements.saturating_add(1);
                if elements > limits.max_elements {
                    return Err(ReadError::TooManyElements {
                        limit: limits.max_elements,
                    });
                }
                if stack.len() >= limits.max_depth {
                    return Err(ReadError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                let element = Element {
                    name: start.name().as_ref().to_owned(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(ReadError::Malformed {
                        position: position(&reader),
                        detail: "end tag without a start tag".into(),
                    });
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None => {
                        if !content
                            .chars()
                            .all(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
                        {
                            return Err(if root.is_some() {
                                ReadError::TrailingContent
                            } else {
                                ReadError::Malformed {
                                    position: position(&reader),
                                    detail: "text outside the root element".into(),
                                }
                            });
                        }
                    }
                }
            }
            Event::CData(c) => {
                let content = c.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push_str(&content),
                    None => return Err(ReadError::TrailingContent),
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .ok()
                        .flatten()
                        .filter(|c| is_xml_char(*c))
                } else {
                    predefined(&r)
                };
                let Some(ch) = resolved else {
                    return Err(ReadError::UndefinedEntity {
                        name: r.chars().take(64).collect(),
                    });
                };
                match stack.last_mut() {
                    Some(open) => open.text.push(ch),
                    None => return Err(ReadError::TrailingContent),
                }
            }
            Event::Eof => {
                return match (root, stack.is_empty()) {
                    (Some(root), true) => Ok(root),
                    _ => Err(ReadError::Truncated),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_tree_and_keeps_whitespace() {
        let tree = parse(
            "<?xml version=\"1.0\"?><a><b>  12&amp;3</b><c/><!-- x --></a>\n",
            &ReadLimits::default(),
        )
        .unwrap();
        assert_eq!(tree.name, "a");
        assert_eq!(tree.children.len(), 2);
        assert_eq!(tree.children[0].text, "  12&3");
        assert_eq!(tree.children[1].name, "c");
    }

    #[test]
    fn refuses_what_it_must() {
        let l = ReadLimits::default();
        assert_eq!(
            parse("<!DOCTYPE a []><a/>", &l),
            Err(ReadError::DoctypeForbidden)
        );
        assert!(matches!(
            parse("<a>&xxe;</a>", &l),
            Err(ReadError::UndefinedEntity { .. })
        ));
        assert_eq!(parse("<a><b>", &l), Err(ReadError::Truncated));
        assert_eq!(parse("<a/><b/>", &l), Err(ReadError::TrailingContent));
        assert_eq!(parse("<a/>junk", &l), Err(ReadError::TrailingContent));
        assert_eq!(parse("", &l), Err(ReadError::Truncated));
        assert!(matches!(
            parse("<a></b>", &l),
            Err(ReadError::Malformed { .. })
        ));
    }
}
