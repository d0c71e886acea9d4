//! Carrying a data-subject request out across every registered personal-data source.
//!
//! [`Fulfilment`] is the async orchestration of layer 7: it finds the subject in every
//! [`PersonalDataSource`], builds the Art. 15 access report, writes the Art. 20 portable export,
//! erases, rectifies, restricts and lifts restrictions, and lists the Art. 19 notices to
//! recipients. Every step is journaled in the ledger under the request's id, so a run
//! interrupted at any point and started again ends in the same state with the same report
//! (invariant 10), and a report never says "complete" while a source failed.
//!
//! For HTTP, [`access_copy`] and [`portable_export`] give the Art. 15(3) copy and the Art. 20
//! export as an owned [`ByteStream`] of JSON Lines that a handler returns as its response body
//! (see the example there).
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use gdpr_obligations::fulfil::Fulfilment;
//! use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier};
//! use gdpr_obligations::request::RequestId;
//! use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
//! use gdpr_obligations::store::{PseudonymKey, Scope};
//! use gdpr_obligations::erasure::{ErasurePolicy};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
//! let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef")?;
//! let scope = Scope::of(PartyId::generate());
//! let fulfilment = Fulfilment::new(scope, &ledger, &audit, vec![], &key);
//! let subject = [SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?)];
//! let job = RequestId::generate();
//! let report = fulfilment.erase(job, &subject, &ErasurePolicy::default(), chrono::Utc::now()).await?;
//! assert!(report.complete);
//! // Running it again changes nothing and reports the same.
//! let again = fulfilment.erase(job, &subject, &ErasurePolicy::default(), chrono::Utc::now()).await?;
//! assert_eq!(report, again);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod notice;
mod report;
mod stream;
mod sweep;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agreement::{ChangeNotice, ProcessingAgreement, ProcessingChain};
use crate::erasure::{ErasurePolicy, Outcome, RecordOutcome, Rectification};
use crate::model::{Party, ProcessingActivity, SourceName, SubjectIdentifier};
use crate::request::RequestId;
use crate::retention::LegalHold;
use crate::store::{
    AuditAction, AuditEntry, AuditLog, DocumentKey, DocumentKind, ErasureRecord, ExportItem, LedgerStore,
    LedgerStoreExt, PersonalDataSource, PseudonymKey, Scope, StoreError, SubjectKey, Version,
};
use crate::vocab::Article;

pub use notice::{
    NoticeKind, NoticeRecord, RecipientNotice, RecipientNoticeGiven, recipient_information, record_notice,
};
pub use report::{
    AccessReport, ActivityInformation, Operation, PseudonymisedRecord, RetainedRecord, SourceReport, StepReport,
    StepStatus,
};
pub use stream::{ACCESS_COPY_FORMAT, ByteStream, CHUNK_BYTES, access_copy, portable_export};
pub(crate) use sweep::progress as sweep_progress;
pub use sweep::{DEFAULT_BATCH, Sweep, SweepReport, policy_with_holds};

/// The documented format of a portable export (Art. 20): JSON Lines, the first line a header
/// `{"format": PORTABLE_FORMAT, "controller": …, "exported_at": …}`, then one [`ExportItem`] per
/// line.
pub const PORTABLE_FORMAT: &str = "gdpr-obligations/portable-export/v1";

/// What went wrong in a fulfilment (the report of a run that got through lists per-source
/// failures instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FulfilError {
    /// The ledger or the audit log failed; the journal keeps what was done, run again.
    #[error("fulfilment could not use its ledger")]
    Store(#[from] StoreError),
    /// Writing the portable export failed.
    #[error("the portable export could not be written")]
    Write(#[from] std::io::Error),
    /// The identifiers given hold no strong one ([`SubjectIdentifier::is_strong`]): names and
    /// IP addresses cannot single the data subject out, so nothing was read or changed
    /// (Art. 11(2), 12(6), Recital 64). Ask the requester for an identifier that singles them
    /// out: an e-mail address, a phone number, an account id or a token.
    #[error(
        "Art. 11(2), 12(6): the identifiers given cannot identify the data subject (a name or an IP address \
         never singles a person out); ask for an identifier that singles them out (an e-mail address, a \
         phone number, an account id or a token)"
    )]
    OnlyWeakIdentifiers,
    /// The journal of this request belongs to another operation.
    #[error("request {job} is journaled as {journaled:?}, not {asked:?}")]
    WrongOperation {
        /// The request.
        job: RequestId,
        /// What the journal holds.
        journaled: Operation,
        /// What was asked.
        asked: Operation,
    },
}

