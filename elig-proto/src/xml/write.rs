//! The strict XmlMsg writer: one fixed layout, byte for byte.
//!
//! Layout (this crate's choice within the public format, pinned by golden files):
//! - the declaration `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` (or
//!   `encoding="Shift_JIS"`), the form the real terminal's responses use;
//! - elements in the order oqs.md lists them, two-space indentation, `\n` line ends, a final
//!   `\n`; an empty value is written `<X></X>`, as in the published request template;
//! - text escapes `&`, `<`, `>`, and `\r` (as `&#13;`, so it survives XML line-end
//!   normalisation); other control characters are refused;
//! - Shift_JIS output is checked per element: a character CP932 cannot encode is an error,
//!   never a silent `&#NNNN;` substitution.

use super::encoding::Encoding;
use super::error::WriteError;
use super::tree::{Element, is_valid_name, is_xml_char};

/// Accumulates one document as UTF-8 text; [`XmlOut::finish`] encodes it.
#[derive(Debug)]
pub(crate) struct XmlOut {
    buf: String,
    depth: usize,
    encoding: Encoding,
}

impl XmlOut {
    pub(crate) fn new(encoding: Encoding) -> Self {
        let mut buf = String::with_capacity(2048);
        buf.push_str("<?xml version=\"1.0\" encoding=\"");
        buf.push_str(encoding.declaration_label());
        buf.push_str("\" standalone=\"no\"?>\n");
        Self {
            buf,
            depth: 0,
            encoding,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.buf.push_str("  ");
        }
    }

    pub(crate) fn open(&mut self, name: &str) {
        self.indent();
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push_str(">\n");
        self.depth = self.depth.saturating_add(1);
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push_str(">\n");
    }

    /// Writes an element tree: a childless element as a leaf (its text), otherwise its
    /// children (its own text, whitespace between children, is not written).
    pub(crate) fn element(&mut self, element: &Element) -> Result<(), WriteError> {
        check_name(&element.name)?;
        if element.children.is_empty() {
            return self.leaf(&element.name, &element.text);
        }
        self.open(&element.name);
        for child in &element.children {
            self.element(child)?;
        }
        self.close(&element.name);
        Ok(())
    }

    /// Writes `<name>value</name>` on its own line.
    pub(crate) fn leaf(&mut self, name: &str, value: &str) -> Result<(), WriteError> {
        if !value.chars().all(is_xml_char) {
            return Err(WriteError::InvalidCharacter {
                element: name.to_owned(),
            });
        }
        if self.encoding == Encoding::ShiftJis && !self.encoding.can_encode(value) {
            return Err(WriteError::Unencodable {
                element: name.to_owned(),
            });
        }
        self.indent();
        self.buf.push('<');
        self.buf.push_str(name);
        self.buf.push('>');
        for c in value.chars() {
            match c {
                '&' => self.buf.push_str("&amp;"),
                '<' => self.buf.push_str("&lt;"),
                '>' => self.buf.push_str("&gt;"),
                '\r' => self.buf.push_str("&#13;"),
                c => self.buf.push(c),
            }
        }
        self.buf.push_str("</");
        self.buf.push_str(name);
        self.buf.push_str(">\n");
        Ok(())
    }

    /// Encodes the document. Every leaf was checked as it was written, so encoding cannot
    /// fail here; the check is repeated rather than assumed.
    pub(crate) fn finish(self) -> Result<Vec<u8>, WriteError> {
        self.encoding
            .encode(&self.buf)
            .ok_or_else(|| WriteError::Unencodable {
                element: "XmlMsg".to_owned(),
            })
    }
}

fn check_name(name: &str) -> Result<(), WriteError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(WriteError::InvalidName {
            name: name.chars().take(64).collect(),
        })
    }
}
