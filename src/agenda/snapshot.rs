//! What the agenda reads: one scope's ledger state, and the async loader that reads it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agreement::{ChangeNotice, ProcessingAgreement};
use crate::breach::Breach;
use crate::fulfil::{NoticeRecord, Operation};
use crate::model::{Party, ProcessingActivity};
use crate::request::{Request, RequestId};
use crate::retention::RetentionPolicy;
use crate::store::{DocumentKind, LedgerStore, LedgerStoreExt, Scope, StoreError, StreamKind, SweepId};

crate::vocab::object_struct! {
/// The state of one scope's ledger that the agenda is a function of: plain data, filled by
/// [`Snapshot::load`] or by hand.
///
/// # Example
/// ```
/// use gdpr_obligations::agenda::{Agenda, AgendaOptions, Snapshot};
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::store::memory::MemoryLedger;
/// use gdpr_obligations::store::Scope;
/// use gdpr_obligations::time::DeadlinePolicy;
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let ledger = MemoryLedger::new();
/// let scope = Scope::of(PartyId::generate());
/// let snapshot = Snapshot::load(&ledger, scope).await?;
/// assert_eq!(snapshot, Snapshot::new(scope));
/// let agenda = Agenda::build(&snapshot, chrono::Utc::now(), &AgendaOptions::new(DeadlinePolicy::czech()));
/// // An empty ledger owes nothing: no request, no breach, no record to complete.
/// assert!(agenda.obligations.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Snapshot {
    /// The scope it was read from; the agenda keeps nothing of another.
    pub scope: Scope,
    /// The parties known in the scope.
    #[serde(default)]
    pub parties: Vec<Party>,
    /// The processing activities (Art. 30 records).
    #[serde(default)]
    pub activities: Vec<ProcessingActivity>,
    /// The processing agreements (Art. 28).
    #[serde(default)]
    pub agreements: Vec<ProcessingAgreement>,
    /// The sub-processor change notices (Art. 28(2)).
    #[serde(default)]
    pub change_notices: Vec<ChangeNotice>,
    /// The data-subject requests, as their events leave them.
    #[serde(default)]
    pub requests: Vec<Request>,
    /// The breach register (Art. 33(5)), as the events leave each entry.
    #[serde(default)]
    pub breaches: Vec<Breach>,
    /// The retention policies (Art. 5(1)(e)).
    #[serde(default)]
    pub retention_policies: Vec<RetentionPolicy>,
    /// The retention sweeps journaled.
    #[serde(default)]
    pub sweeps: Vec<SweepRun>,
    /// The fulfilments journaled.
    #[serde(default)]
    pub fulfilments: Vec<FulfilmentRun>,
    /// The Art. 19 and Art. 18(3) notices given, as recorded by [`record_notice`](crate::fulfil::record_notice).
    #[serde(default)]
    pub notices_given: Vec<NoticeRecord>,
}
}

/// A retention sweep as its journal leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SweepRun {
    /// The sweep.
    pub sweep: SweepId,
    /// The instant whose expired records it erases: its first run's.
    pub as_of: DateTime<Utc>,
    /// Whether every source it journaled is done. A journal with no source yet is unfinished.
    pub finished: bool,
}

impl SweepRun {
    /// A sweep of the records expired at `as_of` whose every source is done.
    #[must_use]
    pub fn finished(sweep: SweepId, as_of: DateTime<Utc>) -> Self {
        Self { sweep, as_of, finished: true }
    }

    /// A sweep of the records expired at `as_of` that stopped before every source was done.
    #[must_use]
    pub fn unfinished(sweep: SweepId, as_of: DateTime<Utc>) -> Self {
        Self { sweep, as_of, finished: false }
    }
}

/// A fulfilment (erasure, rectification, restriction, ...) as its journal leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct FulfilmentRun {
    /// The request carried out (its id keys the journal).
    pub job: RequestId,
    /// The operation.
    pub operation: Operation,
    /// Whether a completed step changed any record (erased, rectified, restricted...): Art. 19
    /// applies only then.
    pub changed: bool,
}

impl FulfilmentRun {
    /// The fulfilment of `job` by `operation`, which changed no record.
    #[must_use]
    pub fn new(job: RequestId, operation: Operation) -> Self {
        Self { job, operation, changed: false }
    }

    /// A completed step changed a record (erased, rectified, restricted...), so Art. 19
    /// applies.
    #[must_use]
    pub fn with_changes(mut self) -> Self {
        self.changed = true;
        self
    }
}

impl Snapshot {
    /// An empty snapshot of `scope`.
    #[must_use]
    pub fn new(scope: Scope) -> Snapshot {
        Snapshot {
            scope,
            parties: Vec::new(),
            activities: Vec::new(),
            agreements: Vec::new(),
            change_notices: Vec::new(),
            requests: Vec::new(),
            breaches: Vec::new(),
            retention_policies: Vec::new(),
            sweeps: Vec::new(),
            fulfilments: Vec::new(),
            notices_given: Vec::new(),
        }
    }

    /// Reads everything the agenda needs from `ledger` in `scope`, through the typed ledger
    /// ([`LedgerStoreExt`]): parties, activities, agreements, change notices, retention policies,
    /// every request and breach replayed from its events, the fulfilment and sweep journals, and
    /// the notices given ([`record_notice`](crate::fulfil::record_notice)).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the ledger fails; [`StoreError::Corrupt`] when a document,
    /// an event or a journal does not decode.
    pub async fn load<L: LedgerStore + ?Sized>(ledger: &L, scope: Scope) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::new(scope);
        snapshot.parties = values(ledger.all::<Party>(scope).await?);
        snapshot.activities = values(ledger.all::<ProcessingActivity>(scope).await?);
        snapshot.agreements = values(ledger.all::<ProcessingAgreement>(scope).await?);
        snapshot.change_notices = values(ledger.all::<ChangeNotice>(scope).await?);
        snapshot.retention_policies = values(ledger.all::<RetentionPolicy>(scope).await?);
        for id in ledger.ids::<Request>(scope).await? {
            snapshot.requests.push(ledger.fetch::<Request>(scope, id).await?.value);
        }
        for id in ledger.ids::<Breach>(scope).await? {
            snapshot.breaches.push(ledger.fetch::<Breach>(scope, id).await?.value);
        }
        for stored in ledger.list_documents(scope, DocumentKind::SweepJournal).await? {
            let (as_of, finished) = crate::fulfil::sweep_progress(stored.key, stored.body)?;
            let sweep = SweepId::from_uuid(stored.key.id);
            snapshot.sweeps.push(if finished {
                SweepRun::finished(sweep, as_of)
            } else {
                SweepRun::unfinished(sweep, as_of)
            });
        }
        for stored in ledger.list_documents(scope, DocumentKind::FulfilmentJournal).await? {
            let (operation, changed) = crate::fulfil::fulfilment_progress(stored.key, stored.body)?;
            let run = FulfilmentRun::new(RequestId::from_uuid(stored.key.id), operation);
            snapshot.fulfilments.push(if changed { run.with_changes() } else { run });
        }
        for stream in ledger.list_streams(scope, StreamKind::Notice).await? {
            snapshot.notices_given.extend(ledger.events::<NoticeRecord>(scope, stream).await?.value);
        }
        Ok(snapshot)
    }
}

fn values<T>(versioned: Vec<crate::store::Versioned<T>>) -> Vec<T> {
    versioned.into_iter().map(|v| v.value).collect()
}
