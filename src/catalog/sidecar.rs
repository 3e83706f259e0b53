//! Where a rule file's detection-test sidecar lives. Beside the rule (`rule.tests.yml`), and, with
//! `tests_dir:` in detc.yaml, in a folder that mirrors the rules tree
//! (`<tests_dir>/<rule path relative to its catalog root, without extension>.tests.yml`), so a rules
//! folder can hold only Sigma files and stay readable by sigma-cli.

use std::path::{Path, PathBuf};

const EXTENSIONS: [&str; 2] = ["tests.yml", "tests.yaml"];

/// How sidecars are found for one run.
#[derive(Debug, Default, Clone)]
pub struct SidecarLayout {
    /// The mirrored tests folder (already relative to the working directory), when configured.
    pub tests_dir: Option<PathBuf>,
    /// Catalog roots the mirrored paths are relative to, the configured catalog first.
    pub roots: Vec<PathBuf>,
    /// Report sidecars in `tests_dir` that mirror no rule file; only meaningful when the whole
    /// configured catalog is loaded (a run over one folder would call every other test an orphan).
    pub report_orphans: bool,
}

impl SidecarLayout {
    /// Every existing sidecar of `rule`: the mirrored one first, then the one beside it.
    pub fn sidecars_of(&self, rule: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = self.mirrored(rule).into_iter().filter(|p| p.is_file()).collect();
        found.extend(beside(rule));
        found
    }

    /// `<tests_dir>/<relative stem>.tests.yml`, or the `.tests.yaml` spelling when only that exists.
    pub fn mirrored(&self, rule: &Path) -> Option<PathBuf> {
        let dir = self.tests_dir.as_ref()?;
        let relative = self.relative(rule)?;
        let stem = relative.with_extension("");
        let candidates: Vec<PathBuf> = EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{}.{ext}", stem.display())))
            .collect();
        Some(
            candidates
                .iter()
                .find(|p| p.is_file())
                .unwrap_or(&candidates[0])
                .clone(),
        )
    }

    /// `rule` relative to the first root that holds it (a root that is the rule file itself gives its name).
    fn relative(&self, rule: &Path) -> Option<PathBuf> {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let rule_c = canonical(rule);
        self.roots.iter().find_map(|root| {
            if root.is_file() {
                return (canonical(root) == rule_c).then(|| rule.file_name().map(PathBuf::from))?;
            }
            rule.strip_prefix(root)
                .ok()
                .map(Path::to_path_buf)
                .or_else(|| rule_c.strip_prefix(canonical(root)).ok().map(Path::to_path_buf))
        })
    }

    /// Sidecars under `tests_dir` that no rule of `rules` maps to (renamed or deleted rules).
    pub fn orphans<'r>(&self, rules: impl Iterator<Item = &'r Path>) -> Vec<PathBuf> {
        let Some(dir) = self.tests_dir.as_ref().filter(|_| self.report_orphans) else {
            return Vec::new();
        };
        let claimed: std::collections::HashSet<PathBuf> = rules.filter_map(|r| self.mirrored(r)).collect();
        let mut found = Vec::new();
        sidecars_under(dir, 0, &mut found);
        found.retain(|p| !claimed.contains(p));
        found
    }
}

/// `rule.tests.yml` or `rule.tests.yaml` beside `rule`.
fn beside(rule: &Path) -> Option<PathBuf> {
    let stem = rule.file_stem()?.to_str()?;
    EXTENSIONS
        .iter()
        .map(|ext| rule.with_file_name(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

/// Sidecar files under `dir`, sorted; links are not followed (the folder is ours to read, not a
/// way out of it), and nesting stops at a depth no rules tree reaches.
fn sidecars_under(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    const MAX_DEPTH: usize = 32;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<(PathBuf, std::fs::FileType)> = entries
        .flatten()
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in paths {
        if kind.is_dir() && depth < MAX_DEPTH {
            sidecars_under(&path, depth + 1, found);
        } else if kind.is_file() && super::walk::is_test_sidecar(&path) {
            found.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(root: &Path) -> SidecarLayout {
        SidecarLayout {
            tests_dir: Some(root.join("tests")),
            roots: vec![root.join("rules")],
            report_orphans: true,
        }
    }

    #[test]
    fn mirrored_sidecars_follow_the_rules_tree_and_beside_ones_still_count() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("rules/auth")).unwrap();
        std::fs::create_dir_all(root.join("tests/auth")).unwrap();
        std::fs::write(root.join("rules/auth/a.yml"), "").unwrap();
        std::fs::write(root.join("rules/auth/a.tests.yml"), "").unwrap();
        std::fs::write(root.join("tests/auth/a.tests.yml"), "").unwrap();
        std::fs::write(root.join("tests/gone.tests.yaml"), "").unwrap();
        let l = layout(root);
        assert_eq!(
            l.sidecars_of(&root.join("rules/auth/a.yml")),
            [root.join("tests/auth/a.tests.yml"), root.join("rules/auth/a.tests.yml")]
        );
        let rule = root.join("rules/auth/a.yml");
        assert_eq!(
            l.orphans([rule.as_path()].into_iter()),
            [root.join("tests/gone.tests.yaml")]
        );
    }

    #[test]
    fn without_tests_dir_only_the_beside_sidecar_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yml"), "").unwrap();
        std::fs::write(dir.path().join("a.tests.yaml"), "").unwrap();
        let l = SidecarLayout::default();
        assert_eq!(
            l.sidecars_of(&dir.path().join("a.yml")),
            [dir.path().join("a.tests.yaml")]
        );
        assert!(l.orphans(std::iter::empty()).is_empty());
    }
}
