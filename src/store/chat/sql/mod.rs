//! `ChatHistory` in a database (features `sqlite` and `postgres`): one set of semantics.
//!
//! An operation names what it reads ([`Need`]); [`Loader`] reads those rows, and the rows the
//! in-memory code reads around them, into a partial [`ScopeData`]; the in-memory code runs over
//! it unchanged; and [`write_changes`] writes back what it changed, all in one transaction per
//! call. So a durable `ChatHistory` finds, exports, plans and erases exactly as the in-memory
//! reference does, and an erasure is atomic per call.
//!
//! What the in-memory code reads around a subject, and how it is found by index:
//! - the subject's visitors: by the normalised form of a strong identifier, or by the keyed
//!   hash an erasure left (names and IP addresses select nobody);
//! - their conversations: by participation, by authorship, or by a record an erasure retained,
//!   each with its participants and messages;
//! - every visitor those conversations involve (participants, authors, and those whose erasure
//!   retained one of their messages), for restriction;
//! - every other visitor one of whose identifiers may occur in those texts: by the identifier's
//!   index key, looked up with every key of the texts. For names, e-mail addresses and tokens
//!   the key is the first three words of the identifier's canonical form, and a text's keys
//!   are its runs of up to three consecutive words in NFC (one word found a good part of the
//!   history in any text with a number in it); a telephone number's key is `tel:` and its
//!   national significant number, found by every digit suffix of a text's phone-like runs; an
//!   IP address's key is `ip:` and its canonical form, found by every address a text holds.
//!   Redaction only ever changes a text where an identifier occurs, so the visitors it does
//!   not load cannot change a result;
//! - for an export, the names of every agent of the scope (`gdpr_chat_agents`, one range of
//!   its key), redacted wherever they occur.
//!
//! Two reads go a page at a time in one read transaction, so that memory and work follow the
//! page: the export of a subject ([`Engine::subject_pages`]) and the sweep's listing of what
//! has expired ([`Engine::expired`]). Only the listing of every conversation reads the whole
//! scope.

mod diff;
mod load;
mod tx;

use std::num::NonZeroUsize;

use uuid::Uuid;

use std::collections::BTreeSet;

use self::diff::write_changes;
use self::load::{Loader, contacts};
use self::tx::{Ids, Named, Table, Tx, id_after};
use super::records::Rec;
use super::{Contacts, ConversationId, Need, ScopeData, VisitorId};
use crate::erasure::{RecordKey, RecordOutcome};
use crate::model::SubjectIdentifier;
use crate::store::sql::Naming;
use crate::store::{FoundRecord, Scope, StoreError, SubjectKey};

/// The kinds of rows of `gdpr_chat_lookup` (`word` holds an identifier's
/// [index key](Needle::index_key): its first three words, `tel:` and a national significant
/// number, or `ip:` and an address).
const BY_IDENTIFIER: &str = "id";
const BY_WORD: &str = "word";
const BY_KEY: &str = "key";
const BY_RETAINED: &str = "retained";

/// The lookup rows of kinds `id` and `word` of a stored visitor body (`what` names it in
/// errors): what the schema version 4 migration writes in place of the rows an older version
/// of the crate derived (identifiers and index keys before one canonical form per kind).
pub(crate) fn rebuilt_lookups(what: &str, body: &str) -> Result<Vec<(&'static str, String)>, StoreError> {
    let visitor: super::Visitor = diff::decode("database", what, body)?;
    Ok(diff::lookups(&visitor).into_iter().filter(|(kind, _)| [BY_IDENTIFIER, BY_WORD].contains(kind)).collect())
}

/// How many values one `IN (...)` list binds.
const CHUNK: usize = 500;

/// A database holding chat histories, and where its tables are.
#[derive(Clone)]
pub(super) enum Engine {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool, Naming),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool, Naming),
}

impl Engine {
    /// The chat history in the database of `store`, once its chat tables are applied (or, if
    /// the store only verifies its schema, found current).
    #[cfg(feature = "sqlite")]
    pub(super) async fn sqlite(store: &crate::store::sqlite::SqliteStore) -> Result<Self, StoreError> {
        use crate::store::sql::ledger::Engine as _;
        store.chat_schema().await?;
        Ok(Engine::Sqlite(store.pool().clone(), store.naming().clone()))
    }

