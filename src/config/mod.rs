//! `detc.yaml`: the project configuration (catalog paths, variables, test settings).
//!
//! Optional: without a file every setting has a default that suits our own catalog. The file is
//! validated against `schemas/config.json`; problems are diagnostics with locations (exit code 2).

use crate::codes;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jsonschema::Validator;

use crate::catalog::SourceFile;
use crate::catalog::yaml::{Node, Value, parse_documents};
use crate::diag::{Diagnostic, Span};
use crate::schema::to_json;

pub const FILE_NAME: &str = "detc.yaml";

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file this came from, when there was one.
    pub path: Option<PathBuf>,
    pub catalog: Vec<PathBuf>,
    pub variables: BTreeMap<String, String>,
    pub timestamp_fields: Vec<String>,
    pub require_tests: bool,
    /// `detc build` leaves broken documents out (listed, recorded) instead of failing.
    pub exclude_broken: bool,
    /// Options of each artifact target (`splunk`, `elastic`, `sumo`), as written.
    pub targets: BTreeMap<String, serde_json::Value>,
    /// A folder mirroring the rules tree that holds the `<stem>.tests.yml` sidecars.
    pub tests_dir: Option<PathBuf>,
}

impl Config {
    /// The paths given on the command line, or else the configured catalog.
    pub fn paths_or(&self, given: &[PathBuf]) -> Vec<PathBuf> {
        if given.is_empty() {
            self.catalog.clone()
        } else {
            given.to_vec()
        }
    }

    /// Where sidecar tests are for a run over `given` paths (the configured catalog when empty).
    /// Mirrored paths are relative to the configured catalog roots first, so `detc test rules/auth`
    /// finds the same sidecars as a run over the whole catalog.
    pub fn sidecar_layout(&self, given: &[PathBuf]) -> crate::catalog::SidecarLayout {
        crate::catalog::SidecarLayout {
            tests_dir: self.tests_dir.clone(),
            roots: self.catalog.iter().chain(given).cloned().collect(),
            report_orphans: given.is_empty(),
        }
    }

    /// `explicit`, else `./detc.yaml` when it exists, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Config, Vec<Diagnostic>> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
            None => {
                return Ok(Config {
                    catalog: vec![PathBuf::from("detections")],
                    ..Config::default()
                });
            }
        };
        let arc: Arc<Path> = Arc::from(path.as_path());
        let text = std::fs::read_to_string(&path).map_err(|e| {
            vec![Diagnostic::new(
                &codes::INVALID_CONFIG,
                &arc,
                None,
                format!("cannot read: {e}"),
            )]
        })?;
        Self::parse(arc, text)
    }

    pub fn parse(path: Arc<Path>, text: String) -> Result<Config, Vec<Diagnostic>> {
        let file = SourceFile::new(path.clone(), text);
        let (docs, diags) = parse_documents(&file);
        if !diags.is_empty() {
            return Err(diags);
        }
        let empty = Node {
            value: Value::Map(Vec::new()),
            span: Span::default(),
        };
        let root = docs.into_iter().find_map(|d| d.root).unwrap_or(empty);
        let instance = to_json(&root);
        let errors: Vec<Diagnostic> = validator()
            .iter_errors(&instance)
            .map(|e| {
                crate::schema::error_diagnostic(&codes::INVALID_CONFIG, &path, &root, "file", schema(), &e)
                    .help_or("see schemas/config.json for the keys detc.yaml takes")
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let strings = |key: &str| -> Vec<String> {
            match root.get(key).map(|n| &n.value) {
                Some(Value::Seq(items)) => items
                    .iter()
                    .filter_map(|i| i.scalar_text().map(str::to_string))
                    .collect(),
                Some(Value::Scalar(s)) => vec![s.text.clone()],
                _ => Vec::new(),
            }
        };
        let mut catalog: Vec<PathBuf> = strings("catalog").into_iter().map(|c| base.join(c)).collect();
        if catalog.is_empty() {
            catalog.push(base.join("detections"));
        }
        let variables = root
            .get("variables")
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| Some((e.key.scalar_text()?.to_string(), e.value.scalar_text()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Config {
            path: Some(path.to_path_buf()),
            catalog,
            variables,
            timestamp_fields: strings("timestamp_field"),
            require_tests: root.get("require_tests").and_then(Node::scalar_text) == Some("true"),
            exclude_broken: root.get("exclude_broken").and_then(Node::scalar_text) == Some("true"),
            targets: instance
                .get("targets")
                .and_then(|t| t.as_object())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            tests_dir: root.get("tests_dir").and_then(Node::scalar_text).map(|d| base.join(d)),
        })
    }
}

fn schema() -> &'static serde_json::Value {
    static S: OnceLock<serde_json::Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(include_str!("../../schemas/config.json")).expect("valid JSON (tested)"))
}

fn validator() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(schema())
            .expect("the config schema compiles (tested)")
    })
}

/// Settings that change what lints report.
#[derive(Debug, Default, Clone)]
pub struct LintOptions {
    /// Values for `{name}` tokens (from `detc.yaml` `variables`).
    pub variables: std::collections::BTreeMap<String, String>,
    /// Report rules and correlations without tests (T701; from `detc.yaml` `require_tests`).
    pub require_tests: bool,
    /// Where detection-test sidecars are (`tests_dir`), for the test findings `check` reports.
    pub sidecars: crate::catalog::SidecarLayout,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Arc::from(Path::new("cfg/detc.yaml")), text.to_string())
    }

    #[test]
    fn reads_settings_relative_to_the_file() {
        let c =
            parse("catalog: [rules]\nvariables: {tenant: acme, max: 10}\ntimestamp_field: ts\nrequire_tests: true\n")
                .unwrap();
        assert_eq!(c.catalog, [PathBuf::from("cfg/rules")]);
        assert_eq!(c.variables["tenant"], "acme");
        assert_eq!(c.variables["max"], "10");
        assert_eq!(c.timestamp_fields, ["ts"]);
        assert!(c.require_tests);
        assert_eq!(c.tests_dir, None);
        let c = parse("catalog: rules\ntests_dir: rule-tests\n").unwrap();
        assert_eq!(c.tests_dir, Some(PathBuf::from("cfg/rule-tests")));
        assert_eq!(c.sidecar_layout(&[]).roots, [PathBuf::from("cfg/rules")]);
    }

    #[test]
    fn unknown_keys_are_reported_at_their_line() {
        let errs = parse("catalog: rules\nvariabels: {}\n").unwrap_err();
        assert_eq!(errs[0].code.code, "S102");
        assert_eq!(errs[0].span.unwrap().start.line, 2, "at the unknown key");
        let errs = parse("require_tests: maybe\n").unwrap_err();
        assert_eq!(errs[0].span.unwrap().start.line, 1);
    }

    #[test]
    fn a_misspelt_key_gets_did_you_mean() {
        let errs = parse("catalog: rules\nvariabels: {}\n").unwrap_err();
        assert_eq!(errs[0].message, "unknown key `variabels`");
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `variables`?"));
        let errs = parse("targets:\n  splunk: {intervall: 5m}\n").unwrap_err();
        assert_eq!(errs[0].span.unwrap().start.line, 2);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `interval`?"), "{errs:?}");
    }
}
