//! Storage: the compliance ledger (the crate's own state), the audit log, and the
//! personal-data sources (the chat product's own data).
//!
//! Every trait here is the minimum an implementer writes; typed helpers live in sealed
//! extension traits with blanket implementations ([`LedgerStoreExt`], [`AuditLogExt`]). Every
//! method takes a [`Scope`], the controller whose data it may touch: there is no way to call
//! one without naming it, and an implementation must never let an operation in controller C's
//! scope read or change controller D's data (invariant 6).
//!
//! The crate ships an in-memory implementation of each ([`memory::MemoryLedger`],
//! [`memory::MemoryAuditLog`], and the [`chat::ChatHistory`] source), which is the reference the
//! other backends are tested against by the conformance kit (`testkit::conformance`).
//!
//! # Example: compare-and-swap
//! ```
//! use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement};
//! use gdpr_obligations::model::PartyId;
//! use gdpr_obligations::store::{memory::MemoryLedger, LedgerStoreExt, Scope, StoreError, Version};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let ledger = MemoryLedger::new();
//! let controller = PartyId::generate();
//! let scope = Scope::of(controller);
//! let mut agreement = ProcessingAgreement::template(controller, PartyId::generate(), AgreementFacts::unknown());
//! let v1 = ledger.put_agreement(scope, &agreement, Version::NONE).await?;
//!
//! // Two workers read version 1; the first to write wins, the second gets `Conflict`.
//! agreement.breach_notice_hours = Some(12);
//! let v2 = ledger.put_agreement(scope, &agreement, v1).await?;
//! let stale = ledger.put_agreement(scope, &agreement, v1).await;
//! assert!(matches!(stale, Err(StoreError::Conflict { .. })));
//! assert_eq!(ledger.agreement(scope, agreement.id).await?.version, v2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aggregate;
mod audit;
pub mod chat;
mod feed;
mod ledger;
pub mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
mod schema;
mod source;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::PartyId;

pub use aggregate::{Aggregate, EXECUTE_ATTEMPTS, ExecuteError, Executed};
pub use audit::{
    AuditAction, AuditBreak, AuditEntry, AuditLog, AuditLogExt, AuditProblem, AuditRecord, Checkpoint, Digest,
    PseudonymKey, SealKey, SealedCheckpoint, SubjectKey, verify,
};
pub use feed::{
    Change, FEED_PAGE_MAX, Feed, FeedBatch, FeedConsumerId, FeedCursor, FeedEntry, FeedItem, FeedPosition, StoredChange,
};
pub use ledger::{
    DocumentKey, DocumentKind, ErasureRecord, LedgerDocument, LedgerStore, LedgerStoreExt, Stored, StreamKey,
    StreamKind, SweepId, Versioned,
};
pub(crate) use ledger::{decode as decode_body, encode as encode_body};
pub use schema::{Migrations, SchemaError, TableLayout};
pub use source::{
    ExportItem, ExportStream, FoundRecord, ItemOrigin, NoJournal, PersonalDataSource, RetentionSource, SweepBatch,
    SweepJournal,
};

/// The controller whose data an operation may read or change.
///
/// Every storage method takes one. A processor serving many controllers opens one scope per
/// controller; nothing done in one scope reaches another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Scope(PartyId);

impl Scope {
    /// The scope of `controller`.
    #[must_use]
    pub const fn of(controller: PartyId) -> Self {
        Self(controller)
    }

    /// The controller, as given to [`Scope::of`].
    #[must_use]
    pub const fn controller(&self) -> PartyId {
        self.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "controller {}", self.0)
    }
}

/// The version of a stored document or event stream, for compare-and-swap. A document that
/// does not exist has [`Version::NONE`]; each write adds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Version(u64);

impl Version {
    /// The version of what does not exist yet: write with it to create.
    pub const NONE: Version = Version(0);

    /// Wraps a stored version number.
    #[must_use]
    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    /// The number.
    #[must_use]
    pub const fn get(&self) -> u64 {
        self.0
    }

    /// The version after `n` more writes or events.
    #[must_use]
    pub fn after(&self, n: usize) -> Version {
        Version(self.0.saturating_add(n as u64))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a storage operation can fail with. Backends map their own errors into it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The thing asked for does not exist in this scope.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// A compare-and-swap lost: someone else wrote since `expected` was read. Read again,
    /// re-apply the change, and retry.
    #[error("conflict on {what}: expected version {expected}, found {found}")]
    Conflict {
        /// What was written.
        what: String,
        /// The version the writer expected.
        expected: Version,
        /// The version found.
        found: Version,
    },
    /// Something with the same identity already exists.
    #[error("duplicate: {what}")]
    Duplicate {
        /// What was duplicated.
        what: String,
    },
    /// The input was refused before anything was written.
    #[error("invalid: {what}: {reason}")]
    Invalid {
        /// What was refused.
        what: String,
        /// Why.
        reason: String,
    },
    /// Stored data could not be read back as the type it should be: the storage is corrupt
    /// or was written by a newer version of the crate.
    #[error("corrupt stored data: {what}: {reason}")]
    Corrupt {
        /// What could not be read.
        what: String,
        /// Why.
        reason: String,
    },
    /// The database's schema cannot be used by this version of the crate: it is newer, an
    /// applied migration was modified, migrations are missing where the store may not apply
    /// them, or the application's own tables have the names the crate would create.
    /// [`SchemaError`]'s message says what to do.
    #[error("{what}: {problem}")]
    Schema {
        /// The database or schema, e.g. `SQLite database /var/lib/app.db`.
        what: String,
        /// What is wrong with it.
        problem: SchemaError,
    },
    /// A scope's audit log does not verify: a record was altered, removed, inserted or moved,
    /// records were cut off the end or rewritten before a checkpoint, or a sealed checkpoint's
    /// seal does not match (Art. 5(2); the log is the controller's evidence under Art. 30 and
    /// Art. 33(5) too).
    #[error("{scope}: {found}")]
    AuditBroken {
        /// The scope whose log it is.
        scope: Scope,
        /// Where it breaks and why.
        found: AuditBreak,
    },
    /// The storage backend `store` failed (IO, connection, driver).
    #[error("storage backend {store} failed")]
    Backend {
        /// Which backend failed: `sqlite`, `postgres`, or a custom backend's own name.
        store: &'static str,
        /// The backend's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl StoreError {
    /// Whether retrying the same operation may succeed (a lost compare-and-swap after
    /// re-reading, or a backend failure).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Conflict { .. } | StoreError::Backend { .. })
    }

    pub(crate) fn corrupt(what: impl fmt::Display, reason: impl fmt::Display) -> Self {
        StoreError::Corrupt { what: what.to_string(), reason: reason.to_string() }
    }
}

mod sealed {
    pub trait Sealed {}
    impl<T: ?Sized> Sealed for T {}
}
