//! `ChatHistory`: the reference personal-data source, a live chat in memory, SQLite or PostgreSQL.
//!
//! It has the shape of a real chat product: per controller, **visitors** (a profile with the
//! widget's visitor token and whatever identifiers they typed: e-mail, name, phone; and the IP
//! addresses they came from), **conversations** between visitors, agents and a bot, and
//! **messages** with an author, a text, a sent-at time and attachment metadata. The product
//! API ([`ChatHistory::add_visitor`], [`ChatHistory::post`], [`ChatHistory::transcript`], ...)
//! is what a chat backend's own code would call; the [`PersonalDataSource`] implementation is
//! what the crate calls to honour the visitors' rights.
//!
//! # Records
//!
//! Each piece of a visitor's data is one record, with a key of documented form, so that an
//! Art. 17(3) retention can name one record or a prefix:
//!
//! | key | what | category | provided by the subject |
//! | --- | --- | --- | --- |
//! | `visitor/<visitor>` | the profile: identifiers and supplementary statements | `identification` | yes |
//! | `visitor/<visitor>/ip/<n>` | an IP address the visitor came from | `online_identifier` | no |
//! | `conversation/<conversation>/participant/<visitor>` | the visitor's part in a conversation | `usage_behaviour` | no |
//! | `conversation/<conversation>/message/<message>` | a message | `communication_content` | when the subject wrote it |
//!
//! A retention of `conversation/<conversation>/` therefore keeps the whole conversation, and one
//! of `visitor/<visitor>/` keeps the visitor's IP addresses.
//!
//! # Whose data is what
//!
//! A visitor is **selected** only by a strong identifier ([`SubjectIdentifier::is_strong`]:
//! the visitor token, a cookie id, an e-mail address, a phone number, an account id) that
//! matches one of theirs ([`SubjectIdentifier::matches`]), or, once erased, by the keyed hash
//! of one that their erasure kept. A name or an IP address is weak: namesakes share a name and
//! everyone behind an office's network address shares it, so a weak identifier never selects a
//! visitor, alone or beside a strong one (Art. 11(2), 12(6), Recital 64). Given beside a strong
//! identifier it adds nothing to the selection: it only counts as one of the subject's own
//! identifiers when their records' texts are redacted, and [`find`](PersonalDataSource::find)
//! with weak identifiers only finds nothing. Matching is not transitive: an identifier the
//! selected visitor holds does not select another visitor who holds it too.
//!
//! The records of a subject (everything [`find`](PersonalDataSource::find) returns) are, for
//! every selected visitor: the profile, the IP addresses, the participations, the visitor's
//! own messages, and the agent's and bot's replies in the visitor's conversations that mention
//! one of the subject's identifiers. Another visitor's own messages are never the subject's
//! records, even when they mention the subject: they are that visitor's data, and erasing or
//! exporting them would adversely affect their rights (Art. 15(4), 17).
//!
//! A known limit: an agent's or the bot's reply in *another* visitor's conversation that
//! mentions the subject is not one of the subject's records. While the subject's profile
//! exists, the other visitor's export redacts the mention (Art. 15(4)); once the subject is
//! erased the source no longer knows the identifier in clear, and the mention stays as written.
//! Finding it would take an index of every message's words, which the source does not keep.
//!
//! # Rights
//!
//! - **Export** (Art. 15(3), 20): the subject's records plus every agent and bot reply in the
//!   subject's conversations (they were addressed to the subject), as [`ChatExport`] JSON.
//!   Agents appear by role, never by name: the name of every agent who ever wrote in the
//!   controller's chat is redacted (`[agent]`) wherever it appears, also in a conversation that
//!   agent never wrote in. Every other visitor's identifiers are redacted wherever they
//!   appear, except those the subject holds too (a shared IP address); a weak identifier the
//!   requester only gave, without the source holding it for them, never unmasks another
//!   visitor's. Other visitors' own messages and profiles are never exported (Art. 15(4)).
//!   Redaction recognises what the source knows: other visitors' identifiers and agents'
//!   names. An address typed for someone the source never knew, or whose profile was erased,
//!   stays as written.
//! - **Erasure** (Art. 17) under an [`ErasurePolicy`]: the profile and IP addresses deleted, the
//!   participations deleted, the subject's own messages deleted or pseudonymised (authored by
//!   a random pseudonym, the subject's identifiers replaced in the text), and the replies that
//!   mention the subject kept with the subject's identifiers redacted ([`Outcome::Redacted`]).
//!   Records covered by `policy.retain` are left untouched and reported
//!   [`Outcome::Retained`] (Art. 17(3)). A keyed hash of each of the visitor's strong identifiers
//!   is kept (a weak one would select nobody), with the keys of the records the erasure handled, so that a second erasure reports
//!   those records [`Outcome::Unchanged`] and records retained earlier stay findable.
//! - **Rectification** (Art. 16): an identifier of the profile replaced by another of the same
//!   kind, or a supplementary statement added to the profile. Message texts record what was
//!   written and are not rewritten.
//! - **Restriction** (Art. 18): a restricted visitor's records stay stored and are found and
//!   exported, but [`transcript`](ChatHistory::transcript),
//!   [`conversations`](ChatHistory::conversations) and [`profile`](ChatHistory::profile) leave
//!   them out (Art. 18(2)), together with the replies in their conversations, until the
//!   restriction is lifted. New data of a restricted visitor is stored restricted.
//!
//! # Retention (Art. 5(1)(e))
//!
//! Each record has the category of the key table and is collected when it was created, seen,
//! joined or sent. A period after [`RetentionEvent::LastContact`] runs from the visitor's last
//! contact: the latest of their profile's creation, their IP addresses' sightings, and the
//! last message or join of every conversation they take part in; a message runs from the last
//! contact of the latest of its conversation's visitors (the conversation's last message when
//! it has none left). With [`set_retention`](ChatHistory::set_retention), the processing
//! queries leave expired records out from the moment they expire by the source's
//! [`Clock`], sweep or no sweep (an expired participation takes the visitor
//! out of the conversation's list, an expired profile makes [`profile`](ChatHistory::profile)
//! `None`). [`expired`](crate::store::RetentionSource::expired) lists them for the sweep, and
//! [`erase_records`](crate::store::RetentionSource::erase_records) erases them: under
//! [`MessageErasure::Pseudonymise`](crate::erasure::MessageErasure::Pseudonymise) a visitor's
//! message is kept authored by a pseudonym and the replies are kept, both with every known
//! identifier of the conversation's visitors redacted; such messages are no longer listed as
//! expired. Redaction recognises the identifiers the source still holds: a visitor whose
//! profile expired earlier is no longer recognised in text. A record key the scope does not
//! hold (another controller's, or made up) is reported
//! [`Outcome::NotFound`], never erased; one the scope held
//! and erased before is reported erased again while its visitor or conversation is still
//! known to the scope.
//!
//! # Erased means gone from the files (Art. 17)
//! On SQLite, every connection overwrites deleted content with zeros (`secure_delete`), and
//! [`erase`](crate::store::PersonalDataSource::erase),
//! [`erase_records`](crate::store::RetentionSource::erase_records) and
//! [`rectify`](crate::store::PersonalDataSource::rectify) checkpoint and truncate the
//! write-ahead log once they commit (`SqliteStore::truncate_wal`), so that
//! when they return no erased identifier or text is left in the database file or its log. When
//! readers keep the log busy, the call fails with a retryable error saying so, though the
//! change is committed. On PostgreSQL, erased rows stay in dead tuples until
//! `PostgresStore::vacuum_erased` rewrites the tables, and in the write-ahead log and backups
//! for as long as the deployment keeps them.
//!
//! # Example: a visitor, then their erasure
//! ```
//! use chrono::Utc;
//! use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
//! use gdpr_obligations::store::chat::{ChatHistory, Sender};
//! use gdpr_obligations::store::{PersonalDataSource, Scope};
//! use gdpr_obligations::erasure::{ErasurePolicy, Outcome};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let chat = ChatHistory::new();
//! let acme = Scope::of(PartyId::generate());
//! let now = Utc::now();
//!
//! let eva = chat.add_visitor(acme, Token::new("tok-eva")?, now).await?;
//! let email = SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?);
//! chat.add_identifier(acme, eva, email.clone(), now).await?;
//! let talk = chat.start_conversation(acme, eva, now).await?;
//! chat.post(acme, talk, Sender::Visitor(eva), Text::new("Where is my order?")?, vec![], now).await?;
//! let agent = Sender::Agent(Text::new("Jana Nováková")?);
//! chat.post(acme, talk, agent, Text::new("I wrote to eva@example.cz.")?, vec![], now).await?;
//!
//! // Art. 17: the profile, the participation and the visitor's message go; the agent's reply
//! // stays, with the visitor's e-mail redacted.
//! let outcomes = chat.erase(acme, &[email.clone()], &ErasurePolicy::default()).await?;
//! assert!(outcomes.iter().any(|o| o.outcome == Outcome::Redacted));
//! assert!(chat.find(acme, &[email.clone()]).await?.is_empty());
//! let transcript = chat.transcript(acme, talk).await?;
//! assert_eq!(transcript.len(), 1);
//! assert_eq!(transcript[0].text, "I wrote to [redacted e-mail].");
//!
//! // Idempotent: a second erasure changes nothing.
//! let again = chat.erase(acme, &[email], &ErasurePolicy::default()).await?;
//! assert!(again.iter().all(|o| o.outcome == Outcome::Unchanged));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod expiry;
mod records;
mod redact;
mod scope;
mod source;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) use sql::rebuilt_lookups;
mod types;

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
use self::scope::{Conversation, Visitor};
use self::scope::{Data, ScopeData, StoredMessage};
pub use self::types::{
    Attachment, Author, ChatExport, ConversationId, ConversationPage, ConversationSummary, ExportRole, Message,
    MessageId, Sender, VisitorId, VisitorProfile,
};
#[cfg(doc)]
use super::PersonalDataSource;
use super::{PseudonymKey, Scope, StoreError, SubjectKey};
use crate::erasure::RecordKey;
#[cfg(doc)]
use crate::erasure::{ErasurePolicy, Outcome};
use crate::model::{SourceName, SubjectIdentifier, Text, Token};
#[cfg(doc)]
use crate::retention::RetentionEvent;
use crate::retention::RetentionPolicy;
use crate::time::{Clock, SystemClock};

