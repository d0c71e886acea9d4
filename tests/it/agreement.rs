//! Processing agreements (Art. 28), sub-processor change notices and the authorisation decision.

use crate::common;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::assert_json_contract;
use gdpr_obligations::agreement::{
    AgreementFacts, ChangeNotice, Decision, Element, EndOfProcessing, GuaranteeEvidence, GuaranteesAssessment,
    ProcessingAgreement, ProcessingChain, ProcessingLocation, Query, RefusalReason, SpecialCategoryTerm,
    SubProcessorAuthorisation, WrittenForm,
};
use gdpr_obligations::model::{Party, PartyId};
use gdpr_obligations::testkit;
use gdpr_obligations::vocab::{
    Country, DataCategory, DerogationPoint, Purpose, SccModule, SpecialCategoryCondition, TransferMechanism,
};
use proptest::prelude::*;

fn party(name: &str, country: Country) -> Party {
    Party::builder(name, country).build().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn articles(a: &ProcessingAgreement) -> Vec<String> {
    a.validate().iter().map(|d| d.article.to_string()).collect()
}

/// ACME (controller) → Chatvendor (processor) → Hosting (sub-processor, agreed) and
/// Translator (sub-processor, added by notice).
struct Scene {
    acme: Party,
    vendor: Party,
    hosting: Party,
    translator: Party,
    main: ProcessingAgreement,
    hosting_agreement: ProcessingAgreement,
    translator_agreement: ProcessingAgreement,
}

impl Scene {
    fn new() -> Self {
        let acme = party("ACME s.r.o.", Country::CZ);
        let vendor = party("Chatvendor s.r.o.", Country::CZ);
        let hosting = party("Hosting GmbH", Country::DE);
        let translator = party("Translate Inc.", Country::US);
        let mut main = ProcessingAgreement::template(acme.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
        main.sub_processing =
            Some(SubProcessorAuthorisation::General { agreed: vec![hosting.id()], objection_window_days: 14 });
        let hosting_agreement = ProcessingAgreement::sub_processing_template(
            &main,
            hosting.id(),
            gdpr_obligations::testkit::signed_facts(),
        );
        let mut translator_agreement = ProcessingAgreement::sub_processing_template(
            &main,
            translator.id(),
            gdpr_obligations::testkit::signed_facts(),
        );
        translator_agreement.processing_locations = vec![testkit::located(
            Country::US,
            TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor },
        )];
        Scene { acme, vendor, hosting, translator, main, hosting_agreement, translator_agreement }
    }

    fn parties(&self) -> Vec<Party> {
        vec![self.acme.clone(), self.vendor.clone(), self.hosting.clone(), self.translator.clone()]
    }

    fn chain(&self, notices: Vec<ChangeNotice>) -> ProcessingChain {
        let agreements = vec![self.main.clone(), self.hosting_agreement.clone(), self.translator_agreement.clone()];
        ProcessingChain::build(self.parties(), agreements, notices).unwrap()
    }

    fn query(&self, party: &Party, when: &str) -> Query<'static> {
        Query {
            party: party.id(),
            controller: self.acme.id(),
            category: &DataCategory::CommunicationContent,
            purpose: &Purpose::CustomerCare,
            at: at(when),
        }
    }
}

fn reasons(decision: Decision) -> Vec<RefusalReason> {
    match decision {
        Decision::Refused(r) => r.into_iter().map(|r| r.reason).collect(),
        Decision::Allowed { .. } => Vec::new(),
    }
}

#[test]
fn the_template_is_complete_and_round_trips() {
    let s = Scene::new();
    assert_eq!(s.main.validate(), []);
    assert_eq!(s.hosting_agreement.validate(), []);
    assert_json_contract(&s.main);
    assert_json_contract(&s.translator_agreement);
}

#[test]
fn art_28_3_a_draft_missing_elements_parses_and_lists_every_deficiency() {
    let json = format!(
        r#"{{"id":"{}","principal":"{}","processor":"{}"}}"#,
        gdpr_obligations::agreement::AgreementId::generate(),
        PartyId::generate(),
        PartyId::generate()
    );
    let draft: ProcessingAgreement = serde_json::from_str(&json).unwrap();
    let found: Vec<Element> = draft.validate().iter().map(|d| d.element).collect();
    for e in [
        Element::SubjectMatter,
        Element::Duration,
        Element::DocumentedInstructions,
        Element::SubProcessing,
        Element::DeletionOrReturn,
        Element::WrittenForm,
        Element::BreachNotice,
    ] {
        assert!(found.contains(&e), "{e} missing from {found:?}");
    }
    for d in draft.validate() {
        assert_json_contract(&d);
        assert_eq!(d.article, d.element.article());
    }
}

#[test]
fn json_that_is_not_an_agreement_is_a_parse_error() {
    for bad in ["[]", "42", r#"{"principal":"x"}"#, r#"{"hello":"world"}"#, ""] {
        assert!(serde_json::from_str::<ProcessingAgreement>(bad).is_err(), "{bad}");
    }
}

