//! A small chat backend on the crate's embedded default (one SQLite file), playing the scene of
//! the crate's design end to end: a chat vendor, its sub-processors, two web shops, their
//! visitors, an access request, an erasure under a legal hold, a retention sweep and a breach
//! drill. The requests go through the request desk only: the vendor's `ProcessorDesk` receives
//! and forwards them (Art. 28(3)(e)), the shop's `Desk` settles identity and fulfils them.
//!
//! ```text
//! cargo run --example chat_backend             # the database goes to a new temporary folder
//! cargo run --example chat_backend -- DIR      # or to DIR/chat.db
//! ```
//!
//! Each step prints what happens and the article behind it, and checks it; the documents (the
//! privacy notices, the records of processing, the access letter) are written beside the
//! database. The program exits with 1 when a check fails and 2 when the arguments are wrong, so CI
//! runs it as a test.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Prague;
use gdpr_obligations::agenda::{Agenda, AgendaOptions, Obligation, Snapshot};
use gdpr_obligations::agreement::{
    AgreementFacts, ChangeNotice, Decision, ProcessingAgreement, ProcessingChain, ProcessingLocation, Query,
    RefusalReason, SubProcessorAuthorisation, WrittenForm,
};
use gdpr_obligations::breach::FanOut;
use gdpr_obligations::desk::{Desk, FulfilmentReport, ProcessorDesk};
use gdpr_obligations::erasure::{ErasurePolicy, RetentionGround};
use gdpr_obligations::fulfil::Sweep;
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectId, SubjectIdentifier, Text, Token, TransferAssessment};
use gdpr_obligations::report::{
    Catalogue, ControllerRecord, Language, NoticeInput, PrivacyNotice, ProcessorRecord, access_cover_letter,
};
use gdpr_obligations::request::{
    Channel, Command, ErasureGround, Processing, Receipt, Receiver, Request, RequestId, RequestKind, StatusName,
};
use gdpr_obligations::retention::{HoldTarget, LegalHold, RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::SweepId;
use gdpr_obligations::store::chat::{ChatHistory, ConversationId, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    AuditLogExt, LedgerStoreExt, PersonalDataSource, PseudonymKey, RetentionSource, Scope, StoreError, Version,
};
use gdpr_obligations::testkit::faults::{Call, Faulty};
use gdpr_obligations::vocab::{Country, DataCategory, LegalBasis, Purpose, SccModule, TransferMechanism};
use uuid::Uuid;

#[path = "common/scene.rs"]
mod scene;
#[path = "common/term.rs"]
mod term;

use scene::{chat_activity, complaint};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

const USAGE: &str = "chat_backend [DIR]";

const ABOUT: &str = "Plays a small chat backend on one SQLite file, DIR/chat.db (default: a new temporary \
                     folder): a chat vendor and its sub-processors sign agreements with two web shops \
                     (Art. 28), visitors chat through the authorisation decision, the shop publishes its \
                     privacy notice and records of processing (Arts. 13, 30), a visitor gets a copy of her \
                     data (Art. 15) and has it erased except what a legal hold keeps (Art. 17), a retention \
                     sweep runs (Art. 5(1)(e)) and a sub-processor's breach is fanned out (Art. 33). Each step \
                     prints what it checked and the article behind it; the documents are written to DIR. \
                     Exit codes: 0 every check passed, 1 a check failed, 2 bad arguments.";

fn main() -> ExitCode {
    if term::help_asked(USAGE, ABOUT) {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [] => std::env::temp_dir().join(format!("gdpr-chat-backend-{}", Uuid::now_v7())),
        [dir] if !dir.starts_with('-') => PathBuf::from(dir),
        _ => {
            eprintln!("usage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    if dir.join("chat.db").exists() {
        eprintln!("chat_backend: {} already exists: give a new folder", dir.join("chat.db").display());
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("chat_backend: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&dir)) {
        Ok(()) => {
            println!("\nall checks passed; the database (chat.db) and the documents are in");
            println!("  {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("check failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A Prague wall-clock time, e.g. `2026-03-13T18:45:00+01:00`, as an instant.
fn prague(rfc3339: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(rfc3339)?.with_timezone(&Utc))
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Prague).format("%a %-d %b %Y %H:%M").to_string()
}

fn text(s: &str) -> Result<Text> {
    Ok(Text::new(s)?)
}

fn step(n: u32, title: &str) {
    println!("\n== {n}. {title}");
}

/// Prints a checked line: `ok` and the article, or an error naming what differed.
fn check(article: &str, what: &str, holds: bool) -> Result<()> {
    if holds {
        println!("{}", term::wrap(&format!("  ok  {article:<14} "), 21, what));
        Ok(())
    } else {
        Err(format!("{what} ({article})").into())
    }
}

async fn run(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let db = SqliteStore::open(dir.join("chat.db")).await?;

    // ---------------------------------------------------------------------------------------
    step(1, "The chain: two web shops, their chat vendor and its sub-processors (Art. 28)");
    let scene::Parties { vendor, hosting, mailer, translator, acme, bikes } = scene::Parties::new()?;
    let (acme_scope, bikes_scope) = (Scope::of(acme.id()), Scope::of(bikes.id()));
    // ACME's deadlines follow the holidays and the zone of its establishment, Czechia (Art. 2(1)
    // and 3(4) of Regulation 1182/71).
    let policy = acme.default_deadline_policy().ok_or("ACME is established in a Member State")?;

    let mut agreements = Vec::new();
    for shop in [&acme, &bikes] {
        let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), signed_facts());
        // The hosting and e-mail providers are agreed at signing; later ones are notified
        // with a 14-day objection window (Art. 28(2)).
        main.sub_processing = Some(SubProcessorAuthorisation::General {
            agreed: vec![hosting.id(), mailer.id()],
            objection_window_days: 14,
        });
        let hosting_sub = ProcessingAgreement::sub_processing_template(&main, hosting.id(), signed_facts());
        let mut mail_sub = ProcessingAgreement::sub_processing_template(&main, mailer.id(), signed_facts());
        mail_sub.breach_notice_hours = Some(8);
        // Module 3 clauses with the transfer impact assessment they need (C-311/18; Clause 14).
        mail_sub.processing_locations = vec![
            ProcessingLocation::new(Country::US)
                .with_mechanism(TransferMechanism::StandardContractualClauses {
                    module: SccModule::ProcessorToProcessor,
                })
                .with_transfer_assessment(TransferAssessment::new(
                    Text::new("US law assessed; messages encrypted at rest with keys held in the EU")?,
                    chrono::NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?,
                )),
        ];
        agreements.extend([main, hosting_sub, mail_sub]);
    }

    // ACME's first draft forgot confidentiality and the deletion-or-return clause.
    let mut draft = agreements[0].clone();
    draft.confidentiality = None;
    draft.end_of_processing = None;
    let deficiencies = draft.validate();
    for d in &deficiencies {
        println!("  draft: {} {}", d.article, d.message);
    }
    let articles: Vec<String> = deficiencies.iter().map(|d| d.article.to_string()).collect();
    check(
        "Art. 28(3)",
        "the draft is deficient in confidentiality (b) and deletion or return (g)",
        articles.iter().any(|a| a == "Art. 28(3)(b)") && articles.iter().any(|a| a == "Art. 28(3)(g)"),
    )?;
    draft.confidentiality = Some("staff with access are bound by confidentiality agreements".to_owned());
    draft.end_of_processing = agreements[0].end_of_processing.clone();
    check("Art. 28(3)", "the fixed draft is complete", draft.validate().is_empty())?;
    check("Art. 28(3)", "every signed agreement is complete", agreements.iter().all(|a| a.validate().is_empty()))?;
    for a in &agreements {
        let scope = if a.principal == bikes.id()
            || agreements.iter().any(|p| Some(p.id) == a.parent && p.principal == bikes.id())
        {
            bikes_scope
        } else {
            acme_scope
        };
        db.put_agreement(scope, a, Version::NONE).await?;
    }
    // The parties too: the access answer names every processor and sub-processor of the chain
    // (Art. 15(1)(c)), and the ledger is where it finds them.
    for scope in [acme_scope, bikes_scope] {
        for party in [&vendor, &hosting, &mailer, &translator, &acme, &bikes] {
            db.put(scope, party, Version::NONE).await?;
        }
    }
    println!("  {} agreements stored in chat.db", agreements.len());

    // ---------------------------------------------------------------------------------------
    step(2, "Visitors chat; every message passes the authorisation decision (Arts. 28, 44)");
    // The vendor proposes a translation provider under ACME's general authorisation; the
    // objection window of 14 days is still running when the first chats come in.
    let notified = prague("2026-03-02T09:00:00+01:00")?;
    let translation = ProcessingAgreement::sub_processing_template(&agreements[0], translator.id(), signed_facts());
    let change =
        ChangeNotice::propose(&agreements[0], translator.id(), None, notified)?.notify(&agreements[0], notified)?;
    let mut all_agreements = agreements.clone();
    all_agreements.push(translation);
    let parties = [&vendor, &hosting, &mailer, &translator, &acme, &bikes].map(Clone::clone);
    let chain = ProcessingChain::build(parties, all_agreements, [change])?;

    // The chat history lives in the same SQLite file; erased visitors are recognised again
    // after a restore only under the same pseudonym key (keep it in a secret store).
    let key = PseudonymKey::new(b"chat-backend example pseudonym key")?;
    let chat = Arc::new(ChatHistory::sqlite(&db, key.clone()).await?);
    let day = prague("2026-03-10T14:00:00+01:00")?;
    let eva = chat.add_visitor(acme_scope, Token::new("v-eva")?, day).await?;
    chat.add_identifier(acme_scope, eva, email("eva.novakova@example.cz")?, day).await?;
    let talk = chat.start_conversation(acme_scope, eva, day).await?;
    let content = DataCategory::CommunicationContent;
    let purpose = Purpose::CustomerCare;
    for (who, processor) in [
        ("Chatvendor (processor)", &vendor),
        ("Hostbox (hosting)", &hosting),
        ("Postal Relay (US, SCCs)", &mailer),
        ("Lingua Machines (new)", &translator),
    ] {
        let decision = chain.decide(&Query {
            party: processor.id(),
            controller: acme.id(),
            category: &content,
            purpose: &purpose,
            at: day,
        });
        match &decision {
            Decision::Allowed { .. } => println!("  {who:<26} may process ACME's chat"),
            Decision::Refused(refusals) => {
                for r in refusals {
                    let refusal = format!("{} ({})", r.reason, r.article);
                    println!("{}", term::wrap(&format!("  {who:<26} refused: "), 29, &refusal));
                }
            }
        }
    }
    let refused = chain.decide(&Query {
        party: translator.id(),
        controller: acme.id(),
        category: &content,
        purpose: &purpose,
        at: day,
    });
    check(
        "Art. 28(2)",
        "the new translation provider is refused while ACME's 14-day objection window runs",
        matches!(&refused, Decision::Refused(r) if r.iter().any(|r| matches!(r.reason, RefusalReason::ObjectionWindowRunning { .. }))),
    )?;
    for processor in [&vendor, &hosting, &mailer] {
        let allowed = chain.decide(&Query {
            party: processor.id(),
            controller: acme.id(),
            category: &content,
            purpose: &purpose,
            at: day,
        });
        check("Art. 28(1)", &format!("{} may process ACME's chats", processor.legal_name()), allowed.is_allowed())?;
    }
    let after_window = prague("2026-03-17T09:00:00+01:00")?;
    let later = chain.decide(&Query {
        party: translator.id(),
        controller: acme.id(),
        category: &content,
        purpose: &purpose,
        at: after_window,
    });
    check("Art. 28(2)", "once the window closed without objection, the translator may process", later.is_allowed())?;

    // The chats themselves: Eva and Petr at ACME, and a visitor with Eva's e-mail at the bike shop.
    // Every message is stored by the vendor on the hosting provider's machines: both must be
    // allowed to process the shop's chat content before it is posted.
    let path = [vendor.id(), hosting.id()];
    let petr = chat.add_visitor(acme_scope, Token::new("v-petr")?, day).await?;
    chat.add_identifier(acme_scope, petr, email("petr.svoboda@example.cz")?, day).await?;
    chat.join_conversation(acme_scope, talk, petr, day).await?;
    let agent = Sender::Agent(text("Jana Dvořáková")?);
    post(&chat, &chain, &path, acme_scope, talk, Sender::Visitor(eva), "Hello, order 42 has not arrived.", day).await?;
    post(&chat, &chain, &path, acme_scope, talk, agent.clone(), "Sorry, Eva, I will check it for you.", day).await?;
    post(
        &chat,
        &chain,
        &path,
        acme_scope,
        talk,
        Sender::Visitor(petr),
        "Same for my order 43, petr.svoboda@example.cz",
        day,
    )
    .await?;
    let second = chat.start_conversation(acme_scope, eva, day).await?;
    post(&chat, &chain, &path, acme_scope, second, Sender::Visitor(eva), "Can I change my address to Brno?", day)
        .await?;
    let other = chat.add_visitor(bikes_scope, Token::new("v-eva-at-bikes")?, day).await?;
    chat.add_identifier(bikes_scope, other, email("eva.novakova@example.cz")?, day).await?;
    let bike_talk = chat.start_conversation(bikes_scope, other, day).await?;
    post(&chat, &chain, &path, bikes_scope, bike_talk, Sender::Visitor(other), "Do you have a 52 cm frame?", day)
        .await?;
    println!("  ACME: 2 conversations, 4 messages; Kola Brno: 1 conversation; each message decided for {}", path.len());

    // ---------------------------------------------------------------------------------------
    step(3, "ACME's privacy notice and the records of processing (Arts. 13, 14, 30)");
    let activity = chat_activity(&acme, &vendor, &hosting, &mailer)?;
    db.put(acme_scope, &activity, Version::NONE).await?;
    let catalogue = Catalogue::built_in();
    let everyone = [&vendor, &hosting, &mailer, &translator, &acme, &bikes].map(Clone::clone);
    let complaint = complaint()?;
    let input =
        NoticeInput::new(&acme, &everyone, std::slice::from_ref(&activity), &chain, &complaint, day.date_naive())
            .with_vendor(vendor.id());
    let notice = PrivacyNotice::build(&input)?;
    let english = notice.document(&catalogue, &Language::EN)?.to_markdown();
    let czech = notice.document(&catalogue, &Language::CS)?.to_markdown();
    for (language, text) in [("en", &english), ("cs", &czech)] {
        let file = format!("privacy_notice.{language}.md");
        std::fs::write(dir.join(&file), text)?;
        println!("  notice ({language}): {} lines, written to {file}", text.lines().count());
    }
    // The checks read the plain-text form: the Markdown escapes every punctuation character.
    let english = notice.document(&catalogue, &Language::EN)?.to_text();
    let czech = notice.document(&catalogue, &Language::CS)?.to_text();
    check(
        "Art. 4(10)",
        "the English notice names the vendor as our processor, with its IČO",
        english.contains("on our behalf by our processor Chatvendor s.r.o., registration number 27082440."),
    )?;
    check(
        "Art. 4(10)",
        "the Czech notice does too",
        czech.contains("pro nás zpracovává náš zpracovatel Chatvendor s.r.o., IČO 27082440."),
    )?;
    check(
        "Art. 13(1)(e)",
        "every processor and sub-processor is named",
        [&vendor, &hosting, &mailer].iter().all(|p| english.contains(p.legal_name().as_str())),
    )?;
    check(
        "Art. 13(1)(f)",
        "the transfer to the United States names its safeguards",
        english.contains("Postal Relay Inc."),
    )?;
    let own = ControllerRecord::build(&acme, &everyone, std::slice::from_ref(&activity), &chain)?;
    let theirs = ProcessorRecord::build(&vendor, &everyone, &chain)?;
    let own_md = own.document(&catalogue, &Language::EN)?.to_markdown();
    let theirs_md = theirs.document(&catalogue, &Language::EN)?.to_markdown();
    for (what, file, markdown) in [
        ("ACME's record (Art. 30(1))", "record_of_processing.controller.en.md", &own_md),
        ("the vendor's record (Art. 30(2))", "record_of_processing.processor.en.md", &theirs_md),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, markdown)?;
        println!("  {what}: {} lines, written to {file}", markdown.lines().count());
    }
    std::fs::write(dir.join("records_of_processing.csv"), own.to_csv(&catalogue, &Language::EN)?)?;
    let own_text = own.document(&catalogue, &Language::EN)?.to_text();
    let theirs_text = theirs.document(&catalogue, &Language::EN)?.to_text();
    check("Art. 30(1)", "ACME's record names its purposes and recipients", own_text.contains("Chatvendor s.r.o."))?;
    check(
        "Art. 30(2)",
        "the vendor's record names both controllers",
        theirs_text.contains("ACME s.r.o.") && theirs_text.contains("Kola Brno s.r.o."),
    )?;

    // ---------------------------------------------------------------------------------------
    step(4, "Eva asks in the chat for a copy of her data (Arts. 15, 12, 28(3)(e))");
    // Requests go through the desks only. A request typed into ACME's chat widget reaches the
    // vendor, whose desk records it in ACME's scope and forwards it; ACME's desk answers it over
    // the chat history (the same `Arc<ChatHistory>` is the retention sweep's source in step 6).
    let ledger = Arc::new(db.clone());
    let vendor_desk = ProcessorDesk::new(vendor.id(), ledger.clone(), ledger.clone());
    let desk = Desk::new(acme.id(), ledger.clone(), ledger.clone(), key.clone()).with_source(chat.clone());
    let eva_ids = [SubjectIdentifier::ChatVisitorToken(Token::new("v-eva")?), email("eva.novakova@example.cz")?];
    // ACME's month runs from the vendor's receipt (Art. 12(3)); the vendor forwards promptly.
    let eva_asks = |kind, at| {
        let processing = Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare);
        Receipt::new(acme.id(), at, kind, processing, Channel::Chat, policy.clone(), complaint.clone())
            .with_receiver(Receiver::Processor { processor: vendor.id() })
            .with_requester(eva_ids.clone())
    };
    let asked = prague("2026-03-13T18:45:00+01:00")?;
    let access =
        through_vendor(&vendor_desk, eva_asks(RequestKind::Access, asked), prague("2026-03-16T09:10:00+01:00")?)
            .await?;
    let information = text("confirm the e-mail address you gave in the chat through the link we sent")?;
    let at = prague("2026-03-16T09:30:00+01:00")?;
    show(
        "Art. 12(6)",
        "ACME asks Eva to confirm her address",
        &desk.execute(access, Command::RequestIdentity { at, information }).await?,
    );
    let at = prague("2026-03-16T11:02:00+01:00")?;
    show("Art. 12(6)", "Eva follows the link", &desk.execute(access, Command::ProvideIdentity { at }).await?);
    show("Art. 12(3)", "ACME starts on it", &desk.start(access, prague("2026-03-16T11:03:00+01:00")?).await?);
    let early = desk.fulfil(access, prague("2026-03-16T11:04:00+01:00")?).await;
    check(
        "Art. 5(1)(f)",
        "the desk refuses to fulfil before her identity is verified",
        matches!(&early, Err(e) if e.article().is_some_and(|a| a.to_string() == "Art. 5(1)(f)")),
    )?;
    let at = prague("2026-03-16T11:05:00+01:00")?;
    let verified = desk.execute(access, Command::VerifyIdentity { at, subject: SubjectId::generate() }).await?;
    show("Art. 12(6)", "the link confirms her address", &verified);
    let due = verified.deadlines().ok_or("the request has no deadlines")?.due().date();
    println!("  asked {}, due {due} (Art. 12(3), from the vendor's receipt, Art. 28(3)(e))", local(asked));
    let done = desk.fulfil(access, prague("2026-03-16T11:06:00+01:00")?).await?;
    let FulfilmentReport::Access(report) = &done.report else {
        return Err("an access request is answered with an access report".into());
    };
    let copy = serde_json::to_string(&report.copy)?;
    println!("  the copy holds {} records from {} source(s)", report.copy.len(), report.sources.len());
    check("Art. 15(3)", "the copy holds Eva's own messages", copy.contains("order 42 has not arrived"))?;
    check("Art. 15(4)", "Petr's own message is not in Eva's copy", !copy.contains("order 43"))?;
    check("Art. 15(4)", "the agent's name is redacted", !copy.contains("Dvořáková"))?;
    let letter = access_cover_letter(report, &done.request, &acme, &catalogue, &Language::EN)?;
    let markdown = letter.to_markdown();
    let letter_path = dir.join("access_letter.en.md");
    std::fs::write(&letter_path, &markdown)?;
    println!("  cover letter: {} lines, written to access_letter.en.md", markdown.lines().count());
    let letter = letter.to_text();
    check(
        "Art. 15(1)",
        "the cover letter lists the purposes and the recipients",
        letter.contains("customer care") && letter.contains("Postal Relay Inc."),
    )?;
    show("Art. 12(3)", "the desk completes it with the report", &done.request);
    check("Art. 12(3)", "the request completed within the month", done.request.answered_in_time() == Some(true))?;

    // ---------------------------------------------------------------------------------------
    step(5, "Eva asks for erasure; a complaint about order 42 keeps that chat (Arts. 17, 19)");
    let hold = LegalHold::place(
        HoldTarget::Conversation { source: chat.name().clone(), prefix: format!("conversation/{talk}/").parse()? },
        text("Eva's complaint about order 42 is being handled")?,
        RetentionGround::LegalClaims { matter: text("complaint 2026/14")? },
        prague("2026-03-12T08:00:00+01:00")?,
    )?;
    db.put(acme_scope, &hold, Version::NONE).await?;
    let kind = RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary };
    let receipt = eva_asks(kind, prague("2026-03-19T20:15:00+01:00")?);
    let erasure = through_vendor(&vendor_desk, receipt, prague("2026-03-20T08:00:00+01:00")?).await?;
    let why = text("asked from the chat session whose data it concerns, verified for the access request")?;
    let waived = desk.waive_verification(erasure, prague("2026-03-20T09:00:00+01:00")?, why).await?;
    show("Art. 12(6)", "no doubt: verification waived", &waived);
    show("Art. 12(3)", "ACME starts on it", &desk.start(erasure, prague("2026-03-20T09:55:00+01:00")?).await?);
    // The chat database fails during the first run (staged with the testkit's fault injection):
    // the desk records what the run came to and leaves the request in progress.
    let outage = Faulty::new(chat.clone(), |call, _| match call {
        Call::Erase => Err(StoreError::Backend { store: "sqlite", source: "disk I/O error".into() }),
        _ => Ok(()),
    });
    let desk_in_outage =
        Desk::new(acme.id(), ledger.clone(), ledger.clone(), key.clone()).with_source(Arc::new(outage));
    let first = desk_in_outage.fulfil(erasure, prague("2026-03-20T09:58:00+01:00")?).await?;
    let failed: Vec<String> =
        first.request.carried_out().map(|c| c.failed.iter().map(ToString::to_string).collect()).unwrap_or_default();
    show("Art. 12(3)", &format!("the run fails in {}", failed.join(", ")), &first.request);
    check(
        "Art. 12(3)",
        "an incomplete run does not complete the request; it names the failed source",
        !first.report.is_complete()
            && first.request.status().name() == StatusName::InProgress
            && failed == [chat.name().to_string()],
    )?;
    let before_bikes = chat.transcript(bikes_scope, bike_talk).await?;
    let erased_at = prague("2026-03-20T10:00:00+01:00")?;
    let done = desk.fulfil(erasure, erased_at).await?;
    let FulfilmentReport::Step(report) = &done.report else {
        return Err("an erasure request is answered with a step report".into());
    };
    for source in &report.sources {
        let status = if source.is_completed() { "erasure completed" } else { "erasure failed" };
        println!("  {}: {status}, {} records", term::words(&source.source.to_string()), source.records);
    }
    let mut grounds = Vec::new();
    for kept in &report.retained {
        let why = match &kept.ground {
            RetentionGround::LegalClaims { matter } => format!("{}, legal claims: {matter}", kept.article),
            _ => kept.article.to_string(),
        };
        if grounds.last() != Some(&why) {
            println!("  kept under {why}:");
            grounds.push(why);
        }
        println!("    {}", record_in_words(kept.record.as_ref()));
    }
    for notice in &report.notices {
        let recipient = notice.recipient.get(&Language::EN).map_or("(no English name)", |t| t.as_str());
        println!("  tell {recipient} ({}) of the erasure ({})", notice.country, notice.article);
    }
    check("Art. 17(1)", "run again, the erasure resumes and completes in every source", report.complete)?;
    check(
        "Art. 17(3)(e)",
        "the chat about order 42 is kept under the legal hold",
        !report.retained.is_empty()
            && chat.transcript(acme_scope, talk).await?.iter().any(|m| m.text.contains("order 42")),
    )?;
    let gone = match chat.transcript(acme_scope, second).await {
        Ok(messages) => messages.is_empty(),
        Err(StoreError::NotFound { .. }) => true,
        Err(e) => return Err(e.into()),
    };
    check("Art. 17(1)", "her other conversation, only hers, is gone", gone)?;
    check("Art. 19", "every recipient of the activity is to be told", report.notices.len() == activity_recipients())?;
    show("Art. 12(3)", "the desk completes it with the report", &done.request);
    check("Art. 12(3)", "the erasure request is completed", done.request.status().name() == StatusName::Completed)?;
    let owed = async || -> Result<usize> {
        let agenda =
            Agenda::build(&Snapshot::load(&db, acme_scope).await?, erased_at, &AgendaOptions::new(policy.clone()));
        let art_19 = |o: &&Obligation| o.kind.request() == Some(erasure) && o.article.to_string() == "Art. 19";
        Ok(agenda.obligations.iter().filter(art_19).count())
    };
    check("Art. 19", "ACME's agenda lists one notice per recipient", owed().await? == activity_recipients())?;
    for notice in &report.notices {
        desk.record_recipient_notice(erasure, notice.given(), prague("2026-03-20T10:30:00+01:00")?).await?;
    }
    check("Art. 19", "once the recipients are told, the agenda no longer lists them", owed().await? == 0)?;
    let verified = db.verify_all(acme_scope).await?;
    check("Art. 5(2)", &format!("ACME's audit log of {verified} entries verifies"), verified > 0)?;
    check(
        "Art. 5(1)(f)",
        "the bike shop's visitor with the same e-mail is untouched",
        chat.transcript(bikes_scope, bike_talk).await? == before_bikes,
    )?;

    // ---------------------------------------------------------------------------------------
    step(6, "A retention sweep and a sub-processor's breach drill (Arts. 5(1)(e), 33)");
    let year_ago = prague("2025-01-20T10:00:00+01:00")?;
    let old_talk = chat.start_conversation(bikes_scope, other, year_ago).await?;
    chat.post(bikes_scope, old_talk, Sender::Visitor(other), text("Is the shop open on Sunday?")?, vec![], year_ago)
        .await?;
    let transcripts = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 12 },
    )?;
    db.put(bikes_scope, &transcripts, Version::NONE).await?;
    let sweep = Sweep::new(bikes_scope, &db, &db, vec![chat.clone() as Arc<dyn RetentionSource>]);
    let swept = sweep.run(SweepId::generate(), &ErasurePolicy::default(), erased_at).await?;
    let erased: u64 = swept.sources.iter().map(|s| s.records).sum();
    println!("  the sweep of {} erased {erased} expired record(s)", local(erased_at));
    check(
        "Art. 5(1)(e)",
        "the conversation of January 2025 expired after 12 months and is gone",
        chat.transcript(bikes_scope, old_talk).await?.is_empty() && swept.complete,
    )?;
    check(
        "Art. 5(1)(e)",
        "this month's conversation stays",
        !chat.transcript(bikes_scope, bike_talk).await?.is_empty(),
    )?;

    let found = prague("2026-03-27T19:30:00+01:00")?;
    let plan = FanOut::plan(&chain, mailer.id(), found, &policy)?;
    println!("  Postal Relay Inc. finds a breach of the chat mailbox on {}", local(found));
    let name =
        |id| everyone.iter().find(|p| p.id() == id).map_or_else(|| "?".to_owned(), |p| p.legal_name().to_string());
    for reach in &plan.controllers {
        for hop in &reach.hops {
            println!(
                "  {:<17} -> {:<17} {:<24} by {} ({})",
                name(hop.from),
                name(hop.to),
                hop.period.to_string(),
                short(hop.due),
                hop.article()
            );
        }
        println!(
            "  {:<17} -> {:<42} by {} (Art. 33(1))",
            name(reach.controller),
            "the supervisory authority",
            short(reach.authority_due)
        );
    }
    check(
        "Art. 33(1)",
        "each shop's 72 hours run from the vendor's notice: 8 h + 24 h + 72 h after discovery",
        plan.controllers.len() == 2
            && plan.controllers.iter().all(|r| r.authority_due == found + chrono::TimeDelta::hours(8 + 24 + 72)),
    )?;
    db.close().await;
    Ok(())
}

