//! Processing activities: what the Art. 30 records list and Art. 13/14 notices tell.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ActivityId, Invalid, LocalizedText, ModelError, PartyId, Problems, Text};
use crate::vocab::{
    Article, Country, DataCategory, DataCategoryKind, DerogationPoint, Destination, LegalBasis, Purpose, Role,
    SpecialCategoryCondition, SubjectCategory, TransferMechanism,
};

/// Who determines the purposes and means of an activity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Controllers {
    /// One controller (Art. 4(7)).
    Sole {
        /// The controller.
        controller: PartyId,
    },
    /// Joint controllers, with the arrangement that sets out their responsibilities (Art. 26(1)).
    Joint {
        /// The controllers, at least two.
        controllers: Vec<PartyId>,
        /// The essence of the arrangement, made available to data subjects (Art. 26(2)), in each
        /// language the controllers' documents are written in.
        arrangement: LocalizedText,
    },
}

impl Controllers {
    /// Every controller.
    #[must_use]
    pub fn parties(&self) -> &[PartyId] {
        match self {
            Controllers::Sole { controller } => std::slice::from_ref(controller),
            Controllers::Joint { controllers, .. } => controllers,
        }
    }
}

/// A purpose of the activity with its legal basis and what that basis requires.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PurposeSpec {
    /// The purpose (Art. 5(1)(b)).
    pub purpose: Purpose,
    /// The lawful basis (Art. 6(1)).
    pub basis: LegalBasis,
    /// The legitimate interests pursued, required when the basis is Art. 6(1)(f)
    /// (Art. 13(1)(d), 14(2)(b)), in each language the notice is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legitimate_interests: Option<LocalizedText>,
    /// The Art. 9(2) condition, required when the activity processes special categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_category_condition: Option<SpecialCategoryCondition>,
}

/// A recipient of the activity's data (Art. 4(9); Art. 13(1)(e), 30(1)(d)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Recipient {
    /// The recipient as a known party, where it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// Its name, or a category of recipients ("payment providers"), in each language the
    /// documents are written in.
    pub name: LocalizedText,
    /// Its role in the activity.
    pub role: Role,
    /// Where it processes the data.
    pub country: Country,
}

/// Dated evidence that an importer falls within an adequacy decision that covers only part of
/// a destination's importers (Art. 45(1): "one or more specified sectors"), e.g. the importer's
/// entry on the Data Privacy Framework list for Decision (EU) 2023/1795. Without it, the
/// decision does not cover the transfer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AdequacyCoverage {
    /// What shows the importer is covered (a list entry, a certification, a statute).
    pub evidence: Text,
    /// The day the evidence was checked.
    pub checked_on: NaiveDate,
}

impl AdequacyCoverage {
    /// Evidence checked on `checked_on`.
    #[must_use]
    pub fn new(evidence: Text, checked_on: NaiveDate) -> Self {
        AdequacyCoverage { evidence, checked_on }
    }
}

/// The assessment, on record, of whether the law and practice of the destination let an
/// Art. 46 safeguard work, with any supplementary measures (Art. 46(1) as read by the Court in
/// C-311/18 Schrems II; Clause 14 of the clauses of Decision (EU) 2021/914).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct TransferAssessment {
    /// Its conclusion and the supplementary measures taken, or where the assessment is kept.
    pub summary: Text,
    /// The day it was made or last reviewed.
    pub assessed_on: NaiveDate,
}

impl TransferAssessment {
    /// An assessment made on `assessed_on`.
    #[must_use]
    pub fn new(summary: Text, assessed_on: NaiveDate) -> Self {
        TransferAssessment { summary, assessed_on }
    }
}

