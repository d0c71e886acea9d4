//! The obligations agenda: one test per obligation kind, named after its article; scoping; the
//! exports (JSON with its schema, a Markdown snapshot, iCalendar parsed back); the loader; and
//! the properties over random ledgers.

use crate::common;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use gdpr_obligations::agenda::{
    Agenda, AgendaOptions, Due, FulfilmentRun, Obligation, ObligationKind, ObligationState, OwedTo, Snapshot, SweepRun,
};
use gdpr_obligations::agreement::{
    ChangeNotice, Element, GuaranteeEvidence, GuaranteesAssessment, ProcessingAgreement,
};
use gdpr_obligations::breach::{
    Awareness, Breach, BreachId, Command as BreachCommand, Detection, Facts, NoticeDuty, NoticePeriod, RiskLevel,
    SubjectDuty, decide as decide_breach,
};
use gdpr_obligations::fulfil::{NoticeRecord, Operation, RecipientNoticeGiven, record_notice};
use gdpr_obligations::model::{
    ActivityId, Controllers, LocalizedText, Party, PartyId, ProcessingActivity, PurposeSpec, Recipient, Retention,
    SubjectId, Text,
};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, ExtensionJustification, ExtensionReason, Processing, Receipt, Receiver,
    Request, RequestId, RequestKind, RestrictionGround, decide,
};
use gdpr_obligations::retention::{RetentionPeriod, RetentionPolicy};
use gdpr_obligations::store::{Scope, SweepId};
use gdpr_obligations::time::{DeadlinePolicy, Zone};
use gdpr_obligations::vocab::Language;
use gdpr_obligations::vocab::{Country, DataCategory, LegalBasis, Purpose, Role, SubjectCategory};
use uuid::Uuid;

// ---- helpers ----

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

fn party_id(n: u128) -> PartyId {
    PartyId::from_uuid(Uuid::from_u128(n))
}

fn text(s: &str) -> Text {
    Text::new(s).expect("non-empty text")
}

/// A free text in English only: the documents of these tests are written in English.
fn en(s: &str) -> LocalizedText {
    LocalizedText::new(Language::EN, text(s))
}

const SHOP: u128 = 0x1;
const VENDOR: u128 = 0x2;
const OTHER_SHOP: u128 = 0x3;
const MAILER: u128 = 0x4;

fn options() -> AgendaOptions {
    AgendaOptions::new(DeadlinePolicy::czech())
}

fn receipt(controller: PartyId, id: u128, received: &str, kind: RequestKind, receiver: Receiver) -> Receipt {
    Receipt::new(
        controller,
        at(received),
        kind,
        Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(text("Úřad pro ochranu osobních údajů"), text("Art. 79 GDPR")),
    )
    .with_id(RequestId::from_uuid(Uuid::from_u128(id)))
    .with_receiver(receiver)
}

/// The request after its receipt and `commands`, each of which must be accepted.
fn request(receipt: Receipt, commands: &[Command]) -> Request {
    let mut events = decide(None, &Command::Receive(Box::new(receipt))).expect("received");
    for command in commands {
        let state = Request::replay(&events).expect("received");
        events.extend(state.decide(command).unwrap_or_else(|e| panic!("{command:?} rejected: {e}")));
    }
    Request::replay(&events).expect("received")
}

fn breach(detection: Detection, commands: &[BreachCommand]) -> Breach {
    let mut events = decide_breach(None, &BreachCommand::Detect(Box::new(detection))).expect("detected");
    for command in commands {
        let state = Breach::replay(&events).expect("detected");
        events.extend(state.decide(command).unwrap_or_else(|e| panic!("{command:?} rejected: {e}")));
    }
    Breach::replay(&events).expect("detected")
}

fn activity(controller: PartyId, recipients: Vec<Recipient>, security: bool) -> ProcessingActivity {
    ProcessingActivity::builder(
        en("Website chat customer care"),
        Controllers::Sole { controller },
        Retention::Months { months: 24 },
    )
    .id(ActivityId::from_uuid(Uuid::from_u128(0xac71)))
    .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::Contract))
    .data_categories([DataCategory::Contact, DataCategory::CommunicationContent])
    .subject_categories([SubjectCategory::Visitor])
    .recipients(recipients)
    .security_measures(if security { vec![en("TLS in transit, encryption at rest")] } else { vec![] })
    .build()
    .expect("a valid activity")
}

fn vendor_recipient() -> Recipient {
    Recipient::new(en("Chatvendor s.r.o."), Role::Processor, Country::CZ).with_party(party_id(VENDOR))
}

fn shop_party() -> Party {
    Party::builder("ACME s.r.o.", Country::CZ)
        .id(party_id(SHOP))
        .contact_email("privacy@acme.example")
        .build()
        .expect("a valid party")
}

fn snapshot(controller: u128) -> Snapshot {
    Snapshot::new(Scope::of(party_id(controller)))
}

fn of_kind<'a>(agenda: &'a Agenda, name: &str) -> Vec<&'a Obligation> {
    agenda.obligations.iter().filter(|o| o.kind.name() == name).collect()
}

fn only<'a>(agenda: &'a Agenda, name: &str) -> &'a Obligation {
    let found = of_kind(agenda, name);
    assert_eq!(found.len(), 1, "one {name} in {:#?}", agenda.obligations);
    found[0]
}

fn end_of_day(date: (i32, u32, u32), zone: Zone) -> Due {
    let date = NaiveDate::from_ymd_opt(date.0, date.1, date.2).expect("a date");
    Due::from_deadline(gdpr_obligations::time::Deadline::at_end_of(date, zone).expect("in range"))
}

// ---- Art. 12(3), 12(4): answering a request ----

