//! Computes the Art. 12(3) GDPR deadlines of a data-subject request and prints them as JSON.
//!
//! ```text
//! cargo run --example deadline -- --received 2025-03-05T09:00:00Z --zone Europe/Prague --calendar cz
//! cargo run --example deadline -- --received 2025-12-06T10:00:00Z --calendar de-by
//! ```
//!
//! Flags: `--received <RFC 3339 instant>`, `--calendar <weekends|CODE>` where CODE is the ISO
//! 3166-1 alpha-2 or ISO 3166-2 code of an EU or EEA state or region (`cz`, `de`, `de-by`, any
//! case), optionally `--zone <IANA zone>` (by default the zone of the calendar's state or region;
//! required with `weekends`) and `--extension-rule <three_months_from_receipt|conservative_earliest>`.
//! Prints one JSON object on stdout and exits 0, or one line on stderr and exits 2 on bad input (a
//! flag given twice included, and a receipt whose deadlines would fall after the year 9999).

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use gdpr_obligations::time::{Calendar, DeadlinePolicy, ExtensionRule, HolidayCalendar, OfficialCalendar, Zone};

struct Args {
    received: DateTime<Utc>,
    zone: Zone,
    calendar: Calendar,
    extension: ExtensionRule,
}

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "deadline --received INSTANT --calendar CALENDAR [--zone ZONE] [--extension-rule RULE]";

const ABOUT: &str = "Prints the Art. 12(3) GDPR deadlines of a data-subject request received at the given \
                     instant, in the controller's zone and holiday calendar, as one JSON object: the local \
                     date of receipt, the one-month due date (Art. 3(2)(c), 3(4) of Regulation 1182/71), \
                     when an extension must be notified and the extended due date. Exit codes: 0 printed, \
                     2 bad input (a flag given twice, or a deadline after the year 9999). INSTANT is an \
                     RFC 3339 instant (2026-01-31T23:30:00Z), ZONE an IANA time zone (Europe/Prague), RULE \
                     three_months_from_receipt (the default) or conservative_earliest. CALENDAR is \
                     weekends (Saturdays and Sundays only) or the public holidays where the controller is \
                     established (Art. 2(1) of Regulation 1182/71): the ISO 3166-1 alpha-2 code of an EU or \
                     EEA state, or the ISO 3166-2 code of a region whose holidays differ, in any case. \
                     Without --zone, the zone is that state's or region's (the capital's, or the region's \
                     own, e.g. Atlantic/Azores for pt-20); --zone is required with weekends.";

/// The calendar codes for `--help`: the states', then the regions', each list wrapped.
fn calendar_codes() -> String {
    let codes = |regions: bool| {
        let codes: Vec<&str> =
            OfficialCalendar::all().filter(|c| c.is_region() == regions).map(OfficialCalendar::code).collect();
        codes.join(" ")
    };
    format!("{}\n{}", term::wrap("States:  ", 9, &codes(false)), term::wrap("Regions: ", 9, &codes(true)))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut received, mut zone, mut calendar) = (None, None, None);
    let mut extension = ExtensionRule::default();
    let mut seen: Vec<String> = Vec::new();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("missing value for `{flag}`; usage: {USAGE}"))?;
        if seen.contains(&flag) {
            return Err(format!("`{flag}` is given twice; usage: {USAGE}"));
        }
        seen.push(flag.clone());
        match flag.as_str() {
            "--received" => {
                let instant =
                    DateTime::parse_from_rfc3339(&value).map_err(|e| format!("invalid --received `{value}`: {e}"))?;
                received = Some(instant.with_timezone(&Utc));
            }
            "--zone" => zone = Some(value.parse::<Zone>().map_err(|e| e.to_string())?),
            "--calendar" => calendar = Some(value.parse::<Calendar>().map_err(|e| e.to_string())?),
            "--extension-rule" => {
                extension = value.parse::<ExtensionRule>().map_err(|e| e.to_string())?;
            }
            _ => return Err(format!("unknown flag `{flag}`; usage: {USAGE}")),
        }
    }
    let missing = |name: &str| format!("missing {name}; usage: {USAGE}");
    let received = received.ok_or_else(|| missing("--received"))?;
    let calendar = calendar.ok_or_else(|| missing("--calendar"))?;
    // The zone of the state or region whose holidays apply, unless --zone says otherwise.
    let zone = match (zone, &calendar) {
        (Some(zone), _) => zone,
        (None, Calendar::Official(official)) => official.zone(),
        (None, Calendar::Czechia) => Zone::EUROPE_PRAGUE,
        (None, _) => return Err(missing("--zone (the weekends calendar has no zone of its own)")),
    };
    Ok(Args { received, zone, calendar, extension })
}

fn run() -> Result<serde_json::Value, String> {
    let args = parse_args(std::env::args().skip(1))?;
    let calendar_id = args.calendar.id().to_owned();
    let policy = DeadlinePolicy::new(args.zone, args.calendar).with_extension(args.extension);
    let deadlines = policy.request_deadlines(args.received).map_err(|e| e.to_string())?;
    Ok(serde_json::json!({
        "received": args.received,
        "received_date": deadlines.received_date(),
        "due": deadlines.due().date(),
        "due_expires_at": deadlines.due().expires_at(),
        "extension_notice_due": deadlines.extension_notice_due().date(),
        "extended_due": deadlines.extended_due().date(),
        "extended_due_expires_at": deadlines.extended_due().expires_at(),
        "extension_rule": policy.extension().as_str(),
        "zone": policy.zone().name(),
        "calendar": calendar_id,
    }))
}

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        println!("\n{}", calendar_codes());
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(output) => {
            println!("{output:#}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
