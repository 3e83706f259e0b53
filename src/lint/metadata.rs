//! Q50x: document metadata: ids, levels, dates, logsource keys, near-miss top-level keys.

use super::{DiagExt, Sink};
use crate::catalog::DocKind;
use crate::catalog::yaml::Node;
use crate::codes;
use crate::diag::{closest, edit_distance};
use crate::schema::words::days_in_month;

/// Keys with a meaning in Sigma or detc, for near-miss detection.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "id",
    "name",
    "related",
    "taxonomy",
    "status",
    "description",
    "license",
    "author",
    "references",
    "date",
    "modified",
    "logsource",
    "detection",
    "fields",
    "falsepositives",
    "level",
    "tags",
    "scope",
    "correlation",
    "filter",
    "splunk",
    "tenant_logs",
    "explanation",
    "prevention",
    "comments",
    "tests",
];

/// Misspellings too far (by edit distance) from their key to be caught otherwise.
const KNOWN_SLIPS: &[(&str, &str)] = &[
    ("false_positive", "falsepositives"),
    ("false_positives", "falsepositives"),
    ("false-positives", "falsepositives"),
    ("falsepositive", "falsepositives"),
    ("reference", "references"),
    ("tag", "tags"),
    ("field", "fields"),
    ("comment", "comments"),
    ("test", "tests"),
];

pub fn check(sink: &mut Sink<'_, '_>) {
    let doc = sink.doc.doc;
    let meta = &sink.doc.meta;
    if doc.kind != DocKind::Filter && meta.id.is_none() {
        let head = sink.doc_head();
        let what = if doc.kind == DocKind::Correlation {
            "correlation"
        } else {
            "rule"
        };
        sink.report(&codes::MISSING_ID, head, format!("{what} has no `id`"))
            .with_help("add `id:` with a fresh UUID (e.g. from `uuidgen`)")
            .with_fix(super::fixes::insert_id(doc));
    }
    if doc.kind == DocKind::Rule && meta.level.is_none() {
        let head = sink.doc_head();
        sink.report(&codes::MISSING_LEVEL, head, "rule has no `level`")
            .with_help("add `level:` (informational, low, medium, high or critical)");
    }
    check_near_miss_keys(sink);
    check_dates(sink);
    check_logsource(sink);
    check_references(sink);
}

fn check_near_miss_keys(sink: &mut Sink<'_, '_>) {
    let Some(entries) = sink.doc.doc.root.as_map() else {
        return;
    };
    for e in entries {
        let Some(key) = e.key.scalar_text() else {
            continue;
        };
        if KNOWN_KEYS.contains(&key) {
            continue;
        }
        let slip = KNOWN_SLIPS.iter().find(|(s, _)| *s == key).map(|(_, k)| *k);
        let near = slip.or_else(|| {
            let lower = key.to_lowercase();
            let length = lower.chars().count();
            KNOWN_KEYS
                .iter()
                .copied()
                // The length difference bounds the distance from below.
                .filter(|k| k.len() >= 4 && k.len().abs_diff(length) <= 2)
                .map(|k| (edit_distance(&lower, k), k))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, k)| k)
        });
        if let Some(k) = near {
            let sure = slip.is_some() || super::fixes::one_slip(&key.to_lowercase(), k);
            let fix = sure.then(|| super::fixes::rename_key(sink.doc.doc, e, k)).flatten();
            sink.at_node(
                &codes::NEAR_MISS_KEY,
                &e.key,
                format!("`{key}` is not a Sigma key; did you mean `{k}`?"),
            )
            .with_label("kept as a custom field: the real field stays empty")
            .with_help(format!("rename it to `{k}`"))
            .with_fix(fix);
        }
    }
}

fn parse_date(node: &Node) -> Option<(u32, u32, u32)> {
    let t = node.scalar_text()?;
    let mut parts = t.splitn(3, ['-', '/']);
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    Some((y, m, d))
}

fn check_dates(sink: &mut Sink<'_, '_>) {
    let (date, modified) = (sink.doc.meta.date, sink.doc.meta.modified);
    for node in [date, modified].into_iter().flatten() {
        if let Some((y, m, d)) = parse_date(node)
            && (d == 0 || d > days_in_month(y, m))
        {
            sink.at_node(
                &codes::BAD_DATE,
                node,
                format!("`{}` is not a calendar date", node.scalar_text().unwrap_or("")),
            );
        }
    }
    if let (Some(d), Some(m)) = (date, modified)
        && let (Some(dv), Some(mv)) = (parse_date(d), parse_date(m))
        && mv < dv
    {
        sink.at_node(&codes::BAD_DATE, m, "`modified` is earlier than `date`")
            .with_help("swap them, or fix the year");
    }
}

const LOGSOURCE_KEYS: [&str; 4] = ["category", "product", "service", "definition"];

fn check_logsource(sink: &mut Sink<'_, '_>) {
    let Some(entries) = sink.doc.meta.logsource.and_then(Node::as_map) else {
        return;
    };
    for e in entries {
        let Some(k) = e.key.scalar_text() else {
            continue;
        };
        if !LOGSOURCE_KEYS.contains(&k) {
            let help = match closest(k, LOGSOURCE_KEYS.into_iter()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "logsource keys are category, product, service and definition".into(),
            };
            sink.at_node(&codes::LOGSOURCE_KEY, &e.key, format!("`{k}` is not a logsource key"))
                .with_help(help);
        }
    }
}

fn check_references(sink: &mut Sink<'_, '_>) {
    let refs = sink.doc.meta.references.clone();
    let mut seen = <foldhash::HashSet<_> as foldhash::HashSetExt>::with_capacity(refs.len());
    for r in refs {
        if let Some(t) = r.scalar_text()
            && !seen.insert(t)
        {
            sink.at_node(&codes::DUPLICATE_REFERENCE, r, format!("`{t}` is listed twice"));
        }
    }
}
