//! Erased means gone from the files (Art. 17): after an erasure through each path that erases
//! from a SQLite-backed `ChatHistory` (the source's own `erase`, the retention sweep's
//! `erase_records`, a rectification, and `Fulfilment::erase`, which the request desk runs),
//! none of the erased identifiers or message texts is left in the database file, its
//! write-ahead log (`-wal`) or a rollback journal (`-journal`), while the store is still open,
//! as on a running server, and after it is closed. Each value is a marker found nowhere else.
#![cfg(feature = "sqlite")]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdpr_obligations::erasure::{ErasurePolicy, Outcome, Rectification};
use gdpr_obligations::fulfil::{Fulfilment, Sweep};
use gdpr_obligations::model::{EmailAddress, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    LedgerStoreExt, PersonalDataSource, PseudonymKey, RetentionSource, Scope, SweepId, Version,
};
use gdpr_obligations::vocab::{DataCategory, Purpose};
use uuid::Uuid;

use crate::chat_sql::scope;

fn key() -> PseudonymKey {
    PseudonymKey::new(b"erased-bytes-test-key-0123456789abcdef").unwrap()
}

/// A database file in a folder of its own, removed with everything in it when dropped.
struct Files {
    dir: PathBuf,
    db: PathBuf,
}

impl Files {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("gdpr-erased-bytes-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("chat.sqlite");
        Files { dir, db }
    }

    /// Every file SQLite keeps beside the database that may hold page images: the database,
    /// its write-ahead log, its WAL index and a rollback journal, those that exist.
    fn contents(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&path).unwrap()));
        }
        out
    }

    /// The markers (compared without ASCII case) found in any file, with where.
    fn find(&self, markers: &[&str]) -> Vec<String> {
        let files = self.contents();
        assert!(files.iter().any(|(n, b)| n == "chat.sqlite" && !b.is_empty()), "the database file is there");
        let mut found = Vec::new();
        for (name, bytes) in &files {
            let bytes = bytes.to_ascii_lowercase();
            for marker in markers {
                let needle = marker.to_ascii_lowercase().into_bytes();
                if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                    found.push(format!("{marker} in {name} ({} bytes)", bytes.len()));
                }
            }
        }
        found
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// One visitor's markers: what they gave, and the text they wrote.
struct Markers {
    token: &'static str,
    email: &'static str,
    phone: &'static str,
    name: &'static str,
    text: &'static str,
}

impl Markers {
    fn all(&self) -> [&'static str; 5] {
        [self.token, self.email, self.phone, self.name, self.text]
    }

    fn email(&self) -> SubjectIdentifier {
        SubjectIdentifier::Email(EmailAddress::new(self.email).unwrap())
    }
}

const EVA: Markers = Markers {
    token: "tok-qzeva-7f3a",
    email: "qzeva.marker@example.cz",
    phone: "+420601987654",
    name: "Qzevalina Markerova",
    text: "qzeva-secret-message-body",
};

const BOB: Markers = Markers {
    token: "tok-qzbob-11c2",
    email: "qzbob.marker@example.org",
    phone: "+421905123987",
    name: "Qzbohumil Markerbob",
    text: "qzbob-message-that-stays",
};

/// Adds `who` to `scope` with every identifier and one message, in a conversation of their own,
/// written at `when`; a few other visitors' chats fill pages around it.
async fn add(chat: &ChatHistory, scope: Scope, who: &Markers, when: DateTime<Utc>) {
    let v = chat.add_visitor(scope, Token::new(who.token).unwrap(), when).await.unwrap();
    chat.add_identifier(scope, v, who.email(), when).await.unwrap();
    let phone = SubjectIdentifier::Phone(PhoneNumber::new(who.phone).unwrap());
    chat.add_identifier(scope, v, phone, when).await.unwrap();
    chat.add_identifier(scope, v, SubjectIdentifier::Name(Text::new(who.name).unwrap()), when).await.unwrap();
    let c = chat.start_conversation(scope, v, when).await.unwrap();
    chat.post(scope, c, Sender::Visitor(v), Text::new(who.text).unwrap(), vec![], when).await.unwrap();
    for i in 0..20 {
        let filler = chat
            .add_visitor(scope, Token::new(&format!("filler-{i}-{}", Uuid::now_v7())).unwrap(), when)
            .await
            .unwrap();
        let c = chat.start_conversation(scope, filler, when).await.unwrap();
        let body = Text::new(&format!("filler message {i} {}", "lorem ipsum ".repeat(30))).unwrap();
        chat.post(scope, c, Sender::Visitor(filler), body, vec![], when).await.unwrap();
    }
}

