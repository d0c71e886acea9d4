//! The records of processing activities (Art. 30): the controller's form (30(1)(a)-(g)) and the
//! processor's form (30(2)(a)-(d)).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::document::Writer;
use super::{Block, Catalogue, Document, Language, MessageKey, Parties, ReportError, location_transfer, members};
use crate::agreement::members::merge_transfer;
use crate::agreement::{AgreementId, ProcessingChain};
use crate::model::{
    ActivityId, Contact, Controllers, LocalizedText, Party, ProcessingActivity, PurposeSpec, Recipient, Retention,
    Text, Transfer,
};
use crate::vocab::{Article, DataCategory, Destination, Purpose, SubjectCategory};

/// One field of an Art. 30 record: filled, explicitly not applicable with the reason, or a gap
/// the record must show (never a blank).
///
/// In JSON the state is the `status` field: `{"status": "filled", "value": …}`,
/// `{"status": "not_applicable", "reason": "sole_controller"}`, `{"status": "missing", "gap": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Field<T> {
    /// The field's content.
    Filled {
        /// The content.
        value: T,
    },
    /// The field does not apply, and why.
    NotApplicable {
        /// Why.
        reason: NotApplicable,
    },
    /// The field applies but the registered data do not hold it: the record shows the gap.
    Missing {
        /// What is missing.
        gap: Gap,
    },
}

impl<T> Field<T> {
    /// Whether the field is filled.
    pub fn is_filled(&self) -> bool {
        matches!(self, Field::Filled { .. })
    }
}

impl<T> Field<Vec<T>> {
    fn non_empty(values: Vec<T>, reason: NotApplicable) -> Self {
        if values.is_empty() { Field::NotApplicable { reason } } else { Field::Filled { value: values } }
    }
}

/// Why a field of an Art. 30 record does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotApplicable {
    /// The activity has a sole controller: there is no joint controller (Art. 26).
    SoleController,
    /// The party is established in the Union: no representative is needed (Art. 27(1)).
    EstablishedInUnion,
    /// No data protection officer is designated (Art. 37).
    NoDpo,
    /// The data are disclosed to no recipient.
    NoRecipients,
    /// No transfer outside the EEA.
    NoTransfers,
    /// No general description is recorded; Art. 30(1)(g) and 30(2)(d) ask for it "where
    /// possible".
    NoDescription,
    /// The processor was engaged directly by the controller, not by another processor.
    EngagedByController,
}

impl NotApplicable {
    const fn message(&self) -> MessageKey {
        match self {
            NotApplicable::SoleController => MessageKey::NaSoleController,
            NotApplicable::EstablishedInUnion => MessageKey::NaEstablishedInUnion,
            NotApplicable::NoDpo => MessageKey::NaNoDpo,
            NotApplicable::NoRecipients => MessageKey::NaNoRecipients,
            NotApplicable::NoTransfers => MessageKey::NaNoTransfers,
            NotApplicable::NoDescription => MessageKey::NaNoDescription,
            NotApplicable::EngagedByController => MessageKey::NaEngagedByController,
        }
    }
}

/// A field the record must have but the registered data lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Gap {
    /// Established outside the Union with no representative named (Art. 27(1), 30(1)(a)).
    Representative,
    /// No contact details: neither an e-mail nor an address (Art. 30(1)(a), 30(2)(a)).
    ContactDetails,
}

impl Gap {
    /// The provision that asks for the missing content.
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            Gap::Representative => Article::gdpr(27).paragraph(1),
            Gap::ContactDetails => Article::gdpr(30).paragraph(1).point('a'),
        }
    }

    const fn message(&self) -> MessageKey {
        match self {
            Gap::Representative => MessageKey::MissingRepresentative,
            Gap::ContactDetails => MessageKey::MissingContact,
        }
    }
}

