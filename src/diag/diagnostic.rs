use std::path::Path;
use std::sync::Arc;

use super::{Code, Fix, Severity, Span, path_key};

/// A secondary location that helps explain a finding (the other definition of a duplicate, say).
#[derive(Debug, Clone)]
pub struct Related {
    pub path: Arc<Path>,
    pub span: Option<Span>,
    pub message: String,
}

/// One finding, with everything an emitter needs to print it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    pub path: Arc<Path>,
    /// `None` when the finding is about the file as a whole (unreadable, empty).
    pub span: Option<Span>,
    /// Short text printed under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// An automatic repair (`detc check --fix`), when the defect is mechanical.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, path: &Arc<Path>, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            path: path.clone(),
            span,
            label: None,
            help: None,
            related: Vec::new(),
            fix: None,
        }
    }

    pub fn at(code: &'static Code, path: &Arc<Path>, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, path, Some(span), message)
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// `help` unless the finding already has one.
    pub fn help_or(mut self, help: impl Into<String>) -> Self {
        if self.help.is_none() {
            self.help = Some(help.into());
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn related(mut self, path: &Arc<Path>, span: Option<Span>, message: impl Into<String>) -> Self {
        self.related.push(Related {
            path: path.clone(),
            span,
            message: message.into(),
        });
        self
    }

    /// The order findings are printed in: by file, then position, then code.
    pub fn sort_key(&self) -> (&Path, u32, u32, &'static str, &str) {
        let (line, col) = self.span.map_or((0, 0), |s| (s.start.line, s.start.col));
        (&self.path, line, col, self.code.code, &self.message)
    }
}

/// Sort findings deterministically and drop exact repeats.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    // Paths compare component by component, which dominated sorting thousands of findings: rank
    // the distinct paths once, by keys in the same order (`path_key`), and sort by rank (the same
    // order as [`Diagnostic::sort_key`]).
    let mut paths: Vec<&Arc<Path>> = diags.iter().map(|d| &d.path).collect();
    paths.sort_unstable_by_key(|p| Arc::as_ptr(p) as *const u8 as usize);
    paths.dedup_by(|a, b| Arc::ptr_eq(a, b));
    let mut keyed: Vec<(Vec<u8>, usize)> = paths
        .iter()
        .map(|p| (path_key(p), Arc::as_ptr(p) as *const u8 as usize))
        .collect();
    keyed.sort_unstable();
    let mut rank: foldhash::HashMap<usize, usize> = foldhash::HashMapExt::with_capacity(keyed.len());
    let mut current = 0;
    for (i, (key, ptr)) in keyed.iter().enumerate() {
        if i > 0 && keyed[i - 1].0 != *key {
            current = i;
        }
        rank.insert(*ptr, current);
    }
    let keys: Vec<(usize, u32, u32, &'static str)> = diags
        .iter()
        .map(|d| {
            let (line, col) = d.span.map_or((0, 0), |s| (s.start.line, s.start.col));
            (
                rank[&(Arc::as_ptr(&d.path) as *const u8 as usize)],
                line,
                col,
                d.code.code,
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..diags.len()).collect();
    order.sort_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then_with(|| diags[a].message.cmp(&diags[b].message))
    });
    // Moved in place: a sorted copy of every finding was the peak of checking a large catalog.
    permute(diags, order);
    diags.dedup_by(|a, b| same_finding(a, b));
}

/// `a.sort_key() == b.sort_key()`, with the paths (compared component by component) last.
fn same_finding(a: &Diagnostic, b: &Diagnostic) -> bool {
    let ((path_a, line_a, col_a, code_a, text_a), (path_b, line_b, col_b, code_b, text_b)) =
        (a.sort_key(), b.sort_key());
    (line_a, col_a, code_a, text_a) == (line_b, col_b, code_b, text_b)
        && (Arc::ptr_eq(&a.path, &b.path) || path_a == path_b)
}

/// Reorder `items` so that the item at `i` is the one that was at `order[i]`, following cycles.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;

    /// Ranking paths orders findings exactly as comparing their sort keys does, including paths
    /// whose bytes and components order differently (`a-b` and `a/b`) and equal paths held apart.
    #[test]
    fn sorting_by_path_rank_is_sorting_by_key() {
        let paths: Vec<Arc<Path>> = ["a/b.yml", "a-b.yml", "a/b.yml", "a.yml", "a-b.yml"]
            .iter()
            .map(|p| Arc::from(Path::new(p)))
            .collect();
        let mut diags = Vec::new();
        for (i, path) in paths.iter().enumerate() {
            for line in [3, 1] {
                let at = Pos { byte: 0, line, col: 1 };
                let d = Diagnostic::new(
                    &crate::codes::UNREADABLE,
                    path,
                    Some(Span::point(at)),
                    format!("m{}", i % 2),
                );
                diags.push(d);
            }
        }
        let mut expected = diags.clone();
        expected.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        expected.dedup_by(|a, b| a.sort_key() == b.sort_key());
        sort_diagnostics(&mut diags);
        let show = |d: &[Diagnostic]| d.iter().map(|d| format!("{:?}", d.sort_key())).collect::<Vec<_>>();
        assert_eq!(show(&diags), show(&expected));
        assert_eq!(diags.len(), 8, "the repeated a/b.yml findings are dropped");
    }
}
