//! Property tests of the time arithmetic: Regulation 1182/71 periods and the deadline policies on any input.

use super::*;

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Seconds from 2000-01-01 to 2100-12-31.
const YEARS_2000_2100: std::ops::Range<i64> = 946_684_800..4_133_980_800;

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    YEARS_2000_2100.prop_map(|secs| DateTime::from_timestamp(secs, 0).unwrap())
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let range = DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp();
    range.prop_map(|secs| DateTime::from_timestamp(secs, 0).unwrap())
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let range = NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce();
    range.prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap())
}

fn a_zone() -> impl Strategy<Value = Zone> {
    prop::sample::select(vec![
        Zone::UTC,
        Zone::EUROPE_PRAGUE,
        zone("America/Sao_Paulo"),
        zone("America/Santiago"),
        zone("America/Havana"),
        zone("Asia/Kolkata"),
        zone("Pacific/Kiritimati"),
        zone("Pacific/Pago_Pago"),
        zone("Australia/Lord_Howe"),
    ])
}

fn policy() -> impl Strategy<Value = DeadlinePolicy> {
    (
        a_zone(),
        prop::sample::select(vec![Calendar::WeekendsOnly, Calendar::Czechia]),
        prop::sample::select(ExtensionRule::ALL),
        prop::sample::select(IdentityPause::ALL),
        prop::sample::select(BreachClock::ALL),
    )
        .prop_map(|(zone, calendar, extension, pause, clock)| {
            DeadlinePolicy::new(zone, calendar)
                .with_extension(extension)
                .with_identity_pause(pause)
                .with_breach_clock(clock)
        })
}

/// Up to three pauses, as (days after receipt the ID was requested, days it took).
fn pause_offsets() -> impl Strategy<Value = Vec<(u64, u64)>> {
    prop::collection::vec((0..40u64, 0..30u64), 0..=3)
}

fn spans(received: NaiveDate, offsets: &[(u64, u64)]) -> Vec<IdentityPauseSpan> {
    offsets
        .iter()
        .map(|&(start, length)| {
            let requested = received + chrono::Days::new(start);
            IdentityPauseSpan::new(requested, requested + chrono::Days::new(length)).unwrap()
        })
        .collect()
}

