//! The demo scene shared by `chat_backend` and `privacy_desk` (included by `#[path]` in both, so
//! there is one copy): a chat vendor, its sub-processors, two web shops, ACME's chat activity
//! and where its visitors complain.
//!
//! The parties have fixed ids, so that a server reopening its database finds the same
//! controllers again, and a reader can paste an id from one run into the next.

use gdpr_obligations::model::{
    Controllers, LocalizedText, Party, PartyId, ProcessingActivity, PurposeSpec, Recipient, Retention, Text, Transfer,
    TransferAssessment,
};
use gdpr_obligations::request::ComplaintInformation;
use gdpr_obligations::vocab::{
    Country, DataCategory, Language, LegalBasis, Purpose, Role, SccModule, SubjectCategory, TransferMechanism,
};
use uuid::Uuid;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The parties of the scene: two web shops (controllers), their chat vendor (processor) and
/// the vendor's sub-processors.
pub(crate) struct Parties {
    pub(crate) vendor: Party,
    pub(crate) hosting: Party,
    pub(crate) mailer: Party,
    pub(crate) translator: Party,
    pub(crate) acme: Party,
    pub(crate) bikes: Party,
}

impl Parties {
    /// The six parties, each with its fixed id.
    pub(crate) fn new() -> Result<Self> {
        let id = |n: u128| PartyId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n));
        Ok(Self {
            vendor: Party::builder("Chatvendor s.r.o.", Country::CZ)
                .id(id(1))
                .registration_number("27082440")
                .tax_id("CZ27082440")
                .contact_email("privacy@chatvendor.example")
                .build()?,
            hosting: Party::builder("Hostbox a.s.", Country::CZ).id(id(2)).registration_number("26168685").build()?,
            mailer: Party::builder("Postal Relay Inc.", Country::US).id(id(3)).build()?,
            translator: Party::builder("Lingua Machines GmbH", Country::DE).id(id(4)).build()?,
            acme: Party::builder("ACME s.r.o.", Country::CZ)
                .id(id(5))
                .registration_number("25596641")
                .contact_email("gdpr@acme.example")
                .language(Language::CS)
                .build()?,
            bikes: Party::builder("Kola Brno s.r.o.", Country::CZ)
                .id(id(6))
                .registration_number("45274649")
                .contact_email("info@kolabrno.example")
                .build()?,
        })
    }
}

/// ACME's processing activity for its website chat: what the Art. 15 report and the Art. 19
/// notices are built from.
pub(crate) fn chat_activity(
    acme: &Party,
    vendor: &Party,
    hosting: &Party,
    mailer: &Party,
) -> Result<ProcessingActivity> {
    let recipient = |p: &Party, role| -> Result<Recipient> {
        // A legal name reads the same in Czech and English.
        let name = p.legal_name().as_str();
        Ok(Recipient::new(both(name, name)?, role, p.country()).with_party(p.id()))
    };
    Ok(ProcessingActivity::builder(
        both("Zákaznická podpora přes chat na webu", "Website chat customer care")?,
        Controllers::Sole { controller: acme.id() },
        Retention::MonthsAfter {
            event: both("posledního rozhovoru návštěvníka", "the visitor's last conversation")?,
            months: 12,
        },
    )
    .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests).with_legitimate_interests(both(
        "odpovídání na dotazy návštěvníků k jejich objednávkám",
        "answering visitors' questions about their orders",
    )?))
    .data_categories([
        DataCategory::Identification,
        DataCategory::Contact,
        DataCategory::CommunicationContent,
        DataCategory::OnlineIdentifier,
        DataCategory::UsageBehaviour,
    ])
    .subject_categories([SubjectCategory::Visitor])
    .recipients([
        recipient(vendor, Role::Processor)?,
        recipient(hosting, Role::SubProcessor)?,
        recipient(mailer, Role::SubProcessor)?,
    ])
    .transfers([Transfer::new(mailer.legal_name().clone(), Country::US)
        .with_mechanism(TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor })
        .with_transfer_assessment(TransferAssessment::new(
            text("US law assessed; messages encrypted at rest with keys held in the EU")?,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?,
        ))
        .with_safeguards_documentation(both(
            "kopii doložek lze vyžádat na privacy@chatvendor.example",
            "a copy of the clauses is available from privacy@chatvendor.example",
        )?)])
    .security_measures([both(
        "TLS při přenosu, šifrování uložených dat, přístup podle rolí, auditní záznam",
        "TLS in transit, encryption at rest, role-based access, audit log",
    )?])
    .build()?)
}

/// Where a data subject may complain (Art. 12(4), 77, 79).
pub(crate) fn complaint() -> Result<ComplaintInformation> {
    Ok(ComplaintInformation::new(
        text(
            "Úřad pro ochranu osobních údajů (Czech Office for Personal Data Protection), Pplk. Sochora 27, 170 00 Praha 7",
        )?,
        text("an action before the competent court under Art. 79 GDPR")?,
    ))
}

fn text(s: &str) -> Result<Text> {
    Ok(Text::new(s)?)
}

/// A free text in Czech and English: the scene's documents are written in both.
pub(crate) fn both(cs: &str, en: &str) -> Result<LocalizedText> {
    Ok(LocalizedText::new(Language::CS, text(cs)?).with(Language::EN, text(en)?))
}