/// Asserts that none of `erased` is in the files while `store` is open, nor after it is closed,
/// and that `kept` (what was not erased) is, so that the scan can see what it looks for.
async fn assert_gone(files: &Files, store: SqliteStore, erased: &[&str], kept: &[&str]) {
    let left = files.find(erased);
    assert!(left.is_empty(), "Art. 17: erased data left in the files while the store is open: {left:?}");
    store.close().await;
    drop(store);
    let left = files.find(erased);
    assert!(left.is_empty(), "Art. 17: erased data left in the files after closing: {left:?}");
    let seen = files.find(kept);
    assert_eq!(seen.len(), kept.len(), "the scan finds what was not erased: {seen:?}");
}

#[tokio::test]
async fn art_17_erase_leaves_no_erased_bytes_in_the_database_or_its_logs() {
    let files = Files::new();
    let store = SqliteStore::open(&files.db).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let acme = scope();
    add(&chat, acme, &EVA, at("2026-05-04T10:00:00Z")).await;
    add(&chat, acme, &BOB, at("2026-05-04T10:00:00Z")).await;
    let before = files.find(&EVA.all());
    assert!(!before.is_empty(), "the scan sees Eva's data before the erasure");
    let token = SubjectIdentifier::ChatVisitorToken(Token::new(EVA.token).unwrap());
    let outcomes = chat.erase(acme, &[token], &ErasurePolicy::default()).await.unwrap();
    assert!(outcomes.iter().all(|o| o.outcome == Outcome::Erased), "{outcomes:?}");
    assert_gone(&files, store, &EVA.all(), &[BOB.email, BOB.text]).await;
}

#[tokio::test]
async fn art_16_rectify_leaves_no_replaced_bytes_in_the_database_or_its_logs() {
    let files = Files::new();
    let store = SqliteStore::open(&files.db).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let acme = scope();
    add(&chat, acme, &EVA, at("2026-05-04T10:00:00Z")).await;
    let accurate = SubjectIdentifier::Email(EmailAddress::new("qzeva.accurate@example.cz").unwrap());
    let rectification = Rectification::Replace { old: EVA.email(), new: accurate };
    let outcomes = chat.rectify(acme, &[EVA.email()], &rectification).await.unwrap();
    assert!(outcomes.iter().any(|o| o.outcome == Outcome::Rectified), "{outcomes:?}");
    assert_gone(&files, store, &[EVA.email], &["qzeva.accurate@example.cz", EVA.text]).await;
}

#[tokio::test]
async fn art_5_1_e_retention_sweep_leaves_no_expired_bytes_in_the_database_or_its_logs() {
    let files = Files::new();
    let store = SqliteStore::open(&files.db).await.unwrap();
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap());
    let acme = scope();
    add(&chat, acme, &EVA, at("2001-03-01T10:00:00Z")).await;
    add(&chat, acme, &BOB, at("2100-03-01T10:00:00Z")).await;
    let months = RetentionPeriod::FromCollection { months: 12 };
    for category in [
        DataCategory::CommunicationContent,
        DataCategory::Identification,
        DataCategory::Contact,
        DataCategory::OnlineIdentifier,
    ] {
        let policy = RetentionPolicy::new(Purpose::CustomerCare, category, months).unwrap();
        store.put(acme, &policy, Version::NONE).await.unwrap();
    }
    let sweep = Sweep::new(acme, &store, &store, vec![chat.clone() as Arc<dyn RetentionSource>]);
    let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), at("2026-05-04T10:00:00Z")).await.unwrap();
    assert!(report.complete && report.sources[0].records > 0, "{report:?}");
    drop(sweep);
    drop(chat);
    assert_gone(&files, store, &EVA.all(), &[BOB.email, BOB.text]).await;
}

