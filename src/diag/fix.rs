//! Automatic fixes: text edits on a file's original bytes, attached to the finding they repair.
//!
//! Edits work on the YAML *text*, not a re-serialised tree, so comments, key order and quoting stay as
//! written. A fix carries every edit it needs (a wildcard fix renames the key and edits each value);
//! applying takes fixes back to front and skips one that overlaps a fix already taken.

use std::collections::HashMap;
use std::ops::Range;

use super::Span;

/// Replace the bytes of `span` (empty for an insertion) with `text`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn range(&self) -> Range<usize> {
        self.span.byte_range()
    }
}

/// A repair of one finding: what it does, in words, and its edits (all in the finding's file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| (e.span.start.byte, e.span.end.byte));
        Fix {
            title: title.into(),
            edits,
        }
    }

    /// The bytes the fix touches, first to last edit.
    fn extent(&self) -> Range<usize> {
        let start = self.edits.iter().map(|e| e.span.start.at()).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.span.end.at()).max().unwrap_or(0);
        start..end
    }
}

/// The outcome of applying fixes to one text.
#[derive(Debug)]
pub struct Applied {
    pub text: String,
    /// For each fix given, whether its edits are in `text` (a fix identical to one applied counts as
    /// applied: the findings of one list share their fix).
    pub applied: Vec<bool>,
}

/// Apply `fixes` to `text`. Fixes are taken by position, last first, each only when the bytes it spans
/// (first to last edit) are clear of every fix taken so far; the others wait for a later pass, which
/// sees the text with these applied. A fix that falls outside the text or off a character boundary is
/// never taken. Linear in the number of fixes: taken extents are disjoint and come in falling order,
/// so only the last one taken can overlap the next.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((fixes[i].extent().start, fixes[i].extent().end)));
    let mut first_of: HashMap<&Fix, usize> = HashMap::new();
    let mut taken: Vec<usize> = Vec::new();
    let mut applied = vec![false; fixes.len()];
    for i in order {
        let fix = fixes[i];
        if let Some(&same) = first_of.get(fix) {
            applied[i] = applied[same];
            continue;
        }
        first_of.insert(fix, i);
        let extent = fix.extent();
        let clear = taken.last().is_none_or(|&t| {
            let last = fixes[t].extent();
            extent.end <= last.start && extent.start != last.start
        });
        if clear && valid(text, fix) {
            taken.push(i);
            applied[i] = true;
        }
    }
    let mut out = text.to_string();
    // `taken` runs last to first, and each fix's edits are sorted: apply them in reverse too.
    for &t in &taken {
        for e in fixes[t].edits.iter().rev() {
            out.replace_range(e.range(), &e.text);
        }
    }
    Applied { text: out, applied }
}

/// Every edit lies in the text on character boundaries, and the fix's own edits do not overlap.
fn valid(text: &str, fix: &Fix) -> bool {
    let in_text = |r: Range<usize>| {
        r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    fix.edits.iter().all(|e| in_text(e.range()))
        && fix
            .edits
            .windows(2)
            .all(|w| w[0].span.end.byte <= w[1].span.start.byte && w[0].range() != w[1].range())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        let pos = |byte| Pos::new(byte, 1, byte + 1);
        Edit {
            span: Span::new(pos(start), pos(end)),
            text: text.into(),
        }
    }

    #[test]
    fn edits_apply_back_to_front_so_earlier_offsets_stay_valid() {
        let a = Fix::new("a", vec![edit(0, 1, "AAA")]);
        let b = Fix::new("b", vec![edit(4, 5, "E"), edit(2, 2, "+")]);
        let out = apply_fixes("abcde", &[&a, &b]);
        assert_eq!(out.text, "AAAb+cdE");
        assert_eq!(out.applied, vec![true, true]);
    }

    #[test]
    fn an_overlapping_fix_is_skipped_and_an_identical_one_counts_as_applied() {
        let a = Fix::new("a", vec![edit(1, 3, "X")]);
        let b = Fix::new("b", vec![edit(2, 4, "Y")]);
        let a2 = a.clone();
        let out = apply_fixes("abcde", &[&a, &b, &a2]);
        // The later fix is taken first; `a` overlaps it and waits, and so does its twin.
        assert_eq!(out.text, "abYe");
        assert_eq!(out.applied, vec![false, true, false]);
        let out = apply_fixes("abcde", &[&a, &a2]);
        assert_eq!((out.text.as_str(), out.applied), ("aXde", vec![true, true]));
    }

    #[test]
    fn two_insertions_at_one_place_are_not_both_taken() {
        let a = Fix::new("a", vec![edit(2, 2, "1")]);
        let b = Fix::new("b", vec![edit(2, 2, "2")]);
        let out = apply_fixes("abcd", &[&a, &b]);
        assert_eq!(out.applied.iter().filter(|x| **x).count(), 1);
    }

    #[test]
    fn an_edit_past_the_end_or_inside_a_character_is_not_applied() {
        let past = Fix::new("past", vec![edit(3, 9, "x")]);
        let inside = Fix::new("inside", vec![edit(1, 2, "x")]);
        let out = apply_fixes("é", &[&past, &inside]);
        assert_eq!(out.text, "é");
        assert_eq!(out.applied, vec![false, false]);
    }
}
