//! Retention's JSON contracts (invariant 9), the sweep against the stores, and the property tests.

use super::*;

// ---------------------------------------------------------------------------------------------
// JSON contracts (invariant 9)
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(64)))]

    #[test]
    fn json_contract_of_policies_and_holds(
        policy in testkit::retention_policy(),
        hold in testkit::legal_hold(),
        period in testkit::retention_period(),
    ) {
        assert_json_contract(&policy);
        assert_json_contract(&hold);
        assert_json_contract(&period);
        assert_json_contract(hold.target());
        assert_json_contract(&period.event());
        assert_json_contract(&SweepId::generate());
    }

    /// Expiry is never before collection, nor before the event it runs after.
    #[test]
    fn art_5_1_e_expiry_is_never_before_collection(
        policies in proptest::collection::vec(testkit::retention_policy(), 0..4),
        category in testkit::data_category(),
        collected in testkit::instant(),
        contact in proptest::option::of(testkit::instant()),
    ) {
        let timeline = Timeline::new(collected, contact);
        for p in &policies {
            if let Some(e) = p.expires_at(&timeline) {
                prop_assert!(e > collected, "{p:?} expires {e} for {collected}");
                if let (Some(c), Some(_)) = (contact, p.period().event()) {
                    prop_assert!(e > c);
                }
            }
        }
        if let Some(e) = expiry(&policies, &category, &timeline) {
            prop_assert!(e > collected);
            prop_assert!(policies.iter().any(|p| p.category() == &category && p.expires_at(&timeline) == Some(e)));
        }
    }
}

#[tokio::test]
async fn json_contract_of_a_sweep_report_with_retentions() {
    let s = shop().await;
    let hold = LegalHold::place(HoldTarget::Controller, text("audit"), claims("audit"), now()).unwrap();
    s.ledger.put(s.acme, &hold, Version::NONE).await.unwrap();
    let report: SweepReport = Sweep::new(s.acme, &s.ledger, &s.audit, swept(&s))
        .run(SweepId::generate(), &ErasurePolicy::default(), now())
        .await
        .unwrap();
    assert!(!report.retained.is_empty());
    assert_json_contract(&report);
}

// ---------------------------------------------------------------------------------------------
// Failing stores: a source and a ledger that fail once, on the n-th call
// ---------------------------------------------------------------------------------------------

/// The ledger's calls that fail: its writes.
const LEDGER_CALLS: &[Call] = &[Call::PutDocument, Call::AppendEvents];

// ---------------------------------------------------------------------------------------------
// Random chats, holds and policies
// ---------------------------------------------------------------------------------------------

/// A conversation to build: its first visitor, maybe a second, when it starts (days after
/// 2020-01-01), and its messages (who: 0 first visitor, 1 second, 2 an agent naming the first
/// visitor's e-mail, 3 the bot; hours after the start).
#[derive(Debug, Clone)]
struct Talk {
    first: usize,
    second: Option<usize>,
    day: i64,
    messages: Vec<(u8, i64)>,
}

#[derive(Debug, Clone)]
enum HoldPlan {
    /// The n-th stored record (in the order of the normalised keys).
    Record(usize),
    Conversation(usize),
    Subject(usize),
    Controller,
}

#[derive(Debug, Clone)]
struct World {
    /// Each visitor's first day, and whether they left an IP address.
    visitors: Vec<(i64, bool)>,
    talks: Vec<Talk>,
    /// (category index, after last contact, months).
    policies: Vec<(usize, bool, u16)>,
    /// Holds, each active or released before the sweep.
    holds: Vec<(HoldPlan, bool)>,
    /// Days after 2020-01-01.
    now: i64,
    pseudonymise: bool,
    batch: usize,
}

