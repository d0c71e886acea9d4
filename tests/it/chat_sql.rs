//! The checks `ChatHistory` passes on every database engine, written once: `chat_sqlite` and
//! `chat_postgres` run them on their engine, beside what only that engine has (a file that
//! survives reopening and damaged rows on SQLite; a server going away on PostgreSQL).
#![cfg(any(feature = "sqlite", feature = "postgres"))]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::{PersonalDataSource, Scope, StoreError};
use gdpr_obligations::testkit::conformance::{self as kit, SourceFixture};

pub(crate) fn scope() -> Scope {
    Scope::of(PartyId::generate())
}

pub(crate) fn at() -> DateTime<Utc> {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

pub(crate) fn email(s: &str) -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new(s).unwrap())
}

/// One source shared by several checks of the kit at once, as a deployment shares it: the
/// checks use scopes of their own and must not see each other's data.
pub(crate) async fn the_kit_on_one_shared_source(chat: &ChatHistory) {
    let source: &dyn PersonalDataSource = chat;
    let fixture: &dyn SourceFixture = chat;
    let (a, b, c, d) = tokio::join!(
        kit::source_scope_isolation(source, fixture),
        kit::source_erase_is_idempotent(source, fixture),
        kit::source_export_is_redacted(source, fixture),
        kit::source_restricted_left_out_of_processing(source, fixture),
    );
    for r in [a, b, c, d] {
        if let Err(e) = r {
            panic!("{e}");
        }
    }
}

/// Writers in one scope, from many tasks and two handles on one database (two connection
/// pools), lose nothing: every message posted is in the transcript, every visitor added is
/// found; two handles adding the same token at once: one wins, the other gets `Duplicate`.
pub(crate) async fn concurrent_writers_lose_nothing(chats: [Arc<ChatHistory>; 2]) {
    let c = scope();
    let host = chats[0].add_visitor(c, Token::new("tok-host").unwrap(), at()).await.unwrap();
    let talk = chats[0].start_conversation(c, host, at()).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..16 {
        let chat = chats[n % 2].clone();
        tasks.push(tokio::spawn(async move {
            let v = chat.add_visitor(c, Token::new(&format!("tok-{n}")).unwrap(), at()).await.unwrap();
            chat.add_identifier(c, v, email(&format!("v{n}@example.cz")), at()).await.unwrap();
            chat.join_conversation(c, talk, v, at()).await.unwrap();
            for i in 0..3 {
                let text = Text::new(&format!("m-{n}-{i}")).unwrap();
                chat.post(c, talk, Sender::Visitor(v), text, vec![], at()).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(chats[1].transcript(c, talk).await.unwrap().len(), 48);
    for n in 0..16 {
        assert_eq!(chats[0].find(c, &[email(&format!("v{n}@example.cz"))]).await.unwrap().len(), 5);
    }
    let (a, b) = tokio::join!(
        chats[0].add_visitor(c, Token::new("tok-same").unwrap(), at()),
        chats[1].add_visitor(c, Token::new("tok-same").unwrap(), at()),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    assert!(matches!(a.err().or(b.err()), Some(StoreError::Duplicate { .. })));
}
