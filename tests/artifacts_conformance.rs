//! Shape and schedule checks of the artifacts `detc build` writes, for our catalog (the committed
//! tests/golden/dist, which tests/cli.rs keeps equal to a fresh build) and for the real Auth0 catalog
//! (built with scripts/conformance/auth0.detc.yaml; skipped, with a message, without ../shared):
//! Kibana correlation rules count over their Sigma timespan, Sumo's searches.json is a folder of
//! scheduled searches, the ATT&CK Navigator layer is a 4.5 layer. (These were checks 2, 5 and 6 of
//! scripts/conformance/artifacts.py, which keeps the checks that need Python tools.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use serde_json::Value;

mod common;
use common::{corpus, shared, stderr};

/// detc's namespace for the ids of documents without `id` (src/render/meta.rs, `ID_NAMESPACE`).
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d1a_8f3e_1c2b_4d5a_9e8f_7a6b_5c4d_3e2f);

fn seconds(n: &str, unit: &str) -> u64 {
    let n: u64 = n.parse().unwrap();
    n * match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        _ => unreachable!(),
    }
}

fn duration(text: &str) -> Option<u64> {
    let c = Regex::new(r"^\s*(\d+)\s*([smhdw])\s*$").unwrap().captures(text)?;
    Some(seconds(&c[1], &c[2]))
}

/// (timespan in seconds, as written, where) of a correlation.
type Timespan = (u64, String, String);

/// The timespans of the catalog's correlations by every id detc may give them (the document's `id`,
/// else detc's UUID v5 of `<file name>#<document index>#<title>`), and by title.
fn timespans(roots: &[PathBuf]) -> (HashMap<String, Timespan>, HashMap<String, Vec<Timespan>>) {
    let catalog = detc::catalog::Catalog::load(roots);
    let (mut by_id, mut by_title) = (HashMap::new(), HashMap::<String, Vec<Timespan>>::new());
    for doc in &catalog.documents {
        let Some(written) = doc
            .root
            .get("correlation")
            .and_then(|c| c.get("timespan"))
            .and_then(|t| t.scalar_text())
        else {
            continue;
        };
        let Some(secs) = duration(written) else { continue };
        let file = doc.path().file_name().unwrap().to_string_lossy().into_owned();
        let item = (
            secs,
            written.to_string(),
            format!("{}#{}", doc.path().display(), doc.index),
        );
        let title = doc.root.get("title").and_then(|t| t.scalar_text()).unwrap_or("");
        let id = match doc.root.get("id").and_then(|i| i.scalar_text()) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                let name = format!("{file}#{}#{}", doc.index, title.trim_end());
                uuid::Uuid::new_v5(&ID_NAMESPACE, name.as_bytes()).to_string()
            }
        };
        by_id.insert(id, item.clone());
        if !title.trim().is_empty() {
            by_title.entry(title.trim().to_string()).or_default().push(item);
        }
    }
    (by_id, by_title)
}

fn is_correlation(rule: &Value) -> bool {
    let query = rule["query"].as_str().unwrap_or("");
    match rule["type"].as_str() {
        Some("threshold") => true,
        Some("eql") => Regex::new(r"(?i)^\s*sequence\b").unwrap().is_match(query),
        Some("esql") => Regex::new(r"(?i)\|\s*stats\b").unwrap().is_match(query),
        _ => false,
    }
}

