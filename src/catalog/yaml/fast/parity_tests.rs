//! Differential test: on every rule file we hold, the fast path either declines or produces
//! exactly saphyr's event stream, spans included. Also reports how often it accepts.

use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, Span};

use super::events;

/// saphyr's stream for `text`, up to its first error (whose presence makes the stream differ from
/// any the fast path could produce, since the fast path has no way to express an error).
pub(super) fn saphyr_events(text: &str) -> Vec<(Event<'_>, Span)> {
    Parser::new_from_str(text).map_while(Result::ok).collect()
}

/// Panics with the first difference when the fast path accepts `text` but disagrees with saphyr.
/// Answers whether the fast path accepted.
pub(super) fn assert_parity(text: &str, what: &str) -> bool {
    let Some(fast) = events(text) else {
        return false;
    };
    let reference: Vec<_> = Parser::new_from_str(text).collect();
    assert!(
        reference.iter().all(Result::is_ok),
        "{what}: fast path accepted a text saphyr rejects: {:?}\n{text}",
        reference.iter().find(|r| r.is_err())
    );
    let reference = saphyr_events(text);
    for (i, (f, s)) in fast.iter().zip(&reference).enumerate() {
        assert_eq!(f, s, "{what}: event {i} differs\n{text}");
    }
    assert_eq!(fast.len(), reference.len(), "{what}: stream lengths differ\n{text}");
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// Checks every YAML file under `dir`; answers (files, accepted).
fn check_tree(dir: &Path) -> (usize, usize) {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let mut accepted = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        accepted += usize::from(assert_parity(&text, &path.display().to_string()));
    }
    (files.len(), accepted)
}

/// Checks and prints the acceptance rate under `dir`; answers (files, accepted), so a test can
/// require the fast path to have run at all (parity over files it declined proves nothing).
fn report(dir: &Path) -> (usize, usize) {
    let (files, accepted) = check_tree(dir);
    let rate = if files == 0 {
        0.0
    } else {
        100.0 * accepted as f64 / files as f64
    };
    println!(
        "fast YAML path: {accepted}/{files} accepted ({rate:.1}%) under {}",
        dir.display()
    );
    (files, accepted)
}

#[test]
fn fast_path_matches_saphyr_on_repository_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let accepted: usize = ["tests", "detections"]
        .iter()
        .map(|sub| report(&root.join(sub)).1)
        .sum();
    assert!(
        accepted >= 10,
        "the fast path accepted only {accepted} repository files"
    );
}

#[test]
fn fast_path_matches_saphyr_on_shared_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("no shared corpus at {}: skipped", corpus.display());
        return;
    };
    let mut dirs: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in dirs {
        let (files, accepted) = report(&dir);
        // The rule corpora are what the fast path is for: nearly every file must take it.
        let rules = dir.ends_with("sigmahq-sample") || dir.ends_with("auth0");
        assert!(
            !rules || accepted * 10 >= files * 9,
            "the fast path accepted {accepted} of {files} files under {}",
            dir.display()
        );
    }
}

/// For a file the fast path declines, the line after the longest prefix it accepts: the thing to
/// look at when raising the acceptance rate.
fn first_declined_line(text: &str) -> Option<(usize, String)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let accepted = (1..=lines.len())
        .rev()
        .find(|&n| events(&lines[..n].concat()).is_some())
        .unwrap_or(0);
    lines.get(accepted).map(|l| (accepted + 1, l.to_string()))
}

/// Lists where the fast path declines files under `FAST_YAML_EXPLAIN` (a directory).
#[test]
#[ignore = "a tool for raising the acceptance rate, not a check"]
fn explain_declined_files() {
    let Ok(dir) = std::env::var("FAST_YAML_EXPLAIN") else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(Path::new(&dir), &mut files);
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if events(&text).is_none() {
            println!("{}: {:?}", path.display(), first_declined_line(&text));
        }
    }
}
