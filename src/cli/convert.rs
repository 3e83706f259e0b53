use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use std::collections::BTreeMap;

use crate::backend::convert::convert_parsed_to;
use crate::backend::{Conversion, QueryLanguage};
use crate::catalog::Catalog;
use crate::check::{check_parsed, parse_all};
use crate::codes;
use crate::diag::emit::{diagnostic_json, display_path, render_human};
use crate::diag::{Diagnostic, Severity, cmp_paths, sort_diagnostics};
use crate::render::integrity::{Broken, find_broken};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The queries, in file order, separated by blank lines.
    Text,
    /// One JSON object per document: path, document, id, title, target, queries, diagnostics.
    Jsonl,
}

/// One line of `--format jsonl`, its fields in the order they are written. Serialized directly: building
/// a `serde_json::Value` per line and formatting it cost a fifth of `convert -t all`.
#[derive(Serialize)]
struct JsonlRecord<'a> {
    path: String,
    document: usize,
    id: Option<&'a str>,
    title: Option<&'a str>,
    target: &'a str,
    queries: &'a [String],
    diagnostics: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_trace: Option<serde_json::Value>,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// Target query languages, comma-separated (`splunk,esql`) or `all` (`detc list targets`).
    /// With several targets the documents are parsed and lowered once and converted to each.
    #[arg(short, long = "target", value_delimiter = ',', required = true, value_parser = parse_target)]
    targets: Vec<Targets>,
    /// Rule files or folders (default: the `catalog` of detc.yaml, else `detections/`).
    paths: Vec<PathBuf>,
    /// Write the output to this file instead of stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Do not report rules the target cannot express, and do not fail because of them.
    #[arg(long)]
    skip_unsupported: bool,
    /// A processing pipeline: a built-in name (`detc list pipelines`) or a pySigma pipeline file
    /// (repeatable; merged by priority).
    #[arg(short = 'p', long = "pipeline", value_name = "PIPELINE")]
    pipelines: Vec<String>,
    /// Show, for each rule, which pipeline item changed what (field renamed, condition added, value
    /// replaced, item dropped, rule refused): `#` comment lines before its queries, or
    /// `pipeline_trace` in jsonl records.
    #[arg(long)]
    explain: bool,
    /// Value of a `%name%` placeholder (with `|expand`) or a `{name}` token, as NAME=VALUE
    /// (repeatable; overrides `variables` of detc.yaml).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Print only findings of this severity or above (in jsonl records too). The summary and the exit
    /// code still count every finding.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "info")]
    min_severity: super::MinSeverity,
}

/// One `-t` value: a target, or `all` of them.
#[derive(Debug, Clone)]
pub struct Targets(Vec<QueryLanguage>);

fn parse_target(s: &str) -> Result<Targets, String> {
    if s == "all" {
        return Ok(Targets(QueryLanguage::all().collect()));
    }
    QueryLanguage::parse(s)
        .map(|t| Targets(vec![t]))
        .ok_or_else(|| format!("unknown target `{s}`; targets: {}, or all", QueryLanguage::names()))
}

