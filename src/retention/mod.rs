//! Storage limitation (Art. 5(1)(e)) and legal holds (Art. 17(3)): how long each kind of
//! personal data is kept, when a record expires, and what must be kept regardless.
//!
//! Personal data are "kept in a form which permits identification of data subjects for no
//! longer than is necessary for the purposes for which the personal data are processed"
//! (Art. 5(1)(e)). A [`RetentionPolicy`] says how long that is for one purpose and one category
//! of data: a number of months from collection, or after an event such as the visitor's last
//! conversation. [`expiry`] computes when a record expires under a scope's policies. A
//! [`LegalHold`] keeps data past its expiry, and through a subject's erasure, on an Art. 17(3)
//! ground: [`apply_holds`] turns the active holds into the [`Retain`] entries of an
//! [`ErasurePolicy`], so that every erasure reports held records [`Outcome::Retained`].
//!
//! This module is pure: time comes in as an argument. The sweep that finds expired records in
//! the personal-data sources and erases them is [`fulfil::Sweep`](crate::fulfil::Sweep); the
//! policies and holds are stored in the ledger as documents
//! ([`LedgerStoreExt::put`](crate::store::LedgerStoreExt::put)).
//!
//! # Readings
//! - A period of months ends on the same date that many months later, at the same time of day
//!   (UTC), or on the last day of that month when the date does not exist ([`add_months`]). It
//!   is not rolled forward off weekends and holidays: storage limitation is a duty to stop
//!   keeping, and a roll would only keep data longer.
//! - A period after an event runs from the event, or from collection if that is later: a record
//!   never expires before it was collected. Until the event happens, the record does not expire.
//! - Data kept for several purposes are kept until the last applicable policy ends: a record of
//!   a category that two policies cover expires at the later of their expiries. A record of a
//!   category that no policy covers never expires (and is left to the controller to decide).
//! - **A hold's two articles.** Art. 17(3) lists exceptions to the *right to erasure*: its
//!   point is what an erasure answer gives for a held record ([`LegalHold::article`]). Keeping
//!   data past their retention period is processing of its own and needs its own purpose and
//!   Art. 6(1) basis (Arts. 5(1)(b), 6(1), recorded under Art. 30(1)(f) and told under
//!   Art. 13(2)(a)): [`LegalHold::retention_basis`], given with [`LegalHold::with_basis`] or,
//!   without it, read from the ground: a legal obligation is Art. 6(1)(c), legal claims and
//!   the other grounds the controller's legitimate interests (Art. 6(1)(f)), public health a
//!   task in the public interest (Art. 6(1)(e)).
//! - Expired data are left out of processing at once (the reference source does so in its
//!   processing queries) and erased by the next sweep; held data are kept, but stay out of
//!   processing other than for the hold's ground.
//!
//! # Example
//! ```
//! use chrono::{DateTime, Utc};
//! use gdpr_obligations::model::Text;
//! use gdpr_obligations::retention::{
//!     expiry, HoldTarget, LegalHold, RetentionEvent, RetentionPeriod, RetentionPolicy, Timeline,
//! };
//! use gdpr_obligations::erasure::RetentionGround;
//! use gdpr_obligations::vocab::{DataCategory, Purpose};
//!
//! // Chat transcripts are kept two years after the visitor's last conversation (Art. 5(1)(e)).
//! let period = RetentionPeriod::AfterEvent { event: RetentionEvent::LastContact, months: 24 };
//! let policy = RetentionPolicy::new(Purpose::CustomerCare, DataCategory::CommunicationContent, period)?;
//! let collected: DateTime<Utc> = "2024-02-29T10:00:00Z".parse()?;
//! let timeline = Timeline::new(collected, Some(collected));
//! let expires = expiry(&[policy], &DataCategory::CommunicationContent, &timeline);
//! assert_eq!(expires, Some("2026-02-28T10:00:00Z".parse()?));
//!
//! // A legal hold keeps one conversation through every sweep and erasure (Art. 17(3)(e)).
//! let hold = LegalHold::place(
//!     HoldTarget::Conversation { source: "chat_history".parse()?, prefix: "conversation/0190/".parse()? },
//!     Text::new("complaint 2026/14 about order 42")?,
//!     RetentionGround::LegalClaims { matter: Text::new("dispute 2026/14")? },
//!     collected,
//! )?;
//! assert_eq!(hold.article().to_string(), "Art. 17(3)(e)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[cfg(doc)]
use crate::erasure::Outcome;
use crate::erasure::{ErasurePolicy, RecordKey, Retain, RetentionGround};
use crate::model::{Invalid, SourceName, SubjectIdentifier, Text, typed_id};
use crate::time::add_months;
use crate::vocab::{Article, DataCategory, LegalBasis, Purpose};

