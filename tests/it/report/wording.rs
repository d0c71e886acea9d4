//! The Czech and English wording of the documents (issue 19, legal review C1-C12): written as the
//! Czech text of the Regulation and the Czech data-protection authority word it.

use gdpr_obligations::model::{ProcessingActivity, Retention};
use gdpr_obligations::report::{Catalogue, Language, access_cover_letter, breach_notification, refusal_letter};

use super::{access_report, breach, extended_request, notice, refused_request, world, world_in};

// Legal review C1, C2, C3, C4, C7, C9: the Czech notice's rights sentence is a sentence, rights
// are named as the Regulation names them ("právo na opravu", "právo vznést námitku", "právo
// odvolat souhlas"), months count "od" the event, countries are named, and the Regulation has its
// official title.
#[test]
fn art_13_czech_notice_wording_c1_c2_c3_c4_c7_c9() {
    let w = world();
    let c = Catalogue::built_in();
    let cs = notice(&w).document(&c, &Language::CS).expect("notice").to_text();
    for expected in [
        "Při tomto zpracování máte tato práva (čl. 13 odst. 2 písm. b)):",
        "právo na přístup (čl. 15), právo na opravu (čl. 16), právo na výmaz (čl. 17)",
        "právo vznést námitku (čl. 21 odst. 2), právo odvolat souhlas (čl. 7 odst. 3)",
        "24 měsíců od ",
        "Cloudhost <Europe> & Co. Inc. (Spojené státy americké): standardní smluvní doložky",
        "Václavské náměstí 1, 110 00 Praha 1, Česká republika",
        "články 13 a 14 nařízení Evropského parlamentu a Rady (EU) 2016/679 (obecné nařízení o ochraně osobních údajů)",
    ] {
        assert!(cs.contains(expected), "{expected}: {cs}");
    }
    for wrong in [
        "máte právo na:",
        "): přístup (čl. 15), opravu",
        "vznesení námitky",
        "po události",
        "v zemi",
        ", CZ",
        "(US)",
        " US:",
    ] {
        assert!(!cs.contains(wrong), "{wrong}: {cs}");
    }
    let en = notice(&w).document(&c, &Language::EN).expect("notice").to_text();
    for expected in [
        "the right of access (Art. 15), the right to rectification (Art. 16)",
        "the right to object (Art. 21(2)), the right to withdraw consent (Art. 7(3))",
        "Cloudhost <Europe> & Co. Inc. (United States): standard contractual clauses",
        "110 00 Praha 1, Czechia",
        "Regulation (EU) 2016/679 of the European Parliament and of the Council (General Data Protection Regulation)",
    ] {
        assert!(en.contains(expected), "{expected}: {en}");
    }
}

// Legal review C3: Czech months agree with their number: 1 měsíc, 2-4 měsíce, 5 and more měsíců.
#[test]
fn art_13_2_a_czech_months_are_plural_aware() {
    let w = world();
    for months in 1..=30u16 {
        let mut repr = w.activity.clone().into_fields();
        repr.retention = Retention::Months { months };
        let activity = ProcessingActivity::new(repr).expect("activity");
        let record = gdpr_obligations::report::ControllerRecord::build(&w.shop, &w.parties, &[activity], &w.chain)
            .expect("record");
        let cs = record.document(&Catalogue::built_in(), &Language::CS).expect("document").to_text();
        let form = match months {
            1 => "měsíc",
            2..=4 => "měsíce",
            _ => "měsíců",
        };
        assert!(cs.contains(&format!("{months} {form} od získání")), "{months}: {cs}");
        let en = record.document(&Catalogue::built_in(), &Language::EN).expect("document").to_text();
        let form = if months == 1 { "month" } else { "months" };
        assert!(en.contains(&format!("{months} {form} from collection")), "{months}: {en}");
    }
}

// Legal review C5: the Czech breach notification gives local times (SEČ), "dosud neznámý" for a
// number, the full Art. 34(1) phrase and "oznámíme subjektům údajů (čl. 34)".
#[test]
fn art_33_3_czech_breach_notification_wording_c5() {
    let w = world();
    let cs = breach_notification(&breach(&w), &w.shop, &Catalogue::built_in(), &Language::CS).expect("d").to_text();
    for expected in [
        "O porušení jsme se dozvěděli 13. března 2026, 19:30 SEČ; ohlášení je třeba učinit do 16. března 2026, 19:30 SEČ",
        "K porušení došlo 12. března 2026, 23:00 SEČ.",
        "přibližný počet: dosud neznámý",
        "vysoké riziko pro práva a svobody fyzických osob; porušení oznámíme subjektům údajů (čl. 34)",
    ] {
        assert!(cs.contains(expected), "{expected}: {cs}");
    }
    assert!(!cs.contains("UTC") && !cs.contains("dosud neznámé"), "{cs}");
    let en = breach_notification(&breach(&w), &w.shop, &Catalogue::built_in(), &Language::EN).expect("d").to_text();
    assert!(en.contains("high risk to the rights and freedoms of natural persons"), "{en}");
}

// Legal review C2, C6, C10, C12: the Czech letters name the request by a nominative noun, give
// "naše značka", say "u zpracování založeného na oprávněném zájmu (čl. 6 odst. 1 písm. f))", and
// carry the Czech judicial remedy; the access letter lists the rights as rights.
#[test]
fn art_12_czech_letters_wording_c2_c6_c10_c12() {
    let w = world_in(&Language::CS);
    let c = Catalogue::built_in();
    let refusal = refusal_letter(&refused_request(&w), &w.shop, &c, &Language::CS).expect("letter").to_text();
    for expected in [
        "(přenositelnost údajů, čl. 20), naše značka ",
        "právo na přenositelnost údajů se neuplatní u zpracování založeného na oprávněném zájmu (čl. 6 odst. 1 písm. f))",
        "žalobou u příslušného soudu (čl. 79 obecného nařízení)",
    ] {
        assert!(refusal.contains(expected), "{expected}: {refusal}");
    }
    assert!(!refusal.contains("číslo jednací") && !refusal.contains("an action before"), "{refusal}");
    let access = access_cover_letter(&access_report(&w), &extended_request(&w), &w.shop, &c, &Language::CS)
        .expect("letter")
        .to_text();
    assert!(access.contains("e) vaše práva: právo na přístup (čl. 15), právo na opravu (čl. 16)"), "{access}");
    let en = refusal_letter(&refused_request(&world()), &w.shop, &c, &Language::EN).expect("letter").to_text();
    assert!(en.contains("our reference "), "{en}");
    assert!(
        en.contains(
            "the right to data portability is not available for processing based on legitimate interests (Art. 6(1)(f))"
        ),
        "{en}"
    );
}