#[test]
fn art_12_3_answer_is_due_one_month_after_receipt_and_due_today_on_its_last_day() {
    let mut s = snapshot(SHOP);
    s.requests.push(request(
        receipt(party_id(SHOP), 10, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller),
        &[],
    ));
    let options = options();
    // 5 April 2025 is a Saturday: the month ends on Monday 7 April, at 24:00 in Prague.
    let due = end_of_day((2025, 4, 7), Zone::EUROPE_PRAGUE);
    let agenda = Agenda::build(&s, at("2025-04-04T10:00:00Z"), &options);
    let answer = only(&agenda, "answer");
    assert_eq!(answer.article.to_string(), "Art. 12(3)");
    assert_eq!(answer.due, due);
    assert_eq!(answer.state, ObligationState::Upcoming);
    assert_eq!(answer.owed_by, party_id(SHOP));
    assert!(matches!(answer.owed_to, OwedTo::DataSubject { subject: None, .. }));
    assert!(answer.summary.contains("access") && answer.summary.ends_with("(Art. 12(3))"));

    // 23:30 on Monday in Prague is still the last day; midnight is too late.
    let agenda = Agenda::build(&s, at("2025-04-07T21:30:00Z"), &options);
    assert_eq!(only(&agenda, "answer").state, ObligationState::DueToday);
    let agenda = Agenda::build(&s, at("2025-04-07T22:00:00Z"), &options);
    assert_eq!(only(&agenda, "answer").state, ObligationState::Overdue);
}

#[test]
fn art_12_3_answer_moves_to_the_extended_deadline_and_the_extension_notice_goes() {
    let r = receipt(party_id(SHOP), 11, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller);
    let extend = Command::Extend {
        at: at("2025-03-20T09:00:00Z"),
        justification: ExtensionJustification::new(ExtensionReason::Complexity, text("ten sources")),
        notified_via: Channel::Email,
    };
    let mut s = snapshot(SHOP);
    s.requests.push(request(r, &[extend]));
    let agenda = Agenda::build(&s, at("2025-04-10T10:00:00Z"), &options());
    // Three months from 5 March: Thursday 5 June 2025.
    assert_eq!(only(&agenda, "answer").due, end_of_day((2025, 6, 5), Zone::EUROPE_PRAGUE));
    assert_eq!(only(&agenda, "answer").state, ObligationState::Upcoming);
    assert!(of_kind(&agenda, "extension_notice").is_empty());
}

#[test]
fn art_12_3_extension_notice_is_listed_only_while_an_extension_is_possible() {
    let mut s = snapshot(SHOP);
    s.requests.push(request(
        receipt(party_id(SHOP), 12, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller),
        &[],
    ));
    let agenda = Agenda::build(&s, at("2025-03-10T10:00:00Z"), &options());
    let notice = only(&agenda, "extension_notice");
    assert_eq!(notice.article.to_string(), "Art. 12(3)");
    assert_eq!(notice.due, end_of_day((2025, 4, 7), Zone::EUROPE_PRAGUE));
    // After the first month, the option is gone; the answer is overdue.
    let agenda = Agenda::build(&s, at("2025-04-08T10:00:00Z"), &options());
    assert!(of_kind(&agenda, "extension_notice").is_empty());
    assert_eq!(only(&agenda, "answer").state, ObligationState::Overdue);
}

#[test]
fn art_12_4_refusal_notice_replaces_the_answer_once_identification_failed() {
    let r = receipt(party_id(SHOP), 13, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller);
    let commands = [
        Command::RequestIdentity { at: at("2025-03-06T09:00:00Z"), information: text("the order number") },
        Command::RecordIdentityFailure { at: at("2025-03-20T09:00:00Z"), reason: text("no such order") },
    ];
    let mut s = snapshot(SHOP);
    s.requests.push(request(r, &commands));
    let agenda = Agenda::build(&s, at("2025-03-21T10:00:00Z"), &options());
    let refusal = only(&agenda, "refusal_notice");
    assert_eq!(refusal.article.to_string(), "Art. 12(4)");
    assert_eq!(refusal.due, end_of_day((2025, 4, 7), Zone::EUROPE_PRAGUE));
    assert!(of_kind(&agenda, "answer").is_empty());
    assert!(of_kind(&agenda, "extension_notice").is_empty());
}

#[test]
fn art_12_3_a_closed_request_owes_no_answer() {
    let r = receipt(party_id(SHOP), 14, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller);
    let mut s = snapshot(SHOP);
    s.requests.push(request(r, &[Command::Withdraw { at: at("2025-03-06T09:00:00Z") }]));
    let agenda = Agenda::build(&s, at("2025-03-07T10:00:00Z"), &options());
    assert!(agenda.obligations.is_empty(), "{:#?}", agenda.obligations);
}

// ---- Art. 19 and 18(3): after carrying a request out ----

/// A request received on 5 March 2025 and carried out within a week.
fn completed(id: u128, kind: RequestKind) -> Request {
    completed_from(id, kind, at("2025-03-05T09:00:00Z"))
}

fn completed_from(id: u128, kind: RequestKind, received: DateTime<Utc>) -> Request {
    let mut r = receipt(party_id(SHOP), id, "2025-03-05T09:00:00Z", kind, Receiver::Controller);
    r.at = received;
    request(
        r,
        &[
            Command::VerifyIdentity {
                at: received + TimeDelta::hours(1),
                subject: SubjectId::from_uuid(Uuid::from_u128(77)),
            },
            Command::Start { at: received + TimeDelta::days(1) },
            Command::Complete { at: received + TimeDelta::days(5), summary: text("done"), withheld: None, reply: None },
        ],
    )
}

fn erasure() -> RequestKind {
    RequestKind::Erasure { ground: gdpr_obligations::request::ErasureGround::NoLongerNecessary }
}

#[test]
fn art_19_recipient_notice_is_owed_to_each_recipient_until_given() {
    let mailer = Recipient::new(en("Mailer a.s."), Role::Processor, Country::CZ);
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    s.activities.push(activity(party_id(SHOP), vec![vendor_recipient(), mailer], true));
    let done = completed(20, erasure());
    let id = done.id();
    s.requests.push(done);
    let agenda = Agenda::build(&s, at("2025-03-11T10:00:00Z"), &options());
    let notices = of_kind(&agenda, "recipient_notice");
    assert_eq!(notices.len(), 2, "{notices:#?}");
    for notice in &notices {
        assert_eq!(notice.article.to_string(), "Art. 19");
        assert_eq!(notice.due, end_of_day((2025, 4, 7), Zone::EUROPE_PRAGUE));
        assert!(matches!(notice.kind, ObligationKind::RecipientNotice { operation: Operation::Erasure, .. }));
    }
    assert!(of_kind(&agenda, "answer").is_empty());

    let vendor = RecipientNoticeGiven::new(en("Chatvendor s.r.o.")).with_party(party_id(VENDOR));
    s.notices_given.push(NoticeRecord::recipient(id, at("2025-03-12T09:00:00Z"), vendor));
    let agenda = Agenda::build(&s, at("2025-03-12T10:00:00Z"), &options());
    let left = only(&agenda, "recipient_notice");
    assert!(matches!(&left.owed_to, OwedTo::Recipient { name, party: None } if *name == en("Mailer a.s.")));
}