pub fn run(args: ConvertArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let config = match super::load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = config.paths_or(&args.paths);
    let mut vars = config.variables.clone();
    if let Err(code) = super::add_vars(&args.vars, &mut vars) {
        return code;
    }
    let pipeline = match super::load_pipelines(&args.pipelines) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut targets: Vec<QueryLanguage> = Vec::new();
    for t in args.targets.iter().flat_map(|t| &t.0) {
        if !targets.contains(t) {
            targets.push(*t);
        }
    }
    if let Some(p) = &pipeline
        && let Err(code) = super::pipeline_suits(p, &targets)
    {
        return code;
    }
    let several = targets.len() > 1;
    let catalog = Catalog::load(&paths);
    let mut all_diags: Vec<Diagnostic> = catalog.diags.clone();
    // Parsed once: checked for what must be withheld, then converted. Checking first lets the
    // check's findings go before the conversions exist (their peaks of memory no longer add up).
    let parsed = parse_all(&catalog);
    let broken = broken_documents(&catalog, &parsed, &vars);
    let mut per_target = convert_parsed_to(&parsed, &targets, &vars, pipeline.as_ref());
    let traces = match (&pipeline, args.explain) {
        (Some(p), true) => super::convert_explain::pipeline_traces(&catalog, &vars, p),
        _ => Default::default(),
    };
    if args.explain && pipeline.is_none() {
        eprintln!("note: --explain shows what pipelines change, and no pipeline is given (-p NAME or FILE)");
    }
    if let Some(broken) = &broken {
        withhold(&catalog, broken, &mut per_target);
    }
    let mut out = match super::output::Output::open(args.output.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            return ExitCode::from(2);
        }
    };
    let mut summary = Vec::new();
    for (target, conversions) in &mut per_target {
        conversions.sort_by(|a, b| cmp_paths(a.doc.path(), b.doc.path()).then(a.doc.index.cmp(&b.doc.index)));
        if several && matches!(args.format, Format::Text) {
            out.push_str(&format!("# {}: {}\n\n", target.name(), target.describe()));
        }
        for c in conversions.iter_mut() {
            if args.skip_unsupported {
                c.diagnostics.retain(|d| d.code != &codes::UNSUPPORTED);
            }
            sort_diagnostics(&mut c.diagnostics);
            let shown = super::at_least(&c.diagnostics, args.min_severity.severity());
            let trace = traces.get(&(c.doc.path().clone(), c.doc.index));
            match args.format {
                Format::Text => {
                    if let Some(t) = trace {
                        out.push_str(&super::convert_explain::comment_lines(
                            &display_path(c.doc.path()),
                            c.doc.title(),
                            t,
                        ));
                        if c.queries.is_empty() {
                            out.push('\n');
                        }
                    }
                    for q in &c.queries {
                        out.push_str(q);
                        out.push_str("\n\n");
                    }
                }
                Format::Jsonl => {
                    let record = JsonlRecord {
                        path: display_path(c.doc.path()),
                        document: c.doc.index,
                        id: c.doc.root.get("id").and_then(|n| n.scalar_text()),
                        title: c.doc.title(),
                        target: target.name(),
                        queries: &c.queries,
                        diagnostics: shown.iter().map(diagnostic_json).collect(),
                        pipeline_trace: args
                            .explain
                            .then(|| super::convert_explain::json(trace.map_or(&[][..], |t| &t[..]))),
                    };
                    out.push_json_line(&record);
                }
            }
            // Printed only with text output (jsonl records carry their own).
            if matches!(args.format, Format::Text) {
                all_diags.extend(c.diagnostics.iter().cloned());
            }
        }
        let errors = conversions
            .iter()
            .flat_map(|c| &c.diagnostics)
            .filter(|d| d.severity == Severity::Error)
            .count();
        let converted = conversions.iter().filter(|c| !c.queries.is_empty()).count();
        summary.push((target.name(), converted, conversions.len(), errors));
    }
    if let Err(e) = out.finish() {
        eprintln!("error: cannot write output: {e}");
        return ExitCode::from(2);
    }
    sort_diagnostics(&mut all_diags);
    if matches!(args.format, Format::Text) {
        eprint!(
            "{}",
            render_human(
                &super::at_least(&all_diags, args.min_severity.severity()),
                &catalog,
                std::io::IsTerminal::is_terminal(&std::io::stderr())
            )
        );
    }
    let load_errors = catalog.diags.iter().filter(|d| d.severity == Severity::Error).count();
    let mut errors = load_errors;
    for (name, converted, total, target_errors) in summary {
        let n = target_errors + load_errors;
        errors += target_errors;
        eprintln!(
            "converted {converted} of {total} documents to {name} ({n} error{})",
            if n == 1 { "" } else { "s" }
        );
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A document with an error diagnostic (a null selection, an unknown identifier, a schema error) would
/// convert to a query that does not mean what its author wrote: these documents (none: `None`) are
/// withheld by [`withhold`].
fn broken_documents(
    catalog: &Catalog,
    parsed: &[crate::model::Parsed<'_>],
    vars: &BTreeMap<String, String>,
) -> Option<Broken> {
    let options = crate::config::LintOptions {
        variables: vars.clone(),
        require_tests: false,
        sidecars: Default::default(),
    };
    let errors: Vec<Diagnostic> = check_parsed(catalog, parsed, &options)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.code.code != codes::UNSUPPORTED.code)
        .collect();
    (!errors.is_empty()).then(|| find_broken(parsed, &errors))
}

/// The queries of broken documents are withheld and their errors reported with the conversion, as
/// `build` does.
fn withhold(catalog: &Catalog, broken: &Broken, per_target: &mut [(QueryLanguage, Vec<Conversion<'_>>)]) {
    // Load errors are reported by `run` already; they still withhold their document.
    let loaded = |d: &Diagnostic| {
        catalog
            .diags
            .iter()
            .any(|l| l.code.code == d.code.code && l.path == d.path && l.span == d.span)
    };
    for c in per_target.iter_mut().flat_map(|(_, c)| c.iter_mut()) {
        let key = (c.doc.path().clone(), c.doc.index);
        if !broken.contains(&key) {
            continue;
        }
        c.queries.clear();
        c.diagnostics.retain(|d| d.severity != Severity::Error);
        match broken.errors.get(&key) {
            // Its own errors, except load errors, which `run` reports already.
            Some(own) => c.diagnostics.extend(own.iter().filter(|d| !loaded(d)).cloned()),
            // Excluded because of what it depends on (a broken base rule or filter).
            None => c.diagnostics.push(Diagnostic::new(
                &codes::UNSUPPORTED,
                c.doc.path(),
                c.doc.root.get("title").map(|n| n.span),
                format!("not converted: {}", broken.documents[&key].join("; ")),
            )),
        }
    }
}
