//! The audit log: append-only, hash-chained, without personal data in clear (invariant 7).

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{Scope, StoreError, SweepId, sealed};
pub use crate::model::Digest;
use crate::model::{PartyId, SourceName, SubjectIdentifier};
use crate::request::RequestId;
use crate::vocab::Article;

/// Secret key material for an HMAC-SHA-256, at least 16 bytes, never printed: what
/// [`PseudonymKey`] and [`SealKey`] each wrap, so that one kind of key cannot be passed where the
/// other is meant.
#[derive(Clone)]
struct Secret(Vec<u8>);

impl Secret {
    fn new(what: &str, secret: &[u8]) -> Result<Self, StoreError> {
        if secret.len() < 16 {
            return Err(StoreError::Invalid {
                what: what.to_owned(),
                reason: "a key has at least 16 bytes".to_owned(),
            });
        }
        Ok(Self(secret.to_vec()))
    }

    /// An HMAC-SHA-256 under this key over `parts`, one after the other.
    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail; were it ever to,
        // the empty key stands in rather than a panic, and every seal made with it fails to open.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        for part in parts {
            mac.update(part);
        }
        mac
    }
}

/// A secret key for deriving [`SubjectKey`]s (HMAC-SHA-256). Keep it out of the ledger: with
/// it, a subject's identifier can be matched to its key; without it, the key reveals nothing.
#[derive(Clone)]
pub struct PseudonymKey(Secret);

impl PseudonymKey {
    /// Wraps secret key material.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the key is shorter than 16 bytes.
    pub fn new(secret: &[u8]) -> Result<Self, StoreError> {
        Secret::new("pseudonym key", secret).map(Self)
    }

