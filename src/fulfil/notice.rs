//! The notices owed once a request is carried out, and their record once given: to each
//! recipient (Art. 19), and to the data subject before a restriction is lifted (Art. 18(3)).
//!
//! [`RecipientNotice`] is what a [`StepReport`](super::StepReport) lists to do;
//! [`RecipientNoticeGiven`] is the same notice once given, kept in a [`NoticeRecord`] by
//! [`record_notice`] so that the agenda no longer lists it as owed.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Operation;
use crate::model::{LocalizedText, PartyId, Text};
use crate::request::RequestId;
use crate::store::{LedgerStore, LedgerStoreExt, Scope, StoreError, StreamKey, StreamKind, Version};
use crate::vocab::{Article, Country};

/// A recipient to tell of a rectification, erasure or restriction (Art. 19), unless that
/// proves impossible or involves disproportionate effort. Once told, record it as a
/// [`RecipientNoticeGiven`] ([`RecipientNotice::given`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RecipientNotice {
    /// The recipient's name or category, as the activities give it.
    pub recipient: LocalizedText,
    /// The recipient as a known party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// Where it processes.
    pub country: Country,
    /// What to tell it.
    pub operation: Operation,
    /// Art. 19.
    pub article: Article,
}

impl RecipientNotice {
    pub(crate) fn new(
        recipient: LocalizedText,
        party: Option<PartyId>,
        country: Country,
        operation: Operation,
    ) -> Self {
        Self { recipient, party, country, operation, article: Article::gdpr(19) }
    }

    /// The record of this notice once given (Art. 19): the same recipient, told.
    #[must_use]
    pub fn given(&self) -> RecipientNoticeGiven {
        RecipientNoticeGiven { recipient: self.recipient.clone(), party: self.party, exempt: None }
    }
}

/// An Art. 19 notice once given: a recipient was told of the rectification, erasure or
/// restriction, or telling it proved impossible or would involve disproportionate effort
/// (`exempt` says why).
///
/// # Example
/// ```
/// use gdpr_obligations::fulfil::RecipientNoticeGiven;
/// use gdpr_obligations::model::{LocalizedText, Text};
/// use gdpr_obligations::vocab::Language;
///
/// let told = RecipientNoticeGiven::new(LocalizedText::new(Language::CS, Text::new("Mailer a.s.")?));
/// assert!(told.exempt.is_none());
/// let not_told = told.with_exemption(Text::new("the recipient was dissolved")?);
/// assert!(not_told.exempt.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RecipientNoticeGiven {
    /// The recipient, as the activities name it.
    pub recipient: LocalizedText,
    /// The recipient as a party, where it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<PartyId>,
    /// Why it was not told, if it was not: impossible, or disproportionate effort.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt: Option<Text>,
}

impl RecipientNoticeGiven {
    /// `recipient` was told (Art. 19).
    #[must_use]
    pub fn new(recipient: LocalizedText) -> Self {
        Self { recipient, party: None, exempt: None }
    }

    /// The recipient as a known party.
    #[must_use]
    pub fn with_party(mut self, party: PartyId) -> Self {
        self.party = Some(party);
        self
    }

    /// The recipient was not told, because that proved impossible or would involve
    /// disproportionate effort (Art. 19): `reason` says which and why.
    #[must_use]
    pub fn with_exemption(mut self, reason: Text) -> Self {
        self.exempt = Some(reason);
        self
    }
}

/// A notice given to close an Art. 19 or Art. 18(3) obligation, kept in the ledger as an
/// append-only stream per request ([`StreamKind::Notice`]) by [`record_notice`].
///
/// # Example
/// ```
/// use gdpr_obligations::fulfil::{NoticeRecord, RecipientNoticeGiven};
/// use gdpr_obligations::model::{LocalizedText, Text};
/// use gdpr_obligations::request::RequestId;
/// use gdpr_obligations::vocab::Language;
///
/// let told = NoticeRecord::recipient(
///     RequestId::generate(),
///     "2026-04-01T09:00:00Z".parse()?,
///     RecipientNoticeGiven::new(LocalizedText::new(Language::CS, Text::new("Mailer a.s.")?)),
/// );
/// assert_eq!(told.notice.article().to_string(), "Art. 19");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NoticeRecord {
    /// The request carried out.
    pub request: RequestId,
    /// When the notice was given.
    pub at: DateTime<Utc>,
    /// Which notice.
    #[serde(flatten)]
    pub notice: NoticeKind,
}

