//! The core model: validation with articles, JSON contracts and property tests.

use crate::common;

use common::assert_json_contract;
use gdpr_obligations::model::{
    ActivityId, AdequacyCoverage, Contact, Controllers, DataSubject, Digest, EmailAddress, LocalizedText, Party,
    PartyId, PersonalDataRecord, PhoneNumber, PostalAddress, ProcessingActivity, ProcessingActivityRepr, PurposeSpec,
    Recipient, RecordId, RegistrationNumber, Retention, SourceName, SubjectId, SubjectIdentifier, TaxId, Text, Token,
    Transfer, TransferAssessment,
};
use gdpr_obligations::testkit;
use gdpr_obligations::vocab::Language;
use gdpr_obligations::vocab::{
    Country, DataCategory, DerogationPoint, Destination, InternationalOrganisation, LegalBasis, Purpose, Role,
    SccModule, SpecialCategoryCondition, SubjectCategory, TransferMechanism,
};
use proptest::prelude::*;

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// A free text in English only: the documents of these tests are written in English.
fn en(s: &str) -> LocalizedText {
    LocalizedText::new(Language::EN, text(s))
}

fn chat_activity() -> ProcessingActivityRepr {
    ProcessingActivity::builder(
        en("Website chat customer care"),
        Controllers::Sole { controller: PartyId::generate() },
        Retention::MonthsAfter { event: en("the visitor's last conversation"), months: 24 },
    )
    .purpose(
        PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests)
            .with_legitimate_interests(en("answering visitors' questions about orders")),
    )
    .data_categories([DataCategory::Identification, DataCategory::Contact, DataCategory::CommunicationContent])
    .subject_categories([SubjectCategory::Visitor])
    .security_measures([en("TLS in transit, encryption at rest")])
    .build()
    .expect("a valid chat activity")
    .into_fields()
}

fn articles(err: &gdpr_obligations::model::ModelError) -> Vec<String> {
    err.problems().iter().filter_map(|p| p.article.map(|a| a.to_string())).collect()
}

#[test]
fn a_valid_chat_activity_is_accepted_and_round_trips() {
    let activity = ProcessingActivity::new(chat_activity()).unwrap();
    assert_json_contract(&activity);
}

#[test]
fn art_13_1_d_legitimate_interests_must_be_stated() {
    let mut r = chat_activity();
    r.purposes[0].legitimate_interests = None;
    let err = ProcessingActivity::new(r).unwrap_err();
    assert_eq!(articles(&err), ["Art. 13(1)(d)"]);
    assert_eq!(err.problems()[0].field, "purposes[0].legitimate_interests");
}

#[test]
fn art_9_1_chat_text_that_may_reveal_special_categories_needs_a_9_2_condition() {
    let mut r = chat_activity();
    r.may_contain_special_categories = true;
    assert_eq!(articles(&ProcessingActivity::new(r.clone()).unwrap_err()), ["Art. 9(1)"]);
    r.purposes[0].special_category_condition = Some(SpecialCategoryCondition::ExplicitConsent);
    assert!(ProcessingActivity::new(r).unwrap().involves_special_categories());
}

#[test]
fn art_10_criminal_data_need_an_authority() {
    let mut r = chat_activity();
    r.data_categories.push(DataCategory::CriminalOffences);
    assert_eq!(articles(&ProcessingActivity::new(r).unwrap_err()), ["Art. 10"]);
}

#[test]
fn art_26_1_joint_control_needs_two_distinct_controllers() {
    let mut r = chat_activity();
    let one = PartyId::generate();
    r.controllers = Controllers::Joint { controllers: vec![one, one], arrangement: en("arrangement of 1 May") };
    assert_eq!(articles(&ProcessingActivity::new(r).unwrap_err()), ["Art. 26(1)"]);
}

#[test]
fn art_44_transfer_outside_the_eea_needs_a_mechanism() {
    let mut r = chat_activity();
    r.transfers.push(Transfer::new(text("Translation Inc."), Country::US));
    r.transfers.push(Transfer::new(text("Hosting GmbH"), Country::DE));
    let err = ProcessingActivity::new(r).unwrap_err();
    assert_eq!(articles(&err), ["Art. 44"]);
    assert_eq!(err.problems()[0].field, "transfers[0].mechanism");
}

