//! `decide`: every rule of the breach lifecycle, in one function from a command to events.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

use super::{
    Awareness, Breach, Command, CommandName, CommunicationMethod, Detection, Event, Missing, RiskLevel, StatusName,
    SubjectDuty,
};
use crate::vocab::Article;

crate::vocab::object_struct! {
/// Why a command was not accepted: the state the breach was in, what was attempted, the states
/// it needed and, where a rule of the Regulation is behind it, the article.
///
/// A rejection changes nothing: the register keeps every event it had, and the rejection itself
/// says exactly what was refused and why, so it can be logged whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, thiserror::Error)]
#[non_exhaustive]
pub struct Rejection {
    /// What was attempted.
    pub attempted: CommandName,
    /// The state the breach was in.
    pub state: StatusName,
    /// The states in which the command would have been accepted; empty when the state was right
    /// but a rule forbids it.
    pub needed: Vec<StatusName>,
    /// The provision behind the rule, where there is one.
    pub article: Option<Article>,
    /// Why, in lower case and without a final period.
    pub reason: String,
    /// The elements of Art. 33(3) that were missing, when that is why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Missing>,
}
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(article) = &self.article {
            write!(f, "{article}: ")?;
        }
        write!(f, "cannot {} a breach that is {}: {}", self.attempted, self.state, self.reason)
    }
}

