//! Stage 5, backends: IR expressions to query text. Each backend is a folder implementing
//! [`Backend`] and one entry of [`BACKENDS`]; [`boolean`] holds the shared boolean rendering and
//! [`convert`] the driver, which never names a backend.

pub mod boolean;
pub mod convert;
pub mod eql;
pub mod esql;
pub mod lucene;
pub mod notes;
#[cfg(test)]
mod pipeline_tests;
pub mod splunk;
pub mod strings;
pub mod sumo;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use boolean::{Note, Unsupported};
pub use convert::{Conversion, convert_catalog, convert_catalog_with};

use crate::catalog::Document;
use crate::diag::Diagnostic;
use crate::ir::{CorrelationPlan, Expr};

/// A query language detc compiles to. Implement it in `src/backend/<id>/` and add one line to
/// [`BACKENDS`]; docs/backends.md ("Adding a backend") walks through it.
pub trait Backend: Sync {
    /// Its names: what identifies it on the command line, in lists and in the build.
    fn about(&self) -> &'static About;
    /// The name on the command line (`-t <id>`), in reports and in JSON output.
    fn id(&self) -> &'static str {
        self.about().id
    }
    /// One line for `detc list targets` and for error messages (`Splunk SPL search: …`).
    fn describe(&self) -> &'static str {
        self.about().describe
    }
    /// The build target (`targets:` in detc.yaml) whose pipelines lower rules for this backend.
    fn family(&self) -> &'static str {
        self.about().family
    }
    /// The full query of one rule expression. `state` is the rule's pipeline state (`set_state`),
    /// e.g. `index` for ES|QL's `from`.
    fn rule_query(&self, expr: &Expr, state: &BTreeMap<String, String>) -> Result<String, Unsupported>;
    /// The query of a correlation, with fidelity notes. The plan carries the pipeline state of the
    /// correlation and of each base rule ([`CorrelationPlan::state_values`]).
    fn correlation_query(&self, plan: &CorrelationPlan<'_>) -> Result<(String, Vec<Note>), Unsupported>;
    /// Warnings (B8xx) for what this target changes about the meaning of a rule expression.
    fn fidelity_notes(&self, doc: &Document, expr: &Expr) -> Vec<Diagnostic>;
}

/// What names a backend (see [`Backend::id`], [`Backend::describe`], [`Backend::family`]).
pub struct About {
    pub id: &'static str,
    pub describe: &'static str,
    /// `splunk`, `elastic` or `sumo`.
    pub family: &'static str,
}

/// Every backend, in the order of `detc list targets` and of `-t all`.
pub static BACKENDS: &[&dyn Backend] = &[
    &splunk::BACKEND,
    &lucene::BACKEND,
    &esql::BACKEND,
    &eql::BACKEND,
    &sumo::BACKEND,
];

/// A query language: a backend of [`BACKENDS`], compared by id.
#[derive(Clone, Copy)]
pub struct QueryLanguage(&'static dyn Backend);

impl QueryLanguage {
    /// Every query language, in [`BACKENDS`] order.
    pub fn all() -> impl Iterator<Item = QueryLanguage> {
        BACKENDS.iter().map(|b| QueryLanguage(*b))
    }

    /// The query language whose id is `s`.
    pub fn parse(s: &str) -> Option<QueryLanguage> {
        QueryLanguage::all().find(|t| t.name() == s)
    }

    /// The ids of every query language, comma-separated (for messages).
    pub fn names() -> String {
        QueryLanguage::all()
            .map(QueryLanguage::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn name(self) -> &'static str {
        self.0.id()
    }

    pub fn describe(self) -> &'static str {
        self.0.describe()
    }

    pub fn backend(self) -> &'static dyn Backend {
        self.0
    }
}

impl PartialEq for QueryLanguage {
    fn eq(&self, other: &QueryLanguage) -> bool {
        self.name() == other.name()
    }
}

impl Eq for QueryLanguage {}

impl std::hash::Hash for QueryLanguage {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl std::fmt::Debug for QueryLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
