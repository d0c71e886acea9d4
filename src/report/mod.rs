//! What people read: records of processing (Art. 30), privacy notices (Arts. 13, 14), letters
//! to data subjects (Arts. 12(3), 12(4), 15(1)), breach notification drafts (Art. 33(3)),
//! and diagrams. (The JSON Schemas of the wire types are the crate's JSON contract, not a
//! document: see [`wire`](crate::wire).)
//!
//! Every document is built from the crate's own values (parties, activities, the processing
//! chain, a request's state, a breach's register entry) into a [`Document`]: a title and typed
//! blocks with three forms, [`Document::to_markdown`], [`Document::to_html`] (escaped, a
//! `<section>` to paste into a page) and [`Document::to_text`]. The words come from a
//! [`Catalogue`] in a [`Language`]: Czech and English are built in, every text can be
//! overridden, and a text the catalogue lacks (a custom `x-` purpose, a language added but not
//! filled in) is [`ReportError::MissingTranslation`], never an empty string.
//!
//! - [`ControllerRecord`] and [`ProcessorRecord`]: the Art. 30(1)(a)-(g) and 30(2)(a)-(d)
//!   records, each field a [`Field`] that is filled, not applicable with a typed reason, or a
//!   typed gap naming its article; as JSON (serde), CSV ([`ControllerRecord::to_csv`]) and a
//!   Markdown [`Document`].
//! - [`PrivacyNotice`]: the Arts. 13 and 14 section of a website's privacy policy, naming every
//!   processor and sub-processor of the chain with its full legal name and identification
//!   number, and the chat vendor as the controller's processor.
//! - Letters: [`extension_notice`] (Art. 12(3)), [`refusal_letter`] (Art. 12(4)) and
//!   [`access_cover_letter`] (Art. 15(1)); [`breach_notification`] (Art. 33(3)).
//! - Mermaid: [`chain_flowchart`] and [`request_lifecycle`], the latter found by driving
//!   [`request::decide`](crate::request::decide) itself, so it cannot drift from the code.
//!
//! # Example
//! ```
//! use chrono::NaiveDate;
//! use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain, WrittenForm};
//! use gdpr_obligations::model::{Party, Text};
//! use gdpr_obligations::report::{Catalogue, Language, NoticeInput, PrivacyNotice};
//! use gdpr_obligations::request::ComplaintInformation;
//! use gdpr_obligations::vocab::Country;
//!
//! let shop = Party::builder("ACME s.r.o.", Country::CZ).contact_email("privacy@acme.example").build()?;
//! let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ)
//!     .registration_number("27074358")
//!     .tax_id("CZ27074358")
//!     .build()?;
//! let signed = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
//! let facts = || {
//!     AgreementFacts::signed(WrittenForm::Electronic, signed).in_force(signed, None).security_measures(["TLS, AES-256"])
//! };
//! let agreement = ProcessingAgreement::template(shop.id(), vendor.id(), facts());
//! let parties = [shop.clone(), vendor.clone()];
//! let chain = ProcessingChain::build(parties.clone(), [agreement], [])?;
//! let complaint = ComplaintInformation::new(
//!     Text::new("Úřad pro ochranu osobních údajů, www.uoou.cz")?,
//!     Text::new("an action before the competent court (Art. 79 GDPR)")?,
//! );
//! let as_of = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
//! let input = NoticeInput::new(&shop, &parties, &[], &chain, &complaint, as_of).with_vendor(vendor.id());
//! let notice = PrivacyNotice::build(&input)?;
//! let html = notice.document(&Catalogue::built_in(), &Language::EN)?.to_html();
//! assert!(html.contains("on our behalf by our processor Chatvendor s.r.o., registration number 27074358."));
//! let czech = notice.document(&Catalogue::built_in(), &Language::CS)?.to_text();
//! assert!(czech.contains("pro nás zpracovává náš zpracovatel Chatvendor s.r.o., IČO 27074358."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod breach;
mod catalogue;
mod countries;
mod document;
mod letters;
mod mermaid;
mod notice;
mod records;

use std::collections::HashMap;

use crate::agreement::ProcessingChain;
use crate::model::{Party, PartyId};
use crate::vocab::Article;

