//! The Art. 28(3) agreement itself, its elements and their validation.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{AdequacyCoverage, Invalid, LocalizedText, PartyId, TransferAssessment, check_free_text, typed_id};
use crate::vocab::{
    Article, Country, DataCategory, Purpose, SpecialCategoryCondition, SubjectCategory, TransferMechanism, vocabulary,
};

typed_id!(
    /// Identifies a [`ProcessingAgreement`].
    AgreementId
);

vocabulary! {
    /// An element an Art. 28 agreement must contain. Each names the provision that requires it
    /// ([`Element::article`]).
    closed Element, "agreement element", "An element an Art. 28 processing agreement must contain." {
        SubjectMatter => "subject_matter", dpv("Contract"), "Art. 28(3): the subject-matter of the processing.";
        Duration => "duration", dpv("Duration"), "Art. 28(3): the duration of the processing: a start date and, if any, an end after it.";
        Nature => "nature", dpv("ProcessingContext"), "Art. 28(3): the nature of the processing.";
        Purposes => "purposes", dpv("Purpose"), "Art. 28(3): the purposes of the processing.";
        DataTypes => "data_types", dpv("PersonalData"), "Art. 28(3): the types of personal data.";
        SubjectCategories => "subject_categories", dpv("DataSubject"), "Art. 28(3): the categories of data subjects.";
        ControllerObligationsAndRights => "controller_obligations_and_rights", dpv("DataController"), "Art. 28(3): the obligations and rights of the controller.";
        DocumentedInstructions => "documented_instructions", dpv("Contract"), "Art. 28(3)(a): processing only on documented instructions.";
        TransferInstructions => "transfer_instructions", dpv("DataTransferLegalBasis"), "Art. 28(3)(a): the instructions cover transfers to third countries.";
        LegalRequirementNotice => "legal_requirement_notice", dpv("Notice"), "Art. 28(3)(a): where Union or Member State law requires the processor to process, it informs the controller of that requirement before processing, unless that law prohibits it.";
        Confidentiality => "confidentiality", dpv("ConfidentialityAgreement"), "Art. 28(3)(b): authorised persons are bound to confidentiality.";
        SecurityMeasures => "security_measures", dpv("TechnicalOrganisationalMeasure"), "Art. 28(3)(c): the measures required by Art. 32.";
        SubProcessing => "sub_processing", dpv("DataSubProcessor"), "Art. 28(3)(d): the conditions of Art. 28(2) and (4) for engaging another processor.";
        SubProcessorLiability => "sub_processor_liability", dpv("DataSubProcessor"), "Art. 28(4), second sentence: where a sub-processor fails to fulfil its data protection obligations, the initial processor remains fully liable to the controller.";
        DataSubjectAssistance => "data_subject_assistance", dpv("DataSubjectRight"), "Art. 28(3)(e): assistance with data subjects' requests.";
        ComplianceAssistance => "compliance_assistance", dpv("LegalCompliance"), "Art. 28(3)(f): assistance with Arts. 32 to 36.";
        DeletionOrReturn => "deletion_or_return", dpv("DataDeletion"), "Art. 28(3)(g): deletion or return of the data at the end, at the controller's choice.";
        AuditsAndInformation => "audits_and_information", dpv("ComplianceMonitoring"), "Art. 28(3)(h): information to demonstrate compliance, and audits including inspections.";
        InfringingInstructionNotice => "infringing_instruction_notice", dpv("Notice"), "Art. 28(3), second subparagraph: the processor tells the controller at once when an instruction infringes the law.";
        WrittenForm => "written_form", dpv("Contract"), "Art. 28(9): the agreement is in writing, including electronic form, and signed.";
        FlowDown => "flow_down", dpv("DataSubProcessor"), "Art. 28(4): a sub-processor is bound by the same data protection obligations.";
        SpecialCategorySafeguards => "special_category_safeguards", dpv("SpecialCategoryPersonalData"), "Art. 9(2): every special category processed has its condition and safeguards.";
        TransferMechanism => "transfer_mechanism", dpv("DataTransferLegalBasis"), "Art. 44: processing outside the EEA has a Chapter V mechanism that covers it.";
        TransferAssessment => "transfer_assessment", dpv("DataTransferImpactAssessment"), "Art. 46(1), as read in C-311/18: processing abroad on an Art. 46 safeguard has a transfer impact assessment on record.";
        BreachNotice => "breach_notice", dpv("DataBreach"), "Art. 33(2): the period within which the processor notifies the controller of a breach.";
        SccAnnexes => "scc_annexes", dpv("Contract"), "Art. 28(7): agreements on the Commission's clauses (Decision (EU) 2021/915) complete their Annexes.";
        DistinctParties => "distinct_parties", dpv("DataProcessor"), "Art. 28(1) with Art. 4(8): the processor is a party other than the one it processes for.";
    }
}

fn dpv(concept: &str) -> String {
    format!("https://w3id.org/dpv#{concept}")
}

impl Element {
    /// The provision that requires the element.
    #[must_use]
    pub const fn article(&self) -> Article {
        let a = Article::gdpr(28).paragraph(3);
        match self {
            Element::SubjectMatter
            | Element::Duration
            | Element::Nature
            | Element::Purposes
            | Element::DataTypes
            | Element::SubjectCategories
            | Element::ControllerObligationsAndRights => a,
            Element::DocumentedInstructions | Element::TransferInstructions | Element::LegalRequirementNotice => {
                a.point('a')
            }
            Element::Confidentiality => a.point('b'),
            Element::SecurityMeasures => a.point('c'),
            Element::SubProcessing => a.point('d'),
            Element::DataSubjectAssistance => a.point('e'),
            Element::ComplianceAssistance => a.point('f'),
            Element::DeletionOrReturn => a.point('g'),
            Element::AuditsAndInformation => a.point('h'),
            Element::InfringingInstructionNotice => a.subparagraph(2),
            Element::WrittenForm => Article::gdpr(28).paragraph(9),
            Element::FlowDown | Element::SubProcessorLiability => Article::gdpr(28).paragraph(4),
            Element::SpecialCategorySafeguards => Article::gdpr(9).paragraph(2),
            Element::TransferMechanism => Article::gdpr(44),
            Element::TransferAssessment => Article::gdpr(46).paragraph(1),
            Element::BreachNotice => Article::gdpr(33).paragraph(2),
            Element::SccAnnexes => Article::gdpr(28).paragraph(7),
            Element::DistinctParties => Article::gdpr(28).paragraph(1),
        }
    }
}

