//! The conformance kit: one public async function per sentence of the `# Contract` sections of
//! [`LedgerStore`], [`AuditLog`] and [`PersonalDataSource`], for any implementation to run
//! against itself (feature `testkit`).
//!
//! Each function takes the implementation as a trait object (`&dyn LedgerStore`, `&dyn
//! AuditLog`, or `&dyn PersonalDataSource` with a [`SourceFixture`] that puts test data into
//! it), uses fresh scopes of its own, and returns `Err` with the contract sentence it checks
//! and what was wrong. Give each function a fresh, empty store or source.
//!
//! Like the rest of `testkit`, this module is **exempt from semantic versioning**: a release may
//! add, tighten or rename checks.
//!
//! # Running the whole kit
//! Three macros expand into one `#[tokio::test]` per function, in a module named by their first
//! argument (the calling crate needs `tokio` with the `rt` and `macros` features as a
//! dev-dependency). The second argument is an expression, evaluated once per test (it may use
//! `.await`), whose value dereferences to the implementation: an `Arc`, a `Box` or a
//! reference. For a source it is a pair `(source, fixture)`.
//!
//! ```
//! use std::sync::Arc;
//! use gdpr_obligations::store::chat::ChatHistory;
//! use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
//! use gdpr_obligations::store::{LedgerStore, PersonalDataSource};
//! use gdpr_obligations::{audit_conformance_tests, ledger_conformance_tests, source_conformance_tests};
//!
//! ledger_conformance_tests!(memory_ledger, Arc::new(MemoryLedger::new()));
//! ledger_conformance_tests!(memory_ledger_dyn, Arc::new(MemoryLedger::new()) as Arc<dyn LedgerStore>);
//! audit_conformance_tests!(memory_audit, Box::new(MemoryAuditLog::new()));
//! source_conformance_tests!(chat_history, {
//!     let chat = Arc::new(ChatHistory::new());
//!     (chat.clone() as Arc<dyn PersonalDataSource>, chat)
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

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use futures_util::future::join_all;
use uuid::Uuid;

use crate::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use crate::retention::{RetentionEvent, RetentionPeriod, RetentionPolicy};
use crate::store::chat::{ChatHistory, ConversationId, Sender, VisitorId};
use crate::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, AuditRecord, DocumentKey, DocumentKind, ErasurePolicy, ExportItem,
    FoundRecord, LedgerStore, MessageErasure, Outcome, PersonalDataSource, RecordOutcome, Rectification, Retain,
    RetentionGround, Scope, StoreError, StreamKey, StreamKind, Version, verify,
};
use crate::vocab::{DataCategory, Purpose};

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
    (Scope::controller(PartyId::generate()), Scope::controller(PartyId::generate()))
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

// ---------------------------------------------------------------------------------------------
// LedgerStore
// ---------------------------------------------------------------------------------------------

const L_SCOPE: &str = "LedgerStore, scope (every operation sees only what was written in the same scope)";
const L_CAS: &str = "LedgerStore, compare-and-swap";
const L_ATOMIC: &str = "LedgerStore, atomicity (a write is all or nothing)";
const L_ORDER: &str = "LedgerStore, durability of order (events read back in the order appended)";

/// **Scope.** Documents and streams written in one scope are invisible in another; the same
/// key in two scopes names two independent things.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_scope_isolation(store: &dyn LedgerStore) -> Checked {
    let (c, d) = two_scopes();
    let key = doc(DocumentKind::Agreement);
    store.put_document(c, key, &body(1), Version::NONE).await.ctx("put_document")?;
    let seen = store.get_document(d, key).await.ctx("get_document")?;
    ensure!(seen.is_none(), "{L_SCOPE}: a document written in C is read in D: {seen:?}");
    let listed = store.list_documents(d, DocumentKind::Agreement).await.ctx("list_documents")?;
    ensure!(listed.is_empty(), "{L_SCOPE}: D lists C's documents: {listed:?}");
    let v = store.put_document(d, key, &body(2), Version::NONE).await;
    ensure!(matches!(v, Ok(v) if v == Version::new(1)), "{}", unexpected(L_SCOPE, "a new document in D", &v));
    let in_c = store.get_document(c, key).await.ctx("get_document")?.map(|s| s.body);
    ensure!(in_c == Some(body(1)), "{L_SCOPE}: writing in D changed C's document: {in_c:?}");

    let s = stream();
    store.append_events(c, s, Version::NONE, &[body(1)]).await.ctx("append_events")?;
    let events = store.read_events(d, s).await.ctx("read_events")?;
    ensure!(events.is_empty(), "{L_SCOPE}: D reads C's events: {events:?}");
    let streams = store.list_streams(d, StreamKind::Request).await.ctx("list_streams")?;
    ensure!(streams.is_empty(), "{L_SCOPE}: D lists C's streams: {streams:?}");
    let v = store.append_events(d, s, Version::NONE, &[body(9)]).await;
    ensure!(matches!(v, Ok(v) if v == Version::new(1)), "{}", unexpected(L_SCOPE, "a new stream in D", &v));
    let in_c = store.read_events(c, s).await.ctx("read_events")?;
    ensure!(in_c == vec![body(1)], "{L_SCOPE}: appending in D changed C's stream: {in_c:?}");
    Ok(())
}

/// **Compare-and-swap.** Writing with the current version returns `expected + 1` each time,
/// and the document reads back at that version with the last body.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_write_returns_expected_plus_one(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let key = doc(DocumentKind::Activity);
    let mut version = Version::NONE;
    for n in 1..=3 {
        let next = store.put_document(c, key, &body(n), version).await.ctx("put_document")?;
        ensure!(
            next == version.after(1),
            "{L_CAS}: writing at {version} returned version {next}, not {}",
            version.after(1)
        );
        version = next;
    }
    let stored = store.get_document(c, key).await.ctx("get_document")?;
    let got = stored.as_ref().map(|s| (s.version, s.body.clone()));
    ensure!(got == Some((Version::new(3), body(3))), "{}", unexpected(L_CAS, "version 3 with the last body", &got));
    Ok(())
}

/// **Compare-and-swap.** Creating (`Version::NONE`) what exists fails with `Duplicate` and
/// writes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_create_existing_is_duplicate(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let key = doc(DocumentKind::Party);
    store.put_document(c, key, &body(1), Version::NONE).await.ctx("put_document")?;
    let again = store.put_document(c, key, &body(2), Version::NONE).await;
    ensure!(matches!(again, Err(StoreError::Duplicate { .. })), "{}", unexpected(L_CAS, "Duplicate", &again));
    let got = store.get_document(c, key).await.ctx("get_document")?.map(|s| (s.version, s.body));
    ensure!(got == Some((Version::new(1), body(1))), "{L_CAS}: a refused write changed the document: {got:?}");
    Ok(())
}

/// **Compare-and-swap.** Updating (a version other than `NONE`) what does not exist fails with
/// `NotFound` and writes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_update_missing_is_not_found(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let key = doc(DocumentKind::ChangeNotice);
    let got = store.put_document(c, key, &body(1), Version::new(1)).await;
    ensure!(matches!(got, Err(StoreError::NotFound { .. })), "{}", unexpected(L_CAS, "NotFound", &got));
    let stored = store.get_document(c, key).await.ctx("get_document")?;
    ensure!(stored.is_none(), "{L_CAS}: a refused write created the document: {stored:?}");
    let listed = store.list_documents(c, DocumentKind::ChangeNotice).await.ctx("list_documents")?;
    ensure!(listed.is_empty(), "{L_CAS}: a refused write is listed: {listed:?}");
    Ok(())
}

/// **Compare-and-swap.** A stale writer gets `Conflict` naming the expected and found
/// versions, and the other writer's update is not lost.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_stale_write_is_conflict(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let key = doc(DocumentKind::Agreement);
    let v1 = store.put_document(c, key, &body(1), Version::NONE).await.ctx("put_document")?;
    let v2 = store.put_document(c, key, &body(2), v1).await.ctx("put_document")?;
    let stale = store.put_document(c, key, &body(3), v1).await;
    let named = matches!(&stale, Err(StoreError::Conflict { expected, found, .. }) if *expected == v1 && *found == v2);
    ensure!(named, "{}", unexpected(L_CAS, &format!("Conflict expecting {v1}, finding {v2}"), &stale));
    let ahead = store.put_document(c, key, &body(4), Version::new(7)).await;
    ensure!(matches!(ahead, Err(StoreError::Conflict { .. })), "{}", unexpected(L_CAS, "Conflict", &ahead));
    let got = store.get_document(c, key).await.ctx("get_document")?.map(|s| (s.version, s.body));
    ensure!(got == Some((v2, body(2))), "{L_CAS}: the other writer's update was lost: {got:?}");
    Ok(())
}

