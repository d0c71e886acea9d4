//! Fulfilment across sources: access reports, portable exports, erasure with resumption, and
//! the Art. 19 notices.

use crate::common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::assert_json_contract;
use gdpr_obligations::fulfil::{FulfilError, Fulfilment, Operation, PORTABLE_FORMAT, StepStatus};
use gdpr_obligations::model::{
    ActivityId, Controllers, EmailAddress, PartyId, ProcessingActivity, ProcessingActivityRepr, PurposeSpec, Recipient,
    Retention, SubjectIdentifier, Text, Token,
};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::store::chat::{ChatHistory, ConversationId, Sender};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditLogExt, DocumentKind, ErasurePolicy, ErasureRecord, FoundRecord, LedgerStore, LedgerStoreExt,
    Outcome, PersonalDataSource, PseudonymKey, Rectification, Retain, RetentionGround, Scope, Version,
};
use gdpr_obligations::testkit::faults::{Call, Faulty};
use gdpr_obligations::vocab::{Country, DataCategory, LegalBasis, Purpose, Right, Role, SubjectCategory};

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn now() -> DateTime<Utc> {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"a test key of at least sixteen bytes").unwrap()
}

fn activity(controller: PartyId) -> ProcessingActivity {
    ProcessingActivity::new(ProcessingActivityRepr {
        id: ActivityId::generate(),
        name: text("Website chat customer care"),
        controllers: Controllers::Sole { controller },
        purposes: vec![PurposeSpec {
            purpose: Purpose::CustomerCare,
            basis: LegalBasis::LegitimateInterests,
            legitimate_interests: Some(text("answering visitors' questions")),
            special_category_condition: None,
        }],
        data_categories: vec![
            DataCategory::Identification,
            DataCategory::Contact,
            DataCategory::CommunicationContent,
            DataCategory::OnlineIdentifier,
            DataCategory::UsageBehaviour,
        ],
        may_contain_special_categories: false,
        criminal_data_authority: None,
        subject_categories: vec![SubjectCategory::Visitor],
        recipients: vec![Recipient {
            party: None,
            name: text("Chatvendor s.r.o."),
            role: Role::Processor,
            country: Country::CZ,
        }],
        transfers: vec![],
        retention: Retention::MonthsAfter { event: text("the last conversation"), months: 24 },
        security_measures: vec![text("encryption at rest")],
        automated_decision_making: None,
    })
    .unwrap()
}

/// ACME's chat with Eva (who gives her e-mail) and Petr; another controller's visitor with
/// Eva's e-mail too.
struct World {
    chat: Arc<ChatHistory>,
    ledger: MemoryLedger,
    audit: MemoryAuditLog,
    acme: Scope,
    other: Scope,
    eva_talk: ConversationId,
}

async fn world() -> World {
    let chat = Arc::new(ChatHistory::new());
    let ledger = MemoryLedger::new();
    let acme = Scope::of(PartyId::generate());
    let other = Scope::of(PartyId::generate());
    ledger.put(acme, &activity(acme.controller()), Version::NONE).await.unwrap();
    let t = now();
    let eva = chat.add_visitor(acme, Token::new("tok-eva").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, eva, email("eva@example.cz"), t).await.unwrap();
    let eva_talk = chat.start_conversation(acme, eva, t).await.unwrap();
    chat.post(acme, eva_talk, Sender::Visitor(eva), text("Hi, order 42 has not arrived"), vec![], t).await.unwrap();
    chat.post(acme, eva_talk, Sender::Agent(text("Jana Nováková")), text("Sent to eva@example.cz today"), vec![], t)
        .await
        .unwrap();
    let petr = chat.add_visitor(acme, Token::new("tok-petr").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, petr, email("petr@example.cz"), t).await.unwrap();
    let petr_talk = chat.start_conversation(acme, petr, t).await.unwrap();
    chat.post(acme, petr_talk, Sender::Visitor(petr), text("Do you ship to Brno?"), vec![], t).await.unwrap();
    let twin = chat.add_visitor(other, Token::new("tok-eva").unwrap(), t).await.unwrap();
    chat.add_identifier(other, twin, email("eva@example.cz"), t).await.unwrap();
    World { chat, ledger, audit: MemoryAuditLog::new(), acme, other, eva_talk }
}

fn sources(w: &World) -> Vec<Arc<dyn PersonalDataSource>> {
    vec![w.chat.clone() as Arc<dyn PersonalDataSource>]
}