typed_id!(
    /// Identifies a [`RetentionPolicy`].
    RetentionPolicyId
);
typed_id!(
    /// Identifies a [`LegalHold`].
    LegalHoldId
);

/// Art. 5(1)(e), storage limitation.
pub const STORAGE_LIMITATION: Article = Article::gdpr(5).paragraph(1).point('e');

/// An event after which a retention period runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RetentionEvent {
    /// The subject's last contact with the controller as the source knows it: for a chat, the
    /// visitor's last conversation (the latest message or join in any conversation they take
    /// part in). A message runs from the last contact of the latest of its conversation's
    /// visitors, so that a conversation is kept whole while any of them keeps coming back;
    /// every other record from its own subject's.
    LastContact,
}

/// How long data are kept (Art. 5(1)(e)).
///
/// In JSON: `{"kind": "after_event", "event": "last_contact", "months": 24}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RetentionPeriod {
    /// A fixed number of months from collection.
    FromCollection {
        /// Months, at least one.
        #[schemars(range(min = 1))]
        months: u16,
    },
    /// A number of months after an event, e.g. two years after the visitor's last conversation.
    AfterEvent {
        /// The event.
        event: RetentionEvent,
        /// Months, at least one.
        #[schemars(range(min = 1))]
        months: u16,
    },
}

impl RetentionPeriod {
    /// The length in months.
    #[must_use]
    pub const fn months(&self) -> u16 {
        match self {
            RetentionPeriod::FromCollection { months } | RetentionPeriod::AfterEvent { months, .. } => *months,
        }
    }

    /// The event it runs after, if any.
    #[must_use]
    pub const fn event(&self) -> Option<RetentionEvent> {
        match self {
            RetentionPeriod::FromCollection { .. } => None,
            RetentionPeriod::AfterEvent { event, .. } => Some(*event),
        }
    }

    /// When a record with `timeline` expires under this period (Art. 5(1)(e)): `months` after
    /// collection, or after the event (or collection, if later). `None` when it does not
    /// expire: the event has not happened, or the end is past the supported date range.
    ///
    /// Never before collection.
    #[must_use]
    pub fn expires_at(&self, timeline: &Timeline) -> Option<DateTime<Utc>> {
        let start = match self.event() {
            None => timeline.collected_at,
            Some(event) => timeline.event(event)?.max(timeline.collected_at),
        };
        let date = add_months(start.date_naive(), u32::from(self.months()))?;
        Some(NaiveDateTime::new(date, start.time()).and_utc())
    }
}

/// What a source knows about when a record's periods start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeline {
    collected_at: DateTime<Utc>,
    last_contact: Option<DateTime<Utc>>,
}

impl Timeline {
    /// A record collected at `collected_at` whose subject was last in contact at `last_contact`
    /// (`None` when the source does not know).
    #[must_use]
    pub const fn new(collected_at: DateTime<Utc>, last_contact: Option<DateTime<Utc>>) -> Self {
        Self { collected_at, last_contact }
    }

    /// When the record was collected.
    #[must_use]
    pub const fn collected_at(&self) -> DateTime<Utc> {
        self.collected_at
    }

    /// When `event` happened, if it has.
    #[must_use]
    pub const fn event(&self, event: RetentionEvent) -> Option<DateTime<Utc>> {
        match event {
            RetentionEvent::LastContact => self.last_contact,
        }
    }
}