/// The reference [`PersonalDataSource`] (named `chat_history`): a live chat, thread-safe, in
/// memory ([`new`](Self::new)), in a SQLite file ([`sqlite`], feature `sqlite`) or in
/// PostgreSQL ([`postgres`], feature `postgres`). The three behave the same: the durable ones
/// load the rows an operation needs, run the very code of the in-memory one over them, and write
/// back what it changed in one transaction. See the [module documentation](self) for its records
/// and how it honours each right.
///
// A constructor's link where the build has it, else to this type: no broken link in any build.
#[cfg_attr(feature = "sqlite", doc = "[`sqlite`]: Self::sqlite")]
#[cfg_attr(not(feature = "sqlite"), doc = "[`sqlite`]: Self")]
#[cfg_attr(feature = "postgres", doc = "[`postgres`]: Self::postgres")]
#[cfg_attr(not(feature = "postgres"), doc = "[`postgres`]: Self")]
pub struct ChatHistory {
    name: SourceName,
    key: PseudonymKey,
    clock: Arc<dyn Clock>,
    /// The retention policies the processing queries apply, per scope (Art. 5(1)(e)):
    /// configuration of this handle, not stored data.
    policies: Mutex<HashMap<Scope, Vec<RetentionPolicy>>>,
    backend: Backend,
    /// How many conversations or visitors a database backend reads at a time in paged reads.
    page: NonZeroUsize,
}

