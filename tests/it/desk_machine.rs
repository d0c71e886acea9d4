//! Model-based test of the request desk (issue 17, "Tests"): random sequences of desk calls
//! (receive, start, identity steps, refuse, withdraw, complete by hand, fulfil) and source
//! failures, run against a `Desk` over a memory ledger and a `ChatHistory`, and against a pure
//! model of the desk's rules. After every step:
//!
//! - the real request agrees with the model (status, identity, what was carried out), and the
//!   state the desk returned is the replay of the stored events;
//! - no source is asked anything, and no data changes, unless the model says the request is
//!   carried out now: in progress with the identity settled (Art. 5(1)(f)), so that no access
//!   copy or export is produced and no erasure runs otherwise;
//! - no request completes with an incomplete report (Art. 12(3)), and a request carried out on
//!   the sources completes only through `fulfil`;
//! - every erasure keeps the records under the case's legal hold (Art. 17(3)(e)).
//!
//! Cases: `common::cases(32)` (`PROPTEST_CASES`).

use crate::common;
use crate::desk::{Probe, chat_of, eva, key, petr, receipt, t0, text};

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, TimeDelta, Utc};
use gdpr_obligations::desk::{Desk, DeskError, FulfilmentReport};
use gdpr_obligations::erasure::RetentionGround;
use gdpr_obligations::fulfil::StepReport;
use gdpr_obligations::model::{SourceName, SubjectId, SubjectIdentifier};
use gdpr_obligations::request::{
    Command, ErasureGround, Event, Identity, ObjectionGround, RefusalGround, Request, RequestId, RequestKind,
    RestrictionGround, StatusName,
};
use gdpr_obligations::retention::{HoldTarget, LegalHold};
use gdpr_obligations::store::chat::ChatHistory;
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{LedgerStoreExt, PersonalDataSource, Scope, StreamKey, StreamKind, Version};
use gdpr_obligations::vocab::{LegalBasis, Purpose};
use proptest::prelude::*;

// --- the operations --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Access,
    Portability,
    /// Portability on a processing under legitimate interests: refused at receipt (Art. 20(1)).
    PortabilityUnavailable,
    Erasure,
    Restriction,
    Objection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Eva,
    Petr,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Receive(Kind, Who),
    Start(usize),
    Waive(usize),
    Verify(usize),
    AskIdentity(usize),
    ProvideIdentity(usize),
    FailIdentity(usize),
    Refuse(usize),
    Withdraw(usize),
    Complete(usize),
    Fulfil(usize),
    SourceFails(bool),
}

#[derive(Debug, Clone, Copy)]
enum Hold {
    None,
    /// On Eva's conversation.
    Conversation,
    /// On Petr, the subject.
    Subject,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Access),
        Just(Kind::Portability),
        Just(Kind::PortabilityUnavailable),
        Just(Kind::Erasure),
        Just(Kind::Erasure),
        Just(Kind::Restriction),
        Just(Kind::Objection),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..4;
    prop_oneof![
        3 => (kind(), prop_oneof![Just(Who::Eva), Just(Who::Petr)]).prop_map(|(k, w)| Op::Receive(k, w)),
        3 => i.clone().prop_map(Op::Start),
        2 => i.clone().prop_map(Op::Waive),
        2 => i.clone().prop_map(Op::Verify),
        1 => i.clone().prop_map(Op::AskIdentity),
        1 => i.clone().prop_map(Op::ProvideIdentity),
        1 => i.clone().prop_map(Op::FailIdentity),
        1 => i.clone().prop_map(Op::Refuse),
        1 => i.clone().prop_map(Op::Withdraw),
        1 => i.clone().prop_map(Op::Complete),
        5 => i.prop_map(Op::Fulfil),
        2 => any::<bool>().prop_map(Op::SourceFails),
    ]
}

fn hold() -> impl Strategy<Value = Hold> {
    prop_oneof![Just(Hold::None), Just(Hold::Conversation), Just(Hold::Subject)]
}

// --- the model -------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    AwaitingIdentity,
    InProgress,
    Refused,
    Withdrawn,
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ident {
    Unchecked,
    Provided,
    Verified,
    NotRequired,
    Failed,
}

impl Ident {
    fn settled(self) -> bool {
        matches!(self, Ident::Verified | Ident::NotRequired)
    }
}

