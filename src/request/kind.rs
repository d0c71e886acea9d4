//! What a data subject asks for: the kind of request with its ground, the processing it
//! concerns, and whether the right exists for that processing.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::vocab::rights::{self, Unavailable};
use crate::vocab::{Article, LegalBasis, Purpose, Right, SpecialCategoryCondition};

/// The processing a request concerns: its legal basis and purpose decide which rights the data
/// subject has ([`rights::availability`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Processing {
    /// The Art. 6(1) basis of the processing.
    pub basis: LegalBasis,
    /// Its purpose; direct marketing makes an objection absolute (Art. 21(2)-(3)).
    pub purpose: Purpose,
    /// The Art. 9(2) condition, where special categories of data are processed: explicit
    /// consent (Art. 9(2)(a)) counts as consent for withdrawal (Art. 7(3)), erasure on
    /// Art. 17(1)(b) and portability (Art. 20(1)(a)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_category_condition: Option<SpecialCategoryCondition>,
}

impl Processing {
    /// The processing on `basis` for `purpose`.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::request::Processing;
    /// use gdpr_obligations::vocab::{LegalBasis, Purpose};
    ///
    /// let processing = Processing::new(LegalBasis::Consent, Purpose::Marketing);
    /// assert_eq!(processing.basis, LegalBasis::Consent);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(basis: LegalBasis, purpose: Purpose) -> Self {
        Processing { basis, purpose, special_category_condition: None }
    }

    /// The same processing of special categories of data under the Art. 9(2) `condition`.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::request::Processing;
    /// use gdpr_obligations::vocab::{LegalBasis, Purpose, SpecialCategoryCondition};
    ///
    /// let health = Processing::new(LegalBasis::Contract, Purpose::CustomerCare)
    ///     .with_special_category_condition(SpecialCategoryCondition::ExplicitConsent);
    /// assert!(health.is_consent_based());
    /// ```
    #[must_use]
    pub fn with_special_category_condition(mut self, condition: SpecialCategoryCondition) -> Self {
        self.special_category_condition = Some(condition);
        self
    }

    /// Whether the processing rests on consent: Art. 6(1)(a), or explicit consent under
    /// Art. 9(2)(a) (Arts. 7(3), 17(1)(b), 20(1)(a)).
    #[must_use]
    pub fn is_consent_based(&self) -> bool {
        self.basis == LegalBasis::Consent
            || self.special_category_condition == Some(SpecialCategoryCondition::ExplicitConsent)
    }
}

/// What the data subject asks for, with the ground the right needs where it has grounds.
///
/// In JSON: `{"right": "erasure", "ground": "consent_withdrawn"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "right", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequestKind {
    /// Art. 15: confirmation, access to the data, the Art. 15(1) information and a copy.
    Access,
    /// Art. 16: rectification of inaccurate data, completion of incomplete data.
    Rectification,
    /// Art. 17: erasure on one of the grounds of Art. 17(1).
    Erasure {
        /// The ground of Art. 17(1).
        ground: ErasureGround,
    },
    /// Art. 18: restriction of processing on one of the grounds of Art. 18(1).
    Restriction {
        /// The ground of Art. 18(1).
        ground: RestrictionGround,
    },
    /// Art. 20: the data the subject provided, in a structured, commonly used, machine-readable
    /// format.
    Portability,
    /// Art. 21: an objection to processing.
    Objection {
        /// Particular situation (Art. 21(1)) or direct marketing (Art. 21(2)).
        ground: ObjectionGround,
    },
    /// Art. 22: human intervention in, or contesting of, a solely automated decision (Art. 22(3)).
    AutomatedDecisionReview,
    /// Art. 19, second sentence: to be told the recipients to whom a rectification, erasure or
    /// restriction was communicated, answered from the Art. 19 notices given
    /// ([`fulfil::recipient_information`](crate::fulfil::recipient_information)).
    RecipientInformation,
    /// Art. 7(3): withdrawal of consent, at any time and as easily as it was given.
    ConsentWithdrawal,
}

/// The grounds of Art. 17(1) on which the data subject may obtain erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErasureGround {
    /// Art. 17(1)(a): the data are no longer necessary for the purposes they were collected for.
    NoLongerNecessary,
    /// Art. 17(1)(b): consent is withdrawn and there is no other legal ground.
    ConsentWithdrawn,
    /// Art. 17(1)(c): the data subject objects under Art. 21(1) or 21(2).
    Objected,
    /// Art. 17(1)(d): the data have been unlawfully processed.
    UnlawfullyProcessed,
    /// Art. 17(1)(e): erasure is required by a legal obligation of the controller.
    LegalObligation,
    /// Art. 17(1)(f): the data were collected in offering information society services to a
    /// child (Art. 8(1)).
    ChildInformationSociety,
}

