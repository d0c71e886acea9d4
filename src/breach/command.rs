//! What the register keeper asks the lifecycle to do, and the values the steps carry.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BreachId, Facts};
use crate::agreement::{AgreementId, ProcessingAgreement};
use crate::model::{PartyId, Text};
use crate::time::{DeadlinePolicy, TimeError};
use crate::vocab::Article;

/// [`Facts`] as a command brings them in: refuses a field `Facts` does not have, which the
/// stored facts of an event ignore.
fn strict_facts<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Box<Facts>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    if let serde_json::Value::Object(fields) = &value {
        let schema = schemars::schema_for!(Facts);
        let known = schema.get("properties").and_then(|p| p.as_object());
        if let Some(unknown) = fields.keys().find(|k| !known.is_some_and(|p| p.contains_key(k.as_str()))) {
            return Err(serde::de::Error::custom(format!("unknown field `{unknown}` in the facts")));
        }
    }
    serde_json::from_value(value).map(Box::new).map_err(serde::de::Error::custom)
}

/// An instruction to the lifecycle of one breach, at the instant `at` it happens. [`decide`]
/// answers with the events it causes or a [`Rejection`].
///
/// In JSON the variant is the `type` field: `{"type": "assess", "at": "…", "risk": "high_risk",
/// "reasons": "…"}`.
///
/// [`decide`]: super::decide
/// [`Rejection`]: super::Rejection
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    /// Enter a breach in the register at the instant the keeper became aware of it
    /// (Art. 33(5): every breach is documented, notified or not).
    Detect(Box<Detection>),
    /// Record the assessment of the risk to the rights and freedoms of natural persons, with its
    /// reasons: it decides whether the authority is notified (Art. 33(1)) and the data subjects
    /// told (Art. 34(1)). A later assessment replaces an earlier one.
    Assess {
        /// When.
        at: DateTime<Utc>,
        /// The risk found.
        risk: RiskLevel,
        /// Why, as the keeper would show it to the supervisory authority (Art. 33(5)).
        reasons: Text,
    },
    /// Add information in a later phase (Art. 33(4)); after the authority was notified, this is
    /// the further information sent to it.
    AddInformation {
        /// When.
        at: DateTime<Utc>,
        /// What is new. An input, so a field `Facts` does not have is refused here, while the
        /// facts the register stores ignore one (so that an older binary still reads them).
        #[serde(deserialize_with = "strict_facts")]
        facts: Box<Facts>,
    },
    /// The controller notified the competent supervisory authority (Art. 33(1), Art. 55).
    NotifyAuthority {
        /// When the notification was sent.
        at: DateTime<Utc>,
        /// The authority notified.
        authority: Text,
        /// The reasons for the delay, required when the notification is later than 72 hours
        /// after awareness (Art. 33(1)).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reasons_for_delay: Option<Text>,
    },
    /// The processor notified the party that engaged it under `agreement`: the controller
    /// (Art. 33(2)), or for a sub-processor the processor above it (Art. 28(4)).
    NotifyPrincipal {
        /// When the notice was sent.
        at: DateTime<Utc>,
        /// The agreement under which the notice is owed: one of the breach's [`NoticeDuty`]s.
        agreement: AgreementId,
    },
    /// Record that a high-risk breach need not be communicated to the data subjects, under a
    /// point of Art. 34(3).
    RecordException {
        /// When.
        at: DateTime<Utc>,
        /// The point and how it is met.
        exception: CommunicationException,
    },
    /// The controller communicated the breach to the data subjects (Art. 34(1)), or publicly
    /// (Art. 34(3)(c)).
    CommunicateToSubjects {
        /// When.
        at: DateTime<Utc>,
        /// Directly to each data subject, or publicly.
        method: CommunicationMethod,
        /// What was said, in a sentence for the register.
        message: Text,
    },
    /// Close the register entry with the remedial action taken (Art. 33(5)).
    Close {
        /// When.
        at: DateTime<Utc>,
        /// The remedial action taken and the outcome.
        summary: Text,
    },
}

/// The name of a [`Command`] variant, as in its JSON `type`: what a [`Rejection`] says was
/// attempted.
///
/// [`Rejection`]: super::Rejection
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[expect(missing_docs, reason = "each variant is the name of the `Command` variant of the same name")]
pub enum CommandName {
    Detect,
    Assess,
    AddInformation,
    NotifyAuthority,
    NotifyPrincipal,
    RecordException,
    CommunicateToSubjects,
    Close,
}

