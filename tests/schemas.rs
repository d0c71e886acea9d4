//! The JSON contract never changes by accident: the schemas of `report::wire_schemas` must equal
//! the committed copies under `schemas/`, unless the CHANGELOG says so.
//!
//! The rule: for every schema file whose regenerated content differs from `schemas/`, or that
//! is new, or that `schemas/` holds but the crate no longer writes, the `## [Unreleased]`
//! section of CHANGELOG.md (from that heading to the next `## [`) must contain the file's path
//! `schemas/NAME.json`. With `GDPR_UPDATE_SCHEMAS=1` the test rewrites `schemas/` instead
//! (`cargo run --example export_schemas -- schemas` does the same).

use std::collections::BTreeSet;
use std::path::Path;

fn unreleased(changelog: &str) -> &str {
    let Some(start) = changelog.find("## [Unreleased]") else { return "" };
    let rest = &changelog[start + "## [Unreleased]".len()..];
    match rest.find("\n## [") {
        Some(end) => &rest[..end],
        None => rest,
    }
}

#[test]
fn schemas_match_the_committed_copies_unless_the_changelog_names_the_change() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("schemas");
    let update = std::env::var_os("GDPR_UPDATE_SCHEMAS").is_some();
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).expect("CHANGELOG.md");
    let unreleased = unreleased(&changelog);
    let mut written = BTreeSet::new();
    let mut unexplained = Vec::new();
    for schema in gdpr_obligations::report::wire_schemas() {
        assert!(written.insert(schema.file), "two schemas share the file {}", schema.file);
        let text = serde_json::to_string_pretty(&schema.schema).expect("a schema serialises") + "\n";
        let path = dir.join(schema.file);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(&dir).expect("schemas/");
            std::fs::write(&path, &text).expect("write schema");
        } else if !unreleased.contains(&format!("schemas/{}", schema.file)) {
            unexplained.push(format!("schemas/{} changed", schema.file));
        }
    }
    for entry in std::fs::read_dir(&dir).expect("schemas/ exists").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !written.contains(name.as_str()) && !unreleased.contains(&format!("schemas/{name}")) {
            unexplained.push(format!("schemas/{name} is no longer written"));
        }
    }
    assert!(
        unexplained.is_empty(),
        "the JSON contract changed without the CHANGELOG's Unreleased section naming the file: {unexplained:?}; \
         regenerate with `cargo run --example export_schemas -- schemas` and name each file in CHANGELOG.md"
    );
}

#[test]
fn every_schema_is_a_2020_12_schema_with_a_title() {
    for schema in gdpr_obligations::report::wire_schemas() {
        let value = serde_json::to_value(&schema.schema).expect("json");
        assert!(
            value.get("$schema").and_then(|s| s.as_str()).is_some_and(|s| s.contains("2020-12")),
            "{}",
            schema.file
        );
        assert!(value.get("title").is_some(), "{}", schema.file);
        jsonschema::validator_for(&value).unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", schema.file));
    }
}
