//! The compliance ledger and the audit log in one SQLite file (feature `sqlite`): the embedded
//! default, for a single machine, a newcomer, and the examples.
//!
//! [`SqliteStore`] implements both [`LedgerStore`] and [`AuditLog`] over one file in WAL mode
//! (readers never wait for the writer), created with its schema on first open. The schema is
//! versioned: opening a file written by a newer version of the crate is refused, never
//! downgraded. SQLite is bundled (compiled in): nothing needs to be installed.
//!
//! The store runs on tokio: call it from within a tokio runtime with its timers and IO
//! enabled (`#[tokio::main]`, or a runtime built with `enable_all()`); the driver panics
//! in a runtime without timers.
//!
//! # Example
//! ```
//! use gdpr_obligations::model::PartyId;
//! use gdpr_obligations::store::sqlite::SqliteStore;
//! use gdpr_obligations::store::{DocumentKey, DocumentKind, LedgerStore, Scope, StoreError, Version};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let path = std::env::temp_dir().join(format!("gdpr-doc-{}.sqlite", uuid::Uuid::now_v7()));
//! let store = SqliteStore::open(&path).await?; // created, with its schema
//! let scope = Scope::of(PartyId::generate());
//! let key = DocumentKey { kind: DocumentKind::Agreement, id: uuid::Uuid::now_v7() };
//! let v1 = store.put_document(scope, key, &serde_json::json!({ "draft": 1 }), Version::NONE).await?;
//!
//! // Reopened, the file has it; a writer that read nothing newer than version 0 loses.
//! drop(store);
//! let store = SqliteStore::open(&path).await?;
//! assert_eq!(store.get_document(scope, key).await?.map(|d| d.version), Some(v1));
//! let stale = store.put_document(scope, key, &serde_json::json!({ "draft": 2 }), Version::NONE).await;
//! assert!(matches!(stale, Err(StoreError::Duplicate { .. })));
//! # drop(store);
//! # for suffix in ["", "-wal", "-shm"] {
//! #     let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use uuid::Uuid;

use super::sql::{self, Migration};
use super::{
    AuditEntry, AuditLog, AuditRecord, Digest, DocumentKey, DocumentKind, LedgerStore, Scope, StoreError, Stored,
    StreamKey, StreamKind, Version,
};

/// The schema, one migration per version, applied in order on open.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "ledger and audit log",
        sql: include_str!("../../migrations/sqlite/0001_ledger_and_audit.sql"),
    },
    Migration { version: 2, description: "chat history", sql: include_str!("../../migrations/sqlite/0002_chat.sql") },
];

/// SQLite's primary result codes for a file that is not a database, or a damaged one.
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

/// How long a writer waits for another connection's write to finish before failing with
/// [`StoreError::Backend`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections per file: SQLite has one writer at a time; in WAL mode readers run beside it.
const MAX_CONNECTIONS: u32 = 4;

