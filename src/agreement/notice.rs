//! The lifecycle of a sub-processor change under general authorisation (Art. 28(2)).

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AgreementId, ProcessingAgreement, SubProcessorAuthorisation};
use crate::model::{PartyId, typed_id};
use crate::vocab::Article;

typed_id!(
    /// Identifies a [`ChangeNotice`].
    ChangeNoticeId
);

/// The processor's notice of an intended addition or replacement of a sub-processor, which
/// gives the controller the opportunity to object (Art. 28(2), second sentence; Clause 7.7(a)
/// Option 2 of Decision (EU) 2021/915).
///
/// Proposed → notified (the objection window runs) → effective when the window has passed
/// without objection, or objected. The window is the agreement's number of days counted as
/// whole 24-hour days from the notification instant: a contractual period, to which
/// Regulation 1182/71 does not apply.
///
/// # Example
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use gdpr_obligations::agreement::{AgreementFacts, ChangeNotice, ChangeNoticeStatus, ProcessingAgreement};
/// use gdpr_obligations::model::PartyId;
///
/// let facts = AgreementFacts::unknown();
/// let agreement = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), facts);
/// let translator = PartyId::generate();
/// let t0: DateTime<Utc> = "2026-03-02T09:00:00Z".parse()?;
/// let notice = ChangeNotice::propose(&agreement, translator, None, t0)?.notify(&agreement, t0)?;
/// assert!(matches!(notice.status_at(t0 + TimeDelta::days(3)), ChangeNoticeStatus::ObjectionWindow { .. }));
/// assert!(matches!(notice.status_at(t0 + TimeDelta::days(14)), ChangeNoticeStatus::Effective { .. }));
///
/// // An objection after the window has closed is refused, and says why.
/// let late = notice.object(t0 + TimeDelta::days(15), "too late").unwrap_err();
/// assert_eq!(late.article.to_string(), "Art. 28(2)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<ChangeNoticeRepr>", into = "ChangeNoticeRepr")]
pub struct ChangeNotice(ChangeNoticeRepr);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
struct ChangeNoticeRepr {
    id: ChangeNoticeId,
    agreement: AgreementId,
    sub_processor: PartyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replaces: Option<PartyId>,
    proposed_at: DateTime<Utc>,
    #[serde(flatten)]
    state: ChangeNoticeState,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
enum ChangeNoticeState {
    Proposed,
    Notified {
        notified_at: DateTime<Utc>,
        objection_deadline: DateTime<Utc>,
    },
    Objected {
        notified_at: DateTime<Utc>,
        objection_deadline: DateTime<Utc>,
        objected_at: DateTime<Utc>,
        reason: String,
    },
}

/// Where a [`ChangeNotice`] stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeNoticeStatus {
    /// Drafted but not yet sent to the controller: the sub-processor may not be engaged.
    Proposed,
    /// Sent; the controller may object until `until`: the sub-processor may not be engaged yet.
    ObjectionWindow {
        /// When the window closes.
        until: DateTime<Utc>,
    },
    /// The window passed without objection: the sub-processor is authorised since `since`.
    Effective {
        /// When the window closed.
        since: DateTime<Utc>,
    },
    /// The controller objected: the sub-processor may not be engaged.
    Objected,
}

/// A transition of a [`ChangeNotice`] that was refused: which state it was in, what was
/// attempted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("{article}: cannot {attempted} a change notice that is {state}: {reason}")]
#[non_exhaustive]
pub struct ChangeNoticeError {
    /// The state the notice was in (`proposed`, `notified`, `objected`, or `none` for a
    /// notice that could not be created).
    pub state: &'static str,
    /// The transition attempted.
    pub attempted: &'static str,
    /// Why it was refused.
    pub reason: String,
    /// The provision behind the refusal.
    pub article: Article,
}

const ART_28_2: Article = Article::gdpr(28).paragraph(2);

fn window_days(agreement: &ProcessingAgreement) -> Option<u16> {
    match &agreement.sub_processing {
        Some(SubProcessorAuthorisation::General { objection_window_days, .. }) if *objection_window_days > 0 => {
            Some(*objection_window_days)
        }
        _ => None,
    }
}

impl ChangeNotice {
    /// Drafts a notice of adding `sub_processor` (replacing `replaces`, if any) under
    /// `agreement`.
    ///
    /// # Errors
    /// [`ChangeNoticeError`] when the agreement does not give general authorisation with an objection
    /// window: under prior specific authorisation a new sub-processor needs a new specific
    /// authorisation, and under prohibition none may be engaged (Art. 28(2)).
    pub fn propose(
        agreement: &ProcessingAgreement,
        sub_processor: PartyId,
        replaces: Option<PartyId>,
        at: DateTime<Utc>,
    ) -> Result<Self, ChangeNoticeError> {
        if window_days(agreement).is_none() {
            return Err(ChangeNoticeError {
                state: "none",
                attempted: "propose",
                reason: "the agreement gives no general authorisation with an objection window".to_owned(),
                article: ART_28_2,
            });
        }
        Ok(Self(ChangeNoticeRepr {
            id: ChangeNoticeId::generate(),
            agreement: agreement.id,
            sub_processor,
            replaces,
            proposed_at: at,
            state: ChangeNoticeState::Proposed,
        }))
    }

