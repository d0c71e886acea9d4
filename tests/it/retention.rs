//! Storage limitation and legal holds (Art. 5(1)(e), 17(3)): retention policies, expiry, the
//! sweep across sources, and holds that keep data through sweeps and erasures.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use common::{assert_json_contract, assert_schema_rejects};
use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure, Outcome, RecordKey, Retain, RetentionGround};
use gdpr_obligations::fulfil::{Fulfilment, StepStatus, Sweep, SweepReport, policy_with_holds};
use gdpr_obligations::model::{EmailAddress, PartyId, SourceName, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::retention::{
    HeldRecords, HoldTarget, LegalHold, RetentionEvent, RetentionPeriod, RetentionPolicy, Timeline, apply_holds, expiry,
};
use gdpr_obligations::store::SweepId;
use gdpr_obligations::store::chat::{Author, ChatHistory, ConversationId, Sender, VisitorId};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditLogExt, FoundRecord, LedgerStore, LedgerStoreExt, NoJournal, PersonalDataSource, PseudonymKey,
    RetentionSource, Scope, SweepBatch, Version,
};
use gdpr_obligations::testkit;
use gdpr_obligations::testkit::faults::{Call, Faulty};
use gdpr_obligations::time::{Clock, FixedClock, add_months};
use gdpr_obligations::vocab::{DataCategory, Purpose};
use proptest::prelude::*;

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"a test key of at least sixteen bytes").unwrap()
}

fn chat_history() -> SourceName {
    SourceName::new("chat_history").unwrap()
}

fn from_collection(category: DataCategory, months: u16) -> RetentionPolicy {
    RetentionPolicy::new(Purpose::CustomerCare, category, RetentionPeriod::FromCollection { months }).unwrap()
}

fn after_last_contact(category: DataCategory, months: u16) -> RetentionPolicy {
    let period = RetentionPeriod::AfterEvent { event: RetentionEvent::LastContact, months };
    RetentionPolicy::new(Purpose::CustomerCare, category, period).unwrap()
}

fn claims(matter: &str) -> RetentionGround {
    RetentionGround::LegalClaims { matter: text(matter) }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().unwrap()
}

/// The four categories of `chat_history`'s records.
const CHAT_CATEGORIES: [DataCategory; 4] = [
    DataCategory::Identification,
    DataCategory::OnlineIdentifier,
    DataCategory::UsageBehaviour,
    DataCategory::CommunicationContent,
];

/// Everything the source still stores as personal data in `scope`, by key: every record
/// expires a month after collection and the question is asked in 2200.
async fn stored(source: &dyn RetentionSource, scope: Scope) -> BTreeMap<RecordKey, FoundRecord> {
    let all: Vec<RetentionPolicy> = CHAT_CATEGORIES.iter().map(|c| from_collection(c.clone(), 1)).collect();
    let listed = source.expired(scope, &all, at("2200-01-01T00:00:00Z"), None, usize::MAX).await.unwrap();
    listed.into_iter().map(|f| (f.record.clone(), f)).collect()
}

// ---------------------------------------------------------------------------------------------
// The domain: policies, expiry, holds
// ---------------------------------------------------------------------------------------------

#[test]
fn art_5_1_e_a_period_from_collection_ends_on_the_same_date_or_the_month_end() {
    let policy = from_collection(DataCategory::CommunicationContent, 1);
    let timeline = Timeline::new(at("2024-01-31T10:15:00Z"), None);
    assert_eq!(policy.expires_at(&timeline), Some(at("2024-02-29T10:15:00Z")));
    let timeline = Timeline::new(at("2025-03-05T23:59:00Z"), Some(at("2030-01-01T00:00:00Z")));
    assert_eq!(policy.expires_at(&timeline), Some(at("2025-04-05T23:59:00Z")), "the event does not matter");
    assert_eq!(policy.article().to_string(), "Art. 5(1)(e)");
}

