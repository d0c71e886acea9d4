//! What people read: records, notices, letters, breach drafts and diagrams (issue 8).
//!
//! Snapshots (`tests/snapshots/report__*.snap`, insta) hold every document in both languages;
//! `docs/samples/` holds the rendered samples README links to, checked here against the same
//! documents (`GDPR_UPDATE_SAMPLES=1 cargo test --test it report::` rewrites them).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use gdpr_obligations::agreement::{AgreementId, ProcessingAgreement, ProcessingChain, ProcessingLocation};
use gdpr_obligations::breach::{
    self, Awareness, Breach, BreachId, Detection, Facts, Measure, MeasureStatus, RiskLevel,
};
use gdpr_obligations::fulfil::AccessReport;
use gdpr_obligations::model::{
    ActivityId, Contact, Controllers, EmailAddress, LocalizedText, Party, PartyId, PostalAddress, ProcessingActivity,
    PurposeSpec, Recipient, Retention, SourceName, Text,
};
use gdpr_obligations::report::{
    Catalogue, ControllerRecord, Document, Field, Gap, Language, MessageKey, NoticeInput, PrivacyNotice,
    ProcessorRecord, ReportError, Vocabulary, access_cover_letter, breach_notification, chain_flowchart,
    extension_notice, refusal_letter, request_lifecycle, request_lifecycle_transitions,
};
use gdpr_obligations::request::{
    Channel, Command, CommandName, ComplaintInformation, ExtensionJustification, ExtensionReason, Processing, Receipt,
    RefusalGround, Request, RequestId, RequestKind, StatusName, decide,
};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{
    Article, Country, DataCategory, LegalBasis, Purpose, Right, Role, SccModule, SubjectCategory, TransferMechanism,
};
use proptest::prelude::*;
use uuid::Uuid;

mod notice;
mod wording;

fn text(s: &str) -> Text {
    Text::new(s).expect("a valid text")
}

/// A free text in Czech and English: the documents of these tests are written in both.
fn both(cs: &str, en: &str) -> LocalizedText {
    LocalizedText::new(Language::CS, text(cs)).with(Language::EN, text(en))
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an instant")
}

struct World {
    shop: Party,
    vendor: Party,
    hosting: Party,
    mailer: Party,
    parties: Vec<Party>,
    chain: ProcessingChain,
    activity: ProcessingActivity,
    complaint: ComplaintInformation,
    /// The language of the free texts the letters and the breach draft carry.
    language: Language,
}

fn world() -> World {
    world_in(&Language::EN)
}

/// The world whose free texts are written in `language` where a letter or the breach draft
/// carries them: the judicial remedy, the reasons of an extension or refusal, the breach's facts
/// (Legal review C12).
fn world_in(language: &Language) -> World {
    let address = |street: &str, city: &str, code: &str| PostalAddress {
        street: text(street),
        city: text(city),
        postal_code: text(code),
        country: Country::CZ,
    };
    let shop = Party::builder("ACME s.r.o.", Country::CZ)
        .id(PartyId::from_uuid(id(1)))
        .registration_number("25596641")
        .tax_id("CZ25596641")
        .address(address("Václavské náměstí 1", "Praha 1", "110 00"))
        .contact_email("privacy@acme.example")
        .build()
        .expect("shop");
    let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ)
        .id(PartyId::from_uuid(id(2)))
        .registration_number("27074358")
        .tax_id("CZ27074358")
        .address(address("Cejl 12", "Brno", "602 00"))
        .contact_email("privacy@chatvendor.example")
        .dpo(Contact::new(text("Jana Nováková, DPO"), EmailAddress::new("dpo@chatvendor.example").expect("email")))
        .build()
        .expect("vendor");
    let hosting = Party::builder("Cloudhost <Europe> & Co. Inc.", Country::US)
        .id(PartyId::from_uuid(id(3)))
        .registration_number("DE-5501234")
        .tax_id("US-98-7654321")
        .contact_email("legal@cloudhost.example")
        .build()
        .expect("hosting");
    let mailer = Party::builder("Mailer a.s.", Country::CZ)
        .id(PartyId::from_uuid(id(4)))
        .registration_number("24000001")
        .contact_email("dpa@mailer.example")
        .build()
        .expect("mailer");
    let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
    main.id = AgreementId::from_uuid(id(10));
    main.purposes.push(Purpose::Marketing);
    let mut hosting_sub =
        ProcessingAgreement::sub_processing_template(&main, hosting.id(), gdpr_obligations::testkit::signed_facts());
    hosting_sub.id = AgreementId::from_uuid(id(11));
    hosting_sub.processing_locations = vec![gdpr_obligations::testkit::located(
        Country::US,
        TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor },
    )];
    let mut mail_sub =
        ProcessingAgreement::sub_processing_template(&main, mailer.id(), gdpr_obligations::testkit::signed_facts());
    mail_sub.id = AgreementId::from_uuid(id(12));
    let parties = vec![shop.clone(), vendor.clone(), hosting.clone(), mailer.clone()];
    let chain = ProcessingChain::build(parties.clone(), [main, hosting_sub, mail_sub], []).expect("chain");
    let activity = ProcessingActivity::builder(
        both("Chat na webu", "Website chat"),
        Controllers::Sole { controller: shop.id() },
        Retention::MonthsAfter {
            event: both("posledního rozhovoru návštěvníka", "the visitor's last conversation"),
            months: 24,
        },
    )
    .id(ActivityId::from_uuid(id(20)))
    .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests).with_legitimate_interests(both(
        "rychlé zodpovězení dotazů návštěvníků k objednávkám",
        "answering visitors' questions about orders quickly",
    )))
    .purpose(PurposeSpec::new(Purpose::Marketing, LegalBasis::Consent))
    .data_categories([
        DataCategory::Identification,
        DataCategory::Contact,
        DataCategory::CommunicationContent,
        DataCategory::OnlineIdentifier,
    ])
    .subject_categories([SubjectCategory::Visitor, SubjectCategory::Customer])
    .recipients([Recipient::new(
        both("přepravní společnosti doručující objednávky", "Courier companies delivering orders"),
        Role::Recipient,
        Country::CZ,
    )])
    .security_measures([
        both("TLS 1.3 při přenosu, AES-256 u uložených dat", "TLS 1.3 in transit, AES-256 at rest"),
        both("přístup operátorů podle rolí", "role-based access for agents"),
    ])
    .build()
    .expect("activity");
    let remedy = if *language == Language::CS {
        "žalobou u příslušného soudu (čl. 79 obecného nařízení)"
    } else {
        "an action before the competent court (Art. 79 GDPR)"
    };
    let complaint = ComplaintInformation::new(
        text("Úřad pro ochranu osobních údajů, Pplk. Sochora 27, 170 00 Praha 7, www.uoou.cz"),
        text(remedy),
    );
    World { shop, vendor, hosting, mailer, parties, chain, activity, complaint, language: language.clone() }
}

