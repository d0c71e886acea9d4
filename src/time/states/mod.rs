//! The public holidays of every EU and EEA state, and of the regions whose statutes set regional
//! days (Art. 2(1) of Regulation 1182/71: "public holidays" are those of the Member State, or of
//! the part of it, in which an action is to be taken).
//!
//! Each calendar is a table of rules taken from its statute, with the year each rule took effect
//! or ended where that was after 2000: fixed dates, days counted from Western (Gregorian) or
//! Orthodox (Julian computus) Easter, the n-th weekday of a month, the first given weekday on or
//! after a date (Midsummer and All Saints' Day in Sweden and Finland), and the substitute days a
//! statute grants when a holiday falls on a weekend. [`OfficialCalendar::statute`] cites the
//! statute of each calendar. What the tables cannot hold (a government's yearly decree moving a
//! day, local patron saints) is not modelled; the crate's repository lists every known
//! difference from an independent implementation with the statute that decides it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::TimeError;
use super::calendar::{HolidayCalendar, easter_sunday};
use crate::vocab::Country;

mod data;

use data::CALENDARS;

/// The public holidays of an EU or EEA state, or of one of its regions where its statute sets
/// regional days, by ISO 3166-1 alpha-2 / ISO 3166-2 code (lower case: "de", "de-by", "es-ct").
///
/// A region's calendar holds the state's days that apply there and the region's own. Saturdays
/// and Sundays are not listed unless a holiday falls on them (they are never working days, Art.
/// 2(2) of Regulation 1182/71).
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::time::{HolidayCalendar, OfficialCalendar};
/// use gdpr_obligations::vocab::Country;
///
/// let germany = OfficialCalendar::from_code("de")?;
/// assert_eq!(germany.country(), Country::DE);
/// assert!(germany.is_public_holiday(NaiveDate::from_ymd_opt(2025, 10, 3).unwrap()));
/// assert!(OfficialCalendar::from_code("DE")?.code() == "de");
/// assert!(OfficialCalendar::from_code("xx").is_err());
/// # Ok::<(), gdpr_obligations::time::TimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficialCalendar(u8);

impl OfficialCalendar {
    /// The calendar with ISO code `code` (`"de"`, `"de-by"`), in any case.
    ///
    /// # Errors
    ///
    /// [`TimeError::UnknownCalendar`], naming the accepted codes, when no calendar has that code.
    pub fn from_code(code: &str) -> Result<Self, TimeError> {
        let lower = code.to_ascii_lowercase();
        CALENDARS
            .binary_search_by(|spec| spec.code.cmp(lower.as_str()))
            .ok()
            .and_then(|index| u8::try_from(index).ok())
            .map(OfficialCalendar)
            .ok_or(TimeError::UnknownCalendar { name: code.to_owned() })
    }

    /// The lower-case ISO code, e.g. `"de-by"`.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.spec().code
    }

    /// Every state and region, ordered by code.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..CALENDARS.len()).filter_map(|index| u8::try_from(index).ok()).map(OfficialCalendar)
    }

    /// The state.
    #[must_use]
    pub fn country(self) -> Country {
        self.spec().country
    }

    /// Whether this is a region's calendar rather than a whole state's.
    #[must_use]
    pub fn is_region(self) -> bool {
        self.spec().code.contains('-')
    }

    /// The English name, e.g. `"Germany: Bavaria"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The statute(s) that set the days, cited.
    #[must_use]
    pub fn statute(self) -> &'static str {
        self.spec().statute
    }

    /// The public holidays of `year`, sorted and deduplicated (empty outside chrono's range).
    ///
    /// # Example
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use gdpr_obligations::time::OfficialCalendar;
    ///
    /// let days = OfficialCalendar::from_code("cz")?.holidays(2026);
    /// assert_eq!(days.len(), 13);
    /// assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    /// # Ok::<(), gdpr_obligations::time::TimeError>(())
    /// ```
    #[must_use]
    pub fn holidays(self, year: i32) -> Vec<NaiveDate> {
        self.holidays_with_names(year).into_iter().map(|(date, _)| date).collect()
    }

    /// The public holidays of `year` with their English names, sorted by date; where two rules
    /// give the same date, the first rule's name is kept.
    #[must_use]
    pub fn holidays_with_names(self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        let spec = self.spec();
        let mut days: Vec<(NaiveDate, &'static str, Substitute)> = spec
            .groups
            .iter()
            .flat_map(|group| group.iter())
            .filter(|day| day.since <= year && year <= day.until)
            .filter_map(|day| day.when.date(year).map(|date| (date, day.name, day.substitute)))
            .collect();
        days.sort_by_key(|(date, _, _)| *date);
        // Two rules on one date: keep the first rule's name, and a substitute either grants.
        days.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same && kept.2 == Substitute::None {
                kept.2 = later.2;
            }
            same
        });
        let mut out: Vec<(NaiveDate, &'static str)> = days.iter().map(|(date, name, _)| (*date, *name)).collect();
        for (date, name, substitute) in &days {
            if let Some(extra) = substitute.day(*date, &out) {
                out.push((extra, name));
                out.sort_by_key(|(date, _)| *date);
            }
        }
        out
    }

    fn spec(self) -> &'static Spec {
        // The index always comes from CALENDARS (from_code, all); the fallback is unreachable.
        CALENDARS.get(usize::from(self.0)).unwrap_or(&CALENDARS[0])
    }
}

