//! Crash safety of an erasure on SQLite (invariant 10): a child process carrying out erasures
//! with `Fulfilment::erase` on a database file is killed (`abort`) at many points, then the
//! erasures are run again to completion; the final state (the chat, the ledger's documents, the
//! audit log's entries) and every report are those of a run never interrupted, and no data of
//! other subjects is lost.
//!
//! The child is this test binary run again with `GDPR_CRASH_CHILD_DB` set: the test
//! `crash_child` does nothing otherwise. In the child, the ledger, the audit log and the source
//! are wrapped in a tripwire that counts write calls and aborts the process just before or
//! just after the write it is told; further points kill the child after a random delay,
//! wherever it is (inside a SQLite transaction, too). Every write point is used, and at least
//! 20 points in all; `GDPR_CRASH_POINTS=100` asks for 100 (the extra ones by time).
#![cfg(feature = "sqlite")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure};
use gdpr_obligations::fulfil::{Fulfilment, StepReport};
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{AuditLogExt, PseudonymKey, Scope};
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

/// The scenario's fixed ids, so that every run erases the same subjects under the same jobs.
fn acme() -> Scope {
    Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00a1)))
}

fn other_controller() -> Scope {
    Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00d1)))
}

fn jobs() -> [Uuid; 2] {
    [
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0101),
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0102),
    ]
}

fn now() -> DateTime<Utc> {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

/// Eva and Bob are erased, one after the other; Fay (same controller, in a conversation with
/// both) and Dan (another controller, with Eva's e-mail) must lose nothing.
fn erasures() -> [(Uuid, SubjectIdentifier, ErasurePolicy); 2] {
    let [eva_job, bob_job] = jobs();
    [
        (eva_job, email("eva@example.cz"), ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] }),
        (bob_job, email("bob@example.org"), ErasurePolicy::default()),
    ]
}

/// Writes the scenario's data into a new database file.
async fn template(path: &Path) {
    let store = SqliteStore::open(path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    let t = |m: i64| now() - chrono::TimeDelta::hours(48) + chrono::TimeDelta::minutes(m);
    let c = acme();
    let mut visitors = Vec::new();
    for (token, mail, name) in [
        ("tok-eva", "eva@example.cz", "Eva Malá"),
        ("tok-bob", "bob@example.org", "Bob Velký"),
        ("tok-fay", "fay@example.net", "Fay Nová"),
    ] {
        let v = chat.add_visitor(c, Token::new(token).unwrap(), t(0)).await.unwrap();
        chat.add_identifier(c, v, email(mail), t(1)).await.unwrap();
        chat.add_identifier(c, v, SubjectIdentifier::Name(Text::new(name).unwrap()), t(1)).await.unwrap();
        chat.add_identifier(c, v, SubjectIdentifier::IpAddress("192.0.2.7".parse().unwrap()), t(2)).await.unwrap();
        visitors.push(v);
    }
    let [eva, bob, fay] = [visitors[0], visitors[1], visitors[2]];
    let agent = || Sender::Agent(Text::new("Jana Nováková").unwrap());
    let say = |s: &str| Text::new(s).unwrap();
    for (n, v) in [eva, bob, fay].into_iter().enumerate() {
        let own = chat.start_conversation(c, v, t(10 + n as i64)).await.unwrap();
        chat.post(c, own, Sender::Visitor(v), say("where is my order 14?"), vec![], t(11)).await.unwrap();
        chat.post(c, own, agent(), say("sent to eva@example.cz and bob@example.org"), vec![], t(12)).await.unwrap();
    }
    let group = chat.start_conversation(c, fay, t(20)).await.unwrap();
    for v in [eva, bob] {
        chat.join_conversation(c, group, v, t(21)).await.unwrap();
    }
    for (v, text) in [(eva, "Eva Malá here, +420601111222"), (bob, "Bob here, hi Eva Malá"), (fay, "Fay: hi both")] {
        chat.post(c, group, Sender::Visitor(v), say(text), vec![], t(22)).await.unwrap();
    }
    chat.post(c, group, Sender::Bot, say("Thanks Eva Malá, Bob Velký and Fay Nová"), vec![], t(23)).await.unwrap();
    let d = other_controller();
    let dan = chat.add_visitor(d, Token::new("tok-dan").unwrap(), t(0)).await.unwrap();
    chat.add_identifier(d, dan, email("eva@example.cz"), t(0)).await.unwrap();
    let talk = chat.start_conversation(d, dan, t(5)).await.unwrap();
    chat.post(d, talk, Sender::Visitor(dan), say("same e-mail, other controller"), vec![], t(6)).await.unwrap();
    store.close().await;
}

fn abort() {
    std::process::abort()
}

/// A tripwire that aborts the process at point `abort_at` (point `2k - 1` is just before the
/// k-th write, point `2k` just after it).
fn tripwire(abort_at: Option<usize>) -> Arc<Tripwire> {
    Tripwire::new(abort_at.map(|at| (at, Box::new(abort) as common::Fault)))
}

/// Runs the scenario's erasures on the file to completion (from wherever an earlier run
/// stopped), through a tripwire; returns the reports and the number of write points passed.
async fn run(path: &Path, wire: Arc<Tripwire>) -> (Vec<StepReport>, usize) {
    let store = SqliteStore::open(path).await.unwrap();
    let ledger = Faulty::new(Arc::new(store.clone()), wire.hook());
    let source = Arc::new(Faulty::new(Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap()), wire.hook()));
    let pseudonyms = key();
    let fulfilment = Fulfilment::new(acme(), &ledger, &ledger, vec![source], &pseudonyms);
    let mut reports = Vec::new();
    for (job, subject, policy) in erasures() {
        reports.push(
            fulfilment
                .erase(gdpr_obligations::request::RequestId::from_uuid(job), &[subject], &policy, now())
                .await
                .unwrap(),
        );
    }
    store.close().await;
    (reports, wire.points.load(Ordering::SeqCst))
}

