//! [`TransferMechanism`]: the Chapter V grounds for a transfer to a third country or an
//! international organisation, and [`Destination`]: where such a transfer goes.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;
use schemars::{Schema, SchemaGenerator, json_schema};

use super::{Adequacy, Article, Country, DPV, GDPR, InvalidCountry, UnknownTerm, iri};

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
    /// A legally binding and enforceable instrument between public authorities or bodies
    /// (Art. 46(2)(a)).
    LegallyBindingInstrument,
    /// Standard data protection clauses adopted by a supervisory authority and approved by the
    /// Commission (Art. 46(2)(d)).
    SupervisoryAuthorityClauses,
    /// An approved code of conduct under Art. 40 with binding and enforceable commitments of the
    /// importer (Art. 46(2)(e)).
    CodeOfConduct,
    /// An approved certification mechanism under Art. 42 with binding and enforceable
    /// commitments of the importer (Art. 46(2)(f)).
    Certification,
    /// Contractual clauses authorised by the competent supervisory authority (Art. 46(3)(a)).
    AuthorisedContractualClauses,
    /// Provisions inserted into administrative arrangements between public authorities or bodies,
    /// authorised by the competent supervisory authority (Art. 46(3)(b)).
    AdministrativeArrangement,
    /// A derogation for a specific situation (Art. 49(1)).
    Derogation {
        /// The point of Art. 49(1) relied on.
        point: DerogationPoint,
    },
}

const ADEQUACY: &str = "adequacy_decision";
const SCC: &str = "standard_contractual_clauses";
const BCR: &str = "binding_corporate_rules";
/// The mechanisms without a module or point, by storage name, in the order of Arts. 45 to 46.
const PLAIN: &[(&str, TransferMechanism)] = &[
    (ADEQUACY, TransferMechanism::AdequacyDecision),
    ("legally_binding_instrument", TransferMechanism::LegallyBindingInstrument),
    (BCR, TransferMechanism::BindingCorporateRules),
    ("supervisory_authority_clauses", TransferMechanism::SupervisoryAuthorityClauses),
    ("code_of_conduct", TransferMechanism::CodeOfConduct),
    ("certification", TransferMechanism::Certification),
    ("authorised_contractual_clauses", TransferMechanism::AuthorisedContractualClauses),
    ("administrative_arrangement", TransferMechanism::AdministrativeArrangement),
];
const DEROGATION: &str = "derogation";

impl TransferMechanism {
    /// Every mechanism the crate knows, each module and derogation point spelled out.
    pub fn all() -> impl Iterator<Item = TransferMechanism> {
        PLAIN
            .iter()
            .map(|&(_, m)| m)
            .chain(SccModule::BUILT_IN.iter().map(|&module| TransferMechanism::StandardContractualClauses { module }))
            .chain(DerogationPoint::BUILT_IN.iter().map(|&point| TransferMechanism::Derogation { point }))
    }

