//! The official calendars of every EU and EEA state and region as a controller meets them (the
//! calendars themselves are tested in `calendars.rs`): the default calendar and zone a party
//! takes from its establishment (Art. 2(1) and 3 of Regulation 1182/71 with Art. 12(3) GDPR),
//! and properties of every calendar: Art. 3(4)'s roll to the next working day never ends on a
//! weekend or a holiday and never moves a working day, and a request received on any holiday
//! is due on the working day the rule gives.
//! Cases: `common::cases(256)` (`PROPTEST_CASES`).

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use gdpr_obligations::model::{Contact, EmailAddress, Party, PostalAddress, Text};
use gdpr_obligations::time::{
    Calendar, DeadlinePolicy, HolidayCalendar, OfficialCalendar, add_months, is_working_day, roll_forward,
};
use gdpr_obligations::vocab::{Article, Country};
use proptest::prelude::*;
use serde_json::json;

use crate::common;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn shop(country: Country, region: &str) -> Party {
    Party::builder("Shop", country).region(region).build().unwrap()
}

/// The field and article of the one problem a party builder reports.
fn region_problem(builder: gdpr_obligations::model::PartyBuilder) -> (String, Option<Article>, String) {
    let err = builder.build().unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let problem = &err.problems()[0];
    (problem.field.to_string(), problem.article, problem.reason.clone())
}

// ---------------------------------------------------------------------------------------------
// The establishment's calendar and zone (Art. 2(1), 3(2) and 3(4) of Regulation 1182/71)
// ---------------------------------------------------------------------------------------------

#[test]
fn reg_1182_71_art_2_1_a_party_takes_its_states_holidays_and_its_capitals_zone() {
    let states: Vec<OfficialCalendar> = OfficialCalendar::all().filter(|c| !c.is_region()).collect();
    assert_eq!(states.len(), 30, "27 Member States and Iceland, Liechtenstein, Norway");
    for calendar in states {
        let party = Party::builder("Shop", calendar.country()).build().unwrap();
        assert_eq!(party.official_calendar(), Some(calendar));
        let policy = party.default_deadline_policy().unwrap();
        assert_eq!(policy, DeadlinePolicy::official(calendar));
        assert_eq!(policy.calendar(), &Calendar::Official(calendar));
        assert_eq!(policy.zone(), calendar.zone());
    }
    let czech = Party::builder("ACME s.r.o.", Country::CZ).build().unwrap().default_deadline_policy().unwrap();
    assert_eq!(czech.zone(), DeadlinePolicy::czech().zone());
    for year in 2000..=2050 {
        for date in OfficialCalendar::from_code("cz").unwrap().holidays(year) {
            assert!(DeadlinePolicy::czech().calendar().is_public_holiday(date), "{date}");
        }
    }
}

#[test]
fn reg_1182_71_art_2_1_no_member_states_holidays_for_a_party_outside_the_eea() {
    for country in [Country::US, Country::CH, Country::GB, Country::JP] {
        let party = Party::builder("Chat Inc.", country).build().unwrap();
        assert_eq!(party.official_calendar(), None, "{country}");
        assert_eq!(party.default_deadline_policy(), None, "{country}");
    }
}

#[test]
fn reg_1182_71_art_2_1_a_regional_establishment_takes_its_regions_holidays() {
    // One month from Saturday 6 December 2025 ends on Tuesday 6 January 2026, Epiphany in
    // Bavaria (Art. 1 of the Bavarian Feiertagsgesetz) but a working day in Berlin.
    let received = utc("2025-12-06T10:00:00Z");
    let bavaria = shop(Country::DE, "DE-BY").default_deadline_policy().unwrap();
    let berlin = shop(Country::DE, "de-be").default_deadline_policy().unwrap();
    let germany = Party::builder("Shop", Country::DE).build().unwrap().default_deadline_policy().unwrap();
    assert_eq!(bavaria.calendar().id(), "de-by");
    assert_eq!(bavaria.request_deadlines(received).unwrap().due().date(), d(2026, 1, 7));
    assert_eq!(berlin.request_deadlines(received).unwrap().due().date(), d(2026, 1, 6));
    assert_eq!(germany.request_deadlines(received).unwrap().due().date(), d(2026, 1, 6));
    assert_eq!(bavaria.zone().name(), "Europe/Berlin");
}

