//! The request desk: one safe path from a data subject's request to its answer (Arts. 12,
//! 15-22).
//!
//! A [`Desk`] is a controller's front office over its ledger, its audit log, the registered
//! [`PersonalDataSource`]s and the scope's erasure policy. Every change of a request goes
//! through the request's lifecycle ([`execute`](crate::store::LedgerStoreExt::execute)), and
//! [`Desk::fulfil`] ties the request to its fulfilment:
//!
//! - it runs the operation that matches the request's kind (Art. 15 access, 16 rectification
//!   through [`Desk::rectify`], 17 erasure, 18 restriction, 20 portability), on the identifiers
//!   the request was received with, under the request's own id;
//! - it is refused, with the lifecycle's rejection naming the article, unless the request is in
//!   progress with the requester's identity settled (verified, or recorded as not needing
//!   verification, Art. 5(1)(f) with Art. 12(6)); nothing runs against a source before that;
//! - an erasure always joins the scope's legal holds to the policy (Art. 17(3)), whatever the
//!   caller passed;
//! - it records what the run came to as the request's own event, and the request completes only
//!   when every source completed (Art. 12(3)); an incomplete run leaves the request in progress
//!   with the failed sources named, and calling `fulfil` again resumes from the fulfilment's
//!   journal.
//!
//! A processor that receives a request ([`ProcessorDesk`]) records it in the controller's scope
//! and forwards it (Art. 28(3)(e)): the controller's desk then sees it, without the backend
//! copying anything by hand.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use chrono::{DateTime, Utc};
//! use gdpr_obligations::desk::Desk;
//! use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text};
//! use gdpr_obligations::request::{
//!     Channel, ComplaintInformation, ErasureGround, Processing, Receipt, RequestKind, StatusName,
//! };
//! use gdpr_obligations::store::PseudonymKey;
//! use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
//! use gdpr_obligations::time::DeadlinePolicy;
//! use gdpr_obligations::vocab::{LegalBasis, Purpose};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let shop = PartyId::generate();
//! let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef")?;
//! let desk = Desk::new(shop, Arc::new(MemoryLedger::new()), Arc::new(MemoryAuditLog::new()), key);
//!
//! // A visitor asks in the chat to be forgotten.
//! let at: DateTime<Utc> = "2026-03-16T09:00:00Z".parse()?;
//! let receipt = Receipt::new(
//!     shop,
//!     at,
//!     RequestKind::Erasure { ground: ErasureGround::NoLongerNecessary },
//!     Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
//!     Channel::Chat,
//!     DeadlinePolicy::czech(),
//!     ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
//! )
//! .with_requester([SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?)]);
//! let id = desk.receive(receipt).await?.id();
//! desk.start(id, at).await?;
//!
//! // Nothing is erased before the requester's identity is settled (Art. 5(1)(f)) ...
//! let refused = desk.fulfil(id, at).await.unwrap_err();
//! assert_eq!(refused.article().map(|a| a.to_string()).as_deref(), Some("Art. 5(1)(f)"));
//!
//! // ... and once it is, the erasure runs and the request completes with its report.
//! desk.waive_verification(id, at, Text::new("asked from the chat session whose data it is")?).await?;
//! let done = desk.fulfil(id, at).await?;
//! assert_eq!(done.request.status().name(), StatusName::Completed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: receive, verify, fulfil, complete
//! A whole request on a chat backend's own runtime (tokio, with the `macros` and
//! `rt-multi-thread` features), over the in-memory stores; a backend passes its SQLite or
//! PostgreSQL store and its own [`PersonalDataSource`] the same way.
//! ```
//! use std::sync::Arc;
//! use gdpr_obligations::desk::{Desk, FulfilmentReport};
//! use gdpr_obligations::model::{PartyId, SubjectId, SubjectIdentifier, Text, Token};
//! use gdpr_obligations::request::{
//!     Channel, Command, ComplaintInformation, Processing, Receipt, RequestKind, StatusName,
//! };
//! use gdpr_obligations::store::chat::{ChatHistory, Sender};
//! use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
//! use gdpr_obligations::store::{PseudonymKey, Scope};
//! use gdpr_obligations::time::{Clock, DeadlinePolicy, SystemClock};
//! use gdpr_obligations::vocab::{LegalBasis, Purpose};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let shop = PartyId::generate();
//!     let now = SystemClock.now();
//!
//!     // The shop's chat, where a visitor has written (your own tables would implement
//!     // `PersonalDataSource`; `ChatHistory` is the crate's reference one).
//!     let chat = Arc::new(ChatHistory::new());
//!     let eva = chat.add_visitor(Scope::of(shop), Token::new("v-eva")?, now).await?;
//!     let talk = chat.start_conversation(Scope::of(shop), eva, now).await?;
//!     let text = Text::new("Where is my order 42?")?;
//!     chat.post(Scope::of(shop), talk, Sender::Visitor(eva), text, vec![], now).await?;
//!
//!     // The shop's desk over its ledger, its audit log and its sources.
//!     let key = PseudonymKey::new(b"a managed secret of 32 bytes!!!!")?;
//!     let (ledger, audit) = (Arc::new(MemoryLedger::new()), Arc::new(MemoryAuditLog::new()));
//!     let desk = Desk::new(shop, ledger, audit, key).with_source(chat);
//!
//!     // Receive: the visitor asks in the chat for a copy of her data (Art. 15).
//!     let receipt = Receipt::new(
//!         shop,
//!         now,
//!         RequestKind::Access,
//!         Processing::new(LegalBasis::LegitimateInterests, Purpose::CustomerCare),
//!         Channel::Chat,
//!         DeadlinePolicy::czech(),
//!         ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
//!     )
//!     .with_requester([SubjectIdentifier::ChatVisitorToken(Token::new("v-eva")?)]);
//!     let request = desk.receive(receipt).await?;
//!     let id = request.id();
//!     let due = request.deadlines().ok_or("received requests have deadlines")?.due();
//!     println!("answer due on {}", due.date()); // one month, Art. 12(3)
//!
//!     // Verify: her identity is settled before anything is disclosed (Art. 12(6)). With a
//!     // notifier (`Desk::with_notifier`), `send_verification` sends her a one-time code and
//!     // `confirm_identity` checks what she types; here the agent recorded who she is.
//!     desk.start(id, now).await?;
//!     desk.execute(id, Command::VerifyIdentity { at: now, subject: SubjectId::generate() }).await?;
//!
//!     // Fulfil: the copy from every source; complete: the request completes with it.
//!     let done = desk.fulfil(id, now).await?;
//!     assert_eq!(done.request.status().name(), StatusName::Completed);
//!     if let FulfilmentReport::Access(report) = &done.report {
//!         // Her profile, her part in the conversation and her message (Art. 15(3)).
//!         assert_eq!(report.copy.len(), 3);
//!     }
//!     Ok(())
//! }
//! ```

