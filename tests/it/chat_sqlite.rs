//! `ChatHistory` on SQLite (feature `sqlite`): the whole source conformance kit, in memory and
//! in a file, once per check; the checks every engine passes (`chat_sql`: the kit with every
//! check sharing one source, concurrent writers); and what only SQLite has: durability of a
//! file across reopening (an erasure is recognised again under the same key) and bad stored
//! data giving typed errors.
#![cfg(feature = "sqlite")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gdpr_obligations::erasure::{ErasurePolicy, Outcome};
use gdpr_obligations::model::{Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{PersonalDataSource, PseudonymKey, RetentionSource, StoreError};
use gdpr_obligations::{retention_conformance_tests, source_conformance_tests};
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

use crate::chat_sql::{self, at, email, scope};

fn key() -> PseudonymKey {
    PseudonymKey::new(b"chat-sqlite-test-key-0123456789abcdef").unwrap()
}

/// A database file removed (with its WAL) when dropped.
struct TempDb {
    path: PathBuf,
    store: SqliteStore,
}

impl TempDb {
    async fn new() -> Self {
        let path = std::env::temp_dir().join(format!("gdpr-chat-{}.sqlite", Uuid::now_v7()));
        let store = SqliteStore::open(&path).await.unwrap();
        TempDb { path, store }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        remove_db(&self.path);
    }
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// A chat history on a file, keeping the file until dropped.
struct FileChat {
    chat: Arc<ChatHistory>,
    _db: TempDb,
}

impl std::ops::Deref for FileChat {
    type Target = ChatHistory;
    fn deref(&self) -> &ChatHistory {
        &self.chat
    }
}

async fn in_memory() -> Arc<ChatHistory> {
    Arc::new(ChatHistory::sqlite(&SqliteStore::open_in_memory().await.unwrap(), key()).await.unwrap())
}

async fn on_file() -> (Arc<ChatHistory>, FileChat) {
    let db = TempDb::new().await;
    let chat = Arc::new(ChatHistory::sqlite(&db.store, key()).await.unwrap());
    (chat.clone(), FileChat { chat, _db: db })
}

source_conformance_tests!(sqlite_chat_in_memory, {
    let chat = in_memory().await;
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(sqlite_chat_in_memory_retention, {
    let chat = in_memory().await;
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

// On a pool the application hands over, the tables prefixed beside the application's own.
source_conformance_tests!(sqlite_chat_app_pool, {
    let store = crate::common::sqlite_app_memory_store().await;
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap());
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(sqlite_chat_app_pool_retention, {
    let store = crate::common::sqlite_app_memory_store().await;
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap());
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

source_conformance_tests!(sqlite_chat_on_file, on_file().await);
retention_conformance_tests!(sqlite_chat_on_file_retention, on_file().await);

// One conversation (and one visitor) per page: every paged read (the export, the sweep's
// listing of what expired) crosses pages in each check of the kit.
source_conformance_tests!(sqlite_chat_paged, {
    let store = SqliteStore::open_in_memory().await.unwrap();
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap().with_page_size(std::num::NonZeroUsize::MIN));
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(sqlite_chat_paged_retention, {
    let store = SqliteStore::open_in_memory().await.unwrap();
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap().with_page_size(std::num::NonZeroUsize::MIN));
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

/// The shared checks on one file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kit_on_one_shared_file() {
    let (chat, _keep) = on_file().await;
    chat_sql::the_kit_on_one_shared_source(&chat).await;
}

/// What is written is in the file: reopened with the same key, the chat has the visitor, and
/// after an erasure the same visitor is recognised by the keyed hash it left (a second erasure
/// reports `Unchanged`, Art. 17 after a restore).
#[tokio::test]
async fn the_chat_survives_reopening_and_an_erasure_is_recognised_again() {
    let db = TempDb::new().await;
    let c = scope();
    let eva = email("eva@example.cz");
    {
        let chat = ChatHistory::sqlite(&db.store, key()).await.unwrap();
        let v = chat.add_visitor(c, Token::new("tok-eva").unwrap(), at()).await.unwrap();
        chat.add_identifier(c, v, eva.clone(), at()).await.unwrap();
        let talk = chat.start_conversation(c, v, at()).await.unwrap();
        chat.post(c, talk, Sender::Visitor(v), Text::new("hello").unwrap(), vec![], at()).await.unwrap();
        chat.post(c, talk, Sender::Bot, Text::new("hi eva@example.cz").unwrap(), vec![], at()).await.unwrap();
    }
    db.store.close().await;
    let store = SqliteStore::open(&db.path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    assert_eq!(chat.find(c, std::slice::from_ref(&eva)).await.unwrap().len(), 4);
    let first = chat.erase(c, std::slice::from_ref(&eva), &ErasurePolicy::default()).await.unwrap();
    assert!(first.iter().any(|o| o.outcome == Outcome::Redacted), "{first:?}");
    store.close().await;

    let store = SqliteStore::open(&db.path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    assert!(chat.find(c, std::slice::from_ref(&eva)).await.unwrap().is_empty());
    let again = chat.erase(c, std::slice::from_ref(&eva), &ErasurePolicy::default()).await.unwrap();
    assert_eq!(again.len(), first.len(), "the same records, recognised by the keyed hash: {again:?}");
    assert!(again.iter().all(|o| o.outcome == Outcome::Unchanged), "{again:?}");
    store.close().await;
}

/// Schema version 5 fills `gdpr_chat_agents` from the messages already stored: a database
/// written before it (agents' names only in message bodies) exports an agent named in a
/// conversation they never wrote in as `[agent]` once reopened (Art. 15(4)).
#[tokio::test]
async fn art_15_4_schema_version_5_backfills_the_agents_of_stored_messages() {
    let db = TempDb::new().await;
    let c = scope();
    {
        let chat = ChatHistory::sqlite(&db.store, key()).await.unwrap();
        let carl = chat.add_visitor(c, Token::new("tok-carl").unwrap(), at()).await.unwrap();
        let talk = chat.start_conversation(c, carl, at()).await.unwrap();
        let jana = Sender::Agent(Text::new("Jana Nováková").unwrap());
        chat.post(c, talk, jana, Text::new("Hello Carl").unwrap(), vec![], at()).await.unwrap();
        let eva = chat.add_visitor(c, Token::new("tok-eva").unwrap(), at()).await.unwrap();
        let talk = chat.start_conversation(c, eva, at()).await.unwrap();
        let named = Text::new("Jana Nováková will write to you").unwrap();
        chat.post(c, talk, Sender::Bot, named, vec![], at()).await.unwrap();
    }
    db.store.close().await;
    // Back to schema version 3: what a database written by the previous release holds.
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", db.path.display())).await.unwrap();
    sqlx::raw_sql("DROP TABLE gdpr_chat_agents; DELETE FROM gdpr_schema_migrations WHERE version = 5")
        .execute(&mut raw)
        .await
        .unwrap();
    raw.close().await.unwrap();

    let store = SqliteStore::open(&db.path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let eva = [gdpr_obligations::model::SubjectIdentifier::ChatVisitorToken(Token::new("tok-eva").unwrap())];
    let items: Vec<_> = futures_util::TryStreamExt::try_collect(chat.export(c, &eva).await.unwrap()).await.unwrap();
    let dump = serde_json::to_string(&items).unwrap();
    assert!(dump.contains("[agent] will write to you") && !dump.contains("Nováková"), "{dump}");
    store.close().await;
}

/// The shared check with two handles (two pools) on one file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_nothing() {
    let db = TempDb::new().await;
    let second = SqliteStore::open(&db.path).await.unwrap();
    let chats = [
        Arc::new(ChatHistory::sqlite(&db.store, key()).await.unwrap()),
        Arc::new(ChatHistory::sqlite(&second, key()).await.unwrap()),
    ];
    chat_sql::concurrent_writers_lose_nothing(chats).await;
    second.close().await;
}

/// A chat row that no longer decodes is `Corrupt`, never a panic, and nothing is written.
#[tokio::test]
async fn damaged_chat_rows_are_corrupt_not_panics() {
    let db = TempDb::new().await;
    let chat = ChatHistory::sqlite(&db.store, key()).await.unwrap();
    let c = scope();
    let eva = email("eva@example.cz");
    let v = chat.add_visitor(c, Token::new("tok-eva").unwrap(), at()).await.unwrap();
    chat.add_identifier(c, v, eva.clone(), at()).await.unwrap();
    let talk = chat.start_conversation(c, v, at()).await.unwrap();
    chat.post(c, talk, Sender::Visitor(v), Text::new("hello").unwrap(), vec![], at()).await.unwrap();
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", db.path.display())).await.unwrap();
    for (table, damage) in [
        ("gdpr_chat_messages", "UPDATE gdpr_chat_messages SET body = '{\"author\": 7}'"),
        ("gdpr_chat_visitors", "UPDATE gdpr_chat_visitors SET body = 'not json'"),
        ("gdpr_chat_conversations", "UPDATE gdpr_chat_conversations SET body = '[]'"),
    ] {
        let before: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT body FROM {table}")))
            .fetch_all(&mut raw)
            .await
            .unwrap();
        sqlx::query(damage).execute(&mut raw).await.unwrap();
        let found = chat.find(c, std::slice::from_ref(&eva)).await;
        assert!(matches!(found, Err(StoreError::Corrupt { .. })), "{table}: {found:?}");
        let erased = chat.erase(c, std::slice::from_ref(&eva), &ErasurePolicy::default()).await;
        assert!(matches!(erased, Err(StoreError::Corrupt { .. })), "{table}: {erased:?}");
        let transcript = chat.transcript(c, talk).await;
        assert!(matches!(transcript, Err(StoreError::Corrupt { .. })), "{table}: {transcript:?}");
        let after: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT body FROM {table}")))
            .fetch_all(&mut raw)
            .await
            .unwrap();
        assert_ne!(before, after);
        // Repair, so that the next damage is the only one.
        for body in before {
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET body = $1")))
                .bind(body)
                .execute(&mut raw)
                .await
                .unwrap();
        }
        assert_eq!(chat.find(c, std::slice::from_ref(&eva)).await.unwrap().len(), 3, "{table} repaired");
    }
    raw.close().await.unwrap();
}

/// A file that is not a database is refused with a typed error before any chat history can be
/// made on it; a SQLite database of the application's gets the chat tables beside its own.
#[tokio::test]
async fn corrupt_and_foreign_files_are_typed_errors() {
    let path = std::env::temp_dir().join(format!("gdpr-chat-bad-{}.sqlite", Uuid::now_v7()));
    std::fs::write(&path, b"this is not a database, just some text that is long enough to hold a header").unwrap();
    let got = SqliteStore::open(&path).await;
    assert!(matches!(got, Err(StoreError::Corrupt { .. })), "{got:?}");
    remove_db(&path);

    let mut raw = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    sqlx::query("CREATE TABLE messages (id INTEGER PRIMARY KEY, text TEXT)").execute(&mut raw).await.unwrap();
    raw.close().await.unwrap();
    // An application's database: the crate's tables go beside its own, which stay as they were.
    let store = SqliteStore::open(&path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    drop(chat);
    store.close().await;
    let mut raw = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'").fetch_all(&mut raw).await.unwrap();
    assert!(tables.contains(&"messages".to_owned()) && tables.contains(&"gdpr_chat_messages".to_owned()), "{tables:?}");
    raw.close().await.unwrap();
    remove_db(&path);
}
