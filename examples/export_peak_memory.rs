//! Peak memory of the Art. 20 portable export of one subject on SQLite, by both paths in the
//! same run: the writer (`Fulfilment::portability` into a counting sink), then the owned byte
//! stream a web handler returns (`fulfil::portable_export`, consumed and counted). Each is
//! measured two ways: the process's peak resident set (`VmHWM` in `/proc/self/status`, Linux,
//! reset before each path) and the peak of live heap bytes (a counting global allocator).
//!
//! ```text
//! cargo run --release --example export_peak_memory -- [history-messages] [subject-messages]
//! ```
//!
//! `history-messages` (default 1,000,000) is the size of the generated history
//! ([`gdpr_obligations::testkit::generate`], seed 1, cached under `target/bench-data/`); the
//! subject is one of its probes ([`PROBE_MESSAGES`] messages). With `subject-messages` > 0
//! the subject is instead a visitor of that many messages of their own, added to a copy of
//! the history. The database is generated and opened before the peaks are reset, so the
//! figures are those of the export alone (plus the process's baseline resident set).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::Utc;
use futures_util::StreamExt;
use gdpr_obligations::fulfil::{Fulfilment, portable_export};
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::sqlite::SqliteStore;
use gdpr_obligations::store::{PersonalDataSource, PseudonymKey};
use gdpr_obligations::testkit::generate::{self, CACHE_FORMAT, HistorySpec, PROBE_MESSAGES};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: f64 = 1024.0 * 1024.0;

/// `VmHWM` or `VmRSS` of this process in bytes, `None` off Linux.
fn status(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resets `VmHWM` to the current resident set (Linux: write 5 to `/proc/self/clear_refs`).
fn reset_hwm() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A sink that counts what is written.
struct Counter(u64);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[path = "common/term.rs"]
mod term;

const USAGE: &str = "export_peak_memory [HISTORY-MESSAGES] [SUBJECT-MESSAGES]";

const ABOUT: &str = "Measures the peak memory of the Art. 20 portable export of one subject on SQLite, through \
                     the writer and through the owned stream a web handler returns. HISTORY-MESSAGES (default \
                     1000000) sizes the generated history, cached under target/bench-data/; with \
                     SUBJECT-MESSAGES above 0 the subject is a visitor with that many messages of their own. \
                     Run it with --release: generating a million messages takes about a minute.";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if term::help_asked(USAGE, ABOUT) {
        return Ok(());
    }
    let mut args = std::env::args().skip(1);
    let history_messages: u64 = args.next().map_or(Ok(1_000_000), |a| a.parse())?;
    let subject_messages: u64 = args.next().map_or(Ok(0), |a| a.parse())?;
    let spec = HistorySpec::new(1, history_messages);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let started = Instant::now();
    let cached = generate::cached_sqlite(&dir, &spec).await?;
    println!("history: {} ({:.1} s to generate or find)", cached.display(), started.elapsed().as_secs_f64());

    let key = PseudonymKey::new(b"export-peak-memory-key-0123456789")?;
    let scope = spec.scopes()[0];
    let (path, subject) = if subject_messages == 0 {
        (cached.clone(), generate::probe_identifiers(0))
    } else {
        let path = dir.join(format!("long-subject-v{CACHE_FORMAT}-{history_messages}-{subject_messages}.sqlite"));
        if !path.exists() {
            let partial = path.with_extension("partial");
            std::fs::copy(&cached, &partial)?;
            let store = SqliteStore::open(&partial).await?;
            let chat = ChatHistory::sqlite(&store, key.clone()).await?;
            generate::add_long_subject(&chat, scope, subject_messages).await?;
            store.close().await;
            std::fs::rename(&partial, &path)?;
        }
        (path, generate::long_subject_identifiers())
    };

    let store = SqliteStore::open(&path).await?;
    let chat: Arc<dyn PersonalDataSource> = Arc::new(ChatHistory::sqlite(&store, key.clone()).await?);
    let fulfilment = Fulfilment::new(scope, &store, &store, vec![chat.clone()], &key);

    println!("subject: {} ({} messages expected)", subject_label(subject_messages), expected(subject_messages));
    let job = gdpr_obligations::request::RequestId::generate();

    let peaks = Peaks::start();
    let mut out = Counter(0);
    let written = fulfilment.portability(job, &subject, Utc::now(), &mut out).await?;
    peaks.report("writer (Fulfilment::portability)", written, out.0);

    let peaks = Peaks::start();
    let mut stream = portable_export(vec![chat.clone()], scope, subject.clone(), Utc::now());
    let (mut bytes, mut lines) = (0u64, 0u64);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    drop(stream);
    peaks.report("owned stream (fulfil::portable_export)", lines.saturating_sub(1), bytes);

    store.close().await;
    Ok(())
}

/// The peaks of one path, from its start.
struct Peaks {
    rss_before: u64,
    hwm_reset: bool,
    heap_before: usize,
    started: Instant,
}

impl Peaks {
    fn start() -> Self {
        let rss_before = status("VmRSS:").unwrap_or(0);
        let hwm_reset = reset_hwm();
        let heap_before = LIVE.load(Ordering::Relaxed);
        PEAK.store(heap_before, Ordering::Relaxed);
        Self { rss_before, hwm_reset, heap_before, started: Instant::now() }
    }

    fn report(self, path: &str, records: u64, bytes: u64) {
        let elapsed = self.started.elapsed();
        let heap_peak = PEAK.load(Ordering::Relaxed);
        let hwm = status("VmHWM:").unwrap_or(0);
        println!("{path}:");
        println!(
            "  export: {records} records, {:.1} MiB of JSON Lines, {:.2} s",
            bytes as f64 / MIB,
            elapsed.as_secs_f64()
        );
        println!(
            "  heap: {:.1} MiB before, peak {:.1} MiB (+{:.1} MiB during the export)",
            self.heap_before as f64 / MIB,
            heap_peak as f64 / MIB,
            heap_peak.saturating_sub(self.heap_before) as f64 / MIB
        );
        println!(
            "  resident set: {:.1} MiB before, peak (VmHWM{}) {:.1} MiB",
            self.rss_before as f64 / MIB,
            if self.hwm_reset { ", reset before the export" } else { ", since start: clear_refs unavailable" },
            hwm as f64 / MIB
        );
    }
}

fn subject_label(subject_messages: u64) -> &'static str {
    if subject_messages == 0 { "probe 0 of the history" } else { "a visitor with a long history of their own" }
}

fn expected(subject_messages: u64) -> u64 {
    if subject_messages == 0 { PROBE_MESSAGES as u64 } else { subject_messages }
}
