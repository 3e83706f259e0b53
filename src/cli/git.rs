//! The git questions PR mode asks (`check --changed-since`, `diff`), answered by running `git`:
//! detc links no git library, and the user's git sees exactly what their CI sees.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run `git args…` in the working directory; stdout, or git's own message as the error.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The root of the repository holding the working directory.
pub fn toplevel() -> Result<PathBuf, String> {
    let out = git(&["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("not inside a git repository ({e}); run detc from the repository's checkout"))?;
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out).trim_end_matches(['\n', '\r']),
    ))
}

/// `rev` names a commit of this repository.
pub fn verify(rev: &str) -> Result<(), String> {
    toplevel()?;
    // `--end-of-options` keeps a revision spelled like an option (`--output=x`) from being one.
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{rev}^{{commit}}"),
    ])
    .map(|_| ())
    .map_err(|_| format!("unknown revision `{rev}`; in CI fetch enough history (actions/checkout `fetch-depth: 0`)"))
}

/// NUL-separated paths relative to `root`, as absolute paths.
fn paths(root: &Path, bytes: &[u8]) -> impl Iterator<Item = PathBuf> {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| root.join(String::from_utf8_lossy(p).as_ref()))
        .collect::<Vec<_>>()
        .into_iter()
}

/// Files that differ between `rev` and the working tree: committed since, staged, unstaged, and
/// untracked files git does not ignore (a new rule not yet added is part of the change a
/// contributor is about to push). Paths are canonical where the file still exists.
pub fn changed_since(rev: &str) -> Result<HashSet<PathBuf>, String> {
    verify(rev)?;
    let root = toplevel()?;
    let tracked = git(&["diff", "--name-only", "--no-renames", "-z", rev, "--"])?;
    let untracked = git(&[
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        "--full-name",
        "--",
        ":/",
    ])?;
    Ok(paths(&root, &tracked)
        .chain(paths(&root, &untracked))
        .map(|p| p.canonicalize().unwrap_or(p))
        .collect())
}

/// The project files at `rev` in a temporary folder (`git archive`).
pub fn checkout(rev: &str) -> Result<tempfile::TempDir, String> {
    verify(rev)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let archive = git(&["archive", "--format=tar", rev])?;
    let mut tar = Command::new("tar")
        .args(["-x", "-C"])
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("tar: {e}"))?;
    use std::io::Write;
    tar.stdin
        .take()
        .expect("piped")
        .write_all(&archive)
        .map_err(|e| e.to_string())?;
    if !tar.wait().map_err(|e| e.to_string())?.success() {
        return Err("tar could not extract the revision".into());
    }
    Ok(dir)
}
