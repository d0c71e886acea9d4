//! The durable ledger and audit log, each statement written once for both engines.
//!
//! The statements use `$n` placeholders, which SQLite reads as the n-th argument too, and
//! `ON CONFLICT` clauses both engines know; lists of rows are built by `QueryBuilder` in the
//! engine's own placeholder style. `impl_ledger!` instantiates them per engine as
//! [`LedgerStore`] and [`AuditLog`] implementations and the migration runner, the way the chat
//! history's `impl_tx!` does. What differs is the [`Engine`] each store implements in its own
//! file: connection options, locking, error mapping, the system catalogue and the audit chain's
//! head.

use super::{Migration, Naming};
#[cfg(doc)]
use crate::store::{AuditLog, LedgerStore};
use crate::store::{Digest, DocumentKey, Scope, StoreError, StreamKey};

/// How many events one `INSERT` writes: five values each, well under either engine's limit of
/// bound values per statement.
const EVENTS_PER_INSERT: usize = 100;

/// One row of the change feed to insert, without its position: what was written.
pub(crate) struct FeedRow {
    entity: &'static str,
    kind: &'static str,
    id: uuid::Uuid,
    version: i64,
}

impl FeedRow {
    /// The event numbered `seq` in `stream`.
    fn event(stream: StreamKey, seq: i64) -> Self {
        Self { entity: "event", kind: stream.kind.as_str(), id: stream.id, version: seq }
    }

    /// The write that brought the document `key` to `version`.
    fn document(key: DocumentKey, version: i64) -> Self {
        Self { entity: "document", kind: key.kind.as_str(), id: key.id, version }
    }
}

/// What differs between the engines the ledger and the audit log run on; `impl_ledger!`
/// writes the rest once.
pub(crate) trait Engine: Sync {
    /// The sqlx driver.
    type Db: sqlx::Database;

    /// The schema, one migration per version, applied in order when the store is opened.
    const MIGRATIONS: &'static [Migration];
    /// The name of a table or index (`$1`) if the schema (`$2`, a text or NULL for the
    /// default) holds one so named.
    const RELATION: &'static str;
    /// How many columns named `$3` the table `$1` of the schema `$2` (or NULL) has: 0 for
    /// `checksum` in a table of applied migrations written before checksums were kept, and for
    /// `layout` in one whose tables were never partitioned.
    const COLUMN: &'static str;
    /// Creates the table of applied migrations (default names).
    const CREATE_MIGRATIONS_TABLE: &'static str;
    /// The time a migration is applied at, as the engine writes it.
    const NOW: &'static str;
    /// Whether the migrations' own SQL is renamed by the store's naming (SQLite's prefix);
    /// otherwise the engine runs it under the schema it set for the transaction (PostgreSQL's
    /// `SET LOCAL search_path`: index names cannot be qualified in `CREATE INDEX`).
    const RENAMES_MIGRATIONS: bool;

    /// Where the store's tables are.
    fn naming(&self) -> &Naming;