/// **Compare-and-swap.** Of several concurrent writers that read the same version, exactly one
/// wins; the others get `Conflict` (never a lost update).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_concurrent_writers_one_wins(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let key = doc(DocumentKind::FulfilmentJournal);
    let v1 = store.put_document(c, key, &body(0), Version::NONE).await.ctx("put_document")?;
    let bodies: Vec<serde_json::Value> = (1..=8).map(body).collect();
    let results = join_all(bodies.iter().map(|b| store.put_document(c, key, b, v1))).await;
    let won: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i + 1).collect();
    ensure!(won.len() == 1, "{L_CAS}: {} of 8 concurrent writers at {v1} succeeded: {results:?}", won.len());
    let lost = results.iter().filter(|r| matches!(r, Err(StoreError::Conflict { .. }))).count();
    ensure!(lost == 7, "{L_CAS}: the losers must get Conflict: {results:?}");
    let got = store.get_document(c, key).await.ctx("get_document")?.map(|s| (s.version, s.body));
    ensure!(got == Some((v1.after(1), body(won[0] as u64))), "{L_CAS}: the winner's write is not stored: {got:?}");
    Ok(())
}

/// **get_document.** `Ok(None)` for a document that does not exist in the scope.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_missing_document_is_none(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let got = store.get_document(c, doc(DocumentKind::Erasure)).await;
    ensure!(matches!(got, Ok(None)), "{}", unexpected("LedgerStore::get_document", "Ok(None)", &got));
    Ok(())
}

/// **list_documents.** Holds exactly the documents of the kind written in the scope, each at its
/// current version, ordered by id.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_list_documents_exact(store: &dyn LedgerStore) -> Checked {
    let (c, d) = two_scopes();
    let mut keys: Vec<DocumentKey> = (0..3).map(|_| doc(DocumentKind::Agreement)).collect();
    keys.reverse(); // written out of id order
    for (n, key) in keys.iter().enumerate() {
        store.put_document(c, *key, &body(n as u64), Version::NONE).await.ctx("put_document")?;
    }
    store.put_document(c, keys[1], &body(10), Version::new(1)).await.ctx("put_document")?;
    store.put_document(c, doc(DocumentKind::Party), &body(5), Version::NONE).await.ctx("put_document")?;
    store.put_document(d, doc(DocumentKind::Agreement), &body(6), Version::NONE).await.ctx("put_document")?;
    let listed = store.list_documents(c, DocumentKind::Agreement).await.ctx("list_documents")?;
    let mut want: Vec<(DocumentKey, Version, serde_json::Value)> = vec![
        (keys[0], Version::new(1), body(0)),
        (keys[1], Version::new(2), body(10)),
        (keys[2], Version::new(1), body(2)),
    ];
    want.sort_by_key(|(k, _, _)| k.id);
    let got: Vec<_> = listed.into_iter().map(|s| (s.key, s.version, s.body)).collect();
    ensure!(got == want, "LedgerStore::list_documents: expected {want:?}, got {got:?}");
    Ok(())
}

/// **append_events.** Appending returns `expected + events.len()`, creating the stream at
/// `Version::NONE`.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_append_returns_expected_plus_len(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    let v = store.append_events(c, s, Version::NONE, &[body(1), body(2), body(3)]).await.ctx("append_events")?;
    ensure!(v == Version::new(3), "{L_CAS}: appending 3 events to a new stream returned {v}");
    let v = store.append_events(c, s, v, &[body(4), body(5)]).await.ctx("append_events")?;
    ensure!(v == Version::new(5), "{L_CAS}: appending 2 events at 3 returned {v}");
    let len = store.read_events(c, s).await.ctx("read_events")?.len();
    ensure!(len == 5, "LedgerStore::read_events: the stream's version is its length: 5 expected, {len} read");
    Ok(())
}

/// **append_events.** Appending at a version other than the stream's length fails with
/// `Conflict` and appends nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_stale_append_is_conflict(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    store.append_events(c, s, Version::NONE, &[body(1), body(2)]).await.ctx("append_events")?;
    for expected in [Version::NONE, Version::new(1), Version::new(7)] {
        let got = store.append_events(c, s, expected, &[body(3)]).await;
        let ok = matches!(&got, Err(StoreError::Conflict { found, .. }) if *found == Version::new(2));
        ensure!(ok, "{}", unexpected(L_CAS, &format!("Conflict at {expected} finding 2"), &got));
    }
    let events = store.read_events(c, s).await.ctx("read_events")?;
    ensure!(events == vec![body(1), body(2)], "{L_CAS}: a refused append changed the stream: {events:?}");
    Ok(())
}

/// **Atomicity.** An append of several events is all or nothing: concurrent batches at the
/// same version leave exactly one batch, whole and contiguous.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_append_is_atomic(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    store.append_events(c, s, Version::NONE, &[body(0)]).await.ctx("append_events")?;
    let batches: Vec<Vec<serde_json::Value>> = (1..=4).map(|b| (0..5).map(|i| body(b * 100 + i)).collect()).collect();
    let results = join_all(batches.iter().map(|batch| store.append_events(c, s, Version::new(1), batch))).await;
    let won: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_ok()).map(|(i, _)| i).collect();
    ensure!(
        won.len() == 1,
        "{L_ATOMIC}: {} of 4 concurrent batches at version 1 were appended: {results:?}",
        won.len()
    );
    let mut want = vec![body(0)];
    want.extend(batches[won[0]].iter().cloned());
    let events = store.read_events(c, s).await.ctx("read_events")?;
    ensure!(events == want, "{L_ATOMIC}: expected the winning batch whole after the first event, read {events:?}");
    Ok(())
}

/// **append_events.** An empty append is refused with `Invalid` and creates nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_empty_append_is_invalid(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    let got = store.append_events(c, s, Version::NONE, &[]).await;
    ensure!(
        matches!(got, Err(StoreError::Invalid { .. })),
        "{}",
        unexpected("LedgerStore::append_events", "Invalid", &got)
    );
    let streams = store.list_streams(c, StreamKind::Request).await.ctx("list_streams")?;
    ensure!(!streams.contains(&s), "LedgerStore::append_events: a refused empty append created the stream");
    store.append_events(c, s, Version::NONE, &[body(1)]).await.ctx("append_events")?;
    let got = store.append_events(c, s, Version::new(1), &[]).await;
    ensure!(
        matches!(got, Err(StoreError::Invalid { .. })),
        "{}",
        unexpected("LedgerStore::append_events", "Invalid", &got)
    );
    let len = store.read_events(c, s).await.ctx("read_events")?.len();
    ensure!(len == 1, "LedgerStore::append_events: a refused empty append changed the stream to {len} events");
    Ok(())
}

/// **Durability of order.** Events are read back in the order appended, across appends.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_events_keep_order(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    let mut version = Version::NONE;
    let mut want = Vec::new();
    for batch in 0..6u64 {
        let events: Vec<serde_json::Value> = (0..=batch % 3).map(|i| body(batch * 10 + i)).collect();
        version = store.append_events(c, s, version, &events).await.ctx("append_events")?;
        want.extend(events);
    }
    let got = store.read_events(c, s).await.ctx("read_events")?;
    ensure!(got == want, "{L_ORDER}: appended {want:?}, read {got:?}");
    Ok(())
}

/// **read_events.** An empty list for a stream that does not exist in the scope.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_missing_stream_is_empty(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let got = store.read_events(c, stream()).await;
    ensure!(matches!(&got, Ok(e) if e.is_empty()), "{}", unexpected("LedgerStore::read_events", "an empty list", &got));
    Ok(())
}

