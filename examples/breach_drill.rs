//! A breach drill: the chat vendor's e-mail provider (a sub-processor) finds a breach on a Friday
//! evening in Prague, and it reaches the vendor and every website owner whose chats it touched.
//!
//! ```text
//! cargo run --example breach_drill
//! ```
//!
//! The vendor e-mails chat transcripts to the agents of three web shops (the controllers) through
//! an e-mail provider. On Friday 13 March 2026 at 19:30 the provider finds that an attacker read
//! the transcript mailbox. The drill plans the fan-out through the processing chain (Art. 33(2),
//! 28(4)), then plays each register entry (Art. 33(5)): the provider's notice to the vendor, the
//! vendor's notices to the shops under each agreement's hours, and each shop's 72 hours to the
//! authority (Art. 33(1)) and its Art. 34 decision. It prints the timeline with the article
//! behind each step and exits non-zero if any deadline or decision is not what the law gives.

use std::error::Error;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Prague;
use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain, WrittenForm};
use gdpr_obligations::breach::{
    Awareness, Breach, BreachId, Command, CommunicationException, CommunicationMethod, Detection, Duty, Facts, FanOut,
    Measure, MeasureStatus, ProcessorNotice, RiskLevel, SubjectDuty, decide, evolve,
};
use gdpr_obligations::model::{Contact, EmailAddress, Party, PartyId, Text};
use gdpr_obligations::vocab::{Country, DataCategory, SubjectCategory};

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "breach_drill";

const ABOUT: &str = "Plays a sub-processor's breach found on a Friday evening in Prague, fanned out through \
                     the chain to the chat vendor and three web shops: the plan of Art. 33(2) notices and each \
                     controller's 72 hours (Art. 33(1)), the register entries of every party (Art. 33(5)), \
                     the Art. 34 decisions, and each deadline met or missed. Exits 1 if a deadline or a \
                     decision is not what the law gives.";

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

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// A local Prague wall-clock time, e.g. `2026-03-13T19:30:00+01:00`, as an instant.
fn prague(rfc3339: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(rfc3339)?.with_timezone(&Utc))
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Prague).format("%a %d %b %H:%M").to_string()
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<()> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, expected {want:?}").into()) }
}

/// Appends `detail` to the last line of the timeline.
fn note(timeline: &mut [Line], detail: String) {
    if let Some(last) = timeline.last_mut() {
        last.what = format!("{} {detail}", last.what);
    }
}

fn text(s: &str) -> Result<Text> {
    Ok(Text::new(s)?)
}

/// One register entry: its events so far and its state.
struct Entry {
    name: String,
    state: Option<Breach>,
}

/// One line of the printed timeline.
struct Line {
    at: DateTime<Utc>,
    who: String,
    what: String,
    article: String,
}

impl Entry {
    fn new(name: &str) -> Self {
        Entry { name: name.to_owned(), state: None }
    }

    /// Applies a command that must be accepted, recording its events on the timeline.
    fn apply(&mut self, command: Command, timeline: &mut Vec<Line>) -> Result<()> {
        let events = decide(self.state.as_ref(), &command)
            .map_err(|r| format!("{}: {} rejected: {r}", self.name, command.name()))?;
        for event in &events {
            self.state = evolve(self.state.take(), event);
            let step = term::words(serde_json::to_value(event)?["type"].as_str().unwrap_or("?"));
            timeline.push(Line {
                at: event.at(),
                who: self.name.clone(),
                what: step,
                article: event.article().to_string(),
            });
        }
        Ok(())
    }

    /// Tries a command that must be rejected under `article`, recording the rejection.
    fn refused(&self, command: Command, article: &str, timeline: &mut Vec<Line>) -> Result<()> {
        match decide(self.state.as_ref(), &command) {
            Ok(_) => Err(format!("{}: {} should have been rejected under {article}", self.name, command.name()).into()),
            Err(rejection) => {
                expect("rejection article", rejection.article.map(|a| a.to_string()).as_deref(), Some(article))?;
                timeline.push(Line {
                    at: command.at(),
                    who: self.name.clone(),
                    what: format!("{} REFUSED: {}", term::words(command.name().as_str()), rejection.reason),
                    article: article.to_owned(),
                });
                Ok(())
            }
        }
    }

