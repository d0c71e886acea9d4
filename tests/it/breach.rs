//! Personal data breaches (Arts. 33, 34): one given/when/then test per legal rule, the fan-out
//! through the processing chain, property tests over random lives, the JSON contract and ledger
//! storage.

use crate::common;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{assert_json_contract, assert_schema_rejects};
use gdpr_obligations::agreement::{AgreementId, ProcessingAgreement, ProcessingChain};
use gdpr_obligations::breach::{
    Assessment, AuthorityNotice, Awareness, Breach, BreachDeadline, BreachId, Closure, Command, CommandName,
    Communication, CommunicationException, CommunicationMethod, ControllerReach, Detection, Duty, Event, Facts, FanOut,
    Measure, MeasureStatus, Missing, NoticeDuty, NoticeHop, NoticePeriod, NotificationElement, PrincipalNotice,
    ProcessorNotice, Reason, RecordedException, Rejection, RiskLevel, StatusName, SubjectDecision, SubjectDuty, decide,
    evolve,
};
use gdpr_obligations::model::{Contact, EmailAddress, Party, PartyId, Text};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{AuditAction, AuditLogExt, ExecuteError, LedgerStoreExt, Scope, StoreError, Version};
use gdpr_obligations::testkit::{self, Given, When};
use gdpr_obligations::time::{BreachClock, Calendar, DeadlinePolicy, HolidayList, Zone};
use gdpr_obligations::vocab::{Country, DataCategory, SubjectCategory};
use proptest::prelude::*;

// ---- given / when / then (the kit's harness, and what only breaches need) ----

/// The breach after the set-up commands (each must be accepted).
fn given(commands: impl IntoIterator<Item = Command>) -> Given<Breach> {
    testkit::given(commands)
}

/// What only a breach's tests ask of the harness: its state names.
trait ThenBreach {
    fn then_rejected_in(self, state: StatusName, needed: &[StatusName]) -> Rejection;
}

impl ThenBreach for When<Breach> {
    /// The command was rejected because the breach was in `state`, which is not one of `needed`.
    fn then_rejected_in(self, state: StatusName, needed: &[StatusName]) -> Rejection {
        let rejection = self.then_rejected();
        assert_eq!((rejection.state, rejection.needed.as_slice()), (state, needed), "{rejection}");
        rejection
    }
}

// ---- fixtures ----

