//! The obligations agenda: every open duty, who owes it to whom, under which article, by when.
//!
//! A privacy officer at a website owner, or the compliance lead at a chat vendor, wants one list:
//! what is open, who owes it to whom, its legal basis and its deadline. [`Agenda::build`] is that
//! list as a **pure function** of a [`Snapshot`] of one scope's ledger and an instant: no IO, no
//! clock. [`Snapshot::load`] reads the snapshot from a [`LedgerStore`](crate::store::LedgerStore)
//! for one [`Scope`]. The agenda exports as JSON (with its JSON Schema), as
//! Markdown ([`Agenda::to_markdown`]) and, with the `ical` feature, as an iCalendar feed
//! (`Agenda::to_ical`) that people subscribe to in the calendar they already use.
//!
//! | kind | article | owed by → owed to | due |
//! | --- | --- | --- | --- |
//! | [`Answer`](ObligationKind::Answer) | Art. 12(3) | controller → data subject | one month, or three once extended |
//! | [`ExtensionNotice`](ObligationKind::ExtensionNotice) | Art. 12(3) | controller → data subject | within the first month, if extending |
//! | [`StopProcessing`](ObligationKind::StopProcessing) | Art. 21(3), 7(3) | controller → data subject | at receipt |
//! | [`RefusalNotice`](ObligationKind::RefusalNotice) | Art. 12(4) | controller → data subject | one month, after a failed identification |
//! | [`RecipientNotice`](ObligationKind::RecipientNotice) | Art. 19 | controller → each recipient | the request's deadline |
//! | [`LiftingNotice`](ObligationKind::LiftingNotice) | Art. 18(3) | controller → data subject | before the restriction is lifted |
//! | [`Forwarding`](ObligationKind::Forwarding) | Art. 28(3)(e) | processor → controller | promptly: the agreement's hours, else two working days |
//! | [`AuthorityNotification`](ObligationKind::AuthorityNotification) | Art. 33(1) | controller → supervisory authority | 72 hours from awareness |
//! | [`SubjectCommunication`](ObligationKind::SubjectCommunication) | Art. 34 | controller → affected data subjects | at once after a high-risk assessment |
//! | [`ControllerNotice`](ObligationKind::ControllerNotice) | Art. 33(2) | processor → each party that engaged it | the agreement's hours |
//! | [`ObjectionWindow`](ObligationKind::ObjectionWindow) | Art. 28(2) | controller → processor | when the objection window closes |
//! | [`DeficientAgreement`](ObligationKind::DeficientAgreement) | Art. 28(3), 28(4) | principal → processor | before processing under it starts |
//! | [`ExpiringAgreement`](ObligationKind::ExpiringAgreement) | Art. 28(3) | principal → processor | the agreement's last day |
//! | [`GuaranteesReview`](ObligationKind::GuaranteesReview) | Art. 28(1) | principal → processor | before processing starts, then the assessment's review date |
//! | [`RetentionSweep`](ObligationKind::RetentionSweep) | Art. 5(1)(e) | controller → data subjects | the sweep interval after the last sweep |
//! | [`ThirdPartyInformation`](ObligationKind::ThirdPartyInformation) | Art. 14(3), 14(5) | controller → third parties mentioned | one month from obtaining, or the first communication or disclosure if earlier |
//! | [`UncoveredRetention`](ObligationKind::UncoveredRetention) | Art. 5(1)(e) | controller → data subjects | standing |
//! | [`IncompleteRecord`](ObligationKind::IncompleteRecord) | Art. 30(1) | controller → supervisory authority | standing |
//!
//! # Scoping
//!
//! An agenda is built from one scope's snapshot and holds nothing of another scope: requests,
//! breaches, agreements and activities that do not belong to the scope's controller are left out
//! even if a snapshot holds them. A controller's agenda is [`Agenda::owed_by`] itself in its own
//! scope. A processor's is what it owes each controller: [`Agenda::owed_by`] the processor, in
//! each controller's scope (forwarding requests) and in its own (its breach register), put
//! together with [`Agenda::combine`]; every obligation keeps the [`Scope`] it
//! came from.
//!
//! # Readings chosen where the law is open
//!
//! - **States are local.** An obligation is *due today* when its last day (a period in days or
//!   months) or its instant (a period in hours, a window) falls on today's date in the zone of the
//!   policy that governs it: the request's or the breach's [`DeadlinePolicy`]; the
//!   [`AgendaOptions`] policy for sweeps and objection windows; UTC for agreement dates, which
//!   the crate reads as UTC dates (see `ARCHITECTURE.md`).
//! - **One answer per open request.** A request whose clock runs is owed exactly one answer: the
//!   Art. 12(3) answer, or, once the identity could not be confirmed (Art. 12(2), 12(6)), the Art. 12(4)
//!   notice of not taking action, due within one month of receipt even if the period was
//!   extended ("at the latest within one month", Art. 12(4)).
//! - **A direct-marketing objection and a consent withdrawal stop the processing at once.** The
//!   data "shall no longer be processed" for direct marketing once the data subject objects
//!   (Art. 21(3), free of charge under Recital 70), and a withdrawal takes effect when it is made
//!   (Art. 7(3)): neither is an answer within one month that may be extended. Each is listed as
//!   [`StopProcessing`](ObligationKind::StopProcessing) for the purpose, due at the request's
//!   receipt, in place of the Art. 12(3) answer and extension notice, until the request is
//!   closed (for a withdrawal, [`Desk::withdraw_consent`](crate::desk::Desk::withdraw_consent)
//!   records it on the consent and completes the request).
//! - **The extension notice is conditional.** Art. 12(3) requires it only if the controller
//!   extends; it is listed while an extension is still possible (not yet extended, first month
//!   not over), so that the option is not lost by oversight.
//! - **Art. 19 has no period of its own.** Telling the recipients is part of the action on the
//!   request, so it is due by the deadline the request had (the extended one if extended). It is
//!   owed for a completed rectification, erasure or restriction unless the fulfilment journal
//!   shows that no record changed, to each recipient the controller's activities list (as
//!   [`StepReport`](crate::fulfil::StepReport) does).
//! - **Forwarding (Art. 28(3)(e)) is due promptly** (Clause 8(a) of the Art. 28 standard
//!   contractual clauses, Decision (EU) 2021/915): within the hours the agreement between the
//!   controller and the processor sets
//!   ([`DataSubjectAssistance::forwarding_hours`](crate::agreement::DataSubjectAssistance::forwarding_hours)),
//!   or else by the end of the
//!   [`FORWARDING_WORKING_DAYS`](crate::agreement::FORWARDING_WORKING_DAYS)th working day after
//!   the processor's receipt, and never after the controller's month, which runs from the
//!   processor's receipt (Art. 12(3)). Forwarding at the end of that month would leave the
//!   controller no time to answer.
//! - **Art. 34 "without undue delay" is due at once** from the assessment that found a high
//!   risk, as [`NoticePeriod::WithoutUndueDelay`](crate::breach::NoticePeriod::WithoutUndueDelay)
//!   reads Art. 33(2) without agreed hours.
//! - **The objection window is an opportunity, not a duty**: it is listed for the controller
//!   because its lapse authorises the sub-processor (Art. 28(2)); an objection at the instant the
//!   window closes is too late, as [`ChangeNotice::object`](crate::agreement::ChangeNotice::object)
//!   decides.
//! - **A deficient agreement is due before processing under it starts** (the end of the day
//!   before `valid_from`): Art. 28(3) requires the contract to govern the processing. Without a
//!   start date it is [`Due::Standing`]. An agreement is *expiring* from
//!   [`AgendaOptions::expiry_warning_days`] before its last day until that day ends.
//! - **A retention sweep is due** [`AgendaOptions::sweep_interval_days`] after the last finished
//!   sweep's instant, at once if a sweep was left unfinished, and standing if none ever ran while
//!   retention policies exist: Art. 5(1)(e) sets no cadence, and data that expire after a sweep
//!   stay until the next one.
//! - **Third parties mentioned in chats (Art. 14).** An activity whose data may hold personal
//!   data of third parties ([`ThirdPartyData`](crate::model::ThirdPartyData)) owes them the
//!   Art. 14 information, or a recorded Art. 14(5) exception with its reasons, as one duty per
//!   activity: it is due one month after the day the activity first obtained such data
//!   (Art. 14(3)(a), computed as every month period here), or at the first communication with
//!   them or the first disclosure to another recipient if earlier (14(3)(b), (c)), and listed
//!   until the information or the exception is recorded.
//! - **A category no retention policy covers is a standing Art. 5(1)(e) gap**: for every
//!   category of personal data of an activity, some [`RetentionPolicy`](crate::retention::RetentionPolicy)
//!   of the scope must cover that category for one of the activity's purposes, or records of it
//!   never expire. Each uncovered pair is listed once, naming the activity and the category
//!   (no personal data).
//! - **Art. 30(1) gaps** are the fields the model still lets be absent: the controller's contact
//!   details and, outside the EEA, its representative (point (a)); a processor engaged under an
//!   agreement for one of the activity's purposes but missing from its recipients (point (d));
//!   the description of security measures (point (g), "where possible"). Whether a DPO is
//!   required cannot be told from the ledger and is not checked.
//!
//! # Notices given
//!
//! That the Art. 19 notices were given, or that the data subject was told before a restriction
//! is lifted (Art. 18(3)), is recorded with [`fulfil::record_notice`](crate::fulfil::record_notice) as a
//! [`NoticeRecord`](crate::fulfil::NoticeRecord) in an
//! append-only ledger stream per request; [`Snapshot::load`] reads them back, and a recorded
//! notice closes its obligation.
//!
//! # Example
//! ```
//! use chrono::{DateTime, Utc};
//! use gdpr_obligations::agenda::{Agenda, AgendaOptions, ObligationKind, ObligationState, Snapshot};
//! use gdpr_obligations::model::{PartyId, Text};
//! use gdpr_obligations::request::{
//!     Channel, Command, ComplaintInformation, Processing, Receipt, Request, RequestKind, decide,
//! };
//! use gdpr_obligations::store::Scope;
//! use gdpr_obligations::time::DeadlinePolicy;
//! use gdpr_obligations::vocab::{LegalBasis, Purpose};
//!
//! let shop = PartyId::generate();
//! let receipt = Receipt::new(
//!     shop,
//!     "2025-03-05T09:00:00Z".parse()?,
//!     RequestKind::Access,
//!     Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
//!     Channel::Chat,
//!     DeadlinePolicy::czech(),
//!     ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
//! );
//! let request = Request::replay(&decide(None, &Command::Receive(Box::new(receipt)))?).expect("received");
//!
//! let mut snapshot = Snapshot::new(Scope::of(shop));
//! snapshot.requests.push(request);
//! // Monday 7 April 2025 (5 April is a Saturday), at noon in Prague.
//! let now: DateTime<Utc> = "2025-04-07T10:00:00Z".parse()?;
//! let agenda = Agenda::build(&snapshot, now, &AgendaOptions::new(DeadlinePolicy::czech()));
//! let answer = agenda.obligations.iter().find(|o| matches!(o.kind, ObligationKind::Answer { .. })).expect("owed");
//! assert_eq!(answer.article.to_string(), "Art. 12(3)");
//! assert_eq!(answer.state, ObligationState::DueToday);
//! // The Markdown escapes every punctuation character it prints; rendered, it reads "Art. 12(3)".
//! assert!(agenda.to_markdown().contains(r"Art\. 12\(3\)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod render;
mod rules;
mod snapshot;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agreement::{AgreementId, ChangeNoticeId, Deficiency};
use crate::breach::{BreachId, SubjectDuty};
use crate::fulfil::Operation;
use crate::model::{ActivityId, LocalizedText, PartyId, SubjectId, Text};
use crate::request::RequestId;
use crate::store::{Scope, SweepId};
use crate::time::{Deadline, DeadlinePolicy, Zone, receipt_date};
use crate::vocab::{Article, DataCategory, Purpose, Right};

