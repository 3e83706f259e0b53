//! The built-in Windows pipelines on a few representative rules (tests/fixtures/windows/: process
//! creation, a Security event, a network connection with a boolean, registry, a PowerShell script
//! block, a DNS query, a Linux rule they must leave alone), converted with `--explain` and compared
//! with the committed tests/golden/pipelines/*.txt. Conformance with pySigma's pipelines of the same
//! names over the SigmaHQ sample is scripts/conformance/pipelines_compare.py (needs Python); with the
//! shared corpora, the last test checks that no pipeline but splunk_cim loses a SigmaHQ rule.
//!
//! Regenerate after a deliberate change, then review the diff:
//!
//! ```sh
//! DETC_UPDATE_GOLDEN=1 cargo test --test builtin_pipelines
//! ```

use std::path::Path;

mod common;
use common::{detc, stderr};

/// (golden file name, target, pipelines in the order given)
const RUNS: [(&str, &str, &[&str]); 9] = [
    ("lucene-ecs_windows", "lucene", &["ecs_windows"]),
    ("eql-ecs_windows", "eql", &["ecs_windows"]),
    ("eql-sysmon+ecs_windows", "eql", &["ecs_windows", "sysmon"]),
    ("esql-ecs_windows", "esql", &["ecs_windows"]),
    ("splunk-splunk_windows", "splunk", &["splunk_windows"]),
    ("splunk-sysmon+splunk_windows", "splunk", &["sysmon", "splunk_windows"]),
    ("splunk-splunk_cim", "splunk", &["splunk_cim"]),
    ("splunk-windows", "splunk", &["windows"]),
    ("splunk-sysmon+windows", "splunk", &["windows", "sysmon"]),
];

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/windows")
        .canonicalize()
        .unwrap()
}

/// `detc convert -t TARGET -p … --explain` of the fixtures, with their absolute folder removed.
fn fresh(target: &str, pipelines: &[&str]) -> String {
    let dir = fixtures();
    let mut args = vec!["convert", "-t", target, "--explain"];
    for p in pipelines {
        args.extend(["-p", p]);
    }
    let dir_text = dir.to_str().unwrap().to_string();
    args.push(&dir_text);
    let out = detc(&args);
    // splunk_cim refuses the rules it cannot express (exit 1); the others convert everything.
    let expected = if pipelines.contains(&"splunk_cim") { 1 } else { 0 };
    assert_eq!(
        out.status.code(),
        Some(expected),
        "{target} {pipelines:?}: {}",
        stderr(&out)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(&format!("{dir_text}/"), "")
}

#[test]
fn builtin_pipelines_convert_the_fixtures_as_committed() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pipelines");
    let mut drift = String::new();
    for (name, target, pipelines) in RUNS {
        let fresh = fresh(target, pipelines);
        let file = golden.join(format!("{name}.txt"));
        drift.push_str(&common::golden_drift(
            &file,
            &format!("tests/golden/pipelines/{name}.txt"),
            &fresh,
        ));
    }
    assert!(drift.is_empty(), "{drift}(DETC_UPDATE_GOLDEN=1 regenerates)");
}

#[test]
fn pysigma_name_of_a_builtin_is_an_alias() {
    assert_eq!(fresh("splunk", &["windows-logsources"]), fresh("splunk", &["windows"]));
}

#[test]
fn the_order_pipelines_are_given_in_does_not_matter() {
    // sysmon (priority 10) runs before splunk_windows (20) whichever comes first on the command line.
    assert_eq!(
        fresh("splunk", &["sysmon", "splunk_windows"]),
        fresh("splunk", &["splunk_windows", "sysmon"])
    );
}

#[test]
fn splunk_cim_refuses_what_the_data_models_lack_at_its_place() {
    let out = detc(&[
        "convert",
        "-t",
        "splunk",
        "-p",
        "splunk_cim",
        "--format",
        "jsonl",
        fixtures().to_str().unwrap(),
    ]);
    let records = common::json_lines(&out);
    let by_title = |t: &str| records.iter().find(|r| r["title"] == t).unwrap();
    // A category CIM has no data model for: refused at the rule's logsource.
    let dns = &by_title("DNS Query For A Paste Site")["diagnostics"][0];
    assert_eq!((dns["code"].as_str(), dns["line"].as_u64()), (Some("B801"), Some(5)));
    assert!(dns["message"].as_str().unwrap().contains("maps only process_creation"));
    // A field the data model lacks: refused at that field.
    let net = &by_title("Rundll32 Outbound Connection")["diagnostics"][0];
    assert_eq!(net["line"].as_u64(), Some(8), "{net}"); // `Image|endswith`
    assert!(net["message"].as_str().unwrap().contains("Network_Traffic.All_Traffic"));
    // The Linux process creation maps (Endpoint.Processes covers both products).
    assert_eq!(
        by_title("Netcat Reverse Shell")["queries"][0],
        r#"Processes.process_path="*/nc" Processes.process="* -e *""#
    );
}

