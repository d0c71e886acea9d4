//! The breach register's JSON and ledger round trips, and its property tests (invariants 1 and 9).

use super::*;

// ---- JSON ----

#[test]
fn every_breach_type_keeps_its_json_contract() {
    let d = duty(Some(24));
    let commands = [
        by_controller(complete_facts()),
        by_processor(vec![d.clone(), duty(None)]),
        assess(1, RiskLevel::HighRisk),
        add(2, complete_facts()),
        notify(3),
        notify_late(80),
        notify_principal(4, d.agreement),
        except(5, encrypted()),
        except(5, effort()),
        communicate(6, CommunicationMethod::Public),
        close(7),
    ];
    for c in &commands {
        assert_json_contract(c);
        assert_json_contract(&c.name());
    }
    let g = given([
        by_controller(complete_facts()),
        assess(1, RiskLevel::HighRisk),
        notify(3),
        except(5, effort()),
        communicate(6, CommunicationMethod::Public),
        close(7),
    ]);
    for e in g.events() {
        assert_json_contract(e);
    }
    assert_json_contract(g.created());
    let p = given([by_processor(vec![d.clone()]), notify_principal(1, d.agreement)]);
    assert_json_contract(p.created());
    for deadline in p.created().deadlines().iter().chain(&g.created().deadlines()) {
        assert_json_contract::<BreachDeadline>(deadline);
        assert_json_contract(&deadline.duty);
    }
    let rejection = given([by_controller(Facts::default())]).when(notify(1)).then_rejected();
    assert_json_contract(&rejection);
    let decision = g.created().subject_decision().unwrap();
    assert_json_contract::<SubjectDecision>(&decision);
    assert_json_contract::<Reason>(&decision.reasons[0]);
    assert_json_contract(&decision.duty);
    let c = chain();
    let plan = FanOut::plan(&c.chain, c.mail.id(), at(0), &DeadlinePolicy::czech()).unwrap();
    assert_json_contract(&plan);
    assert_json_contract::<ControllerReach>(&plan.controllers[0]);
    assert_json_contract::<NoticeHop>(&plan.controllers[0].hops[0]);
    for duty in plan.duties() {
        assert_json_contract(&duty);
        assert_json_contract(&duty.period);
    }
    assert_json_contract(&g.created().detection().clone());
    assert_json_contract(&g.created().detection().aware);
    assert_json_contract(&ProcessorNotice::new(c.vendor.id(), AgreementId::generate()));
    assert_json_contract(
        &ProcessorNotice::new(c.vendor.id(), AgreementId::generate()).with_breach(BreachId::generate()),
    );
    assert_json_contract(&Facts::default());
    assert_json_contract(&complete_facts());
    assert_json_contract(&complete_facts().measures[0]);
    assert_json_contract(&MeasureStatus::Proposed);
    for m in Facts::default().missing_for_notification() {
        assert_json_contract::<Missing>(&m);
        assert_json_contract(&m.element);
    }
    assert_json_contract(&RiskLevel::Unlikely);
    assert_json_contract(&encrypted());
    assert_json_contract(&CommunicationMethod::Direct);
    assert_json_contract::<Assessment>(g.created().assessment().unwrap());
    assert_json_contract::<AuthorityNotice>(g.created().authority_notice().unwrap());
    assert_json_contract::<PrincipalNotice>(&p.created().principal_notices()[0]);
    assert_json_contract::<RecordedException>(g.created().exception().unwrap());
    assert_json_contract::<Communication>(&g.created().communications()[0]);
    assert_json_contract::<Closure>(g.created().closure().unwrap());
    assert_json_contract(&StatusName::Assessed);
    assert_json_contract(&BreachId::generate());
    // The wire names.
    let json = serde_json::to_value(assess(1, RiskLevel::HighRisk)).unwrap();
    assert_eq!((json["type"].as_str(), json["risk"].as_str()), (Some("assess"), Some("high_risk")));
    let json = serde_json::to_value(NoticePeriod::Agreed { hours: 24 }).unwrap();
    assert_eq!(json, serde_json::json!({"period": "agreed", "hours": 24}));
    let json = serde_json::to_value(effort()).unwrap();
    assert_eq!(json["exception"], "disproportionate_effort");
}

