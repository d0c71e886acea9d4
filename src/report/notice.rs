//! The privacy-notice section a website owner publishes (Arts. 13 and 14).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::document::Writer;
use super::records::{purpose_lines, recipient_line, retention_text, transfer_text};
use super::{Catalogue, Document, Language, MessageKey, Parties, ReportError, members};
use crate::agreement::ProcessingChain;
use crate::model::{
    ActivityId, Controllers, LocalizedText, Party, PartyId, ProcessingActivity, PurposeSpec, Recipient,
    RegistrationNumber, Retention, TaxId, Text, Transfer,
};
use crate::request::ComplaintInformation;
use crate::vocab::{
    AdequacyScope, Article, Country, DataCategory, LegalBasis, Purpose, Right, Role, SpecialCategoryCondition,
    TransferMechanism, rights,
};

/// The rights a notice lists per purpose: those of Art. 13(2)(b) and 14(2)(c), consent
/// withdrawal (13(2)(c)), and Art. 22 where the activity makes automated decisions (13(2)(f)).
/// The complaint (13(2)(d)) has its own section.
const NOTICE_RIGHTS: &[Right] = &[
    Right::Access,
    Right::Rectification,
    Right::Erasure,
    Right::Restriction,
    Right::Portability,
    Right::Objection,
    Right::AutomatedDecisionReview,
    Right::WithdrawConsent,
];

/// What a privacy notice is built from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct NoticeInput<'a> {
    /// The controller that publishes the notice (Art. 13(1)(a)).
    pub controller: &'a Party,
    /// Every party named by the activities and the chain.
    pub parties: &'a [Party],
    /// The activities; those the controller controls are described.
    pub activities: &'a [ProcessingActivity],
    /// The processing chain: every processor and sub-processor on the controller's behalf is
    /// named as a recipient (Art. 13(1)(e)).
    pub chain: &'a ProcessingChain,
    /// The chat vendor, a processor or sub-processor of the chain on the controller's behalf:
    /// the notice names it as such, with its registration number (IČO) or, lacking one, its
    /// tax id (Arts. 4(8), 13(1)(e)).
    pub vendor: Option<PartyId>,
    /// The sentence the vendor asks its customers to publish, reproduced as given beside the
    /// notice's own wording about the vendor, never instead of it. Only with a `vendor`:
    /// [`PrivacyNotice::build`] refuses it alone.
    pub vendor_sentence: Option<&'a Text>,
    /// The supervisory authority and judicial remedy (Art. 13(2)(d), 77, 79).
    pub complaint: &'a ComplaintInformation,
    /// Whether providing the data is a statutory or contractual requirement, whether the data
    /// subject must provide them, and the consequences of not doing so (Art. 13(2)(e)), in
    /// each language the notice is written in.
    pub provision: Option<&'a LocalizedText>,
    /// The sources of data not obtained from the data subject (Art. 14(2)(f)), e.g. other
    /// visitors' chat messages that mention someone, each in every language the notice is
    /// written in.
    pub sources: &'a [LocalizedText],
    /// The date from which the notice is valid; adequacy decisions are read on it.
    pub as_of: NaiveDate,
}

impl<'a> NoticeInput<'a> {
    /// The input of `controller`'s notice as of `as_of`: the parties named by the activities
    /// and the chain, the activities, the chain and the complaint information, with no vendor,
    /// no Art. 13(2)(e) statement (the notice shows it as missing) and no Art. 14(2)(f) sources
    /// ([`with_vendor`](Self::with_vendor), [`with_vendor_sentence`](Self::with_vendor_sentence),
    /// [`with_provision`](Self::with_provision), [`with_sources`](Self::with_sources)).
    #[must_use]
    pub fn new(
        controller: &'a Party,
        parties: &'a [Party],
        activities: &'a [ProcessingActivity],
        chain: &'a ProcessingChain,
        complaint: &'a ComplaintInformation,
        as_of: NaiveDate,
    ) -> Self {
        Self {
            controller,
            parties,
            activities,
            chain,
            vendor: None,
            vendor_sentence: None,
            complaint,
            provision: None,
            sources: &[],
            as_of,
        }
    }

