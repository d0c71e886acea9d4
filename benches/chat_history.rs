//! Finding, exporting and erasing one data subject through the crate (`ChatHistory` on SQLite,
//! and on PostgreSQL when `GDPR_TEST_POSTGRES_URL` is set) against hand-written indexed SQL on
//! the same database reading and writing the same rows, at 10,000 and at 1,000,000 stored
//! messages (and 10,000,000 on SQLite, opt-in), with the product's listing of a page of
//! conversations; and the retention sweep against a raw `DELETE ... WHERE`, and against set-based
//! SQL doing the same work (the `*_set_sweep_*` groups: `raw_sweep`, at 20,000 and 1M messages on
//! SQLite and 20,000 on PostgreSQL, `GDPR_BENCH_SWEEP_SIZES` to choose). Each crate figure is
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
//! scripts/with-postgres cargo bench --features postgres --bench chat_history -- postgres
//! GDPR_BENCH_SIZES=10000 cargo bench --bench chat_history                   # 10k only
//! GDPR_BENCH_SIZES=10000,10000000 cargo bench --bench chat_history -- sqlite_10  # and 10M
//! GDPR_BENCH_PG_PARTITIONS=8 scripts/with-postgres cargo bench --features postgres --bench chat_history
//!                                           # PostgreSQL tables hash-partitioned by controller
//! ```
//!
//! `GDPR_BENCH_SIZES` lists the SQLite histories (default `10000,1000000`; 10,000,000 is opt-in:
//! about 4 GB under `target/bench-data` and as much again for the working copy);
//! `GDPR_BENCH_PG_SIZES` the PostgreSQL ones (default `10000,1000000`), each copied from the
//! SQLite history of its size into a schema of its own (`gdpr_bench_10k`, `gdpr_bench_1m`) on the
//! first run against the server.

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
        // On disk before anything is measured: a copy of gigabytes left in the page cache is
        // written back during the first transactions' fsyncs, whichever side makes them.
        std::fs::File::open(&path).and_then(|f| f.sync_all()).expect("sync the copy");
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

/// Some conversations' (headers, participants, messages with their authors), as the baseline reads them.
type ConversationRows = (Vec<(Uuid, String)>, Vec<(Uuid, Uuid, String)>, Vec<(Uuid, Uuid, Option<Uuid>, String)>);

/// Some conversations' headers, participants and messages in one query, one round trip to the
/// server, as the crate reads them on PostgreSQL (a `UNION ALL` of rows of one shape, the
/// conversations as one array parameter).
#[cfg(feature = "postgres")]
async fn one_query(tx: &mut sqlx::PgConnection, scope: Uuid, ids: &[Uuid]) -> ConversationRows {
    type Row = (i16, Uuid, Option<Uuid>, Option<Uuid>, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT 0::int2, conversation, NULL::uuid, NULL::uuid, body FROM gdpr_chat_conversations \
             WHERE controller = $1 AND conversation = ANY($2) \
         UNION ALL SELECT 1::int2, conversation, visitor, NULL::uuid, joined_at FROM gdpr_chat_participants \
             WHERE controller = $1 AND conversation = ANY($2) \
         UNION ALL SELECT 2::int2, conversation, message, author, body FROM gdpr_chat_messages \
             WHERE controller = $1 AND conversation = ANY($2)",
    )
    .bind(scope)
    .bind(ids)
    .fetch_all(&mut *tx)
    .await
    .expect("conversation rows");
    let mut out: ConversationRows = Default::default();
    for (part, c, a, b, text) in rows {
        match (part, a) {
            (0, _) => out.0.push((c, text)),
            (1, Some(v)) => out.1.push((c, v, text)),
            (_, Some(m)) => out.2.push((c, m, b, text)),
            _ => panic!("a NULL key in a conversation row"),
        }
    }
    out
}