pub use snapshot::{FulfilmentRun, Snapshot, SweepRun};

/// One open obligation: what is owed, by whom, to whom, under which article, by when, and where
/// it stands at the agenda's instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Obligation {
    /// A stable key, the same for the same duty in every agenda built from the same ledger
    /// (e.g. `art-12-3-answer/<request>`): the iCalendar `UID`, and a key to deduplicate on.
    pub key: String,
    /// The scope (controller's ledger) the obligation was found in.
    pub scope: Scope,
    /// What is owed, with the ids of what it is about; in JSON its fields are the obligation's
    /// (`"kind": "answer", "request": "…"`).
    #[serde(flatten)]
    pub kind: ObligationKind,
    /// The party that owes it.
    pub owed_by: PartyId,
    /// Whom it is owed to.
    pub owed_to: OwedTo,
    /// The provision that imposes it.
    pub article: Article,
    /// By when.
    pub due: Due,
    /// The zone in which "today" is judged for it.
    pub zone: Zone,
    /// Where it stands at the agenda's instant.
    pub state: ObligationState,
    /// One line for people, naming the article, e.g. `Answer the access request (Art. 12(3))`.
    pub summary: String,
}

/// What is owed. Each variant names its article ([`ObligationKind::article`]).
///
/// In JSON the variant is the `kind` field: `{"kind": "answer", "request": "…", "right": "access"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObligationKind {
    /// Art. 12(3): information on the action taken on a request, within one month of receipt, or
    /// within the extended period.
    Answer {
        /// The request.
        request: RequestId,
        /// The right exercised.
        right: Right,
    },
    /// Art. 12(3): the notice of an extension, with its reasons, within one month of receipt;
    /// owed only if the controller extends.
    ExtensionNotice {
        /// The request.
        request: RequestId,
    },
    /// Art. 21(3) or 7(3): stop processing the data subject's data for the purpose at once,
    /// after an objection to direct marketing (free of charge, Recital 70) or a withdrawal of
    /// consent, which takes effect when made; due at the request's receipt.
    StopProcessing {
        /// The request.
        request: RequestId,
        /// The purpose to stop processing for.
        purpose: Purpose,
        /// The right exercised: objection (Art. 21(3)) or withdrawal of consent (Art. 7(3)).
        right: Right,
    },
    /// Art. 12(4): the reasons for not taking action and the complaint and judicial-remedy
    /// information, within one month of receipt; owed once the requester's identity could not be
    /// confirmed (Art. 12(2), 12(6)).
    RefusalNotice {
        /// The request.
        request: RequestId,
    },
    /// Art. 19: telling a recipient of a rectification, erasure or restriction carried out,
    /// unless that proves impossible or involves disproportionate effort.
    RecipientNotice {
        /// The request carried out.
        request: RequestId,
        /// What to tell.
        operation: Operation,
    },
    /// Art. 18(3): telling the data subject before the restriction is lifted.
    LiftingNotice {
        /// The restriction request carried out.
        request: RequestId,
    },
    /// Art. 28(3)(e): a processor passes a request it received to the controller.
    Forwarding {
        /// The request.
        request: RequestId,
    },
    /// Art. 33(1): the controller notifies the supervisory authority of a breach.
    AuthorityNotification {
        /// The breach.
        breach: BreachId,
    },
    /// Art. 34(1), or 34(3)(c) publicly: the controller tells the data subjects of a high-risk
    /// breach.
    SubjectCommunication {
        /// The breach.
        breach: BreachId,
        /// Directly or publicly.
        duty: SubjectDuty,
    },
    /// Art. 33(2): a processor notifies the party that engaged it of a breach, within the
    /// agreement's hours.
    ControllerNotice {
        /// The breach in the processor's register.
        breach: BreachId,
        /// The agreement that sets the period.
        agreement: AgreementId,
        /// The controller whose data the breach touched.
        controller: PartyId,
    },
    /// Art. 28(2): the window to object to a new sub-processor closes; after it, the
    /// sub-processor is authorised.
    ObjectionWindow {
        /// The change notice.
        notice: ChangeNoticeId,
        /// The agreement giving general authorisation.
        agreement: AgreementId,
        /// The sub-processor to be engaged.
        sub_processor: PartyId,
    },
    /// Art. 28(3): an agreement lacks elements the Regulation requires, or (Art. 28(4)) a
    /// sub-processing agreement does not pass down its parent's obligations.
    DeficientAgreement {
        /// The agreement.
        agreement: AgreementId,
        /// Every missing or defective element, with its article.
        deficiencies: Vec<Deficiency>,
    },
    /// Art. 28(3): an agreement's duration ends soon: renew it, or end the processing and delete
    /// or return the data (Art. 28(3)(g)).
    ExpiringAgreement {
        /// The agreement.
        agreement: AgreementId,
        /// Its last day.
        valid_until: NaiveDate,
    },
    /// Art. 28(1), 28(5): the principal has no dated assessment that the processor provides
    /// sufficient guarantees, or the assessment's review is due: only such processors may be
    /// used, and the guarantees are verified at intervals.
    GuaranteesReview {
        /// The agreement.
        agreement: AgreementId,
        /// The day of the last assessment, if any.
        last_assessed: Option<NaiveDate>,
    },
    /// Art. 5(1)(e): a retention sweep is due, or an unfinished one must be resumed.
    RetentionSweep {
        /// The last sweep, if any ran.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last: Option<SweepId>,
        /// Whether that sweep was left unfinished.
        unfinished: bool,
    },
    /// Art. 14(3): the third parties whose data an activity may hold (people mentioned in chats)
    /// are owed the Art. 14 information, or the controller records an Art. 14(5) exception with
    /// its reasons.
    ThirdPartyInformation {
        /// The processing activity.
        activity: ActivityId,
    },
    /// Art. 5(1)(e): a category of personal data of an activity that no retention policy covers
    /// for any of the activity's purposes, so that its records would never expire.
    UncoveredRetention {
        /// The processing activity.
        activity: ActivityId,
        /// The category without a retention policy.
        category: DataCategory,
    },
    /// Art. 30(1): a record of processing lacks a field the Regulation requires.
    IncompleteRecord {
        /// The processing activity.
        activity: ActivityId,
        /// What is missing, each with its point of Art. 30(1).
        missing: Vec<RecordGap>,
    },
}

