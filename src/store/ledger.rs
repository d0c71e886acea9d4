//! The compliance ledger: versioned documents and append-only event streams, per controller.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::aggregate::{Aggregate, EXECUTE_ATTEMPTS, ExecuteError, Executed};
use super::{
    AuditAction, AuditEntry, AuditLog, FeedEntry, FeedPosition, Scope, StoreError, SubjectKey, Version, sealed,
};
use crate::agreement::{AgreementId, ChangeNotice, ProcessingAgreement};
use crate::model::{Party, ProcessingActivity, SourceName};
use crate::request::RequestId;

crate::model::typed_id!(
    /// Identifies a run of the retention sweep (`fulfil::Sweep`): the key of its journal
    /// ([`DocumentKind::SweepJournal`]) and of its outcomes ([`StreamKind::Sweep`]), so that a
    /// run started again under the same id resumes.
    SweepId
);

/// The kinds of document the ledger keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentKind {
    /// A [`Party`] known in the scope.
    Party,
    /// A [`ProcessingActivity`] (Art. 30 records).
    Activity,
    /// A [`ProcessingAgreement`] (Art. 28).
    Agreement,
    /// A sub-processor [`ChangeNotice`] (Art. 28(2)).
    ChangeNotice,
    /// An [`ErasureRecord`]: a completed erasure, pseudonymous, for replay after a restore.
    Erasure,
    /// The progress journal of a fulfilment, so that it can resume.
    FulfilmentJournal,
    /// A retention policy (Art. 5(1)(e)).
    RetentionPolicy,
    /// A legal hold (Art. 17(3)(e)).
    LegalHold,
    /// The progress journal of a retention sweep, so that it can resume.
    SweepJournal,
    /// A consumer's position in the change feed ([`FeedCursor`](crate::store::FeedCursor)). Its
    /// writes are not themselves in the feed, so that a consumer does not feed itself.
    FeedCursor,
    /// The identity verification code of a request (Art. 12(6)), keyed by the request: only
    /// keyed hashes, its expiry and its attempts left (`verify::VerificationCodes`).
    Verification,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 11] = [
        DocumentKind::Party,
        DocumentKind::Activity,
        DocumentKind::Agreement,
        DocumentKind::ChangeNotice,
        DocumentKind::Erasure,
        DocumentKind::FulfilmentJournal,
        DocumentKind::RetentionPolicy,
        DocumentKind::LegalHold,
        DocumentKind::SweepJournal,
        DocumentKind::FeedCursor,
        DocumentKind::Verification,
    ];

    /// The storage name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            DocumentKind::Party => "party",
            DocumentKind::Activity => "activity",
            DocumentKind::Agreement => "agreement",
            DocumentKind::ChangeNotice => "change_notice",
            DocumentKind::Erasure => "erasure",
            DocumentKind::FulfilmentJournal => "fulfilment_journal",
            DocumentKind::RetentionPolicy => "retention_policy",
            DocumentKind::LegalHold => "legal_hold",
            DocumentKind::SweepJournal => "sweep_journal",
            DocumentKind::FeedCursor => "feed_cursor",
            DocumentKind::Verification => "verification",
        }
    }

    /// Parses a storage name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The kinds of append-only event stream the ledger keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StreamKind {
    /// The events of a data-subject request.
    Request,
    /// The events of a consent: given, withdrawn (Art. 7).
    Consent,
    /// The events of a personal data breach (Art. 33(5) register).
    Breach,
    /// The notices given after a request was carried out, keyed by the request: to recipients
    /// (Art. 19) and to the data subject before a restriction is lifted (Art. 18(3)).
    Notice,
    /// The outcomes of a retention sweep (Art. 5(1)(e)), a batch per event, keyed by the sweep:
    /// each batch adds its own outcomes, so the journal's writes follow the batch, not the
    /// sweep's length.
    Sweep,
}

impl StreamKind {
    /// Every kind.
    pub const ALL: [StreamKind; 5] =
        [StreamKind::Request, StreamKind::Consent, StreamKind::Breach, StreamKind::Notice, StreamKind::Sweep];

    /// The storage name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            StreamKind::Request => "request",
            StreamKind::Consent => "consent",
            StreamKind::Breach => "breach",
            StreamKind::Notice => "notice",
            StreamKind::Sweep => "sweep",
        }
    }

    /// Parses a storage name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Identifies a document within a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct DocumentKey {
    /// The kind.
    pub kind: DocumentKind,
    /// The id.
    pub id: Uuid,
}

