//! The state of a breach, `evolve`, its clocks and the Art. 34 decision.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    Assessment, Awareness, BreachId, Command, CommunicationException, CommunicationMethod, Detection, Event, Facts,
    NoticeDuty, Rejection, RiskLevel,
};
use crate::agreement::AgreementId;
use crate::model::{PartyId, Text};
use crate::vocab::Article;

crate::vocab::object_struct! {
/// One personal data breach as its register entry stands (Art. 33(5)): who became aware and
/// when, the facts known so far, the risk assessment, the notifications and communications made,
/// and the clocks that still run.
///
/// Build it with [`Breach::replay`] from the events; change it only through [`decide`] and
/// [`evolve`]. A `Breach` read from JSON is a snapshot: the events stay the record.
///
/// # Example
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use gdpr_obligations::breach::{Awareness, Breach, Command, Detection, RiskLevel, decide};
/// use gdpr_obligations::model::{PartyId, Text};
/// use gdpr_obligations::time::DeadlinePolicy;
///
/// // A web shop finds, on Friday 13 March 2026 at 19:30 in Prague, that a chat export was public.
/// let aware: DateTime<Utc> = "2026-03-13T18:30:00Z".parse()?;
/// let detection =
///     Detection::new(Awareness::Controller { controller: PartyId::generate() }, aware, DeadlinePolicy::czech());
/// let breach = Breach::replay(&decide(None, &Command::Detect(Box::new(detection)))?).expect("detected");
/// // 72 hours, weekend or not (Art. 33(1); Art. 3(4) of Regulation 1182/71 does not apply to hours).
/// let due = breach.authority_deadline().expect("the clock runs").due;
/// assert_eq!(due, aware + TimeDelta::hours(72));
///
/// // Assessed as unlikely to result in a risk: the clock stops, the entry stays (Art. 33(1), 33(5)).
/// let assess = Command::Assess {
///     at: aware + TimeDelta::hours(2),
///     risk: RiskLevel::Unlikely,
///     reasons: Text::new("the export held only hashed visitor tokens")?,
/// };
/// let breach = breach.decide(&assess)?.iter().fold(breach, Breach::evolve);
/// assert!(breach.authority_deadline().is_none());
/// assert!(!breach.is_overdue(aware + TimeDelta::hours(100)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`decide`]: super::decide
/// [`evolve`]: super::evolve
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Breach {
    /// Everything known at detection.
    detection: Detection,
    /// The facts, with every later phase merged in (Art. 33(4)).
    facts: Facts,
    /// The latest risk assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assessment: Option<Assessment>,
    /// The notification to the supervisory authority, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authority_notice: Option<AuthorityNotice>,
    /// The notices a processor sent, by agreement.
    #[serde(default)]
    principal_notices: Vec<PrincipalNotice>,
    /// The Art. 34(3) exception, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exception: Option<RecordedException>,
    /// The communications to the data subjects.
    #[serde(default)]
    communications: Vec<Communication>,
    /// The closure, once closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    closure: Option<Closure>,
    /// The number of events applied, `Detected` included.
    version: u64,
    /// The instant of the latest event; later commands may not be earlier.
    last_event_at: DateTime<Utc>,
}
}

/// The notification of a breach to the supervisory authority (Art. 33(1)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuthorityNotice {
    /// When.
    pub at: DateTime<Utc>,
    /// The authority.
    pub authority: Text,
    /// The reasons for a delay beyond 72 hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons_for_delay: Option<Text>,
}

/// A processor's notice under one agreement (Art. 33(2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PrincipalNotice {
    /// The agreement.
    pub agreement: AgreementId,
    /// When the notice was sent.
    pub at: DateTime<Utc>,
}

/// An Art. 34(3) exception as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RecordedException {
    /// When.
    pub at: DateTime<Utc>,
    /// The point and how it is met.
    pub exception: CommunicationException,
}

/// A communication to the data subjects (Art. 34).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Communication {
    /// When.
    pub at: DateTime<Utc>,
    /// Directly or publicly.
    pub method: CommunicationMethod,
    /// What was said.
    pub message: Text,
}