/// Friday 13 March 2026, 19:30 in Prague (18:30 UTC), plus `hours`.
fn at(hours: i64) -> DateTime<Utc> {
    "2026-03-13T18:30:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::hours(hours)
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn dpo() -> Contact {
    Contact::new(text("Data protection officer"), EmailAddress::new("dpo@shop.example").unwrap())
}

fn nature_only() -> Facts {
    Facts { nature: Some(text("an attacker read the mailbox that receives chat transcripts")), ..Facts::default() }
}

/// Every element of Art. 33(3).
fn complete_facts() -> Facts {
    Facts {
        nature: Some(text("an attacker read the mailbox that receives chat transcripts")),
        subject_categories: vec![SubjectCategory::Visitor],
        approx_subjects: Some(1_200),
        data_categories: vec![DataCategory::Contact, DataCategory::CommunicationContent],
        approx_records: Some(3_400),
        contact: Some(dpo()),
        consequences: Some(text("phishing e-mails to visitors who left their address in the chat")),
        measures: vec![Measure::new(text("mailbox password reset, MFA enforced"), MeasureStatus::Taken)],
    }
}

fn detection(aware: Awareness, facts: Facts) -> Detection {
    Detection::new(aware, at(0), DeadlinePolicy::czech()).with_occurred_at(at(-20)).with_facts(facts)
}

fn by_controller(facts: Facts) -> Command {
    Command::Detect(Box::new(detection(Awareness::Controller { controller: PartyId::generate() }, facts)))
}

fn duty(hours: Option<u16>) -> NoticeDuty {
    NoticeDuty {
        agreement: AgreementId::generate(),
        principal: PartyId::generate(),
        controller: PartyId::generate(),
        period: hours.map_or(NoticePeriod::WithoutUndueDelay, |hours| NoticePeriod::Agreed { hours }),
    }
}

fn by_processor(duties: Vec<NoticeDuty>) -> Command {
    Command::Detect(Box::new(detection(
        Awareness::Processor { processor: PartyId::generate(), notify: duties },
        complete_facts(),
    )))
}

fn assess(h: i64, risk: RiskLevel) -> Command {
    Command::Assess { at: at(h), risk, reasons: text("names and e-mail addresses with order questions") }
}
fn notify(h: i64) -> Command {
    Command::NotifyAuthority {
        at: at(h), authority: text("Úřad pro ochranu osobních údajů"), reasons_for_delay: None
    }
}
fn notify_late(h: i64) -> Command {
    Command::NotifyAuthority {
        at: at(h),
        authority: text("Úřad pro ochranu osobních údajů"),
        reasons_for_delay: Some(text("the processor's notice reached us only on Monday")),
    }
}
fn notify_principal(h: i64, agreement: AgreementId) -> Command {
    Command::NotifyPrincipal { at: at(h), agreement }
}
fn add(h: i64, facts: Facts) -> Command {
    Command::AddInformation { at: at(h), facts: Box::new(facts) }
}
fn communicate(h: i64, method: CommunicationMethod) -> Command {
    Command::CommunicateToSubjects { at: at(h), method, message: text("we e-mailed every visitor concerned") }
}
fn except(h: i64, exception: CommunicationException) -> Command {
    Command::RecordException { at: at(h), exception }
}
fn close(h: i64) -> Command {
    Command::Close { at: at(h), summary: text("mailbox secured, transcripts no longer e-mailed") }
}
fn encrypted() -> CommunicationException {
    CommunicationException::ProtectedData { measures: text("attachments AES-256 encrypted, key not on the server") }
}
fn effort() -> CommunicationException {
    CommunicationException::DisproportionateEffort { explanation: text("visitors are known only by a browser token") }
}

// ---- Art. 33(1): the controller's 72 hours ----

#[test]
fn art_33_1_authority_due_72_hours_after_awareness_over_the_weekend() {
    let g = given([by_controller(nature_only())]);
    let deadline = g.created().authority_deadline().expect("the clock runs");
    // Friday 19:30 to Monday 19:30 in Prague: Saturday and Sunday count like any hours.
    assert_eq!(deadline.due, utc("2026-03-16T18:30:00Z"));
    assert_eq!(deadline.article.to_string(), "Art. 33(1)");
    assert_eq!(deadline.duty, Duty::Authority);
}

#[test]
fn art_33_1_holidays_do_not_extend_the_72_hours() {
    // Thursday 2 April 2026, before Good Friday and Easter Monday in Czechia.
    let mut d = detection(Awareness::Controller { controller: PartyId::generate() }, nature_only());
    d.aware_at = utc("2026-04-02T08:00:00Z");
    d.occurred_at = None;
    let g = given([Command::Detect(Box::new(d))]);
    assert_eq!(g.created().authority_deadline().unwrap().due, utc("2026-04-05T08:00:00Z"));
}

#[test]
fn art_33_1_strict_hours_reading_skips_the_hour_of_awareness() {
    let mut d = detection(Awareness::Controller { controller: PartyId::generate() }, nature_only());
    d.policy = DeadlinePolicy::czech().with_breach_clock(BreachClock::StrictHours);
    let g = given([Command::Detect(Box::new(d))]);
    // Aware at 19:30 local: the hour 19:00-20:00 is left out, so the end is 20:00 on Monday.
    assert_eq!(g.created().authority_deadline().unwrap().due, utc("2026-03-16T19:00:00Z"));
}

#[test]
fn art_33_1_late_notification_needs_reasons_for_the_delay() {
    let g = given([by_controller(nature_only()), assess(2, RiskLevel::Risk)]);
    let rejection = g.when(notify(73)).then_rejected_under("Art. 33(1)");
    assert!(rejection.reason.contains("reasons for the delay"), "{rejection}");
}

#[test]
fn art_33_1_notification_at_the_72nd_hour_is_in_time() {
    let breach = given([by_controller(nature_only())]).when(notify(72)).then_accepted();
    assert_eq!(breach.authority_deadline().unwrap().met_in_time(), Some(true));
}

#[test]
fn art_33_1_late_notification_with_reasons_is_accepted_and_reported_late() {
    let breach =
        given([by_controller(nature_only()), assess(2, RiskLevel::Risk)]).when(notify_late(80)).then_accepted();
    let deadline = breach.authority_deadline().unwrap();
    assert_eq!(deadline.met_in_time(), Some(false));
    assert!(breach.authority_notice().unwrap().reasons_for_delay.is_some());
    assert!(!breach.is_overdue(at(100)), "a met duty is not overdue");
}

#[test]
fn art_33_1_unlikely_risk_stops_the_clock_but_stays_in_the_register() {
    let g = given([by_controller(nature_only()), assess(1, RiskLevel::Unlikely)]);
    assert!(g.created().authority_deadline().is_none());
    assert!(!g.created().is_overdue(at(500)));
    assert_eq!(g.created().time_left(at(2)), None);
    // Art. 33(5): documented and closed without a notification.
    let breach = g.when(close(3)).then_accepted();
    assert_eq!(breach.status(), StatusName::Closed);
    assert!(breach.authority_notice().is_none());
}

#[test]
fn art_33_1_a_late_voluntary_notification_still_gives_reasons() {
    // Assessed unlikely, then notified after the 72 hours anyway: a later reassessment would
    // bring the clock back, so the reasons are recorded now.
    let g = given([by_controller(nature_only()), assess(1, RiskLevel::Unlikely)]);
    g.when(notify(80)).then_rejected_under("Art. 33(1)");
    let breach = given([by_controller(nature_only()), assess(1, RiskLevel::Unlikely), notify_late(80)])
        .when(assess(90, RiskLevel::Risk))
        .then_accepted();
    let deadline = breach.authority_deadline().unwrap();
    assert_eq!(deadline.met_in_time(), Some(false));
    assert!(breach.authority_notice().unwrap().reasons_for_delay.is_some());
}

#[test]
fn art_33_1_an_unassessed_breach_is_notifiable() {
    let g = given([by_controller(nature_only())]);
    assert_eq!(g.created().status(), StatusName::Unassessed);
    assert!(g.created().is_overdue(at(73)));
}

#[test]
fn art_33_1_a_reassessment_restarts_nothing_but_can_resume_the_clock() {
    let g = given([by_controller(nature_only()), assess(1, RiskLevel::Unlikely), assess(30, RiskLevel::Risk)]);
    // The clock counts from awareness, not from the new assessment.
    assert_eq!(g.created().authority_deadline().unwrap().due, at(72));
}

#[test]
fn art_33_1_not_closed_before_the_authority_is_notified() {
    given([by_controller(nature_only()), assess(1, RiskLevel::Risk)]).when(close(2)).then_rejected_under("Art. 33(1)");
}

#[test]
fn art_33_1_overdue_and_time_left() {
    let g = given([by_controller(nature_only())]);
    let breach = g.created();
    assert_eq!(breach.time_left(at(10)), Some(TimeDelta::hours(62)));
    assert!(!breach.is_overdue(at(72)));
    assert!(breach.is_overdue(at(72) + TimeDelta::seconds(1)));
    assert_eq!(breach.overdue(at(73)).len(), 1);
    assert_eq!(breach.time_left(at(73)), Some(TimeDelta::hours(-1)));
}

#[test]
fn art_33_1_a_processor_does_not_notify_the_authority() {
    given([by_processor(vec![duty(Some(24))])]).when(notify(1)).then_rejected_under("Art. 33(2)");
}

// ---- Art. 33(2): the processor's notices ----

#[test]
fn art_33_2_processor_notice_due_within_the_agreed_hours() {
    let d = duty(Some(24));
    let g = given([by_processor(vec![d.clone(), duty(Some(12))])]);
    let deadlines = g.created().principal_deadlines();
    assert_eq!(deadlines.iter().map(|d| d.due).collect::<Vec<_>>(), [at(24), at(12)]);
    assert!(g.created().authority_deadline().is_none(), "a processor has no 72-hour clock");
    assert_eq!(g.created().time_left(at(0)), Some(TimeDelta::hours(12)));
    let breach = g.when(notify_principal(5, d.agreement)).then_accepted();
    assert_eq!(breach.principal_deadlines()[0].met_in_time(), Some(true));
    assert!(breach.is_overdue(at(13)), "the 12-hour notice is still open");
}

#[test]
fn art_33_2_without_agreed_hours_the_notice_is_due_at_once() {
    let d = duty(None);
    let g = given([by_processor(vec![d.clone()])]);
    assert_eq!(g.created().principal_deadlines()[0].due, at(0));
    assert!(g.created().is_overdue(at(0) + TimeDelta::seconds(1)));
    let breach = g.when(notify_principal(1, d.agreement)).then_accepted();
    assert_eq!(breach.principal_deadlines()[0].met_in_time(), Some(false));
}

#[test]
fn art_33_2_a_processor_entry_names_whom_to_notify() {
    given([]).when(by_processor(vec![])).then_rejected_under("Art. 33(2)");
}

#[test]
fn art_33_2_a_notice_only_under_the_breach_duties_and_once() {
    let d = duty(Some(24));
    given([by_processor(vec![d.clone()])])
        .when(notify_principal(1, AgreementId::generate()))
        .then_rejected_under("Art. 33(2)");
    let rejection = given([by_processor(vec![d.clone()]), notify_principal(1, d.agreement)])
        .when(notify_principal(2, d.agreement))
        .then_rejected();
    assert!(rejection.reason.contains("was sent"), "{rejection}");
}

#[test]
fn art_33_2_a_controller_does_not_notify_a_principal() {
    given([by_controller(nature_only())])
        .when(notify_principal(1, AgreementId::generate()))
        .then_rejected_under("Art. 33(2)");
}

#[test]
fn art_33_2_processor_entry_not_closed_before_every_notice() {
    let (a, b) = (duty(Some(24)), duty(Some(48)));
    given([by_processor(vec![a.clone(), b.clone()]), notify_principal(1, a.agreement)])
        .when(close(2))
        .then_rejected_under("Art. 33(2)");
    let breach = given([by_processor(vec![a.clone(), b.clone()]), notify_principal(1, a.agreement)])
        .when(notify_principal(2, b.agreement))
        .then_accepted();
    let closed = breach.decide(&close(3)).expect("every notice sent");
    assert!(matches!(closed[0], Event::Closed { .. }));
}

// ---- Art. 33(3): the content of a notification ----

#[test]
fn art_33_3_content_check_lists_each_missing_element_with_its_point() {
    let missing = Facts::default().missing_for_notification();
    let found: Vec<(NotificationElement, String)> =
        missing.iter().map(|m| (m.element, m.article.to_string())).collect();
    assert_eq!(
        found,
        [
            (NotificationElement::Nature, "Art. 33(3)(a)".to_owned()),
            (NotificationElement::SubjectCategories, "Art. 33(3)(a)".to_owned()),
            (NotificationElement::ApproximateSubjects, "Art. 33(3)(a)".to_owned()),
            (NotificationElement::RecordCategories, "Art. 33(3)(a)".to_owned()),
            (NotificationElement::ApproximateRecords, "Art. 33(3)(a)".to_owned()),
            (NotificationElement::ContactPoint, "Art. 33(3)(b)".to_owned()),
            (NotificationElement::LikelyConsequences, "Art. 33(3)(c)".to_owned()),
            (NotificationElement::Measures, "Art. 33(3)(d)".to_owned()),
        ]
    );
    assert!(complete_facts().missing_for_notification().is_empty());
    let mut no_contact = complete_facts();
    no_contact.contact = None;
    let missing = no_contact.missing_for_notification();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].to_string(), "Art. 33(3)(b): no data protection officer or other contact point is named");
}

