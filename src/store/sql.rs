//! What the SQL backends share: the ledger's and audit log's statements, written once for
//! both engines ([`ledger`]), conversions between the store's types and column values, the
//! compare-and-swap verdicts of the in-memory reference, and the schema-version check.
//!
//! The decisions made around the SQL are here, once, so both engines behave like
//! [`memory`](super::memory); each engine's own file keeps only what differs.

pub(crate) mod ledger;

use std::fmt;

use uuid::Uuid;

use super::{AuditRecord, Digest, DocumentKey, SchemaError, Scope, StoreError, StreamKey, Version};

/// The name of the table holding the applied migrations, the same in both engines.
pub(crate) const MIGRATIONS_TABLE: &str = "gdpr_schema_migrations";

/// The part of the schema a migration belongs to: the ledger, audit log and change feed that
/// every store needs, or the tables of the reference [`ChatHistory`](super::chat::ChatHistory),
/// created only when an application uses it. Both share one sequence of versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    Core,
    Chat,
}

/// One versioned migration: its number, its component, a short description and its SQL (one
/// or more statements), applied in one transaction.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) component: Component,
    pub(crate) description: &'static str,
    pub(crate) sql: &'static str,
}

impl Migration {
    /// The SHA-256 of the SQL as shipped (before any renaming), in lower-case hex: what the
    /// table of applied migrations records, and compares on every open.
    pub(crate) fn checksum(&self) -> String {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(self.sql.as_bytes()))
    }

    /// The tables and indexes this migration creates, by their default names.
    pub(crate) fn creates(&self) -> Vec<&'static str> {
        created_relations(self.sql)
    }
}

/// The names after each `CREATE TABLE` and `CREATE INDEX` of `sql` (comments skipped).
fn created_relations(sql: &'static str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for line in sql.lines() {
        let line = line.trim_start();
        for head in ["CREATE TABLE ", "CREATE INDEX "] {
            if let Some(rest) = line.strip_prefix(head) {
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                out.push(&rest[..end]);
            }
        }
    }
    out
}

/// The SQL of a migration for tables hash-partitioned by controller into `partitions`
/// partitions: every `CREATE TABLE name (...)` of `sql` (at the start of a line) gains
/// `PARTITION BY HASH (controller)` and is followed by its partitions, `name_p0` to
/// `name_p{partitions - 1}`. Everything else (indexes, which PostgreSQL creates on every
/// partition, and data statements) is unchanged. Comments and quoted text are skipped when the
/// table's closing parenthesis is looked for.
pub(crate) fn partitioned(sql: &str, partitions: u16) -> String {
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql;
    while let Some((before, table, after)) = next_create_table(rest) {
        out.push_str(before);
        let Some(close) = closing_paren(after) else {
            // Not a statement this function understands: left as written, for PostgreSQL to judge.
            out.push_str(after);
            return out;
        };
        out.push_str(&after[..=close]);
        out.push_str(" PARTITION BY HASH (controller)");
        rest = &after[close + 1..];
        let end = rest.find(';').map_or(rest.len(), |i| i + 1);
        out.push_str(&rest[..end]);
        rest = &rest[end..];
        for i in 0..partitions {
            out.push_str(&format!(
                "\nCREATE TABLE {table}_p{i} PARTITION OF {table} FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i});"
            ));
        }
    }
    out.push_str(rest);
    out
}

/// The text before the next `CREATE TABLE` at the start of a line, the table's name, and the
/// text from the name on.
fn next_create_table(sql: &str) -> Option<(&str, &str, &str)> {
    const HEAD: &str = "CREATE TABLE ";
    let mut at = 0;
    loop {
        let found = at + sql[at..].find(HEAD)?;
        if found == 0 || sql.as_bytes()[found - 1] == b'\n' {
            let after = &sql[found + HEAD.len()..];
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            return Some((&sql[..found + HEAD.len()], &after[..end], after));
        }
        at = found + HEAD.len();
    }
}

/// The byte offset of the parenthesis that closes the first one opened in `sql`, skipping `--`
/// comments and quoted text.
fn closing_paren(sql: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i += sql[i..].find('\n').unwrap_or(sql.len() - i);
            }
            quote @ (b'\'' | b'"') => {
                i += 1 + sql[i + 1..].find(quote as char).unwrap_or(sql.len() - i - 1);
            }
            b'(' => depth += 1,
            b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The schema's migrations for the engine whose folder under `migrations/` is `$engine`: the
