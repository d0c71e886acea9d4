//! Checks a processing agreement (Art. 28) written in the crate's JSON form.
//!
//! ```text
//! cargo run --example dpa_check -- FILE.json     # prints the deficiencies as a JSON array
//! cargo run --example dpa_check -- --template    # prints a complete agreement to start from
//! ```
//!
//! Exit codes: 0 when the agreement is complete, 1 when it is deficient, 2 when FILE is
//! missing, unreadable or not an agreement (or the arguments are wrong).

use std::process::ExitCode;

use gdpr_obligations::agreement::ProcessingAgreement;
use gdpr_obligations::model::PartyId;

const USAGE: &str = "usage: dpa_check FILE.json | dpa_check --template";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if flag == "--template" => {
            let template = ProcessingAgreement::template(PartyId::generate(), PartyId::generate());
            print_json(&template)
        }
        [path] if !path.starts_with("--") => check(path),
        _ => fail(USAGE),
    }
}

fn check(path: &str) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return fail(&format!("cannot read {path}: {e}")),
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