#[test]
fn art_33_3_a_a_notification_describes_at_least_the_nature() {
    let rejection = given([by_controller(Facts::default())]).when(notify(1)).then_rejected_under("Art. 33(3)(a)");
    assert_eq!(rejection.missing.len(), NotificationElement::ALL.len());
}

#[test]
fn art_33_4_a_notification_may_leave_elements_for_later_phases() {
    let breach = given([by_controller(nature_only())]).when(notify(1)).then_accepted();
    assert_eq!(breach.facts().missing_for_notification().len(), NotificationElement::ALL.len() - 1);
}

// ---- Art. 33(4): phases ----

#[test]
fn art_33_4_information_in_phases_adds_and_never_removes() {
    let g = given([
        by_controller(nature_only()),
        notify(2),
        add(10, Facts { approx_subjects: Some(800), data_categories: vec![DataCategory::Contact], ..Facts::default() }),
    ]);
    let breach = g
        .when(add(
            30,
            Facts {
                approx_subjects: Some(1_200),
                data_categories: vec![DataCategory::CommunicationContent],
                ..Facts::default()
            },
        ))
        .then_accepted();
    let facts = breach.facts();
    assert_eq!(facts.nature, nature_only().nature);
    assert_eq!(facts.approx_subjects, Some(1_200), "a newer approximation replaces the older");
    assert_eq!(facts.data_categories, [DataCategory::Contact, DataCategory::CommunicationContent]);
}

