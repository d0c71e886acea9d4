//! The [`RetentionSource`] checks (Art. 5(1)(e)): `expired` and `erase_records`, and the
//! [`RetentionFixture`] that sets a source's retention policies.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::source::{FixtureAuthor, SourceFixture, identifiers, keys, say, snapshot, text, world};
use super::{Checked, Ctx, instant, two_scopes};
use crate::erasure::RecordKey;
use crate::erasure::{ErasurePolicy, MessageErasure, Outcome, RecordOutcome, Retain, RetentionGround};
use crate::retention::{RetentionEvent, RetentionPeriod, RetentionPolicy};
use crate::store::{FoundRecord, RetentionSource, Scope, StoreError};
use crate::vocab::{DataCategory, Purpose};

const S_EXPIRY: &str = "RetentionSource, expiry (expired lists only records whose retention has ended, in key order)";
const S_RECORDS: &str =
    "RetentionSource, record erasure (erase_records reports final states, keeps retained and restricted records)";

/// How the kit sets a [`RetentionSource`]'s retention policies, beside putting test data into
/// it ([`SourceFixture`]): a source with retention implements it in its tests too.
#[async_trait]
pub trait RetentionFixture: SourceFixture {
    /// Makes the product's processing queries in `scope` apply `policies` from now on, by the
    /// source's own clock (Art. 5(1)(e)). The kit's data for this is from 2001 (expired) and
    /// 2100 (not), so any clock in between will do.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn set_retention(&self, scope: Scope, policies: &[RetentionPolicy]) -> Result<(), StoreError>;
}

fn months_from_collection(category: DataCategory, months: u16) -> Result<RetentionPolicy, String> {
    RetentionPolicy::new(Purpose::CustomerCare, category, RetentionPeriod::FromCollection { months })
        .map_err(|e| format!("kit data: {e}"))
}

/// The kit's world's messages expire a month after they were sent; the kit asks a year later.
fn a_year_after_the_world() -> DateTime<Utc> {
    instant(365 * 24 * 60)
}

