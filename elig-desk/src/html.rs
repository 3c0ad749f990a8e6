//! Server-rendered HTML: escaping, the two languages, the page frame. Every value that did
//! not come from this crate's own literals goes through [`esc`].

use core::fmt::Write as _;

/// The page language: Japanese first, English switchable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Picks the text of this language.
    pub(crate) fn t<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        self.t("ja", "en")
    }

    pub(crate) fn is_ja(self) -> bool {
        self == Lang::Ja
    }
}

/// HTML-escapes text for element content and quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the frame needs besides the body.
pub(crate) struct Frame<'a> {
    pub(crate) lang: Lang,
    pub(crate) title: &'a str,
    pub(crate) csrf: &'a str,
    /// `data-stage` for the progress poll (a check page that is still working).
    pub(crate) poll: Option<&'a str>,
    /// The print view: no navigation, no controls.
    pub(crate) print: bool,
}

/// The whole page around `body`.
pub(crate) fn page(frame: &Frame<'_>, body: &str) -> String {
    let lang = frame.lang;
    let mut out = String::with_capacity(body.len().saturating_add(2048));
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — elig desk</title>\
         <link rel=\"stylesheet\" href=\"/assets/desk.css\">\
         <script src=\"/assets/desk.js\" defer></script></head>",
        lang.code(),
        esc(frame.title)
    );
    match frame.poll {
        Some(stage) => {
            let _ = write!(out, "<body data-poll=\"{}\">", esc(stage));
        }
        None => out.push_str("<body>"),
    }
    if !frame.print {
        let _ = write!(
            out,
            "<header class=\"bar\"><a class=\"brand\" href=\"/\">elig desk</a><nav>\
             <a href=\"/\">{}</a><a href=\"/records\">{}</a></nav>\
             <form method=\"post\" action=\"/lang?csrf={}\" class=\"inline\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">\
             <button type=\"submit\" id=\"lang-switch\">{}</button></form></header>",
            lang.t("受付一覧", "Visitors"),
            lang.t("本日の記録", "Today's records"),
            esc(frame.csrf),
            lang.t("en", "ja"),
            lang.t("English", "日本語"),
        );
    }
    let _ = write!(out, "<main>{body}</main></body></html>");
    out
}

/// A message box (`kind`: `error`, `warn`, `info`).
pub(crate) fn notice(kind: &str, text: &str) -> String {
    format!(
        "<p class=\"notice {kind}\" role=\"alert\">{}</p>",
        esc(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
