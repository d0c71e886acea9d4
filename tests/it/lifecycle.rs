//! One write path for every lifecycle (`LedgerStoreExt::execute`): it agrees with the pure
//! replay, decides again on fresh state when another writer wins, gives up after a bounded
//! number of attempts, and keeps every state in its owner's scope.

use crate::common;

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use gdpr_obligations::consent::{Consent, ConsentCommand, ConsentMethod, ConsentRecord, GivenBy, SubjectAge};
use gdpr_obligations::lifecycle::{Lifecycle, Rejected};
use gdpr_obligations::model::{Digest, PartyId, SubjectId, Text};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, ExtensionJustification, ExtensionReason, Processing, Receipt, Request,
    RequestKind, StatusName,
};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditLogExt, DocumentKey, DocumentKind, EXECUTE_ATTEMPTS, ExecuteError, FeedEntry, FeedPosition,
    LedgerStore, LedgerStoreExt, Scope, StoreError, Stored, StreamKey, StreamKind, Version,
};
use gdpr_obligations::testkit;
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{Country, LegalBasis, Purpose};
use proptest::prelude::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn consent_record(controller: PartyId) -> ConsentRecord {
    ConsentRecord::builder(controller, SubjectId::generate(), Purpose::Marketing)
        .at(t("2026-01-01T00:00:00Z"))
        .method(ConsentMethod::ChatWidgetCheckbox)
        .notice(Digest::of_text("Offers by e-mail; withdraw any time in the chat."))
        .given_by(GivenBy::Subject)
        .subject_age(SubjectAge::Adult)
        .country(Country::CZ)
        .build()
        .expect("every element of the proof")
}

/// An access request on a contract: open once received.
fn receipt() -> Receipt {
    Receipt::new(
        PartyId::generate(),
        t("2026-03-02T09:00:00Z"),
        RequestKind::Access,
        Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(Text::new("ÚOOÚ").unwrap(), Text::new("Art. 79 GDPR").unwrap()),
    )
}

fn withdraw(at: &str) -> ConsentCommand {
    ConsentCommand::Withdraw { at: t(at), method: ConsentMethod::WebForm }
}

/// A ledger where, on the first append to a stream, another writer appends its events first:
/// the append then conflicts, as it would against a second process.
#[derive(Debug)]
struct Interloper {
    inner: MemoryLedger,
    first: Mutex<Option<Vec<serde_json::Value>>>,
    /// Every append conflicts: a stream that never settles.
    always: bool,
}

#[async_trait]
impl LedgerStore for Interloper {
    async fn put_document(
        &self,
        scope: Scope,
        key: DocumentKey,
        body: &serde_json::Value,
        expected: Version,
    ) -> Result<Version, StoreError> {
        self.inner.put_document(scope, key, body, expected).await
    }
    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
        self.inner.get_document(scope, key).await
    }
    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
        self.inner.list_documents(scope, kind).await
    }
    async fn append_events(
        &self,
        scope: Scope,
        stream: StreamKey,
        expected: Version,
        events: &[serde_json::Value],
    ) -> Result<Version, StoreError> {
        if self.always {
            return Err(StoreError::Conflict { what: stream.to_string(), expected, found: expected.after(1) });
        }
        let theirs = self.first.lock().unwrap().take();
        if let Some(theirs) = theirs {
            self.inner.append_events(scope, stream, expected, &theirs).await?;
        }
        self.inner.append_events(scope, stream, expected, events).await
    }
    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
        self.inner.read_events(scope, stream).await
    }
    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
        self.inner.list_streams(scope, kind).await
    }
    async fn read_feed(&self, scope: Scope, after: FeedPosition, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        self.inner.read_feed(scope, after, limit).await
    }
}

