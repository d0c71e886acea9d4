//! [`Loader`]: the rows an operation needs, and those the in-memory code reads around them,
//! read into a partial [`ScopeData`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::diff::{Header, decode};
use super::tx::{Ids, Table, Tx, id_after};
use super::{BY_IDENTIFIER, BY_KEY, BY_WORD};
use crate::model::{SubjectIdentifier, Text};
use crate::store::chat::records::Rec;
use crate::store::chat::redact::index_keys;
use crate::store::chat::{
    Author, Contacts, Conversation, ConversationId, MessageId, Need, ScopeData, StoredMessage, Visitor, VisitorId,
};
use crate::store::{Scope, StoreError, SubjectKey};

/// A partial [`ScopeData`] and what was already asked for.
pub(super) struct Loader {
    scope: Uuid,
    what: String,
    pub(super) sd: ScopeData,
    visitors: BTreeSet<VisitorId>,
    conversations: BTreeSet<ConversationId>,
    /// Whether the scope's agents were read.
    agents: bool,
}

impl Loader {
    pub(super) fn new(scope: Scope) -> Self {
        Loader {
            scope: scope.controller().as_uuid(),
            what: format!("chat history of {scope}"),
            sd: ScopeData::default(),
            visitors: BTreeSet::new(),
            conversations: BTreeSet::new(),
            agents: false,
        }
    }

    pub(super) async fn need(&mut self, tx: &mut dyn Tx, need: Need<'_>) -> Result<(), StoreError> {
        match need {
            Need::Holders(given) => {
                let norms = strong_norms(given);
                let ids = tx.lookup(self.scope, BY_IDENTIFIER, &norms).await?;
                self.visitors(tx, Ids::These(&ids)).await
            }
            Need::Subject(given, keys) => {
                let (ids, conversations) = self.subject(tx, given, keys).await?;
                self.around(tx, &ids, &conversations).await
            }
            Need::Records(keys) => {
                let (mut visitors, mut conversations) = (Vec::new(), Vec::new());
                for rec in keys.iter().filter_map(|k| Rec::parse(k.as_str())) {
                    match rec {
                        Rec::Profile(v) | Rec::Ip(v, _) => visitors.push(v.as_uuid()),
                        Rec::Participation(c, v) => {
                            visitors.push(v.as_uuid());
                            conversations.push(c.as_uuid());
                        }
                        Rec::Message(c, _) => conversations.push(c.as_uuid()),
                    }
                }
                self.visitors(tx, Ids::These(&visitors)).await?;
                self.conversations(tx, &conversations).await
            }
            Need::Visitors(ids) => {
                let ids: Vec<Uuid> = ids.iter().map(VisitorId::as_uuid).collect();
                self.visitors(tx, Ids::These(&ids)).await
            }
            Need::Conversation(c) => self.conversations(tx, &[c.as_uuid()]).await,
            Need::ConversationsAfter(after, limit) => {
                let from = match after.map(|c| id_after(c.as_uuid())) {
                    None => Uuid::nil(),
                    Some(Some(next)) => next,
                    // After the greatest id there is none.
                    Some(None) => return Ok(()),
                };
                let ids = tx.ids_from(self.scope, Table::Conversations, from, limit.get()).await?;
                self.conversations(tx, &ids).await
            }
            Need::Header(c, visitor) => {
                if let Some(v) = visitor {
                    self.visitors(tx, Ids::These(&[v.as_uuid()])).await?;
                }
                self.header(tx, c).await
            }
            Need::Scope => {
                self.visitors(tx, Ids::All).await?;
                let all: Vec<Uuid> =
                    tx.conversations(self.scope, Ids::All).await?.into_iter().map(|(id, _)| id).collect();
                self.conversations(tx, &all).await
            }
        }
    }

