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
    let err = stderr(&out);
    assert!(
        err.contains("findings of the 0 rule files changed since HEAD only ("),
        "{err}"
    );
    assert!(
        !err.contains("(0 findings in other files"),
        "the old defect is counted: {err}"
    );

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

/// A rule matching `data.type: <value>` at `level`.
fn typed_rule(title: &str, id: &str, level: &str, value: &str) -> String {
    format!(
        "title: {title}\nid: {id}\nlevel: {level}\ndescription: d\nlogsource: {{product: auth0}}\ndetection: {{sel: {{data.type: '{value}'}}, condition: sel}}\n"
    )
}

const A: &str = "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f";
const B: &str = "6e3d8f2b-3b4f-4c6d-8e9f-0a1b2c3d4e5f";
const C: &str = "7f4e9a3c-3b4f-4c6d-8e9f-0a1b2c3d4e5f";

#[test]
fn diff_markdown_is_a_pr_comment_of_added_removed_and_changed_detections() {
    let p = Project::new();
    let write = |name: &str, text: String| std::fs::write(p.root().join("rules").join(name), text).unwrap();
    write("a.yml", typed_rule("Settings Changed", A, "medium", "sapi"));
    write("b.yml", typed_rule("Old Rule", B, "low", "f"));
    p.commit_all("base");

    let same = p.run(&["diff", "HEAD", "--format", "markdown", "--exit-code"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(String::from_utf8_lossy(&same.stdout).contains("No change to the deployed detections"));

    // a: new value (one with a backtick run) and level; b removed; c added with Markdown in its title.
    write("a.yml", typed_rule("Settings Changed", A, "high", "s```x"));
    std::fs::remove_file(p.root().join("rules/b.yml")).unwrap();
    write("c.yml", typed_rule("New *bold* | pipe", C, "low", "fp"));
    let out = p.run(&["diff", "HEAD", "--format", "markdown"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a PR comment step must not fail the job: {}",
        stderr(&out)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("**1 added, 1 removed, 1 changed**, 0 unchanged"), "{md}");
    assert!(
        md.contains("### Added\n\n- **New \\*bold\\* \\| pipe** (rules/c.yml)"),
        "{md}"
    );
    assert!(md.contains("### Removed\n\n- **Old Rule** (rules/b.yml)"), "{md}");
    assert!(md.contains("#### Settings Changed (rules/a.yml)"), "{md}");
    assert!(md.contains("- metadata: level"), "{md}");
    assert!(md.contains("savedsearches.conf"), "{md}");
    // The Splunk query diff sits in a fence longer than the query's backtick run.
    assert!(
        md.contains("splunk:\n\n````diff\n@@ -1 +1 @@\n-data.type=\"sapi\"\n+data.type=\"s```x\"\n````"),
        "{md}"
    );
    assert!(md.contains("| docs/rules/old-rule-6e3d8f2b.md | removed |"), "{md}");
    // Read back as CommonMark: every query diff is one whole code block, and no rule text became markup.
    let blocks = diff_blocks(&md);
    assert_eq!(blocks.len(), 5, "one per query language: {blocks:?}");
    assert!(
        blocks.iter().any(|b| b.contains("+data.type=\"s```x\"\n")),
        "{blocks:?}"
    );
    assert!(!md_has_emphasis(&md), "{md}");
    let gated = p.run(&["diff", "HEAD", "--format", "markdown", "--exit-code"]);
    assert_eq!(gated.status.code(), Some(1));
}

#[test]
fn diff_markdown_warns_when_the_working_tree_does_not_build() {
    let p = Project::new();
    std::fs::write(p.root().join("rules/a.yml"), typed_rule("A", A, "low", "s")).unwrap();
    // An error the base has too is not this change's doing: counted, not listed.
    std::fs::write(p.root().join("rules/old.yml"), typed_rule("Old", B, "loww", "s")).unwrap();
    p.commit_all("base");
    std::fs::write(p.root().join("rules/a.yml"), typed_rule("A", A, "loww", "s")).unwrap();
    let out = p.run(&["diff", "HEAD", "--format", "markdown"]);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("> **The working tree does not build** (1 new error, 1 also at the base)"),
        "{md}"
    );
    assert!(md.contains("rules/a.yml:3: S101"), "{md}");
    assert!(!md.contains("rules/old.yml"), "{md}");
    assert!(md.contains("### Removed\n\n- **A** (rules/a.yml)"), "{md}");
}

#[test]
fn diff_refuses_an_unknown_revision() {
    let p = Project::new();
    p.add_rule("a.yml", "A", A);
    p.commit_all("base");
    let out = p.run(&["diff", "nope", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown revision `nope`"), "{}", stderr(&out));
}

/// The text of each ```` ```diff ```` code block of a Markdown page.
fn diff_blocks(md: &str) -> Vec<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "diff" => {
                current = Some(String::new())
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

fn md_has_emphasis(md: &str) -> bool {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(md).any(|e| matches!(e, Event::Start(Tag::Emphasis)))
}

#[test]
fn diff_reads_the_config_given_with_config_in_both_trees() {
    let p = Project::new();
    std::fs::remove_file(p.root().join("detc.yaml")).unwrap();
    std::fs::create_dir(p.root().join("ci")).unwrap();
    std::fs::write(p.root().join("ci/detc.yaml"), "catalog: ../rules\n").unwrap();
    std::fs::write(p.root().join("rules/a.yml"), typed_rule("A", A, "low", "s")).unwrap();
    p.commit_all("base");
    std::fs::write(p.root().join("rules/a.yml"), typed_rule("A", A, "high", "s")).unwrap();
    let out = p.run(&["--config", "ci/detc.yaml", "diff", "HEAD", "--format", "markdown"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("**0 added, 0 removed, 1 changed**"), "{md}");
    // The same file named by an absolute path inside the project is the same config.
    let absolute = p.root().join("ci/detc.yaml");
    let out = p.run(&[
        "--config",
        absolute.to_str().unwrap(),
        "diff",
        "HEAD",
        "--format",
        "markdown",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), md);
    // One outside the project cannot be read at the revision.
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("detc.yaml");
    std::fs::write(&outside, "catalog: rules\n").unwrap();
    let out = p.run(&["--config", outside.to_str().unwrap(), "diff", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is outside the project"), "{}", stderr(&out));
}
