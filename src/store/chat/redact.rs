//! Finding and replacing identifiers in free text (messages, attachment names, statements), in
//! the forms people type them: names and e-mail addresses in any Unicode normalisation form,
//! case and spacing; telephone numbers with separators, `00` or in national form; IP addresses
//! in any textual form. Each identifier kind is compared through its one canonical form.

use std::cell::OnceCell;
use std::net::IpAddr;

use crate::model::canonical::{self, Case, View};
use crate::model::{SubjectIdentifier, Text};
use crate::vocab::Country;

/// What replaces an identifier of each kind, and an agent's name in an export.
const LABELS: [&str; 8] = [
    "[redacted e-mail]",
    "[redacted phone]",
    "[redacted name]",
    "[redacted visitor token]",
    "[redacted ip address]",
    "[redacted account id]",
    "[redacted cookie id]",
    "[agent]",
];

/// An identifier to look for and the label that replaces it.
#[derive(Debug, Clone)]
pub(super) struct Needle {
    find: Find,
    label: &'static str,
}

/// How a needle is found in text.
#[derive(Debug, Clone)]
enum Find {
    /// A text compared with a [`View`] of the haystack (`text` is in the view's own form).
    Text { text: String, case: Case },
    /// A telephone number: any phone-like run of the text that parses, in the number's own
    /// region for national forms, to the same E.164 number.
    Phone { e164: String, national: String, region: Option<Country> },
    /// An IP address: any run of the text that parses to the same canonical address.
    Ip(IpAddr),
}

impl Needle {
    /// The identifier as it appears in text: e-mail addresses and names in a normalised view
    /// (NFC, white space folded, case folded), telephone numbers and IP addresses by parsing,
    /// tokens exactly.
    pub(super) fn of(identifier: &SubjectIdentifier) -> Needle {
        let folded = |t: &str| Find::Text { text: canonical::name(t), case: Case::Fold };
        let exact = |t: &str| Find::Text { text: t.to_owned(), case: Case::Keep };
        let (find, label) = match identifier {
            SubjectIdentifier::Email(e) => (folded(e.as_str()), LABELS[0]),
            SubjectIdentifier::Phone(p) => (
                Find::Phone {
                    e164: p.as_str().to_owned(),
                    national: p.national_number().to_owned(),
                    region: p.region(),
                },
                LABELS[1],
            ),
            SubjectIdentifier::Name(n) => (folded(n.as_str()), LABELS[2]),
            SubjectIdentifier::ChatVisitorToken(t) => (exact(t.as_str()), LABELS[3]),
            SubjectIdentifier::IpAddress(ip) => (Find::Ip(ip.to_canonical()), LABELS[4]),
            SubjectIdentifier::AccountId(t) => (exact(t.as_str()), LABELS[5]),
            SubjectIdentifier::CookieId(t) => (exact(t.as_str()), LABELS[6]),
        };
        Needle { find, label }
    }

    /// An agent's name, replaced by their role in an export (Art. 15(4)).
    pub(super) fn agent(name: &Text) -> Needle {
        Needle { find: Find::Text { text: canonical::name(name.as_str()), case: Case::Fold }, label: LABELS[7] }
    }

    /// The key a database index holds for the needle, one of the [`index_keys`] of every
    /// text the needle occurs in: for a telephone number `tel:` and its national significant
    /// number; for an IP address `ip:` and its canonical form; otherwise the first
    /// [`INDEX_WORDS`] words of the needle (all of them when it has fewer) in lower case,
    /// joined by single spaces, as every whole-word occurrence of the needle in a text is a
    /// run of consecutive words of the text. `None` when it has no letter or digit. A key of
    /// one word (a token's prefix) would find a good part of the history in any text with a
    /// number in it; three words make it selective.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(dead_code, reason = "only the database backends use it")
    )]
    pub(super) fn index_key(&self) -> Option<String> {
        match &self.find {
            Find::Text { text, .. } => {
                let key: Vec<String> = words(text).take(INDEX_WORDS).collect();
                (!key.is_empty()).then(|| key.join(" "))
            }
            Find::Phone { national, .. } => Some(format!("{TEL}{national}")),
            Find::Ip(ip) => Some(format!("{IP}{ip}")),
        }
    }

    fn label_of(label: &'static str) -> Needle {
        Needle { find: Find::Text { text: label.to_owned(), case: Case::Keep }, label }
    }

    /// The length by which longer needles win over shorter ones.
    fn len(&self) -> usize {
        match &self.find {
            Find::Text { text, .. } => text.chars().count(),
            Find::Phone { e164, .. } => e164.len(),
            Find::Ip(ip) => canonical::ip(*ip).len(),
        }
    }
}