crate::vocab::object_struct! {
/// One missing or defective element of an agreement, in words a privacy officer understands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Deficiency {
    /// The element.
    pub element: Element,
    /// The provision that requires it.
    pub article: Article,
    /// What is wrong.
    pub message: String,
}
}

impl fmt::Display for Deficiency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.article, self.message)
    }
}

/// How the agreement is drafted (Art. 28(6)-(8)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "form", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgreementForm {
    /// The parties' own contract.
    Bespoke,
    /// The Commission's standard contractual clauses between controllers and processors
    /// (Implementing Decision (EU) 2021/915, Art. 28(7)), whose Annexes must be completed.
    StandardContractualClauses {
        /// Which Annexes are completed.
        annexes: SccAnnexes,
    },
}

/// The Annexes of the clauses of Decision (EU) 2021/915 (Clause 1(d): an integral part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct SccAnnexes {
    /// Annex I: list of parties.
    #[serde(default)]
    pub i_parties: bool,
    /// Annex II: description of the processing.
    #[serde(default)]
    pub ii_description: bool,
    /// Annex III: technical and organisational measures.
    #[serde(default)]
    pub iii_measures: bool,
    /// Annex IV: list of sub-processors (needed under prior specific authorisation, Clause 7.7(a) Option 1).
    #[serde(default)]
    pub iv_sub_processors: bool,
}

/// In which form the agreement is written (Art. 28(9)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WrittenForm {
    /// On paper.
    Paper,
    /// In electronic form.
    Electronic,
}

/// The controller's documented instructions (Art. 28(3)(a), Art. 29).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Instructions {
    /// The instructions, or where they are documented.
    pub text: String,
    /// Whether they say what may be transferred to a third country or international
    /// organisation, and where.
    #[serde(default)]
    pub covers_transfers: bool,
}

/// How the processor helps with data-subject requests (Art. 28(3)(e)).
///
/// The data subject's month (Art. 12(3)) always runs from the processor's receipt: the processor
/// is one of the controller's channels, the EDPB (Guidelines 01/2022 §159) does not require the
/// controller to be aware of a request for the time to run, and a contract between controller
/// and processor cannot shorten the data subject's statutory period. What the agreement sets is
/// how promptly the processor passes the request on (Clause 8(a) of the Art. 28 standard
/// contractual clauses, Decision (EU) 2021/915: "promptly").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct DataSubjectAssistance {
    /// The measures.
    pub text: String,
    /// The hours within which the processor passes a request it received to the controller
    /// (Art. 28(3)(e)), where the agreement sets them; without them the agenda reads "promptly"
    /// as [`FORWARDING_WORKING_DAYS`] working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarding_hours: Option<u16>,
}

/// The crate's reading of "promptly" (Clause 8(a) of Decision (EU) 2021/915) for a processor
/// that passes a data-subject request on to the controller (Art. 28(3)(e)) under an agreement
/// that sets no hours: within two working days of the processor's receipt, in the controller's
/// calendar, so that most of the controller's month is left to answer (Art. 12(3)).
pub const FORWARDING_WORKING_DAYS: u16 = 2;

/// What happens to the data when the services end (Art. 28(3)(g)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "choice", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EndOfProcessing {
    /// Deleted or returned at the controller's choice, copies deleted, unless law requires
    /// storage: what Art. 28(3)(g) requires.
    DeleteOrReturnAtControllersChoice {
        /// Days after the end within which it happens.
        within_days: u16,
    },
    /// Always deleted: defective, because the choice is the controller's.
    DeleteOnly,
    /// Always returned: defective, because the choice is the controller's and copies must go.
    ReturnOnly,
}

/// The regime under which the processor may engage sub-processors (Art. 28(2)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "regime", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubProcessorAuthorisation {
    /// No sub-processor may be engaged.
    Prohibited,
    /// Prior specific written authorisation: only the named sub-processors (Clause 7.7(a)
    /// Option 1, Annex IV).
    PriorSpecific {
        /// The authorised sub-processors.
        authorised: Vec<PartyId>,
    },
    /// General written authorisation: an agreed list, and prior notice of every addition or
    /// replacement with an opportunity to object (Clause 7.7(a) Option 2).
    General {
        /// The sub-processors agreed when signing.
        agreed: Vec<PartyId>,
        /// Days the controller has to object after a change notice; at least one.
        objection_window_days: u16,
    },
}

/// An Art. 9(1) category the agreement lets the processor handle, with the controller's
/// condition and the processor's specific safeguards (Clause 7.5 of Decision 2021/915).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct SpecialCategoryTerm {
    /// The special category.
    pub category: DataCategory,
    /// The condition of Art. 9(2) the controller relies on.
    pub condition: SpecialCategoryCondition,
    /// The specific restrictions or additional safeguards.
    pub safeguards: String,
}

