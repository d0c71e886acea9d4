//! The access copy and the portable export as owned byte streams (Art. 15(3), Art. 20): what a
//! web handler returns as a response body.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use gdpr_obligations::erasure::{ErasurePolicy, RecordKey, RecordOutcome, Rectification};
use gdpr_obligations::fulfil::{
    ACCESS_COPY_FORMAT, ByteStream, CHUNK_BYTES, FulfilError, Fulfilment, PORTABLE_FORMAT, access_copy, portable_export,
};
use gdpr_obligations::model::{EmailAddress, PartyId, SourceName, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    ExportItem, ExportStream, FoundRecord, PersonalDataSource, PseudonymKey, Scope, StoreError,
};
use gdpr_obligations::testkit::faults::{Call, Faulty, Phase};
use gdpr_obligations::vocab::DataCategory;

fn now() -> DateTime<Utc> {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

fn eva() -> Vec<SubjectIdentifier> {
    vec![SubjectIdentifier::Email(EmailAddress::new("eva@example.cz").unwrap())]
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// ACME's chat: Eva's conversation of `messages` messages of her own, each answered by an agent,
/// and Petr's.
async fn chat(messages: usize) -> (Arc<ChatHistory>, Scope) {
    let chat = Arc::new(ChatHistory::new());
    let acme = Scope::of(PartyId::generate());
    let t = now();
    let eva_id = chat.add_visitor(acme, Token::new("tok-eva").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, eva_id, eva()[0].clone(), t).await.unwrap();
    let talk = chat.start_conversation(acme, eva_id, t).await.unwrap();
    for n in 0..messages {
        chat.post(acme, talk, Sender::Visitor(eva_id), text(&format!("Hi, order {n} has not arrived")), vec![], t)
            .await
            .unwrap();
        chat.post(acme, talk, Sender::Agent(text("Jana Nováková")), text("Sent to you today"), vec![], t)
            .await
            .unwrap();
    }
    let petr = chat.add_visitor(acme, Token::new("tok-petr").unwrap(), t).await.unwrap();
    let petr_talk = chat.start_conversation(acme, petr, t).await.unwrap();
    chat.post(acme, petr_talk, Sender::Visitor(petr), text("Do you ship to Brno?"), vec![], t).await.unwrap();
    (chat, acme)
}

/// Every chunk of `stream`, or the error that ended it with the bytes before it.
async fn drain(mut stream: ByteStream) -> (Vec<Vec<u8>>, Option<FulfilError>) {
    let mut chunks = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => chunks.push(chunk),
            Err(e) => {
                assert!(stream.next().await.is_none(), "an error item is the last");
                return (chunks, Some(e));
            }
        }
    }
    (chunks, None)
}

