//! [`Digest`]: a SHA-256 digest, for notice texts, audit chains and keyed subject hashes.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest, printed as 64 lower-case hex digits.
///
/// # Example
/// ```
/// use gdpr_obligations::model::Digest;
///
/// let d = Digest::of_text("abc");
/// assert_eq!(d.to_string(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// assert_eq!(d.to_string().parse::<Digest>()?, d);
/// assert!("BA78".parse::<Digest>().is_err());
/// # Ok::<(), gdpr_obligations::model::InvalidDigest>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

impl Digest {
    /// All zeros: the hash before the first record of a hash chain (the audit log's).
    pub const GENESIS: Digest = Digest([0; 32]);

    /// The digest of a text's UTF-8 bytes, exactly as given (no normalisation): e.g. which
    /// version of a notice text a subject saw when consenting (Art. 7(1)).
    #[must_use]
    pub fn of_text(text: &str) -> Self {
        Digest(Sha256::digest(text.as_bytes()).into())
    }

    /// Wraps raw digest bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }

    /// The raw bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// The text was not 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a digest is 64 lower-case hex digits (got {0} characters)")]
pub struct InvalidDigest(usize);

impl FromStr for Digest {
    type Err = InvalidDigest;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(InvalidDigest(s.chars().count()));
        }
        hex::decode_to_slice(s, &mut bytes).map_err(|_| InvalidDigest(s.chars().count()))?;
        Ok(Digest(bytes))
    }
}

string_serde!(Digest);

impl JsonSchema for Digest {
    fn schema_name() -> Cow<'static, str> {
        "Digest".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[0-9a-f]{64}$" })
    }
}
