//! `ChatHistory` on PostgreSQL (feature `postgres`): the whole source conformance kit; the
//! checks every engine passes (`chat_sql`: the kit with every check sharing one source,
//! concurrent writers); and what only a server has: a server that goes away in the middle of
//! an erasure (a TCP proxy between the pool and the server, cut after a
//! number of bytes): a typed error, and the erasure applied completely or not at all.
//!
//! The tests read the server's URL from `GDPR_TEST_POSTGRES_URL` (set by
//! `scripts/with-postgres`). Without it they are skipped with one line saying so, except under
//! `CI=true`, where they fail.
#![cfg(feature = "postgres")]

use crate::common;

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure, Outcome};
use gdpr_obligations::model::{Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::postgres::PostgresStore;
use gdpr_obligations::store::{PersonalDataSource, PseudonymKey, RetentionSource, Scope, StoreError};
use gdpr_obligations::{retention_conformance_tests, source_conformance_tests};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::chat_sql::{self, at, email, scope};

const URL_VAR: &str = "GDPR_TEST_POSTGRES_URL";

/// The test server's URL; `None` (after saying so once) when there is none outside CI.
fn url() -> Option<String> {
    common::postgres_url("chat_postgres")
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"chat-postgres-test-key-0123456789abcdef").unwrap()
}

async fn chat() -> Option<Arc<ChatHistory>> {
    let url = url()?;
    let store = PostgresStore::connect(&url).await.unwrap_or_else(|e| panic!("connect to {URL_VAR}: {e}"));
    Some(Arc::new(ChatHistory::postgres(&store, key()).await.unwrap()))
}

async fn app_pool_chat() -> Option<Arc<ChatHistory>> {
    let url = url()?;
    let store = common::postgres_app_store(&url).await;
    Some(Arc::new(ChatHistory::postgres(&store, key()).await.unwrap()))
}

