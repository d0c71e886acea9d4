//! Fulfilment across sources: access reports, portable exports, erasure with resumption, and
//! the Art. 19 notices.

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use chrono::{DateTime, Utc};
use common::assert_json_contract;
use gdpr_obligations::erasure::RecordKey;
use gdpr_obligations::erasure::{ErasurePolicy, Outcome, RecordOutcome, Rectification, Retain, RetentionGround};
use gdpr_obligations::fulfil::{FulfilError, Fulfilment, Operation, PORTABLE_FORMAT, StepStatus};
use gdpr_obligations::model::{
    Controllers, EmailAddress, LocalizedText, PartyId, ProcessingActivity, PurposeSpec, Recipient, Retention,
    SourceName, SubjectIdentifier, Text, Token,
};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::store::chat::{ChatHistory, ConversationId, Sender};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditLogExt, DocumentKind, ErasureRecord, ExportItem, ExportStream, FoundRecord, LedgerStore,
    LedgerStoreExt, PersonalDataSource, PseudonymKey, Scope, StoreError, Version,
};
use gdpr_obligations::testkit::faults::{Call, Faulty};
use gdpr_obligations::vocab::Language;
use gdpr_obligations::vocab::{Country, DataCategory, LegalBasis, Purpose, Right, Role, SubjectCategory};

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// A free text in English only: the documents of these tests are written in English.
fn en(s: &str) -> LocalizedText {
    LocalizedText::new(Language::EN, text(s))
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
    ProcessingActivity::builder(
        en("Website chat customer care"),
        Controllers::Sole { controller },
        Retention::MonthsAfter { event: en("the last conversation"), months: 24 },
    )
    .purpose(
        PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests)
            .with_legitimate_interests(en("answering visitors' questions")),
    )
    .data_categories([
        DataCategory::Identification,
        DataCategory::Contact,
        DataCategory::CommunicationContent,
        DataCategory::OnlineIdentifier,
        DataCategory::UsageBehaviour,
    ])
    .subject_categories([SubjectCategory::Visitor])
    .recipients([Recipient::new(en("Chatvendor s.r.o."), Role::Processor, Country::CZ)])
    .security_measures([en("encryption at rest")])
    .build()
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

/// A CRM's contact list: e-mail addresses kept until their subject asks for erasure, under no
/// retention policy. It implements `PersonalDataSource` and not `RetentionSource`: the sweep has
/// nothing to ask of it, and it plugs into `Fulfilment` all the same.
struct CrmContacts {
    name: SourceName,
    /// By record number: the scope, the e-mail, whether restricted.
    contacts: Mutex<BTreeMap<u64, (Scope, SubjectIdentifier, bool)>>,
}

impl CrmContacts {
    fn new() -> Self {
        Self { name: SourceName::new("crm_contacts").unwrap(), contacts: Mutex::new(BTreeMap::new()) }
    }

    fn add(&self, scope: Scope, email: SubjectIdentifier) {
        let mut contacts = self.contacts.lock().unwrap();
        let n = contacts.len() as u64;
        contacts.insert(n, (scope, email, false));
    }

