//! Tests of the official calendars (`gdpr_obligations::time::OfficialCalendar`): one test per
//! state for the years its rules changed, named after the state and the rule; the codes, serde
//! and JSON Schema of `Calendar::Official`; and that `cz` keeps the Czech calendar's days.

use chrono::{Datelike, NaiveDate, Weekday};
use gdpr_obligations::time::{Calendar, Czechia, HolidayCalendar, OfficialCalendar, TimeError};
use gdpr_obligations::vocab::Country;
use proptest::prelude::*;
use serde_json::json;

use crate::common;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal(code: &str) -> OfficialCalendar {
    OfficialCalendar::from_code(code).unwrap()
}

fn holiday(code: &str, date: NaiveDate) -> bool {
    cal(code).is_public_holiday(date)
}

#[test]
fn every_eu_and_eea_state_has_a_calendar_with_its_statute() {
    let states: Vec<Country> = Country::all().filter(Country::is_eea).collect();
    assert_eq!(states.len(), 30);
    for country in states {
        let code = country.as_str().to_ascii_lowercase();
        let calendar = OfficialCalendar::from_code(&code).unwrap();
        assert_eq!(calendar.country(), country);
        assert!(!calendar.is_region());
        assert!(calendar.statute().len() > 20, "{code}");
        assert!(!calendar.holidays(2025).is_empty(), "{code}");
    }
}

#[test]
fn codes_are_sorted_case_insensitive_and_regions_name_their_state() {
    let all: Vec<OfficialCalendar> = OfficialCalendar::all().collect();
    assert!(all.windows(2).all(|pair| pair[0] < pair[1] && pair[0].code() < pair[1].code()));
    for calendar in &all {
        assert_eq!(OfficialCalendar::from_code(&calendar.code().to_ascii_uppercase()).unwrap(), *calendar);
        assert_eq!(calendar.id(), calendar.code());
        assert_eq!(calendar.is_region(), calendar.code().contains('-'));
        if calendar.is_region() {
            let state = cal(&calendar.code()[..2]);
            assert!(calendar.name().starts_with(&format!("{}: ", state.name())), "{}", calendar.name());
        }
    }
    assert_eq!(cal("de-by").name(), "Germany: Bavaria");
    assert_eq!(cal("de-by").country(), Country::DE);
}

#[test]
fn unknown_code_is_refused_naming_the_accepted_codes() {
    let error = OfficialCalendar::from_code("de-xx").unwrap_err();
    assert_eq!(error, TimeError::UnknownCalendar { name: "de-xx".to_owned() });
    let message = error.to_string();
    for code in ["de-by", "es", "no", "weekends"] {
        assert!(message.contains(code), "{message}");
    }
}

#[test]
fn holidays_are_sorted_deduplicated_and_in_their_year() {
    for calendar in OfficialCalendar::all() {
        for year in [2000, 2017, 2024, 2025, 2050] {
            let days = calendar.holidays(year);
            assert!(days.windows(2).all(|pair| pair[0] < pair[1]), "{} {year}", calendar.code());
            assert!(days.iter().all(|day| day.year() == year));
            assert!(days.iter().all(|day| calendar.is_public_holiday(*day)));
        }
    }
}

#[test]
fn a_region_keeps_every_day_of_its_state() {
    for region in OfficialCalendar::all().filter(|c| c.is_region()) {
        let state = cal(&region.code()[..2]);
        for year in [2005, 2017, 2026] {
            let days = region.holidays(year);
            for day in state.holidays(year) {
                assert!(days.contains(&day), "{} lacks {day}", region.code());
            }
        }
    }
}

