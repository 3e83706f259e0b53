//! Inline suppression: `# detc: ignore[C203] reason` on the line of a finding (at its end, or alone
//! on the line directly above it), `# detc: ignore-file[Q5] reason` in the comment block at the top
//! of a file. A code that suppresses nothing is reported (E015) so suppressions do not outlive their
//! finding and hide the next one; a comment addressed to detc that it cannot read is E016.

mod scan;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::catalog::{Catalog, SourceFile};
use crate::codes;
use crate::diag::Diagnostic;
use scan::{Directive, Scope, Selector};

/// Drop the findings a suppression comment names; add the suppression comments' own findings
/// (invalid ones always, unused ones when `report_unused`: only a full check knows every finding).
pub fn apply(diags: Vec<Diagnostic>, catalog: &Catalog, report_unused: bool) -> Vec<Diagnostic> {
    apply_scanned(diags, scan_catalog(catalog), report_unused)
}

/// [`apply`] with the suppressions already scanned (by [`scan_catalog`], one file at a time when the
/// check drops each file's trees as it goes).
pub fn apply_scanned(diags: Vec<Diagnostic>, scanned: Vec<FileSuppressions>, report_unused: bool) -> Vec<Diagnostic> {
    if scanned.is_empty() {
        return diags;
    }
    let files: HashMap<&Path, &FileSuppressions> = scanned.iter().map(|f| (&*f.path, f)).collect();
    let mut used: HashSet<(&Path, usize, usize)> = HashSet::new();
    let mut kept = Vec::with_capacity(diags.len());
    for d in diags {
        let Some((&path, file)) = files.get_key_value(&*d.path) else {
            kept.push(d);
            continue;
        };
        let hits = file.suppressing(&d);
        if hits.is_empty() {
            kept.push(d);
        }
        for (directive, selector) in hits {
            used.insert((path, directive, selector));
        }
    }
    let mut extra = Vec::new();
    for (path, file) in &files {
        extra.extend(file.invalid.iter().cloned());
        if report_unused {
            extra.extend(file.unused(|d, s| used.contains(&(path, d, s))));
        }
    }
    kept.extend(extra);
    kept
}

/// The suppressions of one file.
pub struct FileSuppressions {
    path: Arc<Path>,
    directives: Vec<Directive>,
    invalid: Vec<Diagnostic>,
}

impl FileSuppressions {
    /// The (directive, selector) indexes that suppress `d`.
    fn suppressing(&self, d: &Diagnostic) -> Vec<(usize, usize)> {
        let line = d.span.map(|s| s.start.line as usize);
        let mut hits = Vec::new();
        for (i, dir) in self.directives.iter().enumerate() {
            let applies = match dir.scope {
                Scope::File => true,
                Scope::Line(l) => line == Some(l),
            };
            if !applies {
                continue;
            }
            for (j, s) in dir.selectors.iter().enumerate() {
                if codes::selects(&s.text, d.code) {
                    hits.push((i, j));
                }
            }
        }
        hits
    }

    /// E015 for every selector that `is_used` says suppressed nothing.
    fn unused(&self, is_used: impl Fn(usize, usize) -> bool) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (i, dir) in self.directives.iter().enumerate() {
            for (j, s) in dir.selectors.iter().enumerate() {
                if !is_used(i, j) {
                    out.push(unused(&self.path, dir.scope, s));
                }
            }
        }
        out
    }
}

fn unused(path: &Arc<Path>, scope: Scope, s: &Selector) -> Diagnostic {
    let (message, help) = match scope {
        Scope::File => (
            format!("`{}` in `ignore-file` suppresses nothing: no such finding in this file", s.text),
            "remove it from the comment".to_string(),
        ),
        Scope::Line(line) if line != usize::MAX => (
            format!("`{}` suppresses nothing: no such finding starts on line {line}", s.text),
            "remove it from the comment, or move the comment to the end of the finding's line or alone on the line directly above it".to_string(),
        ),
        Scope::Line(_) => (
            format!("`{}` suppresses nothing: the comment is followed by no line", s.text),
            "remove it, or put it directly above the line of the finding".to_string(),
        ),
    };
    Diagnostic::at(&codes::UNUSED_SUPPRESSION, path, s.span, message)
        .label("unused")
        .help(help)
}

/// Every file of the catalog that has a comment addressed to detc, scanned.
pub fn scan_catalog(catalog: &Catalog) -> Vec<FileSuppressions> {
    let mut out = Vec::new();
    // Most files have no suppression: a plain substring test keeps the check fast.
    for file in catalog.files.iter().filter(|f| f.text.contains("detc:")) {
        let scanned = scan::scan(file, text_ranges_of(catalog, file));
        if scanned.directives.is_empty() && scanned.invalid.is_empty() {
            continue;
        }
        out.push(FileSuppressions {
            path: file.path.clone(),
            directives: scanned.directives,
            invalid: scanned.invalid,
        });
    }
    out
}

/// Byte ranges of the quoted and block scalars of every document of `file`.
fn text_ranges_of(catalog: &Catalog, file: &SourceFile) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    for doc in catalog.documents.iter().filter(|d| std::ptr::eq(&*d.file, file)) {
        scan::text_ranges(&doc.root, &mut ranges);
    }
    ranges
}

#[cfg(test)]
mod tests;
