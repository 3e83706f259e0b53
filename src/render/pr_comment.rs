//! `detc diff REV --format markdown`: a pull-request comment (or a GitHub step summary) saying what
//! the change does to the deployed detections. Every piece of rule text goes through the Markdown
//! escapes of `escape.rs`; queries sit in fences longer than any backtick run they hold.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::PathBuf;

use similar::TextDiff;

use super::changes::{Changes, Deployed};
use super::escape::{code_block, fence, markdown};

/// GitHub refuses comments over 65,536 characters: past this size, changed detections are listed
/// without their query diffs.
const BUDGET: usize = 50_000;
/// One query diff is cut at this size (a generated query can be huge).
const DIFF_MAX: usize = 8_000;
/// Past this size, list lines and table rows are counted instead of written.
const HARD_LIMIT: usize = 63_000;

/// Appends lines until the hard limit, then counts what it left out.
struct Page {
    text: String,
    omitted: usize,
}

impl Page {
    fn line(&mut self, line: &str) {
        if self.text.len() + line.len() + 1 > HARD_LIMIT {
            self.omitted += 1;
        } else {
            self.text.push_str(line);
            self.text.push('\n');
        }
    }
}

/// The two trees' artifact files and what the working tree's build reported.
pub struct Sides<'a> {
    pub rev: &'a str,
    pub old_files: &'a BTreeMap<PathBuf, String>,
    pub new_files: &'a BTreeMap<PathBuf, String>,
    /// Errors of the working tree's build that REV's build does not have (`path:line: CODE message`):
    /// the documents they break are missing from the comparison.
    pub new_errors: &'a [String],
    /// How many of the working tree's build errors REV has too (not this change's doing).
    pub old_errors: usize,
}

fn md(text: &str) -> String {
    markdown(text, true)
}

pub fn pr_comment(changes: &Changes<'_>, sides: &Sides<'_>) -> String {
    let mut page = Page {
        text: head(changes, sides),
        omitted: 0,
    };
    listed(&mut page, "Added", &changes.added);
    listed(&mut page, "Removed", &changes.removed);
    if !changes.changed.is_empty() {
        page.text.push_str("### Changed\n\n");
        let mut cut = 0;
        for (before, after) in &changes.changed {
            if page.text.len() > BUDGET {
                page.line(&format!("- **{}** ({})", md(&after.title), md(&after.path)));
                cut += 1;
            } else {
                changed(&mut page.text, before, after, &changes.files);
            }
        }
        if cut > 0 {
            page.text.push_str(&format!(
                "\n{cut} changed detection(s) listed without their diffs to keep this comment under GitHub's size limit.\n\n"
            ));
        }
    }
    artifact_table(&mut page, changes, sides);
    if page.omitted > 0 {
        page.text.push_str(&format!(
            "\n… {} more line(s) left out to stay under GitHub's comment size limit; run `detc diff {}` for all of it.\n",
            page.omitted,
            md(sides.rev)
        ));
    }
    page.text
}

/// The title, the counts and the working tree's build errors.
fn head(changes: &Changes<'_>, sides: &Sides<'_>) -> String {
    let mut out = format!("## detc: deployed detections compared with {}\n\n", md(sides.rev));
    if changes.is_empty() && sides.new_errors.is_empty() {
        out.push_str("No change to the deployed detections or artifacts.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "**{} added, {} removed, {} changed**, {} unchanged; {} artifact file{} differ{}.\n",
        changes.added.len(),
        changes.removed.len(),
        changes.changed.len(),
        changes.unchanged,
        changes.files.len(),
        if changes.files.len() == 1 { "" } else { "s" },
        if changes.files.len() == 1 { "s" } else { "" },
    );
    errors(&mut out, sides.new_errors, sides.old_errors);
    out
}

fn errors(out: &mut String, errors: &[String], old: usize) {
    if errors.is_empty() {
        if old > 0 {
            let _ = writeln!(
                out,
                "The catalog has {old} build error(s) the base has too; the documents they break are left out on both sides.\n"
            );
        }
        return;
    }
    let _ = writeln!(
        out,
        "> **The working tree does not build** ({} new error{}{}); its broken documents are missing from this comparison:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if old > 0 {
            format!(", {old} also at the base")
        } else {
            String::new()
        }
    );
    for e in errors.iter().take(10) {
        let _ = writeln!(out, "> - {}", md(e));
    }
    if errors.len() > 10 {
        let _ = writeln!(out, "> - … and {} more (`detc check`)", errors.len() - 10);
    }
    out.push('\n');
}

fn listed(page: &mut Page, heading: &str, detections: &[&Deployed]) {
    if detections.is_empty() {
        return;
    }
    page.text.push_str(&format!("### {heading}\n\n"));
    for d in detections {
        page.line(&format!("- **{}** ({})", md(&d.title), md(&d.path)));
    }
    page.text.push('\n');
}