/// What the file holds, every row as text, sorted; ids the template did not hold (the
/// pseudonyms an erasure draws) replaced by `<new id>`.
async fn snapshot(path: &Path, known: &BTreeSet<String>) -> Vec<String> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let mut rows = Vec::new();
    for (table, sql) in [
        ("visitor", "SELECT hex(controller) || ' ' || hex(visitor) || ' ' || body FROM gdpr_chat_visitors"),
        (
            "lookup",
            "SELECT hex(controller) || ' ' || kind || ' ' || value || ' ' || hex(visitor) FROM gdpr_chat_lookup",
        ),
        (
            "conversation",
            "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || body FROM gdpr_chat_conversations",
        ),
        (
            "participant",
            "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || hex(visitor) || ' ' || joined_at FROM gdpr_chat_participants",
        ),
        (
            "message",
            "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || hex(message) || ' ' || coalesce(hex(author), '-') || ' ' || body FROM gdpr_chat_messages",
        ),
        ("document", "SELECT hex(controller) || ' ' || kind || ' ' || hex(id) || ' ' || body FROM gdpr_documents"),
        ("audit entry", "SELECT hex(controller) || ' ' || entry FROM gdpr_audit"),
    ] {
        let found: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap();
        rows.extend(found.into_iter().map(|r| format!("{table}: {}", normalise(&r, known))));
    }
    conn.close().await.unwrap();
    rows.sort();
    rows.dedup(); // an audit entry written again by a resumed run is the same entry
    rows
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

/// The child: runs the erasures on the file it is given, aborting where it is told. Does
/// nothing in an ordinary test run.
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
    runtime.block_on(run(Path::new(&path), tripwire(abort_at)));
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

fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_killed_anywhere_and_resumed_ends_as_an_uninterrupted_one() {
    let dir = std::env::temp_dir();
    let name = |what: &str| dir.join(format!("gdpr-crash-{what}-{}.sqlite", Uuid::now_v7()));
    let (template_path, reference_path, work_path) = (name("template"), name("reference"), name("work"));
    let _files = Files(vec![template_path.clone(), reference_path.clone(), work_path.clone()]);
    template(&template_path).await;
    // One file, no WAL left: copying it copies the database.
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
        ids.extend(jobs().iter().map(|j| j.simple().to_string()));
        ids.extend([acme(), other_controller()].iter().map(|s| s.controller().as_uuid().simple().to_string()));
        ids
    };
    let before = snapshot(&template_path, &known).await;
    let others_before: Vec<String> = before
        .iter()
        .filter(|r| ["fay@example.net", "Fay: hi both", "tok-dan", "other controller"].iter().any(|w| r.contains(w)))
        .cloned()
        .collect();
    assert!(others_before.len() >= 6, "{others_before:#?}");

    // The uninterrupted run, in a child like the others, timed, and again here to count points.
    copy_db(&template_path, &reference_path);
    let started = Instant::now();
    let out = child_output(&reference_path, None, None);
    let uninterrupted = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let reference = snapshot(&reference_path, &known).await;
    copy_db(&template_path, &work_path);
    let (reports, points) = run(&work_path, tripwire(None)).await;
    assert_eq!(snapshot(&work_path, &known).await, reference, "two uninterrupted runs differ");
    assert!(reports.iter().all(|r| r.complete), "{reports:#?}");
    assert_ne!(reference, before);

    let wanted: usize = std::env::var(POINTS).ok().and_then(|n| n.parse().ok()).unwrap_or(20).max(20);
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
    let mut killed = 0;
    for (abort_at, after) in &plan {
        copy_db(&template_path, &work_path);
        let out = child_output(&work_path, *abort_at, *after);
        if !out.status.success() {
            killed += 1;
        } else {
            assert!(abort_at.is_none(), "the child passed write point {abort_at:?} without aborting");
        }
        let (resumed, _) = run(&work_path, tripwire(None)).await;
        assert_eq!(resumed, reports, "the report after a kill at {abort_at:?} / {after:?}");
        let after_state = snapshot(&work_path, &known).await;
        // Every audit entry of the reference run is there: `Fulfilment` writes each entry before
        // the journal step it describes, so a kill can repeat an entry but never lose one.
        let missing: Vec<_> = reference.iter().filter(|r| !after_state.contains(r)).collect();
        let extra: Vec<_> = after_state.iter().filter(|r| !reference.contains(r)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "the final state after a kill at {abort_at:?} / {after:?}: missing {missing:#?}, extra {extra:#?}"
        );
        let store = SqliteStore::open(&work_path).await.unwrap();
        store.verify_all(acme()).await.unwrap_or_else(|e| panic!("the audit chain after a kill at {abort_at:?}: {e}"));
        store.close().await;
        for row in &others_before {
            assert!(after_state.contains(row), "lost after a kill at {abort_at:?} / {after:?}: {row}");
        }
    }
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "crash_erasure: {} points ({points} write points, {killed} kills), {:?} for all, {:?} an uninterrupted run\n",
            plan.len(),
            started.elapsed(),
            uninterrupted
        ),
    );
    assert!(killed >= 20, "only {killed} kills");
}
