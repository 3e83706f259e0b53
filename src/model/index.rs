//! The catalog's documents by id and by name, and how a reference resolves.
//!
//! Names are scoped per file first (DESIGN §4): a correlation's `rules: [selected_events]` means the
//! `selected_events` of its own file when there is one, else the only one in the catalog.
//!
//! The index is generic over what it holds, so the compiler (parsed documents) and the streaming
//! check (small per-document summaries, once trees are dropped) resolve by the same rule.

use std::collections::HashMap;
use std::path::Path;

use super::Parsed;

/// What the index needs of a document: its id, its name and its file.
pub trait Named {
    fn id(&self) -> Option<&str>;
    fn name(&self) -> Option<&str>;
    fn path(&self) -> &Path;
}

impl Named for Parsed<'_> {
    fn id(&self) -> Option<&str> {
        self.meta.id_str()
    }
    fn name(&self) -> Option<&str> {
        self.meta.name_str()
    }
    fn path(&self) -> &Path {
        self.doc.path()
    }
}

/// What a reference resolved to.
pub enum Resolved<'p, T> {
    Found(&'p T),
    Missing,
    Ambiguous(Vec<&'p T>),
}

/// Index of documents by id and by name.
pub struct Index<'p, T> {
    by_id: HashMap<&'p str, Vec<&'p T>>,
    by_name: HashMap<&'p str, Vec<&'p T>>,
}

/// The index of parsed documents.
pub type RuleIndex<'p, 'a> = Index<'p, Parsed<'a>>;
/// What a reference among parsed documents resolved to.
pub type Resolution<'p, 'a> = Resolved<'p, Parsed<'a>>;

impl<'p, T: Named> Index<'p, T> {
    pub fn new(documents: &'p [T]) -> Self {
        let mut by_id: HashMap<&str, Vec<&T>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<&T>> = HashMap::new();
        for p in documents {
            if let Some(id) = p.id() {
                by_id.entry(id).or_default().push(p);
            }
            if let Some(name) = p.name() {
                by_name.entry(name).or_default().push(p);
            }
        }
        Index { by_id, by_name }
    }

    /// Resolve `reference` as written in a document of file `from`.
    pub fn resolve(&self, reference: &str, from: &Path) -> Resolved<'p, T> {
        if let Some(found) = self.by_id.get(reference) {
            return Resolved::Found(found[0]);
        }
        let Some(named) = self.by_name.get(reference) else {
            return Resolved::Missing;
        };
        if let Some(local) = named.iter().find(|p| p.path() == from) {
            return Resolved::Found(local);
        }
        match named.as_slice() {
            [one] => Resolved::Found(one),
            many => Resolved::Ambiguous(many.to_vec()),
        }
    }
}