    /// Loads the visitors a strong identifier of `given` matches in clear (a weak one selects
    /// nobody, Art. 11(2)), or any of `keys` after an erasure, and returns their ids and those of their conversations (by participation, by
    /// authorship, or by a record an erasure retained), in order, without loading these.
    pub(super) async fn subject(
        &mut self,
        tx: &mut dyn Tx,
        given: &[SubjectIdentifier],
        keys: &[SubjectKey],
    ) -> Result<(Vec<Uuid>, Vec<Uuid>), StoreError> {
        let norms = strong_norms(given);
        let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
        let ids = tx.lookup_either(self.scope, (BY_IDENTIFIER, &norms), (BY_KEY, &keys)).await?;
        self.visitors(tx, Ids::These(&ids)).await?;
        let mut conversations: BTreeSet<Uuid> = tx.conversations_of(self.scope, &ids).await?.into_iter().collect();
        for id in &ids {
            let Some(v) = self.sd.visitors.get(&VisitorId::from_uuid(*id)) else { continue };
            for rec in v.erased.iter().flat_map(|t| t.retained.values()) {
                if let Rec::Participation(c, _) | Rec::Message(c, _) = rec {
                    conversations.insert(c.as_uuid());
                }
            }
        }
        Ok((ids, conversations.into_iter().collect()))
    }

    /// Loads the subject's visitors `ids`, the `conversations` named, every other visitor one
    /// of whose identifiers may occur in their texts or in the subject's statements, and the
    /// names of the scope's agents, which an export redacts wherever they occur (Art. 15(4)).
    pub(super) async fn around(
        &mut self,
        tx: &mut dyn Tx,
        ids: &[Uuid],
        conversations: &[Uuid],
    ) -> Result<(), StoreError> {
        self.visitors(tx, Ids::These(ids)).await?;
        let mut texts: BTreeSet<String> = BTreeSet::new();
        for id in ids {
            let Some(v) = self.sd.visitors.get(&VisitorId::from_uuid(*id)) else { continue };
            for s in v.profile.iter().flat_map(|p| &p.statements) {
                texts.extend(index_keys(s.as_str()));
            }
        }
        self.conversations(tx, conversations).await?;
        for c in conversations.iter().filter_map(|c| self.sd.conversations.get(&ConversationId::from_uuid(*c))) {
            for m in c.messages.values() {
                m.texts().for_each(|t| texts.extend(index_keys(t)));
            }
        }
        let texts: Vec<String> = texts.into_iter().collect();
        let mentioned = tx.lookup(self.scope, BY_WORD, &texts).await?;
        self.visitors(tx, Ids::These(&mentioned)).await?;
        self.agents(tx).await
    }

    /// Loads the names of the scope's agents, once.
    async fn agents(&mut self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        if std::mem::replace(&mut self.agents, true) {
            return Ok(());
        }
        for name in tx.agents(self.scope).await? {
            let name = Text::new(&name)
                .map_err(|e| StoreError::corrupt(format!("an agent's name in the {}", self.what), e))?;
            self.sd.agents.insert(name);
        }
        Ok(())
    }

    /// Loads visitors not asked for yet.
    pub(super) async fn visitors(&mut self, tx: &mut dyn Tx, ids: Ids<'_>) -> Result<(), StoreError> {
        let fresh: Vec<Uuid>;
        let ids = match ids {
            Ids::All => Ids::All,
            Ids::These(ids) => {
                fresh = ids.iter().copied().filter(|id| self.visitors.insert(VisitorId::from_uuid(*id))).collect();
                if fresh.is_empty() {
                    return Ok(());
                }
                Ids::These(&fresh)
            }
        };
        for (id, body) in tx.visitors(self.scope, ids).await? {
            let id = VisitorId::from_uuid(id);
            self.visitors.insert(id);
            let visitor: Visitor = decode(&self.what, &format!("visitor {id}"), &body)?;
            self.sd.visitors.insert(id, visitor);
        }
        Ok(())
    }