/// A field an Art. 30(1) record lacks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RecordGap {
    /// The field, e.g. `security_measures`.
    pub field: String,
    /// The point of Art. 30(1).
    pub article: Article,
    /// What is missing, in lower case without a final period.
    pub message: String,
}

/// Whom an obligation is owed to. No data subject appears by an identifier in clear: a requester
/// is known by the request's id and, once verified, by the pseudonymous [`SubjectId`].
///
/// In JSON the variant is the `to` field: `{"to": "supervisory_authority"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "to", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OwedTo {
    /// The data subject who made a request.
    DataSubject {
        /// The request.
        request: RequestId,
        /// The subject, once the identity is verified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<SubjectId>,
    },
    /// The data subjects affected by a breach, or, without one, every data subject of the
    /// controller.
    DataSubjects {
        /// The breach.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        breach: Option<BreachId>,
    },
    /// A controller.
    Controller {
        /// The controller.
        party: PartyId,
    },
    /// A processor (the counterparty of an agreement, or the processor above a sub-processor).
    Processor {
        /// The processor.
        party: PartyId,
    },
    /// The competent supervisory authority (Art. 55).
    SupervisoryAuthority,
    /// A recipient of the data (Art. 4(9)), by name or category, and as a party where known.
    Recipient {
        /// Its name or category, as the activities give it.
        name: LocalizedText,
        /// The party, where it is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        party: Option<PartyId>,
    },
}

