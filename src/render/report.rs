//! `report.json`: what the build did with every document of the catalog, so a pipeline can assert
//! coverage. Format (version 1) in docs/build.md.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::family::{DeployNotes, Placement, Placements};
use super::integrity::{Broken, DocKey, DocSet, key_of};
use super::json_view::object;
use crate::catalog::DocKind;
use crate::diag::emit::display_path;
use crate::model::Parsed;

fn placement_json(p: &Placement) -> Json {
    match p {
        Placement::Deployed { artifact, names } => json!({"status": "deployed", "artifact": artifact, "names": names}),
        Placement::Skipped { reason } => json!({"status": "skipped", "reason": reason}),
        Placement::Failed { reason } => json!({"status": "failed", "reason": reason}),
    }
}

/// The build's compiled documents by key.
type Compiled<'d> = HashMap<&'d DocKey, &'d Detection<'d, 'd>, foldhash::fast::RandomState>;

pub fn report(
    everything: &[Parsed<'_>],
    broken: &Broken,
    consumed: &DocSet,
    placements: &Placements,
    deploy_notes: &DeployNotes,
    detections: &[Detection<'_, '_>],
) -> String {
    let compiled: Compiled<'_> = detections.iter().map(|d| (&d.key, d)).collect();
    // One entry per document, built on all cores (each reads only shared maps), kept in catalog order.
    let entries: Vec<(&str, Json)> = everything
        .par_iter()
        .map(|p| document_entry(p, broken, consumed, placements, deploy_notes, &compiled))
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut documents = Vec::with_capacity(entries.len());
    for (status, entry) in entries {
        *counts.entry(status).or_default() += 1;
        documents.push(entry);
    }
    let files: Vec<Json> = broken
        .files
        .iter()
        .map(|(path, reasons)| json!({"path": display_path(path), "status": "excluded", "reasons": reasons}))
        .collect();
    let summary = json!({"documents": everything.len(), "by_status": counts, "files_excluded": files.len()});
    // Moved in, not given to `json!`, which would serialize every entry again into a new tree.
    let report = object([
        ("detc_report", Json::from(1)),
        ("summary", summary),
        ("documents", Json::Array(documents)),
        ("files", Json::Array(files)),
    ]);
    let text = serde_json::to_string_pretty(&report).expect("serialises");
    text + "\n"
}

/// The report's entry of one document, and its status.
fn document_entry(
    p: &Parsed<'_>,
    broken: &Broken,
    consumed: &DocSet,
    placements: &Placements,
    deploy_notes: &DeployNotes,
    compiled: &Compiled<'_>,
) -> (&'static str, Json) {
    let key = key_of(p);
    let mut entry = json!({
        "path": display_path(p.doc.path()),
        "document": p.doc.index,
        "kind": p.doc.kind.as_str(),
        "id": p.doc.root.get("id").and_then(|n| n.scalar_text()),
        "title": p.doc.title(),
    });
    let status = if let Some(reasons) = broken.documents.get(&key) {
        entry["reasons"] = json!(reasons);
        "excluded"
    } else if p.doc.kind == DocKind::Filter {
        "filter"
    } else if consumed.contains(&key) {
        entry["reasons"] = json!(["a base rule of a correlation (without `generate: true`): deployed through it"]);
        "consumed"
    } else {
        let targets: BTreeMap<&str, Json> = placements
            .get(&key)
            .map(|m| m.iter().map(|(t, p)| (*t, placement_json(p))).collect())
            .unwrap_or_default();
        let all = !targets.is_empty() && targets.values().all(|t| t["status"] == "deployed");
        entry["targets"] = Json::Object(targets.into_iter().map(|(t, p)| (t.to_string(), p)).collect());
        if let Some(d) = compiled.get(&key) {
            let mut notes: BTreeMap<&str, Vec<String>> = d
                .queries
                .iter()
                .filter(|(_, q)| !q.notes.is_empty())
                .map(|(t, q)| (*t, q.notes.clone()))
                .collect();
            for (target, more) in deploy_notes.get(&key).into_iter().flatten() {
                notes.entry(target).or_default().extend(more.iter().cloned());
            }
            if !notes.is_empty() {
                entry["notes"] = json!(notes);
            }
        }
        if all { "deployed" } else { "partial" }
    };
    entry["status"] = json!(status);
    (status, entry)
}
