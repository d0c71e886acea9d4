//! What the agenda reads: one scope's ledger state, and the async loader that reads it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agreement::{ChangeNotice, ProcessingAgreement};
use crate::breach::Breach;
use crate::fulfil::{Operation, SweepId};
use crate::model::{Party, PartyId, ProcessingActivity, Text};
use crate::request::{Request, RequestId};
use crate::retention::RetentionPolicy;
use crate::store::{DocumentKind, LedgerStore, LedgerStoreExt, Scope, StoreError, StreamKey, StreamKind, Version};

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
/// let scope = Scope::controller(PartyId::generate());
/// let snapshot = Snapshot::load(&ledger, scope).await?;
/// assert_eq!(snapshot, Snapshot::new(scope));
/// let agenda = Agenda::build(&snapshot, chrono::Utc::now(), &AgendaOptions::new(DeadlinePolicy::czech()));
/// // An empty ledger owes nothing: no request, no breach, no record to complete.
/// assert!(agenda.obligations.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// The Art. 19 and Art. 18(3) notices given, as recorded by [`record_notice`].
    #[serde(default)]
    pub notices_given: Vec<NoticeGiven>,
}

/// A retention sweep as its journal leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct SweepRun {
    /// The sweep.
    pub sweep: SweepId,
    /// The instant whose expired records it erases: its first run's.
    pub as_of: DateTime<Utc>,
    /// Whether every source it journaled is done. A journal with no source yet is unfinished.
    pub finished: bool,
}

/// A fulfilment (erasure, rectification, restriction, ...) as its journal leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct FulfilmentRun {
    /// The job: the request's id when it carried a request out.
    pub job: Uuid,
    /// The operation.
    pub operation: Operation,
    /// Whether a completed step changed any record (erased, rectified, restricted...): Art. 19
    /// applies only then.
    pub changed: bool,
}

/// A notice given to close an Art. 19 or Art. 18(3) obligation, kept in the ledger as an
/// append-only stream per request ([`StreamKind::Notice`]) by [`record_notice`].
///
/// # Example
/// ```
/// use gdpr_obligations::agenda::{GivenNotice, NoticeGiven};
/// use gdpr_obligations::model::Text;
/// use gdpr_obligations::request::RequestId;
///
/// let told = NoticeGiven {
///     request: RequestId::generate(),
///     at: "2026-04-01T09:00:00Z".parse()?,
///     notice: GivenNotice::Recipient { recipient: Text::new("Mailer a.s.")?, party: None, exempt: None },
/// };
/// assert_eq!(told.notice.article().to_string(), "Art. 19");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct NoticeGiven {
    /// The request carried out.
    pub request: RequestId,
    /// When the notice was given.
    pub at: DateTime<Utc>,
    /// Which notice.
    #[serde(flatten)]
    pub notice: GivenNotice,
}

/// Which notice was given.
///
/// In JSON the variant is the `notice` field: `{"notice": "restriction_lifting"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "notice", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GivenNotice {
    /// Art. 19: a recipient was told of the rectification, erasure or restriction, or telling it
    /// proved impossible or would involve disproportionate effort (`exempt` says why).
    Recipient {
        /// The recipient, as the activities name it.
        recipient: Text,
        /// The recipient as a party, where it is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party: Option<PartyId>,
        /// Why it was not told, if it was not: impossible, or disproportionate effort.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exempt: Option<Text>,
    },
    /// Art. 18(3): the data subject was told before the restriction is lifted.
    RestrictionLifting,
}

impl GivenNotice {
    /// Art. 19 or Art. 18(3).
    pub const fn article(&self) -> crate::vocab::Article {
        match self {
            GivenNotice::Recipient { .. } => crate::vocab::Article::gdpr(19),
            GivenNotice::RestrictionLifting => crate::vocab::Article::gdpr(18).paragraph(3),
        }
    }
}

impl Snapshot {
    /// An empty snapshot of `scope`.
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
    /// the notices given ([`record_notice`]).
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
        for id in ledger.request_ids(scope).await? {
            snapshot.requests.push(ledger.request(scope, id).await?.value);
        }
        for id in ledger.breach_ids(scope).await? {
            snapshot.breaches.push(ledger.breach(scope, id).await?.value);
        }
        for stored in ledger.list_documents(scope, DocumentKind::SweepJournal).await? {
            let (as_of, finished) = crate::fulfil::sweep_progress(stored.key, stored.body)?;
            snapshot.sweeps.push(SweepRun { sweep: SweepId::from_uuid(stored.key.id), as_of, finished });
        }
        for stored in ledger.list_documents(scope, DocumentKind::FulfilmentJournal).await? {
            let (operation, changed) = crate::fulfil::fulfilment_progress(stored.key, stored.body)?;
            snapshot.fulfilments.push(FulfilmentRun { job: stored.key.id, operation, changed });
        }
        for stream in ledger.list_streams(scope, StreamKind::Notice).await? {
            snapshot.notices_given.extend(ledger.events::<NoticeGiven>(scope, stream).await?.value);
        }
        Ok(snapshot)
    }
}

/// Records in `ledger` that `notice` was given (Art. 19 to a recipient, or Art. 18(3) to the
/// data subject before a restriction is lifted), so that the agenda read by [`Snapshot::load`]
/// no longer lists it as owed. Notices are appended, never rewritten: they are the proof that
/// the duty was met (Art. 5(2)).
///
/// # Errors
/// [`StoreError::Conflict`] when another writer recorded a notice of the same request at the
/// same moment (record it again); the ledger's errors otherwise.
///
/// # Example
/// ```
/// use gdpr_obligations::agenda::{record_notice, GivenNotice, NoticeGiven, Snapshot};
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::request::RequestId;
/// use gdpr_obligations::store::{memory::MemoryLedger, Scope};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let ledger = MemoryLedger::new();
/// let scope = Scope::controller(PartyId::generate());
/// let told = NoticeGiven {
///     request: RequestId::generate(),
///     at: "2026-04-01T09:00:00Z".parse()?,
///     notice: GivenNotice::RestrictionLifting,
/// };
/// record_notice(&ledger, scope, &told).await?;
/// assert_eq!(Snapshot::load(&ledger, scope).await?.notices_given, vec![told]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn record_notice<L: LedgerStore + ?Sized>(
    ledger: &L,
    scope: Scope,
    notice: &NoticeGiven,
) -> Result<Version, StoreError> {
    let stream = StreamKey { kind: StreamKind::Notice, id: notice.request.as_uuid() };
    let current = ledger.events::<NoticeGiven>(scope, stream).await?.version;
    ledger.append(scope, stream, current, std::slice::from_ref(notice)).await
}

fn values<T>(versioned: Vec<crate::store::Versioned<T>>) -> Vec<T> {
    versioned.into_iter().map(|v| v.value).collect()
}
