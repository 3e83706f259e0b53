//! What the processing items of a pipeline changed in one rule, for `detc convert --explain`: each
//! change once, in the order it happened, with the pipeline and item that made it.

use super::load::ProcessingItem;
use crate::model::item_spec::ItemSpec;

/// One change: which pipeline and processing item (its `id`, or `#N` for the N-th item of its
/// pipeline without one) and what it did, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    pub pipeline: String,
    pub item: String,
    pub change: String,
}

#[derive(Debug, Default)]
pub struct Trace {
    entries: Vec<TraceEntry>,
}

impl Trace {
    /// Record a change; the same change again (a selection used twice in the condition, lowered
    /// twice) is recorded once.
    pub fn push(&mut self, item: &ProcessingItem, change: String) {
        let entry = TraceEntry {
            pipeline: item.pipeline.clone(),
            item: item.id.clone(),
            change,
        };
        if !self.entries.contains(&entry) {
            self.entries.push(entry);
        }
    }

    pub fn entries(&self) -> Vec<TraceEntry> {
        self.entries.clone()
    }
}

/// A detection item as a rule would write it: `Image|endswith: '\cmd.exe'`, values in a list
/// when there are several.
pub fn describe_item(item: &ItemSpec) -> String {
    let mut key = item.field.clone().unwrap_or_else(|| "(keyword)".to_string());
    for m in &item.modifiers {
        key.push('|');
        key.push_str(m.name());
    }
    let values: Vec<String> = item
        .values
        .iter()
        .map(|v| match (&v.raw_query, &v.scalar) {
            (Some(q), _) => format!("<query {q}>"),
            (None, Some(s)) if s.resolved == crate::catalog::yaml::Resolved::Str => format!("{:?}", s.text),
            (None, Some(s)) => s.text.clone(),
            (None, None) => format!("<{}>", v.kind),
        })
        .collect();
    match values.as_slice() {
        [] => format!("{key}: null"),
        [one] => format!("{key}: {one}"),
        many => format!("{key}: [{}]", many.join(", ")),
    }
}
