//! Time limits: Art. 12(3) and Art. 33(1) GDPR computed under Regulation (EEC, Euratom)
//! No 1182/71 on periods, dates and time limits.
//!
//! Everything here is a pure function of its arguments: nothing reads the clock except
//! [`SystemClock`], and nothing does IO.
//!
//! ```
//! use chrono::{DateTime, NaiveDate, Utc};
//! use gdpr_obligations::time::DeadlinePolicy;
//!
//! // A request reaches a Czech controller on Wednesday 5 March 2025 (local time).
//! let received: DateTime<Utc> = "2025-03-05T09:00:00Z".parse()?;
//! let deadlines = DeadlinePolicy::czech().request_deadlines(received)?;
//! // One month ends on Saturday 5 April, so the period ends on Monday 7 April (Art. 3(4)).
//! assert_eq!(deadlines.due().date(), NaiveDate::from_ymd_opt(2025, 4, 7).unwrap());
//! // ... at 24:00 Prague time, which is 22:00 UTC in summer time.
//! assert_eq!(deadlines.due().expires_at(), "2025-04-07T22:00:00Z".parse::<DateTime<Utc>>()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How a period is computed
//!
//! 1. The receipt date is the calendar date in the controller's [`Zone`] ([`receipt_date`]).
//! 2. A period of months ends on the same date that many months later, or on the last day of
//!    that month if the date does not exist ([`add_months`]; Art. 3(2)(c) of Regulation 1182/71 as
//!    read in C-171/03 Toeters and Verberk: 5 March gives 5 April, 31 August gives 30 September).
//!    Never "+30 days", and never counting from the day after receipt.
//! 3. If that day is a Saturday, Sunday or public holiday of the [`HolidayCalendar`], the period
//!    ends on the following working day ([`roll_forward`]; Art. 3(4)).
//! 4. The period expires at the end of its last day, local time ([`Deadline`], [`end_of_day`]).
//!
//! Periods in hours (Art. 33(1) GDPR, 72 hours) never roll ([`add_hours`], [`BreachClock`]).
//! Where the law leaves a choice, a [`DeadlinePolicy`] names it: [`ExtensionRule`],
//! [`IdentityPause`], [`BreachClock`].

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Days, MappedLocalTime, Months, NaiveDate, NaiveDateTime, NaiveTime};
use chrono::{Datelike, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

mod calendar;
mod policy;
mod states;
mod zone;

pub use calendar::{Calendar, Czechia, HolidayCalendar, HolidayList, WeekendsOnly, easter_sunday, is_working_day};
pub use policy::{
    BreachClock, Deadline, DeadlinePolicy, ExtensionRule, IdentityPause, IdentityPauseSpan, RequestDeadlines,
};
pub use states::OfficialCalendar;
pub use zone::Zone;

/// The most consecutive non-working days [`roll_forward`] will skip. A real calendar never comes
/// close; a calendar with no working day in a year is treated as broken.
pub const MAX_ROLL_DAYS: u32 = 366;

/// Errors from the time module: dates outside the supported range, and invalid input to
/// constructors and parsers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// A month period ends outside the supported date range.
    #[error("adding {months} months to {date} leaves the supported date range (Art. 3(2)(c) of Regulation 1182/71)")]
    MonthsOutOfRange {
        /// The date the period runs from.
        date: NaiveDate,
        /// The length of the period in months.
        months: u32,
    },
    /// No working day follows the last day of a period within [`MAX_ROLL_DAYS`] days.
    #[error("no working day within {MAX_ROLL_DAYS} days from {date} (Art. 3(4) of Regulation 1182/71)")]
    NoWorkingDay {
        /// The nominal last day of the period.
        date: NaiveDate,
    },
    /// The start or end of a day cannot be represented as an instant.
    #[error("the start or end of {date} in {zone} is outside the supported range (Art. 3(2)(b) of Regulation 1182/71)")]
    DayOutOfRange {
        /// The day.
        date: NaiveDate,
        /// The zone whose local day was asked for.
        zone: Zone,
    },
    /// An instant has no representable local date.
    #[error("{instant} has no representable local date in {zone} (Art. 12(3) GDPR)")]
    InstantOutOfRange {
        /// The instant.
        instant: DateTime<Utc>,
        /// The zone.
        zone: Zone,
    },
    /// A period in hours ends outside the supported range.
    #[error("adding {hours} hours to {instant} leaves the supported range (Art. 3(2)(a) of Regulation 1182/71)")]
    HoursOutOfRange {
        /// The instant the period runs from.
        instant: DateTime<Utc>,
        /// The length of the period in hours.
        hours: u32,
    },
    /// Adding the days of an identity pause leaves the supported date range.
    #[error("adding {days} paused days to {date} leaves the supported date range (EDPB Guidelines 01/2022 §159)")]
    PauseOutOfRange {
        /// The nominal end of the period.
        date: NaiveDate,
        /// The paused days.
        days: u64,
    },
    /// An identity pause ends before it starts.
    #[error("identity pause ends on {provided}, before it starts on {requested} (EDPB Guidelines 01/2022 §159)")]
    PauseReversed {
        /// When the controller asked for identification.
        requested: NaiveDate,
        /// When the data subject provided it.
        provided: NaiveDate,
    },
    /// An identity pause starts before the request was received.
    #[error(
        "identity pause starts on {requested}, before the request was received on {received} (EDPB Guidelines 01/2022 §159)"
    )]
    PauseBeforeReceipt {
        /// When the controller asked for identification.
        requested: NaiveDate,
        /// The receipt date of the request.
        received: NaiveDate,
    },
    /// A deadline would fall outside the years 0000 to 9999, which RFC 3339 (and so the JSON
    /// form of every deadline) cannot write: refused rather than written as `+10000-...`.
    #[error(
        "a deadline on {date} is outside the years 0000 to 9999 that RFC 3339 can write (Art. 3(2)(b) of Regulation \
         1182/71)"
    )]
    OutsideRfc3339Years {
        /// The last day of the period.
        date: NaiveDate,
    },
    /// A [`HolidayList`] was given an empty id.
    #[error("holiday list id must not be empty")]
    EmptyCalendarId,
    /// A name is not in the IANA time-zone database.
    #[error("unknown IANA time zone `{name}`")]
    UnknownZone {
        /// The name given.
        name: String,
    },
    /// A name is not one of [`Calendar::ACCEPTED_NAMES`] (or, for [`OfficialCalendar::from_code`],
    /// not one of its codes).
    #[error("unknown calendar `{name}`; expected one of: {}", Calendar::ACCEPTED_NAMES.join(", "))]
    UnknownCalendar {
        /// The name given.
        name: String,
    },
    /// A name is not one of a policy's values.
    #[error("unknown {kind} `{name}`; expected one of: {expected}")]
    UnknownPolicy {
        /// Which policy, e.g. `"extension rule"`.
        kind: &'static str,
        /// The name given.
        name: String,
        /// The accepted names, comma-separated.
        expected: &'static str,
    },
}

