//! The PostgreSQL store (feature `postgres`): the whole conformance kit, plus migrations
//! (concurrent, newer schema refused, tables of the crate's names it did not create refused), bad URLs and unreachable
//! servers, damaged rows, a server dropping connections mid-operation, and exact round trips.
//!
//! The tests read the server's URL from `GDPR_TEST_POSTGRES_URL`; run them with
//! `scripts/with-postgres cargo test --features postgres --test it postgres_store::`, which starts a
//! throwaway server and sets it. Without it they are skipped with one line saying so, except
//! under `CI=true`, where they fail. The tests share one database: each uses controllers of
//! its own, and the tests of migrations use schemas of their own.
#![cfg(feature = "postgres")]

use crate::common;

use std::io::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::postgres::PostgresStore;
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKey, DocumentKind, LedgerStore, SchemaError, Scope,
    StoreError, StreamKey, StreamKind, Version,
};
use gdpr_obligations::vocab::Article;
use gdpr_obligations::{audit_conformance_tests, ledger_conformance_tests};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use uuid::Uuid;

const URL_VAR: &str = "GDPR_TEST_POSTGRES_URL";

/// The test server's URL; `None` (after saying so once) when there is none outside CI.
fn url() -> Option<String> {
    common::postgres_url("postgres_store")
}

async fn store() -> Option<PostgresStore> {
    let url = url()?;
    Some(PostgresStore::connect(&url).await.unwrap_or_else(|e| panic!("connect to {URL_VAR}: {e}")))
}

ledger_conformance_tests!(postgres_ledger, {
    let Some(store) = store().await else { return };
    Arc::new(store) as Arc<dyn LedgerStore>
});
audit_conformance_tests!(postgres_audit, {
    let Some(store) = store().await else { return };
    Arc::new(store)
});

// On a pool the application hands over, the tables in a schema of their own.
ledger_conformance_tests!(postgres_app_pool_ledger, {
    let Some(url) = url() else { return };
    Arc::new(common::postgres_app_store(&url).await) as Arc<dyn LedgerStore>
});
audit_conformance_tests!(postgres_app_pool_audit, {
    let Some(url) = url() else { return };
    Arc::new(common::postgres_app_store(&url).await)
});

// With every table hash-partitioned by controller.
ledger_conformance_tests!(postgres_partitioned_ledger, {
    let Some(url) = url() else { return };
    Arc::new(common::postgres_partitioned_store(&url).await) as Arc<dyn LedgerStore>
});
audit_conformance_tests!(postgres_partitioned_audit, {
    let Some(url) = url() else { return };
    Arc::new(common::postgres_partitioned_store(&url).await)
});

fn scope() -> Scope {
    Scope::of(PartyId::generate())
}

fn with_param(url: &str, param: &str) -> String {
    format!("{url}{}{param}", if url.contains('?') { '&' } else { '?' })
}

/// A schema of the test's own, dropped at the end: for tests that change the schema itself.
struct OwnSchema {
    name: String,
    admin: PgConnection,
    url: String,
}

impl OwnSchema {
    async fn new(base: &str) -> Self {
        let name = format!("gdpr_test_{}", Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(base).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}"))).execute(&mut admin).await.unwrap();
        let url = with_param(base, &format!("options[search_path]={name}"));
        OwnSchema { name, admin, url }
    }

    async fn run(&mut self, sql: &str) {
        let sql = format!("SET search_path TO {}; {sql}", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut self.admin).await.unwrap();
    }

    async fn drop_it(mut self) {
        let sql = format!("DROP SCHEMA {} CASCADE", self.name);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut self.admin).await.unwrap();
    }
}

