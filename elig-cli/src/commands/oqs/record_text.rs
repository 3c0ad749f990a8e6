//! The normalized record as text: one `path: value` line per value that is present, sorted
//! by field name (the field names are the XML element names in snake_case).

use serde_json::Value;

/// The lines of a JSON value: nested objects and arrays become dotted paths
/// (`results[0].insurer_number: 00123456`); absent values (`null`, empty lists) are left out.
pub(crate) fn lines(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn walk(path: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(&child_path, child, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, out);
            }
        }
        Value::String(s) => out.push(format!("{path}: {s}")),
        other => out.push(format!("{path}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn nested_values_become_paths_and_nulls_are_left_out() {
        let v = json!({"a": "x", "b": null, "c": [{"d": 1}], "e": []});
        assert_eq!(super::lines(&v), vec!["a: x", "c[0].d: 1"]);
    }
}
