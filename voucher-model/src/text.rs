//! Text normalization shared by the identifiers and the matching rules.
//!
//! Public fact (vouchers.md): 記号/番号 are compared "after Unicode NFKC, hyphen-like characters
//! folded to one (`-`, `－`, `‐`, `ー` where it stands between digits…), spaces removed".
//! The exact list of hyphen-like characters below is this project's choice.

use unicode_normalization::UnicodeNormalization;

/// Upper bound, in UTF-8 bytes, on any raw input this crate normalizes. Longer input is
/// rejected before any allocation proportional to it (our own bound, far above every field).
pub(crate) const MAX_RAW_INPUT_BYTES: usize = 256;

/// Characters folded to ASCII `-` after NFKC (NFKC already maps `－` U+FF0D and `﹣` U+FE63).
const HYPHEN_LIKE: &[char] = &[
    '\u{2010}', // ‐ HYPHEN
    '\u{2011}', // ‑ NON-BREAKING HYPHEN
    '\u{2012}', // ‒ FIGURE DASH
    '\u{2013}', // – EN DASH
    '\u{2014}', // — EM DASH
    '\u{2015}', // ― HORIZONTAL BAR
    '\u{2043}', // ⁃ HYPHEN BULLET
    '\u{2212}', // − MINUS SIGN
    '\u{02D7}', // ˗ MODIFIER LETTER MINUS SIGN
    '\u{FE58}', // ﹘ SMALL EM DASH
];

/// The katakana prolonged sound mark `ー` (NFKC maps half-width `ｰ` to it). Folded to `-` only
/// between two ASCII digits, where it is a hyphen typed with a Japanese IME.
const PROLONGED_SOUND_MARK: char = '\u{30FC}';

/// Whether `c` is a space for trimming purposes: ASCII whitespace or the full-width space.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// Trims ASCII and full-width spaces at both ends.
pub(crate) fn trim_spaces(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Maps a full-width digit `０`–`９` to its ASCII digit; other characters unchanged.
pub(crate) fn fold_digit(c: char) -> char {
    match c {
        '０' => '0',
        '１' => '1',
        '２' => '2',
        '３' => '3',
        '４' => '4',
        '５' => '5',
        '６' => '6',
        '７' => '7',
        '８' => '8',
        '９' => '9',
        other => other,
    }
}

/// The comparison form of a 記号 / 番号 (or any text compared the same way): NFKC, spaces
/// removed, hyphen-like characters folded to `-`, then NFKC again so that removing a space
/// cannot leave an uncomposed sequence (this makes the function idempotent).
pub fn comparison_form(s: &str) -> String {
    let no_space: Vec<char> = s.nfkc().filter(|c| !is_space(*c)).collect();
    let mut folded = String::with_capacity(no_space.len());
    let mut prev: Option<char> = None;
    let mut iter = no_space.iter().peekable();
    while let Some(&c) = iter.next() {
        let next = iter.peek().map(|n| **n);
        let hyphen_between_digits = c == PROLONGED_SOUND_MARK
            && prev.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit());
        let out = if HYPHEN_LIKE.contains(&c) || hyphen_between_digits {
            '-'
        } else {
            c
        };
        folded.push(out);
        prev = Some(c);
    }
    folded.nfkc().collect()
}

/// Comparison form of a person's name: NFKC (so half-width katakana becomes full-width and
/// full-width Latin becomes ASCII), every space removed, hiragana folded to katakana. Our own design: vouchers.md says
/// name differences are only warnings, so this fold is deliberately simple.
pub fn name_comparison_form(s: &str) -> String {
    let folded: String = s
        .nfkc()
        .filter(|c| !is_space(*c))
        .map(hiragana_to_katakana)
        .collect();
    folded.nfkc().collect()
}

/// Maps hiragana U+3041–U+3096 to katakana U+30A1–U+30F6 (so a カナ typed in hiragana
/// compares equal); other characters unchanged.
fn hiragana_to_katakana(c: char) -> char {
    let u = u32::from(c);
    if (0x3041..=0x3096).contains(&u) {
        u.checked_add(0x60).and_then(char::from_u32).unwrap_or(c)
    } else {
        c
    }
}