/// The baseline's SQL, once per engine (`$n` placeholders work on both).
macro_rules! baseline {
    ($module:ident, $db:ty, $conn:ty, $begin:literal, $rows:ident) => {
        mod $module {
            use super::*;

        /// Some conversations' headers, participants and messages: a query per table, as
        /// the crate reads them on SQLite (an embedded engine has no round trips to save).
        #[allow(dead_code, reason = "PostgreSQL reads them in one query")]
        async fn three_queries(tx: &mut $conn, scope: Uuid, ids: &[Uuid]) -> ConversationRows {
            let headers: Vec<(Uuid, String)> =
                by_ids(tx, "SELECT conversation, body FROM gdpr_chat_conversations", "conversation", scope, ids).await;
            let participants: Vec<(Uuid, Uuid, String)> = by_ids(
                tx,
                "SELECT conversation, visitor, joined_at FROM gdpr_chat_participants",
                "conversation",
                scope,
                ids,
            )
            .await;
            let messages: Vec<(Uuid, Uuid, Option<Uuid>, String)> = by_ids(
                tx,
                "SELECT conversation, message, author, body FROM gdpr_chat_messages",
                "conversation",
                scope,
                ids,
            )
            .await;
            (headers, participants, messages)
        }

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

        /// What find, export and erase read of a subject, in the transaction given.
        ///
        /// Why it is the fair opponent: it reads the rows the crate reads, by the same indexes
        /// (the lookup's key, participants and messages by visitor and author, each table by its
        /// key), with ids bound as `IN` lists of up to 500 as the crate binds them, and no more
        /// round trips than the crate: a conversation's headers, participants and messages in one
        /// query on PostgreSQL (`one_query`), a query per table on SQLite, as the crate. It does
        /// not do what only the crate does (the keyed-hash lookup of an earlier erasure, the
        /// visitors whose erasure retained a message, the scope's agents).
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
            let (headers, participants, rows) = $rows(tx, scope, &conversations).await;
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

        /// Find: `load`, then the record keys (the baseline of `ChatHistory::find`).
        pub(super) async fn raw_find(pool: &sqlx::Pool<$db>, scope: Uuid, subject: &[SubjectIdentifier]) -> Vec<String> {
            let mut tx = pool.begin().await.expect("begin");
            let loaded = load(&mut tx, scope, subject).await;
            tx.commit().await.expect("commit");
            loaded.records()
        }

        /// Export: `load`, then the items, redacted as the crate redacts them (the baseline of
        /// `ChatHistory::export` collected).
        pub(super) async fn raw_export(pool: &sqlx::Pool<$db>, scope: Uuid, subject: &[SubjectIdentifier]) -> Vec<Value> {
            let mut tx = pool.begin().await.expect("begin");
            let loaded = load(&mut tx, scope, subject).await;
            tx.commit().await.expect("commit");
            loaded.export()
        }

        /// The product's listing of `limit` conversations from the first, by hand: the rows
        /// `conversation_page` reads (headers, participants, messages, the visitors involved for
        /// their restriction), each conversation's id, visitors not restricted, and messages.
        ///
        /// Why it is the fair opponent: a keyset page of the conversations' key (one indexed
        /// range, as the crate), then the page's rows as `load` reads them (one query on
        /// PostgreSQL), then the involved visitors by key. It does not read the visitors' last
        /// contacts from their other conversations, which the crate shows with each page.
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
            let (headers, participants, messages) = $rows(&mut tx, scope, &ids).await;
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
        ///
        /// Why it is the fair opponent: it reads what the crate reads (`load`, the same indexes) in
        /// one write transaction, and writes set-based where the work is one set: the subject's
        /// messages in one `DELETE ... WHERE author IN` (the crate: one `DELETE ... IN` per
        /// conversation), their participations in one `DELETE ... WHERE visitor IN`, the lookup rows
        /// in one `DELETE` and one multi-row `INSERT`. What differs row by row is written row by row,
        /// as the crate writes it: each redacted reply and each conversation header has a body of
        /// its own.
        pub(super) async fn raw_erase(pool: &sqlx::Pool<$db>, scope: Scope, subject: &[SubjectIdentifier], key: &PseudonymKey) -> usize {
            let id = scope.controller().as_uuid();
            let mut tx = pool.begin_with($begin).await.expect("begin");
            let loaded = load(&mut tx, id, subject).await;
            let records = loaded.records();
            let visitors: Vec<Uuid> = loaded.visitors.keys().copied().collect();
            if !visitors.is_empty() {
                for (table, column) in [("gdpr_chat_messages", "author"), ("gdpr_chat_participants", "visitor")] {
                    let sql = format!(
                        "DELETE FROM {table} WHERE controller = $1 AND {column} IN ({})",
                        in_list(visitors.len(), 2)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
                    for v in &visitors {
                        q = q.bind(v);
                    }
                    q.execute(&mut *tx).await.expect("delete the subject's rows");
                }
            }
            let mut last: BTreeMap<Uuid, String> = BTreeMap::new();
            for (c, m, author, body) in &loaded.messages {
                if loaded.is_subject(*author) {
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
            for v in &visitors {
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
                if keys.is_empty() {
                    continue;
                }
                let rows = (0..keys.len()).map(|k| format!("($1, 'key', ${}, $2)", k + 3)).collect::<Vec<_>>().join(", ");
                let sql = format!("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) VALUES {rows}");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(v);
                for k in &keys {
                    q = q.bind(k);
                }
                q.execute(&mut *tx).await.expect("insert key lookups");
            }
            tx.commit().await.expect("commit");
            records.len()
        }
        }
    };
}

baseline!(sqlite_sql, sqlx::Sqlite, sqlx::SqliteConnection, "BEGIN IMMEDIATE", three_queries);
#[cfg(feature = "postgres")]
baseline!(postgres_sql, sqlx::Postgres, sqlx::PgConnection, "BEGIN", one_query);

// --- the benches -----------------------------------------------------------------------------

/// How many rounds of the paired measurement to run (`GDPR_BENCH_PAIRED`), if any.
fn paired_rounds() -> Option<usize> {
    std::env::var("GDPR_BENCH_PAIRED").ok().and_then(|n| n.trim().parse().ok()).filter(|n| *n > 0)
}

/// How long `f` takes.
fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let started = std::time::Instant::now();
    std::hint::black_box(f());
    started.elapsed()
}

/// The paired measurement, for a machine whose load moves during a run: `rounds` rounds, each
/// one operation of the crate (`a`) and one of the baseline (`b`), alternating which goes first;
/// prints the medians and the median of the per-round ratios with its quartiles. A change in
/// load hits both sides of a round alike, which criterion's one-after-the-other runs do not
/// guarantee. Each closure returns the time of the work it measures (set-up excluded).
fn paired(name: &str, rounds: usize, mut a: impl FnMut() -> Duration, mut b: impl FnMut() -> Duration) {
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (x, y) = if round % 2 == 0 {
            let x = a();
            (x, b())
        } else {
            let y = b();
            (a(), y)
        };
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
        ta.push(x.as_secs_f64() * 1e3);
        tb.push(y.as_secs_f64() * 1e3);
    }
    let quantile = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    let (ma, mb) = (quantile(&mut ta, 0.5), quantile(&mut tb, 0.5));
    let (r25, r50, r75) = (quantile(&mut ratios, 0.25), quantile(&mut ratios, 0.5), quantile(&mut ratios, 0.75));
    println!(
        "paired {name}: {rounds} rounds, crate {ma:.2} ms, baseline {mb:.2} ms (medians), ratio {r50:.2}x (quartiles {r25:.2}x-{r75:.2}x)"
    );
}

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

        if let Some(rounds) = paired_rounds() {
            let name = $name.to_string();
            let controller = scope.controller().as_uuid();
            paired(
                &format!("{name}/list"),
                rounds,
                || timed(|| rt.block_on($chat.conversation_page(scope, None, page)).expect("a page")),
                || timed(|| rt.block_on($sql::raw_page(&$pool, controller, PAGE))),
            );
            paired(
                &format!("{name}/find"),
                rounds,
                || timed(|| rt.block_on($chat.find(scope, &probe)).expect("find")),
                || timed(|| rt.block_on($sql::raw_find(&$pool, controller, &probe))),
            );
            paired(
                &format!("{name}/export"),
                rounds,
                || {
                    timed(|| {
                        rt.block_on(async { $chat.export(scope, &probe).await?.try_collect::<Vec<_>>().await })
                            .expect("export")
                    })
                },
                || timed(|| rt.block_on($sql::raw_export(&$pool, controller, &probe))),
            );
            paired(
                &format!("{name}/erase"),
                rounds,
                || {
                    let subject = fresh();
                    timed(|| rt.block_on($chat.erase(scope, &subject, &ErasurePolicy::default())).expect("erase"))
                },
                || {
                    let subject = fresh();
                    timed(|| rt.block_on($sql::raw_erase(&$pool, scope, &subject, &key())))
                },
            );
        }

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
    let label = size_label(messages);
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

// --- the set-based retention sweep against its fair opponent -------------------------------

/// The instant the sweep benches sweep at, and the policy: messages kept 12 months from
/// collection.
fn sweep_rules() -> (DateTime<Utc>, RetentionPolicy) {
    let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("an instant");
    let policy = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 12 },
    )
    .expect("a policy");
    (now, policy)
}