/// How many conversations (or visitors) a durable [`ChatHistory`] reads at a time by default
/// when it exports a subject's data or lists what has expired.
pub const DEFAULT_PAGE: NonZeroUsize = NonZeroUsize::new(64).unwrap();

/// Where the chat lives.
enum Backend {
    Memory(Mutex<Data>),
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    Sql(sql::Engine),
}

impl fmt::Debug for ChatHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match &self.backend {
            Backend::Memory(_) => "memory",
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => engine.name(),
        };
        f.debug_struct("ChatHistory").field("name", &self.name).field("backend", &backend).finish_non_exhaustive()
    }
}

impl Default for ChatHistory {
    fn default() -> Self {
        Self::new()
    }
}

impl ChatHistory {
    /// An empty chat history in memory with a pseudonym key of its own, for the keyed hashes it
    /// keeps of erased visitors' identifiers.
    #[must_use]
    pub fn new() -> Self {
        use std::hash::{BuildHasher, RandomState};
        // Fresh UUIDs (random in their low bits) and the process's random hasher seed: enough
        // for an in-memory source whose hashes die with it. Durable sources take a managed key.
        let mut secret = Vec::with_capacity(64);
        for i in 0..4u8 {
            secret.extend_from_slice(Uuid::now_v7().as_bytes());
            secret.extend_from_slice(&RandomState::new().hash_one(i).to_le_bytes());
        }
        let key = PseudonymKey::new(&secret).unwrap_or_else(|_| unreachable!("the secret has 96 bytes"));
        Self::with_key(key)
    }