/// same versions and descriptions for both engines, each in its own dialect.
macro_rules! migrations {
    ($engine:literal) => {
        &[
            Migration {
                version: 1,
                component: $crate::store::sql::Component::Core,
                description: "ledger and audit log",
                sql: include_str!(concat!("../../migrations/", $engine, "/0001_ledger_and_audit.sql")),
            },
            Migration {
                version: 2,
                component: $crate::store::sql::Component::Chat,
                description: "chat history",
                sql: include_str!(concat!("../../migrations/", $engine, "/0002_chat.sql")),
            },
            Migration {
                version: 3,
                component: $crate::store::sql::Component::Core,
                description: "change feed",
                sql: include_str!(concat!("../../migrations/", $engine, "/0003_feed.sql")),
            },
            Migration {
                version: $crate::store::sql::CHAT_LOOKUPS_REBUILT,
                component: $crate::store::sql::Component::Chat,
                description: "chat lookup keys in one canonical form per identifier kind",
                sql: include_str!(concat!("../../migrations/", $engine, "/0004_canonical_identifiers.sql")),
            },
            Migration {
                version: 5,
                component: $crate::store::sql::Component::Chat,
                description: "chat agents",
                sql: include_str!(concat!("../../migrations/", $engine, "/0005_chat_agents.sql")),
            },
            Migration {
                version: 6,
                component: $crate::store::sql::Component::Chat,
                description: "chat sweep receipts",
                sql: include_str!(concat!("../../migrations/", $engine, "/0006_chat_sweep_receipts.sql")),
            },
        ]
    };
}
pub(crate) use migrations;

/// The schema version whose migration also runs a step in Rust, in the same transaction: it
/// rebuilds every chat lookup row of kinds `id` and `word` from the stored visitor bodies, so
/// that a database written before identifiers had one canonical form per kind finds its
/// visitors by every form of their identifiers.
pub(crate) const CHAT_LOOKUPS_REBUILT: i64 = 4;

/// The schema version a list of migrations leads to.
pub(crate) fn latest(migrations: &[Migration]) -> i64 {
    migrations.last().map_or(0, |m| m.version)
}

/// One row of the table of applied migrations: its version and the checksum recorded (none in
/// a table written before checksums were kept).
pub(crate) type Applied = (i64, Option<String>);

/// What to do with a schema whose applied migrations are `applied`, given the crate's
/// `known` migrations and the components wanted: the migrations to apply, in order (every
/// missing version of a component that is wanted or already present, not only those above
/// the newest applied), or why the schema is refused. A newer schema and a modified migration
/// are refused in every mode; `checksums_required` (under [`Migrations::Verify`]) also refuses
/// applied migrations without a checksum.
///
/// [`Migrations::Verify`]: super::Migrations::Verify
pub(crate) fn plan<'m>(
    known: &'m [Migration],
    applied: &[Applied],
    wanted: &[Component],
    checksums_required: bool,
) -> Result<Vec<&'m Migration>, SchemaError> {
    let newest = latest(known);
    if let Some(&(found, _)) = applied.iter().filter(|(v, _)| known.iter().all(|m| m.version != *v)).max() {
        return Err(SchemaError::Newer { found: found.max(newest), known: newest });
    }
    let mut unchecked = Vec::new();
    for (version, checksum) in applied {
        let Some(m) = known.iter().find(|m| m.version == *version) else { continue };
        match checksum {
            Some(c) if *c != m.checksum() => {
                return Err(SchemaError::Modified { version: m.version, description: m.description });
            }
            Some(_) => {}
            None => unchecked.push(m.version),
        }
    }
    if checksums_required && !unchecked.is_empty() {
        return Err(SchemaError::ChecksumsMissing { versions: unchecked });
    }
    let is_applied = |v: i64| applied.iter().any(|(a, _)| *a == v);
    let present = |c: Component| known.iter().any(|m| m.component == c && is_applied(m.version));
    Ok(known
        .iter()
        .filter(|m| !is_applied(m.version) && (wanted.contains(&m.component) || present(m.component)))
        .collect())
}

/// Where the crate's tables are: the default names (`gdpr_documents`, ... in the connection's
/// current schema), a SQLite table prefix in place of `gdpr_`, or a PostgreSQL schema that
/// qualifies every name. Every statement goes through [`sql`](Self::sql), written once with
/// the default names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Naming {
    /// What replaces `gdpr_` where a name starts, when the names are not the default.
    replacement: Option<std::sync::Arc<str>>,
    /// The PostgreSQL schema, if one is configured.
    schema: Option<std::sync::Arc<str>>,
}

