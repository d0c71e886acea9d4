//! Free text given per language: what the controller typed once for each language its
//! documents are written in.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Text;
use crate::vocab::Language;

/// A free text in one or more languages: at least one, each a valid [`Text`].
///
/// A document is written in one language, and every free text it carries (an activity's name,
/// its legitimate interests, its retention event, its recipients, the Art. 13(2)(e)
/// statement…) must be in that language: [`get`](Self::get) gives the text of a language or
/// nothing, never another language's text. The documents report a language a text lacks as
/// [`ReportError::UntranslatedText`](crate::report::ReportError::UntranslatedText).
///
/// In JSON it is an object of language codes to texts, `{"cs": "…", "en": "…"}`; the decoder
/// refuses an empty object, an array, a key that is not a language code, a language given
/// twice and an invalid text, naming the language or the length of the key, never the text.
///
/// # Example
/// ```
/// use gdpr_obligations::model::{LocalizedText, Text};
/// use gdpr_obligations::vocab::Language;
///
/// let name = LocalizedText::new(Language::CS, Text::new("Zákaznická podpora přes chat")?)
///     .with(Language::EN, Text::new("Customer care over chat")?);
/// assert_eq!(name.get(&Language::EN).map(Text::as_str), Some("Customer care over chat"));
/// assert_eq!(name.get(&"de".parse()?), None);
///
/// let json = r#"{"cs":"Zákaznická podpora přes chat","en":"Customer care over chat"}"#;
/// assert_eq!(serde_json::from_str::<LocalizedText>(json)?, name);
/// assert!(serde_json::from_str::<LocalizedText>("{}").is_err());
/// assert!(serde_json::from_str::<LocalizedText>(r#"{"cs":"  "}"#).is_err());
/// assert!(serde_json::from_str::<LocalizedText>(r#"["Customer care"]"#).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalizedText(BTreeMap<Language, Text>);

impl LocalizedText {
    /// A text in one language; [`with`](Self::with) adds others.
    #[must_use]
    pub fn new(language: Language, text: Text) -> Self {
        Self(BTreeMap::from([(language, text)]))
    }

    /// The same text with `text` for `language`, replacing any text it had for that language.
    #[must_use]
    pub fn with(mut self, language: Language, text: Text) -> Self {
        self.0.insert(language, text);
        self
    }

    /// Sets the text of `language`, returning the text it replaces.
    pub fn insert(&mut self, language: Language, text: Text) -> Option<Text> {
        self.0.insert(language, text)
    }

    /// The text in `language`, or `None`: never the text of another language.
    #[must_use]
    pub fn get(&self, language: &Language) -> Option<&Text> {
        self.0.get(language)
    }

    /// The languages the text is given in, in code order.
    pub fn languages(&self) -> impl Iterator<Item = &Language> {
        self.0.keys()
    }

    /// Each language with its text, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&Language, &Text)> {
        self.0.iter()
    }

    /// Every text with its language, `cs: … | en: …`: for a worklist or a key, where no single
    /// language is asked for and showing each one is not a fallback.
    pub(crate) fn labelled(&self) -> String {
        self.0.iter().map(|(language, text)| format!("{language}: {text}")).collect::<Vec<_>>().join(" | ")
    }
}

impl Serialize for LocalizedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (language, text) in &self.0 {
            map.serialize_entry(language.as_str(), text)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LocalizedVisitor)
    }
}

struct LocalizedVisitor;

impl<'de> Visitor<'de> for LocalizedVisitor {
    type Value = LocalizedText;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of language codes to texts, e.g. {\"cs\": \"…\", \"en\": \"…\"}")
    }

    // A string or an array is refused without echoing it: a free text may hold personal data.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom("a localized text is an object of language codes to texts, not a string"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom("a localized text is an object of language codes to texts, not an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut texts = BTreeMap::new();
        while let Some(code) = map.next_key::<String>()? {
            let language = Language::new(&code).map_err(|_| {
                de::Error::custom(format_args!(
                    "a key of a localized text is not a language code (2 or 3 lower-case letters; got {} characters)",
                    code.chars().count()
                ))
            })?;
            let text = map.next_value::<String>()?;
            let text = Text::new(&text).map_err(|e| de::Error::custom(format_args!("the {language} {e}")))?;
            if texts.insert(language.clone(), text).is_some() {
                return Err(de::Error::custom(format_args!("the {language} text is given twice")));
            }
        }
        if texts.is_empty() {
            return Err(de::Error::custom("a localized text needs a text in at least one language"));
        }
        Ok(LocalizedText(texts))
    }
}

impl JsonSchema for LocalizedText {
    fn schema_name() -> Cow<'static, str> {
        "LocalizedText".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let text = generator.subschema_for::<Text>();
        json_schema!({
            "type": "object",
            "description": "A free text per language: an object of ISO 639 language codes to texts, with at least one language.",
            "propertyNames": { "pattern": "^[a-z]{2,3}$" },
            "additionalProperties": text,
            "minProperties": 1,
        })
    }
}
