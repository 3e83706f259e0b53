//! `detc check --fix` and `--diff` on a fixture with every fixable defect, each beside a comment.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fix")
        .join(name)
}

/// A copy of the fixture files in a fresh folder, and detc run there on `defects.yml`.
struct Copy {
    dir: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        for name in ["defects.yml", "broken.yml"] {
            std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
        }
        Copy { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_detc"))
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("detc runs")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }
}

/// Fresh ids differ on every run: compare them as `<uuid>`.
fn no_uuids(text: &str) -> String {
    regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
        .unwrap()
        .replace_all(text, "<uuid>")
        .into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn diff_prints_exactly_what_fix_writes_and_changes_nothing() {
    let copy = Copy::new();
    let out = copy.run(&["check", "--diff", "defects.yml"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let want = std::fs::read_to_string(fixture("defects.diff")).unwrap();
    assert_eq!(no_uuids(&stdout(&out)), want);
    assert_eq!(common::stderr(&out).trim_end(), "would fix 12 findings in 1 file");
    assert_eq!(
        copy.read("defects.yml"),
        std::fs::read_to_string(fixture("defects.yml")).unwrap()
    );
    // The ids the preview shows are the ids --fix writes.
    let previewed: Vec<String> = stdout(&out)
        .lines()
        .filter_map(|l| l.strip_prefix("+id: "))
        .map(String::from)
        .collect();
    copy.run(&["check", "--fix", "defects.yml"]);
    let written: Vec<String> = copy
        .read("defects.yml")
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .map(String::from)
        .collect();
    assert_eq!((previewed.len(), &previewed), (2, &written));
}

#[test]
fn fix_rewrites_only_the_defects_and_keeps_every_comment() {
    let copy = Copy::new();
    let out = copy.run(&["check", "--fix", "defects.yml"]);
    let err = common::stderr(&out);
    assert!(err.ends_with("fixed 12 findings in 1 file\n"), "{err}");
    let want = std::fs::read_to_string(fixture("defects.fixed.yml")).unwrap();
    assert_eq!(no_uuids(&copy.read("defects.yml")), want);
    // Comment lines whole, trailing comments from their ` #`.
    let comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| match l.trim_start().starts_with('#') {
                true => Some(l.to_string()),
                false => l.find(" #").map(|i| l[i..].to_string()),
            })
            .collect()
    };
    assert_eq!(
        comments(&copy.read("defects.yml")),
        comments(&std::fs::read_to_string(fixture("defects.yml")).unwrap())
    );
    // What is left: the unsafe cases, reported without a fix.
    let after = copy.run(&["check", "--format", "json", "defects.yml"]);
    let left = common::json_lines(&after);
    let at = |code: &str, line: u64| left.iter().any(|d| d["code"] == code && d["line"] == line);
    assert!(
        at("Q511", 16) && at("M319", 23) && at("M318", 28) && at("M318", 29),
        "{left:#?}"
    );
    assert!(left.iter().all(|d| d.get("fix").is_none()), "{left:#?}");
    let again = copy.run(&["check", "--diff", "defects.yml"]);
    assert_eq!((again.status.code(), stdout(&again)), (Some(0), String::new()));
}

#[test]
fn a_fixable_finding_says_so_in_every_format() {
    let copy = Copy::new();
    let human = copy.run(&["check", "defects.yml"]);
    let text = stdout(&human);
    assert!(
        text.contains("help: fixable: rename `falsepositive` to `falsepositives` (`detc check --fix`)"),
        "{text}"
    );
    assert!(
        common::stderr(&human).contains("12 fixable with `detc check --fix`"),
        "{}",
        common::stderr(&human)
    );
    let json = common::json_lines(&copy.run(&["check", "--format", "json", "defects.yml"]));
    let date = json.iter().find(|d| d["line"] == 5).expect("the date finding");
    assert_eq!(
        date["fix"],
        serde_json::json!({"title": "write `date` as `2025-01-15`", "edits": [
            {"line": 5, "column": 7, "end_line": 5, "end_column": 17, "text": "2025-01-15"}]})
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&copy.run(&["check", "--format", "sarif", "defects.yml"]).stdout).unwrap();
    let fixes = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .count();
    assert_eq!(
        fixes, 12,
        "one per fixable finding (the two ParentImage findings share theirs)"
    );
    let github = stdout(&copy.run(&["check", "--format", "github", "defects.yml"]));
    assert!(
        github.contains("%0Afixable: rename `referances` to `references` (`detc check --fix`)\n"),
        "{github}"
    );
}

#[test]
fn a_file_with_a_yaml_error_is_never_edited() {
    let copy = Copy::new();
    let before = copy.read("broken.yml");
    let out = copy.run(&["check", "--fix", "broken.yml"]);
    assert!(
        common::stderr(&out).contains("fixed 0 findings in 0 files"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(copy.read("broken.yml"), before);
}

#[test]
fn select_and_ignore_choose_which_fixes_apply() {
    let copy = Copy::new();
    let out = copy.run(&["check", "--fix", "--select", "Q503", "defects.yml"]);
    assert!(
        common::stderr(&out).contains("fixed 2 findings in 1 file"),
        "{}",
        common::stderr(&out)
    );
    let text = copy.read("defects.yml");
    assert!(
        text.contains("falsepositives: # a misspelt key") && text.contains("date: 2025/01/15"),
        "{text}"
    );
}

#[test]
fn fix_and_diff_together_are_a_usage_error() {
    let copy = Copy::new();
    assert_eq!(
        copy.run(&["check", "--fix", "--diff", "defects.yml"]).status.code(),
        Some(2)
    );
}

/// A file reached twice, through a link inside the catalog: fixed once, the link kept.
#[cfg(unix)]
#[test]
fn a_file_linked_inside_the_catalog_is_fixed_once_and_stays_linked() {
    let copy = Copy::new();
    std::os::unix::fs::symlink("defects.yml", copy.dir.path().join("link.yml")).unwrap();
    std::fs::remove_file(copy.dir.path().join("broken.yml")).unwrap();
    let out = copy.run(&["check", "--fix", "."]);
    let err = common::stderr(&out);
    assert!(err.contains("fixed 12 findings in 1 file"), "{err}");
    assert!(
        std::fs::symlink_metadata(copy.dir.path().join("link.yml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let want = std::fs::read_to_string(fixture("defects.fixed.yml")).unwrap();
    assert_eq!(no_uuids(&copy.read("defects.yml")), want);
}

/// With `--changed-since REV`, only the files changed since REV are fixed (as only they are reported).
#[test]
fn changed_since_fixes_only_the_changed_files() {
    let copy = Copy::new();
    std::fs::remove_file(copy.dir.path().join("broken.yml")).unwrap();
    std::fs::copy(fixture("defects.yml"), copy.dir.path().join("old.yml")).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(copy.dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    let changed = copy.read("defects.yml").replace("status: test", "status: experimental");
    std::fs::write(copy.dir.path().join("defects.yml"), changed).unwrap();
    let out = copy.run(&["check", "--fix", "--changed-since", "HEAD", "."]);
    let err = common::stderr(&out);
    assert!(err.contains("fixed 12 findings in 1 file"), "{err}");
    assert!(copy.read("defects.yml").contains("date: 2025-01-15"));
    assert_eq!(
        copy.read("old.yml"),
        std::fs::read_to_string(fixture("defects.yml")).unwrap()
    );
}
