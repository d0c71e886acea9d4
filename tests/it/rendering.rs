//! Safe rendering (issue 20, item 4): hostile names go through every renderer, and the output is
//! parsed back to prove nothing escaped its field. Cases: `common::cases(64)` (`PROPTEST_CASES`).

use chrono::NaiveDate;
use gdpr_obligations::agreement::{AgreementFacts, ProcessingAgreement, ProcessingChain, WrittenForm};
use gdpr_obligations::escape;
use gdpr_obligations::model::{Party, Text};
use gdpr_obligations::report::{Catalogue, ControllerRecord, Language, NoticeInput, PrivacyNotice, chain_flowchart};
use gdpr_obligations::request::ComplaintInformation;
use gdpr_obligations::vocab::Country;
use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag};

/// The review's example (finding 3).
const EVIL: &str = "<img src=x onerror=alert(1)> *Evil* s.r.o.";

/// Every form of the documents a vendor's legal name reaches: notice (Markdown, HTML, text),
/// controller record (CSV), chain flowchart (Mermaid). `None` when `Party::builder` refuses
/// the name (its refusal is then the protection).
struct Rendered {
    markdown: String,
    html: String,
    text: String,
    csv: String,
    mermaid: String,
}

fn render(vendor_name: &str) -> Option<Rendered> {
    let shop = Party::builder("ACME s.r.o.", Country::CZ).contact_email("privacy@acme.example").build().ok()?;
    let vendor = Party::builder(vendor_name, Country::CZ).registration_number("27074358").build().ok()?;
    let signed = NaiveDate::from_ymd_opt(2026, 1, 15)?;
    let facts =
        AgreementFacts::signed(WrittenForm::Electronic, signed).in_force(signed, None).security_measures(["TLS"]);
    let agreement = ProcessingAgreement::template(shop.id(), vendor.id(), facts);
    let parties = [shop.clone(), vendor.clone()];
    let chain = ProcessingChain::build(parties.clone(), [agreement], []).expect("chain");
    let complaint = ComplaintInformation::new(
        Text::new("ÚOOÚ").expect("text"),
        Text::new("an action before the competent court").expect("text"),
    );
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 1)?;
    let input = NoticeInput::new(&shop, &parties, &[], &chain, &complaint, as_of).with_vendor(vendor.id());
    let doc =
        PrivacyNotice::build(&input).expect("notice").document(&Catalogue::built_in(), &Language::EN).expect("doc");
    let record = ControllerRecord::build(&shop, &parties, &[], &chain).expect("record");
    Some(Rendered {
        markdown: doc.to_markdown(),
        html: doc.to_html(),
        text: doc.to_text(),
        csv: record.to_csv(&Catalogue::built_in(), &Language::EN).expect("csv"),
        mermaid: chain_flowchart(&chain, &parties).expect("flowchart"),
    })
}

/// The Markdown's events: no raw HTML, no link or image (the notice makes none), and the texts.
fn markdown_texts(md: &str) -> Result<String, String> {
    let mut texts = String::new();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => return Err(format!("raw HTML {h:?}")),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => return Err("a link or image".into()),
            Event::Start(Tag::CodeBlock(_) | Tag::BlockQuote(_) | Tag::Emphasis | Tag::Strong) => {
                return Err(format!("markup the renderer did not make: {event:?}"));
            }
            Event::Text(t) | Event::Code(t) => texts.push_str(&t),
            _ => {}
        }
    }
    Ok(texts)
}

/// The HTML's tags: only the renderer's elements, and `lang` its only attribute.
fn html_tags_are_ours(html: &str) -> Result<(), String> {
    const OURS: [&str; 8] = ["section", "h2", "h3", "h4", "p", "ul", "li", "br"];
    for tag in html.split('<').skip(1) {
        let name: String = tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect();
        if !OURS.contains(&name.as_str()) && !["table", "thead", "tbody", "tr", "th", "td"].contains(&name.as_str()) {
            return Err(format!("a tag the renderer did not make: <{tag:.20}"));
        }
        let head = tag.split('>').next().unwrap_or_default();
        if head.contains('=') && !head.starts_with("section lang=\"") {
            return Err(format!("an attribute the renderer did not make: <{head}>"));
        }
    }
    Ok(())
}