impl ErasureGround {
    /// The point of Art. 17(1) that states the ground.
    #[must_use]
    pub const fn article(&self) -> Article {
        let point = match self {
            ErasureGround::NoLongerNecessary => 'a',
            ErasureGround::ConsentWithdrawn => 'b',
            ErasureGround::Objected => 'c',
            ErasureGround::UnlawfullyProcessed => 'd',
            ErasureGround::LegalObligation => 'e',
            ErasureGround::ChildInformationSociety => 'f',
        };
        Article::gdpr(17).paragraph(1).point(point)
    }
}

/// The grounds of Art. 18(1) on which the data subject may obtain restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RestrictionGround {
    /// Art. 18(1)(a): the accuracy is contested, for a period enabling the controller to verify it.
    AccuracyContested,
    /// Art. 18(1)(b): the processing is unlawful and the data subject opposes erasure.
    UnlawfulButErasureOpposed,
    /// Art. 18(1)(c): the controller no longer needs the data, the data subject needs them for
    /// legal claims.
    NeededForLegalClaims,
    /// Art. 18(1)(d): an Art. 21(1) objection is pending verification of the controller's grounds.
    ObjectionPending,
}

impl RestrictionGround {
    /// The point of Art. 18(1) that states the ground.
    #[must_use]
    pub const fn article(&self) -> Article {
        let point = match self {
            RestrictionGround::AccuracyContested => 'a',
            RestrictionGround::UnlawfulButErasureOpposed => 'b',
            RestrictionGround::NeededForLegalClaims => 'c',
            RestrictionGround::ObjectionPending => 'd',
        };
        Article::gdpr(18).paragraph(1).point(point)
    }
}

/// The two objections of Art. 21.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObjectionGround {
    /// Art. 21(1): grounds relating to the data subject's particular situation, against
    /// processing on Art. 6(1)(e) or (f); the controller may show compelling legitimate grounds.
    ParticularSituation,
    /// Art. 21(2): processing for direct marketing, at any time; absolute (Art. 21(3)).
    DirectMarketing,
}

impl ObjectionGround {
    /// Art. 21(1) or Art. 21(2).
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            ObjectionGround::ParticularSituation => Article::gdpr(21).paragraph(1),
            ObjectionGround::DirectMarketing => Article::gdpr(21).paragraph(2),
        }
    }
}

impl RequestKind {
    /// The right exercised.
    #[must_use]
    pub const fn right(&self) -> Right {
        match self {
            RequestKind::Access => Right::Access,
            RequestKind::Rectification => Right::Rectification,
            RequestKind::Erasure { .. } => Right::Erasure,
            RequestKind::Restriction { .. } => Right::Restriction,
            RequestKind::Portability => Right::Portability,
            RequestKind::Objection { .. } => Right::Objection,
            RequestKind::AutomatedDecisionReview => Right::AutomatedDecisionReview,
            RequestKind::RecipientInformation => Right::RecipientInformation,
            RequestKind::ConsentWithdrawal => Right::WithdrawConsent,
        }
    }

