//! A seeded generator of chat histories for benchmarks and load tests (feature `testkit`, with
//! `sqlite` or `postgres`): controllers, visitors with identifiers and IP addresses,
//! conversations, messages from visitors, agents and the bot, attachments, and replies that
//! greet visitors by name or mention their e-mail addresses.
//!
//! Everything but the ids is a function of the seed: the controllers, every identifier, text,
//! instant and attachment. Ids are fresh UUID v7s (the product API makes them), so a cached
//! database ([`cached_sqlite`]) is reused rather than regenerated.
//!
//! Besides the history, a generated controller (the first) holds **probes**: subjects of one
//! fixed shape ([`PROBE_MESSAGES`] messages in [`PROBE_CONVERSATIONS`] conversations, two IP
//! addresses, an e-mail, a name and an attachment), so that the cost of finding, exporting or
//! erasing a probe can be compared between histories of different sizes.
//!
//! The history is written through the product API ([`ChatHistory::add_visitor`],
//! [`ChatHistory::post`], ...) of an in-memory [`ChatHistory`], a chunk of visitors at a time,
//! and each chunk is then written to the database in one transaction, row by row as a durable
//! `ChatHistory` writes any change ([`Writes::Bulk`]): the same rows as through the product API
//! of the durable history itself ([`Writes::ProductApi`]), a hundred times faster.
//!
//! This module is exempt from semantic versioning, like the rest of the testkit.
//!
//! # Example
//! ```
//! use gdpr_obligations::store::chat::ChatHistory;
//! use gdpr_obligations::store::sqlite::SqliteStore;
//! use gdpr_obligations::store::{PersonalDataSource, PseudonymKey};
//! use gdpr_obligations::testkit::generate::{self, HistorySpec, PROBE_MESSAGES};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let store = SqliteStore::open_in_memory().await?;
//! let chat = ChatHistory::sqlite(&store, PseudonymKey::new(b"a managed secret of 32 bytes!!!!")?).await?;
//! let spec = HistorySpec::new(7, 2_000);
//! let history = generate::fill(&chat, &spec).await?;
//! assert!(history.messages >= 2_000);
//!
//! // A probe has the same records whatever the size of the history around it.
//! let found = chat.find(history.scopes[0], &history.probes[0]).await?;
//! let messages = found.iter().filter(|f| f.record.as_str().contains("/message/")).count();
//! assert!(messages > 0 && messages <= PROBE_MESSAGES);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::{IpAddr, Ipv4Addr};
#[cfg(feature = "sqlite")]
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
#[cfg(feature = "sqlite")]
use uuid::Uuid;

use crate::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use crate::store::chat::{Attachment, ChatHistory, ConversationId, Sender, VisitorId};
use crate::store::{Scope, StoreError};

/// How many messages a probe has: its own, and the agent's and the bot's replies.
pub const PROBE_MESSAGES: usize = 100;

/// How many conversations a probe takes part in.
pub const PROBE_CONVERSATIONS: usize = 5;

/// How many probes [`fill`] adds to the first controller.
pub const PROBES: u64 = 4;

/// How many controllers share a generated database; the messages are split evenly.
pub const CONTROLLERS: u64 = 4;

/// Visitors per in-memory chunk written in one transaction.
const CHUNK_VISITORS: u64 = 500;

/// What to generate: a seed and a number of messages (over every controller, probes aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistorySpec {
    /// Everything but the ids follows from it.
    pub seed: u64,
    /// How many messages the history holds, probes aside (at least this many: the last
    /// conversation of each controller is not cut short).
    pub messages: u64,
}

/// A generated history: who is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The controllers, the probes' first.
    pub scopes: Vec<Scope>,
    /// The identifiers of each probe of the first controller (visitor token, e-mail, name).
    pub probes: Vec<Vec<SubjectIdentifier>>,
    /// How many messages were written, probes included.
    pub messages: u64,
    /// How many visitors were written, probes included.
    pub visitors: u64,
}

/// How a generator writes into a durable chat history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Through the product API of an in-memory history, then every row in one transaction.
    Bulk,
    /// Through the product API of the target history itself, one transaction per call.
    ProductApi,
}