/// A country where the processor processes the data, with the Chapter V mechanism when it is
/// outside the EEA and what the mechanism needs on record.
///
/// A standing processing location cannot rest on an Art. 49 derogation: derogations are for
/// occasional transfers in specific situations (Recital 111; EDPB Guidelines 2/2018), so
/// [`ProcessingAgreement::validate`] reports one as a deficiency.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::agreement::ProcessingLocation;
/// use gdpr_obligations::model::{AdequacyCoverage, Text};
/// use gdpr_obligations::vocab::{Country, TransferMechanism};
///
/// let us = ProcessingLocation::new(Country::US)
///     .with_mechanism(TransferMechanism::AdequacyDecision)
///     .with_adequacy_coverage(AdequacyCoverage::new(
///         Text::new("active entry on the Data Privacy Framework list")?,
///         NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
///     ));
/// assert!(us.adequacy_coverage.is_some());
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessingLocation {
    /// The country.
    pub country: Country,
    /// The mechanism, required outside the EEA (Art. 44).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mechanism: Option<TransferMechanism>,
    /// For an adequacy decision that covers only some importers, the evidence that the
    /// processor is covered (Art. 45(1), (3)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy_coverage: Option<AdequacyCoverage>,
    /// For an Art. 46 safeguard, the transfer impact assessment (Art. 46(1); C-311/18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_assessment: Option<TransferAssessment>,
    /// The documentation of suitable safeguards the processor keeps for the transfer, carried
    /// into its record of processing (Art. 30(2)(c)), in each language the record is written in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safeguards_documentation: Option<LocalizedText>,
}

impl ProcessingLocation {
    /// Processing in `country`, without a mechanism yet (none is needed inside the EEA).
    #[must_use]
    pub fn new(country: Country) -> Self {
        ProcessingLocation {
            country,
            mechanism: None,
            adequacy_coverage: None,
            transfer_assessment: None,
            safeguards_documentation: None,
        }
    }

    /// The same location on a Chapter V mechanism (Art. 44).
    #[must_use]
    pub fn with_mechanism(mut self, mechanism: TransferMechanism) -> Self {
        self.mechanism = Some(mechanism);
        self
    }

    /// The same location with the evidence that a partial adequacy decision covers the
    /// processor (Art. 45(1), (3)).
    #[must_use]
    pub fn with_adequacy_coverage(mut self, coverage: AdequacyCoverage) -> Self {
        self.adequacy_coverage = Some(coverage);
        self
    }

    /// The same location with its transfer impact assessment (Art. 46(1); C-311/18).
    #[must_use]
    pub fn with_transfer_assessment(mut self, assessment: TransferAssessment) -> Self {
        self.transfer_assessment = Some(assessment);
        self
    }

    /// The same location with the processor's documentation of suitable safeguards
    /// (Art. 30(2)(c)).
    #[must_use]
    pub fn with_safeguards_documentation(mut self, documentation: LocalizedText) -> Self {
        self.safeguards_documentation = Some(documentation);
        self
    }

    /// What Chapter V lacks for processing here, judged without a date: the mechanism outside
    /// the EEA (Art. 44); an Art. 49 derogation, which cannot carry standing processing
    /// (Art. 49(1), Recital 111); the evidence that a partial adequacy decision covers the
    /// processor (Art. 45(1)); the transfer impact assessment of an Art. 46 safeguard
    /// (Art. 46(1)). Whether an adequacy decision is in force on a date is the chain's
    /// decision.
    #[must_use]
    pub fn deficiencies(&self) -> Vec<Deficiency> {
        let mut found = Vec::new();
        if self.country.is_eea() {
            return found;
        }
        let country = self.country;
        let mut push = |element: Element, article: Article, message: String| {
            found.push(Deficiency { element, article, message });
        };
        match self.mechanism {
            None => push(
                Element::TransferMechanism,
                Element::TransferMechanism.article(),
                format!("the processor processes in {country}, outside the EEA, without a Chapter V mechanism"),
            ),
            Some(m) if m.is_derogation() => push(
                Element::TransferMechanism,
                Article::gdpr(49).paragraph(1),
                format!(
                    "processing in {country} rests on an Art. 49 derogation, which covers only occasional transfers \
                     in specific situations, not a standing processing location (Recital 111)"
                ),
            ),
            Some(TransferMechanism::AdequacyDecision)
                if crate::vocab::Destination::Country(country).has_partial_adequacy()
                    && self.adequacy_coverage.is_none() =>
            {
                push(
                    Element::TransferMechanism,
                    Article::gdpr(45).paragraph(1),
                    format!(
                        "the adequacy decision for {country} covers only some importers, and no dated evidence that \
                         the processor is covered is recorded (Art. 45(3))"
                    ),
                );
            }
            Some(m) if m.needs_transfer_assessment() && self.transfer_assessment.is_none() => push(
                Element::TransferAssessment,
                Element::TransferAssessment.article(),
                format!(
                    "processing in {country} on {m} has no transfer impact assessment on record (C-311/18; Clause 14 \
                     of the clauses of Decision (EU) 2021/914)"
                ),
            ),
            Some(_) => {}
        }
        found
    }
}

/// What only the parties can say about their agreement, for
/// [`ProcessingAgreement::template`]: the form and date of signature (Art. 28(9)), from when and
/// until when it runs (Art. 28(3), duration), and the security measures agreed (Art. 28(3)(c)).
/// [`AgreementFacts::unknown`] says none of it, and the template then lists each as missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AgreementFacts {
    /// The form in which the agreement is written.
    pub written_form: Option<WrittenForm>,
    /// When it was signed.
    pub signed_on: Option<NaiveDate>,
    /// From when it runs.
    pub valid_from: Option<NaiveDate>,
    /// Until when it runs, if it ends.
    pub valid_until: Option<NaiveDate>,
    /// The Art. 32 measures the processor is bound to.
    pub security_measures: Vec<String>,
}

impl AgreementFacts {
    /// Nothing said: no signature, no duration, no measures.
    #[must_use]
    pub fn unknown() -> Self {
        Self::default()
    }

    /// Written in `form` and signed on `on` (Art. 28(9)); nothing said yet about when it runs.
    #[must_use]
    pub fn signed(form: WrittenForm, on: NaiveDate) -> Self {
        Self { written_form: Some(form), signed_on: Some(on), ..Self::default() }
    }

    /// Runs from `from`, until `until` if it ends (Art. 28(3): the duration of the processing).
    #[must_use]
    pub fn in_force(mut self, from: NaiveDate, until: Option<NaiveDate>) -> Self {
        self.valid_from = Some(from);
        self.valid_until = until;
        self
    }

