//! The audit log as evidence (Art. 5(2); the controller's records under Art. 30 and Art. 33(5)):
//! what someone who can write the stored log does to it, and what a checkpoint taken before
//! finds, on memory, SQLite and PostgreSQL (when `GDPR_TEST_POSTGRES_URL` is set; see
//! `scripts/with-postgres`).
//!
//! Every tamper is done to the stored rows (sequence, previous hash, hash, entry text): with SQL
//! on the database, and for the in-memory log through [`Stored`], a log that hands out the
//! memory log's records as rows with the tamper applied, read back the way the SQL stores read
//! them ([`AuditRecord::from_stored`]). The tampers: the tail removed, a field added to an entry,
//! two records swapped, an entry altered, a record deleted and the rest re-sealed (with and
//! without a forged checkpoint), and, as a property, any single one of them on a random log.

use crate::common;

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use gdpr_obligations::model::PartyId;
use gdpr_obligations::store::memory::MemoryAuditLog;
use gdpr_obligations::store::{
    AuditAction, AuditBreak, AuditEntry, AuditLog, AuditLogExt, AuditProblem, AuditRecord, Checkpoint, Digest,
    DocumentKind, Scope, SealKey, SealedCheckpoint, StoreError,
};
use gdpr_obligations::vocab::Article;
use proptest::prelude::*;
use uuid::Uuid;

/// Free text with personal data, as someone slipping it into the log would write it: no error
/// may repeat it.
const SMUGGLED: &str = "eva@example.cz asked for this";

// --- the stored rows and the tampers -----------------------------------------------------------

/// A record as a store keeps it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    sequence: i64,
    previous: Vec<u8>,
    hash: Vec<u8>,
    entry: String,
}

impl Row {
    fn of(r: &AuditRecord) -> Row {
        Row {
            sequence: i64::try_from(r.sequence).unwrap(),
            previous: r.previous.as_bytes().to_vec(),
            hash: r.hash.as_bytes().to_vec(),
            entry: r.entry_text().unwrap(),
        }
    }

    fn read(&self) -> Result<AuditRecord, StoreError> {
        let digest = |b: &[u8]| Digest::from_bytes(b.try_into().unwrap());
        AuditRecord::from_stored(
            u64::try_from(self.sequence).unwrap(),
            digest(&self.previous),
            digest(&self.hash),
            &self.entry,
        )
    }
}

/// One change to a stored log, by position (0 is the first record).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tamper {
    /// The last `n` records deleted.
    RemoveTail(usize),
    /// A field of free text added to the entry at a position.
    AddField(usize),
    /// The records at two positions swapped (each keeps its place's sequence number).
    Swap(usize, usize),
    /// The entry at a position changed (its time moved by a second), its hash kept.
    Alter(usize),
    /// The record at a position deleted, and the ones after it renumbered and sealed again
    /// with the public, unkeyed `AuditRecord::seal`: a chain that verifies on its own.
    DeleteAndReseal(usize),
}

