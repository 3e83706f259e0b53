//! End-to-end integrity of `detc build`: nothing is deployed silently broken or silently left out,
//! every query of a rule is deployed, `{token}`s are filled, and rule text cannot reshape artifacts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A rule over Auth0 logs with a title and id of its own; `extra` is appended (YAML keys).
fn rule(title: &str, id: &str, detection: &str) -> String {
    format!(
        "title: {title}\nid: {id}\nlevel: high\nstatus: test\nlogsource: {{product: auth0}}\ndetection:\n{detection}\n"
    )
}

const OK_ID: &str = "0f0e0d0c-0b0a-4909-8807-060504030201";
const OTHER_ID: &str = "1a1b1c1d-2e2f-4a3b-8c4d-5e6f7a8b9c0d";

fn good() -> String {
    rule("Healthy rule", OK_ID, "  sel: {data.type: sapi}\n  condition: sel")
}

/// A project folder with `detc.yaml` and `rules/<name>` files.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(config: &str, rules: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("detc.yaml"), format!("catalog: [rules]\n{config}")).unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        for (name, text) in rules {
            std::fs::write(dir.path().join("rules").join(name), text).unwrap();
        }
        Project { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_detc"))
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .expect("detc runs")
    }

    fn build(&self, extra: &[&str]) -> Output {
        let mut args = vec!["build", "--out", "dist"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dist().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn report(&self) -> Value {
        serde_json::from_str(&self.read("report.json")).unwrap()
    }

    fn savedsearches(&self) -> String {
        self.read("splunk/detc_detections/default/savedsearches.conf")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn status_of<'r>(report: &'r Value, title: &str) -> &'r Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == title)
        .unwrap_or_else(|| panic!("{title} not in the report: {report}"))
}

/// The broken documents the issue found shipping: a null selection (C205), an unknown identifier
/// in the condition (C202 — dropped before), a schema error (S101), and a path-like id.
fn broken_rules() -> Vec<(&'static str, String)> {
    vec![
        ("good.yml", good()),
        (
            "null_selection.yml",
            rule(
                "Null selection",
                OTHER_ID,
                "  sel:\n    data.type:\n      # - s\n      # - f\n  condition: sel",
            ),
        ),
        (
            "unknown_identifier.yml",
            rule(
                "Unknown identifier",
                "2b2c2d2e-3f30-4b4c-9d5e-6f708192a3b4",
                "  sel: {data.type: s}\n  condition: sel and nope",
            ),
        ),
        (
            "path_id.yml",
            rule("Path id", "/../../escaped", "  sel: {data.type: f}\n  condition: sel"),
        ),
    ]
}

#[test]
fn a_catalog_with_errors_is_not_built_and_nothing_is_written() {
    let rules = broken_rules();
    let refs: Vec<(&str, &str)> = rules.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let p = Project::new("", &refs);
    let out = p.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for code in ["C205", "C202", "S101"] {
        assert!(err.contains(code), "{code} listed: {err}");
    }
    assert!(!p.dist().exists(), "nothing written");
    assert!(!p.dir.path().join("escaped").exists());
}

#[test]
fn exclude_broken_deploys_the_rest_and_lists_and_records_the_excluded() {
    let rules = broken_rules();
    let refs: Vec<(&str, &str)> = rules.iter().map(|(n, t)| (*n, t.as_str())).collect();
    for (config, flag) in [("", vec!["--exclude-broken"]), ("exclude_broken: true\n", vec![])] {
        let p = Project::new(config, &refs);
        let out = p.build(&flag);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert_eq!(err.matches("B809").count(), 3, "each excluded document listed: {err}");
        let report = p.report();
        assert_eq!(status_of(&report, "Healthy rule")["status"], "deployed");
        for title in ["Null selection", "Unknown identifier", "Path id"] {
            let d = status_of(&report, title);
            assert_eq!(d["status"], "excluded", "{d}");
            assert!(!d["reasons"].as_array().unwrap().is_empty());
        }
        let conf = p.savedsearches();
        assert!(conf.contains("[Healthy rule]"), "{conf}");
        assert!(
            !conf.contains("Null selection") && !conf.contains("NOT data.type=*"),
            "{conf}"
        );
        assert!(!p.dir.path().join("escaped").exists());
    }
}

#[test]
fn a_document_a_target_cannot_express_fails_unless_that_target_skips_it() {
    let cased = rule(
        "Cased match",
        OTHER_ID,
        "  sel: {data.description|cased: Update Brute-force settings}\n  condition: sel",
    );
    let p = Project::new("", &[("good.yml", &good()), ("cased.yml", &cased)]);
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("B808"), "{}", stderr(&out));
    assert!(!p.dist().exists());

    let p = Project::new(
        "targets: {splunk: {skip_unsupported: true}}\n",
        &[("good.yml", &good()), ("cased.yml", &cased)],
    );
    let out = p.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("warning[B808]") && err.contains("Cased match"), "{err}");
    let report = p.report();
    let d = status_of(&report, "Cased match");
    assert_eq!(d["status"], "partial");
    assert_eq!(d["targets"]["splunk"]["status"], "skipped");
    assert!(d["targets"]["splunk"]["reason"].as_str().unwrap().contains("cased"));
    assert_eq!(d["targets"]["elastic"]["status"], "deployed");
    assert!(!p.savedsearches().contains("Cased match"));
}

