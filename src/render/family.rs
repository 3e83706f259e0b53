//! One artifact family (a Splunk app, a Kibana import, Sumo searches, docs, a Navigator layer) behind
//! one small trait: it reads the compiled catalog and adds files, diagnostics and, for each document,
//! where it was deployed or why not (the build report's rows).

use crate::codes;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::Value as Json;

use super::compiled::Detection;
use super::options::TargetOptions;
use super::templates::Templates;
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::model::doc_key::DocMap;

/// Where each document went, per target (the report's rows). Only looked up by document, never
/// iterated: a hash map, since ordering thousands of path keys cost more than the rendering around it.
pub type Placements = DocMap<BTreeMap<&'static str, Placement>>;
/// Deployment notes of each document, per target; looked up like [`Placements`].
pub type DeployNotes = DocMap<BTreeMap<&'static str, Vec<String>>>;

/// What a family needs from the build.
pub struct BuildContext<'b, 'p, 'a> {
    pub detections: &'b [Detection<'p, 'a>],
    pub config: &'b Config,
    pub options: &'b TargetOptions,
    pub templates: &'b Templates,
    /// Base rules consumed by correlations (compiled only when the site is built, which shows them).
    pub base_rules: &'b [Detection<'p, 'a>],
    /// The other families' placements: set only for the families rendered after them (the site,
    /// which names each detection's deployed artifacts).
    pub placements: Option<&'b Placements>,
    /// Results of the detection tests run during this build, when the site asked for them.
    pub test_results: Option<&'b [crate::eval::TestResult]>,
}

/// Where a document went in one target, for the report.
#[derive(Debug, Clone)]
pub enum Placement {
    /// The artifact file and the names of the searches/rules in it.
    Deployed { artifact: String, names: Vec<String> },
    /// Not deployed to this target (the target cannot express it and `skip_unsupported` is set).
    Skipped { reason: String },
    /// Not deployed because of an error (the build fails).
    Failed { reason: String },
}

#[derive(Default)]
pub struct Output {
    /// Rendered files in the order they were added; [`Output::into_files`] orders them by path once.
    pub files: Vec<(PathBuf, String)>,
    pub diagnostics: Vec<Diagnostic>,
    pub placements: Placements,
    /// Warnings about how a document was deployed to a target beyond its queries' own (report notes).
    pub notes: DeployNotes,
}

impl Output {
    /// Render a template into a file; a template error becomes a diagnostic.
    pub fn render<C: serde::Serialize + ?Sized>(
        &mut self,
        templates: &Templates,
        path: impl Into<PathBuf>,
        template: &str,
        ctx: &C,
    ) {
        match templates.render(template, ctx) {
            Ok(text) => self.add_file(path, text),
            Err(d) => self.diagnostics.push(d),
        }
    }

    pub fn add_file(&mut self, path: impl Into<PathBuf>, text: String) {
        self.files.push((path.into(), text));
    }

    /// The files by path (a later file at the same path replaces an earlier one).
    ///
    /// Sorting first with a plain byte comparison makes the map's own ordering pass linear: `Path`'s
    /// ordering parses components on every comparison, and inserting thousands of artifact paths one
    /// by one into a map spent a tenth of a build comparing paths. For the plain relative paths of
    /// artifacts the byte order with `/` first equals `Path`'s order; the map orders correctly anyway.
    pub fn into_files(mut files: Vec<(PathBuf, String)>) -> BTreeMap<PathBuf, String> {
        let key = |p: &PathBuf| -> Vec<u8> {
            let bytes = p.as_os_str().as_encoded_bytes();
            bytes.iter().map(|&b| if b == b'/' { 0 } else { b }).collect()
        };
        files.sort_by_cached_key(|(p, _)| key(p));
        files.into_iter().collect()
    }

    pub fn deployed(&mut self, d: &Detection<'_, '_>, target: &'static str, artifact: &str, names: Vec<String>) {
        self.placements.entry(d.key.clone()).or_default().insert(
            target,
            Placement::Deployed {
                artifact: artifact.to_string(),
                names,
            },
        );
    }

