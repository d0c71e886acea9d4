//! The rule tables, one block per state, each citing its statute. Calendars are listed in code
//! order (checked by a test): `OfficialCalendar`'s index and ordering rely on it.
//!
//! Statute-listed Sundays (Easter Sunday, Whit Sunday) are kept where the statute lists them:
//! they change no deadline (a Sunday is never a working day) but keep each table the statute's.

use chrono::Weekday::{Fri, Mon, Sat, Sun, Thu, Wed};

use super::{Day, Spec, easter, fixed, fixed_if_else_first_monday, fixed_sunday_back, julian_easter, nth, on_or_after};
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
const CZ_STATUTE: &str = "Czechia: Act No. 245/2000 Coll. on public holidays, §§ 1-3 (Good Friday from 2016, Act No. \
                          359/2015 Coll.)";
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
                          the holiday acts (Feiertagsgesetze) of the 16 Länder, which all list these; Reformation \
                          Day 2017 nationwide by resolutions of every Land for the 500th anniversary. The Länder's \
                          own days by their acts: Epiphany (BW, BY, ST), Corpus Christi (BW, BY, HE, NW, RP, SL), \
                          Assumption (SL), Reformation Day (BB, MV, SN, ST, TH; HB, HH, NI, SH from 2018), All \
                          Saints' Day (BW, BY, NW, RP, SL), Repentance and Prayer Day (SN), Easter and Whit Sunday \
                          (BB), Women's Day (BE from 2019, MV from 2023), Berlin's one-off days (8 May 2020 and \
                          2025, 17 June 2028), World Children's Day (TH from 2019). Days only in some municipalities \
                          (Assumption in Catholic Bavaria, Augsburg's Peace Festival, Corpus Christi in parts of \
                          Saxony and Thuringia) are not modelled: each Land's calendar holds its Land-wide days";
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

const DE_EPIPHANY: Day = fixed("Epiphany", 1, 6);
const DE_CORPUS_CHRISTI: Day = easter("Corpus Christi", 60);
const DE_ALL_SAINTS: Day = fixed("All Saints' Day", 11, 1);
const DE_REFORMATION: Day = fixed("Reformation Day", 10, 31);
const DE_BB: &[Day] = &[easter("Easter Sunday", 0), easter("Whit Sunday", 49), DE_REFORMATION];
const DE_BE: &[Day] = &[
    fixed("International Women's Day", 3, 8).since(2019),
    fixed("75th Anniversary of the End of the Second World War", 5, 8).only(2020),
    fixed("80th Anniversary of the End of the Second World War", 5, 8).only(2025),
    fixed("75th Anniversary of the East German Uprising of 1953", 6, 17).only(2028),
];
const DE_BW: &[Day] = &[DE_EPIPHANY, DE_CORPUS_CHRISTI, DE_ALL_SAINTS];
const DE_BY: &[Day] = &[DE_EPIPHANY, DE_CORPUS_CHRISTI, DE_ALL_SAINTS];
const DE_HE: &[Day] = &[DE_CORPUS_CHRISTI];
const DE_MV: &[Day] = &[fixed("International Women's Day", 3, 8).since(2023), DE_REFORMATION];
const DE_NORTH_2018: &[Day] = &[DE_REFORMATION.since(2018)];
const DE_NW_RP: &[Day] = &[DE_CORPUS_CHRISTI, DE_ALL_SAINTS];
const DE_SL: &[Day] = &[DE_CORPUS_CHRISTI, fixed("Assumption Day", 8, 15), DE_ALL_SAINTS];
const DE_SN: &[Day] = &[DE_REFORMATION, on_or_after("Repentance and Prayer Day", 11, 16, Wed)];
const DE_ST: &[Day] = &[DE_EPIPHANY, DE_REFORMATION];
const DE_TH: &[Day] = &[fixed("World Children's Day", 9, 20).since(2019), DE_REFORMATION];

// ---------------------------------------------------------------------------------------------
// Belgium
const BE_STATUTE: &str = "Belgium: Act of 4 January 1974 on public holidays and Royal Decree of 18 April 1974, art. \
                          1; the Communities' own days (11 July, 27 September, 15 November) are not public holidays";
const BE: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("National Day", 7, 21),
    fixed("Assumption Day", 8, 15),
    fixed("All Saints' Day", 11, 1),
    fixed("Armistice Day", 11, 11),
    fixed("Christmas Day", 12, 25),
];

// ---------------------------------------------------------------------------------------------
// Bulgaria
const BG_STATUTE: &str = "Bulgaria: Labour Code, art. 154(1) (the days; Orthodox Easter, from Good Friday to Easter \
                          Monday since 2010) and art. 154(2) (from 2017, a fixed holiday on a Saturday or Sunday \
                          gives the next working day off); the Council of Ministers' yearly bridge days (art. \
                          154(3)) are not modelled";
