//! The retention sweep (Art. 5(1)(e)): finds what has expired in every source and erases it,
//! keeping what legal holds cover (Art. 17(3)), in batches, journaled so that it resumes.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{FulfilError, RetainedRecord, SourceReport, failed_records, failure};
use crate::erasure::{ErasurePolicy, Outcome, RecordKey, RecordOutcome};
use crate::model::{SourceName, SubjectIdentifier};
use crate::retention::{
    HeldRecords, HoldTarget, LegalHold, LegalHoldId, RetentionPolicy, STORAGE_LIMITATION, apply_holds,
};
use crate::store::{
    AuditAction, AuditEntry, AuditLog, DocumentKey, DocumentKind, LedgerStore, LedgerStoreExt, PersonalDataSource,
    RetentionSource, Scope, StoreError, StreamKey, StreamKind, SweepBatch, SweepId, SweepJournal, Version,
};
use crate::vocab::Article;

/// The default number of records a sweep erases per call to a source: each batch is one
/// transaction of the source and one journal step. 500 keeps a batch's write short (a few
/// milliseconds on SQLite) while the per-batch cost (listing from the cursor, the journal
/// write) stays a small part of the sweep's (BENCHMARKS.md, the retention sweep).
pub const DEFAULT_BATCH: NonZeroUsize = NonZeroUsize::new(500).unwrap();

/// The retention sweep in one controller's scope: finds every record whose retention under the
/// scope's [`RetentionPolicy`]s has ended and erases it from each source under an
/// [`ErasurePolicy`], except what a [`LegalHold`] covers (Art. 5(1)(e), 17(3)).
///
/// It reads the policies and holds from the ledger and asks each source for one batch at a
/// time ([`RetentionSource::sweep_expired`]), with the holds active at the time as
/// [`Retain`](crate::erasure::Retain) entries: a source that sweeps set-wise erases the batch
/// in one transaction, deciding holds and restrictions on the rows it changes, and returns the
/// outcomes with a receipt kept beside them; another lists the batch
/// ([`RetentionSource::expired`]), has it journaled under the sweep's id
/// ([`DocumentKind::SweepJournal`]) and erases it ([`RetentionSource::erase_records`]). The
/// outcomes the source returned are journaled as the batch done. While a hold on the
/// controller is active (it keeps every record at stake, which only a listing names), every
/// batch is listed, journaled and erased in two passes. Run again under the same id after a failure or a crash at any point, it resumes
/// where it stopped, with the instant of its first run, and ends in the same state with the
/// same report (invariant 10). Held records are reported [`Outcome::Retained`] with the hold's
/// ground, restricted ones [`Outcome::Restricted`] (Art. 18(2)); a report is never complete
/// while a source failed. Each source's part is recorded in the audit log with typed fields
/// only.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::{DateTime, Utc};
/// use gdpr_obligations::fulfil::Sweep;
/// use gdpr_obligations::model::{PartyId, Text, Token};
/// use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
/// use gdpr_obligations::store::chat::{ChatHistory, Sender};
/// use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
/// use gdpr_obligations::store::{LedgerStoreExt, RetentionSource, Scope, SweepId, Version};
/// use gdpr_obligations::erasure::{ErasurePolicy};
/// use gdpr_obligations::vocab::{DataCategory, Purpose};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let (ledger, audit, chat) = (MemoryLedger::new(), MemoryAuditLog::new(), Arc::new(ChatHistory::new()));
/// let acme = Scope::of(PartyId::generate());
/// let then: DateTime<Utc> = "2024-01-10T09:00:00Z".parse()?;
/// let eva = chat.add_visitor(acme, Token::new("tok-eva")?, then).await?;
/// let talk = chat.start_conversation(acme, eva, then).await?;
/// chat.post(acme, talk, Sender::Visitor(eva), Text::new("Where is my order?")?, vec![], then).await?;
///
/// // Transcripts are kept 12 months from collection (Art. 5(1)(e)).
/// let months = RetentionPeriod::FromCollection { months: 12 };
/// let policy = RetentionPolicy::new(Purpose::CustomerCare, DataCategory::CommunicationContent, months)?;
/// ledger.put(acme, &policy, Version::NONE).await?;
///
/// let sweep = Sweep::new(acme, &ledger, &audit, vec![chat.clone() as Arc<dyn RetentionSource>]);
/// let now: DateTime<Utc> = "2026-01-10T09:00:00Z".parse()?;
/// let report = sweep.run(SweepId::generate(), &ErasurePolicy::default(), now).await?;
/// assert!(report.complete);
/// assert_eq!(report.sources[0].records, 1);
/// assert!(chat.transcript(acme, talk).await?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Sweep<'a> {
    scope: Scope,
    ledger: &'a dyn LedgerStore,
    audit: &'a dyn AuditLog,
    sources: Vec<Arc<dyn RetentionSource>>,
    batch: NonZeroUsize,
}