    /// The chat vendor: the notice names it as the controller's processor (or sub-processor)
    /// with its legal name and registration number (Arts. 4(8), 13(1)(e)).
    #[must_use]
    pub fn with_vendor(mut self, vendor: PartyId) -> Self {
        self.vendor = Some(vendor);
        self
    }

    /// The chat vendor, as [`with_vendor`](Self::with_vendor), and the sentence it asks its
    /// customers to publish (e.g. "Your personal data may be collected by us or by third
    /// parties, including …"), which the notice reproduces as given beside its own wording:
    /// the controller opts in to it explicitly. A processor is not a third party
    /// (Art. 4(10)), so the notice's own sentence always names the vendor as what it is.
    #[must_use]
    pub fn with_vendor_sentence(mut self, vendor: PartyId, sentence: &'a Text) -> Self {
        self.vendor = Some(vendor);
        self.vendor_sentence = Some(sentence);
        self
    }

    /// Whether providing the data is a statutory or contractual requirement, whether the data
    /// subject must provide them, and the consequences of not doing so (Art. 13(2)(e)). A
    /// notice without it shows the item as missing.
    #[must_use]
    pub fn with_provision(mut self, provision: &'a LocalizedText) -> Self {
        self.provision = Some(provision);
        self
    }

    /// The sources of data not obtained from the data subject (Art. 14(2)(f)).
    #[must_use]
    pub fn with_sources(mut self, sources: &'a [LocalizedText]) -> Self {
        self.sources = sources;
        self
    }
}

/// The chat vendor as the notice names it: the controller's processor or sub-processor
/// (Art. 4(8); a processor is not a third party, Art. 4(10)), with its legal name and
/// registration number (Art. 13(1)(e)), and the sentence it asks its customers to publish where
/// the controller chose to reproduce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeVendor {
    /// The vendor.
    pub party: PartyId,
    /// Its full legal name.
    pub legal_name: Text,
    /// Processor or sub-processor of the controller.
    pub role: Role,
    /// Its registration number (IČO), by which the notice identifies it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<RegistrationNumber>,
    /// Its tax id (DIČ), by which the notice identifies it when it has no registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<TaxId>,
    /// The sentence the vendor asks its customers to publish, reproduced as given beside the
    /// notice's own wording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_sentence: Option<Text>,
}

/// The rights a data subject has for one purpose on one basis (Art. 13(2)(b)), from
/// [`vocab::rights`](crate::vocab::rights).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RightsUnder {
    /// The purpose.
    pub purpose: Purpose,
    /// The legal basis.
    pub basis: LegalBasis,
    /// Each right available, with the provision that grants it.
    pub rights: Vec<(Right, Article)>,
}

/// One processing activity as the notice describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeActivity {
    /// The activity.
    pub activity: ActivityId,
    /// Its name.
    pub name: LocalizedText,
    /// Art. 13(1)(c)-(d): purposes, legal bases and legitimate interests.
    pub purposes: Vec<PurposeSpec>,
    /// Art. 14(1)(d): the categories of personal data.
    pub data_categories: Vec<DataCategory>,
    /// Art. 13(2)(a): the storage period or its criteria.
    pub retention: Retention,
    /// Art. 13(2)(b): the rights under each purpose and basis.
    pub rights: Vec<RightsUnder>,
    /// Art. 13(2)(f): automated decision-making, where used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_decision_making: Option<LocalizedText>,
    /// Art. 13(1)(a), 26(1): the other joint controllers, for an activity with joint
    /// controllers.
    #[serde(default)]
    pub joint_controllers: Vec<Party>,
    /// Art. 26(2): the essence of the joint controllers' arrangement, for an activity with
    /// joint controllers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrangement: Option<LocalizedText>,
}