#[test]
fn art_28_3_b_confidentiality_is_required() {
    let mut a = Scene::new().main;
    a.confidentiality = Some(String::new());
    assert_eq!(articles(&a), ["Art. 28(3)(b)"]);
}

#[test]
fn art_28_2_general_authorisation_needs_an_objection_window() {
    let mut a = Scene::new().main;
    a.sub_processing = Some(SubProcessorAuthorisation::General { agreed: vec![], objection_window_days: 0 });
    assert_eq!(articles(&a), ["Art. 28(3)(d)"]);
}

#[test]
fn art_28_3_g_deletion_or_return_is_the_controllers_choice() {
    let mut a = Scene::new().main;
    a.end_of_processing = Some(EndOfProcessing::DeleteOnly);
    assert_eq!(articles(&a), ["Art. 28(3)(g)"]);
}

#[test]
fn art_28_4_sub_processor_carries_the_same_obligations() {
    let mut a = Scene::new().hosting_agreement;
    a.flow_down = None;
    assert_eq!(articles(&a), ["Art. 28(4)"]);
}

#[test]
fn art_28_4_sub_processor_notifies_a_breach_no_later_than_its_principal_must() {
    let mut s = Scene::new();
    s.main.breach_notice_hours = Some(24);
    s.hosting_agreement.breach_notice_hours = Some(24);
    s.translator_agreement.breach_notice_hours = Some(36);
    let found = s.chain(Vec::new()).flow_down_deficiencies();
    let at_fault: Vec<_> = found.iter().map(|(id, d)| (*id, d.element, d.article.to_string())).collect();
    assert_eq!(at_fault, [(s.translator_agreement.id, Element::FlowDown, "Art. 28(4)".to_owned())]);
    assert!(found[0].1.message.contains("36 hours") && found[0].1.message.contains("24 hours"), "{}", found[0].1);
    // Each document on its own is complete: only the chain shows it.
    assert!(s.translator_agreement.validate().is_empty());
    // Shorter than the principal's period is what a processor needs to keep its own.
    s.translator_agreement.breach_notice_hours = Some(12);
    assert!(s.chain(Vec::new()).flow_down_deficiencies().is_empty());
}

#[test]
fn art_28_9_agreement_is_written_and_signed() {
    let mut a = Scene::new().main;
    a.written_form = None;
    assert_eq!(articles(&a), ["Art. 28(9)"]);
}

#[test]
fn art_33_2_breach_notice_longer_than_72_hours_is_deficient() {
    let mut a = Scene::new().main;
    a.breach_notice_hours = Some(96);
    assert_eq!(articles(&a), ["Art. 33(2)"]);
}

#[test]
fn art_28_3_duration_cannot_end_before_it_starts() {
    let mut a = Scene::new().main;
    a.valid_until = NaiveDate::from_ymd_opt(2025, 1, 1);
    assert_eq!(articles(&a), ["Art. 28(3)"]);
}

#[test]
fn art_9_2_special_category_needs_its_condition_in_the_agreement() {
    let mut a = Scene::new().main;
    a.data_categories.push(DataCategory::Health);
    assert_eq!(articles(&a), ["Art. 9(2)"]);
    a.special_categories.push(SpecialCategoryTerm {
        category: DataCategory::Health,
        condition: SpecialCategoryCondition::ExplicitConsent,
        safeguards: "separate encrypted store".into(),
    });
    assert_eq!(articles(&a), Vec::<String>::new());
}

#[test]
fn art_28_allowed_for_the_processor_and_an_agreed_sub_processor() {
    let s = Scene::new();
    let chain = s.chain(vec![]);
    assert_eq!(
        chain.decide(&s.query(&s.vendor, "2026-06-01T10:00:00Z")),
        Decision::Allowed { agreement: Some(s.main.id) }
    );
    assert_eq!(
        chain.decide(&s.query(&s.hosting, "2026-06-01T10:00:00Z")),
        Decision::Allowed { agreement: Some(s.hosting_agreement.id) }
    );
    assert_eq!(chain.paths(s.acme.id(), s.hosting.id())[0].len(), 2);
}

#[test]
fn art_28_3_no_agreement_no_processing() {
    let s = Scene::new();
    let chain = s.chain(vec![]);
    let stranger = party("Stranger Ltd", Country::IE);
    let q = Query { party: stranger.id(), ..s.query(&s.vendor, "2026-06-01T10:00:00Z") };
    assert_eq!(reasons(chain.decide(&q)), [RefusalReason::NoAgreement]);
    // Another controller's processor is not ours.
    let q = Query { controller: s.vendor.id(), party: s.acme.id(), ..q };
    assert_eq!(reasons(chain.decide(&q)), [RefusalReason::NoAgreement]);
}

#[test]
fn art_28_3_agreement_in_force_only_between_its_dates() {
    let mut s = Scene::new();
    s.main.valid_until = NaiveDate::from_ymd_opt(2026, 12, 31);
    let chain = s.chain(vec![]);
    assert_eq!(reasons(chain.decide(&s.query(&s.vendor, "2026-01-14T23:59:59Z"))), [RefusalReason::NotYetInForce]);
    assert!(chain.decide(&s.query(&s.vendor, "2026-12-31T23:59:59Z")).is_allowed());
    assert_eq!(reasons(chain.decide(&s.query(&s.vendor, "2027-01-01T00:00:00Z"))), [RefusalReason::Expired]);
}