    /// Loads conversations not asked for yet, with their participants and messages, and the
    /// visitors the in-memory code reads about them: participants, authors, and those whose
    /// erasure retained one of their messages (for restriction, Art. 18(2)).
    pub(super) async fn conversations(&mut self, tx: &mut dyn Tx, ids: &[Uuid]) -> Result<(), StoreError> {
        let fresh: Vec<Uuid> =
            ids.iter().copied().filter(|id| self.conversations.insert(ConversationId::from_uuid(*id))).collect();
        if fresh.is_empty() {
            return Ok(());
        }
        let rows = tx.conversation_rows(self.scope, &fresh).await?;
        let mut loaded = BTreeMap::new();
        for (id, body) in rows.headers {
            let id = ConversationId::from_uuid(id);
            let header: Header = decode(&self.what, &format!("conversation {id}"), &body)?;
            let c = Conversation {
                started_at: header.started_at,
                participants: BTreeMap::new(),
                messages: BTreeMap::new(),
                floor: None,
            };
            loaded.insert(id, c);
        }
        let mut involved: BTreeSet<Uuid> = BTreeSet::new();
        for (c, v, at) in rows.participants {
            let (c, v) = (ConversationId::from_uuid(c), VisitorId::from_uuid(v));
            let at: DateTime<Utc> = decode(&self.what, &format!("participant {v} of conversation {c}"), &at)?;
            if let Some(conversation) = loaded.get_mut(&c) {
                conversation.participants.insert(v, at);
                involved.insert(v.as_uuid());
            }
        }
        for (c, m, body) in rows.messages {
            let (c, m) = (ConversationId::from_uuid(c), MessageId::from_uuid(m));
            let message: StoredMessage = decode(&self.what, &format!("message {m}"), &body)?;
            if let Author::Visitor(v) = message.author {
                involved.insert(v.as_uuid());
            }
            if let Some(conversation) = loaded.get_mut(&c) {
                conversation.messages.insert(m, message);
            }
        }
        self.sd.conversations.extend(loaded);
        involved.extend(rows.retained);
        let involved: Vec<Uuid> = involved.into_iter().collect();
        self.visitors(tx, Ids::These(&involved)).await
    }

    /// Loads a conversation's header and participants, without its messages.
    async fn header(&mut self, tx: &mut dyn Tx, c: ConversationId) -> Result<(), StoreError> {
        let ids = [c.as_uuid()];
        let Some((_, body)) = tx.conversations(self.scope, Ids::These(&ids)).await?.into_iter().next() else {
            return Ok(());
        };
        let header: Header = decode(&self.what, &format!("conversation {c}"), &body)?;
        let mut participants = BTreeMap::new();
        for (_, v, at) in tx.participants(self.scope, Ids::These(&ids)).await? {
            let v = VisitorId::from_uuid(v);
            participants.insert(v, decode(&self.what, &format!("participant {v} of conversation {c}"), &at)?);
        }
        let conversation = Conversation {
            started_at: header.started_at,
            participants,
            messages: BTreeMap::new(),
            floor: Some(header.last_at),
        };
        self.sd.conversations.insert(c, conversation);
        Ok(())
    }
}

/// The normalised forms of the strong identifiers of `given`, by which the lookup rows find
/// visitors: a name or an IP address selects nobody (Art. 11(2), 12(6)).
fn strong_norms(given: &[SubjectIdentifier]) -> Vec<String> {
    given.iter().filter(|i| i.is_strong()).map(SubjectIdentifier::normalised).collect()
}

/// The last contact of each visitor in any of their conversations, from the conversations'
/// headers (Art. 5(1)(e) periods that run from the last contact).
pub(super) async fn contacts(tx: &mut dyn Tx, scope: Scope, visitors: &[VisitorId]) -> Result<Contacts, StoreError> {
    let what = format!("chat history of {scope}");
    let ids: Vec<Uuid> = visitors.iter().map(VisitorId::as_uuid).collect();
    let mut out: Contacts = HashMap::new();
    for (v, body) in tx.participations(scope.controller().as_uuid(), &ids).await? {
        let v = VisitorId::from_uuid(v);
        let header: Header = decode(&what, &format!("a conversation of visitor {v}"), &body)?;
        out.entry(v).and_modify(|at| *at = (*at).max(header.last_at)).or_insert(header.last_at);
    }
    Ok(out)
}
