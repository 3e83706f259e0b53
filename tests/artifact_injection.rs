//! Rule text cannot reshape a built artifact. Arbitrary titles, descriptions, false positives, test
//! names and detection values (quotes, backslashes, brackets, newlines, CR, NUL, bidi controls,
//! backticks, `#`, `|`, HTML) go through `detc build`; each artifact is read back with a reader of its
//! format — a Splunk `.conf` reader written here, serde_json for Kibana and Sumo, pulldown-cmark for
//! the Markdown pages — and must have the same structure as for a benign rule, with the text intact
//! where the format can carry it.
//!
//! Default size keeps `cargo test` quick; a bigger run:
//! `PROPTEST_CASES=5000 cargo test --release --test artifact_injection`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use detc::catalog::Catalog;
use detc::config::Config;
use detc::render::{BuildPolicy, Templates, build};
use proptest::prelude::*;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::Value;

/// One stanza of a `.conf` file: its name and its `key = value` pairs in order.
type Stanza = (String, Vec<(String, String)>);

/// Read a `.conf` file as Splunk does: a line ending in `\` continues on the next one; `#` starts a
/// comment line; `[name]` opens a stanza; other lines are `key = value`.
fn read_conf(text: &str) -> Result<Vec<Stanza>, String> {
    let mut logical: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.split('\n') {
        let joined = match pending.take() {
            Some(mut p) => {
                p.push('\n');
                p.push_str(line);
                p
            }
            None => line.to_string(),
        };
        match joined.strip_suffix('\\') {
            Some(head) => pending = Some(head.to_string()),
            None => logical.push(joined),
        }
    }
    if pending.is_some() {
        return Err("the file ends inside a continued value".into());
    }
    let mut stanzas: Vec<Stanza> = vec![(String::new(), Vec::new())];
    for line in logical {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('[') {
            let name = rest
                .trim_end()
                .strip_suffix(']')
                .ok_or_else(|| format!("unterminated stanza header {line:?}"))?;
            stanzas.push((name.to_string(), Vec::new()));
            continue;
        }
        let (k, v) = t
            .split_once('=')
            .ok_or_else(|| format!("neither key nor stanza: {line:?}"))?;
        stanzas
            .last_mut()
            .unwrap()
            .1
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(stanzas)
}

/// Characters that matter to some artifact format, plus ordinary and non-ASCII ones.
const CHARS: &[char] = &[
    '"', '\'', '\\', '|', '\n', '\r', '\t', '\0', '`', '[', ']', '<', '>', '&', '#', '*', '_', '=', '/', '-', '!', '(',
    ')', ' ', '\u{202e}', '\u{2066}', '\u{200b}', 'é', 'a', 'Z', '0', '.', '$', ',', ':',
];

fn text_of(chars: Vec<char>) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(chars), 1..20).prop_map(|cs| cs.into_iter().collect())
}

/// Rule text for any position. No braces: a `{name}` in a detection value is a variable token, and a
/// missing variable fails the build by design.
fn text() -> impl Strategy<Value = String> {
    text_of(CHARS.to_vec())
}

/// Text for titles, descriptions and tags, which are never token-filled: braces too (JSON syntax).
fn text_with_braces() -> impl Strategy<Value = String> {
    text_of(CHARS.iter().copied().chain(['{', '}']).collect())
}

/// A YAML double-quoted scalar (JSON string syntax is a subset of it).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

const GOOD: &str = "title: Benign rule\nid: 0f0e0d0c-0b0a-4909-8807-060504030201\nlevel: low\nstatus: test\n\
    description: A plain description.\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n";

fn hostile_rule(title: &str, description: &str, fp: &str, value: &str) -> String {
    format!(
        "title: {}\nid: 1a1b1c1d-2e2f-4a3b-8c4d-5e6f7a8b9c0d\nlevel: high\nstatus: test\ndescription: {}\n\
         falsepositives: [{}]\nlogsource: {{product: auth0}}\ndetection: {{sel: {{data.description: {}}}, condition: sel}}\n",
        quoted(title),
        quoted(description),
        quoted(fp),
        quoted(value),
    )
}

fn build_files(rule: &str) -> (BTreeMap<PathBuf, String>, bool) {
    build_with(rule, &Config::default())
}

fn build_with(rule: &str, config: &Config) -> (BTreeMap<PathBuf, String>, bool) {
    let catalog = Catalog::from_sources(&[("rules/good.yml", GOOD), ("rules/hostile.yml", rule)]);
    let templates = Templates::load(None).unwrap();
    let artifacts = build(
        &catalog,
        config,
        &templates,
        BuildPolicy {
            exclude_broken: true,
            ..BuildPolicy::default()
        },
    );
    let failed = artifacts.failed();
    (artifacts.files, failed)
}

