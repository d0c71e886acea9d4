//! The public value types of the chat history: who writes ([`Sender`], [`Author`]), what is
//! stored and read back ([`Message`], [`Attachment`]), what the product's processing sees
//! ([`ConversationSummary`], [`ConversationPage`], [`VisitorProfile`]) and what an export holds
//! ([`ChatExport`], [`ExportRole`]).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(doc)]
use super::ChatHistory;
use crate::model::{Invalid, SubjectIdentifier, Text};

crate::model::typed_id!(
    /// Identifies a chat visitor within a controller's scope.
    VisitorId
);
crate::model::typed_id!(
    /// Identifies a conversation.
    ConversationId
);
crate::model::typed_id!(
    /// Identifies a message.
    MessageId
);

/// Who posts a message. In JSON: `{"role": "agent", "value": "Jana Nováková"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "role", content = "value", rename_all = "snake_case")]
pub enum Sender {
    /// A visitor taking part in the conversation.
    Visitor(VisitorId),
    /// An agent of the controller, by name.
    Agent(Text),
    /// The chat bot.
    Bot,
}

/// Whom a stored message is attributed to. In JSON: `{"role": "visitor", "value": "0190…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "role", content = "value", rename_all = "snake_case")]
pub enum Author {
    /// A visitor.
    Visitor(VisitorId),
    /// An agent, by name.
    Agent(Text),
    /// The chat bot.
    Bot,
    /// A visitor whose data was erased with [`MessageErasure::Pseudonymise`]: a random id, the
    /// same for all of that visitor's messages in one erasure, linked to nothing (Art. 4(5)).
    ///
    /// [`MessageErasure::Pseudonymise`]: crate::erasure::MessageErasure::Pseudonymise
    Pseudonym(Uuid),
}

impl From<Sender> for Author {
    fn from(sender: Sender) -> Self {
        match sender {
            Sender::Visitor(visitor) => Author::Visitor(visitor),
            Sender::Agent(name) => Author::Agent(name),
            Sender::Bot => Author::Bot,
        }
    }
}

/// The metadata of a file attached to a message (the content lives in the product's blob
/// store; a source that also holds contents erases them with the message).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "crate::vocab::Object<AttachmentRepr>")]
pub struct Attachment {
    #[schemars(length(min = 1))]
    pub(super) file_name: String,
    #[schemars(pattern(MEDIA_TYPE_PATTERN))]
    media_type: String,
    size: u64,
}

const MEDIA_TYPE_PATTERN: &str = r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$";

#[derive(Deserialize, JsonSchema)]
struct AttachmentRepr {
    #[schemars(length(min = 1))]
    file_name: String,
    #[schemars(pattern(MEDIA_TYPE_PATTERN))]
    media_type: String,
    size: u64,
}

crate::vocab::try_from_object!(Attachment, AttachmentRepr);

impl TryFrom<AttachmentRepr> for Attachment {
    type Error = Invalid;
    fn try_from(r: AttachmentRepr) -> Result<Self, Invalid> {
        Attachment::new(&r.file_name, &r.media_type, r.size)
    }
}

impl Attachment {
    /// Validates attachment metadata. The media type is kept in lower case.
    ///
    /// # Errors
    /// [`Invalid`] when the file name is empty or holds a control character, or the media type
    /// is not of the form `type/subtype`.
    ///
    /// # Example
    /// ```
    /// use gdpr_obligations::store::chat::Attachment;
    ///
    /// let invoice = Attachment::new("invoice-2026-14.pdf", "Application/PDF", 48_213)?;
    /// assert_eq!(invoice.media_type(), "application/pdf");
    /// assert!(Attachment::new("photo.jpg", "jpeg", 10).is_err());
    /// # Ok::<(), gdpr_obligations::model::Invalid>(())
    /// ```
    pub fn new(file_name: &str, media_type: &str, size: u64) -> Result<Self, Invalid> {
        let file_name = file_name.trim();
        if file_name.is_empty() || file_name.chars().any(char::is_control) {
            return Err(Invalid::new("file_name", "a file name is not empty and has no control characters"));
        }
        let media_type = media_type.trim().to_ascii_lowercase();
        let token =
            |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
        if !media_type.split_once('/').is_some_and(|(t, s)| token(t) && token(s)) {
            return Err(Invalid::new(
                "media_type",
                format!("a media type has the form `type/subtype`: {media_type:?}"),
            ));
        }
        Ok(Self { file_name: file_name.to_owned(), media_type, size })
    }

