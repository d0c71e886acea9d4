//! [`write_changes`]: what an operation changed in its partial [`ScopeData`], written back as
//! rows, and the JSON the rows hold.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::tx::Tx;
use super::{BY_IDENTIFIER, BY_KEY, BY_RETAINED, BY_WORD};
use crate::store::chat::redact::Needle;
use crate::store::chat::{Author, ScopeData, Visitor};
use crate::store::{Scope, StoreError};

/// A conversation's own row.
#[derive(Serialize, Deserialize, PartialEq)]
pub(super) struct Header {
    pub(super) started_at: DateTime<Utc>,
    /// Its last message or join, so that a visitor's last contact is found without reading the
    /// messages of each of their conversations.
    pub(super) last_at: DateTime<Utc>,
}

/// Writes what changed between `before` and `after` (the same rows, before and after the
/// in-memory code ran over them). Visitors are never removed (an erased one keeps its
/// tombstone); a conversation that is gone is deleted with its rows.
pub(super) async fn write_changes(
    tx: &mut dyn Tx,
    scope: Scope,
    before: &ScopeData,
    after: &ScopeData,
) -> Result<(), StoreError> {
    let id = scope.controller().as_uuid();
    let agents: Vec<&str> = after.agents.difference(&before.agents).map(|a| a.as_str()).collect();
    if !agents.is_empty() {
        tx.put_agents(id, &agents).await?;
    }
    for (v, visitor) in &after.visitors {
        if before.visitors.get(v) != Some(visitor) {
            let body = encode(&format!("visitor {v}"), visitor)?;
            tx.put_visitor(id, v.as_uuid(), &body, &lookups(visitor)).await?;
        }
    }
    for c in before.conversations.keys().filter(|c| !after.conversations.contains_key(c)) {
        tx.delete_conversation(id, c.as_uuid()).await?;
    }
    // Headers and deleted messages are written set-wise after the loop: one statement per
    // chunk of rows, not one per conversation (a retention sweep changes hundreds at once).
    let mut headers: Vec<(Uuid, String)> = Vec::new();
    let mut gone: Vec<(Uuid, Uuid)> = Vec::new();
    for (c, conversation) in &after.conversations {
        let old = before.conversations.get(c);
        if old == Some(conversation) {
            continue;
        }
        let header = Header { started_at: conversation.started_at, last_at: conversation.last() };
        let old_header = old.map(|o| Header { started_at: o.started_at, last_at: o.last() });
        if old_header.as_ref() != Some(&header) {
            headers.push((c.as_uuid(), encode(&format!("conversation {c}"), &header)?));
        }
        let no_participants = BTreeMap::new();
        let no_messages = BTreeMap::new();
        let old_participants = old.map_or(&no_participants, |o| &o.participants);
        let old_messages = old.map_or(&no_messages, |o| &o.messages);
        for v in old_participants.keys().filter(|v| !conversation.participants.contains_key(v)) {
            tx.delete_participant(id, c.as_uuid(), v.as_uuid()).await?;
        }
        for (v, at) in &conversation.participants {
            if old_participants.get(v) != Some(at) {
                let at = encode(&format!("participant {v}"), at)?;
                tx.put_participant(id, c.as_uuid(), v.as_uuid(), &at).await?;
            }
        }
        gone.extend(
            old_messages.keys().filter(|m| !conversation.messages.contains_key(m)).map(|m| (c.as_uuid(), m.as_uuid())),
        );
        for (m, message) in &conversation.messages {
            if old_messages.get(m) != Some(message) {
                let author = match message.author {
                    Author::Visitor(v) => Some(v.as_uuid()),
                    _ => None,
                };
                let body = encode(&format!("message {m}"), message)?;
                tx.put_message(id, c.as_uuid(), m.as_uuid(), author, &body).await?;
            }
        }
    }
    if !headers.is_empty() {
        tx.put_conversations(id, &headers).await?;
    }
    if !gone.is_empty() {
        tx.delete_message_set(id, &gone).await?;
    }
    Ok(())
}

/// The lookup rows of a visitor: what finds them (a normalised identifier, an index key, a
/// keyed hash an erasure kept, a record it retained).
pub(super) fn lookups(visitor: &Visitor) -> Vec<(&'static str, String)> {
    let mut rows = BTreeSet::new();
    for identifier in visitor.identifiers() {
        rows.insert((BY_IDENTIFIER, identifier.normalised()));
        if let Some(key) = Needle::of(&identifier).index_key() {
            rows.insert((BY_WORD, key));
        }
    }
    if let Some(t) = &visitor.erased {
        rows.extend(t.keys.iter().map(|k| (BY_KEY, k.to_string())));
        rows.extend(t.retained.keys().map(|k| (BY_RETAINED, k.as_str().to_owned())));
    }
    rows.into_iter().collect()
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid { what: what.to_owned(), reason: e.to_string() })
}

pub(super) fn decode<T: for<'de> Deserialize<'de>>(db: &str, what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(format!("{what} in the {db}"), e))
}