impl HolidayCalendar for OfficialCalendar {
    fn is_public_holiday(&self, date: NaiveDate) -> bool {
        self.holidays_with_names(date.year()).iter().any(|(day, _)| *day == date)
    }

    fn id(&self) -> &str {
        self.code()
    }
}

impl fmt::Display for OfficialCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for OfficialCalendar {
    type Err = TimeError;

    /// As [`OfficialCalendar::from_code`].
    fn from_str(code: &str) -> Result<Self, Self::Err> {
        OfficialCalendar::from_code(code)
    }
}

impl Serialize for OfficialCalendar {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for OfficialCalendar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = Cow::<'de, str>::deserialize(deserializer)?;
        OfficialCalendar::from_code(&code).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for OfficialCalendar {
    fn schema_name() -> Cow<'static, str> {
        "OfficialCalendar".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let codes: Vec<&str> = CALENDARS.iter().map(|spec| spec.code).collect();
        json_schema!({
            "type": "string",
            "description": "The ISO 3166-1 alpha-2 or ISO 3166-2 code (lower case) of an EU or EEA state's or region's \
                            public-holiday calendar.",
            "enum": codes
        })
    }
}

/// The number of official calendars.
pub(crate) const CALENDAR_COUNT: usize = CALENDARS.len();

/// The codes of every official calendar, in order (for [`super::Calendar::ACCEPTED_NAMES`]).
pub(crate) const CODES: [&str; CALENDAR_COUNT] = {
    let mut codes = [""; CALENDAR_COUNT];
    let mut index = 0;
    while index < CALENDAR_COUNT {
        codes[index] = CALENDARS[index].code;
        index += 1;
    }
    codes
};

/// One calendar: a state's or a region's.
struct Spec {
    code: &'static str,
    name: &'static str,
    country: Country,
    statute: &'static str,
    /// The rule tables whose days apply (for a region: the state's days that apply there, then
    /// its own).
    groups: &'static [&'static [Day]],
}

/// One public holiday's rule, in force from `since` to `until` (years, inclusive).
#[derive(Clone, Copy)]
struct Day {
    name: &'static str,
    when: When,
    since: i32,
    until: i32,
    substitute: Substitute,
}

/// How a holiday's date is found in a year.
#[derive(Clone, Copy)]
enum When {
    /// A fixed date (month, day).
    Fixed(u32, u32),
    /// Days after (or before, negative) Western Easter Sunday.
    Easter(i64),
    /// Days after (or before) Orthodox Easter Sunday (Julian computus), as a Gregorian date.
    JulianEaster(i64),
    /// The n-th `Weekday` of a month (n from 1; -1 is the last).
    Nth(u32, Weekday, i8),
    /// The first `Weekday` on or after a date (month, day).
    OnOrAfter(u32, u32, Weekday),
    /// A fixed date (month, day), the day before when that is a Sunday.
    FixedSundayBack(u32, u32),
    /// A fixed date (month, day) when it falls on `Weekday`, else the first `Monday` of the month
    /// (Ireland's St Brigid's Day).
    FixedIfWeekdayElseFirstMonday(u32, u32, Weekday),
}

/// What happens when a holiday falls on a weekend.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Substitute {
    /// Nothing: the holiday is lost.
    None,
    /// On a Saturday or Sunday, the next weekday that is not already a holiday is one too.
    NextWorkday,
}