/// How long one category of personal data is kept for one purpose (Art. 5(1)(e); stated in the
/// Art. 13(2)(a) notice and the Art. 30(1)(f) records).
///
/// # Example
/// ```
/// use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
/// use gdpr_obligations::vocab::{DataCategory, Purpose};
///
/// let ips = RetentionPolicy::new(
///     Purpose::Security,
///     DataCategory::OnlineIdentifier,
///     RetentionPeriod::FromCollection { months: 6 },
/// )?;
/// assert_eq!(ips.period().months(), 6);
/// let never = RetentionPeriod::FromCollection { months: 0 };
/// assert!(RetentionPolicy::new(Purpose::Security, DataCategory::OnlineIdentifier, never).is_err());
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<RetentionPolicyRepr>")]
pub struct RetentionPolicy {
    id: RetentionPolicyId,
    purpose: Purpose,
    category: DataCategory,
    period: RetentionPeriod,
}

#[derive(Deserialize, JsonSchema)]
struct RetentionPolicyRepr {
    id: RetentionPolicyId,
    purpose: Purpose,
    category: DataCategory,
    period: RetentionPeriod,
}

crate::vocab::try_from_object!(RetentionPolicy, RetentionPolicyRepr);

impl TryFrom<RetentionPolicyRepr> for RetentionPolicy {
    type Error = Invalid;
    fn try_from(r: RetentionPolicyRepr) -> Result<Self, Invalid> {
        Self::with_id(r.id, r.purpose, r.category, r.period)
    }
}

impl RetentionPolicy {
    /// A new policy with a fresh id.
    ///
    /// # Errors
    /// [`Invalid`] under Art. 5(1)(e) when the period is zero months.
    pub fn new(purpose: Purpose, category: DataCategory, period: RetentionPeriod) -> Result<Self, Invalid> {
        Self::with_id(RetentionPolicyId::generate(), purpose, category, period)
    }

    /// A policy with a known id, e.g. one read from storage.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_id(
        id: RetentionPolicyId,
        purpose: Purpose,
        category: DataCategory,
        period: RetentionPeriod,
    ) -> Result<Self, Invalid> {
        if period.months() == 0 {
            return Err(
                Invalid::new("period.months", "a retention period is at least one month").under(STORAGE_LIMITATION)
            );
        }
        Ok(Self { id, purpose, category, period })
    }

    /// The id.
    #[must_use]
    pub const fn id(&self) -> RetentionPolicyId {
        self.id
    }

    /// The purpose the data are kept for.
    #[must_use]
    pub fn purpose(&self) -> &Purpose {
        &self.purpose
    }

    /// The category of data it covers.
    #[must_use]
    pub fn category(&self) -> &DataCategory {
        &self.category
    }

    /// The period.
    #[must_use]
    pub const fn period(&self) -> RetentionPeriod {
        self.period
    }

    /// Art. 5(1)(e).
    #[must_use]
    pub const fn article(&self) -> Article {
        STORAGE_LIMITATION
    }

    /// When a record of this policy's category with `timeline` expires under it; see
    /// [`RetentionPeriod::expires_at`].
    #[must_use]
    pub fn expires_at(&self, timeline: &Timeline) -> Option<DateTime<Utc>> {
        self.period.expires_at(timeline)
    }
}

/// When a record of `category` with `timeline` expires under `policies` (Art. 5(1)(e)): the
/// latest expiry among the policies for its category, as data kept for several purposes are
/// kept while any of them still needs them. `None` when it does not expire: no policy covers
/// the category, or one of them does not let it expire yet ([`RetentionPeriod::expires_at`]).
///
/// Never before collection.
#[must_use]
pub fn expiry(policies: &[RetentionPolicy], category: &DataCategory, timeline: &Timeline) -> Option<DateTime<Utc>> {
    let mut latest: Option<DateTime<Utc>> = None;
    for policy in policies.iter().filter(|p| p.category() == category) {
        let at = policy.expires_at(timeline)?;
        latest = Some(latest.map_or(at, |l| l.max(at)));
    }
    latest
}

