//! Helpers shared by the integration tests.
// `allow`, not `expect`: each test binary that includes this module uses a different part.
#![allow(dead_code)]

use std::fmt::Debug;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Invariant 9: the value round-trips through JSON, and the type's JSON Schema accepts what it
/// serialises.
pub(crate) fn assert_json_contract<T>(value: &T)
where
    T: Serialize + DeserializeOwned + JsonSchema + PartialEq + Debug,
{
    let json = serde_json::to_value(value).expect("serialises");
    let back: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(&back, value, "round trip through {json}");
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema serialises");
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("invalid schema {schema}: {e}"));
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "schema of {} rejects {json}: {errors:?}", std::any::type_name::<T>());
}

/// The type's JSON Schema rejects `json`.
pub(crate) fn assert_schema_rejects<T: JsonSchema>(json: &serde_json::Value) {
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema serialises");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    assert!(!validator.is_valid(json), "schema of {} accepts {json}", std::any::type_name::<T>());
}

/// Whether this run is CI's: `CI` is set to anything but empty, `0` or `false` (`.ci/run` and
/// the usual CI services set `CI=true`). There a test that cannot run fails instead of skipping.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// Says in one line on stderr that `test` skips because of `why` (how to run it: `how`), or
/// fails instead in CI and when `required_var` is `required`, where a skip would pass unseen.
pub(crate) fn skip_unless_required(test: &str, why: &str, required_var: &str, how: &str) {
    let required = std::env::var(required_var).is_ok_and(|v| v == "required");
    assert!(
        !(in_ci() || required),
        "{test} cannot run here ({why}), and a skip is a failure in CI or with {required_var}=required: {how}"
    );
    // Straight to stderr: the test harness captures `eprintln!`.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{test}: skipped, {why} ({how})");
}

/// The test PostgreSQL's URL, from `GDPR_TEST_POSTGRES_URL` (which `scripts/with-postgres` sets).
/// Without it: `None`, after saying once per test binary that `test` skips PostgreSQL, or a
/// failure in CI (see [`in_ci`]), where a skipped backend would pass unseen.
pub(crate) fn postgres_url(test: &str) -> Option<String> {
    const URL_VAR: &str = "GDPR_TEST_POSTGRES_URL";
    static SKIPPED: std::sync::Once = std::sync::Once::new();
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if in_ci() => {
            panic!("{URL_VAR} is not set and CI is: run the PostgreSQL tests through scripts/with-postgres")
        }
        _ => {
            // Straight to stderr: the test harness captures `eprintln!`.
            SKIPPED.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "{test}: PostgreSQL skipped, {URL_VAR} is not set (run `scripts/with-postgres cargo test --all-features`)"
                );
            });
            None
        }
    }
}

// --- ids in database dumps ---------------------------------------------------------------------

/// Every UUID in `text` (hyphenated, or as 32 hex digits as SQLite's `hex()` prints one).
pub(crate) fn uuids(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let at = |len: usize, hyphens: &[usize]| {
            b.len() - i >= len
                && (0..len).all(|j| if hyphens.contains(&j) { b[i + j] == b'-' } else { b[i + j].is_ascii_hexdigit() })
        };
        let len = if at(36, &[8, 13, 18, 23]) {
            36
        } else if at(32, &[]) {
            32
        } else {
            0
        };
        if len > 0 && (i == 0 || !b[i - 1].is_ascii_hexdigit()) {
            out.push(&text[i..i + len]);
            i += len;
        } else {
            i += 1;
        }
    }
    out
}

/// A UUID in one spelling: 32 lower-case hex digits.
pub(crate) fn canonical(id: &str) -> String {
    id.replace('-', "").to_lowercase()
}

/// `text` with every UUID that `known` (canonical spellings) does not hold replaced by
/// `<new id>`: the ids a run draws differ between runs, the others must not.
pub(crate) fn normalise(text: &str, known: &std::collections::BTreeSet<String>) -> String {
    let mut out = text.to_owned();
    for id in uuids(text) {
        if !known.contains(&canonical(id)) {
            out = out.replace(id, "<new id>");
        }
    }
    out
}