#[test]
fn art_28_3_a_purpose_and_category_must_be_instructed() {
    let s = Scene::new();
    let chain = s.chain(vec![]);
    let q = Query {
        purpose: &Purpose::Marketing,
        category: &DataCategory::Location,
        ..s.query(&s.vendor, "2026-06-01T10:00:00Z")
    };
    let Decision::Refused(refusals) = chain.decide(&q) else { panic!() };
    let text: Vec<String> = refusals.iter().map(ToString::to_string).collect();
    assert_eq!(
        refusals.iter().map(|r| r.reason).collect::<Vec<_>>(),
        [RefusalReason::CategoryNotCovered, RefusalReason::PurposeNotCovered]
    );
    assert!(text[1].starts_with("Art. 28(3)(a): "), "{text:?}");
    assert_json_contract(&Decision::Refused(refusals));
}

#[test]
fn art_28_2_sub_processor_refused_until_its_objection_window_passes() {
    let s = Scene::new();
    let t0 = at("2026-03-02T09:00:00Z");
    let proposed = ChangeNotice::propose(&s.main, s.translator.id(), None, t0).unwrap();
    // Proposed but not sent: refused.
    let chain = s.chain(vec![proposed.clone()]);
    assert_eq!(
        reasons(chain.decide(&s.query(&s.translator, "2026-04-01T00:00:00Z"))),
        [RefusalReason::ChangeNotNotified]
    );
    // Sent: refused during the window, allowed after.
    let notified = proposed.notify(&s.main, t0).unwrap();
    assert_json_contract(&notified);
    let chain = s.chain(vec![notified.clone()]);
    let during = chain.decide(&s.query(&s.translator, "2026-03-10T00:00:00Z"));
    assert!(matches!(reasons(during)[..], [RefusalReason::ObjectionWindowRunning { .. }]));
    assert!(chain.decide(&s.query(&s.translator, "2026-03-16T09:00:00Z")).is_allowed());
    // Objected: refused for good.
    let objected = notified.object(at("2026-03-05T12:00:00Z"), "we do not want a US translator").unwrap();
    let chain = s.chain(vec![objected]);
    assert_eq!(reasons(chain.decide(&s.query(&s.translator, "2027-01-01T00:00:00Z"))), [RefusalReason::ChangeObjected]);
}

#[test]
fn art_28_2_replacement_ends_the_replaced_sub_processor() {
    let s = Scene::new();
    let t0 = at("2026-03-02T09:00:00Z");
    let notice = ChangeNotice::propose(&s.main, s.translator.id(), Some(s.hosting.id()), t0)
        .unwrap()
        .notify(&s.main, t0)
        .unwrap();
    let chain = s.chain(vec![notice]);
    assert!(chain.decide(&s.query(&s.hosting, "2026-03-10T00:00:00Z")).is_allowed());
    assert_eq!(reasons(chain.decide(&s.query(&s.hosting, "2026-03-17T00:00:00Z"))), [RefusalReason::Replaced]);
}

#[test]
fn art_28_2_prior_specific_authorisation_allows_only_the_named() {
    let mut s = Scene::new();
    s.main.sub_processing = Some(SubProcessorAuthorisation::PriorSpecific { authorised: vec![s.hosting.id()] });
    let chain = s.chain(vec![]);
    assert!(chain.decide(&s.query(&s.hosting, "2026-06-01T00:00:00Z")).is_allowed());
    assert_eq!(
        reasons(chain.decide(&s.query(&s.translator, "2026-06-01T00:00:00Z"))),
        [RefusalReason::SubProcessorNotAuthorised]
    );
    assert!(ChangeNotice::propose(&s.main, s.translator.id(), None, at("2026-06-01T00:00:00Z")).is_err());
}

#[test]
fn art_28_2_prohibited_sub_processing() {
    let mut s = Scene::new();
    s.main.sub_processing = Some(SubProcessorAuthorisation::Prohibited);
    let chain = s.chain(vec![]);
    assert_eq!(
        reasons(chain.decide(&s.query(&s.hosting, "2026-06-01T00:00:00Z"))),
        [RefusalReason::SubProcessingProhibited]
    );
}

#[test]
fn art_44_processing_abroad_needs_a_mechanism() {
    let mut s = Scene::new();
    s.hosting_agreement.processing_locations = vec![ProcessingLocation::new(Country::IN)];
    let chain = s.chain(vec![]);
    let r = reasons(chain.decide(&s.query(&s.hosting, "2026-06-01T00:00:00Z")));
    assert!(r.contains(&RefusalReason::TransferWithoutMechanism { country: Country::IN }), "{r:?}");
}

