//! The deadline computation (`time`) on arbitrary instants, zones, calendars and policies:
//! `request_deadlines` (with and without identity pauses), `breach_deadline`, `month_period`,
//! `add_months` and `roll_forward` never panic, and what they return keeps the rules of
//! Art. 12(3) and 33(1) GDPR under Regulation 1182/71:
//! - the response is due on or after the receipt date, on a working day, and the extended
//!   response on or after it; the extension notice is due with the response;
//! - a month period ends on the same day of the month or the last day of a shorter month;
//! - a rolled day is the first working day on or after the nominal one;
//! - the 72 hours of Art. 33(1) end 72 hours after awareness, or up to one hour later under
//!   the strict clock;
//! - away from the ends of chrono's range and with a built-in calendar, nothing fails.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};
use gdpr_obligations::time::{
    BreachClock, Calendar, DeadlinePolicy, ExtensionRule, HolidayList, IdentityPause, IdentityPauseSpan, Zone,
    add_months, is_working_day, receipt_date, roll_forward,
};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    /// Seconds since the epoch, and a sub-second part.
    seconds: i64,
    nanos: u32,
    /// An index into the IANA zones.
    zone: u16,
    calendar: CalendarInput,
    extension: bool,
    identity_pause: u8,
    strict_hours: bool,
    /// Identity pauses as (days after receipt, length in days).
    pauses: Vec<(u16, u16)>,
    months: u32,
}

#[derive(Debug, Arbitrary)]
enum CalendarInput {
    WeekendsOnly,
    Czechia,
    /// Holidays as days from the receipt date.
    List(Vec<i16>),
}

/// Within this many years of the ends of chrono's range, a date may legitimately leave it.
const NEAR_RANGE_END_YEARS: i32 = 2;

fn near_range_end(date: NaiveDate) -> bool {
    date.year() > NaiveDate::MAX.year() - NEAR_RANGE_END_YEARS
        || date.year() < NaiveDate::MIN.year() + NEAR_RANGE_END_YEARS
}

/// The same instant with a leap second (`nanos` of one second or more) read as the second
/// before it, as chrono's arithmetic does.
fn without_leap_second(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.with_nanosecond(instant.nanosecond() % 1_000_000_000).expect("a valid nanosecond")
}

fuzz_target!(|input: Input| {
    let Some(received) = DateTime::<Utc>::from_timestamp(input.seconds, input.nanos) else { return };
    let zones = chrono_tz::TZ_VARIANTS;
    let zone: Zone = zones[usize::from(input.zone) % zones.len()].name().parse().expect("every IANA zone parses");
    let Ok(received_date) = receipt_date(received, zone) else {
        assert!(near_range_end(received.date_naive()), "{received} has no local date in {zone}");
        return;
    };
    let day = |offset: i64| received_date.checked_add_signed(TimeDelta::days(offset));
    let calendar = match &input.calendar {
        CalendarInput::WeekendsOnly => Calendar::WeekendsOnly,
        CalendarInput::Czechia => Calendar::Czechia,
        CalendarInput::List(days) => Calendar::List(
            HolidayList::new("fuzz", days.iter().filter_map(|d| day(i64::from(*d)))).expect("a non-empty id"),
        ),
    };
    let built_in = !matches!(calendar, Calendar::List(_));
    let policy = DeadlinePolicy::new(zone, calendar.clone())
        .with_extension(if input.extension { ExtensionRule::ConservativeEarliest } else { ExtensionRule::default() })
        .with_identity_pause(match input.identity_pause % 3 {
            0 => IdentityPause::None,
            1 => IdentityPause::Pause,
            _ => IdentityPause::Restart,
        })
        .with_breach_clock(if input.strict_hours { BreachClock::StrictHours } else { BreachClock::default() });
    let safe = !near_range_end(received_date);

    // Art. 12(3): one month, and three if extended, from receipt.
    match policy.request_deadlines(received) {
        Ok(d) => {
            assert_eq!(d.received_date(), received_date);
            assert_eq!(d.counted_from(), received_date);
            assert_eq!(d.paused_days(), 0);
            assert!(d.due().date() > received_date, "due {} before receipt {received_date}", d.due().date());
            assert!(
                d.extended_due().date() >= d.due().date(),
                "extended {:?} before due {:?}",
                d.extended_due(),
                d.due()
            );
            assert_eq!(d.extension_notice_due(), d.due());
            assert!(is_working_day(d.due().date(), &calendar), "due on a non-working day {}", d.due().date());
            assert!(is_working_day(d.extended_due().date(), &calendar));
            assert!(d.due().expires_at() > received, "the period expires before the request arrived");
            assert!(d.extended_due().expires_at() >= d.due().expires_at());
            let nominal = add_months(received_date, 1).expect("the period was computed");
            assert_eq!(roll_forward(nominal, &calendar), Some(d.due().date()));
        }
        Err(e) => assert!(!(safe && built_in), "{received} in {zone}: {e}"),
    }

    // The same with identity pauses (Art. 12(6), EDPB Guidelines 01/2022 §159).
    let pauses: Vec<IdentityPauseSpan> = input
        .pauses
        .iter()
        .filter_map(|&(after, length)| {
            let requested = day(i64::from(after))?;
            IdentityPauseSpan::new(requested, day(i64::from(after) + i64::from(length))?).ok()
        })
        .collect();
    if let (Ok(plain), Ok(paused)) =
        (policy.request_deadlines(received), policy.request_deadlines_with_pauses(received, &pauses))
    {
        assert!(paused.due().date() >= plain.due().date(), "a pause brings the response forward");
        assert!(paused.extended_due().date() >= paused.due().date());
        assert!(paused.counted_from() >= received_date);
        if policy.identity_pause() == IdentityPause::None {
            assert_eq!(paused, plain, "pauses move nothing under IdentityPause::None");
        }
    }

    // Regulation 1182/71 Art. 3(2)(c): a month period, and Art. 3(4): the roll.
    if let Some(end) = add_months(received_date, input.months) {
        assert!(end >= received_date);
        let months = (end.year() - received_date.year()) * 12 + end.month() as i32 - received_date.month() as i32;
        assert_eq!(i64::from(months), i64::from(input.months), "{received_date} + {} months = {end}", input.months);
        assert!(
            end.day() == received_date.day()
                || (end.day() < received_date.day() && end.succ_opt().is_none_or(|n| n.day() == 1))
        );
    }
    if let Some(rolled) = roll_forward(received_date, &calendar) {
        assert!(rolled >= received_date && is_working_day(rolled, &calendar));
        assert!(received_date.iter_days().take_while(|d| *d < rolled).all(|d| !is_working_day(d, &calendar)));
    } else {
        assert!(!built_in || !safe, "no working day after {received_date} in a built-in calendar");
    }
    if let Ok(period) = policy.month_period(received_date, input.months % 1200) {
        assert!(period.date() >= received_date);
    }

    // Art. 33(1): 72 hours, never rolled. chrono counts a leap second (23:59:60.x, which RFC 3339
    // input may carry) as part of the second before it when subtracting, so compare from there.
    match policy.breach_deadline(received) {
        Ok(due) => {
            let after = due - without_leap_second(received);
            match policy.breach_clock() {
                BreachClock::AwarenessPlus72h => assert_eq!(after, TimeDelta::hours(72)),
                _ => assert!(
                    after > TimeDelta::hours(72) && after <= TimeDelta::hours(73),
                    "strict hours give {after} after {received} in {zone}"
                ),
            }
        }
        Err(e) => assert!(!safe, "{received} in {zone}: {e}"),
    }
});