    /// The subject's contacts in `scope`: record key, e-mail, restricted.
    fn of(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Vec<(RecordKey, SubjectIdentifier, bool)> {
        let contacts = self.contacts.lock().unwrap();
        contacts
            .iter()
            .filter(|(_, (s, e, _))| *s == scope && subject.iter().any(|i| i.matches(e)))
            .map(|(n, (_, e, r))| (contact_key(*n), e.clone(), *r))
            .collect()
    }

    fn outcomes(&self, scope: Scope, subject: &[SubjectIdentifier], policy: &ErasurePolicy) -> Vec<RecordOutcome> {
        let outcome = |record: &str| match policy.retention_for(record) {
            Some(ground) => Outcome::Retained { ground: ground.clone() },
            None => Outcome::Erased,
        };
        self.of(scope, subject)
            .into_iter()
            .map(|(record, ..)| RecordOutcome::new(record.clone(), outcome(record.as_str())))
            .collect()
    }

    fn set_restricted(&self, scope: Scope, subject: &[SubjectIdentifier], to: bool) -> Vec<RecordOutcome> {
        let mut contacts = self.contacts.lock().unwrap();
        let mut out = Vec::new();
        for (n, (s, e, restricted)) in contacts.iter_mut() {
            if *s == scope && subject.iter().any(|i| i.matches(e)) {
                let outcome = match (*restricted, to) {
                    (was, now) if was == now => Outcome::Unchanged,
                    (_, true) => Outcome::Restricted,
                    (_, false) => Outcome::RestrictionLifted,
                };
                *restricted = to;
                out.push(RecordOutcome::new(contact_key(*n), outcome));
            }
        }
        out
    }
}

/// The record key of contact number `n`.
fn contact_key(n: u64) -> RecordKey {
    RecordKey::new(format!("contact/{n}")).unwrap()
}

#[async_trait]
impl PersonalDataSource for CrmContacts {
    fn name(&self) -> &SourceName {
        &self.name
    }
    async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
        let found = self.of(scope, subject).into_iter().map(|(record, _, restricted)| FoundRecord {
            record,
            category: DataCategory::Contact,
            collected_at: now(),
            restricted,
        });
        Ok(found.collect())
    }
    async fn export<'a>(
        &'a self,
        scope: Scope,
        subject: &'a [SubjectIdentifier],
    ) -> Result<ExportStream<'a>, StoreError> {
        let items: Vec<ExportItem> = self
            .of(scope, subject)
            .into_iter()
            .map(|(record, email, _)| ExportItem {
                source: self.name.clone(),
                record,
                category: DataCategory::Contact,
                collected_at: now(),
                provided_by_subject: true,
                origin: gdpr_obligations::store::ItemOrigin::SubjectDetails,
                data: serde_json::json!({ "email": email }),
            })
            .collect();
        Ok(Box::pin(futures_util::stream::iter(items.into_iter().map(Ok))))
    }
    async fn erasure_plan(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(self.outcomes(scope, subject, policy))
    }
    async fn erase(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let outcomes = self.outcomes(scope, subject, policy);
        let mut contacts = self.contacts.lock().unwrap();
        for o in outcomes.iter().filter(|o| o.outcome == Outcome::Erased) {
            let n = o.record.as_str().trim_start_matches("contact/").parse::<u64>().unwrap();
            contacts.remove(&n);
        }
        Ok(outcomes)
    }
    async fn rectify(
        &self,
        _: Scope,
        _: &[SubjectIdentifier],
        _: &Rectification,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Err(StoreError::Backend { store: "crm_contacts", source: "the CRM is rectified in its own screens".into() })
    }
    async fn restrict(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(self.set_restricted(scope, subject, true))
    }
    async fn lift_restriction(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(self.set_restricted(scope, subject, false))
    }
}