/// One changed detection: what moved, which metadata keys and artifact files differ, and the
/// query diff of each target whose queries changed.
fn changed(out: &mut String, before: &Deployed, after: &Deployed, files: &[PathBuf]) {
    let _ = writeln!(out, "#### {} ({})\n", md(&after.title), md(&after.path));
    if before.path != after.path {
        let _ = writeln!(out, "- moved from {}", md(&before.path));
    }
    let keys = meta_keys(&before.meta, &after.meta);
    if !keys.is_empty() {
        let _ = writeln!(out, "- metadata: {}", md(&keys.join(", ")));
    }
    let differing: BTreeSet<&String> = before
        .artifacts
        .union(&after.artifacts)
        .filter(|a| files.iter().any(|f| f.to_string_lossy() == a.as_str()))
        .collect();
    if !differing.is_empty() {
        let names: Vec<&str> = differing.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(out, "- artifact files: {}", md(&names.join(", ")));
    }
    let targets: BTreeSet<&&str> = before.queries.keys().chain(after.queries.keys()).collect();
    let mut any = false;
    for t in targets {
        let (a, b) = (query_text(before.queries.get(*t)), query_text(after.queries.get(*t)));
        if a != b {
            any = true;
            let body = cut_diff(code_block(
                &TextDiff::from_lines(&a, &b)
                    .unified_diff()
                    .context_radius(3)
                    .to_string(),
            ));
            let f = fence(&body);
            let _ = writeln!(out, "\n{}:\n\n{f}diff\n{}{f}", md(t), body);
        }
    }
    if !any {
        out.push_str("- queries unchanged\n");
    }
    out.push('\n');
}

/// At most `DIFF_MAX` bytes of a diff, cut at a line break, with a last line saying so.
fn cut_diff(body: String) -> String {
    if body.len() <= DIFF_MAX {
        return body;
    }
    let mut end = DIFF_MAX;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let end = body[..end].rfind('\n').map_or(0, |i| i + 1);
    format!("{}… (diff cut at {DIFF_MAX} bytes)\n", &body[..end])
}

/// A target's queries as one text (one per paragraph), ending in a line break so the diff has none
/// of similar's "no newline at end of file" markers.
fn query_text(q: Option<&Result<Vec<String>, String>>) -> String {
    match q {
        Some(Ok(list)) => format!("{}\n", list.join("\n\n")),
        Some(Err(why)) => format!("(no query: {why})\n"),
        None => "(not converted)\n".to_string(),
    }
}

/// Top-level metadata keys whose values differ.
fn meta_keys(before: &str, after: &str) -> Vec<String> {
    let parse = |s: &str| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).unwrap_or_default();
    let (a, b) = (parse(before), parse(after));
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter().filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

fn artifact_table(page: &mut Page, changes: &Changes<'_>, sides: &Sides<'_>) {
    if changes.files.is_empty() {
        return;
    }
    page.text
        .push_str("### Artifact files\n\n| file | change |\n|---|---|\n");
    for f in &changes.files {
        let (a, b) = (sides.old_files.get(f), sides.new_files.get(f));
        let what = match (a, b) {
            (None, Some(_)) => "added".to_string(),
            (Some(_), None) => "removed".to_string(),
            (Some(a), Some(b)) => {
                let diff = TextDiff::from_lines(a.as_str(), b.as_str());
                let (mut plus, mut minus) = (0, 0);
                for c in diff.iter_all_changes() {
                    match c.tag() {
                        similar::ChangeTag::Insert => plus += 1,
                        similar::ChangeTag::Delete => minus += 1,
                        similar::ChangeTag::Equal => {}
                    }
                }
                format!("modified (+{plus} −{minus} lines)")
            }
            (None, None) => continue,
        };
        page.line(&format!("| {} | {what} |", md(&f.display().to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(n: usize, query: &str) -> Deployed {
        Deployed {
            id: format!("id-{n}"),
            title: format!("Rule {n}"),
            path: format!("rules/{n}.yml"),
            meta: "{}".into(),
            queries: [("splunk", Ok(vec![query.to_string()]))].into_iter().collect(),
            artifacts: BTreeSet::new(),
        }
    }

    #[test]
    fn a_huge_change_stays_under_the_comment_size_limit() {
        let old: Vec<Deployed> = (0..2000).map(|n| detection(n, &"a ".repeat(100))).collect();
        let new: Vec<Deployed> = (0..2000).map(|n| detection(n, &"b ".repeat(100))).collect();
        let files = BTreeMap::new();
        let changes = Changes::between(&old, &new, &files, &files);
        let sides = Sides {
            rev: "main",
            old_files: &files,
            new_files: &files,
            new_errors: &[],
            old_errors: 0,
        };
        let text = pr_comment(&changes, &sides);
        assert!(text.len() < 65_536, "{}", text.len());
        assert!(text.contains("**0 added, 0 removed, 2000 changed**"));
        assert!(text.contains("#### Rule 0 (rules/0.yml)") && text.contains("\n- **Rule "));
        assert!(text.contains("listed without their diffs"));
        assert!(text.contains("more line(s) left out"));
    }

    #[test]
    fn one_huge_query_diff_is_cut_inside_its_fence() {
        let old = [detection(1, &"a\n".repeat(10_000))];
        let new = [detection(1, &"b\n".repeat(10_000))];
        let files = BTreeMap::new();
        let changes = Changes::between(&old, &new, &files, &files);
        let sides = Sides {
            rev: "main",
            old_files: &files,
            new_files: &files,
            new_errors: &[],
            old_errors: 0,
        };
        let text = pr_comment(&changes, &sides);
        assert!(text.len() < 10_000, "{}", text.len());
        assert!(text.contains("… (diff cut at 8000 bytes)\n```\n"), "{text}");
    }
}
