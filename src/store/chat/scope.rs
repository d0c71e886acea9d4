//! The in-memory model of one controller's chat ([`ScopeData`]: visitors, their profiles and
//! tombstones, conversations and stored messages) and the product's writes and processing
//! queries over it, the very code every backend runs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::types::{
    Attachment, Author, ConversationId, ConversationSummary, Message, MessageId, Sender, VisitorId, VisitorProfile,
};
use super::{expiry, records};
use crate::erasure::RecordKey;
use crate::model::{SubjectIdentifier, Text};
use crate::store::{Scope, StoreError, SubjectKey};

pub(super) fn not_found_visitor(visitor: VisitorId) -> StoreError {
    StoreError::NotFound { what: format!("visitor {visitor}") }
}

pub(super) fn not_found_conversation(conversation: ConversationId) -> StoreError {
    StoreError::NotFound { what: format!("conversation {conversation}") }
}

#[derive(Default)]
pub(super) struct Data {
    pub(super) scopes: HashMap<Scope, ScopeData>,
}

/// One controller's chat: nothing in it refers to another scope's data (invariant 6). A
/// database backend loads a part of it for each operation.
#[derive(Default, Clone, PartialEq)]
pub(super) struct ScopeData {
    pub(super) visitors: BTreeMap<VisitorId, Visitor>,
    pub(super) conversations: BTreeMap<ConversationId, Conversation>,
    /// The name of every agent who ever wrote in this scope, kept apart from the messages so
    /// that an export redacts each of them wherever named, in any conversation (Art. 15(4)).
    /// A database loads it for exports only; writes add to it.
    pub(super) agents: BTreeSet<Text>,
    /// In memory, the receipt of each retention sweep's last batch: its cursor and outcomes
    /// (a database keeps them in a table of their own).
    pub(super) sweeps: BTreeMap<uuid::Uuid, (String, Vec<crate::erasure::RecordOutcome>)>,
}

impl ScopeData {
    pub(super) fn live_visitor_mut(&mut self, visitor: VisitorId) -> Result<&mut Visitor, StoreError> {
        self.visitors.get_mut(&visitor).filter(|v| v.profile.is_some()).ok_or_else(|| not_found_visitor(visitor))
    }

    pub(super) fn conversation_mut(&mut self, conversation: ConversationId) -> Result<&mut Conversation, StoreError> {
        self.conversations.get_mut(&conversation).ok_or_else(|| not_found_conversation(conversation))
    }

    pub(super) fn visitor_restricted(&self, visitor: VisitorId) -> bool {
        self.visitors.get(&visitor).is_some_and(|v| v.restricted)
    }

    /// Whether processing may not use a message (Art. 18(2)): a restricted visitor's own, or a
    /// reply in a conversation with a restricted visitor or kept (Art. 17(3)) for one.
    pub(super) fn message_restricted(
        &self,
        cid: ConversationId,
        c: &Conversation,
        mid: MessageId,
        m: &StoredMessage,
    ) -> bool {
        match &m.author {
            Author::Visitor(visitor) => self.visitor_restricted(*visitor),
            Author::Pseudonym(_) => false,
            Author::Agent(_) | Author::Bot => {
                c.participants.keys().any(|v| self.visitor_restricted(*v)) || {
                    let key = records::Rec::Message(cid, mid).key();
                    self.visitors
                        .values()
                        .any(|v| v.restricted && v.erased.as_ref().is_some_and(|t| t.retained.contains_key(&key)))
                }
            }
        }
    }

    pub(super) fn add_visitor(
        &mut self,
        identifier: SubjectIdentifier,
        at: DateTime<Utc>,
    ) -> Result<VisitorId, StoreError> {
        let taken = self.visitors.values().any(|v| v.profile.as_ref().is_some_and(|p| p.holds(&identifier)));
        if taken {
            return Err(StoreError::Duplicate { what: "visitor token".to_owned() });
        }
        let id = VisitorId::generate();
        let profile = Profile { created_at: at, identifiers: vec![identifier], statements: Vec::new() };
        self.visitors.insert(id, Visitor::new(profile));
        Ok(id)
    }

    pub(super) fn add_identifier(
        &mut self,
        visitor: VisitorId,
        identifier: SubjectIdentifier,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let v = self.live_visitor_mut(visitor)?;
        if let SubjectIdentifier::IpAddress(ip) = identifier {
            if v.ips.values().any(|s| s.ip.to_canonical() == ip.to_canonical()) {
                return Ok(false);
            }
            v.next_ip += 1;
            v.ips.insert(v.next_ip, IpSeen { ip, seen_at: at });
            return Ok(true);
        }
        let Some(profile) = v.profile.as_mut() else { return Err(not_found_visitor(visitor)) };
        if profile.holds(&identifier) {
            return Ok(false);
        }
        profile.identifiers.push(identifier);
        Ok(true)
    }