/// Whether a record of `category` with `timeline` has expired at `now` under `policies`: its
/// [`expiry`] is at or before `now`.
#[must_use]
pub fn is_expired(
    policies: &[RetentionPolicy],
    category: &DataCategory,
    timeline: &Timeline,
    now: DateTime<Utc>,
) -> bool {
    expiry(policies, category, timeline).is_some_and(|at| at <= now)
}

/// What a [`LegalHold`] covers.
///
/// In JSON: `{"kind": "conversation", "source": "chat_history", "prefix": "conversation/0190…/"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum HoldTarget {
    /// One record of one source.
    Record {
        /// The source.
        source: SourceName,
        /// The record's key (not ending in `/`).
        record: RecordKey,
    },
    /// Every record of one source whose key starts with a prefix ending in `/`, e.g. a whole
    /// conversation (`conversation/<conversation>/` in `chat_history`).
    Conversation {
        /// The source.
        source: SourceName,
        /// The prefix, ending in `/`.
        prefix: RecordKey,
    },
    /// Every record of a data subject in every source, found by any of the identifiers (which
    /// the hold therefore keeps: finding the subject's data in each source takes them).
    Subject {
        /// The subject's identifiers, at least one.
        identifiers: Vec<SubjectIdentifier>,
    },
    /// Everything of the controller, in every source.
    Controller,
}

/// A legal hold: data kept past their expiry and through erasures, on an Art. 17(3) ground,
/// usually the establishment, exercise or defence of legal claims (point (e)).
///
/// Held data are never swept or erased, and every erasure reports them
/// [`Outcome::Retained`] with the hold's ground. Keeping them past their retention period is
/// processing on the hold's own purpose and Art. 6(1) basis ([`retention_basis`](Self::retention_basis)).
/// A hold is active from when it was placed until it is released.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<LegalHoldRepr>")]
pub struct LegalHold {
    id: LegalHoldId,
    target: HoldTarget,
    reason: Text,
    ground: RetentionGround,
    placed_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    released_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basis: Option<HoldBasis>,
}

#[derive(Deserialize, JsonSchema)]
struct LegalHoldRepr {
    id: LegalHoldId,
    target: HoldTarget,
    reason: Text,
    ground: RetentionGround,
    placed_at: DateTime<Utc>,
    #[serde(default)]
    released_at: Option<DateTime<Utc>>,
    #[serde(default)]
    basis: Option<HoldBasis>,
}

/// The purpose and Art. 6(1) basis of keeping held data past their retention period
/// (Arts. 5(1)(b), 6(1); recorded under Art. 30(1)(f), told under Art. 13(2)(a)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HoldBasis {
    /// The basis, e.g. Art. 6(1)(c) for a statutory retention duty, 6(1)(f) for defending a claim.
    pub basis: LegalBasis,
    /// The purpose of keeping the data, e.g. "defence of the claim in dispute 2026/14".
    pub purpose: Text,
}

impl HoldBasis {
    /// Keeping held data for `purpose` on `basis`.
    #[must_use]
    pub fn new(basis: LegalBasis, purpose: Text) -> Self {
        Self { basis, purpose }
    }

    /// The point of Art. 6(1).
    #[must_use]
    pub const fn article(&self) -> Article {
        self.basis.article()
    }
}

crate::vocab::try_from_object!(LegalHold, LegalHoldRepr);

impl TryFrom<LegalHoldRepr> for LegalHold {
    type Error = Invalid;
    fn try_from(r: LegalHoldRepr) -> Result<Self, Invalid> {
        check_target(&r.target)?;
        let hold = LegalHold {
            id: r.id,
            target: r.target,
            reason: r.reason,
            ground: r.ground,
            placed_at: r.placed_at,
            released_at: None,
            basis: None,
        };
        let hold = match r.basis {
            Some(basis) => hold.with_basis(basis)?,
            None => hold,
        };
        match r.released_at {
            Some(at) => hold.release(at),
            None => Ok(hold),
        }
    }
}

