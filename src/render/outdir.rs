//! The `--out` folder belongs to detc: it is marked by a manifest of the files detc wrote, replaced as a
//! whole by swapping in a freshly rendered sibling folder, guarded by a lock file beside it, and never
//! written or removed through a symbolic link. See docs/build.md, "Safety guarantees of --out".
//!
//! The life of one write:
//! 1. resolve `--out` (a symbolic link is refused) and plan without touching anything: a non-empty folder
//!    without a manifest, or a file detc did not write sitting where detc now writes, is refused unless
//!    `--force`;
//! 2. take the lock `.<name>.detc-lock` beside the folder (a second build waits for the first);
//! 3. recover from an interrupted build: restore a folder moved away, clean detc's leftover siblings;
//! 4. plan again, then render into `.<name>.detc-tmp-<pid>`: the manifest first, then every artifact
//!    (an artifact whose bytes equal the previous build's file becomes a second name of that file: it
//!    keeps its inode and modification time), then hard links to every file detc did not write (they
//!    are carried over untouched, same inode);
//! 5. swap: an atomic exchange of the two folders (`renameat2(RENAME_EXCHANGE)` on Linux), or two renames
//!    where that is unavailable (a kill between them is repaired by step 3 of the next build);
//! 6. empty the old tree: only files its manifest lists, files replaced under `--force`, and second names
//!    of files carried over; anything else stays and is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file in `--out` that lists what detc wrote there.
pub const MANIFEST: &str = ".detc-manifest.json";
/// Version of the manifest's format; a newer one is refused rather than misread.
pub const MANIFEST_FORMAT: u64 = 1;
/// Test hook: abort the process (as a kill would) before the N+1-th change detc makes on disk.
pub const FAULT_ENV: &str = "DETC_FAULT_AFTER_WRITES";

/// Why a write was refused or failed: what happened, and how to go on.
#[derive(Debug)]
pub struct WriteError {
    pub message: String,
    pub help: Option<String>,
}

impl WriteError {
    fn new(message: impl Into<String>, help: Option<&str>) -> Self {
        WriteError {
            message: message.into(),
            help: help.map(str::to_string),
        }
    }

    fn io(what: &str, path: &Path, e: io::Error) -> Self {
        WriteError::new(format!("cannot {what} {}: {e}", path.display()), None)
    }
}

/// What a successful write did, for the CLI to report.
#[derive(Debug, Default)]
pub struct Written {
    /// Artifacts written.
    pub files: usize,
    /// Of those, artifacts identical to the previous build's file, kept as they were (same inode and
    /// modification time) instead of written again.
    pub unchanged: usize,
    /// Files detc did not write that were carried over untouched.
    pub kept: Vec<PathBuf>,
    /// Files detc did not write that `--force` replaced.
    pub replaced: Vec<PathBuf>,
    /// Artifacts of the previous build that this build no longer produces, removed.
    pub removed: Vec<PathBuf>,
    /// Notes about recovery and anything left behind.
    pub notes: Vec<String>,
}

/// Write `files` (relative path → text) as the complete content of detc's part of `out`.
pub fn write_out(out: &Path, files: &BTreeMap<PathBuf, String>, force: bool) -> Result<Written, WriteError> {
    let mut manifest_files = BTreeSet::new();
    for rel in files.keys() {
        manifest_files.insert(artifact_path(rel)?);
    }
    let target = Destination::resolve(out)?;
    // Refuse early, before creating the lock file or anything else.
    target.plan(&manifest_files, force)?;
    let lock = Lock::acquire(&target)?;
    let mut written = Written::default();
    recover(&target, &mut written)?;
    let plan = target.plan(&manifest_files, force)?;
    let tmp = target.sibling("tmp");
    let result = stage(&target, &tmp, files, &manifest_files, &plan)
        .and_then(|unchanged| {
            written.unchanged = unchanged;
            swap(&target, &tmp, &plan)
        })
        .map(|old| {
            if let Some(old) = old {
                let removable = plan.replace.iter().cloned().collect();
                if let Some(note) = clean_tree(&old, &removable, &target.dir) {
                    written.notes.push(note);
                }
            }
        });
    if result.is_err() && tmp.exists() {
        // Nothing was swapped in: the new tree is ours to remove (carried files keep their other name).
        let _ = clean_tree(&tmp, &BTreeSet::new(), &target.dir);
    }
    lock.release();
    result?;
    written.files = files.len();
    written.kept = plan
        .carry
        .iter()
        .filter(|e| e.kind != Kind::Dir)
        .map(|e| e.rel.clone())
        .collect();
    written.replaced = plan.replace.into_iter().collect();
    if let Some(old) = &plan.old_manifest {
        written.removed = old
            .iter()
            .filter(|p| !manifest_files.contains(*p))
            .map(PathBuf::from)
            .collect();
    }
    Ok(written)
}

