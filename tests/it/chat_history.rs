//! `ChatHistory`, the reference personal-data source: each right on a real chat shape.

use crate::common;

use std::net::IpAddr;
use std::num::NonZeroUsize;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::TryStreamExt;
use gdpr_obligations::erasure::{
    ErasurePolicy, MessageErasure, Outcome, RecordOutcome, Rectification, Retain, RetentionGround,
};
use gdpr_obligations::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{
    Attachment, Author, ChatExport, ChatHistory, ConversationId, ConversationSummary, ExportRole, Message, Sender,
    VisitorId, VisitorProfile,
};
use gdpr_obligations::store::{ExportItem, PersonalDataSource, Scope, StoreError};

type R = Result<(), Box<dyn std::error::Error>>;

fn t0() -> DateTime<Utc> {
    "2026-02-02T09:00:00Z".parse().unwrap()
}

fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

fn phone(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Phone(PhoneNumber::new(s).unwrap())
}

fn name(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Name(Text::new(s).unwrap())
}

fn ip(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::IpAddress(s.parse::<IpAddr>().unwrap())
}

fn token(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::ChatVisitorToken(Token::new(s).unwrap())
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn agent() -> Sender {
    Sender::Agent(text("Jana Nováková"))
}

/// ACME's chat: Eva (e-mail, phone, name, IP) asks about an order, the agent answers naming her
/// e-mail and attaching a file named after her; Bob chats on his own; they share one chat.
struct Shop {
    chat: ChatHistory,
    acme: Scope,
    eva: VisitorId,
    bob: VisitorId,
    eva_chat: ConversationId,
    bob_chat: ConversationId,
    shared: ConversationId,
}

async fn visitor(chat: &ChatHistory, scope: Scope, tok: &str, ids: &[SubjectIdentifier]) -> VisitorId {
    let v = chat.add_visitor(scope, Token::new(tok).unwrap(), t0()).await.unwrap();
    for id in ids {
        chat.add_identifier(scope, v, id.clone(), t0()).await.unwrap();
    }
    v
}

async fn shop() -> Shop {
    let chat = ChatHistory::new();
    let acme = Scope::of(PartyId::generate());
    let eva = visitor(
        &chat,
        acme,
        "tok-eva",
        &[email("eva@example.cz"), phone("+420601111222"), name("Eva Nováková"), ip("198.51.100.23")],
    )
    .await;
    let bob = visitor(&chat, acme, "tok-bob", &[email("bob@example.org"), name("Bob Dvořák")]).await;
    let at = |m: i64| t0() + TimeDelta::minutes(m);
    let post = |c, from, s: &str, files: Vec<Attachment>, m| {
        let chat = &chat;
        let s = text(s);
        async move { chat.post(acme, c, from, s, files, at(m)).await.unwrap() }
    };
    let eva_chat = chat.start_conversation(acme, eva, at(1)).await.unwrap();
    post(eva_chat, Sender::Visitor(eva), "Where is order 14? I am eva@example.cz", vec![], 1).await;
    let invoice = Attachment::new("invoice for eva@example.cz.pdf", "application/pdf", 48_213).unwrap();
    post(eva_chat, agent(), "Eva Nováková, I sent it to eva@example.cz, call +420601111222", vec![invoice], 2).await;
    post(eva_chat, Sender::Bot, "Rate this chat", vec![], 3).await;
    let bob_chat = chat.start_conversation(acme, bob, at(4)).await.unwrap();
    post(bob_chat, Sender::Visitor(bob), "My neighbour eva@example.cz sent me", vec![], 4).await;
    post(bob_chat, agent(), "Welcome, Bob Dvořák", vec![], 5).await;
    let shared = chat.start_conversation(acme, eva, at(6)).await.unwrap();
    chat.join_conversation(acme, shared, bob, at(6)).await.unwrap();
    post(shared, Sender::Visitor(eva), "Bob Dvořák is with me, bob@example.org", vec![], 6).await;
    post(shared, Sender::Visitor(bob), "Hi Eva Nováková", vec![], 7).await;
    post(shared, agent(), "Hello Eva Nováková and Bob Dvořák", vec![], 8).await;
    Shop { chat, acme, eva, bob, eva_chat, bob_chat, shared }
}

async fn export(chat: &ChatHistory, scope: Scope, subject: &[SubjectIdentifier]) -> Vec<ExportItem> {
    chat.export(scope, subject).await.unwrap().try_collect().await.unwrap()
}

fn outcome_of<'a>(outcomes: &'a [RecordOutcome], prefix: &str) -> Vec<&'a Outcome> {
    outcomes.iter().filter(|o| o.record.as_str().starts_with(prefix)).map(|o| &o.outcome).collect()
}

