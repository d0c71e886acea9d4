//! Strong and weak identifiers in `ChatHistory` (Art. 11(2), 12(6), Recital 64): a name or an
//! IP address never selects a visitor, so a namesake or a visitor behind the same office
//! network address is never exported or erased with the subject; and every agent of the
//! controller appears by role only, wherever named (Art. 15(4)). On memory and SQLite, and on
//! PostgreSQL when the suite has a server (`scripts/with-postgres`).

use crate::common;

use std::net::IpAddr;

use futures_util::TryStreamExt;
use gdpr_obligations::erasure::{ErasurePolicy, MessageErasure};
use gdpr_obligations::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::{ExportItem, FoundRecord, PersonalDataSource, PseudonymKey, Scope};
use proptest::prelude::*;

fn key() -> PseudonymKey {
    PseudonymKey::new(b"chat-weak-test-key-0123456789abcdef").unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A fresh chat history on every backend this build and environment has.
async fn backends() -> Vec<(&'static str, ChatHistory)> {
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(unused_mut, reason = "without a database feature only memory is pushed")
    )]
    let mut out = vec![("memory", ChatHistory::with_key(key()))];
    #[cfg(feature = "sqlite")]
    {
        let store = gdpr_obligations::store::sqlite::SqliteStore::open_in_memory().await.unwrap();
        out.push(("sqlite", ChatHistory::sqlite(&store, key()).await.unwrap()));
    }
    #[cfg(feature = "postgres")]
    if let Some(url) = common::postgres_url("chat_weak") {
        let store = gdpr_obligations::store::postgres::PostgresStore::connect(&url).await.unwrap();
        out.push(("postgres", ChatHistory::postgres(&store, key()).await.unwrap()));
    }
    out
}

fn scope() -> Scope {
    Scope::of(PartyId::generate())
}

