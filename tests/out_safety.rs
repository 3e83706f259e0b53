//! `--out` belongs to detc: refusal of folders detc did not write, removal of only detc's own files, no
//! writes through symbolic links, all-or-nothing replacement under kills and concurrent builds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MANIFEST: &str = ".detc-manifest.json";

mod common;
use common::{Project, rule, stderr};

/// What only these tests need of a project.
trait SecondCatalog {
    fn config_b(&self) -> PathBuf;
}

impl SecondCatalog for Project {
    /// A second catalog and config, so two builds produce different outputs.
    fn config_b(&self) -> PathBuf {
        std::fs::create_dir_all(self.root().join("rules_b")).unwrap();
        std::fs::write(
            self.root().join("rules_b/b.yml"),
            rule("Other rule", "1f0c3a5e-2b7d-4e8f-9a0b-1c2d3e4f5a6b"),
        )
        .unwrap();
        std::fs::write(
            self.root().join("detc_b.yaml"),
            "catalog: rules_b\ntargets: {splunk: {app: other_app}}\n",
        )
        .unwrap();
        // Relative, like the default config: paths in artifacts are as the config spells them.
        PathBuf::from("detc_b.yaml")
    }
}

/// Every entry under `dir` that is not a folder: relative path → content (links as `-> target`).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", std::fs::read_link(e.path()).unwrap().display()).into_bytes(),
                );
            } else {
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// Names in `dir` that detc uses beside an output folder (lock file, temporary folders).
fn siblings(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".detc-"))
        .collect()
}