/// An artifact's path as the manifest spells it: relative, `/`-separated, plain names only.
fn artifact_path(rel: &Path) -> Result<String, WriteError> {
    let bad = || {
        WriteError::new(
            format!(
                "refusing to write artifact path `{}`: not a plain relative path",
                rel.display()
            ),
            Some("artifact paths are made of plain names; this is a bug in a template or a target"),
        )
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => parts.push(n.to_str().ok_or_else(bad)?),
            _ => return Err(bad()),
        }
    }
    let joined = parts.join("/");
    if parts.is_empty() || joined == MANIFEST {
        return Err(bad());
    }
    Ok(joined)
}

/// `--out`, resolved: the folder's absolute path, its parent and its name.
struct Destination {
    dir: PathBuf,
    parent: PathBuf,
    name: OsString,
    /// As given on the command line, for messages.
    shown: String,
}

impl Destination {
    fn resolve(given: &Path) -> Result<Destination, WriteError> {
        let shown = given.display().to_string();
        // Without a trailing `/`, which would make the checks below look through a link named `--out`.
        let out: PathBuf = given.components().collect();
        if out.as_os_str().is_empty() {
            return Err(WriteError::new(
                "--out is empty",
                Some("name a folder for the artifacts"),
            ));
        }
        let out = out.as_path();
        let dir = match std::fs::symlink_metadata(out) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(out)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(WriteError::new(
                    format!("--out {shown} is a symbolic link (to {to}); detc does not write through links"),
                    Some("pass the folder the link points to as --out, or remove the link"),
                ));
            }
            Ok(m) if !m.is_dir() => {
                return Err(WriteError::new(
                    format!("--out {shown} is a file, not a folder"),
                    Some("choose a new or empty folder for the artifacts"),
                ));
            }
            Ok(_) => out.canonicalize().map_err(|e| WriteError::io("resolve", out, e))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = out
                    .file_name()
                    .ok_or_else(|| WriteError::new(format!("--out {shown} does not name a folder"), None))?;
                let parent = match out.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                std::fs::create_dir_all(parent).map_err(|e| WriteError::io("create", parent, e))?;
                parent
                    .canonicalize()
                    .map_err(|e| WriteError::io("resolve", parent, e))?
                    .join(name)
            }
            Err(e) => return Err(WriteError::io("read", out, e)),
        };
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return Err(WriteError::new(
                format!("--out {shown} is the root of the file system"),
                Some("choose a new or empty folder for the artifacts"),
            ));
        };
        Ok(Destination {
            parent: parent.to_path_buf(),
            name: name.to_os_string(),
            dir: dir.clone(),
            shown,
        })
    }

    /// `.<name>.detc-<what>` (lock) or `.<name>.detc-<what>-<pid>` (temporary folders) beside the folder.
    fn sibling(&self, what: &str) -> PathBuf {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(format!(".detc-{what}"));
        if what != "lock" {
            n.push(format!("-{}", std::process::id()));
        }
        self.parent.join(n)
    }

    /// Leftover folders of interrupted builds: (`tmp` or `old`, path). Only plain folders detc named.
    fn leftovers(&self) -> Result<Vec<(String, PathBuf)>, WriteError> {
        let mut prefix = OsString::from(".");
        prefix.push(&self.name);
        prefix.push(".detc-");
        let prefix = prefix.to_string_lossy().into_owned();
        let mut found = Vec::new();
        let entries = std::fs::read_dir(&self.parent).map_err(|e| WriteError::io("read", &self.parent, e))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(&prefix) else {
                continue;
            };
            let Some((kind, pid)) = rest.split_once('-') else {
                continue;
            };
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if (kind == "tmp" || kind == "old") && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && is_dir
            {
                found.push((kind.to_string(), e.path()));
            }
        }
        found.sort();
        Ok(found)
    }

    /// What the folder holds now and what a write would do with it; refuses what must not happen.
    fn plan(&self, produced: &BTreeSet<String>, force: bool) -> Result<Plan, WriteError> {
        let exists = match std::fs::symlink_metadata(&self.dir) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => {
                return Err(WriteError::new(
                    format!("--out {} is no longer a folder", self.shown),
                    None,
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(WriteError::io("read", &self.dir, e)),
        };
        let mut plan = Plan {
            exists,
            ..Plan::default()
        };
        if !exists {
            return Ok(plan);
        }
        let entries = scan(&self.dir).map_err(|e| WriteError::io("read", &self.dir, e))?;
        let manifest_entry = entries.iter().find(|e| e.rel.as_os_str() == MANIFEST);
        match manifest_entry {
            Some(e) if e.kind == Kind::File => match read_manifest(&self.dir.join(MANIFEST)) {
                Ok(m) => plan.old_manifest = Some(m),
                Err(why) if !force => {
                    return Err(WriteError::new(
                        format!("--out {}: {MANIFEST} is not a detc manifest: {why}", self.shown),
                        Some(
                            "remove the damaged manifest, or pass --force (detc then removes no file it did not write now)",
                        ),
                    ));
                }
                Err(_) => {
                    plan.replace.insert(PathBuf::from(MANIFEST));
                }
            },
            Some(_) if force => {
                plan.replace.insert(PathBuf::from(MANIFEST));
            }
            Some(_) => {
                return Err(WriteError::new(
                    format!("--out {}: {MANIFEST} is not a regular file", self.shown),
                    Some("remove it, or pass --force to replace it"),
                ));
            }
            None => {}
        }
        let others: Vec<&Entry> = entries.iter().filter(|e| e.rel.as_os_str() != MANIFEST).collect();
        if plan.old_manifest.is_none() && !others.is_empty() && !force {
            let example = others.iter().find(|e| e.kind != Kind::Dir).unwrap_or(&others[0]);
            return Err(WriteError::new(
                format!(
                    "--out {} is not empty and has no {MANIFEST}, so detc did not write it; refusing to replace \
                     what is there ({} entries, e.g. `{}`)",
                    self.shown,
                    others.len(),
                    slash(&example.rel)
                ),
                Some(
                    "choose a new or empty folder, or pass --force to write there anyway (detc then replaces only \
                     the files it writes and keeps every other file)",
                ),
            ));
        }
        let old = plan.old_manifest.clone().unwrap_or_default();
        // Folders detc made for the previous build's files; other folders are the user's and are kept.
        let detc_dirs: foldhash::HashSet<&str> = old.iter().flat_map(|p| ancestors(p)).collect();
        let produced_dirs: foldhash::HashSet<&str> = produced.iter().flat_map(|p| ancestors(p)).collect();
        let mut collisions = Vec::new();
        for e in others {
            let rel = slash(&e.rel);
            if e.kind == Kind::Dir {
                if produced.contains(&rel) {
                    return Err(WriteError::new(
                        format!(
                            "--out {}: `{rel}` is a folder where detc now writes a file; detc does not remove folders \
                             it did not make",
                            self.shown
                        ),
                        Some("move the folder away"),
                    ));
                }
                if !detc_dirs.contains(rel.as_str()) {
                    plan.carry.push(e.clone());
                }
            } else if old.contains(&rel) {
                // detc's own file: replaced or removed (a link here is removed as a link, never followed).
                if e.kind == Kind::File {
                    plan.reusable.insert(rel);
                }
            } else if produced.contains(&rel) || produced_dirs.contains(rel.as_str()) {
                collisions.push(rel);
            } else {
                plan.carry.push(e.clone());
            }
        }
        if !collisions.is_empty() {
            if !force {
                return Err(WriteError::new(
                    format!(
                        "--out {}: detc now writes where {} file(s) it did not write sit: {}",
                        self.shown,
                        collisions.len(),
                        collisions
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some("move them away, or pass --force to replace them"),
                ));
            }
            plan.replace.extend(collisions.into_iter().map(PathBuf::from));
        }
        Ok(plan)
    }
}

#[derive(Debug, Default)]
struct Plan {
    exists: bool,
    /// The previous build's files, when the folder has a manifest.
    old_manifest: Option<BTreeSet<String>>,
    /// Entries detc did not write, carried into the new tree (folders created, other entries hard-linked).
    carry: Vec<Entry>,
    /// Entries detc did not write that `--force` replaces.
    replace: BTreeSet<PathBuf>,
    /// The previous build's artifacts that are regular files: an artifact of this build with the same
    /// bytes is linked rather than written again. By their `/` paths, hashed as bytes: `Path`'s
    /// hash parses components, and filling a std `HashSet<PathBuf>` was a quarter of planning.
    reusable: foldhash::HashSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    /// A symbolic link, never followed; or a socket, FIFO or device.
    Other,
}

#[derive(Debug, Clone)]
struct Entry {
    rel: PathBuf,
    kind: Kind,
}

/// Every entry under `root` (not `root` itself), without following symbolic links, parents first.
fn scan(root: &Path) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let mut here = Vec::new();
        for e in std::fs::read_dir(root.join(&rel))? {
            let e = e?;
            let t = e.file_type()?;
            let kind = if t.is_dir() {
                Kind::Dir
            } else if t.is_file() {
                Kind::File
            } else {
                Kind::Other
            };
            here.push((e.file_name(), kind));
        }
        // Names in one folder hold no separator: ordering them as bytes is ordering their paths.
        here.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        let here: Vec<Entry> = here
            .into_iter()
            .map(|(name, kind)| Entry {
                rel: rel.join(name),
                kind,
            })
            .collect();
        todo.extend(here.iter().rev().filter(|e| e.kind == Kind::Dir).map(|e| e.rel.clone()));
        out.extend(here);
    }
    Ok(out)
}

