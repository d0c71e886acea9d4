//! The compliance ledger and the audit log in one SQLite file (feature `sqlite`): the embedded
//! default, for a single machine, a newcomer, and the examples.
//!
//! [`SqliteStore`] implements both [`LedgerStore`] and [`AuditLog`] over one file in WAL mode
//! (readers never wait for the writer), created with its schema on first open, or over the
//! application's own pool ([`SqliteStore::from_pool`]), its tables under a prefix of the
//! application's choice beside the application's own ([`SqliteOptions`]). The schema is
//! versioned and checksummed: a file written by a newer version of the crate, or whose applied
//! migrations differ from those shipped, is refused ([`StoreError::Schema`]), never downgraded.
//! SQLite is bundled (compiled in): nothing needs to be installed.
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
use sqlx::sqlite::SqlitePoolOptions;

pub use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions as ConnectOptions, SqliteJournalMode as JournalMode};

use super::sql::ledger::{self, Engine};
use super::sql::{self, Component, Migration, Naming, migrations};
#[cfg(doc)]
use super::{AuditLog, LedgerStore};
use super::{Digest, Migrations, Scope, StoreError, TableLayout};

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
    naming: Naming,
    migrations: Migrations,
}

/// How a [`SqliteStore`] treats its database: whether it applies its migrations when opened
/// ([`Migrations`]) and what its tables are called (a table prefix).
///
/// # Example
/// ```
/// use gdpr_obligations::store::Migrations;
/// use gdpr_obligations::store::sqlite::SqliteOptions;
///
/// let options = SqliteOptions::new().table_prefix("privacy_")?.migrations(Migrations::Verify);
/// assert!(SqliteOptions::new().table_prefix("Privacy; DROP TABLE x").is_err());
/// # Ok::<(), gdpr_obligations::store::StoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SqliteOptions {
    migrations: Migrations,
    prefix: Option<String>,
}

impl SqliteOptions {
    /// The defaults: apply the migrations at open, tables named `gdpr_*`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the store applies its migrations when opened ([`Migrations::Apply`], the
    /// default) or only checks them ([`Migrations::Verify`]).
    pub fn migrations(mut self, migrations: Migrations) -> Self {
        self.migrations = migrations;
        self
    }

    /// Names the crate's tables and indexes `{prefix}documents`, `{prefix}audit`, ... in place
    /// of `gdpr_documents`, ..., so that they sit beside the application's own tables in its
    /// database. Use the same prefix every time the database is opened.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] unless `prefix` is 1 to 32 ASCII lower-case letters, digits and
    /// underscores, starting with a letter (and not with `sqlite`, SQLite's own names).
    pub fn table_prefix(mut self, prefix: &str) -> Result<Self, StoreError> {
        let invalid = |reason: String| StoreError::Invalid { what: "SQLite table prefix".to_owned(), reason };
        super::schema::check_identifier("table prefix", prefix, 32).map_err(invalid)?;
        if prefix.starts_with("sqlite") {
            return Err(invalid("names starting with `sqlite` are SQLite's own".to_owned()));
        }
        self.prefix = Some(prefix.to_owned());
        Ok(self)
    }

