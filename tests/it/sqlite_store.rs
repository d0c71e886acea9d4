//! The SQLite store (feature `sqlite`): the whole conformance kit, on a file and in memory,
//! plus what only a file has: WAL mode, creation on first open, reopening, refusing a corrupt
//! file and a newer schema, opening an application's database beside its tables, and exact round trips of what the audit hashes cover.
//!
//! Run with `cargo test --features sqlite --test it sqlite_store::`.
#![cfg(feature = "sqlite")]

use crate::common;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKey, DocumentKind, LedgerStore, SchemaError, Scope,
    StoreError, StreamKey, StreamKind, SubjectKey, Version,
};
use gdpr_obligations::vocab::Article;
use gdpr_obligations::{audit_conformance_tests, ledger_conformance_tests};
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

/// A database file of its own in the temporary folder, removed (with its WAL files) when
/// dropped.
struct TempDb {
    store: SqliteStore,
    path: PathBuf,
}

impl Deref for TempDb {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        remove_db(&self.path);
    }
}

fn temp_path() -> PathBuf {
    std::env::temp_dir().join(format!("gdpr-sqlite-test-{}.sqlite", Uuid::now_v7()))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn temp_db() -> TempDb {
    let path = temp_path();
    let store = SqliteStore::open(&path).await.unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    TempDb { store, path }
}

async fn in_memory() -> SqliteStore {
    SqliteStore::open_in_memory().await.unwrap_or_else(|e| panic!("open in memory: {e}"))
}

ledger_conformance_tests!(sqlite_file_ledger, temp_db().await);
ledger_conformance_tests!(sqlite_memory_ledger, Arc::new(in_memory().await) as Arc<dyn LedgerStore>);
audit_conformance_tests!(sqlite_file_audit, temp_db().await);
audit_conformance_tests!(sqlite_memory_audit, Arc::new(in_memory().await) as Arc<dyn AuditLog>);
// On a pool the application hands over, the tables prefixed beside the application's own.
ledger_conformance_tests!(
    sqlite_app_pool_ledger,
    Arc::new(common::sqlite_app_memory_store().await) as Arc<dyn LedgerStore>
);
audit_conformance_tests!(sqlite_app_pool_audit, Arc::new(common::sqlite_app_memory_store().await) as Arc<dyn AuditLog>);

fn scope() -> Scope {
    Scope::of(PartyId::generate())
}

fn doc_key() -> DocumentKey {
    DocumentKey { kind: DocumentKind::Agreement, id: Uuid::now_v7() }
}

async fn raw(path: &Path) -> SqliteConnection {
    let url = format!("sqlite://{}", path.display());
    SqliteConnection::connect(&url).await.unwrap_or_else(|e| panic!("raw connection to {url}: {e}"))
}

#[tokio::test]
async fn the_file_is_created_on_first_open_in_wal_mode() {
    let path = temp_path();
    assert!(!path.exists());
    let db = TempDb { store: SqliteStore::open(&path).await.unwrap(), path: path.clone() };
    assert!(path.exists(), "open did not create {}", path.display());
    let mut conn = raw(&path).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut conn).await.unwrap();
    assert_eq!(mode, "wal");
    // The ledger, audit log and feed only (versions 1 and 3): the chat tables come with the
    // chat history, each migration with the SHA-256 of its SQL.
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM gdpr_schema_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(applied.iter().map(|(v, _)| *v).collect::<Vec<_>>(), [1, 3]);
    assert!(applied.iter().all(|(_, sum)| sum.len() == 64), "{applied:?}");
    let chat: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'gdpr_chat%'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(chat, 0, "no chat tables without a chat history");
    drop(db);
}

