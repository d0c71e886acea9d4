//! The compliance ledger and the audit log on PostgreSQL (feature `postgres`): for deployments
//! that outgrow one machine.
//!
//! [`PostgresStore`] implements both [`LedgerStore`] and [`AuditLog`]. Its tables (prefixed
//! `gdpr_`, in the connection's current schema) have primary keys that start with the
//! controller, so that they can be distributed by controller (e.g. with Citus) without a
//! redesign. The schema is versioned and brought up to date on connect, under an advisory lock
//! so that many workers may start at once; a database whose schema is newer than the crate is
//! refused, never downgraded.
//!
//! The driver is built without TLS: connect over a trusted network, a local socket, or a TLS
//! tunnel. The store runs on tokio: call it from within a tokio runtime with its timers and IO
//! enabled (`#[tokio::main]`, or a runtime built with `enable_all()`); the driver panics
//! in a runtime without timers.
//!
//! # Example
//! ```no_run
//! use gdpr_obligations::store::postgres::PostgresStore;
//! use gdpr_obligations::store::{LedgerStore, AuditLog};
//!
//! # async fn demo() -> Result<(), gdpr_obligations::store::StoreError> {
//! let store = PostgresStore::connect("postgres://gdpr@127.0.0.1:5432/gdpr").await?;
//! let ledger: &dyn LedgerStore = &store;
//! let log: &dyn AuditLog = &store;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Row};
use uuid::Uuid;

use super::sql::{self, Migration};
use super::{
    AuditEntry, AuditLog, AuditRecord, Digest, DocumentKey, DocumentKind, LedgerStore, Scope, StoreError, Stored,
    StreamKey, StreamKind, Version,
};

/// The schema, one migration per version, applied in order on connect.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "ledger and audit log",
        sql: include_str!("../../migrations/postgres/0001_ledger_and_audit.sql"),
    },
    Migration { version: 2, description: "chat history", sql: include_str!("../../migrations/postgres/0002_chat.sql") },
];

/// The advisory lock that serialises migrations ("gdpr_obl" in ASCII).
const MIGRATION_LOCK: i64 = 0x6764_7072_5f6f_626c;

/// How long an operation waits for a free connection before failing with
/// [`StoreError::Backend`].
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The compliance ledger and the audit log in a PostgreSQL database.
///
/// Cloning is cheap and gives another handle to the same pool of connections.
///
/// A document write is one conditional statement (compare-and-swap on its `version` column);
/// an append of events updates the stream's row under compare-and-swap and inserts the events
/// in one transaction; an audit append locks the controller's head row, so concurrent appends,
/// from any number of processes, are numbered one after the other.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, with
    /// parameters such as `?application_name=...`, default `gdpr-obligations`, or
    /// `?options[search_path]=...` to keep the tables in a schema of their own), and creates or
    /// brings up to date the crate's tables.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when `url` is not a PostgreSQL URL (the message never repeats
    /// the URL, which may hold a password); [`StoreError::Backend`] when the server cannot be
    /// reached or refuses the login (or asks for TLS, which this build does not have);
    /// [`StoreError::Corrupt`] when the database's schema is newer than this crate's
    /// (upgrade the crate); [`StoreError::Invalid`] when the schema holds tables named like
    /// this crate's that it did not create.
    ///
    /// # Panics
    /// Outside a tokio runtime with timers and IO enabled (the driver needs them).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid { what: "PostgreSQL connection URL".to_owned(), reason: e.to_string() })?;
        let options = match options.get_application_name() {
            Some(_) => options,
            None => options.application_name("gdpr-obligations"),
        };
        // One connection first, to migrate and to fail fast with the server's own answer (a
        // pool would retry until its timeout and report only that).
        let mut conn = PgConnection::connect_with(&options).await.map_err(error)?;
        migrate(&mut conn).await?;
        conn.close().await.map_err(error)?;
        let pool = PgPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT).connect_lazy_with(options);
        Ok(PostgresStore { pool })
    }

    /// The pool, for the chat history kept in the same database.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the store's connections, waiting for operations in progress to finish.
    /// Operations on this store or its clones after this fail with [`StoreError::Backend`].
    /// Dropping every clone also closes the connections, in the background.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn document_version(&self, scope: Scope, key: DocumentKey) -> Result<Option<Version>, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT version FROM gdpr_documents WHERE controller = $1 AND kind = $2 AND id = $3")
                .bind(controller(scope))
                .bind(key.kind.as_str())
                .bind(key.id)
                .fetch_optional(&self.pool)
                .await
                .map_err(error)?;
        found.map(|v| sql::stored_version(key, v)).transpose()
    }
}