#[test]
fn art_19_no_recipient_notice_when_the_fulfilment_changed_nothing() {
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    s.activities.push(activity(party_id(SHOP), vec![vendor_recipient()], true));
    let done = completed(21, erasure());
    s.fulfilments.push(FulfilmentRun::new(done.id(), Operation::Erasure));
    s.requests.push(done);
    let agenda = Agenda::build(&s, at("2025-03-11T10:00:00Z"), &options());
    assert!(of_kind(&agenda, "recipient_notice").is_empty());
}

#[test]
fn art_18_3_lifting_notice_stands_for_a_restriction_until_given() {
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    s.activities.push(activity(party_id(SHOP), vec![vendor_recipient()], true));
    let done = completed(22, RequestKind::Restriction { ground: RestrictionGround::AccuracyContested });
    let id = done.id();
    s.requests.push(done);
    let agenda = Agenda::build(&s, at("2025-03-11T10:00:00Z"), &options());
    let lifting = only(&agenda, "lifting_notice");
    assert_eq!(lifting.article.to_string(), "Art. 18(3)");
    assert_eq!((lifting.due, lifting.state), (Due::Standing, ObligationState::Standing));
    assert!(matches!(lifting.owed_to, OwedTo::DataSubject { subject: Some(_), .. }));
    // The restriction is told to the recipients too (Art. 19).
    assert_eq!(
        only(&agenda, "recipient_notice").kind,
        ObligationKind::RecipientNotice { request: id, operation: Operation::Restriction }
    );

    s.notices_given.push(NoticeRecord::restriction_lifting(id, at("2025-05-01T09:00:00Z")));
    let agenda = Agenda::build(&s, at("2025-05-02T10:00:00Z"), &options());
    assert!(of_kind(&agenda, "lifting_notice").is_empty());
}

// Legal review W5
#[test]
fn art_21_3_direct_marketing_objection_is_on_the_agenda_as_stop_processing_due_at_receipt() {
    let objection = RequestKind::Objection { ground: gdpr_obligations::request::ObjectionGround::DirectMarketing };
    let mut s = snapshot(SHOP);
    s.requests.push(request(receipt(party_id(SHOP), 40, "2025-03-05T09:00:00Z", objection, Receiver::Controller), &[]));
    let agenda = Agenda::build(&s, at("2025-03-05T09:30:00Z"), &options());
    let names: Vec<&str> = agenda.obligations.iter().map(|o| o.kind.name()).collect();
    assert_eq!(names, ["stop_processing"], "no one-month answer, no extension notice");
    let stop = &agenda.obligations[0];
    assert_eq!(stop.article.to_string(), "Art. 21(3)");
    assert_eq!(stop.due, Due::Instant { at: at("2025-03-05T09:00:00Z") });
    assert_eq!(stop.state, ObligationState::Overdue, "processing stops at once");
    assert!(stop.summary.contains("customer_care") && stop.summary.ends_with("(Art. 21(3))"), "{}", stop.summary);
}

// Legal review D9 (with W5): an Art. 21(1) objection to consent-based processing is in
// substance a withdrawal (Art. 7(3), 12(2)): it stops the processing at receipt too.
#[test]
fn art_7_3_objection_to_consent_based_processing_is_on_the_agenda_as_a_withdrawal_due_at_receipt() {
    let objection = RequestKind::Objection { ground: gdpr_obligations::request::ObjectionGround::ParticularSituation };
    let mut s = snapshot(SHOP);
    let mut r = receipt(party_id(SHOP), 41, "2025-03-05T09:00:00Z", objection, Receiver::Controller);
    // Customer care on consent: Art. 21(1) gives no objection to it, a withdrawal ends it.
    r.processing = Processing::new(LegalBasis::Consent, Purpose::CustomerCare);
    s.requests.push(request(r, &[]));
    let agenda = Agenda::build(&s, at("2025-03-05T09:30:00Z"), &options());
    let names: Vec<&str> = agenda.obligations.iter().map(|o| o.kind.name()).collect();
    assert_eq!(names, ["stop_processing"], "no one-month answer, no extension notice");
    let stop = &agenda.obligations[0];
    assert_eq!(stop.article.to_string(), "Art. 7(3)");
    assert_eq!(stop.due, Due::Instant { at: at("2025-03-05T09:00:00Z") });
}

// Legal review M9
#[test]
fn art_5_1_e_a_data_category_no_retention_policy_covers_is_a_standing_gap() {
    let mut s = snapshot(SHOP);
    s.activities.push(activity(party_id(SHOP), vec![], true));
    let transcripts = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 24 },
    )
    .expect("a valid policy");
    // A policy for the category under a purpose the activity does not have does not cover it.
    let other_purpose =
        RetentionPolicy::new(Purpose::Marketing, DataCategory::Contact, RetentionPeriod::FromCollection { months: 6 })
            .expect("a valid policy");
    s.retention_policies = vec![transcripts, other_purpose];
    let agenda = Agenda::build(&s, at("2026-03-16T09:00:00Z"), &options());
    let gaps = of_kind(&agenda, "uncovered_retention");
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    let gap = gaps[0];
    assert_eq!(
        gap.kind,
        ObligationKind::UncoveredRetention {
            activity: ActivityId::from_uuid(Uuid::from_u128(0xac71)),
            category: DataCategory::Contact
        }
    );
    assert_eq!(
        (gap.article.to_string(), gap.due, gap.state),
        ("Art. 5(1)(e)".to_owned(), Due::Standing, ObligationState::Standing)
    );
    assert_eq!(gap.owed_by, party_id(SHOP));
    assert!(gap.summary.contains("contact") && gap.summary.contains("00000000ac71"), "{}", gap.summary);
    // Covered for the activity's purpose: the gap goes.
    s.retention_policies.push(
        RetentionPolicy::new(
            Purpose::CustomerCare,
            DataCategory::Contact,
            RetentionPeriod::FromCollection { months: 24 },
        )
        .expect("a valid policy"),
    );
    assert!(of_kind(&Agenda::build(&s, at("2026-03-16T09:00:00Z"), &options()), "uncovered_retention").is_empty());
}

