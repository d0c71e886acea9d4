//! The data-subject request lifecycle: one given/when/then test per legal rule, property tests
//! over random command sequences, and the JSON contract.

use crate::common;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use common::{assert_json_contract, assert_schema_rejects};
use gdpr_obligations::model::{PartyId, SourceName, SubjectId, Text};
use gdpr_obligations::request::{
    CarriedOut, Channel, Command, ComplaintInformation, ErasureGround, Event, Exemption, ExtensionJustification,
    ExtensionReason, FeeGround, Identity, ObjectionGround, Processing, Receipt, Receiver, RefusalGround, Rejection,
    Reply, Request, RequestKind, RestrictionGround, StatusName, Withheld, decide, evolve,
};
use gdpr_obligations::testkit::{self, Given, When};
use gdpr_obligations::time::{Calendar, DeadlinePolicy, IdentityPause, Zone};
use gdpr_obligations::vocab::{LegalBasis, Purpose, SpecialCategoryCondition};
use proptest::prelude::*;

// ---- given / when / then (the kit's harness, and what only requests need) ----

/// The request after the set-up commands (each must be accepted).
fn given(commands: impl IntoIterator<Item = Command>) -> Given<Request> {
    testkit::given(commands)
}

/// What only a request's tests ask of the harness: its state names and refusals.
trait ThenRequest {
    fn then_state(self, state: StatusName) -> Request;
    fn then_rejected_in(self, state: StatusName, needed: &[StatusName]) -> Rejection;
    fn then_refused_under(self, article: &str) -> Request;
}

impl ThenRequest for When<Request> {
    /// The command was accepted and the request is now in `state`.
    fn then_state(self, state: StatusName) -> Request {
        let request = self.then_accepted();
        assert_eq!(request.status().name(), state, "{:?}", request.status());
        request
    }

    /// The command was rejected because the request was in `state`, which is not one of `needed`.
    fn then_rejected_in(self, state: StatusName, needed: &[StatusName]) -> Rejection {
        let rejection = self.then_rejected();
        assert_eq!((rejection.state, rejection.needed.as_slice()), (state, needed), "{rejection}");
        rejection
    }

    /// The command was accepted and ended in a refusal under `article`, with the complaint
    /// information (Art. 12(4)).
    fn then_refused_under(self, article: &str) -> Request {
        let request = self.then_state(StatusName::Refused);
        let gdpr_obligations::request::Status::Refused { ground, complaint, .. } = request.status() else {
            unreachable!()
        };
        assert_eq!(ground.article_for(request.kind()).to_string(), article);
        assert_eq!(complaint, &complaint_info());
        request
    }
}

// ---- fixtures ----

