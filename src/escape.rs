//! One escaper per output format, used by every renderer of that format: a name, purpose or
//! free text a user gave stays text in the format it is written into, whatever characters it
//! holds. Each function states its rule; `tests/it/rendering.rs` feeds hostile strings through
//! every renderer and parses the output back with a real parser of the format.
//!
//! | format | function | who uses it |
//! | --- | --- | --- |
//! | Markdown (CommonMark, GFM tables) | [`markdown`], [`markdown_code`] | `report::Document::to_markdown`, `agenda::Agenda::to_markdown` |
//! | HTML | [`html_text`], [`html_attribute`] | `report::Document::to_html` |
//! | plain text | [`text`] | `report::Document::to_text`, the fields of the agenda's iCalendar events |
//! | CSV | [`csv_field`] | `report::ControllerRecord::to_csv`, `report::ProcessorRecord::to_csv` |
//! | Mermaid | [`mermaid_label`] | `report::chain_flowchart` |
//!
//! iCalendar has no function of its own: the `icalendar` crate escapes TEXT values as RFC 5545
//! §3.3.11 asks (`\`, `;`, `,` and the line feed), and the agenda hands it fields passed through
//! [`text`], so that no carriage return, other line break or control character reaches it and a
//! field cannot forge a line of the event's description. Escaping again would double the
//! backslashes.
//!
//! Shared by every function: a *line break* is a line feed, a carriage return, the pair CR LF
//! (one break), a line tabulation (U+000B), a form feed (U+000C), a next line (U+0085), a line
//! separator (U+2028) or a paragraph separator (U+2029). A *hidden control* is any other control
//! character but the tab (C0, DEL, C1), or a bidirectional embedding, override or isolate
//! (U+202A to U+202E, U+2066 to U+2069), which can make a rendered text read differently from
//! what it holds. [`model::Text`](crate::model::Text) already refuses hidden controls; the
//! escapers replace them with U+FFFD (the visible replacement character) all the same, because
//! a document's texts are plain strings.
//!
//! # Example
//! ```
//! use gdpr_obligations::escape;
//!
//! let name = "<img src=x onerror=alert(1)> *Evil* s.r.o.";
//! assert_eq!(
//!     escape::markdown(name),
//!     r"&lt;img src\=x onerror\=alert\(1\)&gt; \*Evil\* s\.r\.o\."
//! );
//! assert_eq!(escape::html_text(name), "&lt;img src=x onerror=alert(1)&gt; *Evil* s.r.o.");
//! assert_eq!(escape::csv_field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
//! assert_eq!(escape::text("line one\r\nline two"), "line one line two");
//! ```

use std::borrow::Cow;

/// The replacement for a hidden control: U+FFFD, visible in every format.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` is a line break other than CR (handled with the LF that may follow it).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Whether `c` is a hidden control: a control character other than the tab and the line breaks,
/// or a bidirectional embedding, override or isolate.
fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\t' && !is_line_break(c)) || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` as pieces: each line break (CR LF counted once), each hidden control, and every other
/// character.
fn pieces(text: &str) -> impl Iterator<Item = Piece> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        Some(if c == '\r' {
            chars.next_if_eq(&'\n');
            Piece::Break
        } else if is_line_break(c) {
            Piece::Break
        } else if is_hidden_control(c) {
            Piece::Hidden
        } else {
            Piece::Char(c)
        })
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Piece {
    Break,
    Hidden,
    Char(char),
}

impl Piece {
    /// The piece on one line: a break as a space, a hidden control as U+FFFD.
    fn flat(self) -> char {
        match self {
            Piece::Break => ' ',
            Piece::Hidden => REPLACEMENT,
            Piece::Char(c) => c,
        }
    }
}

/// Plain text on one line, for a field of an e-mail body, a chat message or an iCalendar
/// event's description.
///
/// The rule: every line break becomes one space, and every hidden control U+FFFD, so that a
/// field cannot start a new line or field of the document it is written into, nor reorder what
/// the reader sees. Everything else is kept as it is: plain text has no markup to escape.
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::text("ACME\nOwed to: the supervisory authority"), "ACME Owed to: the supervisory authority");
/// assert_eq!(escape::text("invoice \u{202E}fdp.exe"), "invoice \u{FFFD}fdp.exe");
/// ```
#[must_use]
pub fn text(text: &str) -> String {
    pieces(text).map(Piece::flat).collect()
}

/// Inline Markdown text, for a paragraph, a heading, a list item or a table cell.
///
/// The rule:
/// - `&`, `<` and `>` become the entities `&amp;`, `&lt;` and `&gt;`, so that no raw HTML, no
///   autolink and no entity of the text's own survives, in every Markdown flavour;
/// - every other ASCII punctuation character (all of which CommonMark lets a backslash escape)
///   gets a backslash: `*`, `_`, `` ` ``, `[`, `]`, `(`, `)`, `!`, `#`, `|`, `~`, `\`, `-`,
///   `+`, `.`, `=` and the rest, so that no emphasis, code, link, image, table cell, heading,
///   list, block quote, thematic break or setext underline can start in the text, wherever a
///   line of it begins;
/// - every line break becomes one space (a table row and a paragraph stay one line);
/// - a space or tab at the start or end becomes `&#32;` or `&#9;`, so that it neither indents
///   the line into a code block nor is trimmed away;
/// - every hidden control becomes U+FFFD.
///
/// A CommonMark reader therefore gives back the text with its line breaks as spaces (and hidden
/// controls replaced), as one text.
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::markdown("*ACME* [s.r.o.]"), r"\*ACME\* \[s\.r\.o\.\]");
/// assert_eq!(escape::markdown("1. AT&T"), r"1\. AT&amp;T");
/// assert_eq!(escape::markdown("- a | b\nc"), r"\- a \| b c");
/// ```
#[must_use]
pub fn markdown(text: &str) -> String {
    let flat: Vec<char> = pieces(text).map(Piece::flat).collect();
    let blank = |c: &char| *c == ' ' || *c == '\t';
    let lead = flat.iter().take_while(|c| blank(c)).count();
    let trail = flat.len() - flat.iter().rev().take_while(|c| blank(c)).count().min(flat.len() - lead);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, &c) in flat.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ' ' if i < lead || i >= trail => out.push_str("&#32;"),
            '\t' if i < lead || i >= trail => out.push_str("&#9;"),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `text` literally: fenced with one backtick more than the
