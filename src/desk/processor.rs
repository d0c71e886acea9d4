//! A processor's desk: a request that reaches the processor is recorded in the controller's
//! scope and forwarded to it (Art. 28(3)(e)).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::DeskError;
use crate::model::PartyId;
use crate::request::{Command, Receipt, Receiver, Request, RequestId};
use crate::store::{AuditLog, LedgerStore, LedgerStoreExt, Scope};

/// The desk of a processor that serves many controllers (a chat vendor receiving "delete me"
/// in a customer's widget). It does not answer requests: it records each in the scope of the
/// controller that must answer it, with the processor as receiver, and forwards it, so that the
/// controller's [`Desk`](super::Desk) over the same ledger sees it; its month runs from the
/// processor's receipt (Art. 12(3)), and forwarding is due promptly (Art. 28(3)(e)).
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use gdpr_obligations::desk::{Desk, ProcessorDesk};
/// use gdpr_obligations::model::{PartyId, Text};
/// use gdpr_obligations::request::{
///     Channel, ComplaintInformation, Processing, Receipt, Receiver, RequestKind, StatusName,
/// };
/// use gdpr_obligations::store::PseudonymKey;
/// use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
/// use gdpr_obligations::time::DeadlinePolicy;
/// use gdpr_obligations::vocab::{LegalBasis, Purpose};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let (ledger, audit) = (Arc::new(MemoryLedger::new()), Arc::new(MemoryAuditLog::new()));
/// let (vendor, shop) = (PartyId::generate(), PartyId::generate());
/// let processor = ProcessorDesk::new(vendor, ledger.clone(), audit.clone());
/// let receipt = Receipt::new(
///     shop,
///     "2026-03-16T09:00:00Z".parse()?,
///     RequestKind::Access,
///     Processing::new(LegalBasis::Contract, Purpose::CustomerCare),
///     Channel::Chat,
///     DeadlinePolicy::czech(),
///     ComplaintInformation::new(Text::new("ÚOOÚ")?, Text::new("Art. 79 GDPR")?),
/// )
/// .with_receiver(Receiver::Processor { processor: vendor });
/// let id = processor.receive(receipt).await?.id();
/// processor.forward(shop, id, "2026-03-16T10:00:00Z".parse()?).await?;
///
/// let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef")?;
/// let desk = Desk::new(shop, ledger, audit, key);
/// assert_eq!(desk.request(id).await?.value.status().name(), StatusName::Open);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ProcessorDesk {
    processor: PartyId,
    ledger: Arc<dyn LedgerStore>,
    audit: Arc<dyn AuditLog>,
}

impl std::fmt::Debug for ProcessorDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessorDesk").field("processor", &self.processor).finish_non_exhaustive()
    }
}

impl ProcessorDesk {
    /// The desk of `processor`, over the ledger its controllers' desks read.
    #[must_use]
    pub fn new(processor: PartyId, ledger: Arc<dyn LedgerStore>, audit: Arc<dyn AuditLog>) -> Self {
        Self { processor, ledger, audit }
    }

    /// Records a request the processor received, in the scope of the controller it names.
    ///
    /// # Errors
    /// [`DeskError::NotReceivedHere`] when the receipt does not name this processor as its
    /// receiver (a processor records only what reached it); [`DeskError::Rejected`] when the
    /// request exists; [`DeskError::Store`].
    pub async fn receive(&self, receipt: Receipt) -> Result<Request, DeskError> {
        let id = receipt.id;
        if !matches!(receipt.receiver, Receiver::Processor { processor, .. } if processor == self.processor) {
            return Err(DeskError::NotReceivedHere { request: id });
        }
        let scope = Scope::of(receipt.controller);
        self.step(scope, id, Command::Receive(Box::new(receipt))).await
    }

    /// Forwards the request to `controller` (Art. 28(3)(e)), which receives it at `at`.
    ///
    /// # Errors
    /// [`DeskError::NotFound`] when `controller` has no such request; [`DeskError::NotReceivedHere`]
    /// when this processor did not receive it; [`DeskError::Rejected`] when it was forwarded
    /// already; [`DeskError::Store`].
    pub async fn forward(&self, controller: PartyId, id: RequestId, at: DateTime<Utc>) -> Result<Request, DeskError> {
        let scope = Scope::of(controller);
        let request = self.ledger.load::<Request>(scope, id).await?.ok_or(DeskError::NotFound { request: id })?;
        if !matches!(request.value.receipt().receiver, Receiver::Processor { processor, .. } if processor == self.processor)
        {
            return Err(DeskError::NotReceivedHere { request: id });
        }
        self.step(scope, id, Command::ForwardToController { at }).await
    }

    async fn step(&self, scope: Scope, id: RequestId, command: Command) -> Result<Request, DeskError> {
        let done = self
            .ledger
            .execute::<Request>(self.audit.as_ref(), scope, id, &command)
            .await
            .map_err(|e| DeskError::from_execute(id, e))?;
        Ok(done.state)
    }
}
