//! The state of a request, and `evolve`: how an event changes it.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    CarriedOut, Channel, Command, ComplaintInformation, Event, ExtensionJustification, FeeGround, Receipt, Receiver,
    RefusalGround, Rejection, Reply, RequestId, RequestKind, WithheldNotice,
};
use crate::model::{SubjectId, Text};
use crate::time::{Deadline, IdentityPauseSpan, RequestDeadlines, receipt_date};

crate::vocab::object_struct! {
/// One data-subject request, as its events left it: what was asked, where it stands, what is
/// known about the requester's identity, and its deadlines.
///
/// Build it with [`Request::replay`] from the events; change it only through [`decide`] and
/// [`evolve`]. A `Request` read from JSON is a snapshot: the events stay the record, and
/// replaying them is what a store should trust.
///
/// # Example
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use gdpr_obligations::model::{PartyId, Text};
/// use gdpr_obligations::request::{
///     Channel, Command, ComplaintInformation, Processing, Receipt, Request, RequestKind, StatusName, decide,
/// };
/// use gdpr_obligations::time::DeadlinePolicy;
/// use gdpr_obligations::vocab::{LegalBasis, Purpose};
///
/// let at: DateTime<Utc> = "2025-03-05T09:00:00Z".parse()?;
/// let receipt = Receipt::new(
///     PartyId::generate(),
///     at,
///     RequestKind::Access,
///     Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
///     Channel::Chat,
///     DeadlinePolicy::czech(),
///     ComplaintInformation::new(
///         Text::new("Úřad pro ochranu osobních údajů")?,
///         Text::new("an action before a court under Art. 79 GDPR")?,
///     ),
/// );
/// let events = decide(None, &Command::Receive(Box::new(receipt)))?;
/// let request = Request::replay(&events).expect("a received request");
/// assert_eq!(request.status().name(), StatusName::Open);
/// // 5 April 2025 is a Saturday: the month ends on Monday 7 April.
/// let due = request.deadlines().expect("the clock runs").due();
/// assert_eq!(due.date(), NaiveDate::from_ymd_opt(2025, 4, 7).unwrap());
/// assert!(!request.is_overdue(at));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`decide`]: super::decide
/// [`evolve`]: super::evolve
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Request {
    /// Everything known at receipt.
    receipt: Receipt,
    /// When the processor forwarded the request to the controller, if it did.
    forwarded_at: Option<DateTime<Utc>>,
    /// What is known about the requester's identity.
    identity: Identity,
    /// The completed identity pauses, in the controller's local dates.
    pauses: Vec<IdentityPauseSpan>,
    /// The extension, if the period was extended.
    extension: Option<Extension>,
    /// Where the request stands.
    status: Status,
    /// When carrying the request out started, if it did: a pause (identity, clarification, fee)
    /// asked for while in progress returns the request to `in_progress`, not to `open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started_at: Option<DateTime<Utc>>,
    /// What carrying the request out came to, the last time it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    carried_out: Option<CarriedOut>,
    /// The number of events applied, `Received` included: the version a store compares and swaps.
    version: u64,
    /// The instant of the latest event; later commands may not be earlier.
    last_event_at: DateTime<Utc>,
}
}