/// A source without the retention capability serves access and erasure beside one with it: the
/// same `Fulfilment` takes both as `Arc<dyn PersonalDataSource>`.
#[tokio::test]
async fn art_15_17_a_source_without_retention_serves_access_and_erasure() {
    let w = world().await;
    let crm = Arc::new(CrmContacts::new());
    crm.add(w.acme, email("eva@example.cz"));
    crm.add(w.acme, email("petr@example.cz"));
    crm.add(w.other, email("eva@example.cz"));
    let key = key();
    let both = vec![w.chat.clone() as Arc<dyn PersonalDataSource>, crm.clone() as Arc<dyn PersonalDataSource>];
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, both, &key);
    let eva = [email("eva@example.cz")];
    let access = f.access(RequestId::generate(), &eva, now()).await.unwrap();
    assert!(access.complete);
    assert_eq!(access.sources.len(), 2);
    let from_crm: Vec<&ExportItem> = access.copy.iter().filter(|i| i.source.as_str() == "crm_contacts").collect();
    assert_eq!(from_crm.len(), 1, "Art. 15(3): Eva's contact in the CRM, and not Petr's or the other controller's");
    assert_eq!(from_crm[0].data["email"]["value"], "eva@example.cz");
    let erased = f.erase(RequestId::generate(), &eva, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(erased.complete);
    let crm_part = erased.sources.iter().find(|s| s.source.as_str() == "crm_contacts").unwrap();
    assert_eq!(crm_part.outcomes.len(), 1);
    assert_eq!(crm_part.outcomes[0].outcome, Outcome::Erased);
    assert!(crm.find(w.acme, &eva).await.unwrap().is_empty(), "Art. 17(1): erased from the CRM");
    assert!(w.chat.find(w.acme, &eva).await.unwrap().is_empty(), "Art. 17(1): erased from the chat");
    assert_eq!(crm.find(w.acme, &[email("petr@example.cz")]).await.unwrap().len(), 1, "Petr stays");
    assert_eq!(crm.find(w.other, &eva).await.unwrap().len(), 1, "invariant 6: the other controller's Eva stays");
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
            records: format!("conversation/{}/", w.eva_talk).parse().unwrap(),
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

// Legal review D4
#[tokio::test]
async fn art_4_5_pseudonymised_messages_are_reported_as_kept_not_as_erased() {
    use gdpr_obligations::erasure::MessageErasure;

    let w = world().await;
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, ..ErasurePolicy::default() };
    let eva = [email("eva@example.cz")];
    let report = f.erase(RequestId::generate(), &eva, &policy, now()).await.unwrap();
    assert!(report.complete);
    // Eva's own message is kept under a pseudonym: listed apart, with Art. 4(5), never erased.
    assert_eq!(report.pseudonymised.len(), 1, "{:?}", report.pseudonymised);
    let kept = &report.pseudonymised[0];
    assert_eq!(kept.article.to_string(), "Art. 4(5)");
    let outcome = report.sources[0].outcomes.iter().find(|o| o.record == kept.record).map(|o| &o.outcome);
    assert_eq!(outcome, Some(&Outcome::Pseudonymised));
    assert!(report.retained.is_empty(), "no Art. 17(3) ground is claimed for it");
    // Deleting instead reports nothing pseudonymised.
    let w = world().await;
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let report = f.erase(RequestId::generate(), &eva, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.pseudonymised.is_empty());
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
                        o.record.as_str().split('/').nth(2).unwrap_or("visitor"),
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

/// Art. 11(2), 12(6), Recital 64: a subject known only by a name and an IP address (or by
/// nothing) cannot be identified, so every operation refuses with `OnlyWeakIdentifiers` before
/// any source is called, and writes nothing to the ledger or the audit log; the owned streams
/// yield that error as their only item.
#[tokio::test]
async fn art_11_2_12_6_weak_identifiers_alone_are_refused_before_any_source_is_read() {
    use futures_util::StreamExt;
    use gdpr_obligations::testkit::faults::Phase;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let w = world().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let counting = move |_: Call, _: Phase| {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok(())
    };
    let source: Arc<dyn PersonalDataSource> = Arc::new(Faulty::new(w.chat.clone(), counting));
    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, vec![source.clone()], &key);
    let weak = vec![
        SubjectIdentifier::Name(text("Eva Nováková")),
        SubjectIdentifier::IpAddress("198.51.100.7".parse().unwrap()),
    ];
    let refused = |r: Result<(), FulfilError>| matches!(r, Err(FulfilError::OnlyWeakIdentifiers));
    for subject in [&weak[..], &[]] {
        let job = RequestId::generate();
        assert!(refused(f.access(job, subject, now()).await.map(drop)), "access");
        assert!(refused(f.erase(job, subject, &ErasurePolicy::default(), now()).await.map(drop)), "erase");
        assert!(refused(f.restrict(job, subject, now()).await.map(drop)), "restrict");
        assert!(refused(f.lift_restriction(job, subject, now()).await.map(drop)), "lift_restriction");
        let statement = Rectification::Supplement { statement: text("I moved") };
        assert!(refused(f.rectify(job, subject, &statement, now()).await.map(drop)), "rectify");
        let mut out = Vec::new();
        assert!(refused(f.portability(job, subject, now(), &mut out).await.map(drop)), "portability");
        assert!(out.is_empty(), "not even the header is written");
        let mut copy =
            gdpr_obligations::fulfil::access_copy(vec![source.clone()], w.acme, subject.to_vec(), job, now());
        assert!(refused(copy.next().await.unwrap().map(drop)), "access_copy");
        assert!(copy.next().await.is_none(), "the error is the only item");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no source was called");
    assert!(w.ledger.list_documents(w.acme, DocumentKind::FulfilmentJournal).await.unwrap().is_empty());
    assert!(w.audit.read_all(w.acme).await.unwrap().is_empty(), "nothing audited: nothing was done");
    let message = FulfilError::OnlyWeakIdentifiers.to_string();
    assert!(message.contains("Art. 11(2), 12(6)") && message.contains("singles them out"), "{message}");
    // Beside a strong identifier, the same weak ones are accepted, and select only Eva.
    let mut eva = weak.clone();
    eva.push(email("eva@example.cz"));
    let report = f.access(RequestId::generate(), &eva, now()).await.unwrap();
    assert!(report.complete && !report.copy.is_empty());
    assert!(calls.load(Ordering::SeqCst) > 0);
}

#[tokio::test]
async fn art_15_1_c_and_15_2_access_lists_every_processor_of_the_chain_and_its_transfer_safeguard() {
    // Legal review W2: processors and sub-processors are recipients (Art. 4(9)), and a
    // sub-processor outside the EEA is a transfer with its Art. 46 safeguard.
    use gdpr_obligations::agreement::{ProcessingAgreement, SubProcessorAuthorisation};
    use gdpr_obligations::model::Party;
    use gdpr_obligations::vocab::{SccModule, TransferMechanism};
    let w = world().await;
    let shop = Party::builder("ACME s.r.o.", Country::CZ).id(w.acme.controller()).build().unwrap();
    let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build().unwrap();
    let host = Party::builder("Cloudhost Inc.", Country::US).build().unwrap();
    for p in [&shop, &vendor, &host] {
        w.ledger.put(w.acme, p, Version::NONE).await.unwrap();
    }
    let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
    main.sub_processing =
        Some(SubProcessorAuthorisation::General { agreed: vec![host.id()], objection_window_days: 14 });
    let mut sub =
        ProcessingAgreement::sub_processing_template(&main, host.id(), gdpr_obligations::testkit::signed_facts());
    let scc = TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor };
    sub.processing_locations = vec![gdpr_obligations::testkit::located(Country::US, scc)];
    w.ledger.put_agreement(w.acme, &main, Version::NONE).await.unwrap();
    w.ledger.put_agreement(w.acme, &sub, Version::NONE).await.unwrap();

    let key = key();
    let f = Fulfilment::new(w.acme, &w.ledger, &w.audit, sources(&w), &key);
    let report = f.access(RequestId::generate(), &[email("eva@example.cz")], now()).await.unwrap();
    assert!(report.complete);
    let info = &report.activities[0];
    let named: Vec<(Option<PartyId>, Role)> = info.recipients.iter().map(|r| (r.party, r.role)).collect();
    assert!(named.contains(&(Some(vendor.id()), Role::Processor)), "{named:?}");
    assert!(named.contains(&(Some(host.id()), Role::SubProcessor)), "{named:?}");
    let transfer =
        info.transfers.iter().find(|t| t.destination == Country::US.into()).expect("Art. 15(2): the US transfer");
    assert_eq!(transfer.mechanism, Some(scc));
    assert_eq!(transfer.recipient.as_str(), "Cloudhost Inc.");
}
