//! Proptest strategies for the crate's public types, for property tests in this crate and in
//! the crates that build on it (feature `testkit`).
//!
//! This module is exempt from semantic versioning: strategies may change in any release.
//!
//! # Example
//! ```
//! use gdpr_obligations::testkit;
//! use proptest::prelude::*;
//!
//! proptest!(|(category in testkit::data_category())| {
//!     prop_assert_eq!(category.as_str().parse().ok(), Some(category.clone()));
//! });
//! ```

pub mod conformance;
pub mod faults;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod generate;
mod given;
mod notifier;
mod wire;

pub use given::{Given, When, given};
pub use notifier::RecordingNotifier;
pub use wire::{WireDecoder, wire_decoders};

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use proptest::sample::select;

use crate::model::{
    ActivityId, AdequacyCoverage, Controllers, EmailAddress, LocalizedText, Party, PartyId, PersonalDataRecord,
    PersonalDataRecordRepr, PhoneNumber, ProcessingActivity, ProcessingActivityRepr, PurposeSpec, RecordId, Retention,
    SourceName, SubjectId, SubjectIdentifier, Text, Token, Transfer, TransferAssessment,
};
use crate::vocab::{
    Article, Country, CustomTerm, DataCategory, DerogationPoint, Language, LegalBasis, Purpose, Right, Role, SccModule,
    SpecialCategoryCondition, SubjectCategory, TransferMechanism,
};

/// Any custom term of an open vocabulary.
pub fn custom_term() -> impl Strategy<Value = CustomTerm> {
    "x-[a-z0-9_.-]{1,20}".prop_filter_map("valid custom term", |s| CustomTerm::new(&s).ok())
}

macro_rules! closed_strategy {
    ($($fn_name:ident => $ty:ident),* $(,)?) => {
        $(
            #[doc = concat!("Any built-in [`", stringify!($ty), "`].")]
            pub fn $fn_name() -> impl Strategy<Value = $ty> {
                select($ty::BUILT_IN)
            }
        )*
    };
}

closed_strategy!(
    legal_basis => LegalBasis,
    special_category_condition => SpecialCategoryCondition,
    right => Right,
    role => Role,
    scc_module => SccModule,
    derogation_point => DerogationPoint,
);

macro_rules! open_strategy {
    ($($fn_name:ident => $ty:ident),* $(,)?) => {
        $(
            #[doc = concat!("Any [`", stringify!($ty), "`], built-in or custom.")]
            pub fn $fn_name() -> impl Strategy<Value = $ty> {
                prop_oneof![4 => select($ty::BUILT_IN), 1 => custom_term().prop_map($ty::Custom)]
            }
        )*
    };
}

open_strategy!(data_category => DataCategory, subject_category => SubjectCategory, purpose => Purpose);

/// Any ISO 3166-1 alpha-2 country.
pub fn country() -> impl Strategy<Value = Country> {
    select(Country::all().collect::<Vec<_>>())
}

/// Any transfer mechanism.
pub fn transfer_mechanism() -> impl Strategy<Value = TransferMechanism> {
    select(TransferMechanism::all().collect::<Vec<_>>())
}

/// Any article reference, of any shape.
pub fn article() -> impl Strategy<Value = Article> {
    (
        any::<bool>(),
        1u16..=99,
        proptest::option::of(1u8..=12),
        proptest::option::of(proptest::char::range('a', 'z')),
        proptest::option::of(1u8..=9),
    )
        .prop_map(|(gdpr, n, para, point, sub)| {
            let mut a = if gdpr { Article::gdpr(n) } else { Article::reg_1182_71(n) };
            if let Some(p) = para {
                a = a.paragraph(p);
            }
            if let Some(c) = point {
                a = a.point(c);
            }
            if let Some(s) = sub {
                a = a.subparagraph(s);
            }
            a
        })
}

/// Any valid [`Text`], including non-ASCII letters.
pub fn text() -> impl Strategy<Value = Text> {
    "[A-Za-zÀ-žа-я0-9 .,'-]{0,40}[A-Za-zÀ-ž]".prop_filter_map("non-empty text", |s| Text::new(&s).ok())
}

/// Any language: Czech, English or another valid code.
pub fn language() -> impl Strategy<Value = Language> {
    prop_oneof![
        Just(Language::CS),
        Just(Language::EN),
        "[a-z]{2,3}".prop_filter_map("language code", |c| Language::new(&c).ok())
    ]
}

/// Any valid [`LocalizedText`]: one to four languages, each with its own text.
pub fn localized_text() -> impl Strategy<Value = LocalizedText> {
    (language(), text(), proptest::collection::vec((language(), text()), 0..4)).prop_map(|(first, text, more)| {
        more.into_iter().fold(LocalizedText::new(first, text), |l, (language, text)| l.with(language, text))
    })
}