impl HistorySpec {
    /// A history of `messages` messages generated from `seed`.
    #[must_use]
    pub fn new(seed: u64, messages: u64) -> Self {
        Self { seed, messages }
    }

    /// The controllers of the history, from the seed alone.
    #[must_use]
    pub fn scopes(&self) -> Vec<Scope> {
        let mut rng = Rng::new(self.seed ^ 0x5c09_e5c0);
        (0..CONTROLLERS)
            .map(|_| {
                let bytes = (u128::from(rng.next()) << 64 | u128::from(rng.next())).to_be_bytes();
                Scope::of(PartyId::from_uuid(uuid::Builder::from_random_bytes(bytes).into_uuid()))
            })
            .collect()
    }
}

/// Fills `chat` (in a database that holds none of these controllers yet) with the history of
/// `spec` and [`PROBES`] probes in its first controller, in bulk ([`Writes::Bulk`]).
///
/// # Errors
/// The database's [`StoreError`]; [`StoreError::Invalid`] when `chat` is in memory.
pub async fn fill(chat: &ChatHistory, spec: &HistorySpec) -> Result<History, StoreError> {
    let scopes = spec.scopes();
    let mut history = History { scopes: scopes.clone(), probes: Vec::new(), messages: 0, visitors: 0 };
    let per_scope = spec.messages.div_ceil(CONTROLLERS);
    for (s, scope) in scopes.iter().enumerate() {
        let mut rng = Rng::new(spec.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(s as u64));
        let mut written = 0u64;
        let mut visitor = 0u64;
        while written < per_scope {
            let memory = ChatHistory::new();
            let mut in_chunk = 0;
            while written < per_scope && in_chunk < CHUNK_VISITORS {
                written += visitor_with_conversations(&memory, *scope, s, visitor, &mut rng).await?;
                visitor += 1;
                in_chunk += 1;
            }
            chat.move_scope_from(&memory, *scope).await?;
        }
        history.messages += written;
        history.visitors += visitor;
    }
    for n in 0..PROBES {
        history.probes.push(add_probe(chat, scopes[0], n, Writes::Bulk).await?);
        history.messages += PROBE_MESSAGES as u64;
        history.visitors += 1;
    }
    Ok(history)
}

/// The identifiers of probe `n`: its visitor token, e-mail and name.
///
/// # Panics
/// Never: the identifiers are valid by construction.
#[must_use]
pub fn probe_identifiers(n: u64) -> Vec<SubjectIdentifier> {
    let valid = "generated identifiers are valid";
    vec![
        SubjectIdentifier::ChatVisitorToken(Token::new(&format!("probe-token-{n}")).expect(valid)),
        SubjectIdentifier::Email(EmailAddress::new(&format!("probe{n}.subject@example.test")).expect(valid)),
        SubjectIdentifier::Name(Text::new(&format!("Probe{n} Subject")).expect(valid)),
    ]
}

/// Adds probe `n` (whose identifiers are [`probe_identifiers`]`(n)`, which must be new in
/// `scope`) to `chat` in `scope`: [`PROBE_CONVERSATIONS`] conversations of
/// [`PROBE_MESSAGES`] messages in all, the same texts and instants for every `n`. Returns
/// its identifiers.
///
/// # Errors
/// The database's [`StoreError`]; [`StoreError::Invalid`] with [`Writes::Bulk`] when `chat`
/// is in memory.
pub async fn add_probe(
    chat: &ChatHistory,
    scope: Scope,
    n: u64,
    writes: Writes,
) -> Result<Vec<SubjectIdentifier>, StoreError> {
    let ids = probe_identifiers(n);
    let memory = ChatHistory::new();
    let target = match writes {
        Writes::Bulk => &memory,
        Writes::ProductApi => chat,
    };
    let mut rng = Rng::new(0x0070_7262_6521);
    let at: DateTime<Utc> = "2025-06-01T09:00:00Z".parse().map_err(|e| invalid(format!("{e}")))?;
    let [token, email, name] = [&ids[0], &ids[1], &ids[2]];
    let SubjectIdentifier::ChatVisitorToken(token) = token.clone() else { return Err(invalid("token")) };
    let visitor = target.add_visitor(scope, token, at).await?;
    target.add_identifier(scope, visitor, email.clone(), at).await?;
    target.add_identifier(scope, visitor, name.clone(), at).await?;
    for ip in [Ipv4Addr::new(198, 51, 100, 7), Ipv4Addr::new(203, 0, 113, 41)] {
        target.add_identifier(scope, visitor, SubjectIdentifier::IpAddress(IpAddr::V4(ip)), at).await?;
    }
    let person = Person { first: format!("Probe{n}"), email: format!("probe{n}.subject@example.test") };
    let per = PROBE_MESSAGES / PROBE_CONVERSATIONS;
    for c in 0..PROBE_CONVERSATIONS {
        let start = at + TimeDelta::days(7 * c as i64);
        let conversation = target.start_conversation(scope, visitor, start).await?;
        let attachment = c == 0;
        conversation_messages(target, scope, conversation, visitor, &person, per, attachment, start, &mut rng).await?;
    }
    if writes == Writes::Bulk {
        chat.move_scope_from(&memory, scope).await?;
    }
    Ok(ids)
}

