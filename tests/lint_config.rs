//! Lint configuration end to end: the `lint:` section of detc.yaml, suppression comments, the flags
//! that extend them, `--min-severity`, and help that says what the commands do.

mod common;

use std::process::Output;

use common::{Project, json_lines, stderr};

const HEAD: &str = "title: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlevel: low\nlogsource: {product: auth0}\n";

/// A rule with an unused selection (C203, a warning) on line 7; `trailing` ends that line.
fn unused_selection(trailing: &str) -> String {
    format!("{HEAD}detection:\n  sel: {{data.type: s}}\n  spare: {{data.type: f}}{trailing}\n  condition: sel\n")
}

/// A rule whose `1 of them` names one selection (C207, info) on line 7.
fn single_them() -> String {
    format!("{HEAD}detection:\n  sel: {{data.type: s}}\n  condition: 1 of them\n")
}

/// A project whose `rules/` holds `rules`, each given its own title and id (no duplicate findings).
fn project(config: &str, rules: &[(&str, &str)]) -> Project {
    let p = Project::new();
    std::fs::write(p.root().join("detc.yaml"), format!("catalog: rules\n{config}")).unwrap();
    for (i, (name, text)) in rules.iter().enumerate() {
        let path = p.root().join("rules").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let own = text
            .replace("title: T", &format!("title: T{i}"))
            .replace("0a1b2c3d4e5f", &format!("0a1b2c3d4e{i:02}"));
        std::fs::write(path, own).unwrap();
    }
    p
}

