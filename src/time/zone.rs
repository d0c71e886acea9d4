//! [`Zone`]: the controller's time zone, named by its IANA name.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

use super::{OfficialCalendar, TimeError};

/// An IANA time zone, such as `Europe/Prague`, in which dates are counted.
///
/// Receipt dates and the end of a period's last day are local to the controller's Member State
/// (Art. 3(2)(b)-(c) of Regulation 1182/71; EDPB Guidelines 01/2022 §159 fn. 90), so every date computation takes a
/// `Zone`. The time-zone database behind it is an implementation detail and not part of the API.
///
/// Serialised as its IANA name, e.g. `"Europe/Prague"`.
///
/// # Example
///
/// ```
/// use gdpr_obligations::time::Zone;
///
/// let zone: Zone = "Europe/Prague".parse()?;
/// assert_eq!(zone, Zone::EUROPE_PRAGUE);
/// assert_eq!(zone.to_string(), "Europe/Prague");
/// assert!("Europe/Atlantis".parse::<Zone>().is_err());
/// # Ok::<(), gdpr_obligations::time::TimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone(Tz);

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// `Europe/Prague`, the zone of the Czech Republic and of [`DeadlinePolicy::czech`].
    ///
    /// [`DeadlinePolicy::czech`]: super::DeadlinePolicy::czech
    pub const EUROPE_PRAGUE: Zone = Zone(Tz::Europe__Prague);

    /// The IANA name of the zone, e.g. `"Europe/Prague"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub(crate) fn tz(self) -> Tz {
        self.0
    }
}

impl OfficialCalendar {
    /// The IANA zone in which a controller established where this calendar applies counts its
    /// dates: the region's own where the region keeps another time than the state's capital (the
    /// Canary Islands, the Azores, Madeira, the French overseas departments and collectivities),
    /// otherwise the capital's.
    ///
    /// Receipt dates and the end of a period's last day are local to the place where the
    /// controller is established (Art. 3(2)(b)-(c) of Regulation 1182/71, Art. 12(3) GDPR), as
    /// its public holidays are (Art. 2(1)): with [`DeadlinePolicy::official`] this zone and this
    /// calendar are an establishment's defaults.
    ///
    /// # Example
    ///
    /// ```
    /// use gdpr_obligations::time::{OfficialCalendar, Zone};
    ///
    /// assert_eq!(OfficialCalendar::from_code("cz")?.zone(), Zone::EUROPE_PRAGUE);
    /// assert_eq!(OfficialCalendar::from_code("de")?.zone().name(), "Europe/Berlin");
    /// # Ok::<(), gdpr_obligations::time::TimeError>(())
    /// ```
    ///
    /// [`DeadlinePolicy::official`]: super::DeadlinePolicy::official
    #[must_use]
    pub fn zone(self) -> Zone {
        let code = self.code();
        let region = code.split_once('-').map(|(_, region)| region);
        Zone(region_zone(self.country().as_str(), region).unwrap_or_else(|| capital_zone(self.country().as_str())))
    }
}

/// The zone of a region whose time differs from its state's capital, by the ISO 3166-2
/// subdivision code (without the country) or the ISO 3166-1 code the territory also has.
fn region_zone(country: &str, region: Option<&str>) -> Option<Tz> {
    let region = region?;
    Some(match (country, region) {
        ("ES", "cn") => Tz::Atlantic__Canary,
        ("ES", "ce" | "ml") => Tz::Africa__Ceuta,
        ("PT", "20" | "ac") => Tz::Atlantic__Azores,
        ("PT", "30" | "ma") => Tz::Atlantic__Madeira,
        ("FR", "971" | "gp" | "gua") => Tz::America__Guadeloupe,
        ("FR", "972" | "mq" | "mtq") => Tz::America__Martinique,
        ("FR", "973" | "gf" | "gy" | "guf") => Tz::America__Cayenne,
        ("FR", "974" | "re" | "lre") => Tz::Indian__Reunion,
        ("FR", "976" | "yt" | "may") => Tz::Indian__Mayotte,
        ("FR", "977" | "bl") => Tz::America__St_Barthelemy,
        ("FR", "978" | "mf") => Tz::America__Marigot,
        ("FR", "975" | "pm") => Tz::America__Miquelon,
        ("FR", "986" | "wf") => Tz::Pacific__Wallis,
        ("FR", "987" | "pf") => Tz::Pacific__Tahiti,
        ("FR", "988" | "nc") => Tz::Pacific__Noumea,
        ("FR", "984" | "tf") => Tz::Indian__Kerguelen,
        _ => return None,
    })
}

