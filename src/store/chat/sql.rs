//! `ChatHistory` in a database (features `sqlite` and `postgres`): one set of semantics.
//!
//! An operation names what it reads ([`Need`]); [`Loader`] reads those rows, and the rows the
//! in-memory code reads around them, into a partial [`ScopeData`]; the in-memory code runs over
//! it unchanged; and [`write_changes`] writes back what it changed, all in one transaction per
//! call. So a durable `ChatHistory` finds, exports, plans and erases exactly as the in-memory
//! reference does, and an erasure is atomic per call.
//!
//! What the in-memory code reads around a subject, and how it is found by index:
//! - the subject's visitors: by normalised identifier, or by the keyed hash an erasure left;
//! - their conversations: by participation, by authorship, or by a record an erasure retained,
//!   each with its participants and messages;
//! - every visitor those conversations involve (participants, authors, and those whose erasure
//!   retained one of their messages), for restriction;
//! - every other visitor one of whose identifiers may occur in those texts: by the first three
//!   words of the identifier, looked up with every run of up to three consecutive words of the
//!   texts (one word found a good part of the history in any text with a number in it: an IPv4
//!   address's first number). Redaction only ever changes a text where an identifier occurs,
//!   so the visitors it does not load cannot change a result.
//!
//! Two reads go a page at a time in one read transaction, so that memory and work follow the
//! page: the export of a subject ([`Engine::subject_pages`]) and the sweep's listing of what
//! has expired ([`Engine::expired`]). Only the listing of every conversation reads the whole
//! scope.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroUsize;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records::Rec;
use super::redact::{Needle, word_runs};
use super::{
    Author, Contacts, Conversation, ConversationId, MessageId, Need, ScopeData, StoredMessage, Visitor, VisitorId,
};
use crate::model::SubjectIdentifier;
use crate::store::{FoundRecord, Scope, StoreError, SubjectKey};

/// The kinds of rows of `gdpr_chat_lookup` (`word` holds an identifier's
/// [index key](Needle::index_key): its first three words).
const BY_IDENTIFIER: &str = "id";
const BY_WORD: &str = "word";
const BY_KEY: &str = "key";
const BY_RETAINED: &str = "retained";

/// How many values one `IN (...)` list binds.
const CHUNK: usize = 500;

/// A database holding chat histories.
#[derive(Clone)]
pub(super) enum Engine {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
}

impl Engine {
    #[cfg(feature = "sqlite")]
    pub(super) fn sqlite(store: &crate::store::sqlite::SqliteStore) -> Self {
        Engine::Sqlite(store.pool().clone())
    }

    #[cfg(feature = "postgres")]
    pub(super) fn postgres(store: &crate::store::postgres::PostgresStore) -> Self {
        Engine::Postgres(store.pool().clone())
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Engine::Postgres(_) => "postgres",
        }
    }

    /// A transaction: a snapshot to read, or the scope's write lock (SQLite's one writer; a
    /// transaction-level advisory lock per controller in PostgreSQL) taken before any read, so
    /// that what is read is still true when the changes are written.
    async fn begin(&self, scope: Scope, write: bool) -> Result<Box<dyn Tx>, StoreError> {
        // SQLite's one writer needs no per-scope lock; only PostgreSQL reads the scope.
        #[cfg(not(feature = "postgres"))]
        let _ = scope;
        match self {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite(pool) => {
                let tx = if write { pool.begin_with("BEGIN IMMEDIATE").await } else { pool.begin().await }
                    .map_err(sqlite_error)?;
                Ok(Box::new(tx))
            }
            #[cfg(feature = "postgres")]
            Engine::Postgres(pool) => {
                use crate::store::postgres::error;
                if write {
                    let mut tx = pool.begin().await.map_err(error)?;
                    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                        .bind(CHAT_LOCK_CLASS)
                        .bind(lock_key(scope))
                        .execute(&mut *tx)
                        .await
                        .map_err(error)?;
                    Ok(Box::new(tx))
                } else {
                    let tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(error)?;
                    Ok(Box::new(tx))
                }
            }
        }
    }

    /// Loads what `need` names and runs `f` over it.
    pub(super) async fn read<T: Send>(
        &self,
        scope: Scope,
        need: Need<'_>,
        f: impl FnOnce(&ScopeData, &Contacts) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin(scope, false).await?;
        // Expiry reads the last contacts of the visitors named, or of a conversation's.
        let (named, of_conversations) = match &need {
            Need::Visitors(v) => (v.clone(), false),
            Need::Conversation(_) | Need::ConversationsAfter(..) => (Vec::new(), true),
            _ => (Vec::new(), false),
        };
        let mut load = Loader::new(scope);
        load.need(&mut *tx, need).await?;
        let mut visitors = named;
        if of_conversations {
            visitors.extend(load.sd.conversations.values().flat_map(|c| c.participants.keys()));
            visitors.sort_unstable();
            visitors.dedup();
        }
        let contacts = contacts(&mut *tx, scope, &visitors).await?;
        let out = f(&load.sd, &contacts);
        tx.commit().await?;
        out
    }

    /// Loads what `need` names, runs `f` over it, and writes what it changed, in one
    /// transaction; nothing when `f` or a write fails.
    pub(super) async fn write<T: Send>(
        &self,
        scope: Scope,
        need: Need<'_>,
        f: impl FnOnce(&mut ScopeData) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin(scope, true).await?;
        let mut load = Loader::new(scope);
        load.need(&mut *tx, need).await?;
        let before = load.sd.clone();
        let out = f(&mut load.sd)?;
        write_changes(&mut *tx, scope, &before, &load.sd).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Which records a page of a paged read is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// Those of the conversations the page loaded: participations and messages.
    Conversations,
    /// Those of visitors: profiles and IP addresses.
    Visitors,
    /// Every record: the last page of an export, which loads the subject's visitors anyway.
    All,
}

