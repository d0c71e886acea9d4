//! The `deny_unknown_fields` decision of ARCHITECTURE.md ("Unknown fields, per wire type"):
//! what the crate stores and reads back tolerates a field it does not know, at any depth, so an
//! older binary (a rollback) still reads what a newer one wrote; what only comes in as input
//! refuses one, so a misspelt field is an error, not a silently missing value.

use gdpr_obligations::agenda::AgendaOptions;
use gdpr_obligations::breach::Command as BreachCommand;
use gdpr_obligations::model::{DataSubject, Party, PartyId, SubjectId, SubjectIdentifier, Token};
use gdpr_obligations::request::Command;
use gdpr_obligations::store::memory::MemoryLedger;
use gdpr_obligations::store::{DocumentKey, DocumentKind, LedgerStore, LedgerStoreExt, Scope, Version};
use gdpr_obligations::testkit;
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::{Country, SubjectCategory};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The field a newer binary added.
const NEWER: &str = "added_by_a_newer_version";

/// Whether `map` is a localized text, `{"cs": "…", "en": "…"}`: a map keyed by language codes,
/// not a struct, so a newer version adds no field to it.
fn is_localized_text(map: &serde_json::Map<String, Value>) -> bool {
    !map.is_empty()
        && map
            .iter()
            .all(|(k, v)| (2..=3).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_lowercase()) && v.is_string())
}

/// `value` with [`NEWER`] added to every JSON object in it, at every depth (but the maps of a
/// localized text, which have no fields).
fn with_newer_fields(value: &Value) -> Value {
    match value {
        Value::Object(map) if is_localized_text(map) => value.clone(),
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), with_newer_fields(v))).collect();
            map.insert(NEWER.to_owned(), Value::Bool(true));
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.iter().map(with_newer_fields).collect()),
        other => other.clone(),
    }
}

/// `value` with [`NEWER`] added at its top level only.
fn with_newer_field_on_top(value: &Value) -> Value {
    let mut value = value.clone();
    if let Value::Object(map) = &mut value {
        map.insert(NEWER.to_owned(), Value::Bool(true));
    }
    value
}

/// A stored document written by a newer binary reads back as the value it was written from.
fn tolerated<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) -> Result<(), TestCaseError> {
    let newer = with_newer_fields(&serde_json::to_value(value).expect("serialises"));
    match serde_json::from_value::<T>(newer.clone()) {
        Ok(read) => prop_assert_eq!(&read, value),
        Err(e) => prop_assert!(false, "a document with fields it does not know did not read: {e}\n{newer}"),
    }
    Ok(())
}

/// An input with a field the crate does not know is refused, naming the field.
fn refused<T: Serialize + DeserializeOwned + std::fmt::Debug>(value: &T) -> Result<(), TestCaseError> {
    let json = serde_json::to_value(value).expect("serialises");
    prop_assert!(serde_json::from_value::<T>(json.clone()).is_ok(), "the input itself reads: {json}");
    match serde_json::from_value::<T>(with_newer_field_on_top(&json)) {
        Ok(read) => prop_assert!(false, "an unknown field was accepted: {read:?}"),
        Err(e) => prop_assert!(e.to_string().contains(NEWER), "the error names the field: {e}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(64)))]

    #[test]
    fn a_stored_party_written_by_a_newer_version_still_reads(party in testkit::party()) {
        tolerated(&party)?;
    }

    #[test]
    fn a_stored_activity_written_by_a_newer_version_still_reads(activity in testkit::processing_activity()) {
        tolerated(&activity)?;
    }

    #[test]
    fn a_stored_agreement_written_by_a_newer_version_still_reads(
        agreement in testkit::processing_agreement(PartyId::generate(), PartyId::generate()),
    ) {
        tolerated(&agreement)?;
    }

    #[test]
    fn stored_retention_documents_written_by_a_newer_version_still_read(
        policy in testkit::retention_policy(),
        hold in testkit::legal_hold(),
    ) {
        tolerated(&policy)?;
        tolerated(&hold)?;
    }

    #[test]
    fn stored_events_written_by_a_newer_version_still_read(
        (receipt, _) in testkit::request_script(1),
        (detection, _) in testkit::breach_script(1),
    ) {
        tolerated(&gdpr_obligations::request::Event::Received(Box::new(receipt)))?;
        tolerated(&gdpr_obligations::breach::Event::Detected(Box::new(detection)))?;
    }

    #[test]
    fn a_request_command_refuses_an_unknown_field(command in testkit::request_step("2026-03-02T09:00:00Z".parse().unwrap())) {
        // `Receive` carries a `Receipt`, which the request's first event stores: tolerant.
        prop_assume!(!matches!(command, Command::Receive(_)));
        refused(&command)?;
    }

    #[test]
    fn a_breach_command_refuses_an_unknown_field(
        command in testkit::breach_step("2026-03-02T09:00:00Z".parse().unwrap(), vec![]),
    ) {
        // `Detect` carries a `Detection`, which the breach's first event stores: tolerant.
        prop_assume!(!matches!(command, BreachCommand::Detect(_)));
        refused(&command)?;
    }

    #[test]
    fn a_personal_data_record_refuses_an_unknown_field(record in testkit::personal_data_record()) {
        refused(&record)?;
    }
}

#[test]
fn a_consent_withdrawal_command_refuses_an_unknown_field() -> Result<(), TestCaseError> {
    let withdraw = gdpr_obligations::consent::ConsentCommand::Withdraw {
        at: "2026-03-02T09:00:00Z".parse().unwrap(),
        method: gdpr_obligations::consent::ConsentMethod::WebForm,
    };
    refused(&withdraw)
}

#[test]
fn a_data_subject_and_agenda_options_refuse_an_unknown_field() -> Result<(), TestCaseError> {
    let subject = DataSubject::new(
        SubjectId::generate(),
        PartyId::generate(),
        vec![SubjectCategory::Visitor],
        vec![SubjectIdentifier::ChatVisitorToken(Token::new("tok-eva").expect("token"))],
    )
    .expect("a subject");
    refused(&subject)?;
    refused(&AgendaOptions::new(DeadlinePolicy::czech()))
}

/// The rollback itself: a party body with a field this version does not know, as a newer
/// version would have stored it, reads through the typed ledger.
#[tokio::test]
async fn the_ledger_reads_a_party_stored_by_a_newer_version() -> Result<(), Box<dyn std::error::Error>> {
    let ledger = MemoryLedger::new();
    let scope = Scope::of(PartyId::generate());
    let party = Party::builder("Acme s.r.o.", Country::CZ).build()?;
    let key = DocumentKey { kind: DocumentKind::Party, id: party.id().as_uuid() };
    let body = with_newer_fields(&serde_json::to_value(&party)?);
    ledger.put_document(scope, key, &body, Version::NONE).await?;
    let read = ledger.all::<Party>(scope).await?;
    assert_eq!(read.into_iter().map(|v| v.value).collect::<Vec<_>>(), vec![party]);
    Ok(())
}