impl Substitute {
    fn day(self, date: NaiveDate, holidays: &[(NaiveDate, &str)]) -> Option<NaiveDate> {
        let applies = match self {
            Substitute::None => false,
            Substitute::NextWorkday => matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        };
        if !applies {
            return None;
        }
        let mut next = date.succ_opt()?;
        for _ in 0..14 {
            let weekend = matches!(next.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && !holidays.iter().any(|(day, _)| *day == next) {
                return Some(next);
            }
            next = next.succ_opt()?;
        }
        None
    }
}

impl When {
    fn date(self, year: i32) -> Option<NaiveDate> {
        match self {
            When::Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
            When::Easter(offset) => add_days(easter_sunday(year)?, offset),
            When::JulianEaster(offset) => add_days(orthodox_easter_sunday(year)?, offset),
            When::Nth(month, weekday, n) => {
                if n > 0 {
                    NaiveDate::from_weekday_of_month_opt(year, month, weekday, u8::try_from(n).ok()?)
                } else {
                    let first_next = if month == 12 {
                        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
                    } else {
                        NaiveDate::from_ymd_opt(year, month + 1, 1)?
                    };
                    let mut day = first_next.pred_opt()?;
                    while day.weekday() != weekday {
                        day = day.pred_opt()?;
                    }
                    add_days(day, 7 * (i64::from(n) + 1))
                }
            }
            When::FixedSundayBack(month, day) => {
                let date = NaiveDate::from_ymd_opt(year, month, day)?;
                if date.weekday() == Weekday::Sun { date.pred_opt() } else { Some(date) }
            }
            When::FixedIfWeekdayElseFirstMonday(month, day, weekday) => {
                let date = NaiveDate::from_ymd_opt(year, month, day)?;
                if date.weekday() == weekday {
                    Some(date)
                } else {
                    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
                }
            }
            When::OnOrAfter(month, day, weekday) => {
                let mut date = NaiveDate::from_ymd_opt(year, month, day)?;
                while date.weekday() != weekday {
                    date = date.succ_opt()?;
                }
                Some(date)
            }
        }
    }
}

fn add_days(date: NaiveDate, offset: i64) -> Option<NaiveDate> {
    let magnitude = Days::new(offset.unsigned_abs());
    if offset >= 0 { date.checked_add_days(magnitude) } else { date.checked_sub_days(magnitude) }
}

/// Orthodox Easter Sunday of `year` as a Gregorian date: the Julian computus (Meeus), then the
/// Julian calendar's difference from the Gregorian one. `None` before 1583 and outside chrono's
/// range.
fn orthodox_easter_sunday(year: i32) -> Option<NaiveDate> {
    if year < 1583 {
        return None;
    }
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian = NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    // The Julian calendar falls behind by the century years the Gregorian one skips.
    let shift = year / 100 - year / 400 - 2;
    add_days(julian, i64::from(shift))
}

const fn day(name: &'static str, when: When) -> Day {
    Day { name, when, since: i32::MIN, until: i32::MAX, substitute: Substitute::None }
}

/// A holiday on a fixed date.
const fn fixed(name: &'static str, month: u32, day_of_month: u32) -> Day {
    day(name, When::Fixed(month, day_of_month))
}

/// A holiday `offset` days from Western Easter Sunday.
const fn easter(name: &'static str, offset: i64) -> Day {
    day(name, When::Easter(offset))
}

/// A holiday `offset` days from Orthodox Easter Sunday.
const fn julian_easter(name: &'static str, offset: i64) -> Day {
    day(name, When::JulianEaster(offset))
}

/// The n-th weekday of a month (n = -1: the last).
const fn nth(name: &'static str, month: u32, weekday: Weekday, n: i8) -> Day {
    day(name, When::Nth(month, weekday, n))
}

/// The first `weekday` on or after month/day (e.g. the Saturday between 31 October and 6
/// November).
const fn on_or_after(name: &'static str, month: u32, day_of_month: u32, weekday: Weekday) -> Day {
    day(name, When::OnOrAfter(month, day_of_month, weekday))
}

/// A holiday on a fixed date, moved to the Saturday before when it falls on a Sunday.
const fn fixed_sunday_back(name: &'static str, month: u32, day_of_month: u32) -> Day {
    day(name, When::FixedSundayBack(month, day_of_month))
}

/// A fixed date when it falls on `weekday`, else the first Monday of its month.
const fn fixed_if_else_first_monday(name: &'static str, month: u32, day_of_month: u32, weekday: Weekday) -> Day {
    day(name, When::FixedIfWeekdayElseFirstMonday(month, day_of_month, weekday))
}

impl Day {
    /// In force from `year` on.
    const fn since(self, year: i32) -> Day {
        Day { since: year, ..self }
    }

    /// In force up to and including `year`.
    const fn until(self, year: i32) -> Day {
        Day { until: year, ..self }
    }

    /// In force in `year` only.
    const fn only(self, year: i32) -> Day {
        Day { since: year, until: year, ..self }
    }

    /// On a Saturday or Sunday, the next free weekday is a holiday too.
    const fn weekend_substitute(self) -> Day {
        Day { substitute: Substitute::NextWorkday, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendars_are_sorted_by_unique_lower_case_code() {
        for pair in CALENDARS.windows(2) {
            assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
        }
        for spec in CALENDARS {
            assert_eq!(spec.code, spec.code.to_ascii_lowercase());
            assert_eq!(spec.code.get(..2).map(str::to_ascii_uppercase).as_deref(), Some(spec.country.as_str()));
        }
        assert!(CALENDARS.len() <= usize::from(u8::MAX));
    }

    #[test]
    fn orthodox_easter_matches_known_dates() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(orthodox_easter_sunday(2024), d(2024, 5, 5));
        assert_eq!(orthodox_easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(orthodox_easter_sunday(2026), d(2026, 4, 12));
        assert_eq!(orthodox_easter_sunday(2000), d(2000, 4, 30));
    }
}
