//! A subject's records in one scope, and the plans that change them: computed from a shared
//! borrow so that a plan (`erasure_plan`) and its application (`erase`) cannot disagree.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use uuid::Uuid;

use super::redact::{Needle, redact};
use super::{Author, ConversationId, MessageId, ScopeData, StoredMessage, VisitorId};
use crate::erasure::{ErasurePolicy, MessageErasure, Outcome, RecordKey, RecordOutcome, Rectification};
use crate::model::SubjectIdentifier;
use crate::store::{FoundRecord, StoreError, SubjectKey};
use crate::vocab::{Article, DataCategory};

/// A record of the chat, by kind (see the key table in the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rec {
    Profile(VisitorId),
    Ip(VisitorId, u32),
    Participation(ConversationId, VisitorId),
    Message(ConversationId, MessageId),
}

/// Stored by its key (in a visitor's tombstone).
impl serde::Serialize for Rec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key().as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Rec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        Rec::parse(&key).ok_or_else(|| serde::de::Error::custom(format!("not a record key of chat_history: {key}")))
    }
}

impl Rec {
    pub(super) fn key(&self) -> RecordKey {
        RecordKey::built(match self {
            Rec::Profile(v) => format!("visitor/{v}"),
            Rec::Ip(v, n) => format!("visitor/{v}/ip/{n}"),
            Rec::Participation(c, v) => format!("conversation/{c}/participant/{v}"),
            Rec::Message(c, m) => format!("conversation/{c}/message/{m}"),
        })
    }

    /// The record a key names, `None` when the key is not of a documented form.
    pub(super) fn parse(key: &str) -> Option<Rec> {
        let parts: Vec<&str> = key.split('/').collect();
        match parts.as_slice() {
            ["visitor", v] => Some(Rec::Profile(v.parse().ok()?)),
            ["visitor", v, "ip", n] => Some(Rec::Ip(v.parse().ok()?, n.parse().ok()?)),
            ["conversation", c, "participant", v] => Some(Rec::Participation(c.parse().ok()?, v.parse().ok()?)),
            ["conversation", c, "message", m] => Some(Rec::Message(c.parse().ok()?, m.parse().ok()?)),
            _ => None,
        }
        .filter(|rec| rec.key() == key)
    }
}

/// One of the subject's records, with the matched visitors it belongs to.
pub(super) struct Entry {
    pub(super) rec: Rec,
    pub(super) owners: BTreeSet<VisitorId>,
}

/// The subject as this scope knows them.
pub(super) struct Subject {
    /// The visitors a strong identifier given matches.
    pub(super) visitors: BTreeSet<VisitorId>,
    /// The subject's identifiers as they appear in text, what an erasure redacts: the given
    /// ones (weak ones included: the requester's word about themselves) and those the matched
    /// visitors hold in clear.
    pub(super) own: Vec<Needle>,
    /// Every other visitor's identifiers, except those that are also the subject's.
    pub(super) others: Vec<Needle>,
    /// The identifiers the source attributes to the subject: the strong ones given and those
    /// the matched visitors hold. What an export shows unredacted: a weak identifier the
    /// requester only claimed (another visitor's name) never unmasks anybody (Art. 15(4)).
    pub(super) held: Vec<Needle>,
    /// Every other visitor's identifiers, except those the subject holds: what an export
    /// redacts.
    pub(super) foreign: Vec<Needle>,
    /// The subject's records, by key.
    pub(super) records: BTreeMap<RecordKey, Entry>,
}

/// What an erasure does to one record.
#[derive(Debug, Clone, Copy)]
pub(super) enum Action {
    Keep,
    DeleteProfile(VisitorId),
    DeleteIp(VisitorId, u32),
    Leave(ConversationId, VisitorId),
    DeleteMessage(ConversationId, MessageId),
    Pseudonymise(ConversationId, MessageId, VisitorId),
    Redact(ConversationId, MessageId),
}

