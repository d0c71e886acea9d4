//! [`Article`]: a typed reference to a provision of the Regulation.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// The legal instrument an [`Article`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Instrument {
    /// Regulation (EU) 2016/679, the General Data Protection Regulation. Printed without a
    /// suffix: `Art. 28(3)(c)`.
    Gdpr,
    /// Regulation (EEC, Euratom) No 1182/71 determining the rules applicable to periods, dates
    /// and time limits. Printed `Art. 3(4) of Regulation 1182/71`.
    Reg1182_71,
}

const REG_1182_71_SUFFIX: &str = " of Regulation 1182/71";

/// A typed reference to an article, paragraph, point or subparagraph, printed the way a privacy
/// officer writes it: `Art. 28(3)(c)`, `Art. 49(1), second subparagraph`,
/// `Art. 3(4) of Regulation 1182/71`.
///
/// Every obligation the crate models carries one, in its documentation and in the reasons it
/// returns, so that a reader can check it against the Regulation.
///
/// # Example
/// ```
/// use gdpr_obligations::vocab::Article;
///
/// let art = Article::gdpr(28).paragraph(3).point('c');
/// assert_eq!(art.to_string(), "Art. 28(3)(c)");
/// assert_eq!("Art. 28(3)(c)".parse::<Article>()?, art);
/// assert!("Art. 28(3)(C)".parse::<Article>().is_err());
/// # Ok::<(), gdpr_obligations::vocab::ParseArticleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Article {
    instrument: Instrument,
    number: u16,
    paragraph: Option<u8>,
    point: Option<char>,
    subparagraph: Option<u8>,
}

impl Article {
    /// An article of the GDPR, e.g. `Article::gdpr(17)` for `Art. 17`.
    #[must_use]
    pub const fn gdpr(number: u16) -> Self {
        Self { instrument: Instrument::Gdpr, number, paragraph: None, point: None, subparagraph: None }
    }

    /// An article of Regulation 1182/71 on periods, dates and time limits.
    #[must_use]
    pub const fn reg_1182_71(number: u16) -> Self {
        Self { instrument: Instrument::Reg1182_71, number, paragraph: None, point: None, subparagraph: None }
    }

    /// The same article narrowed to a paragraph: `Art. 12` → `Art. 12(3)`.
    #[must_use]
    pub const fn paragraph(self, paragraph: u8) -> Self {
        Self { paragraph: Some(paragraph), ..self }
    }

    /// The same reference narrowed to a point: `Art. 28(3)` → `Art. 28(3)(c)`.
    ///
    /// # Panics
    /// When `point` is not a lower-case ASCII letter; in a `const` this is a compile error.
    /// Text from outside goes through [`FromStr`], which returns an error instead.
    #[must_use]
    pub const fn point(self, point: char) -> Self {
        assert!(point.is_ascii_lowercase(), "a point is a lower-case letter");
        Self { point: Some(point), ..self }
    }

    /// The same reference narrowed to a numbered subparagraph: `Art. 49(1)` with 2 prints
    /// `Art. 49(1), second subparagraph`.
    #[must_use]
    pub const fn subparagraph(self, subparagraph: u8) -> Self {
        Self { subparagraph: Some(subparagraph), ..self }
    }

    /// The instrument this article belongs to.
    #[must_use]
    pub const fn instrument(&self) -> Instrument {
        self.instrument
    }

    /// The article number.
    #[must_use]
    pub const fn number(&self) -> u16 {
        self.number
    }

    /// The paragraph, if the reference names one.
    #[must_use]
    pub const fn paragraph_number(&self) -> Option<u8> {
        self.paragraph
    }

    /// The point, if the reference names one.
    #[must_use]
    pub const fn point_letter(&self) -> Option<char> {
        self.point
    }

    /// The subparagraph, if the reference names one.
    #[must_use]
    pub const fn subparagraph_number(&self) -> Option<u8> {
        self.subparagraph
    }

    /// Whether `self` is `other` or lies inside it: `Art. 28(3)(c)` lies inside `Art. 28(3)`
    /// and `Art. 28`.
    #[must_use]
    pub fn is_within(&self, other: &Article) -> bool {
        self.instrument == other.instrument
            && self.number == other.number
            && (other.paragraph.is_none() || self.paragraph == other.paragraph)
            && (other.point.is_none() || self.point == other.point)
            && (other.subparagraph.is_none() || self.subparagraph == other.subparagraph)
    }
}

const ORDINALS: [&str; 6] = ["first", "second", "third", "fourth", "fifth", "sixth"];