    /// An HMAC-SHA-256 under this key, for the crate's other keyed hashes (the verification
    /// codes of `verify`), each of which starts its message with a prefix of its own so that no
    /// hash of one kind can stand for another.
    pub(crate) fn hmac(&self) -> Result<Hmac<Sha256>, StoreError> {
        Ok(self.0.mac(&[]))
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
        let message = format!("{}\n{}", scope.controller(), identifier.normalised());
        let bytes: [u8; 32] = key.0.mac(&[message.as_bytes()]).finalize().into_bytes().into();
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
///
/// # The chain
/// A record's `hash` is SHA-256 over its sequence (8 bytes, big-endian), the previous record's
/// hash (32 bytes) and the entry's canonical text ([`entry_text`](Self::entry_text)): compact
/// JSON with the fields in the order `at`, `actor`, `action` and the action's own fields,
/// `article`, absent optional fields left out. A store keeps exactly that text and refuses on
/// read one that is not the canonical text of the entry it decodes to
/// ([`from_stored`](Self::from_stored)), so the hash covers every byte stored: a field added,
/// removed or changed breaks the chain (Art. 5(2)).
///
/// # Example
/// ```
/// use gdpr_obligations::store::{AuditAction, AuditEntry, AuditRecord, Digest, DocumentKind};
///
/// let at = "2026-03-13T10:00:00Z".parse()?;
/// let action = AuditAction::DocumentWritten { kind: DocumentKind::Party, id: uuid::Uuid::nil() };
/// let record = AuditRecord::seal(1, Digest::GENESIS, AuditEntry::new(at, action))?;
/// let text = record.entry_text()?;
/// assert_eq!(AuditRecord::from_stored(1, record.previous, record.hash, &text)?, record);
///
/// // A field slipped into the stored text is refused, and the error does not repeat it.
/// let smuggled = text.replacen('{', r#"{"note":"eva@example.cz","#, 1);
/// let err = AuditRecord::from_stored(1, record.previous, record.hash, &smuggled).unwrap_err();
/// assert!(err.to_string().contains("audit record 1") && !err.to_string().contains("eva"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[schemars(description = "An entry as stored: numbered and chained to its predecessor. `hash` is SHA-256 \
    over the sequence (8 bytes, big-endian), the previous record's hash (32 bytes) and the entry's \
    canonical text: compact JSON with the fields in the order `at`, `actor`, `action` and the \
    action's own fields, `article`, absent optional fields left out. A store keeps exactly that \
    text, so a field added, removed or changed breaks the chain (Art. 5(2)).")]
#[non_exhaustive]
pub struct AuditRecord {
    /// Its position in the scope's log, from 1.
    pub sequence: u64,
    /// The entry.
    pub entry: AuditEntry,
    /// The hash of the previous record ([`Digest::GENESIS`] for the first).
    pub previous: Digest,
    /// SHA-256 over the sequence, the previous hash and the entry's canonical text.
    pub hash: Digest,
}

impl AuditRecord {
    /// Numbers and chains `entry` after the record with `previous` at `sequence - 1`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the entry cannot be serialised.
    pub fn seal(sequence: u64, previous: Digest, entry: AuditEntry) -> Result<Self, StoreError> {
        let hash = chain_hash(sequence, &previous, &canonical_text(&entry)?);
        Ok(AuditRecord { sequence, entry, previous, hash })
    }

    /// The entry's canonical text: what the hash covers and what a store keeps.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the entry cannot be serialised.
    pub fn entry_text(&self) -> Result<String, StoreError> {
        canonical_text(&self.entry)
    }

    /// A record from what a store kept: its sequence, the two hashes as stored (taken as they
    /// are, never recomputed, so that [`verify`] sees what is stored) and the entry's text.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] naming the record by its sequence, never by its content, when the
    /// text is not an audit entry, or not exactly the canonical text of the entry it decodes to:
    /// a field was added (e.g. free text slipped in), removed, reordered or reformatted after the
    /// record was sealed (Art. 5(2)).
    pub fn from_stored(sequence: u64, previous: Digest, hash: Digest, text: &str) -> Result<Self, StoreError> {
        let what = format!("audit record {sequence}");
        let entry: AuditEntry = serde_json::from_str(text).map_err(|e| {
            // serde_json's own message may quote the stored value: say only where and what kind.
            let kind = match e.classify() {
                serde_json::error::Category::Data => "is JSON but not an audit entry",
                _ => "is not JSON",
            };
            StoreError::corrupt(&what, format!("the stored entry {kind} (line {}, column {})", e.line(), e.column()))
        })?;
        if canonical_text(&entry)? != text {
            return Err(StoreError::corrupt(
                &what,
                "the stored entry is not the canonical text of the entry it decodes to: a field was added, \
                 removed, reordered or reformatted after it was sealed (Art. 5(2))",
            ));
        }
        Ok(AuditRecord { sequence, entry, previous, hash })
    }
}

fn canonical_text(entry: &AuditEntry) -> Result<String, StoreError> {
    serde_json::to_string(entry)
        .map_err(|e| StoreError::Invalid { what: "audit entry".to_owned(), reason: e.to_string() })
}

fn chain_hash(sequence: u64, previous: &Digest, text: &str) -> Digest {
    let bytes: [u8; 32] = Sha256::new()
        .chain_update(sequence.to_be_bytes())
        .chain_update(previous.as_bytes())
        .chain_update(text.as_bytes())
        .finalize()
        .into();
    Digest::from_bytes(bytes)
}

/// What is wrong where an audit log stops verifying. Each problem defeats the log as evidence
/// that the controller complied (Art. 5(2)), of its records of processing (Art. 30) and of its
/// breaches (Art. 33(5)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditProblem {
    /// Another record stands where this one belongs: a record was removed, inserted or moved.
    #[error("record {found} stands where this one belongs: a record was removed, inserted or moved")]
    Misplaced {
        /// The sequence number of the record found there.
        found: u64,
    },
    /// The record does not chain to the record before it.
    #[error("it does not chain to the record before it")]
    Unchained,
    /// The record's content does not match its hash: it was altered.
    #[error("its content does not match its hash: it was altered")]
    Altered,
    /// The log ends before a checkpoint's last record: records were cut off the end.
    #[error("the log ends at record {records} but the checkpoint counts {checkpoint}: records were cut off the end")]
    Truncated {
        /// How many records the log has.
        records: u64,
        /// How many the checkpoint counts.
        checkpoint: u64,
    },
    /// The record at a checkpoint's position is not the one the checkpoint saw: the log was
    /// rewritten up to it (and perhaps re-chained).
    #[error("it is not the record the checkpoint saw: the log was rewritten up to it")]
    Rewritten,
    /// A sealed checkpoint's seal does not match under the key given: the checkpoint was
    /// altered or forged, or sealed with another key.
    #[error("the checkpoint's seal does not match under this key: it was altered, forged or sealed with another key")]
    SealMismatch,
}

/// Where a log stops verifying, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[error("audit log breaks at record {sequence}: {problem} ({})", Self::ARTICLE)]
#[non_exhaustive]
pub struct AuditBreak {
    /// The first record that does not verify (or the position where one is missing).
    pub sequence: u64,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: AuditProblem,
}

impl AuditBreak {
    /// The provision a broken log fails: the controller's accountability, to be able to
    /// demonstrate compliance (Art. 5(2)).
    pub const ARTICLE: Article = Article::gdpr(5).paragraph(2);

