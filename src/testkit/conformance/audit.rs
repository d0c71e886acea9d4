//! The [`AuditLog`] checks.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use uuid::Uuid;

use super::{Checked, Ctx, instant, two_scopes, unexpected};
use crate::model::PartyId;
use crate::store::{
    AuditAction, AuditEntry, AuditLog, AuditLogExt, AuditProblem, AuditRecord, Checkpoint, Digest, DocumentKind, Scope,
    SealKey, StoreError, verify,
};

const A_ONLY: &str = "AuditLog, append-only (no method changes or removes a record)";
const A_CHAIN: &str = "AuditLog, chained (numbered after the last record, sealed, never two the same number)";
const A_SCOPE: &str = "AuditLog, scope (each scope has its own chain, starting at 1)";
const A_VERIFY: &str = "verify (finds any altered, removed, inserted or reordered record)";
const A_CHECKPOINT: &str =
    "checkpoint and verify_against (a checkpoint finds records cut off the end or rewritten before it)";

fn entry(n: u64) -> AuditEntry {
    AuditEntry {
        at: instant(n as i64),
        actor: None,
        action: AuditAction::DocumentWritten { kind: DocumentKind::Agreement, id: Uuid::from_u128(u128::from(n)) },
        article: None,
    }
}

async fn filled(log: &dyn AuditLog, scope: Scope, n: u64) -> Result<Vec<AuditRecord>, String> {
    for i in 1..=n {
        log.append(scope, entry(i)).await.ctx("append")?;
    }
    log.read_all(scope).await.ctx("read")
}

/// **Scope.** Each scope's chain starts at 1 and holds only its own entries.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_scope_isolation(log: &dyn AuditLog) -> Checked {
    let (c, d) = two_scopes();
    let in_c = filled(log, c, 3).await?;
    let first_d = log.append(d, entry(100)).await.ctx("append")?;
    ensure!(first_d.sequence == 1, "{A_SCOPE}: the first record of D is numbered {}", first_d.sequence);
    ensure!(
        first_d.previous == crate::store::Digest::GENESIS,
        "{A_SCOPE}: the first record of D chains to another scope"
    );
    let in_d = log.read_all(d).await.ctx("read")?;
    ensure!(in_d == vec![first_d], "{A_SCOPE}: D reads {in_d:?}");
    let again = log.read_all(c).await.ctx("read")?;
    ensure!(again == in_c, "{A_SCOPE}: appending in D changed C's log");
    Ok(())
}

/// **Chained.** Entries are numbered 1, 2, 3, ... and each record is the entry sealed
/// ([`AuditRecord::seal`]) after its predecessor, so the log verifies.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_append_numbers_and_chains(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut previous = crate::store::Digest::GENESIS;
    for n in 1..=5 {
        let record = log.append(c, entry(n)).await.ctx("append")?;
        let sealed = AuditRecord::seal(n, previous, entry(n)).ctx("seal")?;
        ensure!(record == sealed, "{A_CHAIN}: append {n} returned {record:?}, not the entry sealed as record {n}");
        previous = record.hash;
    }
    let all = log.read_all(c).await.ctx("read")?;
    let head = Checkpoint::after(c, all.last(), instant(0));
    ensure!(head.head() == previous, "{A_CHAIN}: the last record read is not the last appended");
    verify(&all, Some(&head)).map_err(|b| format!("{A_CHAIN}: the log does not verify: {b}"))?;
    Ok(())
}

/// **read.** Reads up to `limit` records after a sequence number, in order.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_read_pages(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let all = filled(log, c, 7).await?;
    let page = log.read(c, 2, 3).await.ctx("read")?;
    ensure!(page == all[2..5], "AuditLog::read: records 3 to 5 expected after 2 with limit 3, got {page:?}");
    let rest = log.read(c, 5, 100).await.ctx("read")?;
    ensure!(rest == all[5..], "AuditLog::read: records 6 and 7 expected after 5, got {rest:?}");
    let none = log.read(c, 7, 10).await.ctx("read")?;
    ensure!(none.is_empty(), "AuditLog::read: nothing expected after the last record, got {none:?}");
    Ok(())
}

/// **Append-only.** Appending never changes the records already there.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_is_append_only(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let before = filled(log, c, 3).await?;
    for n in 4..=6 {
        log.append(c, entry(n)).await.ctx("append")?;
    }
    let after = log.read_all(c).await.ctx("read")?;
    ensure!(after.len() == 6 && after[..3] == before[..], "{A_ONLY}: the first three records changed: {after:?}");
    Ok(())
}

/// **Chained.** Concurrent appends never get the same number, and the result verifies.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_concurrent_appends_are_numbered_once(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let results = join_all((1..=16).map(|n| log.append(c, entry(n)))).await;
    let mut numbers = BTreeSet::new();
    for r in results {
        numbers.insert(r.ctx("append")?.sequence);
    }
    ensure!(numbers == (1..=16).collect(), "{A_CHAIN}: 16 concurrent appends got numbers {numbers:?}");
    log.verify_all(c).await.map_err(|e| format!("{A_CHAIN}: the log does not verify: {e}"))?;
    Ok(())
}

/// **verify** finds an altered record in a log read from the store.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_alteration(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut all = filled(log, c, 4).await?;
    all[1].entry.actor = Some(PartyId::generate());
    let got = verify(&all, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    Ok(())
}