const BG: &[Day] = &[
    fixed("New Year's Day", 1, 1).until(2016),
    fixed("New Year's Day", 1, 1).since(2017).weekend_substitute(),
    fixed("Liberation Day", 3, 3).until(2016),
    fixed("Liberation Day", 3, 3).since(2017).weekend_substitute(),
    julian_easter("Good Friday", -2).since(2010),
    julian_easter("Holy Saturday", -1).since(2010),
    julian_easter("Easter Sunday", 0),
    julian_easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1).until(2016),
    fixed("Labour Day", 5, 1).since(2017).weekend_substitute(),
    fixed("St. George's Day", 5, 6).until(2016),
    fixed("St. George's Day", 5, 6).since(2017).weekend_substitute(),
    fixed("Day of Slavonic Alphabet, Bulgarian Enlightenment and Culture", 5, 24).until(2016),
    fixed("Day of Slavonic Alphabet, Bulgarian Enlightenment and Culture", 5, 24).since(2017).weekend_substitute(),
    fixed("Unification Day", 9, 6).until(2016),
    fixed("Unification Day", 9, 6).since(2017).weekend_substitute(),
    fixed("Independence Day", 9, 22).until(2016),
    fixed("Independence Day", 9, 22).since(2017).weekend_substitute(),
    fixed("Christmas Eve", 12, 24).until(2016),
    fixed("Christmas Eve", 12, 24).since(2017).weekend_substitute(),
    fixed("Christmas Day", 12, 25).until(2016),
    fixed("Christmas Day", 12, 25).since(2017).weekend_substitute(),
    fixed("Second Day of Christmas", 12, 26).until(2016),
    fixed("Second Day of Christmas", 12, 26).since(2017).weekend_substitute(),
];

// ---------------------------------------------------------------------------------------------
// Cyprus
const CY_STATUTE: &str = "Cyprus: the public holidays of the Public Holidays Laws (Περί Αργιών Νόμοι) as applied to \
                          the public service and in the Commission's list under Regulation 1182/71; Orthodox Easter";
const CY: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    julian_easter("Green Monday", -48),
    fixed("Greek Independence Day", 3, 25),
    fixed("Cyprus National Day", 4, 1),
    julian_easter("Good Friday", -2),
    julian_easter("Easter Sunday", 0),
    julian_easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    julian_easter("Whit Monday (Kataklysmos)", 50),
    fixed("Dormition of the Mother of God", 8, 15),
    fixed("Cyprus Independence Day", 10, 1),
    fixed("Ohi Day", 10, 28),
    fixed("Christmas Day", 12, 25),
    fixed("Day after Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Denmark
const DK_STATUTE: &str = "Denmark: Act on holiday peace (helligdagsloven, consolidated Act No. 1232 of 2006) § 2; \
                          Great Prayer Day abolished from 2024 by Act No. 246 of 7 March 2023";
const DK: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Maundy Thursday", -3),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    easter("Great Prayer Day", 26).until(2023),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Estonia
const EE_STATUTE: &str = "Estonia: Public Holidays and Days of National Importance Act (Pühade ja tähtpäevade \
                          seadus, RT I 1998, 3, 55) § 2; Christmas Eve from 2005";
const EE: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Independence Day", 2, 24),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    fixed("Spring Day", 5, 1),
    easter("Whit Sunday", 49),
    fixed("Victory Day", 6, 23),
    fixed("Midsummer Day", 6, 24),
    fixed("Day of Restoration of Independence", 8, 20),
    fixed("Christmas Eve", 12, 24).since(2005),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Spain
const ES_STATUTE: &str = "Spain: Workers' Statute (Real Decreto Legislativo 2/2015) art. 37.2 and Real Decreto \
                          2001/1983 art. 45: the national days; the autonomous communities may replace some of them \
                          and move those falling on a Sunday, published yearly in the BOE. The communities' own \
                          recurring days (their Statutes of Autonomy and the yearly decrees: Maundy Thursday or \
                          Easter Monday, each community's day) are modelled; which national day a community replaces \
                          in a given year, and the Mondays after a national day on a Sunday, are the BOE's yearly \
                          list and are not";
const ES: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Good Friday", -2),
    fixed("Labour Day", 5, 1),
    fixed("Assumption Day", 8, 15),
    fixed("National Day of Spain", 10, 12),
    fixed("All Saints' Day", 11, 1),
    fixed("Constitution Day", 12, 6),
    fixed("Immaculate Conception", 12, 8),
    fixed("Christmas Day", 12, 25),
];

const ES_MAUNDY: Day = easter("Maundy Thursday", -3);
const ES_EASTER_MONDAY: Day = easter("Easter Monday", 1);
const ES_ST_JOSEPH: Day = fixed("St. Joseph's Day", 3, 19);
const ES_ST_JAMES: Day = fixed("St. James' Day", 7, 25);
const ES_AN: &[Day] = &[ES_MAUNDY, fixed("Andalusia Day", 2, 28)];
const ES_AR: &[Day] = &[ES_MAUNDY, fixed("St. George's Day", 4, 23)];
const ES_AS: &[Day] = &[ES_MAUNDY, fixed("Asturias Day", 9, 8)];
const ES_CB: &[Day] =
    &[ES_MAUNDY, fixed("Cantabria Institutions Day", 7, 28), fixed("Our Lady of Bien Aparecida", 9, 15)];