impl std::fmt::Debug for Sweep<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name().as_str()).collect();
        f.debug_struct("Sweep")
            .field("scope", &self.scope)
            .field("sources", &names)
            .field("batch", &self.batch)
            .finish()
    }
}

crate::vocab::object_struct! {
/// The report of a retention sweep.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct SweepReport {
    /// The sweep.
    pub sweep: SweepId,
    /// The instant whose expired records it erases: its first run's.
    pub as_of: DateTime<Utc>,
    /// Art. 5(1)(e).
    pub article: Article,
    /// Whether every source completed. Never true while a source failed.
    pub complete: bool,
    /// Each source's part, in the order of the sources: every expired record it handled and
    /// what happened to it.
    pub sources: Vec<SourceReport>,
    /// Every expired record kept under a legal hold or another Art. 17(3) ground, and why.
    pub retained: Vec<RetainedRecord>,
}
}

/// The progress of one sweep, kept in the ledger as a small document (this) beside a stream
/// of the batches done ([`StreamKind::Sweep`]): each batch appends its outcomes once, so a
/// sweep's writes grow with its records, not with their square.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
struct Journal {
    as_of: DateTime<Utc>,
    steps: BTreeMap<SourceName, Step>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
struct Step {
    /// A batch journaled before erasing it. It is done once the stream holds a batch of the
    /// source ending with its last record.
    #[serde(default)]
    pending: Option<Vec<RecordKey>>,
    /// Whether the source has no more expired records.
    #[serde(default)]
    done: bool,
}

/// One batch done, as appended to the sweep's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Batch {
    source: SourceName,
    /// The batch's last record: the next batch starts after it.
    last: RecordKey,
    outcomes: Vec<RecordOutcome>,
}

/// A sweep's journal with its version, and the batches done.
struct Progress {
    journal: Journal,
    version: Version,
    done: Done,
}

/// The batches done, per source, as read back from the stream.
#[derive(Debug)]
struct Done {
    /// Per source: the last record of its last batch, and every outcome so far.
    sources: BTreeMap<SourceName, (RecordKey, Vec<RecordOutcome>)>,
    /// The stream's version, for the next append.
    version: Version,
}

impl Done {
    fn cursor(&self, source: &SourceName) -> Option<&RecordKey> {
        self.sources.get(source).map(|(last, _)| last)
    }

    fn outcomes(&self, source: &SourceName) -> &[RecordOutcome] {
        self.sources.get(source).map_or(&[], |(_, outcomes)| outcomes.as_slice())
    }

    fn add(&mut self, batch: Batch) {
        let entry = self.sources.entry(batch.source).or_insert_with(|| (batch.last.clone(), Vec::new()));
        entry.0 = batch.last;
        entry.1.extend(batch.outcomes);
    }
}

/// What the sweep reads from the ledger once per run.
struct Rules {
    policies: Vec<RetentionPolicy>,
    holds: Vec<LegalHold>,
}

