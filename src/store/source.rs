//! Personal-data sources: the chat product's own data, behind one small trait.

use std::pin::Pin;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Scope, StoreError, SweepId};
#[cfg(doc)]
use crate::erasure::Outcome;
use crate::erasure::{ErasurePolicy, RecordKey, RecordOutcome, Rectification};
use crate::model::{SourceName, SubjectIdentifier};
use crate::retention::RetentionPolicy;
#[cfg(doc)]
use crate::retention::expiry;
use crate::vocab::DataCategory;

/// A record of the subject's found in a source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct FoundRecord {
    /// The record.
    pub record: RecordKey,
    /// The category of personal data it holds.
    pub category: DataCategory,
    /// When it was collected.
    pub collected_at: DateTime<Utc>,
    /// Whether processing of it is restricted (Art. 18).
    pub restricted: bool,
}

/// Where an exported item came from, in words its subject understands (Art. 15(1)(g): "any
/// available information as to their source"): not the name of the table that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemOrigin {
    /// Details the subject gave (a name, an e-mail address, a statement).
    SubjectDetails,
    /// A message the subject wrote.
    SubjectMessage,
    /// A reply of one of the controller's agents.
    AgentReply,
    /// A reply of the chat bot.
    BotReply,
    /// A note an agent made about the subject.
    AgentNote,
    /// The network address the subject's device connected from, recorded by the service.
    ConnectionRecord,
    /// The record that the subject took part in a conversation, kept by the service.
    ConversationRecord,
    /// Information another person or organisation gave about the subject.
    ThirdParty,
}

impl ItemOrigin {
    /// The origin's name as in JSON, e.g. `agent_reply`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            ItemOrigin::SubjectDetails => "subject_details",
            ItemOrigin::SubjectMessage => "subject_message",
            ItemOrigin::AgentReply => "agent_reply",
            ItemOrigin::BotReply => "bot_reply",
            ItemOrigin::AgentNote => "agent_note",
            ItemOrigin::ConnectionRecord => "connection_record",
            ItemOrigin::ConversationRecord => "conversation_record",
            ItemOrigin::ThirdParty => "third_party",
        }
    }
}

crate::vocab::object_struct! {
/// A record as exported to its subject: the subject's data, with every other person's personal
/// data redacted (Art. 15(4), 20(4)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ExportItem {
    /// The source.
    pub source: SourceName,
    /// The record.
    pub record: RecordKey,
    /// The category of personal data.
    pub category: DataCategory,
    /// When it was collected.
    pub collected_at: DateTime<Utc>,
    /// Whether the subject provided it (what Art. 20(1) portability covers) rather than the
    /// controller observing or inferring it.
    pub provided_by_subject: bool,
    /// Where it came from, in words the subject understands (Art. 15(1)(g)).
    pub origin: ItemOrigin,
    /// The data, in the source's documented JSON shape.
    pub data: serde_json::Value,
}
}

/// A stream of exported records, so that a subject with a long history is exported without
/// holding it all in memory.
pub type ExportStream<'a> = Pin<Box<dyn Stream<Item = Result<ExportItem, StoreError>> + Send + 'a>>;