/// A record key of a message, as the crate writes it.
fn message_key(c: Uuid, m: Uuid) -> String {
    format!("conversation/{c}/message/{m}")
}

/// A UUID blob as the crate's record keys spell it (hyphenated, lower case), in SQLite.
fn sqlite_uuid_text(column: &str) -> String {
    let part = |from: usize, len: usize| format!("substr(hex({column}), {from}, {len})");
    format!(
        "lower({} || '-' || {} || '-' || {} || '-' || {} || '-' || {})",
        part(1, 8),
        part(9, 4),
        part(13, 4),
        part(17, 4),
        part(21, 12)
    )
}

/// What one sweep did, as both sides report it: the keys erased, and those kept under a hold
/// (Art. 17(3)) or a restriction (Art. 18(2)).
#[derive(Debug, Default, PartialEq, Eq)]
struct Swept {
    erased: BTreeSet<String>,
    kept: BTreeSet<String>,
}

/// The fair opponent of the crate's retention sweep on SQLite: what a competent engineer
/// writes for the same work, batch by batch as the crate batches (`batch` records per
/// transaction, `BEGIN IMMEDIATE`, keyset from the last key), with set-based SQL on the same
/// tables and indexes (the primary keys, led by the controller):
/// - one `SELECT` lists the batch: the scope's messages after the cursor, in key order, still
///   personal data (not pseudonymised, not an anonymised reply) and collected before the
///   cutoff, each flagged held (its key or its conversation's prefix in the JSON array of the
///   holds, Art. 17(3)) or restricted (its author restricted, or, for a reply, a participant
///   of its conversation or a restricted visitor whose erasure retained it, Art. 18(2)), by
///   anti-join on the current rows of the same transaction;
/// - one `DELETE ... RETURNING` removes the others, by their keys;
/// - one `UPDATE` sets the `last_at` of the conversations it touched from what is left (as the
///   crate keeps each conversation's last contact);
/// - it commits and checkpoints the write-ahead log (`TRUNCATE`) on a connection with
///   `secure_delete`, as the crate does after every erasure (Art. 17: gone from the files).
///
/// It returns the same keys the crate reports. It does not write a journal, a receipt or an
/// audit entry, nor decode a message: the crate's accountability (Art. 5(2)) is what the ratio
/// prices. It knows the policy is one period from collection over messages, which the crate
/// does not assume.
async fn raw_sweep(path: &Path, scope: Uuid, cutoff: &str, held: &[String], batch: usize) -> Swept {
    let options =
        SqliteConnectOptions::new().filename(path).journal_mode(SqliteJournalMode::Wal).pragma("secure_delete", "ON");
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("open the database");
    let held = serde_json::to_string(held).expect("JSON");
    let key = format!(
        "'conversation/' || {} || '/message/' || {}",
        sqlite_uuid_text("m.conversation"),
        sqlite_uuid_text("m.message")
    );
    let list = format!(
        "SELECT m.conversation, m.message, \
             EXISTS (SELECT 1 FROM json_each($4) h WHERE h.value = {key} \
                 OR (substr(h.value, -1) = '/' AND substr({key}, 1, length(h.value)) = h.value)) AS held, \
             CASE WHEN m.author IS NOT NULL THEN EXISTS (SELECT 1 FROM gdpr_chat_visitors v \
                     WHERE v.controller = m.controller AND v.visitor = m.author AND json_extract(v.body, '$.restricted') = 1) \
                 ELSE EXISTS (SELECT 1 FROM gdpr_chat_participants p JOIN gdpr_chat_visitors v \
                         ON v.controller = p.controller AND v.visitor = p.visitor \
                     WHERE p.controller = m.controller AND p.conversation = m.conversation \
                         AND json_extract(v.body, '$.restricted') = 1) \
                   OR EXISTS (SELECT 1 FROM gdpr_chat_lookup l JOIN gdpr_chat_visitors v \
                         ON v.controller = l.controller AND v.visitor = l.visitor \
                     WHERE l.controller = m.controller AND l.kind = 'retained' AND l.value = {key} \
                         AND json_extract(v.body, '$.restricted') = 1) END AS restricted \
         FROM gdpr_chat_messages m \
         WHERE m.controller = $1 AND (m.conversation, m.message) > ($2, $3) \
             AND json_extract(m.body, '$.anonymised') = 0 AND json_extract(m.body, '$.author.role') <> 'pseudonym' \
             AND julianday(json_extract(m.body, '$.sent_at')) <= julianday($5) \
         ORDER BY m.conversation, m.message LIMIT $6"
    );
    let mut out = Swept::default();
    let mut cursor = (Uuid::nil(), Uuid::nil());
    loop {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
        let rows: Vec<(Uuid, Uuid, bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(list.as_str()))
            .bind(scope)
            .bind(cursor.0)
            .bind(cursor.1)
            .bind(&held)
            .bind(cutoff)
            .bind(batch as i64)
            .fetch_all(&mut *tx)
            .await
            .expect("list the batch");
        let Some(last) = rows.last() else {
            tx.commit().await.expect("commit");
            break;
        };
        cursor = (last.0, last.1);
        let gone: Vec<(Uuid, Uuid)> = rows.iter().filter(|r| !r.2 && !r.3).map(|r| (r.0, r.1)).collect();
        out.kept.extend(rows.iter().filter(|r| r.2 || r.3).map(|r| message_key(r.0, r.1)));
        for chunk in gone.chunks(400) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new("DELETE FROM gdpr_chat_messages WHERE controller = ");
            qb.push_bind(scope).push(" AND (conversation, message) IN (VALUES ");
            let mut list = qb.separated(", ");
            for (c, m) in chunk {
                list.push("(")
                    .push_bind_unseparated(*c)
                    .push_unseparated(", ")
                    .push_bind_unseparated(*m)
                    .push_unseparated(")");
            }
            qb.push(") RETURNING conversation, message");
            let deleted: Vec<(Uuid, Uuid)> = qb.build_query_as().fetch_all(&mut *tx).await.expect("delete");
            out.erased.extend(deleted.into_iter().map(|(c, m)| message_key(c, m)));
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "UPDATE gdpr_chat_conversations SET body = json_set(body, '$.last_at', (\
                     SELECT t FROM (SELECT json_extract(gdpr_chat_conversations.body, '$.started_at') AS t \
                         UNION ALL SELECT json_extract(m.body, '$.sent_at') FROM gdpr_chat_messages m \
                             WHERE m.controller = gdpr_chat_conversations.controller \
                             AND m.conversation = gdpr_chat_conversations.conversation \
                         UNION ALL SELECT p.joined_at ->> '$' FROM gdpr_chat_participants p \
                             WHERE p.controller = gdpr_chat_conversations.controller \
                             AND p.conversation = gdpr_chat_conversations.conversation) \
                     ORDER BY julianday(t) DESC LIMIT 1)) WHERE controller = ",
            );
            qb.push_bind(scope).push(" AND conversation IN (");
            let mut list = qb.separated(", ");
            let touched: BTreeSet<Uuid> = chunk.iter().map(|(c, _)| *c).collect();
            for c in touched {
                list.push_bind(c);
            }
            qb.push(")");
            qb.build().execute(&mut *tx).await.expect("update the conversations");
        }
        tx.commit().await.expect("commit");
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.expect("checkpoint");
    }
    pool.close().await;
    out
}

