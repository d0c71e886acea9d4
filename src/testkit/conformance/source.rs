//! The [`PersonalDataSource`] checks, the [`SourceFixture`] that puts the kit's data into a
//! source, and that data (the `World`).

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;

use super::{Checked, Ctx, instant, two_scopes, unexpected};
use crate::erasure::RecordKey;
use crate::erasure::{ErasurePolicy, MessageErasure, Outcome, RecordOutcome, Rectification, Retain, RetentionGround};
use crate::model::{EmailAddress, PhoneNumber, SubjectIdentifier, Text, Token};
use crate::store::{ExportItem, FoundRecord, PersonalDataSource, Scope, StoreError};
use crate::vocab::DataCategory;

const S_SCOPE: &str = "PersonalDataSource, scope (nothing reads or changes another controller's data)";
const S_IDENT: &str = "PersonalDataSource, identification (any strong identifier given that matches finds the record)";
const S_WEAK: &str = "PersonalDataSource, weak identifiers (a name or an IP address selects nobody, Art. 11(2), 12(6))";
const S_IDEM: &str = "PersonalDataSource, idempotence (a second call changes nothing more)";
const S_PLAN: &str = "PersonalDataSource, plan (erasure_plan changes nothing and predicts erase)";
const S_ERASE: &str = "PersonalDataSource, erasure (nothing of the subject found but what is reported retained)";
const S_OTHERS: &str = "PersonalDataSource, erasure (nothing of another subject is removed)";
const S_EXPORT: &str = "PersonalDataSource, export (only the subject's data, every other person's redacted)";
const S_RESTRICT: &str = "PersonalDataSource, restriction (stored, found and exported, but left out of processing)";

/// A subject as the fixture created them (the source's own id, as text).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FixtureSubject(pub String);

/// Who writes a fixture message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureAuthor {
    /// The subject at this index of the conversation's subjects.
    Subject(usize),
    /// An agent of the controller, by name.
    Agent(Text),
    /// A bot.
    Bot,
}

/// A message of a fixture conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureMessage {
    /// Its author.
    pub from: FixtureAuthor,
    /// Its text.
    pub text: Text,
}

/// How the kit puts test data into a source: a chat product implements it for its own source
/// (usually in its tests, over its own tables). The kit then checks the source through
/// [`PersonalDataSource`] only.
#[async_trait]
pub trait SourceFixture: Send + Sync {
    /// Creates a data subject known by all of `identifiers` in `scope`.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn add_subject(
        &self,
        scope: Scope,
        identifiers: &[SubjectIdentifier],
        at: DateTime<Utc>,
    ) -> Result<FixtureSubject, StoreError>;

    /// Creates a conversation of `subjects` (and whoever writes in it) with `messages`, in
    /// order, starting at `at`.
    ///
    /// # Errors
    /// Whatever the source refuses.
    async fn add_conversation(
        &self,
        scope: Scope,
        subjects: &[FixtureSubject],
        messages: &[FixtureMessage],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Everything the product's processing queries return in `scope` (transcripts, lists,
    /// profiles), as text: the kit looks in it for the words of restricted subjects' messages.
    ///
    /// # Errors
    /// Whatever the source fails with.
    async fn processing_view(&self, scope: Scope) -> Result<String, StoreError>;
}

/// The kit's test data in one scope: Eva (the subject) and Bob, each with a conversation of
/// their own and one together, each mentioning the other.
pub(super) struct World {
    pub(super) eva: Vec<SubjectIdentifier>,
    pub(super) bob: Vec<SubjectIdentifier>,
    /// Eva as the fixture created her.
    pub(super) eva_subject: FixtureSubject,
}

const AGENT: &str = "Jana Kitagentová";
const EVA_WORDS: [&str; 2] = ["KITEVA1", "KITEVA2"];
const BOB_WORDS: [&str; 2] = ["KITBOB1", "KITBOB2"];
/// Words of the agent's reply in Eva's own conversation, which quotes her.
const AGENT_TO_EVA: &str = "we wrote to";