/// Posts a message only when every party on the message path may process the controller's chat
/// content for customer care at that instant (Art. 28(1), 28(2), 28(10)).
#[expect(clippy::too_many_arguments, reason = "the example spells out every party on the message path")]
async fn post(
    chat: &ChatHistory,
    chain: &ProcessingChain,
    path: &[PartyId],
    scope: Scope,
    conversation: ConversationId,
    from: Sender,
    message: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    for &party in path {
        let query = Query {
            party,
            controller: scope.controller(),
            category: &DataCategory::CommunicationContent,
            purpose: &Purpose::CustomerCare,
            at,
        };
        if let Decision::Refused(reasons) = chain.decide(&query) {
            let reasons: Vec<String> = reasons.iter().map(ToString::to_string).collect();
            return Err(format!("the message was not stored: {}", reasons.join("; ")).into());
        }
    }
    chat.post(scope, conversation, from, text(message)?, vec![], at).await?;
    Ok(())
}

/// A chat record key as people read it: `conversation/C/message/M` is "a message in conversation
/// C"; another key is shown as it is.
fn record_in_words(key: &str) -> String {
    match key.split('/').collect::<Vec<_>>().as_slice() {
        ["conversation", conversation, "message", _] => format!("a message in conversation {conversation}"),
        ["conversation", conversation, "participant", _] => {
            format!("the visitor's part in conversation {conversation}")
        }
        _ => key.to_owned(),
    }
}

