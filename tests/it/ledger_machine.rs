//! Model-based test of the ledger and the audit log: random operation sequences over two
//! controllers, a few documents and streams, with right, stale and missing versions, run on the
//! in-memory reference and on every durable backend of this build (SQLite; PostgreSQL at
//! `GDPR_TEST_POSTGRES_URL`, skipped with one line outside CI without it, a failure under
//! `CI=true`). Every backend must report what the reference reports, step by step: versions,
//! bodies, error kinds, listings, events, pages of the change feed, audit records and their
//! verification.

use crate::common;

use std::sync::Arc;

use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKey, DocumentKind, FeedPosition, LedgerStore, Scope,
    StoreError, StreamKey, StreamKind, Version,
};
use proptest::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Op {
    Put { scope: usize, doc: u8, version: u8, body: u8 },
    Get { scope: usize, doc: u8 },
    List { scope: usize },
    Append { scope: usize, stream: u8, version: u8, events: u8 },
    Read { scope: usize, stream: u8 },
    Streams { scope: usize },
    Audit { scope: usize, what: u8 },
    AuditRead { scope: usize, after: u8, limit: u8 },
    Feed { scope: usize, after: u8, limit: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    let s = 0..2usize;
    prop_oneof![
        4 => (s.clone(), 0..3u8, 0..4u8, any::<u8>()).prop_map(|(scope, doc, version, body)| Op::Put { scope, doc, version, body }),
        2 => (s.clone(), 0..3u8).prop_map(|(scope, doc)| Op::Get { scope, doc }),
        1 => s.clone().prop_map(|scope| Op::List { scope }),
        4 => (s.clone(), 0..2u8, 0..5u8, 0..4u8).prop_map(|(scope, stream, version, events)| Op::Append { scope, stream, version, events }),
        2 => (s.clone(), 0..2u8).prop_map(|(scope, stream)| Op::Read { scope, stream }),
        1 => s.clone().prop_map(|scope| Op::Streams { scope }),
        3 => (s.clone(), any::<u8>()).prop_map(|(scope, what)| Op::Audit { scope, what }),
        2 => (s.clone(), 0..6u8, 0..4u8).prop_map(|(scope, after, limit)| Op::AuditRead { scope, after, limit }),
        2 => (s, 0..12u8, 0..8u8).prop_map(|(scope, after, limit)| Op::Feed { scope, after, limit }),
    ]
}

struct Backend {
    name: &'static str,
    ledger: Arc<dyn LedgerStore>,
    audit: Arc<dyn AuditLog>,
}

fn backends(runtime: &tokio::runtime::Runtime) -> Vec<Backend> {
    let mut out =
        vec![Backend { name: "memory", ledger: Arc::new(MemoryLedger::new()), audit: Arc::new(MemoryAuditLog::new()) }];
    #[cfg(feature = "sqlite")]
    {
        let store = runtime.block_on(gdpr_obligations::store::sqlite::SqliteStore::open_in_memory()).unwrap();
        out.push(Backend { name: "sqlite", ledger: Arc::new(store.clone()), audit: Arc::new(store) });
        // On an application's pool, the tables under a prefix beside the application's own.
        let store = runtime.block_on(common::sqlite_app_memory_store());
        out.push(Backend { name: "sqlite-app-pool", ledger: Arc::new(store.clone()), audit: Arc::new(store) });
    }
    #[cfg(feature = "postgres")]
    if let Some(url) = postgres_url() {
        let store = runtime.block_on(gdpr_obligations::store::postgres::PostgresStore::connect(&url)).unwrap();
        out.push(Backend { name: "postgres", ledger: Arc::new(store.clone()), audit: Arc::new(store) });
        // On an application's pool, the tables in a schema of their own.
        let store = runtime.block_on(common::postgres_app_store(&url));
        out.push(Backend { name: "postgres-app-pool", ledger: Arc::new(store.clone()), audit: Arc::new(store) });
        let store = runtime.block_on(common::postgres_partitioned_store(&url));
        out.push(Backend { name: "postgres-partitioned", ledger: Arc::new(store.clone()), audit: Arc::new(store) });
    }
    let _ = runtime;
    out
}

#[cfg(feature = "postgres")]
fn postgres_url() -> Option<String> {
    common::postgres_url("ledger_machine")
}

/// What an operation reported, comparable across backends (errors by kind and versions).
fn verdict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(StoreError::Conflict { expected, found, .. }) => format!("conflict {expected} {found}"),
        Err(StoreError::Duplicate { .. }) => "duplicate".to_owned(),
        Err(StoreError::NotFound { .. }) => "not found".to_owned(),
        Err(StoreError::Invalid { .. }) => "invalid".to_owned(),
        Err(e) => panic!("unexpected error: {e}"),
    }
}

async fn run(b: &Backend, scopes: &[Scope; 2], ids: &[Uuid; 3], op: &Op) -> String {
    // The third document is a feed cursor, whose writes the feed leaves out.
    let kind = |d: u8| if d == 2 { DocumentKind::FeedCursor } else { DocumentKind::Agreement };
    let doc = |d: u8| DocumentKey { kind: kind(d), id: ids[usize::from(d)] };
    let stream = |s: u8| StreamKey { kind: StreamKind::Request, id: ids[usize::from(s)] };
    match *op {
        Op::Put { scope, doc: d, version, body } => {
            let body = serde_json::json!({ "b": body });
            verdict(b.ledger.put_document(scopes[scope], doc(d), &body, Version::new(version.into())).await)
        }
        Op::Get { scope, doc: d } => verdict(b.ledger.get_document(scopes[scope], doc(d)).await),
        Op::List { scope } => verdict(b.ledger.list_documents(scopes[scope], DocumentKind::Agreement).await),
        Op::Append { scope, stream: s, version, events } => {
            let events: Vec<_> = (0..events).map(|i| serde_json::json!({ "e": i, "at": version })).collect();
            verdict(b.ledger.append_events(scopes[scope], stream(s), Version::new(version.into()), &events).await)
        }
        Op::Read { scope, stream: s } => verdict(b.ledger.read_events(scopes[scope], stream(s)).await),
        Op::Streams { scope } => verdict(b.ledger.list_streams(scopes[scope], StreamKind::Request).await),
        Op::Audit { scope, what } => {
            let entry = AuditEntry::new(
                "2026-03-02T10:00:00Z".parse().unwrap(),
                AuditAction::DocumentWritten { kind: DocumentKind::Party, id: ids[usize::from(what % 3)] },
            );
            verdict(b.audit.append(scopes[scope], entry).await)
        }
        Op::AuditRead { scope, after, limit } => {
            let read = verdict(b.audit.read(scopes[scope], after.into(), limit.into()).await);
            format!("{read} / {}", verdict(b.audit.verify_all(scopes[scope]).await))
        }
        Op::Feed { scope, after, limit } => {
            verdict(b.ledger.read_feed(scopes[scope], FeedPosition::new(after.into()), limit.into()).await)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn every_ledger_backend_reports_what_the_reference_reports(ops in prop::collection::vec(op(), 1..60)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let backends = backends(&runtime);
        let scopes = [Scope::of(PartyId::generate()), Scope::of(PartyId::generate())];
        let ids = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
        runtime.block_on(async {
            for (step, op) in ops.iter().enumerate() {
                let reference = run(&backends[0], &scopes, &ids, op).await;
                for b in &backends[1..] {
                    let got = run(b, &scopes, &ids, op).await;
                    assert_eq!(got, reference, "{} at step {step}, {op:?}", b.name);
                }
            }
        });
    }
}