/// Replaces every occurrence of a `target` in `text` that does not overlap an occurrence of a
/// `protect` needle (another person's identifier that contains the target) or of a label put
/// there earlier. Longer targets win over shorter ones. An occurrence counts only as a whole
/// word: the characters around it are not letters or digits. `None` when nothing changes.
pub(super) fn redact(text: &str, targets: &[Needle], protect: &[Needle]) -> Option<String> {
    let hay = Haystack::new(text);
    let labels = LABELS.map(Needle::label_of);
    let mut taken: Vec<(usize, usize)> = protect.iter().chain(labels.iter()).flat_map(|n| hay.spans(n)).collect();
    let mut ordered: Vec<&Needle> = targets.iter().collect();
    ordered.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut replacements: Vec<(usize, usize, &'static str)> = Vec::new();
    for needle in ordered {
        for (start, end) in hay.spans(needle) {
            if !taken.iter().any(|&(s, e)| start < e && s < end) {
                taken.push((start, end));
                replacements.push((start, end, needle.label));
            }
        }
    }
    if replacements.is_empty() {
        return None;
    }
    replacements.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, label) in replacements {
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(label);
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    Some(out)
}

/// How many words of an identifier the database index holds ([`Needle::index_key`]).
pub(super) const INDEX_WORDS: usize = 3;
/// The prefix of a telephone number's index key.
const TEL: &str = "tel:";
/// The prefix of an IP address's index key.
const IP: &str = "ip:";
/// The fewest digits of a national significant number (some regions have four-digit ones).
const MIN_NATIONAL_DIGITS: usize = 4;
/// The most digits of a national significant number (E.164 has at most 15 digits in all).
const MAX_NATIONAL_DIGITS: usize = 17;

/// Every key a database index of identifiers by [`Needle::index_key`] is looked up with, to
/// find every identifier a text may hold without reading them all: each run of one to
/// [`INDEX_WORDS`] consecutive [`words`] of the text in NFC, joined by single spaces (a key of
/// one word, as an index written before keys had three, is among them too); `tel:` and each
/// suffix of four or more digits of every phone-like run of the text (a national significant
/// number is such a suffix of every form of the number); and `ip:` and the canonical form of
/// every IP address the text holds.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    expect(dead_code, reason = "only the database backends use it")
)]
pub(super) fn index_keys(text: &str) -> Vec<String> {
    let view = View::of(text, Case::Fold);
    let words: Vec<String> = words(&view.text).collect();
    let mut out = Vec::with_capacity(words.len() * INDEX_WORDS);
    for start in 0..words.len() {
        for end in start + 1..=(start + INDEX_WORDS).min(words.len()) {
            out.push(words[start..end].join(" "));
        }
    }
    for run in phone_runs(text) {
        let mut digits = String::new();
        for group in &run {
            digits.push_str(&group.digits);
            let from = digits.len().saturating_sub(MAX_NATIONAL_DIGITS);
            for i in from..=digits.len().saturating_sub(MIN_NATIONAL_DIGITS) {
                if digits.len() - i >= MIN_NATIONAL_DIGITS {
                    out.push(format!("{TEL}{}", &digits[i..]));
                }
            }
        }
    }
    out.extend(ip_candidates(text).into_iter().map(|(_, _, ip)| format!("{IP}{}", canonical::ip(ip))));
    out
}

