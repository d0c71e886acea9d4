//! Checks a processing agreement (Art. 28) written in the crate's JSON form.
//!
//! ```text
//! cargo run --example dpa_check -- FILE.json     # prints the deficiencies as a JSON array
//! cargo run --example dpa_check -- --template    # prints a complete agreement to start from
//! ```
//!
//! Exit codes: 0 when the agreement is complete, 1 when it is deficient, 2 when FILE is
//! missing, unreadable, larger than 8 MiB or not an agreement (or the arguments are wrong).
//!
//! An agreement is a few kilobytes; the 8 MiB cap keeps a hostile upload (or `/dev/zero`) from
//! taking the memory of whatever runs the check.

use std::io::Read;
use std::process::ExitCode;

use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, WrittenForm};
use gdpr_obligations::model::PartyId;

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "dpa_check FILE.json | dpa_check --template";

const ABOUT: &str = "Checks a processing agreement written in the crate's JSON form against Art. 28(3) \
                     GDPR and prints its deficiencies as a JSON array, each with its article (an empty \
                     array when it is complete). --template prints a complete agreement to start from. \
                     Exit codes: 0 complete, 1 deficient, 2 not an agreement (missing, unreadable, larger \
                     than 8 MiB, not a JSON object) or bad arguments.";

/// The largest agreement read: 8 MiB.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--template" => {
            let template = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), template_facts());
            print_json(&template)
        }
        [path] if !path.starts_with("--") => check(path),
        _ => fail(&format!("usage: {USAGE}")),
    }
}

/// The facts the printed template states, supplied here because the library's template never
/// invents them (Art. 28(9), 28(3)): signed electronically today and in force from today, with
/// example security measures. Whoever starts from the printed agreement replaces them with the
/// parties' own.
fn template_facts() -> AgreementFacts {
    let today = chrono::Utc::now().date_naive();
    AgreementFacts::signed(WrittenForm::Electronic, today)
        .in_force(today, None)
        .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access, audit logging"])
}

fn check(path: &str) -> ExitCode {
    let text = match read_capped(path) {
        Ok(text) => text,
        Err(message) => return fail(&message),
    };
    let agreement: ProcessingAgreement = match serde_json::from_str(&text) {
        Ok(a) => a,
        Err(e) => return fail(&format!("{path} is not a processing agreement: {e}")),
    };
    let deficiencies = agreement.validate();
    match print_json(&deficiencies) {
        code if code != ExitCode::SUCCESS => code,
        _ if deficiencies.is_empty() => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

/// The file's text, refused when it holds more than [`MAX_BYTES`]: at most one byte more is read.
fn read_capped(path: &str) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!("{path} is larger than {} MiB: not a processing agreement", MAX_BYTES / (1024 * 1024)));
    }
    String::from_utf8(bytes).map_err(|e| format!("cannot read {path}: not UTF-8 ({})", e.utf8_error()))
}

fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("cannot print JSON: {e}")),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("dpa_check: {}", message.replace('\n', " "));
    ExitCode::from(2)
}