/// The compliance ledger and the audit log in one SQLite database.
///
/// Cloning is cheap and gives another handle to the same database (a pool of connections).
///
/// Writes that touch more than one row (an append of several events, an audit append) run in
/// one `BEGIN IMMEDIATE` transaction, so they are all or nothing and concurrent writers, in
/// this process or another, are ordered one after the other; a document write is one
/// conditional statement (compare-and-swap on its `version` column).
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    name: String,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("database", &self.name).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and its schema when it does not
    /// exist, in WAL mode, and brings an older schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the file is not a SQLite database or is damaged, or when
    /// its schema is newer than this crate's (written by a newer version: upgrade the crate);
    /// [`StoreError::Invalid`] when it is a SQLite database of something else (it has tables
    /// but not this crate's); [`StoreError::Backend`] when it cannot be opened or created
    /// (a missing folder, no permission).
    ///
    /// # Panics
    /// Outside a tokio runtime with timers enabled (the driver needs them).
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .after_release(|conn, _| Box::pin(async move { consistent(conn).await }))
            .connect_with(options)
            .await
            .map_err(|e| error(&name, e))?;
        Self::migrated(pool, name).await
    }

    /// Opens a new, empty database in memory, gone when the store and its clones are dropped:
    /// for tests and examples.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when SQLite cannot allocate it.
    ///
    /// # Panics
    /// Outside a tokio runtime with timers enabled (the driver needs them).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::PartyId;
    /// use gdpr_obligations::store::sqlite::SqliteStore;
    /// use gdpr_obligations::store::{AuditAction, AuditEntry, AuditLog, AuditLogExt, DocumentKind, Scope};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let log = SqliteStore::open_in_memory().await?;
    /// let scope = Scope::of(PartyId::generate());
    /// let action = AuditAction::DocumentWritten { kind: DocumentKind::Party, id: uuid::Uuid::now_v7() };
    /// let entry = AuditEntry::new(chrono::Utc::now(), action);
    /// assert_eq!(log.append(scope, entry.clone()).await?.sequence, 1);
    /// assert_eq!(log.append(scope, entry).await?.sequence, 2);
    /// assert_eq!(log.verify_all(scope).await?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let name = ":memory:".to_owned();
        let options = SqliteConnectOptions::new().in_memory(true).busy_timeout(BUSY_TIMEOUT);
        // One connection, kept for the pool's life: each connection to `:memory:` is a
        // database of its own, and closing the last one drops it.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(|e| error(&name, e))?;
        Self::migrated(pool, name).await
    }

    /// Closes the store's connections, waiting for operations in progress to finish; the last
    /// connection to close checkpoints the WAL into the database file. Operations on this
    /// store or its clones after this fail with [`StoreError::Backend`]. Dropping every clone
    /// also closes the connections, in the background.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrated(pool: SqlitePool, name: String) -> Result<Self, StoreError> {
        let store = SqliteStore { pool, name };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations this file lacks, in one transaction that holds the write lock,
    /// so two processes opening a new file at once do not both create it.
    async fn migrate(&self) -> Result<(), StoreError> {
        let e = |e| error(&self.name, e);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(e)?;
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
                .fetch_all(&mut *tx)
                .await
                .map_err(e)?;
        let current: i64 = if tables.iter().any(|t| t == sql::MIGRATIONS_TABLE) {
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM gdpr_schema_migrations")
                .fetch_one(&mut *tx)
                .await
                .map_err(e)?
        } else if !tables.is_empty() {
            return Err(StoreError::Invalid {
                what: format!("SQLite database {}", self.name),
                reason: format!(
                    "it is not a gdpr-obligations database: it holds other tables ({}) and no {}; \
                     open a new or empty file",
                    tables.join(", "),
                    sql::MIGRATIONS_TABLE
                ),
            });
        } else {
            sqlx::raw_sql(
                "CREATE TABLE gdpr_schema_migrations (
                     version     INTEGER PRIMARY KEY,
                     description TEXT NOT NULL,
                     applied_at  TEXT NOT NULL
                 )",
            )
            .execute(&mut *tx)
            .await
            .map_err(e)?;
            0
        };
        let known = sql::latest(MIGRATIONS);
        sql::check_schema_version(format!("SQLite database {}", self.name), current, known)?;
        for m in MIGRATIONS.iter().filter(|m| m.version > current) {
            sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(e)?;
            sqlx::query(
                "INSERT INTO gdpr_schema_migrations (version, description, applied_at) \
                 VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            )
            .bind(m.version)
            .bind(m.description)
            .execute(&mut *tx)
            .await
            .map_err(e)?;
        }
        tx.commit().await.map_err(e)
    }

    /// The pool, for the chat history kept in the same file.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn err(&self) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        |e| error(&self.name, e)
    }

    async fn document_version(&self, scope: Scope, key: DocumentKey) -> Result<Option<Version>, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT version FROM gdpr_documents WHERE controller = ? AND kind = ? AND id = ?")
                .bind(controller(scope))
                .bind(key.kind.as_str())
                .bind(key.id)
                .fetch_optional(&self.pool)
                .await
                .map_err(self.err())?;
        found.map(|v| sql::stored_version(key, v)).transpose()
    }
}

