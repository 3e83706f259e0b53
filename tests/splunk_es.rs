//! `targets.splunk.enterprise_security`: our catalog built as Splunk ES correlation searches matches
//! the reviewed golden app (tests/golden/es/), every stanza carries the ES keys, and what cannot be
//! written faithfully is reported (B810) or refused (S102) rather than deployed wrong.
//!
//! Regenerate the golden app after a deliberate change, then review the diff:
//!
//! ```sh
//! DETC_UPDATE_GOLDEN=1 cargo test --test splunk_es
//! ```

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::stderr;

const APP: &str = "splunk/detc_auth0_es";
const FILES: [&str; 3] = [
    "default/savedsearches.conf",
    "default/app.conf",
    "metadata/default.meta",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn build_with(config: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(root())
        .args([
            "--config",
            config.to_str().unwrap(),
            "build",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap()
}

/// The stanzas of a savedsearches.conf as (name, logical lines with continuations joined).
fn stanzas(conf: &str) -> Vec<(String, Vec<(String, String)>)> {
    let joined = conf.replace(" \\\n", "\n");
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in joined.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.to_string(), Vec::new()));
        } else if let (Some((k, v)), Some(last)) = (line.split_once(" = "), out.last_mut()) {
            last.1.push((k.to_string(), v.to_string()));
        }
    }
    out
}

fn value<'s>(stanza: &'s (String, Vec<(String, String)>), key: &str) -> Option<&'s str> {
    stanza.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn our_catalog_as_es_correlation_searches_matches_the_golden_app() {
    let dir = tempfile::tempdir().unwrap();
    let out = build_with(&root().join("tests/fixtures/es/detc.yaml"), &dir.path().join("dist"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("B810"),
        "every part is deployed for our catalog: {}",
        stderr(&out)
    );
    let golden = root().join("tests/golden/es").join(APP);
    let mut drift = String::new();
    for file in FILES {
        let fresh = std::fs::read_to_string(dir.path().join("dist").join(APP).join(file)).unwrap();
        let name = format!("tests/golden/es/{APP}/{file}");
        drift.push_str(&common::golden_drift(&golden.join(file), &name, &fresh));
    }
    assert!(
        drift.is_empty(),
        "{drift}\ntests/golden/es is out of date (regenerate with `DETC_UPDATE_GOLDEN=1 cargo test --test splunk_es` and review)"
    );
}

#[test]
fn every_golden_stanza_is_a_correlation_search_with_notable_drilldown_and_risk() {
    let conf = std::fs::read_to_string(root().join("tests/golden/es").join(APP).join(FILES[0])).unwrap();
    let all = stanzas(&conf);
    assert!(all.len() >= 20, "{}", all.len());
    for s in &all {
        assert_eq!(value(s, "action.correlationsearch.enabled"), Some("1"), "{}", s.0);
        assert_eq!(value(s, "action.correlationsearch.label"), Some(s.0.as_str()));
        assert_eq!(value(s, "action.notable"), Some("1"), "{}", s.0);
        assert_eq!(value(s, "action.notable.param.security_domain"), Some("identity"));
        assert_eq!(
            value(s, "action.notable.param.drilldown_search"),
            value(s, "search"),
            "{}",
            s.0
        );
        assert_eq!(value(s, "action.risk"), Some("1"), "{}", s.0);
        let annotations: serde_json::Value =
            serde_json::from_str(value(s, "action.correlationsearch.annotations").unwrap()).unwrap();
        assert!(annotations.is_object());
        let risk: serde_json::Value = serde_json::from_str(value(s, "action.risk.param._risk").unwrap()).unwrap();
        let (severity, score) = match value(s, "alert.severity").unwrap() {
            "5" => ("critical", 100),
            "4" => ("high", 75),
            "3" => ("medium", 50),
            "2" => ("low", 25),
            _ => ("informational", 10),
        };
        assert_eq!(value(s, "action.notable.param.severity"), Some(severity), "{}", s.0);
        for object in risk.as_array().unwrap() {
            if object.get("risk_score").is_some() {
                assert_eq!(object["risk_score"], score, "{}", s.0);
            }
        }
    }
    // A correlation groups its notables by, and scores only, its group-by field.
    let burst = all
        .iter()
        .find(|s| s.0 == "Credential Stuffing Burst From One IP")
        .expect("the correlation's stanza");
    assert_eq!(value(burst, "action.notable.param.nes_fields"), Some("data.ip"));
    assert_eq!(
        value(burst, "action.risk.param._risk"),
        Some(r#"[{"risk_object_field":"data.ip","risk_object_type":"system","risk_score":75}]"#)
    );
    assert_eq!(
        value(burst, "action.risk.param._risk_message"),
        Some("Credential Stuffing Burst From One IP (data.ip=$data.ip$)")
    );
}

fn project(config: &str, rule: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/r.yml"), rule).unwrap();
    std::fs::write(dir.path().join("detc.yaml"), format!("catalog: rules\n{config}")).unwrap();
    dir
}

const ES_ON: &str = "targets:\n  splunk:\n    enterprise_security:\n      enabled: true\n      risk_objects: [{field: data.user_id, type: user}]\n";

#[test]
fn a_search_with_a_dollar_is_deployed_without_drilldown_and_reported() {
    let dir = project(
        ES_ON,
        "title: Admin $share$ access\nid: 0f0e0d0c-0b0a-4909-8807-060504030201\nlevel: critical\nlogsource: {product: auth0}\n\
         detection: {sel: {data.description|endswith: 'ADMIN$'}, condition: sel}\n",
    );
    let conf_path = dir
        .path()
        .join("dist/splunk/detc_detections/default/savedsearches.conf");
    let out = build_with(&dir.path().join("detc.yaml"), &dir.path().join("dist"));
    let err = stderr(&out);
    assert!(out.status.success(), "a warning, not a failed build: {err}");
    assert!(
        err.contains("warning[B810]") && err.contains("r.yml:1:8") && err.contains("drill-down"),
        "{err}"
    );
    let conf = std::fs::read_to_string(conf_path).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("dist/report.json")).unwrap()).unwrap();
    let notes = &report["documents"][0]["notes"]["splunk"];
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().starts_with("B810 ")),
        "the report records the omission: {report}"
    );
    let s = &stanzas(&conf)[0];
    assert_eq!(value(s, "action.notable"), Some("1"));
    assert_eq!(value(s, "action.notable.param.severity"), Some("critical"));
    assert_eq!(value(s, "action.notable.param.drilldown_search"), None, "{conf}");
    assert_eq!(
        value(s, "action.notable.param.rule_title"),
        Some("Admin \u{FF04}share\u{FF04} access")
    );
    assert_eq!(
        value(s, "action.risk.param._risk_message"),
        Some("Admin \u{FF04}share\u{FF04} access (data.user_id=$data.user_id$)")
    );
}

