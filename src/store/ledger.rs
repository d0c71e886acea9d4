//! The compliance ledger: versioned documents and append-only event streams, per controller.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Scope, StoreError, SubjectKey, Version, sealed};
use crate::agreement::{AgreementId, ChangeNotice, ProcessingAgreement};
use crate::breach::{Breach, BreachId, Event as BreachEvent};
use crate::model::{Party, ProcessingActivity, SourceName};
use crate::request::{Event, Request, RequestId};

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
    /// The identity verification code of a request (Art. 12(6)), keyed by the request: only
    /// keyed hashes, its expiry and its attempts left (`verify::VerificationCodes`).
    Verification,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::Party,
        DocumentKind::Activity,
        DocumentKind::Agreement,
        DocumentKind::ChangeNotice,
        DocumentKind::Erasure,
        DocumentKind::FulfilmentJournal,
        DocumentKind::RetentionPolicy,
        DocumentKind::LegalHold,
        DocumentKind::SweepJournal,
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
}

/// A completed erasure, recorded without personal data so that it can be replayed after a
/// backup is restored (Art. 17(1), Art. 5(2) accountability).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

    /// Appends a request's events under compare-and-swap. The request's receipt must name the
    /// scope's controller: a request lives in the scope of the controller that must answer it.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a receipt names another controller; otherwise as
    /// [`LedgerStore::append_events`] (a stale writer gets [`StoreError::Conflict`]).
    async fn append_request_events(
        &self,
        scope: Scope,
        request: RequestId,
        expected: Version,
        events: &[Event],
    ) -> Result<Version, StoreError> {
        for event in events {
            if let Event::Received(receipt) = event
                && (receipt.controller != scope.controller() || receipt.id != request)
            {
                return Err(StoreError::Invalid {
                    what: format!("request {request}"),
                    reason: format!("its receipt belongs to another request or controller than {scope}"),
                });
            }
        }
        self.append(scope, StreamKey { kind: StreamKind::Request, id: request.as_uuid() }, expected, events).await
    }

    /// Reads a request by replaying its events; the version is the number of events.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the request has no events in this scope;
    /// [`StoreError::Corrupt`] when its events do not decode or do not start with a receipt.
    async fn request(&self, scope: Scope, request: RequestId) -> Result<Versioned<Request>, StoreError> {
        let stream = StreamKey { kind: StreamKind::Request, id: request.as_uuid() };
        let events: Versioned<Vec<Event>> = self.events(scope, stream).await?;
        if events.value.is_empty() {
            return Err(StoreError::NotFound { what: stream.to_string() });
        }
        let state = Request::replay(&events.value)
            .ok_or_else(|| StoreError::corrupt(stream, "the events do not start with a receipt"))?;
        Ok(Versioned { version: events.version, value: state })
    }

    /// The ids of every request in this scope.
    ///
    /// # Errors
    /// As [`LedgerStore::list_streams`].
    async fn request_ids(&self, scope: Scope) -> Result<Vec<RequestId>, StoreError> {
        let streams = self.list_streams(scope, StreamKind::Request).await?;
        Ok(streams.into_iter().map(|s| RequestId::from_uuid(s.id)).collect())
    }

    /// Appends a breach's events under compare-and-swap. The detection must name the scope's
    /// party as the keeper: a breach lives in the register of the party that became aware, a
    /// controller or (in its own scope) a processor (Art. 33(5)).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a detection belongs to another breach or keeper; otherwise
    /// as [`LedgerStore::append_events`] (a stale writer gets [`StoreError::Conflict`]).
    async fn append_breach_events(
        &self,
        scope: Scope,
        breach: BreachId,
        expected: Version,
        events: &[BreachEvent],
    ) -> Result<Version, StoreError> {
        for event in events {
            if let BreachEvent::Detected(detection) = event
                && (detection.keeper() != scope.controller() || detection.id != breach)
            {
                return Err(StoreError::Invalid {
                    what: format!("breach {breach}"),
                    reason: format!("its detection belongs to another breach or keeper than {scope}"),
                });
            }
        }
        self.append(scope, StreamKey { kind: StreamKind::Breach, id: breach.as_uuid() }, expected, events).await
    }

    /// Reads a breach by replaying its events; the version is the number of events.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the breach has no events in this scope;
    /// [`StoreError::Corrupt`] when its events do not decode or do not start with a detection.
    async fn breach(&self, scope: Scope, breach: BreachId) -> Result<Versioned<Breach>, StoreError> {
        let stream = StreamKey { kind: StreamKind::Breach, id: breach.as_uuid() };
        let events: Versioned<Vec<BreachEvent>> = self.events(scope, stream).await?;
        if events.value.is_empty() {
            return Err(StoreError::NotFound { what: stream.to_string() });
        }
        let state = Breach::replay(&events.value)
            .ok_or_else(|| StoreError::corrupt(stream, "the events do not start with a detection"))?;
        Ok(Versioned { version: events.version, value: state })
    }

    /// The ids of every breach in this scope's register.
    ///
    /// # Errors
    /// As [`LedgerStore::list_streams`].
    async fn breach_ids(&self, scope: Scope) -> Result<Vec<BreachId>, StoreError> {
        let streams = self.list_streams(scope, StreamKind::Breach).await?;
        Ok(streams.into_iter().map(|s| BreachId::from_uuid(s.id)).collect())
    }
}

impl<T: LedgerStore + ?Sized> LedgerStoreExt for T {}