// Legal review M6
#[test]
fn art_14_3_third_parties_mentioned_in_chats_are_owed_information_or_a_recorded_14_5_exception() {
    use gdpr_obligations::model::{ThirdPartyData, ThirdPartyInformation};

    let mentioned = |data: ThirdPartyData| {
        ProcessingActivity::builder(
            en("Website chat customer care"),
            Controllers::Sole { controller: party_id(SHOP) },
            Retention::Months { months: 24 },
        )
        .id(ActivityId::from_uuid(Uuid::from_u128(0xac72)))
        .purpose(PurposeSpec::new(Purpose::CustomerCare, LegalBasis::Contract))
        .data_categories([DataCategory::CommunicationContent])
        .subject_categories([SubjectCategory::Visitor])
        .may_contain_third_party_data(data)
        .build()
        .expect("a valid activity")
    };
    let since = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let now = at("2026-03-16T09:00:00Z");
    let mut s = snapshot(SHOP);
    s.activities.push(mentioned(ThirdPartyData::new(since)));
    let agenda = Agenda::build(&s, now, &options());
    let duty = only(&agenda, "third_party_information");
    assert_eq!(duty.article.to_string(), "Art. 14(3)");
    // One month from obtaining (Art. 14(3)(a)): 2 April 2026.
    assert_eq!(duty.due, end_of_day((2026, 4, 2), Zone::EUROPE_PRAGUE));
    // A disclosure to another recipient before then brings it forward (Art. 14(3)(c)).
    s.activities = vec![mentioned(ThirdPartyData::new(since).with_first_disclosure(at("2026-03-20T10:00:00Z")))];
    let agenda = Agenda::build(&s, now, &options());
    assert_eq!(only(&agenda, "third_party_information").due, Due::Instant { at: at("2026-03-20T10:00:00Z") });
    // A recorded Art. 14(5)(b) exception, with its reasons and measures, closes it.
    let exception = ThirdPartyInformation::DisproportionateEffort {
        reasons: text("visitors name people in passing; we hold no contact details for them"),
        measures: text("the published privacy notice says chats may mention third parties and how long they are kept"),
    };
    assert_eq!(exception.article().to_string(), "Art. 14(5)(b)");
    s.activities = vec![mentioned(ThirdPartyData::new(since).with_information(exception))];
    assert!(of_kind(&Agenda::build(&s, now, &options()), "third_party_information").is_empty());
    // Art. 14(5)(b) without the appropriate measures cannot be recorded, in JSON either.
    let bare = serde_json::json!({"by": "disproportionate_effort", "reasons": "too many people"});
    assert!(serde_json::from_value::<ThirdPartyInformation>(bare).is_err());
}

// ---- Art. 28(3)(e): forwarding ----

#[test]
fn art_28_3_e_forwarding_is_owed_by_the_processor_to_the_controller() {
    let receiver = Receiver::Processor { processor: party_id(VENDOR) };
    let mut s = snapshot(SHOP);
    s.requests.push(request(receipt(party_id(SHOP), 30, "2025-03-05T09:00:00Z", erasure(), receiver), &[]));
    let agenda = Agenda::build(&s, at("2025-03-06T10:00:00Z"), &options());
    let forwarding = only(&agenda, "forwarding");
    assert_eq!(forwarding.article.to_string(), "Art. 28(3)(e)");
    assert_eq!(forwarding.owed_by, party_id(VENDOR));
    assert_eq!(forwarding.owed_to, OwedTo::Controller { party: party_id(SHOP) });
    // Promptly: two working days after Wednesday 5 March, not the end of the controller's month.
    assert_eq!(forwarding.due, end_of_day((2025, 3, 7), Zone::EUROPE_PRAGUE));
    let answer = only(&agenda, "answer");
    assert_eq!(answer.due, end_of_day((2025, 4, 7), Zone::EUROPE_PRAGUE));
    // The controller's month runs from the processor's receipt: its answer is on its agenda.
    assert_eq!(agenda.owed_by(party_id(SHOP)).obligations.len(), 1);
    // The processor's view of this scope is the forwarding only.
    let vendor = agenda.owed_by(party_id(VENDOR));
    assert_eq!(vendor.obligations.len(), 1);
    assert_eq!(vendor.obligations[0].kind.name(), "forwarding");
}

// Legal review D1
#[test]
fn art_28_3_e_forwarding_is_due_promptly_within_the_agreements_hours_or_two_working_days() {
    let receiver = Receiver::Processor { processor: party_id(VENDOR) };
    // Received on Thursday 17 April 2025: Good Friday and Easter Monday are Czech holidays, so
    // two working days end on Wednesday 23 April, long before the controller's month.
    let mut s = snapshot(SHOP);
    s.requests.push(request(receipt(party_id(SHOP), 31, "2025-04-17T09:00:00Z", erasure(), receiver), &[]));
    let agenda = Agenda::build(&s, at("2025-04-17T10:00:00Z"), &options());
    assert_eq!(only(&agenda, "forwarding").due, end_of_day((2025, 4, 23), Zone::EUROPE_PRAGUE));
    assert_eq!(only(&agenda, "answer").due, end_of_day((2025, 5, 19), Zone::EUROPE_PRAGUE));
    // An agreement that sets 24 hours: due 24 hours after the processor's receipt.
    let mut agreement =
        ProcessingAgreement::template(party_id(SHOP), party_id(VENDOR), gdpr_obligations::testkit::signed_facts());
    if let Some(assistance) = agreement.data_subject_assistance.as_mut() {
        assistance.forwarding_hours = Some(24);
    }
    s.agreements.push(agreement);
    let agenda = Agenda::build(&s, at("2025-04-17T10:00:00Z"), &options());
    assert_eq!(only(&agenda, "forwarding").due, Due::Instant { at: at("2025-04-18T09:00:00Z") });
}

// ---- Arts. 33 and 34: breaches ----

