//! `detc check --fix` and `--diff`: apply the fixes findings carry to the catalog's texts, pass after
//! pass, in memory; `write` puts the results on disk.
//!
//! A pass checks the current texts, applies every selected fix that does not overlap another (see
//! [`apply_fixes`]) and checks again, until a pass fixes nothing or [`MAX_PASSES`] ran: a fix skipped
//! for an overlap gets its turn on the next pass, against the new text. A file with a loading error
//! (YAML syntax, encoding, duplicate keys) is never edited, and a file whose fixed text would load
//! with a new loading error keeps its text.

mod write;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Fix, Severity, apply_fixes};

pub use write::write_in_place;

/// At most this many passes (ruff's loop, with a smaller bound: one pass usually fixes everything).
pub const MAX_PASSES: usize = 5;

/// One file the fixes change.
#[derive(Debug)]
pub struct Change {
    pub path: Arc<Path>,
    pub before: String,
    pub after: String,
    /// Findings of this file whose fix was applied.
    pub fixed: usize,
}

/// What the fixes do to a catalog.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files whose text changes, in path order.
    pub changes: Vec<Change>,
    /// Findings whose fix was applied.
    pub fixed: usize,
}

/// The findings whose fixes to apply, for a catalog: the check as reported, after the user's
/// selection (`--select`, `--ignore`), so a finding that is not shown is not fixed either.
pub type Findings<'f> = &'f dyn Fn(&Catalog) -> Vec<Diagnostic>;

/// Apply the fixes of the `findings` to `catalog`'s texts, in memory.
pub fn fix_catalog(catalog: &Catalog, findings: Findings<'_>) -> Outcome {
    let originals: BTreeMap<Arc<Path>, String> =
        catalog.files.iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let mut texts = originals.clone();
    let mut counts: BTreeMap<Arc<Path>, usize> = BTreeMap::new();
    let mut checked: Option<Catalog> = None;
    for _ in 0..MAX_PASSES {
        let current = checked.as_ref().unwrap_or(catalog);
        if fix_pass(current, findings, &mut texts, &mut counts) == 0 {
            break;
        }
        checked = Some(Catalog::from_texts(
            texts.iter().map(|(p, t)| (p.clone(), t.clone())).collect(),
        ));
    }
    let changes: Vec<Change> = texts
        .into_iter()
        .filter_map(|(path, after)| {
            let before = originals.get(&path)?.clone();
            let fixed = counts.get(&path).copied().unwrap_or(0);
            (before != after).then_some(Change {
                path,
                before,
                after,
                fixed,
            })
        })
        .collect();
    let fixed = changes.iter().map(|c| c.fixed).sum();
    Outcome { changes, fixed }
}

/// One pass over `catalog`: apply per file, update `texts` and the per-file `counts`, return how many
/// findings were fixed.
fn fix_pass(
    catalog: &Catalog,
    findings: Findings<'_>,
    texts: &mut BTreeMap<Arc<Path>, String>,
    counts: &mut BTreeMap<Arc<Path>, usize>,
) -> usize {
    let diags = findings(catalog);
    // Loading errors are the loader's own findings, whatever the user chose to see.
    let broken = broken_files(&catalog.diags);
    let mut by_file: BTreeMap<&Path, Vec<&Fix>> = BTreeMap::new();
    for d in diags.iter().filter(|d| !broken.contains(&*d.path)) {
        if let Some(fix) = &d.fix {
            by_file.entry(&d.path).or_default().push(fix);
        }
    }
    let mut fixed = 0;
    for (path, fixes) in by_file {
        // Not a catalog file (a test sidecar): never written.
        let Some(key) = texts.get_key_value(path).map(|(k, _)| k.clone()) else {
            continue;
        };
        let Some(text) = texts.get_mut(path) else {
            continue;
        };
        let applied = apply_fixes(text, &fixes);
        if loads_cleanly(path, &applied.text) {
            let n = applied.applied.iter().filter(|a| **a).count();
            *counts.entry(key).or_default() += n;
            fixed += n;
            *text = applied.text;
        }
    }
    fixed
}

/// Files with a loading error (E0xx of error severity): their tree may not describe their text.
fn broken_files(diags: &[Diagnostic]) -> HashSet<&Path> {
    diags
        .iter()
        .filter(|d| d.code.code.starts_with('E') && d.code.severity == Severity::Error)
        .map(|d| &*d.path)
        .collect()
}