impl Tamper {
    fn apply(self, mut rows: Vec<Row>) -> Vec<Row> {
        match self {
            Tamper::RemoveTail(n) => rows.truncate(rows.len() - n),
            Tamper::AddField(i) => {
                rows[i].entry = rows[i].entry.replacen('{', &format!(r#"{{"note":"{SMUGGLED}","#), 1)
            }
            Tamper::Swap(i, j) => {
                let (a, b) = (rows[i].clone(), rows[j].clone());
                rows[i] = Row { sequence: a.sequence, ..b };
                rows[j] = Row { sequence: b.sequence, ..a };
            }
            Tamper::Alter(i) => {
                let mut record = rows[i].read().unwrap();
                record.entry.at += Duration::seconds(1);
                rows[i].entry = record.entry_text().unwrap();
            }
            Tamper::DeleteAndReseal(i) => {
                let entries: Vec<AuditEntry> = rows.iter().map(|r| r.read().unwrap().entry).collect();
                rows.truncate(i);
                for entry in entries.into_iter().skip(i + 1) {
                    let previous =
                        rows.last().map_or(Digest::GENESIS, |r| Digest::from_bytes(r.hash[..].try_into().unwrap()));
                    rows.push(Row::of(&AuditRecord::seal(rows.len() as u64 + 1, previous, entry).unwrap()));
                }
            }
        }
        rows
    }
}

// --- the backends --------------------------------------------------------------------------------

/// A log, and a way to tamper with what it stores.
#[async_trait]
trait Target: Send + Sync {
    fn name(&self) -> &'static str;
    fn log(&self) -> &dyn AuditLog;
    async fn tamper(&self, scope: Scope, tamper: Tamper);
}

/// The in-memory log, read through its stored rows with the tampers done so far applied.
struct Stored {
    inner: MemoryAuditLog,
    tampers: Mutex<Vec<(Scope, Tamper)>>,
}

#[async_trait]
impl AuditLog for Stored {
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError> {
        self.inner.append(scope, entry).await
    }

    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let mut rows: Vec<Row> = self.inner.read(scope, 0, usize::MAX).await?.iter().map(Row::of).collect();
        let tampers = self.tampers.lock().unwrap().clone();
        for (_, tamper) in tampers.into_iter().filter(|(s, _)| *s == scope) {
            rows = tamper.apply(rows);
        }
        let records = rows.iter().map(Row::read).collect::<Result<Vec<_>, _>>()?;
        Ok(records.into_iter().filter(|r| r.sequence > after).take(limit).collect())
    }
}

#[async_trait]
impl Target for Stored {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn log(&self) -> &dyn AuditLog {
        self
    }
    async fn tamper(&self, scope: Scope, tamper: Tamper) {
        self.tampers.lock().unwrap().push((scope, tamper));
    }
}

fn memory() -> Stored {
    Stored { inner: MemoryAuditLog::new(), tampers: Mutex::new(Vec::new()) }
}

/// Reads a scope's rows, tampers with them, and writes them back in place of the old ones, as
/// someone with write access to the database would. One SQL text for both engines.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! sql_tamper {
    ($conn:expr, $scope:expr, $tamper:expr) => {{
        use sqlx::Row as _;
        let controller = $scope.controller().as_uuid();
        let rows: Vec<Row> = sqlx::query(
            "SELECT sequence, previous, hash, entry FROM gdpr_audit WHERE controller = $1 ORDER BY sequence",
        )
        .bind(controller)
        .fetch_all(&mut *$conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| Row { sequence: r.get(0), previous: r.get(1), hash: r.get(2), entry: r.get(3) })
        .collect();
        sqlx::query("DELETE FROM gdpr_audit WHERE controller = $1")
            .bind(controller)
            .execute(&mut *$conn)
            .await
            .unwrap();
        for row in $tamper.apply(rows) {
            sqlx::query(
                "INSERT INTO gdpr_audit (controller, sequence, previous, hash, entry) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(controller)
            .bind(row.sequence)
            .bind(row.previous)
            .bind(row.hash)
            .bind(row.entry)
            .execute(&mut *$conn)
            .await
            .unwrap();
        }
    }};
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use gdpr_obligations::store::sqlite::SqliteStore;
    use sqlx::Connection as _;
    use sqlx::sqlite::SqliteConnection;
    use std::path::PathBuf;

    /// A SQLite file of its own, removed (with its WAL files) when dropped.
    pub(super) struct Sqlite {
        store: SqliteStore,
        path: PathBuf,
    }

    pub(super) async fn open() -> Sqlite {
        let path = std::env::temp_dir().join(format!("gdpr-audit-test-{}.sqlite", Uuid::now_v7()));
        let store = SqliteStore::open(&path).await.unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        Sqlite { store, path }
    }

    impl Drop for Sqlite {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }

    #[async_trait]
    impl Target for Sqlite {
        fn name(&self) -> &'static str {
            "sqlite"
        }
        fn log(&self) -> &dyn AuditLog {
            &self.store
        }
        async fn tamper(&self, scope: Scope, tamper: Tamper) {
            let mut conn = SqliteConnection::connect(&format!("sqlite://{}", self.path.display())).await.unwrap();
            sql_tamper!(&mut conn, scope, tamper);
            conn.close().await.unwrap();
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use gdpr_obligations::store::postgres::PostgresStore;
    use sqlx::Connection as _;
    use sqlx::postgres::PgConnection;

    pub(super) struct Postgres {
        store: PostgresStore,
        url: String,
    }

    /// The test server's store, or `None` (said once) when there is none outside CI.
    pub(super) async fn connect() -> Option<Postgres> {
        let url = common::postgres_url("audit")?;
        let store = PostgresStore::connect(&url).await.unwrap_or_else(|e| panic!("connect: {e}"));
        Some(Postgres { store, url })
    }

    #[async_trait]
    impl Target for Postgres {
        fn name(&self) -> &'static str {
            "postgres"
        }
        fn log(&self) -> &dyn AuditLog {
            &self.store
        }
        async fn tamper(&self, scope: Scope, tamper: Tamper) {
            let mut conn = PgConnection::connect(&self.url).await.unwrap();
            sql_tamper!(&mut conn, scope, tamper);
            // And the head the store keeps apart, as someone who knows the schema would, so that
            // the next append follows the tampered chain.
            sqlx::query(
                "UPDATE gdpr_audit_heads h SET sequence = COALESCE(a.sequence, 0), hash = COALESCE(a.hash, $2) \
                 FROM (SELECT $1::uuid AS controller) c \
                 LEFT JOIN LATERAL (SELECT sequence, hash FROM gdpr_audit WHERE controller = $1 \
                                    ORDER BY sequence DESC LIMIT 1) a ON true \
                 WHERE h.controller = c.controller",
            )
            .bind(scope.controller().as_uuid())
            .bind(Digest::GENESIS.as_bytes().as_slice())
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }
    }
}

/// Every backend this build has and this run can reach.
async fn targets() -> Vec<Box<dyn Target>> {
    let mut all: Vec<Box<dyn Target>> = vec![Box::new(memory())];
    #[cfg(feature = "sqlite")]
    all.push(Box::new(sqlite::open().await));
    #[cfg(feature = "postgres")]
    if let Some(pg) = postgres::connect().await {
        all.push(Box::new(pg));
    }
    all
}

// --- helpers -------------------------------------------------------------------------------------

fn at(n: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_769_940_000 + n * 60, 0).unwrap()
}