#[derive(Debug, Clone)]
struct ModelRequest {
    kind: Kind,
    who: Who,
    status: Status,
    started: bool,
    identity: Ident,
    /// Whether a run was recorded, and whether it was complete.
    carried_out: Option<bool>,
}

impl ModelRequest {
    fn active(&self) -> bool {
        matches!(self.status, Status::Open | Status::AwaitingIdentity | Status::InProgress)
    }
    fn open_or_in_progress(&self) -> bool {
        matches!(self.status, Status::Open | Status::InProgress)
    }
    fn resumed(&self) -> Status {
        if self.started { Status::InProgress } else { Status::Open }
    }
}

/// What the model says a call comes to.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    /// Accepted; nothing runs against a source.
    Accepted,
    /// Refused; nothing changes.
    Refused,
    /// `fulfil` carries the request out now.
    Runs,
    /// `fulfil` on a request it completed: the answer again, without changing a source.
    Replays,
    /// `fulfil` on a request not carried out on the sources.
    NothingToRun,
}

/// The desk's rules, written plainly: the lifecycle's states and identity, and when `fulfil`
/// runs.
fn model_step(m: &mut ModelRequest, op: Op, failing: bool) -> Expect {
    use Expect::*;
    let ok = |m: &mut ModelRequest, f: &dyn Fn(&mut ModelRequest)| {
        f(m);
        Accepted
    };
    match op {
        Op::Receive(..) | Op::SourceFails(_) => unreachable!(),
        Op::Start(_) if m.status == Status::Open => ok(m, &|m| {
            m.started = true;
            m.status = Status::InProgress;
        }),
        Op::Waive(_) if m.open_or_in_progress() && !m.identity.settled() => ok(m, &|m| m.identity = Ident::NotRequired),
        Op::Verify(_) if m.open_or_in_progress() && m.identity != Ident::Verified => {
            ok(m, &|m| m.identity = Ident::Verified)
        }
        // Every kind here is under Arts. 15 to 21, for which identity may be asked (Art. 12(6)).
        Op::AskIdentity(_) if m.open_or_in_progress() && !m.identity.settled() => {
            ok(m, &|m| m.status = Status::AwaitingIdentity)
        }
        Op::ProvideIdentity(_) if m.status == Status::AwaitingIdentity => ok(m, &|m| {
            m.identity = Ident::Provided;
            m.status = m.resumed();
        }),
        // Art. 12(2), 12(6): only after the identity information was asked for (legal review D3).
        Op::FailIdentity(_)
            if matches!(m.status, Status::AwaitingIdentity | Status::Open | Status::InProgress)
                && !m.identity.settled()
                && (m.status == Status::AwaitingIdentity || matches!(m.identity, Ident::Provided | Ident::Failed)) =>
        {
            ok(m, &|m| {
                m.identity = Ident::Failed;
                if m.status == Status::AwaitingIdentity {
                    m.status = m.resumed();
                }
            })
        }
        Op::Refuse(_) if m.active() => ok(m, &|m| m.status = Status::Refused),
        Op::Withdraw(_) if m.active() => ok(m, &|m| m.status = Status::Withdrawn),
        // Only requests not carried out on the sources are completed by hand.
        // Art. 5(1)(f), 12(6): an objection too completes only with the identity settled (D2).
        Op::Complete(_) if m.status == Status::InProgress && m.kind == Kind::Objection && m.identity.settled() => {
            ok(m, &|m| m.status = Status::Completed)
        }
        Op::Fulfil(_) if m.kind == Kind::Objection => NothingToRun,
        Op::Fulfil(_) if m.status == Status::InProgress && m.identity.settled() => {
            m.carried_out = Some(!failing);
            if !failing {
                m.status = Status::Completed;
            }
            Runs
        }
        Op::Fulfil(_) if m.status == Status::Completed && m.carried_out.is_some() => Replays,
        _ => Refused,
    }
}

// --- the system under test -------------------------------------------------------------------

struct Sut {
    chat: Arc<ChatHistory>,
    ledger: Arc<MemoryLedger>,
    acme: Scope,
    desk: Desk,
    probe: Probe,
    /// The record keys under the hold (of Eva's conversation, or of Petr).
    held: BTreeSet<String>,
    held_subject: Option<Who>,
    ids: Vec<RequestId>,
    model: Vec<ModelRequest>,
    /// The report a request's first complete run gave, for erasures and restrictions.
    reports: Vec<Option<StepReport>>,
    failing: bool,
    at: DateTime<Utc>,
}