// --- fault injection through `testkit::faults::Faulty` ----------------------------------------

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use gdpr_obligations::store::StoreError;
use gdpr_obligations::testkit::faults::{Call, Phase};

/// The error a failed call gives: the connection lost.
pub(crate) fn reset() -> StoreError {
    StoreError::Backend { store: "faulty", source: "connection reset".into() }
}

/// A `Faulty` hook that fails the calls among `calls` whose number (from 1, counting those
/// calls only) `strikes` picks: before the call is made, or, with `after`, a write after it was
/// carried out (a crash after the commit, before its caller heard of it). The flag says
/// whether it has struck.
pub(crate) fn failing(
    calls: &'static [Call],
    after: bool,
    strikes: impl Fn(usize) -> bool + Send + Sync + 'static,
) -> (impl Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync + 'static, Arc<AtomicBool>) {
    let (count, pending, struck) = (AtomicUsize::new(0), AtomicBool::new(false), Arc::new(AtomicBool::new(false)));
    let flag = struck.clone();
    let hook = move |call: Call, phase: Phase| {
        if !calls.contains(&call) {
            return Ok(());
        }
        match phase {
            Phase::Before => {
                if !strikes(count.fetch_add(1, Ordering::SeqCst) + 1) {
                    return Ok(());
                }
                flag.store(true, Ordering::SeqCst);
                if after && call.writes() {
                    pending.store(true, Ordering::SeqCst);
                    Ok(())
                } else {
                    Err(reset())
                }
            }
            Phase::After if pending.swap(false, Ordering::SeqCst) => Err(reset()),
            Phase::After => Ok(()),
        }
    };
    (hook, struck)
}

/// What a [`Tripwire`] does at its point: abort the process, turn a file system read-only...
pub(crate) type Fault = Box<dyn Fn() + Send + Sync>;

/// Counts the writes that pass through the `Faulty` wrappers sharing it, and runs its fault at
/// point `at`: point `2k - 1` is just before the k-th write, point `2k` just after it.
pub(crate) struct Tripwire {
    pub points: AtomicUsize,
    fault: Option<(usize, Fault)>,
}

impl Tripwire {
    pub(crate) fn new(fault: Option<(usize, Fault)>) -> Arc<Self> {
        Arc::new(Tripwire { points: AtomicUsize::new(0), fault })
    }

    /// The hook for a `Faulty` wrapper: a point before and after each write.
    pub(crate) fn hook(self: &Arc<Self>) -> impl Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync + 'static {
        let wire = self.clone();
        move |call: Call, _: Phase| {
            if call.writes() {
                wire.point();
            }
            Ok(())
        }
    }

    fn point(&self) {
        let n = self.points.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((at, fault)) = &self.fault
            && *at == n
        {
            fault();
        }
    }
}

/// The number of cases for a property or model-based test: `PROPTEST_CASES` when it is set (as
/// before an issue that touches a state machine or a store is resolved, at 10,000), else the
/// test's own small default, sized for CI.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

// --- stores on a pool the application hands over ------------------------------------------------

/// The table prefix of the crate's tables in an application's SQLite database, in the tests.
pub(crate) const APP_PREFIX: &str = "privacy_";

/// The PostgreSQL schema of the crate's tables beside an application's, in the tests.
pub(crate) const APP_SCHEMA: &str = "privacy_it";

/// An application's own SQLite pool on the file at `path` (created), with the settings the
/// crate documents for a pool it is handed (WAL, a busy timeout, `secure_delete`), and a table
/// of the application's own holding one row (`app_invoices`: id 1, total 9.5).
#[cfg(feature = "sqlite")]
pub(crate) async fn sqlite_app_pool(path: &std::path::Path) -> gdpr_obligations::store::sqlite::SqlitePool {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(10))
        .pragma("secure_delete", "ON");
    let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS app_invoices (id INTEGER PRIMARY KEY, total REAL); \
         INSERT OR IGNORE INTO app_invoices VALUES (1, 9.5);",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool
}