/// Identifies an event stream within a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct StreamKey {
    /// The kind.
    pub kind: StreamKind,
    /// The id.
    pub id: Uuid,
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.id)
    }
}

impl fmt::Display for StreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.id)
    }
}

/// A stored document body with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Stored {
    /// The document's key.
    pub key: DocumentKey,
    /// Its version.
    pub version: Version,
    /// Its JSON body.
    pub body: serde_json::Value,
}

impl Stored {
    /// The body of the document `key` at `version`, as a backend returns it.
    #[must_use]
    pub fn new(key: DocumentKey, version: Version, body: serde_json::Value) -> Self {
        Self { key, version, body }
    }
}

/// A typed value read from the ledger with the version to write it back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Versioned<T> {
    /// The version read.
    pub version: Version,
    /// The value.
    pub value: T,
}

/// The compliance ledger: the crate's own state, as versioned JSON documents and append-only
/// JSON event streams, partitioned by controller.
///
/// This is the whole of what a backend implements; typed access is in [`LedgerStoreExt`].
///
/// # Contract
/// - **Scope.** Every operation sees only the documents and streams written in the same
///   [`Scope`]; the same key in two scopes names two independent things.
/// - **Compare-and-swap.** A write succeeds only when `expected` is the current version (or
///   [`Version::NONE`] for something that does not exist yet), and then the version becomes
///   `expected + 1` (documents) or `expected + events` (streams). Otherwise nothing is written.
/// - **Atomicity.** A write, including an append of several events, is all or nothing.
/// - **Durability of order.** Events are read back in the order appended.
/// - **Change feed.** Every successful write gets positions in its scope's feed in the same
///   transaction: one per event appended, one per document written, except documents of kind
///   [`DocumentKind::FeedCursor`], which get none. See [`LedgerStore::read_feed`].
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// Writes a document.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when `expected` is [`Version::NONE`] and the document exists;
    /// [`StoreError::NotFound`] when `expected` is not `NONE` and it does not exist;
    /// [`StoreError::Conflict`] when it exists at another version; [`StoreError::Backend`].
    ///
    /// # Contract
    /// Returns the new version, `expected + 1`. On any error nothing is written.
    async fn put_document(
        &self,
        scope: Scope,
        key: DocumentKey,
        body: &serde_json::Value,
        expected: Version,
    ) -> Result<Version, StoreError>;

    /// Reads a document.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// `Ok(None)` when the document does not exist in this scope.
    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError>;

    /// Lists the documents of one kind in this scope, ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// Holds exactly the documents of `kind` written in this scope, each at its current version.
    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError>;

    /// Appends events to a stream, creating it when `expected` is [`Version::NONE`].
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the stream's length is not `expected`;
    /// [`StoreError::Invalid`] when `events` is empty; [`StoreError::Backend`].
    ///
    /// # Contract
    /// Returns the new version, `expected + events.len()`. All events or none are appended.
    async fn append_events(
        &self,
        scope: Scope,
        stream: StreamKey,
        expected: Version,
        events: &[serde_json::Value],
    ) -> Result<Version, StoreError>;

    /// Reads every event of a stream, in the order appended.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// An empty list when the stream does not exist in this scope; the stream's version is the
    /// list's length.
    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError>;

    /// Lists the streams of one kind in this scope, ordered by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError>;

    /// Reads the scope's change feed: the changes at positions after `after`, in order, at
    /// most `limit` of them and never more than [`FEED_PAGE_MAX`](super::FEED_PAGE_MAX).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when an event the feed names cannot be read back;
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// - Positions are per scope, start at 1 and have no gaps: the `n`-th change written in a
    ///   scope is at position `n`. An append of `k` events gets `k` consecutive positions, in
    ///   the events' order, each naming its event and the stream's version after it; a
    ///   document write gets one, naming the document's key and new version (not its body:
    ///   read the document for that). Writes of [`DocumentKind::FeedCursor`] get none.
    /// - A write that fails (a lost compare-and-swap, an invalid input, a backend error) gets
    ///   no position.
    /// - Positions become visible in order: once position `p` is read, no position below `p`
    ///   appears later, whatever the number of concurrent writers.
    /// - The feed is as durable as the writes: after the store is reopened, it reads the same.
    async fn read_feed(&self, scope: Scope, after: FeedPosition, limit: usize) -> Result<Vec<FeedEntry>, StoreError>;
}