/// A threshold rule counts over its whole `from` window: `from` and the alert suppression equal
/// the timespan and the interval does not exceed it (each burst is seen by some run, alerted once).
/// EQL sequences and ES|QL correlations bound the window in the query: `from` looks back at least
/// the timespan plus the interval. Returns how many correlation rules were checked.
fn check_windows(dist: &Path, roots: &[PathBuf], problems: &mut Vec<String>) -> usize {
    let (by_id, by_title) = timespans(roots);
    let text = std::fs::read_to_string(dist.join("elastic/rules.ndjson")).unwrap();
    let from_re = Regex::new(r"^now-(\d+)([smhd])$").unwrap();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        let rule: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        if !is_correlation(&rule) {
            continue;
        }
        let label = format!("line {} {} {} {}", n + 1, rule["type"], rule["rule_id"], rule["name"]);
        let Some(lookback) = from_re
            .captures(rule["from"].as_str().unwrap_or(""))
            .map(|c| seconds(&c[1], &c[2]))
        else {
            problems.push(format!("{label}: `from` {} is not now-<n><s|m|h|d>", rule["from"]));
            continue;
        };
        let Some(interval) = rule["interval"].as_str().and_then(duration) else {
            problems.push(format!(
                "{label}: `interval` {} missing or not <n><s|m|h|d>",
                rule["interval"]
            ));
            continue;
        };
        let found = rule["rule_id"].as_str().and_then(|id| by_id.get(id)).or_else(|| {
            match by_title
                .get(rule["name"].as_str().unwrap_or("").trim())
                .map(Vec::as_slice)
            {
                Some([only]) => Some(only),
                _ => None,
            }
        });
        let Some((secs, written, at)) = found else {
            problems.push(format!(
                "{label}: no correlation with this rule_id (or a unique title): timespan unknown"
            ));
            continue;
        };
        checked += 1;
        if rule["type"] == "threshold" {
            let d = &rule["alert_suppression"]["duration"];
            let suppressed = match (d["value"].as_u64(), d["unit"].as_str()) {
                (Some(v), Some(u @ ("s" | "m" | "h" | "d"))) => seconds(&v.to_string(), u),
                _ => 0,
            };
            if lookback != *secs || interval > *secs || suppressed != *secs {
                problems.push(format!(
                    "{label}: threshold window from {} ({lookback}s), interval {} ({interval}s), suppression \
                     {suppressed}s; the timespan {written} of {at} is {secs}s",
                    rule["from"], rule["interval"]
                ));
            }
        } else if lookback < secs + interval {
            problems.push(format!(
                "{label}: from {} ({lookback}s) < timespan {written} of {at} + interval {} = {}s",
                rule["from"],
                rule["interval"],
                secs + interval
            ));
        }
    }
    checked
}

/// A FolderSyncDefinition whose every child is a scheduled search with a query, a 7-field Quartz
/// cron expression and a time range.
fn check_sumo(dist: &Path, problems: &mut Vec<String>) -> usize {
    let data: Value = serde_json::from_str(&std::fs::read_to_string(dist.join("sumo/searches.json")).unwrap()).unwrap();
    assert_eq!(data["type"], "FolderSyncDefinition");
    assert!(
        !data["name"].as_str().unwrap_or("").trim().is_empty(),
        "folder has no name"
    );
    let children = data["children"].as_array().expect("children");
    assert!(!children.is_empty(), "no children");
    for (i, child) in children.iter().enumerate() {
        let mut wrong = Vec::new();
        if child["type"] != "SavedSearchWithScheduleSyncDefinition" {
            wrong.push(format!("type {}", child["type"]));
        }
        if child["name"].as_str().is_none_or(|n| n.trim().is_empty()) {
            wrong.push("no name".to_string());
        }
        if child["search"]["queryText"]
            .as_str()
            .is_none_or(|q| q.trim().is_empty())
        {
            wrong.push("no search.queryText".to_string());
        }
        let schedule = &child["searchSchedule"];
        match schedule["cronExpression"].as_str() {
            Some(cron) if cron.split_whitespace().count() == 7 => {}
            cron => wrong.push(format!("searchSchedule.cronExpression {cron:?} is not 7 Quartz fields")),
        }
        if schedule["parseableTimeRange"]["type"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            wrong.push("no searchSchedule.parseableTimeRange (with a type)".to_string());
        }
        if !wrong.is_empty() {
            problems.push(format!("sumo children[{i}] {}: {}", child["name"], wrong.join("; ")));
        }
    }
    children.len()
}