impl<'a> Sweep<'a> {
    /// A sweep in `scope` with its ledger (for the policies, the holds and the journal), its audit
    /// log, and the sources in the order they are swept, erasing [`DEFAULT_BATCH`] records per
    /// call.
    ///
    /// The sources are [`RetentionSource`]s. [`Fulfilment`](super::Fulfilment) takes the same
    /// sources as [`PersonalDataSource`]s: an `Arc<ChatHistory>` coerces to either
    /// `Arc<dyn RetentionSource>` or `Arc<dyn PersonalDataSource>`, and an
    /// `Arc<dyn RetentionSource>` upcasts to `Arc<dyn PersonalDataSource>`
    /// (`source.clone() as Arc<dyn PersonalDataSource>`).
    pub fn new(
        scope: Scope,
        ledger: &'a dyn LedgerStore,
        audit: &'a dyn AuditLog,
        sources: Vec<Arc<dyn RetentionSource>>,
    ) -> Self {
        Self { scope, ledger, audit, sources, batch: DEFAULT_BATCH }
    }

    /// The same sweep erasing at most `batch` records per call to a source.
    #[must_use]
    pub fn with_batch_size(mut self, batch: NonZeroUsize) -> Self {
        self.batch = batch;
        self
    }

    /// Runs or resumes the sweep `sweep`: erases from every source what has expired at the
    /// first run's instant (`now` for a new sweep) under the scope's retention policies, under
    /// `policy`, keeping what the legal holds active at `now` cover. Pass the same `policy`
    /// when resuming.
    ///
    /// # Errors
    /// [`FulfilError::Store`] when the ledger or the audit log fails (run again to resume); a
    /// source that fails is reported in the report's `sources`, which is then not complete.
    pub async fn run(
        &self,
        sweep: SweepId,
        policy: &ErasurePolicy,
        now: DateTime<Utc>,
    ) -> Result<SweepReport, FulfilError> {
        let mut progress = self.progress(sweep, now).await?;
        let rules = Rules {
            policies: self.ledger.all::<RetentionPolicy>(self.scope).await?.into_iter().map(|v| v.value).collect(),
            holds: self.ledger.all::<LegalHold>(self.scope).await?.into_iter().map(|v| v.value).collect(),
        };
        let mut failures = BTreeMap::new();
        for source in &self.sources {
            let name = source.name().clone();
            if progress.journal.steps.get(&name).is_some_and(|s| s.done) {
                continue;
            }
            let result = self.sweep_source(sweep, source.as_ref(), &rules, policy, now, &mut progress).await?;
            let records = progress.done.outcomes(&name).len() as u64;
            if let Err(failed) = &result {
                failures.insert(name.clone(), failed.clone());
            }
            self.audit_source(sweep, &name, records, result.is_ok(), now).await?;
        }
        Ok(self.report(sweep, &progress, &failures))
    }

