//! `ChatHistory` as a [`PersonalDataSource`] and a [`RetentionSource`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::records::{Rec, Subject};
use super::redact::{Needle, redact};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use super::sql::Part;
use super::{Author, Backend, ChatExport, ChatHistory, Contacts, ExportRole, Need, ScopeData, VisitorId};
use crate::erasure::{ErasurePolicy, Outcome, RecordKey, RecordOutcome, Rectification};
use crate::model::{SourceName, SubjectIdentifier};
use crate::retention::RetentionPolicy;
use crate::store::ItemOrigin;
use crate::store::{
    ExportItem, ExportStream, FoundRecord, PersonalDataSource, RetentionSource, Scope, StoreError, SubjectKey,
    SweepBatch, SweepJournal, encode_body,
};
use crate::vocab::DataCategory;

impl ChatHistory {
    /// The keyed hashes that find an erased visitor again: of the strong identifiers given
    /// only, as a weak one selects nobody (Art. 11(2)).
    fn keys_of(&self, scope: Scope, given: &[SubjectIdentifier]) -> Vec<SubjectKey> {
        given.iter().filter(|i| i.is_strong()).map(|i| self.subject_key(scope, i)).collect()
    }

    fn export_items(&self, sd: &ScopeData, subject: &Subject) -> Result<Vec<ExportItem>, StoreError> {
        // The subject's records, and every agent's and bot's reply in their conversations.
        let mut records: BTreeMap<RecordKey, Rec> = subject.records.iter().map(|(k, e)| (k.clone(), e.rec)).collect();
        for (cid, c) in &sd.conversations {
            if !c.participants.keys().any(|v| subject.visitors.contains(v)) {
                continue;
            }
            for (mid, m) in &c.messages {
                if matches!(m.author, Author::Agent(_) | Author::Bot) {
                    let rec = Rec::Message(*cid, *mid);
                    records.entry(rec.key()).or_insert(rec);
                }
            }
        }
        let mut items = Vec::with_capacity(records.len());
        // What an export redacts wherever it appears: every other visitor's identifiers and
        // every agent of the scope, by role, whether or not they wrote in these conversations
        // (Art. 15(4)).
        let targets: Vec<Needle> = subject.foreign.iter().cloned().chain(sd.agents.iter().map(Needle::agent)).collect();
        for (key, rec) in records {
            if let Some(item) = self.export_item(sd, subject, key, rec, &targets)? {
                items.push(item);
            }
        }
        Ok(items)
    }

    /// One record as exported: the `targets` (every other visitor's identifiers, every agent's
    /// name) redacted wherever they appear, except where they are the subject's own, and
    /// agents shown by role (Art. 15(4)).
    fn export_item(
        &self,
        sd: &ScopeData,
        subject: &Subject,
        key: RecordKey,
        rec: Rec,
        targets: &[Needle],
    ) -> Result<Option<ExportItem>, StoreError> {
        let hide = |text: &str| redact(text, targets, &subject.held).unwrap_or_else(|| text.to_owned());
        let (category, collected_at, provided_by_subject, origin, data) = match rec {
            Rec::Profile(v) => {
                let Some(p) = sd.visitors.get(&v).and_then(|v| v.profile.as_ref()) else { return Ok(None) };
                let data = ChatExport::VisitorProfile {
                    visitor: v,
                    created_at: p.created_at,
                    identifiers: p.identifiers.clone(),
                    statements: p.statements.iter().map(|s| hide(s.as_str())).collect(),
                };
                (DataCategory::Identification, p.created_at, true, ItemOrigin::SubjectDetails, data)
            }
            Rec::Ip(v, n) => {
                let Some(seen) = sd.visitors.get(&v).and_then(|v| v.ips.get(&n)) else { return Ok(None) };
                let data = ChatExport::IpAddress { visitor: v, ip: seen.ip, seen_at: seen.seen_at };
                (DataCategory::OnlineIdentifier, seen.seen_at, false, ItemOrigin::ConnectionRecord, data)
            }
            Rec::Participation(c, v) => {
                let Some(at) = sd.conversations.get(&c).and_then(|c| c.participants.get(&v)) else { return Ok(None) };
                let data = ChatExport::Participation { conversation: c, joined_at: *at };
                (DataCategory::UsageBehaviour, *at, false, ItemOrigin::ConversationRecord, data)
            }
            Rec::Message(cid, mid) => {
                let Some(c) = sd.conversations.get(&cid) else { return Ok(None) };
                let Some(m) = c.messages.get(&mid) else { return Ok(None) };
                let author = match &m.author {
                    Author::Visitor(v) if subject.visitors.contains(v) => ExportRole::Subject,
                    Author::Agent(_) => ExportRole::Agent,
                    Author::Bot => ExportRole::Bot,
                    // Another visitor's own message, or a pseudonymised one: never exported.
                    Author::Visitor(_) | Author::Pseudonym(_) => return Ok(None),
                };
                let mut attachments = m.attachments.clone();
                for a in &mut attachments {
                    a.file_name = hide(&a.file_name);
                }
                let data = ChatExport::Message {
                    conversation: cid,
                    message: mid,
                    author,
                    sent_at: m.sent_at,
                    text: hide(&m.text),
                    attachments,
                };
                let origin = match author {
                    ExportRole::Subject => ItemOrigin::SubjectMessage,
                    ExportRole::Agent => ItemOrigin::AgentReply,
                    ExportRole::Bot => ItemOrigin::BotReply,
                };
                (DataCategory::CommunicationContent, m.sent_at, author == ExportRole::Subject, origin, data)
            }
        };
        let data = encode_body(&key, &data)?;
        Ok(Some(ExportItem {
            source: self.name.clone(),
            record: key,
            category,
            collected_at,
            provided_by_subject,
            origin,
            data,
        }))
    }

