//! `decide`: every rule of the lifecycle, in one function from a command to events.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{
    Command, CommandName, Event, Exemption, FeeGround, Identity, Receipt, RefusalGround, Reply, Request, RequestKind,
    StatusName, Withheld, WithheldNotice,
};
use crate::model::Text;
use crate::vocab::Article;

crate::vocab::object_struct! {
/// Why a command was not accepted: the state the request was in, what was attempted, the states
/// it needed and, where a rule of the Regulation is behind it, the article.
///
/// This is the lifecycle saying "not now" or "not allowed"; refusing to act on a request under
/// Art. 12(4) is an *event* ([`Event::Refused`]), not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema, thiserror::Error)]
#[non_exhaustive]
pub struct Rejection {
    /// What was attempted.
    pub attempted: CommandName,
    /// The state the request was in.
    pub state: StatusName,
    /// The states in which the command would have been accepted; empty when the state was right
    /// but a rule forbids it.
    pub needed: Vec<StatusName>,
    /// The provision behind the rule, where there is one.
    pub article: Option<Article>,
    /// Why, in lower case and without a final period.
    pub reason: String,
}
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(article) = &self.article {
            write!(f, "{article}: ")?;
        }
        write!(f, "cannot {} a request that is {}: {}", self.attempted, self.state, self.reason)
    }
}