pub(super) fn identifiers(
    token: &str,
    email: &str,
    phone: &str,
    name: &str,
    ip: &str,
) -> Result<Vec<SubjectIdentifier>, String> {
    let err = |e: crate::model::Invalid| format!("kit data: {e}");
    Ok(vec![
        SubjectIdentifier::ChatVisitorToken(Token::new(token).map_err(err)?),
        SubjectIdentifier::Email(EmailAddress::new(email).map_err(err)?),
        SubjectIdentifier::Phone(PhoneNumber::new(phone).map_err(err)?),
        SubjectIdentifier::Name(Text::new(name).map_err(err)?),
        SubjectIdentifier::IpAddress(ip.parse::<IpAddr>().map_err(|e| format!("kit data: {e}"))?),
    ])
}

pub(super) fn text(s: &str) -> Result<Text, String> {
    Text::new(s).map_err(|e| format!("kit data: {e}"))
}

pub(super) fn say(from: FixtureAuthor, s: &str) -> Result<FixtureMessage, String> {
    Ok(FixtureMessage { from, text: text(s)? })
}

pub(super) async fn world(fixture: &dyn SourceFixture, scope: Scope) -> Result<World, String> {
    let eva = identifiers("kit-visitor-eva", "eva.kit@example.cz", "+420601111222", "Evelína Kitová", "198.51.100.23")?;
    let bob =
        identifiers("kit-visitor-bob", "bob.kit@example.org", "+421905333444", "Bohuslav Kitbob", "203.0.113.47")?;
    let e = fixture.add_subject(scope, &eva, instant(0)).await.ctx("fixture add_subject")?;
    let b = fixture.add_subject(scope, &bob, instant(1)).await.ctx("fixture add_subject")?;
    let agent = FixtureAuthor::Agent(text(AGENT)?);
    let s = FixtureAuthor::Subject;
    let only_eva = [
        say(s(0), "KITEVA1 where is my order? Write to eva.kit@example.cz")?,
        say(agent.clone(), &format!("Evelína Kitová, {AGENT_TO_EVA} eva.kit@example.cz, not to bob.kit@example.org."))?,
    ];
    fixture.add_conversation(scope, std::slice::from_ref(&e), &only_eva, instant(10)).await.ctx("fixture")?;
    let only_bob = [
        say(s(0), "KITBOB1 my neighbour eva.kit@example.cz recommended you")?,
        say(FixtureAuthor::Bot, "Thank you, Bohuslav Kitbob.")?,
    ];
    fixture.add_conversation(scope, std::slice::from_ref(&b), &only_bob, instant(20)).await.ctx("fixture")?;
    let together = [
        say(s(0), "KITEVA2 hello Bohuslav Kitbob, call me on +420601111222")?,
        say(s(1), "KITBOB2 hi Evelína, mine is +421905333444")?,
        say(agent, "Noted +420601111222 and +421905333444.")?,
    ];
    fixture.add_conversation(scope, &[e.clone(), b], &together, instant(30)).await.ctx("fixture")?;
    Ok(World { eva, bob, eva_subject: e })
}

/// The values of identifiers as they would appear in text, in lower case.
fn values(ids: &[SubjectIdentifier]) -> Vec<String> {
    ids.iter()
        .map(|i| match serde_json::to_value(i) {
            Ok(serde_json::Value::Object(o)) => {
                o.get("value").and_then(|v| v.as_str()).unwrap_or_default().to_lowercase()
            }
            _ => String::new(),
        })
        .filter(|v| !v.is_empty())
        .collect()
}

async fn exported(
    source: &dyn PersonalDataSource,
    scope: Scope,
    subject: &[SubjectIdentifier],
) -> Result<Vec<ExportItem>, String> {
    let stream = source.export(scope, subject).await.ctx("export")?;
    stream.try_collect().await.ctx("export stream")
}

pub(super) fn keys(found: &[FoundRecord]) -> BTreeSet<RecordKey> {
    found.iter().map(|f| f.record.clone()).collect()
}