#[test]
fn art_45_3_adequacy_must_be_in_force_on_the_date() {
    let mut s = Scene::new();
    s.main.valid_from = NaiveDate::from_ymd_opt(2020, 1, 1);
    s.main.signed_on = s.main.valid_from;
    s.hosting_agreement = ProcessingAgreement::sub_processing_template(
        &s.main,
        s.hosting.id(),
        gdpr_obligations::testkit::signed_facts(),
    );
    s.hosting_agreement.valid_from = s.main.valid_from;
    // With the evidence that the partial US decision covers the importer (Legal review M1).
    s.hosting_agreement.processing_locations = vec![testkit::located(Country::US, TransferMechanism::AdequacyDecision)];
    let chain = s.chain(vec![]);
    assert_eq!(
        reasons(chain.decide(&s.query(&s.hosting, "2022-06-01T00:00:00Z"))),
        [RefusalReason::AdequacyNotInForce { country: Country::US }]
    );
    assert!(chain.decide(&s.query(&s.hosting, "2024-06-01T00:00:00Z")).is_allowed());
}

#[test]
fn art_9_2_special_category_refused_without_condition() {
    let s = Scene::new();
    let chain = s.chain(vec![]);
    let q = Query { category: &DataCategory::Health, ..s.query(&s.vendor, "2026-06-01T00:00:00Z") };
    assert_eq!(reasons(chain.decide(&q)), [RefusalReason::CategoryNotCovered]);
    // Listing the category without its condition makes the whole agreement deficient, and the
    // decision names the missing Art. 9(2) condition as well.
    let mut s = s;
    s.main.data_categories.push(DataCategory::Health);
    assert_eq!(articles(&s.main), ["Art. 9(2)"]);
    let chain = s.chain(vec![]);
    assert_eq!(
        reasons(chain.decide(&q)),
        [RefusalReason::DeficientAgreement, RefusalReason::SpecialCategoryWithoutCondition]
    );
}

#[test]
fn a_deficient_agreement_authorises_nobody() {
    let mut s = Scene::new();
    s.main.audits = None;
    let chain = s.chain(vec![]);
    assert_eq!(reasons(chain.decide(&s.query(&s.vendor, "2026-06-01T00:00:00Z"))), [RefusalReason::DeficientAgreement]);
    assert!(
        reasons(chain.decide(&s.query(&s.hosting, "2026-06-01T00:00:00Z")))
            .contains(&RefusalReason::DeficientAgreement)
    );
}

#[test]
fn chain_build_rejects_broken_links() {
    let s = Scene::new();
    let mut orphan = s.hosting_agreement.clone();
    orphan.principal = s.acme.id();
    assert!(ProcessingChain::build(s.parties(), vec![s.main.clone(), orphan], vec![]).is_err());
    assert!(ProcessingChain::build(s.parties(), vec![s.hosting_agreement.clone()], vec![]).is_err());
    assert!(ProcessingChain::build(s.parties(), vec![s.main.clone(), s.main.clone()], vec![]).is_err());
    assert!(ProcessingChain::build(vec![], vec![s.main.clone()], vec![]).is_err());
}

fn any_element() -> impl Strategy<Value = Element> {
    proptest::sample::select(Element::BUILT_IN)
}

proptest! {
    #[test]
    fn art_28_3_removing_one_element_names_exactly_that_element(
        a in testkit::processing_agreement(PartyId::generate(), PartyId::generate()),
        sub in any::<bool>(),
        element in any_element(),
    ) {
        let mut a = a;
        if sub {
            a.parent = Some(gdpr_obligations::agreement::AgreementId::generate());
            a.flow_down = Some(true);
        }
        prop_assert_eq!(a.validate(), vec![]);
        if testkit::remove_element(&mut a, element) {
            let found = a.validate();
            prop_assert_eq!(found.len(), 1, "{:?}", found);
            prop_assert_eq!(found[0].element, element);
            prop_assert_eq!(found[0].article, element.article());
        }
        assert_json_contract(&a);
    }

    #[test]
    fn art_28_no_party_is_authorised_without_a_valid_covering_agreement(
        main in testkit::processing_agreement(PartyId::generate(), PartyId::generate()),
        remove in proptest::option::of(any_element()),
        category in testkit::data_category(),
        purpose in testkit::purpose(),
        days in -400i64..4000,
    ) {
        let s = Scene::new();
        let mut main = ProcessingAgreement { principal: s.acme.id(), processor: s.vendor.id(), ..main };
        if let Some(e) = remove { testkit::remove_element(&mut main, e); }
        let chain = ProcessingChain::build(s.parties(), vec![main.clone()], vec![]).unwrap();
        let when = at("2026-01-15T00:00:00Z") + TimeDelta::days(days);
        let q = Query { party: s.vendor.id(), controller: s.acme.id(), category: &category, purpose: &purpose, at: when };
        let decision = chain.decide(&q);
        prop_assert_eq!(&decision, &chain.decide_slowly(&q), "fast and slow paths agree");
        if decision.is_allowed() {
            prop_assert!(main.validate().is_empty());
            prop_assert!(main.data_categories.contains(&category));
            prop_assert!(main.purposes.contains(&purpose));
            prop_assert!(main.valid_from.is_some_and(|f| f <= when.date_naive()));
        } else {
            prop_assert!(matches!(decision, Decision::Refused(ref r) if !r.is_empty()));
        }
    }

    #[test]
    fn art_28_2_general_authorisation_refuses_until_the_window_passes_unobjected(
        window in 1u16..60,
        notified_after in 0i64..100_000,
        objection in proptest::option::of(0i64..200_000),
        probe in 0i64..8_000_000,
    ) {
        let mut s = Scene::new();
        s.main.sub_processing = Some(SubProcessorAuthorisation::General { agreed: vec![], objection_window_days: window });
        s.translator_agreement = ProcessingAgreement::sub_processing_template(
            &s.main,
            s.translator.id(),
            gdpr_obligations::testkit::signed_facts(),
        );
        // The translator is established in the US: its transfer needs its own mechanism, whatever
        // the template lists as its location (EDPB Guidelines 05/2021; the issue's rule).
        s.translator_agreement.processing_locations = vec![testkit::located(
            Country::US,
            TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor },
        )];
        let t0 = at("2026-02-01T00:00:00Z");
        let notified_at = t0 + TimeDelta::seconds(notified_after);
        let mut notice = ChangeNotice::propose(&s.main, s.translator.id(), None, t0).unwrap().notify(&s.main, notified_at).unwrap();
        let deadline = notified_at + TimeDelta::days(i64::from(window));
        let mut objected = false;
        if let Some(o) = objection {
            match notice.clone().object(notified_at + TimeDelta::seconds(o), "no") {
                Ok(n) => { notice = n; objected = true; prop_assert!(notified_at + TimeDelta::seconds(o) < deadline); }
                Err(e) => prop_assert!(notified_at + TimeDelta::seconds(o) >= deadline, "{}", e),
            }
        }
        let chain = s.chain(vec![notice]);
        let when = t0 + TimeDelta::seconds(probe);
        let q = s.query(&s.translator, "2026-01-01T00:00:00Z");
        let q = Query { at: when, ..q };
        let allowed = chain.decide(&q).is_allowed();
        prop_assert_eq!(allowed, !objected && when >= deadline);
        prop_assert_eq!(chain.decide(&q), chain.decide_slowly(&q));
    }
}

