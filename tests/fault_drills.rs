//! Fault drills on SQLite: the disk fills up, or the database turns read-only, in the middle of
//! an erasure (`Fulfilment::erase` over a `ChatHistory` and a `SqliteStore` in one file).
//! Either way the erasure ends in a typed error (`FulfilError::Store` with
//! `StoreError::Backend`, or a report that is not complete and names the failed source),
//! nothing is half-written (the subject's chat data is all as before or all erased, one source
//! transaction, and no other subject's row changes), and once the disk has room again, or the
//! file system is writable again, the same erasure resumed ends in the state and the report of
//! an erasure never interrupted.
//!
//! - Disk full: the database lives on a tmpfs of a few MiB, and a filler file takes all of
//!   its space but `slack` bytes before the erasure starts. The erasure's writes grow the
//!   write-ahead log until one finds no room (SQLite's `SQLITE_FULL`); `slack` runs from zero
//!   up to the room an uninterrupted erasure needs, so every write of the erasure is the one
//!   that fails in some run. Deleting the filler gives the space back; the same store resumes.
//! - Read-only: root ignores file modes, and Linux refuses to remount a file system read-only
//!   while a file on it is open for writing, which SQLite's files are. What does turn a file
//!   system read-only under open files is the kernel itself, when ext4 (mounted with
//!   `errors=remount-ro`) meets an error: the drill mounts a small ext4 image through a loop
//!   device and raises such an error through ext4's `trigger_fs_error` (sysfs) just before or
//!   just after each write of the ledger and the audit log, so that the source's transaction,
//!   the journal or the audit entry finds the file system read-only. An emergency read-only
//!   ext4 stays so until unmounted: the drill closes the store, mounts the image again (what
//!   an operator does after the fault) and resumes with a new store.
//!
//! Both need root and the privilege to mount (a tmpfs; an ext4 image through a loop device).
//! Where the machine does not allow that, the tests say so in one line on stderr and pass,
//! except in CI (`CI` set) or with `GDPR_FAULT_DRILLS=required`, where they fail instead.
//! Mounts are undone when a test ends, also when it fails.
#![cfg(all(feature = "sqlite", target_os = "linux"))]

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure};
use gdpr_obligations::fulfil::{FulfilError, Fulfilment, StepReport, StepStatus};
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{AuditLog, AuditLogExt, LedgerStore, PseudonymKey, Scope, StoreError};
use sqlx::Connection;
use sqlx::sqlite::SqliteConnection;
use uuid::Uuid;

use common::{Tripwire, canonical, normalise, uuids};
use gdpr_obligations::testkit::faults::Faulty;

fn key() -> PseudonymKey {
    PseudonymKey::new(b"fault-drill-key-0123456789abcdef-01").unwrap()
}

fn acme() -> Scope {
    Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00a1)))
}

fn other_controller() -> Scope {
    Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_00d1)))
}

const JOB: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0201);

fn now() -> DateTime<Utc> {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

/// Eva is erased (her messages pseudonymised, so that the erasure rewrites other rows too);
/// Bob and Fay (same controller, in a conversation with her) and Dan (another controller, with
/// Eva's e-mail) must lose nothing.
fn eva() -> SubjectIdentifier {
    email("eva@example.cz")
}

fn policy() -> ErasurePolicy {
    ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] }
}

/// Words that only rows of the subjects who are not erased contain.
const OTHERS: [&str; 4] = ["fay@example.net", "Fay: hi both", "tok-dan", "other controller"];

