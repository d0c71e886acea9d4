//! The closed vocabularies of the Regulation, as types.
//!
//! Every term has a stable storage name (`as_str`, parsed back by `FromStr`), serialises to
//! that same snake_case string, describes itself in JSON Schema, and maps to its concept in the
//! W3C [Data Privacy Vocabulary](https://w3id.org/dpv) (DPV 2) through `dpv_iri`. Where the
//! law leaves a set open (data categories, subject categories, purposes), the vocabulary has a
//! `Custom` term whose name starts with `x-`, so that a product's own terms can never collide
//! with a built-in one.
//!
//! The DPV mapping follows DPV 2.1. Where DPV has no concept of its own (a prospect, a chat
//! agent, sexual orientation, online identifiers) the term maps to the nearest one and says so
//! in its documentation.
//!
//! Which rights a data subject has under which legal basis is data in [`rights`], not `if`s
//! scattered over the crate.
//!
//! # Example
//! ```
//! use gdpr_obligations::vocab::{DataCategory, LegalBasis};
//!
//! let basis: LegalBasis = "legitimate_interests".parse()?;
//! assert_eq!(basis.article().to_string(), "Art. 6(1)(f)");
//! assert_eq!(serde_json::to_string(&basis)?, r#""legitimate_interests""#);
//!
//! let custom: DataCategory = "x-loyalty_points".parse()?;
//! assert!(!custom.is_special());
//! assert!(DataCategory::Health.is_special());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod article;
mod country;
mod language;
mod object;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

pub use article::{Article, Instrument, ParseArticleError};
pub use country::{Adequacy, AdequacyScope, Country, InvalidCountry};
pub use language::{InvalidLanguage, Language};
pub use transfer::{DerogationPoint, Destination, InternationalOrganisation, SccModule, TransferMechanism};

pub(crate) use object::{Object, no_check, object, object_struct, try_from_object};

/// DPV core namespace.
const DPV: &str = "https://w3id.org/dpv#";
/// DPV personal-data extension namespace.
const PD: &str = "https://w3id.org/dpv/pd#";
/// DPV EU GDPR extension namespace.
const GDPR: &str = "https://w3id.org/dpv/legal/eu/gdpr#";

/// A text was not a term of the named vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {vocabulary} term (got {length} characters; expected one of: {expected})")]
pub struct UnknownTerm {
    vocabulary: &'static str,
    /// The length of the text, in characters: the text itself is not kept.
    length: usize,
    expected: String,
}

impl UnknownTerm {
    pub(crate) fn new(vocabulary: &'static str, input: &str, names: &[&str], custom: bool) -> Self {
        let mut expected = names.join(", ");
        if custom {
            expected.push_str(", or a custom term `x-…`");
        }
        Self { vocabulary, length: input.chars().count(), expected }
    }

    /// The vocabulary that was asked for, e.g. `legal basis`.
    #[must_use]
    pub fn vocabulary(&self) -> &'static str {
        self.vocabulary
    }
}

/// A product's own term in an open vocabulary: `x-` followed by 1 to 62 lower-case ASCII
/// letters, digits, `_`, `-` or `.`, so that it can never collide with a built-in term.
///
/// # Example
/// ```
/// use gdpr_obligations::vocab::CustomTerm;
///
/// assert_eq!(CustomTerm::new("x-loyalty_points")?.as_str(), "x-loyalty_points");
/// assert!(CustomTerm::new("loyalty").is_err());
/// assert!(CustomTerm::new("x-Loyalty").is_err());
/// # Ok::<(), gdpr_obligations::vocab::InvalidCustomTerm>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomTerm(Box<str>);

/// A custom term did not have the form `x-[a-z0-9_.-]{1,62}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a custom term is `x-` followed by 1 to 62 of a-z, 0-9, `_`, `-`, `.` (got {0} characters)")]
pub struct InvalidCustomTerm(usize);

impl CustomTerm {
    /// Validates and wraps a custom term.
    ///
    /// # Errors
    /// [`InvalidCustomTerm`] when the text lacks the `x-` prefix, is longer than 64 bytes, or
    /// holds anything but lower-case ASCII letters, digits, `_`, `-` and `.`.
    pub fn new(term: &str) -> Result<Self, InvalidCustomTerm> {
        let ok = term.strip_prefix("x-").is_some_and(|rest| {
            (1..=62).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b))
        });
        if ok { Ok(Self(term.into())) } else { Err(InvalidCustomTerm(term.chars().count())) }
    }

    /// The term as stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CustomTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CustomTerm {
    type Err = InvalidCustomTerm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

