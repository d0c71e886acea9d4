//! A visitor's erasure request, from the chat on a Friday evening in Prague to its completion.
//!
//! ```text
//! cargo run --example dsar_lifecycle
//! ```
//!
//! The chat vendor (a processor) receives the request and forwards it to the web shop (the
//! controller, Art. 28(3)(e)); the shop checks the visitor's identity (Art. 12(6)), extends the
//! period with reasons (Art. 12(3)) and erases the data. The program prints the timeline with
//! local dates and the article behind each step, and exits non-zero if any step or deadline is not
//! what the law gives.

use std::error::Error;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Prague;
use gdpr_obligations::model::{PartyId, SubjectId, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, ErasureGround, ExtensionJustification, ExtensionReason, Processing,
    Receipt, Receiver, Request, RequestKind, StatusName,
};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{LegalBasis, Purpose};

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "dsar_lifecycle";

const ABOUT: &str = "Follows a visitor's erasure request from a Friday evening chat in Prague to its \
                     completion: the vendor forwards it to the shop (Art. 28(3)(e)), the shop checks the \
                     identity (Art. 12(6)), extends the period (Art. 12(3)) and erases. Prints each step with \
                     its local time, article and the request's status, then the deadlines with their legal \
                     basis. Exits 1 if a step or a deadline is not what the law gives.";

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("check failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A local Prague wall-clock time, e.g. `2026-03-13T18:45:00+01:00`, as an instant.
fn prague(rfc3339: &str) -> Result<DateTime<Utc>, Box<dyn Error>> {
    Ok(DateTime::parse_from_rfc3339(rfc3339)?.with_timezone(&Utc))
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, Box<dyn Error>> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "invalid date".into())
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), Box<dyn Error>> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, expected {want:?}").into()) }
}

fn run() -> Result<(), Box<dyn Error>> {
    let shop = PartyId::generate();
    let vendor = PartyId::generate();
    let receipt = Receipt::new(
        shop,
        // Friday 13 March 2026, 18:45 in Prague: "please delete everything you have about me".
        prague("2026-03-13T18:45:00+01:00")?,
        RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary },
        Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(
            Text::new("Úřad pro ochranu osobních údajů (Czech Office for Personal Data Protection)")?,
            Text::new("an action before the competent court under Art. 79 GDPR")?,
        ),
    )
    .with_receiver(Receiver::Processor { processor: vendor })
    .with_requester([SubjectIdentifier::ChatVisitorToken(Token::new("v-7f3a9c")?)]);
    let script = [
        Command::Receive(Box::new(receipt)),
        Command::ForwardToController { at: prague("2026-03-16T09:10:00+01:00")? },
        Command::RequestIdentity {
            at: prague("2026-03-16T10:00:00+01:00")?,
            information: Text::new("confirm the e-mail address you gave in the chat by the link we sent")?,
        },
        Command::ProvideIdentity { at: prague("2026-03-17T08:30:00+01:00")? },
        Command::VerifyIdentity { at: prague("2026-03-17T08:31:00+01:00")?, subject: SubjectId::generate() },
        Command::Extend {
            at: prague("2026-04-08T14:00:00+02:00")?,
            justification: ExtensionJustification::new(
                ExtensionReason::Complexity,
                Text::new("the visitor's chats are kept by two sub-processors and in the CRM")?,
            ),
            notified_via: Channel::Email,
        },
        Command::Start { at: prague("2026-04-20T09:00:00+02:00")? },
        Command::Complete {
            at: prague("2026-05-20T16:00:00+02:00")?,
            summary: Text::new("erased from chat history, attachments and CRM; sub-processors confirmed (Art. 19)")?,
            withheld: None,
            reply: None,
        },
    ];

    let mut request: Option<Request> = None;
    let mut trail = Vec::new();
    println!("{:<20}  {:<24} {:<14} status", "when (Prague)", "step", "article");
    for command in &script {
        let events = gdpr_obligations::request::decide(request.as_ref(), command)
            .map_err(|r| format!("{} was rejected: {r}", command.name()))?;
        for event in &events {
            request = gdpr_obligations::request::evolve(request.take(), event);
            let step = term::words(serde_json::to_value(event)?["type"].as_str().unwrap_or("?"));
            let status = request.as_ref().map_or(StatusName::New, |r| r.status().name());
            let local = event.at().with_timezone(&Prague).format("%a %Y-%m-%d %H:%M");
            trail.push(event.clone());
            println!("{local:<20}  {step:<24} {:<14} {}", event.article().to_string(), term::words(status.as_str()));
        }
    }

    let request = request.ok_or("no request")?;
    let deadlines = request.deadlines().ok_or("no deadlines")?;
    println!();
    println!(
        "received (local date)  {}   (EDPB Guidelines 01/2022 §159; the processor's receipt counts)",
        deadlines.received_date()
    );
    println!(
        "due                    {}   (Art. 12(3); Art. 3(2)(c), 3(4) of Regulation 1182/71)",
        deadlines.due().date()
    );
    println!("extended due           {}   (Art. 12(3): two further months)", deadlines.extended_due().date());
    let in_time = match request.answered_in_time() {
        Some(true) => "yes",
        Some(false) => "no, late",
        None => "not answered yet",
    };
    println!("answered in time       {in_time}   (Art. 12(3))");

    expect("status", request.status().name(), StatusName::Completed)?;
    expect("receipt date", deadlines.received_date(), date(2026, 3, 13)?)?;
    // 13 April 2026 is a Monday (Easter Monday was 6 April).
    expect("due", deadlines.due().date(), date(2026, 4, 13)?)?;
    // 13 June 2026 is a Saturday: the extended period ends on Monday 15 June.
    expect("extended due", deadlines.extended_due().date(), date(2026, 6, 15)?)?;
    expect("answered in time", request.answered_in_time(), Some(true))?;
    // The events are the audit trail: replaying them gives the same request.
    expect("replay", Request::replay(&trail).as_ref(), Some(&request))?;
    Ok(())
}
