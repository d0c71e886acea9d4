//! The erasure vocabulary (Arts. 16, 17, 18): how a source is told to erase, rectify or restrict
//! a subject's data, and what it answers for each record.
//!
//! A source names its records with [`RecordKey`]s. An [`ErasurePolicy`] says what to do with the
//! subject's messages ([`MessageErasure`]) and which records to keep on an Art. 17(3)
//! [`RetentionGround`] ([`Retain`]); a [`Rectification`] is an Art. 16 correction. Every
//! operation answers with one [`RecordOutcome`] per record.
//!
//! This module is pure, like the rest of the core: the sources that speak it are the
//! storage layer's [`PersonalDataSource`](crate::store::PersonalDataSource)s, and the
//! retention layer's legal holds become [`Retain`] entries through
//! [`apply_holds`](crate::retention::apply_holds).

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::model::{Invalid, SubjectIdentifier, Text};
use crate::vocab::Article;

/// Identifies a record within a source, e.g. `conversation/0190…/message/0190…`: any non-empty
/// string without control characters, chosen by the source and opaque to the crate but for one
/// rule: a key ending in `/` is a prefix that covers every key starting with it
/// ([`covers`](Self::covers)), e.g. a whole conversation in a [`Retain`] entry.
///
/// In JSON: a plain string.
///
/// # Example
/// ```
/// use gdpr_obligations::erasure::RecordKey;
///
/// let conversation = RecordKey::new("conversation/0190/")?;
/// assert!(conversation.is_prefix());
/// assert!(conversation.covers("conversation/0190/message/7"));
/// assert!(!conversation.covers("conversation/0191/message/7"));
/// let message: RecordKey = "conversation/0190/message/7".parse()?;
/// assert!(message.covers("conversation/0190/message/7") && !message.covers("conversation/0190/message/70"));
/// assert!(RecordKey::new("").is_err());
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey(Box<str>);

impl RecordKey {
    /// Validates a key.
    ///
    /// # Errors
    /// [`Invalid`] when the key is empty or holds a control character.
    pub fn new(key: impl Into<String>) -> Result<Self, Invalid> {
        let key = key.into();
        if Self::is_valid(&key) {
            Ok(Self(key.into_boxed_str()))
        } else {
            let what = match key.chars().position(char::is_control) {
                Some(position) => format!("a record key holds a control character at character {position}"),
                None => "a record key must not be empty".to_owned(),
            };
            Err(Invalid::new("record", what))
        }
    }

    /// A key the crate itself built from parts that cannot break the rule (typed ids).
    pub(crate) fn built(key: String) -> Self {
        debug_assert!(Self::is_valid(&key), "an invalid record key built: {key:?}");
        Self(key.into_boxed_str())
    }

