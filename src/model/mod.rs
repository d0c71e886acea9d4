//! The core model: parties, processing activities, data subjects and their identifiers, and
//! descriptors of where personal data lives.
//!
//! Every constructor validates and returns an error that says what was wrong and, where a rule
//! of the Regulation is behind it, which article. Deserialisation goes through the same
//! validation, so JSON from another backend can never produce a value a constructor would have
//! refused.
//!
//! # Example
//! ```
//! use gdpr_obligations::model::{Party, SubjectIdentifier};
//! use gdpr_obligations::vocab::Country;
//!
//! let vendor = Party::builder("Chatvendor s.r.o.", Country::CZ)
//!     .registration_number("27074358")
//!     .tax_id("CZ27074358")
//!     .contact_email("privacy@chatvendor.example")
//!     .build()?;
//! assert_eq!(vendor.tax_id().map(|t| t.as_str()), Some("CZ27074358"));
//!
//! // Every problem at once, each naming its field.
//! let err = Party::builder("", Country::CZ).contact_email("not-an-email").build().unwrap_err();
//! assert_eq!(err.problems().len(), 2);
//!
//! let email: SubjectIdentifier = serde_json::from_str(r#"{"kind":"email","value":"Eva@Example.CZ"}"#)?;
//! assert_eq!(email.normalised(), "email:eva@example.cz");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod activity;
pub(crate) mod canonical;
mod digest;
mod localized;
mod party;
mod subject;
mod third_party;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::vocab::Article;

pub use activity::{
    AdequacyCoverage, Controllers, ProcessingActivity, ProcessingActivityBuilder, ProcessingActivityRepr, PurposeSpec,
    Recipient, Retention, Transfer, TransferAssessment,
};
pub use digest::{Digest, InvalidDigest};
pub use localized::LocalizedText;
pub use party::{Contact, EmailAddress, Party, PartyBuilder, PhoneNumber, PostalAddress, RegistrationNumber, TaxId};
pub use subject::{
    DataSubject, IdentifierStrength, PersonalDataRecord, PersonalDataRecordBuilder, PersonalDataRecordRepr, SourceName,
    SubjectIdentifier, Token,
};
pub use third_party::{ThirdPartyData, ThirdPartyInformation};

/// One problem with one field of an input: what was wrong and, where a rule of the Regulation
/// is behind it, the article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[non_exhaustive]
pub struct Invalid {
    /// The field, e.g. `contact_email` or `purposes[1].legitimate_interests`.
    pub field: Cow<'static, str>,
    /// What was wrong, in lower case and without a final period.
    pub reason: String,
    /// The provision behind the rule, where there is one.
    pub article: Option<Article>,
}

impl Invalid {
    pub(crate) fn new(field: impl Into<Cow<'static, str>>, reason: impl Into<String>) -> Self {
        Self { field: field.into(), reason: reason.into(), article: None }
    }

    pub(crate) fn under(mut self, article: Article) -> Self {
        self.article = Some(article);
        self
    }

    pub(crate) fn in_field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(article) = &self.article {
            write!(f, "{article}: ")?;
        }
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Every problem found in an input, never just the first.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, thiserror::Error)]
pub struct ModelError {
    problems: Vec<Invalid>,
}

impl ModelError {
    /// The problems found, in the order of the fields.
    #[must_use]
    pub fn problems(&self) -> &[Invalid] {
        &self.problems
    }

    pub(crate) fn check(problems: Vec<Invalid>) -> Result<(), ModelError> {
        if problems.is_empty() { Ok(()) } else { Err(ModelError { problems }) }
    }
}

