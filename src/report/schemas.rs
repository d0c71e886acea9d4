//! The JSON Schemas of the crate's public wire types: the JSON contract with backends in other
//! languages.

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

/// One JSON Schema per public wire type: what backends in other languages exchange with this
/// crate (agreements, activities, parties, requests and their commands and events, consents,
/// breaches, retention, fulfilment reports, records, notices, documents, the agenda). This list is the JSON
/// contract: `examples/export_schemas.rs` writes it, `schemas/` keeps it, and
/// `tests/schemas.rs` fails when it changes without the CHANGELOG saying so.
///
/// # Example
/// ```
/// let schemas = gdpr_obligations::report::wire_schemas();
/// let agreement = schemas.iter().find(|s| s.file == "processing_agreement.json").expect("listed");
/// assert_eq!(agreement.schema.get("title").and_then(|t| t.as_str()), Some("ProcessingAgreement"));
/// ```
pub fn wire_schemas() -> Vec<WireSchema> {
    use crate::{agenda, agreement, breach, consent, fulfil, model, report, request, retention, store, time};
    vec![
        schema::<model::Party>("party.json"),
        schema::<model::ProcessingActivity>("processing_activity.json"),
        schema::<model::DataSubject>("data_subject.json"),
        schema::<model::PersonalDataRecord>("personal_data_record.json"),
        schema::<agreement::ProcessingAgreement>("processing_agreement.json"),
        schema::<agreement::Deficiency>("agreement_deficiency.json"),
        schema::<agreement::ChangeNotice>("change_notice.json"),
        schema::<agreement::Decision>("authorisation_decision.json"),
        schema::<time::DeadlinePolicy>("deadline_policy.json"),
        schema::<request::Receipt>("request_receipt.json"),
        schema::<request::Command>("request_command.json"),
        schema::<request::Event>("request_event.json"),
        schema::<request::Request>("request.json"),
        schema::<request::Rejection>("request_rejection.json"),
        schema::<consent::ConsentRecord>("consent_record.json"),
        schema::<consent::ConsentEvent>("consent_event.json"),
        schema::<consent::Consent>("consent.json"),
        schema::<breach::Detection>("breach_detection.json"),
        schema::<breach::Command>("breach_command.json"),
        schema::<breach::Event>("breach_event.json"),
        schema::<breach::Breach>("breach.json"),
        schema::<breach::Rejection>("breach_rejection.json"),
        schema::<breach::FanOut>("breach_fan_out.json"),
        schema::<retention::RetentionPolicy>("retention_policy.json"),
        schema::<retention::LegalHold>("legal_hold.json"),
        schema::<fulfil::AccessReport>("access_report.json"),
        schema::<fulfil::StepReport>("step_report.json"),
        schema::<fulfil::SweepReport>("sweep_report.json"),
        schema::<store::ExportItem>("export_item.json"),
        schema::<store::ErasureRecord>("erasure_record.json"),
        schema::<store::AuditRecord>("audit_record.json"),
        schema::<report::ControllerRecord>("controller_record.json"),
        schema::<report::ProcessorRecord>("processor_record.json"),
        schema::<report::PrivacyNotice>("privacy_notice.json"),
        schema::<report::Document>("document.json"),
        schema::<report::LifecycleTransition>("lifecycle_transition.json"),
        schema::<agenda::Agenda>("agenda.json"),
        schema::<agenda::Snapshot>("agenda_snapshot.json"),
        schema::<agenda::NoticeGiven>("notice_given.json"),
    ]
}