const ES_CE: &[Day] = &[ES_MAUNDY, fixed("St. Anthony's Day", 6, 13), fixed("Ceuta Day", 9, 2)];
const ES_CL: &[Day] = &[ES_MAUNDY, fixed("Castile and León Day", 4, 23)];
const ES_CM: &[Day] = &[ES_MAUNDY, fixed("Castilla-La Mancha Day", 5, 31), easter("Corpus Christi", 60)];
const ES_CN: &[Day] = &[ES_MAUNDY, fixed("Day of the Canary Islands", 5, 30)];
const ES_CT: &[Day] = &[
    ES_EASTER_MONDAY,
    fixed("St. John the Baptist", 6, 24),
    fixed("National Day of Catalonia", 9, 11),
    fixed("St. Stephen's Day", 12, 26),
];
const ES_EX: &[Day] = &[ES_MAUNDY, fixed("Extremadura Day", 9, 8)];
const ES_GA: &[Day] = &[ES_MAUNDY, fixed("Galician Literature Day", 5, 17), fixed("Galician National Day", 7, 25)];
const ES_IB: &[Day] = &[ES_MAUNDY, ES_EASTER_MONDAY, fixed("Day of the Balearic Islands", 3, 1)];
const ES_MC: &[Day] = &[ES_MAUNDY, ES_ST_JOSEPH, fixed("Murcia Day", 6, 9)];
const ES_MD: &[Day] = &[ES_MAUNDY, fixed("Madrid Day", 5, 2)];
const ES_ML: &[Day] = &[ES_MAUNDY, fixed("Day of Our Lady of Victory", 9, 8), fixed("Melilla Day", 9, 17)];
const ES_NC: &[Day] = &[ES_MAUNDY, ES_EASTER_MONDAY, fixed("St. Francis Xavier's Day", 12, 3)];
const ES_PV: &[Day] = &[ES_MAUNDY, ES_EASTER_MONDAY, ES_ST_JAMES];
const ES_RI: &[Day] = &[ES_MAUNDY, ES_EASTER_MONDAY, fixed("La Rioja Day", 6, 9)];
const ES_VC: &[Day] = &[ES_ST_JOSEPH, ES_EASTER_MONDAY, fixed("Valencian Community Day", 10, 9)];

// ---------------------------------------------------------------------------------------------
// Finland
const FI_STATUTE: &str = "Finland: the Church Act (kirkkolaki) for the church holidays, with Midsummer Day and All \
                          Saints' Day on the Saturday of 20-26 June and 31 October-6 November; Act 388/1937 on \
                          Independence Day; May Day by Act 272/1935; Midsummer Eve and Christmas Eve as days off \
                          under the Working Hours Act (872/2019) and the collective agreements";
const FI: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("May Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    on_or_after("Midsummer Eve", 6, 19, Fri),
    on_or_after("Midsummer Day", 6, 20, Sat),
    on_or_after("All Saints' Day", 10, 31, Sat),
    fixed("Independence Day", 12, 6),
    fixed("Christmas Eve", 12, 24),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// France
const FR_STATUTE: &str = "France: Labour Code (Code du travail) art. L3133-1; Alsace and Moselle add Good Friday and \
                          26 December (art. L3134-13); the overseas departments the abolition of slavery (Act 83-550 \
                          of 30 June 1983 and Decree 83-1003)";
const FR: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Victory Day", 5, 8),
    easter("Ascension Day", 39),
    easter("Whit Monday", 50),
    fixed("National Day", 7, 14),
    fixed("Assumption Day", 8, 15),
    fixed("All Saints' Day", 11, 1),
    fixed("Armistice Day", 11, 11),
    fixed("Christmas Day", 12, 25),
];
const FR_ALSACE_MOSELLE: &[Day] = &[easter("Good Friday", -2), fixed("St. Stephen's Day", 12, 26)];
const FR_971: &[Day] = &[fixed("Abolition of Slavery", 5, 27)];
const FR_972: &[Day] = &[fixed("Abolition of Slavery", 5, 22)];
const FR_973: &[Day] = &[fixed("Abolition of Slavery", 6, 10)];
const FR_974: &[Day] = &[fixed("Abolition of Slavery", 12, 20)];
const FR_976: &[Day] = &[fixed("Abolition of Slavery", 4, 27)];

// ---------------------------------------------------------------------------------------------
// Greece
const GR_STATUTE: &str = "Greece: the mandatory public holidays of Law 1157/1981 and the labour legislation (Royal \
                          Decree 748/1966 for the religious days); Orthodox Easter; Labour Day moved by ministerial \
                          decision when it falls in Holy Week (not modelled)";
