//! `detc check` and `detc convert` over the shared corpora (../shared beside the repository, or
//! `$DETC_SHARED`): the real Auth0 catalog's documented defects are reported at their places, the
//! SigmaHQ sample checks clean, the built-in Auth0 pipelines scope every query, and every field path
//! of the Auth0 catalog is checked against the Auth0 log taxonomy. Skipped, with a message, when the
//! corpora are absent. (These were scripts/conformance/*.py and `gen_data.py --check-rules`.)

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use regex::Regex;
use serde_json::Value;

mod common;
use common::{corpus, detc, json_lines, shared, stderr};

fn file_name(d: &Value) -> &str {
    let f = d["file"].as_str().unwrap();
    f.rsplit('/').next().unwrap()
}

/// Rule files under `dir`, at any depth.
fn yaml_files(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            n += yaml_files(&p);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            n += 1;
        }
    }
    n
}

/// The real Auth0 catalog (docs/anchors.md §1d of the shared folder lists its defects): each is
/// reported at its `file:line:column`, recurring ones the expected number of times, the only errors
/// are the defects, every document loads and validates, and the run exits 1.
#[test]
fn every_documented_auth0_defect_is_reported_at_its_place() {
    let Some(shared) = shared() else { return };
    let catalog = corpus(&shared, "auth0/detections");
    let out = detc(&["check", "--format", "json", catalog.to_str().unwrap()]);
    let diags = json_lines(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let files = yaml_files(&catalog);
    assert_eq!(files, 33);
    assert!(
        err.contains("33 files, 41 documents"),
        "not every document was checked: {err}"
    );

    // (code, file, line, column), read off the files.
    let expected: [(&str, &str, u64, u64); 13] = [
        // §1d.1: `{global_client_id}` unquoted is a YAML flow mapping.
        ("C206", "client_with_overpermissive_granted_scopes.yml", 16, 25),
        // §1d.3: every list item under `data.type:` commented out, so the value is null.
        ("C205", "logins_or_signups_from_suspicious_ips.yml", 18, 9),
        // §1d.6: `false_positive:` for `falsepositives`, and no `level`.
        ("Q503", "liquidjs_xss_vulnerability.yml", 44, 1),
        ("Q502", "liquidjs_xss_vulnerability.yml", 1, 1),
        ("Q502", "many_failed_authorization_requests.yml", 1, 1),
        ("Q502", "mfa_downgrade_disable_mfa_policies.yml", 1, 1),
        // §1d.6: `data.request.body.allowlist` lacks `details.`.
        ("C210", "unrecognized_ip_in_allowlist.yml", 25, 9),
        // §1d.5: ATT&CK tactics written with underscores.
        ("Q513", "logins_or_signups_from_suspicious_ips.yml", 75, 7),
        ("Q513", "logins_or_signups_from_suspicious_ips.yml", 76, 7),
        ("Q513", "many_unverified_accounts_created.yml", 69, 7),
        // Thresholds every group meets (`gte: 0` distinct values, `gte: 1` event).
        ("C221", "risk_of_signup_fraud_by_disposable_domains.yml", 78, 9),
        ("C221", "refresh_token_reuse.yml", 70, 9),
        ("C221", "risk_of_signup_fraud_by_volume.yml", 93, 9),
    ];
    let got: HashSet<(&str, &str, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                file_name(d),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let missing: Vec<_> = expected.iter().filter(|e| !got.contains(e)).collect();
    assert!(missing.is_empty(), "missing: {missing:?}\n{err}");
    let c210 = diags.iter().find(|d| d["code"] == "C210").unwrap();
    assert_eq!(c210["help"], "did you mean `data.details.request.body.allowlist`?");

    // Recurring findings: 8 correlations without `id` (§1d.6), 3 rules without `level`, 3 tags with
    // underscores, and `selected_events` defined in 8 files (§1d.2).
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for d in &diags {
        *counts.entry(d["code"].as_str().unwrap()).or_default() += 1;
    }
    for (code, n) in [("Q501", 8), ("Q502", 3), ("Q513", 3), ("R405", 8), ("C210", 1)] {
        assert_eq!(counts.get(code).copied().unwrap_or(0), n, "{code}");
    }
    // §1d.6: the `{placeholder}` tokens of detection values are reported, not silently kept: each
    // token once for the catalog, its other uses as related locations.
    let p601: Vec<&Value> = diags.iter().filter(|d| d["code"] == "P601").collect();
    let tokens: BTreeSet<&str> = p601
        .iter()
        .filter_map(|d| d["message"].as_str()?.split('`').nth(1))
        .collect();
    assert_eq!(tokens.len(), p601.len(), "a token is reported more than once");
    assert!(tokens.contains("{your-tenant-name}"), "{tokens:?}");
    assert!(tokens.len() >= 34, "{tokens:?}");
    let uses: usize = p601.iter().map(|d| 1 + d["related"].as_array().unwrap().len()).sum();
    assert_eq!(uses, 83, "every use of a token is still listed");

    // The only errors are defects listed above: a new one is a false positive or a defect to list.
    let errors: BTreeSet<(&str, &str, u64, u64)> = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                file_name(d),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected_errors: BTreeSet<_> = expected
        .iter()
        .copied()
        .filter(|(code, ..)| ["C205", "C206", "C221"].contains(code))
        .collect();
    assert_eq!(errors, expected_errors);
    // Every document loads and validates against the schema.
    let broken: Vec<&Value> = diags
        .iter()
        .filter(|d| {
            let c = d["code"].as_str().unwrap();
            c.starts_with('E') || c.starts_with('S')
        })
        .collect();
    assert!(broken.is_empty(), "a document failed to load or validate: {broken:#?}");
}

/// The SigmaHQ sample is valid Sigma: an error would be a false positive of ours.
#[test]
fn the_sigmahq_sample_checks_without_errors() {
    let Some(shared) = shared() else { return };
    let sample = corpus(&shared, "sigmahq-sample");
    let out = detc(&["check", "--format", "json", sample.to_str().unwrap()]);
    let diags = json_lines(&out);
    let err = stderr(&out);
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for d in &diags {
        *counts
            .entry((d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
            .or_default() += 1;
    }
    eprintln!("sigmahq: {}; {counts:?}", err.trim());
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["file"], d["line"], d["column"], d["code"], d["message"]
            )
        })
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(out.status.code(), Some(0), "{err}");
    let files = yaml_files(&sample);
    assert!(files > 300, "{files}");
    assert!(
        err.contains(&format!("{files} files, {files} documents")),
        "not every document was checked: {err}"
    );
}

/// `detc check` on SigmaHQ's `rules/` from a folder without detc.yaml (issue 12, "done when"): no
/// error, no warning, and a handful of notices (today one per ATT&CK technique newer than the
/// embedded table; the literal wildcards some rules escape on purpose are not reported).
#[test]
fn the_sigmahq_rules_check_quietly() {
    let Some(shared) = shared() else { return };
    let rules = corpus(&shared, "sigmahq-sample/rules");
    let out = detc(&["check", "--format", "json", rules.to_str().unwrap()]);
    let diags = json_lines(&out);
    let loud: Vec<&Value> = diags.iter().filter(|d| d["severity"] != "info").collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert!(diags.len() <= 5, "{diags:#?}");
    let mut newer: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "Q516")
        .filter_map(|d| d["message"].as_str()?.split('`').nth(1))
        .collect();
    newer.sort();
    assert_eq!(newer, ["t1685", "t1686"], "one notice per technique");
}

