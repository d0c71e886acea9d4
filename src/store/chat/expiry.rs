//! Storage limitation in the chat (Art. 5(1)(e)): when each record expires, the expired records
//! the sweep asks for, and their erasure.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::records::Rec;
use super::redact::{Needle, redact};
use super::{Author, Contacts, ConversationId, MessageId, ScopeData, VisitorId};
use crate::erasure::{ErasurePolicy, MessageErasure, Outcome, RecordKey, RecordOutcome};
use crate::model::SubjectIdentifier;
use crate::retention::{RetentionPolicy, Timeline, is_expired};
use crate::store::FoundRecord;

/// A change `erase_records` makes to one record.
#[derive(Debug, Clone, Copy)]
enum Change {
    Delete(Rec),
    /// A visitor's message kept, authored by a pseudonym, identifiers redacted.
    Pseudonymise(ConversationId, MessageId, VisitorId),
    /// A reply kept with every visitor's identifiers redacted.
    Anonymise(ConversationId, MessageId),
}

/// Which records of a scope have expired at an instant under some policies.
pub(super) struct Expiry<'a> {
    sd: &'a ScopeData,
    policies: &'a [RetentionPolicy],
    now: DateTime<Utc>,
    /// Each visitor's last contact.
    contacts: HashMap<VisitorId, DateTime<Utc>>,
    /// Each conversation's last message or join.
    last: HashMap<ConversationId, DateTime<Utc>>,
}