/// The date `months` months after `date`: the same day of the month, or the last day of the
/// target month if that day does not exist in it (Art. 3(2)(c) of Regulation 1182/71, read with
/// C-171/03 Toeters and Verberk: although Art. 3(1) leaves the day of the event out of the period,
/// the period still ends on the day with the same date as that day, so 5 March gives 5 April).
///
/// Returns `None` when the result is outside the range of [`NaiveDate`]; never panics.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::add_months;
///
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(add_months(d(2025, 3, 5), 1), Some(d(2025, 4, 5))); // not 6 April
/// assert_eq!(add_months(d(2025, 8, 31), 1), Some(d(2025, 9, 30)));
/// assert_eq!(add_months(d(2024, 1, 31), 1), Some(d(2024, 2, 29)));
/// assert_eq!(add_months(NaiveDate::MAX, 1), None);
/// ```
#[must_use]
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// The first working day on or after `date` (Art. 3(4) of Regulation 1182/71: a period whose last
/// day is a public holiday, Sunday or Saturday ends with the following working day).
///
/// Apply it only to the final end date of a period, never to an intermediate result. Returns
/// `None` if no working day is found within [`MAX_ROLL_DAYS`] days or before the end of the
/// date range.
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{Czechia, WeekendsOnly, roll_forward};
///
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// // Saturday 5 April 2025 -> Monday 7 April.
/// assert_eq!(roll_forward(d(2025, 4, 5), &WeekendsOnly), Some(d(2025, 4, 7)));
/// // Christmas Eve 2025 (Wednesday) -> Monday 29 December in Czechia.
/// assert_eq!(roll_forward(d(2025, 12, 24), &Czechia), Some(d(2025, 12, 29)));
/// ```
pub fn roll_forward<C: HolidayCalendar + ?Sized>(date: NaiveDate, calendar: &C) -> Option<NaiveDate> {
    let mut day = date;
    for _ in 0..=MAX_ROLL_DAYS {
        if is_working_day(day, calendar) {
            return Some(day);
        }
        day = day.succ_opt()?;
    }
    None
}

