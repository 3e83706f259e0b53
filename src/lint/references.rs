//! R4xx: references between documents: correlation and filter `rules`, ids, names, titles.
//!
//! Names are scoped per file first (DESIGN §4): a correlation's `rules: [selected_events]` means the
//! `selected_events` of its own file when there is one, else the only one in the catalog.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::DiagExt;
use crate::catalog::yaml::Node;
use crate::diag::{Code, Diagnostic, Severity};
use crate::model::{Body, Parsed};

pub static UNKNOWN_REFERENCE: Code = Code {
    code: "R401",
    name: "unknown-rule-reference",
    severity: Severity::Error,
    summary: "a correlation or filter refers to a rule id or name that no loaded document has",
    doc: "Entries of a correlation's or filter's `rules` are rule ids or names. One that matches no \
          document in the checked paths leaves the correlation without input (pySigma fails the whole \
          conversion). Check the spelling, or include the file that defines it.",
    bad: "title: Base\nname: failed_logins\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
    good: "title: Base\nname: failed_logins\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [failed_logins]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
};

pub static AMBIGUOUS_REFERENCE: Code = Code {
    code: "R402",
    name: "ambiguous-rule-reference",
    severity: Severity::Error,
    summary: "a rule name referenced from a file that does not define it matches several documents",
    doc: "A name is looked up in the referring file first, then catalog-wide. When the referring file does \
          not define it and several other files do, the reference is ambiguous; every candidate is listed. \
          Reference the rule by `id` instead.",
    bad: "",
    good: "",
};

pub static DUPLICATE_ID: Code = Code {
    code: "R403",
    name: "duplicate-id",
    severity: Severity::Error,
    summary: "two documents share an `id`",
    doc: "Ids identify rules in references, deployed artifacts and history; each must be unique \
          (pySigma: `identifier_uniqueness`).",
    bad: "title: A\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    good: "title: A\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nid: 6e3d8f2b-4c5a-4d7e-9fa0-1b2c3d4e5f60\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
};

pub static DUPLICATE_TITLE: Code = Code {
    code: "R404",
    name: "duplicate-title",
    severity: Severity::Warning,
    summary: "two documents share a `title`",
    doc: "Titles name saved searches and Kibana rules; duplicates collide in Splunk stanza names and confuse \
          reviewers (pySigma: `duplicate_title`).",
    bad: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    good: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
};

pub static REUSED_NAME: Code = Code {
    code: "R405",
    name: "reused-rule-name",
    severity: Severity::Warning,
    summary: "a rule `name` is defined in several files",
    doc: "detc resolves names per file first, so each file's correlation finds its own base rule. But the \
          Sigma specification wants names unique, and pySigma, which resolves names over the whole \
          collection, fails to convert such a folder ('Conversion result not available'). Give each base \
          rule a distinct name.",
    bad: "",
    good: "",
};

pub static DUPLICATE_NAME: Code = Code {
    code: "R406",
    name: "duplicate-name-in-file",
    severity: Severity::Error,
    summary: "two documents of one file share a `name`",
    doc: "Within a file a name must identify one document, or a reference to it cannot be resolved.",
    bad: "title: A\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    good: "title: A\nname: base_s\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nname: base_f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
};

pub static DUPLICATE_FILENAME: Code = Code {
    code: "R407",
    name: "duplicate-filename",
    severity: Severity::Warning,
    summary: "two rule files in different folders share a file name",
    doc: "Several tools (and reviewers) identify rules by file name; two files with the same name in \
          different folders collide when a catalog is flattened or published (pySigma: `duplicate_filename`).",
    bad: "",
    good: "",
};

