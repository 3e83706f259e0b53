//! Loading files into documents: size, encoding and binary checks, YAML parsing, classification.

use crate::codes;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::document::{DocKind, Document};
use super::source::SourceFile;
use super::walk::walk_and;
use super::yaml::{Value, parse_documents};
use crate::diag::{Diagnostic, Span};

/// No Sigma rule file is anywhere near this size; bigger files are reported, not parsed.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Everything loaded from the paths given on the command line.
#[derive(Debug, Default)]
pub struct Catalog {
    pub files: Vec<Arc<SourceFile>>,
    pub documents: Vec<Document>,
    /// Problems met while walking and loading (E0xx).
    pub diags: Vec<Diagnostic>,
}

impl Catalog {
    /// Walk `roots` and load every rule file, in parallel; the result is ordered by path.
    pub fn load(roots: &[PathBuf]) -> Catalog {
        let (loaded, walk_diags) = walk_and(roots, |p| load_file(p).compacted());
        let mut catalog = Catalog {
            diags: walk_diags,
            ..Catalog::default()
        };
        for l in loaded {
            catalog.diags.extend(l.diags);
            catalog.documents.extend(l.documents);
            catalog.files.extend(l.file);
        }
        catalog
    }

    /// The catalog of one file (its documents, or the reason it has none), for callers that go
    /// through a catalog file by file.
    pub fn load_file(path: &Path) -> Catalog {
        let l = load_file(path);
        Catalog {
            files: l.file.into_iter().collect(),
            documents: l.documents,
            diags: l.diags,
        }
    }

    /// Load files given as (path, text) pairs; used by tests and by `detc explain` examples.
    pub fn from_sources(sources: &[(&str, &str)]) -> Catalog {
        let mut catalog = Catalog::default();
        for (path, text) in sources {
            let path: Arc<Path> = Arc::from(Path::new(path));
            if text.contains('\0') {
                catalog.diags.push(binary_file(&path));
                continue;
            }
            let l = load_text(path, text.to_string());
            catalog.diags.extend(l.diags);
            catalog.documents.extend(l.documents);
            catalog.files.extend(l.file);
        }
        catalog
    }

    /// Load files already read, keeping their paths as given (`check --fix` re-checks its edited texts).
    pub fn from_texts(sources: Vec<(Arc<Path>, String)>) -> Catalog {
        let mut catalog = Catalog::default();
        for (path, text) in sources {
            let l = load_text(path, text);
            catalog.diags.extend(l.diags);
            catalog.documents.extend(l.documents);
            catalog.files.extend(l.file);
        }
        catalog
    }

    pub fn file(&self, path: &Path) -> Option<&Arc<SourceFile>> {
        // `load` orders files by path, so a binary search finds it (emitters ask once per
        // diagnostic); other catalogs (`from_sources`) fall back to a scan.
        match self.files.binary_search_by(|f| crate::diag::cmp_paths(&f.path, path)) {
            Ok(i) => Some(&self.files[i]),
            Err(_) => self.files.iter().find(|f| &*f.path == path),
        }
    }
}

struct FileLoad {
    file: Option<Arc<SourceFile>>,
    documents: Vec<Document>,
    diags: Vec<Diagnostic>,
}

impl FileLoad {
    /// The documents' trees copied into allocations made one after another, the originals freed.
    /// Building a tree interleaves its nodes with the parser's short-lived buffers and with growing
    /// vectors, so the pages that hold a finished tree are full of holes; a catalog that keeps its
    /// trees (`convert`, `build`) kept a tenth more memory than the trees take. The copy is exact
    /// in size too (`Vec` and `String` clones allocate their length).
    fn compacted(mut self) -> Self {
        for d in &mut self.documents {
            d.root = d.root.clone();
        }
        self
    }

    fn failed(diag: Diagnostic) -> Self {
        FileLoad {
            file: None,
            documents: Vec::new(),
            diags: vec![diag],
        }
    }
}