fn who(w: Who) -> Vec<SubjectIdentifier> {
    match w {
        Who::Eva => eva(),
        Who::Petr => petr(),
    }
}

fn request_kind(k: Kind) -> RequestKind {
    match k {
        Kind::Access => RequestKind::Access,
        Kind::Portability | Kind::PortabilityUnavailable => RequestKind::Portability,
        Kind::Erasure => RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary },
        Kind::Restriction => RequestKind::Restriction { ground: RestrictionGround::AccuracyContested },
        Kind::Objection => RequestKind::Objection { ground: ObjectionGround::ParticularSituation },
    }
}

fn claims() -> RetentionGround {
    RetentionGround::LegalClaims { matter: text("claim 2026/9") }
}

impl Sut {
    async fn new(hold: Hold) -> Sut {
        let chat = Arc::new(ChatHistory::new());
        let acme = Scope::of(gdpr_obligations::model::PartyId::generate());
        let eva_talk = chat_of(&chat, acme).await;
        let ledger = Arc::new(MemoryLedger::new());
        let (source, probe) = Probe::wrap(chat.clone());
        let desk =
            Desk::new(acme.controller(), ledger.clone(), Arc::new(MemoryAuditLog::new()), key()).with_source(source);
        let placed = t0() - TimeDelta::days(1);
        let source_name = SourceName::new("chat_history").unwrap();
        let (target, held_subject) = match hold {
            Hold::None => (None, None),
            Hold::Conversation => {
                let prefix = format!("conversation/{eva_talk}/").parse().unwrap();
                (Some(HoldTarget::Conversation { source: source_name, prefix }), None)
            }
            Hold::Subject => (Some(HoldTarget::Subject { identifiers: petr() }), Some(Who::Petr)),
        };
        let mut held = BTreeSet::new();
        if let Some(target) = target {
            let hold = LegalHold::place(target, text("the claim"), claims(), placed).unwrap();
            ledger.put(acme, &hold, Version::NONE).await.unwrap();
            let records = match held_subject {
                Some(w) => chat.find(acme, &who(w)).await.unwrap(),
                None => chat.find(acme, &eva()).await.unwrap(),
            };
            held = records
                .into_iter()
                .map(|r| r.record.as_str().to_owned())
                .filter(|r| held_subject.is_some() || r.starts_with(&format!("conversation/{eva_talk}/")))
                .collect();
            assert!(!held.is_empty());
        }
        Sut {
            chat,
            ledger,
            acme,
            desk,
            probe,
            held,
            held_subject,
            ids: Vec::new(),
            model: Vec::new(),
            reports: Vec::new(),
            failing: false,
            at: t0(),
        }
    }

    async fn data(&self) -> (Vec<gdpr_obligations::store::FoundRecord>, Vec<gdpr_obligations::store::FoundRecord>) {
        (self.chat.find(self.acme, &eva()).await.unwrap(), self.chat.find(self.acme, &petr()).await.unwrap())
    }

    async fn stored(&self, id: RequestId) -> Request {
        let stream = StreamKey { kind: StreamKind::Request, id: id.as_uuid() };
        let events = self.ledger.events::<Event>(self.acme, stream).await.unwrap().value;
        Request::replay(&events).expect("received")
    }

    fn command(&self, op: Op) -> Command {
        let at = self.at;
        match op {
            Op::Start(_) => Command::Start { at },
            Op::Waive(_) => Command::WaiveVerification { at, reason: text("her own chat session") },
            Op::Verify(_) => Command::VerifyIdentity { at, subject: SubjectId::from_uuid(uuid::Uuid::from_u128(7)) },
            Op::AskIdentity(_) => Command::RequestIdentity { at, information: text("the code we sent") },
            Op::ProvideIdentity(_) => Command::ProvideIdentity { at },
            Op::FailIdentity(_) => Command::RecordIdentityFailure { at, reason: text("wrong code") },
            Op::Refuse(_) => Command::Refuse {
                at,
                ground: RefusalGround::ManifestlyUnfounded { explanation: text("asked about another shop") },
                reply: None,
            },
            Op::Withdraw(_) => Command::Withdraw { at },
            Op::Complete(_) => Command::Complete { at, summary: text("answered"), withheld: None, reply: None },
            _ => unreachable!(),
        }
    }