    /// An empty chat history in memory that keeps erased visitors' identifiers as hashes keyed
    /// with `key`.
    #[must_use]
    pub fn with_key(key: PseudonymKey) -> Self {
        Self::on(Backend::Memory(Mutex::new(Data::default())), key)
    }

    /// The chat history kept in the SQLite database of `store` (its tables `gdpr_chat_*`, or
    /// under the store's table prefix), keeping erased visitors' identifiers as hashes keyed
    /// with `key`. Use the same key every time the database is opened: an erasure is recognised
    /// again only under the key it was made with (Art. 17, after a restore).
    ///
    /// The chat tables are part of the schema only for an application that uses the reference
    /// chat history: this creates them, or brings them up to date, when the store applies its
    /// migrations ([`Migrations::Apply`](crate::store::Migrations::Apply)); a store that only
    /// verifies its schema checks that they are current.
    ///
    /// Each call of the [`PersonalDataSource`] methods and of the product API is one
    /// transaction: an erasure is applied completely or not at all. Writes are ordered one
    /// after the other (SQLite has one writer); reads run beside them. Once an erasure, a
    /// record erasure or a rectification commits, the write-ahead log is checkpointed and
    /// truncated ([`SqliteStore::truncate_wal`](super::sqlite::SqliteStore::truncate_wal)), so
    /// that what it removed is gone from the files when the call returns (Art. 17); when
    /// readers keep the log busy for ten seconds, the call returns that retryable error
    /// instead, the change committed all the same.
    ///
    /// # Example
    /// ```
    /// use chrono::Utc;
    /// use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Token};
    /// use gdpr_obligations::store::chat::ChatHistory;
    /// use gdpr_obligations::store::sqlite::SqliteStore;
    /// use gdpr_obligations::store::{PersonalDataSource, PseudonymKey, Scope};
    /// use gdpr_obligations::erasure::{ErasurePolicy};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// let store = SqliteStore::open_in_memory().await?;
    /// let chat = ChatHistory::sqlite(&store, PseudonymKey::new(b"a managed secret of 32 bytes!!!!")?).await?;
    /// let acme = Scope::of(PartyId::generate());
    /// let eva = chat.add_visitor(acme, Token::new("tok-eva")?, Utc::now()).await?;
    /// let email = SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?);
    /// chat.add_identifier(acme, eva, email.clone(), Utc::now()).await?;
    /// assert_eq!(chat.find(acme, &[email.clone()]).await?.len(), 1);
    /// chat.erase(acme, &[email.clone()], &ErasurePolicy::default()).await?;
    /// assert!(chat.find(acme, &[email]).await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the chat tables cannot be applied or (for a store that only
    /// verifies its schema) are not current; [`StoreError::Backend`] when SQLite fails.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite(store: &super::sqlite::SqliteStore, key: PseudonymKey) -> Result<Self, StoreError> {
        Ok(Self::on(Backend::Sql(sql::Engine::sqlite(store).await?), key))
    }

    /// The chat history kept in the PostgreSQL database of `store` (its tables `gdpr_chat_*`,
    /// in the store's schema, keyed by controller first), keeping erased visitors' identifiers
    /// as hashes keyed with `key` (use the same key every time). As with
    /// [`sqlite`](Self::sqlite), the chat tables are applied (or verified) here, when the
    /// application uses the chat history, not when the store is opened.
    ///
    /// Each call is one transaction, so an erasure is applied completely or not at all; writes
    /// in one controller's scope are ordered one after the other (a transaction-level advisory
    /// lock per controller), writes in different scopes run in parallel, and reads run in a
    /// consistent snapshot.
    ///
    /// # Example
    /// ```no_run
    /// use gdpr_obligations::store::chat::ChatHistory;
    /// use gdpr_obligations::store::postgres::PostgresStore;
    /// use gdpr_obligations::store::PseudonymKey;
    ///
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = PostgresStore::connect("postgres://gdpr@127.0.0.1:5432/gdpr").await?;
    /// let chat = ChatHistory::postgres(&store, PseudonymKey::new(b"a managed secret of 32 bytes!!!!")?).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Schema`] when the chat tables cannot be applied or (for a store that only
    /// verifies its schema) are not current; [`StoreError::Backend`] when the server fails.
    #[cfg(feature = "postgres")]
    pub async fn postgres(store: &super::postgres::PostgresStore, key: PseudonymKey) -> Result<Self, StoreError> {
        Ok(Self::on(Backend::Sql(sql::Engine::postgres(store).await?), key))
    }

    fn on(backend: Backend, key: PseudonymKey) -> Self {
        let name = SourceName::new("chat_history").unwrap_or_else(|_| unreachable!("a valid source name"));
        let policies = Mutex::new(HashMap::new());
        Self { name, key, clock: Arc::new(SystemClock), policies, backend, page: DEFAULT_PAGE }
    }

    /// The same chat history reading `conversations` conversations at a time (and as many
    /// visitors) where a database backend reads page by page: the Art. 20 export of a subject
    /// and the sweep's listing of what has expired (Art. 5(1)(e)). The default,
    /// [`DEFAULT_PAGE`], keeps an export of a subject with a million messages under 64 MiB;
    /// the in-memory backend has everything at hand and ignores it.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use gdpr_obligations::store::chat::ChatHistory;
    ///
    /// let chat = ChatHistory::new().with_page_size(NonZeroUsize::new(16).ok_or("zero")?);
    /// # Ok::<(), &str>(())
    /// ```
    #[must_use = "the setting is lost unless the returned chat history is used"]
    pub fn with_page_size(mut self, conversations: NonZeroUsize) -> Self {
        self.page = conversations;
        self
    }

    /// The same chat history reading the time from `clock`: its processing queries leave out
    /// what has expired by then (Art. 5(1)(e)). The default is the [`SystemClock`].
    #[must_use = "the setting is lost unless the returned chat history is used"]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the retention policies of `scope` that the processing queries apply
    /// ([`transcript`](Self::transcript), [`conversations`](Self::conversations),
    /// [`profile`](Self::profile)): from the moment a record expires under them, they leave it
    /// out, even before a sweep erases it (Art. 5(1)(e)). None by default: nothing expires.
    /// The sweep passes its policies to [`expired`](crate::store::RetentionSource::expired) itself. The
    /// policies are this handle's configuration, for every backend: they are not stored.
    pub fn set_retention(&self, scope: Scope, policies: Vec<RetentionPolicy>) {
        self.policies.lock().unwrap_or_else(PoisonError::into_inner).insert(scope, policies);
    }

    fn policies(&self, scope: Scope) -> Vec<RetentionPolicy> {
        self.policies.lock().unwrap_or_else(PoisonError::into_inner).get(&scope).cloned().unwrap_or_default()
    }

    /// Runs `f` over what `need` names of `scope` (everything, in memory), with the last
    /// contacts of the visitors whose conversations were not all loaded.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(unused_variables, reason = "`need` tells a database what to load; memory has it all")
    )]
    async fn read<T: Send>(
        &self,
        scope: Scope,
        need: Need<'_>,
        f: impl FnOnce(&ScopeData, &Contacts) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Memory(data) => {
                // Every write checks first and then changes the maps, so a panic while the lock
                // is held leaves no half-applied change of ours: a poisoned lock is safe to reuse.
                let data = data.lock().unwrap_or_else(PoisonError::into_inner);
                let empty = ScopeData::default();
                f(data.scopes.get(&scope).unwrap_or(&empty), &Contacts::new())
            }
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => engine.read(scope, need, f).await,
        }
    }

    /// Runs `f` over what `need` names of `scope`, and keeps what it changed: in one transaction
    /// in a database, nothing of it when `f` fails.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(unused_variables, reason = "`need` tells a database what to load; memory has it all")
    )]
    async fn write<T: Send>(
        &self,
        scope: Scope,
        need: Need<'_>,
        f: impl FnOnce(&mut ScopeData) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Memory(data) => {
                let mut data = data.lock().unwrap_or_else(PoisonError::into_inner);
                f(data.scopes.entry(scope).or_default())
            }
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => engine.write(scope, need, f).await,
        }
    }

    /// [`write`](Self::write) for a call that removes personal data (an erasure, a record
    /// erasure, a rectification): once it is committed, a database removes it from its files
    /// too where it can at once (SQLite: its write-ahead log is checkpointed and truncated,
    /// Art. 17). An error after the commit says so: the change stands, the files may still
    /// hold what it removed.
    async fn write_removing<T: Send>(
        &self,
        scope: Scope,
        need: Need<'_>,
        f: impl FnOnce(&mut ScopeData) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let out = self.write(scope, need, f).await?;
        #[cfg(any(feature = "sqlite", feature = "postgres"))]
        if let Backend::Sql(engine) = &self.backend {
            engine.purge().await?;
        }
        Ok(out)
    }

    /// Adds a visitor known by the token the chat widget stored in their browser.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when a visitor of this scope already has the token;
    /// [`StoreError::Backend`] when the database fails.
    pub async fn add_visitor(&self, scope: Scope, token: Token, at: DateTime<Utc>) -> Result<VisitorId, StoreError> {
        let identifier = SubjectIdentifier::ChatVisitorToken(token);
        let given = std::slice::from_ref(&identifier);
        self.write(scope, Need::Holders(given), |sd| sd.add_visitor(identifier.clone(), at)).await
    }

    /// Adds an identifier the visitor gave (an e-mail, a name, a phone number) or an IP address
    /// they came from; returns whether it was new.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the visitor has no profile in this scope (unknown or
    /// erased); [`StoreError::Backend`] when the database fails.
    pub async fn add_identifier(
        &self,
        scope: Scope,
        visitor: VisitorId,
        identifier: SubjectIdentifier,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.write(scope, Need::Visitors(vec![visitor]), |sd| sd.add_identifier(visitor, identifier, at)).await
    }

    /// Starts a conversation with a visitor.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the visitor has no profile in this scope;
    /// [`StoreError::Backend`] when the database fails.
    pub async fn start_conversation(
        &self,
        scope: Scope,
        visitor: VisitorId,
        at: DateTime<Utc>,
    ) -> Result<ConversationId, StoreError> {
        self.write(scope, Need::Visitors(vec![visitor]), |sd| sd.start_conversation(visitor, at)).await
    }

    /// Adds another visitor to a conversation (a shared or transferred chat); returns whether
    /// they were new to it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the conversation or the visitor's profile is not in this
    /// scope; [`StoreError::Backend`] when the database fails.
    pub async fn join_conversation(
        &self,
        scope: Scope,
        conversation: ConversationId,
        visitor: VisitorId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let need = Need::Header(conversation, Some(visitor));
        self.write(scope, need, |sd| sd.join_conversation(conversation, visitor, at)).await
    }

    /// Posts a message.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the conversation is not in this scope;
    /// [`StoreError::Invalid`] when a visitor posts to a conversation they do not take part in;
    /// [`StoreError::Backend`] when the database fails.
    pub async fn post(
        &self,
        scope: Scope,
        conversation: ConversationId,
        from: Sender,
        text: Text,
        attachments: Vec<Attachment>,
        at: DateTime<Utc>,
    ) -> Result<MessageId, StoreError> {
        let need = Need::Header(conversation, None);
        self.write(scope, need, |sd| sd.post(conversation, from, text, attachments, at)).await
    }

    /// The messages of a conversation in the order sent, for the product's processing: the
    /// messages of restricted visitors, and the replies in conversations with them, are left
    /// out (Art. 18(2)), and so are expired messages (Art. 5(1)(e)).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the conversation is not in this scope;
    /// [`StoreError::Backend`] when the database fails.
    pub async fn transcript(&self, scope: Scope, conversation: ConversationId) -> Result<Vec<Message>, StoreError> {
        let (policies, now) = (self.policies(scope), self.clock.now());
        let need = Need::Conversation(conversation);
        self.read(scope, need, |sd, contacts| sd.transcript(conversation, &sd.expiry(&policies, now, contacts))).await
    }

    /// The conversations of this scope, for the product's processing: restricted visitors and
    /// expired participations are left out of each, and conversations whose every visitor is
    /// left out are left out (Art. 18(2), 5(1)(e)); the count leaves out the messages
    /// [`transcript`](Self::transcript) leaves out. It reads the whole scope in one snapshot:
    /// a product listing a large scope reads it with
    /// [`conversation_page`](Self::conversation_page) instead.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database fails.
    pub async fn conversations(&self, scope: Scope) -> Result<Vec<ConversationSummary>, StoreError> {
        let (policies, now) = (self.policies(scope), self.clock.now());
        self.read(scope, Need::Scope, |sd, contacts| {
            Ok(sd.conversation_summaries(None, usize::MAX, &sd.expiry(&policies, now, contacts)).0)
        })
        .await
    }

    /// A page of the conversations of this scope, in id order, after `after` (from the first
    /// when `None`): the next `limit` conversations, summarised and left out as
    /// [`conversations`](Self::conversations) does (Art. 18(2), 5(1)(e)), so a page may hold
    /// fewer than `limit`. A database reads only the page's conversations, so the cost of a
    /// page follows `limit`, not the size of the scope. Pass the page's
    /// [`next`](ConversationPage::next) as `after` for the page after it; pages read one after
    /// another list what [`conversations`](Self::conversations) lists when nothing changes
    /// between them.
    ///
    /// # Example
    /// ```
    /// use std::num::NonZeroUsize;
    /// use chrono::{DateTime, Utc};
    /// use gdpr_obligations::model::{PartyId, Token};
    /// use gdpr_obligations::store::Scope;
    /// use gdpr_obligations::store::chat::ChatHistory;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
    /// let chat = ChatHistory::new();
    /// let acme = Scope::of(PartyId::generate());
    /// let at: DateTime<Utc> = "2026-03-02T10:00:00Z".parse()?;
    /// let eva = chat.add_visitor(acme, Token::new("tok-eva")?, at).await?;
    /// for _ in 0..3 {
    ///     chat.start_conversation(acme, eva, at).await?;
    /// }
    /// let two = NonZeroUsize::new(2).ok_or("zero")?;
    /// let first = chat.conversation_page(acme, None, two).await?;
    /// assert_eq!(first.conversations.len(), 2);
    /// let second = chat.conversation_page(acme, first.next, two).await?;
    /// assert_eq!(second.conversations.len(), 1);
    /// assert_eq!(second.next, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database fails.
    pub async fn conversation_page(
        &self,
        scope: Scope,
        after: Option<ConversationId>,
        limit: NonZeroUsize,
    ) -> Result<ConversationPage, StoreError> {
        let (policies, now) = (self.policies(scope), self.clock.now());
        self.read(scope, Need::ConversationsAfter(after, limit), |sd, contacts| {
            let (conversations, next) =
                sd.conversation_summaries(after, limit.get(), &sd.expiry(&policies, now, contacts));
            Ok(ConversationPage { conversations, next })
        })
        .await
    }

    /// A visitor's profile, for the product's processing: `None` when the visitor is unknown in
    /// this scope, erased, restricted (Art. 18(2)) or the profile expired (Art. 5(1)(e));
    /// expired IP addresses are left out.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the database fails.
    pub async fn profile(&self, scope: Scope, visitor: VisitorId) -> Result<Option<VisitorProfile>, StoreError> {
        let (policies, now) = (self.policies(scope), self.clock.now());
        let need = Need::Visitors(vec![visitor]);
        self.read(scope, need, |sd, contacts| Ok(sd.profile(visitor, &sd.expiry(&policies, now, contacts)))).await
    }
}