#[test]
fn calendar_official_serialises_as_its_code_and_parses_every_code() {
    let bavaria = Calendar::Official(cal("de-by"));
    assert_eq!(serde_json::to_value(&bavaria).unwrap(), json!({"official": "de-by"}));
    assert_eq!(serde_json::from_value::<Calendar>(json!({"official": "DE-BY"})).unwrap(), bavaria);
    assert!(serde_json::from_value::<Calendar>(json!({"official": "de-xx"})).is_err());
    common::assert_json_contract(&bavaria);
    common::assert_schema_rejects::<Calendar>(&json!({"official": "de-xx"}));
    for calendar in OfficialCalendar::all() {
        assert!(Calendar::ACCEPTED_NAMES.contains(&calendar.code()));
        let parsed: Calendar = calendar.code().parse().unwrap();
        if calendar.code() == "cz" {
            assert_eq!(parsed, Calendar::Czechia);
        } else {
            assert_eq!(parsed, Calendar::Official(calendar));
        }
        assert_eq!(parsed.id(), calendar.code());
    }
    assert_eq!("DE-BY".parse::<Calendar>().unwrap(), bavaria);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(256)))]

    /// `cz` has the same days as the built-in `Czechia`.
    #[test]
    fn cz_official_calendar_matches_czechia(days in 0i64..(200 * 366)) {
        let date = d(1950, 1, 1) + chrono::TimeDelta::days(days);
        prop_assert_eq!(cal("cz").is_public_holiday(date), Czechia.is_public_holiday(date));
    }
}

#[test]
fn cz_good_friday_from_2016() {
    assert!(!holiday("cz", d(2015, 4, 3)));
    assert!(holiday("cz", d(2016, 3, 25)));
}

#[test]
fn de_reformation_day_nationwide_only_in_2017_then_by_land_from_2018() {
    assert!(!holiday("de", d(2016, 10, 31)));
    assert!(holiday("de", d(2017, 10, 31)));
    assert!(!holiday("de", d(2018, 10, 31)));
    for land in ["de-hb", "de-hh", "de-ni", "de-sh"] {
        assert!(!holiday(land, d(2016, 10, 31)), "{land}");
        assert!(holiday(land, d(2017, 10, 31)), "{land}");
        assert!(holiday(land, d(2018, 10, 31)), "{land}");
    }
    for land in ["de-bb", "de-mv", "de-sn", "de-st", "de-th"] {
        assert!(holiday(land, d(2010, 10, 31)), "{land}");
    }
    for land in ["de-by", "de-bw", "de-nw", "de-be"] {
        assert!(!holiday(land, d(2018, 10, 31)), "{land}");
    }
}

#[test]
fn de_be_womens_day_from_2019_and_mv_from_2023() {
    assert!(!holiday("de-be", d(2018, 3, 8)));
    assert!(holiday("de-be", d(2019, 3, 8)));
    assert!(!holiday("de-mv", d(2022, 3, 8)));
    assert!(holiday("de-mv", d(2023, 3, 8)));
    assert!(holiday("de-be", d(2025, 5, 8)));
    assert!(!holiday("de-be", d(2026, 5, 8)));
}

#[test]
fn de_th_world_childrens_day_from_2019() {
    assert!(!holiday("de-th", d(2018, 9, 20)));
    assert!(holiday("de-th", d(2019, 9, 20)));
}

#[test]
fn de_sn_repentance_day_is_the_wednesday_before_23_november() {
    assert!(holiday("de-sn", d(2025, 11, 19)));
    assert!(holiday("de-sn", d(2026, 11, 18)));
    assert!(!holiday("de-by", d(2025, 11, 19)));
}

#[test]
fn dk_great_prayer_day_abolished_from_2024() {
    assert!(holiday("dk", d(2023, 5, 5)));
    assert!(!holiday("dk", d(2024, 4, 26)));
}

#[test]
fn pl_epiphany_from_2011_and_christmas_eve_from_2025() {
    assert!(!holiday("pl", d(2010, 1, 6)));
    assert!(holiday("pl", d(2011, 1, 6)));
    assert!(holiday("pl", d(2018, 11, 12)));
    assert!(!holiday("pl", d(2024, 12, 24)));
    assert!(holiday("pl", d(2025, 12, 24)));
}

#[test]
fn hu_good_friday_from_2017() {
    assert!(!holiday("hu", d(2016, 3, 25)));
    assert!(holiday("hu", d(2017, 4, 14)));
}

#[test]
fn se_national_day_replaced_whit_monday_in_2005() {
    assert!(holiday("se", d(2004, 5, 31)));
    assert!(!holiday("se", d(2004, 6, 6)));
    assert!(!holiday("se", d(2005, 5, 16)));
    assert!(holiday("se", d(2005, 6, 6)));
}