mod consent;
mod processor;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::erasure::{ErasurePolicy, Rectification};
use crate::fulfil::{
    AccessReport, ByteStream, FulfilError, Fulfilment, NoticeRecord, RecipientNoticeGiven, StepReport,
};
use crate::lifecycle::Rejected;
use crate::model::{PartyId, SourceName, SubjectId, SubjectIdentifier, Text};
use crate::request::{
    CarriedOut, Channel, Command, CommandName, ExtensionJustification, RefusalGround, Rejection, Reply, Request,
    RequestId, RequestKind, StatusName, Withheld,
};
use crate::store::{
    AuditAction, AuditEntry, AuditLog, ExecuteError, LedgerStore, LedgerStoreExt, PersonalDataSource, PseudonymKey,
    Scope, StoreError, SubjectKey, Versioned,
};
use crate::verify::{Notifier, VerificationCodes, VerifyError};
use crate::vocab::Article;

pub use consent::ConsentWithdrawn;
pub use processor::ProcessorDesk;

/// Why the desk did not do what it was asked. Every variant says what was wrong and where,
/// without personal data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// There is no such request in this controller's scope (another controller's request is
    /// not found either).
    #[error("there is no request {request} in this scope")]
    NotFound {
        /// The request asked for.
        request: RequestId,
    },
    /// The request's lifecycle refused the step: the rejection names the step, the state and
    /// the article.
    #[error(transparent)]
    Rejected(Rejection),
    /// The request names another controller than the desk's (Art. 12: a request lives in the
    /// scope of the controller that must answer it).
    #[error("request {request} is addressed to another controller than this desk's")]
    OtherController {
        /// The request.
        request: RequestId,
    },
    /// A processor's desk was given a request that did not reach that processor, or asked to
    /// forward one it did not receive (Art. 28(3)(e)).
    #[error("Art. 28(3)(e): request {request} was not received by this processor")]
    NotReceivedHere {
        /// The request.
        request: RequestId,
    },
    /// The request's kind is not carried out by an operation on the sources: an objection
    /// (Art. 21), a review of an automated decision (Art. 22) or a consent withdrawal (Art. 7(3))
    /// is answered by changing the processing itself, and completed with a summary.
    #[error("{article}: a request of this kind is not carried out on the personal-data sources: {reason}")]
    NothingToRun {
        /// The provision of the request's right.
        article: Article,
        /// What to do instead.
        reason: &'static str,
    },
    /// The scope holds no such consent (another controller's consent is not found either).
    #[error("Art. 7(3): there is no consent {consent} in this scope")]
    ConsentNotFound {
        /// The consent asked for.
        consent: crate::consent::ConsentId,
    },
    /// The consent named is not the one the withdrawal request is about: another purpose than
    /// the request's, or another data subject than the verified requester (Art. 7(3)).
    #[error("Art. 7(3): consent {consent} is not for the purpose and data subject of request {request}")]
    ConsentMismatch {
        /// The request.
        request: RequestId,
        /// The consent named.
        consent: crate::consent::ConsentId,
    },
    /// The consent's lifecycle refused the withdrawal: the error names the transition, the
    /// state and the article.
    #[error(transparent)]
    ConsentRejected(crate::consent::ConsentError),
    /// A rectification request is carried out with the correction: use [`Desk::rectify`].
    #[error("Art. 16: a rectification is carried out with its correction; call `rectify`")]
    NeedsRectification,
    /// The request was received without any identifier to find the data subject by (Art. 11(2)).
    #[error("Art. 11(2): request {request} names no identifier by which to find the data subject")]
    NoIdentifiers {
        /// The request.
        request: RequestId,
    },
    /// The request names identifiers, but none that singles the data subject out: names and IP
    /// addresses are weak ([`SubjectIdentifier::is_strong`]), shared by namesakes and by
    /// everyone behind one network address, so acting on them would disclose or change other
    /// people's data. Nothing was read (Art. 11(2), 12(6), Recital 64): ask the requester for
    /// an identifier that singles them out.
    #[error(
        "Art. 11(2), 12(6): request {request} names no identifier that singles the data subject out (a name \
         or an IP address never does); ask for an e-mail address, a phone number, an account id or a token"
    )]
    OnlyWeakIdentifiers {
        /// The request.
        request: RequestId,
    },
    /// Other desks changed the request on every attempt, or another desk is carrying it out
    /// (it wrote the fulfilment's journal first); this desk recorded no step: try again later.
    #[error("request {request} is being changed or carried out by another desk; try again")]
    Contended {
        /// The request.
        request: RequestId,
    },
    /// Identity verification failed: a wrong, expired, used or locked code, or an identifier a
    /// code cannot be sent to (Art. 12(6), Art. 32).
    #[error("identity verification failed")]
    Verify(#[source] VerifyError),
    /// The desk has no notifier to send a verification code through ([`Desk::with_notifier`]).
    #[error("the desk has no notifier to send a verification code through")]
    NoNotifier,
    /// The fulfilment could not use its ledger; what was done is journaled, run it again.
    #[error("the fulfilment failed")]
    Fulfil(#[source] FulfilError),
    /// The ledger or the audit log failed.
    #[error("the ledger failed")]
    Store(#[source] StoreError),
}

impl DeskError {
    /// The provision behind the refusal, where there is one.
    #[must_use]
    pub fn article(&self) -> Option<Article> {
        match self {
            DeskError::Rejected(r) => r.article(),
            DeskError::OtherController { .. } => Some(Article::gdpr(12)),
            DeskError::NotReceivedHere { .. } => Some(Article::gdpr(28).paragraph(3).point('e')),
            DeskError::NothingToRun { article, .. } => Some(*article),
            DeskError::NeedsRectification => Some(Article::gdpr(16)),
            DeskError::ConsentNotFound { .. } | DeskError::ConsentMismatch { .. } => {
                Some(Article::gdpr(7).paragraph(3))
            }
            DeskError::ConsentRejected(e) => Some(e.article),
            DeskError::NoIdentifiers { .. } | DeskError::OnlyWeakIdentifiers { .. } => {
                Some(Article::gdpr(11).paragraph(2))
            }
            DeskError::Verify(VerifyError::Random { .. } | VerifyError::Store(_)) => None,
            DeskError::Verify(_) => Some(Article::gdpr(12).paragraph(6)),
            _ => None,
        }
    }

    fn from_execute(request: RequestId, e: ExecuteError<Rejection>) -> Self {
        match e {
            ExecuteError::Rejected(r) => DeskError::Rejected(r),
            ExecuteError::NotFound { .. } => DeskError::NotFound { request },
            ExecuteError::Contended { .. } => DeskError::Contended { request },
            ExecuteError::Store(StoreError::Invalid { .. }) => DeskError::OtherController { request },
            ExecuteError::Store(e) => DeskError::Store(e),
        }
    }
}

impl From<StoreError> for DeskError {
    fn from(e: StoreError) -> Self {
        DeskError::Store(e)
    }
}

impl From<FulfilError> for DeskError {
    fn from(e: FulfilError) -> Self {
        DeskError::Fulfil(e)
    }
}

/// How the desk answers a request it carries out ([`Desk::fulfil_with`], [`Desk::rectify_with`]):
/// what is withheld from the copy because it would adversely affect the rights and freedoms of
/// others (Art. 15(4), 20(4)), with its reasons and the complaint information for that part
/// (Art. 12(4)), and the channel the answer goes through (Art. 12(3), last sentence: by default
/// the channel the request came through). The default withholds nothing.
///
/// # Example
/// ```
/// use gdpr_obligations::desk::Answer;
/// use gdpr_obligations::request::{Channel, Reply};
///
/// let answer = Answer::new().via(Reply::as_requested(Channel::Post));
/// assert_eq!(answer.reply, Some(Reply::as_requested(Channel::Post)));
/// assert!(answer.withheld.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Answer {
    /// What is withheld from the copy, and why (Art. 15(4), 20(4)); only for access and
    /// portability requests.
    pub withheld: Option<Withheld>,
    /// How the answer reaches the data subject; `None`: through the channel the request came
    /// through.
    pub reply: Option<Reply>,
}

impl Answer {
    /// An answer that withholds nothing, through the request's own channel.
    #[must_use]
    pub fn new() -> Self {
        Answer::default()
    }

    /// Withholds `withheld` from the copy (Art. 15(4), 20(4)).
    #[must_use]
    pub fn withholding(mut self, withheld: Withheld) -> Self {
        self.withheld = Some(withheld);
        self
    }

    /// Sends the answer through `reply` (Art. 12(3), last sentence).
    #[must_use]
    pub fn via(mut self, reply: Reply) -> Self {
        self.reply = Some(reply);
        self
    }
}

/// What [`Desk::fulfil`] produced: the request after the run, and the report to answer with.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "the report is the answer the data subject is owed"]
pub struct Fulfilled {
    /// The request after the run: completed, or still in progress with the failed sources named
    /// ([`Request::carried_out`]).
    pub request: Request,
    /// What the run produced.
    pub report: FulfilmentReport,
}

/// The report of a fulfilment, by the kind of request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FulfilmentReport {
    /// Art. 15: the access report, with the copy of the data.
    Access(Box<AccessReport>),
    /// Art. 20: the portable export was checked against every source; the bytes are read with
    /// [`Desk::portable_export`].
    Portability {
        /// The records the export holds.
        records: u64,
        /// The sources that failed.
        failed: Vec<SourceName>,
    },
    /// Arts. 16, 17 and 18: what happened to each record, what was retained and why, and the
    /// recipients to tell (Art. 19).
    Step(Box<StepReport>),
}

