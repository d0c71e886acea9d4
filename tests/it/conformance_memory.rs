//! The in-memory ledger, audit log and `ChatHistory` run the whole conformance kit, directly
//! (through their concrete type) and through `Arc<dyn ...>`, as object_store's in-memory store
//! does.

use std::sync::Arc;

use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{AuditLog, LedgerStore, PersonalDataSource, RetentionSource};
use gdpr_obligations::{
    audit_conformance_tests, ledger_conformance_tests, retention_conformance_tests, source_conformance_tests,
};

ledger_conformance_tests!(memory_ledger, Box::new(MemoryLedger::new()));
ledger_conformance_tests!(memory_ledger_arc_dyn, Arc::new(MemoryLedger::new()) as Arc<dyn LedgerStore>);

/// The memory ledger lives as long as its `Arc`: "reopening" it hands back the same one.
#[tokio::test]
async fn memory_feed_resumes_after_reopening() {
    use gdpr_obligations::testkit::conformance as kit;
    let store = Arc::new(MemoryLedger::new()) as Arc<dyn LedgerStore>;
    let reopen: kit::Reopen = Box::new(|store| Box::pin(async move { Ok(store) }));
    if let Err(e) = kit::feed_resumes_after_reopening(store, reopen).await {
        panic!("{e}");
    }
}

audit_conformance_tests!(memory_audit, Box::new(MemoryAuditLog::new()));
audit_conformance_tests!(memory_audit_arc_dyn, Arc::new(MemoryAuditLog::new()) as Arc<dyn AuditLog>);