#[test]
fn art_28_1_an_agreement_with_oneself_is_deficient() {
    let mut a = Scene::new().main;
    a.processor = a.principal;
    let found = a.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].element, Element::DistinctParties);
    assert_eq!(found[0].to_string().split(": ").next(), Some("Art. 28(1)"));
    assert!(found[0].message.contains("Art. 4(8)"), "{}", found[0].message);
}

/// The quadratic reading of Art. 9(2) that `validate` replaced: every special category listed
/// is covered by some term with safeguards.
fn art_9_2_uncovered_by_scanning(a: &ProcessingAgreement) -> bool {
    a.data_categories
        .iter()
        .filter(|c| c.is_special())
        .any(|c| !a.special_categories.iter().any(|t| &t.category == c && !t.safeguards.trim().is_empty()))
}

fn special_term() -> impl Strategy<Value = SpecialCategoryTerm> {
    (proptest::sample::select(DataCategory::BUILT_IN), proptest::sample::select(vec!["", " \n", "encrypted"])).prop_map(
        |(category, safeguards)| SpecialCategoryTerm {
            category,
            condition: SpecialCategoryCondition::ExplicitConsent,
            safeguards: safeguards.to_owned(),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(256)))]

    #[test]
    fn art_9_2_validate_agrees_with_the_quadratic_reference(
        categories in proptest::collection::vec(proptest::sample::select(DataCategory::BUILT_IN), 0..12),
        terms in proptest::collection::vec(special_term(), 0..12),
    ) {
        let mut a = Scene::new().main;
        a.data_categories = categories;
        a.special_categories = terms;
        let found = a.validate().iter().any(|d| d.element == Element::SpecialCategorySafeguards);
        prop_assert_eq!(found, art_9_2_uncovered_by_scanning(&a));
    }
}

#[test]
fn art_9_2_validate_of_a_large_agreement_is_linear() {
    // The shape that made the scan quadratic: every listed category is covered only by the
    // last term. 200,000 × 200,000 comparisons would take minutes; one pass takes milliseconds.
    let n = 200_000;
    let mut a = Scene::new().main;
    a.data_categories = vec![DataCategory::Health; n];
    let term = |category, safeguards: &str| SpecialCategoryTerm {
        category,
        condition: SpecialCategoryCondition::ExplicitConsent,
        safeguards: safeguards.to_owned(),
    };
    a.special_categories = vec![term(DataCategory::Genetic, "s"); n];
    a.special_categories.push(term(DataCategory::Health, "encrypted"));
    assert_eq!(a.validate(), []);
    a.special_categories.pop();
    assert_eq!(articles(&a), ["Art. 9(2)"]);
}

#[test]
fn art_28_3_a_json_array_is_not_an_agreement() {
    let a = Scene::new().main;
    let positional = serde_json::json!([a.id, a.principal, a.processor]);
    let error = serde_json::from_value::<ProcessingAgreement>(positional).unwrap_err().to_string();
    assert!(error.contains("expected a JSON object, not an array"), "{error}");
    // The object with the same three fields is a draft that parses.
    let object = serde_json::json!({"id": a.id, "principal": a.principal, "processor": a.processor});
    assert!(serde_json::from_value::<ProcessingAgreement>(object).is_ok());
}