pub use crate::vocab::Language;
pub use breach::breach_notification;
pub use catalogue::{Catalogue, MessageKey, TermKey, Vocabulary};
pub use document::{Block, Document};
pub use letters::{access_cover_letter, extension_notice, refusal_letter};
pub use mermaid::{LifecycleTransition, chain_flowchart, request_lifecycle, request_lifecycle_transitions};
pub use notice::{
    NoticeActivity, NoticeInput, NoticeRecipient, NoticeTransfer, NoticeVendor, PrivacyNotice, RightsUnder,
};
pub use records::{
    ControllerActivityRecord, ControllerRecord, Field, Gap, NotApplicable, ProcessingCategories, ProcessorEntry,
    ProcessorRecord,
};

/// Why a document could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The catalogue has no text for a key or term in the language asked for.
    #[error("no {language} text for {key}")]
    MissingTranslation {
        /// The language.
        language: Language,
        /// The message key (`notice_title`) or term (`purpose:x-loyalty`).
        key: String,
    },
    /// A free text the document must carry (an activity's name, its legitimate interests, a
    /// recipient, the Art. 13(2)(e) statement…) is not given in the document's language. A
    /// document is written in one language: it never falls back to another language's text.
    #[error("{article}: no {language} text for {field}")]
    UntranslatedText {
        /// The language of the document.
        language: Language,
        /// Where the text belongs, e.g. `activity 0190…: purposes[0].legitimate_interests`;
        /// never the text.
        field: String,
        /// The provision the text is written for.
        article: Article,
    },
    /// A text of the catalogue is malformed, or uses a placeholder its key does not have.
    #[error("the text of {key} is malformed: {reason}")]
    Template {
        /// The key.
        key: MessageKey,
        /// What is wrong.
        reason: String,
    },
    /// A language code is not 2 or 3 lower-case letters.
    #[error("{code:?} is not a language code (2 or 3 lower-case letters)")]
    InvalidLanguage {
        /// The code given.
        code: String,
    },
    /// A party named by an activity or agreement was not among the parties given.
    #[error("the party {party} is named but was not given")]
    UnknownParty {
        /// The party.
        party: PartyId,
    },
    /// A party lacks something a document must state about it.
    #[error("{article}: the party {party} has no {field}, which the document must state")]
    PartyLacks {
        /// The party.
        party: PartyId,
        /// The missing field, e.g. `tax_id`.
        field: &'static str,
        /// The provision that asks for it.
        article: Article,
    },
    /// The chat vendor of a privacy notice is not a processor or sub-processor of the chain on
    /// the controller's behalf, so the notice cannot name it as the controller's processor
    /// (Arts. 4(8), 28(3)); or a vendor's sentence was given without the vendor (`party` is
    /// then `None`).
    #[error("Art. 28(3): {}", vendor_not_processor(*party))]
    VendorNotProcessor {
        /// The vendor, if one was given.
        party: Option<PartyId>,
    },
    /// The request or breach is not in a state the document is written for (e.g. a refusal
    /// letter for a request that was not refused).
    #[error("{article}: {reason}")]
    NotInState {
        /// The provision of the document.
        article: Article,
        /// Why, in lower case.
        reason: String,
    },
    /// Writing CSV failed.
    #[error("csv: {0}")]
    Csv(String),
}

fn vendor_not_processor(party: Option<PartyId>) -> String {
    match party {
        Some(p) => format!("the chat vendor {p} is not a processor of the controller in the processing chain"),
        None => "a vendor's sentence was given without the vendor it names".to_owned(),
    }
}

impl From<crate::vocab::InvalidLanguage> for ReportError {
    fn from(e: crate::vocab::InvalidLanguage) -> Self {
        ReportError::InvalidLanguage { code: e.code().to_owned() }
    }
}

/// The parties given to a document, by id.
pub(crate) struct Parties<'a>(HashMap<PartyId, &'a Party>);

impl<'a> Parties<'a> {
    pub(crate) fn new(parties: &'a [Party]) -> Self {
        Parties(parties.iter().map(|p| (p.id(), p)).collect())
    }

    pub(crate) fn get(&self, id: PartyId) -> Result<&'a Party, ReportError> {
        self.0.get(&id).copied().ok_or(ReportError::UnknownParty { party: id })
    }
}

pub(crate) use crate::agreement::members::{ChainMember as Member, location_transfer};

/// Every processor and sub-processor processing on `controller`'s behalf, in the chain's order.
pub(crate) fn members<'a>(
    chain: &'a ProcessingChain,
    controller: PartyId,
    parties: &Parties<'a>,
) -> Result<Vec<Member<'a>>, ReportError> {
    crate::agreement::members::chain_members(chain, controller, |id| parties.get(id).ok())
        .map_err(|party| ReportError::UnknownParty { party })
}
