//! Test reporting: invalid tests in JUnit, sidecar tests on the docs pages, `tests_dir:`.

mod common;

use common::{Project, stderr};

/// A rule's tests: `data.type: s` fires, `data.type: f` does not.
fn tests_yaml(prefix: &str) -> String {
    format!(
        "tests:\n  - name: {prefix} fires\n    expect: match\n    event: {{data: {{type: s}}}}\n  - name: {prefix} stays quiet\n    expect: no_match\n    event: {{data: {{type: f}}}}\n"
    )
}

#[test]
fn junit_lists_invalid_tests_as_errors_in_their_suite() {
    let p = Project::new();
    let rule = common::rule("Login", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f")
        + "tests:\n  - name: fires\n    expect: match\n    event: {data: {type: s}}\n  - name: confused\n    expect: maybe\n    event: {data: {type: s}}\n";
    std::fs::write(p.root().join("rules/a.yml"), rule).unwrap();
    std::fs::write(
        p.root().join("rules/a.tests.yml"),
        "tests:\n  - name: aimed elsewhere\n    rule: nope\n    expect: match\n    event: {data: {type: s}}\n",
    )
    .unwrap();
    let out = p.run(&["test", "--format", "json", "--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 tests: 1 passed, 0 failed, 2 could not run"),
        "{}",
        stderr(&out)
    );
    let xml = std::fs::read_to_string(p.root().join("junit.xml")).unwrap();
    assert!(xml.contains("tests=\"3\" failures=\"0\" errors=\"2\""), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"rules/a.yml\" tests=\"2\" failures=\"0\" errors=\"1\">"),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"Login :: confused\">\n      <error message=\"test `confused`: `expect` must be `match`, `no_match` or `{alerts: N}`, not `maybe`\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"rules/a.tests.yml\" tests=\"1\" failures=\"0\" errors=\"1\">")
            && xml.contains("`rule: nope` is no id, name or title in rules/a.yml"),
        "{xml}"
    );
}

/// The docs page written for the only rule of `p`.
fn only_page(p: &Project) -> String {
    let pages: Vec<_> = std::fs::read_dir(p.root().join("dist/docs/rules"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    std::fs::read_to_string(&pages[0]).unwrap()
}

#[test]
fn docs_pages_list_sidecar_tests() {
    let p = Project::new();
    p.add_rule("a.yml", "Login", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    std::fs::write(p.root().join("rules/a.tests.yml"), tests_yaml("sidecar")).unwrap();
    let out = p.run(&["build", "--out", "dist"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = only_page(&p);
    assert!(
        page.contains("| sidecar fires | match |") && page.contains("| sidecar stays quiet | no match |"),
        "{page}"
    );
}

#[test]
fn tests_dir_holds_sidecars_mirroring_the_rules_tree() {
    let p = Project::new();
    std::fs::write(
        p.root().join("detc.yaml"),
        "catalog: rules\ntests_dir: rule-tests\nrequire_tests: true\n",
    )
    .unwrap();
    std::fs::create_dir_all(p.root().join("rules/auth")).unwrap();
    std::fs::create_dir_all(p.root().join("rule-tests/auth")).unwrap();
    std::fs::write(
        p.root().join("rules/auth/a.yml"),
        common::rule("Login", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f"),
    )
    .unwrap();
    std::fs::write(p.root().join("rule-tests/auth/a.tests.yml"), tests_yaml("mirrored")).unwrap();

    let test = p.run(&["test"]);
    assert!(test.status.success(), "{}", stderr(&test));
    assert!(
        stderr(&test).contains("2 tests: 2 passed, 0 failed;"),
        "{}",
        stderr(&test)
    );
    // The mirrored tests satisfy require_tests: no T701.
    let check = p.run(&["check", "--format", "json"]);
    assert!(
        check.status.success() && check.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let build = p.run(&["build", "--out", "dist"]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(only_page(&p).contains("| mirrored fires | match |"));

    // A sidecar left behind by a renamed rule is reported, not ignored...
    std::fs::write(p.root().join("rule-tests/old.tests.yml"), tests_yaml("old")).unwrap();
    let check = p.run(&["check", "--format", "json"]);
    assert_eq!(check.status.code(), Some(1));
    let diags = common::json_lines(&check);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "T703");
    assert_eq!(diags[0]["file"], "rule-tests/old.tests.yml");
    // ...but only when the whole catalog is checked; one folder still finds its own mirrored tests.
    let part = p.run(&["check", "--format", "json", "rules/auth"]);
    assert!(
        part.status.success() && part.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&part.stdout)
    );
}