/// Wednesday 5 March 2025, 10:00 in Prague: one month ends on Saturday 5 April, so on Monday
/// 7 April (the EDPB's Example 32 with the Art. 3(4) roll).
fn day(n: i64) -> DateTime<Utc> {
    "2025-03-05T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::days(n)
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn complaint_info() -> ComplaintInformation {
    ComplaintInformation::new(
        text("Úřad pro ochranu osobních údajů (the Czech supervisory authority)"),
        text("an action before the competent court under Art. 79 GDPR"),
    )
}

fn receipt(kind: RequestKind, basis: LegalBasis) -> Receipt {
    Receipt::new(
        PartyId::generate(),
        day(0),
        kind,
        Processing::new(basis, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::new(Zone::EUROPE_PRAGUE, Calendar::Czechia),
        complaint_info(),
    )
}

fn receive(kind: RequestKind, basis: LegalBasis) -> Command {
    Command::Receive(Box::new(receipt(kind, basis)))
}

fn access() -> Command {
    receive(RequestKind::Access, LegalBasis::LegitimateInterests)
}

fn erasure() -> Command {
    receive(RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary }, LegalBasis::LegitimateInterests)
}

fn via_processor() -> Command {
    let mut r = receipt(RequestKind::Access, LegalBasis::LegitimateInterests);
    r.receiver = Receiver::Processor { processor: PartyId::generate() };
    Command::Receive(Box::new(r))
}

fn request_identity(n: i64) -> Command {
    Command::RequestIdentity { at: day(n), information: text("the e-mail address used in the chat") }
}
fn provide_identity(n: i64) -> Command {
    Command::ProvideIdentity { at: day(n) }
}
fn verify(n: i64) -> Command {
    Command::VerifyIdentity { at: day(n), subject: SubjectId::generate() }
}
fn fail_identity(n: i64) -> Command {
    Command::RecordIdentityFailure { at: day(n), reason: text("the code sent to the e-mail address was never entered") }
}
fn waive(n: i64) -> Command {
    Command::WaiveVerification { at: day(n), reason: text("asked from the chat session whose data is exported") }
}
fn start(n: i64) -> Command {
    Command::Start { at: day(n) }
}
fn complete(n: i64) -> Command {
    Command::Complete { at: day(n), summary: text("done"), withheld: None, reply: None }
}
fn extend(n: i64) -> Command {
    Command::Extend {
        at: day(n),
        justification: ExtensionJustification::new(
            ExtensionReason::Complexity,
            text("the chats are spread over four years and three sources"),
        ),
        notified_via: Channel::Email,
    }
}
fn refuse(n: i64, ground: RefusalGround) -> Command {
    Command::Refuse { at: day(n), ground, reply: None }
}
fn exempt(exemption: Exemption) -> RefusalGround {
    RefusalGround::Exempt { exemption, explanation: None }
}
fn receive_for(kind: RequestKind, processing: Processing) -> Command {
    let mut r = receipt(kind, processing.basis);
    r.processing = processing;
    Command::Receive(Box::new(r))
}
fn excessive() -> RefusalGround {
    RefusalGround::ManifestlyExcessive { explanation: text("the fifth identical request this week") }
}
fn fee(n: i64, ground: FeeGround) -> Command {
    Command::RequestFee { at: day(n), ground, amount: text("CZK 250"), explanation: text("a second copy") }
}

// ---- Art. 12(3): the month, the extension ----

#[test]
fn art_12_3_month_runs_from_receipt_and_rolls_off_the_weekend() {
    let request = given([access()]).when(start(1)).then_state(StatusName::InProgress);
    let deadlines = request.deadlines().unwrap();
    assert_eq!((deadlines.received_date(), deadlines.due().date()), (date(3, 5), date(4, 7)));
}

#[test]
fn art_12_3_extension_refused_after_first_deadline() {
    given([access()]).when(extend(34)).then_rejected_under("Art. 12(3)");
}

#[test]
fn art_12_3_extension_on_the_last_day_of_the_month_is_in_time() {
    // Monday 7 April 2025 is the last day: 33 days after receipt, still before 24:00 in Prague.
    let request = given([access()]).when(extend(33)).then_accepted();
    assert_eq!(request.current_deadline(day(33)).unwrap().date(), date(6, 5));
}

#[test]
fn art_12_3_extension_only_once() {
    given([access(), extend(3)]).when(extend(4)).then_rejected_under("Art. 12(3)");
}

#[test]
fn art_12_3_extension_gives_three_months_from_receipt() {
    let request = given([access()]).when(extend(10)).then_accepted();
    let d = request.deadlines().unwrap();
    assert!(d.extended_due() >= d.due() && d.due().date() >= d.received_date());
    assert_eq!(request.current_deadline(day(10)), Some(d.extended_due()));
}

#[test]
fn art_12_3_extension_without_a_justification_does_not_parse() {
    let json = serde_json::json!({"type": "extend", "at": day(1), "notified_via": "email"});
    assert!(serde_json::from_value::<Command>(json).is_err());
    let blank = serde_json::json!({"type": "extend", "at": day(1), "notified_via": "email",
        "justification": {"reason": "complexity", "explanation": "  "}});
    assert!(serde_json::from_value::<Command>(blank).is_err());
}

#[test]
fn art_12_3_overdue_and_time_left() {
    let request = given([access()]).created().clone();
    assert_eq!(request.time_left(day(33)), Some(TimeDelta::hours(13)));
    assert!(!request.is_overdue(day(33)) && request.is_overdue(day(34)));
}

#[test]
fn art_12_3_a_closed_request_is_never_overdue_and_says_if_it_was_answered_in_time() {
    let request = given([access(), waive(1), start(2)]).when(complete(40)).then_state(StatusName::Completed);
    assert!(!request.is_overdue(day(90)) && request.time_left(day(90)).is_none());
    assert_eq!(request.answered_in_time(), Some(false));
}

// ---- Art. 12(4): refusals ----

#[test]
fn art_12_4_a_refusal_after_one_month_is_late_even_when_extended() {
    // Legal review W6: the reasons for not acting are due within one month of receipt, whatever
    // the extension; the month ends on Monday 7 April (day 33).
    let late = given([erasure(), extend(3)]).when(refuse(40, excessive())).then_state(StatusName::Refused);
    assert_eq!(late.answered_in_time(), Some(false));
    let on_time = given([erasure(), extend(3)]).when(refuse(33, excessive())).then_state(StatusName::Refused);
    assert_eq!(on_time.answered_in_time(), Some(true));
    // A completion after the extension is still measured against the three months.
    let done = given([access(), extend(3), waive(4), start(5)]).when(complete(40)).then_state(StatusName::Completed);
    assert_eq!(done.answered_in_time(), Some(true));
}

#[test]
fn art_12_4_refusal_carries_complaint_information() {
    given([erasure()]).when(refuse(2, exempt(Exemption::LegalClaims))).then_refused_under("Art. 17(3)(e)");
}

#[test]
fn art_12_4_refusal_event_without_complaint_information_does_not_parse() {
    let json = serde_json::json!({"type": "refused", "at": day(1), "ground": {"ground": "cannot_identify"}});
    assert!(serde_json::from_value::<Event>(json.clone()).is_err());
    assert_schema_rejects::<Event>(&json);
}

// ---- Art. 12(5): fees and excessive requests ----

#[test]
fn art_12_5_a_fee_waits_for_payment() {
    given([access(), fee(1, FeeGround::ManifestlyUnfoundedOrExcessive)])
        .when(Command::RecordFeePaid { at: day(3) })
        .then_state(StatusName::Open);
}

#[test]
fn art_12_5_b_manifestly_excessive_request_may_be_refused() {
    given([access()]).when(refuse(1, excessive())).then_refused_under("Art. 12(5)(b)");
}

#[test]
fn art_15_3_fee_for_further_copies_only_for_access() {
    given([erasure()]).when(fee(1, FeeGround::FurtherCopies)).then_rejected_under("Art. 15(3)");
}

#[test]
fn art_7_3_no_fee_for_withdrawing_consent() {
    given([receive(RequestKind::ConsentWithdrawal, LegalBasis::Consent)])
        .when(fee(1, FeeGround::ManifestlyUnfoundedOrExcessive))
        .then_rejected_under("Art. 7(3)");
}

#[test]
fn art_7_3_consent_withdrawal_is_not_refused_as_excessive() {
    given([receive(RequestKind::ConsentWithdrawal, LegalBasis::Consent)])
        .when(refuse(1, excessive()))
        .then_rejected_under("Art. 7(3)");
}

#[test]
fn art_7_3_only_consent_can_be_withdrawn() {
    given([]).when(receive(RequestKind::ConsentWithdrawal, LegalBasis::Contract)).then_refused_under("Art. 7(3)");
}

// ---- Art. 12(6), 11(2), 5(1)(f): identity ----

#[test]
fn art_12_6_identity_request_pauses_the_month_under_the_pause_policy() {
    let mut r = receipt(RequestKind::Access, LegalBasis::LegitimateInterests);
    r.policy = r.policy.with_identity_pause(IdentityPause::Pause);
    let request = given([Command::Receive(Box::new(r)), request_identity(1)]).when(provide_identity(7)).then_accepted();
    assert_eq!(request.deadlines().unwrap().due().date(), date(4, 11)); // 5 April + 6 days
}

#[test]
fn art_12_6_the_clock_stands_still_while_waiting_under_the_pause_policy() {
    let mut r = receipt(RequestKind::Access, LegalBasis::LegitimateInterests);
    r.policy = r.policy.with_identity_pause(IdentityPause::Pause);
    let waiting = given([Command::Receive(Box::new(r)), request_identity(1)]).created().clone();
    assert!(!waiting.is_overdue(day(60)) && waiting.time_left(day(60)) > Some(TimeDelta::zero()));
}

#[test]
fn art_12_6_no_pause_under_the_default_policy() {
    let request = given([access(), request_identity(1)]).when(provide_identity(7)).then_accepted();
    assert_eq!((request.pauses().len(), request.deadlines().unwrap().due().date()), (1, date(4, 7)));
}

#[test]
fn art_12_6_identity_asked_while_in_progress_resumes_in_progress() {
    given([access(), start(1), request_identity(2)]).when(provide_identity(3)).then_state(StatusName::InProgress);
    // Before anything started, the answer returns the request to open.
    given([access(), request_identity(1)]).when(provide_identity(2)).then_state(StatusName::Open);
}

#[test]
fn art_12_6_identity_is_asked_only_for_requests_under_articles_15_to_21() {
    given([receive(RequestKind::AutomatedDecisionReview, LegalBasis::Contract)])
        .when(request_identity(1))
        .then_rejected_under("Art. 12(6)");
}

#[test]
fn art_12_6_identity_is_not_asked_again_once_verified() {
    given([access(), verify(1)]).when(request_identity(2)).then_rejected_under("Art. 12(6)");
}

#[test]
fn art_5_1_f_access_never_completes_before_identity_is_settled() {
    given([access(), request_identity(1), provide_identity(2), start(3)])
        .when(complete(4))
        .then_rejected_under("Art. 5(1)(f)");
}

#[test]
fn art_5_1_f_a_right_that_changes_data_completes_only_with_a_settled_identity() {
    // Legal review D2: a wrongful erasure, rectification, restriction or objection for an impostor
    // is itself a breach of integrity (Arts. 5(1)(f), 12(6)).
    for kind in [
        RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary },
        RequestKind::Rectification,
        RequestKind::Restriction { ground: RestrictionGround::AccuracyContested },
        RequestKind::Objection { ground: ObjectionGround::ParticularSituation },
    ] {
        let received = receive(kind, LegalBasis::LegitimateInterests);
        given([received.clone(), start(1)]).when(complete(2)).then_rejected_under("Art. 5(1)(f)");
        given([received.clone(), request_identity(1), provide_identity(2), start(3)])
            .when(complete(4))
            .then_rejected_under("Art. 5(1)(f)");
        given([received.clone(), waive(1), start(2)]).when(complete(3)).then_state(StatusName::Completed);
        given([received, verify(1), start(2)]).when(complete(3)).then_state(StatusName::Completed);
    }
}