#[tokio::test]
async fn a_malformed_url_is_invalid_and_never_repeated() {
    for url in ["not a url", "postgres://user:s3cret@[::1/db", "postgres://user:s3cret@localhost:99999/db"] {
        let got = PostgresStore::connect(url).await;
        match &got {
            Err(e @ StoreError::Invalid { .. }) => assert!(!e.to_string().contains("s3cret"), "{e}"),
            other => panic!("{url}: expected Invalid, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_backend_error() {
    let got = PostgresStore::connect("postgres://user:s3cret@127.0.0.1:1/db").await;
    match &got {
        Err(e @ StoreError::Backend { .. }) => assert!(!e.to_string().contains("s3cret"), "{e}"),
        other => panic!("expected Backend, got {other:?}"),
    }
}

#[tokio::test]
async fn a_newer_schema_is_refused_never_downgraded() {
    let Some(base) = url() else { return };
    let mut schema = OwnSchema::new(&base).await;
    let store = PostgresStore::connect(&schema.url).await.unwrap();
    store.close().await;
    schema.run("INSERT INTO gdpr_schema_migrations (version, description) VALUES (99, 'from the future')").await;
    let got = PostgresStore::connect(&schema.url).await;
    match &got {
        Err(e @ StoreError::Schema { problem: SchemaError::Newer { found: 99, known: 6 }, .. }) => {
            assert!(e.to_string().contains("schema version 99 is newer than this crate's 6"), "{e}")
        }
        other => panic!("expected Schema(Newer), got {other:?}"),
    }
    schema.drop_it().await;
}

#[tokio::test]
async fn tables_with_our_names_that_we_did_not_create_clash_other_gdpr_tables_do_not() {
    let Some(base) = url() else { return };
    let mut schema = OwnSchema::new(&base).await;
    // An application's own table named like ours, but not one of ours: no problem.
    schema.run("CREATE TABLE gdpr_consents (id int); INSERT INTO gdpr_consents VALUES (7)").await;
    let store = PostgresStore::connect(&schema.url).await.unwrap();
    store.close().await;
    let sql = format!("SELECT id FROM {}.gdpr_consents", schema.name);
    let kept: Vec<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&mut schema.admin).await.unwrap();
    assert_eq!(kept, [7]);
    schema.drop_it().await;

    // One with the name of a table the crate creates: refused, and left alone.
    let mut schema = OwnSchema::new(&base).await;
    schema.run("CREATE TABLE gdpr_documents (something int)").await;
    let got = PostgresStore::connect(&schema.url).await;
    match &got {
        Err(e @ StoreError::Schema { problem: SchemaError::Clash { names }, .. }) => {
            assert_eq!(names, &["gdpr_documents"]);
            assert!(e.to_string().contains("another table prefix (SQLite) or schema (PostgreSQL)"), "{e}");
        }
        other => panic!("expected Schema(Clash), got {other:?}"),
    }
    schema.drop_it().await;
}

#[tokio::test]
async fn workers_starting_together_migrate_once() {
    let Some(base) = url() else { return };
    let mut schema = OwnSchema::new(&base).await;
    let connects = (0..6).map(|_| PostgresStore::connect(&schema.url));
    let results = futures_util::future::join_all(connects).await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    for store in results.into_iter().flatten() {
        store.close().await;
    }
    let sql = format!("SELECT COUNT(*) FROM {}.gdpr_schema_migrations", schema.name);
    let applied: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut schema.admin).await.unwrap();
    assert_eq!(applied, 2, "each migration of the ledger's (1 and 3) once");
    schema.drop_it().await;
}

fn exact_entry() -> AuditEntry {
    let at: DateTime<Utc> = "2026-03-01T10:11:12.123456789Z".parse().unwrap();
    AuditEntry::new(at, AuditAction::DocumentWritten { kind: DocumentKind::Agreement, id: Uuid::now_v7() })
        .with_actor(PartyId::generate())
        .with_article(Article::gdpr(28).paragraph(3).point('a'))
}

#[tokio::test]
async fn audit_entries_and_bodies_round_trip_exactly() {
    let Some(store) = store().await else { return };
    let c = scope();
    // Nanoseconds, which a timestamp column would cut to microseconds, survive: the entry is
    // stored as the exact text that was hashed.
    let entry = exact_entry();
    let stored = store.append(c, entry.clone()).await.unwrap();
    let read = store.read_all(c).await.unwrap();
    assert_eq!(read, vec![stored]);
    assert_eq!(store.verify_all(c).await.unwrap(), 1);
    // Bodies jsonb would change: a NUL, key order, big integers, unicode.
    let key = DocumentKey { kind: DocumentKind::Party, id: Uuid::now_v7() };
    let body = serde_json::json!({"z": "nul \u{0} here", "a": u64::MAX, "name": "Žofie Dvořáková 😀", "f": 0.1});
    store.put_document(c, key, &body, Version::NONE).await.unwrap();
    assert_eq!(store.get_document(c, key).await.unwrap().map(|s| s.body), Some(body));
}

#[tokio::test]
async fn damaged_rows_are_corrupt_not_panics() {
    let Some(base) = url() else { return };
    let store = PostgresStore::connect(&base).await.unwrap();
    let c = scope();
    let key = DocumentKey { kind: DocumentKind::Activity, id: Uuid::now_v7() };
    let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
    store.put_document(c, key, &serde_json::json!(1), Version::NONE).await.unwrap();
    store.append_events(c, stream, Version::NONE, &[serde_json::json!(1)]).await.unwrap();
    store.append(c, exact_entry()).await.unwrap();
    let mut admin = PgConnection::connect(&base).await.unwrap();
    for sql in [
        "UPDATE gdpr_documents SET body = '{broken' WHERE controller = $1",
        "UPDATE gdpr_events SET body = '[' WHERE controller = $1",
        "UPDATE gdpr_audit SET entry = '{}' WHERE controller = $1",
    ] {
        sqlx::query(sql).bind(c.controller().as_uuid()).execute(&mut admin).await.unwrap();
    }
    let got = store.get_document(c, key).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
    let got = store.read_events(c, stream).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
    let got = store.read(c, 0, 10).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
}

/// The server drops the store's connections while it appends batches: every call returns
/// `Ok` or a `Backend` error (never a panic), and the stream holds whole batches only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_dropped_mid_operation_give_typed_errors_and_no_partial_write() {
    let Some(base) = url() else { return };
    let app = format!("gdpr-test-kill-{}", Uuid::now_v7().simple());
    let store = PostgresStore::connect(&with_param(&base, &format!("application_name={app}"))).await.unwrap();
    let c = scope();
    let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for batch in 0..60u64 {
                let expected = Version::NONE.after(store.read_events(c, stream).await.map_or(0, |e| e.len()));
                let events: Vec<_> = (0..3).map(|i| serde_json::json!({"batch": batch, "i": i})).collect();
                outcomes.push(store.append_events(c, stream, expected, &events).await.map(|_| ()));
            }
            outcomes
        })
    };
    let mut admin = PgConnection::connect(&base).await.unwrap();
    let mut killed = 0i64;
    for _ in 0..20 {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind(&app)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        killed += n;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let outcomes = writer.await.unwrap();
    for o in &outcomes {
        assert!(matches!(o, Ok(()) | Err(StoreError::Backend { .. } | StoreError::Conflict { .. })), "{o:?}");
    }
    let events = store.read_events(c, stream).await.unwrap();
    assert_eq!(events.len() % 3, 0, "a partial batch was written: {events:?}");
    for batch in events.chunks(3) {
        let ids: Vec<_> = batch.iter().map(|e| (e["batch"].clone(), e["i"].clone())).collect();
        let b = ids[0].0.clone();
        assert_eq!(ids, (0..3).map(|i| (b.clone(), serde_json::json!(i))).collect::<Vec<_>>(), "{events:?}");
    }
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    let _ = writeln!(std::io::stderr(), "killed {killed} connections; {failed} of 60 appends failed");
}