fn world_strategy() -> impl Strategy<Value = World> {
    (1usize..4).prop_flat_map(|n| {
        let talk = (0..n, proptest::option::of(0..n), 0i64..1200, proptest::collection::vec((0u8..4, 0i64..72), 1..4))
            .prop_map(|(first, second, day, messages)| Talk {
                first,
                second: second.filter(|s| *s != first),
                day,
                messages,
            });
        let hold = prop_oneof![
            3 => (0usize..64).prop_map(HoldPlan::Record),
            3 => (0usize..8).prop_map(HoldPlan::Conversation),
            3 => (0..n).prop_map(HoldPlan::Subject),
            1 => Just(HoldPlan::Controller),
        ];
        (
            proptest::collection::vec((0i64..1200, any::<bool>()), n),
            proptest::collection::vec(talk, 1..5),
            proptest::collection::vec((0usize..4, any::<bool>(), 1u16..30), 0..4),
            proptest::collection::vec((hold, prop::bool::weighted(0.8)), 0..3),
            0i64..2500,
            any::<bool>(),
            1usize..5,
        )
            .prop_map(|(visitors, talks, policies, holds, now, pseudonymise, batch)| World {
                visitors,
                talks,
                policies,
                holds,
                now,
                pseudonymise,
                batch,
            })
    })
}

fn day(d: i64) -> DateTime<Utc> {
    at("2020-01-01T00:00:00Z") + TimeDelta::days(d)
}

fn visitor_ids(i: usize) -> Vec<SubjectIdentifier> {
    vec![
        SubjectIdentifier::ChatVisitorToken(Token::new(&format!("tok-{i}")).unwrap()),
        email(&format!("v{i}@example.cz")),
    ]
}

/// A world built in one scope: the ids in creation order, to name them alike across twins.
struct Built {
    visitors: Vec<VisitorId>,
    conversations: Vec<ConversationId>,
    labels: Vec<(String, String)>,
}

impl Built {
    /// `s` with every id replaced by its label (`v0`, `c1`, `m5`).
    fn normalise(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (id, label) in &self.labels {
            out = out.replace(id, label);
        }
        out
    }

    /// The key `normalised` names, its labels replaced by ids.
    fn raw(&self, normalised: &str) -> String {
        let segments: Vec<String> = normalised
            .split('/')
            .map(|seg| self.labels.iter().find(|(_, l)| l == seg).map_or(seg.to_owned(), |(id, _)| id.clone()))
            .collect();
        segments.join("/")
    }
}

async fn build(chat: &ChatHistory, scope: Scope, w: &World) -> Built {
    let mut b = Built { visitors: vec![], conversations: vec![], labels: vec![] };
    for (i, (first_day, ip)) in w.visitors.iter().enumerate() {
        let ids = visitor_ids(i);
        let SubjectIdentifier::ChatVisitorToken(token) = &ids[0] else { unreachable!() };
        let v = chat.add_visitor(scope, token.clone(), day(*first_day)).await.unwrap();
        chat.add_identifier(scope, v, ids[1].clone(), day(*first_day)).await.unwrap();
        if *ip {
            let addr = SubjectIdentifier::IpAddress(format!("198.51.100.{}", i + 1).parse().unwrap());
            chat.add_identifier(scope, v, addr, day(*first_day)).await.unwrap();
        }
        b.labels.push((v.to_string(), format!("v{i}")));
        b.visitors.push(v);
    }
    let mut m = 0;
    for (ci, t) in w.talks.iter().enumerate() {
        let start = day(t.day);
        let c = chat.start_conversation(scope, b.visitors[t.first], start).await.unwrap();
        b.labels.push((c.to_string(), format!("c{ci}")));
        b.conversations.push(c);
        if let Some(second) = t.second {
            chat.join_conversation(scope, c, b.visitors[second], start).await.unwrap();
        }
        for (who, hours) in &t.messages {
            let sent = start + TimeDelta::hours(*hours);
            let (from, words) = match (who, t.second) {
                (0, _) | (1, None) => (Sender::Visitor(b.visitors[t.first]), format!("message {m} of v{}", t.first)),
                (1, Some(s)) => (Sender::Visitor(b.visitors[s]), format!("message {m} of v{s}")),
                (2, _) => (Sender::Agent(text("Jana Nováková")), format!("reply {m} to v{}@example.cz", t.first)),
                _ => (Sender::Bot, format!("bot answer {m}")),
            };
            let id = chat.post(scope, c, from, text(&words), vec![], sent).await.unwrap();
            b.labels.push((id.to_string(), format!("m{m}")));
            m += 1;
        }
    }
    b
}

