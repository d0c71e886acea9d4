//! Confirming a requester's identity with a code sent to the e-mail address or phone number
//! the request gave (Art. 12(6)), kept safe as Art. 32 asks: codes are random, stored only as
//! keyed hashes, single use, expire, and allow a limited number of attempts.
//!
//! [`VerificationCodes`] issues and checks the codes of one controller's scope over its ledger
//! (one [`DocumentKind::Verification`] document per request, written under compare-and-swap);
//! a [`Notifier`] (the product's mailer or SMS gateway) delivers them. The request desk sends a
//! code when it asks for identity (`RequestIdentity`) and records `VerifyIdentity` once
//! [`VerificationCodes::check`] answers [`Verified`].
//!
//! # The numbers, and why
//! - **Eight digits**: typed from a text message on a phone keypad, and one guess in 10⁸.
//! - **Five attempts per code, three codes per request** (both configurable): a re-issued code
//!   replaces the last one and comes with fresh attempts, so a subject who mistyped can ask
//!   again, but a request never allows more than codes × attempts guesses (15 by default, a
//!   chance of 1.5 in 10⁷ for someone guessing). After that the request stays locked: the
//!   controller confirms the identity otherwise or records the failure (Art. 11(2), 12(2)).
//! - **Fifteen minutes** (configurable): long enough for a delayed e-mail, short enough that a
//!   code read later from a shared mailbox is of no use.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier};
//! use gdpr_obligations::request::RequestId;
//! use gdpr_obligations::store::memory::MemoryLedger;
//! use gdpr_obligations::store::{PseudonymKey, Scope};
//! use gdpr_obligations::verify::{VerificationCodes, VerifyError};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef")?;
//! let codes = VerificationCodes::new(Arc::new(MemoryLedger::new()), Scope::of(PartyId::generate()), key);
//! let (request, now) = (RequestId::generate(), chrono::Utc::now());
//! let eva = SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?);
//! // The desk hands this message to its `Notifier`; here we read the code ourselves.
//! let message = codes.issue(request, &eva, now).await?;
//! assert!(matches!(codes.check(request, "00000000x", now).await, Err(VerifyError::WrongCode { attempts_left: 4, .. })));
//! let verified = codes.check(request, message.code(), now).await?;
//! assert_eq!(verified.request, request);
//! // Single use.
//! assert!(matches!(codes.check(request, message.code(), now).await, Err(VerifyError::AlreadyVerified { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod notify;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};

use crate::model::{Digest, SubjectIdentifier};
use crate::request::RequestId;
use crate::store::{DocumentKey, DocumentKind, LedgerStore, PseudonymKey, Scope, StoreError, SubjectKey, Version};

pub use notify::{Notifier, NotifyError, StdoutNotifier, VerificationMessage};

/// How many digits a code has.
pub const CODE_DIGITS: usize = 8;

/// How long a code is accepted unless configured otherwise: 15 minutes.
pub const DEFAULT_LIFETIME: TimeDelta = TimeDelta::minutes(15);

/// How many wrong attempts a code allows unless configured otherwise.
pub const DEFAULT_ATTEMPTS: NonZeroU32 = NonZeroU32::new(5).unwrap();

/// How many codes a request may be issued unless configured otherwise.
pub const DEFAULT_CODES: NonZeroU32 = NonZeroU32::new(3).unwrap();

/// How many times an operation reads again after losing a compare-and-swap. Each loss means
/// another check or issue of the same request got through, and a request allows only
/// codes × (attempts + 1) of those, so this is reached only when the ledger misbehaves.
const ROUNDS: usize = 64;

/// The prefix of every keyed hash of a code, so that it cannot be confused with the
/// [`SubjectKey`]s made with the same key.
const DOMAIN: &str = "gdpr-obligations/verification-code/v1";