/// The date on which `instant` falls in `zone`: the receipt date of a request (Art. 12(3) GDPR;
/// EDPB Guidelines 01/2022 §159: the time limit starts when the request reaches the controller).
///
/// The time of day no longer matters once the date is fixed.
///
/// # Errors
///
/// [`TimeError::InstantOutOfRange`] within a day of the ends of chrono's range.
///
/// # Example
///
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use gdpr_obligations::time::{Zone, receipt_date};
///
/// let instant: DateTime<Utc> = "2025-01-31T23:30:00Z".parse()?;
/// assert_eq!(receipt_date(instant, Zone::EUROPE_PRAGUE)?, NaiveDate::from_ymd_opt(2025, 2, 1).unwrap());
/// assert_eq!(receipt_date(instant, Zone::UTC)?, NaiveDate::from_ymd_opt(2025, 1, 31).unwrap());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn receipt_date(instant: DateTime<Utc>, zone: Zone) -> Result<NaiveDate, TimeError> {
    local_datetime(instant, zone.tz()).map(|local| local.date()).ok_or(TimeError::InstantOutOfRange { instant, zone })
}

/// The first instant of `date` in `zone` (Art. 3(2)(b)-(c) of Regulation 1182/71: a period starts
/// at the beginning of the first hour of its first day).
///
/// Where local midnight does not exist (a daylight-saving gap), this is the instant the gap ends;
/// where it occurs twice, the earlier one.
///
/// # Errors
///
/// [`TimeError::DayOutOfRange`] at the ends of chrono's range.
pub fn start_of_day(date: NaiveDate, zone: Zone) -> Result<DateTime<Utc>, TimeError> {
    first_instant_at_or_after(date.and_time(NaiveTime::MIN), zone.tz()).ok_or(TimeError::DayOutOfRange { date, zone })
}

/// The instant `date` ends in `zone`, exclusive: the start of the next local day, in UTC.
///
/// A period ends "with the expiry of the last hour" of its last day (Art. 3(2)(b)-(c) of
/// Regulation 1182/71), i.e. at 24:00 local time; an act done at any instant before this one is in
/// time. Daylight-saving gaps and repeated hours are handled as in [`start_of_day`].
///
/// # Errors
///
/// [`TimeError::DayOutOfRange`] at the ends of chrono's range.
///
/// # Example
///
/// ```
/// use chrono::{DateTime, NaiveDate, Utc};
/// use gdpr_obligations::time::{Zone, end_of_day};
///
/// let day = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
/// let end: DateTime<Utc> = "2025-01-15T23:00:00Z".parse()?; // 24:00 CET
/// assert_eq!(end_of_day(day, Zone::EUROPE_PRAGUE)?, end);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn end_of_day(date: NaiveDate, zone: Zone) -> Result<DateTime<Utc>, TimeError> {
    let next = date.succ_opt().ok_or(TimeError::DayOutOfRange { date, zone })?;
    start_of_day(next, zone).map_err(|_| TimeError::DayOutOfRange { date, zone })
}

/// The years RFC 3339 writes with its four digits: every instant and date the crate writes in a
/// deadline lies within them.
pub(crate) fn in_rfc3339_years(year: i32) -> bool {
    (0..=9999).contains(&year)
}