    /// The security measures agreed (Art. 28(3)(c), Art. 32).
    #[must_use]
    pub fn security_measures<S: Into<String>>(mut self, measures: impl IntoIterator<Item = S>) -> Self {
        self.security_measures = measures.into_iter().map(Into::into).collect();
        self
    }
}

/// Art. 28(10): a processor that determined a purpose of the processing itself, and is a
/// controller in respect of that processing (with every controller's duty, and an infringement
/// of the agreement).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Reclassification {
    /// The processor, a controller for this processing.
    pub controller: PartyId,
    /// The agreement whose instructions the processing goes beyond.
    pub agreement: AgreementId,
    /// The purpose the agreement does not instruct.
    pub purpose: Purpose,
    /// Art. 28(10).
    pub article: Article,
}

impl fmt::Display for Reclassification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: processor {} processes for a purpose agreement {} does not instruct, so it determines that purpose \
             and is a controller in respect of that processing",
            self.article, self.controller, self.agreement
        )
    }
}

crate::vocab::object_struct! {
check: ProcessingAgreement::check_free_text;
/// A processing agreement under Art. 28(3), between a controller and a processor, or (with a
/// `parent`) between a processor and a sub-processor, which carries the same obligations
/// (Art. 28(4)).
///
/// Every element is optional in the type, so that a draft parses and can be told what it lacks;
/// [`validate`](Self::validate) is the judgement. Its JSON form is an object (a positional
/// array is not an agreement), and its free text holds no control character but line breaks and
/// tabs, and no bidirectional embedding, override or isolate character: decoding refuses them,
/// naming the field and the position, never the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProcessingAgreement {
    /// The agreement's id.
    pub id: AgreementId,
    /// The party that engages the processor: the controller, or for a sub-processing agreement
    /// the processor that engages the sub-processor.
    pub principal: PartyId,
    /// The party that processes on the principal's behalf.
    pub processor: PartyId,
    /// For a sub-processing agreement, the agreement between the principal and its own
    /// principal (Art. 28(4)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<AgreementId>,
    /// How it is drafted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<AgreementForm>,
    /// In which written form (Art. 28(9)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_form: Option<WrittenForm>,
    /// When it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_on: Option<NaiveDate>,
    /// The first day of processing under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// The last day of processing under it; none while it runs indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The subject-matter of the processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_matter: Option<String>,
    /// The nature of the processing (storage, transmission, analysis...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<String>,
    /// The purposes the processor may process for.
    #[serde(default)]
    pub purposes: Vec<Purpose>,
    /// The types of personal data.
    #[serde(default)]
    pub data_categories: Vec<DataCategory>,
    /// The categories of data subjects.
    #[serde(default)]
    pub subject_categories: Vec<SubjectCategory>,
    /// The special categories covered, each with its condition and safeguards.
    #[serde(default)]
    pub special_categories: Vec<SpecialCategoryTerm>,
    /// The obligations and rights of the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_obligations_and_rights: Option<String>,
    /// Point (a): documented instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<Instructions>,
    /// Point (a), second half: the processor informs the controller of a legal requirement to
    /// process the data (Union or Member State law) before processing, unless that law prohibits
    /// such information on important grounds of public interest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_requirement_notice: Option<String>,
    /// Point (b): confidentiality of authorised persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<String>,
    /// Point (c): the Art. 32 measures.
    #[serde(default)]
    pub security_measures: Vec<String>,
    /// Point (d): the sub-processing regime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_processing: Option<SubProcessorAuthorisation>,
    /// Art. 28(4), second sentence: the processor remains fully liable to the controller for the
    /// performance of a sub-processor's obligations. Required unless sub-processing is prohibited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_processor_liability: Option<String>,
    /// Point (e): assistance with data-subject requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_subject_assistance: Option<DataSubjectAssistance>,
    /// Point (f): assistance with Arts. 32 to 36.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance_assistance: Option<String>,
    /// Point (g): deletion or return at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_processing: Option<EndOfProcessing>,
    /// Point (h): information and audits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audits: Option<String>,
    /// Second subparagraph: notice of infringing instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infringing_instruction_notice: Option<String>,
    /// Hours within which the processor notifies the controller of a breach (Art. 33(2):
    /// "without undue delay"). More than 72 hours is a deficiency; more than 48 hours a warning
    /// ([`ProcessingAgreement::warnings`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_notice_hours: Option<u16>,
    /// Where the processor processes the data.
    #[serde(default)]
    pub processing_locations: Vec<ProcessingLocation>,
    /// For a sub-processing agreement: whether it imposes the same data protection obligations
    /// as the parent (Art. 28(4)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_down: Option<bool>,
    /// The principal's dated assessment that the processor provides sufficient guarantees
    /// (Art. 28(1), and for a sub-processor Art. 28(4)), with its next review. Not a clause
    /// of the agreement, so [`validate`](ProcessingAgreement::validate) does not ask for it;
    /// the agenda shows it when it is missing or its review is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantees: Option<GuaranteesAssessment>,
}
}

/// What an assessment of a processor's guarantees rests on (Art. 28(1), 28(5)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GuaranteeEvidence {
    /// Adherence to an approved code of conduct (Art. 40), which Art. 28(5) makes an element
    /// by which to demonstrate sufficient guarantees.
    CodeOfConduct {
        /// The code.
        name: String,
    },
    /// An approved certification mechanism (Art. 42), likewise under Art. 28(5).
    Certification {
        /// The certification and its body.
        name: String,
    },
    /// Anything else examined: the processor's documentation, an audit report, a
    /// questionnaire, its record of breaches.
    Other {
        /// What was examined.
        description: String,
    },
}

impl GuaranteeEvidence {
    fn text(&self) -> &str {
        match self {
            GuaranteeEvidence::CodeOfConduct { name } | GuaranteeEvidence::Certification { name } => name,
            GuaranteeEvidence::Other { description } => description,
        }
    }
}

