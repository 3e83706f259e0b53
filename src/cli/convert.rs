use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use std::collections::BTreeMap;
use std::io::Write;

use super::output::Output;
use crate::render::json_string::push_json_string;

use crate::backend::convert::convert_parsed_in_batches;
use crate::backend::{Conversion, QueryLanguage};
use crate::catalog::Catalog;
use crate::check::{check_parsed, parse_all};
use crate::codes;
use crate::diag::emit::{DiagnosticRecord, display_path, render_human};
use crate::diag::{Diagnostic, Severity, sort_diagnostics};
use crate::model::doc_key::DocKey;
use crate::render::integrity::{Broken, find_broken};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// The queries, in file order, separated by blank lines.
    Text,
    /// One JSON object per document: path, document, id, title, target, queries, diagnostics.
    Jsonl,
}

/// One line of `--format jsonl`, its fields in the order they are written. Written directly
/// ([`JsonlRecord::write_to`]): building a `serde_json::Value` per line and formatting it cost a fifth
/// of `convert -t all`. Its `Serialize` is the reference the writer is tested against.
#[derive(Serialize)]
struct JsonlRecord<'a> {
    path: String,
    document: usize,
    id: Option<&'a str>,
    title: Option<&'a str>,
    target: &'a str,
    queries: &'a [String],
    diagnostics: Vec<DiagnosticRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_trace: Option<serde_json::Value>,
}

impl JsonlRecord<'_> {
    /// The record as one JSON object: the text serde_json writes for it, with the strings (mostly
    /// query text) escaped by runs ([`push_json_string`]).
    fn write_to(&self, out: &mut Vec<u8>) {
        let optional = |out: &mut Vec<u8>, s: Option<&str>| match s {
            Some(s) => push_json_string(out, s),
            None => out.extend_from_slice(b"null"),
        };
        out.extend_from_slice(b"{\"path\":");
        push_json_string(out, &self.path);
        // Writing into memory cannot fail.
        let _ = write!(out, ",\"document\":{},\"id\":", self.document);
        optional(out, self.id);
        out.extend_from_slice(b",\"title\":");
        optional(out, self.title);
        out.extend_from_slice(b",\"target\":");
        push_json_string(out, self.target);
        out.extend_from_slice(b",\"queries\":[");
        for (i, q) in self.queries.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_json_string(out, q);
        }
        out.extend_from_slice(b"],\"diagnostics\":");
        let _ = serde_json::to_writer(&mut *out, &self.diagnostics);
        if let Some(trace) = &self.pipeline_trace {
            out.extend_from_slice(b",\"pipeline_trace\":");
            let _ = serde_json::to_writer(&mut *out, trace);
        }
        out.push(b'}');
    }
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
    let catalog = Catalog::load(&paths);
    // Parsed once: checked for what must be withheld, then converted. Checking first lets the
    // check's findings go before the conversions exist (their peaks of memory no longer add up).
    let parsed = parse_all(&catalog);
    let broken = broken_documents(&catalog, &parsed, &vars);
    let traces = match (&pipeline, args.explain) {
        (Some(p), true) => super::convert_explain::pipeline_traces(&catalog, &vars, p),
        _ => Default::default(),
    };
    if args.explain && pipeline.is_none() {
        eprintln!("note: --explain shows what pipelines change, and no pipeline is given (-p NAME or FILE)");
    }
    let mut out = match Output::open(args.output.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: cannot write output: {e}");
            return ExitCode::from(2);
        }
    };
    let mut writer = Writer {
        args: &args,
        catalog: &catalog,
        broken: broken.as_ref(),
        traces: &traces,
        sections: Vec::with_capacity(targets.len()),
        text_diags: catalog.diags.clone(),
    };
    let headers = targets.len() > 1 && matches!(args.format, Format::Text);
    for (i, &target) in targets.iter().enumerate() {
        writer.sections.push(Section::new(target, i == 0, headers));
    }
    let mut failed = None;
    convert_parsed_in_batches(&parsed, &targets, &vars, pipeline.as_ref(), |batch| {
        if failed.is_none()
            && let Err(e) = writer.write_batch(batch, &mut out)
        {
            failed = Some(e);
        }
    });
    let finished = match failed {
        Some(e) => Err(e),
        None => writer.finish(&mut out).and_then(|()| out.finish()),
    };
    if let Err(e) = finished {
        eprintln!("error: cannot write output: {e}");
        return ExitCode::from(2);
    }
    let mut all_diags = std::mem::take(&mut writer.text_diags);
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
    for section in &writer.sections {
        let n = section.errors + load_errors;
        errors += section.errors;
        eprintln!(
            "converted {} of {} documents to {} ({n} error{})",
            section.converted,
            section.total,
            section.target.name(),
            if n == 1 { "" } else { "s" }
        );
    }
    let code = if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing every document tree one by one was a thirtieth of the run, for
    // memory the operating system takes back at once.
    drop(writer);
    std::mem::forget(parsed);
    std::mem::forget(catalog);
    code
}