/// Length in bytes as the source systems count them (Shift_JIS: ASCII and half-width katakana
/// take one byte, everything else two). `None` only on overflow, which cannot happen for
/// input bounded by [`MAX_RAW_INPUT_BYTES`].
pub(crate) fn sjis_len(s: &str) -> Option<usize> {
    s.chars().try_fold(0usize, |acc, c| {
        let w = if is_half_width(c) { 1 } else { 2 };
        acc.checked_add(w)
    })
}

/// Half-width for the "never mixed" rule: ASCII or half-width katakana (U+FF61–U+FF9F).
pub(crate) fn is_half_width(c: char) -> bool {
    c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphen_and_width_examples_from_vouchers_md() {
        assert_eq!(comparison_form("12-34"), "12-34");
        assert_eq!(comparison_form("１２－３４"), "12-34");
        assert_eq!(comparison_form("12‐34"), "12-34");
        assert_eq!(comparison_form("12ー34"), "12-34");
        assert_eq!(comparison_form("12ｰ34"), "12-34");
        assert_eq!(comparison_form(" 12 - 34 "), "12-34");
        assert_eq!(comparison_form("１２　３４"), "1234");
        // ー between kana is a prolonged sound mark, not a hyphen.
        assert_eq!(comparison_form("ナー"), "ナー");
        assert_eq!(comparison_form("ｺｰﾄﾞ"), "コード");
    }

    #[test]
    fn name_fold() {
        assert_eq!(name_comparison_form("ｼﾝﾘｮｳ ﾀﾛｳ"), "シンリョウタロウ");
        assert_eq!(name_comparison_form("診療　太郎"), "診療太郎");
        assert_eq!(
            name_comparison_form("しんりょう たろう"),
            "シンリョウタロウ"
        );
        assert_eq!(name_comparison_form("か\u{3099}"), "ガ");
    }

    #[test]
    fn sjis_lengths() {
        assert_eq!(sjis_len("abc"), Some(3));
        assert_eq!(sjis_len("ｱｲ"), Some(2));
        assert_eq!(sjis_len("あい"), Some(4));
        assert_eq!(sjis_len("１２"), Some(4));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// ASCII digits, letters and `-` mapped to full width (`０`, `Ａ`, `－`), spaces to `　`.
    fn widen(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                ' ' => '\u{3000}',
                c if c.is_ascii_graphic() => {
                    char::from_u32(u32::from(c).checked_add(0xFEE0).unwrap()).unwrap()
                }
                other => other,
            })
            .collect()
    }

    proptest! {
        #[test]
        fn comparison_form_is_idempotent(s in "\\PC{0,24}") {
            let once = comparison_form(&s);
            prop_assert_eq!(comparison_form(&once), once.clone());
            let name = name_comparison_form(&s);
            prop_assert_eq!(name_comparison_form(&name), name);
        }

        #[test]
        fn comparison_form_is_idempotent_on_tricky_text(
            s in "[ 　0-9０-９ー‐−－\\-ｰｱ-ﾝﾞﾟア-ン\u{0300}-\u{036F}\u{3099}\u{309A}¨]{0,16}"
        ) {
            let once = comparison_form(&s);
            prop_assert_eq!(comparison_form(&once), once);
        }

        #[test]
        fn comparison_form_is_width_insensitive(s in "[0-9A-Za-z\\- ]{0,20}") {
            prop_assert_eq!(comparison_form(&widen(&s)), comparison_form(&s));
            prop_assert_eq!(name_comparison_form(&widen(&s)), name_comparison_form(&s));
        }

        #[test]
        fn hyphen_like_characters_fold(
            a in "[0-9]{1,4}", b in "[0-9]{1,4}",
            h in prop::sample::select(vec!['-', '－', '‐', '‑', '‒', '–', '—', '―', '−', 'ー', 'ｰ', '﹣'])
        ) {
            prop_assert_eq!(comparison_form(&format!("{a}{h}{b}")), format!("{a}-{b}"));
        }
    }
}