/// **verify** finds a removed record, and with a kept head, records cut off the end.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_removal(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let all = filled(log, c, 4).await?;
    let mut removed = all.clone();
    removed.remove(1);
    let got = verify(&removed, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    let head = Checkpoint::after(c, all.last(), instant(0));
    let got = verify(&all[..3], Some(&head));
    ensure!(got.is_err(), "{}", unexpected(A_VERIFY, "a break when the last record is cut off", &got));
    Ok(())
}

/// **verify** finds reordered records.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_verify_detects_reordering(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let mut all = filled(log, c, 4).await?;
    all.swap(1, 2);
    let got = verify(&all, None);
    ensure!(matches!(&got, Err(b) if b.sequence == 2), "{}", unexpected(A_VERIFY, "a break at record 2", &got));
    Ok(())
}

/// **checkpoint** names the verified log's head (0 and [`Digest::GENESIS`] when empty), and
/// **verify_against** it passes while the log only grows, also through a sealed checkpoint
/// opened with its key.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_checkpoint_names_the_head(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let empty = log.checkpoint(c, instant(0)).await.ctx("checkpoint")?;
    ensure!(
        (empty.scope(), empty.sequence(), empty.head()) == (c, 0, Digest::GENESIS),
        "{A_CHECKPOINT}: the checkpoint of an empty log is {empty:?}"
    );
    let all = filled(log, c, 3).await?;
    let checkpoint = log.checkpoint(c, instant(1)).await.ctx("checkpoint")?;
    ensure!(
        checkpoint == Checkpoint::after(c, all.last(), instant(1)),
        "{A_CHECKPOINT}: the checkpoint after 3 records is {checkpoint:?}"
    );
    for n in 4..=5 {
        log.append(c, entry(n)).await.ctx("append")?;
    }
    let got = log.verify_against(&checkpoint).await;
    ensure!(matches!(got, Ok(5)), "{}", unexpected(A_CHECKPOINT, "Ok(5) once the log grew", &got));
    let got = log.verify_against(&empty).await;
    ensure!(matches!(got, Ok(5)), "{}", unexpected(A_CHECKPOINT, "Ok(5) against the empty log's", &got));
    let key = SealKey::new(b"conformance seal key").ctx("seal key")?;
    let opened = checkpoint.seal(&key).open(&key).copied().ctx("open")?;
    let got = log.verify_against(&opened).await;
    ensure!(matches!(got, Ok(5)), "{}", unexpected(A_CHECKPOINT, "Ok(5) against the sealed checkpoint", &got));
    Ok(())
}

/// **verify_against** a checkpoint finds records cut off the end, and a log rewritten from a
/// record on and re-chained (which verifies on its own), each with its [`AuditProblem`].
///
/// # Errors
/// The sentence and what was wrong.
pub async fn audit_checkpoint_finds_truncation_and_rewriting(log: &dyn AuditLog) -> Checked {
    let (c, _) = two_scopes();
    let all = filled(log, c, 4).await?;
    let checkpoint = log.checkpoint(c, instant(0)).await.ctx("checkpoint")?;
    let got = verify(&all[..2], Some(&checkpoint));
    let truncated = AuditProblem::Truncated { records: 2, checkpoint: 4 };
    ensure!(
        matches!(&got, Err(b) if b.sequence == 3 && b.problem == truncated),
        "{}",
        unexpected(A_CHECKPOINT, "records cut off after record 2", &got)
    );
    // Record 2 deleted and the rest sealed again: a chain of its own that verifies.
    let mut rewritten: Vec<AuditRecord> = Vec::new();
    for r in all.iter().filter(|r| r.sequence != 2) {
        let previous = rewritten.last().map_or(Digest::GENESIS, |p| p.hash);
        let sequence = rewritten.len() as u64 + 1;
        rewritten.push(AuditRecord::seal(sequence, previous, r.entry.clone()).ctx("seal")?);
    }
    ensure!(verify(&rewritten, None).is_ok(), "{A_CHECKPOINT}: the re-sealed log should verify on its own");
    let got = verify(&rewritten, Some(&checkpoint));
    ensure!(
        matches!(&got, Err(b) if b.sequence == 4),
        "{}",
        unexpected(A_CHECKPOINT, "a break at record 4 of the re-sealed log", &got)
    );
    rewritten.push(AuditRecord::seal(4, rewritten[2].hash, entry(9)).ctx("seal")?);
    let got = verify(&rewritten, Some(&checkpoint));
    ensure!(
        matches!(&got, Err(b) if b.sequence == 4 && b.problem == AuditProblem::Rewritten),
        "{}",
        unexpected(A_CHECKPOINT, "record 4 rewritten", &got)
    );
    // The stored log itself still verifies against its checkpoint: the checks above read a copy.
    let got = log.verify_against(&checkpoint).await;
    ensure!(matches!(got, Ok(4)), "{}", unexpected(A_CHECKPOINT, "Ok(4) for the stored log", &got));
    let forged =
        Checkpoint::after(c, rewritten.last(), instant(0)).seal(&SealKey::new(b"not the deployment key").ctx("key")?);
    let got = forged.open(&SealKey::new(b"conformance seal key").ctx("key")?);
    ensure!(
        matches!(&got, Err(StoreError::AuditBroken { found, .. }) if found.problem == AuditProblem::SealMismatch),
        "{}",
        unexpected(A_CHECKPOINT, "a checkpoint sealed with another key refused", &got)
    );
    Ok(())
}