/// **list_streams.** Lists the scope's streams of the kind, ordered by id.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn ledger_list_streams_exact(store: &dyn LedgerStore) -> Checked {
    let (c, d) = two_scopes();
    let mut want: Vec<StreamKey> = (0..3).map(|_| stream()).collect();
    for s in want.iter().rev() {
        store.append_events(c, *s, Version::NONE, &[body(1)]).await.ctx("append_events")?;
    }
    store.append_events(d, stream(), Version::NONE, &[body(1)]).await.ctx("append_events")?;
    want.sort();
    let got = store.list_streams(c, StreamKind::Request).await.ctx("list_streams")?;
    ensure!(got == want, "LedgerStore::list_streams: expected {want:?}, got {got:?}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// AuditLog
// ---------------------------------------------------------------------------------------------

const A_ONLY: &str = "AuditLog, append-only (no method changes or removes a record)";
const A_CHAIN: &str = "AuditLog, chained (numbered after the last record, sealed, never two the same number)";
const A_SCOPE: &str = "AuditLog, scope (each scope has its own chain, starting at 1)";
const A_VERIFY: &str = "verify (finds any altered, removed, inserted or reordered record)";

fn entry(n: u64) -> AuditEntry {
    AuditEntry {
        at: instant(n as i64),
        actor: None,
        action: AuditAction::DocumentWritten { kind: DocumentKind::Agreement, id: Uuid::from_u128(u128::from(n)) },
        article: None,
    }
}

async fn filled(log: &dyn AuditLog, scope: Scope, n: u64) -> Result<Vec<AuditRecord>, String> {
    for i in 1..=n {
        log.append(scope, entry(i)).await.ctx("append")?;
    }
    log.read_all(scope).await.ctx("read")
}

/// **Scope.** Each scope's chain starts at 1 and holds only its own entries.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_scope_isolation(log: &dyn AuditLog) -> Checked {
    let (c, d) = two_scopes();
    let in_c = filled(log, c, 3).await?;
    let first_d = log.append(d, entry(100)).await.ctx("append")?;
    ensure!(first_d.sequence == 1, "{A_SCOPE}: the first record of D is numbered {}", first_d.sequence);
    ensure!(
        first_d.previous == crate::store::Digest::GENESIS,
        "{A_SCOPE}: the first record of D chains to another scope"
    );
    let in_d = log.read_all(d).await.ctx("read")?;
    ensure!(in_d == vec![first_d], "{A_SCOPE}: D reads {in_d:?}");
    let again = log.read_all(c).await.ctx("read")?;
    ensure!(again == in_c, "{A_SCOPE}: appending in D changed C's log");
    Ok(())
}

/// **Chained.** Entries are numbered 1, 2, 3, ... and each record is the entry sealed
/// ([`AuditRecord::seal`]) after its predecessor, so the log verifies.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_append_numbers_and_chains(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut previous = crate::store::Digest::GENESIS;
    for n in 1..=5 {
        let record = log.append(c, entry(n)).await.ctx("append")?;
        let sealed = AuditRecord::seal(n, previous, entry(n)).ctx("seal")?;
        ensure!(record == sealed, "{A_CHAIN}: append {n} returned {record:?}, not the entry sealed as record {n}");
        previous = record.hash;
    }
    let all = log.read_all(c).await.ctx("read")?;
    verify(&all, Some((5, previous))).map_err(|b| format!("{A_CHAIN}: the log does not verify: {b}"))?;
    Ok(())
}

/// **read.** Reads up to `limit` records after a sequence number, in order.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_read_pages(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let all = filled(log, c, 7).await?;
    let page = log.read(c, 2, 3).await.ctx("read")?;
    ensure!(page == all[2..5], "AuditLog::read: records 3 to 5 expected after 2 with limit 3, got {page:?}");
    let rest = log.read(c, 5, 100).await.ctx("read")?;
    ensure!(rest == all[5..], "AuditLog::read: records 6 and 7 expected after 5, got {rest:?}");
    let none = log.read(c, 7, 10).await.ctx("read")?;
    ensure!(none.is_empty(), "AuditLog::read: nothing expected after the last record, got {none:?}");
    Ok(())
}

/// **Append-only.** Appending never changes the records already there.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_is_append_only(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let before = filled(log, c, 3).await?;
    for n in 4..=6 {
        log.append(c, entry(n)).await.ctx("append")?;
    }
    let after = log.read_all(c).await.ctx("read")?;
    ensure!(after.len() == 6 && after[..3] == before[..], "{A_ONLY}: the first three records changed: {after:?}");
    Ok(())
}

/// **Chained.** Concurrent appends never get the same number, and the result verifies.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_concurrent_appends_are_numbered_once(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let results = join_all((1..=16).map(|n| log.append(c, entry(n)))).await;
    let mut numbers = BTreeSet::new();
    for r in results {
        numbers.insert(r.ctx("append")?.sequence);
    }
    ensure!(numbers == (1..=16).collect(), "{A_CHAIN}: 16 concurrent appends got numbers {numbers:?}");
    log.verify_all(c).await.map_err(|e| format!("{A_CHAIN}: the log does not verify: {e}"))?;
    Ok(())
}

/// **verify** finds an altered record in a log read from the store.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_alteration(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut all = filled(log, c, 4).await?;
    all[1].entry.actor = Some(PartyId::generate());
    let got = verify(&all, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    Ok(())
}

/// **verify** finds a removed record, and with a kept head, records cut off the end.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_removal(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let all = filled(log, c, 4).await?;
    let mut removed = all.clone();
    removed.remove(1);
    let got = verify(&removed, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    let head = all.last().map(|r| (r.sequence, r.hash));
    let got = verify(&all[..3], head);
    ensure!(got.is_err(), "{}", unexpected(A_VERIFY, "a break when the last record is cut off", &got));
    Ok(())
}

/// **verify** finds reordered records.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_reordering(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut all = filled(log, c, 4).await?;
    all.swap(1, 2);
    let got = verify(&all, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PersonalDataSource
// ---------------------------------------------------------------------------------------------

const S_SCOPE: &str = "PersonalDataSource, scope (nothing reads or changes another controller's data)";
const S_IDENT: &str = "PersonalDataSource, identification (any identifier given that matches finds the record)";
const S_IDEM: &str = "PersonalDataSource, idempotence (a second call changes nothing more)";
const S_PLAN: &str = "PersonalDataSource, plan (erasure_plan changes nothing and predicts erase)";
const S_ERASE: &str = "PersonalDataSource, erasure (nothing of the subject found but what is reported retained)";
const S_OTHERS: &str = "PersonalDataSource, erasure (nothing of another subject is removed)";
const S_EXPORT: &str = "PersonalDataSource, export (only the subject's data, every other person's redacted)";
const S_RESTRICT: &str = "PersonalDataSource, restriction (stored, found and exported, but left out of processing)";
const S_EXPIRY: &str =
    "PersonalDataSource, expiry (expired lists only records whose retention has ended, in key order)";
const S_RECORDS: &str =
    "PersonalDataSource, record erasure (erase_records reports final states, keeps retained and restricted records)";

/// A subject as the fixture created them (the source's own id, as text).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FixtureSubject(pub String);

/// Who writes a fixture message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureAuthor {
    /// The subject at this index of the conversation's subjects.
    Subject(usize),
    /// An agent of the controller, by name.
    Agent(Text),
    /// A bot.
    Bot,
}

/// A message of a fixture conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureMessage {
    /// Its author.
    pub from: FixtureAuthor,
    /// Its text.
    pub text: Text,
}