    fn at(sequence: u64, problem: AuditProblem) -> Self {
        Self { sequence, problem }
    }
}

/// Verifies a log read from its first record: numbering from 1 without gaps, each record
/// chained to its predecessor, each hash matching its content. Finds any altered, removed,
/// inserted or reordered record. A log rewritten from some record on and re-chained, or cut off
/// at the end, verifies on its own; a [`Checkpoint`] taken before, kept apart from the log,
/// finds both: the log must reach the checkpoint's record, and hold there the record the
/// checkpoint saw.
///
/// # Errors
/// [`AuditBreak`] at the first record that does not verify.
///
/// # Example
/// ```
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::store::{AuditAction, AuditEntry, AuditProblem, AuditRecord, Checkpoint, Digest, DocumentKind, Scope, verify};
///
/// let at = "2026-03-13T10:00:00Z".parse()?;
/// let entry = |n: u128| AuditEntry::new(at, AuditAction::DocumentWritten { kind: DocumentKind::Party, id: uuid::Uuid::from_u128(n) });
/// let first = AuditRecord::seal(1, Digest::GENESIS, entry(1))?;
/// let second = AuditRecord::seal(2, first.hash, entry(2))?;
/// let log = vec![first, second];
/// let checkpoint = Checkpoint::after(Scope::of(PartyId::generate()), log.last(), at);
/// assert_eq!(verify(&log, Some(&checkpoint)), Ok(()));
///
/// // Cutting off the last record leaves a log that verifies on its own, but not against the checkpoint.
/// assert_eq!(verify(&log[..1], None), Ok(()));
/// let cut = verify(&log[..1], Some(&checkpoint)).unwrap_err();
/// assert_eq!(cut.problem, AuditProblem::Truncated { records: 1, checkpoint: 2 });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(records: &[AuditRecord], checkpoint: Option<&Checkpoint>) -> Result<(), AuditBreak> {
    let mut previous = Digest::GENESIS;
    for (i, r) in records.iter().enumerate() {
        let want = i as u64 + 1;
        if r.sequence != want {
            return Err(AuditBreak::at(want, AuditProblem::Misplaced { found: r.sequence }));
        }
        if r.previous != previous {
            return Err(AuditBreak::at(want, AuditProblem::Unchained));
        }
        match r.entry_text() {
            Ok(text) if chain_hash(r.sequence, &r.previous, &text) == r.hash => {}
            _ => return Err(AuditBreak::at(want, AuditProblem::Altered)),
        }
        previous = r.hash;
    }
    let Some(checkpoint) = checkpoint else { return Ok(()) };
    let records_len = records.len() as u64;
    if records_len < checkpoint.sequence {
        let problem = AuditProblem::Truncated { records: records_len, checkpoint: checkpoint.sequence };
        return Err(AuditBreak::at(records_len + 1, problem));
    }
    let seen = usize::try_from(checkpoint.sequence).ok().and_then(|n| n.checked_sub(1)).and_then(|i| records.get(i));
    match seen {
        Some(r) if r.hash != checkpoint.head => Err(AuditBreak::at(checkpoint.sequence, AuditProblem::Rewritten)),
        _ => Ok(()),
    }
}