impl FulfilmentReport {
    /// Whether every source completed.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        match self {
            FulfilmentReport::Access(r) => r.complete,
            FulfilmentReport::Portability { failed, .. } => failed.is_empty(),
            FulfilmentReport::Step(r) => r.complete,
        }
    }
}

/// A controller's request desk: every step of a data-subject request, in one controller's scope.
///
/// Cheap to clone (it holds `Arc`s), `Send + Sync + 'static`: a web service keeps one per
/// controller, or builds one per call.
#[derive(Clone)]
pub struct Desk {
    scope: Scope,
    ledger: Arc<dyn LedgerStore>,
    audit: Arc<dyn AuditLog>,
    sources: Vec<Arc<dyn PersonalDataSource>>,
    pseudonyms: Arc<PseudonymKey>,
    erasure_policy: ErasurePolicy,
    codes: VerificationCodes,
    notifier: Option<Arc<dyn Notifier>>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.name().as_str()).collect();
        f.debug_struct("Desk").field("scope", &self.scope).field("sources", &names).finish_non_exhaustive()
    }
}

impl Desk {
    /// The desk of `controller`, over its ledger and audit log, with the key that turns subjects
    /// into keyed hashes for the audit log and the erasure ledger. Register the sources with
    /// [`with_source`](Self::with_source).
    #[must_use]
    pub fn new(
        controller: PartyId,
        ledger: Arc<dyn LedgerStore>,
        audit: Arc<dyn AuditLog>,
        pseudonyms: PseudonymKey,
    ) -> Self {
        let scope = Scope::of(controller);
        Self {
            scope,
            codes: VerificationCodes::new(ledger.clone(), scope, pseudonyms.clone()),
            ledger,
            audit,
            sources: Vec::new(),
            pseudonyms: Arc::new(pseudonyms),
            erasure_policy: ErasurePolicy::default(),
            notifier: None,
        }
    }