#[test]
fn wrong_json_is_an_error() {
    let wrong = [
        serde_json::json!({"type": "teleport", "at": at(0)}),
        serde_json::json!({"type": "assess", "at": at(0), "risk": "catastrophic", "reasons": "x"}),
        serde_json::json!({"type": "assess", "at": at(0), "risk": "risk"}),
        serde_json::json!({"type": "assess", "at": at(0), "risk": "risk", "reasons": "  "}),
        serde_json::json!({"type": "record_exception", "at": at(0), "exception": {"exception": "force_majeure"}}),
        serde_json::json!({"type": "notify_principal", "at": at(0), "agreement": "not-a-uuid"}),
        serde_json::json!({"type": "close", "at": "yesterday", "summary": "done"}),
        serde_json::json!({"type": "detect", "at": at(0)}),
        serde_json::json!({"type": "add_information", "at": at(0), "facts": {"nature": "x", "colour": "red"}}),
        serde_json::json!([1, 2, 3]),
        serde_json::json!(null),
    ];
    for bad in &wrong {
        assert!(serde_json::from_value::<Command>(bad.clone()).is_err(), "{bad}");
        assert!(serde_json::from_value::<Event>(bad.clone()).is_err(), "{bad}");
        assert!(serde_json::from_value::<Breach>(bad.clone()).is_err(), "{bad}");
    }
    assert_schema_rejects::<Command>(&wrong[1]);
    assert_schema_rejects::<Command>(&wrong[2]);
    assert!(serde_json::from_value::<NoticePeriod>(serde_json::json!({"period": "agreed", "hours": -1})).is_err());
    assert!(serde_json::from_value::<Facts>(serde_json::json!({"approx_subjects": -5})).is_err());
    assert!(serde_json::from_value::<Facts>(serde_json::json!({"contact": {"name": "DPO", "email": "nope"}})).is_err());
}

// ---- ledger ----

#[tokio::test]
async fn breach_commands_execute_through_the_memory_ledger() {
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let commands = [by_controller(complete_facts()), assess(1, RiskLevel::Risk), notify(3), close(4)];
    let g = given(commands.clone());
    let breach = g.created();
    let scope = Scope::of(breach.keeper());
    let mut last = None;
    for command in &commands {
        last = Some(ledger.execute::<Breach>(&audit, scope, breach.id(), command).await.unwrap());
    }
    let last = last.unwrap();
    assert_eq!((&last.state, last.version), (breach, Version::NONE.after(g.events().len())));
    let stored = ledger.fetch::<Breach>(scope, breach.id()).await.unwrap();
    assert_eq!((&stored.value, stored.version), (breach, last.version));
    assert_eq!(ledger.ids::<Breach>(scope).await.unwrap(), [breach.id()]);
    // Each command left one audit entry naming the stream and its events.
    let entries = audit.read_all(scope).await.unwrap();
    assert_eq!(entries.len(), commands.len());
    assert!(entries.iter().all(
        |e| matches!(&e.entry.action, AuditAction::Transition { stream, .. } if stream.id == breach.id().as_uuid())
    ));
    // A command that no longer applies is rejected with the lifecycle's rejection.
    let again = ledger.execute::<Breach>(&audit, scope, breach.id(), &notify(5)).await;
    assert!(matches!(again, Err(ExecuteError::Rejected(_))), "{again:?}");
    // Another keeper's scope neither sees nor accepts the breach; a detection under another id is refused.
    let other = Scope::of(PartyId::generate());
    assert!(matches!(ledger.fetch::<Breach>(other, breach.id()).await, Err(StoreError::NotFound { .. })));
    assert!(ledger.load::<Breach>(other, breach.id()).await.unwrap().is_none());
    let foreign = ledger.execute::<Breach>(&audit, other, breach.id(), &commands[0]).await;
    assert!(matches!(foreign, Err(ExecuteError::Store(StoreError::Invalid { .. }))), "{foreign:?}");
    let wrong_id = ledger.execute::<Breach>(&audit, scope, BreachId::generate(), &commands[0]).await;
    assert!(matches!(wrong_id, Err(ExecuteError::Store(StoreError::Invalid { .. }))), "{wrong_id:?}");
    // A command for a breach that does not exist is not found, not rejected.
    let missing = ledger.execute::<Breach>(&audit, scope, BreachId::generate(), &notify(5)).await;
    assert!(matches!(missing, Err(ExecuteError::NotFound { .. })), "{missing:?}");
}

#[tokio::test]
async fn a_processors_register_lives_in_its_own_scope() {
    let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
    let d = duty(Some(24));
    let commands = [by_processor(vec![d.clone()]), notify_principal(2, d.agreement)];
    let g = given(commands.clone());
    let scope = Scope::of(g.created().keeper());
    for command in &commands {
        let _ = ledger.execute::<Breach>(&audit, scope, g.created().id(), command).await.unwrap();
    }
    assert_eq!(&ledger.fetch::<Breach>(scope, g.created().id()).await.unwrap().value, g.created());
}