#[test]
fn build_out_dot_in_a_git_repository_is_refused_and_touches_nothing() {
    let p = Project::new();
    p.add_rule("r.yml", "A rule", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    std::fs::write(p.root().join("README.md"), "# my repo\n").unwrap();
    let git = Command::new("git").current_dir(p.root()).args(["init", "-q"]).status();
    if !git.is_ok_and(|s| s.success()) {
        std::fs::create_dir_all(p.root().join(".git")).unwrap();
        std::fs::write(p.root().join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    }
    let before = snapshot(p.root());
    let parent = p.root().parent().unwrap();
    let parent_before = siblings(parent);
    for args in [
        &["build", "--out", "."][..],
        &["build", "--out", p.root().to_str().unwrap()][..],
    ] {
        let out = p.run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("is not empty") && err.contains(MANIFEST) && err.contains("--force") && err.contains("help:"),
            "{err}"
        );
        assert!(err.contains(&format!("--out {}", args[2])), "names the folder: {err}");
    }
    assert_eq!(snapshot(p.root()), before, "nothing in the repository changed");
    assert_eq!(
        siblings(parent),
        parent_before,
        "no lock file or temporary folder beside it"
    );
}

#[test]
fn a_rebuild_removes_only_its_own_stale_files_and_keeps_user_files() {
    let p = Project::new();
    p.add_rule("a.yml", "Rule A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    p.add_rule("b.yml", "Rule B", "6e3d8f2b-4c5a-4d7e-9f0a-1b2c3d4e5f60");
    let out = p.run(&["build", "--out", "dist"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dist = p.root().join("dist");
    let first = snapshot(&dist);
    let doc_b = first
        .keys()
        .find(|k| k.starts_with("docs/rules/rule-b"))
        .expect("a page for rule B")
        .clone();
    std::fs::write(dist.join("docs/rules/notes.md"), "my notes\n").unwrap();
    std::fs::write(dist.join("README.txt"), "mine\n").unwrap();
    std::fs::remove_file(p.root().join("rules/b.yml")).unwrap();
    for force in [false, true] {
        let mut args = vec!["build", "--out", "dist"];
        if force {
            args.push("--force");
        }
        let out = p.run(&args);
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert!(err.contains("kept 2 file(s) detc did not write"), "{err}");
        let now = snapshot(&dist);
        assert!(!now.contains_key(&doc_b), "the stale page was removed");
        assert_eq!(now["docs/rules/notes.md"], b"my notes\n");
        assert_eq!(now["README.txt"], b"mine\n");
        let manifest: serde_json::Value = serde_json::from_slice(&now[MANIFEST]).unwrap();
        let listed: Vec<&str> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert!(
            !listed.contains(&"README.txt") && !listed.contains(&doc_b.as_str()),
            "{listed:?}"
        );
        let mut expected: Vec<&str> = now.keys().map(String::as_str).collect();
        expected.retain(|k| *k != MANIFEST && *k != "README.txt" && *k != "docs/rules/notes.md");
        assert_eq!(listed, expected, "the manifest lists exactly detc's files");
    }
    // `--check` ignores the user's files and the manifest.
    let out = p.run(&["build", "--check", "--out", "dist"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert!(siblings(p.root()).is_empty(), "{:?}", siblings(p.root()));
}

#[test]
fn force_into_a_foreign_folder_keeps_every_file_it_does_not_write() {
    let p = Project::new();
    p.add_rule("a.yml", "Rule A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    let dist = p.root().join("dist");
    std::fs::create_dir_all(dist.join("sumo")).unwrap();
    std::fs::write(dist.join("keep.txt"), "keep").unwrap();
    std::fs::write(dist.join("sumo/searches.json"), "old, not detc's").unwrap();
    let out = p.run(&["build", "--out", "dist"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dist.join("sumo/searches.json")).unwrap(),
        "old, not detc's"
    );
    let out = p.run(&["build", "--out", "dist", "--force"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("replaced 1 file(s)") && err.contains("sumo/searches.json"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(dist.join("keep.txt")).unwrap(), "keep");
    assert!(
        std::fs::read_to_string(dist.join("sumo/searches.json"))
            .unwrap()
            .contains("Rule A")
    );
}

#[cfg(unix)]
#[test]
fn links_inside_the_output_folder_are_never_followed() {
    let p = Project::new();
    p.add_rule("a.yml", "Rule A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "do not touch\n").unwrap();
    assert!(p.run(&["build", "--out", "dist"]).status.success());
    let dist = p.root().join("dist");
    // An artifact replaced by a link to a file outside, and a user's link to a folder outside.
    std::fs::remove_file(dist.join("sumo/searches.json")).unwrap();
    std::os::unix::fs::symlink(&secret, dist.join("sumo/searches.json")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dist.join("elsewhere")).unwrap();
    // `--check` reports the link and does not print what it points to.
    let out = p.run(&["build", "--check", "--out", "dist"]);
    assert_eq!(out.status.code(), Some(1));
    let both = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        both.contains("symbolic link") && !both.contains("do not touch"),
        "{both}"
    );
    let out = p.run(&["build", "--out", "dist"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "do not touch\n");
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        1,
        "nothing written outside"
    );
    let searches = std::fs::symlink_metadata(dist.join("sumo/searches.json")).unwrap();
    assert!(searches.is_file(), "the link entry was replaced by the artifact");
    assert!(
        std::fs::symlink_metadata(dist.join("elsewhere"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // --out itself a link: refused, even with --force.
    std::os::unix::fs::symlink(outside.path(), p.root().join("linked")).unwrap();
    let out = p.run(&["build", "--out", "linked", "--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
}

/// Expected content (without the manifest) of clean builds with the default config and with `config_b`,
/// each plus the user's `notes.txt`.
fn expected_outputs(p: &Project, cfg_b: &Path) -> [BTreeMap<String, Vec<u8>>; 2] {
    let mut sets = Vec::new();
    for (i, cfg) in [PathBuf::from("detc.yaml"), cfg_b.to_path_buf()].iter().enumerate() {
        let out = format!("expected{i}");
        let o = p.run(&["--config", cfg.to_str().unwrap(), "build", "--out", &out]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut s = snapshot(&p.root().join(&out));
        s.remove(MANIFEST);
        s.insert("notes.txt".into(), b"user file\n".to_vec());
        sets.push(s);
    }
    sets.try_into().unwrap()
}

/// The folder is one complete output (which one, 0 or 1) and its manifest lists exactly detc's files.
fn complete_output(dist: &Path, expected: &[BTreeMap<String, Vec<u8>>; 2], context: &str) -> usize {
    let mut now = snapshot(dist);
    let manifest: serde_json::Value =
        serde_json::from_slice(&now.remove(MANIFEST).unwrap_or_else(|| panic!("{context}: no manifest")))
            .unwrap_or_else(|e| panic!("{context}: manifest {e}"));
    let which = expected.iter().position(|e| *e == now).unwrap_or_else(|| {
        let differ: Vec<&String> = now
            .keys()
            .chain(expected[0].keys())
            .filter(|k| now.get(*k) != expected[0].get(*k) && now.get(*k) != expected[1].get(*k))
            .collect();
        panic!("{context}: a mix of outputs, these files match neither: {differ:?}")
    });
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let files: Vec<&str> = now.keys().map(String::as_str).filter(|k| *k != "notes.txt").collect();
    assert_eq!(listed, files, "{context}: manifest");
    which
}

/// Set up a project with an output from the default config plus a user file in it.
fn killable_project() -> (Project, PathBuf, [BTreeMap<String, Vec<u8>>; 2]) {
    let p = Project::new();
    p.add_rule("a.yml", "Rule A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    p.add_rule("c.yml", "Rule C", "7f4e9a3c-5d6b-4e8f-a01b-2c3d4e5f6a7b");
    let cfg_b = p.config_b();
    let expected = expected_outputs(&p, &cfg_b);
    assert!(p.run(&["build", "--out", "dist"]).status.success());
    std::fs::write(p.root().join("dist/notes.txt"), "user file\n").unwrap();
    (p, cfg_b, expected)
}

#[test]
fn an_abort_after_any_number_of_changes_leaves_the_old_or_the_new_output() {
    let (p, cfg_b, expected) = killable_project();
    let dist = p.root().join("dist");
    let cfgs = [PathBuf::from("detc.yaml"), cfg_b];
    let mut current = 0;
    let mut n = 0;
    // Abort before the 1st, 2nd, … change until a build completes without reaching the limit.
    loop {
        let next = 1 - current;
        let out = p
            .cmd(&["--config", cfgs[next].to_str().unwrap(), "build", "--out", "dist"])
            .env("DETC_FAULT_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        let which = complete_output(&dist, &expected, &format!("abort after {n} changes"));
        if out.status.success() {
            assert_eq!(which, next, "a finished build leaves the new output");
            assert!(siblings(p.root()).is_empty(), "{:?}", siblings(p.root()));
            break;
        }
        assert!(out.status.code().is_none(), "killed by the hook: {}", stderr(&out));
        assert!(which == current || which == next);
        // The next, unhindered build repairs whatever was left and produces its output.
        current = which;
        n += 1;
        assert!(n < 500, "the hook never let a build finish");
    }
    assert!(n > 10, "the hook stopped builds at many points ({n})");
    // After all those aborts a normal build leaves nothing beside the folder.
    let out = p.cmd(&["build", "--out", "dist"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(complete_output(&dist, &expected, "final"), 0);
    assert!(siblings(p.root()).is_empty(), "{:?}", siblings(p.root()));
}

#[test]
fn sigkill_at_random_moments_leaves_the_old_or_the_new_output() {
    let (p, cfg_b, expected) = killable_project();
    let dist = p.root().join("dist");
    let cfgs = [PathBuf::from("detc.yaml"), cfg_b];
    // How long one build takes here, to spread the kills over it.
    let t = Instant::now();
    assert!(p.run(&["build", "--out", "dist"]).status.success());
    let span = t.elapsed().as_micros().max(1000) as u64;
    let mut seed = std::process::id() as u64 ^ t.elapsed().as_nanos() as u64;
    let mut killed = 0;
    for i in 0..30 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = Duration::from_micros((seed >> 33) % (span + span / 4));
        let mut child = p
            .cmd(&["--config", cfgs[i % 2].to_str().unwrap(), "build", "--out", "dist"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        complete_output(&dist, &expected, &format!("kill {i} after {delay:?}"));
    }
    eprintln!("{killed} of 30 builds were killed mid-run");
    let out = p.run(&["build", "--out", "dist"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(complete_output(&dist, &expected, "final"), 0);
    assert!(siblings(p.root()).is_empty(), "{:?}", siblings(p.root()));
}

#[test]
fn concurrent_builds_to_one_folder_do_not_interleave() {
    let (p, cfg_b, expected) = killable_project();
    let dist = p.root().join("dist");
    for round in 0..5 {
        let a = p
            .cmd(&["build", "--out", "dist"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let b = p
            .cmd(&["--config", cfg_b.to_str().unwrap(), "build", "--out", "dist"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        complete_output(&dist, &expected, &format!("round {round}"));
        assert!(siblings(p.root()).is_empty(), "{:?}", siblings(p.root()));
    }
}
