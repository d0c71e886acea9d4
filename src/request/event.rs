//! What happened to a request: the events that are its state and its audit trail.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Channel, ComplaintInformation, ExtensionJustification, FeeGround, Receipt, Reply, RequestKind};
use crate::model::{SourceName, SubjectId, Text};
use crate::vocab::Article;
use crate::vocab::rights::Unavailable;

/// A fact in the life of a request. The events of a request are its audit trail (Art. 5(2)), and
/// its state is a pure function of them ([`Request::replay`](super::Request::replay)).
///
/// In JSON the variant is the `type` field: `{"type": "started", "at": "2026-03-16T09:00:00Z"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The request reached the controller or its processor (Art. 12(3)).
    Received(Box<Receipt>),
    /// The processor passed the request to the controller (Art. 28(3)(e)).
    ForwardedToController {
        /// When the controller received it.
        at: DateTime<Utc>,
    },
    /// The controller asked for information to confirm identity (Art. 12(6)); a pause of the
    /// deadlines starts here if the policy has one.
    IdentityRequested {
        /// When.
        at: DateTime<Utc>,
        /// What was asked for.
        information: Text,
    },
    /// The data subject provided it; the pause ends.
    IdentityProvided {
        /// When.
        at: DateTime<Utc>,
    },
    /// The controller confirmed the identity (Art. 12(6)).
    IdentityVerified {
        /// When.
        at: DateTime<Utc>,
        /// The data subject the requester is.
        subject: SubjectId,
    },
    /// The controller could not confirm the identity after asking for the information necessary
    /// to confirm it (Art. 12(2), 12(6)); a pending identity request ends here.
    IdentityFailed {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: Text,
    },
    /// The controller recorded that verification is unnecessary, and why.
    VerificationWaived {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: Text,
    },
    /// The controller asked the data subject to specify the request (Recital 63).
    ClarificationRequested {
        /// When.
        at: DateTime<Utc>,
        /// The question.
        question: Text,
    },
    /// The data subject answered.
    ClarificationProvided {
        /// When.
        at: DateTime<Utc>,
    },
    /// The controller asked for a reasonable fee (Art. 12(5)(a), 15(3)).
    FeeRequested {
        /// When.
        at: DateTime<Utc>,
        /// Why a fee may be charged.
        ground: FeeGround,
        /// The amount.
        amount: Text,
        /// How the controller demonstrates the ground (Art. 12(5)).
        explanation: Text,
    },
    /// The fee was paid.
    FeePaid {
        /// When.
        at: DateTime<Utc>,
    },
    /// The period was extended by two further months and the data subject was told why, within
    /// the first month (Art. 12(3)).
    Extended {
        /// When the extension was decided and notified.
        at: DateTime<Utc>,
        /// The reasons given.
        justification: ExtensionJustification,
        /// How the notice reached the data subject.
        notified_via: Channel,
    },
    /// The controller refused to act and told the data subject why, and about the complaint and
    /// judicial remedies (Art. 12(4)). The complaint information is a required field: there is
    /// no refusal without it.
    Refused {
        /// When the data subject was informed.
        at: DateTime<Utc>,
        /// Why.
        ground: RefusalGround,
        /// The complaint and judicial-remedy information given (Art. 12(4)).
        complaint: ComplaintInformation,
        /// How the refusal reached the data subject (Art. 12(3), last sentence); absent only in
        /// records made before it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// The controller started carrying the request out.
    Started {
        /// When.
        at: DateTime<Utc>,
    },
    /// Carrying the request out across the controller's personal-data sources came to
    /// `outcome`: complete, or with the sources that failed named.
    CarriedOut {
        /// When.
        at: DateTime<Utc>,
        /// What it came to.
        outcome: CarriedOut,
    },
    /// The request was carried out and the data subject informed (Art. 12(3)).
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
    /// The data subject withdrew the request.
    Withdrawn {
        /// When.
        at: DateTime<Utc>,
    },
}

