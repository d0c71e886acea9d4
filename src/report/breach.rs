//! The draft of a breach notification to the supervisory authority (Art. 33(3)).

use super::document::Writer;
use super::{Catalogue, Document, Language, MessageKey, ReportError};
use crate::breach::{Breach, MeasureStatus, NotificationElement, RiskLevel};
use crate::model::Party;
use crate::vocab::Article;

/// The draft of the controller's notification to the supervisory authority: the elements of
/// Art. 33(3)(a)-(d) from the register entry's facts, the instant of awareness and the 72-hour
/// deadline (Art. 33(1)), the reasons for a delay where the notification was late, and the
/// elements still unknown, to follow in phases (Art. 33(4)).
///
/// The contact point (Art. 33(3)(b)) is the facts' contact, or the controller's DPO.
///
/// # Errors
/// [`ReportError::NotInState`] for a processor's register entry (a processor notifies its
/// controller, Art. 33(2), not the authority); [`ReportError::MissingTranslation`] when the
/// catalogue lacks a text or term.
pub fn breach_notification(
    breach: &Breach,
    controller: &Party,
    catalogue: &Catalogue,
    language: &Language,
) -> Result<Document, ReportError> {
    let w = Writer { catalogue, language };
    let art33 = Article::gdpr(33);
    let point = |p| art33.paragraph(3).point(p);
    if !breach.kept_by_controller() {
        return Err(ReportError::NotInState {
            article: art33.paragraph(2),
            reason: "a processor notifies its controller, not the supervisory authority".into(),
        });
    }
    let facts = breach.facts();
    let unknown = w.text(MessageKey::BreachUnknown, &[])?;
    let unknown_number = w.text(MessageKey::BreachUnknownNumber, &[])?;
    // The same words as a paragraph of their own: a sentence.
    let unknown_paragraph = {
        let mut chars = unknown.chars();
        chars.next().map_or_else(String::new, |first| format!("{}{}.", first.to_uppercase(), chars.as_str()))
    };
    // Times are local to the controller's zone, as the authority reads them.
    let zone = breach.detection().policy.zone();
    let mut doc = Document::new(language, w.text(MessageKey::BreachTitle, &[("article", &w.cite(art33))])?);
    doc.paragraph(w.text(MessageKey::BreachDraft, &[("breach", &breach.id().to_string())])?);
    doc.paragraph(w.text(MessageKey::BreachController, &[("controller", &w.party_details(controller)?)])?);
    let due = breach.detection().policy.breach_deadline(breach.aware_at()).ok();
    let due = match due {
        Some(due) => w.instant(due, zone)?,
        None => unknown.clone(),
    };
    doc.paragraph(w.text(
        MessageKey::BreachAware,
        &[("aware", &w.instant(breach.aware_at(), zone)?), ("due", &due), ("article", &w.cite(art33.paragraph(1)))],
    )?);
    if let Some(occurred) = breach.detection().occurred_at {
        doc.paragraph(w.text(MessageKey::BreachOccurred, &[("occurred", &w.instant(occurred, zone)?)])?);
    }

    doc.heading(1, w.text(MessageKey::BreachNature, &[("article", &w.cite(point('a')))])?);
    doc.paragraph(facts.nature.as_ref().map_or_else(|| unknown_paragraph.clone(), ToString::to_string));
    let number = |n: Option<u64>| n.map_or_else(|| unknown_number.clone(), |n| n.to_string());
    let or_unknown = |labels: String, empty: bool| if empty { unknown.clone() } else { labels };
    doc.list(vec![
        w.text(
            MessageKey::BreachSubjects,
            &[
                ("categories", &or_unknown(w.terms(&facts.subject_categories)?, facts.subject_categories.is_empty())),
                ("number", &number(facts.approx_subjects)),
            ],
        )?,
        w.text(
            MessageKey::BreachRecords,
            &[
                ("categories", &or_unknown(w.terms(&facts.data_categories)?, facts.data_categories.is_empty())),
                ("number", &number(facts.approx_records)),
            ],
        )?,
    ]);

    doc.heading(1, w.text(MessageKey::BreachContact, &[("article", &w.cite(point('b')))])?);
    match facts.contact.as_ref().or(controller.dpo()) {
        Some(contact) => doc.paragraph(w.contact(contact)?),
        None => doc.paragraph(unknown_paragraph.clone()),
    }
    doc.heading(1, w.text(MessageKey::BreachConsequences, &[("article", &w.cite(point('c')))])?);
    doc.paragraph(facts.consequences.as_ref().map_or_else(|| unknown_paragraph.clone(), ToString::to_string));
    doc.heading(1, w.text(MessageKey::BreachMeasures, &[("article", &w.cite(point('d')))])?);
    if facts.measures.is_empty() {
        doc.paragraph(unknown_paragraph);
    }
    let measures = facts
        .measures
        .iter()
        .map(|m| {
            let key = match m.status {
                MeasureStatus::Taken => MessageKey::BreachMeasureTaken,
                MeasureStatus::Proposed => MessageKey::BreachMeasureProposed,
            };
            w.text(key, &[("measure", m.description.as_str())])
        })
        .collect::<Result<Vec<_>, _>>()?;
    doc.list(measures);

    if let Some(assessment) = breach.assessment() {
        let risk = match assessment.risk {
            RiskLevel::Unlikely => MessageKey::RiskUnlikely,
            RiskLevel::Risk => MessageKey::RiskRisk,
            RiskLevel::HighRisk => MessageKey::RiskHigh,
        };
        let risk = w.text(risk, &[("article", &w.cite(Article::gdpr(34)))])?;
        doc.paragraph(w.text(MessageKey::BreachRisk, &[("risk", &risk), ("reasons", assessment.reasons.as_str())])?);
    }
    let late = breach.authority_deadline().and_then(|d| d.met_in_time()) == Some(false);
    match breach.authority_notice().and_then(|n| n.reasons_for_delay.as_ref()) {
        Some(reasons) => doc.paragraph(w.text(
            MessageKey::BreachLate,
            &[("article", &w.cite(art33.paragraph(1))), ("reasons", reasons.as_str())],
        )?),
        None if late => {
            doc.paragraph(w.text(MessageKey::BreachLateMissing, &[("article", &w.cite(art33.paragraph(1)))])?)
        }
        None => {}
    }
    let mut missing = facts.missing_for_notification();
    if controller.dpo().is_some() {
        missing.retain(|m| m.element != NotificationElement::ContactPoint);
    }
    if !missing.is_empty() {
        doc.paragraph(w.text(MessageKey::BreachMissing, &[("article", &w.cite(art33.paragraph(4)))])?);
        let items = missing
            .iter()
            .map(|m| {
                let key = match m.element {
                    NotificationElement::Nature => MessageKey::ElementNature,
                    NotificationElement::SubjectCategories => MessageKey::ElementSubjectCategories,
                    NotificationElement::ApproximateSubjects => MessageKey::ElementApproximateSubjects,
                    NotificationElement::RecordCategories => MessageKey::ElementRecordCategories,
                    NotificationElement::ApproximateRecords => MessageKey::ElementApproximateRecords,
                    NotificationElement::ContactPoint => MessageKey::ElementContactPoint,
                    NotificationElement::LikelyConsequences => MessageKey::ElementLikelyConsequences,
                    NotificationElement::Measures => MessageKey::ElementMeasures,
                };
                Ok(format!("{}: {}", w.cite(m.article), w.text(key, &[])?))
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        doc.list(items);
    }
    Ok(doc)
}