impl Command {
    /// The instant the command happens.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Command::Detect(detection) => detection.aware_at,
            Command::Assess { at, .. }
            | Command::AddInformation { at, .. }
            | Command::NotifyAuthority { at, .. }
            | Command::NotifyPrincipal { at, .. }
            | Command::RecordException { at, .. }
            | Command::CommunicateToSubjects { at, .. }
            | Command::Close { at, .. } => *at,
        }
    }

    /// The command's name.
    #[must_use]
    pub fn name(&self) -> CommandName {
        match self {
            Command::Detect(_) => CommandName::Detect,
            Command::Assess { .. } => CommandName::Assess,
            Command::AddInformation { .. } => CommandName::AddInformation,
            Command::NotifyAuthority { .. } => CommandName::NotifyAuthority,
            Command::NotifyPrincipal { .. } => CommandName::NotifyPrincipal,
            Command::RecordException { .. } => CommandName::RecordException,
            Command::CommunicateToSubjects { .. } => CommandName::CommunicateToSubjects,
            Command::Close { .. } => CommandName::Close,
        }
    }
}

impl CommandName {
    /// The name as in JSON, e.g. `notify_authority`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            CommandName::Detect => "detect",
            CommandName::Assess => "assess",
            CommandName::AddInformation => "add_information",
            CommandName::NotifyAuthority => "notify_authority",
            CommandName::NotifyPrincipal => "notify_principal",
            CommandName::RecordException => "record_exception",
            CommandName::CommunicateToSubjects => "communicate_to_subjects",
            CommandName::Close => "close",
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::vocab::object_struct! {
/// Everything known when a breach enters the register: who became aware and when, how they
/// learned of it, the rules its clocks follow, and the first facts. Carried whole in the
/// [`Detected`](super::Event::Detected) event, so that replaying the events needs nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Detection {
    /// The breach's id in this register.
    pub id: BreachId,
    /// When the keeper became aware of the breach: the controller's 72 hours (Art. 33(1)) and a
    /// processor's notice periods (Art. 33(2)) run from here. A controller informed by its
    /// processor becomes aware when the notice reaches it (see the [module](super) docs).
    pub aware_at: DateTime<Utc>,
    /// Who became aware, and in which role.
    pub aware: Awareness,
    /// The notice through which the keeper learned of the breach, when another processor in
    /// the chain found it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub informed_by: Option<ProcessorNotice>,
    /// When the breach itself happened, if known (Art. 33(5): the facts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// How the clocks are counted (the [`BreachClock`](crate::time::BreachClock) reading of
    /// hours, the zone for strict hours).
    pub policy: DeadlinePolicy,
    /// What is known at detection; more may follow in phases (Art. 33(4)).
    #[serde(default)]
    pub facts: Facts,
}
}

impl Detection {
    /// A detection with a new id: `aware` became aware at `aware_at`, and its clocks follow
    /// `policy`. Nothing else is known yet; the `with_*` methods add what is.
    ///
    /// # Example
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use gdpr_obligations::breach::{Awareness, Detection, Facts};
    /// use gdpr_obligations::model::{PartyId, Text};
    /// use gdpr_obligations::time::DeadlinePolicy;
    ///
    /// let shop = PartyId::generate();
    /// let aware_at: DateTime<Utc> = "2026-03-13T09:00:00Z".parse()?;
    /// let mut facts = Facts::default();
    /// facts.nature = Some(Text::new("chat transcripts readable through a public link")?);
    /// let detection = Detection::new(Awareness::Controller { controller: shop }, aware_at, DeadlinePolicy::czech())
    ///     .with_occurred_at("2026-03-12T22:00:00Z".parse()?)
    ///     .with_facts(facts);
    /// assert_eq!(detection.keeper(), shop);
    /// assert!(detection.informed_by.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(aware: Awareness, aware_at: DateTime<Utc>, policy: DeadlinePolicy) -> Self {
        Detection {
            id: BreachId::generate(),
            aware_at,
            aware,
            informed_by: None,
            occurred_at: None,
            policy,
            facts: Facts::default(),
        }
    }

    /// The same detection under a known id.
    #[must_use]
    pub fn with_id(mut self, id: BreachId) -> Self {
        self.id = id;
        self
    }

    /// The same detection, learned of through another processor's notice (Art. 33(2)).
    #[must_use]
    pub fn with_informed_by(mut self, notice: ProcessorNotice) -> Self {
        self.informed_by = Some(notice);
        self
    }

    /// The same detection, with when the breach itself happened (Art. 33(5)).
    #[must_use]
    pub fn with_occurred_at(mut self, at: DateTime<Utc>) -> Self {
        self.occurred_at = Some(at);
        self
    }

    /// The same detection, with what is known of the breach (Art. 33(3)).
    #[must_use]
    pub fn with_facts(mut self, facts: Facts) -> Self {
        self.facts = facts;
        self
    }

    /// The party that keeps this register entry: the controller, or the processor that became
    /// aware.
    #[must_use]
    pub fn keeper(&self) -> PartyId {
        match &self.aware {
            Awareness::Controller { controller } => *controller,
            Awareness::Processor { processor, .. } => *processor,
        }
    }
}

