//! One artifact family (a Splunk app, a Kibana import, Sumo searches, docs, a Navigator layer) behind
//! one small trait: it reads the compiled catalog and adds files, diagnostics and, for each document,
//! where it was deployed or why not (the build report's rows).

use crate::codes;
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;

use super::compiled::Detection;
use super::integrity::DocKey;
use super::options::TargetOptions;
use super::templates::Templates;
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};

/// What a family needs from the build.
pub struct BuildContext<'b, 'p, 'a> {
    pub detections: &'b [Detection<'p, 'a>],
    pub config: &'b Config,
    pub options: &'b TargetOptions,
    pub templates: &'b Templates,
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
    pub files: BTreeMap<PathBuf, String>,
    pub diagnostics: Vec<Diagnostic>,
    pub placements: BTreeMap<DocKey, BTreeMap<&'static str, Placement>>,
}

impl Output {
    /// Render a template into a file; a template error becomes a diagnostic.
    pub fn render(&mut self, templates: &Templates, path: impl Into<PathBuf>, template: &str, ctx: &Json) {
        match templates.render(template, ctx) {
            Ok(text) => {
                self.files.insert(path.into(), text);
            }
            Err(d) => self.diagnostics.push(d),
        }
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

    pub fn extend(&mut self, other: Output) {
        self.files.extend(other.files);
        self.diagnostics.extend(other.diagnostics);
        for (k, v) in other.placements {
            self.placements.entry(k).or_default().extend(v);
        }
    }
}

pub trait Family: Sync {
    /// The family's name in the report and in messages (`splunk`, `elastic`, `sumo`, `docs`, …).
    fn name(&self) -> &'static str;
    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output;
}