/// A transfer of the activity's data to a third country or an international organisation
/// (Chapter V; Art. 13(1)(f), 30(1)(e)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Transfer {
    /// Who receives the data there.
    pub recipient: Text,
    /// The destination: a country or an international organisation (JSON `destination`; the
    /// former key `country` is still read).
    #[serde(alias = "country")]
    pub destination: Destination,
    /// The Chapter V ground, required outside the EEA (Art. 44).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<TransferMechanism>,
    /// For an adequacy decision that covers only some importers, the evidence that this one is
    /// covered (Art. 45(1), (3)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy_coverage: Option<AdequacyCoverage>,
    /// For an Art. 46 safeguard, the transfer impact assessment (C-311/18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_assessment: Option<TransferAssessment>,
    /// For an Art. 49(1) second-subparagraph transfer, the documented suitable safeguards
    /// (Art. 30(1)(e), 49(6)), in each language the documents are written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safeguards_documentation: Option<LocalizedText>,
    /// For an Art. 49(1) second-subparagraph transfer, when the supervisory authority was
    /// informed of it (Art. 49(1), second subparagraph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_informed_at: Option<DateTime<Utc>>,
    /// For an Art. 49(1) second-subparagraph transfer, how the data subject is informed of the
    /// transfer and of the compelling legitimate interests pursued (Art. 49(1), second
    /// subparagraph, in addition to Arts. 13 and 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_information: Option<Text>,
}

impl PurposeSpec {
    /// `purpose` on `basis`, with neither legitimate interests nor an Art. 9(2) condition; the
    /// `with_*` methods add them where the basis or the data need them.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::{LocalizedText, PurposeSpec, Text};
    /// use gdpr_obligations::vocab::{Language, LegalBasis, Purpose};
    ///
    /// let interests = LocalizedText::new(Language::EN, Text::new("answering visitors' questions about orders")?)
    ///     .with(Language::CS, Text::new("odpovídání na dotazy návštěvníků k objednávkám")?);
    /// let care = PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests)
    ///     .with_legitimate_interests(interests);
    /// assert!(care.legitimate_interests.is_some());
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(purpose: Purpose, basis: LegalBasis) -> Self {
        PurposeSpec { purpose, basis, legitimate_interests: None, special_category_condition: None }
    }

    /// The same purpose with the legitimate interests pursued (Art. 13(1)(d)).
    #[must_use]
    pub fn with_legitimate_interests(mut self, interests: LocalizedText) -> Self {
        self.legitimate_interests = Some(interests);
        self
    }

    /// The same purpose with the Art. 9(2) condition for special categories.
    #[must_use]
    pub fn with_special_category_condition(mut self, condition: SpecialCategoryCondition) -> Self {
        self.special_category_condition = Some(condition);
        self
    }
}

impl Recipient {
    /// A recipient named `name` (a party's name, or a category such as "payment providers") in
    /// `role`, processing in `country`; [`with_party`](Self::with_party) links a known party.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::{LocalizedText, PartyId, Recipient, Text};
    /// use gdpr_obligations::vocab::{Country, Language, Role};
    ///
    /// let name = LocalizedText::new(Language::CS, Text::new("Chatvendor s.r.o.")?);
    /// let vendor = Recipient::new(name, Role::Processor, Country::CZ)
    ///     .with_party(PartyId::generate());
    /// assert!(vendor.party.is_some());
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(name: LocalizedText, role: Role, country: Country) -> Self {
        Recipient { party: None, name, role, country }
    }

    /// The same recipient, as the known party `party`.
    #[must_use]
    pub fn with_party(mut self, party: PartyId) -> Self {
        self.party = Some(party);
        self
    }
}

impl Transfer {
    /// A transfer to `recipient` in `destination` (a [`Country`] or an international
    /// organisation); outside the EEA it needs a mechanism ([`with_mechanism`](Self::with_mechanism),
    /// Art. 44) and what the mechanism requires on record, which [`ProcessingActivity::new`]
    /// checks.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use gdpr_obligations::model::{Text, Transfer, TransferAssessment};
    /// use gdpr_obligations::vocab::{Country, SccModule, TransferMechanism};
    ///
    /// let mailer = Transfer::new(Text::new("Mailer Inc.")?, Country::US)
    ///     .with_mechanism(TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor })
    ///     .with_transfer_assessment(TransferAssessment::new(
    ///         Text::new("US law assessed 2026-01-10; encryption at rest with EU-held keys")?,
    ///         NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
    ///     ));
    /// assert!(mailer.mechanism.is_some());
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(recipient: Text, destination: impl Into<Destination>) -> Self {
        Transfer {
            recipient,
            destination: destination.into(),
            mechanism: None,
            adequacy_coverage: None,
            transfer_assessment: None,
            safeguards_documentation: None,
            authority_informed_at: None,
            subject_information: None,
        }
    }

