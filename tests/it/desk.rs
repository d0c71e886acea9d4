//! The request desk (`desk::Desk`), one legal rule per test: `fulfil` runs nothing against a
//! source unless the request is in progress with its identity settled (Art. 5(1)(f)), an
//! erasure through the desk keeps held data (Art. 17(3)(e)), an incomplete run leaves the
//! request in progress and a second `fulfil` resumes it (Art. 12(3)), a processor's desk
//! forwards to the controller's (Art. 28(3)(e)), and the Art. 19 notices and Art. 16
//! rectification go through the desk. Every test observes the source itself (the data still
//! there, the calls made), not only what the desk answers.
//!
//! The model-based property test is in `desk_machine`; two desks on one database in
//! `desk_concurrency`; the crash drill in `tests/crash_desk.rs`.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use gdpr_obligations::desk::{Desk, DeskError, Fulfilled, FulfilmentReport, ProcessorDesk};
use gdpr_obligations::erasure::{Outcome, Rectification, RetentionGround};
use gdpr_obligations::fulfil::{NoticeKind, NoticeRecord, RecipientNoticeGiven};
use gdpr_obligations::model::{
    EmailAddress, LocalizedText, PartyId, SourceName, SubjectId, SubjectIdentifier, Text, Token,
};
use gdpr_obligations::request::{
    Channel, Command, ComplaintInformation, ErasureGround, ObjectionGround, Processing, Receipt, Receiver,
    RefusalGround, RequestId, RequestKind, RestrictionGround, StatusName,
};
use gdpr_obligations::retention::{HoldTarget, LegalHold};
use gdpr_obligations::store::chat::{ChatHistory, ConversationId, Sender};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{
    DocumentKind, ErasureRecord, FoundRecord, LedgerStore, LedgerStoreExt, PersonalDataSource, PseudonymKey, Scope,
    StreamKey, StreamKind, Version,
};
use gdpr_obligations::testkit::faults::{Call, Faulty, Phase};
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::vocab::Language;
use gdpr_obligations::vocab::{LegalBasis, Purpose};

pub(crate) fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

/// A free text in English only: the documents of these tests are written in English.
pub(crate) fn en(s: &str) -> LocalizedText {
    LocalizedText::new(Language::EN, text(s))
}

pub(crate) fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

pub(crate) fn t0() -> DateTime<Utc> {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

pub(crate) fn key() -> PseudonymKey {
    PseudonymKey::new(b"a test key of at least sixteen bytes").unwrap()
}

pub(crate) fn eva() -> Vec<SubjectIdentifier> {
    vec![email("eva@example.cz")]
}

pub(crate) fn petr() -> Vec<SubjectIdentifier> {
    vec![email("petr@example.cz")]
}

/// A receipt addressed to `controller` from the requester `who`, on a processing under which
/// the right asked for is available (portability: consent; the others: legitimate interests).
pub(crate) fn receipt(
    controller: PartyId,
    kind: RequestKind,
    who: Vec<SubjectIdentifier>,
    at: DateTime<Utc>,
) -> Receipt {
    let basis = if kind == RequestKind::Portability { LegalBasis::Consent } else { LegalBasis::LegitimateInterests };
    Receipt::new(
        controller,
        at,
        kind,
        Processing::new(basis, Purpose::CustomerCare),
        Channel::Chat,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(text("ÚOOÚ"), text("Art. 79 GDPR")),
    )
    .with_requester(who)
}

pub(crate) fn erasure() -> RequestKind {
    RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary }
}

/// ACME's chat: Eva (her e-mail on her profile, her conversation with an agent) and Petr.
pub(crate) async fn chat_of(chat: &ChatHistory, acme: Scope) -> ConversationId {
    let t = t0() - TimeDelta::days(3);
    let eva = chat.add_visitor(acme, Token::new("tok-eva").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, eva, email("eva@example.cz"), t).await.unwrap();
    let eva_talk = chat.start_conversation(acme, eva, t).await.unwrap();
    chat.post(acme, eva_talk, Sender::Visitor(eva), text("Hi, order 42 has not arrived"), vec![], t).await.unwrap();
    chat.post(acme, eva_talk, Sender::Agent(text("Jana Nováková")), text("Sent to eva@example.cz today"), vec![], t)
        .await
        .unwrap();
    let petr = chat.add_visitor(acme, Token::new("tok-petr").unwrap(), t).await.unwrap();
    chat.add_identifier(acme, petr, email("petr@example.cz"), t).await.unwrap();
    let petr_talk = chat.start_conversation(acme, petr, t).await.unwrap();
    chat.post(acme, petr_talk, Sender::Visitor(petr), text("Do you ship to Brno?"), vec![], t).await.unwrap();
    eva_talk
}

/// A source wrapper that counts the calls made to the source (and those that write), and
/// fails every call while `failing` is set.
pub(crate) struct Probe {
    pub calls: Arc<AtomicUsize>,
    pub writes: Arc<AtomicUsize>,
    pub failing: Arc<AtomicBool>,
}