#[test]
fn art_5_1_e_two_years_after_the_visitors_last_conversation() {
    let policy = after_last_contact(DataCategory::CommunicationContent, 24);
    let collected = at("2024-05-01T08:00:00Z");
    let last = at("2025-02-10T17:30:00Z");
    assert_eq!(policy.expires_at(&Timeline::new(collected, Some(last))), Some(at("2027-02-10T17:30:00Z")));
    // The event has not happened: the period has not started.
    assert_eq!(policy.expires_at(&Timeline::new(collected, None)), None);
    // An event before collection does not move the expiry before collection.
    let early = Timeline::new(collected, Some(at("2020-01-01T00:00:00Z")));
    assert_eq!(policy.expires_at(&early), Some(at("2026-05-01T08:00:00Z")));
}

#[test]
fn art_5_1_e_a_period_of_zero_months_is_refused() {
    let zero = RetentionPeriod::FromCollection { months: 0 };
    let err = RetentionPolicy::new(Purpose::CustomerCare, DataCategory::Contact, zero).unwrap_err();
    assert_eq!(err.article.map(|a| a.to_string()).as_deref(), Some("Art. 5(1)(e)"));
    let mut json = serde_json::to_value(from_collection(DataCategory::Contact, 3)).unwrap();
    json["period"]["months"] = 0.into();
    assert!(serde_json::from_value::<RetentionPolicy>(json.clone()).is_err(), "deserialising validates");
    assert_schema_rejects::<RetentionPolicy>(&json);
}

#[test]
fn art_5_1_e_data_kept_for_two_purposes_expire_with_the_later_policy() {
    let collected = at("2024-01-10T00:00:00Z");
    let timeline = Timeline::new(collected, Some(collected));
    let care = from_collection(DataCategory::CommunicationContent, 6);
    let claims = RetentionPolicy::new(
        Purpose::LegalCompliance,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 36 },
    )
    .unwrap();
    let both = [care.clone(), claims];
    assert_eq!(expiry(&both, &DataCategory::CommunicationContent, &timeline), Some(at("2027-01-10T00:00:00Z")));
    assert_eq!(expiry(&[care], &DataCategory::Contact, &timeline), None, "no policy for the category: never");
}

#[test]
fn art_17_3_a_hold_is_validated_and_released_once() {
    let ground = claims("dispute 2026/14");
    let t = at("2026-03-01T00:00:00Z");
    let bad = [
        HoldTarget::Record { source: chat_history(), record: "conversation/1/".parse().unwrap() },
        HoldTarget::Conversation { source: chat_history(), prefix: "conversation/1".parse().unwrap() },
        HoldTarget::Subject { identifiers: vec![] },
    ];
    for target in bad {
        let err = LegalHold::place(target.clone(), text("x"), ground.clone(), t).unwrap_err();
        assert_eq!(err.article.map(|a| a.to_string()).as_deref(), Some("Art. 17(3)"), "{target:?}");
    }
    // An empty record key cannot be built at all, so no hold names one, in Rust or in JSON.
    assert!(RecordKey::new("").is_err());
    let one = HoldTarget::Record { source: chat_history(), record: "visitor/1".parse().unwrap() };
    let mut json = serde_json::to_value(LegalHold::place(one, text("x"), ground.clone(), t).unwrap()).unwrap();
    json["target"]["record"] = "".into();
    assert!(serde_json::from_value::<LegalHold>(json).is_err(), "a hold on an empty record key");
    let hold = LegalHold::place(HoldTarget::Controller, text("tax audit 2026"), ground, t).unwrap();
    assert!(!hold.is_active(t - TimeDelta::seconds(1)) && hold.is_active(t));
    assert!(hold.clone().release(t - TimeDelta::days(1)).is_err(), "released before it was placed");
    let released = hold.release(t + TimeDelta::days(30)).unwrap();
    assert!(released.is_active(t + TimeDelta::days(29)) && !released.is_active(t + TimeDelta::days(30)));
    assert!(released.clone().release(t + TimeDelta::days(31)).is_err(), "released twice");
    let mut json = serde_json::to_value(&released).unwrap();
    json["released_at"] = serde_json::to_value(t - TimeDelta::days(1)).unwrap();
    assert!(serde_json::from_value::<LegalHold>(json).is_err(), "deserialising validates");
}