#[test]
fn a_pipeline_written_for_other_targets_is_refused() {
    let out = detc(&[
        "convert",
        "-t",
        "lucene,splunk",
        "-p",
        "ecs_windows",
        fixtures().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pipeline `ecs_windows` is written for lucene, eql, esql, not splunk"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_pipelines_shows_each_builtin_with_its_targets() {
    let out = detc(&["list", "pipelines"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let targets = String::from_utf8(detc(&["list", "targets"]).stdout).unwrap();
    let known: Vec<&str> = targets.lines().filter_map(|l| l.split_whitespace().next()).collect();
    for line in text.lines() {
        let listed = line
            .split_once('[')
            .and_then(|(_, r)| r.split_once(']'))
            .expect("[targets]")
            .0;
        for t in listed.split(", ") {
            assert!(known.contains(&t), "{line}: `{t}` is not a target ({known:?})");
        }
    }
    for line in [
        "ecs_windows     [lucene, eql, esql]",
        "splunk_windows  [splunk]",
        "splunk_cim      [splunk]",
        "sysmon          [splunk, lucene, eql, esql, sumo]",
        "windows         [splunk, lucene, eql, esql, sumo]",
    ] {
        assert!(text.lines().any(|l| l.starts_with(line)), "{line}\n{text}");
    }
}

#[test]
fn a_builtin_name_wins_over_a_file_of_that_name_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sysmon"),
        "transformations: [{type: field_name_prefix, prefix: x.}]\n",
    )
    .unwrap();
    let rule = fixtures().join("proc_creation.yml");
    let run = |spec: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_detc"))
            .current_dir(dir.path())
            .args(["convert", "-t", "splunk", "-p", spec, rule.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let builtin = run("sysmon");
    assert!(stderr(&builtin).contains("using the built-in (write ./sysmon for the file)"));
    assert!(String::from_utf8_lossy(&builtin.stdout).starts_with("EventID=1 "));
    let file = run("./sysmon");
    assert!(
        String::from_utf8_lossy(&file.stdout).starts_with("x.ParentImage"),
        "{}",
        stderr(&file)
    );
}

/// `detc build` of one fixture rule with a detc.yaml whose targets name `pipelines`.
fn build_with(targets: &str) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::copy(
        fixtures().join("proc_creation.yml"),
        dir.path().join("rules/proc_creation.yml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("detc.yaml"),
        format!("catalog: [rules]\ntargets:\n{targets}"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(dir.path())
        .args(["build", "--out", "dist"])
        .output()
        .unwrap();
    (out, dir)
}

#[test]
fn detc_yaml_target_pipelines_compose_by_priority() {
    let (out, dir) =
        build_with("  splunk: {pipelines: [splunk_windows, sysmon]}\n  elastic: {pipelines: [ecs_windows]}\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let conf = std::fs::read_to_string(
        dir.path()
            .join("dist/splunk/detc_detections/default/savedsearches.conf"),
    )
    .unwrap();
    assert!(
        conf.contains(
            r#"search = source="WinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 ParentImage IN"#
        ),
        "{conf}"
    );
    let kibana = std::fs::read_to_string(dir.path().join("dist/elastic/rules.ndjson")).unwrap();
    assert!(kibana.contains("process.parent.executable.caseless"), "{kibana}");
}

#[test]
fn detc_yaml_pipeline_for_another_target_is_a_configuration_error() {
    let (out, _dir) = build_with("  splunk: {pipelines: [ecs_windows]}\n");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("targets.splunk.pipelines: `ecs_windows` is written for lucene, eql, esql, not splunk"),
        "{}",
        stderr(&out)
    );
}

/// Converted documents of the SigmaHQ sample (`path#doc` → queries) for a target and pipelines.
fn sample(shared: &Path, target: &str, pipelines: &[&str]) -> std::collections::BTreeMap<String, Vec<String>> {
    let dir = common::corpus(shared, "sigmahq-sample");
    let mut args = vec!["convert", "-t", target, "--format", "jsonl"];
    for p in pipelines {
        args.extend(["-p", p]);
    }
    let dir = dir.to_str().unwrap().to_string();
    args.push(&dir);
    common::json_lines(&detc(&args))
        .into_iter()
        .map(|r| {
            let queries = r["queries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q.as_str().unwrap().to_string());
            (
                format!("{}#{}", r["path"].as_str().unwrap(), r["document"]),
                queries.collect(),
            )
        })
        .collect()
}

#[test]
fn on_the_sigmahq_sample_no_pipeline_but_splunk_cim_loses_a_rule_and_services_are_scoped() {
    let Some(shared) = common::shared() else { return };
    let converted = |m: &std::collections::BTreeMap<String, Vec<String>>| {
        m.iter()
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
    };
    let plain_splunk = converted(&sample(&shared, "splunk", &[]));
    let plain_eql = converted(&sample(&shared, "eql", &[]));
    assert!(plain_splunk.len() > 300, "{}", plain_splunk.len());
    for pipelines in [
        &["splunk_windows"][..],
        &["sysmon"],
        &["windows"],
        &["sysmon", "splunk_windows"],
    ] {
        assert_eq!(
            converted(&sample(&shared, "splunk", pipelines)),
            plain_splunk,
            "{pipelines:?}"
        );
    }
    let ecs = sample(&shared, "eql", &["ecs_windows"]);
    assert_eq!(converted(&ecs), plain_eql);
    // Every Security-log rule is scoped to its channel.
    let security = std::fs::read_dir(common::corpus(&shared, "sigmahq-sample/rules/windows/builtin/security")).unwrap();
    let mut seen = 0;
    for f in security
        .flatten()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yml"))
    {
        let key = format!("{}#0", f.path().display());
        for q in ecs.get(&key).into_iter().flatten() {
            assert!(
                q.starts_with("any where winlog.channel:\"Security\" and "),
                "{key}: {q}"
            );
            seen += 1;
        }
    }
    assert!(seen > 5, "{seen}");
}
