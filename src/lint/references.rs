//! R4xx: references between documents: correlation and filter `rules`, ids, names, titles.
//!
//! Names are scoped per file first (DESIGN §4): a correlation's `rules: [selected_events]` means the
//! `selected_events` of its own file when there is one, else the only one in the catalog.

use crate::codes;
use foldhash::{HashMap, HashMapExt};
use std::path::Path;
use std::sync::Arc;

use super::summary::{DocSummary, Text};
use super::{DiagExt, Sink};
use crate::catalog::yaml::Node;
use crate::diag::{Code, Diagnostic};
use crate::model::index::{Index, Resolved};
use crate::model::{Body, Parsed};

/// Every reference resolved, and every id, title, name and file name compared, across the catalog.
pub fn check(docs: &[DocSummary]) -> Vec<Diagnostic> {
    let index = Index::new(docs);
    let mut out = Vec::new();
    for d in docs {
        for r in &d.references {
            check_reference(&index, d, r, &mut out);
        }
    }
    duplicates(docs, &mut out);
    duplicate_filenames(docs, &mut out);
    out
}

/// The findings about one document's own references: a correlation's aliases.
pub fn check_document(sink: &mut Sink<'_, '_>) {
    if let Body::Correlation(c) = &sink.doc.body {
        check_aliases(sink.doc, c, &mut sink.out);
    }
}

fn duplicate_filenames(docs: &[DocSummary], out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&std::ffi::OsStr, Vec<&Arc<Path>>> = HashMap::new();
    for d in docs.iter().filter(|d| d.index == 0) {
        if let Some(name) = d.path.file_name() {
            by_name.entry(name).or_default().push(&d.path);
        }
    }
    for paths in by_name.values_mut() {
        // A file has one first document; the same path twice is a file given twice. Dedup keeps the
        // first occurrence in catalog order (a `contains` per file was quadratic in copies of a name).
        let mut seen = foldhash::HashSet::default();
        paths.retain(|p| seen.insert(*p));
    }
    for paths in by_name.values().filter(|p| p.len() > 1) {
        for path in &paths[1..] {
            out.push(
                Diagnostic::new(
                    &codes::DUPLICATE_FILENAME,
                    path,
                    None,
                    "another rule file has the same name",
                )
                .related(paths[0], None, "same name here")
                .help("rename one of the files"),
            );
        }
    }
}

fn check_reference(index: &Index<'_, DocSummary>, d: &DocSummary, r: &Text, out: &mut Vec<Diagnostic>) {
    let reference = &*r.text;
    let path = &d.path;
    match index.resolve(reference, path) {
        Resolved::Found(_) => {}
        Resolved::Missing => {
            let mut d = Diagnostic::at(
                &codes::UNKNOWN_REFERENCE,
                path,
                r.span,
                format!("no rule has the id or name `{reference}`"),
            );
            d.with_label("unresolved reference");
            d.with_help("check the spelling, or pass the file that defines it to detc");
            out.push(d);
        }
        Resolved::Ambiguous(candidates) => {
            let mut d = Diagnostic::at(
                &codes::AMBIGUOUS_REFERENCE,
                path,
                r.span,
                format!(
                    "`{reference}` is not defined in this file and {} other files define it",
                    candidates.len()
                ),
            )
            .help("reference the rule by its `id`");
            for c in candidates {
                let span = c.name.as_ref().map(|n| n.span);
                d = d.related(&c.path, span, "defined here");
            }
            out.push(d);
        }
    }
}

fn check_aliases(p: &Parsed<'_>, c: &crate::model::correlation::Correlation<'_>, out: &mut Vec<Diagnostic>) {
    let Some(aliases) = c.aliases.and_then(Node::as_map) else {
        return;
    };
    let rules: Vec<&str> = c.rules.iter().filter_map(|r| r.scalar_text()).collect();
    let grouped: Vec<&str> = c.group_by.iter().filter_map(|g| g.scalar_text()).collect();
    for alias in aliases {
        let Some(name) = alias.key.scalar_text() else {
            continue;
        };
        let Some(mapping) = alias.value.as_map() else {
            continue;
        };
        let mapped: Vec<&str> = mapping.iter().filter_map(|e| e.key.scalar_text()).collect();
        for e in mapping {
            let Some(rule) = e.key.scalar_text() else {
                continue;
            };
            if !rules.contains(&rule) {
                let mut d = Diagnostic::at(
                    &codes::ALIAS_UNKNOWN_RULE,
                    p.doc.path(),
                    e.key.span,
                    format!("alias `{name}` maps `{rule}`, which is not in `rules`"),
                );
                d.with_help(format!("the correlation's rules are: {}", rules.join(", ")));
                out.push(d);
            }
        }
        if grouped.contains(&name) {
            for rule in rules.iter().filter(|r| !mapped.contains(r)) {
                let mut d = Diagnostic::at(
                    &codes::ALIAS_UNKNOWN_RULE,
                    p.doc.path(),
                    alias.key.span,
                    format!("alias `{name}` is grouped on but gives no field for rule `{rule}`"),
                );
                d.with_help(format!("add `{rule}: <field>` under `{name}`"));
                out.push(d);
            }
        }
    }
}

