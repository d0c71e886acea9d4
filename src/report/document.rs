//! A rendered document as a few typed blocks, and its Markdown, HTML and plain-text forms.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Catalogue, Language, MessageKey, ReportError};
use crate::escape;
use crate::model::{Contact, LocalizedText, Party, PostalAddress, RegistrationNumber, Text};
use crate::time::Zone;
use crate::vocab::{Article, Country, Instrument, Right};

crate::vocab::object_struct! {
/// A document in one language: a title and blocks. Every document of this module is built as
/// one, so each has the same three forms: [`to_markdown`](Self::to_markdown),
/// [`to_html`](Self::to_html) (escaped) and [`to_text`](Self::to_text) (for e-mail and chat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[non_exhaustive]
pub struct Document {
    /// The language of the text.
    pub language: Language,
    /// The title.
    pub title: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}
}

/// A block of a [`Document`]. Texts are plain: each form escapes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "block", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Block {
    /// A section heading; level 1 is the highest below the title.
    Heading {
        /// 1 to 4.
        level: u8,
        /// The text.
        text: String,
    },
    /// A paragraph.
    Paragraph {
        /// The text.
        text: String,
    },
    /// A bulleted list.
    List {
        /// The items.
        items: Vec<String>,
    },
    /// A table.
    Table {
        /// The column headings.
        header: Vec<String>,
        /// The rows, each as long as the header.
        rows: Vec<Vec<String>>,
    },
}

impl Document {
    pub(crate) fn new(language: &Language, title: String) -> Self {
        Document { language: language.clone(), title, blocks: Vec::new() }
    }

    pub(crate) fn heading(&mut self, level: u8, text: String) {
        self.blocks.push(Block::Heading { level, text });
    }

    pub(crate) fn paragraph(&mut self, text: String) {
        self.blocks.push(Block::Paragraph { text });
    }

    pub(crate) fn list(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::List { items });
        }
    }

    /// The document as CommonMark (tables as in GitHub Flavored Markdown), every text escaped
    /// by [`escape::markdown`] so that a name like `*ACME*` or `<img onerror=...>` stays text
    /// in its heading, paragraph, list item or table cell.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", escape::markdown(&self.title));
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading { level, text } => {
                    let hashes = "#".repeat(usize::from((*level).clamp(1, 4)) + 1);
                    out.push_str(&format!("{hashes} {}\n", escape::markdown(text)));
                }
                Block::Paragraph { text } => out.push_str(&format!("{}\n", escape::markdown(text))),
                Block::List { items } => {
                    for item in items {
                        out.push_str(&format!("- {}\n", escape::markdown(item)));
                    }
                }
                Block::Table { header, rows } => {
                    let row = |cells: &[String]| {
                        let cells: Vec<String> = cells.iter().map(|c| escape::markdown(c)).collect();
                        format!("| {} |\n", cells.join(" | "))
                    };
                    out.push_str(&row(header));
                    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
                    for r in rows {
                        out.push_str(&row(r));
                    }
                }
            }
        }
        out
    }

    /// The document as an HTML fragment (a `<section>` with the document's `lang`), every text
    /// escaped by [`escape::html_text`] (line breaks as `<br>`) and the language by
    /// [`escape::html_attribute`], ready to paste into a page.
    #[must_use]
    pub fn to_html(&self) -> String {
        let e = escape::html_text;
        let lang = escape::html_attribute(self.language.as_str());
        let mut out = format!("<section lang=\"{lang}\">\n<h2>{}</h2>\n", e(&self.title));
        for block in &self.blocks {
            match block {
                Block::Heading { level, text } => {
                    let h = (*level).clamp(1, 4) + 2;
                    out.push_str(&format!("<h{h}>{}</h{h}>\n", e(text)));
                }
                Block::Paragraph { text } => out.push_str(&format!("<p>{}</p>\n", e(text))),
                Block::List { items } => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", e(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table { header, rows } => {
                    out.push_str("<table>\n<thead><tr>");
                    for h in header {
                        out.push_str(&format!("<th>{}</th>", e(h)));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for c in r {
                            out.push_str(&format!("<td>{}</td>", e(c)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
            }
        }
        out.push_str("</section>\n");
        out
    }

    /// The document as plain text: for an e-mail body or a chat message. Each text is one line
    /// (by [`escape::text`]: its line breaks become spaces, hidden controls U+FFFD), so that no
    /// text can forge a line of the document: the title underlined with `=`, headings and
    /// paragraphs each on a line of their own after a blank line, a list item per line after
    /// `- `, and a table row as `- ` and its first cell as `heading: value`, each further cell
    /// on a line of its own indented by two spaces.
    #[must_use]
    pub fn to_text(&self) -> String {
        let e = escape::text;
        let title = e(&self.title);
        let mut out = format!("{title}\n{}\n", "=".repeat(title.chars().count()));
        for block in &self.blocks {
            out.push('\n');
            match block {
                Block::Heading { text, .. } | Block::Paragraph { text } => out.push_str(&format!("{}\n", e(text))),
                Block::List { items } => {
                    for item in items {
                        out.push_str(&format!("- {}\n", e(item)));
                    }
                }
                Block::Table { header, rows } => {
                    for r in rows {
                        for (i, (h, c)) in header.iter().zip(r).enumerate() {
                            let lead = if i == 0 { "- " } else { "  " };
                            out.push_str(&format!("{lead}{}: {}\n", e(h), e(c)));
                        }
                    }
                }
            }
        }
        out
    }

    /// Every text of the document, title first: what a test searches.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.title.as_str()).chain(self.blocks.iter().flat_map(|b| -> Box<dyn Iterator<Item = &str>> {
            match b {
                Block::Heading { text, .. } | Block::Paragraph { text } => Box::new(std::iter::once(text.as_str())),
                Block::List { items } => Box::new(items.iter().map(String::as_str)),
                Block::Table { header, rows } => {
                    Box::new(header.iter().chain(rows.iter().flatten()).map(String::as_str))
                }
            }
        }))
    }
}

