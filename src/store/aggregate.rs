//! Where each [`Lifecycle`] lives in the ledger, and what one generic
//! [`execute`](super::LedgerStoreExt::execute) returns.

use uuid::Uuid;

use super::{StoreError, StreamKey, StreamKind, Version};
use crate::breach::{Breach, BreachId};
use crate::consent::{Consent, ConsentId};
use crate::lifecycle::Lifecycle;
use crate::request::{Request, RequestId};

/// How many times [`execute`](super::LedgerStoreExt::execute) decides again on fresh state when
/// another writer appended first, before it gives up with [`ExecuteError::Contended`].
pub const EXECUTE_ATTEMPTS: u32 = 5;

/// A [`Lifecycle`] the ledger stores as an event stream: request, breach and consent. Sealed:
/// the ledger's stream kinds are a closed list ([`StreamKind`]).
pub trait Aggregate: Lifecycle + sealed::Sealed {
    /// The stream kind its events go to.
    const STREAM: StreamKind;

    /// The stream of the one named `id`.
    fn stream(id: Self::Id) -> StreamKey;

    /// The id a stream of [`STREAM`](Aggregate::STREAM) names.
    fn id_of(stream: Uuid) -> Self::Id;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::request::Request {}
    impl Sealed for crate::breach::Breach {}
    impl Sealed for crate::consent::Consent {}
}

macro_rules! aggregate {
    ($ty:ty, $id:ty, $kind:expr) => {
        impl Aggregate for $ty {
            const STREAM: StreamKind = $kind;
            fn stream(id: $id) -> StreamKey {
                StreamKey { kind: $kind, id: id.as_uuid() }
            }
            fn id_of(stream: Uuid) -> $id {
                <$id>::from_uuid(stream)
            }
        }
    };
}

aggregate!(Request, RequestId, StreamKind::Request);
aggregate!(Breach, BreachId, StreamKind::Breach);
aggregate!(Consent, ConsentId, StreamKind::Consent);

/// What [`execute`](super::LedgerStoreExt::execute) did: the state after the command, its
/// version, and the events the command caused (empty when it changed nothing, as a second
/// withdrawal of a consent).
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "the state after the command is what the caller answers with"]
pub struct Executed<A: Lifecycle> {
    /// The state after the command.
    pub state: A,
    /// The stream's version after the command: the number of its events.
    pub version: Version,
    /// The events the command caused, as appended.
    pub events: Vec<A::Event>,
}

/// Why [`execute`](super::LedgerStoreExt::execute) did not apply a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError<R: std::error::Error + 'static> {
    /// The lifecycle rejected the command: the rejection names the transition, the state and
    /// the article.
    #[error(transparent)]
    Rejected(R),
    /// There is no such request, breach or consent in this scope (and the command is not the
    /// one that creates it).
    #[error("there is no {what} in this scope")]
    NotFound {
        /// The stream asked for.
        what: StreamKey,
    },
    /// Other writers appended to the stream first on every one of [`EXECUTE_ATTEMPTS`]
    /// attempts; nothing was written.
    #[error("{what} kept changing under {attempts} attempts; nothing was written, try again")]
    Contended {
        /// The stream.
        what: StreamKey,
        /// The attempts made.
        attempts: u32,
    },
    /// The ledger or the audit log failed, or the events belong to another scope or id.
    #[error("the ledger failed")]
    Store(#[source] StoreError),
}

impl<R: std::error::Error + 'static> From<StoreError> for ExecuteError<R> {
    fn from(e: StoreError) -> Self {
        ExecuteError::Store(e)
    }
}

impl<R: std::error::Error + 'static> ExecuteError<R> {
    /// The rejection, when the lifecycle rejected the command.
    #[must_use]
    pub fn rejection(&self) -> Option<&R> {
        match self {
            ExecuteError::Rejected(r) => Some(r),
            _ => None,
        }
    }
}