/// The controller's record of one processing activity (Art. 30(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ControllerActivityRecord {
    /// The activity.
    pub activity: ActivityId,
    /// Its name.
    pub name: LocalizedText,
    /// (a) the name and contact details of the controller.
    pub controller: Field<Party>,
    /// (a) where applicable, the joint controllers.
    pub joint_controllers: Field<Vec<Party>>,
    /// (a) where applicable, the controller's representative (Art. 27).
    pub representative: Field<Contact>,
    /// (a) where applicable, the data protection officer.
    pub dpo: Field<Contact>,
    /// (b) the purposes, with their legal bases.
    pub purposes: Field<Vec<PurposeSpec>>,
    /// (c) the categories of data subjects.
    pub subject_categories: Field<Vec<SubjectCategory>>,
    /// (c) the categories of personal data.
    pub data_categories: Field<Vec<DataCategory>>,
    /// (d) the categories of recipients, including in third countries: the activity's
    /// recipients and every processor and sub-processor of the chain that covers it.
    pub recipients: Field<Vec<Recipient>>,
    /// (e) transfers to third countries, with the Art. 49(1) second-subparagraph safeguards.
    pub transfers: Field<Vec<Transfer>>,
    /// (f) the envisaged time limits for erasure.
    pub erasure_time_limits: Field<Retention>,
    /// (g) a general description of the Art. 32(1) measures.
    pub security_measures: Field<Vec<LocalizedText>>,
}

crate::vocab::object_struct! {
/// The controller's records of processing activities (Art. 30(1)), one entry per activity it
/// controls, alone or jointly.
///
/// # Example
/// ```
/// use gdpr_obligations::agreement::ProcessingChain;
/// use gdpr_obligations::model::Party;
/// use gdpr_obligations::report::{Catalogue, ControllerRecord, Language};
/// use gdpr_obligations::vocab::Country;
///
/// let shop = Party::builder("ACME s.r.o.", Country::CZ).contact_email("privacy@acme.example").build()?;
/// let chain = ProcessingChain::build([shop.clone()], [], [])?;
/// let record = ControllerRecord::build(&shop, &[shop.clone()], &[], &chain)?;
/// let csv = record.to_csv(&Catalogue::built_in(), &Language::EN)?;
/// assert!(csv.starts_with("activity,article,field,status,value"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ControllerRecord {
    /// The controller that keeps the record.
    pub controller: Party,
    /// One entry per activity.
    pub activities: Vec<ControllerActivityRecord>,
}
}

/// What a processor does on behalf of one controller (Art. 30(2)(b)), from the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessingCategories {
    /// The subject-matter (Art. 28(3)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_matter: Option<String>,
    /// The nature of the processing (Art. 28(3)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature: Option<String>,
    /// The purposes.
    pub purposes: Vec<Purpose>,
    /// The types of personal data.
    pub data_categories: Vec<DataCategory>,
    /// The categories of data subjects.
    pub subject_categories: Vec<SubjectCategory>,
}

/// The processor's record of its processing under one agreement (Art. 30(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessorEntry {
    /// The agreement.
    pub agreement: AgreementId,
    /// (a) the controller on whose behalf the processor acts.
    pub controller: Field<Party>,
    /// The controller's legal name, also when its contact details are missing from the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_name: Option<Text>,
    /// (a) for a sub-processor, the processor that engaged it (Art. 28(4)).
    pub engaged_by: Field<Party>,
    /// (a) where applicable, the controller's representative.
    pub controller_representative: Field<Contact>,
    /// (a) where applicable, the controller's data protection officer.
    pub controller_dpo: Field<Contact>,
    /// (b) the categories of processing carried out on behalf of the controller.
    pub categories: Field<ProcessingCategories>,
    /// (c) transfers to third countries: the processor's own processing locations and its
    /// sub-processors' outside the EEA.
    pub transfers: Field<Vec<Transfer>>,
    /// (d) a general description of the Art. 32(1) measures.
    pub security_measures: Field<Vec<String>>,
}

crate::vocab::object_struct! {
/// The processor's records of all categories of processing carried out on behalf of a
/// controller (Art. 30(2)), one entry per agreement that binds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct ProcessorRecord {
    /// The processor that keeps the record.
    pub processor: Party,
    /// (a) the name and contact details of the processor.
    pub contact: Field<Party>,
    /// (a) where applicable, the processor's representative (Art. 27).
    pub representative: Field<Contact>,
    /// (a) where applicable, the processor's data protection officer.
    pub dpo: Field<Contact>,
    /// One entry per agreement.
    pub entries: Vec<ProcessorEntry>,
}
}

fn contact_field(party: &Party) -> Field<Party> {
    if party.contact_email().is_none() && party.address().is_none() {
        Field::Missing { gap: Gap::ContactDetails }
    } else {
        Field::Filled { value: party.clone() }
    }
}