#[test]
fn an_unknown_enterprise_security_key_is_refused_at_its_line() {
    let dir = project(
        "targets:\n  splunk:\n    enterprise_security:\n      enabled: true\n      risk_object: []\n",
        &common::rule("A rule", "0f0e0d0c-0b0a-4909-8807-060504030201"),
    );
    let out = build_with(&dir.path().join("detc.yaml"), &dir.path().join("dist"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("S102") && err.contains("detc.yaml:6:7"), "{err}");
    assert!(err.contains("did you mean `risk_objects`?"), "{err}");
    for (bad, line) in [
        ("      security_domain: cloud\n", 4),
        ("      risk_objects: [{field: '$user$', type: user}]\n", 4),
        ("      severity: {high: urgent}\n", 4),
    ] {
        std::fs::write(
            dir.path().join("detc.yaml"),
            format!("catalog: rules\ntargets:\n  splunk:\n    enterprise_security:\n{bad}"),
        )
        .unwrap();
        let out = build_with(&dir.path().join("detc.yaml"), &dir.path().join("dist"));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = stderr(&out);
        assert!(
            err.contains("S102") && err.contains(&format!("detc.yaml:{}:", line + 1)),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_correlation_scores_only_its_group_by_fields_and_says_when_none_applies() {
    let base = "title: Failed login\nid: 0f0e0d0c-0b0a-4909-8807-060504030201\nname: failed_login\nlevel: low\n\
                logsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n";
    let correlation = |group: &str| {
        format!(
            "{base}---\ntitle: Failures per {group}\nid: 1a1b1c1d-2e2f-4a3b-8c4d-5e6f7a8b9c0d\nlevel: high\n\
             correlation: {{type: event_count, rules: [failed_login], group-by: [{group}], timespan: 10m, condition: {{gte: 5}}}}\n"
        )
    };
    let dir = project(ES_ON, &correlation("data.user_id"));
    let out = build_with(&dir.path().join("detc.yaml"), &dir.path().join("dist"));
    assert!(
        out.status.success() && !stderr(&out).contains("B810"),
        "{}",
        stderr(&out)
    );
    let conf_path = dir
        .path()
        .join("dist/splunk/detc_detections/default/savedsearches.conf");
    let conf = std::fs::read_to_string(&conf_path).unwrap();
    let s = stanzas(&conf)
        .into_iter()
        .find(|s| s.0 == "Failures per data.user_id")
        .unwrap();
    assert_eq!(value(&s, "action.notable.param.nes_fields"), Some("data.user_id"));
    assert_eq!(
        value(&s, "action.risk.param._risk"),
        Some(r#"[{"risk_object_field":"data.user_id","risk_object_type":"user","risk_score":75}]"#)
    );

    std::fs::write(dir.path().join("rules/r.yml"), correlation("data.session_id")).unwrap();
    let out = build_with(&dir.path().join("detc.yaml"), &dir.path().join("dist"));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning[B810]") && err.contains("risk action") && err.contains("r.yml:8:8"),
        "{err}"
    );
    let conf = std::fs::read_to_string(&conf_path).unwrap();
    let s = stanzas(&conf)
        .into_iter()
        .find(|s| s.0 == "Failures per data.session_id")
        .unwrap();
    assert_eq!(value(&s, "action.notable"), Some("1"));
    assert_eq!(value(&s, "action.risk"), None, "{conf}");
}
