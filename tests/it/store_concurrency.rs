//! Concurrent writers on every ledger and audit log the crate ships: tokio tasks on several
//! threads writing the same document, appending to the same request stream, and appending to
//! the same audit chain.
//!
//! - Of the writers that read the same version, exactly one wins; every stale writer gets
//!   `Conflict`.
//! - No update is lost: writers that retry after a conflict all get through, and the final
//!   version is the number of successful writes (each version won exactly once).
//! - Audit appends are numbered once each and the chain verifies.
//! - A consumer polling the change feed while writers on two handles append reads every event
//!   exactly once, in increasing positions without gaps.
//!
//! Runs on memory always, on SQLite with `--features sqlite`, and on PostgreSQL with
//! `--features postgres` when `GDPR_TEST_POSTGRES_URL` is set (see `scripts/with-postgres`;
//! under `CI=true` a missing URL fails the PostgreSQL tests).

#[cfg_attr(not(feature = "postgres"), allow(unused_imports, reason = "only the PostgreSQL tests use it"))]
use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;

use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, Change, DocumentKey, DocumentKind, Feed, FeedConsumerId,
    LedgerStore, Scope, StoreError, StoredChange, StreamKey, StreamKind, Version,
};
use tokio::sync::Barrier;
use uuid::Uuid;

const WRITERS: usize = 8;
const ROUNDS: usize = 6;

fn scope() -> Scope {
    Scope::of(PartyId::generate())
}

fn body(writer: usize, n: usize) -> serde_json::Value {
    serde_json::json!({ "writer": writer, "n": n })
}

/// Each round, every writer waits for the others, then all write the same document with the
/// version they all read: one wins, the rest get `Conflict` naming the winner's version.
async fn same_version_one_winner_per_round(store: Arc<dyn LedgerStore>) {
    let c = scope();
    let key = DocumentKey { kind: DocumentKind::FulfilmentJournal, id: Uuid::now_v7() };
    let mut version = store.put_document(c, key, &body(0, 0), Version::NONE).await.unwrap();
    for round in 1..=ROUNDS {
        let barrier = Arc::new(Barrier::new(WRITERS));
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (store, barrier) = (store.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.put_document(c, key, &body(w, round), version).await
                })
            })
            .collect();
        let mut won = Vec::new();
        for (w, task) in tasks.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(v) => won.push((w, v)),
                Err(StoreError::Conflict { expected, found, .. }) => {
                    assert_eq!(expected, version);
                    assert_eq!(found, version.after(1), "a stale writer saw a version no one wrote");
                }
                Err(e) => panic!("round {round}: writer {w} failed with {e}"),
            }
        }
        assert_eq!(won.len(), 1, "round {round}: {} writers won at version {version}: {won:?}", won.len());
        let (winner, next) = won[0];
        assert_eq!(next, version.after(1));
        let stored = store.get_document(c, key).await.unwrap().unwrap();
        assert_eq!(
            (stored.version, stored.body),
            (next, body(winner, round)),
            "round {round}: the winner's write is lost"
        );
        version = next;
    }
}

/// Every writer makes `ROUNDS` changes, re-reading and retrying on `Conflict`: all changes get
/// through, each version is won exactly once, and the final version counts them all.
async fn retrying_writers_lose_no_update(store: Arc<dyn LedgerStore>) {
    let c = scope();
    let key = DocumentKey { kind: DocumentKind::Agreement, id: Uuid::now_v7() };
    store.put_document(c, key, &serde_json::json!({ "log": [] }), Version::NONE).await.unwrap();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let (mut won, mut conflicts) = (Vec::new(), 0usize);
                for n in 0..ROUNDS {
                    loop {
                        let current = store.get_document(c, key).await.unwrap().unwrap();
                        // The change: append this writer's mark to the body's log.
                        let mut next_body = current.body.clone();
                        next_body["log"].as_array_mut().unwrap().push(body(w, n));
                        match store.put_document(c, key, &next_body, current.version).await {
                            Ok(v) => {
                                won.push(v);
                                break;
                            }
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("writer {w}: {e}"),
                        }
                    }
                }
                (won, conflicts)
            })
        })
        .collect();
    let mut versions = BTreeSet::new();
    let mut conflicts = 0;
    for task in tasks {
        let (won, c) = task.await.unwrap();
        conflicts += c;
        for v in won {
            assert!(versions.insert(v), "version {v} was won twice");
        }
    }
    let writes = WRITERS * ROUNDS;
    assert_eq!(versions, (2..=writes as u64 + 1).map(Version::new).collect(), "(after {conflicts} conflicts)");
    let stored = store.get_document(c, key).await.unwrap().unwrap();
    assert_eq!(stored.version, Version::new(writes as u64 + 1));
    let log = stored.body["log"].as_array().unwrap();
    assert_eq!(log.len(), writes, "updates were lost");
    for w in 0..WRITERS {
        let mine: Vec<_> = log.iter().filter(|e| e["writer"] == w).map(|e| e["n"].clone()).collect();
        assert_eq!(mine, (0..ROUNDS).map(|n| serde_json::json!(n)).collect::<Vec<_>>(), "writer {w}'s updates");
    }
}