/// The closure of a register entry (Art. 33(5)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Closure {
    /// When.
    pub at: DateTime<Utc>,
    /// The remedial action taken.
    pub summary: Text,
}

/// Where a breach stands, and `New` for a breach with no event yet: what a [`Rejection`] says
/// the breach was in and needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatusName {
    /// No event yet: only `detect` applies.
    New,
    /// In the register, the risk not yet assessed: the 72 hours run (Art. 33(1)).
    Unassessed,
    /// In the register with a risk assessment.
    Assessed,
    /// Closed with the remedial action taken (Art. 33(5)); nothing more applies.
    Closed,
}

impl StatusName {
    /// The name as in JSON, e.g. `unassessed`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            StatusName::New => "new",
            StatusName::Unassessed => "unassessed",
            StatusName::Assessed => "assessed",
            StatusName::Closed => "closed",
        }
    }
}

impl fmt::Display for StatusName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A duty with a clock.
///
/// In JSON the variant is the `duty` field: `{"duty": "authority"}` or
/// `{"duty": "principal", "agreement": "…", "principal": "…", "controller": "…", "period": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "duty", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Duty {
    /// The controller notifies the supervisory authority (Art. 33(1)).
    Authority,
    /// The processor notifies the party that engaged it (Art. 33(2)).
    Principal(NoticeDuty),
}

/// A duty's deadline, and when it was met.
///
/// The deadline is the last instant at which the act is in time: an act at `due` is in time,
/// a moment later it is late (a period in hours ends "with the expiry of the last hour",
/// Art. 3(2)(a) of Regulation 1182/71).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct BreachDeadline {
    /// What is due.
    pub duty: Duty,
    /// The provision that sets it.
    pub article: Article,
    /// The last instant in time.
    pub due: DateTime<Utc>,
    /// When the duty was met, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
}

impl BreachDeadline {
    /// Whether the duty is still open after its deadline at `now`.
    #[must_use]
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.done_at.is_none() && now > self.due
    }

    /// The time left at `now` (negative once overdue); `None` once met.
    #[must_use]
    pub fn time_left(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        self.done_at.is_none().then(|| self.due.signed_duration_since(now))
    }

    /// Whether the duty was met in time; `None` while open.
    #[must_use]
    pub fn met_in_time(&self) -> Option<bool> {
        self.done_at.map(|at| at <= self.due)
    }
}

/// Whether and how the data subjects must be told of a breach (Art. 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubjectDuty {
    /// The risk has not been assessed yet.
    Undecided,
    /// No communication is required: the breach is not likely to result in a high risk
    /// (Art. 34(1)), or Art. 34(3)(a) or (b) applies.
    NotRequired,
    /// Communicate to each data subject without undue delay (Art. 34(1)).
    Direct,
    /// A public communication or similar measure instead (Art. 34(3)(c)).
    Public,
}

/// One reason of a decision, with its article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Reason {
    /// The provision.
    pub article: Article,
    /// Why, in lower case and without a final period.
    pub reason: String,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.article, self.reason)
    }
}

/// The Art. 34 decision: whether the data subjects must be told, with every reason and its
/// article.
///
/// # Example
/// ```
/// use gdpr_obligations::breach::{CommunicationException, RiskLevel, SubjectDecision, SubjectDuty};
/// use gdpr_obligations::model::Text;
///
/// assert_eq!(SubjectDecision::decide(Some(RiskLevel::Risk), None).duty, SubjectDuty::NotRequired);
/// assert_eq!(SubjectDecision::decide(Some(RiskLevel::HighRisk), None).duty, SubjectDuty::Direct);
///
/// // Anonymous chat visitors cannot be reached one by one: a public notice instead.
/// let effort = CommunicationException::DisproportionateEffort {
///     explanation: Text::new("visitors are known only by a browser token")?,
/// };
/// let decision = SubjectDecision::decide(Some(RiskLevel::HighRisk), Some(&effort));
/// assert_eq!(decision.duty, SubjectDuty::Public);
/// let articles: Vec<String> = decision.reasons.iter().map(|r| r.article.to_string()).collect();
/// assert_eq!(articles, ["Art. 34(1)", "Art. 34(3)(c)"]);
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SubjectDecision {
    /// What is owed to the data subjects.
    pub duty: SubjectDuty,
    /// Why, each with its article.
    pub reasons: Vec<Reason>,
}