crate::vocab::object_struct! {
check: GuaranteesAssessment::check;
/// A dated assessment that a processor provides "sufficient guarantees to implement appropriate
/// technical and organisational measures" (Art. 28(1)): who assessed it, on what evidence
/// (an approved code of conduct or certification is such an element, Art. 28(5)), and when it
/// is reviewed next: the guarantees are verified at appropriate intervals, not once.
///
/// Built with [`GuaranteesAssessment::new`]; decoding runs the same checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct GuaranteesAssessment {
    /// The day of the assessment.
    assessed_on: NaiveDate,
    /// Who assessed (a name or a role, e.g. the data protection officer).
    assessor: String,
    /// What it rests on; at least one item.
    evidence: Vec<GuaranteeEvidence>,
    /// The day by which it is reviewed, after `assessed_on`.
    next_review: NaiveDate,
}
}

impl GuaranteesAssessment {
    /// An assessment made on `assessed_on` by `assessor` on `evidence`, to be reviewed by
    /// `next_review`.
    ///
    /// # Errors
    /// [`Invalid`] under Art. 28(1) when the assessor is blank, there is no evidence, the review
    /// is not after the assessment, or a text holds a character free text must not hold.
    pub fn new(
        assessed_on: NaiveDate,
        assessor: impl Into<String>,
        evidence: Vec<GuaranteeEvidence>,
        next_review: NaiveDate,
    ) -> Result<Self, Invalid> {
        let value = Self { assessed_on, assessor: assessor.into(), evidence, next_review };
        value.check()?;
        Ok(value)
    }

    fn check(&self) -> Result<(), Invalid> {
        let article = Article::gdpr(28).paragraph(1);
        if self.assessor.trim().is_empty() {
            return Err(Invalid::new("assessor", "names nobody").under(article));
        }
        check_free_text("assessor", &self.assessor)?;
        if self.evidence.is_empty() {
            return Err(Invalid::new("evidence", "is empty: an assessment rests on something").under(article));
        }
        for (n, e) in self.evidence.iter().enumerate() {
            if e.text().trim().is_empty() {
                return Err(Invalid::new(format!("evidence[{n}]"), "is blank").under(article));
            }
            check_free_text(format!("evidence[{n}]"), e.text())?;
        }
        if self.next_review <= self.assessed_on {
            return Err(Invalid::new("next_review", "is not after the assessment").under(article));
        }
        Ok(())
    }

    /// The day of the assessment.
    #[must_use]
    pub fn assessed_on(&self) -> NaiveDate {
        self.assessed_on
    }

    /// Who assessed.
    #[must_use]
    pub fn assessor(&self) -> &str {
        &self.assessor
    }

    /// What it rests on.
    #[must_use]
    pub fn evidence(&self) -> &[GuaranteeEvidence] {
        &self.evidence
    }

    /// The day by which it is reviewed.
    #[must_use]
    pub fn next_review(&self) -> NaiveDate {
        self.next_review
    }
}

/// The longest breach-notice period an agreement can call "without undue delay" (Art. 33(2)).
///
/// The controller becomes aware when the processor informs it, so the processor's hours do not
/// consume the controller's own 72 (Art. 33(1)); the cap rests on Art. 33(2) itself: a processor
/// that may keep a breach to itself for longer than the whole period the Regulation gives a
/// controller to assess and notify it does not inform "without undue delay".
pub(super) const MAX_BREACH_NOTICE_HOURS: u16 = 72;

/// The longest breach-notice period accepted without a warning. Guidance asks the processor to
/// inform the controller promptly, and agreements commonly settle on 24 to 48 hours; above 48
/// the delay is likely "undue" (Art. 33(2)) unless the agreement explains why, and the
/// controller's assessment of a high-risk breach (Art. 34) waits for it.
pub(super) const WARN_BREACH_NOTICE_HOURS: u16 = 48;

fn blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(|t| t.trim().is_empty())
}