/// A text in Czech and English, for the fixtures of documents written in both.
fn czech_and_english(cs: &str, en: &str) -> Option<LocalizedText> {
    Some(LocalizedText::new(Language::CS, Text::new(cs).ok()?).with(Language::EN, Text::new(en).ok()?))
}

/// Any valid e-mail address.
pub fn email() -> impl Strategy<Value = EmailAddress> {
    ("[a-zA-Z0-9._+-]{1,20}", "[a-z0-9]{1,10}", "[a-z]{2,6}")
        .prop_filter_map("valid e-mail", |(l, d, t)| EmailAddress::new(&format!("{l}@{d}.{t}")).ok())
}

/// Any of many valid telephone numbers (mobile numbers of Czechia, Germany, the United
/// Kingdom and France).
pub fn phone() -> impl Strategy<Value = PhoneNumber> {
    prop_oneof![
        "\\+420 60[1-8][0-9]{6}",
        "\\+420 7[2-9][0-9]{7}",
        "\\+49 151[0-9]{8}",
        "\\+44 7[4-9]00[0-9]{6}",
        "\\+33 6[0-9]{8}",
    ]
    .prop_filter_map("valid phone", |s| PhoneNumber::new(&s).ok())
}

/// Any valid opaque token.
pub fn token() -> impl Strategy<Value = Token> {
    "[!-~]{1,40}".prop_filter_map("valid token", |s| Token::new(&s).ok())
}

/// Any subject identifier.
pub fn subject_identifier() -> impl Strategy<Value = SubjectIdentifier> {
    prop_oneof![
        email().prop_map(SubjectIdentifier::Email),
        phone().prop_map(SubjectIdentifier::Phone),
        token().prop_map(SubjectIdentifier::AccountId),
        token().prop_map(SubjectIdentifier::ChatVisitorToken),
        any::<IpAddr>().prop_map(|ip| SubjectIdentifier::IpAddress(ip.to_canonical())),
        token().prop_map(SubjectIdentifier::CookieId),
        text().prop_map(SubjectIdentifier::Name),
    ]
}

/// Any instant between 2000 and 2100.
pub fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (946_684_800i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap_or(DateTime::UNIX_EPOCH))
}

/// Any valid party.
pub fn party() -> impl Strategy<Value = Party> {
    (text(), country(), proptest::option::of(email())).prop_filter_map("valid party", |(name, country, email)| {
        let mut b = Party::builder(name.as_str(), country);
        if let Some(e) = email {
            b = b.contact_email(e.as_str());
        }
        b.build().ok()
    })
}

/// Any valid processing activity: every rule of [`ProcessingActivity::new`] is satisfied.
pub fn processing_activity() -> impl Strategy<Value = ProcessingActivity> {
    (
        (text(), text()),
        proptest::collection::vec((purpose(), legal_basis(), special_category_condition()), 1..4),
        proptest::collection::vec(data_category(), 1..5),
        proptest::collection::vec(subject_category(), 1..3),
        proptest::collection::vec((text(), country(), transfer_mechanism()), 0..3),
        1u16..120,
        any::<bool>(),
    )
        .prop_map(|(name, purposes, data_categories, subject_categories, transfers, months, may_special)| {
            let special = may_special || data_categories.iter().any(DataCategory::is_special);
            let criminal = data_categories.contains(&DataCategory::CriminalOffences);
            let interests = czech_and_english("odpovídání na dotazy návštěvníka", "answering the visitor's questions");
            let safeguards = czech_and_english(
                "posouzení z 1. března, šifrování uložených dat",
                "assessment of 1 March, encryption at rest",
            );
            let on_record = Text::new("on file with the privacy officer").ok();
            let checked_on = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
            let (cs, en) = name;
            let repr = ProcessingActivityRepr {
                id: ActivityId::generate(),
                name: LocalizedText::new(Language::CS, cs).with(Language::EN, en),
                controllers: Controllers::Sole { controller: PartyId::generate() },
                purposes: purposes
                    .into_iter()
                    .map(|(purpose, basis, condition)| PurposeSpec {
                        purpose,
                        basis,
                        legitimate_interests: interests.clone().filter(|_| basis == LegalBasis::LegitimateInterests),
                        special_category_condition: special.then_some(condition),
                    })
                    .collect(),
                data_categories,
                may_contain_special_categories: may_special,
                may_contain_third_party_data: None,
                criminal_data_authority: Text::new("§ 1 of a Member State act").ok().filter(|_| criminal),
                subject_categories,
                recipients: Vec::new(),
                transfers: transfers
                    .into_iter()
                    .map(|(recipient, country, mechanism)| {
                        // Everything Chapter V may ask of the mechanism is on record (Arts. 45 to 49).
                        let mut t = Transfer::new(recipient, country).with_mechanism(mechanism);
                        t.safeguards_documentation = safeguards.clone();
                        t.adequacy_coverage = on_record.clone().map(|e| AdequacyCoverage::new(e, checked_on));
                        t.transfer_assessment = on_record.clone().map(|e| TransferAssessment::new(e, checked_on));
                        t.authority_informed_at = Some(DateTime::UNIX_EPOCH);
                        t.subject_information = on_record.clone();
                        t
                    })
                    .collect(),
                retention: Retention::Months { months },
                security_measures: Vec::new(),
                automated_decision_making: None,
            };
            ProcessingActivity::new(repr)
        })
        .prop_filter_map("valid activity", Result::ok)
}

