//! `detc build` as a library call: check the catalog, decide what may be deployed, compile it once,
//! render every artifact family and account for every document in `report.json`.
//!
//! Integrity rules (docs/build.md): a catalog with error diagnostics is not built unless broken
//! documents are explicitly excluded; a document a target cannot express fails the build unless that
//! target opts out (`skip_unsupported`); a `{token}` without a value fails the build; whatever is left
//! out is listed on stderr and recorded in the report.

use crate::codes;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use super::changes::{Deployed, deployed};
use super::compiled::{Pipelines, Select, compile, consumed_rules};
use super::family::{BuildContext, Family, Output};
use super::integrity::{Broken, find_broken};
use super::options::TargetOptions;
use super::report::report;
use super::templates::Templates;
use super::{
    docs::MarkdownDocs, elastic::KibanaRules, navigator::NavigatorLayer, site::StaticSite, splunk::SplunkApp,
    sumo::SumoSearches,
};
use crate::catalog::{Catalog, DocKind};
use crate::check::{check_parsed, parse_all};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity, Span};
use crate::model::Parsed;
use crate::model::doc_key::DocKey;
use crate::model::tokens::{node_tokens, unresolved};
use crate::pipeline::Pipeline;

/// How strict a build is about broken documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildPolicy {
    /// Leave documents with errors out (listed, recorded) instead of failing.
    pub exclude_broken: bool,
    /// Record what was deployed of each detection ([`Artifacts::detections`]), for comparing builds.
    pub record_detections: bool,
    /// The caller ends the process right after this build: the build's working data (parsed and
    /// compiled documents, rendered pages' contexts) is left to the operating system instead of
    /// freed piece by piece, which took a tenth of a 3,400-rule build.
    pub ends_process: bool,
}

pub struct Artifacts {
    /// File contents by path relative to the output folder (the report included).
    pub files: BTreeMap<PathBuf, String>,
    /// Everything to show the user; any error means the build failed and nothing may be written.
    pub diagnostics: Vec<Diagnostic>,
    /// Each deployed detection's queries and artifact files, for comparing builds (`detc diff`);
    /// empty unless [`BuildPolicy::record_detections`].
    pub detections: Vec<Deployed>,
}