#[tokio::test]
async fn what_was_written_is_there_after_reopening() {
    let path = temp_path();
    let (c, key) = (scope(), doc_key());
    let stream = StreamKey { kind: StreamKind::Consent, id: Uuid::now_v7() };
    let entry = exact_entry();
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 1}), Version::NONE).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 2}), Version::new(1)).await.unwrap();
        store.append_events(c, stream, Version::NONE, &[serde_json::json!("given")]).await.unwrap();
        store.append(c, entry.clone()).await.unwrap();
    }
    let db = TempDb { store: SqliteStore::open(&path).await.unwrap(), path };
    let got = db.get_document(c, key).await.unwrap().map(|s| (s.version, s.body));
    assert_eq!(got, Some((Version::new(2), serde_json::json!({"a": 2}))));
    assert_eq!(db.read_events(c, stream).await.unwrap(), vec![serde_json::json!("given")]);
    assert_eq!(db.list_streams(c, StreamKind::Consent).await.unwrap(), vec![stream]);
    let log = db.read_all(c).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].entry, entry);
    assert_eq!(db.verify_all(c).await.unwrap(), 1);
    // Appending after reopening continues the chain.
    let second = db.append(c, exact_entry()).await.unwrap();
    assert_eq!((second.sequence, second.previous), (2, log[0].hash));
}

/// An entry with everything the hash covers that could be lost in a round trip: nanoseconds,
/// an actor, an article, subject keys, non-ASCII.
fn exact_entry() -> AuditEntry {
    let at: DateTime<Utc> = "2026-03-01T10:11:12.123456789Z".parse().unwrap();
    let key = gdpr_obligations::store::PseudonymKey::new(b"0123456789abcdef-secret").unwrap();
    let id = gdpr_obligations::model::SubjectIdentifier::Email(
        gdpr_obligations::model::EmailAddress::new("žofie@example.cz").unwrap(),
    );
    let action = AuditAction::ErasureCompleted {
        erasure: gdpr_obligations::request::RequestId::generate(),
        subject: vec![SubjectKey::derive(&key, scope(), &id)],
    };
    AuditEntry::new(at, action).with_actor(PartyId::generate()).with_article(Article::gdpr(17).paragraph(1))
}

#[tokio::test]
async fn audit_entries_round_trip_exactly() {
    let db = temp_db().await;
    let c = scope();
    let entry = exact_entry();
    let stored = db.append(c, entry.clone()).await.unwrap();
    let read = db.read(c, 0, 10).await.unwrap();
    assert_eq!(read, vec![stored]);
    assert_eq!(read[0].entry, entry);
    // The stored text is the exact JSON that was hashed.
    let mut conn = raw(&db.path).await;
    let text: String = sqlx::query_scalar("SELECT entry FROM gdpr_audit WHERE controller = ? AND sequence = 1")
        .bind(c.controller().as_uuid())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(text, serde_json::to_string(&entry).unwrap());
}

#[tokio::test]
async fn a_text_file_is_refused_as_corrupt_and_left_alone() {
    let path = temp_path();
    let content = "this is not a database, it is a shopping list: milk, bread\n".repeat(100);
    std::fs::write(&path, &content).unwrap();
    let got = SqliteStore::open(&path).await;
    let kept = std::fs::read_to_string(&path).unwrap();
    remove_db(&path);
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "expected Corrupt, got {got:?}");
    assert_eq!(kept, content, "opening a foreign file changed it");
}

#[tokio::test]
async fn a_damaged_database_gives_a_typed_error() {
    let path = temp_path();
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.put_document(scope(), doc_key(), &serde_json::json!(1), Version::NONE).await.unwrap();
        store.close().await;
    }
    assert!(!Path::new(&format!("{}-wal", path.display())).exists(), "closing did not checkpoint the WAL");
    // Overwrite everything after the 100-byte header with noise.
    let mut bytes = std::fs::read(&path).unwrap();
    for (i, b) in bytes.iter_mut().enumerate().skip(100) {
        *b = (i * 7919 % 251) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    let got = SqliteStore::open(&path).await;
    remove_db(&path);
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "expected Corrupt, got {got:?}");
}