fn policies_of(w: &World) -> Vec<RetentionPolicy> {
    w.policies
        .iter()
        .map(|(c, event, months)| {
            let category = CHAT_CATEGORIES[*c].clone();
            if *event { after_last_contact(category, *months) } else { from_collection(category, *months) }
        })
        .collect()
}

/// The holds of the world, placed in 2019 and, when not active, released then too.
async fn holds_of(chat: &ChatHistory, scope: Scope, w: &World, b: &Built) -> Vec<LegalHold> {
    let placed = at("2019-01-01T00:00:00Z");
    let keys: Vec<String> = {
        let mut normalised: Vec<String> = stored(chat, scope).await.keys().map(|k| b.normalise(k.as_str())).collect();
        normalised.sort();
        normalised
    };
    let mut out = Vec::new();
    for (plan, active) in &w.holds {
        let target = match plan {
            HoldPlan::Record(n) if !keys.is_empty() => {
                HoldTarget::Record { source: chat_history(), record: b.raw(&keys[n % keys.len()]).parse().unwrap() }
            }
            HoldPlan::Record(_) => continue,
            HoldPlan::Conversation(n) => HoldTarget::Conversation {
                source: chat_history(),
                prefix: format!("conversation/{}/", b.conversations[n % b.conversations.len()]).parse().unwrap(),
            },
            HoldPlan::Subject(i) => HoldTarget::Subject { identifiers: visitor_ids(*i)[..1].to_vec() },
            HoldPlan::Controller => HoldTarget::Controller,
        };
        let hold = LegalHold::place(target, text("hold"), claims("matter"), placed).unwrap();
        out.push(if *active { hold } else { hold.release(placed + TimeDelta::days(1)).unwrap() });
    }
    out
}

/// The records the active holds cover, as stored before anything ran.
async fn held(chat: &ChatHistory, scope: Scope, holds: &[LegalHold], at: DateTime<Utc>) -> BTreeSet<RecordKey> {
    let all = stored(chat, scope).await;
    let mut out = BTreeSet::new();
    for hold in holds.iter().filter(|h| h.is_active(at)) {
        match hold.target() {
            HoldTarget::Record { record, .. } => out.extend(all.keys().filter(|k| *k == record).cloned()),
            HoldTarget::Conversation { prefix, .. } => {
                out.extend(all.keys().filter(|k| k.as_str().starts_with(prefix.as_str())).cloned())
            }
            HoldTarget::Subject { identifiers } => {
                out.extend(chat.find(scope, identifiers).await.unwrap().into_iter().map(|f| f.record))
            }
            HoldTarget::Controller => out.extend(all.keys().cloned()),
            _ => unreachable!(),
        }
    }
    out
}

fn erasure_policy(w: &World) -> ErasurePolicy {
    let messages = if w.pseudonymise { MessageErasure::Pseudonymise } else { MessageErasure::Delete };
    ErasurePolicy { messages, retain: vec![] }
}

async fn put_rules(ledger: &dyn LedgerStore, scope: Scope, policies: &[RetentionPolicy], holds: &[LegalHold]) {
    for p in policies {
        ledger.put(scope, p, Version::NONE).await.unwrap();
    }
    for h in holds {
        ledger.put(scope, h, Version::NONE).await.unwrap();
    }
}