/// Any valid personal-data record descriptor.
pub fn personal_data_record() -> impl Strategy<Value = PersonalDataRecord> {
    (data_category(), purpose(), legal_basis(), instant(), proptest::option::of(0i64..100_000_000), text())
        .prop_filter_map("valid record", |(category, purpose, basis, collected_at, keep, location)| {
            PersonalDataRecord::new(PersonalDataRecordRepr {
                id: RecordId::generate(),
                controller: PartyId::generate(),
                subject: SubjectId::generate(),
                source: SourceName::new("chat_history").ok()?,
                location,
                category,
                purpose,
                basis,
                collected_at,
                retained_until: keep.map(|s| collected_at + TimeDelta::seconds(s)),
            })
            .ok()
        })
}

/// Processing in `country` on `mechanism`, with everything Chapter V may ask of it on record: the
/// evidence that a partial adequacy decision covers the processor (Art. 45(1)) and the transfer
/// impact assessment of an Art. 46 safeguard (C-311/18).
#[must_use]
pub fn located(country: Country, mechanism: TransferMechanism) -> crate::agreement::ProcessingLocation {
    let checked_on = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
    let mut location = crate::agreement::ProcessingLocation::new(country).with_mechanism(mechanism);
    if let Ok(evidence) = Text::new("on file with the privacy officer") {
        location = location
            .with_adequacy_coverage(AdequacyCoverage::new(evidence.clone(), checked_on))
            .with_transfer_assessment(TransferAssessment::new(evidence, checked_on));
    }
    location
}

/// The facts of an agreement the parties signed electronically on 15 January 2026, in force
/// from that day with no end, with its security measures: what a test says before it calls
/// [`ProcessingAgreement::template`](crate::agreement::ProcessingAgreement::template).
#[must_use]
pub fn signed_facts() -> crate::agreement::AgreementFacts {
    use crate::agreement::{AgreementFacts, WrittenForm};
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default();
    AgreementFacts::signed(WrittenForm::Electronic, day)
        .in_force(day, None)
        .security_measures(["TLS 1.3 in transit, AES-256 at rest, role-based access, audit logging"])
}

/// Any complete processing agreement between `controller` and `processor`: the template
/// varied in form, sub-processing regime, special categories, breach notice and processing
/// locations, always without a deficiency.
pub fn processing_agreement(
    controller: PartyId,
    processor: PartyId,
) -> impl Strategy<Value = crate::agreement::ProcessingAgreement> {
    use crate::agreement::{
        AgreementForm, ProcessingAgreement, SccAnnexes, SpecialCategoryTerm, SubProcessorAuthorisation,
    };
    (
        any::<bool>(),
        0u8..3,
        proptest::option::of(select(
            DataCategory::BUILT_IN.iter().filter(|c| c.is_special()).cloned().collect::<Vec<_>>(),
        )),
        1u16..=72,
        proptest::collection::vec((country(), transfer_mechanism()), 0..3),
        proptest::collection::vec(purpose(), 1..3),
        special_category_condition(),
    )
        .prop_map(move |(scc, regime, special, hours, locations, purposes, condition)| {
            let mut a = ProcessingAgreement::template(controller, processor, signed_facts());
            a.sub_processing = Some(match regime {
                0 => SubProcessorAuthorisation::Prohibited,
                1 => SubProcessorAuthorisation::PriorSpecific { authorised: Vec::new() },
                _ => SubProcessorAuthorisation::General { agreed: Vec::new(), objection_window_days: 14 },
            });
            if scc {
                a.form = Some(AgreementForm::StandardContractualClauses {
                    annexes: SccAnnexes {
                        i_parties: true,
                        ii_description: true,
                        iii_measures: true,
                        iv_sub_processors: true,
                    },
                });
            }
            if let Some(category) = special {
                a.data_categories.push(category.clone());
                a.special_categories.push(SpecialCategoryTerm {
                    category,
                    condition,
                    safeguards: "encrypted, access by two named agents".to_owned(),
                });
            }
            a.breach_notice_hours = Some(hours);
            a.processing_locations.extend(
                locations
                    .into_iter()
                    .filter(|(_, mechanism)| !mechanism.is_derogation())
                    .map(|(country, mechanism)| located(country, mechanism)),
            );
            a.purposes = purposes;
            a
        })
}