/// By when an obligation is due.
///
/// In JSON the variant is the `by` field: `{"by": "end_of_day", "date": "2025-04-07",
/// "expires_at": "2025-04-07T22:00:00Z"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Due {
    /// A period in days or months (Art. 3(2)(b)-(c) of Regulation 1182/71): in time until the end
    /// of `date` in the obligation's zone; late from `expires_at`.
    EndOfDay {
        /// The last day.
        date: NaiveDate,
        /// The first instant at which it is late.
        expires_at: DateTime<Utc>,
    },
    /// A period in hours (Art. 3(2)(a) of Regulation 1182/71): in time up to and including `at`.
    Instant {
        /// The last instant in time.
        at: DateTime<Utc>,
    },
    /// A window that closes at `at`: an act at `at` is too late.
    WindowCloses {
        /// When the window closes.
        at: DateTime<Utc>,
    },
    /// No instant: owed now and for as long as it is not met (Art. 30), or before an event the
    /// ledger cannot foresee (Art. 18(3)).
    Standing,
}

/// Where an obligation stands at the agenda's instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObligationState {
    /// Past its due instant and still open.
    Overdue,
    /// Due today in the obligation's zone, and not yet late.
    DueToday,
    /// Due on a later day.
    Upcoming,
    /// No deadline of its own ([`Due::Standing`]).
    Standing,
}