    pub(super) fn start_conversation(
        &mut self,
        visitor: VisitorId,
        at: DateTime<Utc>,
    ) -> Result<ConversationId, StoreError> {
        self.live_visitor_mut(visitor)?;
        let id = ConversationId::generate();
        let mut participants = BTreeMap::new();
        participants.insert(visitor, at);
        let conversation = Conversation { started_at: at, participants, messages: BTreeMap::new(), floor: None };
        self.conversations.insert(id, conversation);
        Ok(id)
    }

    pub(super) fn join_conversation(
        &mut self,
        conversation: ConversationId,
        visitor: VisitorId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.live_visitor_mut(visitor)?;
        let c = self.conversation_mut(conversation)?;
        if c.participants.contains_key(&visitor) {
            return Ok(false);
        }
        c.participants.insert(visitor, at);
        Ok(true)
    }

    pub(super) fn post(
        &mut self,
        conversation: ConversationId,
        from: Sender,
        text: Text,
        attachments: Vec<Attachment>,
        at: DateTime<Utc>,
    ) -> Result<MessageId, StoreError> {
        let Some(c) = self.conversations.get_mut(&conversation) else {
            return Err(not_found_conversation(conversation));
        };
        if let Sender::Visitor(visitor) = &from
            && !c.participants.contains_key(visitor)
        {
            return Err(StoreError::Invalid {
                what: format!("message to conversation {conversation}"),
                reason: format!("visitor {visitor} does not take part in it"),
            });
        }
        if let Sender::Agent(name) = &from
            && !self.agents.contains(name)
        {
            self.agents.insert(name.clone());
        }
        let id = MessageId::generate();
        let message = StoredMessage {
            author: from.into(),
            sent_at: at,
            text: text.as_str().to_owned(),
            attachments,
            anonymised: false,
        };
        c.messages.insert(id, message);
        Ok(id)
    }

    pub(super) fn transcript(
        &self,
        conversation: ConversationId,
        expiry: &expiry::Expiry<'_>,
    ) -> Result<Vec<Message>, StoreError> {
        let c = self.conversations.get(&conversation).ok_or_else(|| not_found_conversation(conversation))?;
        let mut out: Vec<Message> = c
            .messages
            .iter()
            .filter(|(id, m)| !self.message_restricted(conversation, c, **id, m))
            .filter(|(id, _)| !expiry.expired(records::Rec::Message(conversation, **id)))
            .map(|(id, m)| m.to_message(conversation, *id))
            .collect();
        out.sort_by_key(|m| (m.sent_at, m.id));
        Ok(out)
    }

    /// The summaries of at most `limit` conversations after `after`, in id order, and the last
    /// of them when `limit` were read (more may follow).
    pub(super) fn conversation_summaries(
        &self,
        after: Option<ConversationId>,
        limit: usize,
        expiry: &expiry::Expiry<'_>,
    ) -> (Vec<ConversationSummary>, Option<ConversationId>) {
        use std::ops::Bound::{Excluded, Unbounded};
        let from = after.map_or(Unbounded, Excluded);
        let page: Vec<(&ConversationId, &Conversation)> =
            self.conversations.range((from, Unbounded)).take(limit).collect();
        let next = match page.last() {
            Some((last, _)) if page.len() == limit => Some(**last),
            _ => None,
        };
        let mut out = Vec::new();
        for (id, c) in page {
            let visitors: Vec<VisitorId> = c
                .participants
                .keys()
                .copied()
                .filter(|v| !self.visitor_restricted(*v) && !expiry.expired(records::Rec::Participation(*id, *v)))
                .collect();
            if visitors.is_empty() && !c.participants.is_empty() {
                continue;
            }
            let messages = c
                .messages
                .iter()
                .filter(|(mid, m)| !self.message_restricted(*id, c, **mid, m))
                .filter(|(mid, _)| !expiry.expired(records::Rec::Message(*id, **mid)))
                .count();
            out.push(ConversationSummary { id: *id, started_at: c.started_at, visitors, messages });
        }
        (out, next)
    }