fn texts(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.text.as_str()).collect()
}

#[tokio::test]
async fn find_by_any_identifier_returns_profile_ips_participations_messages_and_mentioning_replies() -> R {
    let s = shop().await;
    let all = s.chat.find(s.acme, &[email("eva@example.cz")]).await?;
    let keys: Vec<&str> = all.iter().map(|f| f.record.as_str()).collect();
    assert!(keys.contains(&format!("visitor/{}", s.eva).as_str()));
    assert_eq!(keys.iter().filter(|k| k.contains("/ip/")).count(), 1);
    assert_eq!(keys.iter().filter(|k| k.contains("/participant/")).count(), 2);
    // Her two messages, the agent's reply naming her in her chat and in the shared one; not the
    // bot's "Rate this chat", not Bob's messages (even the one naming her).
    assert_eq!(keys.iter().filter(|k| k.contains("/message/")).count(), 4);
    for id in [token("tok-eva"), phone("+420601111222")] {
        let by_one = s.chat.find(s.acme, std::slice::from_ref(&id)).await?;
        assert_eq!(by_one, all, "found by {id:?}");
    }
    // Art. 11(2), 12(6): a name or an IP address selects nobody, alone or together; beside a
    // strong identifier it adds nothing.
    let weak = [name("eva  NOVÁKOVÁ"), ip("198.51.100.23")];
    assert!(s.chat.find(s.acme, &weak).await?.is_empty());
    let with_weak = [email("eva@example.cz"), name("Bob Dvořák"), ip("198.51.100.23")];
    assert_eq!(s.chat.find(s.acme, &with_weak).await?, all);
    assert!(s.chat.find(s.acme, &[email("nobody@example.cz")]).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn art_17_erasure_deletes_the_visitor_and_redacts_the_agents_replies() -> R {
    let s = shop().await;
    let outcomes = s.chat.erase(s.acme, &[email("eva@example.cz")], &ErasurePolicy::default()).await?;
    assert_eq!(outcome_of(&outcomes, &format!("visitor/{}", s.eva)), vec![&Outcome::Erased; 2], "profile and IP");
    assert!(
        outcomes.iter().filter(|o| o.record.as_str().contains("/participant/")).all(|o| o.outcome == Outcome::Erased)
    );
    assert_eq!(outcomes.iter().filter(|o| o.outcome == Outcome::Redacted).count(), 2);
    assert!(s.chat.find(s.acme, &[token("tok-eva"), ip("198.51.100.23")]).await?.is_empty());
    assert_eq!(s.chat.profile(s.acme, s.eva).await?, None);

    // The agent's reply stays, with her e-mail, phone and name redacted, in the attachment's
    // name too; the bot's message is untouched.
    let transcript = s.chat.transcript(s.acme, s.eva_chat).await?;
    assert_eq!(
        texts(&transcript),
        ["[redacted name], I sent it to [redacted e-mail], call [redacted phone]", "Rate this chat"]
    );
    assert_eq!(transcript[0].attachments[0].file_name(), "invoice for [redacted e-mail].pdf");
    // In the shared chat, Bob's own messages are his and stay whole; the reply loses only her name.
    let shared = s.chat.transcript(s.acme, s.shared).await?;
    assert_eq!(texts(&shared), ["Hi Eva Nováková", "Hello [redacted name] and Bob Dvořák"]);
    let bobs = s.chat.transcript(s.acme, s.bob_chat).await?;
    assert_eq!(texts(&bobs), ["My neighbour eva@example.cz sent me", "Welcome, Bob Dvořák"]);
    assert_eq!(s.chat.profile(s.acme, s.bob).await?.map(|p| p.identifiers.len()), Some(3));
    Ok(())
}

#[tokio::test]
async fn art_17_pseudonymised_messages_keep_the_conversation_readable() -> R {
    let s = shop().await;
    let policy = ErasurePolicy { messages: MessageErasure::Pseudonymise, retain: vec![] };
    let outcomes = s.chat.erase(s.acme, &[token("tok-eva")], &policy).await?;
    assert_eq!(outcomes.iter().filter(|o| o.outcome == Outcome::Pseudonymised).count(), 2);
    let transcript = s.chat.transcript(s.acme, s.eva_chat).await?;
    assert!(matches!(transcript[0].author, Author::Pseudonym(_)));
    assert_eq!(transcript[0].text, "Where is order 14? I am [redacted e-mail]");
    let shared = s.chat.transcript(s.acme, s.shared).await?;
    // The same pseudonym for all her messages of one erasure; Bob's identifiers stay.
    assert_eq!(shared[0].text, "Bob Dvořák is with me, bob@example.org");
    assert_eq!(shared[0].author, transcript[0].author);
    assert!(s.chat.find(s.acme, &[email("eva@example.cz")]).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn art_17_3_retained_conversation_is_untouched_found_and_erased_when_the_hold_ends() -> R {
    let s = shop().await;
    let ground = RetentionGround::LegalClaims { matter: text("dispute 2026/14") };
    let hold = Retain { records: format!("conversation/{}/", s.eva_chat).parse()?, ground: ground.clone() };
    let policy = ErasurePolicy { retain: vec![hold], ..Default::default() };
    let before = s.chat.transcript(s.acme, s.eva_chat).await?;
    let first = s.chat.erase(s.acme, &[email("eva@example.cz")], &policy).await?;
    let held: Vec<&RecordOutcome> = first
        .iter()
        .filter(|o| {
            o.record.as_str().starts_with("conversation/") && o.record.as_str().contains(&s.eva_chat.to_string())
        })
        .collect();
    assert_eq!(held.len(), 3, "participation, her message, the agent's reply");
    assert!(held.iter().all(|o| o.outcome == Outcome::Retained { ground: ground.clone() }));
    assert_eq!(s.chat.transcript(s.acme, s.eva_chat).await?, before, "untouched");

    // The profile is gone, but the held records are still hers: found by her identifiers,
    // exported, and reported the same way by a second erasure.
    let found = s.chat.find(s.acme, &[email("eva@example.cz")]).await?;
    let mut found_keys: Vec<_> = found.iter().map(|f| f.record.clone()).collect();
    let mut held_keys: Vec<_> = held.iter().map(|o| o.record.clone()).collect();
    found_keys.sort();
    held_keys.sort();
    assert_eq!(found_keys, held_keys);
    assert_eq!(export(&s.chat, s.acme, &[email("eva@example.cz")]).await.len(), 4, "held records and the bot's reply");
    let second = s.chat.erase(s.acme, &[email("eva@example.cz")], &policy).await?;
    assert_eq!(
        second.iter().map(|o| &o.record).collect::<Vec<_>>(),
        first.iter().map(|o| &o.record).collect::<Vec<_>>()
    );
    for (a, b) in first.iter().zip(&second) {
        match &a.outcome {
            Outcome::Retained { .. } => assert_eq!(a.outcome, b.outcome),
            _ => assert_eq!(b.outcome, Outcome::Unchanged),
        }
    }

    // The hold ends: the same erasure without it finishes the job.
    let last = s.chat.erase(s.acme, &[email("eva@example.cz")], &ErasurePolicy::default()).await?;
    assert!(last.iter().all(|o| !matches!(o.outcome, Outcome::Retained { .. })));
    assert!(s.chat.find(s.acme, &[email("eva@example.cz")]).await?.is_empty());
    let transcript = s.chat.transcript(s.acme, s.eva_chat).await?;
    assert_eq!(transcript.len(), 2);
    assert!(!transcript[0].text.contains("eva@example.cz"));
    Ok(())
}

#[tokio::test]
async fn art_17_second_erasure_reports_every_record_unchanged() -> R {
    let s = shop().await;
    let first = s.chat.erase(s.acme, &[phone("+420601111222")], &ErasurePolicy::default()).await?;
    let plan = s.chat.erasure_plan(s.acme, &[phone("+420601111222")], &ErasurePolicy::default()).await?;
    let second = s.chat.erase(s.acme, &[phone("+420601111222")], &ErasurePolicy::default()).await?;
    assert_eq!(plan, second);
    assert_eq!(second.len(), first.len());
    assert!(second.iter().zip(&first).all(|(b, a)| a.record == b.record && b.outcome == Outcome::Unchanged));
    Ok(())
}

#[tokio::test]
async fn art_17_a_returning_visitor_is_a_new_visitor() -> R {
    let s = shop().await;
    s.chat.erase(s.acme, &[token("tok-eva")], &ErasurePolicy::default()).await?;
    let again = visitor(&s.chat, s.acme, "tok-eva", &[email("eva@example.cz")]).await;
    assert_ne!(again, s.eva);
    let outcomes = s.chat.erase(s.acme, &[token("tok-eva")], &ErasurePolicy::default()).await?;
    assert_eq!(outcome_of(&outcomes, &format!("visitor/{again}")), vec![&Outcome::Erased]);
    assert!(outcome_of(&outcomes, &format!("visitor/{}", s.eva)).iter().all(|o| **o == Outcome::Unchanged));
    Ok(())
}

#[tokio::test]
async fn art_15_4_export_holds_the_subjects_data_and_no_one_elses() -> R {
    let s = shop().await;
    let items = export(&s.chat, s.acme, &[email("eva@example.cz")]).await;
    for item in &items {
        let data: ChatExport = serde_json::from_value(item.data.clone())?;
        common::assert_json_contract(&data);
        common::assert_json_contract(item);
        assert_eq!(item.source.as_str(), "chat_history");
    }
    let dump = serde_json::to_string(&items)?;
    for other in ["bob@example.org", "Bob Dvořák", "Jana", "My neighbour", "Hi Eva", "Welcome"] {
        assert!(!dump.contains(other), "{other} in {dump}");
    }
    assert!(dump.contains("Where is order 14? I am eva@example.cz"), "her own words, whole");
    assert!(dump.contains("[redacted name] is with me, [redacted e-mail]"), "Bob redacted from her message");
    assert!(dump.contains("Eva Nováková, I sent it to eva@example.cz"), "the reply, her identifiers kept");
    let messages: Vec<ChatExport> =
        items.iter().map(|i| serde_json::from_value(i.data.clone())).collect::<Result<_, _>>()?;
    let roles: Vec<ExportRole> = messages
        .iter()
        .filter_map(|m| match m {
            ChatExport::Message { author, .. } => Some(*author),
            _ => None,
        })
        .collect();
    assert_eq!(roles.iter().filter(|r| **r == ExportRole::Subject).count(), 2);
    assert_eq!(roles.iter().filter(|r| **r == ExportRole::Agent).count(), 2);
    assert_eq!(roles.iter().filter(|r| **r == ExportRole::Bot).count(), 1, "replies in her chats, for context");
    let provided: Vec<bool> = items.iter().filter(|i| i.provided_by_subject).map(|i| i.provided_by_subject).collect();
    assert_eq!(provided.len(), 3, "profile and her two messages (Art. 20(1))");
    Ok(())
}

#[tokio::test]
async fn art_18_2_restricted_data_is_stored_found_exported_but_not_processed() -> R {
    let s = shop().await;
    let eva = [email("eva@example.cz")];
    let exported_before = export(&s.chat, s.acme, &eva).await;
    let outcomes = s.chat.restrict(s.acme, &eva).await?;
    assert!(outcomes.iter().all(|o| o.outcome == Outcome::Restricted));
    assert!(s.chat.find(s.acme, &eva).await?.iter().all(|f| f.restricted));
    assert_eq!(export(&s.chat, s.acme, &eva).await, exported_before);

    assert_eq!(s.chat.profile(s.acme, s.eva).await?, None);
    assert!(s.chat.transcript(s.acme, s.eva_chat).await?.is_empty(), "her messages and the replies to her");
    let shared = s.chat.transcript(s.acme, s.shared).await?;
    assert_eq!(texts(&shared), ["Hi Eva Nováková"], "Bob's own message stays processable");
    let list = s.chat.conversations(s.acme).await?;
    assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), [s.bob_chat, s.shared]);
    assert_eq!(list[1].visitors, [s.bob]);
    assert!(s.chat.profile(s.acme, s.bob).await?.is_some());
    // Bob's records are not marked.
    // Of Bob's records, only the reply in the chat he shares with her is held back.
    let bob = s.chat.find(s.acme, &[token("tok-bob")]).await?;
    let marked: Vec<&str> = bob.iter().filter(|f| f.restricted).map(|f| f.record.as_str()).collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].starts_with(&format!("conversation/{}/message/", s.shared)));

    let lifted = s.chat.lift_restriction(s.acme, &eva).await?;
    assert!(lifted.iter().all(|o| o.outcome == Outcome::RestrictionLifted));
    assert_eq!(s.chat.transcript(s.acme, s.eva_chat).await?.len(), 3);
    assert!(s.chat.profile(s.acme, s.eva).await?.is_some());
    Ok(())
}