#[test]
fn art_17_3_e_legal_hold_becomes_retain_entries_ahead_of_the_policys_own() {
    let t = at("2026-03-01T00:00:00Z");
    let ground = claims("complaint 2026/7");
    let other_source = SourceName::new("crm_contacts").unwrap();
    let conversation = HoldTarget::Conversation { source: chat_history(), prefix: "conversation/a/".parse().unwrap() };
    let elsewhere = HoldTarget::Record { source: other_source, record: "contact/1".parse().unwrap() };
    let subject = HoldTarget::Subject { identifiers: vec![email("eva@example.cz")] };
    let holds: Vec<LegalHold> = [conversation, elsewhere, subject, HoldTarget::Controller]
        .into_iter()
        .map(|target| LegalHold::place(target, text("hold"), ground.clone(), t).unwrap())
        .collect();
    let base = ErasurePolicy {
        messages: MessageErasure::Pseudonymise,
        retain: vec![Retain { records: "conversation/a/".parse().unwrap(), ground: RetentionGround::PublicHealth }],
    };
    let mut held = gdpr_obligations::retention::HeldRecords::default();
    held.subjects.insert(holds[2].id(), [RecordKey::new("visitor/e").unwrap()].into());
    held.at_stake = [RecordKey::new("visitor/x").unwrap()].into();
    let policy = apply_holds(&base, &holds, t, &chat_history(), &held);
    assert_eq!(policy.messages, MessageErasure::Pseudonymise);
    let keys: Vec<&str> = policy.retain.iter().map(|r| r.records.as_str()).collect();
    assert_eq!(keys, ["conversation/a/", "visitor/e", "visitor/x", "conversation/a/"]);
    assert_eq!(policy.retention_for("conversation/a/message/1"), Some(&ground), "the hold's ground comes first");
    assert!(policy.retention_for("contact/1").is_none(), "a hold on another source's record");
    // Before they were placed, no hold applies.
    assert_eq!(apply_holds(&base, &holds, t - TimeDelta::days(1), &chat_history(), &held), base);
}