/// Where a request stands. Each state carries what is specific to it.
///
/// In JSON the variant is the `state` field: `{"state": "in_progress", "since": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// A processor holds the request and must forward it (Art. 28(3)(e)).
    AwaitingForwarding,
    /// With the controller, nothing pending from the data subject.
    Open,
    /// Waiting for the data subject to provide identity information (Art. 12(6)).
    AwaitingIdentity {
        /// When it was asked for.
        since: DateTime<Utc>,
    },
    /// Waiting for the data subject to specify the request (Recital 63).
    AwaitingClarification {
        /// When it was asked.
        since: DateTime<Utc>,
        /// The question.
        question: Text,
    },
    /// Waiting for a fee (Art. 12(5)(a), 15(3)).
    AwaitingFee {
        /// When it was asked for.
        since: DateTime<Utc>,
        /// Why.
        ground: FeeGround,
        /// How much.
        amount: Text,
    },
    /// Being carried out.
    InProgress {
        /// Since when.
        since: DateTime<Utc>,
    },
    /// Carried out, and the data subject informed (Art. 12(3)).
    Completed {
        /// When.
        at: DateTime<Utc>,
        /// What was done.
        summary: Text,
        /// What was withheld from the copy under Art. 15(4) or 20(4), with the reasons and the
        /// complaint and judicial-remedy information for the withheld part (Art. 12(4)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withheld: Option<WithheldNotice>,
        /// How the answer reached the data subject (Art. 12(3), last sentence); absent only in
        /// records made before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// Refused, with the reasons and the complaint information (Art. 12(4)).
    Refused {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        ground: RefusalGround,
        /// What the data subject was told about complaints and judicial remedies.
        complaint: ComplaintInformation,
        /// How the refusal reached the data subject (Art. 12(3), last sentence); absent only in
        /// records made before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// Withdrawn by the data subject.
    Withdrawn {
        /// When.
        at: DateTime<Utc>,
    },
}

/// The name of a [`Status`], and `New` for a request with no event yet: what a [`Rejection`]
/// says the request was in and needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[expect(missing_docs, reason = "each variant names the `Status` variant of the same name")]
pub enum StatusName {
    /// No event yet: only `receive` applies.
    New,
    AwaitingForwarding,
    Open,
    AwaitingIdentity,
    AwaitingClarification,
    AwaitingFee,
    InProgress,
    Completed,
    Refused,
    Withdrawn,
}

/// What is known about the requester's identity (Art. 12(6), 11(2)).
///
/// In JSON the variant is the `identity` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "identity", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Identity {
    /// Nothing checked yet.
    Unchecked,
    /// The data subject provided information; not yet verified.
    Provided {
        /// When.
        at: DateTime<Utc>,
    },
    /// Verified: the requester is this data subject.
    Verified {
        /// When.
        at: DateTime<Utc>,
        /// The data subject.
        subject: SubjectId,
    },
    /// The controller recorded that verification is unnecessary, and why.
    NotRequired {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: Text,
    },
    /// Verification failed after the identity information was asked for (Art. 12(2), 12(6)).
    Failed {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: Text,
    },
}

/// An extension of the Art. 12(3) period, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Extension {
    /// When it was decided and the data subject notified.
    pub at: DateTime<Utc>,
    /// The reasons given.
    pub justification: ExtensionJustification,
    /// How the notice reached the data subject.
    pub notified_via: Channel,
}

/// Applies one event to the state of a request: `None` until `Received`. It follows the events
/// without checking them (that is [`decide`](super::decide)'s job) and never fails: an event that
/// cannot apply, such as a second `Received`, leaves the state as it was.
#[must_use]
pub fn evolve(state: Option<Request>, event: &Event) -> Option<Request> {
    match (state, event) {
        (None, Event::Received(receipt)) => Some(Request::received(receipt)),
        (None, _) => None,
        (Some(request), event) => Some(request.evolve(event)),
    }
}

