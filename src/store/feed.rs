//! The change feed (outbox): every change written to a scope's ledger, in order, from a durable
//! cursor, so that a backend can send webhooks or e-mails from it.
//!
//! A [`LedgerStore`] numbers every write of a scope in the write's own transaction
//! ([`LedgerStore::read_feed`]): positions are gap-free, become visible in order, and a write
//! that fails has none. The feed copies nothing: an entry names the event (which the store
//! reads back from its stream) or the document and its version (whose body the consumer reads
//! from the ledger), so it holds no personal data the changed record does not already hold.
//!
//! [`Feed`] reads it for one named consumer: [`Feed::next`] decodes the entries after the
//! consumer's [`FeedCursor`] into typed [`Change`]s, and [`Feed::ack`] moves the cursor past
//! them under compare-and-swap. Delivery is at least once: a consumer that stops between the
//! two reads the same changes again, and of two workers of one consumer acknowledging the same
//! batch, one gets [`StoreError::Conflict`] instead of moving the cursor silently.
//!
//! # Example
//! ```
//! use gdpr_obligations::model::PartyId;
//! use gdpr_obligations::store::memory::MemoryLedger;
//! use gdpr_obligations::store::{Change, Feed, FeedConsumerId, LedgerStore, Scope, StreamKey, StreamKind, Version};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let ledger = MemoryLedger::new();
//! let scope = Scope::of(PartyId::generate());
//! let stream = StreamKey { kind: StreamKind::Sweep, id: uuid::Uuid::now_v7() };
//! ledger.append_events(scope, stream, Version::NONE, &[serde_json::json!({ "batch": 1 })]).await?;
//!
//! let webhooks = Feed::new(&ledger, scope, FeedConsumerId::generate());
//! let batch = webhooks.next(100).await?;
//! assert_eq!(batch.items().len(), 1);
//! assert!(matches!(batch.items()[0].change, Change::Other(_)));
//! // ... send the webhooks, then move the cursor past what was sent.
//! webhooks.ack(&batch).await?;
//! assert!(webhooks.next(100).await?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ledger::{decode, encode};
use super::{DocumentKey, DocumentKind, LedgerStore, Scope, StoreError, StreamKey, StreamKind, Version, Versioned};
use crate::agreement::ChangeNoticeId;
use crate::breach::{BreachId, Event as BreachEvent};
use crate::consent::{ConsentEvent, ConsentId};
use crate::request::{Event as RequestEvent, RequestId};

/// The most entries one [`LedgerStore::read_feed`] returns, whatever `limit` asks, so that a
/// reader cannot make the store hold an unbounded page in memory.
pub const FEED_PAGE_MAX: usize = 1000;

/// A position in a scope's change feed: the `n`-th change written in the scope is at `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct FeedPosition(u64);

impl FeedPosition {
    /// Before the first change: read after it to read the feed from its beginning.
    pub const START: FeedPosition = FeedPosition(0);

    /// Wraps a stored position.
    #[must_use]
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// The number.
    #[must_use]
    pub const fn get(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for FeedPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a feed entry says was written, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StoredChange {
    /// An event was appended to a stream.
    Event {
        /// The stream.
        stream: StreamKey,
        /// The stream's version after this event: the event's number in its stream.
        version: Version,
        /// The event, as appended.
        body: serde_json::Value,
    },
    /// A document was written. Its body is not copied into the feed: read the document (it may
    /// have been written again since, at a higher version).
    Document {
        /// The document.
        key: DocumentKey,
        /// Its version after this write.
        version: Version,
    },
}

crate::vocab::object_struct! {
/// One entry of a scope's change feed, as [`LedgerStore::read_feed`] returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct FeedEntry {
    /// Its position.
    pub position: FeedPosition,
    /// What was written.
    pub change: StoredChange,
}
}

impl FeedEntry {
    /// The entry at `position` for the event that brought `stream` to `version`, as a backend
    /// returns it.
    #[must_use]
    pub fn event(position: FeedPosition, stream: StreamKey, version: Version, body: serde_json::Value) -> Self {
        Self { position, change: StoredChange::Event { stream, version, body } }
    }

