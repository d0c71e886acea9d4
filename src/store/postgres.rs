//! The compliance ledger and the audit log on PostgreSQL (feature `postgres`): for deployments
//! that outgrow one machine.
//!
//! [`PostgresStore`] implements both [`LedgerStore`] and [`AuditLog`]. Its tables (prefixed
//! `gdpr_`, in the connection's current schema or in a schema of their own, see
//! [`PostgresOptions`]) have primary keys and indexes that start with the controller, so that
//! they can be hash-partitioned by controller ([`PostgresOptions::partitioned`], chosen when the
//! migrations are first applied) or distributed by it (e.g. with Citus) without a redesign:
//! every statement reads and writes one controller's rows. The store connects itself
//! or takes the application's pool ([`PostgresStore::from_pool`]). The schema is versioned and
//! checksummed, and brought up to date on connect (or only verified, for a role that does no
//! DDL), under an advisory lock so that many workers may start at once; a database whose schema
//! is newer than the crate, or whose applied migrations differ from those shipped, is refused
//! ([`StoreError::Schema`]), never downgraded.
//!
//! With the feature `postgres-tls` the driver speaks TLS (rustls, with Mozilla's root
//! certificates built in), set up by the URL as with libpq: `sslmode=verify-full` (check the
//! certificate and the host name; use it in production), `verify-ca` (the certificate only),
//! `require` (encrypt, check nothing), `prefer` (the default: TLS when the server offers it) or
//! `disable`, and `sslrootcert=/path/to/ca.pem` for a CA of your own (AWS RDS, Cloud SQL).
//! Without that feature it talks plain: `prefer` falls back to plain, and `require` and the
//! `verify-*` modes are refused. The store runs on tokio: call it from within a tokio runtime with its timers and IO
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

pub use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{Connection, Row};

use super::sql::ledger::{self, Engine};
use super::sql::{self, Component, Migration, Naming, migrations};
#[cfg(doc)]
use super::{AuditLog, LedgerStore};
use super::{Digest, Migrations, Scope, StoreError, TableLayout};

/// The advisory lock that serialises migrations ("gdpr_obl" in ASCII).
const MIGRATION_LOCK: i64 = 0x6764_7072_5f6f_626c;

/// The rewrite of each of the chat history's tables, which hold the personal data an erasure
/// removes.
const VACUUM_CHAT: [&str; 5] = [
    "VACUUM (FULL) gdpr_chat_visitors",
    "VACUUM (FULL) gdpr_chat_lookup",
    "VACUUM (FULL) gdpr_chat_conversations",
    "VACUUM (FULL) gdpr_chat_participants",
    "VACUUM (FULL) gdpr_chat_messages",
];

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
///
/// # What an erasure leaves on disk (Art. 17)
/// A row deleted or updated by an erasure of the chat history is gone from every query when the
/// erasure commits, but PostgreSQL keeps its bytes: in a dead tuple of the table's file until
/// `VACUUM` removes it, and even then in the page's free space until a later row overwrites
/// it; and in the write-ahead log (`pg_wal`) until its segments are recycled, in WAL archives,
/// replicas' logs and base backups for as long as those are kept. [`vacuum_erased`]
/// rewrites the chat history's tables and their indexes (`VACUUM (FULL)`), so that the erased
/// rows are gone from the data files; the log, archives and backups need the deployment's own
/// retention (expire old WAL archives and backups on a schedule; a restore must re-apply the
/// erasures made since, which the chat history recognises by their keyed hashes).
///
/// [`vacuum_erased`]: Self::vacuum_erased
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    naming: Naming,
    migrations: Migrations,
    layout: TableLayout,
}

/// How a [`PostgresStore`] treats its database: whether it applies its migrations when opened
/// ([`Migrations`]), in which schema its tables are, and how they are laid out
/// ([`TableLayout`]: one table each, or hash-partitioned by controller).
///
/// # Example
/// ```
/// use gdpr_obligations::store::Migrations;
/// use gdpr_obligations::store::postgres::PostgresOptions;
///
/// let options = PostgresOptions::new().schema("privacy")?.migrations(Migrations::Verify);
/// assert!(PostgresOptions::new().schema("pg_catalog").is_err());
/// let partitioned = PostgresOptions::new().schema("privacy")?.partitioned(16)?;
/// # Ok::<(), gdpr_obligations::store::StoreError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct PostgresOptions {
    migrations: Migrations,
    schema: Option<String>,
    layout: TableLayout,
}