    fn naming(&self) -> Naming {
        self.prefix.as_deref().map(Naming::prefix).unwrap_or_default()
    }
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
    /// [`StoreError::Corrupt`] when the file is not a SQLite database or is damaged;
    /// [`StoreError::Schema`] when its schema is newer than this crate's (written by a newer
    /// version: upgrade the crate), an applied migration was modified, or it holds tables of
    /// the names the crate would create that the crate did not create (a database of the
    /// application's with other tables is fine); [`StoreError::Backend`] when it cannot be
    /// opened or created (a missing folder, no permission).
    ///
    /// # Panics
    /// Outside a tokio runtime with timers enabled (the driver needs them).
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, SqliteOptions::new()).await
    }

    /// Opens the database at `path` as [`open`](Self::open) does (creating the file when it does
    /// not exist, in WAL mode, with the crate's own pool), with `options`: the crate's tables
    /// under a table prefix, and the migrations applied or only verified. The file may hold the
    /// application's own tables.
    ///
    /// # Errors
    /// As [`open`](Self::open); [`StoreError::Schema`] also when `options` say
    /// [`Migrations::Verify`] and migrations are missing.
    ///
    /// # Panics
    /// Outside a tokio runtime with timers enabled (the driver needs them).
    pub async fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let connect = ConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(JournalMode::Wal)
            .pragma("secure_delete", "ON")
            .busy_timeout(BUSY_TIMEOUT);
        // Processes opening a new file at once race to make it a WAL database, and SQLite
        // answers the losers "database is locked" at once, without its busy handler: such an
        // open is tried again (the file is then in WAL mode, and the migrations take the write
        // lock with the busy timeout) until the busy timeout has passed.
        let started = std::time::Instant::now();
        loop {
            let opened = match SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .after_release(|conn, _| Box::pin(async move { consistent(conn).await }))
                .connect_with(connect.clone())
                .await
            {
                Ok(pool) => Self::opened(pool, name.clone(), &options).await,
                Err(e) => Err(error(&name, e)),
            };
            match opened {
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                other => return other,
            }
        }
    }

    /// The store on a pool the application already has, for the crate's tables to live in the
    /// application's own SQLite database, applying or verifying the migrations as `options`
    /// say. The pool is used as it is: the crate changes no setting of its connections.
    ///
    /// What the crate expects of the pool's connections, which the application sets on its
    /// `SqliteConnectOptions` (the crate's own [`open`](Self::open) sets all three):
    /// - WAL journal mode (`journal_mode(SqliteJournalMode::Wal)`): without it, a write waits
    ///   for every reader and readers for the writer;
    /// - a busy timeout (`busy_timeout(..)`, sqlx's default is 5 s): without it, a write that
    ///   meets another connection's write fails at once with a retryable
    ///   [`StoreError::Backend`] (`database is locked`);
    /// - `secure_delete` on (`pragma("secure_delete", "ON")`) where the pool holds the
    ///   [`ChatHistory`](super::chat::ChatHistory): without it, what an erasure deletes stays
    ///   in the file's free pages until SQLite reuses them (Art. 17), even after the
    ///   write-ahead log is truncated.
    ///
    /// The pool type is sqlx's ([`SqlitePool`], re-exported here): the application's sqlx must
    /// be the same major version as the crate's (0.9).
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the schema is newer than this crate's, an applied migration
    /// was modified, the database holds tables of the names the crate would create, or (under
    /// [`Migrations::Verify`]) migrations are missing; [`StoreError::Backend`] when SQLite fails.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::store::sqlite::{SqliteOptions, SqlitePool, SqliteStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let app = SqlitePool::connect("sqlite::memory:").await?; // the application's pool
    /// sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY)").execute(&app).await?;
    /// let store = SqliteStore::from_pool(app.clone(), SqliteOptions::new().table_prefix("privacy_")?).await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn from_pool(pool: SqlitePool, options: SqliteOptions) -> Result<Self, StoreError> {
        let name = pool.connect_options().get_filename().display().to_string();
        Self::opened(pool, name, &options).await
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
        let options = ConnectOptions::new().in_memory(true).pragma("secure_delete", "ON").busy_timeout(BUSY_TIMEOUT);
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
        Self::opened(pool, name, &SqliteOptions::new()).await
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

    async fn opened(pool: SqlitePool, name: String, options: &SqliteOptions) -> Result<Self, StoreError> {
        let store = SqliteStore { pool, name, naming: options.naming(), migrations: options.migrations };
        store.schema(&[Component::Core], store.migrations).await?;
        Ok(store)
    }

    /// Applies the migrations the database lacks: those of the ledger, audit log and change
    /// feed, and those of the [`ChatHistory`](super::chat::ChatHistory) tables when the
    /// database has them. The explicit step for a deployment whose runtime opens the store with
    /// [`Migrations::Verify`]: run it from the deploy step, with a role that may create tables.
    /// Applying what is applied already does nothing.
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the schema is newer than this crate's, an applied migration
    /// was modified, or the database holds tables of the names the crate would create;
    /// [`StoreError::Backend`] when SQLite fails (nothing is applied then).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.schema(&[Component::Core], Migrations::Apply).await
    }

    /// Applies (or verifies) the migrations of `wanted` and of the components present, in one
    /// transaction that holds the write lock, so two processes opening a new file at once do
    /// not both create it.
    async fn schema(&self, wanted: &[Component], mode: Migrations) -> Result<(), StoreError> {
        let tx = self.begin_write().await?;
        let what = format!("SQLite database {}", self.name);
        ledger::sqlite::migrate(tx, &self.naming, &what, wanted, mode, TableLayout::Plain, |e| self.error(e)).await
    }

    /// Brings the chat history's tables into the schema as the store's mode says (applies or
    /// verifies them), for [`ChatHistory::sqlite`](super::chat::ChatHistory::sqlite).
    pub(crate) async fn chat_schema(&self) -> Result<(), StoreError> {
        self.schema(&[Component::Core, Component::Chat], self.migrations).await
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
    let started = std::time::Instant::now();
    loop {
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(pool).await.map_err(|e| error(&name, e))?;
        // (busy, frames in the log, frames checkpointed): busy is 1 when readers or a writer kept
        // the checkpoint from completing within the busy timeout, and also, at once and without
        // the busy handler, when another connection was running a checkpoint of its own (SQLite
        // runs one at a time): two erasures on one file, each truncating after its commit. That
        // one ends soon, so the checkpoint runs again until the busy timeout has passed.
        let busy: i64 = row.try_get(0).map_err(|e| error(&name, e))?;
        if busy == 0 {
            return Ok(());
        }
        if started.elapsed() >= BUSY_TIMEOUT {
            return Err(StoreError::Backend { store: "sqlite", source: Box::new(WalKept { database: name }) });
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Whether `e` is SQLite's "database is locked" (`SQLITE_BUSY`, primary code 5).
fn is_busy(e: &StoreError) -> bool {
    let StoreError::Backend { source, .. } = e else { return false };
    source
        .downcast_ref::<sqlx::Error>()
        .and_then(sqlx::Error::as_database_error)
        .and_then(|d| d.code())
        .is_some_and(|code| code.parse::<i32>().is_ok_and(|c| c & 0xff == 5))
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
    const RELATION: &'static str = "SELECT name FROM sqlite_schema WHERE name = $1 AND $2 IS NULL";
    const COLUMN: &'static str = "SELECT count(*) FROM pragma_table_info($1) WHERE name = $3 AND $2 IS NULL";
    const CREATE_MIGRATIONS_TABLE: &'static str = "CREATE TABLE gdpr_schema_migrations (
                     version     INTEGER PRIMARY KEY,
                     description TEXT NOT NULL,
                     applied_at  TEXT NOT NULL,
                     checksum    TEXT
                 )";
    const NOW: &'static str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    const RENAMES_MIGRATIONS: bool = true;

    fn naming(&self) -> &Naming {
        &self.naming
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
        let last = sqlx::query(
            self.sql("SELECT sequence, hash FROM gdpr_audit WHERE controller = $1 ORDER BY sequence DESC LIMIT 1"),
        )
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