    /// The same transfer with the evidence that a partial adequacy decision covers the importer
    /// (Art. 45(1), (3)).
    #[must_use]
    pub fn with_adequacy_coverage(mut self, coverage: AdequacyCoverage) -> Self {
        self.adequacy_coverage = Some(coverage);
        self
    }

    /// The same transfer with its transfer impact assessment (Art. 46(1); C-311/18).
    #[must_use]
    pub fn with_transfer_assessment(mut self, assessment: TransferAssessment) -> Self {
        self.transfer_assessment = Some(assessment);
        self
    }

    /// The same transfer with when the supervisory authority was informed of it, and how the
    /// data subject is informed (Art. 49(1), second subparagraph).
    #[must_use]
    pub fn with_compelling_interest_information(
        mut self,
        authority_informed_at: DateTime<Utc>,
        subject_information: Text,
    ) -> Self {
        self.authority_informed_at = Some(authority_informed_at);
        self.subject_information = Some(subject_information);
        self
    }

    /// The same transfer on a Chapter V mechanism (Art. 44).
    #[must_use]
    pub fn with_mechanism(mut self, mechanism: TransferMechanism) -> Self {
        self.mechanism = Some(mechanism);
        self
    }

    /// The same transfer with its documented suitable safeguards (Art. 30(1)(e), 49(6)).
    #[must_use]
    pub fn with_safeguards_documentation(mut self, documentation: LocalizedText) -> Self {
        self.safeguards_documentation = Some(documentation);
        self
    }
}

/// What Chapter V requires on record for the transfer `t` (the `i`th of the activity): a
/// mechanism outside the EEA (Art. 44); for an adequacy decision covering only some importers,
/// the evidence that this importer is covered (Art. 45(1), (3)); for an Art. 46 safeguard, the
/// transfer impact assessment (Art. 46(1); C-311/18); for the compelling legitimate interests
/// of Art. 49(1), second subparagraph, the documented safeguards (Art. 30(1)(e)) and the
/// information of the supervisory authority and of the data subject.
fn transfer_problems(i: usize, t: &Transfer, p: &mut Problems) {
    let art = Article::gdpr;
    if t.destination.is_eea() {
        return;
    }
    let Some(mechanism) = t.mechanism else {
        p.push(
            Invalid::new(
                format!("transfers[{i}].mechanism"),
                format!("a transfer to {} needs a Chapter V mechanism", t.destination),
            )
            .under(art(44)),
        );
        return;
    };
    if mechanism == TransferMechanism::AdequacyDecision
        && t.destination.has_partial_adequacy()
        && t.adequacy_coverage.is_none()
    {
        p.push(
            Invalid::new(
                format!("transfers[{i}].adequacy_coverage"),
                format!(
                    "the adequacy decision for {} covers only some importers: record dated evidence that this one \
                     is covered (Art. 45(3))",
                    t.destination
                ),
            )
            .under(art(45).paragraph(1)),
        );
    }
    if mechanism.needs_transfer_assessment() && t.transfer_assessment.is_none() {
        p.push(
            Invalid::new(
                format!("transfers[{i}].transfer_assessment"),
                "a transfer on an Art. 46 safeguard needs an assessment of the destination's law and of any \
                 supplementary measures on record (C-311/18)",
            )
            .under(art(46).paragraph(1)),
        );
    }
    if mechanism == (TransferMechanism::Derogation { point: DerogationPoint::CompellingLegitimateInterests }) {
        let second = art(49).paragraph(1).subparagraph(2);
        if t.safeguards_documentation.is_none() {
            p.push(
                Invalid::new(
                    format!("transfers[{i}].safeguards_documentation"),
                    "a transfer on compelling legitimate interests must document its suitable safeguards",
                )
                .under(art(30).paragraph(1).point('e')),
            );
        }
        if t.authority_informed_at.is_none() {
            p.push(
                Invalid::new(
                    format!("transfers[{i}].authority_informed_at"),
                    "the supervisory authority must be informed of a transfer on compelling legitimate interests",
                )
                .under(second),
            );
        }
        if t.subject_information.is_none() {
            p.push(
                Invalid::new(
                    format!("transfers[{i}].subject_information"),
                    "the data subject must be informed of the transfer and of the compelling legitimate interests \
                     pursued",
                )
                .under(second),
            );
        }
    }
}

