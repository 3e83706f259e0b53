//! Writing artifacts to a folder, or comparing them with what is there (`build --check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// Write every file under `out`, removing files there that the build no longer produces.
pub fn write(out: &Path, files: &BTreeMap<PathBuf, String>) -> std::io::Result<()> {
    for stale in existing(out).into_iter().filter(|p| !files.contains_key(p)) {
        std::fs::remove_file(out.join(stale))?;
    }
    for (rel, text) in files {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Leave unchanged files untouched (their timestamps stay, and writes stay cheap).
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)?;
        }
    }
    Ok(())
}

/// Unified diffs between what is in `out` and `files` (empty when identical).
pub fn check(out: &Path, files: &BTreeMap<PathBuf, String>) -> String {
    let mut diffs = String::new();
    let on_disk = existing(out);
    for rel in on_disk.iter().filter(|p| !files.contains_key(*p)) {
        diffs.push_str(&format!(
            "--- {}\n+++ /dev/null\n(file no longer produced)\n",
            out.join(rel).display()
        ));
    }
    for (rel, text) in files {
        let old = std::fs::read_to_string(out.join(rel)).unwrap_or_default();
        if old != *text {
            diffs.push_str(&unified(&out.join(rel).display().to_string(), &old, text));
        }
    }
    diffs
}

/// A unified diff of two texts with 3 lines of context.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Relative paths of the files under `dir`, sorted.
fn existing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}
