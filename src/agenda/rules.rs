//! The rules of the agenda: from a snapshot and an instant to the open obligations, one function
//! per family (requests, breaches, agreements, retention, records).

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::render::summary;
use super::{AgendaOptions, Due, Obligation, ObligationKind, OwedTo, RecordGap, Snapshot, local_date};
use crate::agreement::{ChangeNoticeStatus, FORWARDING_WORKING_DAYS, ProcessingAgreement};
use crate::breach::{Breach, Duty, SubjectDuty};
use crate::fulfil::{NoticeKind, Operation};
use crate::model::{LocalizedText, PartyId};
use crate::request::{Identity, Receiver, Request, RequestKind, Status};
use crate::time::{Calendar, Deadline, Zone, add_hours, is_working_day, receipt_date};
use crate::vocab::{Article, Right};

/// Every open obligation of the snapshot's scope at `now`, unsorted.
pub(super) fn obligations(snapshot: &Snapshot, now: DateTime<Utc>, options: &AgendaOptions) -> Vec<Obligation> {
    let mut out = Out { snapshot, now, list: Vec::new() };
    let controller = snapshot.scope.controller();
    for request in snapshot.requests.iter().filter(|r| r.receipt().controller == controller) {
        out.request(request);
    }
    for breach in snapshot.breaches.iter().filter(|b| b.keeper() == controller) {
        out.breach(breach);
    }
    let agreements = agreements_in_scope(snapshot);
    for agreement in &agreements {
        let parent = agreement.parent.and_then(|p| agreements.iter().copied().find(|a| a.id == p));
        out.agreement(agreement, parent, options);
    }
    out.change_notices(&agreements, options);
    out.retention(options);
    out.uncovered_retention(options.policy().zone());
    out.third_parties(options);
    out.records(&agreements, options.policy().zone());
    out.list
}

/// The agreements of the scope's tree: the controller's own (no parent, the controller as
/// principal) and the sub-processing agreements below them. Anything else in a snapshot is not
/// the scope's and is left out.
fn agreements_in_scope(snapshot: &Snapshot) -> Vec<&ProcessingAgreement> {
    let controller = snapshot.scope.controller();
    let mut ids: BTreeSet<_> =
        snapshot.agreements.iter().filter(|a| a.parent.is_none() && a.principal == controller).map(|a| a.id).collect();
    loop {
        let before = ids.len();
        for a in &snapshot.agreements {
            if a.parent.is_some_and(|p| ids.contains(&p)) {
                ids.insert(a.id);
            }
        }
        if ids.len() == before {
            break;
        }
    }
    snapshot.agreements.iter().filter(|a| ids.contains(&a.id)).collect()
}

struct Out<'a> {
    snapshot: &'a Snapshot,
    now: DateTime<Utc>,
    list: Vec<Obligation>,
}