fn notice(w: &World) -> PrivacyNotice {
    let provision = both(
        "Uvedení jména a e-mailu v chatu je dobrovolné; bez nich můžeme odpovědět jen anonymně.",
        "Giving your name and e-mail in the chat is voluntary; without them we can answer only anonymously.",
    );
    let sources = [both(
        "zprávy jiných návštěvníků v chatu, které vás zmiňují",
        "other visitors' chat messages that mention you",
    )];
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    let input = NoticeInput::new(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain, &w.complaint, as_of)
        .with_vendor(w.vendor.id())
        .with_provision(&provision)
        .with_sources(&sources);
    PrivacyNotice::build(&input).expect("notice")
}

fn receipt(w: &World, kind: RequestKind, basis: LegalBasis) -> Receipt {
    Receipt::new(
        w.shop.id(),
        at("2026-03-02T09:00:00Z"),
        kind,
        Processing::new(basis, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        w.complaint.clone(),
    )
    .with_id(RequestId::from_uuid(id(30)))
}

fn run(receipt: Receipt, commands: &[Command]) -> Request {
    let mut events = decide(None, &Command::Receive(Box::new(receipt))).expect("received");
    for c in commands {
        let request = Request::replay(&events).expect("request");
        events.extend(request.decide(c).expect("accepted"));
    }
    Request::replay(&events).expect("request")
}

/// `en` or `cs` by the world's language.
fn in_language<'t>(w: &World, en: &'t str, cs: &'t str) -> &'t str {
    if w.language == Language::CS { cs } else { en }
}

fn extended_request(w: &World) -> Request {
    run(
        receipt(w, RequestKind::Access, LegalBasis::LegitimateInterests),
        &[
            Command::WaiveVerification { at: at("2026-03-02T10:00:00Z"), reason: text("logged-in customer") },
            Command::Extend {
                at: at("2026-03-20T10:00:00Z"),
                justification: ExtensionJustification::new(
                    ExtensionReason::Complexity,
                    text(in_language(
                        w,
                        "Your chats span four years and three systems that must be searched and redacted.",
                        "Vaše konverzace za čtyři roky jsou uloženy ve třech systémech, které musíme prohledat a z nichž musíme odstranit údaje jiných osob.",
                    )),
                ),
                notified_via: Channel::Email,
            },
        ],
    )
}

fn refused_request(w: &World) -> Request {
    // Portability under legitimate interests: refused on receipt (Art. 20(1)(a)).
    run(receipt(w, RequestKind::Portability, LegalBasis::LegitimateInterests), &[])
}

fn excessive_request(w: &World) -> Request {
    run(
        receipt(w, RequestKind::Access, LegalBasis::LegitimateInterests),
        &[Command::Refuse {
            at: at("2026-03-03T09:00:00Z"),
            ground: RefusalGround::ManifestlyExcessive {
                explanation: text(in_language(
                    w,
                    "the same request arrived 14 times this week and was answered on 1 March",
                    "stejná žádost tento týden přišla čtrnáctkrát a byla vyřízena 1. března",
                )),
            },
            reply: None,
        }],
    )
}

fn access_report(w: &World) -> AccessReport {
    let f = w.activity.fields();
    // Art. 15(1)(c), 15(2): the chain's processors are recipients and the US host's processing
    // is a transfer, as `Fulfilment::access` merges them.
    let mut recipients = serde_json::to_value(&f.recipients).expect("recipients");
    let chain = [(&w.vendor, Role::Processor), (&w.hosting, Role::SubProcessor), (&w.mailer, Role::SubProcessor)];
    for (party, role) in chain {
        let name = party.legal_name().as_str();
        recipients.as_array_mut().expect("a list").push(serde_json::json!({
            "party": party.id(), "name": both(name, name), "role": role, "country": party.country(),
        }));
    }
    let transfer = gdpr_obligations::model::Transfer::new(w.hosting.legal_name().clone(), Country::US)
        .with_mechanism(TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor })
        .with_transfer_assessment(gdpr_obligations::model::TransferAssessment::new(
            text("US law assessed; encryption at rest"),
            NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
        ));
    // A report is the crate's output (`Fulfilment::access`): a test states one through its JSON.
    serde_json::from_value(serde_json::json!({
        "job": id(30),
        "controller": w.shop.id(),
        "generated_at": at("2026-03-25T10:00:00Z"),
        "processing": true,
        "categories": [DataCategory::Contact, DataCategory::CommunicationContent],
        "activities": [{
            "activity": w.activity.id(),
            "name": f.name,
            "controllers": f.controllers,
            "purposes": f.purposes,
            "data_categories": f.data_categories,
            "recipients": recipients,
            "retention": f.retention,
            "rights": [Right::Access, Right::Rectification, Right::Erasure, Right::Restriction, Right::Objection],
            "transfers": [transfer],
        }],
        "complaint": Article::gdpr(77),
        "sources_not_from_subject": [SourceName::new("chat_history").expect("source")],
        "origins_not_from_subject": ["agent_reply", "connection_record"],
        "copy": [],
        "sources": [],
        "complete": true,
    }))
    .expect("an access report")
}

