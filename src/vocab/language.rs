//! Languages: the language of a document, of a catalogue's texts and of a localized text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// A text was not a language code: 2 or 3 lower-case ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?} is not a language code (2 or 3 lower-case letters)")]
pub struct InvalidLanguage {
    code: String,
}

impl InvalidLanguage {
    /// The code given.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
}

/// A language, as its ISO 639-1 (two letters) or 639-2 (three letters) lower-case code.
///
/// # Example
/// ```
/// use gdpr_obligations::vocab::Language;
///
/// assert_eq!("cs".parse::<Language>()?, Language::CS);
/// assert!("CZE!".parse::<Language>().is_err());
/// # Ok::<(), gdpr_obligations::vocab::InvalidLanguage>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(Cow<'static, str>);

impl Language {
    /// Czech.
    pub const CS: Language = Language(Cow::Borrowed("cs"));
    /// English.
    pub const EN: Language = Language(Cow::Borrowed("en"));

    /// Validates a language code.
    ///
    /// # Errors
    /// [`InvalidLanguage`] unless the code is 2 or 3 lower-case ASCII letters.
    pub fn new(code: &str) -> Result<Self, InvalidLanguage> {
        if (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Language(Cow::Owned(code.to_owned())))
        } else {
            Err(InvalidLanguage { code: code.to_owned() })
        }
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Language {
    type Err = InvalidLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::new(s)
    }
}

string_serde!(Language);

impl JsonSchema for Language {
    fn schema_name() -> Cow<'static, str> {
        "Language".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "pattern": "^[a-z]{2,3}$", "description": "An ISO 639 language code." })
    }
}