impl PostgresStore {
    /// A stream's version: its number of events.
    async fn stream_version<'e>(
        &self,
        executor: impl sqlx::PgExecutor<'e>,
        scope: Scope,
        stream: StreamKey,
    ) -> Result<Version, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT version FROM gdpr_streams WHERE controller = $1 AND kind = $2 AND id = $3")
                .bind(controller(scope))
                .bind(stream.kind.as_str())
                .bind(stream.id)
                .fetch_optional(executor)
                .await
                .map_err(error)?;
        Ok(found.map(|v| sql::stored_version(stream, v)).transpose()?.unwrap_or(Version::NONE))
    }
}

/// Applies the migrations the database lacks, in one transaction holding an advisory lock,
/// so workers starting together migrate once.
async fn migrate(conn: &mut PgConnection) -> Result<(), StoreError> {
    let mut tx = conn.begin().await.map_err(error)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await.map_err(error)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
         AND c.relname LIKE 'gdpr\\_%' ORDER BY c.relname",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(error)?;
    let current: i64 = if tables.iter().any(|t| t == sql::MIGRATIONS_TABLE) {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0)::bigint FROM gdpr_schema_migrations")
            .fetch_one(&mut *tx)
            .await
            .map_err(error)?
    } else if !tables.is_empty() {
        return Err(StoreError::Invalid {
            what: "PostgreSQL schema".to_owned(),
            reason: format!(
                "it holds tables named like gdpr-obligations' ({}) but no {}: they were not created \
                 by this crate; use another schema or database",
                tables.join(", "),
                sql::MIGRATIONS_TABLE
            ),
        });
    } else {
        sqlx::raw_sql(
            "CREATE TABLE gdpr_schema_migrations (
                 version     bigint PRIMARY KEY,
                 description text NOT NULL,
                 applied_at  timestamptz NOT NULL DEFAULT now()
             )",
        )
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        0
    };
    sql::check_schema_version("PostgreSQL schema", current, sql::latest(MIGRATIONS))?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(error)?;
        sqlx::query("INSERT INTO gdpr_schema_migrations (version, description) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.description)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
    }
    tx.commit().await.map_err(error)
}

fn controller(scope: Scope) -> Uuid {
    scope.controller().as_uuid()
}

/// Maps a driver error: a value that does not decode as its column's type is
/// [`StoreError::Corrupt`]; the rest is [`StoreError::Backend`].
pub(crate) fn error(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::corrupt("PostgreSQL database", e),
        e => sql::backend(e),
    }
}

#[async_trait]
impl LedgerStore for PostgresStore {
    async fn put_document(
        &self,
        scope: Scope,
        key: DocumentKey,
        body: &serde_json::Value,
        expected: Version,
    ) -> Result<Version, StoreError> {
        let text = sql::json_text(key, body)?;
        let next = expected.after(1);
        let done = if expected == Version::NONE {
            sqlx::query(
                "INSERT INTO gdpr_documents (controller, kind, id, version, body) VALUES ($1, $2, $3, 1, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(controller(scope))
            .bind(key.kind.as_str())
            .bind(key.id)
            .bind(&text)
            .execute(&self.pool)
            .await
        } else {
            sqlx::query(
                "UPDATE gdpr_documents SET version = $1, body = $2 \
                 WHERE controller = $3 AND kind = $4 AND id = $5 AND version = $6",
            )
            .bind(sql::version_param(next))
            .bind(&text)
            .bind(controller(scope))
            .bind(key.kind.as_str())
            .bind(key.id)
            .bind(sql::version_param(expected))
            .execute(&self.pool)
            .await
        }
        .map_err(error)?;
        if done.rows_affected() == 1 {
            return Ok(next);
        }
        // Nothing written: say why, from what is there now (versions only grow).
        Err(sql::refused_put(key, expected, self.document_version(scope, key).await?))
    }

    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
        let row =
            sqlx::query("SELECT version, body FROM gdpr_documents WHERE controller = $1 AND kind = $2 AND id = $3")
                .bind(controller(scope))
                .bind(key.kind.as_str())
                .bind(key.id)
                .fetch_optional(&self.pool)
                .await
                .map_err(error)?;
        let Some(row) = row else { return Ok(None) };
        let version: i64 = row.try_get(0).map_err(error)?;
        let body: String = row.try_get(1).map_err(error)?;
        Ok(Some(Stored { key, version: sql::stored_version(key, version)?, body: sql::json_value(key, &body)? }))
    }

    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
        let rows =
            sqlx::query("SELECT id, version, body FROM gdpr_documents WHERE controller = $1 AND kind = $2 ORDER BY id")
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(error)?;
        rows.into_iter()
            .map(|row| {
                let id: Uuid = row.try_get(0).map_err(error)?;
                let version: i64 = row.try_get(1).map_err(error)?;
                let body: String = row.try_get(2).map_err(error)?;
                let key = DocumentKey { kind, id };
                Ok(Stored { key, version: sql::stored_version(key, version)?, body: sql::json_value(key, &body)? })
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
                let found = self.stream_version(&self.pool, scope, stream).await?;
                return Err(if found != expected { sql::refused_append(stream, expected, found) } else { e });
            }
        };
        let (seqs, bodies): (Vec<i64>, Vec<String>) = rows.into_iter().unzip();
        let next_param = sql::count_param(stream, next.get())?;
        let mut tx = self.pool.begin().await.map_err(error)?;
        // Compare-and-swap on the stream's row; its row lock makes a concurrent appender at the
        // same version wait for this transaction, then find the new version and change nothing.
        let done = if expected == Version::NONE {
            sqlx::query(
                "INSERT INTO gdpr_streams (controller, kind, id, version) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(controller(scope))
            .bind(stream.kind.as_str())
            .bind(stream.id)
            .bind(next_param)
            .execute(&mut *tx)
            .await
        } else {
            sqlx::query(
                "UPDATE gdpr_streams SET version = $1 WHERE controller = $2 AND kind = $3 AND id = $4 AND version = $5",
            )
            .bind(next_param)
            .bind(controller(scope))
            .bind(stream.kind.as_str())
            .bind(stream.id)
            .bind(sql::version_param(expected))
            .execute(&mut *tx)
            .await
        }
        .map_err(error)?;
        if done.rows_affected() != 1 {
            let found = self.stream_version(&mut *tx, scope, stream).await?;
            return Err(sql::refused_append(stream, expected, found));
        }
        sqlx::query(
            "INSERT INTO gdpr_events (controller, stream_kind, stream_id, seq, body) \
             SELECT $1, $2, $3, seq, body FROM UNNEST($4::bigint[], $5::text[]) AS e(seq, body)",
        )
        .bind(controller(scope))
        .bind(stream.kind.as_str())
        .bind(stream.id)
        .bind(seqs)
        .bind(bodies)
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        tx.commit().await.map_err(error)?;
        Ok(next)
    }

    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM gdpr_events WHERE controller = $1 AND stream_kind = $2 AND stream_id = $3 ORDER BY seq",
        )
        .bind(controller(scope))
        .bind(stream.kind.as_str())
        .bind(stream.id)
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        bodies.iter().map(|b| sql::json_value(stream, b)).collect()
    }

    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
        let ids: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM gdpr_streams WHERE controller = $1 AND kind = $2 ORDER BY id")
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(error)?;
        Ok(ids.into_iter().map(|id| StreamKey { kind, id }).collect())
    }
}