const GR: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    julian_easter("Clean Monday", -48),
    fixed("Independence Day", 3, 25),
    julian_easter("Good Friday", -2),
    julian_easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    julian_easter("Whit Monday", 50),
    fixed("Dormition of the Mother of God", 8, 15),
    fixed("Ohi Day", 10, 28),
    fixed("Christmas Day", 12, 25),
    fixed("Synaxis of the Mother of God", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Croatia
const HR_STATUTE: &str = "Croatia: Act on Holidays, Memorial Days and Non-Working Days (Zakon o blagdanima, \
                          spomendanima i neradnim danima, NN 110/2019, in force 2020; before it NN 33/1996 as \
                          amended): Statehood Day 30 May until 2001 and from 2020, 25 June 2002-2019; Independence \
                          Day 8 October 2002-2019; Corpus Christi from 2002; Epiphany not a holiday in 2002 (the \
                          2001 amendment, reversed for 2003); Remembrance Day from 2020";
const HR: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6).until(2001),
    fixed("Epiphany", 1, 6).since(2003),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Statehood Day", 5, 30).until(2001),
    fixed("Statehood Day", 5, 30).since(2020),
    easter("Corpus Christi", 60).since(2002),
    fixed("Anti-Fascist Struggle Day", 6, 22),
    fixed("Statehood Day", 6, 25).since(2002).until(2019),
    fixed("Victory and Homeland Thanksgiving Day", 8, 5),
    fixed("Assumption Day", 8, 15),
    fixed("Independence Day", 10, 8).since(2002).until(2019),
    fixed("All Saints' Day", 11, 1),
    fixed("Remembrance Day", 11, 18).since(2020),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Hungary
const HU_STATUTE: &str = "Hungary: Labour Code (Act I of 2012) § 102(1), before it Act XXII of 1992 § 125; Good \
                          Friday from 2017 (by a 2016 amendment); the minister's yearly decree moving working days \
                          (bridge days) is not modelled";
const HU: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("National Day", 3, 15),
    easter("Good Friday", -2).since(2017),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("State Foundation Day", 8, 20),
    fixed("National Day", 10, 23),
    fixed("All Saints' Day", 11, 1),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Ireland
const IE_STATUTE: &str = "Ireland: Organisation of Working Time Act 1997, Schedule 2; St Brigid's Day from 2023 (by \
                          statutory instrument of 2022: the first Monday of February, or 1 February when a Friday); \
                          18 March 2022 by statutory instrument. A holiday on a weekend is not moved: the employee \
                          gets a day off in lieu (s. 21), which is no public holiday";
const IE: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed_if_else_first_monday("St. Brigid's Day", 2, 1, Fri).since(2023),
    fixed("St. Patrick's Day", 3, 17),
    fixed("Day of Remembrance and Recognition", 3, 18).only(2022),
    easter("Easter Monday", 1),
    nth("May Bank Holiday", 5, Mon, 1),
    nth("June Bank Holiday", 6, Mon, 1),
    nth("August Bank Holiday", 8, Mon, 1),
    nth("October Bank Holiday", 10, Mon, -1),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Iceland
const IS_STATUTE: &str = "Iceland: Act No. 88/1971 on the 40-hour working week, art. 6 (the public holidays; \
                          Christmas Eve and New Year's Eve from noon only, so not whole holidays)";