#[tokio::test]
async fn art_18_2_conversation_pages_leave_out_what_the_listing_leaves_out() -> R {
    let s = shop().await;
    s.chat.restrict(s.acme, &[email("eva@example.cz")]).await?;
    let one = NonZeroUsize::new(1).ok_or("zero")?;
    let (mut paged, mut after, mut pages) = (Vec::new(), None, 0);
    loop {
        let page = s.chat.conversation_page(s.acme, after, one).await?;
        common::assert_json_contract(&page);
        pages += 1;
        paged.extend(page.conversations);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, s.chat.conversations(s.acme).await?);
    assert_eq!(paged.iter().map(|c| c.id).collect::<Vec<_>>(), [s.bob_chat, s.shared], "Eva's own chat is left out");
    assert_eq!(pages, 4, "three conversations one at a time, then the empty page after the last");
    let ten = NonZeroUsize::new(10).ok_or("zero")?;
    let whole = s.chat.conversation_page(s.acme, None, ten).await?;
    assert_eq!((whole.conversations, whole.next), (paged, None));
    let past = s.chat.conversation_page(s.acme, Some(ConversationId::generate()), ten).await?;
    assert!(past.conversations.is_empty() && past.next.is_none(), "nothing after a newer id");
    Ok(())
}

#[tokio::test]
async fn art_16_rectification_replaces_an_identifier_of_the_same_kind_and_adds_statements() -> R {
    let s = shop().await;
    let eva = [token("tok-eva")];
    let fix = Rectification::Replace { old: email("EVA@example.cz"), new: email("eva.novakova@example.cz") };
    let out = s.chat.rectify(s.acme, &eva, &fix).await?;
    assert_eq!(out, [RecordOutcome::new(format!("visitor/{}", s.eva).parse()?, Outcome::Rectified)]);
    assert_eq!(s.chat.rectify(s.acme, &eva, &fix).await?[0].outcome, Outcome::Unchanged);
    assert!(s.chat.find(s.acme, &[email("eva@example.cz")]).await?.is_empty());
    assert!(!s.chat.find(s.acme, &[email("eva.novakova@example.cz")]).await?.is_empty());

    let moved = Rectification::Replace { old: ip("198.51.100.23"), new: ip("198.51.100.99") };
    let out = s.chat.rectify(s.acme, &eva, &moved).await?;
    assert_eq!(out[0].outcome, Outcome::Rectified);
    assert!(out[0].record.as_str().contains("/ip/"));

    let statement = Rectification::Supplement { statement: text("The order was for my company") };
    assert_eq!(s.chat.rectify(s.acme, &eva, &statement).await?[0].outcome, Outcome::Rectified);
    assert_eq!(s.chat.rectify(s.acme, &eva, &statement).await?[0].outcome, Outcome::Unchanged);
    let profile = s.chat.profile(s.acme, s.eva).await?.unwrap();
    assert_eq!(profile.statements, [text("The order was for my company")]);
    assert!(profile.identifiers.contains(&ip("198.51.100.99")));

    let wrong = Rectification::Replace { old: email("eva.novakova@example.cz"), new: phone("+420777000111") };
    assert!(
        matches!(s.chat.rectify(s.acme, &eva, &wrong).await, Err(StoreError::Invalid { reason, .. }) if reason.contains("Art. 16"))
    );
    Ok(())
}

