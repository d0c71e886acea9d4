//! What the controller's system asks the lifecycle to do, and the values the steps carry.

use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{CarriedOut, RefusalGround, RequestId, RequestKind, Withheld};
use crate::model::{PartyId, SubjectId, SubjectIdentifier, Text};
use crate::request::Processing;
use crate::time::DeadlinePolicy;
use crate::vocab::Article;

/// An instruction to the lifecycle of one request, at the instant `at` it happens. [`decide`]
/// answers with the events it causes or a [`Rejection`].
///
/// In JSON the variant is the `type` field: `{"type": "start", "at": "2026-03-16T09:00:00Z"}`.
///
/// [`decide`]: super::decide
/// [`Rejection`]: super::Rejection
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    /// Record that the request reached the controller or its processor (Art. 12(3): the month
    /// runs from receipt).
    Receive(Box<Receipt>),
    /// The processor passes the request on to the controller (Art. 28(3)(e)).
    ForwardToController {
        /// When the controller received it.
        at: DateTime<Utc>,
    },
    /// Ask the data subject for the information necessary to confirm their identity, on
    /// reasonable doubts (Art. 12(6); requests under Arts. 15-21 only).
    RequestIdentity {
        /// When the request was sent.
        at: DateTime<Utc>,
        /// What the data subject is asked to provide.
        information: Text,
    },
    /// The data subject provided the information asked for (Art. 12(6)).
    ProvideIdentity {
        /// When it arrived.
        at: DateTime<Utc>,
    },
    /// The controller confirmed who the data subject is (Art. 12(6)).
    VerifyIdentity {
        /// When.
        at: DateTime<Utc>,
        /// The data subject the requester turned out to be.
        subject: SubjectId,
    },
    /// The controller could not confirm the requester's identity after asking for the information
    /// necessary to confirm it (Art. 12(2), 12(6)): only once identity was asked for.
    RecordIdentityFailure {
        /// When.
        at: DateTime<Utc>,
        /// Why, as the controller would demonstrate it.
        reason: Text,
    },
    /// Record the decision that no verification is needed, with its reason (e.g. the visitor is
    /// logged in, or only the chat session's own data is concerned).
    WaiveVerification {
        /// When.
        at: DateTime<Utc>,
        /// Why verification is unnecessary.
        reason: Text,
    },
    /// Ask the data subject to specify the request (Recital 63).
    RequestClarification {
        /// When.
        at: DateTime<Utc>,
        /// What the data subject is asked.
        question: Text,
    },
    /// The data subject answered the question.
    ProvideClarification {
        /// When.
        at: DateTime<Utc>,
    },
    /// Ask for a reasonable fee (Art. 12(5)(a), Art. 15(3)).
    RequestFee {
        /// When.
        at: DateTime<Utc>,
        /// Why a fee may be charged.
        ground: FeeGround,
        /// The amount, e.g. `CZK 250`.
        amount: Text,
        /// How the controller demonstrates the ground and the administrative costs (Art. 12(5)).
        explanation: Text,
    },
    /// The fee was paid.
    RecordFeePaid {
        /// When.
        at: DateTime<Utc>,
    },
    /// Extend the period by two further months and notify the data subject with the reasons
    /// (Art. 12(3)); only before the first month ends.
    Extend {
        /// When the extension was decided and the notice sent.
        at: DateTime<Utc>,
        /// Why it is necessary.
        justification: ExtensionJustification,
        /// How the notice reached the data subject.
        notified_via: Channel,
    },
    /// Refuse to act on the request (Art. 12(4)); the refusal carries the complaint and judicial
    /// remedy information given at receipt.
    Refuse {
        /// When the data subject was informed.
        at: DateTime<Utc>,
        /// Why.
        ground: RefusalGround,
        /// How the refusal reached the data subject; by default the channel the request came
        /// through (Art. 12(3), last sentence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// Start carrying the request out.
    Start {
        /// When.
        at: DateTime<Utc>,
    },
    /// Record what carrying the request out across the controller's personal-data sources came
    /// to (the desk records it from the fulfilment report). Only while in progress, and only once
    /// the requester's identity is settled (Art. 5(1)(f)). When nothing failed, the request
    /// completes with `summary` in the same step (Art. 12(3)); when a source failed, it stays in
    /// progress with the failed sources named, to be carried out again.
    RecordCarriedOut {
        /// When.
        at: DateTime<Utc>,
        /// What it came to.
        outcome: CarriedOut,
        /// What was done, in a sentence for the audit trail, used when the request completes.
        summary: Text,
        /// What was withheld from the copy under Art. 15(4) or 20(4), and why, if anything.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withheld: Option<Withheld>,
        /// How the answer reached the data subject; by default the channel the request came
        /// through (Art. 12(3), last sentence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// The request has been carried out and the data subject informed (Art. 12(3)). After a
    /// [`RecordCarriedOut`](Command::RecordCarriedOut) whose outcome is incomplete, it is
    /// rejected until the request is carried out again completely.
    Complete {
        /// When the data subject was informed.
        at: DateTime<Utc>,
        /// What was done, in a sentence for the audit trail.
        summary: Text,
        /// What was withheld from the copy under Art. 15(4) or 20(4), and why, if anything: the
        /// rights of others limit the copy, never the whole answer (Recital 63).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withheld: Option<Withheld>,
        /// How the answer reached the data subject; by default the channel the request came
        /// through (Art. 12(3), last sentence).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<Reply>,
    },
    /// The data subject withdrew the request.
    Withdraw {
        /// When.
        at: DateTime<Utc>,
    },
}

/// The name of a [`Command`] variant, as in its JSON `type`: what a [`Rejection`] says was
/// attempted.
///
/// [`Rejection`]: super::Rejection
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[expect(missing_docs, reason = "each variant is the name of the `Command` variant of the same name")]
pub enum CommandName {
    Receive,
    ForwardToController,
    RequestIdentity,
    ProvideIdentity,
    VerifyIdentity,
    RecordIdentityFailure,
    WaiveVerification,
    RequestClarification,
    ProvideClarification,
    RequestFee,
    RecordFeePaid,
    Extend,
    Refuse,
    Start,
    RecordCarriedOut,
    Complete,
    Withdraw,
}

impl Command {
    /// The instant the command happens.
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Command::Receive(receipt) => receipt.at,
            Command::ForwardToController { at }
            | Command::RequestIdentity { at, .. }
            | Command::ProvideIdentity { at }
            | Command::VerifyIdentity { at, .. }
            | Command::RecordIdentityFailure { at, .. }
            | Command::WaiveVerification { at, .. }
            | Command::RequestClarification { at, .. }
            | Command::ProvideClarification { at }
            | Command::RequestFee { at, .. }
            | Command::RecordFeePaid { at }
            | Command::Extend { at, .. }
            | Command::Refuse { at, .. }
            | Command::Start { at }
            | Command::RecordCarriedOut { at, .. }
            | Command::Complete { at, .. }
            | Command::Withdraw { at } => *at,
        }
    }

    /// The command's name.
    #[must_use]
    pub fn name(&self) -> CommandName {
        match self {
            Command::Receive(_) => CommandName::Receive,
            Command::ForwardToController { .. } => CommandName::ForwardToController,
            Command::RequestIdentity { .. } => CommandName::RequestIdentity,
            Command::ProvideIdentity { .. } => CommandName::ProvideIdentity,
            Command::VerifyIdentity { .. } => CommandName::VerifyIdentity,
            Command::RecordIdentityFailure { .. } => CommandName::RecordIdentityFailure,
            Command::WaiveVerification { .. } => CommandName::WaiveVerification,
            Command::RequestClarification { .. } => CommandName::RequestClarification,
            Command::ProvideClarification { .. } => CommandName::ProvideClarification,
            Command::RequestFee { .. } => CommandName::RequestFee,
            Command::RecordFeePaid { .. } => CommandName::RecordFeePaid,
            Command::Extend { .. } => CommandName::Extend,
            Command::Refuse { .. } => CommandName::Refuse,
            Command::Start { .. } => CommandName::Start,
            Command::RecordCarriedOut { .. } => CommandName::RecordCarriedOut,
            Command::Complete { .. } => CommandName::Complete,
            Command::Withdraw { .. } => CommandName::Withdraw,
        }
    }
}