fn entry(n: u64) -> AuditEntry {
    let action = AuditAction::DocumentWritten { kind: DocumentKind::Agreement, id: Uuid::from_u128(u128::from(n)) };
    let entry = AuditEntry::new(at(n as i64), action);
    if n.is_multiple_of(2) { entry.with_article(Article::gdpr(28).paragraph(3)) } else { entry }
}

/// A new scope's log of `n` records on `target`, and its checkpoint.
async fn log_of(target: &dyn Target, n: u64) -> (Scope, Checkpoint) {
    let scope = Scope::of(PartyId::generate());
    for i in 1..=n {
        target.log().append(scope, entry(i)).await.unwrap();
    }
    let checkpoint = target.log().checkpoint(scope, at(1000)).await.unwrap();
    assert_eq!(checkpoint.sequence(), n, "{}", target.name());
    (scope, checkpoint)
}

/// A new scope's log of five records on `target`, its checkpoint, and then `tamper` done to it.
async fn tampered(target: &dyn Target, tamper: Tamper) -> (Scope, Checkpoint) {
    let (scope, checkpoint) = log_of(target, 5).await;
    target.tamper(scope, tamper).await;
    (scope, checkpoint)
}

/// The break that verifying against `checkpoint` reports, after checking that the error says
/// where and why without repeating what was smuggled in.
async fn broken(target: &dyn Target, checkpoint: &Checkpoint) -> AuditBreak {
    let got = target.log().verify_against(checkpoint).await;
    let shown = got.as_ref().map_err(ToString::to_string).err().unwrap_or_default();
    match got {
        Err(StoreError::AuditBroken { scope, found }) => {
            assert_eq!(scope, checkpoint.scope(), "{}", target.name());
            assert!(shown.contains("Art. 5(2)") && !shown.contains("eva"), "{}: {shown}", target.name());
            found
        }
        other => panic!("{}: expected the log to break against its checkpoint, got {other:?}", target.name()),
    }
}