pub static ALIAS_UNKNOWN_RULE: Code = Code {
    code: "R408",
    name: "alias-unknown-rule",
    severity: Severity::Error,
    summary: "a correlation alias maps a rule that is not in the correlation's `rules`",
    doc: "`aliases: {ip: {rule_a: src_ip, rule_b: client.ip}}` names, for each referenced rule, the field \
          that plays the alias's part. A rule named there but missing from `rules` is a typo; a rule of \
          `rules` missing from an alias used in `group-by` leaves that rule without a group value.",
    bad: "title: A\nname: rule_a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: rule_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: T\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  aliases:\n    ip: {rule_a: data.ip, rule_c: data.ip}\n  group-by: [ip]\n  timespan: 1h\n",
    good: "title: A\nname: rule_a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: rule_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: T\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  aliases:\n    ip: {rule_a: data.ip, rule_b: data.ip}\n  group-by: [ip]\n  timespan: 1h\n",
};

pub static CODES: &[&Code] = &[
    &ALIAS_UNKNOWN_RULE,
    &DUPLICATE_FILENAME,
    &UNKNOWN_REFERENCE,
    &AMBIGUOUS_REFERENCE,
    &DUPLICATE_ID,
    &DUPLICATE_TITLE,
    &REUSED_NAME,
    &DUPLICATE_NAME,
];

/// What a reference resolved to.
pub enum Resolution<'p, 'a> {
    Found(&'p Parsed<'a>),
    Missing,
    Ambiguous(Vec<&'p Parsed<'a>>),
}

/// Index of the catalog's documents by id and by name.
pub struct RuleIndex<'p, 'a> {
    by_id: HashMap<&'a str, Vec<&'p Parsed<'a>>>,
    by_name: HashMap<&'a str, Vec<&'p Parsed<'a>>>,
}

impl<'p, 'a> RuleIndex<'p, 'a> {
    pub fn new(parsed: &'p [Parsed<'a>]) -> Self {
        let mut by_id: HashMap<&str, Vec<&Parsed>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<&Parsed>> = HashMap::new();
        for p in parsed {
            if let Some(id) = p.meta.id_str() {
                by_id.entry(id).or_default().push(p);
            }
            if let Some(name) = p.meta.name_str() {
                by_name.entry(name).or_default().push(p);
            }
        }
        RuleIndex { by_id, by_name }
    }

    /// Resolve `reference` as written in a document of file `from`.
    pub fn resolve(&self, reference: &str, from: &Path) -> Resolution<'p, 'a> {
        if let Some(found) = self.by_id.get(reference) {
            return Resolution::Found(found[0]);
        }
        let Some(named) = self.by_name.get(reference) else {
            return Resolution::Missing;
        };
        if let Some(local) = named.iter().find(|p| &**p.doc.path() == from) {
            return Resolution::Found(local);
        }
        match named.as_slice() {
            [one] => Resolution::Found(one),
            many => Resolution::Ambiguous(many.to_vec()),
        }
    }
}

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
                Diagnostic::new(&DUPLICATE_FILENAME, path, None, "another rule file has the same name")
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
                &UNKNOWN_REFERENCE,
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
                &AMBIGUOUS_REFERENCE,
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
                    &ALIAS_UNKNOWN_RULE,
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
                    &ALIAS_UNKNOWN_RULE,
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
        report_repeats(out, &DUPLICATE_ID, places, |_| {
            format!("id `{id}` is used by {} documents", places.len())
        });
    }
    for (title, places) in &titles {
        report_repeats(out, &DUPLICATE_TITLE, places, |_| {
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
            report_repeats(out, &DUPLICATE_NAME, &here, |_| {
                format!("name `{name}` is defined twice in this file")
            });
        }
        if files.len() > 1 {
            for (path, span) in places {
                let mut d = Diagnostic::at(
                    &REUSED_NAME,
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
    use crate::check::check_catalog;

    const BASE: &str =
        "title: Base {n}\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n";
    const CORR: &str = "title: Count {n}\ncorrelation:\n  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n";

    fn codes(files: &[(&str, String)]) -> Vec<(String, &'static str)> {
        let sources: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let catalog = Catalog::from_sources(&sources);
        check_catalog(&catalog, &crate::lint::Options::default())
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