/// How the kit puts test data into a source: a chat product implements it for its own source
/// (usually in its tests, over its own tables). The kit then checks the source through
/// [`PersonalDataSource`] only.
#[async_trait]
pub trait SourceFixture: Send + Sync {
    /// Creates a data subject known by all of `identifiers` in `scope`.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn add_subject(
        &self,
        scope: Scope,
        identifiers: &[SubjectIdentifier],
        at: DateTime<Utc>,
    ) -> Result<FixtureSubject, StoreError>;

    /// Creates a conversation of `subjects` (and whoever writes in it) with `messages`, in
    /// order, starting at `at`.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn add_conversation(
        &self,
        scope: Scope,
        subjects: &[FixtureSubject],
        messages: &[FixtureMessage],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Everything the product's processing queries return in `scope` (transcripts, lists,
    /// profiles), as text: the kit looks in it for the words of restricted subjects' messages.
    ///
    /// # Errors
    /// Whatever the source fails with.
    async fn processing_view(&self, scope: Scope) -> Result<String, StoreError>;

    /// Makes the product's processing queries in `scope` apply `policies` from now on, by the
    /// source's own clock (Art. 5(1)(e)). The kit's data for this is from 2001 (expired) and
    /// 2100 (not), so any clock in between will do.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn set_retention(&self, scope: Scope, policies: &[RetentionPolicy]) -> Result<(), StoreError>;
}

/// The kit's test data in one scope: Eva (the subject) and Bob, each with a conversation of
/// their own and one together, each mentioning the other.
struct World {
    eva: Vec<SubjectIdentifier>,
    bob: Vec<SubjectIdentifier>,
    /// Eva as the fixture created her.
    eva_subject: FixtureSubject,
}

const AGENT: &str = "Jana Kitagentová";
const EVA_WORDS: [&str; 2] = ["KITEVA1", "KITEVA2"];
const BOB_WORDS: [&str; 2] = ["KITBOB1", "KITBOB2"];
/// Words of the agent's reply in Eva's own conversation, which quotes her.
const AGENT_TO_EVA: &str = "we wrote to";

fn identifiers(token: &str, email: &str, phone: &str, name: &str, ip: &str) -> Result<Vec<SubjectIdentifier>, String> {
    let err = |e: crate::model::Invalid| format!("kit data: {e}");
    Ok(vec![
        SubjectIdentifier::ChatVisitorToken(Token::new(token).map_err(err)?),
        SubjectIdentifier::Email(EmailAddress::new(email).map_err(err)?),
        SubjectIdentifier::Phone(PhoneNumber::new(phone).map_err(err)?),
        SubjectIdentifier::Name(Text::new(name).map_err(err)?),
        SubjectIdentifier::IpAddress(ip.parse::<IpAddr>().map_err(|e| format!("kit data: {e}"))?),
    ])
}

fn text(s: &str) -> Result<Text, String> {
    Text::new(s).map_err(|e| format!("kit data: {e}"))
}

fn say(from: FixtureAuthor, s: &str) -> Result<FixtureMessage, String> {
    Ok(FixtureMessage { from, text: text(s)? })
}

async fn world(fixture: &dyn SourceFixture, scope: Scope) -> Result<World, String> {
    let eva = identifiers("kit-visitor-eva", "eva.kit@example.cz", "+420601111222", "Evelína Kitová", "198.51.100.23")?;
    let bob =
        identifiers("kit-visitor-bob", "bob.kit@example.org", "+421905333444", "Bohuslav Kitbob", "203.0.113.47")?;
    let e = fixture.add_subject(scope, &eva, instant(0)).await.ctx("fixture add_subject")?;
    let b = fixture.add_subject(scope, &bob, instant(1)).await.ctx("fixture add_subject")?;
    let agent = FixtureAuthor::Agent(text(AGENT)?);
    let s = FixtureAuthor::Subject;
    let only_eva = [
        say(s(0), "KITEVA1 where is my order? Write to eva.kit@example.cz")?,
        say(agent.clone(), &format!("Evelína Kitová, {AGENT_TO_EVA} eva.kit@example.cz, not to bob.kit@example.org."))?,
    ];
    fixture.add_conversation(scope, std::slice::from_ref(&e), &only_eva, instant(10)).await.ctx("fixture")?;
    let only_bob = [
        say(s(0), "KITBOB1 my neighbour eva.kit@example.cz recommended you")?,
        say(FixtureAuthor::Bot, "Thank you, Bohuslav Kitbob.")?,
    ];
    fixture.add_conversation(scope, std::slice::from_ref(&b), &only_bob, instant(20)).await.ctx("fixture")?;
    let together = [
        say(s(0), "KITEVA2 hello Bohuslav Kitbob, call me on +420601111222")?,
        say(s(1), "KITBOB2 hi Evelína, mine is +421905333444")?,
        say(agent, "Noted +420601111222 and +421905333444.")?,
    ];
    fixture.add_conversation(scope, &[e.clone(), b], &together, instant(30)).await.ctx("fixture")?;
    Ok(World { eva, bob, eva_subject: e })
}

/// The values of identifiers as they would appear in text, in lower case.
fn values(ids: &[SubjectIdentifier]) -> Vec<String> {
    ids.iter()
        .map(|i| match serde_json::to_value(i) {
            Ok(serde_json::Value::Object(o)) => {
                o.get("value").and_then(|v| v.as_str()).unwrap_or_default().to_lowercase()
            }
            _ => String::new(),
        })
        .filter(|v| !v.is_empty())
        .collect()
}

async fn exported(
    source: &dyn PersonalDataSource,
    scope: Scope,
    subject: &[SubjectIdentifier],
) -> Result<Vec<ExportItem>, String> {
    let stream = source.export(scope, subject).await.ctx("export")?;
    stream.try_collect().await.ctx("export stream")
}

fn keys(found: &[FoundRecord]) -> BTreeSet<String> {
    found.iter().map(|f| f.record.clone()).collect()
}

fn export_keys(items: &[ExportItem]) -> BTreeSet<String> {
    items.iter().map(|i| i.record.clone()).collect()
}

/// A snapshot of what the source says about a subject: found records and exported items.
async fn snapshot(
    source: &dyn PersonalDataSource,
    scope: Scope,
    subject: &[SubjectIdentifier],
) -> Result<(Vec<FoundRecord>, Vec<ExportItem>), String> {
    Ok((source.find(scope, subject).await.ctx("find")?, exported(source, scope, subject).await?))
}

fn by_email(ids: &[SubjectIdentifier]) -> Vec<SubjectIdentifier> {
    ids.iter().filter(|i| matches!(i, SubjectIdentifier::Email(_))).cloned().collect()
}

fn retained_only(outcomes: &[RecordOutcome], found: &[FoundRecord], sentence: &str) -> Checked {
    let retained: BTreeSet<String> =
        outcomes.iter().filter(|o| matches!(o.outcome, Outcome::Retained { .. })).map(|o| o.record.clone()).collect();
    let left: BTreeSet<String> = keys(found).difference(&retained).cloned().collect();
    ensure!(left.is_empty(), "{sentence}: found after erasure without a reported retention: {left:?}");
    Ok(())
}

/// **Scope.** The same subject in two controllers' scopes: finding, exporting, restricting,
/// rectifying and erasing in one leaves the other as it was, and an empty scope finds nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_scope_isolation(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, d) = two_scopes();
    let in_c = world(fixture, c).await?;
    let in_d = world(fixture, d).await?;
    let before = snapshot(source, d, &in_d.eva).await?;
    ensure!(!before.0.is_empty(), "{S_SCOPE}: the fixture's subject is not found");
    source.restrict(c, &in_c.eva).await.ctx("restrict")?;
    let statement = Rectification::Supplement { statement: text("KITSTATEMENT in C")? };
    source.rectify(c, &in_c.eva, &statement).await.ctx("rectify")?;
    source.erase(c, &in_c.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    let after = snapshot(source, d, &in_d.eva).await?;
    ensure!(
        after == before,
        "{S_SCOPE}: restricting, rectifying and erasing in C changed D: {before:?} became {after:?}"
    );
    let (e, _) = two_scopes();
    let nothing = snapshot(source, e, &in_d.eva).await?;
    ensure!(nothing.0.is_empty() && nothing.1.is_empty(), "{S_SCOPE}: an empty scope finds {nothing:?}");
    let outcomes = source.erase(e, &in_d.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    ensure!(outcomes.is_empty(), "{S_SCOPE}: erasing in an empty scope reports {outcomes:?}");
    let still = snapshot(source, d, &in_d.eva).await?;
    ensure!(still == before, "{S_SCOPE}: erasing in another scope changed D");
    Ok(())
}

/// **Identification.** Each identifier alone finds some of the subject's records and nothing
/// else, together they find them all, and an unknown identifier adds nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_identification_by_any_identifier(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let all = keys(&source.find(c, &w.eva).await.ctx("find")?);
    ensure!(!all.is_empty(), "{S_IDENT}: the subject is not found by all their identifiers");
    let mut union = BTreeSet::new();
    for id in &w.eva {
        let one = keys(&source.find(c, std::slice::from_ref(id)).await.ctx("find")?);
        ensure!(!one.is_empty(), "{S_IDENT}: nothing found by the {} alone", id.kind());
        ensure!(one.is_subset(&all), "{S_IDENT}: the {} alone finds more than all identifiers together", id.kind());
        union.extend(one);
    }
    ensure!(union == all, "{S_IDENT}: the identifiers one by one find {union:?}, together {all:?}");
    let unknown = SubjectIdentifier::Email(EmailAddress::new("nobody.kit@example.net").map_err(|e| e.to_string())?);
    let none = source.find(c, std::slice::from_ref(&unknown)).await.ctx("find")?;
    ensure!(none.is_empty(), "{S_IDENT}: an unknown identifier finds {none:?}");
    let mixed = keys(&source.find(c, &[unknown, w.eva[1].clone()]).await.ctx("find")?);
    let email = keys(&source.find(c, &w.eva[1..2]).await.ctx("find")?);
    ensure!(mixed == email, "{S_IDENT}: adding an unknown identifier changed what is found");
    Ok(())
}