/// The catalogue and language a document is written with, and the shared phrases.
pub(crate) struct Writer<'a> {
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) language: &'a Language,
}

impl Writer<'_> {
    /// The text of `text` in the document's language, never another language's.
    ///
    /// # Errors
    /// [`ReportError::UntranslatedText`] naming `field` (where the text belongs, never the text)
    /// and the `article` it is written for, when `text` lacks the language.
    pub(crate) fn local<'t>(
        &self,
        text: &'t LocalizedText,
        field: impl FnOnce() -> String,
        article: Article,
    ) -> Result<&'t str, ReportError> {
        text.get(self.language).map(Text::as_str).ok_or_else(|| ReportError::UntranslatedText {
            language: self.language.clone(),
            field: field(),
            article,
        })
    }

    pub(crate) fn text(&self, key: MessageKey, values: &[(&str, &str)]) -> Result<String, ReportError> {
        self.catalogue.fill(self.language, key, values)
    }

    pub(crate) fn term(&self, term: &impl super::catalogue::Term) -> Result<String, ReportError> {
        self.catalogue.term(self.language, term)
    }

    /// The labels of several terms, joined with commas; "none" when empty.
    pub(crate) fn terms<'t, T: super::catalogue::Term + 't>(
        &self,
        terms: impl IntoIterator<Item = &'t T>,
    ) -> Result<String, ReportError> {
        let labels = terms.into_iter().map(|t| self.term(t)).collect::<Result<Vec<_>, _>>()?;
        if labels.is_empty() { self.text(MessageKey::None, &[]) } else { Ok(labels.join(", ")) }
    }

    /// An article as this language cites it: `Art. 13(1)(a)`, or in Czech `čl. 13 odst. 1 písm. a)`.
    pub(crate) fn cite(&self, article: Article) -> String {
        cite(self.language, article)
    }

    pub(crate) fn date(&self, date: NaiveDate) -> Result<String, ReportError> {
        let names = self.text(MessageKey::MonthNames, &[])?;
        let month = names.split(',').nth(date.month0() as usize).map(str::trim).unwrap_or_default().to_owned();
        let month = if month.is_empty() { date.month().to_string() } else { month };
        self.text(
            MessageKey::Date,
            &[("day", &date.day().to_string()), ("month", &month), ("year", &date.year().to_string())],
        )
    }

    /// An instant as the local date and time in `zone`, with the zone's abbreviation: in Czech
    /// `SEČ` or `SELČ` for Central European (summer) time, elsewhere its usual abbreviation or,
    /// lacking one, its offset from UTC (`UTC+03:00`).
    pub(crate) fn instant(&self, at: DateTime<Utc>, zone: Zone) -> Result<String, ReportError> {
        let local = at.with_timezone(&zone.tz());
        let date = self.date(local.date_naive())?;
        let abbreviation = local.format("%Z").to_string();
        let zone = match abbreviation.as_str() {
            "CET" if *self.language == Language::CS => "SEČ".to_owned(),
            "CEST" if *self.language == Language::CS => "SELČ".to_owned(),
            a if a.chars().all(|c| c.is_ascii_alphabetic()) && !a.is_empty() => abbreviation.clone(),
            _ => format!("UTC{}", local.format("%:z")),
        };
        self.text(
            MessageKey::Instant,
            &[("date", &date), ("time", &local.format("%H:%M").to_string()), ("zone", &zone)],
        )
    }

    /// A number of months with the plural form the language needs: `1 měsíc`, `2 měsíce`,
    /// `5 měsíců` (one, few for 2 to 4, other), the forms of Czech; a language with fewer forms
    /// repeats one.
    pub(crate) fn months(&self, count: u32) -> Result<String, ReportError> {
        let key = match count {
            1 => MessageKey::MonthCountOne,
            2..=4 => MessageKey::MonthCountFew,
            _ => MessageKey::MonthCountOther,
        };
        self.text(key, &[("count", &count.to_string())])
    }

    /// A country's name in this language (`Spojené státy americké`), never its code.
    pub(crate) fn country(&self, country: Country) -> Result<String, ReportError> {
        self.term(&country)
    }

    /// A right named as a right: "the right to object", "právo vznést námitku".
    pub(crate) fn right_name(&self, right: Right) -> Result<String, ReportError> {
        self.term(&super::catalogue::RightName(right))
    }

    /// A party's name with its identification: registration number and tax id where known.
    pub(crate) fn identification(&self, party: &Party) -> Result<String, ReportError> {
        let mut parts = Vec::new();
        if let Some(number) = party.registration_number() {
            parts.push(self.registration_number(number)?);
        }
        if let Some(tax) = party.tax_id() {
            parts.push(self.text(MessageKey::TaxId, &[("tax_id", tax.as_str())])?);
        }
        Ok(parts.join(", "))
    }

    /// A registration number: the IČO of a Czech company, or the number with its register's
    /// country.
    pub(crate) fn registration_number(&self, number: &RegistrationNumber) -> Result<String, ReportError> {
        if number.country() == Country::CZ {
            self.text(MessageKey::RegistrationNumber, &[("number", number.number())])
        } else {
            self.text(
                MessageKey::ForeignRegistrationNumber,
                &[("number", number.number()), ("country", &self.country(number.country())?)],
            )
        }
    }

    /// Name, identification, address and e-mail, as Art. 13(1)(a) and 30(1)(a) ask.
    pub(crate) fn party_details(&self, party: &Party) -> Result<String, ReportError> {
        let mut parts = vec![party.legal_name().to_string()];
        let id = self.identification(party)?;
        if !id.is_empty() {
            parts.push(id);
        }
        if let Some(address) = party.address() {
            parts.push(self.address(address)?);
        } else {
            parts.push(self.text(MessageKey::Established, &[("country", &self.country(party.country())?)])?);
        }
        if let Some(email) = party.contact_email() {
            parts.push(self.text(MessageKey::Email, &[("email", email.as_str())])?);
        }
        Ok(parts.join(", "))
    }

    pub(crate) fn contact(&self, contact: &Contact) -> Result<String, ReportError> {
        let mut parts =
            vec![contact.name.to_string(), self.text(MessageKey::Email, &[("email", contact.email.as_str())])?];
        if let Some(phone) = &contact.phone {
            parts.push(self.text(MessageKey::Phone, &[("phone", phone.as_str())])?);
        }
        if let Some(address) = &contact.address {
            parts.push(self.address(address)?);
        }
        Ok(parts.join(", "))
    }

    /// A postal address on one line, the country by its name.
    pub(crate) fn address(&self, a: &PostalAddress) -> Result<String, ReportError> {
        Ok(format!("{}, {} {}, {}", a.street, a.postal_code, a.city, self.country(a.country)?))
    }
}