fn breach(w: &World) -> Breach {
    let aware = at("2026-03-13T18:30:00Z");
    let detection = Detection::new(Awareness::Controller { controller: w.shop.id() }, aware, DeadlinePolicy::czech())
        .with_id(BreachId::from_uuid(id(40)))
        .with_occurred_at(at("2026-03-12T22:00:00Z"))
        .with_facts(Facts {
            nature: Some(text(in_language(
                w,
                "Chat transcripts were readable through a public link (a breach of confidentiality).",
                "Přepisy chatů byly čitelné přes veřejný odkaz (porušení důvěrnosti).",
            ))),
            subject_categories: vec![SubjectCategory::Visitor],
            approx_subjects: Some(1200),
            data_categories: vec![DataCategory::Contact, DataCategory::CommunicationContent],
            approx_records: None,
            contact: None,
            consequences: None,
            measures: vec![
                Measure::new(
                    text(in_language(w, "the public link was revoked", "veřejný odkaz byl zrušen")),
                    MeasureStatus::Taken,
                ),
                Measure::new(
                    text(in_language(
                        w,
                        "tell the visitors concerned by e-mail",
                        "informovat dotčené návštěvníky e-mailem",
                    )),
                    MeasureStatus::Proposed,
                ),
            ],
        });
    let mut events = breach::decide(None, &breach::Command::Detect(Box::new(detection))).expect("detected");
    let b = Breach::replay(&events).expect("breach");
    events.extend(
        b.decide(&breach::Command::Assess {
            at: aware + TimeDelta::hours(3),
            risk: RiskLevel::HighRisk,
            reasons: text(in_language(
                w,
                "Names and e-mail addresses with order questions were readable by anyone with the link.",
                "Jména a e-mailové adresy s dotazy k objednávkám byly čitelné pro kohokoli, kdo měl odkaz.",
            )),
        })
        .expect("assessed"),
    );
    Breach::replay(&events).expect("breach")
}

/// Every document of the issue, in both languages, with its sample file name.
fn documents() -> Vec<(String, Document)> {
    let c = Catalogue::built_in();
    let mut out = Vec::new();
    for lang in [Language::EN, Language::CS] {
        let w = world_in(&lang);
        let l = lang.as_str();
        let record =
            ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
        out.push((format!("controller_record.{l}"), record.document(&c, &lang).expect("document")));
        let processor = ProcessorRecord::build(&w.vendor, &w.parties, &w.chain).expect("record");
        out.push((format!("processor_record.{l}"), processor.document(&c, &lang).expect("document")));
        out.push((format!("privacy_notice.{l}"), notice(&w).document(&c, &lang).expect("notice")));
        out.push((
            format!("extension_notice.{l}"),
            extension_notice(&extended_request(&w), &w.shop, &c, &lang).expect("letter"),
        ));
        out.push((
            format!("refusal_letter.{l}"),
            refusal_letter(&refused_request(&w), &w.shop, &c, &lang).expect("letter"),
        ));
        out.push((
            format!("refusal_letter_excessive.{l}"),
            refusal_letter(&excessive_request(&w), &w.shop, &c, &lang).expect("letter"),
        ));
        out.push((
            format!("access_cover_letter.{l}"),
            access_cover_letter(&access_report(&w), &extended_request(&w), &w.shop, &c, &lang).expect("letter"),
        ));
        out.push((
            format!("breach_notification.{l}"),
            breach_notification(&breach(&w), &w.shop, &c, &lang).expect("draft"),
        ));
    }
    out
}

#[test]
fn snapshots_of_every_document_in_both_languages() {
    for (name, doc) in documents() {
        insta::assert_snapshot!(format!("{name}.md"), doc.to_markdown());
    }
    let w = world();
    let c = Catalogue::built_in();
    for lang in [Language::EN, Language::CS] {
        let html = notice(&w).document(&c, &lang).expect("notice").to_html();
        insta::assert_snapshot!(format!("privacy_notice.{lang}.html"), html);
        let record =
            ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
        insta::assert_snapshot!(format!("controller_record.{lang}.csv"), record.to_csv(&c, &lang).expect("csv"));
        let processor = ProcessorRecord::build(&w.vendor, &w.parties, &w.chain).expect("record");
        insta::assert_snapshot!(format!("processor_record.{lang}.csv"), processor.to_csv(&c, &lang).expect("csv"));
    }
    let record =
        ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
    insta::assert_snapshot!("controller_record.json", serde_json::to_string_pretty(&record).expect("json"));
    insta::assert_snapshot!("chain_flowchart.mmd", chain_flowchart(&w.chain, &w.parties).expect("flowchart"));
    insta::assert_snapshot!("request_lifecycle.mmd", request_lifecycle());
}

/// The samples README links to: every document in both languages, the notice also as HTML, the
/// records also as CSV, and both diagrams. Rewritten with `GDPR_UPDATE_SAMPLES=1`.
#[test]
fn samples_in_docs_are_current() {
    let w = world();
    let c = Catalogue::built_in();
    let mut files: Vec<(String, String)> =
        documents().into_iter().map(|(name, doc)| (format!("{name}.md"), doc.to_markdown())).collect();
    for lang in [Language::EN, Language::CS] {
        files.push((format!("privacy_notice.{lang}.html"), notice(&w).document(&c, &lang).expect("n").to_html()));
        let record =
            ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
        files.push((format!("controller_record.{lang}.csv"), record.to_csv(&c, &lang).expect("csv")));
    }
    let record =
        ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
    files.push(("controller_record.json".into(), serde_json::to_string_pretty(&record).expect("json") + "\n"));
    let fence = |body: String| format!("```mermaid\n{body}```\n");
    files.push(("chain_flowchart.md".into(), fence(chain_flowchart(&w.chain, &w.parties).expect("f"))));
    files.push(("request_lifecycle.md".into(), fence(request_lifecycle())));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/samples");
    let update = std::env::var_os("GDPR_UPDATE_SAMPLES").is_some();
    let mut stale = Vec::new();
    for (name, content) in &files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            if update {
                std::fs::create_dir_all(&dir).expect("docs/samples");
                std::fs::write(&path, content).expect("write sample");
            } else {
                stale.push(name.clone());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/samples is stale ({stale:?}): run GDPR_UPDATE_SAMPLES=1 cargo test --test it report::"
    );
}

#[test]
fn art_13_1_e_notice_names_every_processor_and_sub_processor_with_legal_name_and_number() {
    let w = world();
    let text = notice(&w).document(&Catalogue::built_in(), &Language::EN).expect("notice").to_text();
    for p in [&w.vendor, &w.hosting, &w.mailer] {
        assert!(text.contains(p.legal_name().as_str()), "{} missing", p.legal_name());
        let number = p.registration_number().expect("numbered").number();
        assert!(text.contains(number), "{number} missing");
    }
    assert!(text.contains("engaged by Chatvendor s.r.o."), "{text}");
}