impl NoticeRecord {
    /// An Art. 19 notice to a recipient, given at `at` after `request` was carried out.
    #[must_use]
    pub fn recipient(request: RequestId, at: DateTime<Utc>, given: RecipientNoticeGiven) -> Self {
        Self { request, at, notice: NoticeKind::Recipient(given) }
    }

    /// The Art. 18(3) notice to the data subject of `request`, given at `at`, before the
    /// restriction is lifted.
    #[must_use]
    pub fn restriction_lifting(request: RequestId, at: DateTime<Utc>) -> Self {
        Self { request, at, notice: NoticeKind::RestrictionLifting }
    }
}

/// Which notice a [`NoticeRecord`] records.
///
/// In JSON the variant is the `notice` field: `{"notice": "restriction_lifting"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "notice", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoticeKind {
    /// Art. 19: to a recipient.
    Recipient(RecipientNoticeGiven),
    /// Art. 18(3): the data subject was told before the restriction is lifted.
    RestrictionLifting,
}

impl NoticeKind {
    /// Art. 19 or Art. 18(3).
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            NoticeKind::Recipient(_) => Article::gdpr(19),
            NoticeKind::RestrictionLifting => Article::gdpr(18).paragraph(3),
        }
    }
}

/// Records in `ledger` that `notice` was given (Art. 19 to a recipient, or Art. 18(3) to the
/// data subject before a restriction is lifted), so that the agenda read by
/// [`Snapshot::load`](crate::agenda::Snapshot::load) no longer lists it as owed. Notices are
/// appended, never rewritten: they are the proof that the duty was met (Art. 5(2)).
///
/// # Errors
/// [`StoreError::Conflict`] when another writer recorded a notice of the same request at the
/// same moment (record it again); the ledger's errors otherwise.
///
/// # Example
/// ```
/// use gdpr_obligations::agenda::Snapshot;
/// use gdpr_obligations::fulfil::{NoticeRecord, record_notice};
/// use gdpr_obligations::model::PartyId;
/// use gdpr_obligations::request::RequestId;
/// use gdpr_obligations::store::{memory::MemoryLedger, Scope};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let ledger = MemoryLedger::new();
/// let scope = Scope::of(PartyId::generate());
/// let told = NoticeRecord::restriction_lifting(RequestId::generate(), "2026-04-01T09:00:00Z".parse()?);
/// record_notice(&ledger, scope, &told).await?;
/// assert_eq!(Snapshot::load(&ledger, scope).await?.notices_given, vec![told]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn record_notice<L: LedgerStore + ?Sized>(
    ledger: &L,
    scope: Scope,
    notice: &NoticeRecord,
) -> Result<Version, StoreError> {
    let stream = StreamKey { kind: StreamKind::Notice, id: notice.request.as_uuid() };
    let current = ledger.events::<NoticeRecord>(scope, stream).await?.version;
    ledger.append(scope, stream, current, std::slice::from_ref(notice)).await
}

/// The answer to a request for recipient information (Art. 19, second sentence): the recipients
/// told (or not told, with the reason) of the rectifications, erasures and restrictions carried
/// out for `requests`, the data subject's earlier requests, from the `notices` given, in the
/// order they were given.
///
/// # Example
/// ```
/// use gdpr_obligations::fulfil::{NoticeRecord, RecipientNoticeGiven, recipient_information};
/// use gdpr_obligations::model::{LocalizedText, Text};
/// use gdpr_obligations::request::RequestId;
/// use gdpr_obligations::vocab::Language;
///
/// let erasure = RequestId::generate();
/// let mailer = LocalizedText::new(Language::CS, Text::new("Mailer a.s.")?);
/// let told = NoticeRecord::recipient(erasure, "2026-04-01T09:00:00Z".parse()?, RecipientNoticeGiven::new(mailer.clone()));
/// let other = NoticeRecord::restriction_lifting(RequestId::generate(), "2026-04-02T09:00:00Z".parse()?);
/// let notices = [told, other];
/// let answer = recipient_information(&notices, &[erasure]);
/// assert_eq!(answer.len(), 1);
/// assert_eq!(answer[0].recipient, mailer);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn recipient_information<'a>(notices: &'a [NoticeRecord], requests: &[RequestId]) -> Vec<&'a RecipientNoticeGiven> {
    let mut given: Vec<&NoticeRecord> = notices.iter().filter(|n| requests.contains(&n.request)).collect();
    given.sort_by_key(|n| n.at);
    given
        .into_iter()
        .filter_map(|n| match &n.notice {
            NoticeKind::Recipient(recipient) => Some(recipient),
            NoticeKind::RestrictionLifting => None,
        })
        .collect()
}