/// The identifiers of the subject [`add_long_subject`] adds: an e-mail address.
///
/// # Panics
/// Never: the identifier is valid by construction.
#[must_use]
pub fn long_subject_identifiers() -> Vec<SubjectIdentifier> {
    vec![SubjectIdentifier::Email(EmailAddress::new("long.subject@example.test").expect("a valid e-mail address"))]
}

/// Adds to `chat` in `scope` a visitor ([`long_subject_identifiers`], which must be new there)
/// with `messages` messages in conversations of 100 (half of them an agent's replies), built in
/// memory and written in one transaction: the subject of a long history, for memory bounds.
///
/// # Errors
/// The database's [`StoreError`]; [`StoreError::Invalid`] when `chat` is in memory.
pub async fn add_long_subject(chat: &ChatHistory, scope: Scope, messages: u64) -> Result<(), StoreError> {
    let memory = ChatHistory::new();
    let at: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().map_err(|e| invalid(format!("{e}")))?;
    let visitor = memory.add_visitor(scope, identifier(Token::new("long-subject-token"))?, at).await?;
    for id in long_subject_identifiers() {
        memory.add_identifier(scope, visitor, id, at).await?;
    }
    let agent = Sender::Agent(identifier(Text::new("Jana Nováková"))?);
    let mut t = at;
    let mut conversation = memory.start_conversation(scope, visitor, t).await?;
    for i in 0..messages {
        if i > 0 && i % 100 == 0 {
            conversation = memory.start_conversation(scope, visitor, t).await?;
        }
        t += TimeDelta::seconds(30);
        let order = 10_000 + i % 90_000;
        let (from, text) = if i % 2 == 0 {
            (Sender::Visitor(visitor), format!("Where is my order {order}?"))
        } else {
            (agent.clone(), format!("Order {order} left the warehouse today."))
        };
        memory.post(scope, conversation, from, identifier(Text::new(&text))?, Vec::new(), t).await?;
    }
    chat.move_scope_from(&memory, scope).await
}

/// The version of the rows a cached database holds: raised whenever the generator or the rows
/// `ChatHistory` writes change, so that an older cache is not reused.
pub const CACHE_FORMAT: u32 = 3;

/// The path of the SQLite database of `spec` under `dir`
/// (`chat-v<CACHE_FORMAT>-<seed>-<messages>.sqlite`),
/// generated with [`fill`] on the first call and reused afterwards. The file is complete when
/// it exists: it is generated under another name and renamed. Open a copy to change it.
///
/// # Errors
/// [`StoreError::Backend`] when the folder or the database cannot be written.
#[cfg(feature = "sqlite")]
pub async fn cached_sqlite(dir: &Path, spec: &HistorySpec) -> Result<PathBuf, StoreError> {
    let path = dir.join(format!("chat-v{CACHE_FORMAT}-{}-{}.sqlite", spec.seed, spec.messages));
    if path.exists() {
        return Ok(path);
    }
    let io = |e: std::io::Error| StoreError::Backend { store: "sqlite", source: Box::new(e) };
    std::fs::create_dir_all(dir).map_err(io)?;
    let partial = dir.join(format!("chat-{}-{}.{}.partial", spec.seed, spec.messages, Uuid::now_v7()));
    let store = crate::store::sqlite::SqliteStore::open(&partial).await?;
    let key =
        crate::store::PseudonymKey::new(b"testkit-generate: no erasure is made").map_err(|e| invalid(e.to_string()))?;
    let chat = ChatHistory::sqlite(&store, key).await?;
    fill(&chat, spec).await?;
    store.close().await;
    std::fs::rename(&partial, &path).map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    Ok(path)
}