crate::vocab::object_struct! {
/// A completed erasure, recorded without personal data so that it can be replayed after a
/// backup is restored (Art. 17(1), Art. 5(2) accountability).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ErasureRecord {
    /// The erasure request carried out.
    pub id: RequestId,
    /// The subject, as the keyed hash of each identifier the erasure was given.
    pub subject: Vec<SubjectKey>,
    /// The sources erased.
    pub sources: Vec<SourceName>,
    /// When it completed.
    pub completed_at: DateTime<Utc>,
}
}

/// A type the ledger stores as a document: the crate's own record types. Sealed: the ledger's
/// document kinds are a closed list ([`DocumentKind`]).
pub trait LedgerDocument: Serialize + DeserializeOwned + sealed_document::Sealed {
    /// Its kind.
    const KIND: DocumentKind;
    /// The typed id that names it ([`PartyId`](crate::model::PartyId) for a [`Party`], ...).
    type Id: sealed_document::DocumentId;
    /// Its id.
    fn document_id(&self) -> Self::Id;
}

mod sealed_document {
    pub trait Sealed {}
    impl Sealed for crate::model::Party {}
    impl Sealed for crate::model::ProcessingActivity {}
    impl Sealed for crate::agreement::ProcessingAgreement {}
    impl Sealed for crate::agreement::ChangeNotice {}
    impl Sealed for super::ErasureRecord {}
    impl Sealed for crate::retention::RetentionPolicy {}
    impl Sealed for crate::retention::LegalHold {}

    /// The typed id of a ledger document, and the UUID the ledger keys it by.
    pub trait DocumentId: Copy + Send + Sync {
        fn uuid(self) -> uuid::Uuid;
    }

    macro_rules! document_ids {
        ($($id:ty),*) => {
            $(impl DocumentId for $id {
                fn uuid(self) -> uuid::Uuid {
                    self.as_uuid()
                }
            })*
        };
    }
    document_ids!(
        crate::model::PartyId,
        crate::model::ActivityId,
        crate::agreement::AgreementId,
        crate::agreement::ChangeNoticeId,
        crate::request::RequestId,
        crate::retention::RetentionPolicyId,
        crate::retention::LegalHoldId
    );
}

use sealed_document::DocumentId as _;

impl LedgerDocument for Party {
    const KIND: DocumentKind = DocumentKind::Party;
    type Id = crate::model::PartyId;
    fn document_id(&self) -> Self::Id {
        self.id()
    }
}

impl LedgerDocument for ProcessingActivity {
    const KIND: DocumentKind = DocumentKind::Activity;
    type Id = crate::model::ActivityId;
    fn document_id(&self) -> Self::Id {
        self.id()
    }
}

impl LedgerDocument for ProcessingAgreement {
    const KIND: DocumentKind = DocumentKind::Agreement;
    type Id = AgreementId;
    fn document_id(&self) -> Self::Id {
        self.id
    }
}

impl LedgerDocument for ChangeNotice {
    const KIND: DocumentKind = DocumentKind::ChangeNotice;
    type Id = crate::agreement::ChangeNoticeId;
    fn document_id(&self) -> Self::Id {
        self.id()
    }
}

impl LedgerDocument for ErasureRecord {
    const KIND: DocumentKind = DocumentKind::Erasure;
    type Id = RequestId;
    fn document_id(&self) -> Self::Id {
        self.id
    }
}

impl LedgerDocument for crate::retention::RetentionPolicy {
    const KIND: DocumentKind = DocumentKind::RetentionPolicy;
    type Id = crate::retention::RetentionPolicyId;
    fn document_id(&self) -> Self::Id {
        self.id()
    }
}

impl LedgerDocument for crate::retention::LegalHold {
    const KIND: DocumentKind = DocumentKind::LegalHold;
    type Id = crate::retention::LegalHoldId;
    fn document_id(&self) -> Self::Id {
        self.id()
    }
}

pub(crate) fn decode<T: DeserializeOwned>(what: impl fmt::Display, body: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(body).map_err(|e| StoreError::corrupt(what, e))
}

pub(crate) fn encode<T: Serialize>(what: impl fmt::Display, value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Invalid { what: what.to_string(), reason: e.to_string() })
}