string_serde!(CustomTerm);

const CUSTOM_PATTERN: &str = "^x-[a-z0-9_.-]{1,62}$";

impl JsonSchema for CustomTerm {
    fn schema_name() -> Cow<'static, str> {
        "CustomTerm".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": CUSTOM_PATTERN })
    }
}

pub(crate) fn term_schema(description: &str, terms: &[(&str, &str)], custom: bool) -> Schema {
    let mut one_of: Vec<serde_json::Value> =
        terms.iter().map(|(name, doc)| serde_json::json!({ "const": name, "description": doc })).collect();
    if custom {
        one_of.push(serde_json::json!({
            "type": "string",
            "pattern": CUSTOM_PATTERN,
            "description": "A product's own term, prefixed `x-`."
        }));
    }
    json_schema!({ "type": "string", "description": description, "oneOf": one_of })
}

/// Defines a vocabulary enum with its storage names, DPV concepts, serde and JSON Schema.
macro_rules! vocabulary {
    (@common $name:ident, $noun:literal, $desc:literal, $custom:literal,
        [$($variant:ident => $s:literal, $dpv:expr, $doc:literal;)*]) => {
        impl $name {
            /// The position of a built-in term in [`Self::BUILT_IN`]; `None` for a custom term.
            // `allow`, not `expect`: some vocabularies never call it, and only those with a
            // custom term have a pattern left for `_`.
            #[allow(dead_code, unreachable_patterns)]
            pub(crate) const fn ordinal(&self) -> Option<usize> {
                enum Ordinal { $($variant),* }
                match self {
                    $( $name::$variant => Some(Ordinal::$variant as usize), )*
                    _ => None,
                }
            }

            /// Every built-in term, in the order of the Regulation.
            pub const BUILT_IN: &'static [$name] = &[$($name::$variant),*];
            const NAMES: &'static [&'static str] = &[$($s),*];
            const DOCS: &'static [(&'static str, &'static str)] = &[$(($s, $doc)),*];
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        string_serde!($name);

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::vocab::term_schema($desc, Self::DOCS, $custom)
            }
        }
    };
    (
        $(#[$meta:meta])*
        closed $name:ident, $noun:literal, $desc:literal {
            $( $variant:ident => $s:literal, $dpv:expr, $doc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( #[doc = $doc] $variant, )*
        }

        impl $name {
            /// The storage name of the term (the same string as its JSON form).
            pub const fn as_str(&self) -> &'static str {
                match self { $( $name::$variant => $s, )* }
            }

            /// The IRI of the term's concept in the W3C Data Privacy Vocabulary.
            pub fn dpv_iri(&self) -> ::std::borrow::Cow<'static, str> {
                match self { $( $name::$variant => ::std::borrow::Cow::Owned($dpv), )* }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $s => Ok($name::$variant), )*
                    _ => Err($crate::vocab::UnknownTerm::new($noun, s, Self::NAMES, false)),
                }
            }
        }

        vocabulary!(@common $name, $noun, $desc, false, [$($variant => $s, $dpv, $doc;)*]);
    };
    (
        $(#[$meta:meta])*
        open $name:ident, $noun:literal, $desc:literal, custom_dpv: $custom_dpv:expr, {
            $( $variant:ident => $s:literal, $dpv:expr, $doc:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( #[doc = $doc] $variant, )*
            /// A product's own term (prefixed `x-`), for what the built-in terms do not cover.
            Custom($crate::vocab::CustomTerm),
        }

        impl $name {
            /// The storage name of the term (the same string as its JSON form).
            pub fn as_str(&self) -> &str {
                match self { $( $name::$variant => $s, )* $name::Custom(term) => term.as_str() }
            }

            /// The IRI of the term's concept in the W3C Data Privacy Vocabulary; a custom term
            /// maps to the vocabulary's general concept.
            pub fn dpv_iri(&self) -> ::std::borrow::Cow<'static, str> {
                match self { $( $name::$variant => ::std::borrow::Cow::Owned($dpv), )* $name::Custom(_) => ::std::borrow::Cow::Owned($custom_dpv) }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $s => Ok($name::$variant), )*
                    _ => $crate::vocab::CustomTerm::new(s)
                        .map($name::Custom)
                        .map_err(|_| $crate::vocab::UnknownTerm::new($noun, s, Self::NAMES, true)),
                }
            }
        }

        vocabulary!(@common $name, $noun, $desc, true, [$($variant => $s, $dpv, $doc;)*]);
    };
}
pub(crate) use vocabulary;