    /// The chat history in the database of `store`, once its chat tables are applied (or, if
    /// the store only verifies its schema, found current).
    #[cfg(feature = "postgres")]
    pub(super) async fn postgres(store: &crate::store::postgres::PostgresStore) -> Result<Self, StoreError> {
        use crate::store::sql::ledger::Engine as _;
        store.chat_schema().await?;
        Ok(Engine::Postgres(store.pool().clone(), store.naming().clone()))
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite(..) => "sqlite",
            #[cfg(feature = "postgres")]
            Engine::Postgres(..) => "postgres",
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
            Engine::Sqlite(pool, naming) => {
                let tx = if write { pool.begin_with("BEGIN IMMEDIATE").await } else { pool.begin().await }
                    .map_err(sqlite_error)?;
                Ok(Box::new(Named { tx, naming: naming.clone() }))
            }
            #[cfg(feature = "postgres")]
            Engine::Postgres(pool, naming) => {
                use crate::store::postgres::error;
                if write {
                    let mut tx = pool.begin().await.map_err(error)?;
                    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                        .bind(CHAT_LOCK_CLASS)
                        .bind(lock_key(scope))
                        .execute(&mut *tx)
                        .await
                        .map_err(error)?;
                    Ok(Box::new(Named { tx, naming: naming.clone() }))
                } else {
                    let tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(error)?;
                    Ok(Box::new(Named { tx, naming: naming.clone() }))
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

    /// After a committed write that removed personal data: removes it from the database's
    /// files too where the engine can at once (Art. 17). SQLite, whose connections overwrite
    /// deleted rows with zeros (`secure_delete`), checkpoints and truncates its write-ahead
    /// log, which still holds the pages as they were; PostgreSQL keeps deleted rows in dead
    /// tuples until `VACUUM` (`PostgresStore::vacuum_erased`), so nothing is done here.
    pub(super) async fn purge(&self) -> Result<(), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Engine::Sqlite(pool, _) => crate::store::sqlite::truncate_wal(pool).await,
            #[cfg(feature = "postgres")]
            Engine::Postgres(..) => Ok(()),
        }
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
            let ids = tx.ids_from(scope.controller().as_uuid(), table, from, size).await?;
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
    /// One batch of the retention sweep `sweep` in one write transaction (Art. 5(1)(e)): the
    /// receipt of the sweep's last batch when it was asked with the same cursor `after`;
    /// otherwise the expired records after `after` are listed page by page as
    /// [`expired`](Self::expired) lists them (`list`), the pages that hold one are kept, and
    /// `erase` erases them on that same data, so that holds and restrictions are decided on
    /// what is changed, in the transaction that changes it. What changed is written back, with
    /// the batch's receipt. `None` when `after` is not one of this source's keys (the caller
    /// then lists and erases in two passes).
    #[expect(clippy::too_many_arguments, reason = "the batch's own arguments, and the two steps run over the rows")]
    pub(super) async fn sweep(
        &self,
        scope: Scope,
        sweep: Uuid,
        after: Option<&str>,
        limit: usize,
        page: NonZeroUsize,
        list: impl Fn(&ScopeData, &Contacts, Part, usize) -> Vec<RecordKey> + Send + Sync,
        erase: impl FnOnce(&mut ScopeData, &[RecordKey]) -> Vec<RecordOutcome> + Send,
    ) -> Result<Option<Vec<RecordOutcome>>, StoreError> {
        let (mut table, mut from) = match after.map(Rec::parse) {
            None => (Table::Conversations, Uuid::nil()),
            Some(Some(Rec::Participation(c, _) | Rec::Message(c, _))) => (Table::Conversations, c.as_uuid()),
            Some(Some(Rec::Profile(v) | Rec::Ip(v, _))) => (Table::Visitors, v.as_uuid()),
            Some(None) => return Ok(None),
        };
        let controller = scope.controller().as_uuid();
        let cursor = after.unwrap_or_default();
        let mut tx = self.begin(scope, true).await?;
        if let Some((from_key, outcomes)) = tx.receipt(controller, sweep).await?
            && from_key == cursor
        {
            let outcomes = diff::decode("database", &format!("receipt of sweep {sweep}"), &outcomes)?;
            tx.commit().await?;
            return Ok(Some(outcomes));
        }
        let mut listed: Vec<RecordKey> = Vec::new();
        let mut kept = ScopeData::default();
        let mut size = page.get().div_ceil(8);
        while listed.len() < limit {
            let ids = tx.ids_from(controller, table, from, size).await?;
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
            let found = list(&load.sd, &contacts, part, limit - listed.len());
            if !found.is_empty() {
                // What erasing these needs: their conversations, and the visitors the page read
                // around them (participants, authors, restrictions, texts to redact).
                let holding: BTreeSet<ConversationId> = found
                    .iter()
                    .filter_map(|k| match Rec::parse(k.as_str()) {
                        Some(Rec::Participation(c, _) | Rec::Message(c, _)) => Some(c),
                        _ => None,
                    })
                    .collect();
                let mut sd = load.sd;
                kept.conversations.extend(sd.conversations.extract_if(.., |c, _| holding.contains(c)));
                kept.visitors.append(&mut sd.visitors);
                listed.extend(found);
            }
            let next = ids.last().and_then(|last| id_after(*last));
            match (next, table) {
                (Some(next), _) if ids.len() == size => from = next,
                (_, Table::Conversations) => (table, from) = (Table::Visitors, Uuid::nil()),
                (_, Table::Visitors) => break,
            }
            size = (size * 2).min(page.get());
        }
        let outcomes = if listed.is_empty() {
            tx.put_receipt(controller, sweep, None).await?;
            Vec::new()
        } else {
            let before = kept.clone();
            let outcomes = erase(&mut kept, &listed);
            write_changes(&mut *tx, scope, &before, &kept).await?;
            let body = serde_json::to_string(&outcomes).map_err(|e| StoreError::Invalid {
                what: format!("receipt of sweep {sweep}"),
                reason: e.to_string(),
            })?;
            tx.put_receipt(controller, sweep, Some((cursor, &body))).await?;
            outcomes
        };
        tx.commit().await?;
        Ok(Some(outcomes))
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
    let bytes = scope.controller().as_uuid().into_bytes();
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