/// The choices the agenda makes that the ledger does not hold.
///
/// # Example
/// ```
/// use gdpr_obligations::agenda::AgendaOptions;
/// use gdpr_obligations::time::DeadlinePolicy;
///
/// let options = AgendaOptions::new(DeadlinePolicy::czech()).with_sweep_interval_days(7);
/// assert_eq!(options.sweep_interval_days(), 7);
/// assert_eq!(options.expiry_warning_days(), AgendaOptions::EXPIRY_WARNING_DAYS);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaOptions {
    /// The scope owner's policy: its zone judges "today" for sweeps and objection windows.
    policy: DeadlinePolicy,
    /// Days before an agreement's last day from which it is listed as expiring.
    expiry_warning_days: u16,
    /// Days between retention sweeps.
    sweep_interval_days: u16,
}

impl AgendaOptions {
    /// The default warning before an agreement expires: 30 days.
    pub const EXPIRY_WARNING_DAYS: u16 = 30;
    /// The default interval between retention sweeps: one day, so that data past their retention
    /// period do not linger (Art. 5(1)(e)).
    pub const SWEEP_INTERVAL_DAYS: u16 = 1;

    /// Options for a scope owner with `policy`, warning [`EXPIRY_WARNING_DAYS`](Self::EXPIRY_WARNING_DAYS)
    /// before an agreement expires and expecting a sweep every
    /// [`SWEEP_INTERVAL_DAYS`](Self::SWEEP_INTERVAL_DAYS).
    #[must_use]
    pub fn new(policy: DeadlinePolicy) -> Self {
        AgendaOptions {
            policy,
            expiry_warning_days: Self::EXPIRY_WARNING_DAYS,
            sweep_interval_days: Self::SWEEP_INTERVAL_DAYS,
        }
    }

