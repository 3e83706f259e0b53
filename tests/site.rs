//! The static HTML site (`dist/site/`): every page of our catalog's committed site (tests/golden/dist,
//! kept equal to a fresh build by tests/cli.rs) parses without an HTML error and its ids and internal
//! links resolve; two builds give the same bytes; rule text that tries to be markup, script or a
//! `javascript:` link stays text in every field that reaches the site; the shared corpora's sites
//! have a page for every document. The browser tests are scripts/conformance/site_browser.py.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

mod common;
use common::{corpus, shared, stderr};

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Parse errors, duplicate ids, references to missing ids, and internal links or resources that
/// point at no file of the site.
fn problems(site: &Path, page: &Path, text: &str) -> Vec<String> {
    let doc = Html::parse_document(text);
    let mut out: Vec<String> = doc.errors.iter().map(|e| format!("parse error: {e}")).collect();
    if !text.starts_with("<!DOCTYPE html>") {
        out.push("no doctype".into());
    }
    let mut ids = BTreeSet::new();
    for e in doc.select(&sel("[id]")) {
        let id = e.value().attr("id").unwrap();
        if !ids.insert(id.to_string()) {
            out.push(format!("duplicate id {id}"));
        }
    }
    for attr in ["for", "aria-labelledby", "aria-describedby", "data-copy"] {
        for e in doc.select(&sel(&format!("[{attr}]"))) {
            for id in e.value().attr(attr).unwrap().split_whitespace() {
                if !ids.contains(id) {
                    out.push(format!("{attr}={id} names no element"));
                }
            }
        }
    }
    let dir = site.join(page).parent().unwrap().to_path_buf();
    for (selector, attr) in [("a[href]", "href"), ("link[href]", "href"), ("script[src]", "src")] {
        for e in doc.select(&sel(selector)) {
            let target = e.value().attr(attr).unwrap();
            if target.starts_with("https://") || target.starts_with("http://") || target.starts_with("data:,") {
                continue;
            }
            let file = target.split('#').next().unwrap();
            if file.is_empty() {
                continue;
            }
            if !dir.join(file).is_file() {
                out.push(format!("{attr}={target} is not a file of the site"));
            }
        }
    }
    out
}

fn check_site(site: &Path) -> usize {
    let mut pages = 0;
    let mut report = String::new();
    for (path, bytes) in files(site) {
        if path.extension().is_some_and(|e| e == "html") {
            pages += 1;
            for p in problems(site, &path, std::str::from_utf8(&bytes).unwrap()) {
                report.push_str(&format!("{}: {p}\n", path.display()));
            }
        }
    }
    assert!(report.is_empty(), "{report}");
    pages
}

