//! The catalog is untrusted: links that point outside it are reported and never read, and files that fail
//! to load are never quoted.

mod common;
use common::{Project, stderr};

#[cfg(unix)]
#[test]
fn catalog_links_to_files_outside_the_catalog_are_reported_and_not_read() {
    let p = Project::new();
    p.add_rule("a.yml", "Rule A", "5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f");
    let outside = tempfile::tempdir().unwrap();
    let creds = outside.path().join("credentials");
    // YAML that is broken, so were it read its text would be quoted in a snippet.
    std::fs::write(&creds, "[default\naws_secret_access_key = SECRETKEY123abc\n").unwrap();
    std::fs::create_dir(outside.path().join("more")).unwrap();
    std::fs::write(outside.path().join("more/r.yml"), "title: SECRETKEY123abc\n: [\n").unwrap();
    std::os::unix::fs::symlink(&creds, p.root().join("rules/creds.yml")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("more"), p.root().join("rules/more")).unwrap();
    // A link that stays inside the catalog is followed as before.
    std::os::unix::fs::symlink(p.root().join("rules/a.yml"), p.root().join("rules/same.yml")).unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let out = p.run(&["check", "--format", format]);
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert!(
            !all.contains("SECRETKEY123abc"),
            "{format}: the target's content leaked:\n{all}"
        );
        assert!(all.contains("E013"), "{format}: {all}");
        if format == "human" {
            assert!(
                all.contains("creds.yml") && all.contains(&creds.display().to_string()),
                "{all}"
            );
            assert!(all.contains("rules/more"), "{all}");
            assert!(all.contains("checked 2 files"), "same.yml and a.yml are read: {all}");
        }
    }
    let out = p.run(&["build", "--out", "dist"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("SECRETKEY123abc"));
    assert!(!p.root().join("dist").exists(), "a failed build writes nothing");
}

#[test]
fn files_that_fail_to_load_are_not_quoted() {
    let p = Project::new();
    let mut bad = b"title: SECRETKEY123abc\n".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe, b'\n']);
    std::fs::write(p.root().join("rules/latin1.yml"), &bad).unwrap();
    let mut big = b"title: SECRETKEY123abc\n# ".to_vec();
    big.resize(9 * 1024 * 1024, b'x');
    std::fs::write(p.root().join("rules/big.yml"), &big).unwrap();
    let mut nul = b"title: SECRETKEY123abc\n".to_vec();
    nul.push(0);
    std::fs::write(p.root().join("rules/nul.yml"), &nul).unwrap();
    let out = p.run(&["check"]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        all.contains("E002") && all.contains("E003") && all.contains("E004"),
        "{all}"
    );
    assert!(!all.contains("SECRETKEY123abc"), "{all}");
}