/// The fixed text loads without a loading error (a safety net: fixes edit only scalars and keys).
fn loads_cleanly(path: &Path, text: &str) -> bool {
    let c = Catalog::from_texts(vec![(Arc::from(path), text.to_string())]);
    broken_files(&c.diags).is_empty()
}

/// A unified diff of one change, with `a/` and `b/` headers naming the file.
pub fn unified_diff(change: &Change) -> String {
    let name = crate::diag::emit::display_path(&change.path);
    // `a//abs/path` would read as a doubled separator; `a/abs/path` is what `git apply -p1` expects.
    let name = name.trim_start_matches('/');
    let mut diff = similar::TextDiff::from_lines(&change.before, &change.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    // After `\ No newline at end of file` the next file's header must start on its own line.
    if !diff.ends_with('\n') {
        diff.push('\n');
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_catalog;
    use crate::config::LintOptions;

    fn all(catalog: &Catalog) -> Vec<Diagnostic> {
        check_catalog(catalog, &LintOptions::default())
    }

    fn count(catalog: &Catalog, code: &str) -> usize {
        check_catalog(catalog, &LintOptions::default())
            .iter()
            .filter(|d| d.code.code == code)
            .count()
    }

    /// Every code's example with a fixable finding: after the fixes, that finding is gone and the
    /// text still loads.
    #[test]
    fn fixing_each_codes_example_removes_its_finding() {
        let mut fixable = Vec::new();
        for code in crate::codes::all().iter().filter(|c| !c.bad.is_empty()) {
            let catalog = Catalog::from_sources(&[("bad.yml", code.bad)]);
            let diags = check_catalog(&catalog, &LintOptions::default());
            if !diags.iter().any(|d| d.code.code == code.code && d.fix.is_some()) {
                continue;
            }
            fixable.push(code.code);
            let outcome = fix_catalog(&catalog, &all);
            let after = &outcome.changes[0].after;
            assert!(loads_cleanly(Path::new("bad.yml"), after), "{}: {after}", code.code);
            let fixed = Catalog::from_sources(&[("bad.yml", after)]);
            assert!(
                count(&fixed, code.code) < count(&catalog, code.code),
                "{}: {after}",
                code.code
            );
        }
        assert_eq!(fixable, ["M318", "Q501", "Q503", "Q511", "Q513"]);
    }

    #[test]
    fn each_files_diff_ends_its_last_line_and_names_an_absolute_path_once() {
        let change = Change {
            path: Arc::from(Path::new("/abs/x.yml")),
            before: "a".into(),
            after: "b".into(),
            fixed: 1,
        };
        let d = unified_diff(&change);
        assert!(d.starts_with("--- a/abs/x.yml\n+++ b/abs/x.yml\n"), "{d}");
        assert!(d.ends_with("\\ No newline at end of file\n"), "{d}");
    }

    /// `titel` is renamed and an `id` is due before the first key, the same place: the id waits for
    /// the second pass, which puts it after the now-known `title`.
    #[test]
    fn a_fix_that_overlaps_another_is_applied_on_the_next_pass() {
        let text = "titel: T\nlevel: low\nlogsource: {product: x}\ndetection: {sel: {a: b}, condition: sel}\n";
        let catalog = Catalog::from_sources(&[("t.yml", text)]);
        let outcome = fix_catalog(&catalog, &all);
        assert_eq!(outcome.fixed, 2);
        let after = &outcome.changes[0].after;
        assert!(after.starts_with("title: T\nid: "), "{after}");
        assert_eq!(after.lines().count(), text.lines().count() + 1, "{after}");
    }

    #[test]
    fn passes_stop_once_nothing_is_left_to_fix() {
        let text =
            "title: T\nlogsource: {product: x}\ndetection:\n  sel:\n    A: '*x*'\n  condition: sel\nlevel: low\n";
        let catalog = Catalog::from_sources(&[("t.yml", text)]);
        let outcome = fix_catalog(&catalog, &all);
        assert_eq!(outcome.fixed, 2, "the id and the wildcard");
        let again = Catalog::from_sources(&[("t.yml", outcome.changes[0].after.as_str())]);
        assert_eq!(fix_catalog(&again, &all).fixed, 0);
    }
}
