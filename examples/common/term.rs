//! What the examples print for people (included by `#[path]` in each): the answer to `--help`,
//! and lines wrapped to fit a terminal of 100 columns.

// Each example uses what it needs of this file.
#![allow(dead_code)]

/// The widest line an example prints.
pub(crate) const COLUMNS: usize = 100;

/// Whether the command line asks for help (`-h` or `--help` anywhere in it); if so, prints
/// `Usage: {usage}` and then `about` on stdout, for the caller to exit 0.
pub(crate) fn help_asked(usage: &str, about: &str) -> bool {
    let asked = std::env::args().skip(1).any(|a| a == "-h" || a == "--help");
    if asked {
        println!("Usage: {usage}\n");
        println!("{}", wrap("", 0, about));
    }
    asked
}

/// `first` followed by `text`, broken between words so that no line is wider than [`COLUMNS`];
/// the lines after the first are indented by `indent` spaces. A word wider than a line stays
/// whole on a line of its own.
pub(crate) fn wrap(first: &str, indent: usize, text: &str) -> String {
    let mut out = String::from(first);
    let mut width = first.chars().count();
    let mut line_has_word = !first.trim().is_empty() && !first.ends_with(' ');
    for word in unbreakable_words(text) {
        let word = word.as_str();
        let len = word.chars().count();
        let gap = usize::from(line_has_word);
        if line_has_word && width + gap + len > COLUMNS {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            width = indent;
            line_has_word = false;
        }
        if line_has_word {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += len;
        line_has_word = true;
    }
    out
}

/// The words of `text`, where an article's citation stays whole: `Art. 28(2)` is one word, so
/// that a line never ends in `Art.`.
fn unbreakable_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if matches!(last.as_str(), "Art." | "Arts." | "(Art." | "(Arts.") => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
    }
    words
}

/// A name as people read it: `in_progress` becomes `in progress`.
pub(crate) fn words(name: &str) -> String {
    name.replace('_', " ")
}