/// The words of a text (its runs of letters and digits) in lower case.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
}

/// A text and what is found in it once for every needle: its views, its phone-like runs and
/// its IP addresses, each computed when a needle first needs it.
struct Haystack<'t> {
    text: &'t str,
    exact: OnceCell<View>,
    folded: OnceCell<View>,
    phones: OnceCell<Vec<Vec<Group>>>,
    ips: OnceCell<Vec<(usize, usize, IpAddr)>>,
}

impl<'t> Haystack<'t> {
    fn new(text: &'t str) -> Self {
        Haystack {
            text,
            exact: OnceCell::new(),
            folded: OnceCell::new(),
            phones: OnceCell::new(),
            ips: OnceCell::new(),
        }
    }

    /// The byte spans of the original text where `needle` occurs as a whole word.
    fn spans(&self, needle: &Needle) -> Vec<(usize, usize)> {
        match &needle.find {
            Find::Text { text, case } => {
                let view = match case {
                    Case::Keep => self.exact.get_or_init(|| View::of(self.text, Case::Keep)),
                    Case::Fold => self.folded.get_or_init(|| View::of(self.text, Case::Fold)),
                };
                text_spans(view, text).into_iter().filter_map(|(s, e)| view.original(s, e)).collect()
            }
            Find::Phone { e164, national, region } => {
                let runs = self.phones.get_or_init(|| phone_runs(self.text));
                let mut out = Vec::new();
                for run in runs {
                    phone_spans(self.text, run, e164, national, *region, &mut out);
                }
                out
            }
            Find::Ip(ip) => {
                let ips = self.ips.get_or_init(|| ip_candidates(self.text));
                ips.iter().filter(|(_, _, found)| found == ip).map(|&(s, e, _)| (s, e)).collect()
            }
        }
    }
}

/// The byte spans of the whole-word occurrences of `needle` in `view`.
fn text_spans(view: &View, needle: &str) -> Vec<(usize, usize)> {
    let text = view.text.as_str();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // An occurrence starts where the character before is not a letter or digit: check that
    // first, it is the same for every needle and cheaper than matching.
    let mut before = true;
    for (start, c) in text.char_indices() {
        let at_boundary = before;
        before = !c.is_alphanumeric();
        if !at_boundary || !text[start..].starts_with(needle) {
            continue;
        }
        let end = start + needle.len();
        if text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric()) {
            out.push((start, end));
        }
    }
    out
}

/// A group of digits of a phone-like run: where it starts (with a `+` or an opening bracket
/// right before it), where it ends, and its digits.
#[derive(Debug)]
struct Group {
    start: usize,
    end: usize,
    digits: String,
}

/// Whether a character may separate the digit groups of a telephone number.
fn is_phone_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '.' | '/' | '(' | ')')
}

/// The phone-like runs of a text: groups of ASCII digits separated by at most two of spaces,
/// dashes, dots, slashes and brackets, optionally led by `+` or an opening bracket, and not
/// glued to a letter or digit on either side.
fn phone_runs(text: &str) -> Vec<Vec<Group>> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut run: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let end = bytes[i..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |n| i + n);
        // Where the group starts: a `+` or `(` right before its first digit belongs to it.
        let mut start = i;
        while start > 0 && matches!(bytes[start - 1], b'+' | b'(') && start + 1 >= i {
            start -= 1;
        }
        let glued_before = text[..start].chars().next_back().is_some_and(char::is_alphanumeric);
        let continues = run.last().is_some_and(|last| {
            let between = &text[last.end..start];
            !between.is_empty() && between.chars().count() <= 2 && between.chars().all(is_phone_separator)
        });
        if !continues {
            close_run(text, &mut run, &mut runs);
        }
        if continues || !glued_before {
            run.push(Group { start, end, digits: text[i..end].to_owned() });
        }
        i = end;
    }
    close_run(text, &mut run, &mut runs);
    runs
}