    /// The provision the request relies on: the ground's point where the right has grounds
    /// (`Art. 17(1)(b)`), the right's article otherwise (`Art. 15`).
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            RequestKind::Erasure { ground } => ground.article(),
            RequestKind::Restriction { ground } => ground.article(),
            RequestKind::Objection { ground } => ground.article(),
            RequestKind::AutomatedDecisionReview => Article::gdpr(22).paragraph(3),
            _ => self.right().article(),
        }
    }

    /// Whether this is an objection to direct marketing, which the controller must always
    /// honour (Art. 21(3)).
    #[must_use]
    pub const fn is_direct_marketing_objection(&self) -> bool {
        matches!(self, RequestKind::Objection { ground: ObjectionGround::DirectMarketing })
    }

    /// Whether the request is due at receipt: an objection to direct marketing, after which the
    /// data "shall no longer be processed for such purposes" (Art. 21(3), free of charge under
    /// Recital 70), and a withdrawal of consent, which takes effect when made (Art. 7(3)). Neither
    /// can be extended (Art. 12(3)) nor charged a fee (Art. 12(5)(a)). See also
    /// [`Request::is_due_at_receipt`](super::Request::is_due_at_receipt), which adds an objection
    /// that is in substance a withdrawal.
    #[must_use]
    pub const fn is_due_at_receipt(&self) -> bool {
        matches!(
            self,
            RequestKind::ConsentWithdrawal | RequestKind::Objection { ground: ObjectionGround::DirectMarketing }
        )
    }

    /// Whether, for `processing`, the request is in substance a withdrawal of consent (Art. 7(3)):
    /// a consent withdrawal, or an objection on particular-situation grounds to consent-based
    /// processing, which Art. 21(1) does not cover and which the controller treats as a
    /// withdrawal instead of refusing it (Art. 12(2): facilitate the exercise of rights).
    #[must_use]
    pub fn withdraws_consent(&self, processing: &Processing) -> bool {
        match self {
            RequestKind::ConsentWithdrawal => true,
            RequestKind::Objection { ground: ObjectionGround::ParticularSituation } => {
                processing.is_consent_based()
                    && rights::availability(Right::Objection, processing.basis, &processing.purpose).is_err()
            }
            _ => false,
        }
    }

    /// Whether the request is one "referred to in Articles 15 to 21", for which the controller
    /// may ask for information to confirm identity (Art. 12(6)).
    #[must_use]
    pub const fn allows_identity_request(&self) -> bool {
        !matches!(self, RequestKind::AutomatedDecisionReview | RequestKind::ConsentWithdrawal)
    }

    /// Whether the request is an action "under Articles 15 to 22", to which Art. 12(5) (fees and
    /// refusal of manifestly unfounded or excessive requests) applies.
    #[must_use]
    pub const fn is_chapter_iii_request(&self) -> bool {
        !matches!(self, RequestKind::ConsentWithdrawal)
    }

    /// Whether the data subject has this right for `processing`: the rights table of
    /// [`rights::availability_under`], then the conditions of the ground (Art. 17(1)(b) needs
    /// consent, explicit consent under Art. 9(2)(a) included; Art. 17(1)(c) needs an objection to
    /// be available; Art. 18(1)(d) an objection under Art. 21(1), never one to consent-based
    /// marketing). An objection to direct marketing is available under every basis
    /// (Art. 21(2)). An objection on particular-situation grounds to consent-based processing is
    /// treated as a withdrawal of consent (Art. 7(3), 12(2)) and returns Art. 7(3).
    ///
    /// Returns the provision that grants the right.
    ///
    /// # Errors
    /// [`Unavailable`] naming the provision that limits the right and why.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::request::{Processing, RequestKind};
    /// use gdpr_obligations::vocab::{LegalBasis, Purpose};
    ///
    /// let chat = Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare);
    /// let refused = RequestKind::Portability.availability(&chat).unwrap_err();
    /// assert_eq!(refused.article.to_string(), "Art. 20(1)(a)");
    /// assert_eq!(RequestKind::Access.availability(&chat)?.to_string(), "Art. 15");
    /// # Ok::<(), gdpr_obligations::vocab::rights::Unavailable>(())
    /// ```
    pub fn availability(&self, processing: &Processing) -> Result<Article, Unavailable> {
        let Processing { basis, purpose, special_category_condition: condition } = processing;
        let (basis, condition) = (*basis, *condition);
        let limited = |article: Article, reason: &'static str| Unavailable {
            right: self.right(),
            basis,
            article,
            reason: Cow::Borrowed(reason),
        };
        match self {
            RequestKind::Objection { ground: ObjectionGround::DirectMarketing } => {
                return rights::availability(Right::Objection, basis, &Purpose::Marketing);
            }
            _ if self.withdraws_consent(processing) => {
                return rights::availability_under(Right::WithdrawConsent, basis, condition, purpose);
            }
            _ => rights::availability_under(self.right(), basis, condition, purpose)?,
        };
        let objection_available = rights::availability(Right::Objection, basis, purpose).is_ok();
        match self {
            RequestKind::Erasure { ground: ErasureGround::ConsentWithdrawn } if !processing.is_consent_based() => {
                Err(limited(
                    ErasureGround::ConsentWithdrawn.article(),
                    "erasure on the ground that consent is withdrawn needs processing based on consent",
                ))
            }
            RequestKind::Erasure { ground: ErasureGround::Objected } if !objection_available => Err(limited(
                ErasureGround::Objected.article(),
                "erasure on the ground of an objection needs an objection under Art. 21(1) or 21(2) to be available for this processing",
            )),
            RequestKind::Restriction { ground: RestrictionGround::ObjectionPending }
                if rights::particular_situation_objection(basis).is_err() =>
            {
                Err(limited(
                    RestrictionGround::ObjectionPending.article(),
                    "restriction pending an objection needs an objection under Art. 21(1) to be available for this processing",
                ))
            }
            _ => Ok(self.article()),
        }
    }
}