impl fmt::Display for Article {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Art. {}", self.number)?;
        if let Some(p) = self.paragraph {
            write!(f, "({p})")?;
        }
        if let Some(c) = self.point {
            write!(f, "({c})")?;
        }
        if let Some(s) = self.subparagraph {
            match ORDINALS.get(usize::from(s).wrapping_sub(1)) {
                Some(word) => write!(f, ", {word} subparagraph")?,
                None => write!(f, ", subparagraph {s}")?,
            }
        }
        if self.instrument == Instrument::Reg1182_71 {
            f.write_str(REG_1182_71_SUFFIX)?;
        }
        Ok(())
    }
}

/// The text was not an article reference of the form `Art. 28(3)(c)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an article reference (expected e.g. `Art. 28(3)(c)`; got {length} characters)")]
pub struct ParseArticleError {
    /// The length of the text, in characters: the text itself is not kept.
    length: usize,
}

impl FromStr for Article {
    type Err = ParseArticleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).ok_or_else(|| ParseArticleError { length: s.chars().count() })
    }
}

fn parse(input: &str) -> Option<Article> {
    let (body, instrument) = match input.strip_suffix(REG_1182_71_SUFFIX) {
        Some(body) => (body, Instrument::Reg1182_71),
        None => (input, Instrument::Gdpr),
    };
    let (body, subparagraph) = match body.split_once(", ") {
        Some((head, tail)) => (head, Some(parse_subparagraph(tail)?)),
        None => (body, None),
    };
    let rest = body.strip_prefix("Art. ")?;
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let number: u16 = rest[..digits_end].parse().ok().filter(|n| *n > 0)?;
    let mut article = Article { instrument, number, paragraph: None, point: None, subparagraph };
    let mut rest = &rest[digits_end..];
    while let Some(open) = rest.strip_prefix('(') {
        let (inner, after) = open.split_once(')')?;
        if article.point.is_some() {
            return None;
        }
        if article.paragraph.is_none() && inner.bytes().all(|b| b.is_ascii_digit()) {
            article.paragraph = Some(inner.parse().ok().filter(|n| *n > 0)?);
        } else {
            let mut chars = inner.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_lowercase() => article.point = Some(c),
                _ => return None,
            }
        }
        rest = after;
    }
    rest.is_empty().then_some(article)
}

fn parse_subparagraph(text: &str) -> Option<u8> {
    if let Some(word) = text.strip_suffix(" subparagraph") {
        let n = ORDINALS.iter().position(|w| *w == word)?;
        return u8::try_from(n + 1).ok();
    }
    text.strip_prefix("subparagraph ")?.parse().ok().filter(|n| usize::from(*n) > ORDINALS.len())
}

string_serde!(Article);

impl JsonSchema for Article {
    fn schema_name() -> Cow<'static, str> {
        "Article".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A reference to a provision, e.g. `Art. 28(3)(c)`, `Art. 49(1), second subparagraph` or `Art. 3(4) of Regulation 1182/71`.",
            "pattern": r"^Art\. [1-9][0-9]*(\([1-9][0-9]*\))?(\([a-z]\))?(, [a-z]+ subparagraph|, subparagraph [0-9]+)?( of Regulation 1182/71)?$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_and_parses_every_form() {
        for (art, text) in [
            (Article::gdpr(17), "Art. 17"),
            (Article::gdpr(12).paragraph(3), "Art. 12(3)"),
            (Article::gdpr(28).paragraph(3).point('c'), "Art. 28(3)(c)"),
            (Article::gdpr(49).paragraph(1).subparagraph(2), "Art. 49(1), second subparagraph"),
            (Article::gdpr(28).paragraph(3).subparagraph(2), "Art. 28(3), second subparagraph"),
            (Article::reg_1182_71(3).paragraph(4), "Art. 3(4) of Regulation 1182/71"),
            (Article::gdpr(4).paragraph(1).subparagraph(9), "Art. 4(1), subparagraph 9"),
        ] {
            assert_eq!(art.to_string(), text);
            assert_eq!(text.parse::<Article>(), Ok(art), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in [
            "",
            "Art.",
            "Art. 0",
            "Art. 28(0)",
            "Art. 28(3)(C)",
            "Art. 28(3)(cc)",
            "Article 28",
            "Art. 28(3)(c)(d)",
            "Art. 28 ",
            "Art. 28(3",
            "Art. 99999999",
            "Art. 49(1), zeroth subparagraph",
            "Art. 4(1), subparagraph 2",
        ] {
            assert!(bad.parse::<Article>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn containment_follows_the_structure() {
        let c = Article::gdpr(28).paragraph(3).point('c');
        assert!(c.is_within(&Article::gdpr(28)));
        assert!(c.is_within(&Article::gdpr(28).paragraph(3)));
        assert!(!c.is_within(&Article::gdpr(28).paragraph(3).point('d')));
        assert!(!Article::gdpr(28).is_within(&c));
        assert!(!Article::reg_1182_71(3).is_within(&Article::gdpr(3)));
    }
}