/// What the chat holds in a scope, with ids replaced by labels: the stored records and every
/// transcript (pseudonyms as such).
async fn state(chat: &ChatHistory, scope: Scope, b: &Built) -> Vec<String> {
    let mut out: Vec<String> = stored(chat, scope)
        .await
        .values()
        .map(|f| b.normalise(&format!("{} {} {} {}", f.record, f.category, f.collected_at, f.restricted)))
        .collect();
    for c in &b.conversations {
        if let Ok(messages) = chat.transcript(scope, *c).await {
            for m in messages {
                let author = match &m.author {
                    Author::Pseudonym(_) => "pseudonym".to_owned(),
                    other => b.normalise(&serde_json::to_string(other).unwrap()),
                };
                out.push(b.normalise(&format!("{c} {} {author} {}", m.id, m.text)));
            }
        }
    }
    out.sort();
    out
}

fn report_shape(report: &SweepReport, b: &Built) -> String {
    b.normalise(&serde_json::to_string(&(&report.sources, &report.retained, report.as_of, report.complete)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(40)))]

    /// Art. 17(3)(e): what an active hold covers is never erased, by the sweep or by a subject's
    /// erasure, and every outcome about it says retained.
    #[test]
    fn art_17_3_e_legal_hold_data_is_never_erased(w in world_strategy(), erased in 0usize..3) {
        runtime().block_on(async {
            let chat = Arc::new(ChatHistory::new());
            let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
            let scope = Scope::of(PartyId::generate());
            let b = build(&chat, scope, &w).await;
            let holds = holds_of(&chat, scope, &w, &b).await;
            put_rules(&ledger, scope, &policies_of(&w), &holds).await;
            let now = day(w.now);
            let held = held(&chat, scope, &holds, now).await;
            let before = stored(chat.as_ref(), scope).await;
            let srcs = vec![chat.clone() as Arc<dyn PersonalDataSource>];
            let batch = NonZeroUsize::new(w.batch).unwrap();
            let report = Sweep::new(scope, &ledger, &audit, vec![chat.clone() as Arc<dyn RetentionSource>])
                .with_batch_size(batch)
                .run(SweepId::generate(), &erasure_policy(&w), now).await.unwrap();
            prop_assert!(report.complete);
            let subject = visitor_ids(erased % w.visitors.len());
            let policy = policy_with_holds(scope, &srcs, &holds, &subject, &erasure_policy(&w), now).await.unwrap();
            let key = key();
            let erasure = Fulfilment::new(scope, &ledger, &audit, srcs, &key)
                .erase(RequestId::generate(), &subject, &policy, now).await.unwrap();
            let after = stored(chat.as_ref(), scope).await;
            for k in &held {
                prop_assert_eq!(after.get(k), before.get(k), "held record {} changed", k);
            }
            for o in report.sources.iter().chain(&erasure.sources).flat_map(|s| &s.outcomes) {
                if held.contains(&o.record) {
                    prop_assert!(matches!(o.outcome, Outcome::Retained { .. } | Outcome::Unchanged), "{o:?}");
                }
            }
            Ok(())
        })?;
    }

    /// Art. 5(1)(e): processing never sees an expired record, sweep or no sweep; for periods
    /// from collection, exactly the messages sent less than the longest period ago are seen.
    #[test]
    fn art_5_1_e_expired_data_is_never_processed_before_a_sweep(w in world_strategy()) {
        runtime().block_on(async {
            let clock = Arc::new(FixedClock::new(day(w.now)));
            let chat = ChatHistory::new().with_clock(clock.clone() as Arc<dyn Clock>);
            let scope = Scope::of(PartyId::generate());
            let b = build(&chat, scope, &w).await;
            let policies = policies_of(&w);
            chat.set_retention(scope, policies.clone());
            let now = clock.now();
            let expired: BTreeSet<RecordKey> = chat.expired(scope, &policies, now, None, usize::MAX).await.unwrap()
                .into_iter().map(|f| f.record).collect();
            let content: Vec<&RetentionPolicy> =
                policies.iter().filter(|p| p.category() == &DataCategory::CommunicationContent).collect();
            let by_collection = !content.is_empty() && content.iter().all(|p| p.period().event().is_none());
            let longest = content.iter().map(|p| p.period().months()).max().unwrap_or(0);
            for (c, talk) in b.conversations.iter().zip(&w.talks) {
                let messages = chat.transcript(scope, *c).await.unwrap();
                for m in &messages {
                    let key = format!("conversation/{c}/message/{}", m.id);
                    prop_assert!(!expired.contains(key.as_str()), "{} is processed", key);
                }
                if by_collection {
                    let live = talk.messages.iter().filter(|(_, h)| {
                        let sent = day(talk.day) + TimeDelta::hours(*h);
                        let ends = add_months(sent.date_naive(), u32::from(longest)).unwrap().and_time(sent.time()).and_utc();
                        ends > now
                    }).count();
                    prop_assert_eq!(messages.len(), live);
                }
            }
            for summary in chat.conversations(scope).await.unwrap() {
                for v in &summary.visitors {
                    let key = format!("conversation/{}/participant/{v}", summary.id);
                    prop_assert!(!expired.contains(key.as_str()), "{} is processed", key);
                }
            }
            for v in &b.visitors {
                let profile = chat.profile(scope, *v).await.unwrap();
                prop_assert_eq!(profile.is_none(), expired.contains(format!("visitor/{v}").as_str()));
                if let Some(p) = profile {
                    let ips = p.identifiers.iter().filter(|i| matches!(i, SubjectIdentifier::IpAddress(_))).count();
                    let stored_ips = stored(&chat, scope).await.keys()
                        .filter(|k| k.as_str().starts_with(&format!("visitor/{v}/ip/")) && !expired.contains(*k)).count();
                    prop_assert_eq!(ips, stored_ips);
                }
            }
            Ok(())
        })?;
    }

    /// Invariant 10: a sweep interrupted at any point (a source or the ledger failing once,
    /// before or after it wrote) and run again ends in the same state with the same
    /// report as one that was not; it is never complete while a source failed.
    #[test]
    fn invariant_10_an_interrupted_sweep_resumes_to_the_same_state_and_report(
        w in world_strategy(),
        fail_at in 1usize..14,
        in_ledger in any::<bool>(),
        after in any::<bool>(),
    ) {
        runtime().block_on(async {
            let now = day(w.now);
            let scope = Scope::of(PartyId::generate());
            // Uninterrupted.
            let twin = Arc::new(ChatHistory::new());
            let tb = build(&twin, scope, &w).await;
            let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
            put_rules(&ledger, scope, &policies_of(&w), &holds_of(&twin, scope, &w, &tb).await).await;
            let batch = NonZeroUsize::new(w.batch).unwrap();
            let reference = Sweep::new(scope, &ledger, &audit, vec![twin.clone() as Arc<dyn RetentionSource>])
                .with_batch_size(batch).run(SweepId::generate(), &erasure_policy(&w), now).await.unwrap();
            // Interrupted.
            let chat = Arc::new(ChatHistory::new());
            let b = build(&chat, scope, &w).await;
            let (source, failed) = failing_source(&chat, if in_ledger { 0 } else { fail_at }, after);
            let ledger = Arc::new(MemoryLedger::new());
            put_rules(&*ledger, scope, &policies_of(&w), &holds_of(&chat, scope, &w, &b).await).await;
            let ledger_fails_at = if in_ledger { fail_at } else { 0 };
            let ledger = Faulty::new(ledger, common::failing(LEDGER_CALLS, after, move |k| k == ledger_fails_at).0);
            let sweep = Sweep::new(scope, &ledger, &audit, vec![source]).with_batch_size(batch);
            let id = SweepId::generate();
            let mut runs = 0;
            let resumed = loop {
                runs += 1;
                prop_assert!(runs < 10, "the sweep does not finish");
                match sweep.run(id, &erasure_policy(&w), now).await {
                    Ok(r) if r.complete => break r,
                    Ok(r) => prop_assert!(!r.complete),
                    Err(_) => {}
                }
                let failed_now = failed.load(Ordering::SeqCst);
                prop_assert!(failed_now || in_ledger, "incomplete without a failure");
            };
            prop_assert_eq!(report_shape(&resumed, &b), report_shape(&reference, &tb));
            prop_assert_eq!(state(&chat, scope, &b).await, state(&twin, scope, &tb).await);
            Ok(())
        })?;
    }

    /// Invariant 6: a sweep and a subject's erasure in controller C never touch controller D's
    /// data, though D has the same visitors and the same policies.
    #[test]
    fn invariant_6_a_sweep_never_touches_another_controllers_data(w in world_strategy()) {
        runtime().block_on(async {
            let chat = Arc::new(ChatHistory::new());
            let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
            let (c, d) = (Scope::of(PartyId::generate()), Scope::of(PartyId::generate()));
            let bc = build(&chat, c, &w).await;
            let bd = build(&chat, d, &w).await;
            let policies = policies_of(&w);
            put_rules(&ledger, c, &policies, &holds_of(&chat, c, &w, &bc).await).await;
            put_rules(&ledger, d, &policies, &[]).await;
            let before = state(&chat, d, &bd).await;
            // One `Arc` for both: an `Arc<dyn RetentionSource>` upcasts to the fulfilment's
            // `Arc<dyn PersonalDataSource>`.
            let swept = vec![chat.clone() as Arc<dyn RetentionSource>];
            let srcs: Vec<Arc<dyn PersonalDataSource>> =
                swept.iter().map(|s| s.clone() as Arc<dyn PersonalDataSource>).collect();
            let report = Sweep::new(c, &ledger, &audit, swept)
                .run(SweepId::generate(), &erasure_policy(&w), day(w.now)).await.unwrap();
            prop_assert!(report.complete);
            let key = key();
            Fulfilment::new(c, &ledger, &audit, srcs, &key)
                .erase(RequestId::generate(), &visitor_ids(0), &erasure_policy(&w), day(w.now)).await.unwrap();
            prop_assert_eq!(state(&chat, d, &bd).await, before);
            prop_assert!(audit.read_all(d).await.unwrap().is_empty());
            Ok(())
        })?;
    }
}