/// The zone of the capital of an EU or EEA state, by its ISO 3166-1 alpha-2 code (UTC for a
/// code that is none of them, which no official calendar has).
fn capital_zone(country: &str) -> Tz {
    match country {
        "AT" => Tz::Europe__Vienna,
        "BE" => Tz::Europe__Brussels,
        "BG" => Tz::Europe__Sofia,
        "CY" => Tz::Asia__Nicosia,
        "CZ" => Tz::Europe__Prague,
        "DE" => Tz::Europe__Berlin,
        "DK" => Tz::Europe__Copenhagen,
        "EE" => Tz::Europe__Tallinn,
        "ES" => Tz::Europe__Madrid,
        "FI" => Tz::Europe__Helsinki,
        "FR" => Tz::Europe__Paris,
        "GR" => Tz::Europe__Athens,
        "HR" => Tz::Europe__Zagreb,
        "HU" => Tz::Europe__Budapest,
        "IE" => Tz::Europe__Dublin,
        "IS" => Tz::Atlantic__Reykjavik,
        "IT" => Tz::Europe__Rome,
        "LI" => Tz::Europe__Vaduz,
        "LT" => Tz::Europe__Vilnius,
        "LU" => Tz::Europe__Luxembourg,
        "LV" => Tz::Europe__Riga,
        "MT" => Tz::Europe__Malta,
        "NL" => Tz::Europe__Amsterdam,
        "NO" => Tz::Europe__Oslo,
        "PL" => Tz::Europe__Warsaw,
        "PT" => Tz::Europe__Lisbon,
        "RO" => Tz::Europe__Bucharest,
        "SE" => Tz::Europe__Stockholm,
        "SI" => Tz::Europe__Ljubljana,
        "SK" => Tz::Europe__Bratislava,
        _ => Tz::UTC,
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Zone {
    type Err = TimeError;

    /// Parses an IANA zone name (case-sensitive, as in the tz database).
    ///
    /// # Errors
    ///
    /// [`TimeError::UnknownZone`] naming the input when it is not in the tz database.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Tz::from_str(name).map(Zone).map_err(|_| TimeError::UnknownZone { name: name.to_owned() })
    }
}

string_serde!(Zone);

impl schemars::JsonSchema for Zone {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Zone")
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An IANA time-zone name, e.g. Europe/Prague.",
            "examples": ["Europe/Prague", "UTC"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Art. 3(2) of Regulation 1182/71 ends a period at the end of a local day: a region whose
    /// clocks differ from its capital's counts in its own zone, whether or not its calendar is
    /// built in yet (the code is the key).
    #[test]
    fn reg_1182_71_art_3_2_regions_off_the_capitals_time_count_in_their_own_zone() {
        let cases = [
            ("ES", "cn", "Atlantic/Canary"),
            ("PT", "20", "Atlantic/Azores"),
            ("PT", "30", "Atlantic/Madeira"),
            ("FR", "971", "America/Guadeloupe"),
            ("FR", "972", "America/Martinique"),
            ("FR", "973", "America/Cayenne"),
            ("FR", "974", "Indian/Reunion"),
            ("FR", "976", "Indian/Mayotte"),
        ];
        for (country, region, zone) in cases {
            assert_eq!(region_zone(country, Some(region)).map(Tz::name), Some(zone), "{country}-{region}");
        }
        assert_eq!(region_zone("DE", Some("by")), None, "Bavaria keeps Berlin's time");
        assert_eq!(region_zone("ES", None), None);
    }

    #[test]
    fn reg_1182_71_art_3_2_every_official_calendar_counts_in_its_states_zone_or_its_regions() {
        for calendar in OfficialCalendar::all() {
            let zone = calendar.zone();
            assert_ne!(zone, Zone::UTC, "{calendar} has no zone of its own");
            if region_zone(calendar.country().as_str(), calendar.code().split_once('-').map(|(_, r)| r)).is_none() {
                assert_eq!(zone.tz(), capital_zone(calendar.country().as_str()), "{calendar}");
            }
        }
        let national: Vec<(&str, &str)> =
            OfficialCalendar::all().filter(|c| !c.is_region()).map(|c| (c.code(), c.zone().name())).collect();
        assert_eq!(
            national,
            [
                ("at", "Europe/Vienna"),
                ("be", "Europe/Brussels"),
                ("bg", "Europe/Sofia"),
                ("cy", "Asia/Nicosia"),
                ("cz", "Europe/Prague"),
                ("de", "Europe/Berlin"),
                ("dk", "Europe/Copenhagen"),
                ("ee", "Europe/Tallinn"),
                ("es", "Europe/Madrid"),
                ("fi", "Europe/Helsinki"),
                ("fr", "Europe/Paris"),
                ("gr", "Europe/Athens"),
                ("hr", "Europe/Zagreb"),
                ("hu", "Europe/Budapest"),
                ("ie", "Europe/Dublin"),
                ("is", "Atlantic/Reykjavik"),
                ("it", "Europe/Rome"),
                ("li", "Europe/Vaduz"),
                ("lt", "Europe/Vilnius"),
                ("lu", "Europe/Luxembourg"),
                ("lv", "Europe/Riga"),
                ("mt", "Europe/Malta"),
                ("nl", "Europe/Amsterdam"),
                ("no", "Europe/Oslo"),
                ("pl", "Europe/Warsaw"),
                ("pt", "Europe/Lisbon"),
                ("ro", "Europe/Bucharest"),
                ("se", "Europe/Stockholm"),
                ("si", "Europe/Ljubljana"),
                ("sk", "Europe/Bratislava"),
            ]
        );
    }
}
