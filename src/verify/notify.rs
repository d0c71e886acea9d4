//! Delivering a verification code: the message and the channel it goes through.

use std::fmt;
use std::io::Write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::model::SubjectIdentifier;
use crate::request::RequestId;

/// A verification code on its way to the data subject, with what it is for (Art. 12(6)).
///
/// Its `Debug` shows the request and the expiry, never the code: a message that reaches a log
/// gives no one the means to pass as the subject (Art. 32).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerificationMessage {
    /// The request whose requester the code identifies.
    pub request: RequestId,
    /// The instant from which the code is refused.
    pub expires_at: DateTime<Utc>,
    code: String,
}

impl VerificationMessage {
    /// The message carrying `code` for `request`, valid until `expires_at`: what
    /// [`VerificationCodes::issue`](super::VerificationCodes::issue) returns, built by hand only
    /// to test a [`Notifier`].
    #[must_use]
    pub fn new(request: RequestId, code: impl Into<String>, expires_at: DateTime<Utc>) -> Self {
        Self { request, expires_at, code: code.into() }
    }

    /// The code in clear, for the notifier to put in the e-mail or text message and nowhere else.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl fmt::Debug for VerificationMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerificationMessage")
            .field("request", &self.request)
            .field("expires_at", &self.expires_at)
            .field("code", &"<redacted>")
            .finish()
    }
}

/// What a [`Notifier`] can fail with. Neither variant holds the identifier or the code: an
/// implementation must keep its reasons free of both, since they end up in logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The notifier does not deliver to this kind of identifier (an SMS gateway given an e-mail
    /// address).
    #[error("the notifier cannot deliver to a {kind} identifier")]
    Unsupported {
        /// The identifier's kind ([`SubjectIdentifier::kind`]).
        kind: &'static str,
    },
    /// Delivery failed (the mail server or the SMS gateway refused or was unreachable).
    #[error("the verification message could not be delivered")]
    Failed {
        /// The channel's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

/// The channel through which a verification code reaches the data subject, at the e-mail
/// address or phone number the request gave (Art. 12(6)): the product's mailer or SMS gateway.
///
/// # Contract
/// - Delivers `message.code()` to `to` and to no one else, with the request and the expiry if
///   the channel has room for them.
/// - Writes the code nowhere else: not in a log, not in an error (Art. 32).
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends `message` to `to`.
    ///
    /// # Errors
    /// [`NotifyError::Unsupported`] when the notifier does not deliver to `to`'s kind;
    /// [`NotifyError::Failed`] when delivery failed.
    async fn send(&self, to: &SubjectIdentifier, message: &VerificationMessage) -> Result<(), NotifyError>;
}

/// A [`Notifier`] for examples and local runs: prints one line on standard output,
/// `verification code for request <id> to <kind>: <code>`, naming only the identifier's kind
/// (the address itself is personal data). Never use it in production: the code lands in
/// whatever collects standard output.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdoutNotifier;

#[async_trait]
impl Notifier for StdoutNotifier {
    async fn send(&self, to: &SubjectIdentifier, message: &VerificationMessage) -> Result<(), NotifyError> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "verification code for request {} to {}: {}", message.request, to.kind(), message.code())
            .and_then(|()| out.flush())
            .map_err(|e| NotifyError::Failed { source: Box::new(e) })
    }
}
