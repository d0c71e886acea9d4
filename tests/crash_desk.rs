//! Crash safety of the request desk on SQLite (issue 17, "Tests"): a child process carrying
//! requests out with `Desk::fulfil` on a database file is killed (`abort`) just before and just
//! after every write between the fulfilment and the completion (the journal, the source, the
//! erasure ledger, the request's events, the audit log), and at random moments; then `fulfil`
//! is called again on a reopened store. The final requests and reports are those of a run never
//! interrupted, the chat, the documents and the events are the same rows, no audit entry of a
//! fulfilment step or an erasure is lost, and the audit chain verifies.
//!
//! One known gap, reported and not asserted away: `execute` appends the request's events
//! before their `Transition` audit entry, so a kill between the two leaves the completion
//! without its audit entry (the events are the authoritative trail, Art. 5(2)). The drill
//! counts such kills and prints them.
//!
//! The child is this binary run again with `GDPR_CRASH_CHILD_DB` set (as `crash_erasure`'s);
//! `crash_child` does nothing otherwise. `GDPR_CRASH_POINTS` asks for more points (the extra
//! ones by time); every write point is used in any case.
#![cfg(feature = "sqlite")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use gdpr_obligations::desk::{Desk, FulfilmentReport};
use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure};
use gdpr_obligations::fulfil::StepReport;
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::{
    Channel, ComplaintInformation, ErasureGround, Processing, Receipt, Request, RequestId, RequestKind,
    RestrictionGround,
};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{AuditLogExt, PseudonymKey, Scope};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{LegalBasis, Purpose};
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

use common::{Tripwire, canonical, normalise, uuids};
use gdpr_obligations::testkit::faults::Faulty;

const CHILD_DB: &str = "GDPR_CRASH_CHILD_DB";
const CHILD_ABORT_AT: &str = "GDPR_CRASH_CHILD_ABORT_AT";
const CHILD_ABORT_AFTER_US: &str = "GDPR_CRASH_CHILD_ABORT_AFTER_US";
const POINTS: &str = "GDPR_CRASH_POINTS";

fn key() -> PseudonymKey {
    PseudonymKey::new(b"crash-test-key-0123456789abcdef-0123").unwrap()
}

fn acme() -> Scope {
    Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00a1)))
}

fn now() -> DateTime<Utc> {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// The scenario's requests, with fixed ids: Eva's erasure, Bob's restriction, Fay's erasure.
fn requests() -> [(RequestId, RequestKind, SubjectIdentifier); 3] {
    let id = |n: u128| RequestId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0100 + n));
    let erasure = RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary };
    [
        (id(1), erasure, email("eva@example.cz")),
        (id(2), RequestKind::Restriction { ground: RestrictionGround::AccuracyContested }, email("bob@example.org")),
        (id(3), erasure, email("fay@example.net")),
    ]
}

async fn desk(store: &SqliteStore, wire: &Arc<Tripwire>) -> Desk {
    let ledger = Arc::new(Faulty::new(Arc::new(store.clone()), wire.hook()));
    let source = Arc::new(Faulty::new(Arc::new(ChatHistory::sqlite(store, key()).await.unwrap()), wire.hook()));
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] };
    Desk::new(acme().controller(), ledger.clone(), ledger, key()).with_source(source).with_erasure_policy(policy)
}

