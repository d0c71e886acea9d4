//! The paged reads of a durable `ChatHistory` (feature `sqlite`) on a generated history: the
//! Art. 20 export of a subject, read a page of conversations at a time, and the sweep's listing
//! of what has expired (Art. 5(1)(e)), read batch after batch from a cursor, and the product's
//! listing of conversations read a page at a time, give exactly what one read of everything
//! gives, whatever the page size and the batch size.
#![cfg(feature = "sqlite")]

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use gdpr_obligations::model::SubjectIdentifier;
use gdpr_obligations::retention::{RetentionEvent, RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::chat::{ChatHistory, ConversationSummary};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{ExportItem, FoundRecord, PersonalDataSource, PseudonymKey, RetentionSource, Scope};
use gdpr_obligations::testkit::generate::{self, HistorySpec, PROBES};
use gdpr_obligations::time::FixedClock;
use gdpr_obligations::vocab::{DataCategory, Purpose};
use proptest::prelude::*;

const SEED: u64 = 7;
const MESSAGES: u64 = 1_500;
/// Large enough to hold the whole history in one page.
const ONE_PAGE: NonZeroUsize = NonZeroUsize::new(1_000_000).unwrap();

fn key() -> PseudonymKey {
    PseudonymKey::new(b"chat-paging-test-key-0123456789abcdef").unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The generated history, once per test binary (cached under `target/`).
fn history() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("chat-paging");
        runtime().block_on(generate::cached_sqlite(&dir, &HistorySpec::new(SEED, MESSAGES))).unwrap()
    })
}

fn scope() -> Scope {
    HistorySpec::new(SEED, MESSAGES).scopes()[0]
}

/// Messages kept a year from collection, profiles and participations two months after the
/// visitor's last contact: records of both parts of the scope expire.
fn policies() -> Vec<RetentionPolicy> {
    let months = |months| RetentionPeriod::FromCollection { months };
    let after_contact = |months| RetentionPeriod::AfterEvent { event: RetentionEvent::LastContact, months };
    vec![
        RetentionPolicy::new(Purpose::CustomerCare, DataCategory::CommunicationContent, months(12)).unwrap(),
        RetentionPolicy::new(Purpose::CustomerCare, DataCategory::Identification, after_contact(2)).unwrap(),
        RetentionPolicy::new(Purpose::CustomerCare, DataCategory::UsageBehaviour, after_contact(2)).unwrap(),
        RetentionPolicy::new(Purpose::CustomerCare, DataCategory::OnlineIdentifier, after_contact(2)).unwrap(),
    ]
}

fn now() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

async fn export(chat: &ChatHistory, subject: &[SubjectIdentifier]) -> Vec<ExportItem> {
    chat.export(scope(), subject).await.unwrap().try_collect().await.unwrap()
}