/// Who became aware of a breach, and what that role owes.
///
/// In JSON the variant is the `role` field: `{"role": "controller", "controller": "…"}` or
/// `{"role": "processor", "processor": "…", "notify": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "role", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Awareness {
    /// A controller: it notifies the supervisory authority within 72 hours unless the breach is
    /// unlikely to result in a risk (Art. 33(1)), and tells the data subjects of a high risk
    /// (Art. 34(1)).
    Controller {
        /// The controller.
        controller: PartyId,
    },
    /// A processor or sub-processor: it notifies every party that engaged it, for every
    /// controller whose data the breach touched, without undue delay (Art. 33(2)) and within
    /// the hours each agreement sets.
    Processor {
        /// The processor.
        processor: PartyId,
        /// The notices it owes ([`FanOut::duties`](super::FanOut::duties) computes them from
        /// the chain).
        notify: Vec<NoticeDuty>,
    },
}

/// A notice a processor owes about a breach: to the party that engaged it under `agreement`,
/// about the data of `controller`, within `period` of its own awareness (Art. 33(2)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct NoticeDuty {
    /// The agreement that binds the processor and sets the period.
    pub agreement: AgreementId,
    /// Whom to notify: the agreement's principal (the controller, or the processor above a
    /// sub-processor).
    pub principal: PartyId,
    /// The controller whose data the breach touched, at the root of the agreement's tree.
    pub controller: PartyId,
    /// How soon.
    pub period: NoticePeriod,
}

/// How soon a processor must notify a breach (Art. 33(2)).
///
/// In JSON the variant is the `period` field: `{"period": "agreed", "hours": 24}` or
/// `{"period": "without_undue_delay"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "period", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoticePeriod {
    /// Within the hours the agreement sets (`breach_notice_hours`), counted like every period in
    /// hours: never moved over weekends or holidays.
    Agreed {
        /// The hours.
        hours: u16,
    },
    /// The agreement sets no hours: "without undue delay" (Art. 33(2)) and nothing more. The
    /// crate reads it as **due at once**: the notice is due at the instant of awareness, so any
    /// later notice is reported late and must be explained. It is the only instant the text
    /// supports without inventing an hour count, and the agreement is itself deficient
    /// ([`Element::BreachNotice`](crate::agreement::Element::BreachNotice)).
    WithoutUndueDelay,
}

impl NoticePeriod {
    /// The period an agreement sets: its `breach_notice_hours`, or without undue delay.
    #[must_use]
    pub fn of(agreement: &ProcessingAgreement) -> Self {
        match agreement.breach_notice_hours {
            Some(hours) => NoticePeriod::Agreed { hours },
            None => NoticePeriod::WithoutUndueDelay,
        }
    }

    /// The latest instant of the notice for a processor aware at `aware`: `aware` plus the
    /// agreed hours under the policy's [`BreachClock`](crate::time::BreachClock), or `aware`
    /// itself without agreed hours.
    ///
    /// # Errors
    /// [`TimeError::HoursOutOfRange`] at the end of chrono's range.
    pub fn due(&self, aware: DateTime<Utc>, policy: &DeadlinePolicy) -> Result<DateTime<Utc>, TimeError> {
        match self {
            NoticePeriod::Agreed { hours } => policy.hours_after(aware, u32::from(*hours)),
            NoticePeriod::WithoutUndueDelay => Ok(aware),
        }
    }

    /// Art. 33(2), which requires the notice.
    #[must_use]
    pub const fn article(&self) -> Article {
        Article::gdpr(33).paragraph(2)
    }
}

impl fmt::Display for NoticePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoticePeriod::Agreed { hours } => write!(f, "within {hours} hours (agreed)"),
            NoticePeriod::WithoutUndueDelay => f.write_str("without undue delay (no agreed hours: due at once)"),
        }
    }
}

