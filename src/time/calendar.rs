//! Public holidays and working days (Art. 2 of Regulation 1182/71).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize};

use super::TimeError;
use super::states::{CALENDAR_COUNT, CODES, OfficialCalendar};

/// The public holidays of the place where an action is to be taken.
///
/// Art. 2(1) of Regulation 1182/71: "public holidays" are the days designated as such in the
/// Member State in which the action is to be taken. This is the minimum an implementer writes;
/// Saturdays and Sundays are never working days whatever the calendar says (Art. 2(2)), see
/// [`is_working_day`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{Czechia, HolidayCalendar, is_working_day};
///
/// let statehood_day = NaiveDate::from_ymd_opt(2025, 9, 28).unwrap();
/// assert!(Czechia.is_public_holiday(statehood_day));
/// assert!(!is_working_day(statehood_day, &Czechia));
/// ```
pub trait HolidayCalendar: Send + Sync + fmt::Debug {
    /// Whether `date` is a public holiday (weekends need not be listed).
    fn is_public_holiday(&self, date: NaiveDate) -> bool;

    /// A short, stable identifier of the calendar, e.g. `"cz"`.
    fn id(&self) -> &str;
}

/// Whether `date` is a working day: not a Saturday, Sunday or public holiday of `calendar`
/// (Art. 2(2) of Regulation 1182/71).
pub fn is_working_day<C: HolidayCalendar + ?Sized>(date: NaiveDate, calendar: &C) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !calendar.is_public_holiday(date)
}

/// A calendar without public holidays: only Saturdays and Sundays are non-working days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WeekendsOnly;

impl HolidayCalendar for WeekendsOnly {
    fn is_public_holiday(&self, _: NaiveDate) -> bool {
        false
    }

    fn id(&self) -> &str {
        "weekends"
    }
}

/// Czech public holidays under Act No. 245/2000 Coll. (§ 1 state holidays and § 2 other holidays,
/// both days of rest by § 3). The *významné dny* of § 4 are working days and not included.
///
/// Fixed dates: 1 January, 1 May, 8 May, 5 and 6 July, 28 September, 28 October, 17 November and
/// 24-26 December; movable: Easter Monday and, from 2016, Good Friday. Holidays falling on a
/// weekend are not moved. The current list is applied to every year (only Good Friday's 2016 start
/// is modelled), and no Easter holiday exists before the Gregorian reform (see [`easter_sunday`]).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{Czechia, HolidayCalendar};
///
/// let good_friday = |y| NaiveDate::from_ymd_opt(y, 4, 3).unwrap();
/// assert!(Czechia.is_public_holiday(good_friday(2026)));
/// assert!(!Czechia.is_public_holiday(good_friday(2015)), "Good Friday only from 2016");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Czechia;

/// The first year in which Good Friday is a Czech public holiday.
const CZ_GOOD_FRIDAY_SINCE: i32 = 2016;

/// (month, day) of the Czech fixed-date holidays.
const CZ_FIXED: [(u32, u32); 11] =
    [(1, 1), (5, 1), (5, 8), (7, 5), (7, 6), (9, 28), (10, 28), (11, 17), (12, 24), (12, 25), (12, 26)];

impl HolidayCalendar for Czechia {
    fn is_public_holiday(&self, date: NaiveDate) -> bool {
        if CZ_FIXED.contains(&(date.month(), date.day())) {
            return true;
        }
        // Easter falls between 22 March and 25 April, so Good Friday and Easter Monday between
        // 20 March and 26 April: skip the computus outside that window.
        if !(3..=4).contains(&date.month()) {
            return false;
        }
        let Some(easter) = easter_sunday(date.year()) else {
            return false;
        };
        let offset = date.signed_duration_since(easter).num_days();
        offset == 1 || (offset == -2 && date.year() >= CZ_GOOD_FRIDAY_SINCE)
    }

    fn id(&self) -> &str {
        "cz"
    }
}

/// The date of (Western, Gregorian) Easter Sunday in `year`, by the anonymous Gregorian computus
/// (Meeus/Jones/Butcher).
///
/// Returns `None` before 1583, the first full year of the Gregorian calendar, and for years
/// outside the range of [`NaiveDate`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::easter_sunday;
///
/// assert_eq!(easter_sunday(2026), NaiveDate::from_ymd_opt(2026, 4, 5));
/// assert_eq!(easter_sunday(1500), None);
/// ```
#[must_use]
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    if year < 1583 {
        return None;
    }
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// A user-supplied list of public-holiday dates, for a Member State or institution without a
/// built-in calendar (Art. 2(1) of Regulation 1182/71: the Commission publishes each Member
/// State's list in the Official Journal).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{HolidayCalendar, HolidayList};
///
/// let day = NaiveDate::from_ymd_opt(2025, 7, 21).unwrap();
/// let belgium = HolidayList::new("be-2025", [day])?;
/// assert!(belgium.is_public_holiday(day));
/// assert!(HolidayList::new("", [day]).is_err());
/// # Ok::<(), gdpr_obligations::time::TimeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct HolidayList {
    /// Non-empty identifier.
    #[schemars(length(min = 1))]
    id: String,
    /// The holiday dates.
    dates: BTreeSet<NaiveDate>,
}