/// Removes `element` from `agreement` the way a careless draft would; returns false when the
/// element does not apply to this agreement (e.g. flow-down in a controller's own agreement).
pub fn remove_element(
    agreement: &mut crate::agreement::ProcessingAgreement,
    element: crate::agreement::Element,
) -> bool {
    use crate::agreement::{AgreementForm, Element};
    match element {
        Element::SubjectMatter => agreement.subject_matter = None,
        Element::Duration => agreement.valid_from = None,
        Element::Nature => agreement.nature = Some("  ".to_owned()),
        Element::Purposes => agreement.purposes.clear(),
        Element::DataTypes => agreement.data_categories.clear(),
        Element::SubjectCategories => agreement.subject_categories.clear(),
        Element::ControllerObligationsAndRights => agreement.controller_obligations_and_rights = None,
        Element::DocumentedInstructions => agreement.instructions = None,
        Element::TransferInstructions => match &mut agreement.instructions {
            Some(i) => i.covers_transfers = false,
            None => return false,
        },
        Element::LegalRequirementNotice => agreement.legal_requirement_notice = None,
        Element::Confidentiality => agreement.confidentiality = None,
        Element::SecurityMeasures => agreement.security_measures.clear(),
        Element::SubProcessing => agreement.sub_processing = None,
        Element::SubProcessorLiability => {
            if matches!(agreement.sub_processing, None | Some(crate::agreement::SubProcessorAuthorisation::Prohibited))
            {
                return false;
            }
            agreement.sub_processor_liability = None
        }
        Element::DataSubjectAssistance => agreement.data_subject_assistance = None,
        Element::ComplianceAssistance => agreement.compliance_assistance = None,
        Element::DeletionOrReturn => agreement.end_of_processing = None,
        Element::AuditsAndInformation => agreement.audits = None,
        Element::InfringingInstructionNotice => agreement.infringing_instruction_notice = None,
        Element::WrittenForm => agreement.signed_on = None,
        Element::FlowDown => {
            if agreement.parent.is_none() {
                return false;
            }
            agreement.flow_down = Some(false)
        }
        Element::SpecialCategorySafeguards => {
            if agreement.special_categories.is_empty() {
                return false;
            }
            agreement.special_categories.clear()
        }
        Element::TransferMechanism => {
            agreement.processing_locations.push(crate::agreement::ProcessingLocation::new(Country::IN))
        }
        Element::TransferAssessment => {
            agreement.processing_locations.push(crate::agreement::ProcessingLocation::new(Country::IN).with_mechanism(
                TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor },
            ))
        }
        Element::BreachNotice => agreement.breach_notice_hours = None,
        Element::SccAnnexes => match &mut agreement.form {
            Some(AgreementForm::StandardContractualClauses { annexes }) => annexes.iii_measures = false,
            _ => return false,
        },
        Element::DistinctParties => agreement.processor = agreement.principal,
    }
    true
}

// ---- Data-subject requests (`crate::request`) ----

use crate::request::{
    CarriedOut, Channel, Command, CommandName, ComplaintInformation, ErasureGround, Exemption, ExtensionJustification,
    ExtensionReason, FeeGround, ObjectionGround, Processing, Receipt, Receiver, RefusalGround, RequestId, RequestKind,
    RestrictionGround,
};
use crate::time::{Calendar, DeadlinePolicy, ExtensionRule, IdentityPause, Zone};

/// Any request kind, with any ground.
pub fn request_kind() -> impl Strategy<Value = RequestKind> {
    use ErasureGround as E;
    use RestrictionGround as R;
    prop_oneof![
        Just(RequestKind::Access),
        Just(RequestKind::Rectification),
        select(vec![
            E::NoLongerNecessary,
            E::ConsentWithdrawn,
            E::Objected,
            E::UnlawfullyProcessed,
            E::LegalObligation,
            E::ChildInformationSociety,
        ])
        .prop_map(|ground| RequestKind::Erasure { ground }),
        select(vec![R::AccuracyContested, R::UnlawfulButErasureOpposed, R::NeededForLegalClaims, R::ObjectionPending])
            .prop_map(|ground| RequestKind::Restriction { ground }),
        Just(RequestKind::Portability),
        select(vec![ObjectionGround::ParticularSituation, ObjectionGround::DirectMarketing])
            .prop_map(|ground| RequestKind::Objection { ground }),
        Just(RequestKind::AutomatedDecisionReview),
        Just(RequestKind::RecipientInformation),
        Just(RequestKind::ConsentWithdrawal),
    ]
}

/// Any channel.
pub fn channel() -> impl Strategy<Value = Channel> {
    select(vec![Channel::Chat, Channel::Email, Channel::WebForm, Channel::Phone, Channel::Post, Channel::InPerson])
}