impl Artifacts {
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// The families every build renders, in report order.
const FAMILIES: [&dyn Family; 5] = [&SplunkApp, &KibanaRules, &SumoSearches, &MarkdownDocs, &NavigatorLayer];

pub fn build(catalog: &Catalog, config: &Config, templates: &Templates, policy: BuildPolicy) -> Artifacts {
    let mut diagnostics = Vec::new();
    let config_path: Arc<std::path::Path> = Arc::from(config.path.clone().unwrap_or_else(|| "detc.yaml".into()));
    let options = match TargetOptions::from_config(config) {
        Ok(o) => o,
        Err(message) => {
            diagnostics.push(Diagnostic::new(&codes::INVALID_CONFIG, &config_path, None, message));
            return Artifacts {
                files: BTreeMap::new(),
                diagnostics,
                detections: Vec::new(),
            };
        }
    };
    let mut loaded: BTreeMap<&str, Option<Pipeline>> = BTreeMap::new();
    for kind in ["splunk", "elastic", "sumo"] {
        match target_pipeline(config, kind, &options.common(kind).pipelines) {
            Ok(p) => {
                loaded.insert(kind, p);
            }
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    let pipeline = |kind: &str| loaded.get(kind).and_then(Option::as_ref);
    let pipelines = Pipelines {
        splunk: pipeline("splunk"),
        elastic: pipeline("elastic"),
        sumo: pipeline("sumo"),
    };

    // 1. Check: which documents are broken.
    let lint_options = crate::config::LintOptions {
        variables: config.variables.clone(),
        require_tests: config.require_tests,
        sidecars: config.sidecar_layout(&[]),
    };
    let everything: Vec<Parsed<'_>> = parse_all(catalog);
    let errors: Vec<Diagnostic> = check_parsed(catalog, &everything, &lint_options)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let broken = find_broken(&everything, &errors);
    diagnostics.extend(broken_diagnostics(errors, &broken, &everything, policy));

    // 2. Compile what may be deployed, once per target pipeline: every document, unless some are
    //    broken (then the rest is read again: the model borrows from the catalog, parsing is cheap).
    let deployable: Option<Vec<Parsed<'_>>> = (!broken.documents.is_empty()).then(|| {
        catalog
            .documents
            .par_iter()
            .filter(|d| !broken.contains(&DocKey::new(d.path(), d.index)))
            .map(Parsed::parse)
            .collect()
    });
    let parsed: &[Parsed<'_>] = deployable.as_deref().unwrap_or(&everything);
    let consumed = consumed_rules(parsed, &config.variables);
    let tests = crate::eval::tests_by_document(catalog, parsed, &lint_options.sidecars);
    let site = options.site.enabled;
    // The site also shows the base rules correlations consume: compiled in the same pass, then set apart.
    let select = if site { Select::WithConsumed } else { Select::Deployable };
    let (base_rules, detections): (Vec<_>, Vec<_>) =
        compile(parsed, &tests, &config.variables, &pipelines, &consumed, select)
            .into_iter()
            .partition(|d| consumed.contains(&d.key));
    diagnostics.extend(missing_tokens(parsed, config, options.splunk.use_custom_queries));
    let test_results = (site && options.site.test_results && tests.iter().any(|t| !t.is_empty()))
        .then(|| run_tests(catalog, &everything, config, &lint_options.sidecars));

    // 3. Render every family; the site last, as it names what the others deployed.
    let mut ctx = BuildContext {
        detections: &detections,
        config,
        options: &options,
        templates,
        base_rules: &base_rules,
        placements: None,
        test_results: test_results.as_deref(),
    };
    let outputs: Vec<Output> = FAMILIES.par_iter().map(|f| f.render(&ctx)).collect();
    let mut out = Output::default();
    for o in outputs {
        out.extend(o);
    }
    if site {
        // The site reads the other families' placements; they are lent, not copied, and taken back.
        let placements = std::mem::take(&mut out.placements);
        ctx.placements = Some(&placements);
        let site = StaticSite.render(&ctx);
        out.placements = placements;
        out.extend(site);
    }
    diagnostics.append(&mut out.diagnostics);
    let report = report(
        &everything,
        &broken,
        &consumed,
        &out.placements,
        &out.notes,
        &detections,
    );
    out.add_file("report.json", report);
    let artifacts = Artifacts {
        detections: match policy.record_detections {
            true => deployed(&detections, &out.placements),
            false => Vec::new(),
        },
        files: Output::into_files(std::mem::take(&mut out.files)),
        diagnostics,
    };
    if policy.ends_process {
        std::mem::forget((out, detections, base_rules, test_results, tests, consumed));
        std::mem::forget((deployable, everything));
    }
    artifacts
}

/// The detection tests' results, run in-process as `detc test` runs them (its diagnostics are
/// `detc test`'s to report; the site shows each test's outcome).
fn run_tests(
    catalog: &Catalog,
    everything: &[Parsed<'_>],
    config: &Config,
    sidecars: &crate::catalog::SidecarLayout,
) -> Vec<crate::eval::TestResult> {
    let options = crate::eval::TestOptions {
        variables: config.variables.clone(),
        timestamp_fields: config.timestamp_fields.clone(),
        require_tests: false,
        sidecars: sidecars.clone(),
    };
    crate::eval::run_tests_parsed(catalog, everything, &options).results
}

/// The check's errors; with `exclude_broken`, those of excluded documents become warnings and each
/// excluded document or file gets a B809 warning with its reasons.
fn broken_diagnostics(
    errors: Vec<Diagnostic>,
    broken: &Broken,
    parsed: &[Parsed<'_>],
    policy: BuildPolicy,
) -> Vec<Diagnostic> {
    if !policy.exclude_broken {
        return errors;
    }
    let mut out: Vec<Diagnostic> = errors.into_iter().map(|d| d.severity(Severity::Warning)).collect();
    for p in parsed {
        let key = DocKey::new(p.doc.path(), p.doc.index);
        if let Some(reasons) = broken.documents.get(&key) {
            out.push(
                Diagnostic::new(
                    &codes::EXCLUDED_DOCUMENT,
                    p.doc.path(),
                    p.doc.root.get("title").map(|n| n.span).or(Some(p.doc.span)),
                    format!(
                        "{} `{}` is excluded from the build: {}",
                        p.doc.kind.as_str(),
                        p.doc.title().unwrap_or("untitled"),
                        reasons.join("; ")
                    ),
                )
                .help("fix it, or it stays out of every artifact (recorded in report.json)"),
            );
        }
    }
    for (path, reasons) in &broken.files {
        out.push(Diagnostic::new(
            &codes::EXCLUDED_DOCUMENT,
            path,
            None,
            format!("file is excluded from the build: {}", reasons.join("; ")),
        ));
    }
    out
}

/// One P602 error per `{token}` without a value that a deployed query would carry, with every use.
fn missing_tokens(parsed: &[Parsed<'_>], config: &Config, custom_queries: bool) -> Vec<Diagnostic> {
    // Each document's uses are found on all cores, then gathered in catalog order.
    let found: Vec<Vec<(&str, Arc<std::path::Path>, Span)>> = parsed
        .par_iter()
        .map(|p| {
            // Every document left in the build reaches a deployed query: rules directly, filters
            // through the rules they apply to, consumed base rules through their correlation.
            let mut nodes = Vec::new();
            if let Some(det) = p.detection() {
                for s in &det.searches {
                    nodes.extend(s.body.items().into_iter().flat_map(|i| i.values()));
                }
            }
            if custom_queries && p.doc.kind != DocKind::Filter {
                nodes.extend(p.doc.root.get("splunk"));
            }
            nodes
                .into_iter()
                .flat_map(|node| node_tokens(&p.doc.file, node))
                .filter(|(name, _)| !config.variables.contains_key(*name))
                .map(|(name, span)| (name, p.doc.path().clone(), span))
                .collect()
        })
        .collect();
    let mut uses: BTreeMap<&str, Vec<(Arc<std::path::Path>, Span)>> = BTreeMap::new();
    for (name, path, span) in found.into_iter().flatten() {
        uses.entry(name).or_default().push((path, span));
    }
    uses.into_iter()
        .map(|(name, places)| unresolved(&codes::MISSING_VARIABLE, name, places, "in deployed queries"))
        .collect()
}

/// The pipelines a target's options name, merged by priority. A file is relative to detc.yaml. A
/// pipeline written for other targets (`allowed_backends`) is a configuration error.
fn target_pipeline(config: &Config, kind: &str, names: &[String]) -> Result<Option<Pipeline>, Vec<Diagnostic>> {
    if names.is_empty() {
        return Ok(None);
    }
    let base = config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut loaded = Vec::new();
    for n in names {
        let is_builtin = crate::pipeline::builtin(n).is_some();
        let spec = if is_builtin {
            n.clone()
        } else {
            base.join(n).to_string_lossy().into_owned()
        };
        loaded.push((n.clone(), crate::pipeline::resolve(&spec)?));
    }
    let merged = Pipeline::merge(loaded);
    for backend in crate::backend::QueryLanguage::all().filter(|q| q.backend().family() == kind) {
        if let Some((name, suits)) = merged.refuses(backend.name()) {
            let at: std::sync::Arc<std::path::Path> =
                std::sync::Arc::from(config.path.clone().unwrap_or_else(|| "detc.yaml".into()));
            return Err(vec![
                Diagnostic::new(
                    &codes::INVALID_CONFIG,
                    &at,
                    None,
                    format!(
                        "targets.{kind}.pipelines: `{name}` is written for {}, not {}",
                        suits.join(", "),
                        backend.name()
                    ),
                )
                .help(format!(
                    "use it under the target it suits, or choose a pipeline for {kind}"
                )),
            ]);
        }
    }
    Ok(Some(merged))
}
