//! Fault injection for drills: [`Faulty`] wraps a ledger, an audit log or a personal-data
//! source and asks a hook before and after each of its calls, so that a test can fail a call
//! before it is made, fail it after it was carried out (the reply lost on the way, a crash after
//! the commit), or stop the process at any point of a run, and then check that the fulfilment
//! or the sweep resumes to the same report (invariant 10) with nothing half-written.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use gdpr_obligations::model::PartyId;
//! use gdpr_obligations::store::memory::MemoryLedger;
//! use gdpr_obligations::store::{DocumentKey, DocumentKind, LedgerStore, Scope, StoreError, Version};
//! use gdpr_obligations::testkit::faults::{Call, Faulty, Phase};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! // The second write is carried out, and then its reply is lost.
//! let writes = AtomicUsize::new(0);
//! let ledger = Faulty::new(Arc::new(MemoryLedger::new()), move |call: Call, phase: Phase| {
//!     let lost = call.writes() && phase == Phase::After && writes.fetch_add(1, Ordering::SeqCst) == 1;
//!     if lost { Err(StoreError::Backend { store: "faulty", source: "connection reset".into() }) } else { Ok(()) }
//! });
//! let scope = Scope::of(PartyId::generate());
//! let key = DocumentKey { kind: DocumentKind::SweepJournal, id: uuid::Uuid::now_v7() };
//! let v1 = ledger.put_document(scope, key, &serde_json::json!({"n": 1}), Version::NONE).await?;
//! assert!(ledger.put_document(scope, key, &serde_json::json!({"n": 2}), v1).await.is_err());
//! let stored = ledger.get_document(scope, key).await?.ok_or("stored")?;
//! assert_eq!(stored.body, serde_json::json!({"n": 2}), "written, though its caller saw an error");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::future::Future;
use std::ops::Deref;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::erasure::{ErasurePolicy, RecordKey, RecordOutcome, Rectification};
use crate::model::{SourceName, SubjectIdentifier};
use crate::retention::RetentionPolicy;
use crate::store::{
    AuditEntry, AuditLog, AuditRecord, DocumentKey, DocumentKind, ExportStream, FeedEntry, FeedPosition, FoundRecord,
    LedgerStore, PersonalDataSource, RetentionSource, Scope, StoreError, Stored, StreamKey, StreamKind, Version,
};

/// A call of a wrapped store, as a [`Faulty`] hook is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Call {
    /// [`LedgerStore::put_document`].
    PutDocument,
    /// [`LedgerStore::get_document`].
    GetDocument,
    /// [`LedgerStore::list_documents`].
    ListDocuments,
    /// [`LedgerStore::append_events`].
    AppendEvents,
    /// [`LedgerStore::read_events`].
    ReadEvents,
    /// [`LedgerStore::list_streams`].
    ListStreams,
    /// [`LedgerStore::read_feed`].
    ReadFeed,
    /// [`AuditLog::append`].
    AuditAppend,
    /// [`AuditLog::read`].
    AuditRead,
    /// [`PersonalDataSource::find`].
    Find,
    /// [`PersonalDataSource::export`] (the stream's creation, not its reading).
    Export,
    /// [`PersonalDataSource::erasure_plan`].
    ErasurePlan,
    /// [`PersonalDataSource::erase`].
    Erase,
    /// [`PersonalDataSource::rectify`].
    Rectify,
    /// [`PersonalDataSource::restrict`].
    Restrict,
    /// [`PersonalDataSource::lift_restriction`].
    LiftRestriction,
    /// [`RetentionSource::expired`].
    Expired,
    /// [`RetentionSource::erase_records`].
    EraseRecords,
}

impl Call {
    /// Whether the call writes: the points a crash drill stops at.
    ///
    /// ```
    /// use gdpr_obligations::testkit::faults::Call;
    /// assert!(Call::AppendEvents.writes() && Call::Erase.writes());
    /// assert!(!Call::Find.writes() && !Call::Expired.writes());
    /// ```
    #[must_use]
    pub fn writes(self) -> bool {
        matches!(
            self,
            Call::PutDocument
                | Call::AppendEvents
                | Call::AuditAppend
                | Call::Erase
                | Call::Rectify
                | Call::Restrict
                | Call::LiftRestriction
                | Call::EraseRecords
        )
    }
}

/// When a [`Faulty`] hook is asked about a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the call is made: an error from the hook is returned instead, and the call is
    /// not made.
    Before,
    /// After the call was carried out, whatever its result: an error from the hook is returned
    /// instead of the result, and what the call did stays done.
    After,
}

