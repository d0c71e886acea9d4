//! Identity verification codes (Art. 12(6)), kept safe as Art. 32 asks: single use, expiry,
//! limited attempts under concurrency, keyed hashes only, delivery to the identifier given.

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use gdpr_obligations::model::{EmailAddress, PartyId, PhoneNumber, SubjectIdentifier, Token};
use gdpr_obligations::request::RequestId;
use gdpr_obligations::store::memory::MemoryLedger;
use gdpr_obligations::store::{DocumentKey, DocumentKind, LedgerStore, PseudonymKey, Scope, SubjectKey};
use gdpr_obligations::testkit::RecordingNotifier;
use gdpr_obligations::verify::{
    CODE_DIGITS, DEFAULT_ATTEMPTS, DEFAULT_CODES, DEFAULT_LIFETIME, VerificationCodes, VerificationMessage, VerifyError,
};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    "2026-05-04T10:00:00Z".parse().unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::new(b"a test key of at least sixteen bytes").unwrap()
}

fn eva() -> SubjectIdentifier {
    SubjectIdentifier::Email(EmailAddress::new("eva@example.cz").unwrap())
}

struct Desk {
    ledger: Arc<MemoryLedger>,
    scope: Scope,
    codes: VerificationCodes,
}

fn desk() -> Desk {
    let ledger = Arc::new(MemoryLedger::new());
    let scope = Scope::of(PartyId::generate());
    let codes = VerificationCodes::new(ledger.clone(), scope, key());
    Desk { ledger, scope, codes }
}

/// A code of the right shape that is not `code`.
fn other_than(code: &str) -> String {
    if code == "00000000" { "00000001".to_owned() } else { "00000000".to_owned() }
}

#[test]
fn verification_codes_are_owned_clone_send_sync() {
    fn owned<T: Clone + Send + Sync + 'static>() {}
    owned::<VerificationCodes>();
    owned::<RecordingNotifier>();
}