const IS: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Maundy Thursday", -3),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    on_or_after("First Day of Summer", 4, 19, Thu),
    fixed("Labour Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("National Day", 6, 17),
    nth("Commerce Day", 8, Mon, 1),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Italy
const IT_STATUTE: &str = "Italy: Act No. 260 of 27 May 1949 as amended by Act No. 54 of 5 March 1977 (National Unity \
                          Day on the first Sunday of November, Republic Day on the first Sunday of June until 2000), \
                          Act No. 336 of 20 November 2000 (2 June from 2001), the act declaring 17 March 2011 a \
                          holiday, the Act of 2025 restoring 4 October from 2026, and Presidential Decree 792/1985 \
                          (Epiphany); the patron saint of each municipality is a local, not a regional or national, \
                          holiday and is not modelled";
const IT: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Liberation Day", 4, 25),
    fixed("Labour Day", 5, 1),
    nth("Republic Day", 6, Sun, 1).until(2000),
    fixed("Republic Day", 6, 2).since(2001),
    fixed("150th Anniversary of the Unification of Italy", 3, 17).only(2011),
    fixed("St. Francis of Assisi, Patron Saint of Italy", 10, 4).since(2026),
    fixed("Assumption Day", 8, 15),
    nth("National Unity Day", 11, Sun, 1),
    fixed("All Saints' Day", 11, 1),
    fixed("Immaculate Conception", 12, 8),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Liechtenstein
const LI_STATUTE: &str = "Liechtenstein: Labour Act (Arbeitsgesetz, LGBl. 1967 No. 6) art. 18(2) and its Ordinance \
                          I, which equate these days with Sundays";
const LI: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    fixed("Candlemas", 2, 2),
    fixed("St. Joseph's Day", 3, 19),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    easter("Corpus Christi", 60),
    fixed("National Day", 8, 15),
    fixed("Nativity of Mary", 9, 8),
    fixed("All Saints' Day", 11, 1),
    fixed("Immaculate Conception", 12, 8),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Lithuania
const LT_STATUTE: &str = "Lithuania: Labour Code, art. 123(1) (before 2017 art. 162); St John's Day from 2003; All \
                          Souls' Day from 2020; Mother's and Father's Days on the first Sundays of May and June";
const LT: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Day of Restoration of the State of Lithuania", 2, 16),
    fixed("Day of Restoration of Independence", 3, 11),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("International Workers' Day", 5, 1),
    nth("Mother's Day", 5, Sun, 1),
    nth("Father's Day", 6, Sun, 1),
    fixed("St. John's Day", 6, 24).since(2003),
    fixed("Statehood Day", 7, 6),
    fixed("Assumption Day", 8, 15),
    fixed("All Saints' Day", 11, 1),
    fixed("All Souls' Day", 11, 2).since(2020),
    fixed("Christmas Eve", 12, 24),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Luxembourg
const LU_STATUTE: &str = "Luxembourg: Labour Code art. L.232-2; Europe Day from 2019 (by the 2019 act adding it)";
const LU: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Europe Day", 5, 9).since(2019),
    easter("Ascension Day", 39),
    easter("Whit Monday", 50),
    fixed("National Day", 6, 23),
    fixed("Assumption Day", 8, 15),
    fixed("All Saints' Day", 11, 1),
    fixed("Christmas Day", 12, 25),
    fixed("St. Stephen's Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Latvia
const LV_STATUTE: &str = "Latvia: Law on Public Holidays, Remembrance Days and Celebration Days (1990), art. 1 and \
                          art. 2 (from 2007, 4 May and 18 November on a weekend give the next Monday off), and the \
                          amending laws for the one-off days of 2018 and 2023; the Cabinet's yearly transfers of \
                          working days are not modelled";
const LV: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Restoration of Independence Day", 5, 4).since(2002).until(2006),
    fixed("Restoration of Independence Day", 5, 4).since(2007).weekend_substitute(),
    nth("Mother's Day", 5, Sun, 2),
    easter("Whit Sunday", 49),
    fixed("Midsummer Eve", 6, 23),
    fixed("Midsummer Day", 6, 24),
    fixed("Proclamation Day of the Republic of Latvia", 11, 18).until(2006),
    fixed("Proclamation Day of the Republic of Latvia", 11, 18).since(2007).weekend_substitute(),
    fixed("Song and Dance Celebration Final Day", 7, 9).only(2018),
    fixed("Pastoral Visit of Pope Francis", 9, 24).only(2018),
    fixed("Ice Hockey Team's Bronze Medal Day", 5, 29).only(2023),
    fixed("Song and Dance Celebration Final Day", 7, 10).only(2023),
    fixed("Christmas Eve", 12, 24).since(2007),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
    fixed("New Year's Eve", 12, 31),
];

// ---------------------------------------------------------------------------------------------
// Malta
const MT_STATUTE: &str = "Malta: National Holidays and other Public Holidays Act (Cap. 252), arts. 2-3; a holiday on \
                          a weekend is not moved";
const MT: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Feast of St. Paul's Shipwreck", 2, 10),
    fixed("Feast of St. Joseph", 3, 19),
    fixed("Freedom Day", 3, 31),
    easter("Good Friday", -2),
    fixed("Workers' Day", 5, 1),
    fixed("Sette Giugno", 6, 7),
    fixed("Feast of St. Peter and St. Paul", 6, 29),
    fixed("Feast of the Assumption", 8, 15),
    fixed("Feast of Our Lady of Victories", 9, 8),
    fixed("Independence Day", 9, 21),
    fixed("Feast of the Immaculate Conception", 12, 8),
    fixed("Republic Day", 12, 13),
    fixed("Christmas Day", 12, 25),
];

// ---------------------------------------------------------------------------------------------
// Netherlands
const NL_STATUTE: &str = "Netherlands: General Time Limits Act (Algemene termijnenwet) art. 3(1): New Year's Day, \
                          Easter and Whit Monday, Ascension Day, both Christmas days, the King's (until 2013 the \
                          Queen's) birthday as celebrated (27 April from 2014, 30 April before, the Saturday before \
                          when a Sunday) and 5 May; Good Friday is not among them";
const NL: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed_sunday_back("Queen's Day", 4, 30).until(2013),
    fixed_sunday_back("King's Day", 4, 27).since(2014),
    fixed("Liberation Day", 5, 5),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Norway
const NO_STATUTE: &str = "Norway: Act on public holidays and holiday peace (lov om helligdager og helligdagsfred, \
                          1995) § 2 and Act on 1 and 17 May as public holidays (1947)";
const NO: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Maundy Thursday", -3),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Constitution Day", 5, 17),
    easter("Ascension Day", 39),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Poland