impl CommandName {
    /// The name as in JSON, e.g. `forward_to_controller`.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            CommandName::Receive => "receive",
            CommandName::ForwardToController => "forward_to_controller",
            CommandName::RequestIdentity => "request_identity",
            CommandName::ProvideIdentity => "provide_identity",
            CommandName::VerifyIdentity => "verify_identity",
            CommandName::RecordIdentityFailure => "record_identity_failure",
            CommandName::WaiveVerification => "waive_verification",
            CommandName::RequestClarification => "request_clarification",
            CommandName::ProvideClarification => "provide_clarification",
            CommandName::RequestFee => "request_fee",
            CommandName::RecordFeePaid => "record_fee_paid",
            CommandName::Extend => "extend",
            CommandName::Refuse => "refuse",
            CommandName::Start => "start",
            CommandName::RecordCarriedOut => "record_carried_out",
            CommandName::Complete => "complete",
            CommandName::Withdraw => "withdraw",
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::vocab::object_struct! {
/// Everything known when a request arrives: what is asked, by whom, through which channel and
/// receiver, and the rules its deadlines and refusals follow. Carried whole in the
/// [`Received`](super::Event::Received) event, so that replaying the events needs nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Receipt {
    /// The request's id.
    pub id: RequestId,
    /// When the request reached the receiver (EDPB Guidelines 01/2022 §159: the controller need
    /// not be aware of it).
    pub at: DateTime<Utc>,
    /// The controller that must answer (Art. 12(3)).
    pub controller: PartyId,
    /// What is asked.
    pub kind: RequestKind,
    /// The processing concerned; its basis decides whether the right exists.
    pub processing: Processing,
    /// How the request arrived (Art. 12(3), last sentence: electronic in, electronic out).
    pub channel: Channel,
    /// Who received it: the controller, or a processor that must forward it.
    pub receiver: Receiver,
    /// How the requester identified themselves; may be only a chat visitor token.
    #[serde(default)]
    pub requester: Vec<SubjectIdentifier>,
    /// How the controller's deadlines are computed (Art. 12(3) with Regulation 1182/71).
    pub policy: DeadlinePolicy,
    /// What every refusal tells the data subject about complaints and judicial remedies
    /// (Art. 12(4)).
    pub complaint: ComplaintInformation,
}
}