fn check_target(target: &HoldTarget) -> Result<(), Invalid> {
    let art = Article::gdpr(17).paragraph(3);
    match target {
        HoldTarget::Record { record, .. } if record.is_prefix() => {
            Err(Invalid::new("target.record", "a record key does not end in `/`").under(art))
        }
        HoldTarget::Conversation { prefix, .. } if prefix.as_str().len() < 2 || !prefix.is_prefix() => {
            Err(Invalid::new("target.prefix", "a prefix ends in `/` after at least one character").under(art))
        }
        HoldTarget::Subject { identifiers } if identifiers.is_empty() => {
            Err(Invalid::new("target.identifiers", "a hold on a subject names at least one identifier").under(art))
        }
        _ => Ok(()),
    }
}

impl LegalHold {
    /// Places a hold at `at`.
    ///
    /// # Errors
    /// [`Invalid`] (Art. 17(3)) when a record key ends in `/`, a prefix does not end in `/`, or
    /// a hold on a subject names no identifier.
    pub fn place(
        target: HoldTarget,
        reason: Text,
        ground: RetentionGround,
        at: DateTime<Utc>,
    ) -> Result<Self, Invalid> {
        check_target(&target)?;
        Ok(Self { id: LegalHoldId::generate(), target, reason, ground, placed_at: at, released_at: None, basis: None })
    }

    /// The same hold, keeping its data past their retention period for `basis`'s purpose on its
    /// Art. 6(1) basis, in place of the basis read from the ground.
    ///
    /// # Errors
    /// [`Invalid`] under Art. 6(1) when the basis is consent: a hold keeps data whatever the
    /// data subject wants, and consent can be withdrawn at any time (Art. 7(3)).
    pub fn with_basis(mut self, basis: HoldBasis) -> Result<Self, Invalid> {
        if basis.basis == LegalBasis::Consent {
            return Err(Invalid::new(
                "basis.basis",
                "a legal hold keeps data whatever the data subject wants; it cannot rest on consent",
            )
            .under(Article::gdpr(6).paragraph(1)));
        }
        self.basis = Some(basis);
        Ok(self)
    }

    /// Why the held data may still be processed after their retention period ends: the purpose
    /// and Art. 6(1) basis given with [`with_basis`](Self::with_basis), or else the one the
    /// ground implies: a legal obligation under Art. 6(1)(c); public health under Art. 6(1)(e);
    /// legal claims, freedom of expression and archiving or research under the controller's
    /// legitimate interests, Art. 6(1)(f). This, not the Art. 17(3) point, is what the records
    /// of processing (Art. 30(1)(f)) and the notice (Art. 13(2)(a)) state for the retention.
    #[must_use]
    pub fn retention_basis(&self) -> HoldBasis {
        if let Some(basis) = &self.basis {
            return basis.clone();
        }
        let (basis, purpose) = match &self.ground {
            RetentionGround::LegalObligation { law } => {
                (LegalBasis::LegalObligation, format!("compliance with a legal obligation: {law}"))
            }
            RetentionGround::LegalClaims { matter } => (
                LegalBasis::LegitimateInterests,
                format!("establishment, exercise or defence of legal claims: {matter}"),
            ),
            RetentionGround::PublicHealth => {
                (LegalBasis::PublicTask, "reasons of public interest in the area of public health".to_owned())
            }
            RetentionGround::ArchivingResearchStatistics => (
                LegalBasis::LegitimateInterests,
                "archiving, scientific or historical research or statistics under Art. 89(1)".to_owned(),
            ),
            RetentionGround::FreedomOfExpression => (
                LegalBasis::LegitimateInterests,
                "exercising the right of freedom of expression and information".to_owned(),
            ),
        };
        let purpose = Text::new(&purpose).unwrap_or_else(|_| self.reason.clone());
        HoldBasis { basis, purpose }
    }

