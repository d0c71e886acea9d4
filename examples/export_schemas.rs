//! Writes one JSON Schema file per public wire type into a directory: the JSON contract that
//! backends in other languages code against (`gdpr_obligations::wire::wire_schemas`).
//!
//! ```sh
//! cargo run --example export_schemas -- schemas
//! ```
//!
//! Exit codes: 0 written, 2 bad arguments or the directory cannot be written (one line on
//! stderr).

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "export_schemas DIR";

const ABOUT: &str = "Writes one JSON Schema file per public wire type into DIR (created if missing) and \
                     prints each file's path. Exit codes: 0 written, 2 bad arguments or DIR cannot be \
                     written.";

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("usage: {USAGE} (writes one JSON Schema file per wire type into DIR)");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    for schema in gdpr_obligations::wire::wire_schemas() {
        let path = dir.join(schema.file);
        let text = match serde_json::to_string_pretty(&schema.schema) {
            Ok(text) => text + "\n",
            Err(e) => {
                eprintln!("cannot serialise {}: {e}", schema.file);
                return ExitCode::from(2);
            }
        };
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
