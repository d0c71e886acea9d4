//! The rows of a chat history, read and written in one transaction: the [`Tx`] trait, its
//! implementation per engine from one SQL text (`impl_tx!`), the id lists and keyset pages
//! it reads by, and PostgreSQL's one-query read of a page of conversations.

use std::collections::BTreeSet;

use async_trait::async_trait;
use uuid::Uuid;

#[cfg(feature = "sqlite")]
use super::sqlite_error;
use super::{BY_RETAINED, CHUNK};
use crate::store::StoreError;
#[cfg(feature = "sqlite")]
use crate::store::chat::records::Rec;
#[cfg(feature = "sqlite")]
use crate::store::chat::{ConversationId, MessageId};
use crate::store::sql::Naming;

/// A transaction of the chat history's database, and where its tables are: every statement
/// is written with the default names and renamed by `naming`.
pub(super) struct Named<T> {
    pub(super) tx: T,
    pub(super) naming: Naming,
}

/// Which rows of a table: all of the scope's, or those of some ids.
#[derive(Clone, Copy)]
pub(super) enum Ids<'a> {
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
pub(super) enum Table {
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
pub(super) fn id_after(id: Uuid) -> Option<Uuid> {
    id.as_u128().checked_add(1).map(Uuid::from_u128)
}

/// What [`Tx::conversation_rows`] reads of some conversations.
#[derive(Default)]
pub(super) struct ConversationRows {
    /// (conversation, header)
    pub(super) headers: Vec<(Uuid, String)>,
    /// (conversation, visitor, joined at)
    pub(super) participants: Vec<(Uuid, Uuid, String)>,
    /// (conversation, message, body)
    pub(super) messages: Vec<(Uuid, Uuid, String)>,
    /// The visitors whose erasure retained one of these messages.
    pub(super) retained: Vec<Uuid>,
}

/// [`Tx::conversation_rows`] a query at a time: four round trips, cheap on an embedded engine.
#[cfg(feature = "sqlite")]
async fn conversation_rows_apart(tx: &mut dyn Tx, scope: Uuid, ids: &[Uuid]) -> Result<ConversationRows, StoreError> {
    let headers = tx.conversations(scope, Ids::These(ids)).await?;
    let participants = tx.participants(scope, Ids::These(ids)).await?;
    let messages = tx.messages(scope, Ids::These(ids)).await?;
    let keys: Vec<String> = messages
        .iter()
        .map(|(c, m, _)| Rec::Message(ConversationId::from_uuid(*c), MessageId::from_uuid(*m)).key().into())
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
    tx: &mut Named<sqlx::Transaction<'static, sqlx::Postgres>>,
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
    let rows: Vec<Row> = sqlx::query_as(tx.naming.sql(SQL))
        .bind(scope)
        .bind(ids)
        .bind(BY_RETAINED)
        .fetch_all(&mut *tx.tx)
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
pub(super) trait Tx: Send {
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
    #[cfg_attr(not(feature = "sqlite"), expect(dead_code, reason = "PostgreSQL reads messages in conversation_rows"))]
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
    /// Writes conversations' headers, a chunk of rows per statement.
    async fn put_conversations(&mut self, scope: Uuid, headers: &[(Uuid, String)]) -> Result<(), StoreError>;
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
    /// Deletes these (conversation, message) rows, a chunk of rows per statement.
    async fn delete_message_set(&mut self, scope: Uuid, messages: &[(Uuid, Uuid)]) -> Result<(), StoreError>;
    /// The names of every agent of the scope: one range of `gdpr_chat_agents`' key.
    async fn agents(&mut self, scope: Uuid) -> Result<Vec<String>, StoreError>;
    /// Adds agents' names to the scope's (a name already there stays as it is).
    async fn put_agents(&mut self, scope: Uuid, names: &[&str]) -> Result<(), StoreError>;
    /// At most `limit` ids of a table's rows (conversations or visitors) from `from` on, in order.
    async fn ids_from(&mut self, scope: Uuid, table: Table, from: Uuid, limit: usize) -> Result<Vec<Uuid>, StoreError>;
    /// The receipt of a sweep's last batch: its cursor and its outcomes (JSON).
    async fn receipt(&mut self, scope: Uuid, sweep: Uuid) -> Result<Option<(String, String)>, StoreError>;
    /// Keeps the receipt of a sweep's last batch (`None`: the sweep found nothing more, its
    /// receipt goes).
    async fn put_receipt(&mut self, scope: Uuid, sweep: Uuid, receipt: Option<(&str, &str)>) -> Result<(), StoreError>;
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
            tx: &mut Named<sqlx::Transaction<'static, $db>>,
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
                let mut qb = sqlx::QueryBuilder::<$db>::new(tx.naming.rewrite(select));
                qb.push_bind(scope);
                push_filter(ids, &mut qb, column, at);
                out.extend(qb.build_query_as::<T>().fetch_all(&mut *tx.tx).await.map_err($error)?);
            }
            Ok(out)
        }