/// The events `command` causes on a request in `state` (`None` before it is received), or why
/// it is rejected. Pure: no IO, no clock; time comes in the command.
///
/// `decide` holds every rule; [`evolve`](super::evolve) applies what it returns without checking.
/// A request for a right the data subject does not have for the processing concerned is not
/// rejected: it is received and answered with a [`RefusalGround::RightUnavailable`] refusal
/// naming the article, as soon as it reaches the controller.
///
/// # Errors
/// A [`Rejection`] when the command does not apply in the request's state (e.g. `complete` before
/// `start`), when it is earlier than the request's last event, when a date would leave the
/// supported range, or when a rule forbids it, with its article:
///
/// - Art. 12(3): an extension only once, and only before the first month ends; Art. 21(3),
///   7(3): never for an objection to direct marketing or a withdrawal of consent, which are due
///   at receipt and free of charge (Recital 70);
/// - Art. 12(6): identity may be asked for only for requests under Arts. 15-21, and not once
///   it is settled;
/// - Art. 5(1)(f): no request under Arts. 15-21 (access, rectification, erasure, restriction,
///   portability, objection) is carried out or completed before the identity is verified or
///   recorded as not needing verification;
/// - Art. 12(2), 12(6): a refusal for not being able to identify needs a failed verification
///   first, and a failed verification needs the identity information to have been asked for;
/// - Art. 12(5): fees and 12(5)(b) refusals only for requests under Arts. 15-22; Art. 15(3):
///   fees for further copies only for access; Art. 7(3): no fee and no such refusal for
///   withdrawing consent;
/// - Art. 21(3): an objection to direct marketing cannot be refused except for not being able to
///   identify the requester;
/// - an exemption only for the right it belongs to (e.g. Art. 17(3) only for erasure).
///
/// # Example
/// ```
/// use chrono::{DateTime, Utc};
/// use gdpr_obligations::request::{Command, Request, StatusName};
/// # use gdpr_obligations::model::{PartyId, Text};
/// # use gdpr_obligations::request::{Channel, ComplaintInformation, Processing, Receipt, RequestKind, decide};
/// # use gdpr_obligations::time::DeadlinePolicy;
/// # use gdpr_obligations::vocab::{LegalBasis, Purpose};
/// # let at: DateTime<Utc> = "2025-03-05T09:00:00Z".parse()?;
/// # let complaint = ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?);
/// # let processing = Processing::new(LegalBasis::Contract, Purpose::CustomerCare);
/// # let receipt = Receipt::new(
/// #     PartyId::generate(), at, RequestKind::Access, processing, Channel::Email, DeadlinePolicy::czech(), complaint,
/// # );
/// # let request = Request::replay(&decide(None, &Command::Receive(Box::new(receipt)))?).unwrap();
/// // An access request, received and open: it cannot complete before it starts ...
/// let later: DateTime<Utc> = "2025-03-06T09:00:00Z".parse()?;
/// let complete = Command::Complete { at: later, summary: Text::new("sent")?, withheld: None, reply: None };
/// let rejection = request.decide(&complete).unwrap_err();
/// assert_eq!((rejection.state, rejection.needed), (StatusName::Open, vec![StatusName::InProgress]));
///
/// // ... nor, once started, before the requester's identity is settled (Art. 5(1)(f)).
/// let started = request.decide(&Command::Start { at: later })?;
/// let request = started.iter().fold(request, Request::evolve);
/// let complete = Command::Complete { at: later, summary: Text::new("sent")?, withheld: None, reply: None };
/// let rejection = request.decide(&complete).unwrap_err();
/// assert_eq!(rejection.article.map(|a| a.to_string()).as_deref(), Some("Art. 5(1)(f)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decide(state: Option<&Request>, command: &Command) -> Result<Vec<Event>, Rejection> {
    let attempted = command.name();
    let needed = needed_states(attempted);
    let Some(request) = state else {
        return match command {
            Command::Receive(receipt) => receive(receipt),
            _ => Err(Rejection::wrong_state(attempted, StatusName::New, needed)),
        };
    };
    let at = command.at();
    let check = Check { request, attempted, state: request.status().name() };
    if !needed.contains(&check.state) {
        return Err(Rejection::wrong_state(attempted, check.state, needed));
    }
    if at < request.last_event_at() {
        return Err(check.rejected(
            None,
            format!(
                "events are recorded in time order, and {at} is before the last event at {}",
                request.last_event_at()
            ),
        ));
    }
    let kind = request.kind();
    match command {
        Command::Receive(_) => Err(Rejection::wrong_state(attempted, check.state, needed)),
        Command::ForwardToController { at } => {
            let event = Event::ForwardedToController { at: *at };
            let forwarded = request.clone().evolve(&event);
            if forwarded.deadlines().is_none() {
                return Err(check.out_of_range());
            }
            Ok(with_availability(&forwarded, event))
        }
        Command::RequestIdentity { at, information } => {
            if !kind.allows_identity_request() {
                return Err(check.rejected(
                    Some(Article::gdpr(12).paragraph(6)),
                    "identity may be asked for only for requests under Articles 15 to 21",
                ));
            }
            if request.identity().is_settled() {
                return Err(check.rejected(
                    Some(Article::gdpr(12).paragraph(6)),
                    "the identity is already verified or recorded as not needing verification: no reasonable doubt remains",
                ));
            }
            Ok(vec![Event::IdentityRequested { at: *at, information: information.clone() }])
        }
        Command::ProvideIdentity { at } => {
            let event = Event::IdentityProvided { at: *at };
            check.within_range(&request.clone().evolve(&event))?;
            Ok(vec![event])
        }
        Command::VerifyIdentity { at, subject } => {
            if matches!(request.identity(), Identity::Verified { .. }) {
                return Err(check.rejected(None, "the identity is already verified"));
            }
            Ok(vec![Event::IdentityVerified { at: *at, subject: *subject }])
        }
        Command::RecordIdentityFailure { at, reason } => {
            check.identity_not_settled()?;
            check.identity_was_asked_for()?;
            let event = Event::IdentityFailed { at: *at, reason: reason.clone() };
            check.within_range(&request.clone().evolve(&event))?;
            Ok(vec![event])
        }
        Command::WaiveVerification { at, reason } => {
            check.identity_not_settled()?;
            Ok(vec![Event::VerificationWaived { at: *at, reason: reason.clone() }])
        }
        Command::RequestClarification { at, question } => {
            Ok(vec![Event::ClarificationRequested { at: *at, question: question.clone() }])
        }
        Command::ProvideClarification { at } => Ok(vec![Event::ClarificationProvided { at: *at }]),
        Command::RequestFee { at, ground, amount, explanation } => {
            check.fee_allowed(*ground)?;
            Ok(vec![Event::FeeRequested {
                at: *at,
                ground: *ground,
                amount: amount.clone(),
                explanation: explanation.clone(),
            }])
        }
        Command::RecordFeePaid { at } => Ok(vec![Event::FeePaid { at: *at }]),
        Command::Extend { at, justification, notified_via } => {
            let art_12_3 = Some(Article::gdpr(12).paragraph(3));
            check.not_due_at_receipt("extended")?;
            if request.extension().is_some() {
                return Err(check.rejected(art_12_3, "the period may be extended once, by two further months"));
            }
            let due = request.deadlines_at(*at).ok_or_else(|| check.out_of_range())?.extension_notice_due();
            if due.is_overdue(*at) {
                return Err(check.rejected(
                    art_12_3,
                    format!("an extension must be notified within one month of receipt, which ended on {}", due.date()),
                ));
            }
            Ok(vec![Event::Extended { at: *at, justification: justification.clone(), notified_via: *notified_via }])
        }
        Command::Refuse { at, ground, reply } => {
            check.refusal_allowed(ground)?;
            let reply = check.reply(*reply)?;
            Ok(vec![Event::Refused {
                at: *at,
                ground: ground.clone(),
                complaint: request.receipt().complaint.clone(),
                reply: Some(reply),
            }])
        }
        Command::Start { at } => Ok(vec![Event::Started { at: *at }]),
        Command::RecordCarriedOut { at, outcome, summary, withheld, reply } => {
            if kind.allows_identity_request() && !request.identity().is_settled() {
                return Err(check.rejected(
                    Some(Article::gdpr(5).paragraph(1).point('f')),
                    "a request is carried out only once the requester's identity is verified or recorded as not needing verification (Art. 12(6)): otherwise another person's data could be disclosed or erased",
                ));
            }
            let carried = Event::CarriedOut { at: *at, outcome: outcome.clone() };
            if outcome.is_complete() {
                Ok(vec![carried, check.completed(*at, summary, withheld.as_ref(), *reply)?])
            } else {
                Ok(vec![carried])
            }
        }
        Command::Complete { at, summary, withheld, reply } => {
            if let Some(outcome) = request.carried_out()
                && !outcome.is_complete()
            {
                let failed: Vec<&str> = outcome.failed.iter().map(|s| s.as_str()).collect();
                return Err(check.rejected(
                    Some(kind.article()),
                    format!(
                        "carrying it out failed in {}: carry it out again before recording it as answered (Art. 12(3))",
                        failed.join(", ")
                    ),
                ));
            }
            if kind.allows_identity_request() && !request.identity().is_settled() {
                return Err(check.rejected(
                    Some(Article::gdpr(5).paragraph(1).point('f')),
                    "personal data are disclosed, erased, rectified or restricted only once the requester's identity is verified or recorded as not needing verification (Art. 12(6)): otherwise another person's data could be affected",
                ));
            }
            Ok(vec![check.completed(*at, summary, withheld.as_ref(), *reply)?])
        }
        Command::Withdraw { at } => Ok(vec![Event::Withdrawn { at: *at }]),
    }
}

