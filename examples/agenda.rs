//! The obligations agenda of a chat vendor and three website owners: who owes what to whom, under
//! which article, by when.
//!
//! ```text
//! cargo run --example agenda [-- PATH.ics]
//! ```
//!
//! Chatvendor s.r.o. runs the live chat of three web shops (the controllers). On Monday 16 March
//! 2026 their ledgers hold: an access request at ACME, an erasure request that reached the
//! vendor and still waits to be forwarded to Beta (Art. 28(3)(e)), a restriction carried out at
//! Gamma, a breach at the vendor's e-mail relay that the vendor must notify to every shop
//! (Art. 33(2)), and the vendor's notice that it will add a translation provider as a
//! sub-processor, whose objection window is running at each shop (Art. 28(2)). Everything is
//! written to an in-memory ledger, one scope per party, and read back with `Snapshot::load`.
//!
//! The example prints each shop's agenda and the vendor's (what it owes each shop, across their
//! scopes and its own), writes the same agendas as Markdown tables beside the feed (PATH with
//! the extension `.md`), writes every party's deadlines as one iCalendar feed to PATH (or to a
//! temporary directory), parses the feed back, and exits non-zero if any check fails.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use gdpr_obligations::agenda::{
    Agenda, AgendaOptions, Due, Obligation, ObligationKind, ObligationState, OwedTo, Snapshot,
};
use gdpr_obligations::agreement::{AgreementFacts, ChangeNotice, ProcessingAgreement, ProcessingChain, WrittenForm};
use gdpr_obligations::breach::{Awareness, Breach, Command as BreachCommand, Detection, Facts, FanOut};
use gdpr_obligations::model::{Party, Text};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, ErasureGround, Processing, Receipt, Receiver, Request, RequestKind,
    RestrictionGround,
};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{LedgerStoreExt, Scope, Version};
use gdpr_obligations::vocab::{Country, LegalBasis, Purpose};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "agenda [PATH.ics]";