pub mod rights;
mod transfer;

fn iri(namespace: &str, concept: &str) -> String {
    format!("{namespace}{concept}")
}

vocabulary! {
    /// The six lawful bases of Art. 6(1): at least one must apply to every processing.
    closed LegalBasis, "legal basis", "A lawful basis for processing under Art. 6(1) GDPR." {
        Consent => "consent", iri(GDPR, "A6-1-a"), "Art. 6(1)(a): the data subject has given consent for one or more specific purposes.";
        Contract => "contract", iri(GDPR, "A6-1-b"), "Art. 6(1)(b): necessary for a contract with the data subject, or steps at their request before entering one.";
        LegalObligation => "legal_obligation", iri(GDPR, "A6-1-c"), "Art. 6(1)(c): necessary for compliance with a legal obligation of the controller.";
        VitalInterests => "vital_interests", iri(GDPR, "A6-1-d"), "Art. 6(1)(d): necessary to protect the vital interests of the data subject or another natural person.";
        PublicTask => "public_task", iri(GDPR, "A6-1-e"), "Art. 6(1)(e): necessary for a task in the public interest or in the exercise of official authority.";
        LegitimateInterests => "legitimate_interests", iri(GDPR, "A6-1-f"), "Art. 6(1)(f): necessary for legitimate interests not overridden by the data subject's interests or rights.";
    }
}

impl LegalBasis {
    /// The point of Art. 6(1) that establishes this basis.
    #[must_use]
    pub const fn article(&self) -> Article {
        let point = match self {
            LegalBasis::Consent => 'a',
            LegalBasis::Contract => 'b',
            LegalBasis::LegalObligation => 'c',
            LegalBasis::VitalInterests => 'd',
            LegalBasis::PublicTask => 'e',
            LegalBasis::LegitimateInterests => 'f',
        };
        Article::gdpr(6).paragraph(1).point(point)
    }
}

vocabulary! {
    /// The conditions of Art. 9(2) that lift the prohibition on processing special categories
    /// of personal data (Art. 9(1)). Each is needed *in addition to* an Art. 6(1) basis.
    closed SpecialCategoryCondition, "special category condition", "A condition of Art. 9(2) GDPR for processing special categories of personal data." {
        ExplicitConsent => "explicit_consent", iri(GDPR, "A9-2-a"), "Art. 9(2)(a): explicit consent for one or more specified purposes.";
        EmploymentAndSocialSecurity => "employment_and_social_security", iri(GDPR, "A9-2-b"), "Art. 9(2)(b): obligations and rights in employment, social security and social protection law.";
        VitalInterests => "vital_interests", iri(GDPR, "A9-2-c"), "Art. 9(2)(c): vital interests where the data subject cannot give consent.";
        NotForProfitBody => "not_for_profit_body", iri(GDPR, "A9-2-d"), "Art. 9(2)(d): legitimate activities of a not-for-profit body with a political, philosophical, religious or trade-union aim.";
        ManifestlyMadePublic => "manifestly_made_public", iri(GDPR, "A9-2-e"), "Art. 9(2)(e): data manifestly made public by the data subject.";
        LegalClaims => "legal_claims", iri(GDPR, "A9-2-f"), "Art. 9(2)(f): establishment, exercise or defence of legal claims, or courts acting in their judicial capacity.";
        SubstantialPublicInterest => "substantial_public_interest", iri(GDPR, "A9-2-g"), "Art. 9(2)(g): substantial public interest under Union or Member State law.";
        HealthOrSocialCare => "health_or_social_care", iri(GDPR, "A9-2-h"), "Art. 9(2)(h): preventive or occupational medicine, diagnosis, health or social care, subject to Art. 9(3).";
        PublicHealth => "public_health", iri(GDPR, "A9-2-i"), "Art. 9(2)(i): public interest in the area of public health.";
        ArchivingResearchStatistics => "archiving_research_statistics", iri(GDPR, "A9-2-j"), "Art. 9(2)(j): archiving in the public interest, scientific or historical research, or statistics under Art. 89(1).";
    }
}