/// How far a scope's audit log reached at a time: how many records it had and the hash of the
/// last. Kept apart from the log (another system, a printout, a signed message) or
/// [sealed](Self::seal) with a key the deployment holds, it lets
/// [`verify_against`](AuditLogExt::verify_against) find records cut off the end of the log or
/// rewritten before it, which the chain alone cannot show (Art. 5(2), Art. 30, Art. 33(5)).
///
/// Its JSON refuses unknown fields, and a head that does not fit the count (a log of no
/// records has the head [`Digest::GENESIS`], and only it).
///
/// # Example
/// ```
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::store::{Checkpoint, Digest, Scope};
///
/// let at = "2026-03-13T10:00:00Z".parse()?;
/// let empty = Checkpoint::after(Scope::of(PartyId::generate()), None, at);
/// assert_eq!((empty.sequence(), empty.head()), (0, Digest::GENESIS));
/// let json = serde_json::to_string(&empty)?;
/// assert_eq!(serde_json::from_str::<Checkpoint>(&json)?, empty);
/// let forged = json.replace(&Digest::GENESIS.to_string(), &Digest::of_text("x").to_string());
/// assert!(serde_json::from_str::<Checkpoint>(&forged).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<CheckpointRepr>")]
pub struct Checkpoint {
    scope: Scope,
    sequence: u64,
    head: Digest,
    at: DateTime<Utc>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CheckpointRepr {
    /// The scope whose log it is.
    scope: Scope,
    /// How many records the log had: the sequence number of its last record (0 when empty).
    sequence: u64,
    /// The hash of that record ([`Digest::GENESIS`] when the log was empty).
    head: Digest,
    /// When it was taken.
    at: DateTime<Utc>,
}

crate::vocab::try_from_object!(Checkpoint, CheckpointRepr);

impl TryFrom<CheckpointRepr> for Checkpoint {
    type Error = &'static str;
    fn try_from(r: CheckpointRepr) -> Result<Self, Self::Error> {
        if (r.sequence == 0) != (r.head == Digest::GENESIS) {
            return Err("a checkpoint of no records has the genesis head, and only it has");
        }
        Ok(Self { scope: r.scope, sequence: r.sequence, head: r.head, at: r.at })
    }
}

impl Checkpoint {
    /// The checkpoint of a log of `scope` whose last record is `last` (`None`: no records),
    /// taken at `at`. It vouches for nothing itself: [`checkpoint`](AuditLogExt::checkpoint)
    /// takes one of a log it has verified.
    #[must_use]
    pub fn after(scope: Scope, last: Option<&AuditRecord>, at: DateTime<Utc>) -> Self {
        let (sequence, head) = last.map_or((0, Digest::GENESIS), |r| (r.sequence, r.hash));
        Self { scope, sequence, head, at }
    }

    /// The scope whose log it is.
    #[must_use]
    pub const fn scope(&self) -> Scope {
        self.scope
    }

    /// How many records the log had: the sequence number of its last record (0 when empty).
    #[must_use]
    pub const fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The hash of that record ([`Digest::GENESIS`] when the log was empty).
    #[must_use]
    pub const fn head(&self) -> Digest {
        self.head
    }

