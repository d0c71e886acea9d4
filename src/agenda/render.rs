//! What people read: the one-line summaries, the Markdown agenda and the iCalendar feed.

use std::fmt::Write as _;

use super::{Agenda, Due, Obligation, ObligationKind, ObligationState, OwedTo};
use crate::breach::SubjectDuty;
use crate::escape;
use crate::fulfil::Operation;
use crate::model::PartyId;
use crate::vocab::{Language, Right};

/// One line for people, naming the article.
pub(super) fn summary(kind: &ObligationKind, owed_to: &OwedTo) -> String {
    let article = kind.article();
    let what = match kind {
        ObligationKind::Answer { right, .. } => {
            format!("Answer the {} request", right.as_str().replace('_', " "))
        }
        ObligationKind::ExtensionNotice { .. } => {
            "If the period is to be extended, tell the data subject, with the reasons".to_owned()
        }
        ObligationKind::StopProcessing { purpose, right: Right::WithdrawConsent, .. } => {
            format!("Stop processing for the purpose {} now: consent is withdrawn", purpose.as_str())
        }
        ObligationKind::StopProcessing { purpose, .. } => {
            format!(
                "Stop processing for the purpose {} now: the data subject objects to direct marketing",
                purpose.as_str()
            )
        }
        ObligationKind::RefusalNotice { .. } => {
            "Tell the data subject why no action is taken, and of the complaint and judicial remedies".to_owned()
        }
        ObligationKind::RecipientNotice { operation, .. } => {
            // The agenda is written in English: a name given in English only otherwise, or every
            // language with its code, never one language passed off as another.
            let recipient = match owed_to {
                OwedTo::Recipient { name, .. } => {
                    name.get(&Language::EN).map_or_else(|| name.labelled(), ToString::to_string)
                }
                _ => "the recipient".to_owned(),
            };
            format!("Tell {recipient} of the {}", operation_name(*operation))
        }
        ObligationKind::LiftingNotice { .. } => "Tell the data subject before lifting the restriction".to_owned(),
        ObligationKind::Forwarding { .. } => "Forward the request to the controller".to_owned(),
        ObligationKind::AuthorityNotification { .. } => "Notify the supervisory authority of the breach".to_owned(),
        ObligationKind::SubjectCommunication { duty: SubjectDuty::Public, .. } => {
            "Communicate the breach publicly".to_owned()
        }
        ObligationKind::SubjectCommunication { .. } => "Tell each affected data subject of the breach".to_owned(),
        ObligationKind::ControllerNotice { .. } => match owed_to {
            OwedTo::Processor { .. } => "Notify the processor that engaged you of the breach".to_owned(),
            _ => "Notify the controller of the breach".to_owned(),
        },
        ObligationKind::ObjectionWindow { .. } => {
            "Object to the new sub-processor before the window closes, or it is authorised".to_owned()
        }
        ObligationKind::DeficientAgreement { deficiencies, .. } => {
            format!("Complete the processing agreement: {} missing or defective element(s)", deficiencies.len())
        }
        ObligationKind::ExpiringAgreement { valid_until, .. } => format!(
            "Renew the processing agreement ending {valid_until}, or end the processing and delete or return the data"
        ),
        ObligationKind::GuaranteesReview { last_assessed: None, .. } => {
            "Assess and record whether the processor provides sufficient guarantees".to_owned()
        }
        ObligationKind::GuaranteesReview { last_assessed: Some(day), .. } => {
            format!("Review the assessment of the processor's guarantees made on {day}")
        }
        ObligationKind::RetentionSweep { unfinished: true, .. } => "Resume the unfinished retention sweep".to_owned(),
        ObligationKind::RetentionSweep { last: None, .. } => {
            "Run a first retention sweep under the retention policies".to_owned()
        }
        ObligationKind::RetentionSweep { .. } => "Run the retention sweep".to_owned(),
        ObligationKind::ThirdPartyInformation { activity } => format!(
            "Inform the third parties whose data activity {activity} may hold (people mentioned in chats), or record an Art. 14(5) exception with its reasons"
        ),
        ObligationKind::UncoveredRetention { activity, category } => format!(
            "Set a retention period for the category {} of activity {activity}, or its records never expire",
            category.as_str()
        ),
        ObligationKind::IncompleteRecord { missing, .. } => {
            let fields: Vec<&str> = missing.iter().map(|g| g.field.as_str()).collect();
            format!("Complete the record of processing: {}", fields.join(", "))
        }
    };
    format!("{what} ({article})")
}

