//! The ATT&CK coverage page's data: a tactic × technique matrix from the embedded ATT&CK table,
//! each parent technique counted with its sub-techniques rolled up, and summary bar charts drawn as
//! inline SVG.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use super::html::escape;
use crate::data::attack::attack;
use crate::render::meta::TACTICS;

/// The parent technique id (upper case) of a technique or sub-technique id.
pub fn parent(technique: &str) -> String {
    technique.split('.').next().unwrap_or(technique).to_ascii_uppercase()
}

/// Shading step of a cell: 0 for no rule, then 1, 2–3, 4–9, 10 and more.
fn shade(count: usize) -> usize {
    match count {
        0 => 0,
        1 => 1,
        2..=3 => 2,
        4..=9 => 3,
        _ => 4,
    }
}

/// The matrix: one column per tactic, each with every current parent technique of that tactic
/// (name order) and how many detections cover it; plus the tagged techniques the table lacks.
pub fn matrix(entries: &[Json]) -> Json {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in entries {
        let parents: BTreeSet<String> = strings(&e["te"]).map(parent).collect();
        for p in parents {
            *counts.entry(p).or_default() += 1;
        }
    }
    let table = attack();
    let mut known = BTreeSet::new();
    let columns: Vec<Json> = TACTICS
        .iter()
        .map(|(short, id, name)| {
            let mut techniques: Vec<(&str, String)> = table
                .techniques
                .iter()
                .filter(|(tid, t)| !tid.contains('.') && !t.deprecated && !t.revoked && t.tactics.contains(short))
                .map(|(tid, t)| (t.name, tid.to_ascii_uppercase()))
                .collect();
            techniques.sort();
            let cells: Vec<Json> = techniques
                .into_iter()
                .map(|(tname, tid)| {
                    known.insert(tid.clone());
                    let n = counts.get(&tid).copied().unwrap_or(0);
                    json!({"id": tid, "name": tname, "count": n, "shade": shade(n)})
                })
                .collect();
            let covered = cells.iter().filter(|c| c["count"].as_u64() > Some(0)).count();
            json!({"short": short, "id": id, "name": name, "cells": cells, "covered": covered})
        })
        .collect();
    let unknown: Vec<Json> = counts
        .iter()
        .filter(|(t, _)| !known.contains(*t))
        .map(|(t, n)| json!({"id": t, "count": n}))
        .collect();
    let covered = counts.keys().filter(|t| known.contains(*t)).count();
    json!({"columns": columns, "unknown": unknown, "covered": covered, "total": known.len()})
}

fn strings(v: &Json) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Json::as_str)
}

/// One bar of a chart: label, count, and the index filter it links to (`level=high`).
pub struct Bar {
    pub label: String,
    pub count: usize,
    pub filter: String,
}

/// A horizontal bar chart as inline SVG with a title, every label and count written as text (so it
/// reads in print and to screen readers) and each bar linking to the filtered index.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    const ROW: usize = 24;
    const LABEL: usize = 190;
    const BAR: usize = 250;
    let max = bars.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let height = ROW * bars.len().max(1) + 8;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\"><title id=\"{id}\">{}</title>",
        escape(title),
        w = LABEL + BAR + 60,
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i * ROW + 4;
        let width = (b.count * BAR).div_ceil(max).max(1);
        svg.push_str(&format!(
            "<a href=\"index.html#{}\"><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{width}\" height=\"{}\"></rect><text class=\"count\" x=\"{}\" y=\"{}\">{}</text></a>",
            escape(&b.filter),
            LABEL - 8,
            y + 15,
            escape(&b.label),
            ROW - 6,
            LABEL + width + 6,
            y + 15,
            b.count
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_techniques_roll_up_and_count_once_per_detection() {
        let entries = vec![
            json!({"te": ["T1110.001", "T1110.003"]}),
            json!({"te": ["T1110"]}),
            json!({"te": ["T9999"]}),
        ];
        let m = matrix(&entries);
        let cred = m["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["short"] == "credential-access")
            .unwrap();
        let cell = cred["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "T1110")
            .unwrap();
        assert_eq!(cell["count"], 2);
        assert_eq!(cell["shade"], 2);
        assert_eq!(m["unknown"], json!([{"id": "T9999", "count": 1}]));
    }

    #[test]
    fn charts_escape_labels() {
        let svg = bar_chart(
            "c",
            "t<",
            &[Bar {
                label: "<x>".into(),
                count: 3,
                filter: "product=\"a\"".into(),
            }],
        );
        assert!(
            svg.contains("&lt;x&gt;") && svg.contains("product=&quot;a&quot;"),
            "{svg}"
        );
    }
}
