//! Processing agreements (Art. 28) and the chain controller → processor → sub-processors, with
//! the authorisation decision that sits on a chat backend's message path.
//!
//! - [`ProcessingAgreement`] holds every element Art. 28(3) requires. It parses from JSON even
//!   when elements are missing, because a draft is still an agreement: [`ProcessingAgreement::validate`]
//!   lists every missing or defective element as a [`Deficiency`] naming its article.
//! - [`SubProcessorAuthorisation`] is the regime of Art. 28(2); a [`ChangeNotice`] is the
//!   lifecycle of adding or replacing a sub-processor under general authorisation.
//! - [`GuaranteesAssessment`] is the principal's dated finding that the processor provides
//!   sufficient guarantees (Art. 28(1), 28(5)), reviewed at intervals.
//! - [`ProcessingChain`] links agreements into trees rooted at controllers and answers
//!   "may party P process category C for purpose X on behalf of controller K at instant T?"
//!   with [`Decision::Allowed`] (without allocating) or every [`Refusal`] with its article.
//!
//! # Example
//! ```
//! use chrono::NaiveDate;
//! use gdpr_obligations::agreement::{AgreementFacts, Decision, ProcessingAgreement, ProcessingChain, Query, WrittenForm};
//! use gdpr_obligations::model::Party;
//! use gdpr_obligations::vocab::{Country, DataCategory, Purpose};
//!
//! let website = Party::builder("ACME s.r.o.", Country::CZ).build()?;
//! let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ).build()?;
//! let signed = NaiveDate::from_ymd_opt(2026, 1, 15).ok_or("date")?;
//! let facts = AgreementFacts::signed(WrittenForm::Electronic, signed)
//!     .in_force(signed, None)
//!     .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access"]);
//! let agreement = ProcessingAgreement::template(website.id(), vendor.id(), facts);
//! assert!(agreement.validate().is_empty());
//!
//! let chain = ProcessingChain::build([website.clone(), vendor.clone()], [agreement], [])?;
//! let query = Query {
//!     party: vendor.id(),
//!     controller: website.id(),
//!     category: &DataCategory::CommunicationContent,
//!     purpose: &Purpose::CustomerCare,
//!     at: "2026-06-01T12:00:00Z".parse()?,
//! };
//! assert!(matches!(chain.decide(&query), Decision::Allowed { .. }));
//!
//! let marketing = Query { purpose: &Purpose::Marketing, ..query };
//! let Decision::Refused(reasons) = chain.decide(&marketing) else { panic!("marketing is not instructed") };
//! assert_eq!(reasons[0].article.to_string(), "Art. 28(3)(a)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chain;
mod document;
pub(crate) mod members;
mod notice;

pub use chain::{ChainError, Decision, ProcessingChain, Query, Refusal, RefusalReason};
pub use document::{
    AgreementFacts, AgreementForm, AgreementId, DataSubjectAssistance, Deficiency, Element, EndOfProcessing,
    FORWARDING_WORKING_DAYS, GuaranteeEvidence, GuaranteesAssessment, Instructions, ProcessingAgreement,
    ProcessingLocation, Reclassification, SccAnnexes, SpecialCategoryTerm, SubProcessorAuthorisation, WrittenForm,
};
pub use notice::{ChangeNotice, ChangeNoticeError, ChangeNoticeId, ChangeNoticeStatus};