#[test]
fn art_28_3_control_and_bidi_override_characters_in_free_text_are_refused_by_position() {
    let a = Scene::new().main;
    let with = |field: &str, text: &str| {
        let mut value = serde_json::to_value(&a).unwrap();
        value[field] = serde_json::json!(text);
        serde_json::from_value::<ProcessingAgreement>(value).map_err(|e| e.to_string())
    };
    let error = with("subject_matter", "chat for Jana Nováková\u{0}").unwrap_err();
    assert!(error.contains("subject_matter: holds a control character at character 22"), "{error}");
    assert!(!error.contains("Nováková"), "the error repeats the text: {error}");
    let error = with("audits", "audits \u{202E}txt.exe").unwrap_err();
    assert!(
        error.contains("audits: holds a bidirectional embedding, override or isolate character at character 7"),
        "{error}"
    );
    let mut value = serde_json::to_value(&a).unwrap();
    value["security_measures"] = serde_json::json!(["TLS", "AES\u{2066}"]);
    let error = serde_json::from_value::<ProcessingAgreement>(value).unwrap_err().to_string();
    assert!(error.contains("security_measures[1]: holds a bidirectional"), "{error}");
    // Line breaks, tabs and the right-to-left mark stay allowed.
    assert!(with("nature", "storage,\r\n\ttransmission \u{200F}and deletion").is_ok());
}

#[test]
fn art_45_1_partial_adequacy_needs_dated_evidence_that_the_importer_is_covered() {
    // Legal review M1: Decision (EU) 2023/1795 covers only organisations on the Data Privacy
    // Framework list; relying on it without evidence that the importer is listed is no ground.
    let mut s = Scene::new();
    s.main.sub_processing = Some(SubProcessorAuthorisation::General {
        agreed: vec![s.hosting.id(), s.translator.id()],
        objection_window_days: 14,
    });
    s.translator_agreement.processing_locations =
        vec![ProcessingLocation::new(Country::US).with_mechanism(TransferMechanism::AdequacyDecision)];
    let found = s.translator_agreement.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].element, found[0].article.to_string()), (Element::TransferMechanism, "Art. 45(1)".to_owned()));
    let chain = s.chain(vec![]);
    let r = reasons(chain.decide(&s.query(&s.translator, "2026-06-01T00:00:00Z")));
    assert!(r.contains(&RefusalReason::AdequacyCoverageNotRecorded { country: Country::US }), "{r:?}");
    assert_eq!(RefusalReason::AdequacyCoverageNotRecorded { country: Country::US }.article().to_string(), "Art. 45(1)");
    s.translator_agreement.processing_locations =
        vec![testkit::located(Country::US, TransferMechanism::AdequacyDecision)];
    assert!(s.translator_agreement.validate().is_empty());
    assert!(s.chain(vec![]).decide(&s.query(&s.translator, "2026-06-01T00:00:00Z")).is_allowed());
}

#[test]
fn art_46_1_processing_on_clauses_needs_a_transfer_impact_assessment() {
    // Legal review M8: C-311/18 and Clause 14 of the 2021/914 clauses: a transfer on an
    // Art. 46 safeguard needs an assessment of the destination's law on record.
    let mut s = Scene::new();
    s.translator_agreement.processing_locations = vec![
        ProcessingLocation::new(Country::US)
            .with_mechanism(TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor }),
    ];
    let found = s.translator_agreement.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].element, found[0].article.to_string()),
        (Element::TransferAssessment, "Art. 46(1)".to_owned())
    );
    let r = reasons(s.chain(vec![]).decide(&s.query(&s.translator, "2026-06-01T00:00:00Z")));
    assert!(r.contains(&RefusalReason::TransferAssessmentMissing { country: Country::US }), "{r:?}");
}

#[test]
fn art_49_1_derogation_is_refused_as_a_standing_processing_location() {
    // Legal review D6: derogations are for occasional transfers in specific situations
    // (Recital 111; EDPB Guidelines 2/2018), never a processor's standing location.
    let mut s = Scene::new();
    s.translator_agreement.processing_locations = vec![
        ProcessingLocation::new(Country::US)
            .with_mechanism(TransferMechanism::Derogation { point: DerogationPoint::ExplicitConsent }),
    ];
    let found = s.translator_agreement.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].article.to_string(), "Art. 49(1)");
    let r = reasons(s.chain(vec![]).decide(&s.query(&s.translator, "2026-06-01T00:00:00Z")));
    assert!(r.contains(&RefusalReason::DerogationForStandingProcessing { country: Country::US }), "{r:?}");
}