impl Probe {
    pub(crate) fn wrap(chat: Arc<ChatHistory>) -> (Arc<dyn PersonalDataSource>, Probe) {
        let (calls, writes, failing) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let (c, w, f) = (calls.clone(), writes.clone(), failing.clone());
        let source = Faulty::new(chat, move |call: Call, phase: Phase| {
            if phase == Phase::Before {
                c.fetch_add(1, Ordering::SeqCst);
                if call.writes() {
                    w.fetch_add(1, Ordering::SeqCst);
                }
                if f.load(Ordering::SeqCst) {
                    return Err(common::reset());
                }
            }
            Ok(())
        });
        (Arc::new(source), Probe { calls, writes, failing })
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub(crate) fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

struct Shop {
    chat: Arc<ChatHistory>,
    ledger: Arc<MemoryLedger>,
    audit: Arc<MemoryAuditLog>,
    acme: Scope,
    eva_talk: ConversationId,
    desk: Desk,
    probe: Probe,
}

async fn shop() -> Shop {
    let chat = Arc::new(ChatHistory::new());
    let acme = Scope::of(PartyId::generate());
    let eva_talk = chat_of(&chat, acme).await;
    let (ledger, audit) = (Arc::new(MemoryLedger::new()), Arc::new(MemoryAuditLog::new()));
    let (source, probe) = Probe::wrap(chat.clone());
    let desk = Desk::new(acme.controller(), ledger.clone(), audit.clone(), key()).with_source(source);
    Shop { chat, ledger, audit, acme, eva_talk, desk, probe }
}

impl Shop {
    async fn found(&self, who: &[SubjectIdentifier]) -> Vec<FoundRecord> {
        self.chat.find(self.acme, who).await.unwrap()
    }

    async fn receive(&self, kind: RequestKind, who: Vec<SubjectIdentifier>) -> RequestId {
        self.desk.receive(receipt(self.acme.controller(), kind, who, t0())).await.unwrap().id()
    }

    /// Received, started and verified: ready to be carried out.
    async fn ready(&self, kind: RequestKind, who: Vec<SubjectIdentifier>) -> RequestId {
        let id = self.receive(kind, who).await;
        self.desk.start(id, t0()).await.unwrap();
        self.desk.execute(id, Command::VerifyIdentity { at: t0(), subject: SubjectId::generate() }).await.unwrap();
        id
    }

    async fn journals(&self) -> usize {
        self.ledger.list_documents(self.acme, DocumentKind::FulfilmentJournal).await.unwrap().len()
    }

    async fn erasure_records(&self) -> Vec<ErasureRecord> {
        self.ledger.all::<ErasureRecord>(self.acme).await.unwrap().into_iter().map(|v| v.value).collect()
    }
}

fn article(e: &DeskError) -> Option<String> {
    e.article().map(|a| a.to_string())
}

fn chat_history() -> SourceName {
    SourceName::new("chat_history").unwrap()
}

#[tokio::test]
async fn art_5_1_f_fulfil_is_refused_before_start_and_before_identity_is_settled_with_nothing_erased() {
    let s = shop().await;
    let before = s.found(&eva()).await;
    assert!(!before.is_empty());
    let id = s.receive(erasure(), eva()).await;

    // Open: not started.
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert!(
        matches!(&err, DeskError::Rejected(r) if r.state == StatusName::Open && r.needed == [StatusName::InProgress]),
        "{err:?}"
    );
    s.desk.start(id, t0()).await.unwrap();
    // In progress, identity unchecked.
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 5(1)(f)"), "{err}");
    // Asked for, then provided but not verified.
    let info = Command::RequestIdentity { at: t0(), information: text("the code sent to your e-mail") };
    s.desk.execute(id, info).await.unwrap();
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert!(matches!(&err, DeskError::Rejected(r) if r.state == StatusName::AwaitingIdentity), "{err:?}");
    s.desk.execute(id, Command::ProvideIdentity { at: t0() }).await.unwrap();
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 5(1)(f)"), "{err}");
    // Failed.
    s.desk.execute(id, Command::RecordIdentityFailure { at: t0(), reason: text("wrong code") }).await.unwrap();
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 5(1)(f)"), "{err}");

    assert_eq!(s.probe.calls(), 0, "no source was asked anything");
    assert_eq!(s.found(&eva()).await, before, "nothing of Eva's erased");
    assert_eq!(s.journals().await, 0, "no fulfilment journaled");
    assert_eq!(s.desk.request(id).await.unwrap().value.carried_out(), None);

    // Verified: now it runs.
    s.desk.execute(id, Command::VerifyIdentity { at: t0(), subject: SubjectId::generate() }).await.unwrap();
    let done = s.desk.fulfil(id, t0()).await.unwrap();
    assert_eq!(done.request.status().name(), StatusName::Completed);
    assert!(s.found(&eva()).await.is_empty());
    assert!(!s.found(&petr()).await.is_empty(), "Petr keeps his data");
}

#[tokio::test]
async fn art_5_1_f_access_and_portability_produce_nothing_before_identity_is_settled() {
    let s = shop().await;
    for kind in [RequestKind::Access, RequestKind::Portability] {
        let id = s.receive(kind, eva()).await;
        s.desk.start(id, t0()).await.unwrap();
        let calls = s.probe.calls();
        let err = s.desk.fulfil(id, t0()).await.unwrap_err();
        assert_eq!(article(&err).as_deref(), Some("Art. 5(1)(f)"), "{kind:?}: {err}");
        assert_eq!(s.probe.calls(), calls, "{kind:?}: the source was read");
        s.desk.waive_verification(id, t0(), text("asked from her own logged-in chat session")).await.unwrap();
        let done = s.desk.fulfil(id, t0()).await.unwrap();
        assert_eq!(done.request.status().name(), StatusName::Completed, "{kind:?}");
        match done.report {
            FulfilmentReport::Access(r) => assert!(r.complete && !r.copy.is_empty()),
            FulfilmentReport::Portability { records, failed } => assert!(records > 0 && failed.is_empty()),
            other => panic!("{kind:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn art_12_4_fulfil_is_refused_for_a_refused_or_withdrawn_request() {
    let s = shop().await;
    let before = s.found(&eva()).await;
    let refused = s.ready(erasure(), eva()).await;
    let excessive = RefusalGround::ManifestlyExcessive { explanation: text("the fifth identical request this week") };
    s.desk.refuse(refused, t0(), excessive).await.unwrap();
    let withdrawn = s.ready(erasure(), eva()).await;
    s.desk.execute(withdrawn, Command::Withdraw { at: t0() }).await.unwrap();
    for (id, state) in [(refused, StatusName::Refused), (withdrawn, StatusName::Withdrawn)] {
        let err = s.desk.fulfil(id, t0()).await.unwrap_err();
        assert!(matches!(&err, DeskError::Rejected(r) if r.state == state), "{state:?}: {err:?}");
        assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), state);
    }
    assert_eq!(s.probe.calls(), 0);
    assert_eq!(s.found(&eva()).await, before);
    assert_eq!(s.journals().await, 0);
}

/// A request the desk carried out and completed is not carried out again: `fulfil` gives the
/// same report from the journal, without changing any source.
#[tokio::test]
async fn art_12_3_a_completed_request_is_not_carried_out_again() {
    let s = shop().await;
    let id = s.ready(erasure(), eva()).await;
    let first = s.desk.fulfil(id, t0()).await.unwrap();
    assert_eq!(first.request.status().name(), StatusName::Completed);
    let version = s.desk.request(id).await.unwrap().version;
    let (FulfilmentReport::Step(first_report), calls) = (first.report, s.probe.calls()) else { panic!() };
    let again = s.desk.fulfil(id, t0() + TimeDelta::hours(1)).await.unwrap();
    let FulfilmentReport::Step(again_report) = again.report else { panic!() };
    assert_eq!(again_report, first_report);
    assert_eq!(s.probe.calls(), calls, "no source was asked again");
    assert_eq!(s.desk.request(id).await.unwrap().version, version, "no event recorded");
    assert_eq!(s.erasure_records().await.len(), 1);
}

/// Only `fulfil` completes a request that is carried out on the sources: completing it by hand
/// would answer "done" over an erasure, copy or restriction that never ran (Art. 12(3)).
#[tokio::test]
async fn art_12_3_a_request_carried_out_on_the_sources_cannot_be_completed_by_hand() {
    let s = shop().await;
    let before = s.found(&eva()).await;
    for kind in
        [erasure(), RequestKind::Access, RequestKind::Restriction { ground: RestrictionGround::AccuracyContested }]
    {
        let id = s.ready(kind, eva()).await;
        let err = s
            .desk
            .execute(id, Command::Complete { at: t0(), summary: text("done"), withheld: None, reply: None })
            .await
            .unwrap_err();
        assert!(matches!(err, DeskError::Rejected(_)), "{kind:?}: {err:?}");
        assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::InProgress, "{kind:?}");
        let outcome = gdpr_obligations::request::CarriedOut::new(9, []);
        let forged =
            Command::RecordCarriedOut { at: t0(), outcome, summary: text("done"), withheld: None, reply: None };
        assert!(matches!(s.desk.execute(id, forged).await, Err(DeskError::Rejected(_))), "{kind:?}");
    }
    assert_eq!(s.found(&eva()).await, before);
    // An objection is answered by changing the processing: it is completed by hand.
    let id = s.ready(RequestKind::Objection { ground: ObjectionGround::ParticularSituation }, eva()).await;
    let done = s
        .desk
        .execute(id, Command::Complete { at: t0(), summary: text("processing stopped"), withheld: None, reply: None })
        .await
        .unwrap();
    assert_eq!(done.status().name(), StatusName::Completed);
}

#[tokio::test]
async fn art_17_3_e_a_legal_hold_keeps_held_records_out_of_a_desk_erasure() {
    let s = shop().await;
    let prefix = format!("conversation/{}/", s.eva_talk);
    let ground = RetentionGround::LegalClaims { matter: text("complaint 2026/14") };
    let target = HoldTarget::Conversation { source: chat_history(), prefix: prefix.parse().unwrap() };
    let hold =
        LegalHold::place(target, text("complaint about order 42"), ground.clone(), t0() - TimeDelta::days(1)).unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let held = s.chat.transcript(s.acme, s.eva_talk).await.unwrap();
    assert_eq!(held.len(), 2);

    let id = s.ready(erasure(), eva()).await;
    let done = s.desk.fulfil(id, t0()).await.unwrap();
    assert_eq!(done.request.status().name(), StatusName::Completed);
    let FulfilmentReport::Step(report) = done.report else { panic!("{:?}", done.report) };
    assert!(report.complete);
    assert!(!report.retained.is_empty(), "the held conversation is reported retained");
    assert!(report.retained.iter().all(|r| r.record.as_str().starts_with(&prefix) && r.ground == ground));
    assert_eq!(s.chat.transcript(s.acme, s.eva_talk).await.unwrap(), held, "the held conversation is intact");
    let left = s.found(&eva()).await;
    assert!(!left.is_empty() && left.iter().all(|r| r.record.as_str().starts_with(&prefix)), "{left:?}");
}

#[tokio::test]
async fn art_17_3_e_a_legal_hold_on_the_subject_survives_a_desk_erasure_with_its_own_policy() {
    let s = shop().await;
    let ground = RetentionGround::LegalClaims { matter: text("claim 2026/3") };
    let target = HoldTarget::Subject { identifiers: eva() };
    let hold = LegalHold::place(target, text("Eva's claim"), ground.clone(), t0() - TimeDelta::days(1)).unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let before = s.found(&eva()).await;
    // A desk configured with a policy of its own, which says nothing of the hold.
    let desk = s.desk.clone().with_erasure_policy(gdpr_obligations::erasure::ErasurePolicy::default());
    let id = s.ready(erasure(), eva()).await;
    let done = desk.fulfil(id, t0()).await.unwrap();
    let FulfilmentReport::Step(report) = done.report else { panic!() };
    assert!(report.complete);
    assert_eq!(report.retained.len(), before.len());
    assert!(report.sources[0].outcomes.iter().all(|o| matches!(o.outcome, Outcome::Retained { .. })));
    assert_eq!(s.found(&eva()).await, before, "nothing of hers erased");
}

/// Found by the model-based test: with a hold on a subject, the erasure asks each source which
/// records the hold covers; a source failing then made `fulfil` fail as if the ledger had
/// ("the fulfilment failed"), with no run recorded. Now it is an incomplete run like any other:
/// nothing erased, the request in progress with the source named, and resumed later.
#[tokio::test]
async fn art_12_3_and_17_3_e_a_source_failing_while_holds_are_resolved_is_an_incomplete_run() {
    let s = shop().await;
    let ground = RetentionGround::LegalClaims { matter: text("claim 2026/5") };
    let hold =
        LegalHold::place(HoldTarget::Subject { identifiers: petr() }, text("Petr's claim"), ground, t0()).unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let (eva_before, petr_before) = (s.found(&eva()).await, s.found(&petr()).await);
    let id = s.ready(erasure(), eva()).await;
    s.probe.failing.store(true, Ordering::SeqCst);
    let first = s.desk.fulfil(id, t0()).await.unwrap();
    assert!(!first.report.is_complete());
    assert_eq!(first.request.status().name(), StatusName::InProgress);
    assert_eq!(first.request.carried_out().unwrap().failed, vec![chat_history()]);
    s.probe.failing.store(false, Ordering::SeqCst);
    assert_eq!(s.found(&eva()).await, eva_before, "nothing erased while the holds were unknown");
    let second = s.desk.fulfil(id, t0()).await.unwrap();
    assert_eq!(second.request.status().name(), StatusName::Completed);
    assert!(s.found(&eva()).await.is_empty());
    assert_eq!(s.found(&petr()).await, petr_before, "the held subject keeps everything");
}

#[tokio::test]
async fn art_12_3_an_incomplete_run_leaves_the_request_in_progress_and_a_second_fulfil_completes_it() {
    let s = shop().await;
    let id = s.ready(erasure(), eva()).await;
    s.probe.failing.store(true, Ordering::SeqCst);
    let first = s.desk.fulfil(id, t0()).await.unwrap();
    assert!(!first.report.is_complete());
    assert_eq!(first.request.status().name(), StatusName::InProgress, "never completed over a failed source");
    let carried = first.request.carried_out().unwrap();
    assert_eq!(carried.failed, vec![chat_history()], "the failed source is named");
    assert!(!s.found(&eva()).await.is_empty());
    assert!(s.erasure_records().await.is_empty(), "not recorded as erased");
    // It cannot be answered as complete by hand either.
    let err = s
        .desk
        .execute(id, Command::Complete { at: t0(), summary: text("done"), withheld: None, reply: None })
        .await
        .unwrap_err();
    assert!(matches!(err, DeskError::Rejected(_)), "{err:?}");

    s.probe.failing.store(false, Ordering::SeqCst);
    let second = s.desk.fulfil(id, t0() + TimeDelta::minutes(5)).await.unwrap();
    assert!(second.report.is_complete());
    assert_eq!(second.request.status().name(), StatusName::Completed);
    assert!(second.request.carried_out().unwrap().is_complete());
    assert!(s.found(&eva()).await.is_empty());
    assert_eq!(s.erasure_records().await.len(), 1);
}

/// A run that fails on one step (the source's `erase`, after it planned) leaves the journal's
/// plan; the second run resumes from it.
#[tokio::test]
async fn art_12_3_a_run_failing_mid_source_resumes_from_the_journal() {
    let chat = Arc::new(ChatHistory::new());
    let acme = Scope::of(PartyId::generate());
    chat_of(&chat, acme).await;
    let (hook, struck) = common::failing(&[Call::Erase], true, |n| n == 1);
    let flaky: Arc<dyn PersonalDataSource> = Arc::new(Faulty::new(chat.clone(), hook));
    let ledger = Arc::new(MemoryLedger::new());
    let desk = Desk::new(acme.controller(), ledger.clone(), Arc::new(MemoryAuditLog::new()), key()).with_source(flaky);
    let id = desk.receive(receipt(acme.controller(), erasure(), eva(), t0())).await.unwrap().id();
    desk.start(id, t0()).await.unwrap();
    desk.waive_verification(id, t0(), text("her own session")).await.unwrap();
    let first = desk.fulfil(id, t0()).await.unwrap();
    assert!(struck.load(Ordering::SeqCst));
    assert_eq!(first.request.status().name(), StatusName::InProgress);
    let second = desk.fulfil(id, t0()).await.unwrap();
    assert_eq!(second.request.status().name(), StatusName::Completed);
    assert!(chat.find(acme, &eva()).await.unwrap().is_empty());
    let records = ledger.all::<ErasureRecord>(acme).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].value.id, id, "the erasure is keyed by the request's id");
}