/// Writers append batches to one request stream at the length they read, retrying on
/// `Conflict`: the stream ends with every batch, whole, each writer's in its order, and its
/// version is the number of events.
async fn appenders_to_one_stream_lose_nothing(store: Arc<dyn LedgerStore>) {
    let c = scope();
    let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
    let barrier = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let mut conflicts = 0usize;
                for n in 0..ROUNDS {
                    let batch: Vec<_> = (0..=(w + n) % 3).map(|i| serde_json::json!([w, n, i])).collect();
                    loop {
                        let expected = Version::NONE.after(store.read_events(c, stream).await.unwrap().len());
                        match store.append_events(c, stream, expected, &batch).await {
                            Ok(v) => {
                                assert_eq!(v, expected.after(batch.len()));
                                break;
                            }
                            Err(StoreError::Conflict { found, .. }) => {
                                assert_ne!(found, expected);
                                conflicts += 1;
                            }
                            Err(e) => panic!("writer {w}: {e}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let events = store.read_events(c, stream).await.unwrap();
    let total: usize = (0..WRITERS).flat_map(|w| (0..ROUNDS).map(move |n| (w + n) % 3 + 1)).sum();
    assert_eq!(events.len(), total, "events were lost or doubled");
    // Whole batches, in each writer's order.
    let mut i = 0;
    let mut next_round = [0usize; WRITERS];
    while i < events.len() {
        let (w, n) = (events[i][0].as_u64().unwrap() as usize, events[i][1].as_u64().unwrap() as usize);
        assert_eq!(n, next_round[w], "writer {w}'s batches out of order");
        let len = (w + n) % 3 + 1;
        for k in 0..len {
            assert_eq!(events[i + k], serde_json::json!([w, n, k]), "batch ({w}, {n}) is not whole");
        }
        next_round[w] += 1;
        i += len;
    }
    assert_eq!(store.list_streams(c, StreamKind::Request).await.unwrap(), vec![stream]);
}

/// Every task appends several entries to one chain at once: numbers 1..=N, each once, and
/// the chain verifies.
async fn audit_appends_are_numbered_once(log: Arc<dyn AuditLog>) {
    let c = scope();
    let barrier = Arc::new(Barrier::new(WRITERS));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (log, barrier) = (log.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let mut numbers = Vec::new();
                for n in 0..ROUNDS {
                    let entry = AuditEntry::new(
                        chrono::Utc::now(),
                        AuditAction::DocumentWritten {
                            kind: DocumentKind::Agreement,
                            id: Uuid::from_u128((w * 1000 + n) as u128),
                        },
                    );
                    numbers.push(log.append(c, entry).await.unwrap().sequence);
                }
                numbers
            })
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for task in tasks {
        for n in task.await.unwrap() {
            assert!(numbers.insert(n), "audit number {n} given twice");
        }
    }
    let n = (WRITERS * ROUNDS) as u64;
    assert_eq!(numbers, (1..=n).collect());
    assert_eq!(log.verify_all(c).await.unwrap(), n);
}

/// Writers append to streams of one scope through two handles on one database (two pools,
/// as two processes would), some batches several events long, while a consumer polls the feed
/// through its cursor: each poll starts right after the cursor, holds consecutive positions,
/// and over the run the consumer reads every event exactly once, each stream's in order. A
/// position that became visible before a smaller one (a writer committing out of order)
/// would show as a gap in a batch or as an event never read.
async fn feed_polled_during_writes_misses_nothing(one: Arc<dyn LedgerStore>, two: Arc<dyn LedgerStore>) {
    const APPENDS: usize = 40;
    let c = scope();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let barrier = Arc::new(Barrier::new(WRITERS + 1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = if w % 2 == 0 { one.clone() } else { two.clone() };
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let stream = StreamKey { kind: StreamKind::Sweep, id: Uuid::now_v7() };
                barrier.wait().await;
                let mut version = Version::NONE;
                for n in 0..APPENDS {
                    let batch: Vec<_> = (0..=(w + n) % 3).map(|_| serde_json::json!([w, n])).collect();
                    version = store.append_events(c, stream, version, &batch).await.unwrap();
                }
                (stream, version)
            })
        })
        .collect();
    let reader = {
        let (store, done, barrier) = (two.clone(), done.clone(), barrier.clone());
        tokio::spawn(async move {
            let feed = Feed::new(&*store, c, FeedConsumerId::generate());
            let mut seen: Vec<(StreamKey, Version)> = Vec::new();
            let mut polls = 0usize;
            barrier.wait().await;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let batch = feed.next(100).await.unwrap();
                polls += 1;
                for (i, item) in batch.items().iter().enumerate() {
                    assert_eq!(item.position.get(), batch.after().get() + 1 + i as u64, "a gap in a batch");
                    match &item.change {
                        Change::Other(StoredChange::Event { stream, version, .. }) => seen.push((*stream, *version)),
                        other => panic!("an unexpected change: {other:?}"),
                    }
                }
                feed.ack(&batch).await.unwrap();
                if finished && batch.is_empty() {
                    return (seen, polls);
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let mut written = Vec::new();
    for w in writers {
        written.push(w.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, polls) = reader.await.unwrap();
    let total: u64 = written.iter().map(|(_, v)| v.get()).sum();
    assert_eq!(seen.len() as u64, total, "events read {} times for {total} written ({polls} polls)", seen.len());
    for (stream, last) in written {
        let mine: Vec<u64> = seen.iter().filter(|(s, _)| *s == stream).map(|(_, v)| v.get()).collect();
        assert_eq!(mine, (1..=last.get()).collect::<Vec<_>>(), "a stream's events missed, doubled or reordered");
    }
}

/// A backend under test, and the file to remove when the test ends.
struct Backend {
    ledger: Arc<dyn LedgerStore>,
    /// A second handle on the same database, with its own connections (the same store for
    /// memory).
    second: Arc<dyn LedgerStore>,
    audit: Arc<dyn AuditLog>,
    file: Option<std::path::PathBuf>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some(path) = &self.file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// One test per scenario for a backend, on a multi-threaded runtime. `$make` gives a
/// [`Backend`], or returns from the test (a skipped PostgreSQL test).
macro_rules! concurrency_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            // `allow`, not `expect`: whether `$make` names an item of this module varies.
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn same_version_one_winner_per_round() {
                let backend: Backend = $make;
                super::same_version_one_winner_per_round(backend.ledger.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn retrying_writers_lose_no_update() {
                let backend: Backend = $make;
                super::retrying_writers_lose_no_update(backend.ledger.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn appenders_to_one_stream_lose_nothing() {
                let backend: Backend = $make;
                super::appenders_to_one_stream_lose_nothing(backend.ledger.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn feed_polled_during_writes_misses_nothing() {
                let backend: Backend = $make;
                super::feed_polled_during_writes_misses_nothing(backend.ledger.clone(), backend.second.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn audit_appends_are_numbered_once() {
                let backend: Backend = $make;
                super::audit_appends_are_numbered_once(backend.audit.clone()).await;
            }
        }
    };
}

concurrency_tests!(memory, {
    let ledger = Arc::new(MemoryLedger::new());
    Backend { ledger: ledger.clone(), second: ledger, audit: Arc::new(MemoryAuditLog::new()), file: None }
});

/// A SQLite store on a new file in the temporary folder, removed when the test ends.
#[cfg(feature = "sqlite")]
async fn sqlite_file() -> Backend {
    let path = std::env::temp_dir().join(format!("gdpr-concurrency-{}.sqlite", Uuid::now_v7()));
    let store = Arc::new(gdpr_obligations::store::sqlite::SqliteStore::open(&path).await.unwrap());
    let second = Arc::new(gdpr_obligations::store::sqlite::SqliteStore::open(&path).await.unwrap());
    Backend { ledger: store.clone(), second, audit: store, file: Some(path) }
}

#[cfg(feature = "sqlite")]
concurrency_tests!(sqlite, sqlite_file().await);

/// The PostgreSQL store on the test server; `None` (after saying so once) when there is none
/// outside CI; a failure under `CI=true`.
#[cfg(feature = "postgres")]
async fn postgres_server() -> Option<Backend> {
    let url = common::postgres_url("store_concurrency")?;
    let connect = || async {
        let store = gdpr_obligations::store::postgres::PostgresStore::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("connect to the test PostgreSQL: {e}"));
        Arc::new(store)
    };
    let store = connect().await;
    Some(Backend { ledger: store.clone(), second: connect().await, audit: store, file: None })
}

#[cfg(feature = "postgres")]
concurrency_tests!(postgres, {
    let Some(backend) = postgres_server().await else { return };
    backend
});

// The PostgreSQL store with every table hash-partitioned by controller: the heads' row locks
// and `ON CONFLICT` on partitioned tables order concurrent writers as on plain ones.
#[cfg(feature = "postgres")]
concurrency_tests!(postgres_partitioned, {
    let Some(url) = common::postgres_url("store_concurrency") else { return };
    let store = Arc::new(common::postgres_partitioned_store(&url).await);
    Backend {
        ledger: store.clone(),
        second: Arc::new(common::postgres_partitioned_store(&url).await),
        audit: store,
        file: None,
    }
});