/// An ATT&CK Navigator 4.5 layer of the Enterprise domain; every technique has an ATT&CK id and, when
/// it names one, an Enterprise tactic.
fn check_navigator(dist: &Path, problems: &mut Vec<String>) -> usize {
    const TACTICS: [&str; 14] = [
        "reconnaissance",
        "resource-development",
        "initial-access",
        "execution",
        "persistence",
        "privilege-escalation",
        "defense-evasion",
        "credential-access",
        "discovery",
        "lateral-movement",
        "collection",
        "command-and-control",
        "exfiltration",
        "impact",
    ];
    let layer: Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("navigator/layer.json")).unwrap()).unwrap();
    assert_eq!(layer["versions"]["layer"], "4.5");
    assert_eq!(layer["domain"], "enterprise-attack");
    assert!(!layer["name"].as_str().unwrap_or("").trim().is_empty(), "no name");
    let id = Regex::new(r"^T\d{4}(\.\d{3})?$").unwrap();
    let techniques = layer["techniques"].as_array().expect("a techniques list");
    for (i, t) in techniques.iter().enumerate() {
        let tid = t["techniqueID"].as_str().unwrap_or("");
        if !id.is_match(tid) {
            problems.push(format!("navigator techniques[{i}]: techniqueID {}", t["techniqueID"]));
        } else if let Some(tactic) = t.get("tactic").filter(|t| !t.is_null())
            && !tactic.as_str().is_some_and(|s| TACTICS.contains(&s))
        {
            problems.push(format!(
                "navigator techniques[{i}] {tid}: tactic {tactic} is no Enterprise tactic"
            ));
        }
    }
    techniques.len()
}

#[test]
fn our_catalogs_artifacts_have_their_windows_and_shapes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dist = root.join("tests/golden/dist");
    let mut problems = Vec::new();
    let windows = check_windows(&dist, &[root.join("detections")], &mut problems);
    let searches = check_sumo(&dist, &mut problems);
    let techniques = check_navigator(&dist, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(windows >= 3, "{windows} correlation rules checked");
    assert!(
        searches > 10 && techniques > 5,
        "{searches} searches, {techniques} techniques"
    );
}

#[test]
fn the_auth0_catalogs_artifacts_have_their_windows_and_shapes() {
    let Some(shared) = shared() else { return };
    let catalog = corpus(&shared, "auth0/detections");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = std::fs::read_to_string(root.join("scripts/conformance/auth0.detc.yaml"))
        .unwrap()
        .replace(
            "../../../shared/corpus/auth0/detections",
            &catalog.display().to_string(),
        );
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("detc.yaml"), config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(project.path())
        .args(["build", "--out", "dist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dist = project.path().join("dist");
    let mut problems = Vec::new();
    let windows = check_windows(&dist, &[catalog], &mut problems);
    let searches = check_sumo(&dist, &mut problems);
    let techniques = check_navigator(&dist, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(windows >= 4, "{windows} correlation rules checked");
    assert!(
        searches > 20 && techniques > 5,
        "{searches} searches, {techniques} techniques"
    );
}

/// The window check can fail: a threshold rule looking back less than its timespan is reported.
#[test]
fn a_short_window_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        rules.join("c.yml"),
        "title: Burst\nid: 11111111-1111-4111-8111-111111111111\ncorrelation:\n  type: event_count\n  rules: [r]\n  \
         group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 5}\n",
    )
    .unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("elastic")).unwrap();
    let rule = |from: &str| {
        format!(
            "{{\"type\":\"threshold\",\"rule_id\":\"11111111-1111-4111-8111-111111111111\",\"name\":\"Burst\",\
             \"from\":\"{from}\",\"interval\":\"5m\",\"alert_suppression\":{{\"duration\":{{\"value\":1,\"unit\":\"h\"}}}}}}\n"
        )
    };
    std::fs::write(dist.join("elastic/rules.ndjson"), rule("now-1h")).unwrap();
    let mut problems = Vec::new();
    assert_eq!(check_windows(&dist, std::slice::from_ref(&rules), &mut problems), 1);
    assert!(problems.is_empty(), "{problems:?}");
    std::fs::write(dist.join("elastic/rules.ndjson"), rule("now-30m")).unwrap();
    check_windows(&dist, &[rules], &mut problems);
    assert_eq!(problems.len(), 1, "{problems:?}");
}
