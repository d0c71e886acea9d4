//! The privacy notice's legal content (issue 19): the vendor as our processor (Art. 4(10)),
//! Art. 13(2)(e) as a visible gap, the right to object in a section of its own (Art. 21(4)),
//! joint controllers (Art. 26(2)) and explicit consent (Art. 9(2)(a)).

use chrono::NaiveDate;
use gdpr_obligations::model::{Controllers, Party, PartyId, ProcessingActivity, PurposeSpec, Retention};
use gdpr_obligations::report::{Block, Catalogue, Language, NoticeInput, PrivacyNotice, ReportError};
use gdpr_obligations::vocab::{Country, DataCategory, LegalBasis, Purpose, SpecialCategoryCondition, SubjectCategory};

use super::{World, both, id, notice, text, world};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
}

fn render(n: &PrivacyNotice, language: &Language) -> String {
    n.document(&Catalogue::built_in(), language).expect("document").to_text()
}

fn notice_of(w: &World, activities: &[ProcessingActivity]) -> PrivacyNotice {
    PrivacyNotice::build(&NoticeInput::new(&w.shop, &w.parties, activities, &w.chain, &w.complaint, as_of()))
        .expect("notice")
}

// Legal review W1: a processor is not a third party (Art. 4(10)); the notice names the vendor as
// our processor with its IČO, and reproduces the vendor's own sentence only beside that wording.
#[test]
fn art_4_10_the_chat_vendor_is_named_our_processor_not_a_third_party() {
    let w = world();
    let n = notice(&w);
    let en = render(&n, &Language::EN);
    assert!(
        en.contains("processed on our behalf by our processor Chatvendor s.r.o., registration number 27074358."),
        "{en}"
    );
    let cs = render(&n, &Language::CS);
    assert!(cs.contains("pro nás zpracovává náš zpracovatel Chatvendor s.r.o., IČO 27074358."), "{cs}");
    for doc in [&en, &cs] {
        assert!(!doc.contains("third part") && !doc.contains("třetí strany"), "{doc}");
    }

    // The controller opts in to the vendor's sentence: reproduced verbatim, after the precise one.
    let sentence = text("Your personal data may be collected by us or by third parties, including Chatvendor s.r.o.");
    let input = NoticeInput::new(&w.shop, &w.parties, &[], &w.chain, &w.complaint, as_of())
        .with_vendor_sentence(w.vendor.id(), &sentence);
    let cs = render(&PrivacyNotice::build(&input).expect("notice"), &Language::CS);
    let precise = cs.find("náš zpracovatel Chatvendor s.r.o., IČO 27074358").expect("the precise wording");
    let verbatim = cs.find(sentence.as_str()).expect("the vendor's sentence as given");
    assert!(precise < verbatim, "{cs}");
    // Never instead of the precise wording: the sentence alone, without the vendor, is refused.
    let mut alone = input;
    alone.vendor = None;
    assert!(matches!(PrivacyNotice::build(&alone), Err(ReportError::VendorNotProcessor { party: None })));

    // A vendor that is no processor of the controller cannot be called one.
    let stranger =
        Party::builder("Stranger s.r.o.", Country::CZ).id(PartyId::from_uuid(id(99))).build().expect("party");
    let mut parties = w.parties.clone();
    parties.push(stranger.clone());
    let input = NoticeInput::new(&w.shop, &parties, &[], &w.chain, &w.complaint, as_of()).with_vendor(stranger.id());
    let err = PrivacyNotice::build(&input).unwrap_err();
    assert!(matches!(err, ReportError::VendorNotProcessor { party: Some(p) } if p == stranger.id()), "{err}");
}

// Legal review D14: Art. 13(1)(e) asks for the recipients, not a tax id: a vendor without one is
// named by its registration number, and nothing cites Art. 13(1)(e) for a missing tax id.
#[test]
fn art_13_1_e_a_vendor_without_a_tax_id_is_named_by_its_registration_number() {
    let w = world();
    assert!(w.mailer.tax_id().is_none());
    let input = NoticeInput::new(&w.shop, &w.parties, &[], &w.chain, &w.complaint, as_of()).with_vendor(w.mailer.id());
    let n = PrivacyNotice::build(&input).expect("a vendor without a tax id is named by its IČO");
    let en = render(&n, &Language::EN);
    assert!(en.contains("by our sub-processor Mailer a.s., registration number 24000001."), "{en}");
    let cs = render(&n, &Language::CS);
    assert!(cs.contains("náš další zpracovatel Mailer a.s., IČO 24000001."), "{cs}");
}

// Legal review M2: Art. 13(2)(e) is mandatory where the data come from the data subject; a
// notice without the statement shows it as missing, never omits it.
#[test]
fn art_13_2_e_a_notice_without_the_provision_statement_shows_it_missing() {
    let w = world();
    let n = notice_of(&w, std::slice::from_ref(&w.activity));
    assert!(n.provision.is_none());
    let en = render(&n, &Language::EN);
    assert!(en.contains("Whether you must provide the data (Art. 13(2)(e))"), "{en}");
    assert!(en.contains("Missing (Art. 13(2)(e)): whether providing the personal data is a statutory"), "{en}");
    let cs = render(&n, &Language::CS);
    assert!(cs.contains("Chybí (čl. 13 odst. 2 písm. e)): zda je poskytování osobních údajů zákonným"), "{cs}");
}

