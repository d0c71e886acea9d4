//! One canonical form per identifier kind, and the normalised view of free text that finds an
//! identifier in the forms people type it.
//!
//! Finding, erasing, planning, redacting and indexing a subject's data (Art. 15, Art. 17) all
//! compare identifiers through these functions, so that one identifier is one value wherever
//! it is compared: an e-mail address whose local part differs only in ASCII case, a name in
//! NFD or split by a no-break space, a telephone number with spaces or in national form, and
//! an IPv6 address in upper case are each the same identifier as their canonical form.

use std::net::IpAddr;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::vocab::Country;

/// Whether a character is invisible or steers layout instead of being text: a control
/// character, white space, or a format character (Unicode general category Cf: zero-width
/// space U+200B, U+FEFF, soft hyphen U+00AD, word joiner U+2060, bidirectional controls).
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control() || c.is_whitespace() || c.general_category() == GeneralCategory::Format
}

/// The canonical e-mail address: the local part with ASCII case folding only (a Kelvin sign
/// U+212A stays distinct from `k`), `@`, and the domain in NFC and lower case. An address
/// written only in ASCII keeps the form it had before Unicode normalisation was added, so
/// that keyed hashes computed over it still match.
pub(crate) fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{}", local.to_ascii_lowercase(), email_domain(domain)),
        None => address.to_ascii_lowercase(),
    }
}

/// An e-mail domain in lower case and NFC.
pub(crate) fn email_domain(domain: &str) -> String {
    domain.to_lowercase().nfc().collect()
}

/// The canonical name: NFC, every run of white space (no-break spaces, line breaks, tabs,
/// several spaces) one space, format characters dropped, trimmed, lower case.
pub(crate) fn name(name: &str) -> String {
    View::of(name, Case::Fold).text.trim_matches(' ').to_owned()
}

/// The canonical text of an IP address: an IPv4-mapped IPv6 address is the IPv4 address, and
/// IPv6 is written in its RFC 5952 form (lower case, zeros compressed).
pub(crate) fn ip(ip: IpAddr) -> String {
    ip.to_canonical().to_string()
}

/// A telephone number parsed with libphonenumber's metadata: national forms are read in
/// `region` (the controller's default region), `00` is read as the international prefix.
/// `None` when the text is not a possible number (see [`is_possible`]).
pub(crate) fn phone(text: &str, region: Option<Country>) -> Option<phonenumber::PhoneNumber> {
    // A text longer than any number written with separators is not one: spare the parser.
    if text.len() > 64 {
        return None;
    }
    let trimmed = text.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
    let international: String;
    let text = match trimmed.strip_prefix("00") {
        Some(rest) => {
            international = format!("+{rest}");
            international.as_str()
        }
        None => text,
    };
    let region = region.and_then(|r| r.as_str().parse::<phonenumber::country::Id>().ok());
    let number = phonenumber::parse(region, text).ok()?;
    (number.extension().is_none() && is_possible(&number)).then_some(number)
}

/// libphonenumber's "possible number": the national significant number has a length that
/// numbers of its country calling code have. Not its "valid number", which also matches the
/// number against the ranges allocated when the metadata was cut: a stored number must decode
/// the same after a metadata update, and a newly allocated range must not turn a visitor's
/// stored number into a corrupt record.
fn is_possible(number: &phonenumber::PhoneNumber) -> bool {
    let length = number.national().to_string().len();
    phonenumber::metadata::DATABASE.by_code(&number.code().value()).is_some_and(|regions| {
        regions.iter().any(|meta| {
            // The metadata keeps the lengths on each type of number (fixed line, mobile, ...),
            // and on the general description only where it lists them itself.
            let d = meta.descriptors();
            let types = [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.premium_rate(),
                d.shared_cost(),
                d.personal_number(),
                d.voip(),
                d.pager(),
                d.uan(),
                d.voicemail(),
            ];
            std::iter::once(d.general())
                .chain(types.into_iter().flatten())
                .any(|desc| desc.possible_length().iter().any(|l| usize::from(*l) == length))
        })
    })
}

/// Whether case is folded in a [`View`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// Case is kept (tokens, which are compared exactly).
    Keep,
    /// Every character in lower case (names, e-mail addresses).
    Fold,
}

/// A normalised view of a text that maps back to the original bytes: NFC (each starter with
/// its combining marks composed), every run of white space one space, format characters
/// dropped, and case folded where asked. Matching on the view finds an identifier however it
/// is typed; the spans found are replaced in the original.
#[derive(Debug)]
pub(crate) struct View {
    /// The normalised text.
    pub(crate) text: String,
    /// For each character of `text`, in order: its byte offset in `text`, and the byte span of
    /// the original it comes from.
    map: Vec<(usize, usize, usize)>,
}