/// Why a code was not issued or not accepted. No variant holds the code or the identifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A code goes to an e-mail address or a phone number; the request's identifier is another
    /// kind.
    #[error(
        "a verification code is sent to an e-mail address or a phone number, not to a {kind} identifier (Art. 12(6))"
    )]
    Undeliverable {
        /// The identifier's kind ([`SubjectIdentifier::kind`]).
        kind: &'static str,
    },
    /// No code was issued for the request.
    #[error("no verification code was issued for request {request} (Art. 12(6))")]
    NotIssued {
        /// The request.
        request: RequestId,
    },
    /// The request's identity was already verified by a code: a code is used once, and a
    /// verified request gets no new one.
    #[error("the verification code of request {request} was already used (Art. 32: single use)")]
    AlreadyVerified {
        /// The request.
        request: RequestId,
    },
    /// The code has expired; a new one may be issued.
    #[error("the verification code of request {request} expired at {expired_at} (Art. 32)")]
    Expired {
        /// The request.
        request: RequestId,
        /// When it expired.
        expired_at: DateTime<Utc>,
    },
    /// The code given is not the one issued.
    #[error("wrong verification code for request {request}: {attempts_left} attempt(s) left (Art. 12(6), Art. 32)")]
    WrongCode {
        /// The request.
        request: RequestId,
        /// How many more attempts the code allows.
        attempts_left: u32,
    },
    /// Every attempt the code allowed was used; only a new code (if any is left) can verify.
    #[error("the verification code of request {request} is locked after too many wrong attempts (Art. 32)")]
    Locked {
        /// The request.
        request: RequestId,
    },
    /// The request has had every code it may have.
    #[error("request {request} has had its {limit} verification codes (Art. 32)")]
    TooManyCodes {
        /// The request.
        request: RequestId,
        /// How many codes a request may have.
        limit: u32,
    },
    /// The operating system gave no randomness for a code.
    #[error("no randomness for a verification code (Art. 32): {reason}")]
    Random {
        /// The operating system's error.
        reason: String,
    },
    /// The ledger failed.
    #[error("verification could not use its ledger")]
    Store(#[from] StoreError),
    /// The notifier failed; the code was issued but not delivered, and may be issued again.
    #[error("the verification code could not be sent")]
    Notify(#[from] NotifyError),
}

/// A requester whose code was right: what the desk records as `VerifyIdentity` (Art. 12(6)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct Verified {
    /// The request.
    pub request: RequestId,
    /// The identifier the code was sent to, as its keyed hash ([`SubjectKey::derive`]).
    pub sent_to: SubjectKey,
    /// When the code was checked.
    pub at: DateTime<Utc>,
}

/// Issues and checks the verification codes of one controller's scope (Art. 12(6), Art. 32).
///
/// Cheap to clone (it holds an `Arc` of the ledger), `Send + Sync + 'static`: a web service
/// keeps one per scope. See the [module](self) for the numbers and an example.
#[derive(Clone)]
pub struct VerificationCodes {
    ledger: Arc<dyn LedgerStore>,
    scope: Scope,
    key: PseudonymKey,
    lifetime: TimeDelta,
    attempts: NonZeroU32,
    codes: NonZeroU32,
}

impl fmt::Debug for VerificationCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationCodes")
            .field("scope", &self.scope)
            .field("lifetime", &self.lifetime)
            .field("attempts", &self.attempts)
            .field("codes", &self.codes)
            .finish_non_exhaustive()
    }
}

/// The verification document of one request, as stored: no code, no identifier in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    /// The keyed hash of the current code.
    code: Digest,
    /// The identifier the current code was sent to, as its keyed hash.
    sent_to: SubjectKey,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    attempts_left: u32,
    /// How many codes the request has had, this one included.
    codes_issued: u32,
    /// When a code was accepted; a verified request takes no more codes.
    #[serde(default)]
    verified_at: Option<DateTime<Utc>>,
}