fn export_keys(items: &[ExportItem]) -> BTreeSet<RecordKey> {
    items.iter().map(|i| i.record.clone()).collect()
}

/// A snapshot of what the source says about a subject: found records and exported items.
pub(super) async fn snapshot(
    source: &dyn PersonalDataSource,
    scope: Scope,
    subject: &[SubjectIdentifier],
) -> Result<(Vec<FoundRecord>, Vec<ExportItem>), String> {
    Ok((source.find(scope, subject).await.ctx("find")?, exported(source, scope, subject).await?))
}

fn by_email(ids: &[SubjectIdentifier]) -> Vec<SubjectIdentifier> {
    ids.iter().filter(|i| matches!(i, SubjectIdentifier::Email(_))).cloned().collect()
}

fn retained_only(outcomes: &[RecordOutcome], found: &[FoundRecord], sentence: &str) -> Checked {
    let retained: BTreeSet<RecordKey> =
        outcomes.iter().filter(|o| matches!(o.outcome, Outcome::Retained { .. })).map(|o| o.record.clone()).collect();
    let left: BTreeSet<RecordKey> = keys(found).difference(&retained).cloned().collect();
    ensure!(left.is_empty(), "{sentence}: found after erasure without a reported retention: {left:?}");
    Ok(())
}

/// **Scope.** The same subject in two controllers' scopes: finding, exporting, restricting,
/// rectifying and erasing in one leaves the other as it was, and an empty scope finds nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_scope_isolation(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, d) = two_scopes();
    let in_c = world(fixture, c).await?;
    let in_d = world(fixture, d).await?;
    let before = snapshot(source, d, &in_d.eva).await?;
    ensure!(!before.0.is_empty(), "{S_SCOPE}: the fixture's subject is not found");
    source.restrict(c, &in_c.eva).await.ctx("restrict")?;
    let statement = Rectification::Supplement { statement: text("KITSTATEMENT in C")? };
    source.rectify(c, &in_c.eva, &statement).await.ctx("rectify")?;
    source.erase(c, &in_c.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    let after = snapshot(source, d, &in_d.eva).await?;
    ensure!(
        after == before,
        "{S_SCOPE}: restricting, rectifying and erasing in C changed D: {before:?} became {after:?}"
    );
    let (e, _) = two_scopes();
    let nothing = snapshot(source, e, &in_d.eva).await?;
    ensure!(nothing.0.is_empty() && nothing.1.is_empty(), "{S_SCOPE}: an empty scope finds {nothing:?}");
    let outcomes = source.erase(e, &in_d.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    ensure!(outcomes.is_empty(), "{S_SCOPE}: erasing in an empty scope reports {outcomes:?}");
    let still = snapshot(source, d, &in_d.eva).await?;
    ensure!(still == before, "{S_SCOPE}: erasing in another scope changed D");
    Ok(())
}

/// **Identification.** Each strong identifier alone finds some of the subject's records and
/// nothing else, all identifiers together find what the strong ones find one by one, and an
/// unknown identifier adds nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_identification_by_any_identifier(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let all = keys(&source.find(c, &w.eva).await.ctx("find")?);
    ensure!(!all.is_empty(), "{S_IDENT}: the subject is not found by all their identifiers");
    let mut union = BTreeSet::new();
    for id in w.eva.iter().filter(|i| i.is_strong()) {
        let one = keys(&source.find(c, std::slice::from_ref(id)).await.ctx("find")?);
        ensure!(!one.is_empty(), "{S_IDENT}: nothing found by the {} alone", id.kind());
        ensure!(one.is_subset(&all), "{S_IDENT}: the {} alone finds more than all identifiers together", id.kind());
        union.extend(one);
    }
    ensure!(union == all, "{S_IDENT}: the strong identifiers one by one find {union:?}, all together {all:?}");
    let unknown = SubjectIdentifier::Email(EmailAddress::new("nobody.kit@example.net").map_err(|e| e.to_string())?);
    let none = source.find(c, std::slice::from_ref(&unknown)).await.ctx("find")?;
    ensure!(none.is_empty(), "{S_IDENT}: an unknown identifier finds {none:?}");
    let mixed = keys(&source.find(c, &[unknown, w.eva[1].clone()]).await.ctx("find")?);
    let email = keys(&source.find(c, &w.eva[1..2]).await.ctx("find")?);
    ensure!(mixed == email, "{S_IDENT}: adding an unknown identifier changed what is found");
    Ok(())
}

