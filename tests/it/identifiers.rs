//! One canonical form per identifier kind (issue 18, item 1): find, erase, plan, export
//! redaction and the SQL lookup index treat every form in which people type an identifier as
//! the same identifier, on memory, SQLite and (at `GDPR_TEST_POSTGRES_URL`) PostgreSQL.
//!
//! Every find and erasure here selects the subject by a strong identifier (a token, an e-mail
//! address or a telephone number); names and IP addresses only appear in texts to redact.

use crate::common;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use gdpr_obligations::erasure::{ErasurePolicy, Outcome};
use gdpr_obligations::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, ConversationId, Sender, VisitorId};
use gdpr_obligations::store::{PersonalDataSource, PseudonymKey, Scope};
use gdpr_obligations::vocab::Country;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    "2026-02-02T09:00:00Z".parse().unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn phone(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Phone(PhoneNumber::new(s).unwrap())
}

fn name(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Name(Text::new(s).unwrap())
}

fn ip(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::IpAddress(s.parse::<IpAddr>().unwrap())
}

fn token(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::ChatVisitorToken(Token::new(s).unwrap())
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"identifiers-test-key-0123456789abcdef").unwrap()
}

/// The chat histories to check: in memory, on SQLite (in memory), and on PostgreSQL when the
/// test server is there.
async fn backends() -> Vec<(&'static str, ChatHistory)> {
    let mut out = vec![("memory", ChatHistory::new())];
    #[cfg(feature = "sqlite")]
    {
        let store = gdpr_obligations::store::sqlite::SqliteStore::open_in_memory().await.unwrap();
        out.push(("sqlite", ChatHistory::sqlite(&store, key()).await.unwrap()));
    }
    #[cfg(feature = "postgres")]
    if let Some(url) = common::postgres_url("identifiers") {
        let store = gdpr_obligations::store::postgres::PostgresStore::connect(&url).await.unwrap();
        out.push(("postgres", ChatHistory::postgres(&store, key()).await.unwrap()));
    }
    out
}

/// Eva (token, e-mail, telephone number, name, IPv6 address) and an agent's replies in her
/// conversation that name her in the forms people type.
struct Eva {
    scope: Scope,
    eva: VisitorId,
    talk: ConversationId,
}

const EVA_PHONE: &str = "+420601123456";
const EVA_NAME: &str = "Jan Novák";
const EVA_IP: &str = "2001:db8::1";

async fn eva(chat: &ChatHistory, replies: &[&str]) -> Eva {
    let scope = Scope::of(PartyId::generate());
    let eva = chat.add_visitor(scope, Token::new("tok-eva").unwrap(), t0()).await.unwrap();
    for id in [email("eva@example.cz"), phone(EVA_PHONE), name(EVA_NAME), ip(EVA_IP)] {
        chat.add_identifier(scope, eva, id, t0()).await.unwrap();
    }
    let talk = chat.start_conversation(scope, eva, t0()).await.unwrap();
    chat.post(scope, talk, Sender::Visitor(eva), Text::new("Hello").unwrap(), vec![], t0()).await.unwrap();
    for reply in replies {
        let sender = Sender::Agent(Text::new("Petra").unwrap());
        chat.post(scope, talk, sender, Text::new(reply).unwrap(), vec![], t0()).await.unwrap();
    }
    Eva { scope, eva, talk }
}

/// Every form of Eva's identifiers that must not survive in a text.
fn eva_forms() -> Vec<&'static str> {
    vec![
        "601 123 456",
        "601123456",
        "601-123-456",
        "601.123.456",
        "Jan\u{a0}Novák",
        "Jan\nNovák",
        "Jan  Novák",
        "Nova\u{301}k",
        "Novák",
        "2001:DB8::1",
        "2001:0db8",
        "2001:db8::1",
    ]
}

async fn transcript_texts(chat: &ChatHistory, scope: Scope, talk: ConversationId) -> Vec<String> {
    chat.transcript(scope, talk).await.unwrap().into_iter().map(|m| m.text.as_str().to_owned()).collect()
}