impl SpecialCategoryCondition {
    /// The point of Art. 9(2) that states this condition.
    #[must_use]
    pub const fn article(&self) -> Article {
        let point = match self {
            SpecialCategoryCondition::ExplicitConsent => 'a',
            SpecialCategoryCondition::EmploymentAndSocialSecurity => 'b',
            SpecialCategoryCondition::VitalInterests => 'c',
            SpecialCategoryCondition::NotForProfitBody => 'd',
            SpecialCategoryCondition::ManifestlyMadePublic => 'e',
            SpecialCategoryCondition::LegalClaims => 'f',
            SpecialCategoryCondition::SubstantialPublicInterest => 'g',
            SpecialCategoryCondition::HealthOrSocialCare => 'h',
            SpecialCategoryCondition::PublicHealth => 'i',
            SpecialCategoryCondition::ArchivingResearchStatistics => 'j',
        };
        Article::gdpr(9).paragraph(2).point(point)
    }
}

vocabulary! {
    /// Categories of personal data: the ordinary ones a chat product meets, every special
    /// category of Art. 9(1), and criminal-offence data (Art. 10).
    open DataCategory, "data category", "A category of personal data (Art. 4(1); special categories Art. 9(1); criminal data Art. 10 GDPR).", custom_dpv: iri(DPV, "PersonalData"), {
        Identification => "identification", iri(PD, "Identifying"), "Identification data: name, username, account identifiers.";
        Contact => "contact", iri(PD, "Contact"), "Contact data: e-mail address, telephone number, postal address.";
        OnlineIdentifier => "online_identifier", iri(PD, "Identifier"), "Online identifiers: IP address, cookie and visitor identifiers (Recital 30; DPV's nearest concept: `pd:Identifier`).";
        CommunicationContent => "communication_content", iri(PD, "Communication"), "The content of communications, such as chat messages and attachments.";
        Location => "location", iri(PD, "Location"), "Location data.";
        Financial => "financial", iri(PD, "Financial"), "Financial data: payment, billing, order values.";
        UsageBehaviour => "usage_behaviour", iri(PD, "Behavioral"), "Usage and behaviour: pages visited, interactions, preferences.";
        Device => "device", iri(PD, "DeviceBased"), "Device data: browser, operating system, device characteristics.";
        ImageAudio => "image_audio", iri(PD, "Picture"), "Images, audio and video recordings.";
        RacialOrEthnicOrigin => "racial_or_ethnic_origin", iri(PD, "EthnicOrigin"), "Art. 9(1): data revealing racial or ethnic origin.";
        PoliticalOpinions => "political_opinions", iri(PD, "PoliticalOpinion"), "Art. 9(1): data revealing political opinions.";
        ReligiousOrPhilosophicalBeliefs => "religious_or_philosophical_beliefs", iri(PD, "ReligiousBelief"), "Art. 9(1): data revealing religious or philosophical beliefs.";
        TradeUnionMembership => "trade_union_membership", iri(PD, "TradeUnionMembership"), "Art. 9(1): data revealing trade union membership.";
        Genetic => "genetic", iri(PD, "Genetic"), "Art. 9(1): genetic data.";
        Biometric => "biometric", iri(PD, "Biometric"), "Art. 9(1): biometric data for the purpose of uniquely identifying a natural person.";
        Health => "health", iri(PD, "Health"), "Art. 9(1): data concerning health.";
        SexLife => "sex_life", iri(PD, "Sexual"), "Art. 9(1): data concerning a natural person's sex life.";
        SexualOrientation => "sexual_orientation", iri(PD, "SexualPreference"), "Art. 9(1): data concerning a natural person's sexual orientation (DPV's nearest concept: `pd:SexualPreference`).";
        CriminalOffences => "criminal_offences", iri(PD, "Criminal"), "Art. 10: personal data relating to criminal convictions and offences or related security measures.";
    }
}

/// How the Regulation treats a [`DataCategory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DataCategoryKind {
    /// Personal data under Art. 4(1), processed on an Art. 6(1) basis.
    Ordinary,
    /// A special category under Art. 9(1): processing also needs an Art. 9(2) condition.
    Special,
    /// Criminal-offence data under Art. 10: only under official authority or when authorised by
    /// Union or Member State law.
    Criminal,
}

impl DataCategory {
    /// Whether the category is ordinary, special (Art. 9(1)) or criminal (Art. 10).
    /// Custom terms are ordinary: the list of Art. 9(1) is closed.
    #[must_use]
    pub fn kind(&self) -> DataCategoryKind {
        use DataCategory::*;
        match self {
            RacialOrEthnicOrigin
            | PoliticalOpinions
            | ReligiousOrPhilosophicalBeliefs
            | TradeUnionMembership
            | Genetic
            | Biometric
            | Health
            | SexLife
            | SexualOrientation => DataCategoryKind::Special,
            CriminalOffences => DataCategoryKind::Criminal,
            _ => DataCategoryKind::Ordinary,
        }
    }

