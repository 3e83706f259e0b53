//! `detc build` over the shared corpora (../shared beside the repository): every document of a real
//! catalog is accounted for, and a real catalog's `{token}`s are all filled. Skipped, with a message,
//! when the corpora are absent (a clone of the repository alone).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::shared;

fn build(project: &Path, config: &str, extra: &[&str]) -> Output {
    std::fs::write(project.join("detc.yaml"), config).unwrap();
    let mut args = vec!["build", "--out", "dist"];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(project)
        .args(&args)
        .output()
        .expect("detc runs")
}

fn artifact_texts(dist: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dist.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                out.push((p, t));
            }
        }
    }
    out
}

/// Before: 3,141 SigmaHQ rules gave 3,139 Splunk stanzas with no message. Now a document a target
/// cannot express either fails the build or, opted out, is listed and recorded.
#[test]
fn every_sigmahq_document_is_deployed_or_listed() {
    let Some(shared) = shared() else { return };
    let sample = shared.join("corpus/sigmahq-sample").canonicalize().unwrap();
    let project = tempfile::tempdir().unwrap();
    let catalog = format!("catalog: [{}]\n", sample.display());
    let strict = build(project.path(), &catalog, &[]);
    let skip_all = format!(
        "{catalog}targets:\n  splunk: {{skip_unsupported: true}}\n  elastic: {{skip_unsupported: true}}\n  sumo: {{skip_unsupported: true}}\n"
    );
    let lenient = build(project.path(), &skip_all, &[]);
    let err = String::from_utf8_lossy(&lenient.stderr);
    assert_eq!(lenient.status.code(), Some(0), "{err}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(project.path().join("dist/report.json")).unwrap()).unwrap();
    let docs = report["documents"].as_array().unwrap();
    let mut skipped = 0;
    for d in docs {
        let status = d["status"].as_str().unwrap();
        assert!(["deployed", "partial", "consumed", "filter"].contains(&status), "{d}");
        for (target, t) in d["targets"].as_object().into_iter().flatten() {
            if t["status"] == "skipped" {
                skipped += 1;
                assert!(!t["reason"].as_str().unwrap().is_empty(), "{target}: {d}");
                assert!(err.contains(d["title"].as_str().unwrap()), "listed on stderr: {d}");
            }
        }
    }
    // The strict build fails exactly when something had to be skipped.
    assert_eq!(strict.status.code(), Some(if skipped > 0 { 1 } else { 0 }));
    let splunk_deployed: usize = docs
        .iter()
        .filter_map(|d| d["targets"]["splunk"]["names"].as_array())
        .map(Vec::len)
        .sum();
    let conf = std::fs::read_to_string(
        project
            .path()
            .join("dist/splunk/detc_detections/default/savedsearches.conf"),
    )
    .unwrap();
    let stanzas = conf.lines().filter(|l| l.starts_with('[')).count();
    assert_eq!(stanzas, splunk_deployed, "every stanza is in the report and vice versa");
}

/// The real Auth0 catalog with its variables (scripts/conformance/auth0.detc.yaml) builds with every
/// token filled; without them the build fails naming each missing token once.
#[test]
fn the_auth0_catalog_builds_with_every_token_filled() {
    let Some(shared) = shared() else { return };
    let catalog = shared.join("corpus/auth0/detections").canonicalize().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let with_vars = std::fs::read_to_string(root.join("scripts/conformance/auth0.detc.yaml"))
        .unwrap()
        .replace(
            "../../../shared/corpus/auth0/detections",
            &catalog.display().to_string(),
        )
        .replace("use_custom_queries: false", "use_custom_queries: true");
    let project = tempfile::tempdir().unwrap();
    let out = build(project.path(), &with_vars, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let token = regex::Regex::new(r"\{[A-Za-z_][A-Za-z0-9_.\-]*\}").unwrap();
    for (path, text) in artifact_texts(&project.path().join("dist")) {
        let name = path.to_string_lossy();
        if name.contains("/docs/") || name.contains("/site/") || name.ends_with("report.json") {
            continue; // pages show the rule as written (the site: its detection block)
        }
        // Sumo's own notification template variable is not ours.
        let text = text.replace("{{Name}}", "");
        let left: Vec<&str> = token.find_iter(&text).map(|m| m.as_str()).collect();
        assert!(left.is_empty(), "{name}: {left:?}");
    }

    let bare = format!(
        "catalog: [{}]\nexclude_broken: true\ntargets: {{splunk: {{use_custom_queries: true}}}}\n",
        catalog.display()
    );
    let project = tempfile::tempdir().unwrap();
    let out = build(project.path(), &bare, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!project.path().join("dist").exists());
    let missing: Vec<&str> = err.lines().filter(|l| l.starts_with("error[P602]")).collect();
    assert!(missing.len() > 30, "{err}");
    let mut names: Vec<&str> = missing.iter().map(|l| l.split('`').nth(1).unwrap()).collect();
    let before = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), before, "each token once: {missing:#?}");
    assert!(names.contains(&"{your-tenant-url}"), "{names:?}");
}