#[test]
fn art_33_4_the_authority_is_notified_once_then_informed_in_phases() {
    given([by_controller(nature_only()), notify(2)]).when(notify(3)).then_rejected_under("Art. 33(4)");
}

#[test]
fn art_33_4_information_that_adds_nothing_is_rejected() {
    given([by_controller(nature_only())]).when(add(1, nature_only())).then_rejected_under("Art. 33(4)");
}

// ---- Art. 33(5): the register ----

#[test]
fn art_33_5_a_notified_breach_is_closed_with_the_remedial_action() {
    let breach = given([by_controller(complete_facts()), assess(1, RiskLevel::Risk), notify(20)])
        .when(close(100))
        .then_accepted();
    assert_eq!(breach.status(), StatusName::Closed);
    assert_eq!(breach.closure().unwrap().summary, text("mailbox secured, transcripts no longer e-mailed"));
    given([by_controller(complete_facts()), assess(1, RiskLevel::Risk), notify(20), close(100)])
        .when(add(101, Facts { approx_records: Some(1), ..Facts::default() }))
        .then_rejected_in(StatusName::Closed, &[StatusName::Unassessed, StatusName::Assessed]);
}

#[test]
fn art_33_5_a_breach_cannot_occur_after_awareness() {
    let mut d = detection(Awareness::Controller { controller: PartyId::generate() }, nature_only());
    d.occurred_at = Some(at(1));
    assert!(decide(None, &Command::Detect(Box::new(d))).is_err());
}

