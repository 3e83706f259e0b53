//! The catalog's documents by id and by name, and how a reference resolves.
//!
//! Names are scoped per file first (DESIGN §4): a correlation's `rules: [selected_events]` means the
//! `selected_events` of its own file when there is one, else the only one in the catalog.

use std::collections::HashMap;
use std::path::Path;

use super::Parsed;

/// What a reference resolved to.
pub enum Resolution<'p, 'a> {
    Found(&'p Parsed<'a>),
    Missing,
    Ambiguous(Vec<&'p Parsed<'a>>),
}

/// Index of the catalog's documents by id and by name.
pub struct RuleIndex<'p, 'a> {
    by_id: HashMap<&'a str, Vec<&'p Parsed<'a>>>,
    by_name: HashMap<&'a str, Vec<&'p Parsed<'a>>>,
}

impl<'p, 'a> RuleIndex<'p, 'a> {
    pub fn new(parsed: &'p [Parsed<'a>]) -> Self {
        let mut by_id: HashMap<&str, Vec<&Parsed>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<&Parsed>> = HashMap::new();
        for p in parsed {
            if let Some(id) = p.meta.id_str() {
                by_id.entry(id).or_default().push(p);
            }
            if let Some(name) = p.meta.name_str() {
                by_name.entry(name).or_default().push(p);
            }
        }
        RuleIndex { by_id, by_name }
    }

    /// Resolve `reference` as written in a document of file `from`.
    pub fn resolve(&self, reference: &str, from: &Path) -> Resolution<'p, 'a> {
        if let Some(found) = self.by_id.get(reference) {
            return Resolution::Found(found[0]);
        }
        let Some(named) = self.by_name.get(reference) else {
            return Resolution::Missing;
        };
        if let Some(local) = named.iter().find(|p| &**p.doc.path() == from) {
            return Resolution::Found(local);
        }
        match named.as_slice() {
            [one] => Resolution::Found(one),
            many => Resolution::Ambiguous(many.to_vec()),
        }
    }
}