/// **Identification** goes by [`SubjectIdentifier::matches`]: an e-mail address in other case
/// finds the same records.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_identification_is_normalised(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let upper = SubjectIdentifier::Email(EmailAddress::new("EVA.KIT@Example.CZ").map_err(|e| e.to_string())?);
    let got = keys(&source.find(c, &[upper]).await.ctx("find")?);
    let want = keys(&source.find(c, &by_email(&w.eva)).await.ctx("find")?);
    ensure!(
        !want.is_empty() && got == want,
        "{S_IDENT}: `EVA.KIT@Example.CZ` finds {got:?}, `eva.kit@example.cz` {want:?}"
    );
    Ok(())
}

/// **Erasure.** After `erase` (messages deleted, and again in another scope pseudonymised),
/// `find` returns nothing of the subject but records reported retained.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_leaves_only_retentions(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let pseudonymise = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: Vec::new() };
    for (scope, policy) in [(c, ErasurePolicy::default()), (d, pseudonymise)] {
        let w = world(fixture, scope).await?;
        let outcomes = source.erase(scope, &by_email(&w.eva), &policy).await.ctx("erase")?;
        ensure!(!outcomes.is_empty(), "{S_ERASE}: erasing the subject reports no record");
        let failed: Vec<_> = outcomes.iter().filter(|o| o.outcome.is_failure()).collect();
        ensure!(failed.is_empty(), "{S_ERASE}: records failed: {failed:?}");
        let found = source.find(scope, &w.eva).await.ctx("find")?;
        retained_only(&outcomes, &found, S_ERASE)?;
        ensure!(found.is_empty(), "{S_ERASE}: found after an erasure without retention: {found:?}");
    }
    Ok(())
}

/// **Erasure.** Records covered by `policy.retain` are reported `Retained` with their ground,
/// stay found, and are the only records found.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_keeps_listed_retentions(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    let Some(kept) = found.first().map(|f| f.record.clone()) else {
        return Err(format!("{S_ERASE}: the fixture's subject is not found"));
    };
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/1")? };
    let policy =
        ErasurePolicy { retain: vec![Retain { records: kept.clone(), ground: ground.clone() }], ..Default::default() };
    let outcomes = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let reported = outcomes.iter().find(|o| o.record == kept).map(|o| &o.outcome);
    let want = Outcome::Retained { ground };
    ensure!(reported == Some(&want), "{S_ERASE}: the retained record {kept} is reported {reported:?}");
    let after = source.find(c, &w.eva).await.ctx("find")?;
    retained_only(&outcomes, &after, S_ERASE)?;
    ensure!(keys(&after).contains(&kept), "{S_ERASE}: the retained record {kept} is no longer found");
    Ok(())
}

/// **Erasure.** Erasing one subject removes nothing of another: the other subject's records
/// and export stay, and their messages stay in processing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_spares_other_subjects(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let (found, items) = snapshot(source, c, &w.bob).await?;
    source.erase(c, &w.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    let (found_after, items_after) = snapshot(source, c, &w.bob).await?;
    ensure!(
        keys(&found_after) == keys(&found),
        "{S_OTHERS}: the other subject's records went from {found:?} to {found_after:?}"
    );
    ensure!(export_keys(&items_after) == export_keys(&items), "{S_OTHERS}: the other subject's export lost records");
    let dump = serde_json::to_string(&items_after).map_err(|e| e.to_string())?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    for word in BOB_WORDS {
        ensure!(dump.contains(word), "{S_OTHERS}: the other subject's message {word} is no longer exported");
        ensure!(view.contains(word), "{S_OTHERS}: the other subject's message {word} left processing");
    }
    Ok(())
}

/// **Idempotence** of `erase`: a second call reports only `Unchanged` or the same retention,
/// for records of the first call, and changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let first_found = source.find(c, &w.eva).await.ctx("find")?;
    let kept = first_found.last().map(|f| f.record.clone()).unwrap_or_default();
    let ground = RetentionGround::LegalObligation { law: text("KIT act § 1")? };
    let policy = ErasurePolicy { retain: vec![Retain { records: kept, ground }], ..Default::default() };
    let first = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let between = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let second = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    for o in &second {
        let earlier = first.iter().find(|f| f.record == o.record).map(|f| &f.outcome);
        let fine = match &o.outcome {
            Outcome::Unchanged => earlier.is_some(),
            retained @ Outcome::Retained { .. } => earlier == Some(retained),
            _ => false,
        };
        ensure!(fine, "{S_IDEM}: the second erase reports {o:?}, the first {earlier:?}");
    }
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == between, "{S_IDEM}: the second erase changed what is found or exported");
    Ok(())
}

/// **Idempotence** of `rectify`: replacing an identifier or adding a statement twice reports
/// no change the second time; a replacement of another kind is refused (`Invalid`).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_rectify_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let old = w.eva[1].clone();
    let new = SubjectIdentifier::Email(EmailAddress::new("evelina.kit@example.cz").map_err(|e| e.to_string())?);
    let subject = [w.eva[0].clone(), old.clone()];
    let replace = Rectification::Replace { old: old.clone(), new: new.clone() };
    let supplement = Rectification::Supplement { statement: text("KITSTATEMENT I moved to Brno")? };
    for rectification in [replace, supplement] {
        let first = source.rectify(c, &subject, &rectification).await.ctx("rectify")?;
        ensure!(
            first.iter().any(|o| o.outcome == Outcome::Rectified),
            "{S_IDEM}: {rectification:?} rectified nothing: {first:?}"
        );
        let between = snapshot(source, c, &w.eva[..1]).await?;
        let second = source.rectify(c, &subject, &rectification).await.ctx("rectify")?;
        ensure!(
            second.iter().all(|o| o.outcome == Outcome::Unchanged),
            "{S_IDEM}: a second {rectification:?} reports {second:?}"
        );
        let after = snapshot(source, c, &w.eva[..1]).await?;
        ensure!(after == between, "{S_IDEM}: a second {rectification:?} changed the subject's data");
    }
    let by_new = source.find(c, &[new]).await.ctx("find")?;
    ensure!(!by_new.is_empty(), "PersonalDataSource::rectify: the subject is not found by the new e-mail address");
    let phone = w.eva[2].clone();
    let kind_change = Rectification::Replace { old: w.eva[0].clone(), new: phone };
    let got = source.rectify(c, &w.eva[..1], &kind_change).await;
    ensure!(
        matches!(got, Err(StoreError::Invalid { .. })),
        "{}",
        unexpected("PersonalDataSource::rectify (Art. 16)", "Invalid for a change of kind", &got)
    );
    Ok(())
}