#[tokio::test]
async fn art_28_3_e_a_request_forwarded_by_the_processor_desk_appears_on_the_controllers_desk() {
    let s = shop().await;
    let vendor = PartyId::generate();
    let processor = ProcessorDesk::new(vendor, s.ledger.clone(), s.audit.clone());
    let r =
        receipt(s.acme.controller(), erasure(), eva(), t0()).with_receiver(Receiver::Processor { processor: vendor });
    let id = processor.receive(r).await.unwrap().id();
    assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::AwaitingForwarding);
    assert!(matches!(s.desk.start(id, t0()).await, Err(DeskError::Rejected(_))), "not the controller's yet");
    assert!(matches!(s.desk.fulfil(id, t0()).await, Err(DeskError::Rejected(_))));
    processor.forward(s.acme.controller(), id, t0() + TimeDelta::hours(1)).await.unwrap();
    let seen = s.desk.requests().await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].id(), seen[0].status().name()), (id, StatusName::Open));
    let later = t0() + TimeDelta::hours(2);
    s.desk.start(id, later).await.unwrap();
    s.desk.waive_verification(id, later, text("asked in her own chat session")).await.unwrap();
    let done = s.desk.fulfil(id, later).await.unwrap();
    assert_eq!(done.request.status().name(), StatusName::Completed);
    assert!(s.found(&eva()).await.is_empty());
    // Forwarded once only.
    assert!(matches!(processor.forward(s.acme.controller(), id, later).await, Err(DeskError::Rejected(_))));
    // Another processor neither records a request that reached the vendor nor forwards it.
    let other = ProcessorDesk::new(PartyId::generate(), s.ledger.clone(), s.audit.clone());
    let theirs =
        receipt(s.acme.controller(), erasure(), eva(), t0()).with_receiver(Receiver::Processor { processor: vendor });
    let err = other.receive(theirs).await.unwrap_err();
    assert!(matches!(err, DeskError::NotReceivedHere { .. }), "{err:?}");
    assert_eq!(article(&err).as_deref(), Some("Art. 28(3)(e)"));
    let err = other.forward(s.acme.controller(), id, later).await.unwrap_err();
    assert!(matches!(err, DeskError::NotReceivedHere { .. }), "{err:?}");
}