/// The controller, or a processor.
pub fn receiver() -> impl Strategy<Value = Receiver> {
    prop_oneof![
        Just(Receiver::Controller),
        Just(()).prop_map(|()| Receiver::Processor { processor: PartyId::generate() }),
    ]
}

/// A deadline policy in UTC or Prague, on either built-in calendar, with any extension rule and
/// identity-pause policy.
pub fn deadline_policy() -> impl Strategy<Value = DeadlinePolicy> {
    (
        select(vec![Zone::UTC, Zone::EUROPE_PRAGUE]),
        select(vec![Calendar::WeekendsOnly, Calendar::Czechia]),
        select(ExtensionRule::ALL),
        select(IdentityPause::ALL),
    )
        .prop_map(|(zone, calendar, extension, pause)| {
            DeadlinePolicy::new(zone, calendar).with_extension(extension).with_identity_pause(pause)
        })
}

/// Any complaint information (Art. 12(4)).
pub fn complaint_information() -> impl Strategy<Value = ComplaintInformation> {
    (text(), text()).prop_map(|(authority, remedy)| ComplaintInformation::new(authority, remedy))
}

/// Any receipt of a request, received between 2000 and 2100.
pub fn receipt() -> impl Strategy<Value = Receipt> {
    (
        instant(),
        request_kind(),
        (legal_basis(), proptest::option::weighted(0.2, special_category_condition())),
        purpose(),
        channel(),
        receiver(),
        proptest::collection::vec(subject_identifier(), 0..3),
        deadline_policy(),
        complaint_information(),
    )
        .prop_map(|(at, kind, (basis, condition), purpose, channel, receiver, requester, policy, complaint)| {
            Receipt {
                id: RequestId::generate(),
                at,
                controller: PartyId::generate(),
                kind,
                processing: Processing { basis, purpose, special_category_condition: condition },
                channel,
                receiver,
                requester,
                policy,
                complaint,
            }
        })
}

/// Any refusal ground, including the ones `decide` rejects for the request at hand.
pub fn refusal_ground() -> impl Strategy<Value = RefusalGround> {
    let exemption = select(vec![
        Exemption::FreedomOfExpression,
        Exemption::LegalObligationOrPublicTask,
        Exemption::PublicHealth,
        Exemption::ArchivingOrResearch,
        Exemption::LegalClaims,
        Exemption::CompellingLegitimateGrounds,
        Exemption::CopyAffectsOthers,
        Exemption::PortabilityAffectsOthers,
        Exemption::DecisionAuthorisedByLaw,
    ]);
    let unavailable =
        crate::vocab::rights::availability(Right::Portability, LegalBasis::LegitimateInterests, &Purpose::Analytics)
            .err();
    prop_oneof![
        text().prop_map(|explanation| RefusalGround::ManifestlyUnfounded { explanation }),
        text().prop_map(|explanation| RefusalGround::ManifestlyExcessive { explanation }),
        Just(RefusalGround::CannotIdentify),
        (exemption, proptest::option::of(text()))
            .prop_map(|(exemption, explanation)| RefusalGround::Exempt { exemption, explanation }),
        (select(vec![Article::gdpr(17).paragraph(1), Article::gdpr(16), Article::gdpr(21).paragraph(1)]), text())
            .prop_map(|(article, explanation)| RefusalGround::ConditionsNotMet { article, explanation }),
        Just(unavailable)
            .prop_filter_map("unavailable", |limit| limit.map(|limit| RefusalGround::RightUnavailable { limit })),
    ]
}

/// Any extension justification (Art. 12(3)).
pub fn extension_justification() -> impl Strategy<Value = ExtensionJustification> {
    (
        select(vec![
            ExtensionReason::Complexity,
            ExtensionReason::NumberOfRequests,
            ExtensionReason::ComplexityAndNumber,
        ]),
        text(),
    )
        .prop_map(|(reason, explanation)| ExtensionJustification { reason, explanation })
}

/// Every command name but `receive`, weighted so that random lives often reach completion:
/// closing steps (refuse, withdraw) are rare, and the steps a request needs are common.
const REQUEST_STEPS: &[(u32, CommandName)] = &[
    (4, CommandName::ForwardToController),
    (4, CommandName::RequestIdentity),
    (5, CommandName::ProvideIdentity),
    (4, CommandName::VerifyIdentity),
    (1, CommandName::RecordIdentityFailure),
    (3, CommandName::WaiveVerification),
    (2, CommandName::RequestClarification),
    (4, CommandName::ProvideClarification),
    (1, CommandName::RequestFee),
    (4, CommandName::RecordFeePaid),
    (3, CommandName::Extend),
    (1, CommandName::Refuse),
    (6, CommandName::Start),
    (4, CommandName::RecordCarriedOut),
    (6, CommandName::Complete),
    (1, CommandName::Withdraw),
];