/// A Prague time without the year, for the breach table.
fn short(at: DateTime<Utc>) -> String {
    at.with_timezone(&Prague).format("%a %-d %b %H:%M").to_string()
}

fn email(address: &str) -> Result<SubjectIdentifier> {
    Ok(SubjectIdentifier::Email(EmailAddress::new(address)?))
}

/// Prints a step of a request: when (Prague time), the article behind it, what happened, and the
/// state the request is in afterwards.
fn show(article: &str, what: &str, request: &Request) {
    let status = term::words(request.status().name().as_str());
    println!("  {}  {article:<13} {what:<40} {status}", local(request.last_event_at()));
}

/// The vendor's desk records a request that reached the vendor in a shop's chat widget, in the
/// shop's scope, and forwards it to the shop (Art. 28(3)(e)), whose desk then answers it.
async fn through_vendor(vendor: &ProcessorDesk, receipt: Receipt, forward_at: DateTime<Utc>) -> Result<RequestId> {
    let controller = receipt.controller;
    let received = vendor.receive(receipt).await?;
    show(&received.kind().article().to_string(), "the vendor receives it in the chat", &received);
    let forwarded = vendor.forward(controller, received.id(), forward_at).await?;
    show("Art. 28(3)(e)", "the vendor forwards it to the shop", &forwarded);
    Ok(received.id())
}

const fn activity_recipients() -> usize {
    3
}

/// What the parties of the scene's agreements say about them (the templates invent none of it):
/// signed electronically on 15 January 2026, in force from that day, and the measures agreed.
fn signed_facts() -> AgreementFacts {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default();
    AgreementFacts::signed(WrittenForm::Electronic, day)
        .in_force(day, None)
        .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access, audit logging"])
}
