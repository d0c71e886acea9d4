//! The conformance kit: one public async function per sentence of the `# Contract` sections of
//! [`LedgerStore`], [`AuditLog`], [`PersonalDataSource`] and [`RetentionSource`], for any
//! implementation to run against itself (feature `testkit`).
//!
//! Each function takes the implementation as a trait object (`&dyn LedgerStore`, `&dyn
//! AuditLog`, `&dyn PersonalDataSource` with a [`SourceFixture`] that puts test data into it, or
//! `&dyn RetentionSource` with a [`RetentionFixture`] that also sets its retention policies),
//! uses fresh scopes of its own, and returns `Err` with the contract sentence it checks and what
//! was wrong. Give each function a fresh, empty store or source. A source without retention
//! runs the [`PersonalDataSource`] checks alone. The change feed's checks are among the
//! [`LedgerStore`] ones; [`feed_resumes_after_reopening`] also needs a way to close and open the
//! store again (a [`Reopen`]), so the macros leave it out: call it from a test of your own.
//!
//! Like the rest of `testkit`, this module is **exempt from semantic versioning**: a release may
//! add, tighten or rename checks.
//!
//! # Running the whole kit
//! Four macros expand into one `#[tokio::test]` per function, in a module named by their first
//! argument (the calling crate needs `tokio` with the `rt` and `macros` features as a
//! dev-dependency). The second argument is an expression, evaluated once per test (it may use
//! `.await`), whose value dereferences to the implementation: an `Arc`, a `Box` or a
//! reference. For a source it is a pair `(source, fixture)`.
//!
//! ```
//! use std::sync::Arc;
//! use gdpr_obligations::store::chat::ChatHistory;
//! use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
//! use gdpr_obligations::store::{LedgerStore, PersonalDataSource, RetentionSource};
//! use gdpr_obligations::{
//!     audit_conformance_tests, ledger_conformance_tests, retention_conformance_tests, source_conformance_tests,
//! };
//!
//! ledger_conformance_tests!(memory_ledger, Arc::new(MemoryLedger::new()));
//! ledger_conformance_tests!(memory_ledger_dyn, Arc::new(MemoryLedger::new()) as Arc<dyn LedgerStore>);
//! audit_conformance_tests!(memory_audit, Box::new(MemoryAuditLog::new()));
//! source_conformance_tests!(chat_history, {
//!     let chat = Arc::new(ChatHistory::new());
//!     (chat.clone() as Arc<dyn PersonalDataSource>, chat)
//! });
//! retention_conformance_tests!(chat_history_retention, {
//!     let chat = Arc::new(ChatHistory::new());
//!     (chat.clone() as Arc<dyn RetentionSource>, chat)
//! });
//! # fn main() {}
//! ```
//!
//! # Calling one check
//! ```
//! use gdpr_obligations::store::memory::MemoryLedger;
//! use gdpr_obligations::testkit::conformance;
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! conformance::ledger_stale_write_is_conflict(&MemoryLedger::new()).await?;
//! # Ok::<(), String>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Debug;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::PartyId;
#[cfg(doc)]
use crate::store::{AuditLog, LedgerStore, PersonalDataSource, RetentionSource};
use crate::store::{DocumentKey, DocumentKind, Scope, StoreError, StreamKey, StreamKind};

/// What every check returns: `Err` names the contract sentence and what was wrong.
pub type Checked = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Maps a store error to the kit's error, saying which call failed.
trait Ctx<T> {
    fn ctx(self, call: &str) -> Result<T, String>;
}

impl<T> Ctx<T> for Result<T, StoreError> {
    fn ctx(self, call: &str) -> Result<T, String> {
        self.map_err(|e| format!("{call} failed: {e}"))
    }
}

fn two_scopes() -> (Scope, Scope) {
    (Scope::of(PartyId::generate()), Scope::of(PartyId::generate()))
}

fn instant(offset_minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_769_940_000 + offset_minutes * 60, 0).unwrap_or_default()
}

fn doc(kind: DocumentKind) -> DocumentKey {
    DocumentKey { kind, id: Uuid::now_v7() }
}

fn stream() -> StreamKey {
    StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() }
}

fn body(n: u64) -> serde_json::Value {
    serde_json::json!({ "n": n })
}

fn unexpected<T: Debug>(sentence: &str, want: &str, got: &T) -> String {
    format!("{sentence}: expected {want}, got {got:?}")
}

mod audit;
mod chat;
mod feed;
mod ledger;
mod retention;
mod source;

pub use audit::*;
pub use feed::*;
pub use ledger::*;
pub use retention::*;
pub use source::*;

// ---------------------------------------------------------------------------------------------
// Macros
// ---------------------------------------------------------------------------------------------