// On a pool the application hands over, the tables in a schema of their own.
source_conformance_tests!(postgres_chat_app_pool, {
    let Some(chat) = app_pool_chat().await else { return };
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(postgres_chat_app_pool_retention, {
    let Some(chat) = app_pool_chat().await else { return };
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

async fn partitioned_chat() -> Option<Arc<ChatHistory>> {
    let url = url()?;
    let store = common::postgres_partitioned_store(&url).await;
    Some(Arc::new(ChatHistory::postgres(&store, key()).await.unwrap()))
}

// With every table hash-partitioned by controller.
source_conformance_tests!(postgres_chat_partitioned, {
    let Some(chat) = partitioned_chat().await else { return };
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(postgres_chat_partitioned_retention, {
    let Some(chat) = partitioned_chat().await else { return };
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

/// The shared checks on one partitioned database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kit_on_one_shared_partitioned_source() {
    let Some(chat) = partitioned_chat().await else { return };
    chat_sql::the_kit_on_one_shared_source(&chat).await;
}

source_conformance_tests!(postgres_chat, {
    let Some(chat) = chat().await else { return };
    (chat.clone() as Arc<dyn PersonalDataSource>, chat)
});
retention_conformance_tests!(postgres_chat_retention, {
    let Some(chat) = chat().await else { return };
    (chat.clone() as Arc<dyn RetentionSource>, chat)
});

/// The shared checks on one database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kit_on_one_shared_source() {
    let Some(chat) = chat().await else { return };
    chat_sql::the_kit_on_one_shared_source(&chat).await;
}

/// The shared check with two handles (two pools) on one database: writes in a scope are
/// ordered by the scope's advisory lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_nothing() {
    let (Some(first), Some(second)) = (chat().await, chat().await) else { return };
    chat_sql::concurrent_writers_lose_nothing([first, second]).await;
}

/// A TCP proxy in front of the server that forwards everything until `cut` is set and the
/// client has sent `after` more bytes, then drops every connection, and refuses new ones.
struct Proxy {
    port: u16,
    sent: Arc<AtomicUsize>,
    cut_at: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(server: std::net::SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sent = Arc::new(AtomicUsize::new(0));
        let cut_at = Arc::new(AtomicUsize::new(usize::MAX));
        let dead = Arc::new(AtomicBool::new(false));
        let (s, c, d) = (sent.clone(), cut_at.clone(), dead.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if d.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let Ok(upstream) = TcpStream::connect(server).await else { continue };
                tokio::spawn(pipe(client, upstream, s.clone(), c.clone(), d.clone()));
            }
        });
        Proxy { port, sent, cut_at }
    }

    /// Cuts every connection once the client has sent `bytes` more.
    fn cut_after(&self, bytes: usize) {
        self.cut_at.store(self.sent.load(Ordering::SeqCst) + bytes, Ordering::SeqCst);
    }
}

async fn pipe(
    client: TcpStream,
    upstream: TcpStream,
    sent: Arc<AtomicUsize>,
    cut_at: Arc<AtomicUsize>,
    dead: Arc<AtomicBool>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut ur, mut uw) = upstream.into_split();
    let d = dead.clone();
    let down = tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        while let Ok(n) = ur.read(&mut buf).await {
            if n == 0 || d.load(Ordering::SeqCst) || cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let mut buf = vec![0u8; 8192];
    while let Ok(n) = cr.read(&mut buf).await {
        if n == 0 || dead.load(Ordering::SeqCst) {
            break;
        }
        // Forward up to the cut, then die: the server sees a connection lost mid-transaction.
        let before = sent.fetch_add(n, Ordering::SeqCst);
        let limit = cut_at.load(Ordering::SeqCst);
        let pass = if before + n > limit { limit.saturating_sub(before) } else { n };
        if pass > 0 && uw.write_all(&buf[..pass]).await.is_err() {
            break;
        }
        if pass < n {
            dead.store(true, Ordering::SeqCst);
            break;
        }
    }
    down.abort();
}

/// Eva and Bob in a conversation of a new scope, each mentioning the other.
async fn two_visitors(chat: &ChatHistory) -> (Scope, gdpr_obligations::store::chat::ConversationId) {
    let c = scope();
    let ev = chat.add_visitor(c, Token::new("tok-eva").unwrap(), at()).await.unwrap();
    chat.add_identifier(c, ev, email("eva@example.cz"), at()).await.unwrap();
    let bv = chat.add_visitor(c, Token::new("tok-bob").unwrap(), at()).await.unwrap();
    chat.add_identifier(c, bv, email("bob@example.org"), at()).await.unwrap();
    let talk = chat.start_conversation(c, ev, at()).await.unwrap();
    chat.join_conversation(c, talk, bv, at()).await.unwrap();
    for (v, text) in [(ev, "eva here"), (bv, "bob here, hi eva@example.cz"), (ev, "bye bob@example.org")] {
        chat.post(c, talk, Sender::Visitor(v), Text::new(text).unwrap(), vec![], at()).await.unwrap();
    }
    chat.post(c, talk, Sender::Bot, Text::new("noted eva@example.cz").unwrap(), vec![], at()).await.unwrap();
    (c, talk)
}

/// The server goes away in the middle of an erasure, at 24 points spread over the bytes it
/// sends: every call returns a typed error or completes, never panics, and read
/// directly afterwards, the subject is either untouched or completely erased, with the other
/// visitor untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_going_away_mid_erasure_gives_a_typed_error_and_no_partial_write() {
    let Some(base) = url() else { return };
    let direct_store = PostgresStore::connect(&base).await.unwrap();
    let direct = ChatHistory::postgres(&direct_store, key()).await.unwrap();
    let options: sqlx::postgres::PgConnectOptions = base.parse().unwrap();
    let server = tokio::net::lookup_host((options.get_host(), options.get_port())).await.unwrap().next().unwrap();
    let proxied = |port: u16| {
        format!(
            "postgres://{}@127.0.0.1:{port}/{}",
            options.get_username(),
            options.get_database().unwrap_or("postgres")
        )
    };
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] };
    let (eva, bob) = ([email("eva@example.cz")], [email("bob@example.org")]);

    // How many bytes an uninterrupted erasure sends, to spread the cuts over it.
    let proxy = Proxy::start(server).await;
    let store = PostgresStore::connect(&proxied(proxy.port)).await.unwrap();
    let chat = ChatHistory::postgres(&store, key()).await.unwrap();
    let (c, _) = two_visitors(&direct).await;
    let start = proxy.sent.load(Ordering::SeqCst);
    chat.erase(c, &eva, &policy).await.unwrap();
    let total = proxy.sent.load(Ordering::SeqCst) - start;
    store.close().await;

    let (mut untouched, mut erased) = (0, 0);
    let steps = 24;
    for step in 0..steps {
        let (c, talk) = two_visitors(&direct).await;
        let eva_before = direct.find(c, &eva).await.unwrap();
        let bob_before = direct.find(c, &bob).await.unwrap();
        let plan = direct.erasure_plan(c, &eva, &policy).await.unwrap();

        let proxy = Proxy::start(server).await;
        let store = PostgresStore::connect(&proxied(proxy.port)).await.unwrap();
        let chat = ChatHistory::postgres(&store, key()).await.unwrap();
        proxy.cut_after(total * step / steps);
        let got = chat.erase(c, &eva, &policy).await;
        match &got {
            Ok(outcomes) => assert_eq!(outcomes, &plan),
            Err(e) => assert!(matches!(e, StoreError::Backend { .. }), "{e:?}"),
        }
        // Read directly: all or nothing.
        let eva_after = direct.find(c, &eva).await.unwrap();
        if eva_after.is_empty() {
            erased += 1;
            let again = direct.erase(c, &eva, &policy).await.unwrap();
            assert!(again.iter().all(|o| o.outcome == Outcome::Unchanged), "{again:?}");
        } else {
            untouched += 1;
            assert_eq!(eva_after, eva_before, "a partial erasure at step {step}");
            assert!(got.is_err());
        }
        assert_eq!(direct.find(c, &bob).await.unwrap(), bob_before, "another subject changed at step {step}");
        let transcript = direct.transcript(c, talk).await.unwrap();
        assert!(transcript.iter().any(|m| m.text.starts_with("bob here")));
        store.close().await;
    }
    let _ = writeln!(
        std::io::stderr(),
        "erasure of {total} bytes cut at {steps} points: {untouched} untouched, {erased} erased"
    );
    assert!(untouched > 0, "no cut fell inside the erasure");
    direct_store.close().await;
}

