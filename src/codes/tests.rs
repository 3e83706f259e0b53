use super::*;

#[test]
fn codes_are_unique_well_formed_and_documented() {
    let codes = all();
    let mut seen = std::collections::HashSet::new();
    for c in &codes {
        assert!(seen.insert(c.code), "duplicate code {}", c.code);
        assert!(seen.insert(c.name), "duplicate name {}", c.name);
        assert!(c.code.len() == 4 && "ESCMRQPTB".contains(&c.code[..1]), "{}", c.code);
        assert!(
            c.name
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{}",
            c.name
        );
        assert!(c.doc.len() > 60, "{} needs a real doc", c.code);
        assert_eq!(
            c.bad.is_empty(),
            c.good.is_empty(),
            "{}: bad and good come together",
            c.code
        );
    }
}

/// Each family file holds the codes of its letter and no other.
#[test]
fn each_family_file_holds_its_letter() {
    for (letter, family) in [
        ("E", e::ALL),
        ("S", s::ALL),
        ("C", c::ALL),
        ("M", m::ALL),
        ("R", r::ALL),
        ("Q", q::ALL),
        ("P", p::ALL),
        ("T", t::ALL),
        ("B", b::ALL),
    ] {
        assert!(!family.is_empty(), "family {letter} is empty");
        for c in family {
            assert!(c.code.starts_with(letter), "{} is in family {letter}", c.code);
        }
    }
}

#[test]
fn find_by_code_or_name() {
    assert_eq!(find("c205").unwrap().name, "null-from-commented-items");
    assert_eq!(find("near-miss-key").unwrap().code, "Q503");
    assert!(find("Z999").is_none());
}

/// Docs are one paragraph: a line continuation without its `\` leaves a run of spaces.
#[test]
fn docs_have_no_runs_of_spaces() {
    for c in all() {
        assert!(!c.doc.contains("   "), "{}: run of spaces in its doc", c.code);
        assert!(!c.summary.contains("  "), "{}: run of spaces in its summary", c.code);
    }
}

#[test]
fn several_file_examples_split_at_their_marks() {
    assert_eq!(Code::example_files("title: T\n"), [("example.yml", "title: T\n")]);
    let files = Code::example_files("# file: a/r.yml\ntitle: A\nname: x\n# file: b/r.yml\ntitle: B\n");
    assert_eq!(files, [("a/r.yml", "title: A\nname: x\n"), ("b/r.yml", "title: B\n")]);
}
