//! The layer rule, checked: every module of `src/` imports only the modules of the layers above
//! it, as `LAYERS` orders them (ARCHITECTURE.md shows the same table, and the test checks that
//! too). In the style of rust-analyzer's tidy test: read every `src/**/*.rs`, strip comments and
//! string literals, collect every `crate::<module>` path (in `use crate::{a, b::c}` groups,
//! nested groups, and paths written inline in code), and fail naming `file:line` for each edge
//! the table does not allow. `src/lib.rs` only declares the modules and is exempt.
//!
//! It bites: with `use crate::store::Scope;` added to `src/retention/mod.rs` (the old cycle),
//! the test failed with
//!
//! ```text
//! forbidden imports (each module imports only the layers above it; see LAYERS and ARCHITECTURE.md):
//! src/retention/mod.rs:73: `retention` (layer 6) imports `store` (layer 7)
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, from the top: a module may import its own layer's modules only along
/// `SIBLING_EDGES`, and every module of the layers above it.
const LAYERS: &[&[&str]] = &[
    &["vocab", "escape"],
    &["time"],
    &["model"],
    &["erasure", "lifecycle"],
    &["agreement"],
    &["request", "consent", "retention", "breach"],
    &["store"],
    &["fulfil", "verify"],
    &["desk"],
    &["agenda"],
    &["report"],
    &["wire"],
    &["testkit"],
];

/// The imports allowed between modules of one layer, as (importer, imported). None today:
/// `request`, `consent`, `retention` and `breach` each stand on the layers above alone, and so
/// do `fulfil` and `verify`.
const SIBLING_EDGES: &[(&str, &str)] = &[];

/// The layer of a top-level module (1 is the top), `None` for a module the table lacks.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module)).map(|i| i + 1)
}