/// Writes the scenario into a new database file: the chat, and the requests received, started
/// and verified, ready to be carried out.
async fn template(path: &Path) {
    let store = SqliteStore::open(path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let t = |m: i64| now() - chrono::TimeDelta::hours(48) + chrono::TimeDelta::minutes(m);
    let c = acme();
    let mut visitors = Vec::new();
    for (token, mail) in [("tok-eva", "eva@example.cz"), ("tok-bob", "bob@example.org"), ("tok-fay", "fay@example.net")]
    {
        let v = chat.add_visitor(c, Token::new(token).unwrap(), t(0)).await.unwrap();
        chat.add_identifier(c, v, email(mail), t(1)).await.unwrap();
        let own = chat.start_conversation(c, v, t(10)).await.unwrap();
        chat.post(c, own, Sender::Visitor(v), text("where is my order 14?"), vec![], t(11)).await.unwrap();
        chat.post(c, own, Sender::Agent(text("Jana")), text(&format!("sent to {mail}")), vec![], t(12)).await.unwrap();
        visitors.push(v);
    }
    let group = chat.start_conversation(c, visitors[2], t(20)).await.unwrap();
    for v in &visitors[..2] {
        chat.join_conversation(c, group, *v, t(21)).await.unwrap();
    }
    chat.post(c, group, Sender::Visitor(visitors[0]), text("Eva here"), vec![], t(22)).await.unwrap();
    chat.post(c, group, Sender::Visitor(visitors[2]), text("Fay: hi both"), vec![], t(23)).await.unwrap();
    let desk = desk(&store, &Tripwire::new(None)).await;
    for (id, kind, who) in requests() {
        let mut receipt = Receipt::new(
            c.controller(),
            t(30),
            kind,
            Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
            Channel::Chat,
            DeadlinePolicy::czech(),
            ComplaintInformation::new(text("ÚOOÚ"), text("Art. 79 GDPR")),
        )
        .with_requester([who]);
        receipt.id = id;
        desk.receive(receipt).await.unwrap();
        desk.start(id, t(31)).await.unwrap();
        desk.waive_verification(id, t(32), text("asked from the visitor's own session")).await.unwrap();
    }
    store.close().await;
}

/// Carries the scenario's requests out on the file (from wherever an earlier run stopped),
/// through a tripwire; returns the requests, the reports and the number of write points passed.
async fn run(path: &Path, wire: Arc<Tripwire>) -> (Vec<Request>, Vec<StepReport>, usize) {
    let store = SqliteStore::open(path).await.unwrap();
    let desk = desk(&store, &wire).await;
    let (mut states, mut reports) = (Vec::new(), Vec::new());
    for (id, ..) in requests() {
        let done = desk.fulfil(id, now()).await.unwrap();
        let FulfilmentReport::Step(report) = done.report else { panic!("{:?}", done.report) };
        states.push(done.request);
        reports.push(*report);
    }
    store.close().await;
    (states, reports, wire.points.load(Ordering::SeqCst))
}

/// What the file holds, every row as text, sorted; ids the template did not hold replaced by
/// `<new id>`. Audit entries of request transitions apart (see the module documentation).
async fn snapshot(path: &Path, known: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let mut rows = Vec::new();
    for (table, sql) in [
        ("visitor", "SELECT hex(controller) || ' ' || hex(visitor) || ' ' || body FROM gdpr_chat_visitors"),
        (
            "lookup",
            "SELECT hex(controller) || ' ' || kind || ' ' || value || ' ' || hex(visitor) FROM gdpr_chat_lookup",
        ),
        (
            "message",
            "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || hex(message) || ' ' || coalesce(hex(author), '-') || ' ' || body FROM gdpr_chat_messages",
        ),
        ("document", "SELECT hex(controller) || ' ' || kind || ' ' || hex(id) || ' ' || body FROM gdpr_documents"),
        (
            "event",
            "SELECT hex(controller) || ' ' || stream_kind || ' ' || hex(stream_id) || ' ' || seq || ' ' || body FROM gdpr_events",
        ),
        ("audit entry", "SELECT hex(controller) || ' ' || entry FROM gdpr_audit"),
    ] {
        let found: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap();
        rows.extend(found.into_iter().map(|r| format!("{table}: {}", normalise(&r, known))));
    }
    conn.close().await.unwrap();
    rows.sort();
    rows.dedup(); // an audit entry written again by a resumed run is the same entry
    rows.into_iter().partition(|r| !(r.starts_with("audit entry") && r.contains(r#""action":"transition""#)))
}

fn child_output(path: &Path, abort_at: Option<usize>, after: Option<Duration>) -> std::process::Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "crash_child", "--nocapture", "--test-threads=1"]).env(CHILD_DB, path);
    if let Some(n) = abort_at {
        cmd.env(CHILD_ABORT_AT, n.to_string());
    }
    if let Some(d) = after {
        cmd.env(CHILD_ABORT_AFTER_US, d.as_micros().to_string());
    }
    cmd.output().unwrap()
}

/// The child: carries the requests out on the file it is given, aborting where it is told.
/// Does nothing in an ordinary test run.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_DB) else { return };
    let abort_at = std::env::var(CHILD_ABORT_AT).ok().and_then(|n| n.parse().ok());
    if let Some(us) = std::env::var(CHILD_ABORT_AFTER_US).ok().and_then(|n| n.parse().ok()) {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_micros(us));
            std::process::abort();
        });
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let wire = Tripwire::new(abort_at.map(|at| (at, Box::new(abort) as common::Fault)));
    runtime.block_on(run(Path::new(&path), wire));
}