/// Every expired record, page by page with `limit`.
async fn all_expired(
    source: &dyn RetentionSource,
    scope: Scope,
    policies: &[RetentionPolicy],
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<FoundRecord>, String> {
    let mut out: Vec<FoundRecord> = Vec::new();
    loop {
        let after = out.last().map(|f| f.record.clone());
        let page =
            source.expired(scope, policies, now, after.as_ref().map(RecordKey::as_str), limit).await.ctx("expired")?;
        ensure!(page.len() <= limit, "{S_EXPIRY}: a page of {} records for a limit of {limit}", page.len());
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

/// **Expiry.** `expired` lists, in ascending key order and page by page, exactly the records
/// of the categories the policies cover that expired at `now` (here: every message of the
/// kit's world a year later, found by `find` for Eva or Bob), nothing of a category no policy
/// covers, nothing before collection, nothing of another scope; and it changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expired_lists_only_expired(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let w = world(fixture, c).await?;
    let before = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let now = a_year_after_the_world();
    let all = source.expired(c, &policies, now, None, usize::MAX).await.ctx("expired")?;
    let listed: Vec<RecordKey> = all.iter().map(|f| f.record.clone()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    ensure!(listed == sorted, "{S_EXPIRY}: not in ascending key order, or listed twice: {listed:?}");
    let wrong: Vec<&FoundRecord> = all
        .iter()
        .filter(|f| f.category != DataCategory::CommunicationContent || f.collected_at > instant(60))
        .collect();
    ensure!(wrong.is_empty(), "{S_EXPIRY}: listed records that have not expired: {wrong:?}");
    let mut messages: BTreeSet<RecordKey> = BTreeSet::new();
    for subject in [&w.eva, &w.bob] {
        let found = source.find(c, subject).await.ctx("find")?;
        messages
            .extend(found.into_iter().filter(|f| f.category == DataCategory::CommunicationContent).map(|f| f.record));
    }
    let missing: Vec<&RecordKey> = messages.iter().filter(|m| !listed.contains(m)).collect();
    ensure!(!messages.is_empty() && missing.is_empty(), "{S_EXPIRY}: expired messages not listed: {missing:?}");
    for limit in [1, 2] {
        let paged: Vec<RecordKey> =
            all_expired(source, c, &policies, now, limit).await?.into_iter().map(|f| f.record).collect();
        ensure!(paged == listed, "{S_EXPIRY}: pages of {limit} list {paged:?}, one call {listed:?}");
    }
    let first = listed.first().map(RecordKey::as_str).unwrap_or_default();
    let after_first = source.expired(c, &policies, now, Some(first), usize::MAX).await.ctx("expired")?;
    ensure!(after_first.iter().all(|f| f.record.as_str() > first), "{S_EXPIRY}: `after` {first} lists {after_first:?}");
    let none = [months_from_collection(DataCategory::Health, 1)?];
    for (scope, policies, now, what) in [
        (c, &none[..], now, "a category no policy covers"),
        (c, &[][..], now, "no policy"),
        (c, &policies[..], instant(-1), "an instant before collection"),
        (d, &policies[..], now, "another scope"),
    ] {
        let got = source.expired(scope, policies, now, None, usize::MAX).await.ctx("expired")?;
        ensure!(got.is_empty(), "{S_EXPIRY}: {what} lists {got:?}");
    }
    let zero = source.expired(c, &policies, now, None, 0).await.ctx("expired")?;
    ensure!(zero.is_empty(), "{S_EXPIRY}: a limit of 0 lists {zero:?}");
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == before, "{S_EXPIRY}: listing expired records changed what is found or exported");
    Ok(())
}

/// **Expiry** after [`RetentionEvent::LastContact`]: a subject who came back later keeps the
/// records of their old conversation, while a subject who did not loses them.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expiry_runs_from_last_contact(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let half_a_year = instant(183 * 24 * 60);
    let back = [say(FixtureAuthor::Subject(0), "KITEVA3 I am back")?];
    fixture
        .add_conversation(c, std::slice::from_ref(&w.eva_subject), &back, half_a_year)
        .await
        .ctx("fixture add_conversation")?;
    let period = RetentionPeriod::AfterEvent { event: RetentionEvent::LastContact, months: 3 };
    let policy = RetentionPolicy::new(Purpose::CustomerCare, DataCategory::CommunicationContent, period)
        .map_err(|e| format!("kit data: {e}"))?;
    let now = instant(240 * 24 * 60);
    let listed = keys(&source.expired(c, &[policy], now, None, usize::MAX).await.ctx("expired")?);
    let eva = keys(&source.find(c, &w.eva).await.ctx("find")?);
    let bob = keys(&source.find(c, &w.bob).await.ctx("find")?);
    let of_eva: Vec<&RecordKey> = listed.intersection(&eva).collect();
    ensure!(of_eva.is_empty(), "{S_EXPIRY}: Eva came back, yet her records {of_eva:?} expired after her last contact");
    ensure!(
        !listed.is_empty() && listed.is_subset(&bob),
        "{S_EXPIRY}: three months after Bob's last contact, his own conversation's messages are not all that expired: \
         {listed:?}"
    );
    Ok(())
}

/// **Record erasure.** `erase_records` of the expired records erases them (deleted, or under
/// `Pseudonymise` possibly pseudonymised or redacted), one outcome per distinct record named in
/// the order named; a second call reports the same and changes nothing; the records no longer
/// expire, no longer found records are gone from `find`, and records not named stay.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_records_reports_final_states(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let now = a_year_after_the_world();
    for (scope, messages) in [(c, MessageErasure::Delete), (d, MessageErasure::Pseudonymise)] {
        let w = world(fixture, scope).await?;
        let found_before = keys(&source.find(scope, &w.eva).await.ctx("find")?);
        let expired: Vec<RecordKey> = source
            .expired(scope, &policies, now, None, usize::MAX)
            .await
            .ctx("expired")?
            .into_iter()
            .map(|f| f.record)
            .collect();
        let mut named = expired.clone();
        named.extend(expired.iter().rev().cloned());
        let policy = ErasurePolicy { messages, retain: Vec::new() };
        let first = source.erase_records(scope, &named, &policy).await.ctx("erase_records")?;
        let order: Vec<&RecordKey> = first.iter().map(|o| &o.record).collect();
        ensure!(order == expired.iter().collect::<Vec<_>>(), "{S_RECORDS}: outcomes for {order:?}, named {expired:?}");
        let fine = |o: &Outcome| match messages {
            MessageErasure::Delete => *o == Outcome::Erased,
            _ => matches!(o, Outcome::Erased | Outcome::Pseudonymised | Outcome::Redacted),
        };
        let wrong: Vec<&RecordOutcome> = first.iter().filter(|o| !fine(&o.outcome)).collect();
        ensure!(wrong.is_empty(), "{S_RECORDS}: under {messages:?}, outcomes {wrong:?}");
        let between = (snapshot(source, scope, &w.eva).await?, snapshot(source, scope, &w.bob).await?);
        let second = source.erase_records(scope, &named, &policy).await.ctx("erase_records")?;
        ensure!(second == first, "{S_RECORDS}: the second call reports {second:?}, the first {first:?}");
        let after = (snapshot(source, scope, &w.eva).await?, snapshot(source, scope, &w.bob).await?);
        ensure!(after == between, "{S_RECORDS}: the second call changed what is found or exported");
        let again = source.expired(scope, &policies, now, None, usize::MAX).await.ctx("expired")?;
        let erased: Vec<&FoundRecord> = again
            .iter()
            .filter(|f| first.iter().any(|o| o.record == f.record && o.outcome == Outcome::Erased))
            .collect();
        ensure!(erased.is_empty(), "{S_EXPIRY}: erased records are still listed as expired: {erased:?}");
        let found_after = keys(&after.0.0);
        let gone: Vec<&RecordKey> = first
            .iter()
            .filter(|o| o.outcome == Outcome::Erased)
            .map(|o| &o.record)
            .filter(|r| found_after.contains(*r))
            .collect();
        ensure!(gone.is_empty(), "{S_RECORDS}: erased records are still found: {gone:?}");
        let not_named: BTreeSet<&RecordKey> = found_before.iter().filter(|k| !expired.contains(k)).collect();
        let lost: Vec<&&RecordKey> = not_named.iter().filter(|k| !found_after.contains(**k)).collect();
        ensure!(lost.is_empty(), "{S_RECORDS}: records not named are gone: {lost:?}");
    }
    Ok(())
}

