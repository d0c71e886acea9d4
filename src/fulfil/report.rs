//! What a fulfilment reports: the Art. 15 access report and the per-source step report.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RecipientNotice;
use crate::agreement::ProcessingChain;
use crate::agreement::members::{chain_members, merge_transfer};
use crate::erasure::{Outcome, RecordKey, RecordOutcome, RetentionGround};
use crate::model::{
    ActivityId, Controllers, LocalizedText, Party, PartyId, ProcessingActivity, PurposeSpec, Recipient, Retention,
    SourceName, Transfer,
};
use crate::request::RequestId;
use crate::store::{ExportItem, ItemOrigin, Scope, StoreError};
use crate::vocab::{Article, DataCategory, Right, rights};

/// The operation a fulfilment carries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operation {
    /// Art. 15.
    Access,
    /// Art. 20.
    Portability,
    /// Art. 17.
    Erasure,
    /// Art. 16.
    Rectification,
    /// Art. 18(1).
    Restriction,
    /// Art. 18(3).
    RestrictionLifted,
}

impl Operation {
    /// The provision the operation fulfils.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            Operation::Access => Article::gdpr(15),
            Operation::Portability => Article::gdpr(20),
            Operation::Erasure => Article::gdpr(17),
            Operation::Rectification => Article::gdpr(16),
            Operation::Restriction => Article::gdpr(18).paragraph(1),
            Operation::RestrictionLifted => Article::gdpr(18).paragraph(3),
        }
    }

    /// The state a record is in once the operation is done, for operations whose report
    /// states final states.
    pub(crate) fn target_outcome(&self) -> Option<Outcome> {
        match self {
            Operation::Rectification => Some(Outcome::Rectified),
            Operation::Restriction => Some(Outcome::Restricted),
            Operation::RestrictionLifted => Some(Outcome::RestrictionLifted),
            _ => None,
        }
    }

    /// Whether recipients must be told of it (Art. 19: rectification, erasure, restriction).
    #[must_use]
    pub const fn notifies_recipients(&self) -> bool {
        matches!(self, Operation::Erasure | Operation::Rectification | Operation::Restriction)
    }
}

/// Whether a source completed its part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepStatus {
    /// Done.
    Completed,
    /// Not done; run the fulfilment again to resume when `retryable`.
    Failed {
        /// Whether running again may help.
        retryable: bool,
        /// Why, without personal data.
        reason: String,
    },
}

/// One source's part in a fulfilment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SourceReport {
    /// The source.
    pub source: SourceName,
    /// Whether it completed.
    #[serde(flatten)]
    pub status: StepStatus,
    /// What happened to each record (empty for access, where the copy is the result).
    pub outcomes: Vec<RecordOutcome>,
    /// How many records it returned or changed.
    pub records: u64,
}

impl SourceReport {
    pub(crate) fn completed(source: &SourceName, records: usize) -> Self {
        Self { source: source.clone(), status: StepStatus::Completed, outcomes: Vec::new(), records: records as u64 }
    }

    /// A source that failed with `error`: the reason is the error and every cause under it
    /// (errors do not repeat their cause in their own message, and an operator reading the
    /// report needs it: "storage backend sqlite failed: database or disk is full").
    pub(crate) fn failed(source: &SourceName, error: &StoreError) -> Self {
        let mut reason = error.to_string();
        let mut cause = std::error::Error::source(error);
        while let Some(e) = cause {
            reason.push_str(": ");
            reason.push_str(&e.to_string());
            cause = e.source();
        }
        Self::failed_with(source, error.is_retryable(), &reason)
    }

    pub(crate) fn failed_with(source: &SourceName, retryable: bool, reason: &str) -> Self {
        Self {
            source: source.clone(),
            status: StepStatus::Failed { retryable, reason: reason.to_owned() },
            outcomes: Vec::new(),
            records: 0,
        }
    }

    pub(crate) fn with_outcomes(source: &SourceName, outcomes: Vec<RecordOutcome>) -> Self {
        Self { source: source.clone(), status: StepStatus::Completed, records: outcomes.len() as u64, outcomes }
    }

    /// Whether the source completed.
    #[must_use]
    pub fn is_completed(&self) -> bool {
        self.status == StepStatus::Completed
    }
}

/// A record kept in an erasure, with its ground (listed as invariant 4 requires).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RetainedRecord {
    /// The source.
    pub source: SourceName,
    /// The record.
    pub record: RecordKey,
    /// The Art. 17(3) ground.
    pub ground: RetentionGround,
    /// Its point of Art. 17(3).
    pub article: Article,
}