    async fn step(&mut self, op: Op) -> Result<(), TestCaseError> {
        self.at += TimeDelta::minutes(1);
        let index = match op {
            Op::Receive(k, w) => {
                let mut r = receipt(self.acme.controller(), request_kind(k), who(w), self.at);
                if k == Kind::PortabilityUnavailable {
                    r.processing =
                        gdpr_obligations::request::Processing::new(LegalBasis::LegitimateInterests, Purpose::Analytics);
                }
                let got = self.desk.receive(r).await.map_err(|e| TestCaseError::fail(format!("receive: {e}")))?;
                let status = if k == Kind::PortabilityUnavailable { Status::Refused } else { Status::Open };
                self.ids.push(got.id());
                self.model.push(ModelRequest {
                    kind: k,
                    who: w,
                    status,
                    started: false,
                    identity: Ident::Unchecked,
                    carried_out: None,
                });
                self.reports.push(None);
                let i = self.ids.len() - 1;
                prop_assert_eq!(&got, &self.stored(got.id()).await);
                self.agree(i).await?;
                return Ok(());
            }
            Op::SourceFails(on) => {
                self.failing = on;
                self.probe.failing.store(on, Ordering::SeqCst);
                return Ok(());
            }
            Op::Start(i)
            | Op::Waive(i)
            | Op::Verify(i)
            | Op::AskIdentity(i)
            | Op::ProvideIdentity(i)
            | Op::FailIdentity(i)
            | Op::Refuse(i)
            | Op::Withdraw(i)
            | Op::Complete(i)
            | Op::Fulfil(i) => i,
        };
        if self.ids.is_empty() {
            return Ok(());
        }
        let i = index % self.ids.len();
        let id = self.ids[i];
        let data_before = self.data().await;
        let (calls_before, writes_before) = (self.probe.calls(), self.probe.writes());
        let expect = model_step(&mut self.model[i], op, self.failing);
        let m = self.model[i].clone();
        match op {
            Op::Fulfil(_) => {
                let got = self.desk.fulfil(id, self.at).await;
                match (&expect, got) {
                    (Expect::Runs, Ok(done)) => {
                        prop_assert_eq!(&done.request, &self.stored(id).await, "returned state is not the replay");
                        prop_assert_eq!(done.report.is_complete(), !self.failing, "report: {:?}", done.report);
                        let completed = done.request.status().name() == StatusName::Completed;
                        prop_assert!(!completed || done.report.is_complete(), "completed over {:?}", done.report);
                        prop_assert!(self.probe.calls() > calls_before, "ran without asking the source");
                        if let FulfilmentReport::Step(report) = &done.report
                            && report.complete
                        {
                            self.reports[i] = Some((**report).clone());
                        }
                        self.after_run(&m, &done.report, &data_before).await?;
                    }
                    (Expect::Replays, Ok(done)) => {
                        prop_assert_eq!(done.request.status().name(), StatusName::Completed);
                        prop_assert_eq!(self.probe.writes(), writes_before, "a completed request changed a source");
                        prop_assert_eq!(&self.data().await, &data_before);
                        if let (FulfilmentReport::Step(report), Some(first)) = (&done.report, &self.reports[i]) {
                            prop_assert_eq!(&**report, first, "the replayed report differs");
                        }
                    }
                    (Expect::NothingToRun, Err(DeskError::NothingToRun { .. }))
                    | (Expect::Refused, Err(DeskError::Rejected(_))) => {
                        self.nothing_ran(calls_before, &data_before).await?;
                    }
                    (expect, got) => {
                        return Err(TestCaseError::fail(format!(
                            "fulfil on {m:?} (source failing: {}): model {expect:?}, desk {got:?}",
                            self.failing
                        )));
                    }
                }
            }
            _ => {
                let got = self.desk.execute(id, self.command(op)).await;
                match (&expect, got) {
                    (Expect::Accepted, Ok(request)) => {
                        prop_assert_eq!(&request, &self.stored(id).await, "returned state is not the replay");
                    }
                    (Expect::Refused, Err(DeskError::Rejected(_))) => {}
                    (expect, got) => {
                        return Err(TestCaseError::fail(format!("{op:?} on {m:?}: model {expect:?}, desk {got:?}")));
                    }
                }
                self.nothing_ran(calls_before, &data_before).await?;
            }
        }
        self.agree(i).await
    }

