//! The day's list: vouchers loaded from 受診券/利用券 JSON files (voucher-model's schema, one
//! voucher or an array) or a CSV file, or typed in. Every voucher is validated by
//! voucher-model ([`Voucher`]'s serde validates like [`Voucher::new`]); the CSV columns are
//! the JSON field names (this project's own format, see the README).

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use voucher_model::Voucher;

/// Most vouchers one file may add (bounds the list).
pub(crate) const MAX_VOUCHERS_PER_FILE: usize = 1000;

/// A visitor on the day's list.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    /// The list position (stable for the desk's run).
    pub(crate) id: u64,
    pub(crate) voucher: Voucher,
    /// For the demo: the registry handle whose card belongs to this visitor.
    pub(crate) demo_handle: Option<String>,
}

/// Why a file or a typed voucher was refused: the caller's input (one sentence each, in both
/// languages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InputProblem {
    pub(crate) ja: String,
    pub(crate) en: String,
}

impl InputProblem {
    fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

/// The CSV columns, in order, and whether each is required. The names are
/// [`voucher_model::VoucherFields`]' JSON names; `name`, `name_kana`, `sex` and `birth_date`
/// go into its `person`.
pub(crate) const CSV_COLUMNS: [&str; 13] = [
    "kind",
    "number",
    "issued_on",
    "expires_on",
    "insurer_number",
    "card_symbol",
    "card_number",
    "branch_number",
    "name",
    "name_kana",
    "sex",
    "birth_date",
    "guidance_level",
];

const PERSON_COLUMNS: [&str; 4] = ["name", "name_kana", "sex", "birth_date"];

/// Builds a voucher from named text fields (a CSV row or the typed form): blank fields are
/// absent; voucher-model validates.
pub(crate) fn voucher_from_fields(
    fields: &BTreeMap<String, String>,
) -> Result<Voucher, InputProblem> {
    let mut top = Map::new();
    let mut person = Map::new();
    for (key, value) in fields {
        let value = value.trim();
        if value.is_empty() || !CSV_COLUMNS.contains(&key.as_str()) {
            continue;
        }
        let json = if key == "guidance_level" {
            match value.parse::<u8>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    return Err(InputProblem::new(
                        "特定保健指導区分は 1、2、3 のいずれかです。",
                        "guidance_level is 1, 2 or 3.",
                    ));
                }
            }
        } else {
            Value::from(value)
        };
        if PERSON_COLUMNS.contains(&key.as_str()) {
            person.insert(key.clone(), json);
        } else {
            top.insert(key.clone(), json);
        }
    }
    top.insert("person".to_owned(), Value::Object(person));
    serde_json::from_value::<Voucher>(Value::Object(top)).map_err(|e| {
        InputProblem::new(
            format!("券の内容に誤りがあります：{e}"),
            format!("the voucher is not valid: {e}"),
        )
    })
}

/// Reads an uploaded file: JSON (one voucher or an array) or CSV (header row of
/// [`CSV_COLUMNS`] names).
pub(crate) fn parse_file(name: &str, bytes: &[u8]) -> Result<Vec<Voucher>, InputProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        InputProblem::new(
            format!("{name} は UTF-8 の文字ではありません。"),
            format!("{name} is not UTF-8 text."),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        parse_json(name, trimmed)
    } else {
        parse_csv(name, text)
    }
}

fn parse_json(name: &str, text: &str) -> Result<Vec<Voucher>, InputProblem> {
    let bad =
        |e: serde_json::Error| InputProblem::new(format!("{name}：{e}"), format!("{name}: {e}"));
    let vouchers = if text.starts_with('[') {
        serde_json::from_str::<Vec<Voucher>>(text).map_err(bad)?
    } else {
        vec![serde_json::from_str::<Voucher>(text).map_err(bad)?]
    };
    bounded(name, vouchers)
}