type Place = (Arc<Path>, crate::diag::Span);

fn duplicates(docs: &[DocSummary], out: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, Vec<Place>> = HashMap::new();
    let mut titles: HashMap<&str, Vec<Place>> = HashMap::new();
    let mut names: HashMap<&str, Vec<Place>> = HashMap::new();
    for d in docs {
        for (text, seen) in [(&d.id, &mut ids), (&d.title, &mut titles), (&d.name, &mut names)] {
            if let Some(t) = text {
                seen.entry(&t.text).or_default().push((d.path.clone(), t.span));
            }
        }
    }
    for (id, places) in &ids {
        report_repeats(out, &codes::DUPLICATE_ID, places, |_| {
            format!("id `{id}` is used by {} documents", places.len())
        });
    }
    for (title, places) in &titles {
        report_repeats(out, &codes::DUPLICATE_TITLE, places, |_| {
            format!("title `{title}` is used by {} documents", places.len())
        });
    }
    for (name, places) in &names {
        let mut files: Vec<&Arc<Path>> = places.iter().map(|(p, _)| p).collect();
        files.sort();
        files.dedup();
        // Same name twice in one file is an error; across files a warning (per-file scoping resolves it).
        for f in &files {
            let here: Vec<Place> = places.iter().filter(|(p, _)| p == *f).cloned().collect();
            report_repeats(out, &codes::DUPLICATE_NAME, &here, |_| {
                format!("name `{name}` is defined twice in this file")
            });
        }
        if files.len() > 1 {
            for (path, span) in places {
                let mut d = Diagnostic::at(
                    &codes::REUSED_NAME,
                    path,
                    *span,
                    format!(
                        "rule name `{name}` is also defined in {} other file(s)",
                        files.len() - 1
                    ),
                )
                .help("give each base rule a distinct name: pySigma cannot convert a folder that reuses names");
                for (other, ospan) in places.iter().filter(|(p, _)| p != path).take(3) {
                    d = d.related(other, Some(*ospan), "also defined here");
                }
                out.push(d);
            }
        }
    }
}

fn report_repeats(out: &mut Vec<Diagnostic>, code: &'static Code, places: &[Place], message: impl Fn(usize) -> String) {
    if places.len() < 2 {
        return;
    }
    let (first_path, first_span) = &places[0];
    for (path, span) in &places[1..] {
        out.push(
            Diagnostic::at(code, path, *span, message(places.len()))
                .label("repeated here")
                .related(first_path, Some(*first_span), "first used here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::diag::sort_diagnostics;
    use crate::model::Parsed;

    const BASE: &str =
        "title: Base {n}\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n";
    const CORR: &str = "title: Count {n}\ncorrelation:\n  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n";

    fn codes(files: &[(&str, String)]) -> Vec<(String, &'static str)> {
        let sources: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let catalog = Catalog::from_sources(&sources);
        let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
        let summaries: Vec<_> = parsed.iter().map(crate::lint::summary::DocSummary::of).collect();
        let mut diags = super::check(&summaries);
        sort_diagnostics(&mut diags);
        diags
            .into_iter()
            .filter(|d| d.code.code.starts_with('R'))
            .map(|d| (d.path.to_string_lossy().into_owned(), d.code.code))
            .collect()
    }

    #[test]
    fn names_resolve_in_their_own_file_first() {
        let a = format!("{}---\n{}", BASE.replace("{n}", "a"), CORR.replace("{n}", "a"));
        let b = format!("{}---\n{}", BASE.replace("{n}", "b"), CORR.replace("{n}", "b"));
        let got = codes(&[("a.yml", a), ("b.yml", b)]);
        // Each correlation finds its own base rule; the reuse itself is a warning in both files.
        assert_eq!(got, [("a.yml".to_string(), "R405"), ("b.yml".to_string(), "R405")]);
    }

    #[test]
    fn a_name_defined_only_elsewhere_twice_is_ambiguous() {
        let got = codes(&[
            ("a.yml", BASE.replace("{n}", "a")),
            ("b.yml", BASE.replace("{n}", "b")),
            ("c.yml", CORR.replace("{n}", "c")),
        ]);
        assert!(got.contains(&("c.yml".to_string(), "R402")), "{got:?}");
    }

    #[test]
    fn same_file_name_in_two_folders() {
        let got = codes(&[
            ("x/rule.yml", BASE.replace("{n}", "a")),
            ("y/rule.yml", BASE.replace("{n}", "b").replace("name: base\n", "")),
        ]);
        assert_eq!(got, [("y/rule.yml".to_string(), "R407")]);
    }

    #[test]
    fn a_name_defined_once_elsewhere_resolves() {
        let got = codes(&[("a.yml", BASE.replace("{n}", "a")), ("c.yml", CORR.replace("{n}", "c"))]);
        assert!(got.is_empty(), "{got:?}");
    }
}