/// **Idempotence** of `restrict` and `lift_restriction`: a second call reports only
/// `Unchanged` and changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restriction_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    for restrict in [true, false] {
        let call = || async {
            if restrict { source.restrict(c, &w.eva).await } else { source.lift_restriction(c, &w.eva).await }
        };
        let first = call().await.ctx("restrict or lift_restriction")?;
        let want = if restrict { Outcome::Restricted } else { Outcome::RestrictionLifted };
        ensure!(first.iter().any(|o| o.outcome == want), "{S_IDEM}: the first call reports {first:?}");
        let between = snapshot(source, c, &w.eva).await?;
        let second = call().await.ctx("restrict or lift_restriction")?;
        ensure!(second.iter().all(|o| o.outcome == Outcome::Unchanged), "{S_IDEM}: the second call reports {second:?}");
        ensure!(snapshot(source, c, &w.eva).await? == between, "{S_IDEM}: the second call changed the subject's data");
    }
    Ok(())
}

/// **Plan.** `erasure_plan` changes nothing (for the subject or anyone else).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_plan_changes_nothing(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let before = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: Vec::new() };
    let plan = source.erasure_plan(c, &w.eva, &policy).await.ctx("erasure_plan")?;
    ensure!(!plan.is_empty(), "{S_PLAN}: the plan lists no record");
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == before, "{S_PLAN}: planning changed what is found or exported");
    Ok(())
}

/// **Plan.** Called before `erase` with the same arguments, `erasure_plan` lists the same
/// records with the same outcomes, also for a second erasure.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_plan_predicts_erase(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    let kept = found.first().map(|f| f.record.clone()).unwrap_or_default();
    let policy = ErasurePolicy {
        messages: MessageErasure::Pseudonymise,
        retain: vec![Retain { records: kept, ground: RetentionGround::ArchivingResearchStatistics }],
    };
    for round in ["first", "second"] {
        let plan = source.erasure_plan(c, &w.eva, &policy).await.ctx("erasure_plan")?;
        let done = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
        let done: Vec<_> = done.into_iter().filter(|o| !o.outcome.is_failure()).collect();
        let sort = |mut v: Vec<RecordOutcome>| {
            v.sort_by(|a, b| a.record.cmp(&b.record));
            v
        };
        let (plan, done) = (sort(plan), sort(done));
        ensure!(plan == done, "{S_PLAN}: the {round} plan {plan:?} differs from the erasure {done:?}");
    }
    Ok(())
}

/// **Export.** The subject's export holds their own messages and none of another subject's
/// identifiers, messages, or an agent's name, anywhere in its JSON (Art. 15(4)); every item
/// names the source.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_export_is_redacted(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let items = exported(source, c, &w.eva).await?;
    let foreign: Vec<_> = items.iter().filter(|i| &i.source != source.name()).map(|i| &i.source).collect();
    ensure!(foreign.is_empty(), "{S_EXPORT}: items name other sources: {foreign:?}");
    let dump = serde_json::to_string(&items).map_err(|e| e.to_string())?;
    let lower = dump.to_lowercase();
    for word in EVA_WORDS {
        ensure!(dump.contains(word), "{S_EXPORT}: the subject's own message {word} is not exported");
    }
    let mut others: Vec<String> = values(&w.bob);
    others.extend(BOB_WORDS.iter().map(|w| w.to_lowercase()));
    others.push(AGENT.to_lowercase());
    for other in others {
        ensure!(!lower.contains(&other), "{S_EXPORT}: the export holds another person's `{other}`: {dump}");
    }
    Ok(())
}

/// **Restriction.** Restricted records stay stored: `find` returns the same records marked
/// restricted, and `export` yields the same records; after lifting, they are unmarked.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_still_found_and_exported(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let (found, items) = snapshot(source, c, &w.eva).await?;
    source.restrict(c, &by_email(&w.eva)).await.ctx("restrict")?;
    let (found_r, items_r) = snapshot(source, c, &w.eva).await?;
    ensure!(keys(&found_r) == keys(&found), "{S_RESTRICT}: restricting changed the records found");
    ensure!(found_r.iter().all(|f| f.restricted), "{S_RESTRICT}: records not marked restricted: {found_r:?}");
    ensure!(export_keys(&items_r) == export_keys(&items), "{S_RESTRICT}: restricted records are not exported");
    source.lift_restriction(c, &by_email(&w.eva)).await.ctx("lift_restriction")?;
    let lifted = source.find(c, &w.eva).await.ctx("find")?;
    ensure!(keys(&lifted) == keys(&found), "{S_RESTRICT}: lifting changed the records found");
    ensure!(lifted.iter().all(|f| !f.restricted), "{S_RESTRICT}: records still restricted after lifting: {lifted:?}");
    Ok(())
}

/// **Restriction.** The product's processing leaves a restricted subject's messages out and
/// keeps everyone else's, until the restriction is lifted (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_left_out_of_processing(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let has = |view: &str, words: &[&str]| words.iter().all(|w| view.contains(w));
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        has(&view, &EVA_WORDS) && has(&view, &BOB_WORDS[..1]),
        "{S_RESTRICT}: the processing view lacks the fixture's messages before any restriction"
    );
    source.restrict(c, &w.eva).await.ctx("restrict")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    let leaked: Vec<&str> = EVA_WORDS.iter().copied().filter(|w| view.contains(w)).collect();
    ensure!(leaked.is_empty(), "{S_RESTRICT}: restricted messages {leaked:?} are still processed");
    ensure!(
        has(&view, &BOB_WORDS[..1]),
        "{S_RESTRICT}: restricting one subject took another's messages out of processing"
    );
    source.lift_restriction(c, &w.eva).await.ctx("lift_restriction")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(has(&view, &EVA_WORDS), "{S_RESTRICT}: the subject's messages are not processed again after lifting");
    Ok(())
}

/// **Restriction.** What an erasure retained (Art. 17(3)) is still the subject's: when they
/// then restrict processing, the product's processing leaves it out too, even an agent's reply
/// that quotes them in a conversation they no longer take part in (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_retained_records_left_out_of_processing(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    // The agent's reply that quotes her: the last message of her own conversation (the
    // fixture sends a conversation's messages in order after its start). Only it is kept.
    let reply = found
        .iter()
        .filter(|f| f.category == DataCategory::CommunicationContent && f.collected_at < instant(20))
        .max_by_key(|f| f.collected_at)
        .map(|f| f.record.clone());
    let Some(reply) = reply else {
        return Err(format!("{S_RESTRICT}: the agent's reply to the fixture's subject is not found"));
    };
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/2")? };
    let policy = ErasurePolicy { retain: vec![Retain { records: reply, ground }], ..Default::default() };
    source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        view.contains(AGENT_TO_EVA),
        "{S_RESTRICT}: the retained reply is not processed before any restriction (the check cannot bite)"
    );
    source.restrict(c, &w.eva).await.ctx("restrict")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        !view.contains(AGENT_TO_EVA),
        "{S_RESTRICT}: a retained reply quoting the restricted subject is still processed"
    );
    let leaked: Vec<&str> = EVA_WORDS.iter().copied().filter(|w| view.contains(w)).collect();
    ensure!(
        leaked.is_empty(),
        "{S_RESTRICT}: the restricted subject's retained messages {leaked:?} are still processed"
    );
    source.lift_restriction(c, &w.eva).await.ctx("lift_restriction")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(view.contains(AGENT_TO_EVA), "{S_RESTRICT}: the retained reply is not processed again after lifting");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PersonalDataSource: retention (Art. 5(1)(e))
// ---------------------------------------------------------------------------------------------

fn months_from_collection(category: DataCategory, months: u16) -> Result<RetentionPolicy, String> {
    RetentionPolicy::new(Purpose::CustomerCare, category, RetentionPeriod::FromCollection { months })
        .map_err(|e| format!("kit data: {e}"))
}

/// The kit's world's messages expire a month after they were sent; the kit asks a year later.
fn a_year_after_the_world() -> DateTime<Utc> {
    instant(365 * 24 * 60)
}