#[tokio::test]
async fn art_12_6_a_right_code_verifies_once_and_its_reuse_is_refused() {
    let d = desk();
    let request = RequestId::generate();
    let message = d.codes.issue(request, &eva(), now()).await.unwrap();
    assert_eq!(message.code().len(), CODE_DIGITS);
    assert!(message.code().bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(message.expires_at, now() + DEFAULT_LIFETIME);
    // Typed with a space in the middle, as people copy codes.
    let typed = format!("{} {}", &message.code()[..4], &message.code()[4..]);
    let verified = d.codes.check(request, &typed, now() + TimeDelta::minutes(1)).await.unwrap();
    assert_eq!(verified.request, request);
    assert_eq!(verified.sent_to, SubjectKey::derive(&key(), d.scope, &eva()));
    assert_eq!(verified.at, now() + TimeDelta::minutes(1));
    let again = d.codes.check(request, message.code(), now() + TimeDelta::minutes(2)).await;
    assert!(matches!(again, Err(VerifyError::AlreadyVerified { .. })), "{again:?}");
    let reissue = d.codes.issue(request, &eva(), now()).await;
    assert!(matches!(reissue, Err(VerifyError::AlreadyVerified { .. })), "a verified request gets no new code");
}

#[tokio::test]
async fn art_32_an_expired_code_is_refused() {
    let d = desk();
    let request = RequestId::generate();
    let message = d.codes.issue(request, &eva(), now()).await.unwrap();
    let late = d.codes.check(request, message.code(), message.expires_at).await;
    assert!(matches!(late, Err(VerifyError::Expired { expired_at, .. }) if expired_at == message.expires_at));
    // Configurable, and a new code verifies.
    let codes = d.codes.clone().with_lifetime(TimeDelta::hours(1));
    let fresh = codes.issue(request, &eva(), message.expires_at).await.unwrap();
    assert_eq!(fresh.expires_at, message.expires_at + TimeDelta::hours(1));
    assert_eq!(codes.check(request, fresh.code(), message.expires_at).await.unwrap().request, request);
}

#[tokio::test]
async fn art_32_wrong_codes_lock_after_the_limit_even_for_the_right_code() {
    let d = desk();
    let request = RequestId::generate();
    let message = d.codes.issue(request, &eva(), now()).await.unwrap();
    let wrong = other_than(message.code());
    for left in (0..DEFAULT_ATTEMPTS.get()).rev() {
        let got = d.codes.check(request, &wrong, now()).await;
        assert!(matches!(got, Err(VerifyError::WrongCode { attempts_left, .. }) if attempts_left == left), "{got:?}");
    }
    let locked = d.codes.check(request, message.code(), now()).await;
    assert!(matches!(locked, Err(VerifyError::Locked { .. })), "{locked:?}");
}

#[tokio::test]
async fn art_32_reissue_replaces_the_code_and_is_limited() {
    let d = desk();
    let request = RequestId::generate();
    let mut last = None;
    for _ in 0..DEFAULT_CODES.get() {
        let message = d.codes.issue(request, &eva(), now()).await.unwrap();
        let _ = d.codes.check(request, &other_than(message.code()), now()).await;
        last = Some(message);
    }
    let too_many = d.codes.issue(request, &eva(), now()).await;
    assert!(matches!(too_many, Err(VerifyError::TooManyCodes { limit: 3, .. })), "{too_many:?}");
    // The last code still verifies, with the attempts it was issued with, less the one used.
    let last = last.unwrap();
    assert_eq!(d.codes.check(request, last.code(), now()).await.unwrap().request, request);
}

#[tokio::test]
async fn art_32_a_replaced_code_no_longer_verifies() {
    let d = desk();
    let request = RequestId::generate();
    let first = d.codes.issue(request, &eva(), now()).await.unwrap();
    let second = d.codes.issue(request, &eva(), now()).await.unwrap();
    if first.code() != second.code() {
        let old = d.codes.check(request, first.code(), now()).await;
        assert!(matches!(old, Err(VerifyError::WrongCode { .. })), "{old:?}");
    }
    assert_eq!(d.codes.check(request, second.code(), now()).await.unwrap().request, request);
}

#[tokio::test]
async fn art_12_6_codes_go_only_to_email_or_phone_and_checks_need_an_issued_code() {
    let d = desk();
    let request = RequestId::generate();
    let cookie = SubjectIdentifier::CookieId(Token::new("c-1").unwrap());
    let got = d.codes.issue(request, &cookie, now()).await;
    assert!(matches!(got, Err(VerifyError::Undeliverable { kind: "cookie_id" })), "{got:?}");
    let phone = SubjectIdentifier::Phone(PhoneNumber::new("+420601234567").unwrap());
    d.codes.issue(RequestId::generate(), &phone, now()).await.unwrap();
    let none = d.codes.check(request, "12345678", now()).await;
    assert!(matches!(none, Err(VerifyError::NotIssued { .. })), "{none:?}");
    assert!(none.unwrap_err().to_string().contains("Art. 12(6)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn art_32_concurrent_wrong_guesses_never_get_more_than_the_limit() {
    for _ in 0..10 {
        let d = desk();
        let request = RequestId::generate();
        let message = d.codes.issue(request, &eva(), now()).await.unwrap();
        let wrong = other_than(message.code());
        let guesses = (0..40).map(|_| {
            let codes = d.codes.clone();
            let wrong = wrong.clone();
            tokio::spawn(async move { codes.check(request, &wrong, now()).await })
        });
        let results = futures_util::future::join_all(guesses).await;
        let mut wrong_answers: Vec<u32> = Vec::new();
        for result in results {
            match result.unwrap() {
                Err(VerifyError::WrongCode { attempts_left, .. }) => wrong_answers.push(attempts_left),
                Err(VerifyError::Locked { .. }) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        wrong_answers.sort_unstable();
        let expected: Vec<u32> = (0..DEFAULT_ATTEMPTS.get()).collect();
        assert_eq!(wrong_answers, expected, "each attempt is spent once, and no more than the limit");
        let locked = d.codes.check(request, message.code(), now()).await;
        assert!(matches!(locked, Err(VerifyError::Locked { .. })), "{locked:?}");
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn art_32_two_desks_on_one_sqlite_file_share_the_attempt_limit() {
    use gdpr_obligations::store::sqlite::SqliteStore;
    let path = std::env::temp_dir().join(format!("gdpr-verify-test-{}.sqlite", uuid::Uuid::now_v7()));
    let (one, two) = (SqliteStore::open(&path).await.unwrap(), SqliteStore::open(&path).await.unwrap());
    let scope = Scope::of(PartyId::generate());
    let desks = [
        VerificationCodes::new(Arc::new(one.clone()), scope, key()),
        VerificationCodes::new(Arc::new(two.clone()), scope, key()),
    ];
    let request = RequestId::generate();
    let message = desks[0].issue(request, &eva(), now()).await.unwrap();
    let wrong = other_than(message.code());
    let guesses = (0..24).map(|n| {
        let codes = desks[n % 2].clone();
        let wrong = wrong.clone();
        tokio::spawn(async move { codes.check(request, &wrong, now()).await })
    });
    let mut spent = 0;
    for result in futures_util::future::join_all(guesses).await {
        match result.unwrap() {
            Err(VerifyError::WrongCode { .. }) => spent += 1,
            Err(VerifyError::Locked { .. }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(spent, DEFAULT_ATTEMPTS.get());
    let locked = desks[1].check(request, message.code(), now()).await;
    assert!(matches!(locked, Err(VerifyError::Locked { .. })), "{locked:?}");
    one.close().await;
    two.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn art_32_concurrent_right_answers_verify_once() {
    let d = desk();
    let request = RequestId::generate();
    let message = d.codes.issue(request, &eva(), now()).await.unwrap();
    let checks = (0..20).map(|_| {
        let codes = d.codes.clone();
        let code = message.code().to_owned();
        tokio::spawn(async move { codes.check(request, &code, now()).await })
    });
    let results = futures_util::future::join_all(checks).await;
    let verified = results.into_iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    assert_eq!(verified, 1, "single use, whatever the interleaving");
}

#[tokio::test]
async fn art_32_the_stored_document_holds_no_code_and_no_identifier_in_clear() {
    let d = desk();
    let request = RequestId::generate();
    let message = d.codes.issue(request, &eva(), now()).await.unwrap();
    let document = DocumentKey { kind: DocumentKind::Verification, id: request.as_uuid() };
    let stored = d.ledger.get_document(d.scope, document).await.unwrap().expect("the verification document");
    let json = stored.body.to_string();
    assert!(!json.contains(message.code()), "the code in clear: {json}");
    assert!(!json.contains("eva@example.cz"), "the identifier in clear: {json}");
    assert!(json.contains(&SubjectKey::derive(&key(), d.scope, &eva()).to_string()), "its keyed hash: {json}");
    // A check writes no code either, right or wrong.
    let _ = d.codes.check(request, &other_than(message.code()), now()).await;
    assert_eq!(d.codes.check(request, message.code(), now()).await.unwrap().request, request);
    let json = d.ledger.get_document(d.scope, document).await.unwrap().unwrap().body.to_string();
    assert!(!json.contains(message.code()), "the code in clear: {json}");
}

#[tokio::test]
async fn art_32_debug_of_a_message_redacts_the_code() {
    let message = VerificationMessage::new(RequestId::generate(), "48151623", now());
    let shown = format!("{message:?}");
    assert!(!shown.contains("48151623") && shown.contains("redacted"), "{shown}");
}

#[tokio::test]
async fn art_12_6_a_code_is_sent_through_the_notifier_to_the_identifier_given() {
    let d = desk();
    let notifier = RecordingNotifier::new();
    let request = RequestId::generate();
    let expires_at = d.codes.send(&notifier, request, &eva(), now()).await.unwrap();
    let sent = notifier.sent();
    assert_eq!(sent.len(), 1);
    let (to, message) = &sent[0];
    assert_eq!(to, &eva());
    assert_eq!(message.request, request);
    assert_eq!(message.expires_at, expires_at);
    assert_eq!(d.codes.check(request, message.code(), now()).await.unwrap().request, request);
}

/// The pure model of one request's codes: what every call must answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Issued,
    TooMany,
    AlreadyVerified,
    NotIssued,
    Locked,
    Expired,
    Wrong(u32),
    Verified,
}

#[derive(Debug, Clone)]
enum Op {
    Issue,
    /// Check the last code issued.
    CheckRight,
    /// Check a code issued before the last one (the first one issued).
    CheckFirst,
    /// Check random digits.
    CheckRandom(String),
    Wait(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Issue),
        2 => Just(Op::CheckRight),
        1 => Just(Op::CheckFirst),
        3 => "[0-9]{8}".prop_map(Op::CheckRandom),
        2 => (0i64..15).prop_map(Op::Wait),
    ]
}

#[derive(Debug, Default)]
struct Model {
    codes_issued: u32,
    attempts_left: u32,
    expires_at: Option<DateTime<Utc>>,
    verified: bool,
    current: Option<String>,
}

const ATTEMPTS: u32 = 3;
const CODES: u32 = 2;
const LIFETIME: TimeDelta = TimeDelta::minutes(10);

impl Model {
    fn issue(&mut self, now: DateTime<Utc>) -> Answer {
        if self.verified {
            Answer::AlreadyVerified
        } else if self.codes_issued >= CODES {
            Answer::TooMany
        } else {
            self.codes_issued += 1;
            self.attempts_left = ATTEMPTS;
            self.expires_at = Some(now + LIFETIME);
            Answer::Issued
        }
    }

    fn check(&mut self, code: &str, now: DateTime<Utc>) -> Answer {
        let Some(expires_at) = self.expires_at else { return Answer::NotIssued };
        if self.verified {
            Answer::AlreadyVerified
        } else if self.attempts_left == 0 {
            Answer::Locked
        } else if now >= expires_at {
            Answer::Expired
        } else if self.current.as_deref() == Some(code) {
            self.verified = true;
            Answer::Verified
        } else {
            self.attempts_left -= 1;
            Answer::Wrong(self.attempts_left)
        }
    }
}

fn answer(result: Result<(), VerifyError>) -> Answer {
    match result {
        Ok(()) => Answer::Verified,
        Err(VerifyError::TooManyCodes { .. }) => Answer::TooMany,
        Err(VerifyError::AlreadyVerified { .. }) => Answer::AlreadyVerified,
        Err(VerifyError::NotIssued { .. }) => Answer::NotIssued,
        Err(VerifyError::Locked { .. }) => Answer::Locked,
        Err(VerifyError::Expired { .. }) => Answer::Expired,
        Err(VerifyError::WrongCode { attempts_left, .. }) => Answer::Wrong(attempts_left),
        Err(e) => panic!("unexpected {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::common::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn art_32_codes_answer_as_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let ledger = Arc::new(MemoryLedger::new());
            let codes = VerificationCodes::new(ledger, Scope::of(PartyId::generate()), key())
                .with_lifetime(LIFETIME)
                .with_attempts(NonZeroU32::new(ATTEMPTS).unwrap())
                .with_codes(NonZeroU32::new(CODES).unwrap());
            let request = RequestId::generate();
            let mut model = Model::default();
            let mut first: Option<String> = None;
            let mut t = now();
            for op in ops {
                let (got, expected) = match op {
                    Op::Issue => {
                        let got = codes.issue(request, &eva(), t).await;
                        let expected = model.issue(t);
                        let got = match got {
                            Ok(message) => {
                                model.current = Some(message.code().to_owned());
                                first.get_or_insert_with(|| message.code().to_owned());
                                Answer::Issued
                            }
                            Err(e) => answer(Err(e)),
                        };
                        (got, expected)
                    }
                    Op::Wait(minutes) => {
                        t += TimeDelta::minutes(minutes);
                        continue;
                    }
                    Op::CheckRight | Op::CheckFirst | Op::CheckRandom(_) => {
                        let code = match op {
                            Op::CheckRight => model.current.clone().unwrap_or_else(|| "00000000".to_owned()),
                            Op::CheckFirst => first.clone().unwrap_or_else(|| "00000000".to_owned()),
                            Op::CheckRandom(code) => code,
                            _ => unreachable!(),
                        };
                        let expected = model.check(&code, t);
                        (answer(codes.check(request, &code, t).await.map(|_| ())), expected)
                    }
                };
                prop_assert_eq!(got, expected);
            }
            Ok(())
        })?;
    }
}