    fn breach(&self) -> Result<&Breach> {
        self.state.as_ref().ok_or_else(|| format!("{}: no breach", self.name).into())
    }
}

fn run() -> Result<()> {
    let party = |name: &str| Party::builder(name, Country::CZ).build();
    let pharmacy = party("Lékárna U Zlaté váhy s.r.o.")?;
    let bikes = party("Kola Brno s.r.o.")?;
    let helpline = party("Poradna Anonym z.s.")?;
    let vendor = party("Chatvendor s.r.o.")?;
    let mailer = party("Poštovní brána a.s.")?;
    let shops = [(&pharmacy, Some(24)), (&bikes, Some(12)), (&helpline, None)];

    // The chain: each shop engages the vendor (24 h, 12 h, and no agreed hours), and in each
    // tree the vendor engages the e-mail provider with an 8-hour notice (Art. 28(4)).
    let mut agreements = Vec::new();
    for (shop, hours) in shops {
        let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), signed_facts());
        main.breach_notice_hours = hours;
        let mut sub = ProcessingAgreement::sub_processing_template(&main, mailer.id(), signed_facts());
        sub.breach_notice_hours = Some(8);
        agreements.extend([main, sub]);
    }
    let helpline_agreement = agreements[4].clone();
    let parties = [&pharmacy, &bikes, &helpline, &vendor, &mailer].map(Clone::clone);
    let chain = ProcessingChain::build(parties, agreements, [])?;
    let name = |id: PartyId| -> String {
        [&pharmacy, &bikes, &helpline, &vendor, &mailer]
            .iter()
            .find(|p| p.id() == id)
            .map_or_else(|| id.to_string(), |p| p.legal_name().to_string())
    };
    // Every party of the drill is Czech: the holidays and zone of its establishment (Art. 2(1)
    // of Regulation 1182/71) and the default readings.
    let policy = mailer.default_deadline_policy().ok_or("the parties are established in a Member State")?;

    // ---- The plan: latest lawful instants through the chain ----
    let found = prague("2026-03-13T19:30:00+01:00")?;
    let plan = FanOut::plan(&chain, mailer.id(), found, &policy)?;
    println!("Breach found by {} on {} (Prague)\n", mailer.legal_name(), local(found));
    println!(
        "{}\n",
        term::wrap(
            "",
            0,
            "Plan: the latest lawful instants, if every party up the chain takes all the time it may: \
             the Art. 33(2) notices, then each controller's 72 hours (Art. 33(1)). The deadlines at the \
             end run from when each notice was actually given, so they are earlier where a party was quicker."
        )
    );
    for reach in &plan.controllers {
        println!("  {}", name(reach.controller));
        for hop in &reach.hops {
            let line = format!("{}, by {} ({})", hop.period, local(hop.due), hop.article());
            println!("{}", term::wrap(&format!("    {} -> {}: ", name(hop.from), name(hop.to)), 8, &line));
        }
        let line = format!("by {} (Art. 33(1))", local(reach.authority_due));
        println!("{}", term::wrap(&format!("    {} -> the supervisory authority: ", name(reach.controller)), 8, &line));
    }
    let planned: Vec<DateTime<Utc>> = plan.controllers.iter().map(|r| r.authority_due).collect();
    expect(
        "planned authority deadlines",
        planned,
        vec![
            prague("2026-03-18T03:30:00+01:00")?, // 8 h + 24 h + 72 h: Wednesday
            prague("2026-03-17T15:30:00+01:00")?, // 8 h + 12 h + 72 h
            prague("2026-03-17T03:30:00+01:00")?, // 8 h + at once + 72 h
        ],
    )?;
    let deficiency = helpline_agreement.validate();
    let missing_hours = format!(
        "{}'s agreement sets no breach-notice hours: {}",
        name(helpline.id()),
        deficiency.iter().map(|d| format!("{} {}", d.article, d.message)).collect::<Vec<_>>().join("; ")
    );
    println!("{}\n", term::wrap("  note: ", 8, &missing_hours));

    let mut timeline = Vec::new();
    let contact =
        Contact::new(text("Pověřenec pro ochranu osobních údajů")?, EmailAddress::new("dpo@chatvendor.example")?);
    let facts = Facts {
        nature: Some(text(
            "confidentiality breach: an attacker logged into the mailbox that receives chat transcripts with a stolen password",
        )?),
        subject_categories: vec![SubjectCategory::Visitor],
        approx_subjects: Some(2_300),
        data_categories: vec![DataCategory::Contact, DataCategory::CommunicationContent],
        approx_records: Some(5_100),
        contact: Some(contact),
        consequences: None,
        measures: vec![Measure::new(text("mailbox password reset, MFA enforced")?, MeasureStatus::Taken)],
    };

    // ---- The e-mail provider's entry (a sub-processor, Art. 33(2) via 28(4)) ----
    let mut mail_entry = Entry::new("Poštovní brána (sub-processor)");
    let mail_breach = BreachId::generate();
    mail_entry.apply(
        Command::Detect(Box::new(
            Detection::new(
                Awareness::Processor { processor: mailer.id(), notify: plan.duties() },
                found,
                policy.clone(),
            )
            .with_id(mail_breach)
            .with_occurred_at(prague("2026-03-13T02:14:00+01:00")?)
            .with_facts(facts.clone()),
        )),
        &mut timeline,
    )?;
    let told_vendor = prague("2026-03-13T22:10:00+01:00")?;
    for duty in plan.duties() {
        mail_entry.apply(Command::NotifyPrincipal { at: told_vendor, agreement: duty.agreement }, &mut timeline)?;
        note(&mut timeline, format!("to {} about {}'s data", name(duty.principal), name(duty.controller)));
    }
    mail_entry.apply(
        Command::Close {
            at: prague("2026-03-16T12:00:00+01:00")?,
            summary: text("credentials rotated, MFA enforced")?,
        },
        &mut timeline,
    )?;
    let in_time: Vec<Option<bool>> =
        mail_entry.breach()?.principal_deadlines().iter().map(|d| d.met_in_time()).collect();
    expect("the provider told the vendor in time", in_time, vec![Some(true); 3])?;

    // ---- The vendor's entry: aware when the provider's notice reached it ----
    let vendor_plan = FanOut::plan(&chain, vendor.id(), told_vendor, &policy)?;
    let mut vendor_entry = Entry::new("Chatvendor (processor)");
    vendor_entry.apply(
        Command::Detect(Box::new(
            Detection::new(
                Awareness::Processor { processor: vendor.id(), notify: vendor_plan.duties() },
                told_vendor,
                policy.clone(),
            )
            .with_informed_by(ProcessorNotice::new(mailer.id(), plan.controllers[0].agreement).with_breach(mail_breach))
            .with_occurred_at(prague("2026-03-13T02:14:00+01:00")?)
            .with_facts(facts.clone()),
        )),
        &mut timeline,
    )?;
    let told_shops = prague("2026-03-14T09:00:00+01:00")?;
    for duty in vendor_plan.duties() {
        vendor_entry.apply(Command::NotifyPrincipal { at: told_shops, agreement: duty.agreement }, &mut timeline)?;
        note(&mut timeline, format!("to {}", name(duty.principal)));
    }
    vendor_entry.apply(
        Command::Close { at: prague("2026-03-16T13:00:00+01:00")?, summary: text("every controller notified")? },
        &mut timeline,
    )?;
    let vendor_deadlines = vendor_entry.breach()?.principal_deadlines();
    let dues: Vec<DateTime<Utc>> = vendor_deadlines.iter().map(|d| d.due).collect();
    expect(
        "vendor notice deadlines",
        dues,
        vec![prague("2026-03-14T22:10:00+01:00")?, prague("2026-03-14T10:10:00+01:00")?, told_vendor],
    )?;
    let met: Vec<Option<bool>> = vendor_deadlines.iter().map(|d| d.met_in_time()).collect();
    // No agreed hours: "without undue delay" is read as due at once, so the helpline's notice,
    // sent the next morning, is reported late.
    expect("vendor notices in time", met, vec![Some(true), Some(true), Some(false)])?;

    // ---- Each shop's entry: aware when the vendor's notice reached it (Art. 33(1), 33(2)) ----
    let shop_entry = |shop: &Party, facts: Facts| -> Result<(Entry, Command)> {
        let agreement = vendor_plan
            .controllers
            .iter()
            .find(|r| r.controller == shop.id())
            .map(|r| r.agreement)
            .ok_or("shop not reached")?;
        let command = Command::Detect(Box::new(
            Detection::new(Awareness::Controller { controller: shop.id() }, told_shops, policy.clone())
                .with_informed_by(ProcessorNotice::new(vendor.id(), agreement))
                .with_occurred_at(prague("2026-03-13T02:14:00+01:00")?)
                .with_facts(facts),
        ));
        Ok((Entry::new(&format!("{} (controller)", shop.legal_name())), command))
    };
    let authority = text("Úřad pro ochranu osobních údajů")?;
    let seventy_two = prague("2026-03-17T09:00:00+01:00")?;

    // The pharmacy: visitors asked about medicines; high risk, told directly (Art. 34(1)).
    let (mut a, detect) = shop_entry(&pharmacy, Facts { nature: facts.nature.clone(), ..Facts::default() })?;
    a.apply(detect, &mut timeline)?;
    expect("pharmacy 72 hours", a.breach()?.authority_deadline().map(|d| d.due), Some(seventy_two))?;
    a.apply(
        Command::Assess {
            at: prague("2026-03-14T12:00:00+01:00")?,
            risk: RiskLevel::HighRisk,
            reasons: text("transcripts reveal health questions with names and e-mail addresses (Art. 9(1) data)")?,
        },
        &mut timeline,
    )?;
    let missing = a.breach()?.facts().missing_for_notification();
    println!("Pharmacy's first notification lacks (Art. 33(3), to follow in phases under Art. 33(4)):");
    for m in &missing {
        println!("  - {m}");
    }
    println!();
    expect("elements missing at first", missing.len(), 7)?;
    a.apply(
        Command::NotifyAuthority {
            at: prague("2026-03-14T16:00:00+01:00")?,
            authority: authority.clone(),
            reasons_for_delay: None,
        },
        &mut timeline,
    )?;
    a.refused(
        Command::CommunicateToSubjects {
            at: prague("2026-03-14T17:00:00+01:00")?,
            method: CommunicationMethod::Direct,
            message: text("your chat may have been read")?,
        },
        "Art. 34(2)",
        &mut timeline,
    )?;
    let mut phase = facts.clone();
    phase.data_categories.push(DataCategory::Health);
    phase.consequences = Some(text("disclosure of health information; targeted phishing")?);
    a.apply(
        Command::AddInformation { at: prague("2026-03-16T10:00:00+01:00")?, facts: Box::new(phase.clone()) },
        &mut timeline,
    )?;
    expect("nothing missing after the second phase", a.breach()?.facts().missing_for_notification().len(), 0)?;
    expect("pharmacy: tell the subjects", a.breach()?.subject_decision().map(|d| d.duty), Some(SubjectDuty::Direct))?;
    a.apply(
        Command::CommunicateToSubjects {
            at: prague("2026-03-16T14:00:00+01:00")?,
            method: CommunicationMethod::Direct,
            message: text(
                "e-mail to every visitor who left an address: what happened, risks, what we did, whom to ask",
            )?,
        },
        &mut timeline,
    )?;
    a.apply(
        Command::Close { at: prague("2026-03-20T10:00:00+01:00")?, summary: text("all visitors told")? },
        &mut timeline,
    )?;

    // The bike shop: a risk, not a high one; notified after the 72 hours, with reasons.
    let (mut b, detect) = shop_entry(&bikes, phase.clone())?;
    b.apply(detect, &mut timeline)?;
    b.apply(
        Command::Assess {
            at: prague("2026-03-14T11:00:00+01:00")?,
            risk: RiskLevel::Risk,
            reasons: text("contact data and order questions; phishing possible, no sensitive data")?,
        },
        &mut timeline,
    )?;
    let late = prague("2026-03-17T10:30:00+01:00")?;
    b.refused(
        Command::NotifyAuthority { at: late, authority: authority.clone(), reasons_for_delay: None },
        "Art. 33(1)",
        &mut timeline,
    )?;
    b.apply(
        Command::NotifyAuthority {
            at: late,
            authority: authority.clone(),
            reasons_for_delay: Some(text("the privacy officer was unreachable until Tuesday morning")?),
        },
        &mut timeline,
    )?;
    expect(
        "bike shop: no communication",
        b.breach()?.subject_decision().map(|d| d.duty),
        Some(SubjectDuty::NotRequired),
    )?;
    expect("bike shop notified late", b.breach()?.authority_deadline().and_then(|d| d.met_in_time()), Some(false))?;
    b.apply(
        Command::Close { at: prague("2026-03-18T09:00:00+01:00")?, summary: text("no further action")? },
        &mut timeline,
    )?;

    // The helpline: anonymous visitors, high risk, a public notice instead (Art. 34(3)(c)).
    let (mut c, detect) = shop_entry(&helpline, phase)?;
    c.apply(detect, &mut timeline)?;
    c.apply(
        Command::Assess {
            at: prague("2026-03-14T13:00:00+01:00")?,
            risk: RiskLevel::HighRisk,
            reasons: text("counselling chats about personal crises")?,
        },
        &mut timeline,
    )?;
    c.apply(
        Command::NotifyAuthority { at: prague("2026-03-15T10:00:00+01:00")?, authority, reasons_for_delay: None },
        &mut timeline,
    )?;
    c.apply(
        Command::RecordException {
            at: prague("2026-03-15T11:00:00+01:00")?,
            exception: CommunicationException::DisproportionateEffort {
                explanation: text("visitors chat anonymously: only a browser token is kept, no contact details")?,
            },
        },
        &mut timeline,
    )?;
    c.refused(
        Command::Close { at: prague("2026-03-15T11:30:00+01:00")?, summary: text("done")? },
        "Art. 34(3)(c)",
        &mut timeline,
    )?;
    c.apply(
        Command::CommunicateToSubjects {
            at: prague("2026-03-15T12:00:00+01:00")?,
            method: CommunicationMethod::Public,
            message: text("notice on the helpline's home page and in the chat widget")?,
        },
        &mut timeline,
    )?;
    expect(
        "helpline: public communication",
        c.breach()?.subject_decision().map(|d| d.duty),
        Some(SubjectDuty::Public),
    )?;
    c.apply(
        Command::Close { at: prague("2026-03-16T09:00:00+01:00")?, summary: text("public notice published")? },
        &mut timeline,
    )?;

    // ---- The timeline ----
    timeline.sort_by_key(|l| l.at);
    println!("{:<16}  {:<13} register: step", "when (Prague)", "article");
    for line in &timeline {
        let first = format!("{:<16}  {:<13} ", local(line.at), line.article);
        println!("{}", term::wrap(&first, 32, &format!("{}: {}", line.who, line.what)));
    }

    println!("\nDeadlines, from the notices as given (a met duty shows whether it was in time):");
    for entry in [&mail_entry, &vendor_entry, &a, &b, &c] {
        let breach = entry.breach()?;
        for d in breach.deadlines() {
            let to = match &d.duty {
                Duty::Principal(duty) if duty.principal == duty.controller => {
                    format!("notice to {}, {}", name(duty.principal), duty.period)
                }
                Duty::Principal(duty) => {
                    format!("notice to {} for {}, {}", name(duty.principal), name(duty.controller), duty.period)
                }
                _ => "notification to the supervisory authority".to_owned(),
            };
            let status = match d.met_in_time() {
                Some(true) => "in time",
                Some(false) => "LATE",
                None => "open",
            };
            let line = format!("{to}: due {}, {status} ({})", local(d.due), d.article);
            println!("{}", term::wrap(&format!("  {}: ", entry.name), 6, &line));
        }
        if let Some(decision) = breach.subject_decision() {
            let duty = match decision.duty {
                SubjectDuty::Undecided => "not decided yet",
                SubjectDuty::NotRequired => "not required",
                SubjectDuty::Direct => "each one is told",
                SubjectDuty::Public => "a public communication instead",
                _ => "decided",
            };
            let reasons: Vec<String> = decision.reasons.iter().map(ToString::to_string).collect();
            let line = format!("data subjects: {duty}: {}", reasons.join("; "));
            println!("{}", term::wrap(&format!("  {}: ", entry.name), 6, &line));
        }
        expect(&format!("{} closed", entry.name), breach.is_closed(), true)?;
    }
    println!("\nAll checks passed.");
    Ok(())
}

/// What the parties of the scene's agreements say about them (the templates invent none of it):
/// signed electronically on 15 January 2026, in force from that day, and the measures agreed.
fn signed_facts() -> AgreementFacts {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default();
    AgreementFacts::signed(WrittenForm::Electronic, day)
        .in_force(day, None)
        .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access, audit logging"])
}
