//! The change feed checks: [`LedgerStore::read_feed`] and the [`Feed`] cursor over it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::future::join_all;

use super::{Checked, Ctx, body, doc, stream, two_scopes, unexpected};
use crate::store::{
    Change, DocumentKey, DocumentKind, FEED_PAGE_MAX, Feed, FeedConsumerId, FeedEntry, FeedPosition, LedgerStore,
    StoreError, StoredChange, StreamKey, StreamKind, Version,
};

const F_ORDER: &str = "LedgerStore, change feed (every write gets the next positions, in order, without gaps)";
const F_SCOPE: &str = "LedgerStore, change feed, scope (each scope has its own feed)";
const F_PAGE: &str = "LedgerStore, change feed, paging (after `after`, at most `limit`, at most FEED_PAGE_MAX)";
const F_FAILED: &str = "LedgerStore, change feed (a write that fails gets no position)";
const F_CURSOR: &str = "LedgerStore, change feed (writes of feed cursors get no position)";
const F_DURABLE: &str = "LedgerStore, change feed (durable: a reopened store reads the same feed)";
const F_ONCE: &str = "Feed, at least once (a batch not acknowledged is read again; an acknowledged one never)";

/// A stream whose events [`Change::decode`] leaves untyped, for the checks that read through
/// [`Feed`].
fn sweep() -> StreamKey {
    StreamKey { kind: StreamKind::Sweep, ..stream() }
}

fn event(stream: StreamKey, version: u64, n: u64) -> StoredChange {
    FeedEntry::event(FeedPosition::START, stream, Version::new(version), body(n)).change
}

fn document(key: DocumentKey, version: u64) -> StoredChange {
    FeedEntry::document(FeedPosition::START, key, Version::new(version)).change
}

/// Checks that `entries` are at `first`, `first + 1`, ... and hold `changes`.
fn expect_feed(sentence: &str, entries: &[FeedEntry], first: u64, changes: &[StoredChange]) -> Checked {
    let got: Vec<(u64, &StoredChange)> = entries.iter().map(|e| (e.position.get(), &e.change)).collect();
    let want: Vec<(u64, &StoredChange)> = (first..).zip(changes).collect();
    ensure!(got == want, "{}", unexpected(sentence, &format!("{want:?}"), &got));
    Ok(())
}

/// **Change feed.** Every event appended and every document written gets the next position
/// of its scope, from 1 and without gaps, in the order written: an append of `k` events gets
/// `k` positions naming each event and its stream's version; a document write names the key
/// and the new version.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_numbers_every_write_in_order(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let empty = store.read_feed(c, FeedPosition::START, 10).await.ctx("read_feed")?;
    ensure!(empty.is_empty(), "{}", unexpected(F_ORDER, "an empty feed in a new scope", &empty));
    let (key, s, t) = (doc(DocumentKind::ChangeNotice), stream(), StreamKey { kind: StreamKind::Breach, ..stream() });
    store.put_document(c, key, &body(1), Version::NONE).await.ctx("put_document")?;
    store.append_events(c, s, Version::NONE, &[body(1), body(2), body(3)]).await.ctx("append_events")?;
    store.append_events(c, t, Version::NONE, &[body(4)]).await.ctx("append_events")?;
    store.put_document(c, key, &body(2), Version::new(1)).await.ctx("put_document")?;
    store.append_events(c, s, Version::new(3), &[body(5)]).await.ctx("append_events")?;
    let entries = store.read_feed(c, FeedPosition::START, 100).await.ctx("read_feed")?;
    let want = [
        document(key, 1),
        event(s, 1, 1),
        event(s, 2, 2),
        event(s, 3, 3),
        event(t, 1, 4),
        document(key, 2),
        event(s, 4, 5),
    ];
    expect_feed(F_ORDER, &entries, 1, &want)
}