/// The hook of a [`Faulty`].
type Hook = Box<dyn Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync>;

/// A ledger ([`LedgerStore`]), audit log ([`AuditLog`]) or source ([`PersonalDataSource`], and
/// [`RetentionSource`] when the source it wraps is one) that asks a hook before and after every
/// call it passes on to the store it wraps, held as a pointer (`Arc<S>`, `Box<S>`, `&S`) so that
/// the test keeps using the store itself too. The hook decides: `Ok(())` lets the call (or its
/// result) through, an error replaces it (see [`Phase`]); it may keep counts, and it may stop the
/// process (a crash drill). Example in the [module documentation](self).
pub struct Faulty<S> {
    inner: S,
    hook: Hook,
}

impl<S> std::fmt::Debug for Faulty<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faulty").finish_non_exhaustive()
    }
}

impl<S> Faulty<S> {
    /// `inner`, with `hook` asked before and after each call.
    pub fn new(inner: S, hook: impl Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync + 'static) -> Self {
        Self { inner, hook: Box::new(hook) }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    async fn around<T>(&self, call: Call, run: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        (self.hook)(call, Phase::Before)?;
        let out = run.await;
        (self.hook)(call, Phase::After)?;
        out
    }
}

#[async_trait]
impl<S> LedgerStore for Faulty<S>
where
    S: Deref + Send + Sync,
    S::Target: LedgerStore,
{
    async fn put_document(
        &self,
        scope: Scope,
        key: DocumentKey,
        body: &serde_json::Value,
        expected: Version,
    ) -> Result<Version, StoreError> {
        self.around(Call::PutDocument, self.inner.put_document(scope, key, body, expected)).await
    }
    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
        self.around(Call::GetDocument, self.inner.get_document(scope, key)).await
    }
    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
        self.around(Call::ListDocuments, self.inner.list_documents(scope, kind)).await
    }
    async fn append_events(
        &self,
        scope: Scope,
        stream: StreamKey,
        expected: Version,
        events: &[serde_json::Value],
    ) -> Result<Version, StoreError> {
        self.around(Call::AppendEvents, self.inner.append_events(scope, stream, expected, events)).await
    }
    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
        self.around(Call::ReadEvents, self.inner.read_events(scope, stream)).await
    }
    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
        self.around(Call::ListStreams, self.inner.list_streams(scope, kind)).await
    }
    async fn read_feed(&self, scope: Scope, after: FeedPosition, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        self.around(Call::ReadFeed, self.inner.read_feed(scope, after, limit)).await
    }
}

#[async_trait]
impl<S> AuditLog for Faulty<S>
where
    S: Deref + Send + Sync,
    S::Target: AuditLog,
{
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        self.around(Call::AuditAppend, self.inner.append(scope, entry)).await
    }
    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.around(Call::AuditRead, self.inner.read(scope, after, limit)).await
    }
}

#[async_trait]
impl<S> PersonalDataSource for Faulty<S>
where
    S: Deref + Send + Sync,
    S::Target: PersonalDataSource,
{
    fn name(&self) -> &SourceName {
        self.inner.name()
    }
    async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
        self.around(Call::Find, self.inner.find(scope, subject)).await
    }
    async fn export<'a>(
        &'a self,
        scope: Scope,
        subject: &'a [SubjectIdentifier],
    ) -> Result<ExportStream<'a>, StoreError> {
        self.around(Call::Export, self.inner.export(scope, subject)).await
    }
    async fn erasure_plan(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::ErasurePlan, self.inner.erasure_plan(scope, subject, policy)).await
    }
    async fn erase(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::Erase, self.inner.erase(scope, subject, policy)).await
    }
    async fn rectify(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        rectification: &Rectification,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::Rectify, self.inner.rectify(scope, subject, rectification)).await
    }
    async fn restrict(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::Restrict, self.inner.restrict(scope, subject)).await
    }
    async fn lift_restriction(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::LiftRestriction, self.inner.lift_restriction(scope, subject)).await
    }
}

#[async_trait]
impl<S> RetentionSource for Faulty<S>
where
    S: Deref + Send + Sync,
    S::Target: RetentionSource,
{
    async fn expired(
        &self,
        scope: Scope,
        policies: &[RetentionPolicy],
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FoundRecord>, StoreError> {
        self.around(Call::Expired, self.inner.expired(scope, policies, now, after, limit)).await
    }
    async fn erase_records(
        &self,
        scope: Scope,
        records: &[RecordKey],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.around(Call::EraseRecords, self.inner.erase_records(scope, records, policy)).await
    }
}
