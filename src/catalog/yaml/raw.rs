//! Where a scalar's value sits in the file text, for fixes that edit the text in place.

use std::ops::Range;

use super::node::{Node, Style, Value};
use crate::catalog::SourceFile;
use crate::diag::Edit;

/// The bytes of `text` that hold the scalar `node`'s value exactly as it reads: the whole plain scalar
/// or the inside of its quotes, on one line. `None` when the written form differs from the value
/// (escapes, doubled quotes, folded lines, block scalars): a byte edit there could change more than meant.
pub fn scalar_content(text: &str, node: &Node) -> Option<Range<usize>> {
    let Value::Scalar(s) = &node.value else {
        return None;
    };
    let start = node.span.start.at();
    let quote = match s.style {
        Style::Plain => None,
        Style::SingleQuoted => Some('\''),
        Style::DoubleQuoted => Some('"'),
        Style::Block => return None,
    };
    let open = usize::from(quote.is_some());
    let range = start + open..start + open + s.text.len();
    let quoted_at = |at: usize| quote.is_none_or(|q| text.get(at..).is_some_and(|t| t.starts_with(q)));
    let exact = text.get(range.clone()) == Some(s.text.as_str()) && !s.text.contains('\n');
    (quoted_at(start) && quoted_at(range.end) && exact).then_some(range)
}

/// Whether `new` can stand in the place of a scalar of `style` and read as exactly `new`.
fn fits_style(style: Style, new: &str) -> bool {
    if new.is_empty() || new.contains(['\n', '\r']) {
        return style != Style::Plain && !new.contains(['\n', '\r']);
    }
    match style {
        Style::SingleQuoted => !new.contains('\''),
        Style::DoubleQuoted => !new.contains(['"', '\\']),
        Style::Plain => {
            let first = new.chars().next().unwrap_or(' ');
            !"-?:,[]{}#&*!|>'\"%@` \t".contains(first)
                && !new.contains(": ")
                && !new.contains(" #")
                && !new.ends_with([' ', '\t', ':'])
        }
        Style::Block => false,
    }
}

/// An edit that gives the scalar `node` the value `new`, keeping its quoting; `None` when the scalar's
/// text cannot be edited in place or `new` cannot be written in its style.
pub fn replace_scalar(file: &SourceFile, node: &Node, new: &str) -> Option<Edit> {
    let style = node.as_scalar()?.style;
    let range = scalar_content(&file.text, node)?;
    fits_style(style, new).then(|| Edit {
        span: file.span_of_bytes(range),
        text: new.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn value_of<'c>(c: &'c Catalog, key: &str) -> &'c Node {
        c.documents[0].root.get(key).unwrap()
    }

    #[test]
    fn content_is_inside_the_quotes_and_excludes_a_trailing_comment() {
        let text = "a: plain words # c\nb: 'single'   # c\nc: \"double\"\n";
        let c = Catalog::from_sources(&[("t.yml", text)]);
        for (key, want) in [("a", "plain words"), ("b", "single"), ("c", "double")] {
            let r = scalar_content(text, value_of(&c, key)).unwrap();
            assert_eq!(&text[r], want);
        }
    }

    #[test]
    fn escapes_folds_and_blocks_are_not_edited_in_place() {
        let text = "a: 'it''s'\nb: \"t\\tab\"\nc: |\n  block\nd: folded\n  plain\n";
        let c = Catalog::from_sources(&[("t.yml", text)]);
        for key in ["a", "b", "c", "d"] {
            assert_eq!(scalar_content(text, value_of(&c, key)), None, "{key}");
        }
    }

    #[test]
    fn a_replacement_keeps_the_quoting_or_is_refused() {
        let text = "a: 'x'\nb: x\n";
        let c = Catalog::from_sources(&[("t.yml", text)]);
        let file = &c.files[0];
        let e = replace_scalar(file, value_of(&c, "a"), "y z").unwrap();
        assert_eq!((e.span.start.col, e.text.as_str()), (5, "y z"));
        assert!(replace_scalar(file, value_of(&c, "a"), "it's").is_none());
        assert!(replace_scalar(file, value_of(&c, "b"), "*y").is_none());
        assert!(replace_scalar(file, value_of(&c, "b"), "k: v").is_none());
    }
}