fn slash(rel: &Path) -> String {
    // What `scan` finds is plain (names joined by `/`): its text is the answer, without parsing.
    #[cfg(unix)]
    if let Some(s) = rel.to_str()
        && !s.is_empty()
        && s.split('/').all(|part| !part.is_empty() && part != ".")
    {
        return s.to_string();
    }
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `a/b/c` → `a`, `a/b`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(|(i, _)| &rel[..i])
}

/// The manifest's file list; only plain relative paths are accepted.
pub fn read_manifest(path: &Path) -> Result<BTreeSet<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("not JSON ({e})"))?;
    match v.get("detc_manifest").and_then(serde_json::Value::as_u64) {
        Some(MANIFEST_FORMAT) => {}
        Some(n) => return Err(format!("format {n}, this detc reads format {MANIFEST_FORMAT}")),
        None => return Err("no `detc_manifest` format number".into()),
    }
    let files = v
        .get("files")
        .and_then(serde_json::Value::as_array)
        .ok_or("no `files` list")?;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let s = f.as_str().ok_or("a `files` entry is not a string")?;
        let plain = !s.is_empty()
            && s != MANIFEST
            && s.split('/')
                .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'));
        if !plain {
            return Err(format!("`{s}` is not a plain relative path"));
        }
        out.push(s.to_string());
    }
    // Built at once (detc writes the list sorted): inserting thousands of paths one by one cost
    // more than reading them.
    Ok(out.into_iter().collect())
}