#[tokio::test]
async fn a_closed_store_gives_backend_errors() {
    let Some(store) = store().await else { return };
    store.close().await;
    let got = store.get_document(scope(), DocumentKey { kind: DocumentKind::Party, id: Uuid::now_v7() }).await;
    assert!(matches!(got, Err(StoreError::Backend { store: "postgres", .. })), "{got:?}");
}

/// The feed and a consumer's cursor are in the database: closing the store and connecting
/// again resumes after the cursor, and new writes continue the numbering.
#[tokio::test]
async fn the_feed_resumes_after_connecting_again() {
    use gdpr_obligations::testkit::conformance as kit;
    let Some(base) = url() else { return };
    let first = Arc::new(PostgresStore::connect(&base).await.unwrap()) as Arc<dyn LedgerStore>;
    let reopen: kit::Reopen = Box::new(move |first| {
        Box::pin(async move {
            drop(first);
            Ok(Arc::new(PostgresStore::connect(&base).await?) as Arc<dyn LedgerStore>)
        })
    });
    if let Err(e) = kit::feed_resumes_after_reopening(first, reopen).await {
        panic!("{e}");
    }
}

/// A database of schema version 2 (before the feed) is upgraded with its writes in the feed:
/// each controller's documents, then its events in stream order, numbered from 1; the next
/// write continues after them.
#[tokio::test]
async fn an_upgrade_puts_what_was_written_before_into_the_feed() {
    use gdpr_obligations::store::{FeedEntry, FeedPosition};
    let Some(base) = url() else { return };
    let mut schema = OwnSchema::new(&base).await;
    let (c, d) = (scope(), scope());
    let key = DocumentKey { kind: DocumentKind::Agreement, id: Uuid::now_v7() };
    let s1 = StreamKey { kind: StreamKind::Sweep, id: Uuid::now_v7() };
    let s2 = StreamKey { kind: StreamKind::Consent, id: Uuid::now_v7() };
    {
        let store = PostgresStore::connect(&schema.url).await.unwrap();
        store.append_events(c, s2, Version::NONE, &[serde_json::json!(1), serde_json::json!(2)]).await.unwrap();
        store.append_events(c, s1, Version::NONE, &[serde_json::json!(3)]).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 1}), Version::NONE).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 2}), Version::new(1)).await.unwrap();
        store.append_events(d, s1, Version::NONE, &[serde_json::json!(4)]).await.unwrap();
        store.close().await;
    }
    // Back to schema 2: what a database written by the previous release holds.
    schema
        .run(
            "DROP TABLE gdpr_feed; DROP TABLE gdpr_feed_heads; DROP TABLE IF EXISTS gdpr_chat_agents; \
             DELETE FROM gdpr_schema_migrations WHERE version >= 3",
        )
        .await;

    let store = PostgresStore::connect(&schema.url).await.unwrap();
    let in_c = store.read_feed(c, FeedPosition::START, 100).await.unwrap();
    let event =
        |p, s: StreamKey, v, n| FeedEntry::event(FeedPosition::new(p), s, Version::new(v), serde_json::json!(n));
    // s1's id was made before s2's, so its UUID v7 sorts first.
    let want = vec![
        FeedEntry::document(FeedPosition::new(1), key, Version::new(2)),
        event(2, s1, 1, 3),
        event(3, s2, 1, 1),
        event(4, s2, 2, 2),
    ];
    assert!(s1.id < s2.id);
    assert_eq!(in_c, want);
    assert_eq!(store.read_feed(d, FeedPosition::START, 100).await.unwrap(), vec![event(1, s1, 1, 4)]);
    store.append_events(c, s1, Version::new(1), &[serde_json::json!(5)]).await.unwrap();
    assert_eq!(store.read_feed(c, FeedPosition::new(4), 100).await.unwrap(), vec![event(5, s1, 2, 5)]);
    store.close().await;
    schema.drop_it().await;
}

