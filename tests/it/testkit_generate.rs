//! The benchmark generator (`testkit::generate`) writes in bulk exactly what the product API
//! writes: a probe generated in bulk into a generated history is found and exported like the
//! same probe written call by call through the product API of a SQLite `ChatHistory`.
#![cfg(feature = "sqlite")]

use futures_util::TryStreamExt;
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{PersonalDataSource, PseudonymKey};
use gdpr_obligations::testkit::generate::{self, HistorySpec, PROBE_MESSAGES, Writes};

fn key() -> PseudonymKey {
    PseudonymKey::new(b"testkit-generate-test-key-0123456789").unwrap()
}

/// Every UUID in `text` replaced by `<id>`: ids are fresh in every run.
fn without_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        if text.get(i..i + 36).is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()) && bytes[i + 8] == b'-' {
            out.push_str("<id>");
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

async fn found_and_exported(chat: &ChatHistory, spec: &HistorySpec) -> (Vec<String>, Vec<String>) {
    let scope = spec.scopes()[0];
    let subject = generate::probe_identifiers(0);
    let mut found: Vec<String> = chat
        .find(scope, &subject)
        .await
        .unwrap()
        .into_iter()
        .map(|f| without_ids(&serde_json::to_string(&f).unwrap()))
        .collect();
    found.sort();
    let items: Vec<_> = chat.export(scope, &subject).await.unwrap().try_collect().await.unwrap();
    let mut exported: Vec<String> =
        items.into_iter().map(|i| without_ids(&serde_json::to_string(&i).unwrap())).collect();
    exported.sort();
    (found, exported)
}

#[tokio::test]
async fn a_probe_generated_in_bulk_is_found_and_exported_like_one_written_through_the_product_api() {
    let spec = HistorySpec::new(11, 3_000);

    let generated = SqliteStore::open_in_memory().await.unwrap();
    let bulk = ChatHistory::sqlite(&generated, key()).await.unwrap();
    let history = generate::fill(&bulk, &spec).await.unwrap();
    assert!(history.messages >= 3_000 + PROBE_MESSAGES as u64);
    assert_eq!(history.scopes, spec.scopes(), "the controllers follow from the seed");

    let alone = SqliteStore::open_in_memory().await.unwrap();
    let api = ChatHistory::sqlite(&alone, key()).await.unwrap();
    generate::add_probe(&api, spec.scopes()[0], 0, Writes::ProductApi).await.unwrap();

    let (bulk_found, bulk_exported) = found_and_exported(&bulk, &spec).await;
    let (api_found, api_exported) = found_and_exported(&api, &spec).await;
    let messages = bulk_found.iter().filter(|f| f.contains("/message/")).count();
    assert!(messages > PROBE_MESSAGES / 2, "the probe's own messages and the replies that mention it");
    assert_eq!(bulk_found, api_found);
    assert_eq!(bulk_exported, api_exported);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_history_apart_from_ids() {
    let spec = HistorySpec::new(5, 600);
    let mut dumps = Vec::new();
    for _ in 0..2 {
        let store = SqliteStore::open_in_memory().await.unwrap();
        let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
        generate::fill(&chat, &spec).await.unwrap();
        let mut conversations = Vec::new();
        for scope in spec.scopes() {
            for c in chat.conversations(scope).await.unwrap() {
                let transcript = chat.transcript(scope, c.id).await.unwrap();
                let texts: Vec<String> = transcript.iter().map(|m| format!("{} {}", m.sent_at, m.text)).collect();
                conversations.push(without_ids(&format!("{} {} {texts:?}", c.started_at, c.messages)));
            }
        }
        conversations.sort();
        dumps.push(conversations);
    }
    assert!(!dumps[0].is_empty());
    assert_eq!(dumps[0], dumps[1]);
}