impl Part {
    /// Whether `rec` is one of this part's records.
    pub(super) fn holds(self, rec: Rec) -> bool {
        match rec {
            _ if self == Part::All => true,
            Rec::Participation(..) | Rec::Message(..) => self == Part::Conversations,
            Rec::Profile(_) | Rec::Ip(..) => self == Part::Visitors,
        }
    }
}

/// A stream of results read a page at a time.
pub(super) type Paged<'a, T> = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<T, StoreError>> + Send + 'a>>;

/// What is left to read of a subject, page by page, in one read transaction.
struct SubjectPages {
    tx: Box<dyn Tx>,
    scope: Scope,
    /// The subject's visitors.
    visitors: Vec<Uuid>,
    /// The pages still to read: some of their conversations, and the part of the records kept.
    pages: std::vec::IntoIter<(Vec<Uuid>, Part)>,
    /// What finding the subject loaded (their visitors), for the first page.
    first: Option<Loader>,
}

impl Engine {
    /// The subject's data a page of `page` conversations at a time, all in one read
    /// transaction (one snapshot): `f` runs over each page loaded as [`Need::Subject`] loads the
    /// whole, but with only the page's conversations, and keeps the records of
    /// [`Part::Conversations`], except on the last page, which keeps [`Part::All`]: the
    /// visitors' own records, which sort after every conversation's, come with it. So a subject
    /// whose conversations fit in one page is read once, as before paging. Conversations come
    /// in key order, so the records of the pages, in order, are those of the whole in order.
    /// Memory follows the page, not the subject (Art. 20 exports of subjects with years of
    /// chat).
    pub(super) async fn subject_pages<'a, T: Send + 'a>(
        &self,
        scope: Scope,
        given: &[SubjectIdentifier],
        keys: &[SubjectKey],
        page: NonZeroUsize,
        f: impl Fn(&ScopeData, Part) -> Result<Vec<T>, StoreError> + Send + Sync + 'a,
    ) -> Result<Paged<'a, T>, StoreError> {
        let mut tx = self.begin(scope, false).await?;
        let mut first = Loader::new(scope);
        let (visitors, conversations) = first.subject(&mut *tx, given, keys).await?;
        let mut pages: Vec<(Vec<Uuid>, Part)> =
            conversations.chunks(page.get()).map(|c| (c.to_vec(), Part::Conversations)).collect();
        match pages.last_mut() {
            Some((_, part)) => *part = Part::All,
            None => pages.push((Vec::new(), Part::All)),
        }
        let state = SubjectPages { tx, scope, visitors, pages: pages.into_iter(), first: Some(first) };
        let f = std::sync::Arc::new(f);
        let pages = futures_util::stream::try_unfold(state, move |mut state| {
            let f = f.clone();
            async move {
                let Some((conversations, part)) = state.pages.next() else {
                    // Read-only: ends the snapshot now rather than when the connection is reused.
                    state.tx.commit().await?;
                    return Ok(None);
                };
                let mut load = state.first.take().unwrap_or_else(|| Loader::new(state.scope));
                load.around(&mut *state.tx, &state.visitors, &conversations).await?;
                let out = f(&load.sd, part)?;
                Ok(Some((futures_util::stream::iter(out.into_iter().map(Ok)), state)))
            }
        });
        Ok(Box::pin(futures_util::TryStreamExt::try_flatten(pages)))
    }

    /// The expired records after `after`, in key order, at most `limit`, read a page of up to
    /// `page` conversations, then of visitors, at a time: a sweep that asks batch after batch, each
    /// after the last, reads the scope once in all, not once per batch. `f` lists the expired
    /// records of a page given the last contacts of its visitors and the part it is for.
    pub(super) async fn expired(
        &self,
        scope: Scope,
        after: Option<&str>,
        limit: usize,
        page: NonZeroUsize,
        f: impl Fn(&ScopeData, &Contacts, Part, usize) -> Vec<FoundRecord> + Send + Sync,
    ) -> Result<Vec<FoundRecord>, StoreError> {
        let (mut table, mut from) = match after.map(Rec::parse) {
            None => (Table::Conversations, Uuid::nil()),
            Some(Some(Rec::Participation(c, _) | Rec::Message(c, _))) => (Table::Conversations, c.as_uuid()),
            Some(Some(Rec::Profile(v) | Rec::Ip(v, _))) => (Table::Visitors, v.as_uuid()),
            // Not a key of ours: every record, as the reference reads them.
            Some(None) => {
                return self
                    .read(scope, Need::Scope, |sd, contacts| {
                        let mut out = f(sd, contacts, Part::Conversations, limit);
                        out.extend(f(sd, contacts, Part::Visitors, limit - out.len().min(limit)));
                        Ok(out)
                    })
                    .await;
            }
        };
        let mut tx = self.begin(scope, false).await?;
        let mut out = Vec::new();
        // Pages grow from one-eighth of `page`: a batch that the first conversations fill does
        // not read a whole page that the next batch (starting after it) reads again.
        let mut size = page.get().div_ceil(8);
        while out.len() < limit {
            let ids = tx.ids_from(scope.party().as_uuid(), table, from, size).await?;
            let mut load = Loader::new(scope);
            let part = match table {
                Table::Conversations => {
                    load.conversations(&mut *tx, &ids).await?;
                    Part::Conversations
                }
                Table::Visitors => {
                    load.visitors(&mut *tx, Ids::These(&ids)).await?;
                    Part::Visitors
                }
            };
            let visitors: Vec<VisitorId> = load.sd.visitors.keys().copied().collect();
            let contacts = contacts(&mut *tx, scope, &visitors).await?;
            out.extend(f(&load.sd, &contacts, part, limit - out.len()));
            let next = ids.last().and_then(|last| id_after(*last));
            match (next, table) {
                (Some(next), _) if ids.len() == size => from = next,
                (_, Table::Conversations) => (table, from) = (Table::Visitors, Uuid::nil()),
                (_, Table::Visitors) => break,
            }
            size = (size * 2).min(page.get());
        }
        tx.commit().await?;
        Ok(out)
    }
}