/// **Change feed, scope.** Writes in one scope are not in another's feed, and each scope
/// numbers its own from 1.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_scope_isolation(store: &dyn LedgerStore) -> Checked {
    let (c, d) = two_scopes();
    let (s, key) = (stream(), doc(DocumentKind::Party));
    store.append_events(c, s, Version::NONE, &[body(1), body(2)]).await.ctx("append_events")?;
    let in_d = store.read_feed(d, FeedPosition::START, 10).await.ctx("read_feed")?;
    ensure!(in_d.is_empty(), "{F_SCOPE}: D's feed holds C's writes: {in_d:?}");
    store.put_document(d, key, &body(3), Version::NONE).await.ctx("put_document")?;
    let in_d = store.read_feed(d, FeedPosition::START, 10).await.ctx("read_feed")?;
    expect_feed(F_SCOPE, &in_d, 1, &[document(key, 1)])?;
    let in_c = store.read_feed(c, FeedPosition::START, 10).await.ctx("read_feed")?;
    expect_feed(F_SCOPE, &in_c, 1, &[event(s, 1, 1), event(s, 2, 2)])
}

/// **Change feed, paging.** A read returns the positions after `after`, at most `limit` of
/// them: none for `limit` 0 or after the last position, and never more than
/// [`FEED_PAGE_MAX`], however large `limit` is.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_reads_after_position_within_limit(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = stream();
    let events: Vec<_> = (1..=FEED_PAGE_MAX as u64 + 5).map(body).collect();
    store.append_events(c, s, Version::NONE, &events).await.ctx("append_events")?;
    let page = store.read_feed(c, FeedPosition::new(3), 2).await.ctx("read_feed")?;
    expect_feed(F_PAGE, &page, 4, &[event(s, 4, 4), event(s, 5, 5)])?;
    let none = store.read_feed(c, FeedPosition::new(3), 0).await.ctx("read_feed")?;
    ensure!(none.is_empty(), "{}", unexpected(F_PAGE, "nothing for limit 0", &none.len()));
    let last = FeedPosition::new(events.len() as u64);
    let past = store.read_feed(c, last, 10).await.ctx("read_feed")?;
    ensure!(past.is_empty(), "{}", unexpected(F_PAGE, "nothing after the last position", &past.len()));
    let far = store.read_feed(c, FeedPosition::new(u64::MAX), 10).await.ctx("read_feed")?;
    ensure!(far.is_empty(), "{}", unexpected(F_PAGE, "nothing after u64::MAX", &far.len()));
    let tail = store.read_feed(c, FeedPosition::new(last.get() - 1), 10).await.ctx("read_feed")?;
    expect_feed(F_PAGE, &tail, last.get(), &[event(s, last.get(), last.get())])?;
    let all = store.read_feed(c, FeedPosition::START, usize::MAX).await.ctx("read_feed")?;
    ensure!(
        all.len() == FEED_PAGE_MAX,
        "{}",
        unexpected(F_PAGE, &format!("{FEED_PAGE_MAX} entries for limit usize::MAX"), &all.len())
    );
    Ok(())
}

/// **Change feed.** A write that fails (a stale append or document write, creating what
/// exists, updating what does not, an empty append) gets no position, and the next write
/// that succeeds gets the next one: no gap.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_failed_write_has_no_position(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let (s, key) = (stream(), doc(DocumentKind::Agreement));
    store.append_events(c, s, Version::NONE, &[body(1)]).await.ctx("append_events")?;
    store.put_document(c, key, &body(1), Version::NONE).await.ctx("put_document")?;
    let failed = [
        store.append_events(c, s, Version::NONE, &[body(2), body(3)]).await,
        store.append_events(c, s, Version::new(5), &[body(2)]).await,
        store.append_events(c, s, Version::new(1), &[]).await,
        store.put_document(c, key, &body(2), Version::NONE).await,
        store.put_document(c, key, &body(2), Version::new(7)).await,
        store.put_document(c, doc(DocumentKind::Party), &body(2), Version::new(1)).await,
    ];
    ensure!(failed.iter().all(Result::is_err), "{}", unexpected(F_FAILED, "every refused write to fail", &failed));
    store.append_events(c, s, Version::new(1), &[body(4)]).await.ctx("append_events")?;
    let entries = store.read_feed(c, FeedPosition::START, 10).await.ctx("read_feed")?;
    expect_feed(F_FAILED, &entries, 1, &[event(s, 1, 1), document(key, 1), event(s, 2, 4)])
}