/// **Record erasure.** A record `policy.retain` covers is reported `Retained` with its ground
/// and stays found; a restricted record is reported `Restricted` and stays found (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_records_keeps_retained_and_restricted(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    source.restrict(c, &w.bob).await.ctx("restrict")?;
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let expired = source.expired(c, &policies, a_year_after_the_world(), None, usize::MAX).await.ctx("expired")?;
    let Some(kept) = expired.iter().find(|f| !f.restricted).map(|f| f.record.clone()) else {
        return Err(format!("{S_RECORDS}: nothing unrestricted expired in the kit's world"));
    };
    let restricted: Vec<RecordKey> = expired.iter().filter(|f| f.restricted).map(|f| f.record.clone()).collect();
    ensure!(
        !restricted.is_empty(),
        "{S_EXPIRY}: the restricted subject's expired records are not listed, or not marked"
    );
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/2")? };
    let policy =
        ErasurePolicy { retain: vec![Retain { records: kept.clone(), ground: ground.clone() }], ..Default::default() };
    let named: Vec<RecordKey> = expired.iter().map(|f| f.record.clone()).collect();
    let outcomes = source.erase_records(c, &named, &policy).await.ctx("erase_records")?;
    for o in &outcomes {
        let want = if o.record == kept {
            Outcome::Retained { ground: ground.clone() }
        } else if restricted.contains(&o.record) {
            Outcome::Restricted
        } else {
            Outcome::Erased
        };
        ensure!(o.outcome == want, "{S_RECORDS}: {} is reported {:?}, not {want:?}", o.record, o.outcome);
    }
    let mut found = keys(&source.find(c, &w.eva).await.ctx("find")?);
    found.extend(keys(&source.find(c, &w.bob).await.ctx("find")?));
    let missing: Vec<&RecordKey> = restricted.iter().chain([&kept]).filter(|k| !found.contains(*k)).collect();
    ensure!(missing.is_empty(), "{S_RECORDS}: retained or restricted records are no longer found: {missing:?}");
    Ok(())
}

