use super::*;

const RULE: &str = "title: T\nid: 5a1d2c3e-7f40-4b8e-9c1a-0d2e3f4a5b6c\nlevel: low\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n";

/// The lints' findings (without `check`, which sits above `lint`).
fn lints(catalog: &Catalog) -> Vec<Diagnostic> {
    let parsed: Vec<crate::model::Parsed<'_>> = catalog.documents.iter().map(crate::model::Parsed::parse).collect();
    let mut diags = catalog.diags.clone();
    diags.extend(crate::lint::run(&parsed, &Default::default()));
    diags
}

/// The codes reported for `yaml` after suppressions, with their lines.
fn reported(yaml: &str) -> Vec<(String, u32)> {
    let catalog = Catalog::from_sources(&[("r.yml", yaml)]);
    let diags = lints(&catalog);
    let mut out: Vec<(String, u32)> = apply(diags, &catalog, true)
        .iter()
        .map(|d| (d.code.code.to_string(), d.span.map_or(0, |s| s.start.line)))
        .collect();
    out.sort();
    out
}

fn unused_selection(comment_above: &str, trailing: &str) -> String {
    format!("{RULE}{comment_above}  spare: {{data.type: f}}{trailing}\n  condition: sel\n")
}

#[test]
fn without_comment_the_finding_is_reported() {
    assert_eq!(reported(&unused_selection("", "")), [("C203".to_string(), 7)]);
}

#[test]
fn trailing_comment_suppresses_its_line() {
    assert!(reported(&unused_selection("", "  # detc: ignore[C203] kept for review")).is_empty());
}

#[test]
fn comment_directly_above_suppresses_the_next_line() {
    assert!(
        reported(&unused_selection(
            "  # detc: ignore[unused-search-identifier] why\n",
            ""
        ))
        .is_empty()
    );
    // Stacked comments still reach the line below them.
    let stacked = "  # detc: ignore[C2] why\n  # another note\n";
    assert!(reported(&unused_selection(stacked, "")).is_empty());
}

#[test]
fn a_blank_line_in_between_leaves_it_unused() {
    let yaml = unused_selection("  # detc: ignore[C203]\n\n", "");
    assert_eq!(reported(&yaml), [("C203".to_string(), 9), ("E015".to_string(), 7)]);
}

#[test]
fn file_level_suppression_in_the_top_comment_block() {
    let yaml = format!(
        "# Legacy rule.\n# detc: ignore-file[C203, Q5] migrated as is\n\n{}",
        unused_selection("", "")
    );
    let got = reported(&yaml);
    assert_eq!(got, [("E015".to_string(), 2)], "Q5 suppresses nothing here: {got:?}");
}

#[test]
fn file_level_suppression_below_content_is_invalid() {
    let yaml = format!("{RULE}  # detc: ignore-file[C203]\n  spare: {{data.type: f}}\n  condition: sel\n");
    assert_eq!(reported(&yaml), [("C203".to_string(), 8), ("E016".to_string(), 7)]);
}

#[test]
fn unused_and_unknown_codes_are_reported_where_written() {
    let yaml = unused_selection("", "  # detc: ignore[C203, Q501, C2033]");
    let catalog = Catalog::from_sources(&[("r.yml", yaml.as_str())]);
    let diags = apply(lints(&catalog), &catalog, true);
    let text = |code: &str| {
        let d = diags.iter().find(|d| d.code.code == code).unwrap();
        let s = d.span.unwrap();
        (yaml[s.byte_range()].to_string(), d.help.clone().unwrap_or_default())
    };
    assert_eq!(text("E015").0, "Q501");
    assert_eq!(text("E016").0, "C2033");
    assert!(text("E016").1.contains("did you mean `C203`"));
    assert!(!diags.iter().any(|d| d.code.code == "C203"));
}

#[test]
fn hash_inside_quoted_and_block_scalars_is_text() {
    let quoted = unused_selection("", "").replace(
        "title: T",
        "title: 'T # detc: ignore[C203]'\ndescription: \"x # detc: ignore[Q5]\"",
    );
    assert_eq!(reported(&quoted), [("C203".to_string(), 8)]);
    let block =
        format!("{RULE}  spare: {{data.type: f}}\n  condition: sel\ndescription: |\n  text\n  # detc: ignore[C203]\n");
    assert_eq!(reported(&block), [("C203".to_string(), 7)]);
}

#[test]
fn misspelt_directive_is_invalid() {
    let yaml = unused_selection("", "  # detc: ignroe[C203]");
    assert_eq!(reported(&yaml), [("C203".to_string(), 7), ("E016".to_string(), 7)]);
}

#[test]
fn ordinary_comments_are_left_alone() {
    let yaml = unused_selection("  # TODO: detc should not mind\n", "  # a note");
    assert_eq!(reported(&yaml), [("C203".to_string(), 8)]);
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_comment() {
    let yaml = format!("\u{feff}# detc: ignore-file[C203]\n{}", unused_selection("", ""));
    assert!(reported(&yaml).is_empty());
}