/// One step of an erasure plan.
pub(super) struct Step {
    pub(super) key: RecordKey,
    pub(super) rec: Option<Rec>,
    pub(super) owners: BTreeSet<VisitorId>,
    pub(super) outcome: Outcome,
    pub(super) action: Action,
}

impl ScopeData {
    /// Finds the subject: every visitor one of the **strong** identifiers of `given` matches,
    /// in clear or through the keyed hashes an erasure left (`keys`, derived from the strong
    /// ones), and their records. A weak identifier (a name, an IP address) selects nobody: a
    /// namesake or a visitor behind the same network address is another person (Art. 11(2),
    /// 12(6), Recital 64). Given beside a strong one, it adds nothing to the selection; it is
    /// one more of the subject's own identifiers to look for in their records' texts.
    pub(super) fn resolve(&self, given: &[SubjectIdentifier], keys: &[SubjectKey]) -> Subject {
        let strong: Vec<&SubjectIdentifier> = given.iter().filter(|g| g.is_strong()).collect();
        let visitors: BTreeSet<VisitorId> = self
            .visitors
            .iter()
            .filter(|(_, v)| {
                v.identifiers().any(|i| strong.iter().any(|g| g.matches(&i)))
                    || v.erased.as_ref().is_some_and(|t| keys.iter().any(|k| t.keys.contains(k)))
            })
            .map(|(id, _)| *id)
            .collect();
        let mut held: Vec<SubjectIdentifier> = strong.into_iter().cloned().collect();
        for v in &visitors {
            held.extend(self.visitors.get(v).into_iter().flat_map(|v| v.identifiers()));
        }
        let claimed = given.iter().filter(|g| !g.is_strong() && !held.iter().any(|h| h.matches(g)));
        let own_ids: Vec<SubjectIdentifier> = held.iter().chain(claimed).cloned().collect();
        let (mut others, mut foreign) = (Vec::new(), Vec::new());
        for (_, v) in self.visitors.iter().filter(|(id, _)| !visitors.contains(id)) {
            for i in v.identifiers().filter(|i| !held.iter().any(|h| h.matches(i))) {
                if !own_ids.iter().any(|o| o.matches(&i)) {
                    others.push(Needle::of(&i));
                }
                foreign.push(Needle::of(&i));
            }
        }
        let own: Vec<Needle> = own_ids.iter().map(Needle::of).collect();
        let held: Vec<Needle> = held.iter().map(Needle::of).collect();

        let mut records = BTreeMap::new();
        let mut add = |rec: Rec, owners: BTreeSet<VisitorId>| {
            records.entry(rec.key()).or_insert_with(|| Entry { rec, owners: BTreeSet::new() }).owners.extend(owners);
        };
        for id in &visitors {
            let Some(v) = self.visitors.get(id) else { continue };
            if v.profile.is_some() {
                add(Rec::Profile(*id), [*id].into());
            }
            for n in v.ips.keys() {
                add(Rec::Ip(*id, *n), [*id].into());
            }
            for rec in v.erased.iter().flat_map(|t| t.retained.values()) {
                if self.exists(*rec) {
                    add(*rec, [*id].into());
                }
            }
        }
        for (cid, c) in &self.conversations {
            let here: BTreeSet<VisitorId> = c.participants.keys().filter(|v| visitors.contains(v)).copied().collect();
            for v in &here {
                add(Rec::Participation(*cid, *v), [*v].into());
            }
            for (mid, m) in &c.messages {
                match &m.author {
                    Author::Visitor(a) if visitors.contains(a) => add(Rec::Message(*cid, *mid), [*a].into()),
                    Author::Agent(_) | Author::Bot if !here.is_empty() && mentions(m, &own, &others) => {
                        add(Rec::Message(*cid, *mid), here.clone());
                    }
                    _ => {}
                }
            }
        }
        Subject { visitors, own, others, held, foreign, records }
    }

