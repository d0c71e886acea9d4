//! The audit log: append-only, hash-chained, without personal data in clear (invariant 7).

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{Scope, StoreError, SweepId, sealed};
pub use crate::model::Digest;
use crate::model::{PartyId, SourceName, SubjectIdentifier};
use crate::request::RequestId;
use crate::vocab::Article;

/// A secret key for deriving [`SubjectKey`]s (HMAC-SHA-256). Keep it out of the ledger: with
/// it, a subject's identifier can be matched to its key; without it, the key reveals nothing.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl PseudonymKey {
    /// Wraps secret key material.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the key is shorter than 16 bytes.
    pub fn new(secret: &[u8]) -> Result<Self, StoreError> {
        if secret.len() < 16 {
            return Err(StoreError::Invalid {
                what: "pseudonym key".to_owned(),
                reason: "a key has at least 16 bytes".to_owned(),
            });
        }
        Ok(Self(secret.to_vec()))
    }

    /// An HMAC-SHA-256 under this key, for the crate's other keyed hashes (the verification
    /// codes of `verify`), each of which starts its message with a prefix of its own so that no
    /// hash of one kind can stand for another.
    pub(crate) fn hmac(&self) -> Result<Hmac<Sha256>, StoreError> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .map_err(|e| StoreError::Invalid { what: "pseudonym key".to_owned(), reason: e.to_string() })
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

/// A data subject as a keyed hash of one of their identifiers: what the audit log and the
/// erasure ledger hold instead of personal data in clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct SubjectKey(Digest);

impl SubjectKey {
    /// Derives the key of `identifier` in `scope` (HMAC-SHA-256 over the scope and the
    /// identifier's normalised form, so the same e-mail gives different keys for different
    /// controllers).
    #[must_use]
    pub fn derive(key: &PseudonymKey, scope: Scope, identifier: &SubjectIdentifier) -> Self {
        // HMAC accepts keys of any length, so this cannot fail; fall back to plain SHA-256
        // over the key material rather than panic if the library ever says otherwise.
        let message = format!("{}\n{}", scope.controller(), identifier.normalised());
        let bytes: [u8; 32] = match <Hmac<Sha256> as Mac>::new_from_slice(&key.0) {
            Ok(mut mac) => {
                mac.update(message.as_bytes());
                mac.finalize().into_bytes().into()
            }
            Err(_) => Sha256::new().chain_update(&key.0).chain_update(message.as_bytes()).finalize().into(),
        };
        SubjectKey(Digest::from_bytes(bytes))
    }

    /// The keyed hash itself.
    #[must_use]
    pub fn digest(&self) -> &Digest {
        &self.0
    }
}

impl fmt::Display for SubjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What happened, in typed fields only: the audit log has no free text, so no personal data
/// can slip into it (invariant 7).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditAction {
    /// A document of the ledger was written.
    DocumentWritten {
        /// Its kind.
        kind: super::DocumentKind,
        /// Its id.
        id: Uuid,
    },
    /// A lifecycle moved: events were appended to the stream of a request, a breach or a
    /// consent ([`execute`](super::LedgerStoreExt::execute)). The events themselves are in the
    /// ledger; the log says which stream moved, to which version, and the events' names.
    Transition {
        /// The stream.
        stream: super::StreamKey,
        /// Its version after the events.
        version: super::Version,
        /// The names of the events, e.g. `identity_verified` (storage names, never free text).
        events: Vec<SourceName>,
    },
    /// A fulfilment step of a request ran against a personal-data source.
    FulfilmentStep {
        /// The request carried out.
        request: RequestId,
        /// The source.
        source: SourceName,
        /// Records affected.
        records: u64,
        /// Whether it completed (false: it failed and can be resumed).
        completed: bool,
    },
    /// A batch of a retention sweep (Art. 5(1)(e)) ran against a personal-data source.
    SweepStep {
        /// The sweep.
        sweep: SweepId,
        /// The source.
        source: SourceName,
        /// Records affected.
        records: u64,
        /// Whether it completed (false: it failed and can be resumed).
        completed: bool,
    },
    /// An erasure of a subject completed (Art. 17).
    ErasureCompleted {
        /// The erasure request carried out.
        erasure: RequestId,
        /// The subject, as the keyed hash of each identifier the erasure was given.
        subject: Vec<SubjectKey>,
    },
}

/// One entry to append.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it (a party), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<PartyId>,
    /// What happened.
    #[serde(flatten)]
    pub action: AuditAction,
    /// The provision the action fulfils, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<Article>,
}

impl AuditEntry {
    /// An entry saying that `action` happened at `at`, by no known actor and under no
    /// particular provision ([`with_actor`](Self::with_actor), [`with_article`](Self::with_article)).
    #[must_use]
    pub fn new(at: DateTime<Utc>, action: AuditAction) -> Self {
        Self { at, actor: None, action, article: None }
    }

    /// The party that did it.
    #[must_use]
    pub fn with_actor(mut self, actor: PartyId) -> Self {
        self.actor = Some(actor);
        self
    }

    /// The provision the action fulfils.
    #[must_use]
    pub fn with_article(mut self, article: Article) -> Self {
        self.article = Some(article);
        self
    }
}

