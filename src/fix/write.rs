//! Writing a fixed file: only inside the checked paths, only if unchanged since it was read, and
//! atomically (a temporary file beside it, renamed over it) with its permissions kept.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Replace the file at `path` (its real location, through any link) with `after`, when it still holds
/// `before`. `roots` are the checked paths: a file whose real location is outside all of them is refused.
pub fn write_in_place(path: &Path, before: &str, after: &str, roots: &[PathBuf]) -> Result<(), String> {
    let real = path.canonicalize().map_err(|e| format!("{}: {e}", path.display()))?;
    let inside = roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .any(|root| real.starts_with(&root));
    if !inside {
        return Err(format!("{}: outside the checked paths, not written", path.display()));
    }
    let on_disk = std::fs::read_to_string(&real).map_err(|e| format!("{}: {e}", path.display()))?;
    if on_disk != before {
        return Err(format!(
            "{}: changed on disk since it was read, not written",
            path.display()
        ));
    }
    let permissions = std::fs::metadata(&real).map_err(|e| e.to_string())?.permissions();
    let dir = real.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(".detc-fix-")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(after.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    std::fs::set_permissions(tmp.path(), permissions).map_err(fail)?;
    tmp.persist(&real).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_place_keeping_the_mode_and_refuses_stale_or_outside_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rules");
        std::fs::create_dir(&root).unwrap();
        let file = root.join("r.yml");
        std::fs::write(&file, "a: 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let roots = vec![root.clone()];
        write_in_place(&file, "a: 1\n", "a: 2\n", &roots).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "a: 2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o640);
        }
        assert!(
            write_in_place(&file, "a: 1\n", "a: 3\n", &roots)
                .unwrap_err()
                .contains("changed on disk")
        );
        let outside = dir.path().join("o.yml");
        std::fs::write(&outside, "a: 1\n").unwrap();
        assert!(
            write_in_place(&outside, "a: 1\n", "a: 3\n", &roots)
                .unwrap_err()
                .contains("outside")
        );
        let leftovers = std::fs::read_dir(&root).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
