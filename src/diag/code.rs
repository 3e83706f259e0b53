//! The identity and documentation of one kind of finding.

use super::Severity;

/// A diagnostic code: stable identifier, kebab-case name, default severity and documentation.
///
/// Every finding detc reports carries one of these. The full list lives in [`crate::lint::registry`],
/// which `detc list lints` and `detc explain` read.
#[derive(Debug)]
pub struct Code {
    /// Stable code such as `C201`. The letter is the family (see DESIGN §6).
    pub code: &'static str,
    /// Kebab-case name such as `undefined-identifier`.
    pub name: &'static str,
    pub severity: Severity,
    /// One-line summary shown by `detc list lints`.
    pub summary: &'static str,
    /// One paragraph: what it checks, why it matters, how to fix it.
    pub doc: &'static str,
    /// A catalog file (YAML, possibly several documents) on which this code fires.
    /// Empty for codes whose trigger cannot be written as a YAML text (binary files, I/O errors).
    pub bad: &'static str,
    /// The same file fixed: this code does not fire on it.
    pub good: &'static str,
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
