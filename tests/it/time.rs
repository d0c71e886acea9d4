//! Tests of `gdpr_obligations::time`: the worked examples of Art. 12(3) and Art. 33(1) GDPR under
//! Regulation 1182/71, the Czech calendar, serde and JSON Schema, and properties over random
//! receipt instants.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use gdpr_obligations::time::{
    BreachClock, Calendar, Clock, Czechia, Deadline, DeadlinePolicy, ExtensionRule, FixedClock, HolidayCalendar,
    HolidayList, IdentityPause, IdentityPauseSpan, RequestDeadlines, SystemClock, TimeError, WeekendsOnly, Zone,
    add_hours, add_months, easter_sunday, end_of_day, is_working_day, receipt_date, roll_forward, start_of_day,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::common;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn zone(name: &str) -> Zone {
    name.parse().unwrap()
}

/// A request received at noon UTC on `date` (the same date in UTC and Prague).
fn noon(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(12, 0, 0).unwrap().and_utc()
}

fn weekends_utc() -> DeadlinePolicy {
    DeadlinePolicy::new(Zone::UTC, Calendar::WeekendsOnly)
}

fn due_date(policy: &DeadlinePolicy, received: NaiveDate) -> NaiveDate {
    policy.request_deadlines(noon(received)).unwrap().due().date()
}

// ---------------------------------------------------------------------------------------------
// Art. 12(3) GDPR with Art. 3 of Regulation 1182/71
// ---------------------------------------------------------------------------------------------

#[test]
fn art_12_3_edpb_example_32_5_march_due_5_april() {
    for year in 2000..=2100 {
        assert_eq!(add_months(d(year, 3, 5), 1), Some(d(year, 4, 5)));
    }
    // 2022: 5 April is a Tuesday, so nothing rolls.
    let deadlines = DeadlinePolicy::czech().request_deadlines(noon(d(2022, 3, 5))).unwrap();
    assert_eq!(deadlines.received_date(), d(2022, 3, 5));
    assert_eq!(deadlines.due().date(), d(2022, 4, 5));
    assert_eq!(deadlines.extension_notice_due(), deadlines.due());
    assert_eq!(deadlines.extended_due().date(), d(2022, 6, 6)); // 5 June 2022 is a Sunday
}

#[test]
fn art_12_3_edpb_example_33_31_august_due_30_september() {
    for year in 2000..=2100 {
        assert_eq!(add_months(d(year, 8, 31), 1), Some(d(year, 9, 30)));
    }
    assert_eq!(due_date(&DeadlinePolicy::czech(), d(2025, 8, 31)), d(2025, 9, 30));
}

#[test]
fn art_12_3_old_ico_day_after_reading_is_rejected_5_march_not_6_april() {
    // 5 and 6 April 2022 are both working days, so only the counting method can differ.
    for policy in [DeadlinePolicy::czech(), weekends_utc()] {
        assert_ne!(due_date(&policy, d(2022, 3, 5)), d(2022, 4, 6));
    }
}

#[test]
fn art_12_3_31_january_extended_not_1_may() {
    for year in [2025, 2027, 2030] {
        let deadlines = weekends_utc().request_deadlines(noon(d(year, 1, 31))).unwrap();
        assert_ne!(deadlines.extended_due().date(), d(year, 5, 1), "{year}");
        assert_eq!(deadlines.extended_due().date(), roll_forward(d(year, 4, 30), &WeekendsOnly).unwrap(), "{year}");
    }
    assert_eq!(weekends_utc().request_deadlines(noon(d(2025, 1, 31))).unwrap().extended_due().date(), d(2025, 4, 30));
}

