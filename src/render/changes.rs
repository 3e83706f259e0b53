//! What a change does to the deployed detections: two builds compared detection by detection
//! (added, removed, changed; which queries and artifact files differ), for `detc diff`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::compiled::Detection;
use super::family::{Placement, Placements};
use crate::diag::emit::display_path;

/// What one build deployed of one detection.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployed {
    /// The document's id (a stable derived one when it has none): how two builds pair detections,
    /// so a moved or retitled rule is one change, not a removal and an addition.
    pub id: String,
    pub title: String,
    pub path: String,
    /// The metadata artifacts are rendered from (title, level, tags, …), as JSON text.
    pub meta: String,
    /// Each query language's queries, or why there are none.
    pub queries: BTreeMap<&'static str, Result<Vec<String>, String>>,
    /// The artifact files holding it.
    pub artifacts: BTreeSet<String>,
}

/// The build's detections with where each was placed.
pub fn deployed(detections: &[Detection<'_, '_>], placements: &Placements) -> Vec<Deployed> {
    detections
        .iter()
        .map(|d| Deployed {
            id: d.id().to_string(),
            title: d.title().to_string(),
            path: display_path(&d.key.path),
            meta: d.meta.to_string(),
            queries: d.queries.iter().map(|(t, q)| (*t, q.queries.clone())).collect(),
            artifacts: placements
                .get(&d.key)
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(|p| match p {
                    Placement::Deployed { artifact, .. } => Some(artifact.clone()),
                    _ => None,
                })
                .collect(),
        })
        .collect()
}

/// Two builds compared.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub added: Vec<&'a Deployed>,
    pub removed: Vec<&'a Deployed>,
    /// (before, after) of detections whose metadata or queries differ.
    pub changed: Vec<(&'a Deployed, &'a Deployed)>,
    pub unchanged: usize,
    /// Artifact files whose text differs (added and removed files included), sorted.
    pub files: Vec<PathBuf>,
}

impl<'a> Changes<'a> {
    pub fn between(
        old: &'a [Deployed],
        new: &'a [Deployed],
        old_files: &BTreeMap<PathBuf, String>,
        new_files: &BTreeMap<PathBuf, String>,
    ) -> Changes<'a> {
        let before: BTreeMap<&str, &Deployed> = old.iter().map(|d| (d.id.as_str(), d)).collect();
        let after: BTreeMap<&str, &Deployed> = new.iter().map(|d| (d.id.as_str(), d)).collect();
        let mut changes = Changes {
            removed: before
                .iter()
                .filter(|(id, _)| !after.contains_key(*id))
                .map(|(_, d)| *d)
                .collect(),
            ..Changes::default()
        };
        for (id, d) in &after {
            match before.get(id) {
                None => changes.added.push(d),
                Some(b) if b.meta != d.meta || b.queries != d.queries || b.path != d.path => {
                    changes.changed.push((b, d))
                }
                Some(_) => changes.unchanged += 1,
            }
        }
        let by_path = |ds: &mut Vec<&Deployed>| ds.sort_by(|a, b| (&a.path, &a.title).cmp(&(&b.path, &b.title)));
        by_path(&mut changes.added);
        by_path(&mut changes.removed);
        changes
            .changed
            .sort_by(|a, b| (&a.1.path, &a.1.title).cmp(&(&b.1.path, &b.1.title)));
        let paths: BTreeSet<&PathBuf> = old_files.keys().chain(new_files.keys()).collect();
        changes.files = paths
            .into_iter()
            .filter(|p| old_files.get(*p) != new_files.get(*p))
            .cloned()
            .collect();
        changes
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() && self.files.is_empty()
    }
}
