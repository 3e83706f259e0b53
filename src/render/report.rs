//! `report.json`: what the build did with every document of the catalog, so a pipeline can assert
//! coverage. Format (version 1) in docs/build.md.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::family::{DeployNotes, Placement, Placements};
use super::integrity::{Broken, key_of};
use super::json_view::object;
use crate::catalog::DocKind;
use crate::diag::emit::display_path;
use crate::model::Parsed;
use crate::model::doc_key::{DocKey, DocSet};

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
    // One entry per document, built and written as text on all cores (each reads only shared
    // maps), kept in catalog order: writing the whole tree on one thread, then freeing it, was a
    // twentieth of a build with the other core idle.
    let entries: Vec<(&str, String)> = everything
        .par_iter()
        .map(|p| {
            let (status, entry) = document_entry(p, broken, consumed, placements, deploy_notes, &compiled);
            (status, pretty_at(&entry, DOCUMENT_DEPTH))
        })
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (status, _) in &entries {
        *counts.entry(status).or_default() += 1;
    }
    let files: Vec<Json> = broken
        .files
        .iter()
        .map(|(path, reasons)| json!({"path": display_path(path), "status": "excluded", "reasons": reasons}))
        .collect();
    let summary = json!({"documents": everything.len(), "by_status": counts, "files_excluded": files.len()});
    let documents: Vec<String> = entries.into_iter().map(|(_, text)| text).collect();
    assemble(summary, &documents, files)
}

/// How deep the documents' entries sit in the report: report → `documents` → entry.
const DOCUMENT_DEPTH: usize = 2;

/// `value` as `serde_json::to_string_pretty` writes it `depth` levels down: the same text, each
/// line after the first indented by two spaces a level (JSON strings never hold a raw line break).
fn pretty_at(value: &Json, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    let pad = "  ".repeat(depth);
    text.replace('\n', &format!("\n{pad}"))
}

/// The report's text: the `documents` array spliced in from entries already written at their depth,
/// everything else written by serde_json; byte for byte what `to_string_pretty` writes for the tree.
fn assemble(summary: Json, documents: &[String], files: Vec<Json>) -> String {
    // A placeholder no JSON text of ours can hold unescaped: serde_json writes NUL as `\u0000`.
    const SLOT: &str = "\u{0}documents\u{0}";
    let report = object([
        ("detc_report", Json::from(1)),
        ("summary", summary),
        ("documents", Json::from(SLOT)),
        ("files", Json::Array(files)),
    ]);
    let text = serde_json::to_string_pretty(&report).expect("serialises");
    let array = match documents.is_empty() {
        true => "[]".to_string(),
        false => {
            let pad = "  ".repeat(DOCUMENT_DEPTH);
            format!(
                "[\n{pad}{}\n{}]",
                documents.join(&format!(",\n{pad}")),
                "  ".repeat(DOCUMENT_DEPTH - 1)
            )
        }
    };
    // The summary holds only counts and fixed status names, and `documents` comes before `files`:
    // the first placeholder is the slot.
    let slot = serde_json::to_string(SLOT).expect("serialises");
    text.replacen(&slot, &array, 1) + "\n"
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The report as serde_json writes the whole tree: the oracle of [`assemble`].
    fn whole(summary: &Json, entries: &[Json], files: &[Json]) -> String {
        let report = object([
            ("detc_report", Json::from(1)),
            ("summary", summary.clone()),
            ("documents", Json::Array(entries.to_vec())),
            ("files", Json::Array(files.to_vec())),
        ]);
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    }

    fn entry_tree() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            "[a-z\"\\\\\n\t\u{0} ]{0,8}".prop_map(Json::String),
            Just(Json::String("\u{0}documents\u{0}".into())),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                prop::collection::vec(("[a-z]{1,3}", inner), 0..4)
                    .prop_map(|kv| Json::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Entries written apart and spliced in read as the whole tree written at once, whatever they
        /// hold (the placeholder's own text included) and however many there are.
        #[test]
        fn spliced_entries_read_as_the_whole_report(
            entries in prop::collection::vec(entry_tree(), 0..4),
            files in prop::collection::vec(entry_tree(), 0..2),
        ) {
            let summary = json!({"documents": entries.len(), "by_status": {"deployed": 1}, "files_excluded": files.len()});
            let written: Vec<String> = entries.iter().map(|e| pretty_at(e, DOCUMENT_DEPTH)).collect();
            prop_assert_eq!(assemble(summary.clone(), &written, files.clone()), whole(&summary, &entries, &files));
        }
    }
}
