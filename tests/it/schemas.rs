//! The JSON contract never changes by accident: the schemas of `wire::wire_schemas` must equal
//! the committed copies under `schemas/`, and a change must be named in the CHANGELOG.
//!
//! The rule: for every schema file whose regenerated content differs from `schemas/`, or that
//! is new, or that `schemas/` holds but the crate no longer writes, the `## [Unreleased]`
//! section of CHANGELOG.md (from that heading to the next `## [`) must contain the file's path
//! `schemas/NAME.json`; then `GDPR_UPDATE_SCHEMAS=1` makes the test rewrite those files
//! (`cargo run --example export_schemas -- schemas` writes them all), and the rewritten copies
//! are committed. Until they are, the test fails, as CI's example check does.

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
fn schemas_equal_the_committed_copies_and_every_change_is_named_in_the_changelog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("schemas");
    let update = std::env::var_os("GDPR_UPDATE_SCHEMAS").is_some();
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).expect("CHANGELOG.md");
    let unreleased = unreleased(&changelog);
    let named = |file: &str| unreleased.contains(&format!("schemas/{file}"));
    let mut written = BTreeSet::new();
    let (mut unexplained, mut stale) = (Vec::new(), Vec::new());
    for schema in gdpr_obligations::wire::wire_schemas() {
        assert!(written.insert(schema.file), "two schemas share the file {}", schema.file);
        let text = serde_json::to_string_pretty(&schema.schema).expect("a schema serialises") + "\n";
        let path = dir.join(schema.file);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if !named(schema.file) {
            unexplained.push(format!("schemas/{} changed", schema.file));
        } else if update {
            std::fs::create_dir_all(&dir).expect("schemas/");
            std::fs::write(&path, &text).expect("write schema");
        } else {
            stale.push(format!("schemas/{}", schema.file));
        }
    }
    for entry in std::fs::read_dir(&dir).expect("schemas/ exists").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if written.contains(name.as_str()) {
            continue;
        }
        if !named(&name) {
            unexplained.push(format!("schemas/{name} is no longer written"));
        } else if update {
            std::fs::remove_file(entry.path()).expect("remove a schema no longer written");
        } else {
            stale.push(format!("schemas/{name}"));
        }
    }
    assert!(
        unexplained.is_empty(),
        "the JSON contract changed without the CHANGELOG's Unreleased section naming the file: {unexplained:?}; \
         name each file in CHANGELOG.md, then regenerate with `GDPR_UPDATE_SCHEMAS=1 cargo test --test it schemas::`"
    );
    assert!(
        stale.is_empty(),
        "the committed schemas are out of date: {stale:?}; regenerate with \
         `GDPR_UPDATE_SCHEMAS=1 cargo test --test it schemas::` and commit them"
    );
}

#[test]
fn every_schema_is_a_2020_12_schema_with_a_title() {
    for schema in gdpr_obligations::wire::wire_schemas() {
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
