//! Dependencies point one way: no import cycle between the top-level modules of `src/`, nor between
//! the modules inside `backend/` and `ir/`.
//!
//! The graph is read from the sources: every `crate::…` path (in `use` lines, grouped `use
//! crate::{a, b::{c}}` trees and inline paths) and every `super::…`/`self::…` path, comments left
//! out. Inside a folder, a path to an item its `mod.rs` re-exports (`pub use x::Item`) counts as a
//! dependency on `x`; the re-export lines themselves are not dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Folders whose inner modules must not form cycles either.
const INNER: &[&str] = &["backend", "ir"];

/// Cycles that are known and accepted, each with the reason. Empty: every cycle was removed.
/// An entry is (graph, sorted members), e.g. `("backend", &["convert", "splunk"])`.
const ALLOWED: &[(&str, &[&str])] = &[];

type Graph = BTreeMap<String, BTreeSet<String>>;

struct Module {
    /// `backend::splunk::correlation` as segments.
    path: Vec<String>,
    is_mod_rs: bool,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without `//` comments (doc links name paths that are not imports) and string literals.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = '\0';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                }
                prev = if prev == '\\' && c == '\\' { '\0' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' {
                in_str = true;
                prev = '\0';
                out.push(' ');
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

fn modules(src: &Path) -> Vec<Module> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|file| {
            let rel = file.strip_prefix(src).unwrap().with_extension("");
            let mut path: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            let is_mod_rs = path.last().is_some_and(|l| l == "mod");
            if is_mod_rs {
                path.pop();
            }
            if path.len() == 1 && (path[0] == "lib" || path[0] == "main") {
                return None;
            }
            let text = code_only(&std::fs::read_to_string(&file).unwrap());
            Some(Module { path, is_mod_rs, text })
        })
        .collect()
}

fn ident_at(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// Every path of the tree that starts at `s` (just after `crate::`, `super::` or `self::`), as segments.
fn path_tree(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut segs = prefix;
    let mut rest = s;
    loop {
        let trimmed = rest.trim_start();
        if let Some(group) = trimmed.strip_prefix('{') {
            let mut consumed = s.len() - group.len();
            let mut inner = group;
            loop {
                let t = inner.trim_start();
                consumed += inner.len() - t.len();
                if let Some(after) = t.strip_prefix('}') {
                    return consumed + (t.len() - after.len());
                }
                if let Some(after) = t.strip_prefix(',') {
                    consumed += 1;
                    inner = after;
                    continue;
                }
                let used = path_tree(t, segs.clone(), out);
                if used == 0 {
                    return consumed;
                }
                consumed += used;
                inner = &t[used..];
            }
        }
        let (id, after) = ident_at(trimmed);
        if id.is_empty() {
            out.push(segs);
            return s.len() - rest.len();
        }
        segs.push(id.to_string());
        match after.strip_prefix("::") {
            Some(next) => rest = next,
            None => {
                out.push(segs);
                return s.len() - after.len();
            }
        }
    }
}

/// The absolute paths a module names (`super::x` resolved against the module's place).
fn paths(m: &Module) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let text = &m.text;
    for (i, _) in text.match_indices("::") {
        let before = &text[..i];
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |p| p + 1);
        if start > 0 && text[..start].ends_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let head = &text[start..i];
        // Only paths whose head is `crate`, `super` or `self`, taken once at their start.
        if head.contains("::") || !["crate", "super", "self"].contains(&head) {
            continue;
        }
        let base: Vec<String> = match head {
            "crate" => Vec::new(),
            // In `a/b.rs` (module a::b), `self` is a::b and `super` is a; in `a/mod.rs` (module a),
            // `self` is a and `super` is the crate root.
            "self" => m.path.clone(),
            _ => m.path[..m.path.len().saturating_sub(1)].to_vec(),
        };
        let mut resolved = Vec::new();
        path_tree(&text[i + 2..], Vec::new(), &mut resolved);
        for p in resolved {
            let mut full = base.clone();
            let mut segs = p.into_iter().peekable();
            while segs.peek().is_some_and(|s| s == "super") {
                segs.next();
                full.pop();
            }
            full.extend(segs);
            out.push(full);
        }
    }
    out
}

/// Names a folder's `mod.rs` re-exports, mapped to the child module they come from.
fn reexports(m: &Module) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for stmt in m.text.split(';') {
        let stmt = stmt.trim();
        let Some(tree) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let tree = tree.strip_prefix("self::").unwrap_or(tree);
        let mut found = Vec::new();
        path_tree(tree, Vec::new(), &mut found);
        for p in found {
            if let (Some(child), Some(name)) = (p.first(), p.last()) {
                map.insert(name.clone(), child.clone());
            }
        }
    }
    map
}

