//! `--format github`: GitHub Actions workflow commands, which annotate the pull request's diff.

use super::display_path;
use crate::diag::{Diagnostic, Severity};

/// Escape data (the message) as the workflow-command parser expects.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (file, title), where `:` and `,` are also separators.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render_github(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![format!("file={}", escape_property(&display_path(&d.path)))];
        if let Some(s) = d.span {
            props.push(format!("line={}", s.start.line));
            props.push(format!("col={}", s.start.col));
            props.push(format!("endLine={}", s.end.line));
            props.push(format!("endColumn={}", s.end.col));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code.code, d.code.name))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        if let Some(fix) = &d.fix {
            message.push_str(&format!("\nfixable: {} (`detc check --fix`)", fix.title));
        }
        out.push_str(&format!("::{command} {}::{}\n", props.join(","), escape_data(&message)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\nx"), "50%25%0Ax");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