#[tokio::test]
async fn art_12_another_controllers_request_is_not_found_on_this_desk() {
    let s = shop().await;
    let id = s.ready(erasure(), eva()).await;
    let (other_source, other_probe) = Probe::wrap(s.chat.clone());
    let other = Desk::new(PartyId::generate(), s.ledger.clone(), s.audit.clone(), key()).with_source(other_source);
    assert!(matches!(other.request(id).await, Err(DeskError::NotFound { request }) if request == id));
    assert!(matches!(other.fulfil(id, t0()).await, Err(DeskError::NotFound { .. })));
    assert!(matches!(other.start(id, t0()).await, Err(DeskError::NotFound { .. })));
    assert!(matches!(other.refuse(id, t0(), RefusalGround::CannotIdentify).await, Err(DeskError::NotFound { .. })));
    assert!(other.requests().await.unwrap().is_empty());
    // A receipt naming ACME is not recorded by another controller's desk.
    let err = other.receive(receipt(s.acme.controller(), erasure(), eva(), t0())).await.unwrap_err();
    assert!(matches!(err, DeskError::OtherController { .. }));
    assert_eq!(article(&err).as_deref(), Some("Art. 12"));
    assert_eq!(other_probe.calls(), 0);
    assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::InProgress);
}

#[tokio::test]
async fn art_21_and_22_requests_not_carried_out_on_the_sources_have_nothing_to_run() {
    let s = shop().await;
    for (kind, art) in [
        (RequestKind::Objection { ground: ObjectionGround::ParticularSituation }, "Art. 21(1)"),
        (RequestKind::Objection { ground: ObjectionGround::DirectMarketing }, "Art. 21(2)"),
        (RequestKind::AutomatedDecisionReview, "Art. 22(3)"),
    ] {
        let id = s.ready(kind, eva()).await;
        let err = s.desk.fulfil(id, t0()).await.unwrap_err();
        assert!(matches!(err, DeskError::NothingToRun { .. }), "{kind:?}: {err:?}");
        assert_eq!(article(&err).as_deref(), Some(art), "{kind:?}");
        assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::InProgress);
    }
    assert_eq!(s.probe.calls(), 0);
}

