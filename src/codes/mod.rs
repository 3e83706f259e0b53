//! Every diagnostic code detc can report, one file per family (DESIGN §6).
//!
//! A code exists only through the [`codes!`] macro of its family file, which defines the static and
//! adds it to the family's list; [`families!`] declares each family module and joins the lists into
//! [`all`]. `Code` has a field only this module can fill, so a code defined anywhere else does not
//! compile: every code is listed by construction, and `detc list lints`, `detc explain` and SARIF
//! read [`all`].

mod severity;

pub use severity::Severity;

/// A diagnostic code: stable identifier, kebab-case name, default severity and documentation.
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
    /// A catalog file (YAML, possibly several documents) on which this code fires; several files,
    /// each after a `# file: PATH` line, for codes about several files ([`Code::example_files`]).
    /// Empty for codes whose trigger is not a catalog `detc check` reads (the doc says why).
    pub bad: &'static str,
    /// The same file fixed: this code does not fire on it.
    pub good: &'static str,
    /// Only the `codes!` macro (in this module's children) can build a `Code`.
    #[allow(dead_code)]
    sealed: Sealed,
}

/// The field that keeps `Code` from being built outside this module.
#[derive(Debug)]
struct Sealed;

/// The line that starts a file of a several-file example (`# file: a/rules.yml`).
const FILE_MARK: &str = "# file: ";

impl Code {
    /// The files of an example (`bad` or `good`) as (path, text): one `example.yml`, or, for codes
    /// about several files, each file after its `# file: PATH` line. A `detc.yaml` among them is the
    /// configuration `detc check` would read in that folder.
    pub fn example_files(example: &'static str) -> Vec<(&'static str, &'static str)> {
        if !example.starts_with(FILE_MARK) {
            return vec![("example.yml", example)];
        }
        let mut files = Vec::new();
        let mut rest = example;
        while let Some(after) = rest.strip_prefix(FILE_MARK) {
            let (name, body) = after.split_once('\n').unwrap_or((after, ""));
            let end = body.find(&format!("\n{FILE_MARK}")).map_or(body.len(), |i| i + 1);
            files.push((name.trim(), &body[..end]));
            rest = &body[end..];
        }
        files
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

/// Defines each code of a family file as a `pub static` and the family's list `ALL` of them.
macro_rules! codes {
    ($( $(#[$meta:meta])* $name:ident { $($field:ident : $value:expr),* $(,)? } )*) => {
        #[allow(unused_imports)]
        use $crate::codes::Severity;
        $(
            $(#[$meta])*
            pub static $name: $crate::codes::Code = $crate::codes::Code {
                $($field: $value,)*
                sealed: $crate::codes::Sealed,
            };
        )*
        /// Every code of this family, in definition order.
        pub(super) static ALL: &[&$crate::codes::Code] = &[$(&$name),*];
    };
}

/// Declares each family module, re-exports its codes and joins the family lists into [`all`].
macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $(
            mod $family;
            pub use $family::*;
        )*

        /// Every code, in code order.
        pub fn all() -> Vec<&'static Code> {
            let mut codes: Vec<&'static Code> = [$($family::ALL),*].concat();
            codes.sort_by_key(|c| c.code);
            codes
        }
    };
}

// Shapes of the YAML examples, shared by the family files.
macro_rules! tagged {
    ($tags:expr) => {
        concat!(
            "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\ntags:\n",
            $tags
        )
    };
}

macro_rules! corr_yaml {
    ($body:expr) => {
        concat!(
            "title: Base\nname: base\nid: 9a0f4f4e-1c1e-4e71-9a5c-2d1f3b4c5d6e\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\nid: 0b8e5a66-7f7d-4c55-8f6e-0d8c7b6a5f4e\ncorrelation:\n",
            $body
        )
    };
}

macro_rules! rule_yaml {
    ($sel:expr) => {
        concat!(
            "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n",
            $sel,
            "  condition: sel\n"
        )
    };
}

families!(e, s, c, m, r, q, p, t, b);

/// Look a code up by its code (`C201`) or its name (`undefined-identifier`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Code> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name))
}

#[cfg(test)]
mod tests;
