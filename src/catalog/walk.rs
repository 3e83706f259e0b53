//! Finding the catalog's files: folders are walked honouring `.gitignore`; files named explicitly are
//! always taken. Detection-test sidecars (`<stem>.tests.yml`) are not rules and are skipped.

use crate::codes;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diag::{Diagnostic, path_key};

/// Files to load, in a stable order, and the problems met while walking.
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub diags: Vec<Diagnostic>,
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// `rule.tests.yml` holds detection tests for `rule.yml`, not rules.
pub fn is_test_sidecar(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".tests.yml") || n.ends_with(".tests.yaml"))
}

pub fn walk(roots: &[PathBuf]) -> Walked {
    let mut files = Vec::new();
    let diags = walk_each(roots, &mut |p| files.push(p));
    files.sort_by_cached_key(|p| path_key(p));
    Walked { files, diags }
}

/// Walks `roots` and handles each file found, in parallel with the walk (before, the walk, its
/// `.gitignore` matching included, about 6 % of `check`'s instructions, ran first with the other
/// core idle). The results come in path order, as [`walk`] gives the files.
pub fn walk_and<T: Send>(roots: &[PathBuf], handle: impl Fn(&Path) -> T + Sync) -> (Vec<T>, Vec<Diagnostic>) {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    let (mut handled, diags) = std::thread::scope(|scope| {
        let (send, found) = std::sync::mpsc::channel::<PathBuf>();
        let walker = scope.spawn(move || {
            walk_each(roots, &mut |p| {
                // The receiver lives until the walk ends.
                let _ = send.send(p);
            })
        });
        let handled: Vec<(Vec<u8>, T)> = found
            .into_iter()
            .par_bridge()
            .map(|path| (path_key(&path), handle(&path)))
            .collect();
        let diags = walker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (handled, diags)
    });
    handled.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (handled.into_iter().map(|(_, t)| t).collect(), diags)
}

/// Calls `found` with each file to load, once each, in the order the walk meets them; returns the
/// problems met.
fn walk_each(roots: &[PathBuf], found: &mut dyn FnMut(PathBuf)) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // A file reached from two roots is taken once (one root's walk meets each path once).
    let mut taken = std::collections::HashSet::new();
    let several = roots.len() > 1;
    let mut take = |p: PathBuf| {
        if !several || taken.insert(p.clone()) {
            found(p);
        }
    };
    // Links are followed only to files and folders inside one of the roots (as resolved now).
    let inside: Arc<Vec<PathBuf>> = Arc::new(roots.iter().filter_map(|r| r.canonicalize().ok()).collect());
    for root in roots {
        let root_arc: Arc<Path> = Arc::from(root.as_path());
        if root.is_file() {
            take(root.clone());
            continue;
        }
        if !root.exists() {
            diags.push(
                Diagnostic::new(&codes::UNREADABLE, &root_arc, None, "no such file or folder")
                    .help("pass a rule file or a folder of rules"),
            );
            continue;
        }
        let mut files_here = 0;
        let escaped: Arc<Mutex<Vec<(PathBuf, PathBuf)>>> = Arc::default();
        let walker = {
            let (inside, escaped) = (inside.clone(), escaped.clone());
            ignore::WalkBuilder::new(root)
                .follow_links(true)
                .hidden(true)
                .require_git(false)
                // Entries of one folder: their names order them as their paths do, and compare
                // as plain bytes.
                .sort_by_file_name(|a, b| a.cmp(b))
                .filter_entry(move |e| {
                    if e.depth() == 0 || !e.path_is_symlink() {
                        return true;
                    }
                    match e.path().canonicalize() {
                        Ok(to) if !inside.iter().any(|r| to.starts_with(r)) => {
                            if let Ok(mut v) = escaped.lock() {
                                v.push((e.path().to_path_buf(), to));
                            }
                            false
                        }
                        // Inside, or dangling (the walker reports that).
                        _ => true,
                    }
                })
                .build()
        };
        for entry in walker {
            match entry {
                Ok(e) => {
                    let p = e.path();
                    if e.file_type().is_some_and(|t| t.is_file()) && is_yaml(p) && !is_test_sidecar(p) {
                        files_here += 1;
                        take(p.to_path_buf());
                    }
                }
                Err(err) => diags.push(walk_error(&root_arc, err)),
            }
        }
        let escaped = std::mem::take(&mut *escaped.lock().unwrap_or_else(|p| p.into_inner()));
        diags.extend(escaped.into_iter().map(|(link, to)| outside_link(&link, &to)));
        if files_here == 0 {
            diags.push(
                Diagnostic::new(
                    &codes::NO_RULES,
                    &root_arc,
                    None,
                    "folder holds no `.yml` or `.yaml` rule files",
                )
                .help("check the path; files ignored by .gitignore are skipped"),
            );
        }
    }
    diags
}

/// A link in the catalog to a file or folder outside it: reported, and its target never read.
fn outside_link(link: &Path, to: &Path) -> Diagnostic {
    let written = std::fs::read_link(link).unwrap_or_else(|_| to.to_path_buf());
    let path: Arc<Path> = Arc::from(link);
    let resolved = if written == to {
        String::new()
    } else {
        format!(" (resolves to {})", to.display())
    };
    Diagnostic::new(
        &codes::LINK_OUTSIDE_CATALOG,
        &path,
        None,
        format!(
            "symbolic link to {}{resolved} points outside the catalog; it was not read",
            written.display()
        ),
    )
    .help("replace the link with the file itself, or pass the folder it points to as a catalog path")
}

fn walk_error(root: &Arc<Path>, err: ignore::Error) -> Diagnostic {
    let mut path = root.clone();
    let mut loop_ = false;
    let mut cur = &err;
    // Dig the path and the cause out of ignore's nested error type.
    loop {
        match cur {
            ignore::Error::WithPath { path: p, err } => {
                path = Arc::from(p.as_path());
                cur = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => cur = err,
            ignore::Error::Loop { child, .. } => {
                path = Arc::from(child.as_path());
                loop_ = true;
                break;
            }
            _ => break,
        }
    }
    if loop_ {
        Diagnostic::new(&codes::UNREADABLE, &path, None, "symbolic link loop")
            .help("the link points back to one of its own parent folders; it was not followed")
    } else {
        Diagnostic::new(&codes::UNREADABLE, &path, None, format!("cannot read: {cur}"))
    }
}
