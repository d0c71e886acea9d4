//! Which rights a data subject has under which legal basis, as one table.
//!
//! The Regulation grants some rights only for some legal bases: portability needs consent or
//! contract (Art. 20(1)(a)); objection on grounds relating to one's particular situation needs a
//! public task or legitimate interests (Art. 21(1)), but an objection to direct marketing is
//! always available (Art. 21(2)); only consent can be withdrawn (Art. 7(3)). Explicit consent
//! under Art. 9(2)(a) counts as consent for withdrawal (Art. 7(3)) and portability
//! (Art. 20(1)(a)): see [`availability_under`].
//! Restriction (Art. 18) is available under every basis; its ground of Art. 18(1)(d) presupposes
//! an Art. 21(1) objection and so follows that row.
//!
//! Erasure is available under every basis. Art. 17(3)(b) exempts processing on a legal
//! obligation or a public task only "to the extent that" it is necessary for it: whether it
//! still is (the statutory period may have ended, and Art. 17(1)(a) then applies) is checked for
//! each request, and a refusal names the law and the period
//! ([`Exemption::LegalObligationOrPublicTask`](crate::request::Exemption::LegalObligationOrPublicTask)).
//!
//! # Example
//! ```
//! use gdpr_obligations::vocab::{LegalBasis, Purpose, Right, rights};
//!
//! let refused = rights::availability(Right::Portability, LegalBasis::LegitimateInterests, &Purpose::Analytics)
//!     .unwrap_err();
//! assert_eq!(refused.article.to_string(), "Art. 20(1)(a)");
//!
//! // An objection to direct marketing is absolute, whatever the basis.
//! let granted = rights::availability(Right::Objection, LegalBasis::Consent, &Purpose::Marketing)?;
//! assert_eq!(granted.to_string(), "Art. 21(2)");
//! # Ok::<(), rights::Unavailable>(())
//! ```

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Article, LegalBasis, Purpose, Right, SpecialCategoryCondition};
use LegalBasis::*;

/// A right that the data subject does not have for the processing in question, with the
/// provision that says so.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("{article}: the right of {} is not available under {}: {reason}", right.article(), basis.article())]
#[non_exhaustive]
pub struct Unavailable {
    /// The right asked for.
    pub right: Right,
    /// The legal basis of the processing.
    pub basis: LegalBasis,
    /// The provision that limits the right.
    pub article: Article,
    /// Why, in a sentence a data subject understands.
    pub reason: Cow<'static, str>,
}

struct Limit {
    right: Right,
    available_under: &'static [LegalBasis],
    article: Article,
    reason: &'static str,
}

/// The limits, one row a right. A right without a row is available under every basis.
const LIMITS: &[Limit] = &[
    Limit {
        right: Right::Portability,
        available_under: &[Consent, Contract],
        article: Article::gdpr(20).paragraph(1).point('a'),
        reason: "portability applies only to data processed on the basis of consent or a contract",
    },
    Limit {
        right: Right::Objection,
        available_under: &[PublicTask, LegitimateInterests],
        article: Article::gdpr(21).paragraph(1),
        reason: "an objection on grounds relating to one's particular situation applies to processing based on a public task or legitimate interests; consent can be withdrawn instead",
    },
    Limit {
        right: Right::WithdrawConsent,
        available_under: &[Consent],
        article: Article::gdpr(7).paragraph(3),
        reason: "only processing based on consent can be stopped by withdrawing consent",
    },
];

/// Whether the data subject has `right` for processing on `basis` for `purpose`.
///
/// Returns the provision that grants the right (Art. 21(2) for an objection to direct
/// marketing, the right's own article otherwise).
///
/// # Errors
/// [`Unavailable`] naming the provision that limits the right and why.
pub fn availability(right: Right, basis: LegalBasis, purpose: &Purpose) -> Result<Article, Unavailable> {
    availability_under(right, basis, None, purpose)
}

/// Whether the data subject has `right` for processing on `basis`, with the Art. 9(2)
/// `condition` where special categories are processed, for `purpose`.
///
/// Explicit consent under Art. 9(2)(a) is consent for the rules that name it or that follow
/// consent: it can be withdrawn (Art. 7(3)) and gives portability (Art. 20(1)(a) names
/// Art. 9(2)(a) expressly).
///
/// # Errors
/// [`Unavailable`] naming the provision that limits the right and why.
///
/// # Example
/// ```
/// use gdpr_obligations::vocab::{LegalBasis, Purpose, Right, SpecialCategoryCondition, rights};
///
/// let explicit = Some(SpecialCategoryCondition::ExplicitConsent);
/// let granted = rights::availability_under(Right::WithdrawConsent, LegalBasis::Contract, explicit, &Purpose::CustomerCare)?;
/// assert_eq!(granted.to_string(), "Art. 7(3)");
/// # Ok::<(), rights::Unavailable>(())
/// ```
pub fn availability_under(
    right: Right,
    basis: LegalBasis,
    condition: Option<SpecialCategoryCondition>,
    purpose: &Purpose,
) -> Result<Article, Unavailable> {
    if right == Right::Objection && purpose.is_direct_marketing() {
        return Ok(Article::gdpr(21).paragraph(2));
    }
    let explicit_consent = condition == Some(SpecialCategoryCondition::ExplicitConsent);
    match LIMITS.iter().find(|l| l.right == right) {
        Some(limit) if explicit_consent && limit.available_under.contains(&Consent) => Ok(right.article()),
        Some(limit) if !limit.available_under.contains(&basis) => {
            Err(Unavailable { right, basis, article: limit.article, reason: Cow::Borrowed(limit.reason) })
        }
        _ => Ok(right.article()),
    }
}

