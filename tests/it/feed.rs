//! The typed change feed: what `Feed` decodes each stored change into, on the in-memory
//! reference (the stores' own contract, positions and cursor semantics, is the conformance
//! kit's, run on every backend).

use gdpr_obligations::breach::Event as BreachEvent;
use gdpr_obligations::model::PartyId;
use gdpr_obligations::request::Event;
use gdpr_obligations::store::memory::MemoryLedger;
use gdpr_obligations::store::{
    Change, DocumentKey, DocumentKind, Feed, FeedConsumerId, LedgerStore, LedgerStoreExt, Scope, StoreError,
    StoredChange, StreamKey, StreamKind, Version,
};
use gdpr_obligations::testkit;
use proptest::prelude::*;
use uuid::Uuid;

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::cases(32), ..ProptestConfig::default() })]

    /// A request's and a breach's events come out typed, with their ids and versions; a change
    /// notice written comes out as its id and version; an Art. 19 notice as its request and
    /// the JSON recorded; anything else as stored.
    #[test]
    fn every_change_comes_out_typed(receipt in testkit::receipt(), detection in testkit::breach_detection()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let ledger = MemoryLedger::new();
            let scope = Scope::of(receipt.controller);
            let breach_scope = Scope::of(detection.keeper());
            let (request, breach) = (receipt.id, detection.id);
            let received = Event::Received(Box::new(receipt));
            let request_stream = StreamKey { kind: StreamKind::Request, id: request.as_uuid() };
            ledger.append(scope, request_stream, Version::NONE, std::slice::from_ref(&received)).await.unwrap();
            let notice = DocumentKey { kind: DocumentKind::ChangeNotice, id: Uuid::now_v7() };
            ledger.put_document(scope, notice, &serde_json::json!({}), Version::NONE).await.unwrap();
            let notice_stream = StreamKey { kind: StreamKind::Notice, id: request.as_uuid() };
            let given = serde_json::json!({ "to": "a recipient" });
            ledger.append_events(scope, notice_stream, Version::NONE, std::slice::from_ref(&given)).await.unwrap();
            let party = DocumentKey { kind: DocumentKind::Party, id: Uuid::now_v7() };
            ledger.put_document(scope, party, &serde_json::json!({}), Version::NONE).await.unwrap();
            let detected = BreachEvent::Detected(Box::new(detection));
            let breach_stream = StreamKey { kind: StreamKind::Breach, id: breach.as_uuid() };
            ledger.append(breach_scope, breach_stream, Version::NONE, std::slice::from_ref(&detected)).await.unwrap();

            let feed = Feed::new(&ledger, scope, FeedConsumerId::generate());
            let changes: Vec<Change> = feed.next(10).await.unwrap().items().iter().map(|i| i.change.clone()).collect();
            let want = [
                Change::Request { id: request, version: Version::new(1), event: Box::new(received) },
                Change::ChangeNotice {
                    id: gdpr_obligations::agreement::ChangeNoticeId::from_uuid(notice.id),
                    version: Version::new(1),
                },
                Change::NoticeGiven { request, version: Version::new(1), notice: given },
                Change::Other(StoredChange::Document { key: party, version: Version::new(1) }),
            ];
            prop_assert_eq!(&changes[..], &want[..]);
            let in_register = Feed::new(&ledger, breach_scope, FeedConsumerId::generate()).next(10).await.unwrap();
            let want = Change::Breach { id: breach, version: Version::new(1), event: Box::new(detected) };
            prop_assert_eq!(&in_register.items()[0].change, &want);
            Ok(())
        })?;
    }
}

/// A request event that does not decode stops the reader with `Corrupt` naming the stream,
/// without moving the cursor.
#[tokio::test]
async fn an_event_that_does_not_decode_is_corrupt() {
    let ledger = MemoryLedger::new();
    let scope = Scope::of(PartyId::generate());
    let stream = StreamKey { kind: StreamKind::Request, id: Uuid::now_v7() };
    ledger.append_events(scope, stream, Version::NONE, &[serde_json::json!({ "type": "unheard_of" })]).await.unwrap();
    let feed = Feed::new(&ledger, scope, FeedConsumerId::generate());
    match feed.next(10).await {
        Err(e @ StoreError::Corrupt { .. }) => assert!(e.to_string().contains(&stream.id.to_string()), "{e}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(feed.cursor().await.unwrap().version, Version::NONE);
}

/// A consumer that handled only part of a batch (a webhook failed) acknowledges that part and
/// reads the rest again.
#[tokio::test]
async fn a_truncated_batch_moves_the_cursor_past_what_it_keeps() {
    let ledger = MemoryLedger::new();
    let scope = Scope::of(PartyId::generate());
    let stream = StreamKey { kind: StreamKind::Sweep, id: Uuid::now_v7() };
    let events: Vec<_> = (1..=5).map(|n| serde_json::json!(n)).collect();
    ledger.append_events(scope, stream, Version::NONE, &events).await.unwrap();
    let feed = Feed::new(&ledger, scope, FeedConsumerId::generate());
    let mut batch = feed.next(10).await.unwrap();
    batch.truncate(2);
    assert_eq!(batch.last().get(), 2);
    feed.ack(&batch).await.unwrap();
    let rest = feed.next(10).await.unwrap();
    let positions: Vec<u64> = rest.items().iter().map(|i| i.position.get()).collect();
    assert_eq!(positions, [3, 4, 5]);
}