#[test]
fn art_13_1_f_notice_states_transfer_mechanism_and_absence_of_adequacy() {
    let w = world();
    let text = notice(&w).document(&Catalogue::built_in(), &Language::EN).expect("notice").to_text();
    assert!(text.contains("(United States): standard contractual clauses (module 3) (Art. 46(2)(c))"), "{text}");
    // The EU-US decision covers certified organisations only: a transfer on clauses does not
    // rely on it, so the notice states that no adequacy decision covers it.
    assert!(
        text.contains(
            "no adequacy decision of the Commission covers this transfer; it relies on standard contractual clauses"
        ),
        "{text}"
    );
}

#[test]
fn art_13_2_b_rights_follow_the_rights_table() {
    let w = world();
    let n = notice(&w);
    let care = &n.activities[0].rights[0];
    assert_eq!(care.basis, LegalBasis::LegitimateInterests);
    assert!(!care.rights.iter().any(|(r, _)| *r == Right::Portability), "no portability under Art. 6(1)(f)");
    assert!(care.rights.iter().any(|(r, _)| *r == Right::Objection));
    let marketing = &n.activities[0].rights[1];
    assert!(marketing.rights.iter().any(|(r, a)| *r == Right::Objection && a.to_string() == "Art. 21(2)"));
    assert!(marketing.rights.iter().any(|(r, _)| *r == Right::WithdrawConsent));
}

#[test]
fn art_13_2_c_consent_withdrawal_section_only_when_a_purpose_relies_on_consent() {
    let w = world();
    let c = Catalogue::built_in();
    assert!(
        notice(&w).document(&c, &Language::EN).expect("n").to_text().contains("Withdrawing consent (Art. 13(2)(c))")
    );
    let mut n = notice(&w);
    n.relies_on_consent = false;
    assert!(!n.document(&c, &Language::EN).expect("n").to_text().contains("Withdrawing consent"));
}

#[test]
fn art_30_1_every_field_of_the_controller_record_is_filled_or_marked() {
    let w = world();
    let record =
        ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain).expect("record");
    let a = &record.activities[0];
    assert!(matches!(a.joint_controllers, Field::NotApplicable { .. }));
    assert!(matches!(a.dpo, Field::NotApplicable { .. }));
    let Field::Filled { value: recipients } = &a.recipients else { panic!("recipients") };
    for p in [&w.vendor, &w.hosting, &w.mailer] {
        assert!(recipients.iter().any(|r| r.party == Some(p.id())), "art. 30(1)(d): {}", p.legal_name());
    }
    let Field::Filled { value: transfers } = &a.transfers else { panic!("art. 30(1)(e): the hosting is in the US") };
    assert_eq!(transfers[0].destination, Country::US.into());
    let csv = record.to_csv(&Catalogue::built_in(), &Language::EN).expect("csv");
    assert_eq!(csv.lines().count(), 1 + 11, "{csv}");
}

/// An activity and the processing chain often describe the same transfer (the US hosting on
/// module 3 clauses): the notice and the record list it once, with the activity's documentation.
#[test]
fn art_13_1_f_and_30_1_e_a_transfer_named_twice_is_listed_once() {
    let w = world();
    let mut repr = w.activity.clone().into_fields();
    repr.transfers = vec![
        gdpr_obligations::model::Transfer::new(w.hosting.legal_name().clone(), Country::US)
            .with_mechanism(gdpr_obligations::vocab::TransferMechanism::StandardContractualClauses {
                module: gdpr_obligations::vocab::SccModule::ProcessorToProcessor,
            })
            .with_transfer_assessment(gdpr_obligations::model::TransferAssessment::new(
                text("US law assessed; encryption at rest"),
                NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            ))
            .with_safeguards_documentation(both(
                "kopie doložek na dpo@shop.example",
                "a copy of the clauses from dpo@shop.example",
            )),
    ];
    let activity = ProcessingActivity::new(repr).expect("activity");
    let record =
        ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&activity), &w.chain).expect("record");
    let Field::Filled { value: transfers } = &record.activities[0].transfers else { panic!("art. 30(1)(e)") };
    assert_eq!(transfers.len(), 1, "{transfers:#?}");
    assert!(transfers[0].safeguards_documentation.is_some());
    let mut input = w;
    input.activity = activity;
    let text = notice(&input).document(&Catalogue::built_in(), &Language::EN).expect("notice").to_text();
    let listed = text
        .lines()
        .filter(|l| l.contains(input.hosting.legal_name().as_str()) && l.contains("(United States):"))
        .count();
    assert_eq!(listed, 1, "{text}");
    assert!(text.contains("a copy of the clauses from dpo@shop.example"), "{text}");
}

#[test]
fn art_30_1_a_representative_of_a_party_outside_the_union_is_a_gap() {
    let w = world();
    let us = Party::builder("US Shop Inc.", Country::US).contact_email("a@us.example").build().expect("us");
    let mut repr = w.activity.clone().into_fields();
    repr.controllers = Controllers::Sole { controller: us.id() };
    let activity = ProcessingActivity::new(repr).expect("activity");
    let chain = ProcessingChain::build([us.clone()], [], []).expect("chain");
    let record = ControllerRecord::build(&us, std::slice::from_ref(&us), &[activity], &chain).expect("record");
    assert_eq!(record.activities[0].representative, Field::Missing { gap: Gap::Representative });
    assert_eq!(Gap::Representative.article().to_string(), "Art. 27(1)");
}

#[test]
fn art_30_2_processor_record_lists_each_controller_and_sub_processor_transfers() {
    let w = world();
    let record = ProcessorRecord::build(&w.vendor, &w.parties, &w.chain).expect("record");
    assert_eq!(record.entries.len(), 1);
    let e = &record.entries[0];
    assert!(matches!(&e.controller, Field::Filled { value } if value.id() == w.shop.id()));
    let Field::Filled { value: transfers } = &e.transfers else { panic!("art. 30(2)(c)") };
    assert_eq!(transfers[0].recipient, *w.hosting.legal_name());
    let hosting = ProcessorRecord::build(&w.hosting, &w.parties, &w.chain).expect("record");
    assert!(matches!(&hosting.entries[0].engaged_by, Field::Filled { value } if value.id() == w.vendor.id()));
    assert!(matches!(&hosting.representative, Field::Missing { gap: Gap::Representative }));
}

