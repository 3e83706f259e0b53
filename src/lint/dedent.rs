//! C214: a detection item indented at the level of `detection:` instead of under its selection.
//!
//! ```yaml
//! detection:
//!   selection:
//!     data.description: Update
//!   data.type: sapi          # meant to be under `selection`
//!   condition: selection
//! ```
//! YAML reads `data.type` as a search identifier of its own; the condition never names it, so the
//! query silently loses a condition. A key no condition could name (a field path with `.` or a
//! `|modifier`), or an unused identifier holding one value, right after a selection mapping is
//! such an item.

use foldhash::HashSet;

use crate::model::detection::{Detection, Search, SearchBody};

/// A search identifier that is a detection item out of place, and the selection it follows.
pub struct Dedented<'d, 'a> {
    pub item: &'d Search<'a>,
    pub selection: &'d Search<'a>,
}

/// The dedented items of `det`. `used` holds the identifiers the conditions reference.
pub fn find<'d, 'a>(det: &'d Detection<'a>, used: &HashSet<&str>) -> Vec<Dedented<'d, 'a>> {
    let condition_at = det.condition_key.map(|k| k.span.start.byte);
    let mut out = Vec::new();
    let mut selection: Option<&Search<'a>> = None;
    for s in &det.searches {
        // `condition:` between two identifiers ends the run of items that could belong to the first.
        if let (Some(sel), Some(c)) = (selection, condition_at)
            && sel.key.span.start.byte < c
            && c < s.key.span.start.byte
        {
            selection = None;
        }
        match selection {
            Some(sel) if looks_like_item(s, used) => out.push(Dedented {
                item: s,
                selection: sel,
            }),
            _ => selection = matches!(s.body, SearchBody::Map(_)).then_some(s),
        }
    }
    out
}

/// A key only a detection item has (`a.b`, `f|contains`: no condition can name them), or an unused
/// identifier with a single value, which a selection would have as `field: value`.
fn looks_like_item(s: &Search<'_>, used: &HashSet<&str>) -> bool {
    let field_like = s.name.contains('.') || s.name.contains('|');
    let single_value = matches!(s.body, SearchBody::Keyword(_)) && !used.contains(s.name);
    field_like || single_value
}
