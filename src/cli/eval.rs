use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::load_config;
use crate::catalog::Catalog;
use crate::diag::emit::render_human;
use crate::diag::{Severity, sort_diagnostics};
use crate::eval::engine::Engine;
use rayon::prelude::*;

use crate::eval::reader::Read;
use crate::eval::stream::{Item, Raw, for_each_raw};
use crate::ir::Lowering;
use crate::model::Parsed;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Rule files or folders (default: the catalog of detc.yaml, else `detections/`).
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Events: a JSON Lines file or a JSON array; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    events: PathBuf,
    /// Also report matches of correlations' base rules (`"kind": "base-rule"`), which otherwise only
    /// feed their correlation.
    #[arg(long)]
    include_base: bool,
}

pub fn run(args: EvalArgs, config_path: Option<&std::path::Path>) -> ExitCode {
    let config = match load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = config.paths_or(&args.rules);
    let catalog = Catalog::load(&paths);
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    let lowering = Lowering::new(&parsed, &config.variables);
    let (mut engine, build_diags) =
        Engine::build(&parsed, &lowering, config.timestamp_fields.clone(), args.include_base);
    let unevaluable = build_diags.len();
    // Findings before the run are shown first, so a long hunt does not hide them until the end.
    let mut diags = catalog.diags.clone();
    diags.extend(build_diags);
    sort_diagnostics(&mut diags);
    let color = std::io::stderr().is_terminal();
    eprint!("{}", render_human(&diags, &catalog, color));
    let input: Box<dyn std::io::BufRead> = if args.events.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        match std::fs::File::open(&args.events) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 20, f)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.events.display());
                return ExitCode::from(2);
            }
        }
    };
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("events");
        bar
    });
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    let (mut events, mut bad, mut detections) = (0usize, 0usize, 0usize);
    let mut lines = Vec::new();
    let name = args.events.display().to_string();
    // Lines are parsed and matched in batches, in parallel; correlations then see the events in
    // order. Memory stays bounded by one batch.
    const BATCH: usize = 8192;
    let mut batch: Vec<Raw> = Vec::with_capacity(BATCH);
    // Lines are read on the fast path: only the fields the catalog reads are built, and a literal
    // prefilter says which detections could match each line (exact; see `eval::reader`).
    let reader = engine.reader();
    let mut flush = |batch: &mut Vec<Raw>, events: &mut usize, bad: &mut usize, detections: &mut usize| {
        let items: Vec<(usize, Read)> = batch
            .par_drain(..)
            .map(|raw| match raw {
                Raw::Line(n, bytes) => (n, reader.read(n, &bytes)),
                Raw::Item(n, item) => (n, Read { item, candidates: None }),
            })
            .collect();
        let mut parsed = Vec::with_capacity(items.len());
        let mut numbers = Vec::with_capacity(items.len());
        let mut candidates = Vec::with_capacity(items.len());
        for (n, read) in items {
            match read.item {
                Item::Event(e) => {
                    parsed.push(e);
                    numbers.push(n);
                    candidates.push(read.candidates);
                }
                Item::Bad { line, message } => {
                    *bad += 1;
                    eprintln!("{name}:{line}: skipped: {message}");
                }
            }
        }
        engine.push_batch(&numbers, &parsed, &candidates, &mut lines);
        *events += parsed.len();
        for l in lines.drain(..) {
            *detections += 1;
            let _ = writeln!(stdout, "{l}");
        }
        if let Some(bar) = &progress {
            bar.set_position(*events as u64);
        }
    };
    let result = for_each_raw(input, |raw| {
        batch.push(raw);
        if batch.len() == BATCH {
            flush(&mut batch, &mut events, &mut bad, &mut detections);
        }
    });
    flush(&mut batch, &mut events, &mut bad, &mut detections);
    let _ = stdout.flush();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Err(e) = result {
        eprintln!("error: reading {name}: {e}");
        return ExitCode::from(2);
    }
    let mut after = engine.finish(&parsed);
    sort_diagnostics(&mut after);
    eprint!("{}", render_human(&after, &catalog, color));
    diags.append(&mut after);
    eprintln!(
        "{events} events, {bad} bad lines skipped, {} detections loaded, {unevaluable} detections could not be evaluated, {detections} detections",
        engine.detector_count()
    );
    // A detection not evaluated, events a correlation could not place, a document the catalog
    // could not load or a skipped line all mean the hunt was incomplete.
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    if bad > 0 || errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