// ---- Art. 34: the data subjects ----

#[test]
fn art_34_1_high_risk_requires_direct_communication_before_closing() {
    let g = given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5)]);
    let decision = g.created().subject_decision().unwrap();
    assert_eq!(decision.duty, SubjectDuty::Direct);
    assert_eq!(decision.reasons[0].article.to_string(), "Art. 34(1)");
    given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5)])
        .when(close(6))
        .then_rejected_under("Art. 34(1)");
    let breach = g.when(communicate(6, CommunicationMethod::Direct)).then_accepted();
    assert!(breach.subjects_informed());
    assert!(breach.decide(&close(7)).is_ok());
}

#[test]
fn art_34_1_below_high_risk_no_communication_is_required() {
    let g = given([by_controller(complete_facts()), assess(1, RiskLevel::Risk), notify(5)]);
    assert_eq!(g.created().subject_decision().unwrap().duty, SubjectDuty::NotRequired);
    g.when(close(6)).then_accepted();
}

#[test]
fn art_34_1_the_decision_waits_for_the_assessment() {
    let g = given([by_controller(complete_facts()), notify(5)]);
    assert_eq!(g.created().subject_decision().unwrap().duty, SubjectDuty::Undecided);
    g.when(close(6)).then_rejected_under("Art. 34(1)");
}