#[test]
fn a_placeholder_without_a_value_is_not_dropped_silently() {
    let expand = rule(
        "Expanded",
        OTHER_ID,
        "  sel: {data.ip|expand: '%office_ips%'}\n  condition: sel",
    );
    let p = Project::new("", &[("good.yml", &good()), ("expand.yml", &expand)]);
    let out = p.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("office_ips"), "{err}");
}

#[test]
fn every_query_of_a_multi_query_rule_is_deployed() {
    let multi = rule(
        "Two queries",
        OTHER_ID,
        "  a: {data.type: f}\n  b: {data.type: fp}\n  condition: [a, b]",
    );
    let p = Project::new("", &[("multi.yml", &multi)]);
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conf = p.savedsearches();
    assert!(
        conf.contains("[Two queries (1/2)]") && conf.contains("[Two queries (2/2)]"),
        "{conf}"
    );
    assert!(
        conf.contains("data.type=\"f\"") && conf.contains("data.type=\"fp\""),
        "{conf}"
    );
    let rules: Vec<Value> = p
        .read("elastic/rules.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rules.len(), 2);
    assert_ne!(rules[0]["rule_id"], rules[1]["rule_id"]);
    let sumo: Value = serde_json::from_str(&p.read("sumo/searches.json")).unwrap();
    assert_eq!(sumo["children"].as_array().unwrap().len(), 2);
    let report = p.report();
    let names = &status_of(&report, "Two queries")["targets"]["splunk"]["names"];
    assert_eq!(names.as_array().unwrap().len(), 2);
}

#[test]
fn tokens_in_detection_values_are_filled_and_a_missing_one_fails_naming_every_use() {
    let hostname = rule(
        "Tenant URL used",
        OTHER_ID,
        "  sel: {data.hostname: '{tenant-url}', data.details.url|contains: 'https://{tenant-url}/api/v2/'}\n  condition: sel",
    );
    let p = Project::new(
        "variables: {tenant-url: acme.eu.auth0.com}\n",
        &[("hostname.yml", &hostname)],
    );
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conf = p.savedsearches();
    assert!(
        conf.contains("data.hostname=\"acme.eu.auth0.com\"") && conf.contains("https://acme.eu.auth0.com/api/v2/"),
        "{conf}"
    );
    assert!(!conf.contains("{tenant-url}"));
    assert!(!p.read("elastic/rules.ndjson").contains("{tenant-url}"));

    let p = Project::new("", &[("hostname.yml", &hostname)]);
    let out = p.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error[P602]").count(), 1, "one error per token: {err}");
    assert!(err.contains("used 2 times"), "{err}");
    assert!(!p.dist().exists());
}

/// Every missing token of a query is reported, each once, not only the first one.
#[test]
fn every_missing_token_of_one_value_is_reported() {
    let two = rule(
        "Two tokens",
        OTHER_ID,
        "  sel: {data.client_id: '{client}-{tenant}', data.hostname: '{tenant}'}\n  condition: sel",
    );
    let p = Project::new("", &[("two.yml", &two)]);
    let err = stderr(&p.build(&[]));
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error[P602]")).collect();
    assert_eq!(
        lines,
        [
            "error[P602]: token `{client}` has no value (used once in deployed queries)",
            "error[P602]: token `{tenant}` has no value (used 2 times in deployed queries)",
        ],
        "{err}"
    );
}

#[test]
fn titles_and_descriptions_cannot_add_conf_lines_or_html() {
    let hostile = format!(
        "title: \"Evil]\\n[default]\\naction.script = /tmp/x.sh\\r\\ndisabled = 0\"\nid: {OTHER_ID}\nlevel: high\nstatus: test\n\
         description: \"ends with a backslash \\\\\"\nlogsource: {{product: auth0}}\ndetection: {{sel: {{data.type: s}}, condition: sel}}\n"
    );
    let html = rule(
        "<img src=x onerror=alert(1)> [click](javascript:alert(1))",
        "3c3d3e3f-4041-4243-8445-464748494a4b",
        "  sel: {data.description: \"```\\n# not a heading\\n<script>alert(1)</script>\"}\n  condition: sel",
    );
    let p = Project::new(
        "targets: {splunk: {label: \"detc\\n[install]\\nis_configured = true\"}}\n",
        &[("hostile.yml", &hostile), ("html.yml", &html), ("good.yml", &good())],
    );
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conf = p.savedsearches();
    let headers: Vec<&str> = conf.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(headers.len(), 3, "one stanza per rule: {headers:?}");
    assert!(!conf.lines().any(|l| l.starts_with("action.script")), "{conf}");
    assert!(!headers.iter().any(|h| h.eq_ignore_ascii_case("[default]")));
    assert_eq!(
        conf.matches("\ndisabled = 1").count(),
        3,
        "every stanza keeps disabled = 1: {conf}"
    );
    assert!(
        !conf.lines().any(|l| l.starts_with("description") && l.ends_with('\\')),
        "{conf}"
    );
    let app = p.read("splunk/detc_detections/default/app.conf");
    assert_eq!(app.matches("\n[install]").count(), 1, "{app}");
    assert!(!app.lines().any(|l| l.starts_with("is_configured = true")), "{app}");
    assert!(app.contains("\nlabel = detc [install] is_configured = true\n"), "{app}");

    let docs: Vec<PathBuf> = std::fs::read_dir(p.dist().join("docs/rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(docs.len(), 3);
    for page in &docs {
        let text = std::fs::read_to_string(page).unwrap();
        // Read as CommonMark: rule text gives neither HTML nor links.
        let active: Vec<String> = pulldown_cmark::Parser::new(&text)
            .filter_map(|e| match e {
                pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => Some(h.to_string()),
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert!(active.is_empty(), "{active:?} in {text}");
    }
    let html_page = docs
        .iter()
        .find(|d| d.file_name().unwrap().to_string_lossy().starts_with("img-src-x"))
        .expect("a page named from the title's words");
    let text = std::fs::read_to_string(html_page).unwrap();
    // The query holds a ``` line: its code block is fenced with four backticks.
    assert!(text.contains("\n````\n"), "{text}");
}

#[test]
fn the_report_accounts_for_every_document_of_our_catalog() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("tests/golden/dist/report.json")).unwrap()).unwrap();
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(report["summary"]["documents"], docs.len());
    for d in docs {
        match d["status"].as_str().unwrap() {
            "deployed" => {
                for target in ["splunk", "elastic", "sumo", "docs"] {
                    assert_eq!(d["targets"][target]["status"], "deployed", "{d}");
                }
            }
            "consumed" => assert!(d["reasons"].is_array()),
            other => panic!("our catalog deploys everything, got {other}: {d}"),
        }
    }
}

#[test]
fn convert_withholds_a_broken_document_and_says_why() {
    let rules = broken_rules();
    let refs: Vec<(&str, &str)> = rules.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let p = Project::new("", &refs);
    let out = p.run(&["convert", "-t", "splunk", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &lines {
        let codes: Vec<&str> = line["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        if line["title"] == "Healthy rule" {
            assert_eq!(line["queries"].as_array().unwrap().len(), 1, "{line}");
        } else {
            assert!(line["queries"].as_array().unwrap().is_empty(), "{line}");
            assert!(!codes.is_empty(), "the reason is given: {line}");
        }
    }
    let null = lines.iter().find(|l| l["title"] == "Null selection").unwrap();
    assert!(null.to_string().contains("C205"), "{null}");
}

#[test]
fn a_custom_search_ending_in_a_backslash_is_refused_not_cut() {
    // A hand-written query ending in a backslash (YAML single quotes keep it literal).
    let custom = format!(
        "{}splunk: 'index=auth0 data.type=s C:\\'\n",
        rule("Custom", OTHER_ID, "  sel: {data.type: s}\n  condition: sel")
    );
    let p = Project::new(
        "targets: {splunk: {use_custom_queries: true}}\n",
        &[("custom.yml", &custom)],
    );
    let out = p.build(&[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("B808") && err.contains("ends in a backslash"), "{err}");
}