#[cfg(all(feature = "testkit", any(feature = "sqlite", feature = "postgres")))]
impl ChatHistory {
    /// Moves everything `from` (in memory) holds of `scope` into this chat history (in a
    /// database, which must not hold any of it yet), in one transaction, writing the very rows
    /// the product API would have written: the testkit's bulk load
    /// ([`testkit::generate`](crate::testkit::generate)). `from` is left empty for `scope`.
    pub(crate) async fn move_scope_from(&self, from: &ChatHistory, scope: Scope) -> Result<(), StoreError> {
        let Backend::Memory(data) = &from.backend else {
            return Err(StoreError::Invalid {
                what: "chat history to move from".to_owned(),
                reason: "it is not in memory".to_owned(),
            });
        };
        let sd = data.lock().unwrap_or_else(PoisonError::into_inner).scopes.remove(&scope).unwrap_or_default();
        match &self.backend {
            Backend::Sql(engine) => engine.insert(scope, &sd).await,
            Backend::Memory(_) => Err(StoreError::Invalid {
                what: "chat history to move into".to_owned(),
                reason: "it is not in a database".to_owned(),
            }),
        }
    }
}

/// What an operation reads of a scope. The in-memory backend has it all at hand; a database
/// loads just these rows (and what the reference code reads around them), so that the cost
/// follows the data named, not the size of the history.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    expect(dead_code, reason = "only the database backends use it")
)]
pub(super) enum Need<'a> {
    /// The visitors a strong identifier matches in clear, or a keyed hash matches after an
    /// erasure, with their conversations, whatever those mention, and the scope's agents.
    Subject(&'a [SubjectIdentifier], &'a [SubjectKey]),
    /// The visitors a strong identifier matches in clear, alone.
    Holders(&'a [SubjectIdentifier]),
    /// The records named, with their conversations.
    Records(&'a [RecordKey]),
    /// These visitors.
    Visitors(Vec<VisitorId>),
    /// A conversation with its messages and the visitors it involves.
    Conversation(ConversationId),
    /// A conversation without its messages, and optionally a visitor.
    Header(ConversationId, Option<VisitorId>),
    /// At most this many conversations after one (from the first when `None`), in id order,
    /// with their messages and the visitors they involve.
    ConversationsAfter(Option<ConversationId>, NonZeroUsize),
    /// The whole scope.
    Scope,
}

/// The last contacts of visitors in conversations that were not loaded: a database backend
/// reads them from the conversations' headers; in memory there are none.
pub(super) type Contacts = HashMap<VisitorId, DateTime<Utc>>;

impl ChatHistory {
    fn subject_key(&self, scope: Scope, identifier: &SubjectIdentifier) -> SubjectKey {
        SubjectKey::derive(&self.key, scope, identifier)
    }
}