/// The output of one target. The first target's is written as it comes; the others' wait in a
/// temporary file each (the output lists every conversion to one target before the next target's),
/// so converting to every target holds one batch of conversions, not the whole catalog's.
struct Section {
    target: QueryLanguage,
    /// The section's text for the batch being written (all of it, when it waits in memory).
    buffer: Vec<u8>,
    waits: Waiting,
    converted: usize,
    total: usize,
    errors: usize,
}

/// Where a section's text goes until its turn.
enum Waiting {
    /// Nowhere: the first section is written as it comes.
    No,
    File(std::io::BufWriter<std::fs::File>),
    /// No temporary file could be made (an unwritable `TMPDIR`): the text stays in `buffer`, as
    /// all of `convert`'s output once did.
    InMemory,
}

impl Section {
    /// With `header`, the section starts with a comment line naming its target.
    fn new(target: QueryLanguage, first: bool, header: bool) -> Section {
        let waits = match first {
            true => Waiting::No,
            false => tempfile::tempfile().map_or(Waiting::InMemory, |f| Waiting::File(std::io::BufWriter::new(f))),
        };
        let buffer = match header {
            true => format!("# {}: {}\n\n", target.name(), target.describe()).into_bytes(),
            false => Vec::new(),
        };
        Section {
            target,
            buffer,
            waits,
            converted: 0,
            total: 0,
            errors: 0,
        }
    }
}

/// Writes conversions out batch by batch, per target (see [`Section`]).
struct Writer<'w, 'a> {
    args: &'w ConvertArgs,
    catalog: &'a Catalog,
    broken: Option<&'w Broken>,
    traces: &'w super::convert_explain::Traces,
    sections: Vec<Section>,
    /// Findings printed after the output with `--format text` (jsonl records carry their own).
    text_diags: Vec<Diagnostic>,
}

impl Writer<'_, '_> {
    fn write_batch(&mut self, batch: Vec<Vec<Conversion<'_>>>, out: &mut Output) -> std::io::Result<()> {
        for convs in batch {
            for (i, mut c) in convs.into_iter().enumerate() {
                if let Some(broken) = self.broken {
                    withhold(self.catalog, broken, &mut c);
                }
                self.write_conversion(i, &mut c);
            }
        }
        self.flush_sections(out)
    }

    /// The sections' texts of the batch to the output (the first target) or their files.
    fn flush_sections(&mut self, out: &mut Output) -> std::io::Result<()> {
        for section in &mut self.sections {
            match &mut section.waits {
                Waiting::No => out.push_bytes(&section.buffer),
                Waiting::File(file) => file.write_all(&section.buffer)?,
                Waiting::InMemory => continue,
            }
            section.buffer.clear();
        }
        Ok(())
    }