#[test]
fn art_34_1_a_processor_does_not_communicate_to_subjects() {
    given([by_processor(vec![duty(Some(24))])])
        .when(communicate(1, CommunicationMethod::Direct))
        .then_rejected_under("Art. 34(1)");
    assert!(given([by_processor(vec![duty(Some(24))])]).created().subject_decision().is_none());
}

#[test]
fn art_34_2_a_communication_needs_the_nature_and_33_3_b_to_d() {
    let rejection = given([by_controller(nature_only()), assess(1, RiskLevel::HighRisk)])
        .when(communicate(2, CommunicationMethod::Direct))
        .then_rejected_under("Art. 34(2)");
    let points: Vec<String> = rejection.missing.iter().map(|m| m.article.to_string()).collect();
    assert_eq!(points, ["Art. 33(3)(b)", "Art. 33(3)(c)", "Art. 33(3)(d)"]);
}

#[test]
fn art_34_3_a_encryption_relieves_the_communication() {
    let breach = given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5)])
        .when(except(6, encrypted()))
        .then_accepted();
    let decision = breach.subject_decision().unwrap();
    assert_eq!(decision.duty, SubjectDuty::NotRequired);
    assert_eq!(decision.reasons[1].article.to_string(), "Art. 34(3)(a)");
    assert!(breach.decide(&close(7)).is_ok());
}

#[test]
fn art_34_3_b_subsequent_measures_relieve_the_communication() {
    let measures = CommunicationException::RiskNoLongerLikely { measures: text("all leaked session tokens revoked") };
    let breach = given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5)])
        .when(except(6, measures))
        .then_accepted();
    assert_eq!(breach.subject_decision().unwrap().reasons[1].article.to_string(), "Art. 34(3)(b)");
    assert!(breach.decide(&close(7)).is_ok());
}

#[test]
fn art_34_3_c_disproportionate_effort_requires_a_public_communication() {
    let g = given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5), except(6, effort())]);
    assert_eq!(g.created().subject_decision().unwrap().duty, SubjectDuty::Public);
    given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk), notify(5), except(6, effort())])
        .when(close(7))
        .then_rejected_under("Art. 34(3)(c)");
    let breach = g.when(communicate(7, CommunicationMethod::Public)).then_accepted();
    assert!(breach.decide(&close(8)).is_ok());
}

#[test]
fn art_34_3_c_a_public_communication_replaces_a_direct_one_only_under_the_exception() {
    given([by_controller(complete_facts()), assess(1, RiskLevel::HighRisk)])
        .when(communicate(2, CommunicationMethod::Public))
        .then_rejected_under("Art. 34(3)(c)");
}

#[test]
fn art_34_3_an_exception_only_for_a_high_risk() {
    given([by_controller(complete_facts()), assess(1, RiskLevel::Risk)])
        .when(except(2, encrypted()))
        .then_rejected_under("Art. 34(3)");
    given([by_controller(complete_facts())])
        .when(except(2, encrypted()))
        .then_rejected_in(StatusName::Unassessed, &[StatusName::Assessed]);
}

