//! A consent withdrawal received as a request (Art. 7(3)): recorded on the consent with effect
//! from the request's receipt, and the request completed.

use chrono::{DateTime, Utc};

use super::{Desk, DeskError, rejected};
use crate::consent::{Consent, ConsentCommand, ConsentId, ConsentMethod};
use crate::model::{Text, Token};
use crate::request::{Channel, Command, CommandName, Identity, Request, RequestId, StatusName};
use crate::store::{ExecuteError, LedgerStoreExt, StoreError};
use crate::vocab::Article;

/// What [`Desk::withdraw_consent`] did: the consent as withdrawn and the request as completed.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "the request and the consent after the withdrawal"]
pub struct ConsentWithdrawn {
    /// The request, completed.
    pub request: Request,
    /// The consent, withdrawn as of the request's receipt.
    pub consent: Consent,
}

impl Desk {
    /// Carries out a consent withdrawal request (Art. 7(3)): records the withdrawal on `consent`
    /// **as of the request's receipt**, since a withdrawal takes effect when it is made and not
    /// when the controller gets to it, then completes the request. A withdrawal needs no identity
    /// step (Art. 12(6) covers Arts. 15-21 only) and no fee or extension (Art. 12(3), 12(5) cover
    /// requests under Arts. 15-22); the agenda lists it as stopping the processing at receipt
    /// until this has run. Calling it again is harmless: the first withdrawal stands.
    ///
    /// A request a processor received is withdrawn on the consent at once, but completes only
    /// once forwarded (Art. 28(3)(e)); call it again after forwarding.
    ///
    /// # Errors
    /// [`DeskError::Rejected`] under Art. 7(3) when the request is not in substance a consent
    /// withdrawal ([`Request::withdraws_consent`](crate::request::Request::withdraws_consent)), or
    /// it cannot be completed in its state; [`DeskError::ConsentNotFound`] when the scope holds
    /// no such consent; [`DeskError::ConsentMismatch`] when the consent is for another purpose
    /// than the request's, or another data subject than the verified requester;
    /// [`DeskError::ConsentRejected`] when the consent was given only after the request was
    /// made; [`DeskError::NotFound`]; [`DeskError::Contended`]; [`DeskError::Store`].
    pub async fn withdraw_consent(
        &self,
        id: RequestId,
        consent: ConsentId,
        at: DateTime<Utc>,
    ) -> Result<ConsentWithdrawn, DeskError> {
        let art_7_3 = Article::gdpr(7).paragraph(3);
        let request = self.request(id).await?.value;
        if !request.withdraws_consent() {
            return Err(DeskError::Rejected(rejected(
                CommandName::Complete,
                request.status().name(),
                art_7_3,
                format!(
                    "only a consent withdrawal request withdraws a consent; this one is under {}",
                    request.kind().article()
                ),
            )));
        }
        let given =
            self.ledger.load::<Consent>(self.scope, consent).await?.ok_or(DeskError::ConsentNotFound { consent })?;
        let record = given.value.record();
        let other_subject =
            matches!(request.identity(), Identity::Verified { subject, .. } if *subject != record.subject);
        if record.purpose != request.receipt().processing.purpose || other_subject {
            return Err(DeskError::ConsentMismatch { request: id, consent });
        }
        let command =
            ConsentCommand::Withdraw { at: request.receipt().at, method: method_of(request.receipt().channel)? };
        let withdrawn = match self.ledger.execute::<Consent>(self.audit.as_ref(), self.scope, consent, &command).await {
            Ok(done) => done.state,
            Err(ExecuteError::Rejected(e)) => return Err(DeskError::ConsentRejected(e)),
            Err(ExecuteError::NotFound { .. }) => return Err(DeskError::ConsentNotFound { consent }),
            Err(ExecuteError::Contended { .. }) => return Err(DeskError::Contended { request: id }),
            Err(ExecuteError::Store(e)) => return Err(DeskError::Store(e)),
        };
        let mut request = request;
        if matches!(request.status().name(), StatusName::Open) {
            request = self.record(id, &Command::Start { at }).await?;
        }
        if request.status().name() != StatusName::Completed {
            let summary = Text::new(&format!(
                "consent {consent} withdrawn with effect from the request's receipt at {} ({art_7_3})",
                request.receipt().at.format("%Y-%m-%d %H:%M UTC")
            ))
            .map_err(|e| StoreError::Invalid { what: "summary".to_owned(), reason: e.to_string() })?;
            request = self.record(id, &Command::Complete { at, summary, withheld: None, reply: None }).await?;
        }
        Ok(ConsentWithdrawn { request, consent: withdrawn })
    }
}

/// How the withdrawal was made, from the channel the request came through.
fn method_of(channel: Channel) -> Result<ConsentMethod, DeskError> {
    let other = |name: &str| {
        Token::new(name)
            .map(ConsentMethod::Other)
            .map_err(|e| DeskError::Store(StoreError::Invalid { what: "method".to_owned(), reason: e.to_string() }))
    };
    match channel {
        Channel::Email => Ok(ConsentMethod::Email),
        Channel::WebForm => Ok(ConsentMethod::WebForm),
        Channel::Post => Ok(ConsentMethod::Paper),
        Channel::Chat => other("chat_request"),
        Channel::Phone => other("phone_request"),
        Channel::InPerson => other("in_person_request"),
    }
}