/// Every expired record, page by page with `limit`.
async fn all_expired(
    source: &dyn PersonalDataSource,
    scope: Scope,
    policies: &[RetentionPolicy],
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<FoundRecord>, String> {
    let mut out: Vec<FoundRecord> = Vec::new();
    loop {
        let after = out.last().map(|f| f.record.clone());
        let page = source.expired(scope, policies, now, after.as_deref(), limit).await.ctx("expired")?;
        ensure!(page.len() <= limit, "{S_EXPIRY}: a page of {} records for a limit of {limit}", page.len());
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// **Expiry.** `expired` lists, in ascending key order and page by page, exactly the records
/// of the categories the policies cover that expired at `now` (here: every message of the
/// kit's world a year later, found by `find` for Eva or Bob), nothing of a category no policy
/// covers, nothing before collection, nothing of another scope; and it changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expired_lists_only_expired(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let w = world(fixture, c).await?;
    let before = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let now = a_year_after_the_world();
    let all = source.expired(c, &policies, now, None, usize::MAX).await.ctx("expired")?;
    let listed: Vec<String> = all.iter().map(|f| f.record.clone()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    ensure!(listed == sorted, "{S_EXPIRY}: not in ascending key order, or listed twice: {listed:?}");
    let wrong: Vec<&FoundRecord> = all
        .iter()
        .filter(|f| f.category != DataCategory::CommunicationContent || f.collected_at > instant(60))
        .collect();
    ensure!(wrong.is_empty(), "{S_EXPIRY}: listed records that have not expired: {wrong:?}");
    let mut messages: BTreeSet<String> = BTreeSet::new();
    for subject in [&w.eva, &w.bob] {
        let found = source.find(c, subject).await.ctx("find")?;
        messages
            .extend(found.into_iter().filter(|f| f.category == DataCategory::CommunicationContent).map(|f| f.record));
    }
    let missing: Vec<&String> = messages.iter().filter(|m| !listed.contains(m)).collect();
    ensure!(!messages.is_empty() && missing.is_empty(), "{S_EXPIRY}: expired messages not listed: {missing:?}");
    for limit in [1, 2] {
        let paged: Vec<String> =
            all_expired(source, c, &policies, now, limit).await?.into_iter().map(|f| f.record).collect();
        ensure!(paged == listed, "{S_EXPIRY}: pages of {limit} list {paged:?}, one call {listed:?}");
    }
    let first = listed.first().cloned().unwrap_or_default();
    let after_first = source.expired(c, &policies, now, Some(&first), usize::MAX).await.ctx("expired")?;
    ensure!(after_first.iter().all(|f| f.record > first), "{S_EXPIRY}: `after` {first} lists {after_first:?}");
    let none = [months_from_collection(DataCategory::Health, 1)?];
    for (scope, policies, now, what) in [
        (c, &none[..], now, "a category no policy covers"),
        (c, &[][..], now, "no policy"),
        (c, &policies[..], instant(-1), "an instant before collection"),
        (d, &policies[..], now, "another scope"),
    ] {
        let got = source.expired(scope, policies, now, None, usize::MAX).await.ctx("expired")?;
        ensure!(got.is_empty(), "{S_EXPIRY}: {what} lists {got:?}");
    }
    let zero = source.expired(c, &policies, now, None, 0).await.ctx("expired")?;
    ensure!(zero.is_empty(), "{S_EXPIRY}: a limit of 0 lists {zero:?}");
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == before, "{S_EXPIRY}: listing expired records changed what is found or exported");
    Ok(())
}

/// **Expiry** after [`RetentionEvent::LastContact`]: a subject who came back later keeps the
/// records of their old conversation, while a subject who did not loses them.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expiry_runs_from_last_contact(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let half_a_year = instant(183 * 24 * 60);
    let back = [say(FixtureAuthor::Subject(0), "KITEVA3 I am back")?];
    fixture
        .add_conversation(c, std::slice::from_ref(&w.eva_subject), &back, half_a_year)
        .await
        .ctx("fixture add_conversation")?;
    let period = RetentionPeriod::AfterEvent { event: RetentionEvent::LastContact, months: 3 };
    let policy = RetentionPolicy::new(Purpose::CustomerCare, DataCategory::CommunicationContent, period)
        .map_err(|e| format!("kit data: {e}"))?;
    let now = instant(240 * 24 * 60);
    let listed = keys(&source.expired(c, &[policy], now, None, usize::MAX).await.ctx("expired")?);
    let eva = keys(&source.find(c, &w.eva).await.ctx("find")?);
    let bob = keys(&source.find(c, &w.bob).await.ctx("find")?);
    let of_eva: Vec<&String> = listed.intersection(&eva).collect();
    ensure!(of_eva.is_empty(), "{S_EXPIRY}: Eva came back, yet her records {of_eva:?} expired after her last contact");
    ensure!(
        !listed.is_empty() && listed.is_subset(&bob),
        "{S_EXPIRY}: three months after Bob's last contact, his own conversation's messages are not all that expired: \
         {listed:?}"
    );
    Ok(())
}

/// **Record erasure.** `erase_records` of the expired records erases them (deleted, or under
/// `Pseudonymise` possibly pseudonymised or redacted), one outcome per distinct record named in
/// the order named; a second call reports the same and changes nothing; the records no longer
/// expire, no longer found records are gone from `find`, and records not named stay.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_records_reports_final_states(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let now = a_year_after_the_world();
    for (scope, messages) in [(c, MessageErasure::Delete), (d, MessageErasure::Pseudonymise)] {
        let w = world(fixture, scope).await?;
        let found_before = keys(&source.find(scope, &w.eva).await.ctx("find")?);
        let expired: Vec<String> = source
            .expired(scope, &policies, now, None, usize::MAX)
            .await
            .ctx("expired")?
            .into_iter()
            .map(|f| f.record)
            .collect();
        let mut named = expired.clone();
        named.extend(expired.iter().rev().cloned());
        let policy = ErasurePolicy { messages, retain: Vec::new() };
        let first = source.erase_records(scope, &named, &policy).await.ctx("erase_records")?;
        let order: Vec<&String> = first.iter().map(|o| &o.record).collect();
        ensure!(order == expired.iter().collect::<Vec<_>>(), "{S_RECORDS}: outcomes for {order:?}, named {expired:?}");
        let fine = |o: &Outcome| match messages {
            MessageErasure::Delete => *o == Outcome::Erased,
            _ => matches!(o, Outcome::Erased | Outcome::Pseudonymised | Outcome::Redacted),
        };
        let wrong: Vec<&RecordOutcome> = first.iter().filter(|o| !fine(&o.outcome)).collect();
        ensure!(wrong.is_empty(), "{S_RECORDS}: under {messages:?}, outcomes {wrong:?}");
        let between = (snapshot(source, scope, &w.eva).await?, snapshot(source, scope, &w.bob).await?);
        let second = source.erase_records(scope, &named, &policy).await.ctx("erase_records")?;
        ensure!(second == first, "{S_RECORDS}: the second call reports {second:?}, the first {first:?}");
        let after = (snapshot(source, scope, &w.eva).await?, snapshot(source, scope, &w.bob).await?);
        ensure!(after == between, "{S_RECORDS}: the second call changed what is found or exported");
        let again = source.expired(scope, &policies, now, None, usize::MAX).await.ctx("expired")?;
        let erased: Vec<&FoundRecord> = again
            .iter()
            .filter(|f| first.iter().any(|o| o.record == f.record && o.outcome == Outcome::Erased))
            .collect();
        ensure!(erased.is_empty(), "{S_EXPIRY}: erased records are still listed as expired: {erased:?}");
        let found_after = keys(&after.0.0);
        let gone: Vec<&String> = first
            .iter()
            .filter(|o| o.outcome == Outcome::Erased)
            .map(|o| &o.record)
            .filter(|r| found_after.contains(*r))
            .collect();
        ensure!(gone.is_empty(), "{S_RECORDS}: erased records are still found: {gone:?}");
        let not_named: BTreeSet<&String> = found_before.iter().filter(|k| !expired.contains(k)).collect();
        let lost: Vec<&&String> = not_named.iter().filter(|k| !found_after.contains(**k)).collect();
        ensure!(lost.is_empty(), "{S_RECORDS}: records not named are gone: {lost:?}");
    }
    Ok(())
}