    /// Releases the hold at `at`: from then on, what it held expires and is erased as usual.
    ///
    /// # Errors
    /// [`Invalid`] when the hold is already released, or `at` is before it was placed.
    pub fn release(mut self, at: DateTime<Utc>) -> Result<Self, Invalid> {
        if self.released_at.is_some() {
            return Err(Invalid::new("released_at", "the hold is already released"));
        }
        if at < self.placed_at {
            return Err(Invalid::new("released_at", "a hold is released after it is placed"));
        }
        self.released_at = Some(at);
        Ok(self)
    }

    /// The id.
    #[must_use]
    pub const fn id(&self) -> LegalHoldId {
        self.id
    }

    /// What it covers.
    #[must_use]
    pub fn target(&self) -> &HoldTarget {
        &self.target
    }

    /// Why, e.g. "complaint 2026/14 about order 42".
    #[must_use]
    pub fn reason(&self) -> &Text {
        &self.reason
    }

    /// The Art. 17(3) ground.
    #[must_use]
    pub fn ground(&self) -> &RetentionGround {
        &self.ground
    }

    /// The point of Art. 17(3): the exception to the right to erasure an erasure answer gives
    /// for a held record. For keeping the data past their retention period, see
    /// [`retention_basis`](Self::retention_basis).
    #[must_use]
    pub const fn article(&self) -> Article {
        self.ground.article()
    }

    /// When it was placed.
    #[must_use]
    pub const fn placed_at(&self) -> DateTime<Utc> {
        self.placed_at
    }

    /// When it was released, if it was.
    #[must_use]
    pub const fn released_at(&self) -> Option<DateTime<Utc>> {
        self.released_at
    }

    /// Whether it holds at `at`: placed at or before, and not released at or before.
    #[must_use]
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        self.placed_at <= at && self.released_at.is_none_or(|r| at < r)
    }
}

/// The records that holds on subjects and on the whole controller cover in one source: what
/// only the source can tell. Built by the sweep and by the subject-erasure helper
/// ([`fulfil::policy_with_holds`](crate::fulfil::policy_with_holds)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeldRecords {
    /// For each hold on a subject, the subject's records found in the source.
    pub subjects: BTreeMap<LegalHoldId, BTreeSet<RecordKey>>,
    /// The records an erasure is about to touch, which a hold on the controller keeps.
    pub at_stake: BTreeSet<RecordKey>,
}

/// `base` with a [`Retain`] entry for everything the holds active at `at` cover in `source`
/// (Art. 17(3)), ahead of `base`'s own entries so that a held record reports the hold's
/// ground. Holds on records and conversations become one entry each (holds on other sources
/// none); holds on subjects one entry per record in `held.subjects`; a hold on the controller
/// one entry per record in `held.at_stake`.
#[must_use]
pub fn apply_holds(
    base: &ErasurePolicy,
    holds: &[LegalHold],
    at: DateTime<Utc>,
    source: &SourceName,
    held: &HeldRecords,
) -> ErasurePolicy {
    let mut retain: Vec<Retain> = Vec::new();
    let mut push = |records: &RecordKey, ground: &RetentionGround| {
        if !retain.iter().any(|r| &r.records == records) {
            retain.push(Retain { records: records.clone(), ground: ground.clone() });
        }
    };
    for hold in holds.iter().filter(|h| h.is_active(at)) {
        match &hold.target {
            HoldTarget::Record { source: s, record } if s == source => push(record, &hold.ground),
            HoldTarget::Conversation { source: s, prefix } if s == source => push(prefix, &hold.ground),
            HoldTarget::Record { .. } | HoldTarget::Conversation { .. } => {}
            HoldTarget::Subject { .. } => {
                for record in held.subjects.get(&hold.id).into_iter().flatten() {
                    push(record, &hold.ground);
                }
            }
            HoldTarget::Controller => {
                for record in &held.at_stake {
                    push(record, &hold.ground);
                }
            }
        }
    }
    retain.extend(base.retain.iter().cloned());
    ErasurePolicy { messages: base.messages, retain }
}