impl PostgresOptions {
    /// The defaults: apply the migrations at open, tables in the connection's current schema
    /// (the first of its `search_path`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the store applies its migrations when opened ([`Migrations::Apply`], the
    /// default) or only checks them ([`Migrations::Verify`]).
    pub fn migrations(mut self, migrations: Migrations) -> Self {
        self.migrations = migrations;
        self
    }

    /// Keeps the crate's tables in the schema `schema`, beside the application's: every
    /// statement names its tables qualified by it, so the connections' `search_path` is never
    /// changed. Applying the migrations creates the schema when it does not exist (the role
    /// then needs the `CREATE` privilege on the database; or create it beforehand).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] unless `schema` is 1 to 63 ASCII lower-case letters, digits and
    /// underscores, starting with a letter, and not a name PostgreSQL reserves (`pg_*`,
    /// `information_schema`).
    pub fn schema(mut self, schema: &str) -> Result<Self, StoreError> {
        let invalid = |reason: String| StoreError::Invalid { what: "PostgreSQL schema".to_owned(), reason };
        super::schema::check_identifier("schema name", schema, 63).map_err(invalid)?;
        if schema.starts_with("pg_") || schema == "information_schema" {
            return Err(invalid("the name is reserved by PostgreSQL".to_owned()));
        }
        self.schema = Some(schema.to_owned());
        Ok(self)
    }

    /// Lays the tables out as `layout` says. The layout is chosen when the migrations are first
    /// applied, and recorded with them: a store opened later must say the same layout, or it is
    /// refused with [`SchemaError::Layout`](super::SchemaError::Layout), whether it applies or
    /// verifies; tables already created are never rewritten into another layout.
    pub fn layout(mut self, layout: TableLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Every table (all but the table of applied migrations) `PARTITION BY HASH (controller)`
    /// in `partitions` partitions, as [`layout`](Self::layout) with
    /// [`TableLayout::hash_by_controller`]: every operation reads and writes one controller's
    /// rows, so it touches one partition of each table it reads, and each partition's indexes
    /// and vacuum follow a share of the controllers. Every key and index leads with
    /// `controller`, so the same tables can later be distributed by it (Citus).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] unless `partitions` is 1 to [`TableLayout::MAX_PARTITIONS`].
    pub fn partitioned(self, partitions: u16) -> Result<Self, StoreError> {
        Ok(self.layout(TableLayout::hash_by_controller(partitions)?))
    }

    fn naming(&self) -> Naming {
        self.schema.as_deref().map(Naming::schema).unwrap_or_default()
    }
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
    /// reached or refuses the login (or, over TLS, when the server's certificate does not verify as
    /// `sslmode` demands, or when the URL demands TLS and the build lacks the feature
    /// `postgres-tls`; the message names the cause, never the URL);
    /// [`StoreError::Schema`] when the database's schema is newer than this crate's (upgrade
    /// the crate), an applied migration was modified, or the schema holds tables of the names
    /// the crate would create that it did not create.
    ///
    /// # Panics
    /// Outside a tokio runtime with timers and IO enabled (the driver needs them).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, PostgresOptions::new()).await
    }

