//! Properties of the agenda over random ledgers: every due instant is the one `time` computes, and nothing of another scope appears.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use gdpr_obligations::agenda::{Agenda, AgendaOptions, Due, ObligationKind, Snapshot};
use gdpr_obligations::breach::{Awareness, Breach, Duty, SubjectDuty, decide as decide_breach};
use gdpr_obligations::fulfil::{NoticeRecord, RecipientNoticeGiven};
use gdpr_obligations::model::PartyId;
use gdpr_obligations::request::{Command, Receiver, Request, RequestKind, Status, decide};
use gdpr_obligations::store::Scope;
use gdpr_obligations::testkit;
use gdpr_obligations::time::{DeadlinePolicy, IdentityPause};
use proptest::prelude::*;

use super::{activity, vendor_recipient};

/// A request's life from a testkit script, for `controller`, keeping the accepted commands;
/// with how many were accepted.
fn live(receipt: gdpr_obligations::request::Receipt, commands: Vec<Command>, controller: PartyId) -> (Request, usize) {
    let mut receipt = receipt;
    receipt.controller = controller;
    let mut events = decide(None, &Command::Receive(Box::new(receipt))).expect("testkit receipts are in range");
    let mut accepted = 0;
    for command in &commands {
        let state = Request::replay(&events).expect("received");
        if let Ok(more) = state.decide(command) {
            events.extend(more);
            accepted += 1;
        }
    }
    (Request::replay(&events).expect("received"), accepted)
}

fn live_breach(
    detection: gdpr_obligations::breach::Detection,
    commands: Vec<gdpr_obligations::breach::Command>,
    keeper: PartyId,
) -> (Breach, usize) {
    let mut detection = detection;
    detection.aware = match detection.aware {
        Awareness::Processor { notify, .. } => Awareness::Processor { processor: keeper, notify },
        _ => Awareness::Controller { controller: keeper },
    };
    let mut events = decide_breach(None, &gdpr_obligations::breach::Command::Detect(Box::new(detection)))
        .expect("testkit detections are in range");
    let mut accepted = 0;
    for command in &commands {
        let state = Breach::replay(&events).expect("detected");
        if let Ok(more) = state.decide(command) {
            events.extend(more);
            accepted += 1;
        }
    }
    (Breach::replay(&events).expect("detected"), accepted)
}

/// A controller's ledger of random request and breach lives (some of another controller),
/// a later instant, the notices given, and how many of the scripts' commands were accepted
/// after the first (a receipt or a detection).
fn ledger() -> impl Strategy<Value = (Snapshot, chrono::DateTime<chrono::Utc>, Vec<NoticeRecord>, usize)> {
    let requests = proptest::collection::vec((testkit::request_script(8), any::<bool>()), 0..6);
    let breaches = proptest::collection::vec((testkit::breach_script(6), any::<bool>()), 0..4);
    let later = 0i64..150 * 86_400;
    (requests, breaches, later, proptest::collection::vec(any::<bool>(), 12)).prop_map(
        |(requests, breaches, later, told)| {
            let (ours, theirs) = (PartyId::generate(), PartyId::generate());
            let mut snapshot = Snapshot::new(Scope::of(ours));
            snapshot.activities.push(activity(ours, vec![vendor_recipient()], true));
            let (mut start, mut accepted) = (None, 0);
            for ((receipt, commands), mine) in requests {
                start = start.or(Some(receipt.at));
                let (request, n) = live(receipt, commands, if mine { ours } else { theirs });
                snapshot.requests.push(request);
                accepted += n;
            }
            for ((detection, commands), mine) in breaches {
                start = start.or(Some(detection.aware_at));
                let (breach, n) = live_breach(detection, commands, if mine { ours } else { theirs });
                snapshot.breaches.push(breach);
                accepted += n;
            }
            let base = start.unwrap_or_else(|| "2026-01-01T00:00:00Z".parse().expect("instant"));
            let now = base.checked_add_signed(TimeDelta::seconds(later)).unwrap_or(base);
            // Some of the pending notices are given.
            let mut given = Vec::new();
            for (request, told) in snapshot.requests.iter().zip(told) {
                if told {
                    let mut vendor = RecipientNoticeGiven::new(vendor_recipient().name);
                    if let Some(party) = vendor_recipient().party {
                        vendor = vendor.with_party(party);
                    }
                    given.push(NoticeRecord::recipient(request.id(), now, vendor));
                    given.push(NoticeRecord::restriction_lifting(request.id(), now));
                }
            }
            snapshot.notices_given = given.clone();
            (snapshot, now, given, accepted)
        },
    )
}