/// How long the activity keeps its data (Art. 5(1)(e); Art. 13(2)(a), 30(1)(f)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Retention {
    /// A fixed number of months from collection.
    Months {
        /// Months, at least one.
        months: u16,
    },
    /// A number of months after an event, e.g. the visitor's last conversation.
    MonthsAfter {
        /// The event that starts the period, in each language the documents are written in, as
        /// it reads in "24 months after {event}"; in Czech in the genitive, after "od" ("24
        /// měsíců od posledního rozhovoru návštěvníka").
        event: LocalizedText,
        /// Months, at least one.
        months: u16,
    },
    /// The criteria used to determine the period, where no period can be given (Art. 13(2)(a)).
    Criteria {
        /// The criteria, in each language the documents are written in.
        criteria: LocalizedText,
    },
}

/// A processing activity: one entry of the Art. 30 records.
///
/// Built from a [`ProcessingActivityRepr`] by [`ProcessingActivity::new`], which checks the
/// rules that need no date or other record: see its `# Errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<ProcessingActivityRepr>", into = "ProcessingActivityRepr")]
pub struct ProcessingActivity(ProcessingActivityRepr);

/// The fields of a [`ProcessingActivity`] before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessingActivityRepr {
    /// The activity's id.
    pub id: ActivityId,
    /// A name, e.g. "Website chat customer care", in each language the documents are written
    /// in.
    pub name: LocalizedText,
    /// Who decides purposes and means.
    pub controllers: Controllers,
    /// Purposes with their bases (Art. 30(1)(b)).
    pub purposes: Vec<PurposeSpec>,
    /// Categories of personal data (Art. 30(1)(c)).
    pub data_categories: Vec<DataCategory>,
    /// Whether free text (chat messages) may reveal special categories even when none is
    /// collected on purpose; such an activity needs an Art. 9(2) condition too.
    #[serde(default)]
    pub may_contain_special_categories: bool,
    /// Whether the activity's data may hold personal data of third parties (people visitors
    /// mention in chats), and how Art. 14 is met for them; `None` when it may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub may_contain_third_party_data: Option<super::ThirdPartyData>,
    /// The Union or Member State law, or official authority, under which criminal-offence data
    /// are processed (Art. 10); required when `data_categories` holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criminal_data_authority: Option<Text>,
    /// Categories of data subjects (Art. 30(1)(c)).
    pub subject_categories: Vec<SubjectCategory>,
    /// Recipients (Art. 30(1)(d)).
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Transfers to third countries (Art. 30(1)(e)).
    #[serde(default)]
    pub transfers: Vec<Transfer>,
    /// Retention (Art. 30(1)(f)).
    pub retention: Retention,
    /// A general description of the Art. 32(1) measures (Art. 30(1)(g)), each in every
    /// language the records are written in.
    #[serde(default)]
    pub security_measures: Vec<LocalizedText>,
    /// Meaningful information about automated decision-making, where the activity uses it
    /// (Art. 13(2)(f), 22), in each language the notice is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_decision_making: Option<LocalizedText>,
}

impl From<ProcessingActivity> for ProcessingActivityRepr {
    fn from(a: ProcessingActivity) -> Self {
        a.0
    }
}

crate::vocab::try_from_object!(ProcessingActivity, ProcessingActivityRepr);

impl TryFrom<ProcessingActivityRepr> for ProcessingActivity {
    type Error = ModelError;
    fn try_from(r: ProcessingActivityRepr) -> Result<Self, ModelError> {
        ProcessingActivity::new(r)
    }
}