/// What the crate's sweep report says it erased and kept.
fn crate_swept(report: &gdpr_obligations::fulfil::SweepReport) -> Swept {
    use gdpr_obligations::erasure::Outcome;
    let mut out = Swept::default();
    for o in &report.sources[0].outcomes {
        match o.outcome {
            Outcome::Erased => out.erased.insert(o.record.to_string()),
            _ => out.kept.insert(o.record.to_string()),
        };
    }
    out
}

/// The set-based retention sweep of one controller of a SQLite history of `messages`
/// messages (messages kept 12 months from collection, one conversation under a legal hold)
/// against [`raw_sweep`], each on a fresh copy; reports the cost per expired record too.
fn sqlite_set_sweep(c: &mut Criterion, rt: &Runtime, messages: u64) {
    use gdpr_obligations::erasure::RetentionGround;
    use gdpr_obligations::retention::{HoldTarget, LegalHold};
    let spec = HistorySpec::new(SEED + 1, messages);
    let template = rt.block_on(generate::cached_sqlite(&data_dir(), &spec)).expect("the cached history");
    let scope = spec.scopes()[0];
    let (now, policy) = sweep_rules();
    let cutoff = "2025-01-01T00:00:00Z";
    // A hold on the first conversation that has an expired message: both keep it.
    let held_conversation: Uuid = rt.block_on(async {
        let pool = raw_pool(&template).await;
        let c: Uuid = sqlx::query_scalar(
            "SELECT conversation FROM gdpr_chat_messages WHERE controller = $1 \
             AND julianday(json_extract(body, '$.sent_at')) <= julianday($2) ORDER BY conversation LIMIT 1",
        )
        .bind(scope.controller().as_uuid())
        .bind(cutoff)
        .fetch_one(&pool)
        .await
        .expect("an expired message");
        pool.close().await;
        c
    });
    let prefix = format!("conversation/{held_conversation}/");
    let hold = LegalHold::place(
        HoldTarget::Conversation {
            source: gdpr_obligations::model::SourceName::new("chat_history").expect("a name"),
            prefix: prefix.parse().expect("a key"),
        },
        gdpr_obligations::model::Text::new("dispute").expect("text"),
        RetentionGround::LegalClaims { matter: gdpr_obligations::model::Text::new("matter 1").expect("text") },
        "2020-01-01T00:00:00Z".parse().expect("an instant"),
    )
    .expect("a hold");
    let prepare = || {
        let copy = WorkingCopy::of(&template, "set-sweep");
        let store = rt.block_on(SqliteStore::open(&copy.path)).expect("open");
        rt.block_on(store.put(scope, &policy, Version::NONE)).expect("the policy");
        rt.block_on(store.put(scope, &hold, Version::NONE)).expect("the hold");
        (copy, store)
    };
    let sweep = |store: &SqliteStore| {
        let chat: Arc<dyn RetentionSource> =
            Arc::new(rt.block_on(ChatHistory::sqlite(store, key())).expect("the chat tables"));
        let sweep = Sweep::new(scope, store, store, vec![chat]);
        rt.block_on(sweep.run(SweepId::generate(), &ErasurePolicy::default(), now)).expect("sweep")
    };
    let raw = |path: &Path| {
        rt.block_on(raw_sweep(
            path,
            scope.controller().as_uuid(),
            cutoff,
            std::slice::from_ref(&prefix),
            DEFAULT_BATCH.get(),
        ))
    };
    // Before timing: both erase the same keys and keep the same ones.
    let (copy, store) = prepare();
    let report = sweep(&store);
    assert!(report.complete);
    let (copy2, _store2) = prepare();
    let swept = raw(&copy2.path);
    let expected = crate_swept(&report);
    assert!(!swept.erased.is_empty() && !swept.kept.is_empty(), "the bench erases and keeps something");
    assert_eq!(swept, expected, "the crate and the baseline erase and keep the same records");
    let records = expected.erased.len() + expected.kept.len();
    println!("sqlite set sweep, {messages} messages: {records} expired records, {} kept", expected.kept.len());
    drop((copy, store, copy2));

    let label =
        if messages >= 1_000_000 { format!("{}m", messages / 1_000_000) } else { format!("{}k", messages / 1_000) };
    let mut group = c.benchmark_group(format!("sqlite_set_sweep_{label}"));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.throughput(criterion::Throughput::Elements(records as u64));
    group.bench_function("sweep/crate", |b| {
        b.iter_batched(prepare, |(copy, store)| (sweep(&store), copy), BatchSize::PerIteration)
    });
    group.bench_function("sweep/baseline_set_sql", |b| {
        b.iter_batched(prepare, |(copy, store)| (raw(&copy.path), copy, store), BatchSize::PerIteration)
    });
    group.finish();
}