fn invalid(reason: impl Into<String>) -> StoreError {
    StoreError::Invalid { what: "generated chat history".to_owned(), reason: reason.into() }
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Whether an event of `percent` % chance happens.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Jana",
    "Petr",
    "Eva",
    "Tomáš",
    "Lucie",
    "Martin",
    "Anna",
    "Jakub",
    "Tereza",
    "Lukáš",
    "Klára",
    "David",
    "Marie",
    "Ondřej",
    "Veronika",
    "Jan",
    "Kateřina",
    "Filip",
    "Barbora",
    "Michal",
    "Sophie",
    "Lukas",
    "Emma",
    "Jonas",
    "Hannah",
    "Felix",
    "Lea",
    "Paul",
    "Mia",
    "Elias",
    "Olivia",
    "Liam",
    "Noah",
    "Chloé",
    "Louis",
    "Camille",
    "Hugo",
    "Inès",
    "Jules",
    "Zoé",
];
const LAST_NAMES: &[&str] = &[
    "Novák",
    "Svoboda",
    "Dvořák",
    "Černý",
    "Procházka",
    "Kučera",
    "Veselý",
    "Horák",
    "Němec",
    "Marek",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Walker",
    "Wright",
    "Green",
    "Hall",
];
const DOMAINS: &[&str] = &["example.test", "mail.example", "post.example", "inbox.example"];
const AGENTS: &[&str] = &[
    "Jana Nováková",
    "Petra Malá",
    "Karel Veselý",
    "Lenka Horáková",
    "Mark Evans",
    "Julia Weber",
    "Sarah Hall",
    "Luc Moreau",
];
const ASKS: &[&str] = &[
    "Where is my order {n}?",
    "I ordered {k} items but only got one.",
    "Can I change the delivery address for order {n}?",
    "The payment failed twice, what should I do?",
    "Do you ship to Slovakia?",
    "I would like to return the blue jacket.",
    "Is the discount code still valid?",
    "My account is locked after {k} attempts.",
    "Please send the invoice again.",
    "How long does delivery take?",
];
const REPLIES: &[&str] = &[
    "Thank you for waiting, I am checking order {n} now.",
    "The parcel left our warehouse yesterday.",
    "I have refunded the payment, it takes {k} working days.",
    "You can change the address in your account settings.",
    "The code is valid until the end of the month.",
    "I have unlocked your account.",
];
const BOT: &[&str] = &["An agent will be with you shortly.", "Our opening hours are 8:00 to 18:00 on weekdays."];

/// How a generated visitor appears in text.
struct Person {
    first: String,
    email: String,
}

fn text(template: &str, rng: &mut Rng) -> Result<Text, StoreError> {
    let s = template
        .replace("{n}", &format!("{}", 10_000 + rng.below(90_000)))
        .replace("{k}", &format!("{}", 2 + rng.below(8)));
    Text::new(&s).map_err(|e| invalid(e.to_string()))
}

fn identifier<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| invalid(e.to_string()))
}