fn manifest_text(files: &BTreeSet<String>) -> String {
    let v = serde_json::json!({ "detc_manifest": MANIFEST_FORMAT, "files": files });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
    text.push('\n');
    text
}

/// The test hook: `DETC_FAULT_AFTER_WRITES=N` aborts before the N+1-th change to the file system.
fn fault_point() {
    static LIMIT: OnceLock<Option<usize>> = OnceLock::new();
    static DONE: AtomicUsize = AtomicUsize::new(0);
    let limit = LIMIT.get_or_init(|| std::env::var(FAULT_ENV).ok().and_then(|v| v.trim().parse().ok()));
    if let Some(limit) = *limit
        && DONE.fetch_add(1, Ordering::SeqCst) >= limit
    {
        std::process::abort();
    }
}

/// The exclusive lock beside `--out`, held for the whole write.
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    fn acquire(target: &Destination) -> Result<Lock, WriteError> {
        let path = target.sibling("lock");
        let mut told = false;
        loop {
            if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
                return Err(WriteError::new(
                    format!("the lock file {} is not a regular file", path.display()),
                    Some("remove it; detc creates it while a build writes"),
                ));
            }
            let file = open_lock(&path).map_err(|e| WriteError::io("open the lock file", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !told {
                        eprintln!(
                            "waiting for another detc build writing to {} (lock {})",
                            target.shown,
                            path.display()
                        );
                        told = true;
                    }
                    file.lock().map_err(|e| WriteError::io("lock", &path, e))?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(WriteError::io("lock", &path, e)),
            }
            // The holder before us removes the file when done: make sure we locked the one at `path`.
            if same_file(&file, &path) {
                return Ok(Lock { file, path });
            }
        }
    }

    /// Remove the lock file, then unlock (a waiter that locked the removed file notices and retries).
    fn release(self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

fn open_lock(path: &Path) -> io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    o.open(path)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Is `a` another name of the same file as `b` (neither followed if a link)?
#[cfg(unix)]
fn same_entry(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::symlink_metadata(a), std::fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_entry(_a: &Path, _b: &Path) -> bool {
    false
}

/// Undo what an interrupted build left: a folder moved away is put back, leftover siblings are emptied.
fn recover(target: &Destination, written: &mut Written) -> Result<(), WriteError> {
    let leftovers = target.leftovers()?;
    let dir_missing = matches!(std::fs::symlink_metadata(&target.dir), Err(e) if e.kind() == io::ErrorKind::NotFound);
    let mut restored = None;
    if dir_missing && let Some((_, old)) = leftovers.iter().find(|(k, _)| k == "old") {
        fault_point();
        std::fs::rename(old, &target.dir).map_err(|e| WriteError::io("restore", old, e))?;
        written.notes.push(format!(
            "restored {} from {} (left by an interrupted build)",
            target.shown,
            old.display()
        ));
        restored = Some(old.clone());
    }
    for (_, path) in leftovers.iter().filter(|(_, p)| Some(p) != restored.as_ref()) {
        if let Some(note) = clean_tree(path, &BTreeSet::new(), &target.dir) {
            written.notes.push(note);
        }
    }
    Ok(())
}

/// Render the new tree: manifest first (so a leftover tree says what detc wrote), artifacts, carried entries.
/// Returns how many artifacts were unchanged since the previous build.
fn stage(
    target: &Destination,
    tmp: &Path,
    files: &BTreeMap<PathBuf, String>,
    manifest: &BTreeSet<String>,
    plan: &Plan,
) -> Result<usize, WriteError> {
    fault_point();
    std::fs::create_dir(tmp).map_err(|e| WriteError::io("create", tmp, e))?;
    write_new(&tmp.join(MANIFEST), &manifest_text(manifest))?;
    // Folders first, each once (not once per file), then the files in parallel.
    let folders: BTreeSet<&Path> = files
        .keys()
        .filter_map(|rel| rel.parent())
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    for folder in folders {
        fault_point();
        let at = tmp.join(folder);
        std::fs::create_dir_all(&at).map_err(|e| WriteError::io("create", &at, e))?;
    }
    let unchanged = AtomicUsize::new(0);
    {
        use rayon::prelude::*;
        files.par_iter().try_for_each(|(rel, text)| {
            let to = tmp.join(rel);
            if plan.reusable.contains(&slash(rel)) && reuse_unchanged(&target.dir.join(rel), &to, text) {
                unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            write_new(&to, text)
        })?;
    }
    for e in &plan.carry {
        let to = tmp.join(&e.rel);
        fault_point();
        let done = if e.kind == Kind::Dir {
            std::fs::create_dir_all(&to)
        } else {
            make_parent(&to).and_then(|()| std::fs::hard_link(target.dir.join(&e.rel), &to))
        };
        done.map_err(|err| {
            WriteError::new(
                format!(
                    "cannot carry `{}` (detc did not write it) into the new output: {err}",
                    slash(&e.rel)
                ),
                Some("move files that are not detc's out of --out"),
            )
        })?;
    }
    flush_tree(tmp, files.keys());
    Ok(unchanged.into_inner())
}

/// Give the previous build's file `old` a second name `new` in the new tree when it holds exactly `text`.
///
/// Why: a rebuild mostly reproduces the same bytes. Linking keeps the file's inode and modification
/// time (so rsync and deploy tools see what really changed) and is much cheaper than creating a file:
/// on ext4, creating thousands of files right after deleting thousands makes every create scan the
/// inode table for recently freed inodes, which made a 3,400-rule rebuild spend seconds in the kernel.
/// The content is compared through the new name after linking, so what is swapped in is verified,
/// never assumed; on any doubt the link is removed and the file written afresh.
#[cfg(unix)]
fn reuse_unchanged(old: &Path, new: &Path, text: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    let fits = |m: &std::fs::Metadata, names: u64| m.is_file() && m.nlink() == names && m.len() == text.len() as u64;
    // Only a file that has no other name than detc's: a file the user linked elsewhere is written anew.
    if !std::fs::symlink_metadata(old).is_ok_and(|m| fits(&m, 1)) {
        return false;
    }
    fault_point();
    if std::fs::hard_link(old, new).is_err() {
        return false;
    }
    let same = || -> io::Result<bool> {
        use std::io::Read;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(new)?;
        if !fits(&f.metadata()?, 2) {
            return Ok(false);
        }
        let mut held = Vec::with_capacity(text.len() + 1);
        f.read_to_end(&mut held)?;
        Ok(held == text.as_bytes())
    };
    if same().unwrap_or(false) {
        return true;
    }
    let _ = std::fs::remove_file(new);
    false
}

#[cfg(not(unix))]
fn reuse_unchanged(_old: &Path, _new: &Path, _text: &str) -> bool {
    false
}

/// Make the new files durable before they are swapped in, so a power loss cannot leave empty files
/// behind the new name. On Linux one `syncfs` of the temporary folder's file system flushes every
/// file and folder of it (one call instead of one `fsync` per artifact: a 3,400-rule catalog writes
/// 3,400 pages); elsewhere, or if `syncfs` fails, each file is `fsync`ed, in parallel.
fn flush_tree<'a>(tmp: &Path, files: impl Iterator<Item = &'a PathBuf>) {
    use rayon::prelude::*;
    #[cfg(target_os = "linux")]
    if let Ok(dir) = File::open(tmp)
        && rustix::fs::syncfs(&dir).is_ok()
    {
        return;
    }
    let paths: Vec<PathBuf> = std::iter::once(PathBuf::from(MANIFEST)).chain(files.cloned()).collect();
    paths.par_iter().for_each(|rel| {
        if let Ok(f) = File::open(tmp.join(rel)) {
            let _ = f.sync_all();
        }
    });
    sync_dir(tmp);
}

fn make_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p),
        None => Ok(()),
    }
}