/// The events `command` causes on a breach in `state` (`None` before it is detected), or why it
/// is rejected. Pure: no IO, no clock; time comes in the command.
///
/// # Errors
/// A [`Rejection`] when the command does not apply in the breach's state (anything but
/// `detect` before detection, anything after closure, an exception before an assessment), when
/// it is earlier than the last event, when a clock would leave the supported range, or when a
/// rule forbids it, with its article:
///
/// - Art. 33(1): only the controller notifies the supervisory authority; a notification later
///   than 72 hours after awareness carries the reasons for the delay, even for a breach assessed
///   as unlikely to result in a risk (a later reassessment brings the clock back, and the earlier
///   assessment is then the reason); an entry is not closed
///   before the authority is notified, unless the breach was assessed as unlikely to result in
///   a risk;
/// - Art. 33(2): only a processor notifies its principal, once per [`NoticeDuty`], and a
///   processor's entry names at least one notice and is not closed before every notice is sent;
/// - Art. 33(3)(a): a notification describes at least the nature of the breach (the rest may
///   follow in phases, Art. 33(4)); Art. 33(4): the authority is notified once, and further
///   information is added in phases;
/// - Art. 34(1): only the controller communicates to the data subjects, and an entry whose
///   breach is likely to result in a high risk is not closed before they are told, or an
///   Art. 34(3) exception is recorded;
/// - Art. 34(2): a communication holds the nature and the information of Art. 33(3)(b)-(d);
/// - Art. 34(3): an exception only for a high-risk breach not yet communicated;
///   Art. 34(3)(c): a public communication replaces a direct one only under that point.
///
/// [`NoticeDuty`]: super::NoticeDuty
///
/// # Example
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use gdpr_obligations::breach::{Awareness, Breach, Command, Detection, Facts, StatusName, decide};
/// use gdpr_obligations::model::{PartyId, Text};
/// use gdpr_obligations::time::DeadlinePolicy;
///
/// let aware: DateTime<Utc> = "2026-03-13T18:30:00Z".parse()?;
/// let facts = Facts { nature: Some(Text::new("chat transcripts e-mailed to a wrong address")?), ..Facts::default() };
/// let detection =
///     Detection::new(Awareness::Controller { controller: PartyId::generate() }, aware, DeadlinePolicy::czech())
///         .with_facts(facts);
/// let breach = Breach::replay(&decide(None, &Command::Detect(Box::new(detection)))?).expect("detected");
///
/// // Four days later, without reasons for the delay: rejected under Art. 33(1).
/// let late = Command::NotifyAuthority {
///     at: aware + TimeDelta::hours(96),
///     authority: Text::new("Úřad pro ochranu osobních údajů")?,
///     reasons_for_delay: None,
/// };
/// let rejection = breach.decide(&late).unwrap_err();
/// assert_eq!(rejection.article.map(|a| a.to_string()).as_deref(), Some("Art. 33(1)"));
/// assert_eq!(rejection.state, StatusName::Unassessed);
///
/// // Closing before assessing and notifying: rejected under Art. 33(1) too.
/// let close = Command::Close { at: aware + TimeDelta::hours(1), summary: Text::new("fixed")? };
/// assert!(breach.decide(&close).unwrap_err().to_string().starts_with("Art. 33(1)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decide(state: Option<&Breach>, command: &Command) -> Result<Vec<Event>, Rejection> {
    let attempted = command.name();
    let needed = needed_states(attempted);
    let Some(breach) = state else {
        return match command {
            Command::Detect(detection) => detect(detection),
            _ => Err(Rejection::wrong_state(attempted, StatusName::New, needed)),
        };
    };
    let check = Check { breach, attempted, state: breach.status() };
    if !needed.contains(&check.state) {
        return Err(Rejection::wrong_state(attempted, check.state, needed));
    }
    let at = command.at();
    if at < breach.last_event_at() {
        return Err(check.rejected(
            None,
            format!(
                "events are recorded in time order, and {at} is before the last event at {}",
                breach.last_event_at()
            ),
        ));
    }
    let art33 = Article::gdpr(33);
    let art34 = Article::gdpr(34);
    match command {
        Command::Detect(_) => Err(Rejection::wrong_state(attempted, check.state, needed)),
        Command::Assess { at, risk, reasons } => {
            Ok(vec![Event::Assessed { at: *at, risk: *risk, reasons: reasons.clone() }])
        }
        Command::AddInformation { at, facts } => {
            if !breach.facts().would_change(facts) {
                return Err(
                    check.rejected(Some(art33.paragraph(4)), "the information adds nothing to what is recorded")
                );
            }
            Ok(vec![Event::InformationAdded { at: *at, facts: facts.clone() }])
        }
        Command::NotifyAuthority { at, authority, reasons_for_delay } => {
            if !breach.kept_by_controller() {
                return Err(check.rejected(
                    Some(art33.paragraph(2)),
                    "a processor notifies the controller, which notifies the supervisory authority",
                ));
            }
            if let Some(done) = breach.authority_notice() {
                return Err(check.rejected(
                    Some(art33.paragraph(4)),
                    format!("the authority was notified at {}: add further information in phases instead", done.at),
                ));
            }
            if breach.facts().nature.is_none() {
                return Err(Rejection {
                    missing: breach.facts().missing_for_notification(),
                    ..check.rejected(
                        Some(art33.paragraph(3).point('a')),
                        "a notification describes at least the nature of the breach; the rest may follow in phases",
                    )
                });
            }
            // Also when the breach is assessed as unlikely to result in a risk: a reassessment may
            // bring the clock back, and the register must never hold a late notification without
            // reasons (the earlier assessment is then the reason).
            let due = breach.detection().policy.breach_deadline(breach.aware_at()).map_err(|_| check.out_of_range())?;
            if *at > due && reasons_for_delay.is_none() {
                return Err(check.rejected(
                    Some(art33.paragraph(1)),
                    format!(
                        "the notification is later than 72 hours after awareness (due {due}) and must give the reasons for the delay"
                    ),
                ));
            }
            Ok(vec![Event::AuthorityNotified {
                at: *at,
                authority: authority.clone(),
                reasons_for_delay: reasons_for_delay.clone(),
            }])
        }
        Command::NotifyPrincipal { at, agreement } => {
            if breach.kept_by_controller() {
                return Err(check.rejected(
                    Some(art33.paragraph(2)),
                    "only a processor notifies the party that engaged it; a controller notifies the supervisory authority",
                ));
            }
            if !breach.notice_duties().iter().any(|d| d.agreement == *agreement) {
                return Err(check.rejected(
                    Some(art33.paragraph(2)),
                    format!("agreement {agreement} is not among the notices this processor owes for the breach"),
                ));
            }
            if let Some(done) = breach.principal_notice(*agreement) {
                return Err(
                    check.rejected(None, format!("the notice under agreement {agreement} was sent at {}", done.at))
                );
            }
            Ok(vec![Event::PrincipalNotified { at: *at, agreement: *agreement }])
        }
        Command::RecordException { at, exception } => {
            check.controller_only(art34.paragraph(1))?;
            if breach.assessment().is_none_or(|a| a.risk != RiskLevel::HighRisk) {
                return Err(check.rejected(
                    Some(art34.paragraph(3)),
                    "an exception applies only where Art. 34(1) requires a communication: the breach is not assessed as likely to result in a high risk",
                ));
            }
            if breach.exception().is_some() {
                return Err(check.rejected(Some(art34.paragraph(3)), "an exception is already recorded"));
            }
            if !breach.communications().is_empty() {
                return Err(check.rejected(Some(art34.paragraph(3)), "the data subjects have already been told"));
            }
            Ok(vec![Event::ExceptionRecorded { at: *at, exception: exception.clone() }])
        }
        Command::CommunicateToSubjects { at, method, message } => {
            check.controller_only(art34.paragraph(1))?;
            let missing = breach.facts().missing_for_communication();
            if !missing.is_empty() {
                return Err(Rejection {
                    missing,
                    ..check.rejected(
                        Some(art34.paragraph(2)),
                        "a communication describes the nature of the breach and gives at least the information of Art. 33(3)(b), (c) and (d)",
                    )
                });
            }
            let duty = breach.subject_decision().map(|d| d.duty);
            if *method == CommunicationMethod::Public && duty == Some(SubjectDuty::Direct) {
                return Err(check.rejected(
                    Some(art34.paragraph(3).point('c')),
                    "a public communication replaces telling each data subject only where that would involve disproportionate effort: record the exception first",
                ));
            }
            Ok(vec![Event::SubjectsCommunicated { at: *at, method: *method, message: message.clone() }])
        }
        Command::Close { at, summary } => {
            check.may_close()?;
            Ok(vec![Event::Closed { at: *at, summary: summary.clone() }])
        }
    }
}