/// Typed access to a [`LedgerStore`]: implemented for every store, including `dyn LedgerStore`;
/// sealed.
#[async_trait]
pub trait LedgerStoreExt: LedgerStore + sealed::Sealed {
    /// Writes any [`LedgerDocument`] under compare-and-swap.
    ///
    /// # Errors
    /// As [`LedgerStore::put_document`].
    async fn put<T: LedgerDocument + Sync>(
        &self,
        scope: Scope,
        value: &T,
        expected: Version,
    ) -> Result<Version, StoreError> {
        let key = DocumentKey { kind: T::KIND, id: value.document_id().uuid() };
        let body = encode(key, value)?;
        self.put_document(scope, key, &body, expected).await
    }

    /// Reads any [`LedgerDocument`].
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist in this scope; [`StoreError::Corrupt`]
    /// when it does not decode.
    async fn get<T: LedgerDocument>(&self, scope: Scope, id: T::Id) -> Result<Versioned<T>, StoreError> {
        let key = DocumentKey { kind: T::KIND, id: id.uuid() };
        let stored =
            self.get_document(scope, key).await?.ok_or_else(|| StoreError::NotFound { what: key.to_string() })?;
        Ok(Versioned { version: stored.version, value: decode(key, stored.body)? })
    }

    /// Lists every [`LedgerDocument`] of a type in this scope.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when one does not decode.
    async fn all<T: LedgerDocument>(&self, scope: Scope) -> Result<Vec<Versioned<T>>, StoreError> {
        let stored = self.list_documents(scope, T::KIND).await?;
        stored.into_iter().map(|s| Ok(Versioned { version: s.version, value: decode(s.key, s.body)? })).collect()
    }

    /// Writes an agreement. A controller's own agreement (no parent) must name the scope's
    /// controller as its principal.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a controller's agreement is written in another
    /// controller's scope; otherwise as [`LedgerStore::put_document`].
    async fn put_agreement(
        &self,
        scope: Scope,
        agreement: &ProcessingAgreement,
        expected: Version,
    ) -> Result<Version, StoreError> {
        if agreement.parent.is_none() && agreement.principal != scope.controller() {
            return Err(StoreError::Invalid {
                what: format!("agreement {}", agreement.id),
                reason: format!("its principal is not the controller of {scope}"),
            });
        }
        self.put(scope, agreement, expected).await
    }

    /// Reads an agreement.
    ///
    /// # Errors
    /// As [`LedgerStoreExt::get`].
    async fn agreement(&self, scope: Scope, id: AgreementId) -> Result<Versioned<ProcessingAgreement>, StoreError> {
        self.get(scope, id).await
    }

    /// Appends typed events to a stream under compare-and-swap.
    ///
    /// # Errors
    /// As [`LedgerStore::append_events`].
    async fn append<E: Serialize + Sync>(
        &self,
        scope: Scope,
        stream: StreamKey,
        expected: Version,
        events: &[E],
    ) -> Result<Version, StoreError> {
        let bodies = events.iter().map(|e| encode(stream, e)).collect::<Result<Vec<_>, _>>()?;
        self.append_events(scope, stream, expected, &bodies).await
    }

    /// Reads a stream's typed events with the stream's version.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when an event does not decode.
    async fn events<E: DeserializeOwned>(
        &self,
        scope: Scope,
        stream: StreamKey,
    ) -> Result<Versioned<Vec<E>>, StoreError> {
        let bodies = self.read_events(scope, stream).await?;
        let version = Version::NONE.after(bodies.len());
        let value = bodies.into_iter().map(|b| decode(stream, b)).collect::<Result<Vec<E>, _>>()?;
        Ok(Versioned { version, value })
    }

    /// Reads a request, breach or consent by replaying its events; `None` when it has none in
    /// this scope. The version is the number of events.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when its events do not decode, do not start with the creating
    /// event, or name another id or owner than the stream and the scope.
    async fn load<A: Aggregate>(&self, scope: Scope, id: A::Id) -> Result<Option<Versioned<A>>, StoreError> {
        let stream = A::stream(id);
        let events: Versioned<Vec<A::Event>> = self.events(scope, stream).await?;
        if events.value.is_empty() {
            return Ok(None);
        }
        let state = A::replay_events(&events.value).ok_or_else(|| {
            StoreError::corrupt(stream, format!("the events do not start with a {} being created", A::NAME))
        })?;
        if state.lifecycle_id() != id || state.owner() != scope.controller() {
            return Err(StoreError::corrupt(stream, format!("the events belong to another {} or scope", A::NAME)));
        }
        Ok(Some(Versioned { version: events.version, value: state }))
    }

