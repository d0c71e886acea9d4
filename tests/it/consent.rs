//! Consent (Arts. 6(1)(a), 7, 8): records, withdrawal, children, lawfulness.

use crate::common;

use chrono::{DateTime, TimeDelta, Utc};
use common::assert_json_contract;
use gdpr_obligations::consent::{
    Consent, ConsentDecision, ConsentMethod, ConsentReasonKind, ConsentRecord, GivenBy, SubjectAge, lawful_on_consent,
};
use gdpr_obligations::model::{Digest, PartyId, SubjectId, Text};
use gdpr_obligations::testkit;
use gdpr_obligations::vocab::{Country, Purpose};
use proptest::prelude::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The controller every consent in these tests is given to.
fn shop() -> PartyId {
    PartyId::from_uuid(uuid::Uuid::from_u128(0x5409))
}

fn record(subject: SubjectId, at: DateTime<Utc>, age: SubjectAge, by: GivenBy) -> ConsentRecord {
    record_for(subject, at, age, by, Purpose::Marketing)
}

fn record_for(subject: SubjectId, at: DateTime<Utc>, age: SubjectAge, by: GivenBy, purpose: Purpose) -> ConsentRecord {
    ConsentRecord::builder(shop(), subject, purpose)
        .at(at)
        .method(ConsentMethod::ChatWidgetCheckbox)
        .notice(Digest::of_text("Offers by e-mail; withdraw any time in the chat."))
        .given_by(by)
        .subject_age(age)
        .country(Country::CZ)
        .build()
        .expect("every element of the proof")
}

#[test]
fn art_6_1_a_no_consent_no_lawful_processing() {
    let d = lawful_on_consent(&[], shop(), SubjectId::generate(), &Purpose::Marketing, t("2026-01-01T00:00:00Z"));
    assert_eq!(d.reasons()[0].kind, ConsentReasonKind::NoConsent);
    assert_eq!(d.reasons()[0].article.to_string(), "Art. 6(1)(a)");
}

#[test]
fn art_6_1_a_consent_covers_only_its_purpose_and_subject() {
    let s = SubjectId::generate();
    let c = Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Adult, GivenBy::Subject));
    let at = t("2026-02-01T00:00:00Z");
    assert!(lawful_on_consent(std::slice::from_ref(&c), shop(), s, &Purpose::Marketing, at).is_lawful());
    assert!(!lawful_on_consent(std::slice::from_ref(&c), shop(), s, &Purpose::Analytics, at).is_lawful());
    assert!(!lawful_on_consent(&[c], shop(), SubjectId::generate(), &Purpose::Marketing, at).is_lawful());
}

// Legal review D12
#[test]
fn art_4_11_consent_given_to_one_controller_does_not_make_anothers_processing_lawful() {
    let s = SubjectId::generate();
    let at = t("2026-02-01T00:00:00Z");
    let c = Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Adult, GivenBy::Subject));
    assert!(lawful_on_consent(std::slice::from_ref(&c), shop(), s, &Purpose::Marketing, at).is_lawful());
    // The same subject id and purpose, asked for another controller (Art. 4(11), 7(1)).
    let other = PartyId::from_uuid(uuid::Uuid::from_u128(0x07e5));
    let d = lawful_on_consent(std::slice::from_ref(&c), other, s, &Purpose::Marketing, at);
    assert!(!d.is_lawful());
    assert_eq!(d.reasons()[0].kind, ConsentReasonKind::NoConsent);
    assert_eq!(d.reasons()[0].article.to_string(), "Art. 6(1)(a)");
}

#[test]
fn art_7_3_withdrawal_is_an_event_and_keeps_the_proof() {
    let s = SubjectId::generate();
    let c = Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Adult, GivenBy::Subject));
    let w = c.clone().withdraw(t("2026-01-10T00:00:00Z"), ConsentMethod::Email).unwrap();
    assert_eq!(w.record(), c.record(), "Art. 7(1): the proof stays");
    assert_eq!(w.events().len(), 2);
    assert_eq!(Consent::replay(&w.events()), Some(w.clone()));
    // Idempotent: a second withdrawal keeps the first instant.
    let again = w.clone().withdraw(t("2026-02-01T00:00:00Z"), ConsentMethod::Paper).unwrap();
    assert_eq!(again, w);
    // Not before it was given.
    let err = c.withdraw(t("2025-12-31T00:00:00Z"), ConsentMethod::Email).unwrap_err();
    assert!(err.to_string().starts_with("Art. 7(3): "), "{err}");
}