#[test]
fn art_3_2_c_month_end_clamp() {
    assert_eq!(add_months(d(2025, 1, 31), 1), Some(d(2025, 2, 28)));
    assert_eq!(add_months(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
    assert_eq!(add_months(d(2100, 1, 31), 1), Some(d(2100, 2, 28)));
    assert_eq!(add_months(d(2000, 1, 31), 1), Some(d(2000, 2, 29)));
    assert_eq!(add_months(d(2025, 3, 31), 1), Some(d(2025, 4, 30)));
    assert_eq!(add_months(d(2025, 11, 30), 3), Some(d(2026, 2, 28)));
    assert_eq!(add_months(d(2025, 5, 17), 0), Some(d(2025, 5, 17)));
    // 28 Feb 2025 is a Friday: no roll.
    assert_eq!(due_date(&weekends_utc(), d(2025, 1, 31)), d(2025, 2, 28));
}

#[test]
fn art_3_2_c_add_months_out_of_range_is_none() {
    assert_eq!(add_months(NaiveDate::MAX, 1), None);
    assert_eq!(add_months(d(2025, 1, 1), u32::MAX), None);
    let error = DeadlinePolicy::new(Zone::UTC, Calendar::WeekendsOnly).month_period(NaiveDate::MAX, 1).unwrap_err();
    assert!(matches!(error, TimeError::MonthsOutOfRange { .. }));
    assert!(error.to_string().contains("Art. 3(2)(c) of Regulation 1182/71"));
}

#[test]
fn art_3_4_reg_1182_71_rolls_off_weekend() {
    // Received Wed 5 March 2025: 5 April is a Saturday -> Monday 7 April.
    let deadlines = weekends_utc().request_deadlines(noon(d(2025, 3, 5))).unwrap();
    assert_eq!(deadlines.due().date(), d(2025, 4, 7));
    assert_eq!(deadlines.due().date().weekday(), Weekday::Mon);
    // Sunday 6 April -> Monday 7 April as well.
    assert_eq!(roll_forward(d(2025, 4, 6), &WeekendsOnly), Some(d(2025, 4, 7)));
    assert_eq!(roll_forward(d(2025, 4, 7), &WeekendsOnly), Some(d(2025, 4, 7)));
}

#[test]
fn art_3_4_reg_1182_71_rolls_off_czech_holidays() {
    let cz = DeadlinePolicy::czech();
    // 28 October 2025 (Tuesday) is Independent Czechoslovak State Day.
    assert_eq!(due_date(&cz, d(2025, 9, 28)), d(2025, 10, 29));
    assert_eq!(due_date(&weekends_utc(), d(2025, 9, 28)), d(2025, 10, 28));
    // Easter Monday 6 April 2026.
    assert_eq!(due_date(&cz, d(2026, 3, 6)), d(2026, 4, 7));
    // Good Friday 3 April 2026, then the weekend, then Easter Monday.
    assert_eq!(due_date(&cz, d(2026, 3, 3)), d(2026, 4, 7));
    assert_eq!(due_date(&weekends_utc(), d(2026, 3, 3)), d(2026, 4, 3));
    // 24-26 December 2025 (Wed-Fri) and the weekend.
    assert_eq!(due_date(&cz, d(2025, 11, 24)), d(2025, 12, 29));
}

#[test]
fn art_3_4_reg_1182_71_user_holiday_list() {
    let list = HolidayList::new("test", [d(2025, 4, 7), d(2025, 4, 8)]).unwrap();
    let policy = DeadlinePolicy::new(Zone::UTC, Calendar::List(list));
    assert_eq!(due_date(&policy, d(2025, 3, 5)), d(2025, 4, 9));
}

#[test]
fn art_3_4_reg_1182_71_calendar_without_working_days_is_an_error() {
    #[derive(Debug)]
    struct AlwaysHoliday;
    impl HolidayCalendar for AlwaysHoliday {
        fn is_public_holiday(&self, _: NaiveDate) -> bool {
            true
        }
        fn id(&self) -> &str {
            "always"
        }
    }
    assert_eq!(roll_forward(d(2025, 1, 1), &AlwaysHoliday), None);
    let policy = DeadlinePolicy::new(Zone::UTC, Calendar::List(HolidayList::new("x", []).unwrap()));
    assert!(policy.month_period(d(2025, 1, 1), 1).is_ok());
}

#[test]
fn art_12_3_receipt_date_in_prague_time_zone() {
    let received = utc("2025-01-31T23:30:00Z");
    assert_eq!(receipt_date(received, Zone::EUROPE_PRAGUE).unwrap(), d(2025, 2, 1));
    assert_eq!(receipt_date(received, Zone::UTC).unwrap(), d(2025, 1, 31));

    let cz = DeadlinePolicy::czech().request_deadlines(received).unwrap();
    assert_eq!(cz.received_date(), d(2025, 2, 1));
    assert_eq!(cz.due().date(), d(2025, 3, 3)); // 1 March 2025 is a Saturday
    let utc_policy = DeadlinePolicy::new(Zone::UTC, Calendar::Czechia);
    assert_eq!(utc_policy.request_deadlines(received).unwrap().due().date(), d(2025, 2, 28));
}

#[test]
fn art_3_2_c_period_ends_at_local_midnight() {
    let cz = DeadlinePolicy::czech().request_deadlines(utc("2025-03-05T09:00:00Z")).unwrap();
    let due = cz.due();
    assert_eq!(due.date(), d(2025, 4, 7));
    assert_eq!(due.expires_at(), utc("2025-04-07T22:00:00Z")); // 24:00 CEST
    assert!(!due.is_overdue(utc("2025-04-07T21:59:59Z")));
    assert!(due.is_overdue(utc("2025-04-07T22:00:00Z")));
    assert_eq!(due.time_left(utc("2025-04-08T22:00:00Z")), TimeDelta::days(-1));
    // In winter, 24:00 CET is 23:00 UTC.
    assert_eq!(end_of_day(d(2025, 1, 15), Zone::EUROPE_PRAGUE).unwrap(), utc("2025-01-15T23:00:00Z"));
    // The day of the switch to summer time has 23 hours.
    let start = start_of_day(d(2025, 3, 30), Zone::EUROPE_PRAGUE).unwrap();
    let end = end_of_day(d(2025, 3, 30), Zone::EUROPE_PRAGUE).unwrap();
    assert_eq!(end - start, TimeDelta::hours(23));
}

#[test]
fn art_3_2_b_day_starts_after_a_midnight_dst_gap() {
    // São Paulo skipped 00:00-01:00 on 4 November 2018: the day began at 01:00 -02:00.
    let sao_paulo = zone("America/Sao_Paulo");
    assert_eq!(start_of_day(d(2018, 11, 4), sao_paulo).unwrap(), utc("2018-11-04T03:00:00Z"));
    assert_eq!(end_of_day(d(2018, 11, 3), sao_paulo).unwrap(), utc("2018-11-04T03:00:00Z"));
    // Santiago skipped 00:00-01:00 on 11 September 2022.
    let santiago = zone("America/Santiago");
    assert_eq!(start_of_day(d(2022, 9, 11), santiago).unwrap(), utc("2022-09-11T04:00:00Z"));
}

#[test]
fn art_3_2_b_day_starts_at_the_first_of_a_repeated_midnight() {
    // Havana repeated 00:00-01:00 on 6 November 2022 (01:00 CDT -> 00:00 CST).
    let havana = zone("America/Havana");
    assert_eq!(start_of_day(d(2022, 11, 6), havana).unwrap(), utc("2022-11-06T04:00:00Z"));
    assert_eq!(end_of_day(d(2022, 11, 6), havana).unwrap(), utc("2022-11-07T05:00:00Z"));
}

// ---------------------------------------------------------------------------------------------
// Extension rules (Art. 12(3), second sentence)
// ---------------------------------------------------------------------------------------------

#[test]
fn art_12_3_extension_rule_a_b_and_rejected_c() {
    let received = d(2026, 1, 31);
    let a = weekends_utc().request_deadlines(noon(received)).unwrap();
    let b =
        weekends_utc().with_extension(ExtensionRule::ConservativeEarliest).request_deadlines(noon(received)).unwrap();
    // Rule C: two months added to the rolled one-month deadline.
    let rolled_one_month = roll_forward(add_months(received, 1).unwrap(), &WeekendsOnly).unwrap();
    assert_eq!(rolled_one_month, d(2026, 3, 2));
    let c = roll_forward(add_months(rolled_one_month, 2).unwrap(), &WeekendsOnly).unwrap();

    assert_eq!(a.extended_due().date(), d(2026, 4, 30));
    assert_eq!(b.extended_due().date(), d(2026, 4, 28));
    assert_eq!(c, d(2026, 5, 4));
    assert!(c > a.extended_due().date() && c > b.extended_due().date());
    assert_eq!(a.due(), b.due());
    assert_eq!(ExtensionRule::default(), ExtensionRule::ThreeMonthsFromReceipt);
}

#[test]
fn art_12_3_extension_rules_agree_before_the_29th() {
    for day in 1..=28 {
        let received = noon(d(2025, 1, day));
        let a = weekends_utc().request_deadlines(received).unwrap();
        let b = weekends_utc().with_extension(ExtensionRule::ConservativeEarliest).request_deadlines(received).unwrap();
        assert_eq!(a, b, "received 2025-01-{day:02}");
    }
}

// ---------------------------------------------------------------------------------------------
// Identity pauses (Art. 12(6) GDPR; EDPB Guidelines 01/2022 §159)
// ---------------------------------------------------------------------------------------------

fn identity_example(policy: IdentityPause) -> RequestDeadlines {
    let span = IdentityPauseSpan::new(d(2025, 3, 6), d(2025, 3, 12)).unwrap();
    DeadlinePolicy::czech()
        .with_identity_pause(policy)
        .request_deadlines_with_pauses(noon(d(2025, 3, 5)), &[span])
        .unwrap()
}

#[test]
fn art_12_6_identity_none_ignores_the_pause() {
    let deadlines = identity_example(IdentityPause::None);
    assert_eq!(deadlines.due().date(), d(2025, 4, 7));
    assert_eq!(deadlines.extended_due().date(), d(2025, 6, 5));
    assert_eq!(deadlines.paused_days(), 0);
    assert_eq!(IdentityPause::default(), IdentityPause::None);
}

#[test]
fn art_12_6_identity_pause_adds_paused_days_before_rolling() {
    let deadlines = identity_example(IdentityPause::Pause);
    assert_eq!(deadlines.paused_days(), 6);
    assert_eq!(deadlines.counted_from(), d(2025, 3, 5));
    assert_eq!(deadlines.due().date(), d(2025, 4, 11));
    assert_eq!(deadlines.extension_notice_due().date(), d(2025, 4, 11));
    assert_eq!(deadlines.extended_due().date(), d(2025, 6, 11)); // 5 June + 6 days
}

#[test]
fn art_12_6_identity_restart_counts_from_the_identity_date() {
    let deadlines = identity_example(IdentityPause::Restart);
    assert_eq!(deadlines.counted_from(), d(2025, 3, 12));
    assert_eq!(deadlines.received_date(), d(2025, 3, 5));
    assert_eq!(deadlines.due().date(), d(2025, 4, 14)); // 12 April is a Saturday
    assert_eq!(deadlines.extended_due().date(), d(2025, 6, 12));
}

#[test]
fn art_12_6_overlapping_pauses_count_once() {
    let spans = [
        IdentityPauseSpan::new(d(2025, 3, 6), d(2025, 3, 12)).unwrap(),
        IdentityPauseSpan::new(d(2025, 3, 10), d(2025, 3, 14)).unwrap(),
        IdentityPauseSpan::new(d(2025, 3, 20), d(2025, 3, 21)).unwrap(),
    ];
    let deadlines = DeadlinePolicy::czech()
        .with_identity_pause(IdentityPause::Pause)
        .request_deadlines_with_pauses(noon(d(2025, 3, 5)), &spans)
        .unwrap();
    assert_eq!(deadlines.paused_days(), 9); // 6-14 March and 20-21 March
}

#[test]
fn art_12_6_pause_validation() {
    let reversed = IdentityPauseSpan::new(d(2025, 3, 12), d(2025, 3, 6)).unwrap_err();
    assert!(matches!(reversed, TimeError::PauseReversed { .. }));
    assert!(reversed.to_string().contains("EDPB Guidelines 01/2022 §159"));
    let early = IdentityPauseSpan::new(d(2025, 3, 1), d(2025, 3, 6)).unwrap();
    let error = DeadlinePolicy::czech()
        .with_identity_pause(IdentityPause::Pause)
        .request_deadlines_with_pauses(noon(d(2025, 3, 5)), &[early])
        .unwrap_err();
    assert_eq!(error, TimeError::PauseBeforeReceipt { requested: d(2025, 3, 1), received: d(2025, 3, 5) });
    assert!(
        serde_json::from_value::<IdentityPauseSpan>(json!({"requested": "2025-03-12", "provided": "2025-03-06"}))
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// Art. 33(1) GDPR: 72 hours
// ---------------------------------------------------------------------------------------------

#[test]
fn art_33_1_breach_default_is_awareness_plus_72h() {
    let policy = DeadlinePolicy::czech();
    assert_eq!(policy.breach_clock(), BreachClock::AwarenessPlus72h);
    // 2025-06-30 14:30 CEST -> 2025-07-03 14:30 CEST.
    assert_eq!(policy.breach_deadline(utc("2025-06-30T12:30:00Z")).unwrap(), utc("2025-07-03T12:30:00Z"));
}

#[test]
fn art_33_1_strict_hours_excludes_the_hour_of_awareness() {
    let strict = DeadlinePolicy::czech().with_breach_clock(BreachClock::StrictHours);
    // 14:30 CEST -> 15:00 CEST three days later.
    assert_eq!(strict.breach_deadline(utc("2025-06-30T12:30:00Z")).unwrap(), utc("2025-07-03T13:00:00Z"));
    // Awareness on the hour: the whole hour is still excluded.
    assert_eq!(strict.breach_deadline(utc("2025-06-30T12:00:00Z")).unwrap(), utc("2025-07-03T13:00:00Z"));
}

#[test]
fn art_33_1_hours_never_roll_over_weekends() {
    // Fri 2025-12-19 10:05 CET -> Mon 2025-12-22 10:05 (strict 11:00).
    let aware = utc("2025-12-19T09:05:00Z");
    let policy = DeadlinePolicy::czech();
    assert_eq!(policy.breach_deadline(aware).unwrap(), utc("2025-12-22T09:05:00Z"));
    assert_eq!(add_hours(aware, 72).unwrap(), utc("2025-12-22T09:05:00Z"));
    // Over Christmas too: 23 Dec 10:05 CET -> 26 Dec 10:05, a Czech holiday.
    assert_eq!(policy.breach_deadline(utc("2025-12-23T09:05:00Z")).unwrap(), utc("2025-12-26T09:05:00Z"));
    let strict = policy.with_breach_clock(BreachClock::StrictHours);
    assert_eq!(strict.breach_deadline(aware).unwrap(), utc("2025-12-22T10:00:00Z"));
}

#[test]
fn art_33_1_strict_hours_are_local_hours() {
    // India is UTC+05:30: 10:05 IST is 04:35 UTC; the next local hour starts at 11:00 IST.
    let policy =
        DeadlinePolicy::new(zone("Asia/Kolkata"), Calendar::WeekendsOnly).with_breach_clock(BreachClock::StrictHours);
    assert_eq!(policy.breach_deadline(utc("2025-06-30T04:35:00Z")).unwrap(), utc("2025-07-03T05:30:00Z"));
}

/// Found by the `deadlines` fuzz target (`fuzz/`): awareness during a leap second, which
/// RFC 3339 input may carry as `23:59:60`. 72 real hours later is 23:59:59.5 three days on;
/// chrono's subtraction counts the leap second as part of the second before it, so the
/// difference it shows is one second short of 72 hours.
#[test]
fn art_33_1_breach_deadline_from_a_leap_second_is_72_real_hours_later() {
    let aware = utc("2016-12-31T23:59:60.5Z");
    let policy = DeadlinePolicy::new(Zone::UTC, Calendar::WeekendsOnly);
    assert_eq!(policy.breach_deadline(aware).unwrap(), utc("2017-01-03T23:59:59.5Z"));
    let received = policy.request_deadlines(aware).unwrap();
    assert_eq!(received.received_date(), d(2016, 12, 31));
    assert_eq!(received.due().date(), d(2017, 1, 31));
    let strict = policy.with_breach_clock(BreachClock::StrictHours);
    assert_eq!(strict.breach_deadline(aware).unwrap(), utc("2017-01-04T00:00:00Z"));
}

#[test]
fn art_3_2_a_add_hours_out_of_range_is_an_error() {
    let error = add_hours(DateTime::<Utc>::MAX_UTC, 1).unwrap_err();
    assert!(error.to_string().contains("Art. 3(2)(a) of Regulation 1182/71"));
    let strict = DeadlinePolicy::czech().with_breach_clock(BreachClock::StrictHours);
    assert!(strict.breach_deadline(DateTime::<Utc>::MAX_UTC).is_err());
    assert!(DeadlinePolicy::czech().request_deadlines(DateTime::<Utc>::MAX_UTC).is_err());
    // A receipt at chrono's first instant has deadlines before the year 0000, which RFC 3339
    // cannot write.
    assert!(matches!(
        DeadlinePolicy::czech().request_deadlines(DateTime::<Utc>::MIN_UTC),
        Err(TimeError::OutsideRfc3339Years { .. })
    ));
}

#[test]
fn art_12_3_request_deadlines_read_from_json_are_ones_a_policy_can_compute() {
    let policy = DeadlinePolicy::czech().with_extension(ExtensionRule::ConservativeEarliest);
    let made = policy.request_deadlines(utc("2026-01-31T10:00:00Z")).unwrap();
    let good = serde_json::to_value(&made).unwrap();
    assert_eq!(serde_json::from_value::<RequestDeadlines>(good.clone()).unwrap(), made);
    let deadline =
        |date: NaiveDate| serde_json::to_value(Deadline::at_end_of(date, Zone::EUROPE_PRAGUE).unwrap()).unwrap();
    let early = deadline(d(2026, 1, 5));
    let refused = |field: &str, value: serde_json::Value| {
        let mut bad = good.clone();
        bad[field] = value;
        serde_json::from_value::<RequestDeadlines>(bad).unwrap_err().to_string()
    };
    // The review's case: due and extended due before the receipt.
    let mut bad = good.clone();
    bad["due"] = early.clone();
    bad["extension_notice_due"] = early.clone();
    bad["extended_due"] = deadline(d(2025, 12, 1));
    let error = serde_json::from_value::<RequestDeadlines>(bad).unwrap_err().to_string();
    assert!(error.contains("`due` is earlier than one month"), "{error}");
    assert!(error.contains("Art. 12(3) GDPR"), "{error}");
    assert!(refused("counted_from", json!("2026-01-01")).contains("`counted_from` is before `received_date`"));
    assert!(refused("extension_notice_due", deadline(d(2026, 3, 31))).contains("`extension_notice_due` differs"));
    assert!(refused("extended_due", deadline(d(2026, 3, 2))).contains("`extended_due` is earlier"));
    let mut restarted = good.clone();
    restarted["counted_from"] = json!("2026-02-02");
    restarted["paused_days"] = json!(3);
    let error = serde_json::from_value::<RequestDeadlines>(restarted).unwrap_err().to_string();
    assert!(error.contains("`paused_days` with a restarted count"), "{error}");
    let positional: Vec<serde_json::Value> =
        ["received_date", "counted_from", "paused_days", "due", "extension_notice_due", "extended_due"]
            .iter()
            .map(|f| good[*f].clone())
            .collect();
    assert!(serde_json::from_value::<RequestDeadlines>(json!(positional)).is_err(), "an array is not deadlines");
}

#[test]
fn reg_1182_71_art_3_2_b_no_deadline_is_made_or_read_past_the_year_9999() {
    let late = utc("9999-12-31T23:59:59Z");
    let error = DeadlinePolicy::czech().request_deadlines(late).unwrap_err();
    assert!(matches!(error, TimeError::OutsideRfc3339Years { .. }), "{error:?}");
    assert!(error.to_string().contains("0000 to 9999"), "{error}");
    assert!(matches!(add_hours(late, 72), Err(TimeError::HoursOutOfRange { .. })));
    assert!(DeadlinePolicy::czech().breach_deadline(late).is_err());
    // The last day RFC 3339 can write is still a deadline where it ends before the year 10000.
    let last = d(9999, 12, 31);
    assert!(Deadline::at_end_of(last, Zone::EUROPE_PRAGUE).is_ok());
    assert!(Deadline::at_end_of(last, Zone::UTC).is_err());
    // What the crate no longer writes, it does not read either.
    let read = |date: &str, expires_at: &str| {
        serde_json::from_value::<Deadline>(json!({"date": date, "expires_at": expires_at}))
    };
    assert!(read("+10000-02-01", "+10000-02-01T23:00:00Z").is_err());
    assert!(read("9999-12-31", "+10000-01-01T00:00:00Z").is_err());
    assert!(read("9999-12-31", "9999-12-31T23:00:00Z").is_ok());
}

// ---------------------------------------------------------------------------------------------
// Czech public holidays (Act No. 245/2000 Coll.) and Easter
// ---------------------------------------------------------------------------------------------

fn czech_holidays(year: i32) -> Vec<NaiveDate> {
    d(year, 1, 1)
        .iter_days()
        .take_while(|day| day.year() == year)
        .filter(|day| Czechia.is_public_holiday(*day))
        .collect()
}

#[test]
fn act_245_2000_czech_holidays_2025() {
    let expected = [
        (1, 1),
        (4, 18),
        (4, 21),
        (5, 1),
        (5, 8),
        (7, 5),
        (7, 6),
        (9, 28),
        (10, 28),
        (11, 17),
        (12, 24),
        (12, 25),
        (12, 26),
    ]
    .map(|(m, day)| d(2025, m, day));
    assert_eq!(czech_holidays(2025), expected);
}

#[test]
fn act_245_2000_czech_holidays_2026_match_oj_c_2025_6771() {
    let expected = [
        (1, 1),
        (4, 3),
        (4, 6),
        (5, 1),
        (5, 8),
        (7, 5),
        (7, 6),
        (9, 28),
        (10, 28),
        (11, 17),
        (12, 24),
        (12, 25),
        (12, 26),
    ]
    .map(|(m, day)| d(2026, m, day));
    assert_eq!(czech_holidays(2026), expected);
}

#[test]
fn act_245_2000_good_friday_only_from_2016() {
    assert_eq!(czech_holidays(2015).len(), 12);
    assert!(!Czechia.is_public_holiday(d(2015, 4, 3)));
    assert!(Czechia.is_public_holiday(d(2015, 4, 6)));
    assert!(Czechia.is_public_holiday(d(2016, 3, 25)));
    for year in 2016..=2100 {
        assert_eq!(czech_holidays(year).len(), 13, "{year}");
    }
}

#[test]
fn act_245_2000_significant_days_are_working_days() {
    // 8 March (International Women's Day) and 27 January are významné dny, not holidays.
    assert!(is_working_day(d(2027, 3, 8), &Czechia));
    assert!(is_working_day(d(2025, 1, 27), &Czechia));
    // A holiday on a weekend is not moved: 28 September 2025 is a Sunday, Monday is working.
    assert!(is_working_day(d(2025, 9, 29), &Czechia));
}

#[test]
fn easter_sunday_table_2024_2035() {
    let table = [
        (2024, 3, 31),
        (2025, 4, 20),
        (2026, 4, 5),
        (2027, 3, 28),
        (2028, 4, 16),
        (2029, 4, 1),
        (2030, 4, 21),
        (2031, 4, 13),
        (2032, 3, 28),
        (2033, 4, 17),
        (2034, 4, 9),
        (2035, 3, 25),
    ];
    for (year, month, day) in table {
        let easter = d(year, month, day);
        assert_eq!(easter_sunday(year), Some(easter));
        assert!(Czechia.is_public_holiday(easter.pred_opt().unwrap().pred_opt().unwrap()));
        assert!(Czechia.is_public_holiday(easter.succ_opt().unwrap()));
    }
    assert_eq!(easter_sunday(1582), None);
    assert_eq!(easter_sunday(1583), Some(d(1583, 4, 10)));
    assert_eq!(easter_sunday(i32::MAX), None);
    assert_eq!(easter_sunday(i32::MIN), None);
}

#[test]
fn easter_sunday_is_a_sunday_between_22_march_and_25_april() {
    for year in 1583..=4099 {
        let easter = easter_sunday(year).unwrap();
        assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
        assert!(easter >= d(year, 3, 22) && easter <= d(year, 4, 25), "{year}");
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing, names and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn zone_parses_iana_names_and_names_the_unknown_one() {
    assert_eq!(zone("Europe/Prague"), Zone::EUROPE_PRAGUE);
    assert_eq!(zone("UTC"), Zone::UTC);
    assert_eq!(Zone::EUROPE_PRAGUE.name(), "Europe/Prague");
    assert_eq!(Zone::EUROPE_PRAGUE.to_string(), "Europe/Prague");
    let error = "Europe/Atlantis".parse::<Zone>().unwrap_err();
    assert_eq!(error.to_string(), "unknown IANA time zone `Europe/Atlantis`");
    assert!(serde_json::from_value::<Zone>(json!("Europe/Atlantis")).is_err());
}

#[test]
fn calendar_parses_short_names_and_lists_accepted_ones() {
    assert_eq!("cz".parse::<Calendar>().unwrap(), Calendar::Czechia);
    assert_eq!("czechia".parse::<Calendar>().unwrap(), Calendar::Czechia);
    assert_eq!("weekends".parse::<Calendar>().unwrap(), Calendar::WeekendsOnly);
    let error = "mars".parse::<Calendar>().unwrap_err().to_string();
    for name in Calendar::ACCEPTED_NAMES {
        assert!(error.contains(name), "{error}");
    }
    for name in Calendar::ACCEPTED_NAMES {
        let calendar: Calendar = name.parse().unwrap();
        assert_eq!(calendar.id().parse::<Calendar>().unwrap(), calendar);
    }
    assert_eq!(Calendar::WeekendsOnly.id(), WeekendsOnly.id());
    assert_eq!(Calendar::Czechia.id(), "cz");
}

#[test]
fn holiday_list_requires_an_id() {
    assert_eq!(HolidayList::new("", []).unwrap_err(), TimeError::EmptyCalendarId);
    assert!(serde_json::from_value::<HolidayList>(json!({"id": "", "dates": []})).is_err());
    let list = HolidayList::new("x", [d(2025, 2, 1), d(2025, 1, 1), d(2025, 1, 1)]).unwrap();
    assert_eq!(list.dates().collect::<Vec<_>>(), [d(2025, 1, 1), d(2025, 2, 1)]);
    assert_eq!(Calendar::List(list).id(), "x");
}

fn check_policy_names<T>(all: &[T])
where
    T: Copy + Eq + std::fmt::Debug + std::fmt::Display + std::str::FromStr + Serialize,
    T::Err: std::fmt::Display,
{
    for value in all {
        let name = value.to_string();
        assert_eq!(serde_json::to_value(value).unwrap(), json!(name));
        assert_eq!(name.parse::<T>().ok(), Some(*value));
    }
    let error = "bogus".parse::<T>().err().unwrap().to_string();
    for value in all {
        assert!(error.contains(&value.to_string()), "{error}");
    }
    assert!(!error.ends_with('.') && !error.ends_with(", "), "{error}");
}

#[test]
fn policy_names_match_serde_and_parse_back() {
    check_policy_names(ExtensionRule::ALL);
    check_policy_names(IdentityPause::ALL);
    check_policy_names(BreachClock::ALL);
    assert_eq!(ExtensionRule::ThreeMonthsFromReceipt.as_str(), "three_months_from_receipt");
    assert_eq!(BreachClock::AwarenessPlus72h.as_str(), "awareness_plus_72h");
    assert_eq!(ExtensionRule::ALL[0], ExtensionRule::default());
    assert_eq!(IdentityPause::ALL[0], IdentityPause::default());
    assert_eq!(BreachClock::ALL[0], BreachClock::default());
}

#[test]
fn error_messages_are_lower_case_without_final_period() {
    let errors = [
        "x".parse::<Zone>().unwrap_err(),
        "x".parse::<Calendar>().unwrap_err(),
        "x".parse::<ExtensionRule>().unwrap_err(),
        HolidayList::new("", []).unwrap_err(),
        IdentityPauseSpan::new(d(2025, 1, 2), d(2025, 1, 1)).unwrap_err(),
        add_hours(DateTime::<Utc>::MAX_UTC, 1).unwrap_err(),
        DeadlinePolicy::czech().month_period(NaiveDate::MAX, 1).unwrap_err(),
        end_of_day(NaiveDate::MAX, Zone::UTC).unwrap_err(),
        receipt_date(DateTime::<Utc>::MAX_UTC, Zone::EUROPE_PRAGUE).unwrap_err(),
    ];
    for error in errors {
        let message = error.to_string();
        let first = message.chars().next().unwrap();
        assert!(!first.is_uppercase() && !message.ends_with('.'), "{message}");
    }
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_send_sync::<Zone>();
    assert_send_sync::<Calendar>();
    assert_send_sync::<DeadlinePolicy>();
    assert_send_sync::<RequestDeadlines>();
    assert_send_sync::<FixedClock>();
    assert_send_sync::<Box<dyn HolidayCalendar>>();
    assert_send_sync::<Box<dyn Clock>>();
    assert_error::<TimeError>();
}

#[test]
fn clocks() {
    let clock = FixedClock::new(utc("2025-03-05T09:00:00Z"));
    assert_eq!(clock.now(), utc("2025-03-05T09:00:00Z"));
    assert_eq!(clock.advance(TimeDelta::hours(1)), Some(utc("2025-03-05T10:00:00Z")));
    clock.set(DateTime::<Utc>::MAX_UTC);
    assert_eq!(clock.advance(TimeDelta::hours(1)), None);
    assert_eq!(clock.now(), DateTime::<Utc>::MAX_UTC);
    let shared: std::sync::Arc<dyn Clock> = std::sync::Arc::new(SystemClock);
    assert!(shared.now() > utc("2025-01-01T00:00:00Z"));
}

// ---------------------------------------------------------------------------------------------
// serde and JSON Schema
// ---------------------------------------------------------------------------------------------

/// Round-trips `value` through JSON and checks the JSON against the type's JSON Schema.
fn round_trip<T>(value: &T)
where
    T: Serialize + DeserializeOwned + schemars::JsonSchema + PartialEq + std::fmt::Debug,
{
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    assert!(schema.is_object(), "schema of {} is not an object", std::any::type_name::<T>());
    common::assert_json_contract(value);
}

fn sample_list() -> HolidayList {
    HolidayList::new("be-2025", [d(2025, 7, 21), d(2025, 8, 15)]).unwrap()
}

#[test]
fn serde_round_trips_and_agrees_with_json_schema() {
    round_trip(&Zone::EUROPE_PRAGUE);
    round_trip(&zone("Asia/Kolkata"));
    round_trip(&Calendar::WeekendsOnly);
    round_trip(&Calendar::Czechia);
    round_trip(&Calendar::List(sample_list()));
    round_trip(&sample_list());
    ExtensionRule::ALL.iter().for_each(round_trip);
    IdentityPause::ALL.iter().for_each(round_trip);
    BreachClock::ALL.iter().for_each(round_trip);
    round_trip(&IdentityPauseSpan::new(d(2025, 3, 6), d(2025, 3, 12)).unwrap());
    round_trip(&Deadline::at_end_of(d(2025, 4, 7), Zone::EUROPE_PRAGUE).unwrap());
    round_trip(&identity_example(IdentityPause::Pause));
    round_trip(&DeadlinePolicy::czech());
    round_trip(
        &DeadlinePolicy::new(zone("Europe/Brussels"), Calendar::List(sample_list()))
            .with_extension(ExtensionRule::ConservativeEarliest)
            .with_identity_pause(IdentityPause::Restart)
            .with_breach_clock(BreachClock::StrictHours),
    );
}

#[test]
fn json_wire_format() {
    assert_eq!(serde_json::to_value(Calendar::Czechia).unwrap(), json!("czechia"));
    assert_eq!(
        serde_json::to_value(DeadlinePolicy::czech()).unwrap(),
        json!({
            "zone": "Europe/Prague",
            "calendar": "czechia",
            "extension": "three_months_from_receipt",
            "identity_pause": "none",
            "breach_clock": "awareness_plus_72h"
        })
    );
    // The readings default when absent.
    let policy: DeadlinePolicy = serde_json::from_value(json!({"zone": "UTC", "calendar": "weekends_only"})).unwrap();
    assert_eq!(policy, DeadlinePolicy::new(Zone::UTC, Calendar::WeekendsOnly));
    assert_eq!(
        serde_json::to_value(Deadline::at_end_of(d(2025, 4, 7), Zone::EUROPE_PRAGUE).unwrap()).unwrap(),
        json!({"date": "2025-04-07", "expires_at": "2025-04-07T22:00:00Z"})
    );
}

#[test]
fn reg_1182_71_art_3_2_b_a_deadline_read_from_json_expires_at_the_end_of_its_date() {
    let read = |date: &str, expires_at: &str| {
        serde_json::from_value::<Deadline>(json!({"date": date, "expires_at": expires_at}))
    };
    // The end of 7 April in Prague (UTC+2), in Kiritimati (UTC+14) and in Baker Island (UTC-12).
    assert!(read("2025-04-07", "2025-04-07T22:00:00Z").is_ok());
    assert!(read("2025-04-07", "2025-04-07T10:00:00Z").is_ok());
    assert!(read("2025-04-07", "2025-04-08T12:00:00Z").is_ok());
    let error = read("2025-04-07", "2025-05-07T22:00:00Z").unwrap_err().to_string();
    assert!(error.contains("not the end of 2025-04-07"), "{error}");
    assert!(error.contains("Art. 3(2)(b) of Regulation 1182/71"), "{error}");
    assert!(read("2025-04-07", "2025-04-07T08:59:59Z").is_err(), "before any zone's midnight");
    assert!(read("+262142-12-31", "2025-04-07T22:00:00Z").is_err(), "no day after the last one");
}

#[test]
fn json_schema_rejects_invalid_policies() {
    for bad in [
        json!({"zone": "UTC"}),
        json!({"zone": "UTC", "calendar": "mars"}),
        json!({"zone": 1, "calendar": "czechia"}),
        json!({"zone": "UTC", "calendar": "czechia", "extension": "rule_c"}),
        json!({"zone": "UTC", "calendar": "czechia", "breach_clock": "awareness_plus72h"}),
        json!({"zone": "UTC", "calendar": {"list": {"id": "", "dates": []}}}),
        json!({"zone": "UTC", "calendar": {"other": {}}}),
    ] {
        common::assert_schema_rejects::<DeadlinePolicy>(&bad);
        assert!(serde_json::from_value::<DeadlinePolicy>(bad).is_err());
    }
}

mod properties;