/// Any command but `receive`, at `at`.
pub fn request_step(at: DateTime<Utc>) -> impl Strategy<Value = Command> {
    let names = proptest::strategy::Union::new_weighted(
        REQUEST_STEPS.iter().map(|&(weight, name)| (weight, Just(name))).collect(),
    );
    (
        names,
        text(),
        refusal_ground(),
        select(vec![FeeGround::ManifestlyUnfoundedOrExcessive, FeeGround::FurtherCopies]),
        extension_justification(),
        channel(),
        (0u64..1_000, any::<bool>()),
    )
        .prop_map(move |(name, text, ground, fee, justification, channel, (records, failed))| match name {
            CommandName::ForwardToController => Command::ForwardToController { at },
            CommandName::RequestIdentity => Command::RequestIdentity { at, information: text },
            CommandName::ProvideIdentity => Command::ProvideIdentity { at },
            CommandName::VerifyIdentity => Command::VerifyIdentity { at, subject: SubjectId::generate() },
            CommandName::RecordIdentityFailure => Command::RecordIdentityFailure { at, reason: text },
            CommandName::WaiveVerification => Command::WaiveVerification { at, reason: text },
            CommandName::RequestClarification => Command::RequestClarification { at, question: text },
            CommandName::ProvideClarification => Command::ProvideClarification { at },
            CommandName::RequestFee => Command::RequestFee { at, ground: fee, amount: text.clone(), explanation: text },
            CommandName::RecordFeePaid => Command::RecordFeePaid { at },
            CommandName::Extend => Command::Extend { at, justification, notified_via: channel },
            CommandName::Refuse => Command::Refuse { at, ground, reply: None },
            CommandName::Start => Command::Start { at },
            CommandName::RecordCarriedOut => {
                let failed = failed.then(|| SourceName::new("chat").ok()).flatten();
                Command::RecordCarriedOut {
                    at,
                    outcome: CarriedOut::new(records, failed),
                    summary: text,
                    withheld: None,
                    reply: None,
                }
            }
            CommandName::Complete => Command::Complete { at, summary: text, withheld: None, reply: None },
            _ => Command::Withdraw { at },
        })
}

/// A request's life as random commands: a receipt, then up to `max_steps` other commands at
/// instants that mostly advance (by up to 40 days) and sometimes step back an hour or two, so
/// that deadlines pass and out-of-order commands occur.
pub fn request_script(max_steps: usize) -> impl Strategy<Value = (Receipt, Vec<Command>)> {
    let gap = prop_oneof![6 => 0i64..4 * 86_400, 2 => 0i64..40 * 86_400, 1 => -7_200i64..0];
    (receipt(), proptest::collection::vec(gap, 0..=max_steps)).prop_flat_map(|(receipt, gaps)| {
        let mut at = receipt.at;
        let steps: Vec<_> = gaps
            .into_iter()
            .map(|gap| {
                at = at.checked_add_signed(TimeDelta::seconds(gap)).unwrap_or(at);
                request_step(at)
            })
            .collect();
        (Just(receipt), steps)
    })
}

// ---- Personal data breaches (`crate::breach`) ----

use crate::agreement::AgreementId;
use crate::breach::{
    Awareness, BreachId, Command as BreachCommand, CommandName as BreachCommandName, CommunicationException,
    CommunicationMethod, Detection, Facts, Measure, MeasureStatus, NoticeDuty, NoticePeriod, ProcessorNotice,
    RiskLevel,
};
use crate::model::Contact;
use crate::time::BreachClock;

/// Any contact point (Art. 33(3)(b)), with or without a telephone number.
pub fn contact() -> impl Strategy<Value = Contact> {
    (text(), email(), proptest::option::of(phone())).prop_map(|(name, email, phone)| Contact {
        name,
        email,
        phone,
        address: None,
    })
}

/// Any measure taken or proposed (Art. 33(3)(d)).
pub fn breach_measure() -> impl Strategy<Value = Measure> {
    (text(), select(vec![MeasureStatus::Taken, MeasureStatus::Proposed]))
        .prop_map(|(description, status)| Measure { description, status })
}

/// Any facts of a breach, from nothing known to every element of Art. 33(3) (Art. 33(4)).
pub fn breach_facts() -> impl Strategy<Value = Facts> {
    (
        proptest::option::of(text()),
        proptest::collection::vec(subject_category(), 0..3),
        proptest::option::of(0u64..1_000_000),
        proptest::collection::vec(data_category(), 0..3),
        proptest::option::of(0u64..10_000_000),
        proptest::option::of(contact()),
        proptest::option::of(text()),
        proptest::collection::vec(breach_measure(), 0..3),
    )
        .prop_map(
            |(
                nature,
                subject_categories,
                approx_subjects,
                data_categories,
                approx_records,
                contact,
                consequences,
                measures,
            )| Facts {
                nature,
                subject_categories,
                approx_subjects,
                data_categories,
                approx_records,
                contact,
                consequences,
                measures,
            },
        )
}