#[test]
fn se_and_fi_midsummer_and_all_saints_fall_on_a_saturday() {
    for code in ["se", "fi"] {
        for year in 2000..2040 {
            let days = cal(code).holidays(year);
            let saturday = |from: NaiveDate| {
                (0..7).map(|n| from + chrono::TimeDelta::days(n)).find(|day| day.weekday() == Weekday::Sat).unwrap()
            };
            assert!(days.contains(&saturday(d(year, 6, 20))), "{code} {year} Midsummer Day");
            assert!(days.contains(&saturday(d(year, 10, 31))), "{code} {year} All Saints' Day");
            let june = days.iter().filter(|day| day.month() == 6 && (19..=26).contains(&day.day())).count();
            // Sweden: Midsummer Day only; Finland: Midsummer Eve (the Friday) and Day.
            assert_eq!(june, if code == "fi" { 2 } else { 1 }, "{code} {year}");
        }
    }
    assert!(holiday("fi", d(2025, 6, 20)), "Midsummer Eve");
}

#[test]
fn nl_kings_day_from_2014_and_on_saturday_when_27_april_is_a_sunday() {
    assert!(holiday("nl", d(2013, 4, 30)));
    assert!(!holiday("nl", d(2014, 4, 30)));
    assert!(holiday("nl", d(2014, 4, 26)), "27 April 2014 was a Sunday");
    assert!(holiday("nl", d(2024, 4, 27)));
    assert!(holiday("nl", d(2000, 4, 29)), "30 April 2000 was a Sunday");
    assert!(!holiday("nl", d(2025, 4, 18)), "Good Friday is not in the Algemene termijnenwet");
}

#[test]
fn lu_europe_day_from_2019() {
    assert!(!holiday("lu", d(2018, 5, 9)));
    assert!(holiday("lu", d(2019, 5, 9)));
}

#[test]
fn pt_four_days_suspended_2013_to_2015() {
    for year in 2013..=2015 {
        assert!(!holiday("pt", d(year, 12, 1)), "{year}");
        assert!(!holiday("pt", d(year, 10, 5)), "{year}");
    }
    assert!(holiday("pt", d(2012, 12, 1)));
    assert!(holiday("pt", d(2016, 12, 1)));
    assert!(holiday("pt-20", d(2025, 6, 9)), "Azores Day on Whit Monday");
    assert!(holiday("pt-30", d(2025, 7, 1)));
}

#[test]
fn hr_2020_reform_moves_statehood_day_and_adds_remembrance_day() {
    assert!(holiday("hr", d(2019, 6, 25)));
    assert!(holiday("hr", d(2019, 10, 8)));
    assert!(!holiday("hr", d(2019, 11, 18)));
    assert!(holiday("hr", d(2020, 5, 30)));
    assert!(!holiday("hr", d(2020, 6, 25)));
    assert!(!holiday("hr", d(2020, 10, 8)));
    assert!(holiday("hr", d(2020, 11, 18)));
}

#[test]
fn gr_and_cy_use_orthodox_easter() {
    // Orthodox Easter 2025 was 20 April (with Western Easter), 2024 5 May (Western: 31 March).
    assert!(holiday("gr", d(2024, 5, 3)), "Good Friday");
    assert!(holiday("gr", d(2024, 5, 6)), "Easter Monday");
    assert!(!holiday("gr", d(2024, 4, 1)));
    assert!(holiday("cy", d(2024, 3, 18)), "Green Monday");
    assert!(holiday("ro", d(2024, 5, 6)));
    assert!(holiday("bg", d(2024, 5, 3)));
}

#[test]
fn ro_days_added_since_2009() {
    assert!(!holiday("ro", d(2016, 1, 24)));
    assert!(holiday("ro", d(2017, 1, 24)));
    assert!(!holiday("ro", d(2017, 4, 14)), "Orthodox Good Friday only from 2018");
    assert!(holiday("ro", d(2018, 4, 6)));
    assert!(!holiday("ro", d(2023, 1, 6)));
    assert!(holiday("ro", d(2024, 1, 6)));
    assert!(holiday("ro", d(2024, 1, 7)));
}

#[test]
fn bg_fixed_holiday_on_a_weekend_gives_the_next_working_day_from_2017() {
    // 24 May 2025 was a Saturday: Monday 26 May is off.
    assert!(holiday("bg", d(2025, 5, 26)));
    // 24 May 2014 was a Saturday too, before art. 154(2) applied.
    assert!(!holiday("bg", d(2014, 5, 26)));
    // 1 May 2021 was Holy Saturday and 2-3 May Easter: the substitute is Tuesday 4 May.
    assert!(holiday("bg", d(2021, 5, 4)));
}