    /// The notifier through which [`send_verification`](Self::send_verification) delivers
    /// identity verification codes (the product's mailer or SMS gateway).
    #[must_use]
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// The verification codes' settings (lifetime, attempts, codes per request), in place of
    /// the defaults over the desk's ledger, scope and key.
    #[must_use]
    pub fn with_verification_codes(mut self, codes: VerificationCodes) -> Self {
        self.codes = codes;
        self
    }

    /// Registers a personal-data source; sources are carried out in the order registered.
    #[must_use]
    pub fn with_source(mut self, source: Arc<dyn PersonalDataSource>) -> Self {
        self.sources.push(source);
        self
    }

    /// The controller's erasure policy (what is retained, and on which Art. 17(3) ground); the
    /// scope's legal holds always join it.
    #[must_use]
    pub fn with_erasure_policy(mut self, policy: ErasurePolicy) -> Self {
        self.erasure_policy = policy;
        self
    }

    /// The controller's scope.
    #[must_use]
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The ledger the desk writes to.
    #[must_use]
    pub fn ledger(&self) -> &Arc<dyn LedgerStore> {
        &self.ledger
    }

    /// Records a request received by the controller, or by its processor (then it waits to be
    /// forwarded, Art. 28(3)(e)). A request for a right the data subject does not have for the
    /// processing concerned is received and refused at once, naming the article.
    ///
    /// # Errors
    /// [`DeskError::OtherController`] when the receipt names another controller;
    /// [`DeskError::Rejected`] when a request with this id exists or a date is out of range;
    /// [`DeskError::Store`].
    pub async fn receive(&self, receipt: crate::request::Receipt) -> Result<Request, DeskError> {
        let id = receipt.id;
        if receipt.controller != self.scope.controller() {
            return Err(DeskError::OtherController { request: id });
        }
        self.execute(id, Command::Receive(Box::new(receipt))).await
    }

    /// The request with its version.
    ///
    /// # Errors
    /// [`DeskError::NotFound`] when it is not in this scope; [`DeskError::Store`].
    pub async fn request(&self, id: RequestId) -> Result<Versioned<Request>, DeskError> {
        self.ledger.load::<Request>(self.scope, id).await?.ok_or(DeskError::NotFound { request: id })
    }

    /// Every request in this scope, ordered by id.
    ///
    /// # Errors
    /// [`DeskError::Store`].
    pub async fn requests(&self) -> Result<Vec<Request>, DeskError> {
        let mut requests = Vec::new();
        for id in self.ledger.ids::<Request>(self.scope).await? {
            requests.push(self.ledger.fetch::<Request>(self.scope, id).await?.value);
        }
        Ok(requests)
    }

    /// Applies any step of the request's lifecycle: identity steps (Art. 12(6)), clarification,
    /// fees (Art. 12(5)), extension (Art. 12(3)), refusal (Art. 12(4)), start, withdrawal.
    /// [`Command::RecordCarriedOut`] is refused here: only [`fulfil`](Self::fulfil) records what a
    /// fulfilment came to, from the fulfilment's own report. So is [`Command::Complete`] for a
    /// request carried out on the sources (access, rectification, erasure, restriction,
    /// portability): such a request completes only through `fulfil`, once every source completed
    /// (Art. 12(3)); objections, Art. 22 reviews and consent withdrawals are completed here.
    ///
    /// # Errors
    /// [`DeskError::Rejected`] naming the step, the state and the article;
    /// [`DeskError::NotFound`]; [`DeskError::Contended`]; [`DeskError::Store`].
    pub async fn execute(&self, id: RequestId, command: Command) -> Result<Request, DeskError> {
        if let Command::RecordCarriedOut { at, .. } = &command {
            let state = self.request(id).await?.value;
            return Err(DeskError::Rejected(rejected(
                command.name(),
                state.status().name(),
                Article::gdpr(12).paragraph(3),
                format!("only the desk's fulfil records what carrying it out came to (asked at {at})"),
            )));
        }
        if let Command::Complete { at, .. } = &command {
            let state = self.request(id).await?.value;
            if runs_on_sources(state.kind()) {
                return Err(DeskError::Rejected(rejected(
                    command.name(),
                    state.status().name(),
                    Article::gdpr(12).paragraph(3),
                    format!(
                        "a request under {} is completed by carrying it out on the sources: call fulfil (asked at {at})",
                        state.kind().article()
                    ),
                )));
            }
        }
        self.record(id, &command).await
    }

    async fn record(&self, id: RequestId, command: &Command) -> Result<Request, DeskError> {
        let done = self
            .ledger
            .execute::<Request>(self.audit.as_ref(), self.scope, id, command)
            .await
            .map_err(|e| DeskError::from_execute(id, e))?;
        Ok(done.state)
    }

