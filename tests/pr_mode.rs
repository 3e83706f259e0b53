//! PR mode: `check --changed-since REV` and `diff REV --format markdown` on a temporary git repository.

mod common;

use common::{Project, json_lines, stderr};

/// A rule with a bad level (S101) in `name`, for findings to filter.
fn broken_rule(p: &Project, name: &str, title: &str, id: &str) {
    let text = common::rule(title, id).replace("level: low", "level: loww");
    std::fs::write(p.root().join("rules").join(name), text).unwrap();
}

fn files_reported(out: &std::process::Output) -> Vec<String> {
    let mut files: Vec<String> = json_lines(out)
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

#[test]
fn changed_since_reports_only_changed_files_but_resolves_against_the_whole_catalog() {
    let p = Project::new();
    p.add_rule("a.yml", "A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    broken_rule(&p, "old.yml", "Old", "6e3d8f2b-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    p.commit_all("base");

    // Nothing changed: the old defect is not this change's business.
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("findings of the 0 rule files changed since HEAD only"));

    // An untracked rule reusing a's id: reported (R403 needs the unchanged a.yml to be loaded).
    p.add_rule("new.yml", "New", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    let diags = json_lines(&out);
    assert!(
        diags
            .iter()
            .any(|d| d["code"] == "R403" && d["file"] == "rules/new.yml"),
        "{diags:?}"
    );
    assert!(diags.iter().all(|d| d["file"] != "rules/old.yml"), "{diags:?}");

    // Committed, then compared with the first commit: the same findings.
    p.commit_all("add new");
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD~1"]);
    assert_eq!(files_reported(&out), ["rules/new.yml"]);
    // A modified tracked file counts too.
    broken_rule(&p, "a.yml", "A", "7f4e9a3c-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(files_reported(&out), ["rules/a.yml"]);
    // A changed detc.yaml can change any finding: everything is reported.
    std::fs::write(p.root().join("detc.yaml"), "catalog: rules\nrequire_tests: false\n").unwrap();
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD"]);
    assert_eq!(files_reported(&out), ["rules/a.yml", "rules/old.yml"]);
    assert!(
        stderr(&out).contains("detc.yaml changed since HEAD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_changed_sidecar_brings_its_rule_into_the_change() {
    let p = Project::new();
    std::fs::write(p.root().join("detc.yaml"), "catalog: rules\nrequire_tests: true\n").unwrap();
    p.add_rule("a.yml", "A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    p.add_rule("b.yml", "B", "6e3d8f2b-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    p.commit_all("base");
    std::fs::write(
        p.root().join("rules/a.tests.yml"),
        "tests:\n  - name: fires\n    expect: match\n    event: {data: {type: s}}\n",
    )
    .unwrap();
    let out = p.run(&["check", "--format", "json", "--changed-since", "HEAD"]);
    let diags = json_lines(&out);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "T701");
    assert_eq!(diags[0]["file"], "rules/a.yml");
    assert!(diags[0]["message"].as_str().unwrap().contains("must stay quiet"));
}

#[test]
fn changed_since_refuses_an_unknown_revision_or_a_folder_outside_git() {
    let p = Project::new();
    p.add_rule("a.yml", "A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    // Git must not find a repository above the temporary folder either.
    let out = p
        .cmd(&["check", "--changed-since", "HEAD"])
        .env("GIT_CEILING_DIRECTORIES", p.root().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not inside a git repository"), "{}", stderr(&out));
    p.commit_all("base");
    let out = p.run(&["check", "--changed-since", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown revision `no-such-branch`"),
        "{}",
        stderr(&out)
    );
}
