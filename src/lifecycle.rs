//! The one shape of the crate's event-sourced state machines: a data-subject request, a
//! personal data breach and a consent are each a [`Lifecycle`].
//!
//! A lifecycle is pure: [`decide_on`](Lifecycle::decide_on) answers a command with the events it
//! causes or a rejection that names the transition, the state and the article, and
//! [`evolve_with`](Lifecycle::evolve_with) folds events into the state without checking them. The state
//! is a pure function of the events ([`Lifecycle::replay_events`]), so the events are the audit trail
//! (Art. 5(2)). Storage, compare-and-swap and retries live one layer up, in one generic
//! [`execute`](crate::store::LedgerStoreExt::execute) for every lifecycle, and the tests of
//! every lifecycle share one given/when/then harness (`testkit::given`).
//!
//! # Example
//! ```
//! use gdpr_obligations::lifecycle::Lifecycle;
//! use gdpr_obligations::model::{PartyId, Text};
//! use gdpr_obligations::request::{Channel, Command, ComplaintInformation, Processing, Receipt, Request, RequestKind};
//! use gdpr_obligations::time::DeadlinePolicy;
//! use gdpr_obligations::vocab::{LegalBasis, Purpose};
//!
//! let controller = PartyId::generate();
//! let receipt = Receipt::new(
//!     controller,
//!     "2026-03-13T17:45:00Z".parse()?,
//!     RequestKind::Access,
//!     Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
//!     Channel::Chat,
//!     DeadlinePolicy::czech(),
//!     ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
//! );
//! let events = Request::decide_on(None, &Command::Receive(Box::new(receipt)))?;
//! let request = Request::replay(&events).expect("received");
//! assert_eq!(request.owner(), controller);
//! // A request cannot complete before it is carried out: the rejection names what it needed.
//! let rejection = Request::decide_on(Some(&request), &Command::Start { at: "2026-03-12T09:00:00Z".parse()? });
//! assert!(rejection.is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::PartyId;
use crate::vocab::Article;

/// A rejected transition of a [`Lifecycle`]: every rejection names the transition attempted,
/// the state it met and, where a rule of the Regulation is behind it, the article.
pub trait Rejected: std::error::Error + Clone + Send + Sync + 'static {
    /// The provision behind the rejection, where there is one.
    fn article(&self) -> Option<Article>;
    /// The transition attempted, as its command is named (`start`, `withdraw`, ...).
    fn transition(&self) -> String;
    /// The state the lifecycle was in, as it is named (`open`, `given`, ...).
    fn state(&self) -> String;
}

/// An event-sourced state machine of the crate: a request (Arts. 12, 15-22), a breach
/// (Arts. 33, 34) or a consent (Art. 7).
///
/// Implementations are pure (no IO, no clock: time comes in the command) and follow three
/// rules, which `execute` and the testkit harness rely on:
/// - `decide(None, c)` accepts only the command that creates the state, and its first event
///   makes `evolve(None, e)` return `Some`;
/// - `evolve` applies what `decide` returned without checking it;
/// - [`owner`](Lifecycle::owner) is fixed by the creating event: the party in whose scope the
///   state lives (the controller that must answer a request, the party that keeps a breach
///   register, the controller that obtained a consent).
pub trait Lifecycle: Clone + fmt::Debug + Sized + Send + Sync + 'static {
    /// The typed id that names one state machine.
    type Id: Copy + Eq + fmt::Display + fmt::Debug + Send + Sync + 'static;
    /// What a caller asks.
    type Command: fmt::Debug + Send + Sync;
    /// What happened: what the ledger stores.
    type Event: Clone + fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static;
    /// Why a command was not accepted.
    type Rejection: Rejected;

    /// What one is called in messages: `request`, `breach`, `consent`.
    const NAME: &'static str;

    /// The events `command` causes on `state` (`None` before the creating command), or why it is
    /// rejected.
    ///
    /// # Errors
    /// The lifecycle's rejection, naming the transition, the state and the article.
    fn decide_on(state: Option<&Self>, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Rejection>;

    /// The state after `event`; `None` while nothing has created it.
    #[must_use]
    fn evolve_with(state: Option<Self>, event: &Self::Event) -> Option<Self>;

    /// Its id.
    fn lifecycle_id(&self) -> Self::Id;

    /// The party in whose scope it lives.
    fn owner(&self) -> PartyId;

    /// When `event` happened.
    fn event_at(event: &Self::Event) -> DateTime<Utc>;

    /// The state the events leave, or `None` when they do not start with a creating event.
    #[must_use]
    fn replay_events<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Option<Self> {
        events.into_iter().fold(None, Self::evolve_with)
    }
}