/// Create a new file (never an existing one, never through a link) with `text`, flushed to disk; its
/// folder exists already.
fn write_new(path: &Path, text: &str) -> Result<(), WriteError> {
    fault_point();
    let run = || -> io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(text.as_bytes())?;
        // On Linux one syncfs after the last file flushes them all (see `flush_tree`).
        if cfg!(target_os = "linux") {
            Ok(())
        } else {
            f.sync_all()
        }
    };
    run().map_err(|e| WriteError::io("write", path, e))
}

fn sync_dir(path: &Path) {
    if let Ok(d) = File::open(path) {
        let _ = d.sync_all();
    }
}

/// Put the new tree in place; returns where the old tree now is, if there was one.
fn swap(target: &Destination, tmp: &Path, plan: &Plan) -> Result<Option<PathBuf>, WriteError> {
    let fail = |e: io::Error| WriteError::io("move the new output into", &target.dir, e);
    fault_point();
    if !plan.exists {
        rename_noreplace(tmp, &target.dir).map_err(fail)?;
        sync_dir(&target.parent);
        return Ok(None);
    }
    let old = match exchange(tmp, &target.dir) {
        Ok(()) => tmp.to_path_buf(),
        Err(_) => {
            // No atomic exchange here: move the old tree aside, then the new one in. A kill between the two
            // leaves `.detc-old-<pid>`, which the next build puts back before anything else.
            let old = target.sibling("old");
            std::fs::rename(&target.dir, &old).map_err(fail)?;
            fault_point();
            if let Err(e) = std::fs::rename(tmp, &target.dir) {
                let _ = std::fs::rename(&old, &target.dir);
                return Err(fail(e));
            }
            old
        }
    };
    sync_dir(&target.parent);
    Ok(Some(old))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(target_os = "linux")]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => plain_rename_noreplace(from, to),
        r => r.map_err(io::Error::from),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    plain_rename_noreplace(from, to)
}