impl Event {
    /// The instant the event happened.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::Received(receipt) => receipt.at,
            Event::ForwardedToController { at }
            | Event::IdentityRequested { at, .. }
            | Event::IdentityProvided { at }
            | Event::IdentityVerified { at, .. }
            | Event::IdentityFailed { at, .. }
            | Event::VerificationWaived { at, .. }
            | Event::ClarificationRequested { at, .. }
            | Event::ClarificationProvided { at }
            | Event::FeeRequested { at, .. }
            | Event::FeePaid { at }
            | Event::Extended { at, .. }
            | Event::Refused { at, .. }
            | Event::Started { at }
            | Event::CarriedOut { at, .. }
            | Event::Completed { at, .. }
            | Event::Withdrawn { at } => *at,
        }
    }

    /// The provision behind the step, for timelines and audit reports: e.g. `Art. 12(6)` for an
    /// identity request, the refusal ground's article for a refusal.
    #[must_use]
    pub fn article(&self) -> Article {
        let art12 = Article::gdpr(12);
        match self {
            Event::Received(receipt) => receipt.kind.article(),
            Event::CarriedOut { .. } => art12.paragraph(3),
            Event::ForwardedToController { .. } => Article::gdpr(28).paragraph(3).point('e'),
            Event::IdentityRequested { .. }
            | Event::IdentityProvided { .. }
            | Event::IdentityVerified { .. }
            | Event::IdentityFailed { .. }
            | Event::VerificationWaived { .. } => art12.paragraph(6),
            Event::ClarificationRequested { .. } | Event::ClarificationProvided { .. } => art12.paragraph(2),
            Event::FeeRequested { ground, .. } => ground.article(),
            Event::FeePaid { .. } => art12.paragraph(5).point('a'),
            Event::Extended { .. } => art12.paragraph(3),
            Event::Refused { ground, .. } => ground.article(),
            Event::Started { .. } | Event::Completed { .. } | Event::Withdrawn { .. } => art12.paragraph(3),
        }
    }
}

/// What carrying a request out across the controller's personal-data sources came to: how
/// many records it concerned, and which sources did not complete. Complete exactly when no
/// source failed, so a request cannot be recorded as answered while a source still holds what
/// it should have erased or copied (Art. 12(3)).
///
/// ```
/// use gdpr_obligations::model::SourceName;
/// use gdpr_obligations::request::CarriedOut;
///
/// assert!(CarriedOut::new(42, []).is_complete());
/// let partial = CarriedOut::new(40, [SourceName::new("crm")?]);
/// assert!(!partial.is_complete());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct CarriedOut {
    /// The records found, copied, erased, rectified or restricted.
    pub records: u64,
    /// The sources that failed and must be carried out again, ordered, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<SourceName>,
}

impl CarriedOut {
    /// `records` records concerned, and the sources that failed (none: complete).
    #[must_use]
    pub fn new(records: u64, failed: impl IntoIterator<Item = SourceName>) -> Self {
        let mut failed: Vec<SourceName> = failed.into_iter().collect();
        failed.sort();
        failed.dedup();
        Self { records, failed }
    }

    /// Whether every source completed.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// A part of an access copy (Art. 15(4)) or of portable data (Art. 20(4)) withheld because it
/// would adversely affect the rights and freedoms of others. The rest of the answer is given:
/// "the result of those considerations should not be a refusal to provide all information"
/// (Recital 63).
///
/// # Example
/// ```
/// use gdpr_obligations::model::Text;
/// use gdpr_obligations::request::{Exemption, Withheld};
///
/// let withheld = Withheld::new(
///     Exemption::CopyAffectsOthers,
///     Text::new("the messages of the other chat participant")?,
///     Text::new("they are that person's personal data")?,
/// );
/// assert_eq!(withheld.limit.article().to_string(), "Art. 15(4)");
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Withheld {
    /// [`Exemption::CopyAffectsOthers`] for access, [`Exemption::PortabilityAffectsOthers`] for
    /// portability.
    pub limit: Exemption,
    /// What was withheld, described without disclosing it.
    pub what: Text,
    /// Why, as told to the data subject (Art. 12(4)).
    pub reasons: Text,
}

impl Withheld {
    /// `what` withheld under `limit`, for `reasons`.
    #[must_use]
    pub fn new(limit: Exemption, what: Text, reasons: Text) -> Self {
        Withheld { limit, what, reasons }
    }
}

/// A [`Withheld`] part as recorded on completion, with the complaint and judicial-remedy
/// information the data subject was given for it (Art. 12(4): not taking action in part).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct WithheldNotice {
    /// What was withheld, and why.
    pub withheld: Withheld,
    /// The complaint and judicial-remedy information given (Art. 12(4)).
    pub complaint: ComplaintInformation,
}

