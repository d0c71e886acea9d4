//! Every public change is deliberate: the crate's public surface with all features, one item
//! per line with its signature, must equal the committed `public-api.txt`.
//!
//! The listing comes from rustdoc's JSON output, which stable rustdoc writes when
//! `RUSTC_BOOTSTRAP=1` lets it accept `-Z unstable-options --output-format json`, read by the
//! `public-api` crate (the library behind `cargo public-api`; its version must read the JSON
//! format of the toolchain: `public-api` 0.52.0 reads format 57, rustc 1.95's). The test runs
//! `cargo rustdoc` into `target/public-api/`, a folder of its own, because `RUSTC_BOOTSTRAP`
//! would otherwise invalidate the ordinary build's cache; the first run builds the
//! dependencies' metadata there once, later ones document only this crate.
//!
//! After a deliberate change, regenerate the listing and commit it with the change:
//! `GDPR_UPDATE_PUBLIC_API=1 cargo test --test it public_api`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const LISTING: &str = "public-api.txt";
const UPDATE_VAR: &str = "GDPR_UPDATE_PUBLIC_API";
const REGENERATE: &str = "GDPR_UPDATE_PUBLIC_API=1 cargo test --test it public_api";

/// Builds the rustdoc JSON of the library with every feature; returns its path.
fn rustdoc_json(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let target = target.join("public-api");
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTDOCFLAGS")
        .args(["rustdoc", "--lib", "--all-features", "--quiet", "--target-dir"])
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo rustdoc --output-format json failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    target.join("doc").join("gdpr_obligations.json")
}

/// The public items, one line each, in `public-api`'s order (sorted by path).
fn listing(json: &Path) -> String {
    let api = public_api::Builder::from_rustdoc_json(json)
        // `impl<T> From<T> for T` and the like, for every type: std's surface, not ours.
        .omit_blanket_impls(true)
        .build()
        .unwrap_or_else(|e| {
            panic!("public-api reads {}: {e} (does its version read this rustdoc's JSON format?)", json.display())
        });
    let mut text = String::new();
    for item in api.items() {
        text.push_str(&item.to_string());
        text.push('\n');
    }
    text
}

#[test]
fn the_public_api_equals_the_committed_listing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = listing(&rustdoc_json(root));
    let path = root.join(LISTING);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == listed {
        return;
    }
    if std::env::var_os(UPDATE_VAR).is_some() {
        std::fs::write(&path, &listed).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let old: BTreeSet<&str> = committed.lines().collect();
    let new: BTreeSet<&str> = listed.lines().collect();
    let mut diff = String::new();
    for line in old.difference(&new) {
        diff.push_str(&format!("- {line}\n"));
    }
    for line in new.difference(&old) {
        diff.push_str(&format!("+ {line}\n"));
    }
    if diff.is_empty() {
        diff.push_str("(the same items in another order)\n");
    }
    panic!(
        "the public API differs from {LISTING} (- only in {LISTING}, + only in the crate):\n{diff}\n\
         if the change is deliberate, regenerate the listing and commit it: {REGENERATE}"
    );
}
