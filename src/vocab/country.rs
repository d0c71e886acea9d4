//! [`Country`]: ISO 3166-1 alpha-2 codes with EU/EEA membership and adequacy as dated data.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::{Article, Destination, InternationalOrganisation};

/// A country by its ISO 3166-1 alpha-2 code (`CZ`, `DE`, `US`).
///
/// Whether a transfer to it needs a Chapter V mechanism depends on EU/EEA membership and on the
/// Commission's adequacy decisions, which are kept here as dated data ([`Country::adequacy_on`]):
/// an adequacy decision can be adopted, renewed or repealed (Art. 45(3), 45(5)).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use gdpr_obligations::vocab::Country;
///
/// let cz: Country = "cz".parse()?;
/// assert_eq!(cz, Country::CZ);
/// assert!(cz.is_eu_member());
///
/// let before = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
/// let after = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
/// assert!(Country::BR.adequacy_on(before).is_none());
/// assert!(Country::BR.adequacy_on(after).is_some());
/// assert!("XX".parse::<Country>().is_err());
/// # Ok::<(), gdpr_obligations::vocab::InvalidCountry>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

/// The text was not an assigned ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 3166-1 alpha-2 country code (got {0} characters)")]
pub struct InvalidCountry(usize);

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted.
const ISO_3166_1: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The 27 Member States of the European Union (Greece under its ISO code `GR`).
const EU: &str = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK";
/// The EEA states outside the EU, bound by the GDPR through the EEA Agreement.
const EEA_ONLY: &str = "IS LI NO";

macro_rules! country_consts {
    ($($code:ident),*) => {
        $(
            #[doc = concat!("`", stringify!($code), "`")]
            pub const $code: Country = Country(*stringify!($code).as_bytes().first_chunk::<2>().unwrap());
        )*
    };
}

impl Country {
    country_consts!(
        AT, BE, BG, BR, CA, CH, CY, CZ, DE, DK, EE, ES, FI, FR, GB, GR, HR, HU, IE, IL, IN, IS, IT, JP, KR, LI, LT, LU,
        LV, MT, NL, NO, PL, PT, RO, SE, SI, SK, US
    );

    /// Validates a code; lower case is accepted and normalised to upper case.
    ///
    /// # Errors
    /// [`InvalidCountry`] when the text is not an assigned ISO 3166-1 alpha-2 code.
    pub fn new(code: &str) -> Result<Self, InvalidCountry> {
        let upper = code.to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b] if ISO_3166_1.split(' ').any(|c| c == upper) => Ok(Self([*a, *b])),
            _ => Err(InvalidCountry(code.chars().count())),
        }
    }

    /// Every assigned code.
    pub fn all() -> impl Iterator<Item = Country> {
        ISO_3166_1.split(' ').filter_map(|c| c.as_bytes().first_chunk::<2>().map(|b| Country(*b)))
    }

    /// The code, e.g. `"CZ"`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // The bytes always come from ISO_3166_1, which is ASCII.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The IRI of the country in DPV's location extension.
    #[must_use]
    pub fn dpv_iri(&self) -> String {
        format!("https://w3id.org/dpv/loc#{}", self.as_str())
    }

    /// Whether the country is a Member State of the European Union.
    #[must_use]
    pub fn is_eu_member(&self) -> bool {
        EU.split(' ').any(|c| c == self.as_str())
    }

    /// Whether the GDPR applies in the country: the EU and Iceland, Liechtenstein and Norway.
    /// A transfer between two such countries is not a Chapter V transfer (Art. 44).
    #[must_use]
    pub fn is_eea(&self) -> bool {
        self.is_eu_member() || EEA_ONLY.split(' ').any(|c| c == self.as_str())
    }

    /// The Commission adequacy decision covering the country on `date`, if any (Art. 45(3)).
    ///
    /// Some decisions cover only part of a country's organisations (see [`AdequacyScope`]):
    /// a transfer relying on one must check that the recipient is covered.
    #[must_use]
    pub fn adequacy_on(&self, date: NaiveDate) -> Option<&'static Adequacy> {
        Destination::Country(*self).adequacy_on(date)
    }

    /// Whether a transfer of personal data to this country on `date` needs an Art. 46 safeguard
    /// or an Art. 49 derogation: it is outside the EEA and no adequacy decision covers it.
    #[must_use]
    pub fn needs_transfer_safeguard(&self, date: NaiveDate) -> bool {
        !self.is_eea() && self.adequacy_on(date).is_none()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Country {
    type Err = InvalidCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

string_serde!(Country);

impl JsonSchema for Country {
    fn schema_name() -> Cow<'static, str> {
        "Country".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "An ISO 3166-1 alpha-2 country code.",
            "pattern": "^[A-Z]{2}$"
        })
    }
}

