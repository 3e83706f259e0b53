//! The CI integration cannot drift from the CLI: the detc steps of `action.yml` and the entries of
//! `.pre-commit-hooks.yaml` are read with detc's own YAML loader and run, as GitHub and pre-commit
//! would run them, against a fixture catalog in a temporary git repository.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Project;
use serde_json::Value;

/// A repository file parsed with detc's YAML loader, as JSON.
fn yaml(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let file = detc::catalog::SourceFile::new(std::sync::Arc::from(path.as_path()), text);
    let (docs, diags) = detc::catalog::yaml::parse_documents(&file);
    assert!(diags.is_empty(), "{name}: {diags:?}");
    detc::schema::to_json(docs[0].root.as_ref().unwrap())
}

/// The folder of the detc binary under test, to put first on PATH as `detc`.
fn detc_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_detc")).parent().unwrap().to_path_buf()
}

fn path_var() -> String {
    format!("{}:{}", detc_dir().display(), std::env::var("PATH").unwrap_or_default())
}

/// `${{ inputs.NAME }}` replaced by the input's value; any other expression is a test failure,
/// since the scripts must get everything through `env:`.
fn expand(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), value);
    }
    assert!(!out.contains("${{"), "an expression the test cannot evaluate: {text}");
    out
}

/// Inputs at their defaults, with the pull request's base commit filled in and `overrides` applied.
fn inputs(action: &Value, base: &str, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let default = v["default"].as_str().unwrap_or("");
            let default = default.replace("${{ github.event.pull_request.base.sha }}", base);
            (k.clone(), default)
        })
        .collect();
    for (k, v) in overrides {
        assert!(values.contains_key(*k), "no input `{k}`");
        values.insert(k.to_string(), v.to_string());
    }
    values
}

/// The action's steps that run detc, by id.
fn detc_steps(action: &Value) -> Vec<&Value> {
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.lines().any(|l| l.trim_start().starts_with("detc ")))
        })
        .collect()
}

struct Ran {
    out: Output,
    summary: String,
    outputs: String,
}

/// Run one step as GitHub's `shell: bash` does (`bash --noprofile --norc -eo pipefail`).
fn run_step(step: &Value, inputs: &BTreeMap<String, String>, root: &Path) -> Ran {
    assert_eq!(step["shell"], "bash", "{step}");
    let script = step["run"].as_str().unwrap();
    assert!(
        !script.contains("${{"),
        "inputs reach scripts through env only: {script}"
    );
    let files = tempfile::tempdir().unwrap();
    let (summary, outputs) = (files.path().join("summary.md"), files.path().join("output"));
    let dir = step["working-directory"]
        .as_str()
        .map_or(".".into(), |d| expand(d, inputs));
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(root.join(dir))
        .env("PATH", path_var())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs);
    for (k, v) in step["env"].as_object().into_iter().flatten() {
        cmd.env(k, expand(v.as_str().unwrap(), inputs));
    }
    let out = cmd.output().unwrap();
    Ran {
        out,
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
        outputs: std::fs::read_to_string(outputs).unwrap_or_default(),
    }
}

/// A rule that fires on `data.type: <value>`, with a firing and a quiet test.
fn tested_rule(title: &str, id: &str, value: &str) -> String {
    format!(
        "title: {title}\nid: {id}\nlevel: low\ndescription: d\nlogsource: {{product: auth0}}\ndetection: {{sel: {{data.type: {value}}}, condition: sel}}\ntests:\n  - name: fires\n    expect: match\n    event: {{data: {{type: {value}}}}}\n  - name: quiet\n    expect: no_match\n    event: {{data: {{type: other}}}}\n"
    )
}

/// A pull request: a base commit with one rule and its committed artifacts, then a second rule
/// (and the rebuilt artifacts) on top. Returns the project and the base commit.
fn pull_request() -> (Project, String) {
    let p = Project::new();
    std::fs::write(p.root().join("detc.yaml"), "catalog: rules\nrequire_tests: true\n").unwrap();
    let write = |name: &str, text: String| std::fs::write(p.root().join("rules").join(name), text).unwrap();
    write("a.yml", tested_rule("A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f", "s"));
    assert!(p.run(&["build", "--out", "dist"]).status.success());
    p.commit_all("base");
    let base = common::git(p.root(), &["rev-parse", "HEAD"]).trim().to_string();
    write("b.yml", tested_rule("B", "6e3d8f2b-3b4f-4c6d-8e9f-0a1b2c3d4e5f", "f"));
    assert!(p.run(&["build", "--out", "dist"]).status.success());
    p.commit_all("add b");
    (p, base)
}