/// Any risk level.
pub fn risk_level() -> impl Strategy<Value = RiskLevel> {
    select(vec![RiskLevel::Unlikely, RiskLevel::Risk, RiskLevel::HighRisk])
}

/// Any exception of Art. 34(3).
pub fn communication_exception() -> impl Strategy<Value = CommunicationException> {
    prop_oneof![
        text().prop_map(|measures| CommunicationException::ProtectedData { measures }),
        text().prop_map(|measures| CommunicationException::RiskNoLongerLikely { measures }),
        text().prop_map(|explanation| CommunicationException::DisproportionateEffort { explanation }),
    ]
}

/// Any processor notice period: agreed hours from 0 to 72, or none.
pub fn notice_period() -> impl Strategy<Value = NoticePeriod> {
    prop_oneof![
        3 => (0u16..=72).prop_map(|hours| NoticePeriod::Agreed { hours }),
        1 => Just(NoticePeriod::WithoutUndueDelay),
    ]
}

/// Any notice a processor owes (Art. 33(2)), to a fresh principal and controller.
pub fn notice_duty() -> impl Strategy<Value = NoticeDuty> {
    notice_period().prop_map(|period| NoticeDuty {
        agreement: AgreementId::generate(),
        principal: PartyId::generate(),
        controller: PartyId::generate(),
        period,
    })
}

/// A deadline policy as [`deadline_policy`] gives, with either breach clock.
pub fn breach_policy() -> impl Strategy<Value = DeadlinePolicy> {
    (deadline_policy(), select(BreachClock::ALL)).prop_map(|(policy, clock)| policy.with_breach_clock(clock))
}

/// Any detection of a breach between 2000 and 2100: by a controller (sometimes informed by a
/// processor) or by a processor owing one to three notices.
pub fn breach_detection() -> impl Strategy<Value = Detection> {
    let aware = prop_oneof![Just(None), proptest::collection::vec(notice_duty(), 1..4).prop_map(Some)];
    (instant(), aware, any::<bool>(), proptest::option::of(0i64..30 * 86_400), breach_policy(), breach_facts())
        .prop_map(|(aware_at, duties, informed, before, policy, facts)| {
            let aware = match duties {
                None => Awareness::Controller { controller: PartyId::generate() },
                Some(notify) => Awareness::Processor { processor: PartyId::generate(), notify },
            };
            Detection {
                id: BreachId::generate(),
                aware_at,
                aware,
                informed_by: informed.then(|| ProcessorNotice {
                    processor: PartyId::generate(),
                    agreement: AgreementId::generate(),
                    breach: Some(BreachId::generate()),
                }),
                occurred_at: before.and_then(|s| aware_at.checked_sub_signed(TimeDelta::seconds(s))),
                policy,
                facts,
            }
        })
}

/// Every breach command name but `detect`, weighted so that random lives often reach closure.
const BREACH_STEPS: &[(u32, BreachCommandName)] = &[
    (4, BreachCommandName::Assess),
    (4, BreachCommandName::AddInformation),
    (4, BreachCommandName::NotifyAuthority),
    (5, BreachCommandName::NotifyPrincipal),
    (2, BreachCommandName::RecordException),
    (3, BreachCommandName::CommunicateToSubjects),
    (3, BreachCommandName::Close),
];

/// Any breach command but `detect`, at `at`; a principal notice names one of `agreements` (the
/// detection's duties) or, sometimes, an agreement the breach does not concern.
pub fn breach_step(at: DateTime<Utc>, agreements: Vec<AgreementId>) -> impl Strategy<Value = BreachCommand> {
    let names = proptest::strategy::Union::new_weighted(
        BREACH_STEPS.iter().map(|&(weight, name)| (weight, Just(name))).collect(),
    );
    let agreement = if agreements.is_empty() {
        Just(AgreementId::generate()).boxed()
    } else {
        prop_oneof![4 => select(agreements), 1 => Just(AgreementId::generate())].boxed()
    };
    (
        names,
        text(),
        proptest::option::of(text()),
        risk_level(),
        breach_facts(),
        communication_exception(),
        select(vec![CommunicationMethod::Direct, CommunicationMethod::Public]),
        agreement,
    )
        .prop_map(move |(name, text, delay, risk, facts, exception, method, agreement)| match name {
            BreachCommandName::Assess => BreachCommand::Assess { at, risk, reasons: text },
            BreachCommandName::AddInformation => BreachCommand::AddInformation { at, facts: Box::new(facts) },
            BreachCommandName::NotifyAuthority => {
                BreachCommand::NotifyAuthority { at, authority: text, reasons_for_delay: delay }
            }
            BreachCommandName::NotifyPrincipal => BreachCommand::NotifyPrincipal { at, agreement },
            BreachCommandName::RecordException => BreachCommand::RecordException { at, exception },
            BreachCommandName::CommunicateToSubjects => {
                BreachCommand::CommunicateToSubjects { at, method, message: text }
            }
            _ => BreachCommand::Close { at, summary: text },
        })
}