    /// The same options warning `days` before an agreement's last day.
    #[must_use]
    pub fn with_expiry_warning_days(mut self, days: u16) -> Self {
        self.expiry_warning_days = days;
        self
    }

    /// The same options expecting a sweep every `days` days (at least one).
    #[must_use]
    pub fn with_sweep_interval_days(mut self, days: u16) -> Self {
        self.sweep_interval_days = days.max(1);
        self
    }

    /// The scope owner's policy.
    #[must_use]
    pub fn policy(&self) -> &DeadlinePolicy {
        &self.policy
    }

    /// Days before an agreement's last day from which it is listed as expiring.
    #[must_use]
    pub fn expiry_warning_days(&self) -> u16 {
        self.expiry_warning_days
    }

    /// Days between retention sweeps.
    #[must_use]
    pub fn sweep_interval_days(&self) -> u16 {
        self.sweep_interval_days
    }
}

crate::vocab::object_struct! {
/// The open obligations at an instant, most pressing first: overdue, due today, upcoming (each by
/// due instant), then standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Agenda {
    /// The instant the states are judged at.
    pub as_of: DateTime<Utc>,
    /// The obligations.
    pub obligations: Vec<Obligation>,
    /// The legal names of the parties the snapshot knows, for people reading the agenda.
    #[serde(default)]
    pub parties: BTreeMap<PartyId, Text>,
}
}

impl Agenda {
    /// Every open obligation in `snapshot`'s scope at `now`. Pure: the same snapshot, instant and
    /// options give the same agenda. See the [module](self) docs for each kind and its reading.
    #[must_use]
    pub fn build(snapshot: &Snapshot, now: DateTime<Utc>, options: &AgendaOptions) -> Agenda {
        let mut obligations = rules::obligations(snapshot, now, options);
        sort(&mut obligations);
        let parties = snapshot.parties.iter().map(|p| (p.id(), p.legal_name().clone())).collect();
        Agenda { as_of: now, obligations, parties }
    }

    /// The obligations `party` owes: a controller's own agenda, or what a processor owes in this
    /// scope.
    #[must_use]
    pub fn owed_by(&self, party: PartyId) -> Agenda {
        self.filtered(|o| o.owed_by == party)
    }

    /// The obligations owed to `party` as a controller or processor: what to expect from others.
    #[must_use]
    pub fn owed_to(&self, party: PartyId) -> Agenda {
        self.filtered(
            |o| matches!(&o.owed_to, OwedTo::Controller { party: p } | OwedTo::Processor { party: p } if *p == party),
        )
    }

    /// The agendas of several scopes as one, e.g. a processor's over every controller it serves.
    /// The instant is the latest of theirs; an obligation found twice under the same key is kept
    /// once.
    pub fn combine(agendas: impl IntoIterator<Item = Agenda>) -> Agenda {
        let mut as_of: Option<DateTime<Utc>> = None;
        let mut obligations: Vec<Obligation> = Vec::new();
        let mut parties = BTreeMap::new();
        for agenda in agendas {
            as_of = Some(as_of.map_or(agenda.as_of, |t| t.max(agenda.as_of)));
            obligations.extend(agenda.obligations);
            parties.extend(agenda.parties);
        }
        sort(&mut obligations);
        obligations.dedup_by(|a, b| a.key == b.key);
        Agenda { as_of: as_of.unwrap_or(DateTime::<Utc>::MIN_UTC), obligations, parties }
    }