    /// Starts carrying the request out.
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn start(&self, id: RequestId, at: DateTime<Utc>) -> Result<Request, DeskError> {
        self.execute(id, Command::Start { at }).await
    }

    /// Records that verifying the requester's identity is unnecessary, and why (Art. 12(6): only
    /// on reasonable doubts may the controller ask).
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn waive_verification(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        reason: Text,
    ) -> Result<Request, DeskError> {
        self.execute(id, Command::WaiveVerification { at, reason }).await
    }

    /// Asks the data subject to specify the request (Recital 63).
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn request_clarification(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        question: Text,
    ) -> Result<Request, DeskError> {
        self.execute(id, Command::RequestClarification { at, question }).await
    }

    /// Extends the period by two further months, once, notified within the first month
    /// (Art. 12(3)).
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn extend(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        justification: ExtensionJustification,
        notified_via: Channel,
    ) -> Result<Request, DeskError> {
        self.execute(id, Command::Extend { at, justification, notified_via }).await
    }

    /// Refuses to act on the request, with the complaint information of Art. 12(4).
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn refuse(&self, id: RequestId, at: DateTime<Utc>, ground: RefusalGround) -> Result<Request, DeskError> {
        self.execute(id, Command::Refuse { at, ground, reply: None }).await
    }

    /// Refuses to act on the request, as [`refuse`](Self::refuse), with the refusal sent
    /// through `reply` rather than the channel the request came through (Art. 12(3), last
    /// sentence; 12(4)).
    ///
    /// # Errors
    /// As [`execute`](Self::execute).
    pub async fn refuse_with(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        ground: RefusalGround,
        reply: Reply,
    ) -> Result<Request, DeskError> {
        self.execute(id, Command::Refuse { at, ground, reply: Some(reply) }).await
    }

    /// Carries the request out across every registered source with the operation its kind
    /// calls for, records what it came to, and completes the request when every source
    /// completed. Running it again after an incomplete run resumes from the journal.
    ///
    /// # Errors
    /// [`DeskError::Rejected`] (nothing ran) unless the request is in progress with its
    /// identity settled (Art. 5(1)(f)); [`DeskError::NothingToRun`] for an objection, an
    /// Art. 22 review or a consent withdrawal; [`DeskError::NeedsRectification`] for a
    /// rectification; [`DeskError::NoIdentifiers`]; [`DeskError::OnlyWeakIdentifiers`] (nothing
    /// ran) when the request names only names and IP addresses (Art. 11(2), 12(6));
    /// [`DeskError::NotFound`];
    /// [`DeskError::Contended`] when another desk is carrying it out at the same time;
    /// [`DeskError::Fulfil`] when the ledger failed mid-run (run it again to resume).
    pub async fn fulfil(&self, id: RequestId, at: DateTime<Utc>) -> Result<Fulfilled, DeskError> {
        self.carry_out(id, at, None, &Answer::new()).await
    }

    /// Carries the request out as [`fulfil`](Self::fulfil) does, and answers as `answer` says:
    /// with a part of the copy withheld under Art. 15(4) or 20(4) (the rights of others limit
    /// the copy, never the whole answer), or through another channel (Art. 12(3)). The lifecycle
    /// checks the answer before any source runs: a withholding on a request that is not for
    /// access or portability is rejected with nothing run.
    ///
    /// # Errors
    /// As [`fulfil`](Self::fulfil).
    pub async fn fulfil_with(&self, id: RequestId, at: DateTime<Utc>, answer: Answer) -> Result<Fulfilled, DeskError> {
        self.carry_out(id, at, None, &answer).await
    }

    /// Carries a rectification request out (Art. 16) with its correction, as
    /// [`fulfil`](Self::fulfil) does for the other kinds.
    ///
    /// # Errors
    /// As [`fulfil`](Self::fulfil); [`DeskError::Rejected`] when the request is not a
    /// rectification.
    pub async fn rectify(
        &self,
        id: RequestId,
        rectification: &Rectification,
        at: DateTime<Utc>,
    ) -> Result<Fulfilled, DeskError> {
        self.carry_out(id, at, Some(rectification), &Answer::new()).await
    }

    /// Carries a rectification request out as [`rectify`](Self::rectify) does, answering
    /// through the channel `answer` names (Art. 12(3)).
    ///
    /// # Errors
    /// As [`rectify`](Self::rectify).
    pub async fn rectify_with(
        &self,
        id: RequestId,
        rectification: &Rectification,
        at: DateTime<Utc>,
        answer: Answer,
    ) -> Result<Fulfilled, DeskError> {
        self.carry_out(id, at, Some(rectification), &answer).await
    }

    /// Carries the request out. When another desk wrote the fulfilment's journal first (two
    /// desks on one database, both asked to fulfil), the other is carrying it out: this one
    /// stops, with [`DeskError::Contended`], rather than run the sources a second time; a later
    /// `fulfil` resumes from the journal or answers with what the other completed.
    async fn carry_out(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        rectification: Option<&Rectification>,
        answer: &Answer,
    ) -> Result<Fulfilled, DeskError> {
        match self.carry_out_once(id, at, rectification, answer).await {
            Err(DeskError::Fulfil(FulfilError::Store(StoreError::Conflict { .. } | StoreError::Duplicate { .. }))) => {
                Err(DeskError::Contended { request: id })
            }
            done => done,
        }
    }