/// Field references of a query, per language, after string literals are blanked out (timebuckets,
/// counts and metadata columns are detc's own names, not event fields).
fn query_fields(target: &str, query: &str) -> Vec<String> {
    let field = match target {
        "lucene" => r"(?:^|[\s(])(?:_exists_:)?((?:\\.|[A-Za-z_@])(?:\\.|[\w.@-])*):",
        "esql" => {
            r"\b(?:TO_LOWER\(|starts_with\(|ends_with\(|cidr_match\()?([A-Za-z_@][\w.@]*)\s*(?:==|>=|<=|>|<|\)\s*(?:==|like|in)| like| rlike| in | is )"
        }
        "eql" => r"\??([A-Za-z_@][\w.@]*)\s*(?::|==|!=|>=|<=|>|<| like~?| regex~?| in )",
        _ => unreachable!(),
    };
    let field = Regex::new(field).unwrap();
    let string = Regex::new(r#""(?:\\.|[^"\\])*""#).unwrap();
    let body = if target == "esql" {
        query.split_once("| where ").map_or(query, |(_, w)| w)
    } else {
        query
    };
    let body = string.replace_all(body, "\"\"");
    const OURS: [&str; 10] = [
        "timebucket",
        "event_count",
        "value_count",
        "event_type_count",
        "event_type",
        "any",
        "where",
        "_id",
        "_index",
        "_version",
    ];
    field
        .captures_iter(&body)
        .map(|c| c[1].replace('\\', ""))
        .filter(|name| !OURS.contains(&name.as_str()))
        .collect()
}

fn convert(target: &str, pipeline: Option<&str>, catalog: &Path) -> Vec<Value> {
    let mut args = vec!["convert", "-t", target, "--format", "jsonl"];
    if let Some(p) = pipeline {
        args.extend(["-p", p]);
    }
    args.push(catalog.to_str().unwrap());
    let out = detc(&args);
    // Exit 1: the catalog has documents that cannot convert (reported in their records).
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 41, "one record per document");
    docs
}