// ---- properties ----

/// Runs a random script, checking the invariants at every step; returns the events and state.
fn run(detection: &Detection, commands: &[Command]) -> Result<(Vec<Event>, Option<Breach>), TestCaseError> {
    let mut state: Option<Breach> = None;
    let mut all = Vec::new();
    let first = Command::Detect(Box::new(detection.clone()));
    for command in std::iter::once(&first).chain(commands) {
        let before = state.clone();
        let events = match decide(state.as_ref(), command) {
            Ok(events) => events,
            Err(rejection) => {
                // A rejection loses nothing: it names what was attempted in which state, it is
                // deterministic, and it survives a JSON round trip whole.
                prop_assert_eq!(rejection.attempted, command.name());
                prop_assert_eq!(rejection.state, state.as_ref().map_or(StatusName::New, Breach::status));
                prop_assert_eq!(decide(state.as_ref(), command), Err(rejection.clone()));
                let json = serde_json::to_string(&rejection).unwrap();
                prop_assert_eq!(serde_json::from_str::<Rejection>(&json).unwrap(), rejection);
                prop_assert_eq!(&Breach::replay(&all), &state);
                continue;
            }
        };
        for event in &events {
            state = evolve(state, event);
        }
        all.extend(events);
        let (Some(before), Some(after)) = (&before, &state) else { continue };
        // Art. 33(4): a phase never removes a fact.
        let (old, new) = (before.facts(), after.facts());
        prop_assert!(old.nature.is_none() || new.nature.is_some());
        prop_assert!(old.approx_subjects.is_none() || new.approx_subjects.is_some());
        prop_assert!(old.approx_records.is_none() || new.approx_records.is_some());
        prop_assert!(old.contact.is_none() || new.contact.is_some());
        prop_assert!(old.consequences.is_none() || new.consequences.is_some());
        prop_assert!(old.subject_categories.iter().all(|c| new.subject_categories.contains(c)));
        prop_assert!(old.data_categories.iter().all(|c| new.data_categories.contains(c)));
        prop_assert!(old.measures.iter().all(|m| new.measures.contains(m)));
        if after.is_closed() {
            // Art. 33(1), 33(2), 34: nothing is closed with a duty open.
            prop_assert!(after.deadlines().iter().all(|d| d.done_at.is_some()), "{:?}", after.deadlines());
            prop_assert!(after.subjects_informed());
            prop_assert!(after.subject_decision().is_none_or(|d| d.duty != SubjectDuty::Undecided));
        }
        if let Some(notice) = after.authority_notice() {
            // Art. 33(1): late only with reasons, whatever the assessment said then or says now.
            let due = after.detection().policy.breach_deadline(after.aware_at()).unwrap();
            prop_assert!(notice.at <= due || notice.reasons_for_delay.is_some());
        }
    }
    Ok((all, state))
}