/// An entry as stored: numbered and chained to its predecessor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct AuditRecord {
    /// Its position in the scope's log, from 1.
    pub sequence: u64,
    /// The entry.
    pub entry: AuditEntry,
    /// The hash of the previous record ([`Digest::GENESIS`] for the first).
    pub previous: Digest,
    /// SHA-256 over the sequence, the previous hash and the entry's JSON.
    pub hash: Digest,
}

impl AuditRecord {
    /// Numbers and chains `entry` after the record with `previous` at `sequence - 1`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the entry cannot be serialised.
    pub fn seal(sequence: u64, previous: Digest, entry: AuditEntry) -> Result<Self, StoreError> {
        let hash = chain_hash(sequence, &previous, &entry)?;
        Ok(AuditRecord { sequence, entry, previous, hash })
    }
}

fn chain_hash(sequence: u64, previous: &Digest, entry: &AuditEntry) -> Result<Digest, StoreError> {
    let json = serde_json::to_vec(entry)
        .map_err(|e| StoreError::Invalid { what: "audit entry".to_owned(), reason: e.to_string() })?;
    let bytes: [u8; 32] = Sha256::new()
        .chain_update(sequence.to_be_bytes())
        .chain_update(previous.as_bytes())
        .chain_update(&json)
        .finalize()
        .into();
    Ok(Digest::from_bytes(bytes))
}

/// Where a log stops verifying.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("audit log breaks at record {sequence}: {problem}")]
#[non_exhaustive]
pub struct AuditBreak {
    /// The first record that does not verify (or the position where one is missing).
    pub sequence: u64,
    /// What is wrong.
    pub problem: String,
}

/// Verifies a log read from its first record: numbering from 1 without gaps, each record
/// chained to its predecessor, each hash matching its content. Finds any altered, removed,
/// inserted or reordered record. To also detect records cut off the end, compare the last
/// hash with a head kept elsewhere (`expected_head`).
///
/// # Errors
/// [`AuditBreak`] at the first record that does not verify.
pub fn verify(records: &[AuditRecord], expected_head: Option<(u64, Digest)>) -> Result<(), AuditBreak> {
    let mut previous = Digest::GENESIS;
    for (i, r) in records.iter().enumerate() {
        let want = i as u64 + 1;
        let fail = |problem: &str| Err(AuditBreak { sequence: want, problem: problem.to_owned() });
        if r.sequence != want {
            return fail(&format!("found record {} where record {want} belongs", r.sequence));
        }
        if r.previous != previous {
            return fail("it does not chain to the record before it");
        }
        match chain_hash(r.sequence, &r.previous, &r.entry) {
            Ok(h) if h == r.hash => {}
            _ => return fail("its content does not match its hash"),
        }
        previous = r.hash;
    }
    if let Some((sequence, head)) = expected_head {
        let last = records.last().map_or((0, Digest::GENESIS), |r| (r.sequence, r.hash));
        if last != (sequence, head) {
            return Err(AuditBreak {
                sequence: last.0 + 1,
                problem: format!("the log ends at record {} but the kept head is record {sequence}", last.0),
            });
        }
    }
    Ok(())
}

/// The audit log store: append and read, per scope.
///
/// # Contract
/// - **Append-only.** No method changes or removes a record.
/// - **Chained.** `append` numbers the entry after the scope's last record and chains it with
///   [`AuditRecord::seal`], atomically: two concurrent appends never get the same number.
/// - **Scope.** Each scope has its own chain, starting at 1.
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry and returns it as stored.
    ///
    /// # Errors
    /// [`StoreError::Backend`]; [`StoreError::Invalid`] when the entry cannot be serialised.
    async fn append(&self, scope: Scope, entry: AuditEntry) -> Result<AuditRecord, StoreError>;

    /// Reads up to `limit` records with a sequence greater than `after`, in order.
    ///
    /// # Errors
    /// [`StoreError::Backend`]; [`StoreError::Corrupt`] when a stored record does not decode.
    async fn read(&self, scope: Scope, after: u64, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
}

/// Helpers over an [`AuditLog`]; sealed, implemented for every log.
#[async_trait]
pub trait AuditLogExt: AuditLog + sealed::Sealed {
    /// Reads the whole of a scope's log.
    ///
    /// # Errors
    /// As [`AuditLog::read`].
    async fn read_all(&self, scope: Scope) -> Result<Vec<AuditRecord>, StoreError> {
        let mut all = Vec::new();
        loop {
            let after = all.last().map_or(0, |r: &AuditRecord| r.sequence);
            let page = self.read(scope, after, 1000).await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }

    /// Reads a scope's whole log and [`verify`]s it.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the [`AuditBreak`], or the read's error.
    async fn verify_all(&self, scope: Scope) -> Result<u64, StoreError> {
        let all = self.read_all(scope).await?;
        verify(&all, None).map_err(|b| StoreError::corrupt(format!("audit log of {scope}"), b))?;
        Ok(all.len() as u64)
    }
}

impl<T: AuditLog + ?Sized> AuditLogExt for T {}