const PL_STATUTE: &str = "Poland: Act of 18 January 1951 on non-working days, art. 1; Epiphany from 2011 (Act of 24 \
                          September 2010); 12 November 2018 (Act of 23 October 2018); Christmas Eve from 2025 (by \
                          the 2024 amendment)";
const PL: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6).since(2011),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Constitution Day", 5, 3),
    easter("Whit Sunday", 49),
    easter("Corpus Christi", 60),
    fixed("Assumption Day", 8, 15),
    fixed("All Saints' Day", 11, 1),
    fixed("Independence Day", 11, 11),
    fixed("Independence Centenary", 11, 12).only(2018),
    fixed("Christmas Eve", 12, 24).since(2025),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Portugal
const PT_STATUTE: &str = "Portugal: Labour Code (Código do Trabalho) art. 234; Corpus Christi, 5 October, 1 November \
                          and 1 December suspended 2013-2015 (Act 23/2012) and restored from 2016 (Act 8/2016). The \
                          regions' own days by regional legislative decree: the Azores' Day on Whit Monday, \
                          Madeira's Day on 1 July and, from 2002, 26 December";
const PT: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    fixed("Freedom Day", 4, 25),
    fixed("Labour Day", 5, 1),
    fixed("Portugal Day", 6, 10),
    easter("Corpus Christi", 60).until(2012),
    easter("Corpus Christi", 60).since(2016),
    fixed("Assumption Day", 8, 15),
    fixed("Republic Day", 10, 5).until(2012),
    fixed("Republic Day", 10, 5).since(2016),
    fixed("All Saints' Day", 11, 1).until(2012),
    fixed("All Saints' Day", 11, 1).since(2016),
    fixed("Restoration of Independence", 12, 1).until(2012),
    fixed("Restoration of Independence", 12, 1).since(2016),
    fixed("Immaculate Conception", 12, 8),
    fixed("Christmas Day", 12, 25),
];

const PT_20: &[Day] = &[easter("Day of the Autonomous Region of the Azores", 50)];
const PT_30: &[Day] =
    &[fixed("Day of the Autonomous Region of Madeira", 7, 1), fixed("First Octave of Christmas", 12, 26).since(2002)];

// ---------------------------------------------------------------------------------------------
// Romania
const RO_STATUTE: &str = "Romania: Labour Code (Act 53/2003) art. 139(1) as amended: Orthodox Easter and Whitsun \
                          (Whitsun and Assumption from 2009), St. Andrew's Day from 2012, Children's Day and 24 \
                          January from 2017, Good Friday from 2018, Epiphany and St. John from 2024";
const RO: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Second Day of New Year", 1, 2),
    fixed("Epiphany", 1, 6).since(2024),
    fixed("St. John the Baptist", 1, 7).since(2024),
    fixed("Union Day", 1, 24).since(2017),
    julian_easter("Good Friday", -2).since(2018),
    julian_easter("Easter Sunday", 0),
    julian_easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Children's Day", 6, 1).since(2017),
    julian_easter("Whit Sunday", 49).since(2009),
    julian_easter("Whit Monday", 50).since(2009),
    fixed("Dormition of the Mother of God", 8, 15).since(2009),
    fixed("St. Andrew's Day", 11, 30).since(2012),
    fixed("National Day", 12, 1),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Sweden
const SE_STATUTE: &str = "Sweden: Public Holidays Act (lag (1989:253) om allmänna helgdagar) § 1: Midsummer Day on \
                          the Saturday of 20-26 June, All Saints' Day on the Saturday of 31 October-6 November; \
                          National Day from 2005 replacing Whit Monday (SFS 2004:1320)";
const SE: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Good Friday", -2),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("May Day", 5, 1),
    easter("Ascension Day", 39),
    fixed("National Day", 6, 6).since(2005),
    easter("Whit Sunday", 49),
    easter("Whit Monday", 50).until(2004),
    on_or_after("Midsummer Day", 6, 20, Sat),
    on_or_after("All Saints' Day", 10, 31, Sat),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Slovenia
const SI_STATUTE: &str = "Slovenia: Public Holidays and Days Off Act (Zakon o praznikih in dela prostih dnevih, \
                          Uradni list 112/2005 and amendments): 2 January not a day off 2013-2016 (ZUJF, Uradni list \
                          40/2012); Solidarity Day 14 August 2023 after the floods (by a 2023 act)";
const SI: &[Day] = &[
    fixed("New Year's Day", 1, 1),
    fixed("New Year's Day", 1, 2).until(2012),
    fixed("New Year's Day", 1, 2).since(2017),
    fixed("Prešeren Day", 2, 8),
    easter("Easter Sunday", 0),
    easter("Easter Monday", 1),
    fixed("Day of Uprising Against Occupation", 4, 27),
    fixed("Labour Day", 5, 1),
    fixed("Labour Day", 5, 2),
    easter("Whit Sunday", 49),
    fixed("Statehood Day", 6, 25),
    fixed("Solidarity Day", 8, 14).only(2023),
    fixed("Assumption Day", 8, 15),
    fixed("Reformation Day", 10, 31),
    fixed("Day of Remembrance for the Dead", 11, 1),
    fixed("Christmas Day", 12, 25),
    fixed("Independence and Unity Day", 12, 26),
];

