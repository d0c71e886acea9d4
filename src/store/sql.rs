//! What the SQL backends share: the ledger's and audit log's statements, written once for
//! both engines ([`ledger`]), conversions between the store's types and column values, the
//! compare-and-swap verdicts of the in-memory reference, and the schema-version check.
//!
//! The decisions made around the SQL are here, once, so both engines behave like
//! [`memory`](super::memory); each engine's own file keeps only what differs.

pub(crate) mod ledger;

use std::fmt;

use uuid::Uuid;

use super::{AuditRecord, Digest, DocumentKey, Scope, StoreError, StreamKey, Version};

/// The name of the table holding the applied migrations, the same in both engines.
pub(crate) const MIGRATIONS_TABLE: &str = "gdpr_schema_migrations";

/// One versioned migration: its number, a short description and its SQL (one or more
/// statements), applied in one transaction.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) description: &'static str,
    pub(crate) sql: &'static str,
}

/// The schema's migrations for the engine whose folder under `migrations/` is `$engine`: the
/// same versions and descriptions for both engines, each in its own dialect.
macro_rules! migrations {
    ($engine:literal) => {
        &[
            Migration {
                version: 1,
                description: "ledger and audit log",
                sql: include_str!(concat!("../../migrations/", $engine, "/0001_ledger_and_audit.sql")),
            },
            Migration {
                version: 2,
                description: "chat history",
                sql: include_str!(concat!("../../migrations/", $engine, "/0002_chat.sql")),
            },
            Migration {
                version: 3,
                description: "change feed",
                sql: include_str!(concat!("../../migrations/", $engine, "/0003_feed.sql")),
            },
            Migration {
                version: $crate::store::sql::CHAT_LOOKUPS_REBUILT,
                description: "chat lookup keys in one canonical form per identifier kind",
                sql: include_str!(concat!("../../migrations/", $engine, "/0004_canonical_identifiers.sql")),
            },
            Migration {
                version: 5,
                description: "chat agents",
                sql: include_str!(concat!("../../migrations/", $engine, "/0005_chat_agents.sql")),
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

/// Refuses a database whose schema is newer than this crate knows: a silent downgrade could
/// drop or misread what a newer version wrote.
pub(crate) fn check_schema_version(what: impl fmt::Display, found: i64, known: i64) -> Result<(), StoreError> {
    if found > known {
        return Err(StoreError::corrupt(
            what,
            format!(
                "schema version {found} is newer than this crate's {known}: it was written by a newer \
                 gdpr-obligations; upgrade the crate rather than open it with this one"
            ),
        ));
    }
    Ok(())
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
    fn newer_schemas_are_refused() {
        assert!(check_schema_version("db", 1, 1).is_ok());
        let e = check_schema_version("db", 3, 1).map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(e.contains("schema version 3 is newer than this crate's 1"), "{e}");
    }

    #[test]
    fn digests_have_32_bytes() {
        assert!(stored_digest("d", &[0; 31]).is_err());
        assert_eq!(stored_digest("d", &[0; 32]).ok(), Some(Digest::GENESIS));
    }
}