fn queries(doc: &Value) -> impl Iterator<Item = &str> {
    doc["queries"].as_array().unwrap().iter().map(|q| q.as_str().unwrap())
}

/// With `auth0_elastic` every field of every Lucene, ES|QL and EQL query of the Auth0 catalog is under
/// `auth0.logs.data.` (and ES|QL reads the integration's data stream); with `auth0_splunk` every
/// Splunk search starts with its index and sourcetype.
#[test]
fn the_builtin_auth0_pipelines_scope_every_query() {
    let Some(shared) = shared() else { return };
    let catalog = corpus(&shared, "auth0/detections");
    let mut problems = Vec::new();
    for target in ["lucene", "esql", "eql"] {
        let mut checked = 0;
        for doc in convert(target, Some("auth0_elastic"), &catalog) {
            for q in queries(&doc) {
                if target == "esql" && !q.starts_with("from logs-auth0.logs-* ") {
                    problems.push(format!(
                        "esql {}#{}: not over the data stream: {q}",
                        doc["path"], doc["document"]
                    ));
                }
                for name in query_fields(target, q) {
                    checked += 1;
                    if !name.starts_with("auth0.logs.data.") {
                        problems.push(format!(
                            "{target} {}#{}: field `{name}` outside auth0.logs.data.*",
                            doc["path"], doc["document"]
                        ));
                    }
                }
            }
        }
        assert!(checked > 50, "{target}: only {checked} field references found");
        // The check can fail: without the pipeline the same queries name `data.*` fields.
        let bare: usize = convert(target, None, &catalog)
            .iter()
            .flat_map(|d| queries(d).flat_map(|q| query_fields(target, q)).collect::<Vec<_>>())
            .filter(|name| name.starts_with("data."))
            .count();
        assert!(
            bare >= checked / 2,
            "{target}: {bare} unprefixed fields without the pipeline"
        );
    }
    let mut searches = 0;
    for doc in convert("splunk", Some("auth0_splunk"), &catalog) {
        for q in queries(&doc) {
            searches += 1;
            if !q.starts_with("index=\"auth0\" sourcetype=\"auth0\" ") {
                problems.push(format!(
                    "splunk {}#{}: search not scoped by index and sourcetype: {q}",
                    doc["path"], doc["document"]
                ));
            }
        }
    }
    assert!(searches >= 25, "{searches}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Detection selection keys, correlation `group-by` and `field` of a Sigma YAML file, read line by
/// line (the catalog's block-style YAML), independently of detc's loader.
fn rule_fields(text: &str) -> Vec<(&'static str, String)> {
    let key =
        Regex::new(r##"^(\s*)(?:-\s+)?(?:'([^'"\s#][^'"#]*?)'|"([^'"\s#][^'"#]*?)"|([^'"\s#][^'"#]*?))\s*:(?:\s|$)"##)
            .unwrap();
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
    let mut found = Vec::new();
    let (mut section, mut base, mut sel_indent) = (String::new(), None, None);
    let mut in_group_by = false;
    for raw in text.lines() {
        if raw.trim() == "---" {
            section.clear();
            continue;
        }
        let line = if raw.trim_start().starts_with('#') {
            ""
        } else {
            raw.split(" #").next().unwrap().trim_end()
        };
        if line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            section = line.split(':').next().unwrap().to_string();
            (base, sel_indent, in_group_by) = (None, None, false);
            continue;
        }
        if section == "detection" {
            let Some(m) = key.captures(line) else { continue };
            let ind = m[1].len();
            let base = *base.get_or_insert(ind);
            if ind == base {
                sel_indent = None;
                continue;
            }
            if ind == *sel_indent.get_or_insert(ind) {
                let name = m.get(2).or(m.get(3)).or(m.get(4)).unwrap().as_str();
                found.push(("detection", name.to_string()));
            }
        } else if section == "correlation" {
            let s = line.trim();
            if s.starts_with("group-by:") {
                in_group_by = true;
                continue;
            }
            if in_group_by && let Some(item) = s.strip_prefix("- ") {
                found.push(("group-by", unquote(item)));
                continue;
            }
            in_group_by = false;
            if let Some(f) = s.strip_prefix("field:") {
                found.push(("field", unquote(f)));
            }
        }
    }
    found
}

/// The lookup data/auth0-fields.tsv documents (tools/gen-data/README.md): strip `|modifiers`; a
/// path is accepted on an exact match, or when a proper prefix of it cut before a `.` or a `{}` is
/// `open` or `array-open`.
struct Taxonomy(HashMap<String, HashSet<String>>);

impl Taxonomy {
    fn load() -> Taxonomy {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/auth0-fields.tsv")).unwrap();
        let mut kinds: HashMap<String, HashSet<String>> = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(path), Some(kind)) = (cols.next(), cols.next()) else {
                continue;
            };
            kinds.entry(path.to_string()).or_default().insert(kind.to_string());
        }
        Taxonomy(kinds)
    }

    fn accepts(&self, field: &str) -> bool {
        let p = field.split('|').next().unwrap().trim();
        if self.0.contains_key(p) {
            return true;
        }
        (0..p.len()).filter(|&i| p.is_char_boundary(i)).any(|i| {
            (p[i..].starts_with('.') || p[i..].starts_with("{}"))
                && self
                    .0
                    .get(&p[..i])
                    .is_some_and(|k| k.contains("open") || k.contains("array-open"))
        })
    }
}