const ABOUT: &str = "Builds the obligations agenda of a chat vendor and three web shops on Monday 16 March \
                     2026 and prints, per party, every open duty with its state, its due date and its article. \
                     Writes every party's deadlines as an iCalendar feed to PATH.ics (default: a file in the \
                     temporary folder) and the agendas as Markdown tables beside it (PATH.md). Exits 1 if a \
                     check fails.";

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("check failed: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("check failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn at(s: &str) -> Result<DateTime<Utc>> {
    Ok(s.parse()?)
}

fn check(ok: bool, what: &str) -> Result<()> {
    if ok { Ok(()) } else { Err(what.into()) }
}

/// Records a request's life in the ledger of the controller that must answer it.
async fn record_request(
    ledger: &MemoryLedger,
    audit: &MemoryAuditLog,
    receipt: Receipt,
    commands: &[Command],
) -> Result<()> {
    let (scope, id) = (Scope::of(receipt.controller), receipt.id);
    let receive = Command::Receive(Box::new(receipt));
    for command in std::iter::once(&receive).chain(commands) {
        let _ = ledger.execute::<Request>(audit, scope, id, command).await?;
    }
    Ok(())
}

async fn run() -> Result<()> {
    let now = at("2026-03-16T09:00:00Z")?; // Monday, 10:00 in Prague
    let complaint = ComplaintInformation::new(
        Text::new("Úřad pro ochranu osobních údajů, Pplk. Sochora 27, 170 00 Praha 7")?,
        Text::new("an action before the competent court (Art. 79 GDPR)")?,
    );

    let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).contact_email("dpo@chatvendor.example").build()?;
    let relay = Party::builder("Relay Mail a.s.", Country::CZ).build()?;
    let translator = Party::builder("Lingua Translate GmbH", Country::DE).build()?;
    let shops = [
        Party::builder("ACME s.r.o.", Country::CZ).contact_email("privacy@acme.example").build()?,
        Party::builder("Beta Shop s.r.o.", Country::CZ).contact_email("gdpr@beta.example").build()?,
        Party::builder("Gamma e-shop a.s.", Country::CZ).contact_email("dpo@gamma.example").build()?,
    ];
    // Every shop is Czech: their deadlines follow Czech holidays in Prague's zone, the default of
    // their establishment (Art. 2(1) and 3(4) of Regulation 1182/71).
    let policy = shops[0].default_deadline_policy().ok_or("the shops are established in a Member State")?;
    let options = AgendaOptions::new(policy.clone());

    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let mut agreements = Vec::new();
    let mut subs = Vec::new();
    for shop in &shops {
        let scope = Scope::of(shop.id());
        for party in [shop, &vendor] {
            ledger.put(scope, party, Version::NONE).await?;
        }
        let mut agreement = ProcessingAgreement::template(shop.id(), vendor.id(), signed_facts());
        agreement.breach_notice_hours = Some(24);
        ledger.put_agreement(scope, &agreement, Version::NONE).await?;
        let mut sub = ProcessingAgreement::sub_processing_template(&agreement, relay.id(), signed_facts());
        sub.breach_notice_hours = Some(12);
        // The vendor proposes adding the translator on 10 March; each shop has 14 days (Art. 28(2)).
        let proposed = at("2026-03-10T08:00:00Z")?;
        let notice =
            ChangeNotice::propose(&agreement, translator.id(), None, proposed)?.notify(&agreement, proposed)?;
        ledger.put(scope, &notice, Version::NONE).await?;
        agreements.push(agreement);
        subs.push(sub);
    }

    // ACME: a visitor asked in the chat for a copy of their data on 2 March.
    let processing = Processing::new(LegalBasis::Contract, Purpose::CustomerCare);
    let receipt = |controller, at, kind, receiver| {
        Receipt::new(controller, at, kind, processing.clone(), Channel::Chat, policy.clone(), complaint.clone())
            .with_receiver(receiver)
    };
    let access = receipt(shops[0].id(), at("2026-03-02T14:00:00Z")?, RequestKind::Access, Receiver::Controller);
    let access_id = access.id;
    record_request(&ledger, &audit, access, &[]).await?;
    // Beta: a visitor wrote "delete me" to the vendor's support on 12 March.
    let to_vendor = Receiver::Processor { processor: vendor.id() };
    let erasure = RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary };
    let erase = receipt(shops[1].id(), at("2026-03-12T16:20:00Z")?, erasure, to_vendor);
    let erase_id = erase.id;
    record_request(&ledger, &audit, erase, &[]).await?;
    // Gamma: a restriction while a visitor contests the accuracy of a transcript, carried out.
    let restriction = RequestKind::Restriction { ground: RestrictionGround::AccuracyContested };
    let restrict = receipt(shops[2].id(), at("2026-03-03T09:00:00Z")?, restriction, Receiver::Controller);
    let restrict_id = restrict.id;
    let verified = Command::WaiveVerification {
        at: at("2026-03-03T09:30:00Z")?,
        reason: Text::new("the visitor was logged in to the shop account")?,
    };
    let steps = [
        verified,
        Command::Start { at: at("2026-03-04T09:00:00Z")? },
        Command::Complete {
            at: at("2026-03-05T09:00:00Z")?,
            summary: Text::new("transcript restricted")?,
            withheld: None,
            reply: None,
        },
    ];
    record_request(&ledger, &audit, restrict, &steps).await?;

    // The relay told the vendor of a breach on Sunday 15 March at 20:00; the vendor owes each shop
    // a notice within 24 hours (Art. 33(2)) and has told ACME already.
    let parties = [vendor.clone(), relay.clone(), translator.clone()].into_iter().chain(shops.iter().cloned());
    let chain = ProcessingChain::build(parties, agreements.iter().cloned().chain(subs.iter().cloned()), [])?;
    let aware = at("2026-03-15T19:00:00Z")?;
    let plan = FanOut::plan(&chain, vendor.id(), aware, &policy)?;
    check(plan.controllers.len() == 3, "the vendor's breach reaches every shop")?;
    let detection =
        Detection::new(Awareness::Processor { processor: vendor.id(), notify: plan.duties() }, aware, policy.clone())
            .with_facts(Facts {
                nature: Some(Text::new("a mailbox of chat transcripts was read by an attacker")?),
                ..Facts::default()
            });
    let told_acme = BreachCommand::NotifyPrincipal { at: at("2026-03-15T21:00:00Z")?, agreement: agreements[0].id };
    for command in [BreachCommand::Detect(Box::new(detection.clone())), told_acme] {
        let _ = ledger.execute::<Breach>(&audit, Scope::of(vendor.id()), detection.id, &command).await?;
    }

    // Each party's agenda, read from the ledger.
    let mut every = Vec::new();
    let mut of_vendor = Vec::new();
    let mut markdown = String::new();
    for shop in &shops {
        let snapshot = Snapshot::load(&ledger, Scope::of(shop.id())).await?;
        let agenda = Agenda::build(&snapshot, now, &options);
        let own = agenda.owed_by(shop.id());
        print_agenda(shop.legal_name().as_str(), &own);
        markdown.push_str(&own.to_markdown().replacen(
            "# Obligations agenda",
            &format!("# {}", gdpr_obligations::escape::markdown(shop.legal_name().as_str())),
            1,
        ));
        markdown.push('\n');
        check(
            own.obligations.iter().all(|o| o.scope == snapshot.scope && o.owed_by == shop.id()),
            "a shop's agenda holds only what it owes in its own scope",
        )?;
        check(
            own.obligations.iter().any(|o| matches!(o.kind, ObligationKind::ObjectionWindow { .. })),
            "every shop may still object to the translator (Art. 28(2))",
        )?;
        of_vendor.push(agenda.owed_by(vendor.id()));
        every.push(agenda);
    }
    let register = Snapshot::load(&ledger, Scope::of(vendor.id())).await?;
    let own_register = Agenda::build(&register, now, &options);
    of_vendor.push(own_register.owed_by(vendor.id()));
    every.push(own_register);
    let vendor_agenda = Agenda::combine(of_vendor);
    print_agenda("Chatvendor s.r.o.", &vendor_agenda);
    markdown.push_str(&vendor_agenda.to_markdown().replacen("# Obligations agenda", r"# Chatvendor s\.r\.o\.", 1));

    let has = |agenda: &Agenda, key: &str| agenda.obligations.iter().any(|o| o.key == key);
    check(has(&every[0], &format!("art-12-3-answer/{access_id}")), "ACME owes its visitor an answer (Art. 12(3))")?;
    check(has(&every[1], &format!("art-28-3-e-forwarding/{erase_id}")), "the vendor owes Beta the erasure request")?;
    check(has(&every[2], &format!("art-18-3-lifting-notice/{restrict_id}")), "Gamma owes the 18(3) notice")?;
    let notices: Vec<&OwedTo> = vendor_agenda
        .obligations
        .iter()
        .filter(|o| matches!(o.kind, ObligationKind::ControllerNotice { .. }))
        .map(|o| &o.owed_to)
        .collect();
    check(
        notices == [&OwedTo::Controller { party: shops[1].id() }, &OwedTo::Controller { party: shops[2].id() }]
            || notices == [&OwedTo::Controller { party: shops[2].id() }, &OwedTo::Controller { party: shops[1].id() }],
        "the vendor owes Beta and Gamma a breach notice, ACME none (Art. 33(2))",
    )?;
    check(
        vendor_agenda.obligations.iter().all(|o| o.owed_by == vendor.id()),
        "the vendor's agenda holds only what it owes",
    )?;

    // One feed with every party's deadlines.
    let all = Agenda::combine(every);
    let ics = all.to_ical();
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => std::env::temp_dir().join(format!("gdpr-obligations-agenda-{}.ics", std::process::id())),
    };
    std::fs::write(&path, &ics)?;
    let parsed: icalendar::Calendar = ics.parse()?;
    let dated = all.obligations.iter().filter(|o| o.due.instant().is_some()).count();
    check(parsed.events().count() == dated, "the feed holds one event per dated obligation")?;
    println!("Wrote {} events to {}", dated, path.display());
    let markdown_path = path.with_extension("md");
    std::fs::write(&markdown_path, markdown)?;
    println!("Wrote the agendas as Markdown tables to {}", markdown_path.display());
    Ok(())
}

