//! Golden JSON documents: the stable output (issue 12, item 4) compared field by field with
//! `elig-cli/tests/golden/NAME.json`. `ELIG_UPDATE_GOLDEN=1` rewrites the files (review the
//! diff: a changed golden file is a changed public contract).

use std::path::Path;

/// Compares `actual` with the golden file `name`.
pub(crate) fn assert_golden(name: &str, actual: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    if std::env::var_os("ELIG_UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(actual).unwrap();
        std::fs::write(&path, format!("{text}\n")).unwrap();
    }
    let golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap();
    assert_eq!(
        actual,
        &golden,
        "{name}: the output differs from {}",
        path.display()
    );
}