#[tokio::test]
async fn art_17_fulfilment_erasure_leaves_no_erased_bytes_in_the_database_or_its_logs() {
    let files = Files::new();
    let store = SqliteStore::open(&files.db).await.unwrap();
    let chat = Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap());
    let acme = scope();
    add(&chat, acme, &EVA, at("2026-05-04T10:00:00Z")).await;
    add(&chat, acme, &BOB, at("2026-05-04T10:00:00Z")).await;
    let pseudonyms = key();
    let sources = vec![chat.clone() as Arc<dyn PersonalDataSource>];
    let fulfilment = Fulfilment::new(acme, &store, &store, sources, &pseudonyms);
    let report = fulfilment
        .erase(RequestId::generate(), &[EVA.email()], &ErasurePolicy::default(), at("2026-05-04T11:00:00Z"))
        .await
        .unwrap();
    assert!(report.complete, "{report:?}");
    drop(fulfilment);
    drop(chat);
    assert_gone(&files, store, &EVA.all(), &[BOB.email, BOB.text]).await;
}

/// A reader that holds the write-ahead log (a read transaction open on another connection)
/// keeps the checkpoint from completing: the erasure is committed, and the call says that the
/// erased data are still in the log instead of claiming they are gone; once the reader is
/// done, `truncate_wal` completes and they are.
#[tokio::test]
async fn art_17_an_erasure_blocked_by_a_reader_says_so_and_completes_later() {
    use sqlx::Connection;
    let files = Files::new();
    let store = SqliteStore::open(&files.db).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let acme = scope();
    add(&chat, acme, &EVA, at("2026-05-04T10:00:00Z")).await;
    let mut reader = sqlx::SqliteConnection::connect(&format!("sqlite://{}", files.db.display())).await.unwrap();
    let mut tx = reader.begin().await.unwrap();
    sqlx::query("SELECT count(*) FROM gdpr_chat_messages").fetch_one(&mut *tx).await.unwrap();
    let erased = chat.erase(acme, &[EVA.email()], &ErasurePolicy::default()).await;
    let e = erased.expect_err("the checkpoint cannot complete while a reader holds the log");
    assert!(e.is_retryable(), "{e}");
    let message = format!("{e} {}", std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default());
    assert!(message.contains("-wal") && message.contains("Art. 17"), "{message}");
    assert!(!files.find(&EVA.all()).is_empty(), "the log still holds the erased data, as the error says");
    assert!(chat.find(acme, &[EVA.email()]).await.unwrap().is_empty(), "the erasure itself is committed");
    tx.rollback().await.unwrap();
    reader.close().await.unwrap();
    store.truncate_wal().await.unwrap();
    let again = chat.erase(acme, &[EVA.email()], &ErasurePolicy::default()).await.unwrap();
    assert!(again.iter().all(|o| o.outcome == Outcome::Unchanged), "{again:?}");
    assert_gone(&files, store, &EVA.all(), &[]).await;
}

/// A store in memory has no files: truncating its log does nothing and succeeds.
#[tokio::test]
async fn truncate_wal_in_memory_does_nothing() {
    let store = SqliteStore::open_in_memory().await.unwrap();
    store.truncate_wal().await.unwrap();
}

/// SQLite lets one checkpoint run at a time and answers a second one, on another connection,
/// with "busy" at once, without waiting (its busy handler is not invoked for the checkpoint
/// lock). Two erasures on one file, each truncating the log after its commit, then made one of
/// them fail although nothing kept the log busy: two desks carrying one request out saw the
/// other's erasure fail and the request answered "RecordCarriedOut in Completed". A checkpoint
/// that meets another one waits for it and runs again (Art. 17: what it erased leaves the log).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn art_17_concurrent_truncations_of_one_log_wait_for_each_other() {
    let path = std::env::temp_dir().join(format!("gdpr-concurrent-checkpoints-{}.sqlite", Uuid::now_v7()));
    let stores = [SqliteStore::open(&path).await.unwrap(), SqliteStore::open(&path).await.unwrap()];
    let chat = ChatHistory::sqlite(&stores[0], key()).await.unwrap();
    let acme = scope();
    let mut failed = Vec::new();
    for round in 0..200 {
        // Something in the log for each round to checkpoint.
        chat.add_visitor(acme, Token::new(&format!("tok-{round}")).unwrap(), Utc::now()).await.unwrap();
        let (a, b) = (stores[0].clone(), stores[1].clone());
        let calls =
            [tokio::spawn(async move { a.truncate_wal().await }), tokio::spawn(async move { b.truncate_wal().await })];
        for call in calls {
            if let Err(e) = call.await.unwrap() {
                failed
                    .push(format!("round {round}: {e}: {:?}", std::error::Error::source(&e).map(ToString::to_string)));
            }
        }
    }
    assert!(failed.is_empty(), "{} of 400 truncations failed: {:?}", failed.len(), failed.first());
    for store in stores {
        store.close().await;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