/// What an adequacy decision covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, JsonSchema)]
#[serde(tag = "scope", content = "covers", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AdequacyScope {
    /// The whole country.
    Full,
    /// Only the organisations or sectors described.
    Partial(&'static str),
}

/// A Commission decision that a country or an international organisation ensures an adequate
/// level of protection (Art. 45(3)), or one adopted under Directive 95/46/EC that stays in force
/// under Art. 45(9).
///
/// The table is a snapshot (November 2026); the Commission's list is the authority and must be
/// re-checked at each release. Adoption dates of the pre-GDPR decisions are from memory of the
/// Official Journal and marked so in the crate's notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Adequacy {
    /// The country or international organisation covered.
    pub destination: Destination,
    /// The decision's number, e.g. `(EU) 2023/1795`.
    pub decision: &'static str,
    /// What the decision covers.
    pub scope: AdequacyScope,
    /// The first day the decision applies.
    pub in_force_from: NaiveDate,
    /// The last day the decision applies, where it has an end.
    pub in_force_until: Option<NaiveDate>,
}

impl Adequacy {
    /// Whether the decision applies on `date`.
    #[must_use]
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.in_force_from <= date && self.in_force_until.is_none_or(|until| date <= until)
    }

    /// The provision under which the decision was adopted (Art. 45(3)).
    #[must_use]
    pub const fn article(&self) -> Article {
        Article::gdpr(45).paragraph(3)
    }
}

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the adequacy table"),
    }
}

const fn code(c: &[u8; 2]) -> Country {
    Country(*c)
}

const fn full(country: &[u8; 2], decision: &'static str, from: NaiveDate) -> Adequacy {
    Adequacy {
        destination: Destination::Country(code(country)),
        decision,
        scope: AdequacyScope::Full,
        in_force_from: from,
        in_force_until: None,
    }
}

/// Every adequacy decision the crate knows.
pub(super) fn adequacy_table() -> &'static [Adequacy] {
    ADEQUACY
}

