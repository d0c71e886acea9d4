//! The crate's JSON contract with backends in other languages: the list of every public wire
//! type and its JSON Schema.
//!
//! One list, written once in the `for_each_wire_type!` macro, gives [`wire_schemas`] (what
//! `examples/export_schemas.rs` writes and `schemas/` holds) and the testkit's JSON decoders
//! (`testkit::wire_decoders`, for the fuzz targets and property tests), so the contract and what
//! is fuzzed cannot differ. Because it names a type of almost every module, this module sits at
//! the bottom of the layers, above only `testkit`.

use schemars::{JsonSchema, Schema, schema_for};

/// The JSON Schema of one public wire type, and the file it is kept in under `schemas/`.
#[derive(Debug, Clone, PartialEq)]
pub struct WireSchema {
    /// The file name, e.g. `processing_agreement.json`.
    pub file: &'static str,
    /// The schema (JSON Schema 2020-12, with its definitions).
    pub schema: Schema,
}

fn schema<T: JsonSchema>(file: &'static str) -> WireSchema {
    WireSchema { file, schema: schema_for!(T) }
}

/// Calls the macro `$then` with every public wire type and its schema file, as
/// `Type => "file.json",` rows: the one list behind [`wire_schemas`] and the testkit's JSON
/// decoders (`testkit::wire_decoders`), so that neither can forget a type the other has.
macro_rules! for_each_wire_type {
    ($then:ident) => {
        $then! {
            crate::model::Party => "party.json",
            crate::model::ProcessingActivity => "processing_activity.json",
            crate::model::DataSubject => "data_subject.json",
            crate::model::PersonalDataRecord => "personal_data_record.json",
            crate::agreement::ProcessingAgreement => "processing_agreement.json",
            crate::agreement::Deficiency => "agreement_deficiency.json",
            crate::agreement::ChangeNotice => "change_notice.json",
            crate::agreement::Decision => "authorisation_decision.json",
            crate::time::DeadlinePolicy => "deadline_policy.json",
            crate::request::Receipt => "request_receipt.json",
            crate::request::Command => "request_command.json",
            crate::request::Event => "request_event.json",
            crate::request::Request => "request.json",
            crate::request::Rejection => "request_rejection.json",
            crate::consent::ConsentRecord => "consent_record.json",
            crate::consent::ConsentEvent => "consent_event.json",
            crate::consent::ConsentCommand => "consent_command.json",
            crate::consent::Consent => "consent.json",
            crate::breach::Detection => "breach_detection.json",
            crate::breach::Command => "breach_command.json",
            crate::breach::Event => "breach_event.json",
            crate::breach::Breach => "breach.json",
            crate::breach::Rejection => "breach_rejection.json",
            crate::breach::FanOut => "breach_fan_out.json",
            crate::retention::RetentionPolicy => "retention_policy.json",
            crate::retention::LegalHold => "legal_hold.json",
            crate::fulfil::AccessReport => "access_report.json",
            crate::fulfil::StepReport => "step_report.json",
            crate::fulfil::SweepReport => "sweep_report.json",
            crate::store::ExportItem => "export_item.json",
            crate::store::ErasureRecord => "erasure_record.json",
            crate::store::AuditRecord => "audit_record.json",
            crate::store::Checkpoint => "audit_checkpoint.json",
            crate::store::SealedCheckpoint => "audit_checkpoint_sealed.json",
            crate::store::FeedEntry => "feed_entry.json",
            crate::report::ControllerRecord => "controller_record.json",
            crate::report::ProcessorRecord => "processor_record.json",
            crate::report::PrivacyNotice => "privacy_notice.json",
            crate::report::Document => "document.json",
            crate::report::LifecycleTransition => "lifecycle_transition.json",
            crate::agenda::Agenda => "agenda.json",
            crate::agenda::Snapshot => "agenda_snapshot.json",
            crate::fulfil::NoticeRecord => "notice_given.json",
        }
    };
}
// For `testkit::wire_decoders`.
#[cfg(feature = "testkit")]
pub(crate) use for_each_wire_type;

/// One JSON Schema per public wire type: what backends in other languages exchange with this
/// crate (agreements, activities, parties, requests and their commands and events, consents,
/// breaches, retention, fulfilment reports, records, notices, documents, the agenda, the change
/// feed). This list is the JSON contract: `examples/export_schemas.rs` writes it, `schemas/`
/// keeps it, and `tests/it/schemas.rs` fails when it changes without the CHANGELOG saying so.
///
/// # Example
/// ```
/// let schemas = gdpr_obligations::wire::wire_schemas();
/// let agreement = schemas.iter().find(|s| s.file == "processing_agreement.json").expect("listed");
/// assert_eq!(agreement.schema.get("title").and_then(|t| t.as_str()), Some("ProcessingAgreement"));
/// ```
#[must_use]
pub fn wire_schemas() -> Vec<WireSchema> {
    macro_rules! schemas {
        ($($ty:ty => $file:literal,)*) => {
            vec![$(schema::<$ty>($file)),*]
        };
    }
    for_each_wire_type!(schemas)
}