#[test]
fn art_5_1_f_portability_completes_after_a_recorded_waiver_with_its_reason() {
    let request = given([receive(RequestKind::Portability, LegalBasis::Contract), waive(1), start(2)])
        .when(complete(3))
        .then_state(StatusName::Completed);
    assert!(matches!(request.identity(), Identity::NotRequired { .. }));
}

#[test]
fn art_5_1_f_access_completes_after_verification() {
    given([access(), request_identity(1), provide_identity(2), verify(2), start(3)])
        .when(complete(4))
        .then_state(StatusName::Completed);
}

#[test]
fn art_12_2_cannot_identify_needs_a_failed_verification() {
    given([access()]).when(refuse(1, RefusalGround::CannotIdentify)).then_rejected_under("Art. 12(2)");
}

#[test]
fn art_12_2_12_6_a_refusal_for_not_identifying_cites_articles_12_2_and_12_6() {
    // Legal review D10: the refusal rests on Art. 12(2) second sentence and 12(6), not on
    // Art. 11(2) alone.
    let request = given([access(), request_identity(1), fail_identity(12)])
        .when(refuse(12, RefusalGround::CannotIdentify))
        .then_refused_under("Art. 12(2)");
    let gdpr_obligations::request::Status::Refused { ground, .. } = request.status() else { unreachable!() };
    assert!(ground.reason().contains("Art. 12(2), 12(6)"), "{}", ground.reason());
    let failed = Event::IdentityFailed { at: day(12), reason: text("wrong code") };
    assert_eq!(failed.article().to_string(), "Art. 12(6)");
}

#[test]
fn art_12_2_identity_failure_needs_the_identity_to_have_been_asked_for() {
    // Legal review D3: the controller facilitates the request and may say it cannot identify the
    // requester only after asking for the information that would confirm the identity.
    given([access()]).when(fail_identity(2)).then_rejected_under("Art. 12(2)");
    given([access(), start(1)]).when(fail_identity(2)).then_rejected_under("Art. 12(2)");
    given([access(), request_identity(1)]).when(fail_identity(2)).then_state(StatusName::Open);
    given([access(), request_identity(1), provide_identity(2)]).when(fail_identity(3)).then_state(StatusName::Open);
}

// ---- Arts. 15(4), 20(4): the rights of others limit the copy; Art. 12(3): the answer's channel ----

fn complete_with(n: i64, withheld: Option<Withheld>, reply: Option<Reply>) -> Command {
    Command::Complete { at: day(n), summary: text("copy sent"), withheld, reply }
}