#[test]
fn the_action_runs_check_test_build_check_and_diff_with_the_cli_as_it_is() {
    let action = yaml("action.yml");
    let steps = detc_steps(&action);
    let ids: Vec<&str> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["check", "test", "build-check", "diff"]);
    // Each detc step can be switched off by its own input.
    for s in &steps {
        let condition = s["if"].as_str().unwrap();
        let switch = s["id"].as_str().unwrap();
        assert!(condition.contains(&format!("inputs.{switch} == 'true'")), "{condition}");
    }

    let (p, base) = pull_request();
    let values = inputs(&action, &base, &[("changed-since", &base)]);
    let mut ran = BTreeMap::new();
    for step in &steps {
        let r = run_step(step, &values, p.root());
        assert!(
            r.out.status.success(),
            "step {}: {}{}",
            step["id"],
            String::from_utf8_lossy(&r.out.stdout),
            String::from_utf8_lossy(&r.out.stderr)
        );
        ran.insert(step["id"].as_str().unwrap().to_string(), r);
    }
    assert!(
        common::stderr(&ran["check"].out).contains("findings of the 1 rule file changed since"),
        "the check honoured changed-since: {}",
        common::stderr(&ran["check"].out)
    );
    assert_eq!(ran["test"].outputs, "junit=detc-junit.xml\n");
    let junit = std::fs::read_to_string(p.root().join("detc-junit.xml")).unwrap();
    assert!(junit.contains("tests=\"4\" failures=\"0\" errors=\"0\""), "{junit}");
    let summary = &ran["diff"].summary;
    assert!(
        summary.contains("## detc: deployed detections compared with")
            && summary.contains("**1 added, 0 removed, 0 changed**"),
        "{summary}"
    );
}

#[test]
fn the_action_fails_the_job_on_findings_with_annotations() {
    let action = yaml("action.yml");
    let (p, base) = pull_request();
    std::fs::write(
        p.root().join("rules/b.yml"),
        tested_rule("B", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f", "f"),
    )
    .unwrap();
    let values = inputs(&action, &base, &[]);
    let steps = detc_steps(&action);
    let check = run_step(steps[0], &values, p.root());
    assert_eq!(check.out.status.code(), Some(1));
    let annotations = String::from_utf8_lossy(&check.out.stdout);
    assert!(
        annotations.contains("::error file=rules/b.yml,line=2") && annotations.contains("R403"),
        "{annotations}"
    );
    // The committed artifacts no longer match the rules: build --check fails too.
    let build = run_step(steps[2], &values, p.root());
    assert_eq!(build.out.status.code(), Some(1));
    // The diff step informs and never fails the job.
    let diff = run_step(steps[3], &values, p.root());
    assert!(diff.out.status.success(), "{}", common::stderr(&diff.out));
}

#[test]
fn the_pre_commit_hooks_run_detc_on_the_catalog() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"detc-check"), "{ids:?}");
    let (p, _) = pull_request();
    for hook in hooks {
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        assert!(files.is_match("rules/a.yml") && files.is_match("x.yaml") && !files.is_match("README.md"));
        assert_eq!(hook["pass_filenames"], false, "the whole catalog resolves references");
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "detc");
        let run = || {
            Command::new(env!("CARGO_BIN_EXE_detc"))
                .current_dir(p.root())
                .args(&entry[1..])
                .output()
                .unwrap()
        };
        let clean = run();
        assert!(clean.status.success(), "{}: {}", hook["id"], common::stderr(&clean));
        // A broken rule (a bad level for check, a detection its test no longer fires on for test)
        // stops the commit.
        let a = p.root().join("rules/a.yml");
        let good = std::fs::read_to_string(&a).unwrap();
        let broken = good
            .replace("level: low", "level: loww")
            .replace("{data.type: s}", "{data.type: x}");
        assert_ne!(broken, good);
        std::fs::write(&a, broken).unwrap();
        assert_eq!(run().status.code(), Some(1), "{}", hook["id"]);
        std::fs::write(&a, good).unwrap();
    }
}

#[test]
fn the_example_workflow_uses_only_inputs_the_action_has() {
    let action = yaml("action.yml");
    let workflow = yaml("examples/github-workflow.yml");
    let steps = workflow["jobs"]["detc"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("/detc@")))
        .expect("the workflow uses the action");
    for key in step["with"].as_object().unwrap().keys() {
        assert!(
            action["inputs"].get(key).is_some(),
            "`{key}` is not an input of action.yml"
        );
    }
    let checkout = &steps[0];
    assert_eq!(
        checkout["with"]["fetch-depth"], 0,
        "diff and changed-since need the history"
    );
}

#[test]
fn the_cache_key_follows_the_sources_detc_is_built_from() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let version = steps.iter().find(|s| s["id"] == "version").unwrap();
    let key = |root: &Path| {
        let mut step = version.clone();
        step["env"]["ACTION_PATH"] = Value::String(root.display().to_string());
        let r = run_step(&step, &BTreeMap::new(), root);
        assert!(r.out.status.success(), "{}", common::stderr(&r.out));
        r.outputs
    };
    let ours = key(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        ours.starts_with("key=detc-") && ours.len() > "key=detc-\n".len() + 16,
        "{ours}"
    );
    // A copy of the sources without git history gets the same key; a changed source file another.
    let copy = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .args([
            "-r",
            "Cargo.toml",
            "Cargo.lock",
            "build.rs",
            "src",
            "templates",
            "schemas",
            "data",
            "pipelines",
        ])
        .arg(copy.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(key(copy.path()), ours);
    std::fs::write(copy.path().join("src/lib.rs"), "// changed\n").unwrap();
    assert_ne!(key(copy.path()), ours);
}