fn detection(aware: Awareness, aware_at: &str) -> Detection {
    Detection::new(aware, at(aware_at), DeadlinePolicy::czech())
        .with_id(BreachId::from_uuid(Uuid::from_u128(0xb1)))
        .with_facts(Facts { nature: Some(text("chat transcripts readable through a public link")), ..Facts::default() })
}

#[test]
fn art_33_1_authority_notification_is_due_72_hours_after_awareness() {
    let aware = "2026-03-13T18:30:00Z";
    let mut s = snapshot(SHOP);
    s.breaches.push(breach(detection(Awareness::Controller { controller: party_id(SHOP) }, aware), &[]));
    let agenda = Agenda::build(&s, at("2026-03-14T09:00:00Z"), &options());
    let notify = only(&agenda, "authority_notification");
    assert_eq!(notify.article.to_string(), "Art. 33(1)");
    assert_eq!(notify.owed_to, OwedTo::SupervisoryAuthority);
    assert_eq!(notify.due, Due::Instant { at: DeadlinePolicy::czech().breach_deadline(at(aware)).expect("in range") });
    assert_eq!(notify.state, ObligationState::Upcoming);
    assert_eq!(
        Agenda::build(&s, at("2026-03-16T18:30:00Z"), &options()).obligations[0].state,
        ObligationState::DueToday
    );
    assert_eq!(
        Agenda::build(&s, at("2026-03-16T18:31:00Z"), &options()).obligations[0].state,
        ObligationState::Overdue
    );

    let notified = BreachCommand::NotifyAuthority {
        at: at("2026-03-15T09:00:00Z"),
        authority: text("ÚOOÚ"),
        reasons_for_delay: None,
    };
    s.breaches[0] = breach(detection(Awareness::Controller { controller: party_id(SHOP) }, aware), &[notified]);
    assert!(Agenda::build(&s, at("2026-03-16T09:00:00Z"), &options()).obligations.is_empty());
}

#[test]
fn art_34_subject_communication_is_due_at_once_after_a_high_risk_assessment() {
    let aware = "2026-03-13T18:30:00Z";
    let assess = BreachCommand::Assess {
        at: at("2026-03-13T21:00:00Z"),
        risk: RiskLevel::HighRisk,
        reasons: text("health data"),
    };
    let mut s = snapshot(SHOP);
    s.breaches.push(breach(detection(Awareness::Controller { controller: party_id(SHOP) }, aware), &[assess]));
    let agenda = Agenda::build(&s, at("2026-03-14T09:00:00Z"), &options());
    let tell = only(&agenda, "subject_communication");
    assert_eq!(tell.article.to_string(), "Art. 34(1)");
    assert_eq!(tell.due, Due::Instant { at: at("2026-03-13T21:00:00Z") });
    assert_eq!(tell.state, ObligationState::Overdue);
    assert!(matches!(tell.kind, ObligationKind::SubjectCommunication { duty: SubjectDuty::Direct, .. }));
    assert_eq!(tell.owed_to, OwedTo::DataSubjects { breach: Some(BreachId::from_uuid(Uuid::from_u128(0xb1))) });
    assert_eq!(only(&agenda, "authority_notification").state, ObligationState::Upcoming);
}

#[test]
fn art_33_2_controller_notice_is_owed_per_affected_controller_by_the_agreements_period() {
    let (shop, other) = (party_id(SHOP), party_id(OTHER_SHOP));
    let a = assessed(ProcessingAgreement::template(shop, party_id(VENDOR), gdpr_obligations::testkit::signed_facts()));
    let b = assessed(ProcessingAgreement::template(other, party_id(VENDOR), gdpr_obligations::testkit::signed_facts()));
    let notify = vec![
        NoticeDuty { agreement: a.id, principal: shop, controller: shop, period: NoticePeriod::Agreed { hours: 24 } },
        NoticeDuty { agreement: b.id, principal: other, controller: other, period: NoticePeriod::Agreed { hours: 48 } },
    ];
    let aware = "2026-03-13T18:30:00Z";
    let mut s = snapshot(VENDOR);
    s.breaches.push(breach(
        detection(Awareness::Processor { processor: party_id(VENDOR), notify }, aware),
        &[BreachCommand::NotifyPrincipal { at: at("2026-03-14T08:00:00Z"), agreement: b.id }],
    ));
    let agenda = Agenda::build(&s, at("2026-03-14T09:00:00Z"), &options());
    let notice = only(&agenda, "controller_notice");
    assert_eq!(notice.article.to_string(), "Art. 33(2)");
    assert_eq!(notice.owed_by, party_id(VENDOR));
    assert_eq!(notice.owed_to, OwedTo::Controller { party: shop });
    assert_eq!(notice.due, Due::Instant { at: at(aware) + TimeDelta::hours(24) });
    // Saturday 19:30 in Prague: due today at 10:00.
    assert_eq!(notice.state, ObligationState::DueToday);
    // A processor owes no Art. 33(1) notification or Art. 34 communication.
    assert_eq!(agenda.obligations.len(), 1);
}

// ---- Art. 28: agreements and sub-processor changes ----

#[test]
fn art_28_2_objection_window_is_listed_until_it_closes() {
    let agreement = assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    let t0 = at("2026-03-02T09:00:00Z");
    let notice = ChangeNotice::propose(&agreement, party_id(MAILER), None, t0)
        .and_then(|n| n.notify(&agreement, t0))
        .expect("notified");
    let mut s = snapshot(SHOP);
    s.agreements.push(agreement.clone());
    s.change_notices.push(notice);
    let agenda = Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options());
    let window = only(&agenda, "objection_window");
    assert_eq!(window.article.to_string(), "Art. 28(2)");
    assert_eq!(window.due, Due::WindowCloses { at: t0 + TimeDelta::days(14) });
    assert_eq!((window.owed_by, &window.owed_to), (party_id(SHOP), &OwedTo::Processor { party: party_id(VENDOR) }));
    assert_eq!(
        Agenda::build(&s, at("2026-03-16T08:59:59Z"), &options()).obligations[0].state,
        ObligationState::DueToday
    );
    assert!(of_kind(&Agenda::build(&s, at("2026-03-16T09:00:00Z"), &options()), "objection_window").is_empty());
}

