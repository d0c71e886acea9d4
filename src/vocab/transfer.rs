//! [`TransferMechanism`]: the Chapter V grounds for a transfer to a third country.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Article, GDPR, UnknownTerm, iri};

vocabulary! {
    /// The modules of the Commission's standard contractual clauses for international transfers
    /// (Implementing Decision (EU) 2021/914; not the Art. 28 clauses of Decision 2021/915).
    closed SccModule, "standard contractual clauses module", "A module of the transfer SCCs of Decision (EU) 2021/914." {
        ControllerToController => "module_1", iri(GDPR, "SCCByCommission"), "Module one: controller to controller.";
        ControllerToProcessor => "module_2", iri(GDPR, "SCCByCommission"), "Module two: controller to processor.";
        ProcessorToProcessor => "module_3", iri(GDPR, "SCCByCommission"), "Module three: processor to processor (a sub-processor abroad).";
        ProcessorToController => "module_4", iri(GDPR, "SCCByCommission"), "Module four: processor to controller.";
    }
}

vocabulary! {
    /// The derogations of Art. 49(1) for specific situations, usable only when there is neither
    /// an adequacy decision nor an Art. 46 safeguard.
    closed DerogationPoint, "Art. 49 derogation", "A derogation of Art. 49(1) GDPR." {
        ExplicitConsent => "49_1_a", iri(GDPR, "A49-1-a"), "Art. 49(1)(a): explicit consent after being informed of the risks.";
        ContractWithSubject => "49_1_b", iri(GDPR, "A49-1-b"), "Art. 49(1)(b): necessary for a contract with the data subject or pre-contractual steps.";
        ContractInSubjectsInterest => "49_1_c", iri(GDPR, "A49-1-c"), "Art. 49(1)(c): necessary for a contract concluded in the data subject's interest.";
        PublicInterest => "49_1_d", iri(GDPR, "A49-1-d"), "Art. 49(1)(d): important reasons of public interest.";
        LegalClaims => "49_1_e", iri(GDPR, "A49-1-e"), "Art. 49(1)(e): establishment, exercise or defence of legal claims.";
        VitalInterests => "49_1_f", iri(GDPR, "A49-1-f"), "Art. 49(1)(f): vital interests where the data subject cannot consent.";
        PublicRegister => "49_1_g", iri(GDPR, "A49-1-g"), "Art. 49(1)(g): transfer from a public register.";
        CompellingLegitimateInterests => "49_1_second_subparagraph", iri(GDPR, "A49-2"), "Art. 49(1), second subparagraph: not repetitive, limited subjects, compelling legitimate interests; the authority and the subject must be informed.";
    }
}

impl DerogationPoint {
    /// The provision of Art. 49(1) that states the derogation.
    #[must_use]
    pub const fn article(&self) -> Article {
        let art = Article::gdpr(49).paragraph(1);
        match self {
            DerogationPoint::ExplicitConsent => art.point('a'),
            DerogationPoint::ContractWithSubject => art.point('b'),
            DerogationPoint::ContractInSubjectsInterest => art.point('c'),
            DerogationPoint::PublicInterest => art.point('d'),
            DerogationPoint::LegalClaims => art.point('e'),
            DerogationPoint::VitalInterests => art.point('f'),
            DerogationPoint::PublicRegister => art.point('g'),
            DerogationPoint::CompellingLegitimateInterests => art.subparagraph(2),
        }
    }
}