/// The URL of database `name` on the server of `url`.
#[cfg(feature = "postgres")]
fn database_url(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// The fair opponent of the crate's retention sweep on PostgreSQL: [`raw_sweep`]'s statements
/// in PostgreSQL's dialect (bodies read as `jsonb`, the batch's keys as two `uuid[]`
/// parameters), batch by batch in one transaction each, on the same tables and primary keys.
/// PostgreSQL keeps erased rows in dead tuples until `VACUUM (FULL)`, for the crate and the
/// baseline alike: neither checkpoints. It takes no advisory lock (the crate takes one per
/// batch to order writes in one controller's scope).
#[cfg(feature = "postgres")]
async fn raw_sweep_postgres(pool: &sqlx::PgPool, scope: Uuid, cutoff: &str, held: &[String], batch: usize) -> Swept {
    const LIST: &str = "\
        SELECT m.conversation, m.message, \
            EXISTS (SELECT 1 FROM jsonb_array_elements_text($4::jsonb) h(v) WHERE h.v = k.key \
                OR (right(h.v, 1) = '/' AND left(k.key, length(h.v)) = h.v)) AS held, \
            CASE WHEN m.author IS NOT NULL THEN EXISTS (SELECT 1 FROM gdpr_chat_visitors v \
                    WHERE v.controller = m.controller AND v.visitor = m.author \
                    AND (v.body::jsonb ->> 'restricted')::boolean) \
                ELSE EXISTS (SELECT 1 FROM gdpr_chat_participants p JOIN gdpr_chat_visitors v \
                        ON v.controller = p.controller AND v.visitor = p.visitor \
                    WHERE p.controller = m.controller AND p.conversation = m.conversation \
                        AND (v.body::jsonb ->> 'restricted')::boolean) \
                  OR EXISTS (SELECT 1 FROM gdpr_chat_lookup l JOIN gdpr_chat_visitors v \
                        ON v.controller = l.controller AND v.visitor = l.visitor \
                    WHERE l.controller = m.controller AND l.kind = 'retained' AND l.value = k.key \
                        AND (v.body::jsonb ->> 'restricted')::boolean) END AS restricted \
        FROM gdpr_chat_messages m \
        CROSS JOIN LATERAL (SELECT 'conversation/' || m.conversation::text || '/message/' || m.message::text AS key) k \
        WHERE m.controller = $1 AND (m.conversation, m.message) > ($2, $3) \
            AND NOT (m.body::jsonb ->> 'anonymised')::boolean \
            AND m.body::jsonb -> 'author' ->> 'role' <> 'pseudonym' \
            AND (m.body::jsonb ->> 'sent_at')::timestamptz <= $5::timestamptz \
        ORDER BY m.conversation, m.message LIMIT $6";
    const DELETE: &str = "\
        DELETE FROM gdpr_chat_messages WHERE controller = $1 \
            AND (conversation, message) IN (SELECT * FROM unnest($2::uuid[], $3::uuid[])) \
        RETURNING conversation, message";
    const LAST: &str = "\
        UPDATE gdpr_chat_conversations c SET body = jsonb_set(c.body::jsonb, '{last_at}', to_jsonb((\
            SELECT t FROM (SELECT c.body::jsonb ->> 'started_at' AS t \
                UNION ALL SELECT m.body::jsonb ->> 'sent_at' FROM gdpr_chat_messages m \
                    WHERE m.controller = c.controller AND m.conversation = c.conversation \
                UNION ALL SELECT p.joined_at::jsonb #>> '{}' FROM gdpr_chat_participants p \
                    WHERE p.controller = c.controller AND p.conversation = c.conversation) a \
            ORDER BY t::timestamptz DESC LIMIT 1)))::text \
        WHERE c.controller = $1 AND c.conversation = ANY($2::uuid[])";
    let held = serde_json::to_string(held).expect("JSON");
    let mut out = Swept::default();
    let mut cursor = (Uuid::nil(), Uuid::nil());
    loop {
        let mut tx = pool.begin().await.expect("begin");
        let rows: Vec<(Uuid, Uuid, bool, bool)> = sqlx::query_as(LIST)
            .bind(scope)
            .bind(cursor.0)
            .bind(cursor.1)
            .bind(&held)
            .bind(cutoff)
            .bind(batch as i64)
            .fetch_all(&mut *tx)
            .await
            .expect("list the batch");
        let Some(last) = rows.last() else {
            tx.commit().await.expect("commit");
            break;
        };
        cursor = (last.0, last.1);
        out.kept.extend(rows.iter().filter(|r| r.2 || r.3).map(|r| message_key(r.0, r.1)));
        let (cs, ms): (Vec<Uuid>, Vec<Uuid>) = rows.iter().filter(|r| !r.2 && !r.3).map(|r| (r.0, r.1)).unzip();
        let deleted: Vec<(Uuid, Uuid)> =
            sqlx::query_as(DELETE).bind(scope).bind(&cs).bind(&ms).fetch_all(&mut *tx).await.expect("delete");
        out.erased.extend(deleted.into_iter().map(|(c, m)| message_key(c, m)));
        let touched: Vec<Uuid> = cs.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        sqlx::query(LAST).bind(scope).bind(&touched).execute(&mut *tx).await.expect("update the conversations");
        tx.commit().await.expect("commit");
    }
    out
}

/// The set-based retention sweep on PostgreSQL, one controller of a 20,000-message history
/// (generated once into database `gdpr_sweep_template` with the admin URL, then copied as a
/// template for every iteration), against [`raw_sweep_postgres`].
#[cfg(feature = "postgres")]
fn postgres_set_sweep(c: &mut Criterion, rt: &Runtime, url: &str) {
    use gdpr_obligations::erasure::RetentionGround;
    use gdpr_obligations::retention::{HoldTarget, LegalHold};
    use gdpr_obligations::store::postgres::PostgresStore;
    let Ok(admin_url) = std::env::var("GDPR_TEST_POSTGRES_ADMIN_URL") else {
        println!(
            "postgres sweep: skipped (GDPR_TEST_POSTGRES_ADMIN_URL is not set: run through scripts/with-postgres)"
        );
        return;
    };
    let spec = HistorySpec::new(SEED + 1, 20_000);
    let scope = spec.scopes()[0];
    let (now, policy) = sweep_rules();
    let cutoff = "2025-01-01T00:00:00Z";
    let admin = rt.block_on(sqlx::PgPool::connect(&admin_url)).expect("connect as the admin");
    let template = "gdpr_sweep_template";
    let exists: bool = rt
        .block_on(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(template)
                .fetch_one(&admin),
        )
        .expect("pg_database");
    if !exists {
        rt.block_on(
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {template} OWNER gdpr_test"))).execute(&admin),
        )
        .expect("create the template");
        rt.block_on(async {
            let store = PostgresStore::connect(&database_url(url, template)).await.expect("connect");
            let chat = ChatHistory::postgres(&store, key()).await.expect("the chat tables");
            generate::fill(&chat, &spec).await.expect("generate the history");
            let pool = sqlx::PgPool::connect(&database_url(url, template)).await.expect("connect");
            sqlx::query("ANALYZE").execute(&pool).await.expect("analyze");
            pool.close().await;
            store.close().await;
        });
    }
    let held_conversation: Uuid = rt.block_on(async {
        let pool = sqlx::PgPool::connect(&database_url(url, template)).await.expect("connect");
        let c = sqlx::query_scalar(
            "SELECT conversation FROM gdpr_chat_messages WHERE controller = $1 \
             AND (body::jsonb ->> 'sent_at')::timestamptz <= $2::timestamptz ORDER BY conversation LIMIT 1",
        )
        .bind(scope.controller().as_uuid())
        .bind(cutoff)
        .fetch_one(&pool)
        .await
        .expect("an expired message");
        pool.close().await;
        c
    });
    let prefix = format!("conversation/{held_conversation}/");
    let hold = LegalHold::place(
        HoldTarget::Conversation {
            source: gdpr_obligations::model::SourceName::new("chat_history").expect("a name"),
            prefix: prefix.parse().expect("a key"),
        },
        gdpr_obligations::model::Text::new("dispute").expect("text"),
        RetentionGround::LegalClaims { matter: gdpr_obligations::model::Text::new("matter 1").expect("text") },
        "2020-01-01T00:00:00Z".parse().expect("an instant"),
    )
    .expect("a hold");
    let copies = AtomicU64::new(0);
    let made = std::sync::Mutex::new(Vec::new());
    // A fresh copy of the template with the policy and the hold; the previous copies are
    // dropped at the end.
    let drop_copies = || {
        for name in made.lock().expect("lock").drain(..) {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            rt.block_on(sqlx::query(sqlx::AssertSqlSafe(drop)).execute(&admin)).expect("drop a copy");
        }
    };
    let prepare = || {
        // The copies of the iterations before are dropped by now (their pools closed).
        drop_copies();
        let name = format!("gdpr_sweep_{}_{}", std::process::id(), copies.fetch_add(1, Ordering::Relaxed));
        rt.block_on(
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name} TEMPLATE {template} OWNER gdpr_test")))
                .execute(&admin),
        )
        .expect("copy the template");
        made.lock().expect("lock").push(name.clone());
        let store = rt.block_on(PostgresStore::connect(&database_url(url, &name))).expect("connect");
        rt.block_on(store.put(scope, &policy, Version::NONE)).expect("the policy");
        rt.block_on(store.put(scope, &hold, Version::NONE)).expect("the hold");
        let pool = rt.block_on(sqlx::PgPool::connect(&database_url(url, &name))).expect("connect");
        (name, store, pool)
    };
    let sweep = |store: &PostgresStore| {
        let chat: Arc<dyn RetentionSource> =
            Arc::new(rt.block_on(ChatHistory::postgres(store, key())).expect("the chat tables"));
        let sweep = Sweep::new(scope, store, store, vec![chat]);
        rt.block_on(sweep.run(SweepId::generate(), &ErasurePolicy::default(), now)).expect("sweep")
    };
    let raw = |pool: &sqlx::PgPool| {
        rt.block_on(raw_sweep_postgres(
            pool,
            scope.controller().as_uuid(),
            cutoff,
            std::slice::from_ref(&prefix),
            DEFAULT_BATCH.get(),
        ))
    };
    let (_n1, store, pool) = prepare();
    let report = sweep(&store);
    assert!(report.complete);
    let (_n2, store2, pool2) = prepare();
    let swept = raw(&pool2);
    let expected = crate_swept(&report);
    assert!(!swept.erased.is_empty() && !swept.kept.is_empty(), "the bench erases and keeps something");
    assert_eq!(swept, expected, "the crate and the baseline erase and keep the same records");
    let records = expected.erased.len() + expected.kept.len();
    println!("postgres set sweep, 20000 messages: {records} expired records, {} kept", expected.kept.len());
    rt.block_on(async {
        store.close().await;
        store2.close().await;
        pool.close().await;
        pool2.close().await;
    });

    let mut group = c.benchmark_group("postgres_set_sweep_20k");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    group.throughput(criterion::Throughput::Elements(records as u64));
    group.bench_function("sweep/crate", |b| {
        b.iter_batched(prepare, |(name, store, pool)| (sweep(&store), name, store, pool), BatchSize::PerIteration)
    });
    group.bench_function("sweep/baseline_set_sql", |b| {
        b.iter_batched(prepare, |(name, store, pool)| (raw(&pool), name, store, pool), BatchSize::PerIteration)
    });
    group.finish();
    drop_copies();
    rt.block_on(admin.close());
}