/// Ends a run: kept when no letter or digit follows it and it is not too long to be a number.
fn close_run(text: &str, run: &mut Vec<Group>, runs: &mut Vec<Vec<Group>>) {
    let Some(last) = run.last() else { return };
    let glued_after = text[last.end..].chars().next().is_some_and(char::is_alphanumeric);
    let digits: usize = run.iter().map(|g| g.digits.len()).sum();
    if !glued_after && digits <= 40 {
        runs.push(std::mem::take(run));
    }
    run.clear();
}

/// Adds the spans of `run` that are the number `e164`: the groups from one to another whose
/// digits end with its national significant number and that parse, in the number's region
/// for national forms, to it.
fn phone_spans(
    text: &str,
    run: &[Group],
    e164: &str,
    national: &str,
    region: Option<Country>,
    out: &mut Vec<(usize, usize)>,
) {
    for (i, first) in run.iter().enumerate() {
        let mut digits = String::new();
        for last in &run[i..] {
            digits.push_str(&last.digits);
            if digits.len() > MAX_NATIONAL_DIGITS + 5 {
                break;
            }
            if !digits.ends_with(national) {
                continue;
            }
            let span = (first.start, last.end);
            let overlaps = out.iter().any(|&(s, e)| span.0 < e && s < span.1);
            if !overlaps
                && canonical::phone(&text[span.0..span.1], region)
                    .is_some_and(|p| p.format().mode(phonenumber::Mode::E164).to_string() == e164)
            {
                out.push(span);
            }
        }
    }
}

