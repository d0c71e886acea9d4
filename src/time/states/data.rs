//! The rule tables, one block per state, each citing its statute. Calendars are listed in code
//! order (checked by a test): `OfficialCalendar`'s index and ordering rely on it.

use super::{Day, Spec, easter, fixed};
use crate::vocab::Country;

// ---------------------------------------------------------------------------------------------
// Austria
const AT_STATUTE: &str = "Austria: Feiertagsruhegesetz 1957 (BGBl. 153/1957) § 1 and Arbeitsruhegesetz (BGBl. \
                          144/1983) § 7(2); the regional patron saints' days are not public holidays";
const AT: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Monday", 50),
    easter("Corpus Christi", 60),
    fixed("Assumption Day", 8, 15),
    fixed("National Day", 10, 26),
    fixed("All Saints' Day", 11, 1),
    fixed("Immaculate Conception", 12, 8),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Czechia
const CZ_STATUTE: &str = "Czechia: Act No. 245/2000 Coll. on public holidays, §§ 1-3 (Good Friday from 2016, Act \
                          No. 359/2015 Coll.)";
const CZ: &[Day] = &[
    fixed("New Year's Day; Restoration Day of the Independent Czech State", 1, 1),
    easter("Good Friday", -2).since(2016),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Victory Day", 5, 8),
    fixed("Saints Cyril and Methodius Day", 7, 5),
    fixed("Jan Hus Day", 7, 6),
    fixed("St. Wenceslas Day (Czech Statehood Day)", 9, 28),
    fixed("Independent Czechoslovak State Day", 10, 28),
    fixed("Struggle for Freedom and Democracy Day", 11, 17),
    fixed("Christmas Eve", 12, 24),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Germany: the days common to every Land (German Unity Day by federal law, the rest by each
// Land's Feiertagsgesetz), then each Land's own.
const DE_STATUTE: &str = "Germany: Unification Treaty (Einigungsvertrag) Art. 2(2) for 3 October; the other days by \
                          the holiday acts (Feiertagsgesetze) of the 16 Länder, which all list these; Reformation Day \
                          2017 nationwide by resolutions of every Land for the 500th anniversary";
const DE: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Good Friday", -2),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Monday", 50),
    fixed("German Unity Day", 10, 3),
    fixed("Reformation Day", 10, 31).only(2017),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

/// Every calendar, sorted by code.
pub(super) const CALENDARS: &[Spec] = &[
    Spec { code: "at", name: "Austria", country: Country::AT, statute: AT_STATUTE, groups: &[AT] },
    Spec { code: "cz", name: "Czechia", country: Country::CZ, statute: CZ_STATUTE, groups: &[CZ] },
    Spec { code: "de", name: "Germany", country: Country::DE, statute: DE_STATUTE, groups: &[DE] },
];