/// The sizes of the set-sweep benches (`GDPR_BENCH_SWEEP_SIZES`, default 20,000 and 1M).
fn sweep_sizes() -> Vec<u64> {
    match std::env::var("GDPR_BENCH_SWEEP_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![20_000, 1_000_000],
    }
}

/// The sizes of the PostgreSQL histories: `GDPR_BENCH_PG_SIZES` (comma-separated), else 10k
/// and 1M.
#[cfg(feature = "postgres")]
fn pg_sizes() -> Vec<u64> {
    match std::env::var("GDPR_BENCH_PG_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![10_000, 1_000_000],
    }
}

/// The crate's PostgreSQL store for the bench, its tables in `schema` (one schema per history,
/// so that histories of one seed, whose controllers are the same, do not meet). Every store the
/// PostgreSQL bench opens is opened here: the place for deployment options to measure (such as
/// a partitioned schema) to be set from the environment.
///
/// With `GDPR_BENCH_PG_PARTITIONS=N` the tables are hash-partitioned by controller into N
/// partitions, in a schema of their own (`pg_bench_schema` appends `_pN`): a schema keeps the
/// layout it was created in, so the plain and the partitioned histories never meet.
#[cfg(feature = "postgres")]
async fn open_pg_bench_store(url: &str, schema: &str) -> gdpr_obligations::store::postgres::PostgresStore {
    use gdpr_obligations::store::postgres::{PostgresOptions, PostgresStore};
    let mut options = PostgresOptions::new().schema(schema).expect("a valid schema name");
    if let Some(n) = pg_partitions() {
        options = options.partitioned(n).expect("GDPR_BENCH_PG_PARTITIONS is 1 to 1024");
    }
    PostgresStore::connect_with(url, options).await.expect("connect to PostgreSQL")
}

