//! The JSON decoder of every public wire type, for fuzzing and property tests.

use std::fmt;

/// The JSON decoder of one public wire type (see [`wire_decoders`]).
#[derive(Clone, Copy)]
pub struct WireDecoder {
    file: &'static str,
    type_name: &'static str,
    decode: fn(&[u8]) -> Result<serde_json::Value, serde_json::Error>,
}

impl WireDecoder {
    fn of<T: serde::Serialize + serde::de::DeserializeOwned>(file: &'static str) -> Self {
        WireDecoder { file, type_name: std::any::type_name::<T>(), decode: decode::<T> }
    }

    /// The type's schema file under `schemas/`, as in [`wire_schemas`](crate::wire::wire_schemas).
    #[must_use]
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The Rust type, e.g. `gdpr_obligations::model::Party`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Reads `json` as the type with `serde_json::from_slice` (through its validating
    /// constructor where it has one) and returns what the value serialises to.
    ///
    /// # Errors
    ///
    /// The `serde_json::Error` of `from_slice`: not JSON, the wrong shape, or a value the
    /// type's rules refuse.
    ///
    /// # Panics
    ///
    /// When a decoded value cannot be serialised again: a bug for the fuzzer to find.
    pub fn decode(&self, json: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
        (self.decode)(json)
    }
}

impl fmt::Debug for WireDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireDecoder").field("file", &self.file).field("type_name", &self.type_name).finish()
    }
}

fn decode<T: serde::Serialize + serde::de::DeserializeOwned>(
    json: &[u8],
) -> Result<serde_json::Value, serde_json::Error> {
    let value: T = serde_json::from_slice(json)?;
    Ok(serde_json::to_value(&value)
        .unwrap_or_else(|e| panic!("a decoded {} does not serialise: {e}", std::any::type_name::<T>())))
}

/// One decoder per public wire type, in the order of
/// [`wire_schemas`](crate::wire::wire_schemas): both are written from one list, so a wire type
/// added to the contract is fuzzed and property-tested too.
///
/// # Example
/// ```
/// let decoders = gdpr_obligations::testkit::wire_decoders();
/// let zone = decoders.iter().find(|d| d.file() == "deadline_policy.json").expect("listed");
/// assert!(zone.decode(br#"{"zone": "Europe/Atlantis", "calendar": "czechia"}"#).is_err());
/// assert!(zone.decode(br#"{"zone": "Europe/Prague", "calendar": "czechia"}"#).is_ok());
/// ```
#[must_use]
pub fn wire_decoders() -> Vec<WireDecoder> {
    macro_rules! decoders {
        ($($ty:ty => $file:literal,)*) => {
            vec![$(WireDecoder::of::<$ty>($file)),*]
        };
    }
    crate::wire::for_each_wire_type!(decoders)
}