#[tokio::test]
async fn an_application_database_with_other_tables_opens_and_keeps_them() {
    let path = temp_path();
    {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    }
    let got = SqliteStore::open(&path).await.map(drop);
    let mut conn = raw(&path).await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'").fetch_all(&mut conn).await.unwrap();
    let invoices: Vec<(i64, f64)> =
        sqlx::query_as("SELECT id, total FROM invoices").fetch_all(&mut conn).await.unwrap();
    assert_eq!(invoices, [(1, 9.5)], "the application's rows are untouched");
    drop(conn);
    remove_db(&path);
    assert!(got.is_ok(), "{got:?}");
    assert!(tables.contains(&"invoices".to_owned()), "{tables:?}");
    assert!(tables.contains(&"gdpr_documents".to_owned()), "{tables:?}");
}

#[tokio::test]
async fn a_newer_schema_is_refused_never_downgraded() {
    let db = temp_db().await;
    let mut conn = raw(&db.path).await;
    sqlx::query(
        "INSERT INTO gdpr_schema_migrations (version, description, applied_at) VALUES (99, 'from the future', 'x')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let got = SqliteStore::open(&db.path).await;
    match &got {
        Err(e @ StoreError::Schema { problem: SchemaError::Newer { found: 99, known: 6 }, .. }) => {
            assert!(e.to_string().contains("schema version 99 is newer than this crate's 6"), "{e}")
        }
        other => panic!("expected Schema(Newer), got {other:?}"),
    }
    // Nothing was changed: the version is still 99.
    let mut conn = raw(&db.path).await;
    let version: i64 =
        sqlx::query_scalar("SELECT MAX(version) FROM gdpr_schema_migrations").fetch_one(&mut conn).await.unwrap();
    assert_eq!(version, 99);
}

#[tokio::test]
async fn a_missing_folder_is_a_backend_error() {
    let path = std::env::temp_dir().join(format!("gdpr-no-such-folder-{}", Uuid::now_v7())).join("db.sqlite");
    let got = SqliteStore::open(&path).await;
    assert!(matches!(&got, Err(StoreError::Backend { store: "sqlite", .. })), "expected Backend, got {got:?}");
    let error = got.err().unwrap();
    assert_eq!(error.to_string(), "storage backend sqlite failed", "the store is named, its cause is the source");
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert!(source.is_some_and(|s| !s.is_empty()), "the backend's own error is the source");
}

#[tokio::test]
async fn damaged_rows_are_corrupt_not_panics() {
    let db = temp_db().await;
    let (c, key) = (scope(), doc_key());
    let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
    db.put_document(c, key, &serde_json::json!({"ok": true}), Version::NONE).await.unwrap();
    db.append_events(c, stream, Version::NONE, &[serde_json::json!(1)]).await.unwrap();
    db.append(c, exact_entry()).await.unwrap();
    db.append(c, exact_entry()).await.unwrap();
    let mut conn = raw(&db.path).await;
    sqlx::raw_sql("UPDATE gdpr_documents SET body = '{not json'; UPDATE gdpr_events SET body = '[';")
        .execute(&mut conn)
        .await
        .unwrap();
    let got = db.get_document(c, key).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
    let got = db.list_documents(c, DocumentKind::Agreement).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
    let got = db.read_events(c, stream).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");

    // An audit entry edited in place still parses, but no longer verifies.
    let entry = serde_json::to_string(&exact_entry()).unwrap();
    sqlx::query("UPDATE gdpr_audit SET entry = ? WHERE controller = ? AND sequence = 1")
        .bind(entry)
        .bind(c.controller().as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let got = db.verify_all(c).await;
    assert!(matches!(&got, Err(StoreError::AuditBroken { found, .. }) if found.sequence == 1), "{got:?}");
    // A hash of the wrong length, or a row that is not an entry, is Corrupt.
    sqlx::query("UPDATE gdpr_audit SET entry = '{}' WHERE controller = ? AND sequence = 2")
        .bind(c.controller().as_uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    let got = db.read(c, 1, 10).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
    sqlx::raw_sql("PRAGMA ignore_check_constraints = ON; UPDATE gdpr_documents SET version = -3;")
        .execute(&mut conn)
        .await
        .unwrap();
    db.put_document(c, doc_key(), &serde_json::json!(1), Version::NONE).await.unwrap();
    let got = db.get_document(c, key).await;
    assert!(matches!(&got, Err(StoreError::Corrupt { .. })), "{got:?}");
}

#[tokio::test]
async fn two_stores_on_one_file_share_it_and_number_audit_records_once() {
    let db = temp_db().await;
    let other = SqliteStore::open(&db.path).await.unwrap();
    let c = scope();
    let appends = (0..20).map(|i| {
        let store = if i % 2 == 0 { db.store.clone() } else { other.clone() };
        async move { store.append(c, exact_entry()).await }
    });
    let results = futures_util::future::join_all(appends).await;
    let mut numbers: Vec<u64> = results.into_iter().map(|r| r.unwrap().sequence).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    assert_eq!(other.verify_all(c).await.unwrap(), 20);
}

#[tokio::test]
async fn concurrent_first_opens_of_a_new_file_create_it_once() {
    let path = temp_path();
    let opens = (0..6).map(|_| SqliteStore::open(&path));
    let results = futures_util::future::join_all(opens).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let errors: Vec<String> = results.iter().filter_map(|r| r.as_ref().err()).map(|e| format!("{e:?}")).collect();
    let mut conn = raw(&path).await;
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM gdpr_schema_migrations").fetch_one(&mut conn).await.unwrap();
    drop(conn);
    drop(results);
    remove_db(&path);
    assert_eq!(ok, 6, "every open succeeds: {errors:?}");
    assert_eq!(applied, 2, "each migration of the ledger's (1 and 3) once");
}

#[tokio::test]
async fn versions_beyond_what_sqlite_stores_are_refused_cleanly() {
    let db = temp_db().await;
    let (c, key) = (scope(), doc_key());
    let got = db.put_document(c, key, &serde_json::json!(1), Version::new(u64::MAX)).await;
    assert!(matches!(got, Err(StoreError::NotFound { .. })), "{got:?}");
    db.put_document(c, key, &serde_json::json!(1), Version::NONE).await.unwrap();
    let got = db.put_document(c, key, &serde_json::json!(1), Version::new(u64::MAX)).await;
    assert!(matches!(got, Err(StoreError::Conflict { .. })), "{got:?}");
    let stream = StreamKey { kind: StreamKind::Breach, id: Uuid::now_v7() };
    let got = db.append_events(c, stream, Version::new(u64::MAX - 1), &[serde_json::json!(1)]).await;
    assert!(matches!(got, Err(StoreError::Conflict { .. })), "{got:?}");
    assert!(db.read_events(c, stream).await.unwrap().is_empty());
    assert!(db.read(c, u64::MAX, 10).await.unwrap().is_empty());
    assert!(db.read(c, 0, usize::MAX).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_closed_store_gives_backend_errors() {
    let db = temp_db().await;
    db.close().await;
    let got = db.get_document(scope(), doc_key()).await;
    assert!(matches!(got, Err(StoreError::Backend { .. })), "{got:?}");
    let got = db.append(scope(), exact_entry()).await;
    assert!(matches!(got, Err(StoreError::Backend { .. })), "{got:?}");
}

/// The feed and a consumer's cursor are in the file: closing the store and opening the file
/// again resumes after the cursor, and new writes continue the numbering.
#[tokio::test]
async fn the_feed_resumes_after_reopening_the_file() {
    use gdpr_obligations::testkit::conformance as kit;
    let path = temp_path();
    let store = Arc::new(SqliteStore::open(&path).await.unwrap()) as Arc<dyn LedgerStore>;
    let again = path.clone();
    let reopen: kit::Reopen = Box::new(move |store| {
        Box::pin(async move {
            drop(store);
            Ok(Arc::new(SqliteStore::open(&again).await?) as Arc<dyn LedgerStore>)
        })
    });
    let checked = kit::feed_resumes_after_reopening(store, reopen).await;
    remove_db(&path);
    if let Err(e) = checked {
        panic!("{e}");
    }
}

/// A database of schema version 2 (before the feed) is upgraded with its writes in the feed:
/// each controller's documents, then its events in stream order, numbered from 1; the next
/// write continues after them.
#[tokio::test]
async fn an_upgrade_puts_what_was_written_before_into_the_feed() {
    use gdpr_obligations::store::{FeedEntry, FeedPosition};
    let path = temp_path();
    let (c, d) = (scope(), scope());
    let key = doc_key();
    let (s1, s2) = (
        StreamKey { kind: StreamKind::Sweep, id: Uuid::now_v7() },
        StreamKey { kind: StreamKind::Consent, id: Uuid::now_v7() },
    );
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.append_events(c, s2, Version::NONE, &[serde_json::json!(1), serde_json::json!(2)]).await.unwrap();
        store.append_events(c, s1, Version::NONE, &[serde_json::json!(3)]).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 1}), Version::NONE).await.unwrap();
        store.put_document(c, key, &serde_json::json!({"a": 2}), Version::new(1)).await.unwrap();
        store.append_events(d, s1, Version::NONE, &[serde_json::json!(4)]).await.unwrap();
        store.close().await;
    }
    // Back to schema 2: what a database written by the previous release holds.
    let mut conn = raw(&path).await;
    sqlx::raw_sql(
        "DROP TABLE gdpr_feed; DROP TABLE gdpr_feed_heads; DROP TABLE IF EXISTS gdpr_chat_agents; \
         DELETE FROM gdpr_schema_migrations WHERE version >= 3",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let db = TempDb { store: SqliteStore::open(&path).await.unwrap(), path };
    let in_c = db.read_feed(c, FeedPosition::START, 100).await.unwrap();
    let (first, second) = if s1.id < s2.id { (s1, s2) } else { (s2, s1) };
    let event =
        |p, s: StreamKey, v, n| FeedEntry::event(FeedPosition::new(p), s, Version::new(v), serde_json::json!(n));
    let events_of = |s: StreamKey| if s == s1 { vec![(1, 3)] } else { vec![(1, 1), (2, 2)] };
    let mut want = vec![FeedEntry::document(FeedPosition::new(1), key, Version::new(2))];
    for s in [first, second] {
        for (v, n) in events_of(s) {
            want.push(event(want.len() as u64 + 1, s, v, n));
        }
    }
    assert_eq!(in_c, want);
    assert_eq!(db.read_feed(d, FeedPosition::START, 100).await.unwrap(), vec![event(1, s1, 1, 4)]);
    db.append_events(c, s1, Version::new(1), &[serde_json::json!(5)]).await.unwrap();
    let next = db.read_feed(c, FeedPosition::new(4), 100).await.unwrap();
    assert_eq!(next, vec![event(5, s1, 2, 5)]);
}

// --- a database the application shares, and its schema's life ----------------------------------

/// The application's rows of its own table, and the names of the tables of the database.
async fn app_rows_and_tables(path: &Path) -> (Vec<(i64, f64)>, Vec<String>) {
    let mut conn = raw(path).await;
    let rows = sqlx::query_as("SELECT id, total FROM app_invoices").fetch_all(&mut conn).await.unwrap();
    let tables = sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    (rows, tables)
}

fn schema_problem<T: std::fmt::Debug>(got: Result<T, StoreError>) -> SchemaError {
    match got {
        Err(StoreError::Schema { problem, .. }) => problem,
        other => panic!("expected StoreError::Schema, got {other:?}"),
    }
}

/// On the application's pool, with a prefix: the crate's tables sit beside the application's,
/// which keeps its rows, and the pool's connections keep their own settings.
#[tokio::test]
async fn an_application_pool_gets_prefixed_tables_beside_its_own_and_keeps_its_settings() {
    use gdpr_obligations::store::chat::ChatHistory;
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    let path = temp_path();
    let pool = common::sqlite_app_pool(&path).await;
    sqlx::query("PRAGMA cache_size = -1234").execute(&pool).await.unwrap();
    let options = SqliteOptions::new().table_prefix(common::APP_PREFIX).unwrap();
    let store = SqliteStore::from_pool(pool.clone(), options).await.unwrap();
    let c = scope();
    store.put_document(c, doc_key(), &serde_json::json!({"a": 1}), Version::NONE).await.unwrap();
    let key = gdpr_obligations::store::PseudonymKey::new(b"app-pool-test-key-0123456789abcdef").unwrap();
    let chat = ChatHistory::sqlite(&store, key).await.unwrap();
    drop(chat);
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&pool).await.unwrap();
    assert_eq!(cache, -1234, "the application's connection settings are its own");
    store.close().await;
    let (rows, tables) = app_rows_and_tables(&path).await;
    remove_db(&path);
    assert_eq!(rows, common::APP_ROWS);
    assert!(tables.iter().all(|t| !t.starts_with("gdpr_")), "{tables:?}");
    for ours in
        ["privacy_documents", "privacy_audit", "privacy_feed", "privacy_chat_messages", "privacy_schema_migrations"]
    {
        assert!(tables.iter().any(|t| t == ours), "{ours} in {tables:?}");
    }
}

/// Under `Migrations::Verify` nothing is created: an unmigrated database is refused with the
/// versions missing; once they are applied (the deploy step), it opens; the chat tables are
/// checked when the chat history is made, and applied by a store that applies.
#[tokio::test]
async fn verify_refuses_what_is_not_migrated_until_it_is_applied_explicitly() {
    use gdpr_obligations::store::chat::ChatHistory;
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    use gdpr_obligations::store::{Migrations, PseudonymKey};
    let path = temp_path();
    let pool = common::sqlite_app_pool(&path).await;
    let apply = SqliteOptions::new().table_prefix(common::APP_PREFIX).unwrap();
    let verify = apply.clone().migrations(Migrations::Verify);
    let key = || PseudonymKey::new(b"verify-test-key-0123456789abcdef!!").unwrap();

    let problem = schema_problem(SqliteStore::from_pool(pool.clone(), verify.clone()).await);
    assert_eq!(problem, SchemaError::NotMigrated { missing: vec![1, 3] });
    assert!(problem.to_string().contains("run the store's `migrate()`"), "{problem}");
    let (_, tables) = app_rows_and_tables(&path).await;
    assert_eq!(tables, ["app_invoices"], "Verify created nothing");

    // The deploy step applies; the runtime verifies.
    let deploy = SqliteStore::from_pool(pool.clone(), apply).await.unwrap();
    deploy.migrate().await.unwrap(); // applying what is applied does nothing
    let runtime = SqliteStore::from_pool(pool.clone(), verify.clone()).await.unwrap();
    let problem = schema_problem(ChatHistory::sqlite(&runtime, key()).await);
    assert_eq!(problem, SchemaError::NotMigrated { missing: vec![2, 4, 5, 6] });
    ChatHistory::sqlite(&deploy, key()).await.unwrap();
    ChatHistory::sqlite(&runtime, key()).await.unwrap();

    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM privacy_schema_migrations ORDER BY version")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6], "the gaps below version 3 were filled");
    pool.close().await;
    remove_db(&path);
}

/// An applied migration whose recorded checksum is not that of the migration shipped is
/// refused, whether the store applies or verifies, and nothing is changed.
#[tokio::test]
async fn a_modified_migration_is_refused() {
    use gdpr_obligations::store::Migrations;
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    let db = temp_db().await;
    let mut conn = raw(&db.path).await;
    sqlx::query("UPDATE gdpr_schema_migrations SET checksum = 'edited' WHERE version = 3")
        .execute(&mut conn)
        .await
        .unwrap();
    for mode in [Migrations::Apply, Migrations::Verify] {
        let got = SqliteStore::open_with(&db.path, SqliteOptions::new().migrations(mode)).await;
        let problem = schema_problem(got);
        assert_eq!(problem, SchemaError::Modified { version: 3, description: "change feed" });
        assert!(problem.to_string().contains("restore the migration as shipped"), "{problem}");
    }
    let kept: String = sqlx::query_scalar("SELECT checksum FROM gdpr_schema_migrations WHERE version = 3")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept, "edited");
}