#[test]
fn art_15_4_the_rights_of_others_limit_the_copy_never_the_whole_answer() {
    // Legal review W4: Art. 15(4) and 20(4) limit only the copy (Recital 63); what is withheld
    // is recorded on completion with the Art. 12(4) information for that part.
    given([access()]).when(refuse(1, exempt(Exemption::CopyAffectsOthers))).then_rejected_under("Art. 15(4)");
    let portability = receive(RequestKind::Portability, LegalBasis::Contract);
    given([portability.clone()])
        .when(refuse(1, exempt(Exemption::PortabilityAffectsOthers)))
        .then_rejected_under("Art. 20(4)");
    let withheld =
        |limit| Withheld::new(limit, text("the other participant's messages"), text("they are another person's data"));
    let events = given([access(), waive(1), start(2)])
        .created()
        .decide(&complete_with(3, Some(withheld(Exemption::CopyAffectsOthers)), None))
        .unwrap();
    let [Event::Completed { withheld: Some(notice), .. }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!((notice.withheld.limit, &notice.complaint), (Exemption::CopyAffectsOthers, &complaint_info()));
    given([portability, waive(1), start(2)])
        .when(complete_with(3, Some(withheld(Exemption::PortabilityAffectsOthers)), None))
        .then_state(StatusName::Completed);
    // Only the copy it belongs to.
    given([access(), waive(1), start(2)])
        .when(complete_with(3, Some(withheld(Exemption::PortabilityAffectsOthers)), None))
        .then_rejected_under("Art. 20(4)");
    given([erasure(), waive(1), start(2)])
        .when(complete_with(3, Some(withheld(Exemption::CopyAffectsOthers)), None))
        .then_rejected_under("Art. 15(4)");
}

#[test]
fn art_12_3_an_electronic_request_gets_an_electronic_answer_unless_asked_otherwise() {
    // Legal review M12: Art. 12(3) last sentence and 15(3): the channel is recorded on the
    // answer and on a refusal.
    let ready = || given([access(), waive(1), start(2)]);
    ready().when(complete_with(3, None, Some(Reply::new(Channel::Post)))).then_rejected_under("Art. 12(3)");
    given([access()])
        .when(Command::Refuse { at: day(3), ground: excessive(), reply: Some(Reply::new(Channel::Post)) })
        .then_rejected_under("Art. 12(3)");
    let events = ready().created().decide(&complete_with(3, None, Some(Reply::as_requested(Channel::Post)))).unwrap();
    assert!(
        matches!(&events[..], [Event::Completed { reply: Some(r), .. }] if r.channel == Channel::Post && r.requested_by_subject)
    );
    // Without a reply, the answer goes the way the request came.
    let events = ready().created().decide(&complete_with(3, None, None)).unwrap();
    assert!(matches!(&events[..], [Event::Completed { reply: Some(r), .. }] if *r == Reply::new(Channel::Chat)));
    let events = given([access()]).created().decide(&refuse(3, excessive())).unwrap();
    assert!(matches!(&events[..], [Event::Refused { reply: Some(r), .. }] if *r == Reply::new(Channel::Chat)));
    // A letter may be answered by e-mail.
    let mut by_post = receipt(RequestKind::Access, LegalBasis::LegitimateInterests);
    by_post.channel = Channel::Post;
    given([Command::Receive(Box::new(by_post)), waive(1), start(2)])
        .when(complete_with(3, None, Some(Reply::new(Channel::Email))))
        .then_state(StatusName::Completed);
}

#[test]
fn art_19_the_data_subject_may_ask_which_recipients_were_told() {
    // Legal review M17: Art. 19, second sentence, "if the data subject requests it".
    let ask = receive(RequestKind::RecipientInformation, LegalBasis::LegitimateInterests);
    let request = given([]).when(ask.clone()).then_state(StatusName::Open);
    assert_eq!(request.kind().article().to_string(), "Art. 19");
    given([ask.clone(), start(1)]).when(complete(2)).then_rejected_under("Art. 5(1)(f)");
    given([ask, verify(1), start(2)]).when(complete(3)).then_state(StatusName::Completed);
    let erasure = gdpr_obligations::request::RequestId::generate();
    let told = |n, name| {
        gdpr_obligations::fulfil::NoticeRecord::recipient(
            erasure,
            day(n),
            gdpr_obligations::fulfil::RecipientNoticeGiven::new(crate::desk::en(name)),
        )
    };
    let other = gdpr_obligations::fulfil::NoticeRecord::recipient(
        gdpr_obligations::request::RequestId::generate(),
        day(1),
        gdpr_obligations::fulfil::RecipientNoticeGiven::new(crate::desk::en("Someone else's recipient")),
    );
    let notices = [told(3, "CRM s.r.o."), other, told(2, "Mailer a.s.")];
    let answer = gdpr_obligations::fulfil::recipient_information(&notices, &[erasure]);
    let names: Vec<&str> = answer
        .iter()
        .filter_map(|r| r.recipient.get(&gdpr_obligations::vocab::Language::EN))
        .map(|t| t.as_str())
        .collect();
    assert_eq!(names, ["Mailer a.s.", "CRM s.r.o."]);
}

// ---- Arts. 17, 18, 20, 21, 22: the rights and their limits ----

#[test]
fn art_17_3_b_erasure_under_a_legal_obligation_is_answered_after_checking_necessity() {
    // Legal review D5: Art. 17(3)(b) applies only "to the extent that" the processing is
    // necessary; the request is not refused from the basis alone, and a refusal names the law
    // and the period.
    let kept = RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary };
    for basis in [LegalBasis::LegalObligation, LegalBasis::PublicTask] {
        given([]).when(receive(kept, basis)).then_state(StatusName::Open);
    }
    let received = receive(kept, LegalBasis::LegalObligation);
    given([received.clone()])
        .when(refuse(2, exempt(Exemption::LegalObligationOrPublicTask)))
        .then_rejected_under("Art. 17(3)(b)");
    let named = RefusalGround::Exempt {
        exemption: Exemption::LegalObligationOrPublicTask,
        explanation: Some(text("invoices are kept for ten years under § 35 of the Czech VAT Act, until 2035")),
    };
    let request = given([received.clone()]).when(refuse(2, named)).then_refused_under("Art. 17(3)(b)");
    let gdpr_obligations::request::Status::Refused { ground, .. } = request.status() else { unreachable!() };
    assert!(ground.reason().contains("until 2035"), "{}", ground.reason());
    // Once the period has ended the erasure is carried out (Art. 17(1)(a)).
    given([received, waive(1), start(2)]).when(complete(3)).then_state(StatusName::Completed);
}