impl ProcessingActivity {
    /// Starts an activity with its name, its controllers and its retention; purposes, data and
    /// subject categories, recipients, transfers and measures are added on the builder, and
    /// [`ProcessingActivityBuilder::build`] runs the checks of [`new`](Self::new), reporting
    /// every problem at once.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::{Controllers, LocalizedText, PartyId, ProcessingActivity, PurposeSpec, Retention, Text};
    /// use gdpr_obligations::vocab::{DataCategory, Language, LegalBasis, Purpose, SubjectCategory};
    ///
    /// let shop = PartyId::generate();
    /// let activity = ProcessingActivity::builder(
    ///     LocalizedText::new(Language::EN, Text::new("Website chat customer care")?)
    ///         .with(Language::CS, Text::new("Zákaznická podpora přes chat na webu")?),
    ///     Controllers::Sole { controller: shop },
    ///     Retention::Months { months: 24 },
    /// )
    /// .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::Contract))
    /// .data_categories([DataCategory::Contact, DataCategory::CommunicationContent])
    /// .subject_categories([SubjectCategory::Visitor])
    /// .build()?;
    /// assert!(activity.is_controlled_by(shop));
    ///
    /// // No purpose and no categories: every problem is reported, each with its article.
    /// let empty = ProcessingActivity::builder(
    ///     LocalizedText::new(Language::EN, Text::new("Chat")?),
    ///     Controllers::Sole { controller: shop },
    ///     Retention::Months { months: 24 },
    /// )
    /// .build()
    /// .unwrap_err();
    /// assert_eq!(empty.problems().len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(name: LocalizedText, controllers: Controllers, retention: Retention) -> ProcessingActivityBuilder {
        ProcessingActivityBuilder(ProcessingActivityRepr {
            id: ActivityId::generate(),
            name,
            controllers,
            purposes: Vec::new(),
            data_categories: Vec::new(),
            may_contain_special_categories: false,
            may_contain_third_party_data: None,
            criminal_data_authority: None,
            subject_categories: Vec::new(),
            recipients: Vec::new(),
            transfers: Vec::new(),
            retention,
            security_measures: Vec::new(),
            automated_decision_making: None,
        })
    }

    /// Validates an activity.
    ///
    /// # Errors
    /// [`ModelError`] listing every problem: no purpose (Art. 5(1)(b)); a basis of Art. 6(1)(f)
    /// without the legitimate interests (Art. 13(1)(d)); special categories, declared or
    /// possible, without an Art. 9(2) condition for every purpose (Art. 9(1)); criminal-offence
    /// data without the authority (Art. 10); no data or subject category (Art. 30(1)(c)); joint
    /// controllers fewer than two (Art. 26(1)); a retention of zero months (Art. 5(1)(e)); a
    /// transfer outside the EEA without a mechanism (Art. 44), or an Art. 49(1) second
    /// subparagraph transfer without documented safeguards (Art. 30(1)(e)).
    pub fn new(r: ProcessingActivityRepr) -> Result<Self, ModelError> {
        let mut p = Problems::default();
        let art = Article::gdpr;
        if r.purposes.is_empty() {
            p.push(
                Invalid::new("purposes", "an activity needs at least one specified purpose")
                    .under(art(5).paragraph(1).point('b')),
            );
        }
        let special = r.may_contain_special_categories || r.data_categories.iter().any(DataCategory::is_special);
        for (i, spec) in r.purposes.iter().enumerate() {
            if spec.basis == LegalBasis::LegitimateInterests && spec.legitimate_interests.is_none() {
                p.push(
                    Invalid::new(
                        format!("purposes[{i}].legitimate_interests"),
                        "a basis of legitimate interests must state the interests pursued",
                    )
                    .under(art(13).paragraph(1).point('d')),
                );
            }
            if special && spec.special_category_condition.is_none() {
                p.push(
                    Invalid::new(
                        format!("purposes[{i}].special_category_condition"),
                        "special categories of data need an Art. 9(2) condition in addition to the Art. 6(1) basis",
                    )
                    .under(art(9).paragraph(1)),
                );
            }
        }
        if r.data_categories.iter().any(|c| c.kind() == DataCategoryKind::Criminal)
            && r.criminal_data_authority.is_none()
        {
            p.push(
                Invalid::new(
                    "criminal_data_authority",
                    "criminal-offence data need official authority or a law that authorises them",
                )
                .under(art(10)),
            );
        }
        if r.data_categories.is_empty() {
            p.push(
                Invalid::new("data_categories", "an activity names at least one category of personal data")
                    .under(art(30).paragraph(1).point('c')),
            );
        }
        if r.subject_categories.is_empty() {
            p.push(
                Invalid::new("subject_categories", "an activity names at least one category of data subjects")
                    .under(art(30).paragraph(1).point('c')),
            );
        }
        if let Controllers::Joint { controllers, .. } = &r.controllers {
            let mut distinct = controllers.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() < 2 {
                p.push(
                    Invalid::new("controllers", "joint control needs at least two distinct controllers")
                        .under(art(26).paragraph(1)),
                );
            }
        }
        if matches!(r.retention, Retention::Months { months: 0 } | Retention::MonthsAfter { months: 0, .. }) {
            p.push(
                Invalid::new("retention.months", "a retention period is at least one month")
                    .under(art(5).paragraph(1).point('e')),
            );
        }
        for (i, t) in r.transfers.iter().enumerate() {
            transfer_problems(i, t, &mut p);
        }
        p.finish()?;
        Ok(Self(r))
    }

    /// The activity's fields.
    #[must_use]
    pub fn fields(&self) -> &ProcessingActivityRepr {
        &self.0
    }

    /// The activity's id.
    #[must_use]
    pub fn id(&self) -> ActivityId {
        self.0.id
    }

    /// Whether `party` is a controller of the activity.
    #[must_use]
    pub fn is_controlled_by(&self, party: PartyId) -> bool {
        self.0.controllers.parties().contains(&party)
    }

    /// Whether the activity processes, or may reveal, special categories of data (Art. 9(1)).
    pub fn involves_special_categories(&self) -> bool {
        self.0.may_contain_special_categories || self.0.data_categories.iter().any(DataCategory::is_special)
    }

    /// Unwraps the fields, e.g. to change them and validate again.
    #[must_use]
    pub fn into_fields(self) -> ProcessingActivityRepr {
        self.0
    }
}

