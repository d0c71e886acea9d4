//! The in-memory ledger and audit log: always compiled, thread-safe, and the reference the
//! durable backends are tested against.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{
    AuditEntry, AuditLog, AuditRecord, Digest, DocumentKey, DocumentKind, FEED_PAGE_MAX, FeedEntry, FeedPosition,
    LedgerStore, Scope, StoreError, Stored, StreamKey, StreamKind, Version,
};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-applied write: every write below
    // checks first and then changes one map entry. So a poisoned lock is safe to reuse.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Default)]
struct LedgerData {
    documents: HashMap<Scope, BTreeMap<DocumentKey, (Version, serde_json::Value)>>,
    streams: HashMap<Scope, BTreeMap<StreamKey, Vec<serde_json::Value>>>,
    /// Each scope's change feed: the `n`-th entry is at position `n`.
    feeds: HashMap<Scope, Vec<Written>>,
}

/// What a feed entry points at; the event's body is read from its stream.
#[derive(Clone, Copy)]
enum Written {
    Event(StreamKey, Version),
    Document(DocumentKey, Version),
}

/// A [`LedgerStore`] in memory.
///
/// # Example
/// ```
/// use gdpr_obligations::store::{memory::MemoryLedger, LedgerStore};
/// fn shareable(_: std::sync::Arc<dyn LedgerStore>) {}
/// shareable(std::sync::Arc::new(MemoryLedger::new()));
/// ```
#[derive(Default)]
pub struct MemoryLedger {
    data: Mutex<LedgerData>,
}

impl MemoryLedger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryLedger")
    }
}

#[async_trait]
impl LedgerStore for MemoryLedger {
    async fn put_document(
        &self,
        scope: Scope,
        key: DocumentKey,
        body: &serde_json::Value,
        expected: Version,
    ) -> Result<Version, StoreError> {
        let mut guard = lock(&self.data);
        let data = &mut *guard;
        let docs = data.documents.entry(scope).or_default();
        let current = docs.get(&key).map(|(v, _)| *v);
        match (current, expected) {
            (Some(_), Version::NONE) => Err(StoreError::Duplicate { what: key.to_string() }),
            (None, e) if e != Version::NONE => Err(StoreError::NotFound { what: key.to_string() }),
            (Some(found), e) if found != e => Err(StoreError::Conflict { what: key.to_string(), expected: e, found }),
            _ => {
                let next = expected.after(1);
                docs.insert(key, (next, body.clone()));
                if key.kind != DocumentKind::FeedCursor {
                    data.feeds.entry(scope).or_default().push(Written::Document(key, next));
                }
                Ok(next)
            }
        }
    }

    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
        let data = lock(&self.data);
        Ok(data.documents.get(&scope).and_then(|docs| docs.get(&key)).map(|(version, body)| Stored {
            key,
            version: *version,
            body: body.clone(),
        }))
    }

    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
        let data = lock(&self.data);
        Ok(data
            .documents
            .get(&scope)
            .into_iter()
            .flat_map(|docs| docs.iter())
            .filter(|(key, _)| key.kind == kind)
            .map(|(key, (version, body))| Stored { key: *key, version: *version, body: body.clone() })
            .collect())
    }

    async fn append_events(
        &self,
        scope: Scope,
        stream: StreamKey,
        expected: Version,
        events: &[serde_json::Value],
    ) -> Result<Version, StoreError> {
        if events.is_empty() {
            return Err(StoreError::Invalid { what: stream.to_string(), reason: "no events to append".to_owned() });
        }
        let mut data = lock(&self.data);
        let log = data.streams.entry(scope).or_default().entry(stream).or_default();
        let found = Version::NONE.after(log.len());
        if found != expected {
            return Err(StoreError::Conflict { what: stream.to_string(), expected, found });
        }
        log.extend(events.iter().cloned());
        let feed = data.feeds.entry(scope).or_default();
        feed.extend((1..=events.len()).map(|n| Written::Event(stream, found.after(n))));
        Ok(found.after(events.len()))
    }

    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
        let data = lock(&self.data);
        Ok(data.streams.get(&scope).and_then(|s| s.get(&stream)).cloned().unwrap_or_default())
    }

    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
        let data = lock(&self.data);
        Ok(data
            .streams
            .get(&scope)
            .into_iter()
            .flat_map(|s| s.iter())
            .filter(|(key, events)| key.kind == kind && !events.is_empty())
            .map(|(key, _)| *key)
            .collect())
    }

    async fn read_feed(&self, scope: Scope, after: FeedPosition, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        let data = lock(&self.data);
        let Some(feed) = data.feeds.get(&scope) else { return Ok(Vec::new()) };
        let skip = usize::try_from(after.get()).unwrap_or(usize::MAX);
        let position = |i: usize| FeedPosition::new(after.get().saturating_add(i as u64 + 1));
        feed.iter()
            .skip(skip)
            .take(limit.min(FEED_PAGE_MAX))
            .enumerate()
            .map(|(i, written)| match *written {
                Written::Document(key, version) => Ok(FeedEntry::document(position(i), key, version)),
                Written::Event(stream, version) => {
                    let body = usize::try_from(version.get())
                        .ok()
                        .and_then(|n| data.streams.get(&scope)?.get(&stream)?.get(n.checked_sub(1)?))
                        .ok_or_else(|| {
                            StoreError::corrupt(stream, format!("the feed names event {version}, which is not stored"))
                        })?;
                    Ok(FeedEntry::event(position(i), stream, version, body.clone()))
                }
            })
            .collect()
    }
}

/// An [`AuditLog`] in memory.
#[derive(Default)]
pub struct MemoryAuditLog {
    chains: Mutex<HashMap<Scope, Vec<AuditRecord>>>,
}

impl MemoryAuditLog {
    /// An empty log.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryAuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryAuditLog")
    }
}

#[async_trait]
impl AuditLog for MemoryAuditLog {
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        let mut chains = lock(&self.chains);
        let chain = chains.entry(scope).or_default();
        let (sequence, previous) = chain.last().map_or((1, Digest::GENESIS), |r| (r.sequence + 1, r.hash));
        let record = AuditRecord::seal(sequence, previous, entry)?;
        chain.push(record.clone());
        Ok(record)
    }

    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let chains = lock(&self.chains);
        Ok(chains
            .get(&scope)
            .map(|c| c.iter().filter(|r| r.sequence > after).take(limit).cloned().collect())
            .unwrap_or_default())
    }
}
