//! The erasure vocabulary: record keys and what they cover.

use gdpr_obligations::erasure::Outcome;
use gdpr_obligations::erasure::{ErasurePolicy, RecordKey, RecordOutcome, Retain, RetentionGround};

#[test]
fn a_record_key_is_a_plain_string_in_json() {
    let key: RecordKey = "conversation/0190/message/7".parse().unwrap();
    assert_eq!(serde_json::to_string(&key).unwrap(), r#""conversation/0190/message/7""#);
    assert_eq!(serde_json::from_str::<RecordKey>(r#""conversation/0190/message/7""#).unwrap(), key);
    let outcome = RecordOutcome::new(key.clone(), Outcome::Erased);
    assert_eq!(
        serde_json::to_value(&outcome).unwrap(),
        serde_json::json!({"record": "conversation/0190/message/7", "outcome": {"outcome": "erased"}})
    );
    let schema = serde_json::to_value(schemars::schema_for!(RecordKey)).unwrap();
    assert_eq!(schema["type"], "string", "{schema}");
}

#[test]
fn a_record_key_is_not_empty_and_holds_no_control_character() {
    for bad in ["", "visitor/1\n", "visitor/\u{0}1", "\u{7f}"] {
        assert!(RecordKey::new(bad).is_err(), "{bad:?}");
        let json = serde_json::to_string(bad).unwrap();
        assert!(serde_json::from_str::<RecordKey>(&json).is_err(), "{json} deserialises");
    }
    assert_eq!(RecordKey::new("visitor/ěšč 1").unwrap().as_str(), "visitor/ěšč 1", "any other text is a key");
}

#[test]
fn art_17_3_a_key_ending_in_a_slash_covers_every_key_under_it_and_no_other() {
    let prefix = RecordKey::new("conversation/a/").unwrap();
    assert!(prefix.is_prefix());
    assert!(prefix.covers("conversation/a/message/1") && prefix.covers("conversation/a/"));
    assert!(!prefix.covers("conversation/ab/message/1") && !prefix.covers("conversation/a"));
    let exact = RecordKey::new("conversation/a").unwrap();
    assert!(!exact.is_prefix());
    assert!(exact.covers("conversation/a") && !exact.covers("conversation/a/message/1"));
    let ground = RetentionGround::PublicHealth;
    let policy =
        ErasurePolicy { retain: vec![Retain { records: prefix, ground: ground.clone() }], ..Default::default() };
    assert_eq!(policy.retention_for("conversation/a/message/1"), Some(&ground));
    assert_eq!(policy.retention_for("conversation/b/message/1"), None);
}