/// Review probe B3 (rows 2.10): after erasure, no identifier of the subject is left in the
/// agent's replies, whatever the spacing, Unicode form or case, and each reply is reported.
#[tokio::test]
async fn art_17_erasure_redacts_every_typed_form_and_reports_every_reply() {
    let replies = [
        "I will call you at +420 601 123 456 tomorrow",
        "or 00420 601-123-456, or (601) 123.456",
        "Thanks, Jan\u{a0}Novák, done",
        "Thanks, Jan\nNovák, done",
        "Thanks, Jan  Novák, done",
        "Thanks, Jan Nova\u{301}k, done",
        "seen from 2001:DB8::1 and 2001:0db8:0000::0001",
    ];
    for (backend, chat) in backends().await {
        let e = eva(&chat, &replies).await;
        let outcomes = chat.erase(e.scope, &[email("eva@example.cz")], &ErasurePolicy::default()).await.unwrap();
        let redacted = outcomes.iter().filter(|o| o.outcome == Outcome::Redacted).count();
        assert_eq!(redacted, replies.len(), "{backend}: every reply naming her is her record: {outcomes:?}");
        let texts = transcript_texts(&chat, e.scope, e.talk).await;
        for text in &texts {
            for form in eva_forms() {
                assert!(!text.contains(form), "{backend}: {form:?} survives the erasure in {text:?}");
            }
        }
        assert_eq!(texts[0], "I will call you at [redacted phone] tomorrow", "{backend}");
        assert!(chat.find(e.scope, &[token("tok-eva")]).await.unwrap().is_empty(), "{backend}");
    }
}

/// Review probe B3 (row 2.11): A's export redacts B's name written in NFD, and B's telephone
/// number written with spaces (Art. 15(4)).
#[tokio::test]
async fn art_15_4_export_redacts_another_visitors_identifiers_in_any_form() {
    for (backend, chat) in backends().await {
        let e = eva(&chat, &[]).await;
        let a = chat.add_visitor(e.scope, Token::new("tok-a").unwrap(), t0()).await.unwrap();
        chat.add_identifier(e.scope, a, email("a@example.org"), t0()).await.unwrap();
        let talk = chat.start_conversation(e.scope, a, t0()).await.unwrap();
        let reply = "Jan Nova\u{301}k also ordered this, call +420 601 123 456 or 2001:DB8::1";
        chat.post(e.scope, talk, Sender::Bot, Text::new(reply).unwrap(), vec![], t0()).await.unwrap();
        let items: Vec<_> = chat.export(e.scope, &[email("a@example.org")]).await.unwrap().try_collect().await.unwrap();
        let json = serde_json::to_string(&items).unwrap();
        assert!(json.contains("[redacted name] also ordered this"), "{backend}: {json}");
        for form in ["Nova", "601 123 456", "2001:DB8"] {
            assert!(!json.contains(form), "{backend}: {form:?} of another visitor in the export: {json}");
        }
        let _ = e.eva;
    }
}

/// Review probe B5 (row 2.4): invisible characters are refused in an e-mail address, and the
/// error does not repeat the address.
#[test]
fn email_constructor_rejects_invisible_characters() {
    for c in ['\u{200b}', '\u{feff}', '\u{ad}', '\u{2060}', '\u{202e}', '\u{0}'] {
        let address = format!("ja{c}n@example.com");
        let err = EmailAddress::new(&address).unwrap_err();
        assert!(!err.to_string().contains("example.com"), "{err}");
    }
}

