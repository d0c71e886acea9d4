//! [`Zone`]: the controller's time zone, named by its IANA name.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

use super::TimeError;

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