#[test]
fn art_12_4_a_refusal_because_the_conditions_of_the_right_are_not_met() {
    // Legal review M10: "no Art. 17(1) ground applies", "the data are accurate" and the
    // legal-claims limb of Art. 21(1) are refusals with the Art. 12(4) information.
    let not_met = |article: &str| RefusalGround::ConditionsNotMet {
        article: article.parse().unwrap(),
        explanation: text("the orders are still being delivered, so the data are needed"),
    };
    given([erasure()]).when(refuse(2, not_met("Art. 17(1)(a)"))).then_refused_under("Art. 17(1)(a)");
    let rectification = receive(RequestKind::Rectification, LegalBasis::Contract);
    given([rectification.clone()]).when(refuse(2, not_met("Art. 16"))).then_refused_under("Art. 16");
    // The conditions named are those of the right asked for.
    given([rectification]).when(refuse(2, not_met("Art. 17(1)"))).then_rejected_under("Art. 17(1)");
    let objection = receive(
        RequestKind::Objection { ground: ObjectionGround::ParticularSituation },
        LegalBasis::LegitimateInterests,
    );
    // An objection refused for legal claims is refused under the last limb of Art. 21(1), which
    // the refusal names (not the erasure exemption of Art. 17(3)(e)).
    given([objection]).when(refuse(2, exempt(Exemption::LegalClaims))).then_refused_under("Art. 21(1)");
    assert_eq!(
        Exemption::LegalClaims
            .article_for(&RequestKind::Objection { ground: ObjectionGround::ParticularSituation })
            .to_string(),
        "Art. 21(1)"
    );
}

#[test]
fn art_17_3_an_erasure_exemption_does_not_answer_an_access_request() {
    given([access()]).when(refuse(1, exempt(Exemption::LegalClaims))).then_rejected_under("Art. 17(3)(e)");
}

#[test]
fn art_17_1_b_erasure_for_withdrawn_consent_needs_processing_based_on_consent() {
    given([])
        .when(receive(RequestKind::Erasure { ground: ErasureGround::ConsentWithdrawn }, LegalBasis::Contract))
        .then_refused_under("Art. 17(1)(b)");
}

#[test]
fn art_18_1_d_restriction_pending_an_objection_needs_an_objection_to_exist() {
    given([])
        .when(receive(RequestKind::Restriction { ground: RestrictionGround::ObjectionPending }, LegalBasis::Contract))
        .then_refused_under("Art. 18(1)(d)");
}

#[test]
fn art_18_1_d_no_restriction_pending_objection_for_consent_based_marketing() {
    // Legal review W7: Art. 18(1)(d) covers an objection "pursuant to Article 21(1)" only; a
    // direct-marketing objection is never verified, so nothing is pending.
    let pending = RequestKind::Restriction { ground: RestrictionGround::ObjectionPending };
    given([])
        .when(receive_for(pending, Processing::new(LegalBasis::Consent, Purpose::Marketing)))
        .then_refused_under("Art. 18(1)(d)");
    given([])
        .when(receive_for(pending, Processing::new(LegalBasis::LegitimateInterests, Purpose::Marketing)))
        .then_state(StatusName::Open);
}

#[test]
fn art_21_3_direct_marketing_objection_is_free_and_not_extended() {
    // Legal review W5: an objection to direct marketing (Art. 21(3), Recital 70) and a consent
    // withdrawal (Art. 7(3)) are due at receipt: no fee, no extension.
    let marketing = receive(RequestKind::Objection { ground: ObjectionGround::DirectMarketing }, LegalBasis::Consent);
    let rejection = given([marketing.clone()])
        .when(fee(1, FeeGround::ManifestlyUnfoundedOrExcessive))
        .then_rejected_under("Art. 21(3)");
    assert_eq!(rejection.attempted.as_str(), "request_fee");
    assert!(rejection.to_string().contains("cannot request_fee a request that is open"), "{rejection}");
    let rejection = given([marketing.clone()]).when(extend(1)).then_rejected_under("Art. 21(3)");
    assert_eq!((rejection.attempted.as_str(), rejection.state), ("extend", StatusName::Open));
    assert!(given([marketing]).created().is_due_at_receipt());
    let withdrawal = receive(RequestKind::ConsentWithdrawal, LegalBasis::Consent);
    given([withdrawal.clone()]).when(extend(1)).then_rejected_under("Art. 7(3)");
    assert!(given([withdrawal]).created().is_due_at_receipt());
    assert!(!given([access()]).created().is_due_at_receipt());
}

#[test]
fn art_7_3_an_objection_to_consent_based_processing_is_a_withdrawal() {
    // Legal review D9: Art. 21(1) does not cover consent, but the objection is in substance a
    // withdrawal (Art. 7(3)); the controller facilitates it (Art. 12(2)) instead of refusing.
    let objection = RequestKind::Objection { ground: ObjectionGround::ParticularSituation };
    let request = given([]).when(receive(objection, LegalBasis::Consent)).then_state(StatusName::Open);
    assert!(request.withdraws_consent() && request.is_due_at_receipt());
    given([receive(objection, LegalBasis::Consent)]).when(extend(1)).then_rejected_under("Art. 7(3)");
    given([receive(objection, LegalBasis::Consent)]).when(refuse(1, excessive())).then_rejected_under("Art. 7(3)");
    // Under a contract there is neither an objection nor a consent to withdraw.
    given([]).when(receive(objection, LegalBasis::Contract)).then_refused_under("Art. 21(1)");
}