impl Request {
    /// The state the events leave, or `None` if they hold no `Received`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Request> {
        events.into_iter().fold(None, evolve)
    }

    /// The events `command` causes, or why it is rejected: [`decide`](super::decide) on this
    /// request.
    ///
    /// # Errors
    /// A [`Rejection`] naming the state, the command and, where a rule of the Regulation is
    /// behind it, the article.
    pub fn decide(&self, command: &Command) -> Result<Vec<Event>, Rejection> {
        super::decide(Some(self), command)
    }

    /// This request after `event` (see [`evolve`]).
    #[must_use]
    pub fn evolve(mut self, event: &Event) -> Request {
        if matches!(event, Event::Received(_)) {
            return self;
        }
        let at = event.at();
        self.version += 1;
        self.last_event_at = self.last_event_at.max(at);
        match event {
            Event::Received(_) => {}
            Event::ForwardedToController { at } => {
                self.forwarded_at = Some(*at);
                if self.status == Status::AwaitingForwarding {
                    self.status = Status::Open;
                }
            }
            Event::IdentityRequested { at, .. } => self.status = Status::AwaitingIdentity { since: *at },
            Event::IdentityProvided { at } => {
                self.close_pause(*at);
                self.identity = Identity::Provided { at: *at };
            }
            Event::IdentityVerified { at, subject } => {
                self.identity = Identity::Verified { at: *at, subject: *subject };
            }
            Event::IdentityFailed { at, reason } => {
                self.close_pause(*at);
                self.identity = Identity::Failed { at: *at, reason: reason.clone() };
            }
            Event::VerificationWaived { at, reason } => {
                self.identity = Identity::NotRequired { at: *at, reason: reason.clone() };
            }
            Event::ClarificationRequested { at, question } => {
                self.status = Status::AwaitingClarification { since: *at, question: question.clone() };
            }
            Event::ClarificationProvided { .. } | Event::FeePaid { .. } => self.status = self.resumed(),
            Event::FeeRequested { at, ground, amount, .. } => {
                self.status = Status::AwaitingFee { since: *at, ground: *ground, amount: amount.clone() };
            }
            Event::Extended { at, justification, notified_via } => {
                self.extension =
                    Some(Extension { at: *at, justification: justification.clone(), notified_via: *notified_via });
            }
            Event::Refused { at, ground, complaint, reply } => {
                self.status =
                    Status::Refused { at: *at, ground: ground.clone(), complaint: complaint.clone(), reply: *reply };
            }
            Event::Started { at } => {
                self.started_at = Some(*at);
                self.status = Status::InProgress { since: *at };
            }
            Event::CarriedOut { outcome, .. } => self.carried_out = Some(outcome.clone()),
            Event::Completed { at, summary, withheld, reply } => {
                self.status =
                    Status::Completed { at: *at, summary: summary.clone(), withheld: withheld.clone(), reply: *reply }
            }
            Event::Withdrawn { at } => self.status = Status::Withdrawn { at: *at },
        }
        self
    }

    pub(super) fn received(receipt: &Receipt) -> Request {
        let status = match receipt.receiver {
            Receiver::Controller => Status::Open,
            Receiver::Processor { .. } => Status::AwaitingForwarding,
        };
        Request {
            receipt: receipt.clone(),
            forwarded_at: None,
            carried_out: None,
            identity: Identity::Unchecked,
            pauses: Vec::new(),
            extension: None,
            status,
            started_at: None,
            version: 1,
            last_event_at: receipt.at,
        }
    }

    /// Ends a pending identity request at `at`: the pause becomes a span and the request goes
    /// back to where it was ([`resumed`](Self::resumed)).
    fn close_pause(&mut self, at: DateTime<Utc>) {
        if let Status::AwaitingIdentity { since } = self.status {
            if let Some(span) = self.pause_span(since, at) {
                self.pauses.push(span);
            }
            self.status = self.resumed();
        }
    }

    /// The status after a pause ends: in progress again if carrying the request out had started,
    /// open otherwise.
    fn resumed(&self) -> Status {
        match self.started_at {
            Some(since) => Status::InProgress { since },
            None => Status::Open,
        }
    }

    /// The pause from `since` to `until`, in the controller's local dates.
    pub(super) fn pause_span(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Option<IdentityPauseSpan> {
        let zone = self.receipt.policy.zone();
        let (from, to) = (receipt_date(since, zone).ok()?, receipt_date(until, zone).ok()?);
        IdentityPauseSpan::new(from, to).ok()
    }

    /// When carrying the request out started, if it did: the request returns there after a pause.
    #[must_use]
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        self.started_at
    }

    /// The request's id.
    #[must_use]
    pub fn id(&self) -> RequestId {
        self.receipt.id
    }

    /// Everything known at receipt.
    #[must_use]
    pub fn receipt(&self) -> &Receipt {
        &self.receipt
    }

    /// What is asked.
    #[must_use]
    pub fn kind(&self) -> &RequestKind {
        &self.receipt.kind
    }

    /// Whether the request is in substance a withdrawal of consent (Art. 7(3)): a consent
    /// withdrawal, or an objection on particular-situation grounds to consent-based processing
    /// ([`RequestKind::withdraws_consent`]). The controller stops the processing the consent
    /// covered (see `consent::Consent::withdraw`).
    #[must_use]
    pub fn withdraws_consent(&self) -> bool {
        self.receipt.kind.withdraws_consent(&self.receipt.processing)
    }

    /// Whether the request is due at receipt: an objection to direct marketing (Art. 21(3)) or a
    /// withdrawal of consent, also one made as an objection (Art. 7(3)). The obligation is to stop
    /// processing for that purpose at once; it cannot be extended (Art. 12(3)) or charged a fee
    /// (Art. 12(5)(a), Recital 70).
    #[must_use]
    pub fn is_due_at_receipt(&self) -> bool {
        self.receipt.kind.is_due_at_receipt() || self.withdraws_consent()
    }

    /// Where the request stands.
    #[must_use]
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// What is known about the requester's identity.
    #[must_use]
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// What carrying the request out came to, the last time it was recorded: complete, or with
    /// the sources that failed. `None` until it is recorded.
    #[must_use]
    pub fn carried_out(&self) -> Option<&CarriedOut> {
        self.carried_out.as_ref()
    }

    /// The extension, if the period was extended (Art. 12(3)).
    #[must_use]
    pub fn extension(&self) -> Option<&Extension> {
        self.extension.as_ref()
    }

    /// When the processor forwarded the request, if it did (Art. 28(3)(e)).
    #[must_use]
    pub fn forwarded_at(&self) -> Option<DateTime<Utc>> {
        self.forwarded_at
    }

    /// The completed identity pauses.
    #[must_use]
    pub fn pauses(&self) -> &[IdentityPauseSpan] {
        &self.pauses
    }

    /// The number of events applied, `Received` included.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The instant of the latest event.
    #[must_use]
    pub fn last_event_at(&self) -> DateTime<Utc> {
        self.last_event_at
    }

    /// The instant from which the controller's month runs (Art. 12(3)): the receipt, whether by
    /// the controller or by its processor. A request is received when it reaches any of the
    /// controller's channels, its processor included (EDPB Guidelines 01/2022 §159), and a
    /// processing agreement cannot shorten the data subject's period, so forwarding never
    /// restarts it. Always `Some`.
    #[must_use]
    pub fn clock_start(&self) -> Option<DateTime<Utc>> {
        Some(self.receipt.at)
    }

    /// The Art. 12(3) deadlines with the identity pauses completed so far, under the policy
    /// carried in the receipt. `None` while the clock has not started, or if a date leaves the
    /// supported range (which [`decide`](super::decide) never lets happen).
    #[must_use]
    pub fn deadlines(&self) -> Option<RequestDeadlines> {
        self.deadlines_with(&self.pauses)
    }

    /// The deadlines as they stand at `now`: like [`deadlines`](Self::deadlines), but a pending
    /// identity request counts as a pause up to `now`, so that under
    /// [`IdentityPause::Pause`](crate::time::IdentityPause::Pause) the clock stands still while
    /// the controller waits.
    #[must_use]
    pub fn deadlines_at(&self, now: DateTime<Utc>) -> Option<RequestDeadlines> {
        match self.status {
            Status::AwaitingIdentity { since } if now >= since => {
                let mut pauses = self.pauses.clone();
                pauses.extend(self.pause_span(since, now));
                self.deadlines_with(&pauses)
            }
            _ => self.deadlines(),
        }
    }

    pub(super) fn deadlines_with(&self, pauses: &[IdentityPauseSpan]) -> Option<RequestDeadlines> {
        self.receipt.policy.request_deadlines_with_pauses(self.clock_start()?, pauses).ok()
    }

    /// The deadline that applies at `now`: the extended one once extended, the one-month one
    /// otherwise (Art. 12(3)).
    #[must_use]
    pub fn current_deadline(&self, now: DateTime<Utc>) -> Option<Deadline> {
        let deadlines = self.deadlines_at(now)?;
        Some(if self.extension.is_some() { deadlines.extended_due() } else { deadlines.due() })
    }

    /// Whether the request is still unanswered when its current deadline has passed. A closed
    /// request is never overdue; see [`answered_in_time`](Self::answered_in_time).
    #[must_use]
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        !self.is_closed() && self.current_deadline(now).is_some_and(|d| d.is_overdue(now))
    }

    /// The time left at `now` until the current deadline (negative once overdue); `None` when the
    /// request is closed or its clock has not started.
    #[must_use]
    pub fn time_left(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        if self.is_closed() {
            return None;
        }
        self.current_deadline(now).map(|d| d.time_left(now))
    }

    /// Whether the request is completed, refused or withdrawn.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        matches!(self.status, Status::Completed { .. } | Status::Refused { .. } | Status::Withdrawn { .. })
    }

    /// For a completed or refused request, whether the data subject was answered before the
    /// deadline that applied; `None` while open or once withdrawn. A completion is measured
    /// against the extended deadline once extended (Art. 12(3)); a refusal always against the
    /// month from receipt, whatever the extension, because the reasons for not taking action are
    /// given "at the latest within one month of receipt" (Art. 12(4)).
    #[must_use]
    pub fn answered_in_time(&self) -> Option<bool> {
        match self.status {
            Status::Completed { at, .. } => Some(!self.current_deadline(at)?.is_overdue(at)),
            Status::Refused { at, .. } => Some(!self.deadlines_at(at)?.due().is_overdue(at)),
            _ => None,
        }
    }
}