// --- the tampers, one by one ------------------------------------------------------------------

#[tokio::test]
async fn art_5_2_records_cut_off_the_end_are_reported_against_a_checkpoint() {
    for target in targets().await {
        let target = target.as_ref();
        let (scope, checkpoint) = tampered(target, Tamper::RemoveTail(2)).await;
        // The chain alone cannot tell: the log that is left verifies.
        assert_eq!(target.log().verify_all(scope).await.unwrap(), 3, "{}", target.name());
        let found = broken(target, &checkpoint).await;
        assert_eq!(found.sequence, 4, "{}", target.name());
        assert_eq!(found.problem, AuditProblem::Truncated { records: 3, checkpoint: 5 }, "{}", target.name());
    }
}

#[tokio::test]
async fn art_5_2_a_field_added_to_a_stored_entry_is_corrupt_naming_its_sequence_and_not_its_content() {
    for target in targets().await {
        let target = target.as_ref();
        let (scope, checkpoint) = tampered(target, Tamper::AddField(1)).await;
        for got in [target.log().verify_all(scope).await, target.log().verify_against(&checkpoint).await] {
            match got {
                Err(StoreError::Corrupt { what, reason }) => {
                    assert!(what.contains("audit record 2"), "{}: {what}", target.name());
                    assert!(
                        reason.contains("canonical") && reason.contains("Art. 5(2)"),
                        "{}: {reason}",
                        target.name()
                    );
                    assert!(
                        !format!("{what}{reason}").contains("eva"),
                        "{}: the error repeats the field",
                        target.name()
                    );
                }
                other => panic!("{}: expected Corrupt at record 2, got {other:?}", target.name()),
            }
        }
    }
}

#[tokio::test]
async fn art_5_2_swapped_records_are_reported_against_a_checkpoint() {
    for target in targets().await {
        let target = target.as_ref();
        let (_, checkpoint) = tampered(target, Tamper::Swap(1, 3)).await;
        let found = broken(target, &checkpoint).await;
        assert_eq!((found.sequence, found.problem), (2, AuditProblem::Unchained), "{}", target.name());
    }
}

#[tokio::test]
async fn art_5_2_an_altered_entry_is_reported_against_a_checkpoint() {
    for target in targets().await {
        let target = target.as_ref();
        let (_, checkpoint) = tampered(target, Tamper::Alter(2)).await;
        let found = broken(target, &checkpoint).await;
        assert_eq!((found.sequence, found.problem), (3, AuditProblem::Altered), "{}", target.name());
    }
}

#[tokio::test]
async fn art_5_2_a_record_deleted_and_the_rest_resealed_is_reported_against_a_checkpoint() {
    for target in targets().await {
        let target = target.as_ref();
        let (scope, checkpoint) = tampered(target, Tamper::DeleteAndReseal(2)).await;
        // A chain of its own: it verifies, and only the checkpoint shows the rewrite.
        assert_eq!(target.log().verify_all(scope).await.unwrap(), 4, "{}", target.name());
        let found = broken(target, &checkpoint).await;
        assert_eq!(found.problem, AuditProblem::Truncated { records: 4, checkpoint: 5 }, "{}", target.name());
        // Appending after the rewrite to reach the checkpoint's count does not hide it.
        target.log().append(scope, entry(6)).await.unwrap();
        let found = broken(target, &checkpoint).await;
        assert_eq!((found.sequence, found.problem), (5, AuditProblem::Rewritten), "{}", target.name());
    }
}