/// `hours` hours after `from`, exactly (Art. 3(2)(a) of Regulation 1182/71).
///
/// A period expressed in hours is not extended over weekends or holidays: Art. 3(4) applies only
/// to periods "expressed otherwise than in hours". This is the conservative reading of Art. 33(1)
/// GDPR's 72 hours ([`BreachClock::AwarenessPlus72h`]); for the strict reading that skips the hour
/// of the event, see [`DeadlinePolicy::hours_after`].
///
/// # Errors
///
/// [`TimeError::HoursOutOfRange`] when the end is past the year 9999, which RFC 3339 cannot
/// write (or at the end of chrono's range).
///
/// # Example
///
/// ```
/// use chrono::{DateTime, Utc};
/// use gdpr_obligations::time::add_hours;
///
/// // Friday 10:05 plus 72 hours is Monday 10:05: the weekend does not count extra.
/// let aware: DateTime<Utc> = "2025-12-19T09:05:00Z".parse()?;
/// assert_eq!(add_hours(aware, 72)?, "2025-12-22T09:05:00Z".parse::<DateTime<Utc>>()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_hours(from: DateTime<Utc>, hours: u32) -> Result<DateTime<Utc>, TimeError> {
    TimeDelta::try_hours(i64::from(hours))
        .and_then(|delta| from.checked_add_signed(delta))
        .filter(|end| in_rfc3339_years(end.year()))
        .ok_or(TimeError::HoursOutOfRange { instant: from, hours })
}

/// The local wall-clock time of `instant` in `tz`, or `None` at the ends of chrono's range
/// (chrono's own `naive_local` panics there).
fn local_datetime(instant: DateTime<Utc>, tz: Tz) -> Option<NaiveDateTime> {
    let offset = tz.offset_from_utc_datetime(&instant.naive_utc()).fix();
    instant.naive_utc().checked_add_offset(offset)
}

/// The start of the local hour in which `instant` falls (Art. 3(1), first subparagraph, of
/// Regulation 1182/71 excludes that hour from a period in hours).
fn start_of_local_hour(instant: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let local = local_datetime(instant, tz)?;
    let hour_start = local.date().and_hms_opt(local.hour(), 0, 0)?;
    instant.checked_sub_signed(local.signed_duration_since(hour_start))
}

/// The earliest instant whose local time in `tz` is `local` or, if `local` falls in a gap, the
/// instant the gap ends.
fn first_instant_at_or_after(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) => Some(t.with_timezone(&Utc)),
        MappedLocalTime::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        MappedLocalTime::None => gap_end(local, tz),
    }
}

/// The instant a daylight-saving gap containing `local` ends: the smallest UTC second `t` with
/// `t + offset(t) >= local`, found by bisection between the two offsets around the gap.
fn gap_end(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    const DAY: i64 = 86_400;
    let target = local.and_utc().timestamp();
    let offset_at = |ts: i64| -> Option<i64> {
        let utc = DateTime::from_timestamp(ts, 0)?;
        Some(i64::from(tz.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()))
    };
    let before = offset_at(target.checked_sub(DAY)?)?;
    let after = offset_at(target.checked_add(DAY)?)?;
    // Below `lo` the local time is before `local`; at `hi` it is at or after it.
    let mut lo = target - before.max(after);
    let mut hi = target - before.min(after);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if mid + offset_at(mid)? >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

/// Adds `days` calendar days (an identity pause) to a nominal end date.
fn add_paused_days(date: NaiveDate, days: u64) -> Result<NaiveDate, TimeError> {
    date.checked_add_days(Days::new(days)).ok_or(TimeError::PauseOutOfRange { date, days })
}

/// A source of the current instant, so that code deciding on deadlines can be tested with a fixed
/// time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// The operating system's clock: the only place in this module that reads the time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told otherwise, for tests and simulations.
///
/// # Example
///
/// ```
/// use chrono::{DateTime, TimeDelta, Utc};
/// use gdpr_obligations::time::{Clock, FixedClock};
///
/// let clock = FixedClock::new("2025-03-05T09:00:00Z".parse()?);
/// clock.advance(TimeDelta::days(31));
/// assert_eq!(clock.now(), "2025-04-05T09:00:00Z".parse::<DateTime<Utc>>()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock showing `now`.
    #[must_use]
    pub fn new(now: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(now))
    }

    /// Sets the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the clock by `by` (possibly negative) and returns the new time, or leaves it
    /// unchanged and returns `None` if the result would be out of range.
    pub fn advance(&self, by: TimeDelta) -> Option<DateTime<Utc>> {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let next = now.checked_add_signed(by)?;
        *now = next;
        Some(next)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
