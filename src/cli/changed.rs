//! `check --changed-since REV`: which findings concern the change under review. The whole catalog
//! is still loaded and checked (references, duplicates and correlations resolve against all of
//! it); only the report is narrowed to files changed since REV.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::catalog::{Catalog, SidecarLayout};
use crate::diag::Diagnostic;

pub struct ChangedScope {
    /// Canonical paths of changed rule files, with their test sidecars.
    files: HashSet<PathBuf>,
    /// detc.yaml itself changed: variables, tests and settings can change any finding.
    everything: bool,
    /// How many catalog files changed (for the summary line).
    pub changed_rules: usize,
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

impl ChangedScope {
    /// The scope of a change: `changed` are the files git reports (canonical). A rule file and its
    /// sidecars go together, since a test edit changes what is reported about the rule (T701) and a
    /// rule edit can orphan a sidecar test (T703).
    pub fn new(
        changed: HashSet<PathBuf>,
        catalog: &Catalog,
        sidecars: &SidecarLayout,
        config: Option<&Path>,
    ) -> ChangedScope {
        let mut files = HashSet::new();
        let mut changed_rules = 0;
        for file in &catalog.files {
            let mut group = vec![canonical(&file.path)];
            group.extend(sidecars.sidecars_of(&file.path).iter().map(|p| canonical(p)));
            if group.iter().any(|p| changed.contains(p)) {
                changed_rules += 1;
                files.extend(group);
            }
        }
        // Findings can also be about files that are not rules (a sidecar without a rule).
        files.extend(changed.iter().cloned());
        ChangedScope {
            files,
            everything: config.is_some_and(|c| changed.contains(&canonical(c))),
            changed_rules,
        }
    }

    pub fn everything(&self) -> bool {
        self.everything
    }

    /// Keep findings located in the change, or pointing into it (a duplicate id's other place).
    pub fn retain(&self, diags: &mut Vec<Diagnostic>) {
        if self.everything {
            return;
        }
        let mut seen: HashMap<PathBuf, bool> = HashMap::new();
        let mut inside = |p: &Path| {
            *seen
                .entry(p.to_path_buf())
                .or_insert_with(|| self.files.contains(&canonical(p)))
        };
        diags.retain(|d| inside(&d.path) || d.related.iter().any(|r| inside(&r.path)));
    }
}