    /// Sweeps one source batch by batch from where its journal stopped: journals each batch
    /// before erasing it and appends its outcomes after. `Ok(Err(_))` when the source failed
    /// (retryable, reason); `Err` when the ledger did.
    async fn sweep_source(
        &self,
        sweep: SweepId,
        source: &dyn RetentionSource,
        rules: &Rules,
        policy: &ErasurePolicy,
        now: DateTime<Utc>,
        progress: &mut Progress,
    ) -> Result<Result<(), (bool, String)>, FulfilError> {
        let name = source.name().clone();
        let subjects = match held_subjects(self.scope, source, &rules.holds, now).await {
            Ok(subjects) => subjects,
            Err(e) => return Ok(Err(failure(&e))),
        };
        let as_of = progress.journal.as_of;
        // Holds on records, conversations and subjects are known before a batch; a hold on the
        // controller keeps every record at stake, which only a listing names: then the sweep
        // lists each batch before erasing it (two passes), as it resumes a pending batch.
        let controller_held = rules.holds.iter().any(|h| h.is_active(now) && *h.target() == HoldTarget::Controller);
        let known = HeldRecords { subjects: subjects.clone(), at_stake: BTreeSet::new() };
        let with_known_holds = apply_holds(policy, &rules.holds, now, &name, &known);
        loop {
            let pending = progress.journal.steps.get(&name).and_then(|s| s.pending.clone());
            let outcomes = match pending {
                Some(batch) => match self.erase_listed(source, &subjects, rules, policy, now, &name, &batch).await {
                    Ok(outcomes) => outcomes,
                    Err(e) => return Ok(Err(failure(&e))),
                },
                None if controller_held => {
                    let after = progress.done.cursor(&name).map(RecordKey::as_str);
                    let page = source.expired(self.scope, &rules.policies, as_of, after, self.batch.get()).await;
                    let page = match page {
                        Ok(page) => page,
                        Err(e) => return Ok(Err(failure(&e))),
                    };
                    let batch: Vec<RecordKey> = page.into_iter().map(|f| f.record).collect();
                    if !batch.is_empty() {
                        progress.journal.steps.entry(name.clone()).or_default().pending = Some(batch.clone());
                        self.save(sweep, progress).await?;
                    }
                    match self.erase_listed(source, &subjects, rules, policy, now, &name, &batch).await {
                        Ok(outcomes) => outcomes,
                        Err(e) => return Ok(Err(failure(&e))),
                    }
                }
                None => {
                    // One set-based batch: the source erases what expired and returns what it
                    // did; a source without it lists, has the batch journaled, then erases.
                    let after = progress.done.cursor(&name).cloned();
                    let batch = SweepBatch::new(
                        sweep,
                        &rules.policies,
                        as_of,
                        after.as_ref().map(RecordKey::as_str),
                        self.batch.get(),
                        &with_known_holds,
                    );
                    let journal = PreJournal {
                        sweep: self,
                        id: sweep,
                        name: &name,
                        progress: futures_util::lock::Mutex::new(&mut *progress),
                        ledger_error: Mutex::new(None),
                    };
                    let result = source.sweep_expired(self.scope, &batch, &journal).await;
                    let ledger_error = journal.ledger_error.into_inner().unwrap_or_else(PoisonError::into_inner);
                    if let Some(e) = ledger_error {
                        return Err(e);
                    }
                    match result {
                        Ok(outcomes) => outcomes.into_iter().map(listed_and_gone_is_erased).collect(),
                        Err(e) => return Ok(Err(failure(&e))),
                    }
                }
            };
            if outcomes.iter().any(|o| o.outcome.is_failure()) {
                return Ok(Err(failed_records(&outcomes)));
            }
            let Some(last) = outcomes.iter().map(|o| &o.record).max().cloned() else {
                // Nothing left: the step is done.
                progress.journal.steps.insert(name.clone(), Step { pending: None, done: true });
                self.save(sweep, progress).await?;
                return Ok(Ok(()));
            };
            // The batch is done once its outcomes are in the stream: the next batch's journal
            // write (or the last one) clears `pending`, and a resumed run finds it done.
            let done = Batch { source: name.clone(), last, outcomes };
            let stream = StreamKey { kind: StreamKind::Sweep, id: sweep.as_uuid() };
            progress.done.version =
                self.ledger.append(self.scope, stream, progress.done.version, std::slice::from_ref(&done)).await?;
            progress.done.add(done);
            progress.journal.steps.entry(name.clone()).or_default().pending = None;
        }
    }

    /// Erases a batch listed before (and journaled as pending) with the holds active at `now`,
    /// a hold on the controller keeping every record of it (Art. 17(3)).
    #[expect(clippy::too_many_arguments, reason = "the run's rules and the batch, as the loop holds them")]
    async fn erase_listed(
        &self,
        source: &dyn RetentionSource,
        subjects: &BTreeMap<LegalHoldId, BTreeSet<RecordKey>>,
        rules: &Rules,
        policy: &ErasurePolicy,
        now: DateTime<Utc>,
        name: &SourceName,
        batch: &[RecordKey],
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let held = HeldRecords { subjects: subjects.clone(), at_stake: batch.iter().cloned().collect() };
        let with_holds = apply_holds(policy, &rules.holds, now, name, &held);
        let outcomes = source.erase_records(self.scope, batch, &with_holds).await?;
        Ok(outcomes.into_iter().map(listed_and_gone_is_erased).collect())
    }