#[test]
fn art_30_1_e_compelling_interest_transfer_documents_safeguards() {
    let mut r = chat_activity();
    r.transfers.push(
        Transfer::new(text("Consultant"), Country::IN)
            .with_mechanism(TransferMechanism::Derogation { point: DerogationPoint::CompellingLegitimateInterests })
            .with_compelling_interest_information(
                "2026-03-02T09:00:00Z".parse().unwrap(),
                text("told in the notice, with the interests pursued"),
            ),
    );
    assert_eq!(articles(&ProcessingActivity::new(r).unwrap_err()), ["Art. 30(1)(e)"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut r = chat_activity();
    r.purposes.clear();
    r.data_categories.clear();
    r.subject_categories.clear();
    r.retention = Retention::Months { months: 0 };
    let err = ProcessingActivity::new(r).unwrap_err();
    assert_eq!(articles(&err), ["Art. 5(1)(b)", "Art. 30(1)(c)", "Art. 30(1)(c)", "Art. 5(1)(e)"]);
    assert!(err.to_string().starts_with("Art. 5(1)(b): purposes: "), "{err}");
}

#[test]
fn invalid_activity_json_is_an_error_not_a_panic() {
    let mut json = serde_json::to_value(ProcessingActivity::new(chat_activity()).unwrap()).unwrap();
    json["purposes"] = serde_json::json!([]);
    let err = serde_json::from_value::<ProcessingActivity>(json).unwrap_err();
    assert!(err.to_string().contains("Art. 5(1)(b)"), "{err}");
    assert!(serde_json::from_str::<ProcessingActivity>("{}").is_err());
    assert!(serde_json::from_str::<ProcessingActivity>("[1,2]").is_err());
}

#[test]
fn art_5_1_e_retention_cannot_end_before_collection() {
    let now = chrono::Utc::now();
    let err = PersonalDataRecord::builder(
        PartyId::generate(),
        SubjectId::generate(),
        SourceName::new("chat_history").unwrap(),
        text("conversation/1/message/1"),
    )
    .id(RecordId::generate())
    .category(DataCategory::CommunicationContent)
    .purpose(Purpose::CustomerCare)
    .basis(LegalBasis::Contract)
    .collected_at(now)
    .retained_until(now - chrono::TimeDelta::seconds(1))
    .build()
    .unwrap_err();
    assert_eq!(articles(&err), ["Art. 5(1)(e)"]);
}

#[test]
fn party_with_every_field_round_trips() {
    let dpo = Contact::new(text("Jana Nováková"), EmailAddress::new("dpo@acme.example").unwrap())
        .with_phone(PhoneNumber::new("+420 601 123 456").unwrap());
    let party = Party::builder("ACME s.r.o.", Country::CZ)
        .registration_number("25596641")
        .tax_id("CZ25596641")
        .address(PostalAddress {
            street: text("Náměstí 1"),
            city: text("Praha"),
            postal_code: text("110 00"),
            country: Country::CZ,
        })
        .contact_email("privacy@acme.example")
        .dpo(dpo)
        .build()
        .unwrap();
    assert_json_contract(&party);
    assert_eq!(party.registration_number().unwrap().to_string(), "CZ:25596641");
    assert!(!party.lacks_eu_representative());
}

#[test]
fn party_builder_reports_every_bad_field() {
    let err = Party::builder(" ", Country::CZ)
        .registration_number("12345678")
        .tax_id("CZ1")
        .contact_email("x")
        .build()
        .unwrap_err();
    let fields: Vec<_> = err.problems().iter().map(|p| p.field.to_string()).collect();
    assert_eq!(fields, ["legal_name", "registration_number", "tax_id", "contact_email"]);
}

#[test]
fn validated_strings_reject_bad_json() {
    assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    assert!(serde_json::from_str::<PhoneNumber>("\"12345\"").is_err());
    assert!(serde_json::from_str::<TaxId>("\"CZ12\"").is_err());
    assert!(serde_json::from_str::<RegistrationNumber>("\"CZ:00000002\"").is_err());
    assert!(serde_json::from_str::<Text>("\"   \"").is_err());
    assert!(serde_json::from_str::<Token>("\"a b\"").is_err());
    assert!(serde_json::from_str::<SubjectIdentifier>(r#"{"kind":"email","value":"@"}"#).is_err());
    assert!(serde_json::from_str::<SubjectIdentifier>(r#"{"kind":"shoe_size","value":"42"}"#).is_err());
    assert!(
        serde_json::from_str::<DataSubject>(&format!(
            r#"{{"id":"{}","controller":"{}","categories":["visitor"],"identifiers":[]}}"#,
            SubjectId::generate(),
            PartyId::generate()
        ))
        .is_err()
    );
}

#[test]
fn subject_identifiers_match_case_insensitively_where_the_kind_does() {
    let a = SubjectIdentifier::Email(EmailAddress::new("Eva@Example.cz").unwrap());
    let b = SubjectIdentifier::Email(EmailAddress::new("eva@EXAMPLE.CZ").unwrap());
    assert!(a.matches(&b));
    let t1 = SubjectIdentifier::ChatVisitorToken(Token::new("AbC").unwrap());
    let t2 = SubjectIdentifier::ChatVisitorToken(Token::new("abc").unwrap());
    assert!(!t1.matches(&t2), "tokens are exact");
    let mut subject =
        DataSubject::new(SubjectId::generate(), PartyId::generate(), vec![SubjectCategory::Visitor], vec![a]).unwrap();
    assert!(!subject.add_identifier(b.clone()));
    assert!(subject.is_identified_by(&b));
    assert!(subject.add_identifier(t1));
    assert_eq!(subject.identifiers().len(), 2);
    assert_json_contract(&subject);
}

#[test]
fn ids_are_distinct_types_with_uuid_v7() {
    let id = PartyId::generate();
    assert_eq!(id.as_uuid().get_version_num(), 7);
    assert_eq!(id.to_string().parse::<PartyId>(), Ok(id));
    assert_json_contract(&id);
    assert!("not-a-uuid".parse::<RecordId>().is_err());
}

proptest! {
    #[test]
    fn activities_round_trip_through_json(activity in testkit::processing_activity()) {
        assert_json_contract(&activity);
    }

    #[test]
    fn records_round_trip_and_expire_only_after_their_end(record in testkit::personal_data_record(), secs in 0i64..1_000_000) {
        assert_json_contract(&record);
        if let Some(until) = record.retained_until() {
            prop_assert!(!record.is_expired(until));
            prop_assert!(record.is_expired(until + chrono::TimeDelta::seconds(secs + 1)));
        } else {
            prop_assert!(!record.is_expired(record.collected_at() + chrono::TimeDelta::days(100_000)));
        }
    }

    #[test]
    fn identifiers_round_trip_and_match_themselves(id in testkit::subject_identifier()) {
        assert_json_contract(&id);
        prop_assert!(id.matches(&id));
        prop_assert!(id.normalised().starts_with(id.kind()));
    }

    #[test]
    fn parties_round_trip(party in testkit::party()) {
        assert_json_contract(&party);
    }

    #[test]
    fn constructors_never_panic(s in "\\PC{0,60}") {
        let _ = EmailAddress::new(&s);
        let _ = PhoneNumber::new(&s);
        let _ = TaxId::new(&s);
        let _ = RegistrationNumber::new(Country::CZ, &s);
        let _ = Text::new(&s);
        let _ = Token::new(&s);
        let _ = SourceName::new(&s);
        let _ = s.parse::<Digest>();
        let _ = Party::builder(&s, Country::CZ).contact_email(&s).tax_id(&s).registration_number(&s).build();
        let _ = serde_json::from_str::<ProcessingActivity>(&s);
        let _ = serde_json::from_str::<Party>(&s);
    }
}

// ---- construction ----

#[test]
fn art_5_1_b_activity_builder_reports_every_problem_at_once_as_the_decoder_does() {
    let builder = ProcessingActivity::builder(
        en("Chat"),
        Controllers::Sole { controller: PartyId::generate() },
        Retention::Months { months: 0 },
    )
    .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests))
    .may_contain_special_categories();
    let err = builder.clone().build().unwrap_err();
    assert_eq!(
        articles(&err),
        ["Art. 13(1)(d)", "Art. 9(1)", "Art. 30(1)(c)", "Art. 30(1)(c)", "Art. 5(1)(e)"],
        "{err}"
    );
    // The JSON decoder of the same fields runs the same checks.
    let mut fields = chat_activity();
    fields.purposes = vec![PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests)];
    fields.may_contain_special_categories = true;
    fields.data_categories.clear();
    fields.subject_categories.clear();
    fields.retention = Retention::Months { months: 0 };
    assert_eq!(ProcessingActivity::new(fields.clone()).unwrap_err(), err);
    let mut json = serde_json::to_value(ProcessingActivity::new(chat_activity()).unwrap()).unwrap();
    json["purposes"] = serde_json::to_value(&fields.purposes).unwrap();
    json["may_contain_special_categories"] = serde_json::Value::Bool(true);
    json["data_categories"] = serde_json::json!([]);
    json["subject_categories"] = serde_json::json!([]);
    json["retention"] = serde_json::json!({"kind": "months", "months": 0});
    let decoded = serde_json::from_value::<ProcessingActivity>(json).unwrap_err().to_string();
    for article in ["Art. 13(1)(d)", "Art. 9(1)", "Art. 30(1)(c)", "Art. 5(1)(e)"] {
        assert!(decoded.contains(article), "{article} missing from {decoded}");
    }
}

#[test]
fn activity_builder_fills_every_field_it_is_given() {
    let id = ActivityId::generate();
    let activity = ProcessingActivity::builder(
        en("Chat"),
        Controllers::Sole { controller: PartyId::generate() },
        Retention::Months { months: 12 },
    )
    .id(id)
    .purpose(
        PurposeSpec::new(Purpose::CustomerCare, LegalBasis::LegitimateInterests)
            .with_legitimate_interests(en("answering questions"))
            .with_special_category_condition(SpecialCategoryCondition::ExplicitConsent),
    )
    .data_categories([DataCategory::Contact])
    .data_categories([DataCategory::CriminalOffences])
    .criminal_data_authority(text("Act 1/2000 Coll."))
    .subject_categories([SubjectCategory::Visitor])
    .recipients([Recipient::new(en("Courier"), Role::Recipient, Country::CZ).with_party(PartyId::generate())])
    .transfers([Transfer::new(text("Mailer Inc."), Country::US)
        .with_mechanism(TransferMechanism::Derogation { point: DerogationPoint::CompellingLegitimateInterests })
        .with_safeguards_documentation(en("the clauses"))
        .with_compelling_interest_information(
            "2026-03-02T09:00:00Z".parse().unwrap(),
            text("told in the notice, with the interests pursued"),
        )])
    .security_measures([en("TLS"), en("encryption at rest")])
    .automated_decision_making(en("none beyond spam filtering"))
    .build()
    .unwrap();
    let f = activity.fields();
    assert_eq!(f.id, id);
    assert_eq!(f.data_categories, [DataCategory::Contact, DataCategory::CriminalOffences]);
    assert!(f.purposes[0].legitimate_interests.is_some() && f.purposes[0].special_category_condition.is_some());
    assert!(!f.may_contain_special_categories);
    assert!(f.criminal_data_authority.is_some() && f.automated_decision_making.is_some());
    assert!(f.recipients[0].party.is_some());
    assert!(f.transfers[0].mechanism.is_some() && f.transfers[0].safeguards_documentation.is_some());
    assert_eq!(f.security_measures.len(), 2);
    assert_json_contract(&activity);
}

#[test]
fn art_5_1_e_personal_data_record_builder_reports_every_problem_at_once() {
    let now = chrono::Utc::now();
    let start = || {
        PersonalDataRecord::builder(
            PartyId::generate(),
            SubjectId::generate(),
            SourceName::new("chat_history").unwrap(),
            text("conversation/1/message/1"),
        )
    };
    let err = start().collected_at(now).retained_until(now - chrono::TimeDelta::seconds(1)).build().unwrap_err();
    assert_eq!(articles(&err), ["Art. 15(1)(b)", "Art. 15(1)(a)", "Art. 6(1)", "Art. 5(1)(e)"]);
    let err = start().build().unwrap_err();
    assert_eq!(
        err.problems().iter().map(|p| p.field.as_ref()).collect::<Vec<_>>(),
        ["category", "purpose", "basis", "collected_at"]
    );
    let record = start()
        .category(DataCategory::CommunicationContent)
        .purpose(Purpose::CustomerCare)
        .basis(LegalBasis::Contract)
        .collected_at(now)
        .retained_until(now)
        .build()
        .unwrap();
    assert_eq!((record.collected_at(), record.retained_until()), (now, Some(now)));
    assert_json_contract(&record);
}

#[test]
fn free_text_refuses_control_and_bidi_override_characters_naming_the_position() {
    for (input, position, kind) in [
        ("Jana\u{0}Nováková", 4, "a control character"),
        ("Jana \u{1b}[31m", 5, "a control character"),
        ("ACME \u{7f}", 5, "a control character"),
        ("invoice \u{202E}fdp.exe", 8, "a bidirectional embedding, override or isolate character"),
        ("\u{202A}ACME", 0, "a bidirectional embedding, override or isolate character"),
        ("ACME \u{2069}", 5, "a bidirectional embedding, override or isolate character"),
    ] {
        let error = Text::new(input).unwrap_err();
        assert_eq!(error.to_string(), format!("text: holds {kind} at character {position}"), "{input:?}");
        let json = serde_json::to_string(input).unwrap();
        let decoded = serde_json::from_str::<Text>(&json).unwrap_err().to_string();
        assert!(decoded.contains(&format!("at character {position}")), "{decoded}");
        assert!(!decoded.contains("Nov") && !decoded.contains("ACME"), "the error repeats the text: {decoded}");
    }
    for fine in ["line one\nline two", "a\r\nb", "tab\there", "שלום\u{200F} ACME", "ACME\u{200E}"] {
        assert!(Text::new(fine).is_ok(), "{fine:?}");
    }
}

#[test]
fn art_12_1_localized_text_decoder_refuses_what_no_document_could_be_written_from() {
    // Issue 19, one language per document: a free text is given per language, at least one.
    let both = serde_json::json!({"cs": "Zákaznická podpora přes chat", "en": "Customer care over chat"});
    let decoded: LocalizedText = serde_json::from_value(both.clone()).unwrap();
    assert_eq!(decoded.get(&Language::CS).map(Text::as_str), Some("Zákaznická podpora přes chat"));
    assert_eq!(decoded.languages().collect::<Vec<_>>(), [&Language::CS, &Language::EN]);
    assert_eq!(serde_json::to_value(&decoded).unwrap(), both);
    assert_json_contract(&decoded);
    for (json, expected) in [
        (r#"{}"#, "at least one language"),
        (r#"["Jana Nováková"]"#, "not an array"),
        (r#""Jana Nováková""#, "not a string"),
        (r#"{"Jana Nováková": "chat"}"#, "not a language code (2 or 3 lower-case letters; got 13 characters)"),
        (r#"{"CS": "chat"}"#, "not a language code"),
        (r#"{"cs": "   "}"#, "the cs text: must not be empty"),
        (r#"{"cs": "Jana\u202eNováková"}"#, "the cs text: holds a bidirectional"),
        (r#"{"cs": "chat", "cs": "Jana Nováková"}"#, "the cs text is given twice"),
        (r#"{"cs": 5}"#, "invalid type"),
    ] {
        let error = serde_json::from_str::<LocalizedText>(json).unwrap_err().to_string();
        assert!(error.contains(expected), "{json}: {error}");
        assert!(!error.contains("Nov") && !error.contains("Jana"), "the error repeats the text: {error}");
    }
    // The builder cannot make an empty one either: `new` takes the first language.
    let name = LocalizedText::new(Language::EN, text("Chat")).with(Language::CS, text("Chat na webu"));
    assert_eq!(name.get(&"de".parse().unwrap()), None, "never another language's text");
}

#[test]
fn errors_say_what_was_wrong_and_where_without_the_rejected_value() {
    use gdpr_obligations::vocab::{Article, CustomTerm};
    let secret = "novakova jana!";
    let messages = [
        TaxId::new(secret).unwrap_err().to_string(),
        RegistrationNumber::new(Country::CZ, secret).unwrap_err().to_string(),
        secret.parse::<RegistrationNumber>().unwrap_err().to_string(),
        secret.parse::<Digest>().unwrap_err().to_string(),
        secret.parse::<Article>().unwrap_err().to_string(),
        secret.parse::<Country>().unwrap_err().to_string(),
        CustomTerm::new(secret).unwrap_err().to_string(),
        secret.parse::<DataCategory>().unwrap_err().to_string(),
        secret.parse::<LegalBasis>().unwrap_err().to_string(),
        SourceName::new(secret).unwrap_err().to_string(),
        gdpr_obligations::erasure::RecordKey::new(format!("{secret}\u{0}")).unwrap_err().to_string(),
    ];
    for message in messages {
        assert!(!message.contains("novakova"), "the error repeats the value: {message}");
        assert!(!message.is_empty());
    }
}

#[test]
fn art_45_1_transfer_on_a_partial_adequacy_decision_needs_coverage_evidence() {
    // Legal review M1: the EU-US decision covers only certified organisations.
    let mut r = chat_activity();
    r.transfers
        .push(Transfer::new(text("Mailer Inc."), Country::US).with_mechanism(TransferMechanism::AdequacyDecision));
    let err = ProcessingActivity::new(r.clone()).unwrap_err();
    assert_eq!(articles(&err), ["Art. 45(1)"]);
    assert_eq!(err.problems()[0].field, "transfers[0].adequacy_coverage");
    r.transfers[0] = r.transfers[0].clone().with_adequacy_coverage(AdequacyCoverage::new(
        text("active entry on the Data Privacy Framework list"),
        chrono::NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
    ));
    assert!(ProcessingActivity::new(r).is_ok());
}

#[test]
fn art_46_1_transfer_on_clauses_needs_a_transfer_impact_assessment() {
    // Legal review M8: C-311/18; Clause 14 of the clauses of Decision (EU) 2021/914.
    let mut r = chat_activity();
    r.transfers
        .push(Transfer::new(text("Mailer Inc."), Country::US).with_mechanism(
            TransferMechanism::StandardContractualClauses { module: SccModule::ControllerToProcessor },
        ));
    r.transfers.push(
        Transfer::new(text("Group office"), Country::IN).with_mechanism(TransferMechanism::BindingCorporateRules),
    );
    let err = ProcessingActivity::new(r.clone()).unwrap_err();
    assert_eq!(articles(&err), ["Art. 46(1)", "Art. 46(1)"]);
    assert_eq!(err.problems()[1].field, "transfers[1].transfer_assessment");
    for t in &mut r.transfers {
        *t = t.clone().with_transfer_assessment(TransferAssessment::new(
            text("destination law assessed; encryption with keys held in the EU"),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        ));
    }
    assert!(ProcessingActivity::new(r).is_ok());
}

#[test]
fn art_49_1_second_subparagraph_transfer_informs_the_authority_and_the_subject() {
    // Legal review M11: "the controller shall inform the supervisory authority of the transfer"
    // and the data subject, with the compelling legitimate interests pursued.
    let mut r = chat_activity();
    r.transfers.push(
        Transfer::new(text("Consultant"), Country::IN)
            .with_mechanism(TransferMechanism::Derogation { point: DerogationPoint::CompellingLegitimateInterests })
            .with_safeguards_documentation(en("pseudonymised extract, deleted after the review")),
    );
    let err = ProcessingActivity::new(r.clone()).unwrap_err();
    let fields: Vec<String> = err.problems().iter().map(|p| p.field.to_string()).collect();
    assert_eq!(fields, ["transfers[0].authority_informed_at", "transfers[0].subject_information"]);
    assert_eq!(articles(&err), ["Art. 49(1), second subparagraph", "Art. 49(1), second subparagraph"]);
    r.transfers[0] = r.transfers[0].clone().with_compelling_interest_information(
        "2026-03-02T09:00:00Z".parse().unwrap(),
        text("e-mail to the person concerned naming the interests pursued"),
    );
    let activity = ProcessingActivity::new(r).unwrap();
    assert_json_contract(&activity.fields().transfers[0]);
}

#[test]
fn art_44_international_organisation_is_a_transfer_destination() {
    // Legal review M14: the European Patent Organisation's adequacy decision of 15 July 2025.
    let mut r = chat_activity();
    let epo = InternationalOrganisation::EuropeanPatentOrganisation;
    r.transfers.push(Transfer::new(text("European Patent Office"), epo));
    assert_eq!(articles(&ProcessingActivity::new(r.clone()).unwrap_err()), ["Art. 44"], "never inside the EEA");
    r.transfers[0] = r.transfers[0].clone().with_mechanism(TransferMechanism::AdequacyDecision);
    let activity = ProcessingActivity::new(r).unwrap();
    let json = serde_json::to_value(&activity.fields().transfers[0]).unwrap();
    assert_eq!(json["destination"], "european_patent_organisation");
    // A transfer stored before destinations existed still reads, its country as destination.
    let old: Transfer =
        serde_json::from_value(serde_json::json!({"recipient": "Mailer Inc.", "country": "US"})).unwrap();
    assert_eq!(old.destination, Destination::Country(Country::US));
}
