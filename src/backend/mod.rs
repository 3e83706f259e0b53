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
pub enum QueryLanguage {
    Splunk,
    Lucene,
    Esql,
    Eql,
    Sumo,
}

impl QueryLanguage {
    pub const ALL: [QueryLanguage; 5] = [
        QueryLanguage::Splunk,
        QueryLanguage::Lucene,
        QueryLanguage::Esql,
        QueryLanguage::Eql,
        QueryLanguage::Sumo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            QueryLanguage::Splunk => "splunk",
            QueryLanguage::Lucene => "lucene",
            QueryLanguage::Esql => "esql",
            QueryLanguage::Eql => "eql",
            QueryLanguage::Sumo => "sumo",
        }
    }

    pub fn parse(s: &str) -> Option<QueryLanguage> {
        QueryLanguage::ALL.into_iter().find(|t| t.name() == s)
    }

    pub fn describe(self) -> &'static str {
        match self {
            QueryLanguage::Splunk => "Splunk SPL search",
            QueryLanguage::Lucene => "Elastic Lucene query string",
            QueryLanguage::Esql => "Elastic ES|QL",
            QueryLanguage::Eql => "Elastic EQL",
            QueryLanguage::Sumo => "Sumo Logic log search",
        }
    }
}