// Legal review M3: Art. 21(4) asks that the right to object be brought to the data subject's
// attention clearly and separately from any other information: a first-level section of its own,
// with 21(1) for legitimate interests and 21(2) for direct marketing.
#[test]
fn art_21_4_the_right_to_object_has_a_section_of_its_own() {
    let w = world();
    let doc = notice(&w).document(&Catalogue::built_in(), &Language::EN).expect("document");
    let at = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 1, text } if text == "Your right to object (Art. 21)"))
        .expect("a first-level section on the right to object");
    let section: Vec<&str> = doc.blocks[at + 1..]
        .iter()
        .take_while(|b| !matches!(b, Block::Heading { .. }))
        .filter_map(|b| match b {
            Block::Paragraph { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(section.len(), 2, "{section:?}");
    assert!(section[0].contains("particular situation") && section[0].contains("(Art. 21(1))"), "{section:?}");
    assert!(section[0].ends_with("This concerns: customer care."), "{section:?}");
    assert!(section[1].contains("direct marketing") && section[1].contains("(Art. 21(2))"), "{section:?}");
    assert!(section[1].contains("(Art. 21(3))") && section[1].ends_with("This concerns: direct marketing."));
    let cs = render(&notice(&w), &Language::CS);
    assert!(cs.contains("Právo vznést námitku (čl. 21)"), "{cs}");

    // No purpose allows an objection: no section.
    let mut repr = w.activity.clone().into_fields();
    repr.purposes = vec![PurposeSpec::new(Purpose::Contract, LegalBasis::Contract)];
    let contract_only = ProcessingActivity::new(repr).expect("activity");
    let en = render(&notice_of(&w, &[contract_only]), &Language::EN);
    assert!(!en.contains("right to object"), "{en}");
}

// Legal review M5: Art. 26(2): for joint controllers the notice names each controller
// (Art. 13(1)(a)) and makes the essence of their arrangement available.
#[test]
fn art_26_2_joint_controllers_and_the_essence_of_their_arrangement_are_in_the_notice() {
    let mut w = world();
    let partner = Party::builder("Partner Shop s.r.o.", Country::CZ)
        .id(PartyId::from_uuid(id(98)))
        .registration_number("12345679")
        .contact_email("privacy@partner.example")
        .build()
        .expect("partner");
    w.parties.push(partner.clone());
    let mut repr = w.activity.clone().into_fields();
    repr.controllers = Controllers::Joint {
        controllers: vec![w.shop.id(), partner.id()],
        arrangement: both(
            "Všechny žádosti subjektů údajů vyřizuje ACME; sdílený chat provozuje Partner Shop.",
            "ACME answers every request of a data subject; Partner Shop runs the shared chat.",
        ),
    };
    let activity = ProcessingActivity::new(repr).expect("activity");
    let n = notice_of(&w, &[activity]);
    assert_eq!(n.activities[0].joint_controllers, vec![partner.clone()]);
    let en = render(&n, &Language::EN);
    assert!(
        en.contains("jointly with other controllers (Art. 26(1)): Partner Shop s.r.o., registration number 12345679")
    );
    assert!(
        en.contains("The essence of the arrangement between the joint controllers (Art. 26(2)): ACME answers every"),
        "{en}"
    );
    let cs = render(&n, &Language::CS);
    assert!(cs.contains("Podstatný obsah ujednání mezi společnými správci (čl. 26 odst. 2)"), "{cs}");
}

// Legal review M4 (the notice): explicit consent under Art. 9(2)(a) can be withdrawn like any
// consent (Art. 7(3)), so the notice has the Art. 13(2)(c) section for it too.
#[test]
fn art_13_2_c_explicit_consent_under_art_9_2_a_has_the_withdrawal_section() {
    let w = world();
    let activity = ProcessingActivity::builder(
        both("Zdravotní dotazy v chatu", "Health questions in the chat"),
        Controllers::Sole { controller: w.shop.id() },
        Retention::Months { months: 6 },
    )
    .purpose(
        PurposeSpec::new(Purpose::CustomerCare, LegalBasis::Contract)
            .with_special_category_condition(SpecialCategoryCondition::ExplicitConsent),
    )
    .data_categories([DataCategory::Contact, DataCategory::Health])
    .subject_categories([SubjectCategory::Customer])
    .build()
    .expect("activity");
    let n = notice_of(&w, &[activity]);
    assert!(n.relies_on_consent);
    let en = render(&n, &Language::EN);
    assert!(en.contains("Withdrawing consent (Art. 13(2)(c))"), "{en}");
    assert!(en.contains("or your explicit consent (Art. 9(2)(a)), you may withdraw it at any time"), "{en}");
}

// Seen while reading the regenerated samples (Art. 44): a processor established outside the EEA
// with no recorded processing location and no mechanism was described as "within the EEA, no
// Chapter V mechanism needed"; the notice now shows the missing mechanism instead.
#[test]
fn art_44_a_third_country_processor_without_a_mechanism_is_never_said_to_be_in_the_eea() {
    use gdpr_obligations::agreement::{ProcessingAgreement, ProcessingChain};
    let w = world();
    let mut agreement =
        ProcessingAgreement::template(w.shop.id(), w.hosting.id(), gdpr_obligations::testkit::signed_facts());
    agreement.processing_locations.clear();
    let parties = vec![w.shop.clone(), w.hosting.clone()];
    let chain = ProcessingChain::build(parties.clone(), [agreement], []).expect("chain");
    let n =
        PrivacyNotice::build(&NoticeInput::new(&w.shop, &parties, &[], &chain, &w.complaint, as_of())).expect("notice");
    let en = render(&n, &Language::EN);
    assert!(!en.contains("within the EEA"), "{en}");
    assert!(en.contains("(United States): missing: no Chapter V mechanism is recorded"), "{en}");
    let cs = render(&n, &Language::CS);
    assert!(cs.contains("(Spojené státy americké): chybí: pro toto předání mimo EHP není zaznamenán"), "{cs}");
}