fn controller(scope: Scope) -> Uuid {
    scope.controller().as_uuid()
}

/// Whether a connection going back to the pool may be used again: it must be out of any
/// transaction. When SQLite fails a write with `SQLITE_FULL` or `SQLITE_IOERR` it rolls the
/// transaction back itself; the driver's own `ROLLBACK` then fails and it keeps counting the
/// transaction as open, so every later `BEGIN` on that connection would fail. Such a
/// connection is closed instead (the pool opens a new one), so that an erasure interrupted by
/// a full disk resumes on the same store once there is room again (`tests/fault_drills.rs`).
async fn consistent(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    conn.ping().await?; // lets a rollback still queued by a dropped transaction run first
    Ok(!conn.is_in_transaction())
}

/// Maps a driver error: a file that is not a database, or a damaged one, is
/// [`StoreError::Corrupt`]; a value that does not decode as its column's type too; the rest is
/// [`StoreError::Backend`].
pub(crate) fn error(name: &str, e: sqlx::Error) -> StoreError {
    let code = e.as_database_error().and_then(|d| d.code()).and_then(|c| c.parse::<i32>().ok());
    match code.map(|c| c & 0xff) {
        Some(SQLITE_CORRUPT | SQLITE_NOTADB) => StoreError::corrupt(format!("SQLite database {name}"), e),
        _ => match e {
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
                StoreError::corrupt(format!("SQLite database {name}"), e)
            }
            e => sql::backend(e),
        },
    }
}