    pub(super) fn exists(&self, rec: Rec) -> bool {
        match rec {
            Rec::Profile(v) => self.visitors.get(&v).is_some_and(|v| v.profile.is_some()),
            Rec::Ip(v, n) => self.visitors.get(&v).is_some_and(|v| v.ips.contains_key(&n)),
            Rec::Participation(c, v) => self.conversations.get(&c).is_some_and(|c| c.participants.contains_key(&v)),
            Rec::Message(c, m) => self.message(c, m).is_some(),
        }
    }

    /// Whether `rec`, present or not, belongs to this scope as far as it can tell: its
    /// visitor is one of the scope's (an erased visitor keeps a tombstone), or its
    /// conversation is. A message of a conversation erased whole cannot be told apart from
    /// another scope's.
    pub(super) fn held(&self, rec: Rec) -> bool {
        match rec {
            Rec::Profile(v) | Rec::Ip(v, _) | Rec::Participation(_, v) => self.visitors.contains_key(&v),
            Rec::Message(c, _) => self.conversations.contains_key(&c),
        }
    }

    pub(super) fn message(&self, c: ConversationId, m: MessageId) -> Option<&StoredMessage> {
        self.conversations.get(&c).and_then(|c| c.messages.get(&m))
    }

    /// Whether processing of a record is restricted (Art. 18(2)).
    pub(super) fn restricted(&self, rec: Rec) -> bool {
        match rec {
            Rec::Profile(v) | Rec::Ip(v, _) | Rec::Participation(_, v) => self.visitor_restricted(v),
            Rec::Message(cid, mid) => self
                .conversations
                .get(&cid)
                .and_then(|c| c.messages.get(&mid).map(|m| self.message_restricted(cid, c, mid, m)))
                .unwrap_or(false),
        }
    }

    /// A record as `find` reports it; `None` when it no longer exists.
    pub(super) fn found(&self, key: &RecordKey, rec: Rec) -> Option<FoundRecord> {
        let (category, collected_at) = self.collected(rec)?;
        Some(FoundRecord { record: key.clone(), category, collected_at, restricted: self.restricted(rec) })
    }

    /// A record's category and when it was collected (the key table of the module
    /// documentation); `None` when it no longer exists.
    pub(super) fn collected(&self, rec: Rec) -> Option<(DataCategory, chrono::DateTime<chrono::Utc>)> {
        Some(match rec {
            Rec::Profile(v) => (DataCategory::Identification, self.visitors.get(&v)?.profile.as_ref()?.created_at),
            Rec::Ip(v, n) => (DataCategory::OnlineIdentifier, self.visitors.get(&v)?.ips.get(&n)?.seen_at),
            Rec::Participation(c, v) => {
                (DataCategory::UsageBehaviour, *self.conversations.get(&c)?.participants.get(&v)?)
            }
            Rec::Message(c, m) => (DataCategory::CommunicationContent, self.message(c, m)?.sent_at),
        })
    }

    /// What `erase` does under `policy` (Art. 17), record by record, with the records earlier
    /// erasures handled reported [`Outcome::Unchanged`].
    pub(super) fn plan_erasure(&self, subject: &Subject, policy: &ErasurePolicy) -> Vec<Step> {
        let mut steps: BTreeMap<RecordKey, Step> = BTreeMap::new();
        for (key, entry) in &subject.records {
            let (outcome, action) = match policy.retention_for(key.as_str()) {
                // Art. 17(3): kept, untouched.
                Some(ground) => (Outcome::Retained { ground: ground.clone() }, Action::Keep),
                None => match entry.rec {
                    Rec::Profile(v) => (Outcome::Erased, Action::DeleteProfile(v)),
                    Rec::Ip(v, n) => (Outcome::Erased, Action::DeleteIp(v, n)),
                    Rec::Participation(c, v) => (Outcome::Erased, Action::Leave(c, v)),
                    Rec::Message(c, m) => match self.message(c, m).map(|m| &m.author) {
                        Some(Author::Visitor(v)) if subject.visitors.contains(v) => match policy.messages {
                            MessageErasure::Delete => (Outcome::Erased, Action::DeleteMessage(c, m)),
                            MessageErasure::Pseudonymise => (Outcome::Pseudonymised, Action::Pseudonymise(c, m, *v)),
                        },
                        // Another person's record (an agent's or the bot's reply): kept, with the
                        // subject's identifiers redacted.
                        _ => (Outcome::Redacted, Action::Redact(c, m)),
                    },
                },
            };
            let step = Step { key: key.clone(), rec: Some(entry.rec), owners: entry.owners.clone(), outcome, action };
            steps.insert(key.clone(), step);
        }
        for id in &subject.visitors {
            let Some(t) = self.visitors.get(id).and_then(|v| v.erased.as_ref()) else { continue };
            for key in t.done.iter().chain(t.retained.keys()) {
                if !steps.contains_key(key) {
                    let step = Step {
                        key: key.clone(),
                        rec: None,
                        owners: [*id].into(),
                        outcome: Outcome::Unchanged,
                        action: Action::Keep,
                    };
                    steps.insert(key.clone(), step);
                }
            }
        }
        steps.into_values().collect()
    }