fn needed_states(command: CommandName) -> &'static [StatusName] {
    use StatusName::*;
    match command {
        CommandName::Detect => &[New],
        CommandName::RecordException => &[Assessed],
        CommandName::Assess
        | CommandName::AddInformation
        | CommandName::NotifyAuthority
        | CommandName::NotifyPrincipal
        | CommandName::CommunicateToSubjects
        | CommandName::Close => &[Unassessed, Assessed],
    }
}

/// `detect` on a new breach.
fn detect(detection: &Detection) -> Result<Vec<Event>, Rejection> {
    let breach = Breach::detected(detection);
    let check = Check { breach: &breach, attempted: CommandName::Detect, state: StatusName::New };
    if let Awareness::Processor { notify, .. } = &detection.aware
        && notify.is_empty()
    {
        return Err(check.rejected(
            Some(Article::gdpr(33).paragraph(2)),
            "a processor's breach names the parties it must notify: at least one controller's data is concerned",
        ));
    }
    if detection.occurred_at.is_some_and(|occurred| occurred > detection.aware_at) {
        return Err(check.rejected(None, "a breach cannot occur after the keeper became aware of it"));
    }
    let clocks = if breach.kept_by_controller() {
        detection.policy.breach_deadline(detection.aware_at).is_ok()
    } else {
        breach.principal_deadlines().len() == breach.notice_duties().len()
    };
    if !clocks {
        return Err(check.out_of_range());
    }
    Ok(vec![Event::Detected(Box::new(detection.clone()))])
}

/// The context of one decision, for building rejections.
struct Check<'a> {
    breach: &'a Breach,
    attempted: CommandName,
    state: StatusName,
}

impl Check<'_> {
    fn rejected(&self, article: Option<Article>, reason: impl Into<String>) -> Rejection {
        Rejection {
            attempted: self.attempted,
            state: self.state,
            needed: Vec::new(),
            article,
            reason: reason.into(),
            missing: Vec::new(),
        }
    }

    fn out_of_range(&self) -> Rejection {
        self.rejected(Some(Article::reg_1182_71(3)), "the breach's deadlines would leave the supported range")
    }

    fn controller_only(&self, article: Article) -> Result<(), Rejection> {
        if self.breach.kept_by_controller() {
            Ok(())
        } else {
            Err(self.rejected(
                Some(article),
                "communicating to the data subjects is the controller's duty, not a processor's",
            ))
        }
    }

    fn may_close(&self) -> Result<(), Rejection> {
        let breach = self.breach;
        if let Some(open) = breach.notice_duties().iter().find(|d| breach.principal_notice(d.agreement).is_none()) {
            return Err(self.rejected(
                Some(Article::gdpr(33).paragraph(2)),
                format!("the notice under agreement {} has not been sent", open.agreement),
            ));
        }
        if !breach.kept_by_controller() {
            return Ok(());
        }
        let unlikely = breach.assessment().is_some_and(|a| a.risk == RiskLevel::Unlikely);
        if breach.authority_notice().is_none() && !unlikely {
            return Err(self.rejected(
                Some(Article::gdpr(33).paragraph(1)),
                "the supervisory authority has not been notified, and the breach is not assessed as unlikely to result in a risk",
            ));
        }
        match breach.subject_decision().map(|d| d.duty) {
            Some(SubjectDuty::Undecided) => Err(self.rejected(
                Some(Article::gdpr(34).paragraph(1)),
                "whether the breach is likely to result in a high risk to the data subjects has not been assessed",
            )),
            Some(SubjectDuty::Direct) if !breach.subjects_informed() => Err(self.rejected(
                Some(Article::gdpr(34).paragraph(1)),
                "the breach is likely to result in a high risk and the data subjects have not been told",
            )),
            Some(SubjectDuty::Public) if !breach.subjects_informed() => Err(self.rejected(
                Some(Article::gdpr(34).paragraph(3).point('c')),
                "the public communication that replaces telling each data subject has not been made",
            )),
            _ => Ok(()),
        }
    }
}

impl Rejection {
    fn wrong_state(attempted: CommandName, state: StatusName, needed: &[StatusName]) -> Rejection {
        let names: Vec<&str> = needed.iter().map(StatusName::as_str).collect();
        Rejection {
            attempted,
            state,
            needed: needed.to_vec(),
            article: None,
            reason: format!("it must be {}", names.join(" or ")),
            missing: Vec::new(),
        }
    }
}