#[test]
fn art_44_sub_processor_established_in_a_third_country_is_a_transfer_destination() {
    // Issue 19 (EDPB Guidelines 05/2021): a US sub-processor built from the sub-processing
    // template, whose listed location is Czechia, is still an importer in the US.
    let mut s = Scene::new();
    s.translator_agreement =
        ProcessingAgreement::sub_processing_template(&s.main, s.translator.id(), testkit::signed_facts());
    assert_eq!(s.translator_agreement.processing_locations, [ProcessingLocation::new(Country::CZ)]);
    s.main.sub_processing = Some(SubProcessorAuthorisation::General {
        agreed: vec![s.hosting.id(), s.translator.id()],
        objection_window_days: 14,
    });
    let chain = s.chain(vec![]);
    let q = s.query(&s.translator, "2026-06-01T00:00:00Z");
    assert_eq!(reasons(chain.decide(&q)), [RefusalReason::TransferWithoutMechanism { country: Country::US }]);
    assert_eq!(chain.decide(&q), chain.decide_slowly(&q));
    // Its Czech location does not need a mechanism; its establishment does.
    s.translator_agreement.processing_locations.push(testkit::located(
        Country::US,
        TransferMechanism::StandardContractualClauses { module: SccModule::ProcessorToProcessor },
    ));
    assert!(s.chain(vec![]).decide(&q).is_allowed());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(64)))]

    #[test]
    fn art_44_no_transfer_to_a_third_country_importer_without_a_mechanism_in_force_and_covering_it(
        established in prop_oneof![Just(Country::US), Just(Country::CZ), Just(Country::IN), Just(Country::GB), Just(Country::IL), testkit::country()],
        locations in proptest::collection::vec(
            (
                prop_oneof![Just(Country::US), Just(Country::DE), Just(Country::JP), Just(Country::GB), testkit::country()],
                proptest::option::of(testkit::transfer_mechanism()),
                any::<bool>(),
                any::<bool>(),
            ),
            0..3,
        ),
        days in 0i64..12_000,
    ) {
        // Legal review M1, M8, D6 and the issue's rule, over parties, locations, mechanisms and
        // dates: whenever the chain allows, every third-country destination (each location and
        // the processor's establishment) has a mechanism in force on the date that covers it.
        let acme = party("ACME s.r.o.", Country::CZ);
        let importer = party("Importer", established);
        let mut main = ProcessingAgreement::template(acme.id(), importer.id(), testkit::signed_facts());
        main.valid_from = NaiveDate::from_ymd_opt(1999, 1, 1);
        main.signed_on = main.valid_from;
        main.processing_locations = locations
            .iter()
            .map(|&(country, mechanism, covered, assessed)| {
                let mut l = ProcessingLocation::new(country);
                l.mechanism = mechanism;
                let full = testkit::located(country, TransferMechanism::AdequacyDecision);
                if covered { l.adequacy_coverage = full.adequacy_coverage.clone(); }
                if assessed { l.transfer_assessment = full.transfer_assessment; }
                l
            })
            .collect();
        let chain = ProcessingChain::build([acme.clone(), importer.clone()], [main.clone()], []).unwrap();
        let when = at("2000-01-01T12:00:00Z") + TimeDelta::days(days);
        let date = when.date_naive();
        let q = Query {
            party: importer.id(),
            controller: acme.id(),
            category: &main.data_categories[0],
            purpose: &main.purposes[0],
            at: when,
        };
        let decision = chain.decide(&q);
        prop_assert_eq!(&decision, &chain.decide_slowly(&q), "fast and slow paths agree");
        let destinations = main.locations_for(established);
        if !established.is_eea() {
            prop_assert!(destinations.iter().any(|l| l.country == established), "the establishment is a destination");
        }
        let covered = |l: &ProcessingLocation| match l.mechanism {
            None => false,
            Some(m) if m.is_derogation() => false,
            Some(TransferMechanism::AdequacyDecision) => l.country.adequacy_on(date).is_some_and(|a| {
                a.scope == gdpr_obligations::vocab::AdequacyScope::Full || l.adequacy_coverage.is_some()
            }),
            Some(m) => !m.needs_transfer_assessment() || l.transfer_assessment.is_some(),
        };
        let all_covered = destinations.iter().all(|l| l.country.is_eea() || covered(l));
        prop_assert_eq!(decision.is_allowed(), all_covered, "{:?} {:?}", destinations, decision);
    }
}

#[test]
fn art_28_3_a_processor_informs_the_controller_of_a_legal_requirement_before_processing() {
    // Legal review M15: Art. 28(3)(a), second half, is an element of its own.
    let mut a = Scene::new().main;
    a.legal_requirement_notice = None;
    let found = a.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].element, Element::LegalRequirementNotice);
    assert_eq!(found[0].article.to_string(), "Art. 28(3)(a)");
}

#[test]
fn art_28_4_initial_processor_remains_fully_liable_for_its_sub_processors() {
    // Legal review M15: Art. 28(4), second sentence, required wherever sub-processing is allowed.
    let mut a = Scene::new().main;
    a.sub_processor_liability = Some("  ".to_owned());
    let found = a.validate();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].element, Element::SubProcessorLiability);
    assert_eq!(found[0].article.to_string(), "Art. 28(4)");
    a.sub_processing = Some(SubProcessorAuthorisation::Prohibited);
    assert_eq!(a.validate(), [], "no sub-processor, no liability clause needed");
}