/// Expands into one `#[tokio::test]` per [`LedgerStore`] check of
/// [`testkit::conformance`](crate::testkit::conformance), in a module named `$name`.
/// `$make` is evaluated once per test and must dereference to the store (an `Arc`, a `Box`, a
/// reference).
#[macro_export]
macro_rules! ledger_conformance_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_tests!(ledger $make;
                ledger_scope_isolation,
                ledger_write_returns_expected_plus_one,
                ledger_create_existing_is_duplicate,
                ledger_update_missing_is_not_found,
                ledger_stale_write_is_conflict,
                ledger_concurrent_writers_one_wins,
                ledger_missing_document_is_none,
                ledger_list_documents_exact,
                ledger_append_returns_expected_plus_len,
                ledger_stale_append_is_conflict,
                ledger_append_is_atomic,
                ledger_empty_append_is_invalid,
                ledger_events_keep_order,
                ledger_missing_stream_is_empty,
                ledger_list_streams_exact,
                feed_numbers_every_write_in_order,
                feed_scope_isolation,
                feed_reads_after_position_within_limit,
                feed_failed_write_has_no_position,
                feed_cursor_writes_are_not_in_the_feed,
                feed_concurrent_writers_get_distinct_positions,
                feed_cursor_delivers_at_least_once,
            );
        }
    };
}

/// Expands into one `#[tokio::test]` per [`AuditLog`] check of
/// [`testkit::conformance`](crate::testkit::conformance), in a module named `$name`.
/// `$make` is evaluated once per test and must dereference to the log.
#[macro_export]
macro_rules! audit_conformance_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_tests!(audit $make;
                audit_scope_isolation,
                audit_append_numbers_and_chains,
                audit_read_pages,
                audit_is_append_only,
                audit_concurrent_appends_are_numbered_once,
                audit_verify_detects_alteration,
                audit_verify_detects_removal,
                audit_verify_detects_reordering,
                audit_checkpoint_names_the_head,
                audit_checkpoint_finds_truncation_and_rewriting,
            );
        }
    };
}

/// Expands into one `#[tokio::test]` per [`PersonalDataSource`] check of
/// [`testkit::conformance`](crate::testkit::conformance), in a module named `$name`.
/// `$make` is evaluated once per test and gives a pair `(source, fixture)`, each dereferencing
/// to the source and to its [`SourceFixture`]. The [`RetentionSource`] checks are in
/// [`retention_conformance_tests!`](crate::retention_conformance_tests), so that a source
/// without retention runs these alone.
#[macro_export]
macro_rules! source_conformance_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_tests!(source $make;
                source_scope_isolation,
                source_identification_by_any_identifier,
                source_identification_is_normalised,
                source_weak_identifiers_select_nobody,
                source_erasure_leaves_only_retentions,
                source_erasure_keeps_listed_retentions,
                source_erasure_spares_other_subjects,
                source_erase_is_idempotent,
                source_rectify_is_idempotent,
                source_restriction_is_idempotent,
                source_plan_changes_nothing,
                source_plan_predicts_erase,
                source_export_is_redacted,
                source_restricted_still_found_and_exported,
                source_restricted_left_out_of_processing,
                source_restricted_retained_records_left_out_of_processing,
            );
        }
    };
}

/// Expands into one `#[tokio::test]` per [`RetentionSource`] check of
/// [`testkit::conformance`](crate::testkit::conformance), in a module named `$name`.
/// `$make` is evaluated once per test and gives a pair `(source, fixture)`, each dereferencing
/// to the source and to its [`RetentionFixture`]. A source with retention runs this beside
/// [`source_conformance_tests!`](crate::source_conformance_tests).
#[macro_export]
macro_rules! retention_conformance_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_tests!(retention $make;
                source_expired_lists_only_expired,
                source_expiry_runs_from_last_contact,
                source_erase_records_reports_final_states,
                source_erase_records_keeps_retained_and_restricted,
                source_erase_records_of_another_scope_not_found,
                source_expired_left_out_of_processing,
            );
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (ledger $make:expr; $($check:ident),* $(,)?) => {$(
        #[::tokio::test]
        async fn $check() {
            let store = $make;
            let store: &dyn $crate::store::LedgerStore = &*store;
            if let Err(e) = $crate::testkit::conformance::$check(store).await {
                panic!("{e}");
            }
        }
    )*};
    (audit $make:expr; $($check:ident),* $(,)?) => {$(
        #[::tokio::test]
        async fn $check() {
            let log = $make;
            let log: &dyn $crate::store::AuditLog = &*log;
            if let Err(e) = $crate::testkit::conformance::$check(log).await {
                panic!("{e}");
            }
        }
    )*};
    (source $make:expr; $($check:ident),* $(,)?) => {$(
        #[::tokio::test]
        async fn $check() {
            let (source, fixture) = $make;
            let source: &dyn $crate::store::PersonalDataSource = &*source;
            let fixture: &dyn $crate::testkit::conformance::SourceFixture = &*fixture;
            if let Err(e) = $crate::testkit::conformance::$check(source, fixture).await {
                panic!("{e}");
            }
        }
    )*};
    (retention $make:expr; $($check:ident),* $(,)?) => {$(
        #[::tokio::test]
        async fn $check() {
            let (source, fixture) = $make;
            let source: &dyn $crate::store::RetentionSource = &*source;
            let fixture: &dyn $crate::testkit::conformance::RetentionFixture = &*fixture;
            if let Err(e) = $crate::testkit::conformance::$check(source, fixture).await {
                panic!("{e}");
            }
        }
    )*};
}
