//! Letters to the data subject: the Art. 12(3) extension notice, the Art. 12(4) refusal and the
//! cover letter of an Art. 15 access report.

use super::catalogue::BasedOn;
use super::document::Writer;
use super::records::{purposes_text, recipients_text, retention_text, transfers_text};
use super::{Catalogue, Document, Language, MessageKey, ReportError};
use crate::fulfil::AccessReport;
use crate::model::Party;
use crate::request::{Exemption, ExtensionReason, RefusalGround, Request, Status};
use crate::vocab::Article;

/// The letter's head: the controller, the reference to the request and the greeting.
fn head(w: &Writer<'_>, doc: &mut Document, controller: &Party, request: &Request) -> Result<(), ReportError> {
    doc.paragraph(w.party_details(controller)?);
    let received = request.deadlines().map(|d| d.received_date()).unwrap_or_else(|| request.receipt().at.date_naive());
    let kind = request.kind();
    doc.paragraph(w.text(
        MessageKey::LetterReference,
        &[
            ("date", &w.date(received)?),
            ("right", &w.term(&kind.right())?),
            ("article", &w.cite(kind.article())),
            ("reference", &request.id().to_string()),
        ],
    )?);
    doc.paragraph(w.text(MessageKey::LetterGreeting, &[])?);
    Ok(())
}

fn closing(w: &Writer<'_>, doc: &mut Document, controller: &Party) -> Result<(), ReportError> {
    doc.paragraph(w.text(MessageKey::LetterClosing, &[])?);
    doc.paragraph(controller.legal_name().to_string());
    Ok(())
}

fn received_date(w: &Writer<'_>, request: &Request) -> Result<String, ReportError> {
    w.date(request.deadlines().map(|d| d.received_date()).unwrap_or_else(|| request.receipt().at.date_naive()))
}

/// The notice of an extension of the Art. 12(3) period, with the reasons for the delay and the
/// new time limit, for a request whose events record the extension.
///
/// # Errors
/// [`ReportError::NotInState`] when the request was not extended or its deadlines cannot be
/// computed; [`ReportError::MissingTranslation`] when the catalogue lacks a text.
///
/// # Example
/// See `tests/it/report.rs` (`art_12_3_extension_notice_states_reasons_and_new_date`).
pub fn extension_notice(
    request: &Request,
    controller: &Party,
    catalogue: &Catalogue,
    language: &Language,
) -> Result<Document, ReportError> {
    let w = Writer { catalogue, language };
    let art = Article::gdpr(12).paragraph(3);
    let not_extended =
        || ReportError::NotInState { article: art, reason: "the request's period was not extended".into() };
    let extension = request.extension().ok_or_else(not_extended)?;
    let deadlines = request.deadlines().ok_or_else(not_extended)?;
    let mut doc = Document::new(language, w.text(MessageKey::ExtensionTitle, &[("article", &w.cite(art))])?);
    head(&w, &mut doc, controller, request)?;
    doc.paragraph(w.text(
        MessageKey::ExtensionBody,
        &[
            ("received", &received_date(&w, request)?),
            ("article", &w.cite(art)),
            ("due", &w.date(deadlines.extended_due().date())?),
        ],
    )?);
    let reason = match extension.justification.reason {
        ExtensionReason::Complexity => MessageKey::ExtensionComplexity,
        ExtensionReason::NumberOfRequests => MessageKey::ExtensionNumber,
        ExtensionReason::ComplexityAndNumber => MessageKey::ExtensionComplexityAndNumber,
    };
    doc.paragraph(w.text(
        MessageKey::ExtensionReasons,
        &[("reason", &w.text(reason, &[])?), ("explanation", extension.justification.explanation.as_str())],
    )?);
    closing(&w, &mut doc, controller)?;
    Ok(doc)
}

