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

use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::sql::ledger::{self, Engine};
use super::sql::{self, Migration, migrations};
#[cfg(doc)]
use super::{AuditLog, LedgerStore};
use super::{Digest, Scope, StoreError};

/// SQLite's primary result codes for a file that is not a database, or a damaged one.
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

/// How long a writer waits for another connection's write to finish before failing with
/// [`StoreError::Backend`]; also how long [`SqliteStore::truncate_wal`] (and so an erasure)
/// waits for readers still reading pages of the write-ahead log, while SQLite retries.
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
            .pragma("secure_delete", "ON")
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
        let options =
            SqliteConnectOptions::new().in_memory(true).pragma("secure_delete", "ON").busy_timeout(BUSY_TIMEOUT);
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

    /// Copies every page of the write-ahead log into the database file and truncates the log
    /// (the `-wal` file) to zero bytes, so that what deleted rows held is gone from both files
    /// (Art. 17). Every connection the store opens has `secure_delete` on: SQLite overwrites a
    /// deleted row with zeros in its page, but until a checkpoint the log still holds the page
    /// as it was, in clear. The chat history calls this after each erasure, record erasure and
    /// rectification it commits; SQLite also checkpoints on its own once the log has grown to
    /// 1000 pages, and when the last connection closes. A store in memory has no files: this
    /// does nothing.
    ///
    /// It waits up to ten seconds, as a writer waits for the lock, for readers that still read
    /// pages of the log (an export streamed page by page holds one read transaction), while
    /// SQLite retries; it never claims a truncation that did not happen.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when readers kept the log busy for that long (the erased data
    /// stay in the `-wal` file until a later checkpoint completes: call this again once the
    /// readers are done), or when SQLite fails.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::store::sqlite::SqliteStore;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let path = std::env::temp_dir().join(format!("gdpr-doc-{}.sqlite", uuid::Uuid::now_v7()));
    /// let store = SqliteStore::open(&path).await?;
    /// store.truncate_wal().await?;
    /// let wal = std::fs::metadata(format!("{}-wal", path.display()))?;
    /// assert_eq!(wal.len(), 0);
    /// # store.close().await;
    /// # for suffix in ["", "-wal", "-shm"] {
    /// #     let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn truncate_wal(&self) -> Result<(), StoreError> {
        truncate_wal(&self.pool).await
    }

    async fn migrated(pool: SqlitePool, name: String) -> Result<Self, StoreError> {
        let store = SqliteStore { pool, name };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations this file lacks, in one transaction that holds the write lock,
    /// so two processes opening a new file at once do not both create it.
    async fn migrate(&self) -> Result<(), StoreError> {
        let tx = self.begin_write().await?;
        ledger::sqlite::migrate(tx, &format!("SQLite database {}", self.name), |e| self.error(e)).await
    }
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

/// Checkpoints the write-ahead log of the database of `pool` in `TRUNCATE` mode: see
/// [`SqliteStore::truncate_wal`].
pub(crate) async fn truncate_wal(pool: &SqlitePool) -> Result<(), StoreError> {
    let options = pool.connect_options();
    if options.get_filename() == Path::new(":memory:") {
        return Ok(());
    }
    let name = options.get_filename().display().to_string();
    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(pool).await.map_err(|e| error(&name, e))?;
    // (busy, frames in the log, frames checkpointed): busy is 1 when readers or a writer kept
    // the checkpoint from completing within the busy timeout.
    let busy: i64 = row.try_get(0).map_err(|e| error(&name, e))?;
    if busy != 0 {
        return Err(StoreError::Backend { store: "sqlite", source: Box::new(WalKept { database: name }) });
    }
    Ok(())
}

/// A checkpoint that readers or a writer kept from completing within [`BUSY_TIMEOUT`].
#[derive(Debug)]
struct WalKept {
    database: String,
}

impl fmt::Display for WalKept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "other connections kept the write-ahead log of SQLite database {} busy for {} s: the last write is \
             committed, but what it erased stays in the `-wal` file until a checkpoint completes (Art. 17); \
             call `SqliteStore::truncate_wal` once they are done",
            self.database,
            BUSY_TIMEOUT.as_secs()
        )
    }
}

impl std::error::Error for WalKept {}

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
            e => sql::backend("sqlite", e),
        },
    }
}

impl Engine for SqliteStore {
    type Db = sqlx::Sqlite;

    const MIGRATIONS: &'static [Migration] = migrations!("sqlite");
    const TABLES: &'static str =
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
    const CREATE_MIGRATIONS_TABLE: &'static str = "CREATE TABLE gdpr_schema_migrations (
                     version     INTEGER PRIMARY KEY,
                     description TEXT NOT NULL,
                     applied_at  TEXT NOT NULL
                 )";
    const NOW: &'static str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    fn foreign(tables: &str) -> String {
        format!(
            "it is not a gdpr-obligations database: it holds other tables ({tables}) and no {}; \
             open a new or empty file",
            sql::MIGRATIONS_TABLE
        )
    }

    /// The pool, also for the chat history kept in the same file.
    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn error(&self, e: sqlx::Error) -> StoreError {
        error(&self.name, e)
    }

    /// `BEGIN IMMEDIATE`: SQLite's one write lock, taken before the first read.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(|e| self.error(e))
    }

    /// The chain's last row, read under the write lock.
    async fn audit_head(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        scope: Scope,
    ) -> Result<(u64, Digest), StoreError> {
        let last =
            sqlx::query("SELECT sequence, hash FROM gdpr_audit WHERE controller = $1 ORDER BY sequence DESC LIMIT 1")
                .bind(sql::controller(scope))
                .fetch_optional(&mut **tx)
                .await
                .map_err(|e| self.error(e))?;
        let Some(row) = last else { return Ok((0, Digest::GENESIS)) };
        let sequence: i64 = row.try_get(0).map_err(|e| self.error(e))?;
        let hash: Vec<u8> = row.try_get(1).map_err(|e| self.error(e))?;
        let what = format!("audit record {sequence} of {scope}");
        Ok((sql::stored_u64(&what, sequence)?, sql::stored_digest(&what, &hash)?))
    }

    /// Nothing: the chain's last row is its head.
    async fn audit_advance(
        &self,
        _: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        _: Scope,
        _: i64,
        _: &Digest,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}