    fn is_valid(key: &str) -> bool {
        !key.is_empty() && !key.chars().any(char::is_control)
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the key ends in `/`, and so covers every key that starts with it.
    #[must_use]
    pub fn is_prefix(&self) -> bool {
        self.0.ends_with('/')
    }

    /// Whether `record` is this key or, when this key is a prefix (ends in `/`), starts with it.
    #[must_use]
    pub fn covers(&self, record: &str) -> bool {
        if self.is_prefix() { record.starts_with(&*self.0) } else { record == &*self.0 }
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RecordKey {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl From<RecordKey> for String {
    fn from(key: RecordKey) -> Self {
        key.0.into()
    }
}

impl AsRef<str> for RecordKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Maps and sets keyed by `RecordKey` are searched with a `&str`.
impl Borrow<str> for RecordKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for RecordKey {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for RecordKey {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

string_serde!(RecordKey);

/// A plain string in the schema, as the key was before it had a type of its own.
impl JsonSchema for RecordKey {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "RecordKey".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// Why a record is kept when its subject asks for erasure.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "ground", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RetentionGround {
    /// Art. 17(3)(a): freedom of expression and information.
    FreedomOfExpression,
    /// Art. 17(3)(b): a legal obligation, or a task in the public interest.
    LegalObligation {
        /// The law, e.g. "§ 31 of Act 563/1991 Coll. on accounting".
        law: Text,
    },
    /// Art. 17(3)(c): public health.
    PublicHealth,
    /// Art. 17(3)(d): archiving, research or statistics under Art. 89(1).
    ArchivingResearchStatistics,
    /// Art. 17(3)(e): establishment, exercise or defence of legal claims, e.g. a legal hold.
    LegalClaims {
        /// The claim or hold, e.g. "dispute 2026/14".
        matter: Text,
    },
}

impl RetentionGround {
    /// The point of Art. 17(3).
    #[must_use]
    pub const fn article(&self) -> Article {
        let a = Article::gdpr(17).paragraph(3);
        match self {
            RetentionGround::FreedomOfExpression => a.point('a'),
            RetentionGround::LegalObligation { .. } => a.point('b'),
            RetentionGround::PublicHealth => a.point('c'),
            RetentionGround::ArchivingResearchStatistics => a.point('d'),
            RetentionGround::LegalClaims { .. } => a.point('e'),
        }
    }
}

/// Records to keep in an erasure, with the ground.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Retain {
    /// The records: exact keys, or a prefix ending in `/` (e.g. `conversation/0190…/`).
    pub records: RecordKey,
    /// Why (Art. 17(3)).
    pub ground: RetentionGround,
}

impl Retain {
    /// Whether `record` is covered: [`RecordKey::covers`].
    #[must_use]
    pub fn covers(&self, record: &str) -> bool {
        self.records.covers(record)
    }
}

/// What to do with the subject's own messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageErasure {
    /// Delete them.
    #[default]
    Delete,
    /// Keep the text with every identifier of the subject replaced, authored by a pseudonym, so
    /// that the other side of the conversation still reads. This is pseudonymisation, not
    /// erasure (Art. 4(5), Recital 26): the records are reported
    /// [`Outcome::Pseudonymised`] and listed as kept in the erasure report. Use it for an
    /// Art. 17 erasure only where the controller has established that the remaining text cannot
    /// identify the subject (then the data are anonymous), or keeps them on a ground of its own.
    Pseudonymise,
}

/// How a source erases a subject's data (Art. 17): a policy per kind of data, not a boolean.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct ErasurePolicy {
    /// The subject's own messages.
    #[serde(default)]
    pub messages: MessageErasure,
    /// Records kept under Art. 17(3), each listed as retained in the outcome.
    #[serde(default)]
    pub retain: Vec<Retain>,
}

impl ErasurePolicy {
    /// The ground on which `record` is kept, if any.
    #[must_use]
    pub fn retention_for(&self, record: &str) -> Option<&RetentionGround> {
        self.retain.iter().find(|r| r.covers(record)).map(|r| &r.ground)
    }
}

/// A correction of the subject's data (Art. 16).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rectification {
    /// Replace an inaccurate identifier (an e-mail, a name) wherever the source holds it.
    Replace {
        /// The inaccurate value.
        old: SubjectIdentifier,
        /// The accurate value, of the same kind.
        new: SubjectIdentifier,
    },
    /// Complete incomplete data with a supplementary statement.
    Supplement {
        /// The statement.
        statement: Text,
    },
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Deleted.
    Erased,
    /// Kept with the subject's identifiers replaced: **not erased**. Pseudonymised data remain
    /// personal data (Art. 4(5), Recital 26) as long as the remaining text can still identify
    /// the subject (a free-text message often can); an erasure report lists such records apart
    /// ([`StepReport::pseudonymised`](crate::fulfil::StepReport::pseudonymised)), never as erased.
    Pseudonymised,
    /// Another person's record in which the subject's identifiers were redacted.
    Redacted,
    /// Kept under Art. 17(3).
    Retained {
        /// The ground.
        ground: RetentionGround,
    },
    /// Corrected (Art. 16).
    Rectified,
    /// Restricted (Art. 18(1)).
    Restricted,
    /// Restriction lifted (the subject must have been told first, Art. 18(3)).
    RestrictionLifted,
    /// Already in the requested state: nothing done (idempotence).
    Unchanged,
    /// No such record in this scope: nothing held under the key, so nothing done. A source
    /// never reports a key it does not hold as erased (Art. 17): its report covers what it
    /// holds, not another controller's records or a made-up key.
    NotFound,
    /// Not done.
    Failed {
        /// Whether trying again may help.
        retryable: bool,
        /// Why, without personal data.
        reason: String,
    },
}

impl Outcome {
    /// Whether the record failed.
    #[must_use]
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Failed { .. })
    }
}

/// What happened to one record of a source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RecordOutcome {
    /// The record.
    pub record: RecordKey,
    /// What happened.
    pub outcome: Outcome,
}

impl RecordOutcome {
    /// What happened to `record`.
    #[must_use]
    pub fn new(record: RecordKey, outcome: Outcome) -> Self {
        Self { record, outcome }
    }
}
