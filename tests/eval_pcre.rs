//! `detc test` and `detc eval` run regexes with PCRE semantics: look-around, backreferences, `$`
//! before a final newline, and a backtracking limit that is reported, never a silent non-match.

use std::path::Path;
use std::process::{Command, Output};

fn detc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_detc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("detc runs")
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const PCRE_RULES: &str = r#"title: LiquidJS variable through a non-escaping filter
id: 8c1d1f1e-1111-4111-8111-111111111111
level: high
logsource: {product: auth0}
detection:
  sel:
    # A negative look-ahead, as the real Auth0 LiquidJS rule uses one.
    data.html|re: '\{\{[^}|]+\|\s*(?!escape\b)\w+[^}]*\}\}'
  condition: sel
tests:
  - {name: a non-escaping filter fires, expect: match, event: {data: {html: '<p>{{ user.name | upcase }}</p>'}}}
  - {name: no filter is another rule's job, expect: no_match, event: {data: {html: '{{ user.name }}'}}}
  - {name: escaped is quiet, expect: no_match, event: {data: {html: '{{ user.name | escape }}'}}}
---
title: Repeated word
id: 8c1d1f1e-2222-4222-8222-222222222222
level: low
logsource: {product: auth0}
detection:
  sel: {data.description|re: '\b(\w+) \1\b'}
  condition: sel
tests:
  - {name: backreference fires, expect: match, event: {data: {description: delete delete user}}}
  - {name: quiet otherwise, expect: no_match, event: {data: {description: delete user}}}
---
title: Ends in admin
id: 8c1d1f1e-3333-4333-8333-333333333333
level: low
logsource: {product: auth0}
detection:
  sel: {data.role|re: 'admin$'}
  condition: sel
tests:
  - {name: PCRE dollar matches before a final newline, expect: match, event: {data: {role: "admin\n"}}}
  - {name: but not before other text, expect: no_match, event: {data: {role: "admin\nuser"}}}
"#;

#[test]
fn look_around_backreferences_and_pcre_dollar_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pcre.yml", PCRE_RULES);
    let out = detc(dir.path(), &["test", "pcre.yml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{err}{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!err.contains("T704"), "every detection evaluates: {err}");
}

const HOSTILE: &str = r#"title: Catastrophic
id: 8c1d1f1e-4444-4444-8444-444444444444
level: low
logsource: {product: auth0}
detection:
  sel: {data.description|re: '^((?!x)a+)+b'}
  condition: sel
"#;

#[test]
fn a_regex_past_the_backtracking_limit_is_reported_and_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hostile.yml", HOSTILE);
    let events = format!(
        "{{\"data\": {{\"description\": \"{}\"}}}}\n{{\"data\": {{\"description\": \"ab\"}}}}\n",
        "a".repeat(30)
    );
    write(dir.path(), "events.jsonl", &events);
    let out = detc(
        dir.path(),
        &["eval", "--rules", "hostile.yml", "--events", "events.jsonl"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("T706") && err.contains("1 value abandoned"), "{err}");
    // The event the regex could decide still matches.
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"line\":2"));
}

/// The real LiquidJS rule of the Auth0 catalog evaluates (it could not: the `regex` crate rejects
/// its look-ahead), when the shared corpus is beside the repository.
#[test]
fn the_auth0_liquidjs_rule_evaluates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rule = root.join("../shared/corpus/auth0/detections/liquidjs_xss_vulnerability.yml");
    if !rule.is_file() {
        eprintln!("skipped: {} not found", rule.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "events.jsonl",
        "{\"data\": {\"type\": \"sapi\", \"description\": \"Update branding settings\", \"details\": {\"response\": {\"body\": {\"error_page\": {\"html\": \"<p>{{ user.name }}</p>\"}}}}}}\n",
    );
    let out = detc(
        dir.path(),
        &["eval", "--rules", rule.to_str().unwrap(), "--events", "events.jsonl"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("T704"), "{err}");
}
