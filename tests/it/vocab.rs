//! The vocabularies: storage names, JSON, JSON Schema and DPV concepts of every term.

use crate::common;

use common::{assert_json_contract, assert_schema_rejects};
use gdpr_obligations::testkit;
use gdpr_obligations::vocab::{
    AdequacyScope, Article, Country, DataCategory, DerogationPoint, Destination, InternationalOrganisation, LegalBasis,
    Purpose, Right, Role, SccModule, SpecialCategoryCondition, SubjectCategory, TransferMechanism, rights,
};
use proptest::prelude::*;

macro_rules! every_term_round_trips {
    ($($test:ident: $ty:ty),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let mut iris = std::collections::HashSet::new();
                for term in <$ty>::BUILT_IN {
                    assert_eq!(term.as_str().parse::<$ty>().as_ref(), Ok(term), "storage name {}", term.as_str());
                    assert_eq!(serde_json::to_value(term).unwrap(), serde_json::Value::from(term.as_str()));
                    assert_json_contract(term);
                    let iri = term.dpv_iri();
                    assert!(iri.starts_with("https://w3id.org/dpv"), "{iri}");
                    iris.insert(iri);
                    let name = term.as_str();
                    assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "snake_case: {name}");
                }
                assert_schema_rejects::<$ty>(&serde_json::json!("not_a_term"));
                assert_schema_rejects::<$ty>(&serde_json::json!(7));
            }
        )*
    };
}

every_term_round_trips!(
    legal_basis_terms: LegalBasis,
    special_category_condition_terms: SpecialCategoryCondition,
    data_category_terms: DataCategory,
    subject_category_terms: SubjectCategory,
    purpose_terms: Purpose,
    right_terms: Right,
    role_terms: Role,
    scc_module_terms: SccModule,
    derogation_point_terms: DerogationPoint,
    international_organisation_terms: InternationalOrganisation,
);

#[test]
fn closed_vocabularies_map_to_distinct_dpv_concepts() {
    fn distinct<T: Copy>(terms: &[T], iri: impl Fn(T) -> String) {
        let iris: std::collections::HashSet<String> = terms.iter().map(|t| iri(*t)).collect();
        assert_eq!(iris.len(), terms.len());
    }
    distinct(LegalBasis::BUILT_IN, |t| t.dpv_iri().into_owned());
    distinct(SpecialCategoryCondition::BUILT_IN, |t| t.dpv_iri().into_owned());
    distinct(Right::BUILT_IN, |t| t.dpv_iri().into_owned());
    distinct(Role::BUILT_IN, |t| t.dpv_iri().into_owned());
    distinct(DerogationPoint::BUILT_IN, |t| t.dpv_iri().into_owned());
}

#[test]
fn art_6_1_legal_bases_cite_their_points() {
    let points: Vec<String> = LegalBasis::BUILT_IN.iter().map(|b| b.article().to_string()).collect();
    assert_eq!(
        points,
        ["Art. 6(1)(a)", "Art. 6(1)(b)", "Art. 6(1)(c)", "Art. 6(1)(d)", "Art. 6(1)(e)", "Art. 6(1)(f)"]
    );
    assert_eq!(LegalBasis::Consent.dpv_iri(), "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a");
}

#[test]
fn art_9_2_conditions_cite_points_a_to_j() {
    let last = SpecialCategoryCondition::BUILT_IN.last().unwrap();
    assert_eq!(SpecialCategoryCondition::BUILT_IN.len(), 10);
    assert_eq!(last.article().to_string(), "Art. 9(2)(j)");
    assert_eq!(last.dpv_iri(), "https://w3id.org/dpv/legal/eu/gdpr#A9-2-j");
}

#[test]
fn transfer_mechanisms_round_trip_in_storage_and_json() {
    for m in TransferMechanism::all() {
        assert_eq!(m.as_str().parse::<TransferMechanism>(), Ok(m), "{}", m.as_str());
        assert_json_contract(&m);
    }
    let json = serde_json::to_value(TransferMechanism::Derogation { point: DerogationPoint::ExplicitConsent }).unwrap();
    assert_eq!(json, serde_json::json!({"mechanism": "derogation", "point": "49_1_a"}));
    assert_eq!(
        TransferMechanism::Derogation { point: DerogationPoint::CompellingLegitimateInterests }.article().to_string(),
        "Art. 49(1), second subparagraph"
    );
    assert!("standard_contractual_clauses.module_9".parse::<TransferMechanism>().is_err());
    assert!("derogation".parse::<TransferMechanism>().is_err());
    assert_schema_rejects::<TransferMechanism>(&serde_json::json!({"mechanism": "standard_contractual_clauses"}));
}

#[test]
fn countries_round_trip_and_reject_non_codes() {
    for c in Country::all() {
        assert_eq!(c.as_str().parse::<Country>(), Ok(c));
        assert_json_contract(&c);
        assert_eq!(c.dpv_iri(), format!("https://w3id.org/dpv/loc#{c}"));
    }
    assert!(serde_json::from_str::<Country>("\"XX\"").is_err());
    assert_schema_rejects::<Country>(&serde_json::json!("cz"));
}

#[test]
fn art_20_1_a_rights_table_is_consistent_with_available_rights() {
    for basis in LegalBasis::BUILT_IN {
        for purpose in Purpose::BUILT_IN {
            let listed = rights::available_rights(*basis, purpose);
            for right in Right::BUILT_IN {
                assert_eq!(listed.contains(right), rights::availability(*right, *basis, purpose).is_ok());
            }
        }
    }
    let refusal =
        rights::availability(Right::Portability, LegalBasis::LegalObligation, &Purpose::LegalCompliance).unwrap_err();
    assert_json_contract(&refusal);
}