    /// The file name.
    #[must_use]
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The media type, e.g. `application/pdf`.
    #[must_use]
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// The size in bytes.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Message {
    /// The message.
    pub id: MessageId,
    /// Its conversation.
    pub conversation: ConversationId,
    /// Its author.
    pub author: Author,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The text, after any redaction.
    pub text: String,
    /// The attachments' metadata.
    pub attachments: Vec<Attachment>,
}

/// A conversation as the product's processing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ConversationSummary {
    /// The conversation.
    pub id: ConversationId,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Its visitors, restricted ones left out.
    pub visitors: Vec<VisitorId>,
    /// How many of its messages processing may use.
    pub messages: usize,
}

impl ConversationSummary {
    /// The summary of conversation `id`, started at `started_at`, with the `visitors` and the
    /// number of `messages` processing may use: for a product's own tests and doubles.
    #[must_use]
    pub fn new(id: ConversationId, started_at: DateTime<Utc>, visitors: Vec<VisitorId>, messages: usize) -> Self {
        Self { id, started_at, visitors, messages }
    }
}

/// A page of [`ChatHistory::conversation_page`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct ConversationPage {
    /// The page's conversations that processing may use, in id order.
    pub conversations: Vec<ConversationSummary>,
    /// The last conversation the page read, to pass as `after` for the next page; `None` when
    /// the page read the scope's last conversation.
    pub next: Option<ConversationId>,
}

/// A visitor's profile as the product's processing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct VisitorProfile {
    /// The visitor.
    pub id: VisitorId,
    /// When the profile was created.
    pub created_at: DateTime<Utc>,
    /// The identifiers, IP addresses included.
    pub identifiers: Vec<SubjectIdentifier>,
    /// Supplementary statements the visitor added (Art. 16).
    pub statements: Vec<Text>,
}

impl VisitorProfile {
    /// The profile of visitor `id`, created at `created_at`, with its identifiers (IP addresses
    /// included) and supplementary statements (Art. 16): for a product's own tests and doubles.
    #[must_use]
    pub fn new(
        id: VisitorId,
        created_at: DateTime<Utc>,
        identifiers: Vec<SubjectIdentifier>,
        statements: Vec<Text>,
    ) -> Self {
        Self { id, created_at, identifiers, statements }
    }
}

/// The author of an exported message, by role: the subject, or an agent or the bot, whose
/// names are not the subject's data (Art. 15(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExportRole {
    /// The subject.
    Subject,
    /// An agent of the controller.
    Agent,
    /// The chat bot.
    Bot,
}

/// The JSON shape of [`ExportItem::data`](crate::store::ExportItem) for `chat_history`,
/// tagged by `type`.
///
/// ```json
/// {"type": "message", "conversation": "0190…", "message": "0190…", "author": "agent",
///  "sent_at": "2026-02-01T10:00:00Z", "text": "I wrote to eva@example.cz.", "attachments": []}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChatExport {
    /// The subject's profile.
    #[non_exhaustive]
    VisitorProfile {
        /// The visitor.
        visitor: VisitorId,
        /// When the profile was created.
        created_at: DateTime<Utc>,
        /// The identifiers, IP addresses aside.
        identifiers: Vec<SubjectIdentifier>,
        /// Supplementary statements (Art. 16).
        statements: Vec<String>,
    },
    /// An IP address the subject came from.
    #[non_exhaustive]
    IpAddress {
        /// The visitor.
        visitor: VisitorId,
        /// The address.
        ip: IpAddr,
        /// When it was first seen.
        seen_at: DateTime<Utc>,
    },
    /// The subject's part in a conversation.
    #[non_exhaustive]
    Participation {
        /// The conversation.
        conversation: ConversationId,
        /// When the subject joined it.
        joined_at: DateTime<Utc>,
    },
    /// A message: the subject's own, or a reply of an agent or the bot, every other person's
    /// identifiers redacted.
    #[non_exhaustive]
    Message {
        /// The conversation.
        conversation: ConversationId,
        /// The message.
        message: MessageId,
        /// Who wrote it, by role.
        author: ExportRole,
        /// When it was sent.
        sent_at: DateTime<Utc>,
        /// The text.
        text: String,
        /// The attachments' metadata.
        attachments: Vec<Attachment>,
    },
}
