//! Prints the public holidays of every EU and EEA calendar (or of the ones named) for a range of
//! years, one `code<TAB>date<TAB>name` line per holiday; `scripts/check-calendars` compares them
//! with an independent implementation.
//!
//! ```text
//! cargo run --example calendars -- 2025 2026
//! cargo run --example calendars -- 2025 2025 de-by es-ct
//! ```
//!
//! Arguments: the first and last year (inclusive), then optionally calendar codes (default: every
//! calendar). With `--list`, prints `code<TAB>name<TAB>statute` for each calendar instead. Exits 0
//! after printing, or 2 with one line on stderr on bad input.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use gdpr_obligations::time::OfficialCalendar;

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "calendars FIRST_YEAR LAST_YEAR [CODE...] | calendars --list";

const ABOUT: &str = "Prints the public holidays of the EU and EEA states and regions for the years FIRST_YEAR \
                     to LAST_YEAR (inclusive), one line per holiday: the calendar's code, the date \
                     (YYYY-MM-DD) and the holiday's English name, separated by tabs. CODE limits the output \
                     to the calendars named (ISO 3166-1 alpha-2 or ISO 3166-2 codes such as de or de-by); \
                     without it every calendar is printed. --list prints each calendar's code, name and \
                     statute instead. Exit codes: 0 printed, 2 bad input.";

fn run(args: &[String]) -> Result<(), String> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.first().map(String::as_str) == Some("--list") {
        for calendar in OfficialCalendar::all() {
            writeln!(out, "{}\t{}\t{}", calendar.code(), calendar.name(), calendar.statute())
                .map_err(|e| e.to_string())?;
        }
        return out.flush().map_err(|e| e.to_string());
    }
    let year = |index: usize, what: &str| -> Result<i32, String> {
        let text = args.get(index).ok_or_else(|| format!("missing {what}; usage: {USAGE}"))?;
        text.parse::<i32>()
            .ok()
            .filter(|year| (1583..=9999).contains(year))
            .ok_or_else(|| format!("{what} `{text}` is not a year from 1583 to 9999; usage: {USAGE}"))
    };
    let (first, last) = (year(0, "FIRST_YEAR")?, year(1, "LAST_YEAR")?);
    if first > last {
        return Err(format!("FIRST_YEAR {first} is after LAST_YEAR {last}; usage: {USAGE}"));
    }
    let calendars: Vec<OfficialCalendar> = if args.len() > 2 {
        args[2..]
            .iter()
            .map(|code| OfficialCalendar::from_code(code).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?
    } else {
        OfficialCalendar::all().collect()
    };
    for calendar in calendars {
        for year in first..=last {
            for (date, name) in calendar.holidays_with_names(year) {
                writeln!(out, "{}\t{date}\t{name}", calendar.code()).map_err(|e| e.to_string())?;
            }
        }
    }
    out.flush().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
