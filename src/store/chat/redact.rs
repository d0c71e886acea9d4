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

    /// The first word of the needle in lower case: every whole-word occurrence of the needle
    /// in a text starts with a word of the text that is this one in lower case (see [`words`]).
    /// `None` when it has no letter or digit.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(super) fn first_word(&self) -> Option<String> {
        words(&self.text).next()
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

/// The words of a text (its runs of letters and digits) in lower case: what a database index
/// of identifiers by [first word](Needle::first_word) is looked up with, to find every
/// identifier a text may hold without reading them all.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
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
    for (start, _) in text.char_indices() {
        let Some(end) = match_at(text, start, needle) else { continue };
        let before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
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
    fn every_occurrence_starts_with_a_word_of_the_text() {
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
            let first = needle.first_word().unwrap();
            assert!(words(text).any(|w| w == first), "{first} among the words of {text}");
        }
        assert_eq!(email("Eva.Kit@example.cz").first_word().as_deref(), Some("eva"));
    }

    #[test]
    fn longer_targets_win() {
        let out = redact("mail eva@example.cz", &[name("eva"), email("eva@example.cz")], &[]);
        assert_eq!(out.as_deref(), Some("mail [redacted e-mail]"));
    }
}