// ---------------------------------------------------------------------------------------------
// Slovakia
const SK_STATUTE: &str = "Slovakia: Act No. 241/1993 Coll. on public holidays, days off and memorial days, §§ 1-2; \
                          30 October 2018 by a 2018 act; Constitution Day a day off until 2023 and 17 November from \
                          2001 until 2024, and 8 May and 15 September not days off in 2026, by the consolidation \
                          acts of 2023-2025";
const SK: &[Day] = &[
    fixed("Day of the Establishment of the Slovak Republic", 1, 1),
    fixed("Epiphany", 1, 6),
    easter("Good Friday", -2),
    easter("Easter Monday", 1),
    fixed("Labour Day", 5, 1),
    fixed("Day of Victory over Fascism", 5, 8).until(2025),
    fixed("Day of Victory over Fascism", 5, 8).since(2027),
    fixed("Saints Cyril and Methodius Day", 7, 5),
    fixed("Slovak National Uprising Anniversary", 8, 29),
    fixed("Constitution Day", 9, 1).until(2023),
    fixed("Our Lady of the Seven Sorrows", 9, 15).until(2025),
    fixed("Our Lady of the Seven Sorrows", 9, 15).since(2027),
    fixed("Centenary of the Czechoslovak Declaration", 10, 30).only(2018),
    fixed("All Saints' Day", 11, 1),
    fixed("Struggle for Freedom and Democracy Day", 11, 17).since(2001).until(2024),
    fixed("Christmas Eve", 12, 24),
    fixed("Christmas Day", 12, 25),
    fixed("Second Day of Christmas", 12, 26),
];