    /// When it was taken.
    #[must_use]
    pub const fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Seals the checkpoint with `key`, so that it can be kept where others can write (beside
    /// the log itself, even): without the key, nobody can make a sealed checkpoint that fits a
    /// log they altered.
    #[must_use]
    pub fn seal(&self, key: &SealKey) -> SealedCheckpoint {
        let bytes: [u8; 32] = self.mac(key).finalize().into_bytes().into();
        SealedCheckpoint { checkpoint: *self, seal: Digest::from_bytes(bytes) }
    }

    /// HMAC-SHA-256 under `key` over the lines `gdpr-obligations audit checkpoint v1`, the
    /// controller's id, the sequence in decimal, the head in hex and `at` as Unix seconds, a
    /// dot and nine digits of nanoseconds, each line ending in `\n`.
    fn mac(&self, key: &SealKey) -> Hmac<Sha256> {
        let message = format!(
            "gdpr-obligations audit checkpoint v1\n{}\n{}\n{}\n{}.{:09}\n",
            self.scope.controller(),
            self.sequence,
            self.head,
            self.at.timestamp(),
            self.at.timestamp_subsec_nanos(),
        );
        key.0.mac(&[message.as_bytes()])
    }
}

/// A [`Checkpoint`] and its seal: an HMAC-SHA-256 under a [`SealKey`] over the checkpoint's
/// fields, so that only the holder of the key can make one. [`open`](Self::open) it with the key
/// before [verifying against](AuditLogExt::verify_against) it.
///
/// Its JSON refuses unknown fields: nothing outside the seal rides along with it.
///
/// # Example
/// ```
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::store::{Checkpoint, Scope, SealKey};
///
/// let key = SealKey::new(b"a secret the deployment keeps")?;
/// let checkpoint = Checkpoint::after(Scope::of(PartyId::generate()), None, "2026-03-13T10:00:00Z".parse()?);
/// let sealed = checkpoint.seal(&key);
/// assert_eq!(sealed.open(&key)?, &checkpoint);
/// assert!(sealed.open(&SealKey::new(b"a key somebody else made")?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(from = "crate::vocab::Object<SealedCheckpointRepr>")]
pub struct SealedCheckpoint {
    /// The checkpoint.
    checkpoint: Checkpoint,
    /// HMAC-SHA-256 over the checkpoint under the deployment's key.
    seal: Digest,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SealedCheckpointRepr {
    /// The checkpoint.
    checkpoint: Checkpoint,
    /// HMAC-SHA-256 over the checkpoint under the deployment's key.
    seal: Digest,
}

impl From<crate::vocab::Object<SealedCheckpointRepr>> for SealedCheckpoint {
    fn from(crate::vocab::Object(r): crate::vocab::Object<SealedCheckpointRepr>) -> Self {
        SealedCheckpoint { checkpoint: r.checkpoint, seal: r.seal }
    }
}

impl SealedCheckpoint {
    /// The checkpoint, once its seal matches under `key`.
    ///
    /// # Errors
    /// [`StoreError::AuditBroken`] with [`AuditProblem::SealMismatch`] when it does not: the
    /// checkpoint was altered or forged, or sealed with another key (Art. 5(2)).
    pub fn open(&self, key: &SealKey) -> Result<&Checkpoint, StoreError> {
        match self.checkpoint.mac(key).verify_slice(self.seal.as_bytes()) {
            Ok(()) => Ok(&self.checkpoint),
            Err(_) => Err(StoreError::AuditBroken {
                scope: self.checkpoint.scope,
                found: AuditBreak::at(self.checkpoint.sequence, AuditProblem::SealMismatch),
            }),
        }
    }

