//! Stage 5, backends: IR expressions to query text for Splunk SPL, Elastic Lucene, ES|QL, EQL and
//! Sumo Logic. Each backend is a folder; [`boolean`] holds the shared boolean rendering.

pub mod boolean;
pub mod convert;
pub mod eql;
pub mod esql;
pub mod lucene;
#[cfg(test)]
mod pipeline_tests;
pub mod splunk;
pub mod strings;
pub mod sumo;
#[cfg(test)]
mod tests;

pub use convert::{Conversion, convert_catalog, convert_catalog_with};

/// The query languages detc compiles to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetId {
    Splunk,
    Lucene,
    Esql,
    Eql,
    Sumo,
}

impl TargetId {
    pub const ALL: [TargetId; 5] = [
        TargetId::Splunk,
        TargetId::Lucene,
        TargetId::Esql,
        TargetId::Eql,
        TargetId::Sumo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TargetId::Splunk => "splunk",
            TargetId::Lucene => "lucene",
            TargetId::Esql => "esql",
            TargetId::Eql => "eql",
            TargetId::Sumo => "sumo",
        }
    }

    pub fn parse(s: &str) -> Option<TargetId> {
        TargetId::ALL.into_iter().find(|t| t.name() == s)
    }

    pub fn describe(self) -> &'static str {
        match self {
            TargetId::Splunk => "Splunk SPL search",
            TargetId::Lucene => "Elastic Lucene query string",
            TargetId::Esql => "Elastic ES|QL",
            TargetId::Eql => "Elastic EQL",
            TargetId::Sumo => "Sumo Logic log search",
        }
    }
}