#[test]
fn art_28_3_deficient_agreement_is_due_before_processing_under_it_starts() {
    let mut agreement = assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    agreement.confidentiality = None;
    agreement.valid_from = NaiveDate::from_ymd_opt(2026, 4, 1);
    let mut s = snapshot(SHOP);
    s.agreements.push(agreement);
    let agenda = Agenda::build(&s, at("2026-03-20T09:00:00Z"), &options());
    let deficient = only(&agenda, "deficient_agreement");
    assert_eq!(deficient.article.to_string(), "Art. 28(3)");
    let ObligationKind::DeficientAgreement { deficiencies, .. } = &deficient.kind else { panic!("deficient") };
    assert_eq!(deficiencies[0].element, Element::Confidentiality);
    assert_eq!(deficient.due, end_of_day((2026, 3, 31), Zone::UTC));
    assert_eq!(deficient.state, ObligationState::Upcoming);
    assert_eq!(
        Agenda::build(&s, at("2026-04-02T09:00:00Z"), &options()).obligations[0].state,
        ObligationState::Overdue
    );
    assert!(
        agenda.to_markdown().contains(&gdpr_obligations::escape::markdown("Art. 28(3)(b)")),
        "the details name each element's article"
    );
}

#[test]
fn art_28_4_sub_processing_agreement_slower_to_notify_a_breach_than_its_parent_is_deficient() {
    let mut main = assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    main.breach_notice_hours = Some(24);
    let mut sub = assessed(ProcessingAgreement::sub_processing_template(
        &main,
        party_id(MAILER),
        gdpr_obligations::testkit::signed_facts(),
    ));
    sub.breach_notice_hours = Some(48);
    let mut s = snapshot(SHOP);
    s.agreements.extend([main, sub.clone()]);
    let agenda = Agenda::build(&s, at("2026-03-20T09:00:00Z"), &options());
    let deficient = only(&agenda, "deficient_agreement");
    let ObligationKind::DeficientAgreement { agreement, deficiencies } = &deficient.kind else { panic!("deficient") };
    assert_eq!(*agreement, sub.id);
    let found: Vec<String> = deficiencies.iter().map(|d| d.article.to_string()).collect();
    assert_eq!(found, ["Art. 28(4)"]);
    assert_eq!(
        (deficient.owed_by, &deficient.owed_to),
        (party_id(VENDOR), &OwedTo::Processor { party: party_id(MAILER) })
    );
    sub.breach_notice_hours = Some(24);
    s.agreements.pop();
    s.agreements.push(sub);
    assert!(of_kind(&Agenda::build(&s, at("2026-03-20T09:00:00Z"), &options()), "deficient_agreement").is_empty());
}

#[test]
fn art_28_3_expiring_agreement_is_listed_within_the_warning_and_until_its_last_day_ends() {
    let mut agreement = assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    agreement.valid_until = NaiveDate::from_ymd_opt(2026, 6, 30);
    let mut s = snapshot(SHOP);
    s.agreements.push(agreement);
    let options = options().with_expiry_warning_days(30);
    assert!(Agenda::build(&s, at("2026-05-30T12:00:00Z"), &options).obligations.is_empty());
    let agenda = Agenda::build(&s, at("2026-05-31T12:00:00Z"), &options);
    let expiring = only(&agenda, "expiring_agreement");
    assert_eq!(expiring.article.to_string(), "Art. 28(3)");
    assert_eq!(expiring.due, end_of_day((2026, 6, 30), Zone::UTC));
    assert!(Agenda::build(&s, at("2026-07-01T00:00:00Z"), &options).obligations.is_empty());
}

// ---- Art. 5(1)(e): the retention sweep ----

#[test]
fn art_5_1_e_sweep_is_due_after_the_interval_resumed_at_once_and_standing_before_the_first() {
    let policy = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 12 },
    )
    .expect("a valid policy");
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    assert!(Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options()).obligations.is_empty(), "no policy, no sweep");
    s.retention_policies.push(policy);
    let first = only(&Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options()), "retention_sweep").clone();
    assert_eq!(first.article.to_string(), "Art. 5(1)(e)");
    assert_eq!((first.due, first.state), (Due::Standing, ObligationState::Standing));

    let sweep = SweepId::from_uuid(Uuid::from_u128(0x5e));
    s.sweeps.push(SweepRun::finished(sweep, at("2026-03-10T02:00:00Z")));
    let options = options().with_sweep_interval_days(7);
    let agenda = Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options);
    let next = only(&agenda, "retention_sweep");
    assert_eq!(next.due, end_of_day((2026, 3, 17), Zone::EUROPE_PRAGUE));
    assert_eq!(next.state, ObligationState::Upcoming);

    s.sweeps.push(SweepRun::unfinished(SweepId::from_uuid(Uuid::from_u128(0x5f)), at("2026-03-17T02:00:00Z")));
    let agenda = Agenda::build(&s, at("2026-03-17T09:00:00Z"), &options);
    let resume = only(&agenda, "retention_sweep");
    assert!(matches!(resume.kind, ObligationKind::RetentionSweep { unfinished: true, .. }));
    assert_eq!(resume.state, ObligationState::Overdue);
}

// ---- Art. 30(1): records of processing ----

#[test]
fn art_30_1_record_lacking_security_measures_or_a_processor_recipient_is_listed() {
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    s.agreements.push(assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    )));
    s.activities.push(activity(party_id(SHOP), vec![], false));
    let agenda = Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options());
    let record = only(&agenda, "incomplete_record");
    assert_eq!(record.article.to_string(), "Art. 30(1)");
    assert_eq!(record.owed_to, OwedTo::SupervisoryAuthority);
    let ObligationKind::IncompleteRecord { missing, .. } = &record.kind else { panic!("incomplete") };
    let points: Vec<String> = missing.iter().map(|g| g.article.to_string()).collect();
    assert_eq!(points, ["Art. 30(1)(d)", "Art. 30(1)(g)"]);

    // Complete: the vendor listed, the measures described.
    s.activities[0] = activity(party_id(SHOP), vec![vendor_recipient()], true);
    assert!(of_kind(&Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options()), "incomplete_record").is_empty());
}