// ---------------------------------------------------------------------------------------------
// The set-based sweep batch against the two passes it replaces
// ---------------------------------------------------------------------------------------------

/// A chat history on the backend `n` (0 memory, 1 SQLite, 2 PostgreSQL when the server runs),
/// with the store that keeps it alive.
/// The chat history on backend `n` (memory, SQLite, PostgreSQL); on PostgreSQL its tables are in
/// `schema`, so that two twins building the same world (the same visitor tokens in one scope)
/// do not meet in one database.
async fn chat_on(n: usize, schema: &str) -> Option<(Arc<ChatHistory>, Box<dyn std::any::Any + Send>)> {
    let _ = schema;
    let key = || PseudonymKey::new(b"set-sweep-test-key-0123456789abcdef").unwrap();
    match n {
        0 => Some((Arc::new(ChatHistory::new()), Box::new(()))),
        #[cfg(feature = "sqlite")]
        1 => {
            let store = gdpr_obligations::store::sqlite::SqliteStore::open_in_memory().await.unwrap();
            let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
            Some((Arc::new(chat), Box::new(store)))
        }
        #[cfg(feature = "postgres")]
        2 => {
            let url = common::postgres_url("set_based_sweep")?;
            let options = gdpr_obligations::store::postgres::PostgresOptions::new().schema(schema).unwrap();
            let store = gdpr_obligations::store::postgres::PostgresStore::connect_with(&url, options).await.unwrap();
            let chat = ChatHistory::postgres(&store, key()).await.unwrap();
            Some((Arc::new(chat), Box::new(store)))
        }
        _ => None,
    }
}