/// The IP addresses a text holds: runs of hex digits, `:` and `.` not glued to a letter or
/// digit, that parse as an address (an IPv4 address followed by `:port` too), each with its
/// byte span and canonical value.
fn ip_candidates(text: &str) -> Vec<(usize, usize, IpAddr)> {
    let is_part = |c: char| c.is_ascii_hexdigit() || c == ':' || c == '.';
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((start, c)) = chars.next() {
        if !is_part(c) || prev.is_some_and(|p| p.is_alphanumeric() || is_part(p)) {
            prev = Some(c);
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut last = c;
        while let Some(&(i, next)) = chars.peek() {
            if !is_part(next) {
                break;
            }
            end = i + next.len_utf8();
            last = next;
            chars.next();
        }
        prev = Some(last);
        if text[end..].chars().next().is_some_and(char::is_alphanumeric) {
            continue;
        }
        let run = text[start..end].trim_end_matches(['.', ':']);
        if !run.contains([':', '.']) {
            continue;
        }
        let parsed = run.parse::<IpAddr>().ok().map(|ip| (run.len(), ip)).or_else(|| {
            let (v4, _port) = run.split_once(':')?;
            v4.parse::<std::net::Ipv4Addr>().ok().map(|ip| (v4.len(), IpAddr::V4(ip)))
        });
        if let Some((len, ip)) = parsed {
            out.push((start, start + len, ip.to_canonical()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Needle {
        Needle::of(&SubjectIdentifier::Name(Text::new(n).unwrap()))
    }

    fn phone(p: &str) -> Needle {
        Needle::of(&SubjectIdentifier::Phone(crate::model::PhoneNumber::new(p).unwrap()))
    }

    fn ip(ip: &str) -> Needle {
        Needle::of(&SubjectIdentifier::IpAddress(ip.parse::<IpAddr>().unwrap().to_canonical()))
    }

    fn email(e: &str) -> Needle {
        Needle::of(&SubjectIdentifier::Email(crate::model::EmailAddress::new(e).unwrap()))
    }

    #[test]
    fn whole_words_only_and_case_folded() {
        assert_eq!(
            redact("EVA said: evangelist Eva's", &[name("eva")], &[]).as_deref(),
            Some("[redacted name] said: evangelist [redacted name]'s")
        );
        assert_eq!(redact("nothing here", &[name("eva")], &[]), None);
    }

    #[test]
    fn protected_identifiers_and_labels_are_kept() {
        let out = redact("write eva.b@example.cz or Eva", &[name("eva")], &[email("eva.b@example.cz")]);
        assert_eq!(out.as_deref(), Some("write eva.b@example.cz or [redacted name]"));
        // A subject named "Name" does not eat the label put in for them.
        let once = redact("Name here", &[name("name")], &[]).unwrap();
        assert_eq!(redact(&once, &[name("name")], &[]), None);
    }

    #[test]
    fn every_occurrence_is_a_run_of_words_of_the_text() {
        for (text, needle) in [
            ("call +420601111222, now", phone("+420601111222")),
            ("MAIL Eva.Kit@Example.cz!", email("eva.kit@example.cz")),
            ("from ::1 today", Needle::of(&SubjectIdentifier::IpAddress("::1".parse().unwrap()))),
            ("ÉVA Nováková wrote", name("éva nováková")),
            ("Thanks, Jan\u{a0}Nova\u{301}k, done", name("Jan Novák")),
            ("Thanks, Jan\nNovák", name("jan novák")),
            ("I will call you at +420 601 111 222 tomorrow", phone("+420601111222")),
            ("call 00420 601-111-222 or", phone("+420601111222")),
            ("call (601) 111 222.", phone("+420601111222")),
            ("from 2001:DB8::1 today", ip("2001:db8::1")),
            ("from 2001:0db8:0:0::0001.", ip("2001:db8::1")),
            ("seen at 192.0.2.1:8080", ip("::ffff:192.0.2.1")),
        ] {
            assert!(redact(text, std::slice::from_ref(&needle), &[]).is_some(), "{text}");
            let key = needle.index_key().unwrap();
            assert!(index_keys(text).contains(&key), "{key} among the index keys of {text}");
        }
        assert_eq!(email("Eva.Kit@example.cz").index_key().as_deref(), Some("eva kit example"));
        let ip = Needle::of(&SubjectIdentifier::IpAddress("187.69.10.51".parse().unwrap()));
        assert_eq!(ip.index_key().as_deref(), Some("ip:187.69.10.51"));
        assert_eq!(phone("+420601111222").index_key().as_deref(), Some("tel:601111222"));
        assert_eq!(index_keys("Hi, Eva Kit!"), ["hi", "hi eva", "hi eva kit", "eva", "eva kit", "kit"]);
    }

    #[test]
    fn art_17_phone_forms_are_redacted_and_others_are_not() {
        let needle = phone("+420601111222");
        let out = redact("at +420 601 111 222, 601111222 or 00420601111222; not 601 111 223", &[needle], &[]);
        assert_eq!(out.as_deref(), Some("at [redacted phone], [redacted phone] or [redacted phone]; not 601 111 223"));
        assert_eq!(redact("order 1601111222 shipped", &[phone("+420601111222")], &[]), None);
        assert_eq!(
            redact("call 030 1234567 now", &[phone("+49301234567")], &[]).as_deref(),
            Some("call [redacted phone] now")
        );
    }

    #[test]
    fn art_17_ip_forms_are_redacted_and_others_are_not() {
        let out =
            redact("from 2001:DB8::1, 2001:db8::2 and ::ffff:192.0.2.1", &[ip("2001:db8::1"), ip("192.0.2.1")], &[]);
        assert_eq!(out.as_deref(), Some("from [redacted ip address], 2001:db8::2 and [redacted ip address]"));
        assert_eq!(redact("version 192.0.2.10", &[ip("192.0.2.1")], &[]), None);
    }

    #[test]
    fn art_15_4_names_in_any_form_are_redacted() {
        for text in ["Jan\u{a0}Novák", "Jan\nNovák", "Jan  Novák", "JAN NOVA\u{301}K", "Jan\tNo\u{ad}vák"] {
            assert_eq!(
                redact(&format!("Thanks, {text}, done"), &[name("Jan Novák")], &[]).as_deref(),
                Some("Thanks, [redacted name], done"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn longer_targets_win() {
        let out = redact("mail eva@example.cz", &[name("eva"), email("eva@example.cz")], &[]);
        assert_eq!(out.as_deref(), Some("mail [redacted e-mail]"));
    }
}