impl SubjectDecision {
    /// The decision for a breach assessed at `risk` (`None`: not yet assessed) with the
    /// Art. 34(3) `exception` recorded, if any. An exception counts only for a high risk: below
    /// it, Art. 34(1) requires nothing to be excepted from.
    #[must_use]
    pub fn decide(risk: Option<RiskLevel>, exception: Option<&CommunicationException>) -> SubjectDecision {
        let art34_1 = Article::gdpr(34).paragraph(1);
        let reason = |article, reason: &str| Reason { article, reason: reason.to_owned() };
        let (duty, reasons) = match (risk, exception) {
            (None, _) => {
                (SubjectDuty::Undecided, vec![reason(art34_1, "the risk to the data subjects has not been assessed")])
            }
            (Some(RiskLevel::Unlikely | RiskLevel::Risk), _) => (
                SubjectDuty::NotRequired,
                vec![reason(art34_1, "the breach is not likely to result in a high risk to the data subjects")],
            ),
            (Some(RiskLevel::HighRisk), None) => (
                SubjectDuty::Direct,
                vec![reason(
                    art34_1,
                    "the breach is likely to result in a high risk: tell each data subject without undue delay",
                )],
            ),
            (Some(RiskLevel::HighRisk), Some(exception)) => {
                let duty = match exception {
                    CommunicationException::DisproportionateEffort { .. } => SubjectDuty::Public,
                    _ => SubjectDuty::NotRequired,
                };
                (
                    duty,
                    vec![
                        reason(art34_1, "the breach is likely to result in a high risk"),
                        Reason { article: exception.article(), reason: exception.reason() },
                    ],
                )
            }
        };
        SubjectDecision { duty, reasons }
    }
}

/// Applies one event to the state of a breach: `None` until `Detected`. It follows the events
/// without checking them (that is [`decide`](super::decide)'s job) and never fails: an event
/// that cannot apply, such as a second `Detected`, leaves the state as it was.
#[must_use]
pub fn evolve(state: Option<Breach>, event: &Event) -> Option<Breach> {
    match (state, event) {
        (None, Event::Detected(detection)) => Some(Breach::detected(detection)),
        (None, _) => None,
        (Some(breach), event) => Some(breach.evolve(event)),
    }
}

