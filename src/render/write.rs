//! Writing artifacts to a folder, or comparing them with what is there (`build --check`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use similar::TextDiff;

pub use super::outdir::{MANIFEST, WriteError, Written};
use super::outdir::{read_manifest, write_out};

/// Write every file under `out` as detc's complete output there: see [`super::outdir`].
pub fn write(out: &Path, files: &BTreeMap<PathBuf, String>, force: bool) -> Result<Written, WriteError> {
    write_out(out, files, force)
}

/// Unified diffs between what is in `out` and `files` (empty when identical). The manifest is not an
/// artifact; when there is one, files it does not list are not detc's and are not compared. Symbolic
/// links are reported, never followed.
pub fn check(out: &Path, files: &BTreeMap<PathBuf, String>) -> String {
    // Without a trailing `/`, which would make the link checks look through a link named `--out`.
    let out: PathBuf = out.components().collect();
    let out = out.as_path();
    let mut diffs = String::new();
    let manifest = read_manifest(&out.join(MANIFEST)).ok();
    let on_disk = existing(out);
    let ours = |rel: &Path| match &manifest {
        Some(m) => rel.to_str().is_some_and(|s| m.contains(&s.replace('\\', "/"))),
        None => rel.as_os_str() != MANIFEST,
    };
    for rel in on_disk.iter().filter(|p| !files.contains_key(*p) && ours(p)) {
        diffs.push_str(&format!(
            "--- {}\n+++ /dev/null\n(file no longer produced)\n",
            out.join(rel).display()
        ));
    }
    for (rel, text) in files {
        let path = out.join(rel);
        if crosses_link(out, rel) {
            diffs.push_str(&format!(
                "--- {}\n+++ {}\n(a symbolic link where detc writes a file; not followed)\n",
                path.display(),
                path.display()
            ));
            continue;
        }
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != *text {
            diffs.push_str(&unified(&path.display().to_string(), &old, text));
        }
    }
    diffs
}

/// Is `out` or any entry on the way from it to `out/rel` a symbolic link?
fn crosses_link(out: &Path, rel: &Path) -> bool {
    let mut path = out.to_path_buf();
    let is_link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    if is_link(&path) {
        return true;
    }
    rel.components().any(|c| {
        path.push(c);
        is_link(&path)
    })
}

/// A unified diff of two texts with 3 lines of context.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Relative paths of the entries under `dir` that are not folders, sorted; links are not followed.
fn existing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return out;
    }
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}