    async fn carry_out_once(
        &self,
        id: RequestId,
        at: DateTime<Utc>,
        rectification: Option<&Rectification>,
        answer: &Answer,
    ) -> Result<Fulfilled, DeskError> {
        let request = self.request(id).await?.value;
        let kind = *request.kind();
        match (&kind, rectification) {
            (RequestKind::Rectification, None) => return Err(DeskError::NeedsRectification),
            (RequestKind::Rectification, Some(_)) => {}
            (_, Some(_)) => {
                return Err(DeskError::Rejected(rejected(
                    CommandName::RecordCarriedOut,
                    request.status().name(),
                    kind.article(),
                    "a correction applies only to a rectification request (Art. 16)".to_owned(),
                )));
            }
            (RequestKind::Objection { .. }, None) => {
                return Err(DeskError::NothingToRun {
                    article: kind.article(),
                    reason: "stop the processing objected to, then complete the request with a summary",
                });
            }
            (RequestKind::AutomatedDecisionReview, None) => {
                return Err(DeskError::NothingToRun {
                    article: kind.article(),
                    reason: "a person reviews the decision, then the request is completed with a summary",
                });
            }
            (RequestKind::RecipientInformation, None) => {
                return Err(DeskError::NothingToRun {
                    article: kind.article(),
                    reason: "tell the data subject the recipients from the Art. 19 notices given (fulfil::recipient_information), then complete the request with a summary",
                });
            }
            (RequestKind::ConsentWithdrawal, None) => {
                return Err(DeskError::NothingToRun {
                    article: kind.article(),
                    reason: "call withdraw_consent: it records the withdrawal on the consent as of receipt and completes the request",
                });
            }
            _ => {}
        }
        // The lifecycle's own rule decides whether the request may be carried out now: in
        // progress, identity settled. Nothing runs against a source before it agrees.
        let probe = Command::RecordCarriedOut {
            at,
            outcome: CarriedOut::new(0, []),
            summary: summary(&kind)?,
            withheld: answer.withheld.clone(),
            reply: answer.reply,
        };
        if let Err(rejection) = request.decide(&probe) {
            if request.status().name() == StatusName::Completed && request.carried_out().is_some() {
                // Carried out before (a crash may have hidden the answer): the journal replays the
                // same report without touching a source again.
                let report = self.run(&request, &kind, at, rectification).await?;
                return Ok(Fulfilled { request, report });
            }
            return Err(DeskError::Rejected(rejection));
        }
        let report = self.run(&request, &kind, at, rectification).await?;
        let outcome = outcome_of(&report);
        let command = Command::RecordCarriedOut {
            at,
            outcome,
            summary: summary(&kind)?,
            withheld: answer.withheld.clone(),
            reply: answer.reply,
        };
        let request = match self.record(id, &command).await {
            Ok(request) => request,
            // Another desk completed it while this one ran: the journal gave both the same report.
            Err(DeskError::Rejected(rejection)) => {
                let fresh = self.request(id).await?.value;
                let completed = fresh.status().name() == StatusName::Completed
                    && fresh.carried_out().is_some_and(CarriedOut::is_complete);
                if !completed {
                    return Err(DeskError::Rejected(rejection));
                }
                // This run read the journal while the other desk still ran, and a source failed
                // here where it completed there (busy with the other's erasure): the journal now
                // holds every source done, so it replays the other's report without touching a
                // source, as a `fulfil` of a request completed before does.
                let report =
                    if report.is_complete() { report } else { self.run(&fresh, &kind, at, rectification).await? };
                if !report.is_complete() {
                    return Err(DeskError::Rejected(rejection));
                }
                return Ok(Fulfilled { request: fresh, report });
            }
            Err(e) => return Err(e),
        };
        Ok(Fulfilled { request, report })
    }

    async fn run(
        &self,
        request: &Request,
        kind: &RequestKind,
        at: DateTime<Utc>,
        rectification: Option<&Rectification>,
    ) -> Result<FulfilmentReport, DeskError> {
        let id = request.id();
        let subject = identifiers(request)?.to_vec();
        let fulfilment = Fulfilment::new(
            self.scope,
            self.ledger.as_ref(),
            self.audit.as_ref(),
            self.sources.clone(),
            &self.pseudonyms,
        );
        Ok(match (kind, rectification) {
            (RequestKind::Access, _) => FulfilmentReport::Access(Box::new(fulfilment.access(id, &subject, at).await?)),
            (RequestKind::Portability, _) => {
                let (records, failed) = self.count_portable(&subject).await;
                FulfilmentReport::Portability { records, failed }
            }
            (RequestKind::Erasure { .. }, _) => {
                FulfilmentReport::Step(Box::new(fulfilment.erase(id, &subject, &self.erasure_policy, at).await?))
            }
            (RequestKind::Restriction { .. }, _) => {
                FulfilmentReport::Step(Box::new(fulfilment.restrict(id, &subject, at).await?))
            }
            (RequestKind::Rectification, Some(r)) => {
                FulfilmentReport::Step(Box::new(fulfilment.rectify(id, &subject, r, at).await?))
            }
            _ => return Err(DeskError::NeedsRectification),
        })
    }

    /// Reads every source's portable export through without keeping it, counting what the
    /// subject provided (Art. 20(1)) and naming the sources that fail.
    async fn count_portable(&self, subject: &[SubjectIdentifier]) -> (u64, Vec<SourceName>) {
        let mut records = 0u64;
        let mut failed = Vec::new();
        for source in &self.sources {
            let counted = async {
                let mut stream = source.export(self.scope, subject).await?;
                let mut n = 0u64;
                while let Some(item) = stream.next().await {
                    if item?.provided_by_subject {
                        n += 1;
                    }
                }
                Ok::<u64, StoreError>(n)
            }
            .await;
            match counted {
                Ok(n) => records += n,
                Err(_) => failed.push(source.name().clone()),
            }
        }
        (records, failed)
    }