#[test]
fn art_7_3_a_refused_withdrawal_names_the_transition_the_state_and_the_article() {
    let c =
        Consent::give(record(SubjectId::generate(), t("2026-01-01T00:00:00Z"), SubjectAge::Adult, GivenBy::Subject));
    let err = c.clone().withdraw(t("2025-12-31T00:00:00Z"), ConsentMethod::Email).unwrap_err();
    assert_eq!((err.attempted, err.state, err.article.to_string()), ("withdraw", "given", "Art. 7(3)".to_owned()));
    assert_eq!((err.consent, err.at), (Some(c.record().id), t("2025-12-31T00:00:00Z")));
    let withdrawn = c.withdraw(t("2026-01-10T00:00:00Z"), ConsentMethod::Email).unwrap();
    let err = withdrawn.withdraw(t("2025-12-31T00:00:00Z"), ConsentMethod::Email).unwrap_err();
    assert_eq!(err.state, "withdrawn");
    assert!(err.to_string().contains("cannot withdraw consent") && err.to_string().contains("which is withdrawn"));
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(
        (&json["attempted"], &json["state"], &json["article"]),
        (&"withdraw".into(), &"withdrawn".into(), &"Art. 7(3)".into())
    );
}

#[test]
fn art_8_1_a_child_under_15_in_czechia_needs_parental_consent() {
    let s = SubjectId::generate();
    let at = t("2026-01-02T00:00:00Z");
    let alone = Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Child { years: 14 }, GivenBy::Subject));
    let d = lawful_on_consent(&[alone], shop(), s, &Purpose::Marketing, at);
    assert!(matches!(d.reasons()[0].kind, ConsentReasonKind::ParentalConsentMissing { years: 14, threshold: 15, .. }));
    assert_eq!(d.reasons()[0].article.to_string(), "Art. 8(1)");
    let parent = GivenBy::HolderOfParentalResponsibility { holder: Text::new("Jana Nováková (mother)").unwrap() };
    let with_parent = Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Child { years: 14 }, parent));
    assert!(lawful_on_consent(&[with_parent], shop(), s, &Purpose::Marketing, at).is_lawful());
    let fifteen =
        Consent::give(record(s, t("2026-01-01T00:00:00Z"), SubjectAge::Child { years: 15 }, GivenBy::Subject));
    assert!(lawful_on_consent(&[fifteen], shop(), s, &Purpose::Marketing, at).is_lawful(), "15 is the Czech age");
}

fn consent_strategy() -> impl Strategy<Value = (Consent, DateTime<Utc>, Option<DateTime<Utc>>)> {
    (testkit::instant(), 0i64..10_000_000, proptest::option::of(0i64..10_000_000), 0u8..20, any::<bool>()).prop_map(
        |(given, _, withdraw_after, years, child)| {
            let age = if child { SubjectAge::Child { years } } else { SubjectAge::Adult };
            let c = Consent::give(record(SubjectId::generate(), given, age, GivenBy::Subject));
            let withdrawn = withdraw_after.map(|s| given + TimeDelta::seconds(s));
            let c = match withdrawn {
                Some(w) => c.withdraw(w, ConsentMethod::WebForm).unwrap(),
                None => c,
            };
            (c, given, withdrawn)
        },
    )
}