/// A record an erasure kept pseudonymised rather than erased (Art. 4(5), Recital 26).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PseudonymisedRecord {
    /// The source.
    pub source: SourceName,
    /// The record.
    pub record: RecordKey,
    /// Art. 4(5): pseudonymised data are still personal data.
    pub article: Article,
}

crate::vocab::object_struct! {
/// The report of an erasure, rectification, restriction or lifting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct StepReport {
    /// The request carried out (its id keys the fulfilment's journal).
    pub job: RequestId,
    /// The operation.
    pub operation: Operation,
    /// Its provision.
    pub article: Article,
    /// Whether every source completed. Never true while a source failed.
    pub complete: bool,
    /// Each source's part, in the order of the sources.
    pub sources: Vec<SourceReport>,
    /// For an erasure, every record kept and why.
    pub retained: Vec<RetainedRecord>,
    /// For an erasure, every record kept with the subject's identifiers replaced
    /// ([`Outcome::Pseudonymised`]): not erased, since pseudonymised data remain personal data
    /// while the remaining text can identify the subject (Art. 4(5), Recital 26). The answer to
    /// the data subject says they are kept, pseudonymised, unless the controller established
    /// that they are anonymous.
    #[serde(default)]
    pub pseudonymised: Vec<PseudonymisedRecord>,
    /// The recipients to inform (Art. 19), from the scope's processing activities.
    pub notices: Vec<RecipientNotice>,
}
}

impl StepReport {
    pub(crate) fn build(
        job: RequestId,
        operation: Operation,
        sources: Vec<SourceReport>,
        activities: &[ProcessingActivity],
    ) -> Self {
        let complete = sources.iter().all(SourceReport::is_completed);
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
        let pseudonymised = sources
            .iter()
            .flat_map(|s| {
                s.outcomes.iter().filter(|o| o.outcome == Outcome::Pseudonymised).map(|o| PseudonymisedRecord {
                    source: s.source.clone(),
                    record: o.record.clone(),
                    article: Article::gdpr(4).paragraph(5),
                })
            })
            .collect();
        let changed = sources
            .iter()
            .any(|s| s.outcomes.iter().any(|o| !matches!(o.outcome, Outcome::Unchanged | Outcome::Retained { .. })));
        let notices =
            if operation.notifies_recipients() && changed { notices(activities, operation) } else { Vec::new() };
        StepReport { job, operation, article: operation.article(), complete, sources, retained, pseudonymised, notices }
    }
}

fn notices(activities: &[ProcessingActivity], operation: Operation) -> Vec<RecipientNotice> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for a in activities {
        for r in &a.fields().recipients {
            if seen.insert((r.name.clone(), r.party)) {
                out.push(RecipientNotice::new(r.name.clone(), r.party, r.country, operation));
            }
        }
    }
    out
}

/// The name under which an access report lists the processing chain when its recipients
/// cannot be listed.
const CHAIN_SOURCE: &str = "processing_chain";

/// What Art. 15(1) and 15(2) require about one processing activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ActivityInformation {
    /// The activity.
    pub activity: ActivityId,
    /// Its name.
    pub name: LocalizedText,
    /// Who controls it.
    pub controllers: Controllers,
    /// (a) the purposes, with their legal bases.
    pub purposes: Vec<PurposeSpec>,
    /// (b) the categories of personal data concerned.
    pub data_categories: Vec<DataCategory>,
    /// (c) the recipients: the activity's own and every processor and sub-processor of the
    /// processing chain that covers it (a processor is a recipient, Art. 4(9)).
    pub recipients: Vec<Recipient>,
    /// (d) the storage period or its criteria.
    pub retention: Retention,
    /// (e) the rights of rectification, erasure, restriction and objection available under
    /// the activity's bases, and (f) the right to lodge a complaint (Art. 77).
    pub rights: Vec<Right>,
    /// (h) automated decision-making, with meaningful information about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_decision_making: Option<LocalizedText>,
    /// Art. 15(2): transfers to third countries and their safeguards (Art. 46): the activity's
    /// own and every location outside the EEA where a processor or sub-processor of the chain
    /// processes for it.
    pub transfers: Vec<Transfer>,
}