/// The ground on which personal data may be transferred to a third country (Chapter V, Art. 44).
///
/// In JSON it is internally tagged: `{"mechanism": "standard_contractual_clauses", "module":
/// "module_2"}`. Its storage name joins the two with a `.`: `standard_contractual_clauses.module_2`.
///
/// # Example
/// ```
/// use gdpr_obligations::vocab::{SccModule, TransferMechanism};
///
/// let scc = TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor };
/// assert_eq!(scc.article().to_string(), "Art. 46(2)(c)");
/// assert_eq!(scc.as_str(), "standard_contractual_clauses.module_3");
/// assert_eq!(scc.as_str().parse::<TransferMechanism>()?, scc);
/// # Ok::<(), gdpr_obligations::vocab::UnknownTerm>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mechanism", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransferMechanism {
    /// A Commission adequacy decision in force for the destination on the transfer's date
    /// (Art. 45(3)). Check it with [`Country::adequacy_on`](super::Country::adequacy_on).
    AdequacyDecision,
    /// The Commission's standard contractual clauses (Art. 46(2)(c)), in the module that fits
    /// the parties' roles.
    StandardContractualClauses {
        /// The module signed.
        module: SccModule,
    },
    /// Binding corporate rules approved under Art. 47 (Art. 46(2)(b)).
    BindingCorporateRules,
    /// A derogation for a specific situation (Art. 49(1)).
    Derogation {
        /// The point of Art. 49(1) relied on.
        point: DerogationPoint,
    },
}

const ADEQUACY: &str = "adequacy_decision";
const SCC: &str = "standard_contractual_clauses";
const BCR: &str = "binding_corporate_rules";
const DEROGATION: &str = "derogation";

impl TransferMechanism {
    /// Every mechanism the crate knows, each module and derogation point spelled out.
    pub fn all() -> impl Iterator<Item = TransferMechanism> {
        [TransferMechanism::AdequacyDecision, TransferMechanism::BindingCorporateRules]
            .into_iter()
            .chain(SccModule::BUILT_IN.iter().map(|&module| TransferMechanism::StandardContractualClauses { module }))
            .chain(DerogationPoint::BUILT_IN.iter().map(|&point| TransferMechanism::Derogation { point }))
    }

    /// The storage name, e.g. `derogation.49_1_a`.
    #[must_use]
    pub fn as_str(&self) -> Cow<'static, str> {
        match self {
            TransferMechanism::AdequacyDecision => ADEQUACY.into(),
            TransferMechanism::BindingCorporateRules => BCR.into(),
            TransferMechanism::StandardContractualClauses { module } => format!("{SCC}.{module}").into(),
            TransferMechanism::Derogation { point } => format!("{DEROGATION}.{point}").into(),
        }
    }

    /// The provision that allows the transfer.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            TransferMechanism::AdequacyDecision => Article::gdpr(45).paragraph(3),
            TransferMechanism::StandardContractualClauses { .. } => Article::gdpr(46).paragraph(2).point('c'),
            TransferMechanism::BindingCorporateRules => Article::gdpr(46).paragraph(2).point('b'),
            TransferMechanism::Derogation { point } => point.article(),
        }
    }

    /// The IRI of the mechanism's concept in DPV's GDPR extension.
    #[must_use]
    pub fn dpv_iri(&self) -> Cow<'static, str> {
        match self {
            TransferMechanism::AdequacyDecision => iri(GDPR, "A45-3").into(),
            TransferMechanism::StandardContractualClauses { .. } => iri(GDPR, "A46-2-c").into(),
            TransferMechanism::BindingCorporateRules => iri(GDPR, "A46-2-b").into(),
            TransferMechanism::Derogation { point } => point.dpv_iri(),
        }
    }
}

impl fmt::Display for TransferMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl FromStr for TransferMechanism {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parsed = match s.split_once('.') {
            None if s == ADEQUACY => Some(TransferMechanism::AdequacyDecision),
            None if s == BCR => Some(TransferMechanism::BindingCorporateRules),
            Some((SCC, module)) => {
                module.parse().ok().map(|module| TransferMechanism::StandardContractualClauses { module })
            }
            Some((DEROGATION, point)) => point.parse().ok().map(|point| TransferMechanism::Derogation { point }),
            _ => None,
        };
        parsed.ok_or_else(|| {
            let names: Vec<String> = TransferMechanism::all().map(|m| m.as_str().into_owned()).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            UnknownTerm::new("transfer mechanism", s, &names, false)
        })
    }
}