/// The module graph: top-level modules, and the inner graph of each folder in [`INNER`].
fn graphs(src: &Path) -> BTreeMap<String, Graph> {
    let mods = modules(src);
    let children: BTreeMap<&str, BTreeSet<&str>> = INNER
        .iter()
        .map(|f| {
            let kids = mods
                .iter()
                .filter(|m| m.path.len() >= 2 && m.path[0] == *f)
                .map(|m| m.path[1].as_str())
                .collect();
            (*f, kids)
        })
        .collect();
    let reexported: BTreeMap<&str, BTreeMap<String, String>> = INNER
        .iter()
        .map(|f| {
            let root = mods
                .iter()
                .find(|m| m.is_mod_rs && m.path.len() == 1 && m.path[0] == *f);
            (*f, root.map(reexports).unwrap_or_default())
        })
        .collect();
    let node_in = |folder: &str, path: &[String]| -> String {
        match path.get(1) {
            Some(child) if children[folder].contains(child.as_str()) => child.clone(),
            Some(item) => reexported[folder].get(item).cloned().unwrap_or_else(|| "mod".into()),
            None => "mod".into(),
        }
    };
    let mut out: BTreeMap<String, Graph> = BTreeMap::new();
    for m in &mods {
        let top = &m.path[0];
        let own_inner = INNER.contains(&top.as_str()).then(|| {
            if m.path.len() == 1 {
                "mod".to_string()
            } else {
                m.path[1].clone()
            }
        });
        let mut m_paths = paths(m);
        if m.is_mod_rs && m.path.len() == 1 {
            // A folder root's re-exports and declarations are not dependencies of its own code.
            let mut text = String::new();
            for stmt in m.text.split_inclusive(';') {
                let t = stmt.trim_start();
                if !(t.starts_with("pub use ") || t.starts_with("pub mod ") || t.starts_with("mod ")) {
                    text.push_str(stmt);
                }
            }
            m_paths = paths(&Module {
                path: m.path.clone(),
                is_mod_rs: true,
                text,
            });
        }
        for p in m_paths {
            let Some(target) = p.first() else { continue };
            if !mods.iter().any(|x| &x.path[0] == target) {
                continue; // a crate-root item or an external name
            }
            let tops = out.entry("top".into()).or_default();
            tops.entry(top.clone()).or_default();
            if target != top {
                tops.get_mut(top).unwrap().insert(target.clone());
            } else if let Some(from) = &own_inner {
                let to = node_in(top, &p);
                let g = out.entry(top.clone()).or_default();
                g.entry(from.clone()).or_default();
                if &to != from {
                    g.get_mut(from).unwrap().insert(to);
                }
            }
        }
    }
    out
}

/// Strongly connected components with more than one member (Tarjan).
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        g: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// The edges of `g` inside one cycle, for the failure message.
fn describe(g: &Graph, comp: &[String]) -> String {
    let mut edges = Vec::new();
    for from in comp {
        for to in g.get(from).into_iter().flatten().filter(|t| comp.contains(t)) {
            edges.push(format!("{from} -> {to}"));
        }
    }
    edges.join(", ")
}

#[test]
fn no_import_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graphs = graphs(&src);
    let mut found = Vec::new();
    let mut seen_allowed = BTreeSet::new();
    for (name, g) in &graphs {
        for comp in cycles(g) {
            let allowed = ALLOWED
                .iter()
                .position(|(gname, members)| gname == name && members.iter().eq(comp.iter()));
            match allowed {
                Some(i) => {
                    seen_allowed.insert(i);
                }
                None => found.push(format!("{name}: {{{}}}: {}", comp.join(", "), describe(g, &comp))),
            }
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
    let stale: Vec<_> = (0..ALLOWED.len()).filter(|i| !seen_allowed.contains(i)).collect();
    assert!(stale.is_empty(), "allow-listed cycles that no longer exist: {stale:?}");
}

/// `lint` only consumes: nothing but the command layer (`cli`, and `check`, the check stage driver)
/// imports from it.
#[test]
fn only_the_command_layer_imports_lint() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graphs = graphs(&src);
    let users: Vec<&String> = graphs["top"]
        .iter()
        .filter(|(from, to)| to.contains("lint") && !["cli", "check"].contains(&from.as_str()))
        .map(|(from, _)| from)
        .collect();
    assert!(users.is_empty(), "modules importing from lint: {users:?}");
}

/// The evaluator sits beside the backends: both consume the IR, neither imports the other.
#[test]
fn eval_and_backend_are_independent() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let top = &graphs(&src)["top"];
    assert!(!top["eval"].contains("backend"), "eval imports backend");
    assert!(!top["backend"].contains("eval"), "backend imports eval");
}

/// The reader sees the dependencies that exist, so an empty answer means something.
#[test]
fn graph_reads_real_dependencies() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graphs = graphs(&src);
    let top = &graphs["top"];
    for (from, to) in [
        ("cli", "check"),
        ("lint", "model"),
        ("backend", "ir"),
        ("catalog", "codes"),
    ] {
        assert!(top[from].contains(to), "{from} -> {to} not found: {:?}", top[from]);
    }
    assert!(graphs["backend"].len() > 5, "{:?}", graphs["backend"]);
    assert!(graphs["ir"].len() > 3, "{:?}", graphs["ir"]);
}

#[test]
fn cycles_are_found() {
    let g: Graph = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
        .iter()
        .fold(Graph::new(), |mut g, (f, t)| {
            g.entry(f.to_string()).or_default().insert(t.to_string());
            g.entry(t.to_string()).or_default();
            g
        });
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
}

#[test]
fn grouped_and_relative_paths_are_read() {
    let m = Module {
        path: vec!["backend".into(), "splunk".into(), "correlation".into()],
        is_mod_rs: false,
        text: code_only(
            "use crate::{diag::Span, ir::{Expr, lower}};\nuse super::super::convert::X;\n// crate::lint::x\nlet s = \"crate::render\";",
        ),
    };
    let got: BTreeSet<String> = paths(&m).into_iter().map(|p| p.join("::")).collect();
    let want: BTreeSet<String> = ["diag::Span", "ir::Expr", "ir::lower", "backend::convert::X"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(got, want);
}