/// The progress of one request's fulfilment, kept in the ledger under the request's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
struct Journal {
    operation: Operation,
    steps: BTreeMap<SourceName, JournalStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
struct JournalStep {
    /// For an erasure, the plan journaled before erasing.
    #[serde(default)]
    planned: Option<Vec<RecordOutcome>>,
    /// The outcomes once the step completed.
    #[serde(default)]
    done: Option<Vec<RecordOutcome>>,
}

/// Carries requests out in one controller's scope, across the registered sources.
pub struct Fulfilment<'a> {
    scope: Scope,
    ledger: &'a dyn LedgerStore,
    audit: &'a dyn AuditLog,
    sources: Vec<Arc<dyn PersonalDataSource>>,
    pseudonyms: &'a PseudonymKey,
}

impl std::fmt::Debug for Fulfilment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name().as_str()).collect();
        f.debug_struct("Fulfilment").field("scope", &self.scope).field("sources", &names).finish()
    }
}

impl<'a> Fulfilment<'a> {
    /// A fulfilment in `scope`, with its ledger and audit log, the sources in the order they
    /// are processed, and the key that turns subjects into [`SubjectKey`]s for the audit log.
    pub fn new(
        scope: Scope,
        ledger: &'a dyn LedgerStore,
        audit: &'a dyn AuditLog,
        sources: Vec<Arc<dyn PersonalDataSource>>,
        pseudonyms: &'a PseudonymKey,
    ) -> Self {
        Self { scope, ledger, audit, sources, pseudonyms }
    }

    /// Builds the Art. 15 access report: confirmation, the Art. 15(1)(a)-(h) information from
    /// the scope's processing activities, the Art. 15(2) safeguards of transfers, and the copy
    /// of the data (Art. 15(3)), redacted for other people by the sources (Art. 15(4)).
    ///
    /// Reading changes nothing, so it needs no journal.
    ///
    /// # Errors
    /// [`FulfilError::OnlyWeakIdentifiers`] before any source is read when `subject` holds no
    /// strong identifier (Art. 11(2), 12(6)); [`FulfilError::Store`] when the ledger fails; a
    /// source that fails is reported in `sources` with its error and makes the report
    /// incomplete.
    pub async fn access(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        now: DateTime<Utc>,
    ) -> Result<AccessReport, FulfilError> {
        identifiable(subject)?;
        let activities: Vec<ProcessingActivity> =
            self.ledger.all::<ProcessingActivity>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let mut copy = Vec::new();
        let mut sources = Vec::new();
        for source in &self.sources {
            match collect(source.as_ref(), self.scope, subject).await {
                Ok(items) => {
                    sources.push(SourceReport::completed(source.name(), items.len()));
                    copy.extend(items);
                }
                Err(e) => sources.push(SourceReport::failed(source.name(), &e)),
            }
        }
        // Art. 15(1)(c), 15(2): the processors and sub-processors are recipients, and where
        // they process outside the EEA the transfers carry their safeguards.
        let parties: Vec<Party> = self.ledger.all::<Party>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let agreements: Vec<ProcessingAgreement> =
            self.ledger.all::<ProcessingAgreement>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let notices: Vec<ChangeNotice> =
            self.ledger.all::<ChangeNotice>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let chain = match ProcessingChain::build(parties.clone(), agreements, notices) {
            Ok(chain) => Some(chain),
            Err(e) => {
                if let Ok(name) = SourceName::new("processing_chain") {
                    let reason = format!(
                        "the processing chain cannot be built, so its recipients are not listed (Art. 15(1)(c)): {e}"
                    );
                    sources.push(SourceReport::failed_with(&name, false, &reason));
                }
                None
            }
        };
        let report = AccessReport::build(job, self.scope, now, &activities, chain.as_ref(), &parties, copy, sources);
        self.audit_step(job, "access", report.copy.len() as u64, report.complete, now).await?;
        Ok(report)
    }