/// Whether an objection on grounds relating to the data subject's particular situation
/// (Art. 21(1)) is available for processing on `basis`, whatever the purpose: only for a public
/// task or legitimate interests. Restriction pending the verification of an objection
/// (Art. 18(1)(d)) presupposes it.
///
/// # Errors
/// [`Unavailable`] naming Art. 21(1).
pub fn particular_situation_objection(basis: LegalBasis) -> Result<Article, Unavailable> {
    availability(Right::Objection, basis, &Purpose::CustomerCare).map(|_| Article::gdpr(21).paragraph(1))
}

/// Every right available for processing on `basis` for `purpose`, in the order of the
/// Regulation: what an Art. 13(2)(b)-(d) notice lists.
#[must_use]
pub fn available_rights(basis: LegalBasis, purpose: &Purpose) -> Vec<Right> {
    available_rights_under(basis, None, purpose)
}

/// Every right available for processing on `basis`, with the Art. 9(2) `condition` where special
/// categories are processed, for `purpose` (see [`availability_under`]).
#[must_use]
pub fn available_rights_under(
    basis: LegalBasis,
    condition: Option<SpecialCategoryCondition>,
    purpose: &Purpose,
) -> Vec<Right> {
    Right::BUILT_IN.iter().copied().filter(|r| availability_under(*r, basis, condition, purpose).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(right: Right, basis: LegalBasis) -> Article {
        availability(right, basis, &Purpose::CustomerCare).unwrap_err().article
    }

    #[test]
    fn art_17_3_b_erasure_is_not_refused_from_the_basis_alone() {
        // Legal review D5: Art. 17(3)(b) applies "to the extent that" the processing is
        // necessary; whether it still is is decided per request, not from the basis.
        for basis in LegalBasis::BUILT_IN {
            assert_eq!(availability(Right::Erasure, *basis, &Purpose::CustomerCare), Ok(Article::gdpr(17)), "{basis}");
        }
    }

    #[test]
    fn art_9_2_a_explicit_consent_counts_as_consent_for_withdrawal_and_portability() {
        // Legal review M4.
        let explicit = Some(SpecialCategoryCondition::ExplicitConsent);
        for basis in LegalBasis::BUILT_IN {
            for right in [Right::WithdrawConsent, Right::Portability] {
                assert!(availability_under(right, *basis, explicit, &Purpose::CustomerCare).is_ok(), "{right} {basis}");
            }
        }
        let other = Some(SpecialCategoryCondition::VitalInterests);
        assert!(availability_under(Right::WithdrawConsent, Contract, other, &Purpose::CustomerCare).is_err());
        assert!(available_rights_under(Contract, explicit, &Purpose::CustomerCare).contains(&Right::WithdrawConsent));
    }

    #[test]
    fn art_20_1_a_portability_only_under_consent_or_contract() {
        for basis in LegalBasis::BUILT_IN {
            let ok = availability(Right::Portability, *basis, &Purpose::CustomerCare).is_ok();
            assert_eq!(ok, matches!(basis, Consent | Contract), "{basis}");
        }
    }

    #[test]
    fn art_21_1_objection_only_under_public_task_or_legitimate_interests() {
        assert_eq!(refused(Right::Objection, Contract).to_string(), "Art. 21(1)");
        assert!(availability(Right::Objection, LegitimateInterests, &Purpose::Analytics).is_ok());
    }

    #[test]
    fn art_21_2_objection_to_direct_marketing_under_every_basis() {
        for basis in LegalBasis::BUILT_IN {
            assert_eq!(availability(Right::Objection, *basis, &Purpose::Marketing), Ok(Article::gdpr(21).paragraph(2)));
        }
    }

    #[test]
    fn art_7_3_only_consent_can_be_withdrawn() {
        assert!(available_rights(Consent, &Purpose::CustomerCare).contains(&Right::WithdrawConsent));
        assert_eq!(refused(Right::WithdrawConsent, Contract).to_string(), "Art. 7(3)");
    }

    #[test]
    fn art_15_16_18_77_available_under_every_basis() {
        for basis in LegalBasis::BUILT_IN {
            let rights = available_rights(*basis, &Purpose::CustomerCare);
            for r in [Right::Access, Right::Rectification, Right::Restriction, Right::LodgeComplaint] {
                assert!(rights.contains(&r), "{r} under {basis}");
            }
        }
    }

    #[test]
    fn refusal_message_names_the_article() {
        let err = availability(Right::Portability, LegitimateInterests, &Purpose::Analytics).unwrap_err();
        assert!(err.to_string().starts_with("Art. 20(1)(a): "), "{err}");
    }
}