/// The crate's own names start with this.
const DEFAULT_PREFIX: &str = "gdpr_";

impl Naming {
    /// Tables named `{prefix}documents` and so on, in place of `gdpr_documents`.
    #[cfg_attr(not(feature = "sqlite"), expect(dead_code, reason = "only SQLite has table prefixes"))]
    pub(crate) fn prefix(prefix: &str) -> Self {
        if prefix == DEFAULT_PREFIX {
            return Self::default();
        }
        Self { replacement: Some(prefix.into()), schema: None }
    }

    /// Tables under their default names in the PostgreSQL schema `schema`, which must be a
    /// checked identifier (it is quoted but not escaped).
    #[cfg_attr(not(any(feature = "postgres", test)), expect(dead_code, reason = "only PostgreSQL has schemas"))]
    pub(crate) fn schema(schema: &str) -> Self {
        Self { replacement: Some(format!("\"{schema}\".{DEFAULT_PREFIX}").into()), schema: Some(schema.into()) }
    }

    /// The PostgreSQL schema configured, if any (else the connection's current schema).
    pub(crate) fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// A statement written with the default names, renamed: the same text, borrowed, when the
    /// names are the default.
    pub(crate) fn sql(&self, statement: &'static str) -> sqlx::AssertSqlSafe<std::borrow::Cow<'static, str>> {
        sqlx::AssertSqlSafe(self.rewrite(statement))
    }

    /// Renames every name of `statement` that starts with `gdpr_` (at the start of a word).
    pub(crate) fn rewrite<'a>(&self, statement: &'a str) -> std::borrow::Cow<'a, str> {
        let Some(replacement) = &self.replacement else { return std::borrow::Cow::Borrowed(statement) };
        let bytes = statement.as_bytes();
        let mut out = String::with_capacity(statement.len() + 32);
        let mut copied = 0;
        let mut at = 0;
        while let Some(found) = statement[at..].find(DEFAULT_PREFIX) {
            let start = at + found;
            let word_start = start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
            if word_start {
                out.push_str(&statement[copied..start]);
                out.push_str(replacement);
                copied = start + DEFAULT_PREFIX.len();
            }
            at = start + DEFAULT_PREFIX.len();
        }
        out.push_str(&statement[copied..]);
        std::borrow::Cow::Owned(out)
    }

    /// A table's or index's name in the catalogue (without its schema).
    pub(crate) fn relation(&self, default: &str) -> String {
        match (&self.replacement, &self.schema) {
            (Some(prefix), None) => format!("{prefix}{}", default.strip_prefix(DEFAULT_PREFIX).unwrap_or(default)),
            _ => default.to_owned(),
        }
    }

    /// How errors name the schema: `what`, and the schema or prefix when not the default.
    pub(crate) fn describe(&self, what: &str) -> String {
        match (&self.replacement, &self.schema) {
            (_, Some(schema)) => format!("{what}, schema {schema}"),
            (Some(prefix), None) => format!("{what}, tables {prefix}*"),
            (None, None) => what.to_owned(),
        }
    }
}

/// The `controller` column of a scope's rows.
pub(crate) fn controller(scope: Scope) -> Uuid {
    scope.controller().as_uuid()
}

/// A version as a column value. Versions past `i64::MAX` cannot be stored, so no stored row
/// is at one: `-1` matches nothing (every stored version is at least 1).
pub(crate) fn version_param(v: Version) -> i64 {
    i64::try_from(v.get()).unwrap_or(-1)
}

/// A count or sequence number as a column value, refusing what does not fit.
pub(crate) fn count_param(what: impl fmt::Display, n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Invalid {
        what: what.to_string(),
        reason: format!("{n} is beyond what the database stores (at most {})", i64::MAX),
    })
}

/// A stored version or sequence number.
pub(crate) fn stored_u64(what: impl fmt::Display, n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::corrupt(what, format!("a negative number ({n}) is stored")))
}

/// A stored version.
pub(crate) fn stored_version(what: impl fmt::Display, n: i64) -> Result<Version, StoreError> {
    stored_u64(what, n).map(Version::new)
}

/// A JSON body as stored: its text.
pub(crate) fn json_text(what: impl fmt::Display, body: &serde_json::Value) -> Result<String, StoreError> {
    serde_json::to_string(body).map_err(|e| StoreError::Invalid { what: what.to_string(), reason: e.to_string() })
}