impl Receipt {
    /// A receipt with a new id, received by the controller itself from a requester not yet
    /// identified; [`with_receiver`](Self::with_receiver) and
    /// [`with_requester`](Self::with_requester) say otherwise. Every argument is required and of
    /// its own type, so none can be swapped for another.
    ///
    /// # Example
    /// ```
    /// use chrono::{DateTime, Utc};
    /// use gdpr_obligations::model::{PartyId, Text};
    /// use gdpr_obligations::request::{Channel, ComplaintInformation, Processing, Receipt, RequestKind};
    /// use gdpr_obligations::time::DeadlinePolicy;
    /// use gdpr_obligations::vocab::{LegalBasis, Purpose};
    ///
    /// let at: DateTime<Utc> = "2025-03-05T09:00:00Z".parse()?;
    /// let complaint = ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?);
    /// let receipt = Receipt::new(
    ///     PartyId::generate(),
    ///     at,
    ///     RequestKind::Access,
    ///     Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
    ///     Channel::Email,
    ///     DeadlinePolicy::czech(),
    ///     complaint,
    /// );
    /// assert_eq!(receipt.at, at);
    /// assert!(receipt.requester.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        controller: PartyId,
        at: DateTime<Utc>,
        kind: RequestKind,
        processing: Processing,
        channel: Channel,
        policy: DeadlinePolicy,
        complaint: ComplaintInformation,
    ) -> Self {
        Receipt {
            id: RequestId::generate(),
            at,
            controller,
            kind,
            processing,
            channel,
            receiver: Receiver::Controller,
            requester: Vec::new(),
            policy,
            complaint,
        }
    }

    /// The same receipt under a known id, e.g. one the product already gave the request.
    #[must_use]
    pub fn with_id(mut self, id: RequestId) -> Self {
        self.id = id;
        self
    }

    /// The same receipt received by `receiver`, e.g. a processor that must forward it
    /// (Art. 28(3)(e)).
    #[must_use]
    pub fn with_receiver(mut self, receiver: Receiver) -> Self {
        self.receiver = receiver;
        self
    }

    /// The same receipt with the identifiers the requester gave.
    #[must_use]
    pub fn with_requester(mut self, requester: impl IntoIterator<Item = SubjectIdentifier>) -> Self {
        self.requester = requester.into_iter().collect();
        self
    }
}

/// The channel through which a request or notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// A live chat on the website.
    Chat,
    /// E-mail.
    Email,
    /// A web form.
    WebForm,
    /// Telephone.
    Phone,
    /// Letter.
    Post,
    /// In person.
    InPerson,
}

impl Channel {
    /// Whether the channel is electronic: a request made by electronic means is answered by
    /// electronic means where possible (Art. 12(3), last sentence).
    #[must_use]
    pub const fn is_electronic(&self) -> bool {
        matches!(self, Channel::Chat | Channel::Email | Channel::WebForm)
    }
}

/// How an answer or a refusal reached the data subject: a request made by electronic means is
/// answered by electronic means, "unless otherwise requested by the data subject" (Art. 12(3),
/// last sentence; Art. 15(3) for the copy).
///
/// In JSON: `{"channel": "email"}` or `{"channel": "post", "requested_by_subject": true}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Reply {
    /// The channel the answer went through.
    pub channel: Channel,
    /// Whether the data subject asked for this channel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requested_by_subject: bool,
}

