//! A [`Notifier`] that keeps what it is given, for tests.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use crate::model::SubjectIdentifier;
use crate::verify::{Notifier, NotifyError, VerificationMessage};

/// A [`Notifier`] that delivers nothing and keeps every message with its recipient, in the
/// order sent, for a test to read back ([`sent`](Self::sent)). Clones share what was sent, so
/// a test keeps one clone and gives the other away.
///
/// ```
/// use gdpr_obligations::model::{EmailAddress, SubjectIdentifier};
/// use gdpr_obligations::request::RequestId;
/// use gdpr_obligations::testkit::RecordingNotifier;
/// use gdpr_obligations::verify::{Notifier, VerificationMessage};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let notifier = RecordingNotifier::new();
/// let eva = SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?);
/// let message = VerificationMessage::new(RequestId::generate(), "12345678", chrono::Utc::now());
/// notifier.send(&eva, &message).await?;
/// assert_eq!(notifier.sent(), vec![(eva, message)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct RecordingNotifier {
    sent: Arc<Mutex<Vec<(SubjectIdentifier, VerificationMessage)>>>,
}

impl RecordingNotifier {
    /// A notifier that has sent nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every message sent so far, with its recipient, in the order sent.
    #[must_use]
    pub fn sent(&self) -> Vec<(SubjectIdentifier, VerificationMessage)> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl std::fmt::Debug for RecordingNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("RecordingNotifier").field("sent", &sent).finish()
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn send(&self, to: &SubjectIdentifier, message: &VerificationMessage) -> Result<(), NotifyError> {
        self.sent.lock().unwrap_or_else(PoisonError::into_inner).push((to.clone(), message.clone()));
        Ok(())
    }
}