/// A stored JSON body.
pub(crate) fn json_value(what: impl fmt::Display, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, format!("the stored JSON does not parse: {e}")))
}

/// Why a document write that changed no row was refused, given the version now stored: the
/// verdicts of [`MemoryLedger`](super::memory::MemoryLedger).
pub(crate) fn refused_put(key: DocumentKey, expected: Version, current: Option<Version>) -> StoreError {
    match current {
        Some(_) if expected == Version::NONE => StoreError::Duplicate { what: key.to_string() },
        None => StoreError::NotFound { what: key.to_string() },
        Some(found) => StoreError::Conflict { what: key.to_string(), expected, found },
    }
}

/// Why an append at `expected` to a stream now at `found` was refused.
pub(crate) fn refused_append(stream: StreamKey, expected: Version, found: Version) -> StoreError {
    StoreError::Conflict { what: stream.to_string(), expected, found }
}

/// Refuses an empty append, as the reference does.
pub(crate) fn check_events(stream: StreamKey, events: &[serde_json::Value]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::Invalid { what: stream.to_string(), reason: "no events to append".to_owned() });
    }
    Ok(())
}

/// The texts of the events to append, each with its position in the stream (from
/// `expected + 1`), and the stream's version after them.
pub(crate) fn numbered_events(
    stream: StreamKey,
    expected: Version,
    events: &[serde_json::Value],
) -> Result<(Vec<(i64, String)>, Version), StoreError> {
    let next = expected.after(events.len());
    count_param(stream, next.get())?;
    let mut rows = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let seq = count_param(stream, expected.after(i + 1).get())?;
        rows.push((seq, json_text(stream, event)?));
    }
    Ok((rows, next))
}

/// A stored digest.
pub(crate) fn stored_digest(what: impl fmt::Display, bytes: &[u8]) -> Result<Digest, StoreError> {
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| StoreError::corrupt(what, format!("a digest of {} bytes is stored, not 32", bytes.len())))?;
    Ok(Digest::from_bytes(bytes))
}

/// An audit record from its columns ([`AuditRecord::from_stored`]): the stored hashes as they
/// are, never recomputed, and the entry's text refused unless it is exactly the canonical text
/// the hash covers.
pub(crate) fn stored_audit_record(
    sequence: i64,
    previous: &[u8],
    hash: &[u8],
    entry: &str,
) -> Result<AuditRecord, StoreError> {
    let what = format!("audit record {sequence}");
    AuditRecord::from_stored(
        stored_u64(&what, sequence)?,
        stored_digest(&what, previous)?,
        stored_digest(&what, hash)?,
        entry,
    )
}