fn parse_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(bytes).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn byte_stream_is_send_and_static() {
    fn owned<T: Send + 'static>() {}
    owned::<ByteStream>();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn art_20_stream_runs_on_another_task_after_its_inputs_are_dropped() {
    let (chat, acme) = chat(3).await;
    let stream = {
        let sources: Vec<Arc<dyn PersonalDataSource>> = vec![chat];
        portable_export(sources, acme, eva(), now())
    };
    // Nothing borrowed is left: the stream moves to another task, as a response body does.
    let (chunks, error) = tokio::spawn(drain(stream)).await.unwrap();
    assert!(error.is_none());
    let lines = parse_lines(&chunks.concat());
    assert_eq!(lines[0]["format"], PORTABLE_FORMAT);
    let messages = lines.iter().filter(|l| l.to_string().contains("has not arrived")).count();
    assert_eq!(messages, 3, "her three messages");
}

#[tokio::test]
async fn art_20_stream_bytes_equal_the_portability_writer() {
    // Enough lines for several chunks.
    let (chat, acme) = chat(600).await;
    let sources: Vec<Arc<dyn PersonalDataSource>> = vec![chat.clone(), chat];
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let key = PseudonymKey::new(b"a test key of at least sixteen bytes").unwrap();
    let fulfilment = Fulfilment::new(acme, &ledger, &audit, sources.clone(), &key);
    let mut written = Vec::new();
    let records = fulfilment.portability(RequestId::generate(), &eva(), now(), &mut written).await.unwrap();
    assert_eq!(records, 2 * 601, "her profile and her 600 messages, from each of the two sources");

    let (chunks, error) = drain(portable_export(sources, acme, eva(), now())).await;
    assert!(error.is_none());
    assert_eq!(chunks.concat(), written);
    assert!(chunks.len() > 1, "a long export comes in several chunks");
    for chunk in &chunks {
        assert_eq!(chunk.last(), Some(&b'\n'), "a chunk ends at the end of a line");
        assert!(chunk.len() < CHUNK_BYTES + 4096, "a chunk is about CHUNK_BYTES: {}", chunk.len());
    }
}

#[tokio::test]
async fn art_15_access_copy_holds_every_item_of_every_source() {
    let (chat, acme) = chat(5).await;
    let job = RequestId::generate();
    let subject = eva();
    let mut expected: Vec<ExportItem> = Vec::new();
    let mut items = chat.export(acme, &subject).await.unwrap();
    while let Some(item) = items.next().await {
        expected.push(item.unwrap());
    }
    drop(items);
    assert!(expected.iter().any(|i| !i.provided_by_subject), "the agents' replies are in her access copy");

    let (chunks, error) = drain(access_copy(vec![chat], acme, subject, job, now())).await;
    assert!(error.is_none());
    let lines = parse_lines(&chunks.concat());
    assert_eq!(lines[0]["format"], ACCESS_COPY_FORMAT);
    assert_eq!(lines[0]["request"], serde_json::json!(job));
    assert_eq!(lines[0]["controller"], serde_json::json!(acme.controller()));
    let got: Vec<ExportItem> = lines[1..].iter().map(|l| serde_json::from_value(l.clone()).unwrap()).collect();
    assert_eq!(got, expected);
    let all = String::from_utf8(chunks.concat()).unwrap();
    assert!(!all.contains("Brno"), "Art. 15(4): no other subject's data");
}

#[tokio::test]
async fn a_source_failing_at_the_start_ends_the_stream_with_an_error() {
    let (chat, acme) = chat(2).await;
    let broken = Faulty::new(chat.clone(), |call, phase| match (call, phase) {
        (Call::Export, Phase::Before) => {
            Err(StoreError::Backend { store: "faulty", source: "connection reset".into() })
        }
        _ => Ok(()),
    });
    let sources: Vec<Arc<dyn PersonalDataSource>> = vec![chat, Arc::new(broken)];
    for stream in [
        portable_export(sources.clone(), acme, eva(), now()),
        access_copy(sources.clone(), acme, eva(), RequestId::generate(), now()),
    ] {
        let (_, error) = drain(stream).await;
        assert!(matches!(error, Some(FulfilError::Store(StoreError::Backend { .. }))), "{error:?}");
    }
}

/// A source whose export yields `good` items and then fails.
struct FailsMidway {
    name: SourceName,
    good: usize,
}

#[async_trait]
impl PersonalDataSource for FailsMidway {
    fn name(&self) -> &SourceName {
        &self.name
    }
    async fn find(&self, _: Scope, _: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
        Ok(vec![])
    }
    async fn export<'a>(&'a self, _: Scope, _: &'a [SubjectIdentifier]) -> Result<ExportStream<'a>, StoreError> {
        let item = |n: usize| ExportItem {
            source: self.name.clone(),
            record: RecordKey::new(format!("note/{n}")).unwrap(),
            category: DataCategory::CommunicationContent,
            collected_at: now(),
            provided_by_subject: true,
            origin: gdpr_obligations::store::ItemOrigin::SubjectDetails,
            data: serde_json::json!({ "text": "x".repeat(1000) }),
        };
        let items = (0..self.good).map(move |n| Ok(item(n)));
        let failure = std::iter::once(Err(StoreError::Backend { store: "notes", source: "disk read error".into() }));
        Ok(Box::pin(futures_util::stream::iter(items.chain(failure))))
    }
    async fn erasure_plan(
        &self,
        _: Scope,
        _: &[SubjectIdentifier],
        _: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(vec![])
    }
    async fn erase(
        &self,
        _: Scope,
        _: &[SubjectIdentifier],
        _: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(vec![])
    }
    async fn rectify(
        &self,
        _: Scope,
        _: &[SubjectIdentifier],
        _: &Rectification,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(vec![])
    }
    async fn restrict(&self, _: Scope, _: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(vec![])
    }
    async fn lift_restriction(&self, _: Scope, _: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError> {
        Ok(vec![])
    }
}

#[tokio::test]
async fn a_source_failing_midway_ends_the_stream_with_an_error_after_what_it_sent() {
    let acme = Scope::of(PartyId::generate());
    // 200 items of about 1 KiB: more than two chunks go out before the failure.
    let notes = Arc::new(FailsMidway { name: SourceName::new("notes").unwrap(), good: 200 });
    let (chunks, error) = drain(portable_export(vec![notes], acme, eva(), now())).await;
    assert!(matches!(error, Some(FulfilError::Store(StoreError::Backend { store: "notes", .. }))), "{error:?}");
    assert!(!chunks.is_empty(), "chunks were sent before the failure");
    let sent = parse_lines(&chunks.concat());
    assert!(sent.len() < 1 + 200, "the items after the last full chunk never look sent");
}