impl ScopeData {
    /// The expiry of this scope's records under `policies` at `now`. `elsewhere` holds the
    /// last contacts of visitors in conversations this (partly loaded) scope does not hold.
    pub(super) fn expiry<'a>(
        &'a self,
        policies: &'a [RetentionPolicy],
        now: DateTime<Utc>,
        elsewhere: &Contacts,
    ) -> Expiry<'a> {
        let mut contacts: HashMap<VisitorId, DateTime<Utc>> = HashMap::new();
        let mut last = HashMap::new();
        if !policies.is_empty() {
            let mut seen = |v: VisitorId, at: DateTime<Utc>| {
                contacts.entry(v).and_modify(|c| *c = (*c).max(at)).or_insert(at);
            };
            for (v, at) in elsewhere {
                seen(*v, *at);
            }
            for (cid, c) in &self.conversations {
                let end = c.last();
                last.insert(*cid, end);
                for v in c.participants.keys() {
                    seen(*v, end);
                }
            }
            for (id, v) in &self.visitors {
                for at in v.profile.iter().map(|p| p.created_at).chain(v.ips.values().map(|s| s.seen_at)) {
                    seen(*id, at);
                }
            }
        }
        Expiry { sd: self, policies, now, contacts, last }
    }

    /// Every record of the scope that is still a visitor's personal data, by key: pseudonymised
    /// messages and anonymised replies are not.
    fn personal_records(&self) -> BTreeMap<RecordKey, Rec> {
        let mut out = BTreeMap::new();
        for (id, v) in &self.visitors {
            if v.profile.is_some() {
                let rec = Rec::Profile(*id);
                out.insert(rec.key(), rec);
            }
            for n in v.ips.keys() {
                let rec = Rec::Ip(*id, *n);
                out.insert(rec.key(), rec);
            }
        }
        for (cid, c) in &self.conversations {
            for v in c.participants.keys() {
                let rec = Rec::Participation(*cid, *v);
                out.insert(rec.key(), rec);
            }
            for (mid, m) in &c.messages {
                if !m.anonymised && !matches!(m.author, Author::Pseudonym(_)) {
                    let rec = Rec::Message(*cid, *mid);
                    out.insert(rec.key(), rec);
                }
            }
        }
        out
    }

    /// The expired records after `after` that `keep` keeps, in key order, at most `limit`.
    /// `elsewhere` holds the last contacts of visitors in conversations not loaded.
    pub(super) fn expired(
        &self,
        policies: &[RetentionPolicy],
        now: DateTime<Utc>,
        elsewhere: &Contacts,
        after: Option<&str>,
        limit: usize,
        keep: impl Fn(Rec) -> bool,
    ) -> Vec<FoundRecord> {
        if policies.is_empty() || limit == 0 {
            return Vec::new();
        }
        let expiry = self.expiry(policies, now, elsewhere);
        self.personal_records()
            .into_iter()
            .filter(|(key, rec)| keep(*rec) && after.is_none_or(|a| key.as_str() > a))
            .filter(|(_, rec)| expiry.expired(*rec))
            .filter_map(|(key, rec)| self.found(&key, rec))
            .take(limit)
            .collect()
    }

    /// What `erase_records` does to each record named, and does it.
    pub(super) fn erase_records(&mut self, records: &[RecordKey], policy: &ErasurePolicy) -> Vec<RecordOutcome> {
        let mut named = BTreeSet::new();
        let mut out = Vec::new();
        let mut changes = Vec::new();
        for key in records {
            if !named.insert(key.as_str()) {
                continue;
            }
            let (outcome, change) = match Rec::parse(key.as_str()) {
                None => {
                    let reason = "not a record key of chat_history".to_owned();
                    (Outcome::Failed { retryable: false, reason }, None)
                }
                Some(rec) => self.plan_record(key.as_str(), rec, policy),
            };
            out.push(RecordOutcome { record: key.clone(), outcome });
            changes.extend(change);
        }
        self.apply_record_changes(&changes);
        out
    }

    /// The outcome for one record named, which is its state after the call, and the change
    /// that gets it there, if any.
    fn plan_record(&self, key: &str, rec: Rec, policy: &ErasurePolicy) -> (Outcome, Option<Change>) {
        if !self.exists(rec) {
            // Gone: erased by an earlier call when this scope still knows whose or where it
            // was; otherwise never this scope's (another controller's key, a made-up one).
            return (if self.held(rec) { Outcome::Erased } else { Outcome::NotFound }, None);
        }
        if let Some(ground) = policy.retention_for(key) {
            return (Outcome::Retained { ground: ground.clone() }, None);
        }
        if self.restricted(rec) {
            return (Outcome::Restricted, None);
        }
        let Rec::Message(c, m) = rec else { return (Outcome::Erased, Some(Change::Delete(rec))) };
        let Some(message) = self.message(c, m) else { return (Outcome::Erased, None) };
        if policy.messages == MessageErasure::Delete {
            return (Outcome::Erased, Some(Change::Delete(rec)));
        }
        match &message.author {
            Author::Pseudonym(_) => (Outcome::Pseudonymised, None),
            Author::Visitor(v) => (Outcome::Pseudonymised, Some(Change::Pseudonymise(c, m, *v))),
            Author::Agent(_) | Author::Bot if message.anonymised => (Outcome::Redacted, None),
            Author::Agent(_) | Author::Bot => (Outcome::Redacted, Some(Change::Anonymise(c, m))),
        }
    }

    /// Carries the changes out. A message that stays is rewritten with every identifier of its
    /// conversation's visitors redacted, as known before any change of this call.
    fn apply_record_changes(&mut self, changes: &[Change]) {
        let mut needles: HashMap<ConversationId, Vec<Needle>> = HashMap::new();
        for change in changes {
            if let Change::Pseudonymise(c, _, _) | Change::Anonymise(c, _) = change
                && !needles.contains_key(c)
            {
                needles.insert(*c, self.conversation_needles(*c));
            }
        }
        let mut pseudonyms: HashMap<VisitorId, Uuid> = HashMap::new();
        for change in changes {
            match *change {
                Change::Delete(Rec::Profile(v)) => {
                    if let Some(v) = self.visitors.get_mut(&v) {
                        v.profile = None;
                    }
                }
                Change::Delete(Rec::Ip(v, n)) => {
                    if let Some(v) = self.visitors.get_mut(&v) {
                        v.ips.remove(&n);
                    }
                }
                Change::Delete(Rec::Participation(c, v)) => {
                    if let Some(c) = self.conversations.get_mut(&c) {
                        c.participants.remove(&v);
                    }
                }
                Change::Delete(Rec::Message(c, m)) => {
                    if let Some(c) = self.conversations.get_mut(&c) {
                        c.messages.remove(&m);
                    }
                }
                Change::Pseudonymise(c, m, _) | Change::Anonymise(c, m) => {
                    let targets = needles.get(&c).map(Vec::as_slice).unwrap_or_default();
                    let pseudonym = match change {
                        Change::Pseudonymise(_, _, v) => Some(*pseudonyms.entry(*v).or_insert_with(Uuid::now_v7)),
                        _ => None,
                    };
                    let Some(message) = self.conversations.get_mut(&c).and_then(|c| c.messages.get_mut(&m)) else {
                        continue;
                    };
                    let mut next = message.rewrite(|t| redact(t, targets, &[]));
                    match pseudonym {
                        Some(p) => next.author = Author::Pseudonym(p),
                        None => next.anonymised = true,
                    }
                    *message = next;
                }
            }
        }
        self.conversations.retain(|_, c| !c.participants.is_empty() || !c.messages.is_empty());
    }

    /// Every identifier, in clear, of the visitors who take part in or wrote in a conversation.
    fn conversation_needles(&self, c: ConversationId) -> Vec<Needle> {
        let Some(conversation) = self.conversations.get(&c) else { return Vec::new() };
        let mut visitors: BTreeSet<VisitorId> = conversation.participants.keys().copied().collect();
        visitors.extend(conversation.messages.values().filter_map(|m| match m.author {
            Author::Visitor(v) => Some(v),
            _ => None,
        }));
        let ids: Vec<SubjectIdentifier> =
            visitors.iter().filter_map(|v| self.visitors.get(v)).flat_map(|v| v.identifiers()).collect();
        ids.iter().map(Needle::of).collect()
    }
}

impl Expiry<'_> {
    /// Whether `rec` has expired (Art. 5(1)(e)); false when it does not exist.
    pub(super) fn expired(&self, rec: Rec) -> bool {
        if self.policies.is_empty() {
            return false;
        }
        let Some((category, collected_at)) = self.sd.collected(rec) else { return false };
        let contact = match rec {
            Rec::Profile(v) | Rec::Ip(v, _) | Rec::Participation(_, v) => self.contacts.get(&v).copied(),
            Rec::Message(c, _) => {
                let participants = self.sd.conversations.get(&c).map(|c| c.participants.keys());
                participants
                    .into_iter()
                    .flatten()
                    .filter_map(|v| self.contacts.get(v).copied())
                    .max()
                    .or_else(|| self.last.get(&c).copied())
            }
        };
        is_expired(self.policies, &category, &Timeline::new(collected_at, contact), self.now)
    }
}
