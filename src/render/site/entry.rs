//! One detection as the site shows it: the template context of its page and its row of the search
//! index. Everything taken from the rule stays text here; the Markdown and YAML fragments are
//! rendered to escaped HTML by [`super::markdown`] and [`super::yaml`].

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::html::web_url;
use super::{markdown, yaml};
use crate::backend::QueryLanguage;
use crate::catalog::yaml::Node;
use crate::data::attack::attack;
use crate::eval::{Outcome, TestResult};
use crate::render::compiled::Detection;
use crate::render::family::Placement;
use crate::render::meta::TACTICS;

/// `logsource` as three fields (empty when absent).
pub fn logsource(d: &Detection<'_, '_>) -> Json {
    let ls = d.parsed.doc.root.get("logsource");
    let field = |k: &str| ls.and_then(|l| l.get(k)).and_then(Node::scalar_text).unwrap_or("");
    json!({"product": field("product"), "category": field("category"), "service": field("service")})
}

/// Field names a detection reads (keys of its search identifiers, modifiers dropped), or a
/// correlation's group-by fields: searchable on the index.
pub fn fields(d: &Detection<'_, '_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(det) = d.parsed.doc.root.get("detection").and_then(Node::as_map) {
        for e in det.iter().filter(|e| e.key.scalar_text() != Some("condition")) {
            collect_keys(&e.value, &mut out);
        }
    }
    if let Some(c) = d.parsed.correlation() {
        out.extend(c.group_by.iter().filter_map(|g| g.scalar_text().map(str::to_string)));
    }
    out.sort();
    out.dedup();
    out
}

fn collect_keys(node: &Node, out: &mut Vec<String>) {
    if let Some(map) = node.as_map() {
        for e in map {
            if let Some(k) = e.key.scalar_text() {
                out.push(k.split('|').next().unwrap_or(k).to_string());
            }
        }
    } else if let Some(items) = node.as_seq() {
        items.iter().for_each(|i| collect_keys(i, out));
    }
}

/// Each query language's queries for the page, or why there are none, in the backends' order.
pub fn targets(d: &Detection<'_, '_>) -> Vec<Json> {
    QueryLanguage::all()
        .filter_map(|t| {
            let q = d.queries.get(t.name())?;
            Some(match &q.queries {
                Ok(list) => json!({"name": t.name(), "ok": true, "queries": list, "notes": q.notes}),
                Err(why) => json!({"name": t.name(), "ok": false, "why": why, "queries": [], "notes": q.notes}),
            })
        })
        .collect()
}

/// Where the build deployed the detection: every artifact family's file and names (Kibana rules
/// with their `rule_id`), or why it is not there.
pub fn deployed(d: &Detection<'_, '_>, placements: Option<&BTreeMap<&'static str, Placement>>) -> Vec<Json> {
    let Some(placements) = placements else {
        return Vec::new();
    };
    placements
        .iter()
        .map(|(target, p)| match p {
            Placement::Deployed { artifact, names } => {
                let n = names.len();
                let names: Vec<Json> = names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| {
                        let id = (*target == "elastic").then(|| crate::render::elastic::rule_id_and_name(d, i, n).0);
                        json!({"name": name, "id": id})
                    })
                    .collect();
                json!({"target": target, "artifact": artifact, "names": names})
            }
            Placement::Skipped { reason } => json!({"target": target, "skipped": reason}),
            Placement::Failed { reason } => json!({"target": target, "skipped": reason}),
        })
        .collect()
}

/// The detection's tests with their events (pretty JSON) and, when the build ran them, outcomes.
pub fn tests(d: &Detection<'_, '_>, results: Option<&[&TestResult]>) -> (Vec<Json>, &'static str) {
    let mut state = if d.tests.is_empty() { "none" } else { "passed" };
    if results.is_none() && !d.tests.is_empty() {
        state = "not run";
    }
    let list = d
        .tests
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap_or("");
            let result = results.map(|rs| {
                let mine: Vec<&&TestResult> = rs.iter().filter(|r| r.test == name).collect();
                match mine.first().map(|r| &r.outcome) {
                    Some(Outcome::Passed) => json!({"state": "passed"}),
                    Some(Outcome::Failed(m)) => {
                        state = "failed";
                        json!({"state": "failed", "message": m})
                    }
                    Some(Outcome::Error(m)) => {
                        if state != "failed" {
                            state = "error";
                        }
                        json!({"state": "error", "message": m})
                    }
                    None => json!({"state": "not run"}),
                }
            });
            let events: Vec<String> = t["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| serde_json::to_string_pretty(e).unwrap_or_default())
                .collect();
            json!({"name": name, "expect": t["expect"], "events": events, "result": result})
        })
        .collect();
    (list, state)
}

/// ATT&CK tactics and techniques with names and links to the ATT&CK site.
pub fn attack_links(meta: &Json) -> (Vec<Json>, Vec<Json>) {
    let tactics = strs(&meta["tactics"])
        .filter_map(|t| TACTICS.iter().find(|(s, _, _)| *s == t))
        .map(|(short, id, name)| json!({"short": short, "id": id, "name": name, "url": format!("https://attack.mitre.org/tactics/{id}/")}))
        .collect();
    let techniques = strs(&meta["techniques"])
        .map(|t| {
            let known = attack().techniques.get(t.to_ascii_lowercase().as_str());
            // Only ids the ATT&CK table knows become links (the id is then `T` and digits).
            let url = known.map(|_| format!("https://attack.mitre.org/techniques/{}/", t.replace('.', "/")));
            json!({"id": t, "name": known.map(|k| k.name), "url": url})
        })
        .collect();
    (tactics, techniques)
}

fn strs(v: &Json) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Json::as_str)
}

/// Markdown fields rendered: description, false positives, references and the extension fields.
pub fn prose(meta: &Json) -> Json {
    let list = |v: &Json| -> Vec<String> { strs(v).map(markdown::inline).collect() };
    let references: Vec<Json> = strs(&meta["references"])
        .map(|r| json!({"text": r, "url": web_url(r)}))
        .collect();
    let custom = &meta["custom"];
    json!({
        "description": markdown::block(meta["description"].as_str().unwrap_or("")),
        "falsepositives": list(&meta["falsepositives"]),
        "references": references,
        "explanation": custom["explanation"].as_str().map(markdown::block),
        "prevention": list(&custom["prevention"]),
        "comments": list(&custom["comments"]),
    })
}

/// The highlighted detection or correlation block.
pub fn source(d: &Detection<'_, '_>) -> Option<String> {
    let key = if d.is_correlation() { "correlation" } else { "detection" };
    yaml::block_of(d.parsed.doc, key)
}