/// Every expired record, asked for `batch` at a time after the last one, as the sweep asks.
async fn expired_in_batches(chat: &ChatHistory, batch: usize) -> Vec<FoundRecord> {
    let mut out: Vec<FoundRecord> = Vec::new();
    loop {
        let after = out.last().map(|f| f.record.to_string());
        let page = chat.expired(scope(), &policies(), now(), after.as_deref(), batch).await.unwrap();
        assert!(page.len() <= batch, "{} records asked for {batch}", page.len());
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// When the product lists conversations: a probe's participations expire two months after
/// their last contact, which is in their last conversation (2025-06-29), not in the first
/// (2025-06-01). So a page that holds one of their conversations but not the last lists it only
/// if it reads their last contact from the other conversations' headers.
fn listing_now() -> DateTime<Utc> {
    "2025-08-15T00:00:00Z".parse().unwrap()
}

/// The chat history on `store` at `listing_now()`, under `policies()`.
async fn listing_chat(store: &SqliteStore) -> ChatHistory {
    let chat = ChatHistory::sqlite(store, key()).await.unwrap().with_clock(Arc::new(FixedClock::new(listing_now())));
    chat.set_retention(scope(), policies());
    chat
}

/// The conversations listed `limit` at a time, each page after the last one's `next`.
async fn conversations_in_pages(chat: &ChatHistory, limit: usize) -> Vec<ConversationSummary> {
    let limit = NonZeroUsize::new(limit).unwrap();
    let (mut out, mut after) = (Vec::new(), None);
    loop {
        let page = chat.conversation_page(scope(), after, limit).await.unwrap();
        assert!(page.conversations.len() <= limit.get());
        out.extend(page.conversations);
        match page.next {
            Some(next) => {
                assert!(after < Some(next), "a page moves forward");
                after = Some(next);
            }
            None => return out,
        }
    }
}

/// The reference figures: everything in one page, in one call.
struct Whole {
    exports: Vec<Vec<ExportItem>>,
    expired: Vec<FoundRecord>,
    /// The product's listing at `listing_now()` under `policies()`, and with no policy at all.
    conversations: Vec<ConversationSummary>,
    unfiltered: Vec<ConversationSummary>,
}

fn whole() -> &'static Whole {
    static WHOLE: OnceLock<Whole> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let path = history();
        runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).await.unwrap().with_page_size(ONE_PAGE);
            let mut exports = Vec::new();
            for n in 0..PROBES {
                exports.push(export(&chat, &generate::probe_identifiers(n)).await);
            }
            let expired = chat.expired(scope(), &policies(), now(), None, usize::MAX).await.unwrap();
            let conversations = listing_chat(&store).await.conversations(scope()).await.unwrap();
            let unfiltered = ChatHistory::sqlite(&store, key()).await.unwrap().conversations(scope()).await.unwrap();
            store.close().await;
            Whole { exports, expired, conversations, unfiltered }
        })
    })
}

#[test]
fn the_reference_figures_are_not_empty() {
    let whole = whole();
    assert!(whole.exports.iter().all(|e| e.len() > 10), "every probe has data to export");
    let expired = &whole.expired;
    assert!(expired.iter().any(|f| f.record.as_str().starts_with("conversation/")), "messages expired");
    assert!(expired.iter().any(|f| f.record.as_str().starts_with("visitor/")), "profiles expired");
    assert!(expired.windows(2).all(|w| w[0].record < w[1].record), "in key order, each once");
    let (listed, all) = (&whole.conversations, &whole.unfiltered);
    assert!(!listed.is_empty(), "conversations are listed");
    assert!(listed.len() < all.len(), "expired participations leave conversations out (Art. 5(1)(e))");
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "in id order, each once");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::cases(24), ..ProptestConfig::default() })]

    /// Art. 20: a paged export holds the very items, in the very order, of one read.
    #[test]
    fn art_20_paged_export_equals_one_read(page in 1usize..12, probe in 0..PROBES) {
        let (whole, path) = (whole(), history());
        let got = runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).await.unwrap().with_page_size(NonZeroUsize::new(page).unwrap());
            let got = export(&chat, &generate::probe_identifiers(probe)).await;
            store.close().await;
            got
        });
        prop_assert_eq!(&got, &whole.exports[probe as usize]);
    }

    /// Art. 5(1)(e): batch after batch from a cursor, over pages of any size, the sweep is
    /// offered every expired record once, in key order: those one read of the scope lists.
    #[test]
    fn art_5_1_e_expired_in_batches_equals_one_listing(page in 1usize..40, batch in 1usize..300) {
        let (whole, path) = (whole(), history());
        let got = runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).await.unwrap().with_page_size(NonZeroUsize::new(page).unwrap());
            let got = expired_in_batches(&chat, batch).await;
            store.close().await;
            got
        });
        prop_assert_eq!(&got, &whole.expired);
    }

    /// Art. 5(1)(e), 18(2): the product's listing read a page at a time lists what one read of
    /// the scope lists, left out alike.
    #[test]
    fn art_5_1_e_conversation_pages_equal_one_listing(limit in 1usize..60) {
        let (whole, path) = (whole(), history());
        let got = runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let got = conversations_in_pages(&listing_chat(&store).await, limit).await;
            store.close().await;
            got
        });
        prop_assert_eq!(&got, &whole.conversations);
    }
}