/// One party's agenda for a terminal: a heading, then each open duty with its state and due
/// date, and what it is, wrapped to fit.
fn print_agenda(party: &str, agenda: &Agenda) {
    let count = |state| agenda.in_state(state).count();
    println!("{party}, as of {}", agenda.as_of.format("%a %-d %b %Y %H:%M UTC"));
    println!(
        "  {} open: {} overdue, {} due today, {} upcoming, {} standing",
        agenda.obligations.len(),
        count(ObligationState::Overdue),
        count(ObligationState::DueToday),
        count(ObligationState::Upcoming),
        count(ObligationState::Standing),
    );
    for o in &agenda.obligations {
        let owed_to = owed_to(agenda, &o.owed_to);
        println!("{}", term::wrap(&format!("  {:<11} ", state(o.state)), 14, &due(o)));
        println!("{}", term::wrap("              ", 14, &format!("{}; owed to {owed_to}", o.summary)));
    }
    println!();
}

fn state(state: ObligationState) -> &'static str {
    match state {
        ObligationState::Overdue => "overdue",
        ObligationState::DueToday => "due today",
        ObligationState::Upcoming => "upcoming",
        ObligationState::Standing => "standing",
        _ => "open",
    }
}

/// By when, in words: a date in the obligation's zone, or an instant in UTC.
fn due(o: &Obligation) -> String {
    match o.due {
        Due::EndOfDay { date, .. } => format!("by the end of {} ({})", date.format("%a %-d %b %Y"), o.zone.name()),
        Due::Instant { at } => format!("by {} (last instant)", at.format("%a %-d %b %Y %H:%M UTC")),
        Due::WindowCloses { at } => format!("before {} (the window closes)", at.format("%a %-d %b %Y %H:%M UTC")),
        Due::Standing => "no date of its own".to_owned(),
        _ => "see the Markdown agenda".to_owned(),
    }
}

/// To whom, by name where the agenda knows the party.
fn owed_to(agenda: &Agenda, owed_to: &OwedTo) -> String {
    let name = |party| agenda.party_name(party).map_or_else(|| "another party".to_owned(), |n| n.as_str().to_owned());
    match owed_to {
        OwedTo::DataSubject { .. } => "the data subject who made the request".to_owned(),
        OwedTo::DataSubjects { .. } => "the data subjects concerned".to_owned(),
        OwedTo::Controller { party } | OwedTo::Processor { party } => name(*party),
        OwedTo::SupervisoryAuthority => "the supervisory authority".to_owned(),
        OwedTo::Recipient { party: Some(party), .. } => name(*party),
        _ => "a recipient".to_owned(),
    }
}

/// What the parties of the scene's agreements say about them (the templates invent none of it):
/// signed electronically on 15 January 2026, in force from that day, and the measures agreed.
fn signed_facts() -> AgreementFacts {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default();
    AgreementFacts::signed(WrittenForm::Electronic, day)
        .in_force(day, None)
        .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access, audit logging"])
}
