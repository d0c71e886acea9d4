//! The Art. 15(3) access copy and the Art. 20 portable export as owned byte streams, for a web
//! handler to return as a response body: no borrowed sources, no blocking writer, memory bounded
//! by one chunk and the source's own page.

use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};

use super::{FulfilError, PORTABLE_FORMAT};
use crate::model::SubjectIdentifier;
use crate::request::RequestId;
use crate::store::{ExportItem, PersonalDataSource, Scope};

/// The documented format of an access copy as a stream (Art. 15(3)): JSON Lines, the first line
/// a header `{"format": ACCESS_COPY_FORMAT, "controller": …, "request": …, "exported_at": …}`,
/// then one [`ExportItem`] per line, every item of every source.
pub const ACCESS_COPY_FORMAT: &str = "gdpr-obligations/access-copy/v1";

/// An owned (`Send + 'static`) stream of JSON Lines bytes: what [`portable_export`] and
/// [`access_copy`] return. Each item is a chunk of whole lines (about [`CHUNK_BYTES`], never
/// split inside a line). A web framework takes it as a response body as it is (axum's
/// `Body::from_stream` accepts it: `Vec<u8>` converts into `Bytes`, and [`FulfilError`] into a
/// boxed error).
///
/// **An error item ends the stream, and the export is then incomplete**: the bytes before it are
/// not the whole export and must not be handed over as one. An HTTP server aborts the body when
/// its stream yields an error, so the client sees a broken transfer rather than a short file.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, FulfilError>> + Send + 'static>>;

/// How many bytes of whole lines a [`ByteStream`] gathers before it yields a chunk. A line
/// longer than this is yielded alone.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// The Art. 20 portable export of `subject` in `scope`, in the [`PORTABLE_FORMAT`] that
/// [`Fulfilment::portability`](super::Fulfilment::portability) writes, byte for byte: the header
/// line, then the items the subject provided (`provided_by_subject`), one per line, source
/// after source in the order given.
///
/// Everything it needs is owned, so the stream can outlive the caller's borrows (a web handler
/// returns it). Nothing is read before the stream is polled. Writing the audit entry of the
/// export is the caller's: the stream cannot know whether the body reached its recipient.
///
/// # Errors
/// As stream items: [`FulfilError::OnlyWeakIdentifiers`] as the only item when `subject` holds
/// no strong identifier (Art. 11(2), 12(6): nothing is read); [`FulfilError::Store`] when a
/// source fails, at the start of its export or midway; that item is the last, and the export
/// is incomplete (see [`ByteStream`]).
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use futures_util::StreamExt;
/// use gdpr_obligations::fulfil::{PORTABLE_FORMAT, portable_export};
/// use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier};
/// use gdpr_obligations::store::chat::ChatHistory;
/// use gdpr_obligations::store::{PersonalDataSource, Scope};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let chat: Arc<dyn PersonalDataSource> = Arc::new(ChatHistory::new());
/// let scope = Scope::of(PartyId::generate());
/// let eva = vec![SubjectIdentifier::Email(EmailAddress::new("eva@example.cz")?)];
/// // In an axum handler: `Body::from_stream(portable_export(sources, scope, eva, now))`.
/// let mut body = portable_export(vec![chat], scope, eva, chrono::Utc::now());
/// let mut bytes = Vec::new();
/// while let Some(chunk) = body.next().await {
///     // An error ends the stream: the export is incomplete, so abort the response.
///     bytes.extend(chunk?);
/// }
/// assert!(String::from_utf8(bytes)?.contains(PORTABLE_FORMAT));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn portable_export(
    sources: Vec<Arc<dyn PersonalDataSource>>,
    scope: Scope,
    subject: Vec<SubjectIdentifier>,
    now: DateTime<Utc>,
) -> ByteStream {
    lines(portable_header(scope, now), sources, scope, subject, |item| item.provided_by_subject)
}

/// The Art. 15(3) copy of `subject`'s personal data in `scope` for request `job`, as JSON
/// Lines in the [`ACCESS_COPY_FORMAT`]: the header line, then every item of every source
/// (redacted for other people by the sources, Art. 15(4)), one per line.
///
/// The Art. 15(1) information (purposes, recipients, periods, …) is not in it: it comes from
/// [`Fulfilment::access`](super::Fulfilment::access) and its report, which is small. Writing the
/// audit entry of the copy is the caller's, as for [`portable_export`].
///
/// # Errors
/// As [`portable_export`].
#[must_use]
pub fn access_copy(
    sources: Vec<Arc<dyn PersonalDataSource>>,
    scope: Scope,
    subject: Vec<SubjectIdentifier>,
    job: RequestId,
    now: DateTime<Utc>,
) -> ByteStream {
    let header = serde_json::json!({
        "format": ACCESS_COPY_FORMAT,
        "controller": scope.controller(),
        "request": job,
        "exported_at": now,
    });
    lines(header, sources, scope, subject, |_| true)
}

/// The header line of the portable export, shared by the writer and the stream.
pub(super) fn portable_header(scope: Scope, now: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({
        "format": PORTABLE_FORMAT,
        "controller": scope.controller(),
        "exported_at": now,
    })
}

/// The header, then the items `keep` accepts, in chunks of whole lines.
fn lines(
    header: serde_json::Value,
    sources: Vec<Arc<dyn PersonalDataSource>>,
    scope: Scope,
    subject: Vec<SubjectIdentifier>,
    keep: fn(&ExportItem) -> bool,
) -> ByteStream {
    // The generator owns the sources and the identifiers, and the source's stream borrows them
    // inside it: what a hand-written `unfold` state could not hold.
    Box::pin(async_stream::try_stream! {
        super::identifiable(&subject)?;
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        push_line(&mut chunk, &header)?;
        for source in &sources {
            let mut items = source.export(scope, &subject).await?;
            while let Some(item) = items.next().await {
                let item = item?;
                if !keep(&item) {
                    continue;
                }
                push_line(&mut chunk, &item)?;
                if chunk.len() >= CHUNK_BYTES {
                    yield std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_BYTES));
                }
            }
        }
        if !chunk.is_empty() {
            yield chunk;
        }
    })
}

fn push_line(chunk: &mut Vec<u8>, value: &impl serde::Serialize) -> Result<(), FulfilError> {
    serde_json::to_writer(&mut *chunk, value).map_err(std::io::Error::from)?;
    chunk.push(b'\n');
    Ok(())
}