static ADEQUACY: &[Adequacy] = &[
    full(b"AD", "2010/625/EU", date(2010, 10, 19)),
    full(b"AR", "2003/490/EC", date(2003, 6, 30)),
    full(b"BR", "Commission Implementing Decision (EU) 2026/179 of 26 January 2026", date(2026, 1, 26)),
    Adequacy {
        destination: Destination::Country(code(b"CA")),
        decision: "2002/2/EC",
        scope: AdequacyScope::Partial("commercial organisations subject to PIPEDA"),
        in_force_from: date(2001, 12, 20),
        in_force_until: None,
    },
    full(b"CH", "2000/518/EC", date(2000, 7, 26)),
    full(b"FO", "2010/146/EU", date(2010, 3, 5)),
    full(b"GG", "2003/821/EC", date(2003, 11, 21)),
    Adequacy {
        destination: Destination::Country(code(b"IL")),
        decision: "2011/61/EU",
        scope: AdequacyScope::Partial(
            "automated international transfers, or data subject to further automated processing in Israel",
        ),
        in_force_from: date(2011, 1, 31),
        in_force_until: None,
    },
    full(b"IM", "2004/411/EC", date(2004, 4, 28)),
    full(b"JE", "2008/393/EC", date(2008, 5, 8)),
    Adequacy {
        destination: Destination::Country(code(b"JP")),
        decision: "(EU) 2019/419",
        scope: AdequacyScope::Partial("private-sector operators under the APPI with the supplementary rules"),
        in_force_from: date(2019, 1, 23),
        in_force_until: None,
    },
    Adequacy {
        destination: Destination::Country(code(b"KR")),
        decision: "(EU) 2022/254",
        scope: AdequacyScope::Partial("entities subject to PIPA, with the decision's exclusions"),
        in_force_from: date(2021, 12, 17),
        in_force_until: None,
    },
    full(b"NZ", "2013/65/EU", date(2012, 12, 19)),
    Adequacy {
        destination: Destination::Country(code(b"GB")),
        decision: "(EU) 2021/1772",
        scope: AdequacyScope::Full,
        in_force_from: date(2021, 6, 28),
        in_force_until: Some(date(2025, 12, 27)),
    },
    Adequacy {
        destination: Destination::Country(code(b"GB")),
        decision: "renewal of (EU) 2021/1772 of 19 December 2025",
        scope: AdequacyScope::Full,
        in_force_from: date(2025, 12, 19),
        in_force_until: Some(date(2031, 12, 27)),
    },
    Adequacy {
        destination: Destination::Country(code(b"US")),
        decision: "(EU) 2023/1795",
        scope: AdequacyScope::Partial("organisations certified under the EU-U.S. Data Privacy Framework"),
        in_force_from: date(2023, 7, 10),
        in_force_until: None,
    },
    full(b"UY", "2012/484/EU", date(2012, 8, 21)),
    // The first adequacy decision for an international organisation, adopted 15 July 2025; the
    // table dates it from its adoption, as it does the others.
    Adequacy {
        destination: Destination::InternationalOrganisation(InternationalOrganisation::EuropeanPatentOrganisation),
        decision: "Commission adequacy decision for the European Patent Organisation of 15 July 2025",
        scope: AdequacyScope::Full,
        in_force_from: date(2025, 7, 15),
        in_force_until: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_list_has_every_assigned_code_once() {
        let codes: Vec<_> = Country::all().collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        assert!(Country::new("XK").is_err(), "user-assigned codes are not ISO 3166-1");
        assert!(Country::new("EU").is_err());
        assert!(Country::new("C").is_err() && Country::new("CZE").is_err() && Country::new("Č").is_err());
    }

    #[test]
    fn art_44_eu_and_eea_membership() {
        let eu: Vec<_> = Country::all().filter(Country::is_eu_member).collect();
        assert_eq!(eu.len(), 27);
        assert!(Country::new("NO").unwrap().is_eea() && !Country::new("NO").unwrap().is_eu_member());
        assert!(!Country::CH.is_eea() && !Country::GB.is_eea());
        for c in EU.split(' ').chain(EEA_ONLY.split(' ')) {
            assert!(Country::new(c).is_ok(), "{c} is an ISO code");
        }
    }

    #[test]
    fn art_45_adequacy_is_dated() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(Country::US.adequacy_on(d(2023, 7, 9)).is_none());
        assert!(matches!(Country::US.adequacy_on(d(2024, 1, 1)).unwrap().scope, AdequacyScope::Partial(_)));
        assert!(Country::GB.adequacy_on(d(2025, 12, 27)).is_some());
        assert!(Country::GB.adequacy_on(d(2030, 1, 1)).is_some());
        assert!(Country::GB.adequacy_on(d(2032, 1, 1)).is_none());
        assert!(Country::IN.needs_transfer_safeguard(d(2026, 1, 1)));
        assert!(!Country::CZ.needs_transfer_safeguard(d(2026, 1, 1)));
        for a in ADEQUACY {
            assert!(!a.destination.is_eea(), "{} is inside the EEA", a.destination);
            if let Some(country) = a.destination.country() {
                assert!(Country::all().any(|c| c == country));
            }
        }
    }
}