proptest! {
    #[test]
    fn art_7_3_withdrawn_consent_never_makes_processing_lawful((c, given, withdrawn) in consent_strategy(), probe in -10_000_000i64..20_000_000) {
        let at = given + TimeDelta::seconds(probe);
        let d = lawful_on_consent(std::slice::from_ref(&c), shop(), c.record().subject, &Purpose::Marketing, at);
        if let Some(w) = withdrawn && at >= w {
            prop_assert!(!d.is_lawful());
        }
        if at < given {
            prop_assert!(!d.is_lawful());
        }
        let child_blocked = matches!(c.record().subject_age, SubjectAge::Child { years } if years < 15);
        let in_force = at >= given && withdrawn.is_none_or(|w| at < w);
        prop_assert_eq!(d.is_lawful(), in_force && !child_blocked, "{:?}", d);
        prop_assert_eq!(c.in_force_at(at), in_force);
    }

    #[test]
    fn consents_round_trip_and_replay((c, _, _) in consent_strategy()) {
        assert_json_contract(&c);
        for e in c.events() { assert_json_contract(&e); }
        prop_assert_eq!(Consent::replay(&c.events()), Some(c.clone()));
        let d = lawful_on_consent(std::slice::from_ref(&c), shop(), c.record().subject, &Purpose::Marketing, c.record().at);
        assert_json_contract(&d);
        let _: &ConsentDecision = &d;
    }
}

// ---- construction ----

#[test]
fn art_7_1_consent_record_builder_requires_every_element_of_the_proof_at_once() {
    let err =
        ConsentRecord::builder(PartyId::generate(), SubjectId::generate(), Purpose::Marketing).build().unwrap_err();
    let found: Vec<(String, String)> = err
        .problems()
        .iter()
        .map(|p| (p.field.to_string(), p.article.map(|a| a.to_string()).unwrap_or_default()))
        .collect();
    let want = [
        ("at", "Art. 7(1)"),
        ("method", "Art. 4(11)"),
        ("notice", "Art. 7(1)"),
        ("subject_age", "Art. 8(1)"),
        ("country", "Art. 8(1)"),
    ]
    .map(|(f, a)| (f.to_owned(), a.to_owned()));
    assert_eq!(found, want);
    // One element given, the others still reported.
    let err = ConsentRecord::builder(PartyId::generate(), SubjectId::generate(), Purpose::Marketing)
        .at(t("2026-03-01T10:00:00Z"))
        .country(Country::CZ)
        .build()
        .unwrap_err();
    assert_eq!(
        err.problems().iter().map(|p| p.field.as_ref()).collect::<Vec<_>>(),
        ["method", "notice", "subject_age"]
    );
}

#[test]
fn art_8_1_consent_record_builder_keeps_who_gave_it_and_round_trips() {
    let subject = SubjectId::generate();
    let at = t("2026-03-01T10:00:00Z");
    let by_subject = record(subject, at, SubjectAge::Adult, GivenBy::Subject);
    assert_eq!((by_subject.subject, by_subject.at, by_subject.country), (subject, at, Country::CZ));
    // The builder's default is the subject itself.
    let default = ConsentRecord::builder(PartyId::generate(), subject, Purpose::Marketing)
        .at(at)
        .method(ConsentMethod::Email)
        .notice(Digest::of_text("notice"))
        .subject_age(SubjectAge::Child { years: 12 })
        .country(Country::CZ)
        .build()
        .unwrap();
    assert_eq!(default.given_by, GivenBy::Subject);
    let parent = GivenBy::HolderOfParentalResponsibility { holder: Text::new("Jana Nováková").unwrap() };
    let by_parent = record(subject, at, SubjectAge::Child { years: 12 }, parent.clone());
    assert_eq!(by_parent.given_by, parent);
    assert_ne!(by_subject.id, by_parent.id, "each record gets its own id");
    assert_json_contract(&by_parent);
}

// ---- Art. 7(3): a withdrawal received as a request ----

// Legal review W5
#[tokio::test]
async fn art_7_3_a_withdrawal_request_takes_effect_when_made_and_updates_the_consent_record()
-> Result<(), Box<dyn std::error::Error>> {
    withdrawal_through_the_desk(gdpr_obligations::request::RequestKind::ConsentWithdrawal, Purpose::Marketing).await
}

// Legal review D9: an Art. 21(1) objection to processing on consent (here customer care, for
// which Art. 21(1) gives no objection) is in substance a withdrawal (Art. 7(3), 12(2)): the desk
// carries it out as one instead of refusing it.
#[tokio::test]
async fn art_7_3_an_objection_to_consent_based_processing_is_carried_out_as_a_withdrawal()
-> Result<(), Box<dyn std::error::Error>> {
    use gdpr_obligations::request::{ObjectionGround, RequestKind};
    let objection = RequestKind::Objection { ground: ObjectionGround::ParticularSituation };
    withdrawal_through_the_desk(objection, Purpose::CustomerCare).await
}