/// Writes the scenario into a new database file and closes it (no write-ahead log left, so
/// copying the file copies the database).
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
        visitors.push(v);
    }
    let [eva, bob, fay] = [visitors[0], visitors[1], visitors[2]];
    let say = |s: &str| Text::new(s).unwrap();
    for (n, v) in [eva, bob, fay].into_iter().enumerate() {
        let own = chat.start_conversation(c, v, t(10 + n as i64)).await.unwrap();
        chat.post(c, own, Sender::Visitor(v), say("where is my order 14?"), vec![], t(11)).await.unwrap();
        chat.post(c, own, Sender::Bot, say("sent to eva@example.cz and bob@example.org"), vec![], t(12)).await.unwrap();
    }
    let group = chat.start_conversation(c, fay, t(20)).await.unwrap();
    for v in [eva, bob] {
        chat.join_conversation(c, group, v, t(21)).await.unwrap();
    }
    for (v, text) in [(eva, "Eva Malá here, +420601111222"), (bob, "Bob here, hi Eva Malá"), (fay, "Fay: hi both")] {
        chat.post(c, group, Sender::Visitor(v), say(text), vec![], t(22)).await.unwrap();
    }
    let d = other_controller();
    let dan = chat.add_visitor(d, Token::new("tok-dan").unwrap(), t(0)).await.unwrap();
    chat.add_identifier(d, dan, email("eva@example.cz"), t(0)).await.unwrap();
    let talk = chat.start_conversation(d, dan, t(5)).await.unwrap();
    chat.post(d, talk, Sender::Visitor(dan), say("same e-mail, other controller"), vec![], t(6)).await.unwrap();
    store.close().await;
}

/// Erases Eva through `ledger` (the store itself, or a tripwire around it) and `store`'s chat.
async fn erase(store: &SqliteStore, ledger: &(impl LedgerStore + AuditLog)) -> Result<StepReport, FulfilError> {
    let source = Arc::new(ChatHistory::sqlite(store, key()).await.unwrap());
    let pseudonyms = key();
    let fulfilment = Fulfilment::new(acme(), ledger, ledger, vec![source], &pseudonyms);
    fulfilment.erase(gdpr_obligations::request::RequestId::from_uuid(JOB), &[eva()], &policy(), now()).await
}

/// Every row of the file as text, chat rows first, sorted; ids the template did not hold
/// (those an erasure draws) replaced by `<new id>`.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    chat: Vec<String>,
    ledger: Vec<String>,
}

impl Snapshot {
    async fn of(path: &Path, known: &BTreeSet<String>) -> Snapshot {
        let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let mut read = async |tables: &[(&str, &'static str)]| {
            let mut rows = Vec::new();
            for (table, sql) in tables {
                let found: Vec<String> = sqlx::query_scalar(*sql).fetch_all(&mut conn).await.unwrap();
                rows.extend(found.into_iter().map(|r| format!("{table}: {}", normalise(&r, known))));
            }
            rows.sort();
            rows.dedup(); // an audit entry written again by a resumed run is the same entry
            rows
        };
        let chat = read(&[
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
                "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || hex(visitor) || ' ' || joined_at \
                 FROM gdpr_chat_participants",
            ),
            (
                "message",
                "SELECT hex(controller) || ' ' || hex(conversation) || ' ' || hex(message) || ' ' || \
                 coalesce(hex(author), '-') || ' ' || body FROM gdpr_chat_messages",
            ),
        ])
        .await;
        let ledger = read(&[
            ("document", "SELECT hex(controller) || ' ' || kind || ' ' || hex(id) || ' ' || body FROM gdpr_documents"),
            ("audit entry", "SELECT hex(controller) || ' ' || entry FROM gdpr_audit"),
        ])
        .await;
        conn.close().await.unwrap();
        Snapshot { chat, ledger }
    }

    /// The rows of the subjects who are not erased.
    fn others(&self) -> Vec<&String> {
        self.chat.iter().filter(|r| OTHERS.iter().any(|w| r.contains(w))).collect()
    }
}

/// The scenario's database, and what an erasure never interrupted does to it.
struct Reference {
    template: PathBuf,
    known: BTreeSet<String>,
    before: Snapshot,
    after: Snapshot,
    report: StepReport,
    /// The write calls of the ledger and the audit log during the erasure.
    writes: usize,
    _dir: TempDir,
}