    /// Whether the category is a special category of Art. 9(1).
    #[must_use]
    pub fn is_special(&self) -> bool {
        self.kind() == DataCategoryKind::Special
    }

    /// The provision that defines the category: Art. 4(1), Art. 9(1) or Art. 10.
    #[must_use]
    pub fn article(&self) -> Article {
        match self.kind() {
            DataCategoryKind::Ordinary => Article::gdpr(4).paragraph(1),
            DataCategoryKind::Special => Article::gdpr(9).paragraph(1),
            DataCategoryKind::Criminal => Article::gdpr(10),
        }
    }
}

vocabulary! {
    /// Categories of data subjects (Art. 30(1)(c), Art. 28(3)).
    open SubjectCategory, "subject category", "A category of data subjects (Art. 30(1)(c) GDPR).", custom_dpv: iri(DPV, "DataSubject"), {
        Visitor => "visitor", iri(DPV, "Visitor"), "A visitor of a website who uses its chat.";
        Customer => "customer", iri(DPV, "Customer"), "A customer of the controller.";
        Prospect => "prospect", iri(DPV, "Consumer"), "A prospective customer (DPV has no prospect concept: nearest is `dpv:Consumer`).";
        Employee => "employee", iri(DPV, "Employee"), "An employee of the controller.";
        ChatAgent => "chat_agent", iri(DPV, "Employee"), "An agent (DPV's nearest concept: `dpv:Employee`) who answers chats on the controller's behalf.";
        Child => "child", iri(DPV, "Child"), "A child: consent to information society services needs Art. 8, and legitimate interests weigh a child's interests more (Art. 6(1)(f)).";
    }
}

vocabulary! {
    /// Purposes of processing (Art. 5(1)(b): specified, explicit and legitimate).
    open Purpose, "purpose", "A purpose of processing (Art. 5(1)(b) GDPR).", custom_dpv: iri(DPV, "Purpose"), {
        CustomerCare => "customer_care", iri(DPV, "CustomerCare"), "Answering customers' and visitors' questions and complaints.";
        Contract => "contract", iri(DPV, "FulfilmentOfContractualObligation"), "Performing a contract, such as an order placed through the chat.";
        Marketing => "marketing", iri(DPV, "DirectMarketing"), "Direct marketing: an objection under Art. 21(2) always stops it (Art. 21(3)).";
        Analytics => "analytics", iri(DPV, "ServiceUsageAnalytics"), "Analysing the use of the service.";
        Security => "security", iri(DPV, "EnforceSecurity"), "Keeping the service and its data secure (Art. 32).";
        LegalCompliance => "legal_compliance", iri(DPV, "LegalCompliance"), "Complying with a legal obligation, such as keeping accounting records.";
    }
}

impl Purpose {
    /// Whether the purpose is direct marketing, against which an objection is absolute
    /// (Art. 21(2)-(3)).
    #[must_use]
    pub fn is_direct_marketing(&self) -> bool {
        matches!(self, Purpose::Marketing)
    }
}

vocabulary! {
    /// The rights of the data subject (Arts. 15-22), the withdrawal of consent (Art. 7(3)) and
    /// the right to lodge a complaint (Art. 77).
    closed Right, "right", "A right of the data subject (Arts. 7(3), 15-22, 77 GDPR)." {
        Access => "access", iri(GDPR, "A15"), "Art. 15: confirmation, access to the data, the Art. 15(1) information and a copy.";
        Rectification => "rectification", iri(GDPR, "A16"), "Art. 16: rectification of inaccurate data and completion of incomplete data.";
        Erasure => "erasure", iri(GDPR, "A17"), "Art. 17: erasure on one of the grounds of Art. 17(1), unless Art. 17(3) applies.";
        Restriction => "restriction", iri(GDPR, "A18"), "Art. 18: restriction of processing on one of the grounds of Art. 18(1).";
        RecipientInformation => "recipient_information", iri(GDPR, "A19"), "Art. 19: to be told the recipients informed of a rectification, erasure or restriction.";
        Portability => "portability", iri(GDPR, "A20"), "Art. 20: the data the subject provided, in a structured, commonly used, machine-readable format.";
        Objection => "objection", iri(GDPR, "A21"), "Art. 21: objection to processing on Art. 6(1)(e) or (f), and to direct marketing at any time.";
        AutomatedDecisionReview => "automated_decision_review", iri(GDPR, "A22"), "Art. 22: not to be subject to a solely automated decision with legal or similarly significant effects.";
        WithdrawConsent => "withdraw_consent", iri(GDPR, "A7-3"), "Art. 7(3): withdrawal of consent at any time, as easy as giving it.";
        LodgeComplaint => "lodge_complaint", iri(GDPR, "A77"), "Art. 77: a complaint with a supervisory authority.";
    }
}