/// The erasure policy with the world's active holds on records, conversations and subjects
/// (the sweep's own, Art. 17(3)), for one twin.
async fn policy_with_world_holds(chat: &ChatHistory, scope: Scope, w: &World, b: &Built) -> ErasurePolicy {
    let now = day(w.now);
    let holds = holds_of(chat, scope, w, b).await;
    let mut subjects = BTreeMap::new();
    for h in holds.iter().filter(|h| h.is_active(now)) {
        if let HoldTarget::Subject { identifiers } = h.target() {
            let found = chat.find(scope, identifiers).await.unwrap();
            subjects.insert(h.id(), found.into_iter().map(|f| f.record).collect());
        }
    }
    let mut held = HeldRecords::default();
    held.subjects = subjects;
    apply_holds(&erasure_policy(w), &holds, now, &chat_history(), &held)
}

/// Sweeps `chat` batch by batch with the set-based `sweep_expired`, asking each batch twice
/// (the second time answers from the receipt and changes nothing): the outcomes, normalised.
async fn set_based(chat: &ChatHistory, scope: Scope, w: &World, b: &Built, policy: &ErasurePolicy) -> Vec<String> {
    let (policies, now, id) = (policies_of(w), day(w.now), SweepId::generate());
    let mut after: Option<RecordKey> = None;
    let mut out = Vec::new();
    loop {
        let batch = SweepBatch::new(id, &policies, now, after.as_ref().map(RecordKey::as_str), w.batch, policy);
        let outcomes = chat.sweep_expired(scope, &batch, &NoJournal).await.unwrap();
        let before = state(chat, scope, b).await;
        let again = chat.sweep_expired(scope, &batch, &NoJournal).await.unwrap();
        assert_eq!(again, outcomes, "the same batch asked again answers from its receipt");
        assert_eq!(state(chat, scope, b).await, before, "and changes nothing");
        let Some(last) = outcomes.iter().map(|o| o.record.clone()).max() else { break };
        assert!(outcomes.windows(2).all(|p| p[0].record < p[1].record), "in record-key order");
        out.extend(outcomes.iter().map(|o| b.normalise(&serde_json::to_string(o).unwrap())));
        after = Some(last);
    }
    out
}