#[test]
fn art_34_3_no_exception_once_the_subjects_were_told() {
    given([
        by_controller(complete_facts()),
        assess(1, RiskLevel::HighRisk),
        communicate(2, CommunicationMethod::Direct),
    ])
    .when(except(3, encrypted()))
    .then_rejected_under("Art. 34(3)");
}

// ---- the lifecycle ----

#[test]
fn a_rejection_names_the_state_the_attempt_and_what_was_needed() {
    let rejection = given([])
        .when(assess(1, RiskLevel::Risk))
        .then_rejected_in(StatusName::New, &[StatusName::Unassessed, StatusName::Assessed]);
    assert_eq!(rejection.attempted, CommandName::Assess);
    assert_eq!(rejection.to_string(), "cannot assess a breach that is new: it must be unassessed or assessed");
}

#[test]
fn commands_earlier_than_the_last_event_are_rejected() {
    let rejection = given([by_controller(nature_only()), assess(5, RiskLevel::Risk)]).when(notify(4)).then_rejected();
    assert!(rejection.reason.contains("time order"), "{rejection}");
}

#[test]
fn a_second_detection_is_rejected() {
    given([by_controller(nature_only())])
        .when(by_controller(nature_only()))
        .then_rejected_in(StatusName::Unassessed, &[StatusName::New]);
}

#[test]
fn events_replay_to_the_same_state() {
    let g = given([
        by_controller(nature_only()),
        add(1, complete_facts()),
        assess(2, RiskLevel::HighRisk),
        notify(3),
        except(4, effort()),
        communicate(5, CommunicationMethod::Public),
        close(6),
    ]);
    assert_eq!(Breach::replay(g.events()).as_ref(), Some(g.created()));
    assert_eq!(g.created().version(), 7);
    let articles: Vec<String> = g.events().iter().map(|e| e.article().to_string()).collect();
    assert_eq!(
        articles,
        ["Art. 33(5)", "Art. 33(4)", "Art. 34(1)", "Art. 33(1)", "Art. 34(3)(c)", "Art. 34(3)(c)", "Art. 33(5)"]
    );
}

// ---- the fan-out through the chain ----

struct Chain {
    chain: ProcessingChain,
    shops: Vec<Party>,
    vendor: Party,
    mail: Party,
}

/// Three shops, each with the vendor (24 h, 12 h, no hours), and the vendor's e-mail provider
/// engaged in each tree with a 6-hour notice.
fn chain() -> Chain {
    let party = |name: &str| Party::builder(name, Country::CZ).build().unwrap();
    let shops = vec![party("Shop A s.r.o."), party("Shop B s.r.o."), party("Shop C s.r.o.")];
    let (vendor, mail, other) = (party("Chatvendor s.r.o."), party("Mailer a.s."), party("Hosting a.s."));
    let mut agreements = Vec::new();
    for (shop, hours) in shops.iter().zip([Some(24), Some(12), None]) {
        let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
        main.breach_notice_hours = hours;
        let mut sub =
            ProcessingAgreement::sub_processing_template(&main, mail.id(), gdpr_obligations::testkit::signed_facts());
        sub.breach_notice_hours = Some(6);
        agreements.extend([main, sub]);
    }
    // A sub-processor of another tree only: not reached by the mailer's breach.
    let hosting = ProcessingAgreement::sub_processing_template(
        &agreements[0],
        other.id(),
        gdpr_obligations::testkit::signed_facts(),
    );
    agreements.push(hosting);
    let parties = shops.iter().cloned().chain([vendor.clone(), mail.clone(), other]);
    Chain { chain: ProcessingChain::build(parties, agreements, []).unwrap(), shops, vendor, mail }
}

