//! Rule text written as Markdown (descriptions, false positives, extension fields) rendered to HTML
//! safely: raw HTML in the rule is shown as text, links and images become links only for http and
//! https URLs (images are never loaded: the site makes no request at view time), and everything
//! else is escaped by pulldown-cmark's HTML writer.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use super::html::web_url;

/// A block of Markdown (paragraphs, lists, code) as HTML.
pub fn block(text: &str) -> String {
    render(text)
}

/// One line of Markdown (a list item, a false positive) as HTML without the paragraph around it.
pub fn inline(text: &str) -> String {
    let html = render(text);
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

fn render(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    html::push_html(
        &mut out,
        safe_events(Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH)),
    );
    out
}

/// The parser's events with raw HTML turned into text and unsafe links and every image dropped
/// (their text stays).
fn safe_events<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    // Links cannot nest in CommonMark, but images can sit inside links: one flag per open tag.
    let mut kept: Vec<bool> = Vec::new();
    events.filter_map(move |e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = web_url(&dest_url).is_some();
            kept.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => kept.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::InlineMath(m) | Event::DisplayMath(m) => Some(Event::Text(m)),
        Event::FootnoteReference(f) => Some(Event::Text(CowStr::from(format!("[^{f}]")))),
        other => Some(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let out = block("<script>alert(1)</script>\n\nhi <b onclick=x>there</b>");
        assert!(!out.contains("<script") && !out.contains("<b "), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
    }

    #[test]
    fn only_web_links_survive() {
        let out = block("[a](javascript:alert(1)) [b](https://example.com/x) <javascript:y> ![i](https://e.com/p.png)");
        assert!(
            !out.contains("javascript:alert") || !out.contains("href=\"javascript"),
            "{out}"
        );
        assert!(!out.contains("href=\"javascript"), "{out}");
        assert!(out.contains("<a href=\"https://example.com/x\">b</a>"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(out.starts_with("<p>a <a href"), "the link text stays: {out}");
        assert!(
            out.contains(" javascript:y i</p>"),
            "an unsafe autolink and an image are their text: {out}"
        );
    }

    #[test]
    fn unbalanced_markdown_stays_well_formed() {
        let out = inline("**bold _mixed` [open(");
        assert_eq!(
            out.matches("<strong>").count(),
            out.matches("</strong>").count(),
            "{out}"
        );
        assert!(out.contains("[open("), "{out}");
        assert_eq!(inline("plain *em*"), "plain <em>em</em>");
    }
}