/// **Change feed.** Writes of [`DocumentKind::FeedCursor`] documents, including a
/// [`Feed::ack`], get no position, so that a consumer does not feed itself.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_cursor_writes_are_not_in_the_feed(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = sweep();
    store.put_document(c, doc(DocumentKind::FeedCursor), &body(1), Version::NONE).await.ctx("put_document")?;
    store.append_events(c, s, Version::NONE, &[body(1)]).await.ctx("append_events")?;
    let feed = Feed::new(store, c, FeedConsumerId::generate());
    let batch = feed.next(10).await.ctx("Feed::next")?;
    feed.ack(&batch).await.ctx("Feed::ack")?;
    let entries = store.read_feed(c, FeedPosition::START, 10).await.ctx("read_feed")?;
    expect_feed(F_CURSOR, &entries, 1, &[event(s, 1, 1)])?;
    let after = feed.next(10).await.ctx("Feed::next")?;
    ensure!(after.is_empty(), "{}", unexpected(F_CURSOR, "nothing new after the ack", &after));
    Ok(())
}

/// **Change feed.** Concurrent appends to many streams of one scope each get their own
/// positions: the feed then holds every event exactly once, at positions 1 to n without gaps,
/// each stream's events in the stream's order.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_concurrent_writers_get_distinct_positions(store: &dyn LedgerStore) -> Checked {
    const STREAMS: u64 = 8;
    const EVENTS: u64 = 5;
    let (c, _) = two_scopes();
    let streams: Vec<StreamKey> = (0..STREAMS).map(|_| stream()).collect();
    let writers = streams.iter().map(|&s| async move {
        for n in 0..EVENTS {
            store.append_events(c, s, Version::new(n), &[body(n + 1)]).await?;
        }
        Ok::<(), StoreError>(())
    });
    for result in join_all(writers).await {
        result.ctx("append_events")?;
    }
    let entries = store.read_feed(c, FeedPosition::START, 1000).await.ctx("read_feed")?;
    let positions: Vec<u64> = entries.iter().map(|e| e.position.get()).collect();
    let want: Vec<u64> = (1..=STREAMS * EVENTS).collect();
    ensure!(positions == want, "{}", unexpected(F_ORDER, "positions 1 to n", &positions));
    for s in streams {
        let seen: Vec<&StoredChange> = entries
            .iter()
            .map(|e| &e.change)
            .filter(|ch| matches!(ch, StoredChange::Event { stream, .. } if *stream == s))
            .collect();
        let want: Vec<StoredChange> = (1..=EVENTS).map(|n| event(s, n, n)).collect();
        ensure!(seen == want.iter().collect::<Vec<_>>(), "{}", unexpected(F_ORDER, &format!("{want:?}"), &seen));
    }
    Ok(())
}