    /// A statement written with the default names, renamed for this store.
    fn sql(&self, statement: &'static str) -> sqlx::AssertSqlSafe<std::borrow::Cow<'static, str>> {
        self.naming().sql(statement)
    }

    /// The pool of connections.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// Maps a driver error into the store's.
    fn error(&self, e: sqlx::Error) -> StoreError;

    /// A transaction for a write that reads first and must still find it true: SQLite takes
    /// its one write lock at once (`BEGIN IMMEDIATE`); in PostgreSQL the rows a write
    /// changes under compare-and-swap are its locks.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Self::Db>, StoreError>;

    /// The last sequence number and hash of a scope's audit chain (0 and
    /// [`Digest::GENESIS`] when it is empty), so that no other appender to the chain reads
    /// it until `tx` ends.
    async fn audit_head(
        &self,
        tx: &mut sqlx::Transaction<'static, Self::Db>,
        scope: Scope,
    ) -> Result<(u64, Digest), StoreError>;

    /// Records the chain's new head after an append at `sequence` with `hash`, where the
    /// engine keeps it apart from the chain.
    async fn audit_advance(
        &self,
        tx: &mut sqlx::Transaction<'static, Self::Db>,
        scope: Scope,
        sequence: i64,
        hash: &Digest,
    ) -> Result<(), StoreError>;
}

/// Implements [`LedgerStore`] and [`AuditLog`] for one engine's store (an [`Engine`] over
/// `$db`), and `migrate`, which brings its schema up to date in a transaction the store opened
/// and holds the engine's migration lock.
macro_rules! impl_ledger {
    ($store:ty, $db:ty) => {
        use async_trait::async_trait;
        use sqlx::Row;
        use uuid::Uuid;

        use crate::store::sql::ledger::{EVENTS_PER_INSERT, Engine, FeedRow};
        use crate::store::sql::{self, Component, MIGRATIONS_TABLE, Naming, controller};
        use crate::store::{
            AuditEntry, AuditLog, AuditRecord, DocumentKey, DocumentKind, FEED_PAGE_MAX, FeedEntry, FeedPosition,
            LedgerStore, Scope, StoreError, Stored, StreamKey, StreamKind, Version,
        };
        use crate::store::{Migrations, SchemaError, TableLayout};

        /// Brings the schema up to date in `tx` and commits (under [`Migrations::Apply`]), or
        /// checks it is (under [`Migrations::Verify`], changing nothing): creates the table of
        /// applied migrations, records the checksums of migrations applied before they were kept
        /// (trusting what is applied then), applies every missing migration of the components
        /// `wanted` or already present, each after checking that the database holds none of the
        /// tables it creates. Refuses a schema that is newer than this crate's or whose applied
        /// migrations differ from those shipped, or whose tables are in another `layout` than
        /// the one wanted (recorded with each migration applied: in a `layout` column, added when
        /// the first partitioned migration is applied; none recorded is [`TableLayout::Plain`]).
        /// `what` names the database in errors.
        pub(crate) async fn migrate(
            mut tx: sqlx::Transaction<'_, $db>,
            naming: &Naming,
            what: &str,
            wanted: &[Component],
            mode: Migrations,
            layout: TableLayout,
            e: impl Fn(sqlx::Error) -> StoreError,
        ) -> Result<(), StoreError> {
            let what = naming.describe(what);
            let refuse = |problem: SchemaError| StoreError::Schema { what: what.clone(), problem };
            let known = <$store as Engine>::MIGRATIONS;
            let verify = mode == Migrations::Verify;
            let table = naming.relation(MIGRATIONS_TABLE);
            let exists = |name: String| {
                sqlx::query_scalar::<_, String>(<$store as Engine>::RELATION)
                    .bind(name)
                    .bind(naming.schema_name().map(str::to_owned))
            };
            let has_table = exists(table.clone()).fetch_optional(&mut *tx).await.map_err(&e)?.is_some();
            if !has_table {
                if verify {
                    let missing = sql::plan(known, &[], wanted, false).map_err(&refuse)?;
                    return Err(refuse(SchemaError::NotMigrated {
                        missing: missing.iter().map(|m| m.version).collect(),
                    }));
                }
                let create = naming.rewrite(<$store as Engine>::CREATE_MIGRATIONS_TABLE).into_owned();
                sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut *tx).await.map_err(&e)?;
            }
            let column = |name: &'static str| {
                sqlx::query_scalar::<_, i64>(<$store as Engine>::COLUMN)
                    .bind(table.clone())
                    .bind(naming.schema_name().map(str::to_owned))
                    .bind(name)
            };
            let checksums = column("checksum").fetch_one(&mut *tx).await.map_err(&e)?;
            let mut layouts = column("layout").fetch_one(&mut *tx).await.map_err(&e)? > 0;
            let mut applied: Vec<sql::Applied> = if checksums > 0 {
                sqlx::query_as(naming.sql("SELECT version, checksum FROM gdpr_schema_migrations ORDER BY version"))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(&e)?
            } else {
                let versions: Vec<i64> =
                    sqlx::query_scalar(naming.sql("SELECT version FROM gdpr_schema_migrations ORDER BY version"))
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(&e)?;
                versions.into_iter().map(|v| (v, None)).collect()
            };
            let todo = sql::plan(known, &applied, wanted, verify).map_err(&refuse)?;
            // The layout recorded with every applied migration must be the one wanted: tables are
            // never rewritten into another layout.
            let recorded: Vec<Option<String>> = if layouts {
                sqlx::query_scalar(naming.sql("SELECT layout FROM gdpr_schema_migrations ORDER BY version"))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(&e)?
            } else {
                vec![None; applied.len()]
            };
            for text in &recorded {
                let found = TableLayout::from_recorded(text.as_deref()).ok_or_else(|| {
                    StoreError::corrupt(
                        format!("{what}, table of applied migrations"),
                        "it records a table layout this crate does not know",
                    )
                })?;
                if found != layout {
                    return Err(refuse(SchemaError::Layout { found, wanted: layout }));
                }
            }
            if verify {
                if !todo.is_empty() {
                    return Err(refuse(SchemaError::NotMigrated { missing: todo.iter().map(|m| m.version).collect() }));
                }
                return tx.commit().await.map_err(&e);
            }
            // Trust on first use: a table written before checksums were kept gets the column, and
            // the migrations it records get the checksums of those this crate ships.
            if checksums == 0 {
                sqlx::raw_sql(naming.sql("ALTER TABLE gdpr_schema_migrations ADD COLUMN checksum TEXT"))
                    .execute(&mut *tx)
                    .await
                    .map_err(&e)?;
            }
            for (version, checksum) in applied.iter_mut().filter(|(_, c)| c.is_none()) {
                let Some(m) = known.iter().find(|m| m.version == *version) else { continue };
                let sum = m.checksum();
                sqlx::query(naming.sql("UPDATE gdpr_schema_migrations SET checksum = $1 WHERE version = $2"))
                    .bind(&sum)
                    .bind(*version)
                    .execute(&mut *tx)
                    .await
                    .map_err(&e)?;
                *checksum = Some(sum);
            }
            if layout != TableLayout::Plain && !layouts && !todo.is_empty() {
                sqlx::raw_sql(naming.sql("ALTER TABLE gdpr_schema_migrations ADD COLUMN layout TEXT"))
                    .execute(&mut *tx)
                    .await
                    .map_err(&e)?;
                layouts = true;
            }
            for m in todo {
                let mut clash = Vec::new();
                for name in m.creates() {
                    if let Some(found) = exists(naming.relation(name)).fetch_optional(&mut *tx).await.map_err(&e)? {
                        clash.push(found);
                    }
                }
                if !clash.is_empty() {
                    return Err(refuse(SchemaError::Clash { names: clash }));
                }
                let text = if <$store as Engine>::RENAMES_MIGRATIONS {
                    naming.rewrite(m.sql)
                } else {
                    std::borrow::Cow::Borrowed(m.sql)
                };
                let text = match layout {
                    TableLayout::HashByController { partitions } => {
                        std::borrow::Cow::Owned(sql::partitioned(&text, partitions))
                    }
                    _ => text,
                };
                sqlx::raw_sql(sqlx::AssertSqlSafe(text.into_owned())).execute(&mut *tx).await.map_err(&e)?;
                if m.version == sql::CHAT_LOOKUPS_REBUILT {
                    rebuild_chat_lookups(&mut tx, naming, &e).await?;
                }
                let mut record = sqlx::QueryBuilder::<$db>::new(naming.rewrite(if layouts {
                    "INSERT INTO gdpr_schema_migrations (version, description, applied_at, checksum, layout) VALUES ("
                } else {
                    "INSERT INTO gdpr_schema_migrations (version, description, applied_at, checksum) VALUES ("
                }));
                record.push_bind(m.version).push(", ").push_bind(m.description);
                record.push(format_args!(", {}, ", <$store as Engine>::NOW)).push_bind(m.checksum());
                if layouts {
                    record.push(", ").push_bind(layout.recorded());
                }
                record.push(")");
                record.build().execute(&mut *tx).await.map_err(&e)?;
            }
            tx.commit().await.map_err(&e)
        }