/// Review probe B5 (row 2.5): a Kelvin sign in the local part is not the letter `k`.
#[tokio::test]
async fn kelvin_sign_address_is_not_the_ascii_one() {
    assert!(!email("\u{212A}ate@example.com").matches(&email("kate@example.com")));
    assert!(email("KATE@Example.COM").matches(&email("kate@example.com")));
    for (backend, chat) in backends().await {
        let scope = Scope::of(PartyId::generate());
        let kate = chat.add_visitor(scope, Token::new("tok-kate").unwrap(), t0()).await.unwrap();
        chat.add_identifier(scope, kate, email("kate@example.com"), t0()).await.unwrap();
        assert!(chat.find(scope, &[email("\u{212A}ate@example.com")]).await.unwrap().is_empty(), "{backend}");
        assert_eq!(chat.find(scope, &[email("KATE@example.com")]).await.unwrap().len(), 1, "{backend}");
    }
}

/// Review probe B5 (row 2.6): NFC and NFD forms of a name are one identifier.
#[test]
fn nfc_and_nfd_forms_of_a_name_match() {
    assert!(name("Jan Nova\u{301}k").matches(&name("Jan Novák")));
    assert!(name("JAN\u{a0}NOVÁK").matches(&name("jan  novák")));
    assert_eq!(name("Jan\nNova\u{301}k").normalised(), "name:jan novák");
}

/// ASCII e-mail addresses keep the normalised form they had, so that the keyed hashes of
/// erasures made before still match.
#[test]
fn art_17_3_ascii_email_keeps_its_normalised_form() {
    assert_eq!(email("Eva.Novak@Example.CZ").normalised(), "email:eva.novak@example.cz");
    assert_eq!(phone("+420 601 123 456").normalised(), "phone:+420601123456");
    assert_eq!(ip("::ffff:192.0.2.1").normalised(), "ip_address:192.0.2.1");
}

#[test]
fn phone_numbers_in_every_form_are_one_number() {
    let canonical = PhoneNumber::new(EVA_PHONE).unwrap();
    for form in ["+420 601 123 456", "00420 601-123-456", "(+420) 601.123.456", "00420601123456"] {
        assert_eq!(PhoneNumber::new(form).unwrap(), canonical, "{form}");
    }
    assert_eq!(PhoneNumber::parse("601 123 456", Some(Country::CZ)).unwrap(), canonical);
    assert_eq!(PhoneNumber::parse("030 1234567", Some(Country::DE)).unwrap().as_str(), "+49301234567");
    assert_eq!(canonical.region(), Some(Country::CZ));
    for bad in ["601 123 456", "+420 123", "+999 123 456 789", "call me", ""] {
        let err = PhoneNumber::new(bad).unwrap_err();
        assert!(bad.is_empty() || !err.to_string().contains(bad), "{err}");
    }
    // The wire form is the E.164 string, read back through the constructor.
    assert_eq!(serde_json::to_string(&canonical).unwrap(), "\"+420601123456\"");
    assert_eq!(serde_json::from_str::<PhoneNumber>("\"+420 601 123 456\"").unwrap(), canonical);
    assert!(serde_json::from_str::<PhoneNumber>("\"+420 123\"").is_err());
}