/// A breach's life as random commands: a detection, then up to `max_steps` other commands at
/// instants that mostly advance (by up to four days, so that the 72 hours pass in some lives)
/// and sometimes step back an hour.
pub fn breach_script(max_steps: usize) -> impl Strategy<Value = (Detection, Vec<BreachCommand>)> {
    let gap = prop_oneof![6 => 0i64..12 * 3_600, 2 => 0i64..4 * 86_400, 1 => -3_600i64..0];
    (breach_detection(), proptest::collection::vec(gap, 0..=max_steps)).prop_flat_map(|(detection, gaps)| {
        let agreements: Vec<AgreementId> = match &detection.aware {
            Awareness::Processor { notify, .. } => notify.iter().map(|d| d.agreement).collect(),
            _ => Vec::new(),
        };
        let mut at = detection.aware_at;
        let steps: Vec<_> = gaps
            .into_iter()
            .map(|gap| {
                at = at.checked_add_signed(TimeDelta::seconds(gap)).unwrap_or(at);
                breach_step(at, agreements.clone())
            })
            .collect();
        (Just(detection), steps)
    })
}

// ---------------------------------------------------------------------------------------------
// Retention and legal holds (Art. 5(1)(e), 17(3))
// ---------------------------------------------------------------------------------------------

/// Any [`RetentionEvent`](crate::retention::RetentionEvent).
pub fn retention_event() -> impl Strategy<Value = crate::retention::RetentionEvent> {
    Just(crate::retention::RetentionEvent::LastContact)
}

/// Any valid [`RetentionPeriod`](crate::retention::RetentionPeriod): 1 to 1,200 months, from
/// collection or after an event.
pub fn retention_period() -> impl Strategy<Value = crate::retention::RetentionPeriod> {
    use crate::retention::RetentionPeriod;
    prop_oneof![
        (1u16..=1200).prop_map(|months| RetentionPeriod::FromCollection { months }),
        (retention_event(), 1u16..=1200).prop_map(|(event, months)| RetentionPeriod::AfterEvent { event, months }),
    ]
}

/// Any valid [`RetentionPolicy`](crate::retention::RetentionPolicy).
pub fn retention_policy() -> impl Strategy<Value = crate::retention::RetentionPolicy> {
    (purpose(), data_category(), retention_period()).prop_filter_map("valid policy", |(purpose, category, period)| {
        crate::retention::RetentionPolicy::new(purpose, category, period).ok()
    })
}

/// Any [`RetentionGround`](crate::erasure::RetentionGround) of Art. 17(3).
pub fn retention_ground() -> impl Strategy<Value = crate::erasure::RetentionGround> {
    use crate::erasure::RetentionGround;
    prop_oneof![
        Just(RetentionGround::FreedomOfExpression),
        text().prop_map(|law| RetentionGround::LegalObligation { law }),
        Just(RetentionGround::PublicHealth),
        Just(RetentionGround::ArchivingResearchStatistics),
        text().prop_map(|matter| RetentionGround::LegalClaims { matter }),
    ]
}

/// Any valid [`HoldTarget`](crate::retention::HoldTarget) in `chat_history` (record keys of the
/// documented forms, with random ids).
pub fn hold_target() -> impl Strategy<Value = crate::retention::HoldTarget> {
    use crate::erasure::RecordKey;
    use crate::retention::HoldTarget;
    let source = || Just(SourceName::new("chat_history").unwrap_or_else(|_| unreachable!("a valid source name")));
    let id = || any::<u128>().prop_map(uuid::Uuid::from_u128);
    prop_oneof![
        (source(), id())
            .prop_map(|(source, v)| HoldTarget::Record { source, record: RecordKey::built(format!("visitor/{v}")) }),
        (source(), id()).prop_map(|(source, c)| HoldTarget::Conversation {
            source,
            prefix: RecordKey::built(format!("conversation/{c}/"))
        }),
        proptest::collection::vec(subject_identifier(), 1..3)
            .prop_map(|identifiers| HoldTarget::Subject { identifiers }),
        Just(HoldTarget::Controller),
    ]
}

/// Any valid [`LegalHold`](crate::retention::LegalHold), active or released.
pub fn legal_hold() -> impl Strategy<Value = crate::retention::LegalHold> {
    (hold_target(), text(), retention_ground(), instant(), proptest::option::of(0i64..400 * 86_400)).prop_filter_map(
        "valid hold",
        |(target, reason, ground, placed, released)| {
            let hold = crate::retention::LegalHold::place(target, reason, ground, placed).ok()?;
            match released {
                Some(after) => hold.release(placed.checked_add_signed(TimeDelta::seconds(after))?).ok(),
                None => Some(hold),
            }
        },
    )
}
