//! The desk's identity verification (Art. 12(6)) and downloads (Arts. 15(3), 20): a code sent
//! through the notifier settles the identity, and no copy leaves before it is settled.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::StreamExt;
use gdpr_obligations::desk::{Desk, DeskError};
use gdpr_obligations::model::{EmailAddress, PartyId, SubjectIdentifier, Text, Token};
use gdpr_obligations::request::{
    Channel, ComplaintInformation, Identity, Processing, Receipt, RequestId, RequestKind, StatusName,
};
use gdpr_obligations::store::chat::{ChatHistory, Sender};
use gdpr_obligations::store::memory::{MemoryAuditLog, MemoryLedger};
use gdpr_obligations::store::{AuditAction, AuditLogExt, PseudonymKey, Scope};
use gdpr_obligations::testkit::RecordingNotifier;
use gdpr_obligations::time::DeadlinePolicy;
use gdpr_obligations::verify::VerifyError;
use gdpr_obligations::vocab::{LegalBasis, Purpose};

fn at(minutes: i64) -> DateTime<Utc> {
    "2026-03-16T09:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::minutes(minutes)
}

fn eva() -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new("eva@example.cz").unwrap())
}

struct Scene {
    desk: Desk,
    notifier: Arc<RecordingNotifier>,
    audit: Arc<MemoryAuditLog>,
    shop: PartyId,
}

/// A shop whose chat holds two messages of Eva's, and its desk with a recording notifier.
async fn scene() -> Scene {
    let shop = PartyId::generate();
    let scope = Scope::of(shop);
    let chat = Arc::new(ChatHistory::new());
    let visitor = chat.add_visitor(scope, Token::new("v-eva").unwrap(), at(0)).await.unwrap();
    chat.add_identifier(scope, visitor, eva(), at(0)).await.unwrap();
    let talk = chat.start_conversation(scope, visitor, at(0)).await.unwrap();
    for text in ["Where is my order?", "It is number 42."] {
        chat.post(scope, talk, Sender::Visitor(visitor), Text::new(text).unwrap(), vec![], at(0)).await.unwrap();
    }
    let notifier = Arc::new(RecordingNotifier::new());
    let audit = Arc::new(MemoryAuditLog::new());
    let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef").unwrap();
    let desk = Desk::new(shop, Arc::new(MemoryLedger::new()), audit.clone(), key)
        .with_source(chat)
        .with_notifier(notifier.clone());
    Scene { desk, notifier, audit, shop }
}

async fn received(scene: &Scene, kind: RequestKind) -> RequestId {
    let receipt = Receipt::new(
        scene.shop,
        at(0),
        kind,
        Processing::new(LegalBasis::Consent, Purpose::CustomerCare),
        Channel::WebForm,
        DeadlinePolicy::czech(),
        ComplaintInformation::new(Text::new("ÚOOÚ").unwrap(), Text::new("Art. 79 GDPR").unwrap()),
    )
    .with_requester([eva()]);
    let id = scene.desk.receive(receipt).await.unwrap().id();
    let _ = scene.desk.start(id, at(1)).await.unwrap();
    id
}

async fn read_all(desk: &Desk, id: RequestId, portable: bool) -> Result<String, DeskError> {
    let mut stream =
        if portable { desk.portable_export(id, at(30)).await? } else { desk.access_copy(id, at(30)).await? };
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend(chunk.unwrap());
    }
    Ok(String::from_utf8(bytes).unwrap())
}