#[tokio::test]
async fn art_15_access_report_has_the_information_and_a_redacted_copy() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let report = f.access(RequestId::generate(), &[email("eva@example.cz")], now()).await.unwrap();
    assert!(report.complete && report.processing);
    assert_eq!(report.complaint.to_string(), "Art. 77");
    assert!(report.categories.contains(&DataCategory::CommunicationContent));
    let info = &report.activities[0];
    assert!(info.rights.contains(&Right::Objection), "legitimate interests: Art. 21(1)");
    assert!(!info.rights.contains(&Right::Portability), "legitimate interests: no Art. 20");
    assert!(!report.sources_not_from_subject.is_empty(), "Art. 15(1)(g): IPs and replies are not from her");
    let copy = serde_json::to_string(&report.copy).unwrap();
    assert!(copy.contains("order 42"));
    assert!(!copy.contains("petr") && !copy.contains("Brno"), "Art. 15(4): no other subject's data");
    assert!(!copy.contains("Nováková"), "Art. 15(4): the agent appears by role");
    assert_json_contract(&report);
}

#[tokio::test]
async fn art_20_portable_export_is_json_lines_of_what_the_subject_provided() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let mut out = Vec::new();
    let written = f.portability(RequestId::generate(), &[email("eva@example.cz")], now(), &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["format"], PORTABLE_FORMAT);
    assert_eq!(lines.len() as u64, written + 1);
    assert!(lines[1..].iter().all(|l| l["provided_by_subject"] == true));
    assert!(text.contains("order 42") && !text.contains("Sent to"), "the agent's reply was not provided by her");
}

#[tokio::test]
async fn art_17_erasure_is_recorded_audited_and_notifies_recipients_under_art_19() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let job = RequestId::generate();
    let eva = [email("eva@example.cz")];
    let report = f.erase(job, &eva, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.article.to_string(), "Art. 17");
    assert!(report.sources[0].outcomes.iter().any(|o| o.outcome == Outcome::Erased));
    assert!(report.sources[0].outcomes.iter().any(|o| o.outcome == Outcome::Redacted));
    assert_eq!(report.notices.len(), 1);
    assert_eq!(report.notices[0].article.to_string(), "Art. 19");
    assert!(w.chat.find(w.acme, &eva).await.unwrap().is_empty(), "invariant 4");
    assert_eq!(w.chat.find(w.other, &eva).await.unwrap().len(), 1, "invariant 6: the other controller's Eva stays");
    assert!(!w.chat.find(w.acme, &[email("petr@example.cz")]).await.unwrap().is_empty(), "Petr stays");
    // Recorded once, pseudonymously; audited; the audit log verifies and holds no e-mail.
    let erasures = w.ledger.all::<ErasureRecord>(w.acme).await.unwrap();
    assert_eq!(erasures.len(), 1);
    let log = w.audit.read_all(w.acme).await.unwrap();
    assert!(log.iter().any(|r| matches!(r.entry.action, AuditAction::ErasureCompleted { .. })));
    assert!(w.audit.verify_all(w.acme).await.is_ok());
    assert!(!serde_json::to_string(&log).unwrap().contains("eva@"), "invariant 7");
    assert_json_contract(&report);
    // After a backup restore, the erasure ledger says who to erase again, by any identifier.
    assert_eq!(f.erasures_of(&[email("EVA@example.cz")]).await.unwrap().len(), 1);
    assert!(f.erasures_of(&[email("petr@example.cz")]).await.unwrap().is_empty());
    let other = Fulfilment::new(w.other, &w.ledger, &w.audit, sources(&w), &key);
    assert!(other.erasures_of(&eva).await.unwrap().is_empty(), "invariant 6");
    // Invariant 10: again, the same report, nothing more recorded.
    let again = f.erase(job, &eva, &ErasurePolicy::default(), now()).await.unwrap();
    assert_eq!(again, report);
    assert_eq!(w.ledger.all::<ErasureRecord>(w.acme).await.unwrap().len(), 1);
}

#[tokio::test]
async fn art_17_3_retained_records_are_listed_with_their_ground() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let policy = ErasurePolicy {
        retain: vec![Retain {
            records: format!("conversation/{}/", w.eva_talk),
            ground: RetentionGround::LegalClaims { matter: text("complaint 2026/7 about order 42") },
        }],
        ..ErasurePolicy::default()
    };
    let eva = [email("eva@example.cz")];
    let report = f.erase(RequestId::generate(), &eva, &policy, now()).await.unwrap();
    assert!(report.complete);
    assert!(!report.retained.is_empty());
    assert!(report.retained.iter().all(|r| r.article.to_string() == "Art. 17(3)(e)"));
    let left: Vec<FoundRecord> = w.chat.find(w.acme, &eva).await.unwrap();
    assert!(left.iter().all(|r| report.retained.iter().any(|k| k.record == r.record)), "only listed retentions remain");
}

