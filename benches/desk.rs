//! The request desk's own cost: one access request (Art. 15) received, its requester's identity
//! verified, carried out and completed through the [`Desk`] on SQLite, against the same work
//! without the desk, in the same run, so the result reads as a ratio.
//!
//! The subject is the probe of a generated history (`testkit::generate`, seed 1, cached under
//! `target/bench-data/` as in the `chat_history` bench): 100 messages in 5 conversations, the
//! same in every history. Every iteration is a new request for that probe.
//!
//! The baseline, and why it is the fair opponent: what a competent engineer writes without the
//! desk is the bare [`Fulfilment::access`] for the same subject and sources (the same report,
//! the same audit entry of the step), plus the fewest ledger writes that the controller's
//! accountability needs (Art. 5(2), 12(3), 12(6)): that the request was received, that the
//! requester's identity was verified, and that it was answered. The three happen at different
//! moments of a real request (on arrival, after the check, after the answer), so they are three
//! appends to the request's stream, each at the version the engineer already knows, with no
//! replay, no decision and no transition audit entries; the same store, the same file. The
//! desk does more on top: it replays the request before each step and lets the lifecycle decide
//! it (so nothing is disclosed before the identity is settled), records the start and what the
//! run came to, and audits every transition. That "more" is what the ratio measures.
//!
//! ```text
//! cargo bench --bench desk                              # 10k
//! GDPR_BENCH_SIZES=10000,1000000 cargo bench --bench desk  # and 1M (generated once, ~1 min)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use gdpr_obligations::desk::{Desk, FulfilmentReport};
use gdpr_obligations::fulfil::{AccessReport, Fulfilment};
use gdpr_obligations::model::{SubjectId, SubjectIdentifier, Text};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, Event, Processing, Receipt, Request, RequestId, RequestKind, StatusName,
};
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{
    Aggregate, AuditLog, LedgerStore, LedgerStoreExt, PersonalDataSource, PseudonymKey, Scope, Version,
};
use gdpr_obligations::testkit::generate::{self, HistorySpec};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{LegalBasis, Purpose};
use tokio::runtime::Runtime;
use uuid::Uuid;

const SEED: u64 = 1;

