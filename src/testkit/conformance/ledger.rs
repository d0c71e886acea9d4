//! The [`LedgerStore`] checks.

use futures_util::future::join_all;

use super::{Checked, Ctx, body, doc, stream, two_scopes, unexpected};
use crate::store::{DocumentKey, DocumentKind, LedgerStore, StoreError, StreamKey, StreamKind, Version};

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