#[tokio::test]
async fn art_5_2_delete_and_reseal_cannot_forge_a_sealed_checkpoint_without_the_key() {
    let key = SealKey::new(b"the deployment's own seal key").unwrap();
    let forger = SealKey::new(b"a key the forger made up").unwrap();
    for target in targets().await {
        let target = target.as_ref();
        let (scope, checkpoint) = log_of(target, 5).await;
        // Kept beside the log, as JSON: sealed, so that whoever can write there cannot replace it.
        let kept = serde_json::to_string(&checkpoint.seal(&key)).unwrap();
        target.tamper(scope, Tamper::DeleteAndReseal(2)).await;
        let forged_checkpoint = target.log().checkpoint(scope, at(1000)).await.unwrap();
        for forged in [
            forged_checkpoint.seal(&forger),
            serde_json::from_str(&kept.replace(&checkpoint.head().to_string(), &forged_checkpoint.head().to_string()))
                .unwrap(),
        ] {
            let got = forged.open(&key);
            assert!(
                matches!(&got, Err(StoreError::AuditBroken { found, .. }) if found.problem == AuditProblem::SealMismatch),
                "{}: a forged checkpoint opened: {got:?}",
                target.name()
            );
        }
        let kept: SealedCheckpoint = serde_json::from_str(&kept).unwrap();
        let found = broken(target, kept.open(&key).unwrap()).await;
        assert_eq!(found.problem, AuditProblem::Truncated { records: 4, checkpoint: 5 }, "{}", target.name());
    }
}

#[tokio::test]
async fn art_5_2_an_untouched_log_verifies_against_its_checkpoint_and_grows_past_it() {
    for target in targets().await {
        let target = target.as_ref();
        let (scope, checkpoint) = log_of(target, 3).await;
        target.log().append(scope, entry(4)).await.unwrap();
        assert_eq!(target.log().verify_against(&checkpoint).await.unwrap(), 4, "{}", target.name());
        // Another scope's checkpoint says nothing about this log, and this log's tampers
        // nothing about another's.
        let (other, other_checkpoint) = log_of(target, 2).await;
        target.tamper(scope, Tamper::RemoveTail(4)).await;
        assert_eq!(target.log().verify_against(&other_checkpoint).await.unwrap(), 2, "{}", target.name());
        assert_ne!(other, scope);
    }
}

// --- any single tamper, as a property -------------------------------------------------------