/// **Record erasure** across scopes: `erase_records` in another scope with this scope's expired
/// record keys reports each [`Outcome::NotFound`], never `Erased` (Art. 17: a report of
/// erasure covers what the scope held), and changes nothing of this scope. Erased in their
/// own scope, the same records are reported `Erased`.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_records_of_another_scope_not_found(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let w = world(fixture, c).await?;
    // Scope `d` holds data of its own, so that "not found" is not only an empty scope's answer.
    world(fixture, d).await?;
    let policies = [months_from_collection(DataCategory::CommunicationContent, 1)?];
    let now = a_year_after_the_world();
    let expired = source.expired(c, &policies, now, None, usize::MAX).await.ctx("expired")?;
    let mut named: Vec<RecordKey> = expired.iter().map(|f| f.record.clone()).collect();
    ensure!(!named.is_empty(), "{S_RECORDS}: nothing expired in the kit's world");
    let found = source.find(c, &w.eva).await.ctx("find")?;
    let more: Vec<RecordKey> = found.into_iter().map(|f| f.record).filter(|k| !named.contains(k)).collect();
    named.extend(more);
    let before = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let policy = ErasurePolicy::default();
    let outcomes = source.erase_records(d, &named, &policy).await.ctx("erase_records")?;
    let order: Vec<&RecordKey> = outcomes.iter().map(|o| &o.record).collect();
    ensure!(order == named.iter().collect::<Vec<_>>(), "{S_RECORDS}: outcomes for {order:?}, named {named:?}");
    let wrong: Vec<&RecordOutcome> = outcomes.iter().filter(|o| o.outcome != Outcome::NotFound).collect();
    ensure!(wrong.is_empty(), "{S_RECORDS}: another scope's records are reported {wrong:?}, not NotFound (Art. 17)");
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == before, "{S_RECORDS}: erase_records in another scope changed what this scope finds or exports");
    let messages: Vec<RecordKey> = expired.into_iter().map(|f| f.record).collect();
    let own = source.erase_records(c, &messages, &policy).await.ctx("erase_records")?;
    let wrong: Vec<&RecordOutcome> = own.iter().filter(|o| o.outcome != Outcome::Erased).collect();
    ensure!(wrong.is_empty(), "{S_RECORDS}: in their own scope, expired records are reported {wrong:?}");
    Ok(())
}

/// **Expiry** in processing: with the policies set, the product's processing leaves out what
/// has expired by the source's clock, though no sweep ran and it is still found, and keeps
/// what has not; without them, both are processed.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_expired_left_out_of_processing(
    source: &dyn RetentionSource,
    fixture: &dyn RetentionFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let at = |y: i32| DateTime::parse_from_rfc3339(&format!("{y}-03-01T10:00:00Z")).map(|t| t.to_utc());
    let (old_at, new_at) = match (at(2001), at(2100)) {
        (Ok(o), Ok(n)) => (o, n),
        _ => return Err("kit data: instants".to_owned()),
    };
    let old =
        identifiers("kit-visitor-old", "old.kit@example.cz", "+420601999000", "Oldřich Kitstarý", "198.51.100.99")?;
    let new = identifiers("kit-visitor-new", "new.kit@example.cz", "+420601999111", "Nora Kitnová", "198.51.100.98")?;
    let o = fixture.add_subject(c, &old, old_at).await.ctx("fixture add_subject")?;
    let n = fixture.add_subject(c, &new, new_at).await.ctx("fixture add_subject")?;
    let s = FixtureAuthor::Subject;
    fixture.add_conversation(c, &[o], &[say(s(0), "KITOLD1 hello")?], old_at).await.ctx("fixture")?;
    fixture.add_conversation(c, &[n], &[say(s(0), "KITNEW1 hello")?], new_at).await.ctx("fixture")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        view.contains("KITOLD1") && view.contains("KITNEW1"),
        "{S_EXPIRY}: the processing view lacks the kit's messages"
    );
    let policies = [
        months_from_collection(DataCategory::CommunicationContent, 12)?,
        months_from_collection(DataCategory::Identification, 12)?,
    ];
    fixture.set_retention(c, &policies).await.ctx("fixture set_retention")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(!view.contains("KITOLD1"), "{S_EXPIRY}: an expired message is still processed before any sweep");
    ensure!(!view.to_lowercase().contains("old.kit@example.cz"), "{S_EXPIRY}: an expired profile is still processed");
    ensure!(view.contains("KITNEW1"), "{S_EXPIRY}: a message that has not expired left processing");
    let stored = source.find(c, &old).await.ctx("find")?;
    ensure!(!stored.is_empty(), "{S_EXPIRY}: leaving expired data out of processing erased it");
    fixture.set_retention(c, &[]).await.ctx("fixture set_retention")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(view.contains("KITOLD1"), "{S_EXPIRY}: without policies, nothing expires");
    Ok(())
}
