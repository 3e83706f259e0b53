//! R4xx: references between documents: correlation and filter `rules`, ids, names, titles.
//!
//! Names are scoped per file first (DESIGN §4): a correlation's `rules: [selected_events]` means the
//! `selected_events` of its own file when there is one, else the only one in the catalog.

use crate::codes;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::DiagExt;
use crate::catalog::yaml::Node;
use crate::diag::{Code, Diagnostic};
use crate::model::index::{Resolution, RuleIndex};
use crate::model::{Body, Parsed};

pub fn check(parsed: &[Parsed<'_>]) -> Vec<Diagnostic> {
    let index = RuleIndex::new(parsed);
    let mut out = Vec::new();
    for p in parsed {
        for r in references_of(p) {
            check_reference(&index, p, r, &mut out);
        }
        if let Body::Correlation(c) = &p.body {
            check_aliases(p, c, &mut out);
        }
    }
    duplicates(parsed, &mut out);
    duplicate_filenames(parsed, &mut out);
    out
}

fn duplicate_filenames(parsed: &[Parsed<'_>], out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&std::ffi::OsStr, Vec<&Arc<Path>>> = HashMap::new();
    for p in parsed.iter().filter(|p| p.doc.index == 0) {
        if let Some(name) = p.doc.path().file_name() {
            let paths = by_name.entry(name).or_default();
            if !paths.contains(&p.doc.path()) {
                paths.push(p.doc.path());
            }
        }
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

fn references_of<'a>(p: &Parsed<'a>) -> Vec<&'a Node> {
    match &p.body {
        Body::Correlation(c) => c.rules.clone(),
        Body::Filter { rules: Some(r), .. } => match r.as_seq() {
            Some(items) => items.iter().collect(),
            None if r.scalar_text() == Some("any") => Vec::new(),
            None => vec![r],
        },
        _ => Vec::new(),
    }
}

fn check_reference(index: &RuleIndex<'_, '_>, p: &Parsed<'_>, r: &Node, out: &mut Vec<Diagnostic>) {
    let Some(reference) = r.scalar_text() else {
        return;
    };
    let path = p.doc.path();
    match index.resolve(reference, path) {
        Resolution::Found(_) => {}
        Resolution::Missing => {
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
        Resolution::Ambiguous(candidates) => {
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
                let span = c.meta.name.map(|n| n.span);
                d = d.related(c.doc.path(), span, "defined here");
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

fn duplicates(parsed: &[Parsed<'_>], out: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&str, Vec<Place>> = HashMap::new();
    let mut titles: HashMap<&str, Vec<Place>> = HashMap::new();
    let mut names: HashMap<&str, Vec<Place>> = HashMap::new();
    for p in parsed {
        let path = p.doc.path().clone();
        for (node, seen) in [
            (p.meta.id, &mut ids),
            (p.meta.title, &mut titles),
            (p.meta.name, &mut names),
        ] {
            if let Some((text, span)) = node.and_then(|n| Some((n.scalar_text()?, n.span))) {
                seen.entry(text).or_default().push((path.clone(), span));
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
        let mut diags = super::check(&parsed);
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