impl Status {
    /// The state's name.
    #[must_use]
    pub fn name(&self) -> StatusName {
        match self {
            Status::AwaitingForwarding => StatusName::AwaitingForwarding,
            Status::Open => StatusName::Open,
            Status::AwaitingIdentity { .. } => StatusName::AwaitingIdentity,
            Status::AwaitingClarification { .. } => StatusName::AwaitingClarification,
            Status::AwaitingFee { .. } => StatusName::AwaitingFee,
            Status::InProgress { .. } => StatusName::InProgress,
            Status::Completed { .. } => StatusName::Completed,
            Status::Refused { .. } => StatusName::Refused,
            Status::Withdrawn { .. } => StatusName::Withdrawn,
        }
    }
}

impl StatusName {
    /// The name as in JSON, e.g. `awaiting_identity`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            StatusName::New => "new",
            StatusName::AwaitingForwarding => "awaiting_forwarding",
            StatusName::Open => "open",
            StatusName::AwaitingIdentity => "awaiting_identity",
            StatusName::AwaitingClarification => "awaiting_clarification",
            StatusName::AwaitingFee => "awaiting_fee",
            StatusName::InProgress => "in_progress",
            StatusName::Completed => "completed",
            StatusName::Refused => "refused",
            StatusName::Withdrawn => "withdrawn",
        }
    }
}