#[test]
fn reg_1182_71_art_3_2_a_region_with_its_own_time_counts_days_in_its_own_zone() {
    for (code, country, zone) in [
        ("es-cn", Country::ES, "Atlantic/Canary"),
        ("es-ce", Country::ES, "Africa/Ceuta"),
        ("es-ml", Country::ES, "Africa/Ceuta"),
        ("pt-20", Country::PT, "Atlantic/Azores"),
        ("pt-30", Country::PT, "Atlantic/Madeira"),
        ("fr-971", Country::FR, "America/Guadeloupe"),
        ("fr-972", Country::FR, "America/Martinique"),
        ("fr-973", Country::FR, "America/Cayenne"),
        ("fr-974", Country::FR, "Indian/Reunion"),
        ("fr-976", Country::FR, "Indian/Mayotte"),
    ] {
        let policy = shop(country, code).default_deadline_policy().unwrap();
        assert_eq!((policy.calendar().id(), policy.zone().name()), (code, zone));
    }
    // 02:00 UTC on 1 March 2025 is still 28 February in Guadeloupe (UTC-4), so the month ends
    // on 28 March there, and on 1 April (1 March + 1 month = Tuesday 1 April) in Paris.
    let received = utc("2025-03-01T02:00:00Z");
    let guadeloupe = shop(Country::FR, "fr-971").default_deadline_policy().unwrap();
    let paris = Party::builder("Shop", Country::FR).build().unwrap().default_deadline_policy().unwrap();
    let there = guadeloupe.request_deadlines(received).unwrap();
    assert_eq!((there.received_date(), there.due().date()), (d(2025, 2, 28), d(2025, 3, 28)));
    assert_eq!(there.due().expires_at(), utc("2025-03-29T04:00:00Z"), "24:00 in Guadeloupe");
    assert_eq!(paris.request_deadlines(received).unwrap().received_date(), d(2025, 3, 1));
}

#[test]
fn reg_1182_71_art_2_1_a_region_must_be_one_of_the_partys_countrys() {
    let reg_2_1 = Some(Article::reg_1182_71(2).paragraph(1));
    // Another state's region.
    let (field, article, reason) = region_problem(Party::builder("ACME s.r.o.", Country::CZ).region("de-by"));
    assert_eq!((field.as_str(), article), ("region", reg_2_1));
    assert!(reason.contains("DE") && reason.contains("CZ"), "{reason}");
    // A state's code is not a region.
    let (field, _, reason) = region_problem(Party::builder("Shop", Country::DE).region("de"));
    assert_eq!(field, "region");
    assert!(reason.contains("de-by") && reason.contains("de-be"), "names the accepted regions: {reason}");
    // Neither a code nor a region: the input is not repeated.
    let (_, _, reason) = region_problem(Party::builder("Shop", Country::DE).region("privacy@shop.example"));
    assert!(!reason.contains("privacy@"), "{reason}");
    let (_, _, reason) = region_problem(Party::builder("ACME s.r.o.", Country::CZ).region("cz-10"));
    assert!(reason.contains("no regional public holidays"), "{reason}");
    // Every field is still reported at once.
    let err = Party::builder(" ", Country::CZ).region("de-by").contact_email("x").build().unwrap_err();
    let fields: Vec<String> = err.problems().iter().map(|p| p.field.to_string()).collect();
    assert_eq!(fields, ["legal_name", "contact_email", "region"]);
}

#[test]
fn reg_1182_71_art_2_1_a_decoded_party_passes_the_builders_region_check() {
    let bavarian = shop(Country::DE, "de-by");
    common::assert_json_contract(&bavarian);
    let mut json = serde_json::to_value(&bavarian).unwrap();
    assert_eq!(json["region"], "de-by");
    assert!(
        serde_json::to_value(Party::builder("Shop", Country::DE).build().unwrap()).unwrap().get("region").is_none()
    );
    json["region"] = json!("DE-BY");
    assert_eq!(serde_json::from_value::<Party>(json.clone()).unwrap(), bavarian, "any case, as the builder");
    json["country"] = json!("AT");
    let err = serde_json::from_value::<Party>(json.clone()).unwrap_err().to_string();
    assert!(err.contains("region") && err.contains("Regulation 1182/71"), "{err}");
    json["country"] = json!("DE");
    for bad in ["de", "xx-yy"] {
        json["region"] = json!(bad);
        assert!(serde_json::from_value::<Party>(json.clone()).is_err(), "{bad}");
        common::assert_schema_rejects::<Party>(&json);
    }
}