#[tokio::test]
async fn art_19_a_recipient_notice_is_recorded_only_after_a_carried_out_erasure() {
    let s = shop().await;
    let given = || RecipientNoticeGiven::new(en("Chatvendor s.r.o."));
    let id = s.ready(erasure(), eva()).await;
    let err = s.desk.record_recipient_notice(id, given(), t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 19"), "{err}");
    // An access request is not a change to tell recipients of, even once carried out.
    let access = s.ready(RequestKind::Access, eva()).await;
    assert!(s.desk.fulfil(access, t0()).await.unwrap().report.is_complete());
    let err = s.desk.record_recipient_notice(access, given(), t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 19"), "{err}");
    let notices = |id: RequestId| {
        let ledger = s.ledger.clone();
        let acme = s.acme;
        async move {
            let stream = StreamKey { kind: StreamKind::Notice, id: id.as_uuid() };
            ledger.events::<NoticeRecord>(acme, stream).await.unwrap().value
        }
    };
    assert!(notices(id).await.is_empty() && notices(access).await.is_empty());

    assert!(s.desk.fulfil(id, t0()).await.unwrap().report.is_complete());
    s.desk.record_recipient_notice(id, given(), t0()).await.unwrap();
    let recorded = notices(id).await;
    assert_eq!(recorded.len(), 1);
    assert!(matches!(&recorded[0].notice, NoticeKind::Recipient(_)), "{recorded:?}");
    assert!(matches!(
        s.desk.record_recipient_notice(RequestId::generate(), given(), t0()).await,
        Err(DeskError::NotFound { .. })
    ));
}

#[tokio::test]
async fn art_16_rectify_carries_a_rectification_out_with_its_correction() {
    let s = shop().await;
    let fix = Rectification::Replace { old: email("eva@example.cz"), new: email("eva.novakova@example.cz") };
    let id = s.receive(RequestKind::Rectification, eva()).await;
    s.desk.start(id, t0()).await.unwrap();
    let err = s.desk.rectify(id, &fix, t0()).await.unwrap_err();
    assert_eq!(article(&err).as_deref(), Some("Art. 5(1)(f)"), "{err}");
    assert!(matches!(s.desk.fulfil(id, t0()).await, Err(DeskError::NeedsRectification)));
    assert_eq!(s.probe.calls(), 0);
    assert!(s.found(&[email("eva.novakova@example.cz")]).await.is_empty());
    // A correction on another kind of request is refused.
    let other = s.ready(erasure(), eva()).await;
    let err = s.desk.rectify(other, &fix, t0()).await.unwrap_err();
    assert!(matches!(err, DeskError::Rejected(_)), "{err:?}");
    assert_eq!(s.probe.calls(), 0);

    s.desk.execute(id, Command::VerifyIdentity { at: t0(), subject: SubjectId::generate() }).await.unwrap();
    let done = s.desk.rectify(id, &fix, t0()).await.unwrap();
    assert_eq!(done.request.status().name(), StatusName::Completed);
    assert!(!s.found(&[email("eva.novakova@example.cz")]).await.is_empty());
    assert!(s.found(&eva()).await.is_empty(), "the old address is gone");
}

#[tokio::test]
async fn art_11_2_a_request_without_identifiers_runs_nothing() {
    let s = shop().await;
    let id = s.ready(erasure(), vec![]).await;
    let err = s.desk.fulfil(id, t0()).await.unwrap_err();
    assert!(matches!(err, DeskError::NoIdentifiers { .. }), "{err:?}");
    assert_eq!(article(&err).as_deref(), Some("Art. 11(2)"));
    assert_eq!(s.probe.calls(), 0);
    assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::InProgress);
}

/// Art. 11(2), 12(6), Recital 64: a request received with a name and an IP address only cannot
/// identify its subject: carrying it out, and downloading a copy, are refused with
/// `OnlyWeakIdentifiers` before any source is read, and the request stays in progress.
#[tokio::test]
async fn art_11_2_12_6_a_request_with_only_weak_identifiers_runs_nothing() {
    let s = shop().await;
    let weak = vec![
        SubjectIdentifier::Name(text("Eva Nováková")),
        SubjectIdentifier::IpAddress("198.51.100.7".parse().unwrap()),
    ];
    for kind in [erasure(), RequestKind::Access, RequestKind::Portability] {
        let id = s.ready(kind, weak.clone()).await;
        let err = s.desk.fulfil(id, t0()).await.unwrap_err();
        assert!(matches!(err, DeskError::OnlyWeakIdentifiers { .. }), "{kind:?}: {err:?}");
        assert_eq!(article(&err).as_deref(), Some("Art. 11(2)"));
        let shown = err.to_string();
        assert!(shown.contains("Art. 11(2), 12(6)") && !shown.contains("Nov"), "{shown}");
        assert_eq!(s.desk.request(id).await.unwrap().value.status().name(), StatusName::InProgress);
        let download = match kind {
            RequestKind::Access => Some(s.desk.access_copy(id, t0()).await.map(drop)),
            RequestKind::Portability => Some(s.desk.portable_export(id, t0()).await.map(drop)),
            _ => None,
        };
        if let Some(download) = download {
            assert!(matches!(download, Err(DeskError::OnlyWeakIdentifiers { .. })), "{kind:?}: {download:?}");
        }
    }
    assert_eq!(s.probe.calls(), 0);
    assert_eq!(s.journals().await, 0);
}

/// The audit log verifies after a desk's whole run, and the desk's errors name no personal
/// data.
#[tokio::test]
async fn art_5_2_the_desk_leaves_a_verifiable_audit_trail_and_errors_without_personal_data() {
    use gdpr_obligations::store::{AuditLog, AuditLogExt};
    let s = shop().await;
    let id = s.ready(erasure(), eva()).await;
    let err = s.desk.rectify(id, &Rectification::Supplement { statement: text("x") }, t0()).await.unwrap_err();
    assert!(s.desk.fulfil(id, t0()).await.unwrap().report.is_complete());
    s.audit.verify_all(s.acme).await.unwrap();
    assert!(!s.audit.read(s.acme, 0, 1000).await.unwrap().is_empty());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("eva@") && !shown.contains("example.cz"), "{shown}");
}