    /// The sweep's progress: its journal (created at `now` on the first run) and the batches
    /// done. A pending batch whose outcomes reached the stream before the run stopped is done.
    async fn progress(&self, sweep: SweepId, now: DateTime<Utc>) -> Result<Progress, FulfilError> {
        let key = DocumentKey { kind: DocumentKind::SweepJournal, id: sweep.as_uuid() };
        let (mut journal, version) = match self.ledger.get_document(self.scope, key).await? {
            Some(stored) => (crate::store::decode_body(key, stored.body)?, stored.version),
            None => (Journal { as_of: now, steps: BTreeMap::new() }, Version::NONE),
        };
        let stream = StreamKey { kind: StreamKind::Sweep, id: sweep.as_uuid() };
        let batches = self.ledger.events::<Batch>(self.scope, stream).await?;
        let mut done = Done { sources: BTreeMap::new(), version: batches.version };
        for batch in batches.value {
            done.add(batch);
        }
        for (name, step) in &mut journal.steps {
            let last = step.pending.as_ref().and_then(|batch| batch.iter().max());
            if last.is_some_and(|last| done.cursor(name) == Some(last)) {
                step.pending = None;
            }
        }
        let mut progress = Progress { journal, version, done };
        if progress.version == Version::NONE {
            self.save(sweep, &mut progress).await?;
        }
        Ok(progress)
    }

    async fn save(&self, sweep: SweepId, progress: &mut Progress) -> Result<(), FulfilError> {
        let key = DocumentKey { kind: DocumentKind::SweepJournal, id: sweep.as_uuid() };
        let body = crate::store::encode_body(key, &progress.journal)?;
        progress.version = self.ledger.put_document(self.scope, key, &body, progress.version).await?;
        Ok(())
    }

    fn report(
        &self,
        sweep: SweepId,
        progress: &Progress,
        failures: &BTreeMap<SourceName, (bool, String)>,
    ) -> SweepReport {
        let sources: Vec<SourceReport> = self
            .sources
            .iter()
            .map(|s| {
                let done = progress.journal.steps.get(s.name()).is_some_and(|step| step.done);
                match (done, failures.get(s.name())) {
                    (true, _) => SourceReport::with_outcomes(s.name(), progress.done.outcomes(s.name()).to_vec()),
                    (false, Some((retryable, reason))) => SourceReport::failed_with(s.name(), *retryable, reason),
                    (false, None) => SourceReport::failed_with(s.name(), true, "the source did not complete"),
                }
            })
            .collect();
        let retained = sources
            .iter()
            .flat_map(|s| {
                s.outcomes.iter().filter_map(|o| match &o.outcome {
                    Outcome::Retained { ground } => Some(RetainedRecord {
                        source: s.source.clone(),
                        record: o.record.clone(),
                        ground: ground.clone(),
                        article: ground.article(),
                    }),
                    _ => None,
                })
            })
            .collect();
        SweepReport {
            sweep,
            as_of: progress.journal.as_of,
            article: STORAGE_LIMITATION,
            complete: sources.iter().all(SourceReport::is_completed),
            sources,
            retained,
        }
    }

    async fn audit_source(
        &self,
        sweep: SweepId,
        source: &SourceName,
        records: u64,
        completed: bool,
        now: DateTime<Utc>,
    ) -> Result<(), FulfilError> {
        let entry = AuditEntry {
            at: now,
            actor: Some(self.scope.controller()),
            action: AuditAction::SweepStep { sweep, source: source.clone(), records, completed },
            article: Some(STORAGE_LIMITATION),
        };
        self.audit.append(self.scope, entry).await?;
        Ok(())
    }
}

/// A record the sweep listed as expired in this scope that the source no longer holds
/// ([`Outcome::NotFound`]) was erased since: by an interrupted run of this sweep whose batch
/// is resumed, or by a subject's erasure (Art. 17). Either way it is gone, and the report says
/// so, the same as a run that was not interrupted.
fn listed_and_gone_is_erased(o: RecordOutcome) -> RecordOutcome {
    match o.outcome {
        Outcome::NotFound => RecordOutcome::new(o.record, Outcome::Erased),
        _ => o,
    }
}