#[async_trait]
impl AuditLog for PostgresStore {
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        let mut tx = self.pool.begin().await.map_err(error)?;
        // Creates the controller's head row if needed and locks it (the no-op update takes the
        // row lock) until this transaction ends: one appender per controller at a time.
        let head = sqlx::query(
            "INSERT INTO gdpr_audit_heads (controller, sequence, hash) VALUES ($1, 0, $2) \
             ON CONFLICT (controller) DO UPDATE SET sequence = gdpr_audit_heads.sequence \
             RETURNING sequence, hash",
        )
        .bind(controller(scope))
        .bind(Digest::GENESIS.as_bytes().as_slice())
        .fetch_one(&mut *tx)
        .await
        .map_err(error)?;
        let last: i64 = head.try_get(0).map_err(error)?;
        let hash: Vec<u8> = head.try_get(1).map_err(error)?;
        let what = format!("audit head of {scope}");
        let sequence = sql::stored_u64(&what, last)?.saturating_add(1);
        let record = AuditRecord::seal(sequence, sql::stored_digest(&what, &hash)?, entry)?;
        let text = sql::audit_entry_text(&record)?;
        let sequence = sql::count_param("audit sequence", record.sequence)?;
        sqlx::query("INSERT INTO gdpr_audit (controller, sequence, previous, hash, entry) VALUES ($1, $2, $3, $4, $5)")
            .bind(controller(scope))
            .bind(sequence)
            .bind(record.previous.as_bytes().as_slice())
            .bind(record.hash.as_bytes().as_slice())
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        sqlx::query("UPDATE gdpr_audit_heads SET sequence = $2, hash = $3 WHERE controller = $1")
            .bind(controller(scope))
            .bind(sequence)
            .bind(record.hash.as_bytes().as_slice())
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        tx.commit().await.map_err(error)?;
        Ok(record)
    }

    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let Ok(after) = i64::try_from(after) else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT sequence, previous, hash, entry FROM gdpr_audit \
             WHERE controller = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
        )
        .bind(controller(scope))
        .bind(after)
        .bind(sql::limit_param(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        rows.into_iter()
            .map(|row| {
                let sequence: i64 = row.try_get(0).map_err(error)?;
                let previous: Vec<u8> = row.try_get(1).map_err(error)?;
                let hash: Vec<u8> = row.try_get(2).map_err(error)?;
                let entry: String = row.try_get(3).map_err(error)?;
                sql::stored_audit_record(sequence, &previous, &hash, &entry)
            })
            .collect()
    }
}