impl Engine {
    /// Writes `sd` (one scope's data that this database does not hold yet) in one transaction,
    /// row by row as [`write_changes`] writes any change: the testkit's bulk load.
    #[cfg(feature = "testkit")]
    pub(super) async fn insert(&self, scope: Scope, sd: &ScopeData) -> Result<(), StoreError> {
        let mut tx = self.begin(scope, true).await?;
        write_changes(&mut *tx, scope, &ScopeData::default(), sd).await?;
        tx.commit().await
    }
}

/// The class of the advisory locks of chat writes ("chat" in ASCII), beside the controller's
/// key: the two-key lock space, apart from the ledger's migration lock.
#[cfg(feature = "postgres")]
const CHAT_LOCK_CLASS: i32 = 0x6368_6174;

/// A controller's advisory lock key: its UUID folded to 32 bits (a collision only makes two
/// controllers' writes wait for each other).
#[cfg(feature = "postgres")]
fn lock_key(scope: Scope) -> i32 {
    let bytes = scope.party().as_uuid().into_bytes();
    let mut key = 0u32;
    for chunk in bytes.chunks_exact(4) {
        key ^= u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    i32::from_le_bytes(key.to_le_bytes())
}

#[cfg(feature = "sqlite")]
fn sqlite_error(e: sqlx::Error) -> StoreError {
    crate::store::sqlite::error("(chat history)", e)
}

/// Which rows of a table: all of the scope's, or those of some ids.
#[derive(Clone, Copy)]
enum Ids<'a> {
    All,
    These(&'a [Uuid]),
}

impl Ids<'_> {
    /// The starts of the chunks to query: none for an empty list.
    fn chunks(&self) -> Vec<usize> {
        match self {
            Ids::All => vec![0],
            Ids::These(ids) => (0..ids.len()).step_by(CHUNK).collect(),
        }
    }
}

/// A table read in key order, a page at a time.
#[derive(Clone, Copy)]
enum Table {
    Conversations,
    Visitors,
}

impl Table {
    /// The table and its key column.
    fn name(self) -> (&'static str, &'static str) {
        match self {
            Table::Conversations => ("gdpr_chat_conversations", "conversation"),
            Table::Visitors => ("gdpr_chat_visitors", "visitor"),
        }
    }
}

/// Appends `AND column IN (...)` for at most [`CHUNK`] of the ids from `at`.
fn push_filter<DB: sqlx::Database>(ids: Ids<'_>, qb: &mut sqlx::QueryBuilder<DB>, column: &str, at: usize)
where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if let Ids::These(ids) = ids {
        qb.push(format_args!(" AND {column} IN ("));
        let mut list = qb.separated(", ");
        for id in ids.iter().skip(at).take(CHUNK) {
            list.push_bind(*id);
        }
        list.push_unseparated(")");
    }
}

/// The least id greater than `id`, where a keyset page after `id` starts (`None` after the
/// greatest): ids compare as their 16 bytes in both engines.
fn id_after(id: Uuid) -> Option<Uuid> {
    id.as_u128().checked_add(1).map(Uuid::from_u128)
}

/// A conversation's own row.
#[derive(Serialize, Deserialize, PartialEq)]
struct Header {
    started_at: DateTime<Utc>,
    /// Its last message or join, so that a visitor's last contact is found without reading the
    /// messages of each of their conversations.
    last_at: DateTime<Utc>,
}

/// What [`Tx::conversation_rows`] reads of some conversations.
#[derive(Default)]
struct ConversationRows {
    /// (conversation, header)
    headers: Vec<(Uuid, String)>,
    /// (conversation, visitor, joined at)
    participants: Vec<(Uuid, Uuid, String)>,
    /// (conversation, message, body)
    messages: Vec<(Uuid, Uuid, String)>,
    /// The visitors whose erasure retained one of these messages.
    retained: Vec<Uuid>,
}

/// [`Tx::conversation_rows`] a query at a time: four round trips, cheap on an embedded engine.
#[cfg_attr(
    not(feature = "sqlite"),
    expect(dead_code, reason = "only SQLite reads conversation rows a query at a time")
)]
async fn conversation_rows_apart(tx: &mut dyn Tx, scope: Uuid, ids: &[Uuid]) -> Result<ConversationRows, StoreError> {
    let headers = tx.conversations(scope, Ids::These(ids)).await?;
    let participants = tx.participants(scope, Ids::These(ids)).await?;
    let messages = tx.messages(scope, Ids::These(ids)).await?;
    let keys: Vec<String> = messages
        .iter()
        .map(|(c, m, _)| Rec::Message(ConversationId::from_uuid(*c), MessageId::from_uuid(*m)).key())
        .collect();
    let retained = tx.lookup(scope, BY_RETAINED, &keys).await?;
    Ok(ConversationRows { headers, participants, messages, retained })
}