/// The letter that tells the data subject the controller does not act on the request, with the
/// reasons and the possibility of a complaint (Art. 77) and a judicial remedy (Art. 79), as
/// Art. 12(4) requires, for a refused request.
///
/// # Errors
/// [`ReportError::NotInState`] when the request is not refused; [`ReportError::MissingTranslation`]
/// when the catalogue lacks a text or term.
pub fn refusal_letter(
    request: &Request,
    controller: &Party,
    catalogue: &Catalogue,
    language: &Language,
) -> Result<Document, ReportError> {
    let w = Writer { catalogue, language };
    let art = Article::gdpr(12).paragraph(4);
    let Status::Refused { ground, complaint, .. } = request.status() else {
        return Err(ReportError::NotInState { article: art, reason: "the request was not refused".into() });
    };
    let reason = match ground {
        RefusalGround::ManifestlyUnfounded { explanation } => {
            w.text(MessageKey::RefusalUnfounded, &[("explanation", explanation.as_str())])?
        }
        RefusalGround::ManifestlyExcessive { explanation } => {
            w.text(MessageKey::RefusalExcessive, &[("explanation", explanation.as_str())])?
        }
        RefusalGround::CannotIdentify => w.text(MessageKey::RefusalCannotIdentify, &[])?,
        RefusalGround::ConditionsNotMet { article, explanation } => w.text(
            MessageKey::RefusalConditionsNotMet,
            &[("conditions_article", &article.to_string()), ("explanation", explanation.as_str())],
        )?,
        RefusalGround::Exempt { exemption, explanation } => {
            let key = match exemption {
                Exemption::FreedomOfExpression => MessageKey::ExemptFreedomOfExpression,
                Exemption::LegalObligationOrPublicTask => MessageKey::ExemptLegalObligation,
                Exemption::PublicHealth => MessageKey::ExemptPublicHealth,
                Exemption::ArchivingOrResearch => MessageKey::ExemptArchiving,
                Exemption::LegalClaims => MessageKey::ExemptLegalClaims,
                Exemption::CompellingLegitimateGrounds => MessageKey::ExemptCompellingGrounds,
                Exemption::CopyAffectsOthers => MessageKey::ExemptCopyAffectsOthers,
                Exemption::PortabilityAffectsOthers => MessageKey::ExemptPortabilityAffectsOthers,
                Exemption::DecisionAuthorisedByLaw => MessageKey::ExemptDecisionByLaw,
            };
            let exempt = w.text(MessageKey::RefusalExempt, &[("exemption", &w.text(key, &[])?)])?;
            match explanation {
                Some(explanation) => format!("{exempt}: {explanation}"),
                None => exempt,
            }
        }
        RefusalGround::RightUnavailable { limit } => w.text(
            MessageKey::RefusalUnavailable,
            &[
                ("right", &w.right_name(limit.right)?),
                ("basis", &w.term(&BasedOn(limit.basis))?),
                ("basis_article", &w.cite(limit.basis.article())),
            ],
        )?,
    };
    let mut doc = Document::new(language, w.text(MessageKey::RefusalTitle, &[("article", &w.cite(art))])?);
    head(&w, &mut doc, controller, request)?;
    doc.paragraph(w.text(
        MessageKey::RefusalBody,
        &[
            ("received", &received_date(&w, request)?),
            ("article", &w.cite(ground.article_for(request.kind()))),
            ("reason", &reason),
        ],
    )?);
    doc.paragraph(w.text(
        MessageKey::RefusalComplaint,
        &[
            ("complaint_article", &w.cite(Article::gdpr(77))),
            ("authority", complaint.supervisory_authority().as_str()),
            ("remedy_article", &w.cite(Article::gdpr(79))),
            ("remedy", complaint.judicial_remedy().as_str()),
        ],
    )?);
    closing(&w, &mut doc, controller)?;
    Ok(doc)
}