// ---------------------------------------------------------------------------------------------
// ChatHistory: expired data out of processing, before any sweep
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn art_5_1_e_expired_chat_leaves_processing_the_moment_it_expires() {
    let t0 = at("2025-01-15T09:00:00Z");
    let clock = Arc::new(FixedClock::new(t0));
    let chat = ChatHistory::new().with_clock(clock.clone());
    let acme = Scope::of(PartyId::generate());
    let eva = chat.add_visitor(acme, Token::new("tok-eva").unwrap(), t0).await.unwrap();
    chat.add_identifier(acme, eva, email("eva@example.cz"), t0).await.unwrap();
    chat.add_identifier(acme, eva, SubjectIdentifier::IpAddress("198.51.100.7".parse().unwrap()), t0).await.unwrap();
    let talk = chat.start_conversation(acme, eva, t0).await.unwrap();
    chat.post(acme, talk, Sender::Visitor(eva), text("Where is order 42?"), vec![], t0).await.unwrap();
    let later = t0 + TimeDelta::days(40);
    chat.post(acme, talk, Sender::Bot, text("It ships today."), vec![], later).await.unwrap();
    chat.set_retention(
        acme,
        vec![
            from_collection(DataCategory::CommunicationContent, 1),
            from_collection(DataCategory::OnlineIdentifier, 2),
            after_last_contact(DataCategory::Identification, 12),
        ],
    );
    assert_eq!(chat.transcript(acme, talk).await.unwrap().len(), 2);
    clock.set(at("2025-02-15T09:00:00Z") - TimeDelta::seconds(1));
    assert_eq!(chat.transcript(acme, talk).await.unwrap().len(), 2, "a second before it expires");
    clock.set(at("2025-02-15T09:00:00Z"));
    let left = chat.transcript(acme, talk).await.unwrap();
    assert_eq!(left.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(), ["It ships today."]);
    assert_eq!(chat.conversations(acme).await.unwrap()[0].messages, 1);
    // Still stored and found (an access request sees it) until a sweep erases it.
    assert_eq!(chat.find(acme, &[email("eva@example.cz")]).await.unwrap().len(), 4);
    // The IP address leaves the profile after two months; the profile after a year from her
    // last contact (the bot's reply in her conversation).
    clock.set(at("2025-03-15T09:00:00Z"));
    let profile = chat.profile(acme, eva).await.unwrap().unwrap();
    assert!(!profile.identifiers.iter().any(|i| matches!(i, SubjectIdentifier::IpAddress(_))));
    clock.set(later + TimeDelta::days(365) - TimeDelta::seconds(1));
    assert!(chat.profile(acme, eva).await.unwrap().is_some());
    clock.set(later + TimeDelta::days(366));
    assert!(chat.profile(acme, eva).await.unwrap().is_none());
    // Another controller's chat keeps its own (absent) policies.
    let other = Scope::of(PartyId::generate());
    let petr = chat.add_visitor(other, Token::new("tok-petr").unwrap(), t0).await.unwrap();
    assert!(chat.profile(other, petr).await.unwrap().is_some());
}

// ---------------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------------

/// ACME's chat in 2024: Eva's conversation about order 42 (with an agent's reply naming her
/// e-mail), Petr's about shipping; then a recent one of Petr's. Transcripts are kept 12 months.
struct Shop {
    chat: Arc<ChatHistory>,
    ledger: MemoryLedger,
    audit: MemoryAuditLog,
    acme: Scope,
    eva_talk: ConversationId,
    petr: VisitorId,
}

async fn shop() -> Shop {
    let chat = Arc::new(ChatHistory::new());
    let ledger = MemoryLedger::new();
    let acme = Scope::of(PartyId::generate());
    let t = at("2024-03-01T10:00:00Z");
    let eva = chat.add_visitor(acme, Token::new("tok-eva").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, eva, email("eva@example.cz"), t).await.unwrap();
    let eva_talk = chat.start_conversation(acme, eva, t).await.unwrap();
    chat.post(acme, eva_talk, Sender::Visitor(eva), text("Order 42 has not arrived"), vec![], t).await.unwrap();
    let agent = Sender::Agent(text("Jana Nováková"));
    chat.post(acme, eva_talk, agent, text("Sent to eva@example.cz"), vec![], t).await.unwrap();
    let petr = chat.add_visitor(acme, Token::new("tok-petr").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, petr, email("petr@example.cz"), t).await.unwrap();
    let old = chat.start_conversation(acme, petr, t).await.unwrap();
    chat.post(acme, old, Sender::Visitor(petr), text("Do you ship to Brno?"), vec![], t).await.unwrap();
    let recent = at("2025-12-01T10:00:00Z");
    let new = chat.start_conversation(acme, petr, recent).await.unwrap();
    chat.post(acme, new, Sender::Visitor(petr), text("And to Ostrava?"), vec![], recent).await.unwrap();
    ledger.put(acme, &from_collection(DataCategory::CommunicationContent, 12), Version::NONE).await.unwrap();
    Shop { chat, ledger, audit: MemoryAuditLog::new(), acme, eva_talk, petr }
}

fn now() -> DateTime<Utc> {
    at("2026-01-10T00:00:00Z")
}

