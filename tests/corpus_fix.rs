//! `detc check --fix` on copies of the shared corpora (the real Auth0 catalog, the SigmaHQ sample):
//! it changes only lines its fixable findings point at, keeps every comment, leaves nothing fixable
//! behind, and the fixed catalog converts to the same queries. A second copy of the SigmaHQ sample with
//! dates and technique tags spoilt must come back byte for byte. Skipped without the corpora.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{corpus, detc, json_lines, shared, stderr};

/// Copy the `.yml`/`.yaml` files of `from` (at any depth) under `to`; their paths relative to `to`.
fn copy_tree(from: &Path, to: &Path, out: &mut Vec<PathBuf>) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst, out);
        } else if src.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            std::fs::copy(&src, &dst).unwrap();
            out.push(dst);
        }
    }
}

fn texts(files: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    files
        .iter()
        .map(|f| (f.clone(), std::fs::read_to_string(f).unwrap()))
        .collect()
}

/// Comment lines whole, trailing comments from their ` #`, in order.
fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| match l.trim_start().starts_with('#') {
            true => Some(l),
            false => l.find(" #").map(|i| &l[i..]),
        })
        .collect()
}

/// The lines (1-based, per file) where a fixable finding's edits start or end.
fn edit_lines(diags: &[Value]) -> BTreeMap<PathBuf, Vec<(u64, u64)>> {
    let mut out: BTreeMap<PathBuf, Vec<(u64, u64)>> = BTreeMap::new();
    for d in diags {
        for e in d["fix"]["edits"].as_array().into_iter().flatten() {
            let file = PathBuf::from(d["file"].as_str().unwrap());
            out.entry(file)
                .or_default()
                .push((e["line"].as_u64().unwrap(), e["end_line"].as_u64().unwrap()));
        }
    }
    out
}

/// Every changed line of `before` lies on a line an edit covers, and every inserted line goes where
/// an edit starts.
fn assert_changes_were_reported(path: &Path, before: &str, after: &str, edits: &[(u64, u64)]) {
    let covered = |line: u64| edits.iter().any(|(s, e)| (*s..=*e).contains(&line));
    let diff = similar::TextDiff::from_lines(before, after);
    for op in diff.ops().iter().filter(|op| op.tag() != similar::DiffTag::Equal) {
        let old = op.old_range();
        for line in old.clone() {
            assert!(
                covered(line as u64 + 1),
                "{}:{} changed without a fixable finding",
                path.display(),
                line + 1
            );
        }
        if old.is_empty() {
            assert!(
                covered(old.start as u64 + 1),
                "{}:{} inserted without a fixable finding",
                path.display(),
                old.start + 1
            );
        }
    }
}

/// `convert -t splunk --format jsonl` queries by (file, document).
fn queries(paths: &[&str]) -> BTreeMap<(String, u64), Value> {
    let mut args = vec!["convert", "-t", "splunk", "--format", "jsonl"];
    args.extend(paths);
    json_lines(&detc(&args))
        .into_iter()
        .map(|r| {
            (
                (r["path"].as_str().unwrap().to_string(), r["document"].as_u64().unwrap()),
                r["queries"].clone(),
            )
        })
        .collect()
}

fn check_json(paths: &[&str]) -> Vec<Value> {
    let mut args = vec!["check", "--format", "json"];
    args.extend(paths);
    json_lines(&detc(&args))
}

#[test]
fn fix_on_the_corpora_changes_only_what_it_reports() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    copy_tree(
        &corpus(&shared, "auth0/detections"),
        &dir.path().join("auth0"),
        &mut files,
    );
    copy_tree(
        &corpus(&shared, "sigmahq-sample"),
        &dir.path().join("sigmahq"),
        &mut files,
    );
    let roots = [dir.path().join("auth0"), dir.path().join("sigmahq")];
    let paths: Vec<&str> = roots.iter().map(|p| p.to_str().unwrap()).collect();

    let before_texts = texts(&files);
    let before = check_json(&paths);
    let fixable: Vec<Value> = before.iter().filter(|d| d.get("fix").is_some()).cloned().collect();
    assert!(
        fixable.len() >= 10,
        "the corpora have fixable findings: {}",
        fixable.len()
    );
    let before_queries = queries(&paths);

    let mut args = vec!["check", "--fix"];
    args.extend(&paths);
    let out = detc(&args);
    let err = stderr(&out);
    assert!(err.contains(&format!("fixed {} findings in ", fixable.len())), "{err}");

    let after_texts = texts(&files);
    let edits = edit_lines(&fixable);
    for (path, old) in &before_texts {
        let new = &after_texts[path];
        assert_eq!(
            comments(old),
            comments(new),
            "{} lost or changed a comment",
            path.display()
        );
        if old != new {
            assert_changes_were_reported(path, old, new, edits.get(path).map_or(&[], Vec::as_slice));
        }
    }

    let after = check_json(&paths);
    assert!(after.iter().all(|d| d.get("fix").is_none()), "fixable findings remain");
    for d in &fixable {
        let same = |x: &Value| x["code"] == d["code"] && x["file"] == d["file"] && x["message"] == d["message"];
        assert!(
            after.iter().filter(|x| same(x)).count() < before.iter().filter(|x| same(x)).count(),
            "still reported after --fix: {d}"
        );
    }
    assert!(
        after.len() + fixable.len() <= before.len(),
        "{} after, {} before",
        after.len(),
        before.len()
    );
    assert_eq!(
        queries(&paths),
        before_queries,
        "the fixed catalog converts to the same queries"
    );
}

/// Spoil every `date:` (slashes) and technique tag (upper case) of the SigmaHQ sample; `--fix` must
/// restore each file byte for byte.
#[test]
fn fix_restores_spoilt_dates_and_tags_of_the_sigmahq_sample() {
    let Some(shared) = shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    copy_tree(&corpus(&shared, "sigmahq-sample"), dir.path(), &mut files);
    let originals = texts(&files);
    let date = regex::Regex::new(r"(?m)^(date|modified): (\d{4})-(\d{2})-(\d{2})$").unwrap();
    let tag = regex::Regex::new(r"(?m)^(\s+- attack\.)t(\d{4})").unwrap();
    let mut spoilt = 0;
    for (path, text) in &originals {
        spoilt += date.find_iter(text).count() + tag.find_iter(text).count();
        let text = date.replace_all(text, "$1: $2/$3/$4");
        let text = tag.replace_all(&text, "${1}T$2");
        std::fs::write(path, text.as_bytes()).unwrap();
    }
    assert!(spoilt > 300, "{spoilt}");
    let root = dir.path().to_str().unwrap();
    let out = detc(&["check", "--fix", root]);
    let err = stderr(&out);
    assert!(err.contains(&format!("fixed {spoilt} findings in ")), "{err}");
    for (path, original) in &originals {
        assert_eq!(&std::fs::read_to_string(path).unwrap(), original, "{}", path.display());
    }
}