#[test]
fn art_9_2_a_explicit_consent_counts_as_consent_for_withdrawal_erasure_and_portability() {
    // Legal review M4: Arts. 7(3), 17(1)(b) and 20(1)(a) reach explicit consent under Art. 9(2)(a).
    let health = Processing::new(LegalBasis::Contract, Purpose::CustomerCare)
        .with_special_category_condition(SpecialCategoryCondition::ExplicitConsent);
    for kind in [
        RequestKind::ConsentWithdrawal,
        RequestKind::Erasure { ground: ErasureGround::ConsentWithdrawn },
        RequestKind::Portability,
    ] {
        given([]).when(receive_for(kind, health.clone())).then_state(StatusName::Open);
    }
    let other = Processing::new(LegalBasis::Contract, Purpose::CustomerCare)
        .with_special_category_condition(SpecialCategoryCondition::VitalInterests);
    given([]).when(receive_for(RequestKind::ConsentWithdrawal, other)).then_refused_under("Art. 7(3)");
}

#[test]
fn art_20_1_a_portability_refused_under_legitimate_interests() {
    given([])
        .when(receive(RequestKind::Portability, LegalBasis::LegitimateInterests))
        .then_refused_under("Art. 20(1)(a)");
}

#[test]
fn art_21_3_direct_marketing_objection_is_absolute() {
    let marketing = receive(RequestKind::Objection { ground: ObjectionGround::DirectMarketing }, LegalBasis::Consent);
    given([marketing]).when(refuse(1, excessive())).then_rejected_under("Art. 21(3)");
}

#[test]
fn art_21_2_direct_marketing_objection_is_available_under_every_basis() {
    let marketing = receive(RequestKind::Objection { ground: ObjectionGround::DirectMarketing }, LegalBasis::Contract);
    given([]).when(marketing).then_state(StatusName::Open);
}

#[test]
fn art_21_1_compelling_legitimate_grounds_answer_a_particular_situation_objection() {
    let objection = receive(
        RequestKind::Objection { ground: ObjectionGround::ParticularSituation },
        LegalBasis::LegitimateInterests,
    );
    given([objection]).when(refuse(5, exempt(Exemption::CompellingLegitimateGrounds))).then_refused_under("Art. 21(1)");
}

#[test]
fn art_22_2_b_a_decision_authorised_by_law_answers_a_review_request() {
    given([receive(RequestKind::AutomatedDecisionReview, LegalBasis::Contract)])
        .when(refuse(3, exempt(Exemption::DecisionAuthorisedByLaw)))
        .then_refused_under("Art. 22(2)(b)");
}

// ---- Art. 28(3)(e): a request received by the processor ----

#[test]
fn art_28_3_e_a_processor_must_forward_before_the_controller_acts() {
    given([via_processor()]).when(start(1)).then_rejected_in(StatusName::AwaitingForwarding, &[StatusName::Open]);
}

#[test]
fn art_28_3_e_month_runs_from_the_processors_receipt_by_default() {
    let request =
        given([via_processor()]).when(Command::ForwardToController { at: day(2) }).then_state(StatusName::Open);
    assert_eq!(request.deadlines().unwrap().due().date(), date(4, 7));
}

// Legal review D1 (this test replaces one that pinned the legal error: a month run from the
// controller's receipt of the forwarded request, as the agreement could say).
#[test]
fn art_12_3_the_data_subjects_month_runs_from_the_processors_receipt_however_late_it_is_forwarded() {
    let g = given([via_processor()]);
    // The clock runs from the processor's receipt before anything is forwarded.
    assert_eq!(g.created().deadlines().unwrap().due().date(), date(4, 7));
    assert!(g.created().is_overdue(day(90)));
    // Forwarded three weeks late: the month does not restart (EDPB 01/2022 §159).
    let request = g.when(Command::ForwardToController { at: day(20) }).then_accepted();
    assert_eq!(request.clock_start(), Some(request.receipt().at));
    assert_eq!(request.deadlines().unwrap().due().date(), date(4, 7));
}

#[test]
fn art_28_3_e_an_unavailable_right_is_refused_once_forwarded() {
    let mut r = receipt(RequestKind::Portability, LegalBasis::LegitimateInterests);
    r.receiver = Receiver::Processor { processor: PartyId::generate() };
    let g = given([Command::Receive(Box::new(r))]);
    assert_eq!(g.created().status().name(), StatusName::AwaitingForwarding);
    g.when(Command::ForwardToController { at: day(1) }).then_refused_under("Art. 20(1)(a)");
}

// ---- the machine itself ----

#[test]
fn a_rejection_names_the_state_the_attempt_and_what_was_needed() {
    let rejection = given([access()]).when(complete(1)).then_rejected_in(StatusName::Open, &[StatusName::InProgress]);
    assert_eq!(rejection.to_string(), "cannot complete a request that is open: it must be in_progress");
}

#[test]
fn nothing_but_receive_applies_to_a_new_request() {
    given([]).when(start(0)).then_rejected_in(StatusName::New, &[StatusName::Open]);
    given([access()]).when(access()).then_rejected_in(StatusName::Open, &[StatusName::New]);
}

#[test]
fn commands_earlier_than_the_last_event_are_rejected() {
    let rejection = given([access(), start(5)]).when(request_identity(4)).then_rejected();
    assert!(rejection.reason.contains("time order"), "{rejection}");
}

#[test]
fn a_withdrawn_request_accepts_nothing_more() {
    given([access(), Command::Withdraw { at: day(1) }])
        .when(start(2))
        .then_rejected_in(StatusName::Withdrawn, &[StatusName::Open]);
}

#[test]
fn clarification_waits_for_the_answer() {
    let question = Command::RequestClarification { at: day(1), question: text("which chats?") };
    given([access(), question]).when(Command::ProvideClarification { at: day(2) }).then_state(StatusName::Open);
}

#[test]
fn events_replay_to_the_same_state() {
    let g = given([access(), request_identity(1), provide_identity(2), verify(2), extend(3), start(4), complete(50)]);
    assert_eq!(Request::replay(g.events()).as_ref(), g.state());
    assert_eq!(g.created().version(), 7);
}

// ---- JSON contract ----