/// The shop's sources, for fulfilment.
fn sources(s: &Shop) -> Vec<Arc<dyn PersonalDataSource>> {
    vec![s.chat.clone() as Arc<dyn PersonalDataSource>]
}

/// The same sources, for the sweep: the same `Arc<ChatHistory>` coerces to both.
fn swept(s: &Shop) -> Vec<Arc<dyn RetentionSource>> {
    vec![s.chat.clone() as Arc<dyn RetentionSource>]
}

#[tokio::test]
async fn art_5_1_e_the_sweep_erases_what_expired_in_batches_and_audits_it() {
    let s = shop().await;
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s)).with_batch_size(NonZeroUsize::new(1).unwrap());
    let id = SweepId::generate();
    let report = sweep.run(id, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.article.to_string(), "Art. 5(1)(e)");
    assert_eq!(report.sources[0].records, 3, "Eva's message, the reply, Petr's old message");
    assert!(report.sources[0].outcomes.iter().all(|o| o.outcome == Outcome::Erased));
    assert!(report.retained.is_empty());
    assert!(s.chat.transcript(s.acme, s.eva_talk).await.unwrap().is_empty());
    let petrs: Vec<_> = s.chat.conversations(s.acme).await.unwrap();
    assert_eq!(petrs.iter().map(|c| c.messages).sum::<usize>(), 1, "the recent message stays");
    // Profiles and participations have no policy: they stay.
    assert!(s.chat.profile(s.acme, s.petr).await.unwrap().is_some());
    // Audited per source with typed fields only; the log verifies and holds no e-mail.
    let log = s.audit.read_all(s.acme).await.unwrap();
    let steps: Vec<_> = log
        .iter()
        .filter(|r| matches!(&r.entry.action, AuditAction::SweepStep { sweep, .. } if *sweep == id))
        .collect();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].entry.article.map(|a| a.to_string()).as_deref(), Some("Art. 5(1)(e)"));
    assert!(s.audit.verify_all(s.acme).await.is_ok());
    let dump = serde_json::to_string(&log).unwrap();
    assert!(!dump.contains("eva@") && !dump.contains("Order 42"), "invariant 7");
    // Run again: the same report, nothing more erased.
    assert_eq!(sweep.run(id, &ErasurePolicy::default(), now() + TimeDelta::days(400)).await.unwrap(), report);
    // A new sweep a year later takes the recent message too.
    let later = sweep.run(SweepId::generate(), &ErasurePolicy::default(), at("2026-12-02T00:00:00Z")).await.unwrap();
    assert_eq!(later.sources[0].records, 1);
    assert_json_contract(&report);
}

#[tokio::test]
async fn art_5_1_e_a_pseudonymising_sweep_keeps_the_conversation_without_identifiers() {
    let s = shop().await;
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s));
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] };
    let report = sweep.run(SweepId::generate(), &policy, now()).await.unwrap();
    let outcomes: BTreeSet<String> =
        report.sources[0].outcomes.iter().map(|o| serde_json::to_string(&o.outcome).unwrap()).collect();
    assert_eq!(outcomes, [r#"{"outcome":"pseudonymised"}"#.to_owned(), r#"{"outcome":"redacted"}"#.to_owned()].into());
    let transcript = s.chat.transcript(s.acme, s.eva_talk).await.unwrap();
    assert_eq!(transcript.len(), 2);
    assert!(
        matches!(transcript[0].author, Author::Pseudonym(_)) || matches!(transcript[1].author, Author::Pseudonym(_))
    );
    assert!(transcript.iter().any(|m| m.text == "Sent to [redacted e-mail]"));
    // They are no longer personal data: a second sweep finds nothing to do.
    let again = sweep.run(SweepId::generate(), &policy, now()).await.unwrap();
    assert!(again.complete && again.sources[0].outcomes.is_empty());
}

#[tokio::test]
async fn art_17_3_e_legal_hold_on_a_conversation_survives_the_sweep() {
    let s = shop().await;
    let t = at("2025-06-01T00:00:00Z");
    let prefix = format!("conversation/{}/", s.eva_talk);
    let target = HoldTarget::Conversation { source: chat_history(), prefix: prefix.parse().unwrap() };
    let hold = LegalHold::place(target, text("Eva's complaint about order 42"), claims("complaint 2026/7"), t).unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s));
    let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.retained.len(), 2, "both messages of the held conversation");
    assert!(
        report
            .retained
            .iter()
            .all(|r| r.record.as_str().starts_with(&prefix) && r.article.to_string() == "Art. 17(3)(e)")
    );
    assert_eq!(s.chat.find(s.acme, &[email("eva@example.cz")]).await.unwrap().len(), 4, "nothing of Eva erased");
    // Released, the next sweep erases it.
    let released = hold.release(now() + TimeDelta::days(1)).unwrap();
    s.ledger.put(s.acme, &released, Version::new(1)).await.unwrap();
    let after = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now() + TimeDelta::days(2)).await.unwrap();
    assert!(after.retained.is_empty());
    assert!(
        after.sources[0]
            .outcomes
            .iter()
            .any(|o| o.record.as_str().starts_with(&prefix) && o.outcome == Outcome::Erased)
    );
}