    /// The entry at `position` for the write that brought the document `key` to `version`, as
    /// a backend returns it.
    #[must_use]
    pub fn document(position: FeedPosition, key: DocumentKey, version: Version) -> Self {
        Self { position, change: StoredChange::Document { key, version } }
    }
}

/// A feed entry's change, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// An event of a data-subject request (Arts. 12-22).
    Request {
        /// The request.
        id: RequestId,
        /// The request's version after this event.
        version: Version,
        /// The event.
        event: Box<RequestEvent>,
    },
    /// An event of a personal data breach (Art. 33(5) register).
    Breach {
        /// The breach.
        id: BreachId,
        /// The breach's version after this event.
        version: Version,
        /// The event.
        event: Box<BreachEvent>,
    },
    /// An event of a consent (Art. 7).
    Consent {
        /// The consent.
        id: ConsentId,
        /// The consent's version after this event.
        version: Version,
        /// The event.
        event: Box<ConsentEvent>,
    },
    /// A notice given after a request was carried out: to a recipient (Art. 19) or to the
    /// subject before a restriction is lifted (Art. 18(3)). The body is the JSON of a
    /// `fulfil::RecipientNotice`, which this layer does not know.
    NoticeGiven {
        /// The request the notice follows.
        request: RequestId,
        /// The request's notice stream's version after this notice.
        version: Version,
        /// The notice, as recorded.
        notice: serde_json::Value,
    },
    /// A sub-processor change notice was written (Art. 28(2)): read it at `version` or later.
    ChangeNotice {
        /// The notice.
        id: ChangeNoticeId,
        /// Its version after this write.
        version: Version,
    },
    /// Any other change (documents other than change notices, a sweep's outcomes), as stored.
    Other(StoredChange),
}

impl Change {
    /// Types a stored change.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when an event of a request, breach or consent does not decode
    /// as one.
    pub fn decode(change: StoredChange) -> Result<Self, StoreError> {
        Ok(match change {
            StoredChange::Event { stream, version, body } => match stream.kind {
                StreamKind::Request => {
                    Change::Request { id: RequestId::from_uuid(stream.id), version, event: decode(stream, body)? }
                }
                StreamKind::Breach => {
                    Change::Breach { id: BreachId::from_uuid(stream.id), version, event: decode(stream, body)? }
                }
                StreamKind::Consent => {
                    Change::Consent { id: ConsentId::from_uuid(stream.id), version, event: decode(stream, body)? }
                }
                StreamKind::Notice => {
                    Change::NoticeGiven { request: RequestId::from_uuid(stream.id), version, notice: body }
                }
                _ => Change::Other(StoredChange::Event { stream, version, body }),
            },
            StoredChange::Document { key, version } if key.kind == DocumentKind::ChangeNotice => {
                Change::ChangeNotice { id: ChangeNoticeId::from_uuid(key.id), version }
            }
            other => Change::Other(other),
        })
    }
}

/// A typed change at its feed position.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FeedItem {
    /// Its position.
    pub position: FeedPosition,
    /// The change.
    pub change: Change,
}

crate::model::typed_id!(
    /// Names a consumer of a scope's change feed (a webhook sender, a mailer): the key of its
    /// [`FeedCursor`]. Fix it in the consumer's configuration, so that a restart resumes.
    FeedConsumerId
);

/// A consumer's durable position in a scope's feed, stored as the ledger document
/// ([`DocumentKind::FeedCursor`]) keyed by its [`FeedConsumerId`]: the changes up to
/// `position` have been handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FeedCursor {
    /// The last position handled; [`FeedPosition::START`] before any.
    pub position: FeedPosition,
}

/// What [`Feed::next`] read: the changes after the consumer's cursor, and the cursor's version
/// for [`Feed::ack`].
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a batch is acknowledged with `Feed::ack` once handled, or it is read again"]
pub struct FeedBatch {
    after: FeedPosition,
    cursor_version: Version,
    items: Vec<FeedItem>,
}