    /// A document `target` cannot express: an error, or with `skip` a listed warning.
    pub fn not_deployable(&mut self, d: &Detection<'_, '_>, target: &'static str, reason: &str, skip: bool) {
        let mut diag = Diagnostic::new(
            &codes::NOT_DEPLOYABLE,
            d.parsed.doc.path(),
            d.parsed.doc.root.get("title").map(|n| n.span),
            format!("`{}` cannot be deployed to {target}: {reason}", d.title()),
        );
        let placement = if skip {
            diag = diag
                .severity(Severity::Warning)
                .help(format!("left out of the {target} artifacts (`skip_unsupported: true`)"));
            Placement::Skipped {
                reason: reason.to_string(),
            }
        } else {
            diag = diag.help(format!(
                "change the rule, or set `targets.{target}.skip_unsupported: true` in detc.yaml to leave it out of {target} and list it"
            ));
            Placement::Failed {
                reason: reason.to_string(),
            }
        };
        self.diagnostics.push(diag);
        self.placements
            .entry(d.key.clone())
            .or_default()
            .insert(target, placement);
    }

    /// A warning about `d` in `target`: shown now (`diag`) and recorded in the report's notes.
    pub fn note(&mut self, d: &Detection<'_, '_>, target: &'static str, diag: Diagnostic) {
        let text = format!("{} {}", diag.code.code, diag.message);
        self.notes
            .entry(d.key.clone())
            .or_default()
            .entry(target)
            .or_default()
            .push(text);
        self.diagnostics.push(diag);
    }

    pub fn extend(&mut self, other: Output) {
        self.files.extend(other.files);
        self.diagnostics.extend(other.diagnostics);
        merge(&mut self.notes, other.notes, |mine, theirs| {
            for (target, notes) in theirs {
                mine.entry(target).or_default().extend(notes);
            }
        });
        merge(&mut self.placements, other.placements, |mine, theirs| {
            mine.extend(theirs)
        });
    }
}

/// Merge `theirs` into `mine`, joining the values of a document in both. Merging hashes each key
/// again: an empty side takes the other's map whole, and a map grows once for what it receives.
fn merge<V: Default>(mine: &mut DocMap<V>, theirs: DocMap<V>, join: impl Fn(&mut V, V)) {
    if mine.is_empty() {
        *mine = theirs;
        return;
    }
    mine.reserve(theirs.len());
    for (k, v) in theirs {
        join(mine.entry(k).or_default(), v);
    }
}

/// Entries of one artifact (saved searches in an app, searches in a Sumo folder), each tagged with its
/// detection's index: names made unique and recorded as deployed, the entries returned in order.
///
/// A repeated name gets its rule id appended (`clean` keeps that safe for the format), then `#2`, `#3`
/// if even that repeats; `key` says when two names are the same (Splunk compares case-insensitively).
pub fn place_named(
    out: &mut Output,
    mut items: Vec<(usize, Json)>,
    ctx: &BuildContext<'_, '_, '_>,
    target: &'static str,
    artifact: &str,
    key: fn(&str) -> String,
    clean: fn(&str) -> String,
) -> Vec<Json> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (_, item) in &items {
        *count.entry(key(item["name"].as_str().unwrap_or(""))).or_default() += 1;
    }
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut names: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, item) in &mut items {
        let name = item["name"].as_str().unwrap_or("").to_string();
        let mut unique = if count[&key(&name)] > 1 {
            clean(&format!("{name} ({})", ctx.detections[*i].id()))
        } else {
            name
        };
        let seen = taken.entry(key(&unique)).or_default();
        *seen += 1;
        if *seen > 1 {
            unique = format!("{unique} #{seen}");
        }
        item["name"] = Json::String(unique.clone());
        names.entry(*i).or_default().push(unique);
    }
    for (i, n) in names {
        out.deployed(&ctx.detections[i], target, artifact, n);
    }
    items.into_iter().map(|(_, item)| item).collect()
}

pub trait Family: Sync {
    /// The family's name in the report and in messages (`splunk`, `elastic`, `sumo`, `docs`, …).
    fn name(&self) -> &'static str;
    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output;
}