/// **Weak identifiers.** Two subjects share a name and an IP address (namesakes behind one
/// office's network address): the shared ones alone find, export and erase nothing; finding,
/// exporting and erasing the first by their e-mail address with the shared name and IP
/// address never includes or changes anything of the second (Art. 11(2), 12(6), Recital 64).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_weak_identifiers_select_nobody(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let ada = identifiers("kit-visitor-ada", "ada.kit@example.cz", "+420602333444", "Kit Twin", "192.0.2.77")?;
    let bea = identifiers("kit-visitor-bea", "bea.kit@example.cz", "+420603555666", "Kit Twin", "192.0.2.77")?;
    let a = fixture.add_subject(c, &ada, instant(0)).await.ctx("fixture add_subject")?;
    let b = fixture.add_subject(c, &bea, instant(1)).await.ctx("fixture add_subject")?;
    let agent = FixtureAuthor::Agent(text(AGENT)?);
    for (subject, word, email, at) in
        [(a, "KITADA1", "ada.kit@example.cz", 10), (b, "KITBEA1", "bea.kit@example.cz", 20)]
    {
        let talk = [
            say(FixtureAuthor::Subject(0), &format!("{word} where is my parcel?"))?,
            say(agent.clone(), &format!("Kit Twin, we wrote to {email}."))?,
        ];
        fixture.add_conversation(c, &[subject], &talk, instant(at)).await.ctx("fixture add_conversation")?;
    }
    let weak: Vec<SubjectIdentifier> = ada.iter().filter(|i| !i.is_strong()).cloned().collect();
    ensure!(weak.len() == 2, "{S_WEAK}: the kit's name and IP address are taken for strong identifiers");
    let bea_before = snapshot(source, c, &by_email(&bea)).await?;
    let ada_before = snapshot(source, c, &by_email(&ada)).await?;
    ensure!(!bea_before.0.is_empty() && !ada_before.0.is_empty(), "{S_WEAK}: the fixture's subjects are not found");

    let (found, items) = snapshot(source, c, &weak).await?;
    ensure!(
        found.is_empty() && items.is_empty(),
        "{S_WEAK}: the shared name and IP address alone find {found:?} and export {} items",
        items.len()
    );
    let outcomes = source.erase(c, &weak, &ErasurePolicy::default()).await.ctx("erase")?;
    ensure!(outcomes.is_empty(), "{S_WEAK}: erasing by the shared name and IP address alone reports {outcomes:?}");
    let unchanged = (snapshot(source, c, &by_email(&ada)).await?, snapshot(source, c, &by_email(&bea)).await?);
    ensure!(
        unchanged == (ada_before, bea_before.clone()),
        "{S_WEAK}: erasing by the shared name and IP address alone changed a subject"
    );

    let mut asked = by_email(&ada);
    asked.extend(weak);
    let bea_records = keys(&bea_before.0);
    let found = keys(&source.find(c, &asked).await.ctx("find")?);
    let shared: Vec<&RecordKey> = found.intersection(&bea_records).collect();
    ensure!(
        shared.is_empty(),
        "{S_WEAK}: finding one subject with the shared name and IP address finds the other's {shared:?}"
    );
    let items = exported(source, c, &asked).await?;
    let shared: Vec<RecordKey> = export_keys(&items).intersection(&bea_records).cloned().collect();
    ensure!(
        shared.is_empty(),
        "{S_WEAK}: exporting one subject with the shared name and IP address exports the other's {shared:?}"
    );
    let dump = serde_json::to_string(&items).map_err(|e| e.to_string())?;
    ensure!(dump.contains("KITADA1"), "{S_WEAK}: the subject's own message is not exported");
    let mut hers = values(&bea[..3]);
    hers.push("kitbea1".to_owned());
    let lower = dump.to_lowercase();
    for other in hers {
        ensure!(!lower.contains(&other), "{S_WEAK}: the export holds the other subject's `{other}`: {dump}");
    }
    source.erase(c, &asked, &ErasurePolicy::default()).await.ctx("erase")?;
    let bea_after = snapshot(source, c, &by_email(&bea)).await?;
    ensure!(
        bea_after == bea_before,
        "{S_WEAK}: erasing one subject with the shared name and IP address changed the other: {bea_before:?} became {bea_after:?}"
    );
    Ok(())
}