impl From<Invalid> for ModelError {
    fn from(problem: Invalid) -> Self {
        ModelError { problems: vec![problem] }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Collects the problems of several fields while building a value.
#[derive(Default)]
pub(crate) struct Problems(Vec<Invalid>);

impl Problems {
    /// Keeps the value or records the problem, renamed to `field`.
    pub(crate) fn take<T>(&mut self, field: &'static str, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|e| self.0.push(e.in_field(field))).ok()
    }

    pub(crate) fn push(&mut self, problem: Invalid) {
        self.0.push(problem);
    }

    pub(crate) fn finish(self) -> Result<(), ModelError> {
        ModelError::check(self.0)
    }
}

/// The first character free text must not hold, as its position (a character index) and its
/// kind: a control character other than a line feed, carriage return or tab (NUL, escape,
/// DEL...), or a bidirectional embedding, override or isolate (U+202A to U+202E, U+2066 to
/// U+2069), which can make a rendered document read differently from what it holds. The marks
/// U+200E and U+200F stay allowed: right-to-left scripts need them.
pub(crate) fn forbidden_in_free_text(text: &str) -> Option<(usize, &'static str)> {
    text.chars().enumerate().find_map(|(i, c)| match c {
        '\n' | '\r' | '\t' => None,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Some((i, "a bidirectional embedding, override or isolate character"))
        }
        c if c.is_control() => Some((i, "a control character")),
        _ => None,
    })
}

/// [`forbidden_in_free_text`] as the problem of `field`: its position and kind, never the text.
pub(crate) fn check_free_text(field: impl Into<Cow<'static, str>>, text: &str) -> Result<(), Invalid> {
    match forbidden_in_free_text(text) {
        Some((position, kind)) => Err(Invalid::new(field, format!("holds {kind} at character {position}"))),
        None => Ok(()),
    }
}

/// A short human text (a legal name, a street, a description): trimmed, 1 to 1,000 characters,
/// no control characters but line breaks and tabs, no bidirectional embedding, override or
/// isolate characters (U+202A to U+202E, U+2066 to U+2069; the marks U+200E and U+200F are
/// allowed).
///
/// Decoding runs the same checks, stored values included: a value with a character refused
/// here does not decode, and the error names the character's position, never the text.
///
/// # Example
/// ```
/// use gdpr_obligations::model::Text;
///
/// assert_eq!(Text::new("  ACME s.r.o. ")?.as_str(), "ACME s.r.o.");
/// assert!(Text::new("   ").is_err());
/// let error = Text::new("invoice \u{202E}fdp.exe").unwrap_err();
/// assert_eq!(error.to_string(), "text: holds a bidirectional embedding, override or isolate character at character 8");
/// assert!(Text::new("שלום\u{200F} ACME").is_ok());
/// # Ok::<(), gdpr_obligations::model::Invalid>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Box<str>);

const TEXT_MAX: usize = 1000;

impl Text {
    /// Trims and validates a text.
    ///
    /// # Errors
    /// [`Invalid`] when the text is empty after trimming, longer than 1,000 characters, or holds
    /// a control character other than a line break or tab, or a bidirectional embedding,
    /// override or isolate character; the error names the position (a character index in
    /// `text` as given), never the text.
    pub fn new(text: &str) -> Result<Self, Invalid> {
        check_free_text("text", text)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("text", "must not be empty"));
        }
        if text.chars().count() > TEXT_MAX {
            return Err(Invalid::new("text", format!("must be at most {TEXT_MAX} characters")));
        }
        Ok(Self(text.into()))
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Text {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

string_serde!(Text);

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "minLength": 1, "maxLength": TEXT_MAX })
    }
}

/// Defines a typed id: a UUID v7 newtype that cannot be confused with another kind of id.
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// A UUID v7 (time-ordered), serialised as its hyphenated string.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema,
        )]
        #[serde(transparent)]
        #[schemars(transparent)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// A new, unique id (UUID v7: time-ordered, random in its low bits).
            pub fn generate() -> Self {
                Self(::uuid::Uuid::now_v7())
            }

            /// Wraps an existing UUID, e.g. one read from storage.
            pub const fn from_uuid(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID.
            pub const fn as_uuid(&self) -> ::uuid::Uuid {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

pub(crate) use typed_id;

typed_id!(
    /// Identifies a [`Party`].
    PartyId
);
typed_id!(
    /// Identifies a [`ProcessingActivity`].
    ActivityId
);
typed_id!(
    /// Identifies a [`DataSubject`] within one controller's scope. It is the pseudonymous id
    /// under which the subject appears in audit trails.
    SubjectId
);
typed_id!(
    /// Identifies a [`PersonalDataRecord`].
    RecordId
);