    /// Connects as [`connect`](Self::connect) does, with `options`: the crate's tables in a
    /// schema of their own, and the migrations applied or only verified.
    ///
    /// # Errors
    /// As [`connect`](Self::connect); [`StoreError::Schema`] also when `options` say
    /// [`Migrations::Verify`] and migrations are missing.
    ///
    /// # Panics
    /// Outside a tokio runtime with timers and IO enabled (the driver needs them).
    pub async fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, StoreError> {
        let naming = options.naming();
        let url_options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid { what: "PostgreSQL connection URL".to_owned(), reason: e.to_string() })?;
        let url_options = match url_options.get_application_name() {
            Some(_) => url_options,
            None => url_options.application_name("gdpr-obligations"),
        };
        // One connection first, to migrate and to fail fast with the server's own answer (a
        // pool would retry until its timeout and report only that).
        let mut conn = PgConnection::connect_with(&url_options).await.map_err(error)?;
        schema(&mut conn, &naming, &[Component::Core], options.migrations, options.layout).await?;
        conn.close().await.map_err(error)?;
        let pool = PgPoolOptions::new().acquire_timeout(ACQUIRE_TIMEOUT).connect_lazy_with(url_options);
        Ok(PostgresStore { pool, naming, migrations: options.migrations, layout: options.layout })
    }

    /// The store on a pool the application already has (its TLS, credentials and pool
    /// settings), applying or verifying the migrations as `options` say. The pool is used as
    /// it is: the crate changes no setting of its connections (not their `search_path`: with
    /// [`PostgresOptions::schema`] every statement names the schema). Migrations hold a
    /// transaction-level advisory lock, so that many workers may start at once.
    ///
    /// The pool type is sqlx's ([`PgPool`], re-exported here): the application's sqlx must be
    /// the same major version as the crate's (0.9). The runtime needs timers and IO, as the
    /// driver does.
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the schema is newer than this crate's, an applied migration
    /// was modified, the schema holds tables of the names the crate would create, or (under
    /// [`Migrations::Verify`]) migrations are missing; [`StoreError::Backend`] when the server
    /// fails or refuses (e.g. a role without the privileges the migrations need).
    ///
    /// # Example
    /// ```no_run
    /// use gdpr_obligations::store::Migrations;
    /// use gdpr_obligations::store::postgres::{PgPool, PostgresOptions, PostgresStore};
    ///
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let app = PgPool::connect("postgres://app@db.internal/app?sslmode=verify-full").await?;
    /// // The deploy step, with a role that may create tables:
    /// let options = PostgresOptions::new().schema("privacy")?;
    /// PostgresStore::from_pool(app.clone(), options.clone()).await?.migrate().await?;
    /// // The service, whose role does no DDL:
    /// let store = PostgresStore::from_pool(app, options.migrations(Migrations::Verify)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn from_pool(pool: PgPool, options: PostgresOptions) -> Result<Self, StoreError> {
        let store =
            PostgresStore { pool, naming: options.naming(), migrations: options.migrations, layout: options.layout };
        store.schema(&[Component::Core], store.migrations).await?;
        Ok(store)
    }

    /// Applies the migrations the database lacks: those of the ledger, audit log and change
    /// feed, and those of the [`ChatHistory`](super::chat::ChatHistory) tables when the schema
    /// has them. The explicit step for a deployment whose runtime opens the store with
    /// [`Migrations::Verify`]: run it from the deploy step, with a role that may create tables
    /// (and the schema, if it does not exist). Applying what is applied already does nothing.
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the schema is newer than this crate's, an applied migration
    /// was modified, or the schema holds tables of the names the crate would create;
    /// [`StoreError::Backend`] when the server fails or refuses (nothing is applied then).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.schema(&[Component::Core], Migrations::Apply).await
    }

    async fn schema(&self, wanted: &[Component], mode: Migrations) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(error)?;
        schema(&mut conn, &self.naming, wanted, mode, self.layout).await
    }

    /// Brings the chat history's tables into the schema as the store's mode says (applies or
    /// verifies them), for [`ChatHistory::postgres`](super::chat::ChatHistory::postgres).
    pub(crate) async fn chat_schema(&self) -> Result<(), StoreError> {
        self.schema(&[Component::Core, Component::Chat], self.migrations).await
    }

    /// Rewrites the chat history's tables (`gdpr_chat_*`) and their indexes with `VACUUM
    /// (FULL)`, one table at a time, so that rows erased from them (Art. 17) are gone from the
    /// database's data files, not only from every query: a plain `VACUUM`, as autovacuum runs,
    /// only marks their space free and leaves their bytes in it. Each table is locked
    /// exclusively while it is rewritten (chat reads and writes wait), and needs room for a
    /// second copy of itself: run it as maintenance at a quiet time, e.g. after a retention
    /// sweep. A row that a transaction still running may see (one that began before the
    /// erasure committed) is copied, as PostgreSQL must; it is gone at the next call after that
    /// transaction ends. It cannot reach the write-ahead log, WAL archives or backups (see the
    /// type's documentation).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the server refuses (the connecting role must own the
    /// tables, as the role that created them does) or fails; the tables rewritten before stay
    /// rewritten.
    ///
    /// # Example
    /// ```no_run
    /// use gdpr_obligations::store::postgres::PostgresStore;
    ///
    /// # async fn demo() -> Result<(), gdpr_obligations::store::StoreError> {
    /// let store = PostgresStore::connect("postgres://gdpr@127.0.0.1:5432/gdpr").await?;
    /// // ... erasures and the nightly retention sweep ...
    /// store.vacuum_erased().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn vacuum_erased(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(error)?;
        for vacuum in VACUUM_CHAT {
            // VACUUM cannot run in a transaction: one statement per simple query.
            sqlx::raw_sql(self.sql(vacuum)).execute(&mut *conn).await.map_err(error)?;
        }
        Ok(())
    }

    /// Closes the store's connections, waiting for operations in progress to finish.
    /// Operations on this store or its clones after this fail with [`StoreError::Backend`].
    /// Dropping every clone also closes the connections, in the background.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Applies (or verifies) the migrations the database lacks, in one transaction holding an
