//! Diagnostic codes: every code is defined in `src/codes/` and listed, and every YAML example
//! fires on `bad` and stays quiet on `good`.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use detc::catalog::Catalog;
use detc::check::check_catalog;
use detc::codes;
use detc::config::{Config, LintOptions};

/// The codes `detc check` reports in a folder holding the example's files: a `detc.yaml` among them
/// is the configuration (its own errors, and the lint options it sets), the others the catalog.
fn codes_reported(example: &'static str) -> Vec<&'static str> {
    let (config, rules): (Vec<_>, Vec<_>) = codes::Code::example_files(example)
        .into_iter()
        .partition(|(name, _)| *name == "detc.yaml");
    let mut reported = Vec::new();
    let mut options = LintOptions::default();
    if let Some((name, text)) = config.first() {
        match Config::parse(Arc::from(Path::new(name)), text.to_string()) {
            Ok(c) => {
                options.variables = c.variables;
                options.require_tests = c.require_tests;
            }
            Err(diags) => reported.extend(diags.iter().map(|d| d.code.code)),
        }
    }
    let catalog = Catalog::from_sources(&rules);
    reported.extend(check_catalog(&catalog, &options).iter().map(|d| d.code.code));
    reported
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_files() -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Every code with examples fires on its `bad` example and stays quiet on its `good` one.
#[test]
fn every_lint_fires_on_bad_and_not_on_good() {
    let mut failures = Vec::new();
    for c in codes::all().into_iter().filter(|c| !c.bad.is_empty()) {
        if !codes_reported(c.bad).contains(&c.code) {
            failures.push(format!("{} does not fire on its bad example", c.code));
        }
        if codes_reported(c.good).contains(&c.code) {
            failures.push(format!("{} fires on its good example", c.code));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// A code without examples says in its doc why `detc check` cannot show it.
#[test]
fn codes_without_examples_say_why() {
    let silent: Vec<&str> = codes::all()
        .into_iter()
        .filter(|c| c.bad.is_empty() && !c.doc.contains("no check example"))
        .map(|c| c.code)
        .collect();
    assert!(silent.is_empty(), "codes without an example nor a reason: {silent:?}");
}

/// Codes are written only in `src/codes/`, and each entry of a family file is in the list.
#[test]
fn every_defined_code_is_listed() {
    let listed: std::collections::BTreeSet<&str> = codes::all().iter().map(|c| c.code).collect();
    let mut defined = std::collections::BTreeSet::new();
    for (path, text) in src_files() {
        let in_codes = path.components().any(|c| c.as_os_str() == "codes");
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start();
            let Some(rest) = line.strip_prefix("code: \"") else {
                continue;
            };
            let code = &rest[..rest.find('"').unwrap()];
            assert!(
                in_codes,
                "{}:{}: code {code} defined outside src/codes",
                path.display(),
                i + 1
            );
            assert!(defined.insert(code.to_string()), "{code} defined twice");
        }
    }
    let defined: std::collections::BTreeSet<&str> = defined.iter().map(String::as_str).collect();
    assert_eq!(defined, listed);
}

/// Every code the sources name (`codes::NAME`, what they report) is defined and listed.
#[test]
fn every_emitted_code_is_listed() {
    let listed: std::collections::BTreeSet<&str> = codes::all().iter().map(|c| c.code).collect();
    let mut names = std::collections::BTreeMap::new();
    let files = src_files();
    for (path, text) in &files {
        if !path.components().any(|c| c.as_os_str() == "codes") {
            continue;
        }
        let mut name = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(n) = t.strip_suffix(" {")
                && !n.is_empty()
                && n.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
            {
                name = Some(n.to_string());
            } else if let Some(rest) = t.strip_prefix("code: \"") {
                names.insert(name.take().unwrap(), rest[..rest.find('"').unwrap()].to_string());
            }
        }
    }
    let mut used = 0;
    for (path, text) in &files {
        for (i, _) in text.match_indices("codes::") {
            let ident: String = text[i + 7..]
                .chars()
                .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
                .collect();
            if ident.len() < 2
                || !ident
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
            {
                continue;
            }
            let code = names
                .get(&ident)
                .unwrap_or_else(|| panic!("{}: codes::{ident} is not in a family file", path.display()));
            assert!(listed.contains(code.as_str()), "{code} ({ident}) is not listed");
            used += 1;
        }
    }
    assert!(used > 80, "only {used} uses of codes:: found");
}

/// `detc list lints` shows every code.
#[test]
fn list_lints_shows_every_code() {
    let out = Command::new(env!("CARGO_BIN_EXE_detc"))
        .args(["list", "lints"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for c in codes::all() {
        assert!(
            text.contains(c.code) && text.contains(c.name),
            "{} missing from `detc list lints`",
            c.code
        );
    }
}
