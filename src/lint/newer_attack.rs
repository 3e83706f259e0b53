//! Q516: ATT&CK technique ids from a release newer than the embedded table (`attack.t1685`).
//!
//! They cannot be checked, only noted, and a catalog that follows SigmaHQ tags them in many rules:
//! one notice per technique for the whole catalog (its sub-techniques included), at its first tag,
//! with every other tag as a related location, says it once.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::summary::{DocSummary, Text};
use crate::codes;
use crate::data::attack::{VERSION, attack};
use crate::diag::{Diagnostic, Span};
use crate::model::Parsed;

/// One tag of a newer technique: the full id, its file and its span.
struct Use {
    id: String,
    path: Arc<Path>,
    span: Span,
}

pub fn check(docs: &[DocSummary]) -> Vec<Diagnostic> {
    let mut by_technique: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for d in docs {
        for tag in &d.newer_techniques {
            let id = &*tag.text;
            let base = id.split('.').next().unwrap_or(id).to_string();
            by_technique.entry(base).or_default().push(Use {
                id: id.to_string(),
                path: d.path.clone(),
                span: tag.span,
            });
        }
    }
    by_technique
        .into_iter()
        .map(|(base, uses)| report(&base, uses))
        .collect()
}

/// A document's tags of techniques newer than the table (the technique id, at the tag).
pub fn newer_tags(p: &Parsed<'_>) -> Vec<Text> {
    p.meta
        .tags
        .iter()
        .filter_map(|node| {
            let id = node.scalar_text().and_then(newer_technique)?;
            Some(Text {
                text: id.into(),
                span: node.span,
            })
        })
        .collect()
}

/// The technique id of an `attack.` tag from a release newer than the table.
fn newer_technique(tag: &str) -> Option<&str> {
    let id = tag.strip_prefix("attack.")?;
    attack().is_newer_technique(id).then_some(id)
}

fn report(base: &str, mut uses: Vec<Use>) -> Diagnostic {
    uses.sort_by(|a, b| (&a.path, a.span.start.byte).cmp(&(&b.path, b.span.start.byte)));
    let mut ids: Vec<&str> = uses.iter().map(|u| u.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    let tagged = match uses.len() {
        1 => String::new(),
        n => format!(" (tagged {n} times: {})", ids.join(", ")),
    };
    let mut d = Diagnostic::at(
        &codes::NEWER_TACTIC,
        &uses[0].path,
        uses[0].span,
        format!("technique `{base}` is newer than the embedded ATT&CK {VERSION} table{tagged}"),
    )
    .help(format!(
        "accepted unchecked: ATT&CK {VERSION} numbers its techniques up to T{}",
        attack().highest_technique()
    ));
    for u in &uses[1..] {
        d = d.related(&u.path, Some(u.span), format!("`{}` tagged here", u.id));
    }
    d
}