    async fn nothing_ran(
        &self,
        calls_before: usize,
        data_before: &(Vec<gdpr_obligations::store::FoundRecord>, Vec<gdpr_obligations::store::FoundRecord>),
    ) -> Result<(), TestCaseError> {
        prop_assert_eq!(self.probe.calls(), calls_before, "a source was asked while nothing was to run");
        prop_assert_eq!(&self.data().await, data_before, "data changed while nothing was to run");
        Ok(())
    }

    /// After a run: a complete erasure left only held records of its subject, a failed run
    /// changed nothing, access and portability changed nothing.
    async fn after_run(
        &self,
        m: &ModelRequest,
        report: &FulfilmentReport,
        data_before: &(Vec<gdpr_obligations::store::FoundRecord>, Vec<gdpr_obligations::store::FoundRecord>),
    ) -> Result<(), TestCaseError> {
        let now = self.data().await;
        if self.failing || matches!(m.kind, Kind::Access | Kind::Portability) {
            prop_assert_eq!(&now, data_before, "{:?} changed data (source failing: {})", m.kind, self.failing);
        }
        // Held records stay, whoever is erased.
        let keys = |found: &[gdpr_obligations::store::FoundRecord]| -> BTreeSet<String> {
            found.iter().map(|r| r.record.as_str().to_owned()).collect()
        };
        let held_found = match self.held_subject {
            Some(Who::Petr) => keys(&now.1),
            _ => keys(&now.0),
        };
        prop_assert!(self.held.is_subset(&held_found), "held records erased: {:?} not in {:?}", self.held, held_found);
        if m.kind == Kind::Erasure && report.is_complete() {
            let left = keys(if m.who == Who::Eva { &now.0 } else { &now.1 });
            prop_assert!(left.is_subset(&self.held), "not erased: {:?} (held: {:?})", left, self.held);
            let FulfilmentReport::Step(step) = report else { return Err(TestCaseError::fail("not a step report")) };
            for r in &step.retained {
                prop_assert!(self.held.contains(r.record.as_str()) && r.ground == claims(), "{r:?}");
            }
        }
        Ok(())
    }

    /// The stored request agrees with the model; a request carried out on the sources is
    /// completed only with a complete run recorded.
    async fn agree(&self, i: usize) -> Result<(), TestCaseError> {
        let real = self.desk.request(self.ids[i]).await.map_err(|e| TestCaseError::fail(e.to_string()))?.value;
        prop_assert_eq!(&real, &self.stored(self.ids[i]).await);
        let m = &self.model[i];
        let status = match real.status().name() {
            StatusName::Open => Status::Open,
            StatusName::AwaitingIdentity => Status::AwaitingIdentity,
            StatusName::InProgress => Status::InProgress,
            StatusName::Refused => Status::Refused,
            StatusName::Withdrawn => Status::Withdrawn,
            StatusName::Completed => Status::Completed,
            other => return Err(TestCaseError::fail(format!("unexpected status {other:?}"))),
        };
        let identity = match real.identity() {
            Identity::Unchecked => Ident::Unchecked,
            Identity::Provided { .. } => Ident::Provided,
            Identity::Verified { .. } => Ident::Verified,
            Identity::NotRequired { .. } => Ident::NotRequired,
            Identity::Failed { .. } => Ident::Failed,
            other => return Err(TestCaseError::fail(format!("unexpected identity {other:?}"))),
        };
        prop_assert_eq!((status, identity), (m.status, m.identity), "request {} of {:?}", i, m);
        prop_assert_eq!(real.carried_out().map(|c| c.is_complete()), m.carried_out);
        if status == Status::Completed && m.kind != Kind::Objection {
            prop_assert_eq!(real.carried_out().map(|c| c.is_complete()), Some(true), "completed without a full run");
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(32), ..ProptestConfig::default() })]

    #[test]
    fn the_desk_agrees_with_its_model(hold in hold(), ops in proptest::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut sut = Sut::new(hold).await;
            for op in ops {
                sut.step(op).await?;
            }
            for i in 0..sut.ids.len() {
                sut.agree(i).await?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