impl fmt::Display for StatusName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Identity {
    /// Whether the identity question is settled for disclosure: verified, or recorded as not
    /// required.
    #[must_use]
    pub fn is_settled(&self) -> bool {
        matches!(self, Identity::Verified { .. } | Identity::NotRequired { .. })
    }
}

impl crate::lifecycle::Rejected for Rejection {
    fn article(&self) -> Option<crate::vocab::Article> {
        self.article
    }
    fn transition(&self) -> String {
        self.attempted.to_string()
    }
    fn state(&self) -> String {
        self.state.to_string()
    }
}

/// A request is a [`Lifecycle`](crate::lifecycle::Lifecycle): it lives in the scope of the
/// controller that must answer it (Art. 12), named in its receipt.
impl crate::lifecycle::Lifecycle for Request {
    type Id = RequestId;
    type Command = Command;
    type Event = Event;
    type Rejection = Rejection;
    const NAME: &'static str = "request";

    fn decide_on(state: Option<&Self>, command: &Command) -> Result<Vec<Event>, Rejection> {
        super::decide(state, command)
    }
    fn evolve_with(state: Option<Self>, event: &Event) -> Option<Self> {
        evolve(state, event)
    }
    fn lifecycle_id(&self) -> RequestId {
        self.id()
    }
    fn owner(&self) -> crate::model::PartyId {
        self.receipt.controller
    }
    fn event_at(event: &Event) -> DateTime<Utc> {
        event.at()
    }
}