#[test]
fn commands_events_and_states_keep_their_json_contract() {
    let commands = [
        access(),
        via_processor(),
        Command::ForwardToController { at: day(1) },
        request_identity(1),
        provide_identity(2),
        verify(2),
        fail_identity(2),
        waive(2),
        Command::RequestClarification { at: day(1), question: text("which chats?") },
        Command::ProvideClarification { at: day(1) },
        fee(1, FeeGround::FurtherCopies),
        Command::RecordFeePaid { at: day(1) },
        extend(3),
        refuse(3, excessive()),
        refuse(3, exempt(Exemption::LegalClaims)),
        refuse(3, RefusalGround::CannotIdentify),
        start(3),
        complete(4),
        Command::Withdraw { at: day(4) },
    ];
    for c in &commands {
        assert_json_contract(c);
    }
    let g = given([access(), request_identity(1), provide_identity(2), verify(2), extend(3), start(4), complete(50)]);
    let refused = given([receive(RequestKind::Portability, LegalBasis::LegitimateInterests)]);
    for e in g.events().iter().chain(refused.events()) {
        assert_json_contract(e);
    }
    assert_json_contract(g.created());
    assert_json_contract(refused.created());
    assert_json_contract(given([via_processor()]).created());
    let rejection = given([access()]).when(complete(1)).then_rejected();
    assert_json_contract(&rejection);
}

#[test]
fn wrong_json_is_an_error() {
    for bad in [
        serde_json::json!({"type": "teleport", "at": day(0)}),
        serde_json::json!({"type": "start"}),
        serde_json::json!({"type": "start", "at": "yesterday"}),
        serde_json::json!({"type": "refuse", "at": day(0), "ground": {"ground": "manifestly_excessive"}}),
        serde_json::json!({"type": "receive", "at": day(0)}),
        serde_json::json!([1, 2, 3]),
        serde_json::json!(null),
    ] {
        assert!(serde_json::from_value::<Command>(bad.clone()).is_err(), "{bad}");
        assert!(serde_json::from_value::<Event>(bad.clone()).is_err(), "{bad}");
        assert!(serde_json::from_value::<Request>(bad).is_err());
    }
}

// ---- carrying the request out (the desk records the fulfilment's outcome) ----

fn carried_out(n: i64, failed: &[&str]) -> Command {
    let failed = failed.iter().map(|s| SourceName::new(s).unwrap());
    Command::RecordCarriedOut {
        at: day(n),
        outcome: CarriedOut::new(3, failed),
        summary: text("erased"),
        withheld: None,
        reply: None,
    }
}

#[test]
fn art_5_1_f_a_request_is_carried_out_only_once_the_identity_is_settled() {
    given([erasure(), start(1)]).when(carried_out(2, &[])).then_rejected_under("Art. 5(1)(f)");
    given([erasure(), start(1), request_identity(1), provide_identity(2)])
        .when(carried_out(3, &[]))
        .then_rejected_under("Art. 5(1)(f)");
    given([erasure(), start(1), verify(1)]).when(carried_out(2, &[])).then_state(StatusName::Completed);
    given([erasure(), start(1), waive(1)]).when(carried_out(2, &[])).then_state(StatusName::Completed);
    // Only while in progress.
    given([erasure(), waive(1)])
        .when(carried_out(2, &[]))
        .then_rejected_in(StatusName::Open, &[StatusName::InProgress]);
}

#[test]
fn art_12_3_an_incomplete_fulfilment_keeps_the_request_in_progress_with_the_failed_sources_named() {
    let request = given([erasure(), start(1), verify(1)])
        .when(carried_out(2, &["crm", "chat", "crm"]))
        .then_state(StatusName::InProgress);
    let outcome = request.carried_out().expect("recorded");
    assert_eq!(outcome.failed.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["chat", "crm"]);
    assert!(!outcome.is_complete());
}

#[test]
fn art_12_3_a_request_is_not_completed_over_an_incomplete_fulfilment_until_carried_out_again() {
    let failed = [erasure(), start(1), verify(1), carried_out(2, &["crm"])];
    let rejection = given(failed.clone()).when(complete(3)).then_rejected_under("Art. 17(1)(a)");
    assert!(rejection.reason.contains("crm"), "{rejection}");
    let mut again = failed.to_vec();
    again.push(carried_out(3, &[]));
    let request = given(again).when(Command::Withdraw { at: day(4) }).then_rejected_in(
        StatusName::Completed,
        &[
            StatusName::AwaitingForwarding,
            StatusName::Open,
            StatusName::AwaitingIdentity,
            StatusName::AwaitingClarification,
            StatusName::AwaitingFee,
            StatusName::InProgress,
        ],
    );
    assert_eq!(request.attempted, gdpr_obligations::request::CommandName::Withdraw);
    // Without a recorded fulfilment, completing with a summary stays possible (a request answered
    // outside the registered sources).
    given([erasure(), start(1), verify(1)]).when(complete(2)).then_state(StatusName::Completed);
}

#[test]
fn art_7_3_a_consent_withdrawal_is_carried_out_without_identity_steps() {
    let withdrawal = receive(RequestKind::ConsentWithdrawal, LegalBasis::Consent);
    given([withdrawal, start(1)]).when(carried_out(1, &[])).then_state(StatusName::Completed);
}

// ---- properties ----