/// What a report says, without the record ids (which differ between two worlds).
fn shape(report: &gdpr_obligations::fulfil::StepReport) -> Vec<(String, Vec<String>)> {
    report
        .sources
        .iter()
        .map(|s| {
            let mut kinds: Vec<String> = s
                .outcomes
                .iter()
                .map(|o| {
                    format!(
                        "{}:{}",
                        o.record.split('/').nth(2).unwrap_or("visitor"),
                        serde_json::to_string(&o.outcome).unwrap()
                    )
                })
                .collect();
            kinds.sort();
            (s.source.to_string(), kinds)
        })
        .collect()
}

#[tokio::test]
async fn invariant_10_an_interrupted_erasure_resumes_to_the_same_state_and_report() {
    let key = key();
    let eva = [email("eva@example.cz")];
    let policy = ErasurePolicy::default();
    // Uninterrupted, in a twin world.
    let twin = world().await;
    let reference = Fulfilment::new(twin.acme, &twin.ledger, &twin.audit, sources(&twin), &key)
        .erase(RequestId::generate(), &eva, &policy, now())
        .await
        .unwrap();
    for after_erasing in [false, true] {
        let w = world().await;
        // `erase` fails twice, then behaves; with `after_erasing`, after it erased (a crash after
        // the source committed but before the journal did).
        let (hook, _) = common::failing(&[Call::Erase], after_erasing, |n| n <= 2);
        let flaky: Arc<dyn PersonalDataSource> = Arc::new(Faulty::new(w.chat.clone(), hook));
        let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, vec![flaky], &key);
        let job = RequestId::generate();
        for _ in 0..2 {
            let failed = f.erase(job, &eva, &policy, now()).await.unwrap();
            assert!(!failed.complete, "never complete while a source failed");
            assert!(matches!(failed.sources[0].status, StepStatus::Failed { retryable: true, .. }));
            assert!(failed.notices.is_empty() || after_erasing);
            assert!(
                w.ledger.all::<ErasureRecord>(w.acme).await.unwrap().is_empty(),
                "not recorded before it completes"
            );
        }
        let resumed = f.erase(job, &eva, &policy, now()).await.unwrap();
        assert!(resumed.complete);
        assert_eq!(shape(&resumed), shape(&reference), "after_erasing: {after_erasing}");
        assert_eq!(resumed.notices, reference.notices);
        assert!(w.chat.find(w.acme, &eva).await.unwrap().is_empty());
        assert!(!w.chat.find(w.acme, &[email("petr@example.cz")]).await.unwrap().is_empty());
        assert!(w.audit.verify_all(w.acme).await.is_ok());
    }
}

#[tokio::test]
async fn art_18_restriction_and_lifting_report_final_states_and_are_idempotent() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let eva = [email("eva@example.cz")];
    let job = RequestId::generate();
    let restricted = f.restrict(job, &eva, now()).await.unwrap();
    assert!(restricted.complete && restricted.article.to_string() == "Art. 18(1)");
    assert!(restricted.sources[0].outcomes.iter().all(|o| o.outcome == Outcome::Restricted));
    assert!(w.chat.transcript(w.acme, w.eva_talk).await.unwrap().is_empty(), "Art. 18(2): out of processing");
    assert!(!w.chat.find(w.acme, &eva).await.unwrap().is_empty(), "Art. 18(2): still stored");
    assert_eq!(f.restrict(job, &eva, now()).await.unwrap(), restricted);
    let lifted = f.lift_restriction(RequestId::generate(), &eva, now()).await.unwrap();
    assert_eq!(lifted.article.to_string(), "Art. 18(3)");
    assert!(lifted.notices.is_empty(), "Art. 19 covers rectification, erasure and restriction only");
    assert!(!w.chat.transcript(w.acme, w.eva_talk).await.unwrap().is_empty());
}

#[tokio::test]
async fn art_16_rectification_replaces_the_identifier() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let fix = Rectification::Replace { old: email("eva@example.cz"), new: email("eva.novakova@example.cz") };
    let report = f.rectify(RequestId::generate(), &[email("eva@example.cz")], &fix, now()).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.operation, Operation::Rectification);
    assert!(!w.chat.find(w.acme, &[email("eva.novakova@example.cz")]).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_job_id_cannot_be_reused_for_another_operation() {
    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let job = RequestId::generate();
    f.restrict(job, &[email("eva@example.cz")], now()).await.unwrap();
    let err = f.erase(job, &[email("eva@example.cz")], &ErasurePolicy::default(), now()).await.unwrap_err();
    assert!(matches!(err, FulfilError::WrongOperation { .. }));
    assert!(w.ledger.list_documents(w.acme, DocumentKind::FulfilmentJournal).await.unwrap().len() == 1);
}