#[test]
fn art_12_3_extension_notice_states_reasons_and_new_date() {
    let w = world();
    let c = Catalogue::built_in();
    let en = extension_notice(&extended_request(&w), &w.shop, &c, &Language::EN).expect("letter").to_text();
    // Received Monday 2 March 2026: three months end on Tuesday 2 June 2026 (rule A).
    assert!(en.contains("by two further months, to 2 June 2026"), "{en}");
    assert!(en.contains("the complexity of the request"), "{en}");
    let cs = extension_notice(&extended_request(&w), &w.shop, &c, &Language::CS).expect("letter").to_text();
    assert!(cs.contains("do 2. června 2026"), "{cs}");
    assert!(cs.contains("čl. 12 odst. 3"), "{cs}");
    let not_extended = run(receipt(&w, RequestKind::Access, LegalBasis::Contract), &[]);
    assert!(matches!(extension_notice(&not_extended, &w.shop, &c, &Language::EN), Err(ReportError::NotInState { .. })));
}

#[test]
fn art_12_4_refusal_letter_gives_reasons_and_complaint_information() {
    let w = world();
    let c = Catalogue::built_in();
    let en = refusal_letter(&refused_request(&w), &w.shop, &c, &Language::EN).expect("letter").to_text();
    assert!(en.contains("(Art. 20(1)(a)): the right to data portability is not available"), "{en}");
    assert!(en.contains("lodge a complaint with a supervisory authority (Art. 77): Úřad pro ochranu"), "{en}");
    assert!(en.contains("judicial remedy (Art. 79)"), "{en}");
    let open = run(receipt(&w, RequestKind::Access, LegalBasis::Contract), &[]);
    assert!(matches!(refusal_letter(&open, &w.shop, &c, &Language::CS), Err(ReportError::NotInState { .. })));
}

#[test]
fn art_15_1_cover_letter_lists_points_a_to_h() {
    let w = world();
    let c = Catalogue::built_in();
    let text = access_cover_letter(&access_report(&w), &extended_request(&w), &w.shop, &c, &Language::EN)
        .expect("l")
        .to_text();
    for point in [
        "(a) purposes",
        "(b) categories",
        "(c) recipients",
        "(d) storage",
        "(e) your rights",
        "(f) the right",
        "(g) sources",
        "(h) no automated",
    ] {
        assert!(text.contains(point), "{point}: {text}");
    }
    let mut incomplete = access_report(&w);
    incomplete.complete = false;
    assert!(access_cover_letter(&incomplete, &extended_request(&w), &w.shop, &c, &Language::EN).is_err());
}

#[test]
fn art_33_3_breach_draft_has_points_a_to_d_and_lists_what_is_missing() {
    let w = world();
    let text = breach_notification(&breach(&w), &w.shop, &Catalogue::built_in(), &Language::EN).expect("d").to_text();
    for point in ["Art. 33(3)(a)", "Art. 33(3)(b)", "Art. 33(3)(c)", "Art. 33(3)(d)"] {
        assert!(text.contains(point), "{point}: {text}");
    }
    assert!(text.contains("due by 16 March 2026, 19:30 CET"), "{text}");
    assert!(text.contains("Art. 33(4)"), "the unknown elements follow in phases: {text}");
    assert!(text.contains("the likely consequences"), "{text}");
}

#[test]
fn a_missing_translation_is_a_typed_error_and_an_override_is_used() {
    let w = world();
    let mut c = Catalogue::built_in();
    let german = Language::new("de").expect("de");
    let err = notice(&w).document(&c, &german).unwrap_err();
    assert!(matches!(err, ReportError::MissingTranslation { .. }), "{err}");
    c.set_message(Language::EN, MessageKey::NoticeTitle, "Privacy at ACME").expect("override");
    let doc = notice(&w).document(&c, &Language::EN).expect("notice");
    assert_eq!(doc.title, "Privacy at ACME");
    assert!(matches!(
        c.set_message(Language::EN, MessageKey::NoticeVendor, "{vendor} {taxid}"),
        Err(ReportError::Template { .. })
    ));
}

#[test]
fn html_escapes_party_names() {
    let w = world();
    let html = notice(&w).document(&Catalogue::built_in(), &Language::EN).expect("notice").to_html();
    assert!(html.contains("Cloudhost &lt;Europe&gt; &amp; Co. Inc."), "{html}");
    assert!(!html.contains("<Europe>"));
}

/// Parses a Mermaid flowchart structurally: the header, node definitions with balanced quoted
/// labels, and edges whose ends are defined nodes.
fn parse_flowchart(diagram: &str) -> (HashSet<String>, Vec<(String, String)>) {
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("flowchart LR"), "a flowchart starts with its header");
    let (mut nodes, mut edges) = (HashSet::new(), Vec::new());
    for line in lines {
        let line = line.trim();
        assert_eq!(line.matches('"').count() % 2, 0, "balanced quotes: {line}");
        if let Some((from, rest)) = line.split_once(" -->|\"") {
            let (label, to) = rest.split_once("\"| ").expect("an edge label closes");
            assert!(!label.contains('"'), "{line}");
            edges.push((from.to_owned(), to.to_owned()));
        } else {
            let (id, label) = line.split_once("[\"").expect("a node definition");
            assert!(label.ends_with("\"]"), "{line}");
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{line}");
            nodes.insert(id.to_owned());
        }
    }
    for (from, to) in &edges {
        assert!(nodes.contains(from) && nodes.contains(to), "edge {from} -> {to} between defined nodes");
    }
    (nodes, edges)
}

#[test]
fn mermaid_chain_is_a_flowchart_with_every_party_and_agreement() {
    let w = world();
    let diagram = chain_flowchart(&w.chain, &w.parties).expect("flowchart");
    let (nodes, edges) = parse_flowchart(&diagram);
    assert_eq!(nodes.len(), 4);
    assert_eq!(edges.len(), 3);
    let label = gdpr_obligations::escape::mermaid_label;
    assert!(diagram.contains(&label("US: standard_contractual_clauses.module_3 (Art. 46(2)(c))")), "{diagram}");
    assert!(diagram.contains("Cloudhost #60;Europe#62; #38; Co. Inc."), "{diagram}");
}