crate::vocab::object_struct! {
/// The Art. 15 access report: confirmation, the information of Art. 15(1)(a)-(h) and 15(2), and
/// the copy of the data (Art. 15(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct AccessReport {
    /// The request carried out (its id keys the fulfilment's journal).
    pub job: RequestId,
    /// The controller.
    pub controller: PartyId,
    /// When it was built.
    pub generated_at: DateTime<Utc>,
    /// Art. 15(1): whether personal data concerning the subject are processed.
    pub processing: bool,
    /// (b) the categories found.
    pub categories: Vec<DataCategory>,
    /// (a)-(e), (h) and 15(2), per processing activity that concerns those categories.
    pub activities: Vec<ActivityInformation>,
    /// (f) the right to lodge a complaint with a supervisory authority.
    pub complaint: Article,
    /// (g) the systems holding data not collected from the subject, by their internal names:
    /// for the operator, not for the letter.
    pub sources_not_from_subject: Vec<SourceName>,
    /// (g) where the data not collected from the subject came from, in words the subject
    /// understands ([`ItemOrigin`]), each once.
    pub origins_not_from_subject: Vec<ItemOrigin>,
    /// Art. 15(3): the copy, redacted for other people (Art. 15(4)).
    pub copy: Vec<ExportItem>,
    /// Each source's part.
    pub sources: Vec<SourceReport>,
    /// Whether every source answered; an incomplete report must not be sent as the answer.
    pub complete: bool,
}
}

impl AccessReport {
    /// The report. `chain` and `parties` give the processors and sub-processors that process
    /// for the scope's controller (Art. 15(1)(c), 15(2)); when a party of the chain is missing
    /// from `parties` the recipients cannot be listed, and the report is incomplete (as it is,
    /// through a failed source the caller adds, when the chain could not be built: `None`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        job: RequestId,
        scope: Scope,
        now: DateTime<Utc>,
        activities: &[ProcessingActivity],
        chain: Option<&ProcessingChain>,
        parties: &[Party],
        copy: Vec<ExportItem>,
        mut sources: Vec<SourceReport>,
    ) -> Self {
        let party = |id: PartyId| parties.iter().find(|p| p.id() == id);
        let members = match chain.map(|c| chain_members(c, scope.controller(), party)).transpose() {
            Ok(m) => m.unwrap_or_default(),
            Err(party) => {
                if let Ok(name) = SourceName::new(CHAIN_SOURCE) {
                    let reason = format!(
                        "the recipients of the processing chain cannot be listed (Art. 15(1)(c)): party {party} is unknown"
                    );
                    sources.push(SourceReport::failed_with(&name, false, &reason));
                }
                Vec::new()
            }
        };
        let categories: Vec<DataCategory> =
            copy.iter().map(|i| i.category.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let activities = activities
            .iter()
            .filter(|a| a.fields().data_categories.iter().any(|c| categories.contains(c)))
            .map(|a| {
                let f = a.fields();
                let mut rights: Vec<Right> = Vec::new();
                for spec in &f.purposes {
                    for r in rights::available_rights(spec.basis, &spec.purpose) {
                        if !rights.contains(&r) {
                            rights.push(r);
                        }
                    }
                }
                // As the Art. 30 record merges them: the chain's members that cover the activity.
                let mut recipients = f.recipients.clone();
                let mut transfers = Vec::new();
                for t in f.transfers.iter().cloned() {
                    merge_transfer(&mut transfers, t);
                }
                for m in members.iter().filter(|m| m.covers(a)) {
                    if !recipients.iter().any(|r| r.party == Some(m.party.id())) {
                        recipients.push(m.recipient(a));
                    }
                    for transfer in m.transfers() {
                        merge_transfer(&mut transfers, transfer);
                    }
                }
                ActivityInformation {
                    activity: a.id(),
                    name: f.name.clone(),
                    controllers: f.controllers.clone(),
                    purposes: f.purposes.clone(),
                    data_categories: f.data_categories.clone(),
                    recipients,
                    retention: f.retention.clone(),
                    rights,
                    automated_decision_making: f.automated_decision_making.clone(),
                    transfers,
                }
            })
            .collect();
        let sources_not_from_subject = copy
            .iter()
            .filter(|i| !i.provided_by_subject)
            .map(|i| i.source.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let origins_not_from_subject = copy
            .iter()
            .filter(|i| !i.provided_by_subject)
            .map(|i| i.origin)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        AccessReport {
            job,
            controller: scope.controller(),
            generated_at: now,
            processing: !copy.is_empty(),
            categories,
            activities,
            complaint: Article::gdpr(77),
            sources_not_from_subject,
            origins_not_from_subject,
            complete: sources.iter().all(SourceReport::is_completed),
            copy,
            sources,
        }
    }
}