fn count(agenda: &Agenda, key: &str) -> usize {
    agenda.obligations.iter().filter(|o| o.key == key).count()
}

proptest! {
    // About one ledger in ten has no accepted command and is rejected below: the reject limit
    // grows with the case count (proptest's fixed 1024 stopped a 10,000-case run).
    #![proptest_config(ProptestConfig {
        cases: crate::common::cases(96),
        max_global_rejects: crate::common::cases(96).max(1024),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_open_request_unreported_breach_and_pending_notice_appears_exactly_once(
        (snapshot, now, given, accepted) in ledger()
    ) {
        // A ledger of lives that never moved past their first event would test little: the
        // scripts must get commands accepted (if none ever were, proptest fails the test with
        // too many rejected cases).
        prop_assume!(accepted > 0, "no command of the scripts was accepted");
        let ours = snapshot.scope.controller();
        let agenda = Agenda::build(&snapshot, now, &AgendaOptions::new(DeadlinePolicy::czech()));

        // Nothing of another controller; every state is the due's own state at `now`.
        for o in &agenda.obligations {
            prop_assert_eq!(o.scope, snapshot.scope);
            prop_assert_eq!(o.state, o.due.state(now, o.zone));
            prop_assert_eq!(o.article, o.kind.article());
            if let Some(id) = o.kind.request() {
                let r = snapshot.requests.iter().find(|r| r.id() == id).expect("a snapshot request");
                prop_assert_eq!(r.receipt().controller, ours);
            }
            if let Some(id) = o.kind.breach() {
                let b = snapshot.breaches.iter().find(|b| b.id() == id).expect("a snapshot breach");
                prop_assert_eq!(b.keeper(), ours);
            }
        }
        let keys: BTreeSet<&str> = agenda.obligations.iter().map(|o| o.key.as_str()).collect();
        prop_assert_eq!(keys.len(), agenda.obligations.len(), "no obligation twice");

        for r in &snapshot.requests {
            let id = r.id();
            let answers = agenda
                .obligations
                .iter()
                .filter(|o| matches!(o.kind, ObligationKind::Answer { request, .. } | ObligationKind::RefusalNotice { request } if request == id))
                .collect::<Vec<_>>();
            let mine = r.receipt().controller == ours;
            let open = mine && !r.is_closed() && r.clock_start().is_some();
            if !open {
                prop_assert!(answers.is_empty(), "closed, foreign or not started: {:?}", r.status());
                prop_assert_eq!(count(&agenda, &format!("art-12-3-extension-notice/{id}")), 0);
                if r.is_closed() || !mine {
                    prop_assert_eq!(count(&agenda, &format!("art-28-3-e-forwarding/{id}")), 0);
                }
                continue;
            }
            // An objection to direct marketing or a withdrawal of consent stops the processing
            // at receipt instead of being answered within a month (Arts. 21(3), 7(3); legal
            // review W5), and so does an objection that is in substance a withdrawal (Art. 7(3),
            // 12(2); D9), unless the identity could not be confirmed (Art. 12(4)).
            let stops = r.kind().is_direct_marketing_objection()
                || *r.kind() == RequestKind::ConsentWithdrawal
                || r.withdraws_consent();
            let failed = matches!(r.identity(), gdpr_obligations::request::Identity::Failed { .. });
            let stop = agenda.obligations.iter().find(|o| o.key == format!("stop-processing/{id}"));
            prop_assert_eq!(stop.is_some(), stops && !failed);
            if let Some(stop) = stop {
                prop_assert!(answers.is_empty());
                prop_assert_eq!(stop.due, Due::Instant { at: r.receipt().at });
                prop_assert_eq!(count(&agenda, &format!("art-12-3-extension-notice/{id}")), 0);
                continue;
            }
            prop_assert_eq!(answers.len(), 1, "one answer per open request");
            // Due as `time` computes it directly.
            let policy = &r.receipt().policy;
            let direct = if policy.identity_pause() == IdentityPause::None {
                policy.request_deadlines(r.clock_start().expect("started")).expect("in range")
            } else {
                r.deadlines_at(now).expect("in range")
            };
            let want = match answers[0].kind {
                ObligationKind::RefusalNotice { .. } => direct.due(),
                _ if r.extension().is_some() => direct.extended_due(),
                _ => direct.due(),
            };
            prop_assert_eq!(answers[0].due, Due::from_deadline(want));
            if let (Status::AwaitingForwarding, Receiver::Processor { processor, .. }) = (r.status(), r.receipt().receiver) {
                let forwarding = agenda.obligations.iter().find(|o| o.key == format!("art-28-3-e-forwarding/{id}"));
                let forwarding = forwarding.expect("forwarding owed");
                prop_assert_eq!(forwarding.owed_by, processor);
                // Promptly (Art. 28(3)(e)): after the processor's receipt, never after the
                // controller's month, which runs from that receipt (Art. 12(3); legal review D1).
                let month = policy.request_deadlines(r.receipt().at).expect("in range").due();
                let due = forwarding.due.instant().expect("a dated forwarding");
                prop_assert!(due > r.receipt().at && due <= month.expires_at(), "{:?}", forwarding.due);
            }
        }

        // Pending notices after a completed erasure, rectification or restriction.
        for r in snapshot.requests.iter().filter(|r| r.receipt().controller == ours) {
            let id = r.id();
            let completed = matches!(r.status(), Status::Completed { .. });
            let notifies = matches!(r.kind(), RequestKind::Erasure { .. } | RequestKind::Rectification | RequestKind::Restriction { .. });
            let told = given.iter().any(|n| n.request == id);
            let key = format!("art-19-recipient-notice/{id}/{}", vendor_recipient().party.expect("a party"));
            prop_assert_eq!(count(&agenda, &key), usize::from(completed && notifies && !told));
            let restriction = matches!(r.kind(), RequestKind::Restriction { .. });
            prop_assert_eq!(
                count(&agenda, &format!("art-18-3-lifting-notice/{id}")),
                usize::from(completed && restriction && !told)
            );
        }

        for b in &snapshot.breaches {
            let id = b.id();
            let mine = b.keeper() == ours;
            let authority = count(&agenda, &format!("art-33-1-authority/{id}"));
            match b.authority_deadline() {
                Some(d) if mine && d.done_at.is_none() => {
                    prop_assert_eq!(authority, 1);
                    let o = agenda.obligations.iter().find(|o| o.key == format!("art-33-1-authority/{id}")).expect("listed");
                    let direct = b.detection().policy.breach_deadline(b.aware_at()).expect("in range");
                    prop_assert_eq!(o.due, Due::Instant { at: direct });
                }
                _ => prop_assert_eq!(authority, 0),
            }
            for d in b.principal_deadlines() {
                let Duty::Principal(duty) = &d.duty else { continue };
                let n = count(&agenda, &format!("art-33-2-notice/{id}/{}", duty.agreement));
                prop_assert_eq!(n, usize::from(mine && d.done_at.is_none()));
                if n == 1 {
                    let o = agenda.obligations.iter().find(|o| o.key == format!("art-33-2-notice/{id}/{}", duty.agreement)).expect("listed");
                    let direct = duty.period.due(b.aware_at(), &b.detection().policy).expect("in range");
                    prop_assert_eq!(o.due, Due::Instant { at: direct });
                }
            }
            let owed = b.subject_decision().is_some_and(|d| matches!(d.duty, SubjectDuty::Direct | SubjectDuty::Public));
            prop_assert_eq!(count(&agenda, &format!("art-34-communication/{id}")), usize::from(mine && owed && !b.subjects_informed()));
        }
    }
}