impl Right {
    /// The article that grants the right.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            Right::Access => Article::gdpr(15),
            Right::Rectification => Article::gdpr(16),
            Right::Erasure => Article::gdpr(17),
            Right::Restriction => Article::gdpr(18),
            Right::RecipientInformation => Article::gdpr(19),
            Right::Portability => Article::gdpr(20),
            Right::Objection => Article::gdpr(21),
            Right::AutomatedDecisionReview => Article::gdpr(22),
            Right::WithdrawConsent => Article::gdpr(7).paragraph(3),
            Right::LodgeComplaint => Article::gdpr(77),
        }
    }
}

vocabulary! {
    /// The role a party plays *in one processing activity*: a chat vendor is a processor for its
    /// customers' chats and a controller for its own billing data.
    closed Role, "role", "The role of a party in a processing activity (Arts. 4(7)-(10), 26, 28 GDPR)." {
        Controller => "controller", iri(DPV, "DataController"), "Art. 4(7): determines the purposes and means of the processing.";
        JointController => "joint_controller", iri(DPV, "JointDataControllers"), "Art. 26: determines purposes and means jointly with another controller, under an arrangement.";
        Processor => "processor", iri(DPV, "DataProcessor"), "Art. 4(8): processes personal data on behalf of the controller, under an Art. 28(3) contract.";
        SubProcessor => "sub_processor", iri(DPV, "DataSubProcessor"), "Art. 28(2), 28(4): another processor engaged by a processor, with the controller's authorisation.";
        Recipient => "recipient", iri(DPV, "Recipient"), "Art. 4(9): a party to which personal data are disclosed.";
        ThirdParty => "third_party", iri(DPV, "ThirdParty"), "Art. 4(10): a party other than the data subject, controller, processor and persons under their authority.";
    }
}

impl Role {
    /// The provision that defines the role.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            Role::Controller => Article::gdpr(4).paragraph(7),
            Role::JointController => Article::gdpr(26),
            Role::Processor => Article::gdpr(4).paragraph(8),
            Role::SubProcessor => Article::gdpr(28).paragraph(4),
            Role::Recipient => Article::gdpr(4).paragraph(9),
            Role::ThirdParty => Article::gdpr(4).paragraph(10),
        }
    }

    /// Whether the role processes on someone else's behalf (and so needs an Art. 28 contract).
    #[must_use]
    pub const fn acts_on_behalf(&self) -> bool {
        matches!(self, Role::Processor | Role::SubProcessor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_terms_name_the_vocabulary_and_the_choices() {
        let err = "consnet".parse::<LegalBasis>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("legal basis") && text.contains("consent"), "{text}");
        assert!(!text.contains("x-"), "closed vocabularies take no custom terms: {text}");
        let err = "Health".parse::<DataCategory>().unwrap_err();
        assert!(err.to_string().contains("x-"), "{err}");
    }

    #[test]
    fn custom_terms_cannot_shadow_built_in_ones() {
        for term in DataCategory::BUILT_IN {
            assert!(CustomTerm::new(term.as_str()).is_err());
        }
        assert_eq!("x-loyalty".parse::<Purpose>(), Ok(Purpose::Custom(CustomTerm::new("x-loyalty").unwrap())));
        for bad in ["x-", "x-A", "x- a", &format!("x-{}", "a".repeat(63))] {
            assert!(CustomTerm::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn art_9_1_special_categories_are_exactly_nine() {
        let special: Vec<_> = DataCategory::BUILT_IN.iter().filter(|c| c.is_special()).collect();
        assert_eq!(special.len(), 9);
        assert_eq!(DataCategory::CriminalOffences.article().to_string(), "Art. 10");
        assert_eq!(DataCategory::Health.article().to_string(), "Art. 9(1)");
    }
}