#[test]
fn every_page_of_our_site_is_valid_html_with_working_links() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/dist/site");
    // Our catalog: 26 documents (20 deployed, 6 base rules) plus the index and the coverage page.
    assert_eq!(check_site(&site), 28);
    let index = std::fs::read_to_string(site.join("search-index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    assert_eq!(index["entries"].as_array().unwrap().len(), 26);
}

#[test]
fn building_twice_gives_the_same_site() {
    let dir = tempfile::tempdir().unwrap();
    let build = |name: &str| {
        let out = dir.path().join(name);
        let run = Command::new(env!("CARGO_BIN_EXE_detc"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
        files(&out.join("site"))
    };
    let a = build("a");
    assert!(a.len() > 28, "{:?}", a.keys());
    assert!(a == build("b"), "two builds of the site differ");
}

#[test]
fn the_site_can_be_switched_off() {
    let project = common::Project::new();
    project.add_rule("a.yml", "A rule", "11111111-1111-4111-8111-111111111111");
    std::fs::write(
        project.root().join("detc.yaml"),
        "catalog: rules\ntargets:\n  site: {enabled: false}\n",
    )
    .unwrap();
    let out = project.cmd(&["build", "--out", "dist"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(project.root().join("dist/docs").is_dir());
    assert!(!project.root().join("dist/site").exists());
    let report = std::fs::read_to_string(project.root().join("dist/report.json")).unwrap();
    assert!(!report.contains("\"site\""), "{report}");
}

/// Text that would be markup, script, a script-scheme link or broken Markdown if it were not escaped.
const HOSTILE: &str = r#"<script>alert("t")</script> "dq" 'sq' & <img src=x onerror=alert(1)> </script><!-- [click](javascript:alert(1)) **open _md `tick"#;

/// A rule with `HOSTILE` in one field (the others plain).
fn hostile_rule(field: &str) -> String {
    let h = serde_json::to_string(HOSTILE).unwrap(); // a valid double-quoted YAML scalar
    let v = |f: &str| {
        if f == field {
            h.clone()
        } else {
            format!("\"plain {f}\"")
        }
    };
    format!(
        "title: {title}\nid: 0b1c2d3e-aaaa-4bbb-8ccc-123456789abc\nname: {name}\nstatus: experimental\ndescription: {description}\nauthor: {author}\n\
         references:\n    - {reference}\n    - javascript:alert(2)\nlogsource:\n    product: {product}\n    service: {service}\n\
         detection:\n    sel:\n        data.type: {value}\n    condition: sel\nfalsepositives:\n    - {falsepositive}\nlevel: low\n\
         tags:\n    - attack.credential-access\nexplanation: {explanation}\nprevention:\n    - {prevention}\ncomments:\n    - {comment}\n\
         tests:\n    - name: {test}\n      expect: match\n      event: {{data: {{type: {value}}}}}\n    - name: quiet\n      expect: no_match\n      event: {{data: {{type: other}}}}\n",
        title = v("title"),
        name = if field == "name" {
            h.clone()
        } else {
            "plain_name".into()
        },
        description = v("description"),
        author = v("author"),
        reference = v("reference"),
        product = v("product"),
        service = v("service"),
        value = v("value"),
        falsepositive = v("falsepositive"),
        explanation = v("explanation"),
        prevention = v("prevention"),
        comment = v("comment"),
        test = v("test"),
    )
}

#[test]
fn hostile_text_in_any_field_appears_as_text() {
    let fields = [
        "title",
        "name",
        "description",
        "author",
        "reference",
        "product",
        "service",
        "value",
        "falsepositive",
        "explanation",
        "prevention",
        "comment",
        "test",
    ];
    for field in fields {
        let project = common::Project::new();
        std::fs::write(project.root().join("rules/hostile.yml"), hostile_rule(field)).unwrap();
        std::fs::write(
            project.root().join("detc.yaml"),
            "catalog: rules\nexclude_broken: false\n",
        )
        .unwrap();
        let out = project.cmd(&["build", "--out", "dist"]).output().unwrap();
        assert!(out.status.success(), "{field}: {}", stderr(&out));
        let site = project.root().join("dist/site");
        check_site(&site);
        let mut seen = false;
        for (path, bytes) in files(&site) {
            let text = String::from_utf8(bytes).unwrap();
            if path.extension().is_some_and(|e| e == "js") {
                // The search index is data: no markup-ending sequence can appear in it.
                assert!(
                    path.starts_with("assets") || !text.contains('<'),
                    "{field}: {}",
                    path.display()
                );
                continue;
            }
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let doc = Html::parse_document(&text);
            let scripts: Vec<&str> = doc
                .select(&sel("script"))
                .filter_map(|s| s.value().attr("src"))
                .collect();
            assert_eq!(doc.select(&sel("script")).count(), 2, "{field}: {}", path.display());
            assert!(
                scripts
                    .iter()
                    .all(|s| s.ends_with("search-index.js") || s.ends_with("assets/site.js")),
                "{field}: {scripts:?}"
            );
            for e in doc.select(&sel("*")) {
                for (name, value) in e.value().attrs() {
                    assert!(!name.starts_with("on"), "{field}: {} has {name}", path.display());
                    let lower = value.trim().to_ascii_lowercase();
                    assert!(
                        !lower.starts_with("javascript:"),
                        "{field}: {} {name}={value}",
                        path.display()
                    );
                }
                assert_ne!(e.value().name(), "img", "{field}: {}", path.display());
            }
            let shown: String = doc.root_element().text().collect();
            // Markdown fields render the link as its text; everything else shows the whole text.
            let markdown = ["description", "falsepositive", "explanation", "prevention", "comment"].contains(&field);
            // A detection value shows as written in the YAML (a JSON-style quoted scalar here).
            let quoted = serde_json::to_string(HOSTILE).unwrap();
            let expected = match field {
                _ if markdown => r#"<script>alert("t")</script> "dq" 'sq' & <img src=x onerror=alert(1)>"#,
                "value" => quoted.as_str(),
                _ => HOSTILE,
            };
            seen |= shown.contains(expected);
        }
        assert!(seen, "{field}: the text does not appear on any page");
    }
}

/// Every document of a shared corpus has its page, and every page is valid.
fn corpus_site(catalog: &Path, config: Option<&Path>) -> (usize, serde_json::Value) {
    let out_dir = tempfile::tempdir().unwrap();
    let dist = out_dir.path().join("dist");
    let config = config.map(Path::to_path_buf).unwrap_or_else(|| {
        let c = out_dir.path().join("detc.yaml");
        let list = serde_json::to_string(&catalog.display().to_string()).unwrap();
        std::fs::write(
            &c,
            format!(
                "catalog: [{list}]\nexclude_broken: true\ntargets:\n  splunk: {{skip_unsupported: true}}\n  \
                 elastic: {{skip_unsupported: true}}\n  sumo: {{skip_unsupported: true}}\n"
            ),
        )
        .unwrap();
        c
    });
    let run = Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(out_dir.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "build",
            "--out",
            dist.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(run.status.success() || run.status.code() == Some(1), "{}", stderr(&run));
    let site = dist.join("site");
    assert!(site.join("index.html").is_file(), "{}", stderr(&run));
    let pages = check_site(&site);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("report.json")).unwrap()).unwrap();
    (pages, report)
}

#[test]
fn the_shared_corpora_render_every_document() {
    let Some(shared) = shared() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, config) in [
        (
            "auth0/detections",
            Some(root.join("scripts/conformance/auth0.detc.yaml")),
        ),
        ("sigmahq-sample", None),
    ] {
        let (pages, report) = corpus_site(&corpus(&shared, name), config.as_deref());
        // A page for every rule and correlation the build keeps (deployed or consumed), plus two.
        let shown = report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["kind"] != "filter" && matches!(d["status"].as_str(), Some("deployed" | "consumed" | "partial"))
            })
            .count();
        assert!(shown > 0, "{name}");
        assert_eq!(pages, shown + 2, "{name}");
    }
}