/// The same sweep in two passes: `expired`, then `erase_records` of what it listed.
async fn two_pass(chat: &ChatHistory, scope: Scope, w: &World, b: &Built, policy: &ErasurePolicy) -> Vec<String> {
    let (policies, now) = (policies_of(w), day(w.now));
    let mut after: Option<RecordKey> = None;
    let mut out = Vec::new();
    loop {
        let page = chat.expired(scope, &policies, now, after.as_ref().map(RecordKey::as_str), w.batch).await.unwrap();
        let Some(last) = page.iter().map(|f| f.record.clone()).max() else { break };
        let records: Vec<RecordKey> = page.into_iter().map(|f| f.record).collect();
        let outcomes = chat.erase_records(scope, &records, policy).await.unwrap();
        out.extend(outcomes.iter().map(|o| b.normalise(&serde_json::to_string(o).unwrap())));
        after = Some(last);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(40)))]

    /// Art. 5(1)(e), 17(3), 18(2): the set-based sweep batch leaves the same data and reports
    /// the same outcomes as listing the expired records and erasing them in two passes, on
    /// random histories with random holds, restrictions, policies and batch sizes, on every
    /// backend at hand.
    #[test]
    fn art_5_1_e_the_set_based_sweep_matches_listing_then_erasing(
        w in world_strategy(),
        restricted in proptest::collection::btree_set(0usize..4, 0..2),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            for backend in 0..3 {
                let (Some((one, _s1)), Some((two, _s2))) = (chat_on(backend, "set_sweep_one").await, chat_on(backend, "set_sweep_two").await) else {
                    continue;
                };
                let scope = Scope::of(PartyId::generate());
                let (b1, b2) = (build(&one, scope, &w).await, build(&two, scope, &w).await);
                for (chat, b) in [(&one, &b1), (&two, &b2)] {
                    for i in restricted.iter().filter(|i| **i < b.visitors.len()) {
                        chat.restrict(scope, &visitor_ids(*i)[..1]).await.unwrap();
                    }
                }
                let p1 = policy_with_world_holds(&one, scope, &w, &b1).await;
                let p2 = policy_with_world_holds(&two, scope, &w, &b2).await;
                let sets = set_based(&one, scope, &w, &b1, &p1).await;
                let passes = two_pass(&two, scope, &w, &b2, &p2).await;
                prop_assert_eq!(&sets, &passes, "backend {}", backend);
                prop_assert_eq!(state(&one, scope, &b1).await, state(&two, scope, &b2).await, "backend {}", backend);
            }
            Ok(())
        })?;
    }
}