/// **At least once.** [`Feed::next`] reads the changes after the consumer's cursor without
/// moving it: a consumer that stops before [`Feed::ack`] (a crash) reads the same batch again,
/// and after the ack reads only what follows. Of two workers of one consumer acknowledging the
/// same batch, the second is refused rather than moving the cursor again.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_cursor_delivers_at_least_once(store: &dyn LedgerStore) -> Checked {
    let (c, _) = two_scopes();
    let s = sweep();
    store.append_events(c, s, Version::NONE, &[body(1), body(2), body(3)]).await.ctx("append_events")?;
    let consumer = FeedConsumerId::generate();
    let positions = |b: &crate::store::FeedBatch| b.items().iter().map(|i| i.position.get()).collect::<Vec<_>>();

    let crashed = Feed::new(store, c, consumer).next(2).await.ctx("Feed::next")?;
    ensure!(positions(&crashed) == [1, 2], "{}", unexpected(F_ONCE, "positions 1 and 2", &crashed));
    // The worker stops here without acknowledging; another takes over.
    let (one, two) = (Feed::new(store, c, consumer), Feed::new(store, c, consumer));
    let again = one.next(2).await.ctx("Feed::next")?;
    ensure!(again.items() == crashed.items(), "{}", unexpected(F_ONCE, "the same batch again", &again));
    let same = two.next(2).await.ctx("Feed::next")?;
    one.ack(&again).await.ctx("Feed::ack")?;
    let second = two.ack(&same).await;
    ensure!(
        matches!(second, Err(StoreError::Conflict { .. } | StoreError::Duplicate { .. })),
        "{}",
        unexpected(F_ONCE, "the second ack of one batch refused", &second)
    );
    let rest = two.next(10).await.ctx("Feed::next")?;
    ensure!(positions(&rest) == [3], "{}", unexpected(F_ONCE, "only position 3 after the ack", &rest));
    ensure!(
        matches!(&rest.items()[0].change, Change::Other(StoredChange::Event { stream, .. }) if *stream == s),
        "{}",
        unexpected(F_ONCE, "the sweep event, untyped", &rest.items()[0])
    );
    two.ack(&rest).await.ctx("Feed::ack")?;
    let cursor = one.cursor().await.ctx("Feed::cursor")?;
    ensure!(
        cursor.value.position == FeedPosition::new(3) && cursor.version == Version::new(2),
        "{}",
        unexpected(F_ONCE, "the cursor at 3, written twice", &cursor)
    );
    Ok(())
}

/// Closes a store and opens it again on the same database, for
/// [`feed_resumes_after_reopening`].
pub type Reopen = Box<
    dyn FnOnce(Arc<dyn LedgerStore>) -> Pin<Box<dyn Future<Output = Result<Arc<dyn LedgerStore>, StoreError>> + Send>>
        + Send,
>;

/// **Durable.** A consumer that acknowledged part of the feed and whose store is closed and
/// opened again (`reopen`, given the store, drops it and opens the same database) resumes
/// after its cursor: it reads what it had not acknowledged, then what was written after the
/// reopening, at the following positions.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn feed_resumes_after_reopening(store: Arc<dyn LedgerStore>, reopen: Reopen) -> Checked {
    let (c, _) = two_scopes();
    let (s, key) = (sweep(), doc(DocumentKind::LegalHold));
    let consumer = FeedConsumerId::generate();
    store.append_events(c, s, Version::NONE, &[body(1), body(2)]).await.ctx("append_events")?;
    store.put_document(c, key, &body(3), Version::NONE).await.ctx("put_document")?;
    {
        let feed = Feed::new(&*store, c, consumer);
        let batch = feed.next(2).await.ctx("Feed::next")?;
        feed.ack(&batch).await.ctx("Feed::ack")?;
    }
    let store = reopen(store).await.ctx("reopen")?;
    store.append_events(c, s, Version::new(2), &[body(4)]).await.ctx("append_events")?;
    let feed = Feed::new(&*store, c, consumer);
    let batch = feed.next(10).await.ctx("Feed::next")?;
    let got: Vec<u64> = batch.items().iter().map(|i| i.position.get()).collect();
    ensure!(got == [3, 4], "{}", unexpected(F_DURABLE, "positions 3 and 4 after the reopening", &batch));
    let entries = store.read_feed(c, FeedPosition::START, 10).await.ctx("read_feed")?;
    expect_feed(F_DURABLE, &entries, 1, &[event(s, 1, 1), event(s, 2, 2), document(key, 1), event(s, 3, 4)])
}