        /// Rewrites every chat lookup row of kinds `id` and `word` from the stored visitor
        /// bodies, a page of visitors at a time, in the migration's transaction.
        async fn rebuild_chat_lookups(
            tx: &mut sqlx::Transaction<'_, $db>,
            naming: &Naming,
            e: &impl Fn(sqlx::Error) -> StoreError,
        ) -> Result<(), StoreError> {
            const PAGE: i64 = 500;
            sqlx::query(naming.sql("DELETE FROM gdpr_chat_lookup WHERE kind IN ('id', 'word')"))
                .execute(&mut **tx)
                .await
                .map_err(e)?;
            let mut after: Option<(Uuid, Uuid)> = None;
            loop {
                let mut page = sqlx::QueryBuilder::<$db>::new(
                    naming.rewrite("SELECT controller, visitor, body FROM gdpr_chat_visitors"),
                );
                if let Some((controller, visitor)) = after {
                    page.push(" WHERE controller > ").push_bind(controller);
                    page.push(" OR (controller = ").push_bind(controller).push(" AND visitor > ").push_bind(visitor);
                    page.push(")");
                }
                page.push(" ORDER BY controller, visitor LIMIT ").push_bind(PAGE);
                let rows: Vec<(Uuid, Uuid, String)> = page.build_query_as().fetch_all(&mut **tx).await.map_err(e)?;
                let Some(&(controller, visitor, _)) = rows.last() else { break };
                after = Some((controller, visitor));
                let mut lookups = Vec::new();
                for (controller, visitor, body) in &rows {
                    let what = format!("visitor {visitor} of controller {controller}");
                    for (kind, value) in crate::store::chat::rebuilt_lookups(&what, body)? {
                        lookups.push((*controller, kind, value, *visitor));
                    }
                }
                for chunk in lookups.chunks(100) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        naming.rewrite("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) "),
                    );
                    insert.push_values(chunk, |mut row, (controller, kind, value, visitor)| {
                        row.push_bind(*controller).push_bind(*kind).push_bind(value.clone()).push_bind(*visitor);
                    });
                    insert.push(" ON CONFLICT DO NOTHING");
                    insert.build().execute(&mut **tx).await.map_err(e)?;
                }
                if i64::try_from(rows.len()).unwrap_or(i64::MAX) < PAGE {
                    break;
                }
            }
            Ok(())
        }

        /// The version of a stored document, if it is stored.
        async fn document_version<'e>(
            store: &$store,
            executor: impl sqlx::Executor<'e, Database = $db>,
            scope: Scope,
            key: DocumentKey,
        ) -> Result<Option<Version>, StoreError> {
            let found: Option<i64> = sqlx::query_scalar(
                store.sql("SELECT version FROM gdpr_documents WHERE controller = $1 AND kind = $2 AND id = $3"),
            )
            .bind(controller(scope))
            .bind(key.kind.as_str())
            .bind(key.id)
            .fetch_optional(executor)
            .await
            .map_err(|e| store.error(e))?;
            found.map(|v| sql::stored_version(key, v)).transpose()
        }

        /// A stream's version: its number of events.
        async fn stream_version<'e>(
            store: &$store,
            executor: impl sqlx::Executor<'e, Database = $db>,
            scope: Scope,
            stream: StreamKey,
        ) -> Result<Version, StoreError> {
            let found: Option<i64> = sqlx::query_scalar(
                store.sql("SELECT version FROM gdpr_streams WHERE controller = $1 AND kind = $2 AND id = $3"),
            )
            .bind(controller(scope))
            .bind(stream.kind.as_str())
            .bind(stream.id)
            .fetch_optional(executor)
            .await
            .map_err(|e| store.error(e))?;
            Ok(found.map(|v| sql::stored_version(stream, v)).transpose()?.unwrap_or(Version::NONE))
        }

        /// Gives `rows` the next positions of the scope's feed, in `tx`: adds their number to
        /// the scope's head (in PostgreSQL its row lock then orders this writer after every
        /// earlier one of the scope until `tx` ends) and inserts them just below the new head.
        async fn feed_append(
            store: &$store,
            tx: &mut sqlx::Transaction<'static, $db>,
            scope: Scope,
            rows: &[FeedRow],
        ) -> Result<(), StoreError> {
            let count = sql::count_param("feed entries", rows.len() as u64)?;
            let head: i64 = sqlx::query_scalar(store.sql(
                "INSERT INTO gdpr_feed_heads AS h (controller, position) VALUES ($1, $2) \
                 ON CONFLICT (controller) DO UPDATE SET position = h.position + excluded.position \
                 RETURNING position",
            ))
            .bind(controller(scope))
            .bind(count)
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| store.error(e))?;
            let first = head - count + 1;
            for (n, chunk) in rows.chunks(EVENTS_PER_INSERT).enumerate() {
                let offset = first + (n * EVENTS_PER_INSERT) as i64;
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    store.naming().rewrite("INSERT INTO gdpr_feed (controller, position, entity, kind, id, version) "),
                );
                qb.push_values(chunk.iter().enumerate(), |mut row, (i, r)| {
                    row.push_bind(controller(scope))
                        .push_bind(offset + i as i64)
                        .push_bind(r.entity)
                        .push_bind(r.kind)
                        .push_bind(r.id)
                        .push_bind(r.version);
                });
                qb.build().execute(&mut **tx).await.map_err(|e| store.error(e))?;
            }
            Ok(())
        }

        #[async_trait]
        impl LedgerStore for $store {
            async fn put_document(
                &self,
                scope: Scope,
                key: DocumentKey,
                body: &serde_json::Value,
                expected: Version,
            ) -> Result<Version, StoreError> {
                let text = sql::json_text(key, body)?;
                let next = expected.after(1);
                let mut tx = self.begin_write().await?;
                let done = if expected == Version::NONE {
                    sqlx::query(self.sql(
                        "INSERT INTO gdpr_documents (controller, kind, id, version, body) VALUES ($1, $2, $3, 1, $4) \
                         ON CONFLICT DO NOTHING",
                    ))
                    .bind(controller(scope))
                    .bind(key.kind.as_str())
                    .bind(key.id)
                    .bind(&text)
                    .execute(&mut *tx)
                    .await
                } else {
                    sqlx::query(self.sql(
                        "UPDATE gdpr_documents SET version = $1, body = $2 \
                         WHERE controller = $3 AND kind = $4 AND id = $5 AND version = $6",
                    ))
                    .bind(sql::version_param(next))
                    .bind(&text)
                    .bind(controller(scope))
                    .bind(key.kind.as_str())
                    .bind(key.id)
                    .bind(sql::version_param(expected))
                    .execute(&mut *tx)
                    .await
                }
                .map_err(|e| self.error(e))?;
                if done.rows_affected() != 1 {
                    // Nothing written: say why, from what is there now (versions only grow).
                    let found = document_version(self, &mut *tx, scope, key).await?;
                    return Err(sql::refused_put(key, expected, found));
                }
                if key.kind != DocumentKind::FeedCursor {
                    let row = FeedRow::document(key, sql::version_param(next));
                    feed_append(self, &mut tx, scope, &[row]).await?;
                }
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(next)
            }

            async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
                let row =
                    sqlx::query(self.sql(
                        "SELECT version, body FROM gdpr_documents WHERE controller = $1 AND kind = $2 AND id = $3",
                    ))
                    .bind(controller(scope))
                    .bind(key.kind.as_str())
                    .bind(key.id)
                    .fetch_optional(self.pool())
                    .await
                    .map_err(|e| self.error(e))?;
                let Some(row) = row else { return Ok(None) };
                let version: i64 = row.try_get(0).map_err(|e| self.error(e))?;
                let body: String = row.try_get(1).map_err(|e| self.error(e))?;
                Ok(Some(Stored {
                    key,
                    version: sql::stored_version(key, version)?,
                    body: sql::json_value(key, &body)?,
                }))
            }

            async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
                let rows = sqlx::query(self.sql(
                    "SELECT id, version, body FROM gdpr_documents WHERE controller = $1 AND kind = $2 ORDER BY id",
                ))
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
                rows.into_iter()
                    .map(|row| {
                        let id: Uuid = row.try_get(0).map_err(|e| self.error(e))?;
                        let version: i64 = row.try_get(1).map_err(|e| self.error(e))?;
                        let body: String = row.try_get(2).map_err(|e| self.error(e))?;
                        let key = DocumentKey { kind, id };
                        Ok(Stored {
                            key,
                            version: sql::stored_version(key, version)?,
                            body: sql::json_value(key, &body)?,
                        })
                    })
                    .collect()
            }

            async fn append_events(
                &self,
                scope: Scope,
                stream: StreamKey,
                expected: Version,
                events: &[serde_json::Value],
            ) -> Result<Version, StoreError> {
                sql::check_events(stream, events)?;
                let (rows, next) = match sql::numbered_events(stream, expected, events) {
                    Ok(numbered) => numbered,
                    // Past what the database stores: a conflict if the stream is elsewhere, as the
                    // reference says, and refused otherwise.
                    Err(e) => {
                        let found = stream_version(self, self.pool(), scope, stream).await?;
                        return Err(if found != expected { sql::refused_append(stream, expected, found) } else { e });
                    }
                };
                let next_param = sql::count_param(stream, next.get())?;
                let mut tx = self.begin_write().await?;
                // Compare-and-swap on the stream's row; in PostgreSQL its row lock makes a
                // concurrent appender at the same version wait for this transaction, then find the
                // new version and change nothing.
                let done = if expected == Version::NONE {
                    sqlx::query(self.sql(
                        "INSERT INTO gdpr_streams (controller, kind, id, version) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT DO NOTHING",
                    ))
                    .bind(controller(scope))
                    .bind(stream.kind.as_str())
                    .bind(stream.id)
                    .bind(next_param)
                    .execute(&mut *tx)
                    .await
                } else {
                    sqlx::query(self.sql(
                        "UPDATE gdpr_streams SET version = $1 \
                         WHERE controller = $2 AND kind = $3 AND id = $4 AND version = $5",
                    ))
                    .bind(next_param)
                    .bind(controller(scope))
                    .bind(stream.kind.as_str())
                    .bind(stream.id)
                    .bind(sql::version_param(expected))
                    .execute(&mut *tx)
                    .await
                }
                .map_err(|e| self.error(e))?;
                if done.rows_affected() != 1 {
                    let found = stream_version(self, &mut *tx, scope, stream).await?;
                    return Err(sql::refused_append(stream, expected, found));
                }
                for chunk in rows.chunks(EVENTS_PER_INSERT) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        self.naming()
                            .rewrite("INSERT INTO gdpr_events (controller, stream_kind, stream_id, seq, body) "),
                    );
                    qb.push_values(chunk, |mut row, (seq, body)| {
                        row.push_bind(controller(scope))
                            .push_bind(stream.kind.as_str())
                            .push_bind(stream.id)
                            .push_bind(*seq)
                            .push_bind(body.as_str());
                    });
                    qb.build().execute(&mut *tx).await.map_err(|e| self.error(e))?;
                }
                let feed: Vec<FeedRow> = rows.iter().map(|(seq, _)| FeedRow::event(stream, *seq)).collect();
                feed_append(self, &mut tx, scope, &feed).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(next)
            }

            async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
                let bodies: Vec<String> = sqlx::query_scalar(self.sql(
                    "SELECT body FROM gdpr_events \
                     WHERE controller = $1 AND stream_kind = $2 AND stream_id = $3 ORDER BY seq",
                ))
                .bind(controller(scope))
                .bind(stream.kind.as_str())
                .bind(stream.id)
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
                bodies.iter().map(|b| sql::json_value(stream, b)).collect()
            }

            async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
                let ids: Vec<Uuid> = sqlx::query_scalar(
                    self.sql("SELECT id FROM gdpr_streams WHERE controller = $1 AND kind = $2 ORDER BY id"),
                )
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
                Ok(ids.into_iter().map(|id| StreamKey { kind, id }).collect())
            }

            async fn read_feed(
                &self,
                scope: Scope,
                after: FeedPosition,
                limit: usize,
            ) -> Result<Vec<FeedEntry>, StoreError> {
                let Ok(after) = i64::try_from(after.get()) else { return Ok(Vec::new()) };
                let rows = sqlx::query(self.sql(
                    "SELECT f.position, f.entity, f.kind, f.id, f.version, e.body FROM gdpr_feed f \
                     LEFT JOIN gdpr_events e ON f.entity = 'event' AND e.controller = f.controller \
                     AND e.stream_kind = f.kind AND e.stream_id = f.id AND e.seq = f.version \
                     WHERE f.controller = $1 AND f.position > $2 ORDER BY f.position LIMIT $3",
                ))
                .bind(controller(scope))
                .bind(after)
                .bind(sql::limit_param(limit.min(FEED_PAGE_MAX)))
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
                rows.into_iter()
                    .map(|row| {
                        let position: i64 = row.try_get(0).map_err(|e| self.error(e))?;
                        let entity: String = row.try_get(1).map_err(|e| self.error(e))?;
                        let kind: String = row.try_get(2).map_err(|e| self.error(e))?;
                        let id: Uuid = row.try_get(3).map_err(|e| self.error(e))?;
                        let version: i64 = row.try_get(4).map_err(|e| self.error(e))?;
                        let body: Option<String> = row.try_get(5).map_err(|e| self.error(e))?;
                        let what = format!("feed position {position} of {scope}");
                        let position = FeedPosition::new(sql::stored_u64(&what, position)?);
                        let version = sql::stored_version(&what, version)?;
                        match (entity.as_str(), body) {
                            ("event", Some(body)) => {
                                let kind = StreamKind::parse(&kind)
                                    .ok_or_else(|| StoreError::corrupt(&what, "it names an unknown kind of stream"))?;
                                let stream = StreamKey { kind, id };
                                Ok(FeedEntry::event(position, stream, version, sql::json_value(stream, &body)?))
                            }
                            ("event", None) => Err(StoreError::corrupt(&what, "the event it names is not stored")),
                            ("document", _) => {
                                let kind = DocumentKind::parse(&kind).ok_or_else(|| {
                                    StoreError::corrupt(&what, "it names an unknown kind of document")
                                })?;
                                Ok(FeedEntry::document(position, DocumentKey { kind, id }, version))
                            }
                            _ => Err(StoreError::corrupt(&what, "it names neither an event nor a document")),
                        }
                    })
                    .collect()
            }
        }

        #[async_trait]
        impl AuditLog for $store {
            async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
                let mut tx = self.begin_write().await?;
                let (last, previous) = self.audit_head(&mut tx, scope).await?;
                let record = AuditRecord::seal(last.saturating_add(1), previous, entry)?;
                let text = record.entry_text()?;
                let sequence = sql::count_param("audit sequence", record.sequence)?;
                sqlx::query(self.sql(
                    "INSERT INTO gdpr_audit (controller, sequence, previous, hash, entry) VALUES ($1, $2, $3, $4, $5)",
                ))
                .bind(controller(scope))
                .bind(sequence)
                .bind(record.previous.as_bytes().as_slice())
                .bind(record.hash.as_bytes().as_slice())
                .bind(text)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
                self.audit_advance(&mut tx, scope, sequence, &record.hash).await?;
                tx.commit().await.map_err(|e| self.error(e))?;
                Ok(record)
            }

            async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
                let Ok(after) = i64::try_from(after) else { return Ok(Vec::new()) };
                let rows = sqlx::query(self.sql(
                    "SELECT sequence, previous, hash, entry FROM gdpr_audit \
                     WHERE controller = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
                ))
                .bind(controller(scope))
                .bind(after)
                .bind(sql::limit_param(limit))
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.error(e))?;
                rows.into_iter()
                    .map(|row| {
                        let sequence: i64 = row.try_get(0).map_err(|e| self.error(e))?;
                        let previous: Vec<u8> = row.try_get(1).map_err(|e| self.error(e))?;
                        let hash: Vec<u8> = row.try_get(2).map_err(|e| self.error(e))?;
                        let entry: String = row.try_get(3).map_err(|e| self.error(e))?;
                        sql::stored_audit_record(sequence, &previous, &hash, &entry)
                    })
                    .collect()
            }
        }
    };
}

/// The SQLite ledger and audit log.
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite {
    impl_ledger!(crate::store::sqlite::SqliteStore, sqlx::Sqlite);
}

/// The PostgreSQL ledger and audit log.
#[cfg(feature = "postgres")]
pub(crate) mod postgres {
    impl_ledger!(crate::store::postgres::PostgresStore, sqlx::Postgres);
}