fn operation_name(operation: Operation) -> &'static str {
    match operation {
        Operation::Access => "access",
        Operation::Portability => "portable export",
        Operation::Erasure => "erasure",
        Operation::Rectification => "rectification",
        Operation::Restriction => "restriction",
        Operation::RestrictionLifted => "lifting of the restriction",
    }
}

impl Agenda {
    /// The agenda as Markdown: one table per state (overdue, due today, upcoming, standing), each
    /// row with the due date, the obligation, who owes it, to whom and the article, then the
    /// details of deficient agreements and incomplete records. Parties appear by legal name where
    /// the agenda knows it; data subjects only by pseudonymous ids. Every text is escaped by
    /// [`escape::markdown`] (keys and field names in code spans by [`escape::markdown_code`]), so
    /// that a legal name holding HTML or Markdown stays text in its cell.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agenda::{Agenda, AgendaOptions, Snapshot};
    /// use gdpr_obligations::model::PartyId;
    /// use gdpr_obligations::store::Scope;
    /// use gdpr_obligations::time::DeadlinePolicy;
    ///
    /// let snapshot = Snapshot::new(Scope::of(PartyId::generate()));
    /// let agenda = Agenda::build(&snapshot, "2026-03-16T09:00:00Z".parse()?, &AgendaOptions::new(DeadlinePolicy::czech()));
    /// assert!(agenda.to_markdown().contains("Nothing is open."));
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let count = |state| self.in_state(state).count();
        let _ = writeln!(out, "# Obligations agenda\n");
        let _ = writeln!(out, "As of {}.", self.as_of.format("%Y-%m-%d %H:%M UTC"));
        if self.obligations.is_empty() {
            let _ = writeln!(out, "\nNothing is open.");
            return out;
        }
        let _ = writeln!(
            out,
            "{} open: {} overdue, {} due today, {} upcoming, {} standing.",
            self.obligations.len(),
            count(ObligationState::Overdue),
            count(ObligationState::DueToday),
            count(ObligationState::Upcoming),
            count(ObligationState::Standing),
        );
        for (state, title) in [
            (ObligationState::Overdue, "Overdue"),
            (ObligationState::DueToday, "Due today"),
            (ObligationState::Upcoming, "Upcoming"),
            (ObligationState::Standing, "Standing"),
        ] {
            let rows: Vec<&Obligation> = self.in_state(state).collect();
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n## {title}\n");
            let _ = writeln!(out, "| Due | Obligation | Owed by | Owed to | Article |");
            let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
            for o in rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    escape::markdown(&due_text(o)),
                    escape::markdown(&o.summary),
                    escape::markdown(&self.name(o.owed_by)),
                    escape::markdown(&self.owed_to_text(&o.owed_to)),
                    escape::markdown(&o.article.to_string()),
                );
            }
        }
        let details: Vec<(&Obligation, Vec<Detail>)> =
            self.obligations.iter().map(|o| (o, details(o))).filter(|(_, d)| !d.is_empty()).collect();
        if !details.is_empty() {
            let _ = writeln!(out, "\n## Details");
            for (o, lines) in details {
                let _ = writeln!(out, "\n{} ({}):\n", escape::markdown(&o.summary), escape::markdown_code(&o.key));
                for line in lines {
                    let _ = match &line.field {
                        Some(field) => {
                            writeln!(out, "- {} ({})", escape::markdown(&line.text), escape::markdown_code(field))
                        }
                        None => writeln!(out, "- {}", escape::markdown(&line.text)),
                    };
                }
            }
        }
        out
    }

    /// The agenda as an iCalendar feed (RFC 5545), one `VEVENT` per obligation that has a date:
    /// an all-day event on the last day of a period in days or months, an event at the instant
    /// of a period in hours or of a closing window. Standing obligations have no date and are
    /// left out (they are in the JSON and Markdown forms). Each event's `UID` is the obligation's
    /// stable key, so a calendar that subscribes to the feed updates events instead of
    /// duplicating them; its summary names the article; `DTSTAMP` is the agenda's instant.
    ///
    /// Every field of the summary and description is one line of plain text by
    /// [`escape::text`] (line breaks become spaces, control characters U+FFFD), so that a name
    /// cannot forge a line of the description; the `icalendar` crate then escapes the TEXT values
    /// as RFC 5545 §3.3.11 asks (`\`, `;`, `,`, line feed) and folds long lines.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::agenda::{Agenda, AgendaOptions, Snapshot};
    /// use gdpr_obligations::model::PartyId;
    /// use gdpr_obligations::store::Scope;
    /// use gdpr_obligations::time::DeadlinePolicy;
    ///
    /// let snapshot = Snapshot::new(Scope::of(PartyId::generate()));
    /// let agenda = Agenda::build(&snapshot, "2026-03-16T09:00:00Z".parse()?, &AgendaOptions::new(DeadlinePolicy::czech()));
    /// let ics = agenda.to_ical();
    /// assert!(ics.starts_with("BEGIN:VCALENDAR"));
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    #[cfg(feature = "ical")]
    #[must_use]
    pub fn to_ical(&self) -> String {
        use icalendar::{Calendar, Component, Event, EventLike};

        let mut calendar = Calendar::new();
        calendar.name("GDPR obligations");
        for o in &self.obligations {
            let mut event = Event::new();
            match o.due {
                Due::EndOfDay { date, .. } => {
                    event.starts(date).ends(date.succ_opt().unwrap_or(date));
                }
                Due::Instant { at } | Due::WindowCloses { at } => {
                    event.starts(at);
                }
                Due::Standing => continue,
            }
            let mut description = format!(
                "{}\nOwed by: {}\nOwed to: {}\nDue: {}\nState at {}: {}",
                escape::text(&o.summary),
                escape::text(&self.name(o.owed_by)),
                escape::text(&self.owed_to_text(&o.owed_to)),
                escape::text(&due_text(o)),
                self.as_of.format("%Y-%m-%d %H:%M UTC"),
                o.state,
            );
            for line in details(o) {
                description.push_str("\n- ");
                description.push_str(&escape::text(&line.text));
                if let Some(field) = &line.field {
                    description.push_str(&format!(" (`{}`)", escape::text(field)));
                }
            }
            calendar.push(
                event
                    .uid(&format!("{}@gdpr-obligations", escape::text(&o.key)))
                    .timestamp(self.as_of)
                    .summary(&escape::text(&o.summary))
                    .description(&description)
                    .categories([o.article.to_string()])
                    .done(),
            );
        }
        calendar.done().to_string()
    }

    fn name(&self, party: PartyId) -> String {
        self.party_name(party).map_or_else(|| format!("party {party}"), |n| n.to_string())
    }

    fn owed_to_text(&self, owed_to: &OwedTo) -> String {
        match owed_to {
            OwedTo::DataSubject { request, subject: Some(subject) } => {
                format!("data subject {subject} (request {request})")
            }
            OwedTo::DataSubject { request, subject: None } => format!("the requester of request {request}"),
            OwedTo::DataSubjects { breach: Some(breach) } => format!("the data subjects affected by breach {breach}"),
            OwedTo::DataSubjects { breach: None } => "the data subjects".to_owned(),
            OwedTo::Controller { party } | OwedTo::Processor { party } => self.name(*party),
            OwedTo::SupervisoryAuthority => "the supervisory authority".to_owned(),
            OwedTo::Recipient { name, .. } => {
                name.get(&Language::EN).map_or_else(|| name.labelled(), ToString::to_string)
            }
        }
    }
}