#[tokio::test]
async fn execute_decides_again_on_fresh_state_when_another_writer_wins() {
    let receipt = receipt();
    let scope = Scope::of(receipt.controller);
    let receive = Command::Receive(Box::new(receipt.clone()));
    let audit = MemoryAuditLog::new();
    let at = receipt.at + chrono::TimeDelta::hours(1);
    // Another desk starts the request between our read and our append.
    let started = testkit::given::<Request>([receive.clone()]).when(Command::Start { at }).then_events();
    let ledger = Interloper { inner: MemoryLedger::new(), first: Mutex::new(None), always: false };
    let _ = ledger.execute::<Request>(&audit, scope, receipt.id, &receive).await.unwrap();
    assert_eq!(ledger.fetch::<Request>(scope, receipt.id).await.unwrap().value.status().name(), StatusName::Open);
    *ledger.first.lock().unwrap() = Some(started.iter().map(|e| serde_json::to_value(e).unwrap()).collect());
    // Our start is decided again on the started request: starting twice is rejected, not
    // appended on top of the other writer's events.
    let ours = ledger.execute::<Request>(&audit, scope, receipt.id, &Command::Start { at }).await;
    let rejection = ours.expect_err("decided again on fresh state").rejection().cloned().expect("a rejection");
    assert_eq!(rejection.state, StatusName::InProgress);
    assert_eq!(rejection.transition(), "start");
    let stored = ledger.fetch::<Request>(scope, receipt.id).await.unwrap();
    assert_eq!(stored.version, Version::NONE.after(1 + started.len()));
    // A command that still applies after the other writer's events is appended after them.
    *ledger.first.lock().unwrap() = Some(
        testkit::given::<Request>([receive.clone(), Command::Start { at }])
            .when(Command::RequestClarification { at, question: Text::new("which chat?").unwrap() })
            .then_events()
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect(),
    );
    let ours = Command::Extend {
        at,
        justification: ExtensionJustification::new(ExtensionReason::Complexity, Text::new("three sources").unwrap()),
        notified_via: Channel::Email,
    };
    let done = ledger.execute::<Request>(&audit, scope, receipt.id, &ours).await.unwrap();
    assert_eq!(done.version, stored.version.after(1 + done.events.len()));
    assert_eq!(done.state.status().name(), StatusName::AwaitingClarification);
    assert!(done.state.extension().is_some());
}

#[tokio::test]
async fn execute_gives_up_after_a_bounded_number_of_conflicts_and_writes_nothing() {
    let receipt = receipt();
    let scope = Scope::of(receipt.controller);
    let ledger = Interloper { inner: MemoryLedger::new(), first: Mutex::new(None), always: true };
    let audit = MemoryAuditLog::new();
    let result =
        ledger.execute::<Request>(&audit, scope, receipt.id, &Command::Receive(Box::new(receipt.clone()))).await;
    assert!(matches!(result, Err(ExecuteError::Contended { attempts: EXECUTE_ATTEMPTS, .. })), "{result:?}");
    assert!(ledger.load::<Request>(scope, receipt.id).await.unwrap().is_none());
    assert!(audit.read_all(scope).await.unwrap().is_empty());
}

#[tokio::test]
async fn art_7_3_a_second_withdrawal_changes_nothing_and_writes_nothing() {
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let record = consent_record(PartyId::generate());
    let scope = Scope::of(record.controller);
    let give = ConsentCommand::Give(record.clone());
    let _ = ledger.execute::<Consent>(&audit, scope, record.id, &give).await.unwrap();
    let first = ledger.execute::<Consent>(&audit, scope, record.id, &withdraw("2026-01-05T00:00:00Z")).await.unwrap();
    assert_eq!((first.version, first.events.len()), (Version::NONE.after(2), 1));
    let second = ledger.execute::<Consent>(&audit, scope, record.id, &withdraw("2026-01-09T00:00:00Z")).await.unwrap();
    assert!(second.events.is_empty());
    assert_eq!(second.version, first.version);
    assert_eq!(second.state.withdrawn().map(|(at, _)| at), Some(t("2026-01-05T00:00:00Z")));
    assert_eq!(audit.read_all(scope).await.unwrap().len(), 2, "one audit entry per change, none for no change");
}