fn plain_rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::from(io::ErrorKind::AlreadyExists));
    }
    std::fs::rename(from, to)
}

/// Empty a tree detc put aside and remove it: remove the files its own manifest lists, the entries in
/// `extra`, and entries that are another name of the entry at the same place in `live`. Anything else is
/// kept (and the folder with it); the returned note says so.
fn clean_tree(tree: &Path, extra: &BTreeSet<PathBuf>, live: &Path) -> Option<String> {
    let own = match std::fs::symlink_metadata(tree.join(MANIFEST)) {
        Ok(m) if m.is_file() => read_manifest(&tree.join(MANIFEST)).unwrap_or_default(),
        _ => BTreeSet::new(),
    };
    let entries = match scan(tree) {
        Ok(e) => e,
        Err(e) => return Some(format!("could not clean {}: {e}", tree.display())),
    };
    // Whether an entry was removed; its slash path when it stays.
    let remove = |e: &Entry| -> Option<String> {
        let rel = slash(&e.rel);
        let ours = rel == MANIFEST || own.contains(&rel) || extra.contains(&e.rel);
        let path = tree.join(&e.rel);
        if ours || same_entry(&path, &live.join(&e.rel)) {
            fault_point();
            if std::fs::remove_file(&path).is_ok() {
                return None;
            }
        }
        Some(rel)
    };
    // Files on all cores (one at a time, a rebuild's 6,800 removals were a twentieth of it); the
    // manifest last: a tree left half-cleaned by a kill still says which files are detc's.
    let mut kept: Vec<String> = {
        use rayon::prelude::*;
        entries
            .par_iter()
            .filter(|e| e.kind != Kind::Dir && e.rel.as_os_str() != MANIFEST)
            .filter_map(remove)
            .collect()
    };
    kept.extend(
        entries
            .iter()
            .filter(|e| e.rel.as_os_str() == MANIFEST)
            .filter_map(remove),
    );
    for e in entries.iter().rev().filter(|e| e.kind == Kind::Dir) {
        if std::fs::read_dir(tree.join(&e.rel)).is_ok_and(|mut d| d.next().is_none()) {
            fault_point();
            let _ = std::fs::remove_dir(tree.join(&e.rel));
        }
    }
    fault_point();
    if std::fs::remove_dir(tree).is_ok() {
        return None;
    }
    let shown: Vec<String> = kept.iter().take(3).map(|k| format!("`{k}`")).collect();
    Some(format!(
        "kept {}: it holds {} file(s) detc did not write ({}); look at them and remove the folder",
        tree.display(),
        kept.len(),
        shown.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `slash` reads a path's text where it is plain and its components otherwise: the same.
        #[test]
        fn slash_is_the_components_joined(rel in "[a./]{0,10}") {
            let by_components: Vec<String> =
                Path::new(&rel).components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            proptest::prop_assert_eq!(slash(Path::new(&rel)), by_components.join("/"));
        }
    }

    fn files(list: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
        list.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect()
    }

    fn read(dir: &Path, rel: &str) -> String {
        std::fs::read_to_string(dir.join(rel)).unwrap()
    }

    #[test]
    fn a_fresh_folder_gets_the_files_and_a_manifest_listing_them() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        let w = write_out(&out, &files(&[("a/b.txt", "B"), ("c.txt", "C")]), false).unwrap();
        assert_eq!(w.files, 2);
        assert_eq!(read(&out, "a/b.txt"), "B");
        let m = read_manifest(&out.join(MANIFEST)).unwrap();
        assert_eq!(m.into_iter().collect::<Vec<_>>(), ["a/b.txt", "c.txt"]);
        // No lock file or temporary folder is left beside it.
        let names: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["dist"]);
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path).unwrap().ino()
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_artifact_keeps_its_inode_and_a_changed_one_is_written_anew() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(
            &out,
            &files(&[("same.txt", "S"), ("grows.txt", "G"), ("edit.txt", "E1")]),
            false,
        )
        .unwrap();
        let before = |rel| inode(&out.join(rel));
        let (same, grows, edit) = (before("same.txt"), before("grows.txt"), before("edit.txt"));
        let w = write_out(
            &out,
            &files(&[("same.txt", "S"), ("grows.txt", "GG"), ("edit.txt", "E2")]),
            false,
        )
        .unwrap();
        assert_eq!((w.files, w.unchanged), (3, 1));
        assert_eq!(inode(&out.join("same.txt")), same);
        // Same length, other bytes: the comparison is of content, not of size.
        assert_ne!(inode(&out.join("edit.txt")), edit);
        assert_ne!(inode(&out.join("grows.txt")), grows);
        assert_eq!(read(&out, "edit.txt"), "E2");
        assert_eq!(read(&out, "grows.txt"), "GG");
        // Only one name is left for the kept file: the old tree's name is gone.
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(out.join("same.txt")).unwrap().nlink(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_artifact_the_user_linked_elsewhere_is_written_anew_and_their_link_is_untouched() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        let theirs = d.path().join("theirs.txt");
        std::fs::hard_link(out.join("a.txt"), &theirs).unwrap();
        let w = write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        assert_eq!(w.unchanged, 0);
        assert_ne!(inode(&out.join("a.txt")), inode(&theirs));
        assert_eq!(read(d.path(), "theirs.txt"), "A");
        assert_eq!(read(&out, "a.txt"), "A");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_where_an_unchanged_artifact_was_is_replaced_by_a_file_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        let elsewhere = d.path().join("elsewhere.txt");
        std::fs::write(&elsewhere, "A").unwrap();
        std::fs::remove_file(out.join("a.txt")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("a.txt")).unwrap();
        let w = write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        assert_eq!(w.unchanged, 0);
        assert!(std::fs::symlink_metadata(out.join("a.txt")).unwrap().is_file());
        assert_eq!(read(d.path(), "elsewhere.txt"), "A");
    }

    #[test]
    fn a_rebuild_removes_only_stale_files_it_wrote_and_keeps_the_users() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a/old.txt", "O"), ("keep.txt", "K")]), false).unwrap();
        std::fs::write(out.join("a/mine.txt"), "user").unwrap();
        let w = write_out(&out, &files(&[("keep.txt", "K2")]), false).unwrap();
        assert!(!out.join("a/old.txt").exists());
        assert_eq!(read(&out, "a/mine.txt"), "user");
        assert_eq!(read(&out, "keep.txt"), "K2");
        assert_eq!(w.removed, [PathBuf::from("a/old.txt")]);
        assert_eq!(w.kept, [PathBuf::from("a/mine.txt")]);
    }

    #[test]
    fn a_folder_without_a_manifest_is_refused_unless_forced_and_force_replaces_only_collisions() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "n").unwrap();
        std::fs::write(out.join("c.txt"), "theirs").unwrap();
        let e = write_out(&out, &files(&[("c.txt", "C")]), false).unwrap_err();
        assert!(
            e.message.contains("not empty") && e.help.unwrap().contains("--force"),
            "{}",
            e.message
        );
        assert_eq!(read(&out, "c.txt"), "theirs");
        assert!(!out.join(MANIFEST).exists());
        let w = write_out(&out, &files(&[("c.txt", "C")]), true).unwrap();
        assert_eq!(read(&out, "c.txt"), "C");
        assert_eq!(read(&out, "notes.txt"), "n");
        assert_eq!(w.replaced, [PathBuf::from("c.txt")]);
    }

    #[test]
    fn a_user_file_where_an_artifact_now_goes_is_refused_without_force() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        std::fs::write(out.join("b.txt"), "mine").unwrap();
        let e = write_out(&out, &files(&[("a.txt", "A"), ("b.txt", "B")]), false).unwrap_err();
        assert!(e.message.contains("`b.txt`"), "{}", e.message);
        assert_eq!(read(&out, "b.txt"), "mine");
    }

    #[cfg(unix)]
    #[test]
    fn links_in_and_as_the_output_folder_are_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside.txt");
        std::fs::write(&outside, "secret").unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A"), ("b.txt", "B")]), false).unwrap();
        // A file detc wrote replaced by a link: the link is replaced, its target untouched.
        std::fs::remove_file(out.join("a.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("a.txt")).unwrap();
        // A stale file of detc's replaced by a link: the link is removed, its target untouched.
        std::fs::remove_file(out.join("b.txt")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("b.txt")).unwrap();
        // A user's link is carried over as a link.
        std::os::unix::fs::symlink(&outside, out.join("mine")).unwrap();
        write_out(&out, &files(&[("a.txt", "A2")]), false).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
        assert!(
            !std::fs::symlink_metadata(out.join("a.txt"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(read(&out, "a.txt"), "A2");
        assert!(std::fs::symlink_metadata(out.join("b.txt")).is_err());
        assert!(
            std::fs::symlink_metadata(out.join("mine"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // --out itself a link: refused.
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&out, &link).unwrap();
        let e = write_out(&link, &files(&[("a.txt", "A")]), true).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        let e = write_out(&d.path().join("link/"), &files(&[("a.txt", "A")]), true).unwrap_err();
        assert!(
            e.message.contains("symbolic link"),
            "a trailing slash does not hide the link: {}",
            e.message
        );
    }

    #[test]
    fn a_leftover_tree_is_emptied_of_detc_files_only() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        let left = d.path().join(".dist.detc-tmp-999999");
        std::fs::create_dir(&left).unwrap();
        std::fs::write(
            left.join(MANIFEST),
            manifest_text(&BTreeSet::from(["x.txt".to_string()])),
        )
        .unwrap();
        std::fs::write(left.join("x.txt"), "partial").unwrap();
        write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        assert!(!left.exists());
        // One holding a file detc did not write is kept, with that file.
        std::fs::create_dir(&left).unwrap();
        std::fs::write(left.join("stray.txt"), "s").unwrap();
        let w = write_out(&out, &files(&[("a.txt", "A")]), false).unwrap();
        assert_eq!(read(&left, "stray.txt"), "s");
        assert!(w.notes.iter().any(|n| n.contains("stray.txt")), "{:?}", w.notes);
    }

    #[test]
    fn a_folder_moved_aside_by_an_interrupted_swap_is_restored() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("dist");
        write_out(&out, &files(&[("a.txt", "A"), ("mine.txt", "x")]), false).unwrap();
        std::fs::rename(&out, d.path().join(".dist.detc-old-42")).unwrap();
        let w = write_out(&out, &files(&[("a.txt", "A2")]), false).unwrap();
        assert!(w.notes.iter().any(|n| n.contains("restored")), "{:?}", w.notes);
        assert_eq!(read(&out, "a.txt"), "A2");
        assert!(!d.path().join(".dist.detc-old-42").exists());
    }

    #[test]
    fn manifests_with_paths_outside_the_folder_are_not_detc_manifests() {
        let d = tempfile::tempdir().unwrap();
        for bad in [
            r#"{"detc_manifest":1,"files":["../x"]}"#,
            r#"{"detc_manifest":1,"files":["/etc/passwd"]}"#,
            r#"{"detc_manifest":2,"files":[]}"#,
        ] {
            std::fs::write(d.path().join("m"), bad).unwrap();
            assert!(read_manifest(&d.path().join("m")).is_err(), "{bad}");
        }
    }
}