/// **Identification** goes by [`SubjectIdentifier::matches`]: an e-mail address in other case
/// finds the same records.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_identification_is_normalised(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let upper = SubjectIdentifier::Email(EmailAddress::new("EVA.KIT@Example.CZ").map_err(|e| e.to_string())?);
    let got = keys(&source.find(c, &[upper]).await.ctx("find")?);
    let want = keys(&source.find(c, &by_email(&w.eva)).await.ctx("find")?);
    ensure!(
        !want.is_empty() && got == want,
        "{S_IDENT}: `EVA.KIT@Example.CZ` finds {got:?}, `eva.kit@example.cz` {want:?}"
    );
    Ok(())
}

/// **Erasure.** After `erase` (messages deleted, and again in another scope pseudonymised),
/// `find` returns nothing of the subject but records reported retained.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_leaves_only_retentions(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, d) = two_scopes();
    let pseudonymise = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: Vec::new() };
    for (scope, policy) in [(c, ErasurePolicy::default()), (d, pseudonymise)] {
        let w = world(fixture, scope).await?;
        let outcomes = source.erase(scope, &by_email(&w.eva), &policy).await.ctx("erase")?;
        ensure!(!outcomes.is_empty(), "{S_ERASE}: erasing the subject reports no record");
        let failed: Vec<_> = outcomes.iter().filter(|o| o.outcome.is_failure()).collect();
        ensure!(failed.is_empty(), "{S_ERASE}: records failed: {failed:?}");
        let found = source.find(scope, &w.eva).await.ctx("find")?;
        retained_only(&outcomes, &found, S_ERASE)?;
        ensure!(found.is_empty(), "{S_ERASE}: found after an erasure without retention: {found:?}");
    }
    Ok(())
}

/// **Erasure.** Records covered by `policy.retain` are reported `Retained` with their ground,
/// stay found, and are the only records found.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_keeps_listed_retentions(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    let Some(kept) = found.first().map(|f| f.record.clone()) else {
        return Err(format!("{S_ERASE}: the fixture's subject is not found"));
    };
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/1")? };
    let policy =
        ErasurePolicy { retain: vec![Retain { records: kept.clone(), ground: ground.clone() }], ..Default::default() };
    let outcomes = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let reported = outcomes.iter().find(|o| o.record == kept).map(|o| &o.outcome);
    let want = Outcome::Retained { ground };
    ensure!(reported == Some(&want), "{S_ERASE}: the retained record {kept} is reported {reported:?}");
    let after = source.find(c, &w.eva).await.ctx("find")?;
    retained_only(&outcomes, &after, S_ERASE)?;
    ensure!(keys(&after).contains(&kept), "{S_ERASE}: the retained record {kept} is no longer found");
    Ok(())
}

/// **Erasure.** Erasing one subject removes nothing of another: the other subject's records
/// and export stay, and their messages stay in processing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erasure_spares_other_subjects(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let (found, items) = snapshot(source, c, &w.bob).await?;
    source.erase(c, &w.eva, &ErasurePolicy::default()).await.ctx("erase")?;
    let (found_after, items_after) = snapshot(source, c, &w.bob).await?;
    ensure!(
        keys(&found_after) == keys(&found),
        "{S_OTHERS}: the other subject's records went from {found:?} to {found_after:?}"
    );
    ensure!(export_keys(&items_after) == export_keys(&items), "{S_OTHERS}: the other subject's export lost records");
    let dump = serde_json::to_string(&items_after).map_err(|e| e.to_string())?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    for word in BOB_WORDS {
        ensure!(dump.contains(word), "{S_OTHERS}: the other subject's message {word} is no longer exported");
        ensure!(view.contains(word), "{S_OTHERS}: the other subject's message {word} left processing");
    }
    Ok(())
}