fn check(name: &str) -> Result<(), String> {
    let benign = render("Chatvendor s.r.o.").expect("benign");
    let Some(r) = render(name) else {
        // The constructor refused the name: only a control or bidi character may be the reason.
        let refused = Text::new(name).is_err() || name.trim().is_empty();
        return if refused { Ok(()) } else { Err("the party was refused but its name is a valid text".into()) };
    };
    let flat = escape::text(name.trim());
    let texts = markdown_texts(&r.markdown)?;
    if !texts.contains(&flat) {
        return Err(format!("the Markdown text lost the name {flat:?}: {texts}"));
    }
    html_tags_are_ours(&r.html)?;
    if r.text.lines().count() != benign.text.lines().count() {
        return Err(format!("plain text has {} lines, not {}", r.text.lines().count(), benign.text.lines().count()));
    }
    let records = |csv: &str| -> Vec<Vec<String>> {
        csv::Reader::from_reader(csv.as_bytes())
            .records()
            .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
            .collect()
    };
    let (hostile, good) = (records(&r.csv), records(&benign.csv));
    if hostile.len() != good.len() || hostile.iter().zip(&good).any(|(a, b)| a.len() != b.len()) {
        return Err("CSV records or fields changed".into());
    }
    for field in hostile.iter().flatten() {
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            return Err(format!("a CSV field starts a formula: {field:?}"));
        }
    }
    if r.mermaid.lines().count() != benign.mermaid.lines().count() {
        return Err("Mermaid lines changed".into());
    }
    for line in r.mermaid.lines().skip(1) {
        let line = line.trim();
        let node = line.starts_with('n') && line.ends_with("\"]") && line.matches('"').count() == 2;
        let edge = line.contains(" -->|\"") && line.matches('"').count() == 2;
        if !(node || edge) {
            return Err(format!("a Mermaid line left its label: {line}"));
        }
    }
    Ok(())
}

#[test]
fn the_reviews_example_name_stays_text_in_every_format() {
    check(EVIL).unwrap();
    let r = render(EVIL).expect("rendered");
    assert!(!r.markdown.contains("<img"), "{}", r.markdown);
    assert!(r.markdown.contains(r"&lt;img src\=x onerror\=alert\(1\)&gt; \*Evil\* s\.r\.o\."), "{}", r.markdown);
    assert!(r.html.contains("&lt;img src=x onerror=alert(1)&gt; *Evil* s.r.o."), "{}", r.html);
    assert!(!r.mermaid.contains("<img"), "{}", r.mermaid);
}

fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<img src=x onerror=alert(1)>",
        "<script>",
        "</p>",
        "<!--",
        "&amp;",
        "&#60;",
        "*",
        "_",
        "**",
        "`",
        "```",
        "|",
        "[x](javascript:alert(1))",
        "![i](x)",
        "<http://x>",
        "\n- ",
        "\n# ",
        "\n> ",
        "\n1. ",
        "\n+ ",
        "\n    ",
        "\r\n",
        "\r",
        "\u{2028}",
        "\u{2029}",
        "\u{202E}",
        "\u{2066}",
        "=",
        "+",
        "-",
        "@",
        "\t",
        ";",
        ",",
        "\\",
        "\"",
        "'",
        "]",
        ")",
        "-->",
        "%%",
        "#quot;",
        "#35;",
        "\n---\n",
        "\n===",
        "ACME",
        " ",
        "s.r.o.",
    ]);
    prop::collection::vec(pieces, 1..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::common::cases(64)))]

    #[test]
    fn a_hostile_legal_name_stays_in_its_field_in_every_format(name in hostile()) {
        prop_assert!(check(&name).is_ok(), "{:?}: {:?}", name, check(&name));
    }
}
