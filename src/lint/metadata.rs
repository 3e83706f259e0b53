//! Q50x: document metadata: ids, levels, dates, logsource keys, near-miss top-level keys.

use super::detection::edit_distance;
use super::{DiagExt, Sink};
use crate::catalog::DocKind;
use crate::catalog::yaml::Node;
use crate::diag::{Code, Severity};

pub static MISSING_ID: Code = Code {
    code: "Q501",
    name: "missing-id",
    severity: Severity::Warning,
    summary: "a rule or correlation has no `id`",
    doc: "Without a stable UUID, deployed artifacts cannot be tracked across renames, other rules cannot \
          reference this one reliably, and Kibana imports get a made-up rule id. Add `id:` with a fresh \
          UUID v4 (pySigma: `identifier_existence`). Correlation documents need one as much as rules do.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    good: "title: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static MISSING_LEVEL: Code = Code {
    code: "Q502",
    name: "missing-level",
    severity: Severity::Warning,
    summary: "a rule has no `level`",
    doc: "The level drives alert severity in every artifact (Splunk `alert.severity`, Elastic \
          `severity`/`risk_score`). Without it each backend picks its own default. Correlations inherit \
          the level of their base rule, so this is reported for detection rules only.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    good: "title: T\nlevel: medium\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static NEAR_MISS_KEY: Code = Code {
    code: "Q503",
    name: "near-miss-key",
    severity: Severity::Warning,
    summary: "a top-level key that looks like a misspelt Sigma or detc key",
    doc: "Sigma allows custom top-level keys, so a typo such as `false_positive` (for `falsepositives`), \
          `realted` or `reference` is silently kept as a custom field and the real field stays empty. A key \
          within two edits of a known key, or a known singular/plural slip, is reported.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nfalse_positive: [Admins]\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nfalsepositives: [Admins]\n",
};

pub static BAD_DATE: Code = Code {
    code: "Q504",
    name: "invalid-date",
    severity: Severity::Warning,
    summary: "`date`/`modified` is not a real calendar date, or `modified` is before `date`",
    doc: "Dates are `YYYY-MM-DD`. A day that does not exist (`2025-02-30`) or a `modified` earlier than \
          `date` is a typo that breaks sorting and review.",
    bad: "title: T\ndate: 2025-03-10\nmodified: 2025-02-01\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    good: "title: T\ndate: 2025-02-01\nmodified: 2025-03-10\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static LOGSOURCE_KEY: Code = Code {
    code: "Q505",
    name: "unknown-logsource-key",
    severity: Severity::Warning,
    summary: "a `logsource` key other than category, product, service, definition",
    doc: "Custom logsource keys are kept but no pipeline or backend reads them (pySigma: \
          `fieldname_logsource`); usually a typo such as `categroy`.",
    bad: "title: T\nlogsource: {produkt: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static DUPLICATE_REFERENCE: Code = Code {
    code: "Q506",
    name: "duplicate-reference",
    severity: Severity::Warning,
    summary: "the same URL twice in `references`",
    doc: "A repeated reference adds nothing and often hides a second source that was meant to be \
          linked instead (pySigma: `duplicate_references`).",
    bad: "title: T\nreferences: [https://a.example, https://a.example]\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    good: "title: T\nreferences: [https://a.example]\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static CODES: &[&Code] = &[
    &MISSING_ID,
    &MISSING_LEVEL,
    &NEAR_MISS_KEY,
    &BAD_DATE,
    &LOGSOURCE_KEY,
    &DUPLICATE_REFERENCE,
];

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
        sink.report(&MISSING_ID, head, format!("{what} has no `id`"))
            .with_help("add `id:` with a fresh UUID (e.g. from `uuidgen`)");
    }
    if doc.kind == DocKind::Rule && meta.level.is_none() {
        let head = sink.doc_head();
        sink.report(&MISSING_LEVEL, head, "rule has no `level`")
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
            KNOWN_KEYS
                .iter()
                .copied()
                .filter(|k| k.len() >= 4)
                .map(|k| (edit_distance(&key.to_lowercase(), k), k))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, k)| k)
        });
        if let Some(k) = near {
            sink.at_node(
                &NEAR_MISS_KEY,
                &e.key,
                format!("`{key}` is not a Sigma key; did you mean `{k}`?"),
            )
            .with_label("kept as a custom field: the real field stays empty")
            .with_help(format!("rename it to `{k}`"));
        }
    }
}

fn parse_date(node: &Node) -> Option<(i32, u32, u32)> {
    let t = node.scalar_text()?;
    let mut parts = t.splitn(3, ['-', '/']);
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    Some((y, m, d))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn check_dates(sink: &mut Sink<'_, '_>) {
    let (date, modified) = (sink.doc.meta.date, sink.doc.meta.modified);
    for node in [date, modified].into_iter().flatten() {
        if let Some((y, m, d)) = parse_date(node)
            && (d == 0 || d > days_in_month(y, m))
        {
            sink.at_node(
                &BAD_DATE,
                node,
                format!("`{}` is not a calendar date", node.scalar_text().unwrap_or("")),
            );
        }
    }
    if let (Some(d), Some(m)) = (date, modified)
        && let (Some(dv), Some(mv)) = (parse_date(d), parse_date(m))
        && mv < dv
    {
        sink.at_node(&BAD_DATE, m, "`modified` is earlier than `date`")
            .with_help("swap them, or fix the year");
    }
}

fn check_logsource(sink: &mut Sink<'_, '_>) {
    let Some(entries) = sink.doc.meta.logsource.and_then(Node::as_map) else {
        return;
    };
    for e in entries {
        let Some(k) = e.key.scalar_text() else {
            continue;
        };
        if !["category", "product", "service", "definition"].contains(&k) {
            sink.at_node(&LOGSOURCE_KEY, &e.key, format!("`{k}` is not a logsource key"))
                .with_help("logsource keys are category, product, service and definition");
        }
    }
}

fn check_references(sink: &mut Sink<'_, '_>) {
    let refs = sink.doc.meta.references.clone();
    let mut seen = std::collections::HashSet::new();
    for r in refs {
        if let Some(t) = r.scalar_text()
            && !seen.insert(t)
        {
            sink.at_node(&DUPLICATE_REFERENCE, r, format!("`{t}` is listed twice"));
        }
    }
}