    /// Asks the requester to confirm their identity by a code sent to the e-mail address or
    /// phone number the request was received with (Art. 12(6)): records the identity request
    /// (pausing the deadlines where the policy says so) and sends a random, single-use code
    /// through the notifier; the code is stored only as a keyed hash (Art. 32). Called again
    /// while the request waits, it sends a new code, up to the codes' limit. Returns when the
    /// code expires.
    ///
    /// # Errors
    /// [`DeskError::NoNotifier`]; [`DeskError::NoIdentifiers`] when the request names no
    /// identifier; [`DeskError::Verify`] when none can receive a code or too many were sent;
    /// [`DeskError::Rejected`] when the lifecycle does not allow an identity request now
    /// (Art. 12(6): only under Arts. 15-21, not once settled); [`DeskError::NotFound`].
    pub async fn send_verification(&self, id: RequestId, at: DateTime<Utc>) -> Result<DateTime<Utc>, DeskError> {
        let notifier = self.notifier.as_ref().ok_or(DeskError::NoNotifier)?;
        let request = self.request(id).await?.value;
        let to = deliverable(&request)?;
        if request.status().name() != StatusName::AwaitingIdentity {
            let information = Text::new(match to {
                SubjectIdentifier::Phone(_) => "the code sent to the phone number given with the request",
                _ => "the code sent to the e-mail address given with the request",
            })
            .map_err(|e| StoreError::Invalid { what: "identity request".to_owned(), reason: e.to_string() })?;
            self.record(id, &Command::RequestIdentity { at, information }).await?;
        }
        self.codes.send(notifier.as_ref(), id, to, at).await.map_err(DeskError::Verify)
    }

    /// Checks the code the requester typed and, when it is right, records their identity as
    /// verified (Art. 12(6)). The data subject is recorded as the pseudonymous id of the
    /// identifier the code was sent to in this scope, so the same address always gives the same
    /// subject and the ledger never holds the address itself.
    ///
    /// # Errors
    /// [`DeskError::Verify`] for a wrong, expired, used or locked code (each wrong code uses
    /// one of the limited attempts); [`DeskError::Rejected`] when the lifecycle does not accept
    /// the verification now; [`DeskError::NotFound`].
    pub async fn confirm_identity(&self, id: RequestId, code: &str, at: DateTime<Utc>) -> Result<Request, DeskError> {
        let request = self.request(id).await?.value;
        let to = deliverable(&request)?;
        match self.codes.check(id, code, at).await {
            Ok(_) => {}
            // A right code was accepted before, and the verification was not recorded (the
            // process stopped in between): record it now.
            Err(VerifyError::AlreadyVerified { .. }) if !request.identity().is_settled() => {}
            Err(e) => return Err(DeskError::Verify(e)),
        }
        if request.status().name() == StatusName::AwaitingIdentity {
            self.record(id, &Command::ProvideIdentity { at }).await?;
        }
        let subject = subject_of(&SubjectKey::derive(&self.pseudonyms, self.scope, to));
        self.record(id, &Command::VerifyIdentity { at, subject }).await
    }

    /// The Art. 15(3) copy of the requester's data as an owned stream of JSON Lines
    /// ([`fulfil::access_copy`](crate::fulfil::access_copy)), for a web handler to return as
    /// its body. Only for an access request in progress or completed with the identity settled
    /// (Art. 5(1)(f)). When the stream has been read to its end, the audit log records it with
    /// the number of items and whether every source completed; a stream dropped before its end
    /// (the client went away) leaves no such entry.
    ///
    /// # Errors
    /// [`DeskError::Rejected`] naming the article when the request is not such a request;
    /// [`DeskError::NoIdentifiers`]; [`DeskError::OnlyWeakIdentifiers`] when the request names
    /// only names and IP addresses (Art. 11(2), 12(6)); [`DeskError::NotFound`].
    pub async fn access_copy(&self, id: RequestId, at: DateTime<Utc>) -> Result<ByteStream, DeskError> {
        let request = self.downloadable(id, RequestKind::Access).await?;
        let subject = request.receipt().requester.clone();
        let stream = crate::fulfil::access_copy(self.sources.clone(), self.scope, subject, id, at);
        Ok(self.audited(id, "access_copy", stream, at))
    }

    /// The Art. 20 portable export of the requester's data as an owned stream of JSON Lines
    /// ([`fulfil::portable_export`](crate::fulfil::portable_export)), under the same conditions
    /// and audit as [`access_copy`](Self::access_copy), for a portability request.
    ///
    /// # Errors
    /// As [`access_copy`](Self::access_copy).
    pub async fn portable_export(&self, id: RequestId, at: DateTime<Utc>) -> Result<ByteStream, DeskError> {
        let request = self.downloadable(id, RequestKind::Portability).await?;
        let subject = request.receipt().requester.clone();
        let stream = crate::fulfil::portable_export(self.sources.clone(), self.scope, subject, at);
        Ok(self.audited(id, "portable_export", stream, at))
    }

    async fn downloadable(&self, id: RequestId, kind: RequestKind) -> Result<Request, DeskError> {
        let request = self.request(id).await?.value;
        let state = request.status().name();
        let refuse = |article: Article, reason: &str| {
            Err(DeskError::Rejected(rejected(CommandName::RecordCarriedOut, state, article, reason.to_owned())))
        };
        if *request.kind() != kind {
            return refuse(kind.article(), "the request is of another kind");
        }
        if !request.identity().is_settled() {
            return refuse(
                Article::gdpr(5).paragraph(1).point('f'),
                "personal data are disclosed only once the requester's identity is settled (Art. 12(6))",
            );
        }
        if !matches!(state, StatusName::InProgress | StatusName::Completed) {
            return refuse(Article::gdpr(12).paragraph(3), "the request is not being carried out");
        }
        identifiers(&request)?;
        Ok(request)
    }