impl FeedBatch {
    /// The changes, in feed order.
    #[must_use]
    pub fn items(&self) -> &[FeedItem] {
        &self.items
    }

    /// Whether there was nothing new.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The cursor's position when the batch was read.
    #[must_use]
    pub fn after(&self) -> FeedPosition {
        self.after
    }

    /// Where [`Feed::ack`] moves the cursor: the last item's position (the cursor's own when
    /// the batch is empty).
    #[must_use]
    pub fn last(&self) -> FeedPosition {
        self.items.last().map_or(self.after, |i| i.position)
    }

    /// Keeps the first `len` items (all of them if there are fewer), so that [`Feed::ack`]
    /// moves the cursor past those only: the ones handled before a failure, the rest to be
    /// read again.
    pub fn truncate(&mut self, len: usize) {
        self.items.truncate(len);
    }
}

/// One consumer's reader of a scope's change feed, with its durable cursor.
///
/// Read with [`Feed::next`], handle the changes, then [`Feed::ack`]. Several workers may
/// share a consumer: each `ack` is a compare-and-swap on the cursor, so a worker whose batch
/// another acknowledged first gets [`StoreError::Conflict`] and reads again.
pub struct Feed<'s, S: ?Sized> {
    store: &'s S,
    scope: Scope,
    consumer: FeedConsumerId,
}

impl<S: ?Sized> fmt::Debug for Feed<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Feed").field("scope", &self.scope).field("consumer", &self.consumer).finish_non_exhaustive()
    }
}

impl<'s, S: LedgerStore + ?Sized> Feed<'s, S> {
    /// The reader of `scope`'s feed for `consumer`.
    pub fn new(store: &'s S, scope: Scope, consumer: FeedConsumerId) -> Self {
        Self { store, scope, consumer }
    }

    fn key(&self) -> DocumentKey {
        DocumentKey { kind: DocumentKind::FeedCursor, id: self.consumer.as_uuid() }
    }

    /// The consumer's cursor, with its version ([`Version::NONE`] and
    /// [`FeedPosition::START`] for a consumer that never acknowledged).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the cursor does not decode; [`StoreError::Backend`].
    pub async fn cursor(&self) -> Result<Versioned<FeedCursor>, StoreError> {
        let key = self.key();
        Ok(match self.store.get_document(self.scope, key).await? {
            Some(stored) => Versioned { version: stored.version, value: decode(key, stored.body)? },
            None => Versioned { version: Version::NONE, value: FeedCursor { position: FeedPosition::START } },
        })
    }

    /// The next changes after the consumer's cursor, at most `limit` (and at most
    /// [`FEED_PAGE_MAX`]). Reading does not move the cursor: until [`Feed::ack`], the same
    /// changes are read again.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the cursor or an event does not decode;
    /// [`StoreError::Backend`].
    pub async fn next(&self, limit: usize) -> Result<FeedBatch, StoreError> {
        let cursor = self.cursor().await?;
        let after = cursor.value.position;
        let entries = self.store.read_feed(self.scope, after, limit).await?;
        let items = entries
            .into_iter()
            .map(|e| Ok(FeedItem { position: e.position, change: Change::decode(e.change)? }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(FeedBatch { after, cursor_version: cursor.version, items })
    }

    /// Moves the cursor past `batch`, which [`Feed::next`] returned. An empty batch changes
    /// nothing.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (or [`StoreError::Duplicate`] for a first cursor) when the
    /// cursor moved since `batch` was read: another worker of this consumer acknowledged
    /// first; read again. [`StoreError::Backend`].
    pub async fn ack(&self, batch: &FeedBatch) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let key = self.key();
        let body = encode(key, &FeedCursor { position: batch.last() })?;
        self.store.put_document(self.scope, key, &body, batch.cursor_version).await.map(|_| ())
    }
}