impl Reference {
    async fn new() -> Reference {
        let dir = TempDir::new("reference");
        let template_path = dir.0.join("template.sqlite");
        template(&template_path).await;
        let mut conn = SqliteConnection::connect(&format!("sqlite://{}", template_path.display())).await.unwrap();
        let dump: Vec<String> = sqlx::query_scalar(
            "SELECT hex(controller) || ' ' || hex(visitor) || ' ' || body FROM gdpr_chat_visitors UNION ALL \
             SELECT hex(conversation) || ' ' || hex(message) || ' ' || body FROM gdpr_chat_messages",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let mut known: BTreeSet<String> = dump.iter().flat_map(|r| uuids(r)).map(canonical).collect();
        known.insert(JOB.simple().to_string());
        known.extend([acme(), other_controller()].iter().map(|s| s.controller().as_uuid().simple().to_string()));
        let before = Snapshot::of(&template_path, &known).await;

        let work = dir.0.join("work.sqlite");
        std::fs::copy(&template_path, &work).unwrap();
        let store = SqliteStore::open(&work).await.unwrap();
        let wire = Tripwire::new(None);
        let report = erase(&store, &Faulty::new(Arc::new(store.clone()), wire.hook())).await.unwrap();
        store.close().await;
        assert!(report.complete, "{report:#?}");
        let after = Snapshot::of(&work, &known).await;
        assert_ne!(after.chat, before.chat, "the erasure changes the chat");
        assert_eq!(after.others(), before.others(), "the erasure keeps the others' rows");
        assert!(before.others().len() >= 6, "{:#?}", before.others());
        let writes = wire.points.load(Ordering::SeqCst) / 2;
        Reference { template: template_path, known, before, after, report, writes, _dir: dir }
    }

    /// Checks a database an erasure left after a fault: the subject's chat data all as before
    /// or all erased, nothing of the others changed.
    async fn assert_nothing_half_written(&self, path: &Path, fault: &str) {
        let state = Snapshot::of(path, &self.known).await;
        assert!(
            state.chat == self.before.chat || state.chat == self.after.chat,
            "the chat is half-erased after {fault}: {:#?}",
            diff(&state.chat, &self.after.chat)
        );
        assert_eq!(state.others(), self.before.others(), "the others' rows after {fault}");
    }

    /// Checks that a database ends as the uninterrupted erasure left it, but for the audit
    /// log's record of the failed attempt (a `fulfilment_step` entry with `completed: false`,
    /// which is true history), and that the audit chain is whole.
    async fn assert_as_uninterrupted(&self, path: &Path, report: &StepReport, fault: &str) {
        assert_eq!(report, &self.report, "the report of the erasure resumed after {fault}");
        let mut state = Snapshot::of(path, &self.known).await;
        state.ledger.retain(|row| {
            self.after.ledger.contains(row)
                || !(row.starts_with("audit entry:")
                    && row.contains(r#""action":"fulfilment_step""#)
                    && row.contains(r#""completed":false"#))
        });
        let store = SqliteStore::open(path).await.unwrap();
        store.verify_all(acme()).await.unwrap_or_else(|e| panic!("the audit chain after {fault}: {e}"));
        store.close().await;
        assert!(
            state == self.after,
            "the state after resuming from {fault}: chat {:#?}, ledger {:#?}",
            diff(&state.chat, &self.after.chat),
            diff(&state.ledger, &self.after.ledger)
        );
    }
}

/// The rows only in `got` and the rows only in `want`.
fn diff<'a>(got: &'a [String], want: &'a [String]) -> (Vec<&'a String>, Vec<&'a String>) {
    (got.iter().filter(|r| !want.contains(r)).collect(), want.iter().filter(|r| !got.contains(r)).collect())
}

/// A failed erasure is typed: the ledger's `StoreError::Backend` carrying SQLite's error, or
/// a report that is not complete and says that the chat failed, retryably. Returns the text.
fn assert_typed_failure(result: &Result<StepReport, FulfilError>, fault: &str) -> String {
    match result {
        Err(FulfilError::Store(e @ StoreError::Backend { source, .. })) => {
            assert!(source.downcast_ref::<sqlx::Error>().is_some(), "{fault}: not SQLite's error: {e:?}");
            assert!(e.is_retryable(), "{fault}: {e}");
            // The message names the backend; the cause is the driver's own error.
            format!("{e}: {source}")
        }
        Ok(report) if !report.complete => {
            let failed: Vec<&StepStatus> =
                report.sources.iter().map(|s| &s.status).filter(|s| **s != StepStatus::Completed).collect();
            match failed.as_slice() {
                [StepStatus::Failed { retryable: true, reason }] => reason.clone(),
                _ => panic!("{fault}: {report:#?}"),
            }
        }
        other => panic!("{fault}: expected a typed failure, got {other:?}"),
    }
}

/// A folder under the system's temporary folder, removed with what it holds when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("gdpr-fault-{what}-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file system mounted on a new folder; unmounted (lazily, should a file still be open)
/// and removed when dropped, also when a test fails.
struct Mount {
    at: TempDir,
}

impl Mount {
    /// A tmpfs of `size` (mount's syntax, e.g. `4m`).
    fn tmpfs(size: &str) -> Mount {
        let at = TempDir::new("tmpfs");
        run("mount", &["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs", path(&at.0)]);
        Mount { at }
    }

    /// The ext4 image `image` through a loop device, turned read-only by the kernel on an error.
    fn ext4(image: &Path) -> Mount {
        let at = TempDir::new("ext4");
        run("mount", &["-o", "loop,errors=remount-ro", path(image), path(&at.0)]);
        Mount { at }
    }

    fn dir(&self) -> &Path {
        &self.at.0
    }

    /// Bytes free for a new file.
    fn free(&self) -> u64 {
        let out = run("stat", &["-f", "-c", "%a %S", path(self.dir())]);
        let [blocks, size] = [0, 1].map(|i| out.split_whitespace().nth(i).unwrap().parse::<u64>().unwrap());
        blocks * size
    }

    fn is_read_only(&self) -> bool {
        run("findmnt", &["-n", "-o", "OPTIONS", path(self.dir())])
            .trim()
            .split(',')
            .any(|o| o == "ro" || o == "emergency_ro")
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let unmounted = Command::new("umount").arg(&self.at.0).status().is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").arg("-l").arg(&self.at.0).status();
        }
    }
}

/// Raises an error in the ext4 file system mounted on `dir`, which the kernel answers by
/// turning it read-only (`errors=remount-ro`), open files or not.
fn raise_ext4_error(dir: &Path) {
    let device = run("findmnt", &["-n", "-o", "SOURCE", path(dir)]);
    let name = Path::new(device.trim()).file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(format!("/sys/fs/ext4/{name}/trigger_fs_error"), "fault drill").unwrap();
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs a command that must succeed; returns its standard output.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Whether the drills can mount file systems here; says why not, in one line, when they cannot.
///
/// They need root and a kernel that lets this process mount: a tmpfs for the full disk, and an
/// ext4 image through a loop device for the read-only drill. Outside CI a machine without those
/// privileges (a container) skips them with one line on stderr; in CI (`CI` set) or with
/// `GDPR_FAULT_DRILLS=required` that is a failure, so that a drill never passes unseen there.
fn can_mount(drill: &str, ext4_loop: bool) -> bool {
    let why_not = if run("id", &["-u"]).trim() != "0" {
        Some("mounting a file system needs root".to_owned())
    } else if ext4_loop
        && !(Path::new("/dev/loop-control").exists() && Path::new("/sys/fs/ext4").exists() && has("mkfs.ext4"))
    {
        Some("no loop devices, ext4 or mkfs.ext4 (e2fsprogs) on this machine".to_owned())
    } else {
        let probe = TempDir::new("probe");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs", path(&probe.0)])
            .output()
            .is_ok_and(|o| o.status.success());
        if mounted {
            let _ = Command::new("umount").arg(path(&probe.0)).output();
            None
        } else {
            Some("this process may not mount (a container without the privilege?)".to_owned())
        }
    };
    match why_not {
        None => true,
        Some(why) => {
            common::skip_unless_required(
                &format!("{drill} fault drill"),
                &why,
                "GDPR_FAULT_DRILLS",
                "run the drills as root on a machine that may mount (a tmpfs, an ext4 image on a loop device)",
            );
            false
        }
    }
}

/// Whether `program` is on the path.
fn has(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

/// A file taking all free space of `mount` but `slack` bytes; deleted when dropped.
struct Filler(PathBuf);

impl Filler {
    fn leaving(mount: &Mount, slack: u64) -> Filler {
        let path = mount.dir().join("filler");
        let mut file = File::create(&path).unwrap();
        let mut left = mount.free().saturating_sub(slack);
        let chunk = vec![0u8; 64 * 1024];
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            file.write_all(&chunk[..n]).unwrap();
            left -= n as u64;
        }
        file.sync_all().unwrap();
        Filler(path)
    }
}

impl Drop for Filler {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn clear(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        std::fs::remove_file(entry.path()).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_that_fills_the_disk_fails_typed_writes_nothing_half_and_resumes_when_space_returns() {
    if !can_mount("disk full", false) {
        return;
    }
    let reference = Reference::new().await;
    let mount = Mount::tmpfs("8m");
    let db = mount.dir().join("chat.sqlite");
    let page = 4096;
    let (mut failed, mut errors) = (0, BTreeSet::new());
    for slack in (0..).map(|pages| pages * page) {
        assert!(slack < 4 << 20, "the erasure never completed on a nearly full disk");
        clear(mount.dir());
        std::fs::copy(&reference.template, &db).unwrap();
        let store = SqliteStore::open(&db).await.unwrap();
        let fault = format!("a full disk with {slack} bytes to spare");
        let filler = Filler::leaving(&mount, slack);
        let result = erase(&store, &store).await;
        let completed = matches!(&result, Ok(report) if report.complete);
        if !completed {
            failed += 1;
            errors.insert(assert_typed_failure(&result, &fault));
            reference.assert_nothing_half_written(&db, &fault).await;
        }
        drop(filler);
        let resumed = erase(&store, &store).await.unwrap_or_else(|e| panic!("resuming after {fault}: {e}"));
        store.close().await;
        reference.assert_as_uninterrupted(&db, &resumed, &fault).await;
        if completed {
            break;
        }
    }
    eprintln!("disk-full drill: {failed} erasures found the disk full, errors {errors:#?}");
    assert!(failed >= reference.writes, "only {failed} runs found the disk full: {errors:#?}");
    assert!(errors.iter().any(|e| e.contains("full")), "SQLite's disk-full error is not among {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_on_a_file_system_turned_read_only_fails_typed_writes_nothing_half_and_resumes_once_writable() {
    if !can_mount("read-only", true) {
        return;
    }
    let reference = Reference::new().await;
    let images = TempDir::new("images");
    let image = images.0.join("ext4.img");
    let mut errors = BTreeSet::new();
    for at in 1..=2 * reference.writes {
        let fault = format!("the file system turned read-only at write point {at}");
        File::create(&image).unwrap().set_len(16 << 20).unwrap();
        run("mkfs.ext4", &["-q", "-F", "-m", "0", "-O", "^has_journal", path(&image)]);
        let mount = Mount::ext4(&image);
        let db = mount.dir().join("chat.sqlite");
        std::fs::copy(&reference.template, &db).unwrap();
        // On disk before the fault: an ext4 turned read-only drops what was not written back.
        File::open(&db).unwrap().sync_all().unwrap();
        File::open(mount.dir()).unwrap().sync_all().unwrap();
        let store = SqliteStore::open(&db).await.unwrap();
        let raise: common::Fault = {
            let dir = mount.dir().to_owned();
            Box::new(move || raise_ext4_error(&dir))
        };
        let wire = Tripwire::new(Some((at, raise)));
        let result = erase(&store, &Faulty::new(Arc::new(store.clone()), wire.hook())).await;
        assert!(mount.is_read_only(), "{fault}: ext4 did not turn read-only");
        if at == 2 * reference.writes {
            // After the last write: the erasure is done, and stays done.
            assert!(matches!(&result, Ok(report) if report == &reference.report), "{fault}: {result:?}");
        } else {
            errors.insert(assert_typed_failure(&result, &fault));
        }
        store.close().await;
        // What the operator does: mount the file system again, writable.
        drop(mount);
        let mount = Mount::ext4(&image);
        let db = mount.dir().join("chat.sqlite");
        reference.assert_nothing_half_written(&db, &fault).await;
        let store = SqliteStore::open(&db).await.unwrap();
        let resumed = erase(&store, &store).await.unwrap_or_else(|e| panic!("resuming after {fault}: {e}"));
        store.close().await;
        reference.assert_as_uninterrupted(&db, &resumed, &fault).await;
    }
    eprintln!("read-only drill: {} write points, errors {errors:#?}", 2 * reference.writes);
}