/// A processor or sub-processor named in the notice (Art. 13(1)(e)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeRecipient {
    /// The party.
    pub party: PartyId,
    /// Its full legal name.
    pub legal_name: Text,
    /// Its registration number (e.g. IČO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<RegistrationNumber>,
    /// Its tax id (e.g. DIČ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<TaxId>,
    /// Where it is established.
    pub country: Country,
    /// Processor or sub-processor.
    pub role: Role,
    /// For a sub-processor, the processor that engaged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engaged_by: Option<Text>,
}

/// A transfer outside the EEA as the notice tells it (Art. 13(1)(f)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeTransfer {
    /// The transfer.
    pub transfer: Transfer,
    /// Whether an adequacy decision in force on the notice's date covers the transfer: one for
    /// the whole country, or a partial one (such as the EU-US Data Privacy Framework) that the
    /// transfer relies on. The notice states its existence or absence (Art. 13(1)(f)).
    pub adequacy: bool,
}

crate::vocab::object_struct! {
/// The privacy-notice section of a website (Arts. 13 and 14), resolved from the model and
/// ready to render in any language of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct PrivacyNotice {
    /// The date from which it is valid.
    pub as_of: NaiveDate,
    /// Art. 13(1)(a)-(b): the controller, its representative and DPO.
    pub controller: Party,
    /// The chat vendor, named as the controller's processor, if the website uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<NoticeVendor>,
    /// The activities.
    pub activities: Vec<NoticeActivity>,
    /// Art. 13(1)(e): every processor and sub-processor of the chain.
    pub processors: Vec<NoticeRecipient>,
    /// Art. 13(1)(e): the activities' other recipients, by name or category.
    pub other_recipients: Vec<Recipient>,
    /// Art. 13(1)(f): transfers outside the EEA.
    pub transfers: Vec<NoticeTransfer>,
    /// Art. 13(2)(c): whether a purpose relies on consent, under Art. 6(1)(a) or as the
    /// explicit consent of Art. 9(2)(a).
    pub relies_on_consent: bool,
    /// Art. 13(2)(d): the complaint information.
    pub complaint: ComplaintInformation,
    /// Art. 13(2)(e): whether the data must be provided; the document shows it as missing when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<LocalizedText>,
    /// Art. 14(2)(f): sources of data not obtained from the data subject.
    #[serde(default)]
    pub sources: Vec<LocalizedText>,
}
}