    /// Writes the Art. 20 portable export to `out` in the [`PORTABLE_FORMAT`]: only the data
    /// the subject provided, one record per line, streamed so that a long history is never held
    /// in memory at once. Returns how many records were written. A web handler returns
    /// [`portable_export`] instead: the same bytes as an owned stream, without a blocking writer.
    ///
    /// # Errors
    /// [`FulfilError::OnlyWeakIdentifiers`] before anything is read or written when `subject`
    /// holds no strong identifier (Art. 11(2), 12(6)); [`FulfilError::Write`] when `out` fails;
    /// [`FulfilError::Store`] when a source fails (the export is then incomplete and must not
    /// be handed over).
    pub async fn portability(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        now: DateTime<Utc>,
        out: &mut (dyn Write + Send),
    ) -> Result<u64, FulfilError> {
        identifiable(subject)?;
        writeln!(out, "{}", stream::portable_header(self.scope, now))?;
        let mut written = 0u64;
        for source in &self.sources {
            let mut stream = source.export(self.scope, subject).await?;
            while let Some(item) = stream.next().await {
                let item = item?;
                if item.provided_by_subject {
                    serde_json::to_writer(&mut *out, &item).map_err(std::io::Error::from)?;
                    writeln!(out)?;
                    written += 1;
                }
            }
        }
        out.flush()?;
        self.audit_step(job, "portability", written, true, now).await?;
        Ok(written)
    }

    /// Erases the subject from every source under `policy` joined with the scope's active legal
    /// holds (Art. 17(3), [`policy_with_holds`]), journaling each source's
    /// plan before erasing and its outcome after, so that running it again resumes where it
    /// stopped and reports the same. When every source completed, the erasure is recorded in
    /// the erasure ledger and the audit log under the subject's keyed hash, and the report lists
    /// the recipients to inform (Art. 19).
    ///
    /// # Errors
    /// [`FulfilError::OnlyWeakIdentifiers`] before any source is read when `subject` holds no
    /// strong identifier (Art. 11(2), 12(6): a name or an IP address would erase namesakes and
    /// neighbours); [`FulfilError::Store`] when the ledger or audit log fails (run again to
    /// resume); [`FulfilError::WrongOperation`] when `job` was journaled for another operation.
    pub async fn erase(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
        now: DateTime<Utc>,
    ) -> Result<StepReport, FulfilError> {
        identifiable(subject)?;
        // Held data is never erased (Art. 17(3)): the scope's legal holds always join the policy,
        // whatever the caller passed.
        let holds: Vec<LegalHold> =
            self.ledger.all::<LegalHold>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let with_holds;
        let (mut journal, mut version) = self.journal(job, Operation::Erasure).await?;
        let policy = if holds.iter().any(|h| h.is_active(now)) {
            match policy_with_holds(self.scope, &self.sources, &holds, subject, policy, now).await {
                Ok(joined) => {
                    with_holds = joined;
                    &with_holds
                }
                // A source could not say which of its records are held: nothing is erased, and
                // every source not done yet is reported failed, to be retried (Art. 17(3), 12(3)).
                Err(e) => {
                    let mut failures = BTreeMap::new();
                    for source in &self.sources {
                        if journal.steps.get(source.name()).is_none_or(|s| s.done.is_none()) {
                            failures.insert(source.name().clone(), failure(&e));
                            self.audit_source(job, source.name(), 0, false, now).await?;
                        }
                    }
                    return self.report(job, Operation::Erasure, &journal, &failures).await;
                }
            }
        } else {
            policy
        };
        let mut failures = BTreeMap::new();
        for source in &self.sources {
            let name = source.name().clone();
            let step = journal.steps.entry(name.clone()).or_insert(JournalStep { planned: None, done: None });
            if step.done.is_some() {
                continue;
            }
            if step.planned.is_none() {
                match source.erasure_plan(self.scope, subject, policy).await {
                    Ok(plan) => step.planned = Some(plan),
                    Err(e) => {
                        failures.insert(name.clone(), failure(&e));
                        self.audit_source(job, &name, 0, false, now).await?;
                        continue;
                    }
                }
                version = self.save(job, &journal, version).await?;
            }
            let result = source.erase(self.scope, subject, policy).await;
            let step = journal.steps.entry(name.clone()).or_insert(JournalStep { planned: None, done: None });
            match result {
                Ok(outcomes) => {
                    let merged = merge_plan(step.planned.as_deref().unwrap_or_default(), outcomes);
                    let completed = !merged.iter().any(|o| o.outcome.is_failure());
                    let count = merged.len() as u64;
                    // The audit entry before the journal: a crash between them repeats the
                    // entry on resume (at least once), never loses it.
                    self.audit_source(job, &name, count, completed, now).await?;
                    if completed {
                        step.done = Some(merged);
                        version = self.save(job, &journal, version).await?;
                    } else {
                        failures.insert(name.clone(), failed_records(&merged));
                    }
                }
                Err(e) => {
                    failures.insert(name.clone(), failure(&e));
                    self.audit_source(job, &name, 0, false, now).await?;
                }
            }
        }
        let report = self.report(job, Operation::Erasure, &journal, &failures).await?;
        if report.complete {
            self.record_erasure(job, subject, now).await?;
        }
        Ok(report)
    }