#[tokio::test]
async fn art_17_3_e_legal_hold_on_a_subject_survives_their_erasure_and_the_sweep() {
    let s = shop().await;
    let eva = [email("eva@example.cz")];
    let hold = LegalHold::place(
        HoldTarget::Subject { identifiers: vec![SubjectIdentifier::ChatVisitorToken(Token::new("tok-eva").unwrap())] },
        text("Eva's claim for damages"),
        claims("claim 2026/3"),
        at("2025-01-01T00:00:00Z"),
    )
    .unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let holds: Vec<LegalHold> = s.ledger.all::<LegalHold>(s.acme).await.unwrap().into_iter().map(|v| v.value).collect();
    let before = s.chat.find(s.acme, &eva).await.unwrap();
    let policy = policy_with_holds(s.acme, &sources(&s), &holds, &eva, &ErasurePolicy::default(), now()).await.unwrap();
    let key = key();
    let f = Fulfilment::new(s.acme, &s.ledger, &s.audit, sources(&s), &key);
    let report = f.erase(RequestId::generate(), &eva, &policy, now()).await.unwrap();
    assert!(report.complete);
    assert_eq!(report.retained.len(), before.len(), "every one of her records is listed retained");
    assert!(report.retained.iter().all(|r| r.ground == claims("claim 2026/3")));
    assert_eq!(s.chat.find(s.acme, &eva).await.unwrap(), before, "nothing of hers erased");
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s));
    let swept = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now()).await.unwrap();
    assert_eq!(swept.retained.len(), 2, "her expired message and the reply naming her");
    assert_eq!(s.chat.find(s.acme, &eva).await.unwrap(), before);
    // Petr is not held.
    assert!(swept.sources[0].outcomes.iter().any(|o| o.outcome == Outcome::Erased));
}

/// A caller that passes a plain policy cannot erase held data: `Fulfilment::erase` joins the
/// scope's holds from the ledger itself.
#[tokio::test]
async fn art_17_3_e_erasure_keeps_held_data_even_when_the_caller_forgets_the_holds() {
    let s = shop().await;
    let eva = [email("eva@example.cz")];
    let prefix = format!("conversation/{}/", s.eva_talk);
    let hold = LegalHold::place(
        HoldTarget::Conversation { source: chat_history(), prefix: prefix.parse().unwrap() },
        text("complaint about order 42"),
        claims("complaint 2026/14"),
        at("2025-01-01T00:00:00Z"),
    )
    .unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let before = s.chat.transcript(s.acme, s.eva_talk).await.unwrap();
    let key = key();
    let f = Fulfilment::new(s.acme, &s.ledger, &s.audit, sources(&s), &key);
    let report = f.erase(RequestId::generate(), &eva, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete);
    assert!(!report.retained.is_empty(), "the held conversation is reported retained");
    assert!(report.retained.iter().all(|r| r.ground == claims("complaint 2026/14")));
    assert_eq!(s.chat.transcript(s.acme, s.eva_talk).await.unwrap(), before, "the held conversation is intact");
    // Her profile, which no hold covers, is gone.
    assert!(s.chat.find(s.acme, &eva).await.unwrap().iter().all(|r| r.record.as_str().starts_with("conversation/")));
}