/// Builds a [`ProcessingActivity`]; [`build`](Self::build) reports every problem at once.
#[derive(Debug, Clone)]
#[must_use]
pub struct ProcessingActivityBuilder(ProcessingActivityRepr);

impl ProcessingActivityBuilder {
    /// Uses a known id instead of generating one.
    pub fn id(mut self, id: ActivityId) -> Self {
        self.0.id = id;
        self
    }

    /// Adds a purpose with its basis (Art. 30(1)(b)).
    pub fn purpose(mut self, purpose: PurposeSpec) -> Self {
        self.0.purposes.push(purpose);
        self
    }

    /// Adds categories of personal data (Art. 30(1)(c)).
    pub fn data_categories(mut self, categories: impl IntoIterator<Item = DataCategory>) -> Self {
        self.0.data_categories.extend(categories);
        self
    }

    /// Says that free text (chat messages) may reveal special categories even when none is
    /// collected on purpose, so every purpose needs an Art. 9(2) condition (Art. 9(1)).
    pub fn may_contain_special_categories(mut self) -> Self {
        self.0.may_contain_special_categories = true;
        self
    }

    /// The law or official authority under which criminal-offence data are processed (Art. 10).
    pub fn criminal_data_authority(mut self, authority: Text) -> Self {
        self.0.criminal_data_authority = Some(authority);
        self
    }

    /// Adds categories of data subjects (Art. 30(1)(c)).
    pub fn subject_categories(mut self, categories: impl IntoIterator<Item = SubjectCategory>) -> Self {
        self.0.subject_categories.extend(categories);
        self
    }

    /// Adds recipients (Art. 30(1)(d)).
    pub fn recipients(mut self, recipients: impl IntoIterator<Item = Recipient>) -> Self {
        self.0.recipients.extend(recipients);
        self
    }

    /// Adds transfers to third countries (Art. 30(1)(e)).
    pub fn transfers(mut self, transfers: impl IntoIterator<Item = Transfer>) -> Self {
        self.0.transfers.extend(transfers);
        self
    }

    /// Adds descriptions of the Art. 32(1) security measures (Art. 30(1)(g)).
    pub fn security_measures(mut self, measures: impl IntoIterator<Item = LocalizedText>) -> Self {
        self.0.security_measures.extend(measures);
        self
    }

    /// The activity's data may hold personal data of third parties, e.g. people visitors
    /// mention in chats (Art. 14).
    pub fn may_contain_third_party_data(mut self, data: super::ThirdPartyData) -> Self {
        self.0.may_contain_third_party_data = Some(data);
        self
    }

    /// Meaningful information about automated decision-making (Art. 13(2)(f), 22).
    pub fn automated_decision_making(mut self, information: LocalizedText) -> Self {
        self.0.automated_decision_making = Some(information);
        self
    }

    /// Validates and builds the activity, with the checks of [`ProcessingActivity::new`].
    ///
    /// # Errors
    /// [`ModelError`] listing every problem, as [`ProcessingActivity::new`] does.
    pub fn build(self) -> Result<ProcessingActivity, ModelError> {
        ProcessingActivity::new(self.0)
    }
}
