//! Helpers shared by the tests that read the shared corpora (`../shared` beside the repository, or
//! `$DETC_SHARED`). Those tests are skipped, with a message, when the corpora are absent (a clone of
//! the repository alone); CI has them.
#![allow(dead_code)] // each test file uses a part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared folder, or `None` (and a message on stderr) when it has no corpus.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("DETC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("corpus").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} has no corpus (set DETC_SHARED)", dir.display());
        None
    }
}

/// A corpus folder (`auth0/detections`, `sigmahq-sample`), absolute.
pub fn corpus(shared: &Path, name: &str) -> PathBuf {
    shared.join("corpus").join(name).canonicalize().unwrap()
}

/// Runs detc in an empty folder, so no `detc.yaml` of ours applies to the corpus.
pub fn detc(args: &[&str]) -> Output {
    let cwd = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(cwd.path())
        .args(args)
        .output()
        .expect("detc runs")
}

/// The JSON Lines of stdout.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A minimal valid rule over Auth0 logs with its own title and id.
pub fn rule(title: &str, id: &str) -> String {
    format!(
        "title: {title}\nid: {id}\nlevel: low\nlogsource: {{product: auth0}}\ndetection: {{sel: {{data.type: s}}, condition: sel}}\n"
    )
}

/// A project folder with `rules/` and a `detc.yaml` naming it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        std::fs::write(dir.path().join("detc.yaml"), "catalog: rules\n").unwrap();
        Project { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn add_rule(&self, name: &str, title: &str, id: &str) {
        std::fs::write(self.root().join("rules").join(name), rule(title, id)).unwrap();
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_detc"));
        c.current_dir(self.root()).args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("detc runs")
    }
}

/// Run git in `dir` with a fixed identity (tests must not depend on the user's git config).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.email=detc@example.com",
            "-c",
            "user.name=detc",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Project {
    /// Make the project a git repository with everything committed.
    pub fn commit_all(&self, message: &str) {
        if !self.root().join(".git").exists() {
            git(self.root(), &["init", "-q", "-b", "main"]);
        }
        git(self.root(), &["add", "-A"]);
        git(self.root(), &["commit", "-qm", message]);
    }
}

/// Whether this run rewrites golden files (`DETC_UPDATE_GOLDEN=1`) instead of comparing with them.
pub fn update_golden() -> bool {
    std::env::var_os("DETC_UPDATE_GOLDEN").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Compare the golden file at `path` (shown as `name`) with what the code produces now: the unified
/// diff, empty when they agree. With [`update_golden`], the file is rewritten instead.
pub fn golden_drift(path: &Path, name: &str, fresh: &str) -> String {
    if update_golden() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        eprintln!("golden: wrote {}", path.display());
        return String::new();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed == fresh {
        return String::new();
    }
    similar::TextDiff::from_lines(&committed, fresh)
        .unified_diff()
        .header(name, &format!("{name} (fresh)"))
        .to_string()
}