/// A source of personal data, implemented by a chat product over its own tables (chat
/// transcripts, attachments, CRM contacts). Every method is scoped to one controller and
/// finds the subject by any of the strong identifiers given.
///
/// # Contract
/// - **Scope.** Nothing a method does reads or changes another controller's data.
/// - **Identification.** A record belongs to the subject when any **strong** identifier given
///   ([`SubjectIdentifier::is_strong`]: a token, a cookie id, an e-mail address, a phone
///   number, an account id) matches one of the source's identifiers for it
///   ([`SubjectIdentifier::matches`]).
/// - **Weak identifiers.** A weak identifier (a name, an IP address) cannot single a person
///   out (Art. 11(2), 12(6), Recital 64): it never selects a subject, alone or beside strong
///   ones. `find` and `export` with weak identifiers only return nothing; beside a subject's
///   strong identifier, weak ones select nobody else, so finding, exporting or erasing one
///   subject never includes or changes another who shares only weak identifiers with them (a
///   namesake, a visitor behind the same network address). A weak identifier given beside a
///   strong one may still be looked for in the selected subject's own records.
/// - **Idempotence.** Calling `erase`, `rectify`, `restrict` or `lift_restriction` again with
///   the same arguments changes nothing more; the second call reports only
///   [`Outcome::Unchanged`] (or the earlier retention), and only for records the first call
///   reported.
/// - **Plan.** `erasure_plan` changes nothing and predicts `erase`'s outcomes.
/// - **Erasure.** After `erase`, `find` returns none of the subject's records except those
///   reported [`Outcome::Retained`]; nothing of another subject is removed. A record kept with
///   the subject's identifiers replaced is reported [`Outcome::Pseudonymised`], never
///   [`Outcome::Erased`]: pseudonymised data remain personal data while the remaining text can
///   identify (Art. 4(5), Recital 26), and the erasure report lists them as kept.
/// - **Export.** `export` yields only the subject's data; every other person's personal data
///   in it is redacted (Art. 15(4)).
/// - **Restriction.** Restricted records stay stored and are found and exported, but the
///   source leaves them out of every processing query until lifted (Art. 18(2)).
///
/// A source that also keeps data only as long as a retention policy allows implements
/// [`RetentionSource`] as well, for the retention sweep.
#[async_trait]
pub trait PersonalDataSource: Send + Sync {
    /// The source's name, e.g. `chat_history`.
    fn name(&self) -> &SourceName;

    /// Finds the subject's records.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError>;

    /// Exports the subject's records, redacted for other people (Art. 15(3)-(4), 20).
    ///
    /// # Errors
    /// [`StoreError::Backend`], at the start or as an item of the stream.
    async fn export<'a>(
        &'a self,
        scope: Scope,
        subject: &'a [SubjectIdentifier],
    ) -> Result<ExportStream<'a>, StoreError>;

    /// What [`erase`](Self::erase) would do to each of the subject's records under `policy`,
    /// without changing anything. Fulfilment journals this plan before erasing, so that a run
    /// interrupted at any point and resumed reports the same outcomes (invariant 10).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// Changes nothing. Called before `erase` with the same arguments, it lists the same
    /// records with the same outcomes that `erase` then reports (failures aside).
    async fn erasure_plan(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError>;

    /// Erases the subject's records under `policy` (Art. 17), returning an outcome per record.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when nothing could be done; records that fail alone are reported
    /// as [`Outcome::Failed`].
    async fn erase(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError>;

    /// Rectifies the subject's records (Art. 16).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a replacement changes the kind of identifier;
    /// [`StoreError::Backend`].
    async fn rectify(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        rectification: &Rectification,
    ) -> Result<Vec<RecordOutcome>, StoreError>;

    /// Restricts processing of the subject's records (Art. 18(1)).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn restrict(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError>;

    /// Lifts a restriction (Art. 18(3): tell the subject first).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    async fn lift_restriction(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
    ) -> Result<Vec<RecordOutcome>, StoreError>;
}