/// The page size of an audit read as a column value (`LIMIT`).
pub(crate) fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Maps a driver error of the engine `store` into [`StoreError::Backend`].
pub(crate) fn backend(store: &'static str, e: sqlx::Error) -> StoreError {
    StoreError::Backend { store, source: Box::new(e) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DocumentKind, StreamKind};

    fn key() -> DocumentKey {
        DocumentKey { kind: DocumentKind::Agreement, id: uuid::Uuid::nil() }
    }

    #[test]
    fn put_verdicts_match_the_reference() {
        assert!(matches!(refused_put(key(), Version::NONE, Some(Version::new(3))), StoreError::Duplicate { .. }));
        assert!(matches!(refused_put(key(), Version::new(2), None), StoreError::NotFound { .. }));
        assert!(matches!(
            refused_put(key(), Version::new(2), Some(Version::new(3))),
            StoreError::Conflict { expected, found, .. } if expected == Version::new(2) && found == Version::new(3)
        ));
    }

    #[test]
    fn versions_beyond_i64_match_no_row() {
        assert_eq!(version_param(Version::new(u64::MAX)), -1);
        assert_eq!(version_param(Version::new(7)), 7);
        assert!(stored_version("v", -2).is_err());
    }

    #[test]
    fn events_are_numbered_after_expected() {
        let stream = StreamKey { kind: StreamKind::Request, id: uuid::Uuid::nil() };
        let events = [serde_json::json!(1), serde_json::json!({"a": [true]})];
        let (rows, next) = numbered_events(stream, Version::new(4), &events).unwrap();
        assert_eq!(rows, vec![(5, "1".to_owned()), (6, "{\"a\":[true]}".to_owned())]);
        assert_eq!(next, Version::new(6));
        assert!(numbered_events(stream, Version::new(u64::MAX - 1), &events).is_err());
    }

    #[test]
    fn default_names_are_borrowed_and_unchanged() {
        let statement = "SELECT version FROM gdpr_documents d JOIN gdpr_streams s ON d.id = s.id";
        assert!(matches!(Naming::default().rewrite(statement), std::borrow::Cow::Borrowed(s) if s == statement));
        assert!(matches!(Naming::prefix("gdpr_").rewrite(statement), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn a_prefix_replaces_gdpr_where_a_name_starts() {
        let naming = Naming::prefix("privacy_");
        assert_eq!(
            naming.rewrite("INSERT INTO gdpr_feed_heads AS h SELECT my_gdpr_x, gdpr_y.z FROM gdpr_feed"),
            "INSERT INTO privacy_feed_heads AS h SELECT my_gdpr_x, privacy_y.z FROM privacy_feed"
        );
        assert_eq!(naming.relation("gdpr_chat_lookup_by_visitor"), "privacy_chat_lookup_by_visitor");
    }

    #[test]
    fn a_schema_qualifies_every_table() {
        let naming = Naming::schema("privacy");
        assert_eq!(
            naming.rewrite("UPDATE gdpr_audit_heads SET sequence = $2 WHERE controller = $1"),
            "UPDATE \"privacy\".gdpr_audit_heads SET sequence = $2 WHERE controller = $1"
        );
        assert_eq!(naming.relation("gdpr_documents"), "gdpr_documents");
        assert_eq!(naming.schema_name(), Some("privacy"));
    }

    /// The migrations of one engine, as shipped, for the planner's tests.
    const KNOWN: &[Migration] = migrations!("sqlite");

    fn applied(versions: &[i64]) -> Vec<Applied> {
        versions.iter().map(|v| (*v, KNOWN.iter().find(|m| m.version == *v).map(Migration::checksum))).collect()
    }

    fn versions(plan: &[&Migration]) -> Vec<i64> {
        plan.iter().map(|m| m.version).collect()
    }

    #[test]
    fn the_ledger_alone_is_versions_1_and_3_and_chat_fills_the_gaps() {
        assert_eq!(versions(&plan(KNOWN, &[], &[Component::Core], false).unwrap()), [1, 3]);
        let core = applied(&[1, 3]);
        assert_eq!(versions(&plan(KNOWN, &core, &[Component::Core], false).unwrap()), Vec::<i64>::new());
        let both = [Component::Core, Component::Chat];
        assert_eq!(versions(&plan(KNOWN, &core, &both, false).unwrap()), [2, 4, 5, 6]);
        // A component present is kept up to date even when not asked for (the deploy step's
        // migrate()), and a gap below the newest applied is filled.
        assert_eq!(versions(&plan(KNOWN, &applied(&[1, 2, 3, 5]), &[Component::Core], false).unwrap()), [4, 6]);
    }

    #[test]
    fn newer_modified_and_unchecked_schemas_are_refused() {
        assert_eq!(
            plan(KNOWN, &applied(&[1, 3, 99]), &[Component::Core], false).err(),
            Some(SchemaError::Newer { found: 99, known: 6 })
        );
        let mut edited = applied(&[1, 3]);
        edited[1].1 = Some("0".repeat(64));
        assert_eq!(
            plan(KNOWN, &edited, &[Component::Core], false).err(),
            Some(SchemaError::Modified { version: 3, description: "change feed" })
        );
        let old = vec![(1, None), (3, None)];
        assert!(plan(KNOWN, &old, &[Component::Core], false).is_ok(), "trusted on first use when applying");
        assert_eq!(
            plan(KNOWN, &old, &[Component::Core], true).err(),
            Some(SchemaError::ChecksumsMissing { versions: vec![1, 3] })
        );
    }

    #[test]
    fn migrations_name_what_they_create() {
        assert_eq!(KNOWN[0].creates(), ["gdpr_documents", "gdpr_streams", "gdpr_events", "gdpr_audit"]);
        assert!(KNOWN[1].creates().contains(&"gdpr_chat_lookup_by_visitor"));
        assert!(KNOWN[3].creates().is_empty());
        // The checksum is of the text as shipped, in hex.
        assert_eq!(KNOWN[0].checksum().len(), 64);
        assert_ne!(KNOWN[0].checksum(), KNOWN[1].checksum());
    }

    /// A word of a statement: a name of ours, a word that merely contains `gdpr_`, or another.
    fn word() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[a-z_]{1,8}".prop_map(|s| format!("gdpr_{s}")),
            "[a-z0-9_]{1,4}".prop_map(|s| format!("{s}gdpr_x")),
            "[A-Za-z0-9$']{1,6}",
        ]
    }

    proptest::proptest! {
        /// Every name that starts with `gdpr_` is renamed and nothing else changes: the
        /// statement read back with the prefix swapped for `gdpr_` is the statement written.
        #[test]
        fn renaming_touches_exactly_our_names(
            words in proptest::collection::vec((word(), proptest::sample::select(vec![" ", "(", ", ", ".", " = "])), 0..12),
            prefix in "[a-z][a-z0-9]{0,6}_",
        ) {
            let statement: String = words.iter().map(|(w, sep)| format!("{w}{sep}")).collect();
            let expected: String = words
                .iter()
                .map(|(w, sep)| match w.strip_prefix("gdpr_") {
                    Some(rest) => format!("{prefix}{rest}{sep}"),
                    None => format!("{w}{sep}"),
                })
                .collect();
            proptest::prop_assert_eq!(Naming::prefix(&prefix).rewrite(&statement), expected);
            let ours = words.iter().filter(|(w, _)| w.starts_with("gdpr_")).count();
            let qualified = Naming::schema("privacy").rewrite(&statement);
            proptest::prop_assert_eq!(qualified.matches("\"privacy\".gdpr_").count(), ours);
            proptest::prop_assert_eq!(qualified.replace("\"privacy\".", ""), statement);
        }
    }

    #[test]
    fn partitioned_tables_gain_partition_by_hash_and_their_partitions() {
        let sql = "-- CREATE TABLE not_me (x int);\nCREATE TABLE gdpr_t (\n    controller uuid NOT NULL,\n    \
                   -- a comment (with a parenthesis\n    e text CHECK (e IN ('a)', 'b')),\n    \
                   PRIMARY KEY (controller, e)\n);\nCREATE INDEX gdpr_t_by_e ON gdpr_t (controller, e);\n\
                   CREATE TABLE gdpr_u (controller uuid NOT NULL PRIMARY KEY);\nINSERT INTO gdpr_u SELECT 1;\n";
        let out = partitioned(sql, 2);
        assert_eq!(
            out,
            "-- CREATE TABLE not_me (x int);\nCREATE TABLE gdpr_t (\n    controller uuid NOT NULL,\n    \
             -- a comment (with a parenthesis\n    e text CHECK (e IN ('a)', 'b')),\n    \
             PRIMARY KEY (controller, e)\n) PARTITION BY HASH (controller);\n\
             CREATE TABLE gdpr_t_p0 PARTITION OF gdpr_t FOR VALUES WITH (MODULUS 2, REMAINDER 0);\n\
             CREATE TABLE gdpr_t_p1 PARTITION OF gdpr_t FOR VALUES WITH (MODULUS 2, REMAINDER 1);\n\
             CREATE INDEX gdpr_t_by_e ON gdpr_t (controller, e);\n\
             CREATE TABLE gdpr_u (controller uuid NOT NULL PRIMARY KEY) PARTITION BY HASH (controller);\n\
             CREATE TABLE gdpr_u_p0 PARTITION OF gdpr_u FOR VALUES WITH (MODULUS 2, REMAINDER 0);\n\
             CREATE TABLE gdpr_u_p1 PARTITION OF gdpr_u FOR VALUES WITH (MODULUS 2, REMAINDER 1);\n\
             INSERT INTO gdpr_u SELECT 1;\n"
        );
        assert_eq!(partitioned("SELECT 1;", 4), "SELECT 1;");
    }

    #[test]
    fn every_shipped_table_is_partitioned() {
        for engine in [migrations!("postgres"), KNOWN] {
            for m in engine {
                let out = partitioned(m.sql, 3);
                let tables = m.creates().into_iter().filter(|t| m.sql.contains(&format!("CREATE TABLE {t} "))).count();
                assert_eq!(out.matches("PARTITION BY HASH (controller)").count(), tables, "migration {}", m.version);
                assert_eq!(out.matches("PARTITION OF").count(), 3 * tables, "migration {}", m.version);
            }
        }
    }

    #[test]
    fn digests_have_32_bytes() {
        assert!(stored_digest("d", &[0; 31]).is_err());
        assert_eq!(stored_digest("d", &[0; 32]).ok(), Some(Digest::GENESIS));
    }
}