    /// The obligations in a given state.
    pub fn in_state(&self, state: ObligationState) -> impl Iterator<Item = &Obligation> {
        self.obligations.iter().filter(move |o| o.state == state)
    }

    /// The legal name of `party`, if the agenda knows it.
    #[must_use]
    pub fn party_name(&self, party: PartyId) -> Option<&Text> {
        self.parties.get(&party)
    }

    fn filtered(&self, keep: impl Fn(&Obligation) -> bool) -> Agenda {
        Agenda {
            as_of: self.as_of,
            obligations: self.obligations.iter().filter(|o| keep(o)).cloned().collect(),
            parties: self.parties.clone(),
        }
    }
}

fn sort(obligations: &mut [Obligation]) {
    obligations.sort_by(|a, b| (a.state, a.due.instant(), &a.key).cmp(&(b.state, b.due.instant(), &b.key)));
}

impl ObligationKind {
    /// The provision that imposes the obligation.
    #[must_use]
    pub fn article(&self) -> Article {
        let gdpr = Article::gdpr;
        match self {
            ObligationKind::Answer { .. } | ObligationKind::ExtensionNotice { .. } => gdpr(12).paragraph(3),
            ObligationKind::StopProcessing { right: Right::WithdrawConsent, .. } => gdpr(7).paragraph(3),
            ObligationKind::StopProcessing { .. } => gdpr(21).paragraph(3),
            ObligationKind::RefusalNotice { .. } => gdpr(12).paragraph(4),
            ObligationKind::RecipientNotice { .. } => gdpr(19),
            ObligationKind::LiftingNotice { .. } => gdpr(18).paragraph(3),
            ObligationKind::Forwarding { .. } => gdpr(28).paragraph(3).point('e'),
            ObligationKind::AuthorityNotification { .. } => gdpr(33).paragraph(1),
            ObligationKind::SubjectCommunication { duty: SubjectDuty::Public, .. } => gdpr(34).paragraph(3).point('c'),
            ObligationKind::SubjectCommunication { .. } => gdpr(34).paragraph(1),
            ObligationKind::ControllerNotice { .. } => gdpr(33).paragraph(2),
            ObligationKind::ObjectionWindow { .. } => gdpr(28).paragraph(2),
            ObligationKind::DeficientAgreement { .. } | ObligationKind::ExpiringAgreement { .. } => {
                gdpr(28).paragraph(3)
            }
            ObligationKind::GuaranteesReview { .. } => gdpr(28).paragraph(1),
            ObligationKind::RetentionSweep { .. } | ObligationKind::UncoveredRetention { .. } => {
                crate::retention::STORAGE_LIMITATION
            }
            ObligationKind::IncompleteRecord { .. } => gdpr(30).paragraph(1),
            ObligationKind::ThirdPartyInformation { .. } => gdpr(14).paragraph(3),
        }
    }

    /// The kind's name as in JSON, e.g. `authority_notification`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            ObligationKind::Answer { .. } => "answer",
            ObligationKind::ExtensionNotice { .. } => "extension_notice",
            ObligationKind::StopProcessing { .. } => "stop_processing",
            ObligationKind::RefusalNotice { .. } => "refusal_notice",
            ObligationKind::RecipientNotice { .. } => "recipient_notice",
            ObligationKind::LiftingNotice { .. } => "lifting_notice",
            ObligationKind::Forwarding { .. } => "forwarding",
            ObligationKind::AuthorityNotification { .. } => "authority_notification",
            ObligationKind::SubjectCommunication { .. } => "subject_communication",
            ObligationKind::ControllerNotice { .. } => "controller_notice",
            ObligationKind::ObjectionWindow { .. } => "objection_window",
            ObligationKind::DeficientAgreement { .. } => "deficient_agreement",
            ObligationKind::ExpiringAgreement { .. } => "expiring_agreement",
            ObligationKind::GuaranteesReview { .. } => "guarantees_review",
            ObligationKind::RetentionSweep { .. } => "retention_sweep",
            ObligationKind::UncoveredRetention { .. } => "uncovered_retention",
            ObligationKind::ThirdPartyInformation { .. } => "third_party_information",
            ObligationKind::IncompleteRecord { .. } => "incomplete_record",
        }
    }

    /// The request the obligation is about, if any.
    #[must_use]
    pub fn request(&self) -> Option<RequestId> {
        match self {
            ObligationKind::Answer { request, .. }
            | ObligationKind::ExtensionNotice { request }
            | ObligationKind::RefusalNotice { request }
            | ObligationKind::StopProcessing { request, .. }
            | ObligationKind::RecipientNotice { request, .. }
            | ObligationKind::LiftingNotice { request }
            | ObligationKind::Forwarding { request } => Some(*request),
            _ => None,
        }
    }

    /// The breach the obligation is about, if any.
    #[must_use]
    pub fn breach(&self) -> Option<BreachId> {
        match self {
            ObligationKind::AuthorityNotification { breach }
            | ObligationKind::SubjectCommunication { breach, .. }
            | ObligationKind::ControllerNotice { breach, .. } => Some(*breach),
            _ => None,
        }
    }
}