/// Why the controller does not act on a request (Art. 12(4)).
///
/// In JSON the variant is the `ground` field: `{"ground": "cannot_identify"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "ground", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefusalGround {
    /// Art. 12(5)(b): the request is manifestly unfounded; the controller bears the burden of
    /// demonstrating it.
    ManifestlyUnfounded {
        /// How the controller demonstrates it.
        explanation: Text,
    },
    /// Art. 12(5)(b): the request is manifestly excessive, in particular because of its
    /// repetitive character; the controller bears the burden of demonstrating it.
    ManifestlyExcessive {
        /// How the controller demonstrates it.
        explanation: Text,
    },
    /// Art. 12(2), second sentence, and 12(6): the controller demonstrates that it is not in a
    /// position to identify the data subject, after asking for the information necessary to
    /// confirm the identity. (Art. 11(2) is the route where the processing itself does not
    /// require identification; the refusal still rests on Art. 12(2).)
    CannotIdentify,
    /// An exemption of the right applies, such as Art. 17(3)(b).
    Exempt {
        /// The exemption.
        exemption: Exemption,
        /// What the controller tells the data subject about it. Required for Art. 17(3)(b),
        /// which applies only "to the extent that" the processing is necessary: the law that
        /// requires keeping the data, or the task, and the period.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<Text>,
    },
    /// The conditions of the right are not met (Art. 12(4)): no ground of Art. 17(1) applies,
    /// the data are accurate (Art. 16), the controller's legitimate grounds prevail over a
    /// restriction under Art. 18(1)(d), and so on. Like every refusal it carries the complaint
    /// and judicial-remedy information.
    ConditionsNotMet {
        /// The provision whose conditions are not met, within the right asked for (e.g.
        /// `Art. 17(1)`, `Art. 16`).
        article: Article,
        /// Why, as the controller demonstrates it.
        explanation: Text,
    },
    /// The right does not exist for the processing concerned, as the rights table says
    /// (e.g. Art. 20(1)(a)). Decided by the crate when the request reaches the controller.
    RightUnavailable {
        /// The provision that limits the right, and why.
        limit: Unavailable,
    },
}

impl RefusalGround {
    /// The provision that allows the refusal.
    #[must_use]
    pub fn article(&self) -> Article {
        match self {
            RefusalGround::ManifestlyUnfounded { .. } | RefusalGround::ManifestlyExcessive { .. } => {
                Article::gdpr(12).paragraph(5).point('b')
            }
            RefusalGround::CannotIdentify => Article::gdpr(12).paragraph(2),
            RefusalGround::Exempt { exemption, .. } => exemption.article(),
            RefusalGround::ConditionsNotMet { article, .. } => *article,
            RefusalGround::RightUnavailable { limit } => limit.article,
        }
    }

    /// The provision that allows refusing a request of `kind`: as [`article`](Self::article),
    /// except that an exemption names the provision it has for that kind (legal claims answer
    /// an objection under the last limb of Art. 21(1), not Art. 17(3)(e)).
    #[must_use]
    pub fn article_for(&self, kind: &RequestKind) -> Article {
        match self {
            RefusalGround::Exempt { exemption, .. } => exemption.article_for(kind),
            _ => self.article(),
        }
    }

    /// The reason for not taking action, in a sentence for the data subject (Art. 12(4)).
    #[must_use]
    pub fn reason(&self) -> Cow<'_, str> {
        match self {
            RefusalGround::ManifestlyUnfounded { explanation } => {
                format!("the request is manifestly unfounded: {explanation}").into()
            }
            RefusalGround::ManifestlyExcessive { explanation } => {
                format!("the request is manifestly excessive: {explanation}").into()
            }
            RefusalGround::CannotIdentify => {
                "the controller has demonstrated that it is not in a position to identify the data subject (Art. 12(2), 12(6))"
                    .into()
            }
            RefusalGround::Exempt { exemption, explanation: None } => exemption.reason().into(),
            RefusalGround::Exempt { exemption, explanation: Some(explanation) } => {
                format!("{}: {explanation}", exemption.reason()).into()
            }
            RefusalGround::ConditionsNotMet { article, explanation } => {
                format!("the conditions of {article} are not met: {explanation}").into()
            }
            RefusalGround::RightUnavailable { limit } => Cow::Borrowed(&limit.reason),
        }
    }
}

/// An exemption that takes a request outside its right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Exemption {
    /// Art. 17(3)(a): erasure yields to freedom of expression and information.
    FreedomOfExpression,
    /// Art. 17(3)(b): erasure yields to a legal obligation, a public task or official authority.
    LegalObligationOrPublicTask,
    /// Art. 17(3)(c): erasure yields to public health under Art. 9(2)(h), (i) and 9(3).
    PublicHealth,
    /// Art. 17(3)(d): erasure yields to archiving, research or statistics under Art. 89(1).
    ArchivingOrResearch,
    /// Art. 17(3)(e): erasure yields to the establishment, exercise or defence of legal claims;
    /// so does an objection on particular-situation grounds (the last limb of Art. 21(1)), see
    /// [`article_for`](Self::article_for).
    LegalClaims,
    /// Art. 21(1): compelling legitimate grounds override an objection on particular-situation
    /// grounds (never one to direct marketing, Art. 21(3)).
    CompellingLegitimateGrounds,
    /// Art. 15(4): the copy would adversely affect the rights and freedoms of others. Not a
    /// ground for refusing a request: it limits only the copy, and is recorded as a
    /// [`Withheld`](super::Withheld) part of the answer on completion (Recital 63: "should not be
    /// a refusal to provide all information"). Kept so that old records still read.
    CopyAffectsOthers,
    /// Art. 20(4): the portable data would adversely affect the rights and freedoms of others.
    /// Like Art. 15(4), a limit recorded on completion, never a refusal of the whole request.
    PortabilityAffectsOthers,
    /// Art. 22(2)(b): the automated decision is authorised by Union or Member State law with
    /// suitable safeguards.
    DecisionAuthorisedByLaw,
}