fn representative_field(party: &Party) -> Field<Contact> {
    match party.eu_representative() {
        Some(rep) => Field::Filled { value: rep.clone() },
        None if party.country().is_eea() => Field::NotApplicable { reason: NotApplicable::EstablishedInUnion },
        None => Field::Missing { gap: Gap::Representative },
    }
}

fn dpo_field(party: &Party) -> Field<Contact> {
    match party.dpo() {
        Some(dpo) => Field::Filled { value: dpo.clone() },
        None => Field::NotApplicable { reason: NotApplicable::NoDpo },
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl ControllerRecord {
    /// The record of `controller`: every activity it controls, with the processors and
    /// sub-processors of `chain` that cover each activity (a shared purpose and data category)
    /// added to its recipients (d) and, when they process outside the EEA, to its transfers (e).
    ///
    /// # Errors
    /// [`ReportError::UnknownParty`] when an activity or agreement names a party not in
    /// `parties`.
    pub fn build(
        controller: &Party,
        parties: &[Party],
        activities: &[ProcessingActivity],
        chain: &ProcessingChain,
    ) -> Result<Self, ReportError> {
        let parties = Parties::new(parties);
        let members = members(chain, controller.id(), &parties)?;
        let mut entries = Vec::new();
        for activity in activities.iter().filter(|a| a.is_controlled_by(controller.id())) {
            let f = activity.fields();
            let joint_controllers = match &f.controllers {
                Controllers::Sole { .. } => Field::NotApplicable { reason: NotApplicable::SoleController },
                Controllers::Joint { controllers, .. } => Field::Filled {
                    value: controllers
                        .iter()
                        .filter(|id| **id != controller.id())
                        .map(|id| parties.get(*id).cloned())
                        .collect::<Result<_, _>>()?,
                },
            };
            let mut recipients = f.recipients.clone();
            let mut transfers = Vec::new();
            for t in f.transfers.iter().cloned() {
                merge_transfer(&mut transfers, t);
            }
            for m in members.iter().filter(|m| m.covers(activity)) {
                let recipient = m.recipient(activity);
                if !recipients.iter().any(|r| r.party == recipient.party) {
                    recipients.push(recipient);
                }
                for transfer in m.transfers() {
                    merge_transfer(&mut transfers, transfer);
                }
            }
            entries.push(ControllerActivityRecord {
                activity: activity.id(),
                name: f.name.clone(),
                controller: contact_field(controller),
                joint_controllers,
                representative: representative_field(controller),
                dpo: dpo_field(controller),
                purposes: Field::non_empty(f.purposes.clone(), NotApplicable::NoDescription),
                subject_categories: Field::non_empty(f.subject_categories.clone(), NotApplicable::NoDescription),
                data_categories: Field::non_empty(f.data_categories.clone(), NotApplicable::NoDescription),
                recipients: Field::non_empty(recipients, NotApplicable::NoRecipients),
                transfers: Field::non_empty(transfers, NotApplicable::NoTransfers),
                erasure_time_limits: Field::Filled { value: f.retention.clone() },
                security_measures: Field::non_empty(f.security_measures.clone(), NotApplicable::NoDescription),
            });
        }
        Ok(ControllerRecord { controller: controller.clone(), activities: entries })
    }

    fn rows(&self, w: &Writer<'_>) -> Result<Vec<(String, Vec<Row>)>, ReportError> {
        let art = |p| Article::gdpr(30).paragraph(1).point(p);
        let mut out = Vec::new();
        for a in &self.activities {
            let at = format!("activity {}: ", a.activity);
            let at = at.as_str();
            let rows = vec![
                row(w, art('a'), MessageKey::FieldController, &a.controller, |w, p| w.party_details(p))?,
                row(w, art('a'), MessageKey::FieldJointControllers, &a.joint_controllers, |w, ps| {
                    Ok(ps.iter().map(|p| w.party_details(p)).collect::<Result<Vec<_>, _>>()?.join("; "))
                })?,
                row(w, art('a'), MessageKey::FieldRepresentative, &a.representative, |w, c| w.contact(c))?,
                row(w, art('a'), MessageKey::FieldDpo, &a.dpo, |w, c| w.contact(c))?,
                row(w, art('b'), MessageKey::FieldPurposes, &a.purposes, |w, v| purposes_text(w, v, at))?,
                row(w, art('c'), MessageKey::FieldSubjectCategories, &a.subject_categories, |w, c| w.terms(c))?,
                row(w, art('c'), MessageKey::FieldDataCategories, &a.data_categories, |w, c| w.terms(c))?,
                row(w, art('d'), MessageKey::FieldRecipients, &a.recipients, |w, v| {
                    recipients_text(w, v, at, art('d'))
                })?,
                row(w, art('e'), MessageKey::FieldTransfers, &a.transfers, |w, v| transfers_text(w, v, at))?,
                row(w, art('f'), MessageKey::FieldErasure, &a.erasure_time_limits, |w, r| {
                    retention_text(w, r, at, art('f'))
                })?,
                row(w, art('g'), MessageKey::FieldSecurity, &a.security_measures, |w, m| {
                    let measures = m
                        .iter()
                        .enumerate()
                        .map(|(i, t)| w.local(t, || format!("{at}security_measures[{i}]"), art('g')))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(measures.join("; "))
                })?,
            ];
            let name = w.local(&a.name, || format!("{at}name"), Article::gdpr(30).paragraph(1))?;
            out.push((w.text(MessageKey::RecordActivity, &[("name", name)])?, rows));
        }
        Ok(out)
    }

    /// The record as a [`Document`] (one table per activity), in `language`: every free text
    /// in that language, never in another.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue lacks a text or term;
    /// [`ReportError::UntranslatedText`] when a free text of an activity (its name, legitimate
    /// interests, recipients, retention, safeguards or security measures) is not given in
    /// `language`.
    pub fn document(&self, catalogue: &Catalogue, language: &Language) -> Result<Document, ReportError> {
        let w = Writer { catalogue, language };
        let title =
            w.text(MessageKey::ControllerRecordTitle, &[("controller", self.controller.legal_name().as_str())])?;
        tables(&w, title, self.rows(&w)?)
    }

    /// The record as CSV, one line per field: `activity,article,field,status,value`, with the
    /// field's label and the value in `language`, and `status` one of `filled`,
    /// `not_applicable`, `missing`. Every field goes through
    /// [`escape::csv_field`](crate::escape::csv_field) (OWASP's rule: a field starting with `=`,
    /// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`), then the `csv` crate quotes.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue lacks a text; [`ReportError::Csv`]
    /// if writing fails.
    pub fn to_csv(&self, catalogue: &Catalogue, language: &Language) -> Result<String, ReportError> {
        let w = Writer { catalogue, language };
        let keys: Vec<String> = self.activities.iter().map(|a| a.activity.to_string()).collect();
        csv(&w, &keys, self.rows(&w)?)
    }
}

impl ProcessorRecord {
    /// The record of `processor`: one entry per agreement of `chain` that binds it, whether
    /// with a controller or (as a sub-processor) with another processor.
    ///
    /// # Errors
    /// [`ReportError::UnknownParty`] when an agreement names a party not in `parties`.
    pub fn build(processor: &Party, parties: &[Party], chain: &ProcessingChain) -> Result<Self, ReportError> {
        let lookup = Parties::new(parties);
        let mut entries = Vec::new();
        for agreement in chain.agreements().filter(|a| a.processor == processor.id()) {
            let controller = chain.controller_of(agreement.id).map(|c| lookup.get(c)).transpose()?;
            let engaged_by = if agreement.is_sub_processing() {
                Field::Filled { value: lookup.get(agreement.principal)?.clone() }
            } else {
                Field::NotApplicable { reason: NotApplicable::EngagedByController }
            };
            // Art. 30(2)(c): the processor's own processing locations and its sub-processors',
            // each with the documentation of suitable safeguards recorded for it.
            let mut transfers = Vec::new();
            for l in agreement.locations_for(processor.country()).iter().filter(|l| !l.country.is_eea()) {
                push_unique(&mut transfers, location_transfer(processor, l));
            }
            for sub in chain.agreements().filter(|s| s.parent == Some(agreement.id)) {
                let party = lookup.get(sub.processor)?;
                for l in sub.locations_for(party.country()).iter().filter(|l| !l.country.is_eea()) {
                    push_unique(&mut transfers, location_transfer(party, l));
                }
            }
            let measures: Vec<String> =
                agreement.security_measures.iter().filter(|m| !m.trim().is_empty()).cloned().collect();
            entries.push(ProcessorEntry {
                agreement: agreement.id,
                controller: match controller {
                    Some(c) => contact_field(c),
                    None => Field::Missing { gap: Gap::ContactDetails },
                },
                controller_name: controller.map(|c| c.legal_name().clone()),
                engaged_by,
                controller_representative: controller
                    .map_or(Field::NotApplicable { reason: NotApplicable::EstablishedInUnion }, representative_field),
                controller_dpo: controller.map_or(Field::NotApplicable { reason: NotApplicable::NoDpo }, dpo_field),
                categories: Field::Filled {
                    value: ProcessingCategories {
                        subject_matter: agreement.subject_matter.clone(),
                        nature: agreement.nature.clone(),
                        purposes: agreement.purposes.clone(),
                        data_categories: agreement.data_categories.clone(),
                        subject_categories: agreement.subject_categories.clone(),
                    },
                },
                transfers: Field::non_empty(transfers, NotApplicable::NoTransfers),
                security_measures: Field::non_empty(measures, NotApplicable::NoDescription),
            });
        }
        Ok(ProcessorRecord {
            processor: processor.clone(),
            contact: contact_field(processor),
            representative: representative_field(processor),
            dpo: dpo_field(processor),
            entries,
        })
    }

    fn rows(&self, w: &Writer<'_>) -> Result<Vec<(String, Vec<Row>)>, ReportError> {
        let art = |p| Article::gdpr(30).paragraph(2).point(p);
        let own = vec![
            row(w, art('a'), MessageKey::FieldProcessor, &self.contact, |w, p| w.party_details(p))?,
            row(w, art('a'), MessageKey::FieldRepresentative, &self.representative, |w, c| w.contact(c))?,
            row(w, art('a'), MessageKey::FieldDpo, &self.dpo, |w, c| w.contact(c))?,
        ];
        let mut out = vec![(self.processor.legal_name().to_string(), own)];
        for e in &self.entries {
            let rows = vec![
                row(w, art('a'), MessageKey::FieldOnBehalfOf, &e.controller, |w, p| w.party_details(p))?,
                row(w, art('a'), MessageKey::FieldEngagedBy, &e.engaged_by, |w, p| w.party_details(p))?,
                row(w, art('a'), MessageKey::FieldControllerRepresentative, &e.controller_representative, |w, c| {
                    w.contact(c)
                })?,
                row(w, art('a'), MessageKey::FieldControllerDpo, &e.controller_dpo, |w, c| w.contact(c))?,
                row(w, art('b'), MessageKey::FieldCategoriesOfProcessing, &e.categories, categories_text)?,
                row(w, art('c'), MessageKey::FieldTransfers, &e.transfers, |w, v| {
                    transfers_text(w, v, &format!("agreement {}: ", e.agreement))
                })?,
                row(w, art('d'), MessageKey::FieldSecurity, &e.security_measures, |_, m| Ok(m.join("; ")))?,
            ];
            let controller = match &e.controller_name {
                Some(name) => name.to_string(),
                None => w.text(MessageKey::Missing, &[])?,
            };
            let heading = w.text(
                MessageKey::RecordAgreement,
                &[("controller", &controller), ("agreement", &e.agreement.to_string())],
            )?;
            out.push((heading, rows));
        }
        Ok(out)
    }

    /// The record as a [`Document`] (the processor's own details, then one table per
    /// agreement), in `language`.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue lacks a text or term.
    pub fn document(&self, catalogue: &Catalogue, language: &Language) -> Result<Document, ReportError> {
        let w = Writer { catalogue, language };
        let title = w.text(MessageKey::ProcessorRecordTitle, &[("processor", self.processor.legal_name().as_str())])?;
        tables(&w, title, self.rows(&w)?)
    }

    /// The record as CSV, one line per field: `activity,article,field,status,value`, where
    /// `activity` is the processor's id for its own details and the agreement's id otherwise.
    /// Fields are escaped as in [`ControllerRecord::to_csv`].
    ///
    /// # Errors
    /// As [`document`](Self::document), and [`ReportError::Csv`] if writing fails.
    pub fn to_csv(&self, catalogue: &Catalogue, language: &Language) -> Result<String, ReportError> {
        let w = Writer { catalogue, language };
        let keys: Vec<String> = std::iter::once(self.processor.id().to_string())
            .chain(self.entries.iter().map(|e| e.agreement.to_string()))
            .collect();
        csv(&w, &keys, self.rows(&w)?)
    }
}

/// One rendered field: its point, label, state and text.
pub(crate) struct Row {
    article: Article,
    label: MessageKey,
    status: &'static str,
    value: String,
}

fn row<T>(
    w: &Writer<'_>,
    article: Article,
    label: MessageKey,
    field: &Field<T>,
    render: impl Fn(&Writer<'_>, &T) -> Result<String, ReportError>,
) -> Result<Row, ReportError> {
    let (status, value) = match field {
        Field::Filled { value } => ("filled", render(w, value)?),
        Field::NotApplicable { reason } => ("not_applicable", w.text(reason.message(), &[])?),
        Field::Missing { gap } => ("missing", w.text(gap.message(), &[])?),
    };
    Ok(Row { article, label, status, value })
}

fn tables(w: &Writer<'_>, title: String, sections: Vec<(String, Vec<Row>)>) -> Result<Document, ReportError> {
    let mut doc = Document::new(w.language, title);
    let header = vec![
        w.text(MessageKey::RecordPoint, &[])?,
        w.text(MessageKey::RecordField, &[])?,
        w.text(MessageKey::RecordValue, &[])?,
    ];
    for (heading, rows) in sections {
        doc.heading(1, heading);
        let rows = rows
            .into_iter()
            .map(|r| Ok(vec![w.cite(r.article), w.text(r.label, &[])?, r.value]))
            .collect::<Result<Vec<_>, ReportError>>()?;
        doc.blocks.push(Block::Table { header: header.clone(), rows });
    }
    Ok(doc)
}

fn csv(w: &Writer<'_>, keys: &[String], sections: Vec<(String, Vec<Row>)>) -> Result<String, ReportError> {
    let err = |e: csv::Error| ReportError::Csv(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["activity", "article", "field", "status", "value"]).map_err(err)?;
    for (key, (_, rows)) in keys.iter().zip(sections) {
        for r in rows {
            let label = w.text(r.label, &[])?;
            let fields = [key.as_str(), &r.article.to_string(), &label, r.status, &r.value];
            out.write_record(fields.map(|f| crate::escape::csv_field(f).into_owned())).map_err(err)?;
        }
    }
    let bytes = out.into_inner().map_err(|e| ReportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}

pub(crate) fn purposes_text(w: &Writer<'_>, specs: &[PurposeSpec], at: &str) -> Result<String, ReportError> {
    Ok(purpose_lines(w, specs, at)?.join("; "))
}

/// One line per purpose: the purpose, its basis and article, the legitimate interests
/// (Art. 13(1)(d)) and the Art. 9(2) condition where there are. `at` names the activity in an
/// [`ReportError::UntranslatedText`].
pub(crate) fn purpose_lines(w: &Writer<'_>, specs: &[PurposeSpec], at: &str) -> Result<Vec<String>, ReportError> {
    let mut lines = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let mut line = w.text(
            MessageKey::PurposeLine,
            &[
                ("purpose", &w.term(&s.purpose)?),
                ("basis", &w.term(&s.basis)?),
                ("article", &w.cite(s.basis.article())),
            ],
        )?;
        if let Some(interests) = &s.legitimate_interests {
            let article = Article::gdpr(13).paragraph(1).point('d');
            let interests = w.local(interests, || format!("{at}purposes[{i}].legitimate_interests"), article)?;
            let li = w.text(
                MessageKey::LegitimateInterestsLine,
                &[("article", &w.cite(article)), ("interests", interests)],
            )?;
            line = format!("{line}, {li}");
        }
        if let Some(condition) = &s.special_category_condition {
            line = format!("{line}, {} ({})", w.term(condition)?, w.cite(condition.article()));
        }
        lines.push(line);
    }
    Ok(lines)
}

/// The recipients, each as a line; `at` names the activity and `article` is the provision the
/// list is written for, in an [`ReportError::UntranslatedText`].
pub(crate) fn recipients_text(
    w: &Writer<'_>,
    recipients: &[Recipient],
    at: &str,
    article: Article,
) -> Result<String, ReportError> {
    let lines = recipients
        .iter()
        .enumerate()
        .map(|(i, r)| recipient_line(w, r, || format!("{at}recipients[{i}].name"), article))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lines.join("; "))
}

/// One recipient: its name in the document's language, its role and country.
pub(crate) fn recipient_line(
    w: &Writer<'_>,
    r: &Recipient,
    field: impl FnOnce() -> String,
    article: Article,
) -> Result<String, ReportError> {
    let name = w.local(&r.name, field, article)?;
    w.text(
        MessageKey::RecipientLine,
        &[("name", name), ("role", &w.term(&r.role)?), ("country", &w.country(r.country)?)],
    )
}

/// One transfer; `at` names where it belongs (`activity …: transfers[0].`) in an
/// [`ReportError::UntranslatedText`].
pub(crate) fn transfer_text(w: &Writer<'_>, t: &Transfer, at: &str) -> Result<String, ReportError> {
    let mut line = match &t.mechanism {
        Some(m) => w.text(
            MessageKey::TransferLine,
            &[
                ("recipient", t.recipient.as_str()),
                ("country", &destination_text(w, &t.destination)?),
                ("mechanism", &w.term(m)?),
                ("article", &w.cite(m.article())),
            ],
        )?,
        None if t.destination.is_eea() => w.text(
            MessageKey::TransferNoMechanism,
            &[("recipient", t.recipient.as_str()), ("country", &destination_text(w, &t.destination)?)],
        )?,
        // Outside the EEA a transfer needs a Chapter V mechanism: never say it does not.
        None => w.text(
            MessageKey::TransferMissingMechanism,
            &[
                ("recipient", t.recipient.as_str()),
                ("country", &destination_text(w, &t.destination)?),
                ("article", &w.cite(Article::gdpr(44))),
            ],
        )?,
    };
    if let Some(s) = &t.safeguards_documentation {
        let article = Article::gdpr(30).paragraph(1).point('e');
        let s = w.local(s, || format!("{at}safeguards_documentation"), article)?;
        line = format!("{line}; {}", w.text(MessageKey::Safeguards, &[("safeguards", s)])?);
    }
    Ok(line)
}

/// A transfer's destination in words: a country by its name, an international organisation by
/// its name, in the document's language.
pub(crate) fn destination_text(w: &Writer<'_>, d: &Destination) -> Result<String, ReportError> {
    match d {
        Destination::Country(c) => w.country(*c),
        Destination::InternationalOrganisation(o) => w.term(o),
    }
}

pub(crate) fn transfers_text(w: &Writer<'_>, transfers: &[Transfer], at: &str) -> Result<String, ReportError> {
    let lines = transfers.iter().enumerate().map(|(i, t)| transfer_text(w, t, &format!("{at}transfers[{i}].")));
    Ok(lines.collect::<Result<Vec<_>, _>>()?.join("; "))
}

/// The retention period or its criteria; `at` names the activity and `article` is the
/// provision it is written for, in an [`ReportError::UntranslatedText`].
pub(crate) fn retention_text(
    w: &Writer<'_>,
    retention: &Retention,
    at: &str,
    article: Article,
) -> Result<String, ReportError> {
    match retention {
        Retention::Months { months } => w.text(MessageKey::Months, &[("months", &w.months(u32::from(*months))?)]),
        Retention::MonthsAfter { event, months } => {
            let event = w.local(event, || format!("{at}retention.event"), article)?;
            w.text(MessageKey::MonthsAfter, &[("months", &w.months(u32::from(*months))?), ("event", event)])
        }
        Retention::Criteria { criteria } => {
            let criteria = w.local(criteria, || format!("{at}retention.criteria"), article)?;
            w.text(MessageKey::Criteria, &[("criteria", criteria)])
        }
    }
}

fn categories_text(w: &Writer<'_>, c: &ProcessingCategories) -> Result<String, ReportError> {
    let unknown = w.text(MessageKey::Missing, &[])?;
    w.text(
        MessageKey::ProcessingCategories,
        &[
            ("subject_matter", c.subject_matter.as_deref().unwrap_or(&unknown)),
            ("nature", c.nature.as_deref().unwrap_or(&unknown)),
            ("purposes", &w.terms(&c.purposes)?),
            ("data", &w.terms(&c.data_categories)?),
            ("subjects", &w.terms(&c.subject_categories)?),
        ],
    )
}