        #[async_trait]
        impl Tx for Named<sqlx::Transaction<'static, $db>> {
            async fn lookup(&mut self, scope: Uuid, kind: &str, values: &[String]) -> Result<Vec<Uuid>, StoreError> {
                let mut out = BTreeSet::new();
                for chunk in values.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite("SELECT visitor FROM gdpr_chat_lookup WHERE controller = "));
                    qb.push_bind(scope).push(" AND kind = ").push_bind(kind.to_owned()).push(" AND value IN (");
                    let mut list = qb.separated(", ");
                    for v in chunk {
                        list.push_bind(v.clone());
                    }
                    list.push_unseparated(")");
                    let ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *self.tx).await.map_err($error)?;
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
                let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite(""));
                for (n, (kind, values)) in [(kind_a, values_a), (kind_b, values_b)].into_iter().enumerate() {
                    if n > 0 {
                        qb.push(" UNION ALL ");
                    }
                    qb.push(self.naming.rewrite("SELECT visitor FROM gdpr_chat_lookup WHERE controller = ")).push_bind(scope);
                    qb.push(" AND kind = ").push_bind(kind.to_owned()).push(" AND value IN (");
                    let mut list = qb.separated(", ");
                    for v in values {
                        list.push_bind(v.clone());
                    }
                    list.push_unseparated(")");
                }
                let found: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *self.tx).await.map_err($error)?;
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
                    self.naming.sql("INSERT INTO gdpr_chat_visitors (controller, visitor, body) VALUES ($1, $2, $3) \
                     ON CONFLICT (controller, visitor) DO UPDATE SET body = excluded.body"),
                )
                .bind(scope)
                .bind(id)
                .bind(body)
                .execute(&mut *self.tx)
                .await
                .map_err($error)?;
                sqlx::query(self.naming.sql("DELETE FROM gdpr_chat_lookup WHERE controller = $1 AND visitor = $2"))
                    .bind(scope)
                    .bind(id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err($error)?;
                for chunk in lookups.chunks(CHUNK / 4) {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new(self.naming.rewrite("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) "));
                    qb.push_values(chunk, |mut row, (kind, value)| {
                        row.push_bind(scope).push_bind(*kind).push_bind(value.clone()).push_bind(id);
                    });
                    qb.build().execute(&mut *self.tx).await.map_err($error)?;
                }
                Ok(())
            }

            async fn put_conversations(&mut self, scope: Uuid, headers: &[(Uuid, String)]) -> Result<(), StoreError> {
                for chunk in headers.chunks(CHUNK / 3) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        self.naming.rewrite("INSERT INTO gdpr_chat_conversations (controller, conversation, body) "),
                    );
                    qb.push_values(chunk, |mut row, (id, body)| {
                        row.push_bind(scope).push_bind(*id).push_bind(body.clone());
                    });
                    qb.push(" ON CONFLICT (controller, conversation) DO UPDATE SET body = excluded.body");
                    qb.build().execute(&mut *self.tx).await.map_err($error)?;
                }
                Ok(())
            }

            async fn delete_message_set(&mut self, scope: Uuid, messages: &[(Uuid, Uuid)]) -> Result<(), StoreError> {
                for chunk in messages.chunks(CHUNK / 2) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite("DELETE FROM gdpr_chat_messages WHERE controller = "));
                    qb.push_bind(scope).push(" AND (conversation, message) IN (VALUES ");
                    let mut list = qb.separated(", ");
                    for (c, m) in chunk {
                        list.push("(").push_bind_unseparated(*c).push_unseparated(", ").push_bind_unseparated(*m).push_unseparated(")");
                    }
                    qb.push(")");
                    qb.build().execute(&mut *self.tx).await.map_err($error)?;
                }
                Ok(())
            }

            async fn delete_conversation(&mut self, scope: Uuid, id: Uuid) -> Result<(), StoreError> {
                for table in ["gdpr_chat_messages", "gdpr_chat_participants", "gdpr_chat_conversations"] {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite(&format!("DELETE FROM {table} WHERE controller = ")));
                    qb.push_bind(scope).push(" AND conversation = ").push_bind(id);
                    qb.build().execute(&mut *self.tx).await.map_err($error)?;
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
                    self.naming.sql("INSERT INTO gdpr_chat_participants (controller, conversation, visitor, joined_at) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (controller, conversation, visitor) DO UPDATE SET joined_at = excluded.joined_at"),
                )
                .bind(scope)
                .bind(c)
                .bind(v)
                .bind(joined_at)
                .execute(&mut *self.tx)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn delete_participant(&mut self, scope: Uuid, c: Uuid, v: Uuid) -> Result<(), StoreError> {
                sqlx::query(
                    self.naming.sql("DELETE FROM gdpr_chat_participants WHERE controller = $1 AND conversation = $2 AND visitor = $3"),
                )
                .bind(scope)
                .bind(c)
                .bind(v)
                .execute(&mut *self.tx)
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
                    self.naming.sql("INSERT INTO gdpr_chat_messages (controller, conversation, message, author, body) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (controller, conversation, message) \
                     DO UPDATE SET author = excluded.author, body = excluded.body"),
                )
                .bind(scope)
                .bind(c)
                .bind(m)
                .bind(author)
                .bind(body)
                .execute(&mut *self.tx)
                .await
                .map_err($error)?;
                Ok(())
            }

            async fn agents(&mut self, scope: Uuid) -> Result<Vec<String>, StoreError> {
                sqlx::query_scalar(self.naming.sql("SELECT name FROM gdpr_chat_agents WHERE controller = $1"))
                    .bind(scope)
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err($error)
            }

            async fn put_agents(&mut self, scope: Uuid, names: &[&str]) -> Result<(), StoreError> {
                for chunk in names.chunks(CHUNK / 2) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite("INSERT INTO gdpr_chat_agents (controller, name) "));
                    qb.push_values(chunk, |mut row, name| {
                        row.push_bind(scope).push_bind((*name).to_owned());
                    });
                    qb.push(" ON CONFLICT (controller, name) DO NOTHING");
                    qb.build().execute(&mut *self.tx).await.map_err($error)?;
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
                let mut qb = sqlx::QueryBuilder::<$db>::new(self.naming.rewrite(&format!("SELECT {column} FROM {table} WHERE controller = ")));
                qb.push_bind(scope).push(format_args!(" AND {column} >= ")).push_bind(from);
                qb.push(format_args!(" ORDER BY {column} LIMIT ")).push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
                qb.build_query_scalar().fetch_all(&mut *self.tx).await.map_err($error)
            }

            async fn receipt(&mut self, scope: Uuid, sweep: Uuid) -> Result<Option<(String, String)>, StoreError> {
                sqlx::query_as(self.naming.sql("SELECT from_key, outcomes FROM gdpr_chat_sweeps WHERE controller = $1 AND sweep = $2"))
                    .bind(scope)
                    .bind(sweep)
                    .fetch_optional(&mut *self.tx)
                    .await
                    .map_err($error)
            }

            async fn put_receipt(&mut self, scope: Uuid, sweep: Uuid, receipt: Option<(&str, &str)>) -> Result<(), StoreError> {
                let query = match receipt {
                    Some((after, outcomes)) => sqlx::query(
                        self.naming.sql("INSERT INTO gdpr_chat_sweeps (controller, sweep, from_key, outcomes) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (controller, sweep) DO UPDATE SET from_key = excluded.from_key, outcomes = excluded.outcomes"),
                    )
                    .bind(scope)
                    .bind(sweep)
                    .bind(after.to_owned())
                    .bind(outcomes.to_owned()),
                    None => sqlx::query(self.naming.sql("DELETE FROM gdpr_chat_sweeps WHERE controller = $1 AND sweep = $2"))
                        .bind(scope)
                        .bind(sweep),
                };
                query.execute(&mut *self.tx).await.map_err($error)?;
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<(), StoreError> {
                self.tx.commit().await.map_err($error)
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