impl ProcessingAgreement {
    /// Every missing or defective element, in the order of Art. 28(3) (parties that are one and
    /// the same, Art. 28(1) with Art. 4(8), first); empty when the agreement is complete.
    ///
    /// Linear in the agreement's size: an uploaded agreement of any length is judged in one pass
    /// over each of its lists.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{Element, ProcessingAgreement, AgreementFacts};
    /// use gdpr_obligations::model::PartyId;
    ///
    /// let mut draft = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), AgreementFacts::unknown());
    /// draft.confidentiality = None;
    /// draft.sub_processing = None;
    /// let found: Vec<String> = draft.validate().iter().map(|d| d.article.to_string()).collect();
    /// assert_eq!(found, ["Art. 28(3)", "Art. 28(3)(b)", "Art. 28(3)(c)", "Art. 28(3)(d)", "Art. 28(9)"]);
    /// ```
    #[must_use]
    pub fn validate(&self) -> Vec<Deficiency> {
        let mut found = Vec::new();
        let mut lack = |element: Element, message: &str| {
            found.push(Deficiency { element, article: element.article(), message: message.to_owned() })
        };
        if self.principal == self.processor {
            lack(
                Element::DistinctParties,
                "the principal and the processor are the same party: a processor processes on behalf of another \
                 (Art. 4(8))",
            );
        }
        if blank(&self.subject_matter) {
            lack(Element::SubjectMatter, "the agreement does not state the subject-matter of the processing");
        }
        match (self.valid_from, self.valid_until) {
            (None, _) => lack(Element::Duration, "the agreement does not state from when the processing runs"),
            (Some(from), Some(until)) if until < from => lack(Element::Duration, "the agreement ends before it starts"),
            _ => {}
        }
        if blank(&self.nature) {
            lack(Element::Nature, "the agreement does not describe the nature of the processing");
        }
        if self.purposes.is_empty() {
            lack(Element::Purposes, "the agreement does not state the purposes of the processing");
        }
        if self.data_categories.is_empty() {
            lack(Element::DataTypes, "the agreement does not list the types of personal data");
        }
        if self.subject_categories.is_empty() {
            lack(Element::SubjectCategories, "the agreement does not list the categories of data subjects");
        }
        if blank(&self.controller_obligations_and_rights) {
            lack(
                Element::ControllerObligationsAndRights,
                "the agreement does not set out the controller's obligations and rights",
            );
        }
        match &self.instructions {
            Some(i) if !i.text.trim().is_empty() => {
                if !i.covers_transfers {
                    lack(
                        Element::TransferInstructions,
                        "the instructions do not say whether and where data may be transferred outside the EEA",
                    );
                }
            }
            _ => lack(
                Element::DocumentedInstructions,
                "the processor is not bound to process only on the controller's documented instructions",
            ),
        }
        if blank(&self.legal_requirement_notice) {
            lack(
                Element::LegalRequirementNotice,
                "the processor is not bound to inform the controller of a legal requirement to process before processing",
            );
        }
        if blank(&self.confidentiality) {
            lack(Element::Confidentiality, "persons authorised to process the data are not bound to confidentiality");
        }
        if self.security_measures.iter().all(|m| m.trim().is_empty()) {
            lack(Element::SecurityMeasures, "the agreement does not require the security measures of Art. 32");
        }
        match &self.sub_processing {
            None => lack(
                Element::SubProcessing,
                "the agreement does not say whether and how the processor may engage sub-processors",
            ),
            Some(SubProcessorAuthorisation::General { objection_window_days: 0, .. }) => lack(
                Element::SubProcessing,
                "general authorisation gives the controller no time to object to a new sub-processor (Art. 28(2))",
            ),
            Some(_) => {}
        }
        if matches!(
            self.sub_processing,
            Some(SubProcessorAuthorisation::PriorSpecific { .. } | SubProcessorAuthorisation::General { .. })
        ) && blank(&self.sub_processor_liability)
        {
            lack(
                Element::SubProcessorLiability,
                "the processor is not stated to remain fully liable to the controller for its sub-processors",
            );
        }
        if self.data_subject_assistance.as_ref().is_none_or(|a| a.text.trim().is_empty()) {
            lack(Element::DataSubjectAssistance, "the processor is not bound to help answer data subjects' requests");
        }
        if blank(&self.compliance_assistance) {
            lack(
                Element::ComplianceAssistance,
                "the processor is not bound to help with security, breaches and impact assessments (Arts. 32 to 36)",
            );
        }
        match &self.end_of_processing {
            Some(EndOfProcessing::DeleteOrReturnAtControllersChoice { .. }) => {}
            Some(_) => lack(
                Element::DeletionOrReturn,
                "deletion or return at the end must be the controller's choice, with copies deleted",
            ),
            None => lack(
                Element::DeletionOrReturn,
                "the agreement does not say what happens to the data when the services end",
            ),
        }
        if blank(&self.audits) {
            lack(
                Element::AuditsAndInformation,
                "the processor is not bound to provide compliance information and allow audits",
            );
        }
        if blank(&self.infringing_instruction_notice) {
            lack(
                Element::InfringingInstructionNotice,
                "the processor is not bound to warn the controller of instructions that infringe the law",
            );
        }
        if self.written_form.is_none() || self.signed_on.is_none() {
            lack(Element::WrittenForm, "the agreement is not recorded as written and signed");
        }
        if self.parent.is_some() && self.flow_down != Some(true) {
            lack(
                Element::FlowDown,
                "the sub-processor is not bound by the same data protection obligations as the processor",
            );
        }
        // One pass over each list (a set, not a scan per category): validation stays linear in
        // the agreement's size, whatever an uploaded document holds.
        let covered: HashSet<&DataCategory> =
            self.special_categories.iter().filter(|t| !t.safeguards.trim().is_empty()).map(|t| &t.category).collect();
        if self.data_categories.iter().any(|c| c.is_special() && !covered.contains(c)) {
            lack(
                Element::SpecialCategorySafeguards,
                "a special category is listed without its Art. 9(2) condition and safeguards",
            );
        }
        if self.processing_locations.iter().any(|l| !l.country.is_eea() && l.mechanism.is_none()) {
            lack(Element::TransferMechanism, "the processor processes outside the EEA without a Chapter V mechanism");
        }
        match self.breach_notice_hours {
            None => lack(Element::BreachNotice, "the agreement does not say how soon the processor notifies a breach"),
            Some(h) if h > MAX_BREACH_NOTICE_HOURS => lack(
                Element::BreachNotice,
                "a breach-notice period over 72 hours is not \"without undue delay\" (Art. 33(2)): it is longer than the \
                 whole period a controller has to notify the authority",
            ),
            Some(_) => {}
        }
        if let Some(AgreementForm::StandardContractualClauses { annexes }) = &self.form {
            let specific = matches!(self.sub_processing, Some(SubProcessorAuthorisation::PriorSpecific { .. }));
            if !(annexes.i_parties && annexes.ii_description && annexes.iii_measures)
                || (specific && !annexes.iv_sub_processors)
            {
                lack(
                    Element::SccAnnexes,
                    "the Annexes of the standard contractual clauses (Decision (EU) 2021/915) are not all completed",
                );
            }
        }
        // The other Chapter V gaps of each location, each with its own article (a missing
        // mechanism is reported once, above).
        found.extend(self.processing_locations.iter().flat_map(ProcessingLocation::deficiencies).filter(|d| {
            !(d.element == Element::TransferMechanism && d.article == Element::TransferMechanism.article())
        }));
        found
    }

