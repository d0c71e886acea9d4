//! Finding and replacing identifiers in free text (messages, attachment names, statements).

use crate::model::{SubjectIdentifier, Text};

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

/// A text to look for and the label that replaces it.
#[derive(Debug, Clone)]
pub(super) struct Needle {
    text: String,
    fold_case: bool,
    label: &'static str,
}

impl Needle {
    /// The identifier as it appears in text: e-mail addresses and names without regard to case,
    /// names with their words separated by single spaces, the rest exactly.
    pub(super) fn of(identifier: &SubjectIdentifier) -> Needle {
        let (text, fold_case, label) = match identifier {
            SubjectIdentifier::Email(e) => (e.as_str().to_owned(), true, LABELS[0]),
            SubjectIdentifier::Phone(p) => (p.as_str().to_owned(), false, LABELS[1]),
            SubjectIdentifier::Name(n) => {
                (n.as_str().split_whitespace().collect::<Vec<_>>().join(" "), true, LABELS[2])
            }
            SubjectIdentifier::ChatVisitorToken(t) => (t.as_str().to_owned(), false, LABELS[3]),
            SubjectIdentifier::IpAddress(ip) => (ip.to_canonical().to_string(), false, LABELS[4]),
            SubjectIdentifier::AccountId(t) => (t.as_str().to_owned(), false, LABELS[5]),
            SubjectIdentifier::CookieId(t) => (t.as_str().to_owned(), false, LABELS[6]),
        };
        Needle { text, fold_case, label }
    }

    /// An agent's name, replaced by their role in an export (Art. 15(4)).
    pub(super) fn agent(name: &Text) -> Needle {
        Needle {
            text: name.as_str().split_whitespace().collect::<Vec<_>>().join(" "),
            fold_case: true,
            label: LABELS[7],
        }
    }

    /// The first [`INDEX_WORDS`] words of the needle (all of them when it has fewer) in lower
    /// case, joined by single spaces: every whole-word occurrence of the needle in a text is a
    /// run of consecutive words of the text, so one of the text's [`word_runs`] is this key.
    /// `None` when it has no letter or digit. A key of one word (an IPv4 address's first
    /// number, a token's prefix) would find a good part of the history in any text with a
    /// number in it; three words make it selective.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres")),
        expect(dead_code, reason = "only the database backends use it")
    )]
    pub(super) fn index_key(&self) -> Option<String> {
        let key: Vec<String> = words(&self.text).take(INDEX_WORDS).collect();
        (!key.is_empty()).then(|| key.join(" "))
    }

    fn label_of(label: &'static str) -> Needle {
        Needle { text: label.to_owned(), fold_case: false, label }
    }
}

/// Replaces every occurrence of a `target` in `text` that does not overlap an occurrence of a
/// `protect` needle (another person's identifier that contains the target) or of a label put
/// there earlier. Longer targets win over shorter ones. An occurrence counts only as a whole
/// word: the characters around it are not letters or digits. `None` when nothing changes.
pub(super) fn redact(text: &str, targets: &[Needle], protect: &[Needle]) -> Option<String> {
    let labels = LABELS.map(Needle::label_of);
    let mut taken: Vec<(usize, usize)> = protect.iter().chain(labels.iter()).flat_map(|n| spans(text, n)).collect();
    let mut ordered: Vec<&Needle> = targets.iter().collect();
    ordered.sort_by_key(|n| std::cmp::Reverse(n.text.chars().count()));
    let mut replacements: Vec<(usize, usize, &'static str)> = Vec::new();
    for needle in ordered {
        for (start, end) in spans(text, needle) {
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
        out.push_str(&text[at..start]);
        out.push_str(label);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// How many words of an identifier the database index holds ([`Needle::index_key`]).
pub(super) const INDEX_WORDS: usize = 3;

/// Every run of one to [`INDEX_WORDS`] consecutive [`words`] of a text, joined by single
/// spaces: what a database index of identifiers by [`Needle::index_key`] is looked up with, to
/// find every identifier a text may hold without reading them all. (A key of one word, as an
/// index written before keys had three, is among the runs too.)
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    expect(dead_code, reason = "only the database backends use it")
)]
pub(super) fn word_runs(text: &str) -> Vec<String> {
    let words: Vec<String> = words(text).collect();
    let mut out = Vec::with_capacity(words.len() * INDEX_WORDS);
    for start in 0..words.len() {
        for end in start + 1..=(start + INDEX_WORDS).min(words.len()) {
            out.push(words[start..end].join(" "));
        }
    }
    out
}

/// The words of a text (its runs of letters and digits) in lower case.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
}

/// The byte spans of the whole-word occurrences of `needle` in `text`.
fn spans(text: &str, needle: &Needle) -> Vec<(usize, usize)> {
    if needle.text.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // An occurrence starts where the character before is not a letter or digit: check that
    // first, it is the same for every needle and cheaper than matching.
    let mut before = true;
    for (start, c) in text.char_indices() {
        let at_boundary = before;
        before = !c.is_alphanumeric();
        if !at_boundary {
            continue;
        }
        let Some(end) = match_at(text, start, needle) else { continue };
        let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if after {
            out.push((start, end));
        }
    }
    out
}

fn match_at(text: &str, start: usize, needle: &Needle) -> Option<usize> {
    let mut hay = text[start..].char_indices();
    let mut end = start;
    for n in needle.text.chars() {
        let (i, h) = hay.next()?;
        let same = h == n || (needle.fold_case && h.to_lowercase().eq(n.to_lowercase()));
        if !same {
            return None;
        }
        end = start + i + h.len_utf8();
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Needle {
        Needle::of(&SubjectIdentifier::Name(Text::new(n).unwrap()))
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
            (
                "call +420601111222, now",
                Needle::of(&SubjectIdentifier::Phone(crate::model::PhoneNumber::new("+420601111222").unwrap())),
            ),
            ("MAIL Eva.Kit@Example.cz!", email("eva.kit@example.cz")),
            ("from ::1 today", Needle::of(&SubjectIdentifier::IpAddress("::1".parse().unwrap()))),
            ("ÉVA Nováková wrote", name("éva nováková")),
        ] {
            assert!(redact(text, std::slice::from_ref(&needle), &[]).is_some(), "{text}");
            let key = needle.index_key().unwrap();
            assert!(word_runs(text).contains(&key), "{key} among the word runs of {text}");
        }
        assert_eq!(email("Eva.Kit@example.cz").index_key().as_deref(), Some("eva kit example"));
        let ip = Needle::of(&SubjectIdentifier::IpAddress("187.69.10.51".parse().unwrap()));
        assert_eq!(ip.index_key().as_deref(), Some("187 69 10"));
        assert_eq!(word_runs("Hi, Eva Kit!"), ["hi", "hi eva", "hi eva kit", "eva", "eva kit", "kit"]);
    }

    #[test]
    fn longer_targets_win() {
        let out = redact("mail eva@example.cz", &[name("eva"), email("eva@example.cz")], &[]);
        assert_eq!(out.as_deref(), Some("mail [redacted e-mail]"));
    }
}