/// longest run of backticks in the text, padded with a space inside where CommonMark would
/// otherwise read a backtick at the edge as part of the fence, line breaks as spaces and hidden
/// controls as U+FFFD. An empty text gives an empty string (CommonMark has no empty code span).
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::markdown_code("answer:0190"), "`answer:0190`");
/// assert_eq!(escape::markdown_code("a`b"), "``a`b``");
/// assert_eq!(escape::markdown_code("`x"), "`` `x ``");
/// ```
#[must_use]
pub fn markdown_code(text: &str) -> String {
    let flat = self::text(text);
    if flat.is_empty() {
        return String::new();
    }
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space from each side when both ends are spaces (and the span is not
    // all spaces): pad when an edge is a backtick or both edges are spaces, so the text survives.
    let pad = flat.starts_with('`')
        || flat.ends_with('`')
        || (flat.starts_with(' ') && flat.ends_with(' ') && !flat.chars().all(|c| c == ' '));
    if pad { format!("{fence} {flat} {fence}") } else { format!("{fence}{flat}{fence}") }
}

/// HTML text content (between tags).
///
/// The rule: `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;` (the `html-escape` crate's
/// text encoding), so that no element, comment or character reference of the text's own
/// survives; every line break becomes `<br>` followed by a line feed; every hidden control
/// becomes U+FFFD. Not for attribute values: use [`html_attribute`].
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::html_text("<b>AT&T</b>\nPraha"), "&lt;b&gt;AT&amp;T&lt;/b&gt;<br>\nPraha");
/// ```
#[must_use]
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for p in pieces(text) {
        match p {
            Piece::Break => {
                out.push_str(&html_escape::encode_text(&run));
                run.clear();
                out.push_str("<br>\n");
            }
            p => run.push(p.flat()),
        }
    }
    out.push_str(&html_escape::encode_text(&run));
    out
}

/// An HTML attribute value, to be written between double quotes.
///
/// The rule: `&`, `<`, `>`, `"` and `'` become character references (the `html-escape` crate's
/// quoted-attribute encoding, safe between double or single quotes), every line break a
/// space and every hidden control U+FFFD.
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// let value = escape::html_attribute("cs\" onmouseover=\"alert(1)");
/// assert_eq!(format!("<section lang=\"{value}\">"), "<section lang=\"cs&quot; onmouseover=&quot;alert(1)\">");
/// ```
#[must_use]
pub fn html_attribute(value: &str) -> String {
    html_escape::encode_quoted_attribute(&self::text(value)).into_owned()
}

/// A CSV field, before the `csv` crate quotes it.
///
/// The rule is OWASP's against CSV (formula) injection: a field that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, so that a spreadsheet opening the file
/// shows the text instead of evaluating a formula. The `csv` crate then quotes a field holding
/// the delimiter, a quote or a line break, and doubles its quotes, so that no field can start
/// another field or record. Nothing else changes: a reader gives back the text, with the `'`
/// in front where the rule put one.
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::csv_field("=1+2"), "'=1+2");
/// assert_eq!(escape::csv_field("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(escape::csv_field("ACME s.r.o."), "ACME s.r.o.");
/// ```
#[must_use]
pub fn csv_field(field: &str) -> Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{field}"))
    } else {
        Cow::Borrowed(field)
    }
}

/// A Mermaid label, to be written between double quotes (`n0["label"]`, `-->|"label"|`).
///
/// The rule: letters and digits (of any script), the space and `.`, `,`, `:`, `(`, `)`, `-`,
/// `/` and `'` are kept, and so is every other character outside ASCII; every other ASCII
/// character becomes Mermaid's entity code `#NNN;` (the decimal code point: `"` is `#34;`, `#`
/// is `#35;`, `<` is `#60;`), which Mermaid turns back into the character when it draws the
/// label; every line break and every hidden control becomes a space. So no
/// `"` can close the label, no `]`, `|`, `-->` or `%%` can start syntax of its own, no `<` can
/// start an HTML tag in the drawn label, no backtick can turn it into a Markdown string, and no
/// `#...;` of the text's own is read as an entity.
///
/// # Example
/// ```
/// use gdpr_obligations::escape;
///
/// assert_eq!(escape::mermaid_label("ACME \"s.r.o.\""), "ACME #34;s.r.o.#34;");
/// assert_eq!(escape::mermaid_label("a\"] --> x[\"b"), "a#34;#93; --#62; x#91;#34;b");
/// ```
#[must_use]
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for p in pieces(text) {
        match p {
            Piece::Break | Piece::Hidden => out.push(' '),
            Piece::Char(c)
                if c.is_alphanumeric() || matches!(c, ' ' | '.' | ',' | ':' | '(' | ')' | '-' | '/' | '\'') =>
            {
                out.push(c);
            }
            Piece::Char(c) if c.is_ascii() => {
                out.push_str(&format!("#{};", u32::from(c)));
            }
            Piece::Char(c) => out.push(c),
        }
    }
    out
}
