use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::load_config;
use crate::catalog::Catalog;
use crate::diag::emit::render_human;
use crate::diag::{Severity, sort_diagnostics};
use crate::eval::engine::Engine;
use crate::eval::engine::Prepared;
use crate::eval::lines::{Input, Line, for_each_line};
use crate::eval::reader::{Read, Scratch};
use crate::eval::stream::Item;
use crate::ir::Lowering;
use crate::model::Parsed;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Rule files or folders (default: the `catalog` of detc.yaml, else `detections/`).
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
    let input = match open_events(&args.events) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.events.display());
            return ExitCode::from(2);
        }
    };
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("lines read");
        bar
    });
    let mut stdout = BufWriter::new(std::io::stdout().lock());
    let (mut events, mut bad, mut detections) = (0usize, 0usize, 0usize);
    let mut lines = Vec::new();
    let name = args.events.display().to_string();
    // Lines are read, filtered and matched in parallel (read-only on the engine); correlations then
    // see the events in order. Memory stays bounded by one batch of lines. Lines are read on the
    // fast path: only the fields the catalog reads are built, and a literal prefilter says which
    // detections could match each line (exact; see `eval::reader`).
    let reader = engine.reader();
    // A quiet line (a valid event no detection can match, or none matched) is only counted.
    let per_line = |engine: &Engine, scratch: &mut Scratch, line: Line<'_>| match line {
        Line::Text(bytes) => match reader.read(bytes, scratch) {
            Read::Quiet => None,
            Read::Event(event, candidates) => matched(engine.prepare(event, candidates.as_deref())),
            Read::Bad(message) => Some(Outcome::Bad(message)),
        },
        Line::Done(Item::Event(event)) => matched(engine.prepare(event, None)),
        Line::Done(Item::Bad { message, .. }) => Some(Outcome::Bad(message)),
    };
    // The first failed write of a detection (a closed pipe, a full disk): reported at the end, and
    // the hunt fails, rather than detections going nowhere with exit 0.
    let mut write_error: Option<std::io::Error> = None;
    let sink = |engine: &mut Engine, number: usize, outcome: Outcome| match outcome {
        Outcome::Event(prepared) => {
            events += 1;
            engine.apply(number, prepared, &mut lines);
            for l in lines.drain(..) {
                detections += 1;
                if write_error.is_none()
                    && let Err(e) = writeln!(stdout, "{l}")
                {
                    write_error = Some(e);
                }
            }
        }
        Outcome::Bad(message) => {
            bad += 1;
            eprintln!("{name}:{number}: skipped: {message}");
        }
    };
    // Told after each batch of lines, quiet ones included.
    let show_progress = |read: usize| {
        if let Some(bar) = &progress {
            bar.set_position(read as u64);
        }
    };
    let result = for_each_line(input, &mut engine, per_line, sink, show_progress);
    if let Err(e) = stdout.flush() {
        write_error.get_or_insert(e);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(e) = write_error {
        eprintln!("error: cannot write detections: {e}");
        return ExitCode::from(2);
    }
    match result {
        Ok(quiet) => events += quiet,
        Err(e) => {
            eprintln!("error: reading {name}: {e}");
            return ExitCode::from(2);
        }
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

/// An event some detection matched; one that nothing matched is only counted, like a quiet line.
fn matched(prepared: Prepared) -> Option<Outcome> {
    (!prepared.is_empty()).then_some(Outcome::Event(prepared))
}

/// What the parallel phase makes of one line that is not quiet.
enum Outcome {
    Event(Prepared),
    Bad(String),
}

/// `-` is standard input; a regular file is read in parallel blocks, anything else as a stream.
fn open_events(path: &std::path::Path) -> std::io::Result<Input> {
    if path.as_os_str() == "-" {
        return Ok(Input::Stream(Box::new(BufReader::new(std::io::stdin().lock()))));
    }
    let file = std::fs::File::open(path)?;
    Ok(if file.metadata()?.is_file() {
        Input::File(file)
    } else {
        Input::Stream(Box::new(BufReader::with_capacity(1 << 20, file)))
    })
}