/// The due date for people: the last day and its zone, or the instant in UTC.
fn due_text(o: &Obligation) -> String {
    match o.due {
        Due::EndOfDay { date, .. } => format!("{date} (end of day, {})", o.zone),
        Due::Instant { at } => format!("{} (last instant)", at.format("%Y-%m-%d %H:%M UTC")),
        Due::WindowCloses { at } => format!("{} (window closes)", at.format("%Y-%m-%d %H:%M UTC")),
        Due::Standing => match o.kind {
            ObligationKind::LiftingNotice { .. } => "before lifting".to_owned(),
            _ => "now".to_owned(),
        },
    }
}

/// One itemised problem: its text and, for a record, the field it is about.
struct Detail {
    text: String,
    field: Option<String>,
}

/// The itemised problems behind a deficient agreement or an incomplete record.
fn details(o: &Obligation) -> Vec<Detail> {
    match &o.kind {
        ObligationKind::DeficientAgreement { deficiencies, .. } => {
            deficiencies.iter().map(|d| Detail { text: d.to_string(), field: None }).collect()
        }
        ObligationKind::IncompleteRecord { missing, .. } => missing
            .iter()
            .map(|g| Detail { text: format!("{}: {}", g.article, g.message), field: Some(g.field.to_string()) })
            .collect(),
        _ => Vec::new(),
    }
}
