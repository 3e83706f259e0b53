//! Golden conversions of the real Auth0 catalog (../shared/corpus/auth0, or `$DETC_SHARED`): one JSON
//! Lines file per target under tests/golden/auth0/, reviewed in pull requests. Every path in them is
//! relative to the catalog, so they do not depend on where the corpus lives. Skipped, with a message,
//! when the corpus is absent.
//!
//! Regenerate after a deliberate change, then review the diff:
//!
//! ```sh
//! DETC_UPDATE_GOLDEN=1 cargo test --test golden
//! ```

use std::path::Path;

mod common;
use common::{corpus, detc, golden_drift, shared, stderr};

const TARGETS: [&str; 5] = ["splunk", "lucene", "esql", "eql", "sumo"];

/// `detc convert -t TARGET --format jsonl` of the catalog, with the catalog's absolute path removed
/// from every JSON string that starts with it (record paths, diagnostic files, related locations).
fn fresh(target: &str, catalog: &Path) -> String {
    let out = detc(&["convert", "-t", target, "--format", "jsonl", catalog.to_str().unwrap()]);
    // Exit 1: the catalog has documents that cannot convert (each reported in its record).
    assert_eq!(out.status.code(), Some(1), "{target}: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let prefix = serde_json::to_string(&format!("{}/", catalog.display())).unwrap();
    let prefix = prefix.strip_suffix('"').unwrap();
    let text = text.replace(prefix, "\"");
    assert!(
        !text.contains(&catalog.display().to_string()),
        "{target}: an absolute path is left"
    );
    text
}

#[test]
fn auth0_conversions_match_the_committed_golden_files() {
    let Some(shared) = shared() else { return };
    let catalog = corpus(&shared, "auth0/detections");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/auth0");
    let mut drift = String::new();
    for target in TARGETS {
        let fresh = fresh(target, &catalog);
        // Every document of the catalog has its record, for this target.
        let records: Vec<serde_json::Value> = fresh.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(records.len(), 41, "{target}");
        assert!(records.iter().all(|r| r["target"] == target), "{target}");
        let file = golden.join(format!("{target}.jsonl"));
        drift.push_str(&golden_drift(
            &file,
            &format!("tests/golden/auth0/{target}.jsonl"),
            &fresh,
        ));
    }
    assert!(
        drift.is_empty(),
        "{drift}\ngolden: tests/golden/auth0 is out of date (regenerate with \
         `DETC_UPDATE_GOLDEN=1 cargo test --test golden` and review the diff)"
    );
}