    /// The checkpoint, unopened: for showing it, not for verifying against it.
    #[must_use]
    pub const fn unopened(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The seal.
    #[must_use]
    pub const fn seal(&self) -> Digest {
        self.seal
    }
}

/// A secret key for sealing [`Checkpoint`]s (HMAC-SHA-256). Keep it apart from the audit log
/// and from whoever can write it: with the key, a rewritten log can be given a fitting sealed
/// checkpoint. Use another key than the [`PseudonymKey`].
#[derive(Clone)]
pub struct SealKey(Secret);

impl SealKey {
    /// Wraps secret key material.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the key is shorter than 16 bytes.
    pub fn new(secret: &[u8]) -> Result<Self, StoreError> {
        Secret::new("seal key", secret).map(Self)
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealKey(..)")
    }
}

/// The audit log store: append and read, per scope.
///
/// # Contract
/// - **Append-only.** No method changes or removes a record.
/// - **Chained.** `append` numbers the entry after the scope's last record and chains it with
///   [`AuditRecord::seal`], atomically: two concurrent appends never get the same number.
/// - **Scope.** Each scope has its own chain, starting at 1.
/// - **Stored as sealed.** A store that keeps entries as text keeps each entry's canonical text
///   ([`AuditRecord::entry_text`]) and reads it back with [`AuditRecord::from_stored`], so that
///   a stored entry with a field added, removed or changed is [`StoreError::Corrupt`] naming its
///   sequence, never its content (Art. 5(2)).
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
    /// [`StoreError::Backend`]; [`StoreError::Corrupt`] when a stored record does not decode, or
    /// its entry is not stored as its canonical text.
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
        read_whole(self, scope).await
    }

    /// Reads a scope's whole log and [`verify`]s it. It cannot see records cut off the end, nor
    /// a log rewritten and re-chained: [`verify_against`](Self::verify_against) a checkpoint
    /// can.
    ///
    /// # Errors
    /// [`StoreError::AuditBroken`] naming the [`AuditBreak`], or the read's error.
    async fn verify_all(&self, scope: Scope) -> Result<u64, StoreError> {
        Ok(verified(self, scope, None).await?.len() as u64)
    }

    /// Reads a scope's whole log, [`verify`]s it and returns its [`Checkpoint`] at `at`, to keep
    /// apart from the log or [seal](Checkpoint::seal).
    ///
    /// # Errors
    /// As [`verify_all`](Self::verify_all).
    async fn checkpoint(&self, scope: Scope, at: DateTime<Utc>) -> Result<Checkpoint, StoreError> {
        let all = verified(self, scope, None).await?;
        Ok(Checkpoint::after(scope, all.last(), at))
    }

    /// Reads the checkpoint's scope's whole log and [`verify`]s it against the checkpoint: the
    /// log verifies, reaches the checkpoint's record and holds there the record the checkpoint
    /// saw. Returns how many records it has (at least the checkpoint's count).
    ///
    /// # Errors
    /// [`StoreError::AuditBroken`] naming the [`AuditBreak`]: [`AuditProblem::Truncated`] when
    /// records were cut off the end, [`AuditProblem::Rewritten`] when the log was rewritten up
    /// to the checkpoint's record, or the first record that does not verify; or the read's
    /// error.
    async fn verify_against(&self, checkpoint: &Checkpoint) -> Result<u64, StoreError> {
        Ok(verified(self, checkpoint.scope, Some(checkpoint)).await?.len() as u64)
    }
}

/// A scope's whole log, page by page.
async fn read_whole<L: AuditLog + ?Sized>(log: &L, scope: Scope) -> Result<Vec<AuditRecord>, StoreError> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |r: &AuditRecord| r.sequence);
        let page = log.read(scope, after, 1000).await?;
        if page.is_empty() {
            return Ok(all);
        }
        all.extend(page);
    }
}

/// A scope's whole log, once it [`verify`]s (against `checkpoint`, if given).
async fn verified<L: AuditLog + ?Sized>(
    log: &L,
    scope: Scope,
    checkpoint: Option<&Checkpoint>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let all = read_whole(log, scope).await?;
    verify(&all, checkpoint).map_err(|found| StoreError::AuditBroken { scope, found })?;
    Ok(all)
}

impl<T: AuditLog + ?Sized> AuditLogExt for T {}