/// One visitor of controller number `s` with one to three conversations; returns how many
/// messages were posted.
async fn visitor_with_conversations(
    chat: &ChatHistory,
    scope: Scope,
    s: usize,
    n: u64,
    rng: &mut Rng,
) -> Result<u64, StoreError> {
    let epoch: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().map_err(|e| invalid(format!("{e}")))?;
    let created = epoch + TimeDelta::minutes(rng.below(2 * 365 * 24 * 60) as i64);
    let token = identifier(Token::new(&format!("tok-{s}-{n:07}")))?;
    let visitor = chat.add_visitor(scope, token, created).await?;
    let (first, last) = (rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
    let email = format!("{}.{}{n}@{}", ascii(first), ascii(last), rng.pick(DOMAINS));
    if rng.chance(80) {
        let e = SubjectIdentifier::Email(identifier(EmailAddress::new(&email))?);
        chat.add_identifier(scope, visitor, e, created).await?;
    }
    if rng.chance(40) {
        let name = SubjectIdentifier::Name(identifier(Text::new(&format!("{first} {last}")))?);
        chat.add_identifier(scope, visitor, name, created).await?;
    }
    if rng.chance(15) {
        let phone = format!("+420 60{} {:03} {:03}", 1 + rng.below(8), rng.below(1000), rng.below(1000));
        let phone = SubjectIdentifier::Phone(identifier(PhoneNumber::new(&phone))?);
        chat.add_identifier(scope, visitor, phone, created).await?;
    }
    for _ in 0..1 + rng.below(2) {
        let octets = rng.next().to_be_bytes();
        let ip = Ipv4Addr::new(1 + octets[0] % 223, octets[1], octets[2], octets[3]);
        chat.add_identifier(scope, visitor, SubjectIdentifier::IpAddress(IpAddr::V4(ip)), created).await?;
    }
    let person = Person { first: first.to_owned(), email };
    let mut posted = 0;
    let mut start = created;
    for _ in 0..1 + rng.below(3) {
        start += TimeDelta::minutes(rng.below(60 * 24 * 30) as i64);
        let conversation = chat.start_conversation(scope, visitor, start).await?;
        let count = 4 + rng.below(13) as usize;
        let attachment = rng.chance(10);
        conversation_messages(chat, scope, conversation, visitor, &person, count, attachment, start, rng).await?;
        posted += count as u64;
    }
    Ok(posted)
}

/// Posts `count` messages alternating between the visitor and the agent or the bot; the
/// agent greets the visitor by first name or mentions their e-mail now and then.
#[expect(
    clippy::too_many_arguments,
    reason = "the conversation's place, people and clock, each its own argument in one private helper"
)]
async fn conversation_messages(
    chat: &ChatHistory,
    scope: Scope,
    conversation: ConversationId,
    visitor: VisitorId,
    person: &Person,
    count: usize,
    attachment: bool,
    start: DateTime<Utc>,
    rng: &mut Rng,
) -> Result<(), StoreError> {
    let agent = identifier(Text::new(rng.pick(AGENTS)))?;
    let mut at = start;
    for i in 0..count {
        at += TimeDelta::seconds(30 + rng.below(300) as i64);
        let (from, text, files) = if i % 2 == 0 {
            let files = if attachment && i == 0 {
                let name = format!("invoice-{}.pdf", 1_000 + rng.below(9_000));
                vec![identifier(Attachment::new(&name, "application/pdf", 20_000 + rng.below(200_000)))?]
            } else {
                Vec::new()
            };
            (Sender::Visitor(visitor), text(rng.pick(ASKS), rng)?, files)
        } else if i == 1 && rng.chance(50) {
            (Sender::Bot, text(rng.pick(BOT), rng)?, Vec::new())
        } else {
            let reply = text(rng.pick(REPLIES), rng)?;
            let reply = match rng.below(10) {
                0..=2 => format!("Hello {}, {}", person.first, reply.as_str()),
                3 | 4 => format!("{} I have sent the details to {}.", reply.as_str(), person.email),
                _ => reply.as_str().to_owned(),
            };
            (Sender::Agent(agent.clone()), identifier(Text::new(&reply))?, Vec::new())
        };
        chat.post(scope, conversation, from, text, files, at).await?;
    }
    Ok(())
}

/// A name in ASCII for an e-mail address's local part.
fn ascii(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' => 'a',
            'č' => 'c',
            'ď' => 'd',
            'é' | 'è' | 'ě' => 'e',
            'í' => 'i',
            'ň' => 'n',
            'ó' => 'o',
            'ř' => 'r',
            'š' => 's',
            'ť' => 't',
            'ú' | 'ů' | 'ü' => 'u',
            'ý' => 'y',
            'ž' => 'z',
            c => c,
        })
        .collect()
}