    fn visitor_keys(&self, scope: Scope, sd: &ScopeData, subject: &Subject) -> HashMap<VisitorId, Vec<SubjectKey>> {
        subject
            .visitors
            .iter()
            .filter_map(|id| sd.visitors.get(id).map(|v| (*id, v)))
            .map(|(id, v)| {
                (id, v.identifiers().filter(|i| i.is_strong()).map(|i| self.subject_key(scope, &i)).collect())
            })
            .collect()
    }
}

/// The records of `subject` with the outcome of setting or clearing their restriction.
fn restriction_outcomes(sd: &ScopeData, subject: &Subject, restrict: bool) -> Vec<RecordOutcome> {
    subject
        .records
        .iter()
        .map(|(key, entry)| {
            let outcome = if restrict {
                if sd.restricted(entry.rec) { Outcome::Unchanged } else { Outcome::Restricted }
            } else if entry.owners.iter().any(|v| sd.visitor_restricted(*v)) {
                Outcome::RestrictionLifted
            } else {
                Outcome::Unchanged
            };
            RecordOutcome { record: key.clone(), outcome }
        })
        .collect()
}

fn set_restricted(sd: &mut ScopeData, visitors: &BTreeSet<VisitorId>, restricted: bool) {
    for id in visitors {
        if let Some(v) = sd.visitors.get_mut(id) {
            v.restricted = restricted;
        }
    }
}

#[async_trait]
impl PersonalDataSource for ChatHistory {
    fn name(&self) -> &SourceName {
        &self.name
    }

    async fn find(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<FoundRecord>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.read(scope, Need::Subject(subject, &keys), |sd, _| {
            let s = sd.resolve(subject, &keys);
            Ok(s.records.iter().filter_map(|(key, e)| sd.found(key, e.rec)).collect())
        })
        .await
    }

    async fn export<'a>(
        &'a self,
        scope: Scope,
        subject: &'a [SubjectIdentifier],
    ) -> Result<ExportStream<'a>, StoreError> {
        let keys = self.keys_of(scope, subject);
        match &self.backend {
            Backend::Memory(_) => {
                let items = self
                    .read(scope, Need::Subject(subject, &keys), |sd, _| {
                        self.export_items(sd, &sd.resolve(subject, &keys))
                    })
                    .await?;
                Ok(Box::pin(futures_util::stream::iter(items.into_iter().map(Ok))))
            }
            // A page of conversations at a time: memory follows the page, not the subject.
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => {
                let found_by = keys.clone();
                let page = move |sd: &ScopeData, part: Part| {
                    let mut items = self.export_items(sd, &sd.resolve(subject, &keys))?;
                    if part != Part::All {
                        items.retain(|item| Rec::parse(item.record.as_str()).is_some_and(|rec| part.holds(rec)));
                    }
                    Ok(items)
                };
                engine.subject_pages(scope, subject, &found_by, self.page, page).await
            }
        }
    }

    async fn erasure_plan(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.read(scope, Need::Subject(subject, &keys), |sd, _| {
            let steps = sd.plan_erasure(&sd.resolve(subject, &keys), policy);
            Ok(steps.into_iter().map(|s| RecordOutcome { record: s.key, outcome: s.outcome }).collect())
        })
        .await
    }

    async fn erase(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.write_removing(scope, Need::Subject(subject, &keys), |sd| {
            let s = sd.resolve(subject, &keys);
            let steps = sd.plan_erasure(&s, policy);
            let visitor_keys = self.visitor_keys(scope, sd, &s);
            sd.apply_erasure(&s, &steps, visitor_keys);
            Ok(steps.into_iter().map(|s| RecordOutcome { record: s.key, outcome: s.outcome }).collect())
        })
        .await
    }

    async fn rectify(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
        rectification: &Rectification,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.write_removing(scope, Need::Subject(subject, &keys), |sd| {
            let s = sd.resolve(subject, &keys);
            let plan = sd.plan_rectification(&s, rectification)?;
            let mut out = Vec::with_capacity(plan.len());
            for (outcome, change) in plan {
                if let Some(change) = change {
                    sd.apply_rectification(change);
                }
                out.push(outcome);
            }
            Ok(out)
        })
        .await
    }

    async fn restrict(&self, scope: Scope, subject: &[SubjectIdentifier]) -> Result<Vec<RecordOutcome>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.write(scope, Need::Subject(subject, &keys), |sd| {
            let s = sd.resolve(subject, &keys);
            let out = restriction_outcomes(sd, &s, true);
            set_restricted(sd, &s.visitors, true);
            Ok(out)
        })
        .await
    }

    async fn lift_restriction(
        &self,
        scope: Scope,
        subject: &[SubjectIdentifier],
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let keys = self.keys_of(scope, subject);
        self.write(scope, Need::Subject(subject, &keys), |sd| {
            let s = sd.resolve(subject, &keys);
            let out = restriction_outcomes(sd, &s, false);
            set_restricted(sd, &s.visitors, false);
            Ok(out)
        })
        .await
    }
}