/// Every state a request can be in while the controller still owes an answer.
const ACTIVE: &[StatusName] = &[
    StatusName::Open,
    StatusName::AwaitingIdentity,
    StatusName::AwaitingClarification,
    StatusName::AwaitingFee,
    StatusName::InProgress,
];
const OPEN_OR_IN_PROGRESS: &[StatusName] = &[StatusName::Open, StatusName::InProgress];

/// The states in which a command applies.
fn needed_states(command: CommandName) -> &'static [StatusName] {
    use StatusName::*;
    match command {
        CommandName::Receive => &[New],
        CommandName::ForwardToController => &[AwaitingForwarding],
        CommandName::ProvideIdentity => &[AwaitingIdentity],
        CommandName::RecordIdentityFailure => &[AwaitingIdentity, Open, InProgress],
        CommandName::ProvideClarification => &[AwaitingClarification],
        CommandName::RecordFeePaid => &[AwaitingFee],
        CommandName::Extend | CommandName::Refuse => ACTIVE,
        CommandName::Start => &[Open],
        CommandName::Complete | CommandName::RecordCarriedOut => &[InProgress],
        CommandName::Withdraw => {
            &[AwaitingForwarding, Open, AwaitingIdentity, AwaitingClarification, AwaitingFee, InProgress]
        }
        CommandName::RequestIdentity
        | CommandName::VerifyIdentity
        | CommandName::WaiveVerification
        | CommandName::RequestClarification
        | CommandName::RequestFee => OPEN_OR_IN_PROGRESS,
    }
}

/// `receive` on a new request: the `Received` event, and a refusal if the right is unavailable
/// and the controller already has the request.
fn receive(receipt: &Receipt) -> Result<Vec<Event>, Rejection> {
    let event = Event::Received(Box::new(receipt.clone()));
    let request = Request::received(receipt);
    let clock_started = request.clock_start().is_some();
    if (clock_started && request.deadlines().is_none())
        || (!clock_started && crate::time::receipt_date(receipt.at, receipt.policy.zone()).is_err())
    {
        let check = Check { request: &request, attempted: CommandName::Receive, state: StatusName::New };
        return Err(check.out_of_range());
    }
    Ok(with_availability(&request, event))
}