// --- a database the application shares, and its schema's life ----------------------------------

fn schema_problem<T: std::fmt::Debug>(got: Result<T, StoreError>) -> SchemaError {
    match got {
        Err(StoreError::Schema { problem, .. }) => problem,
        other => panic!("expected StoreError::Schema, got {other:?}"),
    }
}

/// An application's pool: `search_path` set to the test's own schema (where the application's
/// table is), the crate's tables in a schema of their own, created by the crate.
async fn app_pool(schema: &OwnSchema) -> gdpr_obligations::store::postgres::PgPool {
    let pool = gdpr_obligations::store::postgres::PgPool::connect(&schema.url).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE app_invoices (id bigint PRIMARY KEY, total float8); INSERT INTO app_invoices VALUES (1, 9.5)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool
}

/// Under `Migrations::Verify` nothing is created and an unmigrated schema is refused with the
/// versions missing; applied from the deploy step, it opens; the chat tables are checked when
/// the chat history is made. The application's table, and its connections' `search_path`,
/// stay as they were.
#[tokio::test]
async fn verify_refuses_what_is_not_migrated_until_it_is_applied_in_a_schema_of_its_own() {
    use gdpr_obligations::store::chat::ChatHistory;
    use gdpr_obligations::store::postgres::PostgresOptions;
    use gdpr_obligations::store::{Migrations, PseudonymKey};
    let Some(base) = url() else { return };
    let mut own = OwnSchema::new(&base).await;
    let pool = app_pool(&own).await;
    let crate_schema = format!("{}_privacy", own.name);
    let apply = PostgresOptions::new().schema(&crate_schema).unwrap();
    let verify = apply.clone().migrations(Migrations::Verify);
    let key = || PseudonymKey::new(b"verify-test-key-0123456789abcdef!!").unwrap();

    let problem = schema_problem(PostgresStore::from_pool(pool.clone(), verify.clone()).await);
    assert_eq!(problem, SchemaError::NotMigrated { missing: vec![1, 3] });
    let schemas: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1")
        .bind(&crate_schema)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(schemas, 0, "Verify created nothing");

    let deploy = PostgresStore::from_pool(pool.clone(), apply).await.unwrap();
    deploy.migrate().await.unwrap();
    let runtime = PostgresStore::from_pool(pool.clone(), verify.clone()).await.unwrap();
    let problem = schema_problem(ChatHistory::postgres(&runtime, key()).await);
    assert_eq!(problem, SchemaError::NotMigrated { missing: vec![2, 4, 5, 6] });
    ChatHistory::postgres(&deploy, key()).await.unwrap();
    let chat = ChatHistory::postgres(&runtime, key()).await.unwrap();
    let c = scope();
    let eva = chat.add_visitor(c, gdpr_obligations::model::Token::new("tok-eva").unwrap(), Utc::now()).await.unwrap();
    let _ = eva;
    runtime
        .put_document(
            c,
            DocumentKey { kind: DocumentKind::Agreement, id: Uuid::now_v7() },
            &serde_json::json!({}),
            Version::NONE,
        )
        .await
        .unwrap();

    let sql = format!("SELECT version FROM \"{crate_schema}\".gdpr_schema_migrations ORDER BY version");
    let versions: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6], "the gaps below version 3 were filled");
    let path: String = sqlx::query_scalar("SHOW search_path").fetch_one(&pool).await.unwrap();
    assert_eq!(path, own.name, "the application's search_path is its own");
    let rows: Vec<(i64, f64)> = sqlx::query_as("SELECT id, total FROM app_invoices").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, common::APP_ROWS);
    let sql = format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{}' AND tablename LIKE 'gdpr%'", own.name);
    let in_app_schema: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
    assert_eq!(in_app_schema, 0, "no table of the crate's in the application's schema");
    pool.close().await;
    own.run(&format!("DROP SCHEMA \"{crate_schema}\" CASCADE")).await;
    own.drop_it().await;
}