/// **Record erasure.** A record `policy.retain` covers is reported `Retained` with its ground
/// and stays found; a restricted record is reported `Restricted` and stays found (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_records_keeps_retained_and_restricted(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    source.restrict(c, &w.bob).await.ctx("restrict")?;
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let expired = source.expired(c, &policies, a_year_after_the_world(), None, usize::MAX).await.ctx("expired")?;
    let Some(kept) = expired.iter().find(|f| !f.restricted).map(|f| f.record.clone()) else {
        return Err(format!("{S_RECORDS}: nothing unrestricted expired in the kit's world"));
    };
    let restricted: Vec<String> = expired.iter().filter(|f| f.restricted).map(|f| f.record.clone()).collect();
    ensure!(
        !restricted.is_empty(),
        "{S_EXPIRY}: the restricted subject's expired records are not listed, or not marked"
    );
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/2")? };
    let policy =
        ErasurePolicy { retain: vec![Retain { records: kept.clone(), ground: ground.clone() }], ..Default::default() };
    let named: Vec<String> = expired.iter().map(|f| f.record.clone()).collect();
    let outcomes = source.erase_records(c, &named, &policy).await.ctx("erase_records")?;
    for o in &outcomes {
        let want = if o.record == kept {
            Outcome::Retained { ground: ground.clone() }
        } else if restricted.contains(&o.record) {
            Outcome::Restricted
        } else {
            Outcome::Erased
        };
        ensure!(o.outcome == want, "{S_RECORDS}: {} is reported {:?}, not {want:?}", o.record, o.outcome);
    }
    let mut found = keys(&source.find(c, &w.eva).await.ctx("find")?);
    found.extend(keys(&source.find(c, &w.bob).await.ctx("find")?));
    let missing: Vec<&String> = restricted.iter().chain([&kept]).filter(|k| !found.contains(*k)).collect();
    ensure!(missing.is_empty(), "{S_RECORDS}: retained or restricted records are no longer found: {missing:?}");
    Ok(())
}

/// **Expiry** in processing: with the policies set, the product's processing leaves out what
/// has expired by the source's clock, though no sweep ran and it is still found, and keeps
/// what has not; without them, both are processed.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expired_left_out_of_processing(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let at = |y: i32| DateTime::parse_from_rfc3339(&format!("{y}-03-01T10:00:00Z")).map(|t| t.to_utc());
    let (old_at, new_at) = match (at(2001), at(2100)) {
        (Ok(o), Ok(n)) => (o, n),
        _ => return Err("kit data: instants".to_owned()),
    };
    let old =
        identifiers("kit-visitor-old", "old.kit@example.cz", "+420601999000", "Oldřich Kitstarý", "198.51.100.99")?;
    let new = identifiers("kit-visitor-new", "new.kit@example.cz", "+420601999111", "Nora Kitnová", "198.51.100.98")?;
    let o = fixture.add_subject(c, &old, old_at).await.ctx("fixture add_subject")?;
    let n = fixture.add_subject(c, &new, new_at).await.ctx("fixture add_subject")?;
    let s = FixtureAuthor::Subject;
    fixture.add_conversation(c, &[o], &[say(s(0), "KITOLD1 hello")?], old_at).await.ctx("fixture")?;
    fixture.add_conversation(c, &[n], &[say(s(0), "KITNEW1 hello")?], new_at).await.ctx("fixture")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        view.contains("KITOLD1") && view.contains("KITNEW1"),
        "{S_EXPIRY}: the processing view lacks the kit's messages"
    );
    let policies = [
        months_from_collection(DataCategory::CommunicationContent, 12)?,
        months_from_collection(DataCategory::Identification, 12)?,
    ];
    fixture.set_retention(c, &policies).await.ctx("fixture set_retention")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(!view.contains("KITOLD1"), "{S_EXPIRY}: an expired message is still processed before any sweep");
    ensure!(!view.to_lowercase().contains("old.kit@example.cz"), "{S_EXPIRY}: an expired profile is still processed");
    ensure!(view.contains("KITNEW1"), "{S_EXPIRY}: a message that has not expired left processing");
    let stored = source.find(c, &old).await.ctx("find")?;
    ensure!(!stored.is_empty(), "{S_EXPIRY}: leaving expired data out of processing erased it");
    fixture.set_retention(c, &[]).await.ctx("fixture set_retention")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(view.contains("KITOLD1"), "{S_EXPIRY}: without policies, nothing expires");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The reference source's fixture
// ---------------------------------------------------------------------------------------------

#[async_trait]
impl SourceFixture for ChatHistory {
    async fn add_subject(
        &self,
        scope: Scope,
        identifiers: &[SubjectIdentifier],
        at: DateTime<Utc>,
    ) -> Result<FixtureSubject, StoreError> {
        let token = identifiers.iter().find_map(|i| match i {
            SubjectIdentifier::ChatVisitorToken(t) => Some(t.clone()),
            _ => None,
        });
        let token = match token {
            Some(t) => t,
            None => Token::new(&format!("kit-{}", Uuid::now_v7().simple()))
                .map_err(|e| StoreError::Invalid { what: "visitor token".to_owned(), reason: e.to_string() })?,
        };
        let visitor = self.add_visitor(scope, token, at).await?;
        for identifier in identifiers {
            self.add_identifier(scope, visitor, identifier.clone(), at).await?;
        }
        Ok(FixtureSubject(visitor.to_string()))
    }

    async fn add_conversation(
        &self,
        scope: Scope,
        subjects: &[FixtureSubject],
        messages: &[FixtureMessage],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let invalid = |reason: String| StoreError::Invalid { what: "fixture conversation".to_owned(), reason };
        let visitors = subjects
            .iter()
            .map(|s| s.0.parse::<VisitorId>().map_err(|e| invalid(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(first) = visitors.first() else { return Err(invalid("no subject".to_owned())) };
        let conversation: ConversationId = self.start_conversation(scope, *first, at).await?;
        for v in &visitors[1..] {
            self.join_conversation(scope, conversation, *v, at).await?;
        }
        for (i, m) in messages.iter().enumerate() {
            let from = match &m.from {
                FixtureAuthor::Subject(n) => {
                    Sender::Visitor(*visitors.get(*n).ok_or_else(|| invalid(format!("no subject {n}")))?)
                }
                FixtureAuthor::Agent(name) => Sender::Agent(name.clone()),
                FixtureAuthor::Bot => Sender::Bot,
            };
            let sent_at = at + chrono::TimeDelta::seconds(i as i64 + 1);
            self.post(scope, conversation, from, m.text.clone(), Vec::new(), sent_at).await?;
        }
        Ok(())
    }

    async fn processing_view(&self, scope: Scope) -> Result<String, StoreError> {
        let mut view = Vec::new();
        for summary in self.conversations(scope).await? {
            for v in &summary.visitors {
                view.push(serde_json::to_value(self.profile(scope, *v).await?).unwrap_or_default());
            }
            view.push(serde_json::to_value(self.transcript(scope, summary.id).await?).unwrap_or_default());
            view.push(serde_json::to_value(summary).unwrap_or_default());
        }
        Ok(serde_json::Value::Array(view).to_string())
    }
    async fn set_retention(&self, scope: Scope, policies: &[RetentionPolicy]) -> Result<(), StoreError> {
        ChatHistory::set_retention(self, scope, policies.to_vec());
        Ok(())
    }
}

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
            // `allow`, not `expect`: whether `$make` names an item of the caller's module varies.
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
            // `allow`, not `expect`: whether `$make` names an item of the caller's module varies.
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
            );
        }
    };
}

/// Expands into one `#[tokio::test]` per [`PersonalDataSource`] check of
/// [`testkit::conformance`](crate::testkit::conformance), in a module named `$name`.
/// `$make` is evaluated once per test and gives a pair `(source, fixture)`, each dereferencing
/// to the source and to its [`SourceFixture`].
#[macro_export]
macro_rules! source_conformance_tests {
    ($name:ident, $make:expr) => {
        mod $name {
            // `allow`, not `expect`: whether `$make` names an item of the caller's module varies.
            #[allow(unused_imports)]
            use super::*;
            $crate::__conformance_tests!(source $make;
                source_scope_isolation,
                source_identification_by_any_identifier,
                source_identification_is_normalised,
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
                source_expired_lists_only_expired,
                source_expiry_runs_from_last_contact,
                source_erase_records_reports_final_states,
                source_erase_records_keeps_retained_and_restricted,
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
}