/// The retention capability of a [`PersonalDataSource`]: listing the records whose retention
/// has ended and erasing named records, whoever's they are, for the retention sweep
/// (`fulfil::Sweep`, Art. 5(1)(e)).
///
/// A separate trait, as object_store keeps optional capabilities (multipart uploads, paginated
/// listing) in traits of their own: a source without retention rules (a CRM whose contacts are
/// erased only on request) implements [`PersonalDataSource`] alone and still serves
/// `fulfil::Fulfilment`. A source implementing both is shared as one `Arc`: `Arc<ChatHistory>`
/// coerces to `Arc<dyn PersonalDataSource>` and to `Arc<dyn RetentionSource>`, and an
/// `Arc<dyn RetentionSource>` upcasts to `Arc<dyn PersonalDataSource>`.
///
/// # Contract
/// Besides the contract of [`PersonalDataSource`]:
/// - **Expiry.** `expired` changes nothing and lists only records whose retention under the
///   policies given has ended (Art. 5(1)(e)), in record-key order; a record `erase_records`
///   erased is no longer listed. A source configured with a scope's policies leaves expired
///   records out of every processing query from the moment they expire, sweep or no sweep.
/// - **Record erasure.** `erase_records` changes only the records named, leaves those
///   `policy.retain` covers ([`Outcome::Retained`]) and restricted ones ([`Outcome::Restricted`])
///   untouched, and reports each record's state after the call: called again, it changes
///   nothing and reports the same.
/// - **Sweep batch.** `sweep_expired` does what `expired` and then `erase_records` would do with
///   the same arguments, in one transaction where the source has them, and reports the same
///   outcomes; see its own contract.
#[async_trait]
pub trait RetentionSource: PersonalDataSource {
    /// Lists the records of every subject whose retention under `policies` has ended at `now`
    /// (Art. 5(1)(e)), a page at a time, for the retention sweep.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    ///
    /// # Contract
    /// Changes nothing. Lists, in ascending record-key order, the first `limit` of the scope's
    /// records with a key greater than `after` (from the first when `None`) whose [`expiry`]
    /// under `policies` is at or before `now`, each as `find` reports it (restricted ones
    /// marked). A record of a category no policy covers, or collected after `now`, is never
    /// listed; records that are no longer personal data (pseudonymised) may be left out.
    async fn expired(
        &self,
        scope: Scope,
        policies: &[RetentionPolicy],
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FoundRecord>, StoreError>;

    /// Erases the records named, whoever's they are, under `policy`: what the retention sweep
    /// does with expired records (Art. 5(1)(e)).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when nothing could be done; records that fail alone are reported
    /// as [`Outcome::Failed`].
    ///
    /// # Contract
    /// One outcome per distinct record named, in the order first named. A record `policy.retain`
    /// covers is left untouched and reported [`Outcome::Retained`] (Art. 17(3)); a restricted
    /// one is left untouched and reported [`Outcome::Restricted`] (Art. 18(2): restricted data
    /// are only stored); any other is erased, messages under `policy.messages`, and reported
    /// [`Outcome::Erased`], [`Outcome::Pseudonymised`] (kept, not erased: Art. 4(5)) or
    /// [`Outcome::Redacted`]. Each outcome is
    /// the record's state after the call, so a record of the scope that no longer exists is
    /// reported `Erased`, and a second call with the same arguments changes nothing and reports
    /// the same, except that a record the first call erased may be reported
    /// [`Outcome::NotFound`] once nothing left in the scope shows it was there. A key the scope
    /// never held (another controller's record, a made-up key) is reported `NotFound`, never
    /// `Erased` (Art. 17: a report of erasure covers what was held). Nothing not named is
    /// changed.
    async fn erase_records(
        &self,
        scope: Scope,
        records: &[RecordKey],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError>;

    /// One batch of the retention sweep (Art. 5(1)(e)): erases the first `batch.limit` records
    /// after `batch.after` whose retention under `batch.policies` has ended at `batch.now`,
    /// under `batch.policy`, keeping what its `retain` entries cover (the sweep's legal holds,
    /// Art. 17(3)) and what is restricted (Art. 18(2)), and returns an outcome per record, in
    /// record-key order.
    ///
    /// The default implementation is [`expired`](Self::expired), then `journal` told the keys
    /// listed, then [`erase_records`](Self::erase_records): two passes, with the sweep's
    /// journal written between them, so that a sweep interrupted after the erasure resumes
    /// with the keys it listed. A source that can do better overrides it with a set operation
    /// in one transaction that decides holds and restrictions on the data it changes, and
    /// returns what it changed (the reference `ChatHistory` does, on every backend).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when nothing could be done; records that fail alone are reported
    /// as [`Outcome::Failed`]. An error of `journal` is returned as it is.
    ///
    /// # Contract
    /// - **Same result as two passes.** Leaves the source in the state, and returns the
    ///   outcomes, that `expired(scope, policies, now, after, limit)` followed by
    ///   `erase_records` of the records it lists, under `policy`, would (Art. 5(1)(e),
    ///   17(3), 18(2)); an empty result means that nothing after `after` has expired.
    /// - **Current data.** Which records have expired, which are restricted and what a retained
    ///   record's key is are decided on the data as the call changes them: in the same
    ///   transaction, for a source with transactions.
    /// - **Resumable.** Either `journal` is told the keys of the batch before anything is
    ///   changed (the default), or the call is atomic and, called again with the same
    ///   `batch.sweep` and `batch.after` after it committed, changes nothing and returns the
    ///   outcomes it returned then (a receipt kept in the same transaction). Either way a sweep
    ///   interrupted at any point resumes to the same report (invariant 10).
    async fn sweep_expired(
        &self,
        scope: Scope,
        batch: &SweepBatch<'_>,
        journal: &dyn SweepJournal,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let page = self.expired(scope, batch.policies, batch.now, batch.after, batch.limit).await?;
        if page.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<RecordKey> = page.into_iter().map(|f| f.record).collect();
        journal.listed(&records).await?;
        self.erase_records(scope, &records, batch.policy).await
    }
}

/// One batch of a retention sweep, as the sweep asks a [`RetentionSource`] for it
/// ([`RetentionSource::sweep_expired`], Art. 5(1)(e)).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SweepBatch<'a> {
    /// The sweep: a source that keeps a receipt of its last batch keeps it under this id.
    pub sweep: SweepId,
    /// The scope's retention policies.
    pub policies: &'a [RetentionPolicy],
    /// The instant whose expired records are erased: the sweep's first run's.
    pub now: DateTime<Utc>,
    /// The last record of the batch before (from the first record when `None`).
    pub after: Option<&'a str>,
    /// At most this many records.
    pub limit: usize,
    /// How to erase: messages under `policy.messages`; what `policy.retain` covers (the
    /// legal holds, Art. 17(3)) is kept.
    pub policy: &'a ErasurePolicy,
}

impl<'a> SweepBatch<'a> {
    /// The batch of `sweep` of the first `limit` records after `after` (from the first when
    /// `None`) expired at `now` under `policies`, erased under `policy`.
    ///
    /// ```
    /// use chrono::Utc;
    /// use gdpr_obligations::erasure::ErasurePolicy;
    /// use gdpr_obligations::store::{SweepBatch, SweepId};
    ///
    /// let policy = ErasurePolicy::default();
    /// let batch = SweepBatch::new(SweepId::generate(), &[], Utc::now(), None, 500, &policy);
    /// assert_eq!(batch.limit, 500);
    /// ```
    #[must_use]
    pub fn new(
        sweep: SweepId,
        policies: &'a [RetentionPolicy],
        now: DateTime<Utc>,
        after: Option<&'a str>,
        limit: usize,
        policy: &'a ErasurePolicy,
    ) -> Self {
        Self { sweep, policies, now, after, limit, policy }
    }
}

/// Where [`RetentionSource::sweep_expired`]'s default implementation records the keys of a
/// batch before erasing them: the sweep's journal, so that a sweep interrupted after the
/// erasure resumes with them (invariant 10, Art. 5(2) accountability).
#[async_trait]
pub trait SweepJournal: Send + Sync {
    /// Records that these records are about to be erased.
    ///
    /// # Errors
    /// The journal's store failed: nothing may be erased.
    async fn listed(&self, records: &[RecordKey]) -> Result<(), StoreError>;
}

/// A [`SweepJournal`] that records nothing: for a caller that resumes no sweep.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoJournal;

#[async_trait]
impl SweepJournal for NoJournal {
    async fn listed(&self, _records: &[RecordKey]) -> Result<(), StoreError> {
        Ok(())
    }
}