#[test]
fn art_30_1_a_record_needs_the_controllers_contact_details() {
    let mut s = snapshot(SHOP);
    s.activities.push(activity(party_id(SHOP), vec![], true));
    let agenda = Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options());
    let ObligationKind::IncompleteRecord { missing, .. } = &only(&agenda, "incomplete_record").kind else {
        panic!("incomplete")
    };
    assert_eq!(missing[0].article.to_string(), "Art. 30(1)(a)");
    s.parties.push(Party::builder("ACME s.r.o.", Country::CZ).id(party_id(SHOP)).build().expect("valid"));
    let agenda = Agenda::build(&s, at("2026-03-10T09:00:00Z"), &options());
    let ObligationKind::IncompleteRecord { missing, .. } = &only(&agenda, "incomplete_record").kind else {
        panic!("incomplete")
    };
    assert_eq!(missing[0].field, "controller.contact");
}

// ---- scoping ----

#[test]
fn an_agenda_holds_nothing_of_another_controller() {
    let mut s = snapshot(SHOP);
    s.requests.push(request(
        receipt(party_id(OTHER_SHOP), 40, "2025-03-05T09:00:00Z", RequestKind::Access, Receiver::Controller),
        &[],
    ));
    s.breaches.push(breach(
        detection(Awareness::Controller { controller: party_id(OTHER_SHOP) }, "2025-03-05T09:00:00Z"),
        &[],
    ));
    let mut foreign = assessed(ProcessingAgreement::template(
        party_id(OTHER_SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    foreign.confidentiality = None;
    s.agreements.push(foreign);
    s.activities.push(activity(party_id(OTHER_SHOP), vec![], false));
    assert!(Agenda::build(&s, at("2025-03-06T09:00:00Z"), &options()).obligations.is_empty());
}

// ---- exports ----

/// A small scenario with fixed ids and instants: ACME's ledger on Monday 16 March 2026.
fn scenario() -> Snapshot {
    let mut s = snapshot(SHOP);
    s.parties.push(shop_party());
    s.parties.push(Party::builder("Chatvendor s.r.o.", Country::CZ).id(party_id(VENDOR)).build().expect("valid"));
    s.activities.push(activity(party_id(SHOP), vec![vendor_recipient()], true));
    let mut agreement = assessed(ProcessingAgreement::template(
        party_id(SHOP),
        party_id(VENDOR),
        gdpr_obligations::testkit::signed_facts(),
    ));
    agreement.id = gdpr_obligations::agreement::AgreementId::from_uuid(Uuid::from_u128(0xa1));
    agreement.valid_until = NaiveDate::from_ymd_opt(2026, 4, 10);
    s.agreements.push(agreement);
    s.requests.push(request(
        receipt(party_id(SHOP), 50, "2026-02-16T09:00:00Z", RequestKind::Access, Receiver::Controller),
        &[],
    ));
    s.requests.push(completed_from(51, erasure(), at("2026-03-02T08:00:00Z")));
    s.requests.push(completed_from(
        52,
        RequestKind::Restriction { ground: RestrictionGround::AccuracyContested },
        at("2026-03-03T08:00:00Z"),
    ));
    s.breaches
        .push(breach(detection(Awareness::Controller { controller: party_id(SHOP) }, "2026-03-13T18:30:00Z"), &[]));
    s
}

#[test]
fn the_markdown_agenda_of_a_small_scenario() {
    let agenda = Agenda::build(&scenario(), at("2026-03-16T09:00:00Z"), &options());
    insta::assert_snapshot!(agenda.to_markdown());
}

#[test]
fn the_json_agenda_round_trips_and_its_schema_accepts_it() {
    let agenda = Agenda::build(&scenario(), at("2026-03-16T09:00:00Z"), &options());
    assert!(!agenda.obligations.is_empty());
    common::assert_json_contract(&agenda);
    common::assert_json_contract(&scenario());
    let json = serde_json::to_value(&agenda).expect("serialises");
    assert_eq!(json["obligations"][0]["kind"], "authority_notification");
    assert_eq!(json["obligations"][0]["article"], "Art. 33(1)");
}

#[test]
fn the_icalendar_feed_parses_with_the_same_crate() {
    use icalendar::{Calendar, Component};

    let agenda = Agenda::build(&scenario(), at("2026-03-16T09:00:00Z"), &options());
    let ics = agenda.to_ical();
    let parsed: Calendar = ics.parse().expect("the feed parses");
    let events: Vec<_> = parsed.events().collect();
    let dated = agenda.obligations.iter().filter(|o| o.due != Due::Standing).count();
    assert_eq!(events.len(), dated);
    for (event, obligation) in events.iter().zip(agenda.obligations.iter().filter(|o| o.due != Due::Standing)) {
        assert_eq!(event.get_uid(), Some(format!("{}@gdpr-obligations", obligation.key).as_str()));
        assert_eq!(event.get_summary(), Some(obligation.summary.as_str()));
        assert!(event.get_start().is_some());
    }
    assert!(ics.contains("CATEGORIES:Art. 33(1)"));
}

// ---- the loader ----

#[tokio::test]
async fn the_loader_reads_one_scope_through_the_typed_ledger() -> Result<(), Box<dyn std::error::Error>> {
    use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
    use gdpr_obligations::store::{LedgerStoreExt, Version};

    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let scenario = scenario();
    let scope = scenario.scope;
    for party in &scenario.parties {
        ledger.put(scope, party, Version::NONE).await?;
    }
    for activity in &scenario.activities {
        ledger.put(scope, activity, Version::NONE).await?;
    }
    for agreement in &scenario.agreements {
        ledger.put_agreement(scope, agreement, Version::NONE).await?;
    }
    for r in &scenario.requests {
        // Replay the request's life from its receipt by the same commands the scenario used.
        let receive = Command::Receive(Box::new(r.receipt().clone()));
        let _ = ledger.execute::<Request>(&audit, scope, r.id(), &receive).await?;
    }
    let other = Scope::of(party_id(OTHER_SHOP));
    let theirs = receipt(party_id(OTHER_SHOP), 60, "2026-03-01T09:00:00Z", RequestKind::Access, Receiver::Controller);
    let receive = Command::Receive(Box::new(theirs));
    let _ = ledger.execute::<Request>(&audit, other, RequestId::from_uuid(Uuid::from_u128(60)), &receive).await?;

    let loaded = Snapshot::load(&ledger, scope).await?;
    assert_eq!(loaded.parties.len(), 2);
    assert_eq!(loaded.agreements, scenario.agreements);
    assert_eq!(loaded.requests.len(), 3);
    assert!(loaded.notices_given.is_empty());
    // A notice recorded in the ledger is read back, and only in its own scope.
    let told = NoticeRecord::restriction_lifting(scenario.requests[0].id(), at("2026-03-15T09:00:00Z"));
    record_notice(&ledger, scope, &told).await?;
    record_notice(&ledger, scope, &told).await?;
    assert_eq!(Snapshot::load(&ledger, scope).await?.notices_given, vec![told.clone(), told]);
    assert!(Snapshot::load(&ledger, other).await?.notices_given.is_empty());
    let agenda = Agenda::build(&loaded, at("2026-03-16T09:00:00Z"), &options());
    assert!(agenda.obligations.iter().all(|o| o.scope == scope));
    assert!(agenda.obligations.iter().all(|o| o.kind.request() != Some(RequestId::from_uuid(Uuid::from_u128(60)))));
    // Three open answers (the erasure and restriction replayed only to their receipts here), one
    // expiring agreement.
    assert_eq!(of_kind(&agenda, "answer").len(), 3);
    assert_eq!(of_kind(&agenda, "expiring_agreement").len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_loader_reads_sweep_and_fulfilment_journals() -> Result<(), Box<dyn std::error::Error>> {
    use std::sync::Arc;

    use gdpr_obligations::erasure::ErasurePolicy;
    use gdpr_obligations::fulfil::{Fulfilment, Sweep};
    use gdpr_obligations::model::{SubjectIdentifier, Token};
    use gdpr_obligations::store::chat::{ChatHistory, Sender};
    use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
    use gdpr_obligations::store::{LedgerStoreExt, PersonalDataSource, PseudonymKey, RetentionSource, Version};

    let (ledger, audit, chat) = (MemoryLedger::new(), MemoryAuditLog::new(), Arc::new(ChatHistory::new()));
    let scope = Scope::of(party_id(SHOP));
    let then = at("2024-01-10T09:00:00Z");
    let eva = chat.add_visitor(scope, Token::new("tok-eva")?, then).await?;
    let talk = chat.start_conversation(scope, eva, then).await?;
    chat.post(scope, talk, Sender::Visitor(eva), Text::new("Where is my order?")?, vec![], then).await?;
    let policy = RetentionPolicy::new(
        Purpose::CustomerCare,
        DataCategory::CommunicationContent,
        RetentionPeriod::FromCollection { months: 12 },
    )?;
    ledger.put(scope, &policy, Version::NONE).await?;
    let sources = vec![chat.clone() as Arc<dyn PersonalDataSource>];
    let sweep = SweepId::generate();
    let swept_at = at("2026-01-10T09:00:00Z");
    Sweep::new(scope, &ledger, &audit, vec![chat.clone() as Arc<dyn RetentionSource>])
        .run(sweep, &ErasurePolicy::default(), swept_at)
        .await?;

    let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef")?;
    let job = RequestId::generate();
    let nobody = [SubjectIdentifier::ChatVisitorToken(Token::new("tok-nobody")?)];
    Fulfilment::new(scope, &ledger, &audit, sources, &key)
        .erase(job, &nobody, &ErasurePolicy::default(), swept_at)
        .await?;

    let loaded = Snapshot::load(&ledger, scope).await?;
    assert_eq!(loaded.sweeps, [SweepRun::finished(sweep, swept_at)]);
    assert_eq!(loaded.fulfilments, [FulfilmentRun::new(job, Operation::Erasure)]);
    Ok(())
}

// ---- properties over random ledgers ----

mod properties;

/// `agreement` with the principal's assessment of the processor's guarantees on record
/// (Art. 28(1)), made on 10 January 2026 and reviewed by 10 January 2027.
fn assessed(mut agreement: ProcessingAgreement) -> ProcessingAgreement {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let evidence = vec![GuaranteeEvidence::Certification { name: "ISO/IEC 27001 certificate".to_owned() }];
    agreement.guarantees =
        Some(GuaranteesAssessment::new(day(2026, 1, 10), "DPO", evidence, day(2027, 1, 10)).unwrap());
    agreement
}

#[test]
fn art_28_1_guarantees_assessment_missing_or_due_for_review_is_on_the_agenda() {
    // Legal review M7: only processors providing sufficient guarantees (Art. 28(1), 28(5)),
    // verified at intervals.
    let mut s = snapshot(SHOP);
    let mut unassessed =
        ProcessingAgreement::template(party_id(SHOP), party_id(VENDOR), gdpr_obligations::testkit::signed_facts());
    unassessed.valid_from = NaiveDate::from_ymd_opt(2026, 7, 1);
    s.agreements.push(unassessed.clone());
    let options = options().with_expiry_warning_days(30);
    let agenda = Agenda::build(&s, at("2026-06-01T12:00:00Z"), &options);
    let items: Vec<_> =
        agenda.obligations.iter().filter(|o| matches!(o.kind, ObligationKind::GuaranteesReview { .. })).collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0].article.to_string(), "Art. 28(1)");
    assert_eq!(items[0].kind, ObligationKind::GuaranteesReview { agreement: unassessed.id, last_assessed: None });
    assert_eq!(items[0].due, end_of_day((2026, 6, 30), Zone::UTC), "before processing starts");

    s.agreements = vec![assessed(unassessed.clone())];
    let review = |now| {
        Agenda::build(&s, at(now), &options)
            .obligations
            .into_iter()
            .filter(|o| matches!(o.kind, ObligationKind::GuaranteesReview { .. }))
            .collect::<Vec<_>>()
    };
    assert!(review("2026-06-01T12:00:00Z").is_empty(), "assessed, review far off");
    let due = review("2027-01-05T12:00:00Z");
    assert_eq!(due.len(), 1, "the review date nears");
    assert_eq!(
        due[0].kind,
        ObligationKind::GuaranteesReview {
            agreement: unassessed.id,
            last_assessed: NaiveDate::from_ymd_opt(2026, 1, 10)
        }
    );
}