impl PrivacyNotice {
    /// Resolves a notice: the activities the controller controls, every processor and
    /// sub-processor of the chain on its behalf, the transfers of both (with whether an adequacy
    /// decision is in force on `as_of`), and the rights under each purpose and basis.
    ///
    /// # Errors
    /// [`ReportError::UnknownParty`] when the chain, the vendor or a joint activity names a
    /// party not in `parties`; [`ReportError::VendorNotProcessor`] when the vendor is not a
    /// processor or sub-processor of the chain on the controller's behalf (the notice names it
    /// as one), or a vendor's sentence is given without the vendor;
    /// [`ReportError::UntranslatedText`] when the controller states its
    /// [language](Party::language) and a free text of the notice is not given in it (the
    /// notice must at least be writable in the controller's own language).
    pub fn build(input: &NoticeInput<'_>) -> Result<Self, ReportError> {
        let parties = Parties::new(input.parties);
        let controller = input.controller;
        let members = members(input.chain, controller.id(), &parties)?;
        let vendor = match input.vendor {
            None if input.vendor_sentence.is_some() => return Err(ReportError::VendorNotProcessor { party: None }),
            None => None,
            Some(id) => {
                let vendor = parties.get(id)?;
                let role = members
                    .iter()
                    .find(|m| m.party.id() == id)
                    .map(|m| m.role)
                    .ok_or(ReportError::VendorNotProcessor { party: Some(id) })?;
                Some(NoticeVendor {
                    party: id,
                    legal_name: vendor.legal_name().clone(),
                    role,
                    registration_number: vendor.registration_number().cloned(),
                    tax_id: vendor.tax_id().cloned(),
                    published_sentence: input.vendor_sentence.cloned(),
                })
            }
        };
        let mut processors: Vec<NoticeRecipient> = Vec::new();
        let mut transfers: Vec<NoticeTransfer> = Vec::new();
        let mut add_transfer = |transfer: Transfer| {
            // A partial decision (e.g. certified organisations only) covers the transfer only
            // when the transfer relies on it and the importer is shown to be covered (Art. 45(1)).
            let adequacy = match transfer.destination.adequacy_on(input.as_of) {
                Some(a) if a.scope == AdequacyScope::Full => true,
                Some(_) => {
                    transfer.mechanism == Some(TransferMechanism::AdequacyDecision)
                        && transfer.adequacy_coverage.is_some()
                }
                None => false,
            };
            // The activity and the chain often describe the same transfer: list it once, with the
            // documentation of its safeguards from whichever names it.
            let same = |t: &NoticeTransfer| {
                t.transfer.recipient == transfer.recipient
                    && t.transfer.destination == transfer.destination
                    && t.transfer.mechanism == transfer.mechanism
            };
            match transfers.iter_mut().find(|t| same(t)) {
                Some(listed) => {
                    if listed.transfer.safeguards_documentation.is_none() {
                        listed.transfer.safeguards_documentation = transfer.safeguards_documentation;
                    }
                    if listed.transfer.adequacy_coverage.is_none() {
                        listed.transfer.adequacy_coverage = transfer.adequacy_coverage;
                    }
                    listed.adequacy |= adequacy;
                }
                None => transfers.push(NoticeTransfer { transfer, adequacy }),
            }
        };
        for m in &members {
            if !processors.iter().any(|p| p.party == m.party.id()) {
                processors.push(NoticeRecipient {
                    party: m.party.id(),
                    legal_name: m.party.legal_name().clone(),
                    registration_number: m.party.registration_number().cloned(),
                    tax_id: m.party.tax_id().cloned(),
                    country: m.party.country(),
                    role: m.role,
                    engaged_by: (m.role == Role::SubProcessor).then(|| m.principal.legal_name().clone()),
                });
            }
            for transfer in m.transfers() {
                add_transfer(transfer);
            }
        }
        let mut activities = Vec::new();
        let mut other_recipients: Vec<Recipient> = Vec::new();
        let mut relies_on_consent = false;
        for a in input.activities.iter().filter(|a| a.is_controlled_by(controller.id())) {
            let f = a.fields();
            for r in &f.recipients {
                let named = r.party.is_some_and(|p| processors.iter().any(|n| n.party == p));
                if !named && !other_recipients.iter().any(|o| o.name == r.name) {
                    other_recipients.push(r.clone());
                }
            }
            for t in &f.transfers {
                add_transfer(t.clone());
            }
            // Explicit consent under Art. 9(2)(a) is consent too: it can be withdrawn (Art. 7(3)).
            relies_on_consent |= f.purposes.iter().any(|p| {
                p.basis == LegalBasis::Consent
                    || p.special_category_condition == Some(SpecialCategoryCondition::ExplicitConsent)
            });
            let (joint_controllers, arrangement) = match &f.controllers {
                Controllers::Sole { .. } => (Vec::new(), None),
                Controllers::Joint { controllers, arrangement } => (
                    controllers
                        .iter()
                        .filter(|id| **id != controller.id())
                        .map(|id| parties.get(*id).cloned())
                        .collect::<Result<Vec<_>, _>>()?,
                    Some(arrangement.clone()),
                ),
            };
            let rights = f
                .purposes
                .iter()
                .map(|p| RightsUnder {
                    purpose: p.purpose.clone(),
                    basis: p.basis,
                    rights: NOTICE_RIGHTS
                        .iter()
                        .filter(|r| **r != Right::AutomatedDecisionReview || f.automated_decision_making.is_some())
                        .filter_map(|r| rights::availability(*r, p.basis, &p.purpose).ok().map(|art| (*r, art)))
                        .collect(),
                })
                .collect();
            activities.push(NoticeActivity {
                activity: a.id(),
                name: f.name.clone(),
                purposes: f.purposes.clone(),
                data_categories: f.data_categories.clone(),
                retention: f.retention.clone(),
                rights,
                automated_decision_making: f.automated_decision_making.clone(),
                joint_controllers,
                arrangement,
            });
        }
        let notice = PrivacyNotice {
            as_of: input.as_of,
            controller: controller.clone(),
            vendor,
            activities,
            processors,
            other_recipients,
            transfers,
            relies_on_consent,
            complaint: input.complaint.clone(),
            provision: input.provision.cloned(),
            sources: input.sources.to_vec(),
        };
        if let Some(language) = controller.language()
            && let Some(first) = notice.untranslated(language).into_iter().next()
        {
            return Err(first);
        }
        Ok(notice)
    }