/// advisory lock, so workers starting together migrate once. With a schema configured, applying
/// creates it when it does not exist and runs the migrations' SQL with it as the transaction's
/// `search_path` (`SET LOCAL`: the connection's own is back when the transaction ends).
async fn schema(
    conn: &mut PgConnection,
    naming: &Naming,
    wanted: &[Component],
    mode: Migrations,
    layout: TableLayout,
) -> Result<(), StoreError> {
    let mut tx = conn.begin().await.map_err(error)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await.map_err(error)?;
    if let (Some(schema), Migrations::Apply) = (naming.schema_name(), mode) {
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1")
            .bind(schema)
            .fetch_optional(&mut *tx)
            .await
            .map_err(error)?;
        // The schema name is a checked identifier (lower-case letters, digits, `_`): quoting it is enough.
        if exists.is_none() {
            let create = format!("CREATE SCHEMA \"{schema}\"");
            sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut *tx).await.map_err(error)?;
        }
        let path = format!("SET LOCAL search_path TO \"{schema}\"");
        sqlx::raw_sql(sqlx::AssertSqlSafe(path)).execute(&mut *tx).await.map_err(error)?;
    }
    ledger::postgres::migrate(tx, naming, "PostgreSQL database", wanted, mode, layout, error).await
}

/// Maps a driver error: a value that does not decode as its column's type is
/// [`StoreError::Corrupt`]; the rest is [`StoreError::Backend`].
pub(crate) fn error(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => StoreError::corrupt("PostgreSQL database", e),
        e => sql::backend("postgres", e),
    }
}

impl Engine for PostgresStore {
    type Db = sqlx::Postgres;

    const MIGRATIONS: &'static [Migration] = migrations!("postgres");
    const RELATION: &'static str = "SELECT c.relname::text FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = COALESCE($2, current_schema()) AND c.relname = $1";
    const COLUMN: &'static str = "SELECT count(*) FROM information_schema.columns \
         WHERE table_schema = COALESCE($2, current_schema()) AND table_name = $1 AND column_name = $3";
    const CREATE_MIGRATIONS_TABLE: &'static str = "CREATE TABLE gdpr_schema_migrations (
                 version     bigint PRIMARY KEY,
                 description text NOT NULL,
                 applied_at  timestamptz NOT NULL DEFAULT now(),
                 checksum    text
             )";
    const NOW: &'static str = "now()";
    const RENAMES_MIGRATIONS: bool = false;

    fn naming(&self) -> &Naming {
        &self.naming
    }

    /// The pool, also for the chat history kept in the same database.
    fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn error(&self, e: sqlx::Error) -> StoreError {
        error(e)
    }

    /// A plain transaction: the compare-and-swap updates lock the rows they change.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.map_err(error)
    }

    /// The controller's head row, created if needed and locked (the no-op update takes the row
    /// lock) until the transaction ends: one appender per controller at a time, from any number
    /// of processes.
    async fn audit_head(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        scope: Scope,
    ) -> Result<(u64, Digest), StoreError> {
        let head = sqlx::query(self.sql(
            "INSERT INTO gdpr_audit_heads AS h (controller, sequence, hash) VALUES ($1, 0, $2) \
             ON CONFLICT (controller) DO UPDATE SET sequence = h.sequence \
             RETURNING sequence, hash",
        ))
        .bind(sql::controller(scope))
        .bind(Digest::GENESIS.as_bytes().as_slice())
        .fetch_one(&mut **tx)
        .await
        .map_err(error)?;
        let last: i64 = head.try_get(0).map_err(error)?;
        let hash: Vec<u8> = head.try_get(1).map_err(error)?;
        let what = format!("audit head of {scope}");
        Ok((sql::stored_u64(&what, last)?, sql::stored_digest(&what, &hash)?))
    }

    /// Moves the head row to the record appended.
    async fn audit_advance(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        scope: Scope,
        sequence: i64,
        hash: &Digest,
    ) -> Result<(), StoreError> {
        sqlx::query(self.sql("UPDATE gdpr_audit_heads SET sequence = $2, hash = $3 WHERE controller = $1"))
            .bind(sql::controller(scope))
            .bind(sequence)
            .bind(hash.as_bytes().as_slice())
            .execute(&mut **tx)
            .await
            .map_err(error)?;
        Ok(())
    }
}