    fn write_conversion(&mut self, i: usize, c: &mut Conversion<'_>) {
        let args = self.args;
        if args.skip_unsupported {
            c.diagnostics.retain(|d| d.code != &codes::UNSUPPORTED);
        }
        sort_diagnostics(&mut c.diagnostics);
        let section = &mut self.sections[i];
        section.total += 1;
        section.converted += usize::from(!c.queries.is_empty());
        section.errors += c.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        // Traces exist only with `--explain` and a pipeline: no lookup (a path hash) otherwise.
        let trace = match self.traces.is_empty() {
            true => None,
            false => self.traces.get(&(c.doc.path().clone(), c.doc.index)),
        };
        let buffer = &mut section.buffer;
        match args.format {
            Format::Text => {
                if let Some(t) = trace {
                    let comments = super::convert_explain::comment_lines(&display_path(c.doc.path()), c.doc.title(), t);
                    buffer.extend_from_slice(comments.as_bytes());
                    if c.queries.is_empty() {
                        buffer.push(b'\n');
                    }
                }
                for q in &c.queries {
                    buffer.extend_from_slice(q.as_bytes());
                    buffer.extend_from_slice(b"\n\n");
                }
                // Printed after the output (jsonl records carry their own).
                self.text_diags.append(&mut c.diagnostics);
            }
            Format::Jsonl => {
                let record = JsonlRecord {
                    path: display_path(c.doc.path()),
                    document: c.doc.index,
                    id: c.doc.root.get("id").and_then(|n| n.scalar_text()),
                    title: c.doc.title(),
                    target: section.target.name(),
                    queries: &c.queries,
                    // Only findings shown are written; borrowed, not copied as `at_least` does.
                    diagnostics: c
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity >= args.min_severity.severity())
                        .map(DiagnosticRecord::new)
                        .collect(),
                    pipeline_trace: args
                        .explain
                        .then(|| super::convert_explain::json(trace.map_or(&[][..], |t| &t[..]))),
                };
                record.write_to(buffer);
                buffer.push(b'\n');
            }
        }
    }

    /// Appends the waiting sections to the output, in target order.
    fn finish(&mut self, out: &mut Output) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        // What a catalog without documents to convert still has: the headers.
        self.flush_sections(out)?;
        for section in &mut self.sections {
            let spill = match std::mem::replace(&mut section.waits, Waiting::No) {
                Waiting::No => continue,
                Waiting::InMemory => {
                    out.push_bytes(&std::mem::take(&mut section.buffer));
                    continue;
                }
                Waiting::File(spill) => spill,
            };
            let mut file = spill.into_inner().map_err(|e| e.into_error())?;
            file.rewind()?;
            let mut chunk = vec![0; 1 << 16];
            loop {
                let n = file.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                out.push_bytes(&chunk[..n]);
            }
        }
        Ok(())
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

/// The queries of a broken document are withheld and its errors reported with the conversion, as
/// `build` does.
fn withhold(catalog: &Catalog, broken: &Broken, c: &mut Conversion<'_>) {
    let key = DocKey::new(c.doc.path(), c.doc.index);
    if !broken.contains(&key) {
        return;
    }
    // Load errors are reported by `run` already; they still withhold their document.
    let loaded = |d: &Diagnostic| {
        catalog
            .diags
            .iter()
            .any(|l| l.code.code == d.code.code && l.path == d.path && l.span == d.span)
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn both(record: &JsonlRecord<'_>) -> (String, String) {
        let mut ours = Vec::new();
        record.write_to(&mut ours);
        (String::from_utf8(ours).unwrap(), serde_json::to_string(record).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// A record reads as serde_json writes it, whatever its text and which parts it has.
        #[test]
        fn a_record_is_written_as_serde_json_writes_it(
            text in "[a-z\"\\\\\n\t\u{1}é ]{0,24}",
            queries in prop::collection::vec("[a-z\"\\\\*= \n]{0,30}", 0..3),
            id in prop::option::of("[a-f0-9-]{0,8}"),
            title in prop::option::of("[A-Za-z \"\\\\]{0,12}"),
            document in 0usize..100_000,
            with_diagnostic in any::<bool>(),
            with_trace in any::<bool>(),
        ) {
            let path: Arc<std::path::Path> = Arc::from(std::path::Path::new("rules/a \"b\".yml"));
            let diagnostic = Diagnostic::new(&codes::UNSUPPORTED, &path, None, text.clone()).help(text.clone());
            let diagnostics = if with_diagnostic { vec![DiagnosticRecord::new(&diagnostic)] } else { Vec::new() };
            let record = JsonlRecord {
                path: text.clone(),
                document,
                id: id.as_deref(),
                title: title.as_deref(),
                target: "splunk",
                queries: &queries,
                diagnostics,
                pipeline_trace: with_trace.then(|| serde_json::json!([{"rule": text, "n": 1}])),
            };
            let (ours, theirs) = both(&record);
            prop_assert_eq!(ours, theirs);
        }
    }
}