fn load_file(path: &Path) -> FileLoad {
    let path: Arc<Path> = Arc::from(path);
    let bytes = match read_capped(&path) {
        Ok(b) => b,
        Err(d) => return FileLoad::failed(d),
    };
    // Before decoding, so a binary file is reported as binary rather than as bad UTF-8.
    if bytes.contains(&0) {
        return FileLoad::failed(binary_file(&path));
    }
    match String::from_utf8(bytes) {
        Ok(text) => load_text(path, text),
        Err(e) => {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(path.clone(), text);
            let at = file.pos_at_byte(e.utf8_error().valid_up_to());
            FileLoad::failed(
                Diagnostic::at(&codes::INVALID_UTF8, &path, Span::point(at), "file is not valid UTF-8")
                    .label("first invalid byte here")
                    .help("Sigma rules are UTF-8; re-save the file as UTF-8"),
            )
        }
    }
}

/// The file's bytes, unless it is larger than any rule file; one open and one `fstat` (checking the
/// size by path first cost a second path lookup per file).
fn read_capped(path: &Arc<Path>) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| Diagnostic::new(&codes::UNREADABLE, path, None, format!("cannot read: {e}"));
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    if len > MAX_FILE_BYTES {
        return Err(Diagnostic::new(
            &codes::FILE_TOO_LARGE,
            path,
            None,
            format!(
                "file is {:.1} MiB; rule files larger than {} MiB are not loaded",
                len as f64 / 1048576.0,
                MAX_FILE_BYTES / 1048576
            ),
        )
        .help("a Sigma rule file is a few kilobytes; is this a log or data file inside the catalog folder?"));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    // Through `Take`, whose `read_to_end` fills the capacity given: `File`'s own asks the size
    // again (`fstat`) and the position (`lseek`), two system calls per file for nothing.
    file.by_ref()
        .take(u64::MAX)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

fn binary_file(path: &Arc<Path>) -> Diagnostic {
    Diagnostic::new(
        &codes::BINARY_FILE,
        path,
        None,
        "file contains NUL bytes: it is binary, not YAML",
    )
    .help("remove it from the catalog folder or add it to .gitignore")
}

fn load_text(path: Arc<Path>, text: String) -> FileLoad {
    // Also checked here so every way into the loader (files, in-memory sources) applies it.
    if text.contains('\0') {
        return FileLoad::failed(binary_file(&path));
    }
    // A byte-order mark is legal UTF-8 but not part of the YAML text.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    let file = Arc::new(SourceFile::new(path.clone(), text));
    let (yaml_docs, mut diags) = parse_documents(&file);
    let mut documents = Vec::new();
    if yaml_docs.iter().all(|d| d.root.is_none()) && diags.is_empty() {
        diags.push(
            Diagnostic::new(&codes::EMPTY_FILE, &path, None, "file holds no YAML document")
                .help("add a rule or delete the file"),
        );
    }
    let last = yaml_docs.len().saturating_sub(1);
    for (index, doc) in yaml_docs.into_iter().enumerate() {
        let Some(root) = doc.root else {
            // A trailing `---` leaves an empty last document: harmless, and common.
            if index != last {
                diags.push(
                    Diagnostic::at(&codes::EMPTY_DOCUMENT, &path, doc.span, "empty YAML document")
                        .help("remove the extra `---` separator"),
                );
            }
            continue;
        };
        if !matches!(root.value, Value::Map(_)) {
            diags.push(
                Diagnostic::at(
                    &codes::NOT_A_MAPPING,
                    &path,
                    root.span,
                    format!("document is {}, expected a mapping of Sigma fields", root.kind_name()),
                )
                .help("a Sigma document starts with keys such as `title:`, `logsource:` and `detection:`"),
            );
            continue;
        }
        let kind = DocKind::classify(&root);
        documents.push(Document {
            file: file.clone(),
            index,
            span: doc.span,
            root,
            kind,
        });
    }
    FileLoad {
        file: Some(file),
        documents,
        diags,
    }
}

impl crate::diag::emit::SourceLookup for Catalog {
    fn source(&self, path: &Path) -> Option<&str> {
        self.file(path).map(|f| f.text.as_str())
    }
}