    /// Every free text of the notice that is not given in `language`, each as the
    /// [`ReportError::UntranslatedText`] that [`document`](Self::document) would return for it:
    /// what a translator must still write before the notice can be published in `language`.
    #[must_use]
    pub fn untranslated(&self, language: &Language) -> Vec<ReportError> {
        let art13 = |p: u8, point: char| Article::gdpr(13).paragraph(p).point(point);
        let mut texts: Vec<(String, Article, &LocalizedText)> = Vec::new();
        for a in &self.activities {
            let at = format!("activity {}: ", a.activity);
            texts.push((format!("{at}name"), art13(1, 'c'), &a.name));
            for (i, p) in a.purposes.iter().enumerate() {
                if let Some(interests) = &p.legitimate_interests {
                    texts.push((format!("{at}purposes[{i}].legitimate_interests"), art13(1, 'd'), interests));
                }
            }
            match &a.retention {
                Retention::MonthsAfter { event, .. } => {
                    texts.push((format!("{at}retention.event"), art13(2, 'a'), event))
                }
                Retention::Criteria { criteria } => {
                    texts.push((format!("{at}retention.criteria"), art13(2, 'a'), criteria));
                }
                _ => {}
            }
            if let Some(info) = &a.automated_decision_making {
                texts.push((format!("{at}automated_decision_making"), art13(2, 'f'), info));
            }
        }
        for (i, r) in self.other_recipients.iter().enumerate() {
            texts.push((format!("other_recipients[{i}].name"), art13(1, 'e'), &r.name));
        }
        for (i, t) in self.transfers.iter().enumerate() {
            if let Some(s) = &t.transfer.safeguards_documentation {
                texts.push((
                    format!("transfers[{i}].safeguards_documentation"),
                    Article::gdpr(30).paragraph(1).point('e'),
                    s,
                ));
            }
        }
        if let Some(provision) = &self.provision {
            texts.push(("provision".to_owned(), art13(2, 'e'), provision));
        }
        for (i, s) in self.sources.iter().enumerate() {
            texts.push((format!("sources[{i}]"), Article::gdpr(14).paragraph(2).point('f'), s));
        }
        texts
            .into_iter()
            .filter(|(_, _, text)| text.get(language).is_none())
            .map(|(field, article, _)| ReportError::UntranslatedText { language: language.clone(), field, article })
            .collect()
    }

