//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fmt::Debug;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Invariant 9: the value round-trips through JSON, and the type's JSON Schema accepts what it
/// serialises.
pub fn assert_json_contract<T>(value: &T)
where
    T: Serialize + DeserializeOwned + JsonSchema + PartialEq + Debug,
{
    let json = serde_json::to_value(value).expect("serialises");
    let back: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(&back, value, "round trip through {json}");
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema serialises");
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("invalid schema {schema}: {e}"));
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "schema of {} rejects {json}: {errors:?}", std::any::type_name::<T>());
}

/// The type's JSON Schema rejects `json`.
pub fn assert_schema_rejects<T: JsonSchema>(json: &serde_json::Value) {
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("schema serialises");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    assert!(!validator.is_valid(json), "schema of {} accepts {json}", std::any::type_name::<T>());
}

/// The test PostgreSQL's URL, from `GDPR_TEST_POSTGRES_URL` (which `scripts/with-postgres` sets).
/// Without it: `None`, after saying once per test binary that `test` skips PostgreSQL, or a
/// failure under `CI=true`, where a skipped backend would pass unseen.
pub fn postgres_url(test: &str) -> Option<String> {
    const URL_VAR: &str = "GDPR_TEST_POSTGRES_URL";
    static SKIPPED: std::sync::Once = std::sync::Once::new();
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{URL_VAR} is not set and CI=true: run the PostgreSQL tests through scripts/with-postgres")
        }
        _ => {
            // Straight to stderr: the test harness captures `eprintln!`.
            SKIPPED.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "{test}: PostgreSQL skipped, {URL_VAR} is not set (run `scripts/with-postgres cargo test --all-features`)"
                );
            });
            None
        }
    }
}