fn check_deadline(deadline: Deadline, policy: &DeadlinePolicy) -> Result<(), TestCaseError> {
    prop_assert!(is_working_day(deadline.date(), policy.calendar()), "{deadline:?} not a working day");
    prop_assert_eq!(deadline.expires_at(), end_of_day(deadline.date(), policy.zone()).unwrap());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(512)))]

    /// Every deadline the crate makes, in any IANA zone from 1970 to 2170, reads back from its
    /// JSON: the check on reading refuses only what the crate cannot have made.
    #[test]
    fn every_deadline_made_in_any_zone_reads_back(ix in 0..chrono_tz::TZ_VARIANTS.len(), days in 0u64..73_000) {
        let zone = zone(chrono_tz::TZ_VARIANTS[ix].name());
        let date = d(1970, 1, 1) + chrono::Days::new(days);
        let deadline = Deadline::at_end_of(date, zone).unwrap();
        let back: Deadline = serde_json::from_value(serde_json::to_value(deadline).unwrap()).unwrap();
        prop_assert_eq!(back, deadline);
    }

    #[test]
    fn prop_art_12_3_deadlines_are_ordered_working_days(
        policy in policy(), received in instant(), offsets in pause_offsets(),
    ) {
        let received_date = receipt_date(received, policy.zone()).unwrap();
        let pauses = spans(received_date, &offsets);
        let deadlines = policy.request_deadlines_with_pauses(received, &pauses).unwrap();
        prop_assert_eq!(deadlines.received_date(), received_date);
        prop_assert!(deadlines.due().date() >= received_date);
        prop_assert!(deadlines.due().date() > received_date);
        prop_assert!(deadlines.due() <= deadlines.extended_due());
        prop_assert_eq!(deadlines.extension_notice_due(), deadlines.due());
        check_deadline(deadlines.due(), &policy)?;
        check_deadline(deadlines.extension_notice_due(), &policy)?;
        check_deadline(deadlines.extended_due(), &policy)?;
        // A pause or restart never shortens a period.
        let plain = policy.request_deadlines(received).unwrap();
        prop_assert!(deadlines.due() >= plain.due());
        prop_assert!(deadlines.extended_due() >= plain.extended_due());
        if policy.identity_pause() == IdentityPause::None {
            prop_assert_eq!(deadlines, plain);
        }
    }

    #[test]
    fn prop_art_3_2_c_due_is_monotone_in_receipt(
        policy in policy(), a in instant(), b in instant(),
    ) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let early = policy.request_deadlines(early).unwrap();
        let late = policy.request_deadlines(late).unwrap();
        prop_assert!(early.due().date() <= late.due().date());
        prop_assert!(early.extended_due().date() <= late.extended_due().date());
    }

    #[test]
    fn prop_art_3_2_c_due_is_within_one_month_and_a_roll(policy in policy(), received in instant()) {
        let deadlines = policy.request_deadlines(received).unwrap();
        let nominal = add_months(deadlines.received_date(), 1).unwrap();
        prop_assert!(deadlines.due().date() >= nominal);
        prop_assert!(deadlines.due().date() - nominal <= TimeDelta::days(5));
        prop_assert!(
            policy.month_period(deadlines.received_date(), 1).unwrap() == deadlines.due()
        );
    }

    #[test]
    fn prop_art_12_3_rule_b_never_later_than_rule_a(policy in policy(), received in instant()) {
        let a = policy.clone().with_extension(ExtensionRule::ThreeMonthsFromReceipt);
        let b = policy.with_extension(ExtensionRule::ConservativeEarliest);
        let a = a.request_deadlines(received).unwrap();
        let b = b.request_deadlines(received).unwrap();
        prop_assert!(b.extended_due() <= a.extended_due());
        prop_assert_eq!(a.due(), b.due());
    }

    #[test]
    fn prop_art_33_1_breach_deadline_bounds(policy in policy(), aware in instant()) {
        let default = policy.clone().with_breach_clock(BreachClock::AwarenessPlus72h);
        let strict = policy.with_breach_clock(BreachClock::StrictHours);
        let default = default.breach_deadline(aware).unwrap();
        let strict = strict.breach_deadline(aware).unwrap();
        prop_assert_eq!(default, aware + TimeDelta::hours(72));
        prop_assert!(strict > default);
        prop_assert!(strict - default <= TimeDelta::hours(1));
    }

    #[test]
    fn prop_art_3_2_c_add_months_never_panics(date in any_date(), months in any::<u32>()) {
        if let Some(end) = add_months(date, months) {
            prop_assert!(end >= date);
            prop_assert!(end.day() <= date.day());
            let index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
            prop_assert_eq!(index(end) - index(date), i64::from(months));
        }
    }

    #[test]
    fn prop_small_month_counts_on_any_date(date in any_date(), months in 0..1200u32) {
        let _ = add_months(date, months);
        let _ = roll_forward(date, &Czechia);
        let _ = DeadlinePolicy::czech().month_period(date, months);
    }

    #[test]
    fn prop_nothing_panics_at_the_ends_of_time(policy in policy(), received in any_instant()) {
        let _ = policy.request_deadlines(received);
        let _ = policy.breach_deadline(received);
        let _ = receipt_date(received, policy.zone());
    }

    #[test]
    fn prop_art_3_2_b_end_of_day_is_the_next_local_midnight(
        zone in a_zone(), days in 0..73_000i64,
    ) {
        let date = d(1950, 1, 1) + TimeDelta::days(days);
        let start = start_of_day(date, zone).unwrap();
        let end = end_of_day(date, zone).unwrap();
        prop_assert!(end > start);
        prop_assert!(end - start <= TimeDelta::hours(25) && end - start >= TimeDelta::hours(22));
        prop_assert_eq!(receipt_date(start, zone).unwrap(), date);
        prop_assert_eq!(receipt_date(end - TimeDelta::nanoseconds(1), zone).unwrap(), date);
        prop_assert_eq!(receipt_date(end, zone).unwrap(), date.succ_opt().unwrap());
    }

    #[test]
    fn prop_art_3_4_holiday_list_rolls_to_a_working_day(
        holidays in prop::collection::btree_set(0..60i64, 0..40), start in 0..60i64,
    ) {
        let base = d(2025, 1, 1);
        let list = HolidayList::new("random", holidays.iter().map(|n| base + TimeDelta::days(*n))).unwrap();
        let from = base + TimeDelta::days(start);
        let rolled = roll_forward(from, &list).unwrap();
        prop_assert!(rolled >= from && is_working_day(rolled, &list));
        let mut day = from;
        while day < rolled {
            prop_assert!(!is_working_day(day, &list));
            day = day.succ_opt().unwrap();
        }
    }
}
