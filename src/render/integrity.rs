//! Which documents a build may deploy. A document with an error diagnostic is broken: by default
//! the build fails; with `exclude_broken` it is left out and listed. Leaving a document out must not
//! change what another one means, so exclusion spreads: a correlation over an excluded rule, and every
//! rule an excluded filter applies to, are excluded too.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::diag::emit::display_path;
use crate::diag::{Diagnostic, Severity};
use crate::ir::filter_applies;
use crate::model::doc_key::{DocKey, DocMap};
use crate::model::index::{Resolution, RuleIndex};
use crate::model::{Body, Parsed};

pub fn key_of(p: &Parsed<'_>) -> DocKey {
    DocKey::of(p)
}

/// Why documents (and files without a usable document) cannot be deployed.
#[derive(Debug, Default)]
pub struct Broken {
    /// Documents with the reasons they are broken (error messages, or the excluded document they
    /// depend on).
    pub documents: DocMap<Vec<String>>,
    /// The error diagnostics attributed to each broken document itself (none for a document excluded
    /// only because of what it depends on).
    pub errors: DocMap<Vec<Diagnostic>>,
    /// Files with errors that belong to no loaded document (unreadable, not YAML, …).
    pub files: BTreeMap<Arc<Path>, Vec<String>>,
}

impl Broken {
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty() && self.files.is_empty()
    }

    fn attribute(&mut self, key: DocKey, d: &Diagnostic) {
        self.documents.entry(key.clone()).or_default().push(reason(d));
        self.errors.entry(key).or_default().push(d.clone());
    }

    pub fn contains(&self, key: &DocKey) -> bool {
        self.documents.contains_key(key)
    }
}

fn reason(d: &Diagnostic) -> String {
    match d.span {
        Some(s) => format!("{} {} (line {}:{})", d.code.code, d.message, s.start.line, s.start.col),
        None => format!("{} {}", d.code.code, d.message),
    }
}

/// Attribute each error to the document whose span holds it (a file-level error to every document of
/// the file), then spread exclusion to dependent documents.
pub fn find_broken(parsed: &[Parsed<'_>], errors: &[Diagnostic]) -> Broken {
    let mut broken = Broken::default();
    let mut by_file: HashMap<&Path, Vec<&Parsed<'_>>> = HashMap::new();
    for p in parsed {
        by_file.entry(p.doc.path().as_ref()).or_default().push(p);
    }
    for d in errors.iter().filter(|d| d.severity == Severity::Error) {
        let in_file: &[&Parsed<'_>] = by_file.get(d.path.as_ref()).map_or(&[], Vec::as_slice);
        let holder = d.span.and_then(|s| {
            in_file
                .iter()
                .find(|p| p.doc.span.start.byte <= s.start.byte && s.start.byte <= p.doc.span.end.byte)
        });
        match holder {
            Some(p) => broken.attribute(key_of(p), d),
            None if in_file.is_empty() => broken.files.entry(d.path.clone()).or_default().push(reason(d)),
            None => {
                for p in in_file.iter().copied() {
                    broken.attribute(key_of(p), d);
                }
            }
        }
    }
    spread(parsed, &mut broken);
    broken
}

/// Exclude what depends on an excluded document, until nothing changes.
fn spread(parsed: &[Parsed<'_>], broken: &mut Broken) {
    let index = RuleIndex::new(parsed);
    loop {
        // The broken filters, gathered once per round: a rule is checked against these only.
        let filters: Vec<&Parsed<'_>> = parsed
            .iter()
            .filter(|f| matches!(f.body, Body::Filter { .. }) && broken.contains(&key_of(f)))
            .collect();
        let mut added = Vec::new();
        for p in parsed.iter().filter(|p| !broken.contains(&key_of(p))) {
            if let Some(why) = depends_on_excluded(p, &filters, &index, broken) {
                added.push((key_of(p), why));
            }
        }
        if added.is_empty() {
            return;
        }
        for (k, why) in added {
            broken.documents.entry(k).or_default().push(why);
        }
    }
}

fn depends_on_excluded(
    p: &Parsed<'_>,
    broken_filters: &[&Parsed<'_>],
    index: &RuleIndex<'_, '_>,
    broken: &Broken,
) -> Option<String> {
    match &p.body {
        Body::Correlation(c) => {
            c.rules
                .iter()
                .filter_map(|r| r.scalar_text())
                .find_map(|name| match index.resolve(name, p.doc.path()) {
                    Resolution::Found(base) if broken.contains(&key_of(base)) => {
                        Some(if base.doc.path() == p.doc.path() {
                            format!(
                                "correlates `{name}` (document {} of this file), which is broken",
                                base.doc.index
                            )
                        } else {
                            format!(
                                "correlates `{name}` ({}), which is broken",
                                display_path(base.doc.path())
                            )
                        })
                    }
                    _ => None,
                })
        }
        Body::Rule(_) => broken_filters.iter().find_map(|f| match &f.body {
            Body::Filter { rules, .. } if filter_applies(f, *rules, p) => Some(format!(
                "the filter `{}` ({}) that applies to it is broken",
                f.doc.title().unwrap_or("untitled"),
                display_path(f.doc.path())
            )),
            _ => None,
        }),
        Body::Filter { .. } => None,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::catalog::Catalog;
    use crate::check::check_catalog;

    fn broken_titles(yaml: &str) -> Vec<String> {
        let catalog = Catalog::from_sources(&[("c.yml", yaml)]);
        let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
        let diags = check_catalog(&catalog, &crate::config::LintOptions::default());
        let broken = find_broken(&parsed, &diags);
        parsed
            .iter()
            .filter(|p| broken.contains(&key_of(p)))
            .map(|p| p.doc.title().unwrap_or("").to_string())
            .collect()
    }

    const RULE: &str = "logsource: {product: auth0}\nlevel: high\nid: ";

    #[test]
    fn an_error_excludes_its_document_and_what_depends_on_it() {
        let yaml = format!(
            "title: ok\n{RULE}11111111-1111-4111-8111-111111111111\ndetection: {{sel: {{a: 1}}, condition: sel}}\n---\n\
             title: bad\nname: bad_rule\n{RULE}22222222-2222-4222-8222-222222222222\ndetection: {{sel: {{a: 1}}, condition: nope}}\n---\n\
             title: corr\nid: 33333333-3333-4333-8333-333333333333\nlevel: high\ncorrelation: {{type: event_count, rules: [bad_rule], group-by: [a], timespan: 5m, condition: {{gte: 3}}}}\n"
        );
        assert_eq!(broken_titles(&yaml), ["bad", "corr"]);
    }
}