/// Every calendar, sorted by code.
pub(super) const CALENDARS: &[Spec] = &[
    state("at", "Austria", Country::AT, AT_STATUTE, &[AT]),
    state("be", "Belgium", Country::BE, BE_STATUTE, &[BE]),
    state("bg", "Bulgaria", Country::BG, BG_STATUTE, &[BG]),
    state("cy", "Cyprus", Country::CY, CY_STATUTE, &[CY]),
    state("cz", "Czechia", Country::CZ, CZ_STATUTE, &[CZ]),
    state("de", "Germany", Country::DE, DE_STATUTE, &[DE]),
    state("de-bb", "Germany: Brandenburg", Country::DE, DE_STATUTE, &[DE, DE_BB]),
    state("de-be", "Germany: Berlin", Country::DE, DE_STATUTE, &[DE, DE_BE]),
    state("de-bw", "Germany: Baden-Württemberg", Country::DE, DE_STATUTE, &[DE, DE_BW]),
    state("de-by", "Germany: Bavaria", Country::DE, DE_STATUTE, &[DE, DE_BY]),
    state("de-hb", "Germany: Bremen", Country::DE, DE_STATUTE, &[DE, DE_NORTH_2018]),
    state("de-he", "Germany: Hesse", Country::DE, DE_STATUTE, &[DE, DE_HE]),
    state("de-hh", "Germany: Hamburg", Country::DE, DE_STATUTE, &[DE, DE_NORTH_2018]),
    state("de-mv", "Germany: Mecklenburg-Western Pomerania", Country::DE, DE_STATUTE, &[DE, DE_MV]),
    state("de-ni", "Germany: Lower Saxony", Country::DE, DE_STATUTE, &[DE, DE_NORTH_2018]),
    state("de-nw", "Germany: North Rhine-Westphalia", Country::DE, DE_STATUTE, &[DE, DE_NW_RP]),
    state("de-rp", "Germany: Rhineland-Palatinate", Country::DE, DE_STATUTE, &[DE, DE_NW_RP]),
    state("de-sh", "Germany: Schleswig-Holstein", Country::DE, DE_STATUTE, &[DE, DE_NORTH_2018]),
    state("de-sl", "Germany: Saarland", Country::DE, DE_STATUTE, &[DE, DE_SL]),
    state("de-sn", "Germany: Saxony", Country::DE, DE_STATUTE, &[DE, DE_SN]),
    state("de-st", "Germany: Saxony-Anhalt", Country::DE, DE_STATUTE, &[DE, DE_ST]),
    state("de-th", "Germany: Thuringia", Country::DE, DE_STATUTE, &[DE, DE_TH]),
    state("dk", "Denmark", Country::DK, DK_STATUTE, &[DK]),
    state("ee", "Estonia", Country::EE, EE_STATUTE, &[EE]),
    state("es", "Spain", Country::ES, ES_STATUTE, &[ES]),
    state("es-an", "Spain: Andalusia", Country::ES, ES_STATUTE, &[ES, ES_AN]),
    state("es-ar", "Spain: Aragon", Country::ES, ES_STATUTE, &[ES, ES_AR]),
    state("es-as", "Spain: Asturias", Country::ES, ES_STATUTE, &[ES, ES_AS]),
    state("es-cb", "Spain: Cantabria", Country::ES, ES_STATUTE, &[ES, ES_CB]),
    state("es-ce", "Spain: Ceuta", Country::ES, ES_STATUTE, &[ES, ES_CE]),
    state("es-cl", "Spain: Castile and León", Country::ES, ES_STATUTE, &[ES, ES_CL]),
    state("es-cm", "Spain: Castilla-La Mancha", Country::ES, ES_STATUTE, &[ES, ES_CM]),
    state("es-cn", "Spain: Canary Islands", Country::ES, ES_STATUTE, &[ES, ES_CN]),
    state("es-ct", "Spain: Catalonia", Country::ES, ES_STATUTE, &[ES, ES_CT]),
    state("es-ex", "Spain: Extremadura", Country::ES, ES_STATUTE, &[ES, ES_EX]),
    state("es-ga", "Spain: Galicia", Country::ES, ES_STATUTE, &[ES, ES_GA]),
    state("es-ib", "Spain: Balearic Islands", Country::ES, ES_STATUTE, &[ES, ES_IB]),
    state("es-mc", "Spain: Murcia", Country::ES, ES_STATUTE, &[ES, ES_MC]),
    state("es-md", "Spain: Madrid", Country::ES, ES_STATUTE, &[ES, ES_MD]),
    state("es-ml", "Spain: Melilla", Country::ES, ES_STATUTE, &[ES, ES_ML]),
    state("es-nc", "Spain: Navarre", Country::ES, ES_STATUTE, &[ES, ES_NC]),
    state("es-pv", "Spain: Basque Country", Country::ES, ES_STATUTE, &[ES, ES_PV]),
    state("es-ri", "Spain: La Rioja", Country::ES, ES_STATUTE, &[ES, ES_RI]),
    state("es-vc", "Spain: Valencian Community", Country::ES, ES_STATUTE, &[ES, ES_VC]),
    state("fi", "Finland", Country::FI, FI_STATUTE, &[FI]),
    state("fr", "France", Country::FR, FR_STATUTE, &[FR]),
    state("fr-57", "France: Moselle", Country::FR, FR_STATUTE, &[FR, FR_ALSACE_MOSELLE]),
    state("fr-6ae", "France: Alsace", Country::FR, FR_STATUTE, &[FR, FR_ALSACE_MOSELLE]),
    state("fr-971", "France: Guadeloupe", Country::FR, FR_STATUTE, &[FR, FR_971]),
    state("fr-972", "France: Martinique", Country::FR, FR_STATUTE, &[FR, FR_972]),
    state("fr-973", "France: French Guiana", Country::FR, FR_STATUTE, &[FR, FR_973]),
    state("fr-974", "France: Réunion", Country::FR, FR_STATUTE, &[FR, FR_974]),
    state("fr-976", "France: Mayotte", Country::FR, FR_STATUTE, &[FR, FR_976]),
    state("gr", "Greece", Country::GR, GR_STATUTE, &[GR]),
    state("hr", "Croatia", Country::HR, HR_STATUTE, &[HR]),
    state("hu", "Hungary", Country::HU, HU_STATUTE, &[HU]),
    state("ie", "Ireland", Country::IE, IE_STATUTE, &[IE]),
    state("is", "Iceland", Country::IS, IS_STATUTE, &[IS]),
    state("it", "Italy", Country::IT, IT_STATUTE, &[IT]),
    state("li", "Liechtenstein", Country::LI, LI_STATUTE, &[LI]),
    state("lt", "Lithuania", Country::LT, LT_STATUTE, &[LT]),
    state("lu", "Luxembourg", Country::LU, LU_STATUTE, &[LU]),
    state("lv", "Latvia", Country::LV, LV_STATUTE, &[LV]),
    state("mt", "Malta", Country::MT, MT_STATUTE, &[MT]),
    state("nl", "Netherlands", Country::NL, NL_STATUTE, &[NL]),
    state("no", "Norway", Country::NO, NO_STATUTE, &[NO]),
    state("pl", "Poland", Country::PL, PL_STATUTE, &[PL]),
    state("pt", "Portugal", Country::PT, PT_STATUTE, &[PT]),
    state("pt-20", "Portugal: Azores", Country::PT, PT_STATUTE, &[PT, PT_20]),
    state("pt-30", "Portugal: Madeira", Country::PT, PT_STATUTE, &[PT, PT_30]),
    state("ro", "Romania", Country::RO, RO_STATUTE, &[RO]),
    state("se", "Sweden", Country::SE, SE_STATUTE, &[SE]),
    state("si", "Slovenia", Country::SI, SI_STATUTE, &[SI]),
    state("sk", "Slovakia", Country::SK, SK_STATUTE, &[SK]),
];

const fn state(
    code: &'static str,
    name: &'static str,
    country: Country,
    statute: &'static str,
    groups: &'static [&'static [Day]],
) -> Spec {
    Spec { code, name, country, statute, groups }
}