#[test]
fn art_33_2_a_sub_processors_breach_reaches_every_controller_through_the_chain() {
    let c = chain();
    let plan = FanOut::plan(&c.chain, c.mail.id(), at(0), &DeadlinePolicy::czech()).unwrap();
    let reached: Vec<PartyId> = plan.controllers.iter().map(|r| r.controller).collect();
    assert_eq!(reached, c.shops.iter().map(Party::id).collect::<Vec<_>>());
    for reach in &plan.controllers {
        assert_eq!(reach.hops.len(), 2);
        assert_eq!((reach.hops[0].from, reach.hops[0].to), (c.mail.id(), c.vendor.id()));
        assert_eq!((reach.hops[1].from, reach.hops[1].to), (c.vendor.id(), reach.controller));
        assert_eq!(reach.hops[0].due, at(6));
        assert_eq!(reach.hops[1].aware_by, at(6));
        assert_eq!(reach.hops[0].article().to_string(), "Art. 33(2)");
    }
    let aware_by: Vec<DateTime<Utc>> = plan.controllers.iter().map(|r| r.controller_aware_by).collect();
    assert_eq!(aware_by, [at(30), at(18), at(6)], "24 h, 12 h, and due at once without hours");
}

#[test]
fn art_33_1_a_controller_informed_by_its_processor_counts_72_hours_from_the_notice() {
    let c = chain();
    let plan = FanOut::plan(&c.chain, c.mail.id(), at(0), &DeadlinePolicy::czech()).unwrap();
    let due: Vec<DateTime<Utc>> = plan.controllers.iter().map(|r| r.authority_due).collect();
    assert_eq!(due, [at(30 + 72), at(18 + 72), at(6 + 72)]);
}

#[test]
fn art_33_2_the_processors_own_duties_come_from_the_fan_out() {
    let c = chain();
    let plan = FanOut::plan(&c.chain, c.vendor.id(), at(0), &DeadlinePolicy::czech()).unwrap();
    let duties = plan.duties();
    assert_eq!(duties.len(), 3);
    assert!(duties.iter().all(|d| d.principal == d.controller));
    assert_eq!(duties[2].period, NoticePeriod::WithoutUndueDelay);
    let mut d = detection(Awareness::Processor { processor: c.vendor.id(), notify: duties }, complete_facts());
    d.informed_by = Some(ProcessorNotice::new(c.mail.id(), plan.controllers[0].agreement));
    let g = given([Command::Detect(Box::new(d))]);
    assert_eq!(g.created().principal_deadlines().iter().map(|d| d.due).collect::<Vec<_>>(), [at(24), at(12), at(0)]);
}

#[test]
fn art_33_2_a_party_that_processes_for_no_controller_reaches_nobody() {
    let c = chain();
    assert!(c.chain.controllers_reached_by(c.shops[0].id()).is_empty());
    let plan = FanOut::plan(&c.chain, c.shops[0].id(), at(0), &DeadlinePolicy::czech()).unwrap();
    assert!(plan.controllers.is_empty() && plan.duties().is_empty());
}

mod wire_and_properties;
// ---- construction ----

#[test]
fn art_33_1_detection_new_knows_only_the_awareness_until_told_more() {
    let controller = PartyId::generate();
    let a = Detection::new(Awareness::Controller { controller }, at(0), DeadlinePolicy::czech());
    let b = Detection::new(Awareness::Controller { controller }, at(0), DeadlinePolicy::czech());
    assert_ne!(a.id, b.id, "each detection gets its own id");
    assert_eq!((a.keeper(), a.aware_at), (controller, at(0)));
    assert_eq!((&a.informed_by, a.occurred_at, &a.facts), (&None, None, &Facts::default()));
    assert_json_contract(&a);

    let notice = ProcessorNotice::new(PartyId::generate(), AgreementId::generate());
    let c =
        a.clone().with_id(b.id).with_informed_by(notice.clone()).with_occurred_at(at(-5)).with_facts(complete_facts());
    assert_eq!(c.id, b.id);
    assert_eq!(c.informed_by, Some(notice));
    assert_eq!(c.occurred_at, Some(at(-5)));
    assert_eq!(c.facts, complete_facts());
    assert_eq!((c.aware_at, &c.aware, &c.policy), (a.aware_at, &a.aware, &a.policy));
    assert_json_contract(&c);
}