/// A random log's length (at least two records, so that two can be swapped), how many records were appended after its checkpoint, and one tamper
/// of a record the checkpoint covers (or, for the tail, more records than were appended after it).
fn log_and_tamper() -> impl Strategy<Value = (u64, u64, Tamper)> {
    (2u64..12, 0u64..3).prop_flat_map(|(n, extra)| {
        let covered = n as usize;
        let total = covered + extra as usize;
        let tamper = prop_oneof![
            (extra as usize + 1..=total).prop_map(Tamper::RemoveTail),
            (0..covered).prop_map(Tamper::AddField),
            (0..covered, 1..total).prop_map(move |(i, d)| Tamper::Swap(i, (i + d) % total)),
            (0..covered).prop_map(Tamper::Alter),
            (0..covered).prop_map(Tamper::DeleteAndReseal),
        ];
        (Just(n), Just(extra), tamper)
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Appends `n` records, takes a checkpoint, appends `extra` more, tampers, and checks that
/// verifying against the checkpoint reports it without repeating the smuggled text.
async fn detected(target: &dyn Target, n: u64, extra: u64, tamper: Tamper) {
    let (scope, checkpoint) = log_of(target, n).await;
    for i in 1..=extra {
        target.log().append(scope, entry(n + i)).await.unwrap();
    }
    assert_eq!(target.log().verify_against(&checkpoint).await.unwrap(), n + extra, "{}", target.name());
    target.tamper(scope, tamper).await;
    match target.log().verify_against(&checkpoint).await {
        Err(e @ (StoreError::AuditBroken { .. } | StoreError::Corrupt { .. })) => {
            let shown = e.to_string();
            assert!(
                !shown.contains("eva"),
                "{}: {tamper:?}: the error repeats the smuggled text: {shown}",
                target.name()
            );
        }
        other => panic!("{}: {tamper:?} was not detected against the checkpoint: {other:?}", target.name()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]

    /// Any single tamper of a random log is detected against a checkpoint taken before it.
    #[test]
    fn art_5_2_any_single_tamper_is_detected_against_an_earlier_checkpoint_in_memory((n, extra, tamper) in log_and_tamper()) {
        runtime().block_on(detected(&memory(), n, extra, tamper));
    }
}

#[cfg(feature = "sqlite")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(12)))]

    /// The same, on a SQLite file (fewer cases: each opens a file of its own).
    #[test]
    fn art_5_2_any_single_tamper_is_detected_against_an_earlier_checkpoint_in_sqlite((n, extra, tamper) in log_and_tamper()) {
        runtime().block_on(async { detected(&sqlite::open().await, n, extra, tamper).await });
    }
}

#[cfg(feature = "postgres")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(12)))]

    /// The same, on PostgreSQL (when the run has a server; each case a scope of its own).
    #[test]
    fn art_5_2_any_single_tamper_is_detected_against_an_earlier_checkpoint_in_postgres((n, extra, tamper) in log_and_tamper()) {
        runtime().block_on(async {
            if let Some(target) = postgres::connect().await {
                detected(&target, n, extra, tamper).await;
            }
        });
    }
}

// --- the canonical text --------------------------------------------------------------------------

#[test]
fn art_5_2_a_stored_text_is_read_only_in_its_canonical_form() {
    let record = AuditRecord::seal(1, Digest::GENESIS, entry(2)).unwrap();
    let text = record.entry_text().unwrap();
    let read = |t: &str| AuditRecord::from_stored(1, record.previous, record.hash, t);
    assert_eq!(read(&text).unwrap(), record);
    let reformatted = text.replace(',', ", ");
    let reordered = {
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        // serde_json's map sorts keys, which is not the canonical order.
        serde_json::to_string(&value).unwrap()
    };
    assert_ne!(reordered, text, "the canonical order is the fields' own, not sorted");
    let without_article = text.replacen(r#","article":"Art. 28(3)""#, "", 1);
    assert_ne!(without_article, text);
    let not_json = format!("{text} {SMUGGLED}");
    let wrong_type = text.replacen(r#""action":"document_written""#, &format!(r#""action":"{SMUGGLED}""#), 1);
    for bad in [reformatted, reordered, not_json, wrong_type] {
        let got = read(&bad);
        match &got {
            Err(e @ StoreError::Corrupt { .. }) => {
                let shown = e.to_string();
                assert!(shown.contains("audit record 1") && !shown.contains("eva"), "{shown}");
            }
            other => panic!("{bad} was read: {other:?}"),
        }
    }
    // An entry without its article decodes, but the hash no longer matches: verify finds it.
    let altered = read(&without_article).unwrap();
    let found = gdpr_obligations::store::verify(&[altered], None).unwrap_err();
    assert_eq!((found.sequence, found.problem), (1, AuditProblem::Altered));
}

#[test]
fn art_5_2_the_chain_hash_is_unchanged_for_logs_written_before_checkpoints() {
    // Sealed by the crate before the hash covered the stored text: SHA-256 over the sequence,
    // the previous hash and `serde_json::to_vec(&entry)`, which is the canonical text.
    let entry = AuditEntry::new(at(0), AuditAction::DocumentWritten { kind: DocumentKind::Party, id: Uuid::nil() });
    let record = AuditRecord::seal(1, Digest::GENESIS, entry.clone()).unwrap();
    use sha2::Digest as _;
    let old: [u8; 32] = sha2::Sha256::new()
        .chain_update(1u64.to_be_bytes())
        .chain_update(Digest::GENESIS.as_bytes())
        .chain_update(serde_json::to_vec(&entry).unwrap())
        .finalize()
        .into();
    assert_eq!(record.hash, Digest::from_bytes(old));
    assert_eq!(record.entry_text().unwrap().as_bytes(), serde_json::to_vec(&entry).unwrap());
}

// --- the checkpoint's JSON and seal ---------------------------------------------------------------

#[test]
fn art_5_2_a_checkpoint_keeps_its_json_contract_and_refuses_what_would_escape_its_seal() {
    let key = SealKey::new(b"the deployment's own seal key").unwrap();
    let record = AuditRecord::seal(1, Digest::GENESIS, entry(1)).unwrap();
    let checkpoint = Checkpoint::after(Scope::of(PartyId::generate()), Some(&record), at(5));
    common::assert_json_contract(&checkpoint);
    common::assert_json_contract(&checkpoint.seal(&key));
    let json = serde_json::to_value(checkpoint).unwrap();
    let mut extra = json.clone();
    extra["note"] = SMUGGLED.into();
    assert!(serde_json::from_value::<Checkpoint>(extra.clone()).is_err());
    common::assert_schema_rejects::<Checkpoint>(&extra);
    let mut sealed = serde_json::to_value(checkpoint.seal(&key)).unwrap();
    sealed["note"] = SMUGGLED.into();
    assert!(serde_json::from_value::<SealedCheckpoint>(sealed).is_err());
    // A count without a head, or a head without a count.
    let mut no_head = json.clone();
    no_head["head"] = Digest::GENESIS.to_string().into();
    assert!(serde_json::from_value::<Checkpoint>(no_head).is_err());
    let mut no_count = json;
    no_count["sequence"] = 0.into();
    assert!(serde_json::from_value::<Checkpoint>(no_count).is_err());
    // Any field changed breaks the seal.
    let sealed = serde_json::to_value(checkpoint.seal(&key)).unwrap();
    for (field, value) in [
        ("scope", serde_json::json!(PartyId::generate())),
        ("sequence", serde_json::json!(2)),
        ("head", serde_json::json!(Digest::of_text("another head"))),
        ("at", serde_json::json!(at(6))),
    ] {
        let mut changed = sealed.clone();
        changed["checkpoint"][field] = value;
        let changed: SealedCheckpoint = serde_json::from_value(changed).unwrap();
        assert!(changed.open(&key).is_err(), "{field} changed and the seal still opens");
    }
    assert!(SealKey::new(b"too short").is_err());
    assert_eq!(format!("{key:?}"), "SealKey(..)");
}

#[test]
fn art_5_2_the_seal_is_the_documented_hmac() {
    use hmac::{KeyInit as _, Mac as _};
    let secret = b"the deployment's own seal key";
    let key = SealKey::new(secret).unwrap();
    let scope = Scope::of(PartyId::generate());
    let record = AuditRecord::seal(1, Digest::GENESIS, entry(1)).unwrap();
    let at = at(5) + Duration::nanoseconds(7);
    let sealed = Checkpoint::after(scope, Some(&record), at).seal(&key);
    let message = format!(
        "gdpr-obligations audit checkpoint v1\n{}\n1\n{}\n{}.000000007\n",
        scope.controller(),
        record.hash,
        at.timestamp()
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    let want: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(sealed.seal(), Digest::from_bytes(want));
}

/// Known answers, computed once with the crate on sha2 0.10 / hmac 0.12: the chain hash, a
/// checkpoint's seal and a subject's keyed hash
/// stay bit-identical across RustCrypto releases, or every log, seal and erasure record written
/// before an upgrade stops verifying or matching (Art. 5(2)).
#[test]
fn art_5_2_hashes_and_seals_are_bit_identical_across_dependency_upgrades() {
    use gdpr_obligations::model::{EmailAddress, SubjectIdentifier};
    use gdpr_obligations::store::{PseudonymKey, SubjectKey};
    let scope = Scope::of(PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)));
    let record = AuditRecord::seal(1, Digest::GENESIS, entry(1)).unwrap();
    assert_eq!(record.hash.to_string(), "f2897d38c4d7aa8eb20dbee862a39df940139a62ee89c26a449ed30fa08a1366");
    let second = AuditRecord::seal(2, record.hash, entry(2)).unwrap();
    assert_eq!(second.hash.to_string(), "e8514f12e38011ee90989816052fe80c16ac18b634f92f7c61e0ae711b1a4628");
    let sealed =
        Checkpoint::after(scope, Some(&second), at(5)).seal(&SealKey::new(b"the deployment's own seal key").unwrap());
    assert_eq!(sealed.seal().to_string(), "92ec7d62f62d6ce2a454c06ff3c87ef55d49326f64e3903a5ab9b00a0037397c");
    let key = PseudonymKey::new(b"0123456789abcdef-secret").unwrap();
    let eva = SubjectIdentifier::Email(EmailAddress::new("Eva@Example.cz").unwrap());
    assert_eq!(
        SubjectKey::derive(&key, scope, &eva).to_string(),
        "6a9217020750afe8845b9f61cac49a6949e51810c47f7efdaa8fb2ea42c338bb"
    );
}