#[async_trait]
impl RetentionSource for ChatHistory {
    async fn expired(
        &self,
        scope: Scope,
        policies: &[RetentionPolicy],
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<FoundRecord>, StoreError> {
        if policies.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        match &self.backend {
            Backend::Memory(_) => {
                let all = |_| true;
                self.read(scope, Need::Scope, |sd, _| {
                    Ok(sd.expired(policies, now, &Contacts::new(), after, limit, all))
                })
                .await
            }
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => {
                let page = |sd: &ScopeData, contacts: &Contacts, part: Part, limit: usize| {
                    sd.expired(policies, now, contacts, after, limit, |rec| part.holds(rec))
                };
                engine.expired(scope, after, limit, self.page, page).await
            }
        }
    }

    async fn erase_records(
        &self,
        scope: Scope,
        records: &[RecordKey],
        policy: &ErasurePolicy,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        self.write_removing(scope, Need::Records(records), |sd| Ok(sd.erase_records(records, policy))).await
    }

    /// One batch in one transaction, on every backend: the expired records listed, held and
    /// restricted ones kept, the rest erased on the same data, and a receipt of the outcomes
    /// kept with them, so that the same batch asked again returns them (Art. 5(1)(e), 17(3),
    /// 18(2); invariant 10).
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(unused_variables, reason = "the journal serves a database's two-pass fallback; memory has none")
    )]
    async fn sweep_expired(
        &self,
        scope: Scope,
        batch: &SweepBatch<'_>,
        journal: &dyn SweepJournal,
    ) -> Result<Vec<RecordOutcome>, StoreError> {
        let (policies, now, after, limit, policy) = (batch.policies, batch.now, batch.after, batch.limit, batch.policy);
        if policies.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let sweep = batch.sweep.as_uuid();
        let cursor = after.unwrap_or_default();
        match &self.backend {
            Backend::Memory(_) => {
                self.write(scope, Need::Scope, |sd| {
                    if let Some((from, outcomes)) = sd.sweeps.get(&sweep)
                        && from == cursor
                    {
                        return Ok(outcomes.clone());
                    }
                    let listed = sd.expired(policies, now, &Contacts::new(), after, limit, |_| true);
                    let records: Vec<RecordKey> = listed.into_iter().map(|f| f.record).collect();
                    let outcomes = sd.erase_records(&records, policy);
                    if outcomes.is_empty() {
                        sd.sweeps.remove(&sweep);
                    } else {
                        sd.sweeps.insert(sweep, (cursor.to_owned(), outcomes.clone()));
                    }
                    Ok(outcomes)
                })
                .await
            }
            #[cfg(any(feature = "sqlite", feature = "postgres"))]
            Backend::Sql(engine) => {
                let list = |sd: &ScopeData, contacts: &Contacts, part: Part, limit: usize| {
                    let found = sd.expired(policies, now, contacts, after, limit, |rec| part.holds(rec));
                    found.into_iter().map(|f| f.record).collect()
                };
                let erase = |sd: &mut ScopeData, records: &[RecordKey]| sd.erase_records(records, policy);
                match engine.sweep(scope, sweep, after, limit, self.page, list, erase).await? {
                    Some(outcomes) => {
                        if !outcomes.is_empty() {
                            engine.purge().await?;
                        }
                        Ok(outcomes)
                    }
                    // Not a key of ours: listed, journaled and erased in two passes.
                    None => {
                        let page = self.expired(scope, policies, now, after, limit).await?;
                        let records: Vec<RecordKey> = page.into_iter().map(|f| f.record).collect();
                        if records.is_empty() {
                            return Ok(Vec::new());
                        }
                        journal.listed(&records).await?;
                        self.erase_records(scope, &records, policy).await
                    }
                }
            }
        }
    }
}