/// `source` with every comment (line, doc and nested block comments) and every string and
/// character literal replaced by spaces, line breaks kept, so that what is left is code and
/// its line numbers are those of the file.
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                match (chars[i], chars.get(i + 1).copied()) {
                    ('/', Some('*')) => depth += 1,
                    ('*', Some('/')) => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    out.push_str("  ");
                    i += 2;
                    break;
                }
                if matches!((chars[i], chars.get(i + 1).copied()), ('/', Some('*')) | ('*', Some('/'))) {
                    out.push_str("  ");
                    i += 2;
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"...", r#"..."#, br"...": no escapes, ends at a quote and as many hashes.
            while chars[i] != '"' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    blank(&mut out, c);
                }
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A character literal ('"', '\'', '\u{22}'); a lifetime ('a) has no closing quote.
            out.push(' ');
            i += 1;
            if chars.get(i) == Some(&'\\') {
                out.push(' ');
                i += 1;
            }
            // The character itself (after a backslash, perhaps a quote), then up to the quote.
            out.push(' ');
            i += 1;
            while i < chars.len() {
                let c = chars[i];
                out.push(' ');
                i += 1;
                if c == '\'' {
                    break;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The number of `#`s of a raw string starting at `i`, if one does (`r"`, `r#"`, `br"`).
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && is_ident(chars[i - 1]) {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|c| **c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some(hashes)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every top-level module that code (already stripped) names through `crate::` or `$crate::`,
/// with the line (from 1) where its name stands. Macros named at the crate root
/// (`$crate::name!`) are not modules and are left out.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = code.chars().collect();
    let line_at = |i: usize| chars[..i].iter().filter(|c| **c == '\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = find(&chars, i, "crate") {
        i = found + "crate".len();
        let before = found.checked_sub(1).map(|b| chars[b]);
        if before.is_some_and(|b| is_ident(b) && b != '$') || chars.get(i).copied().is_some_and(is_ident) {
            continue;
        }
        let j = skip_space(&chars, i);
        if !(chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':')) {
            continue;
        }
        i = tree(&chars, skip_space(&chars, j + 2), &mut |at, name| out.push((line_at(at), name)));
    }
    out
}

/// Reads one use tree at `i` (`name`, `name::rest`, `{tree, ...}`, `self`, `*`), reports its
/// first segment (each first segment of a group) and returns where it ends.
fn tree(chars: &[char], i: usize, report: &mut dyn FnMut(usize, String)) -> usize {
    if chars.get(i) == Some(&'{') {
        let mut i = skip_space(chars, i + 1);
        while i < chars.len() && chars[i] != '}' {
            i = skip_space(chars, tree(chars, i, report));
            if chars.get(i) == Some(&',') {
                i = skip_space(chars, i + 1);
            } else if chars.get(i) != Some(&'}') {
                // Not a use tree after all: skip to the end of the group.
                i = close(chars, i);
                break;
            }
        }
        return i + 1;
    }
    let end = i + chars[i..].iter().take_while(|c| is_ident(**c)).count();
    let name: String = chars[i..end].iter().collect();
    let after = skip_space(chars, end);
    if name.is_empty() {
        return if chars.get(i) == Some(&'*') { i + 1 } else { i };
    }
    if name != "self" && chars.get(after) != Some(&'!') {
        report(i, name);
    }
    // The rest of the path (`::a::{b, c}`) names items inside the module: skip it, and a
    // rename (`as b`).
    let mut k = after;
    while chars.get(k) == Some(&':') && chars.get(k + 1) == Some(&':') {
        k = skip_space(chars, k + 2);
        if chars.get(k) == Some(&'{') {
            return close(chars, k + 1) + 1;
        }
        k = skip_space(chars, k + chars[k..].iter().take_while(|c| is_ident(**c) || **c == '*').count());
    }
    if chars.get(k) == Some(&'a')
        && chars.get(k + 1) == Some(&'s')
        && chars.get(k + 2).is_some_and(|c| c.is_whitespace())
    {
        k = skip_space(chars, k + 2);
        k += chars[k..].iter().take_while(|c| is_ident(**c)).count();
    }
    k
}

/// The index of the `}` that closes a group whose contents start at `i`.
fn close(chars: &[char], mut i: usize) -> usize {
    let mut depth = 1;
    while i < chars.len() {
        match chars[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn find(chars: &[char], from: usize, word: &str) -> Option<usize> {
    let word: Vec<char> = word.chars().collect();
    (from..chars.len().saturating_sub(word.len() - 1)).find(|&i| chars[i..i + word.len()] == word[..])
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_the_layers_above_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut modules = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the crate").display().to_string();
        let inside = file.strip_prefix(&src).expect("under src/");
        let Some(first) = inside.components().next() else { continue };
        let first = first.as_os_str().to_string_lossy();
        if first == "lib.rs" {
            continue;
        }
        let module = first.trim_end_matches(".rs").to_owned();
        modules.insert(module.clone());
        let Some(from) = layer(&module) else {
            problems.push(format!("{relative}: module `{module}` is in no layer of LAYERS"));
            continue;
        };
        let source = std::fs::read_to_string(file).expect("a readable source file");
        for (line, imported) in crate_paths(&strip(&source)) {
            let allowed = match layer(&imported) {
                None => {
                    problems.push(format!("{relative}:{line}: `crate::{imported}` is in no layer of LAYERS"));
                    continue;
                }
                Some(to) => {
                    imported == module || to < from || SIBLING_EDGES.contains(&(module.as_str(), imported.as_str()))
                }
            };
            if !allowed {
                let to = layer(&imported).unwrap_or_default();
                problems
                    .push(format!("{relative}:{line}: `{module}` (layer {from}) imports `{imported}` (layer {to})"));
            }
        }
    }
    let listed: BTreeSet<String> = LAYERS.iter().flat_map(|l| l.iter().map(|m| (*m).to_owned())).collect();
    for gone in listed.difference(&modules) {
        problems.push(format!("LAYERS lists `{gone}`, which src/ does not have"));
    }
    assert!(
        problems.is_empty(),
        "forbidden imports (each module imports only the layers above it; see LAYERS and ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
}

/// ARCHITECTURE.md shows the table the test enforces: one row per layer, `| n | `a`, `b` |`.
#[test]
fn architecture_md_shows_the_layer_table() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md");
    for (i, modules) in LAYERS.iter().enumerate() {
        let names: Vec<String> = modules.iter().map(|m| format!("`{m}`")).collect();
        let row = format!("| {} | {} |", i + 1, names.join(", "));
        assert!(doc.lines().any(|l| l.starts_with(&row)), "ARCHITECTURE.md lacks the layer row {row}");
    }
    for (from, to) in SIBLING_EDGES {
        let edge = format!("`{from}` → `{to}`");
        assert!(doc.contains(&edge), "ARCHITECTURE.md lacks the sibling edge {edge}");
    }
}

fn modules_in(code: &str) -> Vec<String> {
    crate_paths(&strip(code)).into_iter().map(|(_, m)| m).collect()
}

#[test]
fn the_collector_reads_a_group_import() {
    assert_eq!(modules_in("use crate::{model::Text, vocab, time::Clock as C, *};"), ["model", "vocab", "time"]);
}

#[test]
fn the_collector_reads_a_nested_group_across_lines() {
    let code = "use crate::{\n    store::{Scope, chat::{ChatHistory}},\n    erasure::RecordKey,\n};\n";
    assert_eq!(crate_paths(&strip(code)), [(2, "store".to_owned()), (3, "erasure".to_owned())]);
}

#[test]
fn the_collector_reads_inline_paths_in_code() {
    let code = "fn f(s: crate::store::Scope) -> crate :: agenda::Agenda { $crate::vocab::term(); todo!() }";
    assert_eq!(modules_in(code), ["store", "agenda", "vocab"]);
}

#[test]
fn the_collector_ignores_comments() {
    let code = "// use crate::store::Scope;\n/// [`Sweep`](crate::fulfil::Sweep)\n//! crate::agenda\n\
                /* crate::report /* nested */ crate::wire */ use crate::model::Text;";
    assert_eq!(crate_paths(&strip(code)), [(4, "model".to_owned())]);
}

#[test]
fn the_collector_ignores_string_and_character_literals() {
    let code = r####"let a = "crate::store"; let b = r#"crate::fulfil "quoted""#; let c = '"';
        let d = "\"crate::agenda"; let e: &'static str = br"crate::report"; crate::time::now()"####;
    assert_eq!(modules_in(code), ["time"]);
}

#[test]
fn the_collector_ignores_other_crates_visibility_and_root_macros() {
    let code = "pub(crate) fn f() {} use my_crate::store; pub(in crate::store) x; $crate::__kit!(a);";
    assert_eq!(modules_in(code), ["store"], "only the `pub(in crate::store)` path");
}