#[test]
fn ip_addresses_decode_from_any_textual_form() {
    let decode = |text: &str| -> SubjectIdentifier {
        serde_json::from_str(&format!(r#"{{"kind":"ip_address","value":"{text}"}}"#)).unwrap()
    };
    for form in ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0::1"] {
        assert_eq!(decode(form), ip("2001:db8::1"), "{form}");
    }
    assert_eq!(decode("::ffff:192.0.2.1"), ip("192.0.2.1"));
    assert!(decode("::FFFF:192.0.2.1").matches(&ip("192.0.2.1")));
}

/// The forms people type a Czech mobile number in: spaces, dashes, dots, brackets, `00`, and
/// the national form (read in the number's region).
fn typed_phone() -> impl Strategy<Value = (String, String)> {
    (1u32..=8, 0u32..1_000_000, 0usize..6).prop_map(|(operator, n, form)| {
        let digits = format!("60{operator}{n:06}");
        let (a, b, c) = (&digits[..3], &digits[3..6], &digits[6..]);
        let typed = match form {
            0 => format!("+420 {a} {b} {c}"),
            1 => format!("00420 {a}-{b}-{c}"),
            2 => format!("(+420) {a}.{b}.{c}"),
            3 => format!("00420{digits}"),
            4 => format!("{a} {b} {c}"),
            _ => format!("+420{digits}"),
        };
        (format!("+420{digits}"), typed)
    })
}

/// The forms people type a name in: case, no-break spaces, line breaks, several spaces, NFD.
fn typed_name() -> impl Strategy<Value = (String, String)> {
    let first = prop::sample::select(vec!["Jan", "Eva", "Žofie", "Řehoř"]);
    let last = prop::sample::select(vec!["Novák", "Dvořák", "Černá", "Kůs"]);
    let gap = prop::sample::select(vec![" ", "\u{a0}", "\n", "  ", "\t", " \u{a0} "]);
    (first, last, gap, any::<bool>(), any::<bool>()).prop_map(|(first, last, gap, upper, nfd)| {
        let mut typed = format!("{first}{gap}{last}");
        if upper {
            typed = typed.to_uppercase();
        }
        if nfd {
            use unicode_normalization::UnicodeNormalization;
            typed = typed.nfd().collect();
        }
        (format!("{first} {last}"), typed)
    })
}

/// The forms of one IPv6 address: case, zeros written out, compressed or not; or an IPv4
/// address written as IPv4-mapped IPv6.
fn typed_ip() -> impl Strategy<Value = (String, String)> {
    (any::<[u16; 3]>(), 0usize..4, any::<[u8; 4]>()).prop_map(|(g, form, v4)| {
        let canonical = format!("2001:db8:{:x}:{:x}::{:x}", g[0], g[1], g[2].max(1));
        let typed = match form {
            0 => canonical.to_uppercase(),
            1 => format!("2001:0db8:{:04x}:{:04x}:0:0:0:{:04x}", g[0], g[1], g[2].max(1)),
            2 => {
                let v4 = std::net::Ipv4Addr::from(v4);
                return (v4.to_string(), format!("::ffff:{v4}"));
            }
            _ => canonical.clone(),
        };
        (canonical, typed)
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(common::cases(16)))]

    /// A telephone number in any typed form finds what its E.164 form finds; erasing by the
    /// typed form leaves no form of it in the replies, and every reply is reported.
    #[test]
    fn art_17_phone_typed_forms_find_and_erase_the_same((canonical, typed) in typed_phone()) {
        let typed_id = SubjectIdentifier::Phone(PhoneNumber::parse(&typed, Some(Country::CZ)).unwrap());
        prop_assert!(typed_id.matches(&phone(&canonical)));
        runtime().block_on(async {
            for (backend, chat) in backends().await {
                let scope = Scope::of(PartyId::generate());
                let v = chat.add_visitor(scope, Token::new("tok-v").unwrap(), t0()).await.unwrap();
                chat.add_identifier(scope, v, phone(&canonical), t0()).await.unwrap();
                let talk = chat.start_conversation(scope, v, t0()).await.unwrap();
                let reply = format!("I will call you at {typed} tomorrow");
                let agent = Sender::Agent(Text::new("Petra").unwrap());
                chat.post(scope, talk, agent, Text::new(&reply).unwrap(), vec![], t0()).await.unwrap();
                let by_typed = chat.find(scope, std::slice::from_ref(&typed_id)).await.unwrap();
                let by_canonical = chat.find(scope, &[phone(&canonical)]).await.unwrap();
                assert_eq!(by_typed, by_canonical, "{backend}");
                assert!(by_typed.iter().any(|r| r.record.as_str().contains("/message/")), "{backend}: {by_typed:?}");
                let outcomes = chat.erase(scope, std::slice::from_ref(&typed_id), &ErasurePolicy::default()).await.unwrap();
                assert_eq!(outcomes.iter().filter(|o| o.outcome == Outcome::Redacted).count(), 1, "{backend}");
                let texts = transcript_texts(&chat, scope, talk).await;
                assert_eq!(texts, ["I will call you at [redacted phone] tomorrow"], "{backend}: {typed}");
            }
        });
    }

    /// A name in any typed form is the same identifier, and after erasing its holder (by
    /// token) no form of it is left in a reply.
    #[test]
    fn art_17_name_typed_forms_are_redacted((canonical, typed) in typed_name()) {
        prop_assert!(name(&typed).matches(&name(&canonical)));
        runtime().block_on(async {
            for (backend, chat) in backends().await {
                let scope = Scope::of(PartyId::generate());
                let v = chat.add_visitor(scope, Token::new("tok-v").unwrap(), t0()).await.unwrap();
                chat.add_identifier(scope, v, name(&canonical), t0()).await.unwrap();
                let talk = chat.start_conversation(scope, v, t0()).await.unwrap();
                let agent = Sender::Agent(Text::new("Petra").unwrap());
                let reply = format!("Thanks, {typed}, done");
                chat.post(scope, talk, agent, Text::new(&reply).unwrap(), vec![], t0()).await.unwrap();
                let outcomes = chat.erase(scope, &[token("tok-v")], &ErasurePolicy::default()).await.unwrap();
                assert_eq!(outcomes.iter().filter(|o| o.outcome == Outcome::Redacted).count(), 1, "{backend}");
                let texts = transcript_texts(&chat, scope, talk).await;
                assert_eq!(texts, ["Thanks, [redacted name], done"], "{backend}: {typed:?}");
            }
        });
    }

    /// An e-mail address in any ASCII case finds what its canonical form finds.
    #[test]
    fn art_15_email_case_forms_find_the_same(local in "[a-z][a-z0-9.]{0,10}[a-z]", upper in any::<u16>()) {
        let canonical = format!("{local}@example.cz");
        let typed: String = canonical
            .chars()
            .enumerate()
            .map(|(i, c)| if upper >> (i % 16) & 1 == 1 { c.to_ascii_uppercase() } else { c })
            .collect();
        prop_assert!(email(&typed).matches(&email(&canonical)));
        runtime().block_on(async {
            for (backend, chat) in backends().await {
                let scope = Scope::of(PartyId::generate());
                let v = chat.add_visitor(scope, Token::new("tok-v").unwrap(), t0()).await.unwrap();
                chat.add_identifier(scope, v, email(&canonical), t0()).await.unwrap();
                let by_typed = chat.find(scope, &[email(&typed)]).await.unwrap();
                assert_eq!(by_typed, chat.find(scope, &[email(&canonical)]).await.unwrap(), "{backend}");
                assert!(!by_typed.is_empty(), "{backend}");
            }
        });
    }

    /// An IP address in any textual form is one identifier, and after erasing its holder (by
    /// token) no form of it is left in a reply.
    #[test]
    fn art_17_ip_typed_forms_are_redacted((canonical, typed) in typed_ip()) {
        let decoded: SubjectIdentifier =
            serde_json::from_str(&format!(r#"{{"kind":"ip_address","value":"{typed}"}}"#)).unwrap();
        prop_assert_eq!(&decoded, &ip(&canonical));
        runtime().block_on(async {
            for (backend, chat) in backends().await {
                let scope = Scope::of(PartyId::generate());
                let v = chat.add_visitor(scope, Token::new("tok-v").unwrap(), t0()).await.unwrap();
                chat.add_identifier(scope, v, ip(&canonical), t0()).await.unwrap();
                let talk = chat.start_conversation(scope, v, t0()).await.unwrap();
                let agent = Sender::Agent(Text::new("Petra").unwrap());
                let reply = format!("seen from {typed} today");
                chat.post(scope, talk, agent, Text::new(&reply).unwrap(), vec![], t0()).await.unwrap();
                chat.erase(scope, &[token("tok-v")], &ErasurePolicy::default()).await.unwrap();
                let texts = transcript_texts(&chat, scope, talk).await;
                assert_eq!(texts, ["seen from [redacted ip address] today"], "{backend}: {typed}");
            }
        });
    }
}

/// A database written before version 4 (lookup rows in the old forms) finds its visitors by
/// the new forms once opened: the migration rebuilds the rows from the visitor bodies.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn art_17_old_lookup_rows_are_rebuilt_on_opening() {
    use gdpr_obligations::store::sqlite::SqliteStore;
    use sqlx::Connection;

    let path = std::env::temp_dir().join(format!("gdpr-ident-{}.sqlite", uuid::Uuid::now_v7()));
    let scope = Scope::of(PartyId::generate());
    let eva = {
        let store = SqliteStore::open(&path).await.unwrap();
        let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
        let eva = chat.add_visitor(scope, Token::new("tok-eva").unwrap(), t0()).await.unwrap();
        chat.add_identifier(scope, eva, phone(EVA_PHONE), t0()).await.unwrap();
        chat.add_identifier(scope, eva, name("Jan Nova\u{301}k"), t0()).await.unwrap();
        let bob = chat.add_visitor(scope, Token::new("tok-bob").unwrap(), t0()).await.unwrap();
        chat.add_identifier(scope, bob, email("bob@example.org"), t0()).await.unwrap();
        let talk = chat.start_conversation(scope, bob, t0()).await.unwrap();
        let reply = Text::new("Jan Novák will call you from +420 601 123 456").unwrap();
        chat.post(scope, talk, Sender::Bot, reply, vec![], t0()).await.unwrap();
        store.close().await;
        eva
    };
    // Rewrite Eva's lookup rows as version 3 wrote them, and forget version 4.
    {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let controller = scope.controller().as_uuid();
        sqlx::query("DELETE FROM gdpr_chat_lookup WHERE kind IN ('id', 'word')").execute(&mut conn).await.unwrap();
        for (kind, value, visitor) in [
            ("id", "phone:+420601123456".to_owned(), eva.as_uuid()),
            ("word", "420601123456".to_owned(), eva.as_uuid()),
            ("id", "name:jan nova\u{301}k".to_owned(), eva.as_uuid()),
            ("word", "jan nova k".to_owned(), eva.as_uuid()),
            ("id", "chat_visitor_token:tok-eva".to_owned(), eva.as_uuid()),
        ] {
            sqlx::query("INSERT INTO gdpr_chat_lookup (controller, kind, value, visitor) VALUES ($1, $2, $3, $4)")
                .bind(controller)
                .bind(kind)
                .bind(value)
                .bind(visitor)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        // Back to schema version 3: versions 4 to 6 apply again on open, in order.
        sqlx::raw_sql("DROP TABLE gdpr_chat_agents; DROP TABLE gdpr_chat_sweeps; DELETE FROM gdpr_schema_migrations WHERE version >= 4")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    let chat = ChatHistory::sqlite(&store, key()).await.unwrap();
    // Bob's export finds Eva's name and number in the bot's reply through the rebuilt index.
    let items: Vec<_> = chat.export(scope, &[email("bob@example.org")]).await.unwrap().try_collect().await.unwrap();
    let json = serde_json::to_string(&items).unwrap();
    assert!(json.contains("[redacted name] will call you from [redacted phone]"), "{json}");
    // Eva is found, and erased, by her number in any form.
    let typed = SubjectIdentifier::Phone(PhoneNumber::parse("601 123 456", Some(Country::CZ)).unwrap());
    assert!(!chat.find(scope, std::slice::from_ref(&typed)).await.unwrap().is_empty());
    let outcomes = chat.erase(scope, &[typed], &ErasurePolicy::default()).await.unwrap();
    assert!(outcomes.iter().any(|o| o.record.as_str() == format!("visitor/{eva}")), "{outcomes:?}");
    assert!(chat.find(scope, &[token("tok-eva")]).await.unwrap().is_empty());
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