/// What a reader sees of rule text that went through a one-line escape: controls as spaces,
/// whitespace runs as one space, trimmed.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts of each heading level-1 and every code block, and whether any HTML or link appeared.
fn read_markdown(page: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut headings = Vec::new();
    let mut blocks = Vec::new();
    let mut unsafe_events = Vec::new();
    let mut current: Option<String> = None;
    let mut in_block: Option<String> = None;
    for event in Parser::new_ext(page, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H1,
                ..
            }) => current = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            Event::Start(Tag::CodeBlock(_)) => in_block = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => blocks.extend(in_block.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
                if let Some(b) = in_block.as_mut() {
                    b.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = current.as_mut() {
                    c.push(' ');
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => unsafe_events.push(format!("html {h}")),
            Event::Start(Tag::Link { dest_url, .. }) => unsafe_events.push(format!("link {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => unsafe_events.push(format!("image {dest_url}")),
            _ => {}
        }
    }
    (headings, blocks, unsafe_events)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn rule_text_cannot_reshape_artifacts(title in text(), description in text(), fp in text(), value in text()) {
        let rule = hostile_rule(&title, &description, &fp, &value);
        let (files, failed) = build_files(&rule);
        prop_assert!(!failed, "a broken hostile rule is excluded, never a failed build");
        let report: Value = serde_json::from_str(&files[&PathBuf::from("report.json")]).unwrap();
        let hostile = report["documents"].as_array().unwrap().iter().find(|d| d["path"] == "rules/hostile.yml").unwrap().clone();
        let deployed = if hostile["status"] == "deployed" { 2 } else { 1 };

        // Splunk: one stanza per deployed rule, each with the benign rule's keys, `disabled = 1` intact.
        let conf = &files[&PathBuf::from("splunk/detc_detections/default/savedsearches.conf")];
        let stanzas = read_conf(conf).map_err(|e| TestCaseError::fail(format!("{e}\n{conf}")))?;
        let stanzas: Vec<&Stanza> = stanzas.iter().filter(|s| !s.0.is_empty()).collect();
        prop_assert_eq!(stanzas.len(), deployed, "{}", conf);
        let keys = |s: &Stanza| s.1.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        for s in &stanzas {
            prop_assert_eq!(keys(s), keys(stanzas[0]), "{}", conf);
            prop_assert!(s.1.iter().any(|(k, v)| k == "disabled" && v == "1"), "{}", conf);
            prop_assert!(!s.0.eq_ignore_ascii_case("default"));
        }
        let app = &files[&PathBuf::from("splunk/detc_detections/default/app.conf")];
        prop_assert_eq!(read_conf(app).unwrap().len(), 6, "{}", app);

        // Kibana and Sumo: JSON that carries the title verbatim.
        let ndjson = &files[&PathBuf::from("elastic/rules.ndjson")];
        let rules: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(rules.len(), deployed);
        let sumo: Value = serde_json::from_str(&files[&PathBuf::from("sumo/searches.json")]).unwrap();
        prop_assert_eq!(sumo["children"].as_array().unwrap().len(), deployed);
        if deployed == 2 {
            let name = title.trim_end();
            prop_assert!(rules.iter().any(|r| r["name"] == name), "{}", ndjson);
            let stanza = match one_line(&title.replace(['[', ']'], " ")) {
                s if s.is_empty() => "untitled detection".to_string(),
                s if s.eq_ignore_ascii_case("default") => format!("{s} (detection)"),
                s => s,
            };
            prop_assert!(stanzas.iter().any(|s| s.0 == stanza || s.0.starts_with(&format!("{stanza} ("))), "{:?} not in {}", stanza, conf);
        }

        // Markdown: no HTML, no link, the title as the heading, each query whole in its code block.
        let pages: Vec<(&PathBuf, &String)> = files.iter().filter(|(p, _)| p.starts_with("docs")).collect();
        prop_assert_eq!(pages.len(), deployed + 1, "a page per rule and the index");
        for (path, page) in pages {
            let (headings, blocks, unsafe_events) = read_markdown(page);
            prop_assert!(unsafe_events.is_empty() || path.ends_with("index.md") && unsafe_events.iter().all(|e| e.starts_with("link rules/")), "{:?} in {}", unsafe_events, page);
            prop_assert_eq!(headings.len(), 1, "{}", page);
            if path.starts_with("docs/rules") {
                prop_assert_eq!(blocks.len(), 5, "one code block per target: {}", page);
            }
            let hostile_page = path.starts_with("docs/rules") && !path.to_string_lossy().contains("benign-rule");
            if hostile_page {
                prop_assert_eq!(one_line(&headings[0]), one_line(&title), "{}", page);
            }
        }
    }
}

/// A config that deploys Splunk ES correlation searches with a risk and a threat object.
fn es_config() -> Config {
    let splunk = serde_json::json!({"enterprise_security": {
        "enabled": true,
        "risk_objects": [{"field": "data.user_id", "type": "user"}],
        "threat_objects": [{"field": "data.ip", "type": "ip_address"}],
        "nes_fields": ["data.user_id"],
    }});
    Config {
        targets: [("splunk".to_string(), splunk)].into_iter().collect(),
        ..Config::default()
    }
}

fn with_tag(rule: &str, tag: &str) -> String {
    format!("{rule}tags: [{}]\n", quoted(&format!("attack.t1{tag}")))
}

const DRILLDOWN: [&str; 4] = [
    "action.notable.param.drilldown_name",
    "action.notable.param.drilldown_search",
    "action.notable.param.drilldown_earliest_offset",
    "action.notable.param.drilldown_latest_offset",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn rule_text_cannot_reshape_es_correlation_searches(title in text_with_braces(), description in text_with_braces(), value in text(), tag in text_with_braces()) {
        let rule = with_tag(&hostile_rule(&title, &description, "fp", &value), &tag);
        let (files, failed) = build_with(&rule, &es_config());
        prop_assert!(!failed);
        let conf = &files[&PathBuf::from("splunk/detc_detections/default/savedsearches.conf")];
        let stanzas = read_conf(conf).map_err(|e| TestCaseError::fail(format!("{e}\n{conf}")))?;
        let stanzas: Vec<&Stanza> = stanzas.iter().filter(|s| !s.0.is_empty()).collect();
        let get = |s: &Stanza, key: &str| s.1.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let benign = stanzas.iter().find(|s| s.0 == "Benign rule").expect("the benign stanza");
        let keys = |s: &Stanza| s.1.iter().map(|(k, _)| k.clone()).filter(|k| !DRILLDOWN.contains(&k.as_str())).collect::<Vec<_>>();
        for s in &stanzas {
            // The same ES keys as the benign rule, in the same order, and nothing injected.
            prop_assert_eq!(keys(s), keys(benign), "{}", conf);
            prop_assert_eq!(get(s, "disabled"), Some("1".to_string()));
            prop_assert_eq!(get(s, "action.correlationsearch.enabled"), Some("1".to_string()));
            let search = get(s, "search").unwrap();
            // The drill-down is the search itself, or absent when the search holds a `$` (a token to ES).
            match get(s, "action.notable.param.drilldown_search") {
                Some(d) => prop_assert_eq!(d, search),
                None => prop_assert!(search.contains('$'), "{}", conf),
            }
            // Text ES substitutes tokens in holds no `$` but the risk message's own tokens.
            for key in ["action.notable.param.rule_title", "action.notable.param.rule_description", "action.notable.param.drilldown_name"] {
                prop_assert!(!get(s, key).unwrap_or_default().contains('$'), "{}: {}", key, conf);
            }
            let message = get(s, "action.risk.param._risk_message").unwrap();
            let text = message.strip_suffix("(data.user_id=$data.user_id$)");
            prop_assert!(text.is_some_and(|t| !t.contains('$')), "{}", conf);
            // JSON values are one valid JSON document each.
            let annotations: Value = serde_json::from_str(&get(s, "action.correlationsearch.annotations").unwrap())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{conf}")))?;
            prop_assert!(annotations.is_object());
            let risk: Value = serde_json::from_str(&get(s, "action.risk.param._risk").unwrap()).unwrap();
            prop_assert_eq!(risk, serde_json::json!([
                {"risk_object_field": "data.user_id", "risk_object_type": "user", "risk_score": if s.0 == "Benign rule" { 25 } else { 75 }},
                {"threat_object_field": "data.ip", "threat_object_type": "ip_address"},
            ]));
            if s.0 != "Benign rule" && !tag.contains(['\u{2028}', '\u{2029}']) {
                prop_assert_eq!(&annotations["mitre_attack"][0], &Value::String(format!("T1{}", tag.replace('_', "-").to_uppercase())), "{}", conf);
            }
        }
    }
}

#[test]
fn the_conf_reader_sees_continuations_and_stanzas() {
    let text = "# c\n[a]\nk = v \\\n[not a stanza] \\\nmore\nx = 1\n[b]\nk = 2\n";
    let s = read_conf(text).unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s[1].0, "a");
    assert_eq!(s[1].1[0], ("k".into(), "v \n[not a stanza] \nmore".into()));
    assert!(read_conf("[a]\nk = v\\").is_err());
}