impl HolidayList {
    /// A calendar called `id` whose public holidays are `dates` (duplicates are ignored).
    ///
    /// # Errors
    ///
    /// [`TimeError::EmptyCalendarId`] when `id` is empty.
    pub fn new(id: impl Into<String>, dates: impl IntoIterator<Item = NaiveDate>) -> Result<Self, TimeError> {
        let id = id.into();
        if id.is_empty() {
            return Err(TimeError::EmptyCalendarId);
        }
        Ok(HolidayList { id, dates: dates.into_iter().collect() })
    }

    /// The holiday dates, in ascending order.
    #[must_use]
    pub fn dates(&self) -> impl ExactSizeIterator<Item = NaiveDate> + '_ {
        self.dates.iter().copied()
    }
}

impl<'de> Deserialize<'de> for HolidayList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            id: String,
            dates: BTreeSet<NaiveDate>,
        }
        let wire = Wire::deserialize(deserializer)?;
        HolidayList::new(wire.id, wire.dates).map_err(serde::de::Error::custom)
    }
}

impl HolidayCalendar for HolidayList {
    fn is_public_holiday(&self, date: NaiveDate) -> bool {
        self.dates.contains(&date)
    }

    fn id(&self) -> &str {
        &self.id
    }
}

/// A serialisable choice of holiday calendar, for storing in a [`DeadlinePolicy`].
///
/// Parsed from the short names `weekends` and `cz` (its [`HolidayCalendar::id`]s), the serde
/// names `weekends_only` and `czechia`, or the code of any [`OfficialCalendar`] (`de`, `de-by`),
/// in any case. `cz` and `czechia` give [`Calendar::Czechia`], whose days are those of the
/// official calendar `cz`. An official calendar serialises as `{"official": "de-by"}`.
///
/// # Example
///
/// ```
/// use gdpr_obligations::time::{Calendar, HolidayCalendar};
///
/// let cz: Calendar = "cz".parse()?;
/// assert_eq!(cz, Calendar::Czechia);
/// assert_eq!(cz.id(), "cz");
/// assert!("mars".parse::<Calendar>().is_err());
///
/// let bavaria: Calendar = "de-by".parse()?;
/// assert_eq!(bavaria.id(), "de-by");
/// # Ok::<(), gdpr_obligations::time::TimeError>(())
/// ```
///
/// [`DeadlinePolicy`]: super::DeadlinePolicy
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Calendar {
    /// Only Saturdays and Sundays are non-working days ([`WeekendsOnly`]).
    WeekendsOnly,
    /// Czech public holidays ([`Czechia`]).
    Czechia,
    /// A user-supplied list ([`HolidayList`]).
    List(HolidayList),
    /// An EU or EEA state's or region's public holidays ([`OfficialCalendar`]).
    Official(OfficialCalendar),
}

impl Calendar {
    /// The names [`Calendar::from_str`] accepts: `weekends`, `weekends_only`, `czechia` and every
    /// [`OfficialCalendar`] code (`cz` among them), in lower case.
    pub const ACCEPTED_NAMES: &'static [&'static str] = &ACCEPTED;
}

const ACCEPTED: [&str; CALENDAR_COUNT + 3] = {
    let mut names = ["weekends"; CALENDAR_COUNT + 3];
    names[1] = "weekends_only";
    names[2] = "czechia";
    let mut index = 0;
    while index < CALENDAR_COUNT {
        names[index + 3] = CODES[index];
        index += 1;
    }
    names
};

impl HolidayCalendar for Calendar {
    fn is_public_holiday(&self, date: NaiveDate) -> bool {
        match self {
            Calendar::WeekendsOnly => WeekendsOnly.is_public_holiday(date),
            Calendar::Czechia => Czechia.is_public_holiday(date),
            Calendar::List(list) => list.is_public_holiday(date),
            Calendar::Official(official) => official.is_public_holiday(date),
        }
    }

    fn id(&self) -> &str {
        match self {
            Calendar::WeekendsOnly => WeekendsOnly.id(),
            Calendar::Czechia => Czechia.id(),
            Calendar::List(list) => list.id(),
            Calendar::Official(official) => official.code(),
        }
    }
}

impl FromStr for Calendar {
    type Err = TimeError;

    /// Parses a built-in calendar's name (see [`Calendar::ACCEPTED_NAMES`]).
    ///
    /// # Errors
    ///
    /// [`TimeError::UnknownCalendar`], listing the accepted names.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "weekends" | "weekends_only" => Ok(Calendar::WeekendsOnly),
            "cz" | "czechia" => Ok(Calendar::Czechia),
            _ => OfficialCalendar::from_code(name).map(Calendar::Official),
        }
    }
}