/// Runs a random script, checking the invariants at every accepted step; returns the events and
/// the state.
fn run(receipt: &Receipt, commands: &[Command]) -> Result<(Vec<Event>, Option<Request>), TestCaseError> {
    let mut state: Option<Request> = None;
    let mut all = Vec::new();
    let first = Command::Receive(Box::new(receipt.clone()));
    for command in std::iter::once(&first).chain(commands) {
        let before = state.clone();
        let Ok(events) = decide(state.as_ref(), command) else {
            continue;
        };
        if let (Command::Extend { at, .. }, Some(before)) = (command, &before) {
            // Invariant 3: never after the first deadline, never twice.
            let due = before.deadlines_at(*at).expect("deadlines").due();
            prop_assert!(!due.is_overdue(*at) && before.extension().is_none());
            // Art. 21(3), 7(3): never when due at receipt (legal review W5).
            prop_assert!(!before.is_due_at_receipt());
        }
        if let (Command::RequestFee { .. }, Some(before)) = (command, &before) {
            prop_assert!(!before.is_due_at_receipt(), "no fee when due at receipt (Art. 21(3), 7(3))");
        }
        for event in &events {
            match event {
                // Invariant 2.
                Event::Completed { .. } => {
                    let before = before.as_ref().expect("received");
                    // Art. 5(1)(f), 12(6): every request under Arts. 15-21 (legal review D2).
                    if before.kind().allows_identity_request() {
                        prop_assert!(before.identity().is_settled(), "{:?}", before.identity());
                    }
                    // Art. 21(3), 7(3): never extended when due at receipt (legal review W5).
                    if before.is_due_at_receipt() {
                        prop_assert!(before.extension().is_none());
                    }
                    // Art. 12(3): never completed over a recorded incomplete fulfilment; the
                    // outcome recorded in the same step counts.
                    let carried = events.iter().find_map(|e| match e {
                        Event::CarriedOut { outcome, .. } => Some(outcome),
                        _ => None,
                    });
                    if let Some(outcome) = carried.or(before.carried_out()) {
                        prop_assert!(outcome.is_complete(), "{outcome:?}");
                    }
                }
                // Art. 5(1)(f): carried out only with the identity settled, where it can be asked.
                Event::CarriedOut { .. } => {
                    let before = before.as_ref().expect("received");
                    if before.kind().allows_identity_request() {
                        prop_assert!(before.identity().is_settled(), "{:?}", before.identity());
                    }
                }
                // Art. 12(4): the complaint information of the receipt, always.
                Event::Refused { complaint, .. } => prop_assert_eq!(complaint, &receipt.complaint),
                _ => {}
            }
            state = evolve(state, event);
        }
        all.extend(events);
        // Invariant 3: received <= due <= extended due.
        if let Some(d) = state.as_ref().and_then(Request::deadlines) {
            prop_assert!(d.received_date() <= d.due().date() && d.due() <= d.extended_due());
        }
    }
    Ok((all, state))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(512)))]

    #[test]
    fn prop_random_command_sequences_keep_the_invariants((receipt, commands) in testkit::request_script(30)) {
        let (events, state) = run(&receipt, &commands)?;
        // Invariant 1: the state is a pure function of the events, also after a trip through JSON.
        prop_assert_eq!(Request::replay(&events), state.clone());
        let json = serde_json::to_string(&events).unwrap();
        let back: Vec<Event> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Request::replay(&back), state.clone());
        let request = state.expect("a receipt is always accepted");
        let _ = (request.is_overdue(request.last_event_at()), request.time_left(request.last_event_at()));
    }

    #[test]
    fn prop_decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<Command>(&bytes);
        let _ = serde_json::from_slice::<Event>(&bytes);
        let _ = serde_json::from_slice::<Request>(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(32)))]

    #[test]
    fn prop_json_contract_of_random_lives((receipt, commands) in testkit::request_script(20)) {
        let (events, state) = run(&receipt, &commands)?;
        for c in &commands {
            assert_json_contract(c);
        }
        for e in &events {
            assert_json_contract(e);
        }
        assert_json_contract(&state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(256)))]

    // Legal review W6: no refusal given after the month from receipt is in time (Art. 12(4)),
    // extended or not; one given within it always is.
    #[test]
    fn prop_art_12_4_no_refusal_after_one_month_is_in_time(
        extended_on in proptest::option::of(0i64..=33),
        refused_on in 0i64..=100,
    ) {
        let mut commands = vec![erasure()];
        let first = match extended_on {
            Some(n) => { commands.push(extend(n)); n }
            None => 0,
        };
        prop_assume!(refused_on >= first);
        let request = Request::replay(&run(&receipt_of(&commands[0]), &commands[1..])?.0).expect("received");
        let events = request.decide(&refuse(refused_on, excessive())).expect("a refusal is accepted while active");
        let refused = events.iter().fold(request, Request::evolve);
        let due = refused.deadlines().expect("deadlines").due();
        prop_assert_eq!(refused.answered_in_time(), Some(!due.is_overdue(day(refused_on))));
        prop_assert_eq!(refused.answered_in_time(), Some(refused_on <= 33));
    }
}

/// The receipt of a `receive` command.
fn receipt_of(command: &Command) -> Receipt {
    match command {
        Command::Receive(receipt) => (**receipt).clone(),
        _ => unreachable!("a receive command"),
    }
}

// ---- construction ----

#[test]
fn art_12_3_receipt_new_is_received_by_the_controller_from_an_unidentified_requester() {
    let a = receipt(RequestKind::Access, LegalBasis::Contract);
    let b = receipt(RequestKind::Access, LegalBasis::Contract);
    assert_ne!(a.id, b.id, "each receipt gets its own id");
    assert_eq!(a.receiver, Receiver::Controller);
    assert!(a.requester.is_empty());
    assert_eq!((a.at, a.channel), (day(0), Channel::Chat));
    assert_eq!(a.processing, Processing::new(LegalBasis::Contract, Purpose::CustomerCare));
    assert_json_contract(&a);

    let processor = PartyId::generate();
    let token = gdpr_obligations::model::SubjectIdentifier::ChatVisitorToken(
        gdpr_obligations::model::Token::new("v-1").unwrap(),
    );
    let c = a.clone().with_id(b.id).with_receiver(Receiver::Processor { processor }).with_requester([token.clone()]);
    assert_eq!(c.id, b.id);
    assert_eq!(c.receiver, Receiver::Processor { processor });
    assert_eq!(c.requester, [token]);
    assert_eq!((c.at, &c.kind, &c.policy, &c.complaint), (a.at, &a.kind, &a.policy, &a.complaint));
    assert_json_contract(&c);
}

#[test]
fn art_12_3_extension_justification_new_keeps_reason_and_explanation() {
    let why = ExtensionJustification::new(ExtensionReason::NumberOfRequests, text("a surge after a newsletter"));
    assert_eq!(why.reason, ExtensionReason::NumberOfRequests);
    assert_eq!(why.explanation.as_str(), "a surge after a newsletter");
    assert_json_contract(&why);
}