impl VerificationCodes {
    /// The codes of `scope`, kept in `ledger`, hashed under `key` (the scope's
    /// [`PseudonymKey`]; the hashes of codes are kept apart from [`SubjectKey`]s by a prefix of
    /// their own). Codes live [`DEFAULT_LIFETIME`], allow [`DEFAULT_ATTEMPTS`] wrong attempts,
    /// and a request gets at most [`DEFAULT_CODES`] of them.
    #[must_use]
    pub fn new(ledger: Arc<dyn LedgerStore>, scope: Scope, key: PseudonymKey) -> Self {
        Self { ledger, scope, key, lifetime: DEFAULT_LIFETIME, attempts: DEFAULT_ATTEMPTS, codes: DEFAULT_CODES }
    }

    /// How long a code is accepted after it is issued.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: TimeDelta) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// How many wrong attempts a code allows before it is locked.
    #[must_use]
    pub fn with_attempts(mut self, attempts: NonZeroU32) -> Self {
        self.attempts = attempts;
        self
    }

    /// How many codes one request may be issued (each replacing the last).
    #[must_use]
    pub fn with_codes(mut self, codes: NonZeroU32) -> Self {
        self.codes = codes;
        self
    }

    /// Issues a new random code for `request`, to be sent to `to`, replacing any earlier code
    /// of the request (whose attempts it resets). Only its keyed hash is stored, with its
    /// expiry, its attempts and the keyed hash of `to`. Hand the message to a [`Notifier`], or
    /// call [`send`](Self::send), which does both.
    ///
    /// # Errors
    /// [`VerifyError::Undeliverable`] when `to` is neither an e-mail address nor a phone
    /// number; [`VerifyError::AlreadyVerified`] when a code of the request was already
    /// accepted; [`VerifyError::TooManyCodes`] when the request has had every code it may;
    /// [`VerifyError::Random`]; [`VerifyError::Store`].
    pub async fn issue(
        &self,
        request: RequestId,
        to: &SubjectIdentifier,
        now: DateTime<Utc>,
    ) -> Result<VerificationMessage, VerifyError> {
        if !matches!(to, SubjectIdentifier::Email(_) | SubjectIdentifier::Phone(_)) {
            return Err(VerifyError::Undeliverable { kind: to.kind() });
        }
        let code = random_code()?;
        let hash = self.hash(request, &code)?;
        let sent_to = SubjectKey::derive(&self.key, self.scope, to);
        let expires_at = now.checked_add_signed(self.lifetime).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let key = document_key(request);
        let mut lost = None;
        for _ in 0..ROUNDS {
            let (issued, version) = match self.load(key).await? {
                None => (0, Version::NONE),
                Some((record, _)) if record.verified_at.is_some() => {
                    return Err(VerifyError::AlreadyVerified { request });
                }
                Some((record, version)) => (record.codes_issued, version),
            };
            if issued >= self.codes.get() {
                return Err(VerifyError::TooManyCodes { request, limit: self.codes.get() });
            }
            let record = Record {
                code: hash,
                sent_to,
                issued_at: now,
                expires_at,
                attempts_left: self.attempts.get(),
                codes_issued: issued + 1,
                verified_at: None,
            };
            match self.save(key, &record, version).await {
                Ok(()) => return Ok(VerificationMessage::new(request, code, expires_at)),
                Err(e @ (StoreError::Conflict { .. } | StoreError::Duplicate { .. })) => lost = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        Err(lost.map_or(VerifyError::NotIssued { request }, VerifyError::Store))
    }

    /// Issues a code for `request` ([`issue`](Self::issue)) and sends it to `to` through
    /// `notifier`. Returns when the code expires, for the desk to tell the requester.
    ///
    /// # Errors
    /// As [`issue`](Self::issue), and [`VerifyError::Notify`] when the notifier failed (the code
    /// was issued and counts towards the limit; issue again to retry).
    pub async fn send(
        &self,
        notifier: &dyn Notifier,
        request: RequestId,
        to: &SubjectIdentifier,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, VerifyError> {
        let message = self.issue(request, to, now).await?;
        notifier.send(to, &message).await?;
        Ok(message.expires_at)
    }

    /// Checks `code` against the code issued for `request`, in constant time. Spaces and
    /// hyphens in `code` are ignored. A right code is accepted once; a wrong one uses one
    /// attempt, recorded under compare-and-swap so that concurrent guesses together never get
    /// more attempts than the limit.
    ///
    /// # Errors
    /// [`VerifyError::NotIssued`]; [`VerifyError::AlreadyVerified`] when a code was already
    /// accepted; [`VerifyError::Locked`] when the code has no attempts left (before comparing);
    /// [`VerifyError::Expired`] at or after its expiry (before comparing);
    /// [`VerifyError::WrongCode`]; [`VerifyError::Store`].
    pub async fn check(&self, request: RequestId, code: &str, now: DateTime<Utc>) -> Result<Verified, VerifyError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let key = document_key(request);
        let mut lost = None;
        for _ in 0..ROUNDS {
            let Some((mut record, version)) = self.load(key).await? else {
                return Err(VerifyError::NotIssued { request });
            };
            if record.verified_at.is_some() {
                return Err(VerifyError::AlreadyVerified { request });
            }
            if record.attempts_left == 0 {
                return Err(VerifyError::Locked { request });
            }
            if now >= record.expires_at {
                return Err(VerifyError::Expired { request, expired_at: record.expires_at });
            }
            let right = self.mac(request, &code)?.verify_slice(record.code.as_bytes()).is_ok();
            if right {
                record.verified_at = Some(now);
            } else {
                record.attempts_left -= 1;
            }
            match self.save(key, &record, version).await {
                Ok(()) if right => return Ok(Verified { request, sent_to: record.sent_to, at: now }),
                Ok(()) => return Err(VerifyError::WrongCode { request, attempts_left: record.attempts_left }),
                Err(e @ StoreError::Conflict { .. }) => lost = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        Err(lost.map_or(VerifyError::NotIssued { request }, VerifyError::Store))
    }

    fn mac(&self, request: RequestId, code: &str) -> Result<hmac::Hmac<sha2::Sha256>, StoreError> {
        let mut mac = self.key.hmac()?;
        mac.update(format!("{DOMAIN}\n{}\n{request}\n{code}", self.scope.controller()).as_bytes());
        Ok(mac)
    }

    fn hash(&self, request: RequestId, code: &str) -> Result<Digest, StoreError> {
        Ok(Digest::from_bytes(self.mac(request, code)?.finalize().into_bytes().into()))
    }

    async fn load(&self, key: DocumentKey) -> Result<Option<(Record, Version)>, StoreError> {
        match self.ledger.get_document(self.scope, key).await? {
            Some(stored) => Ok(Some((crate::store::decode_body(key, stored.body)?, stored.version))),
            None => Ok(None),
        }
    }

    async fn save(&self, key: DocumentKey, record: &Record, expected: Version) -> Result<(), StoreError> {
        let body = crate::store::encode_body(key, record)?;
        self.ledger.put_document(self.scope, key, &body, expected).await.map(|_| ())
    }
}

fn document_key(request: RequestId) -> DocumentKey {
    DocumentKey { kind: DocumentKind::Verification, id: request.as_uuid() }
}

/// [`CODE_DIGITS`] uniformly random decimal digits from the operating system's generator.
fn random_code() -> Result<String, VerifyError> {
    const SPACE: u64 = 10u64.pow(CODE_DIGITS as u32);
    // The largest multiple of SPACE that fits: drawing below it and reducing is uniform.
    const BELOW: u64 = u64::MAX - u64::MAX % SPACE;
    loop {
        let n = getrandom::u64().map_err(|e| VerifyError::Random { reason: e.to_string() })?;
        if n < BELOW {
            return Ok(format!("{:0width$}", n % SPACE, width = CODE_DIGITS));
        }
    }
}
