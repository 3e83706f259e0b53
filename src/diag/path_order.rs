//! Ordering paths as [`Path::cmp`] does, cheaply.
//!
//! `Path::cmp` compares component by component, parsing both paths as it goes; sorting thousands of
//! findings, walking a catalog and finding a finding's file spent most of their time there.
//! [`path_key`] gives each path a byte string in the same order, for sorts that compare each path
//! many times; [`cmp_paths`] compares two paths directly, by their bytes where that is the same
//! order.

use std::cmp::Ordering;
use std::path::{Component, Path};

/// A byte string whose order is `Path::cmp`'s: each component as a tag in the order of
/// [`Component`]'s kinds, its text, and a 0 that ends it (below every tag and every byte of a
/// name, so the component or path that ends first is the smaller).
pub fn path_key(path: &Path) -> Vec<u8> {
    let bytes = path.as_os_str().as_encoded_bytes();
    if bytes.is_empty() || !plain(bytes) {
        return key_by_components(path);
    }
    // Components of a plain path are its separators' pieces (after the root, if any): no need to
    // parse them (which was most of the cost of sorting findings and walking a catalog).
    let names = bytes.strip_prefix(b"/");
    let mut key = Vec::with_capacity(bytes.len() * 2 + 4);
    if names.is_some() {
        key.extend_from_slice(&[2, 0]);
    }
    for name in names.unwrap_or(bytes).split(|&b| b == b'/') {
        key.push(5);
        key.extend_from_slice(name);
        key.push(0);
    }
    key
}

/// [`path_key`] of any path, component by component.
fn key_by_components(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        let (tag, text): (u8, &[u8]) = match c {
            Component::Prefix(p) => (1, p.as_os_str().as_encoded_bytes()),
            Component::RootDir => (2, b""),
            Component::CurDir => (3, b""),
            Component::ParentDir => (4, b""),
            Component::Normal(name) => (5, name.as_encoded_bytes()),
        };
        key.push(tag);
        key.extend_from_slice(text);
        key.push(0);
    }
    key
}

/// The same order as `a.cmp(b)`. For paths whose components are all plain names (none `.`, `..`,
/// hidden or empty, no trailing separator), comparing components is comparing bytes with the
/// separator below every other byte.
pub fn cmp_paths(a: &Path, b: &Path) -> Ordering {
    let (x, y) = (a.as_os_str().as_encoded_bytes(), b.as_os_str().as_encoded_bytes());
    if x == y {
        return Ordering::Equal;
    }
    if !(plain(x) && plain(y)) {
        return a.cmp(b);
    }
    let common = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    rank(x.get(common)).cmp(&rank(y.get(common)))
}

/// Where two paths first differ: the end first, then the separator, then other bytes in order.
fn rank(byte: Option<&u8>) -> Option<u16> {
    byte.map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 })
}

/// No component starting with `.` (`.`, `..` and hidden names sort as `Path::cmp` says only by
/// chance), no empty one (`//`), no trailing separator. Windows paths (prefixes, two separators)
/// always take `Path::cmp`.
fn plain(bytes: &[u8]) -> bool {
    // Separators are few: look at the byte after each.
    let odd_after_separator =
        || memchr::memchr_iter(b'/', bytes).any(|i| matches!(bytes.get(i + 1), Some(b'/' | b'.')));
    !(cfg!(windows) || bytes.first() == Some(&b'.') || bytes.last() == Some(&b'/') || odd_after_separator())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TRICKY: [(&str, &str); 13] = [
        ("a/b", "a-b"),
        ("a/b", "a/b/c"),
        ("a/b/c", "a/bc"),
        ("/x", "a"),
        ("./a", "-a"),
        ("a//b", "a/b"),
        ("a/./b", "a/-"),
        ("a/", "a"),
        ("../a", "-"),
        ("a/.h", "a/-"),
        ("", "a"),
        ("a", "a"),
        ("/", ""),
    ];

    #[test]
    fn orders_as_components_do_where_bytes_do_not() {
        for (a, b) in TRICKY {
            let (a, b) = (Path::new(a), Path::new(b));
            assert_eq!(cmp_paths(a, b), a.cmp(b), "{a:?} {b:?}");
            assert_eq!(cmp_paths(b, a), b.cmp(a), "{b:?} {a:?}");
            assert_eq!(path_key(a).cmp(&path_key(b)), a.cmp(b), "{a:?} {b:?}");
        }
    }

    proptest! {
        #[test]
        fn same_order_as_path_cmp(a in "[-/.ab]{0,8}", b in "[-/.ab]{0,8}") {
            let (a, b) = (Path::new(&a), Path::new(&b));
            prop_assert_eq!(cmp_paths(a, b), a.cmp(b));
            prop_assert_eq!(path_key(a).cmp(&path_key(b)), a.cmp(b));
            prop_assert_eq!(path_key(a), key_by_components(a));
        }
    }
}