#[tokio::test]
async fn art_17_3_e_legal_hold_on_the_controller_stops_every_erasure() {
    let s = shop().await;
    let hold = LegalHold::place(
        HoldTarget::Controller,
        text("preservation order of the court"),
        RetentionGround::LegalObligation { law: text("§ 78 of Act 99/1963 Coll.") },
        at("2025-01-01T00:00:00Z"),
    )
    .unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let before = stored(s.chat.as_ref(), s.acme).await;
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s));
    let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete && report.retained.len() == 3);
    assert!(report.retained.iter().all(|r| r.article.to_string() == "Art. 17(3)(b)"));
    let petr = [email("petr@example.cz")];
    let policy =
        policy_with_holds(s.acme, &sources(&s), &[hold], &petr, &ErasurePolicy::default(), now()).await.unwrap();
    let key = key();
    let erased = Fulfilment::new(s.acme, &s.ledger, &s.audit, sources(&s), &key)
        .erase(RequestId::generate(), &petr, &policy, now())
        .await
        .unwrap();
    assert!(erased.sources[0].outcomes.iter().all(|o| matches!(o.outcome, Outcome::Retained { .. })));
    assert_eq!(stored(s.chat.as_ref(), s.acme).await, before);
}

#[tokio::test]
async fn art_18_2_restricted_records_are_stored_not_swept() {
    let s = shop().await;
    s.chat.restrict(s.acme, &[email("petr@example.cz")]).await.unwrap();
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s));
    let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now()).await.unwrap();
    assert!(report.complete);
    let restricted: Vec<_> = report.sources[0].outcomes.iter().filter(|o| o.outcome == Outcome::Restricted).collect();
    assert_eq!(restricted.len(), 1, "Petr's old message: {report:?}");
    assert!(
        s.chat
            .find(s.acme, &[email("petr@example.cz")])
            .await
            .unwrap()
            .iter()
            .any(|f| f.record == restricted[0].record)
    );
}