impl View {
    /// The normalised view of `text`.
    pub(crate) fn of(text: &str, case: Case) -> View {
        let mut view = View { text: String::with_capacity(text.len()), map: Vec::with_capacity(text.len()) };
        let mut chars = text.char_indices().peekable();
        let mut chunk = String::new();
        while let Some((start, c)) = chars.next() {
            if c.is_whitespace() {
                let mut end = start + c.len_utf8();
                while let Some(&(i, next)) = chars.peek() {
                    if !(next.is_whitespace() || is_format(next)) {
                        break;
                    }
                    end = i + next.len_utf8();
                    chars.next();
                }
                view.push(' ', start, end);
                continue;
            }
            if is_format(c) {
                continue;
            }
            // A starter and the combining marks that follow it compose among themselves only.
            chunk.clear();
            chunk.push(c);
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars.peek() {
                if canonical_combining_class(next) == 0 {
                    break;
                }
                chunk.push(next);
                end = i + next.len_utf8();
                chars.next();
            }
            for composed in chunk.nfc() {
                match case {
                    Case::Keep => view.push(composed, start, end),
                    Case::Fold => composed.to_lowercase().for_each(|lower| view.push(lower, start, end)),
                }
            }
        }
        view
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.map.push((self.text.len(), start, end));
        self.text.push(c);
    }

    /// The span of the original that the view's bytes `start..end` come from (`start` and
    /// `end` at character boundaries of the view, `start < end`).
    pub(crate) fn original(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self.map.binary_search_by_key(&start, |m| m.0).ok()?;
        let last = match self.map.binary_search_by_key(&end, |m| m.0) {
            Ok(i) => i.checked_sub(1)?,
            Err(i) if i == self.map.len() && end == self.text.len() => i.checked_sub(1)?,
            Err(_) => return None,
        };
        Some((self.map[first].1, self.map.get(last)?.2))
    }
}

/// A format character (general category Cf), dropped from a [`View`].
fn is_format(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_space_case_and_form() {
        for variant in
            ["Jan Novák", "Jan\u{a0}Novák", "Jan\nNovák", "  Jan   Novák ", "JAN NOVA\u{301}K", "Jan No\u{ad}vák"]
        {
            assert_eq!(name(variant), "jan novák", "{variant:?}");
        }
    }

    #[test]
    fn email_folds_ascii_case_of_the_local_part_only() {
        assert_eq!(email("Eva@Example.CZ"), "eva@example.cz");
        assert_eq!(email("\u{212A}ate@example.com"), "\u{212A}ate@example.com");
        assert_ne!(email("\u{212A}ate@example.com"), email("kate@example.com"));
    }

    #[test]
    fn invisible_characters() {
        for c in ['\u{200b}', '\u{feff}', '\u{ad}', '\u{2060}', '\u{202e}', '\u{a0}', '\n', '\0'] {
            assert!(is_invisible(c), "{c:?}");
        }
        assert!(!is_invisible('a') && !is_invisible('é'));
    }

    #[test]
    fn view_maps_back_to_the_original() {
        let text = "Hi Jan\u{a0}\u{a0}Nova\u{301}k!";
        let view = View::of(text, Case::Fold);
        assert_eq!(view.text, "hi jan novák!");
        let at = view.text.find("jan novák").unwrap();
        let (s, e) = view.original(at, at + "jan novák".len()).unwrap();
        assert_eq!(&text[s..e], "Jan\u{a0}\u{a0}Nova\u{301}k");
    }

    #[test]
    fn a_possible_number_outside_the_allocated_ranges_is_a_number() {
        // libphonenumber's metadata knows no Czech range starting with 1 today; a stored
        // visitor's number must still decode after a metadata update moves the ranges.
        let parsed = phonenumber::parse(None, "+420100000000").unwrap();
        assert!(!phonenumber::is_valid(&parsed), "the example must be outside today's ranges");
        assert!(phone("+420 100 000 000", None).is_some());
        // A length no Czech number has is not a number.
        assert!(phone("+420 1000", None).is_none());
        assert!(phone("+420 1000000000000", None).is_none());
    }

    #[test]
    fn phones_in_every_form() {
        let e164 =
            |t: &str, r: Option<Country>| phone(t, r).map(|p| p.format().mode(phonenumber::Mode::E164).to_string());
        for t in ["+420 601 123 456", "00420 601-123-456", "(+420) 601.123.456", "+420601123456"] {
            assert_eq!(e164(t, None).as_deref(), Some("+420601123456"), "{t}");
        }
        assert_eq!(e164("601 123 456", Some(Country::CZ)).as_deref(), Some("+420601123456"));
        assert_eq!(e164("030 1234567", Some(Country::DE)).as_deref(), Some("+49301234567"));
        assert_eq!(e164("601 123 456", None), None);
        assert_eq!(e164("+420 123", None), None);
    }
}