#[test]
fn mermaid_lifecycle_is_a_state_diagram_generated_from_decide() {
    let diagram = request_lifecycle();
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("stateDiagram-v2"));
    let state_names: HashSet<&str> = [
        StatusName::AwaitingForwarding,
        StatusName::Open,
        StatusName::AwaitingIdentity,
        StatusName::AwaitingClarification,
        StatusName::AwaitingFee,
        StatusName::InProgress,
        StatusName::Completed,
        StatusName::Refused,
        StatusName::Withdrawn,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let mut seen = HashSet::new();
    for line in lines.map(str::trim).filter(|l| !l.starts_with("%%")) {
        let (from, rest) = line.split_once(" --> ").expect("a transition");
        let to = rest.split(" : ").next().expect("a target");
        for s in [from, to] {
            assert!(s == "[*]" || state_names.contains(s), "unknown state {s} in {line}");
            seen.insert(s.to_owned());
        }
    }
    for s in &state_names {
        assert!(seen.contains(*s), "state {s} is reachable and drawn");
    }
    // The diagram is the state machine: every transition it draws, decide accepts, and the
    // rules show (no completion from open, a refusal from every active state).
    let t = request_lifecycle_transitions();
    assert!(!t.iter().any(|t| t.from == StatusName::Open && t.command == CommandName::Complete));
    for from in [StatusName::Open, StatusName::AwaitingIdentity, StatusName::AwaitingFee, StatusName::InProgress] {
        assert!(t.iter().any(|t| t.from == from && t.command == CommandName::Refuse && t.to == StatusName::Refused));
    }
    assert!(t.iter().any(|t| t.from == StatusName::New && t.to == StatusName::Refused), "Art. 20(1)(a) at receipt");
    for closed in ["completed", "refused", "withdrawn"] {
        assert!(diagram.contains(&format!("    {closed} --> [*]\n")), "{diagram}");
    }
}

fn custom_labels(catalogue: &mut Catalogue, activity: &ProcessingActivity, lang: &Language) {
    let f = activity.fields();
    for p in &f.purposes {
        if let Purpose::Custom(t) = &p.purpose {
            catalogue.set_term(lang.clone(), Vocabulary::Purpose, t.as_str(), t.as_str()).expect("label");
        }
    }
    for d in &f.data_categories {
        if let DataCategory::Custom(t) = d {
            catalogue.set_term(lang.clone(), Vocabulary::DataCategory, t.as_str(), t.as_str()).expect("label");
        }
    }
    for s in &f.subject_categories {
        if let SubjectCategory::Custom(t) = s {
            catalogue.set_term(lang.clone(), Vocabulary::SubjectCategory, t.as_str(), t.as_str()).expect("label");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(48)))]

    /// Art. 13(1)(e): whatever the chain, every processor and sub-processor appears in the
    /// notice with its full legal name, in both languages and in every form.
    #[test]
    fn art_13_1_e_every_recipient_in_the_chain_appears_in_the_notice(
        parties in proptest::collection::vec(gdpr_obligations::testkit::party(), 2..7),
        parents in proptest::collection::vec(any::<prop::sample::Index>(), 5),
    ) {
        let controller = parties[0].clone();
        let mut agreements: Vec<ProcessingAgreement> = vec![ProcessingAgreement::template(controller.id(), parties[1].id(), gdpr_obligations::testkit::signed_facts())];
        for (i, p) in parties.iter().enumerate().skip(2) {
            let parent = agreements[parents[i - 2].index(agreements.len())].clone();
            agreements.push(ProcessingAgreement::sub_processing_template(&parent, p.id(), gdpr_obligations::testkit::signed_facts()));
        }
        let chain = ProcessingChain::build(parties.clone(), agreements, []).expect("chain");
        let complaint = ComplaintInformation::new(text("ÚOOÚ"), text("Art. 79 GDPR"));
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        // Legal review W1, D14: whatever its identifiers, the vendor is named as our processor,
        // never as a third party, and a missing tax id does not fail the notice.
        let n = PrivacyNotice::build(
            &NoticeInput::new(&controller, &parties, &[], &chain, &complaint, as_of).with_vendor(parties[1].id()),
        )
        .expect("notice");
        for lang in [Language::EN, Language::CS] {
            let doc = n.document(&Catalogue::built_in(), &lang).expect("document");
            let (plain, html, md) = (doc.to_text(), doc.to_html(), doc.to_markdown());
            let ours = if lang == Language::CS { "náš zpracovatel " } else { "our processor " };
            let vendor = format!("{ours}{}", parties[1].legal_name());
            prop_assert!(plain.contains(&vendor), "{} missing from {}", vendor, plain);
            prop_assert!(!plain.contains("third part") && !plain.contains("třetí strany"), "{}", plain);
            for p in &parties[1..] {
                let name = p.legal_name().as_str();
                prop_assert!(plain.contains(name), "{} missing from {}", name, plain);
                let escaped = html_escape::encode_text(name).replace('\n', "<br>\n");
                prop_assert!(html.contains(&escaped), "{} missing from the HTML", name);
                prop_assert!(md.contains(&gdpr_obligations::escape::markdown(name)));
            }
        }
    }

    /// Art. 30(1): every field of every entry is filled, not applicable with a reason, or a gap
    /// the law explains; none is blank, in either language.
    #[test]
    fn art_30_1_every_field_is_filled_or_marked_not_applicable(
        controller in gdpr_obligations::testkit::party(),
        activities in proptest::collection::vec(gdpr_obligations::testkit::processing_activity(), 1..4),
    ) {
        let activities: Vec<ProcessingActivity> = activities
            .into_iter()
            .map(|a| {
                let mut repr = a.into_fields();
                repr.controllers = Controllers::Sole { controller: controller.id() };
                ProcessingActivity::new(repr).expect("still valid")
            })
            .collect();
        let chain = ProcessingChain::build([controller.clone()], [], []).expect("chain");
        let record = ControllerRecord::build(&controller, std::slice::from_ref(&controller), &activities, &chain).expect("record");
        prop_assert_eq!(record.activities.len(), activities.len());
        for a in &record.activities {
            if let Field::Missing { gap } = a.representative {
                prop_assert_eq!(gap, Gap::Representative);
                prop_assert!(!controller.country().is_eea());
            }
            if let Field::Missing { gap } = a.controller {
                prop_assert_eq!(gap, Gap::ContactDetails);
                prop_assert!(controller.contact_email().is_none());
            }
            prop_assert!(a.purposes.is_filled() && a.data_categories.is_filled() && a.subject_categories.is_filled());
            prop_assert!(a.erasure_time_limits.is_filled());
        }
        for lang in [Language::EN, Language::CS] {
            let mut catalogue = Catalogue::built_in();
            for a in &activities {
                custom_labels(&mut catalogue, a, &lang);
            }
            let csv = record.to_csv(&catalogue, &lang).expect("csv");
            let mut reader = csv::Reader::from_reader(csv.as_bytes());
            let mut rows = 0;
            for row in reader.records() {
                let row = row.expect("a csv row");
                rows += 1;
                prop_assert!(["filled", "not_applicable", "missing"].contains(&&row[3]), "{:?}", row);
                prop_assert!(!row[4].trim().is_empty(), "a blank field: {:?}", row);
                prop_assert!(row[1].starts_with("Art. 30(1)("), "{:?}", row);
            }
            prop_assert_eq!(rows, 11 * activities.len());
        }
    }
}

