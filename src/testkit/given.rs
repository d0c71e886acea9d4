//! One given/when/then harness for every [`Lifecycle`]: requests, breaches and consents are
//! tested the same way, one test per legal rule.
//!
//! ```
//! use gdpr_obligations::consent::{Consent, ConsentCommand, ConsentMethod, ConsentRecord, GivenBy, SubjectAge};
//! use gdpr_obligations::model::{Digest, PartyId, SubjectId};
//! use gdpr_obligations::testkit::given;
//! use gdpr_obligations::vocab::{Country, Purpose};
//!
//! let record = ConsentRecord::builder(PartyId::generate(), SubjectId::generate(), Purpose::Marketing)
//!     .at("2026-03-01T09:00:00Z".parse()?)
//!     .method(ConsentMethod::ChatWidgetCheckbox)
//!     .notice(Digest::of_text("We will send you offers by e-mail."))
//!     .given_by(GivenBy::Subject)
//!     .subject_age(SubjectAge::Adult)
//!     .country(Country::CZ)
//!     .build()?;
//! // A withdrawal dated before the consent is rejected under Art. 7(3) ...
//! let early = ConsentCommand::Withdraw { at: "2026-02-01T09:00:00Z".parse()?, method: ConsentMethod::ChatWidgetCheckbox };
//! given::<Consent>([ConsentCommand::Give(record.clone())]).when(early).then_rejected_under("Art. 7(3)");
//! // ... and a withdrawal after it takes effect when made.
//! let later = ConsentCommand::Withdraw { at: "2026-03-02T09:00:00Z".parse()?, method: ConsentMethod::ChatWidgetCheckbox };
//! let consent = given::<Consent>([ConsentCommand::Give(record)]).when(later).then_accepted();
//! assert!(consent.withdrawn().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::lifecycle::{Lifecycle, Rejected};

/// The state the `given` commands left, with the events they caused.
#[derive(Debug, Clone)]
pub struct Given<A: Lifecycle> {
    state: Option<A>,
    events: Vec<A::Event>,
}

/// What `when` returned, with the state before it.
#[derive(Debug)]
#[must_use = "a `When` asserts nothing until one of its `then_` methods is called"]
pub struct When<A: Lifecycle> {
    before: Option<A>,
    result: Result<Vec<A::Event>, A::Rejection>,
}

/// Runs the set-up commands through [`Lifecycle::decide_on`] and [`Lifecycle::evolve_with`]. Name
/// the lifecycle (`given::<Request>(..)`): a command type alone does not say which it is.
///
/// # Panics
/// When a set-up command is rejected: the test's premise does not hold.
#[track_caller]
pub fn given<A: Lifecycle>(commands: impl IntoIterator<Item = A::Command>) -> Given<A> {
    let mut state = None;
    let mut events = Vec::new();
    for command in commands {
        let caused = A::decide_on(state.as_ref(), &command)
            .unwrap_or_else(|r| panic!("given {} command {command:?} was rejected: {r}", A::NAME));
        state = caused.iter().fold(state, A::evolve_with);
        events.extend(caused);
    }
    Given { state, events }
}

impl<A: Lifecycle> Given<A> {
    /// Decides `command` on the given state.
    pub fn when(self, command: A::Command) -> When<A> {
        When { result: A::decide_on(self.state.as_ref(), &command), before: self.state }
    }

    /// The state, `None` when nothing created it.
    #[must_use]
    pub fn state(&self) -> Option<&A> {
        self.state.as_ref()
    }

    /// The state.
    ///
    /// # Panics
    /// When the given commands created nothing.
    #[must_use]
    #[track_caller]
    pub fn created(&self) -> &A {
        self.state.as_ref().unwrap_or_else(|| panic!("the given commands created no {}", A::NAME))
    }

    /// Every event the given commands caused, in order.
    #[must_use]
    pub fn events(&self) -> &[A::Event] {
        &self.events
    }
}

impl<A: Lifecycle> When<A> {
    /// The result as `decide` returned it.
    pub fn result(&self) -> &Result<Vec<A::Event>, A::Rejection> {
        &self.result
    }

    /// The state before the command.
    #[must_use]
    pub fn before(&self) -> Option<&A> {
        self.before.as_ref()
    }

    /// The command was accepted; returns the events it caused.
    ///
    /// # Panics
    /// When it was rejected.
    #[track_caller]
    pub fn then_events(self) -> Vec<A::Event> {
        self.result.unwrap_or_else(|r| panic!("the {} command was rejected: {r}", A::NAME))
    }

    /// The command was accepted; returns the state after it.
    ///
    /// # Panics
    /// When it was rejected, or left nothing created.
    #[track_caller]
    pub fn then_accepted(self) -> A {
        let before = self.before;
        let events = self.result.unwrap_or_else(|r| panic!("the {} command was rejected: {r}", A::NAME));
        events.iter().fold(before, A::evolve_with).unwrap_or_else(|| panic!("no {} after the command", A::NAME))
    }

    /// The command was rejected; returns the rejection.
    ///
    /// # Panics
    /// When it was accepted.
    #[track_caller]
    pub fn then_rejected(self) -> A::Rejection {
        match self.result {
            Ok(events) => panic!("the {} command should be rejected, and caused {events:?}", A::NAME),
            Err(r) => r,
        }
    }

    /// The command was rejected under `article` (as it prints, `Art. 12(3)`), and the message
    /// starts with it.
    ///
    /// # Panics
    /// When it was accepted, or rejected under another article or none.
    #[track_caller]
    pub fn then_rejected_under(self, article: &str) -> A::Rejection {
        let rejection = self.then_rejected();
        assert_eq!(rejection.article().map(|a| a.to_string()).as_deref(), Some(article), "{rejection}");
        assert!(rejection.to_string().starts_with(article), "{rejection}");
        rejection
    }
}