    /// `stream`, with an audit entry once it has been read to its end.
    fn audited(&self, id: RequestId, what: &'static str, stream: ByteStream, at: DateTime<Utc>) -> ByteStream {
        let (audit, scope) = (self.audit.clone(), self.scope);
        Box::pin(async_stream::stream! {
            let mut stream = stream;
            let (mut lines, mut completed) = (0u64, true);
            while let Some(chunk) = stream.next().await {
                match chunk {
                    Ok(bytes) => {
                        lines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
                        yield Ok(bytes);
                    }
                    Err(e) => {
                        completed = false;
                        yield Err(e);
                        break;
                    }
                }
            }
            if let Ok(source) = SourceName::new(what) {
                let records = lines.saturating_sub(1);
                let action = AuditAction::FulfilmentStep { request: id, source, records, completed };
                let entry = AuditEntry::new(at, action).with_actor(scope.controller());
                if let Err(e) = audit.append(scope, entry).await {
                    yield Err(FulfilError::Store(e));
                }
            }
        })
    }

    /// Records that a recipient was told of a rectification, erasure or restriction carried out
    /// for the request (Art. 19), or why telling it proved impossible or disproportionate.
    ///
    /// # Errors
    /// [`DeskError::NotFound`]; [`DeskError::Rejected`] when the request has not been carried
    /// out with a rectification, erasure or restriction; [`DeskError::Store`].
    pub async fn record_recipient_notice(
        &self,
        id: RequestId,
        given: RecipientNoticeGiven,
        at: DateTime<Utc>,
    ) -> Result<(), DeskError> {
        let request = self.request(id).await?.value;
        let kind = request.kind();
        let changes =
            matches!(kind, RequestKind::Rectification | RequestKind::Erasure { .. } | RequestKind::Restriction { .. });
        if !changes || request.carried_out().is_none() {
            return Err(DeskError::Rejected(rejected(
                CommandName::RecordCarriedOut,
                request.status().name(),
                Article::gdpr(19),
                "recipients are told of a rectification, erasure or restriction once it was carried out".to_owned(),
            )));
        }
        crate::fulfil::record_notice(self.ledger.as_ref(), self.scope, &NoticeRecord::recipient(id, at, given)).await?;
        Ok(())
    }
}

/// The identifiers the request was received with, when one of them singles the data subject
/// out; refused before any source is read otherwise (Art. 11(2), 12(6)).
fn identifiers(request: &Request) -> Result<&[SubjectIdentifier], DeskError> {
    let requester = &request.receipt().requester;
    if requester.is_empty() {
        Err(DeskError::NoIdentifiers { request: request.id() })
    } else if !requester.iter().any(SubjectIdentifier::is_strong) {
        Err(DeskError::OnlyWeakIdentifiers { request: request.id() })
    } else {
        Ok(requester)
    }
}

/// The identifier a verification code goes to: the request's first e-mail address or phone
/// number, else its first identifier (which the codes then refuse as undeliverable).
fn deliverable(request: &Request) -> Result<&SubjectIdentifier, DeskError> {
    let requester = &request.receipt().requester;
    requester
        .iter()
        .find(|i| matches!(i, SubjectIdentifier::Email(_) | SubjectIdentifier::Phone(_)))
        .or_else(|| requester.first())
        .ok_or(DeskError::NoIdentifiers { request: request.id() })
}

/// The pseudonymous subject id of a keyed identifier: the first 16 bytes of its keyed hash.
fn subject_of(key: &SubjectKey) -> SubjectId {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&key.digest().as_bytes()[..16]);
    SubjectId::from_uuid(uuid::Uuid::from_bytes(bytes))
}

/// Whether a request of this kind is carried out by an operation on the sources, so that only
/// [`Desk::fulfil`] (or [`Desk::rectify`]) may complete it.
fn runs_on_sources(kind: &RequestKind) -> bool {
    matches!(
        kind,
        RequestKind::Access
            | RequestKind::Portability
            | RequestKind::Rectification
            | RequestKind::Erasure { .. }
            | RequestKind::Restriction { .. }
    )
}

/// A rejection the desk makes itself, in the lifecycle's terms.
fn rejected(attempted: CommandName, state: StatusName, article: Article, reason: String) -> Rejection {
    Rejection { attempted, state, needed: Vec::new(), article: Some(article), reason }
}

/// The sentence the audit trail keeps when a request completes through the desk.
fn summary(kind: &RequestKind) -> Result<Text, DeskError> {
    let what = match kind {
        RequestKind::Access => "the confirmation, the Art. 15(1) information and the copy of the data were produced",
        RequestKind::Portability => "the data the subject provided were exported in the portable format",
        RequestKind::Erasure { .. } => {
            "the data were erased from every source, except what the report lists as retained"
        }
        RequestKind::Restriction { .. } => "processing of the data was restricted in every source",
        RequestKind::Rectification => "the data were rectified in every source",
        _ => "the request was carried out",
    };
    Text::new(&format!("carried out by the request desk: {what} ({})", kind.article()))
        .map_err(|e| DeskError::Store(StoreError::Invalid { what: "summary".to_owned(), reason: e.to_string() }))
}

/// What a report comes to, as the request records it.
fn outcome_of(report: &FulfilmentReport) -> CarriedOut {
    match report {
        FulfilmentReport::Access(r) => CarriedOut::new(
            r.copy.len() as u64,
            r.sources.iter().filter(|s| !s.is_completed()).map(|s| s.source.clone()),
        ),
        FulfilmentReport::Portability { records, failed } => CarriedOut::new(*records, failed.iter().cloned()),
        FulfilmentReport::Step(r) => CarriedOut::new(
            r.sources.iter().map(|s| s.records).sum(),
            r.sources.iter().filter(|s| !s.is_completed()).map(|s| s.source.clone()),
        ),
    }
}