    /// Rectifies the subject's data in every source (Art. 16).
    ///
    /// # Errors
    /// As [`erase`](Self::erase).
    pub async fn rectify(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        rectification: &Rectification,
        now: DateTime<Utc>,
    ) -> Result<StepReport, FulfilError> {
        identifiable(subject)?;
        self.apply(job, Operation::Rectification, now, |source| {
            let rectification = rectification.clone();
            let subject = subject.to_vec();
            let scope = self.scope;
            Box::pin(async move { source.rectify(scope, &subject, &rectification).await })
        })
        .await
    }

    /// Restricts processing of the subject's data in every source (Art. 18(1)).
    ///
    /// # Errors
    /// As [`erase`](Self::erase).
    pub async fn restrict(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        now: DateTime<Utc>,
    ) -> Result<StepReport, FulfilError> {
        identifiable(subject)?;
        self.apply(job, Operation::Restriction, now, |source| {
            let subject = subject.to_vec();
            let scope = self.scope;
            Box::pin(async move { source.restrict(scope, &subject).await })
        })
        .await
    }

    /// Lifts a restriction in every source. The subject must have been told before (Art. 18(3));
    /// the request lifecycle records that notice.
    ///
    /// # Errors
    /// As [`erase`](Self::erase).
    pub async fn lift_restriction(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        now: DateTime<Utc>,
    ) -> Result<StepReport, FulfilError> {
        identifiable(subject)?;
        self.apply(job, Operation::RestrictionLifted, now, |source| {
            let subject = subject.to_vec();
            let scope = self.scope;
            Box::pin(async move { source.lift_restriction(scope, &subject).await })
        })
        .await
    }