impl Reply {
    /// An answer through `channel`, chosen by the controller.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::request::{Channel, Reply};
    ///
    /// assert!(!Reply::new(Channel::Email).requested_by_subject);
    /// assert!(Reply::as_requested(Channel::Post).requested_by_subject);
    /// ```
    #[must_use]
    pub const fn new(channel: Channel) -> Self {
        Reply { channel, requested_by_subject: false }
    }

    /// An answer through `channel`, as the data subject asked.
    #[must_use]
    pub const fn as_requested(channel: Channel) -> Self {
        Reply { channel, requested_by_subject: true }
    }
}

/// Who received the request first.
///
/// In JSON: `{"by": "controller"}` or
/// `{"by": "processor", "processor": "…"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Receiver {
    /// The controller itself, through one of its channels.
    Controller,
    /// A processor, which must pass the request to the controller promptly and assist it
    /// (Art. 28(3)(e)). The controller's month runs from the processor's receipt (Art. 12(3)):
    /// the processor is one of the controller's channels, and no agreement can shorten the
    /// data subject's period.
    Processor {
        /// The processor.
        processor: PartyId,
    },
}

/// The information of Art. 12(4) that every refusal gives: the possibility of lodging a complaint
/// with a supervisory authority (Art. 77) and of seeking a judicial remedy (Art. 79).
///
/// Both parts are required and non-empty, so a refusal without them cannot be built.
///
/// # Example
/// ```
/// use gdpr_obligations::model::Text;
/// use gdpr_obligations::request::ComplaintInformation;
///
/// let info = ComplaintInformation::new(
///     Text::new("Úřad pro ochranu osobních údajů, Pplk. Sochora 27, 170 00 Praha 7")?,
///     Text::new("an action before the competent court under Art. 79 GDPR")?,
/// );
/// assert_eq!(info.article().to_string(), "Art. 12(4)");
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct ComplaintInformation {
    /// The supervisory authority with which a complaint may be lodged, and how (Art. 77).
    supervisory_authority: Text,
    /// How a judicial remedy may be sought (Art. 79).
    judicial_remedy: Text,
}

impl ComplaintInformation {
    /// The authority (name and contact) and the judicial remedy, as told to the data subject.
    #[must_use]
    pub fn new(supervisory_authority: Text, judicial_remedy: Text) -> Self {
        ComplaintInformation { supervisory_authority, judicial_remedy }
    }

    /// The supervisory authority and how to reach it (Art. 77).
    #[must_use]
    pub fn supervisory_authority(&self) -> &Text {
        &self.supervisory_authority
    }

    /// How to seek a judicial remedy (Art. 79).
    #[must_use]
    pub fn judicial_remedy(&self) -> &Text {
        &self.judicial_remedy
    }

    /// Art. 12(4), which requires this information.
    #[must_use]
    pub const fn article(&self) -> Article {
        Article::gdpr(12).paragraph(4)
    }
}

/// Why the Art. 12(3) period needs two further months, with the reasons told to the data subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ExtensionJustification {
    /// The statutory reason.
    pub reason: ExtensionReason,
    /// The reasons for the delay as given in the notice (Art. 12(3), third sentence).
    pub explanation: Text,
}

impl ExtensionJustification {
    /// The statutory reason and the explanation told to the data subject (Art. 12(3)).
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::model::Text;
    /// use gdpr_obligations::request::{ExtensionJustification, ExtensionReason};
    ///
    /// let why = ExtensionJustification::new(
    ///     ExtensionReason::Complexity,
    ///     Text::new("your data is spread over four systems")?,
    /// );
    /// assert_eq!(why.reason, ExtensionReason::Complexity);
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    #[must_use]
    pub fn new(reason: ExtensionReason, explanation: Text) -> Self {
        ExtensionJustification { reason, explanation }
    }
}

/// The reasons Art. 12(3) accepts for an extension: "the complexity and number of the requests".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExtensionReason {
    /// The request is complex (EDPB Guidelines 01/2022 §§162-164: a large effort alone is not
    /// complexity).
    Complexity,
    /// The number of requests, e.g. an exceptional surge.
    NumberOfRequests,
    /// Both.
    ComplexityAndNumber,
}

/// Why a fee may be charged; otherwise every action is free of charge (Art. 12(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeGround {
    /// Art. 12(5)(a): the request is manifestly unfounded or excessive.
    ManifestlyUnfoundedOrExcessive,
    /// Art. 15(3): further copies beyond the first, for access requests.
    FurtherCopies,
}

impl FeeGround {
    /// Art. 12(5)(a) or Art. 15(3).
    #[must_use]
    pub const fn article(&self) -> Article {
        match self {
            FeeGround::ManifestlyUnfoundedOrExcessive => Article::gdpr(12).paragraph(5).point('a'),
            FeeGround::FurtherCopies => Article::gdpr(15).paragraph(3),
        }
    }
}
