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
use crate::model::index::{Resolution, RuleIndex};
use crate::model::{Body, Parsed};

/// A document by file and 0-based position: the key of the build's maps of documents (placements,
/// notes, broken and consumed documents).
///
/// Equal and hashed by the path's bytes: the catalog names each file by one path, and `Path`'s own
/// hash parses the path into components, which cost a build about 1,600 instructions for each of its
/// 100,000-odd lookups. Ordered as `Path` orders (the order of pages and reports), with the bytes as
/// the tie-break, so that the order agrees with equality.
#[derive(Debug, Clone)]
pub struct DocKey {
    pub path: Arc<Path>,
    pub index: usize,
}

impl DocKey {
    pub fn new(path: &Arc<Path>, index: usize) -> DocKey {
        DocKey {
            path: path.clone(),
            index,
        }
    }

    fn bytes(&self) -> &[u8] {
        self.path.as_os_str().as_encoded_bytes()
    }
}

impl PartialEq for DocKey {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.bytes() == other.bytes()
    }
}

impl Eq for DocKey {}

impl std::hash::Hash for DocKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.bytes());
        state.write_usize(self.index);
    }
}

impl Ord for DocKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&*self.path, self.index)
            .cmp(&(&*other.path, other.index))
            .then_with(|| self.bytes().cmp(other.bytes()))
    }
}

impl PartialOrd for DocKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Maps and sets keyed by document, with a fast hasher (keys are paths of the catalog, not input an
/// attacker picks to collide: a collision costs time, never a wrong answer).
pub type DocMap<V> = std::collections::HashMap<DocKey, V, foldhash::fast::RandomState>;
pub type DocSet = std::collections::HashSet<DocKey, foldhash::fast::RandomState>;

pub fn key_of(p: &Parsed<'_>) -> DocKey {
    DocKey::new(p.doc.path(), p.doc.index)
}

/// Why documents (and files without a usable document) cannot be deployed.
#[derive(Debug, Default)]
pub struct Broken {
    /// Documents with the reasons they are broken (error messages, or the excluded document they
    /// depend on).
    pub documents: BTreeMap<DocKey, Vec<String>>,
    /// The error diagnostics attributed to each broken document itself (none for a document excluded
    /// only because of what it depends on).
    pub errors: BTreeMap<DocKey, Vec<Diagnostic>>,
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
    use std::hash::BuildHasher;

    /// Keys order as their paths do (pages and reports keep their order), equal keys hash alike, and
    /// paths equal by components but not by bytes are two keys, ordered consistently.
    #[test]
    fn document_keys_order_by_path_and_agree_with_equality() {
        let key = |p: &str, i: usize| DocKey::new(&Arc::from(Path::new(p)), i);
        let mut keys = [
            key("rules/a-b.yml", 0),
            key("rules/a/b.yml", 1),
            key("rules/a/b.yml", 0),
            key("rules/a.yml", 2),
        ];
        keys.sort();
        let shown: Vec<(String, usize)> = keys.iter().map(|k| (k.path.display().to_string(), k.index)).collect();
        let mut by_path: Vec<(String, usize)> = shown.clone();
        by_path.sort_by(|a, b| (Path::new(&a.0), a.1).cmp(&(Path::new(&b.0), b.1)));
        assert_eq!(shown, by_path);
        let hasher = foldhash::fast::FixedState::with_seed(7);
        assert_eq!(key("rules/a.yml", 2), key("rules/a.yml", 2));
        assert_eq!(
            hasher.hash_one(key("rules/a.yml", 2)),
            hasher.hash_one(key("rules/a.yml", 2))
        );
        let (plain, doubled) = (key("rules/a.yml", 0), key("rules//a.yml", 0));
        assert_ne!(plain, doubled);
        assert_ne!(plain.cmp(&doubled), std::cmp::Ordering::Equal);
        assert_eq!(plain.cmp(&doubled), doubled.cmp(&plain).reverse());
    }

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