#[test]
fn art_13_1_f_notice_never_claims_an_uncovered_partial_adequacy_decision() {
    // Legal review M1: a US importer on the EU-US decision without evidence it is certified is
    // not covered by the decision, and the notice must not say it is.
    let w = world();
    let build = |location: ProcessingLocation| {
        let agreements: Vec<ProcessingAgreement> = w
            .chain
            .agreements()
            .cloned()
            .map(|mut a| {
                if a.processor == w.hosting.id() {
                    a.processing_locations = vec![location.clone()];
                }
                a
            })
            .collect();
        let chain = ProcessingChain::build(w.parties.clone(), agreements, []).expect("chain");
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let input =
            NoticeInput::new(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &chain, &w.complaint, as_of);
        PrivacyNotice::build(&input).expect("notice")
    };
    let uncovered = build(ProcessingLocation::new(Country::US).with_mechanism(TransferMechanism::AdequacyDecision));
    let t = uncovered.transfers.iter().find(|t| t.transfer.recipient == *w.hosting.legal_name()).expect("transfer");
    assert!(!t.adequacy);
    let text = uncovered.document(&Catalogue::built_in(), &Language::EN).expect("notice").to_text();
    assert!(!text.contains("an adequacy decision of the Commission is in force for US"), "{text}");
    let covered = build(gdpr_obligations::testkit::located(Country::US, TransferMechanism::AdequacyDecision));
    let t = covered.transfers.iter().find(|t| t.transfer.recipient == *w.hosting.legal_name()).expect("transfer");
    assert!(t.adequacy);
}

#[test]
fn art_30_2_c_processor_record_carries_the_safeguards_documentation_of_a_location() {
    // Legal review M13: the processor's record documents the suitable safeguards of its
    // transfers (Art. 30(2)(c)), taken from the agreement's processing location.
    let w = world();
    let documentation = both(
        "kopie doložek modulu 3 a posouzení, uložené u pověřence dodavatele",
        "copy of the module 3 clauses and the assessment, kept by the vendor's DPO",
    );
    let agreements: Vec<ProcessingAgreement> = w
        .chain
        .agreements()
        .cloned()
        .map(|mut a| {
            if a.processor == w.hosting.id() {
                for l in &mut a.processing_locations {
                    *l = l.clone().with_safeguards_documentation(documentation.clone());
                }
            }
            a
        })
        .collect();
    let chain = ProcessingChain::build(w.parties.clone(), agreements, []).expect("chain");
    let record = ProcessorRecord::build(&w.vendor, &w.parties, &chain).expect("record");
    let Field::Filled { value: transfers } = &record.entries[0].transfers else { panic!("art. 30(2)(c)") };
    assert_eq!(transfers[0].safeguards_documentation.as_ref(), Some(&documentation));
}

// ---- one language per document ----

/// The English texts of the fixture: none may appear in a Czech document.
const ENGLISH_ONLY: &[&str] = &[
    "Website chat",
    "the visitor's last conversation",
    "answering visitors' questions about orders quickly",
    "Courier companies delivering orders",
    "Giving your name and e-mail in the chat is voluntary",
    "other visitors' chat messages that mention you",
    "TLS 1.3 in transit",
    "role-based access for agents",
];

/// Art. 12(1): the Czech notice, records and access letter carry the controller's Czech texts,
/// and none given in English.
#[test]
fn art_12_1_czech_documents_carry_no_text_given_in_english() {
    // Issue 19, one language per document
    let w = world();
    let c = Catalogue::built_in();
    let notice = notice(&w).document(&c, &Language::CS).expect("notice").to_text();
    let record = ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain)
        .expect("record")
        .document(&c, &Language::CS)
        .expect("record document")
        .to_text();
    for czech in [&notice, &record] {
        for english in ENGLISH_ONLY {
            assert!(!czech.contains(english), "{english:?} in a Czech document:\n{czech}");
        }
        assert!(czech.contains("Chat na webu"), "{czech}");
        assert!(czech.contains("posledního rozhovoru návštěvníka"), "{czech}");
        assert!(czech.contains("přepravní společnosti doručující objednávky"), "{czech}");
    }
    assert!(notice.contains("rychlé zodpovězení dotazů návštěvníků k objednávkám"), "{notice}");
    assert!(notice.contains("Uvedení jména a e-mailu v chatu je dobrovolné"), "{notice}");
    assert!(record.contains("přístup operátorů podle rolí"), "{record}");
}