fn key() -> PseudonymKey {
    PseudonymKey::new(b"bench-chat-history-key-0123456789").expect("a valid key")
}

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn sizes() -> Vec<u64> {
    match std::env::var("GDPR_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![10_000],
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// A working copy of a cached history, removed when dropped.
struct WorkingCopy {
    path: PathBuf,
}

impl WorkingCopy {
    fn of(template: &Path, name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("gdpr-bench-desk-{name}-{}.sqlite", Uuid::now_v7()));
        std::fs::copy(template, &path).expect("copy the cached history");
        WorkingCopy { path }
    }
}

impl Drop for WorkingCopy {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

fn text(s: &str) -> Text {
    Text::new(s).expect("a valid text")
}

/// A new access request of the probe, as the chat receives it.
fn receipt(scope: Scope, at: DateTime<Utc>, probe: &[SubjectIdentifier]) -> Receipt {
    Receipt::new(
        scope.controller(),
        at,
        RequestKind::Access,
        Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(text("ÚOOÚ"), text("Art. 79 GDPR")),
    )
    .with_requester(probe.iter().cloned())
}

/// The whole request through the desk: receive, start, verify, fulfil (which completes it).
async fn through_desk(desk: &Desk, receipt: Receipt, at: DateTime<Utc>) -> (Request, AccessReport) {
    let id = desk.receive(receipt).await.expect("receive").id();
    desk.start(id, at).await.expect("start");
    let subject = SubjectId::generate();
    desk.execute(id, Command::VerifyIdentity { at, subject }).await.expect("verify");
    let done = desk.fulfil(id, at).await.expect("fulfil");
    match done.report {
        FulfilmentReport::Access(report) => (done.request, *report),
        other => panic!("an access request reports access, not {other:?}"),
    }
}

/// The same request without the desk: the received, verified and completed events appended
/// directly, and the bare fulfilment between them.
async fn bare(
    store: &SqliteStore,
    scope: Scope,
    sources: &[Arc<dyn PersonalDataSource>],
    receipt: Receipt,
    at: DateTime<Utc>,
) -> (RequestId, AccessReport) {
    let (ledger, audit): (&dyn LedgerStore, &dyn AuditLog) = (store, store);
    let (id, subject) = (receipt.id, receipt.requester.clone());
    let stream = Request::stream(id);
    let received = [Event::Received(Box::new(receipt))];
    let v = ledger.append(scope, stream, Version::NONE, &received).await.expect("received");
    let verified = [Event::IdentityVerified { at, subject: SubjectId::generate() }];
    let v = ledger.append(scope, stream, v, &verified).await.expect("verified");
    let key = key();
    let report =
        Fulfilment::new(scope, ledger, audit, sources.to_vec(), &key).access(id, &subject, at).await.expect("access");
    let summary = text("the confirmation, the Art. 15(1) information and the copy of the data were produced");
    let completed = [Event::Completed { at, summary, withheld: None, reply: None }];
    ledger.append(scope, stream, v, &completed).await.expect("completed");
    (id, report)
}

fn sqlite_desk(c: &mut Criterion, rt: &Runtime, messages: u64) {
    let spec = HistorySpec::new(SEED, messages);
    let template = rt.block_on(generate::cached_sqlite(&data_dir(), &spec)).expect("the cached history");
    let copy = WorkingCopy::of(&template, &format!("{messages}"));
    let store = rt.block_on(SqliteStore::open(&copy.path)).expect("open the copy");
    let chat: Arc<dyn PersonalDataSource> =
        Arc::new(rt.block_on(ChatHistory::sqlite(&store, key())).expect("the chat tables"));
    let sources = vec![chat.clone()];
    let scope = spec.scopes()[0];
    let probe = generate::probe_identifiers(0);
    let at: DateTime<Utc> = "2026-03-16T09:00:00Z".parse().expect("an instant");
    let desk = Desk::new(scope.controller(), Arc::new(store.clone()), Arc::new(store.clone()), key()).with_source(chat);

    // Both produce the same report and the records accountability needs: the desk's request is
    // completed, and the baseline's three events replay to a request answered with its
    // requester verified.
    let (request, by_desk) = rt.block_on(through_desk(&desk, receipt(scope, at, &probe), at));
    assert_eq!(request.status().name(), StatusName::Completed);
    let (id, mut by_hand) = rt.block_on(bare(&store, scope, &sources, receipt(scope, at, &probe), at));
    assert!(by_desk.complete && !by_desk.copy.is_empty(), "the desk's report holds the probe's copy");
    by_hand.job = by_desk.job;
    assert_eq!(by_desk, by_hand, "the baseline produces the desk's report");
    let events = rt.block_on(store.events::<Event>(scope, Request::stream(id))).expect("the baseline's events");
    let replayed = Request::replay(&events.value).expect("the baseline's events hold the receipt");
    assert_eq!(replayed.status().name(), StatusName::Completed);
    assert!(replayed.identity().is_settled());

    paired(rt, &desk, &store, scope, &sources, &probe, at, messages);

    let label =
        if messages >= 1_000_000 { format!("{}m", messages / 1_000_000) } else { format!("{}k", messages / 1_000) };
    let mut group = c.benchmark_group(format!("desk_sqlite_{label}"));
    group.sample_size(30).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(8));
    group.bench_function("access/desk", |b| {
        b.iter(|| rt.block_on(through_desk(&desk, receipt(scope, at, &probe), at)));
    });
    group.bench_function("access/baseline_fulfilment_and_events", |b| {
        b.iter(|| rt.block_on(bare(&store, scope, &sources, receipt(scope, at, &probe), at)));
    });
    group.finish();
    drop(desk);
    rt.block_on(store.close());
}

/// The two in alternation, `GDPR_BENCH_PAIRS` pairs (default 60): on a machine whose load
/// changes from second to second (other builds), criterion's two figures are taken seconds
/// apart and their ratio moves with the load; the median of the ratios of adjacent runs does not.
#[allow(clippy::too_many_arguments)]
fn paired(
    rt: &Runtime,
    desk: &Desk,
    store: &SqliteStore,
    scope: Scope,
    sources: &[Arc<dyn PersonalDataSource>],
    probe: &[SubjectIdentifier],
    at: DateTime<Utc>,
    messages: u64,
) {
    let pairs: usize = std::env::var("GDPR_BENCH_PAIRS").ok().and_then(|n| n.parse().ok()).unwrap_or(60);
    let (mut by_desk, mut by_hand, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..pairs {
        // Alternate which goes first, so neither always runs on a warmer cache.
        let time_desk = || {
            let start = Instant::now();
            rt.block_on(through_desk(desk, receipt(scope, at, probe), at));
            start.elapsed().as_secs_f64()
        };
        let time_bare = || {
            let start = Instant::now();
            rt.block_on(bare(store, scope, sources, receipt(scope, at, probe), at));
            start.elapsed().as_secs_f64()
        };
        let (d, b) = if n % 2 == 0 {
            let d = time_desk();
            (d, time_bare())
        } else {
            let b = time_bare();
            (time_desk(), b)
        };
        by_desk.push(d);
        by_hand.push(b);
        ratios.push(d / b);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let quartiles = |v: &Vec<f64>| (v[v.len() / 4], v[v.len() * 3 / 4]);
    let (d, b, r) = (median(&mut by_desk), median(&mut by_hand), median(&mut ratios));
    let (q1, q3) = quartiles(&ratios);
    println!(
        "desk_sqlite {messages} messages, {pairs} alternating pairs: desk {:.2} ms, baseline {:.2} ms (medians); \
         ratio median {r:.2}x (quartiles {q1:.2}x-{q3:.2}x)",
        d * 1e3,
        b * 1e3,
    );
}

fn desk(c: &mut Criterion) {
    let rt = runtime();
    for messages in sizes() {
        sqlite_desk(c, &rt, messages);
    }
}

criterion_group!(benches, desk);
criterion_main!(benches);
