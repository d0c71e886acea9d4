//! Finding, exporting and erasing one data subject through the crate (`ChatHistory` on SQLite,
//! and on PostgreSQL when `GDPR_TEST_POSTGRES_URL` is set) against hand-written indexed SQL on
//! the same database reading and writing the same rows, at 10,000 and at 1,000,000 stored
//! messages, with the product's listing of a page of conversations; and the retention sweep
//! against a raw `DELETE ... WHERE`. Each crate figure is
//! measured beside its baseline in the same run, so the result reads as a ratio.
//!
//! The histories come from `testkit::generate` (seed 1; cached under `target/bench-data/`,
//! the 1M one takes a few minutes the first time). The subject is a probe: 100 messages in 5
//! conversations, the same in every history, so that the 1M/10k ratio shows whether the cost
//! follows the subject's data or the history's size. Each erasure erases a fresh probe added
//! before it (not timed), for the crate and the baseline alike.
//!
//! ```text
//! cargo bench --bench chat_history                                          # SQLite
//! scripts/with-postgres cargo bench --features postgres --bench chat_history  # and PostgreSQL
//! GDPR_BENCH_SIZES=10000 cargo bench --bench chat_history                   # 10k only
//! GDPR_BENCH_PG_PARTITIONS=8 scripts/with-postgres cargo bench --features postgres --bench chat_history
//!                                           # PostgreSQL tables hash-partitioned by controller
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use futures_util::TryStreamExt;
use gdpr_obligations::erasure::ErasurePolicy;
use gdpr_obligations::fulfil::{DEFAULT_BATCH, Sweep};
use gdpr_obligations::model::SubjectIdentifier;
use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::SweepId;
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    LedgerStoreExt, PersonalDataSource, PseudonymKey, RetentionSource, Scope, SubjectKey, Version,
};
use gdpr_obligations::testkit::generate::{self, HistorySpec, Writes};
use gdpr_obligations::vocab::{DataCategory, Purpose};
use serde_json::{Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use tokio::runtime::Runtime;
use uuid::Uuid;

const SEED: u64 = 1;
/// The conversations of a page of the product's listing.
const PAGE: usize = 20;

fn key() -> PseudonymKey {
    PseudonymKey::new(b"bench-chat-history-key-0123456789").expect("a valid key")
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn sizes() -> Vec<u64> {
    match std::env::var("GDPR_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![10_000, 1_000_000],
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// A working copy of a cached history, removed when dropped.
struct WorkingCopy {
    path: PathBuf,
}

impl WorkingCopy {
    fn of(template: &Path, name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("gdpr-bench-{name}-{}.sqlite", Uuid::now_v7()));
        std::fs::copy(template, &path).expect("copy the cached history");
        WorkingCopy { path }
    }
}

impl Drop for WorkingCopy {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

async fn raw_pool(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new().filename(path).journal_mode(SqliteJournalMode::Wal);
    SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("open the database")
}

// --- the baseline: hand-written SQL ----------------------------------------------------------

/// What the baseline reads of a subject: the same rows the crate reads.
struct Loaded {
    visitors: BTreeMap<Uuid, Value>,
    /// Identifiers (lower case) of the subject, as they occur in text.
    own: Vec<String>,
    /// Identifiers (lower case) of the other visitors the texts may mention.
    others: Vec<String>,
    /// (conversation, visitor, joined at)
    participants: Vec<(Uuid, Uuid, String)>,
    /// (conversation, message, author, body)
    messages: Vec<(Uuid, Uuid, Option<Uuid>, Value)>,
    conversations: Vec<(Uuid, Value)>,
}

fn in_list(n: usize, from: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Every run of one to three consecutive words of a text, lower case: the index holds each
/// identifier under its first three words.
fn words(text: &str) -> impl Iterator<Item = String> {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let mut runs = Vec::with_capacity(words.len() * 3);
    for start in 0..words.len() {
        for end in start + 1..=(start + 3).min(words.len()) {
            runs.push(words[start..end].join(" "));
        }
    }
    runs.into_iter()
}

fn identifiers_of(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for i in body["profile"]["identifiers"].as_array().into_iter().flatten() {
        if let Some(v) = i["value"].as_str() {
            out.push(v.to_lowercase());
        }
    }
    for ip in body["ips"].as_object().into_iter().flat_map(|m| m.values()) {
        if let Some(v) = ip["ip"].as_str() {
            out.push(v.to_owned());
        }
    }
    out
}

/// Whether `text` mentions one of `needles` (lower case), as a substring.
fn mentions(text: &str, needles: &[String]) -> bool {
    let text = text.to_lowercase();
    needles.iter().any(|n| text.contains(n.as_str()))
}

/// Replaces every occurrence (ignoring case) of a needle with `label`.
fn replace_all(text: &str, needles: &[String], label: &str) -> String {
    let mut out = text.to_owned();
    for n in needles {
        let lower = out.to_lowercase();
        if let Some(at) = lower.find(n.as_str())
            && lower.len() == out.len()
        {
            out.replace_range(at..at + n.len(), label);
        }
    }
    out
}

impl Loaded {
    fn is_subject(&self, author: Option<Uuid>) -> bool {
        author.is_some_and(|a| self.visitors.contains_key(&a))
    }

    fn reply(m: &Value) -> bool {
        matches!(m["author"]["role"].as_str(), Some("agent" | "bot"))
    }

    /// The record keys of the subject.
    fn records(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (v, body) in &self.visitors {
            out.push(format!("visitor/{v}"));
            for n in body["ips"].as_object().into_iter().flat_map(|m| m.keys()) {
                out.push(format!("visitor/{v}/ip/{n}"));
            }
        }
        for (c, v, _) in &self.participants {
            if self.visitors.contains_key(v) {
                out.push(format!("conversation/{c}/participant/{v}"));
            }
        }
        for (c, m, author, body) in &self.messages {
            if self.is_subject(*author)
                || (Self::reply(body) && mentions(body["text"].as_str().unwrap_or_default(), &self.own))
            {
                out.push(format!("conversation/{c}/message/{m}"));
            }
        }
        out
    }

    fn export(&self) -> Vec<Value> {
        let agents: Vec<String> = self
            .messages
            .iter()
            .filter_map(|(_, _, _, m)| m["author"]["value"].as_str().filter(|_| m["author"]["role"] == "agent"))
            .map(str::to_lowercase)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut items = Vec::new();
        for (v, body) in &self.visitors {
            let data = json!({"type": "visitor_profile", "visitor": v, "created_at": body["profile"]["created_at"],
                "identifiers": body["profile"]["identifiers"], "statements": body["profile"]["statements"]});
            items.push(json!({"record": format!("visitor/{v}"), "category": "identification", "data": data}));
            for (n, ip) in body["ips"].as_object().into_iter().flatten() {
                let data = json!({"type": "ip_address", "visitor": v, "ip": ip["ip"], "seen_at": ip["seen_at"]});
                items.push(
                    json!({"record": format!("visitor/{v}/ip/{n}"), "category": "online_identifier", "data": data}),
                );
            }
        }
        for (c, v, at) in &self.participants {
            if self.visitors.contains_key(v) {
                let data = json!({"type": "participation", "conversation": c, "joined_at": at});
                items.push(json!({"record": format!("conversation/{c}/participant/{v}"), "data": data}));
            }
        }
        for (c, m, author, body) in &self.messages {
            let role = if self.is_subject(*author) {
                "subject"
            } else if Self::reply(body) {
                body["author"]["role"].as_str().unwrap_or("bot")
            } else {
                continue;
            };
            let text = body["text"].as_str().unwrap_or_default();
            let text = if mentions(text, &self.others) {
                replace_all(text, &self.others, "[redacted]")
            } else {
                text.to_owned()
            };
            let text = if mentions(&text, &agents) { replace_all(&text, &agents, "[agent]") } else { text };
            let data = json!({"type": "message", "conversation": c, "message": m, "author": role,
                "sent_at": body["sent_at"], "text": text, "attachments": body["attachments"]});
            items.push(json!({"record": format!("conversation/{c}/message/{m}"), "category": "communication_content",
                "data": data}));
        }
        items
    }
}

/// The baseline's SQL, once per engine (`$n` placeholders work on both).
macro_rules! baseline {
    ($module:ident, $db:ty, $conn:ty, $begin:literal) => {
        mod $module {
            use super::*;

        async fn lookup(tx: &mut $conn, scope: Uuid, kind: &str, values: &[String]) -> Vec<Uuid> {
            let mut out = BTreeSet::new();
            for chunk in values.chunks(500) {
                let sql = format!(
                    "SELECT visitor FROM gdpr_chat_lookup WHERE controller = $1 AND kind = $2 AND value IN ({})",
                    in_list(chunk.len(), 3)
                );
                let mut q = sqlx::query_scalar::<_, Uuid>(sqlx::AssertSqlSafe(sql)).bind(scope).bind(kind);
                for v in chunk {
                    q = q.bind(v);
                }
                out.extend(q.fetch_all(&mut *tx).await.expect("lookup"));
            }
            out.into_iter().collect()
        }

        async fn by_ids<T>(tx: &mut $conn, select: &str, column: &str, scope: Uuid, ids: &[Uuid]) -> Vec<T>
        where
            T: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
        {
            if ids.is_empty() {
                return Vec::new();
            }
            let sql = format!("{select} WHERE controller = $1 AND {column} IN ({})", in_list(ids.len(), 2));
            let mut q = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql)).bind(scope);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(&mut *tx).await.expect("select")
        }

        async fn load(tx: &mut $conn, scope: Uuid, subject: &[SubjectIdentifier]) -> Loaded {
            let norms: Vec<String> = subject.iter().map(SubjectIdentifier::normalised).collect();
            let ids = lookup(tx, scope, "id", &norms).await;
            let rows: Vec<(Uuid, String)> =
                by_ids(tx, "SELECT visitor, body FROM gdpr_chat_visitors", "visitor", scope, &ids).await;
            let visitors: BTreeMap<Uuid, Value> =
                rows.into_iter().map(|(v, b)| (v, serde_json::from_str(&b).expect("json"))).collect();
            let mut own: Vec<String> = visitors.values().flat_map(identifiers_of).collect();
            own.extend(norms.iter().filter_map(|n| n.split_once(':')).map(|(_, v)| v.to_owned()));
            let mut conversations: BTreeSet<Uuid> = BTreeSet::new();
            let joined: Vec<(Uuid,)> =
                by_ids(tx, "SELECT DISTINCT conversation FROM gdpr_chat_participants", "visitor", scope, &ids).await;
            let wrote: Vec<(Uuid,)> =
                by_ids(tx, "SELECT DISTINCT conversation FROM gdpr_chat_messages", "author", scope, &ids).await;
            conversations.extend(joined.into_iter().chain(wrote).map(|(c,)| c));
            let conversations: Vec<Uuid> = conversations.into_iter().collect();
            let headers: Vec<(Uuid, String)> =
                by_ids(tx, "SELECT conversation, body FROM gdpr_chat_conversations", "conversation", scope, &conversations)
                    .await;
            let participants: Vec<(Uuid, Uuid, String)> = by_ids(
                tx,
                "SELECT conversation, visitor, joined_at FROM gdpr_chat_participants",
                "conversation",
                scope,
                &conversations,
            )
            .await;
            let rows: Vec<(Uuid, Uuid, Option<Uuid>, String)> = by_ids(
                tx,
                "SELECT conversation, message, author, body FROM gdpr_chat_messages",
                "conversation",
                scope,
                &conversations,
            )
            .await;
            let messages: Vec<(Uuid, Uuid, Option<Uuid>, Value)> =
                rows.into_iter().map(|(c, m, a, b)| (c, m, a, serde_json::from_str(&b).expect("json"))).collect();
            // The other visitors whose identifiers the texts may hold, by the index of their first words.
            let mut texts: BTreeSet<String> = BTreeSet::new();
            for (_, _, _, m) in &messages {
                texts.extend(words(m["text"].as_str().unwrap_or_default()));
                for a in m["attachments"].as_array().into_iter().flatten() {
                    texts.extend(words(a["file_name"].as_str().unwrap_or_default()));
                }
            }
            let texts: Vec<String> = texts.into_iter().collect();
            let mentioned: Vec<Uuid> =
                lookup(tx, scope, "word", &texts).await.into_iter().filter(|v| !visitors.contains_key(v)).collect();
            let mut others = Vec::new();
            for chunk in mentioned.chunks(500) {
                let rows: Vec<(Uuid, String)> =
                    by_ids(tx, "SELECT visitor, body FROM gdpr_chat_visitors", "visitor", scope, chunk).await;
                for (_, body) in rows {
                    let body: Value = serde_json::from_str(&body).expect("json");
                    others.extend(identifiers_of(&body).into_iter().filter(|i| !own.contains(i)));
                }
            }
            let conversations = headers.into_iter().map(|(c, b)| (c, serde_json::from_str(&b).expect("json"))).collect();
            Loaded { visitors, own, others, participants, messages, conversations }
        }

        pub(super) async fn raw_find(pool: &sqlx::Pool<$db>, scope: Uuid, subject: &[SubjectIdentifier]) -> Vec<String> {
            let mut tx = pool.begin().await.expect("begin");
            let loaded = load(&mut tx, scope, subject).await;
            tx.commit().await.expect("commit");
            loaded.records()
        }

        pub(super) async fn raw_export(pool: &sqlx::Pool<$db>, scope: Uuid, subject: &[SubjectIdentifier]) -> Vec<Value> {
            let mut tx = pool.begin().await.expect("begin");
            let loaded = load(&mut tx, scope, subject).await;
            tx.commit().await.expect("commit");
            loaded.export()
        }

        /// The product's listing of `limit` conversations from the first, by hand: the rows
        /// `conversation_page` reads (headers, participants, messages, the visitors involved for
        /// their restriction), each conversation's id, visitors not restricted, and messages.
        pub(super) async fn raw_page(pool: &sqlx::Pool<$db>, scope: Uuid, limit: usize) -> Vec<(Uuid, Vec<Uuid>, usize)> {
            let mut tx = pool.begin().await.expect("begin");
            let ids: Vec<Uuid> = sqlx::query_scalar(
                "SELECT conversation FROM gdpr_chat_conversations WHERE controller = $1 ORDER BY conversation LIMIT $2",
            )
            .bind(scope)
            .bind(limit as i64)
            .fetch_all(&mut *tx)
            .await
            .expect("page");
            let headers: Vec<(Uuid, String)> =
                by_ids(&mut tx, "SELECT conversation, body FROM gdpr_chat_conversations", "conversation", scope, &ids).await;
            let participants: Vec<(Uuid, Uuid, String)> = by_ids(
                &mut tx,
                "SELECT conversation, visitor, joined_at FROM gdpr_chat_participants",
                "conversation",
                scope,
                &ids,
            )
            .await;
            let messages: Vec<(Uuid, Uuid, Option<Uuid>, String)> = by_ids(
                &mut tx,
                "SELECT conversation, message, author, body FROM gdpr_chat_messages",
                "conversation",
                scope,
                &ids,
            )
            .await;
            let mut involved: BTreeSet<Uuid> = participants.iter().map(|(_, v, _)| *v).collect();
            involved.extend(messages.iter().filter_map(|(_, _, a, _)| *a));
            let involved: Vec<Uuid> = involved.into_iter().collect();
            let visitors: Vec<(Uuid, String)> =
                by_ids(&mut tx, "SELECT visitor, body FROM gdpr_chat_visitors", "visitor", scope, &involved).await;
            tx.commit().await.expect("commit");
            let restricted: BTreeSet<Uuid> = visitors
                .into_iter()
                .filter(|(_, b)| serde_json::from_str::<Value>(b).expect("json")["restricted"] == json!(true))
                .map(|(v, _)| v)
                .collect();
            headers
                .into_iter()
                .map(|(c, header)| {
                    let _: Value = serde_json::from_str(&header).expect("json");
                    let visitors = participants
                        .iter()
                        .filter(|(pc, v, _)| *pc == c && !restricted.contains(v))
                        .map(|(_, v, _)| *v)
                        .collect();
                    let count = messages
                        .iter()
                        .filter(|(mc, _, a, _)| *mc == c && !a.is_some_and(|a| restricted.contains(&a)))
                        .map(|(_, _, _, b)| serde_json::from_str::<Value>(b).expect("json"))
                        .count();
                    (c, visitors, count)
                })
                .collect()
        }

        /// The erasure by hand, under the default policy: the subject's messages and participations
        /// deleted, the replies that mention them redacted, the conversations' last activity updated,
        /// the profile replaced by a tombstone of keyed hashes, the lookup rows replaced by them.
        pub(super) async fn raw_erase(pool: &sqlx::Pool<$db>, scope: Scope, subject: &[SubjectIdentifier], key: &PseudonymKey) -> usize {
            let id = scope.controller().as_uuid();
            let mut tx = pool.begin_with($begin).await.expect("begin");
            let loaded = load(&mut tx, id, subject).await;
            let records = loaded.records();
            let mut last: BTreeMap<Uuid, String> = BTreeMap::new();
            for (c, m, author, body) in &loaded.messages {
                if loaded.is_subject(*author) {
                    sqlx::query("DELETE FROM gdpr_chat_messages WHERE controller = $1 AND conversation = $2 AND message = $3")
                        .bind(id)
                        .bind(c)
                        .bind(m)
                        .execute(&mut *tx)
                        .await
                        .expect("delete message");
                    continue;
                }
                let sent = body["sent_at"].as_str().unwrap_or_default().to_owned();
                last.entry(*c).and_modify(|l| *l = l.clone().max(sent.clone())).or_insert(sent);
                let text = body["text"].as_str().unwrap_or_default();
                if Loaded::reply(body) && mentions(text, &loaded.own) {
                    let mut body = body.clone();
                    body["text"] = Value::String(replace_all(text, &loaded.own, "[redacted e-mail]"));
                    sqlx::query(
                        "UPDATE gdpr_chat_messages SET body = $4 WHERE controller = $1 AND conversation = $2 AND message = $3",
                    )
                    .bind(id)
                    .bind(c)
                    .bind(m)
                    .bind(body.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("redact reply");
                }
            }
            for (c, v, _) in &loaded.participants {
                if loaded.visitors.contains_key(v) {
                    sqlx::query(
                        "DELETE FROM gdpr_chat_participants WHERE controller = $1 AND conversation = $2 AND visitor = $3",
                    )
                    .bind(id)
                    .bind(c)
                    .bind(v)
                    .execute(&mut *tx)
                    .await
                    .expect("delete participation");
                }
            }
            for (c, header) in &loaded.conversations {
                let mut header = header.clone();
                header["last_at"] = last.get(c).map_or_else(|| header["started_at"].clone(), |l| json!(l));
                sqlx::query("UPDATE gdpr_chat_conversations SET body = $3 WHERE controller = $1 AND conversation = $2")
                    .bind(id)
                    .bind(c)
                    .bind(header.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("update header");
            }
            let keys: Vec<String> = subject.iter().map(|i| SubjectKey::derive(key, scope, i).to_string()).collect();
            for v in loaded.visitors.keys() {
                let tombstone = json!({"profile": null, "ips": {}, "next_ip": 2, "restricted": false,
                    "erased": {"keys": keys, "retained": {}, "done": records}});
                sqlx::query("UPDATE gdpr_chat_visitors SET body = $3 WHERE controller = $1 AND visitor = $2")
                    .bind(id)
                    .bind(v)
                    .bind(tombstone.to_string())
                    .execute(&mut *tx)
                    .await
                    .expect("tombstone");
                sqlx::query("DELETE FROM gdpr_chat_lookup WHERE controller = $1 AND visitor = $2")
                    .bind(id)
                    .bind(v)
                    .execute(&mut *tx)
                    .await
                    .expect("delete lookups");
                for k in &keys {
                    sqlx::query("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) VALUES ($1, 'key', $2, $3)")
                        .bind(id)
                        .bind(k)
                        .bind(v)
                        .execute(&mut *tx)
                        .await
                        .expect("insert key lookup");
                }
            }
            tx.commit().await.expect("commit");
            records.len()
        }
        }
    };
}

baseline!(sqlite_sql, sqlx::Sqlite, sqlx::SqliteConnection, "BEGIN IMMEDIATE");
#[cfg(feature = "postgres")]
baseline!(postgres_sql, sqlx::Postgres, sqlx::PgConnection, "BEGIN");

// --- the benches -----------------------------------------------------------------------------

/// Find, export and erase of a probe through `$chat` and through the baseline `$sql` on
/// `$pool`, after checking that both do the same work.
macro_rules! subject_group {
    ($c:expr, $rt:expr, $name:expr, $chat:expr, $scope:expr, $pool:expr, $sql:ident, $first_probe:expr) => {{
        let (rt, scope, probe) = ($rt, $scope, generate::probe_identifiers(0));
        // The baseline does the crate's work: the same records, the same export items.
        let found = rt.block_on($chat.find(scope, &probe)).expect("find");
        let mut crate_records: Vec<String> = found.into_iter().map(|f| f.record.into()).collect();
        crate_records.sort();
        let mut raw_records = rt.block_on($sql::raw_find(&$pool, scope.controller().as_uuid(), &probe));
        raw_records.sort();
        assert_eq!(crate_records, raw_records, "the baseline finds what the crate finds");
        let exported: Vec<_> =
            rt.block_on(async { $chat.export(scope, &probe).await?.try_collect().await }).expect("export");
        assert_eq!(exported.len(), rt.block_on($sql::raw_export(&$pool, scope.controller().as_uuid(), &probe)).len());

        // The product's listing: the first page of conversations.
        let page = NonZeroUsize::new(PAGE).expect("not zero");
        let listed = rt.block_on($chat.conversation_page(scope, None, page)).expect("a page");
        let listed: Vec<_> =
            listed.conversations.into_iter().map(|c| (c.id.as_uuid(), c.visitors.len(), c.messages)).collect();
        let raw: Vec<_> = rt
            .block_on($sql::raw_page(&$pool, scope.controller().as_uuid(), PAGE))
            .into_iter()
            .map(|(c, visitors, messages)| (c, visitors.len(), messages))
            .collect();
        assert_eq!(listed, raw, "the baseline lists what the crate lists");

        let mut group = $c.benchmark_group($name);
        group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
        group.bench_function("list/crate", |b| {
            b.iter(|| rt.block_on($chat.conversation_page(scope, None, page)).expect("a page"))
        });
        group.bench_function("list/baseline_sql", |b| {
            b.iter(|| rt.block_on($sql::raw_page(&$pool, scope.controller().as_uuid(), PAGE)))
        });
        group.bench_function("find/crate", |b| b.iter(|| rt.block_on($chat.find(scope, &probe)).expect("find")));
        group.bench_function("find/baseline_sql", |b| {
            b.iter(|| rt.block_on($sql::raw_find(&$pool, scope.controller().as_uuid(), &probe)))
        });
        group.bench_function("export/crate", |b| {
            b.iter(|| {
                rt.block_on(async { $chat.export(scope, &probe).await?.try_collect::<Vec<_>>().await }).expect("export")
            })
        });
        group.bench_function("export/baseline_sql", |b| {
            b.iter(|| rt.block_on($sql::raw_export(&$pool, scope.controller().as_uuid(), &probe)))
        });

        // Erasure: a fresh probe per iteration, added in bulk before it (not timed).
        let next = AtomicU64::new($first_probe);
        let fresh = || {
            let n = next.fetch_add(1, Ordering::Relaxed);
            rt.block_on(generate::add_probe(&$chat, scope, n, Writes::Bulk)).expect("a fresh probe")
        };
        let check = fresh();
        let crate_outcomes = rt.block_on($chat.erase(scope, &check, &ErasurePolicy::default())).expect("erase");
        let check = fresh();
        let raw_count = rt.block_on($sql::raw_erase(&$pool, scope, &check, &key()));
        assert_eq!(crate_outcomes.len(), raw_count, "the baseline erases the records the crate erases");
        assert!(rt.block_on($chat.find(scope, &check)).expect("find").is_empty(), "the baseline's erasure is complete");

        group.bench_function("erase/crate", |b| {
            b.iter_batched(
                fresh,
                |subject| rt.block_on($chat.erase(scope, &subject, &ErasurePolicy::default())).expect("erase"),
                BatchSize::PerIteration,
            )
        });
        group.bench_function("erase/baseline_sql", |b| {
            b.iter_batched(
                fresh,
                |subject| rt.block_on($sql::raw_erase(&$pool, scope, &subject, &key())),
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }};
}

/// Find, export and erase on one SQLite history of `messages` messages.
fn sqlite_subject(c: &mut Criterion, rt: &Runtime, messages: u64) {
    let spec = HistorySpec::new(SEED, messages);
    let template = rt.block_on(generate::cached_sqlite(&data_dir(), &spec)).expect("the cached history");
    let copy = WorkingCopy::of(&template, &format!("{messages}"));
    let store = rt.block_on(SqliteStore::open(&copy.path)).expect("open the copy");
    let chat = rt.block_on(ChatHistory::sqlite(&store, key())).expect("the chat tables");
    let pool = rt.block_on(raw_pool(&copy.path));
    let scope = spec.scopes()[0];
    let label =
        if messages >= 1_000_000 { format!("{}m", messages / 1_000_000) } else { format!("{}k", messages / 1_000) };
    subject_group!(c, rt, format!("sqlite_{label}"), chat, scope, pool, sqlite_sql, 1_000);
    rt.block_on(pool.close());
    rt.block_on(store.close());
}

/// The retention sweep of one controller (messages kept 12 months from collection) against a
/// raw `DELETE ... WHERE` of the same messages, each on a fresh copy of a 20,000-message
/// history.
fn sqlite_sweep(c: &mut Criterion, rt: &Runtime) {
    let spec = HistorySpec::new(SEED + 1, 20_000);
    let template = rt.block_on(generate::cached_sqlite(&data_dir(), &spec)).expect("the cached history");
    let scope = spec.scopes()[0];
    let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("an instant");
    let cutoff = "2025-01-01T00:00:00Z";
    let policy = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 12 },
    )
    .expect("a policy");
    let prepare = || {
        let copy = WorkingCopy::of(&template, "sweep");
        let store = rt.block_on(SqliteStore::open(&copy.path)).expect("open");
        rt.block_on(store.put(scope, &policy, Version::NONE)).expect("the policy");
        (copy, store)
    };
    let sweep_in_batches = |store: &SqliteStore, batch: NonZeroUsize| {
        let chat: Arc<dyn RetentionSource> =
            Arc::new(rt.block_on(ChatHistory::sqlite(store, key())).expect("the chat tables"));
        let sweep = Sweep::new(scope, store, store, vec![chat]).with_batch_size(batch);
        rt.block_on(sweep.run(SweepId::generate(), &ErasurePolicy::default(), now)).expect("sweep")
    };
    let sweep = |store: &SqliteStore| sweep_in_batches(store, DEFAULT_BATCH);
    let raw = |path: &Path| {
        rt.block_on(async {
            let pool = raw_pool(path).await;
            let done = sqlx::query(
                "DELETE FROM gdpr_chat_messages WHERE controller = $1 AND json_extract(body, '$.sent_at') < $2",
            )
            .bind(scope.controller().as_uuid())
            .bind(cutoff)
            .execute(&pool)
            .await
            .expect("delete");
            pool.close().await;
            done.rows_affected()
        })
    };
    let (copy, store) = prepare();
    let report = sweep(&store);
    let (copy2, _store2) = prepare();
    let deleted = raw(&copy2.path);
    assert_eq!(report.sources[0].records, deleted, "the sweep erases the messages the DELETE deletes");
    drop((copy, store, copy2));

    let mut group = c.benchmark_group("sqlite_sweep_20k");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.bench_function("sweep/crate", |b| {
        b.iter_batched(prepare, |(copy, store)| (sweep(&store), copy), BatchSize::PerIteration)
    });
    // The same sweep in one batch: what the default batches cost beyond it (each lists from
    // its cursor, is one transaction of the source and writes the journal twice).
    let one_batch = NonZeroUsize::new(1_000_000).expect("not zero");
    group.bench_function("sweep/crate_one_batch", |b| {
        b.iter_batched(prepare, |(copy, store)| (sweep_in_batches(&store, one_batch), copy), BatchSize::PerIteration)
    });
    group.bench_function("sweep/baseline_delete", |b| {
        b.iter_batched(
            prepare,
            |(copy, store)| {
                let n = raw(&copy.path);
                (n, copy, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// The crate's PostgreSQL store for the bench. Every store the PostgreSQL bench opens is opened
/// here: with `GDPR_BENCH_PG_PARTITIONS=N` its tables are hash-partitioned by controller into N
/// partitions (on a database whose tables are not partitioned yet, e.g. the fresh server of
/// `scripts/with-postgres`; a database of the other layout is refused).
#[cfg(feature = "postgres")]
async fn open_pg_bench_store(url: &str) -> gdpr_obligations::store::postgres::PostgresStore {
    use gdpr_obligations::store::postgres::{PostgresOptions, PostgresStore};
    let mut options = PostgresOptions::new();
    if let Ok(n) = std::env::var("GDPR_BENCH_PG_PARTITIONS") {
        let n = n.parse().expect("GDPR_BENCH_PG_PARTITIONS is a number of partitions");
        options = options.partitioned(n).expect("GDPR_BENCH_PG_PARTITIONS is 1 to 1024");
    }
    PostgresStore::connect_with(url, options).await.expect("connect to PostgreSQL")
}

/// Find, export and erase on PostgreSQL, on a 10,000-message history generated on the first
/// run against the database (the retention sweep is measured on SQLite only).
#[cfg(feature = "postgres")]
fn postgres_subject(c: &mut Criterion, rt: &Runtime, url: &str) {
    let spec = HistorySpec::new(SEED, 10_000);
    let store = rt.block_on(open_pg_bench_store(url));
    let chat = rt.block_on(ChatHistory::postgres(&store, key())).expect("the chat tables");
    let scope = spec.scopes()[0];
    if rt.block_on(chat.find(scope, &generate::probe_identifiers(0))).expect("find").is_empty() {
        rt.block_on(generate::fill(&chat, &spec)).expect("generate the history");
    }
    let pool = rt.block_on(sqlx::PgPool::connect(url)).expect("connect to PostgreSQL");
    // Fresh statistics for the planner, for the crate and the baseline alike: a history just
    // generated would otherwise be measured while autovacuum catches up.
    rt.block_on(sqlx::query("ANALYZE").execute(&pool)).expect("analyze");
    // Fresh probes in every run, should the database be kept between runs.
    let first = 1_000_000 + (Utc::now().timestamp() as u64 % 1_000_000) * 1_000;
    subject_group!(c, rt, "postgres_10k", chat, scope, pool, postgres_sql, first);
    rt.block_on(pool.close());
}

fn chat_history(c: &mut Criterion) {
    let rt = runtime();
    for messages in sizes() {
        sqlite_subject(c, &rt, messages);
    }
    sqlite_sweep(c, &rt);
    match std::env::var("GDPR_TEST_POSTGRES_URL") {
        #[cfg(feature = "postgres")]
        Ok(url) => postgres_subject(c, &rt, &url),
        #[cfg(not(feature = "postgres"))]
        Ok(_) => println!("postgres: skipped (build with --features postgres)"),
        Err(_) => println!("postgres: skipped (GDPR_TEST_POSTGRES_URL is not set)"),
    }
}

criterion_group!(benches, chat_history);
criterion_main!(benches);