/// Art. 12(1): a text given in English only is never written into a Czech notice: rendering
/// names the field, the language and the provision, and not the text; the English notice is
/// still written.
#[test]
fn art_12_1_a_text_missing_in_the_language_is_an_error_naming_the_field() {
    // Issue 19, one language per document
    let w = world();
    let mut repr = w.activity.clone().into_fields();
    repr.purposes[0].legitimate_interests =
        Some(LocalizedText::new(Language::EN, text("answering visitors' questions about orders quickly")));
    let activity = ProcessingActivity::new(repr).expect("activity");
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    let input = NoticeInput::new(&w.shop, &w.parties, std::slice::from_ref(&activity), &w.chain, &w.complaint, as_of);
    let notice = PrivacyNotice::build(&input).expect("a controller without a stated language");
    let c = Catalogue::built_in();
    let err = notice.document(&c, &Language::CS).unwrap_err();
    let ReportError::UntranslatedText { language, field, article } = &err else { panic!("{err:?}") };
    assert_eq!(*language, Language::CS);
    assert_eq!(*field, format!("activity {}: purposes[0].legitimate_interests", activity.id()));
    assert_eq!(*article, Article::gdpr(13).paragraph(1).point('d'));
    assert!(err.to_string().starts_with("Art. 13(1)(d): no cs text for activity "), "{err}");
    assert!(!err.to_string().contains("answering"), "the error echoes the text: {err}");
    assert_eq!(notice.untranslated(&Language::CS), std::slice::from_ref(&err));
    assert!(notice.untranslated(&Language::EN).is_empty());
    assert!(notice.document(&c, &Language::EN).is_ok());
    let record =
        ControllerRecord::build(&w.shop, &w.parties, std::slice::from_ref(&activity), &w.chain).expect("record");
    assert!(matches!(record.document(&c, &Language::CS), Err(ReportError::UntranslatedText { .. })));
    assert!(matches!(record.to_csv(&c, &Language::CS), Err(ReportError::UntranslatedText { .. })));

    // A Czech controller's notice must be writable in Czech: building it already refuses.
    let czech_shop = Party::builder("ACME s.r.o.", Country::CZ)
        .id(w.shop.id())
        .contact_email("privacy@acme.example")
        .language(Language::CS)
        .build()
        .expect("shop");
    assert_eq!(czech_shop.language(), Some(&Language::CS));
    let input =
        NoticeInput::new(&czech_shop, &w.parties, std::slice::from_ref(&activity), &w.chain, &w.complaint, as_of);
    assert_eq!(PrivacyNotice::build(&input).unwrap_err(), err);
    let input =
        NoticeInput::new(&czech_shop, &w.parties, std::slice::from_ref(&w.activity), &w.chain, &w.complaint, as_of);
    assert!(PrivacyNotice::build(&input).is_ok());
}

/// Each text of `localized` marked with its language, `§cs§ …`, so that a document shows
/// whose text it carries.
fn marked(localized: &LocalizedText) -> LocalizedText {
    let mut texts = localized.iter().map(|(l, t)| (l.clone(), text(&format!("§{l}§ {t}"))));
    let (first, first_text) = texts.next().expect("a localized text has a language");
    texts.fold(LocalizedText::new(first, first_text), |m, (l, t)| m.with(l, t))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(48)))]

    /// Art. 12(1): whatever languages the activity's name, retention event and Art. 13(2)(e)
    /// statement are given in, a document in one language carries exactly that language's
    /// text, or reports the gap; never another language's text.
    #[test]
    fn art_12_1_a_document_carries_only_its_own_languages_texts(
        name in gdpr_obligations::testkit::localized_text(),
        event in gdpr_obligations::testkit::localized_text(),
        provision in gdpr_obligations::testkit::localized_text(),
    ) {
        // Issue 19, one language per document
        let w = world();
        let (name, event, provision) = (marked(&name), marked(&event), marked(&provision));
        let mut repr = w.activity.clone().into_fields();
        repr.name = name.clone();
        repr.retention = Retention::MonthsAfter { event: event.clone(), months: 24 };
        let activity = ProcessingActivity::new(repr).expect("activity");
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let input = NoticeInput::new(&w.shop, &w.parties, std::slice::from_ref(&activity), &w.chain, &w.complaint, as_of)
            .with_provision(&provision);
        let notice = PrivacyNotice::build(&input).expect("notice");
        for language in [Language::CS, Language::EN] {
            let given = [&name, &event, &provision];
            match notice.document(&Catalogue::built_in(), &language) {
                Ok(doc) => {
                    let plain = doc.to_text();
                    for localized in given {
                        let own = localized.get(&language).expect("rendered, so given");
                        prop_assert!(plain.contains(own.as_str()), "{} missing from {}", own, plain);
                    }
                    for other in given.iter().flat_map(|l| l.languages()).filter(|l| **l != language) {
                        let mark = format!("§{other}§");
                        prop_assert!(!plain.contains(&mark), "{} text in the {} document: {}", other, language, plain);
                    }
                }
                Err(err) => {
                    let ReportError::UntranslatedText { language: missing, .. } = &err else {
                        return Err(TestCaseError::fail(format!("{err:?}")));
                    };
                    prop_assert_eq!(missing, &language);
                    prop_assert!(given.iter().any(|l| l.get(&language).is_none()));
                    prop_assert!(!err.to_string().contains('§'), "the error echoes a text: {}", err);
                }
            }
        }
    }
}

#[test]
fn art_15_1_g_the_access_letter_names_where_the_data_came_from_not_the_storage() {
    // Legal review W3: a readable origin per item, in Czech and English, never `chat_history`.
    let w = world();
    let c = Catalogue::built_in();
    let report = access_report(&w);
    for (lang, expected) in [
        (Language::EN, ["replies of our agents", "the network addresses your device connected from"]),
        (Language::CS, ["odpovědi našich pracovníků", "síťové adresy, ze kterých se vaše zařízení připojilo"]),
    ] {
        let text =
            access_cover_letter(&report, &extended_request(&w), &w.shop, &c, &lang).expect("letter").to_markdown();
        for phrase in expected {
            assert!(text.contains(&gdpr_obligations::escape::markdown(phrase)), "{lang:?}: {phrase} in {text}");
        }
        assert!(!text.contains("chat_history"), "{lang:?}: no storage name in the letter: {text}");
    }
}

// An objection on grounds of a particular situation refused because the data are needed for
// legal claims is refused under the last limb of Art. 21(1): the letter cites it, not the
// erasure exemption of Art. 17(3)(e).
#[test]
fn art_21_1_a_legal_claims_refusal_of_an_objection_cites_art_21_1_in_the_letter() {
    use gdpr_obligations::request::{Exemption, ObjectionGround};
    let w = world();
    let objection = RequestKind::Objection { ground: ObjectionGround::ParticularSituation };
    let verified = [
        Command::VerifyIdentity {
            at: at("2026-03-02T10:00:00Z"),
            subject: gdpr_obligations::model::SubjectId::generate(),
        },
        Command::Refuse {
            at: at("2026-03-03T09:00:00Z"),
            ground: RefusalGround::Exempt { exemption: Exemption::LegalClaims, explanation: None },
            reply: None,
        },
    ];
    let request = run(receipt(&w, objection, LegalBasis::LegitimateInterests), &verified);
    let letter = refusal_letter(&request, &w.shop, &Catalogue::built_in(), &Language::EN).expect("letter").to_text();
    assert!(letter.contains("(Art. 21(1))"), "{letter}");
    assert!(!letter.contains("17(3)(e)"), "{letter}");
}