fn abort() {
    std::process::abort()
}

struct Files(Vec<PathBuf>);

impl Drop for Files {
    fn drop(&mut self) {
        for path in &self.0 {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_killed_between_fulfilment_and_completion_resumes_to_the_same_requests_and_reports() {
    let dir = std::env::temp_dir();
    let name = |what: &str| dir.join(format!("gdpr-crash-desk-{what}-{}.sqlite", Uuid::now_v7()));
    let (template_path, reference_path, work_path) = (name("template"), name("reference"), name("work"));
    let _files = Files(vec![template_path.clone(), reference_path.clone(), work_path.clone()]);
    template(&template_path).await;
    let known: BTreeSet<String> = {
        let mut conn = SqliteConnection::connect(&format!("sqlite://{}", template_path.display())).await.unwrap();
        let dump: Vec<String> = sqlx::query_scalar(
            "SELECT hex(controller) || ' ' || hex(visitor) || ' ' || body FROM gdpr_chat_visitors UNION ALL \
             SELECT hex(conversation) || ' ' || hex(message) || ' ' || body FROM gdpr_chat_messages",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let mut ids: BTreeSet<String> = dump.iter().flat_map(|r| uuids(r)).map(canonical).collect();
        ids.extend(requests().iter().map(|(id, ..)| id.as_uuid().simple().to_string()));
        ids.insert(acme().controller().as_uuid().simple().to_string());
        ids
    };

    // The uninterrupted run, in a child like the others (timed), and here to count the points.
    std::fs::copy(&template_path, &reference_path).unwrap();
    let started = Instant::now();
    let out = child_output(&reference_path, None, None);
    let uninterrupted = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (reference, reference_transitions) = snapshot(&reference_path, &known).await;
    std::fs::copy(&template_path, &work_path).unwrap();
    let (states, reports, points) = run(&work_path, Tripwire::new(None)).await;
    assert_eq!(snapshot(&work_path, &known).await.0, reference, "two uninterrupted runs differ");
    assert!(reports.iter().all(|r| r.complete), "{reports:#?}");
    assert!(states.iter().all(|r| r.carried_out().is_some_and(|c| c.is_complete())));

    let wanted: usize = std::env::var(POINTS).ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut plan: Vec<(Option<usize>, Option<Duration>)> = (1..=points).map(|n| (Some(n), None)).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    while plan.len() < wanted.max(points + 4) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = uninterrupted.as_micros() as u64 * (seed % 1000) / 1000;
        plan.push((None, Some(Duration::from_micros(at))));
    }
    let started = Instant::now();
    let (mut killed, mut lost_transitions) = (0, 0);
    for (abort_at, after) in &plan {
        std::fs::copy(&template_path, &work_path).unwrap();
        let out = child_output(&work_path, *abort_at, *after);
        if out.status.success() {
            assert!(abort_at.is_none(), "the child passed write point {abort_at:?} without aborting");
        } else {
            killed += 1;
        }
        let (resumed_states, resumed, _) = run(&work_path, Tripwire::new(None)).await;
        assert_eq!(resumed, reports, "the reports after a kill at {abort_at:?} / {after:?}");
        assert_eq!(resumed_states, states, "the requests after a kill at {abort_at:?} / {after:?}");
        let (after_state, transitions) = snapshot(&work_path, &known).await;
        let missing: Vec<_> = reference.iter().filter(|r| !after_state.contains(r)).collect();
        let extra: Vec<_> = after_state.iter().filter(|r| !reference.contains(r)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "the final state after a kill at {abort_at:?} / {after:?}: missing {missing:#?}, extra {extra:#?}"
        );
        assert!(transitions.iter().all(|t| reference_transitions.contains(t)), "a transition no run made");
        if transitions.len() < reference_transitions.len() {
            lost_transitions += 1;
        }
        let store = SqliteStore::open(&work_path).await.unwrap();
        store.verify_all(acme()).await.unwrap_or_else(|e| panic!("the audit chain after a kill at {abort_at:?}: {e}"));
        store.close().await;
    }
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "crash_desk: {} points ({points} write points, {killed} kills, {lost_transitions} left a transition \
             without its audit entry), {:?} for all, {:?} an uninterrupted run\n",
            plan.len(),
            started.elapsed(),
            uninterrupted
        ),
    );
    assert!(killed >= points, "only {killed} kills of {points} write points");
}
