//! What happened to a breach: the events that are its register entry and its audit trail.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CommunicationException, CommunicationMethod, Detection, Facts, RiskLevel};
use crate::agreement::AgreementId;
use crate::model::Text;
use crate::vocab::Article;

/// A fact in the life of a breach. The events of a breach are its entry in the register
/// (Art. 33(5)) and its audit trail (Art. 5(2)); its state is a pure function of them
/// ([`Breach::replay`](super::Breach::replay)).
///
/// In JSON the variant is the `type` field: `{"type": "closed", "at": "…", "summary": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The keeper became aware of the breach and entered it in the register (Art. 33(5)).
    Detected(Box<Detection>),
    /// The risk was assessed (Art. 33(1), 34(1)).
    Assessed {
        /// When.
        at: DateTime<Utc>,
        /// The risk found.
        risk: RiskLevel,
        /// Why.
        reasons: Text,
    },
    /// Information was added in a later phase (Art. 33(4)).
    InformationAdded {
        /// When.
        at: DateTime<Utc>,
        /// What was added.
        facts: Box<Facts>,
    },
    /// The controller notified the supervisory authority (Art. 33(1)).
    AuthorityNotified {
        /// When.
        at: DateTime<Utc>,
        /// The authority.
        authority: Text,
        /// The reasons for a delay beyond 72 hours (Art. 33(1)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reasons_for_delay: Option<Text>,
    },
    /// The processor notified the party that engaged it under `agreement` (Art. 33(2)).
    PrincipalNotified {
        /// When.
        at: DateTime<Utc>,
        /// The agreement.
        agreement: AgreementId,
    },
    /// A point of Art. 34(3) was recorded as relieving the controller of telling each data
    /// subject.
    ExceptionRecorded {
        /// When.
        at: DateTime<Utc>,
        /// The point and how it is met.
        exception: CommunicationException,
    },
    /// The breach was communicated to the data subjects (Art. 34(1), 34(3)(c)).
    SubjectsCommunicated {
        /// When.
        at: DateTime<Utc>,
        /// Directly or publicly.
        method: CommunicationMethod,
        /// What was said.
        message: Text,
    },
    /// The register entry was closed with the remedial action taken (Art. 33(5)).
    Closed {
        /// When.
        at: DateTime<Utc>,
        /// The remedial action and outcome.
        summary: Text,
    },
}

impl Event {
    /// The instant the event happened.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::Detected(detection) => detection.aware_at,
            Event::Assessed { at, .. }
            | Event::InformationAdded { at, .. }
            | Event::AuthorityNotified { at, .. }
            | Event::PrincipalNotified { at, .. }
            | Event::ExceptionRecorded { at, .. }
            | Event::SubjectsCommunicated { at, .. }
            | Event::Closed { at, .. } => *at,
        }
    }

    /// The provision behind the step, for timelines and audit reports.
    #[must_use]
    pub fn article(&self) -> Article {
        let art33 = Article::gdpr(33);
        match self {
            Event::Detected(_) | Event::Closed { .. } => art33.paragraph(5),
            Event::Assessed { risk, .. } => risk.article(),
            Event::InformationAdded { .. } => art33.paragraph(4),
            Event::AuthorityNotified { .. } => art33.paragraph(1),
            Event::PrincipalNotified { .. } => art33.paragraph(2),
            Event::ExceptionRecorded { exception, .. } => exception.article(),
            Event::SubjectsCommunicated { method: CommunicationMethod::Public, .. } => {
                Article::gdpr(34).paragraph(3).point('c')
            }
            Event::SubjectsCommunicated { .. } => Article::gdpr(34).paragraph(1),
        }
    }
}