/// (code, severity, line) of each JSON finding.
fn findings(out: &Output) -> Vec<(String, String, u64)> {
    json_lines(out)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn check_json(p: &Project, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    p.run(&args)
}

fn f(code: &str, severity: &str, line: u64) -> (String, String, u64) {
    (code.to_string(), severity.to_string(), line)
}

#[test]
fn a_bad_severity_is_a_configuration_error_at_its_line() {
    let p = project(
        "lint:\n  severity:\n    C203: fatal\n",
        &[("a.yml", &unused_selection(""))],
    );
    let out = check_json(&p, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("detc.yaml:4:"), "{}", stderr(&out));
}

#[test]
fn an_unknown_code_in_the_config_suggests_the_nearest() {
    let p = project("lint:\n  ignore: [C2033]\n", &[("a.yml", &unused_selection(""))]);
    let out = check_json(&p, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("detc.yaml:3:12"), "{err}");
    assert!(err.contains("did you mean `C203`?"), "{err}");
}

#[test]
fn select_and_ignore_come_from_the_config_and_the_flags() {
    let rules = [("a.yml", unused_selection("")), ("b.yml", single_them())];
    let rules: Vec<(&str, &str)> = rules.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let p = project("lint:\n  ignore: [unused-search-identifier]\n", &rules);
    assert_eq!(findings(&check_json(&p, &[])), [f("C207", "info", 7)]);
    // --ignore adds to the configured list.
    assert!(findings(&check_json(&p, &["--ignore", "C207"])).is_empty());
    let p = project("lint:\n  select: [C203]\n", &rules);
    assert_eq!(findings(&check_json(&p, &[])), [f("C203", "warning", 7)]);
    // --select replaces the configured list.
    assert_eq!(findings(&check_json(&p, &["--select", "C2"])).len(), 2);
}

#[test]
fn a_severity_override_changes_the_exit_code() {
    let rule = unused_selection("");
    let p = project("", &[("a.yml", &rule)]);
    assert_eq!(check_json(&p, &[]).status.code(), Some(0), "a warning alone passes");
    let p = project("lint:\n  severity: {C203: error}\n", &[("a.yml", &rule)]);
    let out = check_json(&p, &[]);
    assert_eq!(findings(&out), [f("C203", "error", 7)]);
    assert_eq!(out.status.code(), Some(1));
    // The most specific entry wins; `off` (YAML reads it as false) stops reporting.
    let p = project("lint:\n  severity: {C2: error, C203: off}\n", &[("a.yml", &rule)]);
    let out = check_json(&p, &["--deny-warnings"]);
    assert!(findings(&out).is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn per_path_ignores_apply_to_matching_files_only() {
    let rule = unused_selection("");
    let p = project(
        "lint:\n  per_path_ignores:\n    \"legacy/**\": [C2]\n",
        &[("legacy/old/a.yml", &rule), ("b.yml", &rule)],
    );
    let out = check_json(&p, &[]);
    let paths: Vec<String> = json_lines(&out)
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["rules/b.yml"]);
}

#[test]
fn inline_suppressions_hold_in_every_format() {
    let trailing = unused_selection("  # detc: ignore[C203] kept for the correlation under review");
    let above = unused_selection("").replace("  spare:", "  # detc: ignore[C203] reviewed\n  spare:");
    let file = format!("# detc: ignore-file[C2] migrated as is\n{}", unused_selection(""));
    let p = project("", &[("a.yml", &trailing), ("b.yml", &above), ("c.yml", &file)]);
    for format in ["json", "github", "sarif", "human"] {
        let out = p.run(&["check", "--format", format, "--deny-warnings"]);
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        if format == "sarif" {
            // The driver lists every rule; what matters is the results.
            let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(sarif["runs"][0]["results"].is_array(), "{text}");
            text = sarif["runs"][0]["results"].to_string();
        }
        assert!(!text.contains("C203"), "{format}: {text}");
        assert_eq!(out.status.code(), Some(0), "{format}: {text}");
    }
}

#[test]
fn an_unused_suppression_is_reported_where_it_is_written() {
    let rule = single_them().replace(
        "condition: 1 of them",
        "condition: 1 of them  # detc: ignore[C207, Q501]",
    );
    let p = project("", &[("a.yml", &rule)]);
    let out = check_json(&p, &[]);
    assert_eq!(findings(&out), [f("E015", "warning", 7)]);
    let d = &json_lines(&out)[0];
    assert!(
        d["message"].as_str().unwrap().contains("`Q501` suppresses nothing"),
        "{d}"
    );
    // Settings apply to the suppressions' own findings too.
    let p = project("lint:\n  ignore: [unused-suppression]\n", &[("a.yml", &rule)]);
    assert!(findings(&check_json(&p, &[])).is_empty());
}

#[test]
fn a_hash_inside_a_quoted_value_is_not_a_suppression() {
    let rule = unused_selection("").replace("title: T", "title: 'T # detc: ignore[C203]'");
    let p = project("", &[("a.yml", &rule)]);
    assert_eq!(findings(&check_json(&p, &[])), [f("C203", "warning", 7)]);
}

#[test]
fn min_severity_hides_output_but_the_summary_counts_everything() {
    let them = single_them();
    let unused = unused_selection("");
    let p = project("", &[("a.yml", &unused), ("b.yml", &them)]);
    let out = check_json(&p, &["--min-severity", "warning"]);
    assert_eq!(findings(&out), [f("C203", "warning", 7)]);
    let err = stderr(&out);
    assert!(
        err.contains("0 errors, 1 warning, 1 info (1 below warning not shown"),
        "{err}"
    );
    let out = check_json(&p, &["--min-severity", "error", "--deny-warnings"]);
    assert!(findings(&out).is_empty());
    assert_eq!(out.status.code(), Some(1), "the exit code counts hidden warnings");
}

#[test]
fn github_annotations_leave_notices_out_by_default() {
    let p = project("", &[("b.yml", &single_them())]);
    let out = p.run(&["check", "--format", "github"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(stderr(&out).contains("1 info (1 below warning not shown"));
    let out = p.run(&["check", "--format", "github", "--min-severity", "info"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("::notice file=rules/b.yml,line=7"));
}

#[test]
fn test_command_honours_settings_and_min_severity() {
    // T701 (missing tests) comes from `require_tests`; the lint settings apply to `detc test` too.
    let p = project(
        "require_tests: true\nlint:\n  severity: {T701: warning}\n",
        &[("a.yml", &single_them())],
    );
    let out = p.run(&["test", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(findings(&out), [f("T701", "warning", 1)]);
    let out = p.run(&["test", "--format", "json", "--min-severity", "error"]);
    assert!(findings(&out).is_empty());
}

/// The help of every command that takes paths names the real default, and `check` without paths
/// reads the configured catalog, not `detections/`.
#[test]
fn help_states_the_default_paths_it_uses() {
    let p = project("", &[("a.yml", &unused_selection(""))]);
    for cmd in ["check", "convert", "test", "eval"] {
        let out = p.run(&[cmd, "--help"]);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("catalog` of detc.yaml, else `detections/`"),
            "{cmd} --help: {help}"
        );
    }
    std::fs::create_dir(p.root().join("detections")).unwrap();
    let out = check_json(&p, &[]);
    assert_eq!(findings(&out), [f("C203", "warning", 7)], "{}", stderr(&out));
}

/// Every value `list --help` offers is accepted.
#[test]
fn list_accepts_what_its_help_offers() {
    let p = Project::new();
    let help = String::from_utf8_lossy(&p.run(&["list", "--help"]).stdout).into_owned();
    let values: Vec<&str> = help
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(values, ["lints", "modifiers", "targets", "pipelines"], "{help}");
    for v in values {
        assert_eq!(p.run(&["list", v]).status.code(), Some(0), "list {v}");
    }
}

#[test]
fn explain_helps_with_prefixes_and_typos() {
    let p = Project::new();
    let out = p.run(&["explain", "C22"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("prefix of C221"), "{}", stderr(&out));
    let out = p.run(&["explain", "unused-search-identifer"]);
    assert!(stderr(&out).contains("did you mean `unused-search-identifier`?"));
    // What the project's detc.yaml changes is said too.
    let p = project("lint:\n  severity: {Q5: error}\n", &[]);
    let out = p.run(&["explain", "Q501"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("In this project (detc.yaml): reported as error (lint.severity)."),
        "{text}"
    );
    let out = p.run(&["explain", "E001"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with(".\n"),
        "ends with a line break"
    );
}

#[test]
fn convert_min_severity_filters_printed_and_jsonl_findings() {
    let rule = format!("{HEAD}detection:\n  sel: {{data.description: 'a?c'}}\n  condition: sel\n");
    let p = project("", &[("w.yml", &rule)]);
    let diagnostics = |extra: &[&str]| {
        let mut args = vec!["convert", "-t", "splunk", "--format", "jsonl"];
        args.extend_from_slice(extra);
        let out = p.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json_lines(&out)[0]["diagnostics"].as_array().unwrap().len()
    };
    assert_eq!(diagnostics(&[]), 1, "Splunk widens `?` (a B802 warning)");
    assert_eq!(diagnostics(&["--min-severity", "error"]), 0);
    let out = p.run(&["convert", "-t", "splunk", "--min-severity", "error"]);
    assert!(!stderr(&out).contains("B802"), "{}", stderr(&out));
}