    /// The notice as a [`Document`] in `language`; render it with
    /// [`to_html`](Document::to_html) for the website or [`to_markdown`](Document::to_markdown).
    ///
    /// Every free text is written in `language` only: a text not given in it is an error, never
    /// replaced by another language's text.
    ///
    /// # Errors
    /// [`ReportError::MissingTranslation`] when the catalogue lacks a text or a term (e.g. a
    /// custom purpose without a label in `language`); [`ReportError::UntranslatedText`] when a
    /// free text of the notice is not given in `language` ([`untranslated`](Self::untranslated)
    /// lists them all).
    pub fn document(&self, catalogue: &Catalogue, language: &Language) -> Result<Document, ReportError> {
        let w = Writer { catalogue, language };
        let art13 = |p: u8, point: char| Article::gdpr(13).paragraph(p).point(point);
        let mut doc = Document::new(language, w.text(MessageKey::NoticeTitle, &[])?);
        doc.paragraph(w.text(MessageKey::NoticeIntro, &[("date", &w.date(self.as_of)?)])?);
        if let Some(v) = &self.vendor {
            // Identified by the registration number (IČO), or lacking one by the tax id.
            let identification = match (&v.registration_number, &v.tax_id) {
                (Some(n), _) => Some(w.registration_number(n)?),
                (None, Some(t)) => Some(w.text(MessageKey::TaxId, &[("tax_id", t.as_str())])?),
                (None, None) => None,
            };
            let role = w.term(&v.role)?;
            doc.paragraph(match identification {
                Some(id) => w.text(
                    MessageKey::NoticeVendor,
                    &[("role", &role), ("vendor", v.legal_name.as_str()), ("identification", &id)],
                )?,
                None => {
                    w.text(MessageKey::NoticeVendorUnidentified, &[("role", &role), ("vendor", v.legal_name.as_str())])?
                }
            });
            if let Some(sentence) = &v.published_sentence {
                doc.paragraph(w.text(
                    MessageKey::NoticeVendorPublished,
                    &[("vendor", v.legal_name.as_str()), ("sentence", sentence.as_str())],
                )?);
            }
        }

        doc.heading(1, w.text(MessageKey::NoticeController, &[("article", &w.cite(art13(1, 'a')))])?);
        doc.paragraph(w.text(MessageKey::NoticeControllerLine, &[("name", &w.party_details(&self.controller)?)])?);
        if let Some(rep) = self.controller.eu_representative() {
            doc.paragraph(w.text(
                MessageKey::NoticeRepresentative,
                &[("article", &w.cite(Article::gdpr(27))), ("contact", &w.contact(rep)?)],
            )?);
        }
        doc.heading(1, w.text(MessageKey::NoticeDpo, &[("article", &w.cite(art13(1, 'b')))])?);
        match self.controller.dpo() {
            Some(dpo) => doc.paragraph(w.contact(dpo)?),
            None => doc.paragraph(w.text(MessageKey::NoticeNoDpo, &[])?),
        }

        self.objection_section(&w, &mut doc)?;

        for a in &self.activities {
            let at = format!("activity {}: ", a.activity);
            let at = at.as_str();
            let name = w.local(&a.name, || format!("{at}name"), art13(1, 'c'))?;
            doc.heading(1, w.text(MessageKey::NoticeActivity, &[("name", name)])?);
            if !a.joint_controllers.is_empty() {
                let controllers =
                    a.joint_controllers.iter().map(|p| w.party_details(p)).collect::<Result<Vec<_>, _>>()?;
                doc.paragraph(w.text(
                    MessageKey::NoticeJointControllers,
                    &[("article", &w.cite(Article::gdpr(26).paragraph(1))), ("controllers", &controllers.join("; "))],
                )?);
            }
            if let Some(arrangement) = &a.arrangement {
                let article = Article::gdpr(26).paragraph(2);
                let arrangement = w.local(arrangement, || format!("{at}arrangement"), article)?;
                doc.paragraph(w.text(
                    MessageKey::NoticeArrangement,
                    &[("article", &w.cite(article)), ("arrangement", arrangement)],
                )?);
            }
            doc.paragraph(w.text(MessageKey::NoticePurposes, &[("article", &w.cite(art13(1, 'c')))])?);
            doc.list(purpose_lines(&w, &a.purposes, at)?);
            doc.paragraph(w.text(
                MessageKey::NoticeCategories,
                &[
                    ("article", &w.cite(Article::gdpr(14).paragraph(1).point('d'))),
                    ("categories", &w.terms(&a.data_categories)?),
                ],
            )?);
            doc.paragraph(w.text(
                MessageKey::NoticeRetention,
                &[
                    ("article", &w.cite(art13(2, 'a'))),
                    ("retention", &retention_text(&w, &a.retention, at, art13(2, 'a'))?),
                ],
            )?);
            doc.paragraph(w.text(MessageKey::NoticeRights, &[("article", &w.cite(art13(2, 'b')))])?);
            let mut items = Vec::new();
            for r in &a.rights {
                let rights = r
                    .rights
                    .iter()
                    .map(|(right, article)| {
                        w.text(
                            MessageKey::RightLine,
                            &[("right", &w.right_name(*right)?), ("article", &w.cite(*article))],
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", ");
                items.push(w.text(
                    MessageKey::NoticeRightsFor,
                    &[("purpose", &w.term(&r.purpose)?), ("basis", &w.term(&r.basis)?), ("rights", &rights)],
                )?);
            }
            doc.list(items);
            let automated = art13(2, 'f');
            match &a.automated_decision_making {
                Some(info) => {
                    let info = w.local(info, || format!("{at}automated_decision_making"), automated)?;
                    doc.paragraph(w.text(
                        MessageKey::NoticeAutomated,
                        &[("article", &w.cite(automated)), ("information", info)],
                    )?);
                }
                None => doc.paragraph(w.text(MessageKey::NoticeNoAutomated, &[("article", &w.cite(automated))])?),
            }
        }

        doc.heading(1, w.text(MessageKey::NoticeRecipients, &[("article", &w.cite(art13(1, 'e')))])?);
        if self.processors.is_empty() && self.other_recipients.is_empty() {
            doc.paragraph(w.text(MessageKey::NoticeNoRecipients, &[])?);
        }
        if !self.processors.is_empty() {
            doc.paragraph(w.text(MessageKey::NoticeRecipientsIntro, &[])?);
            let mut items = Vec::new();
            for p in &self.processors {
                let mut id = Vec::new();
                if let Some(n) = &p.registration_number {
                    id.push(w.registration_number(n)?);
                }
                if let Some(t) = &p.tax_id {
                    id.push(w.text(MessageKey::TaxId, &[("tax_id", t.as_str())])?);
                }
                let line = w.text(
                    MessageKey::NoticeProcessorLine,
                    &[
                        ("name", p.legal_name.as_str()),
                        ("identification", &id.join(", ")),
                        ("country", &w.country(p.country)?),
                        ("role", &w.term(&p.role)?),
                    ],
                )?;
                let line = line.replace(", , ", ", ");
                items.push(match &p.engaged_by {
                    Some(principal) => {
                        w.text(MessageKey::NoticeEngagedBy, &[("line", &line), ("principal", principal.as_str())])?
                    }
                    None => line,
                });
            }
            doc.list(items);
        }
        if !self.other_recipients.is_empty() {
            doc.paragraph(w.text(MessageKey::NoticeOtherRecipients, &[])?);
            let items = self
                .other_recipients
                .iter()
                .enumerate()
                .map(|(i, r)| recipient_line(&w, r, || format!("other_recipients[{i}].name"), art13(1, 'e')))
                .collect::<Result<Vec<_>, _>>()?;
            doc.list(items);
        }

        doc.heading(1, w.text(MessageKey::NoticeTransfers, &[("article", &w.cite(art13(1, 'f')))])?);
        if self.transfers.is_empty() {
            doc.paragraph(w.text(MessageKey::NoticeNoTransfers, &[])?);
        } else {
            let mut items = Vec::new();
            for (i, t) in self.transfers.iter().enumerate() {
                let line = transfer_text(&w, &t.transfer, &format!("transfers[{i}]."))?;
                let adequacy = if t.adequacy {
                    w.text(MessageKey::Adequacy, &[("article", &w.cite(Article::gdpr(45).paragraph(3)))])?
                } else {
                    // A partial adequacy decision not shown to cover the importer is no ground: the
                    // notice says the mechanism is missing rather than name the decision (Art. 45(1)).
                    let relied = t.transfer.mechanism.filter(|m| *m != TransferMechanism::AdequacyDecision);
                    let mechanism = relied.unwrap_or(TransferMechanism::AdequacyDecision);
                    let label = match relied {
                        Some(m) => w.term(&m)?,
                        None => w.text(MessageKey::Missing, &[])?,
                    };
                    w.text(MessageKey::NoAdequacy, &[("mechanism", &label), ("article", &w.cite(mechanism.article()))])?
                };
                items.push(format!("{line}; {adequacy}"));
            }
            doc.list(items);
            doc.paragraph(w.text(MessageKey::NoticeSafeguardsCopy, &[])?);
        }

        if self.relies_on_consent {
            doc.heading(1, w.text(MessageKey::NoticeConsent, &[("article", &w.cite(art13(2, 'c')))])?);
            doc.paragraph(w.text(
                MessageKey::NoticeConsentText,
                &[
                    ("consent_article", &w.cite(LegalBasis::Consent.article())),
                    ("explicit_article", &w.cite(SpecialCategoryCondition::ExplicitConsent.article())),
                ],
            )?);
        }
        doc.heading(1, w.text(MessageKey::NoticeComplaint, &[("article", &w.cite(art13(2, 'd')))])?);
        doc.paragraph(w.text(
            MessageKey::NoticeComplaintText,
            &[("authority", self.complaint.supervisory_authority().as_str())],
        )?);
        // Art. 13(2)(e) is mandatory where the data come from the data subject: without the
        // statement the section stays, as a visible gap.
        doc.heading(1, w.text(MessageKey::NoticeProvision, &[("article", &w.cite(art13(2, 'e')))])?);
        match &self.provision {
            Some(provision) => {
                doc.paragraph(w.local(provision, || "provision".to_owned(), art13(2, 'e'))?.to_owned());
            }
            None => doc.paragraph(w.text(MessageKey::NoticeProvisionMissing, &[("article", &w.cite(art13(2, 'e')))])?),
        }
        if !self.sources.is_empty() {
            let art = Article::gdpr(14).paragraph(2).point('f');
            doc.heading(1, w.text(MessageKey::NoticeSources, &[("article", &w.cite(art))])?);
            doc.paragraph(w.text(MessageKey::NoticeSourcesIntro, &[])?);
            let sources = self
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| w.local(s, || format!("sources[{i}]"), art).map(str::to_owned));
            doc.list(sources.collect::<Result<_, _>>()?);
        }
        Ok(doc)
    }

    /// Art. 21(4): the right to object, brought to the data subject's attention in a section of
    /// its own, clearly and separately from the other information: objection on grounds relating
    /// to one's particular situation (21(1)) and to direct marketing (21(2), 21(3)), each with the
    /// purposes it concerns. No section when no purpose allows an objection.
    fn objection_section(&self, w: &Writer<'_>, doc: &mut Document) -> Result<(), ReportError> {
        let marketing_article = Article::gdpr(21).paragraph(2);
        let mut situation: Vec<String> = Vec::new();
        let mut marketing: Vec<String> = Vec::new();
        for r in self.activities.iter().flat_map(|a| &a.rights) {
            let Some((_, article)) = r.rights.iter().find(|(right, _)| *right == Right::Objection) else { continue };
            let list = if *article == marketing_article { &mut marketing } else { &mut situation };
            let label = w.term(&r.purpose)?;
            if !list.contains(&label) {
                list.push(label);
            }
        }
        if situation.is_empty() && marketing.is_empty() {
            return Ok(());
        }
        doc.heading(1, w.text(MessageKey::NoticeObjection, &[("article", &w.cite(Article::gdpr(21)))])?);
        if !situation.is_empty() {
            doc.paragraph(w.text(
                MessageKey::NoticeObjectionSituation,
                &[("article", &w.cite(Article::gdpr(21).paragraph(1))), ("purposes", &situation.join(", "))],
            )?);
        }
        if !marketing.is_empty() {
            doc.paragraph(w.text(
                MessageKey::NoticeObjectionMarketing,
                &[
                    ("article", &w.cite(marketing_article)),
                    ("stop_article", &w.cite(Article::gdpr(21).paragraph(3))),
                    ("purposes", &marketing.join(", ")),
                ],
            )?);
        }
        Ok(())
    }
}