/// The sweep's journal as a source's two-pass [`RetentionSource::sweep_expired`] sees it: the
/// keys it lists are journaled as the pending batch before it erases them, so that a run
/// interrupted after the erasure resumes with them (invariant 10).
struct PreJournal<'s, 'p> {
    sweep: &'s Sweep<'s>,
    id: SweepId,
    name: &'s SourceName,
    progress: futures_util::lock::Mutex<&'p mut Progress>,
    /// The ledger's error, returned as the sweep's own (not the source's).
    ledger_error: Mutex<Option<FulfilError>>,
}

#[async_trait]
impl SweepJournal for PreJournal<'_, '_> {
    async fn listed(&self, records: &[RecordKey]) -> Result<(), StoreError> {
        let mut progress = self.progress.lock().await;
        progress.journal.steps.entry(self.name.clone()).or_default().pending = Some(records.to_vec());
        match self.sweep.save(self.id, &mut progress).await {
            Ok(()) => Ok(()),
            Err(e) => {
                *self.ledger_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
                Err(StoreError::Invalid {
                    what: "the retention sweep's journal".to_owned(),
                    reason: "the ledger could not record the batch; nothing was erased, run the sweep again".to_owned(),
                })
            }
        }
    }
}

/// What the obligations agenda reads from a sweep journal: the sweep's instant, and whether
/// every source it journaled is done (a journal with no source yet is not).
pub(crate) fn progress(key: DocumentKey, body: serde_json::Value) -> Result<(DateTime<Utc>, bool), StoreError> {
    let journal: Journal = crate::store::decode_body(key, body)?;
    let finished = !journal.steps.is_empty() && journal.steps.values().all(|s| s.done && s.pending.is_none());
    Ok((journal.as_of, finished))
}

/// For each hold on a subject active at `at`, the subject's records in `source`.
async fn held_subjects(
    scope: Scope,
    source: &dyn PersonalDataSource,
    holds: &[LegalHold],
    at: DateTime<Utc>,
) -> Result<BTreeMap<LegalHoldId, BTreeSet<RecordKey>>, StoreError> {
    let mut out = BTreeMap::new();
    for hold in holds.iter().filter(|h| h.is_active(at)) {
        if let HoldTarget::Subject { identifiers } = hold.target() {
            let found = source.find(scope, identifiers).await?;
            out.insert(hold.id(), found.into_iter().map(|f| f.record).collect());
        }
    }
    Ok(out)
}

/// The erasure policy for erasing `subject` from `sources` with
/// [`Fulfilment::erase`](super::Fulfilment::erase): `base` with a
/// [`Retain`](crate::erasure::Retain) entry for everything the legal holds active at `at` cover
/// in any of the sources (Art. 17(3)), so that held records are kept and reported
/// [`Outcome::Retained`] with the hold's ground.
///
/// Holds on records and conversations name their source, but one erasure policy serves every
/// source: a record of another source with the same key is kept too (never the other way).
/// A hold on a subject finds their records by its strong identifiers: a hold that names only
/// a name or an IP address holds nothing, as those select nobody (Art. 11(2)).
///
/// # Errors
/// The error of a source's `find` (for holds on subjects, and on the controller, whose
/// subject's records are all kept).
pub async fn policy_with_holds(
    scope: Scope,
    sources: &[Arc<dyn PersonalDataSource>],
    holds: &[LegalHold],
    subject: &[SubjectIdentifier],
    base: &ErasurePolicy,
    at: DateTime<Utc>,
) -> Result<ErasurePolicy, StoreError> {
    let controller_held = holds.iter().any(|h| h.is_active(at) && *h.target() == HoldTarget::Controller);
    let own = ErasurePolicy { messages: base.messages, retain: Vec::new() };
    let mut retain = Vec::new();
    for source in sources {
        let at_stake = if controller_held {
            source.find(scope, subject).await?.into_iter().map(|f| f.record).collect()
        } else {
            BTreeSet::new()
        };
        let held = HeldRecords { subjects: held_subjects(scope, source.as_ref(), holds, at).await?, at_stake };
        for entry in apply_holds(&own, holds, at, source.name(), &held).retain {
            if !retain.contains(&entry) {
                retain.push(entry);
            }
        }
    }
    retain.extend(base.retain.iter().cloned());
    Ok(ErasurePolicy { messages: base.messages, retain })
}