/// **Idempotence** of `erase`: a second call reports only `Unchanged` or the same retention,
/// for records of the first call, and changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_erase_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let first_found = source.find(c, &w.eva).await.ctx("find")?;
    let Some(kept) = first_found.last().map(|f| f.record.clone()) else {
        return Err(format!("{S_IDEM}: nothing of Eva's found in the kit's world"));
    };
    let ground = RetentionGround::LegalObligation { law: text("KIT act § 1")? };
    let policy = ErasurePolicy { retain: vec![Retain { records: kept, ground }], ..Default::default() };
    let first = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let between = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let second = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    for o in &second {
        let earlier = first.iter().find(|f| f.record == o.record).map(|f| &f.outcome);
        let fine = match &o.outcome {
            Outcome::Unchanged => earlier.is_some(),
            retained @ Outcome::Retained { .. } => earlier == Some(retained),
            _ => false,
        };
        ensure!(fine, "{S_IDEM}: the second erase reports {o:?}, the first {earlier:?}");
    }
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == between, "{S_IDEM}: the second erase changed what is found or exported");
    Ok(())
}

/// **Idempotence** of `rectify`: replacing an identifier or adding a statement twice reports
/// no change the second time; a replacement of another kind is refused (`Invalid`).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_rectify_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let old = w.eva[1].clone();
    let new = SubjectIdentifier::Email(EmailAddress::new("evelina.kit@example.cz").map_err(|e| e.to_string())?);
    let subject = [w.eva[0].clone(), old.clone()];
    let replace = Rectification::Replace { old: old.clone(), new: new.clone() };
    let supplement = Rectification::Supplement { statement: text("KITSTATEMENT I moved to Brno")? };
    for rectification in [replace, supplement] {
        let first = source.rectify(c, &subject, &rectification).await.ctx("rectify")?;
        ensure!(
            first.iter().any(|o| o.outcome == Outcome::Rectified),
            "{S_IDEM}: {rectification:?} rectified nothing: {first:?}"
        );
        let between = snapshot(source, c, &w.eva[..1]).await?;
        let second = source.rectify(c, &subject, &rectification).await.ctx("rectify")?;
        ensure!(
            second.iter().all(|o| o.outcome == Outcome::Unchanged),
            "{S_IDEM}: a second {rectification:?} reports {second:?}"
        );
        let after = snapshot(source, c, &w.eva[..1]).await?;
        ensure!(after == between, "{S_IDEM}: a second {rectification:?} changed the subject's data");
    }
    let by_new = source.find(c, &[new]).await.ctx("find")?;
    ensure!(!by_new.is_empty(), "PersonalDataSource::rectify: the subject is not found by the new e-mail address");
    let phone = w.eva[2].clone();
    let kind_change = Rectification::Replace { old: w.eva[0].clone(), new: phone };
    let got = source.rectify(c, &w.eva[..1], &kind_change).await;
    ensure!(
        matches!(got, Err(StoreError::Invalid { .. })),
        "{}",
        unexpected("PersonalDataSource::rectify (Art. 16)", "Invalid for a change of kind", &got)
    );
    Ok(())
}

/// **Idempotence** of `restrict` and `lift_restriction`: a second call reports only
/// `Unchanged` and changes nothing.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restriction_is_idempotent(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    for restrict in [true, false] {
        let call = || async {
            if restrict { source.restrict(c, &w.eva).await } else { source.lift_restriction(c, &w.eva).await }
        };
        let first = call().await.ctx("restrict or lift_restriction")?;
        let want = if restrict { Outcome::Restricted } else { Outcome::RestrictionLifted };
        ensure!(first.iter().any(|o| o.outcome == want), "{S_IDEM}: the first call reports {first:?}");
        let between = snapshot(source, c, &w.eva).await?;
        let second = call().await.ctx("restrict or lift_restriction")?;
        ensure!(second.iter().all(|o| o.outcome == Outcome::Unchanged), "{S_IDEM}: the second call reports {second:?}");
        ensure!(snapshot(source, c, &w.eva).await? == between, "{S_IDEM}: the second call changed the subject's data");
    }
    Ok(())
}

