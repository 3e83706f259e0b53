//! A fix for `date`/`modified` written as another calendar form than `YYYY-MM-DD` (`2025/01/15`,
//! `2025.1.5`): the schema reports the value, and the fix rewrites it in place.

use crate::catalog::Document;
use crate::catalog::yaml::replace_scalar;
use crate::diag::{Diagnostic, Fix};

/// `YYYY-MM-DD` for a real calendar date written year first with `/`, `.` or `-` and one- or two-digit
/// month and day; `None` for anything else (a day-first date is ambiguous and left alone).
pub fn iso_date(text: &str) -> Option<String> {
    let sep = text.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let parts: Vec<&str> = text.split(sep).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    if !digits(y, &[4]) || !digits(m, &[1, 2]) || !digits(d, &[1, 2]) {
        return None;
    }
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    jiff::civil::Date::new(y, m, d).ok()?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Attach the rewrite to the schema's findings on a `date` or `modified` that `iso_date` can
/// rewrite: those that start at its value or its key (matched by place, not by message).
pub fn attach(doc: &Document, diags: &mut [Diagnostic]) {
    for key in ["date", "modified"] {
        let Some(entry) = doc.root.entry(key) else {
            continue;
        };
        let node = &entry.value;
        let Some(text) = node.scalar_text() else {
            continue;
        };
        let Some(iso) = iso_date(text).filter(|iso| iso != text) else {
            continue;
        };
        let Some(edit) = replace_scalar(&doc.file, node, &iso) else {
            continue;
        };
        let fix = Fix::new(format!("write `{key}` as `{iso}`"), vec![edit]);
        let places = [node.span.start, entry.key.span.start];
        for d in diags
            .iter_mut()
            .filter(|d| d.code.code.starts_with('S') && d.span.is_some_and(|s| places.contains(&s.start)))
        {
            d.fix = Some(fix.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_first_dates_are_rewritten_and_others_left_alone() {
        assert_eq!(iso_date("2025/01/15").as_deref(), Some("2025-01-15"));
        assert_eq!(iso_date("2025.1.5").as_deref(), Some("2025-01-05"));
        assert_eq!(iso_date("2025-1-5").as_deref(), Some("2025-01-05"));
        for bad in [
            "15/01/2025",
            "2025/02/30",
            "2025/01-15",
            "2025/01",
            "25/01/15",
            "2025/001/15",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_schema_finding_on_a_slash_date_carries_the_fix() {
        let text =
            "title: T\ndate: '2025/01/15' # c\nlogsource: {product: x}\ndetection: {sel: {a: b}, condition: sel}\n";
        let c = crate::catalog::Catalog::from_sources(&[("t.yml", text)]);
        let diags = crate::schema::validate_document(&c.documents[0]);
        let fix = diags.iter().find_map(|d| d.fix.as_ref()).expect("a fix");
        let out = crate::diag::apply_fixes(text, &[fix]).text;
        assert!(out.contains("date: '2025-01-15' # c\n"), "{out}");
    }

    #[test]
    fn on_one_line_each_date_finding_gets_its_own_fix() {
        let text = "{title: T, date: 2025/01/15, modified: 2025/2/1, level: urgent, logsource: {product: x}, detection: {sel: {a: b}, condition: sel}}\n";
        let c = crate::catalog::Catalog::from_sources(&[("t.yml", text)]);
        let diags = crate::schema::validate_document(&c.documents[0]);
        let titles: Vec<Option<&str>> = diags.iter().map(|d| d.fix.as_ref().map(|f| f.title.as_str())).collect();
        assert_eq!(
            titles,
            [
                Some("write `date` as `2025-01-15`"),
                Some("write `modified` as `2025-02-01`"),
                None
            ],
            "{diags:#?}"
        );
    }
}