impl Exemption {
    /// The provision that states the exemption.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            Exemption::FreedomOfExpression => Article::gdpr(17).paragraph(3).point('a'),
            Exemption::LegalObligationOrPublicTask => Article::gdpr(17).paragraph(3).point('b'),
            Exemption::PublicHealth => Article::gdpr(17).paragraph(3).point('c'),
            Exemption::ArchivingOrResearch => Article::gdpr(17).paragraph(3).point('d'),
            Exemption::LegalClaims => Article::gdpr(17).paragraph(3).point('e'),
            Exemption::CompellingLegitimateGrounds => Article::gdpr(21).paragraph(1),
            Exemption::CopyAffectsOthers => Article::gdpr(15).paragraph(4),
            Exemption::PortabilityAffectsOthers => Article::gdpr(20).paragraph(4),
            Exemption::DecisionAuthorisedByLaw => Article::gdpr(22).paragraph(2).point('b'),
        }
    }

    /// The provision that states the exemption for a request of `kind`: as
    /// [`article`](Self::article), except that legal claims answer an objection under the last
    /// limb of Art. 21(1).
    #[must_use]
    pub const fn article_for(&self, kind: &RequestKind) -> Article {
        match (self, kind) {
            (Exemption::LegalClaims, RequestKind::Objection { .. }) => Article::gdpr(21).paragraph(1),
            _ => self.article(),
        }
    }

    /// Whether the exemption can refuse a request of `kind`: the Art. 17(3) exemptions only
    /// erasure, Art. 21(1) (compelling grounds or legal claims) only an objection on
    /// particular-situation grounds, and so on. Arts. 15(4) and 20(4) refuse nothing: they limit
    /// the copy, recorded on completion.
    #[must_use]
    pub const fn applies_to(&self, kind: &RequestKind) -> bool {
        use super::ObjectionGround::ParticularSituation;
        match self {
            Exemption::FreedomOfExpression
            | Exemption::LegalObligationOrPublicTask
            | Exemption::PublicHealth
            | Exemption::ArchivingOrResearch => matches!(kind, RequestKind::Erasure { .. }),
            Exemption::LegalClaims => {
                matches!(kind, RequestKind::Erasure { .. } | RequestKind::Objection { ground: ParticularSituation })
            }
            Exemption::CompellingLegitimateGrounds => {
                matches!(kind, RequestKind::Objection { ground: ParticularSituation })
            }
            Exemption::CopyAffectsOthers | Exemption::PortabilityAffectsOthers => false,
            Exemption::DecisionAuthorisedByLaw => matches!(kind, RequestKind::AutomatedDecisionReview),
        }
    }

    /// The reason, in a sentence for the data subject.
    #[must_use]
    pub const fn reason(&self) -> &'static str {
        match self {
            Exemption::FreedomOfExpression => {
                "the processing is necessary for exercising the right of freedom of expression and information"
            }
            Exemption::LegalObligationOrPublicTask => {
                "the processing is necessary for compliance with a legal obligation or for a task in the public interest"
            }
            Exemption::PublicHealth => "the processing is necessary for reasons of public interest in public health",
            Exemption::ArchivingOrResearch => {
                "erasure would seriously impair archiving in the public interest, research or statistics"
            }
            Exemption::LegalClaims => {
                "the processing is necessary for the establishment, exercise or defence of legal claims"
            }
            Exemption::CompellingLegitimateGrounds => {
                "the controller has compelling legitimate grounds for the processing which override the data subject's interests"
            }
            Exemption::CopyAffectsOthers => "a copy would adversely affect the rights and freedoms of others",
            Exemption::PortabilityAffectsOthers => {
                "the portable data would adversely affect the rights and freedoms of others"
            }
            Exemption::DecisionAuthorisedByLaw => {
                "the automated decision is authorised by law which lays down suitable safeguards"
            }
        }
    }
}