/// [`Tx::conversation_rows`] in one query, one round trip to the server: the four reads as a
/// `UNION ALL` of rows of one shape (part, id, id, text), with the conversations as one array
/// parameter, and the retained messages' keys built in SQL (`uuid::text` is the hyphenated
/// lower-case form `Rec::key` writes).
#[cfg(feature = "postgres")]
async fn conversation_rows_postgres(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    scope: Uuid,
    ids: &[Uuid],
) -> Result<ConversationRows, StoreError> {
    const SQL: &str = "\
        SELECT 0::int2, conversation, NULL::uuid, body FROM gdpr_chat_conversations \
            WHERE controller = $1 AND conversation = ANY($2) \
        UNION ALL SELECT 1::int2, conversation, visitor, joined_at FROM gdpr_chat_participants \
            WHERE controller = $1 AND conversation = ANY($2) \
        UNION ALL SELECT 2::int2, conversation, message, body FROM gdpr_chat_messages \
            WHERE controller = $1 AND conversation = ANY($2) \
        UNION ALL SELECT 3::int2, NULL::uuid, l.visitor, NULL::text \
            FROM gdpr_chat_messages m JOIN gdpr_chat_lookup l ON l.controller = m.controller \
            AND l.kind = $3 AND l.value = 'conversation/' || m.conversation::text || '/message/' || m.message::text \
            WHERE m.controller = $1 AND m.conversation = ANY($2)";
    let mut out = ConversationRows::default();
    if ids.is_empty() {
        return Ok(out);
    }
    // (part, conversation, visitor or message, text)
    type Row = (i16, Option<Uuid>, Option<Uuid>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(SQL)
        .bind(scope)
        .bind(ids)
        .bind(BY_RETAINED)
        .fetch_all(&mut **tx)
        .await
        .map_err(crate::store::postgres::error)?;
    let mut retained = BTreeSet::new();
    for row in rows {
        match row {
            (0, Some(c), _, Some(body)) => out.headers.push((c, body)),
            (1, Some(c), Some(v), Some(at)) => out.participants.push((c, v, at)),
            (2, Some(c), Some(m), Some(body)) => out.messages.push((c, m, body)),
            (3, _, Some(v), _) => {
                retained.insert(v);
            }
            _ => {
                return Err(StoreError::corrupt(
                    "a conversation row in the PostgreSQL database",
                    "NULL in a NOT NULL column",
                ));
            }
        }
    }
    out.retained = retained.into_iter().collect();
    Ok(out)
}

/// The rows a chat history is made of, read and written in one transaction. One
/// implementation per engine, from the same SQL text.
#[async_trait]
// Without SQLite, `messages` is unused (only SQLite reads conversation rows a query at a time).
// `allow`, not `expect`: through `#[async_trait]` rustc reports an `expect` here unfulfilled.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
trait Tx: Send {
    /// The visitors with a lookup row of `kind` holding one of `values`.
    async fn lookup(&mut self, scope: Uuid, kind: &str, values: &[String]) -> Result<Vec<Uuid>, StoreError>;
    /// The visitors with a lookup row of either kind holding one of its values, in order: one
    /// query (one round trip) when the values are few, as a subject's are.
    async fn lookup_either(
        &mut self,
        scope: Uuid,
        (kind_a, values_a): (&str, &[String]),
        (kind_b, values_b): (&str, &[String]),
    ) -> Result<Vec<Uuid>, StoreError>;
    async fn visitors(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, String)>, StoreError>;
    /// The conversations the visitors take part in or wrote in.
    async fn conversations_of(&mut self, scope: Uuid, visitors: &[Uuid]) -> Result<Vec<Uuid>, StoreError>;
    async fn conversations(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, String)>, StoreError>;
    /// (conversation, visitor, joined at)
    async fn participants(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, Uuid, String)>, StoreError>;
    /// (conversation, message, body)
    async fn messages(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, Uuid, String)>, StoreError>;
    /// Some conversations' headers, participants and messages, and the visitors whose erasure
    /// retained one of these messages.
    async fn conversation_rows(&mut self, scope: Uuid, ids: &[Uuid]) -> Result<ConversationRows, StoreError>;
    /// (visitor, header of a conversation they take part in)
    async fn participations(&mut self, scope: Uuid, visitors: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError>;
    async fn put_visitor(
        &mut self,
        scope: Uuid,
        id: Uuid,
        body: &str,
        lookups: &[(&'static str, String)],
    ) -> Result<(), StoreError>;
    async fn put_conversation(&mut self, scope: Uuid, id: Uuid, body: &str) -> Result<(), StoreError>;
    /// Deletes a conversation with its participants and messages.
    async fn delete_conversation(&mut self, scope: Uuid, id: Uuid) -> Result<(), StoreError>;
    async fn put_participant(&mut self, scope: Uuid, c: Uuid, v: Uuid, joined_at: &str) -> Result<(), StoreError>;
    async fn delete_participant(&mut self, scope: Uuid, c: Uuid, v: Uuid) -> Result<(), StoreError>;
    async fn put_message(
        &mut self,
        scope: Uuid,
        c: Uuid,
        m: Uuid,
        author: Option<Uuid>,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Deletes these messages of a conversation.
    async fn delete_messages(&mut self, scope: Uuid, c: Uuid, messages: &[Uuid]) -> Result<(), StoreError>;
    /// At most `limit` ids of a table's rows (conversations or visitors) from `from` on, in order.
    async fn ids_from(&mut self, scope: Uuid, table: Table, from: Uuid, limit: usize) -> Result<Vec<Uuid>, StoreError>;
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Implements [`Tx`] for one engine's transaction. The SQL is the same for both engines:
/// `$n` placeholders (which SQLite accepts too), `ON CONFLICT ... DO UPDATE`, and `IN` lists
/// built by `QueryBuilder` in the engine's own placeholder style.
macro_rules! impl_tx {
    ($db:ty, $error:expr, $conversation_rows:path) => {
        /// `select` (up to its `WHERE controller = `) of the scope's rows whose `column` is one
        /// of `ids`, a chunk of ids per query: every read by ids of the chat's tables.
        async fn select_in<T>(
            tx: &mut sqlx::Transaction<'static, $db>,
            select: &str,
            column: &str,
            scope: Uuid,
            ids: Ids<'_>,
        ) -> Result<Vec<T>, StoreError>
        where
            T: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
        {
            let mut out = Vec::new();
            for at in ids.chunks() {
                let mut qb = sqlx::QueryBuilder::<$db>::new(select);
                qb.push_bind(scope);
                push_filter(ids, &mut qb, column, at);
                out.extend(qb.build_query_as::<T>().fetch_all(&mut **tx).await.map_err($error)?);
            }
            Ok(out)
        }

        #[async_trait]
        impl Tx for sqlx::Transaction<'static, $db> {
            async fn lookup(&mut self, scope: Uuid, kind: &str, values: &[String]) -> Result<Vec<Uuid>, StoreError> {
                let mut out = BTreeSet::new();
                for chunk in values.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT visitor FROM gdpr_chat_lookup WHERE controller = ");
                    qb.push_bind(scope).push(" AND kind = ").push_bind(kind.to_owned()).push(" AND value IN (");
                    let mut list = qb.separated(", ");
                    for v in chunk {
                        list.push_bind(v.clone());
                    }
                    list.push_unseparated(")");
                    let ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut **self).await.map_err($error)?;
                    out.extend(ids);
                }
                Ok(out.into_iter().collect())
            }

            async fn lookup_either(
                &mut self,
                scope: Uuid,
                (kind_a, values_a): (&str, &[String]),
                (kind_b, values_b): (&str, &[String]),
            ) -> Result<Vec<Uuid>, StoreError> {
                if values_a.is_empty() || values_b.is_empty() || values_a.len() + values_b.len() > CHUNK {
                    let mut out = self.lookup(scope, kind_a, values_a).await?;
                    out.extend(self.lookup(scope, kind_b, values_b).await?);
                    out.sort_unstable();
                    out.dedup();
                    return Ok(out);
                }
                // UNION ALL of two ranges of the (controller, kind, value) key, sorted here: an OR,
                // or an ORDER BY in SQL, made SQLite's planner scan the controller's lookup rows
                // by visitor instead (25-35 ms instead of 3 ms at 1M messages).
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                for (n, (kind, values)) in [(kind_a, values_a), (kind_b, values_b)].into_iter().enumerate() {
                    if n > 0 {
                        qb.push(" UNION ALL ");
                    }
                    qb.push("SELECT visitor FROM gdpr_chat_lookup WHERE controller = ").push_bind(scope);
                    qb.push(" AND kind = ").push_bind(kind.to_owned()).push(" AND value IN (");
                    let mut list = qb.separated(", ");
                    for v in values {
                        list.push_bind(v.clone());
                    }
                    list.push_unseparated(")");
                }
                let found: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut **self).await.map_err($error)?;
                Ok(found.into_iter().collect::<BTreeSet<_>>().into_iter().collect())
            }

            async fn visitors(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, String)>, StoreError> {
                select_in(self, "SELECT visitor, body FROM gdpr_chat_visitors WHERE controller = ", "visitor", scope, ids)
                    .await
            }

            async fn conversations_of(&mut self, scope: Uuid, visitors: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
                let mut out = BTreeSet::new();
                for (table, column) in [("gdpr_chat_participants", "visitor"), ("gdpr_chat_messages", "author")] {
                    let select = format!("SELECT DISTINCT conversation FROM {table} WHERE controller = ");
                    let found: Vec<(Uuid,)> = select_in(self, &select, column, scope, Ids::These(visitors)).await?;
                    out.extend(found.into_iter().map(|(c,)| c));
                }
                Ok(out.into_iter().collect())
            }

            async fn conversations(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, String)>, StoreError> {
                let select = "SELECT conversation, body FROM gdpr_chat_conversations WHERE controller = ";
                select_in(self, select, "conversation", scope, ids).await
            }

            async fn participants(
                &mut self,
                scope: Uuid,
                ids: Ids<'_>,
            ) -> Result<Vec<(Uuid, Uuid, String)>, StoreError> {
                let select = "SELECT conversation, visitor, joined_at FROM gdpr_chat_participants WHERE controller = ";
                select_in(self, select, "conversation", scope, ids).await
            }

            async fn messages(&mut self, scope: Uuid, ids: Ids<'_>) -> Result<Vec<(Uuid, Uuid, String)>, StoreError> {
                let select = "SELECT conversation, message, body FROM gdpr_chat_messages WHERE controller = ";
                select_in(self, select, "conversation", scope, ids).await
            }

            async fn conversation_rows(
                &mut self,
                scope: Uuid,
                ids: &[Uuid],
            ) -> Result<ConversationRows, StoreError> {
                $conversation_rows(self, scope, ids).await
            }

            async fn participations(
                &mut self,
                scope: Uuid,
                visitors: &[Uuid],
            ) -> Result<Vec<(Uuid, String)>, StoreError> {
                let select = "SELECT p.visitor, c.body FROM gdpr_chat_participants p JOIN gdpr_chat_conversations c \
                     ON c.controller = p.controller AND c.conversation = p.conversation WHERE p.controller = ";
                select_in(self, select, "p.visitor", scope, Ids::These(visitors)).await
            }

            async fn put_visitor(
                &mut self,
                scope: Uuid,
                id: Uuid,
                body: &str,
                lookups: &[(&'static str, String)],
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO gdpr_chat_visitors (controller, visitor, body) VALUES ($1, $2, $3) \
                     ON CONFLICT (controller, visitor) DO UPDATE SET body = excluded.body",
                )
                .bind(scope)
                .bind(id)
                .bind(body)
                .execute(&mut **self)
                .await
                .map_err($error)?;
                sqlx::query("DELETE FROM gdpr_chat_lookup WHERE controller = $1 AND visitor = $2")
                    .bind(scope)
                    .bind(id)
                    .execute(&mut **self)
                    .await
                    .map_err($error)?;
                for chunk in lookups.chunks(CHUNK / 4) {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) ");
                    qb.push_values(chunk, |mut row, (kind, value)| {
                        row.push_bind(scope).push_bind(*kind).push_bind(value.clone()).push_bind(id);
                    });
                    qb.build().execute(&mut **self).await.map_err($error)?;
                }
                Ok(())
            }

            async fn put_conversation(&mut self, scope: Uuid, id: Uuid, body: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO gdpr_chat_conversations (controller, conversation, body) VALUES ($1, $2, $3) \
                     ON CONFLICT (controller, conversation) DO UPDATE SET body = excluded.body",
                )
                .bind(scope)
                .bind(id)
                .bind(body)
                .execute(&mut **self)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn delete_conversation(&mut self, scope: Uuid, id: Uuid) -> Result<(), StoreError> {
                for table in ["gdpr_chat_messages", "gdpr_chat_participants", "gdpr_chat_conversations"] {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(format!("DELETE FROM {table} WHERE controller = "));
                    qb.push_bind(scope).push(" AND conversation = ").push_bind(id);
                    qb.build().execute(&mut **self).await.map_err($error)?;
                }
                Ok(())
            }

            async fn put_participant(
                &mut self,
                scope: Uuid,
                c: Uuid,
                v: Uuid,
                joined_at: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO gdpr_chat_participants (controller, conversation, visitor, joined_at) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (controller, conversation, visitor) DO UPDATE SET joined_at = excluded.joined_at",
                )
                .bind(scope)
                .bind(c)
                .bind(v)
                .bind(joined_at)
                .execute(&mut **self)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn delete_participant(&mut self, scope: Uuid, c: Uuid, v: Uuid) -> Result<(), StoreError> {
                sqlx::query(
                    "DELETE FROM gdpr_chat_participants WHERE controller = $1 AND conversation = $2 AND visitor = $3",
                )
                .bind(scope)
                .bind(c)
                .bind(v)
                .execute(&mut **self)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn put_message(
                &mut self,
                scope: Uuid,
                c: Uuid,
                m: Uuid,
                author: Option<Uuid>,
                body: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO gdpr_chat_messages (controller, conversation, message, author, body) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (controller, conversation, message) \
                     DO UPDATE SET author = excluded.author, body = excluded.body",
                )
                .bind(scope)
                .bind(c)
                .bind(m)
                .bind(author)
                .bind(body)
                .execute(&mut **self)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn delete_messages(&mut self, scope: Uuid, c: Uuid, messages: &[Uuid]) -> Result<(), StoreError> {
                let ids = Ids::These(messages);
                for at in ids.chunks() {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("DELETE FROM gdpr_chat_messages WHERE controller = ");
                    qb.push_bind(scope).push(" AND conversation = ").push_bind(c);
                    push_filter(ids, &mut qb, "message", at);
                    qb.build().execute(&mut **self).await.map_err($error)?;
                }
                Ok(())
            }

            async fn ids_from(
                &mut self,
                scope: Uuid,
                table: Table,
                from: Uuid,
                limit: usize,
            ) -> Result<Vec<Uuid>, StoreError> {
                let (table, column) = table.name();
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT {column} FROM {table} WHERE controller = "));
                qb.push_bind(scope).push(format_args!(" AND {column} >= ")).push_bind(from);
                qb.push(format_args!(" ORDER BY {column} LIMIT ")).push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
                qb.build_query_scalar().fetch_all(&mut **self).await.map_err($error)
            }

            async fn commit(self: Box<Self>) -> Result<(), StoreError> {
                (*self).commit().await.map_err($error)
            }
        }
    };
}

#[cfg(feature = "sqlite")]
mod sqlite_tx {
    use super::*;
    impl_tx!(sqlx::Sqlite, sqlite_error, conversation_rows_apart);
}

#[cfg(feature = "postgres")]
mod postgres_tx {
    use super::*;
    impl_tx!(sqlx::Postgres, crate::store::postgres::error, conversation_rows_postgres);
}

/// A partial [`ScopeData`] and what was already asked for.
struct Loader {
    scope: Uuid,
    what: String,
    sd: ScopeData,
    visitors: BTreeSet<VisitorId>,
    conversations: BTreeSet<ConversationId>,
}

impl Loader {
    fn new(scope: Scope) -> Self {
        Loader {
            scope: scope.party().as_uuid(),
            what: format!("chat history of {scope}"),
            sd: ScopeData::default(),
            visitors: BTreeSet::new(),
            conversations: BTreeSet::new(),
        }
    }

    async fn need(&mut self, tx: &mut dyn Tx, need: Need<'_>) -> Result<(), StoreError> {
        match need {
            Need::Holders(given) => {
                let norms: Vec<String> = given.iter().map(|i| i.normalised()).collect();
                let ids = tx.lookup(self.scope, BY_IDENTIFIER, &norms).await?;
                self.visitors(tx, Ids::These(&ids)).await
            }
            Need::Subject(given, keys) => {
                let (ids, conversations) = self.subject(tx, given, keys).await?;
                self.around(tx, &ids, &conversations).await
            }
            Need::Records(keys) => {
                let (mut visitors, mut conversations) = (Vec::new(), Vec::new());
                for rec in keys.iter().filter_map(|k| Rec::parse(k)) {
                    match rec {
                        Rec::Profile(v) | Rec::Ip(v, _) => visitors.push(v.as_uuid()),
                        Rec::Participation(c, v) => {
                            visitors.push(v.as_uuid());
                            conversations.push(c.as_uuid());
                        }
                        Rec::Message(c, _) => conversations.push(c.as_uuid()),
                    }
                }
                self.visitors(tx, Ids::These(&visitors)).await?;
                self.conversations(tx, &conversations).await
            }
            Need::Visitors(ids) => {
                let ids: Vec<Uuid> = ids.iter().map(VisitorId::as_uuid).collect();
                self.visitors(tx, Ids::These(&ids)).await
            }
            Need::Conversation(c) => self.conversations(tx, &[c.as_uuid()]).await,
            Need::ConversationsAfter(after, limit) => {
                let from = match after.map(|c| id_after(c.as_uuid())) {
                    None => Uuid::nil(),
                    Some(Some(next)) => next,
                    // After the greatest id there is none.
                    Some(None) => return Ok(()),
                };
                let ids = tx.ids_from(self.scope, Table::Conversations, from, limit.get()).await?;
                self.conversations(tx, &ids).await
            }
            Need::Header(c, visitor) => {
                if let Some(v) = visitor {
                    self.visitors(tx, Ids::These(&[v.as_uuid()])).await?;
                }
                self.header(tx, c).await
            }
            Need::Scope => {
                self.visitors(tx, Ids::All).await?;
                let all: Vec<Uuid> =
                    tx.conversations(self.scope, Ids::All).await?.into_iter().map(|(id, _)| id).collect();
                self.conversations(tx, &all).await
            }
        }
    }

    /// Loads the visitors any of `given` matches in clear, or any of `keys` after an erasure,
    /// and returns their ids and those of their conversations (by participation, by
    /// authorship, or by a record an erasure retained), in order, without loading these.
    async fn subject(
        &mut self,
        tx: &mut dyn Tx,
        given: &[SubjectIdentifier],
        keys: &[SubjectKey],
    ) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
        let norms: Vec<String> = given.iter().map(|i| i.normalised()).collect();
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let ids = tx.lookup_either(self.scope, (BY_IDENTIFIER, &norms), (BY_KEY, &keys)).await?;
        self.visitors(tx, Ids::These(&ids)).await?;
        let mut conversations: BTreeSet<Uuid> = tx.conversations_of(self.scope, &ids).await?.into_iter().collect();
        for id in &ids {
            let Some(v) = self.sd.visitors.get(&VisitorId::from_uuid(*id)) else { continue };
            for rec in v.erased.iter().flat_map(|t| t.retained.values()) {
                if let Rec::Participation(c, _) | Rec::Message(c, _) = rec {
                    conversations.insert(c.as_uuid());
                }
            }
        }
        Ok((ids, conversations.into_iter().collect()))
    }

    /// Loads the subject's visitors `ids`, the `conversations` named, and every other visitor
    /// one of whose identifiers may occur in their texts or in the subject's statements.
    async fn around(&mut self, tx: &mut dyn Tx, ids: &[Uuid], conversations: &[Uuid]) -> Result<(), StoreError> {
        self.visitors(tx, Ids::These(ids)).await?;
        let mut texts: BTreeSet<String> = BTreeSet::new();
        for id in ids {
            let Some(v) = self.sd.visitors.get(&VisitorId::from_uuid(*id)) else { continue };
            for s in v.profile.iter().flat_map(|p| &p.statements) {
                texts.extend(word_runs(s.as_str()));
            }
        }
        self.conversations(tx, conversations).await?;
        for c in conversations.iter().filter_map(|c| self.sd.conversations.get(&ConversationId::from_uuid(*c))) {
            for m in c.messages.values() {
                m.texts().for_each(|t| texts.extend(word_runs(t)));
            }
        }
        let texts: Vec<String> = texts.into_iter().collect();
        let mentioned = tx.lookup(self.scope, BY_WORD, &texts).await?;
        self.visitors(tx, Ids::These(&mentioned)).await
    }

    /// Loads visitors not asked for yet.
    async fn visitors(&mut self, tx: &mut dyn Tx, ids: Ids<'_>) -> Result<(), StoreError> {
        let fresh: Vec<Uuid>;
        let ids = match ids {
            Ids::All => Ids::All,
            Ids::These(ids) => {
                fresh = ids.iter().copied().filter(|id| self.visitors.insert(VisitorId::from_uuid(*id))).collect();
                if fresh.is_empty() {
                    return Ok(());
                }
                Ids::These(&fresh)
            }
        };
        for (id, body) in tx.visitors(self.scope, ids).await? {
            let id = VisitorId::from_uuid(id);
            self.visitors.insert(id);
            let visitor: Visitor = decode(&self.what, &format!("visitor {id}"), &body)?;
            self.sd.visitors.insert(id, visitor);
        }
        Ok(())
    }

    /// Loads conversations not asked for yet, with their participants and messages, and the
    /// visitors the in-memory code reads about them: participants, authors, and those whose
    /// erasure retained one of their messages (for restriction, Art. 18(2)).
    async fn conversations(&mut self, tx: &mut dyn Tx, ids: &[Uuid]) -> Result<(), StoreError> {
        let fresh: Vec<Uuid> =
            ids.iter().copied().filter(|id| self.conversations.insert(ConversationId::from_uuid(*id))).collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let rows = tx.conversation_rows(self.scope, &fresh).await?;
        let mut loaded = BTreeMap::new();
        for (id, body) in rows.headers {
            let id = ConversationId::from_uuid(id);
            let header: Header = decode(&self.what, &format!("conversation {id}"), &body)?;
            let c = Conversation {
                started_at: header.started_at,
                participants: BTreeMap::new(),
                messages: BTreeMap::new(),
                floor: None,
            };
            loaded.insert(id, c);
        }
        let mut involved: BTreeSet<Uuid> = BTreeSet::new();
        for (c, v, at) in rows.participants {
            let (c, v) = (ConversationId::from_uuid(c), VisitorId::from_uuid(v));
            let at: DateTime<Utc> = decode(&self.what, &format!("participant {v} of conversation {c}"), &at)?;
            if let Some(conversation) = loaded.get_mut(&c) {
                conversation.participants.insert(v, at);
                involved.insert(v.as_uuid());
            }
        }
        for (c, m, body) in rows.messages {
            let (c, m) = (ConversationId::from_uuid(c), MessageId::from_uuid(m));
            let message: StoredMessage = decode(&self.what, &format!("message {m}"), &body)?;
            if let Author::Visitor(v) = message.author {
                involved.insert(v.as_uuid());
            }
            if let Some(conversation) = loaded.get_mut(&c) {
                conversation.messages.insert(m, message);
            }
        }
        self.sd.conversations.extend(loaded);
        involved.extend(rows.retained);
        let involved: Vec<Uuid> = involved.into_iter().collect();
        self.visitors(tx, Ids::These(&involved)).await
    }

    /// Loads a conversation's header and participants, without its messages.
    async fn header(&mut self, tx: &mut dyn Tx, c: ConversationId) -> Result<(), StoreError> {
        let ids = [c.as_uuid()];
        let Some((_, body)) = tx.conversations(self.scope, Ids::These(&ids)).await?.into_iter().next() else {
            return Ok(());
        };
        let header: Header = decode(&self.what, &format!("conversation {c}"), &body)?;
        let mut participants = BTreeMap::new();
        for (_, v, at) in tx.participants(self.scope, Ids::These(&ids)).await? {
            let v = VisitorId::from_uuid(v);
            participants.insert(v, decode(&self.what, &format!("participant {v} of conversation {c}"), &at)?);
        }
        let conversation = Conversation {
            started_at: header.started_at,
            participants,
            messages: BTreeMap::new(),
            floor: Some(header.last_at),
        };
        self.sd.conversations.insert(c, conversation);
        Ok(())
    }
}

/// The last contact of each visitor in any of their conversations, from the conversations'
/// headers (Art. 5(1)(e) periods that run from the last contact).
async fn contacts(tx: &mut dyn Tx, scope: Scope, visitors: &[VisitorId]) -> Result<Contacts, StoreError> {
    let what = format!("chat history of {scope}");
    let ids: Vec<Uuid> = visitors.iter().map(VisitorId::as_uuid).collect();
    let mut out: Contacts = HashMap::new();
    for (v, body) in tx.participations(scope.party().as_uuid(), &ids).await? {
        let v = VisitorId::from_uuid(v);
        let header: Header = decode(&what, &format!("a conversation of visitor {v}"), &body)?;
        out.entry(v).and_modify(|at| *at = (*at).max(header.last_at)).or_insert(header.last_at);
    }
    Ok(out)
}

/// Writes what changed between `before` and `after` (the same rows, before and after the
/// in-memory code ran over them). Visitors are never removed (an erased one keeps its
/// tombstone); a conversation that is gone is deleted with its rows.
async fn write_changes(tx: &mut dyn Tx, scope: Scope, before: &ScopeData, after: &ScopeData) -> Result<(), StoreError> {
    let id = scope.party().as_uuid();
    for (v, visitor) in &after.visitors {
        if before.visitors.get(v) != Some(visitor) {
            let body = encode(&format!("visitor {v}"), visitor)?;
            tx.put_visitor(id, v.as_uuid(), &body, &lookups(visitor)).await?;
        }
    }
    for c in before.conversations.keys().filter(|c| !after.conversations.contains_key(c)) {
        tx.delete_conversation(id, c.as_uuid()).await?;
    }
    for (c, conversation) in &after.conversations {
        let old = before.conversations.get(c);
        if old == Some(conversation) {
            continue;
        }
        let header = Header { started_at: conversation.started_at, last_at: conversation.last() };
        let old_header = old.map(|o| Header { started_at: o.started_at, last_at: o.last() });
        if old_header.as_ref() != Some(&header) {
            tx.put_conversation(id, c.as_uuid(), &encode(&format!("conversation {c}"), &header)?).await?;
        }
        let no_participants = BTreeMap::new();
        let no_messages = BTreeMap::new();
        let old_participants = old.map_or(&no_participants, |o| &o.participants);
        let old_messages = old.map_or(&no_messages, |o| &o.messages);
        for v in old_participants.keys().filter(|v| !conversation.participants.contains_key(v)) {
            tx.delete_participant(id, c.as_uuid(), v.as_uuid()).await?;
        }
        for (v, at) in &conversation.participants {
            if old_participants.get(v) != Some(at) {
                let at = encode(&format!("participant {v}"), at)?;
                tx.put_participant(id, c.as_uuid(), v.as_uuid(), &at).await?;
            }
        }
        let gone: Vec<Uuid> =
            old_messages.keys().filter(|m| !conversation.messages.contains_key(m)).map(MessageId::as_uuid).collect();
        if !gone.is_empty() {
            tx.delete_messages(id, c.as_uuid(), &gone).await?;
        }
        for (m, message) in &conversation.messages {
            if old_messages.get(m) != Some(message) {
                let author = match message.author {
                    Author::Visitor(v) => Some(v.as_uuid()),
                    _ => None,
                };
                let body = encode(&format!("message {m}"), message)?;
                tx.put_message(id, c.as_uuid(), m.as_uuid(), author, &body).await?;
            }
        }
    }
    Ok(())
}

/// The lookup rows of a visitor: what finds them.
fn lookups(visitor: &Visitor) -> Vec<(&'static str, String)> {
    let mut rows = BTreeSet::new();
    for identifier in visitor.identifiers() {
        rows.insert((BY_IDENTIFIER, identifier.normalised()));
        if let Some(key) = Needle::of(&identifier).index_key() {
            rows.insert((BY_WORD, key));
        }
    }
    if let Some(t) = &visitor.erased {
        rows.extend(t.keys.iter().map(|k| (BY_KEY, k.to_string())));
        rows.extend(t.retained.keys().map(|k| (BY_RETAINED, k.clone())));
    }
    rows.into_iter().collect()
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid { what: what.to_owned(), reason: e.to_string() })
}

fn decode<T: for<'de> Deserialize<'de>>(db: &str, what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("{what} in the {db}"), e))
}