#[tokio::test]
async fn a_sweep_is_never_complete_while_a_source_failed() {
    let s = shop().await;
    let (broken, _) = failing_source(&s.chat, 1, false);
    let sweep = Sweep::new(s.acme, &s.ledger, &s.audit, vec![broken]);
    let id = SweepId::generate();
    let failed = sweep.run(id, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(!failed.complete);
    assert!(matches!(failed.sources[0].status, StepStatus::Failed { retryable: true, .. }));
    let log = s.audit.read_all(s.acme).await.unwrap();
    assert!(log.iter().any(|r| matches!(r.entry.action, AuditAction::SweepStep { completed: false, .. })));
    let resumed = sweep.run(id, &ErasurePolicy::default(), now()).await.unwrap();
    assert!(resumed.complete && resumed.sources[0].records == 3);
    assert_eq!(resumed.as_of, failed.as_of);
}

#[tokio::test]
async fn policies_and_holds_are_ledger_documents_per_controller() {
    let ledger = MemoryLedger::new();
    let (c, d) = (Scope::of(PartyId::generate()), Scope::of(PartyId::generate()));
    let policy = from_collection(DataCategory::CommunicationContent, 24);
    let hold = LegalHold::place(HoldTarget::Controller, text("audit"), claims("audit"), now()).unwrap();
    ledger.put(c, &policy, Version::NONE).await.unwrap();
    let v = ledger.put(c, &hold, Version::NONE).await.unwrap();
    let released = hold.clone().release(now() + TimeDelta::days(1)).unwrap();
    ledger.put(c, &released, v).await.unwrap();
    assert_eq!(ledger.get::<RetentionPolicy>(c, policy.id()).await.unwrap().value, policy);
    assert_eq!(ledger.all::<LegalHold>(c).await.unwrap()[0].value, released);
    assert!(ledger.all::<LegalHold>(d).await.unwrap().is_empty(), "invariant 6");
    assert!(ledger.all::<RetentionPolicy>(d).await.unwrap().is_empty(), "invariant 6");
}

/// The source's calls that fail: listing, finding the held, erasing.
const SOURCE_CALLS: &[Call] = &[Call::Find, Call::Expired, Call::EraseRecords];

/// `chat` as a source whose n-th call of `SOURCE_CALLS` fails, once (`n` = 0: never); an erasure
/// after erasing when `after` is set (a crash after the source committed, before the journal
/// did). The flag says whether it has failed.
fn failing_source(chat: &Arc<ChatHistory>, n: usize, after: bool) -> (Arc<dyn RetentionSource>, Arc<AtomicBool>) {
    let (hook, failed) = common::failing(SOURCE_CALLS, after, move |k| k == n);
    (Arc::new(Faulty::new(chat.clone(), hook)), failed)
}

mod contracts_and_sweeps;

// Legal review D8
#[test]
fn art_6_1_a_hold_keeps_data_past_expiry_on_its_own_basis_and_purpose_the_17_3_point_is_for_erasure_answers() {
    use gdpr_obligations::retention::HoldBasis;
    use gdpr_obligations::vocab::LegalBasis;

    let t: DateTime<Utc> = "2026-03-16T09:00:00Z".parse().unwrap();
    let claims = RetentionGround::LegalClaims { matter: text("dispute 2026/14") };
    let hold = LegalHold::place(HoldTarget::Controller, text("complaint about order 42"), claims, t).unwrap();
    // The erasure answer's exception stays Art. 17(3)(e) ...
    assert_eq!(hold.article().to_string(), "Art. 17(3)(e)");
    // ... while keeping the data past their period is processing on Art. 6(1)(f) for a purpose.
    let kept = hold.retention_basis();
    assert_eq!(kept.article().to_string(), "Art. 6(1)(f)");
    assert!(kept.purpose.as_str().contains("legal claims") && kept.purpose.as_str().contains("dispute 2026/14"));
    // A statutory duty to keep is Art. 6(1)(c).
    let law = RetentionGround::LegalObligation { law: text("§ 31 of Act 563/1991 Coll. on accounting") };
    let tax = LegalHold::place(HoldTarget::Controller, text("accounting records"), law, t).unwrap();
    assert_eq!(
        (tax.article().to_string(), tax.retention_basis().article().to_string()),
        ("Art. 17(3)(b)".to_owned(), "Art. 6(1)(c)".to_owned())
    );
    // The controller may name its own; consent cannot carry a hold, in Rust or in JSON.
    let own = HoldBasis::new(LegalBasis::LegalObligation, text("keeping the file for the court's order 12 C 34/2026"));
    let hold = hold.with_basis(own.clone()).unwrap();
    assert_eq!(hold.retention_basis(), own);
    assert_json_contract(&hold);
    let err = hold.clone().with_basis(HoldBasis::new(LegalBasis::Consent, text("the visitor agreed"))).unwrap_err();
    assert_eq!(err.article.map(|a| a.to_string()).as_deref(), Some("Art. 6(1)"));
    let mut json = serde_json::to_value(&hold).unwrap();
    json["basis"]["basis"] = "consent".into();
    assert!(serde_json::from_value::<LegalHold>(json).is_err());
}