#[test]
fn ie_st_brigids_day_from_2023() {
    assert!(!holiday("ie", d(2022, 2, 7)));
    assert!(holiday("ie", d(2023, 2, 6)));
    assert!(holiday("ie", d(2030, 2, 1)), "1 February 2030 is a Friday");
    assert!(holiday("ie", d(2022, 3, 18)));
}

#[test]
fn lv_independence_days_on_a_weekend_move_to_monday_from_2007() {
    assert!(holiday("lv", d(2025, 5, 5)), "4 May 2025 was a Sunday");
    assert!(!holiday("lv", d(2003, 5, 5)));
    assert!(holiday("lv", d(2023, 5, 29)));
}

#[test]
fn sk_constitution_day_until_2023_and_17_november_until_2024() {
    assert!(holiday("sk", d(2023, 9, 1)));
    assert!(!holiday("sk", d(2024, 9, 1)));
    assert!(holiday("sk", d(2024, 11, 17)));
    assert!(!holiday("sk", d(2025, 11, 17)));
    assert!(holiday("sk", d(2018, 10, 30)));
}

#[test]
fn si_2_january_not_a_day_off_2013_to_2016() {
    assert!(holiday("si", d(2012, 1, 2)));
    assert!(!holiday("si", d(2013, 1, 2)));
    assert!(!holiday("si", d(2016, 1, 2)));
    assert!(holiday("si", d(2017, 1, 2)));
}

#[test]
fn ee_christmas_eve_from_2005() {
    assert!(!holiday("ee", d(2004, 12, 24)));
    assert!(holiday("ee", d(2005, 12, 24)));
}

#[test]
fn lt_st_johns_day_from_2003_and_all_souls_from_2020() {
    assert!(!holiday("lt", d(2002, 6, 24)));
    assert!(holiday("lt", d(2003, 6, 24)));
    assert!(!holiday("lt", d(2019, 11, 2)));
    assert!(holiday("lt", d(2020, 11, 2)));
}

#[test]
fn it_republic_day_on_2_june_from_2001_and_st_francis_from_2026() {
    assert!(holiday("it", d(2000, 6, 4)));
    assert!(!holiday("it", d(2000, 6, 2)));
    assert!(holiday("it", d(2001, 6, 2)));
    assert!(!holiday("it", d(2025, 10, 4)));
    assert!(holiday("it", d(2026, 10, 4)));
}

#[test]
fn fr_alsace_moselle_adds_good_friday_and_26_december() {
    for code in ["fr-57", "fr-6ae"] {
        assert!(holiday(code, d(2025, 4, 18)));
        assert!(holiday(code, d(2025, 12, 26)));
    }
    assert!(!holiday("fr", d(2025, 4, 18)));
    assert!(holiday("fr-974", d(2025, 12, 20)));
}

#[test]
fn mt_holidays_on_a_weekend_are_not_moved() {
    // 13 December 2025 (Republic Day) was a Saturday.
    assert!(holiday("mt", d(2025, 12, 13)));
    assert!(!holiday("mt", d(2025, 12, 15)));
}

#[test]
fn is_first_day_of_summer_is_the_thursday_after_18_april() {
    assert!(holiday("is", d(2025, 4, 24)));
    assert!(holiday("is", d(2026, 4, 23)));
}

#[test]
fn es_communities_add_their_own_days_to_the_national_ones() {
    assert!(holiday("es-ct", d(2025, 9, 11)), "National Day of Catalonia");
    assert!(holiday("es-ct", d(2025, 4, 21)), "Easter Monday in Catalonia");
    assert!(!holiday("es-ct", d(2025, 4, 17)), "no Maundy Thursday in Catalonia");
    assert!(holiday("es-md", d(2025, 4, 17)), "Maundy Thursday in Madrid");
    assert!(holiday("es-md", d(2025, 5, 2)));
    assert!(!holiday("es", d(2025, 5, 2)));
    assert!(holiday("es", d(2025, 10, 12)), "Fiesta Nacional, a Sunday in 2025");
}