    pub(super) fn profile(&self, visitor: VisitorId, expiry: &expiry::Expiry<'_>) -> Option<VisitorProfile> {
        let v = self.visitors.get(&visitor)?;
        if v.restricted || expiry.expired(records::Rec::Profile(visitor)) {
            return None;
        }
        let ips = v
            .ips
            .iter()
            .filter(|(n, _)| !expiry.expired(records::Rec::Ip(visitor, **n)))
            .map(|(_, s)| SubjectIdentifier::IpAddress(s.ip));
        v.profile.as_ref().map(|p| VisitorProfile {
            id: visitor,
            created_at: p.created_at,
            identifiers: p.identifiers.iter().cloned().chain(ips).collect(),
            statements: p.statements.clone(),
        })
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Visitor {
    /// `None` once erased.
    pub(super) profile: Option<Profile>,
    pub(super) ips: BTreeMap<u32, IpSeen>,
    pub(super) next_ip: u32,
    pub(super) restricted: bool,
    /// What erasures left: keyed hashes of the identifiers, and the records handled.
    pub(super) erased: Option<Tombstone>,
}

impl Visitor {
    pub(super) fn new(profile: Profile) -> Self {
        Self { profile: Some(profile), ips: BTreeMap::new(), next_ip: 0, restricted: false, erased: None }
    }

    /// Every identifier held in clear: the profile's and the IP addresses.
    pub(super) fn identifiers(&self) -> impl Iterator<Item = SubjectIdentifier> + '_ {
        let profile = self.profile.iter().flat_map(|p| p.identifiers.iter().cloned());
        profile.chain(self.ips.values().map(|s| SubjectIdentifier::IpAddress(s.ip)))
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Profile {
    pub(super) created_at: DateTime<Utc>,
    pub(super) identifiers: Vec<SubjectIdentifier>,
    pub(super) statements: Vec<Text>,
}

impl Profile {
    pub(super) fn holds(&self, identifier: &SubjectIdentifier) -> bool {
        self.identifiers.iter().any(|i| i.matches(identifier))
    }
}

#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct IpSeen {
    pub(super) ip: IpAddr,
    pub(super) seen_at: DateTime<Utc>,
}

#[derive(Default, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Tombstone {
    pub(super) keys: BTreeSet<SubjectKey>,
    /// Records kept under Art. 17(3), still the subject's.
    pub(super) retained: BTreeMap<RecordKey, records::Rec>,
    /// Records erased, pseudonymised or redacted: reported `Unchanged` from then on.
    pub(super) done: BTreeSet<RecordKey>,
}

#[derive(Clone, PartialEq)]
pub(super) struct Conversation {
    pub(super) started_at: DateTime<Utc>,
    /// The visitors taking part, with when they joined.
    pub(super) participants: BTreeMap<VisitorId, DateTime<Utc>>,
    pub(super) messages: BTreeMap<MessageId, StoredMessage>,
    /// When the conversation was loaded without its messages, its last message or join as
    /// stored; `None` when every message is at hand (always in memory).
    pub(super) floor: Option<DateTime<Utc>>,
}

impl Conversation {
    /// Its last message or join (its start when it has neither).
    pub(super) fn last(&self) -> DateTime<Utc> {
        self.messages
            .values()
            .map(|m| m.sent_at)
            .chain(self.participants.values().copied())
            .chain(self.floor)
            .fold(self.started_at, DateTime::max)
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct StoredMessage {
    pub(super) author: Author,
    pub(super) sent_at: DateTime<Utc>,
    pub(super) text: String,
    pub(super) attachments: Vec<Attachment>,
    /// A reply kept by a retention sweep with every visitor's identifiers redacted: no longer
    /// any visitor's personal data, so it no longer expires.
    pub(super) anonymised: bool,
}

impl StoredMessage {
    pub(super) fn to_message(&self, conversation: ConversationId, id: MessageId) -> Message {
        Message {
            id,
            conversation,
            author: self.author.clone(),
            sent_at: self.sent_at,
            text: self.text.clone(),
            attachments: self.attachments.clone(),
        }
    }

    /// The texts that may hold identifiers: the message's and its attachments' file names.
    pub(super) fn texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.text.as_str()).chain(self.attachments.iter().map(|a| a.file_name.as_str()))
    }

    /// A copy with every text passed through `f` (which returns `None` to keep a text).
    pub(super) fn rewrite(&self, f: impl Fn(&str) -> Option<String>) -> StoredMessage {
        let mut out = self.clone();
        if let Some(t) = f(&self.text) {
            out.text = t;
        }
        for a in &mut out.attachments {
            if let Some(t) = f(&a.file_name) {
                a.file_name = t;
            }
        }
        out
    }
}