    /// Sends the notice at `at`; the objection window of `agreement` starts to run.
    ///
    /// # Errors
    /// [`ChangeNoticeError`] when the notice was already sent, is for another agreement, or
    /// the agreement gives no objection window, or `at` is before the proposal.
    pub fn notify(self, agreement: &ProcessingAgreement, at: DateTime<Utc>) -> Result<Self, ChangeNoticeError> {
        let refuse = |reason: &str| Err(self.refusal("notify", reason));
        if !matches!(self.0.state, ChangeNoticeState::Proposed) {
            return refuse("it was already sent");
        }
        if agreement.id != self.0.agreement {
            return refuse("the agreement given is not the one the notice was proposed under");
        }
        if at < self.0.proposed_at {
            return refuse("it cannot be sent before it was proposed");
        }
        let Some(days) = window_days(agreement) else {
            return refuse("the agreement gives no objection window");
        };
        let Some(deadline) = at.checked_add_signed(TimeDelta::days(i64::from(days))) else {
            return refuse("the objection window ends beyond the supported dates");
        };
        let mut next = self.0;
        next.state = ChangeNoticeState::Notified { notified_at: at, objection_deadline: deadline };
        Ok(Self(next))
    }

    /// Records the controller's objection at `at`.
    ///
    /// # Errors
    /// [`ChangeNoticeError`] when the notice was not sent, was already objected to, or the objection
    /// window closed before `at` (Art. 28(2)).
    pub fn object(self, at: DateTime<Utc>, reason: &str) -> Result<Self, ChangeNoticeError> {
        match self.0.state {
            ChangeNoticeState::Notified { notified_at, objection_deadline }
                if at >= notified_at && at < objection_deadline =>
            {
                let mut next = self.0;
                next.state = ChangeNoticeState::Objected {
                    notified_at,
                    objection_deadline,
                    objected_at: at,
                    reason: reason.to_owned(),
                };
                Ok(Self(next))
            }
            ChangeNoticeState::Notified { objection_deadline, .. } if at >= objection_deadline => {
                Err(self.refusal("object to", &format!("the objection window closed at {objection_deadline}")))
            }
            ChangeNoticeState::Notified { .. } => {
                Err(self.refusal("object to", "the objection is dated before the notice"))
            }
            ChangeNoticeState::Proposed => Err(self.refusal("object to", "it has not been sent")),
            ChangeNoticeState::Objected { .. } => Err(self.refusal("object to", "the controller already objected")),
        }
    }

    /// Where the notice stands at `now`.
    #[must_use]
    pub fn status_at(&self, now: DateTime<Utc>) -> ChangeNoticeStatus {
        match &self.0.state {
            ChangeNoticeState::Proposed => ChangeNoticeStatus::Proposed,
            ChangeNoticeState::Notified { objection_deadline, .. } if now < *objection_deadline => {
                ChangeNoticeStatus::ObjectionWindow { until: *objection_deadline }
            }
            ChangeNoticeState::Notified { objection_deadline, .. } => {
                ChangeNoticeStatus::Effective { since: *objection_deadline }
            }
            ChangeNoticeState::Objected { .. } => ChangeNoticeStatus::Objected,
        }
    }

    /// The notice's id.
    #[must_use]
    pub fn id(&self) -> ChangeNoticeId {
        self.0.id
    }
    /// The agreement whose general authorisation it relies on.
    #[must_use]
    pub fn agreement(&self) -> AgreementId {
        self.0.agreement
    }
    /// The sub-processor to be engaged.
    #[must_use]
    pub fn sub_processor(&self) -> PartyId {
        self.0.sub_processor
    }
    /// The sub-processor it replaces, if any.
    #[must_use]
    pub fn replaces(&self) -> Option<PartyId> {
        self.0.replaces
    }
    /// When the objection window closes, once the notice is sent.
    #[must_use]
    pub fn objection_deadline(&self) -> Option<DateTime<Utc>> {
        match &self.0.state {
            ChangeNoticeState::Proposed => None,
            ChangeNoticeState::Notified { objection_deadline, .. }
            | ChangeNoticeState::Objected { objection_deadline, .. } => Some(*objection_deadline),
        }
    }

    fn state_name(&self) -> &'static str {
        match self.0.state {
            ChangeNoticeState::Proposed => "proposed",
            ChangeNoticeState::Notified { .. } => "notified",
            ChangeNoticeState::Objected { .. } => "objected",
        }
    }

    fn refusal(&self, attempted: &'static str, reason: &str) -> ChangeNoticeError {
        ChangeNoticeError { state: self.state_name(), attempted, reason: reason.to_owned(), article: ART_28_2 }
    }
}

impl fmt::Display for ChangeNoticeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeNoticeStatus::Proposed => f.write_str("proposed"),
            ChangeNoticeStatus::ObjectionWindow { until } => write!(f, "objection window open until {until}"),
            ChangeNoticeStatus::Effective { since } => write!(f, "effective since {since}"),
            ChangeNoticeStatus::Objected => f.write_str("objected"),
        }
    }
}

crate::vocab::try_from_object!(ChangeNotice, ChangeNoticeRepr);

impl TryFrom<ChangeNoticeRepr> for ChangeNotice {
    type Error = ChangeNoticeError;
    fn try_from(r: ChangeNoticeRepr) -> Result<Self, ChangeNoticeError> {
        let consistent = match &r.state {
            ChangeNoticeState::Proposed => true,
            ChangeNoticeState::Notified { notified_at, objection_deadline } => {
                r.proposed_at <= *notified_at && notified_at < objection_deadline
            }
            ChangeNoticeState::Objected { notified_at, objection_deadline, objected_at, .. } => {
                r.proposed_at <= *notified_at && notified_at <= objected_at && objected_at < objection_deadline
            }
        };
        let notice = ChangeNotice(r);
        if consistent { Ok(notice) } else { Err(notice.refusal("read", "its instants are out of order")) }
    }
}

impl From<ChangeNotice> for ChangeNoticeRepr {
    fn from(n: ChangeNotice) -> Self {
        n.0
    }
}