source_conformance_tests!(chat_history, {
    let chat = Arc::new(ChatHistory::new());
    (chat.clone(), chat)
});
source_conformance_tests!(chat_history_arc_dyn, {
    let chat = Arc::new(ChatHistory::new());
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(chat_history_retention, {
    let chat = Arc::new(ChatHistory::new());
    (chat.clone(), chat)
});
retention_conformance_tests!(chat_history_retention_arc_dyn, {
    let chat = Arc::new(ChatHistory::new());
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

// A source without retention runs the subject-rights half of the kit alone: `Sloppy` with
// nothing broken implements `PersonalDataSource` only (this also shows that what the mutants
// below break is all that makes the kit fail them).
source_conformance_tests!(a_source_without_retention, {
    let (source, fixture) = mutants::sloppy(true, true, false);
    (Arc::new(source) as Arc<dyn PersonalDataSource>, fixture)
});

/// One source shared by every check at once, as a deployment shares it: the checks use scopes
/// of their own and must not see each other's data.
#[tokio::test]
async fn the_whole_kit_on_one_shared_source() {
    use gdpr_obligations::testkit::conformance as kit;
    let chat = Arc::new(ChatHistory::new());
    let source: &dyn PersonalDataSource = &*chat;
    let fixture: &dyn kit::SourceFixture = &*chat;
    let results = futures_util::future::join_all([
        Box::pin(kit::source_scope_isolation(source, fixture)) as std::pin::Pin<Box<dyn Future<Output = kit::Checked>>>,
        Box::pin(kit::source_erase_is_idempotent(source, fixture)),
        Box::pin(kit::source_export_is_redacted(source, fixture)),
        Box::pin(kit::source_restricted_left_out_of_processing(source, fixture)),
    ])
    .await;
    for r in results {
        if let Err(e) = r {
            panic!("{e}");
        }
    }
}

/// The kit fails implementations that break their contract: each mutant below breaks one
/// sentence, and the check for that sentence says so.
mod mutants {
    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use gdpr_obligations::erasure::{ErasurePolicy, Outcome, RecordKey, RecordOutcome, Rectification};
    use gdpr_obligations::model::{PartyId, SourceName, SubjectIdentifier};
    use gdpr_obligations::retention::RetentionPolicy;
    use gdpr_obligations::store::{
        AuditEntry, AuditRecord, DocumentKey, DocumentKind, ExportStream, FeedEntry, FeedPosition, FoundRecord, Scope,
        StoreError, Stored, StreamKey, StreamKind, Version,
    };
    use gdpr_obligations::testkit::conformance as kit;

    use super::*;

    /// Puts everything in one scope (breaks invariant 6).
    struct OneScope(MemoryLedger, Scope);

    /// Writes whatever the expected version (breaks compare-and-swap).
    struct LastWriterWins(MemoryLedger);

    #[async_trait]
    impl LedgerStore for OneScope {
        async fn put_document(
            &self,
            _: Scope,
            k: DocumentKey,
            b: &serde_json::Value,
            e: Version,
        ) -> Result<Version, StoreError> {
            self.0.put_document(self.1, k, b, e).await
        }
        async fn get_document(&self, _: Scope, k: DocumentKey) -> Result<Option<Stored>, StoreError> {
            self.0.get_document(self.1, k).await
        }
        async fn list_documents(&self, _: Scope, k: DocumentKind) -> Result<Vec<Stored>, StoreError> {
            self.0.list_documents(self.1, k).await
        }
        async fn append_events(
            &self,
            _: Scope,
            s: StreamKey,
            e: Version,
            ev: &[serde_json::Value],
        ) -> Result<Version, StoreError> {
            self.0.append_events(self.1, s, e, ev).await
        }
        async fn read_events(&self, _: Scope, s: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
            self.0.read_events(self.1, s).await
        }
        async fn list_streams(&self, _: Scope, k: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
            self.0.list_streams(self.1, k).await
        }
        async fn read_feed(&self, _: Scope, a: FeedPosition, l: usize) -> Result<Vec<FeedEntry>, StoreError> {
            self.0.read_feed(self.1, a, l).await
        }
    }

    #[async_trait]
    impl LedgerStore for LastWriterWins {
        async fn put_document(
            &self,
            s: Scope,
            k: DocumentKey,
            b: &serde_json::Value,
            _: Version,
        ) -> Result<Version, StoreError> {
            let current = self.0.get_document(s, k).await?.map_or(Version::NONE, |d| d.version);
            self.0.put_document(s, k, b, current).await
        }
        async fn get_document(&self, s: Scope, k: DocumentKey) -> Result<Option<Stored>, StoreError> {
            self.0.get_document(s, k).await
        }
        async fn list_documents(&self, s: Scope, k: DocumentKind) -> Result<Vec<Stored>, StoreError> {
            self.0.list_documents(s, k).await
        }
        async fn append_events(
            &self,
            s: Scope,
            st: StreamKey,
            e: Version,
            ev: &[serde_json::Value],
        ) -> Result<Version, StoreError> {
            self.0.append_events(s, st, e, ev).await
        }
        async fn read_events(&self, s: Scope, st: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
            self.0.read_events(s, st).await
        }
        async fn list_streams(&self, s: Scope, k: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
            self.0.list_streams(s, k).await
        }
        async fn read_feed(&self, s: Scope, a: FeedPosition, l: usize) -> Result<Vec<FeedEntry>, StoreError> {
            self.0.read_feed(s, a, l).await
        }
    }

    /// Breaks the change feed one way at a time: pages come back newest first, or every
    /// third entry is lost.
    struct BrokenFeed {
        inner: MemoryLedger,
        reorders: bool,
    }

    #[async_trait]
    impl LedgerStore for BrokenFeed {
        async fn put_document(
            &self,
            s: Scope,
            k: DocumentKey,
            b: &serde_json::Value,
            e: Version,
        ) -> Result<Version, StoreError> {
            self.inner.put_document(s, k, b, e).await
        }
        async fn get_document(&self, s: Scope, k: DocumentKey) -> Result<Option<Stored>, StoreError> {
            self.inner.get_document(s, k).await
        }
        async fn list_documents(&self, s: Scope, k: DocumentKind) -> Result<Vec<Stored>, StoreError> {
            self.inner.list_documents(s, k).await
        }
        async fn append_events(
            &self,
            s: Scope,
            st: StreamKey,
            e: Version,
            ev: &[serde_json::Value],
        ) -> Result<Version, StoreError> {
            self.inner.append_events(s, st, e, ev).await
        }
        async fn read_events(&self, s: Scope, st: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
            self.inner.read_events(s, st).await
        }
        async fn list_streams(&self, s: Scope, k: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
            self.inner.list_streams(s, k).await
        }
        async fn read_feed(&self, s: Scope, a: FeedPosition, l: usize) -> Result<Vec<FeedEntry>, StoreError> {
            let mut page = self.inner.read_feed(s, a, l).await?;
            if self.reorders {
                page.reverse();
            } else {
                page.retain(|e| e.position.get() % 3 != 0);
            }
            Ok(page)
        }
    }

    /// Numbers one chain across all scopes.
    struct SharedChain(MemoryAuditLog, Scope);

    #[async_trait]
    impl AuditLog for SharedChain {
        async fn append(&self, _: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
            self.0.append(self.1, entry).await
        }
        async fn read(&self, _: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
            self.0.read(self.1, after, limit).await
        }
    }

    /// A source that forgets to erase, restrict, or redact, one at a time. It has no retention
    /// (no `RetentionSource`).
    pub(super) struct Sloppy {
        inner: Arc<ChatHistory>,
        erases: bool,
        restricts: bool,
        exports_everyone: bool,
    }

    #[async_trait]
    impl PersonalDataSource for Sloppy {
        fn name(&self) -> &SourceName {
            self.inner.name()
        }
        async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
            self.inner.find(scope, subject).await
        }
        async fn export<'a>(
            &'a self,
            scope: Scope,
            subject: &'a [SubjectIdentifier],
        ) -> Result<ExportStream<'a>, StoreError> {
            if self.exports_everyone {
                // Exports the subject's conversations with every visitor in them, unredacted.
                let all: Vec<_> = self.inner.conversations(scope).await?;
                let mut texts = Vec::new();
                for c in all {
                    texts.push(serde_json::to_value(self.inner.transcript(scope, c.id).await?).unwrap_or_default());
                }
                let mut items: Vec<_> =
                    futures_util::TryStreamExt::try_collect::<Vec<_>>(self.inner.export(scope, subject).await?).await?;
                if let Some(first) = items.first().cloned() {
                    items.push(gdpr_obligations::store::ExportItem { data: serde_json::Value::Array(texts), ..first });
                }
                return Ok(Box::pin(futures_util::stream::iter(items.into_iter().map(Ok))));
            }
            self.inner.export(scope, subject).await
        }
        async fn erasure_plan(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.erasure_plan(scope, subject, policy).await
        }
        async fn erase(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            if self.erases {
                self.inner.erase(scope, subject, policy).await
            } else {
                self.inner.erasure_plan(scope, subject, policy).await
            }
        }
        async fn rectify(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            r: &Rectification,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.rectify(scope, subject, r).await
        }
        async fn restrict(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            if self.restricts { self.inner.restrict(scope, subject).await } else { Ok(vec![]) }
        }
        async fn lift_restriction(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.lift_restriction(scope, subject).await
        }
    }

    /// Selects a subject by any identifier given, weak ones included, as the crate once did: a
    /// shared name or IP address pulls in another visitor (Art. 11(2), 12(6)).
    struct Promiscuous(Arc<ChatHistory>);

    impl Promiscuous {
        /// The identifiers given, and the strong identifiers of every visitor any of them matches.
        async fn widen(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<SubjectIdentifier>, StoreError> {
            let mut out = subject.to_vec();
            let mut seen = std::collections::BTreeSet::new();
            for c in self.0.conversations(scope).await? {
                for v in c.visitors.into_iter().filter(|v| seen.insert(*v)) {
                    let Some(profile) = self.0.profile(scope, v).await? else { continue };
                    if profile.identifiers.iter().any(|i| subject.iter().any(|g| g.matches(i))) {
                        out.extend(profile.identifiers.into_iter().filter(SubjectIdentifier::is_strong));
                    }
                }
            }
            Ok(out)
        }
    }

    #[async_trait]
    impl PersonalDataSource for Promiscuous {
        fn name(&self) -> &SourceName {
            self.0.name()
        }
        async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
            self.0.find(scope, &self.widen(scope, subject).await?).await
        }
        async fn export<'a>(
            &'a self,
            scope: Scope,
            subject: &'a [SubjectIdentifier],
        ) -> Result<ExportStream<'a>, StoreError> {
            let wide = self.widen(scope, subject).await?;
            let items: Vec<_> = futures_util::TryStreamExt::try_collect(self.0.export(scope, &wide).await?).await?;
            Ok(Box::pin(futures_util::stream::iter(items.into_iter().map(Ok))))
        }
        async fn erasure_plan(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.0.erasure_plan(scope, &self.widen(scope, subject).await?, policy).await
        }
        async fn erase(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.0.erase(scope, &self.widen(scope, subject).await?, policy).await
        }
        async fn rectify(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            r: &Rectification,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.0.rectify(scope, &self.widen(scope, subject).await?, r).await
        }
        async fn restrict(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.0.restrict(scope, &self.widen(scope, subject).await?).await
        }
        async fn lift_restriction(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.0.lift_restriction(scope, &self.widen(scope, subject).await?).await
        }
    }

    /// A source with retention that lists records before they expire, erases what a policy
    /// retains, or reports keys it does not hold as erased, one at a time.
    struct Hasty {
        inner: Arc<ChatHistory>,
        lists_early: bool,
        ignores_retain: bool,
        claims_unheld: bool,
    }

    #[async_trait]
    impl PersonalDataSource for Hasty {
        fn name(&self) -> &SourceName {
            self.inner.name()
        }
        async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
            self.inner.find(scope, subject).await
        }
        async fn export<'a>(
            &'a self,
            scope: Scope,
            subject: &'a [SubjectIdentifier],
        ) -> Result<ExportStream<'a>, StoreError> {
            self.inner.export(scope, subject).await
        }
        async fn erasure_plan(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.erasure_plan(scope, subject, policy).await
        }
        async fn erase(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.erase(scope, subject, policy).await
        }
        async fn rectify(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
            r: &Rectification,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.rectify(scope, subject, r).await
        }
        async fn restrict(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.restrict(scope, subject).await
        }
        async fn lift_restriction(
            &self,
            scope: Scope,
            subject: &[SubjectIdentifier],
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            self.inner.lift_restriction(scope, subject).await
        }
    }

    #[async_trait]
    impl RetentionSource for Hasty {
        async fn expired(
            &self,
            scope: Scope,
            policies: &[RetentionPolicy],
            now: DateTime<Utc>,
            after: Option<&str>,
            limit: usize,
        ) -> Result<Vec<FoundRecord>, StoreError> {
            // Asks as of 2200, when everything has expired.
            let now = if self.lists_early { "2200-01-01T00:00:00Z".parse().unwrap_or(now) } else { now };
            self.inner.expired(scope, policies, now, after, limit).await
        }
        async fn erase_records(
            &self,
            scope: Scope,
            records: &[RecordKey],
            policy: &ErasurePolicy,
        ) -> Result<Vec<RecordOutcome>, StoreError> {
            let policy = if self.ignores_retain {
                ErasurePolicy { retain: Vec::new(), ..policy.clone() }
            } else {
                policy.clone()
            };
            let outcomes = self.inner.erase_records(scope, records, &policy).await?;
            if !self.claims_unheld {
                return Ok(outcomes);
            }
            // What every source did before `NotFound`: a key that is not there is "erased".
            let erased = |o: RecordOutcome| match o.outcome {
                Outcome::NotFound => RecordOutcome::new(o.record, Outcome::Erased),
                _ => o,
            };
            Ok(outcomes.into_iter().map(erased).collect())
        }
    }

    fn hasty(lists_early: bool, ignores_retain: bool) -> (Hasty, Arc<ChatHistory>) {
        let inner = Arc::new(ChatHistory::new());
        (Hasty { inner: inner.clone(), lists_early, ignores_retain, claims_unheld: false }, inner)
    }

    fn scope() -> Scope {
        Scope::of(PartyId::generate())
    }

    pub(super) fn sloppy(erases: bool, restricts: bool, exports_everyone: bool) -> (Sloppy, Arc<ChatHistory>) {
        let inner = Arc::new(ChatHistory::new());
        (Sloppy { inner: inner.clone(), erases, restricts, exports_everyone }, inner)
    }

    fn fails(result: kit::Checked, sentence: &str) {
        match result {
            Err(e) => assert!(e.contains(sentence), "failed for another reason: {e}"),
            Ok(()) => panic!("the kit accepted a store that breaks `{sentence}`"),
        }
    }

    #[tokio::test]
    async fn the_kit_catches_a_ledger_without_scopes() {
        fails(kit::ledger_scope_isolation(&OneScope(MemoryLedger::new(), scope())).await, "scope");
    }

    #[tokio::test]
    async fn the_kit_catches_a_ledger_without_compare_and_swap() {
        let store = LastWriterWins(MemoryLedger::new());
        fails(kit::ledger_stale_write_is_conflict(&store).await, "compare-and-swap");
        fails(kit::ledger_concurrent_writers_one_wins(&store).await, "compare-and-swap");
        fails(kit::ledger_create_existing_is_duplicate(&store).await, "compare-and-swap");
    }

    #[tokio::test]
    async fn the_kit_catches_a_ledger_with_one_feed_for_all_scopes() {
        fails(kit::feed_scope_isolation(&OneScope(MemoryLedger::new(), scope())).await, "change feed, scope");
    }

    #[tokio::test]
    async fn the_kit_catches_a_feed_that_reorders() {
        let store = BrokenFeed { inner: MemoryLedger::new(), reorders: true };
        fails(kit::feed_numbers_every_write_in_order(&store).await, "change feed");
        fails(kit::feed_reads_after_position_within_limit(&store).await, "change feed, paging");
        fails(kit::feed_concurrent_writers_get_distinct_positions(&store).await, "change feed");
    }

    #[tokio::test]
    async fn the_kit_catches_a_feed_that_skips() {
        let store = BrokenFeed { inner: MemoryLedger::new(), reorders: false };
        fails(kit::feed_numbers_every_write_in_order(&store).await, "change feed");
        fails(kit::feed_failed_write_has_no_position(&store).await, "change feed");
        fails(kit::feed_cursor_delivers_at_least_once(&store).await, "Feed, at least once");
    }

    #[tokio::test]
    async fn the_kit_catches_an_audit_log_with_one_chain_for_all_scopes() {
        fails(kit::audit_scope_isolation(&SharedChain(MemoryAuditLog::new(), scope())).await, "scope");
    }

    #[tokio::test]
    async fn the_kit_catches_a_source_that_does_not_erase() {
        let (source, fixture) = sloppy(false, true, false);
        fails(kit::source_erasure_leaves_only_retentions(&source, &*fixture).await, "erasure");
    }

    #[tokio::test]
    async fn the_kit_catches_a_source_that_does_not_restrict() {
        let (source, fixture) = sloppy(true, false, false);
        fails(kit::source_restricted_left_out_of_processing(&source, &*fixture).await, "restriction");
        let (source, fixture) = sloppy(true, false, false);
        fails(kit::source_restricted_still_found_and_exported(&source, &*fixture).await, "restriction");
    }

    #[tokio::test]
    async fn art_5_1_e_the_kit_catches_a_source_that_lists_records_before_they_expire() {
        let (source, fixture) = hasty(true, false);
        fails(kit::source_expired_lists_only_expired(&source, &*fixture).await, "RetentionSource, expiry");
    }

    #[tokio::test]
    async fn art_17_3_the_kit_catches_a_sweep_erasure_that_ignores_retention() {
        let (source, fixture) = hasty(false, true);
        let check = kit::source_erase_records_keeps_retained_and_restricted(&source, &*fixture).await;
        fails(check, "RetentionSource, record erasure");
    }

    #[tokio::test]
    async fn art_11_2_the_kit_catches_a_source_that_selects_by_a_shared_name_or_ip_address() {
        let chat = Arc::new(ChatHistory::new());
        let source = Promiscuous(chat.clone());
        fails(kit::source_weak_identifiers_select_nobody(&source, &*chat).await, "weak identifiers");
        // The rest of the kit does not notice: only the new sentence catches it.
        let chat = Arc::new(ChatHistory::new());
        let source = Promiscuous(chat.clone());
        kit::source_erasure_spares_other_subjects(&source, &*chat).await.unwrap_or_else(|e| panic!("{e}"));
    }

    #[tokio::test]
    async fn art_17_the_kit_catches_a_record_erasure_that_reports_another_scopes_keys_erased() {
        let inner = Arc::new(ChatHistory::new());
        let source = Hasty { inner: inner.clone(), lists_early: false, ignores_retain: false, claims_unheld: true };
        let check = kit::source_erase_records_of_another_scope_not_found(&source, &*inner).await;
        fails(check, "RetentionSource, record erasure");
    }

    #[tokio::test]
    async fn the_kit_catches_an_export_with_other_peoples_data() {
        let (source, fixture) = sloppy(true, true, true);
        fails(kit::source_export_is_redacted(&source, &*fixture).await, "export");
    }
}