    /// Carries out an erasure plan and records it in the visitors' tombstones.
    pub(super) fn apply_erasure(
        &mut self,
        subject: &Subject,
        steps: &[Step],
        keys: HashMap<VisitorId, Vec<SubjectKey>>,
    ) {
        let mut pseudonyms: HashMap<VisitorId, Uuid> = HashMap::new();
        let redacted = |m: &StoredMessage| m.rewrite(|t| redact(t, &subject.own, &subject.others));
        for step in steps {
            match step.action {
                Action::Keep => {}
                Action::DeleteProfile(v) => {
                    if let Some(v) = self.visitors.get_mut(&v) {
                        v.profile = None;
                    }
                }
                Action::DeleteIp(v, n) => {
                    if let Some(v) = self.visitors.get_mut(&v) {
                        v.ips.remove(&n);
                    }
                }
                Action::Leave(c, v) => {
                    if let Some(c) = self.conversations.get_mut(&c) {
                        c.participants.remove(&v);
                    }
                }
                Action::DeleteMessage(c, m) => {
                    if let Some(c) = self.conversations.get_mut(&c) {
                        c.messages.remove(&m);
                    }
                }
                Action::Pseudonymise(c, m, v) => {
                    let pseudonym = *pseudonyms.entry(v).or_insert_with(Uuid::now_v7);
                    if let Some(msg) = self.conversations.get_mut(&c).and_then(|c| c.messages.get_mut(&m)) {
                        let mut next = redacted(msg);
                        next.author = Author::Pseudonym(pseudonym);
                        *msg = next;
                    }
                }
                Action::Redact(c, m) => {
                    if let Some(msg) = self.conversations.get_mut(&c).and_then(|c| c.messages.get_mut(&m)) {
                        *msg = redacted(msg);
                    }
                }
            }
        }
        for id in &subject.visitors {
            let Some(v) = self.visitors.get_mut(id) else { continue };
            let t = v.erased.get_or_insert_default();
            t.keys.extend(keys.get(id).into_iter().flatten().copied());
            for step in steps.iter().filter(|s| s.owners.contains(id)) {
                match (&step.outcome, step.rec) {
                    (Outcome::Retained { .. }, Some(rec)) => {
                        t.done.remove(&step.key);
                        t.retained.insert(step.key.clone(), rec);
                    }
                    (Outcome::Unchanged, _) => {}
                    _ => {
                        t.retained.remove(&step.key);
                        t.done.insert(step.key.clone());
                    }
                }
            }
        }
        self.conversations.retain(|_, c| !c.participants.is_empty() || !c.messages.is_empty());
    }