#[async_trait]
impl LedgerStore for SqliteStore {
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
                "INSERT INTO gdpr_documents (controller, kind, id, version, body) VALUES (?, ?, ?, 1, ?) \
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
                "UPDATE gdpr_documents SET version = ?, body = ? \
                 WHERE controller = ? AND kind = ? AND id = ? AND version = ?",
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
        .map_err(self.err())?;
        if done.rows_affected() == 1 {
            return Ok(next);
        }
        // Nothing written: say why, from what is there now (versions only grow).
        Err(sql::refused_put(key, expected, self.document_version(scope, key).await?))
    }

    async fn get_document(&self, scope: Scope, key: DocumentKey) -> Result<Option<Stored>, StoreError> {
        let row = sqlx::query("SELECT version, body FROM gdpr_documents WHERE controller = ? AND kind = ? AND id = ?")
            .bind(controller(scope))
            .bind(key.kind.as_str())
            .bind(key.id)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.err())?;
        let Some(row) = row else { return Ok(None) };
        let version: i64 = row.try_get(0).map_err(self.err())?;
        let body: String = row.try_get(1).map_err(self.err())?;
        Ok(Some(Stored { key, version: sql::stored_version(key, version)?, body: sql::json_value(key, &body)? }))
    }

    async fn list_documents(&self, scope: Scope, kind: DocumentKind) -> Result<Vec<Stored>, StoreError> {
        let rows =
            sqlx::query("SELECT id, version, body FROM gdpr_documents WHERE controller = ? AND kind = ? ORDER BY id")
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(self.err())?;
        rows.into_iter()
            .map(|row| {
                let id: Uuid = row.try_get(0).map_err(self.err())?;
                let version: i64 = row.try_get(1).map_err(self.err())?;
                let body: String = row.try_get(2).map_err(self.err())?;
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(self.err())?;
        let found: Option<i64> =
            sqlx::query_scalar("SELECT version FROM gdpr_streams WHERE controller = ? AND kind = ? AND id = ?")
                .bind(controller(scope))
                .bind(stream.kind.as_str())
                .bind(stream.id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(self.err())?;
        let found = found.map(|v| sql::stored_version(stream, v)).transpose()?.unwrap_or(Version::NONE);
        if found != expected {
            return Err(sql::refused_append(stream, expected, found));
        }
        let (rows, next) = sql::numbered_events(stream, expected, events)?;
        sqlx::query(
            "INSERT INTO gdpr_streams (controller, kind, id, version) VALUES (?, ?, ?, ?) \
             ON CONFLICT (controller, kind, id) DO UPDATE SET version = excluded.version",
        )
        .bind(controller(scope))
        .bind(stream.kind.as_str())
        .bind(stream.id)
        .bind(sql::count_param(stream, next.get())?)
        .execute(&mut *tx)
        .await
        .map_err(self.err())?;
        for (seq, body) in rows {
            sqlx::query(
                "INSERT INTO gdpr_events (controller, stream_kind, stream_id, seq, body) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(controller(scope))
            .bind(stream.kind.as_str())
            .bind(stream.id)
            .bind(seq)
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(self.err())?;
        }
        tx.commit().await.map_err(self.err())?;
        Ok(next)
    }

    async fn read_events(&self, scope: Scope, stream: StreamKey) -> Result<Vec<serde_json::Value>, StoreError> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM gdpr_events WHERE controller = ? AND stream_kind = ? AND stream_id = ? ORDER BY seq",
        )
        .bind(controller(scope))
        .bind(stream.kind.as_str())
        .bind(stream.id)
        .fetch_all(&self.pool)
        .await
        .map_err(self.err())?;
        bodies.iter().map(|b| sql::json_value(stream, b)).collect()
    }

    async fn list_streams(&self, scope: Scope, kind: StreamKind) -> Result<Vec<StreamKey>, StoreError> {
        let ids: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM gdpr_streams WHERE controller = ? AND kind = ? ORDER BY id")
                .bind(controller(scope))
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(self.err())?;
        Ok(ids.into_iter().map(|id| StreamKey { kind, id }).collect())
    }
}

#[async_trait]
impl AuditLog for SqliteStore {
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(self.err())?;
        let last =
            sqlx::query("SELECT sequence, hash FROM gdpr_audit WHERE controller = ? ORDER BY sequence DESC LIMIT 1")
                .bind(controller(scope))
                .fetch_optional(&mut *tx)
                .await
                .map_err(self.err())?;
        let (sequence, previous) = match last {
            None => (1, Digest::GENESIS),
            Some(row) => {
                let sequence: i64 = row.try_get(0).map_err(self.err())?;
                let hash: Vec<u8> = row.try_get(1).map_err(self.err())?;
                let what = format!("audit record {sequence} of {scope}");
                (sql::stored_u64(&what, sequence)?.saturating_add(1), sql::stored_digest(&what, &hash)?)
            }
        };
        let record = AuditRecord::seal(sequence, previous, entry)?;
        let text = sql::audit_entry_text(&record)?;
        sqlx::query("INSERT INTO gdpr_audit (controller, sequence, previous, hash, entry) VALUES (?, ?, ?, ?, ?)")
            .bind(controller(scope))
            .bind(sql::count_param("audit sequence", record.sequence)?)
            .bind(record.previous.as_bytes().as_slice())
            .bind(record.hash.as_bytes().as_slice())
            .bind(text)
            .execute(&mut *tx)
            .await
            .map_err(self.err())?;
        tx.commit().await.map_err(self.err())?;
        Ok(record)
    }

    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let Ok(after) = i64::try_from(after) else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT sequence, previous, hash, entry FROM gdpr_audit \
             WHERE controller = ? AND sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(controller(scope))
        .bind(after)
        .bind(sql::limit_param(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(self.err())?;
        rows.into_iter()
            .map(|row| {
                let sequence: i64 = row.try_get(0).map_err(self.err())?;
                let previous: Vec<u8> = row.try_get(1).map_err(self.err())?;
                let hash: Vec<u8> = row.try_get(2).map_err(self.err())?;
                let entry: String = row.try_get(3).map_err(self.err())?;
                sql::stored_audit_record(sequence, &previous, &hash, &entry)
            })
            .collect()
    }
}