    /// Runs an idempotent per-source operation with the journal; the report states each
    /// record's final state, so a resumed run reports what an uninterrupted one does.
    async fn apply<F>(
        &self,
        job: RequestId,
        operation: Operation,
        now: DateTime<Utc>,
        run: F,
    ) -> Result<StepReport, FulfilError>
    where
        F: Fn(
            Arc<dyn PersonalDataSource>,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Result<Vec<RecordOutcome>, StoreError>> + Send + 'a>,
        >,
    {
        let (mut journal, mut version) = self.journal(job, operation).await?;
        let mut failures = BTreeMap::new();
        let target = operation.target_outcome();
        for source in &self.sources {
            let name = source.name().clone();
            if journal.steps.get(&name).is_some_and(|s| s.done.is_some()) {
                continue;
            }
            match run(source.clone()).await {
                Ok(outcomes) => {
                    let outcomes: Vec<RecordOutcome> = outcomes
                        .into_iter()
                        .map(|o| match (&o.outcome, &target) {
                            (Outcome::Unchanged, Some(t)) => RecordOutcome { record: o.record, outcome: t.clone() },
                            _ => o,
                        })
                        .collect();
                    let completed = !outcomes.iter().any(|o| o.outcome.is_failure());
                    let count = outcomes.len() as u64;
                    // As in `erase`: audit first, so that a crash repeats the entry, never loses it.
                    self.audit_source(job, &name, count, completed, now).await?;
                    if completed {
                        journal.steps.insert(name.clone(), JournalStep { planned: None, done: Some(outcomes) });
                        version = self.save(job, &journal, version).await?;
                    } else {
                        failures.insert(name.clone(), failed_records(&outcomes));
                    }
                }
                Err(e) => {
                    failures.insert(name.clone(), failure(&e));
                    self.audit_source(job, &name, 0, false, now).await?;
                }
            }
        }
        self.report(job, operation, &journal, &failures).await
    }

    async fn journal(&self, job: RequestId, operation: Operation) -> Result<(Journal, Version), FulfilError> {
        let key = DocumentKey { kind: DocumentKind::FulfilmentJournal, id: job.as_uuid() };
        match self.ledger.get_document(self.scope, key).await? {
            Some(stored) => {
                let journal: Journal = crate::store::decode_body(key, stored.body)?;
                if journal.operation != operation {
                    return Err(FulfilError::WrongOperation { job, journaled: journal.operation, asked: operation });
                }
                // Failures are not journaled as done: they are retried on the next run.
                Ok((journal, stored.version))
            }
            None => Ok((Journal { operation, steps: BTreeMap::new() }, Version::NONE)),
        }
    }

    async fn save(&self, job: RequestId, journal: &Journal, expected: Version) -> Result<Version, FulfilError> {
        let key = DocumentKey { kind: DocumentKind::FulfilmentJournal, id: job.as_uuid() };
        let body = crate::store::encode_body(key, journal)?;
        Ok(self.ledger.put_document(self.scope, key, &body, expected).await?)
    }

    async fn report(
        &self,
        job: RequestId,
        operation: Operation,
        journal: &Journal,
        failures: &BTreeMap<SourceName, (bool, String)>,
    ) -> Result<StepReport, FulfilError> {
        let activities: Vec<ProcessingActivity> =
            self.ledger.all::<ProcessingActivity>(self.scope).await?.into_iter().map(|v| v.value).collect();
        let sources = self
            .sources
            .iter()
            .map(|s| {
                let step = journal.steps.get(s.name());
                match (step.and_then(|s| s.done.as_ref()), failures.get(s.name())) {
                    (Some(outcomes), _) => SourceReport::with_outcomes(s.name(), outcomes.clone()),
                    (None, Some((retryable, reason))) => SourceReport::failed_with(s.name(), *retryable, reason),
                    (None, None) => SourceReport::failed_with(s.name(), true, "the source did not complete"),
                }
            })
            .collect();
        Ok(StepReport::build(job, operation, sources, &activities))
    }

    async fn record_erasure(
        &self,
        job: RequestId,
        subject: &[SubjectIdentifier],
        now: DateTime<Utc>,
    ) -> Result<(), FulfilError> {
        let keys = self.subject_keys(subject);
        let record = ErasureRecord {
            id: job,
            subject: keys.clone(),
            sources: self.sources.iter().map(|s| s.name().clone()).collect(),
            completed_at: now,
        };
        // Recorded by an earlier run: the audit log already says so, because the entry is written
        // before the record. A crash between the two repeats the entry on resume, never loses it.
        let key = DocumentKey { kind: DocumentKind::Erasure, id: job.as_uuid() };
        if self.ledger.get_document(self.scope, key).await?.is_some() {
            return Ok(());
        }
        let entry = AuditEntry {
            at: now,
            actor: Some(self.scope.controller()),
            action: AuditAction::ErasureCompleted { erasure: job, subject: keys },
            article: Some(Article::gdpr(17).paragraph(1)),
        };
        self.audit.append(self.scope, entry).await?;
        match self.ledger.put(self.scope, &record, Version::NONE).await {
            Ok(_) | Err(StoreError::Duplicate { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The keyed hashes of the subject's strong identifiers: a weak one would tie the erasure
    /// to namesakes and neighbours (Art. 11(2)).
    fn subject_keys(&self, subject: &[SubjectIdentifier]) -> Vec<SubjectKey> {
        let mut keys: Vec<SubjectKey> = subject
            .iter()
            .filter(|i| i.is_strong())
            .map(|i| SubjectKey::derive(self.pseudonyms, self.scope, i))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The completed erasures that concern a subject known by any of `subject`'s strong
    /// identifiers (none for weak identifiers only: a name or an IP address singles nobody
    /// out, Art. 11(2)).
    ///
    /// After a backup is restored, a backend runs every restored subject through this and
    /// erases again those that were erased since the backup (Art. 17(1)): the erasure ledger
    /// holds only keyed hashes, so this needs the same [`PseudonymKey`].
    ///
    /// # Errors
    /// [`FulfilError::Store`] when the ledger fails.
    pub async fn erasures_of(&self, subject: &[SubjectIdentifier]) -> Result<Vec<ErasureRecord>, FulfilError> {
        let keys = self.subject_keys(subject);
        let all = self.ledger.all::<ErasureRecord>(self.scope).await?;
        Ok(all.into_iter().map(|v| v.value).filter(|r| r.subject.iter().any(|k| keys.contains(k))).collect())
    }

    async fn audit_source(
        &self,
        job: RequestId,
        source: &SourceName,
        records: u64,
        completed: bool,
        now: DateTime<Utc>,
    ) -> Result<(), FulfilError> {
        let entry = AuditEntry {
            at: now,
            actor: Some(self.scope.controller()),
            action: AuditAction::FulfilmentStep { request: job, source: source.clone(), records, completed },
            article: None,
        };
        self.audit.append(self.scope, entry).await?;
        Ok(())
    }

    async fn audit_step(
        &self,
        job: RequestId,
        name: &str,
        records: u64,
        completed: bool,
        now: DateTime<Utc>,
    ) -> Result<(), FulfilError> {
        let source =
            SourceName::new(name).map_err(|e| StoreError::Invalid { what: name.to_owned(), reason: e.to_string() })?;
        self.audit_source(job, &source, records, completed, now).await
    }
}

/// What the obligations agenda reads from a fulfilment journal: its operation, and whether a
/// completed step changed any record (the condition under which [`StepReport`] lists Art. 19
/// notices).
pub(crate) fn fulfilment_progress(key: DocumentKey, body: serde_json::Value) -> Result<(Operation, bool), StoreError> {
    let journal: Journal = crate::store::decode_body(key, body)?;
    let changed = journal
        .steps
        .values()
        .filter_map(|step| step.done.as_ref())
        .flatten()
        .any(|o| !matches!(o.outcome, Outcome::Unchanged | Outcome::Retained { .. }));
    Ok((journal.operation, changed))
}

/// Refuses a subject known by no strong identifier, before any source is read: names and IP
/// addresses cannot single a person out, and acting on them would read or change other
/// people's data (Art. 11(2), 12(6), Recital 64).
fn identifiable(subject: &[SubjectIdentifier]) -> Result<(), FulfilError> {
    if subject.iter().any(SubjectIdentifier::is_strong) { Ok(()) } else { Err(FulfilError::OnlyWeakIdentifiers) }
}

/// The plan's outcome for each planned record, unless erasing it failed; records the plan did
/// not foresee (data added since) keep their own outcome.
fn merge_plan(plan: &[RecordOutcome], done: Vec<RecordOutcome>) -> Vec<RecordOutcome> {
    let mut merged: Vec<RecordOutcome> = plan.to_vec();
    for outcome in done {
        match merged.iter_mut().find(|p| p.record == outcome.record) {
            Some(p) if outcome.outcome.is_failure() => p.outcome = outcome.outcome,
            Some(_) => {}
            None if outcome.outcome != Outcome::Unchanged => merged.push(outcome),
            None => {}
        }
    }
    merged
}

/// A failed step stays not done in the journal, so the next run retries it; this is what the
/// report says about it: whether a retry can help, and why (no personal data).
fn failure(error: &StoreError) -> (bool, String) {
    (error.is_retryable(), error.to_string())
}

fn failed_records(outcomes: &[RecordOutcome]) -> (bool, String) {
    let failed: Vec<&RecordOutcome> = outcomes.iter().filter(|o| o.outcome.is_failure()).collect();
    let retryable = failed.iter().all(|o| matches!(o.outcome, Outcome::Failed { retryable: true, .. }));
    (retryable, format!("{} record(s) failed", failed.len()))
}

async fn collect(
    source: &dyn PersonalDataSource,
    scope: Scope,
    subject: &[SubjectIdentifier],
) -> Result<Vec<ExportItem>, StoreError> {
    let mut stream = source.export(scope, subject).await?;
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}