    /// Reads a request, breach or consent that must exist.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it has no events in this scope; otherwise as
    /// [`load`](LedgerStoreExt::load).
    async fn fetch<A: Aggregate>(&self, scope: Scope, id: A::Id) -> Result<Versioned<A>, StoreError> {
        self.load::<A>(scope, id).await?.ok_or_else(|| StoreError::NotFound { what: A::stream(id).to_string() })
    }

    /// The ids of every request, breach or consent in this scope, ordered.
    ///
    /// # Errors
    /// As [`LedgerStore::list_streams`].
    async fn ids<A: Aggregate>(&self, scope: Scope) -> Result<Vec<A::Id>, StoreError> {
        let streams = self.list_streams(scope, A::STREAM).await?;
        Ok(streams.into_iter().map(|s| A::id_of(s.id)).collect())
    }

    /// Carries out one command on a request, breach or consent: the one write path of every
    /// lifecycle. It loads the state (replaying the events), decides, appends the events under
    /// compare-and-swap, evolves, and records a [`AuditAction::Transition`] in `audit`. When
    /// another writer appended first, it decides again on the fresh state, up to
    /// [`EXECUTE_ATTEMPTS`] times: a command that no longer applies is then rejected, never
    /// applied to a state it was not decided on.
    ///
    /// The events must create the state under `id` and in this scope: a receipt, detection or
    /// consent that names another controller (or keeper) is refused, so a request always lives
    /// in the scope of the controller that must answer it (Art. 12), a breach in the register
    /// of the party that became aware of it (Art. 33(5)).
    ///
    /// The audit entry follows the append: the events are the authoritative trail (Art. 5(2));
    /// a crash between the two leaves the events without their audit entry, never the reverse.
    ///
    /// # Errors
    /// [`ExecuteError::Rejected`] with the lifecycle's rejection; [`ExecuteError::NotFound`]
    /// when nothing exists under `id` and the command does not create it;
    /// [`ExecuteError::Contended`]; [`ExecuteError::Store`] when the ledger or the audit log
    /// fails, or the events name another id or scope ([`StoreError::Invalid`]).
    async fn execute<A: Aggregate>(
        &self,
        audit: &dyn AuditLog,
        scope: Scope,
        id: A::Id,
        command: &A::Command,
    ) -> Result<Executed<A>, ExecuteError<A::Rejection>> {
        let stream = A::stream(id);
        for _ in 0..EXECUTE_ATTEMPTS {
            let current = self.load::<A>(scope, id).await?;
            let (state, version) = match current {
                Some(v) => (Some(v.value), v.version),
                None => (None, Version::NONE),
            };
            let events = match A::decide_on(state.as_ref(), command) {
                Ok(events) => events,
                Err(_) if state.is_none() => return Err(ExecuteError::NotFound { what: stream }),
                Err(rejection) => return Err(ExecuteError::Rejected(rejection)),
            };
            let after = events.iter().fold(state.clone(), A::evolve_with);
            let Some(after) = after else {
                return Err(ExecuteError::NotFound { what: stream });
            };
            if after.lifecycle_id() != id || after.owner() != scope.controller() {
                return Err(ExecuteError::Store(StoreError::Invalid {
                    what: stream.to_string(),
                    reason: format!("the {} belongs to another id or scope than {scope}", A::NAME),
                }));
            }
            let Some(at) = events.iter().map(A::event_at).max() else {
                return Ok(Executed { state: after, version, events });
            };
            let bodies = events.iter().map(|e| encode(stream, e)).collect::<Result<Vec<_>, _>>()?;
            match self.append_events(scope, stream, version, &bodies).await {
                Ok(version) => {
                    let names = bodies.iter().filter_map(event_name).collect();
                    let entry = AuditEntry::new(at, AuditAction::Transition { stream, version, events: names })
                        .with_actor(scope.controller());
                    audit.append(scope, entry).await?;
                    return Ok(Executed { state: after, version, events });
                }
                Err(StoreError::Conflict { .. } | StoreError::Duplicate { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ExecuteError::Contended { what: stream, attempts: EXECUTE_ATTEMPTS })
    }
}

impl<T: LedgerStore + ?Sized> LedgerStoreExt for T {}

/// The storage name of an event (its `type` tag), for the audit log.
fn event_name(body: &serde_json::Value) -> Option<SourceName> {
    body.get("type").and_then(serde_json::Value::as_str).and_then(|name| SourceName::new(name).ok())
}