/// The crate's store on an application's pool ([`sqlite_app_pool`]), its tables prefixed
/// [`APP_PREFIX`], migrations applied at open.
#[cfg(feature = "sqlite")]
pub(crate) async fn sqlite_app_store(path: &std::path::Path) -> gdpr_obligations::store::sqlite::SqliteStore {
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    let options = SqliteOptions::new().table_prefix(APP_PREFIX).unwrap();
    SqliteStore::from_pool(sqlite_app_pool(path).await, options).await.unwrap()
}

/// The application's table in a SQLite or PostgreSQL database, as it must stay: one row.
pub(crate) const APP_ROWS: [(i64, f64); 1] = [(1, 9.5)];

/// An application's own PostgreSQL pool at `url`, with a table of its own (`app_invoices`,
/// id 1, total 9.5) in its current schema.
#[cfg(feature = "postgres")]
pub(crate) async fn postgres_app_pool(url: &str) -> gdpr_obligations::store::postgres::PgPool {
    let pool = gdpr_obligations::store::postgres::PgPool::connect(url).await.unwrap();
    // Concurrent tests create it once: the same advisory lock the crate's migrations are not.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(42)").execute(&mut *tx).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS app_invoices (id bigint PRIMARY KEY, total float8); \
         INSERT INTO app_invoices VALUES (1, 9.5) ON CONFLICT DO NOTHING;",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    pool
}

/// The crate's store on an application's pool ([`postgres_app_pool`]), its tables in the
/// schema [`APP_SCHEMA`], migrations applied at open.
#[cfg(feature = "postgres")]
pub(crate) async fn postgres_app_store(url: &str) -> gdpr_obligations::store::postgres::PostgresStore {
    use gdpr_obligations::store::postgres::{PostgresOptions, PostgresStore};
    let options = PostgresOptions::new().schema(APP_SCHEMA).unwrap();
    PostgresStore::from_pool(postgres_app_pool(url).await, options).await.unwrap()
}

/// The PostgreSQL schema of the crate's tables hash-partitioned by controller, in the tests.
pub(crate) const PARTITIONED_SCHEMA: &str = "gdpr_partitioned_it";

/// How many partitions each table has in [`PARTITIONED_SCHEMA`]: several, so that the
/// controllers of a test fall into different ones.
pub(crate) const PARTITIONS: u16 = 4;

/// The crate's store with its tables in the schema [`PARTITIONED_SCHEMA`], each
/// hash-partitioned by controller into [`PARTITIONS`] partitions, migrations applied at open.
#[cfg(feature = "postgres")]
pub(crate) async fn postgres_partitioned_store(url: &str) -> gdpr_obligations::store::postgres::PostgresStore {
    use gdpr_obligations::store::postgres::{PostgresOptions, PostgresStore};
    let options = PostgresOptions::new().schema(PARTITIONED_SCHEMA).unwrap().partitioned(PARTITIONS).unwrap();
    PostgresStore::connect_with(url, options).await.unwrap()
}

/// The crate's store, its tables prefixed [`APP_PREFIX`], on an application's pool of one
/// connection to a database in memory (it lives as long as the pool), beside a table of the
/// application's own: for tests that make many stores and leave no files.
#[cfg(feature = "sqlite")]
pub(crate) async fn sqlite_app_memory_store() -> gdpr_obligations::store::sqlite::SqliteStore {
    use gdpr_obligations::store::sqlite::{SqliteOptions, SqliteStore};
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(SqliteConnectOptions::new().in_memory(true))
        .await
        .unwrap();
    sqlx::raw_sql(
        "CREATE TABLE app_invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO app_invoices VALUES (1, 9.5);",
    )
    .execute(&pool)
    .await
    .unwrap();
    let options = SqliteOptions::new().table_prefix(APP_PREFIX).unwrap();
    SqliteStore::from_pool(pool, options).await.unwrap()
}