fn bounded(name: &str, vouchers: Vec<Voucher>) -> Result<Vec<Voucher>, InputProblem> {
    if vouchers.len() > MAX_VOUCHERS_PER_FILE {
        return Err(too_many(name));
    }
    Ok(vouchers)
}

fn too_many(name: &str) -> InputProblem {
    InputProblem::new(
        format!("{name} の券が多すぎます（{MAX_VOUCHERS_PER_FILE} 件まで）。"),
        format!("{name} holds too many vouchers (at most {MAX_VOUCHERS_PER_FILE})."),
    )
}

fn parse_csv(name: &str, text: &str) -> Result<Vec<Voucher>, InputProblem> {
    let mut rows = csv_rows(text).into_iter();
    let Some(header) = rows.next() else {
        return Ok(Vec::new());
    };
    if let Some(unknown) = header.iter().find(|h| !CSV_COLUMNS.contains(&h.trim())) {
        return Err(InputProblem::new(
            format!("{name} の見出し「{unknown}」は使えません。"),
            format!("{name}: unknown column \"{unknown}\"."),
        ));
    }
    let mut vouchers = Vec::new();
    for (line, row) in rows.enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if vouchers.len() >= MAX_VOUCHERS_PER_FILE {
            return Err(too_many(name));
        }
        let fields: BTreeMap<String, String> = header
            .iter()
            .map(|h| h.trim().to_owned())
            .zip(row)
            .collect();
        let row_no = line.saturating_add(2);
        let voucher = voucher_from_fields(&fields).map_err(|p| {
            InputProblem::new(
                format!("{name} の {row_no} 行目：{}", p.ja),
                format!("{name}, line {row_no}: {}", p.en),
            )
        })?;
        vouchers.push(voucher);
    }
    Ok(vouchers)
}

/// RFC 4180 rows: fields separated by commas, optionally in double quotes (`""` inside a
/// quoted field is one quote); CRLF or LF line ends.
pub(crate) fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The message for one typed field as staff type it (empty when fine), from voucher-model's
/// own parsers: identifiers with their check digits, dates.
pub(crate) fn check_field(field: &str, value: &str, ja: bool) -> String {
    use voucher_model::{BranchNumber, CardNumber, CardSymbol, Date, InsurerNumber, VoucherNumber};
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    let id = |r: Result<(), voucher_model::IdError>| match r {
        Ok(()) => String::new(),
        Err(e) if ja => e.message_ja(),
        Err(e) => e.message_en(),
    };
    let date = |r: Result<Date, voucher_model::DateError>| match r {
        Ok(_) => String::new(),
        Err(e) if ja => e.message_ja(),
        Err(e) => e.message_en(),
    };
    match field {
        "number" => id(VoucherNumber::parse(value).map(drop)),
        "insurer_number" => id(InsurerNumber::parse(value).map(drop)),
        "card_symbol" => id(CardSymbol::parse(value).map(drop)),
        "card_number" => id(CardNumber::parse(value).map(drop)),
        "branch_number" => id(BranchNumber::parse(value).map(drop)),
        "issued_on" | "expires_on" | "birth_date" | "valid_until" => date(Date::parse_any(value)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_read_quotes_commas_and_crlf() {
        let rows = csv_rows("a,\"b,c\",\"d\"\"e\"\r\n1,,3\n");
        assert_eq!(
            rows,
            vec![
                vec!["a".to_owned(), "b,c".to_owned(), "d\"e".to_owned()],
                vec!["1".to_owned(), String::new(), "3".to_owned()],
            ]
        );
    }

    #[test]
    fn a_typed_insurer_number_with_a_bad_check_digit_is_flagged() {
        assert!(check_field("insurer_number", "01130012", true).is_empty());
        assert!(!check_field("insurer_number", "01130013", true).is_empty());
        assert!(!check_field("birth_date", "1980-02-30", false).is_empty());
    }

    #[test]
    fn an_unknown_csv_column_is_refused() {
        let e = parse_file("day.csv", b"kind,colour\n").unwrap_err();
        assert!(e.en.contains("colour"), "{e:?}");
    }
}