/// Art. 17(3), 18(2): holds and restrictions decide on the data as each batch finds it: a hold
/// placed, or a restriction made, after one batch and before the next keeps the records the
/// next batch would have erased, on every backend at hand.
#[test]
fn art_17_3_a_hold_placed_before_a_batch_keeps_its_records() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        for backend in 0..3 {
            let Some((chat, _store)) = chat_on(backend, "set_sweep_holds").await else { continue };
            let scope = Scope::of(PartyId::generate());
            let then = at("2023-01-10T09:00:00Z");
            let mut talks = Vec::new();
            for i in 0..3 {
                let token = Token::new(&format!("tok-{i}")).unwrap();
                let v = chat.add_visitor(scope, token, then).await.unwrap();
                let c = chat.start_conversation(scope, v, then).await.unwrap();
                chat.post(scope, c, Sender::Visitor(v), text("Where is my order?"), vec![], then).await.unwrap();
                talks.push((i, c));
            }
            talks.sort_by_key(|(_, c)| *c);
            let policies = vec![from_collection(DataCategory::CommunicationContent, 12)];
            let now = at("2026-01-10T09:00:00Z");
            let id = SweepId::generate();
            let base = ErasurePolicy::default();
            // The first batch erases the first conversation's message.
            let first = chat
                .sweep_expired(scope, &SweepBatch::new(id, &policies, now, None, 1, &base), &NoJournal)
                .await
                .unwrap();
            assert_eq!(first.len(), 1);
            assert_eq!(first[0].outcome, Outcome::Erased, "backend {backend}");
            // Then a hold on the second conversation, and the third visitor restricted.
            let prefix: RecordKey = format!("conversation/{}/", talks[1].1).parse().unwrap();
            let held = ErasurePolicy { retain: vec![Retain { records: prefix, ground: claims("dispute") }], ..base };
            chat.restrict(scope, &visitor_ids(talks[2].0)[..1]).await.unwrap();
            let after = first[0].record.clone();
            let next = chat
                .sweep_expired(scope, &SweepBatch::new(id, &policies, now, Some(after.as_str()), 10, &held), &NoJournal)
                .await
                .unwrap();
            let outcomes: Vec<&Outcome> = next.iter().map(|o| &o.outcome).collect();
            assert_eq!(
                outcomes,
                vec![&Outcome::Retained { ground: claims("dispute") }, &Outcome::Restricted],
                "backend {backend}"
            );
            assert!(chat.transcript(scope, talks[0].1).await.unwrap().is_empty());
            assert_eq!(chat.transcript(scope, talks[1].1).await.unwrap().len(), 1, "the held message stays");
            chat.lift_restriction(scope, &visitor_ids(talks[2].0)[..1]).await.unwrap();
            assert_eq!(chat.transcript(scope, talks[2].1).await.unwrap().len(), 1, "the restricted message stays");
        }
    });
}