/// Every file of the current database under the cluster's data folder
/// (`GDPR_TEST_POSTGRES_DATA`, set by `scripts/with-postgres`) that holds `marker`, after a
/// `CHECKPOINT` (as the superuser, `GDPR_TEST_POSTGRES_ADMIN_URL`) has written every changed
/// page to them.
async fn data_files_holding(admin_url: &str, data: &str, marker: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::raw_sql("CHECKPOINT").execute(&mut conn).await.unwrap();
    let oid: sqlx::postgres::types::Oid =
        sqlx::query_scalar("SELECT oid FROM pg_database WHERE datname = current_database()")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    conn.close().await.unwrap();
    let dir = std::path::Path::new(data).join("base").join(oid.0.to_string());
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        // Files the server removes while we read (a rewritten table's old file) hold nothing.
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Art. 17 on PostgreSQL: an erased visitor's e-mail, token and message text stay in dead
/// tuples after the erasure commits (a data file still holds them); `vacuum_erased` rewrites
/// the chat tables, after which none of them is in any data file of the database, while a
/// visitor who was not erased still is (the scan sees what it looks for). The write-ahead log (`pg_wal`) is not scanned: it keeps
/// them until its segments are recycled, as `PostgresStore` documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_17_vacuum_erased_leaves_no_erased_bytes_in_the_data_files() {
    let Some(url) = url() else { return };
    let store = PostgresStore::connect(&url).await.unwrap();
    let chat = ChatHistory::postgres(&store, key()).await.unwrap();
    let acme = scope();
    let run = uuid::Uuid::now_v7().simple().to_string();
    let (eva, bob) = (format!("qzpgeva{run}"), format!("qzpgbob{run}"));
    // Bob first: Eva's rows, written last, lie where a plain VACUUM leaves their bytes in the
    // page's free space (it compacts the live rows and does not overwrite what they leave).
    for who in [&bob, &eva] {
        let v = chat.add_visitor(acme, Token::new(&format!("tok-{who}")).unwrap(), at()).await.unwrap();
        chat.add_identifier(acme, v, email(&format!("{who}@example.cz")), at()).await.unwrap();
        let c = chat.start_conversation(acme, v, at()).await.unwrap();
        let body = Text::new(&format!("{who} secret message body")).unwrap();
        chat.post(acme, c, Sender::Visitor(v), body, vec![], at()).await.unwrap();
    }
    let erased = chat.erase(acme, &[email(&format!("{eva}@example.cz"))], &ErasurePolicy::default()).await.unwrap();
    assert!(erased.iter().all(|o| o.outcome == Outcome::Erased), "{erased:?}");
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (Some(data), Some(admin)) = (var("GDPR_TEST_POSTGRES_DATA"), var("GDPR_TEST_POSTGRES_ADMIN_URL")) else {
        common::skip_unless_required(
            "art_17_vacuum_erased_leaves_no_erased_bytes_in_the_data_files (reading the data files)",
            "GDPR_TEST_POSTGRES_DATA or GDPR_TEST_POSTGRES_ADMIN_URL is not set",
            "GDPR_TEST_POSTGRES_DATA",
            "run it through scripts/with-postgres, which sets it",
        );
        store.vacuum_erased().await.unwrap();
        return;
    };
    let dead = data_files_holding(&admin, &data, &eva).await;
    assert!(!dead.is_empty(), "the erased rows stay in dead tuples until vacuum_erased, as PostgresStore documents");
    store.vacuum_erased().await.unwrap();
    // Another test's transaction that began before the erasure may hold the erased rows
    // visible, and VACUUM must then copy them: call again once it has ended, as documented.
    let mut left = data_files_holding(&admin, &data, &eva).await;
    for _ in 0..10 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        store.vacuum_erased().await.unwrap();
        left = data_files_holding(&admin, &data, &eva).await;
    }
    assert!(left.is_empty(), "Art. 17: the erased visitor's data are still in {left:?} after vacuum_erased");
    let kept = data_files_holding(&admin, &data, &bob).await;
    assert!(!kept.is_empty(), "the scan finds the data of the visitor who was not erased");
}