/// A request received in the chat on 16 March that withdraws the consent to `purpose`, carried
/// out by the desk a week later.
async fn withdrawal_through_the_desk(
    kind: gdpr_obligations::request::RequestKind,
    purpose: Purpose,
) -> Result<(), Box<dyn std::error::Error>> {
    use std::sync::Arc;

    use gdpr_obligations::agenda::{Agenda, AgendaOptions, Due, ObligationKind, Snapshot};
    use gdpr_obligations::consent::ConsentCommand;
    use gdpr_obligations::desk::Desk;
    use gdpr_obligations::request::{Channel, ComplaintInformation, Processing, Receipt, StatusName};
    use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
    use gdpr_obligations::store::{LedgerStoreExt, PseudonymKey, Scope};
    use gdpr_obligations::time::DeadlinePolicy;
    use gdpr_obligations::vocab::LegalBasis;

    let (ledger, audit) = (Arc::new(MemoryLedger::new()), Arc::new(MemoryAuditLog::new()));
    let scope = Scope::of(shop());
    let s = SubjectId::generate();
    let given = record_for(s, t("2026-03-01T10:00:00Z"), SubjectAge::Adult, GivenBy::Subject, purpose.clone());
    let consent = given.id;
    let stored = ledger.execute::<Consent>(audit.as_ref(), scope, consent, &ConsentCommand::Give(given)).await?;
    assert!(stored.state.withdrawn().is_none());
    let desk =
        Desk::new(shop(), ledger.clone(), audit.clone(), PseudonymKey::new(b"a test key of at least sixteen bytes")?);

    // The visitor writes "no more offers" in the chat on 16 March.
    let made = t("2026-03-16T09:00:00Z");
    let needs_identity = kind.allows_identity_request();
    let receipt = Receipt::new(
        shop(),
        made,
        kind,
        Processing::new(LegalBasis::Consent, purpose.clone()),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
    );
    let id = desk.receive(receipt).await?.id();
    if needs_identity {
        // An Art. 21 objection is within Art. 12(6): the controller records why the chat session
        // settles who wrote it.
        desk.waive_verification(id, made, Text::new("written in the visitor's own chat session")?).await?;
    }

    // On the agenda: stop processing for the purpose, due at receipt, not a one-month answer.
    let options = AgendaOptions::new(DeadlinePolicy::czech());
    let agenda = Agenda::build(&Snapshot::load(ledger.as_ref(), scope).await?, made, &options);
    let names: Vec<&str> = agenda.obligations.iter().map(|o| o.kind.name()).collect();
    assert_eq!(names, ["stop_processing"]);
    let stop = &agenda.obligations[0];
    assert_eq!(stop.article.to_string(), "Art. 7(3)");
    assert_eq!(stop.due, Due::Instant { at: made });
    assert!(matches!(&stop.kind, ObligationKind::StopProcessing { purpose: p, .. } if *p == purpose));

    // The controller gets to it a week later: the withdrawal counts from when it was made.
    let done = desk.withdraw_consent(id, consent, t("2026-03-23T09:00:00Z")).await?;
    assert_eq!(done.request.status().name(), StatusName::Completed);
    assert_eq!(done.consent.withdrawn().map(|(at, _)| at), Some(made));
    let stored = ledger.fetch::<Consent>(scope, consent).await?.value;
    assert_eq!(stored, done.consent, "the consent record itself is updated");
    let after = t("2026-03-16T09:00:01Z");
    assert!(!lawful_on_consent(std::slice::from_ref(&stored), shop(), s, &purpose, after).is_lawful());
    let agenda = Agenda::build(&Snapshot::load(ledger.as_ref(), scope).await?, after, &options);
    assert!(agenda.obligations.is_empty(), "{:?}", agenda.obligations);
    // Again: harmless, the first withdrawal stands.
    let again = desk.withdraw_consent(id, consent, t("2026-03-30T09:00:00Z")).await?;
    assert_eq!(again.consent.withdrawn().map(|(at, _)| at), Some(made));
    Ok(())
}
