//! Partitioning and distributing the tables by controller: what the schema promises, read from
//! the databases' own catalogues, and what the statements the store runs touch.
//!
//! - Every primary key, unique constraint, foreign key and index of every crate table leads
//!   with `controller` (PostgreSQL in both layouts, and SQLite): what a distributed PostgreSQL
//!   (Citus) needs to distribute the tables by controller, and what hash partitioning by it
//!   needs. The one table exempt is `gdpr_schema_migrations`, the migrations' bookkeeping: it
//!   holds the schema's versions, not any controller's data, has no `controller` column, is
//!   read only when a store is opened, and stays one plain table (a Citus reference or local
//!   table).
//! - A schema keeps the layout it was created in: opened with the other one, it is refused.
//! - On tables hash-partitioned by controller, every statement of a subject's find, export and
//!   erasure, of the conversation page and of the retention sweep touches one partition of
//!   each table it reads or writes, read from `EXPLAIN` of the very statements the store runs
//!   (PostgreSQL's `auto_explain`, as a notice to the session), with custom and with generic
//!   plans.
//!
//! The PostgreSQL tests read the server's URL from `GDPR_TEST_POSTGRES_URL` (and the
//! superuser's, for `auto_explain`, from `GDPR_TEST_POSTGRES_ADMIN_URL`), both set by
//! `scripts/with-postgres`; without them they are skipped with one line saying so, except
//! under `CI=true`, where they fail.
#![cfg(any(feature = "sqlite", feature = "postgres"))]

#[cfg_attr(not(feature = "postgres"), allow(unused_imports, reason = "only the PostgreSQL tests use it"))]
use crate::common;

/// The table that holds the applied migrations: the one crate table without a controller.
const BOOKKEEPING: &str = "gdpr_schema_migrations";

