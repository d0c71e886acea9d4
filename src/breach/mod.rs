//! Personal data breaches (Arts. 33, 34): the register, its clocks, the Art. 34 decision and
//! the fan-out of a processor's breach to every controller, as a pure, event-sourced state
//! machine.
//!
//! Every breach is documented, notified or not (Art. 33(5)). The keeper of a register entry
//! records a [`Command`]; [`decide`] answers with the [`Event`]s it causes or a [`Rejection`]
//! naming the state, the step and the article, and [`evolve`] folds the events into a
//! [`Breach`]. Nothing here does IO or reads the clock: every command carries its instant.
//!
//! - **Who is aware** ([`Awareness`]): a controller owes the supervisory authority its
//!   notification within 72 hours of awareness (Art. 33(1)) and the data subjects a
//!   communication when the risk is high (Art. 34); a processor owes each party that engaged it
//!   a notice without undue delay, within the hours its agreement sets (Art. 33(2)).
//! - **The facts** ([`Facts`]): nature, categories and approximate numbers of data subjects and
//!   records, contact point, likely consequences and measures, each field the element of
//!   Art. 33(3)(a)-(d) it answers; phases add to them and never remove (Art. 33(4));
//!   [`Facts::missing_for_notification`] lists each missing element with its point.
//! - **The risk** ([`RiskLevel`]): unlikely (documented, not notified), risk (notify the
//!   authority), high risk (also tell the data subjects); [`SubjectDecision`] applies
//!   Art. 34(1) and the exceptions of Art. 34(3)(a)-(c).
//! - **The clocks** ([`Breach::deadlines`], [`Breach::is_overdue`], [`Breach::time_left`]).
//! - **The fan-out** ([`FanOut`]): a processor's or sub-processor's breach, through the
//!   [`ProcessingChain`](crate::agreement::ProcessingChain), to every controller it reaches.
//!
//! # Readings chosen where the law is open
//!
//! - **72 hours are hours.** The controller's period is
//!   [`DeadlinePolicy::breach_deadline`](crate::time::DeadlinePolicy::breach_deadline) from the
//!   instant of awareness under the policy's [`BreachClock`](crate::time::BreachClock): by
//!   default exactly 72 hours later, never moved over weekends or holidays (Art. 3(4) of
//!   Regulation 1182/71 applies only to periods "expressed otherwise than in hours"). A
//!   notification at the due instant is in time.
//! - **An unassessed breach is notifiable.** The 72 hours run from awareness until an
//!   assessment finds the breach unlikely to result in a risk; only then is the clock skipped
//!   (Art. 33(1)), and the entry stays in the register (Art. 33(5)).
//! - **A controller informed by its processor becomes aware when the notice reaches it.** Its
//!   72 hours run from that notice, not from the processor's awareness: Art. 33(1) counts from
//!   the controller "having become aware", and Art. 33(2) makes the processor's notice the way
//!   the controller learns. This follows the Article 29 Working Party's breach guidelines
//!   (WP250 rev.01, endorsed by the EDPB: the controller "should be considered as 'aware' once
//!   the processor has informed it"; quoted from memory, check before citing). [`FanOut`] plans
//!   with the latest lawful notice instants; each register entry counts from its own actual
//!   awareness.
//! - **"Without undue delay" with no agreed hours is due at once.** Art. 33(2) sets no hour
//!   count; where the agreement sets no `breach_notice_hours` the notice is due at the instant
//!   of awareness ([`NoticePeriod::WithoutUndueDelay`]), so any later notice is reported late
//!   and must be explained, and the controller's clock is planned from the processor's own
//!   awareness. An agreement without the hours is deficient anyway
//!   ([`Element::BreachNotice`](crate::agreement::Element::BreachNotice)).
//! - **A sub-processor notifies the processor that engaged it**, which notifies its own
//!   principal, up to the controller (Art. 28(4) and Clause 9.2 of the clauses of Decision (EU)
//!   2021/915): each hop has its own agreement and period.
//! - **A notification needs at least the nature of the breach** (Art. 33(3)(a)); the other
//!   elements may follow in phases (Art. 33(4)) and are listed as missing until they do. A
//!   communication to the data subjects needs the nature and Art. 33(3)(b)-(d) at once
//!   (Art. 34(2)).
//! - **Not modelled**: the supervisory authority's power to require a communication or to find
//!   an Art. 34(3) condition met (Art. 34(4)); record its decision in the facts.
//!
//! # Example
//! ```
//! use chrono::{DateTime, TimeDelta, Utc};
//! use gdpr_obligations::breach::{
//!     Awareness, Breach, Command, Detection, Facts, RiskLevel, SubjectDuty, decide,
//! };
//! use gdpr_obligations::model::{PartyId, Text};
//! use gdpr_obligations::time::DeadlinePolicy;
//!
//! // Friday 13 March 2026, 19:30 in Prague: a web shop learns its chat transcripts leaked.
//! let aware: DateTime<Utc> = "2026-03-13T18:30:00Z".parse()?;
//! let facts = Facts { nature: Some(Text::new("chat transcripts readable through a public link")?), ..Facts::default() };
//! let detection =
//!     Detection::new(Awareness::Controller { controller: PartyId::generate() }, aware, DeadlinePolicy::czech())
//!         .with_facts(facts);
//! let mut events = decide(None, &Command::Detect(Box::new(detection)))?;
//! let breach = Breach::replay(&events).expect("detected");
//! // Monday 19:30: 72 hours, the weekend counted like any other hours.
//! assert_eq!(breach.time_left(aware), Some(TimeDelta::hours(72)));
//!
//! let assess = Command::Assess {
//!     at: aware + TimeDelta::hours(3),
//!     risk: RiskLevel::HighRisk,
//!     reasons: Text::new("the transcripts hold health questions with names and e-mail addresses")?,
//! };
//! events.extend(breach.decide(&assess)?);
//! let breach = Breach::replay(&events).expect("detected");
//! let decision = breach.subject_decision().expect("a controller's entry");
//! assert_eq!(decision.duty, SubjectDuty::Direct);
//! assert_eq!(decision.reasons[0].article.to_string(), "Art. 34(1)");
//! assert!(breach.is_overdue(aware + TimeDelta::hours(73)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod command;
mod decide;
mod event;
mod facts;
mod fan_out;
mod state;

pub use command::{
    Assessment, Awareness, Command, CommandName, CommunicationException, CommunicationMethod, Detection, NoticeDuty,
    NoticePeriod, ProcessorNotice, RiskLevel,
};
pub use decide::{Rejection, decide};
pub use event::Event;
pub use facts::{Facts, Measure, MeasureStatus, Missing, NotificationElement};
pub use fan_out::{ControllerReach, FanOut, NoticeHop};
pub use state::{
    AuthorityNotice, Breach, BreachDeadline, Closure, Communication, Duty, PrincipalNotice, Reason, RecordedException,
    StatusName, SubjectDecision, SubjectDuty, evolve,
};

crate::model::typed_id!(
    /// Identifies a personal data [`Breach`] in a register.
    BreachId
);