/// `GDPR_BENCH_PG_PARTITIONS`, the number of hash partitions per table, if set.
#[cfg(feature = "postgres")]
fn pg_partitions() -> Option<u16> {
    let n = std::env::var("GDPR_BENCH_PG_PARTITIONS").ok()?;
    Some(n.parse().expect("GDPR_BENCH_PG_PARTITIONS is a number of partitions"))
}

/// The schema of a PostgreSQL bench history: `gdpr_bench_<label>`, with `_p<N>` when partitioned.
#[cfg(feature = "postgres")]
fn pg_bench_schema(label: &str) -> String {
    match pg_partitions() {
        Some(n) => format!("gdpr_bench_{label}_p{n}"),
        None => format!("gdpr_bench_{label}"),
    }
}

/// The chat tables and their columns, as the migrations of both engines create them; a column
/// is a UUID (`u`), an optional UUID (`o`) or text (`t`).
#[cfg(feature = "postgres")]
const CHAT_TABLES: &[(&str, &str, &str)] = &[
    ("gdpr_chat_visitors", "controller, visitor, body", "uut"),
    ("gdpr_chat_lookup", "controller, kind, value, visitor", "uttu"),
    ("gdpr_chat_conversations", "controller, conversation, body", "uut"),
    ("gdpr_chat_participants", "controller, conversation, visitor, joined_at", "uuut"),
    ("gdpr_chat_messages", "controller, conversation, message, author, body", "uuuot"),
    ("gdpr_chat_agents", "controller, name", "ut"),
];