const CZECH_ORDINALS: [&str; 6] = ["první", "druhý", "třetí", "čtvrtý", "pátý", "šestý"];

/// An article as `language` cites it. Czech uses the form of the Czech text of the Regulation
/// (`čl. 13 odst. 1 písm. a)`); every other language the English form (`Art. 13(1)(a)`).
pub(crate) fn cite(language: &Language, article: Article) -> String {
    if *language != Language::CS {
        return article.to_string();
    }
    let mut out = format!("čl. {}", article.number());
    if let Some(p) = article.paragraph_number() {
        out.push_str(&format!(" odst. {p}"));
    }
    if let Some(c) = article.point_letter() {
        out.push_str(&format!(" písm. {c})"));
    }
    if let Some(s) = article.subparagraph_number() {
        // As the Czech text of EU law cites it: "čl. 49 odst. 1 druhý pododstavec".
        match CZECH_ORDINALS.get(usize::from(s).wrapping_sub(1)) {
            Some(word) => out.push_str(&format!(" {word} pododstavec")),
            None => out.push_str(&format!(" pododstavec {s}")),
        }
    }
    if article.instrument() == Instrument::Reg1182_71 {
        out.push_str(" nařízení č. 1182/71");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Legal review C8: a subparagraph is cited with its ordinal word, "druhý pododstavec".
    #[test]
    fn czech_citations_follow_the_czech_text() {
        assert_eq!(cite(&Language::CS, Article::gdpr(13).paragraph(1).point('a')), "čl. 13 odst. 1 písm. a)");
        assert_eq!(
            cite(&Language::CS, Article::gdpr(49).paragraph(1).subparagraph(2)),
            "čl. 49 odst. 1 druhý pododstavec"
        );
        assert_eq!(cite(&Language::EN, Article::gdpr(12).paragraph(3)), "Art. 12(3)");
    }

    // Legal review C5: local time in the controller's zone, SEČ in winter and SELČ in summer.
    #[test]
    fn art_33_3_instants_are_local_with_the_czech_zone_abbreviation() {
        let catalogue = Catalogue::built_in();
        let cs = Writer { catalogue: &catalogue, language: &Language::CS };
        let en = Writer { catalogue: &catalogue, language: &Language::EN };
        let winter: DateTime<Utc> = "2026-03-13T18:30:00Z".parse().unwrap();
        let summer: DateTime<Utc> = "2026-07-01T10:00:00Z".parse().unwrap();
        assert_eq!(cs.instant(winter, Zone::EUROPE_PRAGUE).unwrap(), "13. března 2026, 19:30 SEČ");
        assert_eq!(cs.instant(summer, Zone::EUROPE_PRAGUE).unwrap(), "1. července 2026, 12:00 SELČ");
        assert_eq!(en.instant(summer, Zone::EUROPE_PRAGUE).unwrap(), "1 July 2026, 12:00 CEST");
        assert_eq!(en.instant(summer, Zone::UTC).unwrap(), "1 July 2026, 10:00 UTC");
    }

    #[test]
    fn html_escapes_and_markdown_escapes() {
        let mut doc = Document::new(&Language::EN, "<b>&</b>".to_owned());
        doc.paragraph("*x*".to_owned());
        assert!(doc.to_html().contains("&lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(doc.to_markdown().contains(r"\*x\*"));
    }
}
