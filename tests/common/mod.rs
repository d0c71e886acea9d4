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

// --- fault injection through `testkit::faults::Faulty` ----------------------------------------

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use gdpr_obligations::store::StoreError;
use gdpr_obligations::testkit::faults::{Call, Phase};

/// The error a failed call gives: the connection lost.
pub fn reset() -> StoreError {
    StoreError::Backend { store: "faulty", source: "connection reset".into() }
}

/// A `Faulty` hook that fails the calls among `calls` whose number (from 1, counting those
/// calls only) `strikes` picks: before the call is made, or, with `after`, a write after it was
/// carried out (a crash after the commit, before its caller heard of it). The flag says
/// whether it has struck.
pub fn failing(
    calls: &'static [Call],
    after: bool,
    strikes: impl Fn(usize) -> bool + Send + Sync + 'static,
) -> (impl Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync + 'static, Arc<AtomicBool>) {
    let (count, pending, struck) = (AtomicUsize::new(0), AtomicBool::new(false), Arc::new(AtomicBool::new(false)));
    let flag = struck.clone();
    let hook = move |call: Call, phase: Phase| {
        if !calls.contains(&call) {
            return Ok(());
        }
        match phase {
            Phase::Before => {
                if !strikes(count.fetch_add(1, Ordering::SeqCst) + 1) {
                    return Ok(());
                }
                flag.store(true, Ordering::SeqCst);
                if after && call.writes() {
                    pending.store(true, Ordering::SeqCst);
                    Ok(())
                } else {
                    Err(reset())
                }
            }
            Phase::After if pending.swap(false, Ordering::SeqCst) => Err(reset()),
            Phase::After => Ok(()),
        }
    };
    (hook, struck)
}

/// What a [`Tripwire`] does at its point: abort the process, turn a file system read-only...
pub type Fault = Box<dyn Fn() + Send + Sync>;

/// Counts the writes that pass through the `Faulty` wrappers sharing it, and runs its fault at
/// point `at`: point `2k - 1` is just before the k-th write, point `2k` just after it.
pub struct Tripwire {
    pub points: AtomicUsize,
    fault: Option<(usize, Fault)>,
}

impl Tripwire {
    pub fn new(fault: Option<(usize, Fault)>) -> Arc<Self> {
        Arc::new(Tripwire { points: AtomicUsize::new(0), fault })
    }

    /// The hook for a `Faulty` wrapper: a point before and after each write.
    pub fn hook(self: &Arc<Self>) -> impl Fn(Call, Phase) -> Result<(), StoreError> + Send + Sync + 'static {
        let wire = self.clone();
        move |call: Call, _: Phase| {
            if call.writes() {
                wire.point();
            }
            Ok(())
        }
    }

    fn point(&self) {
        let n = self.points.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((at, fault)) = &self.fault
            && *at == n
        {
            fault();
        }
    }
}