/// **Plan.** `erasure_plan` changes nothing (for the subject or anyone else).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_plan_changes_nothing(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let before = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: Vec::new() };
    let plan = source.erasure_plan(c, &w.eva, &policy).await.ctx("erasure_plan")?;
    ensure!(!plan.is_empty(), "{S_PLAN}: the plan lists no record");
    let after = (snapshot(source, c, &w.eva).await?, snapshot(source, c, &w.bob).await?);
    ensure!(after == before, "{S_PLAN}: planning changed what is found or exported");
    Ok(())
}

/// **Plan.** Called before `erase` with the same arguments, `erasure_plan` lists the same
/// records with the same outcomes, also for a second erasure.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_plan_predicts_erase(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    let Some(kept) = found.first().map(|f| f.record.clone()) else {
        return Err(format!("{S_PLAN}: nothing of Eva's found in the kit's world"));
    };
    let policy = ErasurePolicy {
        messages: MessageErasure::Pseudonymise,
        retain: vec![Retain { records: kept, ground: RetentionGround::ArchivingResearchStatistics }],
    };
    for round in ["first", "second"] {
        let plan = source.erasure_plan(c, &w.eva, &policy).await.ctx("erasure_plan")?;
        let done = source.erase(c, &w.eva, &policy).await.ctx("erase")?;
        let done: Vec<_> = done.into_iter().filter(|o| !o.outcome.is_failure()).collect();
        let sort = |mut v: Vec<RecordOutcome>| {
            v.sort_by(|a, b| a.record.cmp(&b.record));
            v
        };
        let (plan, done) = (sort(plan), sort(done));
        ensure!(plan == done, "{S_PLAN}: the {round} plan {plan:?} differs from the erasure {done:?}");
    }
    Ok(())
}

/// **Export.** The subject's export holds their own messages and none of another subject's
/// identifiers, messages, or an agent's name, anywhere in its JSON (Art. 15(4)); every item
/// names the source.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_export_is_redacted(source: &dyn PersonalDataSource, fixture: &dyn SourceFixture) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let items = exported(source, c, &w.eva).await?;
    let foreign: Vec<_> = items.iter().filter(|i| &i.source != source.name()).map(|i| &i.source).collect();
    ensure!(foreign.is_empty(), "{S_EXPORT}: items name other sources: {foreign:?}");
    let dump = serde_json::to_string(&items).map_err(|e| e.to_string())?;
    let lower = dump.to_lowercase();
    for word in EVA_WORDS {
        ensure!(dump.contains(word), "{S_EXPORT}: the subject's own message {word} is not exported");
    }
    let mut others: Vec<String> = values(&w.bob);
    others.extend(BOB_WORDS.iter().map(|w| w.to_lowercase()));
    others.push(AGENT.to_lowercase());
    for other in others {
        ensure!(!lower.contains(&other), "{S_EXPORT}: the export holds another person's `{other}`: {dump}");
    }
    Ok(())
}