/// Every crate table the migrations create, beside [`BOOKKEEPING`] (`gdpr_audit_heads` only in
/// PostgreSQL, where the audit chain's head is a row of its own).
const TABLES: [&str; 14] = [
    "gdpr_audit",
    "gdpr_audit_heads",
    "gdpr_chat_agents",
    "gdpr_chat_conversations",
    "gdpr_chat_lookup",
    "gdpr_chat_messages",
    "gdpr_chat_participants",
    "gdpr_chat_sweeps",
    "gdpr_chat_visitors",
    "gdpr_documents",
    "gdpr_events",
    "gdpr_feed",
    "gdpr_feed_heads",
    "gdpr_streams",
];

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn every_key_and_index_of_every_sqlite_table_leads_with_the_controller() {
    use gdpr_obligations::store::chat::ChatHistory;
    use gdpr_obligations::store::sqlite::SqliteStore;
    use sqlx::Connection as _;
    let dir = std::env::temp_dir().join(format!("gdpr-partitioning-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keys.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let key = gdpr_obligations::store::PseudonymKey::new(b"partitioning-test-key-0123456789ab").unwrap();
    ChatHistory::sqlite(&store, key).await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'gdpr!_%' ESCAPE '!'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut expected: Vec<&str> = TABLES.iter().copied().filter(|t| *t != "gdpr_audit_heads").collect();
    expected.push(BOOKKEEPING);
    expected.sort_unstable();
    let mut sorted = tables.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected);
    let mut checked = 0;
    for table in tables.iter().filter(|t| *t != BOOKKEEPING) {
        // The primary key's columns in key order.
        let pk: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(pk.first().map(String::as_str), Some("controller"), "{table}: primary key {pk:?}");
        // Every index (the primary key's, unique constraints' and the others) by its first column.
        let indexes: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_list($1)")
            .bind(table)
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for index in &indexes {
            let first: Option<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info($1) WHERE seqno = 0")
                .bind(index)
                .fetch_optional(&mut conn)
                .await
                .unwrap();
            assert_eq!(first.as_deref(), Some("controller"), "{table}: index {index}");
            checked += 1;
        }
        let foreign: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT seq, \"from\", \"to\" FROM pragma_foreign_key_list($1)")
                .bind(table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (seq, from, to) in foreign.iter().filter(|(seq, ..)| *seq == 0) {
            assert_eq!((from.as_str(), to.as_str()), ("controller", "controller"), "{table}: foreign key {seq}");
        }
    }
    assert!(checked >= 12, "every table has its key's index, and three more indexes: {checked}");
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(BOOKKEEPING)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(!columns.iter().any(|c| c == "controller"), "the bookkeeping holds no controller's data");
    conn.close().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::{BOOKKEEPING, TABLES, common};

    use std::collections::{BTreeMap, BTreeSet};
    use std::num::NonZeroUsize;
    use std::sync::{Arc, Mutex};

    use chrono::{DateTime, Utc};
    use gdpr_obligations::erasure::ErasurePolicy;
    use gdpr_obligations::fulfil::Sweep;
    use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
    use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
    use gdpr_obligations::store::chat::{ChatHistory, Sender};
    use gdpr_obligations::store::postgres::{PgPool, PostgresOptions, PostgresStore};
    use gdpr_obligations::store::{
        LedgerStoreExt as _, Migrations, PersonalDataSource, PseudonymKey, RetentionSource, SchemaError, Scope,
        StoreError, SweepId, TableLayout, Version,
    };
    use gdpr_obligations::vocab::{DataCategory, Purpose};
    use sqlx::Connection as _;
    use sqlx::postgres::{PgConnection, PgPoolOptions};

    fn url() -> Option<String> {
        common::postgres_url("partitioning")
    }

    fn key() -> PseudonymKey {
        PseudonymKey::new(b"partitioning-test-key-0123456789ab").unwrap()
    }

    /// A fresh schema name of the test's own.
    fn fresh_schema(what: &str) -> String {
        format!("gdpr_{what}_{}", uuid::Uuid::now_v7().simple())
    }

    async fn drop_schema(url: &str, schema: &str) {
        let mut admin = PgConnection::connect(url).await.unwrap();
        let sql = format!("DROP SCHEMA \"{schema}\" CASCADE");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
        admin.close().await.unwrap();
    }

    /// A key or foreign key: its table, name, kind (`p`, `u`, `f`), first column and the first
    /// column it references.
    type Constraint = (String, String, String, Option<String>, Option<String>);

    fn schema_problem<T: std::fmt::Debug>(got: Result<T, StoreError>) -> SchemaError {
        match got {
            Err(StoreError::Schema { problem, .. }) => problem,
            other => panic!("expected StoreError::Schema, got {other:?}"),
        }
    }

    /// The crate's tables of `schema` that are partitioned, with their partitions' count.
    async fn partitioned_tables(pool: &PgPool, schema: &str) -> BTreeMap<String, i64> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT c.relname::text, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind = 'p'",
        )
        .bind(schema)
        .fetch_all(pool)
        .await
        .unwrap();
        rows.into_iter().collect()
    }

    /// A schema keeps the layout its migrations were first applied in: opened with another, it
    /// is refused whether the store applies or verifies, and nothing is rewritten; the
    /// checksums recorded are those of the migrations as shipped, in both layouts.
    #[tokio::test]
    async fn a_schema_keeps_the_layout_it_was_created_in() {
        let Some(url) = url() else { return };
        let pool = PgPool::connect(&url).await.unwrap();
        let four = TableLayout::hash_by_controller(4).unwrap();
        let (plain, split) = (fresh_schema("plain"), fresh_schema("split"));
        let options = |schema: &str, layout: TableLayout| PostgresOptions::new().schema(schema).unwrap().layout(layout);

        // Unpartitioned, with the chat tables: never rewritten into partitions.
        let store = PostgresStore::from_pool(pool.clone(), options(&plain, TableLayout::Plain)).await.unwrap();
        ChatHistory::postgres(&store, key()).await.unwrap();
        for mode in [Migrations::Apply, Migrations::Verify] {
            let got = PostgresStore::from_pool(pool.clone(), options(&plain, four).migrations(mode)).await;
            assert_eq!(schema_problem(got), SchemaError::Layout { found: TableLayout::Plain, wanted: four });
        }
        assert!(partitioned_tables(&pool, &plain).await.is_empty(), "nothing was partitioned");

        // Partitioned: opened unpartitioned or with another number of partitions, refused.
        let deploy = PostgresStore::from_pool(pool.clone(), options(&split, four)).await.unwrap();
        deploy.migrate().await.unwrap();
        let runtime =
            PostgresStore::from_pool(pool.clone(), options(&split, four).migrations(Migrations::Verify)).await.unwrap();
        let problem = schema_problem(ChatHistory::postgres(&runtime, key()).await);
        assert_eq!(problem, SchemaError::NotMigrated { missing: vec![2, 4, 5, 6] });
        ChatHistory::postgres(&deploy, key()).await.unwrap();
        ChatHistory::postgres(&runtime, key()).await.unwrap();
        let eight = TableLayout::hash_by_controller(8).unwrap();
        for (wanted, mode) in [
            (TableLayout::Plain, Migrations::Apply),
            (TableLayout::Plain, Migrations::Verify),
            (eight, Migrations::Apply),
        ] {
            let got = PostgresStore::from_pool(pool.clone(), options(&split, wanted).migrations(mode)).await;
            assert_eq!(schema_problem(got), SchemaError::Layout { found: four, wanted });
        }
        let error = schema_problem(PostgresStore::from_pool(pool.clone(), options(&split, TableLayout::Plain)).await);
        let message = error.to_string();
        assert!(message.contains("hash-partitioned by controller into 4 partitions"), "{message}");
        assert!(message.contains("copy the rows"), "says what to do: {message}");

        let partitioned = partitioned_tables(&pool, &split).await;
        let expected: BTreeMap<String, i64> = TABLES.iter().map(|t| ((*t).to_owned(), 4)).collect();
        assert_eq!(partitioned, expected, "every crate table, in 4 partitions");
        let sums = |schema: &str| {
            let sql = format!("SELECT version, checksum FROM \"{schema}\".{BOOKKEEPING} ORDER BY version");
            let pool = pool.clone();
            async move { sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap() }
        };
        assert_eq!(sums(&plain).await, sums(&split).await, "the checksums are of the migrations as shipped");
        let sql = format!("SELECT DISTINCT layout FROM \"{split}\".{BOOKKEEPING}");
        let layouts: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap();
        assert_eq!(layouts, ["hash(controller) 4"]);
        pool.close().await;
        drop_schema(&url, &plain).await;
        drop_schema(&url, &split).await;
    }

    #[test]
    fn a_layout_has_1_to_1024_partitions() {
        assert!(matches!(TableLayout::hash_by_controller(0), Err(StoreError::Invalid { .. })));
        assert!(matches!(TableLayout::hash_by_controller(1025), Err(StoreError::Invalid { .. })));
        assert_eq!(TableLayout::hash_by_controller(1024).unwrap().partitions(), 1024);
        assert!(PostgresOptions::new().partitioned(0).is_err());
        assert_eq!(TableLayout::Plain.to_string(), "unpartitioned");
    }

    /// Every primary key, unique constraint, foreign key and index of every crate table (and,
    /// partitioned, of every partition) leads with `controller`, in both layouts; partitioned,
    /// every table is partitioned by a hash of `controller` alone. The bookkeeping table is
    /// exempt (see the module's documentation): it has no `controller` and is not partitioned.
    #[tokio::test]
    async fn every_key_and_index_of_every_postgres_table_leads_with_the_controller() {
        let Some(url) = url() else { return };
        let pool = PgPool::connect(&url).await.unwrap();
        for layout in [TableLayout::Plain, TableLayout::hash_by_controller(3).unwrap()] {
            let schema = fresh_schema("keys");
            let options = PostgresOptions::new().schema(&schema).unwrap().layout(layout);
            let store = PostgresStore::from_pool(pool.clone(), options).await.unwrap();
            ChatHistory::postgres(&store, key()).await.unwrap();

            let tables: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT c.relname::text, c.relkind::text, c.relispartition FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
            )
            .bind(&schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            let parents: BTreeSet<&str> =
                tables.iter().filter(|(.., part)| !part).map(|(name, ..)| name.as_str()).collect();
            let mut expected: BTreeSet<&str> = TABLES.into_iter().collect();
            expected.insert(BOOKKEEPING);
            assert_eq!(parents, expected, "{layout}");
            let partitions = tables.iter().filter(|(.., part)| *part).count();
            assert_eq!(
                partitions,
                TABLES.len() * usize::from(layout.partitions() * u16::from(layout != TableLayout::Plain))
            );
            for (name, kind, _) in &tables {
                let want = if name == BOOKKEEPING
                    || layout == TableLayout::Plain
                    || name.contains("_p") && !TABLES.contains(&name.as_str())
                {
                    "r"
                } else {
                    "p"
                };
                assert_eq!(kind, want, "{layout}: {name}");
            }

            // Indexes: primary keys, unique constraints and the others, by their first column.
            let indexes: Vec<(String, String, bool, bool, Option<String>)> = sqlx::query_as(
                "SELECT t.relname::text, ic.relname::text, i.indisprimary, i.indisunique, a.attname::text \
                 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] \
                 WHERE n.nspname = $1",
            )
            .bind(&schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut keyed = BTreeSet::new();
            for (table, index, primary, _unique, first) in &indexes {
                if table == BOOKKEEPING {
                    continue;
                }
                assert_eq!(first.as_deref(), Some("controller"), "{layout}: {table}: index {index}");
                if *primary {
                    keyed.insert(table.as_str());
                }
            }
            assert_eq!(keyed.len(), tables.len() - 1, "{layout}: every table but the bookkeeping has a primary key");
            assert!(indexes.len() >= tables.len() + 3, "{layout}: the three secondary indexes are there");

            // Constraints: primary keys, unique constraints and foreign keys (both ends).
            let constraints: Vec<Constraint> = sqlx::query_as(
                "SELECT t.relname::text, k.conname::text, k.contype::text, a.attname::text, fa.attname::text \
                 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 LEFT JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
                 LEFT JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1] \
                 WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'f')",
            )
            .bind(&schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            assert!(!constraints.is_empty());
            for (table, name, kind, first, referenced) in &constraints {
                if table == BOOKKEEPING {
                    continue;
                }
                assert_eq!(first.as_deref(), Some("controller"), "{layout}: {table}: constraint {name}");
                if kind == "f" {
                    assert_eq!(referenced.as_deref(), Some("controller"), "{layout}: {table}: foreign key {name}");
                }
            }

            // Partitioned: by a hash of `controller` alone.
            let keys: Vec<(String, String, i16, Option<String>)> = sqlx::query_as(
                "SELECT c.relname::text, p.partstrat::text, p.partnatts, a.attname::text FROM pg_partitioned_table p \
                 JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] WHERE n.nspname = $1",
            )
            .bind(&schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            let want = if layout == TableLayout::Plain { 0 } else { TABLES.len() };
            assert_eq!(keys.len(), want, "{layout}");
            for (table, strategy, columns, column) in &keys {
                assert_eq!((strategy.as_str(), *columns, column.as_deref()), ("h", 1, Some("controller")), "{table}");
            }

            let columns: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
            )
            .bind(&schema)
            .bind(BOOKKEEPING)
            .fetch_all(&pool)
            .await
            .unwrap();
            assert!(!columns.iter().any(|c| c == "controller"), "the bookkeeping holds no controller's data");
            drop_schema(&url, &schema).await;
        }
        pool.close().await;
    }

    // --- what the statements touch ---------------------------------------------------------

    /// The plans `auto_explain` sent as notices, as the driver logs them.
    static PLANS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.target() == "sqlx::postgres::notice"
        }

        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                let text = record.args().to_string();
                if text.contains("\"Plan\"") {
                    PLANS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(text);
                }
            }
        }

        fn flush(&self) {}
    }

    fn capture() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            log::set_logger(&Capture).expect("no other logger in the test binary");
            log::set_max_level(log::LevelFilter::Info);
        });
    }

    /// The plans captured since the last call, as (statement, partitions touched per table),
    /// counting the partitions an `UPDATE` or `DELETE` names as its targets unless `targets` is
    /// false.
    fn take_plans(schema: &str, targets: bool) -> Vec<(String, BTreeMap<String, BTreeSet<String>>)> {
        let texts = std::mem::take(&mut *PLANS.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut out = Vec::new();
        for text in texts {
            let Some(start) = text.find('{') else { continue };
            let plan: serde_json::Value = serde_json::Deserializer::from_str(&text[start..])
                .into_iter()
                .next()
                .and_then(Result::ok)
                .unwrap_or_else(|| panic!("a plan that does not parse: {text}"));
            let statement = plan["Query Text"].as_str().unwrap_or_default().to_owned();
            let mut touched: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            relations(&plan["Plan"], schema, targets, &mut touched);
            out.push((statement, touched));
        }
        out
    }

    /// Every relation of the schema a plan node (or its children, and a modification's targets
    /// if `targets`) names: partitions `gdpr_x_pN` under their table `gdpr_x`.
    fn relations(node: &serde_json::Value, schema: &str, targets: bool, out: &mut BTreeMap<String, BTreeSet<String>>) {
        match node {
            serde_json::Value::Object(map) => {
                if let (Some(name), Some(s)) = (map.get("Relation Name").and_then(|v| v.as_str()), map.get("Schema"))
                    && s.as_str() == Some(schema)
                    && let Some((table, n)) = name.rsplit_once("_p")
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && TABLES.contains(&table)
                {
                    out.entry(table.to_owned()).or_default().insert(n.to_owned());
                }
                for (key, value) in map {
                    if targets || key != "Target Tables" {
                        relations(value, schema, targets, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| relations(v, schema, targets, out)),
            _ => {}
        }
    }

    fn email(s: &str) -> SubjectIdentifier {
        SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
    }

    /// Every statement of a subject's find, export and erasure, of the conversation page and of
    /// the retention sweep, run on tables hash-partitioned by controller with several
    /// controllers' data, touches one partition of each table it reads or writes, and all of
    /// them the controller's: read from `EXPLAIN` of each statement as run (`auto_explain`
    /// with every statement's plan sent to the session), once with the plans PostgreSQL makes
    /// for the values bound (partitions pruned when planning) and once with generic plans
    /// (pruned when the executor starts).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn subject_queries_the_page_and_the_sweep_touch_one_partition() {
        let Some(_) = url() else { return };
        let Some(admin) = std::env::var("GDPR_TEST_POSTGRES_ADMIN_URL").ok().filter(|v| !v.is_empty()) else {
            common::skip_unless_required(
                "subject_queries_the_page_and_the_sweep_touch_one_partition",
                "GDPR_TEST_POSTGRES_ADMIN_URL is not set (loading auto_explain needs the superuser)",
                "GDPR_TEST_POSTGRES_URL",
                "run it through scripts/with-postgres, which sets it",
            );
            return;
        };
        capture();
        let schema = fresh_schema("explain");
        for mode in ["force_custom_plan", "force_generic_plan"] {
            let settings = format!(
                "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_format = json; \
                 SET auto_explain.log_level = notice; SET auto_explain.log_nested_statements = on; \
                 SET auto_explain.log_verbose = on; \
                 SET client_min_messages = notice; SET plan_cache_mode = {mode}"
            );
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .after_connect(move |conn, _| {
                    let settings = settings.clone();
                    Box::pin(async move {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(settings)).execute(conn).await?;
                        Ok(())
                    })
                })
                .connect(&admin)
                .await
                .unwrap();
            let options = PostgresOptions::new().schema(&schema).unwrap().partitioned(common::PARTITIONS).unwrap();
            let store = PostgresStore::from_pool(pool.clone(), options).await.unwrap();
            let chat = Arc::new(
                ChatHistory::postgres(&store, key()).await.unwrap().with_page_size(NonZeroUsize::new(2).unwrap()),
            );
            let at: DateTime<Utc> = "2024-03-02T10:00:00Z".parse().unwrap();
            // Several controllers, each with visitors, conversations and messages.
            let scopes: Vec<Scope> = (0..6).map(|_| Scope::of(PartyId::generate())).collect();
            for (n, scope) in scopes.iter().enumerate() {
                for v in 0..3 {
                    let visitor =
                        chat.add_visitor(*scope, Token::new(&format!("tok-{n}-{v}")).unwrap(), at).await.unwrap();
                    chat.add_identifier(*scope, visitor, email(&format!("v{v}@c{n}.example")), at).await.unwrap();
                    for _ in 0..3 {
                        let talk = chat.start_conversation(*scope, visitor, at).await.unwrap();
                        let text = Text::new(&format!("hello from v{v}@c{n}.example")).unwrap();
                        chat.post(*scope, talk, Sender::Visitor(visitor), text, vec![], at).await.unwrap();
                        chat.post(
                            *scope,
                            talk,
                            Sender::Agent(Text::new("Jana").unwrap()),
                            Text::new("hi").unwrap(),
                            vec![],
                            at,
                        )
                        .await
                        .unwrap();
                    }
                }
                let policy = RetentionPolicy::new(
                    Purpose::CustomerCare,
                    DataCategory::CommunicationContent,
                    RetentionPeriod::FromCollection { months: 12 },
                )
                .unwrap();
                store.put(*scope, &policy, Version::NONE).await.unwrap();
            }
            let _ = take_plans(&schema, true);
            // A generic plan of an `UPDATE` or `DELETE` reads one partition (the others are
            // pruned when the executor starts: "Subplans Removed"), but PostgreSQL up to 17
            // still names every partition as a target (and opens it); custom plans, which the
            // server prefers here since a generic plan costs every partition, name one.
            let targets = mode == "force_custom_plan";

            let scope = scopes[0];
            let subject = [email("v1@c0.example")];
            let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
            let mut check = |what: &'static str| {
                let plans = take_plans(&schema, targets);
                assert!(!plans.is_empty(), "{mode}: {what} ran no statement auto_explain saw");
                let mut own: BTreeSet<String> = BTreeSet::new();
                for (statement, touched) in &plans {
                    for (table, partitions) in touched {
                        assert_eq!(
                            partitions.len(),
                            1,
                            "{mode}: {what}: a statement touches {} partitions of {table} ({partitions:?}): {statement}",
                            partitions.len()
                        );
                        own.extend(partitions.iter().cloned());
                    }
                }
                assert!(own.len() <= 1, "{mode}: {what}: statements touch partitions {own:?} of one controller");
                let touching = plans.iter().filter(|(_, t)| !t.is_empty()).count();
                assert!(touching > 0, "{mode}: {what}: no statement read a partition");
                *checked.entry(what).or_default() += touching;
            };

            let found = chat.find(scope, &subject).await.unwrap();
            assert!(!found.is_empty());
            check("find");
            let mut export = chat.export(scope, &subject).await.unwrap();
            let mut items = 0;
            while let Some(item) = futures_util::StreamExt::next(&mut export).await {
                item.unwrap();
                items += 1;
            }
            drop(export);
            assert!(items > 0);
            check("export");
            let page = chat.conversation_page(scope, None, NonZeroUsize::new(2).unwrap()).await.unwrap();
            let _ = chat.conversation_page(scope, page.next, NonZeroUsize::new(2).unwrap()).await.unwrap();
            check("conversation page");
            chat.erase(scope, &subject, &ErasurePolicy::default()).await.unwrap();
            check("erase");
            let now: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
            let sources: Vec<Arc<dyn RetentionSource>> = vec![chat.clone()];
            let sweep = Sweep::new(scope, &store, &store, sources).with_batch_size(NonZeroUsize::new(4).unwrap());
            let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now).await.unwrap();
            assert!(report.complete, "{report:?}");
            check("sweep");
            assert_eq!(checked.len(), 5);
            store.close().await;
            pool.close().await;
        }
        drop_schema(&admin, &schema).await;
    }
}