/// Copies the chat rows of the cached SQLite history `template` into the crate's (empty) tables in
/// `schema` with `COPY ... FROM STDIN (FORMAT csv)`, a table at a time in about 1 MB chunks, then
/// `VACUUM ANALYZE`s them: the same history as on SQLite (the same ids and bodies), loaded in
/// seconds rather than written row by row. Not timed.
#[cfg(feature = "postgres")]
async fn load_into_postgres(template: &Path, pool: &sqlx::PgPool, schema: &str) {
    use sqlx::Row;
    let options = SqliteConnectOptions::new().filename(template).read_only(true);
    let sqlite =
        SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("open the cached history");
    let mut pg = pool.acquire().await.expect("a PostgreSQL connection");
    for (table, columns, kinds) in CHAT_TABLES {
        let copy = format!("COPY {schema}.{table} ({columns}) FROM STDIN (FORMAT csv)");
        let mut sink = pg.copy_in_raw(&copy).await.expect("COPY FROM STDIN");
        let select = format!("SELECT {columns} FROM {table}");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(&sqlite);
        let mut buf = String::with_capacity(1 << 20);
        while let Some(row) = rows.try_next().await.expect("a row of the cached history") {
            for (n, kind) in kinds.chars().enumerate() {
                if n > 0 {
                    buf.push(',');
                }
                match kind {
                    'u' => buf.push_str(&row.get::<Uuid, _>(n).to_string()),
                    'o' => buf.push_str(&row.get::<Option<Uuid>, _>(n).map(|u| u.to_string()).unwrap_or_default()),
                    _ => {
                        buf.push('"');
                        buf.push_str(&row.get::<String, _>(n).replace('"', "\"\""));
                        buf.push('"');
                    }
                }
            }
            buf.push('\n');
            if buf.len() >= 1 << 20 {
                sink.send(buf.as_bytes()).await.expect("COPY data");
                buf.clear();
            }
        }
        drop(rows);
        sink.send(buf.as_bytes()).await.expect("COPY data");
        sink.finish().await.expect("COPY done");
    }
    drop(pg);
    sqlite.close().await;
    for (table, _, _) in CHAT_TABLES {
        let vacuum = format!("VACUUM ANALYZE {schema}.{table}");
        sqlx::query(sqlx::AssertSqlSafe(vacuum)).execute(pool).await.expect("vacuum analyze");
    }
}

/// Find, export, erase and the listing on PostgreSQL, on the history of `messages` messages that
/// SQLite is measured on (generated into `target/bench-data` if need be), copied into a schema of
/// its own on the first run against the database.
#[cfg(feature = "postgres")]
fn postgres_subject(c: &mut Criterion, rt: &Runtime, url: &str, messages: u64) {
    use std::str::FromStr;
    let spec = HistorySpec::new(SEED, messages);
    let label = size_label(messages);
    let schema = pg_bench_schema(&label);
    let store = rt.block_on(open_pg_bench_store(url, &schema));
    let chat = rt.block_on(ChatHistory::postgres(&store, key())).expect("the chat tables");
    let scope = spec.scopes()[0];
    // The baseline's own pool, its unqualified table names resolving to the history's schema.
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .expect("a PostgreSQL URL")
        .options([("search_path", schema.as_str())]);
    let pool = rt.block_on(sqlx::PgPool::connect_with(options)).expect("connect to PostgreSQL");
    if rt.block_on(chat.find(scope, &generate::probe_identifiers(0))).expect("find").is_empty() {
        let template = rt.block_on(generate::cached_sqlite(&data_dir(), &spec)).expect("the cached history");
        let started = std::time::Instant::now();
        rt.block_on(load_into_postgres(&template, &pool, &schema));
        println!("postgres_{label}: loaded in {:.1?}", started.elapsed());
    } else {
        // Fresh statistics for the planner, for the crate and the baseline alike.
        rt.block_on(sqlx::query("ANALYZE").execute(&pool)).expect("analyze");
    }
    // Fresh probes in every run, should the database be kept between runs.
    let first = 1_000_000 + (Utc::now().timestamp() as u64 % 1_000_000) * 1_000;
    subject_group!(c, rt, format!("postgres_{label}"), chat, scope, pool, postgres_sql, first);
    rt.block_on(pool.close());
    rt.block_on(store.close());
}

/// `10k`, `1m`: a history's size in a bench's name.
fn size_label(messages: u64) -> String {
    if messages >= 1_000_000 { format!("{}m", messages / 1_000_000) } else { format!("{}k", messages / 1_000) }
}

fn chat_history(c: &mut Criterion) {
    let rt = runtime();
    for messages in sizes() {
        sqlite_subject(c, &rt, messages);
    }
    sqlite_sweep(c, &rt);
    for messages in sweep_sizes() {
        sqlite_set_sweep(c, &rt, messages);
    }
    match std::env::var("GDPR_TEST_POSTGRES_URL") {
        #[cfg(feature = "postgres")]
        Ok(url) => {
            for messages in pg_sizes() {
                postgres_subject(c, &rt, &url, messages);
            }
            postgres_set_sweep(c, &rt, &url);
        }
        #[cfg(not(feature = "postgres"))]
        Ok(_) => println!("postgres: skipped (build with --features postgres)"),
        Err(_) => println!("postgres: skipped (GDPR_TEST_POSTGRES_URL is not set)"),
    }
}

criterion_group!(benches, chat_history);
criterion_main!(benches);