fn calendars() -> impl Strategy<Value = Calendar> {
    let list = proptest::collection::vec(0u32..3_000, 0..40).prop_map(|days| {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let dates = days.into_iter().map(|d| start + TimeDelta::days(i64::from(d)));
        Calendar::List(HolidayList::new("random", dates).unwrap())
    });
    prop_oneof![Just(Calendar::WeekendsOnly), Just(Calendar::Czechia), list]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(256)))]

    /// Art. 33(1) with Art. 3(4) of Regulation 1182/71: a period in hours never moves over
    /// weekends or holidays; under the default clock it is exactly awareness + 72 h, whatever
    /// the calendar or zone; the strict reading adds at most the rest of the hour.
    #[test]
    fn prop_art_33_1_breach_deadline_never_moves_on_weekends_or_holidays(
        aware in testkit::instant(),
        calendar in calendars(),
        zone in prop_oneof![Just(Zone::UTC), Just(Zone::EUROPE_PRAGUE)],
        hours in 0u16..=72,
    ) {
        let policy = DeadlinePolicy::new(zone, calendar);
        let mut d = detection(Awareness::Controller { controller: PartyId::generate() }, Facts::default());
        d.aware_at = aware;
        d.occurred_at = None;
        d.policy = policy.clone();
        let breach = Breach::replay(&decide(None, &Command::Detect(Box::new(d.clone())))?).unwrap();
        prop_assert_eq!(breach.authority_deadline().unwrap().due, aware + TimeDelta::hours(72));

        let strict = policy.clone().with_breach_clock(BreachClock::StrictHours).breach_deadline(aware)?;
        prop_assert!(strict > aware + TimeDelta::hours(72) - TimeDelta::seconds(1));
        prop_assert!(strict <= aware + TimeDelta::hours(73));

        // Art. 33(2): the processor's agreed hours, exactly.
        d.aware = Awareness::Processor { processor: PartyId::generate(), notify: vec![duty(Some(hours))] };
        let processor = Breach::replay(&decide(None, &Command::Detect(Box::new(d)))?).unwrap();
        prop_assert_eq!(processor.principal_deadlines()[0].due, aware + TimeDelta::hours(i64::from(hours)));
    }

    /// Art. 33(1), 33(2): through a sub-processor, the controller's clock is the sum of the
    /// agreed hours plus 72, whatever the day of the week.
    #[test]
    fn prop_art_33_fan_out_deadlines_are_sums_of_hours(
        aware in testkit::instant(),
        main_hours in proptest::option::of(0u16..=72),
        sub_hours in proptest::option::of(0u16..=72),
    ) {
        let party = |name: &str| Party::builder(name, Country::CZ).build().unwrap();
        let (shop, vendor, mail) = (party("Shop s.r.o."), party("Vendor s.r.o."), party("Mailer a.s."));
        let mut main = ProcessingAgreement::template(shop.id(), vendor.id(), gdpr_obligations::testkit::signed_facts());
        main.breach_notice_hours = main_hours;
        let mut sub = ProcessingAgreement::sub_processing_template(&main, mail.id(), gdpr_obligations::testkit::signed_facts());
        sub.breach_notice_hours = sub_hours;
        let chain = ProcessingChain::build([shop.clone(), vendor, mail.clone()], [main, sub], []).unwrap();
        let plan = FanOut::plan(&chain, mail.id(), aware, &DeadlinePolicy::czech())?;
        let total = i64::from(main_hours.unwrap_or(0)) + i64::from(sub_hours.unwrap_or(0));
        prop_assert_eq!(plan.controllers.len(), 1);
        prop_assert_eq!(plan.controllers[0].controller_aware_by, aware + TimeDelta::hours(total));
        prop_assert_eq!(plan.controllers[0].authority_due, aware + TimeDelta::hours(total + 72));
    }

    /// Replay reproduces the state, also after a trip through JSON; every invariant holds at
    /// every step; rejections lose nothing.
    #[test]
    fn prop_random_breach_lives_keep_the_invariants((detection, commands) in testkit::breach_script(25)) {
        let (events, state) = run(&detection, &commands)?;
        prop_assert_eq!(Breach::replay(&events), state.clone());
        let json = serde_json::to_string(&events).unwrap();
        let back: Vec<Event> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Breach::replay(&back), state.clone());
        let breach = state.expect("a detection is always accepted");
        let now = breach.last_event_at();
        prop_assert_eq!(breach.is_overdue(now), !breach.overdue(now).is_empty());
        prop_assert_eq!(breach.time_left(now).is_some_and(|t| t < TimeDelta::zero()), breach.is_overdue(now));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(24)))]

    #[test]
    fn prop_json_contract_of_random_lives((detection, commands) in testkit::breach_script(15)) {
        let (events, state) = run(&detection, &commands)?;
        assert_json_contract(&detection);
        for c in &commands {
            assert_json_contract(c);
        }
        for e in &events {
            assert_json_contract(e);
        }
        let breach = state.expect("detected");
        assert_json_contract(&breach);
        for d in breach.deadlines() {
            assert_json_contract(&d);
        }
    }

    /// Executing any life's commands through the ledger gives the state the pure replay gives,
    /// rejects exactly the commands `decide` rejects, and stores one event stream.
    #[test]
    fn prop_breach_commands_execute_through_the_ledger((detection, commands) in testkit::breach_script(15)) {
        let (events, state) = run(&detection, &commands)?;
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let stored = runtime.block_on(async {
            let (ledger, audit) = (MemoryLedger::new(), MemoryAuditLog::new());
            let scope = Scope::of(detection.keeper());
            let create = Command::Detect(Box::new(detection.clone()));
            let _ = ledger.execute::<Breach>(&audit, scope, detection.id, &create).await.unwrap();
            for command in &commands {
                match ledger.execute::<Breach>(&audit, scope, detection.id, command).await {
                    Ok(_) | Err(ExecuteError::Rejected(_)) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            ledger.fetch::<Breach>(scope, detection.id).await.unwrap()
        });
        prop_assert_eq!(Some(stored.value), state);
        prop_assert_eq!(stored.version, Version::NONE.after(events.len()));
    }
}