#[tokio::test]
async fn invariant_6_controllers_do_not_share_anything() -> R {
    let s = shop().await;
    let other = Scope::of(PartyId::generate());
    let eva_elsewhere = visitor(&s.chat, other, "tok-eva", &[email("eva@example.cz")]).await;
    let talk = s.chat.start_conversation(other, eva_elsewhere, t0()).await?;
    s.chat.post(other, talk, Sender::Visitor(eva_elsewhere), text("hello eva@example.cz"), vec![], t0()).await?;
    let there = s.chat.find(other, &[email("eva@example.cz")]).await?;
    assert_eq!(there.len(), 3, "profile, participation, message");
    s.chat.restrict(s.acme, &[email("eva@example.cz")]).await?;
    s.chat.erase(s.acme, &[email("eva@example.cz")], &ErasurePolicy::default()).await?;
    assert_eq!(s.chat.find(other, &[email("eva@example.cz")]).await?, there);
    // Another controller's ids are unknown here.
    assert!(matches!(s.chat.transcript(other, s.eva_chat).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(s.chat.start_conversation(other, s.bob, t0()).await, Err(StoreError::NotFound { .. })));
    assert_eq!(s.chat.profile(other, s.bob).await?, None);
    Ok(())
}

#[tokio::test]
async fn product_api_refuses_what_a_chat_would_not_do() -> R {
    let s = shop().await;
    let dup = s.chat.add_visitor(s.acme, Token::new("tok-bob")?, t0()).await;
    assert!(matches!(dup, Err(StoreError::Duplicate { .. })));
    let stranger = visitor(&s.chat, s.acme, "tok-carl", &[]).await;
    let barge_in = s.chat.post(s.acme, s.eva_chat, Sender::Visitor(stranger), text("hi"), vec![], t0()).await;
    assert!(matches!(barge_in, Err(StoreError::Invalid { .. })));
    let nowhere = s.chat.post(s.acme, ConversationId::generate(), Sender::Bot, text("hi"), vec![], t0()).await;
    assert!(matches!(nowhere, Err(StoreError::NotFound { .. })));
    assert!(!s.chat.add_identifier(s.acme, s.bob, email("BOB@example.org"), t0()).await?);
    assert!(s.chat.join_conversation(s.acme, s.bob_chat, stranger, t0()).await?);
    assert!(!s.chat.join_conversation(s.acme, s.bob_chat, stranger, t0()).await?);
    s.chat.erase(s.acme, &[token("tok-carl")], &ErasurePolicy::default()).await?;
    let erased = s.chat.add_identifier(s.acme, stranger, email("carl@example.cz"), t0()).await;
    assert!(matches!(erased, Err(StoreError::NotFound { .. })));
    assert!(Attachment::new(" ", "text/plain", 1).is_err());
    assert!(Attachment::new("a.txt", "text/", 1).is_err());
    Ok(())
}

#[test]
fn invariant_9_public_chat_types_round_trip_and_match_their_schemas() {
    let v = VisitorId::generate();
    let c = ConversationId::generate();
    common::assert_json_contract(&Sender::Agent(text("Jana")));
    common::assert_json_contract(&Sender::Visitor(v));
    common::assert_json_contract(&Author::Pseudonym(uuid::Uuid::now_v7()));
    common::assert_json_contract(&Attachment::new("a.pdf", "application/pdf", 3).unwrap());
    common::assert_json_contract(&ConversationSummary::new(c, t0(), vec![v], 2));
    common::assert_json_contract(&VisitorProfile::new(
        v,
        t0(),
        vec![email("eva@example.cz"), ip("2001:db8::1")],
        vec![text("x")],
    ));
    common::assert_schema_rejects::<Attachment>(&serde_json::json!({"file_name": "a", "media_type": "pdf", "size": 1}));
    assert!(
        serde_json::from_value::<Attachment>(serde_json::json!({"file_name": "a", "media_type": "pdf", "size": 1}))
            .is_err()
    );
}

#[test]
fn chat_history_is_send_and_sync() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<ChatHistory>();
    let _: std::sync::Arc<dyn PersonalDataSource> = std::sync::Arc::new(ChatHistory::new());
}

#[tokio::test]
async fn concurrent_writers_and_an_erasure_leave_nothing_of_the_subject() -> R {
    let s = std::sync::Arc::new(shop().await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let s = s.clone();
        tasks.spawn(async move {
            let from = if i % 2 == 0 { Sender::Visitor(s.eva) } else { agent() };
            s.chat.post(s.acme, s.eva_chat, from, text(&format!("note {i} for eva@example.cz")), vec![], t0()).await
        });
    }
    let erase = s.chat.erase(s.acme, &[token("tok-eva")], &ErasurePolicy::default()).await?;
    assert!(!erase.is_empty());
    while let Some(joined) = tasks.join_next().await {
        let _ = joined?; // a post after the erasure may fail: the visitor left the conversation
    }
    s.chat.erase(s.acme, &[token("tok-eva")], &ErasurePolicy::default()).await?;
    assert!(s.chat.find(s.acme, &[token("tok-eva"), email("eva@example.cz")]).await?.is_empty());
    Ok(())
}