impl Due {
    /// The due instant of a [`Deadline`] computed by [`time`](crate::time).
    #[must_use]
    pub fn from_deadline(deadline: Deadline) -> Due {
        Due::EndOfDay { date: deadline.date(), expires_at: deadline.expires_at() }
    }

    /// The instant that orders it: the first late instant of a day, the last instant of a period
    /// in hours, the closing of a window; `None` when standing.
    #[must_use]
    pub fn instant(&self) -> Option<DateTime<Utc>> {
        match *self {
            Due::EndOfDay { expires_at, .. } => Some(expires_at),
            Due::Instant { at } | Due::WindowCloses { at } => Some(at),
            Due::Standing => None,
        }
    }

    /// Whether it is late at `now`.
    #[must_use]
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        match *self {
            Due::EndOfDay { expires_at, .. } => now >= expires_at,
            Due::Instant { at } => now > at,
            Due::WindowCloses { at } => now >= at,
            Due::Standing => false,
        }
    }

    /// The local day on which it falls in `zone`: the last day of a period, the day of an
    /// instant, the last day on which a window is open; `None` when standing.
    #[must_use]
    pub fn day(&self, zone: Zone) -> Option<NaiveDate> {
        match *self {
            Due::EndOfDay { date, .. } => Some(date),
            Due::Instant { at } => Some(local_date(at, zone)),
            Due::WindowCloses { at } => Some(local_date(at.checked_sub_signed(TimeDelta::nanoseconds(1))?, zone)),
            Due::Standing => None,
        }
    }

    /// Where an obligation with this due stands at `now`, judging "today" in `zone`.
    ///
    /// # Example
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use gdpr_obligations::agenda::{Due, ObligationState};
    /// use gdpr_obligations::time::Zone;
    ///
    /// let due = Due::Instant { at: "2026-03-16T18:30:00Z".parse()? };
    /// let at = |s: &str| s.parse::<DateTime<Utc>>();
    /// assert_eq!(due.state(at("2026-03-15T12:00:00Z")?, Zone::EUROPE_PRAGUE), ObligationState::Upcoming);
    /// assert_eq!(due.state(at("2026-03-16T08:00:00Z")?, Zone::EUROPE_PRAGUE), ObligationState::DueToday);
    /// assert_eq!(due.state(at("2026-03-16T18:30:00Z")?, Zone::EUROPE_PRAGUE), ObligationState::DueToday);
    /// assert_eq!(due.state(at("2026-03-16T18:30:01Z")?, Zone::EUROPE_PRAGUE), ObligationState::Overdue);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    #[must_use]
    pub fn state(&self, now: DateTime<Utc>, zone: Zone) -> ObligationState {
        if matches!(self, Due::Standing) {
            ObligationState::Standing
        } else if self.is_overdue(now) {
            ObligationState::Overdue
        } else if self.day(zone) == Some(local_date(now, zone)) {
            ObligationState::DueToday
        } else {
            ObligationState::Upcoming
        }
    }
}

/// The date of `instant` in `zone`, or its UTC date at the very ends of chrono's range.
fn local_date(instant: DateTime<Utc>, zone: Zone) -> NaiveDate {
    receipt_date(instant, zone).unwrap_or_else(|_| instant.date_naive())
}

impl ObligationState {
    /// The name as in JSON, e.g. `due_today`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            ObligationState::Overdue => "overdue",
            ObligationState::DueToday => "due_today",
            ObligationState::Upcoming => "upcoming",
            ObligationState::Standing => "standing",
        }
    }
}

impl fmt::Display for ObligationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