impl Breach {
    /// The state the events leave, or `None` if they hold no `Detected`.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Breach> {
        events.into_iter().fold(None, evolve)
    }

    /// The events `command` causes, or why it is rejected: [`decide`](super::decide) on this
    /// breach.
    ///
    /// # Errors
    /// A [`Rejection`] naming the state, the command and, where a rule of the Regulation is
    /// behind it, the article.
    pub fn decide(&self, command: &Command) -> Result<Vec<Event>, Rejection> {
        super::decide(Some(self), command)
    }

    /// This breach after `event` (see [`evolve`]).
    #[must_use]
    pub fn evolve(mut self, event: &Event) -> Breach {
        if matches!(event, Event::Detected(_)) {
            return self;
        }
        self.version += 1;
        self.last_event_at = self.last_event_at.max(event.at());
        match event {
            Event::Detected(_) => {}
            Event::Assessed { at, risk, reasons } => {
                self.assessment = Some(Assessment { at: *at, risk: *risk, reasons: reasons.clone() });
            }
            Event::InformationAdded { facts, .. } => self.facts.merge(facts),
            Event::AuthorityNotified { at, authority, reasons_for_delay } => {
                self.authority_notice = Some(AuthorityNotice {
                    at: *at,
                    authority: authority.clone(),
                    reasons_for_delay: reasons_for_delay.clone(),
                });
            }
            Event::PrincipalNotified { at, agreement } => {
                if self.principal_notice(*agreement).is_none() {
                    self.principal_notices.push(PrincipalNotice { agreement: *agreement, at: *at });
                }
            }
            Event::ExceptionRecorded { at, exception } => {
                self.exception = Some(RecordedException { at: *at, exception: exception.clone() });
            }
            Event::SubjectsCommunicated { at, method, message } => {
                self.communications.push(Communication { at: *at, method: *method, message: message.clone() });
            }
            Event::Closed { at, summary } => self.closure = Some(Closure { at: *at, summary: summary.clone() }),
        }
        self
    }

    pub(super) fn detected(detection: &Detection) -> Breach {
        Breach {
            detection: detection.clone(),
            facts: detection.facts.clone(),
            assessment: None,
            authority_notice: None,
            principal_notices: Vec::new(),
            exception: None,
            communications: Vec::new(),
            closure: None,
            version: 1,
            last_event_at: detection.aware_at,
        }
    }

    /// The breach's id.
    #[must_use]
    pub fn id(&self) -> BreachId {
        self.detection.id
    }

    /// Everything known at detection.
    #[must_use]
    pub fn detection(&self) -> &Detection {
        &self.detection
    }

    /// When the keeper became aware (Art. 33(1), 33(2)).
    #[must_use]
    pub fn aware_at(&self) -> DateTime<Utc> {
        self.detection.aware_at
    }

    /// The party that keeps this entry: the controller, or the processor that became aware.
    #[must_use]
    pub fn keeper(&self) -> PartyId {
        self.detection.keeper()
    }

    /// Whether the keeper is the controller, which owes the authority and the data subjects
    /// (Arts. 33(1), 34), rather than a processor, which owes its principals (Art. 33(2)).
    #[must_use]
    pub fn kept_by_controller(&self) -> bool {
        matches!(self.detection.aware, Awareness::Controller { .. })
    }

    /// The facts known so far, every phase merged (Art. 33(4)).
    #[must_use]
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// The latest risk assessment.
    #[must_use]
    pub fn assessment(&self) -> Option<&Assessment> {
        self.assessment.as_ref()
    }

    /// The notification to the supervisory authority, once made.
    #[must_use]
    pub fn authority_notice(&self) -> Option<&AuthorityNotice> {
        self.authority_notice.as_ref()
    }

    /// The notices a processor sent.
    #[must_use]
    pub fn principal_notices(&self) -> &[PrincipalNotice] {
        &self.principal_notices
    }

    /// The notice sent under `agreement`, if any.
    #[must_use]
    pub fn principal_notice(&self, agreement: AgreementId) -> Option<&PrincipalNotice> {
        self.principal_notices.iter().find(|n| n.agreement == agreement)
    }

    /// The notices a processor owes (empty for a controller).
    #[must_use]
    pub fn notice_duties(&self) -> &[NoticeDuty] {
        match &self.detection.aware {
            Awareness::Processor { notify, .. } => notify,
            Awareness::Controller { .. } => &[],
        }
    }

    /// The Art. 34(3) exception, if recorded.
    #[must_use]
    pub fn exception(&self) -> Option<&RecordedException> {
        self.exception.as_ref()
    }

    /// The communications to the data subjects.
    #[must_use]
    pub fn communications(&self) -> &[Communication] {
        &self.communications
    }

    /// The closure, once closed.
    #[must_use]
    pub fn closure(&self) -> Option<&Closure> {
        self.closure.as_ref()
    }

    /// The number of events applied, `Detected` included: the version a store compares and
    /// swaps.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The instant of the latest event.
    #[must_use]
    pub fn last_event_at(&self) -> DateTime<Utc> {
        self.last_event_at
    }

    /// Where the breach stands.
    #[must_use]
    pub fn status(&self) -> StatusName {
        match (&self.closure, &self.assessment) {
            (Some(_), _) => StatusName::Closed,
            (None, Some(_)) => StatusName::Assessed,
            (None, None) => StatusName::Unassessed,
        }
    }

    /// Whether the breach is closed.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closure.is_some()
    }

    /// The controller's 72 hours to the supervisory authority (Art. 33(1)), counted from
    /// awareness by the policy's [`BreachClock`](crate::time::BreachClock), never moved over
    /// weekends or holidays. `None` for a processor's entry, for a breach assessed as unlikely
    /// to result in a risk (the clock is skipped, the entry stays), or if the instant leaves
    /// the supported range (which [`decide`](super::decide) never lets happen). An unassessed
    /// breach is treated as notifiable: the clock runs until an assessment stops it.
    #[must_use]
    pub fn authority_deadline(&self) -> Option<BreachDeadline> {
        if !self.kept_by_controller() || self.assessment.as_ref().is_some_and(|a| a.risk == RiskLevel::Unlikely) {
            return None;
        }
        let due = self.detection.policy.breach_deadline(self.detection.aware_at).ok()?;
        Some(BreachDeadline {
            duty: Duty::Authority,
            article: Article::gdpr(33).paragraph(1),
            due,
            done_at: self.authority_notice.as_ref().map(|n| n.at),
        })
    }

    /// A processor's deadlines, one per notice it owes (Art. 33(2)): awareness plus the
    /// agreement's hours, or awareness itself where the agreement sets none (see
    /// [`NoticePeriod::WithoutUndueDelay`](super::NoticePeriod::WithoutUndueDelay)).
    #[must_use]
    pub fn principal_deadlines(&self) -> Vec<BreachDeadline> {
        self.notice_duties()
            .iter()
            .filter_map(|duty| {
                let due = duty.period.due(self.detection.aware_at, &self.detection.policy).ok()?;
                Some(BreachDeadline {
                    duty: Duty::Principal(duty.clone()),
                    article: duty.period.article(),
                    due,
                    done_at: self.principal_notice(duty.agreement).map(|n| n.at),
                })
            })
            .collect()
    }

    /// Every deadline of the entry, met or open.
    #[must_use]
    pub fn deadlines(&self) -> Vec<BreachDeadline> {
        self.authority_deadline().into_iter().chain(self.principal_deadlines()).collect()
    }

    /// The deadlines still open at `now` whose time has passed.
    #[must_use]
    pub fn overdue(&self, now: DateTime<Utc>) -> Vec<BreachDeadline> {
        self.deadlines().into_iter().filter(|d| d.is_overdue(now)).collect()
    }

    /// Whether any duty with a clock is still open after its deadline at `now`.
    #[must_use]
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.deadlines().iter().any(|d| d.is_overdue(now))
    }

    /// The time left at `now` until the earliest open deadline (negative once overdue); `None`
    /// when no duty with a clock is open.
    #[must_use]
    pub fn time_left(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        self.deadlines().iter().filter_map(|d| d.time_left(now)).min()
    }

    /// The Art. 34 decision for the data subjects; `None` for a processor's entry (Art. 34 is
    /// the controller's duty).
    #[must_use]
    pub fn subject_decision(&self) -> Option<SubjectDecision> {
        self.kept_by_controller().then(|| {
            SubjectDecision::decide(
                self.assessment.as_ref().map(|a| a.risk),
                self.exception.as_ref().map(|e| &e.exception),
            )
        })
    }

    /// Whether the communication the Art. 34 decision requires has been made: a direct one for
    /// [`SubjectDuty::Direct`], any for [`SubjectDuty::Public`].
    #[must_use]
    pub fn subjects_informed(&self) -> bool {
        match self.subject_decision().map(|d| d.duty) {
            Some(SubjectDuty::Direct) => self.communications.iter().any(|c| c.method == CommunicationMethod::Direct),
            Some(SubjectDuty::Public) => !self.communications.is_empty(),
            _ => true,
        }
    }
}

impl crate::lifecycle::Rejected for super::Rejection {
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

/// A breach is a [`Lifecycle`](crate::lifecycle::Lifecycle): it lives in the register of the
/// party that became aware of it (Art. 33(5)), its keeper.
impl crate::lifecycle::Lifecycle for Breach {
    type Id = super::BreachId;
    type Command = super::Command;
    type Event = Event;
    type Rejection = super::Rejection;
    const NAME: &'static str = "breach";

    fn decide_on(state: Option<&Self>, command: &super::Command) -> Result<Vec<Event>, super::Rejection> {
        super::decide(state, command)
    }
    fn evolve_with(state: Option<Self>, event: &Event) -> Option<Self> {
        evolve(state, event)
    }
    fn lifecycle_id(&self) -> super::BreachId {
        self.id()
    }
    fn owner(&self) -> PartyId {
        self.keeper()
    }
    fn event_at(event: &Event) -> DateTime<Utc> {
        event.at()
    }
}
