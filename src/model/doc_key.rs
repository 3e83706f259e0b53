//! The key of a document in catalog-wide maps and sets: its file and position.

use std::path::Path;
use std::sync::Arc;

/// A document by file and 0-based position: the key of catalog-wide maps and sets of documents (a
/// build's placements, notes, broken and consumed documents; the base rules `convert` and `eval`
/// suppress).
///
/// Equal and hashed by the path's bytes: the catalog names each file by one path, and `Path`'s own
/// hash parses the path into components, which cost a build about 1,600 instructions for each of its
/// 100,000-odd lookups. Ordered as `Path` orders (the order of pages and reports), with the bytes as
/// the tie-break, so that the order agrees with equality.
#[derive(Debug, Clone)]
pub struct DocKey {
    pub path: Arc<Path>,
    pub index: usize,
}

impl DocKey {
    pub fn new(path: &Arc<Path>, index: usize) -> DocKey {
        DocKey {
            path: path.clone(),
            index,
        }
    }

    /// The key of a parsed document.
    pub fn of(p: &crate::model::Parsed<'_>) -> DocKey {
        DocKey::new(p.doc.path(), p.doc.index)
    }

    fn bytes(&self) -> &[u8] {
        self.path.as_os_str().as_encoded_bytes()
    }
}

impl PartialEq for DocKey {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.bytes() == other.bytes()
    }
}

impl Eq for DocKey {}

impl std::hash::Hash for DocKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.bytes());
        state.write_usize(self.index);
    }
}

impl Ord for DocKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&*self.path, self.index)
            .cmp(&(&*other.path, other.index))
            .then_with(|| self.bytes().cmp(other.bytes()))
    }
}

impl PartialOrd for DocKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Maps and sets keyed by document, with a fast hasher (keys are paths of the catalog, not input an
/// attacker picks to collide: a collision costs time, never a wrong answer).
pub type DocMap<V> = std::collections::HashMap<DocKey, V, foldhash::fast::RandomState>;
pub type DocSet = std::collections::HashSet<DocKey, foldhash::fast::RandomState>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Keys order as their paths do (pages and reports keep their order), equal keys hash alike, and
    /// paths equal by components but not by bytes are two keys, ordered consistently.
    #[test]
    fn document_keys_order_by_path_and_agree_with_equality() {
        let key = |p: &str, i: usize| DocKey::new(&Arc::from(Path::new(p)), i);
        let mut keys = [
            key("rules/a-b.yml", 0),
            key("rules/a/b.yml", 1),
            key("rules/a/b.yml", 0),
            key("rules/a.yml", 2),
        ];
        keys.sort();
        let shown: Vec<(String, usize)> = keys.iter().map(|k| (k.path.display().to_string(), k.index)).collect();
        let mut by_path: Vec<(String, usize)> = shown.clone();
        by_path.sort_by(|a, b| (Path::new(&a.0), a.1).cmp(&(Path::new(&b.0), b.1)));
        assert_eq!(shown, by_path);
        let hasher = foldhash::fast::FixedState::with_seed(7);
        assert_eq!(key("rules/a.yml", 2), key("rules/a.yml", 2));
        assert_eq!(
            hasher.hash_one(key("rules/a.yml", 2)),
            hasher.hash_one(key("rules/a.yml", 2))
        );
        let (plain, doubled) = (key("rules/a.yml", 0), key("rules//a.yml", 0));
        assert_ne!(plain, doubled);
        assert_ne!(plain.cmp(&doubled), std::cmp::Ordering::Equal);
        assert_eq!(plain.cmp(&doubled), doubled.cmp(&plain).reverse());
    }
}