    /// The first free-text element holding a character free text must not hold (a control
    /// character but a line break or tab, a bidirectional override...), as the field and the
    /// position; what decoding refuses.
    fn check_free_text(&self) -> Result<(), Invalid> {
        let optional = [
            ("subject_matter", &self.subject_matter),
            ("nature", &self.nature),
            ("controller_obligations_and_rights", &self.controller_obligations_and_rights),
            ("legal_requirement_notice", &self.legal_requirement_notice),
            ("confidentiality", &self.confidentiality),
            ("sub_processor_liability", &self.sub_processor_liability),
            ("compliance_assistance", &self.compliance_assistance),
            ("audits", &self.audits),
            ("infringing_instruction_notice", &self.infringing_instruction_notice),
        ];
        for (field, text) in optional {
            check_free_text(field, text.as_deref().unwrap_or_default())?;
        }
        if let Some(i) = &self.instructions {
            check_free_text("instructions.text", &i.text)?;
        }
        if let Some(a) = &self.data_subject_assistance {
            check_free_text("data_subject_assistance.text", &a.text)?;
        }
        for (n, measure) in self.security_measures.iter().enumerate() {
            check_free_text(format!("security_measures[{n}]"), measure)?;
        }
        for (n, term) in self.special_categories.iter().enumerate() {
            check_free_text(format!("special_categories[{n}].safeguards"), &term.safeguards)?;
        }
        Ok(())
    }

    /// The points a privacy officer should look at that are not defects: a breach-notice
    /// period over 48 hours (Art. 33(2): "without undue delay"; up to 72 is accepted, above 72
    /// is a [`Deficiency`] of [`validate`](Self::validate)). Empty when there is nothing to
    /// look at.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, Element, ProcessingAgreement};
    /// use gdpr_obligations::model::PartyId;
    ///
    /// let mut a = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), AgreementFacts::unknown());
    /// a.breach_notice_hours = Some(72);
    /// let warnings = a.warnings();
    /// assert_eq!(warnings[0].element, Element::BreachNotice);
    /// assert!(warnings[0].to_string().starts_with("Art. 33(2): "));
    /// ```
    #[must_use]
    pub fn warnings(&self) -> Vec<Deficiency> {
        let mut found = Vec::new();
        if let Some(h) = self.breach_notice_hours
            && h > WARN_BREACH_NOTICE_HOURS
            && h <= MAX_BREACH_NOTICE_HOURS
        {
            let message = format!(
                "a breach-notice period of {h} hours is longer than the 24 to 48 hours usually agreed: the processor \
                 must inform the controller without undue delay (Art. 33(2)), and the controller cannot assess the \
                 risk to the data subjects (Art. 34) before it knows"
            );
            found.push(Deficiency {
                element: Element::BreachNotice,
                article: Element::BreachNotice.article(),
                message,
            });
        }
        found
    }

    /// Art. 28(10): a processor that processes for `purpose`, which the agreement does not
    /// instruct, determines a purpose of the processing itself; it infringes the Regulation and
    /// is a controller in respect of that processing. `None` while `purpose` is one the
    /// agreement instructs (Art. 28(3)(a)).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement};
    /// use gdpr_obligations::model::PartyId;
    /// use gdpr_obligations::vocab::Purpose;
    ///
    /// let a = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), AgreementFacts::unknown());
    /// assert!(a.reclassification(&Purpose::CustomerCare).is_none());
    /// let own = a.reclassification(&Purpose::Marketing).expect("marketing is not instructed");
    /// assert_eq!(own.controller, a.processor);
    /// assert_eq!(own.article.to_string(), "Art. 28(10)");
    /// ```
    #[must_use]
    pub fn reclassification(&self, purpose: &Purpose) -> Option<Reclassification> {
        if self.purposes.contains(purpose) {
            return None;
        }
        Some(Reclassification {
            controller: self.processor,
            agreement: self.id,
            purpose: purpose.clone(),
            article: Article::gdpr(28).paragraph(10),
        })
    }