/// The cover letter of an access report: the confirmation, and for each processing activity the
/// information of Art. 15(1)(a)-(h) and the transfers' safeguards (Art. 15(2)); the copy
/// (Art. 15(3)) travels with it.
///
/// # Errors
/// [`ReportError::NotInState`] when the report is not complete (a source failed: an incomplete
/// report must not be sent as the answer); [`ReportError::MissingTranslation`] when the
/// catalogue lacks a text or term; [`ReportError::UntranslatedText`] when a free text of an
/// activity (its name, legitimate interests, recipients, retention, automated decision-making,
/// safeguards) is not given in `language`.
pub fn access_cover_letter(
    report: &AccessReport,
    request: &Request,
    controller: &Party,
    catalogue: &Catalogue,
    language: &Language,
) -> Result<Document, ReportError> {
    let w = Writer { catalogue, language };
    let art = Article::gdpr(15).paragraph(1);
    if !report.complete {
        return Err(ReportError::NotInState {
            article: art,
            reason: "not every source answered: an incomplete access report must not be sent".into(),
        });
    }
    let mut doc = Document::new(language, w.text(MessageKey::AccessTitle, &[("article", &w.cite(Article::gdpr(15)))])?);
    head(&w, &mut doc, controller, request)?;
    let complaint = w.text(MessageKey::AccessComplaint, &[("article", &w.cite(report.complaint))])?;
    if !report.processing {
        doc.paragraph(w.text(MessageKey::AccessNoData, &[("article", &w.cite(art))])?);
        doc.paragraph(complaint);
        closing(&w, &mut doc, controller)?;
        return Ok(doc);
    }
    doc.paragraph(w.text(
        MessageKey::AccessConfirmation,
        &[("article", &w.cite(art)), ("copy_article", &w.cite(Article::gdpr(15).paragraph(3)))],
    )?);
    doc.paragraph(w.text(MessageKey::AccessInformation, &[("article", &w.cite(art))])?);
    // Art. 15(1)(g): where the data came from in the subject's words, never a table's name.
    let sources = if report.origins_not_from_subject.is_empty() {
        w.text(MessageKey::AccessNoSources, &[])?
    } else {
        w.text(MessageKey::AccessSources, &[("sources", &w.terms(&report.origins_not_from_subject)?)])?
    };
    for a in &report.activities {
        let at = format!("activity {}: ", a.activity);
        let at = at.as_str();
        let art15 = |point: char| Article::gdpr(15).paragraph(1).point(point);
        doc.heading(1, w.local(&a.name, || format!("{at}name"), art)?.to_owned());
        let rights = a
            .rights
            .iter()
            .map(|r| w.text(MessageKey::RightLine, &[("right", &w.right_name(*r)?), ("article", &w.cite(r.article()))]))
            .collect::<Result<Vec<_>, _>>()?
            .join(", ");
        let none = w.text(MessageKey::None, &[])?;
        let recipients = recipients_text(&w, &a.recipients, at, art15('c'))?;
        let mut items = vec![
            w.text(MessageKey::AccessPurposes, &[("purposes", &purposes_text(&w, &a.purposes, at)?)])?,
            w.text(MessageKey::AccessCategories, &[("categories", &w.terms(&a.data_categories)?)])?,
            w.text(
                MessageKey::AccessRecipients,
                &[("recipients", if recipients.is_empty() { &none } else { &recipients })],
            )?,
            w.text(MessageKey::AccessRetention, &[("retention", &retention_text(&w, &a.retention, at, art15('d'))?)])?,
            w.text(MessageKey::AccessRights, &[("rights", &rights)])?,
            complaint.clone(),
            sources.clone(),
            match &a.automated_decision_making {
                Some(info) => {
                    let info = w.local(info, || format!("{at}automated_decision_making"), art15('h'))?;
                    w.text(MessageKey::AccessAutomated, &[("information", info)])?
                }
                None => w.text(MessageKey::AccessNoAutomated, &[])?,
            },
        ];
        if !a.transfers.is_empty() {
            items.push(w.text(
                MessageKey::AccessTransfers,
                &[
                    ("article", &w.cite(Article::gdpr(15).paragraph(2))),
                    ("transfers", &transfers_text(&w, &a.transfers, at)?),
                ],
            )?);
        }
        doc.list(items);
    }
    closing(&w, &mut doc, controller)?;
    Ok(doc)
}