#[tokio::test]
async fn art_7_1_a_consent_is_given_once_and_withdrawn_only_after_it_was_given() {
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let record = consent_record(PartyId::generate());
    let scope = Scope::of(record.controller);
    let early = ledger.execute::<Consent>(&audit, scope, record.id, &withdraw("2026-01-05T00:00:00Z")).await;
    assert!(matches!(early, Err(ExecuteError::NotFound { .. })), "{early:?}");
    let give = ConsentCommand::Give(record.clone());
    let _ = ledger.execute::<Consent>(&audit, scope, record.id, &give).await.unwrap();
    let twice = ledger.execute::<Consent>(&audit, scope, record.id, &give).await;
    let rejection = twice.expect_err("given twice").rejection().cloned().expect("a rejection");
    assert_eq!(rejection.article().map(|a| a.to_string()).as_deref(), Some("Art. 7(1)"));
    let before = ledger.execute::<Consent>(&audit, scope, record.id, &withdraw("2025-12-31T00:00:00Z")).await;
    let rejection = before.expect_err("withdrawn before given").rejection().cloned().expect("a rejection");
    assert_eq!(rejection.article().map(|a| a.to_string()).as_deref(), Some("Art. 7(3)"));
    // In another controller's scope the consent neither exists nor can be created.
    let other = Scope::of(PartyId::generate());
    assert!(ledger.load::<Consent>(other, record.id).await.unwrap().is_none());
    let foreign = ledger.execute::<Consent>(&audit, other, record.id, &give).await;
    assert!(matches!(foreign, Err(ExecuteError::Store(StoreError::Invalid { .. }))), "{foreign:?}");
}

#[tokio::test]
async fn every_transition_is_audited_with_its_stream_version_and_event_names() {
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let record = consent_record(PartyId::generate());
    let scope = Scope::of(record.controller);
    let _ = ledger.execute::<Consent>(&audit, scope, record.id, &ConsentCommand::Give(record.clone())).await.unwrap();
    let _ = ledger.execute::<Consent>(&audit, scope, record.id, &withdraw("2026-01-05T00:00:00Z")).await.unwrap();
    let entries = audit.read_all(scope).await.unwrap();
    let names: Vec<(Version, Vec<String>)> = entries
        .iter()
        .map(|r| match &r.entry.action {
            AuditAction::Transition { stream, version, events } => {
                assert_eq!(*stream, StreamKey { kind: StreamKind::Consent, id: record.id.as_uuid() });
                (*version, events.iter().map(|e| e.as_str().to_owned()).collect())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [(Version::NONE.after(1), vec!["given".to_owned()]), (Version::NONE.after(2), vec!["withdrawn".to_owned()])]
    );
    assert_eq!(entries[1].entry.at, t("2026-01-05T00:00:00Z"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]

    /// Executing any request's commands through the ledger gives the state and the events the
    /// pure replay gives, rejects exactly what `decide` rejects, and stores nothing else.
    #[test]
    fn prop_execute_agrees_with_the_pure_lifecycle((receipt, commands) in testkit::request_script(12)) {
        let scope = Scope::of(receipt.controller);
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
            let mut pure: Option<Request> = None;
            let mut events = Vec::new();
            for command in std::iter::once(Command::Receive(Box::new(receipt.clone()))).chain(commands) {
                let expected = Request::decide_on(pure.as_ref(), &command);
                let executed = ledger.execute::<Request>(&audit, scope, receipt.id, &command).await;
                match (expected, executed) {
                    (Ok(caused), Ok(done)) => {
                        pure = caused.iter().fold(pure, Request::evolve_with);
                        prop_assert_eq!(Some(&done.state), pure.as_ref());
                        prop_assert_eq!(&done.events, &caused);
                        events.extend(caused);
                    }
                    (Err(r), Err(ExecuteError::Rejected(e))) => prop_assert_eq!(r, e),
                    (expected, executed) => prop_assert!(false, "decide {expected:?}, execute {executed:?}"),
                }
            }
            let stored = ledger.fetch::<Request>(scope, receipt.id).await.unwrap();
            prop_assert_eq!(Some(stored.value), Request::replay_events(&events));
            prop_assert_eq!(stored.version, Version::NONE.after(events.len()));
            Ok(())
        })?;
    }
}