impl Out<'_> {
    fn push(&mut self, key: String, kind: ObligationKind, owed_by: PartyId, owed_to: OwedTo, due: Due, zone: Zone) {
        let summary = summary(&kind, &owed_to);
        self.list.push(Obligation {
            key,
            scope: self.snapshot.scope,
            article: kind.article(),
            state: due.state(self.now, zone),
            kind,
            owed_by,
            owed_to,
            due,
            zone,
            summary,
        });
    }

    /// Arts. 12(3), 12(4), 19, 18(3) and 28(3)(e) for one request.
    fn request(&mut self, request: &Request) {
        let receipt = request.receipt();
        let id = request.id();
        let zone = receipt.policy.zone();
        let controller = receipt.controller;
        let subject = match request.identity() {
            Identity::Verified { subject, .. } => Some(*subject),
            _ => None,
        };
        let requester = OwedTo::DataSubject { request: id, subject };

        // Art. 28(3)(e): promptly, within the agreement's hours or, without them, the crate's
        // working days from the processor's receipt.
        if let (Status::AwaitingForwarding, Receiver::Processor { processor, .. }) =
            (request.status(), receipt.receiver)
        {
            let due = self.forwarding_due(request, processor);
            let to = OwedTo::Controller { party: controller };
            self.push(
                key("art-28-3-e-forwarding", id),
                ObligationKind::Forwarding { request: id },
                processor,
                to,
                due,
                zone,
            );
        }

        if !request.is_closed()
            && let Some(deadlines) = request.deadlines_at(self.now)
        {
            if matches!(request.identity(), Identity::Failed { .. }) {
                // Art. 12(4): "at the latest within one month of receipt", extended or not.
                let due = Due::from_deadline(deadlines.due());
                let kind = ObligationKind::RefusalNotice { request: id };
                self.push(key("art-12-4-refusal-notice", id), kind, controller, requester, due, zone);
                return;
            }
            if request.is_due_at_receipt() {
                // Art. 21(3), 7(3): at once, not a one- or three-month answer; an objection to
                // consent-based processing is a withdrawal (Art. 7(3), 12(2)).
                let right = if request.withdraws_consent() { Right::WithdrawConsent } else { request.kind().right() };
                let kind =
                    ObligationKind::StopProcessing { request: id, purpose: receipt.processing.purpose.clone(), right };
                let due = Due::Instant { at: receipt.at };
                self.push(key("stop-processing", id), kind, controller, requester, due, zone);
                return;
            }
            let current = if request.extension().is_some() { deadlines.extended_due() } else { deadlines.due() };
            let kind = ObligationKind::Answer { request: id, right: request.kind().right() };
            self.push(
                key("art-12-3-answer", id),
                kind,
                controller,
                requester.clone(),
                Due::from_deadline(current),
                zone,
            );
            let notice = deadlines.extension_notice_due();
            if request.extension().is_none()
                && request.status() != &Status::AwaitingForwarding
                && !notice.is_overdue(self.now)
            {
                let kind = ObligationKind::ExtensionNotice { request: id };
                let due = Due::from_deadline(notice);
                self.push(key("art-12-3-extension-notice", id), kind, controller, requester, due, zone);
            }
            return;
        }

        let Status::Completed { at, .. } = request.status() else { return };
        let operation = match request.kind() {
            RequestKind::Erasure { .. } => Operation::Erasure,
            RequestKind::Rectification => Operation::Rectification,
            RequestKind::Restriction { .. } => Operation::Restriction,
            _ => return,
        };
        // Art. 19: owed unless the fulfilment journal shows that nothing changed.
        let changed = self
            .snapshot
            .fulfilments
            .iter()
            .find(|f| f.job == id && f.operation == operation)
            .is_none_or(|f| f.changed);
        if changed && let Some(deadline) = request.current_deadline(*at) {
            for (name, party) in self.recipients() {
                if self.recipient_told(request, &name, party) {
                    continue;
                }
                let key = format!(
                    "art-19-recipient-notice/{id}/{}",
                    party.map_or_else(|| name.labelled(), |p| p.to_string())
                );
                let kind = ObligationKind::RecipientNotice { request: id, operation };
                let to = OwedTo::Recipient { name, party };
                self.push(key, kind, controller, to, Due::from_deadline(deadline), zone);
            }
        }
        // Art. 18(3): before the restriction is lifted.
        if operation == Operation::Restriction
            && !self
                .snapshot
                .notices_given
                .iter()
                .any(|n| n.request == id && n.notice == NoticeKind::RestrictionLifting)
        {
            let kind = ObligationKind::LiftingNotice { request: id };
            self.push(key("art-18-3-lifting-notice", id), kind, controller, requester, Due::Standing, zone);
        }
    }

    /// When `processor` must have passed `request` on (Art. 28(3)(e), "promptly"): within the
    /// hours its agreement with the controller sets, or else by the end of the
    /// [`FORWARDING_WORKING_DAYS`]th working day after the processor's receipt in the request's
    /// calendar; never later than the controller's month (Art. 12(3)).
    fn forwarding_due(&self, request: &Request, processor: PartyId) -> Due {
        let receipt = request.receipt();
        let month = receipt.policy.request_deadlines(receipt.at).ok().map(|d| Due::from_deadline(d.due()));
        let hours = agreements_in_scope(self.snapshot)
            .into_iter()
            .filter(|a| a.parent.is_none() && a.principal == receipt.controller && a.processor == processor)
            .filter_map(|a| a.data_subject_assistance.as_ref()?.forwarding_hours)
            .min();
        let prompt = match hours {
            Some(hours) => add_hours(receipt.at, u32::from(hours)).ok().map(|at| Due::Instant { at }),
            None => receipt_date(receipt.at, receipt.policy.zone())
                .ok()
                .and_then(|received| working_days_after(received, FORWARDING_WORKING_DAYS, receipt.policy.calendar()))
                .and_then(|day| Deadline::at_end_of(day, receipt.policy.zone()).ok())
                .map(Due::from_deadline),
        };
        match (prompt, month) {
            (Some(p), Some(m)) => {
                if m.instant() < p.instant() {
                    m
                } else {
                    p
                }
            }
            (Some(due), None) | (None, Some(due)) => due,
            (None, None) => Due::Standing,
        }
    }

    /// The recipients the scope controller's activities list, each once (Art. 30(1)(d)).
    fn recipients(&self) -> Vec<(LocalizedText, Option<PartyId>)> {
        let controller = self.snapshot.scope.controller();
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for activity in self.snapshot.activities.iter().filter(|a| a.is_controlled_by(controller)) {
            for r in &activity.fields().recipients {
                if seen.insert((r.name.clone(), r.party)) {
                    out.push((r.name.clone(), r.party));
                }
            }
        }
        out
    }

    fn recipient_told(&self, request: &Request, name: &LocalizedText, party: Option<PartyId>) -> bool {
        self.snapshot.notices_given.iter().any(|n| {
            n.request == request.id()
                && matches!(&n.notice, NoticeKind::Recipient(given)
                if match (party, given.party) {
                    (Some(p), Some(g)) => p == g,
                    _ => given.recipient == *name,
                })
        })
    }

    /// Arts. 33(1), 34 and 33(2) for one register entry.
    fn breach(&mut self, breach: &Breach) {
        let id = breach.id();
        let zone = breach.detection().policy.zone();
        let keeper = breach.keeper();
        if let Some(deadline) = breach.authority_deadline()
            && deadline.done_at.is_none()
        {
            let due = Due::Instant { at: deadline.due };
            let kind = ObligationKind::AuthorityNotification { breach: id };
            self.push(format!("art-33-1-authority/{id}"), kind, keeper, OwedTo::SupervisoryAuthority, due, zone);
        }
        if let Some(decision) = breach.subject_decision()
            && matches!(decision.duty, SubjectDuty::Direct | SubjectDuty::Public)
            && !breach.subjects_informed()
        {
            // "Without undue delay": due at once from the assessment that found the high risk.
            let at = breach.assessment().map_or(breach.aware_at(), |a| a.at);
            let kind = ObligationKind::SubjectCommunication { breach: id, duty: decision.duty };
            let to = OwedTo::DataSubjects { breach: Some(id) };
            self.push(format!("art-34-communication/{id}"), kind, keeper, to, Due::Instant { at }, zone);
        }
        for deadline in breach.principal_deadlines() {
            let Duty::Principal(duty) = &deadline.duty else { continue };
            if deadline.done_at.is_some() {
                continue;
            }
            let to = if duty.principal == duty.controller {
                OwedTo::Controller { party: duty.principal }
            } else {
                OwedTo::Processor { party: duty.principal }
            };
            let kind =
                ObligationKind::ControllerNotice { breach: id, agreement: duty.agreement, controller: duty.controller };
            let key = format!("art-33-2-notice/{id}/{}", duty.agreement);
            self.push(key, kind, keeper, to, Due::Instant { at: deadline.due }, zone);
        }
    }

    /// Art. 28(3): a deficient agreement (Art. 28(4) too, against its `parent`), or one that
    /// expires soon. Agreement dates are UTC dates.
    fn agreement(
        &mut self,
        agreement: &ProcessingAgreement,
        parent: Option<&ProcessingAgreement>,
        options: &AgendaOptions,
    ) {
        let end = agreement.valid_until.and_then(|until| Deadline::at_end_of(until, Zone::UTC).ok());
        if end.is_some_and(|end| end.is_overdue(self.now)) {
            return;
        }
        let id = agreement.id;
        let to = OwedTo::Processor { party: agreement.processor };
        let mut deficiencies = agreement.validate();
        deficiencies.extend(parent.map(|p| agreement.flow_down_deficiencies(p)).unwrap_or_default());
        if !deficiencies.is_empty() {
            let due = agreement
                .valid_from
                .and_then(|from| from.pred_opt())
                .and_then(|day| Deadline::at_end_of(day, Zone::UTC).ok())
                .map_or(Due::Standing, Due::from_deadline);
            let kind = ObligationKind::DeficientAgreement { agreement: id, deficiencies };
            let key = format!("art-28-3-deficient-agreement/{id}");
            self.push(key, kind, agreement.principal, to.clone(), due, Zone::UTC);
        }
        self.guarantees(agreement, options);
        if let (Some(until), Some(end)) = (agreement.valid_until, end) {
            let warn_from =
                until.checked_sub_days(Days::new(u64::from(options.expiry_warning_days()))).unwrap_or(until);
            if self.now.date_naive() >= warn_from {
                let kind = ObligationKind::ExpiringAgreement { agreement: id, valid_until: until };
                let key = format!("art-28-3-expiring-agreement/{id}");
                self.push(key, kind, agreement.principal, to, Due::from_deadline(end), Zone::UTC);
            }
        }
    }

    /// Art. 28(1), 28(5): the principal's assessment of the processor's guarantees, missing (due
    /// before processing under the agreement starts) or with its review due (shown from the
    /// expiry-warning days before the review date, due at its end). Agreement dates are UTC dates.
    fn guarantees(&mut self, agreement: &ProcessingAgreement, options: &AgendaOptions) {
        let id = agreement.id;
        let to = OwedTo::Processor { party: agreement.processor };
        let key = format!("art-28-1-guarantees/{id}");
        match &agreement.guarantees {
            None => {
                let due = agreement
                    .valid_from
                    .and_then(|from| from.pred_opt())
                    .and_then(|day| Deadline::at_end_of(day, Zone::UTC).ok())
                    .map_or(Due::Standing, Due::from_deadline);
                let kind = ObligationKind::GuaranteesReview { agreement: id, last_assessed: None };
                self.push(key, kind, agreement.principal, to, due, Zone::UTC);
            }
            Some(assessment) => {
                let review = assessment.next_review();
                let warn_from =
                    review.checked_sub_days(Days::new(u64::from(options.expiry_warning_days()))).unwrap_or(review);
                if self.now.date_naive() >= warn_from {
                    let due = Deadline::at_end_of(review, Zone::UTC).map_or(Due::Standing, Due::from_deadline);
                    let kind = ObligationKind::GuaranteesReview {
                        agreement: id,
                        last_assessed: Some(assessment.assessed_on()),
                    };
                    self.push(key, kind, agreement.principal, to, due, Zone::UTC);
                }
            }
        }
    }

    /// Art. 28(2): change notices whose objection window is open, under an agreement of the scope.
    fn change_notices(&mut self, agreements: &[&ProcessingAgreement], options: &AgendaOptions) {
        for notice in &self.snapshot.change_notices {
            let Some(agreement) = agreements.iter().find(|a| a.id == notice.agreement()) else { continue };
            if let ChangeNoticeStatus::ObjectionWindow { until } = notice.status_at(self.now) {
                let kind = ObligationKind::ObjectionWindow {
                    notice: notice.id(),
                    agreement: agreement.id,
                    sub_processor: notice.sub_processor(),
                };
                let to = OwedTo::Processor { party: agreement.processor };
                let key = format!("art-28-2-objection-window/{}", notice.id());
                let due = Due::WindowCloses { at: until };
                self.push(key, kind, agreement.principal, to, due, options.policy().zone());
            }
        }
    }

    /// Art. 5(1)(e): the retention sweep, while the scope has retention policies.
    fn retention(&mut self, options: &AgendaOptions) {
        if self.snapshot.retention_policies.is_empty() {
            return;
        }
        let controller = self.snapshot.scope.controller();
        let zone = options.policy().zone();
        let latest = self.snapshot.sweeps.iter().max_by_key(|s| (s.as_of, s.sweep));
        let (kind, due) = match latest {
            None => (ObligationKind::RetentionSweep { last: None, unfinished: false }, Due::Standing),
            Some(run) if !run.finished => (
                ObligationKind::RetentionSweep { last: Some(run.sweep), unfinished: true },
                Due::Instant { at: run.as_of },
            ),
            Some(run) => {
                let next = local_date(run.as_of, zone)
                    .checked_add_days(Days::new(u64::from(options.sweep_interval_days())))
                    .and_then(|day| Deadline::at_end_of(day, zone).ok())
                    .map_or(Due::Standing, Due::from_deadline);
                (ObligationKind::RetentionSweep { last: Some(run.sweep), unfinished: false }, next)
            }
        };
        let to = OwedTo::DataSubjects { breach: None };
        self.push(format!("art-5-1-e-sweep/{controller}"), kind, controller, to, due, zone);
    }

    /// Art. 5(1)(e): each category of the scope controller's activities that no retention policy
    /// covers for one of the activity's purposes.
    fn uncovered_retention(&mut self, zone: Zone) {
        let controller = self.snapshot.scope.controller();
        let policies = &self.snapshot.retention_policies;
        for activity in self.snapshot.activities.iter().filter(|a| a.is_controlled_by(controller)) {
            let fields = activity.fields();
            let mut seen = BTreeSet::new();
            for category in &fields.data_categories {
                let covered = policies
                    .iter()
                    .any(|p| p.category() == category && fields.purposes.iter().any(|s| &s.purpose == p.purpose()));
                if covered || !seen.insert(category) {
                    continue;
                }
                let id = activity.id();
                let key = format!("art-5-1-e-uncovered/{id}/{}", category.as_str());
                let kind = ObligationKind::UncoveredRetention { activity: id, category: category.clone() };
                let to = OwedTo::DataSubjects { breach: None };
                self.push(key, kind, controller, to, Due::Standing, zone);
            }
        }
    }

    /// Art. 14(3): the activities whose data may hold third parties' personal data, while neither
    /// the information nor an Art. 14(5) exception is recorded.
    fn third_parties(&mut self, options: &AgendaOptions) {
        let controller = self.snapshot.scope.controller();
        let policy = options.policy();
        for activity in self.snapshot.activities.iter().filter(|a| a.is_controlled_by(controller)) {
            let Some(data) = &activity.fields().may_contain_third_party_data else { continue };
            if data.information.is_some() {
                continue;
            }
            let month = policy.month_period(data.obtained_from, 1).ok().map(Due::from_deadline);
            let events = [data.first_communication, data.first_disclosure].into_iter().flatten();
            let due =
                events.map(|at| Due::Instant { at }).chain(month).min_by_key(|d| d.instant()).unwrap_or(Due::Standing);
            let id = activity.id();
            let kind = ObligationKind::ThirdPartyInformation { activity: id };
            let to = OwedTo::DataSubjects { breach: None };
            self.push(format!("art-14-3-third-parties/{id}"), kind, controller, to, due, policy.zone());
        }
    }

    /// Art. 30(1): the fields the scope controller's records still lack.
    fn records(&mut self, agreements: &[&ProcessingAgreement], zone: Zone) {
        let controller = self.snapshot.scope.controller();
        let party = self.snapshot.parties.iter().find(|p| p.id() == controller);
        let point = |p: char| Article::gdpr(30).paragraph(1).point(p);
        let gap =
            |field: &str, p: char, message: String| RecordGap { field: field.to_owned(), article: point(p), message };
        let mut about_controller = Vec::new();
        match party {
            None => about_controller.push(gap(
                "controller",
                'a',
                "the ledger holds no party record for the controller, so the record cannot name it".to_owned(),
            )),
            Some(p) => {
                if p.contact_email().is_none() && p.address().is_none() {
                    about_controller.push(gap(
                        "controller.contact",
                        'a',
                        "the controller's contact details (an e-mail or an address) are missing".to_owned(),
                    ));
                }
                if p.lacks_eu_representative() {
                    about_controller.push(gap(
                        "controller.eu_representative",
                        'a',
                        "the controller is established outside the EEA and names no representative in the Union (Art. 27)"
                            .to_owned(),
                    ));
                }
            }
        }
        let processors: Vec<&&ProcessingAgreement> =
            agreements.iter().filter(|a| a.parent.is_none() && a.principal == controller).collect();
        for activity in self.snapshot.activities.iter().filter(|a| a.is_controlled_by(controller)) {
            let fields = activity.fields();
            let mut missing = about_controller.clone();
            for agreement in &processors {
                let for_activity = agreement.purposes.iter().any(|p| fields.purposes.iter().any(|s| &s.purpose == p));
                if for_activity && !fields.recipients.iter().any(|r| r.party == Some(agreement.processor)) {
                    missing.push(gap(
                        "recipients",
                        'd',
                        format!(
                            "processor {} engaged under agreement {} for a purpose of the activity is not listed as a recipient",
                            agreement.processor, agreement.id
                        ),
                    ));
                }
            }
            if fields.security_measures.is_empty() {
                missing.push(gap(
                    "security_measures",
                    'g',
                    "no general description of the Art. 32(1) security measures (required where possible)".to_owned(),
                ));
            }
            if !missing.is_empty() {
                let id = activity.id();
                let kind = ObligationKind::IncompleteRecord { activity: id, missing };
                let key = format!("art-30-1-record/{id}");
                self.push(key, kind, controller, OwedTo::SupervisoryAuthority, Due::Standing, zone);
            }
        }
    }
}

/// Whether the request stops processing for its purpose from its receipt: an objection to
/// direct marketing (Art. 21(3)) or a withdrawal of consent (Art. 7(3)).
/// The `n`th working day after `date` in `calendar` (Art. 2(2) of Regulation 1182/71).
fn working_days_after(date: NaiveDate, n: u16, calendar: &Calendar) -> Option<NaiveDate> {
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if is_working_day(day, calendar) {
            left -= 1;
        }
    }
    Some(day)
}

fn key(prefix: &str, request: crate::request::RequestId) -> String {
    format!("{prefix}/{request}")
}