/// **Restriction.** Restricted records stay stored: `find` returns the same records marked
/// restricted, and `export` yields the same records; after lifting, they are unmarked.
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_still_found_and_exported(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let (found, items) = snapshot(source, c, &w.eva).await?;
    source.restrict(c, &by_email(&w.eva)).await.ctx("restrict")?;
    let (found_r, items_r) = snapshot(source, c, &w.eva).await?;
    ensure!(keys(&found_r) == keys(&found), "{S_RESTRICT}: restricting changed the records found");
    ensure!(found_r.iter().all(|f| f.restricted), "{S_RESTRICT}: records not marked restricted: {found_r:?}");
    ensure!(export_keys(&items_r) == export_keys(&items), "{S_RESTRICT}: restricted records are not exported");
    source.lift_restriction(c, &by_email(&w.eva)).await.ctx("lift_restriction")?;
    let lifted = source.find(c, &w.eva).await.ctx("find")?;
    ensure!(keys(&lifted) == keys(&found), "{S_RESTRICT}: lifting changed the records found");
    ensure!(lifted.iter().all(|f| !f.restricted), "{S_RESTRICT}: records still restricted after lifting: {lifted:?}");
    Ok(())
}

/// **Restriction.** The product's processing leaves a restricted subject's messages out and
/// keeps everyone else's, until the restriction is lifted (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_left_out_of_processing(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let has = |view: &str, words: &[&str]| words.iter().all(|w| view.contains(w));
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        has(&view, &EVA_WORDS) && has(&view, &BOB_WORDS[..1]),
        "{S_RESTRICT}: the processing view lacks the fixture's messages before any restriction"
    );
    source.restrict(c, &w.eva).await.ctx("restrict")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    let leaked: Vec<&str> = EVA_WORDS.iter().copied().filter(|w| view.contains(w)).collect();
    ensure!(leaked.is_empty(), "{S_RESTRICT}: restricted messages {leaked:?} are still processed");
    ensure!(
        has(&view, &BOB_WORDS[..1]),
        "{S_RESTRICT}: restricting one subject took another's messages out of processing"
    );
    source.lift_restriction(c, &w.eva).await.ctx("lift_restriction")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(has(&view, &EVA_WORDS), "{S_RESTRICT}: the subject's messages are not processed again after lifting");
    Ok(())
}

/// **Restriction.** What an erasure retained (Art. 17(3)) is still the subject's: when they
/// then restrict processing, the product's processing leaves it out too, even an agent's reply
/// that quotes them in a conversation they no longer take part in (Art. 18(2)).
///
/// # Errors
/// The sentence and what was wrong.
pub async fn source_restricted_retained_records_left_out_of_processing(
    source: &dyn PersonalDataSource,
    fixture: &dyn SourceFixture,
) -> Checked {
    let (c, _) = two_scopes();
    let w = world(fixture, c).await?;
    let found = source.find(c, &w.eva).await.ctx("find")?;
    // The agent's reply that quotes her: the last message of her own conversation (the
    // fixture sends a conversation's messages in order after its start). Only it is kept.
    let reply = found
        .iter()
        .filter(|f| f.category == DataCategory::CommunicationContent && f.collected_at < instant(20))
        .max_by_key(|f| f.collected_at)
        .map(|f| f.record.clone());
    let Some(reply) = reply else {
        return Err(format!("{S_RESTRICT}: the agent's reply to the fixture's subject is not found"));
    };
    let ground = RetentionGround::LegalClaims { matter: text("dispute KIT/2")? };
    let policy = ErasurePolicy { retain: vec![Retain { records: reply, ground }], ..Default::default() };
    source.erase(c, &w.eva, &policy).await.ctx("erase")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        view.contains(AGENT_TO_EVA),
        "{S_RESTRICT}: the retained reply is not processed before any restriction (the check cannot bite)"
    );
    source.restrict(c, &w.eva).await.ctx("restrict")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(
        !view.contains(AGENT_TO_EVA),
        "{S_RESTRICT}: a retained reply quoting the restricted subject is still processed"
    );
    let leaked: Vec<&str> = EVA_WORDS.iter().copied().filter(|w| view.contains(w)).collect();
    ensure!(
        leaked.is_empty(),
        "{S_RESTRICT}: the restricted subject's retained messages {leaked:?} are still processed"
    );
    source.lift_restriction(c, &w.eva).await.ctx("lift_restriction")?;
    let view = fixture.processing_view(c).await.ctx("fixture processing_view")?;
    ensure!(view.contains(AGENT_TO_EVA), "{S_RESTRICT}: the retained reply is not processed again after lifting");
    Ok(())
}