#[tokio::test]
async fn art_12_6_a_code_sent_through_the_notifier_settles_the_identity_once() {
    let scene = scene().await;
    let id = received(&scene, RequestKind::Access).await;
    let expires = scene.desk.send_verification(id, at(2)).await.unwrap();
    assert!(expires > at(2));
    let request = scene.desk.request(id).await.unwrap().value;
    assert_eq!(request.status().name(), StatusName::AwaitingIdentity, "the identity request is recorded");
    let sent = scene.notifier.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, eva(), "sent to the address the request was received with");
    let code = sent[0].1.code().to_owned();

    let wrong = if code == "00000000" { "11111111" } else { "00000000" };
    let err = scene.desk.confirm_identity(id, wrong, at(3)).await.unwrap_err();
    assert!(matches!(err, DeskError::Verify(VerifyError::WrongCode { .. })), "{err:?}");
    assert_eq!(err.article().map(|a| a.to_string()).as_deref(), Some("Art. 12(6)"));
    assert!(!err.to_string().contains(&code), "the error never shows the code");

    let request = scene.desk.confirm_identity(id, &code, at(4)).await.unwrap();
    assert!(matches!(request.identity(), Identity::Verified { .. }), "{:?}", request.identity());
    assert_eq!(request.status().name(), StatusName::InProgress, "back to work after the pause");
    // Single use.
    let again = scene.desk.confirm_identity(id, &code, at(5)).await;
    assert!(matches!(again, Err(DeskError::Rejected(_) | DeskError::Verify(_))), "{again:?}");
    // The same address always gives the same pseudonymous subject, never the address itself.
    let Identity::Verified { subject, .. } = request.identity() else { unreachable!() };
    assert!(!subject.to_string().contains("eva"));
}

#[tokio::test]
async fn art_5_1_f_no_copy_leaves_before_the_identity_is_settled() {
    let scene = scene().await;
    let id = received(&scene, RequestKind::Access).await;
    let early = read_all(&scene.desk, id, false).await.unwrap_err();
    assert_eq!(early.article().map(|a| a.to_string()).as_deref(), Some("Art. 5(1)(f)"), "{early}");
    let _ = scene.desk.send_verification(id, at(2)).await.unwrap();
    let code = scene.notifier.sent()[0].1.code().to_owned();
    let _ = scene.desk.confirm_identity(id, &code, at(3)).await.unwrap();

    let copy = read_all(&scene.desk, id, false).await.unwrap();
    let lines: Vec<&str> = copy.lines().collect();
    assert!(lines[0].contains("gdpr-obligations/access-copy/v1"), "{}", lines[0]);
    assert!(copy.contains("It is number 42."));
    // Read to its end, the download is in the audit log with its item count.
    let entries = scene.audit.read_all(Scope::of(scene.shop)).await.unwrap();
    let logged = entries.iter().find_map(|r| match &r.entry.action {
        AuditAction::FulfilmentStep { request, source, records, completed } if source.as_str() == "access_copy" => {
            Some((*request, *records, *completed))
        }
        _ => None,
    });
    assert_eq!(logged, Some((id, (lines.len() - 1) as u64, true)));
    // The kind decides what may be downloaded: no Art. 20 export for an access request.
    let other = read_all(&scene.desk, id, true).await.unwrap_err();
    assert_eq!(other.article().map(|a| a.to_string()).as_deref(), Some("Art. 20"), "{other}");
}

#[tokio::test]
async fn art_20_the_portable_export_is_served_for_a_portability_request_with_the_identity_settled() {
    let scene = scene().await;
    let id = received(&scene, RequestKind::Portability).await;
    let _ = scene.desk.send_verification(id, at(2)).await.unwrap();
    let code = scene.notifier.sent()[0].1.code().to_owned();
    let _ = scene.desk.confirm_identity(id, &code, at(3)).await.unwrap();
    let export = read_all(&scene.desk, id, true).await.unwrap();
    assert!(export.lines().next().unwrap().contains("gdpr-obligations/portable-export/v1"));
    assert!(export.contains("Where is my order?"));
    let done = scene.desk.fulfil(id, at(40)).await.unwrap();
    assert_eq!(done.request.status().name(), StatusName::Completed);
}

#[tokio::test]
async fn a_desk_without_a_notifier_says_so_and_records_nothing() {
    let scene = scene().await;
    let key = PseudonymKey::new(b"0123456789abcdef0123456789abcdef").unwrap();
    let bare = Desk::new(scene.shop, scene.desk.ledger().clone(), scene.audit.clone(), key);
    let id = received(&scene, RequestKind::Access).await;
    assert!(matches!(bare.send_verification(id, at(2)).await, Err(DeskError::NoNotifier)));
    assert_eq!(bare.request(id).await.unwrap().value.status().name(), StatusName::InProgress);
}