// --- two desks on one database ----------------------------------------------------------------

/// A desk over its own connection to a database, with that connection as ledger and audit log,
/// and the probe on its source.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
struct OneDesk {
    desk: Desk,
    ledger: Arc<dyn LedgerStore>,
    audit: Arc<dyn gdpr_obligations::store::AuditLog>,
    probe: Probe,
}

/// Two desks, each over its own connection to one database, carry the same erasure requests out
/// at once (both call `fulfil`, released together): every request ends completed once, with one
/// `CarriedOut` and one `Completed` event and no event lost, the erasure is recorded once
/// (one `ErasureRecord`; its audit entry at least once), the subject's data are gone, and
/// each call answers with the completed request or, when the other desk kept writing the
/// journal first, `Contended` (never a ledger failure).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
async fn two_desks_carry_one_request_out_once(desks: [OneDesk; 2], chat: &ChatHistory, acme: Scope) {
    use gdpr_obligations::request::Event;
    use gdpr_obligations::store::{AuditAction, AuditLogExt};

    const REQUESTS: usize = 6;
    let t = t0() - TimeDelta::days(1);
    let mut subjects = Vec::new();
    for n in 0..REQUESTS {
        let who = vec![email(&format!("visitor{n}@example.cz"))];
        let v = chat.add_visitor(acme, Token::new(&format!("tok-{n}")).unwrap(), t).await.unwrap();
        chat.add_identifier(acme, v, who[0].clone(), t).await.unwrap();
        let talk = chat.start_conversation(acme, v, t).await.unwrap();
        chat.post(acme, talk, Sender::Visitor(v), text("where is my parcel?"), vec![], t).await.unwrap();
        subjects.push(who);
    }
    let [OneDesk { desk: a, ledger, audit, probe: probe_a }, OneDesk { desk: b, probe: probe_b, .. }] = desks;
    let mut contended = 0;
    for who in subjects {
        let id = a.receive(receipt(acme.controller(), erasure(), who.clone(), t0())).await.unwrap().id();
        b.start(id, t0()).await.unwrap();
        a.waive_verification(id, t0(), text("asked from the visitor's own session")).await.unwrap();
        assert!(!chat.find(acme, &who).await.unwrap().is_empty());
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let calls: Vec<_> = [a.clone(), b.clone()]
            .into_iter()
            .map(|desk| {
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    desk.fulfil(id, t0()).await
                })
            })
            .collect();
        let mut answered = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(done) => {
                    assert_eq!(done.request.status().name(), StatusName::Completed);
                    assert!(done.report.is_complete());
                    answered += 1;
                }
                // The desk retries when the other wrote the journal first; only if that kept
                // happening does it give up, saying so.
                Err(DeskError::Contended { request }) if request == id => contended += 1,
                Err(e) => panic!("request {id}: the other desk's fulfil: {e:?}"),
            }
        }
        assert!(answered >= 1, "neither desk answered");
        // Whatever the other call said, a fulfil now answers with the completed request.
        let again = b.fulfil(id, t0()).await.unwrap();
        assert_eq!(again.request.status().name(), StatusName::Completed);
        let stream = StreamKey { kind: StreamKind::Request, id: id.as_uuid() };
        let events: Vec<Event> = ledger.events(acme, stream).await.unwrap().value;
        let names: Vec<&str> = events
            .iter()
            .map(|e| match e {
                Event::Received(_) => "received",
                Event::Started { .. } => "started",
                Event::VerificationWaived { .. } => "waived",
                Event::CarriedOut { .. } => "carried_out",
                Event::Completed { .. } => "completed",
                _ => "other",
            })
            .collect();
        assert_eq!(names, ["received", "started", "waived", "carried_out", "completed"], "request {id}");
        let records: Vec<ErasureRecord> = ledger
            .all::<ErasureRecord>(acme)
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.value)
            .filter(|r| r.id == id)
            .collect();
        assert_eq!(records.len(), 1, "request {id}: {records:?}");
        assert!(chat.find(acme, &who).await.unwrap().is_empty());
    }
    let entries = audit.read(acme, 0, 10_000).await.unwrap();
    // Audit entries are written at least once (before the record they announce, so that a crash
    // never loses one): two desks racing to record the same erasure may both write its entry.
    let erased: Vec<RequestId> = entries
        .iter()
        .filter_map(|r| match &r.entry.action {
            AuditAction::ErasureCompleted { erasure, .. } => Some(*erasure),
            _ => None,
        })
        .collect();
    let distinct: std::collections::BTreeSet<RequestId> = erased.iter().copied().collect();
    assert_eq!(distinct.len(), REQUESTS, "an ErasureCompleted entry for every erasure");
    audit.verify_all(acme).await.unwrap();
    eprintln!(
        "desk_concurrency: {REQUESTS} requests, {contended} fulfil(s) contended, {} ErasureCompleted entries, source calls {} + {} (writes {} + {})",
        erased.len(),
        probe_a.calls(),
        probe_b.calls(),
        probe_a.writes(),
        probe_b.writes()
    );
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_on_one_sqlite_file_carry_a_request_out_once() {
    use gdpr_obligations::store::sqlite::SqliteStore;
    let path = std::env::temp_dir().join(format!("gdpr-desk-concurrency-{}.sqlite", uuid::Uuid::now_v7()));
    let acme = Scope::of(PartyId::generate());
    let mut desks = Vec::new();
    let mut stores = Vec::new();
    for _ in 0..2 {
        let store = SqliteStore::open(&path).await.unwrap();
        let (source, probe) = Probe::wrap(Arc::new(ChatHistory::sqlite(&store, key()).await.unwrap()));
        let ledger: Arc<dyn LedgerStore> = Arc::new(store.clone());
        let audit: Arc<dyn gdpr_obligations::store::AuditLog> = Arc::new(store.clone());
        let desk = Desk::new(acme.controller(), ledger.clone(), audit.clone(), key()).with_source(source);
        desks.push(OneDesk { desk, ledger, audit, probe });
        stores.push(store);
    }
    let chat = ChatHistory::sqlite(&stores[0], key()).await.unwrap();
    let desks: [_; 2] = desks.try_into().unwrap_or_else(|_| unreachable!());
    two_desks_carry_one_request_out_once(desks, &chat, acme).await;
    for store in stores {
        store.close().await;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_desks_on_one_postgres_carry_a_request_out_once() {
    use gdpr_obligations::store::postgres::PostgresStore;
    let Some(url) = common::postgres_url("desk") else { return };
    let acme = Scope::of(PartyId::generate());
    let mut desks = Vec::new();
    let mut stores = Vec::new();
    for _ in 0..2 {
        let store = PostgresStore::connect(&url).await.unwrap();
        let (source, probe) = Probe::wrap(Arc::new(ChatHistory::postgres(&store, key()).await.unwrap()));
        let ledger: Arc<dyn LedgerStore> = Arc::new(store.clone());
        let audit: Arc<dyn gdpr_obligations::store::AuditLog> = Arc::new(store.clone());
        let desk = Desk::new(acme.controller(), ledger.clone(), audit.clone(), key()).with_source(source);
        desks.push(OneDesk { desk, ledger, audit, probe });
        stores.push(store);
    }
    let chat = ChatHistory::postgres(&stores[0], key()).await.unwrap();
    let desks: [_; 2] = desks.try_into().unwrap_or_else(|_| unreachable!());
    two_desks_carry_one_request_out_once(desks, &chat, acme).await;
    for store in stores {
        store.close().await;
    }
}

// The desk's answer records what the rights of others withheld from the copy, with the
// complaint information for that part, and the channel the answer went through: the limit of
// Art. 15(4) restricts the copy, never the whole answer, and a withholding on an erasure is
// rejected before any source runs (Art. 12(3), 12(4), 15(4)).
#[tokio::test]
async fn art_15_4_the_desk_records_a_withheld_part_and_the_answer_channel() {
    use gdpr_obligations::desk::Answer;
    use gdpr_obligations::request::{Exemption, Reply, Status, Withheld};

    let s = shop().await;
    let withheld = Withheld::new(
        Exemption::CopyAffectsOthers,
        text("the agent's notes about another customer"),
        text("they are another person's personal data"),
    );
    let by_post = Reply::as_requested(Channel::Post);

    // An erasure cannot withhold a copy: rejected under Art. 15(4) with nothing run.
    let before = s.found(&eva()).await;
    let erase = s.ready(erasure(), eva()).await;
    let err = s.desk.fulfil_with(erase, t0(), Answer::new().withholding(withheld.clone())).await.unwrap_err();
    assert!(matches!(&err, DeskError::Rejected(_)), "{err:?}");
    assert_eq!(s.probe.calls(), 0, "no source was asked anything");
    assert_eq!(s.found(&eva()).await, before);

    // An access request: answered by post, with the part withheld recorded with its complaint
    // information.
    let access = s.ready(RequestKind::Access, eva()).await;
    let done =
        s.desk.fulfil_with(access, t0(), Answer::new().withholding(withheld.clone()).via(by_post)).await.unwrap();
    let Status::Completed { withheld: Some(notice), reply, .. } = done.request.status() else {
        panic!("completed with the withheld part: {:?}", done.request.status())
    };
    assert_eq!(notice.withheld, withheld);
    assert_eq!(notice.complaint, ComplaintInformation::new(text("ÚOOÚ"), text("Art. 79 GDPR")));
    assert_eq!(*reply, Some(by_post));
    let stored = s.desk.request(access).await.unwrap().value;
    assert_eq!(stored.status(), done.request.status(), "the ledger has the same answer");

    // A refusal sent by post says so.
    let refused = s.ready(erasure(), petr()).await;
    let excessive = RefusalGround::ManifestlyExcessive { explanation: text("the fifth identical request this week") };
    let request = s.desk.refuse_with(refused, t0(), excessive, by_post).await.unwrap();
    assert!(
        matches!(request.status(), Status::Refused { reply: Some(r), .. } if *r == by_post),
        "{:?}",
        request.status()
    );
}

// Two desks carry one erasure out at once; this one's source fails (the other's erasure kept it
// busy) while the other completes the request. The request is answered: this desk answers with
// the completed request and the journal's report, as a later `fulfil` would, rather than
// rejecting "RecordCarriedOut in Completed" (Art. 12(3)); no source runs again.
#[tokio::test]
async fn art_12_3_a_desk_whose_run_failed_while_another_completed_the_request_answers_with_it() {
    use std::sync::Mutex;
    let s = shop();
    let s = s.await;
    let id = s.ready(erasure(), eva()).await;
    // The other desk, on the same ledger and chat, run when this desk's source starts erasing.
    let other = Desk::new(s.acme.controller(), s.ledger.clone(), s.audit.clone(), key()).with_source(s.chat.clone());
    let other_answer: Arc<Mutex<Option<Result<Fulfilled, DeskError>>>> = Arc::new(Mutex::new(None));
    let (slot, erases) = (other_answer.clone(), Arc::new(AtomicUsize::new(0)));
    let counted = erases.clone();
    let busy = Faulty::new(s.chat.clone(), move |call: Call, phase: Phase| {
        if call == Call::Erase && phase == Phase::Before {
            counted.fetch_add(1, Ordering::SeqCst);
            let other = other.clone();
            let answer = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
                rt.block_on(other.fulfil(id, t0()))
            })
            .join()
            .unwrap();
            *slot.lock().unwrap() = Some(answer);
            return Err(common::reset());
        }
        Ok(())
    });
    let this = Desk::new(s.acme.controller(), s.ledger.clone(), s.audit.clone(), key()).with_source(Arc::new(busy));
    let done = this.fulfil(id, t0()).await.unwrap();
    let by_other = other_answer.lock().unwrap().take().expect("the other desk ran").unwrap();
    assert_eq!(erases.load(Ordering::SeqCst), 1, "no source ran again");
    assert_eq!(done.request.status().name(), StatusName::Completed);
    assert!(done.report.is_complete());
    assert_eq!(done.request, by_other.request);
    match (&done.report, &by_other.report) {
        (FulfilmentReport::Step(mine), FulfilmentReport::Step(theirs)) => assert_eq!(mine, theirs),
        other => panic!("an erasure reports a step: {other:?}"),
    }
    assert!(s.found(&eva()).await.is_empty());
    assert_eq!(s.erasure_records().await.len(), 1);
}