/// The notice through which a keeper learned of a breach that another party in the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessorNotice {
    /// The processor that sent the notice.
    pub processor: PartyId,
    /// The agreement under which it was sent.
    pub agreement: AgreementId,
    /// The breach's id in the sender's register, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach: Option<BreachId>,
}

impl ProcessorNotice {
    /// The notice `processor` sent under `agreement` (Art. 33(2)); [`with_breach`](Self::with_breach)
    /// adds the sender's own register entry, when it is known.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::AgreementId;
    /// use gdpr_obligations::breach::{BreachId, ProcessorNotice};
    /// use gdpr_obligations::model::PartyId;
    ///
    /// let theirs = BreachId::generate();
    /// let notice = ProcessorNotice::new(PartyId::generate(), AgreementId::generate()).with_breach(theirs);
    /// assert_eq!(notice.breach, Some(theirs));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(processor: PartyId, agreement: AgreementId) -> Self {
        ProcessorNotice { processor, agreement, breach: None }
    }

    /// The same notice, naming the sender's own register entry of the breach.
    #[must_use]
    pub fn with_breach(mut self, breach: BreachId) -> Self {
        self.breach = Some(breach);
        self
    }
}

/// The risk a breach is likely to result in for the rights and freedoms of natural persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RiskLevel {
    /// Unlikely to result in a risk: documented, not notified (Art. 33(1), 33(5)).
    Unlikely,
    /// Likely to result in a risk: notify the supervisory authority (Art. 33(1)).
    Risk,
    /// Likely to result in a high risk: also communicate to the data subjects (Art. 34(1)).
    HighRisk,
}

impl RiskLevel {
    /// The provision the level triggers or relieves: Art. 33(1) or Art. 34(1).
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            RiskLevel::Unlikely | RiskLevel::Risk => Article::gdpr(33).paragraph(1),
            RiskLevel::HighRisk => Article::gdpr(34).paragraph(1),
        }
    }

    /// The name as in JSON, e.g. `high_risk`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            RiskLevel::Unlikely => "unlikely",
            RiskLevel::Risk => "risk",
            RiskLevel::HighRisk => "high_risk",
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A recorded risk assessment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Assessment {
    /// When.
    pub at: DateTime<Utc>,
    /// The risk found.
    pub risk: RiskLevel,
    /// Why.
    pub reasons: Text,
}

/// Why a high-risk breach need not be communicated to each data subject (Art. 34(3)).
///
/// In JSON the variant is the `exception` field, e.g.
/// `{"exception": "disproportionate_effort", "explanation": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "exception", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommunicationException {
    /// Art. 34(3)(a): appropriate protection measures were applied to the data affected, in
    /// particular measures that render it unintelligible to anyone not authorised to access it,
    /// such as encryption.
    ProtectedData {
        /// The measures, e.g. the encryption and where the key was.
        measures: Text,
    },
    /// Art. 34(3)(b): subsequent measures ensure that the high risk is no longer likely to
    /// materialise.
    RiskNoLongerLikely {
        /// The measures.
        measures: Text,
    },
    /// Art. 34(3)(c): communicating to each data subject would involve disproportionate effort;
    /// a public communication or similarly effective measure must be made instead.
    DisproportionateEffort {
        /// Why the effort is disproportionate (e.g. anonymous chat visitors with no contact
        /// details).
        explanation: Text,
    },
}

impl CommunicationException {
    /// The point of Art. 34(3).
    #[must_use]
    pub const fn article(&self) -> Article {
        let art = Article::gdpr(34).paragraph(3);
        match self {
            CommunicationException::ProtectedData { .. } => art.point('a'),
            CommunicationException::RiskNoLongerLikely { .. } => art.point('b'),
            CommunicationException::DisproportionateEffort { .. } => art.point('c'),
        }
    }

    /// The reason, in a sentence for the register.
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            CommunicationException::ProtectedData { measures } => {
                format!("the data affected were unintelligible to anyone not authorised to access them: {measures}")
            }
            CommunicationException::RiskNoLongerLikely { measures } => {
                format!("subsequent measures ensure the high risk is no longer likely to materialise: {measures}")
            }
            CommunicationException::DisproportionateEffort { explanation } => format!(
                "communicating to each data subject would involve disproportionate effort, so a public communication is made instead: {explanation}"
            ),
        }
    }
}

/// How a breach was communicated to the data subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommunicationMethod {
    /// To each data subject (Art. 34(1)).
    Direct,
    /// A public communication or similar measure informing them equally effectively
    /// (Art. 34(3)(c)).
    Public,
}