    /// The storage name, e.g. `derogation.49_1_a`.
    #[must_use]
    pub fn as_str(&self) -> Cow<'static, str> {
        match self {
            TransferMechanism::StandardContractualClauses { module } => format!("{SCC}.{module}").into(),
            TransferMechanism::Derogation { point } => format!("{DEROGATION}.{point}").into(),
            plain => PLAIN.iter().find(|(_, m)| m == plain).map_or(ADEQUACY, |(name, _)| name).into(),
        }
    }

    /// Whether the mechanism is an appropriate safeguard of Art. 46 (standard clauses, binding
    /// corporate rules and the other instruments of Art. 46(2) and (3)). Such a transfer needs
    /// an assessment on record of the destination's law and practice and of any supplementary
    /// measures: the safeguard must in practice ensure a level of protection essentially
    /// equivalent to the Union's (Art. 46(1) as read by the Court in C-311/18 Schrems II;
    /// Clause 14 of the clauses of Decision (EU) 2021/914).
    #[must_use]
    pub const fn needs_transfer_assessment(&self) -> bool {
        !matches!(self, TransferMechanism::AdequacyDecision | TransferMechanism::Derogation { .. })
    }

    /// Whether the mechanism is a derogation of Art. 49(1), for specific situations only: not
    /// a ground for regular or standing transfers (Recital 111; EDPB Guidelines 2/2018).
    #[must_use]
    pub const fn is_derogation(&self) -> bool {
        matches!(self, TransferMechanism::Derogation { .. })
    }

    /// The provision that allows the transfer.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            TransferMechanism::AdequacyDecision => Article::gdpr(45).paragraph(3),
            TransferMechanism::LegallyBindingInstrument => Article::gdpr(46).paragraph(2).point('a'),
            TransferMechanism::BindingCorporateRules => Article::gdpr(46).paragraph(2).point('b'),
            TransferMechanism::StandardContractualClauses { .. } => Article::gdpr(46).paragraph(2).point('c'),
            TransferMechanism::SupervisoryAuthorityClauses => Article::gdpr(46).paragraph(2).point('d'),
            TransferMechanism::CodeOfConduct => Article::gdpr(46).paragraph(2).point('e'),
            TransferMechanism::Certification => Article::gdpr(46).paragraph(2).point('f'),
            TransferMechanism::AuthorisedContractualClauses => Article::gdpr(46).paragraph(3).point('a'),
            TransferMechanism::AdministrativeArrangement => Article::gdpr(46).paragraph(3).point('b'),
            TransferMechanism::Derogation { point } => point.article(),
        }
    }

    /// The IRI of the mechanism's concept in DPV's GDPR extension.
    #[must_use]
    pub fn dpv_iri(&self) -> Cow<'static, str> {
        match self {
            TransferMechanism::AdequacyDecision => iri(GDPR, "A45-3").into(),
            TransferMechanism::LegallyBindingInstrument => iri(GDPR, "A46-2-a").into(),
            TransferMechanism::BindingCorporateRules => iri(GDPR, "A46-2-b").into(),
            TransferMechanism::StandardContractualClauses { .. } => iri(GDPR, "A46-2-c").into(),
            TransferMechanism::SupervisoryAuthorityClauses => iri(GDPR, "A46-2-d").into(),
            TransferMechanism::CodeOfConduct => iri(GDPR, "A46-2-e").into(),
            TransferMechanism::Certification => iri(GDPR, "A46-2-f").into(),
            TransferMechanism::AuthorisedContractualClauses => iri(GDPR, "A46-3-a").into(),
            TransferMechanism::AdministrativeArrangement => iri(GDPR, "A46-3-b").into(),
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
            None => PLAIN.iter().find(|(name, _)| *name == s).map(|&(_, m)| m),
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

vocabulary! {
    /// An international organisation that personal data may be transferred to (Art. 4(26),
    /// Chapter V). Only the organisations the crate knows an adequacy decision for are listed;
    /// a transfer to another organisation is described by its country of seat until its own
    /// entry is added.
    closed InternationalOrganisation, "international organisation", "An international organisation as a destination of a Chapter V transfer (Art. 4(26) GDPR)." {
        EuropeanPatentOrganisation => "european_patent_organisation", iri(DPV, "InternationalOrganisation"), "The European Patent Organisation (Munich), the first international organisation with a Commission adequacy decision (adopted 15 July 2025).";
    }
}

impl InternationalOrganisation {
    /// The Commission adequacy decision covering the organisation on `date`, if any (Art. 45(1),
    /// (3)).
    #[must_use]
    pub fn adequacy_on(&self, date: NaiveDate) -> Option<&'static Adequacy> {
        Destination::InternationalOrganisation(*self).adequacy_on(date)
    }
}