/// Every field path of the Auth0 catalog (detection keys, correlation `group-by` and `field`) is in
/// the taxonomy of Auth0's log schemas except the documented `data.request.body.allowlist`, and detc's
/// own taxonomy lint (C210) reports exactly the detection paths this independent check rejects.
#[test]
fn every_auth0_field_path_is_in_the_log_taxonomy() {
    let Some(shared) = shared() else { return };
    let catalog = corpus(&shared, "auth0/detections");
    let taxonomy = Taxonomy::load();
    let mut used = BTreeSet::new();
    let mut sections = BTreeSet::new();
    let mut rejected = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&catalog)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|x| x == "yml")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for (section, field) in rule_fields(&std::fs::read_to_string(path).unwrap()) {
            used.insert(field.split('|').next().unwrap().to_string());
            sections.insert(section);
            if !taxonomy.accepts(&field) {
                rejected.push((name.clone(), section, field));
            }
        }
    }
    assert_eq!(used.len(), 29, "distinct field paths read: {used:?}");
    assert_eq!(sections.len(), 3, "{sections:?}");
    assert_eq!(
        rejected,
        [(
            "unrecognized_ip_in_allowlist.yml".to_string(),
            "detection",
            "data.request.body.allowlist".to_string()
        )]
    );

    let out = detc(&[
        "check",
        "--format",
        "json",
        "--select",
        "C210",
        catalog.to_str().unwrap(),
    ]);
    let lint: Vec<(String, &'static str, String)> = json_lines(&out)
        .iter()
        .map(|d| {
            let field = d["message"].as_str().unwrap().split('`').nth(1).unwrap().to_string();
            (file_name(d).to_string(), "detection", field)
        })
        .collect();
    let detection_rejected: Vec<_> = rejected.into_iter().filter(|r| r.1 == "detection").collect();
    assert_eq!(lint, detection_rejected);
}

#[test]
fn the_line_reader_finds_selection_keys_and_correlation_fields() {
    let text = "title: t\ndetection:\n  sel:\n    data.type: s  # comment\n    'data.ip|cidr':\n      - 10.0.0.0/8\n  list:\n    - data.a: 1\n  condition: sel\n---\ncorrelation:\n  group-by:\n    - data.ip\n    - \"data.user_id\"\n  field: data.hostname\n";
    assert_eq!(
        rule_fields(text),
        [
            ("detection", "data.type".to_string()),
            ("detection", "data.ip|cidr".to_string()),
            ("detection", "data.a".to_string()),
            ("group-by", "data.ip".to_string()),
            ("group-by", "data.user_id".to_string()),
            ("field", "data.hostname".to_string()),
        ]
    );
    let t = Taxonomy::load();
    assert!(t.accepts("data.type"));
    assert!(t.accepts("data.details.request.body.anything|contains"));
    assert!(!t.accepts("data.request.body.allowlist"));
}