/// A database written by the previous release (a table of applied migrations without
/// checksums, all six versions) opens: its migrations are trusted on first use and get the
/// checksums of those shipped; under Verify, before that, it is refused until `migrate()` runs.
#[tokio::test]
async fn a_database_of_the_previous_release_opens_and_gains_checksums() {
    use gdpr_obligations::store::Migrations;
    use gdpr_obligations::store::chat::ChatHistory;
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    let path = temp_path();
    {
        let store = SqliteStore::open(&path).await.unwrap();
        let key = gdpr_obligations::store::PseudonymKey::new(b"previous-release-key-0123456789ab").unwrap();
        ChatHistory::sqlite(&store, key).await.unwrap();
        store.close().await;
    }
    let mut conn = raw(&path).await;
    sqlx::raw_sql("ALTER TABLE gdpr_schema_migrations DROP COLUMN checksum").execute(&mut conn).await.unwrap();
    let verify = SqliteOptions::new().migrations(Migrations::Verify);
    let problem = schema_problem(SqliteStore::open_with(&path, verify.clone()).await);
    assert_eq!(problem, SchemaError::ChecksumsMissing { versions: vec![1, 2, 3, 4, 5, 6] });

    let store = SqliteStore::open(&path).await.unwrap();
    store.close().await;
    let sums: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM gdpr_schema_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(sums.iter().map(|(v, _)| *v).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert!(sums.iter().all(|(_, s)| s.len() == 64), "{sums:?}");
    conn.close().await.unwrap();
    SqliteStore::open_with(&path, verify).await.unwrap().close().await;
    remove_db(&path);
}

/// A table or index of a name the crate would create, which it did not create, is refused
/// before anything is applied; a prefix keeps the crate's tables apart from it.
#[tokio::test]
async fn a_table_with_a_name_of_ours_clashes_and_a_prefix_avoids_it() {
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    let path = temp_path();
    let pool = common::sqlite_app_pool(&path).await;
    sqlx::query("CREATE TABLE gdpr_audit (x INTEGER)").execute(&pool).await.unwrap();
    let problem = schema_problem(SqliteStore::from_pool(pool.clone(), SqliteOptions::new()).await);
    assert_eq!(problem, SchemaError::Clash { names: vec!["gdpr_audit".to_owned()] });
    let options = SqliteOptions::new().table_prefix(common::APP_PREFIX).unwrap();
    SqliteStore::from_pool(pool.clone(), options).await.unwrap();
    pool.close().await;
    remove_db(&path);
}

#[test]
fn table_prefixes_are_checked() {
    use gdpr_obligations::store::sqlite::SqliteOptions;
    for bad in ["", "Privacy_", "1x_", "x-y", "a\"b", "sqlite_x", "x; DROP TABLE t", &"a".repeat(33)] {
        assert!(matches!(SqliteOptions::new().table_prefix(bad), Err(StoreError::Invalid { .. })), "{bad:?} accepted");
    }
    assert!(SqliteOptions::new().table_prefix("privacy_").is_ok());
}