/// Where a Chapter V transfer goes: a third country or an international organisation (Art. 44).
///
/// In JSON and storage it is a string: an ISO 3166-1 alpha-2 code (`"US"`) for a country, the
/// storage name (`"european_patent_organisation"`) for an organisation.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::vocab::{Country, Destination, InternationalOrganisation};
///
/// let epo = Destination::InternationalOrganisation(InternationalOrganisation::EuropeanPatentOrganisation);
/// assert_eq!(epo.to_string(), "european_patent_organisation");
/// assert_eq!("US".parse::<Destination>()?, Destination::Country(Country::US));
/// assert!(!epo.is_eea(), "an international organisation is always a Chapter V destination");
/// assert!(epo.adequacy_on(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).is_some());
/// # Ok::<(), gdpr_obligations::vocab::UnknownTerm>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Destination {
    /// A country; inside the EEA there is no Chapter V transfer.
    Country(Country),
    /// An international organisation (Art. 4(26)).
    InternationalOrganisation(InternationalOrganisation),
}

impl Destination {
    /// Whether the GDPR applies at the destination, so that sending data there is no Chapter V
    /// transfer (Art. 44): an EEA country; never an international organisation.
    #[must_use]
    pub fn is_eea(&self) -> bool {
        match self {
            Destination::Country(c) => c.is_eea(),
            Destination::InternationalOrganisation(_) => false,
        }
    }

    /// The country, when the destination is one.
    #[must_use]
    pub const fn country(&self) -> Option<Country> {
        match self {
            Destination::Country(c) => Some(*c),
            Destination::InternationalOrganisation(_) => None,
        }
    }

    /// The Commission adequacy decision covering the destination on `date`, if any (Art. 45(3)).
    /// A decision with a [`Partial`](super::AdequacyScope::Partial) scope covers a transfer only
    /// when the importer is shown to fall within it (Art. 45(1)).
    #[must_use]
    pub fn adequacy_on(&self, date: NaiveDate) -> Option<&'static Adequacy> {
        super::country::adequacy_table().iter().find(|a| a.destination == *self && a.in_force_on(date))
    }

    /// Whether some adequacy decision for the destination, at any date, covers only part of its
    /// importers: a transfer relying on it needs evidence that the importer is covered.
    #[must_use]
    pub fn has_partial_adequacy(&self) -> bool {
        super::country::adequacy_table()
            .iter()
            .any(|a| a.destination == *self && matches!(a.scope, super::AdequacyScope::Partial(_)))
    }
}

impl From<Country> for Destination {
    fn from(country: Country) -> Self {
        Destination::Country(country)
    }
}

impl From<InternationalOrganisation> for Destination {
    fn from(organisation: InternationalOrganisation) -> Self {
        Destination::InternationalOrganisation(organisation)
    }
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Country(c) => f.write_str(c.as_str()),
            Destination::InternationalOrganisation(o) => f.write_str(o.as_str()),
        }
    }
}

impl FromStr for Destination {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 2 {
            return s.parse::<Country>().map(Destination::Country).map_err(|InvalidCountry { .. }| {
                UnknownTerm::new("transfer destination", s, &["an ISO 3166-1 alpha-2 code"], false)
            });
        }
        s.parse::<InternationalOrganisation>().map(Destination::InternationalOrganisation).map_err(|_| {
            let mut names: Vec<&str> = vec!["an ISO 3166-1 alpha-2 code"];
            names.extend(InternationalOrganisation::BUILT_IN.iter().map(InternationalOrganisation::as_str));
            UnknownTerm::new("transfer destination", s, &names, false)
        })
    }
}

string_serde!(Destination);

impl JsonSchema for Destination {
    fn schema_name() -> Cow<'static, str> {
        "Destination".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let organisations: Vec<&str> = InternationalOrganisation::BUILT_IN.iter().map(|o| o.as_str()).collect();
        json_schema!({
            "description": "Where a Chapter V transfer goes: an ISO 3166-1 alpha-2 country code, or an international organisation by its storage name.",
            "oneOf": [
                { "type": "string", "pattern": "^[A-Z]{2}$" },
                { "type": "string", "enum": organisations }
            ]
        })
    }
}