#[test]
fn art_27_3_a_decoded_party_with_its_representative_outside_the_union_is_refused() {
    let representative = Contact::new(Text::new("Rep").unwrap(), EmailAddress::new("rep@rep.example").unwrap())
        .with_address(PostalAddress {
            street: Text::new("1 Main St").unwrap(),
            city: Text::new("Dublin").unwrap(),
            postal_code: Text::new("D01").unwrap(),
            country: Country::IE,
        });
    let party = Party::builder("US Chat Inc.", Country::US).eu_representative(representative).build().unwrap();
    let mut json = serde_json::to_value(&party).unwrap();
    assert_eq!(serde_json::from_value::<Party>(json.clone()).unwrap(), party);
    json["eu_representative"]["address"]["country"] = json!("US");
    let err = serde_json::from_value::<Party>(json).unwrap_err().to_string();
    assert!(err.contains("Art. 27(3)"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Every calendar: Art. 3(4) of Regulation 1182/71
// ---------------------------------------------------------------------------------------------

/// Whether `date` is a working day of `calendar`, read from its list of holidays rather than
/// through [`HolidayCalendar`]: Art. 2(2), neither a Saturday, a Sunday nor a public holiday.
fn listed_working_day(calendar: OfficialCalendar, date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !calendar.holidays(date.year()).contains(&date)
}

/// The first working day on or after `date`, from the lists of holidays.
fn next_listed_working_day(calendar: OfficialCalendar, date: NaiveDate) -> NaiveDate {
    let mut day = date;
    while !listed_working_day(calendar, day) {
        day = day.succ_opt().unwrap();
    }
    day
}

/// Any date from 2000-01-01 to 2050-12-31.
fn date_2000_2050() -> impl Strategy<Value = NaiveDate> {
    let (from, to) = (d(2000, 1, 1).num_days_from_ce(), d(2050, 12, 31).num_days_from_ce());
    (from..=to).prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap())
}

fn any_official_calendar() -> impl Strategy<Value = OfficialCalendar> {
    prop::sample::select(OfficialCalendar::all().collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(256)))]

    /// Art. 3(4): a period whose last day is a public holiday, Saturday or Sunday ends with the
    /// following working day. For every state and region and any date of 2000-2050, the roll
    /// ends on a working day of that calendar, on the first one (every day it skips is a
    /// weekend day or a listed holiday), and leaves a working day where it is.
    #[test]
    fn reg_1182_71_art_3_4_the_roll_ends_on_the_next_working_day_of_every_calendar(
        calendar in any_official_calendar(),
        date in date_2000_2050(),
    ) {
        let rolled = roll_forward(date, &calendar).unwrap();
        prop_assert!(rolled >= date);
        prop_assert!(!matches!(rolled.weekday(), Weekday::Sat | Weekday::Sun), "{calendar}: {rolled} is a weekend day");
        prop_assert!(!calendar.holidays(rolled.year()).contains(&rolled), "{calendar}: {rolled} is a holiday");
        prop_assert!(is_working_day(rolled, &calendar));
        prop_assert_eq!(rolled, next_listed_working_day(calendar, date), "{}: not the first working day", calendar);
        if listed_working_day(calendar, date) {
            prop_assert_eq!(rolled, date, "{}: a working day moved", calendar);
        }
        // The same through the policy a controller established there gets, and its calendar.
        let policy = DeadlinePolicy::official(calendar);
        prop_assert_eq!(roll_forward(date, policy.calendar()), Some(rolled));
    }
}

/// Art. 3(4) with Art. 3(2)(c) and Art. 12(3) GDPR, exhaustively: a request received on any
/// public holiday of any state or region from 2000 to 2050 (in that place's zone) is received
/// that day, and is due on the first working day on or after the same date a month later, and,
/// if extended, three months later (read from the holiday lists, not through the roll).
#[test]
fn reg_1182_71_art_3_4_a_request_received_on_any_holiday_is_due_on_the_working_day_the_rule_gives() {
    let mut requests = 0usize;
    for calendar in OfficialCalendar::all() {
        let policy = DeadlinePolicy::official(calendar);
        for year in 2000..=2050 {
            for holiday in calendar.holidays(year) {
                // Noon in the controller's zone: the receipt date is the holiday itself.
                let received = gdpr_obligations::time::start_of_day(holiday, policy.zone()).unwrap()
                    + chrono::TimeDelta::hours(12);
                let deadlines = policy.request_deadlines(received).unwrap();
                assert_eq!(deadlines.received_date(), holiday, "{calendar}");
                let month = add_months(holiday, 1).unwrap();
                assert_eq!(deadlines.due().date(), next_listed_working_day(calendar, month), "{calendar}: {holiday}");
                let three = add_months(holiday, 3).unwrap();
                assert_eq!(
                    deadlines.extended_due().date(),
                    next_listed_working_day(calendar, three),
                    "{calendar}: {holiday}"
                );
                assert_eq!(
                    deadlines.due().expires_at(),
                    gdpr_obligations::time::end_of_day(deadlines.due().date(), policy.zone()).unwrap()
                );
                requests += 1;
            }
        }
    }
    // Every calendar has at least 8 holidays a year (Iceland's and the Netherlands' fewest).
    assert!(requests >= OfficialCalendar::all().count() * 51 * 8, "{requests} requests");
}