/// `event`, followed by a refusal if it put the request in the controller's hands and the right
/// is not available for the processing concerned (`vocab::rights`).
fn with_availability(after: &Request, event: Event) -> Vec<Event> {
    let with_controller = after.status().name() == StatusName::Open;
    let refusal = match after.kind().availability(&after.receipt().processing) {
        Err(limit) if with_controller => Some(refusal(after, event.at(), RefusalGround::RightUnavailable { limit })),
        _ => None,
    };
    std::iter::once(event).chain(refusal).collect()
}

/// A refusal event decided by the crate, carrying the complaint information of the receipt
/// (Art. 12(4)), answered through the channel the request came by (Art. 12(3)).
fn refusal(request: &Request, at: DateTime<Utc>, ground: RefusalGround) -> Event {
    Event::Refused {
        at,
        ground,
        complaint: request.receipt().complaint.clone(),
        reply: Some(Reply::new(request.receipt().channel)),
    }
}

/// The context of one decision, for building rejections.
struct Check<'a> {
    request: &'a Request,
    attempted: CommandName,
    state: StatusName,
}

impl Check<'_> {
    fn rejected(&self, article: Option<Article>, reason: impl Into<String>) -> Rejection {
        Rejection { attempted: self.attempted, state: self.state, needed: Vec::new(), article, reason: reason.into() }
    }

    fn out_of_range(&self) -> Rejection {
        self.rejected(Some(Article::reg_1182_71(3)), "the request's deadlines would leave the supported date range")
    }

    fn within_range(&self, after: &Request) -> Result<(), Rejection> {
        match after.deadlines() {
            Some(_) => Ok(()),
            None => Err(self.out_of_range()),
        }
    }

    fn identity_not_settled(&self) -> Result<(), Rejection> {
        match self.request.identity() {
            Identity::Verified { .. } => Err(self.rejected(None, "the identity is already verified")),
            Identity::NotRequired { .. } => Err(self.rejected(None, "verification is already recorded as unnecessary")),
            _ => Ok(()),
        }
    }

    /// Art. 12(2), 12(6) and 11(2): the controller may record that it cannot identify the
    /// requester only after asking for the information necessary to confirm the identity (the
    /// request is waiting for it, or it was provided and did not suffice): the data subject may
    /// always provide additional information, so there is no case in which asking cannot help.
    fn identity_was_asked_for(&self) -> Result<(), Rejection> {
        let asked = matches!(self.request.status().name(), StatusName::AwaitingIdentity)
            || matches!(self.request.identity(), Identity::Provided { .. } | Identity::Failed { .. });
        if asked {
            return Ok(());
        }
        Err(self.rejected(
            Some(Article::gdpr(12).paragraph(2)),
            "the controller must facilitate the request: ask for the information necessary to confirm the identity (Art. 12(6), 11(2)) before recording that it cannot be confirmed",
        ))
    }

    /// Art. 12(3), last sentence, and 15(3): a request made by electronic means is answered by
    /// electronic means unless the data subject asked otherwise. Without a reply, the answer
    /// goes through the channel the request came by.
    fn reply(&self, reply: Option<Reply>) -> Result<Reply, Rejection> {
        let came_by = self.request.receipt().channel;
        let reply = reply.unwrap_or(Reply::new(came_by));
        if came_by.is_electronic() && !reply.channel.is_electronic() && !reply.requested_by_subject {
            return Err(self.rejected(
                Some(Article::gdpr(12).paragraph(3)),
                "a request made by electronic means is answered by electronic means, unless the data subject asks otherwise",
            ));
        }
        Ok(reply)
    }

    /// The completion: what was withheld, if anything, only from the copy it may limit
    /// (Art. 15(4) for access, 20(4) for portability), with the Art. 12(4) information for the
    /// withheld part; and how the answer went (Art. 12(3)).
    fn completed(
        &self,
        at: DateTime<Utc>,
        summary: &Text,
        withheld: Option<&Withheld>,
        reply: Option<Reply>,
    ) -> Result<Event, Rejection> {
        let kind = self.request.kind();
        let withheld = match withheld {
            None => None,
            Some(w) => {
                let fits = matches!(
                    (w.limit, kind),
                    (Exemption::CopyAffectsOthers, RequestKind::Access)
                        | (Exemption::PortabilityAffectsOthers, RequestKind::Portability)
                );
                if !fits {
                    return Err(self.rejected(
                        Some(w.limit.article()),
                        format!(
                            "only Art. 15(4) limits an access copy and only Art. 20(4) portable data; the request is under {}",
                            kind.article()
                        ),
                    ));
                }
                Some(WithheldNotice { withheld: w.clone(), complaint: self.request.receipt().complaint.clone() })
            }
        };
        let reply = self.reply(reply)?;
        Ok(Event::Completed { at, summary: summary.clone(), withheld, reply: Some(reply) })
    }

    /// Art. 21(3), 7(3): an objection to direct marketing and a withdrawal of consent are due at
    /// receipt, so they are neither extended nor charged.
    fn not_due_at_receipt(&self, what: &str) -> Result<(), Rejection> {
        if !self.request.is_due_at_receipt() {
            return Ok(());
        }
        let (article, reason) = if self.request.withdraws_consent() {
            (
                Article::gdpr(7).paragraph(3),
                "a withdrawal of consent takes effect when it is made and must be as easy as giving consent",
            )
        } else {
            (
                Article::gdpr(21).paragraph(3),
                "after an objection to direct marketing the data are no longer processed for such purposes, at once and free of charge (Recital 70)",
            )
        };
        Err(self.rejected(Some(article), format!("{reason}: it cannot be {what}")))
    }

    fn fee_allowed(&self, ground: FeeGround) -> Result<(), Rejection> {
        let kind = self.request.kind();
        self.not_due_at_receipt("charged a fee (Art. 12(5)(a))")?;
        if ground == FeeGround::FurtherCopies && *kind != RequestKind::Access {
            return Err(
                self.rejected(Some(ground.article()), "a fee for further copies applies only to access requests")
            );
        }
        Ok(())
    }

    fn refusal_allowed(&self, ground: &RefusalGround) -> Result<(), Rejection> {
        let kind = self.request.kind();
        if let RefusalGround::RightUnavailable { limit } = ground {
            return Err(self.rejected(
                Some(limit.article),
                "whether the right is available is decided from the rights table when the request reaches the controller",
            ));
        }
        if kind.is_direct_marketing_objection() && *ground != RefusalGround::CannotIdentify {
            return Err(self.rejected(
                Some(Article::gdpr(21).paragraph(3)),
                "an objection to direct marketing is absolute: the data may no longer be processed for such marketing",
            ));
        }
        match ground {
            RefusalGround::ManifestlyUnfounded { .. } | RefusalGround::ManifestlyExcessive { .. }
                if !kind.is_chapter_iii_request() || self.request.withdraws_consent() =>
            {
                Err(self.rejected(
                    Some(Article::gdpr(7).paragraph(3)),
                    "consent may be withdrawn at any time: Art. 12(5)(b) covers requests under Articles 15 to 22 only",
                ))
            }
            RefusalGround::CannotIdentify if !matches!(self.request.identity(), Identity::Failed { .. }) => {
                Err(self.rejected(
                    Some(Article::gdpr(12).paragraph(2)),
                    "the controller must demonstrate that it cannot identify the data subject: record a failed verification first",
                ))
            }
            RefusalGround::Exempt { exemption: exemption @ (Exemption::CopyAffectsOthers | Exemption::PortabilityAffectsOthers), .. } => {
                Err(self.rejected(
                    Some(exemption.article()),
                    "the rights of others limit only the copy: record what is withheld, and why, when the request completes (Recital 63: never a refusal to provide all information)",
                ))
            }
            RefusalGround::Exempt { exemption, .. } if !exemption.applies_to(kind) => Err(self.rejected(
                Some(exemption.article()),
                format!("the exemption does not apply to a request under {}", kind.article()),
            )),
            RefusalGround::Exempt { exemption: Exemption::LegalObligationOrPublicTask, explanation: None } => {
                Err(self.rejected(
                    Some(Exemption::LegalObligationOrPublicTask.article()),
                    "erasure yields only to the extent that the processing is still necessary: name the law or the task, and the period for which it requires the data",
                ))
            }
            RefusalGround::ConditionsNotMet { article, .. } if !article.is_within(&kind.right().article()) => {
                Err(self.rejected(
                    Some(*article),
                    format!("the conditions named must be those of the right asked for, {}", kind.right().article()),
                ))
            }
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
        }
    }
}