proptest! {
    #[test]
    fn custom_terms_round_trip(category in testkit::data_category(), purpose in testkit::purpose(), subject in testkit::subject_category()) {
        prop_assert_eq!(category.as_str().parse::<DataCategory>(), Ok(category.clone()));
        prop_assert_eq!(purpose.as_str().parse::<Purpose>(), Ok(purpose.clone()));
        prop_assert_eq!(subject.as_str().parse::<SubjectCategory>(), Ok(subject.clone()));
        assert_json_contract(&category);
        assert_json_contract(&purpose);
        assert_json_contract(&subject);
    }

    #[test]
    fn articles_print_and_parse_back(article in testkit::article()) {
        prop_assert_eq!(article.to_string().parse::<Article>(), Ok(article));
        assert_json_contract(&article);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}") {
        let _ = s.parse::<Article>();
        let _ = s.parse::<DataCategory>();
        let _ = s.parse::<LegalBasis>();
        let _ = s.parse::<TransferMechanism>();
        let _ = s.parse::<Country>();
        let _ = serde_json::from_str::<TransferMechanism>(&s);
    }

    #[test]
    fn art_44_transfer_needs_safeguard_only_outside_eea_without_adequacy(country in testkit::country(), days in 0i64..20_000) {
        let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::TimeDelta::days(days);
        let needs = country.needs_transfer_safeguard(date);
        prop_assert_eq!(needs, !country.is_eea() && country.adequacy_on(date).is_none());
        if country.is_eea() { prop_assert!(!needs); }
    }
}

#[test]
fn art_45_3_israel_adequacy_covers_only_automated_transfers() {
    // Legal review W8: Decision 2011/61/EU finds Israel adequate only for automated
    // international transfers and data subject to further automated processing there.
    let on = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let israel = Country::IL.adequacy_on(on).expect("Decision 2011/61/EU is in force");
    assert_eq!(israel.decision, "2011/61/EU");
    assert_eq!(
        israel.scope,
        AdequacyScope::Partial(
            "automated international transfers, or data subject to further automated processing in Israel"
        )
    );
}

#[test]
fn art_45_3_brazil_decision_is_named_by_its_number() {
    // Legal review section 5 (adequacy table): the Brazil decision is Commission Implementing
    // Decision (EU) 2026/179 of 26 January 2026.
    let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 26).unwrap();
    let brazil = Country::BR.adequacy_on(on).expect("in force from its adoption");
    assert!(brazil.decision.contains("(EU) 2026/179"), "{}", brazil.decision);
    assert!(Country::BR.adequacy_on(on.pred_opt().unwrap()).is_none());
}

#[test]
fn art_46_every_safeguard_route_and_international_organisations_are_expressible() {
    // Legal review M14: Chapter V covers international organisations (the European Patent
    // Organisation's adequacy decision of 15 July 2025) and every route of Art. 46(2) and (3).
    let articles: Vec<String> = TransferMechanism::all()
        .filter(|m| {
            !matches!(m, TransferMechanism::StandardContractualClauses { .. } | TransferMechanism::Derogation { .. })
        })
        .map(|m| m.article().to_string())
        .collect();
    assert_eq!(
        articles,
        [
            "Art. 45(3)",
            "Art. 46(2)(a)",
            "Art. 46(2)(b)",
            "Art. 46(2)(d)",
            "Art. 46(2)(e)",
            "Art. 46(2)(f)",
            "Art. 46(3)(a)",
            "Art. 46(3)(b)"
        ]
    );
    assert_eq!(TransferMechanism::CodeOfConduct.dpv_iri(), "https://w3id.org/dpv/legal/eu/gdpr#A46-2-e");
    let json = serde_json::to_value(TransferMechanism::Certification).unwrap();
    assert_eq!(json, serde_json::json!({"mechanism": "certification"}));
    let epo = Destination::InternationalOrganisation(InternationalOrganisation::EuropeanPatentOrganisation);
    assert_eq!("european_patent_organisation".parse::<Destination>(), Ok(epo));
    assert_eq!(serde_json::to_value(epo).unwrap(), serde_json::json!("european_patent_organisation"));
    assert_eq!(
        serde_json::from_value::<Destination>(serde_json::json!("US")).unwrap(),
        Destination::Country(Country::US)
    );
    assert_json_contract(&epo);
    assert_json_contract(&Destination::Country(Country::IN));
    assert!(!epo.is_eea());
    let d = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert!(epo.adequacy_on(d(2025, 7, 14)).is_none());
    let decision = epo.adequacy_on(d(2025, 7, 15)).expect("adopted 15 July 2025");
    assert_eq!(decision.scope, AdequacyScope::Full);
    assert!("XX".parse::<Destination>().is_err() && "un".parse::<Destination>().is_err());
    assert_schema_rejects::<Destination>(&serde_json::json!("world_bank"));
}

#[test]
fn roles_on_behalf_need_art_28() {
    assert!(Role::Processor.acts_on_behalf() && Role::SubProcessor.acts_on_behalf());
    assert!(!Role::Controller.acts_on_behalf());
    assert_eq!(Role::SubProcessor.article().to_string(), "Art. 28(4)");
    assert_eq!(SccModule::ProcessorToProcessor.as_str(), "module_3");
}