fn at() -> chrono::DateTime<chrono::Utc> {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn name(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Name(text(s))
}

fn ip(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::IpAddress(s.parse::<IpAddr>().unwrap())
}

fn token(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::ChatVisitorToken(Token::new(s).unwrap())
}

async fn export(chat: &ChatHistory, scope: Scope, subject: &[SubjectIdentifier]) -> Vec<ExportItem> {
    chat.export(scope, subject).await.unwrap().try_collect().await.unwrap()
}

async fn snapshot(chat: &ChatHistory, scope: Scope, subject: &[SubjectIdentifier]) -> (Vec<FoundRecord>, String) {
    let found = chat.find(scope, subject).await.unwrap();
    (found, serde_json::to_string(&export(chat, scope, subject).await).unwrap())
}

/// A visitor with a token and the identifiers given, and a conversation of their own with the
/// messages given (the visitor's, an agent's or the bot's).
async fn visitor(chat: &ChatHistory, c: Scope, tok: &str, ids: &[SubjectIdentifier], talk: &[(Sender, String)]) {
    let v = chat.add_visitor(c, Token::new(tok).unwrap(), at()).await.unwrap();
    for id in ids {
        chat.add_identifier(c, v, id.clone(), at()).await.unwrap();
    }
    let conversation = chat.start_conversation(c, v, at()).await.unwrap();
    for (from, said) in talk {
        let from = match from {
            Sender::Visitor(_) => Sender::Visitor(v),
            other => other.clone(),
        };
        chat.post(c, conversation, from, text(said), vec![], at()).await.unwrap();
    }
}

fn own(said: &str) -> (Sender, String) {
    // The visitor is filled in by `visitor`.
    (Sender::Visitor(gdpr_obligations::store::chat::VisitorId::generate()), said.to_owned())
}

fn agent(who: &str, said: &str) -> (Sender, String) {
    (Sender::Agent(text(who)), said.to_owned())
}

/// Review row 2.9: A and B sit behind one office NAT. B's access request with B's token and the
/// shared address exports B's data only: none of A's profile or messages.
#[tokio::test]
async fn art_11_2_an_export_with_a_shared_ip_address_stays_with_the_requester() {
    for (backend, chat) in backends().await {
        let c = scope();
        let office = ip("198.51.100.7");
        let alice = [email("alice@example.com"), office.clone()];
        visitor(&chat, c, "tok-a", &alice, &[own("ALICE1 my invoice please")]).await;
        visitor(&chat, c, "tok-b", std::slice::from_ref(&office), &[own("BOB1 where is my parcel")]).await;
        let dump = serde_json::to_string(&export(&chat, c, &[token("tok-b"), office.clone()]).await).unwrap();
        assert!(dump.contains("BOB1"), "{backend}: B's own message");
        assert!(!dump.contains("alice") && !dump.contains("ALICE1"), "{backend}: A's data in B's export: {dump}");
        assert!(chat.find(c, &[office]).await.unwrap().is_empty(), "{backend}: an IP address alone finds nobody");
    }
}

/// Review row 2.8: erasing A with A's e-mail and A's name leaves the other visitor of the same
/// name as they were.
#[tokio::test]
async fn art_17_erasing_with_a_name_spares_the_namesakes() {
    for (backend, chat) in backends().await {
        let c = scope();
        let jan_a = [email("jan.a@example.cz"), name("Jan Novák")];
        let jan_b = [email("jan.b@example.cz"), name("Jan Novák")];
        visitor(&chat, c, "tok-jan-a", &jan_a, &[own("JANA1 cancel my order")]).await;
        visitor(&chat, c, "tok-jan-b", &jan_b, &[own("JANB1 I love the shop")]).await;
        let before = snapshot(&chat, c, &jan_b[..1]).await;
        let outcomes = chat.erase(c, &jan_a, &ErasurePolicy::default()).await.unwrap();
        assert_eq!(outcomes.len(), 3, "{backend}: A's profile, participation and message: {outcomes:?}");
        assert_eq!(snapshot(&chat, c, &jan_b[..1]).await, before, "{backend}: the namesake changed");
        assert!(chat.find(c, &jan_a[1..]).await.unwrap().is_empty(), "{backend}: a name alone finds nobody");
    }
}

/// Art. 15(4): an agent named by the bot, and by another agent, in a conversation that agent
/// never wrote in is exported as `[agent]`, whatever the case it is written in.
#[tokio::test]
async fn art_15_4_an_agent_named_where_they_never_wrote_is_exported_by_role() {
    for (backend, chat) in backends().await {
        let c = scope();
        let carl = [agent("Jana Nováková", "Hello, how can I help?")];
        visitor(&chat, c, "tok-carl", &[email("carl@example.cz")], &carl).await;
        let eva = [
            own("Who handles refunds?"),
            (Sender::Bot, "Your case is with Jana Nováková.".to_owned()),
            agent("Petr Král", "I asked JANA NOVÁKOVÁ; she will write."),
        ];
        visitor(&chat, c, "tok-eva", &[email("eva@example.cz")], &eva).await;
        let dump = serde_json::to_string(&export(&chat, c, &[token("tok-eva")]).await).unwrap();
        assert!(!dump.to_lowercase().contains("nováková"), "{backend}: the agent is named: {dump}");
        assert!(!dump.contains("Petr Král"), "{backend}");
        assert!(dump.contains("Your case is with [agent].") && dump.contains("I asked [agent]; she will write."));
    }
}

/// What a visitor's messages say, word by word.
#[derive(Debug, Clone, Copy)]
enum Word {
    /// The visitor's own e-mail address.
    Email,
    /// The visitor's own phone number.
    Phone,
    /// The visitor's name (shared or not).
    Name,
    /// The visitor's IP address (shared or not).
    Ip,
    /// A word marking the message as this visitor's.
    Marker,
    Filler,
}

/// Who writes a message in a visitor's conversation.
#[derive(Debug, Clone, Copy)]
enum Who {
    Visitor,
    Agent,
    Bot,
}

type Talk = Vec<(Who, Vec<Word>)>;

fn talk() -> impl Strategy<Value = Talk> {
    let word = prop_oneof![
        Just(Word::Email),
        Just(Word::Phone),
        Just(Word::Name),
        Just(Word::Ip),
        Just(Word::Marker),
        Just(Word::Filler)
    ];
    let who = prop_oneof![Just(Who::Visitor), Just(Who::Agent), Just(Who::Bot)];
    prop::collection::vec((who, prop::collection::vec(word, 1..5)), 1..5)
}

/// Two visitors who share a name, an IP address or both, and nothing else.
#[derive(Debug, Clone)]
struct Twins {
    shares_name: bool,
    shares_ip: bool,
    a: Talk,
    b: Talk,
    pseudonymise: bool,
}

fn twins() -> impl Strategy<Value = Twins> {
    let shared = prop_oneof![Just((true, false)), Just((false, true)), Just((true, true))];
    (shared, talk(), talk(), any::<bool>()).prop_map(|((shares_name, shares_ip), a, b, pseudonymise)| Twins {
        shares_name,
        shares_ip,
        a,
        b,
        pseudonymise,
    })
}

/// One twin: their identifiers and the marker of their messages.
struct Twin {
    tok: &'static str,
    email: &'static str,
    phone: &'static str,
    name: &'static str,
    ip: &'static str,
    marker: &'static str,
}

const A: Twin = Twin {
    tok: "tok-twin-a",
    email: "ada.twin@example.cz",
    phone: "+420602333444",
    name: "Kit Twin",
    ip: "192.0.2.77",
    marker: "TWINA",
};

impl Twin {
    fn b(shares_name: bool, shares_ip: bool) -> Twin {
        Twin {
            tok: "tok-twin-b",
            email: "bea.twin@example.cz",
            phone: "+420603555666",
            name: if shares_name { A.name } else { "Bea Other" },
            ip: if shares_ip { A.ip } else { "203.0.113.9" },
            marker: "TWINB",
        }
    }

    fn weak(&self) -> Vec<SubjectIdentifier> {
        vec![name(self.name), ip(self.ip)]
    }

    fn strong(&self) -> Vec<SubjectIdentifier> {
        vec![email(self.email), SubjectIdentifier::Phone(PhoneNumber::new(self.phone).unwrap())]
    }

    fn said(&self, words: &[Word], n: usize) -> String {
        let words: Vec<String> = words
            .iter()
            .map(|w| match w {
                Word::Email => self.email.to_owned(),
                Word::Phone => self.phone.to_owned(),
                Word::Name => self.name.to_owned(),
                Word::Ip => self.ip.to_owned(),
                Word::Marker => format!("{}{n}", self.marker),
                Word::Filler => "about the order".to_owned(),
            })
            .collect();
        words.join(" ")
    }

    async fn add(&self, chat: &ChatHistory, c: Scope, talk: &Talk) {
        let mut ids = self.strong();
        ids.extend(self.weak());
        let messages: Vec<(Sender, String)> = talk
            .iter()
            .enumerate()
            .map(|(n, (who, words))| {
                let said = self.said(words, n);
                match who {
                    Who::Visitor => own(&said),
                    Who::Agent => agent("Jana Kitagentová", &said),
                    Who::Bot => (Sender::Bot, said),
                }
            })
            .collect();
        visitor(chat, c, self.tok, &ids, &messages).await;
    }
}

/// The property on one backend; `Err` says what broke.
async fn twins_stay_apart(chat: &ChatHistory, t: &Twins) -> Result<(), String> {
    let c = scope();
    let b = Twin::b(t.shares_name, t.shares_ip);
    A.add(chat, c, &t.a).await;
    b.add(chat, c, &t.b).await;
    let b_by = [token(b.tok)];
    let b_before = snapshot(chat, c, &b_by).await;
    let b_records: Vec<_> = b_before.0.iter().map(|f| f.record.clone()).collect();

    // Weak identifiers alone select nobody.
    let shared: Vec<SubjectIdentifier> = A.weak().into_iter().filter(|i| b.weak().contains(i)).collect();
    for weak in [shared, A.weak()] {
        let (found, items) = snapshot(chat, c, &weak).await;
        if !found.is_empty() || items != "[]" {
            return Err(format!("{weak:?} alone find {found:?} and export {items}"));
        }
    }
    // A by e-mail with the weak ones: nothing of B's.
    let mut asked = vec![email(A.email)];
    asked.extend(A.weak());
    let found = chat.find(c, &asked).await.unwrap();
    if let Some(f) = found.iter().find(|f| b_records.contains(&f.record)) {
        return Err(format!("finding A finds B's {}", f.record));
    }
    let items = export(chat, c, &asked).await;
    if let Some(i) = items.iter().find(|i| b_records.contains(&i.record)) {
        return Err(format!("A's export holds B's {}", i.record));
    }
    let dump = serde_json::to_string(&items).unwrap();
    for theirs in [b.tok, b.email, b.phone, b.marker] {
        if dump.contains(theirs) {
            return Err(format!("A's export holds B's `{theirs}`: {dump}"));
        }
    }
    // Erasing A changes nothing of B's.
    let messages = if t.pseudonymise { MessageErasure::Pseudonymise } else { MessageErasure::Delete };
    let policy = ErasurePolicy { messages, retain: Vec::new() };
    chat.erase(c, &asked, &policy).await.unwrap();
    let b_after = snapshot(chat, c, &b_by).await;
    if b_after != b_before {
        return Err(format!("erasing A changed B: {b_before:?} became {b_after:?}"));
    }
    if !chat.find(c, &[email(A.email)]).await.unwrap().is_empty() {
        return Err("A is still found after the erasure".to_owned());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(16), ..ProptestConfig::default() })]

    /// Art. 11(2), 12(6), 15(4), 17: when A and B share only weak identifiers (a name, an IP
    /// address or both), those alone find and export nothing, and finding, exporting and
    /// erasing A by e-mail with them never includes or changes anything of B's.
    #[test]
    fn art_11_2_sharing_only_weak_identifiers_never_mixes_two_visitors(t in twins()) {
        let broken = runtime().block_on(async {
            let mut broken = Vec::new();
            for (backend, chat) in backends().await {
                if let Err(e) = twins_stay_apart(&chat, &t).await {
                    broken.push(format!("{backend}: {e}"));
                }
            }
            broken
        });
        prop_assert!(broken.is_empty(), "{:?}", broken);
    }
}
