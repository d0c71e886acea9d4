//! The identifier parsers and free-text redaction on arbitrary text: `EmailAddress::new`,
//! `PhoneNumber::new` and `PhoneNumber::parse` (with a region), `Text` names, IP addresses
//! decoded from JSON, `SubjectIdentifier::normalised`, and a `ChatHistory` (in memory) that
//! stores a visitor with whichever identifiers parsed, posts the text as an agent's reply and
//! as an attachment's name, exports and erases: nothing panics, the canonical form of an
//! identifier is stable (normalising the normalised value of a name or an e-mail address
//! gives the same form), and a telephone number's E.164 form reads back as itself.
#![no_main]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use gdpr_obligations::erasure::ErasurePolicy;
use gdpr_obligations::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Text, Token};
use gdpr_obligations::store::chat::{Attachment, ChatHistory, Sender};
use gdpr_obligations::store::{PersonalDataSource, Scope};
use gdpr_obligations::vocab::Country;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    email: &'a str,
    phone: &'a str,
    region: Option<[u8; 2]>,
    name: &'a str,
    ip: &'a str,
    text: &'a str,
}

/// Runs a future of the in-memory store, which never waits on anything outside itself.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    let region = input.region.and_then(|r| std::str::from_utf8(&r).ok()?.parse::<Country>().ok());
    let mut ids = Vec::new();
    if let Ok(e) = EmailAddress::new(input.email) {
        let id = SubjectIdentifier::Email(e);
        let value = id.normalised();
        let again = EmailAddress::new(&value["email:".len()..]).map(|e| SubjectIdentifier::Email(e).normalised());
        assert_eq!(again.as_deref().unwrap_or(&value), value, "an e-mail address's canonical form is stable");
        ids.push(id);
    }
    let _ = PhoneNumber::new(input.phone);
    let phone = PhoneNumber::parse(input.phone, region).ok();
    if let Some(p) = &phone {
        assert_eq!(PhoneNumber::new(p.as_str()).as_ref().ok(), Some(p), "E.164 reads back as itself");
        let _ = (p.country_calling_code(), p.national_number(), p.region());
        ids.push(SubjectIdentifier::Phone(p.clone()));
    }
    if let Ok(n) = Text::new(input.name) {
        let id = SubjectIdentifier::Name(n);
        let value = id.normalised();
        if let Ok(again) = Text::new(&value["name:".len()..]) {
            assert_eq!(SubjectIdentifier::Name(again).normalised(), value, "a name's canonical form is stable");
        }
        ids.push(id);
    }
    let json = serde_json::json!({"kind": "ip_address", "value": input.ip});
    if let Ok(ip) = serde_json::from_value::<SubjectIdentifier>(json) {
        ids.push(ip);
    }
    let Ok(text) = Text::new(input.text) else { return };
    let at: DateTime<Utc> = DateTime::UNIX_EPOCH;
    let chat = ChatHistory::new();
    let scope = Scope::of(PartyId::generate());
    block_on(async {
        let Ok(token) = Token::new("tok-fuzz") else { return };
        let Ok(v) = chat.add_visitor(scope, token.clone(), at).await else { return };
        for id in ids {
            let _ = chat.add_identifier(scope, v, id, at).await;
        }
        let Ok(talk) = chat.start_conversation(scope, v, at).await else { return };
        let files: Vec<Attachment> = Attachment::new(input.text, "text/plain", 1).into_iter().collect();
        let agent = Sender::Agent(Text::new("Agent").unwrap_or_else(|_| text.clone()));
        let _ = chat.post(scope, talk, agent, text.clone(), files, at).await;
        let subject = [SubjectIdentifier::ChatVisitorToken(token)];
        let _ = chat.find(scope, &subject).await;
        let _ = chat.export(scope, &subject).await;
        let _ = chat.erase(scope, &subject, &ErasurePolicy::default()).await;
        let _ = chat.transcript(scope, talk).await;
    });
});
