//! The paged reads of a durable `ChatHistory` (feature `sqlite`) on a generated history: the
//! Art. 20 export of a subject, read a page of conversations at a time, and the sweep's listing
//! of what has expired (Art. 5(1)(e)), read batch after batch from a cursor, give exactly what
//! one read of everything gives, whatever the page size and the batch size.
#![cfg(feature = "sqlite")]

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use gdpr_obligations::model::SubjectIdentifier;
use gdpr_obligations::retention::{RetentionEvent, RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{ExportItem, FoundRecord, PersonalDataSource, PseudonymKey, Scope};
use gdpr_obligations::testkit::generate::{self, HistorySpec, PROBES};
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

/// The reference figures: everything in one page, in one call.
struct Whole {
    exports: Vec<Vec<ExportItem>>,
    expired: Vec<FoundRecord>,
}

fn whole() -> &'static Whole {
    static WHOLE: OnceLock<Whole> = OnceLock::new();
    WHOLE.get_or_init(|| {
        let path = history();
        runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).with_page_size(ONE_PAGE);
            let mut exports = Vec::new();
            for n in 0..PROBES {
                exports.push(export(&chat, &generate::probe_identifiers(n)).await);
            }
            let expired = chat.expired(scope(), &policies(), now(), None, usize::MAX).await.unwrap();
            store.close().await;
            Whole { exports, expired }
        })
    })
}

#[test]
fn the_reference_figures_are_not_empty() {
    let whole = whole();
    assert!(whole.exports.iter().all(|e| e.len() > 10), "every probe has data to export");
    let expired = &whole.expired;
    assert!(expired.iter().any(|f| f.record.starts_with("conversation/")), "messages expired");
    assert!(expired.iter().any(|f| f.record.starts_with("visitor/")), "profiles expired");
    assert!(expired.windows(2).all(|w| w[0].record < w[1].record), "in key order, each once");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Art. 20: a paged export holds the very items, in the very order, of one read.
    #[test]
    fn art_20_paged_export_equals_one_read(page in 1usize..12, probe in 0..PROBES) {
        let (whole, path) = (whole(), history());
        let got = runtime().block_on(async {
            let store = SqliteStore::open(path).await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).with_page_size(NonZeroUsize::new(page).unwrap());
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
            let chat = ChatHistory::sqlite(&store, key()).with_page_size(NonZeroUsize::new(page).unwrap());
            let got = expired_in_batches(&chat, batch).await;
            store.close().await;
            got
        });
        prop_assert_eq!(&got, &whole.expired);
    }
}