#[test]
fn art_28_10_processor_processing_for_a_purpose_outside_its_instructions_is_a_controller() {
    // Legal review M15: Art. 28(10) reclassification.
    let s = Scene::new();
    assert_eq!(s.main.reclassification(&Purpose::CustomerCare), None);
    let own = s.main.reclassification(&Purpose::Marketing).expect("marketing is not instructed");
    assert_eq!(own.controller, s.vendor.id());
    assert_eq!(own.agreement, s.main.id);
    assert_eq!(own.purpose, Purpose::Marketing);
    assert_eq!(own.article.to_string(), "Art. 28(10)");
    assert!(own.to_string().starts_with("Art. 28(10): "));
}

#[test]
fn art_33_2_breach_notice_over_48_hours_is_warned_and_over_72_is_not_without_undue_delay() {
    // Legal review D7: the cap rests on Art. 33(2) itself (the controller becomes aware when
    // informed), and anything above 48 hours is flagged.
    let mut a = Scene::new().main;
    for hours in [1, 24, 48] {
        a.breach_notice_hours = Some(hours);
        assert_eq!(a.warnings(), [], "{hours} h");
        assert_eq!(a.validate(), [], "{hours} h");
    }
    for hours in [49, 72] {
        a.breach_notice_hours = Some(hours);
        let warnings = a.warnings();
        assert_eq!(warnings.len(), 1, "{hours} h");
        assert_eq!(warnings[0].element, Element::BreachNotice);
        assert_eq!(warnings[0].article.to_string(), "Art. 33(2)");
        assert_eq!(a.validate(), [], "{hours} h is accepted");
    }
    a.breach_notice_hours = Some(73);
    let found = a.validate();
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("without undue delay"), "{}", found[0].message);
    assert!(!found[0].message.contains("Art. 33(1)"), "the processor's hours do not consume the controller's 72");
    assert_eq!(a.warnings(), [], "a deficiency, not also a warning");
}

#[test]
fn art_28_9_templates_assert_no_signature_duration_or_measures_nobody_gave() {
    // Legal review, templates with no invented facts: what the caller did not say stays out and
    // is listed as missing.
    let (controller, processor, sub) = (PartyId::generate(), PartyId::generate(), PartyId::generate());
    let draft = ProcessingAgreement::template(controller, processor, AgreementFacts::unknown());
    assert_eq!((draft.signed_on, draft.valid_from, draft.valid_until, draft.written_form), (None, None, None, None));
    assert!(draft.security_measures.is_empty());
    assert_eq!(articles(&draft), ["Art. 28(3)", "Art. 28(3)(c)", "Art. 28(9)"]);

    let main = ProcessingAgreement::template(controller, processor, testkit::signed_facts());
    assert_eq!(main.validate(), []);
    let sub_draft = ProcessingAgreement::sub_processing_template(&main, sub, AgreementFacts::unknown());
    assert_eq!((sub_draft.signed_on, sub_draft.valid_from), (None, None), "never the parent's dates");
    assert_eq!(articles(&sub_draft), ["Art. 28(3)", "Art. 28(3)(c)", "Art. 28(9)"]);

    let day = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let facts = AgreementFacts::signed(WrittenForm::Paper, day)
        .in_force(day, NaiveDate::from_ymd_opt(2027, 8, 31))
        .security_measures(["encryption at rest"]);
    let given = ProcessingAgreement::sub_processing_template(&main, sub, facts);
    assert_eq!(given.signed_on, Some(day));
    assert_eq!(given.written_form, Some(WrittenForm::Paper));
    assert_eq!(given.valid_from, Some(day));
    assert_eq!(given.valid_until, NaiveDate::from_ymd_opt(2027, 8, 31));
    assert_eq!(given.security_measures, ["encryption at rest"]);
    assert_eq!(given.validate(), []);
}

#[test]
fn art_28_1_guarantees_assessment_is_dated_evidenced_and_reviewed() {
    // Legal review M7: the assessment's checks run in the constructor and in decoding.
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let code = GuaranteeEvidence::CodeOfConduct { name: "EU Cloud Code of Conduct".to_owned() };
    let ok = GuaranteesAssessment::new(day(2, 1), "DPO", vec![code.clone()], day(8, 1)).unwrap();
    assert_eq!((ok.assessed_on(), ok.next_review()), (day(2, 1), day(8, 1)));
    let mut a = Scene::new().main;
    a.guarantees = Some(ok.clone());
    assert_json_contract(&a);
    assert_eq!(a.validate(), [], "not a clause of the agreement");

    let refused = [
        GuaranteesAssessment::new(day(2, 1), " ", vec![code.clone()], day(8, 1)),
        GuaranteesAssessment::new(day(2, 1), "DPO", vec![], day(8, 1)),
        GuaranteesAssessment::new(day(2, 1), "DPO", vec![code.clone()], day(2, 1)),
    ];
    for r in refused {
        let e = r.unwrap_err();
        assert_eq!(e.article.map(|a| a.to_string()).as_deref(), Some("Art. 28(1)"), "{e}");
    }
    let mut json = serde_json::to_value(&ok).unwrap();
    json["next_review"] = "2026-01-01".into();
    assert!(serde_json::from_value::<GuaranteesAssessment>(json).is_err(), "decoding runs the same checks");
}
