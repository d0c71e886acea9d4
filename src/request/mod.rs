//! Data-subject requests (Arts. 12, 15-22 and 7(3)) as a pure, event-sourced state machine that a
//! chat backend cannot drive into an unlawful state.
//!
//! A visitor writes "delete me" into the chat. The backend records a [`Command`], [`decide`]
//! answers with the [`Event`]s it causes or a [`Rejection`] naming the state, the step and the
//! article, and [`evolve`] folds the events into a [`Request`]. The events are the request's audit
//! trail (Art. 5(2)); its state is a pure function of them ([`Request::replay`]). Nothing here
//! does IO or reads the clock: every command carries its instant.
//!
//! - Kinds ([`RequestKind`]): access (Art. 15), rectification (16), erasure with its Art. 17(1)
//!   [`ErasureGround`], restriction with its Art. 18(1) [`RestrictionGround`], portability (20),
//!   objection (21, [`ObjectionGround`]; direct marketing is absolute), automated-decision review
//!   (22) and consent withdrawal (7(3)).
//! - Whether the right exists for the [`Processing`] concerned comes from
//!   [`vocab::rights`](crate::vocab::rights); a request for a right that does not is received and
//!   answered with a refusal naming the article, never dropped.
//! - Deadlines come from the [`DeadlinePolicy`](crate::time::DeadlinePolicy) carried in the
//!   [`Receipt`], so replay is deterministic: [`Request::deadlines`], [`Request::is_overdue`],
//!   [`Request::time_left`].
//! - Every [`Event::Refused`] carries the [`ComplaintInformation`] of Art. 12(4): the field is
//!   required and cannot be empty.
//!
//! # Readings chosen where the law is open
//!
//! - **A request a processor receives** ([`Receiver::Processor`]) waits for forwarding under
//!   Art. 28(3)(e). The controller's month always runs from the processor's receipt: the
//!   processor is a channel of the controller, the EDPB (Guidelines 01/2022 §159) does not
//!   require the controller to be aware of a request for the time to run, and a contract between
//!   controller and processor cannot shorten the data subject's statutory period.
//! - **Identity pauses** follow the policy's [`IdentityPause`](crate::time::IdentityPause): each
//!   identity request and the answer (or the recorded failure) that ends it make one pause span,
//!   in the controller's local dates. The default policy pauses nothing. Clarification and fees do
//!   not pause the clock: the EDPB's suspension is stated for identity, and the crate takes the
//!   conservative side.
//!
//! # Example
//! ```
//! use chrono::{DateTime, Utc};
//! use gdpr_obligations::model::{PartyId, Text};
//! use gdpr_obligations::request::{
//!     Channel, Command, ComplaintInformation, Event, Processing, Receipt, RefusalGround, Request,
//!     RequestKind, StatusName, decide,
//! };
//! use gdpr_obligations::time::DeadlinePolicy;
//! use gdpr_obligations::vocab::{LegalBasis, Purpose};
//!
//! // A visitor asks, in the chat, for their data in a portable format. The chat is processed on
//! // legitimate interests, so portability does not apply (Art. 20(1)(a)).
//! let receipt = Receipt::new(
//!     PartyId::generate(),
//!     "2026-03-13T17:45:00Z".parse()?,
//!     RequestKind::Portability,
//!     Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
//!     Channel::Chat,
//!     DeadlinePolicy::czech(),
//!     ComplaintInformation::new(
//!         Text::new("Úřad pro ochranu osobních údajů")?,
//!         Text::new("an action before the competent court (Art. 79 GDPR)")?,
//!     ),
//! );
//! let events = decide(None, &Command::Receive(Box::new(receipt)))?;
//! let Event::Refused { ground, complaint, .. } = &events[1] else { panic!("refused at once") };
//! assert_eq!(ground.article().to_string(), "Art. 20(1)(a)");
//! assert_eq!(complaint.article().to_string(), "Art. 12(4)");
//!
//! let request = Request::replay(&events).expect("received");
//! assert_eq!(request.status().name(), StatusName::Refused);
//! // A closed request accepts nothing more, and says what it would have needed.
//! let later: DateTime<Utc> = "2026-03-16T09:00:00Z".parse()?;
//! let rejection = request.decide(&Command::Start { at: later }).unwrap_err();
//! assert_eq!(rejection.needed, [StatusName::Open]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod command;
mod decide;
mod event;
mod kind;
mod state;

pub use command::{
    Channel, Command, CommandName, ComplaintInformation, ExtensionJustification, ExtensionReason, FeeGround, Receipt,
    Receiver, Reply,
};
pub use decide::{Rejection, decide};
pub use event::{CarriedOut, Event, Exemption, RefusalGround, Withheld, WithheldNotice};
pub use kind::{ErasureGround, ObjectionGround, Processing, RequestKind, RestrictionGround};
pub use state::{Extension, Identity, Request, Status, StatusName, evolve};

crate::model::typed_id!(
    /// Identifies a data-subject [`Request`].
    RequestId
);