/// A modified applied migration is refused whether the store applies or verifies; a database
/// of the previous release (no checksums) is refused by Verify, and gains the checksums when
/// applied (trust on first use).
#[tokio::test]
async fn a_modified_migration_is_refused_and_an_older_table_gains_checksums() {
    use gdpr_obligations::store::Migrations;
    use gdpr_obligations::store::postgres::PostgresOptions;
    let Some(base) = url() else { return };
    let mut own = OwnSchema::new(&base).await;
    PostgresStore::connect(&own.url).await.unwrap().close().await;
    own.run("UPDATE gdpr_schema_migrations SET checksum = 'edited' WHERE version = 1").await;
    for mode in [Migrations::Apply, Migrations::Verify] {
        let got = PostgresStore::connect_with(&own.url, PostgresOptions::new().migrations(mode)).await;
        assert_eq!(schema_problem(got), SchemaError::Modified { version: 1, description: "ledger and audit log" });
    }
    own.run("ALTER TABLE gdpr_schema_migrations DROP COLUMN checksum").await;
    let verify = PostgresOptions::new().migrations(Migrations::Verify);
    let got = PostgresStore::connect_with(&own.url, verify.clone()).await;
    assert_eq!(schema_problem(got), SchemaError::ChecksumsMissing { versions: vec![1, 3] });
    PostgresStore::connect(&own.url).await.unwrap().close().await;
    PostgresStore::connect_with(&own.url, verify).await.unwrap().close().await;
    own.drop_it().await;
}

#[test]
fn schema_names_are_checked() {
    use gdpr_obligations::store::postgres::PostgresOptions;
    for bad in ["", "Privacy", "1x", "x-y", "a\"b", "pg_x", "information_schema", "x; DROP TABLE t", &"a".repeat(64)] {
        assert!(matches!(PostgresOptions::new().schema(bad), Err(StoreError::Invalid { .. })), "{bad:?} accepted");
    }
    assert!(PostgresOptions::new().schema("privacy").is_ok());
}