    /// What `rectify` does (Art. 16), with the new state of each profile or IP record changed.
    pub(super) fn plan_rectification(
        &self,
        subject: &Subject,
        rectification: &Rectification,
    ) -> Result<Vec<(RecordOutcome, Option<Rectified>)>, StoreError> {
        if let Rectification::Replace { old, new } = rectification
            && old.kind() != new.kind()
        {
            return Err(StoreError::Invalid {
                what: "rectification".to_owned(),
                reason: format!(
                    "{}: an inaccurate {} is replaced by an accurate {}, not by a {}",
                    Article::gdpr(16),
                    old.kind(),
                    old.kind(),
                    new.kind()
                ),
            });
        }
        let mut out = Vec::new();
        for id in &subject.visitors {
            let Some(v) = self.visitors.get(id) else { continue };
            let Some(profile) = &v.profile else { continue };
            match rectification {
                Rectification::Replace { old, new } => {
                    if let SubjectIdentifier::IpAddress(ip) = new {
                        for (n, seen) in &v.ips {
                            let key = Rec::Ip(*id, *n).key();
                            let held = SubjectIdentifier::IpAddress(seen.ip);
                            if held.matches(old) && held != *new {
                                out.push((rectified(key), Some(Rectified::Ip(*id, *n, *ip))));
                            } else {
                                out.push((unchanged(key), None));
                            }
                        }
                    } else {
                        let key = Rec::Profile(*id).key();
                        let replaced = replace_identifier(&profile.identifiers, old, new);
                        if replaced == profile.identifiers {
                            out.push((unchanged(key), None));
                        } else {
                            out.push((rectified(key), Some(Rectified::Identifiers(*id, replaced))));
                        }
                    }
                }
                Rectification::Supplement { statement } => {
                    let key = Rec::Profile(*id).key();
                    if profile.statements.contains(statement) {
                        out.push((unchanged(key), None));
                    } else {
                        out.push((rectified(key), Some(Rectified::Statement(*id, statement.clone()))));
                    }
                }
            }
        }
        out.sort_by(|a, b| a.0.record.cmp(&b.0.record));
        Ok(out)
    }
}

/// A change a rectification makes.
pub(super) enum Rectified {
    Identifiers(VisitorId, Vec<SubjectIdentifier>),
    Ip(VisitorId, u32, std::net::IpAddr),
    Statement(VisitorId, crate::model::Text),
}

impl ScopeData {
    pub(super) fn apply_rectification(&mut self, change: Rectified) {
        match change {
            Rectified::Identifiers(v, ids) => {
                if let Some(p) = self.visitors.get_mut(&v).and_then(|v| v.profile.as_mut()) {
                    p.identifiers = ids;
                }
            }
            Rectified::Ip(v, n, ip) => {
                if let Some(seen) = self.visitors.get_mut(&v).and_then(|v| v.ips.get_mut(&n)) {
                    seen.ip = ip;
                }
            }
            Rectified::Statement(v, s) => {
                if let Some(p) = self.visitors.get_mut(&v).and_then(|v| v.profile.as_mut()) {
                    p.statements.push(s);
                }
            }
        }
    }
}

fn rectified(record: RecordKey) -> RecordOutcome {
    RecordOutcome { record, outcome: Outcome::Rectified }
}

fn unchanged(record: RecordKey) -> RecordOutcome {
    RecordOutcome { record, outcome: Outcome::Unchanged }
}

/// `ids` with the first identifier matching `old` replaced by `new` in place and any further
/// match dropped; `new` is not added twice.
fn replace_identifier(
    ids: &[SubjectIdentifier],
    old: &SubjectIdentifier,
    new: &SubjectIdentifier,
) -> Vec<SubjectIdentifier> {
    let new_held_apart = ids.iter().any(|i| !i.matches(old) && i.matches(new));
    let mut placed = new_held_apart;
    let mut out = Vec::with_capacity(ids.len());
    for i in ids {
        if !i.matches(old) {
            out.push(i.clone());
        } else if !placed {
            out.push(new.clone());
            placed = true;
        }
    }
    out
}

/// Whether any text of the message holds one of the subject's identifiers.
fn mentions(m: &StoredMessage, own: &[Needle], others: &[Needle]) -> bool {
    m.texts().any(|t| redact(t, own, others).is_some())
}