    /// An agreement between `controller` and `processor` for a website's chat, to start from:
    /// every clause the Regulation requires proposed in words, general authorisation of
    /// sub-processors with a 14-day objection window, a 24-hour breach notice, processing in
    /// Czechia. What only the parties can say comes from `facts`: when it was signed and in
    /// which form (Art. 28(9)), from when and until when it runs (Art. 28(3), duration), and the
    /// security measures agreed (Art. 28(3)(c)). Whatever `facts` leaves out stays out, and
    /// [`validate`](Self::validate) lists it: the template never claims an agreement signed, in
    /// force or secured that nobody said was.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, WrittenForm};
    /// use gdpr_obligations::model::PartyId;
    ///
    /// let (controller, processor) = (PartyId::generate(), PartyId::generate());
    /// let draft = ProcessingAgreement::template(controller, processor, AgreementFacts::unknown());
    /// let missing: Vec<String> = draft.validate().iter().map(|d| d.article.to_string()).collect();
    /// assert_eq!(missing, ["Art. 28(3)", "Art. 28(3)(c)", "Art. 28(9)"]);
    ///
    /// let signed = NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
    /// let facts = AgreementFacts::signed(WrittenForm::Electronic, signed)
    ///     .in_force(signed, None)
    ///     .security_measures(["TLS 1.3 in transit, AES-256 at rest"]);
    /// assert!(ProcessingAgreement::template(controller, processor, facts).validate().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn template(controller: PartyId, processor: PartyId, facts: AgreementFacts) -> Self {
        let s = |t: &str| Some(t.to_owned());
        let AgreementFacts { written_form, signed_on, valid_from, valid_until, security_measures } = facts;
        ProcessingAgreement {
            id: AgreementId::generate(),
            principal: controller,
            processor,
            parent: None,
            form: Some(AgreementForm::Bespoke),
            written_form,
            signed_on,
            valid_from,
            valid_until,
            subject_matter: s("operation of the live-chat widget on the controller's website"),
            nature: s("collection, storage, transmission and deletion of chat conversations"),
            purposes: vec![Purpose::CustomerCare],
            data_categories: vec![
                DataCategory::Identification,
                DataCategory::Contact,
                DataCategory::CommunicationContent,
                DataCategory::OnlineIdentifier,
            ],
            subject_categories: vec![SubjectCategory::Visitor, SubjectCategory::Customer],
            special_categories: Vec::new(),
            controller_obligations_and_rights: s(
                "the controller decides purposes and means, gives instructions and may audit",
            ),
            instructions: Some(Instructions {
                text: "process chats only to deliver them to the controller's agents and keep the history".to_owned(),
                covers_transfers: true,
            }),
            legal_requirement_notice: s(
                "where Union or Member State law requires processing, informs the controller of that requirement \
                 before processing, unless that law prohibits it on important grounds of public interest",
            ),
            confidentiality: s("staff with access are bound by confidentiality agreements"),
            security_measures,
            sub_processing: Some(SubProcessorAuthorisation::General { agreed: Vec::new(), objection_window_days: 14 }),
            sub_processor_liability: s(
                "remains fully liable to the controller for the performance of each sub-processor's obligations",
            ),
            data_subject_assistance: Some(DataSubjectAssistance {
                text: "forward requests within 2 working days and provide export and erasure tools".to_owned(),
                forwarding_hours: None,
            }),
            compliance_assistance: s(
                "assists with security, breach notification, impact assessments and prior consultation",
            ),
            end_of_processing: Some(EndOfProcessing::DeleteOrReturnAtControllersChoice { within_days: 30 }),
            audits: s("provides all information needed to demonstrate compliance and allows audits and inspections"),
            infringing_instruction_notice: s(
                "informs the controller immediately if an instruction infringes data protection law",
            ),
            breach_notice_hours: Some(24),
            processing_locations: vec![ProcessingLocation::new(Country::CZ)],
            flow_down: None,
            guarantees: None,
        }
    }

    /// A sub-processing agreement under `parent`: the template between the parent's processor
    /// and `sub_processor`, with the parent's purposes and categories and the same obligations
    /// flowing down (Art. 28(4)). Its signature, duration and security measures are the
    /// sub-processor's own and come from `facts`, never from the parent.
    #[must_use]
    pub fn sub_processing_template(
        parent: &ProcessingAgreement,
        sub_processor: PartyId,
        facts: AgreementFacts,
    ) -> Self {
        ProcessingAgreement {
            parent: Some(parent.id),
            flow_down: Some(true),
            purposes: parent.purposes.clone(),
            data_categories: parent.data_categories.clone(),
            subject_categories: parent.subject_categories.clone(),
            special_categories: parent.special_categories.clone(),
            ..ProcessingAgreement::template(parent.processor, sub_processor, facts)
        }
    }

    /// Where the processor processes, as Chapter V sees it, when it is established in
    /// `established_in`: the listed locations (the country of establishment when none is
    /// listed) and, for a processor established outside the EEA, that country as well, with the
    /// mechanism of its listed entry or none. A processor or sub-processor established in a
    /// third country is an importer in its own right, whatever the agreement lists as its
    /// processing locations: handing it the data is a transfer (Art. 44; EDPB Guidelines
    /// 05/2021).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement};
    /// use gdpr_obligations::model::PartyId;
    /// use gdpr_obligations::vocab::Country;
    ///
    /// let agreement = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), AgreementFacts::unknown());
    /// let countries: Vec<Country> = agreement.locations_for(Country::US).iter().map(|l| l.country).collect();
    /// assert_eq!(countries, [Country::CZ, Country::US]);
    /// assert!(agreement.locations_for(Country::US)[1].mechanism.is_none());
    /// ```
    #[must_use]
    pub fn locations_for(&self, established_in: Country) -> Vec<ProcessingLocation> {
        let mut locations = if self.processing_locations.is_empty() {
            vec![ProcessingLocation::new(established_in)]
        } else {
            self.processing_locations.clone()
        };
        if !established_in.is_eea() && !locations.iter().any(|l| l.country == established_in) {
            locations.push(ProcessingLocation::new(established_in));
        }
        locations
    }

    /// Whether the agreement is for sub-processing (Art. 28(4)).
    #[must_use]
    pub fn is_sub_processing(&self) -> bool {
        self.parent.is_some()
    }

    /// What this sub-processing agreement fails to pass down from `parent`, the agreement of
    /// its principal (Art. 28(4): the same data protection obligations): a sub-processor given
    /// longer to notify a breach than its principal has to notify its own principal
    /// (Art. 33(2)), so that the principal could not keep its period when the breach happens at
    /// the sub-processor. Empty when `parent` is not this agreement's parent.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agreement::{AgreementFacts, Element, ProcessingAgreement, WrittenForm};
    /// use gdpr_obligations::model::PartyId;
    ///
    /// let signed = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
    /// let facts = || {
    ///     AgreementFacts::signed(WrittenForm::Electronic, signed).in_force(signed, None).security_measures(["TLS, AES-256"])
    /// };
    /// let mut main = ProcessingAgreement::template(PartyId::generate(), PartyId::generate(), facts());
    /// main.breach_notice_hours = Some(24);
    /// let mut sub = ProcessingAgreement::sub_processing_template(&main, PartyId::generate(), facts());
    /// sub.breach_notice_hours = Some(48);
    /// let found = sub.flow_down_deficiencies(&main);
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found[0].element, Element::FlowDown);
    /// assert!(found[0].to_string().starts_with("Art. 28(4): "));
    /// assert!(sub.validate().is_empty(), "only the pair shows it");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn flow_down_deficiencies(&self, parent: &ProcessingAgreement) -> Vec<Deficiency> {
        let mut found = Vec::new();
        if self.parent != Some(parent.id) {
            return found;
        }
        if let (Some(own), Some(owed)) = (self.breach_notice_hours, parent.breach_notice_hours)
            && own > owed
        {
            let message = format!(
                "the sub-processor has {own} hours to notify a breach to its principal, who has {owed} hours to \
                 notify its own (Art. 33(2)): not the same obligation"
            );
            found.push(Deficiency { element: Element::FlowDown, article: Element::FlowDown.article(), message });
        }
        found
    }
}
